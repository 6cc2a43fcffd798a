//! Where strategic-merge keys come from: OpenAPI v2 definitions, walked the way
//! kyaml's `openapi` package walks them.
//!
//! A resource's schema is the definition whose `x-kubernetes-group-version-kind`
//! names its apiVersion and kind; a field's schema is found through
//! `properties` (or `additionalProperties`), a list element's through `items`,
//! and `$ref`s are followed to other definitions. A list merges element-wise
//! only when its schema's `x-kubernetes-patch-strategy` includes `merge`; its
//! keys are `x-kubernetes-list-map-keys` when present, else
//! `x-kubernetes-patch-merge-key`.
//!
//! kustomize v5.5.0 ships the Kubernetes v1.21.2 schema. The builtin document
//! here is that schema cut down to what the walker reads: every definition that
//! has a GVK or lies on a path to a field carrying a patch strategy, with the
//! other fields kept as empty schemas (they exist, but say nothing).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value as J;

/// The builtin definitions (Kubernetes v1.21.2, reduced; see the module docs).
const BUILTIN_JSON: &str = include_str!("builtin_schema.json");

/// `$ref` chains longer than this are treated as unresolvable (kyaml would loop).
const MAX_REF_HOPS: usize = 64;

/// OpenAPI definitions indexed for strategic merge: builtin Kubernetes v1.21.2,
/// or a user-supplied document that replaces them.
#[derive(Debug, Default)]
pub struct MergeSchema {
    definitions: HashMap<String, Schema>,
    /// `(apiVersion, kind)` → definition name.
    by_gvk: HashMap<(String, String), String>,
}

/// A schema document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

/// One schema node: only the parts the merge walker reads.
#[derive(Clone, Debug, Default)]
pub(crate) struct Schema {
    /// Target definition of a `#/definitions/<name>` reference.
    reference: Option<Ref>,
    /// `type` is exactly `array` (kyaml ignores `items` otherwise).
    is_array: bool,
    items: Option<Box<Schema>>,
    properties: HashMap<String, Schema>,
    additional: Option<Box<Schema>>,
    strategy: Option<String>,
    merge_key: Option<String>,
    map_keys: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
enum Ref {
    Definition(String),
    /// A reference kyaml cannot resolve against the definitions.
    Unresolvable,
}

static BUILTIN: LazyLock<MergeSchema> = LazyLock::new(|| {
    // The document is part of the crate and covered by a unit test; should it
    // ever fail to parse, merging degrades to "no merge keys" rather than panicking.
    serde_json::from_str::<J>(BUILTIN_JSON)
        .ok()
        .and_then(|doc| MergeSchema::from_json(&doc).ok())
        .unwrap_or_default()
});

impl MergeSchema {
    /// The builtin Kubernetes v1.21.2 schema, parsed once.
    pub fn builtin() -> &'static MergeSchema {
        &BUILTIN
    }

    /// A user-supplied schema (kustomize's `openapi: {path: ...}`): a document with
    /// `definitions`. It replaces the builtin schema entirely, so builtin kinds
    /// lose their merge keys unless the document defines them; this is what
    /// kustomize does when the field is set before any custom resource is
    /// loaded (see [`MergeSchema::with_openapi_and_builtin`] for the other case).
    pub fn with_openapi(doc: &crate::yaml::Value) -> Result<MergeSchema, SchemaError> {
        MergeSchema::from_json(&doc.to_json())
    }

    /// A user-supplied schema with the builtin definitions loaded after it (the
    /// builtin ones win where both define a name or a kind).
    ///
    /// kustomize ends up with this when the builtin schema's parsing was
    /// deferred before the custom schema was set: that happens when the
    /// namespace scope of a kind outside kyaml's precomputed table (any custom
    /// resource) was looked up first, typically because the `openapi:` field sits
    /// in a component or overlay whose resources were loaded earlier.
    pub fn with_openapi_and_builtin(doc: &crate::yaml::Value) -> Result<MergeSchema, SchemaError> {
        let mut s = MergeSchema::with_openapi(doc)?;
        let builtin = MergeSchema::builtin();
        for (name, def) in &builtin.definitions {
            s.definitions.insert(name.clone(), def.clone());
        }
        for (gvk, name) in &builtin.by_gvk {
            s.by_gvk.insert(gvk.clone(), name.clone());
        }
        Ok(s)
    }

    fn from_json(doc: &J) -> Result<MergeSchema, SchemaError> {
        let J::Object(root) = doc else {
            return Err(SchemaError(format!(
                "invalid schema file: the document is {}, not a mapping",
                json_type(doc)
            )));
        };
        let mut out = MergeSchema::default();
        let defs = match root.get("definitions") {
            None | Some(J::Null) => return Ok(out),
            Some(J::Object(defs)) => defs,
            Some(other) => {
                return Err(SchemaError(format!(
                    "invalid schema file: definitions is {}, not a mapping",
                    json_type(other)
                )));
            }
        };
        for (name, def) in defs {
            let schema = Schema::parse(def).map_err(|e| {
                SchemaError(format!("invalid schema file: definitions.{name}: {e}"))
            })?;
            out.definitions.insert(name.clone(), schema);
            let Some(J::Array(gvks)) = def.get("x-kubernetes-group-version-kind") else {
                continue;
            };
            for gvk in gvks {
                let field = |k: &str| gvk.get(k).and_then(J::as_str);
                let (Some(version), Some(kind)) = (field("version"), field("kind")) else {
                    continue;
                };
                let api_version = match field("group") {
                    Some(g) if !g.is_empty() => format!("{g}/{version}"),
                    _ => version.to_owned(),
                };
                out.by_gvk
                    .insert((api_version, kind.to_owned()), name.clone());
            }
        }
        Ok(out)
    }

    /// The schema of a resource type, if the document defines one.
    /// Whether the schema defines this resource type.
    pub fn knows_type(&self, api_version: &str, kind: &str) -> bool {
        self.for_type(api_version, kind).is_some()
    }

    pub(crate) fn for_type(&self, api_version: &str, kind: &str) -> Option<&Schema> {
        let name = self
            .by_gvk
            .get(&(api_version.to_owned(), kind.to_owned()))?;
        self.definitions.get(name)
    }

    /// The schema of field `name` of an object with schema `s`.
    pub(crate) fn field<'a>(&'a self, s: &'a Schema, name: &str) -> Option<&'a Schema> {
        let f = s.properties.get(name).or(s.additional.as_deref())?;
        self.resolve(f)
    }

    /// The schema of the elements of a list with schema `s`.
    pub(crate) fn elements<'a>(&'a self, s: &'a Schema) -> Option<&'a Schema> {
        if !s.is_array {
            return None;
        }
        self.resolve(s.items.as_deref()?)
    }

    /// Follows `$ref`s to the schema they name.
    fn resolve<'a>(&'a self, mut s: &'a Schema) -> Option<&'a Schema> {
        for _ in 0..MAX_REF_HOPS {
            match &s.reference {
                None => return Some(s),
                Some(Ref::Definition(name)) => s = self.definitions.get(name)?,
                Some(Ref::Unresolvable) => return None,
            }
        }
        None
    }

    /// Field names and list keys along `path` from a resource type's root
    /// (`[]` steps into list elements): for tests and diagnostics.
    pub fn merge_keys_at(
        &self,
        api_version: &str,
        kind: &str,
        path: &[&str],
    ) -> Option<(String, Vec<String>)> {
        let mut s = self.for_type(api_version, kind)?;
        for step in path {
            s = if *step == "[]" {
                self.elements(s)?
            } else {
                self.field(s, step)?
            };
        }
        let (strategy, keys) = s.strategy_and_keys();
        Some((
            strategy?.to_owned(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
        ))
    }
}

impl Schema {
    fn parse(v: &J) -> Result<Schema, String> {
        let J::Object(m) = v else {
            // kube-openapi rejects non-object schemas.
            return Err(format!("a schema must be a mapping, not {}", json_type(v)));
        };
        let mut s = Schema {
            reference: m.get("$ref").and_then(J::as_str).map(parse_ref),
            is_array: match m.get("type") {
                Some(J::String(t)) => t == "array",
                Some(J::Array(ts)) => ts.len() == 1 && ts[0].as_str() == Some("array"),
                _ => false,
            },
            strategy: m
                .get("x-kubernetes-patch-strategy")
                .and_then(J::as_str)
                .map(str::to_owned),
            merge_key: m
                .get("x-kubernetes-patch-merge-key")
                .and_then(J::as_str)
                .map(str::to_owned),
            map_keys: match m.get("x-kubernetes-list-map-keys") {
                Some(J::Array(ks)) => ks.iter().map(|k| k.as_str().map(str::to_owned)).collect(),
                _ => None,
            },
            ..Schema::default()
        };
        // A tuple-form `items` (a list of schemas) gives no element schema.
        if let Some(items @ J::Object(_)) = m.get("items") {
            s.items = Some(Box::new(Schema::parse(items)?));
        }
        if let Some(ap @ J::Object(_)) = m.get("additionalProperties") {
            s.additional = Some(Box::new(Schema::parse(ap)?));
        }
        match m.get("properties") {
            Some(J::Object(props)) => {
                for (k, p) in props {
                    let ps = Schema::parse(p).map_err(|e| format!("properties.{k}: {e}"))?;
                    s.properties.insert(k.clone(), ps);
                }
            }
            None | Some(J::Null) => {}
            Some(other) => {
                return Err(format!("properties is {}, not a mapping", json_type(other)));
            }
        }
        Ok(s)
    }

    /// `x-kubernetes-patch-strategy` and the merge keys: the list-map keys when
    /// given, else the single merge key, else none (a list of scalars).
    pub(crate) fn strategy_and_keys(&self) -> (Option<&str>, Vec<&str>) {
        let Some(strategy) = self.strategy.as_deref() else {
            return (None, Vec::new());
        };
        let keys = match (&self.map_keys, &self.merge_key) {
            (Some(ks), _) => ks.iter().map(String::as_str).collect(),
            (None, Some(k)) => vec![k.as_str()],
            (None, None) => Vec::new(),
        };
        (Some(strategy), keys)
    }

    /// Whether lists with this schema merge element-wise (strategy includes `merge`).
    pub(crate) fn has_merge_strategy(&self) -> bool {
        self.strategy
            .as_deref()
            .is_some_and(|s| s.split(',').any(|p| p == "merge"))
    }
}

fn parse_ref(r: &str) -> Ref {
    match r.strip_prefix("#/definitions/") {
        Some(name) if !name.contains('/') => {
            Ref::Definition(name.replace("~1", "/").replace("~0", "~"))
        }
        _ => Ref::Unresolvable,
    }
}

fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{LoadOptions, parse, resolve::Dialect};

    fn keys(s: &MergeSchema, av: &str, kind: &str, path: &[&str]) -> Option<(String, Vec<String>)> {
        s.merge_keys_at(av, kind, path)
    }

    fn owned(strategy: &str, keys: &[&str]) -> Option<(String, Vec<String>)> {
        Some((
            strategy.to_owned(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
        ))
    }

    #[test]
    fn builtin_document_parses_and_indexes_kinds() {
        let doc: J = serde_json::from_str(BUILTIN_JSON).unwrap_or(J::Null);
        let s = MergeSchema::from_json(&doc);
        assert!(s.is_ok(), "{s:?}");
        let b = MergeSchema::builtin();
        assert!(b.by_gvk.len() > 150, "{}", b.by_gvk.len());
        for (av, kind) in [
            ("v1", "Pod"),
            ("v1", "PodTemplate"),
            ("v1", "ReplicationController"),
            ("apps/v1", "Deployment"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("apps/v1", "ReplicaSet"),
            ("batch/v1", "Job"),
            ("batch/v1", "CronJob"),
            ("batch/v1beta1", "CronJob"),
            ("v1", "Service"),
            ("v1", "ServiceAccount"),
            (
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
            ),
            (
                "admissionregistration.k8s.io/v1beta1",
                "ValidatingWebhookConfiguration",
            ),
            ("storage.k8s.io/v1", "CSINode"),
            ("v1", "Node"),
            ("v1", "Namespace"),
            ("v1", "PersistentVolumeClaim"),
            ("policy/v1", "PodDisruptionBudget"),
            ("policy/v1beta1", "PodDisruptionBudget"),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("v1", "ComponentStatus"),
            ("v1", "ConfigMap"),
        ] {
            assert!(b.for_type(av, kind).is_some(), "{av} {kind}");
        }
    }

    #[test]
    fn builtin_merge_keys_follow_v1_21() {
        let b = MergeSchema::builtin();
        fn at<'a>(rest: &[&'a str]) -> Vec<&'a str> {
            ["spec", "template", "spec"]
                .iter()
                .chain(rest)
                .copied()
                .collect()
        }
        assert_eq!(
            keys(b, "apps/v1", "Deployment", &at(&["containers"])),
            owned("merge", &["name"])
        );
        assert_eq!(
            keys(
                b,
                "apps/v1",
                "Deployment",
                &at(&["containers", "[]", "ports"])
            ),
            owned("merge", &["containerPort", "protocol"])
        );
        assert_eq!(
            keys(
                b,
                "apps/v1",
                "Deployment",
                &at(&["containers", "[]", "volumeMounts"])
            ),
            owned("merge", &["mountPath"])
        );
        assert_eq!(
            keys(b, "apps/v1", "Deployment", &at(&["volumes"])),
            owned("merge,retainKeys", &["name"])
        );
        assert_eq!(
            keys(
                b,
                "batch/v1beta1",
                "CronJob",
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "initContainers"
                ]
            ),
            owned("merge", &["name"])
        );
        assert_eq!(
            keys(b, "v1", "Service", &["spec", "ports"]),
            owned("merge", &["port", "protocol"])
        );
        assert_eq!(
            keys(b, "v1", "ConfigMap", &["metadata", "finalizers"]),
            owned("merge", &[])
        );
        assert_eq!(
            keys(b, "v1", "ConfigMap", &["metadata", "ownerReferences"]),
            owned("merge", &["uid"])
        );
        // A `$ref` with extensions resolves to its target: kyaml never sees this retainKeys.
        assert_eq!(
            keys(b, "apps/v1", "Deployment", &["spec", "strategy"]),
            None
        );
        // Lists without a strategy have a schema but no keys.
        assert_eq!(
            keys(b, "apps/v1", "Deployment", &at(&["tolerations"])),
            None
        );
        assert!(b.for_type("example.com/v1", "Thing").is_none());
    }

    #[test]
    fn user_documents_replace_the_builtin_schema() {
        let text = r##"
definitions:
  com.example.v1.Foo:
    type: object
    x-kubernetes-group-version-kind:
    - {group: example.com, version: v1, kind: Foo}
    properties:
      spec: {$ref: "#/definitions/com.example.v1.FooSpec"}
  com.example.v1.FooSpec:
    properties:
      items:
        type: array
        items: {type: object}
        x-kubernetes-patch-merge-key: name
        x-kubernetes-patch-strategy: merge
      byName:
        additionalProperties: {$ref: "#/definitions/com.example.v1.FooSpec"}
      loop: {$ref: "#/definitions/loop"}
  loop: {$ref: "#/definitions/loop"}
"##;
        let opts = LoadOptions {
            dialect: Dialect::Kustomize,
            ..Default::default()
        };
        let parsed = parse(FileId(0), text, &opts);
        let doc = parsed
            .docs
            .first()
            .map(|d| d.value.clone())
            .unwrap_or_default();
        let s = MergeSchema::with_openapi(&doc);
        assert!(s.is_ok(), "{s:?}");
        let Ok(s) = s else { return };
        assert_eq!(
            keys(&s, "example.com/v1", "Foo", &["spec", "items"]),
            owned("merge", &["name"])
        );
        assert_eq!(
            keys(
                &s,
                "example.com/v1",
                "Foo",
                &["spec", "byName", "x", "items"]
            ),
            owned("merge", &["name"])
        );
        assert_eq!(keys(&s, "example.com/v1", "Foo", &["spec", "loop"]), None);
        assert!(s.for_type("apps/v1", "Deployment").is_none());

        let both = MergeSchema::with_openapi_and_builtin(&doc);
        assert!(
            both.as_ref()
                .is_ok_and(|b| b.for_type("apps/v1", "Deployment").is_some()
                    && keys(b, "example.com/v1", "Foo", &["spec", "items"])
                        == owned("merge", &["name"]))
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(MergeSchema::from_json(&J::Null).is_err());
        let bad: J = serde_json::json!({"definitions": {"a": 5}});
        assert!(MergeSchema::from_json(&bad).is_err());
        let empty: J = serde_json::json!({"swagger": "2.0"});
        assert!(MergeSchema::from_json(&empty).is_ok_and(|s| s.definitions.is_empty()));
    }
}
