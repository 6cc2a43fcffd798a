//! A deterministic stream of realistic manifests, for benchmarks.

use std::fmt::Write;

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

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

const TEAMS: &[&str] = &[
    "payments", "search", "checkout", "identity", "catalog", "ledger",
];
const IMAGES: &[&str] = &[
    "registry.example.com/web/frontend",
    "registry.example.com/api/orders",
    "ghcr.io/example/worker",
    "docker.io/library/nginx",
];
const TIERS: &[&str] = &["frontend", "backend", "cache", "batch"];

/// Deployment + Service pairs until the stream reaches `target` bytes.
pub fn stream(target: usize) -> String {
    let mut out = String::with_capacity(target + 4096);
    let mut rng = Rng(0x5eed);
    let mut i = 0usize;
    while out.len() < target {
        let team = rng.pick(TEAMS);
        let tier = rng.pick(TIERS);
        let image = rng.pick(IMAGES);
        let name = format!("{team}-{tier}-{i}");
        let replicas = 1 + rng.next() % 5;
        let port = 8000 + rng.next() % 1000;
        let cpu = 50 * (1 + rng.next() % 10);
        let mem = 64 * (1 + rng.next() % 16);
        let comment = if i % 10 == 0 {
            "  # 生产环境配置\n"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {team}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: {team}
    tier: {tier}
  annotations:
    deployment.kubernetes.io/revision: "{rev}"
    description: >
      Serves the {tier} of the {team} team. Rolled out by the
      pipeline; do not edit by hand.
spec:
  replicas: {replicas}
{comment}  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        tier: {tier}
    spec:
      serviceAccountName: {team}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
      containers:
      - name: app
        image: "{image}:1.{minor}.{patch}"
        imagePullPolicy: IfNotPresent
        args: ["--port={port}", "--log-level=info"]
        ports:
        - name: http
          containerPort: {port}
          protocol: TCP
        env:
        - name: TEAM
          value: {team}
        - name: POD_NAME
          valueFrom:
            fieldRef: {{fieldPath: metadata.name}}
        - name: DATABASE_URL
          valueFrom:
            secretKeyRef: {{name: {team}-db, key: url}}
        resources:
          requests: {{cpu: {cpu}m, memory: {mem}Mi}}
          limits: {{cpu: {cpu2}m, memory: {mem2}Mi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: http}}
          initialDelaySeconds: 5
          periodSeconds: 10
        livenessProbe:
          httpGet: {{path: /livez, port: http}}
          failureThreshold: 3
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {{drop: [ALL]}}
      tolerations:
      - key: dedicated
        operator: Equal
        value: {team}
        effect: NoSchedule
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {team}
  labels: {{app.kubernetes.io/name: {name}, tier: {tier}}}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {name}
  ports:
  - name: http
    port: 80
    targetPort: http
    protocol: TCP
"#,
            rev = 1 + rng.next() % 40,
            minor = rng.next() % 30,
            patch = rng.next() % 10,
            cpu2 = cpu * 2,
            mem2 = mem * 2,
        );
        i += 1;
    }
    out
}
