//! `drydock schedule`: dry-run scheduling of the workloads onto described
//! nodes.

use std::process::ExitCode;

use clap::Args;

use super::{FailOn, Format, Output, usage_error, write_stdout};
use crate::diagnostic::Severity;
use crate::input::InputOptions;
use crate::load;
use crate::pipeline::{Context, Pipeline};
use crate::report::{self, HumanOptions, Report};
use crate::schedule::{self, ExplainTarget, Inventory, Options, Schedule, Version};
use crate::yaml::LoadOptions;

pub(super) const EXAMPLES: &str = "\
Examples:
  drydock schedule overlays/prod --nodes 3x4cpu16Gi,zones=a|b|c
  drydock schedule manifests/ --nodes 3x8cpu32Gi --nodes 1x4cpu16Gi,name=cp,taint=node-role.kubernetes.io/control-plane:NoSchedule
  kubectl get nodes -o yaml > nodes.yaml; drydock schedule manifests/ --nodes nodes.yaml --drain-check
  drydock schedule deploy.yaml --nodes nodes/ --explain web-0
  drydock schedule manifests/ --nodes nodes.yaml --html schedule.html --format json

Node profiles: [COUNTx]CPUcpuMEMORY[,option...] with pods=N, zones=a|b|c, label=k=v,
taint=key[=value]:Effect, name=PREFIX, storage=SIZE, gpu=RESOURCE:N, alloc=reserve:CPU/MEMORY.

Pods are queued by priority (DaemonSet pods first). As kube-scheduler does, a cycle stops
filtering once it has found enough feasible nodes (every node in clusters under 100 nodes,
see --percentage-of-nodes-to-score), examining the nodes zone by zone from where the last
cycle stopped; the nodes found are scored and a tie goes to the first node in the order the
nodes were given (kube-scheduler picks at random), so the same input always gives the same
placement.";

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// Files or directories with the workloads (kustomizations are rendered); `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<String>,
    /// The nodes: a file or directory of Node, NodePool or List objects (with any pods
    /// already running and cluster objects), or a profile such as 3x4cpu16Gi,zones=a|b|c.
    #[arg(long, value_name = "NODES", required = true)]
    nodes: Vec<String>,
    /// For every pod, or the named pod or workload: each node's filter verdict and scores.
    #[arg(long, value_name = "POD", num_args = 0..=1, default_missing_value = "")]
    explain: Option<String>,
    /// For each node: can its pods be rescheduled elsewhere when it is drained, and does
    /// every PodDisruptionBudget still hold?
    #[arg(long)]
    drain_check: bool,
    /// Also write a self-contained HTML page with each node's capacity and pods.
    #[arg(long, value_name = "FILE")]
    html: Option<String>,
    /// The kube-scheduler release whose rules and messages to use [default: 1.32].
    #[arg(long, value_name = "VERSION")]
    kubernetes_version: Option<String>,
    /// percentageOfNodesToScore: in clusters of 100 nodes or more, stop filtering once this
    /// percentage of the nodes (at least 100) is found feasible; 0 is kube-scheduler's
    /// adaptive default (50% less 1% per 125 nodes, at least 5%), 100 scores every node.
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    percentage_of_nodes_to_score: u32,
    /// Exit with status 1 when a finding is at least this severe (pending pods are errors,
    /// failed drains warnings).
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
}

/// The scheduling stage `--nodes` and `--kubernetes-version` describe;
/// problems are usage errors.
pub fn stage(
    nodes: &[String],
    kubernetes_version: Option<&str>,
    explain: Option<ExplainTarget>,
    drain_check: bool,
    percentage_of_nodes_to_score: u32,
) -> Result<Schedule, String> {
    let version = match kubernetes_version {
        Some(v) => Version::parse(v)?,
        None => Version::DEFAULT,
    };
    let inventory = Inventory::load(nodes)?;
    Ok(Schedule::new(
        inventory,
        Options {
            version,
            explain,
            drain_check,
            headroom: true,
            percentage_of_nodes_to_score,
        },
    ))
}

pub(super) fn run(args: &ScheduleArgs, output: &Output) -> ExitCode {
    let explain = args.explain.as_ref().map(|e| {
        if e.is_empty() {
            ExplainTarget::All
        } else {
            ExplainTarget::Named(e.clone())
        }
    });
    let stage = match stage(
        &args.nodes,
        args.kubernetes_version.as_deref(),
        explain,
        args.drain_check,
        args.percentage_of_nodes_to_score,
    ) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let slot = stage.result_slot();
    let loaded = match load::load(
        &args.paths,
        &InputOptions::default(),
        &LoadOptions::default(),
    ) {
        Ok(l) => l,
        Err(e) => return usage_error(&e.0),
    };
    let cx = Context {
        sources: &loaded.sources,
    };
    let mut pipeline = Pipeline::check();
    pipeline.push(Box::new(stage));
    let out = pipeline.run(loaded.resources, &cx);
    let Some(result) = slot.lock().ok().and_then(|mut s| s.take()) else {
        return usage_error("the scheduling stage did not run");
    };
    let schedule_codes = [
        crate::diagnostic::codes::POD_UNSCHEDULABLE.name,
        crate::diagnostic::codes::DRAIN_BLOCKED.name,
    ];
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(out.diagnostics);
    let report = Report::new(&loaded.sources, diagnostics, &out.resources);

    if let Some(path) = &args.html {
        let page = schedule::report::html(&result);
        if let Err(e) = super::build::write_atomic(std::path::Path::new(path), page.as_bytes()) {
            return usage_error(&format!("cannot write {path}: {e}"));
        }
    }
    let level = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let mut buf = Vec::new();
    let written = match output.format {
        Format::Human => {
            let input_problems = report
                .diagnostics
                .iter()
                .any(|d| !schedule_codes.contains(&d.diagnostic.code));
            let mut r = Ok(());
            if input_problems {
                let only_inputs = Report::new(
                    &loaded.sources,
                    report
                        .diagnostics
                        .iter()
                        .filter(|d| !schedule_codes.contains(&d.diagnostic.code))
                        .map(|d| d.diagnostic.clone())
                        .collect(),
                    &out.resources,
                );
                r = report::write_human(
                    &mut buf,
                    &only_inputs,
                    HumanOptions {
                        color: output.color,
                        width: output.width,
                    },
                );
                buf.push(b'\n');
            }
            buf.extend_from_slice(schedule::report::text(&result).as_bytes());
            r
        }
        Format::Json => {
            let mut json = Vec::new();
            report::write_json(&mut json, &report).and_then(|()| {
                let v: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(&json)
                        .map_err(|e| std::io::Error::other(e.to_string()))?;
                let with = WithSchedule {
                    report: &v,
                    schedule: schedule::report::json(&result),
                };
                serde_json::to_writer(&mut buf, &with)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                buf.push(b'\n');
                Ok(())
            })
        }
        Format::Sarif => report::write_sarif(&mut buf, &report),
        Format::Junit => report::write_junit(&mut buf, &report, level),
        Format::Github => report::write_github(&mut buf, &report),
    };
    if let Err(e) = written {
        return usage_error(&format!("cannot write the report: {e}"));
    }
    write_stdout(&buf);
    // The simulated cluster holds every pod: the process exit frees it
    // faster than dropping it piece by piece.
    std::mem::forget(result);
    if loaded.io_failed {
        ExitCode::from(2)
    } else if report.summary.has_at_least(level) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The JSON report with the `schedule` section after the report's own.
struct WithSchedule<'a> {
    report: &'a serde_json::Map<String, serde_json::Value>,
    schedule: schedule::report::Json<'a>,
}

impl serde::Serialize for WithSchedule<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.report.len() + 1))?;
        for (k, v) in self.report {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("schedule", &self.schedule)?;
        map.end()
    }
}
