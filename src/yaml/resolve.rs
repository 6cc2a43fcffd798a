//! Plain-scalar resolution as Kubernetes does it.
//!
//! kubectl and client-go read YAML with `sigs.k8s.io/yaml`, i.e. go-yaml v2
//! (YAML 1.1), and the API server only ever sees the resulting JSON. The rules
//! below follow go-yaml v2's `resolve()` so that drydock checks the document the
//! cluster receives: `on` is `true`, `0644` is 420, `1_000` is 1000, and a
//! timestamp-looking scalar stays the string it was written as.

use std::fmt::Write;

use super::value::{Key, Str, Value};

/// Which YAML reader's rules apply to a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// kubectl and client-go (go-yaml v2, YAML 1.1): what the API server receives.
    #[default]
    Kubectl,
    /// kustomize's resources (go-yaml v3): only `true`/`false` are booleans, and
    /// a timestamp becomes an RFC 3339 string on its way through JSON.
    Kustomize,
}

impl Dialect {
    /// Resolves a plain scalar.
    pub fn resolve(self, s: &str) -> Resolved {
        match self {
            Dialect::Kubectl => resolve_plain(s),
            Dialect::Kustomize => {
                if let Some(t) = parse_timestamp(s) {
                    return Resolved::Timestamp(t.rfc3339());
                }
                match resolve_plain(s) {
                    Resolved::Bool(_)
                        if !matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") =>
                    {
                        Resolved::String
                    }
                    r => r,
                }
            }
        }
    }
}

/// What a scalar resolved to, before it becomes a [`Value`].
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Integer beyond `i64` (go-yaml yields a `uint64`), as written.
    BigInt(String),
    Float(f64),
    /// `.inf` / `.nan`: YAML numbers that JSON cannot represent.
    NonFinite,
    /// A timestamp, as the RFC 3339 text Go's JSON encoder writes for it.
    Timestamp(String),
    String,
}

/// Where the YAML 1.1 reading kubectl uses differs from the YAML 1.2 reading
/// most other tools (and editors) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// `yes`, `no`, `on`, `off`, `y`, `n` and their capitalisations.
    Boolean(bool),
    /// `0644`: octal for kubectl, decimal for YAML 1.2.
    Octal,
    /// `1_000` or `0b101`: a number for kubectl, a string for YAML 1.2.
    Number,
}

const TRUE_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const FALSE_WORDS: &[&str] = &[
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];
const NULL_WORDS: &[&str] = &["", "~", "null", "Null", "NULL"];
const NON_FINITE: &[&str] = &[
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
    "-.INF",
];

/// Resolves a plain (unquoted, untagged) scalar the way go-yaml v2 does.
pub fn resolve_plain(s: &str) -> Resolved {
    // go-yaml looks at the first byte to decide which rules apply at all.
    let hint = match s.as_bytes().first() {
        None => b'M',
        Some(b'+' | b'-' | b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return Resolved::String,
    };
    if TRUE_WORDS.contains(&s) {
        return Resolved::Bool(true);
    }
    if FALSE_WORDS.contains(&s) {
        return Resolved::Bool(false);
    }
    if NULL_WORDS.contains(&s) {
        return Resolved::Null;
    }
    if NON_FINITE.contains(&s) {
        return Resolved::NonFinite;
    }
    match hint {
        b'.' => {
            let plain = remove_digit_underscores(s);
            match plain {
                Some(p) if is_yaml_float(&p) => float(&p),
                _ => Resolved::String,
            }
        }
        b'D' => resolve_number(s),
        _ => Resolved::String,
    }
}

fn resolve_number(s: &str) -> Resolved {
    // go-yaml strips every underscore before trying the number forms.
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(v) = parse_go_int(&plain) {
        return v;
    }
    if is_yaml_float(&plain) {
        return float(&plain);
    }
    // `0b` was tried by ParseInt already; go-yaml's own `-0b` branch covers the
    // one form Go's ParseInt accepts differently, which parse_go_int handles.
    Resolved::String
}

fn float(p: &str) -> Resolved {
    match p.parse::<f64>() {
        Ok(f) if f.is_finite() => Resolved::Float(f),
        Ok(_) => Resolved::NonFinite,
        Err(_) => Resolved::String,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: sign, `0x`,
/// `0o`, `0b` prefixes and a leading `0` for octal.
fn parse_go_int(s: &str) -> Option<Resolved> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.get(..2).map(|p| p.to_ascii_lowercase());
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u128 + 1 {
            return Some(Resolved::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if magnitude <= i64::MAX as u128 {
        Some(Resolved::Int(magnitude as i64))
    } else if magnitude <= u64::MAX as u128 && !s.starts_with('+') {
        Some(Resolved::BigInt(magnitude.to_string()))
    } else {
        None
    }
}

/// go-yaml's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `ParseFloat` accepts underscores only between digits.
fn remove_digit_underscores(s: &str) -> Option<String> {
    if !s.contains('_') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(|c| c.is_ascii_digit());
            if !before || !after {
                return None;
            }
        }
    }
    Some(s.replace('_', ""))
}

/// The YAML 1.1 trap a plain scalar falls into, if any.
pub fn trap(s: &str, resolved: &Resolved) -> Option<Trap> {
    match resolved {
        Resolved::Bool(b) => {
            let spelled = matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE");
            (!spelled).then_some(Trap::Boolean(*b))
        }
        Resolved::Int(_) | Resolved::BigInt(_) | Resolved::Float(_) => {
            let body = s.trim_start_matches(['+', '-']);
            let b = body.as_bytes();
            if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
                Some(Trap::Octal)
            } else if s.contains('_') || body.starts_with("0b") || body.starts_with("0B") {
                Some(Trap::Number)
            } else {
                None
            }
        }
        _ => None,
    }
}

impl Resolved {
    /// The value for a resolved scalar whose source text is `s`.
    pub fn into_value(self, s: &str) -> Value {
        match self {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Int(i),
            Resolved::BigInt(t) => Value::BigInt(t.into_boxed_str()),
            // Go's JSON encoder writes integral floats below 1e21 without a
            // fraction, so the API server decodes them as integers.
            Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Value::Int(f as i64),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Timestamp(t) => Value::String(Str::from(t)),
            Resolved::NonFinite | Resolved::String => Value::String(Str::from(s)),
        }
    }

    /// What sigs.k8s.io/yaml makes of a resolved scalar used as a mapping key.
    /// `None` for keys JSON cannot have (null).
    pub fn key_string(&self, s: &str) -> Option<Key> {
        match self {
            Resolved::Null => None,
            Resolved::Bool(b) => Some(Key::new(if *b { "true" } else { "false" })),
            Resolved::Int(i) => Some(Key::new(&i.to_string())),
            Resolved::BigInt(t) => Some(Key::new(t)),
            Resolved::Float(f) => Some(Key::new(&go_float_key(*f))),
            Resolved::Timestamp(t) => Some(Key::new(t)),
            Resolved::NonFinite | Resolved::String => Some(Key::new(s)),
        }
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`, which sigs.k8s.io/yaml uses for float keys.
fn go_float_key(f: f64) -> String {
    let f = f as f32;
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // Shortest %g switches to exponent form below 1e-4 and from 1e6 on.
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// Resolves a scalar carrying an explicit core-schema tag (`!!int 12`).
/// Returns `Err` with go-yaml's complaint when the text does not fit the tag.
pub fn resolve_tagged(s: &str, tag: &str) -> Result<Resolved, String> {
    let r = resolve_plain(s);
    let ok = match tag {
        "str" | "binary" | "timestamp" => return Ok(Resolved::String),
        "int" => {
            matches!(r, Resolved::Int(_) | Resolved::BigInt(_)) && !s.contains(['.', 'e', 'E'])
        }
        "float" => match r {
            Resolved::Int(i) => return Ok(Resolved::Float(i as f64)),
            Resolved::Float(_) | Resolved::NonFinite | Resolved::BigInt(_) => true,
            _ => false,
        },
        "bool" => matches!(r, Resolved::Bool(_)),
        "null" => matches!(r, Resolved::Null),
        // Other tags (`!!set`, application tags) leave the text as a string.
        _ => return Ok(Resolved::String),
    };
    if ok {
        Ok(r)
    } else {
        Err(format!("cannot decode `{s}` as a !!{tag}"))
    }
}

/// go-yaml's timestamp test: `YYYY-M-D`, optionally followed by a time.
pub fn is_timestamp(s: &str) -> bool {
    parse_timestamp(s).is_some()
}

/// Parses the forms go-yaml accepts (`2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`,
/// the same with `t` or a space and no zone) into its parts.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let mut p = Parser { b, i: 5 };
    let year: i64 = s[..4].parse().ok()?;
    let month = p.num(1, 2)?;
    p.eat(b'-')?;
    let day = p.num(1, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut t = Timestamp {
        year,
        month,
        day,
        ..Timestamp::default()
    };
    if p.i == b.len() {
        return Some(t);
    }
    let sep = b[p.i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    p.i += 1;
    t.hour = p.num(1, 2)?;
    p.eat(b':')?;
    t.minute = p.num(1, 2)?;
    p.eat(b':')?;
    t.second = p.num(1, 2)?;
    if t.hour > 23 || t.minute > 59 || t.second > 59 {
        return None;
    }
    if p.b.get(p.i) == Some(&b'.') {
        p.i += 1;
        let start = p.i;
        while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
            p.i += 1;
        }
        if p.i == start || p.i - start > 9 {
            return None;
        }
        t.nanos = format!("{:0<9}", &s[start..p.i]).parse().ok()?;
    }
    if p.i == b.len() {
        // Only the space-separated layout has no zone.
        return (sep == b' ').then_some(t);
    }
    if sep == b' ' {
        return None;
    }
    match b[p.i] {
        b'Z' if p.i + 1 == b.len() => Some(t),
        b'+' | b'-' => {
            let neg = b[p.i] == b'-';
            p.i += 1;
            let h = p.num(2, 2)?;
            p.eat(b':')?;
            let m = p.num(2, 2)?;
            if p.i != b.len() || h > 23 || m > 59 {
                return None;
            }
            t.offset_minutes = (h * 60 + m) as i64 * if neg { -1 } else { 1 };
            Some(t)
        }
        _ => None,
    }
}

#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    pub offset_minutes: i64,
}

impl Timestamp {
    /// RFC 3339 with nanoseconds, as Go's `time.Time` encodes to JSON.
    pub fn rfc3339(&self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            let _ = write!(out, ".{}", frac.trim_end_matches('0'));
        }
        if self.offset_minutes == 0 {
            out.push('Z');
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let m = self.offset_minutes.abs();
            let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
        }
        out
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        while self.i - start < max && self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        resolve_plain(s).into_value(s)
    }

    #[test]
    fn yaml_1_1_booleans_and_nulls() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(v(t), Value::Bool(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "FALSE",
        ] {
            assert_eq!(v(f), Value::Bool(false), "{f}");
        }
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(v(n), Value::Null, "{n:?}");
        }
        assert_eq!(v("yEs"), Value::from("yEs"));
        assert_eq!(v("nULL"), Value::from("nULL"));
    }

    #[test]
    fn integers_follow_go_parse_int() {
        assert_eq!(v("0644"), Value::Int(420));
        assert_eq!(v("0o17"), Value::Int(15));
        assert_eq!(v("0x1F"), Value::Int(31));
        assert_eq!(v("0b101"), Value::Int(5));
        assert_eq!(v("-0b101"), Value::Int(-5));
        assert_eq!(v("1_000"), Value::Int(1000));
        // go-yaml strips every underscore, wherever it is.
        assert_eq!(v("1_"), Value::Int(1));
        assert_eq!(v("+12"), Value::Int(12));
        assert_eq!(v("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(
            v("18446744073709551615"),
            Value::BigInt("18446744073709551615".into())
        );
        // Not valid octal: go-yaml falls through to its float pattern.
        assert_eq!(v("08"), Value::Int(8));
        assert_eq!(v("0"), Value::Int(0));
    }

    #[test]
    fn floats_and_integral_floats() {
        assert_eq!(v("1e3"), Value::Int(1000));
        assert_eq!(v("1.0"), Value::Int(1));
        assert_eq!(v(".5"), Value::Float(0.5));
        assert_eq!(v("-1.5"), Value::Float(-1.5));
        assert_eq!(v("1."), Value::Int(1));
        assert_eq!(v("1e30"), Value::Float(1e30));
        assert_eq!(v("1.2.3"), Value::from("1.2.3"));
        assert_eq!(resolve_plain(".inf"), Resolved::NonFinite);
        assert_eq!(resolve_plain("-.Inf"), Resolved::NonFinite);
    }

    #[test]
    fn strings_stay_strings() {
        for s in [
            "2024-01-01",
            "12:30:45",
            "-",
            "0x",
            "1e",
            "nginx:1.7.9",
            "+",
            "0b",
            "._5",
            "_1",
        ] {
            assert_eq!(v(s), Value::from(s), "{s}");
        }
    }

    #[test]
    fn traps() {
        assert_eq!(trap("on", &resolve_plain("on")), Some(Trap::Boolean(true)));
        assert_eq!(trap("no", &resolve_plain("no")), Some(Trap::Boolean(false)));
        assert_eq!(trap("true", &resolve_plain("true")), None);
        assert_eq!(trap("0644", &resolve_plain("0644")), Some(Trap::Octal));
        assert_eq!(trap("0o644", &resolve_plain("0o644")), None);
        assert_eq!(trap("1_000", &resolve_plain("1_000")), Some(Trap::Number));
        assert_eq!(trap("0b11", &resolve_plain("0b11")), Some(Trap::Number));
        assert_eq!(trap("0", &resolve_plain("0")), None);
        assert_eq!(trap("10", &resolve_plain("10")), None);
    }

    #[test]
    fn keys_become_strings_like_sigs_k8s_io_yaml() {
        assert_eq!(
            resolve_plain("on").key_string("on").as_deref(),
            Some("true")
        );
        assert_eq!(resolve_plain("010").key_string("010").as_deref(), Some("8"));
        assert_eq!(
            resolve_plain("1.5").key_string("1.5").as_deref(),
            Some("1.5")
        );
        assert_eq!(
            resolve_plain("1e6").key_string("1e6").as_deref(),
            Some("1e+06")
        );
        assert_eq!(resolve_plain("1.0").key_string("1.0").as_deref(), Some("1"));
        assert_eq!(
            resolve_plain("0.00001").key_string("0.00001").as_deref(),
            Some("1e-05")
        );
        assert_eq!(resolve_plain("~").key_string("~"), None);
    }

    #[test]
    fn kustomize_dialect() {
        let k = Dialect::Kustomize;
        assert_eq!(k.resolve("on"), Resolved::String);
        assert_eq!(k.resolve("yes"), Resolved::String);
        assert_eq!(k.resolve("True"), Resolved::Bool(true));
        assert_eq!(k.resolve("0777"), Resolved::Int(511));
        assert_eq!(
            k.resolve("2024-01-01"),
            Resolved::Timestamp("2024-01-01T00:00:00Z".into())
        );
        assert_eq!(
            k.resolve("2001-12-14t21:59:43.10-05:00"),
            Resolved::Timestamp("2001-12-14T21:59:43.1-05:00".into())
        );
        assert_eq!(k.resolve("2024-02-30"), Resolved::String);
        assert_eq!(Dialect::Kubectl.resolve("2024-01-01"), Resolved::String);
    }

    #[test]
    fn tags() {
        assert_eq!(resolve_tagged("0644", "str"), Ok(Resolved::String));
        assert_eq!(resolve_tagged("12", "int"), Ok(Resolved::Int(12)));
        assert_eq!(resolve_tagged("12", "float"), Ok(Resolved::Float(12.0)));
        assert!(resolve_tagged("abc", "int").is_err());
        assert!(resolve_tagged("1.5", "int").is_err());
        assert_eq!(resolve_tagged("x", "foo"), Ok(Resolved::String));
    }
}
