use super::pod_selector;
use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_kind, no_pod_hint};
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A NetworkPolicy's podSelector should match some pods.
    ///
    /// ## What it checks
    ///
    /// Every NetworkPolicy whose `podSelector` is not empty must select the
    /// pods of at least one Pod or pod template of its namespace among the
    /// checked objects. When one workload misses by a single label, the
    /// finding points at that label; when the pods are in another
    /// namespace, it says so. An empty `podSelector` (every pod of the
    /// namespace) is never reported.
    ///
    /// ## Why
    ///
    /// A policy that selects no pod isolates nothing: the workload it was
    /// written for stays open, and the policy gives a false sense of
    /// safety. A label typo, or a policy in the wrong namespace, is enough.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db
    /// spec:
    ///   podSelector:
    ///     matchLabels: {role: db}
    ///   ingress:
    ///   - from:
    ///     - podSelector:
    ///         matchLabels: {app: api}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: db}
    ///   ingress:
    ///   - from:
    ///     - podSelector:
    ///         matchLabels: {app: api}
    /// ```
    pub struct PolicySelectsNothing {
        id: "policy-selects-nothing",
        category: Networking,
        severity: Warning,
    }
}

impl Rule for PolicySelectsNothing {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let selector = pod_selector(r);
        let index = cx.index;
        if selector.is_empty() || index.pods_selected_by(ns, &selector).next().is_some() {
            return;
        }
        let labels = r
            .value
            .pointer("/spec/podSelector/matchLabels")
            .and_then(Value::as_map);
        let (label, help) = no_pod_hint(index, ns, &selector, labels);
        let message = format!(
            "NetworkPolicy \"{}\" selects no pod of namespace \"{ns}\", so it isolates nothing",
            r.name().unwrap_or("")
        );
        match label {
            Some(label) => cx.report(
                &format!("/spec/podSelector/matchLabels{label}"),
                Target::Value,
                message,
            ),
            None => cx.report("/spec/podSelector", Target::Key, message),
        }
        .help(help);
    }
}
