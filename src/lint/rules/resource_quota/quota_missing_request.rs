use super::{missing_values, quotas};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods must set every value a ResourceQuota of their namespace limits.
    ///
    /// ## What it checks
    ///
    /// For every Pod and pod template in a namespace whose ResourceQuotas (in
    /// scope for the pod) limit `requests.cpu`, `requests.memory`,
    /// `limits.cpu`, `limits.memory`, `cpu` or `memory`: each container and
    /// init container must end up with that request or limit, written,
    /// copied from its limit (for a request) or filled in by a LimitRange
    /// default.
    ///
    /// ## Why
    ///
    /// The quota admission plugin refuses a pod that does not say how much
    /// of a quota-limited resource it uses (`failed quota: compute: must
    /// specify limits.cpu for: app; requests.cpu for: app`). For a workload
    /// the Deployment is accepted and none of its pods is created.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: compute
    /// spec:
    ///   hard: {requests.cpu: "4", limits.cpu: "8"}
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
    ///       requests: {cpu: 500m}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: compute
    /// spec:
    ///   hard: {requests.cpu: "4", limits.cpu: "8"}
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
    ///       requests: {cpu: 500m}
    ///       limits: {cpu: "1"}
    /// ```
    pub struct QuotaMissingRequest {
        id: "quota-missing-request",
        category: ResourceQuota,
        severity: Error,
    }
}

impl Rule for QuotaMissingRequest {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        if pod.object.kind() == Some("PodTemplate") {
            return;
        }
        let defaults = cx.container_defaults();
        for quota in quotas(cx.index, ns) {
            if !quota.matches_pod(pod, defaults) {
                continue;
            }
            let missing = missing_values(&quota, pod, defaults);
            if missing.is_empty() {
                continue;
            }
            // The plugin's message: per resource, the containers lacking it.
            let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
            for (c, resources) in &missing {
                for r in resources {
                    match by_resource.iter_mut().find(|(k, _)| k == r) {
                        Some((_, names)) => names.push(c.name),
                        None => by_resource.push((r, vec![c.name])),
                    }
                }
            }
            by_resource.sort_by_key(|(k, _)| *k);
            let upstream = by_resource
                .iter_mut()
                .map(|(k, names)| {
                    names.sort_unstable();
                    names.dedup();
                    format!("{k} for: {}", names.join(","))
                })
                .collect::<Vec<_>>()
                .join("; ");
            for (c, resources) in &missing {
                let fields: Vec<String> = resources
                    .iter()
                    .map(|r| match r.split_once('.') {
                        Some((kind, name)) => format!("`resources.{kind}.{name}`"),
                        None => format!("`resources.requests.{r}`"),
                    })
                    .collect();
                let r = c.resources();
                let kind = if resources.iter().all(|r| r.starts_with("limits.")) {
                    crate::lint::pod::Kind::Limit
                } else {
                    crate::lint::pod::Kind::Request
                };
                cx.report(
                    &r.missing_pointer(kind),
                    Target::Key,
                    format!(
                        "ResourceQuota \"{}\" requires {} to set {}",
                        quota.name,
                        c.describe(),
                        fields.join(" and ")
                    ),
                )
                .help(format!(
                    "set {}, or give the namespace a LimitRange with defaults; the API server rejects the pod: \"failed quota: {}: must specify {upstream}\"",
                    if fields.len() == 1 { "it" } else { "them" },
                    quota.name
                ))
                .related(
                    quota.object.location("/spec/hard", Target::Key),
                    "the quota limits these resources",
                );
            }
        }
    }
}
