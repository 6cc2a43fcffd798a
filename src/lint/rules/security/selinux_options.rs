use super::{Covered, container_context, map, pod_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::{Map, Value};

declare_rule! {
    /// Pods should not set custom SELinux types, users or roles.
    ///
    /// ## What it checks
    ///
    /// `seLinuxOptions` in the pod's or a container's securityContext:
    /// `type` must be unset or one of the container types (`container_t`,
    /// `container_init_t`, `container_kvm_t`, and `container_engine_t` from
    /// Kubernetes 1.31, per `--kubernetes-version`), and `user` and `role`
    /// must be unset. `level` is free.
    ///
    /// ## Why
    ///
    /// On SELinux nodes the container types confine what a process can touch
    /// on the node. Another type such as `spc_t` (super-privileged
    /// container) or `unconfined_t`, or a custom user or role, lifts that
    /// confinement. The Pod Security `baseline` level forbids them (check
    /// `seLinuxOptions`); when `pod-security-admission` already reports a
    /// field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       type: spc_t
    ///   containers:
    ///   - name: agent
    ///     image: example/agent:3.1.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       level: "s0:c123,c456"
    ///   containers:
    ///   - name: agent
    ///     image: example/agent:3.1.0
    /// ```
    pub struct SelinuxOptions {
        id: "selinux-options",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["seLinuxOptions"];

impl Rule for SelinuxOptions {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        let engine = cx.version.minor() >= 31;
        let allowed = |t: &str| {
            matches!(
                t,
                "" | "container_t" | "container_init_t" | "container_kvm_t"
            ) || (engine && t == "container_engine_t")
        };
        let check = |cx: &mut Cx<'_>, sc: Option<&Map>, base: String, who: String| {
            let Some(opts) = sc.and_then(|sc| map(sc, "seLinuxOptions")) else {
                return;
            };
            if let Some(t) = opts
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| !allowed(t))
            {
                let pointer = format!("{base}/seLinuxOptions/type");
                if !covered.has(cx, &pointer, &CHECKS) {
                    cx.report(
                        &pointer,
                        Target::Value,
                        format!("{who} sets the SELinux type {t}"),
                    )
                    .help("leave `type` unset or use a container type (container_t, container_init_t, container_kvm_t): other types lift the node's SELinux confinement");
                }
            }
            for key in ["user", "role"] {
                if opts
                    .get(key)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    continue;
                }
                let pointer = format!("{base}/seLinuxOptions/{key}");
                if !covered.has(cx, &pointer, &CHECKS) {
                    cx.report(
                        &pointer,
                        Target::Value,
                        format!("{who} sets a custom SELinux {key}"),
                    )
                    .help(format!(
                        "remove seLinuxOptions.{key}: the runtime assigns the container's SELinux user and role, and custom ones can lift its confinement"
                    ));
                }
            }
        };
        check(
            cx,
            pod_context(pod),
            pod.pointer_to(&["securityContext"]),
            "the pod".to_owned(),
        );
        for c in pod.containers() {
            check(
                cx,
                container_context(&c),
                c.pointer_to(&["securityContext"]),
                c.describe(),
            );
        }
    }
}
