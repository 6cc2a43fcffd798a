use super::{container_context, context_pointer};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should run with a read-only root filesystem.
    ///
    /// ## What it checks
    ///
    /// Every container, init container and ephemeral container must set
    /// `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why
    ///
    /// With a writable root filesystem an attacker can drop tools and
    /// binaries into the container and change its configuration, and the
    /// application can fill the node's disk outside any volume limit. A
    /// read-only root, with an `emptyDir` where the application must write
    /// (`/tmp`, a cache), makes the container immutable.
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
    ///       readOnlyRootFilesystem: false
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
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///     - name: tmp
    ///       mountPath: /tmp
    ///   volumes:
    ///   - name: tmp
    ///     emptyDir: {}
    /// ```
    pub struct ReadOnlyRootFilesystem {
        id: "read-only-root-filesystem",
        category: Security,
        severity: Warning,
    }
}

impl Rule for ReadOnlyRootFilesystem {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &crate::lint::Container<'_>) {
        let set = container_context(c)
            .and_then(|sc| sc.get("readOnlyRootFilesystem"))
            .filter(|v| !v.is_null());
        match set.map(Value::as_bool) {
            Some(Some(true)) => {}
            Some(_) => {
                cx.report(
                    &c.pointer_to(&["securityContext", "readOnlyRootFilesystem"]),
                    Target::Value,
                    format!("{} has a writable root filesystem", c.describe()),
                )
                .help("set `readOnlyRootFilesystem: true` and mount an emptyDir where the application writes (such as /tmp)");
            }
            None => {
                cx.report(
                    &context_pointer(c),
                    Target::Key,
                    format!(
                        "{} does not set securityContext.readOnlyRootFilesystem: true",
                        c.describe()
                    ),
                )
                .help("set `readOnlyRootFilesystem: true` and mount an emptyDir where the application writes (such as /tmp): a writable root lets an attacker change the container");
            }
        }
    }
}
