use std::net::IpAddr;

use crate::diagnostic::Target;
use crate::lint::params::Cidr;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Param, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A Service's fixed clusterIP should lie in the cluster's service range.
    ///
    /// ## What it checks
    ///
    /// The `spec.clusterIP` and `spec.clusterIPs` a Service sets must lie in
    /// the cluster's service range, the API server's
    /// `--service-cluster-ip-range`: by default kubeadm's `10.96.0.0/12`.
    /// Set the `service-cluster-ip-range` parameter to the cluster's range
    /// (one CIDR per IP family for a dual-stack cluster). `None` (a headless
    /// Service) and an empty value (allocate one) are left alone, and so are
    /// ExternalName Services, which have no cluster IP.
    ///
    /// ## Why
    ///
    /// The API server allocates cluster IPs from that range only, and
    /// rejects a Service asking for another one: `failed to allocate IP
    /// 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range`. A
    /// clusterIP copied from another cluster, or from an example, is the
    /// usual cause; most Services should leave the field out.
    ///
    /// Clusters differ (k3s uses `10.43.0.0/16`, managed offerings their
    /// own), so findings are warnings until the parameter is set.
    ///
    /// ## Parameters
    ///
    /// - `service-cluster-ip-range` (default `[10.96.0.0/12]`): the
    ///   service CIDRs, IPv4 and IPv6, as a list or as the flag's
    ///   comma-separated string.
    ///
    /// ```yaml
    /// rules:
    ///   cluster-ip-range:
    ///     service-cluster-ip-range: [10.43.0.0/16, fd00:43::/112]
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: dns
    /// spec:
    ///   selector: {app: dns}
    ///   clusterIP: 1.1.1.1
    ///   ports:
    ///   - {port: 53, protocol: UDP}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: dns
    /// spec:
    ///   selector: {app: dns}
    ///   clusterIP: 10.96.0.53
    ///   ports:
    ///   - {port: 53, protocol: UDP}
    /// ```
    pub struct ClusterIpRange {
        id: "cluster-ip-range",
        category: Networking,
        severity: Warning,
        params: [Param::cidrs(
            "service-cluster-ip-range",
            &["10.96.0.0/12"],
            "the API server's --service-cluster-ip-range, one CIDR per IP family"
        )],
    }
}

/// The address a `clusterIP(s)` entry asks for; `None` for `None`, an
/// empty value and text that is no address (the validator's finding).
fn requested(v: &Value) -> Option<(&str, IpAddr)> {
    let text = v.as_str()?.trim();
    if text.is_empty() || text == "None" {
        return None;
    }
    Some((text, text.parse().ok()?))
}

impl ClusterIpRange {
    fn check(&self, cx: &mut Cx<'_>, pointer: &str, text: &str, ip: IpAddr, ranges: &[Cidr]) {
        if ranges.iter().any(|c| c.contains(ip)) {
            return;
        }
        let family: Vec<String> = ranges
            .iter()
            .filter(|c| c.network.is_ipv4() == ip.is_ipv4())
            .map(Cidr::to_string)
            .collect();
        if family.is_empty() {
            let (this, other) = if ip.is_ipv4() {
                ("IPv4", "IPv6")
            } else {
                ("IPv6", "IPv4")
            };
            let listed: Vec<String> = ranges.iter().map(Cidr::to_string).collect();
            cx.report(
                pointer,
                Target::Value,
                format!(
                    "cluster IP {text} is an {this} address, but the service range ({}) is {other} only: the API server cannot allocate it",
                    listed.join(", ")
                ),
            )
            .help("leave the cluster IP out, or add the cluster's IPv4 and IPv6 ranges to the rule's `service-cluster-ip-range` parameter");
            return;
        }
        let range = family.join(",");
        cx.report(
            pointer,
            Target::Value,
            format!(
                "cluster IP {text} is outside the service range: the API server rejects the Service (failed to allocate IP {text}: the provided IP ({text}) is not in the valid range. The range of valid IPs is {range})"
            ),
        )
        .help("leave the cluster IP out to get one allocated, or pick a free one in the range (set the rule's `service-cluster-ip-range` if the cluster's --service-cluster-ip-range differs)");
    }
}

impl Rule for ClusterIpRange {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Service") {
            return;
        }
        let Some(spec) = r.value.get("spec") else {
            return;
        };
        if spec.get("type").and_then(Value::as_str) == Some("ExternalName") {
            return;
        }
        let params = cx.params;
        let Some(ranges) = params.cidrs("service-cluster-ip-range") else {
            return;
        };
        let single = spec.get("clusterIP").and_then(requested);
        if let Some((text, ip)) = single {
            self.check(cx, "/spec/clusterIP", text, ip, ranges);
        }
        let list = spec
            .get("clusterIPs")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, v) in list.iter().enumerate() {
            let Some((text, ip)) = requested(v) else {
                continue;
            };
            // `clusterIPs[0]` repeats `clusterIP`: one finding for both.
            if i == 0 && single.is_some_and(|(_, s)| s == ip) {
                continue;
            }
            self.check(cx, &format!("/spec/clusterIPs/{i}"), text, ip, ranges);
        }
    }
}
