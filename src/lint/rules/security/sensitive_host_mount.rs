use crate::diagnostic::Target;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods must not mount the node's system directories.
    ///
    /// ## What it checks
    ///
    /// `hostPath` volumes whose path is one of the `paths` parameter. An
    /// entry matches that directory only (`/etc`, not `/etc/pki/tls` with its
    /// public CA certificates); an entry ending with `/**` also matches
    /// everything below it (`/etc/kubernetes/**` matches
    /// `/etc/kubernetes/pki`). A trailing `/` of the mounted path is ignored.
    ///
    /// ## Why
    ///
    /// These directories hold the node's configuration, credentials (the
    /// cluster's certificates, the kubelet's client certificate, every pod's
    /// service account token under `/var/lib/kubelet`), kernel interfaces and
    /// binaries. Reading them leaks the cluster's secrets; writing them takes
    /// over the node. `host-path` reports the other `hostPath` volumes; this
    /// finding stands beside the `hostPath` finding of
    /// `pod-security-admission`, since it says what the mount exposes.
    ///
    /// ## Parameters
    ///
    /// - `paths` (default `[/, /bin, /boot/**, /dev, /etc, /etc/kubernetes/**,
    ///   /lib, /lib64, /proc, /root/**, /sbin, /sys, /usr, /var/lib/etcd/**,
    ///   /var/lib/kubelet/**]`): the sensitive directories.
    ///
    /// ```yaml
    /// rules:
    ///   sensitive-host-mount: {paths: [/, /etc/**, /proc/**, /var/lib/kubelet/**]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: node-agent
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: example/agent:3.1.0
    ///     volumeMounts:
    ///     - name: etc
    ///       mountPath: /host/etc
    ///   volumes:
    ///   - name: etc
    ///     hostPath:
    ///       path: /etc
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: node-agent
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: example/agent:3.1.0
    ///     volumeMounts:
    ///     - name: config
    ///       mountPath: /etc/agent
    ///   volumes:
    ///   - name: config
    ///     configMap:
    ///       name: agent-config
    /// ```
    pub struct SensitiveHostMount {
        id: "sensitive-host-mount",
        category: Security,
        severity: Error,
        params: [
            Param::strings(
                "paths",
                &[
                    "/", "/bin", "/boot/**", "/dev", "/etc", "/etc/kubernetes/**", "/lib",
                    "/lib64", "/proc", "/root/**", "/sbin", "/sys", "/usr", "/var/lib/etcd/**",
                    "/var/lib/kubelet/**",
                ],
                "the sensitive directories of the node (`/**` for a whole tree)",
            ),
        ],
    }
}

/// The configured sensitive directories, as the rule runs with them.
pub(super) fn paths(cx: &Cx<'_>) -> Vec<String> {
    cx.config
        .resolve(&SensitiveHostMount)
        .and_then(|(_, params)| params.strings("paths").map(<[String]>::to_vec))
        .unwrap_or_default()
}

/// `/etc/` → `/etc`, `/` stays `/`.
fn normalize(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() && path.starts_with('/') {
        "/"
    } else {
        trimmed
    }
}

/// The entry of `paths` that `path` matches, without its `/**`.
pub(super) fn matches<'p>(paths: &'p [String], path: &str) -> Option<&'p str> {
    let path = normalize(path);
    paths.iter().find_map(|entry| {
        let (dir, tree) = match entry.strip_suffix("/**") {
            Some(dir) => (normalize(dir), true),
            None => (normalize(entry), false),
        };
        let below = tree
            && path
                .strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/') || dir == "/");
        (path == dir || below).then_some(dir)
    })
}

impl Rule for SensitiveHostMount {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let paths: Vec<String> = cx
            .params
            .strings("paths")
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        for (i, v) in pod
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(path) = v
                .get("hostPath")
                .and_then(|h| h.get("path"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let Some(dir) = matches(&paths, path) else {
                continue;
            };
            let pointer = pod.pointer_to(&["volumes", &i.to_string(), "hostPath", "path"]);
            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
            let what = if dir == "/" && normalize(path) == "/" {
                "the node's whole file system".to_owned()
            } else if dir == normalize(path) {
                format!("the node's {dir}")
            } else {
                format!("{path}, inside the node's {dir}")
            };
            cx.report(
                &pointer,
                Target::Value,
                format!("volume \"{name}\" mounts {what}"),
            )
            .help(
                "mount only the files the container needs, read-only, or ship them in a ConfigMap or Secret: the node's system directories hold its credentials and configuration",
            );
        }
    }
}
