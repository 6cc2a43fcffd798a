use super::{Covered, container_context, map, pod_context};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::{Map, Value};

declare_rule! {
    /// Containers should not run without AppArmor confinement.
    ///
    /// ## What it checks
    ///
    /// `appArmorProfile.type` in the pod's or a container's securityContext
    /// must be `RuntimeDefault` or `Localhost` when set, and the older
    /// annotations `container.apparmor.security.beta.kubernetes.io/<name>`
    /// must be `runtime/default` or `localhost/<profile>` when set. Unset is
    /// fine: the runtime's default profile applies.
    ///
    /// ## Why
    ///
    /// On nodes with AppArmor, the default profile keeps a container away
    /// from the node's kernel interfaces (`/proc/sys`, mounts, raw
    /// devices). `Unconfined` removes that. The Pod Security `baseline` level
    /// forbids it (check `appArmorProfile`); when `pod-security-admission`
    /// already reports a field, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       appArmorProfile:
    ///         type: Unconfined
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
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       appArmorProfile:
    ///         type: RuntimeDefault
    /// ```
    pub struct ApparmorProfile {
        id: "apparmor-profile",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["appArmorProfile"];

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

const HELP: &str = "use `appArmorProfile: {type: RuntimeDefault}` (the default when nothing is set) or a Localhost profile loaded on the nodes";

impl Rule for ApparmorProfile {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        let check = |cx: &mut Cx<'_>, sc: Option<&Map>, base: String, who: String| {
            let Some(profile) = sc.and_then(|sc| map(sc, "appArmorProfile")) else {
                return;
            };
            let kind = profile.get("type").and_then(Value::as_str);
            if matches!(kind, Some("RuntimeDefault" | "Localhost")) {
                return;
            }
            let (pointer, target, message) = match kind {
                Some(kind) => (
                    format!("{base}/appArmorProfile/type"),
                    Target::Value,
                    format!("{who} sets the AppArmor profile type {kind}"),
                ),
                None => (
                    format!("{base}/appArmorProfile"),
                    Target::Key,
                    format!("{who} sets an AppArmor profile without a type"),
                ),
            };
            if !covered.has(cx, &pointer, &CHECKS) {
                cx.report(&pointer, target, message).help(HELP);
            }
        };
        check(
            cx,
            pod_context(pod),
            pod.pointer_to(&["securityContext"]),
            "the pod".to_owned(),
        );
        for c in pod.containers() {
            check(
                cx,
                container_context(&c),
                c.pointer_to(&["securityContext"]),
                c.describe(),
            );
        }
        let annotations = cx
            .object
            .value
            .pointer(pod.metadata_pointer)
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_map);
        for (key, value) in annotations.into_iter().flat_map(Map::iter) {
            let (Some(container), Some(value)) = (key.strip_prefix(ANNOTATION), value.as_str())
            else {
                continue;
            };
            if value.is_empty() || value == "runtime/default" || value.starts_with("localhost/") {
                continue;
            }
            let mut pointer = pod.metadata_pointer.to_owned();
            crate::pointer::push(&mut pointer, "annotations");
            crate::pointer::push(&mut pointer, key);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Value,
                format!("the AppArmor annotation of container \"{container}\" sets the profile `{value}`"),
            )
            .help("use `runtime/default` or `localhost/<profile>`, or better the securityContext field `appArmorProfile: {type: RuntimeDefault}`");
        }
    }
}
