//! The objects the scheduler works on: pods and nodes as typed values, read
//! from manifests once, with the API server's defaulting applied.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::resources::{ResourceList, Resources, add_lists, max_lists};
use super::selector::{
    LabelSelector, Labels, NodeSelector, NodeSelectorTerm, PreferredTerm, Requirement, labels_of,
    scalar_string,
};
use crate::resource::quantity::Quantity;
use crate::yaml::{Map, Value};

/// The scheduler's default requests for a container that sets none, used
/// only for scoring (`DefaultMilliCPURequest`, `DefaultMemoryRequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// How a container runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    /// An init container that runs to completion first.
    Init,
    /// An init container with `restartPolicy: Always`: it keeps running.
    Sidecar,
    Regular,
}

/// A `hostPort` a container binds on its node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    /// `0.0.0.0` when not given.
    pub ip: String,
    /// `TCP` when not given.
    pub protocol: String,
    pub port: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub kind: ContainerKind,
    /// Requests after defaulting (limits, LimitRange).
    pub requests: ResourceList,
    pub host_ports: Vec<HostPort>,
}

/// A node taint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl Taint {
    pub fn new(key: &str, value: &str, effect: &str) -> Taint {
        Taint {
            key: key.to_owned(),
            value: value.to_owned(),
            effect: effect.to_owned(),
        }
    }

    /// `key=value:Effect` (`key:Effect` without a value).
    pub fn display(&self) -> String {
        if self.value.is_empty() {
            format!("{}:{}", self.key, self.effect)
        } else {
            format!("{}={}:{}", self.key, self.value, self.effect)
        }
    }

    fn from_value(v: &Value) -> Option<Taint> {
        Some(Taint {
            key: v.get("key").and_then(scalar_string)?,
            value: v.get("value").and_then(scalar_string).unwrap_or_default(),
            effect: v.get("effect").and_then(scalar_string).unwrap_or_default(),
        })
    }
}

/// A pod toleration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    /// `""` and `Equal` compare values; `Exists` matches any value.
    pub operator: String,
    pub value: String,
    pub effect: String,
}

impl Toleration {
    pub fn new(key: &str, operator: &str, value: &str, effect: &str) -> Toleration {
        Toleration {
            key: key.to_owned(),
            operator: operator.to_owned(),
            value: value.to_owned(),
            effect: effect.to_owned(),
        }
    }

    /// `ToleratesTaint` (k8s.io/api core/v1): effect, key, then operator.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if !self.effect.is_empty() && self.effect != taint.effect {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator.as_str() {
            "" | "Equal" => self.value == taint.value,
            "Exists" => true,
            _ => false,
        }
    }

    fn from_value(v: &Value) -> Option<Toleration> {
        v.as_map()?;
        let s = |k: &str| v.get(k).and_then(scalar_string).unwrap_or_default();
        Some(Toleration {
            key: s("key"),
            operator: s("operator"),
            value: s("value"),
            effect: s("effect"),
        })
    }
}

/// Whether any toleration tolerates the taint.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// The first taint with effect NoSchedule or NoExecute that no toleration
/// tolerates (`FindMatchingUntoleratedTaint` with the do-not-schedule filter).
pub fn untolerated_taint<'a>(taints: &'a [Taint], tolerations: &[Toleration]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !tolerated(tolerations, t))
}

/// A pod (anti-)affinity term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffinityTerm {
    pub selector: LabelSelector,
    /// The pod's own namespace when neither `namespaces` nor
    /// `namespaceSelector` is given.
    pub namespaces: BTreeSet<String>,
    pub namespace_selector: LabelSelector,
    pub topology_key: String,
}

impl AffinityTerm {
    /// `AffinityTerm.Matches`: the namespace is listed or selected, then the
    /// labels match.
    pub fn matches(&self, namespace: &str, labels: &Labels, ns_labels: Option<&Labels>) -> bool {
        let ns_ok = self.namespaces.contains(namespace)
            || match ns_labels {
                Some(l) => self.namespace_selector.matches(l),
                None => self.namespace_selector.matches(&Labels::new()),
            };
        ns_ok && self.selector.matches(labels)
    }

    fn from_value(v: &Value, pod_ns: &str, pod_labels: &Labels) -> AffinityTerm {
        let mut selector = LabelSelector::from_value(v.get("labelSelector"));
        // matchLabelKeys / mismatchLabelKeys are merged into the selector by
        // the API server when the pod is created.
        let keys = |k: &str| -> Vec<String> {
            v.get(k)
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(scalar_string)
                .collect()
        };
        if !matches!(selector, LabelSelector::Nothing) {
            let mut extra = Vec::new();
            for key in keys("matchLabelKeys") {
                if let Some(val) = pod_labels.get(&key) {
                    extra.push(Requirement::new(&key, super::selector::Op::In, &[val]));
                }
            }
            for key in keys("mismatchLabelKeys") {
                if let Some(val) = pod_labels.get(&key) {
                    extra.push(Requirement::new(&key, super::selector::Op::NotIn, &[val]));
                }
            }
            selector = selector.and(extra);
        }
        let listed: BTreeSet<String> = keys("namespaces").into_iter().collect();
        let ns_value = v.get("namespaceSelector").filter(|n| !n.is_null());
        let namespaces = if listed.is_empty() && ns_value.is_none() {
            BTreeSet::from([pod_ns.to_owned()])
        } else {
            listed
        };
        AffinityTerm {
            selector,
            namespaces,
            namespace_selector: LabelSelector::from_value(ns_value),
            topology_key: v
                .get("topologyKey")
                .and_then(scalar_string)
                .unwrap_or_default(),
        }
    }
}

/// A preferred (weighted) pod affinity term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedTerm {
    pub weight: i64,
    pub term: AffinityTerm,
}

/// Required and preferred terms of `podAffinity` or `podAntiAffinity`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodAffinity {
    pub required: Vec<AffinityTerm>,
    pub preferred: Vec<WeightedTerm>,
}

impl PodAffinity {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.preferred.is_empty()
    }

    fn from_value(v: Option<&Value>, ns: &str, labels: &Labels) -> PodAffinity {
        let Some(v) = v else {
            return PodAffinity::default();
        };
        let seq = |k: &str| v.get(k).and_then(Value::as_seq).unwrap_or_default();
        PodAffinity {
            required: seq("requiredDuringSchedulingIgnoredDuringExecution")
                .iter()
                .map(|t| AffinityTerm::from_value(t, ns, labels))
                .collect(),
            preferred: seq("preferredDuringSchedulingIgnoredDuringExecution")
                .iter()
                .filter_map(|t| {
                    Some(WeightedTerm {
                        weight: t.get("weight").and_then(Value::as_i64).unwrap_or(0),
                        term: AffinityTerm::from_value(t.get("podAffinityTerm")?, ns, labels),
                    })
                })
                .collect(),
        }
    }
}

/// A topology spread constraint, with the defaults upstream applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    /// `whenUnsatisfiable: DoNotSchedule` (a filter) rather than `ScheduleAnyway`.
    pub hard: bool,
    /// The label selector with `matchLabelKeys` merged in.
    pub selector: LabelSelector,
    pub min_domains: i64,
    /// `nodeAffinityPolicy: Honor` (the default).
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy: Honor` (the default is Ignore).
    pub honor_node_taints: bool,
}

impl SpreadConstraint {
    fn from_value(v: &Value, labels: &Labels) -> Option<SpreadConstraint> {
        let mut selector = LabelSelector::from_value(v.get("labelSelector"));
        let extra: Vec<Requirement> = v
            .get("matchLabelKeys")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(scalar_string)
            .filter_map(|k| {
                labels
                    .get(&k)
                    .map(|val| Requirement::new(&k, super::selector::Op::In, &[val]))
            })
            .collect();
        selector = selector.and(extra);
        Some(SpreadConstraint {
            max_skew: v.get("maxSkew").and_then(Value::as_i64).unwrap_or(1),
            topology_key: v.get("topologyKey").and_then(scalar_string)?,
            hard: v.get("whenUnsatisfiable").and_then(Value::as_str) != Some("ScheduleAnyway"),
            selector,
            min_domains: v
                .get("minDomains")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(1),
            honor_node_affinity: v.get("nodeAffinityPolicy").and_then(Value::as_str)
                != Some("Ignore"),
            honor_node_taints: v.get("nodeTaintsPolicy").and_then(Value::as_str) == Some("Honor"),
        })
    }
}

/// A volume of a pod, as far as scheduling cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Volume {
    /// A PersistentVolumeClaim (also the claim a generic ephemeral volume makes).
    Claim {
        claim: String,
        read_only: bool,
    },
    EmptyDir,
    Other,
}

/// A pod the scheduler places, or one already bound to a node.
///
/// The replicas of a workload share one [`Spec`]: a pod reads its fields
/// through `Deref`, and changing one copies the spec for that pod alone.
#[derive(Clone, Debug)]
pub struct Pod {
    pub name: String,
    /// Index of the workload it belongs to in the run.
    pub workload: Option<usize>,
    pub node_name: Option<String>,
    spec: Arc<Spec>,
}

impl std::ops::Deref for Pod {
    type Target = Spec;

    fn deref(&self) -> &Spec {
        &self.spec
    }
}

impl std::ops::DerefMut for Pod {
    fn deref_mut(&mut self) -> &mut Spec {
        Arc::make_mut(&mut self.spec)
    }
}

/// What the scheduler reads of a pod apart from its name, workload and
/// node: the same for every replica of a workload (StatefulSet pods differ
/// by a label).
#[derive(Clone, Debug)]
pub struct Spec {
    pub namespace: String,
    pub labels: Labels,
    /// Kind of the controller that owns it (`ReplicaSet`, `DaemonSet`, ...).
    pub owner_kind: Option<String>,
    pub node_selector: Labels,
    pub required_node_affinity: Option<NodeSelector>,
    pub preferred_node_affinity: Vec<PreferredTerm>,
    pub pod_affinity: PodAffinity,
    pub pod_anti_affinity: PodAffinity,
    pub tolerations: Vec<Toleration>,
    pub priority: i64,
    /// `preemptionPolicy: Never`.
    pub never_preempts: bool,
    pub containers: Vec<Container>,
    pub overhead: ResourceList,
    /// `spec.resources.requests` (pod-level resources).
    pub pod_level_requests: ResourceList,
    pub spread: Vec<SpreadConstraint>,
    /// The selector the system default spreading uses (Services and the
    /// owning controller), when any selects the pod.
    pub default_spread_selector: Option<std::sync::Arc<LabelSelector>>,
    pub volumes: Vec<Volume>,
    pub host_network: bool,
    /// `spec.schedulingGates` is set: the pod never reaches the queue.
    pub gated: bool,
    /// Computed by [`Pod::finish`].
    pub requests: Resources,
    pub non_zero_cpu: i64,
    pub non_zero_memory: i64,
}

impl Pod {
    /// An empty pod, for building.
    pub fn new(name: &str, namespace: &str) -> Pod {
        Pod {
            name: name.to_owned(),
            workload: None,
            node_name: None,
            spec: Arc::new(Spec::new(namespace)),
        }
    }

    /// Whether two pods share one spec, without comparing it.
    pub fn shares_spec(&self, other: &Pod) -> bool {
        Arc::ptr_eq(&self.spec, &other.spec)
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Reads the scheduling-relevant parts of a pod spec. `requests` gives
    /// each container's requests after defaulting, by position in
    /// `initContainers` then `containers`.
    pub fn from_spec(
        name: &str,
        namespace: &str,
        labels: Labels,
        spec: &Map,
        requests: &mut dyn FnMut(ContainerKind, usize) -> ResourceList,
    ) -> Pod {
        let mut pod = Pod::new(name, namespace);
        pod.labels = labels;
        let get = |k: &str| spec.get(k);
        pod.host_network = get("hostNetwork").and_then(Value::as_bool) == Some(true);
        for (key, base) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
        ] {
            for (i, c) in get(key)
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let kind = if base == ContainerKind::Init
                    && c.get("restartPolicy").and_then(Value::as_str) == Some("Always")
                {
                    ContainerKind::Sidecar
                } else {
                    base
                };
                let host_ports = c
                    .get("ports")
                    .and_then(Value::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| {
                        // With hostNetwork, hostPort defaults to containerPort.
                        let port = p.get("hostPort").and_then(Value::as_i64).or_else(|| {
                            pod.host_network
                                .then(|| p.get("containerPort").and_then(Value::as_i64))
                                .flatten()
                        })?;
                        (port > 0).then(|| HostPort {
                            ip: p
                                .get("hostIP")
                                .and_then(scalar_string)
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "0.0.0.0".to_owned()),
                            protocol: p
                                .get("protocol")
                                .and_then(scalar_string)
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "TCP".to_owned()),
                            port,
                        })
                    })
                    .collect();
                pod.containers.push(Container {
                    name: c.get("name").and_then(scalar_string).unwrap_or_default(),
                    image: c.get("image").and_then(scalar_string).unwrap_or_default(),
                    kind,
                    requests: requests(base, i),
                    host_ports,
                });
            }
        }
        pod.overhead = resource_list(get("overhead"));
        if let Some(res) = get("resources") {
            let mut reqs = resource_list(res.get("requests"));
            for (k, v) in resource_list(res.get("limits")) {
                reqs.entry(k).or_insert(v);
            }
            pod.pod_level_requests = reqs;
        }
        pod.node_name = get("nodeName")
            .and_then(scalar_string)
            .filter(|s| !s.is_empty());
        pod.node_selector = labels_of(get("nodeSelector"));
        let affinity = get("affinity");
        if let Some(na) = affinity.and_then(|a| a.get("nodeAffinity")) {
            pod.required_node_affinity = na
                .get("requiredDuringSchedulingIgnoredDuringExecution")
                .filter(|v| !v.is_null())
                .map(NodeSelector::from_value);
            pod.preferred_node_affinity = na
                .get("preferredDuringSchedulingIgnoredDuringExecution")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| {
                    Some(PreferredTerm {
                        weight: t.get("weight").and_then(Value::as_i64).unwrap_or(0),
                        term: NodeSelectorTerm::from_value(t.get("preference")?),
                    })
                })
                .collect();
        }
        pod.pod_affinity = PodAffinity::from_value(
            affinity.and_then(|a| a.get("podAffinity")),
            namespace,
            &pod.labels,
        );
        pod.pod_anti_affinity = PodAffinity::from_value(
            affinity.and_then(|a| a.get("podAntiAffinity")),
            namespace,
            &pod.labels,
        );
        pod.tolerations = get("tolerations")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Toleration::from_value)
            .collect();
        pod.spread = get("topologySpreadConstraints")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| SpreadConstraint::from_value(c, &pod.labels))
            .collect();
        pod.never_preempts = get("preemptionPolicy").and_then(Value::as_str) == Some("Never");
        if let Some(p) = get("priority").and_then(Value::as_i64) {
            pod.priority = p;
        }
        pod.gated = get("schedulingGates")
            .and_then(Value::as_seq)
            .is_some_and(|g| !g.is_empty());
        pod.volumes = get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|v| {
                if let Some(pvc) = v.get("persistentVolumeClaim") {
                    Volume::Claim {
                        claim: pvc
                            .get("claimName")
                            .and_then(scalar_string)
                            .unwrap_or_default(),
                        read_only: pvc.get("readOnly").and_then(Value::as_bool) == Some(true),
                    }
                } else if v.get("ephemeral").is_some() {
                    let vol = v.get("name").and_then(scalar_string).unwrap_or_default();
                    Volume::Claim {
                        claim: format!("{name}-{vol}"),
                        read_only: false,
                    }
                } else if v.get("emptyDir").is_some() {
                    Volume::EmptyDir
                } else {
                    Volume::Other
                }
            })
            .collect();
        pod
    }
}

impl Spec {
    fn new(namespace: &str) -> Spec {
        Spec {
            namespace: namespace.to_owned(),
            labels: Labels::new(),
            owner_kind: None,
            node_selector: Labels::new(),
            required_node_affinity: None,
            preferred_node_affinity: Vec::new(),
            pod_affinity: PodAffinity::default(),
            pod_anti_affinity: PodAffinity::default(),
            tolerations: Vec::new(),
            priority: 0,
            never_preempts: false,
            containers: Vec::new(),
            overhead: ResourceList::new(),
            pod_level_requests: ResourceList::new(),
            spread: Vec::new(),
            default_spread_selector: None,
            volumes: Vec::new(),
            host_network: false,
            gated: false,
            requests: Resources::default(),
            non_zero_cpu: 0,
            non_zero_memory: 0,
        }
    }

    /// Computes the requests the scheduler counts; `pod_level` enables
    /// pod-level resources (beta and on from Kubernetes 1.34).
    pub fn finish(&mut self, pod_level: bool) {
        let reqs = self.aggregate(false, pod_level);
        self.requests = Resources::from_list(&reqs);
        let non_zero = Resources::from_list(&self.aggregate(true, pod_level));
        self.non_zero_cpu = non_zero.milli_cpu;
        self.non_zero_memory = non_zero.memory;
    }

    /// `PodRequests`: regular containers plus sidecars, at least each init
    /// container plus the sidecars started before it; pod-level requests
    /// override; overhead is added. With `non_zero`, a container that does not
    /// set a cpu or memory request counts the scheduler's defaults.
    fn aggregate(&self, non_zero: bool, pod_level: bool) -> ResourceList {
        let with_defaults = |c: &Container| -> ResourceList {
            let mut r = c.requests.clone();
            if non_zero {
                r.entry("cpu".into()).or_insert(Quantity::from_nanos(
                    i128::from(DEFAULT_MILLI_CPU_REQUEST) * 1_000_000,
                    crate::resource::quantity::Format::DecimalSi,
                ));
                r.entry("memory".into()).or_insert(Quantity::from_units(
                    DEFAULT_MEMORY_REQUEST,
                    crate::resource::quantity::Format::BinarySi,
                ));
            }
            r
        };
        let mut reqs = ResourceList::new();
        for c in self
            .containers
            .iter()
            .filter(|c| c.kind == ContainerKind::Regular)
        {
            add_lists(&mut reqs, &with_defaults(c));
        }
        let mut sidecars = ResourceList::new();
        let mut init_max = ResourceList::new();
        for c in self
            .containers
            .iter()
            .filter(|c| c.kind != ContainerKind::Regular)
        {
            let r = with_defaults(c);
            if c.kind == ContainerKind::Sidecar {
                add_lists(&mut reqs, &r);
                add_lists(&mut sidecars, &r);
                max_lists(&mut init_max, &sidecars);
            } else {
                let mut candidate = r;
                add_lists(&mut candidate, &sidecars);
                max_lists(&mut init_max, &candidate);
            }
        }
        max_lists(&mut reqs, &init_max);
        if pod_level {
            for (k, v) in &self.pod_level_requests {
                if k == "cpu" || k == "memory" || k.starts_with("hugepages-") {
                    reqs.insert(k.clone(), *v);
                }
            }
        }
        add_lists(&mut reqs, &self.overhead);
        reqs
    }

    /// Host ports it binds: containers and sidecars.
    pub fn host_ports(&self) -> impl Iterator<Item = &HostPort> {
        self.containers
            .iter()
            .filter(|c| c.kind != ContainerKind::Init)
            .flat_map(|c| c.host_ports.iter())
    }

    pub fn has_affinity(&self) -> bool {
        !self.pod_affinity.is_empty() || !self.pod_anti_affinity.is_empty()
    }

    pub fn has_required_anti_affinity(&self) -> bool {
        !self.pod_anti_affinity.required.is_empty()
    }

    /// Whether it requests neither cpu nor memory.
    pub fn is_best_effort(&self) -> bool {
        self.requests.milli_cpu == 0 && self.requests.memory == 0
    }

    /// The PVC names it mounts.
    pub fn claims(&self) -> impl Iterator<Item = &str> {
        self.volumes.iter().filter_map(|v| match v {
            Volume::Claim { claim, .. } => Some(claim.as_str()),
            _ => None,
        })
    }
}

/// A resource list value (`requests`, `capacity`); invalid quantities are
/// left out (schema validation reports them).
pub fn resource_list(v: Option<&Value>) -> ResourceList {
    v.and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.to_owned(), Quantity::from_value(v).ok()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// An image a node already holds (`status.images`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeImage {
    pub names: Vec<String>,
    pub size: i64,
}

/// A node of the described cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    pub labels: Labels,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub allocatable: Resources,
    pub capacity: Resources,
    /// Allocatable as written (after defaulting), for reports.
    pub allocatable_list: ResourceList,
    pub images: Vec<NodeImage>,
}

impl Node {
    pub fn new(name: &str) -> Node {
        Node {
            name: name.to_owned(),
            labels: Labels::new(),
            taints: Vec::new(),
            unschedulable: false,
            allocatable: Resources::default(),
            capacity: Resources::default(),
            allocatable_list: ResourceList::new(),
            images: Vec::new(),
        }
    }

    pub fn zone(&self) -> Option<&str> {
        self.labels
            .get("topology.kubernetes.io/zone")
            .or_else(|| self.labels.get("failure-domain.beta.kubernetes.io/zone"))
            .map(String::as_str)
    }

    /// Reads a `v1 Node` object as written (no defaulting: see `nodes`).
    pub fn from_value(v: &Value) -> Option<Node> {
        let name = v.pointer("/metadata/name").and_then(scalar_string)?;
        let mut node = Node::new(&name);
        node.labels = labels_of(v.pointer("/metadata/labels"));
        node.taints = v
            .pointer("/spec/taints")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Taint::from_value)
            .collect();
        node.unschedulable =
            v.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true);
        node.images = v
            .pointer("/status/images")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|i| NodeImage {
                names: i
                    .get("names")
                    .and_then(Value::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(scalar_string)
                    .collect(),
                size: i.get("sizeBytes").and_then(Value::as_i64).unwrap_or(0),
            })
            .collect();
        Some(node)
    }

    /// Sets allocatable and capacity from resource lists.
    pub fn set_resources(&mut self, allocatable: ResourceList, capacity: &ResourceList) {
        self.allocatable = Resources::from_list(&allocatable);
        self.capacity = Resources::from_list(capacity);
        self.allocatable_list = allocatable;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).expect("quantity")
    }

    #[test]
    fn replicas_share_a_spec_until_one_changes() {
        let mut a = Pod::new("web-0", "shop");
        a.labels.insert("app".into(), "web".into());
        let mut b = a.clone();
        b.name = "web-1".into();
        b.node_name = Some("n1".into());
        assert!(a.shares_spec(&b), "name and node are the pod's own");
        b.labels.insert("extra".into(), "1".into());
        assert!(!a.shares_spec(&b));
        assert_eq!(a.labels.len(), 1, "the other replica keeps its labels");
        assert_eq!(b.labels.get("extra").map(String::as_str), Some("1"));
        assert_eq!(b.key(), "shop/web-1");
    }

    fn container(kind: ContainerKind, pairs: &[(&str, &str)]) -> Container {
        Container {
            name: String::new(),
            image: String::new(),
            kind,
            requests: pairs.iter().map(|(k, v)| ((*k).to_owned(), q(v))).collect(),
            host_ports: Vec::new(),
        }
    }

    /// component-helpers `TestPodResourceRequests`: "restartable init
    /// container" and "multiple restartable and regular init containers".
    #[test]
    fn pod_requests_count_sidecars_as_upstream() {
        let mut pod = Pod::new("p", "default");
        pod.containers = vec![
            container(ContainerKind::Sidecar, &[("cpu", "10m")]),
            container(ContainerKind::Init, &[("cpu", "200m")]),
            container(ContainerKind::Regular, &[("cpu", "100m")]),
        ];
        pod.finish(false);
        assert_eq!(pod.requests.milli_cpu, 210);

        let mut pod = Pod::new("p", "default");
        pod.containers = vec![
            container(ContainerKind::Init, &[("cpu", "5")]),
            container(ContainerKind::Sidecar, &[("cpu", "1")]),
            container(ContainerKind::Sidecar, &[("cpu", "2")]),
            container(ContainerKind::Init, &[("cpu", "5")]),
            container(ContainerKind::Sidecar, &[("cpu", "3")]),
            container(ContainerKind::Regular, &[("cpu", "1")]),
        ];
        pod.finish(false);
        assert_eq!(pod.requests.milli_cpu, 8000);
    }

    /// `TestPodResourceRequests` "pod overhead excluded/included": overhead
    /// adds to the larger of containers and init containers.
    #[test]
    fn overhead_is_added() {
        let mut pod = Pod::new("p", "default");
        pod.containers = vec![
            container(ContainerKind::Init, &[("cpu", "2"), ("memory", "1Gi")]),
            container(ContainerKind::Regular, &[("cpu", "1"), ("memory", "2Gi")]),
        ];
        pod.overhead = [("cpu".to_owned(), q("500m"))].into_iter().collect();
        pod.finish(false);
        assert_eq!(pod.requests.milli_cpu, 2500);
        assert_eq!(pod.requests.memory, 2 << 30);
    }

    /// Non-zero requests: defaults only where a container sets nothing; an
    /// explicit zero stays zero.
    #[test]
    fn non_zero_defaults_apply_per_container() {
        let mut pod = Pod::new("p", "default");
        pod.containers = vec![
            container(ContainerKind::Regular, &[("cpu", "0")]),
            container(ContainerKind::Regular, &[]),
        ];
        pod.finish(false);
        assert_eq!(pod.requests.milli_cpu, 0);
        assert_eq!(pod.non_zero_cpu, 100);
        assert_eq!(pod.non_zero_memory, 2 * DEFAULT_MEMORY_REQUEST);
    }

    /// `TestTolerationToleratesTaint` (k8s.io/api core/v1).
    #[test]
    fn tolerations_match_taints() {
        let taint = Taint::new("foo", "bar", "NoSchedule");
        let cases = [
            (Toleration::new("", "Exists", "", ""), true),
            (Toleration::new("foo", "Exists", "", "NoSchedule"), true),
            (Toleration::new("foo", "Equal", "bar", "NoSchedule"), true),
            (Toleration::new("foo", "", "bar", ""), true),
            (Toleration::new("foo", "Equal", "baz", "NoSchedule"), false),
            (Toleration::new("foo", "Exists", "", "NoExecute"), false),
            (Toleration::new("bar", "Exists", "", ""), false),
            (Toleration::new("foo", "Gt", "bar", ""), false),
        ];
        for (t, want) in cases {
            assert_eq!(t.tolerates(&taint), want, "{t:?}");
        }
    }
}
