//! ReplicaSets (standalone): `replicas` pods (default 1, adjusted by an HPA).

use rayon::prelude::*;

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

/// Queues `replicas` copies of a template pod named `<name>-<i>`. The
/// copies are independent, so they are made on every thread.
pub fn push_replicas(
    e: &mut Expander<'_>,
    template: Result<Pod, String>,
    name: &str,
    w: usize,
    replicas: usize,
) {
    let made: Vec<(String, Result<Pod, String>)> = (0..replicas)
        .into_par_iter()
        .with_min_len(256)
        .map(|i| {
            let pod_name = format!("{name}-{i}");
            let made = template.clone().map(|mut p| {
                p.name.clone_from(&pod_name);
                p
            });
            (pod_name, made)
        })
        .collect();
    e.out.pods.reserve(replicas);
    for (pod_name, made) in made {
        e.push(made, &pod_name, w, None, false);
    }
}
