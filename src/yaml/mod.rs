//! YAML loading: text in, one [`Value`] per document out, plus diagnostics.
//!
//! Parsing uses saphyr's event parser (the `saphyr-parser` crate); drydock
//! builds its own tree from the events so that it can resolve scalars the way
//! kubectl does (see [`resolve`]), report duplicate keys, bound alias expansion
//! and nesting depth, and keep nothing but the value once a document is built.
//! A document's span tree is not kept: when a report needs the line of a field,
//! [`locate`] parses that one document again.
//!
//! A stream is cut at its `---` lines (YAML forbids those inside any scalar),
//! which lets large files be parsed in parallel and lets parsing resume at the
//! next document after a syntax error.

mod build;
mod errors;
mod key;
pub mod locate;
pub mod resolve;
pub(crate) mod split;
mod tabs;
pub mod value;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

pub use value::{Key, Map, Seq, Str, Value};

/// Where a document lives: enough to parse it again for span resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocSpan {
    pub file: FileId,
    /// Byte offset of the start of the document's first line.
    pub start: usize,
    /// Byte offset just past the document.
    pub end: usize,
    /// 1-based line number of `start`.
    pub line: usize,
}

/// Limits that keep hostile input from exhausting memory or the stack.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Nodes that alias expansion may produce per document.
    pub alias_limit: usize,
    /// Maximum nesting of mappings and sequences.
    pub max_depth: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            alias_limit: 100_000,
            max_depth: 1000,
        }
    }
}

/// One parsed document.
#[derive(Debug, Clone)]
pub struct ParsedDoc {
    pub value: Value,
    pub span: DocSpan,
}

/// The documents of a stream, in order, and what was wrong with it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub docs: Vec<ParsedDoc>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Chunks smaller than this are not worth a parallel task.
const CHUNK_BYTES: usize = 256 * 1024;

/// Parses a multi-document stream. Empty documents are skipped.
pub fn parse(file: FileId, text: &str, opts: &LoadOptions) -> Parsed {
    let segments = split::segments(text);
    let chunks = split::chunks(text, &segments, CHUNK_BYTES);
    let parts: Vec<Parsed> = if chunks.len() > 1 {
        chunks
            .par_iter()
            .map(|c| build::parse_chunk(file, text, c, &segments, opts))
            .collect()
    } else {
        chunks
            .iter()
            .map(|c| build::parse_chunk(file, text, c, &segments, opts))
            .collect()
    };
    let mut out = Parsed::default();
    for p in parts {
        out.docs.extend(p.docs);
        out.diagnostics.extend(p.diagnostics);
    }
    out
}
