//! `drydock check`: the whole pipeline over files, directories or stdin.

use std::process::ExitCode;

use clap::Args;

use super::{FailOn, Format, Output, usage_error, write_stdout};
use crate::diagnostic::Severity;
use crate::input::InputOptions;
use crate::load;
use crate::pipeline::{Context, Pipeline};
use crate::report::{self, HumanOptions, Report};
use crate::schema;
use crate::validate::{CustomSchemas, KindPattern, Validate, stream};
use crate::yaml::LoadOptions;

pub(super) const EXAMPLES: &str = "\
Examples:
  drydock check overlays/
  drydock check --exclude '**/charts/**' --fail-on warning manifests/
  cat pod.yaml | drydock check --format json -
  drydock check --kubernetes-version 1.24 --crd crds/ manifests/";

pub(super) const VALIDATE_EXAMPLES: &str = "\
Examples:
  drydock validate manifests/
  drydock validate --kubernetes-version 1.25 --skip ConfigMap --reject v1/ReplicationController .
  drydock validate --crd crds/ --ignore-missing-schemas overlays/prod";

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check (directories are searched for *.yaml, *.yml
    /// and *.json); `-` reads stdin [default: the configuration's `targets`, else .].
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
    /// In directories, check only files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Lint configuration [default: the nearest drydock.yaml in the working directory or a parent].
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Check only what changed: files and the kustomizations that read them. Against
    /// REV's merge base with HEAD [default: the staged files under pre-commit, else origin/main].
    #[arg(long, value_name = "REV", num_args = 0..=1, default_missing_value = "")]
    changed_only: Option<String>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<std::path::PathBuf>,
    /// Record the current findings in FILE (for --baseline) and exit with status 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<std::path::PathBuf>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// Leave out findings below --fail-on, and the summary when nothing is left.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Also dry-run schedule the workloads onto these nodes (as for `drydock schedule`)
    /// and report pods that would stay Pending.
    #[arg(long, value_name = "NODES")]
    nodes: Vec<String>,
    /// With --nodes: kube-scheduler's percentageOfNodesToScore (0 adaptive, 100 every
    /// node), as for `drydock schedule`.
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    percentage_of_nodes_to_score: u32,
    #[command(flatten)]
    validate: ValidateArgs,
}

/// Which stages a command runs after loading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stages {
    /// `drydock validate`: schema validation only.
    Validate,
    /// `drydock check`: everything configured.
    All,
}

/// Schema validation options, shared by `check` and `validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Kubernetes version to validate against, 1.20 to 1.37 [default: the newest].
    #[arg(long, value_name = "VERSION")]
    kubernetes_version: Option<String>,
    /// Accept fields the API schema does not know (strict is the default, as kubectl's).
    #[arg(long)]
    no_strict: bool,
    /// Skip kinds that have no schema (custom resources without their CRD).
    #[arg(long)]
    ignore_missing_schemas: bool,
    /// Do not validate this kind: `Kind` or `apiVersion/Kind` (repeatable, or comma-separated).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    skip: Vec<String>,
    /// Report every object of this kind as an error: `Kind` or `apiVersion/Kind`.
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    reject: Vec<String>,
    /// CustomResourceDefinitions (files or directories) to validate custom resources with.
    #[arg(long, value_name = "PATH")]
    crd: Vec<String>,
}

impl ValidateArgs {
    /// The validation stage these options describe; errors are usage errors.
    fn stage(&self) -> Result<Validate, String> {
        let requested = self.kubernetes_version.as_deref().unwrap_or("latest");
        let selected = schema::select(requested)?;
        let patterns = |list: &[String]| -> Result<Vec<KindPattern>, String> {
            list.iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| KindPattern::parse(s))
                .collect()
        };
        Ok(Validate {
            version: selected.version,
            strict: !self.no_strict,
            ignore_missing_schemas: self.ignore_missing_schemas,
            skip: patterns(&self.skip)?,
            reject: patterns(&self.reject)?,
            crds: self.crds()?,
        })
    }

    /// Schemas from the `--crd` paths; anything wrong there is a usage error,
    /// since those files are not what is being checked.
    fn crds(&self) -> Result<CustomSchemas, String> {
        if self.crd.is_empty() {
            return Ok(CustomSchemas::default());
        }
        let loaded = load::load(&self.crd, &InputOptions::default(), &LoadOptions::default())
            .map_err(|e| e.0)?;
        let first_error = loaded
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| (d.location.file(), d.message.clone()));
        let (schemas, problems) = CustomSchemas::from_resources(&loaded.resources, !self.no_strict);
        let problem = first_error.or_else(|| {
            problems
                .first()
                .map(|d| (d.location.file(), d.message.clone()))
        });
        if let Some((file, message)) = problem {
            let name = file.map(|f| loaded.sources.get(f).name.clone());
            return Err(format!(
                "--crd {}: {message}",
                name.unwrap_or_else(|| self.crd.join(", "))
            ));
        }
        if schemas.is_empty() {
            return Err(format!(
                "--crd {}: no CustomResourceDefinition found",
                self.crd.join(", ")
            ));
        }
        Ok(schemas)
    }
}

pub(super) fn run(args: &CheckArgs, output: &Output, stages: Stages) -> ExitCode {
    let validate = match args.validate.stage() {
        Ok(v) => v,
        Err(e) => return usage_error(&e),
    };
    let lint_config = match stages {
        Stages::Validate => None,
        Stages::All => match crate::lint::config::discover(args.config.as_deref()) {
            Ok(c) => Some(c),
            Err(e) => return config_error(e, output),
        },
    };
    // With no path (or no --nodes), the configuration's targets (and nodes).
    let mut paths = args.paths.clone();
    let mut nodes = args.nodes.clone();
    if let Some(config) = &lint_config {
        if paths.is_empty() {
            paths = config.targets();
        }
        if nodes.is_empty() {
            nodes = config.nodes();
        }
    }
    if paths.is_empty() {
        paths.push(".".to_owned());
    }
    let changed = match &args.changed_only {
        None => None,
        Some(rev) => match super::changed::changed_files(rev) {
            Ok(set) => Some(set),
            Err(e) => return usage_error(&e),
        },
    };
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| report::read_baseline(&t))
        {
            Ok(set) => Some(set),
            Err(e) => return usage_error(&format!("--baseline {}: {e}", path.display())),
        },
    };
    let inputs = InputOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        changed,
        own_files: [&args.baseline, &args.write_baseline, &args.output]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
    };
    let progress = super::progress::Progress::start(
        !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    if stages == Stages::Validate {
        // Plain files are validated a batch at a time, keeping only findings.
        let needs = stream::Needs {
            text: output.format == Format::Human,
            objects: output.format == Format::Junit,
        };
        let options = LoadOptions::default();
        match stream::run(&paths, &inputs, &options, &validate, needs, &progress) {
            Err(e) => return usage_error(&e.0),
            Ok(Some(streamed)) => {
                progress.finish();
                let report = Report::from_resolved(
                    &streamed.sources,
                    streamed.resolved,
                    streamed.count,
                    streamed.list,
                    &streamed.secrets,
                );
                let status = finish(report, streamed.io_failed, args, output, baseline.as_ref());
                std::mem::forget(streamed.sources);
                return status;
            }
            Ok(None) => {}
        }
    }
    let loaded = match load::load_observed(&paths, &inputs, &LoadOptions::default(), &progress) {
        Ok(l) => l,
        Err(e) => return usage_error(&e.0),
    };
    let cx = Context {
        sources: &loaded.sources,
    };
    let mut pipeline = Pipeline::check();
    let version = validate.version;
    pipeline.push(Box::new(validate));
    let mut suppressed = None;
    if let Some(config) = lint_config {
        let lint = crate::lint::Lint::new(config, version);
        suppressed = Some(lint.suppressed_handle());
        pipeline.push(Box::new(lint));
    }
    if stages == Stages::All && !nodes.is_empty() {
        let version = args.validate.kubernetes_version.as_deref();
        match super::schedule::stage(
            &nodes,
            version,
            None,
            false,
            args.percentage_of_nodes_to_score,
        ) {
            Ok(stage) => pipeline.push(Box::new(stage)),
            Err(e) => return usage_error(&e),
        }
    }
    let out = pipeline.run_observed(loaded.resources, &cx, &progress);
    progress.finish();
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(out.diagnostics);
    let diagnostics = stream::without_repeats(diagnostics);
    let mut report = Report::new(&loaded.sources, diagnostics, &out.resources);
    report.summary.suppressed = suppressed
        .and_then(|s| s.lock().ok().map(|s| s.total))
        .unwrap_or(0);
    let status = finish(report, loaded.io_failed, args, output, baseline.as_ref());
    // The process ends here: freeing every object one by one would only add
    // to the run time.
    std::mem::forget(out.resources);
    std::mem::forget(loaded.sources);
    status
}

/// Writes the report (or the baseline) and returns the exit status.
fn finish(
    mut report: Report<'_>,
    io_failed: bool,
    args: &CheckArgs,
    output: &Output,
    baseline: Option<&std::collections::BTreeSet<String>>,
) -> ExitCode {
    if let Some(path) = &args.write_baseline {
        let text = report::write_baseline(&report);
        if let Err(e) = super::build::write_atomic(path, text.as_bytes()) {
            return usage_error(&format!("cannot write {}: {e}", path.display()));
        }
        eprintln!(
            "drydock: recorded {} findings in {}",
            report.diagnostics.len(),
            path.display()
        );
        return if io_failed {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    if let Some(known) = baseline {
        report.retain(|rep, r| !known.contains(&report::fingerprint(rep, r)));
    }
    let status = exit_status(&report, io_failed, args.fail_on);
    let fail_on = severity(args.fail_on);
    if args.quiet {
        report.retain(|_, r| r.diagnostic.severity >= fail_on);
    }
    let mut buf = Vec::new();
    let quiet_and_clean = args.quiet && report.diagnostics.is_empty();
    if !quiet_and_clean {
        if let Err(e) = render_report(&mut buf, &report, output, output.color, fail_on) {
            return usage_error(&format!("cannot write the report: {e}"));
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = super::build::write_atomic(path, &buf) {
                return usage_error(&format!("cannot write {}: {e}", path.display()));
            }
        }
        None => write_stdout(&buf),
    }
    // Freeing the findings one by one would only add to the run time.
    std::mem::forget(report);
    status
}

/// A configuration file with mistakes: its findings, with code frames, and
/// exit status 2.
fn config_error(e: crate::lint::config::ConfigError, output: &Output) -> ExitCode {
    let (sources, diagnostics) = e.diagnostics();
    let report = Report::new(&sources, diagnostics, &[]);
    let mut buf = Vec::new();
    if render_report(&mut buf, &report, output, output.color, Severity::Error).is_err() {
        return usage_error(&e.to_string());
    }
    write_stdout(&buf);
    ExitCode::from(2)
}

/// Renders a report in the chosen format; `fail_on` decides what JUnit counts
/// as a failure.
pub(super) fn render_report(
    buf: &mut Vec<u8>,
    report: &Report<'_>,
    output: &Output,
    color: bool,
    fail_on: Severity,
) -> std::io::Result<()> {
    match output.format {
        Format::Human => report::write_human(
            buf,
            report,
            HumanOptions {
                color,
                width: output.width,
            },
        ),
        Format::Json => report::write_json(buf, report),
        Format::Sarif => report::write_sarif(buf, report),
        Format::Junit => report::write_junit(buf, report, fail_on),
        Format::Github => report::write_github(buf, report),
    }
}
fn severity(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}

fn exit_status(report: &Report<'_>, io_failed: bool, fail_on: FailOn) -> ExitCode {
    let level = severity(fail_on);
    if io_failed {
        ExitCode::from(2)
    } else if report.summary.has_at_least(level) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
