use crate::diagnostic::Target;
use crate::lint::rules::workloads::{autoscaler_range, is_kind};
use crate::lint::{Cx, Param, Rule, declare_rule};

declare_rule! {
    /// Autoscalers should keep several replicas and room to scale.
    ///
    /// ## What it checks
    ///
    /// HorizontalPodAutoscalers whose `minReplicas` (1 when unset) is below
    /// `min`, and those whose `minReplicas` equals `maxReplicas`.
    ///
    /// ## Why
    ///
    /// At its minimum the autoscaler leaves the workload with that many
    /// pods, so a minimum of one is a single point of failure at quiet
    /// hours. An autoscaler whose minimum equals its maximum never scales:
    /// it only hides a fixed replica count.
    ///
    /// ## Parameters
    ///
    /// - `min` (default `2`): the smallest acceptable `minReplicas`.
    ///
    /// ```yaml
    /// rules:
    ///   hpa-replicas: {min: 3}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    pub struct HpaReplicas {
        id: "hpa-replicas",
        category: Reliability,
        severity: Info,
        params: [Param::integer("min", 2, "the smallest acceptable minReplicas")],
    }
}

impl Rule for HpaReplicas {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "HorizontalPodAutoscaler") {
            return;
        }
        let Some(want) = cx.params.integer("min") else {
            return;
        };
        let name = r.name().unwrap_or("");
        let (min, max) = autoscaler_range(r);
        let written = r.value.pointer("/spec/minReplicas").is_some();
        if min < want {
            let (pointer, target, what) = if written {
                (
                    "/spec/minReplicas",
                    Target::Value,
                    format!("minReplicas is {min}"),
                )
            } else {
                (
                    "/spec",
                    Target::Key,
                    "minReplicas is not set (1)".to_owned(),
                )
            };
            cx.report(
                pointer,
                target,
                format!(
                    "HorizontalPodAutoscaler \"{name}\": {what}, so at quiet hours the workload runs on fewer than {want} pods"
                ),
            )
            .help(format!("set `minReplicas: {want}` or more (the rule's `min` parameter)"));
        }
        if max == Some(min) {
            cx.report(
                "/spec/maxReplicas",
                Target::Value,
                format!(
                    "HorizontalPodAutoscaler \"{name}\" never scales: minReplicas and maxReplicas are both {min}"
                ),
            )
            .help("raise `maxReplicas` above `minReplicas`, or remove the autoscaler and set the replica count on the workload");
        }
    }
}
