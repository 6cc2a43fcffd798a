//! `labels` and `commonLabels` (kustomize's LabelTransformer): set label pairs
//! in `metadata/labels` and, depending on the entry, in selectors and pod
//! templates.

use super::{apply_specs, set_entry};
use crate::render::fieldspec::{Create, FieldSpec};
use crate::render::resmap::ResMap;

pub fn apply(
    rm: &mut ResMap,
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    for r in rm.iter_mut() {
        for (k, v) in pairs {
            apply_specs(r, specs, Some(Create::Map), &mut |node| {
                set_entry(node, k, v)
            })?;
        }
    }
    Ok(())
}
