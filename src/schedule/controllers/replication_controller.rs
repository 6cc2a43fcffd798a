//! ReplicationControllers: `replicas` pods (default 1); the selector is
//! `spec.selector` (a label map), or the template's labels when absent.

use crate::resource::Resource;
use crate::schedule::selector::{LabelSelector, labels_of};
use crate::schedule::workloads::Expander;

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let mut notes = Vec::new();
    let replicas = e.replicas(r, "ReplicationController", &mut notes);
    let w = e.workload(r, "ReplicationController", replicas, Some(index));
    e.out.workloads[w].notes = notes;
    let mut sel = labels_of(r.value.pointer("/spec/selector"));
    if sel.is_empty() {
        sel = labels_of(r.value.pointer("/spec/template/metadata/labels"));
    }
    let selector = LabelSelector::from_labels(&sel);
    let name = r.name().unwrap_or("").to_owned();
    let template = e.make_pod(
        r,
        &format!("{name}-0"),
        &[],
        Some("ReplicationController"),
        Some(&selector),
        Some(w),
    );
    super::replica_set::push_replicas(e, template, &name, w, replicas);
}
