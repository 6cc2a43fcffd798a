use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_builtin, is_known};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// ServiceAccounts used by pods and bindings should be defined.
    ///
    /// ## What it checks
    ///
    /// The `serviceAccountName` of every Pod and pod template (or the
    /// deprecated `serviceAccount` when `serviceAccountName` is unset) must
    /// name a ServiceAccount defined in the pod's namespace among the
    /// checked objects, and so must every `ServiceAccount` subject of a
    /// RoleBinding or ClusterRoleBinding, in the subject's `namespace` (a
    /// RoleBinding's own namespace when unset). `default`, which every
    /// namespace has, is never reported; ServiceAccounts created outside
    /// these manifests can be listed in the `known` parameter.
    ///
    /// ## Why
    ///
    /// The ServiceAccount admission plugin rejects a Pod whose ServiceAccount
    /// does not exist, so a workload's ReplicaSet or Job keeps failing to
    /// create pods (`error looking up service account`), which shows only
    /// in its events. A binding whose subject names the wrong namespace
    /// grants its permissions to nobody, and the workload fails with
    /// `forbidden`.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): ServiceAccounts that exist in the cluster,
    ///   as `name` (any namespace) or `namespace/name`.
    ///
    /// ```yaml
    /// rules:
    ///   missing-service-account: {known: [kube-system/cluster-autoscaler]}
    /// ```
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
    ///       serviceAccountName: api-runner
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: api-runner
    /// ---
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
    ///       serviceAccountName: api-runner
    ///       containers:
    ///       - name: api
    ///         image: example/api:1.4.2
    /// ```
    pub struct MissingServiceAccount {
        id: "missing-service-account",
        category: References,
        severity: Warning,
        params: [super::KNOWN],
    }
}

/// The ServiceAccount a pod spec names, with the field that names it.
pub(super) fn service_account<'a>(pod: &PodSpec<'a>) -> Option<(&'a str, &'static str)> {
    ["serviceAccountName", "serviceAccount"]
        .into_iter()
        .find_map(|field| {
            let name = pod.get(field)?.as_str().filter(|n| !n.is_empty())?;
            Some((name, field))
        })
}

impl MissingServiceAccount {
    fn check_binding(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let (index, params) = (cx.index, cx.params);
        let own_ns = cx.namespace();
        let subjects = r
            .value
            .get("subjects")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, s) in subjects.iter().enumerate() {
            let get = |k: &str| s.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
            if get("kind") != Some("ServiceAccount") {
                continue;
            }
            let (Some(name), Some(ns)) = (get("name"), get("namespace").or(own_ns)) else {
                continue;
            };
            if is_builtin("ServiceAccount", name)
                || is_known(params.strings("known"), Some(ns), name)
                || index.get("ServiceAccount", Some(ns), name).is_some()
            {
                continue;
            }
            let elsewhere = index
                .of_kind("ServiceAccount")
                .find(|o| o.name() == Some(name))
                .and_then(|o| index.namespace_of(o));
            let binding = format!(
                "{} \"{}\"",
                r.kind().unwrap_or("binding"),
                r.name().unwrap_or("")
            );
            let message = format!(
                "{binding} grants its role to ServiceAccount \"{name}\" of namespace \"{ns}\", which is not defined there: the permissions reach no pod"
            );
            match elsewhere {
                Some(other) => {
                    let field = if get("namespace").is_some() {
                        "namespace"
                    } else {
                        "name"
                    };
                    cx.report(&format!("/subjects/{i}/{field}"), Target::Value, message).help(
                        format!(
                            "ServiceAccount \"{name}\" is defined in namespace \"{other}\": set the subject's `namespace: {other}`"
                        ),
                    );
                }
                None => {
                    cx.report(&format!("/subjects/{i}/name"), Target::Value, message).help(
                        "define the ServiceAccount or fix the subject; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter",
                    );
                }
            }
        }
    }
}

impl Rule for MissingServiceAccount {
    fn check_object(&self, cx: &mut Cx<'_>) {
        // Bindings by kind alone: a misspelt RBAC group is validation's finding.
        if matches!(cx.object.kind(), Some("RoleBinding" | "ClusterRoleBinding")) {
            self.check_binding(cx);
        } else if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let (Some(ns), Some((name, field))) = (cx.namespace(), service_account(pod)) else {
            return;
        };
        let (index, params) = (cx.index, cx.params);
        if is_builtin("ServiceAccount", name)
            || is_known(params.strings("known"), Some(ns), name)
            || index.get("ServiceAccount", Some(ns), name).is_some()
        {
            return;
        }
        let here: Vec<&str> = index
            .of_kind_in("ServiceAccount", ns)
            .filter_map(Resource::name)
            .collect();
        let elsewhere = index
            .of_kind("ServiceAccount")
            .find(|r| r.name() == Some(name))
            .and_then(|r| index.namespace_of(r));
        let help = if let Some(close) =
            crate::lint::rules::workloads::close_name(name, here.iter().copied())
        {
            format!("did you mean \"{close}\"?")
        } else if let Some(other) = elsewhere {
            format!(
                "ServiceAccount \"{name}\" is defined in namespace \"{other}\", but a pod can only run as one of its own namespace; define it in \"{ns}\" too"
            )
        } else {
            "define the ServiceAccount or fix the name; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter".to_owned()
        };
        cx.report(
            &pod.pointer_to(&[field]),
            Target::Value,
            format!(
                "ServiceAccount \"{name}\" is not defined in namespace \"{ns}\": the API server rejects pods that run as a missing ServiceAccount"
            ),
        )
        .help(help);
    }
}
