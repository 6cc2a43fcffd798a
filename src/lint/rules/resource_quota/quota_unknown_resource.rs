use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// ResourceQuota `hard` keys must be resources a quota can limit.
    ///
    /// ## What it checks
    ///
    /// Each key of a ResourceQuota's `spec.hard` without a `/` must be one of
    /// the standard quota resources (`requests.cpu`, `limits.memory`,
    /// `pods`, `services.loadbalancers`, `persistentvolumeclaims`, ...) or a
    /// hugepages request (`requests.hugepages-2Mi`); keys with a `/`
    /// (`count/deployments.apps`, `requests.nvidia.com/gpu`,
    /// `gold.storageclass.storage.k8s.io/requests.storage`) are left alone.
    /// Counts of objects (`pods`, `services`, ...) must be whole numbers.
    ///
    /// ## Why
    ///
    /// The API server refuses the quota (`spec.hard[services.loadbalances]:
    /// Invalid value: "services.loadbalances": must be a standard resource
    /// for quota`), so none of its limits apply.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: object-counts
    /// spec:
    ///   hard:
    ///     services: "10"
    ///     services.loadbalances: "2"
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: object-counts
    /// spec:
    ///   hard:
    ///     services: "10"
    ///     services.loadbalancers: "2"
    /// ```
    pub struct QuotaUnknownResource {
        id: "quota-unknown-resource",
        category: ResourceQuota,
        severity: Error,
    }
}

/// The resources `IsStandardQuotaResourceName` accepts.
const STANDARD: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
];

/// Resources counted in whole objects.
const INTEGER: &[&str] = &[
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
];

impl Rule for QuotaUnknownResource {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.object.kind() != Some("ResourceQuota") {
            return;
        }
        let Some(hard) = cx
            .object
            .value
            .pointer("/spec/hard")
            .and_then(Value::as_map)
        else {
            return;
        };
        for (key, value) in hard.iter() {
            let mut pointer = "/spec/hard".to_owned();
            crate::pointer::push(&mut pointer, key);
            let standard = STANDARD.contains(&key)
                || key.starts_with("hugepages-")
                || key.starts_with("requests.hugepages-");
            if !key.contains('/') && !standard {
                let help = match crate::suggest::closest(key, STANDARD.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? The API server refuses the quota"),
                    None => "use a standard quota resource, `count/<resource>.<group>`, or `requests.<extended resource>`; the API server refuses the quota".to_owned(),
                };
                cx.report(
                    &pointer,
                    Target::Key,
                    format!(
                        "spec.hard[{key}]: Invalid value: \"{key}\": must be a standard resource for quota"
                    ),
                )
                .help(help);
                continue;
            }
            let whole = INTEGER.contains(&key)
                || key.starts_with("count/")
                || key.ends_with("/persistentvolumeclaims");
            if whole
                && let Ok(q) = crate::resource::quantity::Quantity::from_value(value)
                && q.nanos() % 1_000_000_000 != 0
            {
                cx.report(
                    &pointer,
                    Target::Value,
                    format!("spec.hard[{key}]: Invalid value: \"{q}\": must be an integer"),
                )
                .help(format!(
                    "{key} counts objects: use a whole number; the API server refuses the quota"
                ));
            }
        }
    }
}
