use super::eval::{Psp, locate};
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// PodSecurityPolicies must be usable by the admission controller.
    ///
    /// ## What it checks
    ///
    /// Each PodSecurityPolicy's strategies: a `rule` of `runAsUser`,
    /// `runAsGroup`, `supplementalGroups`, `fsGroup` or `seLinux` that does
    /// not exist (`MustRunAsRoot`), a `MustRunAs` or `MayRunAs` rule without
    /// `ranges`, a `seLinux` `MustRunAs` rule without `seLinuxOptions`, and
    /// a capability both allowed (or added by default) and required to be
    /// dropped.
    ///
    /// ## Why
    ///
    /// The API server refuses a policy with an unknown rule or contradictory
    /// capabilities. A policy without the ranges or options its rule needs
    /// is accepted, but the admission controller cannot build it ("error
    /// creating provider for PSP ...") and silently skips it: the pods it was
    /// written for fall through to other policies, or are rejected.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: restricted
    /// spec:
    ///   seLinux: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   supplementalGroups: {rule: MustRunAsRoot}
    ///   fsGroup: {rule: MustRunAs}
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
    ///   seLinux: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   supplementalGroups:
    ///     rule: MustRunAs
    ///     ranges: [{min: 1, max: 65535}]
    ///   fsGroup:
    ///     rule: MustRunAs
    ///     ranges: [{min: 1, max: 65535}]
    ///   volumes: [configMap, secret]
    /// ```
    pub struct PspInvalidPolicy {
        id: "psp-invalid-policy",
        category: PodSecurityPolicy,
        severity: Error,
        examples_version: "1.20",
    }
}

impl Rule for PspInvalidPolicy {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let Some(psp) = Psp::read(cx.object) else {
            return;
        };
        for (pointer, message, refused) in psp.problems() {
            let (at, target) = locate(cx.object, &pointer);
            let help = if refused {
                "the API server refuses the policy".to_owned()
            } else {
                format!(
                    "the admission controller cannot use the policy (\"error creating provider for PSP {}\") and skips it, so the pods meant for it fall to other policies",
                    psp.name
                )
            };
            cx.report(
                &at,
                target,
                format!("PodSecurityPolicy \"{}\": {message}", psp.name),
            )
            .help(help);
        }
    }
}
