use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods should name their ServiceAccount with `serviceAccountName`.
    ///
    /// ## What it checks
    ///
    /// Pods and pod templates that set `serviceAccount`, the deprecated alias
    /// of `serviceAccountName`.
    ///
    /// ## Why
    ///
    /// `serviceAccount` has been deprecated since Kubernetes 1.8. When both
    /// fields are set, `serviceAccountName` wins and `serviceAccount` is
    /// silently ignored, so a patch that changes only one of them does not do
    /// what it says.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccount: default
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccountName: default
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    pub struct DeprecatedSaField {
        id: "deprecated-sa-field",
        category: References,
        severity: Warning,
    }
}

impl Rule for DeprecatedSaField {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(old) = pod.get("serviceAccount").and_then(Value::as_str) else {
            return;
        };
        let new = pod
            .get("serviceAccountName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty());
        let pointer = pod.pointer_to(&["serviceAccount"]);
        match new {
            Some(new) if new != old => {
                cx.report(
                    &pointer,
                    Target::Key,
                    format!(
                        "`serviceAccount: {old}` is ignored: `serviceAccountName: {new}` is set and wins"
                    ),
                )
                .help("remove the deprecated `serviceAccount` field");
            }
            Some(_) => {
                cx.report(
                    &pointer,
                    Target::Key,
                    "`serviceAccount` is a deprecated alias of `serviceAccountName`, which is also set",
                )
                .help("remove the deprecated `serviceAccount` field");
            }
            None => {
                cx.report(
                    &pointer,
                    Target::Key,
                    "`serviceAccount` is a deprecated alias of `serviceAccountName`",
                )
                .help(format!("write `serviceAccountName: {old}` instead"));
            }
        }
    }
}
