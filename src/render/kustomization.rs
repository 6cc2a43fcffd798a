//! The kustomization file: its fields, strict decoding, and kustomize's
//! fix-ups for deprecated fields.
//!
//! kustomize reads this file with go-yaml v2 into JSON and decodes it with
//! unknown fields disallowed, so `commonLabels: {a: yes}` is an error (a
//! boolean where a string is expected) and a misspelt key fails the build
//! with `invalid Kustomization: json: unknown field "x"`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::fieldspec::FieldSpec;
use crate::yaml::Value;

pub const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
pub const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";
pub const KUSTOMIZATION_KIND: &str = "Kustomization";
pub const COMPONENT_KIND: &str = "Component";

/// The file names a kustomization may have, in the order they are tried.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

type StringMap = BTreeMap<String, String>;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kustomization {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    pub metadata: Option<ObjectMeta>,
    #[serde(rename = "openapi")]
    pub open_api: Option<StringMap>,
    #[serde(default)]
    pub name_prefix: String,
    #[serde(default)]
    pub name_suffix: String,
    #[serde(default)]
    pub namespace: String,
    pub common_labels: Option<StringMap>,
    #[serde(default)]
    pub labels: Vec<Label>,
    pub common_annotations: Option<StringMap>,
    pub patches_strategic_merge: Option<Vec<String>>,
    #[serde(rename = "patchesJson6902")]
    pub patches_json6902: Option<Vec<Patch>>,
    #[serde(default)]
    pub patches: Vec<Patch>,
    #[serde(default)]
    pub images: Vec<Image>,
    pub image_tags: Option<Vec<Image>>,
    #[serde(default)]
    pub replacements: Vec<ReplacementField>,
    #[serde(default)]
    pub replicas: Vec<Replica>,
    pub vars: Option<Vec<Var>>,
    pub sort_options: Option<SortOptions>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub crds: Vec<String>,
    pub bases: Option<Vec<String>>,
    #[serde(default)]
    pub config_map_generator: Vec<GeneratorArgs>,
    #[serde(default)]
    pub secret_generator: Vec<GeneratorArgs>,
    pub helm_globals: Option<serde_json::Value>,
    pub helm_charts: Option<serde_json::Value>,
    pub helm_chart_inflation_generator: Option<serde_json::Value>,
    pub generator_options: Option<GeneratorOptions>,
    #[serde(default)]
    pub configurations: Vec<String>,
    #[serde(default)]
    pub generators: Vec<String>,
    #[serde(default)]
    pub transformers: Vec<String>,
    #[serde(default)]
    pub validators: Vec<String>,
    #[serde(default)]
    pub build_metadata: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub labels: StringMap,
    #[serde(default)]
    pub annotations: StringMap,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Label {
    #[serde(default)]
    pub pairs: StringMap,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

/// A target selector: regular expressions on group/version/kind/name/namespace
/// plus label and annotation selectors.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub label_selector: String,
    #[serde(default)]
    pub annotation_selector: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub patch: String,
    pub target: Option<Selector>,
    #[serde(default)]
    pub options: BTreeMap<String, bool>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Image {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub new_name: String,
    #[serde(default)]
    pub new_tag: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub tag_suffix: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub count: i64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GeneratorOptions {
    #[serde(default)]
    pub labels: StringMap,
    #[serde(default)]
    pub annotations: StringMap,
    #[serde(default)]
    pub disable_name_suffix_hash: bool,
    #[serde(default)]
    pub immutable: bool,
}

/// `configMapGenerator` and `secretGenerator` entries (`type` is for Secrets).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GeneratorArgs {
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub behavior: String,
    #[serde(default)]
    pub literals: Vec<String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub envs: Vec<String>,
    #[serde(default)]
    pub env: String,
    pub options: Option<GeneratorOptions>,
    #[serde(default, rename = "type")]
    pub kind: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Var {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub objref: VarTarget,
    #[serde(default)]
    pub fieldref: FieldSelector,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VarTarget {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldSelector {
    #[serde(default)]
    pub field_path: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SortOptions {
    #[serde(default)]
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LegacySortOptions {
    #[serde(default)]
    pub order_first: Vec<String>,
    #[serde(default)]
    pub order_last: Vec<String>,
}

/// A `replacements` entry: inline, or a file holding replacements.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplacementField {
    #[serde(default)]
    pub path: String,
    pub source: Option<ReplacementSource>,
    pub source_value: Option<String>,
    #[serde(default)]
    pub targets: Vec<ReplacementTarget>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplacementSource {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplacementTarget {
    pub select: Option<Selector>,
    #[serde(default)]
    pub reject: Vec<Selector>,
    #[serde(default)]
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldOptions {
    #[serde(default)]
    pub delimiter: String,
    #[serde(default)]
    pub index: i64,
    #[serde(default)]
    pub encoding: String,
    #[serde(default)]
    pub create: bool,
}

/// A decoding failure: kustomize's message and the JSON pointer of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    pub pointer: String,
}

/// Decodes a value strictly into `T`, with kustomize's wording for the errors.
///
/// Go's JSON decoder matches field names case-insensitively when there is no
/// exact match, so a key that serde rejects but that differs from a known
/// field only in case is renamed and decoding is tried again.
pub fn decode<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, DecodeError> {
    let mut json = value.to_json();
    for _ in 0..256 {
        let result: Result<T, _> = serde_path_to_error::deserialize(json.clone());
        let e = match result {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let mut segments = Vec::new();
        let mut pointer = String::new();
        for seg in e.path().iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => {
                    crate::pointer::push_index(&mut pointer, *index);
                    segments.push(serde_json::Value::from(*index));
                }
                serde_path_to_error::Segment::Map { key } => {
                    crate::pointer::push(&mut pointer, key);
                    segments.push(serde_json::Value::from(key.as_str()));
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    crate::pointer::push(&mut pointer, variant)
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        let inner = e.inner().to_string();
        let Some(rest) = inner.strip_prefix("unknown field `") else {
            return Err(DecodeError {
                message: format!(
                    "invalid {what}: json: {}",
                    go_type_error(&inner, &pointer, what)
                ),
                pointer,
            });
        };
        // serde_path_to_error's path already ends at the unknown key.
        let field = rest.split('`').next().unwrap_or_default().to_owned();
        let expected: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let renamed = expected
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&field))
            .is_some_and(|known| rename_key(&mut json, &segments, known));
        if !renamed {
            return Err(DecodeError {
                message: format!("invalid {what}: json: unknown field \"{field}\""),
                pointer,
            });
        }
    }
    Err(DecodeError {
        message: format!("invalid {what}: too many fields"),
        pointer: String::new(),
    })
}

/// Renames the key at the end of `path` to `to`.
fn rename_key(json: &mut serde_json::Value, path: &[serde_json::Value], to: &str) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = json;
    for seg in parents {
        cur = match (cur, seg) {
            (serde_json::Value::Object(m), serde_json::Value::String(k)) => match m.get_mut(k) {
                Some(v) => v,
                None => return false,
            },
            (serde_json::Value::Array(a), serde_json::Value::Number(n)) => {
                match n.as_u64().and_then(|i| a.get_mut(i as usize)) {
                    Some(v) => v,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    let (serde_json::Value::Object(m), serde_json::Value::String(k)) = (cur, last) else {
        return false;
    };
    match m.shift_remove(k.as_str()) {
        Some(v) => {
            m.insert(to.to_owned(), v);
            true
        }
        None => false,
    }
}

/// serde's "invalid type: integer `1`, expected a string" in Go's words:
/// `cannot unmarshal number into Go struct field Label.labels.pairs of type
/// string` names the innermost struct, the field path without indexes or map
/// keys, and the Go type of the value being decoded.
fn go_type_error(serde_msg: &str, pointer: &str, what: &str) -> String {
    let Some(rest) = serde_msg.strip_prefix("invalid type: ") else {
        return serde_msg.to_owned();
    };
    let found = rest.split([' ', ',']).next().unwrap_or("value");
    let mut go = match found {
        "integer" | "floating" => "number",
        "boolean" => "bool",
        "string" => "string",
        "map" => "object",
        "sequence" => "array",
        "null" | "unit" => "null",
        other => other,
    }
    .to_owned();
    let expected = rest.split("expected ").nth(1).unwrap_or("another type");
    let segments: Vec<String> = crate::pointer::segments(pointer)
        .map(|s| s.into_owned())
        .collect();
    let (strukt, field, ty) = go_field_path(what, &segments).unwrap_or_else(|| {
        // Outside the known types Go names the top-level field.
        let field = segments.first().cloned().unwrap_or_default();
        (what.to_owned(), field, go_expected(expected).to_owned())
    });
    // A number that does not fit an integer type is quoted: "number 1.5".
    if found == "floating" && ty.starts_with("int") {
        if let Some(lit) = rest.split('`').nth(1) {
            go = format!("number {lit}");
        }
    }
    format!("cannot unmarshal {go} into Go struct field {strukt}.{field} of type {ty}")
}

/// `(struct, dotted field path, Go type)` for the value at `segments` of a
/// kustomize type, or `None` where the type is not known here.
fn go_field_path(root: &str, segments: &[String]) -> Option<(String, String, String)> {
    let mut cur = format!("types.{root}");
    let mut strukt = root.to_owned();
    let mut path: Vec<&str> = Vec::new();
    for seg in segments {
        // Go decodes through pointers and reports the pointed-to type.
        let t = cur.trim_start_matches('*').to_owned();
        if let Some(elem) = t.strip_prefix("[]") {
            cur = elem.to_owned();
        } else if let Some(elem) = t.strip_prefix("map[string]") {
            cur = elem.to_owned();
        } else if let Some(name) = t.strip_prefix("types.") {
            cur = go_struct_field(name, seg)?.to_owned();
            name.clone_into(&mut strukt);
            path.push(seg);
        } else {
            return None;
        }
    }
    if path.is_empty() {
        return None;
    }
    Some((
        strukt,
        path.join("."),
        cur.trim_start_matches('*').to_owned(),
    ))
}

/// The Go type of each field of kustomize's configuration types (v5.5.0).
fn go_struct_field(strukt: &str, field: &str) -> Option<&'static str> {
    const STRINGS: &str = "[]string";
    const STRING_MAP: &str = "map[string]string";
    Some(match (strukt, field) {
        ("Kustomization", "apiVersion" | "kind" | "namePrefix" | "nameSuffix" | "namespace") => {
            "string"
        }
        ("Kustomization", "metadata") => "*types.ObjectMeta",
        ("Kustomization", "openapi" | "commonLabels" | "commonAnnotations") => STRING_MAP,
        ("Kustomization", "labels") => "[]types.Label",
        ("Kustomization", "patchesStrategicMerge") => "[]types.PatchStrategicMerge",
        ("Kustomization", "patchesJson6902" | "patches") => "[]types.Patch",
        ("Kustomization", "images" | "imageTags") => "[]types.Image",
        ("Kustomization", "replacements") => "[]types.ReplacementField",
        ("Kustomization", "replicas") => "[]types.Replica",
        ("Kustomization", "vars") => "[]types.Var",
        ("Kustomization", "sortOptions") => "*types.SortOptions",
        (
            "Kustomization",
            "resources" | "components" | "crds" | "bases" | "configurations" | "generators"
            | "transformers" | "validators" | "buildMetadata",
        ) => STRINGS,
        ("Kustomization", "configMapGenerator") => "[]types.ConfigMapArgs",
        ("Kustomization", "secretGenerator") => "[]types.SecretArgs",
        ("Kustomization", "generatorOptions") => "*types.GeneratorOptions",
        ("ObjectMeta", "name" | "namespace") => "string",
        ("ObjectMeta" | "GeneratorOptions", "labels" | "annotations") => STRING_MAP,
        ("Label", "pairs") => STRING_MAP,
        ("Label", "includeSelectors" | "includeTemplates") => "bool",
        ("Label", "fields") => "[]types.FieldSpec",
        ("FieldSpec", "group" | "version" | "kind" | "path") => "string",
        ("FieldSpec", "create") => "bool",
        ("Patch", "path" | "patch") => "string",
        ("Patch", "target") => "*types.Selector",
        ("Patch", "options") => "map[string]bool",
        (
            "Selector",
            "group" | "version" | "kind" | "name" | "namespace" | "annotationSelector"
            | "labelSelector",
        ) => "string",
        ("Image", "name" | "newName" | "newTag" | "digest" | "tagSuffix") => "string",
        ("Replica", "name") => "string",
        ("Replica", "count") => "int64",
        ("ConfigMapArgs" | "SecretArgs", "namespace" | "name" | "behavior" | "env") => "string",
        ("ConfigMapArgs" | "SecretArgs", "literals" | "files" | "envs") => STRINGS,
        ("ConfigMapArgs" | "SecretArgs", "options") => "*types.GeneratorOptions",
        ("SecretArgs", "type") => "string",
        ("GeneratorOptions", "disableNameSuffixHash" | "immutable") => "bool",
        ("ReplacementField", "path") => "string",
        ("ReplacementField", "source") => "*types.SourceSelector",
        ("ReplacementField", "targets") => "[]*types.TargetSelector",
        ("SourceSelector", "group" | "version" | "kind" | "name" | "namespace" | "fieldPath") => {
            "string"
        }
        ("SourceSelector" | "TargetSelector", "options") => "*types.FieldOptions",
        ("TargetSelector", "select") => "*types.Selector",
        ("TargetSelector", "reject") => "[]*types.Selector",
        ("TargetSelector", "fieldPaths") => STRINGS,
        ("FieldOptions", "delimiter" | "encoding") => "string",
        ("FieldOptions", "index") => "int",
        ("FieldOptions", "create") => "bool",
        ("Var", "name") => "string",
        ("Var", "objref") => "types.Target",
        ("Var", "fieldref") => "types.FieldSelector",
        ("Target", "apiVersion" | "group" | "version" | "kind" | "name" | "namespace") => "string",
        ("FieldSelector", "fieldPath") => "string",
        ("SortOptions", "order") => "types.SortOrder",
        ("SortOptions", "legacySortOptions") => "*types.LegacySortOptions",
        ("LegacySortOptions", "orderFirst" | "orderLast") => STRINGS,
        _ => return None,
    })
}

fn go_expected(serde_expected: &str) -> &'static str {
    if serde_expected.contains("string") {
        "string"
    } else if serde_expected.contains("bool") {
        "bool"
    } else if serde_expected.contains("i64") || serde_expected.contains("integer") {
        "int64"
    } else if serde_expected.contains("map") || serde_expected.contains("struct") {
        "object"
    } else if serde_expected.contains("sequence") {
        "array"
    } else {
        "value"
    }
}

impl Kustomization {
    /// kustomize's deprecation warnings, in its order and words.
    pub fn deprecation_warnings(&self) -> Vec<&'static str> {
        let mut w = Vec::new();
        if self.bases.is_some() {
            w.push(concat!(
                "# Warning: 'bases' is deprecated. Please use 'resources' instead. ",
                "Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
        if self.common_labels.is_some() {
            w.push(concat!(
                "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. ",
                "Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
        if self.image_tags.is_some() {
            w.push(concat!(
                "# Warning: 'imageTags' is deprecated. Please use 'images' instead. ",
                "Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
        if self.patches_json6902.is_some() {
            w.push(concat!(
                "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. ",
                "Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
        if self.patches_strategic_merge.is_some() {
            w.push(concat!(
                "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. ",
                "Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
        if self.vars.is_some() {
            w.push(concat!("# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] ", "Run 'kustomize edit fix' to update your Kustomization automatically."));
        }
        w
    }

    /// kustomize's `FixKustomization`: defaults and the deprecated aliases.
    pub fn fix(&mut self) {
        if self.kind.is_empty() {
            self.kind = KUSTOMIZATION_KIND.to_owned();
        }
        if self.api_version.is_empty() {
            self.api_version = if self.kind == COMPONENT_KIND {
                COMPONENT_VERSION
            } else {
                KUSTOMIZATION_VERSION
            }
            .to_owned();
        }
        if let Some(bases) = self.bases.take() {
            self.resources.extend(bases);
        }
        if let Some(tags) = self.image_tags.take() {
            self.images.extend(tags);
        }
        for g in self
            .config_map_generator
            .iter_mut()
            .chain(self.secret_generator.iter_mut())
        {
            if !g.env.is_empty() {
                g.envs.push(std::mem::take(&mut g.env));
            }
        }
    }

    /// kustomize's `EnforceFields`.
    pub fn field_errors(&self) -> Vec<String> {
        let mut errs = Vec::new();
        if !self.kind.is_empty() && self.kind != KUSTOMIZATION_KIND && self.kind != COMPONENT_KIND {
            errs.push(format!(
                "kind should be {KUSTOMIZATION_KIND} or {COMPONENT_KIND}"
            ));
        }
        let required = if self.kind == COMPONENT_KIND {
            COMPONENT_VERSION
        } else {
            KUSTOMIZATION_VERSION
        };
        if !self.api_version.is_empty() && self.api_version != required {
            errs.push(format!("apiVersion for {} should be {required}", self.kind));
        }
        errs
    }

    /// A kustomization with nothing but its type is rejected as empty.
    pub fn is_empty(&self) -> bool {
        self.metadata.is_none()
            && self.open_api.is_none()
            && self.name_prefix.is_empty()
            && self.name_suffix.is_empty()
            && self.namespace.is_empty()
            && self.common_labels.is_none()
            && self.labels.is_empty()
            && self.common_annotations.is_none()
            && self.patches_strategic_merge.is_none()
            && self.patches_json6902.is_none()
            && self.patches.is_empty()
            && self.images.is_empty()
            && self.replacements.is_empty()
            && self.replicas.is_empty()
            && self.vars.is_none()
            && self.sort_options.is_none()
            && self.resources.is_empty()
            && self.components.is_empty()
            && self.crds.is_empty()
            && self.config_map_generator.is_empty()
            && self.secret_generator.is_empty()
            && self.helm_globals.is_none()
            && self.helm_charts.is_none()
            && self.helm_chart_inflation_generator.is_none()
            && self.generator_options.is_none()
            && self.configurations.is_empty()
            && self.generators.is_empty()
            && self.transformers.is_empty()
            && self.validators.is_empty()
            && self.build_metadata.is_empty()
    }
}

/// Merges generator-wide options into a generator's own (kustomize's
/// `MergeGlobalOptionsIntoLocal`): local keys win, the booleans are OR-ed.
pub fn merge_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut out = local.cloned().unwrap_or_default();
    if let Some(g) = global {
        for (k, v) in &g.labels {
            out.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &g.annotations {
            out.annotations
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        out.disable_name_suffix_hash |= g.disable_name_suffix_hash;
        out.immutable |= g.immutable;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{LoadOptions, parse};

    fn k(text: &str) -> Result<Kustomization, DecodeError> {
        let p = parse(FileId(0), text, &LoadOptions::default());
        decode(&p.docs[0].value, "Kustomization")
    }

    #[test]
    fn unknown_fields_fail_like_kustomize() {
        let e = k("resources: [a.yaml]\nfoo: 1\n").unwrap_err();
        assert_eq!(
            e.message,
            "invalid Kustomization: json: unknown field \"foo\""
        );
        assert_eq!(e.pointer, "/foo");
        let e = k("labels:\n- pairs: {a: b}\n  includeVolumeClaimTemplates: true\n").unwrap_err();
        assert_eq!(
            e.message,
            "invalid Kustomization: json: unknown field \"includeVolumeClaimTemplates\""
        );
        assert_eq!(e.pointer, "/labels/0/includeVolumeClaimTemplates");
    }

    #[test]
    fn field_names_match_case_insensitively_like_go() {
        let kz = k("nameprefix: p-\nvars:\n- name: V\n  objref: {kind: Service, name: s, apiversion: v1}\n  fieldref: {fieldpath: spec.x}\n").unwrap();
        assert_eq!(kz.name_prefix, "p-");
        let v = &kz.vars.unwrap()[0];
        assert_eq!(v.fieldref.field_path, "spec.x");
        assert_eq!(v.objref.api_version, "v1");
    }

    #[test]
    fn yaml_1_1_values_are_type_errors() {
        let e = k("commonLabels: {a: yes}\n").unwrap_err();
        assert_eq!(e.pointer, "/commonLabels/a");
        assert!(e.message.contains("cannot unmarshal bool"), "{}", e.message);
    }

    #[test]
    fn fixups_and_warnings() {
        let mut kz =
            k("bases: [b]\nresources: [r]\ncommonLabels: {a: b}\nimageTags: [{name: x}]\n")
                .unwrap();
        assert_eq!(kz.deprecation_warnings().len(), 3);
        kz.fix();
        assert_eq!(kz.resources, ["r", "b"]);
        assert_eq!(kz.images.len(), 1);
        assert_eq!(kz.kind, "Kustomization");
        assert!(!kz.is_empty());
        let mut e =
            k("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n").unwrap();
        e.fix();
        assert!(e.is_empty());
        let c = k("kind: Component\napiVersion: kustomize.config.k8s.io/v1beta1\nresources: [a]\n")
            .unwrap();
        assert_eq!(
            c.field_errors(),
            ["apiVersion for Component should be kustomize.config.k8s.io/v1alpha1"]
        );
    }
}
