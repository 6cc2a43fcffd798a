use crate::diagnostic::Target;
use crate::lint::rules::workloads::ports;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A probe's named port should be declared by its container.
    ///
    /// ## What it checks
    ///
    /// The `httpGet.port` and `tcpSocket.port` of every liveness, readiness
    /// and startup probe: when given by name, the container must declare a
    /// port of that name in its own `ports`. Numeric ports need no
    /// declaration and are not checked.
    ///
    /// ## Why
    ///
    /// The kubelet resolves a named probe port among the container's own
    /// ports. When the name is not there the probe fails on every attempt:
    /// a failing liveness or startup probe restarts the container forever,
    /// a failing readiness probe keeps the pod out of its Services.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     ports:
    ///     - {name: http, containerPort: 8080}
    ///     livenessProbe:
    ///       httpGet: {path: /livez, port: healthz}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     ports:
    ///     - {name: http, containerPort: 8080}
    ///     livenessProbe:
    ///       httpGet: {path: /livez, port: http}
    /// ```
    pub struct ProbePort {
        id: "probe-port",
        category: Reliability,
        severity: Error,
    }
}

impl Rule for ProbePort {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let declared = ports(c);
        let names: Vec<&str> = declared.iter().filter_map(|p| p.name).collect();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            for handler in ["httpGet", "tcpSocket"] {
                let Some(name) = c
                    .get(probe)
                    .and_then(|p| p.get(handler))
                    .and_then(|h| h.get("port"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                if names.contains(&name) || name.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let help = match crate::lint::rules::workloads::close_name(
                    name,
                    names.iter().copied(),
                ) {
                    Some(close) => format!("did you mean \"{close}\"?"),
                    None if names.is_empty() => format!(
                        "declare it in the container's `ports` (`- {{name: {name}, containerPort: ...}}`) or give the port as a number"
                    ),
                    None => format!(
                        "the container's named ports are {}; declare \"{name}\" or give the port as a number",
                        names.join(", ")
                    ),
                };
                cx.report(
                    &c.pointer_to(&[probe, handler, "port"]),
                    Target::Value,
                    format!(
                        "{probe} of {} targets port \"{name}\", which the container does not declare: the probe fails on every attempt",
                        c.describe()
                    ),
                )
                .help(help);
            }
        }
    }
}
