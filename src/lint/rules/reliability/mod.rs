//! Reliability: probes, replicas, disruption budgets, autoscalers, update
//! and restart policies, and workload selectors.

mod anti_affinity;
mod duplicate_env;
mod hpa_replicas;
mod hpa_static_replicas;
mod job_ttl;
mod liveness_probe;
mod min_replicas;
mod pdb_blocks_eviction;
mod pdb_eviction_policy;
mod pdb_missing;
mod priority_class;
mod probe_port;
mod probes_identical;
mod readiness_probe;
mod restart_policy;
mod selector_mismatch;
mod topology_spread;
mod update_strategy;

pub use anti_affinity::AntiAffinity;
pub use duplicate_env::DuplicateEnv;
pub use hpa_replicas::HpaReplicas;
pub use hpa_static_replicas::HpaStaticReplicas;
pub use job_ttl::JobTtl;
pub use liveness_probe::LivenessProbe;
pub use min_replicas::MinReplicas;
pub use pdb_blocks_eviction::PdbBlocksEviction;
pub use pdb_eviction_policy::PdbEvictionPolicy;
pub use pdb_missing::PdbMissing;
pub use priority_class::PriorityClass;
pub use probe_port::ProbePort;
pub use probes_identical::ProbesIdentical;
pub use readiness_probe::ReadinessProbe;
pub use restart_policy::RestartPolicy;
pub use selector_mismatch::SelectorMismatch;
pub use topology_spread::TopologySpread;
pub use update_strategy::UpdateStrategy;
