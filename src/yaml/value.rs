//! The value tree every stage works on: what the API server would see as JSON.
//!
//! It is deliberately compact (short strings inline, maps as ordered vectors) so
//! that a whole rendered repository fits in a few times its source size.

use compact_str::CompactString;
use thin_vec::ThinVec;

pub use super::key::Key;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A string stored inline when short (most Kubernetes keys and values are).
pub type Str = CompactString;

/// A sequence. `ThinVec` keeps its length on the heap, which lets a [`Value`]
/// fit in 24 bytes.
pub type Seq = ThinVec<Value>;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    /// An integer that does not fit `i64`, kept as the digits that were written.
    BigInt(Box<str>),
    Float(f64),
    String(Str),
    Seq(Seq),
    Map(Map),
}

/// A mapping that keeps its keys in source order. Lookups are linear, which is
/// faster than hashing for the small maps manifests are made of.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Map {
    entries: ThinVec<(Key, Value)>,
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Map {
            entries: ThinVec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| *k == key)
    }

    /// Sets `key`, keeping its position when it already exists; returns the old value.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Appends without looking for an existing key; the caller guarantees uniqueness.
    pub(crate) fn push_unique(&mut self, key: Key, value: Value) {
        self.entries.push((key, value));
    }

    /// A map from entries whose keys the caller guarantees to be unique.
    pub(crate) fn from_unique(entries: ThinVec<(Key, Value)>) -> Self {
        Map { entries }
    }

    pub fn into_entries(self) -> impl Iterator<Item = (Key, Value)> {
        self.entries.into_iter()
    }

    /// The mapping under `key`, created (or replacing a non-mapping) if needed.
    pub fn child_map(&mut self, key: &str) -> &mut Map {
        if !matches!(self.get(key), Some(Value::Map(_))) {
            self.insert(key, Value::Map(Map::new()));
        }
        match self.get_mut(key) {
            Some(v) => v.make_map(),
            None => unreachable!("the key was inserted above"),
        }
    }

    /// Removes `key`, keeping the order of the other entries.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| *k == key)?;
        Some(self.entries.remove(i).1)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (&str, &mut Value)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `self[key]` for maps, `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?.get(key)
    }

    /// Follows an RFC 6901 JSON pointer.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        let mut cur = self;
        for seg in crate::pointer::segments(pointer) {
            cur = match cur {
                Value::Map(m) => m.get(&seg)?,
                Value::Seq(s) => s.get(crate::pointer::index(&seg)?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Makes this value a mapping (replacing anything else) and returns it.
    pub fn make_map(&mut self) -> &mut Map {
        if !matches!(self, Value::Map(_)) {
            *self = Value::Map(Map::new());
        }
        match self {
            Value::Map(m) => m,
            _ => unreachable!("the value was made a mapping above"),
        }
    }

    /// The JSON type name, as used in messages ("string", "integer", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::BigInt(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Converts to a `serde_json::Value` for libraries that need one.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::BigInt(s) => s
                .parse::<u64>()
                .map(J::from)
                .or_else(|_| s.parse::<f64>().map(J::from))
                .unwrap_or(J::Null),
            Value::Float(f) => J::from(*f),
            Value::String(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                J::Object(m.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect())
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::BigInt(text) => match text.parse::<u64>() {
                Ok(u) => s.serialize_u64(u),
                Err(_) => s.serialize_f64(text.parse::<f64>().unwrap_or(f64::NAN)),
            },
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Str::from(s))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_compact() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn insert_keeps_position_and_remove_keeps_order() {
        let mut m = Map::new();
        m.insert("a", Value::Int(1));
        m.insert("b", Value::Int(2));
        m.insert("c", Value::Int(3));
        assert_eq!(m.insert("a", Value::Int(9)), Some(Value::Int(1)));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.remove("b"), Some(Value::Int(2)));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(m.get("a"), Some(&Value::Int(9)));
    }

    #[test]
    fn pointer_walks_maps_and_sequences() {
        let mut inner = Map::new();
        inner.insert("a/b", Value::from("x"));
        let mut root = Map::new();
        root.insert(
            "items",
            Value::Seq(thin_vec::thin_vec![Value::Null, Value::Map(inner)]),
        );
        let v = Value::Map(root);
        assert_eq!(v.pointer("/items/1/a~1b"), Some(&Value::from("x")));
        assert_eq!(v.pointer("/items/2"), None);
        assert_eq!(v.pointer("/items/01"), None);
        assert_eq!(v.pointer(""), Some(&v));
    }

    #[test]
    fn serializes_as_json() {
        let mut m = Map::new();
        m.insert("z", Value::BigInt("18446744073709551615".into()));
        m.insert("a", Value::Float(0.5));
        let json = serde_json::to_string(&Value::Map(m)).unwrap();
        assert_eq!(json, r#"{"z":18446744073709551615,"a":0.5}"#);
    }
}
