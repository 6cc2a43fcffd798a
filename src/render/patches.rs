//! The patch transformers: `patchesStrategicMerge`, `patches` (strategic
//! merge or JSON 6902, chosen by content) and `patchesJson6902`. The merge
//! itself is in [`super::patch`].

use super::RenderError;
use super::kustomization::Patch;
use super::patch::{MergeSchema, SmpOutcome, apply_json6902, apply_smp};
use super::res::Res;
use super::resmap::ResMap;
use super::selector::Matcher;
use super::target::{Accumulator, Builder, KustTarget, parse_resources};
use crate::diagnostic::codes;
use crate::source::FileId;
use crate::yaml::resolve::Dialect;
use crate::yaml::{LoadOptions, Value};

fn error(kt: &KustTarget, ptr: &str, message: impl Into<String>) -> RenderError {
    RenderError {
        code: &codes::RENDER_ERROR,
        message: message.into(),
        location: kt.at(ptr),
    }
}

/// `patchesStrategicMerge`: files or inline YAML, each patch applied to the
/// one resource whose id (any it had) matches the patch's.
pub fn strategic_merge(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
) -> Result<(), RenderError> {
    let Some(paths) = kt.kust.patches_strategic_merge.clone() else {
        return Ok(());
    };
    if paths.is_empty() {
        return Ok(());
    }
    apply_strategic_merge(b, kt, ra, &paths, "", "/patchesStrategicMerge")
}

pub fn apply_strategic_merge(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    paths: &[String],
    inline: &str,
    ptr: &str,
) -> Result<(), RenderError> {
    let mut loaded = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let p = format!("{ptr}/{i}");
        // A path that is not a readable file is tried as inline YAML.
        let patches = match b.read_source(kt, path) {
            Ok(file) => {
                let text = b.sources.get(file).text.clone();
                parse_resources(file, &text).map_err(|(m, loc)| RenderError {
                    code: &codes::RENDER_ERROR,
                    message: m,
                    location: loc.unwrap_or_else(|| kt.at(&p)),
                })?
            }
            Err(read_err) => match parse_resources(kt.file, path) {
                Ok(rs) if !rs.is_empty() => inline_origin(rs, kt, &p),
                _ => return Err(error(kt, &p, read_err)),
            },
        };
        loaded.extend(patches);
    }
    if !inline.trim().is_empty() {
        let rs = parse_resources(kt.file, inline).map_err(|(m, _)| error(kt, ptr, m))?;
        loaded.extend(inline_origin(rs, kt, ptr));
    }
    if loaded.is_empty() {
        return Err(error(
            kt,
            ptr,
            format!("patch appears to be empty; files={paths:?}, Patch={inline}"),
        ));
    }
    let schema = b.schema();
    for patch in loaded {
        let id = patch.org_id();
        let hits = ra.resmap.matching_any_id(|x| x.equals(&id));
        if hits.len() != 1 {
            let which = if hits.is_empty() { "no" } else { "multiple" };
            return Err(error(
                kt,
                ptr,
                format!("{which} matches for Id {id}; failed to find unique target for patch {id}"),
            ));
        }
        apply_smp_to(&mut ra.resmap, &hits, &patch, &schema, false, false)
            .map_err(|m| error(kt, ptr, m))?;
    }
    Ok(())
}

fn inline_origin(mut rs: Vec<Res>, kt: &KustTarget, ptr: &str) -> Vec<Res> {
    for r in &mut rs {
        r.origin = kt.doc.map(|doc| crate::resource::Origin {
            doc,
            base: ptr.into(),
        });
    }
    rs
}

/// `patches`: each entry is a strategic-merge or a JSON 6902 patch.
pub fn patches(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
) -> Result<(), RenderError> {
    for (i, p) in kt.kust.patches.iter().enumerate() {
        apply_patch(b, kt, ra, p, &format!("/patches/{i}"))?;
    }
    Ok(())
}

/// The text of a patch: inline, or read from its file (and which file).
fn patch_text(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    p: &Patch,
    ptr: &str,
) -> Result<(String, Option<FileId>), RenderError> {
    let inline = p.patch.trim();
    match (inline.is_empty(), p.path.is_empty()) {
        (true, true) => Err(error(kt, ptr, "must specify one of patch and path")),
        (false, false) => Err(error(
            kt,
            ptr,
            "patch and path can't be set at the same time",
        )),
        (false, true) => Ok((inline.to_owned(), None)),
        (true, false) => {
            let file = b.read_source(kt, &p.path).map_err(|e| {
                error(
                    kt,
                    &format!("{ptr}/path"),
                    format!("failed to get the patch file from path({}): {e}", p.path),
                )
            })?;
            Ok((b.sources.get(file).text.clone(), Some(file)))
        }
    }
}

/// JSON 6902 operations from JSON or YAML text (YAML read as kubectl does).
fn json_ops(text: &str) -> Option<Value> {
    let opts = LoadOptions {
        dialect: Dialect::Kubectl,
        ..LoadOptions::default()
    };
    let parsed = crate::yaml::parse(crate::source::FileId(0), text, &opts);
    if parsed
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        return None;
    }
    let mut docs = parsed.docs.into_iter();
    let ops = docs.next()?.value;
    match &ops {
        Value::Seq(items) if items.iter().all(|i| i.get("op").is_some()) => Some(ops),
        _ => None,
    }
}

pub fn apply_patch(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    p: &Patch,
    ptr: &str,
) -> Result<(), RenderError> {
    let (text, file) = patch_text(b, kt, p, ptr)?;
    let sm = match file {
        Some(file) => parse_resources(file, &text).ok(),
        None => parse_resources(kt.file, &text)
            .ok()
            .map(|rs| inline_origin(rs, kt, &format!("{ptr}/patch"))),
    }
    .filter(|rs| !rs.is_empty());
    let json = json_ops(&text);
    let schema = b.schema();
    match (sm, json) {
        (Some(_), Some(_)) => Err(error(
            kt,
            ptr,
            format!("illegally qualifies as both an SM and JSON patch: {text}"),
        )),
        (None, None) => Err(error(
            kt,
            ptr,
            format!("unable to parse SM or JSON patch from {text}"),
        )),
        (Some(patches), None) => {
            let allow_name = p.options.get("allowNameChange").copied().unwrap_or(false);
            let allow_kind = p.options.get("allowKindChange").copied().unwrap_or(false);
            if let Some(target) = &p.target {
                if patches.len() > 1 {
                    return Err(error(
                        kt,
                        ptr,
                        "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                    ));
                }
                let m = Matcher::new(target).map_err(|e| error(kt, ptr, e))?;
                let hits: Vec<usize> = (0..ra.resmap.len())
                    .filter(|&i| ra.resmap.get(i).is_some_and(|r| m.matches(r)))
                    .collect();
                return apply_smp_to(
                    &mut ra.resmap,
                    &hits,
                    &patches[0],
                    &schema,
                    allow_name,
                    allow_kind,
                )
                .map_err(|e| error(kt, ptr, e));
            }
            for patch in &patches {
                let id = patch.org_id();
                let hits = ra.resmap.matching_any_id(|x| x.equals(&id));
                if hits.is_empty() {
                    return Err(error(
                        kt,
                        ptr,
                        format!(
                            "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
                        ),
                    ));
                }
                if hits.len() > 1 {
                    return Err(error(
                        kt,
                        ptr,
                        format!(
                            "multiple matches for Id {id}; failed to find unique target for patch {id}"
                        ),
                    ));
                }
                apply_smp_to(
                    &mut ra.resmap,
                    &hits,
                    patch,
                    &schema,
                    allow_name,
                    allow_kind,
                )
                .map_err(|e| error(kt, ptr, e))?;
            }
            Ok(())
        }
        (None, Some(ops)) => {
            let Some(target) = &p.target else {
                return Err(error(
                    kt,
                    ptr,
                    format!("must specify a target for JSON patch {text}"),
                ));
            };
            apply_ops(&mut ra.resmap, target, &ops, true).map_err(|e| error(kt, ptr, e))
        }
    }
}

/// `patchesJson6902`: JSON 6902 operations for a named target.
pub fn json6902(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
) -> Result<(), RenderError> {
    let Some(list) = kt.kust.patches_json6902.clone() else {
        return Ok(());
    };
    for (i, p) in list.iter().enumerate() {
        apply_json6902_patch(b, kt, ra, p, &format!("/patchesJson6902/{i}"))?;
    }
    Ok(())
}

pub fn apply_json6902_patch(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    p: &Patch,
    ptr: &str,
) -> Result<(), RenderError> {
    let Some(target) = &p.target else {
        return Err(error(
            kt,
            ptr,
            format!("must specify a target for patch {}", p.patch),
        ));
    };
    if target.name.is_empty() {
        return Err(error(kt, ptr, "must specify the target name"));
    }
    if p.path.is_empty() && p.patch.is_empty() {
        return Err(error(kt, ptr, "empty file path and empty jsonOp"));
    }
    if !p.path.is_empty() && !p.patch.is_empty() {
        return Err(error(
            kt,
            ptr,
            "must specify a file path or jsonOp, not both",
        ));
    }
    let (text, _) = patch_text(b, kt, p, ptr)?;
    let Some(ops) = json_ops(&text) else {
        return Err(error(
            kt,
            ptr,
            format!("decoding {text}: not a list of JSON patch operations"),
        ));
    };
    if ops.as_seq().is_some_and(|s| s.is_empty()) {
        return Err(error(
            kt,
            ptr,
            format!("patch appears to be empty; file={}, JsonOp={text}", p.path),
        ));
    }
    apply_ops(&mut ra.resmap, target, &ops, false).map_err(|e| error(kt, ptr, e))
}

fn apply_ops(
    rm: &mut ResMap,
    target: &super::kustomization::Selector,
    ops: &Value,
    store_previous: bool,
) -> Result<(), String> {
    let m = Matcher::new(target)?;
    let hits: Vec<usize> = (0..rm.len())
        .filter(|&i| rm.get(i).is_some_and(|r| m.matches(r)))
        .collect();
    for i in hits {
        if let Some(r) = rm.get_mut(i) {
            if store_previous {
                r.store_previous_id();
            }
            apply_json6902(&mut r.value, ops).map_err(|e| e.0)?;
        }
    }
    Ok(())
}

/// kustomize's `ApplySmPatch`: the patch takes each target's apiVersion,
/// kind, name and namespace are restored afterwards unless allowed to change,
/// and a patch that empties a resource removes it.
fn apply_smp_to(
    rm: &mut ResMap,
    hits: &[usize],
    patch: &Res,
    schema: &MergeSchema,
    allow_name: bool,
    allow_kind: bool,
) -> Result<(), String> {
    let mut removed = Vec::new();
    for &i in hits {
        let Some(r) = rm.get_mut(i) else { continue };
        let mut p = patch.value.clone();
        if let (Some(pm), Some(api)) = (p.as_map_mut(), r.value.get("apiVersion").cloned()) {
            pm.insert("apiVersion", api);
        }
        let (name, ns, kind) = (
            r.name().to_owned(),
            r.namespace().to_owned(),
            r.kind().to_owned(),
        );
        if allow_name || allow_kind {
            r.store_previous_id();
        }
        match apply_smp(&mut r.value, &p, schema).map_err(|e| e.0)? {
            SmpOutcome::Deleted => {
                removed.push(i);
                continue;
            }
            SmpOutcome::Patched => {}
        }
        if r.value.as_map().is_none_or(|m| m.is_empty()) {
            removed.push(i);
            continue;
        }
        if let (Some(origin), Some(written)) = (&patch.origin, &patch.source) {
            r.patches.push((origin.clone(), written.clone()));
        }
        if !allow_kind {
            r.set_kind(&kind);
        }
        if !allow_name {
            r.set_name(&name);
        }
        r.set_namespace(&ns);
    }
    if !removed.is_empty() {
        let list: Vec<Res> = std::mem::take(rm)
            .into_vec()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
            .map(|(_, r)| r)
            .collect();
        rm.replace_all(list);
    }
    Ok(())
}
