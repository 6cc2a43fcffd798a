use crate::diagnostic::Target;
use crate::lint::pod::{Entry, resource_label};
use crate::lint::rules::workloads::object_claims;
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
    /// `max-cpu`. Storage sizes below `min-storage`: the requests and limits
    /// of PersistentVolumeClaims, StatefulSet `volumeClaimTemplates` and
    /// generic ephemeral volumes, a PersistentVolume's `capacity`, and an
    /// `emptyDir` volume's `sizeLimit`. Zero is left alone. A value written
    /// without a suffix gets a "did you mean" with the suffix that was
    /// probably forgotten.
    ///
    /// ## Why
    ///
    /// A quantity without a suffix is in bytes for memory and in cores for
    /// CPU: `memory: 512` is 512 bytes, too little for any process to start,
    /// and `cpu: 500` is 500 cores, more than any node has, so the pod is
    /// never scheduled. `storage: 100` is 100 bytes: a provisioner rounds
    /// it up to its smallest volume, or creates a volume nothing fits in.
    /// All are valid to the API server.
    ///
    /// ## Parameters
    ///
    /// - `min-memory` (default `1Mi`): memory below this is reported;
    /// - `max-memory` (default `1Ti`): memory above this is reported;
    /// - `max-cpu` (default `64`): CPU above this many cores is reported;
    /// - `min-storage` (default `1Mi`): volume sizes below this are reported.
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
            Param::quantity("min-storage", "1Mi", "volume sizes below this are reported"),
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

/// A size of `storage` at `pointer` (relative to the object).
fn storage_entry<'a>(v: &'a Value, pointer: String) -> Entry<'a> {
    Entry {
        name: "storage",
        quantity: Quantity::from_value(v).ok(),
        value: v,
        pointer,
    }
}

impl AbsurdQuantity {
    /// Reports a volume size below `min-storage`; `what` is the field
    /// (`storage request`, `sizeLimit`).
    fn check_storage(&self, cx: &mut Cx<'_>, who: &str, what: &str, e: &Entry<'_>, suffix: &str) {
        let (Some(q), Some(min)) = (e.quantity, cx.params.quantity("min-storage")) else {
            return;
        };
        if q.is_zero() || q >= min {
            return;
        }
        let written = e.written();
        let help = if bare_number(e.value) {
            format!(
                "a storage quantity without a suffix is in bytes: did you mean `{written}{suffix}`?"
            )
        } else {
            format!("no volume is that small (the `min-storage` parameter is {min})")
        };
        cx.report(
            &e.pointer,
            Target::Value,
            format!("{who}: {what} `{written}` is only {} bytes", q.value()),
        )
        .help(help);
    }

    /// `requests` and `limits` of a claim spec at `base`.
    fn check_claim(&self, cx: &mut Cx<'_>, who: &str, spec: &Value, base: &str) {
        for (key, kind) in [("requests", "request"), ("limits", "limit")] {
            let Some(v) = spec
                .get("resources")
                .and_then(|r| r.get(key))
                .and_then(|m| m.get("storage"))
            else {
                continue;
            };
            let e = storage_entry(v, format!("{base}/resources/{key}/storage"));
            self.check_storage(cx, who, &format!("storage {kind}"), &e, "Gi");
        }
    }
}

impl Rule for AbsurdQuantity {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if r.kind() == Some("PersistentVolume")
            && let Some(v) = r.value.pointer("/spec/capacity/storage")
        {
            let e = storage_entry(v, "/spec/capacity/storage".into());
            let who = format!("PersistentVolume \"{}\"", r.name().unwrap_or(""));
            self.check_storage(cx, &who, "storage capacity", &e, "Gi");
        }
        for c in object_claims(r) {
            if let Some(spec) = c.claim.get("spec") {
                self.check_claim(cx, &c.who, spec, &format!("{}/spec", c.pointer));
            }
        }
        if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let volumes = pod
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, v) in volumes.iter().enumerate() {
            let vname = v.get("name").and_then(Value::as_str).unwrap_or("");
            let index = i.to_string();
            let who = format!("volume \"{vname}\"");
            if let Some(size) = v.get("emptyDir").and_then(|e| e.get("sizeLimit")) {
                let e = storage_entry(
                    size,
                    pod.pointer_to(&["volumes", &index, "emptyDir", "sizeLimit"]),
                );
                // Scratch space is sized in megabytes more often than gigabytes.
                self.check_storage(cx, &who, "emptyDir sizeLimit", &e, "Mi");
            }
            if let Some(spec) = v.pointer("/ephemeral/volumeClaimTemplate/spec") {
                let base = pod.pointer_to(&[
                    "volumes",
                    &index,
                    "ephemeral",
                    "volumeClaimTemplate",
                    "spec",
                ]);
                self.check_claim(cx, &who, spec, &base);
            }
        }
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
