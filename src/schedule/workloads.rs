//! Workloads become pods, as their controllers and the API server would
//! make them: replica counts (raised or capped by a HorizontalPodAutoscaler),
//! names, labels, requests after the API server's defaulting (limits become
//! requests; LimitRange defaults fill in), priorities from PriorityClasses,
//! and the selectors the system default topology spreading uses.
//!
//! Pod names are stand-ins where upstream adds random suffixes: replica `i`
//! of a Deployment, ReplicaSet, ReplicationController or Job is
//! `<workload>-<i>`, a StatefulSet's are `<name>-<ordinal>` as upstream, a
//! DaemonSet's `<name>-<node>`.

use std::collections::BTreeMap;

use super::controllers;
use super::framework::Version;
use super::plugins::volume_binding::Claim;
use super::selector::{LabelSelector, Labels, Op, Requirement, labels_of, scalar_string};
use super::types::{ContainerKind, Node, Pod};
use crate::lint::index::Index;
use crate::lint::pod::{PodSpec, Role, effective};
use crate::resource::Resource;
use crate::yaml::Value;

/// `system-cluster-critical` and `system-node-critical`.
const SYSTEM_CLASSES: [(&str, i64); 2] = [
    ("system-cluster-critical", 2_000_000_000),
    ("system-node-critical", 2_000_001_000),
];

/// A workload of the run and what became of its replicas.
#[derive(Clone, Debug)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Pods its controller wants.
    pub desired: usize,
    /// Index of its object among the run's resources.
    pub resource: Option<usize>,
    /// Adjustments worth reporting (an HPA's minReplicas, ...).
    pub notes: Vec<String>,
    /// One of its pods, for "how many more would fit" (Deployments).
    pub template: Option<Pod>,
}

impl Workload {
    /// `Deployment/web`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// A pod to schedule (or already bound).
#[derive(Clone, Debug)]
pub struct NewPod {
    pub pod: Pod,
    /// Another pod of the run that must be running first (OrderedReady).
    pub after: Option<usize>,
    pub daemon: bool,
    /// From the node inventory: already running on `pod.node_name`.
    pub existing: bool,
}

/// A pod the API server would not create, and why.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub workload: usize,
    pub pod: String,
    pub message: String,
}

/// Everything the workloads of a run turn into.
#[derive(Clone, Debug, Default)]
pub struct Expanded {
    pub workloads: Vec<Workload>,
    pub pods: Vec<NewPod>,
    /// Claims made from StatefulSet `volumeClaimTemplates`.
    pub claims: Vec<Claim>,
    pub rejected: Vec<Rejected>,
}

/// A PriorityClass: value and preemption policy.
#[derive(Clone, Debug)]
struct PriorityClass {
    value: i64,
    never: bool,
    global_default: bool,
}

/// An HPA's bounds, keyed by (namespace, kind, name) of its target.
#[derive(Clone, Debug)]
struct Hpa {
    min: i64,
    max: Option<i64>,
    name: String,
}

/// What expansion needs to know about the run.
pub struct Expander<'a> {
    pub version: Version,
    pub nodes: &'a [Node],
    limit_ranges: Vec<Resource>,
    priority_classes: BTreeMap<String, PriorityClass>,
    services: Vec<(String, Labels)>,
    hpas: BTreeMap<(String, String, String), Hpa>,
    pub out: Expanded,
}

/// Where the namespace of an object lands.
pub fn namespace_of(r: &Resource) -> String {
    r.namespace().unwrap_or("default").to_owned()
}

impl<'a> Expander<'a> {
    /// Collects the cluster objects of `objects` (LimitRanges,
    /// PriorityClasses, Services, HPAs).
    pub fn new(version: Version, nodes: &'a [Node], objects: &[&Resource]) -> Expander<'a> {
        let mut e = Expander {
            version,
            nodes,
            limit_ranges: Vec::new(),
            priority_classes: BTreeMap::new(),
            services: Vec::new(),
            hpas: BTreeMap::new(),
            out: Expanded::default(),
        };
        for r in objects {
            match r.kind() {
                Some("LimitRange") => e.limit_ranges.push((*r).clone()),
                Some("PriorityClass") => {
                    if let Some(name) = r.name() {
                        let v = &r.value;
                        e.priority_classes.insert(
                            name.to_owned(),
                            PriorityClass {
                                value: v.get("value").and_then(Value::as_i64).unwrap_or(0),
                                never: v.get("preemptionPolicy").and_then(Value::as_str)
                                    == Some("Never"),
                                global_default: v.get("globalDefault").and_then(Value::as_bool)
                                    == Some(true),
                            },
                        );
                    }
                }
                Some("Service") => {
                    let sel = labels_of(r.value.pointer("/spec/selector"));
                    if !sel.is_empty() {
                        e.services.push((namespace_of(r), sel));
                    }
                }
                Some("HorizontalPodAutoscaler") => {
                    let v = &r.value;
                    let (Some(kind), Some(target)) = (
                        v.pointer("/spec/scaleTargetRef/kind")
                            .and_then(scalar_string),
                        v.pointer("/spec/scaleTargetRef/name")
                            .and_then(scalar_string),
                    ) else {
                        continue;
                    };
                    let min = v
                        .pointer("/spec/minReplicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(1);
                    let max = v.pointer("/spec/maxReplicas").and_then(Value::as_i64);
                    e.hpas.insert(
                        (namespace_of(r), kind, target),
                        Hpa {
                            min,
                            max,
                            name: r.name().unwrap_or("").to_owned(),
                        },
                    );
                }
                _ => {}
            }
        }
        e
    }

    /// Expands every workload among `resources` (indexes are kept for
    /// diagnostics). Objects made by a controller that is itself among the
    /// resources (a Deployment's ReplicaSet, a Job's pods from `kubectl get`)
    /// are left to that controller.
    pub fn expand_all(&mut self, resources: &[Resource]) {
        let present: std::collections::BTreeSet<(String, String, String)> = resources
            .iter()
            .filter_map(|r| Some((r.kind()?.to_owned(), namespace_of(r), r.name()?.to_owned())))
            .collect();
        for (i, r) in resources.iter().enumerate() {
            let owned = r
                .value
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
                .any(|o| {
                    let kind = o.get("kind").and_then(scalar_string).unwrap_or_default();
                    let name = o.get("name").and_then(scalar_string).unwrap_or_default();
                    present.contains(&(kind, namespace_of(r), name))
                });
            if owned {
                continue;
            }
            let group = r
                .api_version()
                .and_then(|a| a.split_once('/').map(|(g, _)| g))
                .unwrap_or("");
            match (group, r.kind()) {
                ("", Some("Pod")) => controllers::pod::expand(self, r, Some(i), false),
                ("apps" | "extensions", Some("Deployment")) => {
                    controllers::deployment::expand(self, r, i)
                }
                ("apps" | "extensions", Some("ReplicaSet")) => {
                    controllers::replica_set::expand(self, r, i)
                }
                ("", Some("ReplicationController")) => {
                    controllers::replication_controller::expand(self, r, i)
                }
                ("apps", Some("StatefulSet")) => controllers::stateful_set::expand(self, r, i),
                ("apps" | "extensions", Some("DaemonSet")) => {
                    controllers::daemon_set::expand(self, r, i)
                }
                ("batch", Some("Job")) => controllers::job::expand(self, r, i),
                ("batch", Some("CronJob")) => controllers::cron_job::expand(self, r, i),
                _ => {}
            }
        }
    }

    /// Adds a workload; returns its index.
    pub fn workload(
        &mut self,
        r: &Resource,
        kind: &str,
        desired: usize,
        resource: Option<usize>,
    ) -> usize {
        self.out.workloads.push(Workload {
            kind: kind.to_owned(),
            name: r.name().unwrap_or("").to_owned(),
            namespace: namespace_of(r),
            desired,
            resource,
            notes: Vec::new(),
            template: None,
        });
        self.out.workloads.len() - 1
    }

    /// `spec.replicas` (default 1), adjusted by an HPA that targets the object.
    pub fn replicas(&mut self, r: &Resource, kind: &str, notes: &mut Vec<String>) -> usize {
        let written = r.value.pointer("/spec/replicas").and_then(Value::as_i64);
        let mut n = written.unwrap_or(1).max(0);
        let key = (
            namespace_of(r),
            kind.to_owned(),
            r.name().unwrap_or("").to_owned(),
        );
        if let Some(hpa) = self.hpas.get(&key) {
            // replicas: 0 turns autoscaling off.
            if n > 0 {
                let adjusted = n.max(hpa.min).min(hpa.max.unwrap_or(i64::MAX));
                if adjusted != n {
                    notes.push(format!(
                        "HorizontalPodAutoscaler {} sets the replicas to {adjusted} (written: {n})",
                        hpa.name
                    ));
                    n = adjusted;
                }
            }
        }
        usize::try_from(n).unwrap_or(0)
    }

    /// The selector the owning controller gives the system default spreading
    /// (Services that select the pod, then the owner's selector).
    pub fn default_selector(
        &self,
        ns: &str,
        labels: &Labels,
        owner: Option<&LabelSelector>,
    ) -> Option<LabelSelector> {
        let mut reqs: Vec<Requirement> = Vec::new();
        let mut merged = Labels::new();
        for (sns, sel) in &self.services {
            if sns == ns && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                merged.extend(sel.clone());
            }
        }
        for (k, v) in &merged {
            reqs.push(Requirement::new(k, Op::In, &[v]));
        }
        if let Some(LabelSelector::All(owner_reqs)) = owner {
            reqs.extend(owner_reqs.iter().cloned());
        }
        (!reqs.is_empty()).then_some(LabelSelector::All(reqs))
    }

    /// Makes a pod from the pod template of `r`. `Err` is the admission
    /// error that stops the API server from creating it.
    pub fn make_pod(
        &mut self,
        r: &Resource,
        name: &str,
        extra_labels: &[(&str, String)],
        owner_kind: Option<&str>,
        owner_selector: Option<&LabelSelector>,
        workload: Option<usize>,
    ) -> Result<Pod, String> {
        let ns = namespace_of(r);
        let Some(spec) = PodSpec::of(r) else {
            return Err("the object has no pod template".into());
        };
        let mut labels: Labels = spec
            .labels()
            .map(|l| {
                l.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), scalar_string(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        for (k, v) in extra_labels {
            labels.insert((*k).to_owned(), v.clone());
        }
        let index = Index::new(&self.limit_ranges);
        let defaults = index.container_defaults(Some(&ns));
        let containers = spec.containers();
        let mut requests = |kind: ContainerKind, i: usize| {
            containers
                .iter()
                .find(|c| {
                    c.index == i
                        && match kind {
                            ContainerKind::Init | ContainerKind::Sidecar => {
                                matches!(c.role, Role::Init | Role::Sidecar)
                            }
                            ContainerKind::Regular => c.role == Role::Regular,
                        }
                })
                .map(|c| effective(c, defaults).requests)
                .unwrap_or_default()
        };
        let mut pod = Pod::from_spec(name, &ns, labels, spec.spec, &mut requests);
        pod.workload = workload;
        pod.owner_kind = owner_kind.map(str::to_owned);
        // Priority comes from the class; admission overwrites spec.priority.
        let class_name = spec
            .get("priorityClassName")
            .and_then(scalar_string)
            .filter(|s| !s.is_empty());
        match class_name {
            Some(c) => {
                if let Some((_, v)) = SYSTEM_CLASSES.iter().find(|(n, _)| *n == c) {
                    pod.priority = *v;
                } else if let Some(pc) = self.priority_classes.get(&c) {
                    pod.priority = pc.value;
                    if spec.get("preemptionPolicy").is_none() {
                        pod.never_preempts = pc.never;
                    }
                } else {
                    return Err(format!(
                        "pods \"{name}\" is forbidden: no PriorityClass with name {c} was found"
                    ));
                }
            }
            None => {
                if let Some(pc) = self.priority_classes.values().find(|p| p.global_default) {
                    pod.priority = pc.value;
                    if spec.get("preemptionPolicy").is_none() {
                        pod.never_preempts = pc.never;
                    }
                } else if spec.get("priority").is_some() {
                    pod.priority = 0;
                }
            }
        }
        pod.default_spread_selector = self
            .default_selector(&ns, &pod.labels, owner_selector)
            .map(std::sync::Arc::new);
        pod.finish(self.version.pod_level_resources());
        Ok(pod)
    }

    /// Queues a pod, or records why it is not created.
    pub fn push(
        &mut self,
        made: Result<Pod, String>,
        name: &str,
        workload: usize,
        after: Option<usize>,
        daemon: bool,
    ) -> Option<usize> {
        match made {
            Ok(pod) => {
                self.out.pods.push(NewPod {
                    pod,
                    after,
                    daemon,
                    existing: false,
                });
                Some(self.out.pods.len() - 1)
            }
            Err(message) => {
                self.out.rejected.push(Rejected {
                    workload,
                    pod: name.to_owned(),
                    message,
                });
                None
            }
        }
    }
}

/// A label selector of a workload's `spec.selector`.
pub fn spec_selector(r: &Resource) -> LabelSelector {
    LabelSelector::from_value(r.value.pointer("/spec/selector"))
}

/// A short stable hash of a pod template, in the alphabet upstream uses for
/// generated names (a stand-in for `pod-template-hash`).
pub fn template_hash(v: Option<&Value>) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let text = v.map(|v| v.to_json().to_string()).unwrap_or_default();
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_string()
        .bytes()
        .map(|d| ALPHABET[usize::from(d) % ALPHABET.len()] as char)
        .collect()
}
