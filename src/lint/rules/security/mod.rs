//! Security: settings that widen what a compromised container can do to its
//! node and cluster, and secrets kept where they leak.

mod apparmor_profile;
mod automount_service_account_token;
mod bidirectional_propagation;
mod dangerous_capabilities;
mod default_service_account;
mod docker_socket;
mod drop_all_capabilities;
mod high_uid;
mod host_ipc;
mod host_network;
mod host_path;
mod host_pid;
mod host_port;
mod net_raw_capability;
mod privilege_escalation;
mod privileged_container;
mod probe_host;
mod proc_mount;
mod read_only_root_filesystem;
mod run_as_non_root;
mod run_as_root_user;
mod seccomp_profile;
mod secret_env_ref;
mod secret_in_annotation;
mod secret_in_env;
mod security_context_missing;
mod selinux_options;
mod sensitive_configmap;
mod sensitive_host_mount;
mod unsafe_sysctls;
mod volume_types;
mod windows_host_process;

pub use apparmor_profile::ApparmorProfile;
pub use automount_service_account_token::AutomountServiceAccountToken;
pub use bidirectional_propagation::BidirectionalPropagation;
pub use dangerous_capabilities::DangerousCapabilities;
pub use default_service_account::DefaultServiceAccount;
pub use docker_socket::DockerSocket;
pub use drop_all_capabilities::DropAllCapabilities;
pub use high_uid::HighUid;
pub use host_ipc::HostIpc;
pub use host_network::HostNetwork;
pub use host_path::HostPath;
pub use host_pid::HostPid;
pub use host_port::HostPort;
pub use net_raw_capability::NetRawCapability;
pub use privilege_escalation::PrivilegeEscalation;
pub use privileged_container::PrivilegedContainer;
pub use probe_host::ProbeHost;
pub use proc_mount::ProcMount;
pub use read_only_root_filesystem::ReadOnlyRootFilesystem;
pub use run_as_non_root::RunAsNonRoot;
pub use run_as_root_user::RunAsRootUser;
pub use seccomp_profile::SeccompProfile;
pub use secret_env_ref::SecretEnvRef;
pub use secret_in_annotation::SecretInAnnotation;
pub use secret_in_env::SecretInEnv;
pub use security_context_missing::SecurityContextMissing;
pub use selinux_options::SelinuxOptions;
pub use sensitive_configmap::SensitiveConfigmap;
pub use sensitive_host_mount::SensitiveHostMount;
pub use unsafe_sysctls::UnsafeSysctls;
pub use volume_types::VolumeTypes;
pub use windows_host_process::WindowsHostProcess;

#[cfg(test)]
mod tests;

use crate::diagnostic::Severity;
use crate::lint::rules::pod_security;
use crate::lint::{Container, Cx, IGNORE_ANNOTATION, PodSpec, Rule, parse_ignore};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

/// A mapping under `key`, ignoring nulls and other types.
fn map<'a>(m: &'a Map, key: &str) -> Option<&'a Map> {
    m.get(key).and_then(Value::as_map)
}

fn pod_context<'a>(pod: &PodSpec<'a>) -> Option<&'a Map> {
    map(pod.spec, "securityContext")
}

fn container_context<'a>(c: &Container<'a>) -> Option<&'a Map> {
    map(c.value, "securityContext")
}

/// A security setting as a container runs with it: its own, or else the
/// pod's (the container's wins, as in Kubernetes).
struct Setting<'a> {
    value: &'a Value,
    pointer: String,
    from_pod: bool,
}

fn effective<'a>(pod: &PodSpec<'a>, c: &Container<'a>, key: &str) -> Option<Setting<'a>> {
    let set = |m: Option<&'a Map>| m?.get(key).filter(|v| !v.is_null());
    if let Some(value) = set(container_context(c)) {
        return Some(Setting {
            value,
            pointer: c.pointer_to(&["securityContext", key]),
            from_pod: false,
        });
    }
    set(pod_context(pod)).map(|value| Setting {
        value,
        pointer: pod.pointer_to(&["securityContext", key]),
        from_pod: true,
    })
}

/// Where a container setting that is missing is reported: its
/// `securityContext`, or the container when it has none.
fn context_pointer(c: &Container<'_>) -> String {
    pod_security::pss::deepest(&c.pointer, c.value, &["securityContext"])
}

/// Who a setting applies to, for messages: `container "web"` or `the pod`.
fn owner(c: &Container<'_>, s: &Setting<'_>) -> String {
    if s.from_pod {
        "the pod".to_owned()
    } else {
        c.describe()
    }
}

fn is_windows(pod: &PodSpec<'_>) -> bool {
    pod.get("os")
        .and_then(|os| os.get("name"))
        .and_then(Value::as_str)
        == Some("windows")
}

/// `hostUsers: false`: root in the pod is not root on the node.
fn in_user_namespace(pod: &PodSpec<'_>) -> bool {
    pod.get("hostUsers").and_then(Value::as_bool) == Some(false)
}

/// Whether `object` exempts itself from the rule `id` by annotation.
fn exempts(object: &Resource, id: &str) -> bool {
    object
        .value
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(IGNORE_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|text| {
            parse_ignore(text)
                .0
                .iter()
                .any(|n| *n == id || *n == "*" || n.eq_ignore_ascii_case("all"))
        })
}

/// Whether `rule` runs on the object being checked, so that a narrower rule
/// can leave to it what it reports.
fn reports(cx: &Cx<'_>, rule: &dyn Rule) -> bool {
    cx.config.resolve(rule).is_some() && !exempts(cx.object, rule.id())
}

/// The fields of a pod that `pod-security-admission` reports, with the Pod
/// Security check and the severity: a security rule leaves out a field that
/// one of its corresponding checks reports at its own severity or higher, so
/// one problem is reported once. Computed on first use: most pods give a
/// rule nothing to report.
struct Covered<'p, 'a> {
    pod: &'p PodSpec<'a>,
    found: std::cell::OnceCell<Vec<(String, &'static str, Severity)>>,
}

impl<'p, 'a> Covered<'p, 'a> {
    fn new(pod: &'p PodSpec<'a>) -> Covered<'p, 'a> {
        Covered {
            pod,
            found: std::cell::OnceCell::new(),
        }
    }

    /// Whether one of `checks` reports `pointer` at least as severely.
    fn has(&self, cx: &Cx<'_>, pointer: &str, checks: &[&str]) -> bool {
        let own = cx.severity();
        self.found
            .get_or_init(|| pod_security::covered(cx, self.pod))
            .iter()
            .any(|(p, c, s)| p == pointer && checks.contains(c) && *s >= own)
    }
}

/// Words that make a name (an environment variable, a configuration key)
/// hold a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "PRIVATE_KEY",
    "PRIVATEKEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "CREDENTIAL",
];

/// Endings that make such a name refer to a secret rather than hold it
/// (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`).
const REFERENCE_ENDINGS: &[&str] = &[
    "FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "NAME", "REF", "_ID", "TTL", "TIMEOUT",
    "EXPIRY", "LENGTH", "TYPE", "HEADER", "ENABLED", "MOUNT", "LOCATION",
];

/// Whether a name says its value is a secret.
fn secret_like_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase().replace(['-', '.', ' '], "_");
    let secret = SECRET_WORDS.iter().any(|w| n.contains(w)) || n.ends_with("_PWD");
    secret && !REFERENCE_ENDINGS.iter().any(|e| n.ends_with(e))
}

/// Whether a value written next to a secret-like name is a literal secret
/// rather than a placeholder, a reference or a path.
fn literal_secret(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    !v.is_empty()
        && !v.starts_with(['{', '[', '|', '>', '&', '*'])
        && !v.starts_with("${")
        && !v.starts_with("$(")
        && !v.starts_with("{{")
        && !v.starts_with('<')
        && !v.starts_with('/')
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "~"
        )
}

/// What in a text looks like a secret, described without quoting it.
fn secret_in_text(text: &str) -> Option<String> {
    use std::sync::LazyLock;

    use regex::Regex;

    static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "a private key"),
            (r"\bAKIA[0-9A-Z]{16}\b", "an AWS access key ID"),
            (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "a GitHub token"),
            (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", "a Slack token"),
            (
                r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",
                "a URL with a password",
            ),
        ]
        .into_iter()
        .filter_map(|(re, what)| Some((Regex::new(re).ok()?, what)))
        .collect()
    });
    if let Some((_, what)) = PATTERNS.iter().find(|(re, _)| re.is_match(text)) {
        return Some((*what).to_owned());
    }
    // `password: x`, `db.password=x`, `"apiKey": "x"` in configuration files.
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line);
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let Some(i) = line.find([':', '=']) else {
            continue;
        };
        let key = line[..i].trim().trim_matches(|c| c == '"' || c == '\'');
        let value = line[i + 1..].trim().trim_end_matches(',');
        if !key.is_empty()
            && !key.contains(char::is_whitespace)
            && secret_like_name(key)
            && literal_secret(value)
        {
            return Some(format!("a value for `{key}` (line {})", n + 1));
        }
    }
    None
}

/// Reports `spec.<key>: true` (hostNetwork, hostPID, hostIPC).
fn host_namespace(cx: &mut Cx<'_>, pod: &PodSpec<'_>, key: &str, what: &str, help: &str) {
    if pod.get(key).and_then(Value::as_bool) != Some(true) {
        return;
    }
    let pointer = pod.pointer_to(&[key]);
    if Covered::new(pod).has(cx, &pointer, &["hostNamespaces"]) {
        return;
    }
    cx.report(
        &pointer,
        crate::diagnostic::Target::Value,
        format!("the pod shares the node's {what} ({key}: true)"),
    )
    .help(help);
}
