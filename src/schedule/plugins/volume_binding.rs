//! VolumeBinding, with the PersistentVolume controller's part of binding.
//!
//! Before scheduling, claims of `Immediate` classes (and claims without a
//! class) are bound as the PV controller binds them: a claim that names its
//! volume gets it; otherwise the smallest available volume of the same class
//! with enough capacity, the requested access modes, the same volume mode and
//! labels matching the claim's selector; otherwise a class with a provisioner
//! provisions one (never for a claim with a selector).
//!
//! PreFilter skips pods without claims; a claim that does not exist rejects
//! the pod (`persistentvolumeclaim "<name>" not found`), and so does an
//! `Immediate` claim left unbound (`pod has unbound immediate
//! PersistentVolumeClaims`), both UnschedulableAndUnresolvable.
//!
//! Filter (UnschedulableAndUnresolvable, every failing reason): a bound
//! volume whose node affinity the node does not match (`node(s) had volume
//! node affinity conflict`, from v1.33 `node(s) didn't match
//! PersistentVolume's node affinity`); a `WaitForFirstConsumer` claim with no
//! matching volume usable from the node and no way to provision one there
//! (`node(s) didn't find available persistent volumes to bind`: the class has
//! no provisioner, or its `allowedTopologies` exclude the node); a claim
//! bound to a volume that does not exist (`node(s) unavailable due to one or
//! more pvc(s) bound to non-existent pv(s)`). A claim to provision whose
//! driver's `CSIDriver` has `storageCapacity: true` also needs a
//! `CSIStorageCapacity` of its class whose `nodeTopology` matches the node
//! and whose `maximumVolumeSize` (or else `capacity`) holds the request
//! (`node(s) did not have enough free storage`); as upstream, the capacities
//! are a snapshot that provisioning does not draw down.
//!
//! When the pod is bound, its `WaitForFirstConsumer` claims are bound to the
//! volumes chosen for the node, or provisioned there; a provisioned volume
//! is pinned to the node's zone when the node has one.

use std::collections::{BTreeMap, BTreeSet};

use crate::resource::quantity::Quantity;
use crate::schedule::cluster::{Cluster, NodeInfo};
use crate::schedule::framework::{Cycle, Plugin, PreFilter, StateData, Status, state};
use crate::schedule::selector::{
    LabelSelector, Labels, NodeSelector, NodeSelectorTerm, Op, Requirement, labels_of,
    scalar_string,
};
use crate::schedule::types::{Node, Pod};
use crate::yaml::Value;

pub const ERR_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
pub const ERR_PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
pub const ERR_NOT_ENOUGH_SPACE: &str = "node(s) did not have enough free storage";
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// The node-affinity conflict reason of the release.
pub fn node_conflict_reason(minor: u32) -> &'static str {
    if minor >= 33 {
        "node(s) didn't match PersistentVolume's node affinity"
    } else {
        "node(s) had volume node affinity conflict"
    }
}

/// `kubernetes.io/no-provisioner`: a class for statically created volumes.
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

#[derive(Clone, Debug, Default)]
pub struct StorageClass {
    pub name: String,
    pub provisioner: String,
    pub wait_for_first_consumer: bool,
    pub is_default: bool,
    /// `allowedTopologies`: any term must match the node.
    pub allowed_topologies: Vec<NodeSelectorTerm>,
}

impl StorageClass {
    pub fn from_value(v: &Value) -> Option<StorageClass> {
        let name = v.pointer("/metadata/name").and_then(scalar_string)?;
        let annotations = labels_of(v.pointer("/metadata/annotations"));
        let is_default = [
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|k| annotations.get(*k).map(String::as_str) == Some("true"));
        let allowed_topologies = v
            .get("allowedTopologies")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|t| NodeSelectorTerm {
                expressions: Some(
                    t.get("matchLabelExpressions")
                        .and_then(Value::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| {
                            let key = e.get("key").and_then(scalar_string)?;
                            let values: Vec<String> = e
                                .get("values")
                                .and_then(Value::as_seq)
                                .unwrap_or_default()
                                .iter()
                                .filter_map(scalar_string)
                                .collect();
                            Some(Requirement {
                                key,
                                op: Op::In,
                                values,
                            })
                        })
                        .collect(),
                ),
                fields: Some(Vec::new()),
                empty: false,
            })
            .collect();
        Some(StorageClass {
            name,
            provisioner: v
                .get("provisioner")
                .and_then(scalar_string)
                .unwrap_or_default(),
            wait_for_first_consumer: v.get("volumeBindingMode").and_then(Value::as_str)
                == Some("WaitForFirstConsumer"),
            is_default,
            allowed_topologies,
        })
    }

    fn provisions(&self) -> bool {
        !self.provisioner.is_empty() && self.provisioner != NO_PROVISIONER
    }

    fn allows(&self, node: &Node) -> bool {
        self.allowed_topologies.is_empty()
            || self
                .allowed_topologies
                .iter()
                .any(|t| t.matches("", &node.labels))
    }
}

/// A `CSIStorageCapacity`: what a driver can still provision for a class on
/// the nodes its topology selects.
#[derive(Clone, Debug)]
pub struct StorageCapacity {
    pub class: String,
    /// `maximumVolumeSize` when given (it is the more precise), else
    /// `capacity`; bytes.
    pub limit: Option<i128>,
    pub node_topology: LabelSelector,
}

impl StorageCapacity {
    pub fn from_value(v: &Value) -> StorageCapacity {
        let bytes = |k: &str| {
            v.get(k)
                .and_then(|q| Quantity::from_value(q).ok())
                .map(Quantity::value)
        };
        StorageCapacity {
            class: v
                .get("storageClassName")
                .and_then(scalar_string)
                .unwrap_or_default(),
            limit: bytes("maximumVolumeSize").or_else(|| bytes("capacity")),
            node_topology: LabelSelector::from_value(v.get("nodeTopology")),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PersistentVolume {
    pub name: String,
    /// Bytes.
    pub capacity: i128,
    pub access_modes: Vec<String>,
    pub class: String,
    pub labels: Labels,
    pub node_affinity: Option<NodeSelector>,
    /// `claimRef` (namespace, name): reserved for, or bound to, that claim.
    pub claim_ref: Option<(String, String)>,
    pub volume_mode: String,
    /// Created by drydock for a provisioned claim.
    pub provisioned: bool,
    /// `csi`: the driver and the volume handle.
    pub csi: Option<(String, String)>,
    /// An in-tree source migrated to CSI: the driver and the translated
    /// handle ([`super::node_volume_limits::translate_in_tree`]).
    pub in_tree: Option<(String, String)>,
}

impl PersistentVolume {
    pub fn from_value(v: &Value) -> Option<PersistentVolume> {
        let name = v.pointer("/metadata/name").and_then(scalar_string)?;
        let spec = v.get("spec");
        let s = |k: &str| spec.and_then(|s| s.get(k));
        let labels = labels_of(v.pointer("/metadata/labels"));
        Some(PersistentVolume {
            name,
            capacity: s("capacity")
                .and_then(|c| c.get("storage"))
                .and_then(|q| Quantity::from_value(q).ok())
                .map_or(0, Quantity::value),
            access_modes: s("accessModes")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(scalar_string)
                .collect(),
            class: s("storageClassName")
                .and_then(scalar_string)
                .unwrap_or_default(),
            node_affinity: s("nodeAffinity")
                .and_then(|n| n.get("required"))
                .map(NodeSelector::from_value),
            claim_ref: s("claimRef").and_then(|c| {
                Some((
                    c.get("namespace")
                        .and_then(scalar_string)
                        .unwrap_or_else(|| "default".into()),
                    c.get("name").and_then(scalar_string)?,
                ))
            }),
            volume_mode: s("volumeMode")
                .and_then(scalar_string)
                .unwrap_or_else(|| "Filesystem".into()),
            provisioned: false,
            csi: s("csi").and_then(|c| {
                Some((
                    c.get("driver").and_then(scalar_string)?,
                    c.get("volumeHandle").and_then(scalar_string)?,
                ))
            }),
            in_tree: spec
                .and_then(|spec| super::node_volume_limits::translate_in_tree(spec, &labels)),
            labels,
        })
    }

    /// `CheckNodeAffinity`.
    pub fn node_matches(&self, node: &Node) -> bool {
        self.node_affinity
            .as_ref()
            .is_none_or(|a| a.matches(&node.name, &node.labels))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Claim {
    pub namespace: String,
    pub name: String,
    /// Bytes requested.
    pub request: i128,
    pub access_modes: Vec<String>,
    /// The class after defaulting; empty for "no class".
    pub class: String,
    pub selector: Option<LabelSelector>,
    pub volume_name: Option<String>,
    pub volume_mode: String,
    /// The volume it is bound to.
    pub bound: Option<String>,
}

impl Claim {
    /// Reads a claim (or a `volumeClaimTemplates` item, whose namespace is
    /// given); the default class is applied by [`Storage::add_claim`].
    pub fn from_value(v: &Value, namespace: &str, name: &str) -> Claim {
        let spec = v.get("spec");
        let s = |k: &str| spec.and_then(|s| s.get(k));
        Claim {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            request: s("resources")
                .and_then(|r| r.pointer("/requests/storage"))
                .and_then(|q| Quantity::from_value(q).ok())
                .map_or(0, Quantity::value),
            access_modes: s("accessModes")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(scalar_string)
                .collect(),
            class: s("storageClassName")
                .and_then(scalar_string)
                .unwrap_or_else(|| {
                    // Marks an omitted class for defaulting.
                    "\u{0}".into()
                }),
            selector: s("selector")
                .filter(|v| !v.is_null())
                .map(|v| LabelSelector::from_value(Some(v))),
            volume_name: s("volumeName")
                .and_then(scalar_string)
                .filter(|n| !n.is_empty()),
            volume_mode: s("volumeMode")
                .and_then(scalar_string)
                .unwrap_or_else(|| "Filesystem".into()),
            bound: None,
        }
    }

    fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }
}

/// Classes, volumes and claims of the run.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    pub classes: BTreeMap<String, StorageClass>,
    /// CSINode objects by node name (NodeVolumeLimits).
    pub csi_nodes: BTreeMap<String, super::node_volume_limits::CsiNode>,
    /// The CSIDriver objects' `storageCapacity`, by driver name.
    pub capacity_tracking: BTreeMap<String, bool>,
    pub capacities: Vec<StorageCapacity>,
    pub volumes: Vec<PersistentVolume>,
    pub claims: BTreeMap<(String, String), Claim>,
}

impl Storage {
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The default class (the last one marked default, as current releases
    /// pick the newest).
    fn default_class(&self) -> Option<&str> {
        self.classes
            .values()
            .rfind(|c| c.is_default)
            .map(|c| c.name.as_str())
    }

    /// `hasEnoughCapacity`: whether `class` can provision `claim` on
    /// `node`. Only drivers that track capacity are checked, and a claim
    /// without a storage request always fits.
    fn has_capacity(&self, class: &StorageClass, claim: &Claim, node: &Node) -> bool {
        if claim.request == 0 || self.capacity_tracking.get(&class.provisioner) != Some(&true) {
            return true;
        }
        self.capacities.iter().any(|c| {
            c.class == class.name
                && c.limit.is_some_and(|l| l >= claim.request)
                && c.node_topology.matches(&node.labels)
        })
    }

    /// Adds a claim, applying the default class to an omitted one.
    pub fn add_claim(&mut self, mut c: Claim) {
        if c.class == "\u{0}" {
            c.class = self.default_class().unwrap_or("").to_owned();
        }
        self.claims.insert(c.key(), c);
    }

    fn delayed(&self, c: &Claim) -> bool {
        !c.class.is_empty()
            && self
                .classes
                .get(&c.class)
                .is_some_and(|sc| sc.wait_for_first_consumer)
    }

    /// `FindMatchingVolume`: the smallest available volume for the claim,
    /// usable from `node` when given; `exclude` are volumes already chosen.
    fn find_volume(
        &self,
        c: &Claim,
        node: Option<&Node>,
        exclude: &BTreeSet<usize>,
    ) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, pv) in self.volumes.iter().enumerate() {
            if exclude.contains(&i) {
                continue;
            }
            let reserved_for_claim =
                pv.claim_ref.as_ref() == Some(&(c.namespace.clone(), c.name.clone()));
            if pv.claim_ref.is_some() && !reserved_for_claim {
                continue;
            }
            if pv.capacity < c.request || pv.volume_mode != c.volume_mode {
                continue;
            }
            let node_ok = node.is_none_or(|n| pv.node_matches(n));
            if reserved_for_claim {
                return node_ok.then_some(i);
            }
            if self.is_bound(i) {
                continue;
            }
            if c.selector.as_ref().is_some_and(|s| !s.matches(&pv.labels)) {
                continue;
            }
            if pv.class != c.class || !node_ok {
                continue;
            }
            if !c.access_modes.iter().all(|m| pv.access_modes.contains(m)) {
                continue;
            }
            if best.is_none_or(|b| self.volumes[b].capacity > pv.capacity) {
                best = Some(i);
            }
        }
        best
    }

    fn is_bound(&self, pv: usize) -> bool {
        let name = &self.volumes[pv].name;
        self.claims.values().any(|c| c.bound.as_ref() == Some(name))
    }

    /// The volume named `name`.
    pub fn volume(&self, name: &str) -> Option<&PersistentVolume> {
        self.volumes.iter().find(|v| v.name == name)
    }

    /// The PV controller's pass: binds pre-bound and `Immediate` claims.
    pub fn bind_immediate(&mut self) {
        let keys: Vec<(String, String)> = self.claims.keys().cloned().collect();
        for key in keys {
            let c = self.claims[&key].clone();
            if c.bound.is_some() {
                continue;
            }
            if let Some(name) = &c.volume_name {
                if self.volume(name).is_some() {
                    self.bind(&key, name.clone());
                }
                continue;
            }
            if self.delayed(&c) {
                continue;
            }
            if let Some(i) = self.find_volume(&c, None, &BTreeSet::new()) {
                let name = self.volumes[i].name.clone();
                self.bind(&key, name);
                continue;
            }
            let provisions = self
                .classes
                .get(&c.class)
                .is_some_and(StorageClass::provisions);
            if provisions && c.selector.is_none() {
                self.provision(&key, None);
            }
        }
    }

    fn bind(&mut self, key: &(String, String), volume: String) {
        if let Some(c) = self.claims.get_mut(key) {
            c.bound = Some(volume);
        }
    }

    fn provision(&mut self, key: &(String, String), node: Option<&Node>) {
        let Some(c) = self.claims.get(key).cloned() else {
            return;
        };
        let name = format!("pvc-{}-{}", c.namespace, c.name);
        let node_affinity = node.and_then(Node::zone).map(|z| NodeSelector {
            terms: vec![NodeSelectorTerm {
                expressions: Some(vec![Requirement::new(
                    "topology.kubernetes.io/zone",
                    Op::In,
                    &[z],
                )]),
                fields: Some(Vec::new()),
                empty: false,
            }],
        });
        self.volumes.push(PersistentVolume {
            name: name.clone(),
            capacity: c.request,
            access_modes: c.access_modes.clone(),
            class: c.class.clone(),
            labels: Labels::new(),
            node_affinity,
            claim_ref: Some(key.clone()),
            volume_mode: c.volume_mode.clone(),
            provisioned: true,
            csi: None,
            in_tree: None,
        });
        self.bind(key, name);
    }

    /// Binds the pod's delayed claims for `node` (after the pod is placed).
    pub fn reserve(&mut self, pod: &Pod, node: &Node) {
        let mut chosen = BTreeSet::new();
        for claim in pod.claims() {
            let key = (pod.namespace.clone(), claim.to_owned());
            let Some(c) = self.claims.get(&key).cloned() else {
                continue;
            };
            if c.bound.is_some() || !self.delayed(&c) {
                continue;
            }
            match self.find_volume(&c, Some(node), &chosen) {
                Some(i) => {
                    chosen.insert(i);
                    let name = self.volumes[i].name.clone();
                    self.bind(&key, name);
                }
                None => self.provision(&key, Some(node)),
            }
        }
    }
}

pub struct VolumeBinding;

#[derive(Clone, Debug)]
struct ClaimsState {
    /// Volume names of bound claims (the name may not exist).
    bound: Vec<String>,
    /// Delayed-binding claims to match per node.
    delayed: Vec<Claim>,
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        "VolumeBinding"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let pod = cx.pod;
        let storage = &cx.cluster.storage;
        let mut claims = pod.claims().peekable();
        if claims.peek().is_none() {
            return PreFilter::Skip;
        }
        let mut s = ClaimsState {
            bound: Vec::new(),
            delayed: Vec::new(),
        };
        let mut unbound_immediate = false;
        for name in claims {
            let Some(c) = storage
                .claims
                .get(&(pod.namespace.clone(), name.to_owned()))
            else {
                return PreFilter::Reject(Status::unresolvable(format!(
                    "persistentvolumeclaim \"{name}\" not found"
                )));
            };
            match &c.bound {
                Some(v) => s.bound.push(v.clone()),
                None if storage.delayed(c) && c.volume_name.is_none() => s.delayed.push(c.clone()),
                None => unbound_immediate = true,
            }
        }
        if unbound_immediate {
            return PreFilter::Reject(Status::unresolvable(ERR_UNBOUND_IMMEDIATE));
        }
        PreFilter::state(s)
    }

    fn filter(&self, cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let Some(s) = state::<ClaimsState>(st) else {
            return Status::success();
        };
        let node = cx.node(info);
        let storage = &cx.cluster.storage;
        let mut reasons = Vec::new();
        // Bound claims: the first missing or mismatching volume decides.
        let mut bound_ok = true;
        let mut found = true;
        for name in &s.bound {
            match storage.volume(name) {
                None => {
                    found = false;
                    break;
                }
                Some(pv) if !pv.node_matches(node) => {
                    bound_ok = false;
                    break;
                }
                Some(_) => {}
            }
        }
        let mut unbound_ok = true;
        let mut space = true;
        let mut chosen = BTreeSet::new();
        for c in &s.delayed {
            if let Some(i) = storage.find_volume(c, Some(node), &chosen) {
                chosen.insert(i);
                continue;
            }
            match storage.classes.get(&c.class) {
                Some(sc) if sc.provisions() && sc.allows(node) => {
                    if !storage.has_capacity(sc, c, node) {
                        space = false;
                        break;
                    }
                }
                _ => {
                    unbound_ok = false;
                    break;
                }
            }
        }
        if !bound_ok {
            reasons.push(node_conflict_reason(cx.version.minor).to_owned());
        }
        if !unbound_ok {
            reasons.push(ERR_BIND_CONFLICT.to_owned());
        }
        if !space {
            reasons.push(ERR_NOT_ENOUGH_SPACE.to_owned());
        }
        if !found {
            reasons.push(ERR_PV_NOT_EXIST.to_owned());
        }
        if reasons.is_empty() {
            Status::success()
        } else {
            Status::with_reasons(
                crate::schedule::framework::Code::UnschedulableAndUnresolvable,
                reasons,
            )
        }
    }
}

/// Claims the pods of the run make, for reports: (namespace, name) to the
/// volume each is bound to.
pub fn claim_bindings(cluster: &Cluster) -> Vec<(String, String, Option<String>)> {
    cluster
        .storage
        .claims
        .values()
        .map(|c| (c.namespace.clone(), c.name.clone(), c.bound.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Version;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, schedule, yaml};

    fn pvc(name: &str, class: Option<&str>, size: &str) -> Claim {
        let class = class.map_or(String::new(), |c| format!("storageClassName: \"{c}\"\n  "));
        Claim::from_value(
            &yaml(&format!(
                "spec:\n  {class}accessModes: [ReadWriteOnce]\n  resources: {{requests: {{storage: {size}}}}}\n"
            )),
            "default",
            name,
        )
    }

    fn local_pv(name: &str, size: &str, host: &str) -> PersistentVolume {
        PersistentVolume::from_value(&yaml(&format!(
            "metadata: {{name: {name}}}\nspec:\n  capacity: {{storage: {size}}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: local-storage\n  local: {{path: /mnt}}\n  nodeAffinity: {{required: {{nodeSelectorTerms: [{{matchExpressions: [{{key: kubernetes.io/hostname, operator: In, values: [{host}]}}]}}]}}}}\n"
        )))
        .unwrap_or_default()
    }

    fn local_class() -> StorageClass {
        StorageClass::from_value(&yaml(
            "metadata: {name: local-storage}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n",
        ))
        .unwrap_or_default()
    }

    fn nodes() -> Vec<Node> {
        ["node-1", "node-2"]
            .iter()
            .map(|n| {
                NodeBuilder::new(n)
                    .label("kubernetes.io/hostname", n)
                    .alloc(&[("cpu", "4"), ("memory", "8Gi"), ("pods", "10")])
                    .build()
            })
            .collect()
    }

    fn pod_with(claim: &str) -> Pod {
        PodBuilder::spec(
            "p",
            &[],
            &format!("volumes: [{{name: data, persistentVolumeClaim: {{claimName: {claim}}}}}]"),
        )
        .build()
    }

    fn run(storage: Storage, claim: &str) -> Result<String, String> {
        let mut c = cluster(nodes(), vec![]);
        c.storage = storage;
        c.storage.bind_immediate();
        schedule(&c, &pod_with(claim), Version::DEFAULT)
    }

    /// A claim that does not exist rejects the pod in PreFilter.
    #[test]
    fn missing_claim() {
        assert_eq!(
            run(Storage::default(), "data"),
            Err("0/2 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
    }

    /// The seed `003_L8792-8807_pvc.yaml` against `003_L8554-8567_pv-pv1.yaml`:
    /// an 8Gi claim of class `slow` cannot bind the 5Gi volume, stays
    /// Pending, and a pod using it is rejected.
    #[test]
    fn immediate_claim_without_a_volume() {
        let mut s = Storage::default();
        s.add_claim(pvc("myclaim", Some("slow"), "8Gi"));
        s.volumes.push(
            PersistentVolume::from_value(&yaml(
                "metadata: {name: pv1}\nspec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], storageClassName: slow}\n",
            ))
            .unwrap_or_default(),
        );
        assert_eq!(
            run(s, "myclaim"),
            Err("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
    }

    /// Immediate binding picks the smallest volume that fits.
    #[test]
    fn immediate_binding_takes_the_smallest_fit() {
        let mut s = Storage::default();
        s.add_claim(pvc("c", Some("slow"), "1Gi"));
        for (n, size) in [("big", "10Gi"), ("small", "2Gi"), ("tiny", "512Mi")] {
            s.volumes.push(
                PersistentVolume::from_value(&yaml(&format!(
                    "metadata: {{name: {n}}}\nspec: {{capacity: {{storage: {size}}}, accessModes: [ReadWriteOnce], storageClassName: slow}}\n"
                )))
                .unwrap_or_default(),
            );
        }
        s.bind_immediate();
        assert_eq!(
            s.claims[&("default".into(), "c".into())].bound.as_deref(),
            Some("small")
        );
    }

    /// Local volumes with WaitForFirstConsumer pin the pod to the volume's node.
    #[test]
    fn wait_for_first_consumer_follows_local_volumes() {
        let mut s = Storage::default();
        s.classes.insert("local-storage".into(), local_class());
        s.add_claim(pvc("data", Some("local-storage"), "100Mi"));
        s.volumes.push(local_pv("pv-2", "300M", "node-2"));
        assert_eq!(run(s.clone(), "data"), Ok("node-2".into()));
        // No volume left: nothing to provision with a no-provisioner class.
        s.volumes.clear();
        assert_eq!(
            run(s, "data"),
            Err("0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
    }

    /// A bound local volume on another node: the node-affinity conflict, in
    /// the words of each release.
    #[test]
    fn bound_volume_node_conflict() {
        let mut s = Storage::default();
        let mut claim = pvc("data", Some("local-storage"), "100Mi");
        claim.volume_name = Some("pv-x".into());
        s.add_claim(claim);
        s.volumes.push(local_pv("pv-x", "1Gi", "elsewhere"));
        assert_eq!(
            run(s.clone(), "data"),
            Err("0/2 nodes are available: 2 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
        let mut c = cluster(nodes(), vec![]);
        c.storage = s;
        c.storage.bind_immediate();
        assert_eq!(
            schedule(&c, &pod_with("data"), Version { minor: 33, patch: 0 }),
            Err("0/2 nodes are available: 2 node(s) didn't match PersistentVolume's node affinity. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
    }

    /// A class with a provisioner and WaitForFirstConsumer provisions on any
    /// node its allowedTopologies allow.
    #[test]
    fn allowed_topologies_restrict_provisioning() {
        let mut s = Storage::default();
        s.classes.insert(
            "zonal".into(),
            StorageClass::from_value(&yaml(
                "metadata: {name: zonal}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\nallowedTopologies: [{matchLabelExpressions: [{key: kubernetes.io/hostname, values: [node-2]}]}]\n",
            ))
            .unwrap_or_default(),
        );
        s.add_claim(pvc("data", Some("zonal"), "1Gi"));
        assert_eq!(run(s, "data"), Ok("node-2".into()));
    }

    /// A provisioning class of `driver` with a 5Gi claim `data`, and the
    /// driver's capacity per node (`node`, `capacity`, `maximumVolumeSize`).
    fn with_capacities(tracking: bool, capacities: &[(&str, &str, Option<&str>)]) -> Storage {
        let mut s = Storage::default();
        s.classes.insert(
            "fast".into(),
            StorageClass::from_value(&yaml(
                "metadata: {name: fast}\nprovisioner: lvm.csi.example.com\nvolumeBindingMode: WaitForFirstConsumer\n",
            ))
            .unwrap_or_default(),
        );
        s.capacity_tracking
            .insert("lvm.csi.example.com".into(), tracking);
        for (node, capacity, max) in capacities {
            let max = max.map_or(String::new(), |m| format!("maximumVolumeSize: {m}\n"));
            s.capacities.push(StorageCapacity::from_value(&yaml(&format!(
                "storageClassName: fast\ncapacity: {capacity}\n{max}nodeTopology: {{matchLabels: {{kubernetes.io/hostname: {node}}}}}\n"
            ))));
        }
        s.add_claim(pvc("data", Some("fast"), "5Gi"));
        s
    }

    /// The claim is provisioned where the driver reports enough capacity.
    #[test]
    fn storage_capacity_picks_the_node_with_room() {
        let s = with_capacities(true, &[("node-1", "2Gi", None), ("node-2", "20Gi", None)]);
        assert_eq!(run(s, "data"), Ok("node-2".into()));
    }

    /// `maximumVolumeSize` is preferred to `capacity`; with no node able to
    /// provision the claim the pod stays Pending.
    #[test]
    fn storage_capacity_maximum_volume_size() {
        let s = with_capacities(
            true,
            &[("node-1", "100Gi", Some("4Gi")), ("node-2", "1Gi", None)],
        );
        assert_eq!(
            run(s, "data"),
            Err("0/2 nodes are available: 2 node(s) did not have enough free storage. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        );
    }

    /// A driver whose CSIDriver does not set `storageCapacity` is not
    /// checked: the first node takes the claim.
    #[test]
    fn storage_capacity_only_for_tracking_drivers() {
        let s = with_capacities(false, &[("node-2", "20Gi", None)]);
        assert_eq!(run(s, "data"), Ok("node-1".into()));
    }
}
