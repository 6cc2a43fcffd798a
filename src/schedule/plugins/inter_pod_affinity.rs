//! InterPodAffinity.
//!
//! A term selects pods by label selector in the namespaces it lists or
//! selects (its own pod's namespace when it says neither). Filter, in order:
//!
//! 1. the pod's required affinity: counting existing pods that match *all*
//!    the terms per topology domain, the node fails when it lacks a term's
//!    topology key or a term's domain has no such pod, unless no pod matches
//!    anywhere and the pod matches its own terms (the first pod of a group).
//!    UnschedulableAndUnresolvable, `node(s) didn't match pod affinity rules`;
//! 2. the pod's required anti-affinity: a matching pod in the node's domain
//!    of a term. Unschedulable, `node(s) didn't match pod anti-affinity rules`;
//! 3. existing pods' required anti-affinity that matches the pod, with the
//!    node in their domain. Unschedulable,
//!    `node(s) didn't satisfy existing pods anti-affinity rules`.
//!
//! Score (weight 2): per topology domain, the weights of the pod's preferred
//! terms that existing pods match (minus for anti-affinity), plus 1 for each
//! existing pod whose required affinity matches the pod, plus or minus the
//! weights of existing pods' preferred terms that match the pod; a node
//! scores the sum over its domains, normalized min-max to 0..100.

use std::sync::Arc;

use crate::schedule::cluster::{Cluster, Domains, NodeInfo};
use crate::schedule::framework::{
    Cycle, Plugin, PreFilter, PreScore, StateData, Status, score_each, state, state_mut,
};
use crate::schedule::selector::{LabelSelector, Labels};
use crate::schedule::types::{AffinityTerm, Pod, WeightedTerm};

pub const ERR_REASON_AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub const ERR_REASON_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub const ERR_REASON_EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// The weight of an existing pod's required affinity term in scoring
/// (`hardPodAffinityWeight`).
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

pub struct InterPodAffinity;

/// Pods (or weights) per topology domain of each key, indexed by the
/// cluster's domain numbering, so a node is looked up without comparing
/// label strings.
#[derive(Clone, Debug, Default)]
struct Counts {
    keys: Vec<KeyCounts>,
    /// Domains with a non-zero count, over all keys.
    nonzero: usize,
}

#[derive(Clone, Debug)]
struct KeyCounts {
    key: String,
    domains: Arc<Domains>,
    counts: Vec<i64>,
}

impl Counts {
    /// The index of `key`'s counts, added when new: callers adding many
    /// nodes of one key look it up once.
    fn key(&mut self, cluster: &Cluster, key: &str) -> usize {
        if let Some(k) = self.keys.iter().position(|k| k.key == key) {
            return k;
        }
        let domains = cluster.domains(key);
        self.keys.push(KeyCounts {
            key: key.to_owned(),
            counts: vec![0; domains.values.len()],
            domains,
        });
        self.keys.len() - 1
    }

    /// Adds `delta` to `node`'s domain of `key`; false (and nothing added)
    /// when the node lacks the key.
    fn add(&mut self, cluster: &Cluster, node: usize, key: &str, delta: i64) -> bool {
        let k = self.key(cluster, key);
        self.add_at(k, node, delta)
    }

    /// Adds `scale` times each node's count in `per_node` to its domain of
    /// `key`, looking the key up once; whether anything was added.
    fn add_all(&mut self, cluster: &Cluster, key: &str, per_node: &[i64], scale: i64) -> bool {
        let mut k = None;
        let mut added = false;
        for (node, &count) in per_node.iter().enumerate() {
            if count > 0 {
                let k = *k.get_or_insert_with(|| self.key(cluster, key));
                added |= self.add_at(k, node, scale * count);
            }
        }
        added
    }

    /// [`Counts::add`] for the key of index `k`.
    fn add_at(&mut self, k: usize, node: usize, delta: i64) -> bool {
        let k = &mut self.keys[k];
        let Some(d) = k.domains.of_node[node] else {
            return false;
        };
        let c = &mut k.counts[d as usize];
        let was = *c != 0;
        *c += delta;
        match (was, *c != 0) {
            (false, true) => self.nonzero += 1,
            (true, false) => self.nonzero -= 1,
            _ => {}
        }
        true
    }

    /// The count of `node`'s domain of `key`; `None` when the node lacks
    /// the key.
    fn get(&self, node: usize, key: &str, cluster: &Cluster) -> Option<i64> {
        match self.keys.iter().find(|k| k.key == key) {
            Some(k) => k.domains.of_node[node].map(|d| k.counts[d as usize]),
            None => cluster.nodes[node].labels.contains_key(key).then_some(0),
        }
    }

    fn is_empty(&self) -> bool {
        self.nonzero == 0
    }

    /// The counts of `node`'s domains, one per key the node has.
    fn at(&self, node: usize) -> impl Iterator<Item = i64> + '_ {
        self.keys
            .iter()
            .filter_map(move |k| k.domains.of_node[node].map(|d| k.counts[d as usize]))
    }
}

/// A namespace selector is resolved against the known namespaces, as
/// upstream does for the incoming pod's terms (`{}` stays "all").
fn merge_namespaces(cx: &Cycle<'_>, t: &AffinityTerm) -> AffinityTerm {
    let mut t = t.clone();
    if t.namespace_selector.is_everything()
        || matches!(t.namespace_selector, LabelSelector::Nothing)
    {
        return t;
    }
    for ns in cx.cluster.namespaces.keys() {
        if t.namespace_selector
            .matches(&cx.cluster.namespace_labels(ns))
        {
            t.namespaces.insert(ns.clone());
        }
    }
    t.namespace_selector = LabelSelector::Nothing;
    t
}

/// Per node, the bound pods that match all `terms` (matched as the incoming
/// pod's terms are, without namespace labels). A single term naming one
/// namespace is the cluster's cached count for its selector.
fn matching_per_node(cx: &Cycle<'_>, terms: &[AffinityTerm]) -> Arc<Vec<i64>> {
    if let [t] = terms {
        if matches!(t.namespace_selector, LabelSelector::Nothing) && t.namespaces.len() == 1 {
            if let Some(ns) = t.namespaces.first() {
                return cx.cluster.matching_counts(ns, &t.selector);
            }
        }
    }
    Arc::new(
        cx.cluster
            .label_sets
            .count_per_node(cx.cluster.nodes.len(), |ns, labels| {
                !terms.is_empty() && terms.iter().all(|t| t.matches(ns, labels, None))
            }),
    )
}

fn matches_all(terms: &[AffinityTerm], pod: &Pod, ns_labels: Option<&Labels>) -> bool {
    !terms.is_empty()
        && terms
            .iter()
            .all(|t| t.matches(&pod.namespace, &pod.labels, ns_labels))
}

#[derive(Clone, Debug)]
struct FilterState {
    affinity: Vec<AffinityTerm>,
    anti: Vec<AffinityTerm>,
    ns_labels: Labels,
    existing_anti: Counts,
    affinity_counts: Counts,
    anti_counts: Counts,
}

impl FilterState {
    /// `updateWithPod`: `other` is added to (or removed from) `node`.
    fn update(&mut self, cx: &Cycle<'_>, other: &Pod, node: usize, delta: i64) {
        let cluster = cx.cluster;
        for t in &other.pod_anti_affinity.required {
            if t.matches(&cx.pod.namespace, &cx.pod.labels, Some(&self.ns_labels)) {
                self.existing_anti
                    .add(cluster, node, &t.topology_key, delta);
            }
        }
        if matches_all(&self.affinity, other, None) {
            for t in &self.affinity {
                self.affinity_counts
                    .add(cluster, node, &t.topology_key, delta);
            }
        }
        for t in &self.anti {
            if t.matches(&other.namespace, &other.labels, None) {
                self.anti_counts.add(cluster, node, &t.topology_key, delta);
            }
        }
    }
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        "InterPodAffinity"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let pod = cx.pod;
        let mut s = FilterState {
            affinity: pod
                .pod_affinity
                .required
                .iter()
                .map(|t| merge_namespaces(cx, t))
                .collect(),
            anti: pod
                .pod_anti_affinity
                .required
                .iter()
                .map(|t| merge_namespaces(cx, t))
                .collect(),
            ns_labels: cx.cluster.namespace_labels(&pod.namespace),
            existing_anti: Counts::default(),
            affinity_counts: Counts::default(),
            anti_counts: Counts::default(),
        };
        let incoming = !s.affinity.is_empty() || !s.anti.is_empty();
        // Existing pods' required anti-affinity, a group of pods with the
        // same terms at a time.
        for g in &cx.cluster.affinity_groups.groups {
            for t in &g.anti_affinity.required {
                if !g.nodes.is_empty() && t.matches(&pod.namespace, &pod.labels, Some(&s.ns_labels))
                {
                    let k = s.existing_anti.key(cx.cluster, &t.topology_key);
                    for (&node, &count) in &g.nodes {
                        s.existing_anti.add_at(k, node, count);
                    }
                }
            }
        }
        if !s.affinity.is_empty() {
            let counts = matching_per_node(cx, &s.affinity);
            for t in &s.affinity {
                s.affinity_counts
                    .add_all(cx.cluster, &t.topology_key, &counts, 1);
            }
        }
        for t in &s.anti {
            let counts = matching_per_node(cx, std::slice::from_ref(t));
            s.anti_counts
                .add_all(cx.cluster, &t.topology_key, &counts, 1);
        }
        if s.existing_anti.is_empty() && !incoming {
            return PreFilter::Skip;
        }
        PreFilter::state(s)
    }

    fn filter(&self, cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let Some(s) = state::<FilterState>(st) else {
            return Status::success();
        };
        let node = info.node;
        // 1. Required affinity.
        let mut pods_exist = true;
        for t in &s.affinity {
            let Some(count) = s.affinity_counts.get(node, &t.topology_key, cx.cluster) else {
                return Status::unresolvable(ERR_REASON_AFFINITY);
            };
            if count <= 0 {
                pods_exist = false;
            }
        }
        // The first pod of a group: nothing matches anywhere yet and the pod
        // matches its own terms.
        let first_of_group =
            s.affinity_counts.is_empty() && matches_all(&s.affinity, cx.pod, Some(&s.ns_labels));
        if !pods_exist && !first_of_group {
            return Status::unresolvable(ERR_REASON_AFFINITY);
        }
        // 2. Required anti-affinity.
        if !s.anti_counts.is_empty() {
            for t in &s.anti {
                if s.anti_counts
                    .get(node, &t.topology_key, cx.cluster)
                    .is_some_and(|n| n > 0)
                {
                    return Status::unschedulable(ERR_REASON_ANTI_AFFINITY);
                }
            }
        }
        // 3. Existing pods' anti-affinity (symmetry).
        if s.existing_anti.at(node).any(|n| n > 0) {
            return Status::unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
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
        if let Some(s) = state_mut::<FilterState>(st) {
            s.update(cx, other, info.node, delta);
        }
    }

    fn weight(&self) -> i64 {
        2
    }

    fn pre_score(&self, cx: &Cycle<'_>, feasible: &[&NodeInfo]) -> PreScore {
        if feasible.is_empty() {
            return PreScore::Run(None);
        }
        let pod = cx.pod;
        let merge = |terms: &[WeightedTerm]| -> Vec<WeightedTerm> {
            terms
                .iter()
                .map(|t| WeightedTerm {
                    weight: t.weight,
                    term: merge_namespaces(cx, &t.term),
                })
                .collect()
        };
        let preferred = merge(&pod.pod_affinity.preferred);
        let preferred_anti = merge(&pod.pod_anti_affinity.preferred);
        let ns_labels = cx.cluster.namespace_labels(&pod.namespace);
        let mut scores = Counts::default();
        let mut touched = false;
        // The pod's preferred terms, matched against the bound pods.
        for (terms, sign) in [(&preferred, 1), (&preferred_anti, -1)] {
            for t in terms {
                let counts = matching_per_node(cx, std::slice::from_ref(&t.term));
                touched |=
                    scores.add_all(cx.cluster, &t.term.topology_key, &counts, sign * t.weight);
            }
        }
        // Bound pods' terms, matched against the pod, a group at a time.
        for g in &cx.cluster.affinity_groups.groups {
            let mut terms: Vec<(&AffinityTerm, i64)> = Vec::new();
            for t in &g.affinity.required {
                if t.matches(&pod.namespace, &pod.labels, Some(&ns_labels)) {
                    terms.push((t, HARD_POD_AFFINITY_WEIGHT));
                }
            }
            for t in &g.affinity.preferred {
                if t.term
                    .matches(&pod.namespace, &pod.labels, Some(&ns_labels))
                {
                    terms.push((&t.term, t.weight));
                }
            }
            for t in &g.anti_affinity.preferred {
                if t.term
                    .matches(&pod.namespace, &pod.labels, Some(&ns_labels))
                {
                    terms.push((&t.term, -t.weight));
                }
            }
            for (t, weight) in terms {
                if g.nodes.is_empty() {
                    continue;
                }
                let k = scores.key(cx.cluster, &t.topology_key);
                for (&node, &count) in &g.nodes {
                    touched |= scores.add_at(k, node, weight * count);
                }
            }
        }
        if !touched {
            return PreScore::Skip;
        }
        PreScore::Run(Some(Box::new(scores)))
    }

    fn score(&self, _cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        state::<Counts>(st).map_or(0, |s| s.at(info.node).sum())
    }

    fn score_nodes(
        &self,
        _cx: &Cycle<'_>,
        st: Option<&dyn StateData>,
        nodes: &[&NodeInfo],
    ) -> Vec<i64> {
        score_each::<Counts>(st, nodes, |s, node| s.at(node).sum())
    }

    fn normalize(
        &self,
        _cx: &Cycle<'_>,
        st: Option<&dyn StateData>,
        _feasible: &[&NodeInfo],
        scores: &mut [i64],
    ) {
        if state::<Counts>(st).is_none() {
            return;
        }
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        let diff = max - min;
        for v in scores.iter_mut() {
            *v = if diff > 0 {
                (100.0 * ((*v - min) as f64 / diff as f64)) as i64
            } else {
                0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, filter_all, scores};
    use crate::schedule::types::Node;

    /// A pod with labels and required (anti-)affinity terms in YAML flow style.
    fn pod(labels: &[(&str, &str)], affinity: &str, anti: &str) -> Pod {
        let mut spec = String::from("affinity:\n");
        if !affinity.is_empty() {
            spec.push_str(&format!(
                "  podAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {affinity}}}\n"
            ));
        }
        if !anti.is_empty() {
            spec.push_str(&format!(
                "  podAntiAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {anti}}}\n"
            ));
        }
        if affinity.is_empty() && anti.is_empty() {
            spec = "{}".into();
        }
        PodBuilder::spec("p", labels, &spec).build()
    }

    fn term(expr: &str, key: &str) -> String {
        format!("{{labelSelector: {{matchExpressions: [{expr}]}}, topologyKey: {key}}}")
    }

    const SEC: &[(&str, &str)] = &[("service", "securityscan")];
    const SEC2: &[(&str, &str)] = &[("security", "S1")];

    fn machine1() -> Node {
        NodeBuilder::new("machine1")
            .label("region", "r1")
            .label("zone", "z11")
            .build()
    }

    fn run(p: &Pod, existing: Vec<Pod>) -> Status {
        let c = cluster(
            vec![machine1()],
            existing.into_iter().map(|e| (e, "machine1")).collect(),
        );
        filter_all(&InterPodAffinity, &c, p)
            .map(|mut s| s.remove(0))
            .unwrap_or_else(|s| s)
    }

    fn plain(labels: &[(&str, &str)]) -> Pod {
        pod(labels, "", "")
    }

    /// `TestRequiredAffinitySingleNode` (interpodaffinity/filtering_test.go).
    #[test]
    fn required_affinity_single_node_upstream_table() {
        let ok = Status::success();
        let aff = Status::unresolvable(ERR_REASON_AFFINITY);
        let anti = Status::unschedulable(ERR_REASON_ANTI_AFFINITY);
        let existing_anti = Status::unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
        let in_sec = "{key: service, operator: In, values: [securityscan, value2]}";
        let in_av = "{key: service, operator: In, values: [antivirusscan, value2]}";
        // "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods"
        assert_eq!(run(&plain(&[]), vec![]), ok);
        // "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod"
        let p = pod(SEC2, &format!("[{}]", term(in_sec, "region")), "");
        assert_eq!(run(&p, vec![plain(SEC)]), ok);
        // "... using not in operator in labelSelector that matches the existing pod"
        let p = pod(
            SEC2,
            &format!(
                "[{}]",
                term(
                    "{key: service, operator: NotIn, values: [securityscan3, value3]}",
                    "region"
                )
            ),
            "",
        );
        assert_eq!(run(&p, vec![plain(SEC)]), ok);
        // "Does not satisfy the PodAffinity with labelSelector because of diff Namespace"
        let p = pod(
            SEC2,
            &format!(
                "[{{labelSelector: {{matchExpressions: [{in_sec}]}}, namespaces: [DiffNameSpace]}}]"
            ),
            "",
        );
        let mut other_ns = plain(SEC);
        other_ns.namespace = "ns".into();
        assert_eq!(run(&p, vec![other_ns]), aff);
        // "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod"
        let p = pod(
            SEC,
            &format!("[{{labelSelector: {{matchExpressions: [{in_av}]}}}}]"),
            "",
        );
        assert_eq!(run(&p, vec![plain(SEC)]), aff);
        // "satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution"
        let t1 = term(
            "{key: service, operator: Exists}, {key: wrongkey, operator: DoesNotExist}",
            "region",
        );
        let t2 = term(
            "{key: service, operator: In, values: [securityscan]}, {key: service, operator: NotIn, values: [WrongValue]}",
            "region",
        );
        assert_eq!(
            run(&pod(SEC2, &format!("[{t1}, {t2}]"), ""), vec![plain(SEC)]),
            ok
        );
        // "The labelSelector requirements(items of matchExpressions) are ANDed ..."
        let t2b = term(
            "{key: service, operator: In, values: [securityscan2]}, {key: service, operator: NotIn, values: [WrongValue]}",
            "region",
        );
        assert_eq!(
            run(&pod(SEC2, &format!("[{t1}, {t2b}]"), ""), vec![plain(SEC)]),
            aff
        );
        // "satisfies the PodAffinity and PodAntiAffinity with the existing pod"
        let both = pod(
            SEC2,
            &format!("[{}]", term(in_sec, "region")),
            &format!("[{}]", term(in_av, "node")),
        );
        assert_eq!(run(&both, vec![plain(SEC)]), ok);
        // "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod"
        let existing = pod(SEC, "", &format!("[{}]", term(in_av, "node")));
        assert_eq!(run(&both, vec![existing]), ok);
        // "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod"
        let p = pod(
            SEC2,
            &format!("[{}]", term(in_sec, "region")),
            &format!("[{}]", term(in_sec, "zone")),
        );
        assert_eq!(run(&p, vec![plain(SEC)]), anti);
        // "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod"
        let p = pod(
            SEC,
            &format!("[{}]", term(in_sec, "region")),
            &format!("[{}]", term(in_av, "node")),
        );
        let existing = pod(SEC, "", &format!("[{}]", term(in_sec, "zone")));
        assert_eq!(run(&p, vec![existing]), existing_anti.clone());
        // "pod matches its own Label in PodAffinity and that matches the existing pod Labels"
        let p = pod(
            SEC,
            &format!(
                "[{}]",
                term(
                    "{key: service, operator: NotIn, values: [securityscan, value2]}",
                    "region"
                )
            ),
            "",
        );
        assert_eq!(run(&p, vec![]), aff);
        // "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy ..."
        let existing = pod(SEC, "", &format!("[{}]", term(in_sec, "zone")));
        assert_eq!(run(&plain(SEC), vec![existing]), existing_anti);
        // "... satisfy PodAntiAffinity symmetry with the existing pod"
        let existing = pod(
            SEC,
            "",
            &format!(
                "[{}]",
                term(
                    "{key: service, operator: NotIn, values: [securityscan, value2]}",
                    "zone"
                )
            ),
        );
        assert_eq!(run(&plain(SEC), vec![existing]), ok);
    }

    /// The "first pod of a group" exception: a pod with affinity to its own
    /// labels is allowed when no pod matches anywhere yet.
    #[test]
    fn first_pod_of_a_group_may_schedule() {
        let p = pod(
            &[("app", "db")],
            &format!(
                "[{}]",
                term("{key: app, operator: In, values: [db]}", "zone")
            ),
            "",
        );
        assert_eq!(run(&p, vec![]), Status::success());
        // A node without the topology key never qualifies.
        let p = pod(
            &[("app", "db")],
            &format!(
                "[{}]",
                term("{key: app, operator: In, values: [db]}", "rack")
            ),
            "",
        );
        assert_eq!(run(&p, vec![]), Status::unresolvable(ERR_REASON_AFFINITY));
    }

    /// `TestPreferredAffinity` (interpodaffinity/scoring_test.go): "Affinity:
    /// pod that matches topology key & pods in nodes will get high score
    /// comparing to others which doesn't match either pods in nodes or in
    /// topology key".
    #[test]
    fn preferred_affinity_scores() {
        let spec = "affinity:\n  podAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n    - weight: 5\n      podAffinityTerm: {labelSelector: {matchExpressions: [{key: security, operator: In, values: [S1]}]}, topologyKey: region}\n";
        let p = PodBuilder::spec("p", &[("security", "S1")], spec).build();
        let nodes = vec![
            NodeBuilder::new("node1").label("region", "China").build(),
            NodeBuilder::new("node2").label("region", "India").build(),
            NodeBuilder::new("node3").label("az", "az1").build(),
        ];
        let existing = vec![
            (
                PodBuilder::new("e").label("security", "S1").build(),
                "node1",
            ),
            (
                PodBuilder::new("e").label("security", "S2").build(),
                "node2",
            ),
        ];
        let c = cluster(nodes, existing);
        assert_eq!(scores(&InterPodAffinity, &c, &p), Some(vec![100, 0, 0]));
    }

    /// `TestPreferredAffinity`: "Anti Affinity: pod that does not match
    /// existing pods in node will get high score".
    #[test]
    fn preferred_anti_affinity_scores() {
        let spec = "affinity:\n  podAntiAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n    - weight: 5\n      podAffinityTerm: {labelSelector: {matchExpressions: [{key: security, operator: In, values: [S1]}]}, topologyKey: region}\n";
        let p = PodBuilder::spec("p", &[("security", "S1")], spec).build();
        let nodes = vec![
            NodeBuilder::new("node1").label("region", "China").build(),
            NodeBuilder::new("node2").label("region", "India").build(),
        ];
        let existing = vec![
            (
                PodBuilder::new("e").label("security", "S1").build(),
                "node1",
            ),
            (
                PodBuilder::new("e").label("security", "S2").build(),
                "node2",
            ),
        ];
        let c = cluster(nodes, existing);
        assert_eq!(scores(&InterPodAffinity, &c, &p), Some(vec![0, 100]));
    }

    /// Nothing to score: PreScore skips.
    #[test]
    fn no_terms_skips_scoring() {
        let c = cluster(vec![machine1()], vec![(plain(SEC), "machine1")]);
        assert_eq!(scores(&InterPodAffinity, &c, &plain(SEC2)), None);
    }
}
