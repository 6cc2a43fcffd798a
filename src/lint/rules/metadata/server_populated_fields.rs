use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Manifests should not carry fields the cluster fills in.
    ///
    /// ## What it checks
    ///
    /// Fields the API server and controllers write, which a manifest
    /// exported from a live cluster (`kubectl get -o yaml`) still holds:
    ///
    /// - `status`, unless it holds only empty values (`status: {}`, as
    ///   `kubectl create --dry-run -o yaml` and CRD generators write it);
    /// - `metadata.uid`, `resourceVersion`, `generation`, `selfLink`,
    ///   `managedFields`, `deletionTimestamp`, `deletionGracePeriodSeconds`,
    ///   and a `creationTimestamp` other than `null`;
    /// - annotations the control plane sets: the PersistentVolume
    ///   controller's `pv.kubernetes.io/bind-completed`,
    ///   `pv.kubernetes.io/bound-by-controller` and
    ///   `volume.kubernetes.io/storage-provisioner` (and its `beta` form),
    ///   the scheduler's `volume.kubernetes.io/selected-node`, the
    ///   Deployment controller's `deployment.kubernetes.io/revision`,
    ///   `desired-replicas` and `max-replicas`, the token controller's
    ///   `kubernetes.io/service-account.uid`, the endpoints controller's
    ///   `endpoints.kubernetes.io/last-change-trigger-time`, and kubectl's
    ///   `kubectl.kubernetes.io/last-applied-configuration`.
    ///
    /// Each field is reported where it is.
    ///
    /// ## Why
    ///
    /// These values describe one object in one cluster at one moment. The
    /// API server rejects a create that sets `resourceVersion`, an update
    /// whose `resourceVersion` or `uid` is stale conflicts, and `status` is
    /// ignored, so the manifest says something that is not so. Controller
    /// annotations are worse: a copied `bind-completed` or `selected-node`
    /// tells the controllers that work was done which was not (a claim
    /// marked bound, a volume to provision on a node that may not exist),
    /// and a copied `last-applied-configuration` makes the next
    /// `kubectl apply` compute its changes from someone else's old version.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    ///   uid: 6c1d3f5e-2b7a-4c1e-9d1f-0a2b3c4d5e6f
    ///   resourceVersion: "48213"
    ///   annotations:
    ///     pv.kubernetes.io/bind-completed: "yes"
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// status:
    ///   phase: Bound
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// ```
    pub struct ServerPopulatedFields {
        id: "server-populated-fields",
        category: Metadata,
        severity: Warning,
    }
}

/// `metadata` fields the API server sets, and what goes wrong when a
/// manifest carries them.
const METADATA: &[(&str, &str)] = &[
    (
        "uid",
        "is assigned by the API server: it is replaced on create, and an update with another object's uid fails its precondition",
    ),
    (
        "resourceVersion",
        "is set by the API server: a create that sets it is rejected (resourceVersion should not be set on objects to be created), and an update with a stale one conflicts",
    ),
    (
        "generation",
        "is counted by the API server and ignored on create",
    ),
    (
        "selfLink",
        "was set by the API server before 1.20 and is ignored",
    ),
    (
        "managedFields",
        "is the API server's record of field ownership; a copied one hands the fields to managers that never set them",
    ),
    (
        "creationTimestamp",
        "is set by the API server and ignored on create",
    ),
    (
        "deletionTimestamp",
        "is set by the API server when the object is being deleted",
    ),
    (
        "deletionGracePeriodSeconds",
        "is set by the API server when the object is being deleted",
    ),
];

/// Annotations the control plane writes, with who writes them.
const ANNOTATIONS: &[(&str, &str)] = &[
    (
        "kubectl.kubernetes.io/last-applied-configuration",
        "is written by `kubectl apply`: a copied one makes the next apply compute its changes from that old configuration",
    ),
    (
        "deployment.kubernetes.io/revision",
        "is the Deployment controller's rollout counter",
    ),
    (
        "deployment.kubernetes.io/desired-replicas",
        "is written by the Deployment controller on its ReplicaSets",
    ),
    (
        "deployment.kubernetes.io/max-replicas",
        "is written by the Deployment controller on its ReplicaSets",
    ),
    (
        "pv.kubernetes.io/bind-completed",
        "is the PersistentVolume controller's record that the binding is done: a copied one skips the binding it stands for",
    ),
    (
        "pv.kubernetes.io/bound-by-controller",
        "is the PersistentVolume controller's record that it bound the claim itself",
    ),
    (
        "volume.kubernetes.io/storage-provisioner",
        "is written by the PersistentVolume controller to tell a provisioner to act",
    ),
    (
        "volume.beta.kubernetes.io/storage-provisioner",
        "is written by the PersistentVolume controller to tell a provisioner to act",
    ),
    (
        "volume.kubernetes.io/selected-node",
        "is written by the scheduler: a copied one provisions the volume on a node chosen for another pod, which may not exist",
    ),
    (
        "kubernetes.io/service-account.uid",
        "is filled in by the token controller; a copied uid names another ServiceAccount, so the token Secret is deleted",
    ),
    (
        "endpoints.kubernetes.io/last-change-trigger-time",
        "is written by the endpoints controller",
    ),
];

/// Whether `v` holds nothing but empty values (`{}`, `[]`, `""`, `null`,
/// nested).
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Seq(items) => items.iter().all(is_empty),
        Value::Map(m) => m.iter().all(|(_, v)| is_empty(v)),
        _ => false,
    }
}

impl Rule for ServerPopulatedFields {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if let Some(status) = r.value.get("status")
            && !is_empty(status)
        {
            cx.report(
                "/status",
                Target::Key,
                "`status` is reported by the cluster: the API server ignores it when the object is written, so this manifest was probably exported from a live cluster",
            )
            .help("remove `status`");
        }
        let Some(meta) = r.value.get("metadata") else {
            return;
        };
        for (field, why) in METADATA {
            let Some(v) = meta.get(field) else {
                continue;
            };
            if matches!(v, Value::Null) {
                continue;
            }
            cx.report(
                &format!("/metadata/{field}"),
                Target::Key,
                format!("`metadata.{field}` {why}"),
            )
            .help(format!("remove `metadata.{field}`"));
        }
        let Some(annotations) = meta.get("annotations").and_then(Value::as_map) else {
            return;
        };
        for (key, _) in annotations.iter() {
            let Some((_, why)) = ANNOTATIONS.iter().find(|(a, _)| *a == key) else {
                continue;
            };
            let mut pointer = String::from("/metadata/annotations");
            crate::pointer::push(&mut pointer, key);
            cx.report(&pointer, Target::Key, format!("annotation `{key}` {why}"))
                .help("remove the annotation: the cluster sets it when it applies");
        }
    }
}
