//! Resource amounts as the scheduler counts them (upstream's
//! `framework.Resource`): milli-CPU, bytes of memory and ephemeral storage,
//! a pod count, and "scalar" resources (extended resources, hugepages,
//! attachable volumes, `kubernetes.io/` prefixed names) in whole units.
//!
//! Other names without a domain are not counted at all, as upstream drops
//! them when it adds a `ResourceList`.

use std::collections::BTreeMap;

use crate::resource::quantity::Quantity;

/// `requests` or `limits` as written: resource name to quantity.
pub type ResourceList = BTreeMap<String, Quantity>;

/// Amounts of every resource the scheduler tracks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    /// `pods` (only meaningful for a node's allocatable).
    pub allowed_pods: i64,
    pub scalar: BTreeMap<String, i64>,
}

fn clamp(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Whether upstream counts a resource name as a scalar resource.
pub fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || name.contains("kubernetes.io/")
        || is_extended(name)
}

/// An extended resource: a domain-prefixed name outside `kubernetes.io/`
/// and the `requests.` quota prefix.
pub fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

impl Resources {
    /// The sum of a resource list, as `Resource.Add` builds it.
    pub fn from_list(list: &ResourceList) -> Resources {
        let mut r = Resources::default();
        r.add_list(list);
        r
    }

    pub fn add_list(&mut self, list: &ResourceList) {
        for (name, q) in list {
            match name.as_str() {
                "cpu" => self.milli_cpu = self.milli_cpu.saturating_add(clamp(q.milli_value())),
                "memory" => self.memory = self.memory.saturating_add(clamp(q.value())),
                "pods" => self.allowed_pods = self.allowed_pods.saturating_add(clamp(q.value())),
                "ephemeral-storage" => {
                    self.ephemeral_storage = self.ephemeral_storage.saturating_add(clamp(q.value()))
                }
                other if is_scalar(other) => {
                    let e = self.scalar.entry(other.to_owned()).or_insert(0);
                    *e = e.saturating_add(clamp(q.value()));
                }
                _ => {}
            }
        }
    }

    pub fn add(&mut self, other: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_add(other.milli_cpu);
        self.memory = self.memory.saturating_add(other.memory);
        self.ephemeral_storage = self
            .ephemeral_storage
            .saturating_add(other.ephemeral_storage);
        self.allowed_pods = self.allowed_pods.saturating_add(other.allowed_pods);
        for (k, v) in &other.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
    }

    pub fn sub(&mut self, other: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_sub(other.milli_cpu);
        self.memory = self.memory.saturating_sub(other.memory);
        self.ephemeral_storage = self
            .ephemeral_storage
            .saturating_sub(other.ephemeral_storage);
        self.allowed_pods = self.allowed_pods.saturating_sub(other.allowed_pods);
        for (k, v) in &other.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_sub(*v);
        }
    }

    /// The amount of one resource by name (cpu in milli-units).
    pub fn get(&self, name: &str) -> i64 {
        match name {
            "cpu" => self.milli_cpu,
            "memory" => self.memory,
            "ephemeral-storage" => self.ephemeral_storage,
            "pods" => self.allowed_pods,
            other => self.scalar.get(other).copied().unwrap_or(0),
        }
    }

    /// Whether nothing at all is requested (cpu, memory, storage, scalars).
    pub fn is_empty_request(&self) -> bool {
        self.milli_cpu == 0
            && self.memory == 0
            && self.ephemeral_storage == 0
            && self.scalar.values().all(|v| *v == 0)
    }
}

/// `a += b` per resource.
pub fn add_lists(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        let sum = a.get(k).copied().unwrap_or(Quantity::ZERO) + *v;
        a.insert(k.clone(), sum);
    }
}

/// `a = max(a, b)` per resource.
pub fn max_lists(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        match a.get(k) {
            Some(cur) if cur >= v => {}
            _ => {
                a.insert(k.clone(), *v);
            }
        }
    }
}

/// A quantity printed for people: milli-CPU as cores, bytes in binary units.
pub fn format_amount(name: &str, amount: i64) -> String {
    use crate::resource::quantity::Format;
    if name == "cpu" {
        return Quantity::from_nanos(i128::from(amount) * 1_000_000, Format::DecimalSi).to_string();
    }
    if matches!(name, "memory" | "ephemeral-storage") || name.starts_with("hugepages-") {
        return human_bytes(amount);
    }
    amount.to_string()
}

/// Bytes as `512Mi`, `1.5Gi` (one decimal when not whole).
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];
    let mut unit = 0;
    let mut value = bytes as f64;
    while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        return bytes.to_string();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}{}", rounded as i64, UNITS[unit])
    } else {
        format!("{rounded:.1}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> ResourceList {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Quantity::parse(v).expect("quantity")))
            .collect()
    }

    #[test]
    fn adds_like_framework_resource() {
        let r = Resources::from_list(&list(&[
            ("cpu", "1.5"),
            ("memory", "1Gi"),
            ("pods", "110"),
            ("example.com/foo", "3"),
            ("hugepages-2Mi", "4Mi"),
            ("unknown", "7"),
        ]));
        assert_eq!(r.milli_cpu, 1500);
        assert_eq!(r.memory, 1 << 30);
        assert_eq!(r.allowed_pods, 110);
        assert_eq!(r.scalar.get("example.com/foo"), Some(&3));
        assert_eq!(r.scalar.get("hugepages-2Mi"), Some(&(4 << 20)));
        assert!(!r.scalar.contains_key("unknown"));
    }

    #[test]
    fn prints_amounts() {
        assert_eq!(format_amount("cpu", 1500), "1500m");
        assert_eq!(format_amount("cpu", 2000), "2");
        assert_eq!(human_bytes(1536 << 20), "1.5Gi");
        assert_eq!(human_bytes(512 << 20), "512Mi");
        assert_eq!(human_bytes(100), "100");
    }
}
