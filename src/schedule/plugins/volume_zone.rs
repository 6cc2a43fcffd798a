//! VolumeZone: a pod whose bound volumes carry zone or region labels
//! (`topology.kubernetes.io/zone`, `.../region`, or the legacy
//! `failure-domain.beta.kubernetes.io/*`; several values joined by `__`) fits
//! only nodes in those zones and regions. Nodes without any zone or region
//! label pass (single-zone clusters). UnschedulableAndUnresolvable,
//! `node(s) had no available volume zone`.

use std::collections::BTreeSet;

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreFilter, StateData, Status, state};

pub const ERR_REASON: &str = "node(s) had no available volume zone";

const TOPOLOGY_LABELS: [&str; 4] = [
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
];

/// The GA label for a legacy one.
fn ga(key: &str) -> &str {
    match key {
        "failure-domain.beta.kubernetes.io/zone" => "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region" => "topology.kubernetes.io/region",
        other => other,
    }
}

pub struct VolumeZone;

/// (label key, allowed values) from the pod's bound volumes.
type Topologies = Vec<(String, BTreeSet<String>)>;

impl Plugin for VolumeZone {
    fn name(&self) -> &'static str {
        "VolumeZone"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let storage = &cx.cluster.storage;
        let mut topologies: Topologies = Vec::new();
        for claim in cx.pod.claims() {
            let Some(bound) = storage
                .claims
                .get(&(cx.pod.namespace.clone(), claim.to_owned()))
                .and_then(|c| c.bound.as_ref())
            else {
                continue;
            };
            let Some(pv) = storage.volumes.iter().find(|v| &v.name == bound) else {
                continue;
            };
            for key in TOPOLOGY_LABELS {
                if let Some(v) = pv.labels.get(key) {
                    topologies.push((key.to_owned(), v.split("__").map(str::to_owned).collect()));
                }
            }
        }
        if topologies.is_empty() {
            PreFilter::Skip
        } else {
            PreFilter::state(topologies)
        }
    }

    fn filter(&self, cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let Some(topologies) = state::<Topologies>(st) else {
            return Status::success();
        };
        let node = cx.node(info);
        if !TOPOLOGY_LABELS.iter().any(|k| node.labels.contains_key(*k)) {
            return Status::success();
        }
        for (key, values) in topologies {
            let v = node.labels.get(key).or_else(|| node.labels.get(ga(key)));
            if !v.is_some_and(|v| values.contains(v)) {
                return Status::unresolvable(ERR_REASON);
            }
        }
        Status::success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, filter_all, yaml};
    use crate::schedule::plugins::volume_binding::{Claim, PersistentVolume};

    /// After upstream's `TestSingleZone` and `TestMultiZone`
    /// (volumezone/volume_zone_test.go): a bound volume labelled with a
    /// zone, a multi-zone label, a legacy label against a GA node label, and
    /// a node without zone labels.
    #[test]
    fn zones_of_bound_volumes() {
        let pv = |name: &str, labels: &str| {
            PersistentVolume::from_value(&yaml(&format!(
                "metadata: {{name: {name}, labels: {labels}}}\nspec: {{capacity: {{storage: 1Gi}}}}"
            )))
            .unwrap_or_default()
        };
        let nodes = vec![
            NodeBuilder::new("a")
                .label("topology.kubernetes.io/zone", "us-west1-a")
                .build(),
            NodeBuilder::new("b")
                .label("topology.kubernetes.io/zone", "us-west1-b")
                .build(),
            NodeBuilder::new("plain").build(),
        ];
        let run = |volume: PersistentVolume| {
            let mut c = cluster(nodes.clone(), vec![]);
            let mut claim = Claim::from_value(&yaml("spec: {}"), "default", "data");
            claim.bound = Some(volume.name.clone());
            c.storage.add_claim(claim);
            c.storage.volumes.push(volume);
            let pod = PodBuilder::spec(
                "p",
                &[],
                "volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]",
            )
            .build();
            filter_all(&VolumeZone, &c, &pod)
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.is_success())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run(pv("v1", "{topology.kubernetes.io/zone: us-west1-a}")),
            [true, false, true]
        );
        assert_eq!(
            run(pv(
                "v2",
                "{topology.kubernetes.io/zone: us-west1-a__us-west1-b}"
            )),
            [true, true, true]
        );
        assert_eq!(
            run(pv(
                "v3",
                "{failure-domain.beta.kubernetes.io/zone: us-west1-b}"
            )),
            [false, true, true]
        );
        assert_eq!(run(pv("v4", "{}")), [true, true, true]);
    }
}
