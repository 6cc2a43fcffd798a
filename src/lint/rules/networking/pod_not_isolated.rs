use super::{host_network, policies, selects};
use crate::diagnostic::Target;
use crate::lint::rules::workloads::describe;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods should be selected by a NetworkPolicy of their namespace.
    ///
    /// ## What it checks
    ///
    /// In every namespace that has NetworkPolicies in the set, each Pod and
    /// pod template must be selected by the `podSelector` of at least one of
    /// them. Host-network pods are skipped: NetworkPolicies do not apply to
    /// them. Namespaces without any policy are skipped unless
    /// `namespaces-without-policies` is `true`.
    ///
    /// ## Why
    ///
    /// A pod no policy selects is not isolated: it accepts connections from
    /// every pod of the cluster and may connect anywhere. In a namespace
    /// that uses policies this is almost always an oversight (a new
    /// workload whose labels the policies do not know), and it is the
    /// hole an attacker who got into one pod goes through.
    ///
    /// ## Parameters
    ///
    /// - `namespaces-without-policies` (default `false`): also report the
    ///   pods of namespaces that have no NetworkPolicy at all.
    ///
    /// ```yaml
    /// rules:
    ///   pod-not-isolated: {namespaces-without-policies: true}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - from:
    ///     - podSelector:
    ///         matchLabels: {app: web}
    /// ---
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
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ---
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
    pub struct PodNotIsolated {
        id: "pod-not-isolated",
        category: Networking,
        severity: Warning,
        params: [Param::boolean(
            "namespaces-without-policies",
            false,
            "also report pods of namespaces without any NetworkPolicy",
        )],
    }
}

impl Rule for PodNotIsolated {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        if host_network(pod) {
            return;
        }
        let index = cx.index;
        let mut any = false;
        for np in policies(index, ns) {
            any = true;
            if selects(np, pod) {
                return;
            }
        }
        let everywhere = cx
            .params
            .boolean("namespaces-without-policies")
            .unwrap_or(false);
        if !any && !everywhere {
            return;
        }
        let (who, they) = if pod.is_template() {
            (
                format!("the pods of {}", describe(pod.object)),
                "they accept",
            )
        } else {
            (describe(pod.object), "it accepts")
        };
        let (message, help) = if any {
            (
                format!(
                    "no NetworkPolicy of namespace \"{ns}\" selects {who}: {they} connections from anywhere and may connect anywhere"
                ),
                "add their labels to a policy's podSelector, or add a default-deny policy (`podSelector: {}`) to the namespace",
            )
        } else {
            (
                format!(
                    "namespace \"{ns}\" has no NetworkPolicy, so nothing isolates {who}: {they} connections from anywhere and may connect anywhere"
                ),
                "add a default-deny NetworkPolicy (`podSelector: {}`) to the namespace and allow what the pods need",
            )
        };
        let labels = format!("{}/labels", pod.metadata_pointer);
        let pointer = if pod.labels().is_some() {
            labels
        } else {
            pod.metadata_pointer.to_owned()
        };
        cx.report(&pointer, Target::Key, message).help(help);
    }
}
