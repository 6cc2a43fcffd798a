//! `commonAnnotations` (kustomize's AnnotationsTransformer): set annotations
//! in `metadata/annotations` and in pod templates.

use crate::render::fieldspec::FieldSpec;
use crate::render::resmap::ResMap;

pub fn apply(
    rm: &mut ResMap,
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), String> {
    super::set_pairs(rm, pairs, specs)
}
