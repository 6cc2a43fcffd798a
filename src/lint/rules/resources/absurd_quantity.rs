use crate::diagnostic::Target;
use crate::lint::pod::{Entry, resource_label};
use crate::lint::{Cx, Param, PodSpec, Role, Rule, declare_rule};
use crate::resource::quantity::Quantity;
use crate::yaml::Value;

declare_rule! {
    /// CPU and memory quantities should be plausible.
    ///
    /// ## What it checks
    ///
    /// Requests and limits of containers, init containers and pod-level
    /// `resources`: memory below `min-memory` or above `max-memory`, CPU above
    /// `max-cpu`. Zero is left alone. A value written without a suffix gets a
    /// "did you mean" with the suffix that was probably forgotten.
    ///
    /// ## Why
    ///
    /// A quantity without a suffix is in bytes for memory and in cores for
    /// CPU: `memory: 512` is 512 bytes, too little for any process to start,
    /// and `cpu: 500` is 500 cores, more than any node has, so the pod is
    /// never scheduled. Both are valid to the API server.
    ///
    /// ## Parameters
    ///
    /// - `min-memory` (default `1Mi`): memory below this is reported;
    /// - `max-memory` (default `1Ti`): memory above this is reported;
    /// - `max-cpu` (default `64`): CPU above this many cores is reported.
    ///
    /// ```yaml
    /// rules:
    ///   absurd-quantity: {max-cpu: 192, max-memory: 4Ti}
    /// ```
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
    ///     resources:
    ///       requests: {cpu: 500, memory: 512}
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
    ///     resources:
    ///       requests: {cpu: 500m, memory: 512Mi}
    /// ```
    pub struct AbsurdQuantity {
        id: "absurd-quantity",
        category: Resources,
        severity: Warning,
        params: [
            Param::quantity("min-memory", "1Mi", "memory below this is reported"),
            Param::quantity("max-memory", "1Ti", "memory above this is reported"),
            Param::quantity("max-cpu", "64", "CPU above this many cores is reported"),
        ],
    }
}

/// Whether the value was written as a bare number (no suffix, no exponent).
fn bare_number(v: &Value) -> bool {
    match v {
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => true,
        Value::String(s) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
        _ => false,
    }
}

struct Limits {
    min_memory: Quantity,
    max_memory: Quantity,
    max_cpu: Quantity,
}

impl AbsurdQuantity {
    fn check(&self, cx: &mut Cx<'_>, who: &str, kind: &str, e: &Entry<'_>, l: &Limits) {
        let Some(q) = e.quantity else {
            return;
        };
        if q.is_zero() {
            return;
        }
        let written = e.written();
        let bare = bare_number(e.value);
        match e.name {
            "memory" if q < l.min_memory => {
                let help = if bare {
                    format!(
                        "a memory quantity without a suffix is in bytes: did you mean `{written}Mi`?"
                    )
                } else {
                    format!(
                        "no process runs in so little memory (the `min-memory` parameter is {})",
                        l.min_memory
                    )
                };
                cx.report(
                    &e.pointer,
                    Target::Value,
                    format!(
                        "{who}: memory {kind} `{written}` is only {} bytes",
                        q.value()
                    ),
                )
                .help(help);
            }
            "memory" if q > l.max_memory => {
                cx.report(
                    &e.pointer,
                    Target::Value,
                    format!(
                        "{who}: memory {kind} `{written}` is more than {} (the `max-memory` parameter)",
                        l.max_memory
                    ),
                )
                .help("no node has that much memory, so the pod would never be scheduled; check the suffix");
            }
            "cpu" if q > l.max_cpu => {
                let help = if bare {
                    format!(
                        "a CPU quantity without a suffix is in cores: did you mean `{written}m`?"
                    )
                } else {
                    format!(
                        "no node has that many cores (the `max-cpu` parameter is {}), so the pod would never be scheduled",
                        l.max_cpu
                    )
                };
                cx.report(
                    &e.pointer,
                    Target::Value,
                    format!(
                        "{who}: {} {kind} `{written}` is {} cores",
                        resource_label(e.name),
                        q
                    ),
                )
                .help(help);
            }
            _ => {}
        }
    }
}

impl Rule for AbsurdQuantity {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let params = cx.params;
        let (Some(min_memory), Some(max_memory), Some(max_cpu)) = (
            params.quantity("min-memory"),
            params.quantity("max-memory"),
            params.quantity("max-cpu"),
        ) else {
            return;
        };
        let limits = Limits {
            min_memory,
            max_memory,
            max_cpu,
        };
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let r = c.resources();
            let who = c.describe();
            for e in &r.requests {
                self.check(cx, &who, "request", e, &limits);
            }
            for e in &r.limits {
                self.check(cx, &who, "limit", e, &limits);
            }
        }
        for (key, kind) in [("requests", "request"), ("limits", "limit")] {
            let Some(map) = pod
                .get("resources")
                .and_then(|r| r.get(key))
                .and_then(Value::as_map)
            else {
                continue;
            };
            for (name, v) in map.iter() {
                let e = Entry {
                    name,
                    quantity: Quantity::from_value(v).ok(),
                    value: v,
                    pointer: pod.pointer_to(&["resources", key, name]),
                };
                self.check(cx, "the pod-level resources", kind, &e, &limits);
            }
        }
    }
}
