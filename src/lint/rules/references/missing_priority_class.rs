use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_builtin, is_known};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// The PriorityClass a pod names should be defined.
    ///
    /// ## What it checks
    ///
    /// The `priorityClassName` of every Pod and pod template must name a
    /// PriorityClass defined among the checked objects, or one of the
    /// built-in `system-cluster-critical` and `system-node-critical`.
    /// PriorityClasses created outside these manifests can be listed in the
    /// `known` parameter.
    ///
    /// ## Why
    ///
    /// The Priority admission plugin rejects a Pod whose PriorityClass does
    /// not exist (`no PriorityClass with name ... was found`), so a
    /// workload's controller keeps failing to create its pods.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): PriorityClasses that exist in the cluster.
    ///
    /// ```yaml
    /// rules:
    ///   missing-priority-class: {known: [business-critical]}
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
    ///   priorityClassName: high-priority
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: scheduling.k8s.io/v1
    /// kind: PriorityClass
    /// metadata:
    ///   name: high-priority
    /// value: 100000
    /// description: user-facing services
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   priorityClassName: high-priority
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    pub struct MissingPriorityClass {
        id: "missing-priority-class",
        category: References,
        severity: Warning,
        params: [super::KNOWN],
    }
}

impl Rule for MissingPriorityClass {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(name) = pod
            .get("priorityClassName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            return;
        };
        let (index, params) = (cx.index, cx.params);
        if is_builtin("PriorityClass", name)
            || is_known(params.strings("known"), None, name)
            || index.get("PriorityClass", None, name).is_some()
        {
            return;
        }
        let defined: Vec<&str> = index
            .of_kind("PriorityClass")
            .filter_map(Resource::name)
            .chain(["system-cluster-critical", "system-node-critical"])
            .collect();
        let help = match crate::lint::rules::workloads::close_name(name, defined.iter().copied()) {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => "define the PriorityClass or fix the name; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter".to_owned(),
        };
        cx.report(
            &pod.pointer_to(&["priorityClassName"]),
            Target::Value,
            format!(
                "PriorityClass \"{name}\" is not defined: the API server rejects pods that name a missing PriorityClass"
            ),
        )
        .help(help);
    }
}
