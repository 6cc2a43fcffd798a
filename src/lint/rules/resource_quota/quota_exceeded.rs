use super::{Consumer, Exceeded, consumers, pretty, quotas, replay};
use crate::diagnostic::Target;
use crate::lint::pod::Role;
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::Resource;

declare_rule! {
    /// A namespace's objects must fit in its ResourceQuotas.
    ///
    /// ## What it checks
    ///
    /// Per namespace with ResourceQuotas, the objects are created in input
    /// order and counted as the quota admission plugin counts them: each pod
    /// of a workload (all replicas; the `maxReplicas` of a
    /// HorizontalPodAutoscaler that targets it; a Job's parallelism; one per
    /// Node of the set for a DaemonSet) with its requests and limits after
    /// LimitRange defaulting (`requests.cpu`, `limits.memory`, `pods`,
    /// `requests.nvidia.com/gpu`, ...), claims and claim templates
    /// (`requests.storage`, `persistentvolumeclaims`, per storage class),
    /// Services (`services`, `services.nodeports`,
    /// `services.loadbalancers`) and object counts (`configmaps`, `secrets`,
    /// `count/deployments.apps`, ...). Quota scopes (`Terminating`,
    /// `BestEffort`, `PriorityClass`, ...) decide which pods a quota counts.
    /// The first pod or object that goes over `hard` is reported with the
    /// plugin's message; usage by objects outside the manifests is not
    /// known and counts as zero.
    ///
    /// ## Why
    ///
    /// The API server rejects what does not fit (`exceeded quota: compute,
    /// requested: requests.cpu=500m, used: requests.cpu=2, limited:
    /// requests.cpu=2`). For a workload only some replicas start, and the
    /// rest fail in the controller's events; an autoscaler cannot scale past
    /// the quota.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: compute
    /// spec:
    ///   hard: {requests.cpu: "1", pods: "10"}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    ///         resources:
    ///           requests: {cpu: 500m}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata:
    ///   name: compute
    /// spec:
    ///   hard: {requests.cpu: "2", pods: "10"}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    ///         resources:
    ///           requests: {cpu: 500m}
    /// ```
    pub struct QuotaExceeded {
        id: "quota-exceeded",
        category: ResourceQuota,
        severity: Error,
    }
}

/// Where to point for an exceeded resource: the container value that adds
/// to it, the replicas, or the object's name.
fn pointer_for(consumer: &Consumer<'_>, resource: &str) -> (String, Target) {
    let object = consumer.object;
    if let Some(pod) = &consumer.pod {
        let base = resource
            .strip_prefix("requests.")
            .or_else(|| resource.strip_prefix("limits."))
            .unwrap_or(resource);
        let limits = resource.starts_with("limits.");
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let r = c.resources();
            let entry = if limits {
                r.limit(base)
            } else {
                r.request(base).or(r.limit(base))
            };
            if let Some(e) = entry {
                return (e.pointer.clone(), Target::Value);
            }
        }
        if object.value.pointer("/spec/replicas").is_some() {
            return ("/spec/replicas".into(), Target::Value);
        }
        return (pod.pointer_to(&["containers"]), Target::Key);
    }
    if resource.ends_with("requests.storage") {
        let mut p = String::new();
        if object.kind() == Some("StatefulSet") {
            p.push_str("/spec/volumeClaimTemplates");
            return (p, Target::Key);
        }
        p.push_str("/spec/resources/requests/storage");
        if object.value.pointer(&p).is_some() {
            return (p, Target::Value);
        }
    }
    ("/metadata/name".into(), Target::Value)
}

impl Rule for QuotaExceeded {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        let index = cx.index;
        if index.of_kind_in("ResourceQuota", ns).next().is_none() {
            return;
        }
        // The namespace's replay is computed once; most objects are not in it,
        // so their consumers and the quotas are only read for those that are.
        let rejections = index.memo(("quota-exceeded", ns), || replay(index, ns));
        let key = cx.object as *const Resource as usize;
        let Some(mine_rejected) = rejections.get(&key) else {
            return;
        };
        let list = quotas(index, ns);
        let mine = consumers(index, cx.object, ns);
        for ex in mine_rejected {
            let Exceeded {
                consumer,
                quota,
                resources,
                admitted,
            } = ex;
            let Some(consumer) = mine.get(*consumer) else {
                continue;
            };
            let Some(quota) = list.iter().find(|q| q.name == quota) else {
                continue;
            };
            let requested: Vec<_> = resources
                .iter()
                .map(|(k, v, _, _)| (k.clone(), *v))
                .collect();
            let used: Vec<_> = resources
                .iter()
                .map(|(k, _, u, _)| (k.clone(), *u))
                .collect();
            let hard: Vec<_> = resources
                .iter()
                .map(|(k, _, _, h)| (k.clone(), *h))
                .collect();
            let message = format!(
                "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                quota.name,
                pretty(&requested),
                pretty(&used),
                pretty(&hard)
            );
            let first = &resources[0].0;
            let (pointer, target) = pointer_for(consumer, first);
            let keys: Vec<String> = resources
                .iter()
                .map(|(k, ..)| format!("`spec.hard.{k}`"))
                .collect();
            let help = if consumer.units > 1 {
                format!(
                    "only {admitted} of the {} fit and the API server rejects the others; lower the requests, limits or replicas, or raise {} of ResourceQuota \"{}\"",
                    consumer.units_reason,
                    keys.join(" and "),
                    quota.name
                )
            } else {
                let before = if used.iter().all(|(_, q)| q.is_zero()) {
                    String::new()
                } else {
                    format!(
                        " (the objects before it in the namespace use {})",
                        pretty(&used)
                    )
                };
                format!(
                    "the API server rejects it{before}; lower what it asks for, or raise {} of ResourceQuota \"{}\"",
                    keys.join(" and "),
                    quota.name
                )
            };
            let mut finding = cx.report(&pointer, target, message).help(help);
            for (k, ..) in resources {
                if let Some((_, p)) = quota.hard.get(k.as_str()) {
                    finding = finding.related(
                        quota.object.location(p, Target::Value),
                        format!("the quota of {k} is set here"),
                    );
                }
            }
        }
    }
}
