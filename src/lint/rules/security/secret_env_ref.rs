use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Containers should read Secrets from files, not environment variables.
    ///
    /// ## What it checks
    ///
    /// `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` in every
    /// container.
    ///
    /// ## Why
    ///
    /// Environment variables leak: into crash reports and debug endpoints,
    /// to child processes, to anyone who can read `/proc/<pid>/environ` or
    /// run `kubectl describe` tools that print them, and they keep the old
    /// value when the Secret changes. A Secret mounted as a volume is read
    /// only by the process that opens it and is updated in place (CIS
    /// Benchmark 5.4.1, checkov `CKV_K8S_35`).
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
    ///       valueFrom:
    ///         secretKeyRef:
    ///           name: db
    ///           key: password
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
    ///     - name: DB_PASSWORD_FILE
    ///       value: /run/secrets/db/password
    ///     volumeMounts:
    ///     - name: db
    ///       mountPath: /run/secrets/db
    ///       readOnly: true
    ///   volumes:
    ///   - name: db
    ///     secret:
    ///       secretName: db
    /// ```
    pub struct SecretEnvRef {
        id: "secret-env-ref",
        category: Security,
        severity: Info,
    }
}

const HELP: &str = "mount the Secret as a volume and read the file instead: environment variables leak into logs, crash reports and child processes, and do not follow changes of the Secret";

fn text<'a>(v: Option<&'a Value>, key: &str) -> &'a str {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl Rule for SecretEnvRef {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        for (i, e) in c
            .get("env")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(r) = e
                .get("valueFrom")
                .and_then(|v| v.get("secretKeyRef"))
                .filter(|r| !r.is_null())
            else {
                continue;
            };
            cx.report(
                &c.pointer_to(&["env", &i.to_string(), "valueFrom", "secretKeyRef"]),
                Target::Key,
                format!(
                    "{} reads key \"{}\" of Secret \"{}\" into environment variable {}",
                    c.describe(),
                    text(Some(r), "key"),
                    text(Some(r), "name"),
                    text(Some(e), "name"),
                ),
            )
            .help(HELP);
        }
        for (i, e) in c
            .get("envFrom")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(r) = e.get("secretRef").filter(|r| !r.is_null()) else {
                continue;
            };
            cx.report(
                &c.pointer_to(&["envFrom", &i.to_string(), "secretRef"]),
                Target::Key,
                format!(
                    "{} loads every key of Secret \"{}\" into its environment",
                    c.describe(),
                    text(Some(r), "name"),
                ),
            )
            .help(HELP);
        }
    }
}
