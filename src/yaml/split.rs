//! Cutting a stream at its document markers.
//!
//! A line starting with `---` followed by a blank or the end of the line always
//! starts a new document: YAML forbids such a line inside scalar content
//! ("c-forbidden"), so the cut never changes what a document means.

/// Start of a segment: a byte offset at a line start, and its 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    pub byte: usize,
    pub line: usize,
}

/// A run of whole segments parsed as one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: Boundary,
    pub end: usize,
}

/// Whether a document marker line (`---`) starts at `i`.
pub(crate) fn is_marker_at(b: &[u8], i: usize) -> bool {
    b.get(i..i + 3) == Some(b"---")
        && matches!(b.get(i + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Every place a parse may start: the beginning of the text and each `---` line.
pub fn segments(text: &str) -> Vec<Boundary> {
    let b = text.as_bytes();
    let mut out = vec![Boundary { byte: 0, line: 1 }];
    let mut line = 1;
    let mut last = 0;
    for nl in memchr::memchr_iter(b'\n', b) {
        let next = nl + 1;
        if is_marker_at(b, next) {
            line += memchr::memchr_iter(b'\n', &b[last..next]).count();
            last = next;
            out.push(Boundary { byte: next, line });
        }
    }
    out
}

/// Groups segments into chunks of at least `target` bytes. A stream with
/// directives (`%YAML`, `%TAG`) stays whole, since a directive belongs to the
/// document after it.
pub fn chunks(text: &str, segments: &[Boundary], target: usize) -> Vec<Chunk> {
    let has_directive =
        text.starts_with('%') || memchr::memmem::find(text.as_bytes(), b"\n%").is_some();
    if has_directive || text.len() <= target {
        return vec![Chunk {
            start: segments[0],
            end: text.len(),
        }];
    }
    let mut out = Vec::new();
    let mut start = segments[0];
    for &seg in &segments[1..] {
        if seg.byte - start.byte >= target {
            out.push(Chunk {
                start,
                end: seg.byte,
            });
            start = seg;
        }
    }
    out.push(Chunk {
        start,
        end: text.len(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_marker_lines_only() {
        let text = "a: 1\n---\nb: |\n  ---\n---x: 1\n--- # c\nc: 3\n---";
        let segs = segments(text);
        let lines: Vec<_> = segs.iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 2, 6, 8]);
        assert_eq!(&text[segs[2].byte..segs[2].byte + 5], "--- #");
    }

    #[test]
    fn chunks_cover_the_text() {
        let doc = "kind: A\n---\n";
        let text = doc.repeat(100);
        let segs = segments(&text);
        let cs = chunks(&text, &segs, 100);
        assert!(cs.len() > 1);
        assert_eq!(cs[0].start.byte, 0);
        for w in cs.windows(2) {
            assert_eq!(w[0].end, w[1].start.byte);
        }
        assert_eq!(cs.last().unwrap().end, text.len());
        let directive = format!("%YAML 1.1\n{text}");
        assert_eq!(chunks(&directive, &segments(&directive), 100).len(), 1);
    }
}
