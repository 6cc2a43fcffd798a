use std::collections::HashMap;

use crate::diagnostic::Target;
use crate::lint::{Container, Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// A container should not set the same environment variable twice.
    ///
    /// ## What it checks
    ///
    /// Every container (init, sidecar, regular and ephemeral) whose `env`
    /// list has two entries with the same `name`. The finding points at the
    /// second one.
    ///
    /// ## Why
    ///
    /// The API server accepts the duplicate and the container sees only the
    /// last value, so an override that was meant to win may silently lose
    /// (a patch appends a new entry instead of replacing the old one), and
    /// readers of the manifest cannot tell which value is real.
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
    ///     - {name: LOG_LEVEL, value: info}
    ///     - {name: PORT, value: "8080"}
    ///     - {name: LOG_LEVEL, value: debug}
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
    ///     - {name: LOG_LEVEL, value: debug}
    ///     - {name: PORT, value: "8080"}
    /// ```
    pub struct DuplicateEnv {
        id: "duplicate-env",
        category: Reliability,
        severity: Error,
    }
}

impl Rule for DuplicateEnv {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        let env = c.get("env").and_then(Value::as_seq).unwrap_or_default();
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, e) in env.iter().enumerate() {
            let Some(name) = e.get("name").and_then(Value::as_str) else {
                continue;
            };
            let Some(&j) = first.get(name) else {
                first.insert(name, i);
                continue;
            };
            let location = cx.object.location(
                &c.pointer_to(&["env", &j.to_string(), "name"]),
                Target::Value,
            );
            cx.report(
                &c.pointer_to(&["env", &i.to_string(), "name"]),
                Target::Value,
                format!(
                    "{} sets env \"{name}\" twice (entries {} and {}): only the last value is used",
                    c.describe(),
                    j + 1,
                    i + 1
                ),
            )
            .help("remove one of the two entries")
            .related(location, format!("\"{name}\" is first set here"));
        }
    }
}
