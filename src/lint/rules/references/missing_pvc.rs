use super::{KNOWN, Wanted, references, report_references};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// PersistentVolumeClaims that pods mount should be defined.
    ///
    /// ## What it checks
    ///
    /// Every `persistentVolumeClaim` volume of a Pod or pod template: the
    /// claim must be defined in the pod's namespace among the checked
    /// objects. Claims a StatefulSet creates from its `volumeClaimTemplates`
    /// and generic ephemeral volumes are not references and are not checked.
    /// A claim created outside these manifests can be listed in the `known`
    /// parameter.
    ///
    /// ## Why
    ///
    /// The API server accepts a pod whose claim does not exist; the scheduler
    /// then keeps it `Pending` with `persistentvolumeclaim "data" not found`
    /// until the claim appears.
    ///
    /// ## Parameters
    ///
    /// - `known` (default none): claims that exist in the cluster, as `name`
    ///   (any namespace) or `namespace/name`.
    ///
    /// ```yaml
    /// rules:
    ///   missing-pvc: {known: [shop/uploads]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///   - name: worker
    ///     image: example/worker:3.1.0
    ///     volumeMounts:
    ///     - {name: data, mountPath: /data}
    ///   volumes:
    ///   - name: data
    ///     persistentVolumeClaim: {claimName: worker-data}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: worker-data
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///   - name: worker
    ///     image: example/worker:3.1.0
    ///     volumeMounts:
    ///     - {name: data, mountPath: /data}
    ///   volumes:
    ///   - name: data
    ///     persistentVolumeClaim: {claimName: worker-data}
    /// ```
    pub struct MissingPvc {
        id: "missing-pvc",
        category: References,
        severity: Warning,
        params: [KNOWN],
    }
}

impl Rule for MissingPvc {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let refs = references(pod, Wanted::Claim);
        report_references(
            cx,
            Wanted::Claim,
            refs,
            "define the PersistentVolumeClaim or fix the name",
        );
    }
}
