//! API versions Kubernetes stopped serving, and the ones due to go.
//!
//! One row per apiVersion/kind: the release that no longer serves it, what to use
//! instead, and from which release that replacement is served (from then on the old
//! one counts as deprecated). Removals from v1.21 on match the bundled schemas (a
//! test compares them); earlier ones follow the Kubernetes deprecation guide.

use std::fmt;

use super::Version;

/// A Kubernetes release `1.<minor>`, bundled or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release(pub u16);

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

impl From<Version> for Release {
    fn from(v: Version) -> Self {
        Release(v.minor())
    }
}

/// An apiVersion/kind that is removed at, or deprecated for, some release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// The first release that no longer serves it.
    pub removed_in: Release,
    /// The first release that serves the replacement (or, without one, that
    /// announced the removal); from here on the old apiVersion is deprecated.
    pub deprecated_in: Release,
    /// The apiVersion to use instead (same kind); `None` when nothing replaces it.
    pub replacement: Option<&'static str>,
}

const fn row(
    api_version: &'static str,
    kinds: &'static [&'static str],
    deprecated_in: u16,
    removed_in: u16,
    replacement: Option<&'static str>,
) -> Row {
    Row {
        api_version,
        kinds,
        deprecated_in: Release(deprecated_in),
        removed_in: Release(removed_in),
        replacement,
    }
}

struct Row {
    api_version: &'static str,
    kinds: &'static [&'static str],
    deprecated_in: Release,
    removed_in: Release,
    replacement: Option<&'static str>,
}

const APPS_V1: Option<&str> = Some("apps/v1");
const RBAC_V1: Option<&str> = Some("rbac.authorization.k8s.io/v1");
const STORAGE_V1: Option<&str> = Some("storage.k8s.io/v1");
const FLOW_V1BETA3: Option<&str> = Some("flowcontrol.apiserver.k8s.io/v1beta3");
const FLOW_V1: Option<&str> = Some("flowcontrol.apiserver.k8s.io/v1");
const RBAC_KINDS: &[&str] = &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
const FLOW_KINDS: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];
const VAP_KINDS: &[&str] = &[
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
];

#[rustfmt::skip]
static TABLE: &[Row] = &[
    // v1.16 (deprecation guide; before the bundled range)
    row("extensions/v1beta1", &["DaemonSet", "Deployment", "ReplicaSet"], 9, 16, APPS_V1),
    row("apps/v1beta1", &["Deployment", "ReplicaSet", "StatefulSet"], 9, 16, APPS_V1),
    row("apps/v1beta2", &["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"], 9, 16, APPS_V1),
    row("extensions/v1beta1", &["NetworkPolicy"], 8, 16, Some("networking.k8s.io/v1")),
    row("extensions/v1beta1", &["PodSecurityPolicy"], 10, 16, Some("policy/v1beta1")),
    // v1.21
    row("batch/v2alpha1", &["CronJob"], 21, 21, Some("batch/v1")),
    row("flowcontrol.apiserver.k8s.io/v1alpha1", FLOW_KINDS, 20, 21, Some("flowcontrol.apiserver.k8s.io/v1beta1")),
    // v1.22
    row("admissionregistration.k8s.io/v1beta1", &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], 16, 22, Some("admissionregistration.k8s.io/v1")),
    row("apiextensions.k8s.io/v1beta1", &["CustomResourceDefinition"], 16, 22, Some("apiextensions.k8s.io/v1")),
    row("apiregistration.k8s.io/v1beta1", &["APIService"], 10, 22, Some("apiregistration.k8s.io/v1")),
    row("authentication.k8s.io/v1beta1", &["TokenReview"], 6, 22, Some("authentication.k8s.io/v1")),
    row("authorization.k8s.io/v1beta1", &["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"], 6, 22, Some("authorization.k8s.io/v1")),
    row("certificates.k8s.io/v1beta1", &["CertificateSigningRequest"], 19, 22, Some("certificates.k8s.io/v1")),
    row("coordination.k8s.io/v1beta1", &["Lease"], 14, 22, Some("coordination.k8s.io/v1")),
    row("extensions/v1beta1", &["Ingress"], 19, 22, Some("networking.k8s.io/v1")),
    row("networking.k8s.io/v1beta1", &["Ingress", "IngressClass"], 19, 22, Some("networking.k8s.io/v1")),
    row("rbac.authorization.k8s.io/v1beta1", RBAC_KINDS, 8, 22, RBAC_V1),
    row("scheduling.k8s.io/v1beta1", &["PriorityClass"], 14, 22, Some("scheduling.k8s.io/v1")),
    row("storage.k8s.io/v1beta1", &["CSIDriver"], 18, 22, STORAGE_V1),
    row("storage.k8s.io/v1beta1", &["CSINode"], 17, 22, STORAGE_V1),
    row("storage.k8s.io/v1beta1", &["StorageClass"], 6, 22, STORAGE_V1),
    row("storage.k8s.io/v1beta1", &["VolumeAttachment"], 13, 22, STORAGE_V1),
    // v1.23
    row("rbac.authorization.k8s.io/v1alpha1", RBAC_KINDS, 8, 23, RBAC_V1),
    row("scheduling.k8s.io/v1alpha1", &["PriorityClass"], 14, 23, Some("scheduling.k8s.io/v1")),
    row("storage.k8s.io/v1alpha1", &["VolumeAttachment"], 13, 23, STORAGE_V1),
    // v1.24
    row("node.k8s.io/v1alpha1", &["RuntimeClass"], 20, 24, Some("node.k8s.io/v1")),
    row("storage.k8s.io/v1alpha1", &["CSIStorageCapacity"], 24, 24, STORAGE_V1),
    // v1.25
    row("autoscaling/v2beta1", &["HorizontalPodAutoscaler"], 23, 25, Some("autoscaling/v2")),
    row("batch/v1beta1", &["CronJob"], 21, 25, Some("batch/v1")),
    row("discovery.k8s.io/v1beta1", &["EndpointSlice"], 21, 25, Some("discovery.k8s.io/v1")),
    row("events.k8s.io/v1beta1", &["Event"], 19, 25, Some("events.k8s.io/v1")),
    row("node.k8s.io/v1beta1", &["RuntimeClass"], 20, 25, Some("node.k8s.io/v1")),
    row("policy/v1beta1", &["PodDisruptionBudget"], 21, 25, Some("policy/v1")),
    // Replaced by Pod Security Admission (namespace labels), not by another kind.
    row("policy/v1beta1", &["PodSecurityPolicy"], 21, 25, None),
    // v1.26
    row("autoscaling/v2beta2", &["HorizontalPodAutoscaler"], 23, 26, Some("autoscaling/v2")),
    row("flowcontrol.apiserver.k8s.io/v1beta1", FLOW_KINDS, 26, 26, FLOW_V1BETA3),
    // v1.27
    row("storage.k8s.io/v1beta1", &["CSIStorageCapacity"], 24, 27, STORAGE_V1),
    row("resource.k8s.io/v1alpha1", &["ResourceClaim", "ResourceClaimTemplate", "ResourceClass"], 27, 27, Some("resource.k8s.io/v1alpha2")),
    // Renamed to PodSchedulingContext.
    row("resource.k8s.io/v1alpha1", &["PodScheduling"], 27, 27, None),
    // v1.29
    row("flowcontrol.apiserver.k8s.io/v1beta2", FLOW_KINDS, 26, 29, FLOW_V1BETA3),
    row("networking.k8s.io/v1alpha1", &["ClusterCIDR"], 29, 29, None),
    // v1.31
    row("networking.k8s.io/v1alpha1", &["IPAddress", "ServiceCIDR"], 31, 31, Some("networking.k8s.io/v1beta1")),
    row("resource.k8s.io/v1alpha2", &["ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"], 31, 31, Some("resource.k8s.io/v1alpha3")),
    row("resource.k8s.io/v1alpha2", &["PodSchedulingContext"], 31, 31, Some("resource.k8s.io/v1alpha3")),
    row("resource.k8s.io/v1alpha2", &["ResourceClaimParameters", "ResourceClass", "ResourceClassParameters"], 31, 31, None),
    // v1.32
    row("flowcontrol.apiserver.k8s.io/v1beta3", FLOW_KINDS, 29, 32, FLOW_V1),
    row("admissionregistration.k8s.io/v1alpha1", VAP_KINDS, 30, 32, Some("admissionregistration.k8s.io/v1")),
    row("authentication.k8s.io/v1alpha1", &["SelfSubjectReview"], 28, 32, Some("authentication.k8s.io/v1")),
    row("coordination.k8s.io/v1alpha1", &["LeaseCandidate"], 32, 32, Some("coordination.k8s.io/v1alpha2")),
    row("resource.k8s.io/v1alpha3", &["PodSchedulingContext"], 32, 32, None),
    // v1.33
    row("authentication.k8s.io/v1beta1", &["SelfSubjectReview"], 28, 33, Some("authentication.k8s.io/v1")),
    // v1.34
    row("admissionregistration.k8s.io/v1beta1", VAP_KINDS, 30, 34, Some("admissionregistration.k8s.io/v1")),
    row("resource.k8s.io/v1alpha3", &["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"], 34, 34, Some("resource.k8s.io/v1")),
    // v1.35
    row("certificates.k8s.io/v1alpha1", &["PodCertificateRequest"], 35, 35, Some("certificates.k8s.io/v1beta1")),
    row("storage.k8s.io/v1alpha1", &["VolumeAttributesClass"], 34, 35, STORAGE_V1),
    row("storagemigration.k8s.io/v1alpha1", &["StorageVersionMigration"], 35, 35, Some("storagemigration.k8s.io/v1beta1")),
    // v1.36
    row("scheduling.k8s.io/v1alpha1", &["Workload"], 36, 36, Some("scheduling.k8s.io/v1alpha2")),
    // v1.37
    row("certificates.k8s.io/v1alpha1", &["ClusterTrustBundle"], 33, 37, Some("certificates.k8s.io/v1beta1")),
    row("networking.k8s.io/v1beta1", &["IPAddress", "ServiceCIDR"], 33, 37, Some("networking.k8s.io/v1")),
    row("storage.k8s.io/v1beta1", &["VolumeAttributesClass"], 34, 37, STORAGE_V1),
    row("scheduling.k8s.io/v1alpha2", &["PodGroup", "Workload"], 37, 37, None),
];

fn find(api_version: &str, kind: &str) -> Option<&'static Row> {
    TABLE
        .iter()
        .find(|r| r.api_version == api_version && r.kinds.contains(&kind))
}

fn removal(r: &'static Row, kind: &str, at: Release) -> Removal {
    // Follow a replacement that is itself gone by `at` (flowcontrol v1beta1 -> v1beta3 -> v1).
    let mut replacement = r.replacement;
    let mut hops = 0;
    while let Some(next) = replacement.and_then(|api| find(api, kind)) {
        if next.removed_in > at || hops == TABLE.len() {
            break;
        }
        replacement = next.replacement;
        hops += 1;
    }
    let kind = r.kinds.iter().copied().find(|k| *k == kind).unwrap_or("");
    Removal {
        api_version: r.api_version,
        kind,
        removed_in: r.removed_in,
        deprecated_in: r.deprecated_in,
        replacement,
    }
}

/// The removal of `api_version`/`kind` if `version` no longer serves it.
pub fn removed(api_version: &str, kind: &str, version: impl Into<Release>) -> Option<Removal> {
    let at = version.into();
    let r = find(api_version, kind)?;
    (r.removed_in <= at).then(|| removal(r, kind, at))
}

/// The coming removal of `api_version`/`kind` if `version` still serves it but also
/// serves its replacement (or the removal is announced).
pub fn deprecated(api_version: &str, kind: &str, version: impl Into<Release>) -> Option<Removal> {
    let at = version.into();
    let r = find(api_version, kind)?;
    (r.deprecated_in <= at && at < r.removed_in).then(|| removal(r, kind, at))
}

/// Every row of the table as (apiVersion, kind, removal at the removal release).
pub fn all() -> impl Iterator<Item = Removal> {
    TABLE
        .iter()
        .flat_map(|r| r.kinds.iter().map(move |k| removal(r, k, r.removed_in)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, VERSIONS};
    use std::collections::BTreeSet;

    #[test]
    fn pre_bundle_removals() {
        let r = removed("extensions/v1beta1", "Deployment", Release(30)).expect("removed");
        assert_eq!(r.replacement, Some("apps/v1"));
        assert_eq!(r.removed_in, Release(16));
        assert_eq!(r.removed_in.to_string(), "1.16");
        assert_eq!(r.kind, "Deployment");
        let r = removed("apps/v1beta2", "StatefulSet", Release(16)).expect("removed");
        assert_eq!(r.replacement, Some("apps/v1"));
        assert_eq!(removed("apps/v1beta2", "StatefulSet", Release(15)), None);
        // Not every kind of a removed group/version is listed.
        assert_eq!(removed("extensions/v1beta1", "Pod", Release(30)), None);
        assert_eq!(removed("apps/v1", "Deployment", Release(37)), None);
    }

    #[test]
    fn pod_security_policy() {
        let v24 = schema::select("1.24").expect("bundled").version;
        let v25 = schema::select("1.25").expect("bundled").version;
        assert_eq!(removed("policy/v1beta1", "PodSecurityPolicy", v24), None);
        let d = deprecated("policy/v1beta1", "PodSecurityPolicy", v24).expect("deprecated");
        assert_eq!(d.removed_in, Release(25));
        assert_eq!(d.replacement, None);
        let r = removed("policy/v1beta1", "PodSecurityPolicy", v25).expect("removed");
        assert_eq!(r.removed_in, Release(25));
        assert_eq!(r.replacement, None);
        assert_eq!(deprecated("policy/v1beta1", "PodSecurityPolicy", v25), None);
        assert_eq!(
            deprecated("policy/v1beta1", "PodSecurityPolicy", Release(20)),
            None
        );
    }

    #[test]
    fn deprecation_window_starts_with_the_replacement() {
        assert_eq!(deprecated("batch/v1beta1", "CronJob", Release(20)), None);
        let d = deprecated("batch/v1beta1", "CronJob", Release(21)).expect("deprecated");
        assert_eq!(d.replacement, Some("batch/v1"));
        assert_eq!(d.deprecated_in, Release(21));
        assert_eq!(d.removed_in, Release(25));
    }

    #[test]
    fn replacement_chains_are_followed() {
        let at26 = removed(
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "FlowSchema",
            Release(26),
        );
        assert_eq!(
            at26.map(|r| r.replacement),
            Some(Some("flowcontrol.apiserver.k8s.io/v1beta3"))
        );
        // By 1.33 v1beta3 is gone as well; the answer is what 1.33 serves.
        let at33 = removed(
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "FlowSchema",
            Release(33),
        );
        assert_eq!(
            at33.map(|r| r.replacement),
            Some(Some("flowcontrol.apiserver.k8s.io/v1"))
        );
    }

    fn served(minor: &str) -> BTreeSet<String> {
        let v = schema::select(minor).expect("bundled").version;
        schema::schemas(v)
            .refs()
            .iter()
            .map(|r| format!("{}/{}", r.api_version, r.kind))
            .collect()
    }

    /// Kinds that are no resources of their own (watch/delete envelopes, subresources).
    fn incidental(key: &str) -> bool {
        [
            "/DeleteOptions",
            "/WatchEvent",
            "/Status",
            "/Eviction",
            "/EphemeralContainers",
        ]
        .iter()
        .any(|s| key.ends_with(s))
            || key.ends_with("List")
    }

    #[test]
    fn table_matches_the_bundle() {
        let sets: Vec<BTreeSet<String>> = VERSIONS.iter().map(|v| served(v)).collect();
        let oldest = VERSIONS.first().and_then(|v| v[2..].parse::<u16>().ok());
        let oldest = oldest.expect("numeric minor");
        let at = |minor: u16| &sets[usize::from(minor - oldest)];

        // Every kind that disappears between consecutive bundled versions is listed.
        for (i, pair) in sets.windows(2).enumerate() {
            let minor = oldest + 1 + u16::try_from(i).expect("small");
            for gone in pair[0].difference(&pair[1]).filter(|k| !incidental(k)) {
                let (api, kind) = gone.rsplit_once('/').expect("apiVersion/kind");
                let r = removed(api, kind, Release(minor));
                assert_eq!(
                    r.map(|r| r.removed_in),
                    Some(Release(minor)),
                    "{gone} disappears in 1.{minor}"
                );
            }
        }
        // Every listed removal inside the bundled range is real, and its replacement
        // (if any) is served when the old one goes.
        for r in all() {
            let key = format!("{}/{}", r.api_version, r.kind);
            let Release(minor) = r.removed_in;
            if minor > oldest {
                assert!(
                    at(minor - 1).contains(&key),
                    "{key} served before 1.{minor}"
                );
                assert!(!at(minor).contains(&key), "{key} gone in 1.{minor}");
            } else {
                assert!(!at(oldest).contains(&key), "{key} gone before the bundle");
            }
            if let Some(api) = r.replacement {
                if minor >= oldest {
                    let new = format!("{api}/{}", r.kind);
                    assert!(at(minor).contains(&new), "{new} served in 1.{minor}");
                }
            }
            let Release(dep) = r.deprecated_in;
            assert!(dep <= minor, "{key}: deprecated after removal");
            if let (Some(api), true) = (r.replacement, dep >= oldest && dep < minor) {
                let new = format!("{api}/{}", r.kind);
                assert!(at(dep).contains(&new), "{new} served from 1.{dep}");
            }
        }
    }
}
