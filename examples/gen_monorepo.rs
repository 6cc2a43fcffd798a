//! Writes the render benchmark's kustomize monorepo: `gen_monorepo DIR [APPS]`.
//!
//! Every app has a base (Deployment, Service, ServiceAccount, HPA, PDB,
//! Ingress, a ConfigMap generated from a file and literals) and `dev`,
//! `staging` and `prod` overlays that use most of kustomize's transformers;
//! `envs/<env>/kustomization.yaml` gathers one environment's overlays. The
//! same arguments always write the same files.

use std::fmt::Write as _;
use std::path::Path;

const ENVS: [&str; 3] = ["dev", "staging", "prod"];
const TEAMS: [&str; 6] = [
    "payments", "catalog", "search", "identity", "orders", "edge",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: gen_monorepo DIR [APPS]");
        std::process::exit(2);
    };
    let apps: usize = match args.next().map(|s| s.parse()) {
        None => 100,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("gen_monorepo: APPS must be a number");
            std::process::exit(2);
        }
    };
    if let Err(e) = generate(Path::new(&dir), apps) {
        eprintln!("gen_monorepo: {e}");
        std::process::exit(1);
    }
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn generate(dir: &Path, apps: usize) -> std::io::Result<()> {
    for i in 0..apps {
        let app = App::new(i);
        let root = dir.join("apps").join(&app.name);
        app.write_base(&root.join("base"))?;
        for (e, env) in ENVS.iter().enumerate() {
            app.write_overlay(&root.join("overlays").join(env), env, e)?;
        }
    }
    for env in ENVS {
        let mut k = String::from(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\nresources:\n",
        );
        for i in 0..apps {
            let _ = writeln!(k, "  - ../../apps/{}/overlays/{env}", App::new(i).name);
        }
        write(&dir.join("envs").join(env).join("kustomization.yaml"), &k)?;
    }
    Ok(())
}

struct App {
    name: String,
    team: &'static str,
    port: u32,
    /// Varies the shape of otherwise identical apps.
    seed: usize,
}

impl App {
    fn new(i: usize) -> App {
        App {
            name: format!("svc-{i:03}"),
            team: TEAMS[i % TEAMS.len()],
            port: 8000 + (i as u32 % 50),
            seed: i.wrapping_mul(2_654_435_761) >> 7,
        }
    }

    fn write_base(&self, dir: &Path) -> std::io::Result<()> {
        let App {
            name, team, port, ..
        } = self;
        let metrics = port + 1000;
        let cpu = 100 + (self.seed % 4) * 50;
        let mem = 128 << (self.seed % 3);
        write(
            &dir.join("kustomization.yaml"),
            &format!(
                r#"apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
  - serviceaccount.yaml
  - deployment.yaml
  - service.yaml
  - hpa.yaml
  - pdb.yaml
  - ingress.yaml

labels:
  - pairs:
      app.kubernetes.io/name: {name}
      app.kubernetes.io/part-of: {team}
    includeSelectors: true

configMapGenerator:
  - name: {name}-config
    files:
      - config/application.properties
      - config/logging.yaml
    literals:
      - SERVER_PORT={port}
      - METRICS_PORT={metrics}
      - FEATURE_FLAGS=search,recommendations
"#
            ),
        )?;
        write(
            &dir.join("config/application.properties"),
            &format!(
                "server.port={port}\nmanagement.port={metrics}\nspring.application.name={name}\n\
                 db.pool.max={}\ncache.ttl.seconds={}\nupstream.url=http://{team}-gateway:8080\n",
                8 + self.seed % 24,
                60 * (1 + self.seed % 10)
            ),
        )?;
        write(
            &dir.join("config/logging.yaml"),
            &format!(
                "level: info\nformat: json\nloggers:\n  {name}: debug\n  http: warn\n  sql: error\n"
            ),
        )?;
        write(
            &dir.join("serviceaccount.yaml"),
            &format!(
                r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
automountServiceAccountToken: false
"#
            ),
        )?;
        write(
            &dir.join("deployment.yaml"),
            &format!(
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: "{metrics}"
spec:
  replicas: 1
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      serviceAccountName: {name}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
      containers:
        - name: app
          image: registry.example.com/{team}/{name}:latest
          imagePullPolicy: IfNotPresent
          args: ["--config", "/etc/{name}/application.properties"]
          ports:
            - name: http
              containerPort: {port}
            - name: metrics
              containerPort: {metrics}
          env:
            - name: SERVICE_NAME
              value: {name}
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: JAVA_OPTS
              value: "-XX:MaxRAMPercentage=75"
          envFrom:
            - configMapRef:
                name: {name}-config
          resources:
            requests:
              cpu: {cpu}m
              memory: {mem}Mi
            limits:
              cpu: "1"
              memory: {mem2}Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 15
            periodSeconds: 20
            failureThreshold: 3
          volumeMounts:
            - name: config
              mountPath: /etc/{name}
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {name}-config
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
"#,
                mem2 = mem * 2
            ),
        )?;
        write(
            &dir.join("service.yaml"),
            &format!(
                r#"apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: ClusterIP
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: {metrics}
      targetPort: metrics
"#
            ),
        )?;
        write(
            &dir.join("hpa.yaml"),
            &format!(
                r#"apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 1
  maxReplicas: 4
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {util}
"#,
                util = 60 + (self.seed % 5) * 5
            ),
        )?;
        write(
            &dir.join("pdb.yaml"),
            &format!(
                r#"apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: {name}
"#
            ),
        )?;
        write(
            &dir.join("ingress.yaml"),
            &format!(
                r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {name}.example.com
      secretName: {name}-tls
  rules:
    - host: {name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port:
                  name: http
"#
            ),
        )
    }

    fn write_overlay(&self, dir: &Path, env: &str, e: usize) -> std::io::Result<()> {
        let App { name, team, .. } = self;
        let prod = env == "prod";
        let (replicas, min, max) = [(1, 1, 2), (2, 2, 4), (3 + self.seed % 3, 3, 12)][e];
        let suffix = if prod { "\nnameSuffix: -v2\n" } else { "" };
        let tag = format!("1.{}.{}", self.seed % 20, e);
        write(
            &dir.join("kustomization.yaml"),
            &format!(
                r#"apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
  - ../../base

namespace: {team}-{env}
namePrefix: {env}-{suffix}

commonLabels:
  environment: {env}

labels:
  - pairs:
      team: {team}
      tier: backend
    includeSelectors: false
    includeTemplates: true

commonAnnotations:
  owner: {team}@example.com
  runbook: https://runbooks.example.com/{team}/{name}

images:
  - name: registry.example.com/{team}/{name}
    newName: registry.example.com/{team}/{name}-{env}
    newTag: "{tag}"

replicas:
  - name: {name}
    count: {replicas}

secretGenerator:
  - name: {name}-credentials
    literals:
      - DB_USER={name}
      - DB_PASSWORD=not-a-real-password-{env}
    type: Opaque

configMapGenerator:
  - name: {name}-config
    behavior: merge
    literals:
      - ENVIRONMENT={env}
      - LOG_LEVEL={log}

patches:
  - path: deployment-patch.yaml
  - path: hpa-patch.yaml
  - target:
      group: networking.k8s.io
      version: v1
      kind: Ingress
      name: {name}
    patch: |-
      - op: replace
        path: /spec/rules/0/host
        value: {name}.{env}.example.com
      - op: replace
        path: /spec/tls/0/hosts/0
        value: {name}.{env}.example.com
      - op: add
        path: /metadata/annotations/nginx.ingress.kubernetes.io~1ssl-redirect
        value: "{redirect}"

replacements:
  - source:
      kind: Service
      name: {name}
      fieldPath: metadata.name
    targets:
      - select:
          kind: Deployment
          name: {name}
        fieldPaths:
          - spec.template.spec.containers.[name=app].env.[name=SERVICE_NAME].value
"#,
                log = if prod { "warn" } else { "debug" },
                redirect = prod,
            ),
        )?;
        let cpu = [250, 500, 1000][e];
        write(
            &dir.join("deployment-patch.yaml"),
            &format!(
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    metadata:
      annotations:
        cluster-autoscaler.kubernetes.io/safe-to-evict: "{evict}"
    spec:
      containers:
        - name: app
          env:
            - name: ENVIRONMENT
              value: {env}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {name}-credentials
                  key: DB_PASSWORD
          resources:
            limits:
              cpu: {cpu}m
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app: {name}
"#,
                evict = !prod,
            ),
        )?;
        write(
            &dir.join("hpa-patch.yaml"),
            &format!(
                r#"apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  minReplicas: {min}
  maxReplicas: {max}
"#
            ),
        )
    }
}
