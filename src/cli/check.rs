//! `drydock check`: the whole pipeline over files, directories or stdin.

use std::process::ExitCode;

use clap::Args;

use super::{FailOn, Format, Output, usage_error, write_stdout};
use crate::diagnostic::Severity;
use crate::input::InputOptions;
use crate::load;
use crate::pipeline::{Context, Pipeline};
use crate::report::{self, HumanOptions, Report};
use crate::yaml::LoadOptions;

pub(super) const EXAMPLES: &str = "\
Examples:
  drydock check overlays/
  drydock check --exclude '**/charts/**' --fail-on warning manifests/
  cat pod.yaml | drydock check --format json -";

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check (directories are searched for *.yaml, *.yml
    /// and *.json); `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
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
}

pub(super) fn run(args: &CheckArgs, output: &Output) -> ExitCode {
    let inputs = InputOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    };
    let loaded = match load::load(&args.paths, &inputs, &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => return usage_error(&e.0),
    };
    let cx = Context {
        sources: &loaded.sources,
    };
    let out = Pipeline::check().run(loaded.resources, &cx);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(out.diagnostics);
    let report = Report::new(&loaded.sources, diagnostics, &out.resources);

    let mut buf = Vec::new();
    let written = match output.format {
        Format::Human => report::write_human(
            &mut buf,
            &report,
            HumanOptions {
                color: output.color,
                width: output.width,
            },
        ),
        Format::Json => report::write_json(&mut buf, &report),
    };
    if let Err(e) = written {
        return usage_error(&format!("cannot write the report: {e}"));
    }
    write_stdout(&buf);
    let status = exit_status(&report, loaded.io_failed, args.fail_on);
    // The process ends here: freeing every object one by one would only add
    // to the run time.
    std::mem::forget(report);
    std::mem::forget(out.resources);
    std::mem::forget(loaded.sources);
    status
}

fn exit_status(report: &Report<'_>, io_failed: bool, fail_on: FailOn) -> ExitCode {
    let level = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    if io_failed {
        ExitCode::from(2)
    } else if report.summary.has_at_least(level) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
