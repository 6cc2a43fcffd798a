use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Annotations replaced by API fields should not be used.
    ///
    /// ## What it checks
    ///
    /// Annotations of an object, and of the pod template of a workload,
    /// that alpha and beta releases used before the feature became a field:
    ///
    /// | annotation | use instead |
    /// |---|---|
    /// | `scheduler.alpha.kubernetes.io/affinity` | `spec.affinity` |
    /// | `scheduler.alpha.kubernetes.io/tolerations` | `spec.tolerations` |
    /// | `scheduler.alpha.kubernetes.io/critical-pod` | `priorityClassName: system-cluster-critical` |
    /// | `pod.alpha.kubernetes.io/init-containers`, `pod.beta.kubernetes.io/init-containers` | `spec.initContainers` |
    /// | `pod.beta.kubernetes.io/hostname`, `pod.beta.kubernetes.io/subdomain` | `spec.hostname`, `spec.subdomain` |
    /// | `security.alpha.kubernetes.io/sysctls`, `security.alpha.kubernetes.io/unsafe-sysctls` | `securityContext.sysctls` |
    /// | `seccomp.security.alpha.kubernetes.io/pod`, `container.seccomp.security.alpha.kubernetes.io/<name>` | `securityContext.seccompProfile` |
    /// | `container.apparmor.security.beta.kubernetes.io/<name>` | `securityContext.appArmorProfile` |
    /// | `service.alpha.kubernetes.io/tolerate-unready-endpoints` | Service `spec.publishNotReadyAddresses` |
    /// | `kubernetes.io/ingress.class` | Ingress `spec.ingressClassName` |
    /// | `volume.beta.kubernetes.io/storage-class` | claim `spec.storageClassName` |
    /// | `storageclass.beta.kubernetes.io/is-default-class` | `storageclass.kubernetes.io/is-default-class` |
    ///
    /// ## Why
    ///
    /// The scheduling, init-container and hostname annotations are ignored by
    /// current releases, so what they ask for (node affinity, tolerations,
    /// init containers) silently does not happen; the others are deprecated
    /// and will stop working. The API server accepts any annotation, so
    /// nothing else reports them.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: with-affinity
    ///   annotations:
    ///     scheduler.alpha.kubernetes.io/affinity: '{"nodeAffinity": {}}'
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.k8s.io/pause:3.10
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: with-affinity
    /// spec:
    ///   affinity:
    ///     nodeAffinity:
    ///       requiredDuringSchedulingIgnoredDuringExecution:
    ///         nodeSelectorTerms:
    ///         - matchExpressions:
    ///           - {key: topology.kubernetes.io/zone, operator: In, values: [eu-west-1a]}
    ///   containers:
    ///   - name: app
    ///     image: registry.k8s.io/pause:3.10
    /// ```
    pub struct ObsoleteAnnotations {
        id: "obsolete-annotations",
        category: Metadata,
        severity: Warning,
    }
}

/// Obsolete annotation keys (or key prefixes ending in `/`), what replaces
/// them, and whether current releases ignore them (rather than only
/// deprecate them).
const OBSOLETE: &[(&str, &str, bool)] = &[
    (
        "scheduler.alpha.kubernetes.io/affinity",
        "`spec.affinity`",
        true,
    ),
    (
        "scheduler.alpha.kubernetes.io/tolerations",
        "`spec.tolerations`",
        true,
    ),
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        "`priorityClassName: system-cluster-critical`",
        true,
    ),
    (
        "pod.alpha.kubernetes.io/init-containers",
        "`spec.initContainers`",
        true,
    ),
    (
        "pod.beta.kubernetes.io/init-containers",
        "`spec.initContainers`",
        true,
    ),
    ("pod.beta.kubernetes.io/hostname", "`spec.hostname`", true),
    ("pod.beta.kubernetes.io/subdomain", "`spec.subdomain`", true),
    (
        "security.alpha.kubernetes.io/sysctls",
        "`securityContext.sysctls`",
        false,
    ),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "`securityContext.sysctls`",
        false,
    ),
    (
        "seccomp.security.alpha.kubernetes.io/pod",
        "`securityContext.seccompProfile`",
        false,
    ),
    (
        "container.seccomp.security.alpha.kubernetes.io/",
        "the container's `securityContext.seccompProfile`",
        false,
    ),
    (
        "container.apparmor.security.beta.kubernetes.io/",
        "the container's `securityContext.appArmorProfile`",
        false,
    ),
    (
        "service.alpha.kubernetes.io/tolerate-unready-endpoints",
        "the Service's `spec.publishNotReadyAddresses`",
        false,
    ),
    (
        "kubernetes.io/ingress.class",
        "the Ingress's `spec.ingressClassName`",
        false,
    ),
    (
        "volume.beta.kubernetes.io/storage-class",
        "the claim's `spec.storageClassName`",
        false,
    ),
    (
        "storageclass.beta.kubernetes.io/is-default-class",
        "the annotation `storageclass.kubernetes.io/is-default-class`",
        false,
    ),
];

fn replacement(key: &str) -> Option<(&'static str, bool)> {
    OBSOLETE.iter().find_map(|(k, r, ignored)| {
        let hit = match k.strip_suffix('/') {
            Some(_) => key.starts_with(k),
            None => key == *k,
        };
        hit.then_some((*r, *ignored))
    })
}

impl ObsoleteAnnotations {
    fn check_annotations(&self, cx: &mut Cx<'_>, metadata: &str) {
        let pointer = format!("{metadata}/annotations");
        let Some(annotations) = cx.object.value.pointer(&pointer).and_then(Value::as_map) else {
            return;
        };
        for (key, _) in annotations.iter() {
            let Some((instead, ignored)) = replacement(key) else {
                continue;
            };
            let mut at = pointer.clone();
            crate::pointer::push(&mut at, key);
            cx.report(
                &at,
                Target::Key,
                if ignored {
                    format!("annotation `{key}` is obsolete: current Kubernetes releases ignore it")
                } else {
                    format!("annotation `{key}` is deprecated and will stop working")
                },
            )
            .help(format!("use {instead} instead, and remove the annotation"));
        }
    }
}

impl Rule for ObsoleteAnnotations {
    fn check_object(&self, cx: &mut Cx<'_>) {
        self.check_annotations(cx, "/metadata");
        if let Some(pod) = cx.pod().filter(PodSpec::is_template) {
            self.check_annotations(cx, pod.metadata_pointer);
        }
    }
}
