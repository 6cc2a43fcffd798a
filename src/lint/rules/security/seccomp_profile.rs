use super::{Covered, context_pointer, effective, is_windows, owner};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should run with a seccomp profile.
    ///
    /// ## What it checks
    ///
    /// The seccomp profile each container runs with (its own
    /// `securityContext.seccompProfile`, else the pod's) must have the type
    /// `RuntimeDefault` or `Localhost`: not unset and not `Unconfined`.
    /// Windows pods are skipped.
    ///
    /// ## Why
    ///
    /// Unless the kubelet runs with `--seccomp-default`, a container without
    /// a profile runs unconfined and can make every system call of the
    /// node's kernel, including the rarely used ones most kernel exploits
    /// go through. The Pod Security `baseline` level forbids `Unconfined`
    /// and `restricted` requires a profile (checks `seccompProfile_baseline`
    /// and `seccompProfile_restricted`); when `pod-security-admission`
    /// already reports a field, this rule leaves it out.
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
    ///       seccompProfile:
    ///         type: Unconfined
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
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    pub struct SeccompProfile {
        id: "seccomp-profile",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 2] = ["seccompProfile_baseline", "seccompProfile_restricted"];

impl Rule for SeccompProfile {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if is_windows(pod) {
            return;
        }
        let covered = Covered::new(pod);
        let mut reported: Vec<String> = Vec::new();
        for c in pod.containers() {
            let profile = effective(pod, &c, "seccompProfile");
            let (pointer, target, message) = match &profile {
                None => (
                    context_pointer(&c),
                    Target::Key,
                    format!(
                        "{} runs without a seccomp profile: neither it nor the pod sets seccompProfile",
                        c.describe()
                    ),
                ),
                Some(s) => {
                    let kind = s.value.get("type").and_then(Value::as_str);
                    if matches!(kind, Some("RuntimeDefault" | "Localhost")) {
                        continue;
                    }
                    match kind {
                        Some(kind) => (
                            format!("{}/type", s.pointer),
                            Target::Value,
                            format!("{} sets the seccomp profile type {kind}", owner(&c, s)),
                        ),
                        None => (
                            s.pointer.clone(),
                            Target::Key,
                            format!("{} sets a seccomp profile without a type", owner(&c, s)),
                        ),
                    }
                }
            };
            if reported.contains(&pointer) || covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            reported.push(pointer.clone());
            cx.report(&pointer, target, message).help(
                "set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext: the runtime's default profile blocks the system calls containers do not need",
            );
        }
    }
}
