use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

/// Capabilities that amount to root on the node.
const DANGEROUS_CAPS: &[&str] = &["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE"];

declare_rule! {
    /// PodSecurityPolicies should not allow what amounts to root on the node.
    ///
    /// ## What it checks
    ///
    /// Each PodSecurityPolicy that allows privileged containers, the host's
    /// network, PID or IPC namespace, host ports, adding every capability or
    /// a dangerous one (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`,
    /// `SYS_MODULE`), every volume type or `hostPath` without
    /// `allowedHostPaths`, privilege escalation (the default unless
    /// `allowPrivilegeEscalation: false`), or running as root
    /// (`runAsUser: RunAsAny`). One finding per field; opt-in, since a
    /// cluster needs one such policy for its system pods.
    ///
    /// ## Why
    ///
    /// Every ServiceAccount that may use such a policy can run pods that
    /// take over their node (checkov CKV_K8S_1 to 7 and 24). Keep them few,
    /// and bound only to system namespaces.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: privileged
    /// spec:
    ///   privileged: true
    ///   allowPrivilegeEscalation: false
    ///   seLinux: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: [configMap, secret]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: restricted
    /// spec:
    ///   allowPrivilegeEscalation: false
    ///   requiredDropCapabilities: [ALL]
    ///   seLinux: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: [configMap, secret, emptyDir, projected]
    /// ```
    pub struct PspPermissive {
        id: "psp-permissive",
        category: PodSecurityPolicy,
        severity: Warning,
        enabled: false,
        examples_version: "1.20",
    }
}

impl Rule for PspPermissive {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let object = cx.object;
        if object.kind() != Some("PodSecurityPolicy") {
            return;
        }
        let Some(spec) = object.value.get("spec").and_then(Value::as_map) else {
            return;
        };
        let name = object.name().unwrap_or("");
        let mut found: Vec<(String, Target, String, &str)> = Vec::new();
        for (field, what) in [
            ("privileged", "privileged containers"),
            ("hostNetwork", "the host's network namespace"),
            ("hostPID", "the host's PID namespace"),
            ("hostIPC", "the host's IPC namespace"),
        ] {
            if spec.get(field).and_then(Value::as_bool) == Some(true) {
                found.push((
                    format!("/spec/{field}"),
                    Target::Value,
                    format!("allows {what}"),
                    "remove it, or keep the policy for system pods only",
                ));
            }
        }
        if let Some(ranges) = spec.get("hostPorts").and_then(Value::as_seq)
            && !ranges.is_empty()
        {
            found.push((
                "/spec/hostPorts".into(),
                Target::Key,
                "allows host ports".into(),
                "list only the host ports that are needed",
            ));
        }
        let list = |k: &str| -> Vec<(usize, &str)> {
            spec.get(k)
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter_map(|(i, v)| Some((i, v.as_str()?)))
                .collect()
        };
        for (i, cap) in list("allowedCapabilities") {
            if cap == "*" {
                found.push((
                    format!("/spec/allowedCapabilities/{i}"),
                    Target::Value,
                    "allows adding every capability".into(),
                    "list the capabilities that are needed (usually NET_BIND_SERVICE at most)",
                ));
            } else if DANGEROUS_CAPS.contains(&cap) {
                found.push((
                    format!("/spec/allowedCapabilities/{i}"),
                    Target::Value,
                    format!("allows adding {cap}"),
                    "remove it; it gives control of the node",
                ));
            }
        }
        let has_host_paths = spec
            .get("allowedHostPaths")
            .and_then(Value::as_seq)
            .is_some_and(|p| !p.is_empty());
        for (i, v) in list("volumes") {
            if v == "*" {
                found.push((
                    format!("/spec/volumes/{i}"),
                    Target::Value,
                    "allows every volume type, hostPath included".into(),
                    "list the volume types that are needed",
                ));
            } else if v == "hostPath" && !has_host_paths {
                found.push((
                    format!("/spec/volumes/{i}"),
                    Target::Value,
                    "allows hostPath volumes of any path".into(),
                    "restrict them with `allowedHostPaths` (read-only where possible)",
                ));
            }
        }
        match spec
            .get("allowPrivilegeEscalation")
            .and_then(Value::as_bool)
        {
            Some(false) => {}
            Some(true) => found.push((
                "/spec/allowPrivilegeEscalation".into(),
                Target::Value,
                "allows privilege escalation".into(),
                "set `allowPrivilegeEscalation: false`",
            )),
            None => found.push((
                "/spec".into(),
                Target::Key,
                "allows privilege escalation (`allowPrivilegeEscalation` defaults to true)".into(),
                "set `allowPrivilegeEscalation: false`",
            )),
        }
        if spec
            .get("runAsUser")
            .and_then(|r| r.get("rule"))
            .and_then(Value::as_str)
            == Some("RunAsAny")
        {
            found.push((
                "/spec/runAsUser/rule".into(),
                Target::Value,
                "allows containers to run as root".into(),
                "use `MustRunAsNonRoot`, or `MustRunAs` with ranges above 0",
            ));
        }
        for (pointer, target, what, fix) in found {
            cx.report(
                &pointer,
                target,
                format!("PodSecurityPolicy \"{name}\" {what}"),
            )
            .help(format!(
                "{fix}; every ServiceAccount that may use the policy can take over its node"
            ));
        }
    }
}
