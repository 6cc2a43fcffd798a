use super::{describe, describe_subject};
use crate::diagnostic::Target;
use crate::lint::rbac::{Binding, rules_of};
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Bindings should not grant cluster-admin.
    ///
    /// ## What it checks
    ///
    /// RoleBindings and ClusterRoleBindings whose `roleRef` is the
    /// ClusterRole `cluster-admin`, or a Role or ClusterRole of the set with
    /// a rule that grants every verb on every resource of every API group
    /// (`verbs: ["*"]`, `resources: ["*"]`, `apiGroups: ["*"]`). Bindings
    /// named `system:...` belong to Kubernetes and are skipped.
    ///
    /// ## Why
    ///
    /// `cluster-admin` can do anything to anything: read every Secret, run
    /// privileged pods on any node, grant itself more. A ServiceAccount bound
    /// to it turns any compromise of its pods into a compromise of the
    /// cluster (CIS Benchmark 5.1.1). Bound by a RoleBinding it is still
    /// full control of that namespace.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: tiller
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: tiller
    ///   namespace: kube-system
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: deployer
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: deployer
    ///   namespace: shop
    /// ```
    pub struct ClusterAdminBinding {
        id: "cluster-admin-binding",
        category: Rbac,
        severity: Warning,
    }
}

impl Rule for ClusterAdminBinding {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let Some(b) = Binding::read(cx.index, cx.object) else {
            return;
        };
        if cx.object.name().is_some_and(|n| n.starts_with("system:")) {
            return;
        }
        let role = b.role(cx.index);
        let what = if b.role_kind == "ClusterRole" && b.role_name == "cluster-admin" {
            "the ClusterRole cluster-admin".to_owned()
        } else if let Some(role) = role.filter(|r| {
            rules_of(r).iter().any(|rule| {
                rule.verbs.contains(&"*")
                    && rule.resources.contains(&"*")
                    && rule.api_groups.contains(&"*")
            })
        }) {
            format!(
                "{} (every verb on every resource, as cluster-admin)",
                describe(cx.index, role)
            )
        } else {
            return;
        };
        let subjects: Vec<String> = (0..b.subjects.len())
            .map(|i| describe_subject(&b, i))
            .collect();
        let to = if subjects.is_empty() {
            "nobody yet".to_owned()
        } else {
            subjects.join(", ")
        };
        let scope = match b.namespace {
            Some(ns) => format!("full control of namespace \"{ns}\""),
            None => "full control of the cluster".to_owned(),
        };
        cx.report(
            "/roleRef/name",
            Target::Value,
            format!("{} grants {what} to {to}", describe(cx.index, cx.object)),
        )
        .help(format!(
            "that is {scope}; bind a Role or ClusterRole with only the permissions needed (`edit` or `admin` in a RoleBinding for a namespace)"
        ));
    }
}
