//! A deterministic multi-document stream of realistic Kubernetes objects, valid
//! for Kubernetes 1.37 under strict validation, with schema errors injected at
//! known places.
//!
//! Objects come in applications (a ServiceAccount, a ConfigMap, a Secret, a
//! workload and, depending on its shape, a Service, an Ingress, an HPA, a PDB, a
//! NetworkPolicy, a Role and its RoleBinding) whose references resolve, so the
//! stream also suits checks that look across objects.
//!
//! About every `errors_every`-th object carries one injected error; the classes
//! take turns, so a stream of a few thousand objects exercises all of them. For
//! each error the generator records the code, line and column a validator must
//! report: the key for unknown fields, the value for type, enum and format errors
//! and for removed apiVersions, the enclosing object for a missing required field.

/// A finding the validator must report.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expected {
    /// 1-based line of the stream.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub code: &'static str,
    /// The injected error class, e.g. `misspelt-livenessProbe`.
    pub fault: &'static str,
    /// `Kind/name` of the object that carries it.
    pub object: String,
}

/// xorshift64*: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // The state must never be zero.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() >> 11) as usize % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Deployment,
    Service,
    ConfigMap,
    Secret,
    StatefulSet,
    CronJob,
    Ingress,
    Hpa,
    Pdb,
    ServiceAccount,
    Role,
    RoleBinding,
    NetworkPolicy,
    Job,
    DaemonSet,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Deployment => "Deployment",
            Kind::Service => "Service",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::StatefulSet => "StatefulSet",
            Kind::CronJob => "CronJob",
            Kind::Ingress => "Ingress",
            Kind::Hpa => "HorizontalPodAutoscaler",
            Kind::Pdb => "PodDisruptionBudget",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Role => "Role",
            Kind::RoleBinding => "RoleBinding",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::Job => "Job",
            Kind::DaemonSet => "DaemonSet",
        }
    }
}

/// Kinds whose pods run continuously (and so have probes and ports).
const SERVERS: &[Kind] = &[Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet];
const WORKLOADS: &[Kind] = &[
    Kind::Deployment,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::Job,
    Kind::CronJob,
];
const BATCH: &[Kind] = &[Kind::Job, Kind::CronJob];

/// The injected error classes, in the order they take turns.
#[derive(Clone, Copy, Debug)]
enum Fault {
    LivenessTypo,
    PullPolicyTypo,
    ContainersTypo,
    ReplicasQuoted,
    ContainerPortQuoted,
    ContainerWithoutName,
    ServicePortWithoutPort,
    PullPolicyEnum,
    RestartPolicyEnum,
    ProtocolEnum,
    MemoryQuantity,
    CpuQuantity,
    SecretNotBase64,
    ExtensionsDeployment,
    PolicyV1beta1Pdb,
}

const FAULTS: &[Fault] = &[
    Fault::LivenessTypo,
    Fault::ReplicasQuoted,
    Fault::ContainerWithoutName,
    Fault::PullPolicyEnum,
    Fault::MemoryQuantity,
    Fault::SecretNotBase64,
    Fault::ExtensionsDeployment,
    Fault::PullPolicyTypo,
    Fault::ContainerPortQuoted,
    Fault::ServicePortWithoutPort,
    Fault::RestartPolicyEnum,
    Fault::CpuQuantity,
    Fault::PolicyV1beta1Pdb,
    Fault::ContainersTypo,
    Fault::ProtocolEnum,
];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::LivenessTypo => "misspelt-livenessProbe",
            Fault::PullPolicyTypo => "misspelt-imagePullPolicy",
            Fault::ContainersTypo => "misspelt-containers",
            Fault::ReplicasQuoted => "quoted-replicas",
            Fault::ContainerPortQuoted => "quoted-containerPort",
            Fault::ContainerWithoutName => "container-without-name",
            Fault::ServicePortWithoutPort => "service-port-without-port",
            Fault::PullPolicyEnum => "bad-imagePullPolicy",
            Fault::RestartPolicyEnum => "bad-restartPolicy",
            Fault::ProtocolEnum => "bad-protocol",
            Fault::MemoryQuantity => "bad-memory-quantity",
            Fault::CpuQuantity => "bad-cpu-quantity",
            Fault::SecretNotBase64 => "secret-not-base64",
            Fault::ExtensionsDeployment => "removed-extensions-v1beta1",
            Fault::PolicyV1beta1Pdb => "removed-policy-v1beta1",
        }
    }

    /// The kinds that can carry this error.
    fn kinds(self) -> &'static [Kind] {
        match self {
            Fault::LivenessTypo | Fault::ContainerPortQuoted => SERVERS,
            Fault::PullPolicyTypo
            | Fault::ContainersTypo
            | Fault::ContainerWithoutName
            | Fault::PullPolicyEnum
            | Fault::MemoryQuantity
            | Fault::CpuQuantity => WORKLOADS,
            Fault::ReplicasQuoted => &[Kind::Deployment, Kind::StatefulSet],
            Fault::ServicePortWithoutPort | Fault::ProtocolEnum => &[Kind::Service],
            Fault::RestartPolicyEnum => BATCH,
            Fault::SecretNotBase64 => &[Kind::Secret],
            Fault::ExtensionsDeployment => &[Kind::Deployment],
            Fault::PolicyV1beta1Pdb => &[Kind::Pdb],
        }
    }
}

/// The stream, and what a validator must find in it.
///
/// `errors_every` of 0 injects nothing.
pub fn generate(objects: usize, errors_every: usize, seed: u64) -> (String, Vec<Expected>) {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(objects * 1200);
    let mut expected = Vec::new();
    let mut lines_before = 0usize;
    let mut turn = 0usize;
    // The first object that may carry the next error (None: no errors).
    let mut due = errors_every.checked_sub(1);
    let mut written = 0usize;
    let mut apps = 0usize;
    while written < objects {
        let app = App::new(&mut rng, apps);
        apps += 1;
        for &kind in &app.kinds {
            if written == objects {
                break;
            }
            let mut doc = Doc::default();
            doc.push(0, "---");
            if rng.chance(30) {
                doc.push(
                    0,
                    format!(
                        "# Source: {}/templates/{}.yaml",
                        app.team,
                        kind.name().to_ascii_lowercase()
                    ),
                );
            }
            write_object(&mut doc, &mut rng, &app, kind);
            if due.is_some_and(|d| written >= d) {
                // The classes take turns; an object that cannot carry the next
                // one passes it on to the following objects.
                let fault = FAULTS[turn % FAULTS.len()];
                let found = fault
                    .kinds()
                    .contains(&kind)
                    .then(|| inject(&mut doc, fault))
                    .flatten();
                if let Some(found) = found {
                    turn += 1;
                    due = Some(written + errors_every);
                    let object = format!("{}/{}", kind.name(), app.name);
                    for (code, line, column) in found {
                        expected.push(Expected {
                            line: lines_before + line + 1,
                            column,
                            code,
                            fault: fault.name(),
                            object: object.clone(),
                        });
                    }
                }
            }
            lines_before += doc.lines.len();
            for l in &doc.lines {
                out.push_str(l);
                out.push('\n');
            }
            written += 1;
        }
    }
    expected.sort();
    (out, expected)
}

const TEAMS: &[&str] = &[
    "payments", "catalog", "search", "identity", "orders", "ledger", "edge", "growth",
];
const COMPONENTS: &[&str] = &[
    "api",
    "web",
    "worker",
    "gateway",
    "indexer",
    "scheduler",
    "notifier",
    "cache",
    "sync",
    "exporter",
];
const REGISTRIES: &[&str] = &[
    "registry.example.com",
    "ghcr.io/example",
    "eu.gcr.io/example-prod",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
];
const BAD_MEMORY: &[&str] = &["1GiB", "512MB", "2 Gi", "256mb"];
const BAD_CPU: &[&str] = &["1cpu", "500mc", "0.5 cores", "2vCPU"];
const SCHEDULES: &[&str] = &["*/5 * * * *", "0 3 * * *", "15 */2 * * *", "0 0 * * 0"];

/// One document as lines, so that errors can be injected and located.
#[derive(Default)]
struct Doc {
    lines: Vec<String>,
}

impl Doc {
    fn push(&mut self, indent: usize, text: impl AsRef<str>) {
        let mut line = " ".repeat(indent);
        line.push_str(text.as_ref());
        self.lines.push(line);
    }

    /// The first line at or after `from` whose key (after indentation and an
    /// optional `- `) is `key`; with the character column of the key and of its value.
    fn find(&self, from: usize, key: &str) -> Option<(usize, usize, usize)> {
        (from..self.lines.len()).find_map(|i| {
            let line = &self.lines[i];
            let body = line.trim_start_matches(' ');
            let body = body.strip_prefix("- ").unwrap_or(body);
            let key_col = line.len() - body.len();
            let rest = body.strip_prefix(key)?.strip_prefix(':')?;
            let value_col = line.len() - rest.trim_start_matches(' ').len();
            // Character columns, 1-based; the keys and values written here are ASCII.
            Some((i, key_col + 1, value_col + 1))
        })
    }

    /// Replaces the value of a line.
    fn set_value(&mut self, line: usize, value_col: usize, value: &str) {
        let l = &mut self.lines[line];
        l.truncate(value_col - 1);
        l.push_str(value);
    }
}

const UNKNOWN: &str = "schema-unknown-field";
const TYPE: &str = "schema-type";
const REQUIRED: &str = "schema-required";
const ENUM: &str = "schema-enum";
const FORMAT: &str = "schema-format";
const REMOVED: &str = "api-removed";

/// A finding: its code, 0-based line in the document and column.
type Finding = (&'static str, usize, usize);

/// Applies a fault, if the object has what it needs; the findings it must cause.
fn inject(doc: &mut Doc, fault: Fault) -> Option<Vec<Finding>> {
    match fault {
        Fault::LivenessTypo => typo(doc, "livenessProbe", "livernessProbe"),
        Fault::PullPolicyTypo => typo(doc, "imagePullPolicy", "imagePullPolicey"),
        Fault::ContainersTypo => {
            let mut found = typo(doc, "containers", "contianers")?;
            // The pod spec now lacks its required `containers`: reported on the
            // pod spec's key, the last `spec:` before the misspelt key.
            let at = found[0].1;
            let (line, key_col, _) = (0..at)
                .rev()
                .find_map(|i| doc.find(i, "spec").filter(|f| f.0 == i))?;
            found.push((REQUIRED, line, key_col));
            Some(found)
        }
        Fault::ReplicasQuoted => quote(doc, "replicas"),
        Fault::ContainerPortQuoted => quote(doc, "containerPort"),
        Fault::ContainerWithoutName => {
            let from = doc.find(0, "containers")?.0;
            let (line, key_col, _) = doc.find(from, "name")?;
            // `- name: x` goes; the next key of the item takes its dash.
            doc.lines.remove(line);
            let dash = " ".repeat(key_col - 3);
            let next = doc.lines[line].trim_start_matches(' ').to_owned();
            doc.lines[line] = format!("{dash}- {next}");
            Some(vec![(REQUIRED, line, key_col)])
        }
        Fault::ServicePortWithoutPort => {
            let from = doc.find(0, "ports")?.0;
            let (item, key_col, _) = doc.find(from, "name")?;
            let (port, _, _) = doc.find(item, "port")?;
            doc.lines.remove(port);
            Some(vec![(REQUIRED, item, key_col)])
        }
        Fault::PullPolicyEnum => replace_value(doc, "imagePullPolicy", "Allways", ENUM),
        Fault::RestartPolicyEnum => replace_value(doc, "restartPolicy", "Sometimes", ENUM),
        Fault::ProtocolEnum => replace_value(doc, "protocol", "tcp", ENUM),
        Fault::MemoryQuantity => {
            let bad = BAD_MEMORY[doc.lines.len() % BAD_MEMORY.len()];
            replace_value(doc, "memory", bad, FORMAT)
        }
        Fault::CpuQuantity => {
            let bad = BAD_CPU[doc.lines.len() % BAD_CPU.len()];
            replace_value(doc, "cpu", bad, FORMAT)
        }
        Fault::SecretNotBase64 => replace_value(doc, "password", "s3cr3t-Passw0rd!", FORMAT),
        Fault::ExtensionsDeployment => {
            replace_value(doc, "apiVersion", "extensions/v1beta1", REMOVED)
        }
        Fault::PolicyV1beta1Pdb => replace_value(doc, "apiVersion", "policy/v1beta1", REMOVED),
    }
}

fn typo(doc: &mut Doc, key: &str, misspelt: &str) -> Option<Vec<Finding>> {
    let (line, key_col, _) = doc.find(0, key)?;
    doc.lines[line].replace_range(key_col - 1..key_col - 1 + key.len(), misspelt);
    Some(vec![(UNKNOWN, line, key_col)])
}

fn quote(doc: &mut Doc, key: &str) -> Option<Vec<Finding>> {
    let (line, _, value_col) = doc.find(0, key)?;
    let value = doc.lines[line][value_col - 1..].to_owned();
    doc.set_value(line, value_col, &format!("\"{value}\""));
    Some(vec![(TYPE, line, value_col)])
}

fn replace_value(
    doc: &mut Doc,
    key: &str,
    value: &str,
    code: &'static str,
) -> Option<Vec<Finding>> {
    let (line, _, value_col) = doc.find(0, key)?;
    doc.set_value(line, value_col, value);
    Some(vec![(code, line, value_col)])
}

/// What an application runs as.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// A Deployment behind a Service, perhaps an Ingress.
    Web,
    /// A Deployment without a Service.
    Worker,
    /// A StatefulSet behind its headless Service.
    Stateful,
    Cron,
    OneOff,
    /// A DaemonSet.
    Agent,
}

/// One application: its objects refer to each other as in a real repository
/// (Services select its pods, the pods mount its ConfigMap and Secret and run
/// as its ServiceAccount, the HPA scales its Deployment, ...).
struct App {
    name: String,
    team: &'static str,
    component: &'static str,
    image: String,
    port: u32,
    shape: Shape,
    /// Scaled by an HPA (so the Deployment leaves `replicas` to it).
    autoscaled: bool,
    /// Talks to the API server through its Role.
    rbac: bool,
    kinds: Vec<Kind>,
}

impl App {
    fn new(rng: &mut Rng, i: usize) -> App {
        let team = rng.pick(TEAMS);
        let component = rng.pick(COMPONENTS);
        let registry = rng.pick(REGISTRIES);
        let version = format!("{}.{}.{}", 1 + rng.below(4), rng.below(30), rng.below(12));
        let shape = match rng.below(100) {
            0..45 => Shape::Web,
            45..60 => Shape::Worker,
            60..72 => Shape::Stateful,
            72..87 => Shape::Cron,
            87..93 => Shape::OneOff,
            _ => Shape::Agent,
        };
        let autoscaled = matches!(shape, Shape::Web | Shape::Worker) && rng.chance(60);
        let rbac = rng.chance(30);
        let mut kinds = vec![Kind::ServiceAccount];
        if rbac {
            kinds.extend([Kind::Role, Kind::RoleBinding]);
        }
        kinds.extend([Kind::ConfigMap, Kind::Secret]);
        let long_running = matches!(shape, Shape::Web | Shape::Worker | Shape::Stateful);
        match shape {
            Shape::Web | Shape::Worker => kinds.push(Kind::Deployment),
            Shape::Stateful => kinds.push(Kind::StatefulSet),
            Shape::Cron => kinds.push(Kind::CronJob),
            Shape::OneOff => kinds.push(Kind::Job),
            Shape::Agent => kinds.push(Kind::DaemonSet),
        }
        if matches!(shape, Shape::Web | Shape::Stateful) {
            kinds.push(Kind::Service);
        }
        if shape == Shape::Web && rng.chance(50) {
            kinds.push(Kind::Ingress);
        }
        if autoscaled {
            kinds.push(Kind::Hpa);
        }
        if long_running && rng.chance(60) {
            kinds.push(Kind::Pdb);
        }
        if long_running && rng.chance(60) {
            kinds.push(Kind::NetworkPolicy);
        }
        App {
            name: format!("{team}-{component}-{i}"),
            team,
            component,
            image: format!("{registry}/{team}/{component}:{version}"),
            port: 8000 + rng.below(1000) as u32,
            shape,
            autoscaled,
            rbac,
            kinds,
        }
    }
}

fn write_object(doc: &mut Doc, rng: &mut Rng, app: &App, kind: Kind) {
    match kind {
        Kind::Deployment => deployment(doc, rng, app),
        Kind::StatefulSet => statefulset(doc, rng, app),
        Kind::DaemonSet => daemonset(doc, rng, app),
        Kind::Job => job(doc, rng, app),
        Kind::CronJob => cronjob(doc, rng, app),
        Kind::Service => service(doc, rng, app),
        Kind::ConfigMap => configmap(doc, rng, app),
        Kind::Secret => secret(doc, rng, app),
        Kind::Ingress => ingress(doc, rng, app),
        Kind::Hpa => hpa(doc, rng, app),
        Kind::Pdb => pdb(doc, rng, app),
        Kind::ServiceAccount => service_account(doc, rng, app),
        Kind::Role => role(doc, rng, app),
        Kind::RoleBinding => role_binding(doc, rng, app),
        Kind::NetworkPolicy => network_policy(doc, rng, app),
    }
}

fn header(doc: &mut Doc, rng: &mut Rng, app: &App, api: &str, kind: &str) {
    named_header(doc, rng, app, &app.name, api, kind);
}

fn named_header(doc: &mut Doc, rng: &mut Rng, app: &App, name: &str, api: &str, kind: &str) {
    doc.push(0, format!("apiVersion: {api}"));
    doc.push(0, format!("kind: {kind}"));
    doc.push(0, "metadata:");
    doc.push(2, format!("name: {name}"));
    doc.push(2, format!("namespace: {}", app.team));
    doc.push(2, "labels:");
    labels(doc, 4, app);
    if rng.chance(25) {
        doc.push(
            4,
            format!("environment: {}", rng.pick(&["dev", "staging", "prod"])),
        );
    }
    if rng.chance(40) {
        doc.push(2, "annotations:");
        doc.push(
            4,
            format!("example.com/owner: team-{}@example.com", app.team),
        );
        doc.push(
            4,
            format!("example.com/revision: \"{}\"", 1 + rng.below(400)),
        );
        if rng.chance(30) {
            doc.push(4, "example.com/description: >-");
            doc.push(
                6,
                format!("Owned by the {} team (équipe {});", app.team, app.team),
            );
            doc.push(6, "changes go through review.");
        }
    }
}

fn labels(doc: &mut Doc, indent: usize, app: &App) {
    doc.push(indent, format!("app.kubernetes.io/name: {}", app.name));
    doc.push(
        indent,
        format!("app.kubernetes.io/component: {}", app.component),
    );
    doc.push(indent, format!("app.kubernetes.io/part-of: {}", app.team));
}

fn selector(doc: &mut Doc, indent: usize, app: &App) {
    doc.push(indent, "selector:");
    doc.push(indent + 2, "matchLabels:");
    doc.push(indent + 4, format!("app.kubernetes.io/name: {}", app.name));
}

/// A CPU request and a limit at least as large, in millicores.
fn cpu(rng: &mut Rng) -> (String, String) {
    let request = 50 * (1 + rng.below(10));
    let limit = request * (2 + rng.below(3));
    let show = |m: usize| {
        if m % 1000 == 0 {
            (m / 1000).to_string()
        } else {
            format!("{m}m")
        }
    };
    (show(request), show(limit))
}

/// A memory request and a limit at least as large.
fn memory(rng: &mut Rng) -> (String, String) {
    let request = 64usize << rng.below(4);
    let limit = request << rng.below(3);
    let show = |mi: usize| {
        if mi % 1024 == 0 {
            format!("{}Gi", mi / 1024)
        } else {
            format!("{mi}Mi")
        }
    };
    (show(request), show(limit))
}

fn resources(doc: &mut Doc, rng: &mut Rng, indent: usize, cpu_limit: bool) {
    let (cpu_request, cpu_limit_value) = cpu(rng);
    let (memory_request, memory_limit) = memory(rng);
    doc.push(indent, "resources:");
    doc.push(indent + 2, "requests:");
    doc.push(indent + 4, format!("cpu: {cpu_request}"));
    doc.push(indent + 4, format!("memory: {memory_request}"));
    doc.push(indent + 2, "limits:");
    if cpu_limit {
        doc.push(indent + 4, format!("cpu: {cpu_limit_value}"));
    }
    doc.push(indent + 4, format!("memory: {memory_limit}"));
}

fn hardened(doc: &mut Doc, indent: usize) {
    doc.push(indent, "securityContext:");
    doc.push(indent + 2, "allowPrivilegeEscalation: false");
    doc.push(indent + 2, "readOnlyRootFilesystem: true");
    doc.push(indent + 2, "capabilities:");
    doc.push(indent + 4, "drop: [\"ALL\"]");
}

/// A pod template (`template:` at `indent`).
fn pod_template(doc: &mut Doc, rng: &mut Rng, app: &App, indent: usize) {
    let server = !matches!(app.shape, Shape::Cron | Shape::OneOff);
    let i = indent;
    doc.push(i, "template:");
    doc.push(i + 2, "metadata:");
    doc.push(i + 4, "labels:");
    labels(doc, i + 6, app);
    if server && rng.chance(50) {
        doc.push(i + 4, "annotations:");
        doc.push(i + 6, "prometheus.io/scrape: \"true\"");
        doc.push(
            i + 6,
            format!("prometheus.io/port: \"{}\"", app.port + 1000),
        );
    }
    doc.push(i + 2, "spec:");
    let s = i + 4;
    doc.push(s, format!("serviceAccountName: {}", app.name));
    if !app.rbac {
        doc.push(s, "automountServiceAccountToken: false");
    }
    if server {
        if rng.chance(20) {
            doc.push(s, "restartPolicy: Always");
        }
    } else {
        doc.push(
            s,
            format!("restartPolicy: {}", rng.pick(&["OnFailure", "Never"])),
        );
    }
    if rng.chance(50) {
        doc.push(
            s,
            format!("terminationGracePeriodSeconds: {}", 10 * (1 + rng.below(6))),
        );
    }
    doc.push(s, "securityContext:");
    doc.push(s + 2, "runAsNonRoot: true");
    doc.push(s + 2, format!("runAsUser: {}", 10_001 + rng.below(50_000)));
    doc.push(s + 2, "fsGroup: 10001");
    doc.push(s + 2, "seccompProfile:");
    doc.push(s + 4, "type: RuntimeDefault");
    if rng.chance(30) {
        doc.push(s, "nodeSelector:");
        doc.push(s + 2, "kubernetes.io/os: linux");
        doc.push(
            s + 2,
            format!(
                "node.example.com/pool: {}",
                rng.pick(&["general", "memory", "spot"])
            ),
        );
    }
    if app.shape == Shape::Agent || rng.chance(25) {
        doc.push(s, "tolerations:");
        doc.push(s, "- key: dedicated");
        doc.push(s + 2, "operator: Equal");
        doc.push(s + 2, format!("value: {}", app.team));
        doc.push(s + 2, "effect: NoSchedule");
        doc.push(s, "- key: node.kubernetes.io/not-ready");
        doc.push(s + 2, "operator: Exists");
        doc.push(s + 2, "effect: NoExecute");
        doc.push(s + 2, "tolerationSeconds: 300");
    }
    if matches!(app.shape, Shape::Web | Shape::Stateful) {
        doc.push(s, "affinity:");
        doc.push(s + 2, "podAntiAffinity:");
        doc.push(s + 4, "preferredDuringSchedulingIgnoredDuringExecution:");
        doc.push(s + 4, "- weight: 100");
        doc.push(s + 6, "podAffinityTerm:");
        doc.push(s + 8, "topologyKey: kubernetes.io/hostname");
        doc.push(s + 8, "labelSelector:");
        doc.push(s + 10, "matchLabels:");
        doc.push(s + 12, format!("app.kubernetes.io/name: {}", app.name));
        if rng.chance(40) {
            doc.push(s, "topologySpreadConstraints:");
            doc.push(s, "- maxSkew: 1");
            doc.push(s + 2, "topologyKey: topology.kubernetes.io/zone");
            doc.push(
                s + 2,
                format!(
                    "whenUnsatisfiable: {}",
                    rng.pick(&["ScheduleAnyway", "DoNotSchedule"])
                ),
            );
            doc.push(s + 2, "labelSelector:");
            doc.push(s + 4, "matchLabels:");
            doc.push(s + 6, format!("app.kubernetes.io/name: {}", app.name));
        }
    }
    if server && rng.chance(30) {
        doc.push(s, "initContainers:");
        doc.push(s, "- name: migrate");
        doc.push(s + 2, format!("image: {}", app.image));
        doc.push(s + 2, "command: [\"/app/migrate\", \"--wait\"]");
        doc.push(s + 2, "resources:");
        doc.push(s + 4, "requests: {cpu: 50m, memory: 64Mi}");
        doc.push(s + 4, "limits: {memory: 64Mi}");
        hardened(doc, s + 2);
    }
    doc.push(s, "containers:");
    container(doc, rng, app, s, server);
    if server && rng.chance(25) {
        doc.push(s, "- name: log-shipper");
        doc.push(s + 2, "image: docker.io/fluent/fluent-bit:3.1.4");
        doc.push(s + 2, "args:");
        doc.push(s + 2, "- --config=/fluent-bit/etc/fluent-bit.conf");
        doc.push(s + 2, "resources:");
        doc.push(s + 4, "requests:");
        doc.push(s + 6, "cpu: 20m");
        doc.push(s + 6, "memory: 32Mi");
        doc.push(s + 4, "limits:");
        doc.push(s + 6, "memory: 64Mi");
        hardened(doc, s + 2);
        doc.push(s + 2, "volumeMounts:");
        doc.push(s + 2, "- name: tmp");
        doc.push(s + 4, "mountPath: /var/log/app");
    }
    doc.push(s, "volumes:");
    doc.push(s, "- name: config");
    doc.push(s + 2, "configMap:");
    doc.push(s + 4, format!("name: {}-config", app.name));
    doc.push(s + 4, "defaultMode: 420");
    doc.push(s, "- name: tmp");
    doc.push(s + 2, "emptyDir:");
    doc.push(
        s + 4,
        format!("sizeLimit: {}", rng.pick(&["64Mi", "256Mi", "1Gi"])),
    );
    if rng.chance(40) {
        doc.push(s, "- name: credentials");
        doc.push(s + 2, "secret:");
        doc.push(s + 4, format!("secretName: {}-credentials", app.name));
    }
}

/// The main container, as the first item of a `containers:` list at `indent`.
fn container(doc: &mut Doc, rng: &mut Rng, app: &App, indent: usize, server: bool) {
    let c = indent + 2;
    doc.push(indent, format!("- name: {}", app.component));
    doc.push(c, format!("image: {}", app.image));
    doc.push(
        c,
        format!("imagePullPolicy: {}", rng.pick(&["IfNotPresent", "Always"])),
    );
    if server {
        doc.push(
            c,
            format!(
                "args: [\"--port={}\", \"--log-level={}\"]",
                app.port,
                rng.pick(&["info", "debug", "warn"])
            ),
        );
        doc.push(c, "ports:");
        doc.push(c, "- name: http");
        doc.push(c + 2, format!("containerPort: {}", app.port));
        doc.push(c + 2, "protocol: TCP");
        doc.push(c, "- name: metrics");
        doc.push(c + 2, format!("containerPort: {}", app.port + 1000));
    } else {
        doc.push(c, "command:");
        doc.push(c, "- /app/run");
        doc.push(c, format!("- --task={}", app.component));
    }
    doc.push(c, "env:");
    doc.push(c, "- name: LOG_FORMAT");
    doc.push(c + 2, "value: json");
    doc.push(c, "- name: MAX_CONNECTIONS");
    doc.push(c + 2, format!("value: \"{}\"", 16 << rng.below(4)));
    doc.push(c, "- name: POD_NAMESPACE");
    doc.push(c + 2, "valueFrom:");
    doc.push(c + 4, "fieldRef:");
    doc.push(c + 6, "fieldPath: metadata.namespace");
    if rng.chance(60) {
        doc.push(c, "- name: DATABASE_PASSWORD");
        doc.push(c + 2, "valueFrom:");
        doc.push(c + 4, "secretKeyRef:");
        doc.push(c + 6, format!("name: {}-credentials", app.name));
        doc.push(c + 6, "key: password");
    }
    if rng.chance(30) {
        doc.push(c, "envFrom:");
        doc.push(c, "- configMapRef:");
        doc.push(c + 4, format!("name: {}-config", app.name));
    }
    let cpu_limit = rng.chance(50);
    resources(doc, rng, c, cpu_limit);
    if server {
        doc.push(c, "livenessProbe:");
        doc.push(c + 2, "httpGet:");
        doc.push(c + 4, "path: /healthz");
        doc.push(c + 4, "port: http");
        if rng.chance(30) {
            doc.push(c + 4, "scheme: HTTP");
        }
        doc.push(
            c + 2,
            format!("initialDelaySeconds: {}", 5 * (1 + rng.below(6))),
        );
        doc.push(c + 2, "periodSeconds: 10");
        doc.push(c + 2, "failureThreshold: 3");
        doc.push(c, "readinessProbe:");
        if rng.chance(50) {
            doc.push(c + 2, "httpGet: {path: /ready, port: http}");
        } else {
            doc.push(c + 2, "tcpSocket:");
            doc.push(c + 4, format!("port: {}", app.port));
        }
        doc.push(c + 2, "periodSeconds: 5");
        if rng.chance(30) {
            doc.push(c, "startupProbe:");
            doc.push(c + 2, "exec:");
            doc.push(
                c + 4,
                "command: [\"/bin/sh\", \"-c\", \"test -f /tmp/started\"]",
            );
            doc.push(c + 2, "failureThreshold: 30");
        }
    }
    hardened(doc, c);
    doc.push(c, "volumeMounts:");
    doc.push(c, "- name: config");
    doc.push(c + 2, "mountPath: /etc/app");
    doc.push(c + 2, "readOnly: true");
    doc.push(c, "- name: tmp");
    doc.push(c + 2, "mountPath: /tmp");
}

fn deployment(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "apps/v1", "Deployment");
    doc.push(0, "spec:");
    if !app.autoscaled {
        doc.push(2, format!("replicas: {}", 2 + rng.below(5)));
    }
    doc.push(2, format!("revisionHistoryLimit: {}", 3 + rng.below(8)));
    selector(doc, 2, app);
    if rng.chance(60) {
        doc.push(2, "strategy:");
        doc.push(4, "type: RollingUpdate");
        doc.push(4, "rollingUpdate:");
        doc.push(6, "maxSurge: 25%");
        doc.push(6, format!("maxUnavailable: {}", rng.below(2)));
    }
    pod_template(doc, rng, app, 2);
}

fn statefulset(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "apps/v1", "StatefulSet");
    doc.push(0, "spec:");
    doc.push(2, format!("serviceName: {}", app.name));
    doc.push(2, format!("replicas: {}", 3 + 2 * rng.below(2)));
    doc.push(
        2,
        format!(
            "podManagementPolicy: {}",
            rng.pick(&["OrderedReady", "Parallel"])
        ),
    );
    selector(doc, 2, app);
    pod_template(doc, rng, app, 2);
    doc.push(2, "volumeClaimTemplates:");
    doc.push(2, "- metadata:");
    doc.push(6, "name: data");
    doc.push(4, "spec:");
    doc.push(6, "accessModes: [\"ReadWriteOnce\"]");
    doc.push(
        6,
        format!(
            "storageClassName: {}",
            rng.pick(&["standard", "ssd", "gp3"])
        ),
    );
    doc.push(6, "resources:");
    doc.push(8, "requests:");
    doc.push(10, format!("storage: {}Gi", 10 << rng.below(4)));
}

fn daemonset(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "apps/v1", "DaemonSet");
    doc.push(0, "spec:");
    selector(doc, 2, app);
    doc.push(2, "updateStrategy:");
    doc.push(4, "type: RollingUpdate");
    doc.push(4, "rollingUpdate:");
    doc.push(6, "maxUnavailable: 1");
    pod_template(doc, rng, app, 2);
}

fn job_spec(doc: &mut Doc, rng: &mut Rng, app: &App, indent: usize) {
    doc.push(indent, format!("backoffLimit: {}", rng.below(6)));
    if rng.chance(50) {
        doc.push(
            indent,
            format!("activeDeadlineSeconds: {}", 600 * (1 + rng.below(6))),
        );
    }
    doc.push(indent, "ttlSecondsAfterFinished: 86400");
    pod_template(doc, rng, app, indent);
}

fn job(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "batch/v1", "Job");
    doc.push(0, "spec:");
    if rng.chance(30) {
        doc.push(2, "completionMode: Indexed");
        doc.push(2, "completions: 4");
        doc.push(2, "parallelism: 2");
    }
    job_spec(doc, rng, app, 2);
}

fn cronjob(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "batch/v1", "CronJob");
    doc.push(0, "spec:");
    doc.push(2, format!("schedule: \"{}\"", rng.pick(SCHEDULES)));
    if rng.chance(40) {
        doc.push(2, "timeZone: Europe/Paris");
    }
    doc.push(
        2,
        format!(
            "concurrencyPolicy: {}",
            rng.pick(&["Forbid", "Replace", "Allow"])
        ),
    );
    doc.push(2, "successfulJobsHistoryLimit: 3");
    doc.push(2, "failedJobsHistoryLimit: 1");
    doc.push(2, "jobTemplate:");
    doc.push(4, "spec:");
    job_spec(doc, rng, app, 6);
}

fn service(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "v1", "Service");
    doc.push(0, "spec:");
    if app.shape == Shape::Stateful {
        // The StatefulSet's governing Service.
        doc.push(2, "clusterIP: None");
    } else {
        let kind = rng.pick(&[
            "ClusterIP",
            "ClusterIP",
            "ClusterIP",
            "NodePort",
            "LoadBalancer",
        ]);
        doc.push(2, format!("type: {kind}"));
        if kind == "LoadBalancer" {
            doc.push(2, "externalTrafficPolicy: Local");
        }
        if rng.chance(15) {
            doc.push(2, "sessionAffinity: ClientIP");
        }
    }
    doc.push(2, "selector:");
    doc.push(4, format!("app.kubernetes.io/name: {}", app.name));
    doc.push(2, "ports:");
    doc.push(2, "- name: http");
    doc.push(4, "port: 80");
    doc.push(4, "targetPort: http");
    doc.push(4, "protocol: TCP");
    if rng.chance(50) {
        doc.push(2, "- name: metrics");
        doc.push(4, format!("port: {}", app.port + 1000));
        doc.push(4, "targetPort: metrics");
        doc.push(4, "protocol: TCP");
    }
}

fn configmap(doc: &mut Doc, rng: &mut Rng, app: &App) {
    let name = format!("{}-config", app.name);
    named_header(doc, rng, app, &name, "v1", "ConfigMap");
    doc.push(0, "data:");
    doc.push(
        2,
        format!("LOG_LEVEL: {}", rng.pick(&["info", "debug", "warn"])),
    );
    doc.push(2, format!("HTTP_PORT: \"{}\"", app.port));
    doc.push(2, "FEATURE_FLAGS: search,recommendations");
    doc.push(2, "application.yaml: |");
    doc.push(4, "server:");
    doc.push(6, format!("port: {}", app.port));
    doc.push(6, "shutdown: graceful");
    doc.push(4, "database:");
    doc.push(
        6,
        format!("url: postgres://db.{}.svc:5432/{}", app.team, app.component),
    );
    doc.push(6, format!("pool: {}", 5 + rng.below(20)));
    if rng.chance(30) {
        doc.push(2, "logging.conf: |");
        doc.push(4, "[root]");
        doc.push(4, "level = INFO");
        doc.push(4, "# 日志配置 (UTF-8 in a block scalar)");
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn secret(doc: &mut Doc, rng: &mut Rng, app: &App) {
    let name = format!("{}-credentials", app.name);
    named_header(doc, rng, app, &name, "v1", "Secret");
    doc.push(0, "type: Opaque");
    doc.push(0, "data:");
    let password: String = (0..8 + rng.below(24))
        .map(|_| char::from(b'!' + rng.below(94) as u8))
        .collect();
    doc.push(2, format!("password: {}", base64(password.as_bytes())));
    doc.push(2, format!("username: {}", base64(app.component.as_bytes())));
    if rng.chance(40) {
        let token: Vec<u8> = (0..32).map(|_| rng.next() as u8).collect();
        doc.push(2, format!("api-token: {}", base64(&token)));
    }
    if rng.chance(30) {
        doc.push(0, "stringData:");
        doc.push(
            2,
            format!("DATABASE_HOST: db.{}.svc.cluster.local", app.team),
        );
    }
}

fn ingress(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "networking.k8s.io/v1", "Ingress");
    doc.push(0, "spec:");
    doc.push(
        2,
        format!("ingressClassName: {}", rng.pick(&["nginx", "traefik"])),
    );
    let host = format!("{}.{}.example.com", app.component, app.team);
    if rng.chance(60) {
        doc.push(2, "tls:");
        doc.push(2, "- hosts:");
        doc.push(4, format!("- {host}"));
        // Issued by cert-manager, so not part of the stream.
        doc.push(4, format!("secretName: {}-tls", app.name));
    }
    doc.push(2, "rules:");
    doc.push(2, format!("- host: {host}"));
    doc.push(4, "http:");
    doc.push(6, "paths:");
    doc.push(6, "- path: /");
    doc.push(
        8,
        format!(
            "pathType: {}",
            rng.pick(&["Prefix", "ImplementationSpecific"])
        ),
    );
    doc.push(8, "backend:");
    doc.push(10, "service:");
    doc.push(12, format!("name: {}", app.name));
    doc.push(12, "port:");
    if rng.chance(50) {
        doc.push(14, "number: 80");
    } else {
        doc.push(14, "name: http");
    }
}

fn hpa(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "autoscaling/v2", "HorizontalPodAutoscaler");
    doc.push(0, "spec:");
    doc.push(2, "scaleTargetRef:");
    doc.push(4, "apiVersion: apps/v1");
    doc.push(4, "kind: Deployment");
    doc.push(4, format!("name: {}", app.name));
    let min = 2 + rng.below(3);
    doc.push(2, format!("minReplicas: {min}"));
    doc.push(2, format!("maxReplicas: {}", min + 2 + rng.below(10)));
    doc.push(2, "metrics:");
    doc.push(2, "- type: Resource");
    doc.push(4, "resource:");
    doc.push(6, "name: cpu");
    doc.push(6, "target:");
    doc.push(8, "type: Utilization");
    doc.push(8, format!("averageUtilization: {}", 50 + 5 * rng.below(7)));
    if rng.chance(40) {
        doc.push(2, "- type: Resource");
        doc.push(4, "resource:");
        doc.push(6, "name: memory");
        doc.push(6, "target:");
        doc.push(8, "type: AverageValue");
        doc.push(
            8,
            format!("averageValue: {}", rng.pick(&["256Mi", "512Mi", "1Gi"])),
        );
    }
    if rng.chance(30) {
        doc.push(2, "behavior:");
        doc.push(4, "scaleDown:");
        doc.push(6, "stabilizationWindowSeconds: 300");
        doc.push(6, "policies:");
        doc.push(6, "- type: Percent");
        doc.push(8, "value: 50");
        doc.push(8, "periodSeconds: 60");
    }
}

fn pdb(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "policy/v1", "PodDisruptionBudget");
    doc.push(0, "spec:");
    if rng.chance(50) {
        doc.push(2, "minAvailable: 1");
    } else {
        doc.push(
            2,
            format!("maxUnavailable: {}", rng.pick(&["1", "25%", "50%"])),
        );
    }
    doc.push(2, "unhealthyPodEvictionPolicy: AlwaysAllow");
    selector(doc, 2, app);
}

fn service_account(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "v1", "ServiceAccount");
    if !app.rbac {
        doc.push(0, "automountServiceAccountToken: false");
    }
}

fn role(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "rbac.authorization.k8s.io/v1", "Role");
    doc.push(0, "rules:");
    doc.push(0, "- apiGroups: [\"\"]");
    doc.push(2, "resources: [\"configmaps\", \"endpoints\"]");
    doc.push(2, "verbs: [\"get\", \"list\", \"watch\"]");
    if rng.chance(50) {
        doc.push(0, "- apiGroups:");
        doc.push(2, "- coordination.k8s.io");
        doc.push(2, "resources:");
        doc.push(2, "- leases");
        doc.push(2, "resourceNames:");
        doc.push(2, format!("- {}", app.name));
        doc.push(2, "verbs:");
        doc.push(2, "- get");
        doc.push(2, "- update");
    }
}

fn role_binding(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "rbac.authorization.k8s.io/v1", "RoleBinding");
    doc.push(0, "roleRef:");
    doc.push(2, "apiGroup: rbac.authorization.k8s.io");
    doc.push(2, "kind: Role");
    doc.push(2, format!("name: {}", app.name));
    doc.push(0, "subjects:");
    doc.push(0, "- kind: ServiceAccount");
    doc.push(2, format!("name: {}", app.name));
    doc.push(2, format!("namespace: {}", app.team));
}

fn network_policy(doc: &mut Doc, rng: &mut Rng, app: &App) {
    header(doc, rng, app, "networking.k8s.io/v1", "NetworkPolicy");
    doc.push(0, "spec:");
    doc.push(2, "podSelector:");
    doc.push(4, "matchLabels:");
    doc.push(6, format!("app.kubernetes.io/name: {}", app.name));
    doc.push(2, "policyTypes: [\"Ingress\", \"Egress\"]");
    doc.push(2, "ingress:");
    doc.push(2, "- from:");
    doc.push(4, "- namespaceSelector:");
    doc.push(8, "matchLabels:");
    doc.push(10, format!("kubernetes.io/metadata.name: {}", app.team));
    doc.push(6, "podSelector:");
    doc.push(8, "matchExpressions:");
    doc.push(8, "- key: app.kubernetes.io/component");
    doc.push(10, "operator: In");
    doc.push(10, "values: [\"gateway\", \"web\"]");
    doc.push(4, "ports:");
    doc.push(4, "- protocol: TCP");
    doc.push(6, format!("port: {}", app.port));
    doc.push(2, "egress:");
    doc.push(2, "- to:");
    doc.push(4, "- namespaceSelector:");
    doc.push(8, "matchLabels:");
    doc.push(10, "kubernetes.io/metadata.name: kube-system");
    doc.push(6, "podSelector:");
    doc.push(8, "matchLabels:");
    doc.push(10, "k8s-app: kube-dns");
    doc.push(4, "ports:");
    doc.push(4, "- protocol: UDP");
    doc.push(6, "port: 53");
    doc.push(4, "- protocol: TCP");
    doc.push(6, "port: 53");
    doc.push(2, "- to:");
    doc.push(4, "- ipBlock:");
    doc.push(8, "cidr: 10.0.0.0/8");
    doc.push(8, "except: [\"10.96.0.0/12\"]");
    doc.push(4, "ports:");
    doc.push(4, "- protocol: TCP");
    doc.push(6, "port: 5432");
    if rng.chance(50) {
        doc.push(4, "- protocol: TCP");
        doc.push(6, "port: 6379");
    }
}
