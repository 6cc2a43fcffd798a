use super::{
    About, Failure, container_value, limit_ranges, max_constraint, min_constraint, named,
    ratio_constraint, rejection_note,
};
use crate::diagnostic::Target;
use crate::lint::pod::{Kind, LimitRangeItem, LimitValue, LimitValues, limit_range_totals};
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};
use crate::resource::Resource;
use crate::resource::quantity::Quantity;

declare_rule! {
    /// Pods must satisfy the LimitRanges of their namespace.
    ///
    /// ## What it checks
    ///
    /// Every Pod and pod template in a namespace with LimitRanges, after the
    /// defaulting the API server applies (a request defaults to its limit,
    /// then the LimitRanges' `default` and `defaultRequest` fill in what is
    /// still missing), against every `type: Container` item (each container
    /// and init container) and every `type: Pod` item (the pod's totals,
    /// counting init containers and sidecars as the scheduler does): `min`
    /// (the request must be set and at least `min`, a limit too), `max` (the
    /// limit must be set and at most `max`, a request too) and
    /// `maxLimitRequestRatio` (request and limit must be set and non-zero,
    /// the limit at most that many times the request). Messages are the
    /// LimitRanger admission plugin's own. PersistentVolumeClaims are checked
    /// by `limit-range-pvc`.
    ///
    /// ## Why
    ///
    /// The API server rejects such a pod (`pods "web" is forbidden: maximum
    /// cpu usage per Container is 1, but limit is 2`). For a Deployment,
    /// StatefulSet or Job the workload itself is accepted and none of its
    /// pods is created: the error only shows in the controller's events.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: limits
    ///   namespace: shop
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     max: {cpu: "1", memory: 1Gi}
    ///     default: {cpu: 500m, memory: 256Mi}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       limits: {cpu: "2"}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: limits
    ///   namespace: shop
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     max: {cpu: "1", memory: 1Gi}
    ///     default: {cpu: 500m, memory: 256Mi}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       limits: {cpu: "1"}
    /// ```
    pub struct LimitRangeViolation {
        id: "limit-range-violation",
        category: LimitRange,
        severity: Error,
    }
}

/// The three constraints of an item, in the plugin's order.
fn constraints<'i, 'a>(
    item: &'i LimitRangeItem<'a>,
) -> impl Iterator<Item = (&'static str, &'a str, &'i LimitValue)> + 'i {
    let each = |field: &'static str, values: &'i LimitValues<'a>| {
        values.iter().map(move |(name, v)| (field, *name, v))
    };
    each("min", &item.min)
        .chain(each("max", &item.max))
        .chain(each("maxLimitRequestRatio", &item.max_limit_request_ratio))
}

fn evaluate(
    field: &str,
    kind: &str,
    name: &str,
    bound: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<Failure> {
    match field {
        "min" => min_constraint(kind, name, bound, request, limit),
        "max" => max_constraint(kind, name, bound, request, limit),
        _ => ratio_constraint(kind, name, bound, request, limit),
    }
}

impl LimitRangeViolation {
    fn check_containers(
        &self,
        cx: &mut Cx<'_>,
        pod: &PodSpec<'_>,
        lr: &Resource,
        item: &LimitRangeItem<'_>,
        note: &str,
    ) {
        let defaults = cx.container_defaults();
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let r = c.resources();
            for (field, name, bound) in constraints(item) {
                let request = container_value(&r, defaults, Kind::Request, name);
                let limit = container_value(&r, defaults, Kind::Limit, name);
                // A written value that is not a quantity is schema validation's.
                if [&request, &limit]
                    .iter()
                    .any(|v| v.quantity.is_none() && v.target == Target::Value)
                {
                    continue;
                }
                let Some(f) = evaluate(
                    field,
                    "Container",
                    name,
                    bound.quantity,
                    request.quantity,
                    limit.quantity,
                ) else {
                    continue;
                };
                let v = match f.about {
                    About::Request => &request,
                    About::Limit => &limit,
                };
                let who = c.describe();
                let mut help = f.fix(
                    &format!("`resources.requests.{name}` of {who}"),
                    &format!("`resources.limits.{name}` of {who}"),
                );
                if let Some(src) = v.from_limit_range {
                    let what = match f.about {
                        About::Request => "request",
                        About::Limit => "limit",
                    };
                    help.push_str(&format!(
                        " (its {what} now is the default of {})",
                        named(src)
                    ));
                }
                help.push_str(&format!("; {note}"));
                let finding = cx
                    .report(
                        &v.pointer,
                        v.target,
                        format!("{} rejects {who}: {}", named(lr), f.message),
                    )
                    .help(help)
                    .related(
                        lr.location(&bound.pointer, Target::Value),
                        format!("the {field} of {name} is set here"),
                    );
                if let Some(src) = v.from_limit_range {
                    finding.related(
                        src.location("/spec/limits", Target::Key),
                        "the default comes from here",
                    );
                }
            }
        }
    }

    fn check_totals(
        &self,
        cx: &mut Cx<'_>,
        pod: &PodSpec<'_>,
        lr: &Resource,
        item: &LimitRangeItem<'_>,
        note: &str,
    ) {
        let totals = limit_range_totals(pod, cx.container_defaults());
        for (field, name, bound) in constraints(item) {
            let Some(f) = evaluate(
                field,
                "Pod",
                name,
                bound.quantity,
                totals.requests.get(name).copied(),
                totals.limits.get(name).copied(),
            ) else {
                continue;
            };
            let help = format!(
                "{}; {note}",
                f.fix(
                    &format!("the {name} requests of the pod's containers (in total)"),
                    &format!("the {name} limits of the pod's containers (in total)"),
                )
            );
            cx.report(
                &pod.pointer_to(&["containers"]),
                Target::Key,
                format!("{} rejects the pod: {}", named(lr), f.message),
            )
            .help(help)
            .related(
                lr.location(&bound.pointer, Target::Value),
                format!("the {field} of {name} is set here"),
            );
        }
    }
}

impl Rule for LimitRangeViolation {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        let kind = pod.object.kind().unwrap_or("workload");
        let note = rejection_note(pod.is_template(), kind);
        for lr in limit_ranges(cx.index, ns) {
            for item in LimitRangeItem::of(lr) {
                match item.kind {
                    "Container" => self.check_containers(cx, pod, lr, &item, &note),
                    "Pod" => self.check_totals(cx, pod, lr, &item, &note),
                    _ => {}
                }
            }
        }
    }
}
