//! Golden cases for `replacements` and `vars`, labelled with `kubectl
//! kustomize` (v1.32, kustomize v5.5.0): each directory under
//! `fixtures/render/{replacements,vars}` holds an `input/` kustomization and
//! either `expected.yaml` (the build output, byte for byte) or `expected.err`
//! (a substring of kubectl's error message).

use std::path::{Path, PathBuf};

use drydock::render::{self, BuildOptions};
use drydock::source::Sources;

fn cases(feature: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/render")
        .join(feature);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input").is_dir())
        .collect();
    out.sort();
    out
}

/// Builds one case; `Ok` when it behaves as kubectl does.
fn check(case: &Path) -> Result<(), String> {
    let mut sources = Sources::default();
    let result = render::build(&case.join("input"), &BuildOptions::default(), &mut sources)
        .and_then(|b| b.emit());
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
    match result {
        Err(e) => Err(format!("failed: {}", e.message)),
        Ok(got) if got == want => Ok(()),
        Ok(got) => Err(first_difference(&want, &got)),
    }
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

fn run(feature: &str) {
    let all = cases(feature);
    assert!(!all.is_empty(), "no cases for {feature}");
    let failures: Vec<String> = all
        .iter()
        .filter_map(|case| {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            check(case).err().map(|e| format!("{feature}/{name}: {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn replacements() {
    run("replacements");
}

#[test]
fn vars() {
    run("vars");
}
