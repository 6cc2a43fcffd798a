use super::{Covered, container_context, effective, in_user_namespace, pod_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::{Map, Value};

declare_rule! {
    /// Pods and containers should not run as user 0.
    ///
    /// ## What it checks
    ///
    /// `securityContext.runAsUser: 0` in the pod spec or in any container.
    /// A pod in a user namespace (`hostUsers: false`) is skipped.
    ///
    /// ## Why
    ///
    /// User 0 is root: a process that escapes the container is root on the
    /// node, and files in volumes are writable whatever their owner. With
    /// `runAsNonRoot: true` as well, the kubelet refuses to start the
    /// container at all. The Pod Security `restricted` level forbids it
    /// (check `runAsUser`); when `pod-security-admission` already reports the
    /// field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   securityContext:
    ///     runAsUser: 0
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
    ///     runAsUser: 10001
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    pub struct RunAsRootUser {
        id: "run-as-root-user",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["runAsUser"];

fn root(sc: Option<&Map>) -> bool {
    sc.and_then(|sc| sc.get("runAsUser"))
        .and_then(Value::as_i64)
        == Some(0)
}

impl Rule for RunAsRootUser {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if in_user_namespace(pod) {
            return;
        }
        let covered = Covered::new(pod);
        let containers = pod.containers();
        let refused = |non_root: bool| {
            if non_root {
                "it also sets runAsNonRoot: true, so the kubelet refuses to start it; use a non-zero user ID"
            } else {
                "run as a non-zero user ID (and set runAsNonRoot: true): as root, a process that escapes the container is root on the node"
            }
        };
        let non_root = |c: &crate::lint::Container<'_>| {
            effective(pod, c, "runAsNonRoot").and_then(|s| s.value.as_bool()) == Some(true)
        };
        if root(pod_context(pod)) {
            let inheriting: Vec<_> = containers
                .iter()
                .filter(|c| {
                    container_context(c)
                        .and_then(|sc| sc.get("runAsUser"))
                        .is_none()
                })
                .collect();
            let pointer = pod.pointer_to(&["securityContext", "runAsUser"]);
            if !covered.has(cx, &pointer, &CHECKS) {
                let help = refused(inheriting.iter().any(|c| non_root(c)));
                cx.report(
                    &pointer,
                    Target::Value,
                    "the pod runs as root (runAsUser: 0)",
                )
                .help(help);
            }
        }
        for c in &containers {
            if !root(container_context(c)) {
                continue;
            }
            let pointer = c.pointer_to(&["securityContext", "runAsUser"]);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("{} runs as root (runAsUser: 0)", c.describe()),
            )
            .help(refused(non_root(c)));
        }
    }
}
