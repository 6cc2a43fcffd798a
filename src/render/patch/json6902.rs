//! JSON 6902 patches as kustomize v5.5.0 applies them, through
//! `gopkg.in/evanphx/json-patch.v4`: RFC 6902 operations on RFC 6901 paths,
//! with that library's departures from the RFC and its error texts:
//!
//! * the first segment of a path is ignored (`spec/x` means `/x`), and `""`
//!   addresses nothing except for `replace` (which ignores a scalar value
//!   there) and `test`;
//! * array indexes may be negative (counted from the end) or have leading zeros;
//! * `replace` of a missing object member adds it; `test` of a missing member
//!   against `null` succeeds;
//! * `add` never creates missing parents.
//!
//! kustomize round-trips the whole resource through JSON and Go's `float64`
//! for this, so integers beyond 2^53 lose precision, as they do here.

use crate::yaml::{Key, Map, Value};

use super::smp::PatchError;

/// Applies JSON 6902 operations (a list of `{op, path, from, value}` maps, as
/// parsed from YAML or JSON) to `target`. On error `target` is left unchanged.
pub fn apply_json6902(target: &mut Value, ops: &Value) -> Result<(), PatchError> {
    let Value::Seq(list) = ops else {
        return Err(PatchError(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            json_kind(ops)
        )));
    };
    let mut parsed = Vec::with_capacity(list.len());
    for op in list.iter() {
        match op {
            Value::Map(m) => parsed.push(m),
            // A null operation decodes to an empty one.
            Value::Null => {}
            other => {
                return Err(PatchError(format!(
                    "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                    json_kind(other)
                )));
            }
        }
    }
    let mut doc = target.clone();
    for op in parsed {
        apply_op(&mut doc, op)?;
    }
    if !matches!(doc, Value::Map(_)) {
        return Err(PatchError(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&doc)
        )));
    }
    through_float64(&mut doc);
    *target = doc;
    Ok(())
}

fn err(msg: String) -> PatchError {
    PatchError(msg)
}

const MISSING: &str = "missing value";

/// A string field of an operation, as evanphx reads it.
fn string_field<'a>(op: &'a Map, field: &str) -> Result<&'a str, String> {
    match op.get(field) {
        None | Some(Value::Null) => Err(if field == "path" {
            format!("operation missing path field: {MISSING}")
        } else {
            format!("operation, missing {field} field: {MISSING}")
        }),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go value of type string",
            json_kind(other)
        )),
    }
}

/// The operation's `value`: `None` when absent or null (both are JSON null here).
fn op_value(op: &Map) -> Option<&Value> {
    op.get("value").filter(|v| !v.is_null())
}

fn apply_op(doc: &mut Value, op: &Map) -> Result<(), PatchError> {
    let kind = match op.get("op") {
        Some(Value::String(s)) => s.as_str(),
        _ => "unknown",
    };
    match kind {
        "add" => {
            let path = string_field(op, "path")
                .map_err(|_| err(format!("add operation failed to decode path: {MISSING}")))?;
            let value = op_value(op).cloned().unwrap_or(Value::Null);
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "add operation does not apply: doc is missing path: \"{path}\": {MISSING}"
                )));
            };
            container_add(con, &key, value)
                .map_err(|e| err(format!("error in add for path: '{path}': {e}")))
        }
        "remove" => {
            let path = string_field(op, "path")
                .map_err(|_| err(format!("remove operation failed to decode path: {MISSING}")))?;
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
                )));
            };
            container_remove(con, &key)
                .map(|_| ())
                .map_err(|e| err(format!("error in remove for path: '{path}': {e}")))
        }
        "replace" => {
            let path = string_field(op, "path")
                .map_err(|e| err(format!("replace operation failed to decode path: {e}")))?;
            if path.is_empty() {
                return match op.get("value") {
                    Some(v @ (Value::Map(_) | Value::Seq(_))) => {
                        *doc = v.clone();
                        Ok(())
                    }
                    // evanphx wraps a nil error here, which pkg/errors turns into no error.
                    Some(_) => Ok(()),
                    // evanphx dereferences the missing value and panics.
                    None => Err(err(
                        "replace operation value must be object or array".to_owned()
                    )),
                };
            }
            let value = op_value(op).cloned().unwrap_or(Value::Null);
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "replace operation does not apply: doc is missing path: {path}: {MISSING}"
                )));
            };
            if container_get(con, &key).is_err() {
                return Err(err(format!(
                    "replace operation does not apply: doc is missing key: {path}: {MISSING}"
                )));
            }
            container_set(con, &key, value)
                .map_err(|e| err(format!("error in remove for path: '{path}': {e}")))
        }
        "move" => {
            let from = string_field(op, "from")
                .map_err(|e| err(format!("move operation failed to decode from: {e}")))?;
            let Some((con, key)) = find_object(doc, from) else {
                return Err(err(format!(
                    "move operation does not apply: doc is missing from path: {from}: {MISSING}"
                )));
            };
            container_get(con, &key)
                .map_err(|e| err(format!("error in move for path: '{key}': {e}")))?;
            let val = container_remove(con, &key)
                .map_err(|e| err(format!("error in move for path: '{key}': {e}")))?;
            let path = string_field(op, "path")
                .map_err(|e| err(format!("move operation failed to decode path: {e}")))?;
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "move operation does not apply: doc is missing destination path: {path}: {MISSING}"
                )));
            };
            container_add(con, &key, val)
                .map_err(|e| err(format!("error in move for path: '{path}': {e}")))
        }
        "copy" => {
            let from = string_field(op, "from")
                .map_err(|e| err(format!("copy operation failed to decode from: {e}")))?;
            let Some((con, key)) = find_object(doc, from) else {
                return Err(err(format!(
                    "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
                )));
            };
            let val = container_get(con, &key)
                .map_err(|e| err(format!("error in copy for from: '{from}': {e}")))?
                .cloned()
                .unwrap_or(Value::Null);
            let path = string_field(op, "path")
                .map_err(|_| err(format!("copy operation failed to decode path: {MISSING}")))?;
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "copy operation does not apply: doc is missing destination path: {path}: {MISSING}"
                )));
            };
            container_add(con, &key, val)
                .map_err(|e| err(format!("error while adding value during copy: {e}")))
        }
        "test" => {
            let path = string_field(op, "path")
                .map_err(|e| err(format!("test operation failed to decode path: {e}")))?;
            let failed = || err(format!("testing value {path} failed: test failed"));
            let expected = op_value(op);
            if path.is_empty() {
                return if expected.is_some_and(|v| json_equal(doc, v)) {
                    Ok(())
                } else {
                    Err(failed())
                };
            }
            let Some((con, key)) = find_object(doc, path) else {
                return Err(err(format!(
                    "test operation does not apply: is missing path: {path}: {MISSING}"
                )));
            };
            let actual = container_get(con, &key)
                .map_err(|e| err(format!("error in test for path: '{path}': {e}")))?;
            match (actual.filter(|v| !v.is_null()), expected) {
                // evanphx dereferences the missing `value` here and panics.
                (None, None) if !op.contains_key("value") => {
                    Err(err(format!("test operation for path {path} has no value")))
                }
                (None, None) => Ok(()),
                (Some(a), Some(e)) if json_equal(a, e) => Ok(()),
                _ => Err(failed()),
            }
        }
        other => Err(err(format!("Unexpected kind: {other}"))),
    }
}

/// evanphx's `findObject`: the container holding the last segment of `path`,
/// and that segment. The first segment is skipped whatever it holds.
fn find_object<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let key = decode_key(part);
        let next = match cur {
            Value::Map(m) => m.get_mut(&key)?,
            Value::Seq(items) => {
                let i = array_index(&key, items.len(), false).ok()?;
                items.get_mut(i)?
            }
            _ => return None,
        };
        // JSON null reads as a missing node; scalars are not containers.
        if !matches!(next, Value::Map(_) | Value::Seq(_)) {
            return None;
        }
        cur = next;
    }
    let key = decode_key(split.last().copied().unwrap_or(""));
    Some((cur, key))
}

/// RFC 6901 unescaping in one left-to-right pass (`~01` is `~1`).
fn decode_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    out.push('/');
                    continue;
                }
                Some('0') => {
                    chars.next();
                    out.push('~');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Go's `strconv.Atoi` error text for `s`.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing \"{s}\": invalid syntax"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing \"{s}\": value out of range"))
}

fn invalid_index(i: i64) -> String {
    format!("Unable to access invalid index: {i}: invalid index referenced")
}

/// An existing element's index; negative indexes count from the end.
/// With `for_add`, `len` itself is valid (an insertion point).
fn array_index(key: &str, len: usize, for_add: bool) -> Result<usize, String> {
    let idx = atoi(key)?;
    let size = i64::try_from(len + usize::from(for_add)).unwrap_or(i64::MAX);
    let mut i = idx;
    if i < 0 {
        if i < -size {
            return Err(invalid_index(idx));
        }
        i += size;
    }
    if i >= size {
        return Err(invalid_index(idx));
    }
    usize::try_from(i).map_err(|_| invalid_index(idx))
}

fn container_get<'a>(con: &'a Value, key: &str) -> Result<Option<&'a Value>, String> {
    match con {
        Value::Map(m) => Ok(m.get(key)),
        Value::Seq(items) => {
            let i = array_index(key, items.len(), false)?;
            Ok(items.get(i))
        }
        _ => Err(format!("unknown object type: {MISSING}")),
    }
}

fn container_add(con: &mut Value, key: &str, value: Value) -> Result<(), String> {
    match con {
        Value::Map(m) => {
            m.insert(Key::new(key), value);
            Ok(())
        }
        Value::Seq(items) => {
            if key == "-" {
                items.push(value);
                return Ok(());
            }
            let i = atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))
                .and_then(|_| array_index(key, items.len(), true))?;
            items.insert(i, value);
            Ok(())
        }
        _ => Err(format!("unknown object type: {MISSING}")),
    }
}

fn container_set(con: &mut Value, key: &str, value: Value) -> Result<(), String> {
    match con {
        Value::Map(m) => {
            m.insert(Key::new(key), value);
            Ok(())
        }
        Value::Seq(items) => {
            let i = array_index(key, items.len(), false)?;
            if let Some(slot) = items.get_mut(i) {
                *slot = value;
            }
            Ok(())
        }
        _ => Err(format!("unknown object type: {MISSING}")),
    }
}

/// Removes and returns a member or element.
fn container_remove(con: &mut Value, key: &str) -> Result<Value, String> {
    match con {
        Value::Map(m) => m
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {MISSING}")),
        Value::Seq(items) => {
            let i = array_index(key, items.len(), false)?;
            Ok(items.remove(i))
        }
        _ => Err(format!("unknown object type: {MISSING}")),
    }
}

/// evanphx's structural equality: members compared recursively, numbers by value.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(v, w)| json_equal(v, w))
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (x, y) => match (as_f64(x), as_f64(y)) {
            (Some(p), Some(q)) => p == q,
            _ => false,
        },
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::BigInt(s) => s.parse().ok(),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// kustomize decodes the patched JSON into Go `interface{}` values, so every
/// number becomes a `float64`: integers beyond 2^53 are rounded.
fn through_float64(v: &mut Value) {
    const EXACT: i64 = 1 << 53;
    match v {
        Value::Map(m) => m.iter_mut().for_each(|(_, v)| through_float64(v)),
        Value::Seq(items) => items.iter_mut().for_each(through_float64),
        Value::Int(i) if !(-EXACT..=EXACT).contains(i) => *v = integral(*i as f64),
        Value::BigInt(s) => {
            if let Ok(f) = s.parse::<f64>() {
                *v = integral(f);
            }
        }
        _ => {}
    }
}

/// What an integral `float64` reads back as after Go's JSON encoder printed it.
fn integral(f: f64) -> Value {
    if f.abs() >= 1e21 {
        return Value::Float(f);
    }
    // Rust prints the shortest round-trip digits without an exponent, as Go's
    // encoder does below 1e21.
    let text = format!("{f}");
    match text.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) if text.parse::<u64>().is_ok() => Value::BigInt(text.into_boxed_str()),
        Err(_) => Value::Float(f),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::resolve::Dialect;
    use crate::yaml::{LoadOptions, parse};

    fn yaml(text: &str) -> Value {
        let opts = LoadOptions {
            dialect: Dialect::Kustomize,
            ..Default::default()
        };
        parse(FileId(0), text, &opts)
            .docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or_default()
    }

    const DOC: &str = "kind: X\nspec:\n  list: [a, b, c]\n  m: {x: 1, n: null}\n";

    fn run(ops: &str) -> Result<String, String> {
        let mut doc = yaml(DOC);
        apply_json6902(&mut doc, &yaml(ops)).map_err(|e| e.0)?;
        Ok(serde_json::to_string(doc.get("spec").unwrap_or(&Value::Null)).unwrap_or_default())
    }

    #[test]
    fn operations() {
        assert_eq!(
            run(
                "- {op: add, path: /spec/list/-, value: d}\n- {op: add, path: /spec/list/0, value: z}\n"
            ),
            Ok(r#"{"list":["z","a","b","c","d"],"m":{"x":1,"n":null}}"#.to_owned())
        );
        assert_eq!(
            run(
                "- {op: add, path: /spec/list/-1, value: z}\n- {op: replace, path: /spec/list/-1, value: y}\n"
            ),
            Ok(r#"{"list":["a","b","c","y"],"m":{"x":1,"n":null}}"#.to_owned())
        );
        assert_eq!(
            run(
                "- {op: remove, path: /spec/list/01}\n- {op: move, from: /spec/m/x, path: /spec/y}\n"
            ),
            Ok(r#"{"list":["a","c"],"m":{"n":null},"y":1}"#.to_owned())
        );
        assert_eq!(
            run(
                "- {op: copy, from: /spec/m, path: /spec/list/1}\n- {op: test, path: /spec/list/1/x, value: 1.0}\n"
            ),
            Ok(r#"{"list":["a",{"x":1,"n":null},"b","c"],"m":{"x":1,"n":null}}"#.to_owned())
        );
        // The first segment is ignored; replace adds missing members; test of
        // a missing member against null passes.
        assert_eq!(
            run(
                "- {op: replace, path: spec/z, value: 1}\n- {op: test, path: /spec/nope, value: null}\n- {op: test, path: /spec/m/n, value: null}\n"
            ),
            Ok(r#"{"list":["a","b","c"],"m":{"x":1,"n":null}}"#.to_owned())
        );
        assert_eq!(
            run("- {op: add, path: /spec/a~1b~0c, value: 1}\n"),
            Ok(r#"{"list":["a","b","c"],"m":{"x":1,"n":null},"a/b~c":1}"#.to_owned())
        );
    }

    #[test]
    fn errors_match_evanphx() {
        let cases = [
            (
                "- {op: add, path: /spec/missing/x, value: 1}",
                "add operation does not apply: doc is missing path: \"/spec/missing/x\": missing value",
            ),
            (
                "- {op: add, path: /spec/list/5, value: z}",
                "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced",
            ),
            (
                "- {op: add, path: /spec/list/x, value: z}",
                "error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
            ),
            (
                "- {op: remove, path: /spec/nope}",
                "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
            ),
            (
                "- {op: remove, path: /spec/list/7}",
                "error in remove for path: '/spec/list/7': Unable to access invalid index: 7: invalid index referenced",
            ),
            (
                "- {op: test, path: /spec/m/x, value: 2}",
                "testing value /spec/m/x failed: test failed",
            ),
            (
                "- {op: move, from: /spec/nope, path: /spec/z}",
                "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
            ),
            ("- {op: bogus, path: /spec/m}", "Unexpected kind: bogus"),
            (
                "- {op: add, value: 1}",
                "add operation failed to decode path: missing value",
            ),
            (
                "- {op: replace, path: /spec/list/3, value: 1}",
                "replace operation does not apply: doc is missing key: /spec/list/3: missing value",
            ),
            (
                "- {op: add, path: /spec/m/x/y, value: d}",
                "add operation does not apply: doc is missing path: \"/spec/m/x/y\": missing value",
            ),
            (
                "- {op: add, path: '', value: {a: 1}}",
                "add operation does not apply: doc is missing path: \"\": missing value",
            ),
            (
                "{op: add}",
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
            ),
        ];
        for (ops, want) in cases {
            assert_eq!(run(ops), Err(want.to_owned()), "{ops}");
        }
    }

    #[test]
    fn numbers_go_through_float64() {
        let mut doc = yaml("kind: X\na: 9007199254740993\nb: 12345678901234567890\nc: 5\n");
        assert!(apply_json6902(&mut doc, &yaml("- {op: add, path: /d, value: 1}\n")).is_ok());
        assert_eq!(
            serde_json::to_string(&doc).unwrap_or_default(),
            r#"{"kind":"X","a":9007199254740992,"b":12345678901234567000,"c":5,"d":1}"#
        );
    }

    #[test]
    fn failed_patches_leave_the_target_alone() {
        let mut doc = yaml(DOC);
        let before = doc.clone();
        let ops = yaml("- {op: add, path: /spec/q, value: 1}\n- {op: remove, path: /nope}\n");
        assert!(apply_json6902(&mut doc, &ops).is_err());
        assert_eq!(doc, before);
    }
}
