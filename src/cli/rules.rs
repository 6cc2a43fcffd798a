//! `drydock rules` lists the lint rules; `drydock explain RULE` prints one
//! rule's documentation.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::{Format, Output, usage_error, write_stdout};
use crate::lint::{self, Category, Rule, rules::RULES};

pub(super) const RULES_EXAMPLES: &str = "\
Examples:
  drydock rules
  drydock rules --category resources
  drydock rules --format json | jq -r '.rules[].id'";

pub(super) const EXPLAIN_EXAMPLES: &str = "\
Examples:
  drydock explain memory-limit
  drydock explain absurd-quantity --format json";

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// List only the rules of this category.
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule id, as `drydock rules` lists it.
    #[arg(value_name = "RULE")]
    rule: String,
}

/// `warning`, or `off` for an opt-in rule.
fn default_level(rule: &dyn Rule) -> &'static str {
    if rule.enabled_by_default() {
        rule.severity().as_str()
    } else {
        "off"
    }
}

fn rule_json(rule: &dyn Rule) -> serde_json::Value {
    let params: Vec<serde_json::Value> = rule
        .params()
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "type": p.kind(),
                "default": p.default_text(),
                "help": p.help,
            })
        })
        .collect();
    json!({
        "id": rule.id(),
        "category": rule.category().as_str(),
        "severity": rule.severity(),
        "enabled": rule.enabled_by_default(),
        "summary": rule.summary(),
        "parameters": params,
    })
}

pub(super) fn list(args: &RulesArgs, output: &Output) -> ExitCode {
    let category = match args.category.as_deref() {
        None => None,
        Some(name) => match Category::from_name(name) {
            Some(c) => Some(c),
            None => {
                let names = Category::ALL.iter().map(|c| c.as_str());
                let hint = match crate::suggest::closest(name, names) {
                    Some(c) => format!("; did you mean `{c}`?"),
                    None => {
                        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                        format!("; the categories are {}", all.join(", "))
                    }
                };
                return usage_error(&format!("unknown category `{name}`{hint}"));
            }
        },
    };
    let mut rules: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|r| category.is_none_or(|c| r.category() == c))
        .collect();
    rules.sort_by_key(|r| (r.category(), r.id()));
    let text = match output.format {
        Format::Human => {
            let id_width = rules.iter().map(|r| r.id().len()).max().unwrap_or(0).max(2);
            let cat_width = rules
                .iter()
                .map(|r| r.category().as_str().len())
                .max()
                .unwrap_or(0)
                .max(8);
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{:id_width$}  {:cat_width$}  {:7}  SUMMARY",
                "RULE", "CATEGORY", "DEFAULT"
            );
            for r in &rules {
                let _ = writeln!(
                    out,
                    "{:id_width$}  {:cat_width$}  {:7}  {}",
                    r.id(),
                    r.category().as_str(),
                    default_level(*r),
                    r.summary().trim_end_matches('.')
                );
            }
            let n = rules.len();
            let _ = writeln!(
                out,
                "\n{n} rule{}; `drydock explain RULE` prints a rule's documentation",
                if n == 1 { "" } else { "s" }
            );
            out
        }
        _ => {
            let rules: Vec<serde_json::Value> = rules.iter().map(|r| rule_json(*r)).collect();
            format!("{}\n", json!({ "rules": rules }))
        }
    };
    write_stdout(text.as_bytes());
    ExitCode::SUCCESS
}

pub(super) fn explain(args: &ExplainArgs, output: &Output) -> ExitCode {
    let Some(rule) = lint::find_rule(&args.rule) else {
        let hint = match crate::suggest::closest(&args.rule, RULES.iter().map(|r| r.id())) {
            Some(id) => format!("; did you mean `{id}`?"),
            None => String::from("; `drydock rules` lists them"),
        };
        return usage_error(&format!("unknown rule `{}`{hint}", args.rule));
    };
    let doc = lint::doc_text(rule);
    let text = match output.format {
        Format::Human => {
            let default = if rule.enabled_by_default() {
                format!("default severity {}", rule.severity())
            } else {
                format!("off by default, {} when enabled", rule.severity())
            };
            format!("{} ({}, {default})\n\n{doc}", rule.id(), rule.category())
        }
        _ => {
            let mut v = rule_json(rule);
            v["doc"] = json!(doc);
            format!("{v}\n")
        }
    };
    write_stdout(text.as_bytes());
    ExitCode::SUCCESS
}
