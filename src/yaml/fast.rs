//! A fast path for the block-style YAML that manifests are made of.
//!
//! [`Events`] yields exactly the `(Event, Span)` sequence of saphyr's parser
//! (same events, scalar text and style, and span markers). A byte scanner reads
//! the common subset: block mappings and sequences, single-line plain and quoted
//! scalars, literal and folded block scalars, single-line flow collections of
//! scalars, comments and document markers. It gives up on anything else, and on
//! anything malformed, so that saphyr parses that part and every syntax error
//! still comes from saphyr.
//!
//! The stream is scanned in groups that end just before a `---` line. A group
//! is handed out only once it is complete; when the scanner gives up inside
//! one, saphyr parses from the start of that group (a `---` line, where a new
//! parser is in the same state as one that read everything before: see
//! [`Events::next`]), and the scanner takes over again at the next `---` line.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, StrInput};

use super::build::Pos;
use super::split::is_marker_at;

/// The scanner does not handle this input: saphyr must parse it.
#[derive(Debug)]
struct Bail;

type Scan<T> = Result<T, Bail>;
type Out<'a> = Vec<(Event<'a>, Span)>;

/// A line start: byte offset, character index and 1-based line.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    byte: usize,
    index: usize,
    line: usize,
}

/// Deeper block nesting is left to saphyr (the scanner recurses).
const MAX_DEPTH: usize = 64;
/// saphyr stops treating a scalar as a possible simple key after 1024
/// characters; longer keys are left to it.
const MAX_KEY: usize = 1000;

/// Whether the scanner may read `text` at all. Control characters (TAB, CR,
/// NUL) and byte order marks have rules of their own, and directives apply
/// across documents.
fn supported(text: &str) -> bool {
    let b = text.as_bytes();
    // Without a branch per byte, so that the check vectorizes.
    let control = b.chunks(256).any(|chunk| {
        chunk.iter().fold(false, |acc, &c| {
            acc | ((c < 0x20) & (c != b'\n')) | (c == 0x7f)
        })
    });
    if control {
        return false;
    }
    if !b.is_ascii() && memchr::memmem::find(b, "\u{feff}".as_bytes()).is_some() {
        return false;
    }
    !(text.starts_with('%') || memchr::memmem::find(b, b"\n%").is_some())
}

fn blank_or_end(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), None | Some(b' ' | b'\n'))
}

fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// `-` followed by a blank: a block sequence entry.
fn is_entry(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'-') && blank_or_end(b, i + 1)
}

/// `:` followed by a blank: a mapping value indicator (block context).
fn is_value(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b':') && blank_or_end(b, i + 1)
}

fn empty_scalar<'a>() -> Event<'a> {
    Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None)
}

fn push_breaks(s: &mut String, n: usize) {
    for _ in 0..n {
        s.push('\n');
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    ascii: bool,
    p: usize,
    line: usize,
    /// Byte and character index of the current line's start.
    ls: usize,
    li: usize,
    /// Whether the current line is ASCII (columns are then byte differences).
    lascii: bool,
    /// saphyr's parser state between documents: after `...` (or at the start)
    /// a document may start without `---`.
    implicit_ok: bool,
    stream_start: bool,
    group_start: Cursor,
    depth: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, at: Cursor, stream_start: bool, ascii: bool) -> Self {
        let mut s = Scanner {
            text,
            b: text.as_bytes(),
            ascii,
            p: at.byte,
            line: at.line,
            ls: at.byte,
            li: at.index,
            lascii: true,
            implicit_ok: true,
            stream_start,
            group_start: at,
            depth: 0,
        };
        s.line_kind();
        s
    }

    fn line_kind(&mut self) {
        if !self.ascii {
            let eol =
                memchr::memchr(b'\n', &self.b[self.ls..]).map_or(self.b.len(), |i| self.ls + i);
            self.lascii = self.b[self.ls..eol].is_ascii();
        }
    }

    /// Column of a byte offset on the current line.
    fn col(&self, p: usize) -> usize {
        if self.lascii {
            p - self.ls
        } else {
            self.text[self.ls..p].chars().count()
        }
    }

    fn mark(&self, p: usize) -> Marker {
        let c = self.col(p);
        Marker::new(self.li + c, self.line, c)
    }

    /// Moves to the start of the line after the line break at `nl`.
    fn newline(&mut self, nl: usize) {
        self.li += self.col(nl) + 1;
        self.line += 1;
        self.ls = nl + 1;
        self.p = nl + 1;
        self.line_kind();
    }

    fn eol(&self, i: usize) -> usize {
        memchr::memchr(b'\n', &self.b[i..]).map_or(self.b.len(), |k| i + k)
    }

    /// Skips blanks, line breaks and comments up to the next token.
    fn skip_to_token(&mut self) {
        let b = self.b;
        loop {
            let mut p = self.p;
            while p < b.len() && b[p] == b' ' {
                p += 1;
            }
            self.p = p;
            match b.get(p) {
                Some(b'\n') => self.newline(p),
                Some(b'#') => self.p = self.eol(p),
                _ => return,
            }
        }
    }

    /// saphyr's `skip_ws_to_eol`: blanks, then a comment if a blank precedes it.
    fn ws_to_eol(&self, i: usize) -> Scan<usize> {
        let b = self.b;
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if b.get(j) == Some(&b'#') {
            if j == i {
                return Err(Bail);
            }
            j = self.eol(j);
        }
        Ok(j)
    }

    /// Nothing but blanks and a comment up to the end of the line.
    fn line_rest(&mut self, i: usize) -> Scan<()> {
        let j = self.ws_to_eol(i)?;
        if j < self.b.len() && self.b[j] != b'\n' {
            return Err(Bail);
        }
        self.p = j;
        Ok(())
    }

    fn at_col0(&self, p: usize) -> bool {
        p == self.ls
    }

    fn doc_start_at(&self, p: usize) -> bool {
        self.at_col0(p) && self.b.get(p..p + 3) == Some(b"---") && blank_or_end(self.b, p + 3)
    }

    fn doc_end_at(&self, p: usize) -> bool {
        self.at_col0(p) && self.b.get(p..p + 3) == Some(b"...") && blank_or_end(self.b, p + 3)
    }

    /// Whether the current token ends the document (end of stream, `---`, `...`).
    fn doc_boundary(&self) -> bool {
        self.p >= self.b.len() || self.doc_start_at(self.p) || self.doc_end_at(self.p)
    }

    /// saphyr's end-of-stream marker: a last line without a line break counts
    /// as ended.
    fn stream_end_mark(&self) -> Marker {
        let m = self.mark(self.b.len());
        if m.col() == 0 {
            m
        } else {
            Marker::new(m.index(), m.line() + 1, 0)
        }
    }

    /// Where a block collection of indentation `level` ends, at the current token.
    fn close_mark(&self, level: usize) -> Marker {
        if self.p >= self.b.len() {
            let m = self.mark(self.b.len());
            if level > m.col() {
                m
            } else {
                self.stream_end_mark()
            }
        } else {
            self.mark(self.p)
        }
    }

    /// The span of the token at a document boundary.
    fn boundary_span(&self) -> Span {
        if self.p >= self.b.len() {
            Span::empty(self.stream_end_mark())
        } else {
            Span::new(self.mark(self.p), self.mark(self.p + 3))
        }
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            byte: self.p,
            index: self.li + self.col(self.p),
            line: self.line,
        }
    }

    /// Appends the events of the next group. `Ok(false)` once the stream has
    /// ended (its `StreamEnd` is in `out`).
    fn group(&mut self, out: &mut Out<'a>) -> Scan<bool> {
        self.group_start = self.cursor();
        if self.stream_start {
            self.stream_start = false;
            out.push((Event::StreamStart, Span::empty(self.mark(self.p))));
        }
        let mut docs = 0;
        loop {
            self.skip_to_token();
            if self.p >= self.b.len() {
                out.push((Event::StreamEnd, Span::empty(self.stream_end_mark())));
                return Ok(false);
            }
            if self.doc_start_at(self.p) {
                if docs > 0 {
                    return Ok(true);
                }
                docs += 1;
                let q = self.p;
                out.push((
                    Event::DocumentStart(true),
                    Span::new(self.mark(q), self.mark(q + 3)),
                ));
                self.line_rest(q + 3)?;
                self.skip_to_token();
                if self.doc_boundary() {
                    out.push((empty_scalar(), self.boundary_span()));
                } else {
                    self.root(out)?;
                }
                self.document_end(out)?;
                continue;
            }
            if self.doc_end_at(self.p) {
                // Between documents, `...` is skipped.
                self.line_rest(self.p + 3)?;
                continue;
            }
            if !self.implicit_ok {
                return Err(Bail);
            }
            docs += 1;
            out.push((Event::DocumentStart(false), Span::empty(self.mark(self.p))));
            self.root(out)?;
            self.document_end(out)?;
        }
    }

    /// The current token ends a document: `---`, `...` or the end of the stream.
    fn document_end(&mut self, out: &mut Out<'a>) -> Scan<()> {
        out.push((Event::DocumentEnd, self.boundary_span()));
        if self.doc_end_at(self.p) {
            self.line_rest(self.p + 3)?;
            self.implicit_ok = true;
        } else {
            self.implicit_ok = false;
        }
        Ok(())
    }

    /// A document's root: a block mapping or sequence at column 0.
    fn root(&mut self, out: &mut Out<'a>) -> Scan<()> {
        if !self.at_col0(self.p) {
            return Err(Bail);
        }
        if is_entry(self.b, self.p) {
            self.block_seq(out, 0, false)?;
        } else {
            self.block_map(out, 0)?;
        }
        if self.doc_boundary() {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// After a node of a collection at column `c`: where the next token is.
    /// `None` at a document boundary.
    fn next_col(&mut self) -> Option<usize> {
        self.skip_to_token();
        if self.doc_boundary() {
            None
        } else {
            Some(self.col(self.p))
        }
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Bail)
        } else {
            Ok(())
        }
    }

    /// A block mapping whose first key is the current token, at column `c`.
    /// Returns at the first token that is not part of it.
    fn block_map(&mut self, out: &mut Out<'a>, c: usize) -> Scan<()> {
        self.enter()?;
        out.push((Event::MappingStart(0, None), Span::empty(self.mark(self.p))));
        loop {
            self.map_entry(out, c)?;
            match self.next_col() {
                None => {
                    out.push((Event::MappingEnd, Span::empty(self.close_mark(c))));
                    break;
                }
                Some(qc) if qc < c => {
                    out.push((Event::MappingEnd, Span::empty(self.mark(self.p))));
                    break;
                }
                Some(qc) if qc > c || is_entry(self.b, self.p) => return Err(Bail),
                Some(_) => {}
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// A single-line key at the current token, up to its `:`. Returns the
    /// offset of the `:`.
    fn key(&mut self, out: &mut Out<'a>) -> Scan<usize> {
        let b = self.b;
        let k = self.p;
        let (ev, span, colon) = match b[k] {
            b'"' | b'\'' => {
                let (text, style, end) = self.quoted(k, false)?;
                if !is_value(b, end) {
                    return Err(Bail);
                }
                let span = Span::new(self.mark(k), self.mark(end));
                (Event::Scalar(text, style, 0, None), span, end)
            }
            _ => {
                if !plain_start(b, k, false) {
                    return Err(Bail);
                }
                let (e, j) = plain_block(b, k);
                if !is_value(b, j) {
                    return Err(Bail);
                }
                let span = Span::new(self.mark(k), self.mark(e));
                let text = Cow::Borrowed(&self.text[k..e]);
                (Event::Scalar(text, ScalarStyle::Plain, 0, None), span, j)
            }
        };
        if colon - k > MAX_KEY {
            return Err(Bail);
        }
        out.push((ev, span));
        Ok(colon)
    }

    /// One `key: value` entry of a block mapping at column `c`. Returns after
    /// the value (the caller finds the next token).
    fn map_entry(&mut self, out: &mut Out<'a>, c: usize) -> Scan<()> {
        let colon = self.key(out)?;
        let b = self.b;
        let mut t = colon + 1;
        while t < b.len() && b[t] == b' ' {
            t += 1;
        }
        if t < b.len() && b[t] != b'\n' && b[t] != b'#' {
            self.p = t;
            return self.inline_value(out, c);
        }
        // The value is on the next lines, or empty.
        let v = self.mark(colon);
        self.p = t;
        let Some(qc) = self.next_col() else {
            out.push((empty_scalar(), Span::empty(v)));
            return Ok(());
        };
        if qc > c {
            if is_entry(b, self.p) {
                self.block_seq(out, qc, false)
            } else {
                self.block_map(out, qc)
            }
        } else if qc == c && is_entry(b, self.p) {
            self.block_seq(out, c, true)
        } else {
            out.push((empty_scalar(), Span::empty(v)));
            Ok(())
        }
    }

    /// A block sequence whose first `-` is the current token, at column `c`.
    /// An indentless sequence (a mapping value at the mapping's own column)
    /// starts where its first entry's content does.
    fn block_seq(&mut self, out: &mut Out<'a>, c: usize, indentless: bool) -> Scan<()> {
        self.enter()?;
        let b = self.b;
        if !indentless {
            out.push((
                Event::SequenceStart(0, None),
                Span::empty(self.mark(self.p)),
            ));
        }
        let mut first = true;
        loop {
            // At a `-` in column `c`.
            let mut t = self.p + 1;
            while t < b.len() && b[t] == b' ' {
                t += 1;
            }
            if t >= b.len() || b[t] == b'\n' || b[t] == b'#' {
                return Err(Bail);
            }
            if indentless && first {
                out.push((Event::SequenceStart(0, None), Span::empty(self.mark(t))));
            }
            first = false;
            self.p = t;
            if is_entry(b, t) {
                let tc = self.col(t);
                self.block_seq(out, tc, false)?;
            } else if self.starts_key(t)? {
                let tc = self.col(t);
                self.block_map(out, tc)?;
            } else {
                self.inline_value(out, c)?;
            }
            match self.next_col() {
                None => {
                    out.push((Event::SequenceEnd, Span::empty(self.close_mark(c))));
                    break;
                }
                Some(qc) if qc > c => return Err(Bail),
                Some(qc) if qc == c && is_entry(b, self.p) => {}
                Some(qc) if qc == c && !indentless => return Err(Bail),
                Some(_) => {
                    out.push((Event::SequenceEnd, Span::empty(self.mark(self.p))));
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Whether the scalar at `t` is followed by `: ` on its line.
    fn starts_key(&self, t: usize) -> Scan<bool> {
        let b = self.b;
        Ok(match b[t] {
            b'"' | b'\'' => {
                let (_, _, end) = self.quoted(t, false)?;
                is_value(b, end)
            }
            _ if plain_start(b, t, false) => {
                let (_, j) = plain_block(b, t);
                is_value(b, j)
            }
            _ => false,
        })
    }

    /// A value that starts on the line of its key or `-`. `parent` is the
    /// indentation of the innermost block collection.
    fn inline_value(&mut self, out: &mut Out<'a>, parent: usize) -> Scan<()> {
        let b = self.b;
        let t = self.p;
        match b[t] {
            b'"' | b'\'' => {
                let (text, style, end) = self.quoted(t, false)?;
                out.push((
                    Event::Scalar(text, style, 0, None),
                    Span::new(self.mark(t), self.mark(end)),
                ));
                if end < b.len() && b[end] != b'\n' {
                    return Err(Bail);
                }
                self.p = end;
            }
            b'|' | b'>' => self.block_scalar(out, t, parent)?,
            b'[' | b'{' => {
                self.flow(out, t)?;
                if self.p < b.len() && b[self.p] != b'\n' {
                    return Err(Bail);
                }
            }
            _ => {
                if !plain_start(b, t, false) {
                    return Err(Bail);
                }
                let (e, j) = plain_block(b, t);
                out.push((
                    Event::Scalar(Cow::Borrowed(&self.text[t..e]), ScalarStyle::Plain, 0, None),
                    Span::new(self.mark(t), self.mark(e)),
                ));
                // A second `: ` on the line is an error.
                if j < b.len() && b[j] == b':' {
                    return Err(Bail);
                }
                self.p = j;
            }
        }
        Ok(())
    }

    /// A single-line quoted scalar at `s`: its text, style, and where its token
    /// ends (after trailing blanks and a comment, as saphyr's span does). In
    /// block context only a line end or `:` may follow; in flow context also
    /// `,`, `]` and `}`.
    fn quoted(&self, s: usize, flow: bool) -> Scan<(Cow<'a, str>, ScalarStyle, usize)> {
        let b = self.b;
        let single = b[s] == b'\'';
        let mut owned: Option<String> = None;
        let mut run = s + 1;
        let mut i = s + 1;
        let close = loop {
            let next = if single {
                memchr::memchr2(b'\'', b'\n', &b[i..])
            } else {
                memchr::memchr3(b'"', b'\\', b'\n', &b[i..])
            };
            let Some(k) = next else { return Err(Bail) };
            i += k;
            match b[i] {
                b'\n' => return Err(Bail),
                b'\'' if b.get(i + 1) == Some(&b'\'') => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                }
                b'\\' => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&self.text[run..i]);
                    let (ch, len) = escape(b, i)?;
                    o.push(ch);
                    i += len;
                    run = i;
                }
                _ => break i,
            }
        };
        let text = match owned {
            Some(mut o) => {
                o.push_str(&self.text[run..close]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(&self.text[s + 1..close]),
        };
        let end = self.ws_to_eol(close + 1)?;
        let ok = match b.get(end) {
            None | Some(b'\n' | b':') => true,
            Some(b',' | b']' | b'}') => flow,
            _ => false,
        };
        if !ok {
            return Err(Bail);
        }
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Ok((text, style, end))
    }

    /// A literal or folded block scalar whose indicator is at `s`; `parent` is
    /// the indentation of the innermost block collection. Ports saphyr's
    /// `scan_block_scalar` for scalars with content and no indentation indicator.
    fn block_scalar(&mut self, out: &mut Out<'a>, s: usize, parent: usize) -> Scan<()> {
        let b = self.b;
        let literal = b[s] == b'|';
        let mut i = s + 1;
        let chomp = match b.get(i) {
            Some(b'+') => {
                i += 1;
                Chomp::Keep
            }
            Some(b'-') => {
                i += 1;
                Chomp::Strip
            }
            _ => Chomp::Clip,
        };
        if b.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(Bail);
        }
        let eol = self.ws_to_eol(i)?;
        if eol >= b.len() || b[eol] != b'\n' {
            return Err(Bail);
        }
        self.newline(eol);
        // Leading empty lines; the longest sets the minimum indentation.
        let mut breaks = 0usize;
        let mut max_indent = 0;
        loop {
            let mut q = self.p;
            while q < b.len() && b[q] == b' ' {
                q += 1;
            }
            max_indent = max_indent.max(q - self.ls);
            if q < b.len() && b[q] == b'\n' {
                breaks += 1;
                self.newline(q);
            } else {
                self.p = q;
                break;
            }
        }
        let indent = max_indent.max(parent + 1);
        if self.p >= b.len() || self.p - self.ls != indent {
            return Err(Bail);
        }
        let start = self.mark(self.p);
        let mut string = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        loop {
            let p = self.p;
            let trailing_blank = b[p] == b' ';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if breaks == 0 {
                    string.push(' ');
                } else {
                    push_breaks(&mut string, breaks);
                }
            } else {
                if leading_break {
                    string.push('\n');
                }
                push_breaks(&mut string, breaks);
            }
            leading_break = false;
            breaks = 0;
            leading_blank = trailing_blank;
            let eol = self.eol(p);
            string.push_str(&self.text[p..eol]);
            if eol >= b.len() {
                self.p = eol;
                break;
            }
            leading_break = true;
            self.newline(eol);
            loop {
                let mut q = self.p;
                while q < b.len() && q - self.ls < indent && b[q] == b' ' {
                    q += 1;
                }
                if q < b.len() && b[q] == b'\n' {
                    breaks += 1;
                    self.newline(q);
                } else {
                    self.p = q;
                    break;
                }
            }
            if self.p >= b.len() || self.p - self.ls != indent {
                break;
            }
        }
        if chomp != Chomp::Strip {
            if leading_break {
                string.push('\n');
            }
            if self.p >= b.len() && self.col(self.p) >= indent.max(1) {
                string.push('\n');
            }
        }
        if chomp == Chomp::Keep {
            push_breaks(&mut string, breaks);
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        out.push((
            Event::Scalar(Cow::Owned(string), style, 0, None),
            Span::new(start, self.mark(self.p)),
        ));
        Ok(())
    }

    /// A flow collection at `s` that closes on its line, holding scalars and
    /// flow collections (mappings with `key: value` entries only).
    fn flow(&mut self, out: &mut Out<'a>, s: usize) -> Scan<()> {
        self.enter()?;
        let b = self.b;
        let map = b[s] == b'{';
        let close = if map { b'}' } else { b']' };
        let mut p = self.flow_ws(s + 1)?;
        let start = if map {
            Event::MappingStart(0, None)
        } else {
            Event::SequenceStart(0, None)
        };
        out.push((start, Span::new(self.mark(s), self.mark(p))));
        let mut first = true;
        // saphyr ends a flow mapping with a trailing comma at that comma.
        let mut comma_end = None;
        loop {
            if b.get(p) == Some(&close) {
                break;
            }
            if !first {
                if b.get(p) != Some(&b',') {
                    return Err(Bail);
                }
                let comma = p;
                p = self.flow_ws(p + 1)?;
                if b.get(p) == Some(&close) {
                    if map {
                        comma_end = Some(Span::new(self.mark(comma), self.mark(p)));
                    }
                    break;
                }
            }
            first = false;
            if map {
                let (ev, span, end) = self.flow_scalar(p)?;
                out.push((ev, span));
                p = end;
                while p < b.len() && b[p] == b' ' {
                    p += 1;
                }
                if !(b.get(p) == Some(&b':') && b.get(p + 1) == Some(&b' ')) {
                    return Err(Bail);
                }
                p = self.flow_ws(p + 1)?;
            }
            p = self.flow_node(out, p)?;
            while p < b.len() && b[p] == b' ' {
                p += 1;
            }
            if !map && b.get(p) == Some(&b':') {
                return Err(Bail);
            }
        }
        // The closing bracket's token runs to the end of its blanks and comment.
        let end = self.ws_to_eol(p + 1)?;
        let ev = if map {
            Event::MappingEnd
        } else {
            Event::SequenceEnd
        };
        let span = comma_end.unwrap_or_else(|| Span::new(self.mark(p), self.mark(end)));
        out.push((ev, span));
        self.p = end;
        self.depth -= 1;
        Ok(())
    }

    /// Blanks after a flow indicator; a comment would continue the collection
    /// on the next line.
    fn flow_ws(&self, i: usize) -> Scan<usize> {
        let b = self.b;
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        match b.get(j) {
            None | Some(b'\n' | b'#') => Err(Bail),
            _ => Ok(j),
        }
    }

    /// A node inside a flow collection at `p`; returns where it ends.
    fn flow_node(&mut self, out: &mut Out<'a>, p: usize) -> Scan<usize> {
        if matches!(self.b.get(p), Some(b'[' | b'{')) {
            self.flow(out, p)?;
            return Ok(self.p);
        }
        let (ev, span, end) = self.flow_scalar(p)?;
        out.push((ev, span));
        Ok(end)
    }

    /// A plain or quoted scalar inside a flow collection.
    fn flow_scalar(&self, p: usize) -> Scan<(Event<'a>, Span, usize)> {
        let b = self.b;
        match b.get(p) {
            Some(b'"' | b'\'') => {
                let (text, style, end) = self.quoted(p, true)?;
                if matches!(b.get(end), None | Some(b'\n')) {
                    return Err(Bail);
                }
                let span = Span::new(self.mark(p), self.mark(end));
                Ok((Event::Scalar(text, style, 0, None), span, end))
            }
            Some(_) if plain_start(b, p, true) => {
                let (e, j) = plain_flow(b, p)?;
                let span = Span::new(self.mark(p), self.mark(e));
                let text = Cow::Borrowed(&self.text[p..e]);
                Ok((Event::Scalar(text, ScalarStyle::Plain, 0, None), span, j))
            }
            _ => Err(Bail),
        }
    }
}

/// Whether a plain scalar may start at `s` (within the subset: scalars that
/// start with `?` or `:` are left to saphyr).
fn plain_start(b: &[u8], s: usize, flow: bool) -> bool {
    match b[s] {
        b'-' => match b.get(s + 1) {
            None | Some(b' ' | b'\n') => false,
            Some(&c) => !(flow && is_flow(c)),
        },
        b'?' | b':' | b'[' | b']' | b'{' | b'}' | b',' | b'*' | b'&' | b'!' | b'|' | b'>'
        | b'\'' | b'"' | b'%' | b'@' | b'`' | b'#' | b' ' | b'\n' => false,
        _ => true,
    }
}

/// A single-line plain scalar in block context starting at `s`: the end of its
/// text and the next non-blank offset (a line end, a comment or `: `).
fn plain_block(b: &[u8], s: usize) -> (usize, usize) {
    let mut i = s;
    loop {
        while i < b.len() {
            let c = b[i];
            if c == b' ' || c == b'\n' || (c == b':' && blank_or_end(b, i + 1)) {
                break;
            }
            i += 1;
        }
        let e = i;
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j > e && j < b.len() && b[j] != b'\n' && b[j] != b'#' && !is_value(b, j) {
            i = j;
            continue;
        }
        return (e, j);
    }
}

/// A plain scalar inside a flow collection starting at `s`: the end of its text
/// and the next non-blank offset, which must be on the same line.
fn plain_flow(b: &[u8], s: usize) -> Scan<(usize, usize)> {
    let ends = |i: usize| {
        let c = b[i];
        c == b' '
            || c == b'\n'
            || is_flow(c)
            || (c == b':' && (blank_or_end(b, i + 1) || b.get(i + 1).copied().is_some_and(is_flow)))
    };
    let mut i = s;
    loop {
        while i < b.len() && !ends(i) {
            i += 1;
        }
        let e = i;
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        match b.get(j) {
            None | Some(b'\n' | b'#') => return Err(Bail),
            // saphyr rejects `-` before a flow indicator inside a plain scalar.
            Some(b'-') if b.get(j + 1).copied().is_some_and(is_flow) => return Err(Bail),
            Some(_) if j > e && !ends(j) => i = j,
            Some(_) => return Ok((e, j)),
        }
    }
}

/// A double-quoted escape sequence at `i` (the backslash): the character and
/// the length of the sequence.
fn escape(b: &[u8], i: usize) -> Scan<(char, usize)> {
    let simple = match b.get(i + 1) {
        Some(b'0') => '\0',
        Some(b'a') => '\x07',
        Some(b'b') => '\x08',
        Some(b't') => '\t',
        Some(b'n') => '\n',
        Some(b'v') => '\x0b',
        Some(b'f') => '\x0c',
        Some(b'r') => '\r',
        Some(b'e') => '\x1b',
        Some(b' ') => ' ',
        Some(b'"') => '"',
        Some(b'/') => '/',
        Some(b'\\') => '\\',
        Some(b'N') => '\u{85}',
        Some(b'_') => '\u{a0}',
        Some(b'L') => '\u{2028}',
        Some(b'P') => '\u{2029}',
        Some(b'x') => return hex_escape(b, i, 2),
        Some(b'u') => return hex_escape(b, i, 4),
        Some(b'U') => return hex_escape(b, i, 8),
        _ => return Err(Bail),
    };
    Ok((simple, 2))
}

fn hex_escape(b: &[u8], i: usize, n: usize) -> Scan<(char, usize)> {
    let digits = b.get(i + 2..i + 2 + n).ok_or(Bail)?;
    let mut v = 0u32;
    for &d in digits {
        let x = (d as char).to_digit(16).ok_or(Bail)?;
        v = (v << 4) + x;
    }
    let ch = char::from_u32(v).ok_or(Bail)?;
    Ok((ch, 2 + n))
}

/// saphyr's parser on the rest of a slice, from a line start.
struct Slow<'a> {
    parser: Parser<'a, StrInput<'a>>,
    base: Cursor,
    /// Hand out its `StreamStart` (nothing was handed out before).
    keep_start: bool,
    /// An anchor was defined: later documents may refer to it in saphyr's
    /// parser state, so it parses the rest.
    anchors: bool,
}

enum Mode<'a> {
    Fast(Scanner<'a>),
    Slow(Box<Slow<'a>>),
    Done,
}

/// The `(Event, Span)` sequence of a YAML stream, as
/// `saphyr_parser::Parser::new_from_str(text)` yields it, scanned quickly where
/// the text allows. Iteration stops after the first error.
pub struct Events<'a> {
    text: &'a str,
    pos: Pos<'a>,
    buf: Out<'a>,
    next: usize,
    mode: Mode<'a>,
    /// Whether the scanner may read this text at all (see [`supported`]).
    fast_ok: bool,
    stream_started: bool,
    fast_groups: usize,
    slow_runs: usize,
}

impl<'a> Events<'a> {
    pub fn new(text: &'a str) -> Self {
        let start = Cursor {
            byte: 0,
            index: 0,
            line: 1,
        };
        let mut ev = Events {
            text,
            pos: Pos::new(text),
            buf: Vec::new(),
            next: 0,
            mode: Mode::Done,
            fast_ok: supported(text),
            stream_started: false,
            fast_groups: 0,
            slow_runs: 0,
        };
        ev.mode = if ev.fast_ok {
            Mode::Fast(Scanner::new(text, start, true, ev.pos.is_ascii()))
        } else {
            ev.slow(start)
        };
        ev
    }

    /// How many times saphyr took over, and how many groups the scanner read.
    pub fn stats(&self) -> (usize, usize) {
        (self.slow_runs, self.fast_groups)
    }

    fn slow(&mut self, at: Cursor) -> Mode<'a> {
        self.slow_runs += 1;
        Mode::Slow(Box::new(Slow {
            parser: Parser::new_from_str(&self.text[at.byte..]),
            base: at,
            keep_start: !self.stream_started,
            anchors: false,
        }))
    }
}

fn shift(m: Marker, base: Cursor) -> Marker {
    Marker::new(m.index() + base.index, m.line() + base.line - 1, m.col())
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<(Event<'a>, Span), ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.next < self.buf.len() {
                let slot = &mut self.buf[self.next];
                self.next += 1;
                return Some(Ok(std::mem::replace(
                    slot,
                    (Event::Nothing, Span::default()),
                )));
            }
            match &mut self.mode {
                Mode::Done => return None,
                Mode::Fast(scanner) => {
                    self.buf.clear();
                    self.next = 0;
                    match scanner.group(&mut self.buf) {
                        Ok(more) => {
                            self.stream_started = true;
                            self.fast_groups += 1;
                            if !more {
                                self.mode = Mode::Done;
                            }
                        }
                        Err(Bail) => {
                            self.buf.clear();
                            let at = scanner.group_start;
                            self.mode = self.slow(at);
                        }
                    }
                }
                Mode::Slow(slow) => {
                    let base = slow.base;
                    let (ev, span) = match slow.parser.next_event() {
                        None => {
                            self.mode = Mode::Done;
                            return None;
                        }
                        Some(Err(e)) => {
                            self.mode = Mode::Done;
                            let at = shift(*e.marker(), base);
                            return Some(Err(ScanError::new(at, e.info().to_owned())));
                        }
                        Some(Ok(x)) => x,
                    };
                    let span = Span::new(shift(span.start, base), shift(span.end, base));
                    match &ev {
                        Event::StreamStart if !slow.keep_start => continue,
                        Event::Scalar(_, _, a, _)
                        | Event::SequenceStart(a, _)
                        | Event::MappingStart(a, _)
                            if *a != 0 =>
                        {
                            slow.anchors = true;
                        }
                        // A new parser from a `---` line is in the state this one
                        // is in after a document without anchors, directives
                        // (`supported`) or errors: the scanner can take over.
                        Event::DocumentStart(true)
                            if self.fast_ok && !slow.anchors && span.start.index() > base.index =>
                        {
                            let byte = self.pos.byte(span.start.index());
                            let b = self.text.as_bytes();
                            if (byte == 0 || b[byte - 1] == b'\n') && is_marker_at(b, byte) {
                                let at = Cursor {
                                    byte,
                                    index: span.start.index(),
                                    line: span.start.line(),
                                };
                                self.stream_started = true;
                                self.mode = Mode::Fast(Scanner::new(
                                    self.text,
                                    at,
                                    false,
                                    self.pos.is_ascii(),
                                ));
                                continue;
                            }
                        }
                        _ => {}
                    }
                    return Some(Ok((ev, span)));
                }
            }
        }
    }
}

/// The events of `text` from the scanner alone, or `None` where it would hand
/// over to saphyr.
pub fn scan_all(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    if !supported(text) {
        return None;
    }
    let start = Cursor {
        byte: 0,
        index: 0,
        line: 1,
    };
    let mut s = Scanner::new(text, start, true, text.is_ascii());
    let mut out = Vec::new();
    loop {
        match s.group(&mut out) {
            Ok(true) => {}
            Ok(false) => return Some(out),
            Err(Bail) => return None,
        }
    }
}
