//! Builtin transformers and generators configured as objects in a
//! kustomization's `transformers`, `generators` and `validators` lists
//! (`apiVersion: builtin`, `kind: PrefixTransformer`, ...). They run the same
//! code as the kustomization fields. Exec, container and Go plugins are not
//! supported: drydock runs no external code.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::RenderError;
use super::fieldspec::FieldSpec;
use super::generators;
use super::kustomization::{
    self, GeneratorArgs, GeneratorOptions, Image, Patch, ReplacementField, Replica, Selector,
};
use super::res::Res;
use super::target::{Accumulator, Builder, KustTarget};
use super::transformers::{
    annotations, hash_suffix, images, labels, namespace, prefix_suffix, replicas,
};
use crate::diagnostic::codes;
use crate::yaml::Value;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AffixConfig {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
    #[serde(default)]
    field_specs: Vec<FieldSpec>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct MapConfig {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    field_specs: Vec<FieldSpec>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NamespaceConfig {
    #[serde(default)]
    metadata: kustomization::ObjectMeta,
    #[serde(default)]
    field_specs: Vec<FieldSpec>,
    #[serde(default)]
    unset_only: bool,
    #[serde(default)]
    set_role_binding_subjects: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ImageConfig {
    #[serde(default)]
    image_tag: Image,
    #[serde(default)]
    field_specs: Vec<FieldSpec>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ReplicaConfig {
    #[serde(default)]
    replica: Replica,
    #[serde(default)]
    field_specs: Vec<FieldSpec>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PatchConfig {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub patch: String,
    pub target: Option<Selector>,
    #[serde(default)]
    pub options: BTreeMap<String, bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SmpConfig {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub patches: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Json6902Config {
    pub target: Option<Selector>,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub json_op: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ReplacementConfig {
    #[serde(default)]
    replacements: Vec<ReplacementField>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GeneratorConfig {
    #[serde(flatten)]
    args: GeneratorArgs,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IamConfig {
    #[serde(default)]
    cloud: String,
    #[serde(default)]
    kubernetes_service: IamK8sService,
    #[serde(default)]
    service_account: IamServiceAccount,
}

#[derive(Deserialize, Default)]
struct IamK8sService {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IamServiceAccount {
    #[serde(default)]
    name: String,
    #[serde(default)]
    project_id: String,
}

/// kustomize's IAMPolicyGenerator: a ServiceAccount bound to a cloud
/// identity (only GKE workload identity exists).
fn iam_service_account(c: &IamConfig) -> Result<Res, String> {
    if c.cloud != "gke" {
        return Err(format!("cloud provider {} not supported yet", c.cloud));
    }
    let mut annotations = crate::yaml::Map::new();
    annotations.insert(
        "iam.gke.io/gcp-service-account",
        Value::from(
            format!(
                "{}@{}.iam.gserviceaccount.com",
                c.service_account.name, c.service_account.project_id
            )
            .as_str(),
        ),
    );
    let mut meta = crate::yaml::Map::new();
    meta.insert("annotations", Value::Map(annotations));
    meta.insert("name", Value::from(c.kubernetes_service.name.as_str()));
    if !c.kubernetes_service.namespace.is_empty() {
        meta.insert(
            "namespace",
            Value::from(c.kubernetes_service.namespace.as_str()),
        );
    }
    let mut obj = crate::yaml::Map::new();
    obj.insert("apiVersion", Value::from("v1"));
    obj.insert("kind", Value::from("ServiceAccount"));
    obj.insert("metadata", Value::Map(meta));
    Ok(Res::new(Value::Map(obj), None))
}

fn config<T: serde::de::DeserializeOwned + Default>(cfg: &Res) -> Result<T, String> {
    // Plugin configurations are decoded leniently: unknown fields are ignored.
    let mut v = cfg.value.clone();
    if let Some(m) = v.as_map_mut() {
        m.remove("apiVersion");
        m.remove("kind");
        if let Some(Value::Map(meta)) = m.get_mut("metadata") {
            meta.remove("name");
            meta.remove("annotations");
            meta.remove("labels");
        }
    }
    serde_json::from_value(v.to_json()).map_err(|e| e.to_string())
}

fn is_builtin(cfg: &Res) -> bool {
    let api = cfg
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    api == "builtin" || api.starts_with("builtin/")
}

fn unsupported(cfg: &Res, kt: &KustTarget, ptr: &str) -> RenderError {
    let id = cfg.cur_id();
    let message = if is_builtin(cfg) {
        format!("unable to load builtin {}", id.gvk)
    } else {
        format!(
            "external plugins disabled; unable to load external plugin '{}': drydock does not run exec, container or Go plugins",
            id.gvk.kind
        )
    };
    RenderError {
        code: &codes::RENDER_UNSUPPORTED,
        message,
        location: kt.at(ptr),
    }
}

/// Runs a builtin generator configuration.
pub fn generate(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    cfg: &Res,
    ptr: &str,
) -> Result<(), RenderError> {
    if !is_builtin(cfg) {
        return Err(unsupported(cfg, kt, ptr));
    }
    let e = |m: String| super::RenderError {
        code: &codes::RENDER_ERROR,
        message: m,
        location: kt.at(ptr),
    };
    let kind = match cfg.kind() {
        "ConfigMapGenerator" => generators::Kind::ConfigMap,
        "SecretGenerator" => generators::Kind::Secret,
        "IAMPolicyGenerator" => {
            let c: IamConfig = config(cfg).map_err(e)?;
            let mut res = iam_service_account(&c).map_err(e)?;
            note_generator(kt, cfg, &mut res);
            return ra.resmap.absorb(res).map_err(e);
        }
        _ => return Err(unsupported(cfg, kt, ptr)),
    };
    let mut c: GeneratorConfig = config(cfg).map_err(e)?;
    if c.args.name.is_empty() {
        c.args.name = cfg.name().to_owned();
    }
    if c.args.namespace.is_empty() {
        c.args.namespace = cfg.namespace().to_owned();
    }
    let opts: GeneratorOptions = kustomization::merge_options(c.args.options.as_ref(), None);
    let mut read = |rel: &str| b.read_bytes(kt, rel);
    let mut res = generators::generate(kind, &c.args, &opts, &mut read).map_err(e)?;
    note_generator(kt, cfg, &mut res);
    ra.resmap.absorb(res).map_err(e)
}

/// Records the configuration object as the origin of what it generated.
fn note_generator(kt: &KustTarget, cfg: &Res, res: &mut Res) {
    if kt.origin.is_some() {
        if let Some(by) = super::build_metadata::Configured::from_config(cfg) {
            super::build_metadata::set_generated_origin(res, &by);
        }
    }
}

/// Runs a builtin transformer configuration.
pub fn transform(
    b: &mut Builder<'_>,
    kt: &KustTarget,
    ra: &mut Accumulator,
    cfg: &Res,
    ptr: &str,
) -> Result<(), RenderError> {
    if !is_builtin(cfg) {
        return Err(unsupported(cfg, kt, ptr));
    }
    let e = |m: String| RenderError {
        code: &codes::RENDER_ERROR,
        message: m,
        location: kt.at(ptr),
    };
    let rm = &mut ra.resmap;
    match cfg.kind() {
        "PrefixTransformer" | "SuffixTransformer" | "PrefixSuffixTransformer" => {
            let c: AffixConfig = config(cfg).map_err(e)?;
            prefix_suffix::apply(rm, prefix_suffix::Affix::Prefix, &c.prefix, &c.field_specs)
                .map_err(e)?;
            prefix_suffix::apply(rm, prefix_suffix::Affix::Suffix, &c.suffix, &c.field_specs)
                .map_err(e)
        }
        "LabelTransformer" => {
            let c: MapConfig = config(cfg).map_err(e)?;
            let pairs: Vec<(String, String)> = c.labels.into_iter().collect();
            labels::apply(rm, &pairs, &c.field_specs).map_err(e)
        }
        "AnnotationsTransformer" => {
            let c: MapConfig = config(cfg).map_err(e)?;
            let pairs: Vec<(String, String)> = c.annotations.into_iter().collect();
            annotations::apply(rm, &pairs, &c.field_specs).map_err(e)
        }
        "NamespaceTransformer" => {
            let c: NamespaceConfig = config(cfg).map_err(e)?;
            let mode =
                namespace::Subjects::parse(&c.set_role_binding_subjects).ok_or_else(|| {
                    e(format!(
                        "invalid value for setRoleBindingSubjects: {}",
                        c.set_role_binding_subjects
                    ))
                })?;
            namespace::apply(
                rm,
                &c.metadata.namespace,
                &c.field_specs,
                mode,
                c.unset_only,
            )
            .map_err(e)
        }
        "ImageTagTransformer" => {
            let c: ImageConfig = config(cfg).map_err(e)?;
            images::apply(rm, &c.image_tag, &c.field_specs).map_err(e)
        }
        "ReplicaCountTransformer" => {
            let c: ReplicaConfig = config(cfg).map_err(e)?;
            replicas::apply(rm, &c.replica, &c.field_specs).map_err(e)
        }
        "HashTransformer" => {
            hash_suffix::apply(rm);
            Ok(())
        }
        "PatchTransformer" => {
            let c: PatchConfig = config(cfg).map_err(e)?;
            let p = Patch {
                path: c.path,
                patch: c.patch,
                target: c.target,
                options: c.options,
            };
            super::patches::apply_patch(b, kt, ra, &p, ptr)
        }
        "PatchStrategicMergeTransformer" => {
            let c: SmpConfig = config(cfg).map_err(e)?;
            super::patches::apply_strategic_merge(b, kt, ra, &c.paths, &c.patches, ptr)
        }
        "PatchJson6902Transformer" => {
            let c: Json6902Config = config(cfg).map_err(e)?;
            let p = Patch {
                path: c.path,
                patch: c.json_op,
                target: c.target,
                options: BTreeMap::new(),
            };
            super::patches::apply_json6902_patch(b, kt, ra, &p, ptr)
        }
        "ReplacementTransformer" => {
            let c: ReplacementConfig = config(cfg).map_err(e)?;
            super::replacements::apply_list(b, kt, ra, &c.replacements, ptr)
        }
        _ => Err(unsupported(cfg, kt, ptr)),
    }
}
