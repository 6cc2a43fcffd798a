//! The lint stage: policy rules judged over the whole rendered set at once.
//!
//! Every rule sees every object of the run through an [`Index`] (by kind,
//! namespace, identity and labels), so a rule about one object can look at
//! the others (a LimitRange in its namespace, the Service selecting it).
//! Rules are unit structs registered in [`rules::RULES`]; each implements
//! [`Rule`], whose default methods descend object → pod spec → container,
//! so a rule overrides only the level it is about. Findings are ordinary
//! [`Diagnostic`]s whose code is the rule id and whose location is the JSON
//! pointer of the field concerned.
//!
//! What runs is decided by a [`Config`] (`drydock.yaml`): rules and categories
//! switched on or off, severities overridden, files excluded, parameters set.
//! An object can exempt itself with the annotation
//! `drydock.dev/ignore: "rule-a,rule-b # reason"` (`*` or `all` for every
//! rule); what is suppressed is counted in [`Suppressed`].
//!
//! Rule messages must never quote the values of a Secret.

pub mod config;
pub mod index;
pub mod params;
pub mod pod;
pub mod rbac;
pub mod rules;
pub mod schema;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic, Location, Severity, Target};
use crate::pipeline::{Context, Stage, StageOutput};
use crate::resource::Resource;
use crate::schema::Version;

pub use config::Config;
pub use index::{Index, LabelSelector};
pub use params::{Param, ParamDefault, ParamValue, Params};
pub use pod::{Container, PodSpec, Role};

/// The annotation that exempts an object from rules.
pub const IGNORE_ANNOTATION: &str = "drydock.dev/ignore";

/// Codes the lint engine itself reports (rules report under their own ids).
pub mod codes {
    use crate::diagnostic::{Code, Severity::*};

    pub const UNKNOWN_RULE: Code = Code {
        name: "lint-unknown-rule",
        severity: Warning,
        summary: "a drydock.dev/ignore annotation names a rule that does not exist",
    };
    pub const CONFIG_INVALID: Code = Code {
        name: "config-invalid",
        severity: Error,
        summary: "drydock.yaml has an unknown key or an invalid value",
    };

    /// Both engine codes.
    pub const ALL: &[&Code] = &[&UNKNOWN_RULE, &CONFIG_INVALID];
}

/// What a rule is about; users switch whole categories on and off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Security,
    Resources,
    Reliability,
    Images,
    References,
    Networking,
    Rbac,
    PodSecurity,
    PodSecurityPolicy,
    LimitRange,
    ResourceQuota,
    Api,
    Metadata,
}

impl Category {
    pub const ALL: &[Category] = &[
        Category::Security,
        Category::Resources,
        Category::Reliability,
        Category::Images,
        Category::References,
        Category::Networking,
        Category::Rbac,
        Category::PodSecurity,
        Category::PodSecurityPolicy,
        Category::LimitRange,
        Category::ResourceQuota,
        Category::Api,
        Category::Metadata,
    ];

    /// The name users write in `drydock.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Resources => "resources",
            Category::Reliability => "reliability",
            Category::Images => "images",
            Category::References => "references",
            Category::Networking => "networking",
            Category::Rbac => "rbac",
            Category::PodSecurity => "pod-security",
            Category::PodSecurityPolicy => "pod-security-policy",
            Category::LimitRange => "limit-range",
            Category::ResourceQuota => "resource-quota",
            Category::Api => "api",
            Category::Metadata => "metadata",
        }
    }

    /// The directory under `src/lint/rules/` that holds the category's rules.
    pub fn module(self) -> String {
        self.as_str().replace('-', "_")
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation, implemented by `declare_rule!`.
pub trait RuleMeta {
    /// The code findings are reported under: id, severity when enabled, summary.
    fn code(&self) -> &'static Code;
    fn category(&self) -> Category;
    /// The doc comment, one source line per line (see [`doc_text`]).
    fn doc(&self) -> &'static str;
    /// Parameters users may set in `drydock.yaml`.
    fn params(&self) -> &'static [Param];
    /// Opt-in rules run only when the configuration enables them.
    fn enabled_by_default(&self) -> bool;
    /// The Kubernetes release the rule's examples and fixtures are written
    /// for, when not the newest bundled one (the kinds it is about may be
    /// served only by older releases).
    fn examples_version(&self) -> Option<&'static str> {
        None
    }

    /// The stable kebab-case id.
    fn id(&self) -> &'static str {
        self.code().name
    }

    /// The severity when enabled without an override.
    fn severity(&self) -> Severity {
        self.code().severity
    }

    /// The first line of the documentation.
    fn summary(&self) -> &'static str {
        self.code().summary
    }
}

/// A lint rule. Override the level the rule is about; the defaults descend
/// from the object to its pod spec (for every kind that has one) and from
/// the pod spec to each container, init and ephemeral ones included.
pub trait Rule: RuleMeta + Sync {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        for c in pod.containers() {
            self.check_container(cx, pod, &c);
        }
    }

    fn check_container(&self, _cx: &mut Cx<'_>, _pod: &PodSpec<'_>, _container: &Container<'_>) {}
}

/// Declares a rule: the unit struct, its documentation (the doc comment,
/// whose first line is the summary) and its [`RuleMeta`].
///
/// ```ignore
/// declare_rule! {
///     /// Containers should set a memory limit.
///     ///
///     /// ## What it checks ...
///     pub struct MemoryLimit {
///         id: "memory-limit",
///         category: Resources,
///         severity: Warning,
///         // Optional: `enabled: false,` for opt-in rules,
///         // `params: [Param::quantity("name", "1Mi", "help")],`,
///         // `examples_version: "1.24",` for kinds newer releases dropped.
///     }
/// }
/// ```
macro_rules! declare_rule {
    (
        #[doc = $summary:literal]
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            category: $category:ident,
            severity: $severity:ident,
            $(enabled: $enabled:literal,)?
            $(params: [$($param:expr),* $(,)?],)?
            $(examples_version: $examples_version:literal,)?
        }
    ) => {
        #[doc = $summary]
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            pub const CODE: $crate::diagnostic::Code = $crate::diagnostic::Code {
                name: $id,
                severity: $crate::diagnostic::Severity::$severity,
                summary: $crate::lint::doc_line($summary),
            };
            const DOC: &'static str = concat!($summary, "\n", $($doc, "\n",)*);
            const PARAMS: &'static [$crate::lint::Param] = &[$($($param),*)?];
            const ENABLED: bool = true $(&& $enabled)?;
            const EXAMPLES_VERSION: Option<&'static str> =
                $crate::lint::optional_literal!($($examples_version)?);
        }

        impl $crate::lint::RuleMeta for $name {
            fn code(&self) -> &'static $crate::diagnostic::Code {
                &Self::CODE
            }
            fn category(&self) -> $crate::lint::Category {
                $crate::lint::Category::$category
            }
            fn doc(&self) -> &'static str {
                Self::DOC
            }
            fn params(&self) -> &'static [$crate::lint::Param] {
                Self::PARAMS
            }
            fn enabled_by_default(&self) -> bool {
                Self::ENABLED
            }
            fn examples_version(&self) -> Option<&'static str> {
                Self::EXAMPLES_VERSION
            }
        }
    };
}

pub(crate) use declare_rule;

/// `Some(literal)`, or `None` without one: an optional field of `declare_rule!`.
macro_rules! optional_literal {
    () => {
        None
    };
    ($value:literal) => {
        Some($value)
    };
}

pub(crate) use optional_literal;

/// A doc-comment line without the space `///` leaves in front of it.
pub const fn doc_line(line: &'static str) -> &'static str {
    line.trim_ascii()
}

/// A rule's documentation as text: the doc comment without the leading
/// space of each line.
pub fn doc_text(rule: &dyn Rule) -> String {
    let mut out = String::new();
    for line in rule.doc().lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    rules::RULES.iter().copied().find(|r| r.id() == id)
}

/// Everything a rule sees while it checks one object, and where its findings go.
pub struct Cx<'a> {
    /// The object being checked.
    pub object: &'a Resource,
    /// Every object of the run.
    pub index: &'a Index<'a>,
    /// The rule's parameters, defaults filled in.
    pub params: &'a Params,
    /// The target Kubernetes version.
    pub version: Version,
    /// The whole configuration (for settings shared by several rules).
    pub config: &'a Config,
    /// The object's pod spec, found once for all rules.
    pod: Option<PodSpec<'a>>,
    code: &'static Code,
    severity: Severity,
    findings: Vec<Diagnostic>,
}

impl<'a> Cx<'a> {
    /// Reports a finding about the field at `pointer` (relative to the object).
    /// Use [`Target::Key`] with the pointer of the parent of something missing,
    /// [`Target::Value`] with the pointer of a bad value.
    pub fn report(
        &mut self,
        pointer: &str,
        target: Target,
        message: impl Into<String>,
    ) -> Finding<'_> {
        let d = self
            .object
            .diagnostic(self.code, message, pointer, target)
            .severity(self.severity);
        self.findings.push(d);
        let last = self.findings.len() - 1;
        Finding(&mut self.findings[last])
    }

    /// The object's pod spec, if its kind has one (see [`PodSpec::of`]).
    pub fn pod(&self) -> Option<PodSpec<'a>> {
        self.pod
    }

    /// The namespace the object lands in (`None` for cluster-scoped kinds).
    pub fn namespace(&self) -> Option<&'a str> {
        self.index.namespace_of(self.object)
    }

    /// What the LimitRanges of the object's namespace fill into containers.
    pub fn container_defaults(&self) -> &'a pod::ContainerDefaults<'a> {
        self.index.container_defaults(self.namespace())
    }

    /// The severity the rule runs at (its default or the configured one).
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// A finding just reported; add a help line or a related location.
pub struct Finding<'c>(&'c mut Diagnostic);

impl Finding<'_> {
    /// Overrides the severity of this one finding (a rule whose findings
    /// differ in weight, such as enforced versus warned policies).
    pub fn severity(self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }

    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// A second location, e.g. the object that makes this one wrong.
    pub fn related(self, location: Location, message: impl Into<String>) -> Self {
        self.0.related.push(crate::diagnostic::Related {
            location,
            message: message.into(),
        });
        self
    }
}

/// Findings suppressed by `drydock.dev/ignore` annotations in the last run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    pub total: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
}

/// The lint stage.
pub struct Lint {
    config: Config,
    version: Version,
    suppressed: Arc<Mutex<Suppressed>>,
    timing: bool,
}

/// What one lint run produced.
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Suppressed,
    /// Where the time went, when [`Lint::with_timing`] asked for it.
    pub timings: Option<Timings>,
}

/// The wall time of one lint run, part by part.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Building the [`Index`] (LimitRange defaults included).
    pub index: Duration,
    /// Each active rule over every object, in registry order.
    pub rules: Vec<(&'static str, Duration)>,
}

/// A rule that runs, with its resolved severity and parameters.
struct Active {
    rule: &'static dyn Rule,
    severity: Severity,
    params: Params,
}

impl Lint {
    pub fn new(config: Config, version: Version) -> Self {
        Lint {
            config,
            version,
            suppressed: Arc::default(),
            timing: false,
        }
    }

    /// Measures the index and each rule (reported in [`LintOutput::timings`]).
    /// Rules then run one after the other, each over all objects in
    /// parallel, so that each one's wall time is its own; the findings are
    /// the same.
    pub fn with_timing(mut self, on: bool) -> Self {
        self.timing = on;
        self
    }

    /// A handle on the suppression counts, readable after the pipeline ran.
    pub fn suppressed_handle(&self) -> Arc<Mutex<Suppressed>> {
        Arc::clone(&self.suppressed)
    }

    /// Runs every enabled rule over `resources`.
    pub fn lint(&self, resources: &[Resource], cx: &Context<'_>) -> LintOutput {
        self.lint_with(rules::RULES, resources, cx)
    }

    fn lint_with(
        &self,
        registry: &[&'static dyn Rule],
        resources: &[Resource],
        cx: &Context<'_>,
    ) -> LintOutput {
        let active: Vec<Active> = registry
            .iter()
            .filter_map(|&rule| {
                let (severity, params) = self.config.resolve(rule)?;
                Some(Active {
                    rule,
                    severity,
                    params,
                })
            })
            .collect();
        let started = Instant::now();
        let index = Index::new(resources);
        let mut timings = self.timing.then(|| Timings {
            index: started.elapsed(),
            rules: Vec::new(),
        });
        let mut diagnostics = Vec::new();
        let linted: Vec<usize> = (0..resources.len())
            .filter(|&i| {
                let file = resources[i].origin.doc.file;
                !self.config.is_excluded(&cx.sources.get(file).name)
            })
            .collect();
        // Objects in excluded files are not linted, their annotations included.
        let mut exemptions: Vec<Exemption> =
            resources.iter().map(|_| Exemption::default()).collect();
        for &i in &linted {
            exemptions[i] = Exemption::of(&resources[i], &mut diagnostics);
        }
        let run = |a: &Active, o: usize, pod: Option<PodSpec<'_>>| {
            let mut rcx = Cx {
                object: &resources[o],
                pod,
                index: &index,
                params: &a.params,
                version: self.version,
                config: &self.config,
                code: a.rule.code(),
                severity: a.severity,
                findings: Vec::new(),
            };
            a.rule.check_object(&mut rcx);
            (o, rcx.findings)
        };
        // The final sort is by location, code and message, and ties can only
        // be findings of one rule about one object, whose order both
        // branches keep: the output does not depend on the branch.
        let found: Vec<(usize, Vec<Diagnostic>)> = match &mut timings {
            None => linted
                .par_iter()
                .filter_map(|&o| {
                    // Every rule on one object: only objects with findings
                    // leave an entry behind.
                    let mut all = Vec::new();
                    let pod = PodSpec::of(&resources[o]);
                    for a in &active {
                        all.extend(run(a, o, pod).1);
                    }
                    (!all.is_empty()).then_some((o, all))
                })
                .collect(),
            Some(t) => {
                let mut found = Vec::new();
                for a in &active {
                    let started = Instant::now();
                    let part: Vec<_> = linted
                        .par_iter()
                        .map(|&o| run(a, o, PodSpec::of(&resources[o])))
                        .collect();
                    t.rules.push((a.rule.id(), started.elapsed()));
                    found.extend(part);
                }
                found
            }
        };
        let mut suppressed = Suppressed::default();
        for (o, findings) in found {
            for d in findings {
                if exemptions[o].covers(d.code) {
                    suppressed.total += 1;
                    *suppressed.by_rule.entry(d.code).or_default() += 1;
                } else {
                    diagnostics.push(d);
                }
            }
        }
        diagnostics.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        LintOutput {
            diagnostics,
            suppressed,
            timings,
        }
    }
}

/// Source order as far as it is known without resolving spans, then code and
/// message: the same for any thread count.
fn sort_key(d: &Diagnostic) -> (Option<(crate::source::FileId, usize)>, &str, &str, &str) {
    let (doc, pointer) = match &d.location {
        Location::Pointer { doc, pointer, .. } => (Some((doc.file, doc.start)), pointer.as_str()),
        _ => (None, ""),
    };
    (doc, pointer, d.code, &d.message)
}

impl Stage for Lint {
    fn name(&self) -> &'static str {
        "lint"
    }

    fn run(&self, resources: Vec<Resource>, cx: &Context<'_>) -> StageOutput {
        let out = self.lint(&resources, cx);
        if let Ok(mut s) = self.suppressed.lock() {
            *s = out.suppressed;
        }
        StageOutput {
            resources,
            diagnostics: out.diagnostics,
        }
    }
}

/// The rules an object exempts itself from.
#[derive(Debug, Default)]
struct Exemption {
    all: bool,
    rules: Vec<&'static str>,
}

impl Exemption {
    /// Reads the annotation; names that are not rules are reported.
    fn of(r: &Resource, diags: &mut Vec<Diagnostic>) -> Exemption {
        let Some(text) = r
            .value
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(IGNORE_ANNOTATION))
            .and_then(|v| v.as_str())
        else {
            return Exemption::default();
        };
        let (list, _reason) = parse_ignore(text);
        let mut out = Exemption::default();
        for name in list {
            if name == "*" || name.eq_ignore_ascii_case("all") {
                out.all = true;
            } else if let Some(rule) = find_rule(name) {
                out.rules.push(rule.id());
            } else {
                let mut pointer = String::from("/metadata/annotations");
                crate::pointer::push(&mut pointer, IGNORE_ANNOTATION);
                let mut d = r.diagnostic(
                    &codes::UNKNOWN_RULE,
                    format!("`{name}` in {IGNORE_ANNOTATION} is not a drydock rule"),
                    &pointer,
                    Target::Value,
                );
                let ids = rules::RULES.iter().map(|r| r.id());
                d = match crate::suggest::closest(name, ids) {
                    Some(id) => d.help(format!("did you mean `{id}`?")),
                    None => d.help("`drydock rules` lists the rule ids"),
                };
                diags.push(d);
            }
        }
        out
    }

    fn covers(&self, code: &str) -> bool {
        self.all || self.rules.contains(&code)
    }
}

/// Splits `"rule-a, rule-b # reason"` into the rule names and the reason.
pub fn parse_ignore(text: &str) -> (Vec<&str>, Option<&str>) {
    let (list, reason) = match text.split_once('#') {
        Some((l, r)) => (l, Some(r.trim()).filter(|r| !r.is_empty())),
        None => (text, None),
    };
    let names = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    (names, reason)
}
