use crate::lint::pod::Kind;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should have a memory limit.
    ///
    /// ## What it checks
    ///
    /// Every container and init container (sidecars included) of a Pod or a
    /// pod template must end up with `resources.limits.memory`, written or
    /// filled in by a LimitRange of its namespace. Ephemeral containers are
    /// skipped.
    ///
    /// ## Why
    ///
    /// A container without a memory limit can use all of its node's memory;
    /// when it leaks, the kernel's out-of-memory killer picks victims among
    /// every pod on the node, not just the culprit.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///           - name: report
    ///             image: example/report:3.1.0
    ///             resources:
    ///               requests: {cpu: 500m, memory: 1Gi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///           - name: report
    ///             image: example/report:3.1.0
    ///             resources:
    ///               requests: {cpu: 500m, memory: 1Gi}
    ///               limits: {memory: 1Gi}
    /// ```
    pub struct MemoryLimit {
        id: "memory-limit",
        category: Resources,
        severity: Warning,
    }
}

impl Rule for MemoryLimit {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::report_missing(
            cx,
            pod,
            "memory",
            Kind::Limit,
            "set `resources.limits.memory` so that a leak kills this container, not its neighbours",
        );
    }
}
