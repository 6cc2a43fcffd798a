//! Output order (kustomize's SortOrderTransformer): the legacy order by kind
//! rank, group/version/kind and id, or load order (`fifo`).

use crate::render::res::Res;
use crate::render::resid::{Gvk, ResId};

pub const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

pub const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts in the legacy order with the given kind lists.
pub fn legacy(list: Vec<Res>, first: &[String], last: &[String]) -> Vec<Res> {
    let rank = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    let mut keyed: Vec<(ResId, Res)> = list.into_iter().map(|r| (r.cur_id(), r)).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        if a.gvk != b.gvk {
            let (ra, rb) = (rank(&a.gvk.kind), rank(&b.gvk.kind));
            if ra != rb {
                return ra.cmp(&rb);
            }
            let (sa, sb) = (gvk_string(&a.gvk), gvk_string(&b.gvk));
            if a.gvk.kind == "Namespace"
                && b.gvk.kind == "Namespace"
                && (a.gvk.group.is_empty() || b.gvk.group.is_empty())
            {
                return sb.cmp(&sa);
            }
            return sa.cmp(&sb);
        }
        id_string(a).cmp(&id_string(b))
    });
    keyed.into_iter().map(|(_, r)| r).collect()
}

fn gvk_string(g: &Gvk) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

fn id_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let name = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{ns}|{name}", id.gvk)
}
