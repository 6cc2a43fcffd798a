//! SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
//!
//! One run; the rules are the codes that appear in the results, each with its
//! documentation. Results carry repository-relative physical locations and a
//! fingerprint built from what a finding is about (code, file, object, field),
//! not from its line, so an alert survives edits elsewhere in the file.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Report, Resolved};
use crate::diagnostic::Severity;

/// What a formatter knows about a code or rule beyond its name.
pub struct CodeInfo {
    pub summary: &'static str,
    /// Markdown documentation (a lint rule's doc comment), if any.
    pub doc: Option<String>,
    pub default: Severity,
    /// `security`, `resources`, ... for lint rules; the stage for other codes.
    pub category: &'static str,
}

/// Looks a code up among diagnostic codes and lint rules.
pub fn code_info(code: &str) -> Option<CodeInfo> {
    if let Some(rule) = crate::lint::find_rule(code) {
        return Some(CodeInfo {
            summary: rule.summary(),
            doc: Some(crate::lint::doc_text(rule)),
            default: rule.severity(),
            category: rule.category().as_str(),
        });
    }
    crate::diagnostic::codes::find(code).map(|c| CodeInfo {
        summary: c.summary,
        doc: None,
        default: c.severity,
        category: stage_of(c.name),
    })
}

fn stage_of(code: &str) -> &'static str {
    if code.starts_with("schema-")
        || code.starts_with("api-")
        || code.starts_with("invalid-")
        || code == "kind-rejected"
    {
        "validation"
    } else if code.starts_with("render-") || code.starts_with("kustomization-") {
        "rendering"
    } else {
        "input"
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Categories whose findings are security findings for code scanning.
const SECURITY: &[&str] = &["security", "pod-security", "pod-security-policy", "rbac"];

pub fn write_sarif(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &report.diagnostics {
        let next = rule_index.len();
        rule_index.entry(r.diagnostic.code).or_insert(next);
    }
    let mut rules: Vec<(&str, usize)> = rule_index.iter().map(|(k, v)| (*k, *v)).collect();
    rules.sort_by_key(|(_, i)| *i);
    let rules: Vec<Value> = rules.iter().map(|(code, _)| rule(code)).collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|r| result(report, r, rule_index[r.diagnostic.code]))
        .collect();
    let doc = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "drydock",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": true}],
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory drydock ran in"}}},
            "results": results,
        }],
    });
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

fn rule(code: &str) -> Value {
    let info = code_info(code);
    let summary = info.as_ref().map_or("", |i| i.summary);
    let mut rule = json!({
        "id": code,
        "name": pascal(code),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
    });
    if let Some(i) = &info {
        rule["defaultConfiguration"] = json!({"level": level(i.default)});
        let help = i.doc.as_deref().unwrap_or(i.summary);
        rule["help"] = json!({"text": help, "markdown": help});
        let mut props = json!({"tags": [i.category], "precision": "very-high"});
        if SECURITY.contains(&i.category) {
            // SARIF tags must be unique; the `security` category already is the tag.
            if i.category != "security" {
                props["tags"] = json!([i.category, "security"]);
            }
            props["security-severity"] = json!(match i.default {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            });
        }
        rule["properties"] = props;
    }
    rule
}

fn result(report: &Report<'_>, r: &Resolved, index: usize) -> Value {
    let d = &r.diagnostic;
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str(&format!(" (help: {h})"));
    }
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": index,
        "level": level(d.severity),
        "message": {"text": text},
    });
    let mut location = json!({});
    if let Some(file) = r.file {
        let name = &report.sources.get(file).name;
        let mut physical = json!({"artifactLocation": artifact(name)});
        if let (Some(s), Some(e)) = (r.start, r.end) {
            physical["region"] = json!({
                "startLine": s.line,
                "startColumn": s.column,
                "endLine": e.line,
                "endColumn": e.column.max(1),
            });
        }
        location["physicalLocation"] = physical;
    }
    if let Some(o) = &d.object {
        let name = [
            o.api_version.as_deref(),
            o.kind.as_deref(),
            o.namespace.as_deref(),
            o.name.as_deref(),
        ]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("/");
        location["logicalLocations"] = json!([{"fullyQualifiedName": name, "kind": "resource"}]);
    }
    if location.as_object().is_some_and(|l| !l.is_empty()) {
        result["locations"] = json!([location]);
    }
    result["partialFingerprints"] = json!({"drydock/v1": fingerprint(report, r)});
    result
}

fn artifact(name: &str) -> Value {
    if name.starts_with('/') {
        json!({"uri": format!("file://{}", uri_path(name))})
    } else if name == "<stdin>" {
        json!({"uri": "stdin"})
    } else {
        let rel = name.strip_prefix("./").unwrap_or(name);
        json!({"uri": uri_path(rel), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes what a URI path may not hold.
fn uri_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A fingerprint that does not move with line numbers.
pub fn fingerprint(report: &Report<'_>, r: &Resolved) -> String {
    let d = &r.diagnostic;
    let mut h = Sha256::new();
    h.update(d.code.as_bytes());
    h.update([0]);
    if let Some(f) = r.file {
        h.update(report.sources.get(f).name.as_bytes());
    }
    h.update([0]);
    if let Some(o) = &d.object {
        h.update(o.display_name().as_bytes());
    }
    h.update([0]);
    match d.location.pointer() {
        Some(p) => h.update(p.as_bytes()),
        // Without a field to name, the message says what the finding is.
        None => h.update(d.message.as_bytes()),
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `schema-unknown-field` as `SchemaUnknownField`.
fn pascal(code: &str) -> String {
    code.split(['-', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("schema-unknown-field"), "SchemaUnknownField");
        assert_eq!(uri_path("over lays/a#b.yaml"), "over%20lays/a%23b.yaml");
        assert_eq!(
            artifact("./k8s/app.yaml"),
            json!({"uri": "k8s/app.yaml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact("/srv/app.yaml"),
            json!({"uri": "file:///srv/app.yaml"})
        );
    }

    #[test]
    fn every_code_has_info() {
        for c in crate::diagnostic::codes::ALL {
            assert!(code_info(c.name).is_some(), "{}", c.name);
        }
        for r in crate::lint::rules::RULES {
            let info = code_info(r.id()).expect("rule");
            assert!(info.doc.is_some());
        }
    }
}
