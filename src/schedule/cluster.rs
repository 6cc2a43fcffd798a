//! The cluster state a scheduling cycle reads: nodes, the pods bound to each
//! (upstream's `NodeInfo`: requested resources, non-zero requests for
//! scoring, host ports in use, pods with affinity), namespaces and storage.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::plugins::volume_binding::Storage;
use super::resources::Resources;
use super::selector::{LabelSelector, Labels};
use super::types::{HostPort, Node, Pod, PodAffinity};

/// What is bound to one node.
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    /// Index of the node in [`Cluster::nodes`].
    pub node: usize,
    /// Pods bound to the node, by index in [`Cluster::pods`], in bind order.
    pub pods: Vec<usize>,
    pub requested: Resources,
    pub non_zero_cpu: i64,
    pub non_zero_memory: i64,
    pub used_ports: Vec<HostPort>,
    pub pods_with_affinity: Vec<usize>,
    pub pods_with_required_anti_affinity: Vec<usize>,
    /// Changes whenever a pod is added or removed, so results computed
    /// from the node's pods can be kept until then.
    pub generation: u64,
}

impl NodeInfo {
    pub fn new(node: usize) -> NodeInfo {
        NodeInfo {
            node,
            ..NodeInfo::default()
        }
    }

    pub fn add_pod(&mut self, id: usize, pod: &Pod) {
        self.generation += 1;
        self.pods.push(id);
        self.requested.add(&pod.requests);
        self.non_zero_cpu += pod.non_zero_cpu;
        self.non_zero_memory += pod.non_zero_memory;
        self.used_ports.extend(pod.host_ports().cloned());
        if pod.has_affinity() {
            self.pods_with_affinity.push(id);
        }
        if pod.has_required_anti_affinity() {
            self.pods_with_required_anti_affinity.push(id);
        }
    }

    pub fn remove_pod(&mut self, id: usize, pod: &Pod) {
        let Some(i) = self.pods.iter().position(|p| *p == id) else {
            return;
        };
        self.generation += 1;
        self.pods.remove(i);
        self.requested.sub(&pod.requests);
        self.non_zero_cpu -= pod.non_zero_cpu;
        self.non_zero_memory -= pod.non_zero_memory;
        for port in pod.host_ports() {
            if let Some(i) = self.used_ports.iter().position(|p| p == port) {
                self.used_ports.remove(i);
            }
        }
        self.pods_with_affinity.retain(|p| *p != id);
        self.pods_with_required_anti_affinity.retain(|p| *p != id);
    }
}

/// Per (namespace, selector): how many bound pods each node holds that the
/// selector matches. Topology spreading asks the same question for every
/// replica of a workload; the answers are kept current as pods are bound.
#[derive(Debug, Default)]
pub struct MatchCache {
    entries: Mutex<HashMap<MatchKey, Arc<Vec<i64>>>>,
}

/// A namespace and a selector.
type MatchKey = (String, LabelSelector);

impl Clone for MatchCache {
    fn clone(&self) -> Self {
        let entries = self.entries.lock().map(|e| e.clone()).unwrap_or_default();
        MatchCache {
            entries: Mutex::new(entries),
        }
    }
}

impl MatchCache {
    fn update(&self, pod: &Pod, node: usize, delta: i64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        for ((ns, selector), counts) in entries.iter_mut() {
            if *ns == pod.namespace && selector.matches(&pod.labels) {
                Arc::make_mut(counts)[node] += delta;
            }
        }
    }
}

/// Bound pods with pod (anti-)affinity terms, grouped by their terms. The
/// replicas of a workload share their terms, so a cycle matches each
/// group's terms against its pod once instead of every bound pod's.
#[derive(Clone, Debug, Default)]
pub struct AffinityGroups {
    pub groups: Vec<AffinityGroup>,
}

/// The bound pods that have the same `podAffinity` and `podAntiAffinity`.
#[derive(Clone, Debug)]
pub struct AffinityGroup {
    pub affinity: PodAffinity,
    pub anti_affinity: PodAffinity,
    /// How many of them each node holds (nodes with none are left out).
    pub nodes: BTreeMap<usize, i64>,
}

impl AffinityGroups {
    fn update(&mut self, pod: &Pod, node: usize, delta: i64) {
        if !pod.has_affinity() {
            return;
        }
        let i = match self.groups.iter().position(|g| {
            g.affinity == pod.pod_affinity && g.anti_affinity == pod.pod_anti_affinity
        }) {
            Some(i) => i,
            None => {
                self.groups.push(AffinityGroup {
                    affinity: pod.pod_affinity.clone(),
                    anti_affinity: pod.pod_anti_affinity.clone(),
                    nodes: BTreeMap::new(),
                });
                self.groups.len() - 1
            }
        };
        let nodes = &mut self.groups[i].nodes;
        let count = nodes.entry(node).or_insert(0);
        *count += delta;
        if *count == 0 {
            nodes.remove(&node);
        }
    }
}

/// The topology domains of one label key: each node's domain (`None` when
/// the node lacks the label) and the domains' values.
#[derive(Debug, Default)]
pub struct Domains {
    pub of_node: Vec<Option<u32>>,
    pub values: Vec<String>,
}

/// Domains per label key, computed on first use (node labels never change
/// during a run).
#[derive(Debug, Default)]
pub struct DomainCache {
    entries: Mutex<HashMap<String, Arc<Domains>>>,
}

impl Clone for DomainCache {
    fn clone(&self) -> Self {
        let entries = self.entries.lock().map(|e| e.clone()).unwrap_or_default();
        DomainCache {
            entries: Mutex::new(entries),
        }
    }
}

/// Everything a cycle can see.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub infos: Vec<NodeInfo>,
    /// Every pod of the run, placed or not.
    pub pods: Vec<Pod>,
    /// Where each pod is bound (index into `nodes`).
    pub bound: Vec<Option<usize>>,
    /// Labels of the namespaces known to the run (for `namespaceSelector`).
    pub namespaces: BTreeMap<String, Labels>,
    pub storage: Storage,
    /// For each image name, how many nodes hold it.
    pub image_nodes: HashMap<String, usize>,
    /// Bound pods with affinity terms, by terms.
    pub affinity_groups: AffinityGroups,
    node_index: HashMap<String, usize>,
    matches: MatchCache,
    domains: DomainCache,
}

impl Cluster {
    pub fn new(nodes: Vec<Node>) -> Cluster {
        let infos = (0..nodes.len()).map(NodeInfo::new).collect();
        let node_index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut image_nodes: HashMap<String, usize> = HashMap::new();
        for n in &nodes {
            let mut names: Vec<&String> = n.images.iter().flat_map(|i| i.names.iter()).collect();
            names.sort();
            names.dedup();
            for name in names {
                *image_nodes.entry(name.clone()).or_default() += 1;
            }
        }
        Cluster {
            nodes,
            infos,
            node_index,
            image_nodes,
            ..Cluster::default()
        }
    }

    pub fn node_by_name(&self, name: &str) -> Option<usize> {
        self.node_index.get(name).copied()
    }

    /// Adds a pod to the run (not bound); returns its id.
    pub fn add_pod(&mut self, pod: Pod) -> usize {
        self.pods.push(pod);
        self.bound.push(None);
        self.pods.len() - 1
    }

    /// Removes the pod added last, unbinding it first (trial placements).
    pub fn pop_pod(&mut self) {
        if let Some(id) = self.pods.len().checked_sub(1) {
            self.unbind(id);
            self.pods.pop();
            self.bound.pop();
        }
    }

    pub fn bind(&mut self, id: usize, node: usize) {
        self.infos[node].add_pod(id, &self.pods[id]);
        self.bound[id] = Some(node);
        self.matches.update(&self.pods[id], node, 1);
        self.affinity_groups.update(&self.pods[id], node, 1);
    }

    pub fn unbind(&mut self, id: usize) {
        if let Some(node) = self.bound[id].take() {
            self.infos[node].remove_pod(id, &self.pods[id]);
            self.matches.update(&self.pods[id], node, -1);
            self.affinity_groups.update(&self.pods[id], node, -1);
        }
    }

    /// The domains of a topology key.
    pub fn domains(&self, key: &str) -> Arc<Domains> {
        if let Ok(entries) = self.domains.entries.lock() {
            if let Some(d) = entries.get(key) {
                return Arc::clone(d);
            }
        }
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut d = Domains::default();
        for n in &self.nodes {
            let id = n.labels.get(key).map(|v| {
                *index.entry(v.as_str()).or_insert_with(|| {
                    d.values.push(v.clone());
                    (d.values.len() - 1) as u32
                })
            });
            d.of_node.push(id);
        }
        let d = Arc::new(d);
        if let Ok(mut entries) = self.domains.entries.lock() {
            entries.insert(key.to_owned(), Arc::clone(&d));
        }
        d
    }

    /// Per node, the bound pods in `ns` that `selector` matches.
    pub fn matching_counts(&self, ns: &str, selector: &LabelSelector) -> Arc<Vec<i64>> {
        let key = (ns.to_owned(), selector.clone());
        if let Ok(entries) = self.matches.entries.lock() {
            if let Some(c) = entries.get(&key) {
                return Arc::clone(c);
            }
        }
        let counts: Vec<i64> = self
            .infos
            .iter()
            .map(|info| {
                info.pods
                    .iter()
                    .map(|&id| &self.pods[id])
                    .filter(|p| p.namespace == ns && selector.matches(&p.labels))
                    .count() as i64
            })
            .collect();
        let counts = Arc::new(counts);
        if let Ok(mut entries) = self.matches.entries.lock() {
            entries.insert(key, Arc::clone(&counts));
        }
        counts
    }

    /// The labels of a namespace (always with `kubernetes.io/metadata.name`).
    pub fn namespace_labels(&self, ns: &str) -> Labels {
        let mut labels = self.namespaces.get(ns).cloned().unwrap_or_default();
        labels
            .entry("kubernetes.io/metadata.name".to_owned())
            .or_insert_with(|| ns.to_owned());
        labels
    }

    pub fn node_of(&self, info: &NodeInfo) -> &Node {
        &self.nodes[info.node]
    }
}
