use super::for_each_rule;
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Shows the roles that can read Secrets.
    ///
    /// ## What it checks
    ///
    /// Rules of Roles and ClusterRoles that allow `get`, `list` or `watch`
    /// (or `*`) on `secrets` (or `*`) in the core API group, without
    /// `resourceNames` restricting them to named Secrets.
    ///
    /// ## Why
    ///
    /// Reading Secrets means reading every password, key and
    /// ServiceAccount token they hold; `list` and `watch` hand out all of
    /// them at once (CIS Benchmark 5.1.2). Such grants should be few and
    /// known.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: secret-reader
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [secrets]
    ///   verbs: [get, list, watch]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: app-config-reader
    ///   namespace: shop
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [secrets]
    ///   resourceNames: [app-config]
    ///   verbs: [get]
    /// ```
    pub struct ReadSecrets {
        id: "read-secrets",
        category: Rbac,
        severity: Info,
    }
}

/// The namespace of a Role; `None` for a ClusterRole.
fn cx_namespace(object: &crate::resource::Resource) -> Option<&str> {
    if object.kind() == Some("Role") {
        Some(
            object
                .namespace()
                .unwrap_or(crate::lint::index::DEFAULT_NAMESPACE),
        )
    } else {
        None
    }
}

impl Rule for ReadSecrets {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for_each_rule(cx, |rule, object, who| {
            if !rule.resource_names.is_empty()
                || !rule.group_matches("")
                || !rule.resource_matches("secrets")
            {
                return None;
            }
            let verbs: Vec<&str> = ["get", "list", "watch"]
                .into_iter()
                .filter(|v| rule.verb_matches(v))
                .collect();
            if verbs.is_empty() {
                return None;
            }
            let scope = match cx_namespace(object) {
                Some(ns) => format!("of namespace \"{ns}\""),
                None => {
                    "of the namespaces it is bound in (all of them through a ClusterRoleBinding)"
                        .to_owned()
                }
            };
            let message = format!("{who} can {} every Secret {scope}", verbs.join(", "));
            let help = "restrict it to the Secrets needed with `resourceNames` (and `get` only), or mount the Secret into the pod instead".to_owned();
            Some((
                rule.item_pointer(object, "resources", &["secrets", "*"]),
                message,
                help,
            ))
        });
    }
}
