use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Objects should name a namespace other than `default`.
    ///
    /// ## What it checks
    ///
    /// Namespaced objects without `metadata.namespace`, or with
    /// `namespace: default`. Cluster-scoped kinds are skipped. Opt-in:
    /// enable it with `rules: {default-namespace: on}`. With kustomize, the
    /// `namespace:` of the kustomization sets it for every object.
    ///
    /// ## Why
    ///
    /// An object without a namespace lands wherever the `kubectl` context
    /// points, which differs between people and pipelines; the `default`
    /// namespace mixes unrelated workloads, and RBAC, quotas and network
    /// policies cannot be scoped to one application there (CIS Kubernetes
    /// Benchmark 5.7.4).
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    /// data:
    ///   mode: production
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: shop
    /// data:
    ///   mode: production
    /// ```
    pub struct DefaultNamespace {
        id: "default-namespace",
        category: Metadata,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for DefaultNamespace {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.namespace().is_none() {
            return;
        }
        let r = cx.object;
        let what = format!(
            "{} \"{}\"",
            r.kind().unwrap_or("object"),
            r.name().unwrap_or("")
        );
        match r.namespace() {
            None => {
                cx.report(
                    "/metadata",
                    Target::Key,
                    format!(
                        "{what} has no namespace: it lands in the namespace of whoever applies it"
                    ),
                )
                .help("set `metadata.namespace` (or `namespace:` in the kustomization)");
            }
            Some("default") => {
                cx.report(
                    "/metadata/namespace",
                    Target::Value,
                    format!("{what} is in the default namespace"),
                )
                .help("give the application a namespace of its own");
            }
            Some(_) => {}
        }
    }
}
