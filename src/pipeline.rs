//! The pipeline: stages that each take the objects and return them, with
//! diagnostics.
//!
//! `drydock check` loads the inputs into [`Resource`]s and runs the stages in
//! order: identity, then rendering, validation, linting and scheduling as they
//! are configured. A stage may replace the objects it is given (rendering
//! does), filter them or pass them through untouched; it reports only through
//! diagnostics and never prints.

use crate::diagnostic::Diagnostic;
use crate::resource::{self, Resource};
use crate::source::Sources;

/// Told what a run is doing as it goes, for a progress display.
pub trait Observer: Sync {
    /// A new step: `what` is under way over `len` items (when countable).
    fn step(&self, _what: &'static str, _len: Option<usize>) {}
    /// One more item of the current step is done.
    fn done_one(&self) {}
}

/// An observer that ignores everything.
pub struct Unobserved;

impl Observer for Unobserved {}

/// What a stage can see besides the objects.
pub struct Context<'a> {
    pub sources: &'a Sources,
}

/// A stage's result.
#[derive(Default)]
pub struct StageOutput {
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
}

pub trait Stage: Send + Sync {
    /// Short name, for progress and debugging.
    fn name(&self) -> &'static str;
    fn run(&self, resources: Vec<Resource>, cx: &Context<'_>) -> StageOutput;
}

/// An ordered list of stages.
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
}

impl Pipeline {
    /// The stages `drydock check` runs.
    pub fn check() -> Self {
        Pipeline {
            stages: vec![Box::new(resource::Identity)],
        }
    }

    pub fn push(&mut self, stage: Box<dyn Stage>) {
        self.stages.push(stage);
    }

    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Runs every stage in order; diagnostics accumulate.
    pub fn run(&self, resources: Vec<Resource>, cx: &Context<'_>) -> StageOutput {
        self.run_observed(resources, cx, &Unobserved)
    }

    /// As [`Pipeline::run`], telling `observer` which stage is at work.
    pub fn run_observed(
        &self,
        resources: Vec<Resource>,
        cx: &Context<'_>,
        observer: &dyn Observer,
    ) -> StageOutput {
        let mut out = StageOutput {
            resources,
            diagnostics: Vec::new(),
        };
        for stage in &self.stages {
            observer.step(stage.name(), None);
            let r = stage.run(std::mem::take(&mut out.resources), cx);
            out.resources = r.resources;
            out.diagnostics.extend(r.diagnostics);
        }
        out
    }
}
