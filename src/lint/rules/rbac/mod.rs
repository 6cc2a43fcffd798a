//! RBAC: Roles and bindings that hand out more than they should.

mod cluster_admin_binding;
mod create_pods;
mod escalation_verbs;
mod exec_attach;
mod rbac_unknown_resource;
mod read_secrets;
mod wildcard_rules;

pub use cluster_admin_binding::ClusterAdminBinding;
pub use create_pods::CreatePods;
pub use escalation_verbs::EscalationVerbs;
pub use exec_attach::ExecAttach;
pub use rbac_unknown_resource::RbacUnknownResource;
pub use read_secrets::ReadSecrets;
pub use wildcard_rules::WildcardRules;

use crate::diagnostic::Target;
use crate::lint::rbac::{Binding, PolicyRule, is_role, rules_of};
use crate::lint::{Cx, Index};
use crate::resource::Resource;

/// `ClusterRole "name"`, `Role "ns/name"`, for messages.
fn describe(index: &Index<'_>, r: &Resource) -> String {
    let kind = r.kind().unwrap_or("");
    let name = r.name().unwrap_or("");
    match index.namespace_of(r) {
        Some(ns) => format!("{kind} \"{ns}/{name}\""),
        None => format!("{kind} \"{name}\""),
    }
}

/// `ServiceAccount kube-system/tiller`, `Group devs`, for messages.
fn describe_subject(binding: &Binding<'_>, i: usize) -> String {
    let s = &binding.subjects[i];
    match s.kind {
        "ServiceAccount" => match s.namespace.or(binding.namespace) {
            Some(ns) => format!("ServiceAccount {ns}/{}", s.name),
            None => format!("ServiceAccount {}", s.name),
        },
        kind => format!("{kind} {}", s.name),
    }
}

/// Who the bindings of the set give a role to, for messages: `; bound to
/// ServiceAccount shop/api by RoleBinding "shop/api"`, or nothing.
fn bound_to(index: &Index<'_>, role: &Resource) -> String {
    let mut out = Vec::new();
    let (kind, name) = (role.kind().unwrap_or(""), role.name().unwrap_or(""));
    for b in index.bindings().of_role(kind, name) {
        if !b.role(index).is_some_and(|r| std::ptr::eq(r, role)) {
            continue;
        }
        let subjects: Vec<String> = (0..b.subjects.len())
            .map(|i| describe_subject(b, i))
            .collect();
        if !subjects.is_empty() {
            out.push(format!(
                "{} by {}",
                subjects.join(", "),
                describe(index, b.object)
            ));
        }
    }
    if out.is_empty() {
        String::new()
    } else {
        format!("; it is bound to {}", out.join(" and "))
    }
}

/// Calls `check` on each rule of a Role or ClusterRole; `check` returns the
/// finding (pointer, message, help) of a rule, if any.
fn for_each_rule(
    cx: &mut Cx<'_>,
    check: impl Fn(&PolicyRule<'_>, &Resource, &str) -> Option<(String, String, String)>,
) {
    let object = cx.object;
    if !is_role(object) {
        return;
    }
    let who = describe(cx.index, object);
    let found: Vec<_> = rules_of(object)
        .iter()
        .filter_map(|rule| check(rule, object, &who))
        .collect();
    if found.is_empty() {
        return;
    }
    // Only roles with findings need their bindings for the help text.
    let bound = bound_to(cx.index, object);
    for (pointer, message, help) in found {
        cx.report(&pointer, Target::Value, message)
            .help(format!("{help}{bound}"));
    }
}

/// `in the core API group`, `in API group "apps"`, `in every API group`.
fn groups_text(rule: &PolicyRule<'_>) -> String {
    if rule.api_groups.contains(&"*") {
        return "in every API group".to_owned();
    }
    let named: Vec<String> = rule
        .api_groups
        .iter()
        .map(|g| {
            if g.is_empty() {
                "the core API group".to_owned()
            } else {
                format!("API group \"{g}\"")
            }
        })
        .collect();
    if named.len() == 1 {
        format!("in {}", named[0])
    } else {
        format!("in {}", named.join(", "))
    }
}
