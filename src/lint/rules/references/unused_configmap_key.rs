use super::{Wanted, references};
use crate::diagnostic::Target;
use crate::lint::rules::workloads::{and_list, describe, is_kind};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// ConfigMap keys should be read when pods read the ConfigMap by key.
    ///
    /// ## What it checks
    ///
    /// A ConfigMap that the pods of its namespace read only key by key
    /// (`configMapKeyRef`, volume `items`), never whole (`envFrom`, or a
    /// volume without `items`): each of its `data` and `binaryData` keys
    /// must be read by at least one of them. When an environment variable
    /// named after the unused key reads another key, the finding says so.
    /// ConfigMaps no pod of the set reads are not checked.
    ///
    /// ## Why
    ///
    /// A key nobody reads is usually a setting that was meant to take
    /// effect and does not: an environment variable copied from the line
    /// above still reads the old key (`ZK_SYNC_LIMIT` reading `tick`
    /// instead of `sync`), or a key was renamed on one side only.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: zk-cm
    /// data:
    ///   tick: "2000"
    ///   sync: "5"
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: zk
    /// spec:
    ///   containers:
    ///   - name: zookeeper
    ///     image: zookeeper:3.9.2
    ///     env:
    ///     - name: ZK_TICK_TIME
    ///       valueFrom:
    ///         configMapKeyRef: {name: zk-cm, key: tick}
    ///     - name: ZK_SYNC_LIMIT
    ///       valueFrom:
    ///         configMapKeyRef: {name: zk-cm, key: tick}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: zk-cm
    /// data:
    ///   tick: "2000"
    ///   sync: "5"
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: zk
    /// spec:
    ///   containers:
    ///   - name: zookeeper
    ///     image: zookeeper:3.9.2
    ///     env:
    ///     - name: ZK_TICK_TIME
    ///       valueFrom:
    ///         configMapKeyRef: {name: zk-cm, key: tick}
    ///     - name: ZK_SYNC_LIMIT
    ///       valueFrom:
    ///         configMapKeyRef: {name: zk-cm, key: sync}
    /// ```
    pub struct UnusedConfigmapKey {
        id: "unused-configmap-key",
        category: References,
        severity: Info,
    }
}

/// `client.cnxns` → `CLIENT_CNXNS`, to compare keys with variable names.
fn env_style(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

impl Rule for UnusedConfigmapKey {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        if !is_kind(r, "ConfigMap") {
            return;
        }
        let (Some(ns), Some(name)) = (cx.namespace(), r.name()) else {
            return;
        };
        let index = cx.index;
        let mut readers = Vec::new();
        let mut read: Vec<&str> = Vec::new();
        // (variable, key read, who) of every env variable set from the ConfigMap.
        let mut vars: Vec<(&str, &str, String)> = Vec::new();
        for o in index.pods_in(ns) {
            let Some(pod) = PodSpec::of(o) else {
                continue;
            };
            let refs: Vec<_> = references(&pod, Wanted::ConfigMap)
                .into_iter()
                .filter(|x| x.name == name)
                .collect();
            if refs.is_empty() {
                continue;
            }
            // Read whole: every key is used.
            if refs.iter().any(|x| x.keys.is_empty()) {
                return;
            }
            readers.push(describe(o));
            for x in &refs {
                read.extend(x.keys.iter().map(|(k, _)| *k));
                if let (Some(var), Some((key, _))) = (x.var, x.keys.first()) {
                    vars.push((var, key, x.via.clone()));
                }
            }
        }
        if readers.is_empty() {
            return;
        }
        for field in ["data", "binaryData"] {
            let Some(data) = r.value.get(field).and_then(Value::as_map) else {
                continue;
            };
            for (key, _) in data.iter() {
                if read.contains(&key) {
                    continue;
                }
                let wanted = env_style(key);
                let suspect = vars
                    .iter()
                    .find(|(var, k, _)| *k != key && var.contains(wanted.as_str()));
                let help = match suspect {
                    Some((_, other, via)) => {
                        format!("{via} reads key \"{other}\": did it mean \"{key}\"?")
                    }
                    None => {
                        "read the key where it is meant to take effect, or remove it".to_owned()
                    }
                };
                let mut pointer = format!("/{field}");
                crate::pointer::push(&mut pointer, key);
                cx.report(
                    &pointer,
                    Target::Key,
                    format!(
                        "key \"{key}\" of ConfigMap \"{name}\" is read by no pod, although {} read{} its other keys one by one",
                        and_list(&readers),
                        if readers.len() == 1 { "s" } else { "" }
                    ),
                )
                .help(help);
            }
        }
    }
}
