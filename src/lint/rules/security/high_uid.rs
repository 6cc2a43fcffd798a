use super::{effective, owner};
use crate::diagnostic::Target;
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should run with a user and group ID of 10000 or more.
    ///
    /// ## What it checks
    ///
    /// `runAsUser` and `runAsGroup` as each container runs with them (its
    /// own, else the pod's): a value from 1 to `min-id` - 1 is reported. Zero
    /// is left to `run-as-root-user`, and unset values to the image.
    ///
    /// ## Why
    ///
    /// Low IDs are taken by the node's own users and groups (system daemons,
    /// the first login users). A container process that escapes, or that
    /// writes to a `hostPath` volume, acts as that node user. IDs of 10000 or
    /// more are unlikely to exist on the node (kube-score
    /// `container-security-context-user-group-id`, checkov `CKV_K8S_40`).
    ///
    /// ## Parameters
    ///
    /// - `min-id` (default `10000`): the lowest user or group ID accepted.
    ///
    /// ```yaml
    /// rules:
    ///   high-uid: {min-id: 1000}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   securityContext:
    ///     runAsUser: 1000
    ///     runAsGroup: 1000
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsGroup: 10001
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    /// ```
    pub struct HighUid {
        id: "high-uid",
        category: Security,
        severity: Info,
        params: [Param::integer("min-id", 10000, "the lowest user or group ID accepted")],
    }
}

impl Rule for HighUid {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(min) = cx.params.integer("min-id") else {
            return;
        };
        let mut reported: Vec<String> = Vec::new();
        for c in pod.containers() {
            for (key, what) in [("runAsUser", "user"), ("runAsGroup", "group")] {
                let Some(s) = effective(pod, &c, key) else {
                    continue;
                };
                let Some(id) = s.value.as_i64() else {
                    continue;
                };
                if id <= 0 || id >= min || reported.contains(&s.pointer) {
                    continue;
                }
                reported.push(s.pointer.clone());
                cx.report(
                    &s.pointer,
                    Target::Value,
                    format!("{} runs with {what} ID {id}, below {min}", owner(&c, &s)),
                )
                .help(format!(
                    "use a {what} ID of {min} or more (such as 10001): low IDs belong to users and groups of the node, which an escaped process or a hostPath write would act as"
                ));
            }
        }
    }
}
