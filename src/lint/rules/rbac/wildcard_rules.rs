use super::{for_each_rule, groups_text};
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Roles should not use `*` for verbs, resources or API groups.
    ///
    /// ## What it checks
    ///
    /// Every rule of a Role or ClusterRole whose `verbs`, `resources` or
    /// `apiGroups` contain `*`; the finding points at the first `*` and
    /// names all of them.
    ///
    /// ## Why
    ///
    /// A wildcard grants more than anyone reviewed: every verb includes
    /// `escalate`, `bind` and `impersonate`, every resource includes Secrets
    /// and `pods/exec`, and both grow with each Kubernetes release and each
    /// CustomResourceDefinition installed later (CIS Benchmark 5.1.3).
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: installer
    /// rules:
    /// - apiGroups: [apps]
    ///   resources: ["*"]
    ///   verbs: ["*"]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: installer
    /// rules:
    /// - apiGroups: [apps]
    ///   resources: [deployments, statefulsets]
    ///   verbs: [get, list, watch, create, update, patch]
    /// ```
    pub struct WildcardRules {
        id: "wildcard-rules",
        category: Rbac,
        severity: Warning,
    }
}

impl Rule for WildcardRules {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for_each_rule(cx, |rule, object, who| {
            let verbs = rule.verbs.contains(&"*");
            let resources = rule.resources.contains(&"*");
            let groups = rule.api_groups.contains(&"*");
            let field = [
                ("verbs", verbs),
                ("resources", resources),
                ("apiGroups", groups),
            ]
            .into_iter()
            .find(|(_, w)| *w)?
            .0;
            let verbs_text = if verbs {
                "every verb".to_owned()
            } else {
                rule.verbs.join(", ")
            };
            let resources_text = if resources {
                "every resource".to_owned()
            } else {
                rule.resources.join(", ")
            };
            let message = format!(
                "{who} grants {verbs_text} on {resources_text} {}",
                groups_text(rule)
            );
            let help = "a wildcard also grants what later Kubernetes releases and CustomResourceDefinitions add: list the verbs, resources and API groups that are needed".to_owned();
            Some((rule.item_pointer(object, field, &["*"]), message, help))
        });
    }
}
