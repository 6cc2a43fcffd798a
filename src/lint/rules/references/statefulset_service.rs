use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, LabelSelector, PodSpec, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// A StatefulSet's serviceName should name a headless Service for it.
    ///
    /// ## What it checks
    ///
    /// Every StatefulSet must set `serviceName` to a Service defined in its
    /// namespace among the checked objects, that Service must be headless
    /// (`clusterIP: None`), and its selector must select the StatefulSet's
    /// pods.
    ///
    /// ## Why
    ///
    /// The governing Service gives each pod its stable DNS name
    /// (`web-0.web.shop.svc.cluster.local`), which is why StatefulSets exist.
    /// Without it, or with a Service that has a cluster IP or selects other
    /// pods, the per-pod records are never created and peers that find each
    /// other by name (databases, ZooKeeper, Kafka) cannot form a cluster.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector: {app: db}
    ///   ports:
    ///   - port: 5432
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   clusterIP: None
    ///   selector: {app: db}
    ///   ports:
    ///   - port: 5432
    /// ```
    pub struct StatefulsetService {
        id: "statefulset-service",
        category: References,
        severity: Warning,
    }
}

const HEADLESS: &str = "create a headless Service (`clusterIP: None`) that selects the StatefulSet's pods, and name it in `serviceName`";

impl Rule for StatefulsetService {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "StatefulSet") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let sts = r.name().unwrap_or("");
        let name = match r.value.pointer("/spec/serviceName") {
            Some(Value::String(s)) if !s.is_empty() => s.as_str(),
            Some(Value::String(_)) => {
                cx.report(
                    "/spec/serviceName",
                    Target::Value,
                    format!("StatefulSet \"{sts}\" has an empty serviceName: its pods get no stable DNS names"),
                )
                .help(HEADLESS);
                return;
            }
            // Releases before 1.37 require the field; schema validation reports it there.
            None if cx.version.minor() >= 37 => {
                cx.report(
                    "/spec",
                    Target::Key,
                    format!(
                        "StatefulSet \"{sts}\" has no serviceName: its pods get no stable DNS names"
                    ),
                )
                .help(HEADLESS);
                return;
            }
            _ => return,
        };
        let index = cx.index;
        let Some(svc) = index.get("Service", Some(ns), name) else {
            let names: Vec<&str> = index
                .of_kind_in("Service", ns)
                .filter_map(Resource::name)
                .collect();
            let help = match crate::lint::rules::workloads::close_name(name, names.iter().copied())
            {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => HEADLESS.to_owned(),
            };
            cx.report(
                "/spec/serviceName",
                Target::Value,
                format!(
                    "Service \"{name}\" is not defined in namespace \"{ns}\": the pods of StatefulSet \"{sts}\" get no stable DNS names until it exists"
                ),
            )
            .help(help);
            return;
        };
        let location = svc.location("/metadata/name", Target::Value);
        let cluster_ip = svc.value.pointer("/spec/clusterIP").and_then(Value::as_str);
        if cluster_ip != Some("None") {
            cx.report(
                "/spec/serviceName",
                Target::Value,
                format!(
                    "Service \"{name}\" is not headless: without `clusterIP: None` it gets no DNS record per pod of StatefulSet \"{sts}\""
                ),
            )
            .help(format!(
                "set `clusterIP: None` on Service \"{name}\" (a separate Service can give clients a cluster IP)"
            ))
            .related(location, format!("Service \"{name}\" is defined here"));
            return;
        }
        let selects = svc
            .value
            .pointer("/spec/selector")
            .and_then(|v| LabelSelector::from_labels(v).ok())
            .zip(PodSpec::of(r))
            .is_some_and(|(sel, pod)| !sel.is_empty() && sel.matches(pod.labels()));
        if !selects {
            cx.report(
                "/spec/serviceName",
                Target::Value,
                format!(
                    "Service \"{name}\" does not select the pods of StatefulSet \"{sts}\", so they get no DNS records"
                ),
            )
            .help(format!(
                "make the selector of Service \"{name}\" match the pod template labels"
            ))
            .related(location, format!("Service \"{name}\" is defined here"));
        }
    }
}
