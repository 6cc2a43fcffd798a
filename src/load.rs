//! Loading: paths in, source files and resources out.
//!
//! Files are read, decoded and parsed in parallel; results are gathered in
//! input order, so the output is the same whatever the thread count.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, codes};
use crate::input::{self, Input, InputOptions, UsageError};
use crate::resource::{self, Resource};
use crate::source::{FileId, SourceFile, Sources};
use crate::yaml::{self, LoadOptions};

/// Everything loaded from the inputs.
pub struct Loaded {
    pub sources: Sources,
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
    /// A path could not be read (exit status 2).
    pub io_failed: bool,
}

struct FileResult {
    source: SourceFile,
    resources: Vec<Resource>,
    diagnostics: Vec<Diagnostic>,
    io_failed: bool,
}

/// Loads every input named by `paths`.
pub fn load(
    paths: &[String],
    inputs: &InputOptions,
    yaml: &LoadOptions,
) -> Result<Loaded, UsageError> {
    load_observed(paths, inputs, yaml, &crate::pipeline::Unobserved)
}

/// As [`load`], telling `observer` about files read and targets rendered.
pub fn load_observed(
    paths: &[String],
    inputs: &InputOptions,
    yaml: &LoadOptions,
    observer: &dyn crate::pipeline::Observer,
) -> Result<Loaded, UsageError> {
    let (found, mut diagnostics) = input::discover(paths, inputs)?;
    let mut io_failed = !diagnostics.is_empty();
    let (kustomizations, mut files): (Vec<Input>, Vec<Input>) = found
        .into_iter()
        .partition(|i| matches!(i, Input::Kustomization(_)));
    files.retain(|f| match f {
        Input::File(p) => inputs.is_changed(p),
        _ => true,
    });
    observer.step("load", Some(files.len()));
    let results: Vec<FileResult> = files
        .par_iter()
        .enumerate()
        .map(|(i, inp)| {
            let r = load_one(FileId(i as u32), inp, yaml);
            observer.done_one();
            r
        })
        .collect();
    let mut sources = Sources::default();
    let mut resources = Vec::new();
    for r in results {
        sources.add(r.source);
        resources.extend(r.resources);
        diagnostics.extend(r.diagnostics);
        io_failed |= r.io_failed;
    }
    // Targets render in parallel, each into a file table of its own; the tables
    // are merged in input order, so ids do not depend on the thread count and a
    // base shared by several targets is one file, its findings reported once.
    let dirs: Vec<&std::path::Path> = kustomizations
        .iter()
        .filter_map(|k| match k {
            Input::Kustomization(dir) => Some(dir.as_path()),
            _ => None,
        })
        .collect();
    observer.step("render", Some(dirs.len()));
    let rendered: Vec<_> = dirs
        .par_iter()
        .map(|dir| {
            let mut local = Sources::default();
            let result = render_target(dir, &mut local, inputs);
            observer.done_one();
            (local, result)
        })
        .collect();
    for (local, result) in rendered {
        let ids = sources.merge(local);
        let map = |f: FileId| ids[f.0 as usize];
        match result {
            Ok(rs) => resources.extend(rs.into_iter().map(|mut r| {
                r.map_files(map);
                r
            })),
            Err(mut d) => {
                d.map_files(map);
                diagnostics.push(*d);
            }
        }
    }
    Ok(Loaded {
        sources,
        resources,
        diagnostics,
        io_failed,
    })
}

fn load_one(id: FileId, inp: &Input, opts: &LoadOptions) -> FileResult {
    let name = inp.display();
    let bytes = match input::read(inp) {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::new(&codes::IO_ERROR, format!("cannot read `{name}`: {e}"))
                .at(Location::File(id));
            return FileResult {
                source: SourceFile::new(name, ""),
                resources: Vec::new(),
                diagnostics: vec![d],
                io_failed: true,
            };
        }
    };
    let (source, problem) = input::decode(id, name, bytes);
    if let Some(d) = problem {
        return FileResult {
            source,
            resources: Vec::new(),
            diagnostics: vec![d],
            io_failed: false,
        };
    }
    let parsed = load_text(id, &source.text, opts);
    FileResult {
        source,
        resources: parsed.0,
        diagnostics: parsed.1,
        io_failed: false,
    }
}

/// Renders a kustomization; its objects keep the source file and document
/// they came from, so findings point into the bases and overlays.
fn render_target(
    dir: &std::path::Path,
    sources: &mut Sources,
    inputs: &InputOptions,
) -> Result<Vec<Resource>, Box<Diagnostic>> {
    let built = crate::render::build(dir, &crate::render::BuildOptions::default(), sources)
        .map_err(|e| Box::new(e.diagnostic()))?;
    // With --changed-only, a kustomization none of whose files changed is left out.
    if inputs.changed.is_some() && !built.files.iter().any(|f| inputs.is_changed(f)) {
        return Ok(Vec::new());
    }
    // The kustomization file itself stands in for objects made by generators.
    let fallback = sources
        .iter()
        .find(|(_, f)| f.name.starts_with(&dir.display().to_string()))
        .map(|(id, _)| id);
    Ok(built
        .resources
        .into_iter()
        .filter_map(|r| {
            let origin = r.origin.or_else(|| {
                fallback.map(|file| crate::resource::Origin {
                    doc: crate::yaml::DocSpan {
                        file,
                        start: 0,
                        end: sources.get(file).text.len(),
                        line: 1,
                        dialect: crate::yaml::resolve::Dialect::Kubectl,
                    },
                    base: Default::default(),
                })
            })?;
            Some(Resource {
                target: fallback,
                value: r.value,
                origin,
                source: r.source.map(|object| {
                    std::sync::Arc::new(crate::resource::Written {
                        object,
                        patches: r.patches,
                    })
                }),
            })
        })
        .collect())
}

/// Parses decoded text into resources.
pub fn load_text(id: FileId, text: &str, opts: &LoadOptions) -> (Vec<Resource>, Vec<Diagnostic>) {
    let parsed = yaml::parse(id, text, opts);
    let mut diagnostics = parsed.diagnostics;
    if parsed.docs.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::new(&codes::EMPTY_FILE, "the file contains no YAML document")
                .help("delete the file, or exclude it with --exclude")
                .at(Location::File(id)),
        );
    }
    let resources = resource::from_documents(parsed.docs, &mut diagnostics);
    (resources, diagnostics)
}
