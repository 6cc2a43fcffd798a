use super::{ImageRef, image};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should pull their image on every start.
    ///
    /// ## What it checks
    ///
    /// The effective `imagePullPolicy` of every container must be `Always`:
    /// written, or defaulted (`Always` for images without a tag or with
    /// `:latest`, `IfNotPresent` otherwise). Opt-in: enable it with
    /// `rules: {pull-policy: on}`.
    ///
    /// ## Why
    ///
    /// With `IfNotPresent` a node runs whatever image it pulled under that
    /// name before, which may not be what the registry holds now, and any
    /// pod scheduled there can use a private image cached by another
    /// tenant without presenting pull credentials. `Always` checks with the
    /// registry on each start (cheaply: unchanged layers are not pulled
    /// again).
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
    ///     image: nginx:1.27.2
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
    ///     imagePullPolicy: Always
    /// ```
    pub struct PullPolicy {
        id: "pull-policy",
        category: Images,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for PullPolicy {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let Some(image) = image(c) else {
            return;
        };
        match c.get("imagePullPolicy").and_then(Value::as_str) {
            Some("Always") => {}
            Some(policy) => {
                cx.report(
                    &c.pointer_to(&["imagePullPolicy"]),
                    Target::Value,
                    format!("{} has imagePullPolicy {policy}", c.describe()),
                )
                .help("set `imagePullPolicy: Always` so each start checks the image with the registry");
            }
            None => {
                let r = ImageRef::parse(image);
                if r.digest.is_none() && matches!(r.tag, None | Some("latest")) {
                    return;
                }
                cx.report(
                    &c.pointer,
                    Target::Key,
                    format!(
                        "{} sets no imagePullPolicy, so image \"{image}\" is pulled only if the node does not have it (IfNotPresent)",
                        c.describe()
                    ),
                )
                .help("set `imagePullPolicy: Always` so each start checks the image with the registry");
            }
        }
    }
}
