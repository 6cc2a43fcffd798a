use crate::diagnostic::Target;
use crate::lint::rules::workloads::describe;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods should name a PriorityClass.
    ///
    /// ## What it checks
    ///
    /// Pods and pod templates without `priorityClassName`, and, when the
    /// `allowed` parameter lists classes, those that name another one.
    /// Opt-in: enable it with `rules: {priority-class: on}`. Whether the
    /// class exists is `missing-priority-class`'s business.
    ///
    /// ## Why
    ///
    /// Without a class, pods get the cluster's global default priority
    /// (usually 0), so under resource pressure the scheduler may preempt a
    /// checkout service to make room for a batch job, and the kubelet evicts
    /// them in no useful order. Naming a class makes the ranking explicit.
    ///
    /// ## Parameters
    ///
    /// - `allowed` (default none: any class): the classes pods may name.
    ///
    /// ```yaml
    /// rules:
    ///   priority-class: {allowed: [shop-critical, shop-batch]}
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
    ///   priorityClassName: shop-critical
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    pub struct PriorityClass {
        id: "priority-class",
        category: Reliability,
        severity: Warning,
        enabled: false,
        params: [Param::strings("allowed", &[], "the classes pods may name (empty: any)")],
    }
}

impl Rule for PriorityClass {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let params = cx.params;
        let allowed = params.strings("allowed").unwrap_or_default();
        let list = allowed.join(", ");
        match pod.get("priorityClassName").and_then(Value::as_str) {
            None | Some("") => {
                let help = if allowed.is_empty() {
                    "set `priorityClassName` to a PriorityClass that ranks this workload".to_owned()
                } else {
                    format!("set `priorityClassName` to one of {list}")
                };
                cx.report(
                    pod.pointer,
                    Target::Key,
                    format!(
                        "{} names no PriorityClass: its pods get the cluster's default priority",
                        describe(pod.object)
                    ),
                )
                .help(help);
            }
            Some(name) if !allowed.is_empty() && !allowed.iter().any(|a| a == name) => {
                cx.report(
                    &pod.pointer_to(&["priorityClassName"]),
                    Target::Value,
                    format!("PriorityClass \"{name}\" is not one of the allowed classes"),
                )
                .help(format!(
                    "use one of {list} (the rule's `allowed` parameter)"
                ));
            }
            Some(_) => {}
        }
    }
}
