use crate::diagnostic::Target;
use crate::lint::pod::{self, Kind, resource_label};
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// CPU and memory requests should equal the limits.
    ///
    /// ## What it checks
    ///
    /// Every container and init container must have CPU and memory limits,
    /// and its requests (after API and LimitRange defaulting) must equal
    /// them. Ephemeral containers are skipped. Opt-in: enable it with
    /// `rules: {requests-equal-limits: on}`.
    ///
    /// ## Why
    ///
    /// Requests equal to limits give the pod the Guaranteed QoS class: it is
    /// the last evicted under memory pressure, and with the static CPU
    /// manager policy it can get exclusive cores. It also makes capacity
    /// planning exact: what the scheduler reserves is what the pod can use.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    ///         resources:
    ///           requests: {cpu: 500m, memory: 1Gi}
    ///           limits: {cpu: "2", memory: 1Gi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16.4
    ///         resources:
    ///           limits: {cpu: "2", memory: 1Gi}
    /// ```
    pub struct RequestsEqualLimits {
        id: "requests-equal-limits",
        category: Resources,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for RequestsEqualLimits {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let r = c.resources();
            let e = pod::effective(&c, defaults);
            for name in ["cpu", "memory"] {
                let label = resource_label(name);
                let Some(limit) = e.limits.get(name) else {
                    cx.report(
                        &r.missing_pointer(Kind::Limit),
                        Target::Key,
                        format!("{} has no {label} limit to match its request", c.describe()),
                    )
                    .help(format!(
                        "set `resources.limits.{name}`; a limit alone is enough, the request defaults to it"
                    ));
                    continue;
                };
                let Some(request) = e.requests.get(name) else {
                    continue;
                };
                if request == limit {
                    continue;
                }
                // Which LimitRange filled in what the container does not write.
                let from = |d: Option<&(_, &crate::resource::Resource)>| {
                    d.map(|(_, lr)| lr.name().unwrap_or("").to_owned())
                };
                let (written_req, written_lim) = (r.request(name), r.limit(name));
                let message = match (written_req, written_lim) {
                    (Some(_), Some(_)) => format!(
                        "{}: {label} request {request} differs from its limit {limit}",
                        c.describe()
                    ),
                    (Some(_), None) => format!(
                        "{}: {label} request {request} differs from the limit {limit} that LimitRange \"{}\" gives it",
                        c.describe(),
                        from(defaults.limits.get(name)).unwrap_or_default()
                    ),
                    _ => format!(
                        "{}: LimitRange \"{}\" gives it a {label} request of {request} and a limit of {limit}",
                        c.describe(),
                        from(defaults.requests.get(name)).unwrap_or_default()
                    ),
                };
                let pointer = match written_req {
                    Some(req) => req.pointer.clone(),
                    None => r.missing_pointer(Kind::Request),
                };
                cx.report(&pointer, Target::Value, message).help(format!(
                    "set `resources.limits.{name}` and leave the request out (it defaults to the limit), or set both to the same value"
                ));
            }
        }
    }
}
