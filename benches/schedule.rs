//! Dry-run scheduling of generated clusters at Kubernetes' documented limits:
//! 5,000 nodes in three zones (a general pool and two tainted pools) and
//! over 150,000 pods from a few hundred workloads: Deployments with required
//! or preferred anti-affinity, zone topology spreading, node selectors and
//! tolerations, StatefulSets, and DaemonSets that tolerate every taint. A
//! smaller cluster of the same shape (1,000 nodes, about 30,000 pods) shows
//! how the cost scales.
//!
//! Each size runs on one thread and on all of them; the placements must be
//! identical. Printed: nodes, pods, placed, pending, wall time, pods per
//! second and the peak resident memory of the process so far (`VmHWM`).
//!
//! Run with `cargo bench --bench schedule` (registered with `harness = false`)
//! or `scripts/schedule-bench.sh`, which adds the end-to-end time of
//! `drydock schedule`. `DRYDOCK_BENCH_NODES=1000,5000` lists the sizes (the
//! pods scale with the nodes), `DRYDOCK_BENCH_DEPLOYMENTS` the number of
//! Deployments (300), and `DRYDOCK_BENCH_WRITE=DIR` writes the inputs of the
//! last size there (`workloads.yaml`, one `--nodes` profile a line in
//! `profiles.txt`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use drydock::load::load_text;
use drydock::pipeline::{Context, Pipeline};
use drydock::resource::Resource;
use drydock::schedule::{Inventory, Options, PodState, simulate};
use drydock::source::{FileId, SourceFile, Sources};
use drydock::yaml::LoadOptions;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The sizes to run, in nodes.
fn sizes() -> Vec<usize> {
    match std::env::var("DRYDOCK_BENCH_NODES") {
        Ok(s) => s
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .filter(|&n| n >= 10)
            .collect(),
        Err(_) => vec![1000, 5000],
    }
}

/// The node pools: 80% general nodes, 12% high-memory nodes tainted
/// `pool=highmem:NoSchedule`, 8% GPU nodes tainted
/// `nvidia.com/gpu=present:NoSchedule`, each spread over three zones.
pub fn profiles(nodes: usize) -> Vec<String> {
    let highmem = nodes * 12 / 100;
    let gpu = nodes * 8 / 100;
    let general = nodes - highmem - gpu;
    let zones = "zones=eu-1a|eu-1b|eu-1c";
    vec![
        format!("{general}x16cpu64Gi,{zones},name=general,label=pool=general"),
        format!(
            "{highmem}x16cpu128Gi,{zones},name=highmem,label=pool=highmem,taint=pool=highmem:NoSchedule"
        ),
        format!(
            "{gpu}x32cpu128Gi,{zones},name=gpu,label=pool=gpu,gpu=nvidia.com/gpu:4,taint=nvidia.com/gpu=present:NoSchedule"
        ),
    ]
}

/// The workloads for a cluster of `nodes` nodes, as one YAML stream: about
/// 30 pods per node in all (over 150,000 at 5,000 nodes).
pub fn workloads(nodes: usize, deployments: usize) -> String {
    let mut y = String::new();
    // The Deployments' average replicas, so that they make about 28 pods
    // per node (the pinned and GPU ones have fewer).
    let per = (nodes * 33).div_ceil(deployments.max(1));
    for i in 0..deployments {
        let cpu = 50 + (i * 37) % 200;
        let mem = 64 + (i * 53) % 448;
        // Between half and one and a half times the average.
        let mut replicas = per / 2 + (i * 7919) % per.max(1);
        let mut spec = String::new();
        let mut requests = format!("cpu: {cpu}m, memory: {mem}Mi");
        match i % 10 {
            // One replica per node.
            3 => {
                replicas = replicas.min(nodes / 10);
                let _ = write!(
                    spec,
                    "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector: {{matchLabels: {{app: app-{i}}}}}\n            topologyKey: kubernetes.io/hostname\n"
                );
            }
            // Rather not two replicas on one node.
            5 => {
                let _ = write!(
                    spec,
                    "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              labelSelector: {{matchLabels: {{app: app-{i}}}}}\n              topologyKey: kubernetes.io/hostname\n"
                );
            }
            // Even over the zones.
            7 => {
                let _ = write!(
                    spec,
                    "      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector: {{matchLabels: {{app: app-{i}}}}}\n"
                );
            }
            // On the high-memory pool only.
            8 => {
                replicas /= 2;
                requests = format!("cpu: {cpu}m, memory: {}Mi", mem * 4);
                let _ = write!(
                    spec,
                    "      nodeSelector: {{pool: highmem}}\n      tolerations:\n      - {{key: pool, operator: Equal, value: highmem, effect: NoSchedule}}\n"
                );
            }
            // GPU workers, every fourth one without a GPU request; they ask
            // for more GPUs than the pool has.
            9 => {
                replicas /= 6;
                if i % 4 != 1 {
                    requests.push_str(", nvidia.com/gpu: 1");
                }
                let _ = write!(
                    spec,
                    "      tolerations:\n      - {{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}}\n"
                );
            }
            _ => {}
        }
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: ns-{ns}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}, team: team-{team}}}}}\n    spec:\n{spec}      containers:\n      - name: main\n        image: registry.example.com/app-{i}:1.0\n        resources: {{requests: {{{requests}}}}}\n",
            ns = i % 7,
            team = i % 13,
        );
        if i % 2 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: ns-{ns}}}\nspec:\n  selector: {{app: app-{i}}}\n  ports: [{{port: 80}}]\n",
                ns = i % 7
            );
        }
    }
    // StatefulSets: about one pod per 2.5 nodes, spread over the zones.
    let sets = 20;
    let per_set = (nodes * 2 / 5).div_ceil(sets).max(1);
    for i in 0..sets {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db-{i}, namespace: data}}\nspec:\n  replicas: {per_set}\n  serviceName: db-{i}\n  podManagementPolicy: Parallel\n  selector: {{matchLabels: {{app: db-{i}}}}}\n  template:\n    metadata: {{labels: {{app: db-{i}}}}}\n    spec:\n      topologySpreadConstraints:\n      - maxSkew: 2\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector: {{matchLabels: {{app: db-{i}}}}}\n      containers:\n      - name: db\n        image: postgres:16\n        resources: {{requests: {{cpu: 500m, memory: 2Gi}}}}\n"
        );
    }
    // DaemonSets on every node, tainted pools included.
    for name in ["log-agent", "node-exporter"] {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: kube-system}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      priorityClassName: system-node-critical\n      tolerations:\n      - operator: Exists\n      containers:\n      - name: agent\n        image: {name}:1\n        resources: {{requests: {{cpu: 50m, memory: 64Mi}}}}\n"
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

/// The process's peak resident memory so far, in MiB (`VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One run: elapsed seconds and each pod's node.
fn measure(resources: &[Resource], inventory: &Inventory) -> (f64, Vec<Option<usize>>) {
    let t = Instant::now();
    let r = simulate(resources, inventory, &Options::default());
    let secs = t.elapsed().as_secs_f64();
    let placements = r
        .pods
        .iter()
        .map(|p| match p.state {
            PodState::Bound { node, .. } => Some(node),
            _ => None,
        })
        .collect();
    (secs, placements)
}

fn run_size(nodes: usize, deployments: usize, threads: &[usize]) {
    let profiles = profiles(nodes);
    let text = workloads(nodes, deployments);
    if let Ok(dir) = std::env::var("DRYDOCK_BENCH_WRITE") {
        std::fs::create_dir_all(&dir).expect("output directory");
        std::fs::write(format!("{dir}/workloads.yaml"), &text).expect("write workloads");
        std::fs::write(format!("{dir}/profiles.txt"), profiles.join("\n") + "\n")
            .expect("write profiles");
    }
    let resources = load(&text);
    let mut inventory = Inventory::default();
    let mut counters = BTreeMap::new();
    for p in &profiles {
        inventory
            .nodes
            .add_profile(p, &mut counters)
            .expect("profile");
    }
    let mut reference: Option<Vec<Option<usize>>> = None;
    for &t in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("thread pool");
        let (secs, placements) = pool.install(|| measure(&resources, &inventory));
        let pods = placements.len();
        let placed = placements.iter().filter(|p| p.is_some()).count();
        let rss = peak_rss_mib().map_or_else(|| "?".to_owned(), |m| format!("{m:.0} MiB"));
        println!(
            "schedule {nodes} nodes, {t} thread(s): {pods} pods, {placed} placed, {} pending, {secs:.2} s, {:.0} pods/s, peak RSS {rss}",
            pods - placed,
            pods as f64 / secs
        );
        match &reference {
            None => reference = Some(placements),
            Some(r) => assert!(r == &placements, "placements differ between thread counts"),
        }
    }
}

pub fn run() {
    let deployments = env_usize("DRYDOCK_BENCH_DEPLOYMENTS", 300);
    let all = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads: Vec<usize> = if all > 1 { vec![1, all] } else { vec![1] };
    for nodes in sizes() {
        run_size(nodes, deployments, &threads);
    }
}

fn main() {
    run();
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
