//! Baselines: a record of the findings a repository already has, so that a
//! team can adopt drydock and fail only on new ones.
//!
//! A finding is identified by its fingerprint (code, file, object and field; see
//! `sarif::fingerprint`), so edits that only move it to another line keep it
//! in the baseline.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Report;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// For people reading the file; only fingerprints are compared.
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    code: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    message: String,
}

/// The baseline of a report, as JSON.
pub fn write_baseline(report: &Report<'_>) -> String {
    let findings = report
        .diagnostics
        .iter()
        .map(|r| Entry {
            fingerprint: super::sarif::fingerprint(report, r),
            code: r.diagnostic.code.to_owned(),
            file: r.file.map(|f| report.sources.get(f).name.clone()),
            message: r.diagnostic.message.clone(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&File {
        version: 1,
        findings,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

/// Fingerprints recorded in a baseline file's text.
pub fn read_baseline(text: &str) -> Result<BTreeSet<String>, String> {
    let file: File =
        serde_json::from_str(text).map_err(|e| format!("not a drydock baseline: {e}"))?;
    if file.version != 1 {
        return Err(format!(
            "baseline version {} is not supported",
            file.version
        ));
    }
    Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
}
