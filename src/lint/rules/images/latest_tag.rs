use super::{ImageRef, image};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Images should be pinned to a version tag, not :latest.
    ///
    /// ## What it checks
    ///
    /// The `image` of every container (init, sidecar, regular and
    /// ephemeral): it must have a tag other than `latest`, or a digest
    /// (`@sha256:...`). An image without a tag means `:latest`.
    ///
    /// ## Why
    ///
    /// `latest` is whatever was pushed last: two nodes can run different
    /// code under the same manifest, a rollback redeploys the broken
    /// version, and a node that restarts a pod may pull a release nobody
    /// deployed. Images without a tag also default to
    /// `imagePullPolicy: Always`, so every pod start depends on the
    /// registry being reachable.
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
    ///     image: nginx
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27.2
    /// ```
    pub struct LatestTag {
        id: "latest-tag",
        category: Images,
        severity: Error,
    }
}

impl Rule for LatestTag {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let Some(image) = image(c) else {
            return;
        };
        let r = ImageRef::parse(image);
        if r.digest.is_some() {
            return;
        }
        let message = match r.tag {
            None => format!(
                "{} uses image \"{image}\" without a tag, which means :latest",
                c.describe()
            ),
            Some("latest") => format!(
                "{} uses image \"{image}\" with the tag latest",
                c.describe()
            ),
            Some(_) => return,
        };
        cx.report(&c.pointer_to(&["image"]), Target::Value, message)
            .help(format!(
                "pin a version tag (`{0}:<version>`) or a digest (`{0}@sha256:...`) so every node runs the same code",
                r.name
            ));
    }
}
