//! DefaultPreemption, the PostFilter that runs when a pod fits nowhere.
//!
//! A pod with `preemptionPolicy: Never` is not eligible
//! (`not eligible due to preemptionPolicy=Never.`). Otherwise the candidate
//! nodes are those whose filter status was Unschedulable (not
//! UnschedulableAndUnresolvable). On each, every pod of lower priority is
//! removed; if the pod still does not fit, the node reports its filter
//! reasons; if there was nothing to remove, `No preemption victims found for
//! incoming pod`. Otherwise as many of the removed pods as possible are put
//! back, highest priority first, those whose eviction would violate a
//! PodDisruptionBudget before the others; the rest are the victims. Among
//! candidate nodes the one with the fewest budget violations wins, then the
//! lowest highest victim priority, the lowest sum of priorities, the fewest
//! victims, then inventory order.
//!
//! With no candidate, the message is a second FitError over all nodes in
//! which nodes that were not tried say `Preemption is not helpful for
//! scheduling`; the framework prefixes it with `preemption: `.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Code, Cycle, Diagnosis, Framework, PreFiltered, Status};
use crate::schedule::message;

pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
pub const NOT_ELIGIBLE: &str = "not eligible due to preemptionPolicy=Never.";

/// What preemption found.
pub enum Outcome {
    /// The text after `preemption: `.
    Message(String),
    /// Evicting `victims` (pod ids) from `node` makes room.
    Nominated { node: usize, victims: Vec<usize> },
}

struct Candidate {
    node: usize,
    victims: Vec<usize>,
    pdb_violations: usize,
}

pub fn preempt(
    fw: &Framework,
    cx: &Cycle<'_>,
    diagnosis: &Diagnosis,
    pre: Option<&PreFiltered>,
) -> Outcome {
    if cx.pod.never_preempts {
        return Outcome::Message(NOT_ELIGIBLE.to_owned());
    }
    let n = cx.cluster.nodes.len();
    let potential: Vec<usize> = (0..n)
        .filter(|&i| diagnosis.code_of(i) == Some(Code::Unschedulable))
        .collect();
    let mut statuses: Vec<Option<(&'static str, Status)>> = vec![None; n];
    let mut candidates = Vec::new();
    for &node in &potential {
        let picked = match pre {
            Some(pre) => select_victims(fw, cx, pre, node),
            None => select_victims_after_pre_filter(fw, cx, node),
        };
        match picked {
            Ok(c) => candidates.push(c),
            Err(s) => statuses[node] = Some(s),
        }
    }
    if candidates.is_empty() {
        let d = Diagnosis {
            statuses,
            absent: Some(Status::unresolvable(NOT_HELPFUL)),
            pre_filter_msg: None,
        };
        return Outcome::Message(message::fit_error(n, &d, None));
    }
    let priority = |id: usize| cx.cluster.pods[id].priority;
    candidates.sort_by_key(|c| {
        (
            c.pdb_violations,
            c.victims.first().map_or(i64::MIN, |&v| priority(v)),
            c.victims
                .iter()
                .map(|&v| priority(v) + i64::from(i32::MAX) + 1)
                .sum::<i64>(),
            c.victims.len(),
            c.node,
        )
    });
    let best = candidates.swap_remove(0);
    Outcome::Nominated {
        node: best.node,
        victims: best.victims,
    }
}

/// `SelectVictimsOnNode`: the pods to evict from `node`, or the status the
/// node keeps.
fn select_victims(
    fw: &Framework,
    cx: &Cycle<'_>,
    pre: &PreFiltered,
    node: usize,
) -> Result<Candidate, (&'static str, Status)> {
    let cluster = cx.cluster;
    let mut info: NodeInfo = cluster.infos[node].clone();
    let mut states = pre.clone_states();
    let update = |states: &mut Vec<Option<Box<dyn crate::schedule::framework::StateData>>>,
                  info: &NodeInfo,
                  id: usize,
                  delta: i64| {
        for (i, p) in fw.plugins.iter().enumerate() {
            if let Some(s) = states[i].as_deref_mut() {
                p.update_state(cx, s, &cluster.pods[id], info, delta);
            }
        }
    };
    let mut potential: Vec<usize> = info
        .pods
        .iter()
        .copied()
        .filter(|&id| cluster.pods[id].priority < cx.pod.priority)
        .collect();
    for &id in &potential {
        info.remove_pod(id, &cluster.pods[id]);
        update(&mut states, &info, id, -1);
    }
    if potential.is_empty() {
        return Err(("DefaultPreemption", Status::unresolvable(NO_VICTIMS)));
    }
    if let Some(fail) = fw.filter_node(cx, pre, &states, &info) {
        return Err(fail);
    }
    // Highest priority first; earlier-bound first among equals.
    potential.sort_by_key(|&id| std::cmp::Reverse(cluster.pods[id].priority));
    let (violating, non_violating) = split_by_budgets(fw, cx, &potential);
    let mut victims = Vec::new();
    let mut pdb_violations = 0;
    for (list, counts) in [(violating, true), (non_violating, false)] {
        for id in list {
            info.add_pod(id, &cluster.pods[id]);
            update(&mut states, &info, id, 1);
            if fw.filter_node(cx, pre, &states, &info).is_some() {
                info.remove_pod(id, &cluster.pods[id]);
                update(&mut states, &info, id, -1);
                victims.push(id);
                if counts {
                    pdb_violations += 1;
                }
            }
        }
    }
    Ok(Candidate {
        node,
        victims,
        pdb_violations,
    })
}

/// Victims on a node when PreFilter itself rejected the pod (as
/// Unschedulable): every lower-priority pod is removed and the whole cycle's
/// filters run again on the node.
fn select_victims_after_pre_filter(
    fw: &Framework,
    cx: &Cycle<'_>,
    node: usize,
) -> Result<Candidate, (&'static str, Status)> {
    let mut victims: Vec<usize> = cx.cluster.infos[node]
        .pods
        .iter()
        .copied()
        .filter(|&id| cx.cluster.pods[id].priority < cx.pod.priority)
        .collect();
    victims.sort_by_key(|&id| std::cmp::Reverse(cx.cluster.pods[id].priority));
    if victims.is_empty() {
        return Err(("DefaultPreemption", Status::unresolvable(NO_VICTIMS)));
    }
    let mut c = cx.cluster.clone();
    for &v in &victims {
        c.unbind(v);
    }
    let cx2 = Cycle {
        cluster: &c,
        pod: cx.pod,
        version: cx.version,
    };
    let pre = fw.pre_filter(&cx2).map_err(|s| ("PreFilter", s))?;
    if let Some(fail) = fw.filter_node(&cx2, &pre, &pre.states, &c.infos[node]) {
        return Err(fail);
    }
    let (violating, _) = split_by_budgets(fw, cx, &victims);
    Ok(Candidate {
        node,
        pdb_violations: violating.len(),
        victims,
    })
}

/// `filterPodsWithPDBViolation`: pods whose eviction would take a budget
/// below zero, and the others, each in the given order.
fn split_by_budgets(fw: &Framework, cx: &Cycle<'_>, pods: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut allowed: Vec<i64> = fw
        .budgets
        .iter()
        .map(|b| b.allowed_now(cx.cluster))
        .collect();
    let mut violating = Vec::new();
    let mut fine = Vec::new();
    for &id in pods {
        let p = &cx.cluster.pods[id];
        let mut violated = false;
        if !p.labels.is_empty() {
            for (i, b) in fw.budgets.iter().enumerate() {
                if b.covers(&p.namespace, &p.labels) {
                    allowed[i] -= 1;
                    if allowed[i] < 0 {
                        violated = true;
                    }
                }
            }
        }
        if violated {
            violating.push(id);
        } else {
            fine.push(id);
        }
    }
    (violating, fine)
}

#[cfg(test)]
mod tests {
    use crate::schedule::framework::Version;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, schedule};

    fn node(name: &str) -> crate::schedule::types::Node {
        NodeBuilder::new(name)
            .alloc(&[("cpu", "1"), ("memory", "1Gi"), ("pods", "10")])
            .build()
    }

    /// The shape of `0/3 nodes are available: 1 Insufficient cpu, 2 node(s)
    /// had untolerated taint ...` with nothing of lower priority to evict.
    #[test]
    fn no_victims_and_not_helpful() {
        let tainted = |n: &str| {
            NodeBuilder::new(n)
                .alloc(&[("cpu", "4"), ("memory", "1Gi"), ("pods", "10")])
                .taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")
                .build()
        };
        let busy = PodBuilder::new("busy").req(&[("cpu", "900m")]).build();
        let c = cluster(
            vec![node("w"), tainted("cp1"), tainted("cp2")],
            vec![(busy, "w")],
        );
        let pod = PodBuilder::new("p").req(&[("cpu", "500m")]).build();
        assert_eq!(
            schedule(&c, &pod, Version::DEFAULT),
            Err("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.".into())
        );
    }

    #[test]
    fn never_policy_is_not_eligible() {
        let busy = PodBuilder::new("busy").req(&[("cpu", "900m")]).build();
        let c = cluster(vec![node("w")], vec![(busy, "w")]);
        let mut pod = PodBuilder::new("p")
            .req(&[("cpu", "500m")])
            .priority(10)
            .build();
        pod.never_preempts = true;
        assert_eq!(
            schedule(&c, &pod, Version::DEFAULT),
            Err("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.".into())
        );
    }

    /// A tried node whose lower-priority pods are removable but which still
    /// does not fit reports its filter reason.
    #[test]
    fn still_too_small_after_removing_victims() {
        let low = PodBuilder::new("low").req(&[("cpu", "200m")]).build();
        let c = cluster(vec![node("w")], vec![(low, "w")]);
        let pod = PodBuilder::new("p")
            .req(&[("cpu", "1500m")])
            .priority(10)
            .build();
        assert_eq!(
            schedule(&c, &pod, Version::DEFAULT),
            Err("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.".into())
        );
    }

    /// When victims make room, PostFilter succeeds and adds no message.
    #[test]
    fn nominates_the_node_with_the_cheapest_victims() {
        let fw = crate::schedule::framework::Framework::new(Version::DEFAULT);
        let c = cluster(
            vec![node("a"), node("b")],
            vec![
                (
                    PodBuilder::new("a1")
                        .req(&[("cpu", "600m")])
                        .priority(5)
                        .build(),
                    "a",
                ),
                (
                    PodBuilder::new("b1")
                        .req(&[("cpu", "600m")])
                        .priority(1)
                        .build(),
                    "b",
                ),
            ],
        );
        let pod = PodBuilder::new("p")
            .req(&[("cpu", "600m")])
            .priority(10)
            .build();
        match fw.schedule_one(&c, &pod, false).decision {
            crate::schedule::framework::Decision::Unschedulable {
                message, nominated, ..
            } => {
                assert_eq!(message, "0/2 nodes are available: 2 Insufficient cpu.");
                assert_eq!(nominated, Some((1, vec![1])));
            }
            other => panic!("{other:?}"),
        }
    }
}
