use super::{literal_secret, secret_like_name};
use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Secrets must not be written into environment variables.
    ///
    /// ## What it checks
    ///
    /// Environment variables whose name says they hold a secret (it
    /// contains `PASSWORD`, `PASSWD`, `PASSPHRASE`, `SECRET`, `TOKEN`,
    /// `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY` or `CREDENTIAL`, or ends with
    /// `_PWD`) and that have a literal `value`. Names that refer to a secret
    /// rather than hold it (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, ...)
    /// and values that are placeholders (`$(VAR)`, `${VAR}`, `{{ .x }}`) or
    /// paths are left alone. The value never appears in the finding.
    ///
    /// ## Why
    ///
    /// A literal value is stored in the manifest, in version control, in the
    /// object on the API server (readable by anyone who may read the
    /// workload) and in `kubectl.kubernetes.io/last-applied-configuration`.
    /// Keep it in a Secret and reference it.
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
    ///     env:
    ///     - name: DB_PASSWORD
    ///       value: hunter2
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
    ///     env:
    ///     - name: DB_PASSWORD
    ///       valueFrom:
    ///         secretKeyRef:
    ///           name: db
    ///           key: password
    /// ```
    pub struct SecretInEnv {
        id: "secret-in-env",
        category: Security,
        severity: Error,
    }
}

impl Rule for SecretInEnv {
    fn check_container(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>, c: &Container<'_>) {
        for (i, e) in c
            .get("env")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(name) = e.get("name").and_then(Value::as_str) else {
                continue;
            };
            let literal = match e.get("value") {
                Some(Value::String(s)) => literal_secret(s),
                Some(Value::Int(_) | Value::BigInt(_) | Value::Float(_)) => true,
                _ => false,
            };
            if !literal || !secret_like_name(name) {
                continue;
            }
            cx.report(
                &c.pointer_to(&["env", &i.to_string(), "value"]),
                Target::Key,
                format!("{} sets {name} to a literal value", c.describe()),
            )
            .help(format!(
                "store it in a Secret and reference it with `valueFrom.secretKeyRef` (or mount the Secret): a literal is readable by anyone who can read the {} and stays in version control",
                pod.object.kind().unwrap_or("object")
            ));
        }
    }
}
