//! Patching resources as kustomize v5.5.0 does: strategic merge patches
//! ([`apply_smp`], kyaml's `merge2` walker driven by the OpenAPI merge keys of
//! [`MergeSchema`]) and JSON 6902 patches ([`apply_json6902`]).

mod json6902;
mod schema;
mod smp;

pub use json6902::apply_json6902;
pub use schema::{MergeSchema, SchemaError};
pub use smp::{PatchError, SmpOutcome, apply_smp};
