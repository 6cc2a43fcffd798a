//! Parser errors turned into diagnostics that say how to fix the file.

use super::split::Boundary;
use crate::diagnostic::{Diagnostic, Location, codes};
use crate::source::FileId;

/// Punctuation that looks like YAML syntax in a CJK input method but is not.
const FULL_WIDTH: &[(char, &str)] = &[
    ('：', "':'"),
    ('，', "','"),
    ('、', "','"),
    ('；', "';'"),
    ('“', "'\"'"),
    ('”', "'\"'"),
    ('‘', "\"'\""),
    ('’', "\"'\""),
    ('　', "a space"),
    ('－', "'-'"),
    ('［', "'['"),
    ('］', "']'"),
    ('｛', "'{'"),
    ('｝', "'}'"),
];

fn line_bounds(text: &str, at: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let at = at.min(b.len());
    let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
    (start, end)
}

/// The line before `line_start` that has content (not blank, not a comment).
fn previous_content_line(text: &str, line_start: usize) -> Option<(usize, usize)> {
    let mut end = line_start.checked_sub(1)?;
    loop {
        let (s, e) = line_bounds(text, end);
        let trimmed = text[s..e].trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Some((s, e));
        }
        end = s.checked_sub(1)?;
    }
}

fn char_len_at(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8)
}

fn full_width_hint(text: &str, first_line: usize, lines: &[(usize, usize)]) -> Option<String> {
    for &(s, e) in lines {
        let line = &text[s..e];
        for (c, ascii) in FULL_WIDTH {
            if line.contains(*c) {
                let n = memchr::memchr_iter(b'\n', &text.as_bytes()[..s]).count() + first_line;
                return Some(format!(
                    "line {n} contains the full-width character '{c}' (U+{:04X}); YAML syntax needs {ascii}",
                    *c as u32
                ));
            }
        }
    }
    None
}

/// A syntax error at byte `at` of `text`, which starts at `origin` of the file
/// (the whole file, or a part that begins at a line start with enough lines
/// before the error for the hints).
pub(super) fn syntax_error(
    file: FileId,
    text: &str,
    origin: Boundary,
    at: usize,
    info: &str,
) -> Diagnostic {
    let at = at.min(text.len());
    let span_at = |s: usize, e: usize| Location::Span {
        file,
        start: origin.byte + s,
        end: origin.byte + e,
    };
    let here = span_at(at, at + char_len_at(text, at));
    let (ls, le) = line_bounds(text, at);
    let prev = previous_content_line(text, ls);

    if info.contains("tab") {
        // The parser stops after the TAB; point at the TAB itself.
        let indent = &text.as_bytes()[ls..at];
        let tab = indent
            .iter()
            .position(|&c| c == b'\t')
            .map_or(at, |i| ls + i);
        return tab_error(file, origin.byte + tab);
    }
    if info.contains("recursion limit") {
        return Diagnostic::new(
            &codes::YAML_TOO_DEEP,
            "flow collections ([...] and {...}) nest too deeply; drydock stops reading this document",
        )
        .help("no Kubernetes object nests this deep: this is generated or hostile input")
        .at(here);
    }

    let mut hint_lines = vec![(ls, le)];
    hint_lines.extend(prev);
    let full_width = full_width_hint(text, origin.line, &hint_lines);

    let (message, help, location) = if info.contains("simple key expect ':'") {
        // The parser notices the missing ':' only on the following line; the
        // key that lacks it is on the line before.
        let (ks, ke) = prev.unwrap_or((ls, le));
        let indent = text[ks..ke].len() - text[ks..ke].trim_start().len();
        let n = memchr::memchr_iter(b'\n', &text.as_bytes()[..ks]).count() + origin.line;
        (
            "could not find expected ':'".to_owned(),
            full_width.clone().unwrap_or_else(|| {
                format!("the key on line {n} is not followed by ': '; add the colon, or indent this line if it continues a value")
            }),
            span_at(ks + indent, ke.max(ks + indent)),
        )
    } else if info.contains("mapping values are not allowed") {
        (
            info.to_owned(),
            "a `key: value` cannot start here: check the indentation of this line, or quote a value that contains ': '".to_owned(),
            here,
        )
    } else if info.contains("did not find expected key") {
        (
            info.to_owned(),
            "this line is not aligned with the other keys of its mapping: check its indentation"
                .to_owned(),
            here,
        )
    } else if info.contains("did not find expected '-' indicator") {
        (
            info.to_owned(),
            "this key interrupts the list above it: indent it under a list item, or align it with the key that holds the list".to_owned(),
            here,
        )
    } else if info.contains("expected ',' or ']'") || info.contains("expected ',' or '}'") {
        // go-yaml's words, which kubectl prints.
        let close = if info.contains(']') { ']' } else { '}' };
        (
            format!("did not find expected ',' or '{close}'"),
            format!(
                "a flow collection is not closed: add the missing '{close}', or quote a value that starts with '[' or '{{'"
            ),
            here,
        )
    } else if info.contains("unknown anchor") {
        (
            info.to_owned(),
            "define the anchor (`&name`) before the alias that uses it (`*name`)".to_owned(),
            here,
        )
    } else {
        (info.to_owned(), String::new(), here)
    };
    let help = match (full_width, help.is_empty()) {
        (Some(fw), true) => fw,
        (Some(fw), false) if !help.contains("full-width") => format!("{help}\n{fw}"),
        (_, _) => help,
    };
    let mut d = Diagnostic::new(&codes::YAML_SYNTAX, message).at(location);
    if !help.is_empty() {
        d = d.help(help);
    }
    d
}

/// A TAB where go-yaml (and so kubectl) refuses one.
pub(super) fn tab_error(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::new(
        &codes::YAML_TAB,
        "found character that cannot start any token: a TAB is used as indentation",
    )
    .help(
        "indent with spaces; kubectl rejects TABs at the start of a line and after `:`, `-` or `?`",
    )
    .at(Location::Span {
        file,
        start: at,
        end: at + 1,
    })
}
