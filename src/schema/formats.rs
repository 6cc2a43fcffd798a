//! `format` checkers for Kubernetes schemas, matching how the API server decodes values.
//!
//! A checker sees only strings; non-string instances always pass `format`.

/// A `format` checker: does this string have the format?
pub type Check = fn(&str) -> bool;

/// Every checker, by the `format` name it serves.
///
/// `int32` and `int64` have no checker: the ranges are schema bounds (see `strict`), and a
/// string where an integer belongs is already a type error.
pub(crate) const CHECKERS: [(&str, Check); 4] = [
    ("quantity", quantity),
    ("byte", byte),
    ("date-time", date_time),
    ("duration", duration),
];

/// A resource quantity as `resource.ParseQuantity` reads it (surrounding spaces are
/// trimmed when decoding JSON): optional sign, a decimal number, then a binary suffix
/// (`Ki`..`Ei`), a decimal suffix (`n u m k M G T P E` or none) or an exponent (`e3`, `E-2`).
pub fn quantity(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int = digits(b, &mut i);
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(b, &mut i);
    }
    if int == 0 && frac == 0 {
        return false;
    }
    match &b[i..] {
        b"" | b"n" | b"u" | b"m" | b"k" | b"M" | b"G" | b"T" | b"P" | b"E" => true,
        b"Ki" | b"Mi" | b"Gi" | b"Ti" | b"Pi" | b"Ei" => true,
        [b'e' | b'E', rest @ ..] => {
            let mut j = usize::from(matches!(rest.first(), Some(b'+' | b'-')));
            digits(rest, &mut j) > 0 && j == rest.len()
        }
        _ => false,
    }
}

/// Standard base64 with padding, as Go decodes `[]byte` fields (`Secret.data`);
/// line breaks are skipped like Go's decoder does.
pub fn byte(s: &str) -> bool {
    base64_error(s).is_none()
}

/// Where Go's `base64.StdEncoding` stops on `s`: the byte offset the API
/// server quotes in "illegal base64 data at input byte N", or `None` when
/// `s` decodes. Go reads groups of four symbols, skipping line breaks.
pub fn base64_error(s: &str) -> Option<usize> {
    let src = s.as_bytes();
    let is_break = |c: u8| c == b'\n' || c == b'\r';
    let symbol = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let mut si = 0;
    loop {
        // One group: `j` symbols of it read so far.
        let mut j = 0;
        while j < 4 {
            let Some(&c) = src.get(si) else {
                // The input ends inside a group: padding was required.
                return (j != 0).then(|| si - j);
            };
            si += 1;
            if symbol(c) {
                j += 1;
                continue;
            }
            if is_break(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Some(si - 1);
            }
            if j == 2 {
                // `==` closes a group of two symbols.
                while src.get(si).copied().is_some_and(is_break) {
                    si += 1;
                }
                match src.get(si) {
                    None => return Some(src.len()),
                    Some(b'=') => si += 1,
                    Some(_) => return Some(si - 1),
                }
            }
            while src.get(si).copied().is_some_and(is_break) {
                si += 1;
            }
            // Padding ends the data: anything after it is an error.
            return (si < src.len()).then_some(si);
        }
    }
}

/// RFC 3339 as Go's `time.Parse(time.RFC3339, ..)` accepts it (`metav1.Time`,
/// `metav1.MicroTime`): `2024-05-01T12:30:00Z`, optional fraction, `Z` or `±hh:mm`.
pub fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return false;
    }
    if hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(b, &mut i) == 0 {
            return false;
        }
    }
    match &b[i..] {
        b"Z" => true,
        [b'+' | b'-', ..] if b.len() - i == 6 && b[i + 3] == b':' => {
            matches!((num(i + 1, 2), num(i + 4, 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A duration in Go syntax (`time.ParseDuration`: `90s`, `1h30m`, `1.5h`, `-2ms`, `0`)
/// or ISO 8601 (`PT1H30M`, `P1D`).
pub fn duration(s: &str) -> bool {
    go_duration(s) || iso_duration(s)
}

fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let b = s.as_bytes();
    let mut i = 0;
    if b.is_empty() {
        return false;
    }
    while i < b.len() {
        let int = digits(b, &mut i);
        let mut frac = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            frac = digits(b, &mut i);
        }
        if int == 0 && frac == 0 {
            return false;
        }
        let unit = ["ns", "us", "µs", "μs", "ms", "h", "m", "s"]
            .into_iter()
            .find(|u| s[i..].starts_with(u));
        match unit {
            Some(u) => i += u.len(),
            None => return false,
        }
    }
    true
}

fn iso_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let part = |text: &str, units: &[u8]| -> Option<usize> {
        let b = text.as_bytes();
        let (mut i, mut count, mut next_unit) = (0, 0, 0);
        while i < b.len() {
            let int = digits(b, &mut i);
            let mut frac = 0;
            if matches!(b.get(i), Some(b'.' | b',')) {
                i += 1;
                frac = digits(b, &mut i);
            }
            if int == 0 && frac == 0 {
                return None;
            }
            // Units must come in order, each at most once.
            let pos = units[next_unit..]
                .iter()
                .position(|u| Some(u) == b.get(i))?;
            next_unit += pos + 1;
            i += 1;
            count += 1;
        }
        Some(count)
    };
    let Some(date_parts) = part(date, b"YMWD") else {
        return false;
    };
    match time {
        None => date_parts > 0,
        Some(t) => matches!(part(t, b"HMS"), Some(n) if n > 0),
    }
}

/// Advances `i` over ASCII digits and returns how many there were.
fn digits(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while b.get(*i).is_some_and(u8::is_ascii_digit) {
        *i += 1;
    }
    *i - start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1",
            "0",
            "500m",
            "0.5",
            ".5",
            "1.",
            "+1",
            "-1",
            "1Ki",
            "128Mi",
            "2Gi",
            "1Ti",
            "1Pi",
            "1Ei",
            "10n",
            "10u",
            "1k",
            "1M",
            "1G",
            "1T",
            "1P",
            "1E",
            "1e3",
            "1E3",
            "1e-3",
            "1e+3",
            " 2Gi ",
            "100000000000000000000",
        ] {
            assert!(quantity(ok), "{ok:?} should be a quantity");
        }
        for bad in [
            "", " ", "1cpu", "1K", "1KB", "1ki", "1e", "1e3.5", "Gi", ".", "-", "1.5.5", "1 Gi",
            "1Gi1", "0x10", "one", "1i", "1mi",
        ] {
            assert!(!quantity(bad), "{bad:?} should not be a quantity");
        }
    }

    #[test]
    fn base64() {
        for ok in [
            "",
            "cGFzc3dvcmQ=",
            "YQ==",
            "YWJj",
            "YWJj\nZGVm",
            "YWJj\r\nZA==",
        ] {
            assert!(byte(ok), "{ok:?} should be base64");
        }
        for bad in [
            "base64",
            "passwor",
            "pass word",
            "YQ=",
            "YQ===",
            "Y=Q=",
            "YW Jj",
            "YWJj-_",
            "é",
        ] {
            assert!(!byte(bad), "{bad:?} should not be base64");
        }
    }

    /// The offsets Go's `base64.StdEncoding.DecodeString` reports.
    #[test]
    fn base64_error_offsets() {
        for (input, at) in [
            ("YWJj", None),
            ("YWJj\nZA==", None),
            ("base64", Some(4)),
            ("passwor", Some(4)),
            ("pass word", Some(4)),
            ("not base64!", Some(3)),
            ("YQ=", Some(3)),
            ("YQ===", Some(4)),
            ("Y=Q=", Some(1)),
            ("YQ=x", Some(2)),
            ("YWJj-_", Some(4)),
            ("Y", Some(0)),
            ("YWJjZ", Some(4)),
            ("YQ=\n\n=", None),
            ("YWI=\nx", Some(5)),
            ("\u{e9}", Some(0)),
        ] {
            assert_eq!(base64_error(input), at, "{input:?}");
        }
    }

    #[test]
    fn date_times() {
        for ok in [
            "2024-05-01T12:30:00Z",
            "2024-02-29T23:59:59Z",
            "2024-05-01T12:30:00.123456Z",
            "2024-05-01T12:30:00+02:00",
            "2024-05-01T12:30:00.5-07:30",
        ] {
            assert!(date_time(ok), "{ok:?} should be a date-time");
        }
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01 12:30:00Z",
            "2024-05-01t12:30:00Z",
            "2024-05-01T12:30:00z",
            "2024-05-01T12:30:00",
            "2023-02-29T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-04-31T12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:60:00Z",
            "2024-05-01T12:30:60Z",
            "2024-05-01T12:30:00.Z",
            "2024-05-01T12:30:00+0200",
            "2024-05-01T12:30:00+24:00",
        ] {
            assert!(!date_time(bad), "{bad:?} should not be a date-time");
        }
    }

    #[test]
    fn durations() {
        for ok in [
            "0",
            "90s",
            "1h30m",
            "1.5h",
            "-2ms",
            "+3us",
            "5µs",
            ".5s",
            "1h0m0s",
            "PT1H30M",
            "P1D",
            "P1W",
            "P1Y2M3DT4H5M6.5S",
            "PT0S",
        ] {
            assert!(duration(ok), "{ok:?} should be a duration");
        }
        for bad in [
            "", "1", "h", "1d", "1 h", "1hh", "P", "PT", "P1H", "PT1D", "P1DT", "PT1S2M", "P1M1Y",
            "s1",
        ] {
            assert!(!duration(bad), "{bad:?} should not be a duration");
        }
    }
}
