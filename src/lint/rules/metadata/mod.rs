//! Metadata: namespaces, labels and annotations.

mod default_namespace;
mod obsolete_annotations;
mod required_labels;
mod server_populated_fields;

pub use default_namespace::DefaultNamespace;
pub use obsolete_annotations::ObsoleteAnnotations;
pub use required_labels::RequiredLabels;
pub use server_populated_fields::ServerPopulatedFields;
