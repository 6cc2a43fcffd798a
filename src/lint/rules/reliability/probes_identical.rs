use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Liveness and readiness probes should not be identical.
    ///
    /// ## What it checks
    ///
    /// Containers whose `livenessProbe` and `readinessProbe` are the same:
    /// the same handler, port, path and timings (key order does not matter).
    ///
    /// ## Why
    ///
    /// The two probes answer different questions: "should this container get
    /// traffic right now?" and "is it beyond repair?". When they are the
    /// same, a pod that is only busy, or waiting for a slow dependency, is
    /// taken out of the Service and restarted at the same moment, which
    /// turns a load spike into a wave of restarts. Make the liveness probe
    /// more lenient (a higher `failureThreshold`, a cheaper endpoint that
    /// does not check dependencies).
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
    ///     readinessProbe:
    ///       httpGet: {path: /health, port: 8080}
    ///       periodSeconds: 5
    ///     livenessProbe:
    ///       httpGet: {path: /health, port: 8080}
    ///       periodSeconds: 5
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
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: 8080}
    ///       periodSeconds: 5
    ///     livenessProbe:
    ///       httpGet: {path: /livez, port: 8080}
    ///       periodSeconds: 10
    ///       failureThreshold: 6
    /// ```
    pub struct ProbesIdentical {
        id: "probes-identical",
        category: Reliability,
        severity: Warning,
    }
}

/// Structural equality that ignores the order of mapping keys.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

impl Rule for ProbesIdentical {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let (Some(live), Some(ready)) = (c.get("livenessProbe"), c.get("readinessProbe")) else {
            return;
        };
        if !same(live, ready) {
            return;
        }
        cx.report(
            &c.pointer_to(&["livenessProbe"]),
            Target::Key,
            format!(
                "{} has identical liveness and readiness probes: when they fail, the pod leaves the Service and is restarted at the same moment",
                c.describe()
            ),
        )
        .help("make the liveness probe more lenient than the readiness probe: a higher `failureThreshold`, or an endpoint that does not check dependencies");
    }
}
