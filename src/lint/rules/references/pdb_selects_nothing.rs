use crate::diagnostic::Target;
use crate::lint::rules::workloads::{budget_selector, is_kind, no_pod_hint};
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A PodDisruptionBudget should select the pods of some workload.
    ///
    /// ## What it checks
    ///
    /// Every PodDisruptionBudget must select the pods of at least one Pod or
    /// pod template of its namespace among the checked objects. A budget
    /// without a selector selects nothing, and so does an empty selector in
    /// `policy/v1beta1` (in `policy/v1` an empty selector selects every pod
    /// of the namespace). When one workload misses by a single label, the
    /// finding points at that label.
    ///
    /// ## Why
    ///
    /// A budget that selects no pod protects nothing: node drains and
    /// cluster upgrades evict the pods it was written for all at once. A
    /// label typo is enough, and nothing in the API reports it.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: zk
    /// spec:
    ///   serviceName: zk-hs
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: zk}
    ///   template:
    ///     metadata:
    ///       labels: {app: zk}
    ///     spec:
    ///       containers:
    ///       - name: zookeeper
    ///         image: zookeeper:3.9.2
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: zk-pdb
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: zookeeper}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: zk
    /// spec:
    ///   serviceName: zk-hs
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: zk}
    ///   template:
    ///     metadata:
    ///       labels: {app: zk}
    ///     spec:
    ///       containers:
    ///       - name: zookeeper
    ///         image: zookeeper:3.9.2
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: zk-pdb
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: zk}
    /// ```
    pub struct PdbSelectsNothing {
        id: "pdb-selects-nothing",
        category: References,
        severity: Warning,
    }
}

impl Rule for PdbSelectsNothing {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "PodDisruptionBudget") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let name = r.name().unwrap_or("");
        let Some(selector) = budget_selector(r) else {
            let (pointer, target, why) = match r.value.pointer("/spec/selector") {
                None => ("/spec", Target::Key, "it has no selector"),
                Some(_) => (
                    "/spec/selector",
                    Target::Key,
                    "an empty selector selects no pod in policy/v1beta1",
                ),
            };
            cx.report(
                pointer,
                target,
                format!("PodDisruptionBudget \"{name}\" protects no pod: {why}"),
            )
            .help("select the pods to protect with `selector.matchLabels`");
            return;
        };
        let index = cx.index;
        if index.pods_selected_by(ns, &selector).next().is_some() {
            return;
        }
        let labels = r
            .value
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_map);
        let (label, help) = no_pod_hint(index, ns, &selector, labels);
        let message = format!(
            "PodDisruptionBudget \"{name}\" selects no pod of namespace \"{ns}\", so it protects nothing from eviction"
        );
        match label {
            Some(label) => cx.report(
                &format!("/spec/selector/matchLabels{label}"),
                Target::Value,
                message,
            ),
            None => cx.report("/spec/selector", Target::Key, message),
        }
        .help(help);
    }
}
