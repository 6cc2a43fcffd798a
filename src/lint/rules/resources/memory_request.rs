use crate::lint::pod::Kind;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should request memory.
    ///
    /// ## What it checks
    ///
    /// Every container and init container (sidecars included) of a Pod or a
    /// pod template must end up with `resources.requests.memory`: written,
    /// defaulted from `resources.limits.memory`, or filled in by a LimitRange
    /// of its namespace. Ephemeral containers are skipped.
    ///
    /// ## Why
    ///
    /// The scheduler places pods by their requests. A pod whose containers
    /// request no memory can land on a node that has none to spare, and when
    /// that node runs short, pods using more than they requested are evicted
    /// first.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   initContainers:
    ///   - name: migrate
    ///     image: example/migrate:2.0.1
    ///     resources:
    ///       requests: {cpu: 100m}
    ///   containers:
    ///   - name: worker
    ///     image: example/worker:2.0.1
    ///     resources:
    ///       requests: {cpu: 100m, memory: 64Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   initContainers:
    ///   - name: migrate
    ///     image: example/migrate:2.0.1
    ///     resources:
    ///       requests: {cpu: 100m, memory: 64Mi}
    ///   containers:
    ///   - name: worker
    ///     image: example/worker:2.0.1
    ///     resources:
    ///       requests: {cpu: 100m, memory: 64Mi}
    /// ```
    pub struct MemoryRequest {
        id: "memory-request",
        category: Resources,
        severity: Warning,
    }
}

impl Rule for MemoryRequest {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::report_missing(
            cx,
            pod,
            "memory",
            Kind::Request,
            "set `resources.requests.memory` (for example `128Mi`): the scheduler places pods by their requests",
        );
    }
}
