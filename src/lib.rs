//! drydock: keeps Kubernetes manifests shipshape before they ship.
//!
//! The module tree follows the pipeline a check runs through:
//!
//! 1. [`input`]: paths, directories and stdin become decoded [`source`] files;
//! 2. [`yaml`]: each file becomes documents, read with Kubernetes' YAML 1.1 rules;
//! 3. [`resource`]: documents become Kubernetes objects (lists expanded, identities checked);
//! 4. [`pipeline`]: the stages run over the objects ([`load`] ties 1 to 3 together);
//! 5. [`report`]: diagnostics get their spans and are written as text or JSON.
//!
//! Every stage reports with the one [`diagnostic::Diagnostic`] type.

pub mod cli;
pub mod diagnostic;
pub mod input;
pub mod lint;
pub mod load;
pub mod pipeline;
pub mod pointer;
pub mod render;
pub mod report;
pub mod resource;
pub mod schedule;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod validate;
pub mod yaml;
