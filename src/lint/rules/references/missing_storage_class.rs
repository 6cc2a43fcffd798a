use crate::diagnostic::Target;
use crate::lint::rules::workloads::{close_name, is_known, object_claims};
use crate::lint::{Cx, Param, PodSpec, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// The StorageClass a claim names should be defined.
    ///
    /// ## What it checks
    ///
    /// The `storageClassName` (or the older
    /// `volume.beta.kubernetes.io/storage-class` annotation) of every
    /// PersistentVolumeClaim, StatefulSet `volumeClaimTemplates` entry and
    /// generic ephemeral volume must name a StorageClass defined among the
    /// checked objects. An empty name (no dynamic provisioning) and a
    /// missing one (the cluster's default class) are not references.
    /// StorageClasses the cluster already has are listed in the `known`
    /// parameter; by default it holds the classes that managed offerings
    /// and local distributions create themselves.
    ///
    /// ## Why
    ///
    /// The API server accepts a claim whose class does not exist; nothing
    /// provisions a volume for it, so the claim stays `Pending` with
    /// `storageclass.storage.k8s.io "fast" not found`, and so do the pods
    /// that mount it.
    ///
    /// ## Parameters
    ///
    /// - `known`: StorageClasses that exist in the cluster. The default
    ///   lists those GKE (`standard`, `standard-rwo`, `premium-rwo`), EKS
    ///   (`gp2`), AKS (`default`, `managed`, `managed-premium`,
    ///   `managed-csi`, `managed-csi-premium`, `azurefile`,
    ///   `azurefile-premium`, `azurefile-csi`, `azurefile-csi-premium`),
    ///   k3s (`local-path`) and Docker Desktop (`hostpath`) create; setting
    ///   the parameter replaces the list.
    ///
    /// ```yaml
    /// rules:
    ///   missing-storage-class: {known: [ceph-block, ceph-fs]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   storageClassName: fast-ssd
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: storage.k8s.io/v1
    /// kind: StorageClass
    /// metadata:
    ///   name: fast-ssd
    /// provisioner: pd.csi.storage.gke.io
    /// parameters: {type: pd-ssd}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   storageClassName: fast-ssd
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// ```
    pub struct MissingStorageClass {
        id: "missing-storage-class",
        category: References,
        severity: Warning,
        params: [Param::strings("known", PROVIDED, "StorageClasses that exist in the cluster")],
    }
}

/// Classes managed offerings and local distributions create with the cluster.
const PROVIDED: &[&str] = &[
    "standard",
    "standard-rwo",
    "premium-rwo",
    "gp2",
    "default",
    "managed",
    "managed-premium",
    "managed-csi",
    "managed-csi-premium",
    "azurefile",
    "azurefile-premium",
    "azurefile-csi",
    "azurefile-csi-premium",
    "local-path",
    "hostpath",
];

const BETA_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

impl MissingStorageClass {
    /// Checks the class of the claim whose `metadata` and `spec` are at
    /// `base` (`""` for a PersistentVolumeClaim itself).
    fn check_claim(&self, cx: &mut Cx<'_>, who: &str, claim: &Value, base: &str) {
        let (name, pointer) = match claim
            .get("spec")
            .and_then(|s| s.get("storageClassName"))
            .and_then(Value::as_str)
        {
            Some(n) => (n, format!("{base}/spec/storageClassName")),
            None => {
                let Some(n) = claim
                    .get("metadata")
                    .and_then(|m| m.get("annotations"))
                    .and_then(|a| a.get(BETA_ANNOTATION))
                    .and_then(Value::as_str)
                else {
                    return;
                };
                let mut p = format!("{base}/metadata/annotations");
                crate::pointer::push(&mut p, BETA_ANNOTATION);
                (n, p)
            }
        };
        if name.is_empty() {
            return;
        }
        let (index, params) = (cx.index, cx.params);
        if index.get("StorageClass", None, name).is_some()
            || is_known(params.strings("known"), None, name)
        {
            return;
        }
        let defined: Vec<&str> = index
            .of_kind("StorageClass")
            .filter_map(Resource::name)
            .collect();
        let help = match close_name(name, defined.iter().copied()) {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => "define the StorageClass or fix the name; it may also exist in the cluster already: if it is created outside these manifests, add it to the rule's `known` parameter".to_owned(),
        };
        cx.report(
            &pointer,
            Target::Value,
            format!(
                "{who} asks for StorageClass \"{name}\", which is not defined: the claim stays Pending until it exists"
            ),
        )
        .help(help);
    }
}

impl Rule for MissingStorageClass {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for c in object_claims(cx.object) {
            self.check_claim(cx, &c.who, c.claim, &c.pointer);
        }
        if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let volumes = pod
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for (i, v) in volumes.iter().enumerate() {
            let Some(template) = v.pointer("/ephemeral/volumeClaimTemplate") else {
                continue;
            };
            let vname = v.get("name").and_then(Value::as_str).unwrap_or("");
            let who = format!("ephemeral volume \"{vname}\"");
            let base = pod.pointer_to(&[
                "volumes",
                &i.to_string(),
                "ephemeral",
                "volumeClaimTemplate",
            ]);
            self.check_claim(cx, &who, template, &base);
        }
    }
}
