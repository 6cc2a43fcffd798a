//! PodSecurityPolicy: the admission controller of Kubernetes 1.24 and
//! earlier, applied to every pod of the set when policies are in it, and the
//! policies themselves.

pub(crate) mod eval;
mod psp_admitted_by;
mod psp_invalid_policy;
mod psp_no_policy_admits;
mod psp_permissive;
mod psp_unknown_annotation;

pub use psp_admitted_by::PspAdmittedBy;
pub use psp_invalid_policy::PspInvalidPolicy;
pub use psp_no_policy_admits::PspNoPolicyAdmits;
pub use psp_permissive::PspPermissive;
pub use psp_unknown_annotation::PspUnknownAnnotation;

use crate::lint::{Cx, PodSpec};

/// Runs `then` with the admission controller's choice for `pod` and the number
/// of policies in the set, unless admission never sees the pod: it has no
/// namespace, it is a PodTemplate (which creates nothing by itself), or the set
/// has no policy.
fn with_decision(
    cx: &mut Cx<'_>,
    pod: &PodSpec<'_>,
    then: impl FnOnce(&mut Cx<'_>, &eval::Decision<'_>, usize),
) {
    let Some(ns) = cx.namespace() else {
        return;
    };
    if pod.object.kind() == Some("PodTemplate") {
        return;
    }
    let all = cx.index.pod_security_policies();
    if all.is_empty() {
        return;
    }
    let ignore = cx.params.boolean("ignore-rbac").unwrap_or(false);
    let decision = eval::decide(cx.index, all, pod, ns, ignore);
    then(cx, &decision, all.len());
}

/// What rejection means for this kind of object.
fn consequence(pod: &PodSpec<'_>) -> String {
    if pod.is_template() {
        format!(
            "the {} is accepted, but the API server rejects every pod it creates",
            pod.object.kind().unwrap_or("workload")
        )
    } else {
        "the API server rejects the pod".to_owned()
    }
}

/// A reminder that newer releases have no PodSecurityPolicy admission.
fn removed_note(cx: &Cx<'_>) -> String {
    if cx.version.minor() >= 25 {
        format!(
            " on Kubernetes 1.24 and earlier (Kubernetes {} has no PodSecurityPolicy admission)",
            cx.version
        )
    } else {
        String::new()
    }
}
