use crate::diagnostic::Target;
use crate::lint::pod::Kind;
use crate::lint::{Container, Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Hugepages requests must equal their limits.
    ///
    /// ## What it checks
    ///
    /// For every `hugepages-<size>` resource of a container or init
    /// container: the request, when written, must equal the limit, and a
    /// limit must be set (a limit alone is enough: the request defaults to
    /// it). A container using hugepages must also request or limit CPU or
    /// memory.
    ///
    /// ## Why
    ///
    /// Hugepages cannot be overcommitted. The API server rejects a pod whose
    /// hugepages request differs from its limit ("must be equal to
    /// hugepages-2Mi limit"), one with a request and no limit ("Limit must be
    /// set for non overcommitable resources"), and one using hugepages
    /// without CPU or memory ("HugePages require cpu or memory").
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: dpdk
    /// spec:
    ///   containers:
    ///   - name: dpdk
    ///     image: example/dpdk:23.11
    ///     resources:
    ///       requests: {cpu: "2", memory: 1Gi, hugepages-2Mi: 512Mi}
    ///       limits: {cpu: "2", memory: 1Gi, hugepages-2Mi: 1Gi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: dpdk
    /// spec:
    ///   containers:
    ///   - name: dpdk
    ///     image: example/dpdk:23.11
    ///     resources:
    ///       requests: {cpu: "2", memory: 1Gi, hugepages-2Mi: 1Gi}
    ///       limits: {cpu: "2", memory: 1Gi, hugepages-2Mi: 1Gi}
    /// ```
    pub struct HugepagesRequestEqualsLimit {
        id: "hugepages-request-equals-limit",
        category: Resources,
        severity: Error,
    }
}

fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

impl Rule for HugepagesRequestEqualsLimit {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        if c.role == Role::Ephemeral {
            return;
        }
        let r = c.resources();
        for req in r.requests.iter().filter(|e| is_hugepages(e.name)) {
            match r.limit(req.name) {
                Some(lim) => {
                    let (Some(a), Some(b)) = (req.quantity, lim.quantity) else {
                        continue;
                    };
                    if a != b {
                        cx.report(
                            &req.pointer,
                            Target::Value,
                            format!(
                                "{}: {} request {} differs from its limit {}",
                                c.describe(),
                                req.name,
                                req.written(),
                                lim.written()
                            ),
                        )
                        .help(format!(
                            "hugepages cannot be overcommitted; the API server rejects the pod (\"must be equal to {} limit of {b}\"): set both to the same value",
                            req.name
                        ));
                    }
                }
                None => {
                    cx.report(
                        &req.pointer,
                        Target::Value,
                        format!("{} requests {} without a limit", c.describe(), req.name),
                    )
                    .help(format!(
                        "the API server rejects the pod (\"Limit must be set for non overcommitable resources\"): set `resources.limits.{}` (the request defaults to it)",
                        req.name
                    ));
                }
            }
        }
        let uses_hugepages = r
            .requests
            .iter()
            .chain(&r.limits)
            .any(|e| is_hugepages(e.name));
        let has_compute = r
            .requests
            .iter()
            .chain(&r.limits)
            .any(|e| e.name == "cpu" || e.name == "memory");
        if uses_hugepages && !has_compute {
            cx.report(
                &r.missing_pointer(Kind::Request),
                Target::Key,
                format!(
                    "{} uses hugepages without a CPU or memory request or limit",
                    c.describe()
                ),
            )
            .help("the API server rejects the pod (\"HugePages require cpu or memory\"): set a memory limit as well");
        }
    }
}
