//! Reports: diagnostics get their spans here, at the last moment, and are
//! written in one of the output formats. Only this module knows the formats.

mod baseline;
mod github;
mod human;
mod json;
mod junit;
mod redact;
mod sarif;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rayon::prelude::*;

pub use baseline::{read_baseline, write_baseline};
pub use github::write_github;
pub use human::{HumanOptions, write_human};
pub use json::write_json;
pub use junit::write_junit;
pub use sarif::{code_info, fingerprint, write_sarif};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::resource::Resource;
use crate::source::{FileId, Sources};
use crate::yaml::locate;

/// A 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A diagnostic with its location resolved to bytes, lines and columns.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub diagnostic: Diagnostic,
    pub file: Option<FileId>,
    /// Byte range in the file.
    pub span: Option<(usize, usize)>,
    pub start: Option<Position>,
    /// Exclusive end (the position just after the span).
    pub end: Option<Position>,
    /// Secondary spans with their messages.
    pub related: Vec<((usize, usize), String)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Lint findings left out by `drydock.dev/ignore` annotations.
    pub suppressed: usize,
}

impl Summary {
    /// Whether anything is at or above `level`.
    pub fn has_at_least(&self, level: Severity) -> bool {
        match level {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Info => self.errors + self.warnings + self.infos > 0,
        }
    }
}

/// Everything a formatter needs.
pub struct Report<'a> {
    pub sources: &'a Sources,
    pub diagnostics: Vec<Resolved>,
    pub summary: Summary,
    /// The objects checked: the file each came from, and the kustomization
    /// file of the target it was rendered for.
    pub objects: Vec<(FileId, crate::diagnostic::ObjectRef, Option<FileId>)>,
    /// The Secret values in files with findings, which are never shown.
    secret_fields: Vec<redact::SecretField>,
    /// Files whose text a code frame may show.
    shown: HashSet<FileId>,
    /// Per file, the byte ranges of Secret values, located on first use: only
    /// formats that print source text need them.
    secrets: OnceLock<HashMap<FileId, Vec<(usize, usize)>>>,
}

/// `spec.containers[1].image` as `spec.containers[].image`.
fn without_indices(message: &str) -> Cow<'_, str> {
    if !message.contains('[') {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(']') {
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Resolves a location to a file and a byte range.
pub fn resolve_location(
    sources: &Sources,
    loc: &Location,
) -> (Option<FileId>, Option<(usize, usize)>) {
    resolve_location_in(&|f| (sources.get(f).text.as_str(), 0), loc)
}

/// The text of a file, or of the part of it (from the file offset given) that
/// holds the documents being resolved.
pub type TextOf<'t> = dyn Fn(FileId) -> (&'t str, usize) + 't;

fn resolve_location_in(
    text_of: &TextOf<'_>,
    loc: &Location,
) -> (Option<FileId>, Option<(usize, usize)>) {
    match loc {
        Location::None => (None, None),
        Location::File(f) => (Some(*f), None),
        Location::Span { file, start, end } => (Some(*file), Some((*start, *end))),
        Location::Pointer {
            doc,
            pointer,
            target,
        } => {
            let (text, base) = text_of(doc.file);
            let span = doc
                .start
                .checked_sub(base)
                .and_then(|start| {
                    let part = crate::yaml::DocSpan {
                        start,
                        end: doc.end.saturating_sub(base),
                        ..*doc
                    };
                    locate::locate(text, &part, pointer, *target)
                })
                .map(|l| (l.start + base, l.end + base));
            (Some(doc.file), span)
        }
    }
}

/// Resolves one diagnostic: its location to bytes, and those bytes to lines and
/// columns with `position` (1-based line and character column of a byte of a file).
pub fn resolve_diagnostic(
    sources: &Sources,
    d: Diagnostic,
    position: &mut dyn FnMut(FileId, usize) -> (usize, usize),
) -> Resolved {
    resolve_diagnostic_in(&|f| (sources.get(f).text.as_str(), 0), d, position)
}

/// As [`resolve_diagnostic`], reading files through `text_of`.
pub fn resolve_diagnostic_in(
    text_of: &TextOf<'_>,
    d: Diagnostic,
    position: &mut dyn FnMut(FileId, usize) -> (usize, usize),
) -> Resolved {
    let (file, span) = resolve_location_in(text_of, &d.location);
    let (start, end) = match (file, span) {
        (Some(f), Some((s, e))) => {
            let (l1, c1) = position(f, s);
            let (l2, c2) = position(f, e.max(s));
            (
                Some(Position {
                    line: l1,
                    column: c1,
                }),
                Some(Position {
                    line: l2,
                    column: c2,
                }),
            )
        }
        _ => (None, None),
    };
    let related = d
        .related
        .iter()
        .filter_map(|r| match resolve_location_in(text_of, &r.location) {
            (f, Some(span)) if f == file => Some((span, r.message.clone())),
            _ => None,
        })
        .collect();
    Resolved {
        diagnostic: d,
        file,
        span,
        start,
        end,
        related,
    }
}

/// The objects a report lists, as [`Report::objects`] holds them.
pub type ObjectList = Vec<(FileId, crate::diagnostic::ObjectRef, Option<FileId>)>;

impl<'a> Report<'a> {
    /// Resolves and orders diagnostics. `objects` are the objects that reached
    /// the end of the pipeline; the Secrets among them are redacted in code frames.
    pub fn new(sources: &'a Sources, diagnostics: Vec<Diagnostic>, objects: &[Resource]) -> Self {
        let resolved: Vec<Resolved> = diagnostics
            .into_par_iter()
            .map(|d| resolve_diagnostic(sources, d, &mut |f, b| sources.get(f).position(b)))
            .collect();
        let list = objects
            .iter()
            .map(|o| (o.origin.doc.file, o.object_ref(), o.target))
            .collect();
        Report::from_resolved(sources, resolved, objects.len(), list, objects)
    }

    /// A report of findings already resolved (by [`resolve_diagnostic`]), for
    /// `count` objects. `list` may be left empty when no format needs it (only
    /// JUnit does); `secrets` are the Secrets among the objects, which code
    /// frames redact.
    pub fn from_resolved(
        sources: &'a Sources,
        mut resolved: Vec<Resolved>,
        count: usize,
        list: ObjectList,
        secrets: &[Resource],
    ) -> Self {
        resolved.sort_by(|a, b| {
            (
                a.file,
                a.span.map(|s| s.0),
                a.diagnostic.code,
                &a.diagnostic.message,
            )
                .cmp(&(
                    b.file,
                    b.span.map(|s| s.0),
                    b.diagnostic.code,
                    &b.diagnostic.message,
                ))
        });
        // The same finding reached through several targets (a base shared by
        // overlays) is reported once, against the file that has it.
        // Overlays may have moved list items, so messages naming a path are
        // compared without their indices.
        resolved.dedup_by(|a, b| {
            a.file == b.file
                && a.span == b.span
                && a.diagnostic.code == b.diagnostic.code
                && without_indices(&a.diagnostic.message) == without_indices(&b.diagnostic.message)
        });
        let summary = Summary {
            files: sources.len(),
            objects: count,
            ..Summary::default()
        };
        let shown: HashSet<FileId> = resolved
            .iter()
            .filter(|r| r.span.is_some())
            .filter_map(|r| r.file)
            .collect();
        let secret_fields = redact::secret_fields(secrets, &shown);
        let mut report = Report {
            sources,
            diagnostics: resolved,
            summary,
            objects: list,
            secret_fields,
            shown,
            secrets: OnceLock::new(),
        };
        report.count();
        report
    }

    /// Keeps the findings `keep` accepts, and counts again.
    pub fn retain(&mut self, mut keep: impl FnMut(&Report<'_>, &Resolved) -> bool) {
        let all = std::mem::take(&mut self.diagnostics);
        let kept: Vec<Resolved> = all.into_iter().filter(|r| keep(self, r)).collect();
        self.diagnostics = kept;
        self.count();
    }

    /// Counts the findings by severity into the summary.
    pub(crate) fn count(&mut self) {
        let (mut errors, mut warnings, mut infos) = (0, 0, 0);
        for r in &self.diagnostics {
            match r.diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
            }
        }
        self.summary.errors = errors;
        self.summary.warnings = warnings;
        self.summary.infos = infos;
    }

    /// The text of a file as it may be shown: Secret values are masked.
    pub fn display_text(&self, file: FileId) -> Cow<'_, str> {
        let text = &self.sources.get(file).text;
        let secrets = self
            .secrets
            .get_or_init(|| redact::secret_spans(self.sources, &self.secret_fields, &self.shown));
        redact::mask(text, secrets.get(&file).map_or(&[], Vec::as_slice))
    }
}
