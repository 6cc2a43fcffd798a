use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods must not use the node's IPC namespace.
    ///
    /// ## What it checks
    ///
    /// `spec.hostIPC: true` in a Pod or pod template.
    ///
    /// ## Why
    ///
    /// A pod in the node's IPC namespace can read and write the shared memory and
    /// System V IPC objects of every process of the node. The Pod Security
    /// `baseline` level forbids it (check `hostNamespaces`); when `pod-security-
    /// admission` already reports the field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///   - name: tools
    ///     image: busybox:1.36
    ///     command: [sleep, "3600"]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   containers:
    ///   - name: tools
    ///     image: busybox:1.36
    ///     command: [sleep, "3600"]
    /// ```
    pub struct HostIpc {
        id: "host-ipc",
        category: Security,
        severity: Error,
    }
}

impl Rule for HostIpc {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::host_namespace(
            cx,
            pod,
            "hostIPC",
            "IPC namespace",
            "remove `hostIPC: true`: in the node's IPC namespace the pod can access other processes' shared memory",
        );
    }
}
