//! ReplicaSets (standalone): `replicas` pods (default 1, adjusted by an HPA).

use crate::resource::Resource;
use crate::schedule::types::Pod;
use crate::schedule::workloads::{Expander, spec_selector};

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let mut notes = Vec::new();
    let replicas = e.replicas(r, "ReplicaSet", &mut notes);
    let w = e.workload(r, "ReplicaSet", replicas, Some(index));
    e.out.workloads[w].notes = notes;
    let selector = spec_selector(r);
    let name = r.name().unwrap_or("").to_owned();
    let template = e.make_pod(
        r,
        &format!("{name}-0"),
        &[],
        Some("ReplicaSet"),
        Some(&selector),
        Some(w),
    );
    push_replicas(e, template, &name, w, replicas);
}

/// Queues `replicas` copies of a template pod named `<name>-<i>`.
pub fn push_replicas(
    e: &mut Expander<'_>,
    template: Result<Pod, String>,
    name: &str,
    w: usize,
    replicas: usize,
) {
    for i in 0..replicas {
        let pod_name = format!("{name}-{i}");
        let made = template.clone().map(|mut p| {
            p.name = pod_name.clone();
            p
        });
        e.push(made, &pod_name, w, None, false);
    }
}
