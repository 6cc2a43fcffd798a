use super::{Covered, host_path::HostPath, reports};
use crate::diagnostic::Target;
use crate::lint::rules::pod_security::pss::restricted_volume_type;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Pods should use only the volume types of the restricted level.
    ///
    /// ## What it checks
    ///
    /// Every volume of a Pod or pod template must be a `configMap`, `csi`,
    /// `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
    /// `persistentVolumeClaim`, `projected` or `secret` volume. `hostPath`
    /// volumes are left to `host-path` when it runs.
    ///
    /// ## Why
    ///
    /// The other types (`nfs`, `iscsi`, `rbd`, `cephfs`, `gitRepo`, cloud
    /// disks, ...) are mounted by the node with what the pod spec says:
    /// whoever writes the pod chooses servers and credentials, and `gitRepo`
    /// runs `git` on the node. Through a PersistentVolumeClaim, the
    /// administrator defines the storage in a PersistentVolume instead. The
    /// Pod Security `restricted` level allows only the listed types (check
    /// `restrictedVolumes`); when `pod-security-admission` already reports a
    /// volume, this rule leaves it out.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: reports
    /// spec:
    ///   containers:
    ///   - name: reports
    ///     image: example/reports:1.2.0
    ///     volumeMounts:
    ///     - name: share
    ///       mountPath: /data
    ///   volumes:
    ///   - name: share
    ///     nfs:
    ///       server: nfs.example.internal
    ///       path: /exports/reports
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: reports
    /// spec:
    ///   containers:
    ///   - name: reports
    ///     image: example/reports:1.2.0
    ///     volumeMounts:
    ///     - name: share
    ///       mountPath: /data
    ///   volumes:
    ///   - name: share
    ///     persistentVolumeClaim:
    ///       claimName: reports-share
    /// ```
    pub struct VolumeTypes {
        id: "volume-types",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["restrictedVolumes"];

impl Rule for VolumeTypes {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let covered = Covered::new(pod);
        let host_path = reports(cx, &HostPath);
        for (i, v) in pod
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(m) = v.as_map() else {
                continue;
            };
            let Some(kind) = restricted_volume_type(m) else {
                continue;
            };
            if kind == "hostPath" && host_path {
                continue;
            }
            let mut pointer = pod.pointer_to(&["volumes", &i.to_string()]);
            let name = m.get("name").and_then(Value::as_str).unwrap_or("");
            let message = if kind == "unknown" {
                format!("volume \"{name}\" has no volume source the restricted level allows")
            } else {
                crate::pointer::push(&mut pointer, kind);
                format!("volume \"{name}\" uses the volume type {kind}")
            };
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            let help = if kind == "gitRepo" {
                "gitRepo is deprecated and runs git on the node: clone the repository in an init container into an emptyDir instead"
            } else {
                "define the storage in a PersistentVolume and mount it through a persistentVolumeClaim (or use a CSI driver): the restricted level allows only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes"
            };
            cx.report(&pointer, Target::Key, message).help(help);
        }
    }
}
