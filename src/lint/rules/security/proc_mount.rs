use super::{Covered, container_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers must keep the default /proc masking.
    ///
    /// ## What it checks
    ///
    /// `securityContext.procMount` of every container must be unset or
    /// `Default`.
    ///
    /// ## Why
    ///
    /// By default the container runtime masks and makes read-only the parts
    /// of `/proc` that expose the node's kernel (`/proc/kcore`,
    /// `/proc/sys`, `/proc/sysrq-trigger`). `Unmasked` lifts that, which only
    /// nested container runtimes in a user namespace need. The Pod Security
    /// `baseline` level forbids it outside user namespaces and `restricted`
    /// always (checks `procMount` and `procMount_restricted`); when
    /// `pod-security-admission` already reports a container, this rule
    /// leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: example/builder:1.0.0
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: example/builder:1.0.0
    ///     securityContext:
    ///       procMount: Default
    /// ```
    pub struct ProcMount {
        id: "proc-mount",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 2] = ["procMount", "procMount_restricted"];

impl Rule for ProcMount {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let Some(kind) = container_context(&c)
                .and_then(|sc| sc.get("procMount"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            if kind == "Default" {
                continue;
            }
            let pointer = c.pointer_to(&["securityContext", "procMount"]);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("{} sets procMount to {kind}", c.describe()),
            )
            .help("remove `procMount` (or set it to Default): unmasked, /proc exposes the node's kernel interfaces to the container");
        }
    }
}
