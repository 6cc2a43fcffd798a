//! The command line. Exit status, for every command: 0 when nothing reaches
//! `--fail-on`, 1 when something does, 2 for usage, configuration or I/O errors.

mod build;
mod changed;
mod check;
mod completions;
mod progress;
mod rules;
pub mod schedule;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Keeps Kubernetes manifests shipshape before they ship: \
loads them the way kubectl does and reports every problem at its line.";

const EXAMPLES: &str = "\
Examples:
  drydock check overlays/prod             render a kustomization and check the result
  drydock check overlays/                 check every manifest under a directory
  drydock check deploy.yaml svc.yaml      check files
  drydock validate --kubernetes-version 1.25 manifests/
  drydock build overlays/prod             print what kubectl kustomize prints
  kubectl get deploy -o yaml | drydock check -
  drydock check --format json . | jq .summary";

#[derive(Parser, Debug)]
#[command(name = "drydock", version, about = ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output (`auto` honours NO_COLOR and colours only a terminal).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Worker threads [default: one per CPU]. Output is the same for any number.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames for people, with a summary line.
    Human,
    /// One JSON object (see the README for its fields).
    Json,
    /// SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// JUnit XML: a test suite per target, a test case per object.
    Junit,
    /// GitHub Actions workflow commands: annotations on the pull request's lines.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check manifests: load them as kubectl would and report every problem.
    #[command(after_help = check::EXAMPLES)]
    Check(check::CheckArgs),
    /// Validate objects against the Kubernetes API schemas and CRDs, offline.
    #[command(after_help = check::VALIDATE_EXAMPLES)]
    Validate(check::CheckArgs),
    /// Render a kustomization exactly as `kubectl kustomize` does.
    #[command(after_help = build::EXAMPLES)]
    Build(build::BuildArgs),
    /// List the lint rules, their categories and default severities.
    #[command(after_help = rules::RULES_EXAMPLES)]
    Rules(rules::RulesArgs),
    /// Print the documentation of a lint rule.
    #[command(after_help = rules::EXPLAIN_EXAMPLES)]
    Explain(rules::ExplainArgs),
    /// Dry-run scheduling of the workloads onto described nodes, with kube-scheduler's rules.
    #[command(after_help = schedule::EXAMPLES)]
    Schedule(schedule::ScheduleArgs),
    /// Print a shell completion script.
    #[command(after_help = completions::EXAMPLES)]
    Completions(completions::CompletionsArgs),
    /// Print a man page.
    #[command(after_help = completions::MAN_EXAMPLES)]
    Man(completions::ManArgs),
    /// Print drydock's version.
    Version,
}

/// How to write the report.
pub struct Output {
    pub format: Format,
    pub color: bool,
    /// Colour for reports written to stderr (`build` errors).
    pub color_stderr: bool,
    pub width: usize,
}

/// Runs drydock with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
}

fn run(cli: Cli) -> ExitCode {
    let stdout_tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_tty && !no_color,
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let stderr_tty = std::io::stderr().is_terminal();
    let color_stderr = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stderr_tty && !no_color,
    };
    let output = Output {
        format: cli.global.format,
        color,
        color_stderr,
        width,
    };
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = cli.global.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = match pool.build() {
        Ok(p) => p,
        Err(e) => return usage_error(&format!("cannot start worker threads: {e}")),
    };
    pool.install(|| match cli.command {
        Command::Check(args) => check::run(&args, &output, check::Stages::All),
        Command::Validate(args) => check::run(&args, &output, check::Stages::Validate),
        Command::Build(args) => build::run(&args, &output),
        Command::Rules(args) => rules::list(&args, &output),
        Command::Explain(args) => rules::explain(&args, &output),
        Command::Schedule(args) => schedule::run(&args, &output),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Version => version(&output),
    })
}

fn version(output: &Output) -> ExitCode {
    let v = env!("CARGO_PKG_VERSION");
    let text = match output.format {
        Format::Human => format!("drydock {v}\n"),
        _ => format!("{}\n", serde_json::json!({ "version": v })),
    };
    write_stdout(text.as_bytes());
    ExitCode::SUCCESS
}

/// Prints a usage, configuration or I/O error and returns exit status 2.
pub(crate) fn usage_error(message: &str) -> ExitCode {
    eprintln!("drydock: error: {message}");
    ExitCode::from(2)
}

/// Writes to stdout; a closed pipe (`drydock ... | head`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|_| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
