//! Label and node selectors, owned and pre-parsed, with apimachinery's
//! matching rules.
//!
//! A `metav1.LabelSelector` that is absent selects nothing; one that is
//! present but empty selects everything. Node selector requirements add the
//! `Gt`/`Lt` operators and field selectors on `metadata.name`.

use std::collections::BTreeMap;

use crate::yaml::Value;

/// Labels of a pod, node or namespace.
pub type Labels = BTreeMap<String, String>;

/// A selector operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

impl Op {
    fn parse(s: &str, node: bool) -> Option<Op> {
        Some(match s {
            "In" => Op::In,
            "NotIn" => Op::NotIn,
            "Exists" => Op::Exists,
            "DoesNotExist" => Op::DoesNotExist,
            "Gt" if node => Op::Gt,
            "Lt" if node => Op::Lt,
            _ => return None,
        })
    }
}

/// One requirement: `key op values`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

impl Requirement {
    pub fn new(key: &str, op: Op, values: &[&str]) -> Requirement {
        Requirement {
            key: key.to_owned(),
            op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    /// Whether the requirement is well formed, as `labels.NewRequirement`
    /// checks it: `In`/`NotIn` need values, `Exists`/`DoesNotExist` none,
    /// `Gt`/`Lt` exactly one integer.
    fn is_valid(&self) -> bool {
        match self.op {
            Op::In | Op::NotIn => !self.values.is_empty(),
            Op::Exists | Op::DoesNotExist => self.values.is_empty(),
            Op::Gt | Op::Lt => self.values.len() == 1 && self.values[0].parse::<i64>().is_ok(),
        }
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.op {
            Op::In => value.is_some_and(|v| self.values.contains(v)),
            Op::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::Gt | Op::Lt => {
                let (Some(v), Some(bound)) = (value, self.values.first()) else {
                    return false;
                };
                match (v.parse::<i64>(), bound.parse::<i64>()) {
                    (Ok(v), Ok(bound)) if self.op == Op::Gt => v > bound,
                    (Ok(v), Ok(bound)) => v < bound,
                    _ => false,
                }
            }
        }
    }
}

/// A parsed `metav1.LabelSelector`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum LabelSelector {
    /// Absent (or invalid): matches nothing.
    #[default]
    Nothing,
    /// All requirements must hold; none at all matches everything.
    All(Vec<Requirement>),
}

impl LabelSelector {
    pub fn everything() -> LabelSelector {
        LabelSelector::All(Vec::new())
    }

    /// `matchLabels` only.
    pub fn from_labels(labels: &Labels) -> LabelSelector {
        LabelSelector::All(
            labels
                .iter()
                .map(|(k, v)| Requirement {
                    key: k.clone(),
                    op: Op::In,
                    values: vec![v.clone()],
                })
                .collect(),
        )
    }

    /// Reads a `{matchLabels, matchExpressions}` value; absent is `Nothing`,
    /// and so is a selector apimachinery would refuse to convert.
    pub fn from_value(v: Option<&Value>) -> LabelSelector {
        let Some(map) = v.and_then(Value::as_map) else {
            return LabelSelector::Nothing;
        };
        let mut reqs = Vec::new();
        if let Some(labels) = map.get("matchLabels").and_then(Value::as_map) {
            for (k, v) in labels.iter() {
                let Some(v) = scalar_string(v).filter(|v| is_label_value(v)) else {
                    return LabelSelector::Nothing;
                };
                if !is_qualified_name(k) {
                    return LabelSelector::Nothing;
                }
                reqs.push(Requirement {
                    key: k.to_owned(),
                    op: Op::In,
                    values: vec![v],
                });
            }
        }
        for e in map
            .get("matchExpressions")
            .and_then(Value::as_seq)
            .unwrap_or_default()
        {
            match requirement(e, false) {
                Some(r) => reqs.push(r),
                None => return LabelSelector::Nothing,
            }
        }
        LabelSelector::All(reqs)
    }

    /// A plain label map used as a selector (a Service's `selector`, an
    /// RC's `selector`): an empty map selects nothing here, as upstream's
    /// `SelectorFromValidatedSet` callers treat it.
    pub fn from_map_value(v: Option<&Value>) -> LabelSelector {
        let labels = labels_of(v);
        if labels.is_empty() {
            LabelSelector::Nothing
        } else {
            LabelSelector::from_labels(&labels)
        }
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            LabelSelector::Nothing => false,
            LabelSelector::All(reqs) => reqs.iter().all(|r| r.matches(labels)),
        }
    }

    /// Whether it selects everything (`{}`).
    pub fn is_everything(&self) -> bool {
        matches!(self, LabelSelector::All(r) if r.is_empty())
    }

    /// Adds requirements (AND), as `matchLabelKeys` merging does; a
    /// `Nothing` selector becomes the added requirements alone, as upstream's
    /// merge does when the selector has no requirements to copy.
    pub fn and(&self, extra: Vec<Requirement>) -> LabelSelector {
        if extra.is_empty() {
            return self.clone();
        }
        match self {
            LabelSelector::Nothing => LabelSelector::All(extra),
            LabelSelector::All(reqs) => {
                let mut all = extra;
                all.extend(reqs.iter().cloned());
                LabelSelector::All(all)
            }
        }
    }
}

/// A selector expression (`{key, operator, values}`); `node` allows `Gt`/`Lt`.
fn requirement(e: &Value, node: bool) -> Option<Requirement> {
    let key = e.get("key").and_then(Value::as_str)?;
    let op = Op::parse(e.get("operator").and_then(Value::as_str)?, node)?;
    let values = e
        .get("values")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .map(scalar_string)
        .collect::<Option<Vec<String>>>()?;
    let r = Requirement {
        key: key.to_owned(),
        op,
        values,
    };
    (r.is_valid() && is_qualified_name(key) && r.values.iter().all(|v| is_label_value(v)))
        .then_some(r)
}

/// A label value: at most 63 characters, alphanumerics at both ends and
/// `-`, `_`, `.` inside (empty is allowed).
pub fn is_label_value(v: &str) -> bool {
    v.len() <= 63 && (v.is_empty() || is_name_part(v))
}

fn is_name_part(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name.
pub fn is_qualified_name(k: &str) -> bool {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                let b = l.as_bytes();
                !b.is_empty()
                    && b.len() <= 63
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            })
    });
    prefix_ok && is_name_part(name)
}

/// A string, or a number or boolean as its text (labels written unquoted).
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::BigInt(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// A label map (`metadata.labels`, `nodeSelector`).
pub fn labels_of(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.to_owned(), scalar_string(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

/// A `NodeSelectorTerm`: all expressions and field requirements must hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeSelectorTerm {
    /// `None` when the term failed to parse (it then matches nothing).
    pub expressions: Option<Vec<Requirement>>,
    pub fields: Option<Vec<Requirement>>,
    /// Neither expressions nor fields were written: the term is dropped.
    pub empty: bool,
}

impl NodeSelectorTerm {
    pub fn from_value(v: &Value) -> NodeSelectorTerm {
        let exprs = v
            .get("matchExpressions")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        let fields = v
            .get("matchFields")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        NodeSelectorTerm {
            expressions: exprs.iter().map(|e| requirement(e, true)).collect(),
            fields: fields.iter().map(field_requirement).collect(),
            empty: exprs.is_empty() && fields.is_empty(),
        }
    }

    /// `matchFields` that pin `metadata.name`, as DaemonSet pods carry.
    pub fn for_node_name(name: &str) -> NodeSelectorTerm {
        NodeSelectorTerm {
            expressions: Some(Vec::new()),
            fields: Some(vec![Requirement::new("metadata.name", Op::In, &[name])]),
            empty: false,
        }
    }

    /// Upstream's term matching: a term that failed to parse never matches;
    /// field requirements see only `metadata.name`.
    pub fn matches(&self, node_name: &str, labels: &Labels) -> bool {
        let (Some(exprs), Some(fields)) = (&self.expressions, &self.fields) else {
            return false;
        };
        if !exprs.iter().all(|r| r.matches(labels)) {
            return false;
        }
        if node_name.is_empty() {
            return true;
        }
        fields.iter().all(|r| {
            let value = if r.key == "metadata.name" {
                node_name
            } else {
                ""
            };
            match r.op {
                Op::In => r.values.first().is_some_and(|v| v == value),
                Op::NotIn => r.values.first().is_none_or(|v| v != value),
                _ => false,
            }
        })
    }

    /// Node names a term pins with `metadata.name In [...]` (the
    /// intersection over its field requirements), or `None` when it pins none.
    pub fn pinned_names(&self) -> Option<Vec<String>> {
        let fields = self.fields.as_ref()?;
        let mut names: Option<Vec<String>> = None;
        for r in fields {
            if r.key == "metadata.name" && r.op == Op::In {
                names = Some(match names {
                    None => r.values.clone(),
                    Some(prev) => prev.into_iter().filter(|n| r.values.contains(n)).collect(),
                });
            }
        }
        names
    }
}

/// A field requirement: `In`/`NotIn` with exactly one value.
fn field_requirement(e: &Value) -> Option<Requirement> {
    let key = e.get("key").and_then(Value::as_str)?;
    let op = match e.get("operator").and_then(Value::as_str)? {
        "In" => Op::In,
        "NotIn" => Op::NotIn,
        _ => return None,
    };
    let values: Vec<String> = e
        .get("values")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(scalar_string)
        .collect();
    (values.len() == 1).then(|| Requirement {
        key: key.to_owned(),
        op,
        values,
    })
}

/// A required `NodeSelector`: any term may match; with no usable term,
/// nothing matches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct NodeSelector {
    pub terms: Vec<NodeSelectorTerm>,
}

impl NodeSelector {
    pub fn from_value(v: &Value) -> NodeSelector {
        NodeSelector {
            terms: v
                .get("nodeSelectorTerms")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .map(NodeSelectorTerm::from_value)
                .collect(),
        }
    }

    pub fn matches(&self, node_name: &str, labels: &Labels) -> bool {
        self.terms
            .iter()
            .filter(|t| !t.empty)
            .any(|t| t.matches(node_name, labels))
    }
}

/// A `PreferredSchedulingTerm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferredTerm {
    pub weight: i64,
    pub term: NodeSelectorTerm,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn absent_selects_nothing_and_empty_selects_everything() {
        let l = labels(&[("a", "b")]);
        assert!(!LabelSelector::from_value(None).matches(&l));
        let empty = Value::Map(crate::yaml::Map::new());
        assert!(LabelSelector::from_value(Some(&empty)).matches(&l));
    }

    #[test]
    fn gt_and_lt_compare_integers() {
        let l = labels(&[("n", "10"), ("s", "x")]);
        assert!(Requirement::new("n", Op::Gt, &["9"]).matches(&l));
        assert!(!Requirement::new("n", Op::Gt, &["10"]).matches(&l));
        assert!(Requirement::new("n", Op::Lt, &["11"]).matches(&l));
        assert!(!Requirement::new("s", Op::Lt, &["11"]).matches(&l));
        assert!(!Requirement::new("missing", Op::Lt, &["11"]).matches(&l));
    }
}
