use crate::diagnostic::Target;
use crate::lint::rules::workloads::{describe, is_kind};
use crate::lint::{Cx, LabelSelector, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A workload's selector should match its own pod template labels.
    ///
    /// ## What it checks
    ///
    /// The `spec.selector` of Deployments, ReplicaSets, DaemonSets,
    /// StatefulSets, ReplicationControllers and Jobs with
    /// `manualSelector: true` must match the labels of their pod template
    /// and must not be empty. Workloads of the removed `extensions/v1beta1`
    /// and `apps/v1beta1` APIs without a selector are reported too: those
    /// APIs defaulted it from the template labels, `apps/v1` requires it.
    ///
    /// ## Why
    ///
    /// The API server rejects a workload whose selector does not select its
    /// own template (`selector does not match template labels`), so the
    /// apply fails; a selector is also immutable, so getting it right
    /// before the first apply saves deleting and recreating the workload.
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
    ///       labels: {app: web-frontend}
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
    ///       labels: {app: web, tier: frontend}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ```
    pub struct SelectorMismatch {
        id: "selector-mismatch",
        category: Reliability,
        severity: Error,
    }
}

/// `app: web, tier: frontend`, for messages.
fn labels_text(labels: Option<&crate::yaml::Map>) -> String {
    let text: Vec<String> = labels
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    if text.is_empty() {
        "no labels".to_owned()
    } else {
        text.join(", ")
    }
}

impl Rule for SelectorMismatch {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let r = pod.object;
        let map_selector = is_kind(r, "ReplicationController");
        let checked = map_selector
            || ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"]
                .iter()
                .any(|k| is_kind(r, k))
            || (is_kind(r, "Job")
                && r.value
                    .pointer("/spec/manualSelector")
                    .and_then(Value::as_bool)
                    == Some(true));
        if !checked {
            return;
        }
        let labels = pod.labels();
        let Some(value) = r.value.pointer("/spec/selector") else {
            let api = r.api_version().unwrap_or("");
            if matches!(api, "extensions/v1beta1" | "apps/v1beta1") {
                cx.report(
                    "/spec",
                    Target::Key,
                    format!(
                        "{} has no spec.selector: {api} defaulted it from the template labels, but apps/v1 requires it",
                        describe(r)
                    ),
                )
                .help(format!(
                    "when moving to apps/v1, add `selector: {{matchLabels: {{{}}}}}`",
                    labels_text(labels)
                ));
            }
            return;
        };
        let (selector, match_labels) = if map_selector {
            (LabelSelector::from_labels(value), value.as_map())
        } else {
            (
                LabelSelector::from_selector(value),
                value.get("matchLabels").and_then(Value::as_map),
            )
        };
        let Ok(selector) = selector else {
            return;
        };
        if selector.is_empty() {
            cx.report(
                "/spec/selector",
                Target::Key,
                format!(
                    "{} has an empty selector: the API server rejects it (it would select every pod of the namespace)",
                    describe(r)
                ),
            )
            .help(format!(
                "select the template's labels: `matchLabels: {{{}}}`",
                labels_text(labels)
            ));
            return;
        }
        if selector.matches(labels) {
            return;
        }
        let have = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        let culprit = match_labels.and_then(|m| {
            m.iter()
                .find(|(k, v)| have(k) != v.as_str())
                .map(|(k, v)| (k, v.as_str().unwrap_or("")))
        });
        let message = format!(
            "the selector of {} does not match its pod template labels ({}): the API server rejects it",
            describe(r),
            labels_text(labels)
        );
        match culprit {
            Some((key, want)) => {
                let mut pointer = if map_selector {
                    "/spec/selector".to_owned()
                } else {
                    "/spec/selector/matchLabels".to_owned()
                };
                crate::pointer::push(&mut pointer, key);
                let help = match have(key) {
                    Some(v) => format!(
                        "the selector wants `{key}: {want}`, the template has `{key}: {v}`; make them agree"
                    ),
                    None => format!(
                        "the template has no label `{key}`; add `{key}: {want}` to the template labels"
                    ),
                };
                cx.report(&pointer, Target::Value, message).help(help);
            }
            None => {
                cx.report("/spec/selector", Target::Key, message)
                    .help("make the matchExpressions hold for the template labels");
            }
        }
    }
}
