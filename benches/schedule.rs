//! Dry-run scheduling of a large generated cluster: 1,000 nodes in three
//! zones and about 7,000 pods (Deployments, some with required anti-affinity
//! or zone spreading, StatefulSets and DaemonSets), on one thread and on all
//! of them; the placements must be identical.
//!
//! Run with `cargo bench --bench schedule` (registered with `harness = false`)
//! or `scripts/schedule-bench.sh`, which adds the end-to-end time of
//! `drydock schedule`. `DRYDOCK_BENCH_NODES` and `DRYDOCK_BENCH_DEPLOYMENTS`
//! change the size; `DRYDOCK_BENCH_WRITE=DIR` writes the inputs there.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use drydock::load::load_text;
use drydock::pipeline::{Context, Pipeline};
use drydock::resource::Resource;
use drydock::schedule::{Inventory, Options, PodState, simulate};
use drydock::source::{FileId, SourceFile, Sources};
use drydock::yaml::LoadOptions;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The workloads, as one YAML stream.
pub fn workloads(deployments: usize) -> String {
    let mut y = String::new();
    for i in 0..deployments {
        let cpu = 100 + (i * 37) % 400;
        let mem = 128 + (i * 53) % 896;
        let mut affinity = String::new();
        if i % 10 == 3 {
            affinity = format!(
                "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector: {{matchLabels: {{app: app-{i}}}}}\n            topologyKey: kubernetes.io/hostname\n"
            );
        } else if i % 10 == 7 {
            affinity = format!(
                "      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector: {{matchLabels: {{app: app-{i}}}}}\n"
            );
        }
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: ns-{ns}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n{affinity}      containers:\n      - name: main\n        image: registry.example.com/app-{i}:1.0\n        resources: {{requests: {{cpu: {cpu}m, memory: {mem}Mi}}}}\n",
            ns = i % 7,
            replicas = 10 + i % 21,
        );
        if i % 2 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: ns-{ns}}}\nspec:\n  selector: {{app: app-{i}}}\n  ports: [{{port: 80}}]\n",
                ns = i % 7
            );
        }
    }
    for i in 0..10 {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db-{i}, namespace: data}}\nspec:\n  replicas: 5\n  serviceName: db-{i}\n  selector: {{matchLabels: {{app: db-{i}}}}}\n  template:\n    metadata: {{labels: {{app: db-{i}}}}}\n    spec:\n      containers:\n      - name: db\n        image: postgres:16\n        resources: {{requests: {{cpu: '1', memory: 2Gi}}}}\n"
        );
    }
    for name in ["log-agent", "node-exporter"] {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: kube-system}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      priorityClassName: system-node-critical\n      containers:\n      - name: agent\n        image: {name}:1\n        resources: {{requests: {{cpu: 50m, memory: 64Mi}}}}\n"
        );
    }
    y
}

fn load(text: &str) -> Vec<Resource> {
    let mut sources = Sources::default();
    let id: FileId = sources.add(SourceFile::new("bench.yaml", text));
    let (rs, diags) = load_text(id, text, &LoadOptions::default());
    assert!(
        diags.is_empty(),
        "the generated workloads must load cleanly"
    );
    let cx = Context { sources: &sources };
    Pipeline::check().run(rs, &cx).resources
}

/// One run: elapsed seconds and each pod's node.
fn measure(resources: &[Resource], inventory: &Inventory) -> (f64, Vec<Option<usize>>, usize) {
    let t = Instant::now();
    let r = simulate(resources, inventory, &Options::default());
    let secs = t.elapsed().as_secs_f64();
    let placements: Vec<Option<usize>> = r
        .pods
        .iter()
        .map(|p| match p.state {
            PodState::Bound { node, .. } => Some(node),
            _ => None,
        })
        .collect();
    let pending = placements.iter().filter(|p| p.is_none()).count();
    (secs, placements, pending)
}

pub fn run() {
    let nodes = env("DRYDOCK_BENCH_NODES", 1000);
    let deployments = env("DRYDOCK_BENCH_DEPLOYMENTS", 250);
    let profile = format!("{nodes}x8cpu32Gi,zones=eu-1a|eu-1b|eu-1c");
    let text = workloads(deployments);
    if let Ok(dir) = std::env::var("DRYDOCK_BENCH_WRITE") {
        std::fs::create_dir_all(&dir).expect("output directory");
        std::fs::write(format!("{dir}/workloads.yaml"), &text).expect("write workloads");
        std::fs::write(format!("{dir}/profile.txt"), &profile).expect("write profile");
    }
    let resources = load(&text);
    let mut inventory = Inventory::default();
    inventory
        .nodes
        .add_profile(&profile, &mut BTreeMap::new())
        .expect("profile");
    let mut reference = None;
    for threads in [
        1,
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let (secs, placements, pending) = pool.install(|| measure(&resources, &inventory));
        println!(
            "schedule, {threads} thread(s): {secs:.2} s for {} pods on {nodes} nodes ({:.0} pods/s, {pending} pending)",
            placements.len(),
            placements.len() as f64 / secs
        );
        match &reference {
            None => reference = Some(placements),
            Some(r) => assert_eq!(r, &placements, "placements differ between thread counts"),
        }
    }
}

#[cfg(not(test))]
fn main() {
    run();
}

#[cfg(test)]
mod tests {
    /// A small run, so the benchmark stays correct when it is not registered.
    #[test]
    #[ignore = "a benchmark; run with --ignored or cargo bench"]
    fn small_cluster() {
        super::run();
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
