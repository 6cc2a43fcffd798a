use super::{literal_secret, secret_in_text, secret_like_name};
use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// ConfigMaps should not hold secrets.
    ///
    /// ## What it checks
    ///
    /// Every entry of a ConfigMap's `data`: a key named like a secret
    /// (`password`, `db.password`, `apiToken`, `client-secret`, ...) with a
    /// literal value, and values holding a private key, an AWS access key ID,
    /// a GitHub or Slack token, a URL with a password, or a configuration
    /// line that sets a secret-like key (`spring.datasource.password=...`,
    /// `password: ...`). Values are never quoted in the finding.
    ///
    /// ## Why
    ///
    /// ConfigMaps are meant to be read: many roles that may not read Secrets
    /// may read them, they are not encrypted at rest, and their content shows
    /// in `kubectl describe` and in events. A Secret keeps the value apart
    /// and can be mounted the same way.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: api-config
    /// data:
    ///   db.host: postgres.shop.svc
    ///   db.password: s3cr3t-passw0rd
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: api-config
    /// data:
    ///   db.host: postgres.shop.svc
    ///   db.password-file: /run/secrets/db/password
    /// ```
    pub struct SensitiveConfigmap {
        id: "sensitive-configmap",
        category: Security,
        severity: Warning,
    }
}

impl Rule for SensitiveConfigmap {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.object.kind() != Some("ConfigMap") {
            return;
        }
        let Some(data) = cx.object.value.get("data").and_then(Value::as_map) else {
            return;
        };
        for (key, value) in data.iter() {
            let Some(value) = value.as_str() else {
                continue;
            };
            let what = if !value.contains('\n') && secret_like_name(key) && literal_secret(value) {
                "what its name says is a secret".to_owned()
            } else if let Some(what) = secret_in_text(value) {
                what
            } else {
                continue;
            };
            let mut pointer = String::from("/data");
            crate::pointer::push(&mut pointer, key);
            cx.report(
                &pointer,
                Target::Key,
                format!("ConfigMap key \"{key}\" holds {what}"),
            )
            .help("move it to a Secret and mount or reference that instead: ConfigMaps are readable by more roles, not encrypted at rest, and shown by kubectl describe");
        }
    }
}
