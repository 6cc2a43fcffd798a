use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods must not mount the container runtime's socket.
    ///
    /// ## What it checks
    ///
    /// `hostPath` volumes of a container runtime socket (`docker.sock`,
    /// `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, `podman.sock`,
    /// `dockershim.sock`), or of a directory that holds one (`/var/run`,
    /// `/run`, `/var/run/containerd`, `/run/crio`, ...).
    ///
    /// ## Why
    ///
    /// Whoever can talk to the runtime socket can start a privileged
    /// container with the node's root file system mounted: the socket is root
    /// on the node, outside every Kubernetes control. Builds and agents that
    /// need a runtime should use a rootless builder (BuildKit, Kaniko) or the
    /// Kubernetes API instead. The finding stands beside the `hostPath`
    /// finding of `pod-security-admission` or `host-path`: it says what the
    /// mount exposes.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: ci-runner
    /// spec:
    ///   containers:
    ///   - name: runner
    ///     image: example/runner:2.4.0
    ///     volumeMounts:
    ///     - name: docker
    ///       mountPath: /var/run/docker.sock
    ///   volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    ///       type: Socket
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: ci-runner
    /// spec:
    ///   containers:
    ///   - name: runner
    ///     image: example/runner:2.4.0
    ///     env:
    ///     - name: BUILDKIT_HOST
    ///       value: tcp://buildkitd.ci:1234
    /// ```
    pub struct DockerSocket {
        id: "docker-socket",
        category: Security,
        severity: Error,
    }
}

const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "podman.sock",
];

const SOCKET_DIRECTORIES: &[&str] = &[
    "/var/run",
    "/run",
    "/var/run/docker",
    "/run/docker",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/run/cri-dockerd",
    "/run/podman",
];

/// What of a container runtime the host path `path` exposes, if anything.
pub(super) fn runtime_socket(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let file = path.rsplit('/').next().unwrap_or(path);
    if SOCKETS.contains(&file) {
        Some("the container runtime socket")
    } else if SOCKET_DIRECTORIES.contains(&path) {
        Some("the directory of the container runtime socket")
    } else {
        None
    }
}

impl Rule for DockerSocket {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
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
            let Some(what) = runtime_socket(path) else {
                continue;
            };
            let pointer = pod.pointer_to(&["volumes", &i.to_string(), "hostPath", "path"]);
            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
            cx.report(
                &pointer,
                Target::Value,
                format!("volume \"{name}\" mounts {what} ({path})"),
            )
            .help(
                "whoever reaches the runtime socket can start privileged containers: root on the node; use a rootless builder or the Kubernetes API instead",
            );
        }
    }
}
