//! `drydock.yaml`: which rules run, how severe their findings are, which
//! files are not linted, and rule parameters.
//!
//! ```yaml
//! rules:
//!   cpu-limit: off                 # off | on | info | warning | error
//!   memory-limit: error
//!   absurd-quantity:               # a mapping sets parameters too
//!     severity: warning
//!     max-cpu: 128
//! categories:
//!   security: warning              # every rule of the category; rule entries win
//! exclude:
//!   - "vendor/**"                  # files whose objects are not linted
//! pod-security:
//!   default-level: baseline        # privileged | baseline | restricted
//! targets:                         # what `drydock check` checks when given no path
//!   - overlays/dev
//!   - overlays/prod
//! nodes:                           # `check` also schedules onto these (as --nodes)
//!   - nodes/cluster.yaml
//! ```
//!
//! Paths in `targets` and `nodes` are relative to the directory holding the file.
//!
//! `on` enables a rule at its default severity (opt-in rules included); a
//! severity enables it at that severity. A category entry applies to every
//! rule of the category, as if written for each; a rule's own entry takes
//! precedence. The file is read with drydock's YAML reader, so an unquoted
//! `off` (a YAML 1.1 boolean) works too. Unknown keys, rules, categories and
//! parameters are errors that point at their line.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::params::{Param, ParamValue, Params};
use super::{Category, Rule, codes, rules::RULES};
use crate::diagnostic::{Diagnostic, Location, Severity, Target};
use crate::source::{FileId, LineIndex, SourceFile, Sources};
use crate::yaml::{self, LoadOptions, Map, Value};

/// The file name looked for.
pub const FILE_NAME: &str = "drydock.yaml";

const TOP_LEVEL: &[&str] = &[
    "rules",
    "categories",
    "exclude",
    "pod-security",
    "targets",
    "nodes",
];
const POD_SECURITY_KEYS: &[&str] = &["default-level"];
const LEVELS: &str = "off, on, info, warning or error";

/// How a rule or category is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    /// Enabled at the rule's default severity.
    On,
    Severity(Severity),
}

/// The Pod Security Standards level pods are held to by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodSecurityLevel {
    Privileged,
    #[default]
    Baseline,
    Restricted,
}

impl PodSecurityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Privileged => "privileged",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Restricted => "restricted",
        }
    }
}

/// `pod-security:` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSecurity {
    pub default_level: PodSecurityLevel,
}

#[derive(Clone, Debug, Default)]
struct RuleEntry {
    level: Option<Level>,
    params: Vec<(&'static str, ParamValue)>,
}

/// A parsed, validated configuration. The default runs every rule that is
/// enabled by default at its default severity.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    rules: BTreeMap<&'static str, RuleEntry>,
    categories: BTreeMap<Category, Level>,
    exclude: Vec<String>,
    exclude_set: Option<GlobSet>,
    pub pod_security: PodSecurity,
    /// What `drydock check` checks when given no path, as written.
    targets: Vec<String>,
    /// The nodes `drydock check` schedules onto (files, directories or
    /// profiles, as for `--nodes`), as written.
    nodes: Vec<String>,
}

impl Config {
    /// Only these rules, each at its default severity (for tests and tools).
    pub fn only(ids: &[&str]) -> Config {
        let mut c = Config::default();
        for &cat in Category::ALL {
            c.categories.insert(cat, Level::Off);
        }
        for &id in ids {
            if let Some(rule) = super::find_rule(id) {
                c.rules.insert(
                    rule.id(),
                    RuleEntry {
                        level: Some(Level::On),
                        params: Vec::new(),
                    },
                );
            }
        }
        c
    }

    /// The severity and parameters a rule runs with; `None` if it is off.
    pub fn resolve(&self, rule: &dyn Rule) -> Option<(Severity, Params)> {
        let entry = self.rules.get(rule.id());
        let level = entry
            .and_then(|e| e.level)
            .or_else(|| self.categories.get(&rule.category()).copied())
            .unwrap_or(if rule.enabled_by_default() {
                Level::On
            } else {
                Level::Off
            });
        let severity = match level {
            Level::Off => return None,
            Level::On => rule.severity(),
            Level::Severity(s) => s,
        };
        let set = entry.map(|e| e.params.as_slice()).unwrap_or_default();
        Some((severity, Params::resolve(rule.params(), set)))
    }

    /// The configured targets, relative to the working directory.
    pub fn targets(&self) -> Vec<String> {
        self.targets.iter().map(|t| self.relative(t)).collect()
    }

    /// The configured nodes: paths relative to the working directory, and
    /// profiles (`3x4cpu16Gi`) as written.
    pub fn nodes(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| {
                if crate::schedule::nodes::looks_like_profile(n) {
                    n.clone()
                } else {
                    self.relative(n)
                }
            })
            .collect()
    }

    /// A path written in the file, as seen from the working directory.
    fn relative(&self, written: &str) -> String {
        let dir = match self.path.as_deref().and_then(Path::parent) {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => return written.to_owned(),
        };
        if Path::new(written).is_absolute() {
            return written.to_owned();
        }
        let joined = normalize(&dir.join(written));
        match (std::env::current_dir(), absolute(&joined)) {
            (Ok(cwd), Ok(abs)) => match abs.strip_prefix(normalize(&cwd)) {
                Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
                Ok(rel) => rel.display().to_string(),
                Err(_) => joined.display().to_string(),
            },
            _ => joined.display().to_string(),
        }
    }

    /// The exclude globs as written.
    pub fn exclude_patterns(&self) -> &[String] {
        &self.exclude
    }

    /// Whether objects from the file `name` (as drydock prints it) are not
    /// linted. Globs match that path, and the path relative to the directory
    /// holding `drydock.yaml`.
    pub fn is_excluded(&self, name: &str) -> bool {
        let Some(set) = &self.exclude_set else {
            return false;
        };
        let plain = name.strip_prefix("./").unwrap_or(name);
        if set.is_match(name) || set.is_match(plain) {
            return true;
        }
        let Some(root) = self.path.as_deref().and_then(Path::parent) else {
            return false;
        };
        let (Ok(cwd), Ok(root)) = (std::env::current_dir(), absolute(root)) else {
            return false;
        };
        let full = normalize(&cwd.join(name));
        full.strip_prefix(normalize(&root))
            .is_ok_and(|rel| set.is_match(rel))
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: name.clone(),
            text: String::new(),
            problems: vec![Problem::unlocated(format!("cannot read `{name}`: {e}"))],
        })?;
        let mut config = Config::parse(&name, &text)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses configuration text; `name` is used in messages.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let opts = LoadOptions {
            lints: false,
            ..LoadOptions::default()
        };
        let parsed = yaml::parse(FileId(0), text, &opts);
        let mut p = Parser {
            text,
            doc: None,
            problems: Vec::new(),
        };
        for d in &parsed.diagnostics {
            if let Location::Span { start, end, .. } = d.location {
                p.problems.push(Problem::at_span(
                    text,
                    (start, end),
                    d.message.clone(),
                    d.help.clone(),
                ));
            } else {
                p.problems.push(Problem::unlocated(d.message.clone()));
            }
        }
        let mut config = Config::default();
        if p.problems.is_empty() {
            match parsed.docs.as_slice() {
                [] => {}
                [doc] => {
                    p.doc = Some(doc.span);
                    p.config(&doc.value, &mut config);
                }
                [_, second, ..] => {
                    p.doc = Some(second.span);
                    p.error(
                        "",
                        Target::Value,
                        format!("{FILE_NAME} must hold a single YAML document"),
                        None,
                    );
                }
            }
        }
        if p.problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError {
                file: name.to_owned(),
                text: text.to_owned(),
                problems: p.problems,
            })
        }
    }
}

/// The configuration for a run: the file at `path` if given, otherwise the
/// first `drydock.yaml` found walking up from the working directory, and the
/// defaults when there is none.
pub fn discover(path: Option<&Path>) -> Result<Config, ConfigError> {
    if let Some(p) = path {
        return Config::load(p);
    }
    match std::env::current_dir() {
        Ok(cwd) => discover_from(&cwd),
        Err(_) => Ok(Config::default()),
    }
}

/// Like [`discover`], walking up from `dir`.
pub fn discover_from(dir: &Path) -> Result<Config, ConfigError> {
    for d in dir.ancestors() {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Config::load(&candidate);
        }
    }
    Ok(Config::default())
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(p))
    }
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Why a configuration cannot be used (exit status 2).
#[derive(Debug)]
pub struct ConfigError {
    /// The file as named to the user.
    pub file: String,
    text: String,
    pub problems: Vec<Problem>,
}

/// One problem in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: Option<String>,
    /// Byte range in the file.
    pub span: Option<(usize, usize)>,
    /// 1-based line and character column.
    pub line: usize,
    pub column: usize,
}

impl Problem {
    fn unlocated(message: String) -> Self {
        Problem {
            message,
            help: None,
            span: None,
            line: 0,
            column: 0,
        }
    }

    fn at_span(text: &str, span: (usize, usize), message: String, help: Option<String>) -> Self {
        let (line, column) = LineIndex::new(text).position(text, span.0);
        Problem {
            message,
            help,
            span: Some(span),
            line,
            column,
        }
    }
}

impl ConfigError {
    /// The problems as `config-invalid` diagnostics, with the configuration
    /// file as the only source, ready for `report::Report::new`.
    pub fn diagnostics(&self) -> (Sources, Vec<Diagnostic>) {
        let mut sources = Sources::default();
        let file = sources.add(SourceFile::new(self.file.clone(), self.text.clone()));
        let diags = self
            .problems
            .iter()
            .map(|p| {
                let mut d =
                    Diagnostic::new(&codes::CONFIG_INVALID, p.message.clone()).at(match p.span {
                        Some((start, end)) => Location::Span { file, start, end },
                        None => Location::File(file),
                    });
                d.help = p.help.clone();
                d
            })
            .collect();
        (sources, diags)
    }
}

impl fmt::Display for ConfigError {
    /// `drydock.yaml:3:5: unknown key ...`, one problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.span.is_some() {
                write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
            } else {
                write!(f, "{}: {}", self.file, p.message)?;
            }
            if let Some(h) = &p.help {
                write!(f, " ({h})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

struct Parser<'t> {
    text: &'t str,
    doc: Option<yaml::DocSpan>,
    problems: Vec<Problem>,
}

fn child(pointer: &str, key: &str) -> String {
    let mut p = pointer.to_owned();
    crate::pointer::push(&mut p, key);
    p
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    crate::suggest::closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

impl Parser<'_> {
    fn error(&mut self, pointer: &str, target: Target, message: String, help: Option<String>) {
        let located = self
            .doc
            .and_then(|doc| yaml::locate::locate(self.text, &doc, pointer, target));
        self.problems.push(match located {
            Some(l) => Problem::at_span(self.text, (l.start, l.end), message, help),
            None => Problem {
                help,
                ..Problem::unlocated(message)
            },
        });
    }

    fn map<'v>(&mut self, v: &'v Value, pointer: &str, what: &str) -> Option<&'v Map> {
        match v {
            Value::Map(m) => Some(m),
            // An empty section (`rules:`) is allowed.
            Value::Null => None,
            other => {
                self.error(
                    pointer,
                    Target::Value,
                    format!("{what} must be a mapping, not {}", other.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn config(&mut self, root: &Value, out: &mut Config) {
        let Some(top) = self.map(root, "", FILE_NAME) else {
            return;
        };
        for (key, v) in top.iter() {
            let p = child("", key);
            match key {
                "rules" => self.rules(v, &p, out),
                "categories" => self.categories(v, &p, out),
                "exclude" => self.exclude(v, &p, out),
                "pod-security" => self.pod_security(v, &p, out),
                "targets" => out.targets = self.strings(v, &p, "`targets`", "path"),
                "nodes" => out.nodes = self.strings(v, &p, "`nodes`", "node file or profile"),
                _ => self.error(
                    &p,
                    Target::Key,
                    format!("unknown key `{key}`"),
                    Some(
                        did_you_mean(key, TOP_LEVEL.iter().copied())
                            .unwrap_or_else(|| format!("the keys are {}", TOP_LEVEL.join(", "))),
                    ),
                ),
            }
        }
    }

    fn level(&mut self, v: &Value, pointer: &str) -> Option<Level> {
        let level = match v {
            Value::Bool(false) => Some(Level::Off),
            Value::Bool(true) => Some(Level::On),
            Value::String(s) => match s.as_str() {
                "off" => Some(Level::Off),
                "on" => Some(Level::On),
                "info" => Some(Level::Severity(Severity::Info)),
                "warning" => Some(Level::Severity(Severity::Warning)),
                "error" => Some(Level::Severity(Severity::Error)),
                _ => None,
            },
            _ => None,
        };
        if level.is_none() {
            let shown = match v {
                Value::String(s) => format!("`{s}`"),
                other => other.type_name().to_owned(),
            };
            let help = v
                .as_str()
                .and_then(|s| did_you_mean(s, ["off", "on", "info", "warning", "error"]))
                .unwrap_or_else(|| format!("use {LEVELS}"));
            self.error(
                pointer,
                Target::Value,
                format!("{shown} is not a level: expected {LEVELS}"),
                Some(help),
            );
        }
        level
    }

    fn rules(&mut self, v: &Value, pointer: &str, out: &mut Config) {
        let Some(map) = self.map(v, pointer, "`rules`") else {
            return;
        };
        for (id, v) in map.iter() {
            let p = child(pointer, id);
            let Some(rule) = super::find_rule(id) else {
                let help = did_you_mean(id, RULES.iter().map(|r| r.id()))
                    .unwrap_or_else(|| "`drydock rules` lists the rule ids".into());
                self.error(&p, Target::Key, format!("unknown rule `{id}`"), Some(help));
                continue;
            };
            let mut entry = RuleEntry::default();
            match v {
                Value::Map(m) => {
                    for (k, pv) in m.iter() {
                        let pp = child(&p, k);
                        if k == "severity" {
                            entry.level = self.level(pv, &pp);
                        } else if let Some(param) = rule.params().iter().find(|x| x.name == k) {
                            if let Some(value) = self.param(param, pv, &pp) {
                                entry.params.push((param.name, value));
                            }
                        } else {
                            self.unknown_param(rule, k, &pp);
                        }
                    }
                }
                other => entry.level = self.level(other, &p),
            }
            out.rules.insert(rule.id(), entry);
        }
    }

    fn unknown_param(&mut self, rule: &dyn Rule, key: &str, pointer: &str) {
        let names: Vec<&str> = std::iter::once("severity")
            .chain(rule.params().iter().map(|p| p.name))
            .collect();
        let help = did_you_mean(key, names.iter().copied()).unwrap_or_else(|| {
            if names.len() == 1 {
                format!(
                    "`{}` has no parameters; only `severity` can be set",
                    rule.id()
                )
            } else {
                format!("the keys are {}", names.join(", "))
            }
        });
        self.error(
            pointer,
            Target::Key,
            format!("unknown parameter `{key}` for rule `{}`", rule.id()),
            Some(help),
        );
    }

    fn param(&mut self, param: &Param, v: &Value, pointer: &str) -> Option<ParamValue> {
        let value = param.parse(v);
        if value.is_none() && param.kind() == "cidrs" && self.bad_cidr(param, v, pointer) {
            return None;
        }
        if value.is_none() {
            self.error(
                pointer,
                Target::Value,
                format!("`{}` must be {}", param.name, param.type_name()),
                Some(format!("the default is {}", param.default_text())),
            );
        }
        value
    }

    /// Reports the first entry of a CIDR list that is no CIDR, where it is;
    /// `false` when there is none to point at (the value has the wrong shape).
    fn bad_cidr(&mut self, param: &Param, v: &Value, pointer: &str) -> bool {
        let entries: Vec<(String, &str)> = match v {
            Value::String(s) => s.split(',').map(|t| (pointer.to_owned(), t)).collect(),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let mut p = pointer.to_owned();
                    crate::pointer::push_index(&mut p, i);
                    item.as_str().map(|t| (p, t))
                })
                .collect(),
            _ => return false,
        };
        let Some((p, text)) = entries
            .into_iter()
            .find(|(_, t)| super::params::Cidr::parse(t).is_none())
        else {
            return false;
        };
        self.error(
            &p,
            Target::Value,
            format!(
                "`{}` in `{}` is not a CIDR such as 10.96.0.0/12 or fd00::/108",
                text.trim(),
                param.name
            ),
            Some(format!("the default is {}", param.default_text())),
        );
        true
    }

    fn categories(&mut self, v: &Value, pointer: &str, out: &mut Config) {
        let Some(map) = self.map(v, pointer, "`categories`") else {
            return;
        };
        for (name, v) in map.iter() {
            let p = child(pointer, name);
            match Category::from_name(name) {
                Some(cat) => {
                    if let Some(level) = self.level(v, &p) {
                        out.categories.insert(cat, level);
                    }
                }
                None => {
                    let names = Category::ALL.iter().map(|c| c.as_str());
                    let help = did_you_mean(name, names).unwrap_or_else(|| {
                        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                        format!("the categories are {}", all.join(", "))
                    });
                    self.error(
                        &p,
                        Target::Key,
                        format!("unknown category `{name}`"),
                        Some(help),
                    );
                }
            }
        }
    }

    /// A list of strings (or one string); `what` names the key, `item` an entry.
    fn strings(&mut self, v: &Value, pointer: &str, what: &str, item: &str) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::String(s) => vec![s.to_string()],
            Value::Seq(items) => {
                let mut out = Vec::new();
                for (i, entry) in items.iter().enumerate() {
                    match entry.as_str() {
                        Some(s) => out.push(s.to_owned()),
                        None => {
                            let mut p = pointer.to_owned();
                            crate::pointer::push_index(&mut p, i);
                            self.error(
                                &p,
                                Target::Value,
                                format!("a {item} must be a string, not {}", entry.type_name()),
                                None,
                            );
                        }
                    }
                }
                out
            }
            other => {
                self.error(
                    pointer,
                    Target::Value,
                    format!(
                        "{what} must be a list of strings, not {}",
                        other.type_name()
                    ),
                    None,
                );
                Vec::new()
            }
        }
    }

    fn exclude(&mut self, v: &Value, pointer: &str, out: &mut Config) {
        let items: Vec<(String, &Value)> = match v {
            Value::Null => return,
            Value::String(_) => vec![(pointer.to_owned(), v)],
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut p = pointer.to_owned();
                    crate::pointer::push_index(&mut p, i);
                    (p, item)
                })
                .collect(),
            other => {
                self.error(
                    pointer,
                    Target::Value,
                    format!(
                        "`exclude` must be a list of globs, not {}",
                        other.type_name()
                    ),
                    None,
                );
                return;
            }
        };
        let mut builder = GlobSetBuilder::new();
        for (p, item) in items {
            let Some(pattern) = item.as_str() else {
                self.error(
                    &p,
                    Target::Value,
                    format!("a glob must be a string, not {}", item.type_name()),
                    None,
                );
                continue;
            };
            match Glob::new(pattern) {
                Ok(g) => {
                    builder.add(g);
                    out.exclude.push(pattern.to_owned());
                }
                Err(e) => self.error(
                    &p,
                    Target::Value,
                    format!("invalid glob `{pattern}`: {}", e.kind()),
                    None,
                ),
            }
        }
        if !out.exclude.is_empty() {
            match builder.build() {
                Ok(set) => out.exclude_set = Some(set),
                Err(e) => self.error(pointer, Target::Value, format!("invalid globs: {e}"), None),
            }
        }
    }

    fn pod_security(&mut self, v: &Value, pointer: &str, out: &mut Config) {
        let Some(map) = self.map(v, pointer, "`pod-security`") else {
            return;
        };
        for (key, v) in map.iter() {
            let p = child(pointer, key);
            match key {
                "default-level" => {
                    let level = match v.as_str() {
                        Some("privileged") => Some(PodSecurityLevel::Privileged),
                        Some("baseline") => Some(PodSecurityLevel::Baseline),
                        Some("restricted") => Some(PodSecurityLevel::Restricted),
                        _ => None,
                    };
                    match level {
                        Some(l) => out.pod_security.default_level = l,
                        None => {
                            let levels = ["privileged", "baseline", "restricted"];
                            let help = v
                                .as_str()
                                .and_then(|s| did_you_mean(s, levels))
                                .unwrap_or_else(|| "use privileged, baseline or restricted".into());
                            self.error(
                                &p,
                                Target::Value,
                                "`default-level` must be privileged, baseline or restricted".into(),
                                Some(help),
                            );
                        }
                    }
                }
                _ => self.error(
                    &p,
                    Target::Key,
                    format!("unknown key `{key}` in `pod-security`"),
                    Some(
                        did_you_mean(key, POD_SECURITY_KEYS.iter().copied()).unwrap_or_else(|| {
                            format!("the keys are {}", POD_SECURITY_KEYS.join(", "))
                        }),
                    ),
                ),
            }
        }
    }
}
