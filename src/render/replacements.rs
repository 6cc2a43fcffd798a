//! `replacements` (kustomize v5.5.0's ReplacementTransformer): copy a field
//! of one resource into fields of others.
//!
//! What kustomize does, and what this module reproduces:
//! * All entries are configured first: `path:` entries are read (a file holds
//!   one replacement or a list; unknown fields are ignored there), so a bad
//!   file fails before any replacement runs.
//! * The source is the one resource whose current or a previous id matches
//!   the selector **exactly** (no regular expressions in v5.5.0).
//! * Targets are selected the same way, then filtered by label and
//!   annotation selectors; a `reject` entry rejects on its id part or on its
//!   label/annotation part, independently.
//! * Target field paths go through kyaml's `PathMatcher`: `[a=b]` matches
//!   list items whose field `a` matches the **unanchored** regular expression
//!   `b`, `*` visits every item, numbers index lists, `create` makes what is
//!   missing.
//! * A scalar target keeps its type and only takes the source's text, so a
//!   string copied into `replicas: 1` becomes a number, and text that does not
//!   fit the target's type fails the build (go-yaml's "cannot decode").
//!   Fields created by `create` have no type and resolve like plain YAML, so
//!   `"5"` creates the number 5.

use std::collections::HashSet;

use regex::Regex;
use serde::Deserialize;

use super::RenderError;
use super::kustomization::{
    FieldOptions, ReplacementField, ReplacementSource, ReplacementTarget, Selector,
};
use super::res::Res;
use super::resid::{Gvk, ResId};
use super::resmap::ResMap;
use super::selector::LabelSelector;
use super::target::go_object;
use super::target::{Accumulator, Builder, KustTarget};
use crate::diagnostic::{Location, Severity, codes};
use crate::yaml::resolve::{Dialect, Resolved};
use crate::yaml::{LoadOptions, Map, Value};

/// The field path used when a source or target gives none.
const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// Runs the kustomization's `replacements` (the last builtin transformer).
pub fn run(b: &mut Builder<'_>, kt: &KustTarget, ra: &mut Accumulator) -> Result<(), RenderError> {
    let list = &kt.kust.replacements;
    if list.is_empty() {
        return Ok(());
    }
    // v5.5.0 has no `sourceValue`: its strict decoding rejects the field.
    if let Some(i) = list.iter().position(|r| r.source_value.is_some()) {
        return Err(RenderError {
            code: &codes::KUSTOMIZATION_INVALID,
            message: "invalid Kustomization: json: unknown field \"sourceValue\"".to_owned(),
            location: kt.at(&format!("/replacements/{i}/sourceValue")),
        });
    }
    let at = |i: Option<usize>| match i {
        Some(i) => kt.at(&format!("/replacements/{i}")),
        None => kt.at("/replacements"),
    };
    apply(b, kt, ra, list, "Replacements", &at)
}

/// Runs the replacements of a `ReplacementTransformer` plugin configuration.
pub fn apply_list(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    list: &[ReplacementField],
    ptr: &str,
) -> Result<(), RenderError> {
    let at = |_: Option<usize>| kt.at(ptr);
    apply(b, kt, ra, list, "replacements", &at)
}

fn apply(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    list: &[ReplacementField],
    config_key: &str,
    at: &dyn Fn(Option<usize>) -> Location,
) -> Result<(), RenderError> {
    let fail = |message: String, entry: Option<usize>| RenderError {
        code: &codes::RENDER_ERROR,
        message,
        location: at(entry),
    };
    let reps = configure(b, kt, list).map_err(|(e, i)| {
        fail(
            format!(
                "trouble configuring builtin ReplacementTransformer with config: `\n{}`: {e}",
                config_yaml(list, config_key)
            ),
            Some(i),
        )
    })?;
    let mut state = State {
        touched: vec![false; ra.resmap.len()],
        pending: None,
        untagged: HashSet::new(),
    };
    for r in &reps {
        replace(&mut ra.resmap, r, &mut state).map_err(|e| fail(e, Some(r.entry)))?;
    }
    if let Some((e, i)) = state.pending {
        return Err(fail(e, Some(i)));
    }
    // kustomize rewrites annotations as a string map when it finishes, and
    // rejects objects left without a kind or a name.
    for (i, r) in ra.resmap.iter_mut().enumerate() {
        if state.touched.get(i).copied().unwrap_or(false) {
            stringify_annotations(&mut r.value);
            check_identity(r).map_err(|e| fail(e, None))?;
        }
    }
    Ok(())
}

/// What a run of replacements keeps track of.
struct State {
    /// Objects a replacement selected.
    touched: Vec<bool>,
    /// The first value that does not fit its field, with its entry.
    pending: Option<(String, usize)>,
    /// Fields created without a YAML tag (by `create`), as `object\0path`:
    /// later writes resolve their text as plain YAML too.
    untagged: HashSet<String>,
}

/// One replacement to run, with the index of the entry it came from.
struct Replacement {
    source: Option<ReplacementSource>,
    targets: Vec<ReplacementTarget>,
    entry: usize,
}

/// kustomize's plugin `Config`: inline entries as they are, `path:` entries
/// read from their files.
fn configure(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    list: &[ReplacementField],
) -> Result<Vec<Replacement>, (String, usize)> {
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        if r.path.is_empty() {
            out.push(Replacement {
                source: r.source.clone(),
                targets: r.targets.clone(),
                entry: i,
            });
            continue;
        }
        if r.source.is_some() || !r.targets.is_empty() {
            return Err((
                "cannot specify both path and inline replacement".to_owned(),
                i,
            ));
        }
        let file = b.read_source(kt, &r.path).map_err(|e| (e, i))?;
        let text = b.sources.get(file).text.clone();
        let parsed = crate::yaml::parse(file, &text, &LoadOptions::default());
        if let Some(d) = parsed
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
        {
            return Err((format!("error converting YAML to JSON: {}", d.message), i));
        }
        // sigs.k8s.io/yaml reads the first document only.
        let value = parsed
            .docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or(Value::Null);
        let loaded = load_replacements(&value).map_err(|e| (e, i))?;
        out.extend(loaded.into_iter().map(|(source, targets)| Replacement {
            source,
            targets,
            entry: i,
        }));
    }
    Ok(out)
}

type Loaded = (Option<ReplacementSource>, Vec<ReplacementTarget>);

/// Decodes a replacement file: a list of replacements or a single one.
fn load_replacements(value: &Value) -> Result<Vec<Loaded>, String> {
    let items: Vec<&Value> = match value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(_) => vec![value],
        other => {
            return Err(format!(
                "unsupported replacement type encountered within replacement path: {}",
                go_reflect_kind(other)
            ));
        }
    };
    let mut out = Vec::new();
    for item in items {
        let json = canonical_keys(item).to_json();
        let r: LenientReplacement = serde_json::from_value(json).map_err(|e| {
            format!(
                "error unmarshaling JSON: while decoding JSON: json: {}",
                go_json_error(&e.to_string(), item)
            )
        })?;
        out.push((
            r.source.map(Into::into),
            r.targets
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(Into::into)
                .collect(),
        ));
    }
    Ok(out)
}

/// The reflect kind Go reports for a decoded YAML document.
fn go_reflect_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "slice",
        Value::Map(_) => "map",
    }
}

/// serde's type errors in the words of Go's JSON decoder (close enough to grep).
fn go_json_error(serde_msg: &str, item: &Value) -> String {
    if !matches!(item, Value::Map(_)) {
        let found = match item {
            Value::Bool(_) => "bool",
            Value::String(_) => "string",
            Value::Seq(_) => "array",
            _ => "number",
        };
        return format!("cannot unmarshal {found} into Go value of type types.Replacement");
    }
    serde_msg.to_owned()
}

const KNOWN_KEYS: &[&str] = &[
    "source",
    "targets",
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "fieldPath",
    "options",
    "delimiter",
    "index",
    "encoding",
    "create",
    "select",
    "reject",
    "fieldPaths",
    "labelSelector",
    "annotationSelector",
];

/// Go's JSON decoder matches field names without regard to case; serde does
/// not, so keys are renamed to their canonical spelling first.
fn canonical_keys(v: &Value) -> Value {
    match v {
        Value::Map(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, val) in m.iter() {
                let key = if KNOWN_KEYS.contains(&k) || m.contains_key(canonical(k)) {
                    k
                } else {
                    canonical(k)
                };
                if !out.contains_key(key) {
                    out.insert(key, canonical_keys(val));
                }
            }
            Value::Map(out)
        }
        Value::Seq(items) => Value::Seq(items.iter().map(canonical_keys).collect()),
        other => other.clone(),
    }
}

fn canonical(k: &str) -> &str {
    KNOWN_KEYS
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(k))
        .unwrap_or(k)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LenientReplacement {
    source: Option<LenientSource>,
    targets: Option<Vec<Option<LenientTarget>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LenientSource {
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    field_path: Option<String>,
    options: Option<LenientOptions>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LenientSelector {
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    label_selector: Option<String>,
    #[serde(default)]
    annotation_selector: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LenientTarget {
    select: Option<LenientSelector>,
    #[serde(default)]
    reject: Option<Vec<Option<LenientSelector>>>,
    #[serde(default)]
    field_paths: Option<Vec<Option<String>>>,
    options: Option<LenientOptions>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LenientOptions {
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    index: Option<i64>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    create: Option<bool>,
}

impl From<LenientSource> for ReplacementSource {
    fn from(s: LenientSource) -> Self {
        ReplacementSource {
            group: s.group.unwrap_or_default(),
            version: s.version.unwrap_or_default(),
            kind: s.kind.unwrap_or_default(),
            name: s.name.unwrap_or_default(),
            namespace: s.namespace.unwrap_or_default(),
            field_path: s.field_path.unwrap_or_default(),
            options: s.options.map(Into::into),
        }
    }
}

impl From<LenientSelector> for Selector {
    fn from(s: LenientSelector) -> Self {
        Selector {
            group: s.group.unwrap_or_default(),
            version: s.version.unwrap_or_default(),
            kind: s.kind.unwrap_or_default(),
            name: s.name.unwrap_or_default(),
            namespace: s.namespace.unwrap_or_default(),
            label_selector: s.label_selector.unwrap_or_default(),
            annotation_selector: s.annotation_selector.unwrap_or_default(),
        }
    }
}

impl From<LenientTarget> for ReplacementTarget {
    fn from(t: LenientTarget) -> Self {
        ReplacementTarget {
            select: t.select.map(Into::into),
            reject: t
                .reject
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.unwrap_or_default().into())
                .collect(),
            field_paths: t
                .field_paths
                .unwrap_or_default()
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            options: t.options.map(Into::into),
        }
    }
}

impl From<LenientOptions> for FieldOptions {
    fn from(o: LenientOptions) -> Self {
        FieldOptions {
            delimiter: o.delimiter.unwrap_or_default(),
            index: o.index.unwrap_or_default(),
            encoding: o.encoding.unwrap_or_default(),
            create: o.create.unwrap_or_default(),
        }
    }
}

/// The plugin configuration as kustomize echoes it in configuration errors
/// (Go structs through JSON, empty fields omitted, keys sorted).
fn config_yaml(list: &[ReplacementField], key: &str) -> String {
    fn put(m: &mut Map, k: &str, v: &str) {
        if !v.is_empty() {
            m.insert(k, Value::from(v));
        }
    }
    fn id(m: &mut Map, group: &str, version: &str, kind: &str, name: &str, namespace: &str) {
        put(m, "group", group);
        put(m, "version", version);
        put(m, "kind", kind);
        put(m, "name", name);
        put(m, "namespace", namespace);
    }
    fn options(o: &FieldOptions) -> Value {
        let mut m = Map::new();
        put(&mut m, "delimiter", &o.delimiter);
        if o.index != 0 {
            m.insert("index", Value::Int(o.index));
        }
        put(&mut m, "encoding", &o.encoding);
        if o.create {
            m.insert("create", Value::Bool(true));
        }
        Value::Map(m)
    }
    fn selector(s: &Selector) -> Value {
        let mut m = Map::new();
        id(&mut m, &s.group, &s.version, &s.kind, &s.name, &s.namespace);
        put(&mut m, "labelSelector", &s.label_selector);
        put(&mut m, "annotationSelector", &s.annotation_selector);
        Value::Map(m)
    }
    let entries = list.iter().map(|r| {
        let mut m = Map::new();
        put(&mut m, "path", &r.path);
        if let Some(s) = &r.source {
            let mut sm = Map::new();
            id(
                &mut sm,
                &s.group,
                &s.version,
                &s.kind,
                &s.name,
                &s.namespace,
            );
            put(&mut sm, "fieldPath", &s.field_path);
            if let Some(o) = &s.options {
                sm.insert("options", options(o));
            }
            m.insert("source", Value::Map(sm));
        }
        if !r.targets.is_empty() {
            let targets = r.targets.iter().map(|t| {
                let mut tm = Map::new();
                if let Some(s) = &t.select {
                    tm.insert("select", selector(s));
                }
                if !t.reject.is_empty() {
                    tm.insert(
                        "reject",
                        Value::Seq(t.reject.iter().map(selector).collect()),
                    );
                }
                if !t.field_paths.is_empty() {
                    tm.insert(
                        "fieldPaths",
                        Value::Seq(
                            t.field_paths
                                .iter()
                                .map(|p| Value::from(p.as_str()))
                                .collect(),
                        ),
                    );
                }
                if let Some(o) = &t.options {
                    tm.insert("options", options(o));
                }
                Value::Map(tm)
            });
            m.insert("targets", Value::Seq(targets.collect()));
        }
        Value::Map(m)
    });
    let mut root = Map::new();
    root.insert(key, Value::Seq(entries.collect()));
    super::emit::emit_document(&Value::Map(root)).unwrap_or_default()
}

/// Runs one replacement over the resources.
fn replace(rm: &mut ResMap, r: &Replacement, state: &mut State) -> Result<(), String> {
    let Some(source) = &r.source else {
        return Err("replacements must specify a source and at least one target".to_owned());
    };
    if r.targets.is_empty() {
        return Err("replacements must specify a source and at least one target".to_owned());
    }
    let value = source_value(rm, source)?;
    for t in &r.targets {
        let Some(select) = &t.select else {
            return Err("target must specify resources to select".to_owned());
        };
        let default_paths = [DEFAULT_FIELD_PATH.to_owned()];
        let paths: &[String] = if t.field_paths.is_empty() {
            &default_paths
        } else {
            &t.field_paths
        };
        let select_id = selector_id(select);
        let label_sel = parse_selector(&select.label_selector)?;
        let anno_sel = parse_selector(&select.annotation_selector)?;
        let mut rejects = Vec::with_capacity(t.reject.len());
        for rej in &t.reject {
            rejects.push((
                selector_id(rej),
                parse_selector(&rej.label_selector)?,
                parse_selector(&rej.annotation_selector)?,
            ));
        }
        for i in 0..rm.len() {
            let Some(res) = rm.get(i) else { continue };
            if !matches_meta(res, &label_sel, &anno_sel) {
                continue;
            }
            // A reject entry with a label or annotation selector rejects on
            // those alone; its id part rejects on its own too.
            if rejects
                .iter()
                .any(|(_, l, a)| (l.is_some() || a.is_some()) && matches_meta(res, l, a))
            {
                continue;
            }
            let ids = all_ids(res);
            if !ids.iter().any(|id| selected_by(id, &select_id)) {
                continue;
            }
            if rejects
                .iter()
                .any(|(rid, _, _)| !is_empty_id(rid) && ids.iter().any(|id| selected_by(id, rid)))
            {
                continue;
            }
            let Some(res) = rm.get_mut(i) else { continue };
            if let Some(flag) = state.touched.get_mut(i) {
                *flag = true;
            }
            for fp in paths {
                let target = Target {
                    fp,
                    options: t.options.as_ref(),
                    object: i,
                    entry: r.entry,
                };
                copy_to_target(&mut res.value, &value, &target, state)?;
            }
        }
    }
    Ok(())
}

/// The value to copy: the source field, refined by its delimiter option.
fn source_value(rm: &ResMap, source: &ReplacementSource) -> Result<Value, String> {
    let sel = ResId::new(
        Gvk {
            group: source.group.as_str().into(),
            version: source.version.as_str().into(),
            kind: source.kind.as_str().into(),
        },
        &source.name,
        &source.namespace,
    );
    let mut found: Option<&Res> = None;
    for r in rm.iter() {
        if all_ids(r).iter().any(|id| selected_by(id, &sel)) {
            if found.is_some() {
                return Err(format!("multiple matches for selector {sel}"));
            }
            found = Some(r);
        }
    }
    let Some(res) = found else {
        return Err(format!("nothing selected by {sel}"));
    };
    let field_path = if source.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &source.field_path
    };
    let parts: Vec<String> = smarter_path_split(field_path)
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let node = lookup(&res.value, &parts)
        .map_err(|e| format!("error looking up replacement source: {e}"))?;
    let node = match node {
        Some(n) if !is_nil_or_empty(n) => n,
        _ => {
            return Err(format!(
                "fieldPath `{field_path}` is missing for replacement source {sel}"
            ));
        }
    };
    let Some(opts) = source.options.as_ref().filter(|o| !o.delimiter.is_empty()) else {
        return Ok(node.clone());
    };
    if !is_scalar(node) {
        return Err("delimiter option can only be used with scalar nodes".to_owned());
    }
    let text = scalar_text(node);
    let parts: Vec<&str> = text.split(opts.delimiter.as_str()).collect();
    let piece = usize::try_from(opts.index)
        .ok()
        .and_then(|i| parts.get(i))
        .ok_or_else(|| {
            format!(
                "options.index {} is out of bounds for value {text}",
                opts.index
            )
        })?;
    // The piece keeps the source's type.
    Ok(retag(node, piece).unwrap_or_else(|_| Value::from(*piece)))
}

fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

/// kyaml's `PathGetter` (`yaml.Lookup`), used to read the source field.
fn lookup<'v>(root: &'v Value, parts: &[String]) -> Result<Option<&'v Value>, String> {
    let mut cur = root;
    for part in parts {
        let next = if let Some(idx) = go_atoi(part) {
            if idx < 0 {
                return Err(format!("array index {idx} cannot be negative"));
            }
            match cur {
                Value::Null => None,
                Value::Seq(items) => usize::try_from(idx).ok().and_then(|i| items.get(i)),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else if part == "-" {
            match cur {
                Value::Null => None,
                Value::Seq(items) => items.last(),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else if is_list_index(part) {
            let (name, want) = split_index_name_value(part)?;
            match cur {
                Value::Null => None,
                Value::Seq(items) => items.iter().find(|item| {
                    if name.is_empty() {
                        scalar_text(item) == want
                    } else {
                        item.get(name).is_some_and(|v| scalar_text(v) == want)
                    }
                }),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else {
            match cur {
                Value::Null => None,
                Value::Map(m) => m.get(part),
                other => return Err(wrong_kind("MappingNode", other)),
            }
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// The kind of YAML node a value is (a null is a scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scalar,
    Map,
    Seq,
}

fn kind_of(v: &Value) -> Kind {
    match v {
        Value::Map(_) => Kind::Map,
        Value::Seq(_) => Kind::Seq,
        _ => Kind::Scalar,
    }
}

fn is_scalar(v: &Value) -> bool {
    kind_of(v) == Kind::Scalar
}

fn node_kind_name(v: &Value) -> &'static str {
    match kind_of(v) {
        Kind::Map => "MappingNode",
        Kind::Seq => "SequenceNode",
        Kind::Scalar => "ScalarNode",
    }
}

/// kyaml's `ErrorIfInvalid` message, with the node printed as YAML.
fn wrong_kind(expected: &str, got: &Value) -> String {
    let contents = super::emit::emit_document(got).unwrap_or_default();
    format!(
        "wrong node kind: expected {expected} but got {}: node contents:\n{contents}",
        node_kind_name(got)
    )
}

/// One target field path of one object.
struct Target<'a> {
    fp: &'a str,
    options: Option<&'a FieldOptions>,
    /// The object's index in the resource map.
    object: usize,
    /// The replacements entry, for pending errors.
    entry: usize,
}

/// Writes the value into every field the path reaches in `obj`.
fn copy_to_target(
    obj: &mut Value,
    value: &Value,
    t: &Target<'_>,
    state: &mut State,
) -> Result<(), String> {
    let (fp, options) = (t.fp, t.options);
    let pending = &mut state.pending;
    let entry = t.entry;
    let create = options.is_some_and(|o| o.create).then(|| kind_of(value));
    let describe = || {
        if create.is_some() {
            format!(
                "unable to find or create field {} in replacement target",
                go_quote(fp)
            )
        } else {
            format!(
                "unable to find field {} in replacement target",
                go_quote(fp)
            )
        }
    };
    let path = smarter_path_split(fp);
    let mut set = |target: &mut Value, created: bool| -> Result<(), String> {
        if let Err(e) = set_field(target, value, options, created) {
            match e {
                SetError::Now(e) => return Err(e),
                SetError::Later(e) => {
                    pending.get_or_insert((e, entry));
                }
            }
        }
        Ok(())
    };
    let mut m = Matcher {
        create,
        found: 0,
        visit: &mut set,
        at: Vec::new(),
        scratch: 0,
        untagged: &mut state.untagged,
        object: t.object,
    };
    match m.walk(obj, &path, false) {
        Ok(()) if m.found == 0 => Err(describe()),
        Ok(()) => Ok(()),
        Err(WalkError::Set(e)) => Err(e),
        Err(WalkError::Path(e)) => Err(format!("{}: {e}", describe())),
    }
}

enum SetError {
    /// Fails the replacement at once.
    Now(String),
    /// Surfaces when kustomize next decodes the object, after the transformer.
    Later(String),
}

/// kustomize's `setFieldValue`.
fn set_field(
    target: &mut Value,
    value: &Value,
    options: Option<&FieldOptions>,
    created: bool,
) -> Result<(), SetError> {
    let mut text = scalar_text(value);
    let delimited = options.filter(|o| !o.delimiter.is_empty());
    if let Some(o) = delimited {
        if !is_scalar(target) {
            return Err(SetError::Now(
                "delimiter option can only be used with scalar nodes".to_owned(),
            ));
        }
        let current = scalar_text(target);
        let mut parts: Vec<&str> = current.split(o.delimiter.as_str()).collect();
        match usize::try_from(o.index) {
            Err(_) => parts.insert(0, &text),
            Ok(i) if i >= parts.len() => parts.push(&text),
            Ok(i) => parts[i] = &text,
        }
        text = parts.join(&o.delimiter);
    }
    if !is_scalar(target) {
        // Mappings and sequences are replaced by the value itself.
        *target = value.clone();
    } else if created {
        // A created field has no tag: its text resolves like plain YAML.
        *target = Dialect::Kustomize.resolve(&text).into_value(&text);
    } else {
        // Only the text is copied: the target keeps its type.
        *target = retag(target, &text).map_err(SetError::Later)?;
    }
    Ok(())
}

/// The value a scalar of `like`'s type takes with the text `text`, or
/// go-yaml's complaint when the text does not fit that type.
fn retag(like: &Value, text: &str) -> Result<Value, String> {
    let resolved = Dialect::Kustomize.resolve(text);
    let fits = match like {
        Value::String(_) | Value::Map(_) | Value::Seq(_) => return Ok(Value::from(text)),
        // Numbers accept either form: the value tree no longer tells an
        // integer from an integral float (`2.0`).
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => {
            matches!(
                resolved,
                Resolved::Int(_) | Resolved::BigInt(_) | Resolved::Float(_)
            )
        }
        Value::Bool(_) => matches!(resolved, Resolved::Bool(_)),
        Value::Null => matches!(resolved, Resolved::Null),
    };
    if fits {
        return Ok(resolved.into_value(text));
    }
    let want = match like {
        Value::Int(_) | Value::BigInt(_) => "!!int",
        Value::Float(_) => "!!float",
        Value::Bool(_) => "!!bool",
        _ => "!!null",
    };
    let got = match resolved {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::BigInt(_) => "!!int",
        Resolved::Float(_) | Resolved::NonFinite => "!!float",
        Resolved::Timestamp(_) => "!!timestamp",
        Resolved::String => "!!str",
    };
    Err(format!(
        "map[string]interface {{}}(nil): yaml: cannot decode {got} `{text}` as a {want}"
    ))
}

/// The text of a scalar node (what kyaml's `YNode().Value` holds); empty for
/// mappings and sequences.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.to_string(),
        Value::Float(f) => super::emit::go_format_g(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Map(_) | Value::Seq(_) => String::new(),
    }
}

/// A node as kyaml prints it for matching `[field=regex]`: strings that
/// would read back as something else are quoted.
fn match_text(v: &Value) -> String {
    match v {
        Value::String(s) if !matches!(Dialect::Kustomize.resolve(s), Resolved::String) => {
            format!("\"{s}\"")
        }
        Value::Null => "null".to_owned(),
        Value::Map(_) | Value::Seq(_) => super::emit::emit_document(v)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        other => scalar_text(other),
    }
}

enum WalkError {
    /// Walking the path failed (wrapped in "unable to find field").
    Path(String),
    /// Setting a reached field failed (reported as is).
    Set(String),
}

/// kyaml's `PathMatcher`, visiting the fields it reaches instead of
/// collecting them.
struct Matcher<'a> {
    /// Create missing parts; the leaf takes this kind.
    create: Option<Kind>,
    found: usize,
    /// Sets a reached field; the flag says it has no YAML tag.
    visit: &'a mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
    /// Where the walk is, from the object's root.
    at: Vec<String>,
    /// Inside a throwaway node (writing through a null).
    scratch: u32,
    untagged: &'a mut HashSet<String>,
    object: usize,
}

impl Matcher<'_> {
    fn key(&self, extra: &[&str]) -> String {
        let mut k = self.object.to_string();
        for seg in self
            .at
            .iter()
            .map(String::as_str)
            .chain(extra.iter().copied())
        {
            k.push('\0');
            k.push_str(seg);
        }
        k
    }

    /// Visits a field the path reaches, keeping track of untagged ones.
    fn reach(&mut self, node: &mut Value, created: bool) -> Result<(), WalkError> {
        self.found += 1;
        if self.scratch > 0 {
            return (self.visit)(node, created).map_err(WalkError::Set);
        }
        let key = self.key(&[]);
        let untagged = created || self.untagged.contains(&key);
        let replaced = !is_scalar(node);
        (self.visit)(node, untagged).map_err(WalkError::Set)?;
        if replaced {
            // A mapping or sequence is replaced by a copy of the source,
            // which has its tags.
            let inner = format!("{key}\0");
            self.untagged
                .retain(|k| *k != key && !k.starts_with(&inner));
        } else if untagged {
            self.untagged.insert(key);
        }
        Ok(())
    }

    /// Walks into a child, remembering its position.
    fn enter(
        &mut self,
        seg: String,
        node: &mut Value,
        path: &[String],
        created: bool,
    ) -> Result<(), WalkError> {
        self.at.push(seg);
        let r = self.walk(node, path, created);
        self.at.pop();
        r
    }

    /// Walks a throwaway node standing for a write into a null.
    fn in_scratch(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), WalkError>,
    ) -> Result<(), WalkError> {
        self.scratch += 1;
        let r = f(self);
        self.scratch -= 1;
        r
    }

    fn walk(&mut self, node: &mut Value, path: &[String], created: bool) -> Result<(), WalkError> {
        let Some(part) = path.first() else {
            return self.reach(node, created);
        };
        if go_atoi(part).is_some_and(|i| i >= 0) {
            self.index(node, path)
        } else if is_list_index(part) {
            self.list_items(node, path, None)
        } else if part == "*" {
            self.every(node, path)
        } else {
            self.field(node, path)
        }
    }

    /// The kind a created part takes: a list before an index or a
    /// `[a=b]` part, the source's kind at the end, a mapping otherwise.
    fn part_kind(&self, next: Option<&String>) -> Kind {
        match next {
            Some(p) if is_list_index(p) || go_atoi(p).is_some_and(|i| i >= 0) => Kind::Seq,
            None => self.create.unwrap_or(Kind::Scalar),
            Some(p) if p.is_empty() => self.create.unwrap_or(Kind::Scalar),
            Some(_) => Kind::Map,
        }
    }

    fn field(&mut self, node: &mut Value, path: &[String]) -> Result<(), WalkError> {
        let name = path[0].as_str();
        let kind = self.part_kind(path.get(1));
        match node {
            Value::Null => {
                if self.create.is_some() {
                    // kyaml adds the field to the null node, which is then
                    // printed as `null`: the write is lost, without error.
                    let mut scratch = Value::Map(Map::new());
                    return self.in_scratch(|m| m.field(&mut scratch, path));
                }
                Ok(())
            }
            Value::Map(m) => {
                if !m.contains_key(name) {
                    if self.create.is_none() {
                        return Ok(());
                    }
                    m.insert(name, empty(kind));
                    return match m.get_mut(name) {
                        Some(field) => self.enter(name.to_owned(), field, &path[1..], true),
                        None => Ok(()),
                    };
                }
                match m.get_mut(name) {
                    Some(field) => self.enter(name.to_owned(), field, &path[1..], false),
                    None => Ok(()),
                }
            }
            other => Err(WalkError::Path(wrong_kind("MappingNode", other))),
        }
    }

    fn index(&mut self, node: &mut Value, path: &[String]) -> Result<(), WalkError> {
        let idx = go_atoi(&path[0])
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(usize::MAX);
        let kind = self.part_kind(path.get(1));
        let items = match node {
            Value::Null if self.create.is_some() && idx == 0 => {
                let mut scratch = Value::Seq(Default::default());
                return self.in_scratch(|m| m.index(&mut scratch, path));
            }
            Value::Null => {
                return Err(WalkError::Path(format!(
                    "index {idx} specified but only 0 elements found"
                )));
            }
            Value::Seq(items) => items,
            other => return Err(WalkError::Path(wrong_kind("SequenceNode", other))),
        };
        let mut created = false;
        if items.len() == idx && self.create.is_some() {
            items.push(empty(kind));
            created = true;
        }
        let len = items.len();
        match items.get_mut(idx) {
            Some(item) => self.enter(idx.to_string(), item, &path[1..], created),
            None => Err(WalkError::Path(format!(
                "index {idx} specified but only {len} elements found"
            ))),
        }
    }

    /// `[field=regex]`; `created` is the item appended by a first pass.
    fn list_items(
        &mut self,
        node: &mut Value,
        path: &[String],
        created: Option<usize>,
    ) -> Result<(), WalkError> {
        let (field, pattern) = split_index_name_value(&path[0]).map_err(WalkError::Path)?;
        let items = match node {
            Value::Null if self.create.is_some() => {
                let mut scratch = Value::Seq(Default::default());
                return self.in_scratch(|m| m.list_items(&mut scratch, path, created));
            }
            Value::Null => return Ok(()),
            Value::Seq(items) => items,
            other => return Err(WalkError::Path(wrong_kind("SequenceNode", other))),
        };
        let before = self.found;
        // kyaml compiles the pattern for each item, so an empty list never
        // reports a bad one.
        let re = if items.is_empty() {
            None
        } else {
            Some(
                Regex::new(pattern)
                    .map_err(|e| WalkError::Path(format!("error parsing regexp: {e}")))?,
            )
        };
        for (i, item) in items.iter_mut().enumerate() {
            let Some(r) = &re else { break };
            let new = created == Some(i);
            if field.is_empty() {
                // A scalar item is the match itself; the rest of the path is ignored.
                if r.is_match(match_text(item).trim()) {
                    self.at.push(i.to_string());
                    let res = self.reach(item, new);
                    self.at.pop();
                    res?;
                }
            } else if item
                .get(field)
                .is_some_and(|v| r.is_match(match_text(v).trim()))
            {
                self.enter(i.to_string(), item, &path[1..], new)?;
            }
        }
        if self.found > before || self.create.is_none() || created.is_some() {
            return Ok(());
        }
        // Nothing matched: append an item made from the pattern and search
        // again (once: a pattern that does not match its own text would
        // make kyaml loop).
        let plain = Dialect::Kustomize.resolve(pattern).into_value(pattern);
        let index = items.len();
        let item = if field.is_empty() {
            plain
        } else {
            // The item's field has no tag either.
            if self.scratch == 0 {
                let key = self.key(&[&index.to_string(), field]);
                self.untagged.insert(key);
            }
            let mut m = Map::new();
            m.insert(field, plain);
            Value::Map(m)
        };
        items.push(item);
        self.list_items(node, path, Some(index))
    }

    fn every(&mut self, node: &mut Value, path: &[String]) -> Result<(), WalkError> {
        match node {
            Value::Null => Ok(()),
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.enter(i.to_string(), item, &path[1..], false)?;
                }
                Ok(())
            }
            other => Err(WalkError::Path(wrong_kind("SequenceNode", other))),
        }
    }
}

fn empty(kind: Kind) -> Value {
    match kind {
        Kind::Map => Value::Map(Map::new()),
        Kind::Seq => Value::Seq(Default::default()),
        Kind::Scalar => Value::Null,
    }
}

/// kyaml's `IsListIndex`: `[...]`.
fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

/// kyaml's `SplitIndexNameValue`: `[name=value]` into its parts.
fn split_index_name_value(p: &str) -> Result<(&str, &str), String> {
    let inner = p.strip_suffix(']').unwrap_or(p);
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    inner.split_once('=').ok_or_else(|| {
        "list path element must contain fieldName=fieldValue for element to match".to_owned()
    })
}

/// Go's `strconv.Atoi`.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

/// kyaml's `PathSplitter` on `.`: `\.` is a literal dot.
fn path_split(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut parts: Vec<&str> = path.split('.').collect();
    // A leading delimiter is allowed (`.spec.replicas`).
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    for part in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out
}

/// kyaml's `SmarterPathSplitter`: `[a=b.c]` stays one part; a bracketed part
/// spanning dots without `=` (`[a.b]`) loses its brackets.
fn smarter_path_split(path: &str) -> Vec<String> {
    let split = path_split(path);
    let mut out = Vec::with_capacity(split.len());
    let mut i = 0;
    while i < split.len() {
        let elem = &split[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem.as_str()];
            while i < split.len() - 1 {
                i += 1;
                bracketed.push(&split[i]);
                if split[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(".");
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(['[', ']']).to_owned());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// Go's `%q` for the field paths quoted in messages.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn selector_id(s: &Selector) -> ResId {
    ResId::new(
        Gvk {
            group: s.group.as_str().into(),
            version: s.version.as_str().into(),
            kind: s.kind.as_str().into(),
        },
        &s.name,
        &s.namespace,
    )
}

fn is_empty_id(id: &ResId) -> bool {
    id.name.is_empty() && id.namespace.is_empty() && id.gvk == Gvk::default()
}

/// The current id and every previous one.
fn all_ids(r: &Res) -> Vec<ResId> {
    let mut ids = vec![r.cur_id()];
    ids.extend(r.prev_ids());
    ids
}

/// kustomize's `ResId.IsSelectedBy`: empty selector fields match anything;
/// the rest must be equal (namespaces compared as effective namespaces).
fn selected_by(id: &ResId, sel: &ResId) -> bool {
    (sel.name.is_empty() || sel.name == id.name)
        && (sel.namespace.is_empty() || sel.effective_namespace() == id.effective_namespace())
        && id.gvk.is_selected_by(&sel.gvk)
}

fn parse_selector(s: &str) -> Result<Option<LabelSelector>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    LabelSelector::parse(s).map(Some)
}

fn matches_meta(
    r: &Res,
    labels: &Option<LabelSelector>,
    annotations: &Option<LabelSelector>,
) -> bool {
    labels.as_ref().is_none_or(|l| l.matches(&r.labels()))
        && annotations
            .as_ref()
            .is_none_or(|a| a.matches(&r.annotations()))
}

/// kustomize ends a build by rewriting `metadata.annotations` as a map of
/// strings: values set with another type come out as their text.
pub(crate) fn stringify_annotations(obj: &mut Value) {
    let Some(Value::Map(annotations)) = obj
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(|m| m.as_map_mut())
        .and_then(|m| m.get_mut("annotations"))
    else {
        return;
    };
    for (_, v) in annotations.iter_mut() {
        if matches!(
            v,
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Bool(_) | Value::Null
        ) {
            *v = Value::from(scalar_text(v).as_str());
        }
    }
}

/// The check kustomize makes on objects after a transformer ran.
fn check_identity(r: &Res) -> Result<(), String> {
    let kind_ok = r
        .value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty());
    if !kind_ok {
        return Err(format!("missing kind in object {}", go_object(&r.value)));
    }
    let name_ok = r
        .value
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    if !name_ok {
        return Err(format!(
            "missing metadata.name in object {}",
            go_object(&r.value)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn yaml(text: &str) -> Value {
        let opts = LoadOptions {
            dialect: Dialect::Kustomize,
            ..LoadOptions::default()
        };
        crate::yaml::parse(FileId(0), text, &opts)
            .docs
            .remove(0)
            .value
    }

    fn resmap(text: &str) -> ResMap {
        crate::render::target::parse_resources(FileId(0), text)
            .map_err(|e| e.0)
            .unwrap()
            .into_iter()
            .collect()
    }

    fn run_one(rm: &mut ResMap, r: &str) -> Result<(), String> {
        let f: ReplacementField = crate::render::kustomization::decode(&yaml(r), "Kustomization")
            .map_err(|e| e.message)?;
        let rep = Replacement {
            source: f.source,
            targets: f.targets,
            entry: 0,
        };
        let mut state = State {
            touched: vec![false; rm.len()],
            pending: None,
            untagged: HashSet::new(),
        };
        replace(rm, &rep, &mut state)?;
        match state.pending {
            Some((e, _)) => Err(e),
            None => Ok(()),
        }
    }

    const RES: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  host: db\n  port: \"5432\"\n  path: a.b.c\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1\n      - name: myapp\n        image: busy\n";

    fn deployment(rm: &ResMap) -> &Value {
        &rm.get(1).unwrap().value
    }

    #[test]
    fn splits_paths_like_kyaml() {
        assert_eq!(
            smarter_path_split("a.[name=x.y].b"),
            ["a", "[name=x.y]", "b"]
        );
        assert_eq!(
            smarter_path_split("metadata.annotations.[a.b]"),
            ["metadata", "annotations", "a.b"]
        );
        assert_eq!(
            smarter_path_split("metadata.annotations.[ab]"),
            ["metadata", "annotations", "[ab]"]
        );
        assert_eq!(smarter_path_split("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(smarter_path_split("[a.b"), ["a.b"]);
        assert_eq!(smarter_path_split(".spec.replicas"), ["spec", "replicas"]);
        assert_eq!(go_atoi("+3"), Some(3));
        assert_eq!(go_atoi("-1"), Some(-1));
        assert_eq!(go_atoi("1a"), None);
        assert_eq!(go_quote("a\\.b\""), "\"a\\\\.b\\\"\"");
    }

    #[test]
    fn list_selectors_are_unanchored_and_scalars_keep_their_type() {
        let mut rm = resmap(RES);
        run_one(
            &mut rm,
            "source: {kind: ConfigMap, name: cm, fieldPath: data.port}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.replicas, 'spec.template.spec.containers.[name=app].image']\n",
        )
        .unwrap();
        let d = deployment(&rm);
        assert_eq!(d.pointer("/spec/replicas"), Some(&Value::Int(5432)));
        assert_eq!(
            d.pointer("/spec/template/spec/containers/0/image"),
            Some(&Value::from("5432"))
        );
        assert_eq!(
            d.pointer("/spec/template/spec/containers/1/image"),
            Some(&Value::from("5432"))
        );
    }

    #[test]
    fn text_that_does_not_fit_the_target_type_fails() {
        let mut rm = resmap(RES);
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap, name: cm, fieldPath: data.host}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.replicas]\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "map[string]interface {}(nil): yaml: cannot decode !!str `db` as a !!int"
        );
    }

    #[test]
    fn created_fields_resolve_as_plain_yaml() {
        let mut rm = resmap(RES);
        run_one(
            &mut rm,
            "source: {kind: ConfigMap, name: cm, fieldPath: data.port}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.new.x, 'spec.template.spec.containers.[name=side].ports.0.containerPort']\n  options: {create: true}\n",
        )
        .unwrap();
        let d = deployment(&rm);
        assert_eq!(d.pointer("/spec/new/x"), Some(&Value::Int(5432)));
        assert_eq!(
            d.pointer("/spec/template/spec/containers/2/name"),
            Some(&Value::from("side"))
        );
        assert_eq!(
            d.pointer("/spec/template/spec/containers/2/ports/0/containerPort"),
            Some(&Value::Int(5432))
        );
    }

    #[test]
    fn created_fields_stay_untyped_for_later_writes() {
        let mut rm = resmap(RES);
        let mut state = State {
            touched: vec![false; rm.len()],
            pending: None,
            untagged: HashSet::new(),
        };
        for fp in ["data.port", "metadata.name"] {
            let r: ReplacementField = crate::render::kustomization::decode(
                &yaml(&format!(
                    "source: {{kind: ConfigMap, fieldPath: {fp}}}\ntargets:\n- select: {{kind: Deployment}}\n  fieldPaths: [spec.new]\n  options: {{create: true}}\n"
                )),
                "Kustomization",
            )
            .unwrap();
            let rep = Replacement {
                source: r.source,
                targets: r.targets,
                entry: 0,
            };
            replace(&mut rm, &rep, &mut state).unwrap();
        }
        // "5432" created a number; "cm" then replaces it without a type error.
        assert!(state.pending.is_none());
        assert_eq!(
            deployment(&rm).pointer("/spec/new"),
            Some(&Value::from("cm"))
        );
    }

    #[test]
    fn delimiters_on_source_and_target() {
        let mut rm = resmap(RES);
        run_one(
            &mut rm,
            "source: {kind: ConfigMap, name: cm, fieldPath: data.path, options: {delimiter: '.', index: 1}}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.template.spec.containers.0.image]\n  options: {delimiter: ':', index: 1}\n- select: {kind: Deployment}\n  fieldPaths: [spec.template.spec.containers.1.image]\n  options: {delimiter: ':', index: -1}\n",
        )
        .unwrap();
        let d = deployment(&rm);
        assert_eq!(
            d.pointer("/spec/template/spec/containers/0/image"),
            Some(&Value::from("nginx:b"))
        );
        assert_eq!(
            d.pointer("/spec/template/spec/containers/1/image"),
            Some(&Value::from("b:busy"))
        );
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap, name: cm, fieldPath: data.path, options: {delimiter: '.', index: 3}}\ntargets:\n- select: {kind: Deployment}\n",
        )
        .unwrap_err();
        assert_eq!(e, "options.index 3 is out of bounds for value a.b.c");
    }

    #[test]
    fn source_errors() {
        let mut rm = resmap(RES);
        let t = "targets:\n- select: {kind: Deployment}\n";
        let e = run_one(&mut rm, &format!("source: {{kind: Secret}}\n{t}")).unwrap_err();
        assert_eq!(
            e,
            "nothing selected by Secret.[noVer].[noGrp]/[noName].[noNs]"
        );
        let e = run_one(&mut rm, &format!("source: {{version: v1}}\n{t}")).unwrap_err();
        assert_eq!(
            e,
            "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]"
        );
        let e = run_one(
            &mut rm,
            &format!("source: {{kind: ConfigMap, fieldPath: data.nope}}\n{t}"),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/[noName].[noNs]"
        );
        let e = run_one(&mut rm, "source: {kind: ConfigMap}\n").unwrap_err();
        assert_eq!(
            e,
            "replacements must specify a source and at least one target"
        );
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap}\ntargets:\n- fieldPaths: [a]\n",
        )
        .unwrap_err();
        assert_eq!(e, "target must specify resources to select");
    }

    #[test]
    fn target_errors() {
        let mut rm = resmap(RES);
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap, fieldPath: data.host}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.nothere]\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "unable to find field \"spec.nothere\" in replacement target"
        );
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap, fieldPath: data.host}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.replicas.x]\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("unable to find field \"spec.replicas.x\" in replacement target: wrong node kind: expected MappingNode but got ScalarNode: node contents:\n1"),
            "{e}"
        );
        let e = run_one(
            &mut rm,
            "source: {kind: ConfigMap, fieldPath: data.host}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.template.spec.containers.5.image]\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "unable to find field \"spec.template.spec.containers.5.image\" in replacement target: index 5 specified but only 2 elements found"
        );
    }

    #[test]
    fn reject_by_id_or_by_labels() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  v: NEW\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app: x}\ndata:\n  v: old\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  v: old\n";
        let mut rm = resmap(text);
        rm.get_mut(2).unwrap().store_previous_id();
        rm.get_mut(2).unwrap().set_name("p-b");
        run_one(
            &mut rm,
            "source: {name: src, fieldPath: data.v}\ntargets:\n- select: {kind: ConfigMap}\n  reject: [{labelSelector: app=x, kind: Secret}, {name: b}]\n  fieldPaths: [data.v]\n",
        )
        .unwrap();
        assert_eq!(
            rm.get(1).unwrap().value.pointer("/data/v"),
            Some(&Value::from("old"))
        );
        assert_eq!(
            rm.get(2).unwrap().value.pointer("/data/v"),
            Some(&Value::from("old"))
        );
    }

    #[test]
    fn loads_lists_or_single_replacements_leniently() {
        let v =
            yaml("- source: {kind: A, FieldPath: x, bogus: 1}\n  targets: [{select: {kind: B}}]\n");
        let l = load_replacements(&v).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].0.as_ref().unwrap().field_path, "x");
        let l = load_replacements(&yaml("source: {kind: A}\n")).unwrap();
        assert!(l[0].1.is_empty());
        assert_eq!(
            load_replacements(&Value::from("x")).unwrap_err(),
            "unsupported replacement type encountered within replacement path: string"
        );
        assert_eq!(
            load_replacements(&Value::Null).unwrap_err(),
            "unsupported replacement type encountered within replacement path: invalid"
        );
    }

    #[test]
    fn config_echo_sorts_keys_and_omits_empty_fields() {
        let f: ReplacementField = crate::render::kustomization::decode(
            &yaml("source: {name: cm, kind: ConfigMap, options: {index: 0, delimiter: ':'}}\ntargets: [{select: {kind: X}, fieldPaths: [a.b]}]\n"),
            "Kustomization",
        )
        .unwrap();
        let path = ReplacementField {
            path: "r.yaml".to_owned(),
            ..ReplacementField::default()
        };
        assert_eq!(
            config_yaml(&[f, path], "Replacements"),
            "Replacements:\n- source:\n    kind: ConfigMap\n    name: cm\n    options:\n      delimiter: ':'\n  targets:\n  - fieldPaths:\n    - a.b\n    select:\n      kind: X\n- path: r.yaml\n"
        );
    }

    #[test]
    fn annotations_become_strings() {
        let mut v = yaml("metadata:\n  annotations: {a: 1, b: true, c: x}\n");
        stringify_annotations(&mut v);
        assert_eq!(
            v.pointer("/metadata/annotations/a"),
            Some(&Value::from("1"))
        );
        assert_eq!(
            v.pointer("/metadata/annotations/b"),
            Some(&Value::from("true"))
        );
    }
}
