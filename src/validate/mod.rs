//! Schema validation: every object against the Kubernetes API schema of the
//! target version, as the API server would judge it.
//!
//! Errors carry the JSON pointer of the offending field; the span is resolved
//! at report time. Unknown fields point at the key and suggest the closest
//! field the schema allows; removed API versions name their replacement.

mod api_rules;
mod crd;
pub mod stream;

use rayon::prelude::*;
use serde_json::Value as J;

pub use crd::CustomSchemas;

use crate::diagnostic::{Diagnostic, Target, codes};
use crate::pipeline::{Context, Stage, StageOutput};
use crate::resource::Resource;
use crate::schema::{self, Version, VersionSchemas};

/// The validation stage.
pub struct Validate {
    pub version: Version,
    /// Unknown fields are errors (the default, as `kubectl apply` does).
    pub strict: bool,
    /// A kind without a schema is skipped instead of reported.
    pub ignore_missing_schemas: bool,
    /// Kinds not validated at all (`--skip`).
    pub skip: Vec<KindPattern>,
    /// Kinds that are errors wherever they appear (`--reject`).
    pub reject: Vec<KindPattern>,
    /// Custom resource schemas from outside the inputs (`--crd`); CRDs among the
    /// inputs take precedence.
    pub crds: CustomSchemas,
}

impl Default for Validate {
    fn default() -> Self {
        Validate {
            version: Version::latest(),
            strict: true,
            ignore_missing_schemas: false,
            skip: Vec::new(),
            reject: Vec::new(),
            crds: CustomSchemas::default(),
        }
    }
}

/// `Kind` or `apiVersion/Kind`, as kubeconform's `-skip` and `-reject` take them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindPattern {
    pub api_version: Option<String>,
    pub kind: String,
}

impl KindPattern {
    /// Parses one pattern; `apps/v1/Deployment`, `v1/Pod` and `Pod` are all accepted.
    pub fn parse(s: &str) -> Result<KindPattern, String> {
        let s = s.trim();
        let (api, kind) = match s.rsplit_once('/') {
            Some((api, kind)) => (Some(api.to_owned()), kind),
            None => (None, s),
        };
        if kind.is_empty() || api.as_deref() == Some("") {
            return Err(format!(
                "`{s}` is not a kind: use Kind or apiVersion/Kind, e.g. Deployment or apps/v1/Deployment"
            ));
        }
        Ok(KindPattern {
            api_version: api,
            kind: kind.to_owned(),
        })
    }

    fn matches(&self, api_version: &str, kind: &str) -> bool {
        self.kind == kind && self.api_version.as_deref().is_none_or(|a| a == api_version)
    }
}

impl Stage for Validate {
    fn name(&self) -> &'static str {
        "validate"
    }

    fn run(&self, resources: Vec<Resource>, _cx: &Context<'_>) -> StageOutput {
        let schemas = schema::schemas(self.version);
        let (custom, mut problems) = CustomSchemas::from_resources(&resources, self.strict);
        let diagnostics: Vec<Vec<Diagnostic>> = resources
            .par_iter()
            .map(|r| self.validate(schemas, &custom, r))
            .collect();
        problems.extend(diagnostics.into_iter().flatten());
        StageOutput {
            resources,
            diagnostics: problems,
        }
    }
}

impl Validate {
    fn validate(
        &self,
        s: &VersionSchemas,
        custom: &CustomSchemas,
        r: &Resource,
    ) -> Vec<Diagnostic> {
        // Objects without an apiVersion or kind were reported when loaded.
        let (Some(api), Some(kind)) = (r.api_version(), r.kind()) else {
            return Vec::new();
        };
        if self.skip.iter().any(|p| p.matches(api, kind)) {
            return Vec::new();
        }
        if self.reject.iter().any(|p| p.matches(api, kind)) {
            return vec![
                r.diagnostic(
                    &codes::KIND_REJECTED,
                    format!("prohibited resource kind {kind}"),
                    "/kind",
                    Target::Value,
                )
                .help(format!("{api} {kind} is rejected by --reject")),
            ];
        }
        if let Some(found) = custom.get(api, kind).or_else(|| self.crds.get(api, kind)) {
            let mut out = validate_custom(s, r, found);
            out.extend(api_rules::check(r, api, kind));
            return out;
        }
        let version = s.version();
        if let Some(gone) = schema::removed(api, kind, version) {
            let mut d = r.diagnostic(
                &codes::API_REMOVED,
                format!("{api} {kind} was removed in Kubernetes {}", gone.removed_in),
                "/apiVersion",
                Target::Value,
            );
            d = match &gone.replacement {
                Some(new) => d.help(format!("use apiVersion: {new}")),
                None => d.help(format!("Kubernetes {version} has no replacement for it")),
            };
            return vec![d];
        }
        let mut out = Vec::new();
        if let Some(old) = schema::deprecated(api, kind, version) {
            let mut d = r.diagnostic(
                &codes::API_DEPRECATED,
                format!("{api} {kind} is deprecated in Kubernetes {version}"),
                "/apiVersion",
                Target::Value,
            );
            if let Some(new) = &old.replacement {
                d = d.help(format!("use apiVersion: {new}"));
            }
            out.push(d);
        }
        let (found, substitute) = match s.gvk(api, kind) {
            Some(found) => (found, false),
            None => {
                out.extend(self.no_schema(s, r, api, kind));
                // A kind served at another apiVersion (a group typo such as
                // `rabc.authorization.k8s.io`) is still checked against the served
                // schema, so the mistakes inside are reported in the same run.
                let served = s.api_versions_of(kind);
                match served.last().and_then(|a| s.gvk(a, kind)) {
                    Some(found) => (found, true),
                    None => return out,
                }
            }
        };
        let validator = match s.validator(found, self.strict) {
            Ok(v) => v,
            Err(e) => {
                out.push(r.diagnostic(&codes::SCHEMA_INVALID, e, "", Target::Value));
                return out;
            }
        };
        let json = r.value.to_json();
        let root = s.definition(&found.definition);
        let secret = kind == "Secret";
        for e in validator.iter_errors(&json) {
            if substitute && e.instance_path().as_str() == "/apiVersion" {
                continue;
            }
            out.extend(describe(s, root, r, &json, &e, secret));
        }
        out.extend(api_rules::check(r, &found.api_version, kind));
        out
    }

    /// A kind the version has no schema for: served at another apiVersion, a
    /// misspelt kind, or a custom resource.
    fn no_schema(
        &self,
        s: &VersionSchemas,
        r: &Resource,
        api: &str,
        kind: &str,
    ) -> Option<Diagnostic> {
        let served = s.api_versions_of(kind);
        if !served.is_empty() {
            return Some(
                r.diagnostic(
                    &codes::API_VERSION_UNKNOWN,
                    format!(
                        "Kubernetes {} does not serve {kind} at {api}; it serves it at {}",
                        s.version(),
                        served.join(", ")
                    ),
                    "/apiVersion",
                    Target::Value,
                )
                .help(format!("use apiVersion: {}", served[served.len() - 1])),
            );
        }
        if self.ignore_missing_schemas {
            return None;
        }
        let mut d = r.diagnostic(
            &codes::SCHEMA_MISSING,
            format!("no schema for {api} {kind} in Kubernetes {}", s.version()),
            "/kind",
            Target::Value,
        );
        let builtin_group = !api.contains('.') || api.contains(".k8s.io/");
        let close = crate::suggest::closest(kind, s.kinds().iter().map(String::as_str));
        d = match close {
            Some(k) if builtin_group || k.eq_ignore_ascii_case(kind) => {
                d.help(format!("did you mean kind: {k}?"))
            }
            _ => d.help(
                "a custom resource: add its CustomResourceDefinition to the inputs or pass it with --crd, or use --ignore-missing-schemas",
            ),
        };
        Some(d)
    }
}

fn validate_custom(s: &VersionSchemas, r: &Resource, found: &crd::Custom) -> Vec<Diagnostic> {
    let Some(validator) = &found.validator else {
        return Vec::new();
    };
    let json = r.value.to_json();
    validator
        .iter_errors(&json)
        .flat_map(|e| describe(s, Some(&found.schema), r, &json, &e, false))
        .collect()
}

/// Turns one schema violation into a diagnostic.
fn describe(
    s: &VersionSchemas,
    root: Option<&J>,
    r: &Resource,
    json: &J,
    e: &jsonschema::ValidationError<'_>,
    secret: bool,
) -> Vec<Diagnostic> {
    use jsonschema::error::ValidationErrorKind as K;
    let pointer = e.instance_path().as_str().to_owned();
    let path = dotted(&pointer);
    let at =
        |code, message: String, pointer: &str, target| r.diagnostic(code, message, pointer, target);
    match e.kind() {
        K::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let mut field = pointer.clone();
                crate::pointer::push(&mut field, key);
                let mut d = at(
                    &codes::SCHEMA_UNKNOWN_FIELD,
                    format!("unknown field `{}`", dotted(&field)),
                    &field,
                    Target::Key,
                );
                let allowed = properties_at(s, root, &pointer);
                let close = crate::suggest::closest(key, allowed.iter().map(String::as_str));
                if let Some(k) = close {
                    d = d.help(format!("did you mean `{k}`?"));
                }
                d
            })
            .collect(),
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let where_ = if path.is_empty() {
                String::from("the object")
            } else {
                format!("`{path}`")
            };
            vec![at(
                &codes::SCHEMA_REQUIRED,
                format!("missing required field `{name}` in {where_}"),
                &pointer,
                Target::Key,
            )]
        }
        K::Type { kind } => {
            let actual = json.pointer(&pointer).map(json_type).unwrap_or("nothing");
            vec![at(
                &codes::SCHEMA_TYPE,
                format!("`{path}` must be {}, not {actual}", expected_type(kind)),
                &pointer,
                Target::Value,
            )]
        }
        K::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        // null and "" only stand for "let the server default it".
                        .filter(|v| !v.is_null() && v.as_str() != Some(""))
                        .map(|v| match v {
                            J::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let value = json
                .pointer(&pointer)
                .and_then(J::as_str)
                .filter(|_| !secret);
            let message = match value {
                Some(v) => format!(
                    "`{path}` is `{v}`, which is not one of {}",
                    allowed.join(", ")
                ),
                None => format!("`{path}` must be one of {}", allowed.join(", ")),
            };
            let mut d = at(&codes::SCHEMA_ENUM, message, &pointer, Target::Value);
            if let Some(v) = value {
                let close = crate::suggest::closest(v, allowed.iter().map(String::as_str));
                if let Some(c) = close {
                    d = d.help(format!("did you mean `{c}`?"));
                }
            }
            vec![d]
        }
        K::Format { format } => {
            let message = match e.instance().as_str().and_then(|v| {
                (format == "byte").then(|| crate::schema::formats::base64_error(v))?
            }) {
                // The API server's own words, with the offset its decoder stops at.
                Some(offset) => format!(
                    "`{path}` is not valid base64: illegal base64 data at input byte {offset}"
                ),
                None => format!("`{path}` is not a valid {format}"),
            };
            vec![
                at(&codes::SCHEMA_FORMAT, message, &pointer, Target::Value)
                    .help(format_help(format)),
            ]
        }
        _ => vec![at(
            &codes::SCHEMA_INVALID,
            format!("`{path}`: {}", e.masked()),
            &pointer,
            Target::Value,
        )],
    }
}

fn format_help(format: &str) -> &'static str {
    match format {
        "quantity" => "a quantity is a number with an optional suffix: 500m, 1.5, 128Mi, 1G",
        "byte" => "Secret data is base64: encode it, or move it to stringData",
        "date-time" => "use RFC 3339, e.g. 2024-01-31T12:00:00Z",
        "duration" => "use a Go duration such as 90s, 5m or 1h30m",
        _ => "see the API reference for the expected format",
    }
}

fn expected_type(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::error::TypeKind;
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_owned(),
        "array" => "a list".to_owned(),
        "string" => "a string".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "a boolean".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set
                .iter()
                .filter(|t| t.to_string() != "null")
                .map(|t| name(&t))
                .collect();
            names.join(" or ")
        }
    }
}

fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a mapping",
    }
}

/// `/spec/containers/0/image` as `spec.containers[0].image`.
pub(crate) fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// The property names the schema allows at an instance pointer, for
/// suggestions.
fn properties_at(s: &VersionSchemas, root: Option<&J>, pointer: &str) -> Vec<String> {
    let mut node = match root {
        Some(n) => n,
        None => return Vec::new(),
    };
    for seg in pointer.split('/').skip(1) {
        node = deref(s, node);
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let next = if let Some(p) = node.get("properties").and_then(|p| p.get(&seg)) {
            Some(p)
        } else if node.get("items").is_some() && seg.bytes().all(|b| b.is_ascii_digit()) {
            node.get("items")
        } else {
            node.get("additionalProperties").filter(|a| a.is_object())
        };
        match next {
            Some(n) => node = n,
            None => return Vec::new(),
        }
    }
    deref(s, node)
        .get("properties")
        .and_then(J::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn deref<'a>(s: &'a VersionSchemas, mut node: &'a J) -> &'a J {
    // Definitions refer to each other by `#/$defs/<name>`; a few hops at most.
    for _ in 0..8 {
        let Some(name) = node
            .get("$ref")
            .and_then(J::as_str)
            .and_then(|r| r.rsplit('/').next())
        else {
            break;
        };
        match s.definition(name) {
            Some(def) => node = def,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests;
