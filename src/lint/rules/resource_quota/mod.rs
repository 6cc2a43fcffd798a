//! ResourceQuota: what every namespace's objects use of its quotas, summed
//! over all replicas, as the quota admission plugin would count it.

mod quota_exceeded;
mod quota_missing_request;
mod quota_unknown_resource;

pub use quota_exceeded::QuotaExceeded;
pub use quota_missing_request::QuotaMissingRequest;
pub use quota_unknown_resource::QuotaUnknownResource;

use std::collections::{BTreeMap, HashMap};

use crate::lint::Index;
use crate::lint::pod::{self, ContainerDefaults, PodSpec, QosClass, Role};
use crate::resource::Resource;
use crate::resource::quantity::{Format, Quantity};
use crate::yaml::Value;

/// One ResourceQuota: its `hard` limits and the scopes it applies to.
pub(crate) struct Quota<'a> {
    pub object: &'a Resource,
    pub name: &'a str,
    /// `spec.hard`, by resource name, with the pointer of each value.
    pub hard: BTreeMap<&'a str, (Quantity, String)>,
    scopes: Vec<Scope<'a>>,
}

/// One scope requirement: `spec.scopes` entries and `scopeSelector`
/// expressions, all of which must hold.
struct Scope<'a> {
    name: &'a str,
    operator: &'a str,
    values: Vec<&'a str>,
}

impl<'a> Quota<'a> {
    fn read(object: &'a Resource) -> Quota<'a> {
        let mut hard = BTreeMap::new();
        if let Some(m) = object.value.pointer("/spec/hard").and_then(Value::as_map) {
            for (k, v) in m.iter() {
                if let Ok(q) = Quantity::from_value(v) {
                    let mut p = "/spec/hard".to_owned();
                    crate::pointer::push(&mut p, k);
                    hard.insert(k, (q, p));
                }
            }
        }
        let mut scopes: Vec<Scope<'a>> = object
            .value
            .pointer("/spec/scopes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .map(|name| Scope {
                name,
                operator: "Exists",
                values: Vec::new(),
            })
            .collect();
        let expressions = object
            .value
            .pointer("/spec/scopeSelector/matchExpressions")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for e in expressions {
            let Some(name) = e.get("scopeName").and_then(Value::as_str) else {
                continue;
            };
            scopes.push(Scope {
                name,
                operator: e.get("operator").and_then(Value::as_str).unwrap_or(""),
                values: e
                    .get("values")
                    .and_then(Value::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect(),
            });
        }
        Quota {
            object,
            name: object.name().unwrap_or(""),
            hard,
            scopes,
        }
    }

    /// Whether the quota counts this pod.
    fn matches_pod(&self, pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>) -> bool {
        self.scopes.iter().all(|s| match s.name {
            "Terminating" => pod.get("activeDeadlineSeconds").is_some(),
            "NotTerminating" => pod.get("activeDeadlineSeconds").is_none(),
            "BestEffort" => pod::qos(pod, defaults).class == QosClass::BestEffort,
            "NotBestEffort" => pod::qos(pod, defaults).class != QosClass::BestEffort,
            "PriorityClass" => {
                let class = pod.get("priorityClassName").and_then(Value::as_str);
                match s.operator {
                    "In" => class.is_some_and(|c| s.values.contains(&c)),
                    "NotIn" => class.is_none_or(|c| !s.values.contains(&c)),
                    "Exists" => class.is_some(),
                    "DoesNotExist" => class.is_none(),
                    _ => false,
                }
            }
            "CrossNamespacePodAffinity" => cross_namespace_affinity(pod),
            _ => false,
        })
    }

    /// Whether the quota counts `usage` of this object at all: scoped
    /// quotas count only pods.
    fn matches(&self, consumer: &Consumer<'_>, defaults: &ContainerDefaults<'_>) -> bool {
        match &consumer.pod {
            Some(pod) => self.matches_pod(pod, defaults),
            None => self.scopes.is_empty(),
        }
    }

    /// The `hard` resources that `usage` touches.
    fn tracked<'u>(&self, usage: &'u Usage) -> Vec<(&'u str, Quantity)> {
        usage
            .iter()
            .filter(|(k, _)| self.hard.contains_key(k.as_str()))
            .map(|(k, v)| (k.as_str(), *v))
            .collect()
    }
}

/// Whether a pod has an affinity term that looks beyond its own namespace.
fn cross_namespace_affinity(pod: &PodSpec<'_>) -> bool {
    let Some(affinity) = pod.get("affinity") else {
        return false;
    };
    ["podAffinity", "podAntiAffinity"].iter().any(|kind| {
        let Some(a) = affinity.get(kind) else {
            return false;
        };
        let required = a
            .get("requiredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter();
        let preferred = a
            .get("preferredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.get("podAffinityTerm"));
        required.chain(preferred).any(|t| {
            t.get("namespaceSelector").is_some()
                || t.get("namespaces")
                    .and_then(Value::as_seq)
                    .is_some_and(|n| !n.is_empty())
        })
    })
}

/// The quotas of a namespace, by name (the plugin checks them in turn).
pub(crate) fn quotas<'a>(index: &Index<'a>, ns: &str) -> Vec<Quota<'a>> {
    let mut out: Vec<Quota<'a>> = index
        .of_kind_in("ResourceQuota", ns)
        .map(Quota::read)
        .collect();
    out.sort_by_key(|q| q.name);
    out
}

/// What one pod or object adds to a quota, by quota resource name.
pub(crate) type Usage = BTreeMap<String, Quantity>;

fn one() -> Quantity {
    Quantity::from_units(1, Format::DecimalSi)
}

/// An object that uses quota: how much each unit (a pod or the object)
/// uses, and how many units there are.
pub(crate) struct Consumer<'a> {
    pub object: &'a Resource,
    pub pod: Option<PodSpec<'a>>,
    pub usage: Usage,
    pub units: i64,
    /// Why there are that many units, for messages (`3 replicas`, ...).
    pub units_reason: String,
}

/// The quota usage of a pod, as the pod evaluator computes it.
fn pod_usage(pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>) -> Usage {
    let totals = pod::pod_totals(pod, defaults);
    let mut u = Usage::new();
    u.insert("pods".into(), one());
    u.insert("count/pods".into(), one());
    for name in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(q) = totals.requests.get(name) {
            u.insert(name.into(), *q);
            u.insert(format!("requests.{name}"), *q);
        }
        if let Some(q) = totals.limits.get(name) {
            u.insert(format!("limits.{name}"), *q);
        }
    }
    for (name, q) in &totals.requests {
        if name.starts_with("hugepages-") {
            u.insert(name.clone(), *q);
            u.insert(format!("requests.{name}"), *q);
        } else if is_extended(name) {
            u.insert(format!("requests.{name}"), *q);
        }
    }
    u
}

/// Extended resources: names with a domain outside `kubernetes.io`.
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

/// The plural of a kind, as `count/<plural>.<group>` names it.
pub(crate) fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower == "endpoints" {
        lower
    } else if let Some(stem) = lower.strip_suffix('y') {
        if stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            format!("{lower}s")
        } else {
            format!("{stem}ies")
        }
    } else if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

/// `count/deployments.apps`, `count/services`.
fn count_name(object: &Resource) -> Option<String> {
    let kind = object.kind()?;
    let api = object.api_version().unwrap_or("v1");
    let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let group = if group == "extensions" { "apps" } else { group };
    Some(if group.is_empty() {
        format!("count/{}", plural(kind))
    } else {
        format!("count/{}.{group}", plural(kind))
    })
}

/// The name of the default StorageClass of the set, if one is marked so.
fn default_storage_class<'a>(index: &Index<'a>) -> Option<&'a str> {
    index
        .of_kind("StorageClass")
        .filter(|sc| {
            sc.value
                .pointer("/metadata/annotations")
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .and_then(Value::as_str)
                == Some("true")
        })
        .filter_map(|sc| sc.name())
        .last()
}

/// The usage of a PersistentVolumeClaim spec (a claim or a claim template).
fn claim_usage(index: &Index<'_>, spec: Option<&Value>) -> Usage {
    let mut u = Usage::new();
    u.insert("persistentvolumeclaims".into(), one());
    u.insert("count/persistentvolumeclaims".into(), one());
    let storage = spec
        .and_then(|s| s.pointer("/resources/requests/storage"))
        .and_then(|v| Quantity::from_value(v).ok());
    let class = spec
        .and_then(|s| s.get("storageClassName"))
        .and_then(Value::as_str)
        .or_else(|| default_storage_class(index));
    if let Some(q) = storage {
        u.insert("requests.storage".into(), q);
    }
    if let Some(class) = class.filter(|c| !c.is_empty()) {
        let prefix = format!("{class}.storageclass.storage.k8s.io");
        u.insert(format!("{prefix}/persistentvolumeclaims"), one());
        if let Some(q) = storage {
            u.insert(format!("{prefix}/requests.storage"), q);
        }
    }
    u
}

/// The number of pods a workload runs: `spec.replicas` (the
/// HorizontalPodAutoscaler's `maxReplicas` when one targets it), a Job's
/// parallelism, one per Node of the set for a DaemonSet.
fn replicas(index: &Index<'_>, object: &Resource, ns: &str) -> (i64, String) {
    let kind = object.kind().unwrap_or("");
    let name = object.name().unwrap_or("");
    let int = |p: &str| object.value.pointer(p).and_then(Value::as_i64);
    match kind {
        "Pod" => (1, "1 pod".into()),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController" => {
            let hpa = index.of_kind_in("HorizontalPodAutoscaler", ns).find(|h| {
                let target = |k: &str| {
                    h.value
                        .pointer("/spec/scaleTargetRef")
                        .and_then(|t| t.get(k))
                        .and_then(Value::as_str)
                };
                target("kind") == Some(kind) && target("name") == Some(name)
            });
            match hpa.and_then(|h| {
                Some((
                    h.value.pointer("/spec/maxReplicas")?.as_i64()?,
                    h.name().unwrap_or(""),
                ))
            }) {
                Some((n, h)) => (
                    n.max(0),
                    format!("{n} replicas (the maxReplicas of HorizontalPodAutoscaler \"{h}\")"),
                ),
                None => {
                    let n = int("/spec/replicas").unwrap_or(1).max(0);
                    (n, format!("{n} replicas"))
                }
            }
        }
        "DaemonSet" => {
            let nodes = index.of_kind("Node").count() as i64;
            if nodes > 0 {
                (nodes, format!("{nodes} pods, one per node of the set"))
            } else {
                (1, "1 pod per node".into())
            }
        }
        "Job" | "CronJob" => {
            let base = if kind == "Job" {
                "/spec"
            } else {
                "/spec/jobTemplate/spec"
            };
            let parallelism = int(&format!("{base}/parallelism")).unwrap_or(1);
            let n = match int(&format!("{base}/completions")) {
                Some(c) => parallelism.min(c),
                None => parallelism,
            }
            .max(0);
            (n, format!("{n} pods running at once"))
        }
        _ => (0, String::new()),
    }
}

/// What an object uses of quotas, if anything: its own count, and its pods
/// and claim templates.
pub(crate) fn consumers<'a>(
    index: &Index<'a>,
    object: &'a Resource,
    ns: &str,
) -> Vec<Consumer<'a>> {
    let defaults = index.container_defaults(Some(ns));
    let mut out = Vec::new();
    let kind = object.kind().unwrap_or("");
    // The object itself.
    let mut own = Usage::new();
    if let Some(c) = count_name(object) {
        own.insert(c, one());
    }
    match kind {
        "Service" => {
            own.insert("services".into(), one());
            let ports = object
                .value
                .pointer("/spec/ports")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            let with_node_port = ports.iter().filter(|p| p.get("nodePort").is_some()).count();
            match object.value.pointer("/spec/type").and_then(Value::as_str) {
                Some("NodePort") => {
                    own.insert("services.nodeports".into(), one() * ports.len() as i64);
                }
                Some("LoadBalancer") => {
                    let allocate = object
                        .value
                        .pointer("/spec/allocateLoadBalancerNodePorts")
                        .and_then(Value::as_bool)
                        != Some(false);
                    let n = if allocate {
                        ports.len()
                    } else {
                        with_node_port
                    };
                    own.insert("services.nodeports".into(), one() * n as i64);
                    own.insert("services.loadbalancers".into(), one());
                }
                _ => {}
            }
        }
        "ConfigMap" => {
            own.insert("configmaps".into(), one());
        }
        "Secret" => {
            own.insert("secrets".into(), one());
        }
        "ReplicationController" => {
            own.insert("replicationcontrollers".into(), one());
        }
        "ResourceQuota" => {
            own.insert("resourcequotas".into(), one());
        }
        "PersistentVolumeClaim" => {
            own.extend(claim_usage(index, object.value.get("spec")));
        }
        _ => {}
    }
    // A Pod counts as a pod, not as an object.
    if kind != "Pod" && !own.is_empty() {
        out.push(Consumer {
            object,
            pod: None,
            usage: own,
            units: 1,
            units_reason: String::new(),
        });
    }
    if let Some(pod) = PodSpec::of(object)
        && kind != "PodTemplate"
    {
        let (units, units_reason) = replicas(index, object, ns);
        if units > 0 {
            out.push(Consumer {
                object,
                usage: pod_usage(&pod, defaults),
                pod: Some(pod),
                units,
                units_reason: units_reason.clone(),
            });
        }
        if kind == "StatefulSet" {
            let templates = object
                .value
                .pointer("/spec/volumeClaimTemplates")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            for t in templates {
                out.push(Consumer {
                    object,
                    pod: None,
                    usage: claim_usage(index, t.get("spec")),
                    units,
                    units_reason: units_reason.clone(),
                });
            }
        }
    }
    out
}

/// Resources whose every container must say how much it needs when a quota
/// limits them.
const REQUIRED: &[&str] = &[
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// For each container (then init container) of a pod that a quota requires
/// values of, the quota resource names it lacks after defaulting.
pub(crate) fn missing_values<'p>(
    quota: &Quota<'_>,
    pod: &PodSpec<'p>,
    defaults: &ContainerDefaults<'_>,
) -> Vec<(pod::Container<'p>, Vec<&'static str>)> {
    let required: Vec<&'static str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| quota.hard.contains_key(r))
        .collect();
    if required.is_empty() {
        return Vec::new();
    }
    let containers = pod.containers();
    let (regular, init): (Vec<_>, Vec<_>) = containers
        .into_iter()
        .filter(|c| c.role != Role::Ephemeral)
        .partition(|c| c.role == Role::Regular);
    let mut out = Vec::new();
    for c in regular.into_iter().chain(init) {
        let e = pod::effective(&c, defaults);
        let has = |r: &str| match r.split_once('.') {
            Some(("requests", name)) => e.requests.contains_key(name),
            Some(("limits", name)) => e.limits.contains_key(name),
            _ => e.requests.contains_key(r),
        };
        let missing: Vec<&'static str> = required.iter().copied().filter(|r| !has(r)).collect();
        if !missing.is_empty() {
            out.push((c, missing));
        }
    }
    out
}

/// Whether the quota plugin rejects a pod for missing values.
fn fails_constraints(
    quota: &Quota<'_>,
    pod: &PodSpec<'_>,
    defaults: &ContainerDefaults<'_>,
) -> bool {
    !missing_values(quota, pod, defaults).is_empty()
}

/// Why the plugin rejects one unit of a consumer: the quota and the
/// resources it exceeds, with the amounts used before.
pub(crate) struct Exceeded {
    /// Which consumer of the object (see [`consumers`]).
    pub consumer: usize,
    /// The name of the quota.
    pub quota: String,
    /// (resource, requested, used, hard), sorted by resource.
    pub resources: Vec<(String, Quantity, Quantity, Quantity)>,
    /// How many units of the consumer were admitted before.
    pub admitted: i64,
}

/// The rejections of a namespace, by the address of the object rejected.
pub(crate) type Rejections = HashMap<usize, Vec<Exceeded>>;

/// Replays the creation of the namespace's objects in input order, as the
/// quota plugin would admit them one pod or object at a time; a pod the
/// plugin refuses for missing values, or a unit that does not fit, adds
/// nothing. Returns, per object, why each of its consumers is first
/// rejected.
pub(crate) fn replay(index: &Index<'_>, ns: &str) -> Rejections {
    let quotas = quotas(index, ns);
    let defaults = index.container_defaults(Some(ns));
    let mut used: Vec<BTreeMap<String, Quantity>> =
        quotas.iter().map(|_| BTreeMap::new()).collect();
    let mut out = Rejections::new();
    for object in index.in_namespace(ns) {
        for (n, consumer) in consumers(index, object, ns).iter().enumerate() {
            let applies: Vec<usize> = (0..quotas.len())
                .filter(|&i| quotas[i].matches(consumer, defaults))
                .collect();
            let rejected_for_values = consumer.pod.as_ref().is_some_and(|pod| {
                applies
                    .iter()
                    .any(|&i| fails_constraints(&quotas[i], pod, defaults))
            });
            if rejected_for_values || applies.is_empty() {
                continue;
            }
            for unit in 0..consumer.units {
                let failed = applies.iter().find_map(|&i| {
                    let q = &quotas[i];
                    let over: Vec<(String, Quantity, Quantity, Quantity)> = q
                        .tracked(&consumer.usage)
                        .into_iter()
                        .filter_map(|(k, v)| {
                            let (hard, _) = q.hard.get(k)?;
                            let before = used[i].get(k).copied().unwrap_or(Quantity::ZERO);
                            (before + v > *hard).then(|| (k.to_owned(), v, before, *hard))
                        })
                        .collect();
                    (!over.is_empty()).then_some((i, over))
                });
                match failed {
                    Some((i, resources)) => {
                        out.entry(object as *const Resource as usize)
                            .or_default()
                            .push(Exceeded {
                                consumer: n,
                                quota: quotas[i].name.to_owned(),
                                resources,
                                admitted: unit,
                            });
                        break;
                    }
                    None => {
                        for &i in &applies {
                            for (k, v) in quotas[i].tracked(&consumer.usage) {
                                let e = used[i].entry(k.to_owned()).or_insert(Quantity::ZERO);
                                *e += v;
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// `a=1,b=2`, as the plugin prints a resource list.
pub(crate) fn pretty(list: &[(String, Quantity)]) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_api_plurals() {
        assert_eq!(plural("Deployment"), "deployments");
        assert_eq!(plural("Ingress"), "ingresses");
        assert_eq!(plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural("Gateway"), "gateways");
        assert_eq!(plural("Endpoints"), "endpoints");
    }
}
