//! Target selectors (`patches[].target`, `replacements` select/reject):
//! anchored regular expressions on group, version, kind, name and namespace,
//! plus Kubernetes label and annotation selectors.

use regex::Regex;

use super::kustomization::Selector;
use super::res::Res;

/// A compiled selector.
pub struct Matcher {
    group: Option<Pattern>,
    version: Option<Pattern>,
    kind: Option<Pattern>,
    name: Option<Pattern>,
    namespace: Option<Pattern>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

/// An anchored pattern. Most selectors name a kind, a group or a name
/// literally; those are matched without compiling a regular expression,
/// which costs far more than the whole match.
pub(crate) enum Pattern {
    /// ASCII letters, digits and `-_/:`, with `.` standing for any character
    /// but a newline, as in a regular expression.
    Plain(String),
    Regex(Regex),
}

impl Pattern {
    /// Whether `pattern` needs no regular expression to match it as one.
    pub(crate) fn is_plain(pattern: &str) -> bool {
        pattern
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_/:.".contains(&b))
    }

    /// Matches a prefix of `s` against a plain pattern; returns the rest.
    pub(crate) fn strip_plain<'s>(pattern: &str, s: &'s str) -> Option<&'s str> {
        let mut chars = s.char_indices();
        for p in pattern.bytes() {
            let (_, c) = chars.next()?;
            let ok = if p == b'.' {
                c != '\n'
            } else {
                c == char::from(p)
            };
            if !ok {
                return None;
            }
        }
        Some(chars.next().map_or("", |(i, _)| &s[i..]))
    }

    fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Plain(p) => Pattern::strip_plain(p, s) == Some(""),
            Pattern::Regex(re) => re.is_match(s),
        }
    }
}

fn anchored(pattern: &str) -> Result<Option<Pattern>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    if Pattern::is_plain(pattern) {
        return Ok(Some(Pattern::Plain(pattern.to_owned())));
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(|re| Some(Pattern::Regex(re)))
        .map_err(|e| format!("invalid regular expression '{pattern}': {e}"))
}

impl Matcher {
    pub fn new(sel: &Selector) -> Result<Matcher, String> {
        Ok(Matcher {
            group: anchored(&sel.group)?,
            version: anchored(&sel.version)?,
            kind: anchored(&sel.kind)?,
            name: anchored(&sel.name)?,
            namespace: anchored(&sel.namespace)?,
            labels: (!sel.label_selector.is_empty())
                .then(|| LabelSelector::parse(&sel.label_selector))
                .transpose()?,
            annotations: (!sel.annotation_selector.is_empty())
                .then(|| LabelSelector::parse(&sel.annotation_selector))
                .transpose()?,
        })
    }

    /// kustomize's `ResMap.Select`: name and (effective) namespace on the
    /// original or the current id, GVK on the current one.
    pub fn matches(&self, r: &Res) -> bool {
        let m = |p: &Option<Pattern>, s: &str| p.as_ref().is_none_or(|p| p.is_match(s));
        let cur = r.cur_id();
        let org = r.org_id();
        if !(m(&self.namespace, org.effective_namespace())
            || m(&self.namespace, cur.effective_namespace()))
        {
            return false;
        }
        if !(m(&self.name, &org.name) || m(&self.name, &cur.name)) {
            return false;
        }
        if !(m(&self.group, &cur.gvk.group)
            && m(&self.version, &cur.gvk.version)
            && m(&self.kind, &cur.gvk.kind))
        {
            return false;
        }
        if let Some(ls) = &self.labels {
            if !ls.matches(&r.labels()) {
                return false;
            }
        }
        if let Some(ls) = &self.annotations {
            if !ls.matches(&r.annotations()) {
                return false;
            }
        }
        true
    }
}

/// A Kubernetes label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
/// `a notin (x)`, `a`, `!a`, separated by commas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    reqs: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some(rest) = part.strip_prefix('!') {
                Requirement::NotExists(rest.trim().to_owned())
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::Ne(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Eq(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Eq(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, set)) = split_set(part, " notin ") {
                Requirement::NotIn(k, set)
            } else if let Some((k, set)) = split_set(part, " in ") {
                Requirement::In(k, set)
            } else if part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                Requirement::Exists(part.to_owned())
            } else {
                return Err(format!("unable to parse requirement: {part}"));
            };
            reqs.push(req);
        }
        Ok(LabelSelector { reqs })
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.reqs.iter().all(|r| match r {
            Requirement::Eq(k, v) => get(k) == Some(v.as_str()),
            Requirement::Ne(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, set) => get(k).is_some_and(|x| set.iter().any(|s| s == x)),
            Requirement::NotIn(k, set) => get(k).is_none_or(|x| !set.iter().any(|s| s == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn split_set(part: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (k, rest) = part.split_once(op)?;
    let rest = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let set = rest
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    Some((k.trim().to_owned(), set))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn plain_patterns_match_as_regexes_do() {
        let cases = [
            ("Deployment", "Deployment", true),
            ("Deployment", "Deployments", false),
            ("Deployment", "deployment", false),
            ("apps", "", false),
            ("networking.k8s.io", "networking.k8s.io", true),
            ("networking.k8s.io", "networkingXk8sXio", true),
            ("a.c", "a\nc", false),
            ("a.c", "aéc", true),
            ("svc-001", "svc-001", true),
        ];
        for (pattern, s, want) in cases {
            let re = Regex::new(&format!("^(?:{pattern})$")).unwrap();
            assert_eq!(re.is_match(s), want, "{pattern} on {s:?}");
            let p = anchored(pattern).unwrap().unwrap();
            assert!(matches!(p, Pattern::Plain(_)));
            assert_eq!(p.is_match(s), want, "{pattern} on {s:?}");
        }
        assert!(matches!(anchored("a|b"), Ok(Some(Pattern::Regex(_)))));
    }

    #[test]
    fn label_selectors() {
        let l = labels(&[("app", "web"), ("tier", "fe")]);
        assert!(LabelSelector::parse("app=web").unwrap().matches(&l));
        assert!(
            LabelSelector::parse("app=web,tier!=be")
                .unwrap()
                .matches(&l)
        );
        assert!(
            LabelSelector::parse("tier in (fe, be)")
                .unwrap()
                .matches(&l)
        );
        assert!(!LabelSelector::parse("tier notin (fe)").unwrap().matches(&l));
        assert!(LabelSelector::parse("app,!missing").unwrap().matches(&l));
        assert!(!LabelSelector::parse("missing").unwrap().matches(&l));
    }
}
