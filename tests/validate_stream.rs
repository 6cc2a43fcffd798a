//! Schema validation over a generated stream of realistic objects with
//! injected errors: every injected error is found at its line and column, and
//! nothing else is reported.

#[path = "support/gen_stream.rs"]
mod gen_stream;

use std::collections::BTreeSet;

use drydock::pipeline::{Context, Stage};
use drydock::report::Report;
use drydock::resource::Identity;
use drydock::source::{SourceFile, Sources};
use drydock::validate::Validate;
use drydock::yaml::LoadOptions;

/// A finding: code, line, column, message.
type Finding = (String, usize, usize, String);

/// Loads, identifies and validates a stream against Kubernetes 1.37, with
/// positions resolved the way reports resolve them.
fn check(text: &str) -> Vec<Finding> {
    let mut sources = Sources::default();
    let file = sources.add(SourceFile::new("stream.yaml", text));
    let (resources, mut diagnostics) =
        drydock::load::load_text(file, text, &LoadOptions::default());
    let cx = Context { sources: &sources };
    let identified = Identity.run(resources, &cx);
    diagnostics.extend(identified.diagnostics);
    let stage = Validate {
        version: drydock::schema::select("1.37")
            .expect("1.37 is bundled")
            .version,
        ..Validate::default()
    };
    let validated = stage.run(identified.resources, &cx);
    diagnostics.extend(validated.diagnostics);
    let report = Report::new(&sources, diagnostics, &validated.resources);
    report
        .diagnostics
        .iter()
        .map(|r| {
            let at = r.start.map_or((0, 0), |p| (p.line, p.column));
            (
                r.diagnostic.code.to_owned(),
                at.0,
                at.1,
                r.diagnostic.message.clone(),
            )
        })
        .collect()
}

fn show_line(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

#[test]
fn every_injected_error_is_found_where_it_is_and_nothing_else() {
    let (text, expected) = gen_stream::generate(3_000, 65, 0x00d0_c4ed);
    let faults: BTreeSet<&str> = expected.iter().map(|e| e.fault).collect();
    assert_eq!(
        faults.len(),
        15,
        "every error class is injected: {faults:?}"
    );

    let found = check(&text);
    let found_set: BTreeSet<(&str, usize, usize)> = found
        .iter()
        .map(|(c, l, col, _)| (c.as_str(), *l, *col))
        .collect();
    assert_eq!(
        found_set.len(),
        found.len(),
        "duplicate findings: {found:#?}"
    );
    let expected_set: BTreeSet<(&str, usize, usize)> = expected
        .iter()
        .map(|e| (e.code, e.line, e.column))
        .collect();

    let mut problems = Vec::new();
    for e in &expected {
        if !found_set.contains(&(e.code, e.line, e.column)) {
            problems.push(format!(
                "missed {} at {}:{} ({} in {}): {:?}",
                e.code,
                e.line,
                e.column,
                e.fault,
                e.object,
                show_line(&text, e.line)
            ));
        }
    }
    for (code, line, column, message) in &found {
        if !expected_set.contains(&(code.as_str(), *line, *column)) {
            problems.push(format!(
                "unexpected {code} at {line}:{column}: {message}: {:?}",
                show_line(&text, *line)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn drydock_validate_reports_the_same_findings() {
    let (text, expected) = gen_stream::generate(1_500, 50, 0x5eed);
    let path = std::env::temp_dir().join(format!(
        "drydock-validate-stream-{}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, &text).expect("write the stream");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drydock"))
        .args(["validate", "--format", "json"])
        .arg(&path)
        .output()
        .expect("run drydock");
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(report["summary"]["objects"], 1_500);
    let found: BTreeSet<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64, u64)> = expected
        .iter()
        .map(|e| (e.code.to_owned(), e.line as u64, e.column as u64))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_stream_without_injected_errors_is_clean() {
    let (text, expected) = gen_stream::generate(1_000, 0, 7);
    assert!(expected.is_empty());
    let found = check(&text);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn generation_is_deterministic() {
    let a = gen_stream::generate(200, 20, 1);
    let b = gen_stream::generate(200, 20, 1);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    // The classes take turns.
    let injected = a.1.iter().map(|e| &e.object).collect::<BTreeSet<_>>().len();
    let classes = a.1.iter().map(|e| e.fault).collect::<BTreeSet<_>>().len();
    assert!(injected >= 8, "{injected} errors in 200 objects");
    assert_eq!(classes, injected.min(15));
    assert_ne!(a.0, gen_stream::generate(200, 20, 2).0);
    assert_eq!(a.0.matches("\n---\n").count() + 1, 200);
}
