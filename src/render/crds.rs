//! `crds`: OpenAPI definitions of custom resources whose `x-kubernetes-*`
//! extensions add field specs, so that names referred to by custom resources
//! follow renames (`x-kubernetes-object-ref-kind` / `-api-version`), and
//! labels, annotations and prefixes reach custom fields.

use super::fieldspec::{FieldSpec, NameBackRef, TransformerConfig, merge_one};
use crate::yaml::Value;

/// Adds the field specs a definitions document declares.
pub fn config_from_crd(doc: &Value, cfg: &mut TransformerConfig) {
    let Some(defs) = doc.as_map() else { return };
    let mut names: Vec<&str> = defs.keys().collect();
    names.sort_unstable();
    for name in names {
        let Some(def) = defs.get(name) else { continue };
        let props = def.get("Schema").and_then(|s| s.get("properties"));
        let is_kind = props.is_some_and(|p| {
            p.get("kind").is_some() && p.get("apiVersion").is_some() && p.get("metadata").is_some()
        });
        if !is_kind {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        let mut seen = Vec::new();
        walk(defs, name, kind, &mut Vec::new(), cfg, &mut seen);
    }
}

fn walk(
    defs: &crate::yaml::Map,
    def: &str,
    kind: &str,
    path: &mut Vec<String>,
    cfg: &mut TransformerConfig,
    seen: &mut Vec<String>,
) {
    if seen.iter().any(|s| s == def) {
        return;
    }
    seen.push(def.to_owned());
    let Some(props) = defs
        .get(def)
        .and_then(|d| d.get("Schema"))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_map)
    else {
        seen.pop();
        return;
    };
    for (prop, schema) in props.iter() {
        path.push(prop.to_owned());
        let fs = |p: &[String]| FieldSpec {
            kind: kind.to_owned(),
            path: p.join("/"),
            ..FieldSpec::default()
        };
        let ext = |k: &str| schema.get(k).and_then(Value::as_str);
        if ext("x-kubernetes-annotation").is_some() {
            let _ = merge_one(&mut cfg.common_annotations, fs(path));
        }
        if ext("x-kubernetes-label-selector").is_some() {
            let _ = merge_one(&mut cfg.common_labels, fs(path));
        }
        if ext("x-kubernetes-identity").is_some() {
            let _ = merge_one(&mut cfg.name_prefix, fs(path));
        }
        if let (Some(version), Some(ref_kind)) = (
            ext("x-kubernetes-object-ref-api-version"),
            ext("x-kubernetes-object-ref-kind"),
        ) {
            let key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut p = path.clone();
            p.push(key.to_owned());
            let spec = fs(&p);
            match cfg
                .name_reference
                .iter_mut()
                .find(|b| b.kind == ref_kind && b.version == version && b.group.is_empty())
            {
                Some(b) => {
                    let _ = merge_one(&mut b.field_specs, spec);
                }
                None => cfg.name_reference.push(NameBackRef {
                    group: String::new(),
                    version: version.to_owned(),
                    kind: ref_kind.to_owned(),
                    field_specs: vec![spec],
                }),
            }
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            walk(defs, r, kind, path, cfg, seen);
        }
        path.pop();
    }
    seen.pop();
}
