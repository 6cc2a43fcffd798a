use super::{KNOWN, Reference, Wanted, references, report_references};
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

const FIX: &str = "define the Secret (or a secretGenerator) or fix the name";

/// Annotations that make cert-manager create an Ingress's TLS Secret.
const CERT_MANAGER: &[&str] = &[
    "cert-manager.io/issuer",
    "cert-manager.io/cluster-issuer",
    "kubernetes.io/tls-acme",
];

declare_rule! {
    /// Secrets that pods and Ingresses use should be defined.
    ///
    /// ## What it checks
    ///
    /// Every reference to a Secret: from Pods and pod templates (env
    /// `valueFrom.secretKeyRef`, `envFrom[].secretRef`, `secret` volumes,
    /// `secret` sources of projected volumes, `imagePullSecrets`), from
    /// ServiceAccounts (`imagePullSecrets`) and from Ingresses
    /// (`tls[].secretName`, unless cert-manager is asked to create it). The
    /// Secret must be defined in the same namespace among the checked
    /// objects, and when it is, every key read (`secretKeyRef.key`, volume
    /// `items[].key`) must be in its `data` or `stringData`.
    ///
    /// References marked `optional: true` are skipped. A Secret that is not
    /// in the set may exist in the cluster (many are created by hand or by a
    /// secret manager, never committed); list those in the `known` parameter.
    /// Messages name Secrets and keys, never their values.
    ///
    /// ## Why
    ///
    /// The API server accepts a pod whose Secret does not exist; the kubelet
    /// then keeps it in `ContainerCreating` or `CreateContainerConfigError`
    /// until the Secret appears. A missing pull secret makes private images
    /// fail with `ErrImagePull`, and a missing TLS Secret makes the ingress
    /// controller serve its default certificate.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): Secrets that exist in the cluster, as
    ///   `name` (any namespace) or `namespace/name`.
    ///
    /// ```yaml
    /// rules:
    ///   missing-secret: {known: [registry-credentials, shop/db-password]}
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
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     volumeMounts:
    ///     - {name: tls, mountPath: /etc/tls, readOnly: true}
    ///   volumes:
    ///   - name: tls
    ///     secret: {secretName: api-tls}
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
    ///     volumeMounts:
    ///     - {name: tls, mountPath: /etc/tls, readOnly: true}
    ///   volumes:
    ///   - name: tls
    ///     secret: {secretName: api-tls, optional: true}
    /// ```
    pub struct MissingSecret {
        id: "missing-secret",
        category: References,
        severity: Warning,
        params: [KNOWN],
    }
}

impl Rule for MissingSecret {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
            return;
        }
        let mut refs = Vec::new();
        if is_kind(r, "ServiceAccount") {
            let pulls = r
                .value
                .get("imagePullSecrets")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            for (i, s) in pulls.iter().enumerate() {
                if let Some(name) = s.get("name").and_then(Value::as_str) {
                    refs.push(Reference {
                        name,
                        pointer: format!("/imagePullSecrets/{i}/name"),
                        keys: Vec::new(),
                        optional: false,
                        optionable: false,
                        via: "imagePullSecrets of the ServiceAccount".into(),
                        var: None,
                        effect: "pods that run as this ServiceAccount pull images without these credentials",
                        key_effect: "",
                    });
                }
            }
        } else if is_kind(r, "Ingress") {
            let annotations = r
                .value
                .pointer("/metadata/annotations")
                .and_then(Value::as_map);
            if annotations.is_some_and(|a| CERT_MANAGER.iter().any(|k| a.contains_key(k))) {
                return;
            }
            let tls = r
                .value
                .pointer("/spec/tls")
                .and_then(Value::as_seq)
                .unwrap_or_default();
            for (i, t) in tls.iter().enumerate() {
                if let Some(name) = t.get("secretName").and_then(Value::as_str) {
                    refs.push(Reference {
                        name,
                        pointer: format!("/spec/tls/{i}/secretName"),
                        keys: Vec::new(),
                        optional: false,
                        optionable: false,
                        via: "TLS of the Ingress".into(),
                        var: None,
                        effect: "the ingress controller serves its default certificate until it exists",
                        key_effect: "",
                    });
                }
            }
        }
        report_references(cx, Wanted::Secret, refs, FIX);
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let refs = references(pod, Wanted::Secret);
        report_references(cx, Wanted::Secret, refs, FIX);
    }
}
