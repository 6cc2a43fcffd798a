//! Secret values never appear in a code frame.
//!
//! Parsed Secrets are masked field by field (`data` and `stringData` values,
//! located through their pointers). Documents that did not parse are masked by
//! their text: in any document with a `kind: Secret` line, everything after
//! the keys of its top-level `data:` / `stringData:` block.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::diagnostic::Target;
use crate::resource::Resource;
use crate::source::{FileId, Sources};
use crate::yaml::{DocSpan, Value, locate, split};

/// A value of a parsed Secret: where to find it when its file is shown.
pub(super) struct SecretField {
    file: FileId,
    doc: DocSpan,
    pointer: String,
}

/// The Secret values of `objects` in the files of `needed`. Gathering them is
/// cheap; locating them ([`secret_spans`]) is left until a code frame is printed.
pub(super) fn secret_fields(objects: &[Resource], needed: &HashSet<FileId>) -> Vec<SecretField> {
    let mut out = Vec::new();
    for r in objects {
        let file = r.origin.doc.file;
        if !needed.contains(&file) || r.kind() != Some("Secret") {
            continue;
        }
        for field in ["data", "stringData"] {
            let Some(Value::Map(m)) = r.value.get(field) else {
                continue;
            };
            for key in m.keys() {
                out.push(SecretField {
                    file,
                    doc: r.origin.doc,
                    pointer: crate::pointer::join(
                        &r.origin.base,
                        &crate::pointer::from_segments([field, key]),
                    ),
                });
            }
        }
    }
    out
}

/// Byte ranges to mask, for the files in `needed`.
pub(super) fn secret_spans(
    sources: &Sources,
    fields: &[SecretField],
    needed: &HashSet<FileId>,
) -> HashMap<FileId, Vec<(usize, usize)>> {
    let mut out: HashMap<FileId, Vec<(usize, usize)>> = HashMap::new();
    let mut files: Vec<FileId> = needed.iter().copied().collect();
    files.sort();
    for file in files {
        let spans = text_spans(&sources.get(file).text);
        if !spans.is_empty() {
            out.entry(file).or_default().extend(spans);
        }
    }
    for f in fields {
        let text = &sources.get(f.file).text;
        if let Some(l) = locate::locate(text, &f.doc, &f.pointer, Target::Value) {
            if l.exact {
                out.entry(f.file).or_default().push((l.start, l.end));
            }
        }
    }
    out
}

fn is_secret_kind_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("kind:") else {
        return false;
    };
    let v = rest
        .split('#')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['"', '\'']);
    v == "Secret"
}

/// Masks by text, for every document that declares `kind: Secret`.
fn text_spans(text: &str) -> Vec<(usize, usize)> {
    if !text.contains("Secret") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let segs = split::segments(text);
    for (i, seg) in segs.iter().enumerate() {
        let end = segs.get(i + 1).map_or(text.len(), |s| s.byte);
        let doc = &text[seg.byte..end];
        if !doc.lines().any(is_secret_kind_line) {
            continue;
        }
        let mut in_data = false;
        let mut offset = seg.byte;
        for line in doc.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let content = body.trim_start();
            let indent = body.len() - content.len();
            let line_start = offset;
            offset += line.len();
            if content.is_empty() {
                continue;
            }
            if indent == 0 && !content.starts_with('#') {
                let key = ["data:", "stringData:"]
                    .into_iter()
                    .find(|k| content.starts_with(k));
                in_data = key.is_some();
                if let Some(k) = key {
                    let from = line_start + k.len();
                    if body[k.len()..].trim().is_empty() {
                        continue;
                    }
                    out.push((from, line_start + body.len()));
                }
                continue;
            }
            if in_data {
                let from = match content.find(": ") {
                    Some(p) => indent + p + 2,
                    None if content.ends_with(':') => continue,
                    None => indent,
                };
                out.push((line_start + from, line_start + body.len()));
            }
        }
    }
    out
}

/// Replaces the bytes of `spans` (line breaks excepted) with `*`.
pub(super) fn mask<'t>(text: &'t str, spans: &[(usize, usize)]) -> Cow<'t, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(s, e) in spans {
        for b in bytes.iter_mut().take(e.min(text.len())).skip(s) {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_data_by_text() {
        let text = "kind: ConfigMap\ndata:\n  a: visible\n---\napiVersion: v1\nkind: Secret\ndata:\n  password: MTIz\n  cert: |\n    LS0t\nstringData: {token: abc}\ntype: Opaque\n";
        let spans = text_spans(text);
        let masked = mask(text, &spans);
        assert!(masked.contains("a: visible"));
        assert!(!masked.contains("MTIz"));
        assert!(!masked.contains("LS0t"));
        assert!(!masked.contains("abc"));
        assert!(masked.contains("  password: ****\n"));
        assert!(masked.contains("type: Opaque"));
        assert_eq!(masked.len(), text.len());
    }
}
