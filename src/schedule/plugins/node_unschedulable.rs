//! NodeUnschedulable: a cordoned node (`spec.unschedulable: true`) takes no
//! new pods, unless the pod tolerates the virtual taint
//! `node.kubernetes.io/unschedulable:NoSchedule`. UnschedulableAndUnresolvable,
//! `node(s) were unschedulable`.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, StateData, Status};
use crate::schedule::types::{Taint, tolerated};

pub const ERR_REASON: &str = "node(s) were unschedulable";

pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "NodeUnschedulable"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        if !cx.node(info).unschedulable {
            return Status::success();
        }
        let virtual_taint = Taint::new("node.kubernetes.io/unschedulable", "", "NoSchedule");
        if tolerated(&cx.pod.tolerations, &virtual_taint) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, filter_one};

    /// `TestNodeUnschedulable` (nodeunschedulable/node_unschedulable_test.go).
    #[test]
    fn upstream_table() {
        // "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)"
        let node = NodeBuilder::new("n").unschedulable().build();
        let pod = PodBuilder::new("p").build();
        assert_eq!(
            filter_one(&NodeUnschedulable, &node, &[], &pod),
            Status::unresolvable(ERR_REASON)
        );
        // "Schedule pod to normal node"
        let node = NodeBuilder::new("n").build();
        assert!(filter_one(&NodeUnschedulable, &node, &[], &pod).is_success());
        // "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)"
        let node = NodeBuilder::new("n").unschedulable().build();
        let pod = PodBuilder::new("p")
            .toleration("node.kubernetes.io/unschedulable", "", "", "NoSchedule")
            .build();
        assert!(filter_one(&NodeUnschedulable, &node, &[], &pod).is_success());
    }
}
