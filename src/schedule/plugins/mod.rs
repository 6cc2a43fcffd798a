//! kube-scheduler's default plugins, one per file, named after the plugin.
//!
//! The order of [`default_profile`] is the order of the default profile's
//! MultiPoint list: it is the Filter order (so it decides which plugin's
//! reasons a node reports) and the order scores are listed in.

pub mod balanced_allocation;
pub mod default_preemption;
pub mod helper;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod node_volume_limits;
pub mod pod_topology_spread;
pub mod taint_toleration;
pub mod volume_binding;
pub mod volume_restrictions;
pub mod volume_zone;

#[cfg(test)]
pub(crate) mod testing;

use super::framework::{Plugin, Version};

/// The default profile, in upstream order.
pub fn default_profile(version: Version) -> Vec<Box<dyn Plugin>> {
    vec![
        Box::new(node_unschedulable::NodeUnschedulable),
        Box::new(node_name::NodeName),
        Box::new(taint_toleration::TaintToleration),
        Box::new(node_affinity::NodeAffinity),
        Box::new(node_ports::NodePorts),
        Box::new(node_resources_fit::NodeResourcesFit),
        Box::new(volume_restrictions::VolumeRestrictions),
        Box::new(node_volume_limits::NodeVolumeLimits),
        Box::new(volume_binding::VolumeBinding),
        Box::new(volume_zone::VolumeZone),
        Box::new(pod_topology_spread::PodTopologySpread),
        Box::new(inter_pod_affinity::InterPodAffinity),
        Box::new(balanced_allocation::BalancedAllocation { version }),
        Box::new(image_locality::ImageLocality),
    ]
}
