use super::Covered;
use crate::diagnostic::Target;
use crate::lint::rules::pod_security::pss::BASELINE_CAPABILITIES;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers must not add capabilities beyond the default set.
    ///
    /// ## What it checks
    ///
    /// Every entry of `securityContext.capabilities.add` outside the set the
    /// Pod Security `baseline` level allows: `AUDIT_WRITE`, `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
    /// `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID` and
    /// `SYS_CHROOT` (the runtimes' defaults without `NET_RAW`). `ALL`,
    /// `SYS_ADMIN`, `NET_ADMIN` and the other well-known dangerous ones get a
    /// specific explanation. Names are compared as written, as the admission
    /// controller does: `CAP_CHOWN` or `chown` is not `CHOWN`.
    ///
    /// ## Why
    ///
    /// Added capabilities are privileges on the node's kernel: `SYS_ADMIN`
    /// is nearly root, `NET_ADMIN` reconfigures the pod's network, `ALL` is
    /// as good as a privileged container. The `baseline` level rejects such
    /// pods (check `capabilities_baseline`); when `pod-security-admission`
    /// already reports an entry, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: clock
    /// spec:
    ///   containers:
    ///   - name: clock
    ///     image: example/ntp:4.2.8
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_ADMIN, SYS_TIME]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: clock
    /// spec:
    ///   containers:
    ///   - name: clock
    ///     image: example/ntp:4.2.8
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    ///         add: [NET_BIND_SERVICE]
    /// ```
    pub struct DangerousCapabilities {
        id: "dangerous-capabilities",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 2] = ["capabilities_baseline", "capabilities_restricted"];

/// What a capability lets a container do, for the well-known dangerous ones.
fn danger(cap: &str) -> &'static str {
    match cap {
        "ALL" => "do anything a privileged container can",
        "SYS_ADMIN" => {
            "mount file systems, create namespaces and make most administration calls: nearly root on the node"
        }
        "NET_ADMIN" => "reconfigure the pod's network: interfaces, routes and firewall rules",
        "NET_RAW" => "open raw sockets and spoof traffic on the node's network",
        "SYS_PTRACE" => "trace and inspect other processes",
        "SYS_MODULE" => "load kernel modules: root on the node",
        "SYS_RAWIO" => "access devices and memory directly",
        "SYS_TIME" => "set the node's clock",
        "DAC_READ_SEARCH" => "read any file, whatever its permissions",
        "BPF" | "PERFMON" => "load BPF programs into the node's kernel",
        "SYSLOG" => "read the kernel log",
        "MAC_ADMIN" | "MAC_OVERRIDE" => "change or bypass AppArmor and SELinux",
        _ => "use a privilege beyond the container runtime's default set",
    }
}

impl Rule for DangerousCapabilities {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let Some(add) = c
                .get("securityContext")
                .and_then(|sc| sc.get("capabilities"))
                .and_then(|caps| caps.get("add"))
                .and_then(Value::as_seq)
            else {
                continue;
            };
            for (i, cap) in add.iter().enumerate() {
                let Some(cap) = cap.as_str() else {
                    continue;
                };
                if BASELINE_CAPABILITIES.contains(&cap) {
                    continue;
                }
                let mut pointer = c.pointer_to(&["securityContext", "capabilities", "add"]);
                crate::pointer::push_index(&mut pointer, i);
                if covered.has(cx, &pointer, &CHECKS) {
                    continue;
                }
                let upper = cap.to_ascii_uppercase();
                let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
                let help = if name != cap && BASELINE_CAPABILITIES.contains(&name) {
                    format!(
                        "write it as `{name}`: the Pod Security admission controller compares names as written and rejects `{cap}`"
                    )
                } else {
                    format!(
                        "remove it unless the container cannot work without it: {cap} lets the container {}",
                        danger(name)
                    )
                };
                cx.report(
                    &pointer,
                    Target::Value,
                    format!("{} adds the {cap} capability", c.describe()),
                )
                .help(help);
            }
        }
    }
}
