//! Load-time preparation of bundled schemas.
//!
//! The bundle ships only the lenient form. Before compiling, every schema node gets:
//!
//! * `minimum`/`maximum` for `format: int32` / `int64` integers: `format` checkers only
//!   see strings, so the ranges Go enforces when decoding are expressed as bounds;
//! * in strict mode, `additionalProperties: false` on every object schema that lists
//!   `properties` (the root included), so misspelt keys such as `livernessProbe` or
//!   `apiVerson` are reported. Nodes marked `x-kubernetes-preserve-unknown-fields`,
//!   `x-kubernetes-int-or-string` or `x-kubernetes-embedded-resource` keep accepting
//!   unknown keys, as the API server does; nested schemas below them are strict again.

use serde_json::{Map, Value};

/// Markers under which unknown keys are legitimate.
const OPEN_MARKERS: [&str; 3] = [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
];

/// Keywords whose value is a single schema.
const ONE: [&str; 3] = ["items", "additionalProperties", "not"];
/// Keywords whose value maps names to schemas.
const MAP: [&str; 4] = ["properties", "patternProperties", "definitions", "$defs"];
/// Keywords whose value is a list of schemas.
const LIST: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Prepares a copy of one version's definitions, wrapped as `{"$defs": ...}`.
pub(crate) fn prepare_defs(defs: &Map<String, Value>, strict: bool) -> Value {
    let mut out = Map::with_capacity(defs.len());
    for (name, schema) in defs {
        let mut schema = schema.clone();
        prepare(&mut schema, strict);
        out.insert(name.clone(), schema);
    }
    let mut root = Map::new();
    root.insert("$defs".to_owned(), Value::Object(out));
    Value::Object(root)
}

/// Prepares one schema in place (and every schema nested in it).
///
/// Exposed so that schemas from other sources (custom resource definitions) get the
/// same treatment as the bundled ones.
pub fn prepare(schema: &mut Value, strict: bool) {
    let Value::Object(node) = schema else { return };
    add_int_bounds(node);
    if strict && node.contains_key("properties") && !node.contains_key("additionalProperties") {
        let open = OPEN_MARKERS
            .iter()
            .any(|m| node.get(*m).and_then(Value::as_bool) == Some(true));
        if !open {
            node.insert("additionalProperties".to_owned(), Value::Bool(false));
        }
    }
    for key in ONE {
        match node.get_mut(key) {
            // Draft 4 allows a list of schemas under `items`.
            Some(Value::Array(list)) if key == "items" => {
                list.iter_mut().for_each(|s| prepare(s, strict));
            }
            Some(sub @ Value::Object(_)) => prepare(sub, strict),
            _ => {}
        }
    }
    for key in MAP {
        if let Some(Value::Object(map)) = node.get_mut(key) {
            map.values_mut().for_each(|s| prepare(s, strict));
        }
    }
    for key in LIST {
        if let Some(Value::Array(list)) = node.get_mut(key) {
            list.iter_mut().for_each(|s| prepare(s, strict));
        }
    }
}

fn add_int_bounds(node: &mut Map<String, Value>) {
    let (min, max): (i64, i64) = match node.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") => (i64::MIN, i64::MAX),
        _ => return,
    };
    let integer = match node.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    };
    if integer {
        node.entry("minimum").or_insert(min.into());
        node.entry("maximum").or_insert(max.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_closes_objects_with_properties_including_the_root() {
        let mut s = json!({
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {"a": {"type": "string"}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object"}
            }
        });
        prepare(&mut s, true);
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(
            s["properties"]["spec"]["additionalProperties"],
            json!(false)
        );
        // An explicit additionalProperties schema (a map) is left alone.
        assert_eq!(
            s["properties"]["labels"]["additionalProperties"],
            json!({"type": "string"})
        );
        // Without properties there is nothing to be strict about.
        assert_eq!(s["properties"]["free"].get("additionalProperties"), None);
    }

    #[test]
    fn lenient_mode_adds_no_additional_properties() {
        let mut s = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        prepare(&mut s, false);
        assert_eq!(s.get("additionalProperties"), None);
    }

    #[test]
    fn preserve_unknown_fields_stays_open_but_nested_schemas_do_not() {
        let mut s = json!({
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "properties": {
                "inner": {"type": "object", "properties": {"b": {"type": "string"}}}
            }
        });
        prepare(&mut s, true);
        assert_eq!(s.get("additionalProperties"), None);
        assert_eq!(
            s["properties"]["inner"]["additionalProperties"],
            json!(false)
        );

        for marker in [
            "x-kubernetes-int-or-string",
            "x-kubernetes-embedded-resource",
        ] {
            let mut s = json!({"properties": {"a": {}}, marker: true});
            prepare(&mut s, true);
            assert_eq!(s.get("additionalProperties"), None, "{marker}");
        }
        // A false marker does not open the node.
        let mut s = json!({"properties": {"a": {}}, "x-kubernetes-preserve-unknown-fields": false});
        prepare(&mut s, true);
        assert_eq!(s["additionalProperties"], json!(false));
    }

    #[test]
    fn integer_formats_become_bounds() {
        let mut s = json!({
            "properties": {
                "a": {"type": ["integer", "null"], "format": "int32"},
                "b": {"type": "integer", "format": "int64"},
                "c": {"type": "number", "format": "int32"},
                "d": {"type": "integer", "format": "int32", "minimum": 1}
            }
        });
        prepare(&mut s, false);
        let p = &s["properties"];
        assert_eq!(p["a"]["minimum"], json!(-2147483648_i64));
        assert_eq!(p["a"]["maximum"], json!(2147483647_i64));
        assert_eq!(p["b"]["minimum"], json!(i64::MIN));
        assert_eq!(p["b"]["maximum"], json!(i64::MAX));
        assert_eq!(p["c"].get("minimum"), None);
        assert_eq!(p["d"]["minimum"], json!(1));
    }
}
