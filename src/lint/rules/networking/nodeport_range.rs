use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Param, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A Service's nodePort should lie in the cluster's node port range.
    ///
    /// ## What it checks
    ///
    /// Every `spec.ports[].nodePort` of a Service must lie between `min` and
    /// `max`, by default 30000 and 32767, the API server's default
    /// `--service-node-port-range`. Set the parameters when the cluster
    /// uses another range.
    ///
    /// ## Why
    ///
    /// The API server rejects a Service whose nodePort is outside its range
    /// (`provided port is not in the valid range`), so the apply fails.
    /// Writing the Service port (80, 443) or the container port where the
    /// nodePort goes is the usual slip; leaving `nodePort` out lets the API
    /// server pick a free one.
    ///
    /// ## Parameters
    ///
    /// - `min` (default `30000`): the lowest node port;
    /// - `max` (default `32767`): the highest node port.
    ///
    /// ```yaml
    /// rules:
    ///   nodeport-range: {min: 20000, max: 22767}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   type: NodePort
    ///   selector: {app: web}
    ///   ports:
    ///   - {port: 80, targetPort: 8080, nodePort: 80}
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
    ///   type: NodePort
    ///   selector: {app: web}
    ///   ports:
    ///   - {port: 80, targetPort: 8080, nodePort: 30080}
    /// ```
    pub struct NodeportRange {
        id: "nodeport-range",
        category: Networking,
        severity: Error,
        params: [
            Param::integer("min", 30000, "the lowest node port"),
            Param::integer("max", 32767, "the highest node port"),
        ],
    }
}

impl Rule for NodeportRange {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "Service") {
            return;
        }
        let (Some(min), Some(max)) = (cx.params.integer("min"), cx.params.integer("max")) else {
            return;
        };
        let list = r
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, p) in list.iter().enumerate() {
            let Some(n) = p.get("nodePort").and_then(Value::as_i64) else {
                continue;
            };
            if (min..=max).contains(&n) || n == 0 {
                continue;
            }
            cx.report(
                &format!("/spec/ports/{i}/nodePort"),
                Target::Value,
                format!(
                    "nodePort {n} is outside the node port range {min}-{max}: the API server rejects the Service"
                ),
            )
            .help(format!(
                "leave `nodePort` out to get a free one assigned, or pick one in {min}-{max} (set the rule's `min` and `max` if the cluster's --service-node-port-range differs)"
            ));
        }
    }
}
