//! TaintToleration.
//!
//! Filter: the first node taint with effect NoSchedule or NoExecute (in the
//! node's order) that no toleration of the pod tolerates rejects the node,
//! UnschedulableAndUnresolvable. The reason names the taint,
//! `node(s) had untolerated taint {key: value}`, up to v1.34.1; from v1.35
//! (and v1.34.2) it is `node(s) had untolerated taint(s)`.
//!
//! Score (weight 3): the number of PreferNoSchedule taints not tolerated by
//! the pod's tolerations with an empty or PreferNoSchedule effect, reversed
//! by the default normalization (fewest intolerable taints scores 100).

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreScore, StateData, Status};
use crate::schedule::types::{Toleration, untolerated_taint};

use super::helper::default_normalize;

pub struct TaintToleration;

/// The filter's reason for an untolerated taint, in the release's words.
pub fn reason(cx: &Cycle<'_>, key: &str, value: &str) -> String {
    if cx.version.taint_reason_without_taint() {
        "node(s) had untolerated taint(s)".to_owned()
    } else {
        format!("node(s) had untolerated taint {{{key}: {value}}}")
    }
}

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        match untolerated_taint(&cx.node(info).taints, &cx.pod.tolerations) {
            None => Status::success(),
            Some(t) => Status::unresolvable(reason(cx, &t.key, &t.value)),
        }
    }

    fn weight(&self) -> i64 {
        3
    }

    fn pre_score(&self, _cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        PreScore::Run(None)
    }

    fn score(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        let prefer = |tol: &&Toleration| tol.effect.is_empty() || tol.effect == "PreferNoSchedule";
        cx.node(info)
            .taints
            .iter()
            .filter(|t| t.effect == "PreferNoSchedule")
            .filter(|t| {
                !cx.pod
                    .tolerations
                    .iter()
                    .filter(prefer)
                    .any(|tol| tol.tolerates(t))
            })
            .count() as i64
    }

    fn normalize(
        &self,
        _cx: &Cycle<'_>,
        _state: Option<&dyn StateData>,
        _feasible: &[&NodeInfo],
        scores: &mut [i64],
    ) {
        default_normalize(scores, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Version;
    use crate::schedule::plugins::testing::{
        NodeBuilder, PodBuilder, cluster, filter_one, schedule, scores,
    };
    use crate::schedule::types::Pod;

    fn pod_with(tols: &[(&str, &str, &str, &str)]) -> Pod {
        let mut b = PodBuilder::new("pod1");
        for (k, op, v, e) in tols {
            b = b.toleration(k, op, v, e);
        }
        b.build()
    }

    fn untolerated(k: &str, v: &str) -> Status {
        Status::unresolvable(format!("node(s) had untolerated taint {{{k}: {v}}}"))
    }

    /// `TestTaintTolerationFilter` (tainttoleration/taint_toleration_test.go),
    /// with the v1.32 reason text.
    #[test]
    fn filter_upstream_table() {
        let ded1 = NodeBuilder::new("nodeA")
            .taint("dedicated", "user1", "NoSchedule")
            .build();
        // "A pod having no tolerations can't be scheduled onto a node with nonempty taints"
        assert_eq!(
            filter_one(&TaintToleration, &ded1, &[], &pod_with(&[])),
            untolerated("dedicated", "user1")
        );
        // "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule"
        let p = pod_with(&[("dedicated", "", "user1", "NoSchedule")]);
        assert!(filter_one(&TaintToleration, &ded1, &[], &p).is_success());
        // "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule"
        let p = pod_with(&[("dedicated", "Equal", "user2", "NoSchedule")]);
        assert_eq!(
            filter_one(&TaintToleration, &ded1, &[], &p),
            untolerated("dedicated", "user1")
        );
        // "A pod can be scheduled onto the node, with a toleration uses operator Exists ..."
        let foo = NodeBuilder::new("nodeA")
            .taint("foo", "bar", "NoSchedule")
            .build();
        let p = pod_with(&[("foo", "Exists", "", "NoSchedule")]);
        assert!(filter_one(&TaintToleration, &foo, &[], &p).is_success());
        // "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated ..."
        let both = NodeBuilder::new("nodeA")
            .taint("dedicated", "user2", "NoSchedule")
            .taint("foo", "bar", "NoSchedule")
            .build();
        let p = pod_with(&[
            ("dedicated", "Equal", "user2", "NoSchedule"),
            ("foo", "Exists", "", "NoSchedule"),
        ]);
        assert!(filter_one(&TaintToleration, &both, &[], &p).is_success());
        // "... keys and values match the taint on the node, but (non-empty) effect doesn't match"
        let p = pod_with(&[("foo", "Equal", "bar", "PreferNoSchedule")]);
        assert_eq!(
            filter_one(&TaintToleration, &foo, &[], &p),
            untolerated("foo", "bar")
        );
        // "... the effect of toleration is empty, and the effect of taint is NoSchedule"
        let p = pod_with(&[("foo", "Equal", "bar", "")]);
        assert!(filter_one(&TaintToleration, &foo, &[], &p).is_success());
        // "... key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule"
        let pref = NodeBuilder::new("nodeA")
            .taint("dedicated", "user1", "PreferNoSchedule")
            .build();
        let p = pod_with(&[("dedicated", "Equal", "user2", "NoSchedule")]);
        assert!(filter_one(&TaintToleration, &pref, &[], &p).is_success());
        // "The pod has no toleration, but the effect of taint on node is PreferNoSchedule"
        assert!(filter_one(&TaintToleration, &pref, &[], &pod_with(&[])).is_success());
    }

    /// The reason of v1.35 (and v1.34.2): the taint is no longer named.
    #[test]
    fn reason_text_follows_the_release() {
        let node = NodeBuilder::new("nodeA")
            .taint("dedicated", "user1", "NoSchedule")
            .alloc(&[("pods", "10")])
            .build();
        let c = cluster(vec![node], vec![]);
        let p = pod_with(&[]);
        let v134 = Version {
            minor: 34,
            patch: 1,
        };
        assert_eq!(
            schedule(&c, &p, v134),
            Err("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: user1}. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".into())
        );
        let v135 = Version {
            minor: 35,
            patch: 0,
        };
        assert_eq!(
            schedule(&c, &p, v135),
            Err("0/1 nodes are available: 1 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".into())
        );
    }

    /// `TestTaintTolerationScore` (tainttoleration/taint_toleration_test.go).
    #[test]
    fn score_upstream_table() {
        let pref = |name: &str, taints: &[(&str, &str, &str)]| {
            let mut b = NodeBuilder::new(name);
            for (k, v, e) in taints {
                b = b.taint(k, v, e);
            }
            b.build()
        };
        // "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints"
        let c = cluster(
            vec![
                pref("nodeA", &[("foo", "bar", "PreferNoSchedule")]),
                pref("nodeB", &[("foo", "blah", "PreferNoSchedule")]),
            ],
            vec![],
        );
        let p = pod_with(&[("foo", "Equal", "bar", "PreferNoSchedule")]);
        assert_eq!(scores(&TaintToleration, &c, &p), Some(vec![100, 0]));
        // "the nodes that all of their taints are tolerated by the pod, get the same score ..."
        let three = || {
            cluster(
                vec![
                    pref("nodeA", &[]),
                    pref("nodeB", &[("cpu-type", "arm64", "PreferNoSchedule")]),
                    pref(
                        "nodeC",
                        &[
                            ("cpu-type", "arm64", "PreferNoSchedule"),
                            ("disk-type", "ssd", "PreferNoSchedule"),
                        ],
                    ),
                ],
                vec![],
            )
        };
        let p = pod_with(&[
            ("cpu-type", "Equal", "arm64", "PreferNoSchedule"),
            ("disk-type", "Equal", "ssd", "PreferNoSchedule"),
        ]);
        assert_eq!(
            scores(&TaintToleration, &three(), &p),
            Some(vec![100, 100, 100])
        );
        // "the more intolerable taints a node has, the lower score it gets."
        let p = pod_with(&[("foo", "Equal", "bar", "PreferNoSchedule")]);
        assert_eq!(
            scores(&TaintToleration, &three(), &p),
            Some(vec![100, 50, 0])
        );
        // "only taints and tolerations that have effect PreferNoSchedule are checked ..."
        let c = cluster(
            vec![
                pref("nodeA", &[]),
                pref("nodeB", &[("cpu-type", "arm64", "NoSchedule")]),
                pref(
                    "nodeC",
                    &[
                        ("cpu-type", "arm64", "PreferNoSchedule"),
                        ("disk-type", "ssd", "PreferNoSchedule"),
                    ],
                ),
            ],
            vec![],
        );
        let p = pod_with(&[
            ("cpu-type", "Equal", "arm64", "NoSchedule"),
            ("disk-type", "Equal", "ssd", "NoSchedule"),
        ]);
        assert_eq!(scores(&TaintToleration, &c, &p), Some(vec![100, 100, 0]));
        // "Default behaviour No taints and tolerations, lands on node with no taints"
        let c = cluster(
            vec![
                pref("nodeA", &[]),
                pref("nodeB", &[("cpu-type", "arm64", "PreferNoSchedule")]),
            ],
            vec![],
        );
        assert_eq!(
            scores(&TaintToleration, &c, &pod_with(&[])),
            Some(vec![100, 0])
        );
    }
}
