use super::automount_service_account_token::service_account;
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// The default service account should not be given permissions.
    ///
    /// ## What it checks
    ///
    /// - RoleBindings and ClusterRoleBindings with a subject that is the
    ///   ServiceAccount `default` of a namespace;
    /// - Pods and pod templates that run as the `default` service account
    ///   (no `serviceAccountName`) and mount its token while such a binding
    ///   in the checked objects grants it permissions;
    /// - a ServiceAccount named `default` that does not set
    ///   `automountServiceAccountToken: false`.
    ///
    /// ## Why
    ///
    /// Every pod of a namespace that names no service account runs as
    /// `default`. Permissions granted to it go to all of them, including
    /// pods added later by other teams, and their tokens carry them. A
    /// dedicated ServiceAccount per workload keeps permissions where they
    /// are needed (kube-linter `default-service-account`, checkov
    /// `CKV_K8S_41` and `CKV_K8S_42`).
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: read-config
    ///   namespace: shop
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: default
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: read-config
    ///   namespace: shop
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: storefront
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// ```
    pub struct DefaultServiceAccount {
        id: "default-service-account",
        category: Security,
        severity: Info,
    }
}

/// The index and namespace of each subject of a binding that is a `default`
/// ServiceAccount.
fn default_subjects(binding: &Resource) -> Vec<(usize, &str)> {
    let own = binding.namespace().unwrap_or("default");
    binding
        .value
        .get("subjects")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                && s.get("name").and_then(Value::as_str) == Some("default")
        })
        .filter_map(|(i, s)| {
            let ns = s.get("namespace").and_then(Value::as_str);
            match binding.kind() {
                Some("RoleBinding") => Some((i, ns.unwrap_or(own))),
                _ => Some((i, ns?)),
            }
        })
        .collect()
}

/// `Role "config-reader"`, from a binding's roleRef.
fn role(binding: &Resource) -> String {
    let r = binding.value.get("roleRef");
    let kind = r
        .and_then(|r| r.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("role");
    let name = r
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    format!("{kind} \"{name}\"")
}

impl DefaultServiceAccount {
    fn check_binding(&self, cx: &mut Cx<'_>) {
        let binding = cx.object;
        let kind = binding.kind().unwrap_or("");
        let name = binding.name().unwrap_or("");
        for (i, ns) in default_subjects(binding) {
            cx.report(
                &format!("/subjects/{i}/name"),
                Target::Value,
                format!(
                    "{kind} \"{name}\" grants {} to the default service account of namespace \"{ns}\"",
                    role(binding)
                ),
            )
            .help("bind a dedicated ServiceAccount instead: every pod of the namespace that names no account runs as `default` and gets these permissions");
        }
    }

    fn check_service_account(&self, cx: &mut Cx<'_>) {
        if cx.object.name() != Some("default")
            || cx
                .object
                .value
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool)
                == Some(false)
        {
            return;
        }
        cx.report(
            "/metadata/name",
            Target::Value,
            "the default service account mounts its token into every pod that names no other account",
        )
        .help("set `automountServiceAccountToken: false` on it, and give the pods that call the Kubernetes API their own ServiceAccount");
    }

    fn check_pod_spec(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if service_account(pod) != "default"
            || pod
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool)
                == Some(false)
        {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let grants = cx
            .index
            .of_kind("RoleBinding")
            .chain(cx.index.of_kind("ClusterRoleBinding"))
            .find(|b| {
                default_subjects(b).iter().any(|(_, n)| *n == ns)
                    && (b.kind() == Some("ClusterRoleBinding")
                        || cx.index.namespace_of(b) == Some(ns))
            });
        let Some(binding) = grants else {
            return;
        };
        let pointer = match pod.get("serviceAccountName") {
            Some(_) => pod.pointer_to(&["serviceAccountName"]),
            None => pod.pointer.to_owned(),
        };
        let target = if pod.get("serviceAccountName").is_some() {
            Target::Value
        } else {
            Target::Key
        };
        let message = format!(
            "the pod runs as the default service account, which {} \"{}\" grants {}",
            binding.kind().unwrap_or(""),
            binding.name().unwrap_or(""),
            role(binding)
        );
        let location = binding.location("/subjects", Target::Key);
        cx.report(&pointer, target, message)
            .help("set `serviceAccountName` to an account of its own, bound to what this workload needs")
            .related(location, "the binding is here");
    }
}

impl Rule for DefaultServiceAccount {
    fn check_object(&self, cx: &mut Cx<'_>) {
        match cx.object.kind() {
            Some("RoleBinding" | "ClusterRoleBinding") => self.check_binding(cx),
            Some("ServiceAccount") => self.check_service_account(cx),
            _ => {
                if let Some(pod) = cx.pod() {
                    self.check_pod_spec(cx, &pod);
                }
            }
        }
    }
}
