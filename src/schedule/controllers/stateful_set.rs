//! StatefulSets: pods `<name>-<ordinal>` from `spec.ordinals.start`
//! (default 0), labelled `statefulset.kubernetes.io/pod-name` and
//! `apps.kubernetes.io/pod-index`, each with claims `<template>-<pod>` from
//! `volumeClaimTemplates`. With `podManagementPolicy: OrderedReady` (the
//! default) a pod is created only when the one before it runs, so a pod that
//! cannot be placed holds back its successors.

use crate::resource::Resource;
use crate::schedule::plugins::volume_binding::Claim;
use crate::schedule::selector::scalar_string;
use crate::schedule::workloads::{Expander, namespace_of, spec_selector};
use crate::yaml::Value;

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let mut notes = Vec::new();
    let replicas = e.replicas(r, "StatefulSet", &mut notes);
    let w = e.workload(r, "StatefulSet", replicas, Some(index));
    e.out.workloads[w].notes = notes;
    let name = r.name().unwrap_or("").to_owned();
    let ns = namespace_of(r);
    let start = r
        .value
        .pointer("/spec/ordinals/start")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(0) as usize;
    let ordered = r
        .value
        .pointer("/spec/podManagementPolicy")
        .and_then(Value::as_str)
        != Some("Parallel");
    let selector = spec_selector(r);
    let templates: Vec<(String, Value)> = r
        .value
        .pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| {
            Some((
                t.pointer("/metadata/name").and_then(scalar_string)?,
                t.clone(),
            ))
        })
        .collect();
    let mut previous = None;
    for i in start..start + replicas {
        let pod_name = format!("{name}-{i}");
        for (tname, t) in &templates {
            e.out
                .claims
                .push(Claim::from_value(t, &ns, &format!("{tname}-{pod_name}")));
        }
        let made = e
            .make_pod(
                r,
                &pod_name,
                &[
                    ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
                    ("apps.kubernetes.io/pod-index", i.to_string()),
                ],
                Some("StatefulSet"),
                Some(&selector),
                Some(w),
            )
            .map(|mut p| {
                // Each template becomes a claim volume named after the template.
                for (tname, _) in &templates {
                    let claim = format!("{tname}-{pod_name}");
                    if !p.claims().any(|c| c == claim) {
                        p.volumes.push(crate::schedule::types::Volume::Claim {
                            claim,
                            read_only: false,
                        });
                    }
                }
                p
            });
        let after = if ordered { previous } else { None };
        let id = e.push(made, &pod_name, w, after, false);
        if ordered {
            previous = id.or(previous);
        }
    }
}
