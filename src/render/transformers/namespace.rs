//! `namespace` (kustomize's NamespaceTransformer): set `metadata/namespace` of
//! every namespaced object, rename `v1` Namespace objects, and fix the
//! namespace of RoleBinding subjects that name the `default` ServiceAccount.

use std::collections::HashMap;

use super::apply_specs;
use crate::render::fieldspec::{Create, FieldSpec};
use crate::render::resid::{Gvk, ResId};
use crate::render::resmap::ResMap;
use crate::yaml::{Str, Value};

/// Which RoleBinding and ClusterRoleBinding subjects get the namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Subjects {
    /// Subjects named `default` (the kustomization `namespace` field).
    #[default]
    DefaultOnly,
    /// Every ServiceAccount subject.
    AllServiceAccounts,
    None,
}

impl Subjects {
    pub fn parse(s: &str) -> Option<Subjects> {
        match s {
            "" | "defaultOnly" => Some(Subjects::DefaultOnly),
            "allServiceAccounts" => Some(Subjects::AllServiceAccounts),
            "none" => Some(Subjects::None),
            _ => None,
        }
    }
}

pub fn apply(
    rm: &mut ResMap,
    ns: &str,
    specs: &[FieldSpec],
    subjects: Subjects,
    unset_only: bool,
) -> Result<(), String> {
    if ns.is_empty() {
        return Ok(());
    }
    let setter = |v: &mut Value| -> Result<(), String> {
        let empty = match v {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if !unset_only || empty {
            *v = Value::from(ns);
        }
        Ok(())
    };
    // How many objects hold each current id, kept up to date as objects
    // move, so that the conflict check below is not a scan per object.
    let mut counts: HashMap<IdKey, usize> = HashMap::with_capacity(rm.len());
    for r in rm.iter() {
        *counts.entry(id_key(r.cur_id())).or_default() += 1;
    }
    for i in 0..rm.len() {
        let Some(r) = rm.get_mut(i) else { continue };
        if r.value.is_null() {
            continue;
        }
        let before = id_key(r.cur_id());
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            let meta = r.meta_mut();
            let mut cur = meta.get("namespace").cloned().unwrap_or(Value::Null);
            setter(&mut cur)?;
            meta.insert("namespace", cur);
        }
        if r.kind() == "RoleBinding" || r.kind() == "ClusterRoleBinding" {
            set_subjects(&mut r.value, ns, subjects, unset_only);
        }
        let api = gvk.api_version();
        let rest: Vec<FieldSpec> = specs
            .iter()
            .filter(|f| {
                f.path != "metadata/namespace" && (api == "v1" || f.path != "metadata/name")
            })
            .cloned()
            .collect();
        let mut set = setter;
        apply_specs(r, &rest, Some(Create::Scalar), &mut set)?;
        let id = r.cur_id();
        let after = id_key(id.clone());
        if after != before {
            if let Some(n) = counts.get_mut(&before) {
                *n -= 1;
            }
            *counts.entry(after.clone()).or_default() += 1;
        }
        if counts.get(&after) != Some(&1) {
            return Err(format!(
                "namespace transformation produces ID conflict: {id}"
            ));
        }
    }
    Ok(())
}

/// The parts `ResId::equals` compares, in a hashable form.
type IdKey = (Gvk, Str, Str);

fn id_key(id: ResId) -> IdKey {
    let ns = Str::from(id.effective_namespace());
    (id.gvk, id.name, ns)
}

fn set_subjects(obj: &mut Value, ns: &str, mode: Subjects, unset_only: bool) {
    let Some(Value::Seq(subjects)) = obj.as_map_mut().and_then(|m| m.get_mut("subjects")) else {
        return;
    };
    for s in subjects.iter_mut() {
        let Some(m) = s.as_map_mut() else { continue };
        let selected = match mode {
            Subjects::None => false,
            Subjects::DefaultOnly => m.get("name").and_then(Value::as_str) == Some("default"),
            Subjects::AllServiceAccounts => {
                m.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
            }
        };
        if !selected {
            continue;
        }
        let empty = m
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if !unset_only || empty {
            m.insert("namespace", Value::from(ns));
        }
    }
}
