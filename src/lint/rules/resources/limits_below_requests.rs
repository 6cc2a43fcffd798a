use crate::diagnostic::Target;
use crate::lint::pod::resource_label;
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// A limit must not be below its request.
    ///
    /// ## What it checks
    ///
    /// For every resource of every container and init container, the limit
    /// must be at least the request. That includes the limit a LimitRange of
    /// the namespace fills in when the container sets only a request: the
    /// LimitRanger admission plugin sets the missing limit to the
    /// LimitRange's `default` (or `max`) without looking at the request.
    /// A container that sets only a limit is fine: its request defaults to
    /// that limit.
    ///
    /// ## Why
    ///
    /// The API server rejects such a pod ("must be less than or equal to cpu
    /// limit"). For a workload the Deployment or Job is accepted, but none of
    /// its pods can be created: the failure only shows in the controller's
    /// events.
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
    ///     resources:
    ///       requests: {cpu: "2", memory: 512Mi}
    ///       limits: {cpu: "1", memory: 512Mi}
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
    ///     resources:
    ///       requests: {cpu: "1", memory: 512Mi}
    ///       limits: {cpu: "2", memory: 512Mi}
    /// ```
    pub struct LimitsBelowRequests {
        id: "limits-below-requests",
        category: Resources,
        severity: Error,
    }
}

impl Rule for LimitsBelowRequests {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let r = c.resources();
            for req in &r.requests {
                let Some(request) = req.quantity else {
                    continue;
                };
                let label = resource_label(req.name);
                if let Some(lim) = r.limit(req.name) {
                    let Some(limit) = lim.quantity else {
                        continue;
                    };
                    if limit < request {
                        cx.report(
                            &req.pointer,
                            Target::Value,
                            format!(
                                "{} requests {label} {} but its limit is {}",
                                c.describe(),
                                req.written(),
                                lim.written()
                            ),
                        )
                        .help(format!(
                            "the API server rejects the pod (\"must be less than or equal to {} limit of {limit}\"): lower the request or raise the limit",
                            req.name
                        ));
                    }
                } else if let Some((limit, lr)) = defaults.limits.get(req.name) {
                    if *limit < request {
                        let lr_name = lr.name().unwrap_or("");
                        cx.report(
                            &req.pointer,
                            Target::Value,
                            format!(
                                "{} requests {label} {} but LimitRange \"{lr_name}\" gives it a default limit of {limit}",
                                c.describe(),
                                req.written(),
                            ),
                        )
                        .help(format!(
                            "the LimitRanger admission plugin fills in the missing limit, and the API server then rejects the pod: set `resources.limits.{}` explicitly",
                            req.name
                        ))
                        .related(
                            lr.location("/spec/limits", Target::Key),
                            "the default limit comes from here",
                        );
                    }
                }
            }
        }
    }
}
