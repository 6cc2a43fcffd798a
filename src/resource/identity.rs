//! The identity stage: every object has an apiVersion, a kind and a name.
//!
//! It also expands `kind: List` (and `*List`) documents into their items, as
//! kubectl does, and skips configuration files that are not API objects
//! (kubeconfig, kubeadm and component configuration), which often sit next to
//! manifests.

use super::{Origin, Resource, not_an_object};
use crate::diagnostic::{Diagnostic, Target, codes};
use crate::pipeline::{Context, Stage, StageOutput};
use crate::suggest;
use crate::yaml::{Seq, Str, Value};

/// Top-level fields of real objects; never offered as a misspelt apiVersion or kind.
const KNOWN_TOP_LEVEL: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "status",
    "data",
    "stringData",
    "binaryData",
    "type",
    "immutable",
    "rules",
    "subjects",
    "roleRef",
    "aggregationRule",
    "items",
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "volumeBindingMode",
    "allowVolumeExpansion",
    "mountOptions",
    "allowedTopologies",
    "webhooks",
    "value",
    "globalDefault",
    "preemptionPolicy",
    "description",
    "handler",
    "overhead",
    "scheduling",
    "secrets",
    "imagePullSecrets",
    "automountServiceAccountToken",
    "subsets",
    "endpoints",
    "addressType",
    "ports",
    "template",
    "target",
    "reason",
    "message",
    "source",
    "count",
    "involvedObject",
];

pub struct Identity;

impl Stage for Identity {
    fn name(&self) -> &'static str {
        "identity"
    }

    fn run(&self, resources: Vec<Resource>, _cx: &Context<'_>) -> StageOutput {
        let mut out = StageOutput::default();
        for r in resources {
            admit(r, &mut out);
        }
        out
    }
}

fn admit(mut r: Resource, out: &mut StageOutput) {
    if let Some(items) = take_list_items(&mut r) {
        expand_list(r, items, out);
        return;
    }
    let api = r.value.get("apiVersion");
    let kind = r.value.get("kind");
    let map = r.value.as_map();
    let unknown_keys: Vec<&str> = map
        .map(|m| m.keys().filter(|k| !KNOWN_TOP_LEVEL.contains(k)).collect())
        .unwrap_or_default();
    let api_typo = suggest::closest_reverse(&unknown_keys, "apiVersion");
    let kind_typo = suggest::closest_reverse(&unknown_keys, "kind");

    let absent = |v: Option<&Value>| v.is_none_or(Value::is_null);
    // Without anything like a kind, a document is not meant as an object, even
    // if one of its keys resembles apiVersion (docker-compose's `version`).
    if absent(api) && absent(kind) && kind_typo.is_none() {
        out.diagnostics.push(not_a_manifest(&r));
        return;
    }

    let mut ok = true;
    for (field, value, typo, code) in [
        ("apiVersion", api, api_typo, &codes::MISSING_API_VERSION),
        ("kind", kind, kind_typo, &codes::MISSING_KIND),
    ] {
        if value.and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
            continue;
        }
        ok = false;
        let d = match (value, typo) {
            (Some(v), _) if !v.is_null() && v.as_str().is_none() => r
                .diagnostic(
                    code,
                    format!("{field} must be a string, not {}", v.type_name()),
                    &format!("/{field}"),
                    Target::Value,
                )
                .help(format!("quote the {field} value")),
            (_, Some(typo)) => r
                .diagnostic(
                    code,
                    format!("missing {field}: found `{typo}` instead"),
                    &crate::pointer::from_segments([typo]),
                    Target::Key,
                )
                .help(format!("did you mean `{field}`?")),
            _ => r
                .diagnostic(code, format!("missing {field}"), "", Target::Value)
                .help(format!(
                    "every Kubernetes object needs a top-level `{field}` field"
                )),
        };
        out.diagnostics.push(d);
    }
    if !ok {
        return;
    }

    let api = r.api_version().unwrap_or_default();
    let kind = r.kind().unwrap_or_default();
    if let Some(what) = configuration_file(api, kind) {
        if !what.is_empty() {
            out.diagnostics.push(r.diagnostic(
                &codes::NOT_AN_API_OBJECT,
                format!("`{api}` {kind} is {what}, not a Kubernetes API object; skipped"),
                "/kind",
                Target::Value,
            ));
        }
        return;
    }

    if r.name().is_none() {
        out.diagnostics.push(missing_name(&r));
    }
    out.resources.push(r);
}

/// Items of a `kind: List` (or `DeploymentList`, ...), which kubectl flattens.
fn take_list_items(r: &mut Resource) -> Option<Seq> {
    if !r.kind()?.ends_with("List") {
        return None;
    }
    match r.value.as_map_mut()?.get_mut("items") {
        Some(Value::Seq(items)) => Some(std::mem::take(items)),
        Some(Value::Null) => Some(Seq::new()),
        _ => None,
    }
}

fn expand_list(r: Resource, items: Seq, out: &mut StageOutput) {
    for (i, item) in items.into_iter().enumerate() {
        let mut base = String::from(r.origin.base.as_str());
        crate::pointer::push(&mut base, "items");
        crate::pointer::push_index(&mut base, i);
        if item.as_map().is_none() {
            out.diagnostics
                .push(not_an_object(&item, r.origin.doc, &base));
            continue;
        }
        admit(
            Resource {
                value: item,
                origin: Origin {
                    doc: r.origin.doc,
                    base: Str::from(base),
                },
                source: None,
                target: r.target,
            },
            out,
        );
    }
}

fn not_a_manifest(r: &Resource) -> Diagnostic {
    let m = r.value.as_map();
    let has = |k: &str| m.is_some_and(|m| m.contains_key(k));
    let help = if has("services") && (has("version") || has("volumes") || has("networks")) {
        "this looks like a docker-compose file; drydock checks Kubernetes manifests".to_owned()
    } else if has("clusters") || has("contexts") || has("users") {
        "this looks like a kubeconfig file without `apiVersion: v1` and `kind: Config`".to_owned()
    } else if let Some(k) = m.and_then(|m| {
        m.keys().find(|k| {
            [
                "spec",
                "metadata",
                "template",
                "containers",
                "rules",
                "readinessProbe",
                "livenessProbe",
            ]
            .contains(k)
        })
    }) {
        format!(
            "this looks like a fragment of a manifest (it starts at `{k}`); give it apiVersion, kind and metadata, or exclude the file"
        )
    } else {
        "a Kubernetes manifest needs apiVersion, kind and metadata; exclude files that are not manifests with --exclude".to_owned()
    };
    Diagnostic::new(
        &codes::NOT_A_MANIFEST,
        "not a Kubernetes object: this document has neither apiVersion nor kind",
    )
    .help(help)
    .at(r.location("", Target::Value))
}

fn missing_name(r: &Resource) -> Diagnostic {
    let meta = r.value.get("metadata");
    let (pointer, target, help) = match meta {
        Some(Value::Map(m)) => {
            let typo = suggest::closest_reverse(&m.keys().collect::<Vec<_>>(), "name");
            match typo {
                Some(t) => (
                    crate::pointer::from_segments(["metadata", t]),
                    Target::Key,
                    format!("did you mean `name`? (found `{t}`)"),
                ),
                None => (
                    "/metadata".to_owned(),
                    Target::Key,
                    "add `name:` under `metadata` (or `generateName:` to let the server pick one)"
                        .to_owned(),
                ),
            }
        }
        Some(v) if !v.is_null() => (
            "/metadata".to_owned(),
            Target::Value,
            format!("metadata must be a mapping, not {}", v.type_name()),
        ),
        _ if r.value.get("name").is_some() => (
            "/name".to_owned(),
            Target::Key,
            "`name` belongs under `metadata`".to_owned(),
        ),
        _ => (
            "/kind".to_owned(),
            Target::Value,
            "add `metadata:` with a `name:`".to_owned(),
        ),
    };
    r.diagnostic(
        &codes::MISSING_NAME,
        "missing metadata.name",
        &pointer,
        target,
    )
    .help(help)
}

/// What a non-API configuration file is, by apiVersion and kind. `Some("")`
/// for kustomize's own files, which are skipped without a word.
fn configuration_file(api: &str, kind: &str) -> Option<&'static str> {
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    if group == "kustomize.config.k8s.io" {
        return Some("");
    }
    if group.ends_with("config.k8s.io") {
        return Some("a component configuration file");
    }
    match (group, kind) {
        ("kubeadm.k8s.io", _) => Some("a kubeadm configuration file"),
        ("", "Config") if api == "v1" => Some("a kubeconfig file"),
        ("audit.k8s.io", "Policy") => Some("an audit policy file"),
        ("client.authentication.k8s.io", _) => Some("a client credential file"),
        _ => None,
    }
}
