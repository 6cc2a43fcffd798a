use super::{Covered, container_context, context_pointer, is_windows};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers must set allowPrivilegeEscalation to false.
    ///
    /// ## What it checks
    ///
    /// Every container, init container and ephemeral container must set
    /// `securityContext.allowPrivilegeEscalation: false`; unset counts as
    /// `true`, which is the default. Windows pods (`spec.os.name: windows`)
    /// are skipped.
    ///
    /// ## Why
    ///
    /// Unless it is `false`, the container's processes can gain privileges
    /// through setuid binaries and file capabilities (`sudo`, `ping`, a
    /// planted binary), beyond those the container started with. A privileged
    /// container or one with `CAP_SYS_ADMIN` can always escalate. The Pod
    /// Security `restricted` level requires `false` (check
    /// `allowPrivilegeEscalation`); when `pod-security-admission` already
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
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    pub struct PrivilegeEscalation {
        id: "privilege-escalation",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["allowPrivilegeEscalation"];

impl Rule for PrivilegeEscalation {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if is_windows(pod) {
            return;
        }
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let sc = container_context(&c);
            let set = sc.and_then(|sc| sc.get("allowPrivilegeEscalation"));
            if set.and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let privileged = sc
                .and_then(|sc| sc.get("privileged"))
                .and_then(Value::as_bool)
                == Some(true);
            let (pointer, target, message) = match set.filter(|v| !v.is_null()) {
                Some(_) => (
                    c.pointer_to(&["securityContext", "allowPrivilegeEscalation"]),
                    Target::Value,
                    format!("{} allows privilege escalation", c.describe()),
                ),
                None => (
                    context_pointer(&c),
                    Target::Key,
                    format!(
                        "{} does not set securityContext.allowPrivilegeEscalation to false",
                        c.describe()
                    ),
                ),
            };
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            let help = if privileged {
                "a privileged container can always escalate: drop `privileged: true`, then set `allowPrivilegeEscalation: false`"
            } else {
                "set `allowPrivilegeEscalation: false` in the container's securityContext: otherwise setuid binaries and file capabilities can give its processes more privileges than it started with"
            };
            cx.report(&pointer, target, message).help(help);
        }
    }
}
