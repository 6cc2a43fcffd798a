use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, is_kind};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A pod template's restartPolicy should be one its owner accepts.
    ///
    /// ## What it checks
    ///
    /// The pod template's `restartPolicy` by owner kind: Deployments,
    /// ReplicaSets, ReplicationControllers, DaemonSets and StatefulSets
    /// accept only `Always` (the default); Jobs and CronJobs accept only
    /// `OnFailure` or `Never`, and since the pod default is `Always` they
    /// must set one of them. Pods may use any of the three.
    ///
    /// ## Why
    ///
    /// The API server rejects the object otherwise (`Unsupported value:
    /// "Never": supported values: "Always"`, or `Required value: valid
    /// values: "OnFailure", "Never"` for a Job), so the apply fails. A
    /// template copied from a Job into a Deployment, or the other way
    /// round, is the usual cause.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: migrate
    ///         image: example/migrate:2.0.1
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///       - name: migrate
    ///         image: example/migrate:2.0.1
    /// ```
    pub struct RestartPolicy {
        id: "restart-policy",
        category: Reliability,
        severity: Error,
    }
}

impl Rule for RestartPolicy {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let r = pod.object;
        let policy = pod.get("restartPolicy").and_then(Value::as_str);
        if is_kind(r, "Job") || is_kind(r, "CronJob") {
            match policy {
                Some("OnFailure" | "Never") => {}
                Some(p) => {
                    cx.report(
                        &pod.pointer_to(&["restartPolicy"]),
                        Target::Value,
                        format!(
                            "{} has `restartPolicy: {p}`: the API server accepts only OnFailure or Never for a Job's pods",
                            describe(r)
                        ),
                    )
                    .help("use `restartPolicy: OnFailure` (retry in place) or `Never` (a new pod per attempt)");
                }
                None => {
                    cx.report(
                        pod.pointer,
                        Target::Key,
                        format!(
                            "{} sets no restartPolicy: the pod default Always is rejected for a Job's pods",
                            describe(r)
                        ),
                    )
                    .help("set `restartPolicy: OnFailure` (retry in place) or `Never` (a new pod per attempt)");
                }
            }
        } else if pod.is_template()
            && let Some(p) = policy.filter(|p| *p != "Always")
        {
            cx.report(
                &pod.pointer_to(&["restartPolicy"]),
                Target::Value,
                format!(
                    "{} has `restartPolicy: {p}`: the API server accepts only Always for its pods",
                    describe(r)
                ),
            )
            .help("remove `restartPolicy` (it defaults to Always), or run the work as a Job");
        }
    }
}
