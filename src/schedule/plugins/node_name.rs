//! NodeName: a pod that names its node (`spec.nodeName`) fits only there.
//! UnschedulableAndUnresolvable, `node(s) didn't match the requested node name`.
//!
//! Pods with `nodeName` bypass the scheduler in a live cluster; drydock binds
//! them directly and uses this check only when asked to explain them.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, StateData, Status};

pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        "NodeName"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        match &cx.pod.node_name {
            Some(name) if *name != cx.node(info).name => Status::unresolvable(ERR_REASON),
            _ => Status::success(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, filter_one};

    /// `TestNodeName` (nodename/node_name_test.go).
    #[test]
    fn upstream_table() {
        // "no host specified"
        let node = NodeBuilder::new("foo").build();
        assert!(filter_one(&NodeName, &node, &[], &PodBuilder::new("p").build()).is_success());
        // "host matches"
        let pod = PodBuilder::new("p").node_name("foo").build();
        assert!(filter_one(&NodeName, &node, &[], &pod).is_success());
        // "host doesn't match"
        let pod = PodBuilder::new("p").node_name("bar").build();
        assert_eq!(
            filter_one(&NodeName, &node, &[], &pod),
            Status::unresolvable(ERR_REASON)
        );
    }
}
