use crate::diagnostic::Target;
use crate::lint::pod::{self, format_list};
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};

declare_rule! {
    /// Reports what each pod requests, as the scheduler counts it.
    ///
    /// ## What it checks
    ///
    /// For every Pod and pod template, the effective requests and limits of
    /// one pod, after API defaulting (a limit without a request gives the
    /// request) and the LimitRange defaults of the namespace, computed as
    /// the scheduler does:
    ///
    /// - the regular containers and the sidecars (init containers with
    ///   `restartPolicy: Always`) run together, so they add up;
    /// - each other init container runs alone, next to the sidecars started
    ///   before it;
    /// - the pod needs the larger of the two, per resource, plus
    ///   `spec.overhead` (added to requests, and to the limits that are set).
    ///
    /// Pod-level `resources`, when set, override CPU, memory and hugepages.
    ///
    /// ## Why
    ///
    /// An init container can dominate what a pod reserves: a 2-CPU
    /// migration step makes every replica reserve 2 CPUs for its whole life.
    /// Sidecars add to every other container. The sum of the container
    /// requests is not what the scheduler looks for on a node. This is
    /// `info`: a report, not a problem.
    ///
    /// ## Failing example
    ///
    /// Every pod has totals, so this rule always reports. Here the init
    /// container makes the pod request 2 CPUs:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   initContainers:
    ///   - name: migrate
    ///     image: example/migrate:2.0.1
    ///     resources:
    ///       requests: {cpu: "2", memory: 256Mi}
    ///   - name: proxy
    ///     image: example/proxy:1.9.0
    ///     restartPolicy: Always
    ///     resources:
    ///       requests: {cpu: 100m, memory: 64Mi}
    ///   containers:
    ///   - name: app
    ///     image: example/app:2.0.1
    ///     resources:
    ///       requests: {cpu: 250m, memory: 512Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// Objects without a pod spec get no report:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: app
    /// data:
    ///   mode: production
    /// ```
    pub struct PodResources {
        id: "pod-resources",
        category: Resources,
        severity: Info,
    }
}

impl Rule for PodResources {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        let totals = pod::pod_totals(pod, defaults);
        let mut message = if totals.requests.is_empty() {
            String::from("the pod requests nothing")
        } else {
            format!("the pod requests {}", format_list(&totals.requests))
        };
        if !totals.limits.is_empty() {
            message.push_str(&format!("; limits {}", format_list(&totals.limits)));
        }
        let init = pod
            .containers()
            .iter()
            .any(|c| matches!(c.role, Role::Init | Role::Sidecar));
        let help = if init || pod.get("overhead").is_some() {
            "counted as the scheduler does: the larger of the containers plus sidecars and of each init container plus the sidecars started before it, plus the overhead"
        } else {
            "the sum of the containers' requests (a limit without a request counts as the request)"
        };
        cx.report(pod.pointer, Target::Key, message).help(help);
    }
}
