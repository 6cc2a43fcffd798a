use super::{ImageRef, image};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Images should be pinned by digest.
    ///
    /// ## What it checks
    ///
    /// The `image` of every container must include a digest
    /// (`name:tag@sha256:...` or `name@sha256:...`). Opt-in: enable it with
    /// `rules: {image-digest: on}`.
    ///
    /// ## Why
    ///
    /// A tag is a movable name: whoever can push to the repository can
    /// point `1.27.2` at other content, by mistake or in a supply-chain
    /// attack, and nodes that pull it later run something else than what
    /// was tested. A digest names exactly one image.
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
    ///     image: nginx:1.27.2@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6
    /// ```
    pub struct ImageDigest {
        id: "image-digest",
        category: Images,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for ImageDigest {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let Some(image) = image(c) else {
            return;
        };
        if ImageRef::parse(image).digest.is_some() {
            return;
        }
        cx.report(
            &c.pointer_to(&["image"]),
            Target::Value,
            format!("{} uses image \"{image}\" without a digest", c.describe()),
        )
        .help("append the digest the tag points to (`@sha256:...`, from `docker buildx imagetools inspect` or `crane digest`)");
    }
}
