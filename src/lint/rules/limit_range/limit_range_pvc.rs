use super::{existing, limit_ranges, max_request_constraint, min_constraint, named};
use crate::diagnostic::Target;
use crate::lint::pod::LimitRangeItem;
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::quantity::Quantity;
use crate::yaml::Value;

declare_rule! {
    /// Claims must satisfy the storage LimitRanges of their namespace.
    ///
    /// ## What it checks
    ///
    /// Every PersistentVolumeClaim, and every `volumeClaimTemplates` entry
    /// of a StatefulSet, in a namespace with LimitRanges, against their
    /// `type: PersistentVolumeClaim` items: with `min`, the claim must
    /// request the resource (`spec.resources.requests.storage`) and at least
    /// `min`; with `max`, it must request it and at most `max`. Claims get
    /// no defaults from a LimitRange. Messages are the LimitRanger admission
    /// plugin's own.
    ///
    /// ## Why
    ///
    /// The API server rejects such a claim (`persistentvolumeclaims "data" is
    /// forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but
    /// request is 50Gi`). For a StatefulSet, the claim of each replica is
    /// rejected when the controller creates it, and the pod waits for it
    /// forever.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: storage
    /// spec:
    ///   limits:
    ///   - type: PersistentVolumeClaim
    ///     min: {storage: 1Gi}
    ///     max: {storage: 10Gi}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 50Gi}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: storage
    /// spec:
    ///   limits:
    ///   - type: PersistentVolumeClaim
    ///     min: {storage: 1Gi}
    ///     max: {storage: 10Gi}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests: {storage: 10Gi}
    /// ```
    pub struct LimitRangePvc {
        id: "limit-range-pvc",
        category: LimitRange,
        severity: Error,
    }
}

/// A claim to check: its pointer within the object and how to name it.
struct Claim {
    pointer: String,
    who: String,
    note: &'static str,
}

impl Rule for LimitRangePvc {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        let object = cx.object;
        let mut claims = Vec::new();
        match object.kind() {
            Some("PersistentVolumeClaim") => claims.push(Claim {
                pointer: String::new(),
                who: format!("PersistentVolumeClaim \"{}\"", object.name().unwrap_or("")),
                note: "the API server rejects the claim",
            }),
            Some("StatefulSet") => {
                let templates = object
                    .value
                    .pointer("/spec/volumeClaimTemplates")
                    .and_then(Value::as_seq)
                    .unwrap_or_default();
                for (i, t) in templates.iter().enumerate() {
                    let name = t
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    claims.push(Claim {
                        pointer: format!("/spec/volumeClaimTemplates/{i}"),
                        who: format!("volume claim template \"{name}\""),
                        note: "the StatefulSet is accepted, but the API server rejects the claim of every replica, whose pod then never starts",
                    });
                }
            }
            _ => return,
        }
        let ranges = limit_ranges(cx.index, ns);
        if ranges.is_empty() {
            return;
        }
        for claim in &claims {
            let requests_pointer = format!("{}/spec/resources/requests", claim.pointer);
            let requests = object
                .value
                .pointer(&requests_pointer)
                .and_then(Value::as_map);
            for lr in &ranges {
                for item in LimitRangeItem::of(lr) {
                    if item.kind != "PersistentVolumeClaim" {
                        continue;
                    }
                    let bounds = item
                        .min
                        .iter()
                        .map(|(n, v)| ("min", *n, v))
                        .chain(item.max.iter().map(|(n, v)| ("max", *n, v)));
                    for (field, name, bound) in bounds {
                        let written = requests.and_then(|m| m.get(name));
                        let request = match written.map(Quantity::from_value) {
                            Some(Ok(q)) => Some(q),
                            // Not a quantity: schema validation reports it.
                            Some(Err(_)) => continue,
                            None => None,
                        };
                        let failure = if field == "min" {
                            min_constraint(
                                "PersistentVolumeClaim",
                                name,
                                bound.quantity,
                                request,
                                None,
                            )
                        } else {
                            max_request_constraint(
                                "PersistentVolumeClaim",
                                name,
                                bound.quantity,
                                request,
                            )
                        };
                        let Some(f) = failure else {
                            continue;
                        };
                        let (pointer, target) = if written.is_some() {
                            let mut p = requests_pointer.clone();
                            crate::pointer::push(&mut p, name);
                            (p, Target::Value)
                        } else {
                            (existing(object, &requests_pointer), Target::Key)
                        };
                        let help = format!(
                            "{}; {}",
                            f.fix(&format!("`spec.resources.requests.{name}`"), ""),
                            claim.note
                        );
                        cx.report(
                            &pointer,
                            target,
                            format!("{} rejects {}: {}", named(lr), claim.who, f.message),
                        )
                        .help(help)
                        .related(
                            lr.location(&bound.pointer, Target::Value),
                            format!("the {field} of {name} is set here"),
                        );
                    }
                }
            }
        }
    }
}
