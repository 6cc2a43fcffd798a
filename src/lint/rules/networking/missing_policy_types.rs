use super::directions;
use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// NetworkPolicy rules should match the policy's policyTypes.
    ///
    /// ## What it checks
    ///
    /// - an `egress` section in a policy whose written `policyTypes` lacks
    ///   `Egress`, or an `ingress` section when it lacks `Ingress`: those
    ///   rules are ignored;
    /// - a policy with only an `egress` section and no `policyTypes`: the
    ///   types default to `Ingress` and `Egress`, so the policy also blocks
    ///   all ingress to the pods it selects.
    ///
    /// ## Why
    ///
    /// `policyTypes` decides what a policy isolates, and its default depends
    /// on which sections are present. An egress-only policy written without
    /// `policyTypes: [Egress]` cuts the selected pods off from all incoming
    /// traffic, and rules under a direction the policy does not list do
    /// nothing at all, silently.
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
    ///   egress:
    ///   - to:
    ///     - podSelector:
    ///         matchLabels: {app: db}
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
    /// ```
    pub struct MissingPolicyTypes {
        id: "missing-policy-types",
        category: Networking,
        severity: Warning,
    }
}

impl Rule for MissingPolicyTypes {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "NetworkPolicy") {
            return;
        }
        let name = r.name().unwrap_or("");
        let d = directions(r);
        let has = |k: &str| {
            r.value
                .pointer(&format!("/spec/{k}"))
                .is_some_and(|v| !v.is_null())
        };
        if d.written {
            for (section, kind, listed) in [
                ("ingress", "Ingress", d.ingress),
                ("egress", "Egress", d.egress),
            ] {
                if has(section) && !listed {
                    cx.report(
                        &format!("/spec/{section}"),
                        Target::Key,
                        format!(
                            "the {section} rules of NetworkPolicy \"{name}\" are ignored: its policyTypes does not list {kind}"
                        ),
                    )
                    .help(format!("add {kind} to `policyTypes`, or remove the `{section}` section"));
                }
            }
            return;
        }
        let egress_only = has("egress") && !has("ingress");
        let rules = r
            .value
            .pointer("/spec/egress")
            .and_then(Value::as_seq)
            .is_some();
        if egress_only && rules {
            cx.report(
                "/spec",
                Target::Key,
                format!(
                    "NetworkPolicy \"{name}\" has only egress rules but no policyTypes, which then default to [Ingress, Egress]: it also blocks all ingress to the pods it selects"
                ),
            )
            .help("add `policyTypes: [Egress]` (or list Ingress with ingress rules if blocking ingress is intended)");
        }
    }
}
