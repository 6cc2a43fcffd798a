use super::{Covered, container_context, map, pod_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::{Map, Value};

declare_rule! {
    /// Windows pods must not run as host processes.
    ///
    /// ## What it checks
    ///
    /// `securityContext.windowsOptions.hostProcess: true` in the pod spec or
    /// any container.
    ///
    /// ## Why
    ///
    /// A HostProcess container runs directly on the Windows node, in its
    /// network and file system, with the privileges of a node account: it is
    /// the Windows counterpart of a privileged container. The Pod Security
    /// `baseline` level forbids it (check `windowsHostProcess`); when
    /// `pod-security-admission` already reports a field, this rule leaves it
    /// out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: win-agent
    /// spec:
    ///   os: {name: windows}
    ///   hostNetwork: false
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   containers:
    ///   - name: agent
    ///     image: example/win-agent:1.0.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: win-agent
    /// spec:
    ///   os: {name: windows}
    ///   securityContext:
    ///     windowsOptions:
    ///       runAsUserName: ContainerUser
    ///   containers:
    ///   - name: agent
    ///     image: example/win-agent:1.0.0
    /// ```
    pub struct WindowsHostProcess {
        id: "windows-host-process",
        category: Security,
        severity: Error,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["windowsHostProcess"];

fn host_process(sc: Option<&Map>) -> bool {
    sc.and_then(|sc| map(sc, "windowsOptions"))
        .and_then(|w| w.get("hostProcess"))
        .and_then(Value::as_bool)
        == Some(true)
}

impl Rule for WindowsHostProcess {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        let mut found = Vec::new();
        if host_process(pod_context(pod)) {
            found.push((
                pod.pointer_to(&["securityContext", "windowsOptions", "hostProcess"]),
                "the pod".to_owned(),
            ));
        }
        for c in pod.containers() {
            if host_process(container_context(&c)) {
                found.push((
                    c.pointer_to(&["securityContext", "windowsOptions", "hostProcess"]),
                    c.describe(),
                ));
            }
        }
        for (pointer, who) in found {
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("{who} runs as a Windows host process"),
            )
            .help("remove `hostProcess: true`: a HostProcess container runs on the node itself, with the privileges of a node account");
        }
    }
}
