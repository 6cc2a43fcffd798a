use super::{Covered, context_pointer, effective, in_user_namespace, owner};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should be required to run as a non-root user.
    ///
    /// ## What it checks
    ///
    /// `runAsNonRoot` as each container runs with it (its own
    /// `securityContext`, else the pod's) must be `true`. A pod in a user
    /// namespace (`hostUsers: false`) is skipped: its root is not the node's.
    ///
    /// ## Why
    ///
    /// Many images run as root by default. With `runAsNonRoot: true` the
    /// kubelet refuses to start a container whose user is root, so a process
    /// that escapes the container is not root on the node, and files it can
    /// reach through volumes stay protected. A `runAsUser` alone does not
    /// count: the Pod Security `restricted` level requires `runAsNonRoot:
    /// true` (check `runAsNonRoot`); when `pod-security-admission` already
    /// reports a container, this rule leaves it out.
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
    ///     securityContext:
    ///       runAsNonRoot: false
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
    ///     runAsUser: 10001
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    pub struct RunAsNonRoot {
        id: "run-as-non-root",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["runAsNonRoot"];

impl Rule for RunAsNonRoot {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if in_user_namespace(pod) {
            return;
        }
        let covered = Covered::new(pod);
        let mut reported: Vec<String> = Vec::new();
        for c in pod.containers() {
            let setting = effective(pod, &c, "runAsNonRoot");
            let (pointer, target, message) = match &setting {
                Some(s) if s.value.as_bool() == Some(true) => continue,
                Some(s) => (
                    s.pointer.clone(),
                    Target::Value,
                    format!(
                        "{} sets runAsNonRoot to {}",
                        owner(&c, s),
                        s.value.as_bool().map_or("a non-boolean", |_| "false")
                    ),
                ),
                None => (
                    context_pointer(&c),
                    Target::Key,
                    format!(
                        "{} may run as root: neither it nor the pod sets runAsNonRoot: true",
                        c.describe()
                    ),
                ),
            };
            if reported.contains(&pointer) || covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            reported.push(pointer.clone());
            let runs_as = effective(pod, &c, "runAsUser").and_then(|s| s.value.as_i64());
            let help = if runs_as.is_some_and(|u| u > 0) {
                "also set `runAsNonRoot: true` (in the pod's securityContext for every container): the kubelet then refuses to start the container as root, whatever the image says"
            } else {
                "set `runAsNonRoot: true` in the pod's securityContext, and a non-zero `runAsUser` if the image's user is root: the kubelet then refuses to start the container as root"
            };
            cx.report(&pointer, target, message).help(help);
        }
    }
}
