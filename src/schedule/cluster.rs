//! The cluster state a scheduling cycle reads: nodes, the pods bound to each
//! (upstream's `NodeInfo`: requested resources, non-zero requests for
//! scoring, host ports in use, pods with affinity), namespaces and storage.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::plugins::node_affinity::required_matches;
use super::plugins::volume_binding::Storage;
use super::resources::Resources;
use super::selector::{LabelSelector, Labels, NodeSelector};
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
}

impl NodeInfo {
    pub fn new(node: usize) -> NodeInfo {
        NodeInfo {
            node,
            ..NodeInfo::default()
        }
    }

    pub fn add_pod(&mut self, id: usize, pod: &Pod) {
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

/// The pods of the run grouped by namespace and labels, with how many of
/// each group every node holds. The replicas of a workload share their
/// labels, so a selector is matched once per group rather than once per
/// bound pod.
#[derive(Clone, Debug, Default)]
pub struct LabelSets {
    index: HashMap<(String, Labels), u32>,
    pub sets: Vec<LabelSet>,
    /// Each pod's group, by pod id.
    of_pod: Vec<u32>,
}

/// Pods with one namespace and one set of labels.
#[derive(Clone, Debug)]
pub struct LabelSet {
    pub namespace: String,
    pub labels: Labels,
    /// Bound pods of the group per node (nodes with none are left out).
    pub nodes: BTreeMap<usize, i64>,
}

impl LabelSets {
    /// The group of a new pod; `true` when the group is new.
    fn intern(&mut self, pod: &Pod) -> (u32, bool) {
        let key = (pod.namespace.clone(), pod.labels.clone());
        if let Some(&id) = self.index.get(&key) {
            self.of_pod.push(id);
            return (id, false);
        }
        let id = self.sets.len() as u32;
        self.sets.push(LabelSet {
            namespace: key.0.clone(),
            labels: key.1.clone(),
            nodes: BTreeMap::new(),
        });
        self.index.insert(key, id);
        self.of_pod.push(id);
        (id, true)
    }

    fn update(&mut self, set: u32, node: usize, delta: i64) {
        let nodes = &mut self.sets[set as usize].nodes;
        let count = nodes.entry(node).or_insert(0);
        *count += delta;
        if *count == 0 {
            nodes.remove(&node);
        }
    }

    /// Per node, the bound pods whose namespace and labels pass `matches`.
    pub fn count_per_node(
        &self,
        nodes: usize,
        mut matches: impl FnMut(&str, &Labels) -> bool,
    ) -> Vec<i64> {
        let mut counts = vec![0i64; nodes];
        for set in &self.sets {
            if !set.nodes.is_empty() && matches(&set.namespace, &set.labels) {
                for (&node, &n) in &set.nodes {
                    counts[node] += n;
                }
            }
        }
        counts
    }
}

/// Per (namespace, selector): how many bound pods each node holds that the
/// selector matches, and their sums per topology domain of the keys asked
/// for. Topology spreading asks the same questions for every replica of a
/// workload; the answers are kept current as pods are bound.
#[derive(Debug, Default)]
pub struct MatchCache {
    state: Mutex<MatchState>,
}

#[derive(Clone, Debug, Default)]
struct MatchState {
    /// By namespace, then selector: the index of the entry.
    index: HashMap<String, HashMap<LabelSelector, usize>>,
    entries: Vec<MatchEntry>,
    /// Per label set: the entries whose selector matches it, so that a
    /// bound pod updates only those.
    of_set: Vec<Vec<usize>>,
}

#[derive(Clone, Debug)]
struct MatchEntry {
    namespace: String,
    selector: LabelSelector,
    per_node: Arc<Vec<i64>>,
    /// Per topology key and node affinity mask: the sums per domain.
    per_domain: Vec<DomainSums>,
}

/// Sums per domain of `key` over the nodes `mask` admits (every node
/// without one), `None` for a domain with no admitted node.
#[derive(Clone, Debug)]
struct DomainSums {
    key: String,
    mask: Option<Arc<Vec<bool>>>,
    domains: Arc<Domains>,
    sums: Arc<Vec<Option<i64>>>,
}

impl Clone for MatchCache {
    fn clone(&self) -> Self {
        let state = self.state.lock().map(|e| e.clone()).unwrap_or_default();
        MatchCache {
            state: Mutex::new(state),
        }
    }
}

impl MatchState {
    fn of_set_mut(&mut self, set: u32) -> &mut Vec<usize> {
        let set = set as usize;
        if self.of_set.len() <= set {
            self.of_set.resize_with(set + 1, Vec::new);
        }
        &mut self.of_set[set]
    }
}

impl MatchCache {
    /// A new label set joins the entries whose selector matches it.
    fn add_set(&mut self, id: u32, set: &LabelSet) {
        let Ok(state) = self.state.get_mut() else {
            return;
        };
        let matching: Vec<usize> = state
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.namespace == set.namespace && e.selector.matches(&set.labels))
            .map(|(i, _)| i)
            .collect();
        *state.of_set_mut(id) = matching;
    }

    fn update(&mut self, set: u32, node: usize, delta: i64) {
        let Ok(state) = self.state.get_mut() else {
            return;
        };
        let Some(entries) = state.of_set.get(set as usize) else {
            return;
        };
        for &i in entries {
            let e = &mut state.entries[i];
            Arc::make_mut(&mut e.per_node)[node] += delta;
            for a in &mut e.per_domain {
                let admitted = a.mask.as_ref().is_none_or(|m| m[node]);
                if let (true, Some(d)) = (admitted, a.domains.of_node[node]) {
                    if let Some(sum) = &mut Arc::make_mut(&mut a.sums)[d as usize] {
                        *sum += delta;
                    }
                }
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
    /// Every node has the key.
    pub complete: bool,
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

/// A node's zone as kube-scheduler's node tree groups nodes: region and
/// zone, the beta labels first; nodes with neither share the empty zone.
fn zone_key(node: &Node) -> (&str, &str) {
    let get = |beta: &str, ga: &str| {
        node.labels
            .get(beta)
            .or_else(|| node.labels.get(ga))
            .map_or("", String::as_str)
    };
    (
        get(
            "failure-domain.beta.kubernetes.io/region",
            "topology.kubernetes.io/region",
        ),
        get(
            "failure-domain.beta.kubernetes.io/zone",
            "topology.kubernetes.io/zone",
        ),
    )
}

/// The node tree's listing: zones in the order their first node was given,
/// nodes in each zone in the order given, taken round-robin over the zones
/// (one node of each zone, then the second of each, ...).
pub fn node_tree_order(nodes: &[Node]) -> Vec<usize> {
    let mut zones: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let z = *index.entry(zone_key(n)).or_insert_with(|| {
            zones.push(Vec::new());
            zones.len() - 1
        });
        zones[z].push(i);
    }
    let mut order = Vec::with_capacity(nodes.len());
    let deepest = zones.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..deepest {
        order.extend(zones.iter().filter_map(|z| z.get(k)));
    }
    order
}

/// Per node selector and required node affinity: which nodes they admit
/// (node labels never change during a run).
#[derive(Debug, Default)]
pub struct AffinityMasks {
    entries: Mutex<HashMap<NodeAffinityKey, Arc<Vec<bool>>>>,
}

/// A pod's node selector and required node affinity.
type NodeAffinityKey = (Labels, Option<NodeSelector>);

impl Clone for AffinityMasks {
    fn clone(&self) -> Self {
        let entries = self.entries.lock().map(|e| e.clone()).unwrap_or_default();
        AffinityMasks {
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
    /// The order kube-scheduler's node tree lists the nodes in, which is the
    /// order a cycle examines them from its start index.
    pub scan_order: Vec<usize>,
    /// Each node's position in `scan_order`.
    pub scan_position: Vec<usize>,
    /// The nodes whose pods changed, in order: results kept per node are
    /// recomputed for the nodes logged since they were kept.
    pub changes: Vec<usize>,
    node_index: HashMap<String, usize>,
    /// The pods grouped by namespace and labels.
    pub label_sets: LabelSets,
    matches: MatchCache,
    domains: DomainCache,
    masks: AffinityMasks,
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
        let scan_order = node_tree_order(&nodes);
        let mut scan_position = vec![0; nodes.len()];
        for (pos, &node) in scan_order.iter().enumerate() {
            scan_position[node] = pos;
        }
        Cluster {
            nodes,
            infos,
            scan_order,
            scan_position,
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
        let (set, new) = self.label_sets.intern(&pod);
        if new {
            self.matches
                .add_set(set, &self.label_sets.sets[set as usize]);
        }
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
            self.label_sets.of_pod.pop();
        }
    }

    pub fn bind(&mut self, id: usize, node: usize) {
        self.infos[node].add_pod(id, &self.pods[id]);
        self.changes.push(node);
        self.bound[id] = Some(node);
        let set = self.label_sets.of_pod[id];
        self.label_sets.update(set, node, 1);
        self.matches.update(set, node, 1);
        self.affinity_groups.update(&self.pods[id], node, 1);
    }

    pub fn unbind(&mut self, id: usize) {
        if let Some(node) = self.bound[id].take() {
            self.infos[node].remove_pod(id, &self.pods[id]);
            self.changes.push(node);
            let set = self.label_sets.of_pod[id];
            self.label_sets.update(set, node, -1);
            self.matches.update(set, node, -1);
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
        d.complete = d.of_node.iter().all(Option::is_some);
        let d = Arc::new(d);
        if let Ok(mut entries) = self.domains.entries.lock() {
            entries.insert(key.to_owned(), Arc::clone(&d));
        }
        d
    }

    /// Per node, the bound pods in `ns` that `selector` matches.
    pub fn matching_counts(&self, ns: &str, selector: &LabelSelector) -> Arc<Vec<i64>> {
        let Ok(mut state) = self.matches.state.lock() else {
            return Arc::new(
                self.label_sets
                    .count_per_node(self.nodes.len(), |n, l| n == ns && selector.matches(l)),
            );
        };
        self.entry(&mut state, ns, selector).per_node.clone()
    }

    /// The cache entry of (`ns`, `selector`), made when missing.
    fn entry<'s>(
        &self,
        state: &'s mut MatchState,
        ns: &str,
        selector: &LabelSelector,
    ) -> &'s mut MatchEntry {
        if let Some(&i) = state.index.get(ns).and_then(|m| m.get(selector)) {
            return &mut state.entries[i];
        }
        let i = state.entries.len();
        let mut per_node = vec![0i64; self.nodes.len()];
        for (id, set) in self.label_sets.sets.iter().enumerate() {
            if set.namespace == ns && selector.matches(&set.labels) {
                state.of_set_mut(id as u32).push(i);
                for (&node, &n) in &set.nodes {
                    per_node[node] += n;
                }
            }
        }
        state.entries.push(MatchEntry {
            namespace: ns.to_owned(),
            selector: selector.clone(),
            per_node: Arc::new(per_node),
            per_domain: Vec::new(),
        });
        state
            .index
            .entry(ns.to_owned())
            .or_default()
            .insert(selector.clone(), i);
        &mut state.entries[i]
    }

    /// Per domain of `key` (indexed as [`Cluster::domains`]): the bound pods
    /// in `ns` that `selector` matches on the domain's nodes that `mask`
    /// admits (all of them without a mask), `None` for a domain without an
    /// admitted node.
    pub fn domain_counts(
        &self,
        ns: &str,
        selector: &LabelSelector,
        key: &str,
        mask: Option<&Arc<Vec<bool>>>,
    ) -> Arc<Vec<Option<i64>>> {
        let sum = |per_node: &[i64], domains: &Domains| {
            let mut sums: Vec<Option<i64>> = vec![None; domains.values.len()];
            for (node, d) in domains.of_node.iter().enumerate() {
                if let (true, Some(d)) = (mask.is_none_or(|m| m[node]), d) {
                    *sums[*d as usize].get_or_insert(0) += per_node[node];
                }
            }
            sums
        };
        let Ok(mut state) = self.matches.state.lock() else {
            return Arc::new(sum(&self.matching_counts(ns, selector), &self.domains(key)));
        };
        let e = self.entry(&mut state, ns, selector);
        let same_mask = |a: Option<&Arc<Vec<bool>>>| match (a, mask) {
            (None, None) => true,
            (Some(a), Some(m)) => Arc::ptr_eq(a, m) || a == m,
            _ => false,
        };
        if let Some(a) = e
            .per_domain
            .iter()
            .find(|a| a.key == key && same_mask(a.mask.as_ref()))
        {
            return Arc::clone(&a.sums);
        }
        let domains = self.domains(key);
        let sums = Arc::new(sum(&e.per_node, &domains));
        e.per_domain.push(DomainSums {
            key: key.to_owned(),
            mask: mask.cloned(),
            domains,
            sums: Arc::clone(&sums),
        });
        sums
    }

    /// Per node: whether the pod's node selector and required node affinity
    /// admit it.
    pub fn node_affinity_mask(&self, pod: &Pod) -> Arc<Vec<bool>> {
        let key = (
            pod.node_selector.clone(),
            pod.required_node_affinity.clone(),
        );
        if let Ok(entries) = self.masks.entries.lock() {
            if let Some(m) = entries.get(&key) {
                return Arc::clone(m);
            }
        }
        let mask: Arc<Vec<bool>> = Arc::new(
            self.nodes
                .iter()
                .map(|n| required_matches(pod, n))
                .collect(),
        );
        if let Ok(mut entries) = self.masks.entries.lock() {
            entries.insert(key, Arc::clone(&mask));
        }
        mask
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster};
    use crate::schedule::selector::{Op, Requirement};

    fn web() -> Pod {
        PodBuilder::new("web").label("app", "web").build()
    }

    /// The counts kept per selector, per domain and per admitted domain
    /// follow every bind and unbind, and equal a count from scratch.
    #[test]
    fn cached_counts_follow_binds() {
        let node = |name: &str, zone: &str, pool: &str| {
            NodeBuilder::new(name)
                .label("zone", zone)
                .label("pool", pool)
                .build()
        };
        let mut c = cluster(
            vec![
                node("n1", "a", "x"),
                node("n2", "a", "y"),
                node("n3", "b", "x"),
            ],
            vec![(web(), "n1"), (web(), "n2")],
        );
        let selector = LabelSelector::All(vec![Requirement::new("app", Op::In, &["web"])]);
        let mask = Arc::new(vec![true, false, true]);
        assert_eq!(*c.matching_counts("default", &selector), [1, 1, 0]);
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", None),
            [Some(2), Some(0)]
        );
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", Some(&mask)),
            [Some(1), Some(0)]
        );
        let a = c.add_pod(web());
        c.bind(a, 2);
        let b = c.add_pod(web());
        c.bind(b, 1);
        // A pod of another namespace or with other labels counts nowhere.
        let other = c.add_pod(
            PodBuilder::new("web")
                .namespace("ns")
                .label("app", "web")
                .build(),
        );
        c.bind(other, 0);
        let db = c.add_pod(PodBuilder::new("db").label("app", "db").build());
        c.bind(db, 0);
        assert_eq!(*c.matching_counts("default", &selector), [1, 2, 1]);
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", None),
            [Some(3), Some(1)]
        );
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", Some(&mask)),
            [Some(1), Some(1)]
        );
        c.unbind(a);
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", None),
            [Some(3), Some(0)]
        );
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", Some(&mask)),
            [Some(1), Some(0)]
        );
        // A zone whose nodes the mask all refuses has no count at all.
        let only_b = Arc::new(vec![false, false, true]);
        assert_eq!(
            *c.domain_counts("default", &selector, "zone", Some(&only_b)),
            [None, Some(0)]
        );
        assert_eq!(
            c.label_sets
                .count_per_node(3, |ns, l| ns == "default" && selector.matches(l)),
            [1, 2, 0]
        );
    }
}
