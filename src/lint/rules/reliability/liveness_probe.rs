use crate::diagnostic::Target;
use crate::lint::rules::workloads::runs_to_completion;
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Long-running containers should have a liveness probe.
    ///
    /// ## What it checks
    ///
    /// Every regular container of a Pod or pod template that runs forever
    /// (not a Job or CronJob, not a Pod with `restartPolicy: Never` or
    /// `OnFailure`) must have a `livenessProbe`. Init, sidecar and ephemeral
    /// containers are not checked.
    ///
    /// ## Why
    ///
    /// Without a liveness probe the kubelet restarts a container only when
    /// its process exits. A process that deadlocks, or loops without serving,
    /// keeps running and keeps its place behind the Service until someone
    /// notices. Point the probe at something cheap that fails only when a
    /// restart would help.
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
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    ///         livenessProbe:
    ///           httpGet: {path: /healthz, port: 80}
    ///           periodSeconds: 10
    ///           failureThreshold: 3
    /// ```
    pub struct LivenessProbe {
        id: "liveness-probe",
        category: Reliability,
        severity: Info,
    }
}

impl Rule for LivenessProbe {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if runs_to_completion(pod) {
            return;
        }
        for c in pod.containers() {
            if c.role != Role::Regular || c.get("livenessProbe").is_some() {
                continue;
            }
            cx.report(
                &c.pointer,
                Target::Key,
                format!("{} has no liveness probe", c.describe()),
            )
            .help("add a `livenessProbe` (httpGet, tcpSocket, grpc or exec) so the kubelet restarts the container when it hangs");
        }
    }
}
