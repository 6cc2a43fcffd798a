use super::{Covered, container_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers must not run privileged.
    ///
    /// ## What it checks
    ///
    /// `securityContext.privileged: true` on any container, init container
    /// or ephemeral container of a Pod or pod template.
    ///
    /// ## Why
    ///
    /// A privileged container gets every Linux capability and the node's
    /// devices, and runs without seccomp or AppArmor confinement: whoever
    /// takes it over owns the node. The Pod Security `baseline` level forbids
    /// it (check `privileged`); when `pod-security-admission` already reports
    /// a container, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: nginx
    /// spec:
    ///   containers:
    ///   - name: nginx
    ///     image: nginx:1.27
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: nginx
    /// spec:
    ///   containers:
    ///   - name: nginx
    ///     image: nginx:1.27
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_BIND_SERVICE]
    /// ```
    pub struct PrivilegedContainer {
        id: "privileged-container",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["privileged"];

impl Rule for PrivilegedContainer {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let set = container_context(&c)
                .and_then(|sc| sc.get("privileged"))
                .and_then(Value::as_bool);
            if set != Some(true) {
                continue;
            }
            let pointer = c.pointer_to(&["securityContext", "privileged"]);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("{} runs privileged", c.describe()),
            )
            .help(
                "remove `privileged: true`: a privileged container has every capability and the node's devices; add only the capabilities it needs to securityContext.capabilities.add",
            );
        }
    }
}
