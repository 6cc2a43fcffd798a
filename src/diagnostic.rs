//! The one diagnostic type every stage reports with.
//!
//! A diagnostic names what it is about by file and either a byte span (for
//! syntax-level problems found while parsing) or a JSON pointer into a document
//! (for everything else). Pointers are turned into spans only when a report is
//! written, by parsing that one document again (see `yaml::locate`).

use std::fmt;

use serde::Serialize;

use crate::source::FileId;
use crate::yaml::DocSpan;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable diagnostic code: the kebab-case name users put in configuration.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub name: &'static str,
    pub severity: Severity,
    /// One line saying what the code means.
    pub summary: &'static str,
}

/// The identity of the Kubernetes object a diagnostic is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl ObjectRef {
    /// `Kind/name` (or `Kind/namespace/name`), for messages.
    pub fn display_name(&self) -> String {
        let kind = self.kind.as_deref().unwrap_or("object");
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{kind}/{ns}/{n}"),
            (None, Some(n)) => format!("{kind}/{n}"),
            _ => kind.to_owned(),
        }
    }
}

/// Which part of a mapping entry a pointer designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The key (an unknown or duplicate field).
    Key,
    /// The value (a wrong type or a bad value).
    Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Not tied to a file (a bad command-line argument).
    None,
    /// A whole file.
    File(FileId),
    /// Bytes `start..end` of a file.
    Span {
        file: FileId,
        start: usize,
        end: usize,
    },
    /// A field of a document, resolved to a span at report time.
    Pointer {
        doc: DocSpan,
        pointer: String,
        target: Target,
    },
}

impl Location {
    /// Renumbers the file this location is in (when file tables are merged).
    pub fn map_file(&mut self, map: impl Fn(FileId) -> FileId) {
        match self {
            Location::None => {}
            Location::File(f) | Location::Span { file: f, .. } => *f = map(*f),
            Location::Pointer { doc, .. } => doc.file = map(doc.file),
        }
    }

    pub fn file(&self) -> Option<FileId> {
        match self {
            Location::None => None,
            Location::File(f) | Location::Span { file: f, .. } => Some(*f),
            Location::Pointer { doc, .. } => Some(doc.file),
        }
    }

    pub fn pointer(&self) -> Option<&str> {
        match self {
            Location::Pointer { pointer, .. } => Some(pointer),
            _ => None,
        }
    }
}

/// A secondary location shown beside the primary one ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    pub location: Location,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.name,
            severity: code.severity,
            message: message.into(),
            help: None,
            object: None,
            location: Location::None,
            related: Vec::new(),
        }
    }

    /// Renumbers the files of its locations (when file tables are merged).
    pub fn map_files(&mut self, map: impl Fn(FileId) -> FileId + Copy) {
        self.location.map_file(map);
        for r in &mut self.related {
            r.location.map_file(map);
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn object(mut self, object: ObjectRef) -> Self {
        self.object = Some(object);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }
}

/// Every code drydock can report, grouped by the stage that reports it.
pub mod codes {
    use super::{Code, Severity::*};

    macro_rules! codes {
        ($($id:ident = $name:literal, $sev:ident, $summary:literal;)*) => {
            $(pub const $id: Code = Code { name: $name, severity: $sev, summary: $summary };)*
            /// All codes, in the order they are documented.
            pub const ALL: &[&Code] = &[$(&$id),*];
        };
    }

    codes! {
        // Reading inputs.
        IO_ERROR = "io-error", Error, "a path could not be read";
        INVALID_UTF8 = "invalid-utf8", Error, "the file is not valid UTF-8 (or UTF-16 with a byte-order mark)";
        BINARY_FILE = "binary-file", Error, "the file contains NUL bytes and is not YAML or JSON";
        EMPTY_FILE = "empty-file", Warning, "the file contains no YAML document";
        // YAML syntax and structure.
        YAML_SYNTAX = "yaml-syntax", Error, "the YAML cannot be parsed";
        YAML_TAB = "yaml-tab", Error, "a TAB where YAML (and kubectl) only accept spaces";
        YAML_DUPLICATE_KEY = "yaml-duplicate-key", Error, "a mapping has the same key twice; the API server would silently keep the last one";
        YAML_ALIAS_LIMIT = "yaml-alias-limit", Error, "aliases expand to too many nodes (a billion-laughs document)";
        YAML_TOO_DEEP = "yaml-too-deep", Error, "the document nests deeper than any Kubernetes object";
        YAML_INVALID_KEY = "yaml-invalid-key", Error, "a mapping key that JSON cannot have (null, a list or a mapping)";
        YAML_MERGE = "yaml-merge", Error, "a `<<` merge key whose value is not a mapping or a list of mappings";
        YAML_NON_FINITE = "yaml-non-finite", Error, "`.inf` or `.nan`, which JSON and the API server cannot represent";
        YAML_TAG = "yaml-tag", Error, "a scalar that does not match its explicit tag (`!!int abc`)";
        // YAML 1.1 traps: kubectl reads YAML 1.1, most editors and tools YAML 1.2.
        YAML11_STRING_FIELD = "yaml11-string-field", Error, "an unquoted boolean or number where Kubernetes needs a string";
        YAML11_BOOLEAN = "yaml11-boolean", Warning, "an unquoted yes/no/on/off/y/n, a boolean for kubectl but a string for YAML 1.2";
        YAML11_OCTAL = "yaml11-octal", Warning, "a number with a leading zero, octal for kubectl but decimal for YAML 1.2";
        YAML11_NUMBER = "yaml11-number", Warning, "an unquoted `1_000` or `0b101`, a number for kubectl but a string for YAML 1.2";
        // Documents as Kubernetes objects.
        NOT_AN_OBJECT = "not-an-object", Error, "a document that is a list or a scalar instead of an object";
        NOT_A_MANIFEST = "not-a-manifest", Error, "a mapping with neither apiVersion nor kind";
        MISSING_API_VERSION = "missing-api-version", Error, "an object without a string apiVersion";
        MISSING_KIND = "missing-kind", Error, "an object without a string kind";
        MISSING_NAME = "missing-name", Error, "an object without metadata.name or metadata.generateName";
        NOT_AN_API_OBJECT = "not-an-api-object", Info, "a configuration file (kubeconfig, kubeadm, ...) that is not an API object; skipped";
        // Rendering kustomizations.
        KUSTOMIZATION_NOT_FOUND = "kustomization-not-found", Error, "a directory to build has no kustomization file";
        KUSTOMIZATION_INVALID = "kustomization-invalid", Error, "a kustomization file kustomize would reject (unknown field, wrong type, empty)";
        RENDER_FILE_NOT_FOUND = "render-file-not-found", Error, "a file or directory a kustomization names does not exist";
        RENDER_PATH_ESCAPE = "render-path-escape", Error, "a file outside the kustomization's directory (the load restrictor forbids it)";
        RENDER_CYCLE = "render-cycle", Error, "kustomizations that include each other";
        RENDER_DUPLICATE_ID = "render-duplicate-id", Error, "two resources with the same kind, name and namespace";
        RENDER_UNSUPPORTED = "render-unsupported", Error, "remote bases, helm charts and exec or container plugins, which drydock does not run";
        RENDER_ERROR = "render-error", Error, "any other build failure kustomize reports (patch without target, generator conflict, ...)";
        // Schema validation against the Kubernetes API.
        SCHEMA_UNKNOWN_FIELD = "schema-unknown-field", Error, "a field the API schema does not have (a typo, or a field of another kind or version)";
        SCHEMA_TYPE = "schema-type", Error, "a value of the wrong type (`replicas: \"3\"`)";
        SCHEMA_REQUIRED = "schema-required", Error, "a required field is missing";
        SCHEMA_ENUM = "schema-enum", Error, "a value that is not one of those the API accepts";
        SCHEMA_FORMAT = "schema-format", Error, "a string in the wrong format: a quantity, base64 data, a date, a duration";
        SCHEMA_INVALID = "schema-invalid", Error, "any other schema violation (a number out of range, a pattern, too few items)";
        SCHEMA_MISSING = "schema-missing", Error, "a kind with no schema: a misspelt kind, or a custom resource without its CRD";
        INVALID_NAME = "invalid-name", Error, "a name the API server rejects: not a DNS-1123 label or subdomain, an invalid port name";
        INVALID_LABEL = "invalid-label", Error, "a label or annotation key, or a label value, that the API server rejects";
        INVALID_VALUE = "invalid-value", Error, "a value the API server's validation rejects: a mount of a missing volume, a duplicate container name, an unsupported fieldPath";
        KIND_REJECTED = "kind-rejected", Error, "a kind that --reject prohibits";
        API_VERSION_UNKNOWN = "api-version-unknown", Error, "a kind the target Kubernetes version serves, but not at this apiVersion";
        API_REMOVED = "api-removed", Error, "an apiVersion the target Kubernetes version no longer serves";
        API_DEPRECATED = "api-deprecated", Warning, "an apiVersion that is deprecated in the target Kubernetes version";
        // Dry-run scheduling on the described nodes.
        POD_UNSCHEDULABLE = "pod-unschedulable", Error, "a pod of the workloads would stay Pending: no described node can take it";
        DRAIN_BLOCKED = "drain-blocked", Warning, "draining a node would be blocked by a PodDisruptionBudget or leave a pod with nowhere to go";
    }

    /// Looks a code up by name.
    pub fn find(name: &str) -> Option<&'static Code> {
        ALL.iter().copied().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in codes::ALL {
            assert!(seen.insert(c.name), "duplicate code {}", c.name);
            assert!(
                c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                c.name
            );
            assert!(!c.summary.is_empty());
        }
        assert_eq!(codes::find("yaml-tab"), Some(&codes::YAML_TAB));
    }

    #[test]
    fn severities_order() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
    }
}
