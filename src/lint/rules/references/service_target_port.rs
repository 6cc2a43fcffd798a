use crate::diagnostic::Target;
use crate::lint::rules::workloads::{Port, and_list, describe, is_kind, ports, serving};
use crate::lint::{Cx, LabelSelector, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Named Service targetPorts should be declared by the selected pods.
    ///
    /// ## What it checks
    ///
    /// For every Service with a selector, each `targetPort` given by name
    /// (`targetPort: http`) must be the name of a container port, with the
    /// same protocol, in every Pod or pod template of its namespace that the
    /// Service selects. A numeric `targetPort` needs no declaration and is
    /// not checked; neither is a Service that selects nothing (see
    /// `service-selects-nothing`).
    ///
    /// ## Why
    ///
    /// The endpoints controller resolves a named `targetPort` on each pod; a
    /// pod that declares no port of that name (or declares it with another
    /// protocol) gets no endpoint for that Service port, so traffic never
    /// reaches it. The Service looks fine; its endpoints are just empty.
    ///
    /// ## Failing example
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
    ///         ports:
    ///         - {name: web, containerPort: 8080}
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - {port: 80, targetPort: http}
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
    ///         ports:
    ///         - {name: http, containerPort: 8080}
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - {port: 80, targetPort: http}
    /// ```
    pub struct ServiceTargetPort {
        id: "service-target-port",
        category: References,
        severity: Error,
    }
}

impl Rule for ServiceTargetPort {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Service") {
            return;
        }
        let (Some(ns), Some(value)) = (cx.namespace(), r.value.pointer("/spec/selector")) else {
            return;
        };
        if value.as_map().is_none_or(|m| m.is_empty()) {
            return;
        }
        let Ok(selector) = LabelSelector::from_labels(value) else {
            return;
        };
        let index = cx.index;
        let selected: Vec<PodSpec<'_>> = index
            .pods_selected_by(ns, &selector)
            .filter_map(PodSpec::of)
            .collect();
        let service_ports = r
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, p) in service_ports.iter().enumerate() {
            let Some(name) = p.get("targetPort").and_then(Value::as_str) else {
                continue;
            };
            if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            let port = p.get("port").and_then(Value::as_i64).unwrap_or_default();
            // The selected pod templates that lack the port, with the ports they declare.
            let lacking: Vec<(&PodSpec<'_>, Vec<Port<'_>>)> = selected
                .iter()
                .map(|pod| {
                    (
                        pod,
                        serving(pod).flat_map(|c| ports(&c)).collect::<Vec<_>>(),
                    )
                })
                .filter(|(_, declared)| {
                    !declared
                        .iter()
                        .any(|d| d.name == Some(name) && d.protocol == protocol)
                })
                .collect();
            if lacking.is_empty() {
                continue;
            }
            let pointer = format!("/spec/ports/{i}/targetPort");
            // One finding when no selected pod declares it, else one per pod template.
            let groups: Vec<Vec<&(&PodSpec<'_>, Vec<Port<'_>>)>> =
                if lacking.len() == selected.len() {
                    vec![lacking.iter().collect()]
                } else {
                    lacking.iter().map(|l| vec![l]).collect()
                };
            for group in groups {
                let who = and_list(
                    &group
                        .iter()
                        .map(|(pod, _)| describe(pod.object))
                        .collect::<Vec<_>>(),
                );
                let declared: Vec<&Port<'_>> = group.iter().flat_map(|(_, d)| d).collect();
                let other_protocol = declared.iter().find(|d| d.name == Some(name));
                let message = match other_protocol {
                    Some(d) => format!(
                        "targetPort \"{name}\" is a {} port of the pods of {who}, but this Service port is {protocol}: they get no endpoint for port {port}",
                        d.protocol
                    ),
                    None => format!(
                        "targetPort \"{name}\" names no {protocol} port of the pods of {who}, which this Service selects: they get no endpoint for port {port}"
                    ),
                };
                let mut names: Vec<&str> = declared.iter().filter_map(|d| d.name).collect();
                names.sort_unstable();
                names.dedup();
                let help = if other_protocol.is_some() {
                    format!(
                        "set `protocol:` on this Service port to match the container port \"{name}\""
                    )
                } else if let Some(close) =
                    crate::lint::rules::workloads::close_name(name, names.iter().copied())
                {
                    format!("did you mean \"{close}\"?")
                } else if names.is_empty() {
                    format!(
                        "name the container port (`ports: [{{name: {name}, containerPort: ...}}]`) or give the targetPort as a number"
                    )
                } else {
                    format!(
                        "the named ports of these pods are {}; declare \"{name}\" there or give the targetPort as a number",
                        names.join(", ")
                    )
                };
                let (first, _) = group[0];
                let location = first
                    .object
                    .location(&first.pointer_to(&["containers"]), Target::Key);
                cx.report(&pointer, Target::Value, message)
                    .help(help)
                    .related(
                        location,
                        format!("the containers of {}", describe(first.object)),
                    );
            }
        }
    }
}
