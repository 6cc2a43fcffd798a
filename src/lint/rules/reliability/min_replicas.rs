use crate::diagnostic::Target;
use crate::lint::rules::workloads::{autoscalers, describe, is_kind, replicas};
use crate::lint::{Cx, Param, Rule, declare_rule};

declare_rule! {
    /// Deployments and StatefulSets should run more than one replica.
    ///
    /// ## What it checks
    ///
    /// Deployments, StatefulSets and ReplicationControllers whose
    /// `spec.replicas` (1 when unset) is below `min`. Workloads scaled to 0
    /// on purpose, and workloads an autoscaler of the set manages (see
    /// `hpa-replicas`), are not checked.
    ///
    /// ## Why
    ///
    /// With a single replica, every rollout, node drain, eviction or crash
    /// is an outage: nothing serves while the one pod restarts or is
    /// rescheduled.
    ///
    /// ## Parameters
    ///
    /// - `min` (default `2`): the smallest acceptable replica count.
    ///
    /// ```yaml
    /// rules:
    ///   min-replicas: {min: 3}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
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
    ///   replicas: 2
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
    pub struct MinReplicas {
        id: "min-replicas",
        category: Reliability,
        severity: Info,
        params: [Param::integer("min", 2, "the smallest acceptable replica count")],
    }
}

impl Rule for MinReplicas {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !["Deployment", "StatefulSet", "ReplicationController"]
            .iter()
            .any(|k| is_kind(r, k))
        {
            return;
        }
        let (Some(n), Some(min)) = (replicas(r), cx.params.integer("min")) else {
            return;
        };
        if n.count == 0 || n.count >= min || !autoscalers(cx.index, r).is_empty() {
            return;
        }
        let what = if n.written {
            format!(
                "runs {} replica{}",
                n.count,
                if n.count == 1 { "" } else { "s" }
            )
        } else {
            "sets no replicas, so it runs 1".to_owned()
        };
        let (pointer, target) = if n.written {
            ("/spec/replicas", Target::Value)
        } else {
            ("/spec", Target::Key)
        };
        cx.report(
            pointer,
            target,
            format!(
                "{} {what}: a rollout, node drain or crash leaves nothing serving",
                describe(r)
            ),
        )
        .help(format!(
            "set `replicas: {min}` or more (the rule's `min` parameter)"
        ));
    }
}
