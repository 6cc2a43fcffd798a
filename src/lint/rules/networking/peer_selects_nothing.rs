use super::{SYSTEM_NAMESPACES, namespace_labels, peers};
use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_kind, no_pod_hint};
use crate::lint::{Cx, LabelSelector, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// NetworkPolicy peers should select pods or namespaces that exist.
    ///
    /// ## What it checks
    ///
    /// Every `from` and `to` peer of a NetworkPolicy:
    ///
    /// - a `podSelector` alone must match the pods of a Pod or pod template
    ///   of the policy's namespace;
    /// - a `namespaceSelector` must match a Namespace of the set (by its
    ///   labels, or the `kubernetes.io/metadata.name` label every namespace
    ///   gets); it is judged only when the set holds Namespace objects, and
    ///   `default`, `kube-system`, `kube-public` and `kube-node-lease` always
    ///   count as present;
    /// - with both, the `podSelector` must match pods in the matching
    ///   namespaces, when all of them have workloads in the set.
    ///
    /// Empty selectors (everything) and `ipBlock` peers are not checked.
    ///
    /// ## Why
    ///
    /// A peer that matches nothing allows nothing: the traffic the rule was
    /// written for is dropped once the policy isolates the pods, and the
    /// policy reads as if it were allowed. Typos in labels and namespaces
    /// without the expected label are the usual causes.
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
    ///   name: api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - from:
    ///     - podSelector:
    ///         matchLabels: {app: frontend}
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
    ///   name: api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - from:
    ///     - podSelector:
    ///         matchLabels: {app: web}
    /// ```
    pub struct PeerSelectsNothing {
        id: "peer-selects-nothing",
        category: Networking,
        severity: Info,
    }
}

/// The pointer of the label to blame, or of the selector.
fn blame(base: &str, label: Option<String>) -> (String, Target) {
    match label {
        Some(l) => (format!("{base}/matchLabels{l}"), Target::Value),
        None => (base.to_owned(), Target::Key),
    }
}

impl Rule for PeerSelectsNothing {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") {
            return;
        }
        let Some(own_ns) = cx.namespace() else {
            return;
        };
        let index = cx.index;
        let namespaces = if index.of_kind("Namespace").next().is_some() {
            // The same for every policy: read once per run.
            Some(index.memo(("peer-selects-nothing:namespaces", ""), || {
                namespace_labels(index)
            }))
        } else {
            None
        };
        for peer in peers(r) {
            let pod_value = peer.value.get("podSelector");
            let pods = pod_value
                .and_then(|v| LabelSelector::from_selector(v).ok())
                .filter(|s| !s.is_empty());
            let pod_labels = pod_value
                .and_then(|v| v.get("matchLabels"))
                .and_then(Value::as_map);
            let Some(ns_value) = peer.value.get("namespaceSelector") else {
                let Some(pods) = pods else {
                    continue;
                };
                if index.pods_selected_by(own_ns, &pods).next().is_some() {
                    continue;
                }
                let (label, help) = no_pod_hint(index, own_ns, &pods, pod_labels);
                let (pointer, target) = blame(&format!("{}/podSelector", peer.pointer), label);
                cx.report(
                    &pointer,
                    target,
                    format!(
                        "this {} peer's podSelector matches no pod of namespace \"{own_ns}\", so it allows nothing",
                        peer.direction
                    ),
                )
                .help(help);
                continue;
            };
            let Ok(ns_selector) = LabelSelector::from_selector(ns_value) else {
                continue;
            };
            let Some(namespaces) = namespaces.as_ref().filter(|_| !ns_selector.is_empty()) else {
                continue;
            };
            let matched: Vec<&str> = namespaces
                .iter()
                .filter(|(_, labels)| ns_selector.matches(Some(labels)))
                .map(|(name, _)| name.as_str())
                .collect();
            if matched.is_empty() {
                let mut known: Vec<&str> = namespaces
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| !SYSTEM_NAMESPACES.contains(n))
                    .collect();
                known.sort_unstable();
                cx.report(
                    &format!("{}/namespaceSelector", peer.pointer),
                    Target::Key,
                    format!(
                        "this {} peer's namespaceSelector matches none of the Namespaces of the set ({}), so it allows nothing",
                        peer.direction,
                        known.join(", ")
                    ),
                )
                .help("a namespace has the labels of its Namespace object plus `kubernetes.io/metadata.name: <name>`; fix the selector or label the Namespace");
                continue;
            }
            let Some(pods) = pods else {
                continue;
            };
            // Pods can be judged only where the set holds the namespace's workloads.
            let judged = matched
                .iter()
                .all(|ns| !SYSTEM_NAMESPACES.contains(ns) && index.pods_in(ns).next().is_some());
            if !judged
                || matched
                    .iter()
                    .any(|ns| index.pods_selected_by(ns, &pods).next().is_some())
            {
                continue;
            }
            cx.report(
                &format!("{}/podSelector", peer.pointer),
                Target::Key,
                format!(
                    "this {} peer's podSelector matches no pod of the namespaces its namespaceSelector selects ({}), so it allows nothing",
                    peer.direction,
                    matched.join(", ")
                ),
            )
            .help("fix the podSelector, or the labels of the pod templates it is meant for");
        }
    }
}
