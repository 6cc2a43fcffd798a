use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, is_kind, min_pods};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Replicated workloads should set topologySpreadConstraints.
    ///
    /// ## What it checks
    ///
    /// Deployments and StatefulSets that run two pods or more (their
    /// replicas, or the `minReplicas` of an autoscaler that manages them)
    /// must have a `topologySpreadConstraints` entry whose label selector
    /// matches their own pods. Opt-in: enable it with
    /// `rules: {topology-spread: on}`; `anti-affinity` accepts pod
    /// anti-affinity as well.
    ///
    /// ## Why
    ///
    /// Topology spread constraints keep replicas balanced across zones and
    /// nodes as the workload scales, which anti-affinity alone cannot do
    /// once there are more replicas than nodes. Without them a zone outage
    /// can take most of the replicas down.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 6
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
    ///   replicas: 6
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       topologySpreadConstraints:
    ///       - maxSkew: 1
    ///         topologyKey: topology.kubernetes.io/zone
    ///         whenUnsatisfiable: ScheduleAnyway
    ///         labelSelector:
    ///           matchLabels: {app: web}
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ```
    pub struct TopologySpread {
        id: "topology-spread",
        category: Reliability,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for TopologySpread {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let r = pod.object;
        if !is_kind(r, "Deployment") && !is_kind(r, "StatefulSet") {
            return;
        }
        let Some(n) = min_pods(cx.index, r).filter(|n| *n >= 2) else {
            return;
        };
        if super::anti_affinity::spreads(pod, false) {
            return;
        }
        cx.report(
            pod.pointer,
            Target::Key,
            format!(
                "{} runs {n} pods with no topology spread constraint for them",
                describe(r)
            ),
        )
        .help("add a `topologySpreadConstraints` entry (`topologyKey: topology.kubernetes.io/zone`, `maxSkew: 1`) whose labelSelector matches the pod labels");
    }
}
