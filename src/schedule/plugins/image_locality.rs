//! ImageLocality (score only, weight 1): favours nodes that already hold the
//! images of the pod's containers and init containers (`status.images`). Each
//! image present counts its size scaled by the share of nodes that hold it;
//! the sum is clamped to [23 MiB, 1000 MiB × containers] and mapped onto
//! 0..100. An image without a tag is looked up as `:latest`. Nodes without
//! `status.images` score 0.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreScore, StateData, state};

const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

pub struct ImageLocality;

/// `normalizedImageName`: adds `:latest` when the reference has no tag.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':');
    let slash = name.rfind('/');
    if colon.map(|c| c as i64).unwrap_or(-1) <= slash.map(|s| s as i64).unwrap_or(-1) {
        format!("{name}:latest")
    } else {
        name.to_owned()
    }
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        "ImageLocality"
    }

    fn node_local(&self) -> bool {
        true
    }

    fn weight(&self) -> i64 {
        1
    }

    fn pre_score(&self, cx: &Cycle<'_>, _feasible: &[&NodeInfo]) -> PreScore {
        let images: Vec<String> = cx
            .pod
            .containers
            .iter()
            .map(|c| normalized_image_name(&c.image))
            .collect();
        PreScore::Run(Some(Box::new(images)))
    }

    fn score(&self, cx: &Cycle<'_>, st: Option<&dyn StateData>, info: &NodeInfo) -> i64 {
        let node = cx.node(info);
        if node.images.is_empty() {
            return 0;
        }
        let Some(images) = state::<Vec<String>>(st) else {
            return 0;
        };
        let total_nodes = cx.cluster.nodes.len().max(1) as f64;
        let mut sum: i64 = 0;
        for image in images {
            let Some(img) = node.images.iter().find(|i| i.names.contains(image)) else {
                continue;
            };
            let holders = cx.cluster.image_nodes.get(image).copied().unwrap_or(1) as f64;
            sum += (img.size as f64 * (holders / total_nodes)) as i64;
        }
        let max = MAX_CONTAINER_THRESHOLD * cx.pod.containers.len() as i64;
        if max <= MIN_THRESHOLD {
            return 0;
        }
        let clamped = sum.clamp(MIN_THRESHOLD, max);
        100 * (clamped - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, scores};
    use crate::schedule::types::{Node, Pod};

    fn node(name: &str, images: &[(&[&str], i64)]) -> Node {
        let mut b = NodeBuilder::new(name);
        for (names, mb) in images {
            b = b.image(names, mb * MB);
        }
        b.build()
    }

    fn pod(images: &[&str]) -> Pod {
        let mut b = PodBuilder::new("p");
        for i in images {
            b = b.image(i);
        }
        b.build()
    }

    /// `TestImageLocalityPriority` (imagelocality/image_locality_test.go).
    #[test]
    fn upstream_table() {
        let n403002000 = |name: &str| {
            node(
                name,
                &[
                    (&["gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"], 40),
                    (&["gcr.io/300:latest", "gcr.io/300:v1"], 300),
                    (&["gcr.io/2000:latest"], 2000),
                ],
            )
        };
        let n25010 = |name: &str| {
            node(
                name,
                &[
                    (&["gcr.io/250:latest"], 250),
                    (&["gcr.io/10:latest", "gcr.io/10:v1"], 10),
                ],
            )
        };
        let n60040900 = |name: &str| {
            node(
                name,
                &[
                    (&["gcr.io/600:latest"], 600),
                    (&["gcr.io/40:latest"], 40),
                    (&["gcr.io/900:latest"], 900),
                ],
            )
        };
        let n300600900 = |name: &str| {
            node(
                name,
                &[
                    (&["gcr.io/300:latest"], 300),
                    (&["gcr.io/600:latest"], 600),
                    (&["gcr.io/900:latest"], 900),
                ],
            )
        };
        let n400030 = |name: &str| {
            node(
                name,
                &[(&["gcr.io/4000:latest"], 4000), (&["gcr.io/30:latest"], 30)],
            )
        };
        let n203040 = |name: &str| {
            node(
                name,
                &[
                    (&["gcr.io/20:latest"], 20),
                    (&["gcr.io/30:latest"], 30),
                    (&["gcr.io/40:latest"], 40),
                ],
            )
        };
        let none = |name: &str| node(name, &[]);
        let run = |nodes: Vec<Node>, p: &Pod| scores(&ImageLocality, &cluster(nodes, vec![]), p);
        // "two images spread on two nodes, prefer the larger image one"
        assert_eq!(
            run(
                vec![n403002000("node1"), n25010("node2")],
                &pod(&["gcr.io/40", "gcr.io/250"])
            ),
            Some(vec![0, 5])
        );
        // "two images on one node, prefer this node"
        assert_eq!(
            run(
                vec![n403002000("node1"), n25010("node2")],
                &pod(&["gcr.io/40", "gcr.io/300"])
            ),
            Some(vec![7, 0])
        );
        // "if exceed limit, use limit"
        let min_max = pod(&["gcr.io/4000", "gcr.io/10"]);
        assert_eq!(
            run(vec![n400030("node1"), n25010("node2")], &min_max),
            Some(vec![100, 0])
        );
        // "if exceed limit, use limit (with node which has no images present)"
        assert_eq!(
            run(
                vec![n400030("node1"), n25010("node2"), none("node3")],
                &min_max
            ),
            Some(vec![66, 0, 0])
        );
        // "pod with multiple large images, node2 is preferred"
        assert_eq!(
            run(
                vec![n60040900("node1"), n300600900("node2"), none("node3")],
                &pod(&["gcr.io/300", "gcr.io/600", "gcr.io/900"])
            ),
            Some(vec![32, 36, 0])
        );
        // "pod with multiple small images"
        assert_eq!(
            run(
                vec![n203040("node1"), n400030("node2")],
                &pod(&["gcr.io/30", "gcr.io/40"])
            ),
            Some(vec![1, 0])
        );
        // "include InitContainers: two images spread on two nodes, prefer the larger image one"
        let mut with_init = pod(&["gcr.io/30", "gcr.io/300"]);
        with_init.containers[1].kind = crate::schedule::types::ContainerKind::Init;
        assert_eq!(
            run(vec![n403002000("node1"), n203040("node2")], &with_init),
            Some(vec![6, 0])
        );
    }

    /// `TestNormalizedImageName` (imagelocality/image_locality_test.go).
    #[test]
    fn normalized_names() {
        assert_eq!(normalized_image_name("root"), "root:latest");
        assert_eq!(
            normalized_image_name("gcr.io:5000/root"),
            "gcr.io:5000/root:latest"
        );
        assert_eq!(normalized_image_name("root:tag"), "root:tag");
        assert_eq!(
            normalized_image_name("root@sha256:abcd"),
            "root@sha256:abcd"
        );
    }
}
