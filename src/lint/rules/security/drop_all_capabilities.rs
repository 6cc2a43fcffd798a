use super::{Covered, container_context, is_windows, map};
use crate::diagnostic::Target;
use crate::lint::rules::pod_security::pss::deepest;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should drop all capabilities.
    ///
    /// ## What it checks
    ///
    /// Every container, init container and ephemeral container must list
    /// `ALL` in `securityContext.capabilities.drop`. Windows pods are
    /// skipped.
    ///
    /// ## Why
    ///
    /// Container runtimes grant a default set of Linux capabilities
    /// (`CHOWN`, `DAC_OVERRIDE`, `NET_RAW`, `SETUID`, ...) that most
    /// applications never use and an attacker can. Dropping `ALL` and adding
    /// back only what is needed (`NET_BIND_SERVICE` to bind a port below
    /// 1024) removes them. The Pod Security `restricted` level requires it
    /// (check `capabilities_restricted`); when `pod-security-admission`
    /// already reports a container, this rule leaves it out.
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
    ///       capabilities:
    ///         drop: [NET_RAW]
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
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    pub struct DropAllCapabilities {
        id: "drop-all-capabilities",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["capabilities_restricted"];

/// The `capabilities.drop` entries of a container.
pub(super) fn dropped<'a>(c: &Container<'a>) -> Vec<&'a str> {
    container_context(c)
        .and_then(|sc| map(sc, "capabilities"))
        .and_then(|caps| caps.get("drop"))
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// Where a capability missing from `drop` is reported.
pub(super) fn drop_pointer(c: &Container<'_>) -> String {
    deepest(
        &c.pointer,
        c.value,
        &["securityContext", "capabilities", "drop"],
    )
}

impl Rule for DropAllCapabilities {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if is_windows(pod) {
            return;
        }
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let drop = dropped(&c);
            if drop.contains(&"ALL") {
                continue;
            }
            let pointer = drop_pointer(&c);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            let help = if drop.iter().any(|d| d.eq_ignore_ascii_case("all")) {
                "write `ALL` in capitals: the Pod Security admission controller only accepts `drop: [\"ALL\"]`"
            } else {
                "set `capabilities: {drop: [\"ALL\"]}` in the container's securityContext and add back only what it needs (NET_BIND_SERVICE to bind a port below 1024)"
            };
            cx.report(
                &pointer,
                Target::Key,
                format!("{} does not drop all capabilities", c.describe()),
            )
            .help(help);
        }
    }
}
