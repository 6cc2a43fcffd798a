//! Schemas of custom resources, learnt from CustomResourceDefinitions.
//!
//! Every served version of a CRD (`apiextensions.k8s.io/v1`, or `v1beta1` with its
//! top-level `validation`) contributes the `openAPIV3Schema` it declares. The
//! OpenAPI dialect is turned into the JSON Schema draft the validator speaks:
//! `nullable` becomes a `null` type, `x-kubernetes-int-or-string` an integer-or-string
//! choice, and `apiVersion`, `kind` and `metadata` are always allowed at the root, as the
//! API server allows them. Strictness then follows the same rules as the bundled schemas
//! (`x-kubernetes-preserve-unknown-fields` keeps a node open).

use std::collections::HashMap;

use jsonschema::Validator;
use serde_json::{Map, Value as J, json};

use crate::diagnostic::{Diagnostic, Target, codes};
use crate::resource::Resource;
use crate::schema::{self, strict};

/// The schema of one served version of a custom resource.
pub struct Custom {
    /// `metadata.name` of the CRD that declares it, for messages.
    pub crd: String,
    /// The prepared JSON Schema (for did-you-mean suggestions).
    pub schema: J,
    /// `None` when the version declares no schema: anything goes.
    pub validator: Option<Validator>,
}

/// Custom resource schemas by (apiVersion, kind).
#[derive(Default)]
pub struct CustomSchemas {
    by_gvk: HashMap<(String, String), Custom>,
}

impl CustomSchemas {
    pub fn get(&self, api_version: &str, kind: &str) -> Option<&Custom> {
        self.by_gvk.get(&(api_version.to_owned(), kind.to_owned()))
    }

    pub fn len(&self) -> usize {
        self.by_gvk.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_gvk.is_empty()
    }

    /// Learns the schemas of every CRD among `resources`; a schema that does not
    /// compile is reported at the CRD.
    pub fn from_resources<'a>(
        resources: impl IntoIterator<Item = &'a Resource>,
        strict: bool,
    ) -> (CustomSchemas, Vec<Diagnostic>) {
        let mut out = CustomSchemas::default();
        let mut problems = Vec::new();
        for r in resources {
            if !is_crd(r) {
                continue;
            }
            let json = r.value.to_json();
            for found in versions(&json) {
                let mut prepared = found
                    .schema
                    .map(to_json_schema)
                    .unwrap_or_else(|| json!({}));
                strict::prepare(&mut prepared, strict);
                let validator = match found.schema {
                    None => None,
                    Some(_) => match schema::compile_custom(&prepared) {
                        Ok(v) => Some(v),
                        Err(e) => {
                            problems.push(
                                r.diagnostic(
                                    &codes::SCHEMA_INVALID,
                                    format!(
                                        "the schema of {} {} cannot be used: {e}",
                                        found.api_version, found.kind
                                    ),
                                    &found.pointer,
                                    Target::Key,
                                )
                                .help("objects of this kind are not validated until the schema is fixed"),
                            );
                            // Known kind, reported once here: its objects pass.
                            None
                        }
                    },
                };
                out.by_gvk.insert(
                    (found.api_version, found.kind),
                    Custom {
                        crd: r.name().unwrap_or_default().to_owned(),
                        schema: prepared,
                        validator,
                    },
                );
            }
        }
        (out, problems)
    }
}

fn is_crd(r: &Resource) -> bool {
    r.kind() == Some("CustomResourceDefinition")
        && matches!(
            r.api_version(),
            Some("apiextensions.k8s.io/v1" | "apiextensions.k8s.io/v1beta1")
        )
}

struct Found<'a> {
    api_version: String,
    kind: String,
    schema: Option<&'a J>,
    /// Pointer to the schema (or to the version entry when it has none).
    pointer: String,
}

/// The served versions of a CRD with their schemas.
fn versions(crd: &J) -> Vec<Found<'_>> {
    let spec = &crd["spec"];
    let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str()) else {
        return Vec::new();
    };
    // v1beta1: one schema for every version, unless a version has its own.
    let shared = spec["validation"]["openAPIV3Schema"]
        .as_object()
        .map(|_| &spec["validation"]["openAPIV3Schema"]);
    let mut out = Vec::new();
    match spec["versions"].as_array() {
        Some(list) if !list.is_empty() => {
            for (i, v) in list.iter().enumerate() {
                let Some(name) = v["name"].as_str() else {
                    continue;
                };
                if v["served"].as_bool() == Some(false) {
                    continue;
                }
                let own = v["schema"]["openAPIV3Schema"]
                    .as_object()
                    .map(|_| &v["schema"]["openAPIV3Schema"]);
                let pointer = match (own, shared) {
                    (Some(_), _) => format!("/spec/versions/{i}/schema/openAPIV3Schema"),
                    (None, Some(_)) => "/spec/validation/openAPIV3Schema".to_owned(),
                    (None, None) => format!("/spec/versions/{i}"),
                };
                out.push(Found {
                    api_version: format!("{group}/{name}"),
                    kind: kind.to_owned(),
                    schema: own.or(shared),
                    pointer,
                });
            }
        }
        _ => {
            if let Some(name) = spec["version"].as_str() {
                out.push(Found {
                    api_version: format!("{group}/{name}"),
                    kind: kind.to_owned(),
                    schema: shared,
                    pointer: "/spec/validation/openAPIV3Schema".to_owned(),
                });
            }
        }
    }
    out
}

/// Formats the API server checks on custom resources and that drydock checks the
/// same way; other formats (`duration`, which accepts days there, `regex`, ...) are
/// dropped rather than risk a false alarm.
const KEPT_FORMATS: &[&str] = &[
    "int32",
    "int64",
    "byte",
    "date-time",
    "date",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
    "uri",
];

/// An `openAPIV3Schema` as a draft-4 JSON Schema for a whole object.
fn to_json_schema(schema: &J) -> J {
    let mut s = schema.clone();
    convert(&mut s);
    if let J::Object(root) = &mut s {
        if let Some(J::Object(props)) = root.get_mut("properties") {
            props.insert("apiVersion".into(), json!({"type": "string"}));
            props.insert("kind".into(), json!({"type": "string"}));
            // The API server validates metadata as ObjectMeta; the CRD may only
            // constrain the name.
            let meta = props.entry("metadata").or_insert_with(|| json!({}));
            if let J::Object(m) = meta {
                m.insert("type".into(), json!("object"));
                m.insert("x-kubernetes-preserve-unknown-fields".into(), J::Bool(true));
            }
        }
    }
    s
}

fn convert(node: &mut J) {
    let J::Object(map) = node else { return };
    if map.get("x-kubernetes-int-or-string").and_then(J::as_bool) == Some(true) {
        map.remove("type");
        map.remove("format");
        if !map.contains_key("anyOf") && !map.contains_key("oneOf") {
            map.insert(
                "anyOf".into(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
        }
    }
    if let Some(f) = map.get("format").and_then(J::as_str)
        && !KEPT_FORMATS.contains(&f)
    {
        map.remove("format");
    }
    if map.remove("nullable").and_then(|n| n.as_bool()) == Some(true) {
        allow_null(map);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            convert(sub);
        }
    }
    for key in ["properties", "patternProperties"] {
        if let Some(J::Object(props)) = map.get_mut(key) {
            props.values_mut().for_each(convert);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(J::Array(list)) = map.get_mut(key) {
            list.iter_mut().for_each(convert);
        }
    }
}

fn allow_null(map: &mut Map<String, J>) {
    match map.get_mut("type") {
        Some(J::String(t)) => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(J::Array(ts)) if !ts.iter().any(|t| t == "null") => ts.push(json!("null")),
        _ => {}
    }
    if let Some(J::Array(options)) = map.get_mut("enum")
        && !options.iter().any(J::is_null)
    {
        options.push(J::Null);
    }
    if let Some(J::Array(options)) = map.get_mut("anyOf") {
        options.push(json!({"type": "null"}));
    }
}
