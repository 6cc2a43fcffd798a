use super::Covered;
use crate::diagnostic::Target;
use crate::lint::rules::pod_security::pss::handler_hosts;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Probes and lifecycle hooks should not name a host.
    ///
    /// ## What it checks
    ///
    /// `httpGet.host` and `tcpSocket.host` of the liveness, readiness and
    /// startup probes and of the `postStart` and `preStop` hooks of every
    /// container.
    ///
    /// ## Why
    ///
    /// Without `host` the kubelet connects to the pod's own IP, which is what
    /// a probe is for. With it, the kubelet connects from the node to any
    /// address the pod spec names: the probe checks something else than the
    /// container, and the pod can make the node reach addresses the pod
    /// itself cannot (a request forgery through the kubelet). The Pod
    /// Security `baseline` level forbids it from Kubernetes 1.34 (check
    /// `hostProbesAndHostLifecycle`); when `pod-security-admission` already
    /// reports a field, this rule leaves it out.
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
    ///     livenessProbe:
    ///       httpGet:
    ///         host: 10.0.0.12
    ///         path: /healthz
    ///         port: 80
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
    ///     livenessProbe:
    ///       httpGet:
    ///         path: /healthz
    ///         port: 80
    /// ```
    pub struct ProbeHost {
        id: "probe-host",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["hostProbesAndHostLifecycle"];

/// `the liveness probe`, `the preStop hook`, ... from a handler's pointer.
fn handler(pointer: &str) -> &'static str {
    [
        ("/livenessProbe/", "the liveness probe"),
        ("/readinessProbe/", "the readiness probe"),
        ("/startupProbe/", "the startup probe"),
        ("/postStart/", "the postStart hook"),
        ("/preStop/", "the preStop hook"),
    ]
    .into_iter()
    .find(|(seg, _)| pointer.contains(seg))
    .map_or("a handler", |(_, what)| what)
}

impl Rule for ProbeHost {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        for c in pod.containers() {
            for (host, pointer) in handler_hosts(&c) {
                if covered.has(cx, &pointer, &CHECKS) {
                    continue;
                }
                cx.report(
                    &pointer,
                    Target::Value,
                    format!(
                        "{} of {} connects to host {host}",
                        handler(&pointer),
                        c.describe()
                    ),
                )
                .help("remove `host`: the kubelet then connects to the pod's own IP; a host makes the node connect wherever the pod spec says");
            }
        }
    }
}
