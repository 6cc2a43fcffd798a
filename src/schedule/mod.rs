//! Dry-run scheduling: places the pods of the rendered workloads on a
//! described set of nodes with kube-scheduler's rules, and explains, in the
//! scheduler's own words, every pod that would stay Pending.
//!
//! [`simulate`] expands workloads into pods ([`workloads`]), binds the pods
//! already running (from the node inventory) and those that name their node,
//! binds `Immediate` volume claims, then runs the scheduling queue
//! ([`framework`]) over the default plugins ([`plugins`]). The [`Schedule`]
//! stage reports pending pods as diagnostics; [`report`] renders the result.

pub mod cluster;
pub mod controllers;
pub mod drain;
pub mod framework;
pub mod message;
pub mod nodes;
pub mod pdb;
pub mod plugins;
pub mod report;
pub mod resources;
pub mod selector;
pub mod types;
pub mod workloads;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

pub use framework::{PodState, Version};

use crate::diagnostic::{Diagnostic, Target, codes};
use crate::input::InputOptions;
use crate::pipeline::{Context, Pipeline, Stage, StageOutput};
use crate::resource::Resource;
use crate::yaml::LoadOptions;
use cluster::Cluster;
use framework::{Diagnosis, Explain, Framework, QueueItem};
use nodes::NodeSet;
use pdb::Budget;
use plugins::node_resources_fit::fits_request;
use plugins::volume_binding::{Claim, PersistentVolume, StorageClass};
use types::{Pod, untolerated_taint};
use workloads::{Expander, Rejected, Workload};

/// Which pods `--explain` covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainTarget {
    All,
    /// A pod name (`web-0`, `ns/web-0`) or a workload name (all its pods).
    Named(String),
}

/// What to compute besides the placement.
#[derive(Clone, Debug)]
pub struct Options {
    pub version: Version,
    pub explain: Option<ExplainTarget>,
    pub drain_check: bool,
    /// How many more replicas of each Deployment would fit.
    pub headroom: bool,
    /// kube-scheduler's percentageOfNodesToScore: 0 is adaptive, 100
    /// examines every node.
    pub percentage_of_nodes_to_score: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            version: Version::DEFAULT,
            explain: None,
            drain_check: false,
            headroom: true,
            percentage_of_nodes_to_score: 0,
        }
    }
}

/// The described cluster: nodes, and the objects given with them (pods
/// already running, PriorityClasses, storage, budgets, namespaces).
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub nodes: NodeSet,
    pub objects: Vec<Resource>,
}

impl Inventory {
    /// Reads `--nodes` values in order: files or directories of `Node`,
    /// `NodePool` (and `List`) objects with any cluster objects, or quick
    /// profiles (`3x4cpu16Gi,zones=a|b|c`). Problems are usage errors.
    pub fn load(specs: &[String]) -> Result<Inventory, String> {
        let mut inv = Inventory::default();
        let mut counters = BTreeMap::new();
        for spec in specs {
            if std::path::Path::new(spec).exists() || spec == "-" {
                let loaded = crate::load::load(
                    std::slice::from_ref(spec),
                    &InputOptions::default(),
                    &LoadOptions::default(),
                )
                .map_err(|e| format!("--nodes {spec}: {}", e.0))?;
                if let Some(d) = loaded
                    .diagnostics
                    .iter()
                    .find(|d| d.severity == crate::diagnostic::Severity::Error)
                {
                    let file = d
                        .location
                        .file()
                        .map(|f| loaded.sources.get(f).name.clone())
                        .unwrap_or_else(|| spec.clone());
                    return Err(format!("--nodes {file}: {}", d.message));
                }
                let cx = Context {
                    sources: &loaded.sources,
                };
                let out = Pipeline::check().run(loaded.resources, &cx);
                let rest = inv
                    .nodes
                    .add_resources(out.resources)
                    .map_err(|e| format!("--nodes {spec}: {e}"))?;
                inv.objects.extend(rest);
            } else if nodes::looks_like_profile(spec) {
                inv.nodes.add_profile(spec, &mut counters)?;
            } else {
                return Err(format!(
                    "--nodes {spec}: no such file or directory, and not a node profile such as 3x4cpu16Gi"
                ));
            }
        }
        Ok(inv)
    }
}

/// What became of one pod.
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub state: PodState,
    /// Already running, from the node inventory.
    pub existing: bool,
    pub daemon: bool,
    pub preempted_by: Option<usize>,
}

/// How many more replicas of a Deployment would fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headroom {
    pub more: usize,
    /// The count stopped at the cap.
    pub capped: bool,
}

/// The outcome of a dry run.
#[derive(Debug)]
pub struct ScheduleResult {
    pub version: Version,
    /// The cluster as scheduled.
    pub cluster: Cluster,
    pub workloads: Vec<Workload>,
    /// Per pod of `cluster.pods`.
    pub pods: Vec<PodInfo>,
    pub rejected: Vec<Rejected>,
    /// Assumptions about the nodes.
    pub notes: Vec<String>,
    pub explains: BTreeMap<usize, Explain>,
    pub diagnoses: BTreeMap<usize, Diagnosis>,
    pub headroom: BTreeMap<usize, Headroom>,
    pub drain: Option<Vec<drain::NodeDrain>>,
    pub budgets: Vec<(Budget, Option<usize>)>,
}

impl ScheduleResult {
    /// Pods that are not running (pending, not created, rejected), counted
    /// per workload.
    pub fn pending_count(&self) -> usize {
        self.pods
            .iter()
            .filter(|p| !matches!(p.state, PodState::Bound { .. }))
            .count()
            + self.rejected.len()
    }

    /// Whether every node passes the drain check (or it was not run).
    pub fn drain_ok(&self) -> bool {
        self.drain.as_ref().is_none_or(|d| {
            d.iter()
                .all(|n| matches!(n.verdict, drain::Verdict::Pass | drain::Verdict::Slow))
        })
    }
}

/// Most extra replicas tried one by one when a pod's placement depends on
/// other pods.
const HEADROOM_CAP: usize = 200;

/// Runs the dry run over the run's objects and the inventory.
pub fn simulate(
    resources: &[Resource],
    inventory: &Inventory,
    options: &Options,
) -> ScheduleResult {
    let version = options.version;
    let mut fw = Framework::new(version);
    fw.percentage_of_nodes_to_score = options.percentage_of_nodes_to_score;
    let nodes = inventory.nodes.nodes.clone();
    let objects: Vec<&Resource> = resources.iter().chain(inventory.objects.iter()).collect();
    let mut ex = Expander::new(version, &nodes, &objects);
    for r in &inventory.objects {
        if r.kind() == Some("Pod") {
            controllers::pod::expand(&mut ex, r, None, true);
        }
    }
    ex.expand_all(resources);
    let mut expanded = std::mem::take(&mut ex.out);
    drop(ex);

    let mut cluster = Cluster::new(nodes);
    // Namespaces: declared ones with their labels, and every namespace used.
    for r in &objects {
        if r.kind() == Some("Namespace") {
            if let Some(name) = r.name() {
                cluster.namespaces.insert(
                    name.to_owned(),
                    selector::labels_of(r.value.pointer("/metadata/labels")),
                );
            }
        }
    }
    for p in &expanded.pods {
        cluster
            .namespaces
            .entry(p.pod.namespace.clone())
            .or_default();
    }
    // Storage.
    for r in &objects {
        match r.kind() {
            Some("StorageClass") => {
                if let Some(c) = StorageClass::from_value(&r.value) {
                    cluster.storage.classes.insert(c.name.clone(), c);
                }
            }
            Some("PersistentVolume") => {
                if let Some(v) = PersistentVolume::from_value(&r.value) {
                    cluster.storage.volumes.push(v);
                }
            }
            Some("CSIDriver") => {
                if let Some(name) = r.name() {
                    let tracks = r
                        .value
                        .pointer("/spec/storageCapacity")
                        .and_then(crate::yaml::Value::as_bool);
                    cluster
                        .storage
                        .capacity_tracking
                        .insert(name.to_owned(), tracks == Some(true));
                }
            }
            Some("CSIStorageCapacity") => {
                cluster.storage.capacities.push(
                    plugins::volume_binding::StorageCapacity::from_value(&r.value),
                );
            }
            Some("CSINode") => {
                if let Some(n) = plugins::node_volume_limits::CsiNode::from_value(&r.value) {
                    cluster.storage.csi_nodes.insert(n.node.clone(), n);
                }
            }
            _ => {}
        }
    }
    for r in &objects {
        if r.kind() == Some("PersistentVolumeClaim") {
            if let Some(name) = r.name() {
                let c = Claim::from_value(&r.value, &workloads::namespace_of(r), name);
                cluster.storage.add_claim(c);
            }
        }
    }
    for c in expanded.claims.iter().cloned() {
        cluster.storage.add_claim(c);
    }
    cluster.storage.bind_immediate();
    // Budgets: from the run (with the object's index) and the inventory.
    let mut budgets: Vec<(Budget, Option<usize>)> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if r.kind() == Some("PodDisruptionBudget") {
            if let Some(b) = Budget::from_value(&r.value) {
                budgets.push((b, Some(i)));
            }
        }
    }
    for r in &inventory.objects {
        if r.kind() == Some("PodDisruptionBudget") {
            if let Some(b) = Budget::from_value(&r.value) {
                budgets.push((b, None));
            }
        }
    }
    fw.budgets = budgets.iter().map(|(b, _)| b.clone()).collect();

    // Pods: ids follow the expansion order.
    let mut infos = Vec::with_capacity(expanded.pods.len());
    let mut items = Vec::with_capacity(expanded.pods.len());
    cluster.pods.reserve(expanded.pods.len());
    cluster.bound.reserve(expanded.pods.len());
    let templated: BTreeSet<usize> = expanded
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            matches!(
                w.kind.as_str(),
                "Deployment" | "ReplicaSet" | "ReplicationController" | "Job" | "CronJob"
            )
        })
        .map(|(i, _)| i)
        .collect();
    // The cluster takes the pods: a copy of 150,000 specs is not free.
    for p in std::mem::take(&mut expanded.pods) {
        let template = p.pod.workload.filter(|w| templated.contains(w));
        let id = cluster.add_pod(p.pod);
        infos.push(PodInfo {
            state: PodState::Pending {
                message: String::new(),
            },
            existing: p.existing,
            daemon: p.daemon,
            preempted_by: None,
        });
        // Pods bound by nodeName are in the queue too: a preempted one is
        // replaced by its controller and scheduled anew.
        items.push(QueueItem {
            pod: id,
            after: p.after,
            daemon: p.daemon,
            template,
        });
    }
    // Pods that name their node skip the scheduler; the kubelet admits them.
    for (id, info) in infos.iter_mut().enumerate() {
        let Some(name) = cluster.pods[id].node_name.clone() else {
            continue;
        };
        let Some(node) = cluster.node_by_name(&name) else {
            info.state = PodState::Pending {
                message: format!(
                    "spec.nodeName names node \"{name}\", which is not among the described nodes"
                ),
            };
            continue;
        };
        if info.existing {
            cluster.bind(id, node);
            info.state = PodState::Bound {
                node,
                ties: Vec::new(),
            };
            continue;
        }
        match kubelet_admission(&cluster, id, node, version) {
            None => {
                fw.bind(&mut cluster, id, node);
                info.state = PodState::Bound {
                    node,
                    ties: Vec::new(),
                };
            }
            Some(message) => info.state = PodState::Pending { message },
        }
    }
    let wanted = |p: &Pod| match &options.explain {
        None => false,
        Some(ExplainTarget::All) => true,
        Some(ExplainTarget::Named(n)) => explain_matches(n, p, &expanded.workloads),
    };
    let q = fw.run_queue(&mut cluster, &items, &wanted);
    for (id, s) in q.states.into_iter().enumerate() {
        if let Some(s) = s {
            infos[id].state = s;
        }
    }
    for (victim, by) in &q.preempted {
        infos[*victim].preempted_by = Some(*by);
    }
    let mut headroom = BTreeMap::new();
    // Trials leave the scheduler as the queue left it.
    let start = fw.start_index();
    if options.headroom {
        let templates = expanded.workloads.iter().enumerate().filter_map(|(i, w)| {
            match (&w.template, w.kind.as_str()) {
                (Some(t), "Deployment") => Some((i, t, room_counts(&cluster, t))),
                _ => None,
            }
        });
        let (by_room, by_trial): (Vec<_>, Vec<_>) = templates.partition(|(_, _, r)| r.is_some());
        // Counting room only reads the cluster: the threads share out the
        // Deployments.
        let counted: Vec<(usize, Headroom)> = by_room
            .par_iter()
            .map(|&(i, t, one_per_node)| {
                let one_per_node = one_per_node == Some(true);
                (i, node_room(&fw, &cluster, t, one_per_node))
            })
            .collect();
        headroom.extend(counted);
        for (i, t, _) in by_trial {
            headroom.insert(i, trial_headroom(&fw, &mut cluster, t));
            fw.set_start_index(start);
        }
    }
    let drain = options
        .drain_check
        .then(|| drain::check(&fw, &mut cluster, &fw.budgets));
    ScheduleResult {
        version,
        cluster,
        workloads: expanded.workloads,
        pods: infos,
        rejected: expanded.rejected,
        notes: inventory.nodes.note_lines(),
        explains: q.explains,
        diagnoses: q.diagnoses,
        headroom,
        drain,
        budgets,
    }
}

/// Whether `--explain NAME` covers the pod: its name, `namespace/name`, or
/// the name of its workload.
fn explain_matches(name: &str, p: &Pod, workloads: &[Workload]) -> bool {
    name == p.name
        || name == p.key()
        || p.workload.is_some_and(|w| {
            let w = &workloads[w];
            name == w.name || name == format!("{}/{}", w.namespace, w.name) || name == w.display()
        })
}

/// The kubelet's admission of a pod bound by `spec.nodeName`: `None` when
/// admitted, else the status message of the rejected pod.
fn kubelet_admission(
    cluster: &Cluster,
    id: usize,
    node: usize,
    version: Version,
) -> Option<String> {
    let pod = &cluster.pods[id];
    let n = &cluster.nodes[node];
    let info = &cluster.infos[node];
    if let Some(i) = fits_request(&pod.requests, info, &n.allocatable).first() {
        return Some(format!(
            "Pod was rejected: Node didn't have enough resource: {}, requested: {}, used: {}, capacity: {}",
            i.resource, i.requested, i.used, i.capacity
        ));
    }
    if !plugins::node_affinity::required_matches(pod, n) {
        return Some(format!(
            "Pod was rejected: Predicate NodeAffinity failed: {}",
            plugins::node_affinity::ERR_REASON_POD
        ));
    }
    if pod
        .host_ports()
        .any(|p| plugins::node_ports::conflicts(&info.used_ports, p))
    {
        return Some(format!(
            "Pod was rejected: Predicate NodePorts failed: {}",
            plugins::node_ports::ERR_REASON
        ));
    }
    let no_execute: Vec<types::Taint> = n
        .taints
        .iter()
        .filter(|t| t.effect == "NoExecute")
        .cloned()
        .collect();
    if let Some(t) = untolerated_taint(&no_execute, &pod.tolerations) {
        let cx = framework::Cycle {
            cluster,
            pod,
            version,
        };
        return Some(format!(
            "Pod was rejected: Predicate TaintToleration failed: {}",
            plugins::taint_toleration::reason(&cx, &t.key, &t.value)
        ));
    }
    None
}

/// Whether the room for more copies of `template` can be counted node by
/// node: copies cannot affect one another beyond their node (no required
/// pod affinity, no hard spreading, no claims, anti-affinity to its own
/// kind only per hostname). `Some(true)` when at most one copy fits a node.
fn room_counts(cluster: &Cluster, template: &Pod) -> Option<bool> {
    let ns_labels = cluster.namespace_labels(&template.namespace);
    let self_anti = |t: &types::AffinityTerm| {
        t.matches(&template.namespace, &template.labels, Some(&ns_labels))
    };
    let one_per_node = template
        .pod_anti_affinity
        .required
        .iter()
        .any(|t| self_anti(t) && t.topology_key == "kubernetes.io/hostname");
    let interdependent = !template.pod_affinity.required.is_empty()
        || template
            .pod_anti_affinity
            .required
            .iter()
            .any(|t| self_anti(t) && t.topology_key != "kubernetes.io/hostname")
        || template.spread.iter().any(|c| c.hard)
        || template.claims().next().is_some();
    (!interdependent).then_some(one_per_node)
}

/// How many more copies of `template` would fit when [`room_counts`]: each
/// node's room from its free resources, once the node passes the filters.
fn node_room(fw: &Framework, cluster: &Cluster, template: &Pod, one_per_node: bool) -> Headroom {
    let cx = framework::Cycle {
        cluster,
        pod: template,
        version: fw.version,
    };
    let Ok(pre) = fw.pre_filter(&cx) else {
        return Headroom {
            more: 0,
            capped: false,
        };
    };
    let mut more = 0usize;
    for (i, info) in cluster.infos.iter().enumerate() {
        let alloc = &cluster.nodes[i].allocatable;
        let r = &template.requests;
        let mut k = (alloc.allowed_pods - info.pods.len() as i64).max(0);
        for name in ["cpu", "memory", "ephemeral-storage"]
            .into_iter()
            .chain(r.scalar.keys().map(String::as_str))
        {
            let req = r.get(name);
            if req > 0 {
                k = k.min(((alloc.get(name) - info.requested.get(name)) / req).max(0));
            }
        }
        if one_per_node || template.host_ports().next().is_some() {
            k = k.min(1);
        }
        let allowed = pre
            .nodes
            .as_ref()
            .is_none_or(|(names, _)| names.contains(&cluster.nodes[i].name));
        if k > 0 && allowed && fw.filter_node(&cx, &pre, &pre.states, info).is_none() {
            more += k as usize;
        }
    }
    Headroom {
        more,
        capped: false,
    }
}

/// How many more copies of `template` would fit when they depend on one
/// another: copies are scheduled one by one, up to a cap, on the cluster
/// itself, removed again afterwards (copying a large cluster costs more
/// than the cycles), or on a copy when the copies bind volume claims.
fn trial_headroom(fw: &Framework, cluster: &mut Cluster, template: &Pod) -> Headroom {
    let mut copy = None;
    let c: &mut Cluster = if template.claims().next().is_some() {
        copy.insert(cluster.clone())
    } else {
        cluster
    };
    let base = c.pods.len();
    let mut more = 0;
    // The trial pods share the template's spec.
    let mut cache = framework::CycleCache::default();
    while more < HEADROOM_CAP {
        let mut p = template.clone();
        p.name = format!("{}-headroom-{more}", template.name);
        let id = c.add_pod(p);
        match fw.cycle(c, &c.pods[id], false, Some(&mut cache)).decision {
            framework::Decision::Placed { node, .. } => {
                fw.bind(c, id, node);
                more += 1;
            }
            framework::Decision::Unschedulable { .. } => break,
        }
    }
    while c.pods.len() > base {
        c.pop_pod();
    }
    Headroom {
        more,
        capped: more == HEADROOM_CAP,
    }
}

/// The scheduling stage of `drydock check` and `drydock schedule`: reports
/// pending pods (`pod-unschedulable`) and failed drains (`drain-blocked`).
pub struct Schedule {
    pub inventory: Arc<Inventory>,
    pub options: Options,
    result: Arc<Mutex<Option<ScheduleResult>>>,
}

impl Schedule {
    pub fn new(inventory: Inventory, options: Options) -> Schedule {
        Schedule {
            inventory: Arc::new(inventory),
            options,
            result: Arc::new(Mutex::new(None)),
        }
    }

    /// Where the stage leaves its result, for rendering after the pipeline.
    pub fn result_slot(&self) -> Arc<Mutex<Option<ScheduleResult>>> {
        Arc::clone(&self.result)
    }
}

impl Stage for Schedule {
    fn name(&self) -> &'static str {
        "schedule"
    }

    fn run(&self, resources: Vec<Resource>, _cx: &Context<'_>) -> StageOutput {
        let result = simulate(&resources, &self.inventory, &self.options);
        let diagnostics = diagnostics(&result, &resources);
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(result);
        }
        StageOutput {
            resources,
            diagnostics,
        }
    }
}

/// Findings about the run's workloads: one `pod-unschedulable` per workload
/// and reason, one `drain-blocked` per node whose drain fails or is blocked.
pub fn diagnostics(result: &ScheduleResult, resources: &[Resource]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // (workload, message) -> pod names
    let mut groups: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    for (id, info) in result.pods.iter().enumerate() {
        let pod = &result.cluster.pods[id];
        let Some(w) = pod.workload else {
            continue;
        };
        let message = match &info.state {
            PodState::Bound { .. } => continue,
            PodState::Pending { message } => message.clone(),
            PodState::NotCreated { reason } => reason.clone(),
        };
        groups
            .entry((w, message))
            .or_default()
            .push(pod.name.clone());
    }
    for r in &result.rejected {
        groups
            .entry((r.workload, r.message.clone()))
            .or_default()
            .push(r.pod.clone());
    }
    for ((w, message), pods) in groups {
        let workload = &result.workloads[w];
        let Some(resource) = workload.resource.and_then(|i| resources.get(i)) else {
            continue;
        };
        let subject = if workload.kind == "Pod" {
            format!("pod {} cannot run", workload.name)
        } else if pods.len() == 1 {
            format!("pod {} of {} cannot run", pods[0], workload.display())
        } else {
            format!(
                "{} of {} pods of {} cannot run",
                pods.len(),
                workload.desired.max(pods.len()),
                workload.display()
            )
        };
        out.push(
            resource
                .diagnostic(
                    &codes::POD_UNSCHEDULABLE,
                    format!("{subject}: {message}"),
                    "/metadata/name",
                    Target::Value,
                )
                .help(format!(
                    "`drydock schedule --explain {}` shows each node's verdict",
                    pods[0]
                )),
        );
    }
    if let Some(drains) = &result.drain {
        for d in drains {
            let node = &result.cluster.nodes[d.node].name;
            match d.verdict {
                drain::Verdict::Fail => {
                    let Some((pod, message)) = &d.failure else {
                        continue;
                    };
                    let p = &result.cluster.pods[*pod];
                    let Some(resource) = p
                        .workload
                        .and_then(|w| result.workloads[w].resource)
                        .and_then(|i| resources.get(i))
                    else {
                        continue;
                    };
                    out.push(resource.diagnostic(
                        &codes::DRAIN_BLOCKED,
                        format!(
                            "draining node {node} leaves pod {} with nowhere to go: {message}",
                            p.name
                        ),
                        "/metadata/name",
                        Target::Value,
                    ));
                }
                drain::Verdict::Blocked => {
                    for u in d.budgets.iter().filter(|u| u.allowed == 0) {
                        let Some(resource) = result
                            .budgets
                            .iter()
                            .find(|(b, _)| b.name == u.name && b.namespace == u.namespace)
                            .and_then(|(_, i)| *i)
                            .and_then(|i| resources.get(i))
                        else {
                            continue;
                        };
                        out.push(
                            resource
                                .diagnostic(
                                    &codes::DRAIN_BLOCKED,
                                    format!(
                                        "draining node {node} is blocked: PodDisruptionBudget {} allows no disruption and covers {} pod(s) on the node",
                                        u.name, u.pods
                                    ),
                                    "/spec",
                                    Target::Key,
                                )
                                .help("with minAvailable equal to the replicas (or maxUnavailable: 0) no voluntary eviction is ever allowed"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
