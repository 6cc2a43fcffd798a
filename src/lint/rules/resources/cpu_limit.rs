use crate::lint::pod::Kind;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should have a CPU limit.
    ///
    /// ## What it checks
    ///
    /// Every container and init container (sidecars included) of a Pod or a
    /// pod template must end up with `resources.limits.cpu`, written or filled
    /// in by a LimitRange of its namespace. Ephemeral containers are skipped.
    ///
    /// ## Why
    ///
    /// Without a CPU limit a busy container can take every idle cycle of its
    /// node, and its neighbours' latency depends on it. Some teams leave CPU
    /// limits off on purpose to avoid throttling; they turn this rule off
    /// (`rules: {cpu-limit: off}`), which is why it is only `info`.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    ///         resources:
    ///           requests: {cpu: 250m, memory: 256Mi}
    ///           limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    ///         resources:
    ///           requests: {cpu: 250m, memory: 256Mi}
    ///           limits: {cpu: "1", memory: 256Mi}
    /// ```
    pub struct CpuLimit {
        id: "cpu-limit",
        category: Resources,
        severity: Info,
    }
}

impl Rule for CpuLimit {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::report_missing(
            cx,
            pod,
            "cpu",
            Kind::Limit,
            "set `resources.limits.cpu` to cap how much CPU the container may take from its neighbours",
        );
    }
}
