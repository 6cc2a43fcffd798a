use crate::diagnostic::Target;
use crate::lint::pod::Kind;
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Containers should request and limit ephemeral storage.
    ///
    /// ## What it checks
    ///
    /// Every container and init container (sidecars included) must end up
    /// with an `ephemeral-storage` limit, written or filled in by a LimitRange
    /// of its namespace; the request defaults to the limit. Ephemeral
    /// containers are skipped. Opt-in: enable it with
    /// `rules: {ephemeral-storage: on}`.
    ///
    /// ## Why
    ///
    /// Logs, `emptyDir` volumes and the container's writable layer live on
    /// the node's disk. Without a limit one container can fill it, and the
    /// kubelet then evicts pods to reclaim space; without a request the
    /// scheduler does not account for the space at all.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   containers:
    ///   - name: cache
    ///     image: example/cache:5.2.0
    ///     resources:
    ///       requests: {cpu: 100m, memory: 256Mi, ephemeral-storage: 1Gi}
    ///       limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   containers:
    ///   - name: cache
    ///     image: example/cache:5.2.0
    ///     resources:
    ///       requests: {cpu: 100m, memory: 256Mi, ephemeral-storage: 1Gi}
    ///       limits: {memory: 256Mi, ephemeral-storage: 2Gi}
    /// ```
    pub struct EphemeralStorage {
        id: "ephemeral-storage",
        category: Resources,
        severity: Warning,
        enabled: false,
    }
}

const RESOURCE: &str = "ephemeral-storage";

impl Rule for EphemeralStorage {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        if defaults.limits.contains_key(RESOURCE) {
            return;
        }
        for c in pod.containers() {
            let r = c.resources();
            if c.role == Role::Ephemeral || r.limit(RESOURCE).is_some() {
                continue;
            }
            let has_request =
                r.request(RESOURCE).is_some() || defaults.requests.contains_key(RESOURCE);
            let what = if has_request {
                "limit"
            } else {
                "request or limit"
            };
            cx.report(
                &r.missing_pointer(Kind::Limit),
                Target::Key,
                format!("{} has no ephemeral-storage {what}", c.describe()),
            )
            .help("set `resources.limits.ephemeral-storage` (the request defaults to it) so that logs and scratch files cannot fill the node's disk");
        }
    }
}
