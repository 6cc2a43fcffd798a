//! A resource during rendering: the object plus what kustomize remembers about
//! it while building (previous names, prefixes and suffixes applied, whether
//! it still needs a hash suffix).

use super::resid::{Gvk, ResId};
use crate::resource::Origin;
use crate::yaml::{Map, Str, Value};

/// How a generated object joins resources that already exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    #[default]
    Create,
    Merge,
    Replace,
}

impl Behavior {
    pub fn parse(s: &str) -> Option<Behavior> {
        match s {
            "" | "create" => Some(Behavior::Create),
            "merge" => Some(Behavior::Merge),
            "replace" => Some(Behavior::Replace),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Behavior::Create => "create",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        }
    }
}

/// An id the resource had before a rename (namespace stored as effective).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrevId {
    pub kind: Str,
    pub name: Str,
    pub namespace: Str,
}

#[derive(Clone, Debug)]
pub struct Res {
    pub value: Value,
    /// Where the object was read from, for diagnostics.
    pub origin: Option<Origin>,
    /// The object as read from `origin`, before any transformer: diagnostics on
    /// the rendered object are mapped back onto it.
    pub source: Option<std::sync::Arc<Value>>,
    /// Strategic-merge patches applied to the object, in order: where each was
    /// written and what it said, so findings in patched fields point at the patch.
    pub patches: Vec<(Origin, std::sync::Arc<Value>)>,
    pub prev: Vec<PrevId>,
    pub prefixes: Vec<Str>,
    pub suffixes: Vec<Str>,
    pub needs_hash: bool,
    pub behavior: Behavior,
    /// Names of vars whose values come from this resource.
    pub ref_var_names: Vec<String>,
}

impl Res {
    pub fn new(value: Value, origin: Option<Origin>) -> Res {
        Res {
            value,
            origin,
            source: None,
            patches: Vec::new(),
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Create,
            ref_var_names: Vec::new(),
        }
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::of(&self.value)
    }

    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.meta_str("name")
    }

    pub fn namespace(&self) -> &str {
        self.meta_str("namespace")
    }

    fn meta_str(&self, key: &str) -> &str {
        self.value
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn meta_mut(&mut self) -> &mut Map {
        self.value.make_map().child_map("metadata")
    }

    pub fn set_name(&mut self, name: &str) {
        self.meta_mut().insert("name", Value::from(name));
    }

    /// Sets the namespace; an empty one removes the field.
    pub fn set_namespace(&mut self, ns: &str) {
        let meta = self.meta_mut();
        if ns.is_empty() {
            meta.remove("namespace");
        } else {
            meta.insert("namespace", Value::from(ns));
        }
    }

    pub fn set_kind(&mut self, kind: &str) {
        self.value.make_map().insert("kind", Value::from(kind));
    }

    pub fn cur_id(&self) -> ResId {
        ResId::new(self.gvk(), self.name(), self.namespace())
    }

    /// Every id the resource had before its current one, oldest first.
    pub fn prev_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.prev
            .iter()
            .map(|p| {
                let g = Gvk {
                    kind: p.kind.clone(),
                    ..gvk.clone()
                };
                ResId::new(g, &p.name, &p.namespace)
            })
            .collect()
    }

    /// The id it was first read or generated with.
    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id before a rename.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev.push(PrevId {
            kind: id.gvk.kind.clone(),
            name: id.name.clone(),
            namespace: id.effective_namespace().into(),
        });
    }

    /// Whether any current or previous id satisfies `f`.
    pub fn any_id(&self, mut f: impl FnMut(&ResId) -> bool) -> bool {
        self.prev_ids().iter().any(&mut f) || f(&self.cur_id())
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        self.string_map("labels")
    }

    pub fn annotations(&self) -> Vec<(String, String)> {
        self.string_map("annotations")
    }

    fn string_map(&self, key: &str) -> Vec<(String, String)> {
        match self.value.get("metadata").and_then(|m| m.get(key)) {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| (k.to_owned(), scalar_text(v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `config.kubernetes.io/local-config` is `"true"`.
    pub fn is_local_config(&self) -> bool {
        self.annotations()
            .iter()
            .any(|(k, v)| k == "config.kubernetes.io/local-config" && v == "true")
    }
}

/// The text of a scalar as kustomize reads it into a string map.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.to_string(),
        Value::Float(f) => super::emit::go_format_g(*f),
        Value::Null => String::new(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}
