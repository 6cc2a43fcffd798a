//! `namePrefix` and `nameSuffix` (kustomize's PrefixTransformer and
//! SuffixTransformer): prepend or append to `metadata/name` and any other
//! configured name fields, recording the change so references can follow.

use super::apply_specs;
use crate::render::fieldspec::{Create, FieldSpec};
use crate::render::resid::Gvk;
use crate::render::resmap::ResMap;
use crate::yaml::Value;

/// Kinds whose names are never prefixed or suffixed.
fn skipped(gvk: &Gvk) -> bool {
    gvk.kind == "CustomResourceDefinition"
        || gvk.kind == "Namespace"
        || (gvk.kind == "APIService" && gvk.group == "apiregistration.k8s.io")
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Affix {
    Prefix,
    Suffix,
}

pub fn apply(rm: &mut ResMap, affix: Affix, text: &str, specs: &[FieldSpec]) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    for r in rm.iter_mut() {
        let org = r.org_id();
        if skipped(&org.gvk) {
            continue;
        }
        for fs in specs {
            if !org.gvk.is_selected_by(&fs.gvk()) {
                continue;
            }
            if fs.path == "metadata/name" {
                match affix {
                    Affix::Prefix => r.prefixes.push(text.into()),
                    Affix::Suffix => r.suffixes.push(text.into()),
                }
                r.store_previous_id();
            }
            let mut set = |v: &mut Value| {
                let cur = match &*v {
                    Value::Null => String::new(),
                    other => crate::render::res::scalar_text(other),
                };
                *v = Value::from(
                    match affix {
                        Affix::Prefix => format!("{text}{cur}"),
                        Affix::Suffix => format!("{cur}{text}"),
                    }
                    .as_str(),
                );
                Ok(())
            };
            apply_specs(r, std::slice::from_ref(fs), Some(Create::Scalar), &mut set)?;
        }
    }
    Ok(())
}
