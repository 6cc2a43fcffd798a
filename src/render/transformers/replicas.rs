//! `replicas` (kustomize's ReplicaCountTransformer): set `spec/replicas` of
//! the workloads with the given name.

use super::apply_specs;
use crate::render::fieldspec::{Create, FieldSpec};
use crate::render::kustomization::Replica;
use crate::render::resmap::ResMap;
use crate::yaml::Value;

pub fn apply(rm: &mut ResMap, replica: &Replica, specs: &[FieldSpec]) -> Result<(), String> {
    let mut found = false;
    for fs in specs {
        let gvk = fs.gvk();
        let hits = rm
            .matching_any_id(|id| id.name == replica.name.as_str() && id.gvk.is_selected_by(&gvk));
        found |= !hits.is_empty();
        for i in hits {
            if let Some(r) = rm.get_mut(i) {
                apply_specs(
                    r,
                    std::slice::from_ref(fs),
                    Some(Create::Scalar),
                    &mut |v| {
                        *v = Value::Int(replica.count);
                        Ok(())
                    },
                )?;
            }
        }
    }
    if !found {
        let gvks: Vec<String> = specs.iter().map(|fs| fs.gvk().to_string()).collect();
        return Err(format!(
            "resource with name {} does not match a config with the following GVK [{}]",
            replica.name,
            gvks.join(" ")
        ));
    }
    Ok(())
}
