//! Field specs: the `group/version/kind + path` tables that tell each
//! transformer where to act, and walking a path to apply an edit.
//!
//! The default tables are kustomize's (`api/internal/konfig/builtinpluginconsts`,
//! Apache-2.0, see NOTICE), kept here as data in kustomize's own format so that
//! a kustomization's `configurations` files merge with them unchanged.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::resid::Gvk;
use crate::yaml::{Map, Value};

/// Decoded leniently, as kustomize reads `configurations` files; the
/// kustomization's own `labels[].fields` are checked strictly by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct FieldSpec {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create: bool,
}

impl FieldSpec {
    pub fn gvk(&self) -> Gvk {
        Gvk {
            group: self.group.as_str().into(),
            version: self.version.as_str().into(),
            kind: self.kind.as_str().into(),
        }
    }

    pub fn at(path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            path: path.to_owned(),
            create,
            ..FieldSpec::default()
        }
    }

    /// Whether the spec applies to an object of this apiVersion and kind.
    pub fn matches(&self, gvk: &Gvk) -> bool {
        (self.kind.is_empty() || self.kind == gvk.kind.as_str())
            && (self.group.is_empty() || self.group == gvk.group.as_str())
            && (self.version.is_empty() || self.version == gvk.version.as_str())
    }
}

/// A kind that other objects refer to by name, and where they do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct NameBackRef {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default, rename = "fieldSpecs")]
    pub field_specs: Vec<FieldSpec>,
}

impl NameBackRef {
    pub fn gvk(&self) -> Gvk {
        Gvk {
            group: self.group.as_str().into(),
            version: self.version.as_str().into(),
            kind: self.kind.as_str().into(),
        }
    }
}

/// The field-spec tables of every builtin transformer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransformerConfig {
    #[serde(default)]
    pub name_prefix: Vec<FieldSpec>,
    #[serde(default)]
    pub name_suffix: Vec<FieldSpec>,
    #[serde(default)]
    pub namespace: Vec<FieldSpec>,
    #[serde(default)]
    pub common_labels: Vec<FieldSpec>,
    #[serde(default)]
    pub template_labels: Vec<FieldSpec>,
    #[serde(default)]
    pub labels: Vec<FieldSpec>,
    #[serde(default)]
    pub common_annotations: Vec<FieldSpec>,
    #[serde(default)]
    pub name_reference: Vec<NameBackRef>,
    #[serde(default)]
    pub var_reference: Vec<FieldSpec>,
    #[serde(default)]
    pub images: Vec<FieldSpec>,
    #[serde(default)]
    pub replicas: Vec<FieldSpec>,
}

/// kustomize's `FsSlice.MergeOne`: a spec is already present when one with
/// the same path is selected by its GVK (so a general default is dropped in
/// favour of a more specific spec already there); present specs that differ
/// in `create` conflict.
pub fn merge_one(list: &mut Vec<FieldSpec>, fs: FieldSpec) -> Result<(), String> {
    match present(list.iter(), &fs)? {
        true => Ok(()),
        false => {
            list.push(fs);
            Ok(())
        }
    }
}

/// Whether `fs` is already among `candidates` (in list order), or the
/// conflict error of [`merge_one`].
fn present<'a>(
    mut candidates: impl Iterator<Item = &'a FieldSpec>,
    fs: &FieldSpec,
) -> Result<bool, String> {
    // `Gvk::is_selected_by` on the strings, without building a Gvk per entry.
    let selected = |x: &FieldSpec| {
        x.path == fs.path
            && (fs.group.is_empty() || fs.group == x.group)
            && (fs.version.is_empty() || fs.version == x.version)
            && (fs.kind.is_empty() || fs.kind == x.kind)
    };
    match candidates.find(|x| selected(x)) {
        Some(x) if x.create != fs.create => Err(format!(
            "conflicting fieldspecs: {} at {}",
            fs.gvk(),
            fs.path
        )),
        Some(_) => Ok(true),
        None => Ok(false),
    }
}

/// [`merge_one`] for each of `other`. Every kustomization merges the whole
/// default tables, so candidates are looked up by path instead of scanning
/// the list for each spec.
pub fn merge_all(list: &mut Vec<FieldSpec>, other: &[FieldSpec]) -> Result<(), String> {
    if other.is_empty() {
        return Ok(());
    }
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::with_capacity(list.len() + other.len());
    for (i, x) in list.iter().enumerate() {
        by_path.entry(x.path.as_str()).or_default().push(i);
    }
    // Specs taken from `other`, appended to `list` at the end; indexes past
    // the original length point into this.
    let base = list.len();
    let mut added: Vec<&FieldSpec> = Vec::new();
    for fs in other {
        let hits = by_path
            .get(fs.path.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let candidates = hits
            .iter()
            .map(|&i| if i < base { &list[i] } else { added[i - base] });
        if !present(candidates, fs)? {
            by_path
                .entry(fs.path.as_str())
                .or_default()
                .push(base + added.len());
            added.push(fs);
        }
    }
    list.extend(added.into_iter().cloned());
    Ok(())
}

impl TransformerConfig {
    /// Adds `other`'s specs to these (a kustomization's `configurations`).
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<(), String> {
        // Nearly every merge in a build is of the default tables, into an
        // empty config or into the defaults again; their outcome is known.
        if let Some(d) = defaults().filter(|d| *d == other) {
            if self == d {
                return Ok(());
            }
            if *self == TransformerConfig::default() {
                self.clone_from(d);
                return Ok(());
            }
        }
        self.merge_tables(other)
    }

    fn merge_tables(&mut self, other: &TransformerConfig) -> Result<(), String> {
        merge_all(&mut self.name_prefix, &other.name_prefix)?;
        merge_all(&mut self.name_suffix, &other.name_suffix)?;
        merge_all(&mut self.namespace, &other.namespace)?;
        merge_all(&mut self.common_labels, &other.common_labels)?;
        merge_all(&mut self.template_labels, &other.template_labels)?;
        merge_all(&mut self.labels, &other.labels)?;
        merge_all(&mut self.common_annotations, &other.common_annotations)?;
        merge_all(&mut self.var_reference, &other.var_reference)?;
        merge_all(&mut self.images, &other.images)?;
        merge_all(&mut self.replicas, &other.replicas)?;
        for br in &other.name_reference {
            let same = |x: &&mut NameBackRef| {
                x.kind == br.kind && x.group == br.group && x.version == br.version
            };
            match self.name_reference.iter_mut().find(same) {
                Some(x) => merge_all(&mut x.field_specs, &br.field_specs)?,
                None => self.name_reference.push(br.clone()),
            }
        }
        Ok(())
    }

    /// kustomize's `MakeTransformerConfig`: the `configurations` files, then
    /// the defaults merged into them.
    pub fn with_defaults(files: Vec<TransformerConfig>) -> Result<TransformerConfig, String> {
        if files.is_empty() {
            if let Some(d) = defaults() {
                return Ok(d.clone());
            }
        }
        let mut out = TransformerConfig::default();
        for f in &files {
            out.merge(f)?;
        }
        out.merge_tables(builtin_tables())?;
        Ok(out)
    }

    /// kustomize's default tables.
    pub fn builtin() -> TransformerConfig {
        builtin_tables().clone()
    }
}

/// The builtin tables merged into an empty config (what a kustomization
/// without `configurations` uses), computed once per process. `None` unless
/// merging them into an empty config or into themselves is known to give
/// them back, which is what lets [`TransformerConfig::merge`] skip the work.
fn defaults() -> Option<&'static TransformerConfig> {
    static DEFAULTS: OnceLock<Option<TransformerConfig>> = OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            let mut d = TransformerConfig::default();
            d.merge_tables(builtin_tables()).ok()?;
            let mut again = TransformerConfig::default();
            again.merge_tables(&d).ok()?;
            let mut twice = d.clone();
            twice.merge_tables(&d).ok()?;
            (again == d && twice == d).then_some(d)
        })
        .as_ref()
}

/// The default tables, decoded once per process.
fn builtin_tables() -> &'static TransformerConfig {
    static TABLES: OnceLock<TransformerConfig> = OnceLock::new();
    TABLES.get_or_init(|| {
        let text = include_str!("builtin_fieldspecs.yaml");
        let opts = crate::yaml::LoadOptions::default();
        let parsed = crate::yaml::parse(crate::source::FileId(0), text, &opts);
        let value = parsed
            .docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or_default();
        serde_json::from_value(value.to_json()).unwrap_or_default()
    })
}

/// What to create at the end of a path when the field is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    Map,
    Scalar,
}

/// Splits a field-spec path at `/`, where `\/` is a literal slash.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out
}

/// Walks `path` in `obj` and calls `set` on the node it reaches, going
/// through every element of the sequences on the way, creating missing
/// fields when `create` is set (kustomize's fieldspec filter).
pub fn apply_path(
    obj: &mut Value,
    path: &[String],
    create: Option<Create>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    if path.is_empty() {
        return set(obj);
    }
    match obj {
        Value::Seq(items) => {
            for item in items.iter_mut() {
                apply_path(item, path, create, set)?;
            }
            Ok(())
        }
        Value::Map(map) => {
            let (name, is_seq) = match path[0].strip_suffix("[]") {
                Some(n) => (n, true),
                None => (path[0].as_str(), false),
            };
            let last = path.len() == 1;
            let creating = match create {
                Some(kind) if !is_seq => Some(if last { kind } else { Create::Map }),
                _ => None,
            };
            if !map.contains_key(name) {
                match creating {
                    Some(kind) => {
                        map.insert(name, empty(kind));
                    }
                    None => return Ok(()),
                }
            }
            let Some(field) = map.get_mut(name) else {
                return Ok(());
            };
            if field.is_null() {
                // A present but null field takes the kind it would have been
                // created with.
                *field = match creating {
                    Some(kind) => empty(kind),
                    None if is_seq => Value::Seq(Default::default()),
                    None => Value::Null,
                };
            }
            apply_path(field, &path[1..], create, set)
        }
        _ => Err("expected sequence or mapping node".to_owned()),
    }
}

fn empty(kind: Create) -> Value {
    match kind {
        Create::Map => Value::Map(Map::new()),
        Create::Scalar => Value::String(Default::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_load() {
        let c = TransformerConfig::builtin();
        assert_eq!(c.name_prefix, vec![FieldSpec::at("metadata/name", false)]);
        assert!(
            c.common_labels
                .iter()
                .any(|f| f.kind == "Service" && f.path == "spec/selector" && f.create)
        );
        assert!(
            c.name_reference
                .iter()
                .any(|b| b.kind == "ConfigMap" && b.field_specs.len() > 40)
        );
        assert!(!c.var_reference.is_empty());
        assert!(!c.template_labels.is_empty());
    }

    #[test]
    fn paths_split_on_unescaped_slashes() {
        assert_eq!(
            split_path("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
            [
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/auth-secret"
            ]
        );
    }
}
