use crate::lint::pod::Kind;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should request CPU.
    ///
    /// ## What it checks
    ///
    /// Every container and init container (sidecars included) of a Pod or a
    /// pod template must end up with `resources.requests.cpu`: written,
    /// defaulted from `resources.limits.cpu`, or filled in by a LimitRange of
    /// its namespace. Ephemeral containers are skipped: they cannot have
    /// resources.
    ///
    /// ## Why
    ///
    /// The scheduler places pods by their requests. A container without a CPU
    /// request counts as needing none, so its node gets overcommitted, and it
    /// is the first to be starved when the node is busy.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       requests:
    ///         memory: 128Mi
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       requests:
    ///         cpu: 100m
    ///         memory: 128Mi
    /// ```
    pub struct CpuRequest {
        id: "cpu-request",
        category: Resources,
        severity: Warning,
    }
}

impl Rule for CpuRequest {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::report_missing(
            cx,
            pod,
            "cpu",
            Kind::Request,
            "set `resources.requests.cpu` (for example `100m`): the scheduler places pods by their requests",
        );
    }
}
