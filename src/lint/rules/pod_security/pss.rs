//! The Pod Security Standards as the PodSecurity admission controller
//! evaluates them: the checks of each level, the policy versions they apply
//! from, and the reason and detail each failing check adds to the admission
//! message. Every check also names the fields that make it fail, so findings
//! can point at them.

use std::collections::BTreeSet;
use std::fmt;

use crate::diagnostic::Target;
use crate::lint::config::PodSecurityLevel as Level;
use crate::lint::{Container, PodSpec};
use crate::yaml::{Map, Value};

/// A policy version: `latest` or `v1.N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyVersion {
    Latest,
    Minor(u16),
}

impl PolicyVersion {
    /// Parses a `pod-security.kubernetes.io/*-version` label value.
    pub fn parse(s: &str) -> Option<PolicyVersion> {
        if s == "latest" {
            return Some(PolicyVersion::Latest);
        }
        let minor = s.strip_prefix("v1.")?;
        let canonical = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !canonical {
            return None;
        }
        minor.parse().ok().map(PolicyVersion::Minor)
    }

    /// The minor version whose checks apply on a cluster at `cluster`: the
    /// admission controller knows no check newer than its own release.
    pub fn effective(self, cluster: u16) -> u16 {
        match self {
            PolicyVersion::Latest => cluster,
            PolicyVersion::Minor(m) => m.min(cluster),
        }
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyVersion::Latest => f.write_str("latest"),
            PolicyVersion::Minor(m) => write!(f, "v1.{m}"),
        }
    }
}

/// A field that makes a check fail, relative to the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offender {
    pub pointer: String,
    pub target: Target,
}

/// One failing check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The check id (`allowPrivilegeEscalation`).
    pub check: &'static str,
    /// The level that introduces the check.
    pub level: Level,
    pub reason: String,
    pub detail: String,
    /// The offending fields, the first one the most telling.
    pub offenders: Vec<Offender>,
    /// How to fix it, for the help line.
    pub fix: &'static str,
}

impl Violation {
    /// `reason (detail)`, as the admission message lists each check.
    pub fn text(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// The admission message's list of failures: `reason (detail), ...`.
#[cfg(test)]
pub fn aggregate(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A pod as the checks see it.
pub struct Pod<'a> {
    pub spec: &'a PodSpec<'a>,
    containers: Vec<Container<'a>>,
    annotations: Option<&'a Map>,
}

impl<'a> Pod<'a> {
    pub fn new(spec: &'a PodSpec<'a>) -> Pod<'a> {
        let annotations = spec
            .object
            .value
            .pointer(spec.metadata_pointer)
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_map);
        Pod {
            spec,
            containers: spec.containers(),
            annotations,
        }
    }

    fn security_context(&self) -> Option<&'a Map> {
        map(self.spec.spec, "securityContext")
    }

    fn windows(&self) -> bool {
        self.spec
            .get("os")
            .and_then(|os| os.get("name"))
            .and_then(Value::as_str)
            == Some("windows")
    }

    /// `hostUsers: false`: the pod runs in a user namespace.
    fn user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Value::as_bool) == Some(false)
    }

    fn annotation_pointer(&self, key: &str) -> String {
        let mut p = self.spec.metadata_pointer.to_owned();
        crate::pointer::push(&mut p, "annotations");
        crate::pointer::push(&mut p, key);
        p
    }
}

/// A mapping under `key`, ignoring nulls and other types.
fn map<'a>(m: &'a Map, key: &str) -> Option<&'a Map> {
    m.get(key).and_then(Value::as_map)
}

fn container_context<'a>(c: &Container<'a>) -> Option<&'a Map> {
    map(c.value, "securityContext")
}

fn flag(m: Option<&Map>, key: &str) -> Option<bool> {
    m?.get(key).and_then(Value::as_bool)
}

fn present(m: &Map, key: &str) -> bool {
    m.get(key).is_some_and(|v| !v.is_null())
}

/// The pointer of the deepest node that exists along `path` below `root`
/// (which is at `base`): where something missing is reported.
pub fn deepest(base: &str, root: &Map, path: &[&str]) -> String {
    let mut p = base.to_owned();
    let mut cur = root;
    for seg in path {
        match cur.get(seg) {
            Some(v) if !v.is_null() => {
                crate::pointer::push(&mut p, seg);
                match v.as_map() {
                    Some(m) => cur = m,
                    None => break,
                }
            }
            _ => break,
        }
    }
    p
}

fn value_at(pointer: String) -> Offender {
    Offender {
        pointer,
        target: Target::Value,
    }
}

fn key_at(pointer: String) -> Offender {
    Offender {
        pointer,
        target: Target::Key,
    }
}

/// `"a", "b"`, as the admission controller quotes names.
pub fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural<'s>(one: &'s str, many: &'s str, n: usize) -> &'s str {
    if n == 1 { one } else { many }
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        plural("container", "containers", names.len()),
        join_quote(names)
    )
}

/// `pod`, `container "a"`, `pod and containers "a", "b"`.
fn setters(pod: bool, containers: &[&str]) -> String {
    let mut parts = Vec::new();
    if pod {
        parts.push("pod".to_owned());
    }
    if !containers.is_empty() {
        parts.push(containers_phrase(containers));
    }
    parts.join(" and ")
}

/// Go's `%q` for the ASCII and printable text annotations hold.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

type CheckFn = fn(&Pod<'_>, u16) -> Option<Violation>;

struct Check {
    id: &'static str,
    level: Level,
    /// The first policy version (minor) the check applies to.
    since: u16,
    /// The baseline check this restricted check replaces.
    overrides: Option<&'static str>,
    run: CheckFn,
}

const CHECKS: &[Check] = &[
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: app_armor_profile,
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: capabilities_baseline,
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: host_namespaces,
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: host_path_volumes,
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: host_ports,
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        since: 34,
        overrides: None,
        run: host_probes,
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: privileged,
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: proc_mount_baseline,
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: se_linux_options,
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: seccomp_baseline,
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: sysctls,
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        since: 0,
        overrides: None,
        run: windows_host_process,
    },
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        since: 8,
        overrides: None,
        run: allow_privilege_escalation,
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        since: 22,
        overrides: Some("capabilities_baseline"),
        run: capabilities_restricted,
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        since: 35,
        overrides: Some("procMount"),
        run: proc_mount_restricted,
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        since: 0,
        overrides: Some("hostPathVolumes"),
        run: restricted_volumes,
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        since: 0,
        overrides: None,
        run: run_as_non_root,
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        since: 23,
        overrides: None,
        run: run_as_user,
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        since: 19,
        overrides: Some("seccompProfile_baseline"),
        run: seccomp_restricted,
    },
];

/// The checks of `level` at policy version `1.<minor>`, in the order the
/// admission message lists them: baseline ids bytewise, then restricted ids
/// bytewise, each baseline check replaced by its restricted override.
fn checks_for(level: Level, minor: u16) -> Vec<&'static Check> {
    if level == Level::Privileged {
        return Vec::new();
    }
    let active: Vec<&'static Check> = CHECKS
        .iter()
        .filter(|c| c.since <= minor && c.level <= level)
        .collect();
    let overridden: Vec<&str> = active.iter().filter_map(|c| c.overrides).collect();
    let mut out: Vec<&'static Check> = active
        .into_iter()
        .filter(|c| !overridden.contains(&c.id))
        .collect();
    out.sort_by(|a, b| (a.level, a.id.as_bytes()).cmp(&(b.level, b.id.as_bytes())));
    out
}

/// The baseline check a restricted check replaces, or the check itself: two
/// checks of one family judge the same fields.
pub fn family(check: &str) -> &str {
    CHECKS
        .iter()
        .find(|c| c.id == check)
        .and_then(|c| c.overrides)
        .unwrap_or(check)
}

/// Every check of `level` at `1.<minor>` that the pod fails, in message order.
pub fn evaluate(pod: &Pod<'_>, level: Level, minor: u16) -> Vec<Violation> {
    checks_for(level, minor)
        .into_iter()
        .filter_map(|c| {
            let mut v = (c.run)(pod, minor)?;
            v.check = c.id;
            v.level = c.level;
            Some(v)
        })
        .collect()
}

fn violation(
    reason: impl Into<String>,
    detail: String,
    offenders: Vec<Offender>,
    fix: &'static str,
) -> Option<Violation> {
    Some(Violation {
        check: "",
        level: Level::Baseline,
        reason: reason.into(),
        detail,
        offenders,
        fix,
    })
}

// Baseline checks.

fn host_namespaces(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut offenders = Vec::new();
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.spec.get(key).and_then(Value::as_bool) == Some(true) {
            parts.push(format!("{key}=true"));
            offenders.push(value_at(pod.spec.pointer_to(&[key])));
        }
    }
    if parts.is_empty() {
        return None;
    }
    violation(
        "host namespaces",
        parts.join(", "),
        offenders,
        "remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false)",
    )
}

fn privileged(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        if flag(container_context(c), "privileged") == Some(true) {
            names.push(c.name);
            offenders.push(value_at(c.pointer_to(&["securityContext", "privileged"])));
        }
    }
    if names.is_empty() {
        return None;
    }
    violation(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&names)
        ),
        offenders,
        "remove `privileged: true` and add only the capabilities the container needs",
    )
}

/// What the baseline level lets a container add: the container runtimes'
/// default set, without NET_RAW.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The `capabilities.add` entries of a container, with their pointers.
fn added_capabilities<'a>(c: &Container<'a>) -> Vec<(&'a str, String)> {
    let Some(add) = container_context(c)
        .and_then(|sc| map(sc, "capabilities"))
        .and_then(|caps| caps.get("add"))
        .and_then(Value::as_seq)
    else {
        return Vec::new();
    };
    add.iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let mut p = c.pointer_to(&["securityContext", "capabilities", "add"]);
            crate::pointer::push_index(&mut p, i);
            Some((v.as_str()?, p))
        })
        .collect()
}

fn capabilities_baseline(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut caps = BTreeSet::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        let mut bad = false;
        for (cap, pointer) in added_capabilities(c) {
            if !BASELINE_CAPABILITIES.contains(&cap) {
                bad = true;
                caps.insert(cap);
                offenders.push(value_at(pointer));
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let caps: Vec<&str> = caps.into_iter().collect();
    violation(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&names),
            join_quote(&caps)
        ),
        offenders,
        "remove them from securityContext.capabilities.add: the baseline level allows only the container runtime's default capabilities (without NET_RAW)",
    )
}

/// The pod's volumes: name, the volume mapping and its pointer.
fn volumes<'a>(pod: &Pod<'a>) -> Vec<(&'a str, &'a Map, String)> {
    let Some(items) = pod.spec.get("volumes").and_then(Value::as_seq) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let m = v.as_map()?;
            let mut p = pod.spec.pointer_to(&["volumes"]);
            crate::pointer::push_index(&mut p, i);
            Some((m.get("name").and_then(Value::as_str).unwrap_or(""), m, p))
        })
        .collect()
}

fn host_path_volumes(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut offenders = Vec::new();
    for (name, v, pointer) in volumes(pod) {
        if present(v, "hostPath") {
            names.push(name);
            let mut p = pointer;
            crate::pointer::push(&mut p, "hostPath");
            offenders.push(key_at(p));
        }
    }
    if names.is_empty() {
        return None;
    }
    violation(
        "hostPath volumes",
        format!(
            "{} {}",
            plural("volume", "volumes", names.len()),
            join_quote(&names)
        ),
        offenders,
        "use an emptyDir, configMap, secret or persistentVolumeClaim volume instead of hostPath",
    )
}

fn host_ports(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut ports = BTreeSet::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        let Some(items) = c.get("ports").and_then(Value::as_seq) else {
            continue;
        };
        let mut bad = false;
        for (i, port) in items.iter().enumerate() {
            let Some(host) = port.get("hostPort").and_then(Value::as_i64) else {
                continue;
            };
            if host != 0 {
                bad = true;
                // Listed as strings, so sorted as strings.
                ports.insert(host.to_string());
                let mut p = c.pointer_to(&["ports"]);
                crate::pointer::push_index(&mut p, i);
                crate::pointer::push(&mut p, "hostPort");
                offenders.push(value_at(p));
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.into_iter().collect();
    violation(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            plural("uses", "use", names.len()),
            plural("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        offenders,
        "remove hostPort and reach the container through a Service",
    )
}

const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

fn app_armor_profile(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut values = BTreeSet::new();
    let mut offenders = Vec::new();
    // A profile without a type has the type "", which is not allowed.
    let mut check = |sc: Option<&Map>, base: String| -> bool {
        let Some(profile) = sc.and_then(|sc| map(sc, "appArmorProfile")) else {
            return true;
        };
        let kind = profile.get("type").and_then(Value::as_str).unwrap_or("");
        if matches!(kind, "RuntimeDefault" | "Localhost") {
            return true;
        }
        values.insert(kind.to_owned());
        offenders.push(if present(profile, "type") {
            value_at(format!("{base}/appArmorProfile/type"))
        } else {
            key_at(format!("{base}/appArmorProfile"))
        });
        false
    };
    let pod_bad = !check(
        pod.security_context(),
        pod.spec.pointer_to(&["securityContext"]),
    );
    let mut names = Vec::new();
    for c in &pod.containers {
        if !check(container_context(c), c.pointer_to(&["securityContext"])) {
            names.push(c.name);
        }
    }
    let mut annotations = Vec::new();
    for (k, v) in pod.annotations.into_iter().flat_map(Map::iter) {
        let Some(v) = v.as_str() else {
            continue;
        };
        let allowed = v.is_empty() || v == "runtime/default" || v.starts_with("localhost/");
        if k.starts_with(APPARMOR_ANNOTATION) && !allowed {
            annotations.push((format!("{k}={}", go_quote(v)), pod.annotation_pointer(k)));
        }
    }
    annotations.sort();
    let mut list: Vec<String> = values.into_iter().collect();
    let mut who = setters(pod_bad, &names);
    if !annotations.is_empty() {
        let what = plural("annotation", "annotations", annotations.len());
        who = if who.is_empty() {
            what.to_owned()
        } else {
            format!("{who} and {what}")
        };
    }
    if who.is_empty() {
        return None;
    }
    for (text, pointer) in annotations {
        list.push(text);
        offenders.push(value_at(pointer));
    }
    violation(
        plural(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            list.len(),
        ),
        format!(
            "{who} must not set AppArmor profile type to {}",
            join_quote(&list)
        ),
        offenders,
        "use the RuntimeDefault profile (the default when nothing is set) or a Localhost profile",
    )
}

fn se_linux_options(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    let allowed: &[&str] = if minor >= 31 {
        &[
            "",
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ]
    } else {
        &["", "container_t", "container_init_t", "container_kvm_t"]
    };
    let mut types = BTreeSet::new();
    let (mut user, mut role) = (false, false);
    let mut offenders = Vec::new();
    let mut check = |sc: Option<&Map>, base: String| -> bool {
        let Some(opts) = sc.and_then(|sc| map(sc, "seLinuxOptions")) else {
            return true;
        };
        let mut ok = true;
        let kind = opts.get("type").and_then(Value::as_str).unwrap_or("");
        if !allowed.contains(&kind) {
            ok = false;
            types.insert(kind.to_owned());
            offenders.push(value_at(format!("{base}/seLinuxOptions/type")));
        }
        for (key, set) in [("user", &mut user), ("role", &mut role)] {
            if opts
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
            {
                ok = false;
                *set = true;
                offenders.push(value_at(format!("{base}/seLinuxOptions/{key}")));
            }
        }
        ok
    };
    let pod_bad = !check(
        pod.security_context(),
        pod.spec.pointer_to(&["securityContext"]),
    );
    let mut names = Vec::new();
    for c in &pod.containers {
        if !check(container_context(c), c.pointer_to(&["securityContext"])) {
            names.push(c.name);
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !types.is_empty() {
        let types: Vec<String> = types.into_iter().collect();
        data.push(format!(
            "{} {}",
            plural("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if user {
        data.push("user may not be set".to_owned());
    }
    if role {
        data.push("role may not be set".to_owned());
    }
    violation(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters(pod_bad, &names),
            data.join("; ")
        ),
        offenders,
        "leave seLinuxOptions.user and .role unset and use one of the container SELinux types, such as container_t",
    )
}

fn proc_mount_baseline(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 35 && pod.user_namespace() {
        return None;
    }
    proc_mount_restricted(pod, minor)
}

fn proc_mount_restricted(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut kinds = BTreeSet::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        let Some(kind) = container_context(c)
            .and_then(|sc| sc.get("procMount"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        if kind != "Default" {
            names.push(c.name);
            kinds.insert(kind);
            offenders.push(value_at(c.pointer_to(&["securityContext", "procMount"])));
        }
    }
    if names.is_empty() {
        return None;
    }
    let kinds: Vec<&str> = kinds.into_iter().collect();
    violation(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&names),
            join_quote(&kinds)
        ),
        offenders,
        "remove securityContext.procMount (or set it to Default)",
    )
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn seccomp_baseline(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor < 19 {
        return seccomp_annotations(pod);
    }
    seccomp_fields(pod, false)
}

/// Before 1.19 seccomp was set with annotations.
fn seccomp_annotations(pod: &Pod<'_>) -> Option<Violation> {
    let allowed =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut forbidden = BTreeSet::new();
    let mut offenders = Vec::new();
    let mut keys = vec![SECCOMP_POD_ANNOTATION.to_owned()];
    keys.extend(
        pod.containers
            .iter()
            .map(|c| format!("{SECCOMP_CONTAINER_ANNOTATION}{}", c.name)),
    );
    for key in keys {
        let Some(v) = pod
            .annotations
            .and_then(|a| a.get(&key))
            .and_then(Value::as_str)
        else {
            continue;
        };
        if !allowed(v) && forbidden.insert(format!("{key}={}", go_quote(v))) {
            offenders.push(value_at(pod.annotation_pointer(&key)));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    let list: Vec<String> = forbidden.into_iter().collect();
    violation(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            plural("annotation", "annotations", list.len()),
            list.join(", ")
        ),
        offenders,
        "use runtime/default, docker/default or a localhost/ profile",
    )
}

/// The seccomp fields; `required` (restricted) also wants every container
/// covered by a pod or container profile.
fn seccomp_fields(pod: &Pod<'_>, required: bool) -> Option<Violation> {
    let mut values = BTreeSet::new();
    let mut offenders = Vec::new();
    // Some(true): a good profile, Some(false): a bad one, None: unset.
    let mut check = |sc: Option<&Map>, base: String| -> Option<bool> {
        let profile = sc.and_then(|sc| map(sc, "seccompProfile"))?;
        let kind = profile.get("type").and_then(Value::as_str).unwrap_or("");
        if matches!(kind, "RuntimeDefault" | "Localhost") {
            return Some(true);
        }
        values.insert(kind.to_owned());
        offenders.push(if present(profile, "type") {
            value_at(format!("{base}/seccompProfile/type"))
        } else {
            key_at(format!("{base}/seccompProfile"))
        });
        Some(false)
    };
    let pod_profile = check(
        pod.security_context(),
        pod.spec.pointer_to(&["securityContext"]),
    );
    let mut bad = Vec::new();
    let mut unset = Vec::new();
    for c in &pod.containers {
        match check(container_context(c), c.pointer_to(&["securityContext"])) {
            Some(false) => bad.push(c.name),
            None if pod_profile != Some(true) => unset.push(c),
            _ => {}
        }
    }
    let fix =
        "set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) in the pod spec";
    let pod_bad = pod_profile == Some(false);
    if pod_bad || !bad.is_empty() {
        let values: Vec<String> = values.into_iter().collect();
        return violation(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters(pod_bad, &bad),
                join_quote(&values)
            ),
            offenders,
            fix,
        );
    }
    if !required || unset.is_empty() {
        return None;
    }
    let names: Vec<&str> = unset.iter().map(|c| c.name).collect();
    let offenders = unset
        .iter()
        .map(|c| key_at(deepest(&c.pointer, c.value, &["securityContext"])))
        .collect();
    violation(
        "seccompProfile",
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&names)
        ),
        offenders,
        fix,
    )
}

/// The sysctls the baseline level allows at policy version `1.<minor>`.
pub fn safe_sysctls(minor: u16) -> Vec<&'static str> {
    let mut out = vec![
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    if minor >= 27 {
        out.push("net.ipv4.ip_local_reserved_ports");
    }
    if minor >= 29 {
        out.extend([
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ]);
    }
    if minor >= 32 {
        out.extend(["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);
    }
    if minor >= 37 {
        out.extend([
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ]);
    }
    out
}

fn sysctls(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    let safe = safe_sysctls(minor);
    let items = pod
        .security_context()
        .and_then(|sc| sc.get("sysctls"))
        .and_then(Value::as_seq)?;
    let mut names = Vec::new();
    let mut offenders = Vec::new();
    for (i, s) in items.iter().enumerate() {
        let Some(name) = s.get("name").and_then(Value::as_str) else {
            continue;
        };
        if !safe.contains(&name) {
            names.push(name);
            let mut p = pod.spec.pointer_to(&["securityContext", "sysctls"]);
            crate::pointer::push_index(&mut p, i);
            crate::pointer::push(&mut p, "name");
            offenders.push(value_at(p));
        }
    }
    if names.is_empty() {
        return None;
    }
    violation(
        "forbidden sysctls",
        names.join(", "),
        offenders,
        "remove them: the baseline level allows only the namespaced sysctls the kubelet considers safe",
    )
}

fn windows_host_process(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let host_process = |sc: Option<&Map>| {
        sc.and_then(|sc| map(sc, "windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    let mut offenders = Vec::new();
    let pod_bad = host_process(pod.security_context());
    if pod_bad {
        offenders.push(value_at(pod.spec.pointer_to(&[
            "securityContext",
            "windowsOptions",
            "hostProcess",
        ])));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if host_process(container_context(c)) {
            names.push(c.name);
            offenders.push(value_at(c.pointer_to(&[
                "securityContext",
                "windowsOptions",
                "hostProcess",
            ])));
        }
    }
    if offenders.is_empty() {
        return None;
    }
    violation(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters(pod_bad, &names)
        ),
        offenders,
        "remove windowsOptions.hostProcess (or set it to false)",
    )
}

/// Probe and lifecycle handler `host` fields of a container that are set.
pub fn handler_hosts<'a>(c: &Container<'a>) -> Vec<(&'a str, String)> {
    let mut out = Vec::new();
    let mut visit = |handler: Option<&'a Value>, path: &[&str]| {
        let Some(h) = handler.and_then(Value::as_map) else {
            return;
        };
        for action in ["httpGet", "tcpSocket"] {
            if let Some(host) = h
                .get(action)
                .and_then(|a| a.get("host"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                let mut segs = path.to_vec();
                segs.extend([action, "host"]);
                out.push((host, c.pointer_to(&segs)));
            }
        }
    };
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        visit(c.get(probe), &[probe]);
    }
    let lifecycle = c.get("lifecycle");
    for hook in ["postStart", "preStop"] {
        visit(lifecycle.and_then(|l| l.get(hook)), &["lifecycle", hook]);
    }
    out
}

fn host_probes(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        for (host, pointer) in handler_hosts(c) {
            names.insert(c.name);
            hosts.insert(host);
            offenders.push(value_at(pointer));
        }
    }
    if names.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.into_iter().collect();
    let hosts: Vec<&str> = hosts.into_iter().collect();
    violation(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            plural("uses", "use", names.len()),
            plural(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        offenders,
        "remove `host`: the kubelet then connects to the pod's own IP",
    )
}

// Restricted checks.

fn allow_privilege_escalation(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 25 && pod.windows() {
        return None;
    }
    let mut names = Vec::new();
    let mut offenders = Vec::new();
    for c in &pod.containers {
        let sc = container_context(c);
        if flag(sc, "allowPrivilegeEscalation") == Some(false) {
            continue;
        }
        names.push(c.name);
        offenders.push(match sc {
            Some(sc) if present(sc, "allowPrivilegeEscalation") => {
                value_at(c.pointer_to(&["securityContext", "allowPrivilegeEscalation"]))
            }
            _ => key_at(deepest(&c.pointer, c.value, &["securityContext"])),
        });
    }
    if names.is_empty() {
        return None;
    }
    violation(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&names)
        ),
        offenders,
        "set securityContext.allowPrivilegeEscalation: false in every container",
    )
}

fn capabilities_restricted(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 25 && pod.windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = BTreeSet::new();
    let mut drop_offenders = Vec::new();
    let mut add_offenders = Vec::new();
    for c in &pod.containers {
        let capabilities = container_context(c).and_then(|sc| map(sc, "capabilities"));
        let drops_all = capabilities
            .and_then(|caps| caps.get("drop"))
            .and_then(Value::as_seq)
            .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("ALL")));
        if !drops_all {
            missing_drop.push(c.name);
            drop_offenders.push(key_at(deepest(
                &c.pointer,
                c.value,
                &["securityContext", "capabilities", "drop"],
            )));
        }
        let mut bad = false;
        for (cap, pointer) in added_capabilities(c) {
            if cap != "NET_BIND_SERVICE" {
                bad = true;
                caps.insert(cap);
                add_offenders.push(value_at(pointer));
            }
        }
        if bad {
            adding.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        let caps: Vec<&str> = caps.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&caps)
        ));
    }
    if details.is_empty() {
        return None;
    }
    drop_offenders.extend(add_offenders);
    violation(
        "unrestricted capabilities",
        details.join("; "),
        drop_offenders,
        "set securityContext.capabilities.drop: [\"ALL\"] and add back at most NET_BIND_SERVICE",
    )
}

/// Volume sources the restricted level allows.
const ALLOWED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Volume sources the restricted level forbids, in the order the admission
/// controller looks for them.
pub const RESTRICTED_VOLUMES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// The restricted type of a volume (`unknown` when it names none), or `None`
/// when the restricted level allows it.
pub fn restricted_volume_type(v: &Map) -> Option<&'static str> {
    if ALLOWED_VOLUMES.iter().any(|k| present(v, k)) {
        return None;
    }
    Some(
        RESTRICTED_VOLUMES
            .iter()
            .copied()
            .find(|k| present(v, k))
            .unwrap_or("unknown"),
    )
}

fn restricted_volumes(pod: &Pod<'_>, _: u16) -> Option<Violation> {
    let mut names = Vec::new();
    let mut types = BTreeSet::new();
    let mut offenders = Vec::new();
    for (name, v, pointer) in volumes(pod) {
        let Some(kind) = restricted_volume_type(v) else {
            continue;
        };
        names.push(name);
        types.insert(kind);
        offenders.push(if kind == "unknown" {
            key_at(pointer)
        } else {
            let mut p = pointer;
            crate::pointer::push(&mut p, kind);
            key_at(p)
        });
    }
    if names.is_empty() {
        return None;
    }
    let types: Vec<&str> = types.into_iter().collect();
    violation(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            plural("volume", "volumes", names.len()),
            join_quote(&names),
            plural("uses", "use", names.len()),
            plural(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        offenders,
        "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes",
    )
}

fn run_as_non_root(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 35 && pod.user_namespace() {
        return None;
    }
    let pod_value = flag(pod.security_context(), "runAsNonRoot");
    let mut offenders = Vec::new();
    let pod_bad = pod_value == Some(false);
    if pod_bad {
        offenders.push(value_at(
            pod.spec.pointer_to(&["securityContext", "runAsNonRoot"]),
        ));
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in &pod.containers {
        match flag(container_context(c), "runAsNonRoot") {
            Some(false) => {
                explicit.push(c.name);
                offenders.push(value_at(c.pointer_to(&["securityContext", "runAsNonRoot"])));
            }
            Some(true) => {}
            None if pod_value != Some(true) => implicit.push(c),
            None => {}
        }
    }
    let fix = "set securityContext.runAsNonRoot: true in the pod spec (or in every container)";
    if pod_bad || !explicit.is_empty() {
        return violation(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters(pod_bad, &explicit)
            ),
            offenders,
            fix,
        );
    }
    if implicit.is_empty() {
        return None;
    }
    let names: Vec<&str> = implicit.iter().map(|c| c.name).collect();
    let offenders = implicit
        .iter()
        .map(|c| key_at(deepest(&c.pointer, c.value, &["securityContext"])))
        .collect();
    violation(
        "runAsNonRoot != true",
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&names)
        ),
        offenders,
        fix,
    )
}

fn run_as_user(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 35 && pod.user_namespace() {
        return None;
    }
    let root = |sc: Option<&Map>| {
        sc.and_then(|sc| sc.get("runAsUser"))
            .and_then(Value::as_i64)
            == Some(0)
    };
    let mut offenders = Vec::new();
    let pod_bad = root(pod.security_context());
    if pod_bad {
        offenders.push(value_at(
            pod.spec.pointer_to(&["securityContext", "runAsUser"]),
        ));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if root(container_context(c)) {
            names.push(c.name);
            offenders.push(value_at(c.pointer_to(&["securityContext", "runAsUser"])));
        }
    }
    if offenders.is_empty() {
        return None;
    }
    violation(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters(pod_bad, &names)),
        offenders,
        "run as a non-zero user ID (or leave runAsUser to the image)",
    )
}

fn seccomp_restricted(pod: &Pod<'_>, minor: u16) -> Option<Violation> {
    if minor >= 25 && pod.windows() {
        return None;
    }
    seccomp_fields(pod, true)
}

#[cfg(test)]
mod tests;
