use super::describe;
use crate::diagnostic::Target;
use crate::lint::rbac::{is_role, rules_of};
use crate::lint::{Cx, Rule, declare_rule};

/// Resources RBAC knows that are not the plural of a kind: (group, name).
const EXTRA: &[(&str, &str)] = &[
    ("", "users"),
    ("", "groups"),
    ("authentication.k8s.io", "uids"),
    ("authentication.k8s.io", "userextras"),
    ("certificates.k8s.io", "signers"),
    ("policy", "podsecuritypolicies"),
];

declare_rule! {
    /// Role rules should name resources their API groups serve.
    ///
    /// ## What it checks
    ///
    /// Each `resources` entry of a Role or ClusterRole rule whose
    /// `apiGroups` are all built-in groups of the target Kubernetes release:
    /// the resource (the part before a `/subresource`) must be one those
    /// groups serve, in its plural, lower-case form (`configmaps`, not
    /// `configmap` or `ConfigMap`). Rules for other groups (custom
    /// resources, aggregated APIs) and wildcards are left alone.
    ///
    /// ## Why
    ///
    /// RBAC compares resource names as plain strings and accepts any of
    /// them, so a misspelt resource grants nothing and the workload fails
    /// later with `forbidden` at run time.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: configmap-update
    ///   namespace: default
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["configmap"]
    ///   resourceNames: ["my-configmap"]
    ///   verbs: ["get", "update"]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: configmap-update
    ///   namespace: default
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["configmaps"]
    ///   resourceNames: ["my-configmap"]
    ///   verbs: ["get", "update"]
    /// ```
    pub struct RbacUnknownResource {
        id: "rbac-unknown-resource",
        category: Rbac,
        severity: Warning,
    }
}

/// The group of an apiVersion (`""` for `v1`).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl Rule for RbacUnknownResource {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let object = cx.object;
        if !is_role(object) {
            return;
        }
        let schemas = crate::schema::schemas(cx.version);
        let served = |group: &str| schemas.api_versions().iter().any(|v| group_of(v) == group);
        let who = describe(cx.index, object);
        for rule in rules_of(object) {
            let groups = &rule.api_groups;
            if groups.is_empty() || groups.iter().any(|g| *g == "*" || !served(g)) {
                continue;
            }
            let mut known: Vec<String> = schemas
                .refs()
                .iter()
                .filter(|r| groups.contains(&group_of(&r.api_version)))
                .filter(|r| !r.kind.ends_with("List"))
                .map(|r| crate::lint::rules::resource_quota::plural(&r.kind))
                .collect();
            known.extend(
                EXTRA
                    .iter()
                    .filter(|(g, _)| groups.contains(g))
                    .map(|(_, r)| (*r).to_owned()),
            );
            known.sort_unstable();
            known.dedup();
            for (i, resource) in rule.resources.iter().enumerate() {
                let base = resource.split('/').next().unwrap_or("");
                if base == "*" || base.is_empty() || known.iter().any(|k| k == base) {
                    continue;
                }
                let groups_text: Vec<String> = groups.iter().map(|g| format!("\"{g}\"")).collect();
                let help = match crate::suggest::closest(
                    &base.to_ascii_lowercase(),
                    known.iter().map(String::as_str),
                ) {
                    Some(k) => format!(
                        "did you mean `{}`? RBAC compares names exactly, so this grants nothing",
                        resource.replacen(base, k, 1)
                    ),
                    None => "RBAC compares names exactly, so this grants nothing; `kubectl api-resources` lists the resource names".to_owned(),
                };
                cx.report(
                    &format!("{}/resources/{i}", rule.pointer),
                    Target::Value,
                    format!(
                        "{who} names the resource \"{resource}\", which API group {} does not serve in Kubernetes {}",
                        groups_text.join(", "),
                        cx.version
                    ),
                )
                .help(help);
            }
        }
    }
}
