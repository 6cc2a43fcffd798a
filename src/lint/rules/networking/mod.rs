//! Networking: NetworkPolicy coverage and semantics, Service exposure and
//! ports.

mod cluster_ip_range;
mod duplicate_port;
mod egress_dns_blocked;
mod ingress_tls;
mod missing_policy_types;
mod nginx_rewrites;
mod nodeport_range;
mod peer_and_vs_or;
mod peer_selects_nothing;
mod pod_not_isolated;
mod policy_selects_nothing;
mod sensitive_ports;
mod service_type;
mod unknown_named_port;

pub use cluster_ip_range::ClusterIpRange;
pub use duplicate_port::DuplicatePort;
pub use egress_dns_blocked::EgressDnsBlocked;
pub use ingress_tls::IngressTls;
pub use missing_policy_types::MissingPolicyTypes;
pub use nginx_rewrites::NginxRewrites;
pub use nodeport_range::NodeportRange;
pub use peer_and_vs_or::PeerAndVsOr;
pub use peer_selects_nothing::PeerSelectsNothing;
pub use pod_not_isolated::PodNotIsolated;
pub use policy_selects_nothing::PolicySelectsNothing;
pub use sensitive_ports::SensitivePorts;
pub use service_type::ServiceType;
pub use unknown_named_port::UnknownNamedPort;

use crate::lint::rules::workloads::is_kind;
use crate::lint::{Index, LabelSelector, PodSpec};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

/// Which directions a NetworkPolicy isolates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Directions {
    ingress: bool,
    egress: bool,
    /// Whether `policyTypes` is written (otherwise it is defaulted).
    written: bool,
}

/// The policy types as the API server defaults them: `Ingress` always,
/// `Egress` when the policy has an `egress` section.
fn directions(np: &Resource) -> Directions {
    let spec = np.value.get("spec");
    match spec
        .and_then(|s| s.get("policyTypes"))
        .and_then(Value::as_seq)
    {
        Some(types) => {
            let has = |t: &str| types.iter().any(|v| v.as_str() == Some(t));
            Directions {
                ingress: has("Ingress"),
                egress: has("Egress"),
                written: true,
            }
        }
        None => Directions {
            ingress: true,
            egress: spec
                .and_then(|s| s.get("egress"))
                .is_some_and(|e| !e.is_null()),
            written: false,
        },
    }
}

/// A NetworkPolicy's `podSelector` (an omitted one selects every pod).
fn pod_selector(np: &Resource) -> LabelSelector<'_> {
    np.value
        .pointer("/spec/podSelector")
        .and_then(|v| LabelSelector::from_selector(v).ok())
        .unwrap_or_default()
}

/// The NetworkPolicies of namespace `ns`.
fn policies<'a, 's>(index: &'s Index<'a>, ns: &'s str) -> impl Iterator<Item = &'a Resource> + 's {
    index
        .of_kind_in("NetworkPolicy", ns)
        .filter(|r| is_kind(r, "NetworkPolicy"))
}

/// Whether the policy selects the pods of `pod` (which must be in its namespace).
fn selects(np: &Resource, pod: &PodSpec<'_>) -> bool {
    pod_selector(np).matches(pod.labels())
}

/// The pods the policy applies to: Pods and pod templates of its namespace
/// that its `podSelector` matches, except host-network pods, which
/// NetworkPolicies do not cover.
fn selected_pods<'a>(index: &Index<'a>, np: &'a Resource) -> Vec<PodSpec<'a>> {
    let Some(ns) = index.namespace_of(np) else {
        return Vec::new();
    };
    index
        .pods_in(ns)
        .filter_map(PodSpec::of)
        .filter(|p| !host_network(p) && selects(np, p))
        .collect()
}

fn host_network(pod: &PodSpec<'_>) -> bool {
    pod.get("hostNetwork").and_then(Value::as_bool) == Some(true)
}

/// One peer of an ingress `from` or egress `to` list.
struct Peer<'a> {
    value: &'a Value,
    /// Pointer of the peer within the object.
    pointer: String,
    /// Pointer of the rule's peer list.
    list: String,
    /// `ingress` or `egress`.
    direction: &'static str,
}

/// Every peer of every rule of a policy.
fn peers(np: &Resource) -> Vec<Peer<'_>> {
    let mut out = Vec::new();
    for (direction, key) in [("ingress", "from"), ("egress", "to")] {
        let rules = np
            .value
            .pointer(&format!("/spec/{direction}"))
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            let list = format!("/spec/{direction}/{i}/{key}");
            let items = rule.get(key).and_then(Value::as_seq).unwrap_or_default();
            for (j, value) in items.iter().enumerate() {
                out.push(Peer {
                    value,
                    pointer: format!("{list}/{j}"),
                    list: list.clone(),
                    direction,
                });
            }
        }
    }
    out
}

/// Namespaces that exist in every cluster.
const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// The Namespace objects of the set (and the namespaces every cluster has),
/// each with its labels plus the `kubernetes.io/metadata.name` label the API
/// server adds.
fn namespace_labels(index: &Index<'_>) -> Vec<(String, Map)> {
    let mut out: Vec<(String, Map)> = Vec::new();
    for ns in index.of_kind("Namespace") {
        let Some(name) = ns.name() else {
            continue;
        };
        let mut labels = ns
            .value
            .pointer("/metadata/labels")
            .and_then(Value::as_map)
            .cloned()
            .unwrap_or_default();
        labels.insert("kubernetes.io/metadata.name", Value::from(name));
        out.push((name.to_owned(), labels));
    }
    for name in SYSTEM_NAMESPACES {
        if out.iter().all(|(n, _)| n != name) {
            let mut labels = Map::new();
            labels.insert("kubernetes.io/metadata.name", Value::from(*name));
            out.push(((*name).to_owned(), labels));
        }
    }
    out
}
