use super::eval::{APPARMOR_ALLOWED, APPARMOR_DEFAULT, SECCOMP_ALLOWED, SECCOMP_DEFAULT};
use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

/// The annotations a PodSecurityPolicy reads.
const KNOWN: &[&str] = &[
    SECCOMP_DEFAULT,
    SECCOMP_ALLOWED,
    APPARMOR_DEFAULT,
    APPARMOR_ALLOWED,
];

declare_rule! {
    /// PodSecurityPolicy profile annotations must be spelt right.
    ///
    /// ## What it checks
    ///
    /// Annotations of a PodSecurityPolicy under
    /// `seccomp.security.alpha.kubernetes.io/` and
    /// `apparmor.security.beta.kubernetes.io/` other than the four the
    /// admission controller reads: `defaultProfileName` and
    /// `allowedProfileNames` of each.
    ///
    /// ## Why
    ///
    /// A misspelt key (`defaultProfileNames`) is accepted and ignored: the
    /// policy sets no default profile, and with an allow-list but no
    /// default, every pod that does not name a profile itself is refused.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: restricted
    ///   annotations:
    ///     seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default
    ///     seccomp.security.alpha.kubernetes.io/defaultProfileNames: runtime/default
    /// spec:
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
    ///   annotations:
    ///     seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default
    ///     seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default
    /// spec:
    ///   seLinux: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: [configMap, secret]
    /// ```
    pub struct PspUnknownAnnotation {
        id: "psp-unknown-annotation",
        category: PodSecurityPolicy,
        severity: Warning,
        examples_version: "1.20",
    }
}

impl Rule for PspUnknownAnnotation {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.object.kind() != Some("PodSecurityPolicy") {
            return;
        }
        let Some(annotations) = cx
            .object
            .value
            .pointer("/metadata/annotations")
            .and_then(Value::as_map)
        else {
            return;
        };
        for (key, _) in annotations.iter() {
            let ours = key.starts_with("seccomp.security.alpha.kubernetes.io/")
                || key.starts_with("apparmor.security.beta.kubernetes.io/");
            if !ours || KNOWN.contains(&key) {
                continue;
            }
            let mut pointer = "/metadata/annotations".to_owned();
            crate::pointer::push(&mut pointer, key);
            let help = match crate::suggest::closest(key, KNOWN.iter().copied()) {
                Some(k) => {
                    format!("did you mean `{k}`? The admission controller reads only that key")
                }
                None => format!("a PodSecurityPolicy reads only {}", KNOWN.join(", ")),
            };
            cx.report(
                &pointer,
                Target::Key,
                format!("the annotation `{key}` has no effect on a PodSecurityPolicy"),
            )
            .help(help);
        }
    }
}
