//! NodeVolumeLimits (Filter, CSI attach limits): a node takes no more
//! volumes of a CSI driver than its limit, `CSINode`
//! `spec.drivers[].allocatable.count`, or else the node's allocatable
//! `attachable-volumes-csi-<driver>`. A node without either has no limit.
//!
//! The pod's claims (persistent and generic ephemeral) count one volume each:
//! a bound claim by its volume's `csi.driver` and `csi.volumeHandle`, an
//! unbound one (or one bound to a volume drydock provisioned) by its
//! StorageClass's provisioner. Volumes the node's pods already use count
//! once however many pods share them. Over the limit the node is rejected
//! with Unschedulable `node(s) exceed max volume count`, so preemption may
//! free it. In-tree volumes migrated to CSI drivers are not counted.

use std::collections::BTreeMap;

use crate::schedule::cluster::{Cluster, NodeInfo};
use crate::schedule::framework::{Cycle, Plugin, PreFilter, StateData, Status, state};
use crate::schedule::selector::scalar_string;
use crate::schedule::types::Pod;
use crate::yaml::Value;

pub const ERR_REASON_MAX_VOLUME_COUNT: &str = "node(s) exceed max volume count";

/// The prefix of a node's allocatable key for a CSI driver's limit
/// (`GetCSIAttachLimitKey`, for names that keep the key under 63 bytes).
const LIMIT_KEY_PREFIX: &str = "attachable-volumes-csi-";

/// A `CSINode`: the drivers on a node and their attach limits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsiNode {
    pub node: String,
    /// Driver name and `allocatable.count`, when given.
    pub drivers: Vec<(String, Option<i64>)>,
}

impl CsiNode {
    pub fn from_value(v: &Value) -> Option<CsiNode> {
        let node = v.pointer("/metadata/name").and_then(scalar_string)?;
        let drivers = v
            .pointer("/spec/drivers")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| {
                let name = d.get("name").and_then(scalar_string)?;
                let count = d.pointer("/allocatable/count").and_then(Value::as_i64);
                Some((name, count))
            })
            .collect();
        Some(CsiNode { node, drivers })
    }
}

pub struct NodeVolumeLimits;

/// The pod's claims, resolved once per cycle: volume (`driver/handle`) to
/// driver.
#[derive(Clone)]
struct State {
    volumes: BTreeMap<String, String>,
}

/// The attachable volumes of `pod`'s claims: `driver/handle` to driver.
/// Claims that do not exist, or whose driver is unknown, do not count.
fn attachable(cluster: &Cluster, pod: &Pod, out: &mut BTreeMap<String, String>) {
    let storage = &cluster.storage;
    for claim in pod.claims() {
        let Some(c) = storage
            .claims
            .get(&(pod.namespace.clone(), claim.to_owned()))
        else {
            continue;
        };
        let volume = c.bound.as_deref().and_then(|pv| storage.volume(pv));
        let by_class = || {
            // As upstream for a claim not bound yet: the class's
            // provisioner, and a handle of the claim's own.
            storage.classes.get(&c.class).map(|sc| {
                (
                    sc.provisioner.clone(),
                    format!("{}/{}", c.namespace, c.name),
                )
            })
        };
        let found = match volume {
            Some(v) if v.provisioned => by_class(),
            Some(v) => v.csi.clone(),
            None => by_class(),
        };
        if let Some((driver, handle)) = found.filter(|(d, h)| !d.is_empty() && !h.is_empty()) {
            out.insert(format!("{driver}/{handle}"), driver);
        }
    }
}

/// The node's limit per driver: its allocatable keys, then its CSINode.
fn limits(cluster: &Cluster, info: &NodeInfo) -> BTreeMap<String, i64> {
    let node = &cluster.nodes[info.node];
    let mut out: BTreeMap<String, i64> = node
        .allocatable_list
        .iter()
        .filter_map(|(k, q)| {
            let driver = k.strip_prefix(LIMIT_KEY_PREFIX)?;
            Some((
                driver.to_owned(),
                i64::try_from(q.value()).unwrap_or(i64::MAX),
            ))
        })
        .collect();
    if let Some(csi) = cluster.storage.csi_nodes.get(&node.name) {
        for (driver, count) in &csi.drivers {
            if let Some(count) = count {
                out.insert(driver.clone(), *count);
            }
        }
    }
    out
}

impl Plugin for NodeVolumeLimits {
    fn name(&self) -> &'static str {
        "NodeVolumeLimits"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        if cx.pod.claims().next().is_none() {
            return PreFilter::Skip;
        }
        let mut volumes = BTreeMap::new();
        attachable(cx.cluster, cx.pod, &mut volumes);
        PreFilter::state(State { volumes })
    }

    fn filter(&self, cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let Some(s) = state::<State>(st) else {
            return Status::success();
        };
        if s.volumes.is_empty() {
            return Status::success();
        }
        let limits = limits(cx.cluster, info);
        if limits.is_empty() {
            return Status::success();
        }
        let mut attached = BTreeMap::new();
        for &id in &info.pods {
            attachable(cx.cluster, &cx.cluster.pods[id], &mut attached);
        }
        let mut in_use: BTreeMap<&str, i64> = BTreeMap::new();
        for driver in attached.values() {
            *in_use.entry(driver).or_default() += 1;
        }
        let mut new: BTreeMap<&str, i64> = BTreeMap::new();
        for (volume, driver) in &s.volumes {
            if !attached.contains_key(volume) {
                *new.entry(driver).or_default() += 1;
            }
        }
        let over = new.iter().any(|(driver, count)| {
            limits
                .get(*driver)
                .is_some_and(|max| in_use.get(driver).copied().unwrap_or(0) + count > *max)
        });
        if over {
            Status::unschedulable(ERR_REASON_MAX_VOLUME_COUNT)
        } else {
            Status::success()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::{Code, Version};
    use crate::schedule::plugins::testing::{
        NodeBuilder, PodBuilder, cluster, filter_all, schedule, yaml,
    };
    use crate::schedule::plugins::volume_binding::{
        Claim, PersistentVolume, Storage, StorageClass,
    };
    use crate::schedule::types::Node;

    const EBS: &str = "ebs.csi.aws.com";

    fn node(name: &str, alloc: &[(&str, &str)]) -> Node {
        let mut pairs = vec![("cpu", "4"), ("memory", "8Gi"), ("pods", "10")];
        pairs.extend_from_slice(alloc);
        NodeBuilder::new(name)
            .label("kubernetes.io/hostname", name)
            .alloc(&pairs)
            .build()
    }

    /// A pod mounting `claims`.
    fn pod(name: &str, claims: &[&str]) -> Pod {
        let volumes: Vec<String> = claims
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{{name: v{i}, persistentVolumeClaim: {{claimName: {c}}}}}"))
            .collect();
        PodBuilder::spec(name, &[], &format!("volumes: [{}]", volumes.join(", "))).build()
    }

    /// A claim bound to a CSI volume of `driver` with handle `handle`.
    fn bound(storage: &mut Storage, claim: &str, driver: &str, handle: &str) {
        let pv = format!("pv-{claim}");
        storage.volumes.push(
            PersistentVolume::from_value(&yaml(&format!(
                "metadata: {{name: {pv}}}\nspec: {{capacity: {{storage: 1Gi}}, accessModes: [ReadWriteOnce], csi: {{driver: {driver}, volumeHandle: {handle}}}}}\n"
            )))
            .unwrap_or_default(),
        );
        let mut c = Claim::from_value(
            &yaml("spec: {accessModes: [ReadWriteOnce]}"),
            "default",
            claim,
        );
        c.bound = Some(pv);
        storage.add_claim(c);
    }

    fn csi_node(text: &str) -> CsiNode {
        CsiNode::from_value(&yaml(text)).unwrap_or_default()
    }

    /// Two nodes; node-1 runs `existing` (mounting claim `a`).
    fn setup(limit_1: &str, limit_2: &str) -> Cluster {
        let mut c = cluster(
            vec![node("node-1", &[]), node("node-2", &[])],
            vec![(pod("existing", &["a"]), "node-1")],
        );
        bound(&mut c.storage, "a", EBS, "vol-a");
        bound(&mut c.storage, "b", EBS, "vol-b");
        for (n, limit) in [("node-1", limit_1), ("node-2", limit_2)] {
            let n = csi_node(&format!(
                "metadata: {{name: {n}}}\nspec: {{drivers: [{{name: {EBS}, nodeID: {n}, allocatable: {{count: {limit}}}}}]}}\n"
            ));
            c.storage.csi_nodes.insert(n.node.clone(), n);
        }
        c
    }

    fn verdicts(c: &Cluster, p: &Pod) -> Vec<String> {
        filter_all(&NodeVolumeLimits, c, p)
            .unwrap_or_default()
            .iter()
            .map(|s| match s.code {
                Code::Success => "ok".to_owned(),
                Code::Unschedulable => format!("U: {}", s.message()),
                other => format!("{other:?}: {}", s.message()),
            })
            .collect()
    }

    /// The CSINode limit is reached on node-1 by the volume its pod uses.
    #[test]
    fn a_full_node_is_unschedulable() {
        let c = setup("1", "1");
        assert_eq!(
            verdicts(&c, &pod("new", &["b"])),
            ["U: node(s) exceed max volume count", "ok"]
        );
    }

    /// A volume already attached counts once, however many pods use it.
    #[test]
    fn a_shared_volume_counts_once() {
        let c = setup("1", "1");
        assert_eq!(verdicts(&c, &pod("new", &["a"])), ["ok", "ok"]);
    }

    /// Room for the second volume: the limit is 2.
    #[test]
    fn below_the_limit() {
        let c = setup("2", "0");
        assert_eq!(
            verdicts(&c, &pod("new", &["b"])),
            ["ok", "U: node(s) exceed max volume count"]
        );
    }

    /// Without a CSINode the node's allocatable key is the limit; a
    /// CSINode's count replaces it.
    #[test]
    fn the_allocatable_key_and_the_csinode_count() {
        let key = format!("{LIMIT_KEY_PREFIX}{EBS}");
        let mut c = cluster(
            vec![
                node("node-1", &[(&key, "1")]),
                node("node-2", &[(&key, "1")]),
            ],
            vec![
                (pod("existing", &["a"]), "node-1"),
                (pod("other", &["c"]), "node-2"),
            ],
        );
        bound(&mut c.storage, "a", EBS, "vol-a");
        bound(&mut c.storage, "b", EBS, "vol-b");
        bound(&mut c.storage, "c", EBS, "vol-c");
        let n = csi_node(&format!(
            "metadata: {{name: node-2}}\nspec: {{drivers: [{{name: {EBS}, nodeID: i-2, allocatable: {{count: 3}}}}]}}\n"
        ));
        c.storage.csi_nodes.insert(n.node.clone(), n);
        assert_eq!(
            verdicts(&c, &pod("new", &["b"])),
            ["U: node(s) exceed max volume count", "ok"]
        );
    }

    /// Another driver's volumes do not count against the limit, and a node
    /// with no limit for the driver takes any number.
    #[test]
    fn limits_are_per_driver() {
        let mut c = setup("1", "1");
        bound(&mut c.storage, "disk", "disk.csi.azure.com", "d-1");
        assert_eq!(verdicts(&c, &pod("new", &["disk"])), ["ok", "ok"]);
    }

    /// An unbound claim counts for its class's provisioner; with a limit of
    /// 0 everywhere the pod stays Pending, and preemption finds no victim.
    #[test]
    fn an_unbound_claim_counts_by_its_provisioner() {
        let mut c = setup("0", "0");
        c.storage.classes.insert(
            "gp3".into(),
            StorageClass::from_value(&yaml(&format!(
                "metadata: {{name: gp3}}\nprovisioner: {EBS}\nvolumeBindingMode: WaitForFirstConsumer\n"
            )))
            .unwrap_or_default(),
        );
        c.storage.add_claim(Claim::from_value(
            &yaml("spec: {storageClassName: gp3, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"),
            "default",
            "fresh",
        ));
        assert_eq!(
            schedule(&c, &pod("new", &["fresh"]), Version::DEFAULT),
            Err("0/2 nodes are available: 2 node(s) exceed max volume count. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.".into())
        );
    }

    /// A pod without claims skips the plugin; one whose claims have no CSI
    /// driver passes everywhere.
    #[test]
    fn pods_without_csi_volumes() {
        let mut c = setup("0", "0");
        assert!(matches!(
            NodeVolumeLimits.pre_filter(&Cycle {
                cluster: &c,
                pod: &PodBuilder::new("plain").build(),
                version: Version::DEFAULT,
            }),
            PreFilter::Skip
        ));
        let mut local = Claim::from_value(
            &yaml("spec: {accessModes: [ReadWriteOnce]}"),
            "default",
            "local",
        );
        local.bound = Some("pv-local".into());
        c.storage.add_claim(local);
        c.storage.volumes.push(PersistentVolume {
            name: "pv-local".into(),
            ..Default::default()
        });
        assert_eq!(verdicts(&c, &pod("new", &["local"])), ["ok", "ok"]);
    }

    #[test]
    fn csinode_from_yaml() {
        assert_eq!(
            csi_node(
                "metadata: {name: n1}\nspec:\n  drivers:\n  - {name: a.csi, nodeID: x, allocatable: {count: 25}}\n  - {name: b.csi, nodeID: x}\n"
            ),
            CsiNode {
                node: "n1".into(),
                drivers: vec![("a.csi".into(), Some(25)), ("b.csi".into(), None)],
            }
        );
    }
}
