//! API: parts of Kubernetes that manifests use after they were deprecated
//! or removed (API versions themselves are the validator's).

mod deprecated_component_flags;

pub use deprecated_component_flags::DeprecatedComponentFlags;
