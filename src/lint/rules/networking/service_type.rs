use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Param, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Services should not be exposed outside the cluster unless meant to.
    ///
    /// ## What it checks
    ///
    /// Services whose `type` is one of the `forbidden` types (by default
    /// `NodePort` and `LoadBalancer`). Opt-in: enable it with
    /// `rules: {service-type: on}`.
    ///
    /// ## Why
    ///
    /// A NodePort Service listens on a port of every node, a LoadBalancer
    /// Service gets an address outside the cluster, often a public one.
    /// Both bypass the Ingress (and its TLS, authentication and rate
    /// limits), so in many clusters only a few Services should have them.
    ///
    /// ## Parameters
    ///
    /// - `forbidden` (default `[NodePort, LoadBalancer]`): the Service types
    ///   to report.
    ///
    /// ```yaml
    /// rules:
    ///   service-type: {forbidden: [NodePort]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: admin
    /// spec:
    ///   type: NodePort
    ///   selector: {app: admin}
    ///   ports:
    ///   - port: 80
    ///     targetPort: 8080
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: admin
    /// spec:
    ///   selector: {app: admin}
    ///   ports:
    ///   - port: 80
    ///     targetPort: 8080
    /// ```
    pub struct ServiceType {
        id: "service-type",
        category: Networking,
        severity: Info,
        enabled: false,
        params: [Param::strings(
            "forbidden",
            &["NodePort", "LoadBalancer"],
            "the Service types to report",
        )],
    }
}

impl Rule for ServiceType {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Service") {
            return;
        }
        let Some(kind) = r.value.pointer("/spec/type").and_then(Value::as_str) else {
            return;
        };
        let params = cx.params;
        if !params
            .strings("forbidden")
            .unwrap_or_default()
            .iter()
            .any(|f| f == kind)
        {
            return;
        }
        let what = match kind {
            "NodePort" => "it listens on a port of every node",
            "LoadBalancer" => "it gets a load balancer address outside the cluster",
            _ => "this type is forbidden by the rule's `forbidden` parameter",
        };
        cx.report(
            "/spec/type",
            Target::Value,
            format!("Service \"{}\" is of type {kind}: {what}", r.name().unwrap_or("")),
        )
        .help("use a ClusterIP Service behind an Ingress, or exempt this Service with `drydock.dev/ignore: service-type` if the exposure is intended");
    }
}
