//! Strategic merge patches as kustomize v5.5.0 applies them: kyaml's `merge2`
//! walker with `ListIncreaseDirection: Prepend`, not apimachinery's
//! `strategicpatch`.
//!
//! The walker's results depend on details of kyaml's node handling (nodes
//! shared between the target and the patch, elements matched by the *text*
//! of their keys, elements without keys flushing the list, styles copied from
//! the replaced scalar), so the target and the patch are loaded into an arena
//! of nodes that behave like kyaml's pointers and the walk follows kyaml's
//! steps. Observed consequences, all reproduced here:
//!
//! * list elements only in the patch come first, in patch order, and so do
//!   elements in both lists; elements only in the target follow;
//! * `$patch: replace` on a keyed list element has no effect; a list directive
//!   (an element holding only `$patch`) is honoured only when the target has
//!   the list; any other element without the merge key drops every keyed
//!   element of the target;
//! * a target element without the merge key drops every element before it;
//! * `null` fields of the target survive, but empty (`key:`) ones are dropped
//!   from maps the walk visits — drydock cannot tell the two apart and keeps
//!   both; null elements of merged lists are dropped;
//! * a scalar replacing a quoted string becomes a string (`"1"` patched with `2`
//!   gives `"2"`);
//! * values of different kinds (map, list, scalar) do not replace each other:
//!   the patch fails.

use std::collections::HashSet;

use crate::yaml::resolve::Dialect;
use crate::yaml::{Key, Map, Seq, Str, Value};

use super::schema::{MergeSchema, Schema};

/// What a strategic merge patch did to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmpOutcome {
    /// The target was merged with the patch.
    Patched,
    /// A top-level `$patch: delete` removed the whole resource.
    Deleted,
}

/// A patch that could not be applied, with kustomize's message where practical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError(pub String);

impl std::fmt::Display for PatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatchError {}

/// Nesting beyond this is refused instead of risking the stack.
const MAX_DEPTH: usize = 400;

/// Applies a strategic merge patch to `target`, a whole Kubernetes object.
///
/// Merge keys come from `schema`, looked up by the target's apiVersion and kind
/// (and by the apiVersion and kind of nested objects that have no schema of
/// their own). On error `target` is left unchanged. Name, kind and namespace are
/// not restored here.
pub fn apply_smp(
    target: &mut Value,
    patch: &Value,
    schema: &MergeSchema,
) -> Result<SmpOutcome, PatchError> {
    let mut w = Walker {
        nodes: Vec::new(),
        schema,
    };
    let dest = w.import(target, 0)?;
    let origin = w.import(patch, 0)?;
    match w.walk([Some(dest), Some(origin)], None, 0)? {
        // kustomize keeps the target's own node, merged in place: a top-level
        // `$patch: replace` returns the patch instead, which is then ignored.
        Some(id) if !w.is_null(id) => {
            *target = w.export(dest, 0)?;
            Ok(SmpOutcome::Patched)
        }
        _ => Ok(SmpOutcome::Deleted),
    }
}

type Id = usize;
/// The destination (target) and origin (patch) nodes being merged.
type Sources = [Option<Id>; 2];

#[derive(Clone, Debug)]
enum Data {
    Scalar(Scalar),
    Seq(Vec<Id>),
    Map(Vec<(Key, Id)>),
}

#[derive(Clone, Debug)]
struct Scalar {
    /// The typed value; ignored for untagged scalars.
    value: Value,
    /// The scalar's text, which kyaml compares when matching merge keys
    /// (empty for tagged strings, whose text is their value).
    text: Str,
    /// Created by kyaml without a tag: its type is re-read from `text`.
    untagged: bool,
}

#[derive(Clone, Debug)]
struct Node {
    data: Data,
    /// Plain style. A non-plain (quoted or block) scalar with a non-string tag is
    /// printed quoted by kyaml and so becomes a string.
    plain: bool,
    /// A target null the patch did not mention: kept as a field value (kyaml's
    /// `ShouldKeep`), though still null everywhere else.
    keep: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Scalar,
    Seq,
    Map,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Scalar => "ScalarNode",
            Kind::Seq => "SequenceNode",
            Kind::Map => "MappingNode",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

struct Walker<'s> {
    nodes: Vec<Node>,
    schema: &'s MergeSchema,
}

fn too_deep() -> PatchError {
    PatchError(format!(
        "strategic merge patch: nesting deeper than {MAX_DEPTH} levels"
    ))
}

impl<'s> Walker<'s> {
    // ---- arena -------------------------------------------------------------

    fn push(&mut self, data: Data, plain: bool) -> Id {
        self.nodes.push(Node {
            data,
            plain,
            keep: false,
        });
        self.nodes.len() - 1
    }

    fn import(&mut self, v: &Value, depth: usize) -> Result<Id, PatchError> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        Ok(match v {
            Value::Seq(items) => {
                let ids = items
                    .iter()
                    .map(|i| self.import(i, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push(Data::Seq(ids), true)
            }
            Value::Map(m) => {
                let mut fields = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let id = self.import(v, depth + 1)?;
                    fields.push((Key::new(k), id));
                }
                self.push(Data::Map(fields), true)
            }
            scalar => {
                // A string is its own text; only other scalars need one kept.
                let text = match scalar {
                    Value::String(_) => Str::default(),
                    other => scalar_text(other),
                };
                let plain = !needs_quotes(scalar);
                self.push(
                    Data::Scalar(Scalar {
                        value: scalar.clone(),
                        text,
                        untagged: false,
                    }),
                    plain,
                )
            }
        })
    }

    fn export(&self, id: Id, depth: usize) -> Result<Value, PatchError> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let node = self.node(id);
        Ok(match &node.data {
            Data::Seq(items) => Value::Seq(
                items
                    .iter()
                    .map(|&i| self.export(i, depth + 1))
                    .collect::<Result<Seq, _>>()?,
            ),
            // Keys stay unique: fields are only ever appended when absent.
            Data::Map(fields) => Value::Map(Map::from_unique(
                fields
                    .iter()
                    .map(|(k, v)| Ok((*k, self.export(*v, depth + 1)?)))
                    .collect::<Result<_, PatchError>>()?,
            )),
            Data::Scalar(s) if s.untagged => {
                if node.plain {
                    Dialect::Kustomize.resolve(&s.text).into_value(&s.text)
                } else {
                    Value::String(s.text.clone())
                }
            }
            Data::Scalar(s) => match &s.value {
                Value::String(_) => s.value.clone(),
                _ if node.plain => s.value.clone(),
                // kyaml prints a quoted non-string as a quoted string.
                _ => Value::String(Str::from(self.text(id))),
            },
        })
    }

    fn node(&self, id: Id) -> &Node {
        &self.nodes[id]
    }

    fn kind(&self, id: Id) -> Kind {
        match self.node(id).data {
            Data::Scalar(_) => Kind::Scalar,
            Data::Seq(_) => Kind::Seq,
            Data::Map(_) => Kind::Map,
        }
    }

    /// A scalar tagged null (kyaml's `IsTaggedNull`).
    fn is_null(&self, id: Id) -> bool {
        matches!(&self.node(id).data, Data::Scalar(s) if !s.untagged && s.value.is_null())
    }

    /// kyaml's `IsMissingOrNull`.
    fn missing_or_null(&self, id: Option<Id>) -> bool {
        id.is_none_or(|id| self.is_null(id))
    }

    fn is_empty_map(&self, id: Option<Id>) -> bool {
        id.is_some_and(|id| matches!(&self.node(id).data, Data::Map(f) if f.is_empty()))
    }

    /// A node's `Value` text: the scalar's text, empty for collections.
    fn text(&self, id: Id) -> &str {
        match &self.node(id).data {
            Data::Scalar(Scalar {
                value: Value::String(v),
                untagged: false,
                ..
            }) => v,
            Data::Scalar(s) => &s.text,
            _ => "",
        }
    }

    fn fields(&self, id: Id) -> &[(Key, Id)] {
        match &self.node(id).data {
            Data::Map(f) => f,
            _ => &[],
        }
    }

    fn items(&self, id: Id) -> &[Id] {
        match &self.node(id).data {
            Data::Seq(items) => items,
            _ => &[],
        }
    }

    /// The value of field `name`, if `id` is a map that has it.
    fn field(&self, id: Id, name: &str) -> Option<Id> {
        self.fields(id)
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| *v)
    }

    /// [`Self::field`] for an interned key: a pointer comparison per field.
    fn field_key(&self, id: Id, name: Key) -> Option<Id> {
        self.fields(id)
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    fn new_untagged(&mut self, text: &str) -> Id {
        self.push(
            Data::Scalar(Scalar {
                value: Value::Null,
                text: Str::from(text),
                untagged: true,
            }),
            true,
        )
    }

    fn contents(&self, id: Id) -> String {
        let v = self.export(id, 0).unwrap_or_default();
        match crate::render::emit::emit_document(&v) {
            Ok(s) => s.trim_end().to_owned(),
            Err(e) => e.0,
        }
    }

    fn wrong_kind(&self, expected: Kind, id: Id) -> PatchError {
        PatchError(format!(
            "wrong node kind: expected {} but got {}: node contents:\n{}",
            expected.name(),
            self.kind(id).name(),
            self.contents(id)
        ))
    }

    // ---- the walk ----------------------------------------------------------

    /// Merges `src[1]` (patch) into `src[0]` (target); `None` clears the field.
    fn walk(
        &mut self,
        src: Sources,
        schema: Option<&'s Schema>,
        depth: usize,
    ) -> Result<Option<Id>, PatchError> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let schema = schema.or_else(|| self.schema_from_meta(&src));
        let first = src.iter().flatten().copied().find(|&id| !self.is_null(id));
        let Some(first) = first else {
            // All missing or null: walked as a map.
            return self.walk_map(src, schema, depth);
        };
        let kind = self.kind(first);
        for id in src.iter().flatten().copied() {
            if !self.is_null(id) && self.kind(id) != kind {
                return Err(self.wrong_kind(kind, id));
            }
        }
        match kind {
            Kind::Map => self.walk_map(src, schema, depth),
            Kind::Seq if schema.is_some_and(Schema::has_merge_strategy) => {
                self.walk_associative(src, schema, depth)
            }
            // Lists without a merge strategy and scalars: the patch wins.
            Kind::Seq | Kind::Scalar => Ok(src[1].or(src[0])),
        }
    }

    /// A nested object without a schema of its own gets its type's schema.
    fn schema_from_meta(&self, src: &Sources) -> Option<&'s Schema> {
        for id in src.iter().flatten().copied() {
            if self.kind(id) != Kind::Map {
                continue;
            }
            let get = |k| self.field(id, k).map(|v| self.text(v)).unwrap_or("");
            let (api_version, kind) = (get("apiVersion"), get("kind"));
            if api_version.is_empty() || kind.is_empty() {
                continue;
            }
            if let Some(s) = self.schema.for_type(api_version, kind) {
                return Some(s);
            }
        }
        None
    }

    fn walk_map(
        &mut self,
        mut src: Sources,
        schema: Option<&'s Schema>,
        depth: usize,
    ) -> Result<Option<Id>, PatchError> {
        let dest = self.visit_map(src)?;
        src[0] = dest;
        let Some(dest) = dest else { return Ok(None) };
        let mut names: Vec<Key> = src
            .iter()
            .flatten()
            .flat_map(|&id| self.fields(id).iter().map(|(k, _)| *k))
            .collect();
        names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        names.dedup();
        for name in names {
            let field_schema = schema.and_then(|s| self.schema.field(s, &name));
            let values = [
                src[0].and_then(|id| self.field_key(id, name)),
                src[1].and_then(|id| self.field_key(id, name)),
            ];
            let val = self.walk(values, field_schema, depth + 1)?;
            self.set_field(dest, name, val)?;
        }
        Ok(Some(dest))
    }

    fn visit_map(&mut self, src: Sources) -> Result<Option<Id>, PatchError> {
        let [dest, origin] = src;
        if self.missing_or_null(dest) {
            // kyaml ignores directive errors when adding a map.
            if self.directive(origin).unwrap_or(Directive::Merge) == Directive::Delete {
                return Ok(None);
            }
            // An explicit null in the target survives when the patch does not
            // mention the field; an empty one (`key:`) does not.
            if let (None, Some(d)) = (origin, dest)
                && !self.text(d).is_empty()
            {
                self.nodes[d].keep = true;
                return Ok(Some(d));
            }
            return Ok(origin);
        }
        if origin.is_some_and(|o| self.is_null(o)) {
            return Ok(None);
        }
        Ok(match self.directive(origin)? {
            Directive::Delete => None,
            Directive::Replace => origin,
            Directive::Merge => dest,
        })
    }

    /// Reads and removes a `$patch` directive from a patch map.
    fn directive(&mut self, origin: Option<Id>) -> Result<Directive, PatchError> {
        let Some(o) = origin else {
            return Ok(Directive::Merge);
        };
        match self.kind(o) {
            Kind::Seq => {
                // A list directive is an element holding only `$patch`; kyaml
                // looks at the first element that has the key, whatever else it holds.
                let first = self
                    .items(o)
                    .iter()
                    .copied()
                    .find(|&e| self.field(e, "$patch").is_some());
                let Some(e) = first else {
                    return Ok(Directive::Merge);
                };
                if self.fields(e).len() > 1 {
                    return Ok(Directive::Merge);
                }
                let text = self
                    .field(e, "$patch")
                    .map(|v| Str::from(self.text(v)))
                    .unwrap_or_default();
                let d = match text.as_str() {
                    "delete" => Directive::Delete,
                    "replace" => Directive::Replace,
                    "merge" => Directive::Merge,
                    other => return Err(PatchError(format!("unknown patch strategy '{other}'"))),
                };
                // Removes every element whose `$patch` has this value.
                self.element_setter(o, None, &[Str::from("$patch")], &[text])?;
                Ok(d)
            }
            Kind::Scalar => Err(PatchError(format!(
                "no implemented strategic merge patch strategy for '{}' ('{}')",
                self.short_tag(o),
                self.text(o)
            ))),
            Kind::Map => {
                let Some(v) = self.field(o, "$patch") else {
                    return Ok(Directive::Merge);
                };
                let d = match self.text(v) {
                    "delete" => Directive::Delete,
                    "replace" => Directive::Replace,
                    "merge" => Directive::Merge,
                    other => return Err(PatchError(format!("unknown patch strategy '{other}'"))),
                };
                self.clear_field(o, "$patch");
                Ok(d)
            }
        }
    }

    fn short_tag(&self, id: Id) -> &'static str {
        match &self.node(id).data {
            Data::Scalar(s) if s.untagged => "",
            Data::Scalar(s) => match s.value {
                Value::Null => "!!null",
                Value::Bool(_) => "!!bool",
                Value::Int(_) | Value::BigInt(_) => "!!int",
                Value::Float(_) => "!!float",
                _ => "!!str",
            },
            Data::Seq(_) => "!!seq",
            Data::Map(_) => "!!map",
        }
    }

    fn clear_field(&mut self, id: Id, name: &str) {
        if let Data::Map(fields) = &mut self.nodes[id].data
            && let Some(i) = fields.iter().position(|(k, _)| k.as_str() == name)
        {
            fields.remove(i);
        }
    }

    /// kyaml's `FieldSetter`: clears the field for a missing or null value,
    /// otherwise overwrites the existing node in place (keeping its style) or
    /// appends the field.
    fn set_field(&mut self, dest: Id, name: Key, val: Option<Id>) -> Result<(), PatchError> {
        if self.kind(dest) != Kind::Map {
            return Err(self.wrong_kind(Kind::Map, dest));
        }
        match val {
            Some(v) if !self.is_null(v) || self.node(v).keep => {
                if let Some(existing) = self.field_key(dest, name) {
                    let style = self.node(existing).plain;
                    self.nodes[v].plain = style;
                    if existing != v {
                        self.nodes[existing] = self.nodes[v].clone();
                    }
                } else if let Data::Map(fields) = &mut self.nodes[dest].data {
                    fields.push((name, v));
                }
            }
            _ => {
                if let Data::Map(fields) = &mut self.nodes[dest].data
                    && let Some(i) = fields.iter().position(|(k, _)| *k == name)
                {
                    fields.remove(i);
                }
            }
        }
        Ok(())
    }

    /// kyaml's `FieldSetter` without a name: overwrites a scalar in place.
    fn set_scalar(&mut self, dest: Id, val: Id) -> Result<(), PatchError> {
        if self.kind(dest) != Kind::Scalar {
            return Err(self.wrong_kind(Kind::Scalar, dest));
        }
        self.nodes[val].plain = self.node(dest).plain;
        self.nodes[dest] = self.nodes[val].clone();
        Ok(())
    }

    // ---- associative lists -------------------------------------------------

    fn walk_associative(
        &mut self,
        mut src: Sources,
        schema: Option<&'s Schema>,
        depth: usize,
    ) -> Result<Option<Id>, PatchError> {
        let [dest, origin] = src;
        let dest = if self.missing_or_null(dest) {
            origin
        } else if origin.is_some_and(|o| self.is_null(o)) {
            None
        } else {
            match self.directive(origin)? {
                Directive::Delete => None,
                Directive::Replace => origin,
                Directive::Merge => dest,
            }
        };
        src[0] = dest;
        let (Some(dest), Some(schema)) = (dest, schema) else {
            return Ok(None);
        };
        let keys: Vec<Str> = schema
            .strategy_and_keys()
            .1
            .into_iter()
            .map(Str::from)
            .collect();
        let values = self.element_values(&src, &keys);
        if !values.is_empty() || !keys.is_empty() {
            self.set_associative_elements(src, values, keys, dest, schema, depth)
        } else {
            // A list of scalars (finalizers): the elements are their own keys.
            let values = self.primitive_values(&src);
            self.set_associative_elements(src, values, vec![Str::default()], dest, schema, depth)
        }
    }

    /// The key values of every element, patch elements first, without repeats.
    fn element_values(&self, src: &Sources, keys: &[Str]) -> Vec<Vec<Str>> {
        let mut out: Vec<Vec<Str>> = Vec::new();
        for list in [src[1], src[0]].into_iter().flatten() {
            if self.kind(list) != Kind::Seq {
                continue;
            }
            for &e in self.items(list) {
                let values: Vec<Str> = keys
                    .iter()
                    .map(|k| match self.field(e, k) {
                        Some(f) if !self.is_nil_or_empty(f) => Str::from(self.text(f)),
                        _ => Str::default(),
                    })
                    .collect();
                if values.is_empty() || out.contains(&values) {
                    continue;
                }
                out.push(values);
            }
        }
        out
    }

    fn is_nil_or_empty(&self, id: Id) -> bool {
        match &self.node(id).data {
            Data::Map(f) => f.is_empty(),
            Data::Seq(items) => items.is_empty(),
            Data::Scalar(_) => self.is_null(id),
        }
    }

    fn primitive_values(&self, src: &Sources) -> Vec<Vec<Str>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for list in [src[1], src[0]].into_iter().flatten() {
            for &e in self.items(list) {
                let t = Str::from(self.text(e));
                if seen.insert(t.clone()) {
                    out.push(vec![t]);
                }
            }
        }
        out
    }

    fn set_associative_elements(
        &mut self,
        src: Sources,
        mut values_list: Vec<Vec<Str>>,
        keys: Vec<Str>,
        dest: Id,
        schema: &'s Schema,
        depth: usize,
    ) -> Result<Option<Id>, PatchError> {
        let items = self.push(Data::Seq(Vec::new()), true);
        let element_schema = self.schema.elements(schema);
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        // The keys of the last element walked also drive the final append.
        let mut valid_keys = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let valid_values;
            (valid_keys, valid_values) = validate_keys(&values_list, values, &keys);
            let elements = self.element_value_list(&src, &valid_keys, &valid_values);
            let val = self.walk(elements, element_schema, depth + 1)?;
            let mut deleted = false;
            for (i, key) in valid_keys.iter().enumerate() {
                if self.missing_or_null(val) || self.is_empty_map(val) {
                    self.element_setter(dest, None, &valid_keys, &valid_values)?;
                    deleted = true;
                } else if let Some(v) = val
                    && self.field(v, key).is_none()
                    && valid_values.get(i).is_some_and(|s| !s.is_empty())
                {
                    // Make sure the element carries its key.
                    let text = valid_values.get(i).cloned().unwrap_or_default();
                    let scalar = self.new_untagged(&text);
                    if key.is_empty() {
                        self.set_scalar(v, scalar)?;
                    } else {
                        self.set_field(v, Key::new(key), Some(scalar))?;
                    }
                }
            }
            if deleted {
                continue;
            }
            self.element_setter(items, val, &valid_keys, &valid_values)?;
        }
        let mut result = Some(dest);
        if !values_list.is_empty() {
            // Prepend: the target's elements go after the patch's.
            if valid_keys.is_empty() {
                return Err(PatchError(
                    "strategic merge patch: list merge without keys".to_owned(),
                ));
            }
            result = Some(self.append_list_node(items, dest, &valid_keys)?);
        }
        if self.missing_or_null(result) {
            return Ok(None);
        }
        Ok(result)
    }

    /// Each source's element matching `keys` = `values`.
    fn element_value_list(&self, src: &Sources, keys: &[Str], values: &[Str]) -> Sources {
        let (keys, values) = validate_keys(&[values.to_vec()], values, keys);
        src.map(|list| list.and_then(|l| self.element_list(l, &keys, &values)))
    }

    /// kyaml's `ElementList`: the first element whose key fields have exactly
    /// these texts (or, for scalar lists, whose text is the value).
    fn element_list(&self, list: Id, keys: &[Str], values: &[Str]) -> Option<Id> {
        if self.kind(list) != Kind::Seq {
            return None;
        }
        let first_key = keys.first().map(Str::as_str).unwrap_or("");
        let first_value = values.first().map(Str::as_str).unwrap_or("");
        if first_key.is_empty() {
            return self
                .items(list)
                .iter()
                .copied()
                .find(|&e| self.text(e) == first_value);
        }
        let values: Vec<&str> = if values.is_empty() {
            vec![""]
        } else {
            values.iter().map(Str::as_str).collect()
        };
        if keys.len() != values.len() {
            return None;
        }
        self.items(list).iter().copied().find(|&e| {
            self.kind(e) == Kind::Map
                && keys.iter().zip(&values).all(|(k, v)| {
                    self.fields(e)
                        .iter()
                        .any(|(fk, fv)| fk.as_str() == k.as_str() && self.text(*fv) == *v)
                })
        })
    }

    /// kyaml's `FieldMatcher{Name, StringValue}`: an empty value matches any.
    fn field_matcher(&self, id: Id, name: &str, value: &str) -> Result<Option<Id>, PatchError> {
        if self.is_null(id) {
            return Ok(None);
        }
        if name.is_empty() {
            if self.kind(id) != Kind::Scalar {
                return Err(self.wrong_kind(Kind::Scalar, id));
            }
            return Ok((self.text(id) == value).then_some(id));
        }
        if self.kind(id) != Kind::Map {
            return Err(self.wrong_kind(Kind::Map, id));
        }
        Ok(self
            .fields(id)
            .iter()
            .find(|(k, v)| k.as_str() == name && (value.is_empty() || self.text(*v) == value))
            .map(|(_, v)| *v))
    }

    /// kyaml's `ElementSetter`: rebuilds `list` without null and empty-map
    /// elements, replacing (or, for `None`, removing) those matching `keys` =
    /// `values`, and appends `element` if nothing matched. With no values, every
    /// element that does not match is dropped too.
    fn element_setter(
        &mut self,
        list: Id,
        element: Option<Id>,
        keys: &[Str],
        values: &[Str],
    ) -> Result<(), PatchError> {
        let empty = [Str::default()];
        let keys = if keys.is_empty() { &empty[..] } else { keys };
        if self.kind(list) != Kind::Seq {
            return Err(self.wrong_kind(Kind::Seq, list));
        }
        let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
        let mut content = Vec::new();
        let mut found_any = false;
        for e in self.items(list).to_vec() {
            if self.is_null(e) || self.is_empty_map(Some(e)) {
                continue;
            }
            if self.kind(e) != Kind::Map && mapping_setter {
                content.push(e);
                continue;
            }
            let mut val = None;
            let mut found = true;
            for (j, key) in keys.iter().enumerate() {
                if let Some(v) = values.get(j) {
                    val = self.field_matcher(e, key, v)?;
                }
                if val.is_none() {
                    found = false;
                    break;
                }
            }
            if !found {
                if !values.is_empty() {
                    content.push(e);
                }
                continue;
            }
            found_any = true;
            if let Some(el) = element {
                content.push(el);
            }
        }
        if let Some(el) = element
            && !self.is_null(el)
            && !found_any
        {
            content.push(el);
        }
        self.nodes[list].data = Data::Seq(content);
        Ok(())
    }

    /// Adds the target's elements after the merged ones in `dst`.
    fn append_list_node(&mut self, dst: Id, src: Id, keys: &[Str]) -> Result<Id, PatchError> {
        for elem in self.items(src).to_vec() {
            if keys[0].is_empty() {
                let text = Str::from(self.text(elem));
                self.element_setter(dst, Some(elem), &[Str::default()], &[text])?;
                continue;
            }
            let mut v = Vec::new();
            for key in keys {
                match self.field_matcher(elem, key, "")? {
                    Some(f) => v.push(Str::from(self.text(f))),
                    // An element without the key is appended as is, and the
                    // setter below then drops everything before it.
                    None => {
                        if let Data::Seq(items) = &mut self.nodes[dst].data {
                            items.push(elem);
                        }
                    }
                }
            }
            if keys.len() > 1 {
                self.element_setter(dst, None, keys, &v)?;
            }
            self.element_setter(dst, Some(elem), keys, &v)?;
        }
        Ok(dst)
    }
}

/// Multi-key lists: key tuples that agree except where one side is empty are
/// made the same (kyaml's `mergeValues`, including its in-place updates).
fn merge_values(list: &mut [Vec<Str>]) {
    for i in 0..list.len() {
        let v1 = list[i].clone();
        for j in 0..list.len() {
            if let Some(res) = match_values(&v1, &list[j]) {
                list[i] = res.clone();
                list[j] = res;
            }
        }
    }
}

fn match_values(a: &[Str], b: &[Str]) -> Option<Vec<Str>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            res.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            res.push(x.clone());
        } else {
            res.push(y.clone());
        }
    }
    common.then_some(res)
}

/// Drops the keys no element of the list has a value for (kyaml's `validateKeys`).
fn validate_keys(values_list: &[Vec<Str>], values: &[Str], keys: &[Str]) -> (Vec<Str>, Vec<Str>) {
    let mut valid = HashSet::new();
    for vals in values_list {
        for (i, v) in vals.iter().enumerate() {
            if !v.is_empty()
                && let Some(k) = keys.get(i)
            {
                valid.insert(k.clone());
            }
        }
    }
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let valid_keys = keys
        .iter()
        .filter(|k| valid.contains(*k))
        .cloned()
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || keys.get(*i).is_some_and(|k| valid.contains(k)))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// The text kyaml would hold for a scalar (its source text is not kept).
fn scalar_text(v: &Value) -> Str {
    match v {
        Value::Null => Str::from("null"),
        Value::Bool(b) => Str::from(if *b { "true" } else { "false" }),
        Value::Int(i) => Str::from(i.to_string()),
        Value::BigInt(s) => Str::from(&**s),
        Value::Float(f) => Str::from(crate::render::emit::go_format_g(*f)),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => Str::default(),
    }
}

/// Whether a string must have been quoted (or written as a block) in its
/// source: that is the only style information the value tree keeps.
fn needs_quotes(v: &Value) -> bool {
    use crate::yaml::resolve::Resolved;
    let Value::String(s) = v else { return false };
    let syntax = s.is_empty()
        || s.contains('\n')
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.starts_with([
            ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
        ])
        || matches!(s.as_str(), "-" | "?" | ":")
        || s.starts_with("- ")
        || s.starts_with("? ");
    // Plain timestamps come out of the reader as strings already. Strings that
    // YAML 1.1 would read as something else (`yes`, `on`, `0777`) are quoted in
    // manifests meant for kubectl.
    syntax
        || !matches!(
            Dialect::Kustomize.resolve(s),
            Resolved::String | Resolved::Timestamp(_)
        )
        || !matches!(
            Dialect::Kubectl.resolve(s),
            Resolved::String | Resolved::Timestamp(_)
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{LoadOptions, parse};

    fn yaml(text: &str) -> Value {
        let opts = LoadOptions {
            dialect: Dialect::Kustomize,
            ..Default::default()
        };
        parse(FileId(0), text, &opts)
            .docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or_default()
    }

    fn merge(target: &str, patch: &str) -> Result<(SmpOutcome, Value), PatchError> {
        let mut t = yaml(target);
        let outcome = apply_smp(&mut t, &yaml(patch), MergeSchema::builtin())?;
        Ok((outcome, t))
    }

    fn merged(target: &str, patch: &str) -> Value {
        match merge(target, patch) {
            Ok((_, v)) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn names(v: &Value, pointer: &str) -> Vec<String> {
        v.pointer(pointer)
            .and_then(Value::as_seq)
            .unwrap_or(&[])
            .iter()
            .map(|e| {
                e.get("name")
                    .or_else(|| e.get("containerPort"))
                    .map(|n| serde_json::to_string(n).unwrap_or_default())
                    .unwrap_or_else(|| "-".to_owned())
            })
            .collect()
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n";

    #[test]
    fn maps_merge_and_nulls_delete() {
        let v = merged(
            "kind: X\nmetadata: {name: a, labels: {a: '1', b: '2'}}\nspec: {replicas: 3, keep: true}\n",
            "kind: X\nmetadata: {labels: {b: null, c: '3'}}\nspec: {replicas: null, new: {x: 1}}\n",
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"kind":"X","metadata":{"name":"a","labels":{"a":"1","c":"3"}},"spec":{"keep":true,"new":{"x":1}}}"#
        );
    }

    #[test]
    fn new_and_matched_elements_come_first_in_patch_order() {
        let target = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers: [{{name: a}}, {{name: b}}, {{name: c}}]\n"
        );
        let patch = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers: [{{name: c, image: x}}, {{name: n1}}, {{name: a}}, {{name: n2}}]\n"
        );
        let v = merged(&target, &patch);
        assert_eq!(
            names(&v, "/spec/template/spec/containers"),
            [r#""c""#, r#""n1""#, r#""a""#, r#""n2""#, r#""b""#]
        );
    }

    #[test]
    fn lists_without_schema_are_replaced() {
        let v = merged(
            "apiVersion: x.io/v1\nkind: T\nspec:\n  items: [{name: a}, {name: b}]\n",
            "apiVersion: x.io/v1\nkind: T\nspec:\n  items: [{name: c}]\n",
        );
        assert_eq!(names(&v, "/spec/items"), [r#""c""#]);
    }

    #[test]
    fn ports_merge_on_port_and_protocol() {
        let target = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        ports: [{{containerPort: 80, protocol: TCP}}, {{containerPort: 53, protocol: UDP}}, {{containerPort: 53, protocol: TCP}}]\n"
        );
        let patch = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        ports: [{{containerPort: 80, protocol: UDP}}, {{containerPort: 53, name: dns}}, {{containerPort: \"90\"}}]\n"
        );
        let v = merged(&target, &patch);
        // Observed with kubectl: the port without protocol matched nothing and was lost.
        assert_eq!(
            names(&v, "/spec/template/spec/containers/0/ports"),
            ["80", r#""90""#, "80", "53", "53"]
        );
    }

    #[test]
    fn directives() {
        let target = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        env: [{{name: X}}, {{name: Y}}]\n      - name: s\n"
        );
        let patch = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        env: [{{name: Z}}, {{$patch: replace}}]\n      - {{name: s, $patch: delete}}\n"
        );
        let v = merged(&target, &patch);
        assert_eq!(names(&v, "/spec/template/spec/containers"), [r#""a""#]);
        assert_eq!(
            names(&v, "/spec/template/spec/containers/0/env"),
            [r#""Z""#]
        );

        let (outcome, _) = merge(DEPLOY, &format!("$patch: delete\n{DEPLOY}"))
            .unwrap_or((SmpOutcome::Patched, Value::Null));
        assert_eq!(outcome, SmpOutcome::Deleted);

        let err = merge(DEPLOY, &format!("{DEPLOY}spec: {{$patch: bogus}}\n"));
        assert_eq!(
            err.err().map(|e| e.0),
            None,
            "a directive on an absent map is ignored"
        );
        let err = merge(
            &format!("{DEPLOY}spec: {{a: 1}}\n"),
            &format!("{DEPLOY}spec: {{$patch: bogus}}\n"),
        );
        assert_eq!(
            err.err().map(|e| e.0),
            Some("unknown patch strategy 'bogus'".to_owned())
        );
    }

    #[test]
    fn finalizers_merge_as_a_set() {
        let v = merged(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [a, b]}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [c, a]}\n",
        );
        assert_eq!(
            serde_json::to_string(v.pointer("/metadata/finalizers").unwrap_or(&Value::Null))
                .unwrap_or_default(),
            r#"["c","a","b"]"#
        );
    }

    #[test]
    fn target_nulls_survive_but_null_list_elements_do_not() {
        let v = merged(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: null, finalizers: [a, null]}\ndata: {x: null}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {y: '1'}\n",
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","creationTimestamp":null,"finalizers":["a"]},"data":{"x":null,"y":"1"}}"#
        );
    }

    #[test]
    fn top_level_replace_leaves_the_target_alone() {
        let target = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
        let v = merged(
            target,
            "$patch: replace\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {b: '2'}\n",
        );
        assert_eq!(v, yaml(target));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let v = merged(
            "kind: X\nspec: {a: \"1\", b: abc, c: 1}\n",
            "kind: X\nspec: {a: 2, b: 3, c: \"4\"}\n",
        );
        assert_eq!(
            serde_json::to_string(v.get("spec").unwrap_or(&Value::Null)).unwrap_or_default(),
            r#"{"a":"2","b":3,"c":"4"}"#
        );
    }

    #[test]
    fn kind_mismatch_is_an_error() {
        let e = merge("kind: X\nspec: {a: [1]}\n", "kind: X\nspec: {a: {b: 1}}\n");
        let msg = e.err().map(|e| e.0).unwrap_or_default();
        assert!(
            msg.starts_with(
                "wrong node kind: expected SequenceNode but got MappingNode: node contents:\n"
            ),
            "{msg}"
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        // Scalars in keyed lists, keyless elements, nested nonsense.
        let target = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers: [{{name: a}}, 5, null, {{}}, [1]]\n      volumes: {{}}\n"
        );
        let patch = format!(
            "{DEPLOY}spec:\n  template:\n    spec:\n      containers: [{{name: a, $patch: replace}}, {{image: x}}, null]\n      volumes: [{{name: v}}]\n"
        );
        let _ = merge(&target, &patch);
        let _ = merge("kind: X\n", "- 1\n");
        let _ = merge("a: 1\n", "$patch: [1]\n");
        let mut deep = String::new();
        for _ in 0..600 {
            deep.push('[');
        }
        for _ in 0..600 {
            deep.push(']');
        }
        let _ = merge(
            &format!("kind: X\nspec: {deep}\n"),
            &format!("kind: X\nspec: {deep}\n"),
        );
    }
}
