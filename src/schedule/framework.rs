//! One scheduling cycle, as kube-scheduler's framework runs it, and the queue
//! that feeds it.
//!
//! A cycle runs PreFilter over the filter plugins (a plugin may skip, narrow
//! the candidate nodes, or reject the pod), then Filter per node in profile
//! order, stopping at the first plugin that rejects the node, so each node
//! carries the reasons of one plugin. As upstream, Filter stops once
//! `numFeasibleNodesToFind` nodes passed (every node in clusters under 100
//! nodes, else `percentageOfNodesToScore` of them), examining the nodes in
//! the node tree's order (zones round-robin) from the node after the last
//! one the previous cycle examined. With no feasible node every node was
//! examined, the PostFilter plugins (preemption) run and the pod gets its
//! FitError message. With one feasible node it is chosen without scoring;
//! otherwise every score plugin scores the feasible nodes found, scores are
//! normalized to 0-100, weighted and summed, and the highest total wins.
//! Upstream keeps whichever feasible nodes its goroutines find first and
//! breaks ties at random; drydock takes the first ones in scan order, breaks
//! ties by inventory order and reports the tie.
//!
//! The queue orders pods as PrioritySort does (higher priority first, then
//! arrival), with DaemonSet pods ahead of the rest (in a live cluster they
//! already run on every node). Pods that fail are retried after every pass
//! that placed something, as cluster events requeue them upstream.

use std::any::Any;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::cluster::{Cluster, NodeInfo};
use super::message;
use super::plugins;
use super::types::Pod;

/// A Kubernetes release, for the behaviour and message texts that changed
/// between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub minor: u32,
    pub patch: u32,
}

impl Default for Version {
    fn default() -> Self {
        Version::DEFAULT
    }
}

impl Version {
    /// The release whose messages drydock reproduces by default.
    pub const DEFAULT: Version = Version {
        minor: 32,
        patch: 0,
    };

    /// `1.32`, `1.32.4`, `v1.32`.
    pub fn parse(text: &str) -> Result<Version, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(Version {
                minor: 37,
                patch: 0,
            });
        }
        let digits = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let mut parts = digits.split('.');
        let bad = || {
            format!(
                "invalid Kubernetes version `{text}`: expected a version such as 1.32 or 1.32.4"
            )
        };
        if parts.next() != Some("1") {
            return Err(bad());
        }
        let minor: u32 = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
        let patch: u32 = match parts.next() {
            Some(p) => p.parse().map_err(|_| bad())?,
            None => 0,
        };
        if parts.next().is_some() || !(20..=37).contains(&minor) {
            return Err(bad());
        }
        Ok(Version { minor, patch })
    }

    /// The taint reason without the taint (PR #134740, v1.35 and v1.34.2).
    pub fn taint_reason_without_taint(self) -> bool {
        self.minor >= 35 || (self.minor == 34 && self.patch >= 2)
    }

    /// DynamicResources is on by default (DRA GA), adding its PostFilter message.
    pub fn dra_enabled(self) -> bool {
        self.minor >= 34
    }

    /// A request above allocatable is UnschedulableAndUnresolvable (PR #131345).
    pub fn fit_unresolvable_over_allocatable(self) -> bool {
        self.minor >= 34
    }

    /// BalancedAllocation skips pods that request nothing (PR #130260).
    pub fn balanced_skips_best_effort(self) -> bool {
        self.minor >= 33
    }

    /// Pod-level resources are on by default (beta).
    pub fn pod_level_resources(self) -> bool {
        self.minor >= 34
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}.{}", self.minor, self.patch)
    }
}

/// A plugin's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Success,
    /// Preemption might help.
    Unschedulable,
    /// Preemption cannot help.
    UnschedulableAndUnresolvable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: Code,
    reasons: Reasons,
}

/// A status's reasons. Filters reject thousands of nodes per cycle, nearly
/// always with one fixed reason, which is kept without an allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reasons {
    One(Cow<'static, str>),
    Many(Vec<Cow<'static, str>>),
}

impl Status {
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Reasons::Many(Vec::new()),
        }
    }

    pub fn unschedulable(reason: impl Into<Cow<'static, str>>) -> Status {
        Status {
            code: Code::Unschedulable,
            reasons: Reasons::One(reason.into()),
        }
    }

    pub fn unresolvable(reason: impl Into<Cow<'static, str>>) -> Status {
        Status {
            code: Code::UnschedulableAndUnresolvable,
            reasons: Reasons::One(reason.into()),
        }
    }

    /// A status with any number of reasons.
    pub fn with_reasons(code: Code, reasons: Vec<String>) -> Status {
        let mut reasons: Vec<Cow<'static, str>> = reasons.into_iter().map(Cow::Owned).collect();
        Status {
            code,
            reasons: match reasons.len() {
                1 => Reasons::One(reasons.remove(0)),
                _ => Reasons::Many(reasons),
            },
        }
    }

    pub fn reasons(&self) -> &[Cow<'static, str>] {
        match &self.reasons {
            Reasons::One(r) => std::slice::from_ref(r),
            Reasons::Many(rs) => rs,
        }
    }

    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }

    /// The reasons joined as `Status.Message()` does.
    pub fn message(&self) -> String {
        self.reasons().join(", ")
    }
}

/// State a plugin keeps for the rest of a cycle; cloned when preemption
/// evaluates a node.
pub trait StateData: Any + Send + Sync {
    fn clone_box(&self) -> Box<dyn StateData>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone + Send + Sync> StateData for T {
    fn clone_box(&self) -> Box<dyn StateData> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Downcasts a plugin's state.
pub fn state<T: 'static>(s: Option<&dyn StateData>) -> Option<&T> {
    s.and_then(|s| s.as_any().downcast_ref::<T>())
}

/// [`Plugin::score_nodes`] for plugins whose state of type `T` scores a
/// node by its index: the state is downcast once for all of `nodes`, and
/// every node scores 0 without it.
pub fn score_each<T: 'static>(
    st: Option<&dyn StateData>,
    nodes: &[&NodeInfo],
    score: impl Fn(&T, usize) -> i64,
) -> Vec<i64> {
    match state::<T>(st) {
        Some(s) => nodes.iter().map(|info| score(s, info.node)).collect(),
        None => vec![0; nodes.len()],
    }
}

/// Downcasts a plugin's state for an update.
pub fn state_mut<T: 'static>(s: &mut dyn StateData) -> Option<&mut T> {
    s.as_any_mut().downcast_mut::<T>()
}

/// The outcome of a plugin's PreFilter.
pub enum PreFilter {
    /// The plugin has nothing to check for this pod; its Filter is not run.
    Skip,
    /// Filter runs; `nodes` narrows the candidates to these node names.
    Pass {
        state: Option<Box<dyn StateData>>,
        nodes: Option<BTreeSet<String>>,
    },
    /// Every node fails with this status.
    Reject(Status),
}

impl PreFilter {
    pub fn state(s: impl StateData) -> PreFilter {
        PreFilter::Pass {
            state: Some(Box::new(s)),
            nodes: None,
        }
    }

    pub fn pass() -> PreFilter {
        PreFilter::Pass {
            state: None,
            nodes: None,
        }
    }
}

/// The outcome of a plugin's PreScore.
pub enum PreScore {
    Skip,
    Run(Option<Box<dyn StateData>>),
}

/// What the plugins of a cycle see.
pub struct Cycle<'a> {
    pub cluster: &'a Cluster,
    pub pod: &'a Pod,
    pub version: Version,
}

impl Cycle<'_> {
    pub fn node(&self, info: &NodeInfo) -> &super::types::Node {
        &self.cluster.nodes[info.node]
    }
}

/// A kube-scheduler plugin. Filter plugins return true from `is_filter`;
/// score plugins have a weight above zero.
pub trait Plugin: Send + Sync {
    fn name(&self) -> &'static str;

    fn is_filter(&self) -> bool {
        false
    }

    /// PreFilter, Filter, PreScore and Score read only the pod's spec, the
    /// node and the pods bound to it (and cluster data that never changes
    /// during a run), so a verdict or raw score holds for the next pod with
    /// the same spec while the node's pods are unchanged ([`CycleCache`]).
    fn node_local(&self) -> bool {
        false
    }

    fn pre_filter(&self, _cx: &Cycle<'_>) -> PreFilter {
        PreFilter::pass()
    }

    fn filter(&self, _cx: &Cycle<'_>, _state: Option<&dyn StateData>, _info: &NodeInfo) -> Status {
        Status::success()
    }

    /// PreFilter's AddPod / RemovePod: `delta` is +1 when `other` is added to
    /// the node of `info`, -1 when it is removed (preemption dry runs).
    fn update_state(
        &self,
        _cx: &Cycle<'_>,
        _state: &mut dyn StateData,
        _other: &Pod,
        _info: &NodeInfo,
        _delta: i64,
    ) {
    }

    /// The weight in the default profile; 0 for plugins that do not score.
    fn weight(&self) -> i64 {
        0
    }

    fn pre_score(&self, _cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        PreScore::Run(None)
    }

    fn score(&self, _cx: &Cycle<'_>, _state: Option<&dyn StateData>, _info: &NodeInfo) -> i64 {
        0
    }

    /// Score on each of `nodes`, in order. Plugins that rescore every
    /// feasible node each cycle override it to read their state once.
    fn score_nodes(
        &self,
        cx: &Cycle<'_>,
        state: Option<&dyn StateData>,
        nodes: &[&NodeInfo],
    ) -> Vec<i64> {
        nodes
            .iter()
            .map(|info| self.score(cx, state, info))
            .collect()
    }

    fn normalize(
        &self,
        _cx: &Cycle<'_>,
        _state: Option<&dyn StateData>,
        _feasible: &[&NodeInfo],
        _scores: &mut [i64],
    ) {
    }
}

/// Why each node was rejected: the FitError's diagnosis.
#[derive(Clone, Debug, Default)]
pub struct Diagnosis {
    /// Per node (index into the cluster's nodes): the plugin and status that
    /// rejected it, or `None` for nodes that were never filtered.
    pub statuses: Vec<Option<(&'static str, Status)>>,
    /// The status of nodes that were never filtered.
    pub absent: Option<Status>,
    /// The message of a PreFilter rejection (then no node was filtered).
    pub pre_filter_msg: Option<String>,
}

impl Diagnosis {
    /// The code a node ended with (explicit or absent).
    pub fn code_of(&self, node: usize) -> Option<Code> {
        match &self.statuses[node] {
            Some((_, s)) => Some(s.code),
            None => self.absent.as_ref().map(|s| s.code),
        }
    }
}

/// One score plugin's result for one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: &'static str,
    pub raw: i64,
    /// After NormalizeScore, before the weight.
    pub normalized: i64,
    pub weight: i64,
}

/// A node's part in a cycle, for `--explain`.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Passed every filter.
    Feasible,
    /// Rejected by a filter plugin.
    Rejected {
        plugin: &'static str,
        status: Status,
    },
    /// Not a candidate: PreFilter rejected the pod or narrowed the nodes.
    NotCandidate(Status),
    /// Not filtered: the cycle had found enough feasible nodes
    /// (percentageOfNodesToScore) before reaching it.
    NotExamined,
}

#[derive(Clone, Debug)]
pub struct NodeExplain {
    pub node: usize,
    pub verdict: Verdict,
    /// Score plugins that ran, in profile order (empty when not scored).
    pub scores: Vec<PluginScore>,
    pub total: Option<i64>,
}

/// Everything a cycle found out, for `--explain`.
#[derive(Clone, Debug, Default)]
pub struct Explain {
    pub nodes: Vec<NodeExplain>,
    /// Score plugins that PreScore skipped.
    pub skipped_scores: Vec<&'static str>,
    /// Only one node was feasible, so nothing was scored.
    pub single_feasible: bool,
}

/// A cycle's result.
#[derive(Clone, Debug)]
pub enum Decision {
    Placed {
        node: usize,
        /// Other nodes with the same best total (only when explained).
        ties: Vec<usize>,
    },
    /// No feasible node; preemption may have found victims on a node.
    Unschedulable {
        message: String,
        diagnosis: Box<Diagnosis>,
        nominated: Option<(usize, Vec<usize>)>,
    },
}

pub struct CycleResult {
    pub decision: Decision,
    pub explain: Option<Explain>,
    /// How many nodes the cycle examined (the start index moves past them).
    pub examined: usize,
}

/// What a scan found, in scan order.
#[derive(Default)]
struct Scan {
    feasible: Vec<usize>,
    /// The statuses of the rejections the cache does not hold (the
    /// node-local plugins' verdicts stay in the cache).
    statuses: Vec<(usize, &'static str, Status)>,
    /// Nodes examined: the feasible and rejected ones.
    examined: usize,
}

impl Scan {
    /// An empty scan that will keep up to `want` of `len` candidates.
    fn new(want: usize, len: usize) -> Scan {
        Scan {
            feasible: Vec::with_capacity(want.min(len)),
            ..Scan::default()
        }
    }

    /// Counts a node as rejected by a node-local plugin: its status stays
    /// in the cache.
    fn reject_cached(&mut self) {
        self.examined += 1;
    }

    /// Counts `node` as examined; false once `want` nodes are feasible.
    fn take(&mut self, node: usize, verdict: Option<(&'static str, Status)>, want: usize) -> bool {
        self.examined += 1;
        match verdict {
            None => {
                self.feasible.push(node);
                self.feasible.len() < want
            }
            Some((plugin, status)) => {
                self.statuses.push((node, plugin, status));
                true
            }
        }
    }
}

/// Below this many nodes, a cycle's filtering or scoring stays on one
/// thread: a node takes tens of nanoseconds, and handing work to another
/// thread and waiting for it costs more than a few hundred of them.
const MIN_SPLIT: usize = 2048;

/// The `j`th candidate from `start`, wrapping around, without a division
/// per node (`start` is below the number of candidates).
fn wrapped(candidates: &[usize], start: usize, j: usize) -> usize {
    let at = start + j;
    let len = candidates.len();
    candidates[if at >= len { at - len } else { at }]
}

/// Whether `len` nodes are worth splitting across the pool's threads.
fn worth_splitting(len: usize) -> bool {
    len >= MIN_SPLIT && rayon::current_num_threads() > 1
}

/// The items per piece when `len` are split: one piece per thread, as a
/// cycle's work is too short to pay for more hand-overs between threads.
fn piece(len: usize) -> usize {
    len.div_ceil(rayon::current_num_threads()).max(32)
}

/// Maps the nodes in parallel when there are enough to pay for it; the
/// results keep the nodes' order.
fn par_map<T: Send>(nodes: &[usize], f: impl Fn(&usize) -> T + Sync + Send) -> Vec<T> {
    if worth_splitting(nodes.len()) {
        nodes
            .par_iter()
            .with_min_len(piece(nodes.len()))
            .map(f)
            .collect()
    } else {
        nodes.iter().map(f).collect()
    }
}

/// Clusters smaller than this are always examined in full.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// The adaptive percentage never goes below this.
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;

/// `numFeasibleNodesToFind`: how many feasible nodes a cycle looks for
/// before it stops filtering, among `nodes` candidates. Every node in
/// clusters under 100 nodes; otherwise `percentage` of them (0 is adaptive:
/// 50% less 1% per 125 nodes, at least 5%), and never fewer than 100.
pub fn num_feasible_nodes_to_find(percentage: u32, nodes: usize) -> usize {
    if nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return nodes;
    }
    let percentage = match percentage as usize {
        0 => 50usize
            .saturating_sub(nodes / 125)
            .max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND),
        p => p.min(100),
    };
    (nodes * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// The node-local plugins' verdict on a node is to be computed.
const STALE: u8 = 0;
const PASS: u8 = 1;
const FAIL: u8 = 2;

/// The node-local plugins' Filter verdicts and raw scores for one pod spec,
/// per node: the replicas of a workload reuse them on every node whose pods
/// did not change since. The cluster logs the nodes whose pods change; a
/// cycle first marks those stale, so a node's entry is read without
/// comparing stamps.
#[derive(Default)]
pub struct CycleCache {
    /// The pod the entries were computed for.
    spec: Option<Pod>,
    /// How much of the cluster's change log the entries account for.
    synced: usize,
    /// Per node: [`STALE`], [`PASS`] or [`FAIL`] (the status is in `filter`).
    filter_state: Vec<u8>,
    filter: Vec<Option<(&'static str, Status)>>,
    /// The node-local score plugins that ran, by index in the profile.
    score_plugins: Vec<usize>,
    score_fresh: Vec<bool>,
    /// The raw score of each of `score_plugins`, node after node.
    scores: Vec<i64>,
}

impl CycleCache {
    /// Keeps the entries when `pod` has the spec they were computed for,
    /// less those of the nodes whose pods changed since.
    fn prepare(&mut self, pod: &Pod, cluster: &Cluster) {
        let nodes = cluster.nodes.len();
        let changed = cluster.changes.get(self.synced..);
        self.synced = cluster.changes.len();
        if let Some(changed) = changed.filter(|_| {
            self.filter_state.len() == nodes
                && self.spec.as_ref().is_some_and(|s| same_spec(s, pod))
        }) {
            for &node in changed {
                self.filter_state[node] = STALE;
                self.score_fresh[node] = false;
            }
            return;
        }
        self.spec = Some(pod.clone());
        if self.filter_state.len() != nodes {
            self.filter_state = vec![STALE; nodes];
            self.filter = vec![None; nodes];
            self.score_fresh = vec![false; nodes];
        }
        self.filter_state.fill(STALE);
        self.score_plugins.clear();
        self.score_fresh.fill(false);
    }

    /// Keeps the node-local plugins' verdict on `node`.
    fn store_filter(&mut self, node: usize, v: Option<(&'static str, Status)>) {
        self.filter_state[node] = if v.is_none() { PASS } else { FAIL };
        self.filter[node] = v;
    }
}

/// Whether two pods are the same to the node-local plugins: everything they
/// read of a pod but its name and labels. Replicas share their spec, which
/// makes the comparison short.
fn same_spec(a: &Pod, b: &Pod) -> bool {
    a.node_name == b.node_name && (a.shares_spec(b) || same_spec_fields(a, b))
}

fn same_spec_fields(a: &Pod, b: &Pod) -> bool {
    a.namespace == b.namespace
        && a.node_selector == b.node_selector
        && a.required_node_affinity == b.required_node_affinity
        && a.preferred_node_affinity == b.preferred_node_affinity
        && a.tolerations == b.tolerations
        && a.containers == b.containers
        && a.overhead == b.overhead
        && a.pod_level_requests == b.pod_level_requests
        && a.requests == b.requests
        && a.non_zero_cpu == b.non_zero_cpu
        && a.non_zero_memory == b.non_zero_memory
        && a.volumes == b.volumes
        && a.host_network == b.host_network
}

/// The default profile's plugins, in order.
pub struct Framework {
    pub plugins: Vec<Box<dyn Plugin>>,
    pub version: Version,
    /// The PodDisruptionBudgets preemption tries not to violate.
    pub budgets: Vec<super::pdb::Budget>,
    /// percentageOfNodesToScore: 0 is adaptive, 100 examines every node.
    pub percentage_of_nodes_to_score: u32,
    /// Where the next cycle starts examining nodes, in scan order.
    next_start: AtomicUsize,
}

/// The per-cycle state of every plugin after PreFilter.
pub struct PreFiltered {
    pub states: Vec<Option<Box<dyn StateData>>>,
    pub skipped: Vec<bool>,
    /// Nodes PreFilter narrowed the candidates to, with the plugins that did.
    pub nodes: Option<(BTreeSet<String>, Vec<&'static str>)>,
    /// The plugins whose Filter runs this cycle, in profile order; the first
    /// `local` of them are node-local.
    filters: Vec<usize>,
    local: usize,
}

impl PreFiltered {
    /// The node-local filters that run: their verdicts can be cached.
    fn local_filters(&self) -> &[usize] {
        &self.filters[..self.local]
    }

    /// The filters after the node-local ones that run.
    fn other_filters(&self) -> &[usize] {
        &self.filters[self.local..]
    }

    pub fn clone_states(&self) -> Vec<Option<Box<dyn StateData>>> {
        self.states
            .iter()
            .map(|s| s.as_ref().map(|s| (**s).clone_box()))
            .collect()
    }
}

impl Framework {
    /// kube-scheduler's default plugins with their default arguments.
    pub fn new(version: Version) -> Framework {
        Framework {
            plugins: plugins::default_profile(version),
            version,
            budgets: Vec::new(),
            percentage_of_nodes_to_score: 0,
            next_start: AtomicUsize::new(0),
        }
    }

    /// A framework running only the given plugins (for tests of one plugin).
    pub fn with_plugins(version: Version, plugins: Vec<Box<dyn Plugin>>) -> Framework {
        Framework {
            plugins,
            version,
            budgets: Vec::new(),
            percentage_of_nodes_to_score: 0,
            next_start: AtomicUsize::new(0),
        }
    }

    /// Runs PreFilter; `Err` is the status every node gets.
    pub fn pre_filter(&self, cx: &Cycle<'_>) -> Result<PreFiltered, Status> {
        let mut out = PreFiltered {
            states: Vec::with_capacity(self.plugins.len()),
            skipped: vec![false; self.plugins.len()],
            nodes: None,
            filters: Vec::new(),
            local: 0,
        };
        let mut rejected: Option<Status> = None;
        for (i, p) in self.plugins.iter().enumerate() {
            if !p.is_filter() {
                out.states.push(None);
                out.skipped[i] = true;
                continue;
            }
            match p.pre_filter(cx) {
                PreFilter::Skip => {
                    out.states.push(None);
                    out.skipped[i] = true;
                }
                PreFilter::Reject(s) if s.code == Code::UnschedulableAndUnresolvable => {
                    return Err(s);
                }
                PreFilter::Reject(s) => {
                    // Unschedulable: the other PreFilters still run, for preemption;
                    // the last such status is the one reported.
                    rejected = Some(s);
                    out.states.push(None);
                }
                PreFilter::Pass { state, nodes } => {
                    out.states.push(state);
                    if let Some(names) = nodes {
                        let (set, plugins) =
                            out.nodes.get_or_insert_with(|| (names.clone(), Vec::new()));
                        set.retain(|n| names.contains(n));
                        plugins.push(p.name());
                        if set.is_empty() {
                            let msg = if plugins.len() == 1 {
                                format!("node(s) didn't satisfy plugin {}", plugins[0])
                            } else {
                                format!(
                                    "node(s) didn't satisfy plugin(s) [{}] simultaneously",
                                    plugins.join(" ")
                                )
                            };
                            return Err(Status::unresolvable(msg));
                        }
                    }
                }
            }
        }
        if let Some(s) = rejected {
            return Err(s);
        }
        out.filters = (0..self.plugins.len())
            .filter(|&i| !out.skipped[i])
            .collect();
        let prefix = self.local_prefix();
        out.local = out.filters.iter().take_while(|&&i| i < prefix).count();
        Ok(out)
    }

    /// Runs the filters on one node: the first failing plugin and its status.
    pub fn filter_node(
        &self,
        cx: &Cycle<'_>,
        pre: &PreFiltered,
        states: &[Option<Box<dyn StateData>>],
        info: &NodeInfo,
    ) -> Option<(&'static str, Status)> {
        self.filter_plugins(cx, states, info, &pre.filters)
    }

    /// [`Framework::filter_node`] over some of the plugins.
    fn filter_plugins(
        &self,
        cx: &Cycle<'_>,
        states: &[Option<Box<dyn StateData>>],
        info: &NodeInfo,
        plugins: &[usize],
    ) -> Option<(&'static str, Status)> {
        for &i in plugins {
            let p = &self.plugins[i];
            let s = p.filter(cx, states[i].as_deref(), info);
            if !s.is_success() {
                return Some((p.name(), s));
            }
        }
        None
    }

    /// How many plugins at the head of the profile are node-local: their
    /// Filter verdicts can be cached per node.
    fn local_prefix(&self) -> usize {
        self.plugins.iter().take_while(|p| p.node_local()).count()
    }

    /// Runs the filters on `nodes` (in parallel when there are many) and
    /// takes their verdicts into `out` in order, until `want` nodes are
    /// feasible. With the cache, the node-local plugins' verdicts are reused
    /// where the node is unchanged, and the other filters run on the nodes
    /// that pass them.
    fn filter_chunk(
        &self,
        cx: &Cycle<'_>,
        pre: &PreFiltered,
        nodes: &[usize],
        cache: Option<&mut CycleCache>,
        want: usize,
        out: &mut Scan,
    ) {
        let infos = &cx.cluster.infos;
        let Some(cache) = cache else {
            let verdicts = par_map(nodes, |&i| {
                self.filter_node(cx, pre, &pre.states, &infos[i])
            });
            for (&node, v) in nodes.iter().zip(verdicts) {
                if !out.take(node, v, want) {
                    break;
                }
            }
            return;
        };
        let stale: Vec<usize> = nodes
            .iter()
            .copied()
            .filter(|&i| cache.filter_state[i] == STALE)
            .collect();
        if !stale.is_empty() {
            let fresh = par_map(&stale, |&i| {
                self.filter_plugins(cx, &pre.states, &infos[i], pre.local_filters())
            });
            for (i, v) in stale.into_iter().zip(fresh) {
                cache.store_filter(i, v);
            }
        }
        let others = pre.other_filters();
        if others.is_empty() {
            // The verdicts are the cached ones: no status to copy.
            for &node in nodes {
                if cache.filter_state[node] == FAIL {
                    out.reject_cached();
                } else if !out.take(node, None, want) {
                    break;
                }
            }
            return;
        }
        let passing: Vec<usize> = nodes
            .iter()
            .copied()
            .filter(|&i| cache.filter_state[i] == PASS)
            .collect();
        let verdicts = par_map(&passing, |&i| {
            self.filter_plugins(cx, &pre.states, &infos[i], others)
        });
        let mut verdicts = passing.iter().zip(verdicts).peekable();
        for &node in nodes {
            match verdicts.next_if(|&(&j, _)| j == node) {
                Some((_, v)) => {
                    if !out.take(node, v, want) {
                        break;
                    }
                }
                None => out.reject_cached(),
            }
        }
    }

    /// `findNodesThatPassFilters`: examines `candidates` (in scan order) from
    /// `start`, wrapping around, until `want` feasible nodes are found or
    /// every candidate was examined. Upstream filters in parallel and keeps
    /// whichever nodes pass first; here the chunks filtered in parallel are
    /// consumed in scan order, so the same nodes are found whatever the
    /// thread count.
    fn scan(
        &self,
        cx: &Cycle<'_>,
        pre: &PreFiltered,
        candidates: &[usize],
        start: usize,
        want: usize,
        mut cache: Option<&mut CycleCache>,
    ) -> Scan {
        let len = candidates.len();
        if !worth_splitting(want) {
            return self.scan_serial(cx, pre, candidates, start, want, cache);
        }
        let mut out = Scan::new(want, len);
        while out.examined < len && out.feasible.len() < want {
            let need = want - out.feasible.len();
            // Enough nodes for `need` feasible ones at the rate seen so far.
            let guess = need * (out.examined + 1) / (out.feasible.len() + 1);
            let k = guess.max(need).max(64).min(len - out.examined);
            // Positions from `start`, wrapping around, without a division
            // per node.
            let chunk: Vec<usize> = (out.examined..out.examined + k)
                .map(|j| wrapped(candidates, start, j))
                .collect();
            self.filter_chunk(cx, pre, &chunk, cache.as_deref_mut(), want, &mut out);
        }
        out
    }

    /// [`Framework::scan`] on one thread: node after node, each filtered
    /// only when reached, without the chunks' intermediate verdicts.
    fn scan_serial(
        &self,
        cx: &Cycle<'_>,
        pre: &PreFiltered,
        candidates: &[usize],
        start: usize,
        want: usize,
        mut cache: Option<&mut CycleCache>,
    ) -> Scan {
        let mut out = Scan::new(want, candidates.len());
        let infos = &cx.cluster.infos;
        let (local, others) = (pre.local_filters(), pre.other_filters());
        // The two halves of the wrapped order, with the body inlined once.
        'scan: for half in [&candidates[start..], &candidates[..start]] {
            for &node in half {
                let verdict = match cache.as_deref_mut() {
                    None => self.filter_node(cx, pre, &pre.states, &infos[node]),
                    Some(c) => {
                        if c.filter_state[node] == STALE {
                            let v = self.filter_plugins(cx, &pre.states, &infos[node], local);
                            c.store_filter(node, v);
                        }
                        if c.filter_state[node] == FAIL {
                            out.reject_cached();
                            continue;
                        }
                        if others.is_empty() {
                            None
                        } else {
                            self.filter_plugins(cx, &pre.states, &infos[node], others)
                        }
                    }
                };
                if !out.take(node, verdict, want) {
                    break 'scan;
                }
            }
        }
        out
    }

    /// The node a cycle starts examining at (`nextStartNodeIndex`).
    pub fn start_index(&self) -> usize {
        self.next_start.load(Ordering::Relaxed)
    }

    /// Sets the start index back (after a trial run).
    pub fn set_start_index(&self, index: usize) {
        self.next_start.store(index, Ordering::Relaxed);
    }

    /// Moves the start index past the nodes a cycle examined.
    fn advance(&self, examined: usize, nodes: usize) {
        if nodes > 0 {
            self.set_start_index((self.start_index() + examined) % nodes);
        }
    }

    /// One scheduling cycle for `pod` (which must not be bound).
    pub fn schedule_one(&self, cluster: &Cluster, pod: &Pod, explain: bool) -> CycleResult {
        self.cycle(cluster, pod, explain, None)
    }

    /// One scheduling cycle, reusing the node-local plugins' results kept in
    /// `cache` for pods with the same spec.
    pub fn cycle(
        &self,
        cluster: &Cluster,
        pod: &Pod,
        explain: bool,
        mut cache: Option<&mut CycleCache>,
    ) -> CycleResult {
        let cx = Cycle {
            cluster,
            pod,
            version: self.version,
        };
        let n = cluster.nodes.len();
        if n == 0 {
            return CycleResult {
                decision: Decision::Unschedulable {
                    message: message::NO_NODES.to_owned(),
                    diagnosis: Box::default(),
                    nominated: None,
                },
                explain: explain.then(Explain::default),
                examined: 0,
            };
        }
        let pre = match self.pre_filter(&cx) {
            Ok(p) => p,
            Err(status) => {
                let diagnosis = Diagnosis {
                    statuses: vec![None; n],
                    pre_filter_msg: Some(status.message()),
                    absent: Some(status.clone()),
                };
                let ex = explain.then(|| Explain {
                    nodes: (0..n)
                        .map(|node| NodeExplain {
                            node,
                            verdict: Verdict::NotCandidate(status.clone()),
                            scores: Vec::new(),
                            total: None,
                        })
                        .collect(),
                    ..Explain::default()
                });
                return self.fail(&cx, diagnosis, None, ex, 0);
            }
        };
        // The named nodes in scan order; looked up by name, as a DaemonSet
        // pod names one node of thousands.
        let restricted: Option<Vec<usize>> = pre.nodes.as_ref().map(|(names, _)| {
            let mut nodes: Vec<usize> = names
                .iter()
                .filter_map(|n| cluster.node_by_name(n))
                .collect();
            nodes.sort_unstable_by_key(|&i| cluster.scan_position[i]);
            nodes
        });
        let candidates: &[usize] = restricted.as_deref().unwrap_or(&cluster.scan_order);
        let absent = pre.nodes.as_ref().map(|(_, plugins)| {
            let mut sorted = plugins.clone();
            sorted.sort_unstable();
            Status::unresolvable(format!(
                "node(s) didn't satisfy plugin(s) [{}]",
                sorted.join(" ")
            ))
        });
        if let Some(c) = cache.as_deref_mut() {
            c.prepare(pod, cluster);
        }
        let want = num_feasible_nodes_to_find(self.percentage_of_nodes_to_score, candidates.len());
        // Where this cycle's scan starts among the candidates.
        let start = self.start_index() % candidates.len().max(1);
        let scan = if candidates.is_empty() {
            Scan::default()
        } else {
            self.scan(&cx, &pre, candidates, start, want, cache.as_deref_mut())
        };
        self.advance(scan.examined, n);
        let examined = scan.examined;
        let Scan {
            feasible,
            statuses: fresh,
            ..
        } = scan;
        let mut ex = None;
        let mut statuses = Vec::new();
        if explain || feasible.is_empty() {
            statuses = vec![None; n];
            // The node-local plugins' verdicts from the cache, then the
            // statuses the scan computed.
            if let Some(c) = cache.as_deref() {
                for j in 0..examined {
                    let node = wrapped(candidates, start, j);
                    if c.filter_state[node] == FAIL {
                        statuses[node].clone_from(&c.filter[node]);
                    }
                }
            }
            for (node, plugin, status) in fresh {
                statuses[node] = Some((plugin, status));
            }
        }
        if explain {
            let mut nodes: Vec<NodeExplain> = (0..n)
                .map(|node| NodeExplain {
                    node,
                    verdict: Verdict::NotCandidate(absent.clone().unwrap_or_else(Status::success)),
                    scores: Vec::new(),
                    total: None,
                })
                .collect();
            for &i in candidates {
                nodes[i].verdict = Verdict::NotExamined;
            }
            for &i in &feasible {
                nodes[i].verdict = Verdict::Feasible;
            }
            for (i, s) in statuses.iter().enumerate() {
                if let Some((plugin, status)) = s {
                    nodes[i].verdict = Verdict::Rejected {
                        plugin,
                        status: status.clone(),
                    };
                }
            }
            ex = Some(Explain {
                nodes,
                ..Explain::default()
            });
        }
        if feasible.is_empty() {
            // Nothing fits, so every candidate was examined.
            let diagnosis = Diagnosis {
                statuses,
                absent,
                pre_filter_msg: None,
            };
            return self.fail(&cx, diagnosis, Some(&pre), ex, examined);
        }
        if feasible.len() == 1 {
            if let Some(e) = &mut ex {
                e.single_feasible = true;
            }
            return CycleResult {
                decision: Decision::Placed {
                    node: feasible[0],
                    ties: Vec::new(),
                },
                explain: ex,
                examined,
            };
        }
        // Scores do not depend on the nodes' order, so the feasible nodes
        // stay in scan order; among the best, a tie goes to the node given
        // first in the inventory.
        let (totals, per_plugin, skipped) = self.score_with(&cx, &feasible, explain, cache);
        let best = totals.iter().copied().max().unwrap_or(0);
        let winners = feasible
            .iter()
            .zip(&totals)
            .filter(|(_, t)| **t == best)
            .map(|(i, _)| *i);
        // The other best nodes are only reported when the pod is explained.
        let (node, ties) = if explain {
            let mut all: Vec<usize> = winners.collect();
            all.sort_unstable();
            let node = all.first().copied().unwrap_or(feasible[0]);
            (node, all.into_iter().skip(1).collect())
        } else {
            (winners.min().unwrap_or(feasible[0]), Vec::new())
        };
        if let Some(e) = &mut ex {
            e.skipped_scores = skipped;
            for (k, &i) in feasible.iter().enumerate() {
                e.nodes[i].scores = per_plugin.iter().map(|p| p[k].clone()).collect();
                e.nodes[i].total = Some(totals[k]);
            }
        }
        CycleResult {
            decision: Decision::Placed { node, ties },
            explain: ex,
            examined,
        }
    }

    /// Scores feasible nodes: totals, per plugin per node results (when
    /// `detail`), and the plugins PreScore skipped.
    #[allow(clippy::type_complexity)]
    pub fn score(
        &self,
        cx: &Cycle<'_>,
        feasible: &[usize],
        detail: bool,
    ) -> (Vec<i64>, Vec<Vec<PluginScore>>, Vec<&'static str>) {
        self.score_with(cx, feasible, detail, None)
    }

    /// [`Framework::score`], reusing the node-local plugins' raw scores kept
    /// in `cache` where the node is unchanged.
    #[allow(clippy::type_complexity)]
    fn score_with(
        &self,
        cx: &Cycle<'_>,
        feasible: &[usize],
        detail: bool,
        cache: Option<&mut CycleCache>,
    ) -> (Vec<i64>, Vec<Vec<PluginScore>>, Vec<&'static str>) {
        let infos: Vec<&NodeInfo> = feasible.iter().map(|&i| &cx.cluster.infos[i]).collect();
        let mut totals = vec![0i64; feasible.len()];
        let mut per_plugin = Vec::new();
        let mut skipped = Vec::new();
        // PreScore first: it reads the cluster only, so the order of the
        // plugins' PreScore and Score calls does not matter.
        let states: Vec<Option<Option<Box<dyn StateData>>>> = self
            .plugins
            .iter()
            .map(|p| {
                if p.weight() == 0 {
                    return None;
                }
                match p.pre_score(cx, &infos) {
                    PreScore::Skip => None,
                    PreScore::Run(s) => Some(s),
                }
            })
            .collect();
        // The node-local plugins that run, and their raw scores per node.
        let local: Vec<usize> = (0..self.plugins.len())
            .filter(|&i| states[i].is_some() && self.plugins[i].node_local())
            .collect();
        let cached: Option<&CycleCache> = match cache {
            Some(c) if !local.is_empty() => {
                if c.score_plugins != local {
                    c.score_plugins.clone_from(&local);
                    c.score_fresh.fill(false);
                    c.scores = vec![0; local.len() * cx.cluster.nodes.len()];
                }
                let width = local.len();
                let score = |i: usize, k: usize| {
                    let state = states[k].as_ref().and_then(|s| s.as_deref());
                    self.plugins[k].score(cx, state, &cx.cluster.infos[i])
                };
                if worth_splitting(feasible.len()) {
                    let stale: Vec<usize> = feasible
                        .iter()
                        .copied()
                        .filter(|&i| !c.score_fresh[i])
                        .collect();
                    let fresh: Vec<i64> = stale
                        .par_iter()
                        .with_min_len(piece(stale.len()))
                        .flat_map_iter(|&i| local.iter().map(move |&k| score(i, k)))
                        .collect();
                    for (&i, v) in stale.iter().zip(fresh.chunks_exact(width)) {
                        c.scores[i * width..(i + 1) * width].copy_from_slice(v);
                        c.score_fresh[i] = true;
                    }
                } else {
                    // On one thread the scores go straight into the cache.
                    for &i in feasible {
                        if !c.score_fresh[i] {
                            for (j, &k) in local.iter().enumerate() {
                                c.scores[i * width + j] = score(i, k);
                            }
                            c.score_fresh[i] = true;
                        }
                    }
                }
                Some(c)
            }
            _ => None,
        };
        let mut spare = Vec::new();
        for (pi, p) in self.plugins.iter().enumerate() {
            let weight = p.weight();
            if weight == 0 {
                continue;
            }
            let Some(state) = &states[pi] else {
                skipped.push(p.name());
                continue;
            };
            let cached_at =
                cached.and_then(|c| local.iter().position(|&k| k == pi).map(|j| (c, j)));
            let state = state.as_deref();
            let mut scores: Vec<i64> = if let Some((c, j)) = cached_at {
                let width = c.score_plugins.len();
                let mut buf = std::mem::take(&mut spare);
                buf.clear();
                buf.extend(feasible.iter().map(|&i| c.scores[i * width + j]));
                buf
            } else if worth_splitting(infos.len()) {
                infos
                    .par_chunks(piece(infos.len()))
                    .map(|chunk| p.score_nodes(cx, state, chunk))
                    .flatten_iter()
                    .collect()
            } else {
                p.score_nodes(cx, state, &infos)
            };
            let raw = detail.then(|| scores.clone());
            p.normalize(cx, state, &infos, &mut scores);
            for (t, s) in totals.iter_mut().zip(&scores) {
                *t += s * weight;
            }
            if let Some(raw) = raw {
                per_plugin.push(
                    raw.into_iter()
                        .zip(scores.iter().copied())
                        .map(|(raw, normalized)| PluginScore {
                            plugin: p.name(),
                            raw,
                            normalized,
                            weight,
                        })
                        .collect(),
                );
            }
            // The next cached plugin gathers into the same buffer.
            spare = scores;
        }
        (totals, per_plugin, skipped)
    }

    /// The FitError: PostFilter plugins run, then the message is assembled.
    fn fail(
        &self,
        cx: &Cycle<'_>,
        diagnosis: Diagnosis,
        pre: Option<&PreFiltered>,
        explain: Option<Explain>,
        examined: usize,
    ) -> CycleResult {
        let mut post = Vec::new();
        if self.version.dra_enabled() {
            post.push("no new claims to deallocate".to_owned());
        }
        let outcome = plugins::default_preemption::preempt(self, cx, &diagnosis, pre);
        let nominated = match outcome {
            plugins::default_preemption::Outcome::Message(m) => {
                post.push(format!("preemption: {m}"));
                None
            }
            plugins::default_preemption::Outcome::Nominated { node, victims } => {
                // PostFilter succeeded: its status carries no message.
                post.clear();
                Some((node, victims))
            }
        };
        let message = message::fit_error(
            cx.cluster.nodes.len(),
            &diagnosis,
            (!post.is_empty()).then(|| post.join(", ")).as_deref(),
        );
        CycleResult {
            decision: Decision::Unschedulable {
                message,
                diagnosis: Box::new(diagnosis),
                nominated,
            },
            explain,
            examined,
        }
    }
}

/// A pod waiting in the scheduling queue.
#[derive(Clone, Debug)]
pub struct QueueItem {
    pub pod: usize,
    /// A pod that must be running first (StatefulSet OrderedReady).
    pub after: Option<usize>,
    /// DaemonSet pods go first.
    pub daemon: bool,
    /// Pods made from one template share a key: while nothing is bound in
    /// between, a failed pod's verdict holds for the next one.
    pub template: Option<usize>,
}

/// Where a pod ended up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodState {
    Bound {
        node: usize,
        ties: Vec<usize>,
    },
    Pending {
        message: String,
    },
    /// Never created (OrderedReady, scheduling gates, admission).
    NotCreated {
        reason: String,
    },
}

/// What the queue did.
#[derive(Debug, Default)]
pub struct QueueResult {
    /// Per pod id; `None` for pods not in the queue.
    pub states: Vec<Option<PodState>>,
    /// Victim pod id to the pod that preempted it.
    pub preempted: BTreeMap<usize, usize>,
    pub explains: BTreeMap<usize, Explain>,
    /// The last FitError of each pending pod.
    pub diagnoses: BTreeMap<usize, Diagnosis>,
}

/// Passes over the pending pods; each pass that binds something requeues
/// the pods that failed.
const MAX_PASSES: usize = 50;

impl Framework {
    /// Whether `pod` passes every filter on `node` (the nominated-node check).
    pub fn fits_on(&self, cluster: &Cluster, pod: &Pod, node: usize) -> bool {
        let cx = Cycle {
            cluster,
            pod,
            version: self.version,
        };
        match self.pre_filter(&cx) {
            Ok(pre) => {
                let allowed = pre
                    .nodes
                    .as_ref()
                    .is_none_or(|(names, _)| names.contains(&cluster.nodes[node].name));
                allowed
                    && self
                        .filter_node(&cx, &pre, &pre.states, &cluster.infos[node])
                        .is_none()
            }
            Err(_) => false,
        }
    }

    /// Binds a pod and its delayed-binding claims.
    pub fn bind(&self, cluster: &mut Cluster, id: usize, node: usize) {
        cluster.bind(id, node);
        if cluster.pods[id].claims().next().is_some() {
            let pod = cluster.pods[id].clone();
            let n = cluster.nodes[node].clone();
            cluster.storage.reserve(&pod, &n);
        }
    }

    /// Schedules the queue: priority order (DaemonSet pods first), retrying
    /// failed pods after every pass that bound something.
    pub fn run_queue(
        &self,
        cluster: &mut Cluster,
        items: &[QueueItem],
        explain: &dyn Fn(&Pod) -> bool,
    ) -> QueueResult {
        let mut order: Vec<&QueueItem> = items.iter().collect();
        order.sort_by_key(|i| (!i.daemon, std::cmp::Reverse(cluster.pods[i.pod].priority)));
        let mut out = QueueResult {
            states: vec![None; cluster.pods.len()],
            ..QueueResult::default()
        };
        let mut binds: u64 = 0;
        let mut cache = CycleCache::default();
        // Bare pods deleted by preemption: nothing recreates them.
        let mut deleted: BTreeSet<usize> = BTreeSet::new();
        for _ in 0..MAX_PASSES {
            let mut progress = false;
            let mut last_fail: BTreeMap<usize, (u64, String, Diagnosis, usize)> = BTreeMap::new();
            for item in &order {
                let id = item.pod;
                // Pods that name their node never reach the scheduler.
                if cluster.bound[id].is_some()
                    || deleted.contains(&id)
                    || cluster.pods[id].node_name.is_some()
                {
                    continue;
                }
                let pod = &cluster.pods[id];
                if pod.gated {
                    out.states[id] = Some(PodState::NotCreated {
                        reason: "the pod has schedulingGates and never reaches the scheduler"
                            .into(),
                    });
                    continue;
                }
                if let Some(prev) = item.after.filter(|&p| cluster.bound[p].is_none()) {
                    out.states[id] = Some(PodState::NotCreated {
                        reason: format!(
                            "not created: {} is not running (podManagementPolicy: OrderedReady)",
                            cluster.pods[prev].name
                        ),
                    });
                    continue;
                }
                let want = explain(pod);
                let reuse = item
                    .template
                    .and_then(|t| last_fail.get(&t))
                    .filter(|(b, _, _, _)| !want && *b == binds);
                if let Some((_, message, diagnosis, examined)) = reuse {
                    // The cycle it stands for would have examined as many nodes.
                    self.advance(*examined, cluster.nodes.len());
                    out.states[id] = Some(PodState::Pending {
                        message: message.clone(),
                    });
                    out.diagnoses.insert(id, diagnosis.clone());
                    continue;
                }
                let r = self.cycle(cluster, pod, want, Some(&mut cache));
                if let Some(e) = r.explain {
                    out.explains.insert(id, e);
                }
                match r.decision {
                    Decision::Placed { node, ties } => {
                        self.bind(cluster, id, node);
                        out.states[id] = Some(PodState::Bound { node, ties });
                        out.diagnoses.remove(&id);
                        binds += 1;
                        progress = true;
                    }
                    Decision::Unschedulable {
                        message,
                        diagnosis,
                        nominated: Some((node, victims)),
                    } => {
                        let name = cluster.pods[id].key();
                        for v in victims {
                            cluster.unbind(v);
                            out.preempted.insert(v, id);
                            if cluster.pods[v].owner_kind.is_none() {
                                deleted.insert(v);
                                out.states[v] = Some(PodState::NotCreated {
                                    reason: format!(
                                        "deleted by preemption for {name}; nothing recreates a pod without a controller"
                                    ),
                                });
                            } else {
                                // Its controller makes a replacement, which the
                                // scheduler places anew.
                                cluster.pods[v].node_name = None;
                                out.states[v] = Some(PodState::Pending {
                                    message: format!("preempted by {name}"),
                                });
                            }
                        }
                        let node = if self.fits_on(cluster, &cluster.pods[id], node) {
                            Some(node)
                        } else {
                            match self
                                .schedule_one(cluster, &cluster.pods[id], false)
                                .decision
                            {
                                Decision::Placed { node, .. } => Some(node),
                                Decision::Unschedulable { .. } => None,
                            }
                        };
                        match node {
                            Some(node) => {
                                self.bind(cluster, id, node);
                                out.states[id] = Some(PodState::Bound {
                                    node,
                                    ties: Vec::new(),
                                });
                            }
                            None => {
                                out.states[id] = Some(PodState::Pending { message });
                                out.diagnoses.insert(id, *diagnosis);
                            }
                        }
                        binds += 1;
                        progress = true;
                    }
                    Decision::Unschedulable {
                        message, diagnosis, ..
                    } => {
                        if let Some(t) = item.template {
                            last_fail.insert(
                                t,
                                (binds, message.clone(), (*diagnosis).clone(), r.examined),
                            );
                        }
                        out.states[id] = Some(PodState::Pending { message });
                        out.diagnoses.insert(id, *diagnosis);
                    }
                }
            }
            if !progress {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster};

    /// The queue reuses node-local results between replicas; every pod must
    /// land where an uncached cycle puts it, with the same ties.
    #[test]
    fn cached_cycles_place_as_uncached_ones() {
        let nodes = (0..9)
            .map(|i| {
                let mut b = NodeBuilder::new(&format!("n{i}"))
                    .label("kubernetes.io/hostname", &format!("n{i}"))
                    .label("topology.kubernetes.io/zone", ["a", "b", "c"][i % 3])
                    .alloc(&[
                        ("cpu", if i < 6 { "4" } else { "8" }),
                        ("memory", "8Gi"),
                        ("pods", "12"),
                    ]);
                if i == 7 {
                    b = b.taint("pool", "big", "NoSchedule");
                }
                if i == 2 {
                    b = b.taint("slow", "", "PreferNoSchedule");
                }
                b.build()
            })
            .collect();
        let mut c = cluster(nodes, vec![]);
        let specs = [
            "containers: [{name: c, image: web:1, resources: {requests: {cpu: 300m, memory: 256Mi}}}]",
            "affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {labelSelector: {matchLabels: {app: t1}}, topologyKey: kubernetes.io/hostname}}]}}\ncontainers: [{name: c, image: api:1, resources: {requests: {cpu: 500m, memory: 1Gi}}}]",
            "topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: t2}}}]\ncontainers: [{name: c, image: db:1, resources: {requests: {cpu: 700m, memory: 512Mi}}}]",
            "tolerations: [{key: pool, operator: Exists}]\ncontainers: [{name: c, image: big:1, resources: {requests: {cpu: '1', memory: 2Gi}}}]",
        ];
        let mut items = Vec::new();
        for round in 0..3 {
            for (t, spec) in specs.iter().enumerate() {
                for r in 0..4 {
                    let app = format!("t{t}");
                    let pod =
                        PodBuilder::spec(&format!("{app}-{round}-{r}"), &[("app", &app)], spec)
                            .build();
                    items.push(QueueItem {
                        pod: c.add_pod(pod),
                        after: None,
                        daemon: false,
                        template: Some(t),
                    });
                }
            }
        }
        let fw = Framework::new(Version::DEFAULT);
        let mut uncached = c.clone();
        let q = fw.run_queue(&mut c, &items, &|_| false);
        let mut placed = 0;
        for item in &items {
            let want = match fw
                .schedule_one(&uncached, &uncached.pods[item.pod], false)
                .decision
            {
                Decision::Placed { node, ties } => {
                    fw.bind(&mut uncached, item.pod, node);
                    placed += 1;
                    PodState::Bound { node, ties }
                }
                Decision::Unschedulable { message, .. } => PodState::Pending { message },
            };
            assert_eq!(
                q.states[item.pod].as_ref(),
                Some(&want),
                "{}",
                uncached.pods[item.pod].name
            );
        }
        assert_eq!(placed, items.len(), "every pod fits");
    }
}

#[cfg(test)]
mod sampling_tests {
    use super::*;
    use crate::schedule::cluster::node_tree_order;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster};
    use crate::schedule::types::Node;

    fn node(name: &str, cpu: &str) -> Node {
        NodeBuilder::new(name)
            .label("kubernetes.io/hostname", name)
            .alloc(&[("cpu", cpu), ("memory", "8Gi"), ("pods", "110")])
            .build()
    }

    fn small_pod(name: &str) -> Pod {
        PodBuilder::spec(
            name,
            &[("app", "x")],
            "containers: [{name: c, image: x, resources: {requests: {cpu: 100m, memory: 64Mi}}}]",
        )
        .build()
    }

    fn placed(r: &CycleResult) -> usize {
        match &r.decision {
            Decision::Placed { node, .. } => *node,
            Decision::Unschedulable { message, .. } => panic!("not placed: {message}"),
        }
    }

    /// Upstream's TestNumFeasibleNodesToFind (a profile's percentage and the
    /// global one are one setting here), with the limits around it.
    #[test]
    fn num_feasible_nodes_to_find_follows_upstream() {
        let cases = [
            // not set, not more than 50 nodes
            (0, 10, 10),
            // set, not more than 50 nodes
            (40, 10, 10),
            // not set, more than 50 nodes: 50% - 1000/125% = 42%
            (0, 1000, 420),
            // set, more than 50 nodes
            (40, 1000, 400),
            (100, 1000, 1000),
            // not set, more than 50*125 nodes: the 5% floor
            (0, 6000, 300),
            // set, more than 50*125 nodes
            (40, 6000, 2400),
            // under 100 nodes every node; at 100, 50% is raised to 100
            (0, 99, 99),
            (0, 100, 100),
            (1, 100, 100),
            (5, 1000, 100),
            (0, 5000, 500),
            (0, 100_000, 5000),
        ];
        for (percentage, nodes, want) in cases {
            assert_eq!(
                num_feasible_nodes_to_find(percentage, nodes),
                want,
                "percentage {percentage}, {nodes} nodes"
            );
        }
    }

    #[test]
    fn node_tree_order_takes_zones_round_robin() {
        let zoned = |name: &str, region: Option<&str>, zone: Option<&str>| {
            let mut b = NodeBuilder::new(name);
            if let Some(r) = region {
                b = b.label("topology.kubernetes.io/region", r);
            }
            if let Some(z) = zone {
                b = b.label("topology.kubernetes.io/zone", z);
            }
            b.build()
        };
        let nodes = vec![
            zoned("a1", None, Some("a")),
            zoned("a2", None, Some("a")),
            zoned("b1", None, Some("b")),
            zoned("none1", None, None),
            zoned("a3", None, Some("a")),
            zoned("r2a1", Some("r2"), Some("a")),
            zoned("b2", None, Some("b")),
            // The beta label wins over the GA one.
            NodeBuilder::new("beta-b")
                .label("failure-domain.beta.kubernetes.io/zone", "b")
                .label("topology.kubernetes.io/zone", "a")
                .build(),
        ];
        let names: Vec<&str> = node_tree_order(&nodes)
            .into_iter()
            .map(|i| nodes[i].name.as_str())
            .collect();
        assert_eq!(
            names,
            ["a1", "b1", "none1", "r2a1", "a2", "b2", "a3", "beta-b"]
        );
    }

    /// Upstream's TestFairEvaluationForNodes: each cycle examines the
    /// nodes after the ones the last cycle examined.
    #[test]
    fn start_index_moves_past_the_examined_nodes() {
        let nodes = (0..500).map(|i| node(&format!("n{i}"), "4")).collect();
        let c = cluster(nodes, vec![]);
        let mut fw = Framework::new(Version::DEFAULT);
        fw.percentage_of_nodes_to_score = 30;
        let pod = small_pod("p");
        let mut chosen = Vec::new();
        for i in 0..8 {
            let r = fw.schedule_one(&c, &pod, true);
            assert_eq!(r.examined, 150);
            assert_eq!(fw.start_index(), (i + 1) * 150 % 500);
            let e = r.explain.as_ref().expect("explain");
            let feasible = e
                .nodes
                .iter()
                .filter(|n| matches!(n.verdict, Verdict::Feasible))
                .count();
            let skipped = e
                .nodes
                .iter()
                .filter(|n| matches!(n.verdict, Verdict::NotExamined))
                .count();
            assert_eq!((feasible, skipped), (150, 350));
            chosen.push(placed(&r));
        }
        // Equal scores: the first node in inventory order among those found.
        assert_eq!(chosen, [0, 150, 300, 0, 100, 250, 0, 50]);
    }

    /// Rejected nodes count as examined; the scan wraps around.
    #[test]
    fn rejected_nodes_move_the_start_index_too() {
        let nodes = (0..200)
            .map(|i| {
                let mut b = NodeBuilder::new(&format!("n{i}")).alloc(&[
                    ("cpu", "4"),
                    ("memory", "8Gi"),
                    ("pods", "110"),
                ]);
                if i < 50 {
                    b = b.taint("dedicated", "x", "NoSchedule");
                }
                b.build()
            })
            .collect();
        let c = cluster(nodes, vec![]);
        let fw = Framework::new(Version::DEFAULT);
        let pod = small_pod("p");
        // 200 nodes: 49% is 98 nodes, raised to 100.
        let r = fw.schedule_one(&c, &pod, false);
        assert_eq!((placed(&r), r.examined, fw.start_index()), (50, 150, 150));
        // 150..199 feasible, 0..49 rejected, 50..99 feasible.
        let r = fw.schedule_one(&c, &pod, false);
        assert_eq!((placed(&r), r.examined, fw.start_index()), (50, 150, 100));
        let r = fw.schedule_one(&c, &pod, false);
        assert_eq!((placed(&r), r.examined, fw.start_index()), (100, 100, 0));
    }

    /// Only the nodes found are scored: the best node of the cluster wins
    /// only when the scan reaches it, or with a percentage of 100.
    #[test]
    fn only_the_nodes_found_are_scored() {
        let nodes = (0..200)
            .map(|i| node(&format!("n{i}"), if i == 199 { "16" } else { "4" }))
            .collect();
        let c = cluster(nodes, vec![]);
        let pod = small_pod("p");
        let fw = Framework::new(Version::DEFAULT);
        assert_eq!(placed(&fw.schedule_one(&c, &pod, false)), 0);
        assert_eq!(placed(&fw.schedule_one(&c, &pod, false)), 199);
        let mut all = Framework::new(Version::DEFAULT);
        all.percentage_of_nodes_to_score = 100;
        assert_eq!(placed(&all.schedule_one(&c, &pod, false)), 199);
        assert_eq!(all.start_index(), 0);
    }

    /// A pod that fits nowhere examines every node, so its message counts
    /// all of them; the start index goes round to where it was.
    #[test]
    fn a_pod_that_fits_nowhere_reports_every_node() {
        let nodes = (0..300)
            .map(|i| {
                let mut b = NodeBuilder::new(&format!("n{i}"))
                    .label("topology.kubernetes.io/zone", ["a", "b", "c"][i % 3])
                    .alloc(&[("cpu", "1"), ("memory", "8Gi"), ("pods", "110")]);
                if i >= 200 {
                    b = b.taint("dedicated", "x", "NoSchedule");
                }
                b.build()
            })
            .collect();
        let c = cluster(nodes, vec![]);
        let fw = Framework::new(Version::DEFAULT);
        fw.set_start_index(7);
        let pod = PodBuilder::spec(
            "big",
            &[("app", "big")],
            "containers: [{name: c, image: x, resources: {requests: {cpu: '2'}}}]",
        )
        .build();
        let r = fw.schedule_one(&c, &pod, false);
        let Decision::Unschedulable { message, .. } = &r.decision else {
            panic!("placed");
        };
        assert_eq!(
            message,
            "0/300 nodes are available: 100 node(s) had untolerated taint {dedicated: x}, 200 Insufficient cpu. preemption: 0/300 nodes are available: 100 Preemption is not helpful for scheduling, 200 No preemption victims found for incoming pod."
        );
        assert_eq!((r.examined, fw.start_index()), (300, 7));
    }
}
