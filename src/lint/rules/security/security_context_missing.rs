use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods and containers should set a securityContext.
    ///
    /// ## What it checks
    ///
    /// A pod spec without `securityContext` (or with an empty one), and
    /// every container, init container and ephemeral container without one.
    /// This rule is opt-in: `run-as-non-root`, `privilege-escalation`,
    /// `drop-all-capabilities`, `read-only-root-filesystem` and
    /// `seccomp-profile` already say what each missing context should
    /// contain. Enable it for a coarse check (checkov `CKV_K8S_29` and
    /// `CKV_K8S_30`).
    ///
    /// ## Why
    ///
    /// Without a securityContext a container runs with every default of the
    /// runtime: as the image's user (often root), with the default
    /// capabilities, a writable root filesystem and privilege escalation
    /// allowed.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    ///       readOnlyRootFilesystem: true
    ///       capabilities: {drop: [ALL]}
    /// ```
    pub struct SecurityContextMissing {
        id: "security-context-missing",
        category: Security,
        severity: Info,
        enabled: false,
    }
}

/// Whether `securityContext` is missing or empty.
fn missing(v: Option<&Value>) -> bool {
    v.and_then(Value::as_map).is_none_or(|m| m.is_empty())
}

impl Rule for SecurityContextMissing {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let help = "set runAsNonRoot and a seccompProfile in the pod's securityContext, and allowPrivilegeEscalation: false, readOnlyRootFilesystem: true and capabilities.drop: [ALL] in each container's";
        if missing(pod.get("securityContext")) {
            let pointer = match pod.get("securityContext") {
                Some(_) => pod.pointer_to(&["securityContext"]),
                None => pod.pointer.to_owned(),
            };
            cx.report(&pointer, Target::Key, "the pod sets no securityContext")
                .help(help);
        }
        for c in pod.containers() {
            if !missing(c.get("securityContext")) {
                continue;
            }
            let pointer = match c.get("securityContext") {
                Some(_) => c.pointer_to(&["securityContext"]),
                None => c.pointer.clone(),
            };
            cx.report(
                &pointer,
                Target::Key,
                format!("{} sets no securityContext", c.describe()),
            )
            .help(help);
        }
    }
}
