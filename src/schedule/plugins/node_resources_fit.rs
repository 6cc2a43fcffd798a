//! NodeResourcesFit.
//!
//! Filter: a node with `allocatable.pods` pods already bound has no room
//! (`Too many pods`, checked even for pods that request nothing); then, for a
//! pod that requests anything, each of cpu, memory and ephemeral-storage, then
//! every other requested resource (extended resources, hugepages, ...; a
//! resource the node does not advertise has nothing allocatable) must fit in
//! allocatable minus what the node's pods request: `Insufficient <name>`.
//! Every failing resource is a reason. Unschedulable; from v1.34 a request
//! above the node's whole allocatable is UnschedulableAndUnresolvable.
//!
//! Score (weight 1), LeastAllocated over cpu and memory (weight 1 each):
//! `(allocatable - requested) * 100 / allocatable` per resource, where
//! requested counts the scheduler's non-zero defaults (100m cpu, 200Mi memory
//! for a container that sets no request), averaged with integer division.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Code, Cycle, Plugin, PreFilter, PreScore, StateData, Status};
use crate::schedule::resources::{Resources, is_extended};

pub struct NodeResourcesFit;

/// One resource that does not fit (`InsufficientResource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insufficient {
    pub resource: String,
    pub reason: String,
    pub requested: i64,
    pub used: i64,
    pub capacity: i64,
}

impl Insufficient {
    /// The request exceeds the node's whole allocatable.
    pub fn unresolvable(&self) -> bool {
        self.resource != "pods" && self.requested > self.capacity
    }
}

/// `fitsRequest`: every resource of `request` that does not fit on the node.
pub fn fits_request(request: &Resources, info: &NodeInfo, alloc: &Resources) -> Vec<Insufficient> {
    let mut out = Vec::new();
    let pods = info.pods.len() as i64;
    if pods + 1 > alloc.allowed_pods {
        out.push(Insufficient {
            resource: "pods".into(),
            reason: "Too many pods".into(),
            requested: 1,
            used: pods,
            capacity: alloc.allowed_pods,
        });
    }
    if request.is_empty_request() {
        return out;
    }
    for name in ["cpu", "memory", "ephemeral-storage"] {
        let req = request.get(name);
        let (cap, used) = (alloc.get(name), info.requested.get(name));
        if req > 0 && req > cap - used {
            out.push(Insufficient {
                resource: name.into(),
                reason: format!("Insufficient {name}"),
                requested: req,
                used,
                capacity: cap,
            });
        }
    }
    for (name, &req) in &request.scalar {
        if req == 0 {
            continue;
        }
        let (cap, used) = (alloc.get(name), info.requested.get(name));
        if req > cap - used {
            out.push(Insufficient {
                resource: name.clone(),
                reason: format!("Insufficient {name}"),
                requested: req,
                used,
                capacity: cap,
            });
        }
    }
    out
}

/// Whether a name is an extended resource (for messages about devices).
pub fn is_device(name: &str) -> bool {
    is_extended(name)
}

/// LeastAllocated for one resource.
fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * 100 / capacity
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn pre_filter(&self, _cx: &Cycle<'_>) -> PreFilter {
        PreFilter::pass()
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        let alloc = &cx.node(info).allocatable;
        let insufficient = fits_request(&cx.pod.requests, info, alloc);
        if insufficient.is_empty() {
            return Status::success();
        }
        let code = if cx.version.fit_unresolvable_over_allocatable()
            && insufficient.iter().any(Insufficient::unresolvable)
        {
            Code::UnschedulableAndUnresolvable
        } else {
            Code::Unschedulable
        };
        Status::with_reasons(code, insufficient.into_iter().map(|i| i.reason).collect())
    }

    fn weight(&self) -> i64 {
        1
    }

    fn pre_score(&self, _cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        PreScore::Run(None)
    }

    fn score(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        let alloc = &cx.node(info).allocatable;
        let mut sum = 0;
        let mut weights = 0;
        for (cap, req) in [
            (alloc.milli_cpu, info.non_zero_cpu + cx.pod.non_zero_cpu),
            (alloc.memory, info.non_zero_memory + cx.pod.non_zero_memory),
        ] {
            if cap == 0 {
                continue;
            }
            sum += least_requested(req, cap);
            weights += 1;
        }
        if weights == 0 { 0 } else { sum / weights }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Version;
    use crate::schedule::plugins::testing::{
        NodeBuilder, PodBuilder, cluster, filter_one, schedule, scores,
    };
    use crate::schedule::types::{Node, Pod};

    /// `makeAllocatableResources(10, 20, 32, 5, 20, 5)`: cpu 10m, memory 20,
    /// 32 pods, 5 of example.com/aaa, storage 20, 5 of hugepages-2Mi.
    fn node() -> Node {
        NodeBuilder::new("n")
            .alloc(&[
                ("cpu", "10m"),
                ("memory", "20"),
                ("pods", "32"),
                ("example.com/aaa", "5"),
                ("ephemeral-storage", "20"),
                ("hugepages-2Mi", "5"),
            ])
            .build()
    }

    fn used(cpu: &str, mem: &str) -> Pod {
        PodBuilder::new("existing")
            .req(&[("cpu", cpu), ("memory", mem)])
            .build()
    }

    fn used_with(pairs: &[(&str, &str)]) -> Pod {
        PodBuilder::new("existing").req(pairs).build()
    }

    fn insufficient(names: &[&str]) -> Status {
        Status::with_reasons(
            Code::Unschedulable,
            names.iter().map(|n| format!("Insufficient {n}")).collect(),
        )
    }

    fn check(pod: &Pod, existing: &Pod, want: Status) {
        assert_eq!(
            filter_one(
                &NodeResourcesFit,
                &node(),
                std::slice::from_ref(existing),
                pod
            ),
            want,
            "{pod:?}"
        );
    }

    /// `TestEnoughRequests` (noderesources/fit_test.go).
    #[test]
    fn enough_requests_upstream_table() {
        let ok = Status::success();
        let pod = |cpu: &str, mem: &str| PodBuilder::new("p").req(&[("cpu", cpu), ("memory", mem)]);
        // "no resources requested always fits"
        check(
            &PodBuilder::new("p").build(),
            &used("10m", "20"),
            ok.clone(),
        );
        // "too many resources fails"
        check(
            &pod("1m", "1").build(),
            &used("10m", "20"),
            insufficient(&["cpu", "memory"]),
        );
        // "too many resources fails due to init container cpu"
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "3m"), ("memory", "1")])
                .build(),
            &used("8m", "19"),
            insufficient(&["cpu"]),
        );
        // "too many resources fails due to highest init container cpu"
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "3m"), ("memory", "1")])
                .init_req(&[("cpu", "2m"), ("memory", "1")])
                .build(),
            &used("8m", "19"),
            insufficient(&["cpu"]),
        );
        // "too many resources fails due to init container memory"
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "1m"), ("memory", "3")])
                .build(),
            &used("9m", "19"),
            insufficient(&["memory"]),
        );
        // "too many resources fails due to highest init container memory"
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "1m"), ("memory", "3")])
                .init_req(&[("cpu", "1m"), ("memory", "2")])
                .build(),
            &used("9m", "19"),
            insufficient(&["memory"]),
        );
        // "init container fits because it's the max, not sum, of containers and init containers"
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "1m"), ("memory", "1")])
                .build(),
            &used("9m", "19"),
            ok.clone(),
        );
        // "multiple init containers fit because it's the max, not sum, ..."
        check(
            &pod("1m", "1")
                .init_req(&[("cpu", "1m"), ("memory", "1")])
                .init_req(&[("cpu", "1m"), ("memory", "1")])
                .build(),
            &used("9m", "19"),
            ok.clone(),
        );
        // "both resources fit"
        check(&pod("1m", "1").build(), &used("5m", "5"), ok.clone());
        // "one resource memory fits"
        check(
            &pod("2m", "1").build(),
            &used("9m", "5"),
            insufficient(&["cpu"]),
        );
        // "one resource cpu fits"
        check(
            &pod("1m", "2").build(),
            &used("5m", "19"),
            insufficient(&["memory"]),
        );
        // "equal edge case"
        check(&pod("5m", "1").build(), &used("5m", "19"), ok.clone());
        // "equal edge case for init container"
        check(
            &pod("4m", "1")
                .init_req(&[("cpu", "5m"), ("memory", "1")])
                .build(),
            &used("5m", "19"),
            ok.clone(),
        );
        // "extended resource fits"
        let empty = PodBuilder::new("existing").build();
        check(
            &PodBuilder::new("p")
                .req(&[("example.com/aaa", "1")])
                .build(),
            &empty,
            ok.clone(),
        );
        // "extended resource fits for init container"
        check(
            &PodBuilder::new("p")
                .init_req(&[("example.com/aaa", "1")])
                .build(),
            &empty,
            ok.clone(),
        );
        // "extended resource capacity enforced"
        let ext = |n: &str| {
            PodBuilder::new("p").req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", n)])
        };
        check(
            &ext("10").build(),
            &used_with(&[("example.com/aaa", "0")]),
            insufficient(&["example.com/aaa"]),
        );
        // "extended resource capacity enforced for init container"
        check(
            &PodBuilder::new("p")
                .init_req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "10")])
                .build(),
            &used_with(&[("example.com/aaa", "0")]),
            insufficient(&["example.com/aaa"]),
        );
        // "extended resource allocatable enforced"
        check(
            &ext("1").build(),
            &used_with(&[("example.com/aaa", "5")]),
            insufficient(&["example.com/aaa"]),
        );
        // "extended resource allocatable enforced for multiple containers"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "3")])
                .req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "3")])
                .build(),
            &used_with(&[("example.com/aaa", "2")]),
            insufficient(&["example.com/aaa"]),
        );
        // "extended resource allocatable admits multiple init containers"
        check(
            &PodBuilder::new("p")
                .init_req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "3")])
                .init_req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "3")])
                .build(),
            &used_with(&[("example.com/aaa", "2")]),
            ok.clone(),
        );
        // "extended resource allocatable enforced for multiple init containers"
        check(
            &PodBuilder::new("p")
                .init_req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "6")])
                .init_req(&[("cpu", "1m"), ("memory", "1"), ("example.com/aaa", "3")])
                .build(),
            &used_with(&[("example.com/aaa", "2")]),
            insufficient(&["example.com/aaa"]),
        );
        // "extended resource allocatable enforced for unknown resource"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1"), ("example.com/bbb", "1")])
                .build(),
            &used("0", "0"),
            insufficient(&["example.com/bbb"]),
        );
        // "kubernetes.io resource capacity enforced"
        check(
            &PodBuilder::new("p")
                .req(&[
                    ("cpu", "1m"),
                    ("memory", "1"),
                    ("kubernetes.io/something", "10"),
                ])
                .build(),
            &used("0", "0"),
            insufficient(&["kubernetes.io/something"]),
        );
        // "kubernetes.io resource capacity enforced for init container"
        check(
            &PodBuilder::new("p")
                .init_req(&[
                    ("cpu", "1m"),
                    ("memory", "1"),
                    ("subdomain.kubernetes.io/something", "10"),
                ])
                .build(),
            &used("0", "0"),
            insufficient(&["subdomain.kubernetes.io/something"]),
        );
        // "hugepages resource capacity enforced"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1"), ("hugepages-2Mi", "10")])
                .build(),
            &used_with(&[("hugepages-2Mi", "0")]),
            insufficient(&["hugepages-2Mi"]),
        );
        // "hugepages resource allocatable enforced for multiple containers"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1"), ("hugepages-2Mi", "3")])
                .req(&[("cpu", "1m"), ("memory", "1"), ("hugepages-2Mi", "3")])
                .build(),
            &used_with(&[("hugepages-2Mi", "2")]),
            insufficient(&["hugepages-2Mi"]),
        );
        // "resources + pod overhead fits"
        check(
            &pod("1m", "1")
                .overhead(&[("cpu", "3m"), ("memory", "13")])
                .build(),
            &used("5m", "5"),
            ok.clone(),
        );
        // "requests + overhead does not fit for memory"
        check(
            &pod("1m", "1")
                .overhead(&[("cpu", "1m"), ("memory", "15")])
                .build(),
            &used("5m", "5"),
            insufficient(&["memory"]),
        );
    }

    /// `TestNotEnoughRequests` (noderesources/fit_test.go): a node with room
    /// for one pod.
    #[test]
    fn not_enough_requests_upstream_table() {
        let node = NodeBuilder::new("n")
            .alloc(&[("cpu", "10m"), ("memory", "20"), ("pods", "1")])
            .build();
        let too_many = Status::unschedulable("Too many pods");
        let cases = [
            // "even without specified resources predicate fails when there's no space for additional pod"
            (PodBuilder::new("p").build(), used("10m", "20")),
            // "even if both resources fit predicate fails when there's no space for additional pod"
            (
                PodBuilder::new("p")
                    .req(&[("cpu", "1m"), ("memory", "1")])
                    .build(),
                used("5m", "5"),
            ),
            // "even for equal edge case predicate fails when there's no space for additional pod"
            (
                PodBuilder::new("p")
                    .req(&[("cpu", "5m"), ("memory", "1")])
                    .build(),
                used("5m", "19"),
            ),
            // "even for equal edge case predicate fails ... due to init container"
            (
                PodBuilder::new("p")
                    .req(&[("cpu", "5m"), ("memory", "1")])
                    .init_req(&[("cpu", "5m"), ("memory", "1")])
                    .build(),
                used("5m", "19"),
            ),
        ];
        for (pod, existing) in cases {
            assert_eq!(
                filter_one(&NodeResourcesFit, &node, &[existing], &pod),
                too_many
            );
        }
    }

    /// `TestStorageRequests` (noderesources/fit_test.go).
    #[test]
    fn storage_requests_upstream_table() {
        // "due to container scratch disk"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1")])
                .build(),
            &used("10m", "10"),
            insufficient(&["cpu"]),
        );
        // "pod fit"
        check(
            &PodBuilder::new("p")
                .req(&[("cpu", "1m"), ("memory", "1")])
                .build(),
            &used("2m", "10"),
            Status::success(),
        );
        // "storage ephemeral local storage request exceeds allocatable"
        check(
            &PodBuilder::new("p")
                .req(&[("ephemeral-storage", "25")])
                .build(),
            &used("2m", "2"),
            insufficient(&["ephemeral-storage"]),
        );
        // "pod fits"
        check(
            &PodBuilder::new("p")
                .req(&[("ephemeral-storage", "10")])
                .build(),
            &used("2m", "2"),
            Status::success(),
        );
    }

    /// `TestRestartableInitContainers` (noderesources/fit_test.go): a
    /// sidecar's request stays counted while later init containers run.
    #[test]
    fn restartable_init_containers() {
        let node = NodeBuilder::new("n")
            .alloc(&[("cpu", "2"), ("memory", "2Gi"), ("pods", "10")])
            .build();
        let pod = PodBuilder::new("p")
            .sidecar_req(&[("cpu", "1")])
            .init_req(&[("cpu", "1500m")])
            .req(&[("cpu", "1")])
            .build();
        // max(1 + 1, 1.5 + 1) = 2.5 cpu on a node with 2.
        assert_eq!(pod.requests.milli_cpu, 2500);
        assert_eq!(
            filter_one(&NodeResourcesFit, &node, &[], &pod),
            insufficient(&["cpu"])
        );
    }

    /// From v1.34 a request above allocatable cannot be helped by preemption.
    #[test]
    fn over_allocatable_is_unresolvable_from_134() {
        let node = NodeBuilder::new("n")
            .alloc(&[("cpu", "1"), ("memory", "1Gi"), ("pods", "10")])
            .build();
        let c = cluster(vec![node], vec![]);
        let pod = PodBuilder::new("p").req(&[("cpu", "2")]).build();
        assert_eq!(
            schedule(&c, &pod, Version::DEFAULT),
            Err("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.".into())
        );
        assert_eq!(
            schedule(&c, &pod, Version { minor: 34, patch: 0 }),
            Err("0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".into())
        );
    }

    /// `TestFitScore` "test case for ScoringStrategy LeastAllocated"
    /// (noderesources/fit_test.go), the worked example of the reference.
    #[test]
    fn least_allocated_score() {
        let nodes = vec![
            NodeBuilder::new("node1")
                .alloc(&[("cpu", "4"), ("memory", "10000"), ("pods", "32")])
                .build(),
            NodeBuilder::new("node2")
                .alloc(&[("cpu", "6"), ("memory", "10000"), ("pods", "32")])
                .build(),
        ];
        let existing = |cpu: &str, mem: &str| {
            PodBuilder::new("e")
                .req(&[("cpu", cpu), ("memory", mem)])
                .build()
        };
        let c = cluster(
            nodes,
            vec![
                (existing("2", "4000"), "node1"),
                (existing("1", "2000"), "node2"),
            ],
        );
        let pod = PodBuilder::new("p")
            .req(&[("cpu", "1"), ("memory", "2000")])
            .build();
        assert_eq!(scores(&NodeResourcesFit, &c, &pod), Some(vec![32, 63]));
    }

    /// `TestLeastAllocatedScoringStrategy` (noderesources/least_allocated_test.go),
    /// the cases with the default resources (cpu and memory, weight 1).
    #[test]
    fn least_allocated_upstream_table() {
        let node = |name: &str, cpu: &str, mem: &str| {
            NodeBuilder::new(name)
                .alloc(&[("cpu", cpu), ("memory", mem), ("pods", "32")])
                .build()
        };
        let on = |cpu: &str, mem: &str| {
            PodBuilder::new("e")
                .req(&[("cpu", cpu), ("memory", mem)])
                .build()
        };
        let empty = || PodBuilder::new("e").build();
        let two = || {
            PodBuilder::new("p")
                .req(&[("cpu", "1000"), ("memory", "2000")])
                .req(&[("cpu", "2000"), ("memory", "3000")])
                .build()
        };
        let run = |nodes: Vec<Node>, existing: Vec<(Pod, &str)>, pod: &Pod| {
            scores(&NodeResourcesFit, &cluster(nodes, existing), pod)
        };
        // "nothing scheduled, nothing requested"
        assert_eq!(
            run(
                vec![
                    node("node1", "4000", "10000"),
                    node("node2", "4000", "10000")
                ],
                vec![],
                &empty()
            ),
            Some(vec![100, 100])
        );
        // "nothing scheduled, resources requested, differently sized nodes"
        assert_eq!(
            run(
                vec![
                    node("node1", "4000", "10000"),
                    node("node2", "6000", "10000")
                ],
                vec![],
                &two()
            ),
            Some(vec![37, 50])
        );
        // "no resources requested, pods scheduled"
        assert_eq!(
            run(
                vec![
                    node("node1", "4000", "10000"),
                    node("node2", "4000", "10000")
                ],
                vec![
                    (empty(), "node1"),
                    (empty(), "node1"),
                    (empty(), "node2"),
                    (empty(), "node2")
                ],
                &empty()
            ),
            Some(vec![100, 100])
        );
        // "no resources requested, pods scheduled with resources"
        assert_eq!(
            run(
                vec![
                    node("node1", "10000", "20000"),
                    node("node2", "10000", "20000")
                ],
                vec![
                    (on("3000", "0"), "node1"),
                    (on("3000", "0"), "node1"),
                    (on("3000", "0"), "node2"),
                    (on("3000", "5000"), "node2"),
                ],
                &empty()
            ),
            Some(vec![70, 57])
        );
        // "resources requested, pods scheduled with resources"
        assert_eq!(
            run(
                vec![
                    node("node1", "10000", "20000"),
                    node("node2", "10000", "20000")
                ],
                vec![(on("3000", "0"), "node1"), (on("3000", "5000"), "node2")],
                &two()
            ),
            Some(vec![57, 45])
        );
        // "resources requested, pods scheduled with resources, differently sized nodes"
        assert_eq!(
            run(
                vec![
                    node("node1", "10000", "20000"),
                    node("node2", "10000", "50000")
                ],
                vec![(on("3000", "0"), "node1"), (on("3000", "5000"), "node2")],
                &two()
            ),
            Some(vec![57, 60])
        );
        // "requested resources exceed node capacity"
        assert_eq!(
            run(
                vec![
                    node("node1", "4000", "10000"),
                    node("node2", "4000", "10000")
                ],
                vec![(on("3000", "0"), "node1"), (on("3000", "5000"), "node2")],
                &on("3000", "0")
            ),
            Some(vec![50, 25])
        );
        // "zero node resources, pods scheduled with resources"
        assert_eq!(
            run(
                vec![
                    NodeBuilder::new("node1").build(),
                    NodeBuilder::new("node2").build()
                ],
                vec![(on("3000", "0"), "node1"), (on("3000", "5000"), "node2")],
                &empty()
            ),
            Some(vec![0, 0])
        );
    }

    /// Pod-level resources (`spec.resources`, beta and on from v1.34)
    /// replace the containers' cpu and memory; overhead still adds.
    #[test]
    fn pod_level_resources_replace_container_sums() {
        let pod = PodBuilder::new("p")
            .req(&[("cpu", "100m"), ("memory", "64Mi")])
            .pod_level(&[("cpu", "3")])
            .overhead(&[("cpu", "250m")])
            .build();
        assert_eq!(pod.requests.milli_cpu, 3250);
        assert_eq!(pod.requests.memory, 64 << 20);
        let node = NodeBuilder::new("n")
            .alloc(&[("cpu", "2"), ("memory", "1Gi"), ("pods", "10")])
            .build();
        assert_eq!(
            filter_one(&NodeResourcesFit, &node, &[], &pod),
            insufficient(&["cpu"])
        );
    }
}
