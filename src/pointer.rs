//! RFC 6901 JSON pointers: how every diagnostic names the field it is about.

use std::borrow::Cow;

/// Appends one reference token to `pointer`, escaping `~` and `/`.
pub fn push(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Appends an array index.
pub fn push_index(pointer: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(pointer, "/{index}");
}

/// Builds a pointer from unescaped segments.
pub fn from_segments<'a>(segments: impl IntoIterator<Item = &'a str>) -> String {
    let mut p = String::new();
    for s in segments {
        push(&mut p, s);
    }
    p
}

/// Joins a base pointer (e.g. `/items/3`) and a pointer relative to it.
pub fn join(base: &str, rest: &str) -> String {
    let mut p = String::with_capacity(base.len() + rest.len());
    p.push_str(base);
    p.push_str(rest);
    p
}

/// The unescaped reference tokens of a pointer; `""` has none.
pub fn segments(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(|s| {
        if s.contains('~') {
            Cow::Owned(s.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(s)
        }
    })
}

/// Parses an array index token (no leading zeros, as RFC 6901 requires).
pub fn index(token: &str) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let mut p = String::new();
        push(&mut p, "metadata");
        push(&mut p, "annotations");
        push(&mut p, "example.com/a~b");
        push_index(&mut p, 3);
        assert_eq!(p, "/metadata/annotations/example.com~1a~0b/3");
        let segs: Vec<_> = segments(&p).collect();
        assert_eq!(segs, ["metadata", "annotations", "example.com/a~b", "3"]);
        assert_eq!(from_segments(["a/b"]), "/a~1b");
        assert_eq!(segments("").count(), 0);
    }

    #[test]
    fn indexes_reject_leading_zeros() {
        assert_eq!(index("0"), Some(0));
        assert_eq!(index("12"), Some(12));
        assert_eq!(index("012"), None);
        assert_eq!(index("-1"), None);
        assert_eq!(index(""), None);
    }
}
