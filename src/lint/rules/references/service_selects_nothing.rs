use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_kind, no_pod_hint};
use crate::lint::{Cx, LabelSelector, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A Service's selector should match the pods of some workload.
    ///
    /// ## What it checks
    ///
    /// Every Service with a `selector` (other than `type: ExternalName`) must
    /// select the pods of at least one Pod or pod template (Deployment,
    /// StatefulSet, DaemonSet, Job, ...) of its own namespace among the
    /// checked objects. When one workload misses by a single label, the
    /// finding points at that label; when the pods are in another namespace,
    /// it says so.
    ///
    /// Services without a selector are not checked: their endpoints are
    /// managed by hand (an Endpoints or EndpointSlice object of the same
    /// name) or by an operator.
    ///
    /// ## Why
    ///
    /// A Service whose selector matches no pod has no endpoints: connections
    /// to it are refused or time out, and nothing in the API tells why. A
    /// typo in a label, or a Service that lands in another namespace than
    /// its pods (a missing `namespace:`), are the usual causes.
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
    ///   selector: {app: frontend}
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
    pub struct ServiceSelectsNothing {
        id: "service-selects-nothing",
        category: References,
        severity: Warning,
    }
}

impl Rule for ServiceSelectsNothing {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Service")
            || r.value.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName")
        {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let Some(value) = r.value.pointer("/spec/selector") else {
            return;
        };
        let Some(map) = value.as_map().filter(|m| !m.is_empty()) else {
            return;
        };
        let Ok(selector) = LabelSelector::from_labels(value) else {
            return;
        };
        let index = cx.index;
        if index.pods_selected_by(ns, &selector).next().is_some() {
            return;
        }
        let (label, help) = no_pod_hint(index, ns, &selector, Some(map));
        let labels: Vec<String> = map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        let message = format!(
            "Service \"{}\" selects no pod: no Pod or pod template in namespace \"{ns}\" has the labels {}, so the Service has no endpoints",
            r.name().unwrap_or(""),
            labels.join(",")
        );
        match label {
            Some(label) => cx.report(&format!("/spec/selector{label}"), Target::Value, message),
            None => cx.report("/spec/selector", Target::Key, message),
        }
        .help(help);
    }
}
