//! The described cluster: `v1 Node` objects (as `kubectl get nodes -o yaml`
//! prints them, `List`s included), `NodePool` templates, and quick profiles
//! given on the command line (`3x4cpu16Gi,zones=a|b|c`).
//!
//! Nodes are normalized as a live cluster would show them: allocatable
//! defaults to capacity and `pods` to 110 (the kubelet's `maxPods`); the
//! `kubernetes.io/hostname`, `kubernetes.io/os` (linux) and
//! `kubernetes.io/arch` (amd64) labels, and their `beta.` forms, are filled
//! in; a cordoned node gets the `node.kubernetes.io/unschedulable` taint and
//! a node whose Ready condition is False or Unknown the `not-ready` or
//! `unreachable` taints. Each assumption is reported.

use std::collections::BTreeMap;

use super::resources::ResourceList;
use super::selector::scalar_string;
use super::types::{Node, Taint, resource_list};
use crate::resource::Resource;
use crate::resource::quantity::{Format, Quantity};
use crate::yaml::{Map, Value};

/// The kubelet's default `maxPods`.
pub const DEFAULT_MAX_PODS: i64 = 110;

/// More nodes than any cluster has: a count above it is a typo.
const MAX_NODES: i64 = 100_000;

/// Nodes and the assumptions made about them.
#[derive(Clone, Debug, Default)]
pub struct NodeSet {
    pub nodes: Vec<Node>,
    /// Assumption to the nodes it was made for.
    pub notes: BTreeMap<String, Vec<String>>,
    /// The names taken, to refuse a second node of a name.
    names: std::collections::HashSet<String>,
}

impl NodeSet {
    fn note(&mut self, node: &str, text: &str) {
        self.notes
            .entry(text.to_owned())
            .or_default()
            .push(node.to_owned());
    }

    /// Notes as lines: `<assumption> (<n> nodes: a, b, c, ...)`.
    pub fn note_lines(&self) -> Vec<String> {
        self.notes
            .iter()
            .map(|(text, nodes)| {
                let shown: Vec<&str> = nodes.iter().take(3).map(String::as_str).collect();
                let more = if nodes.len() > 3 { ", ..." } else { "" };
                let s = if nodes.len() == 1 { "" } else { "s" };
                format!(
                    "{text} ({} node{s}: {}{more})",
                    nodes.len(),
                    shown.join(", ")
                )
            })
            .collect()
    }

    /// Adds a `v1 Node` value, normalized.
    pub fn add_node_value(&mut self, v: &Value) -> Result<(), String> {
        let mut node = Node::from_value(v).ok_or("a Node without metadata.name")?;
        let name = node.name.clone();
        let capacity = resource_list(v.pointer("/status/capacity"));
        let mut allocatable = match v.pointer("/status/allocatable") {
            Some(a) if a.as_map().is_some_and(|m| !m.is_empty()) => resource_list(Some(a)),
            _ => {
                if !capacity.is_empty() {
                    self.note(&name, "no status.allocatable: using status.capacity");
                } else {
                    self.note(
                        &name,
                        "neither allocatable nor capacity: the node has no resources",
                    );
                }
                capacity.clone()
            }
        };
        if !allocatable.contains_key("pods") {
            allocatable.insert(
                "pods".into(),
                Quantity::from_units(DEFAULT_MAX_PODS, Format::DecimalSi),
            );
            self.note(
                &name,
                "no pods in allocatable: using the kubelet default of 110",
            );
        }
        node.set_resources(allocatable, &capacity);
        for (key, value) in [
            ("kubernetes.io/hostname", name.as_str()),
            ("kubernetes.io/os", "linux"),
            ("kubernetes.io/arch", "amd64"),
            ("beta.kubernetes.io/os", "linux"),
            ("beta.kubernetes.io/arch", "amd64"),
        ] {
            if !node.labels.contains_key(key) {
                let value = if key.ends_with("/os") {
                    node.labels
                        .get("kubernetes.io/os")
                        .cloned()
                        .unwrap_or_else(|| value.to_owned())
                } else if key.ends_with("/arch") {
                    node.labels
                        .get("kubernetes.io/arch")
                        .cloned()
                        .unwrap_or_else(|| value.to_owned())
                } else {
                    value.to_owned()
                };
                node.labels.insert(key.to_owned(), value);
            }
        }
        let add_taint = |node: &mut Node, key: &str, effect: &str| {
            if !node
                .taints
                .iter()
                .any(|t| t.key == key && t.effect == effect)
            {
                node.taints.push(Taint::new(key, "", effect));
            }
        };
        if node.unschedulable {
            add_taint(&mut node, "node.kubernetes.io/unschedulable", "NoSchedule");
        }
        let ready = v
            .pointer("/status/conditions")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
            .and_then(|c| c.get("status").and_then(Value::as_str).map(str::to_owned));
        match ready.as_deref() {
            Some("False") => {
                add_taint(&mut node, "node.kubernetes.io/not-ready", "NoSchedule");
                add_taint(&mut node, "node.kubernetes.io/not-ready", "NoExecute");
                self.note(
                    &name,
                    "Ready is False: tainted node.kubernetes.io/not-ready",
                );
            }
            Some("Unknown") => {
                add_taint(&mut node, "node.kubernetes.io/unreachable", "NoSchedule");
                add_taint(&mut node, "node.kubernetes.io/unreachable", "NoExecute");
                self.note(
                    &name,
                    "Ready is Unknown: tainted node.kubernetes.io/unreachable",
                );
            }
            _ => {}
        }
        if !self.names.insert(name.clone()) {
            return Err(format!("two nodes are named {name}"));
        }
        self.nodes.push(node);
        Ok(())
    }

    /// Adds the nodes of a `NodePool`: `spec.replicas` (or `count`) nodes
    /// named by `spec.namePattern` (`{i}` is the index, default
    /// `<pool>-{i}`), round-robin over `spec.zones`, each a copy of
    /// `spec.template`.
    pub fn add_pool_value(&mut self, v: &Value) -> Result<(), String> {
        let pool = v
            .pointer("/metadata/name")
            .and_then(scalar_string)
            .ok_or("a NodePool without metadata.name")?;
        let spec = v.get("spec");
        let count = spec
            .and_then(|s| s.get("replicas").or_else(|| s.get("count")))
            .and_then(Value::as_i64)
            .ok_or_else(|| format!("NodePool {pool}: spec.replicas is required"))?;
        if count > MAX_NODES {
            return Err(format!(
                "NodePool {pool}: {count} nodes is more than {MAX_NODES}"
            ));
        }
        let pattern = spec
            .and_then(|s| s.get("namePattern"))
            .and_then(scalar_string)
            .unwrap_or_else(|| format!("{pool}-{{i}}"));
        let zones: Vec<String> = spec
            .and_then(|s| s.get("zones"))
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(scalar_string)
            .collect();
        let template = spec
            .and_then(|s| s.get("template"))
            .cloned()
            .unwrap_or(Value::Map(Map::new()));
        for i in 0..count.max(0) {
            let mut node = template.clone();
            let map = node.make_map();
            let meta = map.child_map("metadata");
            meta.insert(
                "name",
                Value::from(pattern.replace("{i}", &i.to_string()).as_str()),
            );
            if !zones.is_empty() {
                let labels = meta.child_map("labels");
                labels.insert(
                    "topology.kubernetes.io/zone",
                    Value::from(zones[i as usize % zones.len()].as_str()),
                );
            }
            self.add_node_value(&node)?;
        }
        Ok(())
    }

    /// Adds the nodes, node lists and pools among `resources`; the other
    /// objects are returned.
    pub fn add_resources(&mut self, resources: Vec<Resource>) -> Result<Vec<Resource>, String> {
        let mut rest = Vec::new();
        for r in resources {
            match r.kind() {
                Some("Node") => self.add_node_value(&r.value)?,
                Some("NodePool") => self.add_pool_value(&r.value)?,
                _ => rest.push(r),
            }
        }
        Ok(rest)
    }

    /// Adds the nodes of a quick profile (see [`parse_profile`]).
    pub fn add_profile(
        &mut self,
        spec: &str,
        counters: &mut BTreeMap<String, usize>,
    ) -> Result<(), String> {
        let p = parse_profile(spec)?;
        for i in 0..p.count {
            let n = counters.entry(p.prefix.clone()).or_insert(0);
            let name = format!("{}-{n}", p.prefix);
            *n += 1;
            let mut labels = Map::new();
            for (k, v) in &p.labels {
                labels.insert(k.as_str(), Value::from(v.as_str()));
            }
            if !p.zones.is_empty() {
                labels.insert(
                    "topology.kubernetes.io/zone",
                    Value::from(p.zones[i % p.zones.len()].as_str()),
                );
            }
            let mut meta = Map::new();
            meta.insert("name", Value::from(name.as_str()));
            meta.insert("labels", Value::Map(labels));
            let taints = p
                .taints
                .iter()
                .map(|t| {
                    let mut m = Map::new();
                    m.insert("key", Value::from(t.key.as_str()));
                    if !t.value.is_empty() {
                        m.insert("value", Value::from(t.value.as_str()));
                    }
                    m.insert("effect", Value::from(t.effect.as_str()));
                    Value::Map(m)
                })
                .collect();
            let mut spec = Map::new();
            spec.insert("taints", Value::Seq(taints));
            let list = |l: &ResourceList| -> Value {
                Value::Map(
                    l.iter()
                        .map(|(k, q)| (k.as_str(), Value::from(q.to_string().as_str())))
                        .collect(),
                )
            };
            let mut status = Map::new();
            status.insert("capacity", list(&p.capacity));
            status.insert("allocatable", list(&p.allocatable));
            let mut node = Map::new();
            node.insert("metadata", Value::Map(meta));
            node.insert("spec", Value::Map(spec));
            node.insert("status", Value::Map(status));
            self.add_node_value(&Value::Map(node))?;
            if !p.reserved {
                self.note(
                    &name,
                    "from a profile: allocatable is the whole capacity (no system or kubelet reservation; alloc=reserve:CPU/MEMORY sets one)",
                );
            }
        }
        Ok(())
    }
}

/// A parsed `--nodes` profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub count: usize,
    pub prefix: String,
    pub capacity: ResourceList,
    pub allocatable: ResourceList,
    pub zones: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub taints: Vec<Taint>,
    /// `alloc=reserve:...` was given (else allocatable is the capacity).
    pub reserved: bool,
}

/// Whether a `--nodes` value looks like a profile rather than a path.
pub fn looks_like_profile(s: &str) -> bool {
    let head = s.split(',').next().unwrap_or("");
    let body = match head.split_once('x') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => head,
    };
    body.contains("cpu")
        && body.split("cpu").next().is_some_and(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'm')
        })
}

/// Parses `[COUNT "x"] CPU "cpu" MEM ("," OPT)*` where OPT is `pods=N`,
/// `zones=a|b|c`, `label=k=v`, `taint=k[=v]:Effect`, `name=prefix`,
/// `storage=QTY` (ephemeral-storage), `gpu=resource:N` or
/// `alloc=raw|reserve:CPU/MEM` (subtracted from capacity).
pub fn parse_profile(spec: &str) -> Result<Profile, String> {
    let bad = |why: &str| {
        format!(
            "--nodes {spec}: {why}; expected COUNTxCPUcpuMEMORY[,option...], e.g. 3x4cpu16Gi,zones=a|b|c"
        )
    };
    let mut parts = spec.split(',');
    let head = parts.next().unwrap_or("");
    let (count, rest) = match head.split_once('x') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            let n = n
                .parse::<usize>()
                .map_err(|_| bad("the count is not a number"))?;
            if n as i64 > MAX_NODES {
                return Err(bad(&format!("more than {MAX_NODES} nodes")));
            }
            (n, rest)
        }
        _ => (1, head),
    };
    let (cpu, mem) = rest.split_once("cpu").ok_or_else(|| bad("no cpu"))?;
    let cpu = Quantity::parse(cpu).map_err(|_| bad(&format!("`{cpu}` is not a cpu amount")))?;
    let mem = Quantity::parse(mem).map_err(|_| bad(&format!("`{mem}` is not a memory amount")))?;
    if cpu.is_zero() || cpu.is_negative() || mem.is_negative() {
        return Err(bad("cpu must be positive and memory not negative"));
    }
    let mut capacity = ResourceList::new();
    capacity.insert("cpu".into(), cpu);
    capacity.insert("memory".into(), mem);
    let mut p = Profile {
        count,
        prefix: "node".into(),
        capacity,
        allocatable: ResourceList::new(),
        zones: Vec::new(),
        labels: Vec::new(),
        taints: Vec::new(),
        reserved: false,
    };
    let mut reserve: Option<(Quantity, Quantity)> = None;
    for opt in parts {
        let (k, v) = opt
            .split_once('=')
            .ok_or_else(|| bad(&format!("option `{opt}` has no value")))?;
        match k {
            "pods" => {
                let n: i64 = v.parse().map_err(|_| bad("pods must be a number"))?;
                p.capacity
                    .insert("pods".into(), Quantity::from_units(n, Format::DecimalSi));
            }
            "zones" => {
                p.zones = v
                    .split('|')
                    .filter(|z| !z.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "label" => {
                let (lk, lv) = v.split_once('=').unwrap_or((v, ""));
                p.labels.push((lk.to_owned(), lv.to_owned()));
            }
            "taint" => {
                let (kv, effect) = v
                    .rsplit_once(':')
                    .ok_or_else(|| bad("a taint needs an effect: key[=value]:NoSchedule"))?;
                if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                    return Err(bad(&format!("`{effect}` is not a taint effect")));
                }
                let (tk, tv) = kv.split_once('=').unwrap_or((kv, ""));
                p.taints.push(Taint::new(tk, tv, effect));
            }
            "name" => p.prefix = v.to_owned(),
            "storage" => {
                let q = Quantity::parse(v).map_err(|_| bad("storage is not a quantity"))?;
                p.capacity.insert("ephemeral-storage".into(), q);
            }
            "gpu" => {
                let (res, n) = v.rsplit_once(':').unwrap_or(("nvidia.com/gpu", v));
                let q = Quantity::parse(n).map_err(|_| bad("gpu count is not a number"))?;
                p.capacity.insert(res.to_owned(), q);
            }
            "alloc" => {
                if v == "raw" {
                    reserve = None;
                } else if let Some(r) = v.strip_prefix("reserve:") {
                    let (c, m) = r
                        .split_once('/')
                        .ok_or_else(|| bad("alloc=reserve:CPU/MEMORY"))?;
                    let c =
                        Quantity::parse(c).map_err(|_| bad("reserved cpu is not a quantity"))?;
                    let m =
                        Quantity::parse(m).map_err(|_| bad("reserved memory is not a quantity"))?;
                    reserve = Some((c, m));
                } else {
                    return Err(bad("alloc is raw or reserve:CPU/MEMORY"));
                }
            }
            other => return Err(bad(&format!("unknown option `{other}`"))),
        }
    }
    p.capacity
        .entry("pods".into())
        .or_insert(Quantity::from_units(DEFAULT_MAX_PODS, Format::DecimalSi));
    p.reserved = reserve.is_some();
    p.allocatable = p.capacity.clone();
    if let Some((c, m)) = reserve {
        for (name, q) in [("cpu", c), ("memory", m)] {
            if let Some(a) = p.allocatable.get_mut(name) {
                *a = *a - q;
                if a.is_negative() {
                    return Err(bad(&format!("the reserved {name} exceeds the capacity")));
                }
            }
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::yaml;

    #[test]
    fn profiles_parse() {
        let p = parse_profile("3x4cpu16Gi,zones=a|b|c").expect("profile");
        assert_eq!(p.count, 3);
        assert_eq!(p.capacity["cpu"].milli_value(), 4000);
        assert_eq!(p.capacity["memory"].value(), 16 << 30);
        assert_eq!(p.zones, ["a", "b", "c"]);
        let p = parse_profile("1x2cpu8Gi,taint=node-role.kubernetes.io/control-plane:NoSchedule")
            .expect("profile");
        assert_eq!(
            p.taints,
            [Taint::new(
                "node-role.kubernetes.io/control-plane",
                "",
                "NoSchedule"
            )]
        );
        let p = parse_profile("2x3500mcpu8Gi,alloc=reserve:500m/1Gi,gpu=nvidia.com/gpu:1")
            .expect("profile");
        assert_eq!(p.allocatable["cpu"].milli_value(), 3000);
        assert_eq!(p.allocatable["memory"].value(), 7 << 30);
        assert_eq!(p.capacity["nvidia.com/gpu"].value(), 1);
        assert!(parse_profile("3x4cpu16Gi,bogus=1").is_err());
        assert!(parse_profile("4cpu").is_err());
        assert!(looks_like_profile("3x4cpu16Gi"));
        assert!(looks_like_profile("2cpu4Gi,zones=a"));
        assert!(!looks_like_profile("nodes/"));
        assert!(!looks_like_profile("cpu-nodes.yaml"));
    }

    #[test]
    fn profile_nodes_are_named_and_zoned() {
        let mut set = NodeSet::default();
        let mut counters = BTreeMap::new();
        set.add_profile("3x4cpu16Gi,zones=a|b", &mut counters)
            .expect("nodes");
        set.add_profile(
            "1x2cpu8Gi,name=cp,taint=node-role.kubernetes.io/control-plane:NoSchedule",
            &mut counters,
        )
        .expect("nodes");
        let names: Vec<&str> = set.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["node-0", "node-1", "node-2", "cp-0"]);
        let zones: Vec<Option<&str>> = set.nodes.iter().map(Node::zone).collect();
        assert_eq!(zones, [Some("a"), Some("b"), Some("a"), None]);
        assert_eq!(set.nodes[0].allocatable.allowed_pods, 110);
        assert_eq!(set.nodes[3].taints.len(), 1);
    }

    /// The seed `003_L9052-9057_node.yaml`: a cordoned node gets the
    /// unschedulable taint; missing allocatable and labels are filled in.
    #[test]
    fn nodes_are_normalized() {
        let mut set = NodeSet::default();
        set.add_node_value(&yaml(
            "apiVersion: v1\nkind: Node\nmetadata: {name: cnode-1}\nspec: {unschedulable: true}\nstatus: {capacity: {cpu: '2', memory: 4Gi}}\n",
        ))
        .expect("node");
        let n = &set.nodes[0];
        assert_eq!(n.allocatable.milli_cpu, 2000);
        assert_eq!(n.allocatable.allowed_pods, 110);
        assert_eq!(n.labels["kubernetes.io/hostname"], "cnode-1");
        assert_eq!(n.labels["kubernetes.io/os"], "linux");
        assert_eq!(
            n.taints,
            [Taint::new(
                "node.kubernetes.io/unschedulable",
                "",
                "NoSchedule"
            )]
        );
        assert_eq!(set.note_lines().len(), 2);
    }

    #[test]
    fn pools_expand() {
        let mut set = NodeSet::default();
        set.add_pool_value(&yaml(
            "apiVersion: drydock.dev/v1alpha1\nkind: NodePool\nmetadata: {name: workers}\nspec:\n  replicas: 3\n  zones: [z1, z2]\n  template:\n    metadata: {labels: {pool: workers}}\n    status: {allocatable: {cpu: 3920m, memory: 14Gi, pods: '110'}}\n",
        ))
        .expect("pool");
        let names: Vec<&str> = set.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["workers-0", "workers-1", "workers-2"]);
        assert_eq!(set.nodes[2].zone(), Some("z1"));
        assert_eq!(set.nodes[1].labels["pool"], "workers");
        assert_eq!(set.nodes[0].allocatable.milli_cpu, 3920);
    }
}
