//! Shared scoring helpers (upstream's `plugins/helper`).

/// `DefaultNormalizeScore`: scales to 0..100 by the maximum; `reverse`
/// flips it (then all-zero scores become 100).
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = 100);
        }
        return;
    }
    for s in scores.iter_mut() {
        let scaled = 100 * *s / max;
        *s = if reverse { 100 - scaled } else { scaled };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TestDefaultNormalizeScore` (plugins/helper/normalize_score_test.go).
    #[test]
    fn upstream_table() {
        let cases: &[(bool, &[i64], &[i64])] = &[
            (false, &[1, 2, 3, 4], &[25, 50, 75, 100]),
            (true, &[1, 2, 3, 4], &[75, 50, 25, 0]),
            (false, &[1000, 10, 20, 30], &[100, 1, 2, 3]),
            (true, &[1000, 10, 20, 30], &[0, 99, 98, 97]),
            (false, &[1, 1, 1, 1], &[100, 100, 100, 100]),
            (false, &[1000, 1, 1, 1], &[100, 0, 0, 0]),
            (true, &[0, 1, 1, 1], &[100, 0, 0, 0]),
            (false, &[0, 0, 0, 0], &[0, 0, 0, 0]),
            (true, &[0, 0, 0, 0], &[100, 100, 100, 100]),
        ];
        for (reverse, input, want) in cases {
            let mut s = input.to_vec();
            default_normalize(&mut s, *reverse);
            assert_eq!(&s, want, "reverse={reverse} {input:?}");
        }
    }
}
