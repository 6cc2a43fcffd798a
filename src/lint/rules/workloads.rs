//! Workloads as the cross-object rules see them: names for messages,
//! replica counts, selectors, the autoscalers and budgets aimed at them,
//! declared ports, and why a selector matches nothing.

use crate::lint::{Container, Index, LabelSelector, PodSpec, Role};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

/// `Deployment "web"`, for messages.
pub fn describe(r: &Resource) -> String {
    format!(
        "{} \"{}\"",
        r.kind().unwrap_or("object"),
        r.name().unwrap_or("")
    )
}

/// `a`, `a and b`, `a, b and c`, for messages.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A PersistentVolumeClaim an object is or stamps out: the claim object
/// itself, or each of a StatefulSet's volumeClaimTemplates.
pub struct ObjectClaim<'a> {
    /// `PersistentVolumeClaim "data"` or `volumeClaimTemplate "data"`, for messages.
    pub who: String,
    /// The claim (metadata and spec).
    pub claim: &'a Value,
    /// Its pointer within the object (`""` for a claim object).
    pub pointer: String,
}

/// The claims of [`ObjectClaim`]; pods' ephemeral volumes are read with the pod.
pub fn object_claims(r: &Resource) -> Vec<ObjectClaim<'_>> {
    match r.kind() {
        Some("PersistentVolumeClaim") => vec![ObjectClaim {
            who: format!("PersistentVolumeClaim \"{}\"", r.name().unwrap_or("")),
            claim: &r.value,
            pointer: String::new(),
        }],
        Some("StatefulSet") => r
            .value
            .pointer("/spec/volumeClaimTemplates")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, t)| ObjectClaim {
                who: format!(
                    "volumeClaimTemplate \"{}\"",
                    t.pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                claim: t,
                pointer: format!("/spec/volumeClaimTemplates/{i}"),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the object is one of the built-in workload kinds `kind` (any of
/// the API groups that served it: `apps`, `extensions`, the core group).
pub fn is_kind(r: &Resource, kind: &str) -> bool {
    // Rules ask this of every object: read the fields in place, no `Gvk`.
    if r.kind().unwrap_or("") != kind {
        return false;
    }
    let group = r
        .api_version()
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g);
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            matches!(group, "apps" | "extensions")
        }
        "Job" | "CronJob" => group == "batch",
        "HorizontalPodAutoscaler" => group == "autoscaling",
        "PodDisruptionBudget" => group == "policy",
        "NetworkPolicy" => matches!(group, "networking.k8s.io" | "extensions"),
        // Any group: an Ingress under a wrong apiVersion is validation's finding.
        "Ingress" => true,
        _ => group.is_empty(),
    }
}

/// A workload's desired pod count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replicas {
    pub count: i64,
    /// Whether `spec.replicas` is written (otherwise it defaults to 1).
    pub written: bool,
}

/// Kinds whose `spec.replicas` is their pod count.
pub const SCALABLE: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// `spec.replicas` of a Deployment, StatefulSet, ReplicaSet or
/// ReplicationController (1 when unset); `None` for other kinds and for a
/// value that is not an integer.
pub fn replicas(r: &Resource) -> Option<Replicas> {
    if !SCALABLE.iter().any(|k| is_kind(r, k)) {
        return None;
    }
    match r.value.pointer("/spec/replicas") {
        None | Some(Value::Null) => Some(Replicas {
            count: 1,
            written: false,
        }),
        Some(v) => v.as_i64().map(|count| Replicas {
            count,
            written: true,
        }),
    }
}

/// The HorizontalPodAutoscalers of the object's namespace whose
/// `scaleTargetRef` names it.
pub fn autoscalers<'a>(index: &Index<'a>, r: &Resource) -> Vec<&'a Resource> {
    let (Some(ns), Some(kind), Some(name)) = (index.namespace_of(r), r.kind(), r.name()) else {
        return Vec::new();
    };
    index
        .of_kind_in("HorizontalPodAutoscaler", ns)
        .filter(|h| {
            let target = h.value.pointer("/spec/scaleTargetRef");
            let get = |k: &str| target.and_then(|t| t.get(k)).and_then(Value::as_str);
            get("kind") == Some(kind) && get("name") == Some(name)
        })
        .collect()
}

/// An autoscaler's `minReplicas` (1 when unset) and `maxReplicas`.
pub fn autoscaler_range(hpa: &Resource) -> (i64, Option<i64>) {
    let min = hpa
        .value
        .pointer("/spec/minReplicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let max = hpa
        .value
        .pointer("/spec/maxReplicas")
        .and_then(Value::as_i64);
    (min, max)
}

/// The smallest number of pods a workload runs: its replicas, or the
/// `minReplicas` of an autoscaler that manages it.
pub fn min_pods(index: &Index<'_>, r: &Resource) -> Option<i64> {
    let own = replicas(r)?;
    Some(
        autoscalers(index, r)
            .first()
            .map_or(own.count, |h| autoscaler_range(h).0),
    )
}

/// The most pods a workload runs: its replicas, or the `maxReplicas` of an
/// autoscaler that manages it.
pub fn max_pods(index: &Index<'_>, r: &Resource) -> Option<i64> {
    let own = replicas(r)?;
    Some(
        autoscalers(index, r)
            .first()
            .and_then(|h| autoscaler_range(h).1)
            .unwrap_or(own.count),
    )
}

/// A PodDisruptionBudget's selector. policy/v1 reads an empty selector as
/// every pod of the namespace; a missing one, and an empty one in
/// policy/v1beta1, select no pod (`None`).
pub fn budget_selector(pdb: &Resource) -> Option<LabelSelector<'_>> {
    let v = pdb.value.pointer("/spec/selector")?;
    let sel = LabelSelector::from_selector(v).ok()?;
    if sel.is_empty() && pdb.api_version() != Some("policy/v1") {
        return None;
    }
    Some(sel)
}

/// The PodDisruptionBudgets of the object's namespace that select its pods.
pub fn budgets<'a>(index: &Index<'a>, pod: &PodSpec<'_>) -> Vec<&'a Resource> {
    let Some(ns) = index.namespace_of(pod.object) else {
        return Vec::new();
    };
    index
        .of_kind_in("PodDisruptionBudget", ns)
        .filter(|b| budget_selector(b).is_some_and(|s| s.matches(pod.labels())))
        .collect()
}

/// The Services of the object's namespace whose selector picks its pods.
pub fn services<'a>(index: &Index<'a>, pod: &PodSpec<'_>) -> Vec<&'a Resource> {
    let Some(ns) = index.namespace_of(pod.object) else {
        return Vec::new();
    };
    let labels = pod.labels();
    index
        .of_kind_in("Service", ns)
        .filter(|s| {
            // Compared in place: this runs for every pod against every Service.
            s.value
                .pointer("/spec/selector")
                .and_then(Value::as_map)
                .filter(|m| !m.is_empty())
                .is_some_and(|m| {
                    m.iter().all(|(k, v)| {
                        v.as_str().is_some()
                            && labels.and_then(|l| l.get(k)).and_then(Value::as_str) == v.as_str()
                    })
                })
        })
        .collect()
}

/// Whether the pods run to completion rather than forever: Jobs, CronJobs
/// and Pods whose `restartPolicy` is not `Always`.
pub fn runs_to_completion(pod: &PodSpec<'_>) -> bool {
    let r = pod.object;
    if is_kind(r, "Job") || is_kind(r, "CronJob") {
        return true;
    }
    !pod.is_template()
        && pod
            .get("restartPolicy")
            .and_then(Value::as_str)
            .is_some_and(|p| p != "Always")
}

/// One `ports` entry of a container.
pub struct Port<'a> {
    pub name: Option<&'a str>,
    pub number: Option<i64>,
    pub host_port: Option<i64>,
    /// `TCP` when unset.
    pub protocol: &'a str,
    /// Pointer of the entry within the object.
    pub pointer: String,
}

/// The ports a container declares.
pub fn ports<'a>(c: &Container<'a>) -> Vec<Port<'a>> {
    let Some(items) = c.get("ports").and_then(Value::as_seq) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let p = p.as_map()?;
            Some(Port {
                name: p
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty()),
                number: p.get("containerPort").and_then(Value::as_i64),
                host_port: p.get("hostPort").and_then(Value::as_i64),
                protocol: p.get("protocol").and_then(Value::as_str).unwrap_or("TCP"),
                pointer: c.pointer_to(&["ports", &i.to_string()]),
            })
        })
        .collect()
}

/// The containers that serve traffic: regular containers and sidecars.
pub fn serving<'a>(pod: &PodSpec<'a>) -> impl Iterator<Item = Container<'a>> + use<'a> {
    pod.containers()
        .into_iter()
        .filter(|c| matches!(c.role, Role::Regular | Role::Sidecar))
}

/// Whether some serving container of the pod declares a port named `name`
/// (with `protocol`, when given).
pub fn declares_port(pod: &PodSpec<'_>, name: &str, protocol: Option<&str>) -> bool {
    serving(pod).any(|c| {
        ports(&c)
            .iter()
            .any(|p| p.name == Some(name) && protocol.is_none_or(|proto| p.protocol == proto))
    })
}

/// Names built into every cluster, never reported as missing.
pub fn is_builtin(kind: &str, name: &str) -> bool {
    match kind {
        "ServiceAccount" => name == "default",
        "ConfigMap" => name == "kube-root-ca.crt",
        "PriorityClass" => matches!(name, "system-cluster-critical" | "system-node-critical"),
        "Role" => {
            name.starts_with("system:") || name == "extension-apiserver-authentication-reader"
        }
        "ClusterRole" => {
            name.starts_with("system:")
                || matches!(name, "cluster-admin" | "admin" | "edit" | "view")
        }
        _ => false,
    }
}

/// The candidate `name` is most likely a typo of: at most one edit away
/// per five characters (at least one). Stricter than the general
/// "did you mean", since object names often share long prefixes and
/// suffixes (`secret-reader`, `metrics-reader`).
pub fn close_name<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let budget = (name.chars().count() / 5).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (crate::suggest::distance(name, c), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Whether the user listed `name` (or `namespace/name`) as known to exist in
/// the cluster.
pub fn is_known(known: Option<&[String]>, ns: Option<&str>, name: &str) -> bool {
    known
        .unwrap_or_default()
        .iter()
        .any(|k| match k.split_once('/') {
            Some((kns, kname)) => Some(kns) == ns && kname == name,
            None => k == name,
        })
}

/// What to say when a selector matches no pod of namespace `ns`: the
/// pointer (relative to `labels`, the selector's label map) of the label to
/// blame, and a help line. `selector` is the whole selector. Pods of another
/// namespace that match come first; then a pod template of the namespace
/// that misses by one label, when the other labels agree or the two values
/// look alike.
pub fn no_pod_hint(
    index: &Index<'_>,
    ns: &str,
    selector: &LabelSelector<'_>,
    labels: Option<&Map>,
) -> (Option<String>, String) {
    if let Some(other) = index
        .all()
        .iter()
        .filter(|r| index.namespace_of(r).is_some_and(|n| n != ns))
        .find(|r| PodSpec::of(r).is_some_and(|p| selector.matches(p.labels())))
    {
        return (
            None,
            format!(
                "the pods of {} in namespace \"{}\" match, but a selector only sees its own namespace \"{ns}\": set `metadata.namespace`",
                describe(other),
                index.namespace_of(other).unwrap_or_default()
            ),
        );
    }
    let wanted: Vec<(&str, Option<&str>)> = labels
        .map(|m| m.iter().map(|(k, v)| (k, v.as_str())).collect())
        .unwrap_or_default();
    for r in index.pods_in(ns) {
        let Some(pod) = PodSpec::of(r) else {
            continue;
        };
        let have = |k: &str| pod.labels().and_then(|l| l.get(k)).and_then(Value::as_str);
        let misses: Vec<(&str, Option<&str>)> = wanted
            .iter()
            .filter(|(k, v)| v.is_none() || have(k) != *v)
            .copied()
            .collect();
        let [(key, want)] = misses.as_slice() else {
            continue;
        };
        let alike = match (have(key), want) {
            (Some(h), Some(w)) => close_name(w, [h]).is_some() || h.contains(w) || w.contains(h),
            _ => false,
        };
        if wanted.len() < 2 && !alike {
            continue;
        }
        let mut pointer = String::new();
        crate::pointer::push(&mut pointer, key);
        let help = match have(key) {
            Some(v) => format!(
                "the pods of {} have `{key}: {v}`; make the selector and the pod labels agree",
                describe(r)
            ),
            None => format!(
                "the pods of {} have no label `{key}`; add it to their template or drop it from the selector",
                describe(r)
            ),
        };
        return (Some(pointer), help);
    }
    (
        None,
        "fix the selector, or the labels of the pod template it is meant for".to_owned(),
    )
}
