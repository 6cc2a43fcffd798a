use super::Covered;
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should not bind ports of the node.
    ///
    /// ## What it checks
    ///
    /// Every `ports[].hostPort` other than 0, in any container of a Pod or pod
    /// template.
    ///
    /// ## Why
    ///
    /// A host port publishes the container on the node's own address,
    /// outside Services and (with many network plugins) outside
    /// NetworkPolicies. Only one pod per node can bind it, so the scheduler
    /// cannot place a second replica there. The Pod Security `baseline` level
    /// forbids it (check `hostPorts`); when `pod-security-admission` already
    /// reports a port, this rule leaves it out.
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
    ///     ports:
    ///     - containerPort: 80
    ///       hostPort: 8081
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
    ///     ports:
    ///     - containerPort: 80
    /// ```
    pub struct HostPort {
        id: "host-port",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["hostPorts"];

impl Rule for HostPort {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let Some(ports) = c.get("ports").and_then(Value::as_seq) else {
                continue;
            };
            for (i, port) in ports.iter().enumerate() {
                let Some(host) = port.get("hostPort").and_then(Value::as_i64) else {
                    continue;
                };
                if host == 0 {
                    continue;
                }
                let mut pointer = c.pointer_to(&["ports"]);
                crate::pointer::push_index(&mut pointer, i);
                crate::pointer::push(&mut pointer, "hostPort");
                if covered.has(cx, &pointer, &CHECKS) {
                    continue;
                }
                cx.report(
                    &pointer,
                    Target::Value,
                    format!("{} binds port {host} of the node", c.describe()),
                )
                .help(
                    "remove `hostPort` and reach the container through a Service: a host port bypasses Services and, with many network plugins, NetworkPolicies, and allows one such pod per node",
                );
            }
        }
    }
}
