//! `labels` and `commonLabels` (kustomize's LabelTransformer): set label pairs
//! in `metadata/labels` and, depending on the entry, in selectors and pod
//! templates.

use crate::render::fieldspec::FieldSpec;
use crate::render::resmap::ResMap;

pub fn apply(
    rm: &mut ResMap,
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    super::set_pairs(rm, pairs, specs)
}
