use super::{Covered, docker_socket, reports, sensitive_host_mount};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods should not mount directories of the node.
    ///
    /// ## What it checks
    ///
    /// Every `hostPath` volume of a Pod or pod template, and whether a
    /// container mounts it writable. Volumes that `sensitive-host-mount` or
    /// `docker-socket` report (when they run) are left to them.
    ///
    /// ## Why
    ///
    /// A `hostPath` volume gives the container the node's own files: a
    /// compromised container can read other pods' data and credentials from
    /// them, and a writable one can plant files the node will run. The pod
    /// also depends on what happens to be on the node it lands on. The Pod
    /// Security `baseline` level forbids `hostPath` volumes (check
    /// `hostPathVolumes`); when `pod-security-admission` already reports a
    /// volume, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     volumeMounts:
    ///     - name: html
    ///       mountPath: /usr/share/nginx/html
    ///   volumes:
    ///   - name: html
    ///     hostPath:
    ///       path: /srv/www
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     volumeMounts:
    ///     - name: html
    ///       mountPath: /usr/share/nginx/html
    ///   volumes:
    ///   - name: html
    ///     persistentVolumeClaim:
    ///       claimName: www
    /// ```
    pub struct HostPath {
        id: "host-path",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 2] = ["hostPathVolumes", "restrictedVolumes"];

/// The containers that mount the volume `name` without `readOnly: true`.
pub(super) fn writers(pod: &PodSpec<'_>, name: &str) -> Vec<String> {
    pod.containers()
        .iter()
        .filter(|c| {
            c.get("volumeMounts")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .any(|m| {
                    m.get("name").and_then(Value::as_str) == Some(name)
                        && m.get("readOnly").and_then(Value::as_bool) != Some(true)
                })
        })
        .map(|c| c.describe())
        .collect()
}

impl Rule for HostPath {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        let sockets = reports(cx, &docker_socket::DockerSocket);
        let sensitive = if reports(cx, &sensitive_host_mount::SensitiveHostMount) {
            sensitive_host_mount::paths(cx)
        } else {
            Vec::new()
        };
        for (i, v) in pod
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(host) = v.get("hostPath").filter(|h| !h.is_null()) else {
                continue;
            };
            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
            let path = host.get("path").and_then(Value::as_str).unwrap_or("");
            if (sockets && docker_socket::runtime_socket(path).is_some())
                || sensitive_host_mount::matches(&sensitive, path).is_some()
            {
                continue;
            }
            let pointer = pod.pointer_to(&["volumes", &i.to_string(), "hostPath"]);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            let writers = writers(pod, name);
            let how = match writers.as_slice() {
                [] => String::new(),
                [one] => format!(", writable for {one}"),
                [first, ..] => format!(", writable for {first} and others"),
            };
            cx.report(
                &pointer,
                Target::Key,
                format!("volume \"{name}\" mounts the node's path {path}{how}"),
            )
            .help(if writers.is_empty() {
                "use an emptyDir, configMap, secret or persistentVolumeClaim volume instead: a hostPath volume exposes the node's files to the container"
            } else {
                "use an emptyDir, configMap, secret or persistentVolumeClaim volume instead, or at least mount it with `readOnly: true`: a writable hostPath lets the container change the node's files"
            });
        }
    }
}
