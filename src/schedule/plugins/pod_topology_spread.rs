//! PodTopologySpread.
//!
//! Filter (the pod's `whenUnsatisfiable: DoNotSchedule` constraints):
//! PreFilter counts, per constraint and topology value, the pods in the pod's
//! namespace that match the constraint's selector (with `matchLabelKeys`
//! merged in) on every node that has all the constraints' topology keys and
//! passes the inclusion policies (`nodeAffinityPolicy: Honor`, the default:
//! the node must match the pod's nodeSelector and required affinity;
//! `nodeTaintsPolicy: Honor`: the pod must tolerate the node's taints; the
//! default is Ignore). On a node that lacks a topology key:
//! UnschedulableAndUnresolvable, `node(s) didn't match pod topology spread
//! constraints (missing required label)`. Otherwise `skew = count in the
//! node's domain + (1 if the pod matches its own selector) - global minimum`
//! (the minimum is 0 while there are fewer domains than `minDomains`); above
//! `maxSkew`: Unschedulable, `node(s) didn't match pod topology spread
//! constraints`.
//!
//! Score (weight 2; `ScheduleAnyway` constraints, or, for a pod without any
//! constraint, the system defaults: hostname with maxSkew 3 and zone with
//! maxSkew 5, selecting the pods of the Services and controller that select
//! the pod): per node `Σ count × ln(domains + 2) + (maxSkew - 1)`, where the
//! hostname count is the matching pods on the node and domains are counted
//! among the feasible nodes; fewer is better, normalized as
//! `100 × (max + min - score) / max`. With explicit constraints a node that
//! lacks a topology key is ignored (scores 0).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::schedule::cluster::{Domains, NodeInfo};
use crate::schedule::framework::{
    Cycle, Plugin, PreFilter, PreScore, StateData, Status, score_each, state, state_mut,
};
use crate::schedule::selector::LabelSelector;
use crate::schedule::types::{Node, Pod, untolerated_taint};

use super::node_affinity::required_matches;

pub const ERR_REASON_CONSTRAINTS: &str = "node(s) didn't match pod topology spread constraints";
pub const ERR_REASON_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

const HOSTNAME: &str = "kubernetes.io/hostname";
const ZONE: &str = "topology.kubernetes.io/zone";

pub struct PodTopologySpread;

/// A constraint as the plugin evaluates it.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub max_skew: i64,
    pub key: String,
    /// Shared: the system defaults build two constraints per cycle from
    /// one selector.
    pub selector: Arc<LabelSelector>,
    pub min_domains: i64,
    pub honor_affinity: bool,
    pub honor_taints: bool,
}

/// The pod's constraints of one kind (`hard`: DoNotSchedule), or the system
/// defaults for a pod that has none.
pub fn constraints(pod: &Pod, hard: bool) -> Vec<Constraint> {
    if !pod.spread.is_empty() {
        return pod
            .spread
            .iter()
            .filter(|c| c.hard == hard)
            .map(|c| Constraint {
                max_skew: c.max_skew,
                key: c.topology_key.clone(),
                selector: Arc::new(c.selector.clone()),
                min_domains: c.min_domains,
                honor_affinity: c.honor_node_affinity,
                honor_taints: c.honor_node_taints,
            })
            .collect();
    }
    if hard {
        return Vec::new();
    }
    let Some(selector) = pod
        .default_spread_selector
        .as_ref()
        .filter(|s| !s.is_everything() && !matches!(s.as_ref(), LabelSelector::Nothing))
    else {
        return Vec::new();
    };
    [(HOSTNAME, 3), (ZONE, 5)]
        .into_iter()
        .map(|(key, max_skew)| Constraint {
            max_skew,
            key: key.to_owned(),
            selector: Arc::clone(selector),
            min_domains: 1,
            honor_affinity: true,
            honor_taints: false,
        })
        .collect()
}

/// The domains of each constraint's topology key.
fn domains_of(cx: &Cycle<'_>, cs: &[Constraint]) -> Vec<Arc<Domains>> {
    cs.iter().map(|c| cx.cluster.domains(&c.key)).collect()
}

fn has_all_keys(domains: &[Arc<Domains>], node: usize) -> bool {
    domains.iter().all(|d| d.of_node[node].is_some())
}

/// Whether [`included`] holds for every node: then a domain's count is the
/// cluster's running sum for the domain, without visiting its nodes.
fn includes_every_node(c: &Constraint, pod: &Pod) -> bool {
    (!c.honor_affinity || (pod.node_selector.is_empty() && pod.required_node_affinity.is_none()))
        && !c.honor_taints
}

/// The cluster's running sums per domain of `c.key` over the nodes
/// [`included`] admits for the pod, without visiting them; `None` when
/// taints are honoured, which the cluster does not keep sums for.
fn kept_sums(cx: &Cycle<'_>, c: &Constraint) -> Option<Arc<Vec<Option<i64>>>> {
    if c.honor_taints {
        return None;
    }
    let mask = (!includes_every_node(c, cx.pod)).then(|| cx.cluster.node_affinity_mask(cx.pod));
    Some(
        cx.cluster
            .domain_counts(&cx.pod.namespace, &c.selector, &c.key, mask.as_ref()),
    )
}

/// [`included`] with the pod's node affinity verdicts per node.
fn included_at(c: &Constraint, pod: &Pod, node: &Node, admitted: bool) -> bool {
    (!c.honor_affinity || admitted)
        && (!c.honor_taints || untolerated_taint(&node.taints, &pod.tolerations).is_none())
}

fn included(c: &Constraint, pod: &Pod, node: &Node) -> bool {
    (!c.honor_affinity || required_matches(pod, node))
        && (!c.honor_taints || untolerated_taint(&node.taints, &pod.tolerations).is_none())
}

#[derive(Clone, Debug)]
pub struct FilterState {
    pub constraints: Vec<Constraint>,
    domains: Vec<Arc<Domains>>,
    /// Per constraint, per domain: matching pods, `None` for a domain with
    /// no eligible node (it does not count).
    counts: Vec<Vec<Option<i64>>>,
    /// Per constraint: the smallest count and the number of domains.
    mins: Vec<(i64, usize)>,
    /// Per constraint: 1 when the incoming pod matches its own selector.
    own: Vec<i64>,
}

impl FilterState {
    fn refresh(&mut self) {
        self.mins = self
            .counts
            .iter()
            .map(|c| {
                let present = c.iter().flatten();
                (
                    present.clone().copied().min().unwrap_or(i64::MAX),
                    present.count(),
                )
            })
            .collect();
    }

    /// The global minimum, 0 while there are fewer domains than minDomains.
    pub fn min_match(&self, i: usize) -> i64 {
        let (min, domains) = self.mins[i];
        if (domains as i64) < self.constraints[i].min_domains {
            0
        } else {
            min
        }
    }

    /// Matching pods per topology value (for reports and tests).
    pub fn counts_by_value(&self, i: usize) -> BTreeMap<String, i64> {
        self.counts[i]
            .iter()
            .enumerate()
            .filter_map(|(d, c)| Some((self.domains[i].values[d].clone(), (*c)?)))
            .collect()
    }
}

#[derive(Clone, Debug)]
struct ScoreState {
    /// Nodes lacking a key of the pod's own constraints: they score 0.
    ignored: BTreeSet<usize>,
    /// Per constraint, what a node's score reads, laid out for the loop
    /// over every feasible node.
    terms: Vec<ScoreTerm>,
}

/// One constraint's share of a node's score: `count * weight + skew`.
#[derive(Clone, Debug)]
struct ScoreTerm {
    domains: Arc<Domains>,
    /// Per node for the hostname (the node's own count), else per domain.
    counts: Arc<Vec<i64>>,
    per_node: bool,
    weight: f64,
    /// `maxSkew - 1`.
    skew: f64,
}

impl ScoreState {
    /// The raw score of `node`: matching pods in its domains, weighted by
    /// the log of each topology's size.
    fn score(&self, node: usize) -> i64 {
        if !self.ignored.is_empty() && self.ignored.contains(&node) {
            return 0;
        }
        let mut score = 0.0;
        for t in &self.terms {
            let Some(d) = t.domains.of_node[node] else {
                continue;
            };
            let count = t.counts[if t.per_node { node } else { d as usize }];
            score += count as f64 * t.weight + t.skew;
        }
        round(score)
    }
}

/// `math.Round` (half away from zero). `f64::round` is a library call on the
/// baseline x86-64 target; scores are small and not negative, and below
/// 2^53 the fraction `x - trunc(x)` is exact, so this gives the same integer.
/// The half is added without a branch: whether a score rounds up follows
/// no pattern the processor could predict.
fn round(x: f64) -> i64 {
    if (0.0..9.0e15).contains(&x) {
        let t = x as i64;
        t + i64::from(x - t as f64 >= 0.5)
    } else {
        x.round() as i64
    }
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let cs = constraints(cx.pod, true);
        if cs.is_empty() {
            return PreFilter::Skip;
        }
        let domains = domains_of(cx, &cs);
        let mut counts: Vec<Vec<Option<i64>>> =
            domains.iter().map(|d| vec![None; d.values.len()]).collect();
        // With every node having the keys, each domain counts what the
        // cluster keeps; otherwise the eligible nodes are visited.
        let all_keys = domains.iter().all(|d| d.complete);
        let mut fast = vec![false; cs.len()];
        for (i, c) in cs.iter().enumerate() {
            if let Some(sums) = kept_sums(cx, c).filter(|_| all_keys) {
                counts[i] = sums.to_vec();
                fast[i] = true;
            }
        }
        if fast.iter().any(|f| !f) {
            let matching: Vec<_> = cs
                .iter()
                .map(|c| cx.cluster.matching_counts(&cx.pod.namespace, &c.selector))
                .collect();
            let admitted = cx.cluster.node_affinity_mask(cx.pod);
            for info in &cx.cluster.infos {
                if !has_all_keys(&domains, info.node) {
                    continue;
                }
                let node = cx.node(info);
                for (i, c) in cs.iter().enumerate() {
                    if fast[i] || !included_at(c, cx.pod, node, admitted[info.node]) {
                        continue;
                    }
                    if let Some(d) = domains[i].of_node[info.node] {
                        *counts[i][d as usize].get_or_insert(0) += matching[i][info.node];
                    }
                }
            }
        }
        let own = cs
            .iter()
            .map(|c| i64::from(c.selector.matches(&cx.pod.labels)))
            .collect();
        let mut s = FilterState {
            constraints: cs,
            domains,
            counts,
            mins: Vec::new(),
            own,
        };
        s.refresh();
        PreFilter::state(s)
    }

    fn filter(&self, _cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let Some(s) = state::<FilterState>(st) else {
            return Status::success();
        };
        for (i, c) in s.constraints.iter().enumerate() {
            let Some(d) = s.domains[i].of_node[info.node] else {
                return Status::unresolvable(ERR_REASON_LABEL);
            };
            let count = s.counts[i][d as usize].unwrap_or(0);
            if count + s.own[i] - s.min_match(i) > c.max_skew {
                return Status::unschedulable(ERR_REASON_CONSTRAINTS);
            }
        }
        Status::success()
    }

    fn update_state(
        &self,
        cx: &Cycle<'_>,
        st: &mut dyn StateData,
        other: &Pod,
        info: &NodeInfo,
        delta: i64,
    ) {
        let Some(s) = state_mut::<FilterState>(st) else {
            return;
        };
        let node = cx.node(info);
        if other.namespace != cx.pod.namespace || !has_all_keys(&s.domains, info.node) {
            return;
        }
        for i in 0..s.constraints.len() {
            let c = &s.constraints[i];
            if !c.selector.matches(&other.labels) || !included(c, cx.pod, node) {
                continue;
            }
            if let Some(d) = s.domains[i].of_node[info.node] {
                *s.counts[i][d as usize].get_or_insert(0) += delta;
            }
        }
        s.refresh();
    }

    fn weight(&self) -> i64 {
        2
    }

    fn pre_score(&self, cx: &Cycle<'_>, feasible: &[&NodeInfo]) -> PreScore {
        if feasible.is_empty() {
            return PreScore::Skip;
        }
        let cs = constraints(cx.pod, false);
        if cs.is_empty() {
            return PreScore::Skip;
        }
        let require_all = !cx.pod.spread.is_empty();
        let domains = domains_of(cx, &cs);
        let host: Vec<bool> = cs.iter().map(|c| c.key == HOSTNAME).collect();
        // Nodes lacking a key are ignored; there are none when every node
        // has every key.
        let mut ignored = BTreeSet::new();
        if require_all && !domains.iter().all(|d| d.complete) {
            ignored.extend(
                feasible
                    .iter()
                    .map(|info| info.node)
                    .filter(|&n| !has_all_keys(&domains, n)),
            );
        }
        // The domains present among the feasible nodes (hostname
        // constraints read the per-node counts instead); the walk stops
        // once every domain was seen.
        let mut counts: Vec<Vec<Option<i64>>> = Vec::with_capacity(cs.len());
        for (i, d) in domains.iter().enumerate() {
            if host[i] {
                counts.push(Vec::new());
                continue;
            }
            let mut present = vec![None; d.values.len()];
            let mut seen = 0;
            for info in feasible {
                if seen == present.len() {
                    break;
                }
                if ignored.contains(&info.node) {
                    continue;
                }
                if let Some(e) = d.of_node[info.node].map(|v| &mut present[v as usize]) {
                    if e.is_none() {
                        *e = Some(0);
                        seen += 1;
                    }
                }
            }
            counts.push(present);
        }
        let weights: Vec<f64> = cs
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let size = if host[i] {
                    feasible.len() - ignored.len()
                } else {
                    counts[i].iter().flatten().count()
                };
                ((size + 2) as f64).ln()
            })
            .collect();
        let matching: Vec<_> = cs
            .iter()
            .map(|c| cx.cluster.matching_counts(&cx.pod.namespace, &c.selector))
            .collect();
        // As in PreFilter: the cluster's sums per domain when every node
        // with the key counts.
        let all_keys = domains.iter().all(|d| d.complete);
        let mut fast = vec![false; cs.len()];
        for (i, c) in cs.iter().enumerate() {
            if host[i] || (require_all && !all_keys) {
                continue;
            }
            if let Some(sums) = kept_sums(cx, c) {
                for (d, e) in counts[i].iter_mut().enumerate() {
                    if e.is_some() {
                        *e = Some(sums[d].unwrap_or(0));
                    }
                }
                fast[i] = true;
            }
        }
        let slow = (0..cs.len()).any(|i| !host[i] && !fast[i]);
        let admitted = if slow {
            cx.cluster.node_affinity_mask(cx.pod)
        } else {
            Arc::default()
        };
        for info in cx.cluster.infos.iter().filter(|_| slow) {
            if require_all && !has_all_keys(&domains, info.node) {
                continue;
            }
            for (i, c) in cs.iter().enumerate() {
                if host[i] || fast[i] {
                    continue;
                }
                let Some(d) = domains[i].of_node[info.node] else {
                    continue;
                };
                if let Some(e) = counts[i][d as usize].as_mut() {
                    if included_at(c, cx.pod, cx.node(info), admitted[info.node]) {
                        *e += matching[i][info.node];
                    }
                }
            }
        }
        let terms = cs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let per_node = host[i];
                ScoreTerm {
                    domains: Arc::clone(&domains[i]),
                    counts: if per_node {
                        Arc::clone(&matching[i])
                    } else {
                        Arc::new(counts[i].iter().map(|c| c.unwrap_or(0)).collect())
                    },
                    per_node,
                    weight: weights[i],
                    skew: (c.max_skew - 1) as f64,
                }
            })
            .collect();
        PreScore::Run(Some(Box::new(ScoreState { terms, ignored })))
    }

    fn score(&self, _cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        state::<ScoreState>(st).map_or(0, |s| s.score(info.node))
    }

    fn score_nodes(
        &self,
        _cx: &Cycle<'_>,
        st: Option<&dyn StateData>,
        nodes: &[&NodeInfo],
    ) -> Vec<i64> {
        score_each(st, nodes, ScoreState::score)
    }

    fn normalize(
        &self,
        _cx: &Cycle<'_>,
        st: Option<&dyn StateData>,
        feasible: &[&NodeInfo],
        scores: &mut [i64],
    ) {
        let Some(s) = state::<ScoreState>(st) else {
            return;
        };
        let ignored = |k: usize| !s.ignored.is_empty() && s.ignored.contains(&feasible[k].node);
        let mut min = i64::MAX;
        let mut max = 0;
        for (k, &score) in scores.iter().enumerate() {
            if !ignored(k) {
                min = min.min(score);
                max = max.max(score);
            }
        }
        for (k, score) in scores.iter_mut().enumerate() {
            *score = if ignored(k) {
                0
            } else if max == 0 {
                100
            } else {
                100 * (max + min - *score) / max
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Code;
    use crate::schedule::plugins::testing::{
        NodeBuilder, PodBuilder, cluster, filter_all, scores_on,
    };

    /// A node with `node: <name>` and the given extra labels.
    fn node(name: &str, labels: &[(&str, &str)]) -> Node {
        let mut b = NodeBuilder::new(name).label("node", name);
        for (k, v) in labels {
            b = b.label(k, v);
        }
        b.build()
    }

    fn zoned(name: &str, zone: &str) -> Node {
        node(name, &[("zone", zone)])
    }

    fn four() -> Vec<Node> {
        vec![
            zoned("node-a", "zone1"),
            zoned("node-b", "zone1"),
            zoned("node-x", "zone2"),
            zoned("node-y", "zone2"),
        ]
    }

    /// An existing pod on `node` with label `key: ""`.
    fn on(node: &str, key: &str) -> (Pod, String) {
        (PodBuilder::new("e").label(key, "").build(), node.to_owned())
    }

    fn in_ns(node: &str, ns: &str) -> (Pod, String) {
        (
            PodBuilder::new("e").namespace(ns).label("foo", "").build(),
            node.to_owned(),
        )
    }

    /// A pod labelled `labels` with the constraints written in YAML flow
    /// style after `topologySpreadConstraints:`.
    fn pod(labels: &[&str], extra: &str, constraints: &str) -> Pod {
        let l: Vec<(&str, &str)> = labels.iter().map(|k| (*k, "")).collect();
        PodBuilder::spec(
            "p",
            &l,
            &format!("{extra}\ntopologySpreadConstraints: {constraints}\n"),
        )
        .build()
    }

    fn c(skew: i64, key: &str, sel: &str, more: &str) -> String {
        format!(
            "{{maxSkew: {skew}, topologyKey: {key}, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchExpressions: [{{key: {sel}, operator: Exists}}]}}{more}}}"
        )
    }

    fn codes(p: &Pod, nodes: Vec<Node>, existing: Vec<(Pod, String)>) -> Vec<Code> {
        let c = cluster(
            nodes,
            existing
                .iter()
                .map(|(p, n)| (p.clone(), n.as_str()))
                .collect(),
        );
        filter_all(&PodTopologySpread, &c, p)
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    const OK: Code = Code::Success;
    const U: Code = Code::Unschedulable;
    const UU: Code = Code::UnschedulableAndUnresolvable;

    fn spread_2103() -> Vec<(Pod, String)> {
        vec![
            on("node-a", "foo"),
            on("node-a", "foo"),
            on("node-b", "foo"),
            on("node-y", "foo"),
            on("node-y", "foo"),
            on("node-y", "foo"),
        ]
    }

    /// `TestSingleConstraint` (podtopologyspread/filtering_test.go).
    #[test]
    fn single_constraint_upstream_table() {
        let zone1 = format!("[{}]", c(1, "zone", "foo", ""));
        // "no existing pods"
        assert_eq!(
            codes(&pod(&["foo"], "", &zone1), four(), vec![]),
            [OK, OK, OK, OK]
        );
        // "no existing pods, incoming pod doesn't match itself"
        let bar = format!("[{}]", c(1, "zone", "bar", ""));
        assert_eq!(
            codes(&pod(&["foo"], "", &bar), four(), vec![]),
            [OK, OK, OK, OK]
        );
        // "existing pods in a different namespace do not count"
        assert_eq!(
            codes(
                &pod(&["foo"], "", &zone1),
                four(),
                vec![
                    in_ns("node-a", "ns1"),
                    in_ns("node-a", "ns2"),
                    on("node-x", "foo"),
                    on("node-y", "foo")
                ]
            ),
            [OK, OK, U, U]
        );
        // "existing pods do not match null selector"
        let null = "[{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]";
        assert_eq!(
            codes(
                &pod(&["foo"], "", null),
                four(),
                vec![on("node-x", "foo"), on("node-y", "foo")]
            ),
            [OK, OK, OK, OK]
        );
        // "pods spread across zones as 3/3, all nodes fit"
        assert_eq!(
            codes(&pod(&["foo"], "", &zone1), four(), spread_2103()),
            [OK, OK, OK, OK]
        );
        // "pods spread across zones as 1/2 due to absence of label 'zone' on node-b"
        let nodes = vec![
            zoned("node-a", "zone1"),
            node("node-b", &[("zon", "zone1")]),
            zoned("node-x", "zone2"),
            zoned("node-y", "zone2"),
        ];
        assert_eq!(
            codes(
                &pod(&["foo"], "", &zone1),
                nodes,
                vec![
                    on("node-a", "foo"),
                    on("node-b", "foo"),
                    on("node-x", "foo"),
                    on("node-y", "foo")
                ]
            ),
            [OK, UU, U, U]
        );
        // "pod cannot be scheduled as all nodes don't have label 'rack'"
        let rack = format!("[{}]", c(1, "rack", "foo", ""));
        assert_eq!(
            codes(
                &pod(&["foo"], "", &rack),
                vec![zoned("node-a", "zone1"), zoned("node-x", "zone2")],
                vec![]
            ),
            [UU, UU]
        );
        // "pods spread across nodes as 2/1/0/3, only node-x fits"
        let by_node = format!("[{}]", c(1, "node", "foo", ""));
        assert_eq!(
            codes(&pod(&["foo"], "", &by_node), four(), spread_2103()),
            [U, U, OK, U]
        );
        // "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit"
        let skew2 = format!("[{}]", c(2, "node", "foo", ""));
        assert_eq!(
            codes(&pod(&["foo"], "", &skew2), four(), spread_2103()),
            [U, OK, OK, U]
        );
        // "pods spread across nodes as 2/1/0/3, but pod doesn't match itself"
        assert_eq!(
            codes(&pod(&["bar"], "", &by_node), four(), spread_2103()),
            [U, OK, OK, U]
        );
        // "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits"
        let affinity = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: node, operator: In, values: [node-a, node-y]}]}]}}}";
        assert_eq!(
            codes(&pod(&["foo"], affinity, &by_node), four(), spread_2103()),
            [OK, OK, OK, U]
        );
        // "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits"
        let not_b = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: node, operator: NotIn, values: [node-b]}]}]}}}";
        assert_eq!(
            codes(
                &pod(&["foo"], not_b, &zone1),
                four(),
                vec![
                    on("node-b", "foo"),
                    on("node-b", "foo"),
                    on("node-y", "foo")
                ]
            ),
            [OK, OK, U, U]
        );
    }

    /// `TestSingleConstraint`: the minDomains cases.
    #[test]
    fn min_domains_upstream_table() {
        let three = || {
            vec![
                node("node-a", &[]),
                node("node-b", &[]),
                node("node-c", &[]),
            ]
        };
        let existing = || {
            vec![
                on("node-a", "foo"),
                on("node-a", "foo"),
                on("node-b", "foo"),
                on("node-b", "foo"),
                on("node-c", "foo"),
            ]
        };
        // "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits"
        let p = pod(
            &["foo"],
            "",
            &format!("[{}]", c(2, "node", "foo", ", minDomains: 4")),
        );
        assert_eq!(codes(&p, three(), existing()), [U, U, OK]);
        // "... the number of domains > minDomains, then the all nodes fit"
        let p = pod(
            &["foo"],
            "",
            &format!("[{}]", c(2, "node", "foo", ", minDomains: 2")),
        );
        assert_eq!(codes(&p, three(), existing()), [OK, OK, OK]);
        let zone_existing = || {
            vec![
                on("node-a", "foo"),
                on("node-b", "foo"),
                on("node-y", "foo"),
            ]
        };
        // "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit"
        let p = pod(
            &["foo"],
            "",
            &format!("[{}]", c(2, "zone", "foo", ", minDomains: 3")),
        );
        assert_eq!(codes(&p, four(), zone_existing()), [U, U, OK, OK]);
        // "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit"
        let p = pod(
            &["foo"],
            "",
            &format!("[{}]", c(2, "zone", "foo", ", minDomains: 1")),
        );
        assert_eq!(codes(&p, four(), zone_existing()), [OK, OK, OK, OK]);
    }

    /// `TestSingleConstraint`: the NodeAffinityPolicy / NodeTaintsPolicy cases.
    #[test]
    fn inclusion_policies_upstream_table() {
        let foo_nodes = |taint_y: bool| {
            let mut y = NodeBuilder::new("node-y").label("node", "node-y");
            if taint_y {
                y = y.taint("node.kubernetes.io/unschedulable", "", "NoSchedule");
            }
            vec![
                node("node-a", &[("foo", "")]),
                node("node-b", &[("foo", "")]),
                node("node-x", &[("foo", "")]),
                y.build(),
            ]
        };
        let existing = || {
            vec![
                on("node-a", "foo"),
                on("node-b", "foo"),
                on("node-y", "foo"),
            ]
        };
        let selector = "nodeSelector: {foo: \"\"}";
        let affinity = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: foo, operator: In, values: [\"\"]}]}]}}}";
        let honor = format!("[{}]", c(1, "node", "foo", ""));
        let ignore = format!("[{}]", c(1, "node", "foo", ", nodeAffinityPolicy: Ignore"));
        // "NodeAffinityPolicy honored with labelSelectors"
        assert_eq!(
            codes(
                &pod(&["foo"], selector, &honor),
                foo_nodes(false),
                existing()
            ),
            [U, U, OK, OK]
        );
        // "NodeAffinityPolicy ignored with labelSelectors"
        assert_eq!(
            codes(
                &pod(&["foo"], selector, &ignore),
                foo_nodes(false),
                existing()
            ),
            [U, U, OK, U]
        );
        // "NodeAffinityPolicy honored with nodeAffinity"
        assert_eq!(
            codes(
                &pod(&["foo"], affinity, &honor),
                foo_nodes(false),
                existing()
            ),
            [U, U, OK, OK]
        );
        // "NodeAffinityPolicy ignored with labelSelectors" (nodeAffinity variant)
        assert_eq!(
            codes(
                &pod(&["foo"], affinity, &ignore),
                foo_nodes(false),
                existing()
            ),
            [U, U, OK, U]
        );
        // "NodeTaintsPolicy honored"
        let taints_honor = format!("[{}]", c(1, "node", "foo", ", nodeTaintsPolicy: Honor"));
        assert_eq!(
            codes(
                &pod(&["foo"], "", &taints_honor),
                foo_nodes(true),
                existing()
            ),
            [U, U, OK, OK]
        );
        // "NodeTaintsPolicy ignored"
        assert_eq!(
            codes(&pod(&["foo"], "", &honor), foo_nodes(true), existing()),
            [U, U, OK, U]
        );
    }

    /// `TestMultipleConstraints` (podtopologyspread/filtering_test.go).
    #[test]
    fn multiple_constraints_upstream_table() {
        let both = format!("[{}, {}]", c(1, "zone", "foo", ""), c(1, "node", "foo", ""));
        // "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]"
        assert_eq!(
            codes(&pod(&["foo"], "", &both), four(), spread_2103()),
            [U, U, OK, U]
        );
        // "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]"
        let mut existing = spread_2103();
        existing.push(on("node-y", "foo"));
        assert_eq!(
            codes(&pod(&["foo"], "", &both), four(), existing),
            [U, U, U, U]
        );
        // "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]"
        let mixed = format!("[{}, {}]", c(1, "zone", "foo", ""), c(1, "node", "bar", ""));
        assert_eq!(
            codes(
                &pod(&["foo", "bar"], "", &mixed),
                four(),
                vec![on("node-a", "foo"), on("node-y", "bar")]
            ),
            [U, U, OK, U]
        );
    }

    /// The reference's worked example: with hostname spreading and maxSkew
    /// 1, a tainted control-plane node that carries the label is a domain
    /// with 0 pods and pins the global minimum at 0.
    #[test]
    fn tainted_control_plane_pins_the_minimum() {
        let nodes = vec![
            node("w1", &[("kubernetes.io/hostname", "w1")]),
            node("w2", &[("kubernetes.io/hostname", "w2")]),
            NodeBuilder::new("cp")
                .label("kubernetes.io/hostname", "cp")
                .taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")
                .build(),
        ];
        let p = pod(
            &["foo"],
            "",
            &format!("[{}]", c(1, "kubernetes.io/hostname", "foo", "")),
        );
        assert_eq!(
            codes(&p, nodes, vec![on("w1", "foo"), on("w2", "foo")]),
            [U, U, OK]
        );
    }

    /// Runs PreScore/Score/NormalizeScore with `feasible` (node names) as
    /// the filtered nodes.
    fn spread_scores(
        p: &Pod,
        nodes: Vec<Node>,
        existing: &[(&str, &[&str])],
        feasible: &[&str],
    ) -> Vec<i64> {
        let c = cluster(
            nodes,
            existing
                .iter()
                .map(|(n, labels)| {
                    let mut b = PodBuilder::new("e");
                    for l in *labels {
                        b = b.label(l, "");
                    }
                    (b.build(), *n)
                })
                .collect(),
        );
        let ids: Vec<usize> = feasible.iter().filter_map(|n| c.node_by_name(n)).collect();
        scores_on(&PodTopologySpread, &c, p, &ids).unwrap_or_default()
    }

    fn host(name: &str) -> Node {
        NodeBuilder::new(name).label(HOSTNAME, name).build()
    }

    fn zone_host(name: &str, zone: &str) -> Node {
        NodeBuilder::new(name)
            .label("zone", zone)
            .label(HOSTNAME, name)
            .build()
    }

    fn soft(skew: i64, key: &str, sel: &str) -> String {
        format!(
            "{{maxSkew: {skew}, topologyKey: {key}, whenUnsatisfiable: ScheduleAnyway, labelSelector: {{matchExpressions: [{{key: {sel}, operator: Exists}}]}}}}"
        )
    }

    /// `TestPodTopologySpreadScore` (podtopologyspread/scoring_test.go).
    #[test]
    fn score_upstream_table() {
        let foo: &[&str] = &["foo"];
        let bar: &[&str] = &["bar"];
        let foobar: &[&str] = &["foo", "bar"];
        let abcd = || {
            vec![
                host("node-a"),
                host("node-b"),
                host("node-c"),
                host("node-d"),
            ]
        };
        let all4 = ["node-a", "node-b", "node-c", "node-d"];
        let s2103: Vec<(&str, &[&str])> = vec![
            ("node-a", foo),
            ("node-a", foo),
            ("node-b", foo),
            ("node-d", foo),
            ("node-d", foo),
            ("node-d", foo),
        ];
        let s4321: Vec<(&str, &[&str])> = vec![
            ("node-a", foo),
            ("node-a", foo),
            ("node-a", foo),
            ("node-a", foo),
            ("node-b", foo),
            ("node-b", foo),
            ("node-b", foo),
            ("node-c", foo),
            ("node-c", foo),
            ("node-d", foo),
        ];
        let hostname = |skew| pod(&["foo"], "", &format!("[{}]", soft(skew, HOSTNAME, "foo")));
        // "one constraint on node, all nodes have the same number of matching pods"
        assert_eq!(
            spread_scores(
                &hostname(1),
                vec![host("node-a"), host("node-b")],
                &[("node-a", foo), ("node-b", foo)],
                &["node-a", "node-b"]
            ),
            [100, 100]
        );
        // "one constraint on node, all 4 nodes are candidates"
        assert_eq!(
            spread_scores(&hostname(1), abcd(), &s2103, &all4),
            [20, 60, 100, 0]
        );
        // "one constraint on node, all 4 nodes are candidates, maxSkew=2"
        assert_eq!(
            spread_scores(&hostname(2), abcd(), &s2103, &all4),
            [33, 66, 100, 16]
        );
        // "one constraint on node, all 4 nodes are candidates, maxSkew=3"
        assert_eq!(
            spread_scores(&hostname(3), abcd(), &s4321, &all4),
            [44, 66, 77, 100]
        );
        // "system defaulting, nodes don't have zone, pods match service"
        let mut defaulted = PodBuilder::new("p").label("foo", "").build();
        defaulted.default_spread_selector = Some(Arc::new(LabelSelector::from_labels(
            &[("foo".to_owned(), String::new())].into_iter().collect(),
        )));
        assert_eq!(
            spread_scores(&defaulted, abcd(), &s4321, &all4),
            [44, 66, 77, 100]
        );
        let s42x3: Vec<(&str, &[&str])> = vec![
            ("node-a", foo),
            ("node-a", foo),
            ("node-a", foo),
            ("node-a", foo),
            ("node-b", foo),
            ("node-b", foo),
            ("node-x", foo),
            ("node-y", foo),
            ("node-y", foo),
            ("node-y", foo),
        ];
        // "one constraint on node, 3 out of 4 nodes are candidates"
        let abxy = || {
            vec![
                host("node-a"),
                host("node-b"),
                host("node-x"),
                host("node-y"),
            ]
        };
        assert_eq!(
            spread_scores(
                &hostname(1),
                abxy(),
                &s42x3,
                &["node-a", "node-b", "node-x"]
            ),
            [33, 83, 100]
        );
        // "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key"
        let nodes = vec![
            host("node-a"),
            NodeBuilder::new("node-b").label("n", "node-b").build(),
            host("node-x"),
            host("node-y"),
        ];
        assert_eq!(
            spread_scores(&hostname(1), nodes, &s42x3, &["node-a", "node-b", "node-x"]),
            [16, 0, 100]
        );
        let zones = || {
            vec![
                zone_host("node-a", "zone1"),
                zone_host("node-b", "zone1"),
                zone_host("node-x", "zone2"),
                zone_host("node-y", "zone2"),
            ]
        };
        // "one constraint on zone, 3 out of 4 nodes are candidates"
        let by_zone = pod(&["foo"], "", &format!("[{}]", soft(1, "zone", "foo")));
        assert_eq!(
            spread_scores(&by_zone, zones(), &s42x3, &["node-a", "node-b", "node-x"]),
            [75, 75, 100]
        );
        // "two Constraints on zone and node, 2 out of 4 nodes are candidates"
        let both = pod(
            &["foo"],
            "",
            &format!("[{}, {}]", soft(1, "zone", "foo"), soft(1, HOSTNAME, "foo")),
        );
        let s = vec![
            ("node-a", foo),
            ("node-a", foo),
            ("node-b", foo),
            ("node-x", foo),
            ("node-x", foo),
            ("node-y", foo),
            ("node-y", foo),
            ("node-y", foo),
            ("node-y", foo),
        ];
        assert_eq!(
            spread_scores(&both, zones(), &s, &["node-a", "node-x"]),
            [100, 63]
        );
        // "two Constraints on zone and node, with different labelSelectors"
        let mixed = pod(
            &["foo", "bar"],
            "",
            &format!("[{}, {}]", soft(1, "zone", "foo"), soft(1, HOSTNAME, "bar")),
        );
        let s = vec![
            ("node-a", foo),
            ("node-b", foobar),
            ("node-y", foo),
            ("node-y", bar),
        ];
        assert_eq!(
            spread_scores(
                &mixed,
                zones(),
                &s,
                &["node-a", "node-b", "node-x", "node-y"]
            ),
            [60, 20, 100, 60]
        );
        // "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods"
        let s0 = vec![("node-b", bar), ("node-x", foo), ("node-y", foobar)];
        assert_eq!(
            spread_scores(
                &mixed,
                zones(),
                &s0,
                &["node-a", "node-b", "node-x", "node-y"]
            ),
            [100, 60, 40, 0]
        );
        // "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates"
        assert_eq!(
            spread_scores(&mixed, zones(), &s, &["node-a", "node-b", "node-x"]),
            [50, 25, 100]
        );
    }

    #[test]
    fn round_matches_the_library_round() {
        let mut xs = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            1e15 + 0.5,
            9.1e15,
            -2.5,
        ];
        xs.extend((0..20_000).map(|i| f64::from(i) * 0.0625 + f64::from(i % 7) * 1e-9));
        xs.extend((0..2_000).map(|i| f64::from(i).ln() * 37.0 + 0.5));
        for x in xs {
            assert_eq!(round(x), x.round() as i64, "{x}");
        }
    }
}
