//! Building values from parser events, one chunk of a stream at a time.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use super::resolve::{self, Resolved, Trap};
use super::split::{Boundary, Chunk};
use super::value::{Map, Str, Value};
use super::{DocSpan, LoadOptions, Parsed, ParsedDoc, errors, tabs};
use crate::diagnostic::{Diagnostic, Location, Target, codes};
use crate::source::{FileId, LineIndex};

/// Parses one chunk, resuming at the next document after a syntax error.
pub(super) fn parse_chunk(
    file: FileId,
    text: &str,
    chunk: &Chunk,
    segments: &[Boundary],
    opts: &LoadOptions,
) -> Parsed {
    let mut out = Parsed::default();
    let mut start = chunk.start;
    loop {
        let slice = &text[start.byte..chunk.end];
        let mut b = Builder::new(file, slice, start, opts);
        let result = b.run();
        out.docs.append(&mut b.docs);
        out.diagnostics.append(&mut b.diags);
        let Err(err) = result else { break };
        let at = start.byte
            + b.pos.byte(
                err.marker().index(),
                err.marker().line(),
                err.marker().col(),
            );
        out.diagnostics
            .push(errors::syntax_error(file, text, at, err.info()));
        match segments.iter().find(|s| s.byte > at && s.byte < chunk.end) {
            Some(next) => start = *next,
            None => break,
        }
    }
    out
}

/// Converts the parser's character positions to byte offsets within a slice.
pub(super) struct Pos<'a> {
    text: &'a str,
    lines: Option<LineIndex>,
}

impl<'a> Pos<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        // Character index equals byte offset in ASCII text; only other text
        // needs the line table.
        let lines = (!text.is_ascii()).then(|| LineIndex::new(text));
        Pos { text, lines }
    }

    pub(super) fn byte(&self, index: usize, line: usize, col: usize) -> usize {
        match &self.lines {
            None => index.min(self.text.len()),
            Some(l) => l.byte_of(self.text, line, col),
        }
    }

    pub(super) fn span(&self, span: &Span) -> (usize, usize) {
        let s = self.byte(span.start.index(), span.start.line(), span.start.col());
        let e = self.byte(span.end.index(), span.end.line(), span.end.col());
        (s, e.max(s))
    }
}

/// A key waiting for its value.
struct PendingKey {
    /// `None` when the key is not usable (a diagnostic was already reported).
    key: Option<Str>,
    merge: bool,
    start: usize,
    end: usize,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        start: usize,
        flow: bool,
    },
    Map {
        map: Map,
        anchor: usize,
        start: usize,
        flow: bool,
        key: Option<PendingKey>,
        /// Per entry: written explicitly (not merged in), and where its key starts.
        explicit: Vec<(bool, usize)>,
        /// Key positions for large maps, where a linear search gets slow.
        index: Option<HashMap<Str, usize>>,
    },
}

/// A YAML 1.1 finding whose message waits until the document is complete, so
/// that values inside a Secret are never quoted.
struct PendingLint {
    kind: LintKind,
    pointer: String,
    text: String,
    target: Target,
}

enum LintKind {
    Trap(Trap),
    StringField(&'static str),
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    origin: Boundary,
    opts: &'a LoadOptions,
    pos: Pos<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    alias_budget: usize,
    /// Set after a fatal problem in the current document: skip to its end.
    skipping: bool,
    root: Option<Value>,
    doc_start: usize,
    lints: Vec<PendingLint>,
    /// Byte ranges where a TAB is content, kept only when the slice has TABs.
    protected: Option<Vec<(usize, usize)>>,
    docs: Vec<ParsedDoc>,
    diags: Vec<Diagnostic>,
}

const LARGE_MAP: usize = 32;

impl<'a> Builder<'a> {
    fn new(file: FileId, text: &'a str, origin: Boundary, opts: &'a LoadOptions) -> Self {
        Builder {
            file,
            text,
            origin,
            opts,
            pos: Pos::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: opts.alias_limit,
            skipping: false,
            root: None,
            doc_start: 0,
            lints: Vec::new(),
            protected: memchr::memchr(b'\t', text.as_bytes()).map(|_| Vec::new()),
            docs: Vec::new(),
            diags: Vec::new(),
        }
    }

    fn run(&mut self) -> Result<(), ScanError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(ev) = parser.next_event() {
            let (ev, span) = ev?;
            match ev {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing => {}
                Event::DocumentStart(_) => self.start_document(&span),
                Event::DocumentEnd => self.end_document(&span),
                _ if self.skipping => {}
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(&text, style, anchor, tag.as_deref(), &span)
                }
                Event::Alias(id) => self.alias(id, &span),
                Event::SequenceStart(anchor, _) => self.open(false, anchor, &span),
                Event::MappingStart(anchor, _) => self.open(true, anchor, &span),
                Event::SequenceEnd | Event::MappingEnd => self.close(&span),
            }
        }
        if let Some(p) = self.protected.take() {
            let found = tabs::check(self.text, &p);
            for at in found {
                self.diags
                    .push(errors::tab_error(self.file, self.origin.byte + at));
            }
        }
        Ok(())
    }

    fn abs(&self, byte: usize) -> usize {
        self.origin.byte + byte
    }

    fn start_document(&mut self, span: &Span) {
        let (s, _) = self.pos.span(span);
        self.doc_start = memchr::memrchr(b'\n', &self.text.as_bytes()[..s]).map_or(0, |i| i + 1);
        self.stack.clear();
        self.anchors.clear();
        self.alias_budget = self.opts.alias_limit;
        self.skipping = false;
        self.root = None;
        self.lints.clear();
    }

    fn end_document(&mut self, span: &Span) {
        let (_, e) = self.pos.span(span);
        let root = self.root.take();
        let lints = std::mem::take(&mut self.lints);
        if self.skipping {
            return;
        }
        let Some(value) = root else { return };
        let line = self.origin.line
            + memchr::memchr_iter(b'\n', &self.text.as_bytes()[..self.doc_start]).count();
        let doc = DocSpan {
            file: self.file,
            start: self.abs(self.doc_start),
            end: self.abs(e.max(self.doc_start)),
            line,
        };
        let secret = value.get("kind").and_then(Value::as_str) == Some("Secret");
        for lint in lints {
            self.diags.push(lint_diagnostic(lint, doc, secret));
        }
        if value.is_null() {
            return;
        }
        self.docs.push(ParsedDoc { value, span: doc });
    }

    fn fail(&mut self, d: Diagnostic) {
        self.diags.push(d);
        self.skipping = true;
        self.stack.clear();
    }

    fn span_loc(&self, start: usize, end: usize) -> Location {
        Location::Span {
            file: self.file,
            start: self.abs(start),
            end: self.abs(end),
        }
    }

    fn protect(&mut self, start: usize, end: usize) {
        if let Some(p) = &mut self.protected {
            p.push((start, end));
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    /// The JSON pointer of the node about to be attached.
    fn pointer(&self) -> String {
        let mut p = String::new();
        for f in &self.stack {
            match f {
                Frame::Seq { items, .. } => crate::pointer::push_index(&mut p, items.len()),
                Frame::Map { key: Some(k), .. } => {
                    crate::pointer::push(&mut p, k.key.as_deref().unwrap_or(""))
                }
                Frame::Map { key: None, .. } => {}
            }
        }
        p
    }

    fn open(&mut self, is_map: bool, anchor: usize, span: &Span) {
        let (s, _) = self.pos.span(span);
        if self.stack.len() >= self.opts.max_depth {
            let d = Diagnostic::new(
                &codes::YAML_TOO_DEEP,
                format!(
                    "the document nests deeper than {} levels; drydock stops reading it here",
                    self.opts.max_depth
                ),
            )
            .help("no Kubernetes object nests this deep: this is generated or hostile input")
            .at(self.span_loc(s, s + 1));
            self.fail(d);
            return;
        }
        let flow = matches!(self.text.as_bytes().get(s), Some(b'[' | b'{'));
        self.stack.push(if is_map {
            Frame::Map {
                map: Map::new(),
                anchor,
                start: s,
                flow,
                key: None,
                explicit: Vec::new(),
                index: None,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                anchor,
                start: s,
                flow,
            }
        });
    }

    fn close(&mut self, span: &Span) {
        let (_, e) = self.pos.span(span);
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (value, anchor, start, flow) = match frame {
            Frame::Seq {
                mut items,
                anchor,
                start,
                flow,
            } => {
                items.shrink_to_fit();
                (Value::Seq(items), anchor, start, flow)
            }
            Frame::Map {
                mut map,
                anchor,
                start,
                flow,
                ..
            } => {
                map.shrink_to_fit();
                (Value::Map(map), anchor, start, flow)
            }
        };
        if flow {
            // The closing bracket is where the span ends.
            let end = (e + 1).min(self.text.len()).max(start);
            self.protect(start, end);
        }
        self.node(value, anchor, start, e);
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: &Span,
    ) {
        let (s, e) = self.pos.span(span);
        self.protect(s, e);
        let core_tag = tag
            .filter(|t| t.is_yaml_core_schema())
            .map(|t| t.suffix.as_str());
        let plain = style == ScalarStyle::Plain && tag.is_none();
        let resolved = if let Some(t) = core_tag {
            match resolve::resolve_tagged(text, t) {
                Ok(r) => r,
                Err(msg) => {
                    let d = Diagnostic::new(&codes::YAML_TAG, msg)
                        .help("remove the tag or change the value to match it")
                        .at(self.span_loc(s, e));
                    self.diags.push(d);
                    Resolved::String
                }
            }
        } else if plain {
            resolve::resolve_plain(text)
        } else {
            Resolved::String
        };

        if self.expecting_key() {
            if plain && text == "<<" {
                self.set_key(None, true, s, e);
                return;
            }
            let key = resolved.key_string(text);
            if key.is_none() {
                let d = Diagnostic::new(
                    &codes::YAML_INVALID_KEY,
                    "a mapping key is null, which JSON cannot represent",
                )
                .help("give the key a name, or quote it (\"~\") if it is meant literally")
                .at(self.span_loc(s, e.max(s + 1)));
                self.diags.push(d);
            } else if plain {
                if let Some(trap @ (Trap::Boolean(_) | Trap::Octal)) =
                    resolve::trap(text, &resolved)
                {
                    let mut pointer = self.pointer();
                    crate::pointer::push(&mut pointer, key.as_deref().unwrap_or(""));
                    self.lints.push(PendingLint {
                        kind: LintKind::Trap(trap),
                        pointer,
                        text: text.to_owned(),
                        target: Target::Key,
                    });
                }
            }
            if anchor != 0 {
                let v = key.clone().map_or(Value::Null, Value::String);
                self.anchors.insert(anchor, v);
            }
            self.set_key(key, false, s, e);
            return;
        }

        if resolved == Resolved::NonFinite {
            let d = Diagnostic::new(
                &codes::YAML_NON_FINITE,
                format!("`{text}` is a YAML infinity or NaN, which JSON cannot represent: kubectl fails on this document"),
            )
            .help(format!("quote it (\"{text}\") if a string is meant"))
            .at(self.span_loc(s, e));
            self.diags.push(d);
        } else if plain {
            self.lint_scalar(text, &resolved);
        }
        let value = resolved.into_value(text);
        self.node(value, anchor, s, e);
    }

    fn lint_scalar(&mut self, text: &str, resolved: &Resolved) {
        let non_string = !matches!(resolved, Resolved::String | Resolved::Null);
        if !non_string {
            return;
        }
        let pointer = self.pointer();
        let kind = if let Some(field) = string_field(&pointer) {
            LintKind::StringField(field)
        } else if let Some(trap) = resolve::trap(text, resolved) {
            LintKind::Trap(trap)
        } else {
            return;
        };
        self.lints.push(PendingLint {
            kind,
            pointer,
            text: text.to_owned(),
            target: Target::Value,
        });
    }

    fn set_key(&mut self, key: Option<Str>, merge: bool, start: usize, end: usize) {
        if let Some(Frame::Map { key: slot, .. }) = self.stack.last_mut() {
            *slot = Some(PendingKey {
                key,
                merge,
                start,
                end,
            });
        }
    }

    fn alias(&mut self, id: usize, span: &Span) {
        let (s, e) = self.pos.span(span);
        let Some(anchored) = self.anchors.get(&id) else {
            let d = Diagnostic::new(
                &codes::YAML_SYNTAX,
                "this alias refers to an anchor that is not complete yet (a recursive alias)",
            )
            .at(self.span_loc(s, e));
            self.fail(d);
            return;
        };
        match clone_within(anchored, &mut self.alias_budget) {
            Some(v) => self.node(v, 0, s, e),
            None => {
                let d = Diagnostic::new(
                    &codes::YAML_ALIAS_LIMIT,
                    format!(
                        "aliases in this document expand to more than {} nodes; drydock stops reading it here",
                        self.opts.alias_limit
                    ),
                )
                .help("this looks like a billion-laughs document: nested aliases that multiply")
                .at(self.span_loc(s, e));
                self.fail(d);
            }
        }
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn node(&mut self, value: Value, anchor: usize, start: usize, end: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        let file = self.file;
        let origin = self.origin.byte;
        let loc = |s: usize, e: usize| Location::Span {
            file,
            start: origin + s,
            end: origin + e,
        };
        let mut diag = None;
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                key: slot @ None, ..
            }) => {
                // A mapping or sequence used as a key.
                diag = Some(
                    Diagnostic::new(
                        &codes::YAML_INVALID_KEY,
                        format!(
                            "a mapping key is {}, but JSON keys must be strings",
                            article(value.type_name())
                        ),
                    )
                    .at(loc(start, end.max(start + 1))),
                );
                *slot = Some(PendingKey {
                    key: None,
                    merge: false,
                    start,
                    end,
                });
            }
            Some(Frame::Map {
                map,
                key: slot @ Some(_),
                explicit,
                index,
                ..
            }) => {
                let Some(pk) = slot.take() else { return };
                if pk.merge {
                    if !merge_into(map, explicit, index, value) {
                        diag = Some(
                            Diagnostic::new(
                                &codes::YAML_MERGE,
                                "the value of a `<<` merge key must be a mapping or a list of mappings",
                            )
                            .at(loc(pk.start, pk.end)),
                        );
                    }
                } else if let Some(key) = pk.key {
                    let found = find(map, index, &key);
                    match found {
                        Some(i) if explicit[i].0 => {
                            let first = explicit[i].1;
                            let text = &self.text;
                            let line = self.origin.line
                                + memchr::memchr_iter(b'\n', &text.as_bytes()[..first]).count();
                            diag = Some(
                                Diagnostic::new(
                                    &codes::YAML_DUPLICATE_KEY,
                                    format!("duplicate key `{key}`: it is already set on line {line}"),
                                )
                                .help("the API server would silently keep only the last value; remove one of them")
                                .at(loc(pk.start, pk.end.max(pk.start + 1)))
                                .related(loc(first, first + key.len().max(1)), "first set here"),
                            );
                            set_at(map, i, value);
                        }
                        Some(i) => {
                            set_at(map, i, value);
                            explicit[i] = (true, pk.start);
                        }
                        None => {
                            if let Some(idx) = index {
                                idx.insert(key.clone(), map.len());
                            }
                            map.push_unique(key, value);
                            explicit.push((true, pk.start));
                            if index.is_none() && map.len() > LARGE_MAP {
                                *index = Some(
                                    map.keys()
                                        .enumerate()
                                        .map(|(i, k)| (Str::from(k), i))
                                        .collect(),
                                );
                            }
                        }
                    }
                }
            }
        }
        if let Some(d) = diag {
            self.diags.push(d);
        }
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        t => format!("a {t}"),
    }
}

fn find(map: &Map, index: &Option<HashMap<Str, usize>>, key: &str) -> Option<usize> {
    match index {
        Some(idx) => idx.get(key).copied(),
        None => map.keys().position(|k| k == key),
    }
}

fn set_at(map: &mut Map, i: usize, value: Value) {
    if let Some((_, v)) = map.iter_mut().nth(i) {
        *v = value;
    }
}

/// go-yaml v2 merge semantics: merged keys overwrite what is already there, and
/// in a list of mappings the earlier ones win.
fn merge_into(
    map: &mut Map,
    explicit: &mut Vec<(bool, usize)>,
    index: &mut Option<HashMap<Str, usize>>,
    value: Value,
) -> bool {
    let sources: Vec<Map> = match value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => {
            let mut maps = Vec::with_capacity(items.len());
            for item in items.into_iter().rev() {
                match item {
                    Value::Map(m) => maps.push(m),
                    _ => return false,
                }
            }
            maps
        }
        _ => return false,
    };
    for src in sources {
        for (k, v) in src.iter() {
            match find(map, index, k) {
                Some(i) => set_at(map, i, v.clone()),
                None => {
                    if let Some(idx) = index.as_mut() {
                        idx.insert(Str::from(k), map.len());
                    }
                    map.push_unique(Str::from(k), v.clone());
                    explicit.push((false, 0));
                }
            }
        }
    }
    true
}

/// Clones an anchored value for an alias, charging every node to `budget`.
fn clone_within(v: &Value, budget: &mut usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    Some(match v {
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(clone_within(i, budget)?);
            }
            Value::Seq(out)
        }
        Value::Map(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m.iter() {
                out.push_unique(Str::from(k), clone_within(v, budget)?);
            }
            Value::Map(out)
        }
        other => other.clone(),
    })
}

/// Fields Kubernetes types as strings, where an unquoted `yes` or `1.10`
/// makes the API server reject the object. Returns how to name the field.
fn string_field(pointer: &str) -> Option<&'static str> {
    let segs: Vec<_> = crate::pointer::segments(pointer).collect();
    let n = segs.len();
    let at = |i: usize| -> &str { segs.get(n.wrapping_sub(i)).map_or("", |s| s.as_ref()) };
    if n >= 2 {
        match at(2) {
            "labels" if at(3) == "metadata" => return Some("a label value"),
            "annotations" if at(3) == "metadata" => return Some("an annotation value"),
            "data" if n == 2 => return Some("a data value"),
            "stringData" if n == 2 => return Some("a stringData value"),
            "nodeSelector" => return Some("a node selector value"),
            "matchLabels" => return Some("a label selector value"),
            "selector" if n == 3 && at(3) == "spec" => return Some("a selector value"),
            "command" => return Some("a command element"),
            "args" => return Some("an argument"),
            _ => {}
        }
    }
    if n >= 3 && at(1) == "value" && at(3) == "env" {
        return Some("an environment variable value");
    }
    None
}

fn lint_diagnostic(lint: PendingLint, doc: DocSpan, secret: bool) -> Diagnostic {
    let hidden = secret
        && (lint.pointer.starts_with("/data/") || lint.pointer.starts_with("/stringData/"))
        && lint.target == Target::Value;
    let shown = if hidden {
        "this value".to_owned()
    } else {
        format!("`{}`", lint.text)
    };
    let quoted = if hidden {
        "quote it".to_owned()
    } else {
        format!("quote it: \"{}\"", lint.text.replace('"', "\\\""))
    };
    let loc = Location::Pointer {
        doc,
        pointer: lint.pointer,
        target: lint.target,
    };
    let key = lint.target == Target::Key;
    let d = match lint.kind {
        LintKind::StringField(field) => Diagnostic::new(
            &codes::YAML11_STRING_FIELD,
            format!(
                "{shown} reads as {} (kubectl uses YAML 1.1), but {field} must be a string",
                describe(&lint.text)
            ),
        )
        .help(format!("{quoted}; the API server rejects a non-string here")),
        LintKind::Trap(Trap::Boolean(b)) => Diagnostic::new(
            &codes::YAML11_BOOLEAN,
            if key {
                format!("unquoted key {shown} is the boolean {b} for kubectl (YAML 1.1), so the key becomes \"{b}\"")
            } else {
                format!("unquoted {shown} is the boolean {b} for kubectl (YAML 1.1) but a string for YAML 1.2 tools")
            },
        )
        .help(format!("write {b} if a boolean is meant, or {quoted}")),
        LintKind::Trap(Trap::Octal) => {
            let v = resolve::resolve_plain(&lint.text).into_value(&lint.text);
            let n = match v {
                Value::Int(i) => i.to_string(),
                other => format!("{other:?}"),
            };
            let decimal = lint.text.trim_start_matches(['0', '+']);
            Diagnostic::new(
                &codes::YAML11_OCTAL,
                format!(
                    "{shown} has a leading zero: kubectl (YAML 1.1) reads octal {n}, YAML 1.2 tools read {}",
                    if decimal.is_empty() { "0" } else { decimal }
                ),
            )
            .help(format!(
                "write 0o{} (octal for both) or {n}, or {quoted}",
                lint.text.trim_start_matches('0')
            ))
        }
        LintKind::Trap(Trap::Number) => Diagnostic::new(
            &codes::YAML11_NUMBER,
            format!("unquoted {shown} is a number for kubectl (YAML 1.1) but a string for YAML 1.2 tools"),
        )
        .help(format!("write the plain number, or {quoted}")),
    };
    d.at(loc)
}

fn describe(text: &str) -> String {
    match resolve::resolve_plain(text).into_value(text) {
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::BigInt(s) => format!("the number {s}"),
        _ => "a non-string".to_owned(),
    }
}
