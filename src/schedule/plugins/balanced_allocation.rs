//! NodeResourcesBalancedAllocation (score only, weight 1): favours nodes
//! whose cpu and memory would be used in similar proportions. For each
//! resource the fraction `min(requested + pod request, allocatable) /
//! allocatable` is taken from actual requests (no non-zero defaults); with two
//! resources the score is `(1 - |f1 - f2| / 2) * 100`, with more
//! `(1 - population standard deviation) * 100`, truncated. Resources the node
//! does not have, and extended resources the pod does not request, are left
//! out. From v1.33 PreScore skips pods that request neither cpu nor memory.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreScore, StateData, Version};
use crate::schedule::resources::is_scalar;

pub struct BalancedAllocation {
    pub version: Version,
}

/// The resources scored (the default `cpu` and `memory`).
const RESOURCES: [&str; 2] = ["cpu", "memory"];

/// `balancedResourceScorer` over `(requested, allocatable)` pairs.
pub fn balanced_score(pairs: &[(i64, i64)]) -> i64 {
    let fractions: Vec<f64> = pairs
        .iter()
        .filter(|(_, alloc)| *alloc != 0)
        .map(|&(req, alloc)| (req as f64 / alloc as f64).min(1.0))
        .collect();
    let std = match fractions.len() {
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        n if n > 2 => {
            let mean = fractions.iter().sum::<f64>() / n as f64;
            (fractions
                .iter()
                .map(|f| (f - mean) * (f - mean))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * 100.0) as i64
}

/// The score for a set of resources (tests use more than the default two).
pub fn score_for(resources: &[&str], cx: &Cycle<'_>, info: &NodeInfo) -> i64 {
    let alloc = &cx.node(info).allocatable;
    let pairs: Vec<(i64, i64)> = resources
        .iter()
        .filter_map(|&r| {
            let pod = cx.pod.requests.get(r);
            if is_scalar(r) && pod == 0 {
                return None;
            }
            let a = alloc.get(r);
            (a != 0).then(|| (info.requested.get(r) + pod, a))
        })
        .collect();
    balanced_score(&pairs)
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        "NodeResourcesBalancedAllocation"
    }

    fn node_local(&self) -> bool {
        true
    }

    fn weight(&self) -> i64 {
        1
    }

    fn pre_score(&self, cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        if self.version.balanced_skips_best_effort() && cx.pod.is_best_effort() {
            PreScore::Skip
        } else {
            PreScore::Run(None)
        }
    }

    fn score(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        let alloc = &cx.node(info).allocatable;
        let mut pairs = [(0, 0); 2];
        let mut n = 0;
        for r in RESOURCES {
            let a = alloc.get(r);
            if a != 0 {
                pairs[n] = (info.requested.get(r) + cx.pod.requests.get(r), a);
                n += 1;
            }
        }
        balanced_score(&pairs[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::cluster::Cluster;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, scores_with};
    use crate::schedule::types::{Node, Pod};

    /// `makeNode(name, milliCPU, memory, extended)` of the upstream tests.
    fn node(name: &str, milli: i64, mem: i64, gpu: Option<i64>) -> Node {
        let cpu = format!("{milli}m");
        let mem = mem.to_string();
        let gpu = gpu.map(|g| g.to_string());
        let mut pairs = vec![
            ("cpu", cpu.as_str()),
            ("memory", mem.as_str()),
            ("pods", "32"),
        ];
        if let Some(g) = &gpu {
            pairs.push(("nvidia.com/gpu", g.as_str()));
        }
        NodeBuilder::new(name).alloc(&pairs).build()
    }

    fn cpu_only() -> Pod {
        PodBuilder::new("cpu-only")
            .req(&[("cpu", "1000m"), ("memory", "0")])
            .req(&[("cpu", "2000m"), ("memory", "0")])
            .build()
    }

    fn cpu_and_memory() -> Pod {
        PodBuilder::new("cpu-and-memory")
            .req(&[("cpu", "1000m"), ("memory", "2000")])
            .req(&[("cpu", "2000m"), ("memory", "3000")])
            .build()
    }

    fn cpu_memory_gpu() -> Pod {
        PodBuilder::new("gpu")
            .req(&[("cpu", "1000m"), ("memory", "2000")])
            .req(&[
                ("cpu", "2000m"),
                ("memory", "3000"),
                ("nvidia.com/gpu", "3"),
            ])
            .build()
    }

    fn run(c: &Cluster, pod: &Pod, v: Version) -> Option<Vec<i64>> {
        scores_with(&BalancedAllocation { version: v }, c, pod, v)
    }

    fn v133() -> Version {
        Version {
            minor: 33,
            patch: 0,
        }
    }

    /// `TestNodeResourcesBalancedAllocation`
    /// (noderesources/balanced_allocation_test.go), default resources.
    #[test]
    fn upstream_table() {
        // "nothing scheduled, nothing requested, skip in PreScore" (v1.33+)
        let c = cluster(
            vec![
                node("node1", 4000, 10000, None),
                node("node2", 4000, 10000, None),
            ],
            vec![],
        );
        assert_eq!(run(&c, &PodBuilder::new("p").build(), v133()), None);
        // In v1.32 the best-effort pod is still scored.
        assert_eq!(
            run(&c, &PodBuilder::new("p").build(), Version::DEFAULT),
            Some(vec![100, 100])
        );
        // "nothing scheduled, resources requested, differently sized nodes"
        let c = cluster(
            vec![
                node("node1", 4000, 10000, None),
                node("node2", 6000, 10000, None),
            ],
            vec![],
        );
        assert_eq!(run(&c, &cpu_and_memory(), v133()), Some(vec![87, 100]));
        // "resources requested, pods scheduled with resources"
        let c = cluster(
            vec![
                node("node1", 10000, 20000, None),
                node("node2", 10000, 20000, None),
            ],
            vec![(cpu_only(), "node1"), (cpu_and_memory(), "node2")],
        );
        assert_eq!(run(&c, &cpu_and_memory(), v133()), Some(vec![82, 95]));
        // "resources requested, pods scheduled with resources, differently sized nodes"
        let c = cluster(
            vec![
                node("node1", 10000, 20000, None),
                node("node2", 10000, 50000, None),
            ],
            vec![(cpu_only(), "node1"), (cpu_and_memory(), "node2")],
        );
        assert_eq!(run(&c, &cpu_and_memory(), v133()), Some(vec![82, 80]));
        // "requested resources at node capacity"
        let c = cluster(
            vec![
                node("node1", 6000, 10000, None),
                node("node2", 6000, 10000, None),
            ],
            vec![(cpu_only(), "node1"), (cpu_and_memory(), "node2")],
        );
        assert_eq!(run(&c, &cpu_only(), v133()), Some(vec![50, 75]));
    }

    /// `TestNodeResourcesBalancedAllocation`: "include scalar resource on a
    /// node for balanced resource allocation" and "node without the scalar
    /// resource should skip the scalar resource" (three resources).
    #[test]
    fn scalar_resources_upstream_table() {
        let three = ["cpu", "memory", "nvidia.com/gpu"];
        let score = |c: &Cluster, pod: &Pod| -> Vec<i64> {
            let cx = Cycle {
                cluster: c,
                pod,
                version: v133(),
            };
            c.infos.iter().map(|i| score_for(&three, &cx, i)).collect()
        };
        let c = cluster(
            vec![
                node("node1", 3500, 40000, Some(8)),
                node("node2", 3500, 40000, Some(8)),
            ],
            vec![(cpu_and_memory(), "node2"), (cpu_memory_gpu(), "node1")],
        );
        let pod = PodBuilder::new("p")
            .req(&[("memory", "0"), ("nvidia.com/gpu", "1")])
            .build();
        assert_eq!(score(&c, &pod), vec![70, 65]);
        let c = cluster(
            vec![
                node("node1", 3500, 40000, Some(8)),
                node("node2", 3500, 40000, None),
            ],
            vec![],
        );
        assert_eq!(score(&c, &cpu_and_memory()), vec![63, 63]);
    }
}
