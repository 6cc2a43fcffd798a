//! RBAC as the API server's authorizer evaluates it, over the Roles,
//! ClusterRoles and bindings of the set: who may do what, and where each
//! grant is written.

use std::collections::HashMap;

use crate::resource::Resource;
use crate::yaml::Value;

use super::index::Index;

/// The API group of RBAC.
pub const GROUP: &str = "rbac.authorization.k8s.io";

/// One entry of a Role's or ClusterRole's `rules`, with its pointer.
pub struct PolicyRule<'a> {
    /// `/rules/<n>`.
    pub pointer: String,
    pub verbs: Vec<&'a str>,
    pub api_groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
    pub resource_names: Vec<&'a str>,
}

/// The strings of a list field; items that are not strings count as `""`,
/// which matches nothing (the API server reads a null item so).
fn strings<'a>(rule: &'a Value, key: &str) -> Vec<&'a str> {
    rule.get(key)
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|v| v.as_str().unwrap_or(""))
        .collect()
}

impl<'a> PolicyRule<'a> {
    fn read(rule: &'a Value, pointer: String) -> Self {
        PolicyRule {
            pointer,
            verbs: strings(rule, "verbs"),
            api_groups: strings(rule, "apiGroups"),
            resources: strings(rule, "resources"),
            resource_names: strings(rule, "resourceNames"),
        }
    }

    pub fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| *v == "*" || *v == verb)
    }

    pub fn group_matches(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| *g == "*" || *g == group)
    }

    /// `resource` is `pods` or `pods/exec`; a rule matches it with the same
    /// text, `*`, or `*/exec` for a subresource (not `pods/*`).
    pub fn resource_matches(&self, resource: &str) -> bool {
        let sub = resource.split_once('/').map(|(_, s)| s);
        self.resources.iter().any(|r| {
            *r == "*" || *r == resource || sub.is_some_and(|s| r.strip_prefix("*/") == Some(s))
        })
    }

    /// Whether the rule lets `verb` act on `resource` of `group`, for an
    /// object named `name` (`None`: any object, as `list` asks).
    pub fn allows(&self, verb: &str, group: &str, resource: &str, name: Option<&str>) -> bool {
        self.verb_matches(verb)
            && self.group_matches(group)
            && self.resource_matches(resource)
            && (self.resource_names.is_empty()
                || name.is_some_and(|n| self.resource_names.contains(&n)))
    }

    /// The pointer of the first item of `field` (`verbs`, `resources`, ...)
    /// that is one of `values`, else of the field, else of the rule.
    pub fn item_pointer(&self, object: &Resource, field: &str, values: &[&str]) -> String {
        let mut p = self.pointer.clone();
        crate::pointer::push(&mut p, field);
        let items = object
            .value
            .pointer(&p)
            .and_then(Value::as_seq)
            .unwrap_or_default();
        match items
            .iter()
            .position(|v| v.as_str().is_some_and(|s| values.contains(&s)))
        {
            Some(i) => {
                crate::pointer::push_index(&mut p, i);
                p
            }
            None if object.value.pointer(&p).is_some() => p,
            None => self.pointer.clone(),
        }
    }
}

/// The rules of a Role or ClusterRole.
pub fn rules_of(role: &Resource) -> Vec<PolicyRule<'_>> {
    role.value
        .get("rules")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.as_map().is_some())
        .map(|(i, r)| PolicyRule::read(r, format!("/rules/{i}")))
        .collect()
}

/// Whether an object is a Role or a ClusterRole.
pub fn is_role(r: &Resource) -> bool {
    matches!(r.kind(), Some("Role" | "ClusterRole"))
}

/// Built-in ClusterRoles a cluster always has that grant everything.
const SUPERUSER_ROLES: &[&str] = &["cluster-admin"];

/// Whether `name` is a built-in ClusterRole that grants every verb on
/// every resource.
pub fn is_superuser_role(name: &str) -> bool {
    SUPERUSER_ROLES.contains(&name)
}

/// One subject of a binding.
pub struct Subject<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    /// `/subjects/<n>`.
    pub pointer: String,
}

/// A RoleBinding or ClusterRoleBinding.
pub struct Binding<'a> {
    pub object: &'a Resource,
    /// `None` for a ClusterRoleBinding.
    pub namespace: Option<&'a str>,
    pub role_kind: &'a str,
    pub role_name: &'a str,
    pub subjects: Vec<Subject<'a>>,
}

impl<'a> Binding<'a> {
    /// Reads a RoleBinding or ClusterRoleBinding (`None` for other kinds).
    pub fn read(index: &Index<'a>, object: &'a Resource) -> Option<Self> {
        let cluster = match object.kind() {
            Some("ClusterRoleBinding") => true,
            Some("RoleBinding") => false,
            _ => return None,
        };
        let role_ref = object.value.get("roleRef");
        let field = |k: &str| role_ref.and_then(|r| r.get(k)).and_then(Value::as_str);
        let subjects = object
            .value
            .get("subjects")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                Some(Subject {
                    kind: s.get("kind")?.as_str()?,
                    name: s.get("name")?.as_str()?,
                    namespace: s
                        .get("namespace")
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty()),
                    pointer: format!("/subjects/{i}"),
                })
            })
            .collect();
        Some(Binding {
            object,
            namespace: if cluster {
                None
            } else {
                index.namespace_of(object)
            },
            role_kind: field("kind").unwrap_or(""),
            role_name: field("name").unwrap_or(""),
            subjects,
        })
    }

    /// Every binding of the set, in input order.
    pub fn all(index: &Index<'a>) -> Vec<Binding<'a>> {
        index
            .of_kind("ClusterRoleBinding")
            .chain(index.of_kind("RoleBinding"))
            .filter_map(|r| Binding::read(index, r))
            .collect()
    }

    /// The Role or ClusterRole it grants, when it is in the set.
    pub fn role(&self, index: &Index<'a>) -> Option<&'a Resource> {
        match self.role_kind {
            "ClusterRole" => index.get("ClusterRole", None, self.role_name),
            "Role" => index.get("Role", self.namespace, self.role_name),
            _ => None,
        }
    }

    /// Whether it grants a built-in superuser ClusterRole that is not in
    /// the set (`cluster-admin`).
    pub fn grants_superuser(&self, index: &Index<'a>) -> bool {
        self.role_kind == "ClusterRole"
            && is_superuser_role(self.role_name)
            && self.role(index).is_none()
    }

    /// Whether it binds `user`.
    pub fn applies_to(&self, user: &User) -> bool {
        self.subjects.iter().any(|s| match s.kind {
            "User" => s.name == user.name,
            "Group" => user.groups.iter().any(|g| g == s.name),
            "ServiceAccount" => {
                // A RoleBinding's namespace stands in for a missing one.
                s.namespace
                    .or(self.namespace)
                    .is_some_and(|ns| user.name == service_account_user(ns, s.name))
            }
            _ => false,
        })
    }

    /// Whether it lets its subjects make `request`.
    pub fn allows(&self, index: &Index<'a>, request: &Request<'_>) -> bool {
        // A RoleBinding grants only inside its own namespace.
        if self.namespace.is_some() && self.namespace != request.namespace {
            return false;
        }
        if self.grants_superuser(index) {
            return true;
        }
        self.role(index).is_some_and(|role| {
            rules_of(role)
                .iter()
                .any(|r| r.allows(request.verb, request.group, request.resource, request.name))
        })
    }
}

/// The user name of a ServiceAccount.
pub fn service_account_user(ns: &str, name: &str) -> String {
    format!("system:serviceaccount:{ns}:{name}")
}

/// What a request asks to do.
pub struct Request<'r> {
    /// `None` for cluster-scoped objects.
    pub namespace: Option<&'r str>,
    pub verb: &'r str,
    pub group: &'r str,
    /// `pods`, or `pods/exec` for a subresource.
    pub resource: &'r str,
    /// `None`: any object, as `list` asks.
    pub name: Option<&'r str>,
}

/// Whom a request comes from.
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    /// The identity of ServiceAccount `name` in `ns`, with the groups the
    /// API server gives every ServiceAccount.
    pub fn service_account(ns: &str, name: &str) -> User {
        User {
            name: service_account_user(ns, name),
            groups: vec![
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{ns}"),
                "system:authenticated".to_owned(),
            ],
        }
    }

    /// Whether one of the bindings of the set lets this user make `request`.
    pub fn may_in<'a>(&self, index: &Index<'a>, request: &Request<'_>) -> bool {
        index
            .bindings()
            .of_user(self)
            .any(|b| b.allows(index, request))
    }

    /// Whether one of `bindings` lets this user make `request`.
    pub fn may<'a>(
        &self,
        index: &Index<'a>,
        bindings: &[Binding<'a>],
        request: &Request<'_>,
    ) -> bool {
        bindings
            .iter()
            .any(|b| b.applies_to(self) && b.allows(index, request))
    }
}

/// Every binding of a set, read once, and which of them name each user and
/// group: rules that ask what a ServiceAccount may do, once per pod, look
/// at its few bindings instead of all of them.
#[derive(Default)]
pub struct Bindings<'a> {
    all: Vec<Binding<'a>>,
    /// Positions in `all` of the bindings with a subject for this user name
    /// (a `User`, or a `ServiceAccount` as `system:serviceaccount:<ns>:<name>`).
    by_user: HashMap<String, Vec<usize>>,
    by_group: HashMap<&'a str, Vec<usize>>,
    /// Positions in `all` of the bindings whose `roleRef` has this kind and name.
    by_role: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> Bindings<'a> {
    pub fn new(index: &Index<'a>) -> Self {
        let all = Binding::all(index);
        let mut by_user: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_group: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut by_role: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        for (i, b) in all.iter().enumerate() {
            by_role
                .entry((b.role_kind, b.role_name))
                .or_default()
                .push(i);
            for s in &b.subjects {
                match s.kind {
                    "User" => by_user.entry(s.name.to_owned()).or_default().push(i),
                    "Group" => by_group.entry(s.name).or_default().push(i),
                    // A RoleBinding's namespace stands in for a missing one.
                    "ServiceAccount" => {
                        if let Some(ns) = s.namespace.or(b.namespace) {
                            let user = service_account_user(ns, s.name);
                            by_user.entry(user).or_default().push(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Bindings {
            all,
            by_user,
            by_group,
            by_role,
        }
    }

    /// Every binding, in input order (as [`Binding::all`]).
    pub fn all(&self) -> &[Binding<'a>] {
        &self.all
    }

    /// The bindings whose `roleRef` names a `kind` (`Role`, `ClusterRole`)
    /// called `name`, in input order; whether each resolves to a given
    /// object is [`Binding::role`]'s to say.
    pub fn of_role<'s>(
        &'s self,
        kind: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Binding<'a>> + 's {
        self.by_role
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .map(|&i| &self.all[i])
    }

    /// The bindings that apply to `user` (those [`Binding::applies_to`]
    /// accepts), in input order.
    pub fn of_user<'s>(&'s self, user: &User) -> impl Iterator<Item = &'s Binding<'a>> + 's {
        let mut ids: Vec<usize> = self
            .by_user
            .get(&user.name)
            .into_iter()
            .chain(
                user.groups
                    .iter()
                    .filter_map(|g| self.by_group.get(g.as_str())),
            )
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|i| &self.all[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Vec<Resource> {
        let (rs, diags) = crate::load::load_text(
            crate::source::FileId(0),
            text,
            &crate::yaml::LoadOptions::default(),
        );
        assert!(diags.is_empty(), "{diags:?}");
        rs
    }

    fn request<'r>(ns: Option<&'r str>, verb: &'r str, resource: &'r str) -> Request<'r> {
        Request {
            namespace: ns,
            verb,
            group: "",
            resource,
            name: None,
        }
    }

    #[test]
    fn resources_match_as_the_authorizer_matches_them() {
        let rs = load(
            "kind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: ['']\n  resources: [pods, '*/exec', 'pods/*']\n  verbs: [get]\n",
        );
        let rules = rules_of(&rs[0]);
        let rule = &rules[0];
        assert!(rule.resource_matches("pods"));
        assert!(rule.resource_matches("pods/exec"));
        // `pods/*` is not a pattern for subresources.
        assert!(!rule.resource_matches("pods/attach"));
        assert!(rule.allows("get", "", "pods", Some("web")));
        assert!(!rule.allows("get", "apps", "pods", None));
        assert_eq!(
            rule.item_pointer(&rs[0], "resources", &["*/exec"]),
            "/rules/0/resources/1"
        );
    }

    #[test]
    fn bindings_grant_service_accounts_their_roles() {
        let rs = load(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
- apiGroups: ['']
  resources: [secrets]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: api}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: 'system:serviceaccounts:ops'}
",
        );
        let index = Index::new(&rs);
        let bindings = Binding::all(&index);
        let api = User::service_account("shop", "api");
        // The RoleBinding's namespace stands in for the subject's.
        assert!(api.may(&index, &bindings, &request(Some("shop"), "get", "secrets")));
        assert!(!api.may(&index, &bindings, &request(Some("other"), "get", "secrets")));
        assert!(!api.may(&index, &bindings, &request(Some("shop"), "list", "secrets")));
        // cluster-admin is built in: every verb everywhere, through a group.
        let ops = User::service_account("ops", "deployer");
        assert!(ops.may(&index, &bindings, &request(None, "delete", "nodes")));
        // The subject index finds exactly the bindings that apply.
        for user in [&api, &ops, &User::service_account("shop", "web")] {
            let indexed: Vec<&str> = index
                .bindings()
                .of_user(user)
                .filter_map(|b| b.object.name())
                .collect();
            let scanned: Vec<&str> = bindings
                .iter()
                .filter(|b| b.applies_to(user))
                .filter_map(|b| b.object.name())
                .collect();
            assert_eq!(indexed, scanned);
        }
        assert!(api.may_in(&index, &request(Some("shop"), "get", "secrets")));
        assert!(!api.may_in(&index, &request(Some("other"), "get", "secrets")));
        assert_eq!(
            index
                .bindings()
                .of_user(&User::service_account("shop", "web"))
                .count(),
            0
        );
    }
}
