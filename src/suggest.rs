//! "Did you mean ...?" by edit distance.

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours each cost one.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// How far a misspelling of `target` may be from it.
fn budget(target: &str) -> usize {
    (target.chars().count() * 2 / 5).max(2)
}

/// How likely a typo `typo` is of the correct word `correct`: its distance,
/// if within the budget. A case-only difference always qualifies.
fn typo_distance(typo: &str, correct: &str) -> Option<usize> {
    if typo == correct {
        return None;
    }
    let d = if typo.eq_ignore_ascii_case(correct) {
        0
    } else {
        distance(typo, correct)
    };
    (d <= budget(correct)).then_some(d)
}

/// The item with the smallest distance; the first one on ties.
fn best<'a>(scored: impl Iterator<Item = (&'a str, Option<usize>)>) -> Option<&'a str> {
    scored
        .filter_map(|(s, d)| Some((d?, s)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, s)| s)
}

/// The candidate `word` is most likely a misspelling of.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    best(candidates.into_iter().map(|c| (c, typo_distance(word, c))))
}

/// The word among `words` most likely to be a misspelling of `target`.
pub fn closest_reverse<'a>(words: &[&'a str], target: &str) -> Option<&'a str> {
    best(words.iter().map(|&w| (w, typo_distance(w, target))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kind", "king"), 1);
        assert_eq!(distance("apiVerson", "apiVersion"), 1);
        assert_eq!(distance("namaspace", "namespace"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_from_the_seed_typos() {
        let fields = ["apiVersion", "kind", "metadata", "spec"];
        assert_eq!(closest("apiService", fields), Some("apiVersion"));
        assert_eq!(closest("apiVesion", fields), Some("apiVersion"));
        assert_eq!(closest("apiVerison", fields), Some("apiVersion"));
        assert_eq!(closest("king", fields), Some("kind"));
        assert_eq!(closest("KIND", fields), Some("kind"));
        assert_eq!(closest("data", fields), None);
        assert_eq!(closest("status", fields), None);
        assert_eq!(closest_reverse(&["spec", "king"], "kind"), Some("king"));
        assert_eq!(closest_reverse(&["spec", "data"], "kind"), None);
        assert_eq!(
            closest("livernessProbe", ["livenessProbe", "readinessProbe"]),
            Some("livenessProbe")
        );
    }
}
