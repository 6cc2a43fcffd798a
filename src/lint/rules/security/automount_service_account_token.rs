use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods should not mount a service account token they do not use.
    ///
    /// ## What it checks
    ///
    /// A Pod or pod template whose `automountServiceAccountToken` is not
    /// `false`, unless it is unset and its ServiceAccount (among the checked
    /// objects) sets `automountServiceAccountToken: false`.
    ///
    /// ## Why
    ///
    /// By default every pod gets a token of its service account under
    /// `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications
    /// never call the Kubernetes API, but whoever takes over the container
    /// can use the token with all the account's permissions. Pods that need
    /// the API should opt in explicitly.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   automountServiceAccountToken: true
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   automountServiceAccountToken: false
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    pub struct AutomountServiceAccountToken {
        id: "automount-service-account-token",
        category: Security,
        severity: Info,
    }
}

/// The service account a pod runs as.
pub(super) fn service_account<'a>(pod: &PodSpec<'a>) -> &'a str {
    pod.get("serviceAccountName")
        .or_else(|| pod.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
}

const HELP: &str = "set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount) unless the application calls the Kubernetes API: whoever takes over the container can use the token";

impl Rule for AutomountServiceAccountToken {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let account = service_account(pod);
        match pod
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
        {
            Some(false) => {}
            Some(true) => {
                cx.report(
                    &pod.pointer_to(&["automountServiceAccountToken"]),
                    Target::Value,
                    format!("the pod mounts a token of service account \"{account}\""),
                )
                .help(HELP);
            }
            None => {
                let ns = cx.namespace();
                let opted_out = cx
                    .index
                    .get("ServiceAccount", ns, account)
                    .and_then(|sa| sa.value.get("automountServiceAccountToken"))
                    .and_then(Value::as_bool)
                    == Some(false);
                if !opted_out {
                    cx.report(
                        pod.pointer,
                        Target::Key,
                        format!(
                            "the pod mounts a token of service account \"{account}\": automountServiceAccountToken is not false"
                        ),
                    )
                    .help(HELP);
                }
            }
        }
    }
}
