use crate::diagnostic::Target;
use crate::lint::rules::workloads::{SCALABLE, is_kind};
use crate::lint::{Cx, Rule, declare_rule};
use crate::render::resid::Gvk;
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// An autoscaler's scaleTargetRef should name a scalable object.
    ///
    /// ## What it checks
    ///
    /// The `scaleTargetRef` of every HorizontalPodAutoscaler must name an
    /// object of the set in the autoscaler's namespace, with the same kind
    /// and name, and an `apiVersion` of the same API group as the object's
    /// own (`apps/v1` for an `apps/v1` Deployment: the version may differ,
    /// the group may not). Built-in kinds without a scale subresource
    /// (DaemonSet, Job, CronJob, Pod) are reported too.
    ///
    /// ## Why
    ///
    /// The autoscaler reads and writes the target's `scale` subresource
    /// through the group of `scaleTargetRef.apiVersion`. A missing target, a
    /// group that does not serve it (`extensions/v1beta1` Deployments are
    /// gone since Kubernetes 1.16) or a kind that cannot be scaled leaves
    /// the autoscaler failing with `FailedGetScale` and the workload never
    /// scales.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    ///   metrics:
    ///   - type: Resource
    ///     resource:
    ///       name: cpu
    ///       target: {type: Utilization, averageUtilization: 70}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    ///         resources:
    ///           requests: {cpu: 100m}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    ///   metrics:
    ///   - type: Resource
    ///     resource:
    ///       name: cpu
    ///       target: {type: Utilization, averageUtilization: 70}
    /// ```
    pub struct HpaTarget {
        id: "hpa-target",
        category: References,
        severity: Warning,
    }
}

/// Built-in kinds that have no scale subresource.
const UNSCALABLE: &[&str] = &["DaemonSet", "Job", "CronJob", "Pod"];

fn group(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(g, _)| g)
}

impl Rule for HpaTarget {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "HorizontalPodAutoscaler") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let target = r.value.pointer("/spec/scaleTargetRef");
        let get = |k: &str| target.and_then(|t| t.get(k)).and_then(Value::as_str);
        let (Some(kind), Some(name)) = (get("kind"), get("name")) else {
            return;
        };
        let index = cx.index;
        let Some(object) = index.get(kind, Some(ns), name) else {
            let other_kind = index
                .in_namespace(ns)
                .filter(|o| o.name() == Some(name))
                .find_map(|o| o.kind().filter(|k| SCALABLE.contains(k)));
            let names: Vec<&str> = index
                .of_kind_in(kind, ns)
                .filter_map(Resource::name)
                .collect();
            let help = if let Some(other) = other_kind {
                format!("a {other} \"{name}\" is defined: fix `kind`")
            } else if let Some(close) =
                crate::lint::rules::workloads::close_name(name, names.iter().copied())
            {
                format!("did you mean \"{close}\"?")
            } else {
                format!("define the {kind} in namespace \"{ns}\" or fix `scaleTargetRef`")
            };
            cx.report(
                "/spec/scaleTargetRef/name",
                Target::Value,
                format!(
                    "the scale target {kind} \"{name}\" is not defined in namespace \"{ns}\": the autoscaler cannot scale anything (FailedGetScale)"
                ),
            )
            .help(help);
            return;
        };
        let own = Gvk::of(&object.value);
        if UNSCALABLE.contains(&kind) && !own.group.contains('.') {
            cx.report(
                "/spec/scaleTargetRef/kind",
                Target::Value,
                format!(
                    "{kind} \"{name}\" has no scale subresource, so no autoscaler can scale it"
                ),
            )
            .help("autoscale a Deployment, StatefulSet or ReplicaSet instead");
            return;
        }
        if let Some(api) = get("apiVersion")
            && group(api) != own.group
        {
            let declared = object.api_version().unwrap_or("");
            let location = object.location("/apiVersion", Target::Value);
            cx.report(
                "/spec/scaleTargetRef/apiVersion",
                Target::Value,
                format!(
                    "scaleTargetRef apiVersion \"{api}\" is not the API group of {kind} \"{name}\", which is declared as \"{declared}\": the autoscaler looks the target up in the wrong group (FailedGetScale)"
                ),
            )
            .help(format!("use the apiVersion of the target: `apiVersion: {declared}`"))
            .related(location, format!("{kind} \"{name}\" is declared here"));
        }
    }
}
