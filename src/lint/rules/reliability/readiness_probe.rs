use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, runs_to_completion, services};
use crate::lint::{Cx, Param, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Pods behind a Service should have a readiness probe.
    ///
    /// ## What it checks
    ///
    /// Pods and pod templates that a Service of the set selects must have a
    /// `readinessProbe` on at least one regular container. Workloads that run
    /// to completion (Jobs, CronJobs, Pods with `restartPolicy: Never` or
    /// `OnFailure`) are not checked. With `all-workloads: true`, every
    /// long-running workload is checked, selected by a Service or not.
    ///
    /// ## Why
    ///
    /// A pod without a readiness probe counts as ready as soon as its
    /// containers start, so the Service sends it requests before the
    /// application listens (connection refused during every rollout and
    /// scale-up) and keeps sending them while it is overloaded or cut off
    /// from its dependencies.
    ///
    /// ## Parameters
    ///
    /// - `all-workloads` (default `false`): also check workloads that no
    ///   Service of the set selects.
    ///
    /// ```yaml
    /// rules:
    ///   readiness-probe: {all-workloads: true}
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
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - port: 80
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
    ///         readinessProbe:
    ///           httpGet: {path: /ready, port: 80}
    ///           periodSeconds: 5
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - port: 80
    /// ```
    pub struct ReadinessProbe {
        id: "readiness-probe",
        category: Reliability,
        severity: Warning,
        params: [Param::boolean(
            "all-workloads",
            false,
            "also check workloads that no Service of the set selects",
        )],
    }
}

impl Rule for ReadinessProbe {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if runs_to_completion(pod) {
            return;
        }
        let containers = pod.containers();
        let regular = || containers.iter().filter(|c| c.role == Role::Regular);
        if regular().next().is_none() || regular().any(|c| c.get("readinessProbe").is_some()) {
            return;
        }
        let behind = services(cx.index, pod);
        let all = cx.params.boolean("all-workloads").unwrap_or(false);
        if behind.is_empty() && !all {
            return;
        }
        let single = regular().count() == 1;
        let mut message = match regular().next() {
            Some(c) if single => format!(
                "{} of {} has no readiness probe",
                c.describe(),
                describe(pod.object)
            ),
            _ => format!(
                "no container of {} has a readiness probe",
                describe(pod.object)
            ),
        };
        if let Some(svc) = behind.first() {
            message.push_str(&format!(
                ", but Service \"{}\" sends traffic to each pod as soon as it starts",
                svc.name().unwrap_or("")
            ));
        }
        let pointer = match regular().next() {
            Some(c) if single => c.pointer.clone(),
            _ => pod.pointer_to(&["containers"]),
        };
        cx.report(&pointer, Target::Key, message).help(
            "add a `readinessProbe` to the container that serves, so the pod gets traffic only while it can answer",
        );
    }
}
