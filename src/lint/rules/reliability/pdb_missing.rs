use crate::diagnostic::Target;
use crate::lint::rules::workloads::{budgets, describe, is_kind, max_pods};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Replicated workloads should be covered by a PodDisruptionBudget.
    ///
    /// ## What it checks
    ///
    /// Deployments and StatefulSets that run two pods or more (their
    /// replicas, or the `maxReplicas` of an autoscaler that manages them)
    /// must have their pods selected by a PodDisruptionBudget of their
    /// namespace among the checked objects.
    ///
    /// ## Why
    ///
    /// Node drains, cluster upgrades and the cluster autoscaler evict pods
    /// through the eviction API, which only holds back when a budget says
    /// how many pods may be down at once. Without one, a drain may evict
    /// every replica at the same moment.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
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
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    pub struct PdbMissing {
        id: "pdb-missing",
        category: Reliability,
        severity: Info,
    }
}

impl Rule for PdbMissing {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let r = pod.object;
        if !is_kind(r, "Deployment") && !is_kind(r, "StatefulSet") {
            return;
        }
        let index = cx.index;
        let Some(n) = max_pods(index, r).filter(|n| *n >= 2) else {
            return;
        };
        if !budgets(index, pod).is_empty() {
            return;
        }
        let labels = r
            .value
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        cx.report(
            "/metadata/name",
            Target::Value,
            format!(
                "no PodDisruptionBudget covers the {n} pods of {}: a node drain may evict them all at once",
                describe(r)
            ),
        )
        .help(format!(
            "add a PodDisruptionBudget with `maxUnavailable: 1` and `selector: {{matchLabels: {{{labels}}}}}`"
        ));
    }
}
