use crate::diagnostic::Target;
use crate::lint::rules::workloads::{and_list, close_name, is_kind};
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// nginx.org/rewrites entries should name a backend of their Ingress.
    ///
    /// ## What it checks
    ///
    /// The `nginx.org/rewrites` annotation of an Ingress, read by the NGINX
    /// Ingress Controller (F5 NGINX, not the community `ingress-nginx`):
    /// `serviceName=<service> rewrite=<path>` entries separated by `;`.
    /// Every entry must have that form, and every service it names must be
    /// a backend of the same Ingress (`service.name` or `serviceName` of a
    /// path, or the default backend).
    ///
    /// ## Why
    ///
    /// The controller applies a rewrite to the locations of the backend
    /// Service it names, so a name that is no backend (a typo, a Service
    /// renamed in the rules but not in the annotation) rewrites nothing and
    /// requests reach the application with the unrewritten path. A
    /// malformed entry is logged by the controller and skipped. The API
    /// server accepts any annotation.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: cafe
    ///   annotations:
    ///     nginx.org/rewrites: "serviceName=tea-svc rewrite=/;serviceName=cofee-svc rewrite=/beans/"
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///   - host: cafe.example.com
    ///     http:
    ///       paths:
    ///       - path: /tea/
    ///         pathType: Prefix
    ///         backend:
    ///           service: {name: tea-svc, port: {number: 80}}
    ///       - path: /coffee/
    ///         pathType: Prefix
    ///         backend:
    ///           service: {name: coffee-svc, port: {number: 80}}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: cafe
    ///   annotations:
    ///     nginx.org/rewrites: "serviceName=tea-svc rewrite=/;serviceName=coffee-svc rewrite=/beans/"
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///   - host: cafe.example.com
    ///     http:
    ///       paths:
    ///       - path: /tea/
    ///         pathType: Prefix
    ///         backend:
    ///           service: {name: tea-svc, port: {number: 80}}
    ///       - path: /coffee/
    ///         pathType: Prefix
    ///         backend:
    ///           service: {name: coffee-svc, port: {number: 80}}
    /// ```
    pub struct NginxRewrites {
        id: "nginx-rewrites",
        category: Networking,
        severity: Warning,
    }
}

const ANNOTATION: &str = "nginx.org/rewrites";

/// The Service a backend names, in either API shape.
fn backend_service(b: &Value) -> Option<&str> {
    b.get("service")
        .and_then(|s| s.get("name"))
        .or_else(|| b.get("serviceName"))
        .and_then(Value::as_str)
}

/// The Services the Ingress sends traffic to, in order, without repeats.
fn backend_services(r: &Resource) -> Vec<&str> {
    let mut found: Vec<Option<&str>> = Vec::new();
    for key in ["defaultBackend", "backend"] {
        found.push(
            r.value
                .pointer(&format!("/spec/{key}"))
                .and_then(backend_service),
        );
    }
    let rules = r
        .value
        .pointer("/spec/rules")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for rule in rules {
        let paths = rule
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Value::as_seq)
            .unwrap_or_default();
        found.extend(
            paths
                .iter()
                .map(|p| p.get("backend").and_then(backend_service)),
        );
    }
    let mut out: Vec<&str> = Vec::new();
    for name in found.into_iter().flatten() {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// `serviceName=<name> rewrite=<path>`: the service name, or `None` when
/// the entry has another form.
fn parse_entry(entry: &str) -> Option<&str> {
    let mut parts = entry.split_whitespace();
    let (service, rewrite) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let name = service.strip_prefix("serviceName=")?;
    let path = rewrite.strip_prefix("rewrite=")?;
    // The controller splits each part on `=` and wants exactly two pieces.
    if name.is_empty() || path.is_empty() || name.contains('=') || path.contains('=') {
        return None;
    }
    Some(name)
}

impl Rule for NginxRewrites {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Ingress") {
            return;
        }
        let Some(text) = r
            .value
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(ANNOTATION))
            .and_then(Value::as_str)
        else {
            return;
        };
        let mut pointer = String::from("/metadata/annotations");
        crate::pointer::push(&mut pointer, ANNOTATION);
        let services = backend_services(r);
        for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let Some(name) = parse_entry(entry) else {
                cx.report(
                    &pointer,
                    Target::Value,
                    format!(
                        "{ANNOTATION} entry `{entry}` is not `serviceName=<service> rewrite=<path>`: the NGINX Ingress Controller skips it"
                    ),
                )
                .help("write each entry as `serviceName=<service> rewrite=<path>`, entries separated by `;`");
                continue;
            };
            if services.contains(&name) {
                continue;
            }
            let help = match close_name(name, services.iter().copied()) {
                Some(close) => format!("did you mean \"{close}\"?"),
                None if services.is_empty() => "the Ingress has no backend Service".to_owned(),
                None => {
                    let quoted: Vec<String> = services.iter().map(|s| format!("\"{s}\"")).collect();
                    format!("its backends are {}", and_list(&quoted))
                }
            };
            cx.report(
                &pointer,
                Target::Value,
                format!(
                    "{ANNOTATION} rewrites Service \"{name}\", which is no backend of this Ingress: the rewrite applies to nothing"
                ),
            )
            .help(help);
        }
    }
}
