//! kustomize's own conformance cases (`../shared/corpora/krusty`, when
//! present): every case is built and compared byte for byte with kustomize's
//! expected output, or must fail with the expected message. At least 95% must
//! pass.

use std::path::{Path, PathBuf};

use drydock::render::{self, BuildOptions, Reorder, Restrictor};
use drydock::source::Sources;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/krusty")
}

/// Builds one case; `Ok(())` when it behaves as kustomize does.
fn run_case(case: &Path) -> Result<(), String> {
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(case.join("meta.json")).map_err(|e| format!("meta.json: {e}"))?,
    )
    .map_err(|e| format!("meta.json: {e}"))?;
    let build_dir = case.join(meta["build_dir"].as_str().unwrap_or("fs"));
    let args: Vec<&str> = meta["kubectl_args"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let fs_root = std::fs::canonicalize(case.join("fs")).map_err(|e| format!("fs: {e}"))?;
    let opts = BuildOptions {
        reorder: if args.contains(&"--reorder=none") {
            Some(Reorder::None)
        } else if args.contains(&"--reorder=legacy") {
            Some(Reorder::Legacy)
        } else {
            None
        },
        restrictor: if args.contains(&"--load-restrictor=LoadRestrictionsNone") {
            Restrictor::None
        } else {
            Restrictor::RootOnly
        },
        // The upstream tests run on an in-memory file system rooted at `/`.
        path_display: Some((fs_root, PathBuf::from("/"))),
    };
    let result = std::panic::catch_unwind(|| {
        let mut sources = Sources::default();
        render::build(&build_dir, &opts, &mut sources).and_then(|b| b.emit())
    })
    .map_err(|_| "panicked".to_owned())?;
    match meta["expect"].as_str() {
        Some("error") => match result {
            Ok(_) => Err("built, but kustomize fails".to_owned()),
            Err(e) => {
                for check in meta["error_checks"].as_array().into_iter().flatten() {
                    let want = check["contains"].as_str().unwrap_or_default();
                    if !e.message.contains(want) {
                        return Err(format!("error `{}` does not contain `{want}`", e.message));
                    }
                }
                Ok(())
            }
        },
        _ => {
            let expected = std::fs::read_to_string(case.join("expected.yaml"))
                .map_err(|e| format!("expected.yaml: {e}"))?;
            match result {
                Err(e) => Err(format!("failed: {}", e.message)),
                Ok(got) if got == expected => Ok(()),
                Ok(got) => Err(format!(
                    "output differs:\n{}",
                    first_difference(&expected, &got)
                )),
            }
        }
    }
}

fn first_difference(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let i = e
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(e.len().min(g.len()));
    format!(
        "  line {}: expected {:?}\n  line {}:      got {:?}",
        i + 1,
        e.get(i).copied().unwrap_or("<end>"),
        i + 1,
        g.get(i).copied().unwrap_or("<end>")
    )
}

#[test]
fn krusty_conformance() {
    let dir = corpus();
    if !dir.is_dir() {
        eprintln!("skipping: {} is not present", dir.display());
        return;
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("meta.json").is_file())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run_case(case) {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            failures.push(format!("{name}: {why}"));
        }
    }
    let total = cases.len();
    let passed = total - failures.len();
    println!("{passed} passed, {} failed", failures.len());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        passed * 100 >= total * 95,
        "{passed} of {total} krusty cases pass, fewer than 95%:\n{}",
        failures.join("\n")
    );
}
