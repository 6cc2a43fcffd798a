use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods must not use the node's process namespace.
    ///
    /// ## What it checks
    ///
    /// `spec.hostPID: true` in a Pod or pod template.
    ///
    /// ## Why
    ///
    /// A pod in the node's process ID namespace sees every process of the node
    /// and, with enough privileges, can signal or trace them or read their
    /// environment (and the secrets in it). The Pod Security `baseline` level
    /// forbids it (check `hostNamespaces`); when `pod-security-admission` already
    /// reports the field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   hostPID: true
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
    pub struct HostPid {
        id: "host-pid",
        category: Security,
        severity: Error,
    }
}

impl Rule for HostPid {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::host_namespace(
            cx,
            pod,
            "hostPID",
            "process ID namespace",
            "remove `hostPID: true`: in the node's process namespace the pod can see, signal and inspect every process of the node",
        );
    }
}
