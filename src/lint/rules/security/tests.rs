//! How the security rules share fields with each other and with
//! `pod-security-admission`.

use crate::diagnostic::Severity;
use crate::lint::{Config, Lint};
use crate::pipeline::{Context, Pipeline};
use crate::schema::Version;
use crate::source::{SourceFile, Sources};
use crate::yaml::LoadOptions;

/// (code, severity, line, message) of every finding of the `security` and
/// `pod-security` categories.
pub(crate) fn run(config: &str, text: &str) -> Vec<(String, Severity, usize, String)> {
    let config = Config::parse("drydock.yaml", config).expect("valid config");
    let mut sources = Sources::default();
    let id = sources.add(SourceFile::new("t.yaml", text));
    let (resources, diags) = crate::load::load_text(id, text, &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:?}");
    let cx = Context { sources: &sources };
    let resources = Pipeline::check().run(resources, &cx).resources;
    let out = Lint::new(config, Version::latest()).lint(&resources, &cx);
    let report = crate::report::Report::new(&sources, out.diagnostics, &resources);
    let mut found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|r| {
            crate::lint::find_rule(r.diagnostic.code).is_some_and(|rule| {
                matches!(
                    rule.category(),
                    crate::lint::Category::Security | crate::lint::Category::PodSecurity
                )
            })
        })
        .map(|r| {
            (
                r.diagnostic.code.to_owned(),
                r.diagnostic.severity,
                r.start.map_or(0, |p| p.line),
                r.diagnostic.message.clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    found
}

fn codes(found: &[(String, Severity, usize, String)]) -> Vec<&str> {
    found.iter().map(|f| f.0.as_str()).collect()
}

const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: web
    image: nginx:1.27
    securityContext:
      privileged: true
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
";

#[test]
fn a_problem_the_admission_rule_reports_is_reported_once() {
    // The default level is baseline, which forbids privileged containers.
    let found = run("", PRIVILEGED);
    assert_eq!(codes(&found), ["pod-security-admission"]);
    assert_eq!(found[0].1, Severity::Error);
    assert_eq!(found[0].2, 15);
    assert_eq!(
        found[0].3,
        "violates PodSecurity \"baseline:latest\": privileged (container \"web\" must not set securityContext.privileged=true)"
    );
    // Without the admission rule the security rule reports it.
    let found = run("rules: {pod-security-admission: off}", PRIVILEGED);
    assert_eq!(codes(&found), ["privileged-container"]);
    let found = run("pod-security: {default-level: privileged}", PRIVILEGED);
    assert_eq!(codes(&found), ["privileged-container"]);
    // An object that exempts itself from the admission rule gets the security rule.
    let exempt = PRIVILEGED.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    drydock.dev/ignore: pod-security-admission # legacy agent\n",
    );
    assert_eq!(codes(&run("", &exempt)), ["privileged-container"]);
    let exempt = "rules:\n  pod-security-admission: {exempt-namespaces: [shop]}\n";
    assert_eq!(codes(&run(exempt, PRIVILEGED)), ["privileged-container"]);
}

#[test]
fn a_weaker_admission_finding_does_not_hide_a_stronger_one() {
    let namespace = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: privileged
    pod-security.kubernetes.io/audit: restricted
---
";
    let pod = format!(
        "{namespace}{}",
        PRIVILEGED
            .replace("    runAsNonRoot: true\n", "")
            .replace("      privileged: true\n", "")
    );
    let found = run("", &pod);
    // Audit findings are info: the run-as-non-root warning stays.
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0.as_str(), f.1))
            .collect::<Vec<_>>(),
        [
            ("pod-security-admission", Severity::Info),
            ("run-as-non-root", Severity::Warning)
        ]
    );
    assert_eq!(found[0].2, found[1].2);
    assert!(found[0].3.starts_with(
        "would violate PodSecurity \"restricted:latest\": runAsNonRoot != true (pod or container \"web\""
    ));
    // Enforced, the admission error replaces it.
    let enforced = pod.replace("enforce: privileged", "enforce: restricted");
    let found = run("", &enforced);
    assert_eq!(codes(&found), ["pod-security-admission"]);
    assert_eq!(found[0].1, Severity::Error);
}

#[test]
fn narrower_rules_leave_a_field_to_the_broader_one() {
    let pod = "apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
  - name: agent
    image: example/agent:3.1.0
  volumes:
  - name: docker
    hostPath: {path: /var/run/docker.sock}
  - name: etc
    hostPath: {path: /etc/kubernetes}
  - name: logs
    hostPath: {path: /var/log}
  - name: share
    nfs: {server: nfs.example.internal, path: /exports}
";
    let only = "categories: {security: off, pod-security: off}\nrules:\n  host-path: on\n  docker-socket: on\n  sensitive-host-mount: on\n  volume-types: on\n";
    let found = run(only, pod);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0.as_str(), f.2))
            .collect::<Vec<_>>(),
        [
            ("docker-socket", 11),
            ("sensitive-host-mount", 13),
            ("host-path", 15),
            ("volume-types", 17)
        ]
    );
    // Without host-path, volume-types reports the hostPath volume too.
    let only = "categories: {security: off, pod-security: off}\nrules: {volume-types: on}\n";
    assert_eq!(codes(&run(only, pod)).len(), 4);

    // drop-all-capabilities covers NET_RAW.
    let only = "categories: {security: off, pod-security: off}\nrules: {drop-all-capabilities: on, net-raw-capability: on}\n";
    assert_eq!(codes(&run(only, pod)), ["drop-all-capabilities"]);
    let only = "categories: {security: off, pod-security: off}\nrules: {net-raw-capability: on}\n";
    assert_eq!(codes(&run(only, pod)), ["net-raw-capability"]);
}

#[test]
fn container_settings_override_the_pods() {
    let pod = "apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile: {type: Unconfined}
  containers:
  - name: api
    image: example/api:1.4.2
    securityContext:
      runAsNonRoot: false
      seccompProfile: {type: RuntimeDefault}
  - name: sidecar
    image: example/proxy:1.9.0
";
    let only = "categories: {security: off, pod-security: off}\nrules: {run-as-non-root: on, seccomp-profile: on, high-uid: on}\n";
    let found = run(only, pod);
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0.as_str(), f.2, f.3.as_str()))
            .collect::<Vec<_>>(),
        [
            ("high-uid", 8, "the pod runs with user ID 1000, below 10000"),
            (
                "seccomp-profile",
                9,
                "the pod sets the seccomp profile type Unconfined"
            ),
            (
                "run-as-non-root",
                14,
                "container \"api\" sets runAsNonRoot to false"
            ),
        ]
    );
}
