//! Rendering kustomizations the way `kubectl kustomize` (kustomize v5.5.0) does.
//!
//! [`build`] loads a kustomization directory, accumulates its resources and
//! those of its bases and components ([`target`]), runs generators and
//! transformers in kustomize's order, then the root-only steps: hash
//! suffixes, name references, vars, dropping local configuration, sorting.
//! [`emit`] prints the result byte for byte as kubectl does.

pub mod build_metadata;
pub mod crds;
pub mod emit;
pub mod fieldspec;
pub mod generators;
pub mod hash;
pub mod kustomization;
pub mod loader;
pub mod patch;
pub mod patches;
pub mod plugins;
pub mod replacements;
pub mod res;
pub mod resid;
pub mod resmap;
pub mod selector;
pub mod target;
pub mod transformers;
pub mod vars;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Location, codes};
use crate::source::Sources;

pub use loader::Restrictor;
use res::Res;
use target::{Accumulator, Builder};
use transformers::{hash_suffix, name_reference, sort};

/// `--reorder`: kubectl's legacy kind-based order, or load order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reorder {
    #[default]
    Legacy,
    None,
}

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `None` means the default (legacy) unless the root's `sortOptions` says otherwise.
    pub reorder: Option<Reorder>,
    pub restrictor: Restrictor,
    /// Shows absolute paths under the first path as if under the second (for
    /// comparing messages with builds made on a virtual file system).
    pub path_display: Option<(PathBuf, PathBuf)>,
}

/// A build failure, with kustomize's message and where it was caused.
#[derive(Clone, Debug)]
pub struct RenderError {
    pub code: &'static Code,
    pub message: String,
    pub location: Location,
}

impl RenderError {
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::new(self.code, self.message.clone()).at(self.location.clone())
    }
}

/// The result of a build.
pub struct Built {
    pub resources: Vec<Res>,
    /// kustomize's `# Warning: ...` lines for deprecated fields.
    pub warnings: Vec<String>,
    /// Every file the build read, by absolute path.
    pub files: Vec<std::path::PathBuf>,
}

impl Built {
    /// The objects as kubectl would print them.
    pub fn emit(&self) -> Result<String, RenderError> {
        emit::emit_stream(self.resources.iter().map(|r| &r.value)).map_err(|e| RenderError {
            code: &codes::RENDER_ERROR,
            message: e.0,
            location: Location::None,
        })
    }
}

/// Builds the kustomization in `dir`.
pub fn build(dir: &Path, opts: &BuildOptions, sources: &mut Sources) -> Result<Built, RenderError> {
    let root = loader::Root::new(dir).map_err(|e| RenderError {
        code: &codes::KUSTOMIZATION_NOT_FOUND,
        message: format!(
            "must build at directory: not a valid directory: {}: {e}",
            dir.display()
        ),
        location: Location::None,
    })?;
    let mut b = Builder::new(sources, opts.clone());
    let mut kt = b.load_kustomization(&root)?;
    // Provenance is tracked whenever the root asks for any build metadata.
    if !kt.kust.build_metadata.is_empty() {
        kt.origin = Some(String::new());
    }
    b.set_schema(&kt, true)?;
    let mut ra = b.accumulate_target(&kt, Accumulator::new())?;
    let at = |ptr: &str| kt.at(ptr);
    hash_suffix::apply(&mut ra.resmap);
    name_reference::apply(&mut ra.resmap, &ra.config.name_reference).map_err(|e| RenderError {
        code: &codes::RENDER_ERROR,
        message: e,
        location: Location::None,
    })?;
    vars::resolve(&mut ra.resmap, &ra.vars, &ra.config.var_reference).map_err(|e| RenderError {
        code: &codes::RENDER_ERROR,
        message: e,
        location: at("/vars"),
    })?;
    ra.resmap.retain(|r| !r.is_local_config());
    let mut list = ra.resmap.into_vec();

    let sort_options = kt.kust.sort_options.as_ref();
    let order = match sort_options {
        Some(s) => match s.order.as_str() {
            "fifo" if s.legacy_sort_options.is_some() => {
                return Err(RenderError {
                    code: &codes::KUSTOMIZATION_INVALID,
                    message: "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".to_owned(),
                    location: at("/sortOptions/legacySortOptions"),
                });
            }
            "fifo" => Reorder::None,
            "legacy" => Reorder::Legacy,
            _ => {
                return Err(RenderError {
                    code: &codes::KUSTOMIZATION_INVALID,
                    message: "the field 'sortOptions.order' must be one of [fifo, legacy]"
                        .to_owned(),
                    location: at("/sortOptions"),
                });
            }
        },
        None => opts.reorder.unwrap_or_default(),
    };
    if sort_options.is_some() && opts.reorder.is_some() {
        b.warnings.push(
            "Warning: Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a CLI flag ('--reorder'). Using the kustomization file over the CLI flag."
                .to_owned(),
        );
    }
    if order == Reorder::Legacy {
        let legacy = sort_options.and_then(|s| s.legacy_sort_options.as_ref());
        let (first, last) = match legacy {
            Some(l) => (l.order_first.clone(), l.order_last.clone()),
            None => (
                sort::ORDER_FIRST.iter().map(|s| (*s).to_owned()).collect(),
                sort::ORDER_LAST.iter().map(|s| (*s).to_owned()).collect(),
            ),
        };
        list = sort::legacy(list, &first, &last);
    }
    build_metadata::finish(&mut list, &kt.kust.build_metadata);
    Ok(Built {
        resources: list,
        warnings: std::mem::take(&mut b.warnings),
        files: b.files_read(),
    })
}
