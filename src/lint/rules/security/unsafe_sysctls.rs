use super::{Covered, pod_context};
use crate::diagnostic::Target;
use crate::lint::rules::pod_security::pss::safe_sysctls;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods must set only safe sysctls.
    ///
    /// ## What it checks
    ///
    /// Every name in `spec.securityContext.sysctls` must be one of the safe
    /// sysctls of the Kubernetes release given by `--kubernetes-version`:
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, and from 1.27
    /// `net.ipv4.ip_local_reserved_ports`, from 1.29
    /// `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`, from
    /// 1.32 `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`, and from 1.37
    /// `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.
    ///
    /// ## Why
    ///
    /// Safe sysctls are isolated per pod. Any other one either changes the
    /// whole node or can starve its neighbours: the kubelet refuses to start
    /// such a pod (`SysctlForbidden`) unless the node allows it with
    /// `--allowed-unsafe-sysctls`, and the Pod Security `baseline` level
    /// rejects it (check `sysctls`); when `pod-security-admission` already
    /// reports a sysctl, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: queue
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - name: kernel.msgmax
    ///       value: "65536"
    ///   containers:
    ///   - name: queue
    ///     image: example/queue:2.0.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: queue
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - name: net.ipv4.ip_local_port_range
    ///       value: "32768 60999"
    ///   containers:
    ///   - name: queue
    ///     image: example/queue:2.0.0
    /// ```
    pub struct UnsafeSysctls {
        id: "unsafe-sysctls",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["sysctls"];

impl Rule for UnsafeSysctls {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(items) = pod_context(pod)
            .and_then(|sc| sc.get("sysctls"))
            .and_then(Value::as_seq)
        else {
            return;
        };
        let safe = safe_sysctls(cx.version.minor());
        let covered = Covered::new(pod);
        for (i, s) in items.iter().enumerate() {
            let Some(name) = s.get("name").and_then(Value::as_str) else {
                continue;
            };
            if safe.contains(&name) {
                continue;
            }
            let pointer = pod.pointer_to(&["securityContext", "sysctls", &i.to_string(), "name"]);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("sysctl {name} is not safe in Kubernetes {}", cx.version),
            )
            .help("remove it: the kubelet refuses to start the pod unless every node allows it with --allowed-unsafe-sysctls, and it affects more than this pod");
        }
    }
}
