use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// Ingress backends should name a Service and one of its ports.
    ///
    /// ## What it checks
    ///
    /// Every Service backend of an Ingress (the default backend and each
    /// path's backend) must name a Service defined in the Ingress's
    /// namespace among the checked objects, and its port, by number or by
    /// name, must be one of that Service's `ports[].port` (not a
    /// `targetPort` or a `nodePort`). Both shapes are read:
    /// `networking.k8s.io/v1` (`service.name`, `service.port.number` or
    /// `service.port.name`) and the older `serviceName` / `servicePort`.
    /// Resource backends are not checked.
    ///
    /// ## Why
    ///
    /// The ingress controller answers `503 Service Unavailable` for paths
    /// whose Service or port does not exist, and the API server accepts such
    /// an Ingress without a word. Giving the container port (the Service's
    /// `targetPort`) instead of the Service port is a common slip.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - {name: http, port: 80, targetPort: 8080}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    /// spec:
    ///   rules:
    ///   - host: shop.example.com
    ///     http:
    ///       paths:
    ///       - path: /
    ///         pathType: Prefix
    ///         backend:
    ///           service:
    ///             name: web
    ///             port: {number: 8080}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - {name: http, port: 80, targetPort: 8080}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    /// spec:
    ///   rules:
    ///   - host: shop.example.com
    ///     http:
    ///       paths:
    ///       - path: /
    ///         pathType: Prefix
    ///         backend:
    ///           service:
    ///             name: web
    ///             port: {name: http}
    /// ```
    pub struct IngressBackend {
        id: "ingress-backend",
        category: References,
        severity: Warning,
    }
}

/// A backend's port: a number or a Service port name.
enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

struct Backend<'a> {
    service: &'a str,
    pointer: String,
    port: Option<(PortRef<'a>, String)>,
}

/// The Service backend at `pointer`, in either API shape.
fn backend<'a>(v: &'a Value, pointer: &str) -> Option<Backend<'a>> {
    if let Some(svc) = v.get("service") {
        let port = svc.get("port");
        let port = if let Some(n) = port.and_then(|p| p.get("number")).and_then(Value::as_i64) {
            Some((PortRef::Number(n), format!("{pointer}/service/port/number")))
        } else {
            port.and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .map(|n| (PortRef::Name(n), format!("{pointer}/service/port/name")))
        };
        return Some(Backend {
            service: svc.get("name")?.as_str()?,
            pointer: format!("{pointer}/service/name"),
            port,
        });
    }
    let service = v.get("serviceName")?.as_str()?;
    let at = format!("{pointer}/servicePort");
    let port = match v.get("servicePort") {
        Some(Value::Int(n)) => Some((PortRef::Number(*n), at)),
        Some(Value::String(s)) => Some(match s.parse::<i64>() {
            Ok(n) => (PortRef::Number(n), at),
            Err(_) => (PortRef::Name(s.as_str()), at),
        }),
        _ => None,
    };
    Some(Backend {
        service,
        pointer: format!("{pointer}/serviceName"),
        port,
    })
}

fn backends(r: &Resource) -> Vec<Backend<'_>> {
    let mut out = Vec::new();
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = r.value.pointer(&format!("/spec/{key}")) {
            out.extend(backend(b, &format!("/spec/{key}")));
        }
    }
    let rules = r
        .value
        .pointer("/spec/rules")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        let paths = rule
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (j, p) in paths.iter().enumerate() {
            if let Some(b) = p.get("backend") {
                out.extend(backend(
                    b,
                    &format!("/spec/rules/{i}/http/paths/{j}/backend"),
                ));
            }
        }
    }
    out
}

impl Rule for IngressBackend {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Ingress") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let index = cx.index;
        for b in backends(r) {
            let Some(svc) = index.get("Service", Some(ns), b.service) else {
                let names: Vec<&str> = index
                    .of_kind_in("Service", ns)
                    .filter_map(Resource::name)
                    .collect();
                let help = match crate::lint::rules::workloads::close_name(
                    b.service,
                    names.iter().copied(),
                ) {
                    Some(close) => format!("did you mean \"{close}\"?"),
                    None => {
                        "define the Service in the Ingress's namespace or fix the name".to_owned()
                    }
                };
                cx.report(
                    &b.pointer,
                    Target::Value,
                    format!(
                        "backend Service \"{}\" is not defined in namespace \"{ns}\": the ingress controller answers 503 for this backend",
                        b.service
                    ),
                )
                .help(help);
                continue;
            };
            let Some((port, pointer)) = b.port else {
                continue;
            };
            let ports = svc
                .value
                .pointer("/spec/ports")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            if ports.is_empty() {
                continue;
            }
            let numbers: Vec<i64> = ports
                .iter()
                .filter_map(|p| p.get("port").and_then(Value::as_i64))
                .collect();
            let names: Vec<&str> = ports
                .iter()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .collect();
            let list = numbers
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let location = svc.location("/spec/ports", Target::Key);
            match port {
                PortRef::Number(n) if !numbers.contains(&n) => {
                    let target = ports.iter().find(|p| {
                        p.get("targetPort").and_then(Value::as_i64) == Some(n)
                            || p.get("nodePort").and_then(Value::as_i64) == Some(n)
                    });
                    let help = match target.and_then(|p| p.get("port")).and_then(Value::as_i64) {
                        Some(real) => format!(
                            "{n} is the targetPort or nodePort of Service port {real}; a backend names the Service port: use {real}"
                        ),
                        None => format!("the ports of Service \"{}\" are {list}", b.service),
                    };
                    cx.report(
                        &pointer,
                        Target::Value,
                        format!(
                            "Service \"{}\" has no port {n}: the ingress controller answers 503 for this backend",
                            b.service
                        ),
                    )
                    .help(help)
                    .related(location, format!("the ports of Service \"{}\"", b.service));
                }
                PortRef::Name(name) if !names.contains(&name) => {
                    let help = match crate::lint::rules::workloads::close_name(
                        name,
                        names.iter().copied(),
                    ) {
                        Some(close) => format!("did you mean \"{close}\"?"),
                        None if names.is_empty() => format!(
                            "the ports of Service \"{}\" have no names; use the number ({list})",
                            b.service
                        ),
                        None => format!(
                            "the port names of Service \"{}\" are {}",
                            b.service,
                            names.join(", ")
                        ),
                    };
                    cx.report(
                        &pointer,
                        Target::Value,
                        format!(
                            "Service \"{}\" has no port named \"{name}\": the ingress controller answers 503 for this backend",
                            b.service
                        ),
                    )
                    .help(help)
                    .related(location, format!("the ports of Service \"{}\"", b.service));
                }
                _ => {}
            }
        }
    }
}
