use super::for_each_rule;
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Roles should not allow exec or attach into pods.
    ///
    /// ## What it checks
    ///
    /// Rules of Roles and ClusterRoles that let their holders open
    /// `pods/exec` or `pods/attach` in the core API group (`create`, or `get`
    /// for the WebSocket form), through the subresource itself, `*/exec`,
    /// `*/attach` or `*`.
    ///
    /// ## Why
    ///
    /// Exec gives a shell in any container the role reaches: its
    /// ServiceAccount token, its mounted Secrets, its network position. It
    /// is the usual next step of an attacker who got hold of a token.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: shop
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [pods, pods/exec]
    ///   verbs: [get, create]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: shop
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [pods, pods/log]
    ///   verbs: [get, list]
    /// ```
    pub struct ExecAttach {
        id: "exec-attach",
        category: Rbac,
        severity: Warning,
    }
}

impl Rule for ExecAttach {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for_each_rule(cx, |rule, object, who| {
            if !rule.group_matches("") {
                return None;
            }
            let verb = ["create", "get"]
                .into_iter()
                .find(|v| rule.verb_matches(v))?;
            let subs: Vec<&str> = ["pods/exec", "pods/attach"]
                .into_iter()
                .filter(|s| rule.resource_matches(s))
                .collect();
            if subs.is_empty() {
                return None;
            }
            let pointer = rule.item_pointer(
                object,
                "resources",
                &["pods/exec", "pods/attach", "*/exec", "*/attach", "*"],
            );
            let message = format!("{who} allows {verb} on {}", subs.join(" and "));
            let help = "holders can run commands in every pod the role reaches, with its token and Secrets; grant exec only to people who need it, in a separate Role".to_owned();
            Some((pointer, message, help))
        });
    }
}
