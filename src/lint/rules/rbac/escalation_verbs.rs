use super::for_each_rule;
use crate::lint::{Cx, Rule, declare_rule};

/// Grants that let their holder gain permissions it does not have:
/// (verb, group, resource, what it allows).
const ESCALATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "escalate",
        "rbac.authorization.k8s.io",
        "roles",
        "write Roles with permissions they do not hold",
    ),
    (
        "escalate",
        "rbac.authorization.k8s.io",
        "clusterroles",
        "write ClusterRoles with permissions they do not hold",
    ),
    (
        "bind",
        "rbac.authorization.k8s.io",
        "roles",
        "bind Roles with permissions they do not hold",
    ),
    (
        "bind",
        "rbac.authorization.k8s.io",
        "clusterroles",
        "bind ClusterRoles with permissions they do not hold",
    ),
    ("impersonate", "", "users", "act as any user"),
    (
        "impersonate",
        "",
        "groups",
        "act as any group (system:masters included)",
    ),
    (
        "impersonate",
        "",
        "serviceaccounts",
        "act as any ServiceAccount",
    ),
    (
        "impersonate",
        "authentication.k8s.io",
        "uids",
        "act as any user ID",
    ),
    (
        "create",
        "",
        "serviceaccounts/token",
        "mint tokens for ServiceAccounts",
    ),
    (
        "update",
        "certificates.k8s.io",
        "certificatesigningrequests/approval",
        "approve certificate requests, including client certificates for any user",
    ),
    (
        "patch",
        "certificates.k8s.io",
        "certificatesigningrequests/approval",
        "approve certificate requests, including client certificates for any user",
    ),
    (
        "approve",
        "certificates.k8s.io",
        "signers",
        "approve certificate requests for a signer",
    ),
    (
        "create",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "install admission webhooks that see and change every request",
    ),
    (
        "update",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "change admission webhooks that see and change every request",
    ),
    (
        "patch",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "change admission webhooks that see and change every request",
    ),
    (
        "create",
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "install admission webhooks that see every request",
    ),
    (
        "update",
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "change admission webhooks that see every request",
    ),
    (
        "patch",
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "change admission webhooks that see every request",
    ),
    (
        "create",
        "",
        "nodes/proxy",
        "call the kubelet API of every node, exec into any pod included",
    ),
];

declare_rule! {
    /// Roles should not grant escalate, bind, impersonate or similar verbs.
    ///
    /// ## What it checks
    ///
    /// Rules of Roles and ClusterRoles that grant what lets a holder gain
    /// permissions it does not have: `escalate` or `bind` on roles and
    /// ClusterRoles, `impersonate` on users, groups, ServiceAccounts or
    /// user IDs, `create` on `serviceaccounts/token`, approving
    /// CertificateSigningRequests (`update` or `patch` on
    /// `certificatesigningrequests/approval`, `approve` on `signers`),
    /// `create`, `update` or `patch` on admission webhook configurations, and
    /// `create` on `nodes/proxy`, through the verb itself or `*`.
    ///
    /// ## Why
    ///
    /// RBAC stops a user from granting more than they hold, except through
    /// these verbs: each is a way to become cluster-admin (checkov
    /// CKV_K8S_155 to 158).
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: role-manager
    /// rules:
    /// - apiGroups: [rbac.authorization.k8s.io]
    ///   resources: [clusterroles, clusterrolebindings]
    ///   verbs: [get, list, create, bind, escalate]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: role-manager
    /// rules:
    /// - apiGroups: [rbac.authorization.k8s.io]
    ///   resources: [clusterroles, clusterrolebindings]
    ///   verbs: [get, list]
    /// ```
    pub struct EscalationVerbs {
        id: "escalation-verbs",
        category: Rbac,
        severity: Warning,
    }
}

impl Rule for EscalationVerbs {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for_each_rule(cx, |rule, object, who| {
            let hits: Vec<&(&str, &str, &str, &str)> = ESCALATIONS
                .iter()
                .filter(|(verb, group, resource, _)| {
                    rule.verb_matches(verb)
                        && rule.group_matches(group)
                        && rule.resource_matches(resource)
                })
                .collect();
            if hits.is_empty() {
                return None;
            }
            let verbs: Vec<&str> = hits.iter().map(|h| h.0).collect();
            let mut wanted = verbs.clone();
            wanted.push("*");
            let pointer = rule.item_pointer(object, "verbs", &wanted);
            // `escalate, bind on clusterroles`, resources in first-seen order.
            let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
            for &&(verb, _, resource, _) in &hits {
                match by_resource.iter_mut().find(|(r, _)| *r == resource) {
                    Some((_, verbs)) => verbs.push(verb),
                    None => by_resource.push((resource, vec![verb])),
                }
            }
            let grants: Vec<String> = by_resource
                .iter()
                .map(|(r, verbs)| format!("{} on {r}", verbs.join(", ")))
                .collect();
            let message = format!("{who} grants {}", grants.join("; "));
            let mut allows: Vec<&str> = hits.iter().map(|h| h.3).collect();
            allows.dedup();
            let help = format!(
                "its holders can {}: remove these verbs unless the role is for a trusted controller",
                allows.join("; ")
            );
            Some((pointer, message, help))
        });
    }
}
