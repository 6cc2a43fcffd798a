//! Resource identity as kustomize sees it: group, version, kind, name and
//! namespace, printed as `Kind.version.group/name.namespace`.

use std::fmt;

use crate::yaml::{Str, Value};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: Str,
    pub version: Str,
    pub kind: Str,
}

impl Gvk {
    /// Splits an apiVersion at its first `/` (no slash: the core group).
    pub fn new(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    pub fn of(value: &Value) -> Gvk {
        let s = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or("");
        Gvk::new(s("apiVersion"), s("kind"))
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether this GVK is selected by `sel`, whose empty fields match anything.
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// Cluster-scoped per kustomize v5.5.0's table, which follows the
    /// Kubernetes 1.21 schema; kinds it does not know are namespaced.
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.version, &self.kind)
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_owned()
            } else {
                s.to_owned()
            }
        };
        write!(
            f,
            "{}.{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]")
        )
    }
}

/// `(group, kind, versions)` of the cluster-scoped kinds of kustomize's table.
const CLUSTER_SCOPED: &[(&str, &str, &[&str])] = &[
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        &["v1", "v1beta1"],
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        &["v1", "v1beta1"],
    ),
    (
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        &["v1", "v1beta1"],
    ),
    ("apiregistration.k8s.io", "APIService", &["v1", "v1beta1"]),
    (
        "certificates.k8s.io",
        "CertificateSigningRequest",
        &["v1", "v1beta1"],
    ),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema", &["v1beta1"]),
    (
        "flowcontrol.apiserver.k8s.io",
        "PriorityLevelConfiguration",
        &["v1beta1"],
    ),
    ("networking.k8s.io", "IngressClass", &["v1", "v1beta1"]),
    ("node.k8s.io", "RuntimeClass", &["v1", "v1beta1"]),
    ("policy", "PodSecurityPolicy", &["v1beta1"]),
    (
        "rbac.authorization.k8s.io",
        "ClusterRole",
        &["v1", "v1beta1"],
    ),
    (
        "rbac.authorization.k8s.io",
        "ClusterRoleBinding",
        &["v1", "v1beta1"],
    ),
    ("scheduling.k8s.io", "PriorityClass", &["v1", "v1beta1"]),
    ("storage.k8s.io", "CSIDriver", &["v1", "v1beta1"]),
    ("storage.k8s.io", "CSINode", &["v1", "v1beta1"]),
    ("storage.k8s.io", "StorageClass", &["v1", "v1beta1"]),
    ("storage.k8s.io", "VolumeAttachment", &["v1", "v1beta1"]),
    ("", "ComponentStatus", &["v1"]),
    ("", "Namespace", &["v1"]),
    ("", "Node", &["v1"]),
    ("", "NodeProxyOptions", &["v1"]),
    ("", "PersistentVolume", &["v1"]),
];

/// Whether kustomize's table lists this kind as cluster-scoped (see [`Gvk::is_cluster_scoped`]).
pub(crate) fn is_cluster_scoped(group: &str, version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(g, k, vs)| *g == group && *k == kind && vs.contains(&version))
}

/// The namespace used for identity comparisons.
pub const DEFAULT_NAMESPACE: &str = "default";
/// kustomize's stand-in namespace for cluster-scoped resources.
pub const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: Str,
    pub namespace: Str,
}

impl ResId {
    pub fn new(gvk: Gvk, name: &str, namespace: &str) -> ResId {
        ResId {
            gvk,
            name: name.into(),
            namespace: namespace.into(),
        }
    }

    pub fn is_cluster_scoped(&self) -> bool {
        self.gvk.is_cluster_scoped()
    }

    /// Empty and `default` are the same namespace; cluster-scoped kinds have none.
    pub fn effective_namespace(&self) -> &str {
        if self.is_cluster_scoped() {
            NOT_A_NAMESPACE
        } else if self.namespace.is_empty() || self.namespace == DEFAULT_NAMESPACE {
            DEFAULT_NAMESPACE
        } else {
            &self.namespace
        }
    }

    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// kustomize's `ResId.Equals`: same GVK, name and effective namespace.
    pub fn equals(&self, other: &ResId) -> bool {
        self.name == other.name && self.gvk == other.gvk && self.ns_equals(other)
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "[noName]"
        } else {
            &self.name
        };
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        write!(f, "{}/{}.{}", self.gvk, name, ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_like_kustomize() {
        let id = ResId::new(Gvk::new("v1", "ConfigMap"), "a", "");
        assert_eq!(id.to_string(), "ConfigMap.v1.[noGrp]/a.[noNs]");
        let id = ResId::new(Gvk::new("apps/v1", "Deployment"), "banana", "x");
        assert_eq!(id.to_string(), "Deployment.v1.apps/banana.x");
    }

    #[test]
    fn scope_and_namespaces() {
        assert!(Gvk::new("v1", "Namespace").is_cluster_scoped());
        assert!(Gvk::new("rbac.authorization.k8s.io/v1", "ClusterRole").is_cluster_scoped());
        assert!(
            !Gvk::new(
                "admissionregistration.k8s.io/v1",
                "ValidatingAdmissionPolicy"
            )
            .is_cluster_scoped()
        );
        assert!(!Gvk::new("example.com/v1", "Thing").is_cluster_scoped());
        let a = ResId::new(Gvk::new("v1", "ConfigMap"), "a", "");
        let b = ResId::new(Gvk::new("v1", "ConfigMap"), "a", "default");
        assert!(a.equals(&b));
        let c = ResId::new(Gvk::new("v1", "Namespace"), "n", "x");
        assert_eq!(c.effective_namespace(), NOT_A_NAMESPACE);
    }
}
