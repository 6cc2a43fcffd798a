//! NodeAffinity.
//!
//! Filter: the node must match the pod's `nodeSelector` (every key with
//! exactly that value) and its required node affinity (any of the
//! `nodeSelectorTerms`; a term with neither `matchExpressions` nor
//! `matchFields` is dropped, and with no term left nothing matches; within a
//! term every expression and field requirement must hold; a term that does
//! not parse never matches). UnschedulableAndUnresolvable,
//! `node(s) didn't match Pod's node affinity/selector`.
//!
//! PreFilter skips pods with neither, and turns `metadata.name In [...]`
//! field requirements into a PreFilterResult (the nodes named, united over
//! the terms, intersected within a term); when every term pins names and the
//! union is empty the pod is rejected with `pod affinity terms conflict`.
//!
//! Score (weight 2): the sum of the weights of the preferred terms the node
//! matches (weight-0 and empty terms ignored), normalized by the maximum.

use std::collections::BTreeSet;

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreFilter, PreScore, StateData, Status};
use crate::schedule::types::{Node, Pod};

use super::helper::default_normalize;

pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";
pub const ERR_REASON_CONFLICT: &str = "pod affinity terms conflict";

pub struct NodeAffinity;

/// Whether the node satisfies the pod's nodeSelector and required node
/// affinity (`GetRequiredNodeAffinity(pod).Match(node)`).
pub fn required_matches(pod: &Pod, node: &Node) -> bool {
    pod.node_selector
        .iter()
        .all(|(k, v)| node.labels.get(k) == Some(v))
        && pod
            .required_node_affinity
            .as_ref()
            .is_none_or(|sel| sel.matches(&node.name, &node.labels))
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let pod = cx.pod;
        let Some(required) = &pod.required_node_affinity else {
            return if pod.node_selector.is_empty() {
                PreFilter::Skip
            } else {
                PreFilter::pass()
            };
        };
        if required.terms.is_empty() {
            return PreFilter::pass();
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        for term in &required.terms {
            // A term without a node name requirement admits every node.
            let Some(pinned) = term.pinned_names() else {
                return PreFilter::pass();
            };
            names.extend(pinned);
        }
        if names.is_empty() {
            return PreFilter::Reject(Status::unresolvable(ERR_REASON_CONFLICT));
        }
        PreFilter::Pass {
            state: None,
            nodes: Some(names),
        }
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        if required_matches(cx.pod, cx.node(info)) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON_POD)
        }
    }

    fn weight(&self) -> i64 {
        2
    }

    fn pre_score(&self, cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        if cx.pod.preferred_node_affinity.is_empty() {
            PreScore::Skip
        } else {
            PreScore::Run(None)
        }
    }

    fn score(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        let node = cx.node(info);
        cx.pod
            .preferred_node_affinity
            .iter()
            .filter(|t| t.weight != 0 && !t.term.empty)
            .filter(|t| t.term.matches(&node.name, &node.labels))
            .map(|t| t.weight)
            .sum()
    }

    fn normalize(
        &self,
        _cx: &Cycle<'_>,
        _state: Option<&dyn StateData>,
        _feasible: &[&NodeInfo],
        scores: &mut [i64],
    ) {
        default_normalize(scores, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, scores};

    /// Runs PreFilter and Filter as `TestNodeAffinity` does: the PreFilter
    /// outcome (skip, narrowed names, rejection) and the Filter status.
    fn run(spec: &str, node_name: &str, labels: &[(&str, &str)]) -> (String, Status) {
        let pod = PodBuilder::spec("p", &[], spec).build();
        let mut nb = NodeBuilder::new(node_name);
        for (k, v) in labels {
            nb = nb.label(k, v);
        }
        let c = cluster(vec![nb.build()], vec![]);
        let cx = Cycle {
            cluster: &c,
            pod: &pod,
            version: Default::default(),
        };
        let pre = match NodeAffinity.pre_filter(&cx) {
            PreFilter::Skip => "skip".to_owned(),
            PreFilter::Reject(s) => format!("reject: {}", s.message()),
            PreFilter::Pass { nodes: None, .. } => "all".to_owned(),
            PreFilter::Pass { nodes: Some(n), .. } => n.into_iter().collect::<Vec<_>>().join(","),
        };
        (pre, NodeAffinity.filter(&cx, None, &c.infos[0]))
    }

    fn fail() -> Status {
        Status::unresolvable(ERR_REASON_POD)
    }

    fn required(exprs: &str) -> String {
        format!(
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n{exprs}"
        )
    }

    /// `TestNodeAffinity` (nodeaffinity/node_affinity_test.go), the cases
    /// that need no scheduler-profile `addedAffinity`.
    #[test]
    fn filter_upstream_table() {
        let ok = Status::success();
        // "missing labels"
        assert_eq!(run("nodeSelector: {foo: bar}", "", &[]).1, fail());
        // "same labels"
        assert_eq!(run("nodeSelector: {foo: bar}", "", &[("foo", "bar")]).1, ok);
        // "node labels are superset"
        assert_eq!(
            run(
                "nodeSelector: {foo: bar}",
                "",
                &[("foo", "bar"), ("baz", "blah")]
            )
            .1,
            ok
        );
        // "node labels are subset"
        assert_eq!(
            run("nodeSelector: {foo: bar, baz: blah}", "", &[("foo", "bar")]).1,
            fail()
        );
        // "Pod with matchExpressions using In operator that matches the existing node"
        let spec = required(
            "      - matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]\n",
        );
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, ok);
        // "Pod with matchExpressions using Gt operator that matches the existing node"
        let spec = required(
            "      - matchExpressions: [{key: kernel-version, operator: Gt, values: [\"0204\"]}]\n",
        );
        assert_eq!(run(&spec, "", &[("kernel-version", "0206")]).1, ok);
        // "Pod with matchExpressions using NotIn operator that matches the existing node"
        let spec = required(
            "      - matchExpressions: [{key: mem-type, operator: NotIn, values: [DDR, DDR2]}]\n",
        );
        assert_eq!(run(&spec, "", &[("mem-type", "DDR3")]).1, ok);
        // "Pod with matchExpressions using Exists operator that matches the existing node"
        let spec = required("      - matchExpressions: [{key: GPU, operator: Exists}]\n");
        assert_eq!(run(&spec, "", &[("GPU", "NVIDIA-GRID-K1")]).1, ok);
        // "Pod with affinity that don't match node's labels won't schedule onto the node"
        let spec = required(
            "      - matchExpressions: [{key: foo, operator: In, values: [value1, value2]}]\n",
        );
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, fail());
        // "Pod with empty MatchExpressions is not a valid value will match no objects ..."
        let spec = required("      - matchExpressions: []\n");
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, fail());
        // "Pod with no Affinity will schedule onto a node"
        assert_eq!(
            run("{}", "", &[("foo", "bar")]),
            ("skip".into(), ok.clone())
        );
        // "Pod with Affinity but nil NodeSelector will schedule onto a node"
        assert_eq!(
            run("affinity: {nodeAffinity: {}}", "", &[("foo", "bar")]),
            ("skip".into(), ok.clone())
        );
        // "Pod with multiple matchExpressions ANDed that matches the existing node"
        let spec = required(
            "      - matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: NotIn, values: [AMD, INTER]}]\n",
        );
        assert_eq!(run(&spec, "", &[("GPU", "NVIDIA-GRID-K1")]).1, ok);
        // "Pod with multiple matchExpressions ANDed that doesn't match the existing node"
        let spec = required(
            "      - matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: In, values: [AMD, INTER]}]\n",
        );
        assert_eq!(run(&spec, "", &[("GPU", "NVIDIA-GRID-K1")]).1, fail());
        // "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels ..."
        let spec = required(
            "      - matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]\n      - matchExpressions: [{key: diffkey, operator: In, values: [wrong, value2]}]\n",
        );
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, ok);
        // "Pod with an Affinity and a PodSpec.NodeSelector ... both are satisfied"
        let spec = format!(
            "nodeSelector: {{foo: bar}}\n{}",
            required("      - matchExpressions: [{key: foo, operator: Exists}]\n")
        );
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, ok);
        // "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector ... is not satisfied"
        assert_eq!(run(&spec, "", &[("foo", "barrrrrr")]).1, fail());
        // "Pod with an invalid value in Affinity term won't be scheduled onto the node"
        let spec = required(
            "      - matchExpressions: [{key: foo, operator: NotIn, values: [\"invalid value: ___@#$%^\"]}]\n",
        );
        assert_eq!(run(&spec, "", &[("foo", "bar")]).1, fail());
        // "Pod with matchFields using In operator that matches the existing node"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}]\n",
        );
        assert_eq!(run(&spec, "node1", &[]), ("node1".into(), ok.clone()));
        // "Pod with matchFields using In operator that does not match the existing node"
        assert_eq!(run(&spec, "node2", &[]), ("node1".into(), fail()));
        // "Pod with two terms: matchFields does not match, but matchExpressions matches"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}, {key: metadata.name, operator: In, values: [node2]}]\n      - matchExpressions: [{key: foo, operator: In, values: [bar]}]\n",
        );
        assert_eq!(
            run(&spec, "node2", &[("foo", "bar")]),
            ("all".into(), ok.clone())
        );
        // "Pod with one term: matchFields does not match, but matchExpressions matches"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}]\n        matchExpressions: [{key: foo, operator: In, values: [bar]}]\n",
        );
        assert_eq!(
            run(&spec, "node2", &[("foo", "bar")]),
            ("node1".into(), fail())
        );
        // "Pod with one term: both matchFields and matchExpressions match"
        assert_eq!(
            run(&spec, "node1", &[("foo", "bar")]),
            ("node1".into(), ok.clone())
        );
        // "Pod with two terms: both matchFields and matchExpressions do not match"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}]\n      - matchExpressions: [{key: foo, operator: In, values: [not-match-to-bar]}]\n",
        );
        assert_eq!(
            run(&spec, "node2", &[("foo", "bar")]),
            ("all".into(), fail())
        );
        // "Pod with two terms of node.Name affinity"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}]\n      - matchFields: [{key: metadata.name, operator: In, values: [node2]}]\n",
        );
        assert_eq!(run(&spec, "node2", &[]), ("node1,node2".into(), ok.clone()));
        // "Pod with two conflicting mach field requirements"
        let spec = required(
            "      - matchFields: [{key: metadata.name, operator: In, values: [node1]}, {key: metadata.name, operator: In, values: [node2]}]\n",
        );
        assert_eq!(
            run(&spec, "node2", &[("foo", "bar")]),
            (format!("reject: {ERR_REASON_CONFLICT}"), fail())
        );
    }

    /// `TestNodeAffinityPriority` (nodeaffinity/node_affinity_test.go).
    #[test]
    fn score_upstream_table() {
        let affinity1 = "affinity:\n  nodeAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n    - weight: 2\n      preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}\n";
        let affinity2 = "affinity:\n  nodeAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n    - weight: 2\n      preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}\n    - weight: 4\n      preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}\n    - weight: 5\n      preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}, {key: key, operator: In, values: [value]}, {key: az, operator: In, values: [az1]}]}\n";
        let node = |name: &str, labels: &str| NodeBuilder::new(name).labels_yaml(labels).build();
        let label1 = "{foo: bar}";
        let label2 = "{key: value}";
        let label3 = "{az: az1}";
        let label4 = "{abc: az11, def: az22}";
        let label5 = "{foo: bar, key: value, az: az1}";
        // "all nodes are same priority as NodeAffinity is nil" (PreScore skips)
        let c = cluster(
            vec![
                node("node1", label1),
                node("node2", label2),
                node("node3", label3),
            ],
            vec![],
        );
        assert_eq!(
            scores(&NodeAffinity, &c, &PodBuilder::new("p").build()),
            None
        );
        // "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero"
        let pod1 = PodBuilder::spec("p", &[], affinity1).build();
        let c = cluster(
            vec![
                node("node1", label4),
                node("node2", label2),
                node("node3", label3),
            ],
            vec![],
        );
        assert_eq!(scores(&NodeAffinity, &c, &pod1), Some(vec![0, 0, 0]));
        // "only node1 matches the preferred scheduling requirements of pod"
        let c = cluster(
            vec![
                node("node1", label1),
                node("node2", label2),
                node("node3", label3),
            ],
            vec![],
        );
        assert_eq!(scores(&NodeAffinity, &c, &pod1), Some(vec![100, 0, 0]));
        // "all nodes matches the preferred scheduling requirements of pod but with different priorities"
        let pod2 = PodBuilder::spec("p", &[], affinity2).build();
        let c = cluster(
            vec![
                node("node1", label1),
                node("node5", label5),
                node("node2", label2),
            ],
            vec![],
        );
        assert_eq!(scores(&NodeAffinity, &c, &pod2), Some(vec![18, 100, 36]));
    }

    /// Filters stop at the first plugin that rejects a node, in profile
    /// order: a tainted node reports the taint, not the selector.
    #[test]
    fn first_failing_plugin_reports() {
        let nodes = vec![
            NodeBuilder::new("tainted")
                .taint("dedicated", "gpu", "NoSchedule")
                .alloc(&[("pods", "10")])
                .build(),
            NodeBuilder::new("plain").alloc(&[("pods", "10")]).build(),
            NodeBuilder::new("ssd")
                .label("disk", "ssd")
                .alloc(&[("pods", "10")])
                .build(),
        ];
        let c = cluster(nodes, vec![]);
        let pod = PodBuilder::new("p").node_selector("disk", "ssd").build();
        assert_eq!(
            crate::schedule::plugins::testing::schedule(&c, &pod, Default::default()),
            Ok("ssd".into())
        );
        let pod = PodBuilder::new("p").node_selector("disk", "nvme").build();
        assert_eq!(
            crate::schedule::plugins::testing::schedule(&c, &pod, Default::default()),
            Err("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.".into())
        );
    }
}
