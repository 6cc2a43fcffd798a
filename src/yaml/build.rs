//! Building values from parser events, one chunk of a stream at a time.

use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, ScanError, Span, Tag};

use super::resolve::{self, Resolved, Trap};
use super::split::{Boundary, Chunk};
use super::value::{Key, Map, Seq, Value};
use super::{DocSpan, LoadOptions, Parsed, ParsedDoc, errors, tabs};
use crate::diagnostic::{Diagnostic, Location, Target, codes};
use crate::source::FileId;

/// Parses one chunk, resuming at the next document after a syntax error.
///
/// `text` starts at `origin` of the file (byte offset and line of its first
/// byte): the whole file, or a part of it. `chunk` and `segments` give bytes of
/// `text` and lines of the file.
pub(super) fn parse_chunk(
    file: FileId,
    text: &str,
    origin: Boundary,
    chunk: &Chunk,
    segments: &[Boundary],
    opts: &LoadOptions,
) -> Parsed {
    let mut out = Parsed::default();
    let mut start = chunk.start;
    loop {
        let slice = &text[start.byte..chunk.end];
        let mut b = Builder::new(file, slice, start, origin.byte, opts);
        let result = b.run();
        out.docs.append(&mut b.docs);
        out.diagnostics.append(&mut b.diags);
        let Err(err) = result else { break };
        let at = start.byte + b.pos.byte(err.marker().index());
        out.diagnostics
            .push(errors::syntax_error(file, text, origin, at, err.info()));
        // Resume at the first document boundary at or after the error (an
        // unclosed flow collection is only noticed at the next `---`).
        match segments
            .iter()
            .find(|s| s.byte >= at && s.byte > start.byte && s.byte < chunk.end)
        {
            Some(next) => start = *next,
            None => break,
        }
    }
    out
}

/// Converts the parser's character positions to byte offsets within a slice.
///
/// In ASCII text they are equal. Otherwise a cursor walks the text: the parser
/// reports positions in increasing order, so the walk is linear overall.
pub(super) struct Pos<'a> {
    text: &'a str,
    ascii: bool,
    /// A known (character index, byte offset) pair.
    cursor: std::cell::Cell<(usize, usize)>,
}

impl<'a> Pos<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Pos {
            text,
            ascii: text.is_ascii(),
            cursor: std::cell::Cell::new((0, 0)),
        }
    }

    pub(super) fn is_ascii(&self) -> bool {
        self.ascii
    }

    pub(super) fn byte(&self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        let (mut c, mut b) = self.cursor.get();
        // Most runs between two positions are ASCII, where characters are bytes.
        let bytes = self.text.as_bytes();
        if index >= c {
            let n = index - c;
            if bytes.get(b..b + n).is_some_and(<[u8]>::is_ascii) {
                self.cursor.set((index, b + n));
                return b + n;
            }
        } else if c - index <= b && bytes[b - (c - index)..b].is_ascii() {
            let back = b - (c - index);
            self.cursor.set((index, back));
            return back;
        }
        if index < c {
            if c - index > index {
                (c, b) = (0, 0);
            } else {
                for (i, _) in self.text[..b].char_indices().rev() {
                    c -= 1;
                    b = i;
                    if c == index {
                        break;
                    }
                }
            }
        }
        if index > c {
            for ch in self.text[b..].chars() {
                b += ch.len_utf8();
                c += 1;
                if c == index {
                    break;
                }
            }
        }
        self.cursor.set((c, b));
        b
    }

    pub(super) fn span(&self, span: &Span) -> (usize, usize) {
        let s = self.byte(span.start.index());
        let e = self.byte(span.end.index());
        (s, e.max(s))
    }
}

/// A key waiting for its value.
struct PendingKey {
    /// `None` when the key is not usable (a diagnostic was already reported).
    key: Option<Key>,
    merge: bool,
    start: usize,
    end: usize,
}

/// An open collection. Its children live on the builder's shared scratch
/// stacks from `base` on, so that each finished collection costs exactly one
/// allocation of the right size.
enum Frame {
    Seq {
        base: usize,
        anchor: usize,
        start: usize,
        flow: bool,
    },
    Map {
        base: usize,
        anchor: usize,
        start: usize,
        flow: bool,
        key: Option<PendingKey>,
        /// Key positions (relative to `base`) for large maps, where a linear
        /// search gets slow.
        index: Option<HashMap<Key, usize>>,
    },
}

/// A mapping entry under construction.
struct Entry {
    key: Key,
    value: Value,
    /// Written in the mapping itself rather than merged in with `<<`.
    explicit: bool,
    key_start: usize,
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
    /// Where `text` starts: its byte in the part of the file being parsed, and
    /// its line in the file.
    origin: Boundary,
    /// File offset of byte 0 of the part being parsed.
    base: usize,
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
    /// A known (byte, line) pair, so that line numbers are counted incrementally.
    line_cursor: (usize, usize),
    entries: Vec<Entry>,
    items: Vec<Value>,
    /// Index of the first diagnostic of the current document.
    doc_diags: usize,
}

const LARGE_MAP: usize = 32;

impl<'a> Builder<'a> {
    fn new(
        file: FileId,
        text: &'a str,
        origin: Boundary,
        base: usize,
        opts: &'a LoadOptions,
    ) -> Self {
        Builder {
            file,
            text,
            origin,
            base,
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
            line_cursor: (0, origin.line),
            entries: Vec::new(),
            items: Vec::new(),
            doc_diags: 0,
        }
    }

    /// 1-based file line of a byte offset of the slice.
    fn line_at(&mut self, byte: usize) -> usize {
        let (from, line) = if byte >= self.line_cursor.0 {
            self.line_cursor
        } else {
            (0, self.origin.line)
        };
        let line = line + memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..byte]).count();
        self.line_cursor = (byte, line);
        line
    }

    fn run(&mut self) -> Result<(), ScanError> {
        for ev in super::fast::Events::new(self.text) {
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
                self.diags.push(errors::tab_error(self.file, self.abs(at)));
            }
        }
        Ok(())
    }

    fn abs(&self, byte: usize) -> usize {
        self.base + self.origin.byte + byte
    }

    fn start_document(&mut self, span: &Span) {
        let (s, _) = self.pos.span(span);
        self.doc_start = memchr::memrchr(b'\n', &self.text.as_bytes()[..s]).map_or(0, |i| i + 1);
        self.clear_stack();
        self.anchors.clear();
        self.alias_budget = self.opts.alias_limit;
        self.skipping = false;
        self.root = None;
        self.lints.clear();
        self.doc_diags = self.diags.len();
    }

    fn end_document(&mut self, span: &Span) {
        let (_, e) = self.pos.span(span);
        let root = self.root.take();
        let lints = std::mem::take(&mut self.lints);
        if self.skipping {
            return;
        }
        let Some(mut value) = root else { return };
        if self.opts.dialect == resolve::Dialect::Kustomize {
            normalize_annotations(&mut value);
        }
        let line = self.line_at(self.doc_start);
        let doc = DocSpan {
            file: self.file,
            start: self.abs(self.doc_start),
            end: self.abs(e.max(self.doc_start)),
            line,
            dialect: self.opts.dialect,
        };
        for lint in lints {
            let hidden = lint.target == Target::Value && in_secret_data(&value, &lint.pointer);
            self.diags.push(lint_diagnostic(lint, doc, hidden));
        }
        // Everything reported inside this document names the object it is in
        // (the item, for a field of a `kind: List` item).
        for d in &mut self.diags[self.doc_diags..] {
            if d.object.is_none() && value.as_map().is_some() {
                let owner = d
                    .location
                    .pointer()
                    .and_then(|p| list_item(&value, p))
                    .unwrap_or(&value);
                d.object = Some(crate::resource::object_ref(owner));
            }
        }
        if value.is_null() {
            return;
        }
        self.docs.push(ParsedDoc { value, span: doc });
    }

    fn fail(&mut self, d: Diagnostic) {
        self.diags.push(d);
        self.skipping = true;
        self.clear_stack();
    }

    fn clear_stack(&mut self) {
        self.stack.clear();
        self.entries.clear();
        self.items.clear();
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
        for (i, _) in self.stack.iter().enumerate() {
            match self.segment(i) {
                Segment::Index(n) => crate::pointer::push_index(&mut p, n),
                Segment::Key(k) => crate::pointer::push(&mut p, k),
                Segment::None => {}
            }
        }
        p
    }

    /// The path segment frame `i` contributes: the child it is reading.
    fn segment(&self, i: usize) -> Segment<'_> {
        let next_base = |j: usize| {
            self.stack[j + 1..]
                .iter()
                .find_map(|f| match f {
                    Frame::Seq { base, .. } => Some(*base),
                    Frame::Map { .. } => None,
                })
                .unwrap_or(self.items.len())
        };
        match &self.stack[i] {
            Frame::Seq { base, .. } => Segment::Index(next_base(i) - base),
            Frame::Map { key: Some(k), .. } => Segment::Key(k.key.as_deref().unwrap_or("")),
            Frame::Map { key: None, .. } => Segment::None,
        }
    }

    /// The segment `n` levels above the node being read (1 = its own key).
    fn key_above(&self, n: usize) -> &str {
        match self.stack.len().checked_sub(n).map(|i| self.segment(i)) {
            Some(Segment::Key(k)) => k,
            _ => "",
        }
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
                base: self.entries.len(),
                anchor,
                start: s,
                flow,
                key: None,
                index: None,
            }
        } else {
            Frame::Seq {
                base: self.items.len(),
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
                base,
                anchor,
                start,
                flow,
            } => {
                let items: Seq = self.items.drain(base..).collect();
                (Value::Seq(items), anchor, start, flow)
            }
            Frame::Map {
                base,
                anchor,
                start,
                flow,
                ..
            } => {
                let entries: thin_vec::ThinVec<(Key, Value)> = self
                    .entries
                    .drain(base..)
                    .map(|e| (e.key, e.value))
                    .collect();
                (Value::Map(Map::from_unique(entries)), anchor, start, flow)
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
            self.opts.dialect.resolve(text)
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
                    if self.opts.lints {
                        self.lints.push(PendingLint {
                            kind: LintKind::Trap(trap),
                            pointer,
                            text: text.to_owned(),
                            target: Target::Key,
                        });
                    }
                }
            }
            if anchor != 0 {
                let v = key.map_or(Value::Null, |k| Value::from(k.as_str()));
                self.anchors.insert(anchor, v);
            }
            self.set_key(key, false, s, e);
            return;
        }

        if resolved == Resolved::NonFinite {
            let d = Diagnostic::new(
                &codes::YAML_NON_FINITE,
                format!(
                    "`{text}` is a YAML infinity or NaN, which JSON cannot represent: kubectl fails on this document with `json: unsupported value: {}`",
                    go_non_finite(text)
                ),
            )
            .help(format!("quote it (\"{text}\") if a string is meant"))
            .at(self.span_loc(s, e));
            self.diags.push(d);
        } else if plain && self.opts.lints {
            self.lint_scalar(text, &resolved);
        }
        let value = if self.in_kustomize_annotation() {
            // kustomize rewrites annotations as a string map of the scalars' text.
            Value::from(text)
        } else {
            resolved.into_value(text)
        };
        self.node(value, anchor, s, e);
    }

    fn lint_scalar(&mut self, text: &str, resolved: &Resolved) {
        if matches!(resolved, Resolved::String | Resolved::Null) {
            return;
        }
        let kind = if let Some(field) = self.string_field() {
            LintKind::StringField(field)
        } else if let Some(trap) = resolve::trap(text, resolved) {
            LintKind::Trap(trap)
        } else {
            return;
        };
        self.lints.push(PendingLint {
            kind,
            pointer: self.pointer(),
            text: text.to_owned(),
            target: Target::Value,
        });
    }

    /// Whether the scalar being read is an annotation value of an object read
    /// the way kustomize reads it (top-level, or an item of a `kind: List`).
    fn in_kustomize_annotation(&self) -> bool {
        if self.opts.dialect != resolve::Dialect::Kustomize {
            return false;
        }
        let n = self.stack.len();
        let meta = match n {
            3 => true,
            5 => self.key_above(5) == "items",
            _ => false,
        };
        meta && self.key_above(2) == "annotations" && self.key_above(3) == "metadata"
    }

    /// Fields Kubernetes types as strings, where an unquoted `yes` or `1.10`
    /// makes the API server reject the object. Returns how to name the field.
    fn string_field(&self) -> Option<&'static str> {
        let n = self.stack.len();
        let (k1, k2, k3) = (self.key_above(1), self.key_above(2), self.key_above(3));
        // `data` of a top-level object, or of an item of a `kind: List`.
        let top_level = n == 2
            || (n == 4
                && self.key_above(4) == "items"
                && matches!(self.segment(n - 3), Segment::Index(_)));
        let field = match k2 {
            "labels" if k3 == "metadata" => "a label value",
            "annotations" if k3 == "metadata" => "an annotation value",
            "data" if top_level => "a data value",
            "stringData" if top_level => "a stringData value",
            "nodeSelector" => "a node selector value",
            "matchLabels" => "a label selector value",
            "selector" if n == 3 && k3 == "spec" => "a selector value",
            "command" if matches!(self.segment(n - 1), Segment::Index(_)) => "a command element",
            "args" if matches!(self.segment(n - 1), Segment::Index(_)) => "an argument",
            _ if k1 == "value" && n >= 3 && self.key_above(3) == "env" => {
                "an environment variable value"
            }
            _ => return None,
        };
        Some(field)
    }

    fn set_key(&mut self, key: Option<Key>, merge: bool, start: usize, end: usize) {
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
        let origin = self.base + self.origin.byte;
        let loc = |s: usize, e: usize| Location::Span {
            file,
            start: origin + s,
            end: origin + e,
        };
        let allow_duplicates = self.opts.allow_duplicate_keys;
        let diag = match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                None
            }
            Some(Frame::Seq { .. }) => {
                self.items.push(value);
                None
            }
            Some(Frame::Map {
                key: slot @ None, ..
            }) => {
                // A mapping or sequence used as a key.
                *slot = Some(PendingKey {
                    key: None,
                    merge: false,
                    start,
                    end,
                });
                Some(
                    Diagnostic::new(
                        &codes::YAML_INVALID_KEY,
                        format!(
                            "a mapping key is {}, but JSON keys must be strings",
                            article(value.type_name())
                        ),
                    )
                    .at(loc(start, end.max(start + 1))),
                )
            }
            Some(Frame::Map {
                base,
                key: slot @ Some(_),
                index,
                ..
            }) => {
                let Some(pk) = slot.take() else { return };
                let mut open = OpenMap {
                    entries: &mut self.entries,
                    base: *base,
                    index,
                };
                if pk.merge {
                    (!open.merge(value)).then(|| {
                        Diagnostic::new(
                            &codes::YAML_MERGE,
                            "the value of a `<<` merge key must be a mapping or a list of mappings",
                        )
                        .at(loc(pk.start, pk.end))
                    })
                } else if let Some(key) = pk.key {
                    open.set(key, value, pk.start).filter(|_| !allow_duplicates).map(|(key, first)| {
                        (key, first, loc(pk.start, pk.end.max(pk.start + 1)))
                    }).map(|(key, first, at)| {
                        let line = self.origin.line
                            + memchr::memchr_iter(b'\n', &self.text.as_bytes()[..first]).count();
                        Diagnostic::new(
                            &codes::YAML_DUPLICATE_KEY,
                            format!("duplicate key `{key}`: it is already set on line {line}"),
                        )
                        .help("the API server would silently keep only the last value; remove one of them")
                        .at(at)
                        .related(loc(first, first + key.len().max(1)), "first set here")
                    })
                } else {
                    None
                }
            }
        };
        if let Some(d) = diag {
            self.diags.push(d);
        }
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
    None,
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        t => format!("a {t}"),
    }
}

/// The entries of the innermost open mapping.
struct OpenMap<'b> {
    entries: &'b mut Vec<Entry>,
    base: usize,
    index: &'b mut Option<HashMap<Key, usize>>,
}

impl OpenMap<'_> {
    fn find(&self, key: Key) -> Option<usize> {
        match self.index.as_ref() {
            Some(idx) => idx.get(&key).copied(),
            None => self.entries[self.base..].iter().position(|e| e.key == key),
        }
    }

    fn push(&mut self, key: Key, value: Value, explicit: bool, key_start: usize) {
        let n = self.entries.len() - self.base;
        if let Some(idx) = self.index.as_mut() {
            idx.insert(key, n);
        }
        self.entries.push(Entry {
            key,
            value,
            explicit,
            key_start,
        });
        if self.index.is_none() && n + 1 > LARGE_MAP {
            *self.index = Some(
                self.entries[self.base..]
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key, i))
                    .collect(),
            );
        }
    }

    /// Sets an explicitly written key. Returns the key and where it was first
    /// written when it is a duplicate (the last value wins, as in go-yaml).
    fn set(&mut self, key: Key, value: Value, key_start: usize) -> Option<(Key, usize)> {
        match self.find(key) {
            Some(i) => {
                let e = &mut self.entries[self.base + i];
                e.value = value;
                if e.explicit {
                    return Some((key, e.key_start));
                }
                e.explicit = true;
                e.key_start = key_start;
                None
            }
            None => {
                self.push(key, value, true, key_start);
                None
            }
        }
    }

    /// go-yaml v2 merge semantics: merged keys overwrite what is already there,
    /// and in a list of mappings the earlier ones win.
    fn merge(&mut self, value: Value) -> bool {
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
            for (k, v) in src.into_entries() {
                match self.find(k) {
                    Some(i) => self.entries[self.base + i].value = v,
                    None => self.push(k, v, false, 0),
                }
            }
        }
        true
    }
}

/// Clones an anchored value for an alias, charging every node to `budget`.
fn clone_within(v: &Value, budget: &mut usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    Some(match v {
        Value::Seq(items) => {
            let mut out = Seq::with_capacity(items.len());
            for i in items {
                out.push(clone_within(i, budget)?);
            }
            Value::Seq(out)
        }
        Value::Map(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m.iter() {
                out.push_unique(Key::new(k), clone_within(v, budget)?);
            }
            Value::Map(out)
        }
        other => other.clone(),
    })
}

/// kustomize rewrites every object's annotations as a map of strings: values
/// that are not scalars become empty strings, and an empty or null map goes.
fn normalize_annotations(root: &mut Value) {
    fn object(v: &mut Value) {
        let Some(meta) = v
            .as_map_mut()
            .and_then(|m| m.get_mut("metadata"))
            .and_then(Value::as_map_mut)
        else {
            return;
        };
        let empty = match meta.get_mut("annotations") {
            Some(Value::Map(a)) => {
                for (_, val) in a.iter_mut() {
                    if !matches!(val, Value::String(_)) {
                        *val = Value::from("");
                    }
                }
                a.is_empty()
            }
            Some(Value::Null) => true,
            _ => false,
        };
        if empty {
            meta.remove("annotations");
        }
    }
    let is_list = root
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    if is_list {
        if let Some(Value::Seq(items)) = root.as_map_mut().and_then(|m| m.get_mut("items")) {
            for item in items.iter_mut() {
                object(item);
            }
        }
    }
    object(root);
}

/// The item of a `kind: List` document that `pointer` points into.
fn list_item<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut segs = crate::pointer::segments(pointer);
    if !root.get("kind")?.as_str()?.ends_with("List") || segs.next()?.as_ref() != "items" {
        return None;
    }
    let i = crate::pointer::index(&segs.next()?)?;
    root.get("items")?.as_seq()?.get(i)
}

/// Whether `pointer` is inside the `data` or `stringData` of a Secret, either
/// the document itself or an item of a `kind: List`.
fn in_secret_data(root: &Value, pointer: &str) -> bool {
    let mut segs = crate::pointer::segments(pointer);
    let mut object = root;
    let mut first = segs.next();
    let is_list = root
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    if is_list && first.as_deref() == Some("items") {
        let item = segs
            .next()
            .and_then(|i| crate::pointer::index(&i))
            .and_then(|i| root.get("items")?.as_seq()?.get(i));
        match item {
            Some(item) => object = item,
            None => return false,
        }
        first = segs.next();
    }
    object.get("kind").and_then(Value::as_str) == Some("Secret")
        && matches!(first.as_deref(), Some("data" | "stringData"))
}

fn lint_diagnostic(lint: PendingLint, doc: DocSpan, hidden: bool) -> Diagnostic {
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
            if hidden {
                format!("this value is not a string for kubectl (YAML 1.1), but {field} must be a string")
            } else {
                format!(
                    "{shown} reads as {} (kubectl uses YAML 1.1), but {field} must be a string",
                    describe(&lint.text)
                )
            },
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

/// How Go prints a non-finite float, as kubectl's JSON encoder reports it.
fn go_non_finite(text: &str) -> &'static str {
    if text.to_ascii_lowercase().contains("nan") {
        "NaN"
    } else if text.starts_with('-') {
        "-Inf"
    } else {
        "+Inf"
    }
}
