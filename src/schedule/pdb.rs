//! PodDisruptionBudget arithmetic, as the disruption controller computes
//! `disruptionsAllowed`.
//!
//! `minAvailable` as an integer is the number of healthy pods to keep; as a
//! percentage it is rounded up against the expected count. `maxUnavailable`
//! (integer, or a percentage rounded up) is subtracted from the expected
//! count. In a dry run the expected count is the number of pods the
//! controllers want, which is the number of pods the run made for them.

use super::cluster::Cluster;
use super::selector::LabelSelector;
use crate::yaml::Value;

/// An integer or a percentage (`intstr.IntOrString`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

impl IntOrPercent {
    pub fn from_value(v: &Value) -> Option<IntOrPercent> {
        match v {
            Value::Int(i) => Some(IntOrPercent::Int(*i)),
            Value::String(s) => match s.strip_suffix('%') {
                Some(p) => p.parse().ok().map(IntOrPercent::Percent),
                None => s.parse().ok().map(IntOrPercent::Int),
            },
            _ => None,
        }
    }

    /// The value against `total`, percentages rounded up.
    pub fn scaled_up(self, total: i64) -> i64 {
        match self {
            IntOrPercent::Int(i) => i,
            IntOrPercent::Percent(p) => (p * total + 99) / 100,
        }
    }

    pub fn display(self) -> String {
        match self {
            IntOrPercent::Int(i) => i.to_string(),
            IntOrPercent::Percent(p) => format!("{p}%"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Budget {
    pub name: String,
    pub namespace: String,
    /// A nil or empty selector matches no pod (policy/v1).
    pub selector: LabelSelector,
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

impl Budget {
    pub fn from_value(v: &Value) -> Option<Budget> {
        let name = v.pointer("/metadata/name")?.as_str()?.to_owned();
        let namespace = v
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_owned();
        let mut selector = LabelSelector::from_value(v.pointer("/spec/selector"));
        if selector.is_everything() {
            selector = LabelSelector::Nothing;
        }
        Some(Budget {
            name,
            namespace,
            selector,
            min_available: v
                .pointer("/spec/minAvailable")
                .and_then(IntOrPercent::from_value),
            max_unavailable: v
                .pointer("/spec/maxUnavailable")
                .and_then(IntOrPercent::from_value),
        })
    }

    pub fn covers(&self, namespace: &str, labels: &super::selector::Labels) -> bool {
        self.namespace == namespace && self.selector.matches(labels)
    }

    /// `desiredHealthy` for `expected` pods.
    pub fn desired_healthy(&self, expected: i64) -> i64 {
        match (self.min_available, self.max_unavailable) {
            (_, Some(max)) => (expected - max.scaled_up(expected)).max(0),
            (Some(min), None) => min.scaled_up(expected),
            // Neither set: the controller protects nothing.
            (None, None) => 0,
        }
    }

    /// `disruptionsAllowed` given how many covered pods are healthy.
    pub fn allowed(&self, healthy: i64, expected: i64) -> i64 {
        (healthy - self.desired_healthy(expected)).max(0)
    }

    /// Covered pods in the run (expected) and bound ones (healthy).
    pub fn counts(&self, cluster: &Cluster) -> (i64, i64) {
        let mut expected = 0;
        let mut healthy = 0;
        for (id, p) in cluster.pods.iter().enumerate() {
            if self.covers(&p.namespace, &p.labels) {
                expected += 1;
                if cluster.bound[id].is_some() {
                    healthy += 1;
                }
            }
        }
        (expected, healthy)
    }

    /// `disruptionsAllowed` in the cluster's current state.
    pub fn allowed_now(&self, cluster: &Cluster) -> i64 {
        let (expected, healthy) = self.counts(cluster);
        self.allowed(healthy, expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(min: Option<IntOrPercent>, max: Option<IntOrPercent>) -> Budget {
        Budget {
            name: "b".into(),
            namespace: "default".into(),
            selector: LabelSelector::everything(),
            min_available: min,
            max_unavailable: max,
        }
    }

    #[test]
    fn arithmetic_follows_the_disruption_controller() {
        use IntOrPercent::*;
        // ZooKeeper seed: 3 replicas, minAvailable 2 => 1 disruption allowed.
        assert_eq!(budget(Some(Int(2)), None).allowed(3, 3), 1);
        // minAvailable equal to replicas: nothing may be evicted.
        assert_eq!(budget(Some(Int(3)), None).allowed(3, 3), 0);
        // 50% of 3 rounds up to 2.
        assert_eq!(budget(Some(Percent(50)), None).allowed(3, 3), 1);
        // maxUnavailable 25% of 5 rounds up to 2: desired 3.
        assert_eq!(budget(None, Some(Percent(25))).allowed(5, 5), 2);
        assert_eq!(budget(None, Some(Int(0))).allowed(5, 5), 0);
        // Unhealthy pods use up the budget first.
        assert_eq!(budget(Some(Int(2)), None).allowed(2, 3), 0);
    }

    #[test]
    fn reads_int_or_percent() {
        assert_eq!(
            IntOrPercent::from_value(&Value::from("30%")),
            Some(IntOrPercent::Percent(30))
        );
        assert_eq!(
            IntOrPercent::from_value(&Value::Int(2)),
            Some(IntOrPercent::Int(2))
        );
        assert_eq!(IntOrPercent::from_value(&Value::from("x")), None);
    }
}
