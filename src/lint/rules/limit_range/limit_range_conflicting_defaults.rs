use super::{limit_ranges, named};
use crate::diagnostic::Target;
use crate::lint::pod::{LimitRangeItem, LimitValue, LimitValues};
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Two LimitRanges of a namespace should not default the same resource.
    ///
    /// ## What it checks
    ///
    /// For every pair of LimitRanges in one namespace, the `type: Container`
    /// defaults of each resource: a `default` (limit) or `defaultRequest`
    /// that both give, with different values, is reported on both. A
    /// `default` copied from `max`, or a `defaultRequest` copied from
    /// `default` or `min`, counts as a default, as it does for the API
    /// server.
    ///
    /// ## Why
    ///
    /// The LimitRanger admission plugin applies every LimitRange of the
    /// namespace in turn, and a default only fills a value that is still
    /// missing: the LimitRange that comes first wins. That order is the
    /// order of the plugin's cache and is not defined, so the same
    /// container gets one limit today and another after an API server
    /// restart.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: team-defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {memory: 512Mi}
    /// ---
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: platform-defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {memory: 256Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: team-defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {memory: 512Mi}
    /// ---
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: platform-defaults
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {cpu: 500m}
    /// ```
    pub struct LimitRangeConflictingDefaults {
        id: "limit-range-conflicting-defaults",
        category: LimitRange,
        severity: Warning,
    }
}

/// The last `type: Container` item's value of each resource wins within one
/// LimitRange, as in the plugin.
fn container_defaults<'a>(items: &[LimitRangeItem<'a>], field: &str) -> LimitValues<'a> {
    let mut out = LimitValues::new();
    for item in items.iter().filter(|i| i.kind == "Container") {
        let values = if field == "default" {
            &item.default
        } else {
            &item.default_request
        };
        out.extend(values.iter().map(|(k, v)| (*k, v.clone())));
    }
    out
}

/// `, copied from max` for a value the API server defaulted.
fn copied(v: &LimitValue) -> String {
    v.defaulted_from
        .map(|f| format!(", copied from `{f}`"))
        .unwrap_or_default()
}

impl Rule for LimitRangeConflictingDefaults {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let object = cx.object;
        if object.kind() != Some("LimitRange") {
            return;
        }
        let Some(ns) = cx.namespace() else {
            return;
        };
        let own = LimitRangeItem::of(object);
        let others: Vec<_> = limit_ranges(cx.index, ns)
            .into_iter()
            .filter(|lr| !std::ptr::eq(*lr, object))
            .collect();
        for (what, field) in [("limit", "default"), ("request", "defaultRequest")] {
            let mine = container_defaults(&own, field);
            for other in &others {
                let theirs = container_defaults(&LimitRangeItem::of(other), field);
                for (name, v) in &mine {
                    let Some(t) = theirs.get(name) else {
                        continue;
                    };
                    if t.quantity == v.quantity {
                        continue;
                    }
                    cx.report(
                        &v.pointer,
                        Target::Value,
                        format!(
                            "{} and {} both give containers in namespace \"{ns}\" a default {name} {what} ({}{} here, {}{} there)",
                            named(object),
                            named(other),
                            v.quantity,
                            copied(v),
                            t.quantity,
                            copied(t)
                        ),
                    )
                    .help(format!(
                        "which LimitRange applies first is not defined, so containers without a {name} {what} get either value: keep `{field}.{name}` in one LimitRange only"
                    ))
                    .related(
                        other.location(&t.pointer, Target::Value),
                        "the other default is set here",
                    );
                }
            }
        }
    }
}
