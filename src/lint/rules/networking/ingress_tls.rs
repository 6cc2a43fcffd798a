use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Ingresses should serve their hosts over TLS.
    ///
    /// ## What it checks
    ///
    /// Ingresses without a `tls` section, and hosts of an Ingress's rules
    /// that none of its `tls[].hosts` covers (a `*.example.com` entry covers
    /// `shop.example.com`; an entry without `hosts` covers them all).
    ///
    /// ## Why
    ///
    /// Without TLS the ingress controller serves the host over plain HTTP:
    /// passwords, session cookies and personal data cross the network in
    /// clear text, and browsers flag the site as not secure.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   rules:
    ///   - host: shop.example.com
    ///     http:
    ///       paths:
    ///       - path: /
    ///         pathType: Prefix
    ///         backend:
    ///           service:
    ///             name: storefront
    ///             port: {number: 80}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   tls:
    ///   - hosts: [shop.example.com]
    ///     secretName: shop-example-com-tls
    ///   rules:
    ///   - host: shop.example.com
    ///     http:
    ///       paths:
    ///       - path: /
    ///         pathType: Prefix
    ///         backend:
    ///           service:
    ///             name: storefront
    ///             port: {number: 80}
    /// ```
    pub struct IngressTls {
        id: "ingress-tls",
        category: Networking,
        severity: Info,
    }
}

/// Whether a TLS host entry (possibly `*.domain`) covers `host`.
fn covers(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => host.split_once('.').is_some_and(|(_, rest)| rest == domain),
        None => pattern == host,
    }
}

impl Rule for IngressTls {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Ingress") {
            return;
        }
        let name = r.name().unwrap_or("");
        let Some(tls) = r.value.pointer("/spec/tls").and_then(Value::as_seq) else {
            cx.report(
                "/spec",
                Target::Key,
                format!("Ingress \"{name}\" has no TLS: its hosts are served over plain HTTP"),
            )
            .help("add a `tls` entry with the hosts and the Secret that holds their certificate (cert-manager can create it)");
            return;
        };
        let mut hosts: Vec<&str> = Vec::new();
        for t in tls {
            match t.get("hosts").and_then(Value::as_seq) {
                Some(list) if !list.is_empty() => {
                    hosts.extend(list.iter().filter_map(Value::as_str))
                }
                // An entry without hosts applies to every host of the Ingress.
                _ => return,
            }
        }
        let rules = r
            .value
            .pointer("/spec/rules")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            let Some(host) = rule.get("host").and_then(Value::as_str) else {
                continue;
            };
            if hosts.iter().any(|p| covers(p, host)) {
                continue;
            }
            cx.report(
                &format!("/spec/rules/{i}/host"),
                Target::Value,
                format!("host \"{host}\" of Ingress \"{name}\" has no TLS entry: it is served over plain HTTP"),
            )
            .help(format!("add \"{host}\" to the `hosts` of a `tls` entry whose Secret holds a certificate for it"));
        }
    }
}
