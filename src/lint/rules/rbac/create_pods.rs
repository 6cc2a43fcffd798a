use super::for_each_rule;
use crate::lint::{Cx, Rule, declare_rule};

/// Resources whose creation runs pods: (group, resource).
const POD_CREATORS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

declare_rule! {
    /// Shows the roles that can create pods, directly or through workloads.
    ///
    /// ## What it checks
    ///
    /// Rules of Roles and ClusterRoles that allow `create` (or `*`) on
    /// `pods` or on a kind that creates pods: ReplicationControllers,
    /// Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs.
    /// Opt-in: deployment tooling needs exactly this.
    ///
    /// ## Why
    ///
    /// Whoever can create a pod can run it with any ServiceAccount of the
    /// namespace and mount any Secret there, so pod creation is as strong as
    /// the strongest of them (CIS Benchmark 5.1.4). Where Pod Security
    /// admission is lax, it is also a way onto the node.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: runner
    ///   namespace: ci
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [pods]
    ///   verbs: [create, delete, get]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: runner
    ///   namespace: ci
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [pods]
    ///   verbs: [delete, get]
    /// ```
    pub struct CreatePods {
        id: "create-pods",
        category: Rbac,
        severity: Warning,
        enabled: false,
    }
}

impl Rule for CreatePods {
    fn check_object(&self, cx: &mut Cx<'_>) {
        for_each_rule(cx, |rule, object, who| {
            if !rule.verb_matches("create") {
                return None;
            }
            let hits: Vec<&str> = POD_CREATORS
                .iter()
                .filter(|(g, r)| {
                    (rule.group_matches(g) || (*g == "apps" && rule.group_matches("extensions")))
                        && rule.resource_matches(r)
                })
                .map(|(_, r)| *r)
                .collect();
            if hits.is_empty() {
                return None;
            }
            let mut wanted: Vec<&str> = hits.clone();
            wanted.push("*");
            let pointer = rule.item_pointer(object, "resources", &wanted);
            let message = format!("{who} can create {}", hits.join(", "));
            let help = "holders can run pods as any ServiceAccount of the namespace and mount its Secrets; keep this to deployment tooling".to_owned();
            Some((pointer, message, help))
        });
    }
}
