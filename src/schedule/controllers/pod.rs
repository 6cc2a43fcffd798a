//! Bare Pods. A pod of the run is its own workload; a pod from the node
//! inventory is already running where `spec.nodeName` says (pods in a
//! terminal phase are ignored, as the scheduler ignores them).

use crate::resource::Resource;
use crate::schedule::selector::scalar_string;
use crate::schedule::workloads::{Expander, NewPod};
use crate::yaml::Value;

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: Option<usize>, existing: bool) {
    let name = r.name().unwrap_or("").to_owned();
    if existing {
        let phase = r.value.pointer("/status/phase").and_then(Value::as_str);
        if matches!(phase, Some("Succeeded" | "Failed")) {
            return;
        }
        let owner = owner_kind(r);
        let Ok(pod) = e.make_pod(r, &name, &[], owner.as_deref(), None, None) else {
            return;
        };
        if pod.node_name.is_some() {
            e.out.pods.push(NewPod {
                pod,
                after: None,
                daemon: false,
                existing: true,
            });
        }
        return;
    }
    let w = e.workload(r, "Pod", 1, index);
    let owner = owner_kind(r);
    let made = e.make_pod(r, &name, &[], owner.as_deref(), None, Some(w));
    e.push(made, &name, w, None, false);
}

/// The kind of the controlling owner: `ownerReferences` with
/// `controller: true`, or `Node` for a static (mirror) pod.
fn owner_kind(r: &Resource) -> Option<String> {
    if r.value
        .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
        .is_some()
    {
        return Some("Node".into());
    }
    r.value
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|o| o.get("kind").and_then(scalar_string))
}
