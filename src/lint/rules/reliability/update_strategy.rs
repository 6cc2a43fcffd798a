use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, is_kind};
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Workloads should roll out with a rolling update.
    ///
    /// ## What it checks
    ///
    /// Deployments whose `strategy.type` is `Recreate`, and StatefulSets and
    /// DaemonSets whose `updateStrategy.type` is `OnDelete`. Opt-in: enable
    /// it with `rules: {update-strategy: on}`.
    ///
    /// ## Why
    ///
    /// `Recreate` stops every old pod before starting a new one, so each
    /// rollout is an outage. `OnDelete` does not roll out at all: new pod
    /// templates apply only to pods someone deletes by hand, so the running
    /// version drifts from the manifest. Both have their uses (a singleton
    /// that must never run twice, a hand-driven database upgrade), which is
    /// why the rule is off by default.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   strategy:
    ///     type: Recreate
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
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
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ```
    pub struct UpdateStrategy {
        id: "update-strategy",
        category: Reliability,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for UpdateStrategy {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let (field, bad, why) = if is_kind(r, "Deployment") {
            (
                "strategy",
                "Recreate",
                "every rollout stops all old pods before a new one starts",
            )
        } else if is_kind(r, "StatefulSet") || is_kind(r, "DaemonSet") {
            (
                "updateStrategy",
                "OnDelete",
                "a new template reaches only the pods someone deletes by hand",
            )
        } else {
            return;
        };
        let pointer = format!("/spec/{field}/type");
        if r.value.pointer(&pointer).and_then(Value::as_str) != Some(bad) {
            return;
        }
        cx.report(
            &pointer,
            Target::Value,
            format!("{} uses the {bad} update strategy: {why}", describe(r)),
        )
        .help(format!("use `{field}: {{type: RollingUpdate}}`"));
    }
}
