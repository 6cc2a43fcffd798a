use super::{directions, pod_selector, policies, selected_pods, selects};
use crate::diagnostic::Target;
use crate::lint::rules::workloads::{and_list, describe, is_kind};
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// Egress policies should allow DNS, or say that they block it.
    ///
    /// ## What it checks
    ///
    /// Every NetworkPolicy that isolates egress (`Egress` in its
    /// `policyTypes`): the pods it selects must still be allowed to send to
    /// port 53 over UDP and TCP, by this policy or another egress policy of
    /// the namespace that selects them. A rule allows DNS when it has no
    /// `ports` (every port) or a port entry for 53 (a range through 53, or
    /// the names `dns`, `dns-tcp` and `domain`) with that protocol; the
    /// destination is not checked. A policy that blocks DNS on purpose says
    /// so with `drydock.dev/ignore: egress-dns-blocked`.
    ///
    /// ## Why
    ///
    /// Once egress is isolated, everything not allowed is dropped, name
    /// lookups included: the pods cannot resolve Service names and every
    /// connection fails with a DNS error, which looks nothing like a
    /// network policy problem. A port entry without `protocol` means TCP,
    /// so `- port: 53` alone still blocks the UDP lookups most resolvers
    /// use.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api-egress
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - podSelector:
    ///         matchLabels: {app: db}
    ///     ports:
    ///     - {port: 5432, protocol: TCP}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api-egress
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - podSelector:
    ///         matchLabels: {app: db}
    ///     ports:
    ///     - {port: 5432, protocol: TCP}
    ///   - to:
    ///     - namespaceSelector: {}
    ///       podSelector:
    ///         matchLabels: {k8s-app: kube-dns}
    ///     ports:
    ///     - {port: 53, protocol: UDP}
    ///     - {port: 53, protocol: TCP}
    /// ```
    pub struct EgressDnsBlocked {
        id: "egress-dns-blocked",
        category: Networking,
        severity: Warning,
    }
}

/// Whether one port entry of an egress rule covers DNS over `protocol`.
fn port_allows_dns(p: &Value, protocol: &str) -> bool {
    if p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") != protocol {
        return false;
    }
    match p.get("port") {
        None | Some(Value::Null) => true,
        Some(Value::Int(n)) => {
            let end = p.get("endPort").and_then(Value::as_i64).unwrap_or(*n);
            (*n..=end).contains(&53)
        }
        Some(Value::String(s)) => matches!(s.as_str(), "53" | "dns" | "dns-tcp" | "domain"),
        _ => false,
    }
}

/// Whether some egress rule of the policy allows DNS over `protocol`.
fn allows_dns(np: &Resource, protocol: &str) -> bool {
    np.value
        .pointer("/spec/egress")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|rule| match rule.get("ports").and_then(Value::as_seq) {
            None => true,
            Some(ports) => ports.is_empty() || ports.iter().any(|p| port_allows_dns(p, protocol)),
        })
}

impl Rule for EgressDnsBlocked {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") || !directions(r).egress {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let (udp, tcp) = (allows_dns(r, "UDP"), allows_dns(r, "TCP"));
        if udp && tcp {
            return;
        }
        let index = cx.index;
        let egress: Vec<&Resource> = policies(index, ns)
            .filter(|np| !std::ptr::eq(*np, r) && directions(np).egress)
            .collect();
        let pods = selected_pods(index, r);
        // Which protocols stay blocked, over the pods this policy isolates.
        let (mut udp_blocked, mut tcp_blocked) = (Vec::new(), Vec::new());
        if pods.is_empty() {
            // No pod in the set: only namespace-wide policies surely apply too.
            let own = pod_selector(r);
            let others: Vec<&&Resource> = egress
                .iter()
                .filter(|np| pod_selector(np).is_empty() || pod_selector(np) == own)
                .collect();
            if !udp && !others.iter().any(|np| allows_dns(np, "UDP")) {
                udp_blocked.push(String::new());
            }
            if !tcp && !others.iter().any(|np| allows_dns(np, "TCP")) {
                tcp_blocked.push(String::new());
            }
        }
        for pod in &pods {
            let covering: Vec<&&Resource> = egress.iter().filter(|np| selects(np, pod)).collect();
            if !udp && !covering.iter().any(|np| allows_dns(np, "UDP")) {
                udp_blocked.push(describe(pod.object));
            }
            if !tcp && !covering.iter().any(|np| allows_dns(np, "TCP")) {
                tcp_blocked.push(describe(pod.object));
            }
        }
        let name = r.name().unwrap_or("");
        let (blocked, what) = if !udp_blocked.is_empty() && !tcp_blocked.is_empty() {
            (udp_blocked, "DNS (port 53): name lookups fail")
        } else if !udp_blocked.is_empty() {
            (
                udp_blocked,
                "DNS over UDP (port 53): most name lookups fail",
            )
        } else if !tcp_blocked.is_empty() {
            (
                tcp_blocked,
                "DNS over TCP (port 53): lookups with large answers fail",
            )
        } else {
            return;
        };
        let whose = if blocked.iter().all(String::is_empty) {
            "the pods it selects".to_owned()
        } else {
            format!("the pods of {}", and_list(&blocked))
        };
        let pointer = if r.value.pointer("/spec/egress").is_some() {
            "/spec/egress".to_owned()
        } else {
            let types = r
                .value
                .pointer("/spec/policyTypes")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            match types.iter().position(|t| t.as_str() == Some("Egress")) {
                Some(i) => format!("/spec/policyTypes/{i}"),
                None => "/spec".to_owned(),
            }
        };
        cx.report(
            &pointer,
            Target::Key,
            format!(
                "NetworkPolicy \"{name}\" isolates the egress of {whose}, and no policy allows them {what}"
            ),
        )
        .help("allow port 53 over UDP and TCP, e.g. `- to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]` with `ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]`; if the pods must not resolve names, say so with `drydock.dev/ignore: egress-dns-blocked`");
    }
}
