//! `namespace` (kustomize's NamespaceTransformer): set `metadata/namespace` of
//! every namespaced object, rename `v1` Namespace objects, and fix the
//! namespace of RoleBinding subjects that name the `default` ServiceAccount.

use super::apply_specs;
use crate::render::fieldspec::{Create, FieldSpec};
use crate::render::resmap::ResMap;
use crate::yaml::Value;

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
    for i in 0..rm.len() {
        let Some(r) = rm.get_mut(i) else { continue };
        if r.value.is_null() {
            continue;
        }
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
        if rm.matching_current_id(|x| x.equals(&id)).len() != 1 {
            return Err(format!(
                "namespace transformation produces ID conflict: {id}"
            ));
        }
    }
    Ok(())
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
