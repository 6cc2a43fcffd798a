//! LimitRange: the LimitRanger admission plugin applied to every pod and
//! PersistentVolumeClaim of a namespace, with the plugin's own wording, and
//! the LimitRange objects themselves.

mod limit_range_conflicting_defaults;
mod limit_range_consistency;
mod limit_range_defaults_applied;
mod limit_range_pvc;
mod limit_range_violation;

pub use limit_range_conflicting_defaults::LimitRangeConflictingDefaults;
pub use limit_range_consistency::LimitRangeConsistency;
pub use limit_range_defaults_applied::LimitRangeDefaultsApplied;
pub use limit_range_pvc::LimitRangePvc;
pub use limit_range_violation::LimitRangeViolation;

use crate::diagnostic::Target;
use crate::lint::Index;
use crate::lint::pod::{ContainerDefaults, Kind, Requirements};
use crate::resource::Resource;
use crate::resource::quantity::Quantity;

/// The LimitRanges of a namespace, by name (the order the lister gives is
/// undefined; every one applies).
fn limit_ranges<'a>(index: &Index<'a>, ns: &str) -> Vec<&'a Resource> {
    let mut out: Vec<&'a Resource> = index.of_kind_in("LimitRange", ns).collect();
    out.sort_by_key(|r| r.name());
    out
}

/// `LimitRange "name"`, for messages.
fn named(lr: &Resource) -> String {
    format!("LimitRange \"{}\"", lr.name().unwrap_or(""))
}

/// Which value of the checked object a failed constraint is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum About {
    Request,
    Limit,
}

/// Which constraint failed, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    /// The value is missing (or, for a ratio, zero).
    Missing,
    BelowMin,
    AboveMax,
    RatioExceeded,
}

/// A failed constraint: the plugin's message, the value it is about and
/// the bound (`min`, `max` or the ratio).
struct Failure {
    message: String,
    about: About,
    how: How,
    bound: Quantity,
}

impl Failure {
    fn new(message: String, about: About, how: How, bound: Quantity) -> Option<Self> {
        Some(Failure {
            message,
            about,
            how,
            bound,
        })
    }

    /// How to fix it, given how to name the request and the limit.
    fn fix(&self, request: &str, limit: &str) -> String {
        let bound = self.bound;
        let field = match self.about {
            About::Request => request,
            About::Limit => limit,
        };
        match self.how {
            How::Missing if self.message.contains("ratio") => {
                format!(
                    "set a non-zero {field}; the limit may be at most {bound} times the request"
                )
            }
            How::Missing if self.message.starts_with("minimum") => {
                format!("set {field} to at least {bound}")
            }
            How::Missing => format!("set {field} to at most {bound}"),
            How::BelowMin => format!("raise {field} to at least {bound}"),
            How::AboveMax => format!("lower {field} to at most {bound}"),
            How::RatioExceeded => format!(
                "raise {request} or lower {limit}: the limit may be at most {bound} times the request"
            ),
        }
    }
}

/// `min`: the request must exist and be at least `min`; so must a limit.
fn min_constraint(
    kind: &str,
    name: &str,
    min: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<Failure> {
    let Some(req) = request else {
        return Failure::new(
            format!("minimum {name} usage per {kind} is {min}.  No request is specified"),
            About::Request,
            How::Missing,
            min,
        );
    };
    if min > req {
        return Failure::new(
            format!("minimum {name} usage per {kind} is {min}, but request is {req}"),
            About::Request,
            How::BelowMin,
            min,
        );
    }
    match limit {
        Some(lim) if min > lim => Failure::new(
            format!("minimum {name} usage per {kind} is {min}, but limit is {lim}"),
            About::Limit,
            How::BelowMin,
            min,
        ),
        _ => None,
    }
}

/// `max` for pods and containers: the limit must exist and be at most
/// `max`; so must a request.
fn max_constraint(
    kind: &str,
    name: &str,
    max: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<Failure> {
    let Some(lim) = limit else {
        return Failure::new(
            format!("maximum {name} usage per {kind} is {max}.  No limit is specified"),
            About::Limit,
            How::Missing,
            max,
        );
    };
    if lim > max {
        return Failure::new(
            format!("maximum {name} usage per {kind} is {max}, but limit is {lim}"),
            About::Limit,
            How::AboveMax,
            max,
        );
    }
    match request {
        Some(req) if req > max => Failure::new(
            format!("maximum {name} usage per {kind} is {max}, but request is {req}"),
            About::Request,
            How::AboveMax,
            max,
        ),
        _ => None,
    }
}

/// `max` for PersistentVolumeClaims: only the request counts.
fn max_request_constraint(
    kind: &str,
    name: &str,
    max: Quantity,
    request: Option<Quantity>,
) -> Option<Failure> {
    match request {
        None => Failure::new(
            format!("maximum {name} usage per {kind} is {max}.  No request is specified"),
            About::Request,
            How::Missing,
            max,
        ),
        Some(req) if req > max => Failure::new(
            format!("maximum {name} usage per {kind} is {max}, but request is {req}"),
            About::Request,
            How::AboveMax,
            max,
        ),
        _ => None,
    }
}

/// `maxLimitRequestRatio`: request and limit must both be non-zero and
/// the limit at most `ratio` times the request.
fn ratio_constraint(
    kind: &str,
    name: &str,
    ratio: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<Failure> {
    let Some(req) = request.filter(|q| !q.is_zero()) else {
        return Failure::new(
            format!(
                "{name} max limit to request ratio per {kind} is {ratio}, but no request is specified or request is 0"
            ),
            About::Request,
            How::Missing,
            ratio,
        );
    };
    let Some(lim) = limit.filter(|q| !q.is_zero()) else {
        return Failure::new(
            format!(
                "{name} max limit to request ratio per {kind} is {ratio}, but no limit is specified or limit is 0"
            ),
            About::Limit,
            How::Missing,
            ratio,
        );
    };
    if exceeds_ratio(lim, req, ratio) {
        return Failure::new(
            format!(
                "{name} max limit to request ratio per {kind} is {ratio}, but provided ratio is {}",
                ratio_text(lim, req)
            ),
            About::Limit,
            How::RatioExceeded,
            ratio,
        );
    }
    None
}

/// Whether `limit > request × ratio`, exactly.
fn exceeds_ratio(limit: Quantity, request: Quantity, ratio: Quantity) -> bool {
    let (l, r, k) = (
        limit.nanos().abs(),
        request.nanos().abs(),
        ratio.nanos().abs(),
    );
    match (l.checked_mul(1_000_000_000), r.checked_mul(k)) {
        (Some(a), Some(b)) => a > b,
        _ => (l as f64) > (r as f64) * (k as f64) / 1e9,
    }
}

/// `limit / request` with six decimals, rounded half to even, as the plugin
/// prints it (`4.000000`).
fn ratio_text(limit: Quantity, request: Quantity) -> String {
    let (l, r) = (limit.nanos().abs(), request.nanos().abs());
    let Some(num) = l.checked_mul(1_000_000) else {
        return format!("{:.6}", l as f64 / r as f64);
    };
    let (mut q, rem) = (num / r, num % r);
    if rem * 2 > r || (rem * 2 == r && q % 2 == 1) {
        q += 1;
    }
    format!("{}.{:06}", q / 1_000_000, q % 1_000_000)
}

/// A container's request or limit of a resource after the API server's
/// defaulting, and where to report it: the written value, the limit it
/// was copied from, or (when a LimitRange filled it in) the container's
/// `resources` with the LimitRange that did.
struct Value<'a> {
    quantity: Option<Quantity>,
    pointer: String,
    target: Target,
    from_limit_range: Option<&'a Resource>,
}

fn container_value<'a>(
    r: &Requirements<'_>,
    defaults: &ContainerDefaults<'a>,
    kind: Kind,
    name: &str,
) -> Value<'a> {
    let written = r.entry(kind, name).or(match kind {
        // A limit without a request gives the request.
        Kind::Request => r.limit(name),
        Kind::Limit => None,
    });
    if let Some(e) = written {
        return Value {
            quantity: e.quantity,
            pointer: e.pointer.clone(),
            target: Target::Value,
            from_limit_range: None,
        };
    }
    let filled = match kind {
        Kind::Request => defaults.requests.get(name),
        Kind::Limit => defaults.limits.get(name),
    };
    Value {
        quantity: filled.map(|(q, _)| *q),
        pointer: r.missing_pointer(kind),
        target: Target::Key,
        from_limit_range: filled.map(|(_, lr)| *lr),
    }
}

/// Why a template's finding matters: the workload is accepted, its pods are not.
fn rejection_note(is_template: bool, kind: &str) -> String {
    if is_template {
        format!("the {kind} is accepted, but the API server rejects every pod it creates")
    } else {
        "the API server rejects the pod".to_owned()
    }
}

/// The deepest prefix of `pointer` that exists in the object.
fn existing(object: &Resource, pointer: &str) -> String {
    let mut p = pointer.to_owned();
    while !p.is_empty() && object.value.pointer(&p).is_none() {
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => p.clear(),
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn ratios_print_six_decimals_rounded_half_to_even() {
        assert_eq!(ratio_text(q("2"), q("500m")), "4.000000");
        assert_eq!(ratio_text(q("1"), q("3")), "0.333333");
        assert_eq!(ratio_text(q("2"), q("3")), "0.666667");
        assert_eq!(ratio_text(q("1224Mi"), q("150Mi")), "8.160000");
        assert!(exceeds_ratio(q("1001m"), q("200m"), q("5")));
        assert!(!exceeds_ratio(q("1"), q("200m"), q("5")));
    }

    #[test]
    fn messages_are_the_plugins() {
        let f = min_constraint("Container", "cpu", q("100m"), None, None).expect("fails");
        assert_eq!(
            f.message,
            "minimum cpu usage per Container is 100m.  No request is specified"
        );
        let f =
            max_constraint("Container", "cpu", q("1"), Some(q("2")), Some(q("2"))).expect("fails");
        // The limit is checked first and alone.
        assert_eq!(
            f.message,
            "maximum cpu usage per Container is 1, but limit is 2"
        );
        let f =
            ratio_constraint("Pod", "memory", q("2"), Some(q("0")), Some(q("1Gi"))).expect("fails");
        assert_eq!(
            f.message,
            "memory max limit to request ratio per Pod is 2, but no request is specified or request is 0"
        );
        assert!(
            max_request_constraint(
                "PersistentVolumeClaim",
                "storage",
                q("10Gi"),
                Some(q("10Gi"))
            )
            .is_none()
        );
    }
}
