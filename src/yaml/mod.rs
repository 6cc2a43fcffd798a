//! YAML loading: text in, one [`Value`] per document out, plus diagnostics.
//!
//! Parsing uses saphyr's event parser (the `saphyr-parser` crate), with a fast
//! scanner for the common block-style subset that yields the same events
//! ([`fast`]); drydock builds its own tree from the events so that it can
//! resolve scalars the way
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
pub mod fast;
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
    /// The rules the document was read with (keys resolve differently).
    pub dialect: resolve::Dialect,
}

/// Limits that keep hostile input from exhausting memory or the stack.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Nodes that alias expansion may produce per document.
    pub alias_limit: usize,
    /// Maximum nesting of mappings and sequences.
    pub max_depth: usize,
    /// kubectl's YAML rules, or kustomize's.
    pub dialect: resolve::Dialect,
    /// Report the YAML 1.1 traps (off where another reader's rules apply).
    pub lints: bool,
    /// Keep the last of duplicate keys silently, as go-yaml v2 does when
    /// kustomize reads a kustomization file.
    pub allow_duplicate_keys: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            alias_limit: 100_000,
            max_depth: 1000,
            dialect: resolve::Dialect::Kubectl,
            lints: true,
            allow_duplicate_keys: false,
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
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;

/// Parses one chunk of `text` (see [`split::chunks`]), which starts at
/// `origin` of its file (the file offset and line of its first byte); offsets
/// and lines are the file's, so the parts of a file can be read, parsed and
/// dropped one at a time. `chunk` and `segments` give bytes of `text` and lines
/// of the file. A syntax error's hint may quote the line before the error, so
/// `text` holds at least the last line with content before the chunk.
pub(crate) fn parse_chunk(
    file: FileId,
    text: &str,
    origin: split::Boundary,
    chunk: &split::Chunk,
    segments: &[split::Boundary],
    opts: &LoadOptions,
) -> Parsed {
    build::parse_chunk(file, text, origin, chunk, segments, opts)
}

/// The start of a whole text.
const TEXT_START: split::Boundary = split::Boundary { byte: 0, line: 1 };

/// Parses a multi-document stream. Empty documents are skipped.
pub fn parse(file: FileId, text: &str, opts: &LoadOptions) -> Parsed {
    let segments = split::segments(text);
    let chunks = split::chunks(text, &segments, CHUNK_BYTES);
    let parts: Vec<Parsed> = if chunks.len() > 1 {
        chunks
            .par_iter()
            .map(|c| build::parse_chunk(file, text, TEXT_START, c, &segments, opts))
            .collect()
    } else {
        chunks
            .iter()
            .map(|c| build::parse_chunk(file, text, TEXT_START, c, &segments, opts))
            .collect()
    };
    let mut out = Parsed::default();
    for p in parts {
        out.docs.extend(p.docs);
        out.diagnostics.extend(p.diagnostics);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Parsed {
        parse(FileId(0), text, &LoadOptions::default())
    }

    fn json(v: &Value) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }

    #[test]
    fn values_are_what_kubectl_sends() {
        let p = docs(
            "mode: 0644\nflag: on\nquoted: \"on\"\nsize: 1_000\nexp: 1e3\nhalf: .5\nday: 2024-01-01\nbig: 18446744073709551615\nnothing: ~\n",
        );
        assert!(p.diagnostics.iter().all(|d| d.code.starts_with("yaml11")));
        assert_eq!(
            json(&p.docs[0].value),
            r#"{"mode":420,"flag":true,"quoted":"on","size":1000,"exp":1000,"half":0.5,"day":"2024-01-01","big":18446744073709551615,"nothing":null}"#
        );
    }

    #[test]
    fn merge_keys_follow_go_yaml() {
        let p = docs(
            "base: &b {a: 1, b: 2}\nother: &o {b: 3, c: 4}\nm:\n  x: 0\n  <<: [*b, *o]\n  a: 9\n",
        );
        assert!(p.diagnostics.is_empty());
        // Earlier maps in the list win; explicit keys after the merge override it.
        assert_eq!(
            json(p.docs[0].value.get("m").unwrap_or(&Value::Null)),
            r#"{"x":0,"b":2,"c":4,"a":9}"#
        );
    }

    #[test]
    fn empty_documents_are_skipped_and_spans_recorded() {
        let p = docs("---\n# comment only\n---\na: 1\n---\n---\nb: 2\n...\n");
        assert_eq!(p.docs.len(), 2);
        assert_eq!((p.docs[0].span.line, p.docs[1].span.line), (3, 6));
        let text = "---\n# comment only\n---\na: 1\n---\n---\nb: 2\n...\n";
        let d = &p.docs[1].span;
        assert!(text[d.start..d.end].contains("b: 2"));
    }

    #[test]
    fn chunked_parsing_matches_whole_parsing() {
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i} # 注释\ndata:\n  k: \"{}\"\n", "x".repeat(i % 50)));
        }
        text.push_str("---\nbroken: [\n---\nkind: Last\n");
        let whole = {
            let segments = split::segments(&text);
            let chunk = split::Chunk {
                start: segments[0],
                end: text.len(),
            };
            build::parse_chunk(
                FileId(0),
                &text,
                TEXT_START,
                &chunk,
                &segments,
                &LoadOptions::default(),
            )
        };
        let chunked = docs(&text);
        assert!(
            split::chunks(&text, &split::segments(&text), CHUNK_BYTES).len() == 1
                || text.len() > CHUNK_BYTES
        );
        let pairs = |p: &Parsed| {
            p.docs
                .iter()
                .map(|d| (json(&d.value), d.span))
                .collect::<Vec<_>>()
        };
        assert_eq!(pairs(&whole), pairs(&chunked));
        assert_eq!(whole.diagnostics, chunked.diagnostics);
        assert_eq!(chunked.docs.len(), 401);
        assert_eq!(chunked.diagnostics.len(), 1);
    }

    #[test]
    fn large_streams_are_split_into_parallel_chunks() {
        let doc = "---\nkind: A\nmetadata: {name: n}\n";
        let text = doc.repeat(CHUNK_BYTES / doc.len() * 3);
        assert!(split::chunks(&text, &split::segments(&text), CHUNK_BYTES).len() >= 3);
        let p = docs(&text);
        assert_eq!(p.docs.len(), CHUNK_BYTES / doc.len() * 3);
        let lines: Vec<usize> = p.docs.iter().map(|d| d.span.line).collect();
        assert!(lines.windows(2).all(|w| w[1] == w[0] + 3));
    }

    #[test]
    fn large_maps_still_detect_duplicates() {
        let mut text = String::from("data:\n");
        for i in 0..100 {
            text.push_str(&format!("  k{i}: v\n"));
        }
        text.push_str("  k7: again\n");
        let p = docs(&text);
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].code, "yaml-duplicate-key");
        assert_eq!(
            p.docs[0].value.get("data").and_then(|d| d.get("k7")),
            Some(&Value::from("again"))
        );
    }
}
