//! drydock as a pre-commit hook and as a CI gate, end to end, in a temporary
//! git repository with a base and two overlays.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("drydock-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "ci@example.com"]);
        repo.git(&["config", "user.name", "CI"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn git(&self, args: &[&str]) -> Output {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn drydock(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drydock"));
        cmd.args(args).current_dir(&self.dir).env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("drydock")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1.4.2
        imagePullPolicy: IfNotPresent
";

/// Only schema validation counts here, so that the expectations do not move
/// when lint rules are added.
const CONFIG: &str = "categories:
  security: off
  resources: off
  reliability: off
  images: off
  references: off
  networking: off
  rbac: off
  pod-security: off
  pod-security-policy: off
  limit-range: off
  resource-quota: off
  metadata: off
  api: off
";

fn setup(name: &str) -> Repo {
    let repo = Repo::new(name);
    repo.write("drydock.yaml", CONFIG);
    repo.write("base/kustomization.yaml", "resources:\n- deployment.yaml\n");
    repo.write("base/deployment.yaml", DEPLOYMENT);
    for env in ["dev", "prod"] {
        repo.write(
            &format!("overlays/{env}/kustomization.yaml"),
            &format!("resources:\n- ../../base\nnamespace: {env}\n"),
        );
    }
    // A plain manifest with a mistake that is already committed.
    repo.write(
        "legacy/job.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: old\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: old\n        image: busybox:1.36\n        comand: [sh]\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    repo
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn findings(v: &Value) -> Vec<(String, String, u64)> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn the_hook_checks_what_is_staged_and_the_gate_checks_everything() {
    let repo = setup("hook");
    // Nothing staged: the hook passes, though the committed legacy Job has a
    // mistake (the gate below finds it).
    let clean = repo.drydock(
        &["check", "--changed-only", "--format", "json"],
        &[("PRE_COMMIT", "1")],
    );
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(findings(&json(&clean)), vec![]);

    // A change to the base is staged: both overlays are re-checked, and the
    // base's mistake is reported once, against the base.
    repo.write(
        "base/deployment.yaml",
        &DEPLOYMENT.replace("IfNotPresent", "Allways"),
    );
    repo.git(&["add", "base/deployment.yaml"]);
    let hook = repo.drydock(
        &["check", "--changed-only", "--format", "json"],
        &[("PRE_COMMIT", "1")],
    );
    assert_eq!(hook.status.code(), Some(1));
    let v = json(&hook);
    assert_eq!(
        findings(&v),
        vec![(
            "schema-enum".to_owned(),
            "base/deployment.yaml".to_owned(),
            15
        )]
    );
    assert_eq!(v["summary"]["objects"], 2, "dev and prod");

    // The gate checks the whole repository: the legacy Job's mistake too.
    let gate = repo.drydock(&["check", "--format", "sarif"], &[]);
    assert_eq!(gate.status.code(), Some(1));
    let sarif = json(&gate);
    let results: Vec<(String, String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap_or_default().to_owned(),
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                loc["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        results,
        vec![
            (
                "schema-unknown-field".to_owned(),
                "legacy/job.yaml".to_owned(),
                12
            ),
            (
                "schema-enum".to_owned(),
                "base/deployment.yaml".to_owned(),
                15
            ),
        ]
    );

    // Against a revision: the branch changed the base since `main`.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["commit", "-q", "-m", "break the base"]);
    let branch = repo.drydock(
        &["check", "--changed-only", "main", "--format", "json"],
        &[],
    );
    assert_eq!(branch.status.code(), Some(1));
    assert_eq!(findings(&json(&branch)).len(), 1);

    // A baseline taken now lets the gate pass until something new appears.
    let write = repo.drydock(&["check", "--write-baseline", "baseline.json"], &[]);
    assert_eq!(write.status.code(), Some(0));
    let gate = repo.drydock(
        &["check", "--baseline", "baseline.json", "--format", "json"],
        &[],
    );
    assert_eq!(gate.status.code(), Some(0), "{:?}", findings(&json(&gate)));
    repo.write(
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamespace: Prod\n",
    );
    let gate = repo.drydock(
        &["check", "--baseline", "baseline.json", "--format", "json"],
        &[],
    );
    assert_eq!(gate.status.code(), Some(1));
}

/// pre-commit itself, when `DRYDOCK_PRE_COMMIT` names its executable (CI
/// installs it from PyPI into a virtual environment).
#[test]
fn pre_commit_runs_the_hook() {
    let Ok(pre_commit) = std::env::var("DRYDOCK_PRE_COMMIT") else {
        eprintln!("DRYDOCK_PRE_COMMIT is not set: pre-commit itself not exercised");
        return;
    };
    let repo = setup("pre-commit");
    let hooks_repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_drydock"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        Command::new(&pre_commit)
            .args(args)
            .current_dir(&repo.dir)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", repo.dir.join(".pre-commit-cache"))
            .output()
            .expect("pre-commit")
    };
    repo.write(
        "base/deployment.yaml",
        &DEPLOYMENT.replace("IfNotPresent", "Allways"),
    );
    repo.git(&["add", "base/deployment.yaml"]);
    let hooks = hooks_repo.to_str().expect("utf-8 path");
    let out = run(&["try-repo", hooks, "drydock-check-system"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("schema-enum"), "{text}");
    assert!(text.contains("base/deployment.yaml:15:26"), "{text}");

    // Fixed and staged: the hook passes.
    repo.write("base/deployment.yaml", DEPLOYMENT);
    repo.git(&["add", "base/deployment.yaml"]);
    let out = run(&["try-repo", hooks, "drydock-check-system"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
