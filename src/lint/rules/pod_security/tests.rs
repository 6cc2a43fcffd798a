//! The admission rule end to end: levels from labels and configuration,
//! versions, modes and their severities.

use crate::diagnostic::Severity;
use crate::lint::{Config, Lint};
use crate::pipeline::{Context, Pipeline};
use crate::schema::Version;
use crate::source::{SourceFile, Sources};
use crate::yaml::LoadOptions;

struct Found {
    severity: Severity,
    line: usize,
    message: String,
    help: String,
}

fn version(minor: u16) -> Version {
    Version::all()
        .find(|v| v.minor() == minor)
        .expect("a bundled version")
}

/// The `pod-security-admission` findings on `text`; an empty configuration
/// runs the rule alone.
fn run(config: &str, minor: u16, text: &str) -> Vec<Found> {
    let config = if config.is_empty() {
        "categories: {security: off}\nrules: {pod-security-admission: on}\n"
    } else {
        config
    };
    let config = Config::parse("drydock.yaml", config).expect("valid config");
    let mut sources = Sources::default();
    let id = sources.add(SourceFile::new("t.yaml", text));
    let (resources, diags) = crate::load::load_text(id, text, &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:?}");
    let cx = Context { sources: &sources };
    let resources = Pipeline::check().run(resources, &cx).resources;
    let out = Lint::new(config, version(minor)).lint(&resources, &cx);
    let report = crate::report::Report::new(&sources, out.diagnostics, &resources);
    let mut found: Vec<Found> = report
        .diagnostics
        .iter()
        .filter(|r| r.diagnostic.code == "pod-security-admission")
        .map(|r| Found {
            severity: r.diagnostic.severity,
            line: r.start.map_or(0, |p| p.line),
            message: r.diagnostic.message.clone(),
            help: r.diagnostic.help.clone().unwrap_or_default(),
        })
        .collect();
    found.sort_by(|a, b| (a.line, &a.message).cmp(&(b.line, &b.message)));
    found
}

fn namespace(labels: &str) -> String {
    let mut out = String::from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    if !labels.is_empty() {
        out.push_str("  labels:\n");
        for l in labels.split(',') {
            let (k, v) = l.split_once('=').expect("key=value");
            out.push_str(&format!("    pod-security.kubernetes.io/{k}: \"{v}\"\n"));
        }
    }
    out.push_str("---\n");
    out
}

/// A pod that passes baseline and fails restricted on runAsNonRoot only.
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: web
    image: nginx:1.27
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
";

#[test]
fn modes_report_at_their_severities() {
    let enforce = run("", 37, &format!("{}{POD}", namespace("enforce=restricted")));
    assert_eq!(enforce.len(), 1);
    assert_eq!(enforce[0].severity, Severity::Error);
    assert_eq!(
        enforce[0].message,
        "violates PodSecurity \"restricted:latest\": runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true)"
    );
    assert!(
        enforce[0].help.ends_with(
            "the API server rejects this pod because namespace \"shop\" sets pod-security.kubernetes.io/enforce: restricted"
        ),
        "{}",
        enforce[0].help
    );
    let warn = run("", 37, &format!("{}{POD}", namespace("warn=restricted")));
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0].severity, Severity::Warning);
    assert!(
        warn[0]
            .message
            .starts_with("would violate PodSecurity \"restricted:latest\"")
    );
    let audit = run("", 37, &format!("{}{POD}", namespace("audit=restricted")));
    assert_eq!(audit[0].severity, Severity::Info);
    // A lower configured severity lowers every mode.
    let lower = run(
        "categories: {security: off}\nrules: {pod-security-admission: warning}\n",
        37,
        &format!("{}{POD}", namespace("enforce=restricted,audit=restricted")),
    );
    assert_eq!(lower.len(), 1);
    assert_eq!(lower[0].severity, Severity::Warning);
    // Without labels the configured default level applies.
    assert!(run("", 37, &format!("{}{POD}", namespace(""))).is_empty());
    let strict = run(
        "categories: {security: off}\npod-security: {default-level: restricted}\n",
        37,
        POD,
    );
    assert_eq!(strict.len(), 1);
    assert!(strict[0].help.contains(
        "namespace \"shop\" is not among the checked objects, so drydock assumes the level restricted"
    ));
}

#[test]
fn templates_are_held_to_the_enforced_level() {
    let deployment = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: nginx:1.27
";
    let found = run("", 37, deployment);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)"
    );
    assert!(
        found[0]
            .help
            .contains("the API server accepts the Deployment but rejects every pod it creates")
    );
}

#[test]
fn versions_come_from_labels_and_the_cluster() {
    let probe = POD.replace(
        "    image: nginx:1.27\n",
        "    image: nginx:1.27\n    livenessProbe:\n      httpGet: {host: 10.0.0.1, port: 80}\n",
    );
    let doc = format!("{}{probe}", namespace("enforce=baseline"));
    // The probe host check exists from 1.34.
    assert!(run("", 33, &doc).is_empty());
    let found = run("", 34, &doc);
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains(
        "probe or lifecycle host (container \"web\" uses probe or lifecycle host \"10.0.0.1\")"
    ));
    let pinned = format!(
        "{}{probe}",
        namespace("enforce=baseline,enforce-version=v1.33")
    );
    assert!(run("", 37, &pinned).is_empty());
    // A pinned version newer than the cluster means the cluster's checks.
    let future = format!(
        "{}{probe}",
        namespace("enforce=baseline,enforce-version=v1.40")
    );
    assert!(run("", 33, &future).is_empty());
    assert_eq!(
        run("", 37, &future)[0].message.split(':').next(),
        Some("violates PodSecurity \"baseline")
    );
    assert!(
        run("", 37, &future)[0]
            .message
            .starts_with("violates PodSecurity \"baseline:v1.40\": ")
    );
}

#[test]
fn warn_follows_an_enforce_label_and_stricter_modes_win() {
    // enforce=baseline at v1.30 and warn at latest: the SELinux type
    // container_engine_t is allowed from 1.31 only.
    let pod = POD.replace(
        "    securityContext:\n      allowPrivilegeEscalation",
        "    securityContext:\n      seLinuxOptions: {type: container_engine_t}\n      allowPrivilegeEscalation",
    );
    let doc = format!(
        "{}{pod}",
        namespace("enforce=baseline,enforce-version=v1.30,warn-version=latest")
    );
    let found = run("", 37, &doc);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);
    assert!(
        found[0]
            .message
            .starts_with("violates PodSecurity \"baseline:v1.30\": seLinuxOptions")
    );
    // Invalid enforce levels count as restricted.
    let found = run("", 37, &format!("{}{POD}", namespace("enforce=strict")));
    assert_eq!(
        found
            .iter()
            .map(|f| (f.line, f.severity))
            .collect::<Vec<_>>(),
        [(6, Severity::Error), (19, Severity::Error)]
    );
    assert_eq!(found[0].message, "`strict` is not a Pod Security level");
    assert!(
        found[1]
            .help
            .contains("which is not a level and counts as restricted")
    );
    // Invalid warn levels are ignored.
    assert_eq!(
        run("", 37, &format!("{}{POD}", namespace("warn=strict"))).len(),
        1
    );
}

#[test]
fn exemptions() {
    let rc = POD.replace("spec:\n", "spec:\n  runtimeClassName: gvisor\n");
    let doc = format!("{}{rc}", namespace("enforce=restricted"));
    assert_eq!(run("", 37, &doc).len(), 1);
    let cfg = "categories: {security: off}\nrules:\n  pod-security-admission: {exempt-runtime-classes: [gvisor]}\n";
    assert!(run(cfg, 37, &doc).is_empty());
    let cfg = "categories: {security: off}\nrules:\n  pod-security-admission: {exempt-namespaces: [shop]}\n";
    assert!(run(cfg, 37, &doc).is_empty());
}
