use super::{ImageRef, image};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, Param, PodSpec, Role, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Images from registries that need credentials need imagePullSecrets.
    ///
    /// ## What it checks
    ///
    /// Every container image whose registry needs credentials: one listed
    /// in `private-registries`, or any registry not listed in
    /// `public-registries` (an image without a registry comes from
    /// `docker.io`). The pod must have `imagePullSecrets`, or its
    /// ServiceAccount must, when the ServiceAccount is among the checked
    /// objects (the pod gets them from it on admission). Entries match a
    /// registry host (with its port, if any) exactly, or a `*.` pattern
    /// matches any subdomain.
    ///
    /// Off by default: whether a registry needs credentials is not in the
    /// manifests, and nodes can hold credentials themselves (a kubelet
    /// credential provider, a cloud's node identity). Enable it and list
    /// your registries.
    ///
    /// ## Why
    ///
    /// Without credentials a pull from a private registry fails with
    /// `ErrImagePull` and then `ImagePullBackOff`, only once the pod is
    /// scheduled: nothing in the API server notices beforehand.
    ///
    /// ## Parameters
    ///
    /// - `private-registries` (default none): registries that need
    ///   credentials, even if they are also public;
    /// - `public-registries` (default `docker.io`, `registry.k8s.io`,
    ///   `k8s.gcr.io`, `gcr.io`, `quay.io`, `ghcr.io`, `mcr.microsoft.com`,
    ///   `public.ecr.aws` and a few more): registries anyone can pull from.
    ///
    /// ```yaml
    /// rules:
    ///   private-registry-credentials:
    ///     severity: warning
    ///     private-registries: [harbor.example.com, "*.dkr.ecr.eu-west-1.amazonaws.com"]
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
    ///     image: harbor.example.com/team/worker:3.1.0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   imagePullSecrets:
    ///   - name: harbor-pull
    ///   containers:
    ///   - name: worker
    ///     image: harbor.example.com/team/worker:3.1.0
    /// ```
    pub struct PrivateRegistryCredentials {
        id: "private-registry-credentials",
        category: Images,
        severity: Warning,
        enabled: false,
        params: [
            Param::strings("private-registries", &[], "registries that need credentials"),
            Param::strings("public-registries", PUBLIC, "registries anyone can pull from"),
        ],
    }
}

/// Registries that serve public images anonymously.
const PUBLIC: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.k8s.io",
    "k8s.gcr.io",
    "gcr.io",
    "*.gcr.io",
    "quay.io",
    "ghcr.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
    "registry.gitlab.com",
    "docker.elastic.co",
    "nvcr.io",
];

/// Whether `host` is one of `list` (exactly, or under a `*.` pattern).
fn listed(list: &[String], host: &str) -> bool {
    list.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        match entry.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
            None => entry == host,
        }
    })
}

/// Whether a pod spec or ServiceAccount has a non-empty `imagePullSecrets`.
fn has_pull_secrets(v: Option<&Value>) -> bool {
    v.and_then(Value::as_seq).is_some_and(|s| !s.is_empty())
}

impl Rule for PrivateRegistryCredentials {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if has_pull_secrets(pod.get("imagePullSecrets")) {
            return;
        }
        let account = pod
            .get("serviceAccountName")
            .or_else(|| pod.get("serviceAccount"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or("default");
        let (index, ns) = (cx.index, cx.namespace());
        let sa = ns.and_then(|ns| index.get("ServiceAccount", Some(ns), account));
        if sa.is_some_and(|sa| has_pull_secrets(sa.value.get("imagePullSecrets"))) {
            return;
        }
        let params = cx.params;
        let private = params.strings("private-registries").unwrap_or_default();
        let public = params.strings("public-registries").unwrap_or_default();
        let containers: Vec<Container<'_>> = pod
            .containers()
            .into_iter()
            .filter(|c| c.role != Role::Ephemeral)
            .collect();
        for c in containers {
            let Some(img) = image(&c) else {
                continue;
            };
            let host = ImageRef::parse(img)
                .registry
                .unwrap_or("docker.io")
                .to_ascii_lowercase();
            if !listed(private, &host) && listed(public, &host) {
                continue;
            }
            let account_note = if sa.is_some() {
                format!("its ServiceAccount \"{account}\" has none either")
            } else {
                format!("its ServiceAccount \"{account}\" is not among the checked objects")
            };
            cx.report(
                &c.pointer_to(&["image"]),
                Target::Value,
                format!(
                    "{} pulls \"{img}\" from registry \"{host}\", which needs credentials, but the pod has no imagePullSecrets and {account_note}: the pull fails with ErrImagePull",
                    c.describe()
                ),
            )
            .help("add `imagePullSecrets` to the pod or its ServiceAccount; if the registry allows anonymous pulls or the nodes hold its credentials, add it to the rule's `public-registries` parameter");
        }
    }
}
