use super::{KNOWN, Wanted, references, report_references};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// ConfigMaps that pods use should be defined, with the keys they read.
    ///
    /// ## What it checks
    ///
    /// Every reference of a Pod or pod template to a ConfigMap: env
    /// `valueFrom.configMapKeyRef`, `envFrom[].configMapRef`, `configMap`
    /// volumes and `configMap` sources of projected volumes. The ConfigMap
    /// must be defined in the pod's namespace among the checked objects, and
    /// when it is, every key read (`configMapKeyRef.key`, volume
    /// `items[].key`) must be in its `data` or `binaryData`.
    ///
    /// References marked `optional: true` are skipped, and so is the
    /// `kube-root-ca.crt` ConfigMap every namespace gets. A ConfigMap that is
    /// not in the set is reported, as a warning, even when the set holds no
    /// ConfigMap of its namespace at all: it may exist in the cluster (the
    /// help says so), but a typo looks the same. List the ones created
    /// outside these manifests in the `known` parameter.
    ///
    /// ## Why
    ///
    /// The API server accepts a pod whose ConfigMap does not exist. The
    /// kubelet then keeps the pod in `ContainerCreating` (a volume) or the
    /// container in `CreateContainerConfigError` (an environment variable)
    /// until it appears, and a missing key fails the same way.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): ConfigMaps that exist in the cluster, as
    ///   `name` (any namespace) or `namespace/name`.
    ///
    /// ```yaml
    /// rules:
    ///   missing-configmap: {known: [monitoring/grafana-dashboards]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     env:
    ///     - name: LOG_LEVEL
    ///       valueFrom:
    ///         configMapKeyRef: {name: web-config, key: log-level}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    /// data:
    ///   log-level: info
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     env:
    ///     - name: LOG_LEVEL
    ///       valueFrom:
    ///         configMapKeyRef: {name: web-config, key: log-level}
    /// ```
    pub struct MissingConfigmap {
        id: "missing-configmap",
        category: References,
        severity: Warning,
        params: [KNOWN],
    }
}

impl Rule for MissingConfigmap {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let refs = references(pod, Wanted::ConfigMap);
        report_references(
            cx,
            Wanted::ConfigMap,
            refs,
            "define the ConfigMap (or a configMapGenerator) or fix the name",
        );
    }
}
