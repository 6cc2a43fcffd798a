use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, is_kind, min_pods};
use crate::lint::{Cx, LabelSelector, PodSpec, Rule, declare_rule};
use crate::yaml::{Map, Value};

declare_rule! {
    /// Replicas should be spread over nodes.
    ///
    /// ## What it checks
    ///
    /// Deployments and StatefulSets that run two pods or more (their
    /// replicas, or the `minReplicas` of an autoscaler that manages them)
    /// must spread them: a pod anti-affinity term (required or preferred)
    /// or a `topologySpreadConstraints` entry whose label selector matches
    /// the workload's own pods.
    ///
    /// ## Why
    ///
    /// The scheduler is free to put every replica on the same node, and
    /// often does on a quiet cluster. One node failure or drain then takes
    /// all of them down at once, and the replicas bought nothing.
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
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       affinity:
    ///         podAntiAffinity:
    ///           preferredDuringSchedulingIgnoredDuringExecution:
    ///           - weight: 100
    ///             podAffinityTerm:
    ///               topologyKey: kubernetes.io/hostname
    ///               labelSelector:
    ///                 matchLabels: {app: web}
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ```
    pub struct AntiAffinity {
        id: "anti-affinity",
        category: Reliability,
        severity: Info,
    }
}

/// Whether a term's `labelSelector` matches the pod's own labels.
fn selects_own(term: &Value, labels: Option<&Map>) -> bool {
    term.get("labelSelector")
        .and_then(|s| LabelSelector::from_selector(s).ok())
        .is_some_and(|s| !s.is_empty() && s.matches(labels))
}

/// Whether the pod spreads its own replicas by anti-affinity or topology
/// spread constraints.
pub(super) fn spreads(pod: &PodSpec<'_>, anti_affinity: bool) -> bool {
    let labels = pod.labels();
    let spread = pod
        .get("topologySpreadConstraints")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|c| selects_own(c, labels));
    if spread || !anti_affinity {
        return spread;
    }
    let anti = pod.get("affinity").and_then(|a| a.get("podAntiAffinity"));
    let required = anti
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_seq)
        .unwrap_or_default();
    let preferred = anti
        .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_seq)
        .unwrap_or_default();
    required.iter().any(|t| selects_own(t, labels))
        || preferred
            .iter()
            .filter_map(|t| t.get("podAffinityTerm"))
            .any(|t| selects_own(t, labels))
}

impl Rule for AntiAffinity {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let r = pod.object;
        if !is_kind(r, "Deployment") && !is_kind(r, "StatefulSet") {
            return;
        }
        let Some(n) = min_pods(cx.index, r).filter(|n| *n >= 2) else {
            return;
        };
        if spreads(pod, true) {
            return;
        }
        let (pointer, message) = match pod.get("affinity").and_then(|a| a.get("podAntiAffinity")) {
            Some(_) => (
                pod.pointer_to(&["affinity", "podAntiAffinity"]),
                format!(
                    "{} runs {n} pods, but no labelSelector of its pod anti-affinity matches its own pods: the scheduler may put them all on one node",
                    describe(r)
                ),
            ),
            None => (
                pod.pointer.to_owned(),
                format!(
                    "{} runs {n} pods with no pod anti-affinity or topology spread constraint: the scheduler may put them all on one node",
                    describe(r)
                ),
            ),
        };
        cx.report(&pointer, Target::Key, message)
        .help("add a preferred `podAntiAffinity` term with `topologyKey: kubernetes.io/hostname` (or a `topologySpreadConstraints` entry) whose labelSelector matches the pod labels");
    }
}
