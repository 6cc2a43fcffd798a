use super::{existing, named};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Shows the requests and limits LimitRanges fill into a pod.
    ///
    /// ## What it checks
    ///
    /// For every Pod and pod template in a namespace whose LimitRanges have
    /// `type: Container` defaults, the requests and limits the LimitRanger
    /// admission plugin fills in, in the words of the annotation it adds to
    /// the pod (`kubernetes.io/limit-ranger: LimitRanger plugin set: cpu,
    /// memory request for container app; ...`). Containers come first, then
    /// init containers; a request copied from the container's own limit is
    /// not the plugin's doing and is not listed.
    ///
    /// ## Why
    ///
    /// The scheduler, the kubelet and ResourceQuota all see the defaulted
    /// values, not the manifest: a pod the manifest shows without limits may
    /// be killed at a limit nobody wrote. Writing the values makes them
    /// visible and survives a change to the LimitRange.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {cpu: 500m, memory: 256Mi}
    ///     defaultRequest: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {cpu: 500m, memory: 256Mi}
    ///     defaultRequest: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// ```
    pub struct LimitRangeDefaultsApplied {
        id: "limit-range-defaults-applied",
        category: LimitRange,
        severity: Info,
        enabled: false,
    }
}

impl Rule for LimitRangeDefaultsApplied {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        if defaults.requests.is_empty() && defaults.limits.is_empty() {
            return;
        }
        let containers = pod.containers();
        let mut parts = Vec::new();
        let mut sources = Vec::new();
        let regular = containers.iter().filter(|c| c.role == Role::Regular);
        let init = containers
            .iter()
            .filter(|c| matches!(c.role, Role::Init | Role::Sidecar));
        for c in regular.chain(init) {
            let r = c.resources();
            let prefix = if c.role == Role::Regular {
                "container"
            } else {
                "init container"
            };
            // Maps iterate sorted, as the plugin sorts the names.
            let requests: Vec<&str> = defaults
                .requests
                .iter()
                .filter(|(k, _)| r.request(k).is_none() && r.limit(k).is_none())
                .map(|(k, (_, lr))| {
                    sources.push(*lr);
                    *k
                })
                .collect();
            let limits: Vec<&str> = defaults
                .limits
                .iter()
                .filter(|(k, _)| r.limit(k).is_none())
                .map(|(k, (_, lr))| {
                    sources.push(*lr);
                    *k
                })
                .collect();
            if !requests.is_empty() {
                parts.push(format!(
                    "{} request for {prefix} {}",
                    requests.join(", "),
                    c.name
                ));
            }
            if !limits.is_empty() {
                parts.push(format!(
                    "{} limit for {prefix} {}",
                    limits.join(", "),
                    c.name
                ));
            }
        }
        if parts.is_empty() {
            return;
        }
        sources.sort_by_key(|lr| lr.name());
        sources.dedup_by(|a, b| std::ptr::eq(*a, *b));
        let from: Vec<String> = sources.iter().map(|lr| named(lr)).collect();
        cx.report(
            &existing(pod.object, pod.metadata_pointer),
            Target::Key,
            format!("LimitRanger plugin set: {}", parts.join("; ")),
        )
        .help(format!(
            "the values come from {}; write them under `resources` to make them explicit",
            from.join(" and ")
        ));
    }
}
