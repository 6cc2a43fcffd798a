use super::{ImageRef, image};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Image registries should not be misspellings of well-known ones.
    ///
    /// ## What it checks
    ///
    /// The registry host of every container image (the first path
    /// component, when it contains a `.` or a `:`): a host one edit away
    /// from a well-known public registry (`docker.io`, `gcr.io` and its
    /// regional mirrors, `k8s.gcr.io`, `registry.k8s.io`, `quay.io`,
    /// `ghcr.io`, `mcr.microsoft.com`, `public.ecr.aws`,
    /// `registry.gitlab.com`, `nvcr.io`, `docker.elastic.co`,
    /// `registry.redhat.io`) without being one is reported, with the host it
    /// probably meant.
    ///
    /// ## Why
    ///
    /// A misspelt registry fails every pull (`ErrImagePull`, then
    /// `ImagePullBackOff`), which only shows once the pods are scheduled.
    /// Worse, typo domains can be registered by anyone, who can then serve
    /// whatever image they like under the name.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: php-apache
    /// spec:
    ///   containers:
    ///   - name: php-apache
    ///     image: grc.io/google_containers/hpa-example:1.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: php-apache
    /// spec:
    ///   containers:
    ///   - name: php-apache
    ///     image: registry.k8s.io/hpa-example:1.0
    /// ```
    pub struct RegistryTypo {
        id: "registry-typo",
        category: Images,
        severity: Warning,
    }
}

const KNOWN: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "gcr.io",
    "us.gcr.io",
    "eu.gcr.io",
    "asia.gcr.io",
    "k8s.gcr.io",
    "registry.k8s.io",
    "quay.io",
    "ghcr.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
    "registry.gitlab.com",
    "nvcr.io",
    "docker.elastic.co",
    "registry.redhat.io",
];

impl Rule for RegistryTypo {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let Some(image) = image(c) else {
            return;
        };
        let Some(host) = ImageRef::parse(image).registry else {
            return;
        };
        let lower = host.to_ascii_lowercase();
        if KNOWN.contains(&lower.as_str()) {
            return;
        }
        let close: Vec<&str> = KNOWN
            .iter()
            .copied()
            .filter(|k| crate::suggest::distance(&lower, k) == 1)
            .collect();
        let [meant] = close.as_slice() else {
            return;
        };
        cx.report(
            &c.pointer_to(&["image"]),
            Target::Value,
            format!(
                "{} pulls from registry \"{host}\", one letter away from \"{meant}\": the pull will fail, or fetch someone else's image",
                c.describe()
            ),
        )
        .help(format!("did you mean \"{meant}\"?"));
    }
}
