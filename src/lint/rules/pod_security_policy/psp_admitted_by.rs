use super::{removed_note, with_decision};
use crate::diagnostic::Target;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Shows which PodSecurityPolicy admits each pod, and what it changes.
    ///
    /// ## What it checks
    ///
    /// When PodSecurityPolicies are in the set, the policy the admission
    /// controller of Kubernetes 1.24 and earlier would pick for each Pod and
    /// pod template, among those the pod's ServiceAccount may use (see
    /// `psp-no-policy-admits`): the first by name that admits the pod without
    /// changing it, else the first by name that admits it after filling in
    /// its defaults, which are listed.
    ///
    /// ## Why
    ///
    /// The policy that admits a pod decides its user, groups, capabilities
    /// and profiles: a pod that passes only through a mutating policy runs
    /// with settings its manifest does not show, and a new policy whose name
    /// sorts first can change them.
    ///
    /// ## Parameters
    ///
    /// - `ignore-rbac` (default `false`): treat every policy as usable by
    ///   every pod, whatever the RBAC objects of the set say.
    ///
    /// ## Failing example
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
    ///   supplementalGroups: {rule: RunAsAny}
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: [configMap, secret, emptyDir]
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: example/web:1.0.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: example/web:1.0.0
    /// ```
    pub struct PspAdmittedBy {
        id: "psp-admitted-by",
        category: PodSecurityPolicy,
        severity: Info,
        params: [Param::boolean(
            "ignore-rbac",
            false,
            "treat every policy as usable by every pod"
        )],
        examples_version: "1.20",
    }
}

impl Rule for PspAdmittedBy {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        with_decision(cx, pod, |cx, d, _| {
            let Some((p, mutations)) = &d.admitted else {
                return;
            };
            let message = if mutations.is_empty() {
                format!("admitted by PodSecurityPolicy \"{}\" as written", p.name)
            } else {
                format!(
                    "admitted by PodSecurityPolicy \"{}\", which sets {}",
                    p.name,
                    mutations.join(", ")
                )
            };
            let by = if d.by_rbac {
                format!(
                    "the {} policies ServiceAccount {} may use",
                    d.usable, d.service_account
                )
            } else {
                format!(
                    "the {} policies of the set (no Role of the set grants `use` of podsecuritypolicies, so every policy counts)",
                    d.usable
                )
            };
            let help = if mutations.is_empty() {
                format!(
                    "the controller takes the first policy by name that admits the pod unchanged, among {by}{}",
                    removed_note(cx)
                )
            } else {
                format!(
                    "none of {by} admits the pod unchanged, so the controller takes the first by name that admits it with its defaults; write these values into the manifest to keep them whichever policy applies{}",
                    removed_note(cx)
                )
            };
            cx.report(pod.pointer, Target::Key, message)
                .help(help)
                .related(
                    p.object.location("/spec", Target::Key),
                    "the policy is defined here",
                );
        });
    }
}
