//! Lint throughput: every default rule over a generated set of realistic
//! objects (already loaded), at two sizes, on one thread and on all of them,
//! with the index build and the slowest rules timed on their own.
//!
//! Run with `cargo bench --bench lint`. `DRYDOCK_BENCH_SIZES=2000,8000`
//! picks other sizes, `DRYDOCK_BENCH_RUNS=5` the runs per measurement (the
//! best is reported). Linear behaviour shows as the same objects/s at both
//! sizes.

use std::fmt::Write;
use std::time::{Duration, Instant};

use drydock::lint::{Config, Lint};
use drydock::load::load_text;
use drydock::pipeline::Context;
use drydock::resource::Resource;
use drydock::schema::Version;
use drydock::source::{SourceFile, Sources};
use drydock::yaml::LoadOptions;

/// Tiny deterministic generator (a 64-bit LCG); no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

const LEVELS: &[&str] = &["privileged", "baseline", "restricted"];
const IMAGES: &[&str] = &[
    "registry.example.com/web/frontend:2.4.1",
    "registry.example.com/api/orders:1.19.0",
    "ghcr.io/example/worker:0.9.3",
    "docker.io/library/nginx:1.27",
    "docker.io/library/redis:7.2",
];

/// A stream of YAML documents and how many there are.
struct Set {
    text: String,
    objects: usize,
}

impl Set {
    fn doc(&mut self, body: std::fmt::Arguments<'_>) {
        self.text.push_str("---\n");
        let _ = self.text.write_fmt(body);
        self.objects += 1;
    }
}

/// A container with resources, probes and a security context (or, for
/// one app in four, the sloppy kind lint rules are written for).
fn container(rng: &mut Rng, name: &str, careful: bool, indent: &str) -> String {
    let image = rng.pick(IMAGES);
    let mut c = String::new();
    let _ = writeln!(c, "{indent}- name: {name}");
    let _ = writeln!(c, "{indent}  image: {image}");
    let _ = writeln!(c, "{indent}  ports:");
    let _ = writeln!(c, "{indent}  - {{name: http, containerPort: 8080}}");
    let _ = writeln!(c, "{indent}  env:");
    let _ = writeln!(c, "{indent}  - name: LOG_LEVEL");
    let _ = writeln!(
        c,
        "{indent}    valueFrom: {{configMapKeyRef: {{name: {name}-config, key: log-level}}}}"
    );
    let _ = writeln!(c, "{indent}  - name: DB_PASSWORD");
    let _ = writeln!(
        c,
        "{indent}    valueFrom: {{secretKeyRef: {{name: {name}-secret, key: password}}}}"
    );
    if careful {
        let cpu = 50 + rng.below(4) * 50;
        let _ = writeln!(c, "{indent}  resources:");
        let _ = writeln!(c, "{indent}    requests: {{cpu: {cpu}m, memory: 128Mi}}");
        let _ = writeln!(c, "{indent}    limits: {{cpu: {cpu}m, memory: 128Mi}}");
        let _ = writeln!(
            c,
            "{indent}  readinessProbe: {{httpGet: {{path: /ready, port: http}}}}"
        );
        let _ = writeln!(
            c,
            "{indent}  livenessProbe: {{httpGet: {{path: /live, port: http}}, periodSeconds: 20}}"
        );
        let _ = writeln!(c, "{indent}  securityContext:");
        let _ = writeln!(c, "{indent}    allowPrivilegeEscalation: false");
        let _ = writeln!(c, "{indent}    readOnlyRootFilesystem: true");
        let _ = writeln!(c, "{indent}    runAsNonRoot: true");
        let _ = writeln!(c, "{indent}    capabilities: {{drop: [ALL]}}");
        let _ = writeln!(c, "{indent}    seccompProfile: {{type: RuntimeDefault}}");
    } else {
        let _ = writeln!(c, "{indent}  resources: {{requests: {{memory: 64Mi}}}}");
    }
    c
}

/// The pod spec of a template, indented under `template:`.
fn pod_spec(rng: &mut Rng, app: &str, careful: bool, indent: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{indent}serviceAccountName: {app}");
    if careful {
        let _ = writeln!(
            s,
            "{indent}securityContext: {{runAsUser: 10001, fsGroup: 10001}}"
        );
    }
    let _ = writeln!(s, "{indent}containers:");
    s.push_str(&container(rng, app, careful, indent));
    let _ = writeln!(s, "{indent}volumes:");
    let _ = writeln!(s, "{indent}- name: config");
    let _ = writeln!(s, "{indent}  configMap: {{name: {app}-config}}");
    s
}

/// One application: a workload of some kind and what goes with it.
fn app(set: &mut Set, rng: &mut Rng, ns: &str, n: usize) {
    let app = format!("app-{n}");
    let careful = rng.below(4) != 0;
    let team = rng.pick(&["payments", "search", "checkout", "identity"]);
    let labels = format!("{{app: {app}, team: {team}}}");
    set.doc(format_args!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {app}, namespace: {ns}}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {app}-config, namespace: {ns}, labels: {labels}}}\ndata:\n  log-level: info\n  feature-flags: \"a,b\"\n"
    ));
    set.doc(format_args!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: {app}-secret, namespace: {ns}}}\ntype: Opaque\ndata:\n  password: cGFzc3dvcmQ=\n"
    ));
    let kind = match rng.below(10) {
        0 => "StatefulSet",
        1 => "DaemonSet",
        2 => "CronJob",
        _ => "Deployment",
    };
    let replicas = 2 + rng.below(3);
    match kind {
        "CronJob" => {
            let spec = pod_spec(rng, &app, careful, "          ");
            set.doc(format_args!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {app}, namespace: {ns}, labels: {labels}}}\nspec:\n  schedule: \"*/15 * * * *\"\n  jobTemplate:\n    spec:\n      ttlSecondsAfterFinished: 600\n      template:\n        metadata: {{labels: {labels}}}\n        spec:\n          restartPolicy: OnFailure\n{spec}"
            ));
            return;
        }
        "StatefulSet" => {
            let spec = pod_spec(rng, &app, careful, "      ");
            set.doc(format_args!(
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: {app}, namespace: {ns}, labels: {labels}}}\nspec:\n  serviceName: {app}-headless\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {app}}}}}\n  template:\n    metadata: {{labels: {labels}}}\n    spec:\n{spec}  volumeClaimTemplates:\n  - metadata: {{name: data}}\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources: {{requests: {{storage: 10Gi}}}}\n"
            ));
            set.doc(format_args!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: {app}-headless, namespace: {ns}}}\nspec:\n  clusterIP: None\n  selector: {{app: {app}}}\n  ports:\n  - {{name: http, port: 80, targetPort: http}}\n"
            ));
        }
        _ => {
            let spec = pod_spec(rng, &app, careful, "      ");
            let extra = if kind == "Deployment" {
                format!("  replicas: {replicas}\n")
            } else {
                String::new()
            };
            let api = "apps/v1";
            set.doc(format_args!(
                "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {app}, namespace: {ns}, labels: {labels}}}\nspec:\n{extra}  selector: {{matchLabels: {{app: {app}}}}}\n  template:\n    metadata: {{labels: {labels}}}\n    spec:\n{spec}"
            ));
        }
    }
    set.doc(format_args!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {app}, namespace: {ns}, labels: {labels}}}\nspec:\n  selector: {{app: {app}}}\n  ports:\n  - {{name: http, port: 80, targetPort: http}}\n"
    ));
    if kind == "DaemonSet" {
        return;
    }
    set.doc(format_args!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: {app}, namespace: {ns}}}\nspec:\n  maxUnavailable: 1\n  selector: {{matchLabels: {{app: {app}}}}}\n"
    ));
    if kind == "Deployment" {
        set.doc(format_args!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: {app}, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}\n"
        ));
    }
    if rng.below(3) == 0 {
        set.doc(format_args!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {app}, namespace: {ns}}}\nspec:\n  ingressClassName: nginx\n  tls:\n  - {{hosts: [{app}.{ns}.example.com], secretName: {app}-tls}}\n  rules:\n  - host: {app}.{ns}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {{service: {{name: {app}, port: {{name: http}}}}}}\n"
        ));
        set.doc(format_args!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: {app}-tls, namespace: {ns}}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: Y2VydA==\n  tls.key: a2V5\n"
        ));
    }
    if rng.below(2) == 0 {
        set.doc(format_args!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {app}-cache, namespace: {ns}}}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {{requests: {{storage: 5Gi}}}}\n"
        ));
    }
    set.doc(format_args!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {app}-ingress, namespace: {ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: {app}}}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - podSelector: {{matchLabels: {{team: {team}}}}}\n    ports:\n    - {{port: http}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: {app}, namespace: {ns}}}\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  resourceNames: [{app}-config]\n  verbs: [get, watch]\n"
    ));
    set.doc(format_args!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {app}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {app}}}\nsubjects:\n- {{kind: ServiceAccount, name: {app}, namespace: {ns}}}\n"
    ));
}

/// A namespace with its policies, then applications until it holds about
/// 60 objects.
fn namespace(set: &mut Set, rng: &mut Rng, n: usize, apps: &mut usize) {
    let ns = format!("team-{n}");
    let level = rng.pick(LEVELS);
    set.doc(format_args!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    pod-security.kubernetes.io/enforce: {level}\n    pod-security.kubernetes.io/warn: restricted\n"
    ));
    set.doc(format_args!(
        "apiVersion: v1\nkind: LimitRange\nmetadata: {{name: defaults, namespace: {ns}}}\nspec:\n  limits:\n  - type: Container\n    default: {{cpu: 500m, memory: 512Mi}}\n    defaultRequest: {{cpu: 100m, memory: 128Mi}}\n    max: {{cpu: \"2\", memory: 2Gi}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: quota, namespace: {ns}}}\nspec:\n  hard:\n    requests.cpu: \"40\"\n    requests.memory: 80Gi\n    limits.cpu: \"80\"\n    limits.memory: 160Gi\n    persistentvolumeclaims: \"50\"\n"
    ));
    set.doc(format_args!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {ns}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n    ports:\n    - {{port: 53, protocol: UDP}}\n"
    ));
    let start = set.objects;
    while set.objects - start < 56 {
        app(set, rng, &ns, *apps);
        *apps += 1;
    }
}

/// Cluster-wide objects: a few PodSecurityPolicies and the RBAC that lets
/// every ServiceAccount use the restricted one.
fn cluster(set: &mut Set) {
    set.doc(format_args!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {{name: restricted}}\nspec:\n  privileged: false\n  allowPrivilegeEscalation: false\n  requiredDropCapabilities: [ALL]\n  volumes: [configMap, secret, emptyDir, persistentVolumeClaim, projected]\n  runAsUser: {{rule: MustRunAsNonRoot}}\n  seLinux: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: MustRunAs, ranges: [{{min: 1, max: 65535}}]}}\n  fsGroup: {{rule: MustRunAs, ranges: [{{min: 1, max: 65535}}]}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {{name: baseline}}\nspec:\n  privileged: false\n  volumes: ['*']\n  runAsUser: {{rule: RunAsAny}}\n  seLinux: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {{name: privileged}}\nspec:\n  privileged: true\n  hostNetwork: true\n  volumes: ['*']\n  runAsUser: {{rule: RunAsAny}}\n  seLinux: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n"
    ));
    set.doc(format_args!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: psp-restricted}}\nrules:\n- apiGroups: [policy]\n  resources: [podsecuritypolicies]\n  resourceNames: [restricted]\n  verbs: [use]\n"
    ));
    set.doc(format_args!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: psp-restricted}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}}\nsubjects:\n- {{kind: Group, name: \"system:serviceaccounts\", apiGroup: rbac.authorization.k8s.io}}\n"
    ));
}

/// About `objects` objects (a namespace more at most).
fn generate(objects: usize) -> Set {
    let mut set = Set {
        text: String::with_capacity(objects * 400),
        objects: 0,
    };
    let mut rng = Rng(0x11e7);
    cluster(&mut set);
    let (mut n, mut apps) = (0, 0);
    while set.objects < objects {
        namespace(&mut set, &mut rng, n, &mut apps);
        n += 1;
    }
    set
}

/// The best of `runs` lint runs, and the findings of the last.
fn measure(
    lint: &Lint,
    resources: &[Resource],
    cx: &Context<'_>,
    runs: usize,
) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = lint.lint(resources, cx);
        best = best.min(t.elapsed());
        findings = out.diagnostics.len();
    }
    (best, findings)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("DRYDOCK_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 50_000]);
    let runs: usize = std::env::var("DRYDOCK_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let all = std::thread::available_parallelism().map_or(2, |n| n.get());
    for size in sizes {
        let set = generate(size);
        let mut sources = Sources::default();
        let file = sources.add(SourceFile::new("generated.yaml", set.text.clone()));
        let (resources, diags) = load_text(file, &set.text, &LoadOptions::default());
        assert!(diags.is_empty(), "the generated set must load cleanly");
        assert_eq!(resources.len(), set.objects);
        let cx = Context { sources: &sources };
        println!(
            "set: {} objects, {:.1} MB",
            resources.len(),
            set.text.len() as f64 / 1e6
        );
        let lint = Lint::new(Config::default(), Version::latest());
        for threads in [1, all] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            let (best, findings) = pool.install(|| measure(&lint, &resources, &cx, runs));
            println!(
                "lint, {threads} thread(s): {:.3} s, {:.0} objects/s ({findings} findings)",
                best.as_secs_f64(),
                resources.len() as f64 / best.as_secs_f64()
            );
        }
        let timed = Lint::new(Config::default(), Version::latest()).with_timing(true);
        let out = timed.lint(&resources, &cx);
        let Some(t) = out.timings else {
            continue;
        };
        let mut rules = t.rules.clone();
        rules.sort_by_key(|r| std::cmp::Reverse(r.1));
        let total: Duration = rules.iter().map(|r| r.1).sum();
        println!(
            "timed, {all} thread(s): index {:.1} ms, {} rules {:.1} ms; slowest:",
            t.index.as_secs_f64() * 1e3,
            rules.len(),
            total.as_secs_f64() * 1e3
        );
        for (id, d) in rules.iter().take(10) {
            println!("  {id:<34} {:>8.2} ms", d.as_secs_f64() * 1e3);
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
