//! Golden cases for the renderer, labelled with `kubectl kustomize` (v1.32,
//! kustomize v5.5.0; `scripts/label-render-goldens.sh` re-labels them).
//!
//! Each directory `fixtures/render/<feature>/<case>/` holds an `input/`
//! kustomization and either `expected.yaml` (the build output, byte for byte)
//! or `expected.err` (a substring of kubectl's error message). A successful
//! case may also hold `expected.stderr`: kubectl's warnings, line for line;
//! without it the build must warn about nothing.
//!
//! `fixtures/render/patch` (tests/patch_goldens.rs) and `fixtures/render/bad`
//! (tests/inputs.rs) have their own harnesses.

use std::path::{Path, PathBuf};

use drydock::render::{self, BuildOptions};
use drydock::source::Sources;

/// Feature directories with their own harness.
const ELSEWHERE: &[&str] = &["patch", "bad"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/render")
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `(feature, cases)` for every feature directory that holds cases.
fn features() -> Vec<(String, Vec<PathBuf>)> {
    sorted_dirs(&root())
        .into_iter()
        .filter(|f| !ELSEWHERE.contains(&name(f).as_str()))
        .map(|f| {
            let cases: Vec<PathBuf> = sorted_dirs(&f)
                .into_iter()
                .filter(|c| c.join("input").is_dir())
                .collect();
            (name(&f), cases)
        })
        .filter(|(_, cases)| !cases.is_empty())
        .collect()
}

/// Builds one case; `Ok` when it behaves as kubectl does.
fn check(case: &Path) -> Result<(), String> {
    let mut sources = Sources::default();
    let built = render::build(&case.join("input"), &BuildOptions::default(), &mut sources);
    let warnings = built
        .as_ref()
        .map(|b| {
            b.warnings
                .iter()
                .map(|w| format!("{w}\n"))
                .collect::<String>()
        })
        .unwrap_or_default();
    let result = built.and_then(|b| b.emit());
    let expected_err = case.join("expected.err");
    if expected_err.is_file() {
        let want = std::fs::read_to_string(&expected_err).map_err(|e| e.to_string())?;
        let want = want.trim_end_matches('\n');
        return match result {
            Ok(_) => Err(format!("built, but kubectl fails with `{want}`")),
            Err(e) if e.message.contains(want) => Ok(()),
            Err(e) => Err(format!("error `{}` does not contain `{want}`", e.message)),
        };
    }
    let want = std::fs::read_to_string(case.join("expected.yaml")).map_err(|e| e.to_string())?;
    let got = result.map_err(|e| format!("failed: {}", e.message))?;
    if got != want {
        return Err(first_difference(&want, &got));
    }
    let want_stderr = match std::fs::read_to_string(case.join("expected.stderr")) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e.to_string()),
    };
    if warnings != want_stderr {
        return Err(format!(
            "warnings differ:\n{}",
            first_difference(&want_stderr, &warnings)
        ));
    }
    Ok(())
}

fn first_difference(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let i = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    format!(
        "output differs at line {}:\n  expected {:?}\n       got {:?}",
        i + 1,
        w.get(i).copied().unwrap_or("<end>"),
        g.get(i).copied().unwrap_or("<end>")
    )
}

#[test]
fn all_features() {
    let features = features();
    for required in ["replacements", "vars", "format"] {
        assert!(
            features.iter().any(|(f, _)| f == required),
            "no cases for {required}"
        );
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for (feature, cases) in &features {
        total += cases.len();
        for case in cases {
            if let Err(e) = check(case) {
                failures.push(format!("{feature}/{}: {e}", name(case)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
}

/// A case that holds neither expected file would be skipped silently.
#[test]
fn every_case_is_labelled() {
    let unlabelled: Vec<String> = features()
        .iter()
        .flat_map(|(feature, cases)| cases.iter().map(move |c| (feature, c)))
        .filter(|(_, c)| c.join("expected.yaml").is_file() == c.join("expected.err").is_file())
        .map(|(feature, c)| format!("{feature}/{}", name(c)))
        .collect();
    assert!(
        unlabelled.is_empty(),
        "cases need exactly one of expected.yaml and expected.err: {unlabelled:?}"
    );
}

/// The example application in `overlays/` renders as kubectl renders it.
#[test]
fn example_overlays() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for env in ["dev", "staging", "prod"] {
        let mut sources = Sources::default();
        let built = render::build(
            &repo.join("overlays").join(env),
            &BuildOptions::default(),
            &mut sources,
        )
        .and_then(|b| b.emit())
        .unwrap_or_else(|e| panic!("overlays/{env}: {}", e.message));
        let want = std::fs::read_to_string(repo.join(format!("fixtures/overlays/{env}.yaml")))
            .unwrap_or_else(|e| panic!("fixtures/overlays/{env}.yaml: {e}"));
        assert!(
            built == want,
            "overlays/{env}: {}",
            first_difference(&want, &built)
        );
    }
}

/// The committed goldens still say what kubectl says: every labelled output
/// is rebuilt with `kubectl kustomize` and compared byte for byte, and every
/// case that expects an error must make kubectl fail. Skipped, with a
/// message, where kubectl is not installed.
#[test]
fn goldens_agree_with_kubectl() {
    let version = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let Some(version) = version else {
        eprintln!("kubectl is not installed: the goldens are not re-checked against it");
        return;
    };
    // The goldens are kustomize v5.5.0's output; another release may differ.
    if !version.contains("Kustomize Version: v5.5.0") {
        eprintln!("kubectl does not bundle kustomize v5.5.0: the goldens are not re-checked");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut jobs: Vec<(String, PathBuf, Option<PathBuf>)> = Vec::new();
    for (feature, cases) in features() {
        for case in cases {
            let expected = case.join("expected.yaml");
            let label = format!("{feature}/{}", name(&case));
            jobs.push((
                label,
                case.join("input"),
                Some(expected).filter(|p| p.is_file()),
            ));
        }
    }
    for env in ["dev", "staging", "prod"] {
        jobs.push((
            format!("overlays/{env}"),
            repo.join("overlays").join(env),
            Some(repo.join(format!("fixtures/overlays/{env}.yaml"))),
        ));
    }
    // kubectl is slow to start; a few at a time keeps this short.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((label, dir, expected)) = jobs.get(i) else {
                        break;
                    };
                    if let Err(e) = agree(dir, expected.as_deref()) {
                        failures
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("{label}: {e}"));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    assert!(
        failures.is_empty(),
        "goldens that kubectl no longer agrees with (re-label with scripts/label-render-goldens.sh):\n{}",
        failures.join("\n")
    );
}

fn agree(dir: &Path, expected: Option<&Path>) -> Result<(), String> {
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run kubectl: {e}"))?;
    match expected {
        Some(path) => {
            let want = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
            let got = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                return Err(format!(
                    "kubectl fails: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            if got != want {
                return Err(first_difference(&want, &got));
            }
            Ok(())
        }
        None if out.status.success() => Err("kubectl builds it, but an error is expected".into()),
        None => Ok(()),
    }
}
