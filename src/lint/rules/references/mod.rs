//! References: objects that name other objects of the set (ConfigMaps,
//! Secrets, claims, ServiceAccounts, Services, scale targets) and selectors
//! that must find pods.
//!
//! A referenced ConfigMap, Secret, claim or ServiceAccount that is not in
//! the set is a warning, never an error: it may be created in the cluster by
//! other means (a secret manager, an operator, `kubectl create`), and the API
//! server accepts the referring object either way. The pod just does not
//! start until it exists.

mod deprecated_sa_field;
mod hpa_target;
mod ingress_backend;
mod missing_configmap;
mod missing_priority_class;
mod missing_pvc;
mod missing_role;
mod missing_secret;
mod missing_service_account;
mod missing_storage_class;
mod pdb_selects_nothing;
mod service_selects_nothing;
mod service_target_port;
mod statefulset_service;
mod unused_configmap_key;

pub use deprecated_sa_field::DeprecatedSaField;
pub use hpa_target::HpaTarget;
pub use ingress_backend::IngressBackend;
pub use missing_configmap::MissingConfigmap;
pub use missing_priority_class::MissingPriorityClass;
pub use missing_pvc::MissingPvc;
pub use missing_role::MissingRole;
pub use missing_secret::MissingSecret;
pub use missing_service_account::MissingServiceAccount;
pub use missing_storage_class::MissingStorageClass;
pub use pdb_selects_nothing::PdbSelectsNothing;
pub use service_selects_nothing::ServiceSelectsNothing;
pub use service_target_port::ServiceTargetPort;
pub use statefulset_service::StatefulsetService;
pub use unused_configmap_key::UnusedConfigmapKey;

use super::workloads::{is_builtin, is_known};
use crate::diagnostic::Target;
use crate::lint::{Cx, Param, PodSpec};
use crate::resource::Resource;
use crate::yaml::Value;

/// The `known` parameter of the rules about missing objects.
const KNOWN: Param = Param::strings(
    "known",
    &[],
    "names (or namespace/name) of objects created outside these manifests",
);

/// What a pod can refer to by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wanted {
    ConfigMap,
    Secret,
    Claim,
}

impl Wanted {
    fn kind(self) -> &'static str {
        match self {
            Wanted::ConfigMap => "ConfigMap",
            Wanted::Secret => "Secret",
            Wanted::Claim => "PersistentVolumeClaim",
        }
    }
}

/// One reference to a ConfigMap, Secret or claim, with the keys it reads.
struct Reference<'a> {
    name: &'a str,
    /// Pointer of the name within the object.
    pointer: String,
    /// Keys read, each with its pointer.
    keys: Vec<(&'a str, String)>,
    optional: bool,
    /// Whether the reference could be marked `optional: true`.
    optionable: bool,
    /// What refers: `volume "config"`, `env "MODE" of container "app"`.
    via: String,
    /// The environment variable set from the key, for `configMapKeyRef`
    /// and `secretKeyRef`.
    var: Option<&'a str>,
    /// What happens while the object is missing.
    effect: &'static str,
    /// What happens while a key is missing.
    key_effect: &'static str,
}

fn ptr(base: &str, segments: &[&str]) -> String {
    let mut p = base.to_owned();
    for s in segments {
        crate::pointer::push(&mut p, s);
    }
    p
}

fn optional(v: &Value) -> bool {
    v.get("optional").and_then(Value::as_bool) == Some(true)
}

/// The `items[].key` of a ConfigMap or Secret volume source.
fn item_keys<'a>(source: &'a Value, pointer: &str) -> Vec<(&'a str, String)> {
    source
        .get("items")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let key = item.get("key")?.as_str()?;
            Some((key, ptr(pointer, &["items", &i.to_string(), "key"])))
        })
        .collect()
}

/// Every reference of a pod spec to an object of kind `wanted`.
fn references<'a>(pod: &PodSpec<'a>, wanted: Wanted) -> Vec<Reference<'a>> {
    let mut out = Vec::new();
    let (key_ref, env_from, volume, name_field) = match wanted {
        Wanted::ConfigMap => ("configMapKeyRef", "configMapRef", "configMap", "name"),
        Wanted::Secret => ("secretKeyRef", "secretRef", "secret", "secretName"),
        Wanted::Claim => ("", "", "persistentVolumeClaim", "claimName"),
    };
    if wanted != Wanted::Claim {
        for c in pod.containers() {
            let env = c.get("env").and_then(Value::as_seq).unwrap_or_default();
            for (i, e) in env.iter().enumerate() {
                let Some(src) = e.get("valueFrom").and_then(|v| v.get(key_ref)) else {
                    continue;
                };
                let Some(name) = src.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let base = c.pointer_to(&["env", &i.to_string(), "valueFrom", key_ref]);
                let keys = src
                    .get("key")
                    .and_then(Value::as_str)
                    .map(|k| vec![(k, ptr(&base, &["key"]))])
                    .unwrap_or_default();
                let var = e.get("name").and_then(Value::as_str).unwrap_or("");
                out.push(Reference {
                    name,
                    pointer: ptr(&base, &["name"]),
                    keys,
                    optional: optional(src),
                    optionable: true,
                    via: format!("env \"{var}\" of {}", c.describe()),
                    var: Some(var),
                    effect: "the container cannot start until it exists (CreateContainerConfigError)",
                    key_effect: "the container cannot start (CreateContainerConfigError)",
                });
            }
            let env_from_list = c.get("envFrom").and_then(Value::as_seq).unwrap_or_default();
            for (i, e) in env_from_list.iter().enumerate() {
                let Some(src) = e.get(env_from) else {
                    continue;
                };
                let Some(name) = src.get("name").and_then(Value::as_str) else {
                    continue;
                };
                out.push(Reference {
                    name,
                    pointer: c.pointer_to(&["envFrom", &i.to_string(), env_from, "name"]),
                    keys: Vec::new(),
                    optional: optional(src),
                    optionable: true,
                    via: format!("envFrom of {}", c.describe()),
                    var: None,
                    effect: "the container cannot start until it exists (CreateContainerConfigError)",
                    key_effect: "the container cannot start (CreateContainerConfigError)",
                });
            }
        }
    }
    let volumes = pod
        .get("volumes")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for (i, v) in volumes.iter().enumerate() {
        let vname = v.get("name").and_then(Value::as_str).unwrap_or("");
        let base = pod.pointer_to(&["volumes", &i.to_string()]);
        if let Some(src) = v.get(volume)
            && let Some(name) = src.get(name_field).and_then(Value::as_str)
        {
            let at = ptr(&base, &[volume]);
            out.push(Reference {
                name,
                pointer: ptr(&at, &[name_field]),
                keys: item_keys(src, &at),
                optional: optional(src),
                optionable: wanted != Wanted::Claim,
                via: format!("volume \"{vname}\""),
                var: None,
                effect: if wanted == Wanted::Claim {
                    "the pod stays Pending until it exists"
                } else {
                    "the pod cannot start until it exists (stuck in ContainerCreating)"
                },
                key_effect: "the volume cannot be mounted, so the pod cannot start",
            });
        }
        if wanted == Wanted::Claim {
            continue;
        }
        let sources = v
            .get("projected")
            .and_then(|p| p.get("sources"))
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (j, s) in sources.iter().enumerate() {
            let Some(src) = s.get(volume) else {
                continue;
            };
            let Some(name) = src.get("name").and_then(Value::as_str) else {
                continue;
            };
            let at = ptr(&base, &["projected", "sources", &j.to_string(), volume]);
            out.push(Reference {
                name,
                pointer: ptr(&at, &["name"]),
                keys: item_keys(src, &at),
                optional: optional(src),
                optionable: wanted != Wanted::Claim,
                via: format!("projected volume \"{vname}\""),
                var: None,
                effect: "the pod cannot start until it exists (stuck in ContainerCreating)",
                key_effect: "the volume cannot be mounted, so the pod cannot start",
            });
        }
    }
    if wanted == Wanted::Secret {
        let pulls = pod
            .get("imagePullSecrets")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, s) in pulls.iter().enumerate() {
            let Some(name) = s.get("name").and_then(Value::as_str) else {
                continue;
            };
            out.push(Reference {
                name,
                pointer: pod.pointer_to(&["imagePullSecrets", &i.to_string(), "name"]),
                keys: Vec::new(),
                optional: false,
                optionable: false,
                via: "imagePullSecrets".into(),
                var: None,
                effect: "private images fail to pull (ErrImagePull) until it exists",
                key_effect: "",
            });
        }
    }
    out
}

/// The keys an object holds: `data` and `binaryData` of a ConfigMap, `data`
/// and `stringData` of a Secret. `None` when they cannot be known (a
/// Secret the token controller fills).
fn keys_of(r: &Resource) -> Option<Vec<&str>> {
    if r.value.get("type").and_then(Value::as_str) == Some("kubernetes.io/service-account-token") {
        return None;
    }
    let mut keys = Vec::new();
    for field in ["data", "binaryData", "stringData"] {
        if let Some(m) = r.value.get(field).and_then(Value::as_map) {
            keys.extend(m.keys());
        }
    }
    Some(keys)
}

/// Reports the references of `refs` that name no object of the set, and the
/// keys the object lacks.
fn report_references(cx: &mut Cx<'_>, wanted: Wanted, refs: Vec<Reference<'_>>, fix: &str) {
    let Some(ns) = cx.namespace() else {
        return;
    };
    let kind = wanted.kind();
    let (index, params) = (cx.index, cx.params);
    let known = params.strings("known");
    for r in refs {
        if r.optional || is_builtin(kind, r.name) || is_known(known, Some(ns), r.name) {
            continue;
        }
        let Some(target) = index.get(kind, Some(ns), r.name) else {
            let fix = if r.optionable {
                format!("{fix}, or set `optional: true` if the pod can run without it")
            } else {
                fix.to_owned()
            };
            let help = missing_help(cx, kind, ns, r.name, &fix);
            cx.report(
                &r.pointer,
                Target::Value,
                format!(
                    "{} uses {kind} \"{}\", which is not defined in namespace \"{ns}\": {}",
                    r.via, r.name, r.effect
                ),
            )
            .help(help);
            continue;
        };
        let Some(keys) = keys_of(target) else {
            continue;
        };
        for (key, pointer) in &r.keys {
            if keys.contains(key) {
                continue;
            }
            let help = match crate::lint::rules::workloads::close_name(key, keys.iter().copied()) {
                Some(k) => format!("did you mean \"{k}\"?"),
                None if keys.is_empty() => format!(
                    "{kind} \"{}\" has no keys; add the key, or set `optional: true` if the pod can run without it",
                    r.name
                ),
                None => format!(
                    "its keys are {}; fix the key, or set `optional: true` if the pod can run without it",
                    keys.join(", ")
                ),
            };
            let location = target.location("/metadata/name", Target::Value);
            cx.report(
                pointer,
                Target::Value,
                format!(
                    "{} reads key \"{key}\" of {kind} \"{}\", which has no such key: {}",
                    r.via, r.name, r.key_effect
                ),
            )
            .help(help)
            .related(location, format!("{kind} \"{}\" is defined here", r.name));
        }
    }
}

/// How to fix a reference to a missing object: a close name in the
/// namespace, the same name in another namespace, or the general advice.
fn missing_help(cx: &Cx<'_>, kind: &str, ns: &str, name: &str, fix: &str) -> String {
    let here: Vec<&str> = cx
        .index
        .of_kind_in(kind, ns)
        .filter_map(Resource::name)
        .collect();
    if let Some(close) = crate::lint::rules::workloads::close_name(name, here.iter().copied()) {
        return format!("did you mean \"{close}\"?");
    }
    if let Some(other) = cx
        .index
        .of_kind(kind)
        .find(|r| r.name() == Some(name))
        .and_then(|r| cx.index.namespace_of(r))
    {
        return format!(
            "a {kind} \"{name}\" is defined in namespace \"{other}\", but pods can only use those of their own namespace: define it in \"{ns}\" too"
        );
    }
    format!(
        "{fix}; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter"
    )
}
