//! Deployments: `replicas` pods (default 1, adjusted by an HPA) owned by a
//! ReplicaSet whose selector adds the `pod-template-hash` label.

use crate::resource::Resource;
use crate::schedule::selector::{Op, Requirement};
use crate::schedule::workloads::{Expander, spec_selector, template_hash};

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let mut notes = Vec::new();
    let replicas = e.replicas(r, "Deployment", &mut notes);
    let w = e.workload(r, "Deployment", replicas, Some(index));
    e.out.workloads[w].notes = notes;
    let hash = template_hash(r.value.pointer("/spec/template"));
    let selector = spec_selector(r).and(vec![Requirement::new(
        "pod-template-hash",
        Op::In,
        &[&hash],
    )]);
    let name = r.name().unwrap_or("").to_owned();
    let template = e.make_pod(
        r,
        &format!("{name}-0"),
        &[("pod-template-hash", hash)],
        Some("ReplicaSet"),
        Some(&selector),
        Some(w),
    );
    if let Ok(p) = &template {
        e.out.workloads[w].template = Some(p.clone());
    }
    super::replica_set::push_replicas(e, template, &name, w, replicas);
}
