//! Golden cases for the patch engine: each `fixtures/render/patch/<case>/input`
//! is a kustomization using only `resources` and patches, and `expected.yaml`
//! (or `expected.err`, a substring of the message) is what `kubectl kustomize
//! input/` (kustomize v5.5.0) printed for it.
//!
//! The harness applies the patches itself, in kustomize's order
//! (`patchesStrategicMerge`, `patches`, `patchesJson6902`), selecting targets by
//! plain string equality, and restores name, kind and namespace after each
//! strategic merge as kustomize does; the engine under test is
//! `drydock::render::patch`.

use std::fs;
use std::path::{Path, PathBuf};

use drydock::render::emit::emit_stream;
use drydock::render::patch::{MergeSchema, SmpOutcome, apply_json6902, apply_smp};
use drydock::source::FileId;
use drydock::yaml::resolve::Dialect;
use drydock::yaml::{LoadOptions, Map, Value, parse};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/render/patch")
}

fn parse_docs(text: &str, dialect: Dialect) -> Vec<Value> {
    let opts = LoadOptions {
        dialect,
        ..Default::default()
    };
    parse(FileId(0), text, &opts)
        .docs
        .into_iter()
        .map(|d| d.value)
        .collect()
}

/// Resources, kustomizations and strategic merge patches: read by kyaml (go-yaml v3).
fn docs(text: &str) -> Vec<Value> {
    parse_docs(text, Dialect::Kustomize)
}

/// JSON 6902 operations go through `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1):
/// `yes` is `true` there.
fn ops(text: &str) -> Value {
    parse_docs(text, Dialect::Kubectl)
        .into_iter()
        .next()
        .unwrap_or_default()
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))
}

fn str_field<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// `(group, version)` of an apiVersion.
fn group_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// Whether `res` is selected by a `target:` (kind, name, group, version, namespace).
fn selected(res: &Value, target: &Value) -> bool {
    let (group, version) = group_version(str_field(res, "/apiVersion"));
    let actual = [
        ("kind", str_field(res, "/kind")),
        ("name", str_field(res, "/metadata/name")),
        ("namespace", str_field(res, "/metadata/namespace")),
        ("group", group),
        ("version", version),
    ];
    actual.iter().all(|(field, value)| match target.get(field) {
        Some(Value::String(want)) => want.as_str() == *value,
        _ => true,
    })
}

/// What a strategic merge must leave alone unless allowed.
struct Identity {
    kind: Value,
    name: Value,
    namespace: Option<Value>,
}

fn identity(res: &Value) -> Identity {
    Identity {
        kind: res.get("kind").cloned().unwrap_or_default(),
        name: res.pointer("/metadata/name").cloned().unwrap_or_default(),
        namespace: res.pointer("/metadata/namespace").cloned(),
    }
}

fn restore(res: &mut Value, id: Identity) {
    let Value::Map(m) = res else { return };
    m.insert("kind", id.kind);
    if !matches!(m.get("metadata"), Some(Value::Map(_))) {
        m.insert("metadata", Value::Map(Map::new()));
    }
    if let Some(Value::Map(meta)) = m.get_mut("metadata") {
        meta.insert("name", id.name);
        match id.namespace {
            Some(ns) => {
                meta.insert("namespace", ns);
            }
            None => {
                meta.remove("namespace");
            }
        }
    }
}

fn smp(
    resources: &mut Vec<Value>,
    patch: &Value,
    target: Option<&Value>,
    schema: &MergeSchema,
) -> Result<(), String> {
    let (kind, name) = (
        str_field(patch, "/kind"),
        str_field(patch, "/metadata/name"),
    );
    let mut hits = 0;
    let mut i = 0;
    while i < resources.len() {
        let res = &mut resources[i];
        let hit = match target {
            Some(t) => selected(res, t),
            None => str_field(res, "/kind") == kind && str_field(res, "/metadata/name") == name,
        };
        if !hit {
            i += 1;
            continue;
        }
        hits += 1;
        let id = identity(res);
        match apply_smp(res, patch, schema).map_err(|e| e.0)? {
            SmpOutcome::Deleted => {
                resources.remove(i);
            }
            SmpOutcome::Patched => {
                restore(res, id);
                i += 1;
            }
        }
    }
    if hits == 0 && target.is_none() {
        return Err(format!(
            "no resource matches strategic merge patch {kind}/{name}"
        ));
    }
    Ok(())
}

fn json(resources: &mut [Value], ops: &Value, target: &Value) -> Result<(), String> {
    for res in resources.iter_mut().filter(|r| selected(r, target)) {
        apply_json6902(res, ops).map_err(|e| e.0)?;
    }
    Ok(())
}

/// The text of a `patches`/`patchesJson6902` entry: its file or inline patch.
fn patch_text(dir: &Path, entry: &Value) -> Result<String, String> {
    match (
        entry.get("path").and_then(Value::as_str),
        entry.get("patch").and_then(Value::as_str),
    ) {
        (Some(p), _) => read(dir, p),
        (None, Some(inline)) => Ok(inline.to_owned()),
        _ => Err("patch entry without path or patch".to_owned()),
    }
}

fn render(dir: &Path) -> Result<String, String> {
    let kust = docs(&read(dir, "kustomization.yaml")?)
        .into_iter()
        .next()
        .ok_or("empty kustomization")?;
    let list = |field: &str| {
        kust.get(field)
            .and_then(Value::as_seq)
            .unwrap_or(&[])
            .to_vec()
    };

    let mut resources = Vec::new();
    for r in list("resources") {
        resources.extend(docs(&read(
            dir,
            r.as_str().ok_or("resource is not a path")?,
        )?));
    }
    let custom;
    let schema = match kust.pointer("/openapi/path").and_then(Value::as_str) {
        Some(p) => {
            let doc = docs(&read(dir, p)?).into_iter().next().unwrap_or_default();
            custom = MergeSchema::with_openapi(&doc).map_err(|e| e.0)?;
            &custom
        }
        None => MergeSchema::builtin(),
    };

    for entry in list("patchesStrategicMerge") {
        let text = entry
            .as_str()
            .ok_or("patchesStrategicMerge entry is not a string")?;
        let text = if dir.join(text).is_file() {
            read(dir, text)?
        } else {
            text.to_owned()
        };
        for patch in docs(&text) {
            smp(&mut resources, &patch, None, schema)?;
        }
    }
    for entry in list("patches") {
        let text = patch_text(dir, &entry)?;
        let patches = docs(&text);
        let target = entry.get("target");
        match patches.first() {
            Some(Value::Seq(_)) => json(
                &mut resources,
                &ops(&text),
                target.ok_or("must specify a target for JSON patch")?,
            )?,
            _ => {
                for patch in &patches {
                    smp(&mut resources, patch, target, schema)?;
                }
            }
        }
    }
    for entry in list("patchesJson6902") {
        let ops = ops(&patch_text(dir, &entry)?);
        json(
            &mut resources,
            &ops,
            entry
                .get("target")
                .ok_or("patchesJson6902 entry without target")?,
        )?;
    }
    // kustomize strips its internal annotations at the end of a build, and an
    // `annotations` map left empty goes with them.
    for res in &mut resources {
        if let Some(Value::Map(meta)) = res.as_map_mut().and_then(|m| m.get_mut("metadata"))
            && meta
                .get("annotations")
                .and_then(Value::as_map)
                .is_some_and(Map::is_empty)
        {
            meta.remove("annotations");
        }
    }
    emit_stream(resources.iter()).map_err(|e| e.0)
}

#[test]
fn patch_goldens() {
    let mut names: Vec<PathBuf> = fs::read_dir(cases_dir())
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert!(
        names.len() >= 25,
        "expected the golden cases under {}",
        cases_dir().display()
    );
    let mut failures = Vec::new();
    for case in &names {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let got = render(&case.join("input"));
        let expected_yaml = fs::read_to_string(case.join("expected.yaml")).ok();
        let expected_err = fs::read_to_string(case.join("expected.err")).ok();
        match (got, expected_yaml, expected_err) {
            (Ok(out), Some(want), _) if out == want => {}
            (Err(msg), None, Some(want)) if msg.contains(want.trim()) => {}
            (got, want_yaml, want_err) => failures.push(format!(
                "--- {name}\nexpected: {}\ngot: {}",
                want_yaml
                    .or(want_err.map(|e| format!("error containing {e:?}")))
                    .unwrap_or_default(),
                match got {
                    Ok(out) => out,
                    Err(e) => format!("error: {e}"),
                }
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
