use crate::diagnostic::Target;
use crate::lint::pod::{self, QosClass as Class};
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Reports the QoS class the pods will get.
    ///
    /// ## What it checks
    ///
    /// For every Pod and pod template, the quality-of-service class the
    /// kubelet computes, after API defaulting (a limit without a request
    /// gives the request) and the LimitRange defaults of the namespace:
    ///
    /// - **Guaranteed**: every container and init container sets CPU and
    ///   memory limits, and its requests equal them;
    /// - **BestEffort**: no container sets any CPU or memory request or limit;
    /// - **Burstable**: anything else.
    ///
    /// Only CPU and memory count; ephemeral containers do not. When the pod
    /// sets pod-level `resources`, they alone decide.
    ///
    /// ## Why
    ///
    /// When a node runs short of memory the kubelet evicts BestEffort pods
    /// first, then Burstable pods using more than they request, and
    /// Guaranteed pods last. Knowing the class tells how a workload fares
    /// under pressure. This is `info`: a report, not a problem.
    ///
    /// ## Failing example
    ///
    /// Every pod gets a class, so this rule always reports. A Burstable pod:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {memory: 128Mi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// Objects without a pod spec get no report:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///   - port: 80
    /// ```
    pub struct QosClass {
        id: "qos-class",
        category: Resources,
        severity: Info,
    }
}

impl Rule for QosClass {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let defaults = cx.container_defaults();
        let qos = pod::qos(pod, defaults);
        let class = qos.class.as_str();
        let (message, help) = match qos.class {
            Class::BestEffort => (
                format!("QoS class is {class}: no container sets a CPU or memory request or limit"),
                "BestEffort pods are the first to be evicted when the node runs short of memory; requests make them Burstable, requests equal to limits Guaranteed",
            ),
            Class::Burstable => (
                match &qos.reason {
                    Some(r) => format!("QoS class is {class} ({r})"),
                    None => format!("QoS class is {class}"),
                },
                "under memory pressure Burstable pods are evicted after BestEffort ones and before Guaranteed ones; CPU and memory limits equal to the requests on every container make them Guaranteed",
            ),
            Class::Guaranteed => (
                format!("QoS class is {class}"),
                "Guaranteed pods are the last to be evicted when the node runs short of memory",
            ),
        };
        cx.report(pod.pointer, Target::Key, message).help(help);
    }
}
