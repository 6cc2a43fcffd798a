//! Target selectors (`patches[].target`, `replacements` select/reject):
//! anchored regular expressions on group, version, kind, name and namespace,
//! plus Kubernetes label and annotation selectors.

use regex::Regex;

use super::kustomization::Selector;
use super::res::Res;

/// A compiled selector.
pub struct Matcher {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
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
        let m = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|re| re.is_match(s));
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
