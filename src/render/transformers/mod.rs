//! The builtin transformers, one per file, in the order a kustomization runs
//! them: patches, namespace, prefix/suffix, labels, annotations, JSON 6902
//! patches, replicas, images, replacements; then, once at the root, the hash
//! suffix, name references and vars.

pub mod annotations;
pub mod hash_suffix;
pub mod images;
pub mod labels;
pub mod name_reference;
pub mod namespace;
pub mod prefix_suffix;
pub mod replicas;
pub mod sort;

use super::fieldspec::{Create, FieldSpec, apply_path, split_path};
use super::res::Res;
use crate::yaml::Value;

/// Applies `set` at every field spec that matches the resource's current GVK.
/// Missing fields are created (for specs with `create`) only when the
/// transformer says what to create, as in kustomize's filters.
pub(crate) fn apply_specs(
    r: &mut Res,
    specs: &[FieldSpec],
    create: Option<Create>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let gvk = r.gvk();
    for fs in specs {
        if !fs.matches(&gvk) {
            continue;
        }
        let path = split_path(&fs.path);
        apply_path(&mut r.value, &path, create.filter(|_| fs.create), set)
            .map_err(|e| format!("obj '{}' at path '{}': {e}", r.cur_id(), fs.path))?;
    }
    Ok(())
}

/// Sets a string entry in the mapping `node` (creating it from null).
pub(crate) fn set_entry(node: &mut Value, key: &str, value: &str) -> Result<(), String> {
    match node {
        Value::Map(m) => {
            m.insert(key, Value::from(value));
            Ok(())
        }
        Value::Null => {
            let mut m = crate::yaml::Map::new();
            m.insert(key, Value::from(value));
            *node = Value::Map(m);
            Ok(())
        }
        other => Err(format!(
            "wrong node kind: expected MappingNode but got {}",
            node_kind(other)
        )),
    }
}

pub(crate) fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

/// Sets each key/value pair at every field spec, creating missing maps: the
/// labels and annotations transformers differ only in their specs.
pub fn set_pairs(
    rm: &mut crate::render::resmap::ResMap,
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    for r in rm.iter_mut() {
        for (k, v) in pairs {
            apply_specs(r, specs, Some(Create::Map), &mut |node| {
                set_entry(node, k, v)
            })?;
        }
    }
    Ok(())
}
