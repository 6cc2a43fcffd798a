//! The name-suffix hash of generated ConfigMaps and Secrets, computed exactly
//! as kustomize does: Go's JSON encoding of a small payload, SHA-256, the
//! first ten hex digits with vowels and look-alike digits replaced.

use sha2::{Digest, Sha256};

use crate::yaml::Value;

/// The ten-character suffix for a ConfigMap or Secret object.
pub fn suffix(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    // The name is looked up with a path segment literally named
    // "metadata/name" in kustomize, so it is always empty.
    let mut entries: Vec<(&str, PayloadValue)> = vec![
        ("kind", PayloadValue::Str(kind.to_owned())),
        ("name", PayloadValue::Str(String::new())),
    ];
    let data = match obj.get("data") {
        Some(v @ Value::Map(_)) => PayloadValue::Json(v.clone()),
        _ => PayloadValue::Str(String::new()),
    };
    entries.push(("data", data));
    if kind == "Secret" {
        let t = obj.get("type").and_then(Value::as_str).unwrap_or("");
        entries.push(("type", PayloadValue::Str(t.to_owned())));
        if let Some(v @ Value::Map(_)) = obj.get("stringData") {
            entries.push(("stringData", PayloadValue::Json(v.clone())));
        }
    } else if let Some(v @ Value::Map(_)) = obj.get("binaryData") {
        entries.push(("binaryData", PayloadValue::Json(v.clone())));
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut json = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        go_json_string(&mut json, k);
        json.push(':');
        match v {
            PayloadValue::Str(s) => go_json_string(&mut json, s),
            PayloadValue::Json(v) => go_json_value(&mut json, v),
        }
    }
    json.push('}');
    encode(&json)
}

enum PayloadValue {
    Str(String),
    Json(Value),
}

/// SHA-256 of the payload, first ten hex digits, kustomize's substitutions.
pub fn encode(payload: &str) -> String {
    let digest = Sha256::digest(payload.as_bytes());
    digest
        .iter()
        .flat_map(|b| [b >> 4, b & 0xF])
        .take(10)
        .map(|n| match n {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            0xA => 'm',
            0xE => 't',
            n => char::from_digit(n as u32, 16).unwrap_or('0'),
        })
        .collect()
}

/// Go's `encoding/json` for a value: sorted keys, no spaces, Go's escaping.
pub fn go_json_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => out.push_str(&go_json_float(*f)),
        Value::String(s) => go_json_string(out, s),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_value(out, item);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let mut keys: Vec<(&str, &Value)> = m.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(out, k);
                out.push(':');
                go_json_value(out, v);
            }
            out.push('}');
        }
    }
}

/// Go's JSON float format: `%f`-style between 1e-6 and 1e21, else exponent form.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        // Go writes at least two exponent digits, then trims "e-09" to "e-9".
        return format!("{m}e{sign}{:02}", e.abs()).replace("e-0", "e-");
    }
    format!("{f}")
}

/// Go's JSON string escaping, HTML-safe, with `\b` and `\f` short forms.
pub fn go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{C}' => out.push_str("\\f"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Map;

    fn cm(pairs: &[(&str, &str)]) -> Value {
        let mut data = Map::new();
        for (k, v) in pairs {
            data.insert(*k, Value::from(*v));
        }
        let mut m = Map::new();
        m.insert("kind", Value::from("ConfigMap"));
        m.insert("data", Value::Map(data));
        Value::Map(m)
    }

    #[test]
    fn kustomize_vectors() {
        assert_eq!(suffix(&cm(&[("A", "1")])), "89g4tffbfk");
        // Go escapes <, & and > and uses \b, \f and \u00xx for control characters.
        assert_eq!(
            suffix(&cm(&[
                ("A", "x\u{8}y\u{c}z\u{1}w\u{2028}v<&>"),
                ("B", "tab\there")
            ])),
            "m9dht5md64"
        );
    }

    #[test]
    fn secret_type_changes_the_hash() {
        let mut s = Map::new();
        s.insert("kind", Value::from("Secret"));
        s.insert("type", Value::from("kubernetes.io/tls"));
        let mut data = Map::new();
        data.insert("tls.crt", Value::from("Q1JU"));
        data.insert("tls.key", Value::from("S0VZ"));
        s.insert("data", Value::Map(data));
        assert_eq!(suffix(&Value::Map(s)), "fm47d522m5");
    }
}
