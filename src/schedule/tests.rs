//! End-to-end runs: manifests and a node description in, placements and
//! messages out.

use std::collections::BTreeMap;

use super::*;
use crate::source::{SourceFile, Sources};

/// Loads YAML documents as the run's objects.
fn load(text: &str) -> Vec<Resource> {
    let mut sources = Sources::default();
    let id = sources.add(SourceFile::new("in.yaml", text));
    let (rs, _) = crate::load::load_text(id, text, &LoadOptions::default());
    let cx = Context { sources: &sources };
    Pipeline::check().run(rs, &cx).resources
}

fn inventory(profiles: &[&str], objects: &str) -> Inventory {
    let mut inv = Inventory::default();
    let mut counters = BTreeMap::new();
    for p in profiles {
        inv.nodes
            .add_profile(p, &mut counters)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let rest = inv
        .nodes
        .add_resources(load(objects))
        .unwrap_or_else(|e| panic!("{e}"));
    inv.objects = rest;
    inv
}

fn run(manifests: &str, inv: &Inventory) -> ScheduleResult {
    simulate(&load(manifests), inv, &Options::default())
}

/// Pod name → node name, or the message.
fn placements(r: &ScheduleResult) -> Vec<(String, Result<String, String>)> {
    r.pods
        .iter()
        .enumerate()
        .map(|(id, p)| {
            let name = r.cluster.pods[id].name.clone();
            let where_ = match &p.state {
                PodState::Bound { node, .. } => Ok(r.cluster.nodes[*node].name.clone()),
                PodState::Pending { message } => Err(message.clone()),
                PodState::NotCreated { reason } => Err(reason.clone()),
            };
            (name, where_)
        })
        .collect()
}

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        resources: {requests: {cpu: 500m, memory: 256Mi}}
";

#[test]
fn deployment_spreads_over_nodes() {
    let r = run(DEPLOY, &inventory(&["3x4cpu16Gi,zones=a|b|c"], ""));
    let p = placements(&r);
    assert_eq!(p.len(), 3);
    let mut nodes: Vec<String> = p.iter().filter_map(|(_, w)| w.clone().ok()).collect();
    nodes.sort();
    // The system default spreading puts one replica on each node.
    assert_eq!(nodes, ["node-0", "node-1", "node-2"]);
    assert!(diagnostics(&r, &load(DEPLOY)).is_empty());
    // 4 cpu per node: 8 replicas each minus the one there = 21 more.
    assert_eq!(
        r.headroom.values().next(),
        Some(&Headroom {
            more: 21,
            capped: false
        })
    );
}

/// The example shape: one worker too small, two control-plane nodes.
#[test]
fn control_plane_taints_and_insufficient_cpu() {
    let manifests = DEPLOY
        .replace("replicas: 3", "replicas: 1")
        .replace("500m", "3");
    let inv = inventory(
        &[
            "1x2cpu8Gi",
            "2x8cpu16Gi,name=cp,taint=node-role.kubernetes.io/control-plane:NoSchedule",
        ],
        "",
    );
    let r = run(&manifests, &inv);
    assert_eq!(
        placements(&r)[0].1,
        Err("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.".into())
    );
    let d = diagnostics(&r, &load(&manifests));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "pod-unschedulable");
    assert!(
        d[0].message
            .starts_with("pod web-0 of Deployment/web cannot run: 0/3 nodes")
    );
}

#[test]
fn stateful_set_ordered_ready_blocks_successors() {
    let sts = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres
        resources: {requests: {cpu: '3'}}
";
    let r = run(sts, &inventory(&["1x4cpu16Gi"], ""));
    let p = placements(&r);
    assert_eq!(p[0], ("db-0".into(), Ok("node-0".into())));
    assert_eq!(
        p[1],
        (
            "db-1".into(),
            Err("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.".into())
        )
    );
    assert_eq!(
        p[2],
        (
            "db-2".into(),
            Err("not created: db-1 is not running (podManagementPolicy: OrderedReady)".into())
        )
    );
    let parallel = sts.replace(
        "serviceName: db",
        "serviceName: db\n  podManagementPolicy: Parallel",
    );
    let r = run(&parallel, &inventory(&["1x4cpu16Gi"], ""));
    assert!(
        placements(&r)[2]
            .1
            .as_ref()
            .is_err_and(|m| m.starts_with("0/1 nodes"))
    );
}

#[test]
fn daemon_set_pods_are_pinned_to_their_nodes() {
    let ds = "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: agent
        resources: {requests: {cpu: '1'}}
";
    let inv = inventory(
        &[
            "2x4cpu8Gi",
            "1x500mcpu8Gi,name=small",
            "1x4cpu8Gi,name=cp,taint=node-role.kubernetes.io/control-plane:NoSchedule",
        ],
        "",
    );
    let r = run(ds, &inv);
    let p = placements(&r);
    // No pod for the tainted control plane; one that does not fit on `small`.
    assert_eq!(p.len(), 3);
    assert_eq!(p[0], ("agent-node-0".into(), Ok("node-0".into())));
    assert_eq!(p[1], ("agent-node-1".into(), Ok("node-1".into())));
    assert_eq!(
        p[2],
        (
            "agent-small-0".into(),
            Err("0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.".into())
        )
    );
    assert_eq!(r.workloads[0].desired, 3);
}

#[test]
fn hpa_min_replicas_and_limit_range_defaults() {
    let manifests = "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 4
  maxReplicas: 10
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: '1', memory: 1Gi}
    defaultRequest: {cpu: 900m, memory: 512Mi}
";
    let r = run(manifests, &inventory(&["1x2cpu8Gi"], ""));
    assert_eq!(r.workloads[0].desired, 4);
    assert_eq!(
        r.workloads[0].notes,
        ["HorizontalPodAutoscaler api sets the replicas to 4 (written: 1)"]
    );
    // 900m each: two fit on 2 cpu.
    let bound = r
        .pods
        .iter()
        .filter(|p| matches!(p.state, PodState::Bound { .. }))
        .count();
    assert_eq!(bound, 2);
    assert_eq!(r.cluster.pods[0].requests.milli_cpu, 900);
}

#[test]
fn missing_priority_class_rejects_the_pod() {
    let manifests = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  priorityClassName: gold
  containers: [{name: c, image: x}]
";
    let r = run(manifests, &inventory(&["1x2cpu8Gi"], ""));
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(
        r.rejected[0].message,
        "pods \"p\" is forbidden: no PriorityClass with name gold was found"
    );
}

/// Higher priority pods go first; a high-priority pod preempts an existing
/// low-priority one.
#[test]
fn priority_orders_the_queue_and_preempts() {
    let objects = "apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: v1
kind: Pod
metadata:
  name: batch
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: b, uid: x, controller: true}]
spec:
  nodeName: node-0
  containers: [{name: c, image: x, resources: {requests: {cpu: 1500m}}}]
";
    let manifests = "apiVersion: v1
kind: Pod
metadata: {name: low}
spec:
  containers: [{name: c, image: x, resources: {requests: {cpu: 400m}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: urgent}
spec:
  priorityClassName: high
  containers: [{name: c, image: x, resources: {requests: {cpu: 1}}}]
";
    let r = run(manifests, &inventory(&["1x2cpu8Gi"], objects));
    let p = placements(&r);
    // `batch` (existing) is preempted by `urgent`; `low` then fits.
    assert_eq!(p[0].0, "batch");
    assert!(p[0].1.is_err());
    assert_eq!(r.pods[0].preempted_by, Some(2));
    assert_eq!(p[2], ("urgent".into(), Ok("node-0".into())));
    assert_eq!(p[1], ("low".into(), Ok("node-0".into())));
}

#[test]
fn same_input_same_placement() {
    let inv = inventory(&["5x4cpu16Gi,zones=a|b"], "");
    let manifests = DEPLOY.replace("replicas: 3", "replicas: 17");
    let a = placements(&run(&manifests, &inv));
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let b = pool.install(|| placements(&run(&manifests, &inv)));
        assert_eq!(a, b);
    }
}

#[test]
fn pods_with_node_name_skip_the_scheduler() {
    let manifests = "apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  nodeName: node-0
  containers: [{name: c, image: x, resources: {requests: {cpu: '3'}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: lost}
spec:
  nodeName: elsewhere
  containers: [{name: c, image: x}]
";
    let r = run(manifests, &inventory(&["1x2cpu8Gi"], ""));
    let p = placements(&r);
    assert_eq!(
        p[0].1,
        Err("Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000".into())
    );
    assert_eq!(
        p[1].1,
        Err(
            "spec.nodeName names node \"elsewhere\", which is not among the described nodes".into()
        )
    );
}

#[test]
fn drain_check_reports_blocked_budgets() {
    let manifests = format!(
        "{}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  minAvailable: 3\n  selector: {{matchLabels: {{app: web}}}}\n",
        DEPLOY
    );
    let resources = load(&manifests);
    let inv = inventory(&["3x4cpu16Gi"], "");
    let opts = Options {
        drain_check: true,
        ..Options::default()
    };
    let r = simulate(&resources, &inv, &opts);
    let drains = r.drain.as_ref().expect("drain");
    assert!(drains.iter().all(|d| d.verdict == drain::Verdict::Blocked));
    assert!(!r.drain_ok());
    let d = diagnostics(&r, &resources);
    assert_eq!(d.len(), 3);
    assert!(d.iter().all(|d| d.code == "drain-blocked"));
}

/// A ReplicaSet (or pod) that a Deployment of the run owns is the
/// Deployment's to make: it is not counted twice.
#[test]
fn objects_of_a_present_controller_are_not_doubled() {
    let rs = "---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7c5d
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}]
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
";
    let r = run(&format!("{DEPLOY}{rs}"), &inventory(&["3x4cpu16Gi"], ""));
    assert_eq!(r.workloads.len(), 1);
    assert_eq!(r.pods.len(), 3);
}

#[test]
fn versions_parse() {
    assert_eq!(
        Version::parse("1.32"),
        Ok(Version {
            minor: 32,
            patch: 0
        })
    );
    let v = Version::parse("v1.34.2").expect("version");
    assert!(v.taint_reason_without_taint());
    assert!(
        !Version::parse("1.34.1")
            .expect("version")
            .taint_reason_without_taint()
    );
    assert_eq!(Version::parse("latest").map(|v| v.minor), Ok(37));
    assert!(Version::parse("2.0").is_err());
    assert!(Version::parse("1.19").is_err());
    assert!(Version::parse("1.32.x").is_err());
}
