//! Interned mapping keys.
//!
//! Manifests repeat the same few hundred keys (`name`, `image`,
//! `app.kubernetes.io/name`, ...) millions of times. Each distinct key is
//! stored once for the life of the process and a map entry holds an 8-byte
//! handle to it, which keeps a loaded repository small. Equal keys have equal
//! handles, so comparing two keys is comparing two pointers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{LazyLock, Mutex};

#[derive(Clone, Copy)]
pub struct Key(&'static &'static str);

static GLOBAL: LazyLock<Mutex<HashMap<&'static str, Key>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// FxHash (rustc's): keys are short and not attacker-chosen in a way that
/// matters for a per-thread cache, and SipHash dominated the lookups.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

thread_local! {
    /// Per-thread cache in front of the global table, so that loading in
    /// parallel rarely takes the lock.
    static LOCAL: RefCell<FxMap<&'static str, Key>> = RefCell::new(FxMap::default());
}

impl Key {
    pub fn new(s: &str) -> Key {
        if let Some(k) = LOCAL.with(|l| l.borrow().get(s).copied()) {
            return k;
        }
        let k = {
            let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
            match g.get(s) {
                Some(k) => *k,
                None => {
                    let text: &'static str = Box::leak(s.to_owned().into_boxed_str());
                    let k = Key(Box::leak(Box::new(text)));
                    g.insert(text, k);
                    k
                }
            }
        };
        LOCAL.with(|l| l.borrow_mut().insert(*k.0, k));
        k
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Key {}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state);
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.0.cmp(other.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(*self.0, f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::new(s)
    }
}

impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::new(&s)
    }
}

impl From<&String> for Key {
    fn from(s: &String) -> Key {
        Key::new(s)
    }
}

impl From<compact_str::CompactString> for Key {
    fn from(s: compact_str::CompactString) -> Key {
        Key::new(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_gives_the_same_handle() {
        let a = Key::new("app.kubernetes.io/name");
        let b = std::thread::spawn(|| Key::new("app.kubernetes.io/name"))
            .join()
            .unwrap();
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Key::new("app"));
        assert_eq!(&*a, "app.kubernetes.io/name");
        assert!(a == "app.kubernetes.io/name");
        assert_eq!(std::mem::size_of::<Key>(), 8);
    }
}
