use crate::diagnostic::Target;
use crate::lint::rules::workloads::{autoscalers, describe, replicas};
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Workloads an autoscaler manages should not set replicas.
    ///
    /// ## What it checks
    ///
    /// Deployments, StatefulSets, ReplicaSets and ReplicationControllers that
    /// write `spec.replicas` while a HorizontalPodAutoscaler of the set
    /// targets them.
    ///
    /// ## Why
    ///
    /// Every `kubectl apply` (or GitOps sync) writes the manifest's replica
    /// count back, overriding the autoscaler: a workload scaled out under
    /// load drops to the written count at each deployment, until the
    /// autoscaler catches up again. Leave the field out and let the
    /// autoscaler own it.
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
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 3
    ///   maxReplicas: 12
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
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 3
    ///   maxReplicas: 12
    /// ```
    pub struct HpaStaticReplicas {
        id: "hpa-static-replicas",
        category: Reliability,
        severity: Warning,
    }
}

impl Rule for HpaStaticReplicas {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let Some(n) = replicas(r).filter(|n| n.written) else {
            return;
        };
        let Some(hpa) = autoscalers(cx.index, r).into_iter().next() else {
            return;
        };
        let location = hpa.location("/spec/scaleTargetRef", Target::Key);
        let hpa_name = hpa.name().unwrap_or("");
        cx.report(
            "/spec/replicas",
            Target::Key,
            format!(
                "{} sets replicas: {} although HorizontalPodAutoscaler \"{hpa_name}\" manages its replica count: every apply resets it to {}",
                describe(r),
                n.count,
                n.count
            ),
        )
        .help("remove `spec.replicas` and let the autoscaler own it")
        .related(location, format!("HorizontalPodAutoscaler \"{hpa_name}\" targets it here"));
    }
}
