//! `drydock build`: render a kustomization exactly as `kubectl kustomize` does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Output, usage_error, write_stdout};
use crate::render::{self, BuildOptions, Reorder, Restrictor};
use crate::report::Report;
use crate::source::Sources;

pub(super) const EXAMPLES: &str = "\
Examples:
  drydock build overlays/prod > prod.yaml
  drydock build overlays/prod -o out/             one file per object
  diff <(drydock build overlays/prod) <(kubectl kustomize overlays/prod)";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReorderArg {
    /// kubectl's default: by kind (Namespaces first, webhooks last), then id.
    Legacy,
    /// The order resources were loaded in.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RestrictorArg {
    /// Files must be in or below the kustomization's directory.
    #[value(name = "rootOnly", alias = "LoadRestrictionsRootOnly")]
    RootOnly,
    /// Any file may be read.
    #[value(name = "none", alias = "LoadRestrictionsNone")]
    None,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The kustomization directory.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Write to this file, or to one file per object in this existing directory.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Output order [default: legacy, unless the kustomization's sortOptions says otherwise].
    #[arg(long, value_enum, value_name = "ORDER")]
    reorder: Option<ReorderArg>,
    /// Which files kustomizations may read.
    #[arg(long, value_enum, default_value_t = RestrictorArg::RootOnly, value_name = "RESTRICTOR")]
    load_restrictor: RestrictorArg,
}

pub(super) fn run(args: &BuildArgs, output: &Output) -> ExitCode {
    let opts = BuildOptions {
        reorder: args.reorder.map(|r| match r {
            ReorderArg::Legacy => Reorder::Legacy,
            ReorderArg::None => Reorder::None,
        }),
        restrictor: match args.load_restrictor {
            RestrictorArg::RootOnly => Restrictor::RootOnly,
            RestrictorArg::None => Restrictor::None,
        },
        path_display: None,
    };
    let mut sources = Sources::default();
    let built = render::build(&args.dir, &opts, &mut sources).and_then(|b| {
        let text = b.emit()?;
        Ok((b, text))
    });
    let (built, text) = match built {
        Ok(x) => x,
        Err(e) => {
            let report = Report::new(&sources, vec![e.diagnostic()], &[]);
            let mut buf = Vec::new();
            let _ = super::check::render_report(
                &mut buf,
                &report,
                output,
                output.color_stderr,
                crate::diagnostic::Severity::Error,
            );
            let _ = std::io::stderr().write_all(&buf);
            return ExitCode::from(1);
        }
    };
    for w in &built.warnings {
        eprintln!("{w}");
    }
    match &args.output {
        None => write_stdout(text.as_bytes()),
        Some(path) if path.is_dir() => {
            let namespaces: std::collections::BTreeSet<String> = built
                .resources
                .iter()
                .map(|r| r.cur_id())
                .filter(|id| !id.is_cluster_scoped())
                .map(|id| id.effective_namespace().to_owned())
                .collect();
            for r in &built.resources {
                let one = match render::emit::emit_document(&r.value) {
                    Ok(t) => t,
                    Err(e) => return usage_error(&e.0),
                };
                let name = file_name(r, namespaces.len() > 1);
                if let Err(e) = write_atomic(&path.join(&name), one.as_bytes()) {
                    return usage_error(&format!(
                        "cannot write {}: {e}",
                        path.join(name).display()
                    ));
                }
            }
        }
        Some(path) => {
            if let Err(e) = write_atomic(path, text.as_bytes()) {
                return usage_error(&format!("cannot write {}: {e}", path.display()));
            }
        }
    }
    ExitCode::SUCCESS
}

/// kustomize's file name for one object: `group_version_kind_name.yaml`,
/// lowercase, prefixed with the namespace when there are several.
fn file_name(r: &render::res::Res, several_namespaces: bool) -> String {
    let g = r.gvk();
    let parts: Vec<&str> = [g.group.as_str(), g.version.as_str(), g.kind.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let base = format!("{}_{}.yaml", parts.join("_"), r.name()).to_lowercase();
    let id = r.cur_id();
    if several_namespaces && !id.is_cluster_scoped() {
        format!("{}_{base}", id.effective_namespace().to_lowercase())
    } else {
        base
    }
}

/// Writes through a temporary file in the same directory, then renames.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.drydock-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
