use crate::diagnostic::Target;
use crate::lint::{Cx, Param, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Objects should carry the labels and annotations the team requires.
    ///
    /// ## What it checks
    ///
    /// Every object must have each label listed in `labels` and each
    /// annotation listed in `annotations`, with a non-empty value. Opt-in:
    /// enable it with `rules: {required-labels: on}`.
    ///
    /// ## Why
    ///
    /// Labels such as `app.kubernetes.io/name` or an owner are how tools,
    /// dashboards, cost reports and people find out what an object belongs
    /// to and who to call; they are only useful when every object has them.
    ///
    /// ## Parameters
    ///
    /// - `labels` (default `[app.kubernetes.io/name]`): required label keys;
    /// - `annotations` (default none): required annotation keys.
    ///
    /// ```yaml
    /// rules:
    ///   required-labels:
    ///     labels: [app.kubernetes.io/name, team]
    ///     annotations: [owner-email]
    /// ```
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
    ///   labels:
    ///     app.kubernetes.io/name: web
    /// data:
    ///   mode: production
    /// ```
    pub struct RequiredLabels {
        id: "required-labels",
        category: Metadata,
        severity: Warning,
        enabled: false,
        params: [
            Param::strings("labels", &["app.kubernetes.io/name"], "required label keys"),
            Param::strings("annotations", &[], "required annotation keys"),
        ],
    }
}

impl Rule for RequiredLabels {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let params = cx.params;
        let what = format!(
            "{} \"{}\"",
            r.kind().unwrap_or("object"),
            r.name().unwrap_or("")
        );
        for (field, noun, param) in [
            ("labels", "label", "labels"),
            ("annotations", "annotation", "annotations"),
        ] {
            let map = r
                .value
                .pointer(&format!("/metadata/{field}"))
                .and_then(Value::as_map);
            let pointer = if map.is_some() {
                format!("/metadata/{field}")
            } else {
                "/metadata".to_owned()
            };
            for key in params.strings(param).unwrap_or_default() {
                let value = map.and_then(|m| m.get(key));
                if value.and_then(Value::as_str).is_some_and(|v| !v.is_empty()) {
                    continue;
                }
                cx.report(
                    &pointer,
                    Target::Key,
                    format!("{what} has no {noun} `{key}`"),
                )
                .help(format!(
                    "add `{key}` under `metadata.{field}` (the rule's `{param}` parameter requires it)"
                ));
            }
        }
    }
}
