//! VolumeRestrictions, for the claims drydock models: a
//! `ReadWriteOncePod` claim already used by another pod rejects the pod in
//! PreFilter (Unschedulable, so preemption may help):
//! `node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod
//! access mode already in-use by another pod`. The inline-disk conflicts
//! (GCE PD, EBS, iSCSI, RBD on one node) are not modelled.

use crate::schedule::framework::{Cycle, Plugin, PreFilter, Status};

pub const ERR_REASON_RWOP: &str = "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod";

pub struct VolumeRestrictions;

impl Plugin for VolumeRestrictions {
    fn name(&self) -> &'static str {
        "VolumeRestrictions"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        let pod = cx.pod;
        let storage = &cx.cluster.storage;
        let rwop: Vec<&str> = pod
            .claims()
            .filter(|c| {
                storage
                    .claims
                    .get(&(pod.namespace.clone(), (*c).to_owned()))
                    .is_some_and(|c| c.access_modes.iter().any(|m| m == "ReadWriteOncePod"))
            })
            .collect();
        if rwop.is_empty() {
            return PreFilter::Skip;
        }
        let in_use = cx.cluster.pods.iter().enumerate().any(|(id, other)| {
            cx.cluster.bound[id].is_some()
                && other.namespace == pod.namespace
                && !(other.name == pod.name && other.workload == pod.workload)
                && other.claims().any(|c| rwop.contains(&c))
        });
        if in_use {
            PreFilter::Reject(Status::unschedulable(ERR_REASON_RWOP))
        } else {
            PreFilter::Skip
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::framework::Version;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, schedule, yaml};
    use crate::schedule::plugins::volume_binding::Claim;

    /// A claim with ReadWriteOncePod held by a running pod.
    #[test]
    fn read_write_once_pod_claim_in_use() {
        let pod = |name: &str| {
            PodBuilder::spec(
                name,
                &[],
                "volumes: [{name: data, persistentVolumeClaim: {claimName: solo}}]",
            )
            .build()
        };
        let node = NodeBuilder::new("n").alloc(&[("pods", "10")]).build();
        let mut c = cluster(vec![node], vec![(pod("first"), "n")]);
        let mut claim = Claim::from_value(
            &yaml(
                "spec: {accessModes: [ReadWriteOncePod], storageClassName: fast, resources: {requests: {storage: 1Gi}}}",
            ),
            "default",
            "solo",
        );
        claim.bound = Some("pv-solo".into());
        c.storage.add_claim(claim);
        c.storage
            .volumes
            .push(crate::schedule::plugins::volume_binding::PersistentVolume {
                name: "pv-solo".into(),
                ..Default::default()
            });
        assert_eq!(
            schedule(&c, &pod("second"), Version::DEFAULT),
            Err("0/1 nodes are available: node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.".into())
        );
    }
}
