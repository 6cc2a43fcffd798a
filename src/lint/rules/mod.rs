//! The rule registry: every rule drydock runs, one file each.
//!
//! # Adding a rule
//!
//! 1. Pick a kebab-case id and a [`Category`](crate::lint::Category). The
//!    file is `src/lint/rules/<category>/<id with _ for ->.rs`, e.g.
//!    `src/lint/rules/resources/memory_limit.rs` for `memory-limit` (the
//!    category directory uses `_` too: `pod_security/`).
//! 2. In it, declare the rule with `declare_rule!` (`crate::lint`).
//!    Its doc comment is the user documentation printed by
//!    `drydock explain <id>`: a one-line summary, then the sections
//!    `## What it checks`, `## Why`, `## Failing example` and
//!    `## Fixed example` (each example a complete ```` ```yaml ```` manifest:
//!    the tests run the rule on both), and `## Parameters` if it has any.
//!    Give `severity:` as in `policy.md`; add `enabled: false,` for an
//!    opt-in rule and `params: [...]` for parameters users may set.
//! 3. Implement [`Rule`] for it, overriding the level it is about:
//!    `check_container` (called for init, sidecar, regular and ephemeral
//!    containers of every kind with a pod spec), `check_pod` (once per pod
//!    spec) or `check_object` (every object; use `cx.index` to look at the
//!    others). Report with `cx.report(pointer, target, message)`: the
//!    pointer of a bad value with `Target::Value`, or of the parent of
//!    something missing with `Target::Key`; add `.help(...)` to say how to
//!    fix it. Never put a Secret's values in a message. `crate::lint::pod`
//!    has the shared views: `Container::resources` (as written, with
//!    pointers), `pod::effective` (after API and LimitRange defaulting, with
//!    `cx.container_defaults()`), `pod::pod_totals` and `pod::qos`.
//! 4. Add `mod <file>;` and `pub use <file>::<Struct>;` to the category's
//!    `mod.rs` (create it, and `pub mod <category>;` below, for a new
//!    category), and one line to [`RULES`].
//! 5. Add `fixtures/lint/<id>/pass.yaml` (nothing for this rule to find) and
//!    `fixtures/lint/<id>/fail.yaml`, then run
//!    `DRYDOCK_UPDATE_SNAPSHOTS=1 cargo test --test lint_rules` to write
//!    `fail.snap`; review it. `cargo test --lib lint` checks the
//!    documentation.

pub mod resources;

use super::Rule;

/// Every rule, grouped by category.
pub const RULES: &[&dyn Rule] = &[
    // resources
    &resources::CpuRequest,
    &resources::CpuLimit,
    &resources::MemoryRequest,
    &resources::MemoryLimit,
    &resources::LimitsBelowRequests,
    &resources::QosClass,
    &resources::HugepagesRequestEqualsLimit,
    &resources::AbsurdQuantity,
    &resources::EphemeralStorage,
    &resources::RequestsEqualLimits,
    &resources::PodResources,
];
