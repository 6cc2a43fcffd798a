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
//! free it.
//!
//! Volumes of the in-tree plugins whose migration to CSI is GA (AWS EBS, GCE
//! PD, Azure Disk, Cinder) count under their CSI driver, on nodes that have
//! a `CSINode`: a persistent volume by its translated handle, a class with
//! the in-tree provisioner by the driver's name. On a node without one they
//! do not count, as upstream.

use std::collections::BTreeMap;

use crate::schedule::cluster::{Cluster, NodeInfo};
use crate::schedule::framework::{Cycle, Plugin, PreFilter, StateData, Status, state};
use crate::schedule::selector::{Labels, scalar_string};
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

/// The in-tree plugins migrated to CSI drivers (GA), by provisioner name.
const MIGRATED: [(&str, &str); 4] = [
    ("kubernetes.io/aws-ebs", "ebs.csi.aws.com"),
    ("kubernetes.io/gce-pd", "pd.csi.storage.gke.io"),
    ("kubernetes.io/azure-disk", "disk.csi.azure.com"),
    ("kubernetes.io/cinder", "cinder.csi.openstack.org"),
];

/// The CSI driver an in-tree provisioner was migrated to.
fn migrated_driver(provisioner: &str) -> Option<&'static str> {
    MIGRATED
        .iter()
        .find(|(p, _)| *p == provisioner)
        .map(|(_, d)| *d)
}

/// A persistent volume's in-tree source as its CSI driver and volume
/// handle, translated as csi-translation-lib does: the EBS volume ID
/// without its `aws://zone/` prefix, the GCE disk under its zone (or region,
/// for a disk in two zones) from the volume's labels, the Azure disk URI,
/// the Cinder volume ID.
pub fn translate_in_tree(spec: &Value, labels: &Labels) -> Option<(String, String)> {
    let field = |source: &str, key: &str| {
        spec.get(source)
            .and_then(|s| s.get(key))
            .and_then(scalar_string)
    };
    if let Some(id) = field("awsElasticBlockStore", "volumeID") {
        let id = match id.strip_prefix("aws://") {
            Some(rest) => rest.rsplit('/').next().unwrap_or(rest).to_owned(),
            None => id,
        };
        return Some(("ebs.csi.aws.com".into(), id));
    }
    if let Some(pd) = field("gcePersistentDisk", "pdName") {
        let zone = [
            "topology.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/zone",
        ]
        .iter()
        .find_map(|k| labels.get(*k));
        let handle = match zone {
            Some(z) if z.contains("__") => {
                // A regional disk: its region is the zones' name less the
                // last dash-separated part.
                let first = z.split("__").next().unwrap_or(z);
                let region = first.rsplit_once('-').map_or(first, |(r, _)| r);
                format!("projects/UNSPECIFIED/regions/{region}/disks/{pd}")
            }
            Some(z) => format!("projects/UNSPECIFIED/zones/{z}/disks/{pd}"),
            None => format!("projects/UNSPECIFIED/zones/UNSPECIFIED/disks/{pd}"),
        };
        return Some(("pd.csi.storage.gke.io".into(), handle));
    }
    if let Some(uri) = field("azureDisk", "diskURI") {
        return Some(("disk.csi.azure.com".into(), uri));
    }
    if let Some(id) = field("cinder", "volumeID") {
        return Some(("cinder.csi.openstack.org".into(), id));
    }
    None
}

pub struct NodeVolumeLimits;

/// A volume a pod attaches: its driver, and whether it comes from an
/// in-tree plugin (it counts only on nodes with a `CSINode`).
#[derive(Clone, Debug, PartialEq)]
struct Attached {
    driver: String,
    migrated: bool,
}

/// The pod's claims, resolved once per cycle: volume (`driver/handle`) to
/// driver.
#[derive(Clone)]
struct State {
    volumes: BTreeMap<String, Attached>,
}

/// The attachable volumes of `pod`'s claims, by `driver/handle`. Claims
/// that do not exist, or whose driver is unknown, do not count.
fn attachable(cluster: &Cluster, pod: &Pod, out: &mut BTreeMap<String, Attached>) {
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
            // provisioner (or the driver an in-tree one migrated to), and a
            // handle of the claim's own.
            storage.classes.get(&c.class).map(|sc| {
                let handle = format!("{}/{}", c.namespace, c.name);
                match migrated_driver(&sc.provisioner) {
                    Some(driver) => (driver.to_owned(), handle, true),
                    None => (sc.provisioner.clone(), handle, false),
                }
            })
        };
        let found = match volume {
            Some(v) if v.provisioned => by_class(),
            Some(v) => match (&v.csi, &v.in_tree) {
                (Some((d, h)), _) => Some((d.clone(), h.clone(), false)),
                (None, Some((d, h))) => Some((d.clone(), h.clone(), true)),
                (None, None) => None,
            },
            None => by_class(),
        };
        if let Some((driver, handle, migrated)) =
            found.filter(|(d, h, _)| !d.is_empty() && !h.is_empty())
        {
            out.insert(format!("{driver}/{handle}"), Attached { driver, migrated });
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
        // Migrated in-tree volumes count only where the node has a CSINode.
        let has_csi_node = cx
            .cluster
            .storage
            .csi_nodes
            .contains_key(&cx.cluster.nodes[info.node].name);
        let counts = |a: &Attached| has_csi_node || !a.migrated;
        let mut attached = BTreeMap::new();
        for &id in &info.pods {
            attachable(cx.cluster, &cx.cluster.pods[id], &mut attached);
        }
        let mut in_use: BTreeMap<&str, i64> = BTreeMap::new();
        for a in attached.values().filter(|a| counts(a)) {
            *in_use.entry(&a.driver).or_default() += 1;
        }
        let mut new: BTreeMap<&str, i64> = BTreeMap::new();
        for (volume, a) in &s.volumes {
            if counts(a) && !attached.contains_key(volume) {
                *new.entry(&a.driver).or_default() += 1;
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
        bound_to(
            storage,
            claim,
            &format!("csi: {{driver: {driver}, volumeHandle: {handle}}}"),
        );
    }

    /// A claim bound to a volume with the given source (a flow mapping entry).
    fn bound_to(storage: &mut Storage, claim: &str, source: &str) {
        let pv = format!("pv-{claim}");
        storage.volumes.push(
            PersistentVolume::from_value(&yaml(&format!(
                "metadata: {{name: {pv}}}\nspec: {{capacity: {{storage: 1Gi}}, accessModes: [ReadWriteOnce], {source}}}\n"
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

    /// `translate_in_tree`, after csi-translation-lib's tables.
    #[test]
    fn in_tree_sources_translate_to_csi() {
        // Volume source, volume labels, and the driver and handle.
        type Case = (
            &'static str,
            &'static str,
            Option<(&'static str, &'static str)>,
        );
        let cases: &[Case] = &[
            (
                "{awsElasticBlockStore: {volumeID: 'aws://us-east-1a/vol-0abc'}}",
                "{}",
                Some((EBS, "vol-0abc")),
            ),
            (
                "{awsElasticBlockStore: {volumeID: vol-0abc}}",
                "{}",
                Some((EBS, "vol-0abc")),
            ),
            (
                "{gcePersistentDisk: {pdName: data}}",
                "{topology.kubernetes.io/zone: europe-west1-b}",
                Some((
                    "pd.csi.storage.gke.io",
                    "projects/UNSPECIFIED/zones/europe-west1-b/disks/data",
                )),
            ),
            (
                "{gcePersistentDisk: {pdName: data}}",
                "{failure-domain.beta.kubernetes.io/zone: europe-west1-b__europe-west1-c}",
                Some((
                    "pd.csi.storage.gke.io",
                    "projects/UNSPECIFIED/regions/europe-west1/disks/data",
                )),
            ),
            (
                "{gcePersistentDisk: {pdName: data}}",
                "{}",
                Some((
                    "pd.csi.storage.gke.io",
                    "projects/UNSPECIFIED/zones/UNSPECIFIED/disks/data",
                )),
            ),
            (
                "{azureDisk: {diskName: d, diskURI: /subscriptions/s/disks/d}}",
                "{}",
                Some(("disk.csi.azure.com", "/subscriptions/s/disks/d")),
            ),
            (
                "{cinder: {volumeID: 7f3c}}",
                "{}",
                Some(("cinder.csi.openstack.org", "7f3c")),
            ),
            ("{nfs: {server: s, path: /x}}", "{}", None),
        ];
        for (spec, labels, want) in cases {
            let labels = crate::schedule::selector::labels_of(Some(&yaml(labels)));
            let got = translate_in_tree(&yaml(spec), &labels);
            let want = want.map(|(d, h)| (d.to_owned(), h.to_owned()));
            assert_eq!(got, want, "{spec} {labels:?}");
        }
    }

    /// A claim bound to an in-tree EBS volume counts under the EBS driver
    /// on a node with a CSINode; node-2 has none (its limit is the
    /// allocatable key), so the migrated volumes do not count there.
    #[test]
    fn migrated_volumes_count_on_nodes_with_a_csinode() {
        let key = format!("{LIMIT_KEY_PREFIX}{EBS}");
        let mut c = cluster(
            vec![node("node-1", &[]), node("node-2", &[(&key, "1")])],
            vec![
                (pod("existing", &["a"]), "node-1"),
                (pod("other", &["c"]), "node-2"),
            ],
        );
        for claim in ["a", "b", "c"] {
            bound_to(
                &mut c.storage,
                claim,
                &format!("awsElasticBlockStore: {{volumeID: 'aws://eu-1a/vol-{claim}'}}"),
            );
        }
        let n = csi_node(&format!(
            "metadata: {{name: node-1}}\nspec: {{drivers: [{{name: {EBS}, nodeID: i-1, allocatable: {{count: 1}}}}]}}\n"
        ));
        c.storage.csi_nodes.insert(n.node.clone(), n);
        assert_eq!(
            verdicts(&c, &pod("new", &["b"])),
            ["U: node(s) exceed max volume count", "ok"]
        );
        // The volume node-1 already has counts once.
        assert_eq!(verdicts(&c, &pod("again", &["a"])), ["ok", "ok"]);
    }

    /// An unbound claim of a class with the in-tree EBS provisioner counts
    /// under the EBS CSI driver.
    #[test]
    fn an_in_tree_provisioner_counts_under_its_driver() {
        let mut c = setup("1", "2");
        c.storage.classes.insert(
            "gp2".into(),
            StorageClass::from_value(&yaml(
                "metadata: {name: gp2}\nprovisioner: kubernetes.io/aws-ebs\nvolumeBindingMode: WaitForFirstConsumer\n",
            ))
            .unwrap_or_default(),
        );
        c.storage.add_claim(Claim::from_value(
            &yaml("spec: {storageClassName: gp2, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"),
            "default",
            "fresh",
        ));
        assert_eq!(
            verdicts(&c, &pod("new", &["fresh"])),
            ["U: node(s) exceed max volume count", "ok"]
        );
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
