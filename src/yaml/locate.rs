//! JSON pointer to source span, by parsing one document again.
//!
//! Called only when a diagnostic is reported, so loading keeps no span tree.
//! When the pointer names something that is not in the source (a missing
//! required field, a value added by a transformer), the span of the deepest
//! ancestor that is there is returned instead.

use saphyr_parser::{Event, ScalarStyle};

use super::DocSpan;
use super::build::Pos;
use crate::diagnostic::Target;

/// A resolved location: bytes of the file, and whether the pointer itself was
/// found (rather than one of its ancestors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    pub start: usize,
    pub end: usize,
    pub exact: bool,
}

struct Frame {
    is_map: bool,
    /// Whether this node's path is a prefix of the pointer.
    matches: bool,
    depth: usize,
    /// Sequences: index of the next item.
    index: usize,
    /// Mappings: the key of the value being read, and its span.
    key: Option<(String, usize, usize)>,
    expecting_key: bool,
    /// A mapping or sequence used as a key: nothing inside can match.
    is_key: bool,
    start: usize,
    key_span: Option<(usize, usize)>,
    flow: bool,
}

/// Finds the span of `pointer` in the document `doc` of `file_text`.
pub fn locate(file_text: &str, doc: &DocSpan, pointer: &str, target: Target) -> Option<Located> {
    let slice = file_text.get(doc.start..doc.end.min(file_text.len()))?;
    let segs: Vec<String> = crate::pointer::segments(pointer)
        .map(|s| s.into_owned())
        .collect();
    let pos = Pos::new(slice);
    let mut stack: Vec<Frame> = Vec::new();
    let mut best: Option<(usize, Located)> = None;
    let mut root_seen = false;

    // Records a node whose path matches the first `depth` segments.
    let mut record = |depth: usize, loc: Located| {
        if best.as_ref().is_none_or(|(d, _)| depth > *d) {
            best = Some((depth, loc));
        }
    };

    for item in super::fast::Events::new(slice) {
        let Ok((ev, span)) = item else { break };
        let (s, e) = pos.span(&span);
        match ev {
            Event::StreamEnd => break,
            Event::DocumentEnd if root_seen => break,
            Event::Scalar(ref text, style, ..) if is_key_position(&stack) => {
                let key = if style == ScalarStyle::Plain {
                    let r = doc.dialect.resolve(text);
                    r.key_string(text).map(|k| k.to_string())
                } else {
                    Some(text.to_string())
                };
                if let Some(top) = stack.last_mut() {
                    top.key = key.map(|k| (k, s, e));
                    top.expecting_key = false;
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                root_seen = true;
                if let Some((depth, key_span)) = child_match(&stack, &segs) {
                    let (ls, le) = match (target, key_span) {
                        (Target::Key, Some(k)) if depth == segs.len() => k,
                        _ => (s, e.max(s)),
                    };
                    record(
                        depth,
                        Located {
                            start: ls,
                            end: le,
                            exact: depth == segs.len(),
                        },
                    );
                }
                advance(&mut stack);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                root_seen = true;
                let is_key = is_key_position(&stack) || stack.last().is_some_and(|f| f.is_key);
                let matched = if is_key {
                    None
                } else {
                    child_match(&stack, &segs)
                };
                let key_span = stack
                    .last()
                    .and_then(|f| f.key.as_ref())
                    .map(|(_, ks, ke)| (*ks, *ke));
                stack.push(Frame {
                    is_map: matches!(ev, Event::MappingStart(..)),
                    matches: matched.is_some(),
                    depth: matched.map_or(0, |(d, _)| d),
                    index: 0,
                    key: None,
                    expecting_key: matches!(ev, Event::MappingStart(..)),
                    is_key,
                    start: s,
                    key_span,
                    flow: matches!(slice.as_bytes().get(s), Some(b'[' | b'{')),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(f) = stack.pop() else { break };
                if f.matches && !f.is_key {
                    let first_line_end = memchr::memchr(b'\n', &slice.as_bytes()[f.start..])
                        .map_or(slice.len(), |i| f.start + i);
                    let (ls, le) = match f.key_span {
                        // A block collection is best shown by its key.
                        Some(k) if !f.flow || target == Target::Key => k,
                        _ if f.flow => (f.start, (e + 1).min(first_line_end).max(f.start)),
                        _ => (f.start, first_line_end.max(f.start)),
                    };
                    record(
                        f.depth,
                        Located {
                            start: ls,
                            end: le,
                            exact: f.depth == segs.len(),
                        },
                    );
                }
                advance_after_container(&mut stack, f.is_key);
            }
            _ => {}
        }
    }
    best.map(|(_, l)| Located {
        start: doc.start + l.start,
        end: doc.start + l.end,
        exact: l.exact,
    })
}

fn is_key_position(stack: &[Frame]) -> bool {
    stack.last().is_some_and(|f| f.is_map && f.expecting_key)
}

/// If the node about to be read matches a prefix of the pointer, how many
/// segments it matches, and the span of its key.
fn child_match(stack: &[Frame], segs: &[String]) -> Option<(usize, Option<(usize, usize)>)> {
    let Some(parent) = stack.last() else {
        return Some((0, None));
    };
    if !parent.matches || parent.is_key {
        return None;
    }
    let d = parent.depth;
    let seg = segs.get(d)?;
    if parent.is_map {
        let (k, ks, ke) = parent.key.as_ref()?;
        (k == seg).then_some((d + 1, Some((*ks, *ke))))
    } else {
        (crate::pointer::index(seg) == Some(parent.index)).then_some((d + 1, None))
    }
}

/// After a scalar or alias value: move the parent to its next child.
fn advance(stack: &mut [Frame]) {
    if let Some(top) = stack.last_mut() {
        if top.is_map {
            top.expecting_key = true;
            top.key = None;
        } else {
            top.index += 1;
        }
    }
}

fn advance_after_container(stack: &mut [Frame], was_key: bool) {
    if let Some(top) = stack.last_mut() {
        if top.is_map && was_key && top.expecting_key {
            // The collection was a key; its value comes next and cannot match.
            top.expecting_key = false;
            top.key = None;
        } else {
            advance(stack);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, LineIndex};

    fn loc(text: &str, pointer: &str, target: Target) -> Option<(usize, usize, bool)> {
        let doc = DocSpan {
            file: FileId(0),
            start: 0,
            end: text.len(),
            line: 1,
            dialect: Default::default(),
        };
        let l = locate(text, &doc, pointer, target)?;
        let idx = LineIndex::new(text);
        let (line, col) = idx.position(text, l.start);
        Some((line, col, l.exact))
    }

    const DOC: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app: web, on: x}\nspec:\n  containers:\n  - name: a\n    image: nginx\n    ports:\n    - containerPort: 80\n";

    #[test]
    fn finds_values_and_keys() {
        assert_eq!(loc(DOC, "/kind", Target::Value), Some((2, 7, true)));
        assert_eq!(loc(DOC, "/kind", Target::Key), Some((2, 1, true)));
        assert_eq!(
            loc(
                DOC,
                "/spec/containers/0/ports/0/containerPort",
                Target::Value
            ),
            Some((11, 22, true))
        );
        assert_eq!(
            loc(DOC, "/metadata/labels/app", Target::Value),
            Some((5, 17, true))
        );
        // `on` is the key "true" for kubectl.
        assert_eq!(
            loc(DOC, "/metadata/labels/true", Target::Key),
            Some((5, 22, true))
        );
    }

    #[test]
    fn block_collections_point_at_their_key() {
        assert_eq!(
            loc(DOC, "/spec/containers", Target::Value),
            Some((7, 3, true))
        );
        assert_eq!(
            loc(DOC, "/spec/containers/0", Target::Value),
            Some((8, 5, true))
        );
        assert_eq!(
            loc(DOC, "/metadata/labels", Target::Value),
            Some((5, 11, true))
        );
    }

    #[test]
    fn missing_fields_fall_back_to_the_nearest_ancestor() {
        assert_eq!(loc(DOC, "/spec/selector", Target::Key), Some((6, 1, false)));
        assert_eq!(
            loc(DOC, "/spec/containers/0/resources/limits", Target::Key),
            Some((8, 5, false))
        );
        assert_eq!(loc(DOC, "", Target::Value), Some((1, 1, true)));
    }

    #[test]
    fn non_ascii_columns() {
        let text = "# 注释\nmetadata:\n  name: \"日本\" # 名\n  namespace: ns\n";
        assert_eq!(
            loc(text, "/metadata/namespace", Target::Value),
            Some((4, 14, true))
        );
        assert_eq!(
            loc(text, "/metadata/name", Target::Value),
            Some((3, 9, true))
        );
    }
}
