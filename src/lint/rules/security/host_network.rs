use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Pods must not use the node's network namespace.
    ///
    /// ## What it checks
    ///
    /// `spec.hostNetwork: true` in a Pod or pod template.
    ///
    /// ## Why
    ///
    /// A pod in the node's network namespace uses the node's network stack: it
    /// sees every interface of the node, can bind any of its ports and bypasses
    /// NetworkPolicies. The Pod Security `baseline` level forbids it (check
    /// `hostNamespaces`); when `pod-security-admission` already reports the
    /// field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   hostNetwork: true
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
    pub struct HostNetwork {
        id: "host-network",
        category: Security,
        severity: Error,
    }
}

impl Rule for HostNetwork {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        super::host_namespace(
            cx,
            pod,
            "hostNetwork",
            "network namespace",
            "remove `hostNetwork: true` and expose the pod through a Service: with the node's network namespace it sees all the node's traffic and bypasses NetworkPolicies",
        );
    }
}
