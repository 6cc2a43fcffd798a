//! The JSON Schema of `drydock.yaml`, built from the rule registry so that it
//! names every rule, category and parameter. The committed copy,
//! `schemas/drydock.schema.json`, is what editors load (`# yaml-language-server:
//! $schema=...`); a test keeps it equal to this.

use serde_json::{Map, Value, json};

use super::Category;
use super::params::ParamDefault;
use super::rules::RULES;

const LEVELS: [&str; 5] = ["off", "on", "info", "warning", "error"];

/// The schema, as JSON.
pub fn config_schema() -> Value {
    let level = json!({
        "description": "off, on (the rule's default severity) or a severity",
        "enum": LEVELS,
    });
    let mut rules = Map::new();
    let mut rule_list: Vec<_> = RULES.to_vec();
    rule_list.sort_by_key(|r| r.id());
    for rule in rule_list {
        let mut props = Map::new();
        props.insert("severity".into(), level.clone());
        for p in rule.params() {
            props.insert(p.name.into(), param_schema(&p.default, p.help));
        }
        let default = if rule.enabled_by_default() {
            rule.severity().as_str()
        } else {
            "off"
        };
        rules.insert(
            rule.id().into(),
            json!({
                "description": format!("{} ({}, default: {default})", rule.summary().trim_end_matches('.'), rule.category().as_str()),
                "anyOf": [
                    level,
                    {"type": "object", "properties": props, "additionalProperties": false},
                ],
            }),
        );
    }
    let mut categories = Map::new();
    for c in Category::ALL {
        categories.insert(c.as_str().into(), level.clone());
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "drydock.yaml",
        "description": "drydock's lint configuration: which rules run, their severities and parameters, and which files are not linted.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "rules": {
                "description": "Per rule: off, on, a severity, or a mapping with `severity` and the rule's parameters.",
                "type": "object",
                "properties": rules,
                "additionalProperties": false,
            },
            "categories": {
                "description": "Per category: applies to every rule of the category; a rule's own entry wins.",
                "type": "object",
                "properties": categories,
                "additionalProperties": false,
            },
            "exclude": {
                "description": "Globs of files whose objects are not linted (they still count for cross-object rules).",
                "type": "array",
                "items": {"type": "string"},
            },
            "targets": {
                "description": "What `drydock check` checks when given no path: kustomization directories and manifest files, relative to this file.",
                "type": "array",
                "items": {"type": "string"},
            },
            "nodes": {
                "description": "Nodes `drydock check` also schedules the workloads onto, as with --nodes: files or directories of Node, NodePool or List objects (relative to this file), or profiles such as 3x4cpu16Gi,zones=a|b|c.",
                "type": "array",
                "items": {"type": "string"},
            },
            "pod-security": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "default-level": {
                        "description": "The Pod Security Standard for namespaces without pod-security.kubernetes.io labels.",
                        "enum": ["privileged", "baseline", "restricted"],
                    },
                },
            },
        },
    })
}

fn param_schema(default: &ParamDefault, help: &str) -> Value {
    match default {
        ParamDefault::Quantity(d) => json!({
            "description": format!("{help} (a quantity such as 500m or 1Gi)"),
            "type": ["string", "number"],
            "default": d,
        }),
        ParamDefault::Integer(d) => json!({"description": help, "type": "integer", "default": d}),
        ParamDefault::Boolean(d) => json!({"description": help, "type": "boolean", "default": d}),
        ParamDefault::String(d) => json!({"description": help, "type": "string", "default": d}),
        ParamDefault::Strings(d) => json!({
            "description": help,
            "type": "array",
            "items": {"type": "string"},
            "default": d,
        }),
        ParamDefault::Cidrs(d) => json!({
            "description": format!("{help} (CIDRs such as 10.96.0.0/12 or fd00::/108)"),
            "type": ["array", "string"],
            "items": {"type": "string"},
            "default": d,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = "schemas/drydock.schema.json";

    /// `DRYDOCK_UPDATE_SNAPSHOTS=1` rewrites the committed copy.
    #[test]
    fn committed_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
        let mut text = serde_json::to_string_pretty(&config_schema()).expect("json");
        text.push('\n');
        if std::env::var_os("DRYDOCK_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).expect("write schema");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{COMMITTED} is out of date: run DRYDOCK_UPDATE_SNAPSHOTS=1 cargo test --lib lint::schema"
        );
    }

    #[test]
    fn example_configurations_follow_the_schema() {
        let schema = config_schema();
        let validator = jsonschema::validator_for(&schema).expect("compiles");
        let good = json!({
            "rules": {"cpu-limit": "off", "absurd-quantity": {"severity": "warning", "max-cpu": 128}},
            "categories": {"security": "error"},
            "exclude": ["vendor/**"],
            "pod-security": {"default-level": "restricted"},
        });
        assert!(validator.is_valid(&good));
        for bad in [
            json!({"rulez": {}}),
            json!({"rules": {"memory-limits": "off"}}),
            json!({"rules": {"cpu-limit": "loud"}}),
            json!({"rules": {"absurd-quantity": {"max-cpus": 1}}}),
            json!({"pod-security": {"default-level": "strict"}}),
        ] {
            assert!(!validator.is_valid(&bad), "{bad}");
        }
    }
}
