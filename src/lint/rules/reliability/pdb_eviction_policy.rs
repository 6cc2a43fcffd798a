use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// PodDisruptionBudgets should set unhealthyPodEvictionPolicy.
    ///
    /// ## What it checks
    ///
    /// `policy/v1` PodDisruptionBudgets without
    /// `spec.unhealthyPodEvictionPolicy`, when the target Kubernetes release
    /// has the field (1.26 and later).
    ///
    /// ## Why
    ///
    /// By default (`IfHealthyBudget`) pods that run but are not ready can be
    /// evicted only while the budget is satisfied. When a bad rollout or a
    /// crash loop leaves pods unready, the budget is not satisfied, so
    /// those broken pods cannot be evicted and node drains hang on them.
    /// `AlwaysAllow` lets unready pods go, which is what most workloads want.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 1
    ///   unhealthyPodEvictionPolicy: AlwaysAllow
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    pub struct PdbEvictionPolicy {
        id: "pdb-eviction-policy",
        category: Reliability,
        severity: Info,
    }
}

impl Rule for PdbEvictionPolicy {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "PodDisruptionBudget")
            || r.api_version() != Some("policy/v1")
            || cx.version.minor() < 26
            || r.value
                .pointer("/spec/unhealthyPodEvictionPolicy")
                .is_some()
        {
            return;
        }
        cx.report(
            "/spec",
            Target::Key,
            format!(
                "PodDisruptionBudget \"{}\" sets no unhealthyPodEvictionPolicy: running but unready pods cannot be evicted while the budget is short, so drains hang on broken pods",
                r.name().unwrap_or("")
            ),
        )
        .help("set `unhealthyPodEvictionPolicy: AlwaysAllow` (or `IfHealthyBudget` to keep the default on purpose)");
    }
}
