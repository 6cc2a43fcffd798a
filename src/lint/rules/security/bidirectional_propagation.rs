use super::container_context;
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Bidirectional mount propagation needs a privileged container.
    ///
    /// ## What it checks
    ///
    /// `volumeMounts[].mountPropagation: Bidirectional` in a container that
    /// is not `privileged: true`.
    ///
    /// ## Why
    ///
    /// With `Bidirectional` propagation, mounts the container makes show up
    /// on the node and in every other pod that mounts the same directory, so
    /// the API server accepts it only for privileged containers: this pod is
    /// rejected ("Bidirectional mount propagation is available only to
    /// privileged containers"). A container that only needs to see mounts
    /// made on the node wants `HostToContainer`.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: csi-node
    /// spec:
    ///   containers:
    ///   - name: plugin
    ///     image: example/csi-plugin:1.9.0
    ///     volumeMounts:
    ///     - name: pods
    ///       mountPath: /var/lib/kubelet/pods
    ///       mountPropagation: Bidirectional
    ///   volumes:
    ///   - name: pods
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: csi-node
    /// spec:
    ///   containers:
    ///   - name: plugin
    ///     image: example/csi-plugin:1.9.0
    ///     volumeMounts:
    ///     - name: pods
    ///       mountPath: /var/lib/kubelet/pods
    ///       mountPropagation: HostToContainer
    ///   volumes:
    ///   - name: pods
    ///     emptyDir: {}
    /// ```
    pub struct BidirectionalPropagation {
        id: "bidirectional-propagation",
        category: Security,
        severity: Error,
    }
}

impl Rule for BidirectionalPropagation {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let privileged = container_context(c)
            .and_then(|sc| sc.get("privileged"))
            .and_then(Value::as_bool)
            == Some(true);
        if privileged {
            return;
        }
        for (i, m) in c
            .get("volumeMounts")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if m.get("mountPropagation").and_then(Value::as_str) != Some("Bidirectional") {
                continue;
            }
            let name = m.get("name").and_then(Value::as_str).unwrap_or("");
            cx.report(
                &c.pointer_to(&["volumeMounts", &i.to_string(), "mountPropagation"]),
                Target::Value,
                format!(
                    "{} mounts volume \"{name}\" with Bidirectional propagation but is not privileged",
                    c.describe()
                ),
            )
            .help("the API server rejects the pod: use HostToContainer if the container only needs to see mounts made on the node, or make it privileged if it must mount for others");
        }
    }
}
