//! Rendering kustomizations the way `kubectl kustomize` (kustomize v5.5.0) does.

pub mod emit;
pub mod fieldspec;
pub mod resid;
