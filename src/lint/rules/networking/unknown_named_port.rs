use super::{host_network, selected_pods};
use crate::diagnostic::Target;
use crate::lint::rules::workloads::{declares_port, is_kind, ports, serving};
use crate::lint::{Cx, LabelSelector, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A NetworkPolicy's named port should be declared by the pods it means.
    ///
    /// ## What it checks
    ///
    /// Every `ports[].port` given by name in a NetworkPolicy rule:
    ///
    /// - in an ingress rule, some pod the policy selects must declare a
    ///   container port of that name and protocol;
    /// - in an egress rule, some pod its `to` peers select (any pod of the
    ///   set when the rule has no peers, or has `namespaceSelector` peers)
    ///   must declare it; a named port whose only peers are `ipBlock`s
    ///   never matches anything and is reported too.
    ///
    /// Rules whose pods are not in the set are not judged.
    ///
    /// ## Why
    ///
    /// A named port is resolved on each pod: on a pod that declares no port
    /// of that name the rule allows nothing, so the connection it was meant
    /// to allow is dropped, with nothing in the API to say why.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    ///         ports:
    ///         - {name: http, containerPort: 8080}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - ports:
    ///     - port: https
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    ///         ports:
    ///         - {name: http, containerPort: 8080}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - ports:
    ///     - port: http
    /// ```
    pub struct UnknownNamedPort {
        id: "unknown-named-port",
        category: Networking,
        severity: Warning,
    }
}

/// The pods an egress rule's peers can reach, and whether it names
/// `ipBlock` peers only.
fn destinations<'a>(cx: &Cx<'a>, ns: &str, rule: &Value) -> (Vec<PodSpec<'a>>, bool) {
    let index = cx.index;
    let all = || -> Vec<PodSpec<'a>> {
        index
            .all()
            .iter()
            .filter_map(PodSpec::of)
            .filter(|p| !host_network(p))
            .collect()
    };
    let peers = rule.get("to").and_then(Value::as_seq).unwrap_or_default();
    if peers.is_empty() {
        return (all(), false);
    }
    let mut out: Vec<PodSpec<'a>> = Vec::new();
    let mut only_ip = true;
    for peer in peers {
        if peer.get("ipBlock").is_some() {
            continue;
        }
        only_ip = false;
        let pods = peer
            .get("podSelector")
            .and_then(|v| LabelSelector::from_selector(v).ok())
            .unwrap_or_default();
        let pool = if peer.get("namespaceSelector").is_some() {
            all()
        } else {
            index.pods_in(ns).filter_map(PodSpec::of).collect()
        };
        out.extend(pool.into_iter().filter(|p| pods.matches(p.labels())));
    }
    (out, only_ip)
}

impl Rule for UnknownNamedPort {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let name = r.name().unwrap_or("");
        for direction in ["ingress", "egress"] {
            let rules = r
                .value
                .pointer(&format!("/spec/{direction}"))
                .and_then(Value::as_seq)
                .unwrap_or_default();
            for (i, rule) in rules.iter().enumerate() {
                let rule_ports = rule
                    .get("ports")
                    .and_then(Value::as_seq)
                    .unwrap_or_default();
                for (j, p) in rule_ports.iter().enumerate() {
                    let Some(port) = p
                        .get("port")
                        .and_then(Value::as_str)
                        .filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
                    else {
                        continue;
                    };
                    let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                    let pointer = format!("/spec/{direction}/{i}/ports/{j}/port");
                    let (pods, only_ip) = if direction == "ingress" {
                        (selected_pods(cx.index, r), false)
                    } else {
                        destinations(cx, ns, rule)
                    };
                    if only_ip {
                        cx.report(
                            &pointer,
                            Target::Value,
                            format!(
                                "named port \"{port}\" in an egress rule whose peers are all ipBlocks matches nothing: names are resolved on pods, not on IP addresses"
                            ),
                        )
                        .help("give the port as a number");
                        continue;
                    }
                    if pods.is_empty()
                        || pods.iter().any(|p| declares_port(p, port, Some(protocol)))
                    {
                        continue;
                    }
                    let whose = if direction == "ingress" {
                        format!("the pods NetworkPolicy \"{name}\" selects")
                    } else {
                        "the pods this egress rule reaches".to_owned()
                    };
                    let mut names: Vec<&str> = pods
                        .iter()
                        .flat_map(|p| serving(p).flat_map(|c| ports(&c)))
                        .filter_map(|p| p.name)
                        .collect();
                    names.sort_unstable();
                    names.dedup();
                    let help = match crate::lint::rules::workloads::close_name(
                        port,
                        names.iter().copied(),
                    ) {
                        Some(close) => format!("did you mean \"{close}\"?"),
                        None if names.is_empty() => {
                            "those pods declare no named ports; give the port as a number"
                                .to_owned()
                        }
                        None => format!(
                            "their named ports are {}; use one of them, or give the port as a number",
                            names.join(", ")
                        ),
                    };
                    cx.report(
                        &pointer,
                        Target::Value,
                        format!(
                            "no container of {whose} declares a {protocol} port named \"{port}\", so this {direction} rule allows nothing"
                        ),
                    )
                    .help(help);
                }
            }
        }
    }
}
