use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_builtin, is_known};
use crate::lint::{Cx, Rule, declare_rule};
use crate::render::resid::Gvk;
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// The Role or ClusterRole a binding grants should be defined.
    ///
    /// ## What it checks
    ///
    /// The `roleRef` of every RoleBinding and ClusterRoleBinding: a `Role`
    /// must be defined in the binding's namespace among the checked objects,
    /// a `ClusterRole` among the checked objects; roles the API server
    /// creates itself (`cluster-admin`, `admin`, `edit`, `view`, the
    /// `system:` roles and `extension-apiserver-authentication-reader`) are
    /// never reported. Roles created outside these manifests can be listed
    /// in the `known` parameter.
    ///
    /// ## Why
    ///
    /// The API server accepts a binding to a role that does not exist; it
    /// grants nothing, and the subjects fail with `forbidden` errors that
    /// point at the missing permission, not at the binding. A Role in
    /// another namespace, or a Role where a ClusterRole was meant, looks
    /// the same.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): roles that exist in the cluster, as `name`
    ///   (ClusterRoles, or Roles of any namespace) or `namespace/name`.
    ///
    /// ```yaml
    /// rules:
    ///   missing-role: {known: [monitoring/prometheus-reader]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: read-pods
    /// subjects:
    /// - kind: User
    ///   name: jane
    ///   apiGroup: rbac.authorization.k8s.io
    /// roleRef:
    ///   kind: Role
    ///   name: pod-reader
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: pod-reader
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [pods]
    ///   verbs: [get, watch, list]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: read-pods
    /// subjects:
    /// - kind: User
    ///   name: jane
    ///   apiGroup: rbac.authorization.k8s.io
    /// roleRef:
    ///   kind: Role
    ///   name: pod-reader
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    pub struct MissingRole {
        id: "missing-role",
        category: References,
        severity: Warning,
        params: [super::KNOWN],
    }
}

impl Rule for MissingRole {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        // By kind alone: a misspelt RBAC group is validation's finding, and
        // the reference is still worth checking.
        let gvk = Gvk::of(&r.value);
        if !matches!(gvk.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            return;
        }
        let role_ref = r.value.get("roleRef");
        let get = |k: &str| role_ref.and_then(|v| v.get(k)).and_then(Value::as_str);
        let (Some(kind), Some(name)) = (get("kind"), get("name").filter(|n| !n.is_empty())) else {
            return;
        };
        let ns = cx.namespace();
        let (index, params) = (cx.index, cx.params);
        let known = params.strings("known");
        let (scope, found) = match kind {
            "Role" => {
                let Some(ns) = ns else {
                    return;
                };
                (
                    format!(" in namespace \"{ns}\""),
                    is_builtin("Role", name)
                        || index.get("Role", Some(ns), name).is_some()
                        || is_known(known, Some(ns), name),
                )
            }
            "ClusterRole" => (
                String::new(),
                is_builtin("ClusterRole", name)
                    || index.get("ClusterRole", None, name).is_some()
                    || is_known(known, None, name),
            ),
            _ => return,
        };
        if found {
            return;
        }
        let binding = format!("{} \"{}\"", gvk.kind, r.name().unwrap_or(""));
        let help = if kind == "Role" && index.get("ClusterRole", None, name).is_some() {
            format!("a ClusterRole \"{name}\" is defined: set `roleRef.kind: ClusterRole`")
        } else if let Some(other) = index
            .of_kind(kind)
            .find(|o| o.name() == Some(name))
            .and_then(|o| index.namespace_of(o))
        {
            format!(
                "Role \"{name}\" is defined in namespace \"{other}\", but a RoleBinding can only grant a Role of its own namespace"
            )
        } else {
            let names: Vec<&str> = match (kind, ns) {
                ("Role", Some(ns)) => index
                    .of_kind_in("Role", ns)
                    .filter_map(Resource::name)
                    .collect(),
                _ => index
                    .of_kind("ClusterRole")
                    .filter_map(Resource::name)
                    .collect(),
            };
            match crate::lint::rules::workloads::close_name(name, names.iter().copied()) {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => format!(
                    "define the {kind} or fix the name; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter"
                ),
            }
        };
        cx.report(
            "/roleRef/name",
            Target::Value,
            format!(
                "{binding} grants {kind} \"{name}\", which is not defined{scope}: the binding grants nothing until it exists"
            ),
        )
        .help(help);
    }
}
