//! The seed fixtures with a `[sched]` note in `fixtures/seeds/INDEX.md`
//! (the shared corpus), scheduled on small described clusters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use drydock::input::InputOptions;
use drydock::load;
use drydock::pipeline::{Context, Pipeline};
use drydock::resource::Resource;
use drydock::schedule::{
    Inventory, Options, PodState, ScheduleResult, diagnostics, drain::Verdict, simulate,
};
use drydock::yaml::LoadOptions;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");

fn load_paths(paths: &[String]) -> Vec<Resource> {
    let loaded = load::load(paths, &InputOptions::default(), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}", e.0));
    let cx = Context {
        sources: &loaded.sources,
    };
    Pipeline::check().run(loaded.resources, &cx).resources
}

/// A scratch file of its own for each call: tests run concurrently, and two
/// of them writing the same path would read each other's half-written file.
fn scratch_file(prefix: &str, name: &str, text: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "drydock-{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write scratch file");
    file.display().to_string()
}

fn seeds(names: &[&str]) -> Vec<Resource> {
    load_paths(
        &names
            .iter()
            .map(|n| format!("{SEEDS}/{n}"))
            .collect::<Vec<_>>(),
    )
}

/// An inventory from node seed files, inline node YAML and profiles.
fn inventory(node_seeds: &[&str], node_yaml: &str, profiles: &[&str]) -> Inventory {
    let mut inv = Inventory::default();
    let mut counters = BTreeMap::new();
    let mut objects = seeds(node_seeds);
    if !node_yaml.is_empty() {
        objects.extend(load_paths(&[scratch_file(
            "seeds",
            "nodes.yaml",
            node_yaml,
        )]));
    }
    inv.objects = inv.nodes.add_resources(objects).expect("nodes");
    for p in profiles {
        inv.nodes.add_profile(p, &mut counters).expect("profile");
    }
    inv
}

fn states(r: &ScheduleResult) -> Vec<(String, Result<String, String>)> {
    r.pods
        .iter()
        .enumerate()
        .map(|(id, p)| {
            let name = r.cluster.pods[id].name.clone();
            match &p.state {
                PodState::Bound { node, .. } => (name, Ok(r.cluster.nodes[*node].name.clone())),
                PodState::Pending { message } => (name, Err(message.clone())),
                PodState::NotCreated { reason } => (name, Err(reason.clone())),
            }
        })
        .collect()
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers: [{name: app, image: app}]
";

fn pod_file(extra: &str) -> Vec<Resource> {
    load_paths(&[scratch_file(
        "seed-pod",
        "pod.yaml",
        &format!("{POD}{extra}"),
    )])
}

/// `003_L9052-9057_node.yaml`: the cordoned node `cnode-1` takes no pod.
#[test]
fn cordoned_node() {
    let inv = inventory(&["003_L9052-9057_node.yaml"], "", &[]);
    let r = simulate(&pod_file(""), &inv, &Options::default());
    assert_eq!(
        states(&r),
        [(
            "app".into(),
            Err("0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".into())
        )]
    );
}

/// `003_L8792-8807_pvc.yaml` (8Gi, class `slow`, with a selector) against
/// `003_L8554-8567_pv-pv1.yaml` (5Gi, class `slow`): no binding, the claim
/// stays Pending and so does a pod that uses it.
#[test]
fn claim_without_matching_volume() {
    let mut resources = seeds(&["003_L8792-8807_pvc.yaml", "003_L8554-8567_pv-pv1.yaml"]);
    resources.extend(pod_file(
        "  volumes: [{name: data, persistentVolumeClaim: {claimName: pvc}}]\n",
    ));
    let r = simulate(
        &resources,
        &inventory(&[], "", &["2x4cpu8Gi"]),
        &Options::default(),
    );
    assert_eq!(
        states(&r),
        [(
            "app".into(),
            Err("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".into())
        )]
    );
    assert!(r.cluster.storage.claims.values().all(|c| c.bound.is_none()));
}

const DOCKER_DESKTOP: &str = "apiVersion: v1
kind: Node
metadata: {name: docker-desktop}
status:
  allocatable: {cpu: '4', memory: 8Gi, pods: '110'}
";

/// `004_L1219-1369_redis-sc-pvs.yaml` + `004_L1400-1468_sts-redis-app.yaml`:
/// six replicas bind the six local volumes pinned to `docker-desktop`.
#[test]
fn redis_local_volumes() {
    let inv = inventory(&[], DOCKER_DESKTOP, &["1x4cpu8Gi,name=other"]);
    let resources = seeds(&[
        "004_L1219-1369_redis-sc-pvs.yaml",
        "004_L1400-1468_sts-redis-app.yaml",
    ]);
    let r = simulate(&resources, &inv, &Options::default());
    let s = states(&r);
    assert_eq!(s.len(), 6);
    for (i, (name, node)) in s.iter().enumerate() {
        assert_eq!(name, &format!("redis-app-{i}"));
        assert_eq!(node.as_deref(), Ok("docker-desktop"), "{name}");
    }
    let bound: Vec<&str> = r
        .cluster
        .storage
        .claims
        .values()
        .filter_map(|c| c.bound.as_deref())
        .collect();
    assert_eq!(bound.len(), 6);
    assert!(bound.iter().all(|v| v.starts_with("redis-pv")));
}

/// The notes scale the StatefulSet to 8: with six volumes the seventh pod
/// finds none (and holds back the eighth); `004_L1560-1605_add-pv.yaml`
/// adds the two missing volumes.
#[test]
fn redis_scaled_to_eight() {
    let inv = inventory(&[], DOCKER_DESKTOP, &[]);
    let scale = |mut rs: Vec<Resource>| {
        for r in &mut rs {
            if r.kind() == Some("StatefulSet") {
                if let Some(spec) = r.value.as_map_mut().and_then(|m| m.get_mut("spec")) {
                    if let Some(m) = spec.as_map_mut() {
                        m.insert("replicas", drydock::yaml::Value::Int(8));
                    }
                }
            }
        }
        rs
    };
    let resources = scale(seeds(&[
        "004_L1219-1369_redis-sc-pvs.yaml",
        "004_L1400-1468_sts-redis-app.yaml",
    ]));
    let r = simulate(&resources, &inv, &Options::default());
    let s = states(&r);
    assert_eq!(
        s[6],
        (
            "redis-app-6".into(),
            Err("0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".into())
        )
    );
    assert_eq!(
        s[7],
        (
            "redis-app-7".into(),
            Err(
                "not created: redis-app-6 is not running (podManagementPolicy: OrderedReady)"
                    .into()
            )
        )
    );
    let d = diagnostics(&r, &resources);
    assert_eq!(d.len(), 2);
    let resources = scale(seeds(&[
        "004_L1219-1369_redis-sc-pvs.yaml",
        "004_L1400-1468_sts-redis-app.yaml",
        "004_L1560-1605_add-pv.yaml",
    ]));
    let r = simulate(&resources, &inv, &Options::default());
    assert!(states(&r).iter().all(|(_, n)| n.is_ok()));
}

/// `004_L590-781_zookeeper-bundle.yaml`: three replicas spread by preferred
/// hostname anti-affinity; the budget (minAvailable 2) allows one
/// disruption, so any one node can be drained.
#[test]
fn zookeeper_spreads_and_survives_a_drain() {
    let resources = seeds(&[
        "004_L291-298_storageclass-youna-nfs-storage.yaml",
        "004_L590-781_zookeeper-bundle.yaml",
    ]);
    let inv = inventory(&[], "", &["3x4cpu8Gi"]);
    let opts = Options {
        drain_check: true,
        ..Options::default()
    };
    let r = simulate(&resources, &inv, &opts);
    let mut nodes: Vec<String> = states(&r).into_iter().filter_map(|(_, n)| n.ok()).collect();
    nodes.sort();
    assert_eq!(nodes, ["node-0", "node-1", "node-2"]);
    let drains = r.drain.as_ref().expect("drain check");
    for d in drains {
        assert_eq!(d.verdict, Verdict::Pass, "{d:?}");
        assert_eq!(d.budgets.len(), 1);
        assert_eq!(d.budgets[0].allowed, 1);
    }
}

/// `003_L10669-10972_dashboard.yaml`: the Dashboard tolerates the
/// `node-role.kubernetes.io/master:NoSchedule` taint, so a lone master
/// runs it; without the toleration it would stay Pending.
#[test]
fn dashboard_tolerates_the_master_taint() {
    let resources = seeds(&["003_L10669-10972_dashboard.yaml"]);
    let inv = inventory(
        &[],
        "",
        &["1x4cpu8Gi,name=master,taint=node-role.kubernetes.io/master:NoSchedule"],
    );
    let r = simulate(&resources, &inv, &Options::default());
    let s = states(&r);
    assert_eq!(s.len(), 2);
    assert!(
        s.iter().all(|(_, n)| n.as_deref() == Ok("master-0")),
        "{s:?}"
    );
}
