use super::{exceeds_ratio, ratio_text};
use crate::diagnostic::Target;
use crate::lint::pod::{LimitRangeItem, LimitValue};
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::quantity::Quantity;

declare_rule! {
    /// A LimitRange's bounds and defaults must agree with each other.
    ///
    /// ## What it checks
    ///
    /// Each item of a LimitRange, per resource, after the API server's
    /// defaulting (for `type: Container`, `default` comes from `max` and
    /// `defaultRequest` from `default` or `min` when not written):
    ///
    /// - what the API server rejects: `min` above `max`, `defaultRequest`
    ///   below `min`, above `max` or above `default`, `default` below `min`
    ///   or above `max`, a `maxLimitRequestRatio` below 1 or above
    ///   `max`/`min`, `default` and `defaultRequest` that differ for a
    ///   resource that cannot be overcommitted (hugepages, extended
    ///   resources), `default` or `defaultRequest` on a `type: Pod` item, a
    ///   `type: PersistentVolumeClaim` item with neither `min` nor `max`
    ///   storage, and a `type` that is neither standard nor a qualified name;
    /// - what makes the LimitRange reject the very containers it defaults:
    ///   `default` / `defaultRequest` above `maxLimitRequestRatio`.
    ///
    /// The invariant is min ≤ defaultRequest ≤ default ≤ max, and
    /// default / defaultRequest ≤ maxLimitRequestRatio.
    ///
    /// ## Why
    ///
    /// The API server refuses the LimitRange (`LimitRange "limits" is
    /// invalid: spec.limits[0].min[cpu]: ...`), so none of its limits
    /// apply; and defaults that break the ratio make every container that
    /// relies on them fail admission.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: limits
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     min: {cpu: 100m}
    ///     max: {cpu: "1"}
    ///     default: {cpu: "2"}
    ///     defaultRequest: {cpu: 200m}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: limits
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     min: {cpu: 100m}
    ///     max: {cpu: "1"}
    ///     default: {cpu: 500m}
    ///     defaultRequest: {cpu: 200m}
    /// ```
    pub struct LimitRangeConsistency {
        id: "limit-range-consistency",
        category: LimitRange,
        severity: Error,
    }
}

/// Resources the kubelet lets a container use beyond its request.
fn overcommit_allowed(name: &str) -> bool {
    let native = !name.contains('/') || name.starts_with("kubernetes.io/");
    native && !name.starts_with("hugepages-")
}

/// `spec.limits[0].min[cpu]`, as the API server names the field.
fn path(item: &LimitRangeItem<'_>, field: &str, name: &str) -> String {
    format!("spec.limits[{}].{field}[{name}]", item.index)
}

impl Rule for LimitRangeConsistency {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.object.kind() != Some("LimitRange") {
            return;
        }
        let object = cx.object;
        for item in LimitRangeItem::of(object) {
            let type_pointer = format!("{}/type", item.pointer);
            match item.kind {
                "Container" | "Pod" | "PersistentVolumeClaim" => {}
                other if other.contains('/') => {}
                other => {
                    cx.report(
                        &type_pointer,
                        Target::Value,
                        format!(
                            "spec.limits[{}].type: `{other}` must be a standard limit type or fully qualified",
                            item.index
                        ),
                    )
                    .help("use `Container`, `Pod` or `PersistentVolumeClaim`; the API server refuses the LimitRange");
                }
            }
            if item.kind == "Pod" {
                for (field, key) in [("default", "default"), ("defaultRequest", "defaultRequest")] {
                    let mut p = item.pointer.clone();
                    crate::pointer::push(&mut p, key);
                    if object
                        .value
                        .pointer(&p)
                        .and_then(crate::yaml::Value::as_map)
                        .is_some_and(|m| !m.is_empty())
                    {
                        cx.report(
                            &p,
                            Target::Key,
                            format!(
                                "spec.limits[{}].{field}: may not be specified when `type` is 'Pod'",
                                item.index
                            ),
                        )
                        .help("defaults apply to containers: move them to a `type: Container` item; the API server refuses the LimitRange as it is");
                    }
                }
            }
            if item.kind == "PersistentVolumeClaim"
                && !item.min.contains_key("storage")
                && !item.max.contains_key("storage")
            {
                cx.report(
                    &item.pointer,
                    Target::Value,
                    format!(
                        "spec.limits[{}].limits: either minimum or maximum storage value is required, but neither was provided",
                        item.index
                    ),
                )
                .help("set `min.storage` or `max.storage`; the API server refuses the LimitRange as it is");
            }
            check_resources(cx, &item);
        }
    }
}

fn check_resources(cx: &mut Cx<'_>, item: &LimitRangeItem<'_>) {
    let mut names: Vec<&str> = item
        .min
        .keys()
        .chain(item.max.keys())
        .chain(item.default.keys())
        .chain(item.default_request.keys())
        .chain(item.max_limit_request_ratio.keys())
        .copied()
        .collect();
    names.sort_unstable();
    names.dedup();
    // Only values the LimitRange writes are compared: a copied one repeats
    // a comparison of the fields it was copied from.
    let written = |v: Option<&LimitValue>| v.filter(|v| v.defaulted_from.is_none()).cloned();
    let refuse = "the API server refuses the LimitRange";
    for name in names {
        let min = written(item.min.get(name));
        let max = written(item.max.get(name));
        let default = written(item.default.get(name));
        let request = written(item.default_request.get(name));
        let ratio = written(item.max_limit_request_ratio.get(name));
        let mut report = |at: &LimitValue, field: &str, text: String, help: String| {
            cx.report(
                &at.pointer,
                Target::Value,
                format!("{}: {text}", path(item, field, name)),
            )
            .help(help);
        };
        if let (Some(min), Some(max)) = (&min, &max)
            && min.quantity > max.quantity
        {
            report(
                min,
                "min",
                format!(
                    "min value {} is greater than max value {}",
                    min.quantity, max.quantity
                ),
                format!("lower `min.{name}` or raise `max.{name}`; {refuse}"),
            );
        }
        if let Some(req) = &request {
            if let Some(min) = &min
                && min.quantity > req.quantity
            {
                report(
                    req,
                    "defaultRequest",
                    format!(
                        "min value {} is greater than default request value {}",
                        min.quantity, req.quantity
                    ),
                    format!(
                        "raise `defaultRequest.{name}` to at least {}; {refuse}",
                        min.quantity
                    ),
                );
            }
            if let Some(max) = &max
                && req.quantity > max.quantity
            {
                report(
                    req,
                    "defaultRequest",
                    format!(
                        "default request value {} is greater than max value {}",
                        req.quantity, max.quantity
                    ),
                    format!(
                        "lower `defaultRequest.{name}` to at most {}; {refuse}",
                        max.quantity
                    ),
                );
            }
            if let Some(def) = &default
                && req.quantity > def.quantity
            {
                report(
                    req,
                    "defaultRequest",
                    format!(
                        "default request value {} is greater than default limit value {}",
                        req.quantity, def.quantity
                    ),
                    format!(
                        "lower `defaultRequest.{name}` to at most {}; {refuse}",
                        def.quantity
                    ),
                );
            }
        }
        if let Some(def) = &default {
            if let Some(min) = &min
                && min.quantity > def.quantity
            {
                report(
                    def,
                    "default",
                    format!(
                        "min value {} is greater than default value {}",
                        min.quantity, def.quantity
                    ),
                    format!(
                        "raise `default.{name}` to at least {}; {refuse}",
                        min.quantity
                    ),
                );
            }
            if let Some(max) = &max
                && def.quantity > max.quantity
            {
                report(
                    def,
                    "default",
                    format!(
                        "default value {} is greater than max value {}",
                        def.quantity, max.quantity
                    ),
                    format!(
                        "lower `default.{name}` to at most {}; {refuse}",
                        max.quantity
                    ),
                );
            }
        }
        if let Some(r) = &ratio {
            if r.quantity < Quantity::from_units(1, r.quantity.format()) {
                report(
                    r,
                    "maxLimitRequestRatio",
                    format!("ratio {} is less than 1", r.quantity),
                    format!(
                        "a limit is never below its request: use a ratio of at least 1; {refuse}"
                    ),
                );
            } else if let (Some(min), Some(max)) = (&min, &max)
                && !min.quantity.is_zero()
                && product_exceeds(min.quantity, r.quantity, max.quantity)
            {
                report(
                    r,
                    "maxLimitRequestRatio",
                    format!(
                        "ratio {} is greater than max/min = {}",
                        r.quantity,
                        ratio_text(max.quantity, min.quantity)
                    ),
                    format!(
                        "no container can reach that ratio between `min.{name}` and `max.{name}`: lower it; {refuse}"
                    ),
                );
            }
        }
        if !overcommit_allowed(name)
            && let (Some(def), Some(req)) = (item.default.get(name), item.default_request.get(name))
            && def.quantity != req.quantity
            && (def.defaulted_from.is_none() || req.defaulted_from.is_none())
        {
            let at = if req.defaulted_from.is_none() {
                req
            } else {
                def
            };
            report(
                at,
                "defaultRequest",
                format!(
                    "default value {} must equal to defaultRequest value {} in {name}",
                    def.quantity, req.quantity
                ),
                format!(
                    "{name} cannot be overcommitted: make `default.{name}` and `defaultRequest.{name}` equal; {refuse}"
                ),
            );
        }
        // Not an API check: the defaults themselves break the ratio.
        if item.kind == "Container"
            && let (Some(r), Some(def), Some(req)) = (
                item.max_limit_request_ratio.get(name),
                item.default.get(name),
                item.default_request.get(name),
            )
            && !req.quantity.is_zero()
            && r.quantity >= Quantity::from_units(1, r.quantity.format())
            && exceeds_ratio(def.quantity, req.quantity, r.quantity)
        {
            let at = if def.defaulted_from.is_none() { def } else { r };
            cx.report(
                &at.pointer,
                Target::Value,
                format!(
                    "the defaults of {name} (limit {}, request {}) have a ratio of {}, above maxLimitRequestRatio {}",
                    def.quantity,
                    req.quantity,
                    ratio_text(def.quantity, req.quantity),
                    r.quantity
                ),
            )
            .help(format!(
                "every container that takes both defaults is rejected (\"{name} max limit to request ratio per Container is {}, but provided ratio is {}\"): bring `default.{name}` and `defaultRequest.{name}` closer",
                r.quantity,
                ratio_text(def.quantity, req.quantity)
            ));
        }
    }
}

/// Whether `a × b > c`, exactly.
fn product_exceeds(a: Quantity, b: Quantity, c: Quantity) -> bool {
    let (a, b, c) = (a.nanos(), b.nanos(), c.nanos());
    match (a.checked_mul(b), c.checked_mul(1_000_000_000)) {
        (Some(ab), Some(c)) => ab > c,
        _ => (a as f64) * (b as f64) / 1e9 > c as f64,
    }
}
