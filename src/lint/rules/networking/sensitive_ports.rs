use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_kind, ports};
use crate::lint::{Cx, Param, PodSpec, Role, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Workloads should not expose remote-shell and other sensitive ports.
    ///
    /// ## What it checks
    ///
    /// Container ports (`containerPort` and `hostPort`) and Service ports
    /// (`port` and a numeric `targetPort`) in the `ports` parameter: by
    /// default 22 (SSH), 23 (Telnet), 2375 (the unencrypted Docker API) and
    /// 3389 (RDP). With `privileged-ports: true`, containers that listen on a
    /// port below 1024 are reported too.
    ///
    /// ## Why
    ///
    /// A remote shell in a container is a way in that bypasses the API
    /// server's authentication and audit log (use `kubectl exec` instead),
    /// and an unauthenticated Docker API hands out the node. Ports below
    /// 1024 need root or `NET_BIND_SERVICE` to bind, which keeps the
    /// container from running as an unprivileged user.
    ///
    /// ## Parameters
    ///
    /// - `ports` (default `["22", "23", "2375", "3389"]`): the port numbers
    ///   to report;
    /// - `privileged-ports` (default `false`): also report containers that
    ///   listen on ports below 1024.
    ///
    /// ```yaml
    /// rules:
    ///   sensitive-ports: {ports: ["22", "5900"], privileged-ports: true}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: toolbox
    /// spec:
    ///   containers:
    ///   - name: sshd
    ///     image: example/sshd:9.8
    ///     ports:
    ///     - containerPort: 22
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: toolbox
    /// spec:
    ///   containers:
    ///   - name: tools
    ///     image: example/toolbox:1.0.0
    /// ```
    pub struct SensitivePorts {
        id: "sensitive-ports",
        category: Networking,
        severity: Info,
        params: [
            Param::strings("ports", &["22", "23", "2375", "3389"], "the port numbers to report"),
            Param::boolean("privileged-ports", false, "also report container ports below 1024"),
        ],
    }
}

/// What a port is known for, for messages.
fn known_as(port: i64) -> &'static str {
    match port {
        22 => " (SSH)",
        23 => " (Telnet)",
        2375 => " (the unencrypted Docker API)",
        3389 => " (RDP)",
        5900 => " (VNC)",
        _ => "",
    }
}

fn sensitive(cx: &Cx<'_>, port: i64) -> bool {
    cx.params
        .strings("ports")
        .unwrap_or_default()
        .iter()
        .any(|p| p.trim().parse::<i64>() == Ok(port))
}

const HELP: &str = "remove the port (use `kubectl exec` for a shell), or exempt the object with `drydock.dev/ignore: sensitive-ports` if it must be exposed";

impl Rule for SensitivePorts {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
            return;
        }
        if !is_kind(r, "Service") {
            return;
        }
        let list = r
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, p) in list.iter().enumerate() {
            for field in ["port", "targetPort"] {
                let Some(n) = p.get(field).and_then(Value::as_i64) else {
                    continue;
                };
                if !sensitive(cx, n) {
                    continue;
                }
                cx.report(
                    &format!("/spec/ports/{i}/{field}"),
                    Target::Value,
                    format!(
                        "Service \"{}\" exposes port {n}{}",
                        r.name().unwrap_or(""),
                        known_as(n)
                    ),
                )
                .help(HELP);
                break;
            }
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let privileged = cx.params.boolean("privileged-ports").unwrap_or(false);
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            for p in ports(&c) {
                let host = p.host_port;
                let Some(n) = p.number else {
                    continue;
                };
                if sensitive(cx, n) || host.is_some_and(|h| sensitive(cx, h)) {
                    let shown = host.filter(|h| sensitive(cx, *h)).unwrap_or(n);
                    let field = if shown == n {
                        "containerPort"
                    } else {
                        "hostPort"
                    };
                    cx.report(
                        &format!("{}/{field}", p.pointer),
                        Target::Value,
                        format!("{} exposes port {shown}{}", c.describe(), known_as(shown)),
                    )
                    .help(HELP);
                } else if privileged && (1..1024).contains(&n) {
                    cx.report(
                        &format!("{}/containerPort", p.pointer),
                        Target::Value,
                        format!(
                            "{} listens on port {n}, below 1024: binding it needs root or the NET_BIND_SERVICE capability",
                            c.describe()
                        ),
                    )
                    .help("listen on a port of 1024 or above, and map it with the Service's `targetPort`");
                }
            }
        }
    }
}
