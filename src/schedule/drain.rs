//! The N+1 check: for each node, what happens when it is drained.
//!
//! Mirrors `kubectl drain` and the cluster autoscaler's node-removal
//! simulation. DaemonSet pods and static (mirror) pods stay; pods without a
//! controller are lost (drain needs `--force`); pods with `emptyDir` lose
//! their data (drain needs `--delete-emptydir-data`). For every
//! PodDisruptionBudget the node's covered pods are counted against
//! `disruptionsAllowed`: with nothing allowed the drain never completes
//! (blocked); with fewer allowed than pods on the node it must wait for
//! replacements to become ready (slow). The node is then cordoned and its
//! controller-managed pods are rescheduled, in priority order, with the full
//! filters and scores; a pod that fits nowhere fails the check with the
//! scheduler's message.

use super::cluster::Cluster;
use super::framework::{Framework, PodState, QueueItem};
use super::pdb::Budget;
use super::types::{Taint, Volume};

/// The outcome for one node, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Fail,
    Blocked,
    Slow,
    Pass,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "FAIL",
            Verdict::Blocked => "BLOCKED",
            Verdict::Slow => "SLOW",
            Verdict::Pass => "PASS",
        }
    }
}

/// A budget the drain touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetUse {
    pub name: String,
    pub namespace: String,
    /// Covered pods on the node.
    pub pods: i64,
    pub allowed: i64,
}

#[derive(Clone, Debug)]
pub struct NodeDrain {
    pub node: usize,
    pub verdict: Verdict,
    /// Pods rescheduled, and where they went (`None`: nowhere).
    pub moves: Vec<(usize, Option<usize>)>,
    /// The scheduler's message for the first pod that fits nowhere.
    pub failure: Option<(usize, String)>,
    pub budgets: Vec<BudgetUse>,
    /// Pods lost or data dropped, in `kubectl drain`'s terms.
    pub warnings: Vec<String>,
}

/// Drains each node in turn from the scheduled state (which is restored).
pub fn check(fw: &Framework, cluster: &mut Cluster, budgets: &[Budget]) -> Vec<NodeDrain> {
    (0..cluster.nodes.len())
        .map(|n| drain_one(fw, cluster, budgets, n))
        .collect()
}

fn drain_one(fw: &Framework, cluster: &mut Cluster, budgets: &[Budget], n: usize) -> NodeDrain {
    let on_node = cluster.infos[n].pods.clone();
    let mut victims = Vec::new();
    let mut warnings = Vec::new();
    for &id in &on_node {
        let p = &cluster.pods[id];
        match p.owner_kind.as_deref() {
            Some("DaemonSet") | Some("Node") => continue,
            None => {
                warnings.push(format!(
                    "{} has no controller: kubectl drain needs --force and the pod is lost",
                    p.key()
                ));
                continue;
            }
            Some(_) => {}
        }
        if p.volumes.contains(&Volume::EmptyDir) {
            warnings.push(format!(
                "{} uses emptyDir: kubectl drain needs --delete-emptydir-data and the data is lost",
                p.key()
            ));
        }
        victims.push(id);
    }
    let mut verdict = Verdict::Pass;
    let mut uses = Vec::new();
    for b in budgets {
        let covered = victims
            .iter()
            .filter(|&&id| {
                let p = &cluster.pods[id];
                b.covers(&p.namespace, &p.labels)
            })
            .count() as i64;
        if covered == 0 {
            continue;
        }
        let allowed = b.allowed_now(cluster);
        if allowed == 0 {
            verdict = verdict.min(Verdict::Blocked);
        } else if covered > allowed {
            verdict = verdict.min(Verdict::Slow);
        }
        uses.push(BudgetUse {
            name: b.name.clone(),
            namespace: b.namespace.clone(),
            pods: covered,
            allowed,
        });
    }
    // Cordon, evict, reschedule; then undo.
    let saved_bound = cluster.bound.clone();
    let saved_order = cluster.infos[n].pods.clone();
    let saved = (
        cluster.nodes[n].unschedulable,
        cluster.nodes[n].taints.clone(),
    );
    cluster.nodes[n].unschedulable = true;
    let cordon = Taint::new("node.kubernetes.io/unschedulable", "", "NoSchedule");
    if !cluster.nodes[n].taints.contains(&cordon) {
        cluster.nodes[n].taints.push(cordon);
    }
    for &id in &on_node {
        if cluster.pods[id].owner_kind.is_none() || victims.contains(&id) {
            cluster.unbind(id);
        }
    }
    let items: Vec<QueueItem> = victims
        .iter()
        .map(|&pod| QueueItem {
            pod,
            after: None,
            daemon: false,
            template: None,
        })
        .collect();
    // Each drain starts from the scheduled state, the start index included.
    let start = fw.start_index();
    let result = fw.run_queue(cluster, &items, &|_| false);
    fw.set_start_index(start);
    let mut moves = Vec::new();
    let mut failure = None;
    for &id in &victims {
        match &result.states[id] {
            Some(PodState::Bound { node, .. }) => moves.push((id, Some(*node))),
            Some(PodState::Pending { message }) => {
                moves.push((id, None));
                failure.get_or_insert((id, message.clone()));
            }
            _ => moves.push((id, None)),
        }
    }
    if failure.is_some() {
        verdict = Verdict::Fail;
    }
    // Undo: every pod back where it was (preemption may have moved others).
    for (id, was) in saved_bound.iter().enumerate() {
        if cluster.bound[id] != *was {
            cluster.unbind(id);
        }
    }
    cluster.nodes[n].unschedulable = saved.0;
    cluster.nodes[n].taints = saved.1;
    for (id, was) in saved_bound.iter().enumerate() {
        if let (Some(node), None) = (was, cluster.bound[id]) {
            cluster.bind(id, *node);
        }
    }
    cluster.infos[n].pods = saved_order;
    NodeDrain {
        node: n,
        verdict,
        moves,
        failure,
        budgets: uses,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Version;
    use crate::schedule::pdb::IntOrPercent;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster};
    use crate::schedule::selector::LabelSelector;

    fn node(name: &str) -> crate::schedule::types::Node {
        NodeBuilder::new(name)
            .label("kubernetes.io/hostname", name)
            .alloc(&[("cpu", "2"), ("memory", "4Gi"), ("pods", "10")])
            .build()
    }

    fn replica(name: &str, cpu: &str) -> crate::schedule::types::Pod {
        let mut p = PodBuilder::new(name)
            .label("app", "zk")
            .req(&[("cpu", cpu)])
            .build();
        p.owner_kind = Some("StatefulSet".into());
        p
    }

    fn budget(min: i64) -> Budget {
        Budget {
            name: "zk-pdb".into(),
            namespace: "default".into(),
            selector: LabelSelector::from_labels(
                &[("app".to_owned(), "zk".to_owned())].into_iter().collect(),
            ),
            min_available: Some(IntOrPercent::Int(min)),
            max_unavailable: None,
        }
    }

    /// The ZooKeeper seed: 3 replicas, minAvailable 2 (one disruption
    /// allowed), one per node: every node drains.
    #[test]
    fn zookeeper_budget_allows_one() {
        let mut c = cluster(
            vec![node("a"), node("b"), node("c")],
            vec![
                (replica("zk-0", "500m"), "a"),
                (replica("zk-1", "500m"), "b"),
                (replica("zk-2", "500m"), "c"),
            ],
        );
        let fw = Framework::new(Version::DEFAULT);
        let r = check(&fw, &mut c, &[budget(2)]);
        assert!(r.iter().all(|d| d.verdict == Verdict::Pass), "{r:?}");
        assert_eq!(r[0].budgets[0].allowed, 1);
        // The state is restored.
        assert_eq!(c.bound, vec![Some(0), Some(1), Some(2)]);
    }

    /// minAvailable equal to the replicas blocks every drain; no room
    /// elsewhere fails it.
    #[test]
    fn blocked_and_failed() {
        let mut c = cluster(
            vec![node("a"), node("b")],
            vec![
                (replica("zk-0", "1500m"), "a"),
                (replica("zk-1", "1500m"), "b"),
            ],
        );
        let fw = Framework::new(Version::DEFAULT);
        let r = check(&fw, &mut c, &[budget(2)]);
        assert_eq!(r[0].verdict, Verdict::Fail);
        assert_eq!(r[0].budgets[0].allowed, 0);
        assert_eq!(
            r[0].failure.as_ref().map(|(_, m)| m.as_str()),
            Some(
                "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
            )
        );
        let mut c = cluster(
            vec![node("a"), node("b"), node("c")],
            vec![
                (replica("zk-0", "500m"), "a"),
                (replica("zk-1", "500m"), "b"),
            ],
        );
        let r = check(&fw, &mut c, &[budget(2)]);
        assert_eq!(r[0].verdict, Verdict::Blocked);
        assert_eq!(r[2].verdict, Verdict::Pass);
    }
}
