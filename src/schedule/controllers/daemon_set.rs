//! DaemonSets: one pod per node that should run it
//! (`NodeShouldRunDaemonPod`): the template's `nodeName`, if any, names the
//! node; the nodeSelector and required node affinity match it; its NoSchedule
//! and NoExecute taints are tolerated once the DaemonSet tolerations are
//! added (`not-ready` and `unreachable` NoExecute; `disk-pressure`,
//! `memory-pressure`, `pid-pressure`, `unschedulable` NoSchedule; and
//! `network-unavailable` for host-network pods). Each pod's required node
//! affinity is replaced by a `metadata.name` field requirement for its node
//! and the pod goes through the scheduler, which still checks resources and
//! ports.

use crate::resource::Resource;
use crate::schedule::plugins::node_affinity::required_matches;
use crate::schedule::selector::{NodeSelector, NodeSelectorTerm};
use crate::schedule::types::{Toleration, untolerated_taint};
use crate::schedule::workloads::Expander;

/// The tolerations the DaemonSet controller adds to its pods.
pub fn default_tolerations(host_network: bool) -> Vec<Toleration> {
    let mut t: Vec<Toleration> = [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ]
    .iter()
    .map(|(k, e)| Toleration::new(k, "Exists", "", e))
    .collect();
    if host_network {
        t.push(Toleration::new(
            "node.kubernetes.io/network-unavailable",
            "Exists",
            "",
            "NoSchedule",
        ));
    }
    t
}

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let name = r.name().unwrap_or("").to_owned();
    let w = e.workload(r, "DaemonSet", 0, Some(index));
    let template = e.make_pod(r, &name, &[], Some("DaemonSet"), None, Some(w));
    let Ok(mut template) = template else {
        if let Err(message) = template {
            e.push(Err(message), &name, w, None, true);
        }
        return;
    };
    for t in default_tolerations(template.host_network) {
        if !template.tolerations.contains(&t) {
            template.tolerations.push(t);
        }
    }
    let mut desired = 0;
    for node in e.nodes {
        let fits_name = template.node_name.as_ref().is_none_or(|n| *n == node.name);
        if !fits_name
            || !required_matches(&template, node)
            || untolerated_taint(&node.taints, &template.tolerations).is_some()
        {
            continue;
        }
        desired += 1;
        let mut pod = template.clone();
        pod.name = format!("{name}-{}", node.name);
        pod.node_name = None;
        pod.required_node_affinity = Some(NodeSelector {
            terms: vec![NodeSelectorTerm::for_node_name(&node.name)],
        });
        let pod_name = pod.name.clone();
        e.push(Ok(pod), &pod_name, w, None, true);
    }
    e.out.workloads[w].desired = desired;
}
