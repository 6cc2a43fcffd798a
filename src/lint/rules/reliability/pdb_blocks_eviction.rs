use crate::diagnostic::Target;
use crate::lint::rules::workloads::{autoscalers, budget_selector, describe, is_kind, replicas};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::schedule::pdb::IntOrPercent;

declare_rule! {
    /// A PodDisruptionBudget should allow at least one disruption.
    ///
    /// ## What it checks
    ///
    /// PodDisruptionBudgets that can never allow a voluntary disruption:
    /// `maxUnavailable: 0` (or `0%`), `minAvailable: 100%`, or a
    /// `minAvailable` at least as large as the number of pods the budget
    /// selects, counted from the replicas of the selected workloads (or the
    /// `minReplicas` of an autoscaler that manages them). Budgets over
    /// DaemonSets and other workloads whose pod count is not known from the
    /// manifests are judged only by the first two forms.
    ///
    /// ## Why
    ///
    /// A budget that allows zero disruptions makes every eviction fail: node
    /// drains hang, cluster upgrades stall, and the cluster autoscaler can no
    /// longer remove nodes, until someone deletes the pods by hand.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    pub struct PdbBlocksEviction {
        id: "pdb-blocks-eviction",
        category: Reliability,
        severity: Warning,
    }
}

const HELP: &str = "allow at least one disruption: `maxUnavailable: 1` is the usual choice";

impl Rule for PdbBlocksEviction {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "PodDisruptionBudget") {
            return;
        }
        let name = r.name().unwrap_or("");
        let field = |k: &str| {
            r.value
                .pointer(&format!("/spec/{k}"))
                .and_then(IntOrPercent::from_value)
        };
        match field("maxUnavailable") {
            Some(IntOrPercent::Int(0) | IntOrPercent::Percent(0)) => {
                cx.report(
                    "/spec/maxUnavailable",
                    Target::Value,
                    format!(
                        "PodDisruptionBudget \"{name}\" sets maxUnavailable to 0: it allows no eviction, so node drains hang"
                    ),
                )
                .help(HELP);
                return;
            }
            Some(_) => return,
            None => {}
        }
        let Some(min) = field("minAvailable") else {
            return;
        };
        if min == IntOrPercent::Percent(100) {
            cx.report(
                "/spec/minAvailable",
                Target::Value,
                format!(
                    "PodDisruptionBudget \"{name}\" sets minAvailable to 100%: it allows no eviction, so node drains hang"
                ),
            )
            .help(HELP);
            return;
        }
        let (Some(ns), Some(selector)) = (cx.namespace(), budget_selector(r)) else {
            return;
        };
        let index = cx.index;
        // Count the selected pods; give up on workloads whose count is unknown.
        let mut total = 0;
        let mut parts = Vec::new();
        for w in index.pods_selected_by(ns, &selector) {
            let count = if let Some(hpa) = autoscalers(index, w).first() {
                let min = crate::lint::rules::workloads::autoscaler_range(hpa).0;
                parts.push(format!(
                    "{}: at least {min} under HorizontalPodAutoscaler \"{}\"",
                    describe(w),
                    hpa.name().unwrap_or("")
                ));
                min
            } else if let Some(n) = replicas(w) {
                parts.push(format!(
                    "{}: {} replica{}",
                    describe(w),
                    n.count,
                    if n.count == 1 { "" } else { "s" }
                ));
                n.count
            } else if PodSpec::of(w).is_some_and(|p| !p.is_template()) {
                parts.push(format!("Pod \"{}\"", w.name().unwrap_or("")));
                1
            } else {
                return;
            };
            total += count;
        }
        if parts.is_empty() {
            return;
        }
        let needed = min.scaled_up(total);
        if needed < total {
            return;
        }
        cx.report(
            "/spec/minAvailable",
            Target::Value,
            format!(
                "PodDisruptionBudget \"{name}\" requires {} of its {total} pods to stay available ({}): it allows no eviction, so node drains hang",
                min.display(),
                parts.join("; ")
            ),
        )
        .help(format!(
            "lower minAvailable below {total}, or use `maxUnavailable: 1`, which stays right when the replica count changes"
        ));
    }
}
