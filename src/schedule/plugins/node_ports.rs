//! NodePorts: the `hostPort`s of the pod's containers and sidecars (init
//! containers with `restartPolicy: Always`) must be free on the node. A
//! port is taken when a pod on the node binds the same protocol and port on
//! the same host IP, or either side binds `0.0.0.0` (the default host IP;
//! the default protocol is TCP). Unschedulable,
//! `node(s) didn't have free ports for the requested pod ports`. PreFilter
//! skips pods without host ports.

use crate::schedule::cluster::NodeInfo;
use crate::schedule::framework::{Cycle, Plugin, PreFilter, StateData, Status};
use crate::schedule::types::HostPort;

pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

pub struct NodePorts;

/// `HostPortInfo.CheckConflict`.
pub fn conflicts(used: &[HostPort], want: &HostPort) -> bool {
    if want.port <= 0 {
        return false;
    }
    used.iter().any(|u| {
        u.protocol == want.protocol
            && u.port == want.port
            && (want.ip == "0.0.0.0" || u.ip == "0.0.0.0" || u.ip == want.ip)
    })
}

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        "NodePorts"
    }

    fn is_filter(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn pre_filter(&self, cx: &Cycle<'_>) -> PreFilter {
        if cx.pod.host_ports().next().is_none() {
            PreFilter::Skip
        } else {
            PreFilter::pass()
        }
    }

    fn filter(&self, cx: &Cycle<'_>, _state: Option<&dyn StateData>, info: &NodeInfo) -> Status {
        if cx.pod.host_ports().any(|p| conflicts(&info.used_ports, p)) {
            Status::unschedulable(ERR_REASON)
        } else {
            Status::success()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::plugins::testing::{NodeBuilder, PodBuilder, cluster, filter_all};
    use crate::schedule::types::{Container, ContainerKind, Pod};

    /// `newPod` of the upstream test: each "PROTO/IP/PORT" a host port.
    fn pod(ports: &[&str]) -> Pod {
        let mut b = PodBuilder::new("p");
        for p in ports {
            let parts: Vec<&str> = p.split('/').collect();
            b = b.host_port(parts[1], parts[0], parts[2].parse().unwrap_or(0));
        }
        b.build()
    }

    /// Ok(true) fits, Ok(false) conflicts, Err(()) PreFilter skipped.
    fn run(incoming: &Pod, existing: &[&str]) -> Result<bool, ()> {
        let c = cluster(
            vec![NodeBuilder::new("m1").build()],
            vec![(pod(existing), "m1")],
        );
        let cx = Cycle {
            cluster: &c,
            pod: incoming,
            version: Default::default(),
        };
        if matches!(NodePorts.pre_filter(&cx), PreFilter::Skip) {
            return Err(());
        }
        let s = filter_all(&NodePorts, &c, incoming).map_err(|_| ())?;
        match s[0].is_success() {
            true => Ok(true),
            false => {
                assert_eq!(s[0], Status::unschedulable(ERR_REASON));
                Ok(false)
            }
        }
    }

    /// `TestNodePorts` (nodeports/node_ports_test.go).
    #[test]
    fn upstream_table() {
        // "skip filter"
        assert_eq!(run(&pod(&[]), &[]), Err(()));
        // "other port"
        assert_eq!(
            run(&pod(&["UDP/127.0.0.1/8080"]), &["UDP/127.0.0.1/9090"]),
            Ok(true)
        );
        // "same udp port"
        assert_eq!(
            run(&pod(&["UDP/127.0.0.1/8080"]), &["UDP/127.0.0.1/8080"]),
            Ok(false)
        );
        // "same tcp port"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/8080"]), &["TCP/127.0.0.1/8080"]),
            Ok(false)
        );
        // "different host ip"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/8080"]), &["TCP/127.0.0.2/8080"]),
            Ok(true)
        );
        // "different protocol"
        assert_eq!(
            run(&pod(&["UDP/127.0.0.1/8080"]), &["TCP/127.0.0.1/8080"]),
            Ok(true)
        );
        // "second udp port conflict"
        assert_eq!(
            run(
                &pod(&["UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"]),
                &["UDP/127.0.0.1/8080"]
            ),
            Ok(false)
        );
        // "first tcp port conflict"
        assert_eq!(
            run(
                &pod(&["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"]),
                &["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"]
            ),
            Ok(false)
        );
        // "first tcp port conflict due to 0.0.0.0 hostIP"
        assert_eq!(
            run(&pod(&["TCP/0.0.0.0/8001"]), &["TCP/127.0.0.1/8001"]),
            Ok(false)
        );
        // "TCP hostPort conflict due to 0.0.0.0 hostIP"
        assert_eq!(
            run(
                &pod(&["TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"]),
                &["TCP/127.0.0.1/8001"]
            ),
            Ok(false)
        );
        // "second tcp port conflict to 0.0.0.0 hostIP"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/8001"]), &["TCP/0.0.0.0/8001"]),
            Ok(false)
        );
        // "second different protocol"
        assert_eq!(
            run(&pod(&["UDP/127.0.0.1/8001"]), &["TCP/0.0.0.0/8001"]),
            Ok(true)
        );
        // "UDP hostPort conflict due to 0.0.0.0 hostIP"
        assert_eq!(
            run(
                &pod(&["UDP/127.0.0.1/8001"]),
                &["TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"]
            ),
            Ok(false)
        );
        let init = |kind| {
            let mut p = Pod::new("p", "default");
            p.containers.push(Container {
                name: "i".into(),
                image: String::new(),
                kind,
                requests: Default::default(),
                host_ports: vec![HostPort {
                    ip: "0.0.0.0".into(),
                    protocol: "TCP".into(),
                    port: 8001,
                }],
            });
            p
        };
        // "non-sidecar initContainer using hostPort"
        assert_eq!(
            run(&init(ContainerKind::Init), &["TCP/0.0.0.0/8001"]),
            Err(())
        );
        // "TCP hostPort conflict from sidecar initContainer"
        assert_eq!(
            run(&init(ContainerKind::Sidecar), &["TCP/0.0.0.0/8001"]),
            Ok(false)
        );
    }

    /// `TestFits` (nodeports/node_ports_test.go).
    #[test]
    fn fits_upstream_table() {
        // "non-conflicting ports"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/80"]), &["TCP/127.0.0.1/9090"]),
            Ok(true)
        );
        let many = pod(&[
            "TCP/127.0.0.1/80",
            "TCP/127.0.1.1/80",
            "TCP/127.0.1.1/90",
            "TCP/127.0.1.1/100",
        ]);
        // "multiple non-conflicting ports"
        assert_eq!(
            run(
                &many,
                &[
                    "TCP/127.0.0.1/9090",
                    "TCP/127.0.0.1/9191",
                    "TCP/127.0.1.1/8080"
                ]
            ),
            Ok(true)
        );
        // "same ports on different protocols"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/80"]), &["UDP/127.0.0.1/80"]),
            Ok(true)
        );
        // "conflicting ports"
        assert_eq!(
            run(&pod(&["TCP/127.0.0.1/80"]), &["TCP/127.0.0.1/80"]),
            Ok(false)
        );
        // "multiple ports, some conflicting"
        assert_eq!(
            run(
                &many,
                &[
                    "TCP/127.0.0.1/9090",
                    "TCP/127.0.1.1/90",
                    "TCP/127.0.1.1/8080"
                ]
            ),
            Ok(false)
        );
    }
}
