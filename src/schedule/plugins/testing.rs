//! Builders and runners for plugin tests, in the spirit of upstream's
//! `st.MakePod()` / `st.MakeNode()`: transcribed tables stay short.

use crate::resource::quantity::Quantity;
use crate::schedule::cluster::Cluster;
use crate::schedule::framework::{Cycle, Framework, Plugin, PreFilter, PreScore, Status, Version};
use crate::schedule::resources::ResourceList;
use crate::schedule::selector::labels_of;
use crate::schedule::types::{
    Container, ContainerKind, HostPort, Node, NodeImage, Pod, Taint, Toleration,
};
use crate::source::FileId;
use crate::yaml::{LoadOptions, Value};

/// Parses one YAML document (test input only).
pub fn yaml(text: &str) -> Value {
    let parsed = crate::yaml::parse(FileId(0), text, &LoadOptions::default());
    parsed
        .docs
        .into_iter()
        .next()
        .map(|d| d.value)
        .unwrap_or_default()
}

pub fn list(pairs: &[(&str, &str)]) -> ResourceList {
    pairs
        .iter()
        .map(|(k, v)| {
            let q = Quantity::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
            ((*k).to_owned(), q)
        })
        .collect()
}

pub struct PodBuilder {
    pod: Pod,
    pod_level: bool,
}

impl PodBuilder {
    pub fn new(name: &str) -> PodBuilder {
        PodBuilder {
            pod: Pod::new(name, "default"),
            pod_level: false,
        }
    }

    /// A pod from a YAML pod spec (`containers`, `affinity`, ...), for the
    /// parts the builder has no method for.
    pub fn spec(name: &str, labels: &[(&str, &str)], spec: &str) -> PodBuilder {
        let v = yaml(spec);
        let map = v.as_map().cloned().unwrap_or_default();
        let labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let pod = Pod::from_spec(name, "default", labels, &map, &mut |kind, i| {
            let key = if kind == ContainerKind::Init {
                "initContainers"
            } else {
                "containers"
            };
            crate::schedule::types::resource_list(
                map.get(key)
                    .and_then(Value::as_seq)
                    .and_then(|s| s.get(i))
                    .and_then(|c| c.pointer("/resources/requests")),
            )
        });
        PodBuilder {
            pod,
            pod_level: false,
        }
    }

    pub fn namespace(mut self, ns: &str) -> Self {
        self.pod.namespace = ns.to_owned();
        self
    }

    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.pod.labels.insert(k.to_owned(), v.to_owned());
        self
    }

    fn container(mut self, kind: ContainerKind, req: &[(&str, &str)]) -> Self {
        let name = format!("c{}", self.pod.containers.len());
        self.pod.containers.push(Container {
            name,
            image: String::new(),
            kind,
            requests: list(req),
            host_ports: Vec::new(),
        });
        self
    }

    /// A regular container with these requests.
    pub fn req(self, req: &[(&str, &str)]) -> Self {
        self.container(ContainerKind::Regular, req)
    }

    pub fn init_req(self, req: &[(&str, &str)]) -> Self {
        self.container(ContainerKind::Init, req)
    }

    pub fn sidecar_req(self, req: &[(&str, &str)]) -> Self {
        self.container(ContainerKind::Sidecar, req)
    }

    pub fn image(mut self, image: &str) -> Self {
        let name = format!("c{}", self.pod.containers.len());
        self.pod.containers.push(Container {
            name,
            image: image.to_owned(),
            kind: ContainerKind::Regular,
            requests: ResourceList::new(),
            host_ports: Vec::new(),
        });
        self
    }

    pub fn overhead(mut self, req: &[(&str, &str)]) -> Self {
        self.pod.overhead = list(req);
        self
    }

    pub fn pod_level(mut self, req: &[(&str, &str)]) -> Self {
        self.pod.pod_level_requests = list(req);
        self.pod_level = true;
        self
    }

    pub fn node_name(mut self, n: &str) -> Self {
        self.pod.node_name = Some(n.to_owned());
        self
    }

    pub fn node_selector(mut self, k: &str, v: &str) -> Self {
        self.pod.node_selector.insert(k.to_owned(), v.to_owned());
        self
    }

    pub fn toleration(mut self, key: &str, op: &str, value: &str, effect: &str) -> Self {
        self.pod
            .tolerations
            .push(Toleration::new(key, op, value, effect));
        self
    }

    /// A container with a host port (`ip` may be empty; `protocol` too).
    pub fn host_port(mut self, ip: &str, protocol: &str, port: i64) -> Self {
        let name = format!("c{}", self.pod.containers.len());
        self.pod.containers.push(Container {
            name,
            image: String::new(),
            kind: ContainerKind::Regular,
            requests: ResourceList::new(),
            host_ports: vec![HostPort {
                ip: if ip.is_empty() { "0.0.0.0" } else { ip }.to_owned(),
                protocol: if protocol.is_empty() { "TCP" } else { protocol }.to_owned(),
                port,
            }],
        });
        self
    }

    pub fn priority(mut self, p: i64) -> Self {
        self.pod.priority = p;
        self
    }

    pub fn build(mut self) -> Pod {
        self.pod.finish(self.pod_level);
        self.pod
    }
}

pub struct NodeBuilder {
    node: Node,
}

impl NodeBuilder {
    pub fn new(name: &str) -> NodeBuilder {
        NodeBuilder {
            node: Node::new(name),
        }
    }

    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.node.labels.insert(k.to_owned(), v.to_owned());
        self
    }

    pub fn labels_yaml(mut self, text: &str) -> Self {
        self.node.labels = labels_of(Some(&yaml(text)));
        self
    }

    pub fn taint(mut self, key: &str, value: &str, effect: &str) -> Self {
        self.node.taints.push(Taint::new(key, value, effect));
        self
    }

    pub fn unschedulable(mut self) -> Self {
        self.node.unschedulable = true;
        self
    }

    /// Allocatable (and capacity) as a resource list.
    pub fn alloc(mut self, pairs: &[(&str, &str)]) -> Self {
        let l = list(pairs);
        self.node.set_resources(l.clone(), &l);
        self
    }

    pub fn image(mut self, names: &[&str], size: i64) -> Self {
        self.node.images.push(NodeImage {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            size,
        });
        self
    }

    pub fn build(self) -> Node {
        self.node
    }
}

/// A cluster of `nodes` with `existing` pods bound by node name.
pub fn cluster(nodes: Vec<Node>, existing: Vec<(Pod, &str)>) -> Cluster {
    let mut c = Cluster::new(nodes);
    for (pod, node) in existing {
        let id = c.add_pod(pod);
        let n = c
            .node_by_name(node)
            .unwrap_or_else(|| panic!("no node {node}"));
        c.bind(id, n);
    }
    c
}

/// Runs one plugin's PreFilter and Filter for `pod` on every node:
/// PreFilter's outcome (`Err` for a rejection) and each node's status.
pub fn filter_all(
    plugin: &dyn Plugin,
    cluster: &Cluster,
    pod: &Pod,
) -> Result<Vec<Status>, Status> {
    let cx = Cycle {
        cluster,
        pod,
        version: Version::DEFAULT,
    };
    let state = match plugin.pre_filter(&cx) {
        PreFilter::Skip => None,
        PreFilter::Reject(s) => return Err(s),
        PreFilter::Pass { state, .. } => state,
    };
    Ok(cluster
        .infos
        .iter()
        .map(|info| plugin.filter(&cx, state.as_deref(), info))
        .collect())
}

/// One node with `existing` pods: the status of `pod` there.
pub fn filter_one(plugin: &dyn Plugin, node: &Node, existing: &[Pod], pod: &Pod) -> Status {
    let c = cluster(
        vec![node.clone()],
        existing
            .iter()
            .map(|p| (p.clone(), node.name.as_str()))
            .collect(),
    );
    match filter_all(plugin, &c, pod) {
        Ok(mut s) => s.remove(0),
        Err(s) => s,
    }
}

/// Runs one score plugin over every node as feasible: normalized scores, or
/// `None` when PreScore skips.
pub fn scores_with(
    plugin: &dyn Plugin,
    cluster: &Cluster,
    pod: &Pod,
    version: Version,
) -> Option<Vec<i64>> {
    let cx = Cycle {
        cluster,
        pod,
        version,
    };
    let infos: Vec<_> = cluster.infos.iter().collect();
    let state = match plugin.pre_score(&cx, &infos) {
        PreScore::Skip => return None,
        PreScore::Run(s) => s,
    };
    let mut scores: Vec<i64> = infos
        .iter()
        .map(|i| plugin.score(&cx, state.as_deref(), i))
        .collect();
    plugin.normalize(&cx, state.as_deref(), &infos, &mut scores);
    Some(scores)
}

/// Like [`scores_with`], with only the nodes `feasible` (indexes) scored.
pub fn scores_on(
    plugin: &dyn Plugin,
    cluster: &Cluster,
    pod: &Pod,
    feasible: &[usize],
) -> Option<Vec<i64>> {
    let cx = Cycle {
        cluster,
        pod,
        version: Version::DEFAULT,
    };
    let infos: Vec<_> = feasible.iter().map(|&i| &cluster.infos[i]).collect();
    let state = match plugin.pre_score(&cx, &infos) {
        PreScore::Skip => return None,
        PreScore::Run(s) => s,
    };
    let mut scores: Vec<i64> = infos
        .iter()
        .map(|i| plugin.score(&cx, state.as_deref(), i))
        .collect();
    plugin.normalize(&cx, state.as_deref(), &infos, &mut scores);
    Some(scores)
}

pub fn scores(plugin: &dyn Plugin, cluster: &Cluster, pod: &Pod) -> Option<Vec<i64>> {
    scores_with(plugin, cluster, pod, Version::DEFAULT)
}

/// The full default profile, one cycle: the chosen node's name or the message.
pub fn schedule(cluster: &Cluster, pod: &Pod, version: Version) -> Result<String, String> {
    let fw = Framework::new(version);
    match fw.schedule_one(cluster, pod, false).decision {
        crate::schedule::framework::Decision::Placed { node, .. } => {
            Ok(cluster.nodes[node].name.clone())
        }
        crate::schedule::framework::Decision::Unschedulable { message, .. } => Err(message),
    }
}
