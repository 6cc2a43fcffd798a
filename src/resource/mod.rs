//! Kubernetes objects: a value, where it came from, and who it is.

mod identity;
pub mod quantity;

pub use identity::Identity;

use crate::diagnostic::{Diagnostic, Location, ObjectRef, Target, codes};
use crate::source::FileId;
use crate::yaml::{DocSpan, ParsedDoc, Str, Value};

/// Where an object's fields are in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub doc: DocSpan,
    /// Pointer prefix of the object inside its document (`/items/3` for the
    /// fourth item of a `kind: List`; empty for a top-level object).
    pub base: Str,
}

/// One Kubernetes object on its way through the pipeline.
#[derive(Clone, Debug)]
pub struct Resource {
    pub value: Value,
    pub origin: Origin,
    /// For a rendered object: what was written where. Transformers and patches
    /// may have added, removed or reordered list items, so pointers into `value`
    /// are mapped onto the written text before they are resolved.
    pub source: Option<std::sync::Arc<Written>>,
    /// For a rendered object: the kustomization file of the target it was
    /// rendered for (reports group objects by target).
    pub target: Option<FileId>,
}

/// What a rendered object was made from.
#[derive(Clone, Debug)]
pub struct Written {
    /// The object as written at the resource's origin.
    pub object: std::sync::Arc<Value>,
    /// The strategic-merge patches applied to it, in order, with their origins.
    pub patches: Vec<(Origin, std::sync::Arc<Value>)>,
}

impl Resource {
    /// Renumbers the files it points into (when file tables are merged).
    pub fn map_files(&mut self, map: impl Fn(FileId) -> FileId) {
        self.origin.doc.file = map(self.origin.doc.file);
        self.target = self.target.map(&map);
        if let Some(written) = self.source.take() {
            let mut w = std::sync::Arc::unwrap_or_clone(written);
            for (origin, _) in &mut w.patches {
                origin.doc.file = map(origin.doc.file);
            }
            self.source = Some(std::sync::Arc::new(w));
        }
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }

    pub fn api_version(&self) -> Option<&str> {
        self.str_field("apiVersion")
    }

    pub fn kind(&self) -> Option<&str> {
        self.str_field("kind")
    }

    fn metadata_str(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `metadata.name`, or `metadata.generateName` when the server picks the name.
    pub fn name(&self) -> Option<&str> {
        self.metadata_str("name")
            .or_else(|| self.metadata_str("generateName"))
    }

    pub fn namespace(&self) -> Option<&str> {
        self.metadata_str("namespace")
    }

    pub fn object_ref(&self) -> ObjectRef {
        object_ref(&self.value)
    }

    /// The location of a field of this object, given by a pointer relative to it.
    pub fn location(&self, pointer: &str, target: Target) -> Location {
        let Some(written) = &self.source else {
            return Location::Pointer {
                doc: self.origin.doc,
                pointer: crate::pointer::join(&self.origin.base, pointer),
                target,
            };
        };
        // The last patch that wrote the whole path set the value; else the field
        // is as written in the object's own file.
        for (origin, patch) in written.patches.iter().rev() {
            let (mapped, complete) = map_pointer(&self.value, patch, pointer);
            if complete {
                return Location::Pointer {
                    doc: origin.doc,
                    pointer: crate::pointer::join(&origin.base, &mapped),
                    target,
                };
            }
        }
        let (mapped, _) = map_pointer(&self.value, &written.object, pointer);
        Location::Pointer {
            doc: self.origin.doc,
            pointer: crate::pointer::join(&self.origin.base, &mapped),
            target,
        }
    }

    /// A diagnostic about a field of this object.
    pub fn diagnostic(
        &self,
        code: &'static crate::diagnostic::Code,
        message: impl Into<String>,
        pointer: &str,
        target: Target,
    ) -> Diagnostic {
        Diagnostic::new(code, message)
            .at(self.location(pointer, target))
            .object(self.object_ref())
    }
}

/// The identity of an object value, as far as it has one.
pub fn object_ref(value: &Value) -> ObjectRef {
    let s = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let meta = value.get("metadata");
    ObjectRef {
        api_version: s(value.get("apiVersion")),
        kind: s(value.get("kind")),
        namespace: s(meta.and_then(|m| m.get("namespace"))),
        name: s(meta.and_then(|m| m.get("name")))
            .or_else(|| s(meta.and_then(|m| m.get("generateName")))),
    }
}

/// Where the pod spec and pod metadata sit in each kind that runs pods.
const POD_KINDS: &[(&str, &str, &str, &str)] = &[
    // (group, kind, spec pointer, metadata pointer)
    ("", "Pod", "/spec", "/metadata"),
    ("", "PodTemplate", "/template/spec", "/template/metadata"),
    (
        "",
        "ReplicationController",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "apps",
        "ReplicaSet",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "apps",
        "Deployment",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "apps",
        "DaemonSet",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "apps",
        "StatefulSet",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "batch",
        "Job",
        "/spec/template/spec",
        "/spec/template/metadata",
    ),
    (
        "batch",
        "CronJob",
        "/spec/jobTemplate/spec/template/spec",
        "/spec/jobTemplate/spec/template/metadata",
    ),
];

/// The pointers of the pod spec and of the pod's metadata in an object of this
/// apiVersion and kind, for the kinds that run pods.
pub fn pod_spec_pointers(api_version: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    // `extensions/v1beta1` served the apps kinds before `apps` existed.
    let group = if group == "extensions" { "apps" } else { group };
    POD_KINDS
        .iter()
        .find(|(g, k, _, _)| *g == group && *k == kind)
        .map(|&(_, _, spec, metadata)| (spec, metadata))
}

/// Maps a pointer into a rendered object onto the object as written.
///
/// Keys stay as they are (a key the source lacks resolves to its nearest
/// ancestor). A list index follows its item: to the same index when the item
/// there is the same one, else to the source item with the same `name`; when
/// there is none (a patch added it), the pointer stops at the list. Also says
/// whether the whole path is in the source.
fn map_pointer(rendered: &Value, source: &Value, pointer: &str) -> (String, bool) {
    let mut out = String::with_capacity(pointer.len());
    let (mut r, mut s) = (Some(rendered), Some(source));
    for seg in crate::pointer::segments(pointer) {
        let (Some(Value::Seq(r_items)), Some(index)) = (r, crate::pointer::index(&seg)) else {
            crate::pointer::push(&mut out, &seg);
            r = r.and_then(|v| v.get(&seg));
            s = s.and_then(|v| v.get(&seg));
            continue;
        };
        let item = r_items.get(index);
        let s_items = s.and_then(Value::as_seq).unwrap_or_default();
        let same = |a: &Value, b: &Value| match (name_of(a), name_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        };
        let found = match item {
            Some(item) if s_items.get(index).is_some_and(|c| same(item, c)) => Some(index),
            Some(item) => {
                name_of(item).and_then(|n| s_items.iter().position(|c| name_of(c) == Some(n)))
            }
            None => None,
        };
        match found {
            Some(i) => {
                crate::pointer::push_index(&mut out, i);
                r = item;
                s = s_items.get(i);
            }
            None => return (out, false),
        }
    }
    let complete = s.is_some();
    (out, complete)
}

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// Documents become resources; a document that is not a mapping is reported.
pub fn from_documents(docs: Vec<ParsedDoc>, diags: &mut Vec<Diagnostic>) -> Vec<Resource> {
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        match doc.value {
            Value::Map(_) => out.push(Resource {
                value: doc.value,
                origin: Origin {
                    doc: doc.span,
                    base: Str::default(),
                },
                source: None,
                target: None,
            }),
            other => diags.push(not_an_object(&other, doc.span, "")),
        }
    }
    out
}

pub(crate) fn not_an_object(value: &Value, doc: DocSpan, pointer: &str) -> Diagnostic {
    let (what, help) = match value {
        Value::Seq(items) if items.first().and_then(|i| i.get("op")).is_some() => (
            "a list of JSON patch operations",
            "a JSON 6902 patch is applied from a kustomization's `patches`; it is not a manifest by itself",
        ),
        Value::Seq(_) => (
            "a list",
            "each document must be one object; separate objects with `---`, or wrap them in `kind: List` with `items`",
        ),
        _ => (
            "a single value",
            "a manifest is a mapping with apiVersion, kind and metadata; check the indentation of the first lines",
        ),
    };
    let subject = if pointer.is_empty() {
        "this document"
    } else {
        "this list item"
    };
    Diagnostic::new(
        &codes::NOT_AN_OBJECT,
        format!("{subject} is {what}, not a Kubernetes object"),
    )
    .help(help)
    .at(Location::Pointer {
        doc,
        pointer: pointer.to_owned(),
        target: Target::Value,
    })
}
