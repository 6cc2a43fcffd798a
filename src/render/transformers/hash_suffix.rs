//! The hash suffix of generated objects, added once at the root so that it
//! covers the final data (kustomize's HashTransformer).

use crate::render::hash;
use crate::render::resmap::ResMap;

pub fn apply(rm: &mut ResMap) {
    for r in rm.iter_mut() {
        if !r.needs_hash {
            continue;
        }
        let h = hash::suffix(&r.value);
        r.store_previous_id();
        let name = format!("{}-{h}", r.name());
        r.set_name(&name);
    }
}
