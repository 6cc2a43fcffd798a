//! TABs that kubectl rejects although YAML 1.2 parsers accept them.
//!
//! go-yaml (libyaml's scanner) skips a TAB between tokens only in flow
//! collections or where a simple key cannot start. At the start of a line and
//! right after a block indicator (`-`, `?`) a TAB is "a character that cannot
//! start any token", even on a line that holds nothing but a comment. A TAB
//! after a value, before a trailing comment, is fine.

/// Offsets of the offending TABs in `text`. `protected` holds the byte ranges of
/// scalars and flow collections, where a TAB is content or allowed.
pub(super) fn check(text: &str, protected: &[(usize, usize)]) -> Vec<usize> {
    let ranges = merge(protected);
    let inside = |p: usize| {
        let i = ranges.partition_point(|&(s, _)| s <= p);
        i > 0 && p < ranges[i - 1].1
    };
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut last_line = usize::MAX;
    for p in memchr::memchr_iter(b'\t', b) {
        if inside(p) {
            continue;
        }
        let ls = memchr::memrchr(b'\n', &b[..p]).map_or(0, |i| i + 1);
        if ls == last_line {
            // One finding per line is enough.
            continue;
        }
        let prefix = &b[ls..p];
        let comment = prefix.iter().enumerate().any(|(i, &c)| {
            c == b'#' && !inside(ls + i) && (i == 0 || matches!(prefix[i - 1], b' ' | b'\t'))
        });
        if comment {
            continue;
        }
        let content = trim_blanks(prefix);
        let offending = match content.last() {
            None => true,
            Some(b'-' | b'?') => {
                let k = ls + content.len() - 1;
                !inside(k) && content != b"---"
            }
            Some(_) => false,
        };
        if offending {
            found.push(p);
            last_line = ls;
        }
    }
    found
}

fn trim_blanks(s: &[u8]) -> &[u8] {
    let end = s
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(0, |i| i + 1);
    &s[..end]
}

fn merge(ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut r = ranges.to_vec();
    r.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(r.len());
    for (s, e) in r {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_indentation_and_block_indicators_only() {
        let text = "a: 1\t# ok\n\t# bad\nb:\n- \tbad\n- c\t\n";
        // Scalars: `a`, `1`, `b`, `bad`, `c`.
        let scalars = [(0, 1), (3, 4), (17, 18), (23, 26), (29, 30)];
        let found = check(text, &scalars);
        assert_eq!(found, [10, 22]);
    }

    #[test]
    fn tabs_inside_scalars_and_flow_are_fine() {
        let text = "a: \"x\ty\"\nb: [1,\t2]\n";
        assert!(check(text, &[(0, 1), (3, 8), (9, 10), (12, 20)]).is_empty());
    }
}
