//! Every registered lint rule against its fixtures, with only that rule
//! enabled: `fixtures/lint/<id>/pass.yaml` must give no finding and
//! `fixtures/lint/<id>/fail.yaml` exactly the findings of `fail.snap`, one
//! per line (`line:column severity id message`, then an indented help line).
//! `DRYDOCK_UPDATE_SNAPSHOTS=1` rewrites the snapshots. Fixtures are
//! validated and linted at the rule's `examples_version` when it declares
//! one (PodSecurityPolicy rules: 1.24), else at the newest release.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use drydock::diagnostic::Severity;
use drydock::input::InputOptions;
use drydock::lint::{Config, Lint, rules::RULES};
use drydock::pipeline::{Context, Pipeline, Stage};
use drydock::report::Report;
use drydock::schema::Version;
use drydock::validate::Validate;
use drydock::yaml::LoadOptions;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Kubernetes release a rule's fixtures are written for.
fn version_of(id: &str) -> Result<Version, String> {
    let declared = RULES
        .iter()
        .find(|r| r.id() == id)
        .and_then(|r| r.examples_version());
    match declared {
        Some(v) => drydock::schema::select(v)
            .map(|s| s.version)
            .map_err(|e| format!("{id}: examples_version: {e}")),
        None => Ok(Version::latest()),
    }
}

/// Runs the rule `id` over `path`; the fixture itself must load and validate cleanly.
fn findings(id: &str, path: &Path) -> Result<String, String> {
    let version = version_of(id)?;
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let loaded = drydock::load::load(
        &[path.display().to_string()],
        &InputOptions::default(),
        &LoadOptions::default(),
    )
    .map_err(|e| format!("{name}: {}", e.0))?;
    let cx = Context {
        sources: &loaded.sources,
    };
    let out = Pipeline::check().run(loaded.resources, &cx);
    let validate = Validate {
        version,
        ..Validate::default()
    };
    let validated = validate.run(out.resources, &cx);
    let mut problems = loaded.diagnostics;
    problems.extend(out.diagnostics);
    problems.extend(validated.diagnostics);
    if let Some(p) = problems.iter().find(|d| d.severity != Severity::Info) {
        return Err(format!(
            "{name}: the fixture itself is not clean: {} {}",
            p.code, p.message
        ));
    }
    let resources = validated.resources;
    let lint = Lint::new(Config::only(&[id]), version);
    let linted = lint.lint(&resources, &cx);
    let report = Report::new(&loaded.sources, linted.diagnostics, &resources);
    let mut text = String::new();
    for r in &report.diagnostics {
        let d = &r.diagnostic;
        if d.code != id {
            return Err(format!("{name}: unexpected {} {}", d.code, d.message));
        }
        let (line, col) = r.start.map_or((0, 0), |p| (p.line, p.column));
        let _ = writeln!(text, "{line}:{col} {} {} {}", d.severity, d.code, d.message);
        if let Some(h) = &d.help {
            let _ = writeln!(text, "    help: {h}");
        }
    }
    Ok(text)
}

#[test]
fn every_rule_matches_its_fixtures_and_snapshot() {
    let update = std::env::var_os("DRYDOCK_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for rule in RULES {
        let id = rule.id();
        let dir = root().join("fixtures/lint").join(id);
        let (pass, fail, snap) = (
            dir.join("pass.yaml"),
            dir.join("fail.yaml"),
            dir.join("fail.snap"),
        );
        for f in [&pass, &fail] {
            if !f.is_file() {
                failures.push(format!("{id}: missing {}", f.display()));
            }
        }
        if !pass.is_file() || !fail.is_file() {
            continue;
        }
        match findings(id, &pass) {
            Ok(t) if t.is_empty() => {}
            Ok(t) => failures.push(format!("{id}: pass.yaml has findings:\n{t}")),
            Err(e) => failures.push(e),
        }
        let got = match findings(id, &fail) {
            Ok(t) => t,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if got.is_empty() {
            failures.push(format!("{id}: fail.yaml has no finding"));
            continue;
        }
        if update {
            if let Err(e) = std::fs::write(&snap, &got) {
                failures.push(format!("{id}: cannot write {}: {e}", snap.display()));
            }
            continue;
        }
        match std::fs::read_to_string(&snap) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{id}: fail.snap differs (DRYDOCK_UPDATE_SNAPSHOTS=1 rewrites it)\n--- expected\n{want}--- found\n{got}"
            )),
            Err(_) => failures.push(format!(
                "{id}: no {} (DRYDOCK_UPDATE_SNAPSHOTS=1 writes it)",
                snap.display()
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    let Ok(entries) = std::fs::read_dir(root().join("fixtures/lint")) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            RULES.iter().any(|r| r.id() == name),
            "fixtures/lint/{name} has no registered rule"
        );
    }
}
