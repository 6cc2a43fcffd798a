//! What the API server rejects beyond the schema: names that are not DNS labels
//! or subdomains, malformed label keys and values, and pod specs whose parts do not
//! fit together (a mount of a volume that does not exist, two containers with one
//! name, an unsupported downward-API field).
//!
//! Messages follow the API server's validation texts, so a user who has seen the
//! `kubectl apply` error recognises it.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, Target, codes};
use crate::resource::Resource;
use crate::yaml::Value;

/// Every finding for one object.
pub fn check(r: &Resource, api: &str, kind: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    object_name(r, api, kind, &mut out);
    labels_and_annotations(r, r.value.get("metadata"), "/metadata", &mut out);
    if let Some((path, meta_path)) = crate::resource::pod_spec_pointers(api, kind) {
        // A Pod's own metadata was checked above; a template's is checked here.
        if meta_path != "/metadata"
            && let Some(meta) = r.value.pointer(meta_path)
        {
            labels_and_annotations(r, Some(meta), meta_path, &mut out);
        }
        if let Some(spec) = r.value.pointer(path) {
            // A StatefulSet's claim templates become volumes of its pods.
            let claims: Vec<&str> = r
                .value
                .pointer("/spec/volumeClaimTemplates")
                .and_then(Value::as_seq)
                .filter(|_| kind == "StatefulSet")
                .unwrap_or_default()
                .iter()
                .filter_map(|c| c.pointer("/metadata/name").and_then(Value::as_str))
                .collect();
            pod_spec(r, spec, path, &claims, &mut out);
        }
    }
    if kind == "Service" && api == "v1" {
        service_ports(r, &mut out);
    }
    if matches!(kind, "RoleBinding" | "ClusterRoleBinding") && api.starts_with("rbac.") {
        role_binding(r, kind == "RoleBinding", &mut out);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NameRule {
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
    /// RBAC and flow-control objects: anything usable as a URL path segment.
    PathSegment,
}

fn name_rule(api: &str, kind: &str) -> Option<NameRule> {
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, kind) {
        ("", "Service") => NameRule::Dns1035Label,
        ("", "Namespace") => NameRule::Dns1123Label,
        ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
        ("flowcontrol.apiserver.k8s.io", _) => NameRule::PathSegment,
        // Names with a structure of their own (`<plural>.<group>`, `<version>.<group>`)
        // and kinds the server names itself.
        (_, "CustomResourceDefinition" | "APIService" | "Event" | "List") => return None,
        (_, k) if k.ends_with("Review") => return None,
        _ => NameRule::Dns1123Subdomain,
    })
}

fn object_name(r: &Resource, api: &str, kind: &str, out: &mut Vec<Diagnostic>) {
    if let Some(ns) = r
        .value
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .filter(|ns| !ns.is_empty())
        && let Some(why) = invalid(NameRule::Dns1123Label, ns)
    {
        out.push(name_diagnostic(
            r,
            "/metadata/namespace",
            ns,
            "namespace",
            why,
            NameRule::Dns1123Label,
        ));
    }
    let Some(rule) = name_rule(api, kind) else {
        return;
    };
    let Some(name) = r
        .value
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
    else {
        return;
    };
    if name.is_empty() {
        return;
    }
    if let Some(why) = invalid(rule, name) {
        out.push(name_diagnostic(
            r,
            "/metadata/name",
            name,
            &format!("{kind} name"),
            why,
            rule,
        ));
        return;
    }
    // A CronJob's name gets an 11-character suffix in the Jobs it creates.
    if kind == "CronJob" && name.len() > 52 {
        out.push(
            r.diagnostic(
                &codes::INVALID_NAME,
                format!(
                    "`metadata.name` is {} characters long: a CronJob name must be no more than 52 characters",
                    name.len()
                ),
                "/metadata/name",
                Target::Value,
            )
            .help("shorten the name; the Jobs it creates append a timestamp suffix"),
        );
    }
}

fn name_diagnostic(
    r: &Resource,
    pointer: &str,
    value: &str,
    what: &str,
    why: String,
    rule: NameRule,
) -> Diagnostic {
    let field = dotted(pointer);
    let mut d = r.diagnostic(
        &codes::INVALID_NAME,
        format!("`{field}` is \"{value}\", which is not a valid {what}: {why}"),
        pointer,
        Target::Value,
    );
    let fixed = fix(value, rule);
    if !fixed.is_empty() && invalid(rule, &fixed).is_none() {
        d = d.help(format!("use \"{fixed}\""));
    }
    d
}

/// Why `name` breaks `rule`, in the API server's words.
fn invalid(rule: NameRule, name: &str) -> Option<String> {
    match rule {
        NameRule::Dns1123Subdomain => {
            if name.len() > 253 {
                return Some("must be no more than 253 characters".into());
            }
            let ok = name.split('.').all(label_1123_chars);
            (!ok).then(|| {
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character".into()
            })
        }
        NameRule::Dns1123Label => {
            if name.len() > 63 {
                return Some("must be no more than 63 characters".into());
            }
            (!label_1123_chars(name)).then(|| {
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character".into()
            })
        }
        NameRule::Dns1035Label => {
            if name.len() > 63 {
                return Some("must be no more than 63 characters".into());
            }
            let ok = label_1123_chars(name) && name.as_bytes()[0].is_ascii_lowercase();
            (!ok).then(|| {
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character".into()
            })
        }
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                return Some(format!("may not be '{name}'"));
            }
            name.chars()
                .find(|c| matches!(c, '/' | '%'))
                .map(|c| format!("may not contain '{c}'"))
        }
    }
}

fn label_1123_chars(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The closest valid name: lower case, other characters as `-`.
fn fix(name: &str, rule: NameRule) -> String {
    let keep_dots = rule == NameRule::Dns1123Subdomain;
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '-' => c,
            '.' if keep_dots => c,
            _ => '-',
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches(|c| c == '-' || c == '.').to_owned()
}

/// A qualified name (label or annotation key): an optional DNS subdomain prefix
/// and `/`, then a name of at most 63 characters.
fn invalid_key(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Some("prefix part must be non-empty".into());
        }
        if let Some(why) = invalid(NameRule::Dns1123Subdomain, p) {
            return Some(format!("prefix part {why}"));
        }
    }
    if name.is_empty() {
        return Some("name part must be non-empty".into());
    }
    if name.len() > 63 {
        return Some("name part must be no more than 63 characters".into());
    }
    if !label_value_chars(name) {
        return Some("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    None
}

fn label_value_chars(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

fn labels_and_annotations(
    r: &Resource,
    meta: Option<&Value>,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(meta) = meta else { return };
    for field in ["labels", "annotations"] {
        let Some(map) = meta.get(field).and_then(Value::as_map) else {
            continue;
        };
        // The pointer is built only for a finding: most keys are fine.
        let at = |key: &str| {
            let mut at = format!("{base}/{field}");
            crate::pointer::push(&mut at, key);
            at
        };
        for (key, value) in map.iter() {
            if let Some(why) = invalid_key(key) {
                out.push(
                    r.diagnostic(
                        &codes::INVALID_LABEL,
                        format!(
                            "{} key \"{key}\" is not a qualified name: {why}",
                            singular(field)
                        ),
                        &at(key),
                        Target::Key,
                    )
                    .help("e.g. app.kubernetes.io/name or tier"),
                );
            } else if field == "labels"
                && let Some(v) = value.as_str()
                && !v.is_empty()
                && (v.len() > 63 || !label_value_chars(v))
            {
                let why = if v.len() > 63 {
                    "must be no more than 63 characters"
                } else {
                    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                };
                out.push(
                    r.diagnostic(
                        &codes::INVALID_LABEL,
                        format!("label `{key}` has the value \"{v}\", which is invalid: {why}"),
                        &at(key),
                        Target::Value,
                    )
                    .help("put free text in an annotation instead"),
                );
            }
        }
    }
}

fn singular(field: &str) -> &'static str {
    if field == "labels" {
        "label"
    } else {
        "annotation"
    }
}

const CONTAINER_LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

fn pod_spec(r: &Resource, spec: &Value, base: &str, claims: &[&str], out: &mut Vec<Diagnostic>) {
    let volumes: HashSet<&str> = spec
        .get("volumes")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .chain(claims.iter().copied())
        .collect();
    if let Some(sa) = spec.get("serviceAccountName").and_then(Value::as_str)
        && !sa.is_empty()
        && let Some(why) = invalid(NameRule::Dns1123Subdomain, sa)
    {
        let at = format!("{base}/serviceAccountName");
        out.push(name_diagnostic(
            r,
            &at,
            sa,
            "ServiceAccount name",
            why,
            NameRule::Dns1123Subdomain,
        ));
    }
    let mut names: HashSet<&str> = HashSet::new();
    for list in CONTAINER_LISTS {
        let Some(containers) = spec.get(list).and_then(Value::as_seq) else {
            continue;
        };
        for (i, c) in containers.iter().enumerate() {
            let at = format!("{base}/{list}/{i}");
            container(r, c, &at, &volumes, &mut names, out);
        }
    }
    if let Some(vols) = spec.get("volumes").and_then(Value::as_seq) {
        for (i, v) in vols.iter().enumerate() {
            let items = v
                .get("downwardAPI")
                .and_then(|d| d.get("items"))
                .and_then(Value::as_seq)
                .unwrap_or_default();
            for (j, item) in items.iter().enumerate() {
                let at = format!("{base}/volumes/{i}/downwardAPI/items/{j}/fieldRef/fieldPath");
                field_path(r, item.get("fieldRef"), &at, Volume, out);
            }
        }
    }
}

fn container<'a>(
    r: &Resource,
    c: &'a Value,
    at: &str,
    volumes: &HashSet<&str>,
    names: &mut HashSet<&'a str>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(name) = c.get("name").and_then(Value::as_str)
        && !name.is_empty()
    {
        let pointer = format!("{at}/name");
        if let Some(why) = invalid(NameRule::Dns1123Label, name) {
            out.push(name_diagnostic(
                r,
                &pointer,
                name,
                "container name",
                why,
                NameRule::Dns1123Label,
            ));
        } else if !names.insert(name) {
            out.push(
                r.diagnostic(
                    &codes::INVALID_VALUE,
                    format!("duplicate container name \"{name}\": names must be unique across containers, init containers and ephemeral containers"),
                    &pointer,
                    Target::Value,
                )
                .help("rename one of the containers"),
            );
        }
    }
    if let Some(ports) = c.get("ports").and_then(Value::as_seq) {
        for (i, p) in ports.iter().enumerate() {
            if let Some(name) = p.get("name").and_then(Value::as_str)
                && let Some(why) = invalid_port_name(name)
            {
                out.push(
                    r.diagnostic(
                        &codes::INVALID_NAME,
                        format!("port name \"{name}\" is invalid: {why}"),
                        &format!("{at}/ports/{i}/name"),
                        Target::Value,
                    )
                    .help("a port name is at most 15 lower-case letters, digits and '-', with at least one letter (e.g. http, grpc-api)"),
                );
            }
        }
    }
    if let Some(mounts) = c.get("volumeMounts").and_then(Value::as_seq) {
        for (i, m) in mounts.iter().enumerate() {
            let Some(name) = m.get("name").and_then(Value::as_str) else {
                continue;
            };
            if !volumes.contains(name) {
                let mut d = r.diagnostic(
                    &codes::INVALID_VALUE,
                    format!("volume mount \"{name}\" names no volume of the pod"),
                    &format!("{at}/volumeMounts/{i}/name"),
                    Target::Value,
                );
                let close = crate::suggest::closest(name, volumes.iter().copied());
                d = match close {
                    Some(v) => d.help(format!("did you mean \"{v}\"?")),
                    None if volumes.is_empty() => {
                        d.help("add the volume under the pod's `volumes`")
                    }
                    None => d.help(format!(
                        "the pod's volumes are: {}",
                        sorted(volumes).join(", ")
                    )),
                };
                out.push(d);
            }
        }
    }
    if let Some(env) = c.get("env").and_then(Value::as_seq) {
        for (i, e) in env.iter().enumerate() {
            let field_ref = e.get("valueFrom").and_then(|v| v.get("fieldRef"));
            let pointer = format!("{at}/env/{i}/valueFrom/fieldRef/fieldPath");
            field_path(r, field_ref, &pointer, Env, out);
        }
    }
}

fn sorted<'a>(set: &HashSet<&'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = set.iter().copied().collect();
    v.sort_unstable();
    v
}

/// IANA service name rules, which container port names follow.
fn invalid_port_name(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.len() > 15 {
        Some("must be no more than 15 characters")
    } else if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        Some("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    } else if name.contains("--") {
        Some("must not contain consecutive hyphens")
    } else if !b.iter().any(u8::is_ascii_lowercase) {
        Some("must contain at least one letter (a-z)")
    } else if b.first() == Some(&b'-') || b.last() == Some(&b'-') {
        Some("must not begin or end with a hyphen")
    } else {
        None
    }
}

#[derive(Clone, Copy)]
enum FieldRefUse {
    Env,
    Volume,
}
use FieldRefUse::{Env, Volume};

fn field_path(
    r: &Resource,
    field_ref: Option<&Value>,
    at: &str,
    used: FieldRefUse,
    out: &mut Vec<Diagnostic>,
) {
    let Some(path) = field_ref
        .and_then(|f| f.get("fieldPath"))
        .and_then(Value::as_str)
    else {
        return;
    };
    let subscripted = ["metadata.labels[", "metadata.annotations["]
        .iter()
        .any(|p| path.starts_with(p) && path.ends_with(']'));
    let supported: &[&str] = match used {
        Env => &[
            "metadata.name",
            "metadata.namespace",
            "metadata.uid",
            "spec.nodeName",
            "spec.serviceAccountName",
            "status.hostIP",
            "status.hostIPs",
            "status.podIP",
            "status.podIPs",
        ],
        Volume => &[
            "metadata.name",
            "metadata.namespace",
            "metadata.uid",
            "metadata.labels",
            "metadata.annotations",
        ],
    };
    if subscripted || supported.contains(&path) {
        return;
    }
    let mut d = r.diagnostic(
        &codes::INVALID_VALUE,
        format!(
            "fieldPath \"{path}\" is not supported; supported values: {}",
            supported
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        at,
        Target::Value,
    );
    if let Some(s) = crate::suggest::closest(path, supported.iter().copied()) {
        d = d.help(format!("did you mean \"{s}\"?"));
    }
    out.push(d);
}

fn service_ports(r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(ports) = r
        .value
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(Value::as_seq)
    else {
        return;
    };
    for (i, p) in ports.iter().enumerate() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let at = format!("/spec/ports/{i}");
        if name.is_empty() {
            if ports.len() > 1 {
                out.push(
                    r.diagnostic(
                        &codes::INVALID_VALUE,
                        "a Service with more than one port must name every port",
                        &at,
                        Target::Key,
                    )
                    .help("add `name:` to this port, e.g. http"),
                );
            }
        } else if let Some(why) = invalid(NameRule::Dns1123Label, name) {
            out.push(name_diagnostic(
                r,
                &format!("{at}/name"),
                name,
                "Service port name",
                why,
                NameRule::Dns1123Label,
            ));
        }
    }
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// A value outside a fixed set, worded as the API server's `Unsupported value`.
fn unsupported(r: &Resource, pointer: &str, value: &str, supported: &[&str]) -> Diagnostic {
    let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
    let mut d = r.diagnostic(
        &codes::INVALID_VALUE,
        format!(
            "`{}` is \"{value}\", which is not supported: supported values: {}",
            dotted(pointer),
            list.join(", ")
        ),
        pointer,
        Target::Value,
    );
    let close = crate::suggest::closest(value, supported.iter().copied());
    if let Some(c) = close.filter(|c| !c.is_empty()) {
        d = d.help(format!("did you mean \"{c}\"?"));
    } else if supported == [""] {
        d = d.help("remove it, or set it to \"\"");
    }
    d
}

fn role_binding(r: &Resource, namespaced: bool, out: &mut Vec<Diagnostic>) {
    if let Some(role) = r.value.get("roleRef") {
        if let Some(group) = role.get("apiGroup").and_then(Value::as_str)
            && group != RBAC_GROUP
        {
            out.push(unsupported(r, "/roleRef/apiGroup", group, &[RBAC_GROUP]));
        }
        let kinds: &[&str] = if namespaced {
            &["Role", "ClusterRole"]
        } else {
            &["ClusterRole"]
        };
        if let Some(kind) = role.get("kind").and_then(Value::as_str)
            && !kinds.contains(&kind)
        {
            out.push(unsupported(r, "/roleRef/kind", kind, kinds));
        }
    }
    let Some(subjects) = r.value.get("subjects").and_then(Value::as_seq) else {
        return;
    };
    for (i, subject) in subjects.iter().enumerate() {
        let at = format!("/subjects/{i}");
        let group = subject
            .get("apiGroup")
            .and_then(Value::as_str)
            .unwrap_or("");
        match subject.get("kind").and_then(Value::as_str) {
            Some("ServiceAccount") => {
                if !group.is_empty() {
                    out.push(unsupported(r, &format!("{at}/apiGroup"), group, &[""]));
                }
                let namespace = subject.get("namespace").and_then(Value::as_str);
                if !namespaced && namespace.is_none_or(str::is_empty) {
                    out.push(
                        r.diagnostic(
                            &codes::INVALID_VALUE,
                            format!("`subjects[{i}].namespace` is required for a ServiceAccount in a ClusterRoleBinding"),
                            &at,
                            Target::Key,
                        )
                        .help("add `namespace:` with the ServiceAccount's namespace"),
                    );
                }
            }
            Some("User" | "Group") if group != RBAC_GROUP => {
                out.push(unsupported(
                    r,
                    &format!("{at}/apiGroup"),
                    group,
                    &[RBAC_GROUP],
                ));
            }
            Some("User" | "Group") => {}
            Some(other) => out.push(unsupported(
                r,
                &format!("{at}/kind"),
                other,
                &["ServiceAccount", "User", "Group"],
            )),
            None => {}
        }
    }
}

/// `/spec/containers/0/name` as `spec.containers[0].name`.
fn dotted(pointer: &str) -> String {
    super::dotted(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules_match_the_api_server() {
        use NameRule::*;
        for (rule, ok, bad) in [
            (
                Dns1123Subdomain,
                &["a", "web-1", "a.b.c", "0abc"][..],
                &["my_service", "tcpSocketAction", "-a", "a-", "a..b", ""][..],
            ),
            (Dns1123Label, &["web", "0a"][..], &["a.b", "Web", "x_y"][..]),
            (
                Dns1035Label,
                &["web-svc"][..],
                &["0web", "my_service", "a.b"][..],
            ),
            (
                PathSegment,
                &["system:auth-delegator", "Pod Reader"][..],
                &["a/b", "50%", ".", ".."][..],
            ),
        ] {
            for n in ok {
                assert_eq!(invalid(rule, n), None, "{rule:?} {n}");
            }
            for n in bad {
                assert!(invalid(rule, n).is_some(), "{rule:?} {n}");
            }
        }
        assert!(invalid(Dns1123Label, &"a".repeat(64)).is_some());
        assert!(invalid(Dns1123Subdomain, &"a".repeat(253)).is_none());
    }

    #[test]
    fn fixes_are_valid_names() {
        assert_eq!(fix("my_service", NameRule::Dns1035Label), "my-service");
        assert_eq!(
            fix("tcpSocketAction", NameRule::Dns1123Subdomain),
            "tcpsocketaction"
        );
        assert_eq!(
            fix("process-item-$ITEM", NameRule::Dns1123Subdomain),
            "process-item-item"
        );
    }

    #[test]
    fn qualified_keys_and_label_values() {
        assert_eq!(invalid_key("app.kubernetes.io/name"), None);
        assert_eq!(invalid_key("tier"), None);
        assert!(invalid_key("/x").is_some());
        assert!(invalid_key("Example.com/x").is_some());
        assert!(invalid_key("a/b/c").is_some());
        assert!(invalid_key(&"k".repeat(64)).is_some());
        assert!(label_value_chars("v1.2_3-x"));
        assert!(!label_value_chars("has space"));
        assert!(!label_value_chars("-x"));
    }

    #[test]
    fn port_names_follow_iana() {
        assert_eq!(invalid_port_name("http"), None);
        assert_eq!(invalid_port_name("grpc-api"), None);
        assert!(invalid_port_name("8080").is_some());
        assert!(invalid_port_name("Http").is_some());
        assert!(invalid_port_name("a--b").is_some());
        assert!(invalid_port_name("very-long-port-name").is_some());
    }
}
