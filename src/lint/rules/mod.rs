//! The rule registry: every rule drydock runs, one file each.
//!
//! # Adding a rule
//!
//! 1. Pick a kebab-case id and a [`Category`](crate::lint::Category). The
//!    file is `src/lint/rules/<category>/<id with _ for ->.rs`, e.g.
//!    `src/lint/rules/resources/memory_limit.rs` for `memory-limit` (the
//!    category directory uses `_` too: `pod_security/`).
//! 2. In it, declare the rule with `declare_rule!` (`crate::lint`).
//!    Its doc comment is the user documentation printed by
//!    `drydock explain <id>`: a one-line summary, then the sections
//!    `## What it checks`, `## Why`, `## Failing example` and
//!    `## Fixed example` (each example a complete ```` ```yaml ```` manifest:
//!    the tests run the rule on both), and `## Parameters` if it has any.
//!    Give `severity:` as in `policy.md`; add `enabled: false,` for an
//!    opt-in rule and `params: [...]` for parameters users may set.
//! 3. Implement [`Rule`] for it, overriding the level it is about:
//!    `check_container` (called for init, sidecar, regular and ephemeral
//!    containers of every kind with a pod spec), `check_pod` (once per pod
//!    spec) or `check_object` (every object; use `cx.index` to look at the
//!    others). Report with `cx.report(pointer, target, message)`: the
//!    pointer of a bad value with `Target::Value`, or of the parent of
//!    something missing with `Target::Key`; add `.help(...)` to say how to
//!    fix it. Never put a Secret's values in a message. `crate::lint::pod`
//!    has the shared views: `Container::resources` (as written, with
//!    pointers), `pod::effective` (after API and LimitRange defaulting, with
//!    `cx.container_defaults()`), `pod::pod_totals` and `pod::qos`.
//! 4. Add `mod <file>;` and `pub use <file>::<Struct>;` to the category's
//!    `mod.rs` (create it, and `pub mod <category>;` below, for a new
//!    category), and one line to [`RULES`].
//! 5. Add `fixtures/lint/<id>/pass.yaml` (nothing for this rule to find) and
//!    `fixtures/lint/<id>/fail.yaml`, then run
//!    `DRYDOCK_UPDATE_SNAPSHOTS=1 cargo test --test lint_rules` to write
//!    `fail.snap`; review it. `cargo test --lib lint` checks the
//!    documentation.

pub mod api;
pub mod images;
pub mod limit_range;
pub mod metadata;
pub mod networking;
pub mod pod_security;
pub mod pod_security_policy;
pub mod rbac;
pub mod references;
pub mod reliability;
pub mod resource_quota;
pub mod resources;
pub mod security;
pub(crate) mod workloads;

use super::Rule;

/// Every rule, grouped by category.
pub const RULES: &[&dyn Rule] = &[
    // resources
    &resources::CpuRequest,
    &resources::CpuLimit,
    &resources::MemoryRequest,
    &resources::MemoryLimit,
    &resources::LimitsBelowRequests,
    &resources::QosClass,
    &resources::HugepagesRequestEqualsLimit,
    &resources::AbsurdQuantity,
    &resources::EphemeralStorage,
    &resources::RequestsEqualLimits,
    &resources::PodResources,
    // pod-security-policy
    &pod_security_policy::PspNoPolicyAdmits,
    &pod_security_policy::PspAdmittedBy,
    &pod_security_policy::PspInvalidPolicy,
    &pod_security_policy::PspUnknownAnnotation,
    &pod_security_policy::PspPermissive,
    // limit-range
    &limit_range::LimitRangeViolation,
    &limit_range::LimitRangePvc,
    &limit_range::LimitRangeConsistency,
    &limit_range::LimitRangeConflictingDefaults,
    &limit_range::LimitRangeDefaultsApplied,
    // security
    &security::PrivilegedContainer,
    &security::HostNetwork,
    &security::HostPid,
    &security::HostIpc,
    &security::HostPort,
    &security::HostPath,
    &security::SensitiveHostMount,
    &security::DockerSocket,
    &security::PrivilegeEscalation,
    &security::RunAsNonRoot,
    &security::RunAsRootUser,
    &security::HighUid,
    &security::ReadOnlyRootFilesystem,
    &security::DropAllCapabilities,
    &security::NetRawCapability,
    &security::DangerousCapabilities,
    &security::SeccompProfile,
    &security::ApparmorProfile,
    &security::SelinuxOptions,
    &security::ProcMount,
    &security::UnsafeSysctls,
    &security::WindowsHostProcess,
    &security::VolumeTypes,
    &security::ProbeHost,
    &security::SecurityContextMissing,
    &security::AutomountServiceAccountToken,
    &security::DefaultServiceAccount,
    &security::SecretEnvRef,
    &security::SecretInEnv,
    &security::SensitiveConfigmap,
    &security::SecretInAnnotation,
    &security::BidirectionalPropagation,
    // pod-security
    &pod_security::PodSecurityAdmission,
    // resource-quota
    &resource_quota::QuotaExceeded,
    &resource_quota::QuotaMissingRequest,
    &resource_quota::QuotaUnknownResource,
    // rbac
    &rbac::ClusterAdminBinding,
    &rbac::WildcardRules,
    &rbac::ExecAttach,
    &rbac::ReadSecrets,
    &rbac::CreatePods,
    &rbac::EscalationVerbs,
    &rbac::RbacUnknownResource,
    // references
    &references::MissingConfigmap,
    &references::MissingSecret,
    &references::MissingPvc,
    &references::MissingServiceAccount,
    &references::MissingRole,
    &references::DeprecatedSaField,
    &references::MissingPriorityClass,
    &references::MissingStorageClass,
    &references::ServiceSelectsNothing,
    &references::ServiceTargetPort,
    &references::IngressBackend,
    &references::HpaTarget,
    &references::PdbSelectsNothing,
    &references::StatefulsetService,
    &references::UnusedConfigmapKey,
    // reliability
    &reliability::LivenessProbe,
    &reliability::ReadinessProbe,
    &reliability::ProbesIdentical,
    &reliability::ProbePort,
    &reliability::MinReplicas,
    &reliability::AntiAffinity,
    &reliability::TopologySpread,
    &reliability::PdbMissing,
    &reliability::PdbBlocksEviction,
    &reliability::PdbEvictionPolicy,
    &reliability::HpaReplicas,
    &reliability::HpaStaticReplicas,
    &reliability::RestartPolicy,
    &reliability::JobTtl,
    &reliability::UpdateStrategy,
    &reliability::PriorityClass,
    &reliability::SelectorMismatch,
    &reliability::DuplicateEnv,
    // networking
    &networking::PodNotIsolated,
    &networking::PolicySelectsNothing,
    &networking::PeerSelectsNothing,
    &networking::UnknownNamedPort,
    &networking::EgressDnsBlocked,
    &networking::MissingPolicyTypes,
    &networking::PeerAndVsOr,
    &networking::IngressTls,
    &networking::NginxRewrites,
    &networking::ServiceType,
    &networking::SensitivePorts,
    &networking::NodeportRange,
    &networking::ClusterIpRange,
    &networking::DuplicatePort,
    // images
    &images::LatestTag,
    &images::PullPolicy,
    &images::ImageDigest,
    &images::RegistryTypo,
    &images::PrivateRegistryCredentials,
    // api
    &api::DeprecatedComponentFlags,
    // metadata
    &metadata::ObsoleteAnnotations,
    &metadata::DefaultNamespace,
    &metadata::RequiredLabels,
    &metadata::ServerPopulatedFields,
];
