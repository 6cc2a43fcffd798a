use super::eval::locate;
use super::{consequence, removed_note, with_decision};
use crate::diagnostic::Target;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods must be admitted by a PodSecurityPolicy they may use.
    ///
    /// ## What it checks
    ///
    /// When PodSecurityPolicies are in the set, every Pod and pod template is
    /// put through the PodSecurityPolicy admission controller of Kubernetes
    /// 1.24 and earlier. The candidate policies are those the pod's
    /// ServiceAccount (`serviceAccountName`, else `default`) may `use`
    /// through the Roles, ClusterRoles and bindings of the set, directly or
    /// through the groups `system:serviceaccounts`,
    /// `system:serviceaccounts:<namespace>` and `system:authenticated`; when
    /// no Role or ClusterRole of the set mentions `podsecuritypolicies`,
    /// every policy is a candidate. Each candidate first fills in its
    /// defaults (`MustRunAs` users and groups, `defaultAddCapabilities` and
    /// `requiredDropCapabilities`, `runAsNonRoot` for `MustRunAsNonRoot`,
    /// `readOnlyRootFilesystem`, `defaultAllowPrivilegeEscalation`, default
    /// seccomp and AppArmor profiles, SELinux options, the RuntimeClass),
    /// then checks the pod. When no candidate admits it, every reason of
    /// every candidate is reported at its field, in the controller's words.
    /// Policies the controller cannot use (`psp-invalid-policy`) are left
    /// out, as the controller leaves them out.
    ///
    /// ## Why
    ///
    /// The API server refuses such a pod (`pods "nginx" is forbidden:
    /// PodSecurityPolicy: unable to admit pod: [spec.containers[0]
    /// .securityContext.privileged: Invalid value: true: Privileged
    /// containers are not allowed]`); for a Deployment, StatefulSet or Job
    /// the workload is created and its pods never are.
    ///
    /// A person creating a bare Pod may be allowed policies their own user
    /// can use; drydock knows only ServiceAccounts. Workload pods are
    /// created by controllers, for which the ServiceAccount is what counts.
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
    ///   name: psp-non-privileged
    /// spec:
    ///   privileged: false
    ///   seLinux: {rule: RunAsAny}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   runAsUser: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: ['*']
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: nginx
    /// spec:
    ///   containers:
    ///   - name: nginx
    ///     image: nginx:1.27
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: psp-non-privileged
    /// spec:
    ///   privileged: false
    ///   seLinux: {rule: RunAsAny}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   runAsUser: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    ///   volumes: ['*']
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: nginx
    /// spec:
    ///   containers:
    ///   - name: nginx
    ///     image: nginx:1.27
    /// ```
    pub struct PspNoPolicyAdmits {
        id: "psp-no-policy-admits",
        category: PodSecurityPolicy,
        severity: Error,
        params: [Param::boolean(
            "ignore-rbac",
            false,
            "treat every policy as usable by every pod"
        )],
        examples_version: "1.20",
    }
}

impl Rule for PspNoPolicyAdmits {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        with_decision(cx, pod, |cx, d, total| {
            if d.admitted.is_some() {
                return;
            }
            let outcome = format!("{}{}", consequence(pod), removed_note(cx));
            if d.usable == 0 {
                let (pointer, target) = match pod.get("serviceAccountName") {
                    Some(_) => (pod.pointer_to(&["serviceAccountName"]), Target::Value),
                    None => (pod.pointer.to_owned(), Target::Key),
                };
                cx.report(
                    &pointer,
                    target,
                    format!(
                        "PodSecurityPolicy: unable to admit pod: []: ServiceAccount {} may use none of the {} PodSecurityPolicies",
                        d.service_account,
                        total
                    ),
                )
                .help(format!(
                    "bind it a Role or ClusterRole with `verbs: [use]` on `podsecuritypolicies` (API group `policy`, `resourceNames` of a policy that fits the pod); {outcome}"
                ));
                return;
            }
            for (p, violations) in &d.refusals {
                for v in violations {
                    let (pointer, target) = locate(pod.object, &v.pointer);
                    cx.report(
                        &pointer,
                        target,
                        format!(
                            "PodSecurityPolicy \"{}\" refuses the pod: {}",
                            p.name, v.text
                        ),
                    )
                    .help(format!(
                        "{}; no policy that ServiceAccount {} may use admits the pod, so {outcome}",
                        v.fix, d.service_account
                    ))
                    .related(
                        p.object.location("/spec", Target::Key),
                        "the policy is defined here",
                    );
                }
            }
        });
    }
}
