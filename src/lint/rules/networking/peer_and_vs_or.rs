use super::peers;
use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, LabelSelector, Rule, declare_rule};

declare_rule! {
    /// NetworkPolicy namespace and pod selectors should form one peer.
    ///
    /// ## What it checks
    ///
    /// NetworkPolicy rules whose `from` (or `to`) list has a peer with only
    /// a `namespaceSelector` and another peer with only a `podSelector` that
    /// matches no pod of the policy's namespace, although that namespace
    /// has workloads in the set: the pods it names probably live in the
    /// other namespaces. The finding points at the `podSelector` peer. When
    /// the `podSelector` matches pods of the policy's namespace, the OR is
    /// taken as intended (say, the ingress controller's namespace or the
    /// frontend pods) and nothing is reported.
    ///
    /// ## Why
    ///
    /// Two list items are two peers, and peers are OR-ed: the rule allows
    /// every pod of the matching namespaces, and the matching pods of the
    /// policy's own namespace. Almost always what was meant is one peer with
    /// both selectors (matching pods in matching namespaces); the
    /// difference is one `-`, and the written form allows far more. If the
    /// OR is intended, split it into two rules to make it obvious.
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
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-prometheus
    /// spec:
    ///   podSelector: {}
    ///   ingress:
    ///   - from:
    ///     - namespaceSelector:
    ///         matchLabels: {kubernetes.io/metadata.name: monitoring}
    ///     - podSelector:
    ///         matchLabels: {app: prometheus}
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
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-prometheus
    /// spec:
    ///   podSelector: {}
    ///   ingress:
    ///   - from:
    ///     - namespaceSelector:
    ///         matchLabels: {kubernetes.io/metadata.name: monitoring}
    ///       podSelector:
    ///         matchLabels: {app: prometheus}
    /// ```
    pub struct PeerAndVsOr {
        id: "peer-and-vs-or",
        category: Networking,
        severity: Warning,
    }
}

impl Rule for PeerAndVsOr {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let index = cx.index;
        // Without workloads of the namespace in the set, intent cannot be told.
        if index.pods_in(ns).next().is_none() {
            return;
        }
        let all = peers(r);
        let only = |v: &crate::yaml::Value, key: &str| {
            v.as_map()
                .is_some_and(|m| m.len() == 1 && m.contains_key(key))
        };
        for p in &all {
            if !only(p.value, "podSelector") {
                continue;
            }
            let Some(ns_peer) = all
                .iter()
                .find(|q| q.list == p.list && only(q.value, "namespaceSelector"))
            else {
                continue;
            };
            let Some(pods) = p
                .value
                .get("podSelector")
                .and_then(|v| LabelSelector::from_selector(v).ok())
            else {
                continue;
            };
            if index.pods_selected_by(ns, &pods).next().is_some() {
                continue;
            }
            let location = r.location(&ns_peer.pointer, Target::Key);
            cx.report(
                &format!("{}/podSelector", p.pointer),
                Target::Key,
                format!(
                    "this podSelector is a separate {} peer, OR-ed with the namespaceSelector peer, and matches no pod of namespace \"{ns}\": the rule allows every pod of the selected namespaces instead",
                    p.direction
                ),
            )
            .help("to allow these pods in those namespaces, make them one peer: remove the `-` before `podSelector` and indent it under the namespaceSelector; if the OR is intended, write two rules")
            .related(location, "the namespaceSelector peer");
        }
    }
}
