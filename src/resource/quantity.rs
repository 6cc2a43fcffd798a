//! Kubernetes resource quantities (`500m`, `1.5Gi`, `1e3`), parsed exactly as
//! apimachinery's `resource.ParseQuantity` does.
//!
//! A quantity is held as a whole number of nano-units in an `i128`: parsing
//! never keeps anything finer than a nano-unit (it rounds up, away from zero),
//! so comparisons and sums are exact. Values that upstream keeps beyond
//! ±1.7e29 units (only reachable with absurd exponents such as `1e100`)
//! saturate; no resource comes near them.

use std::cmp::Ordering;
use std::fmt;

use crate::yaml::Value;

/// Nano-units per unit.
const NANO: i128 = 1_000_000_000;

/// Upstream's cap for values that leave its 64-bit fast path: 2^63 - 1 units.
const MAX_ALLOWED_NANOS: i128 = (i64::MAX as i128) * NANO;

/// How a quantity was written, which decides how it is printed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `m`, `k`, `M`, `G`, ... or no suffix.
    DecimalSi,
    /// `Ki`, `Mi`, `Gi`, ...
    BinarySi,
    /// `e3`, `E-6`.
    DecimalExponent,
}

/// Why a string is not a quantity; the texts are upstream's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// The text does not have the shape of a quantity.
    Format,
    /// The number part cannot be read.
    Numeric,
    /// The suffix is not one Kubernetes knows.
    Suffix,
    /// The value is not a string or a number.
    NotAQuantity,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuantityError::Format => {
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            }
            QuantityError::Numeric => "unable to parse numeric part of quantity",
            QuantityError::Suffix => "unable to parse quantity's suffix",
            QuantityError::NotAQuantity => "a quantity must be a string or a number",
        })
    }
}

impl std::error::Error for QuantityError {}

/// An exact resource quantity.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity::ZERO
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

impl Quantity {
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSi,
    };

    /// A quantity of `nanos` nano-units, printed in `format`.
    pub const fn from_nanos(nanos: i128, format: Format) -> Quantity {
        Quantity { nanos, format }
    }

    /// Whole units (cores, bytes), printed in `format`.
    pub const fn from_units(units: i64, format: Format) -> Quantity {
        Quantity {
            nanos: units as i128 * NANO,
            format,
        }
    }

    /// The value in nano-units: exact.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    pub fn format(self) -> Format {
        self.format
    }

    /// Milli-units, rounded away from zero (upstream's `MilliValue`).
    pub fn milli_value(self) -> i128 {
        div_away(self.nanos, 1_000_000)
    }

    /// Whole units, rounded away from zero (upstream's `Value`).
    pub fn value(self) -> i128 {
        div_away(self.nanos, NANO)
    }

    pub fn is_zero(self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// Reads a manifest value: a string, or a number as kubectl sends it.
    pub fn from_value(v: &Value) -> Result<Quantity, QuantityError> {
        match v {
            Value::String(s) => Quantity::parse(s),
            Value::Int(i) => Quantity::parse(&i.to_string()),
            Value::BigInt(s) => Quantity::parse(s),
            Value::Float(f) if f.is_finite() => Quantity::parse(&f.to_string()),
            _ => Err(QuantityError::NotAQuantity),
        }
    }

    /// Parses `<sign><digits>[.<digits>]<suffix>`, where the suffix is a binary
    /// (`Ki` … `Ei`) or decimal (`n`, `u`, `m`, `k`, `M` … `E`) one or an
    /// exponent (`e3`, `E-2`).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError::Format);
        }
        let parts = split(text)?;
        let (base, exponent, mut format) = interpret(parts.suffix).ok_or(QuantityError::Suffix)?;
        let digits_len = (parts.num.len() + parts.denom.len()) as i64;

        // Upstream's 64-bit fast path is exact and uncapped.
        if base == 10 {
            let precision = 18 - digits_len;
            let scale = i64::from(exponent) - parts.denom.len() as i64;
            if precision >= 0 && scale >= -9 {
                let value = parse_small(parts.num, parts.denom)?;
                let nanos = value.saturating_mul(pow10_saturating(scale + 9));
                return Ok(Quantity {
                    nanos: parts.sign * nanos,
                    format,
                });
            }
        } else if parts.denom.is_empty() {
            let precision = 15 - parts.num.len() as i64 - i64::from(exponent) * 3 / 10 - 1;
            if precision >= 0 {
                let value = parse_small(parts.num, "")?;
                if let Some(v) = i64::try_from(value)
                    .ok()
                    .and_then(|v| v.checked_mul(1i64 << exponent))
                {
                    return Ok(Quantity {
                        nanos: parts.sign * i128::from(v) * NANO,
                        format,
                    });
                }
            }
        }

        // The slow path: exact decimal arithmetic, rounded up to a nano-unit
        // and capped at 2^63 - 1 units.
        let (exp10, exp2) = if base == 10 {
            (i64::from(exponent), 0)
        } else {
            (0, exponent as u32)
        };
        let mut digits = String::with_capacity(parts.num.len() + parts.denom.len());
        digits.push_str(parts.num);
        digits.push_str(parts.denom);
        let nanos = exact_nanos(&digits, exp10 - parts.denom.len() as i64, exp2);
        let nanos = nanos.min(MAX_ALLOWED_NANOS);
        if format == Format::BinarySi && nanos > 0 && nanos < NANO {
            format = Format::DecimalSi;
        }
        Ok(Quantity {
            nanos: parts.sign * nanos,
            format,
        })
    }
}

/// The sum, saturating; a zero left side takes the right side's format, as
/// upstream's `Add` does.
impl std::ops::Add for Quantity {
    type Output = Quantity;

    fn add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
            format: if self.nanos == 0 {
                other.format
            } else {
                self.format
            },
        }
    }
}

impl std::ops::AddAssign for Quantity {
    fn add_assign(&mut self, other: Quantity) {
        *self = *self + other;
    }
}

/// The difference, saturating; a zero left side takes the right side's format.
impl std::ops::Sub for Quantity {
    type Output = Quantity;

    fn sub(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_sub(other.nanos),
            format: if self.nanos == 0 {
                other.format
            } else {
                self.format
            },
        }
    }
}

/// `quantity × n`, saturating, in the quantity's format.
impl std::ops::Mul<i64> for Quantity {
    type Output = Quantity;

    fn mul(self, n: i64) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_mul(i128::from(n)),
            format: self.format,
        }
    }
}

/// `a / b` rounded away from zero.
fn div_away(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b == 0 {
        q
    } else if a < 0 {
        q - 1
    } else {
        q + 1
    }
}

fn pow10_saturating(exp: i64) -> i128 {
    if exp > 38 {
        return i128::MAX;
    }
    let mut v: i128 = 1;
    for _ in 0..exp.max(0) {
        v = v.saturating_mul(10);
    }
    v
}

/// At most 18 digits: the fast path's number.
fn parse_small(num: &str, denom: &str) -> Result<i128, QuantityError> {
    let mut v: i128 = 0;
    for b in num.bytes().chain(denom.bytes()) {
        v = v * 10 + i128::from(b - b'0');
    }
    if v > i128::from(i64::MAX) {
        return Err(QuantityError::Numeric);
    }
    Ok(v)
}

/// Digits beyond this many are folded into a "something non-zero follows" bit.
const MAX_DIGITS: usize = 200;

/// The absolute value `digits × 10^exp10 × 2^exp2`, in nano-units rounded up;
/// saturates at `i128::MAX`.
fn exact_nanos(digits: &str, exp10: i64, exp2: u32) -> i128 {
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return 0;
    }
    let kept = significant.len().min(MAX_DIGITS);
    let sticky_tail = significant.as_bytes()[kept..].iter().any(|&b| b != b'0');
    // Little-endian digits, so doubling can carry into new high digits.
    let mut d: Vec<u8> = significant.as_bytes()[..kept]
        .iter()
        .rev()
        .map(|b| b - b'0')
        .collect();
    for _ in 0..exp2 {
        let mut carry = 0;
        for x in d.iter_mut() {
            let v = *x * 2 + carry;
            *x = v % 10;
            carry = v / 10;
        }
        if carry > 0 {
            d.push(carry);
        }
    }
    let dropped = (significant.len() - kept) as i64;
    // The value is d × 10^e nano-units.
    let e = exp10 + 9 + dropped;
    let len = d.len() as i64;
    let to_int = |high: &[u8]| -> i128 {
        // `high` is little-endian; at most 39 digits are read before saturating.
        let mut v: i128 = 0;
        for &x in high.iter().rev() {
            v = match v.checked_mul(10).and_then(|v| v.checked_add(i128::from(x))) {
                Some(v) => v,
                None => return i128::MAX,
            };
        }
        v
    };
    if e >= 0 {
        if len + e > 40 {
            return i128::MAX;
        }
        let v = to_int(&d);
        let scaled = v.saturating_mul(pow10_saturating(e));
        return if sticky_tail {
            scaled.saturating_add(1)
        } else {
            scaled
        };
    }
    let k = (-e) as u64;
    if k >= len as u64 {
        // Below one nano-unit and not zero: rounds up to one.
        return 1;
    }
    let k = k as usize;
    let fraction_nonzero = d[..k].iter().any(|&x| x != 0) || sticky_tail;
    let int = to_int(&d[k..]);
    if fraction_nonzero {
        int.saturating_add(1)
    } else {
        int
    }
}

struct Parts<'a> {
    sign: i128,
    /// Integer digits without leading zeros ("0" when there are none).
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

/// Upstream's `parseQuantityString`.
fn split(text: &str) -> Result<Parts<'_>, QuantityError> {
    let b = text.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut sign = 1;
    match b.first() {
        Some(b'-') => {
            sign = -1;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    let zero = Parts {
        sign,
        num: "0",
        denom: "",
        suffix: "",
    };
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(zero);
    }
    let start = pos;
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    let num = if pos == start { "0" } else { &text[start..pos] };
    let mut denom = "";
    if pos < end && b[pos] == b'.' {
        pos += 1;
        let start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &text[start..pos];
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && matches!(b[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(QuantityError::Format);
    }
    Ok(Parts {
        sign,
        num,
        denom,
        suffix: &text[suffix_start..],
    })
}

/// The base, exponent and format a suffix stands for.
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let dec = |e| Some((10, e, Format::DecimalSi));
    let bin = |e| Some((2, e, Format::BinarySi));
    match suffix {
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "" => dec(0),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        s if s.len() > 1 && (s.starts_with('e') || s.starts_with('E')) => {
            let e: i64 = s[1..].parse().ok()?;
            // Upstream rejects exponents it cannot negate as an int32.
            if e > i64::from(i32::MAX) || e < -i64::from(i32::MAX) {
                return None;
            }
            Some((10, e as i32, Format::DecimalExponent))
        }
        _ => None,
    }
}

impl fmt::Display for Quantity {
    /// The canonical form upstream prints: `500m`, `1Gi`, `1536Mi`, `1e3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        if self.nanos < 0 {
            f.write_str("-")?;
        }
        let abs = self.nanos.unsigned_abs();
        let mut format = self.format;
        if format == Format::BinarySi && (abs < 1024 * NANO as u128 || abs % NANO as u128 != 0) {
            format = Format::DecimalSi;
        }
        if format == Format::BinarySi {
            let mut units = abs / NANO as u128;
            let mut exp = 0;
            while units % 1024 == 0 && exp < 6 {
                units /= 1024;
                exp += 1;
            }
            if units % 1024 != 0 || exp < 6 {
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp];
                return write!(f, "{units}{suffix}");
            }
            // Past `Ei`: no binary suffix; print the exact decimal value.
            return write_decimal(f, abs, Format::DecimalExponent);
        }
        write_decimal(f, abs, format)
    }
}

/// Mantissa and an exponent that is a multiple of 3, with an SI suffix when
/// there is one and `e<exp>` otherwise.
fn write_decimal(f: &mut fmt::Formatter<'_>, abs_nanos: u128, format: Format) -> fmt::Result {
    let mut m = abs_nanos;
    let mut exp: i32 = -9;
    while m % 10 == 0 {
        m /= 10;
        exp += 1;
    }
    match exp.rem_euclid(3) {
        1 => {
            m *= 10;
            exp -= 1;
        }
        2 => {
            m *= 100;
            exp -= 2;
        }
        _ => {}
    }
    let si = match exp {
        -9 => Some("n"),
        -6 => Some("u"),
        -3 => Some("m"),
        0 => Some(""),
        3 => Some("k"),
        6 => Some("M"),
        9 => Some("G"),
        12 => Some("T"),
        15 => Some("P"),
        18 => Some("E"),
        _ => None,
    };
    match (format, si) {
        (Format::DecimalSi, Some(s)) => write!(f, "{m}{s}"),
        _ if exp == 0 => write!(f, "{m}"),
        _ => write!(f, "{m}e{exp}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// `value × 10^exp` units, as upstream's `decQuantity`.
    fn dec(value: i128, exp: i32, format: Format) -> Quantity {
        let nanos = if exp + 9 >= 0 {
            value * 10i128.pow((exp + 9) as u32)
        } else {
            value / 10i128.pow((-(exp + 9)) as u32)
        };
        Quantity { nanos, format }
    }

    use Format::{BinarySi as Bin, DecimalExponent as Exp, DecimalSi as Dec};

    /// apimachinery's `TestQuantityParse` table.
    #[test]
    fn parses_upstream_table() {
        let max = Quantity::from_nanos(MAX_ALLOWED_NANOS, Bin);
        let table: &[(&str, Quantity)] = &[
            ("0", dec(0, 0, Dec)),
            ("0n", dec(0, 0, Dec)),
            ("0u", dec(0, 0, Dec)),
            ("0m", dec(0, 0, Dec)),
            ("0Ki", dec(0, 0, Bin)),
            ("0k", dec(0, 0, Dec)),
            ("0Mi", dec(0, 0, Bin)),
            ("0M", dec(0, 0, Dec)),
            ("0Gi", dec(0, 0, Bin)),
            ("0G", dec(0, 0, Dec)),
            ("0Ti", dec(0, 0, Bin)),
            ("0T", dec(0, 0, Dec)),
            ("1", dec(1, 0, Dec)),
            ("1Ki", dec(1024, 0, Bin)),
            ("8Ki", dec(8 * 1024, 0, Bin)),
            ("7Mi", dec(7 << 20, 0, Bin)),
            ("6Gi", dec(6 << 30, 0, Bin)),
            ("5Ti", dec(5 << 40, 0, Bin)),
            ("4Pi", dec(4 << 50, 0, Bin)),
            ("3Ei", dec(3 << 60, 0, Bin)),
            ("10Ti", dec(10 << 40, 0, Bin)),
            ("100Ti", dec(100 << 40, 0, Bin)),
            ("5n", dec(5, -9, Dec)),
            ("4u", dec(4, -6, Dec)),
            ("3m", dec(3, -3, Dec)),
            ("9", dec(9, 0, Dec)),
            ("8k", dec(8, 3, Dec)),
            ("50k", dec(5, 4, Dec)),
            ("7M", dec(7, 6, Dec)),
            ("6G", dec(6, 9, Dec)),
            ("5T", dec(5, 12, Dec)),
            ("40T", dec(4, 13, Dec)),
            ("300T", dec(3, 14, Dec)),
            ("2P", dec(2, 15, Dec)),
            ("1E", dec(1, 18, Dec)),
            ("1E-3", dec(1, -3, Exp)),
            ("1e3", dec(1, 3, Exp)),
            ("1E6", dec(1, 6, Exp)),
            ("1e9", dec(1, 9, Exp)),
            ("1E12", dec(1, 12, Exp)),
            ("1e15", dec(1, 15, Exp)),
            ("1E18", dec(1, 18, Exp)),
            ("1e14", dec(1, 14, Exp)),
            ("1e13", dec(1, 13, Exp)),
            ("100.035k", dec(100035, 0, Dec)),
            ("0.001", dec(1, -3, Dec)),
            ("0.0005k", dec(5, -1, Dec)),
            ("0.005", dec(5, -3, Dec)),
            ("0.05", dec(5, -2, Dec)),
            ("0.5", dec(5, -1, Dec)),
            ("0.00050k", dec(5, -1, Dec)),
            ("0.00500", dec(5, -3, Dec)),
            ("0.05000", dec(5, -2, Dec)),
            ("0.50000", dec(5, -1, Dec)),
            ("0.5e0", dec(5, -1, Exp)),
            ("0.5e-1", dec(5, -2, Exp)),
            ("0.5e-2", dec(5, -3, Exp)),
            ("10.035M", dec(10035, 3, Dec)),
            ("1.2e3", dec(12, 2, Exp)),
            ("1.3E+6", dec(13, 5, Exp)),
            ("1.40e9", dec(14, 8, Exp)),
            ("1.53E12", dec(153, 10, Exp)),
            ("1.6e15", dec(16, 14, Exp)),
            ("1.7E18", dec(17, 17, Exp)),
            ("9.01", dec(901, -2, Dec)),
            ("8.1k", dec(81, 2, Dec)),
            ("7.123456M", dec(7123456, 0, Dec)),
            ("6.987654321G", dec(6987654321, 0, Dec)),
            ("5.444T", dec(5444, 9, Dec)),
            ("40.1T", dec(401, 11, Dec)),
            ("300.2T", dec(3002, 11, Dec)),
            ("2.5P", dec(25, 14, Dec)),
            ("1.01E", dec(101, 16, Dec)),
            ("3.001n", dec(4, -9, Dec)),
            ("1.1E-9", dec(2, -9, Exp)),
            ("0.0000000001", dec(1, -9, Dec)),
            ("0.0000000005", dec(1, -9, Dec)),
            ("0.00000000050", dec(1, -9, Dec)),
            ("0.5e-9", dec(1, -9, Exp)),
            ("0.9n", dec(1, -9, Dec)),
            ("0.00000012345", dec(124, -9, Dec)),
            ("0.00000012354", dec(124, -9, Dec)),
            ("9Ei", max),
            ("9223372036854775807Ki", max),
            ("12E", dec(12, 18, Dec)),
            ("100.035Ki", dec(10243584, -2, Bin)),
            ("0.5Mi", dec(512 * 1024, 0, Bin)),
            ("0.05Gi", dec(536870912, -1, Bin)),
            ("0.025Ti", dec(274877906944, -1, Bin)),
            ("0.000000000001Ki", dec(2, -9, Dec)),
            (".001", dec(1, -3, Dec)),
            (".0001k", dec(100, -3, Dec)),
            ("1.", dec(1, 0, Dec)),
            ("1.G", dec(1, 9, Dec)),
        ];
        for (input, want) in table {
            let got = q(input);
            assert_eq!(got.nanos, want.nanos, "{input}");
            assert_eq!(got.format, want.format, "{input}");
            let neg = q(&format!("-{input}"));
            assert_eq!(neg.nanos, -want.nanos, "-{input}");
            assert_eq!(neg.format, want.format, "-{input}");
            let plus = q(&format!("+{input}"));
            assert_eq!(plus, *want, "+{input}");
        }
    }

    #[test]
    fn rejects_upstream_invalid_inputs() {
        for bad in [
            "",
            "1.1.M",
            "1+1.0M",
            "0.1mi",
            "0.1am",
            "aoeu",
            ".5i",
            "1i",
            "-3.01i",
            "-3.01e-",
            "1e4294967297",
            " 1",
            "1 ",
            "1K",
            "1ki",
            "1e",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(Quantity::parse("1Ki3"), Err(QuantityError::Suffix));
        assert_eq!(Quantity::parse("1 "), Err(QuantityError::Format));
        // The exponent bounds of `TestInterpretExponentInt32Bounds`.
        assert!(Quantity::parse("1E-2147483647").is_ok());
        assert!(Quantity::parse("1E2147483647").is_ok());
        assert!(Quantity::parse("1E2147483648").is_err());
        assert!(Quantity::parse("1E-2147483648").is_err());
    }

    /// apimachinery's `TestQuantityString` and `TestQuantityParseEmit`.
    #[test]
    fn prints_canonical_forms() {
        let table: &[(Quantity, &str)] = &[
            (dec(1 << 30, 0, Bin), "1Gi"),
            (dec(300 << 20, 0, Bin), "300Mi"),
            (dec(6 * 1024, 0, Bin), "6Ki"),
            (dec(1001 << 30, 0, Bin), "1001Gi"),
            (dec(1 << 40, 0, Bin), "1Ti"),
            (dec(5, 0, Bin), "5"),
            (dec(500, -3, Bin), "500m"),
            (dec(1, 9, Dec), "1G"),
            (dec(1000, 6, Dec), "1G"),
            (dec(1000000, 3, Dec), "1G"),
            (dec(1000000000, 0, Dec), "1G"),
            (dec(1, -3, Dec), "1m"),
            (dec(80, -3, Dec), "80m"),
            (dec(1080, -3, Dec), "1080m"),
            (dec(108, -2, Dec), "1080m"),
            (dec(10800, -4, Dec), "1080m"),
            (dec(300, 6, Dec), "300M"),
            (dec(1, 12, Dec), "1T"),
            (dec(1, 18, Dec), "1E"),
            (dec(1, 21, Dec), "1e21"),
            (dec(5, 21, Dec), "5e21"),
            (dec(1234567, 6, Dec), "1234567M"),
            (dec(1234567, -3, Bin), "1234567m"),
            (dec(3, 3, Dec), "3k"),
            (dec(1025, 0, Bin), "1025"),
            (dec(0, 0, Dec), "0"),
            (dec(0, 0, Bin), "0"),
            (dec(1, 9, Exp), "1e9"),
            (dec(1, -3, Exp), "1e-3"),
            (dec(1, -9, Exp), "1e-9"),
            (dec(80, -3, Exp), "80e-3"),
            (dec(300, 6, Exp), "300e6"),
            (dec(1, 12, Exp), "1e12"),
            (dec(1, 3, Exp), "1e3"),
            (dec(3, 3, Exp), "3e3"),
            (dec(0, 0, Exp), "0"),
            (dec(1, -9, Dec), "1n"),
            (dec(80, -9, Dec), "80n"),
            (dec(1080, -9, Dec), "1080n"),
            (dec(108, -8, Dec), "1080n"),
            (dec(1, -6, Dec), "1u"),
            (dec(80, -6, Dec), "80u"),
            (dec(1080, -6, Dec), "1080u"),
            (dec(2000, 0, Bin), "2000"),
        ];
        for (value, want) in table {
            assert_eq!(value.to_string(), *want, "{value:?}");
            if !value.is_zero() {
                let neg = Quantity::from_nanos(-value.nanos, value.format);
                assert_eq!(neg.to_string(), format!("-{want}"));
            }
            // The canonical form reads back as the same value.
            assert_eq!(q(want), *value, "{want}");
        }
        for (input, want) in [
            ("1Ki", "1Ki"),
            ("1Mi", "1Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            ("0.5", "500m"),
            ("1.5Gi", "1536Mi"),
            ("1000", "1k"),
            ("12e6", "12e6"),
            ("1.2e3", "1200"),
        ] {
            assert_eq!(q(input).to_string(), want, "{input}");
        }
        // Past `Ei` by arithmetic: exact decimal digits.
        assert_eq!((q("1Ei") * 1024).to_string(), "1180591620717411303424");
    }

    #[test]
    fn compares_and_rounds_like_upstream() {
        assert!(q("100m") > q("50m"));
        assert!(q("10000T") > q("100Gi"));
        assert_eq!(q("0"), q("0Mi"));
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("9.01").milli_value(), 9010);
        assert_eq!(q("9.01").value(), 10);
        assert_eq!(q("-9.01").value(), -10);
        assert_eq!(q("0.1m").milli_value(), 1);
        assert_eq!(q("512").value(), 512);
    }

    #[test]
    fn arithmetic_keeps_the_first_non_zero_format() {
        assert_eq!((q("100m") + Quantity::ZERO).to_string(), "100m");
        assert_eq!((Quantity::ZERO + q("1Gi")).to_string(), "1Gi");
        assert_eq!((q("1Gi") + q("512Mi")).to_string(), "1536Mi");
        assert_eq!((q("1Gi") - q("1Gi")).to_string(), "0");
        assert_eq!((Quantity::ZERO - q("100m")).to_string(), "-100m");
        let mut sum = Quantity::ZERO;
        sum += q("250m");
        sum += q("1");
        assert_eq!(sum.to_string(), "1250m");
    }

    #[test]
    fn reads_manifest_values() {
        assert_eq!(Quantity::from_value(&Value::Int(512)), Ok(q("512")));
        assert_eq!(Quantity::from_value(&Value::Float(0.5)), Ok(q("500m")));
        assert_eq!(Quantity::from_value(&Value::from("2Gi")), Ok(q("2Gi")));
        assert_eq!(
            Quantity::from_value(&Value::Bool(true)),
            Err(QuantityError::NotAQuantity)
        );
    }

    #[test]
    fn huge_and_long_inputs_stay_bounded() {
        assert_eq!(q("1e100").nanos, i128::MAX);
        assert_eq!(q("1e-100").nanos, 1);
        let long = format!("0.{}1", "0".repeat(5000));
        assert_eq!(q(&long).nanos, 1);
        let long = format!("1{}Ki", "0".repeat(5000));
        assert_eq!(q(&long).nanos, MAX_ALLOWED_NANOS);
    }
}
