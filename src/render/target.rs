//! Building one kustomization: its resources (recursively), generators,
//! components and transformers, in kustomize's order.

use std::path::{Path, PathBuf};

use super::build_metadata::{self, Configured};
use super::fieldspec::{self, FieldSpec, TransformerConfig};
use super::generators;
use super::kustomization::{self, Kustomization, merge_options};
use super::loader::{self, LoadError, Root};
use super::patch::MergeSchema;
use super::res::Res;
use super::resmap::ResMap;
use super::transformers::{annotations, images, labels, namespace, prefix_suffix, replicas};
use super::{BuildOptions, RenderError};
use crate::diagnostic::{Location, Severity, codes};
use crate::resource::Origin;
use crate::source::{FileId, Sources};
use crate::yaml::resolve::Dialect;
use crate::yaml::{DocSpan, LoadOptions, Str, Value};

/// A kustomization file, loaded and decoded.
pub struct KustTarget {
    pub root: Root,
    pub kust: Kustomization,
    pub file: FileId,
    pub doc: Option<DocSpan>,
    /// The kustomization file's name (`kustomization.yaml`, ...).
    pub file_name: String,
    /// This kustomization's directory relative to the build root, when
    /// provenance is tracked (`buildMetadata`).
    pub origin: Option<String>,
}

impl KustTarget {
    /// The location of a field of the kustomization file.
    pub fn at(&self, pointer: &str) -> Location {
        match self.doc {
            Some(doc) => Location::Pointer {
                doc,
                pointer: pointer.to_owned(),
                target: crate::diagnostic::Target::Value,
            },
            None => Location::File(self.file),
        }
    }
}

/// What a kustomization and the ones it includes accumulate.
#[derive(Default)]
pub struct Accumulator {
    pub resmap: ResMap,
    pub config: TransformerConfig,
    pub vars: Vec<kustomization::Var>,
}

impl Accumulator {
    pub fn new() -> Accumulator {
        Accumulator {
            resmap: ResMap::new(),
            config: TransformerConfig::default(),
            vars: Vec::new(),
        }
    }

    fn merge(&mut self, other: Accumulator) -> Result<(), String> {
        self.resmap.append_all(other.resmap)?;
        self.config.merge(&other.config)?;
        self.merge_vars(other.vars)
    }

    fn merge_vars(&mut self, vars: Vec<kustomization::Var>) -> Result<(), String> {
        for v in vars {
            if self.vars.iter().any(|x| x.name == v.name) {
                return Err(format!("var '{}' already encountered", v.name));
            }
            self.vars.push(v);
        }
        Ok(())
    }
}

pub struct Builder<'a> {
    pub sources: &'a mut Sources,
    seen: Vec<(PathBuf, FileId)>,
    pub opts: BuildOptions,
    pub warnings: Vec<String>,
    /// Absolute roots being built, outermost first.
    stack: Vec<PathBuf>,
    /// The schema for strategic-merge keys (kustomize's global `openapi`).
    schema: Option<std::sync::Arc<MergeSchema>>,
    schema_set: bool,
    /// A resource of a kind the builtin schema does not know has been loaded:
    /// a custom schema set after that keeps the builtin definitions too.
    custom_kind_seen: bool,
}

/// The merge schema in use: kustomize's builtin one, or a user's `openapi`.
pub enum SchemaHandle {
    Builtin,
    Custom(std::sync::Arc<MergeSchema>),
}

impl std::ops::Deref for SchemaHandle {
    type Target = MergeSchema;
    fn deref(&self) -> &MergeSchema {
        match self {
            SchemaHandle::Builtin => MergeSchema::builtin(),
            SchemaHandle::Custom(s) => s,
        }
    }
}

fn err(message: impl Into<String>, location: Location) -> RenderError {
    RenderError {
        code: &codes::RENDER_ERROR,
        message: message.into(),
        location,
    }
}

impl<'a> Builder<'a> {
    /// The absolute paths of the files read so far.
    pub fn files_read(&self) -> Vec<PathBuf> {
        self.seen.iter().map(|(p, _)| p.clone()).collect()
    }

    pub fn new(sources: &'a mut Sources, opts: BuildOptions) -> Self {
        Builder {
            sources,
            seen: Vec::new(),
            opts,
            warnings: Vec::new(),
            stack: Vec::new(),
            schema: None,
            schema_set: false,
            custom_kind_seen: false,
        }
    }

    pub fn schema(&self) -> SchemaHandle {
        match &self.schema {
            Some(s) => SchemaHandle::Custom(s.clone()),
            None => SchemaHandle::Builtin,
        }
    }

    /// kustomize keeps one schema per build: the root's `openapi`, else the
    /// first one met while descending.
    pub fn set_schema(&mut self, kt: &KustTarget, root: bool) -> Result<(), RenderError> {
        if self.schema_set && !root {
            return Ok(());
        }
        let Some(openapi) = &kt.kust.open_api else {
            return Ok(());
        };
        let path = openapi.get("path");
        let version = openapi.get("version");
        if path.is_some() && version.is_some() {
            return Err(err(
                "builtin version and custom schema provided, cannot use both",
                kt.at("/openapi"),
            ));
        }
        if let Some(v) = version {
            if v != "v1.21.2" {
                return Err(err(
                    "the specified OpenAPI version is not built in",
                    kt.at("/openapi/version"),
                ));
            }
            self.schema = None;
            self.schema_set = true;
            return Ok(());
        }
        let Some(path) = path else { return Ok(()) };
        let file = self
            .read_source(kt, path)
            .map_err(|e| err(e, kt.at("/openapi/path")))?;
        let text = self.sources.get(file).text.clone();
        let parsed = crate::yaml::parse(file, &text, &LoadOptions::default());
        let doc = parsed
            .docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or_default();
        let schema = if self.custom_kind_seen {
            MergeSchema::with_openapi_and_builtin(&doc)
        } else {
            MergeSchema::with_openapi(&doc)
        }
        .map_err(|e| err(format!("{e:?}"), kt.at("/openapi/path")))?;
        self.schema = Some(std::sync::Arc::new(schema));
        self.schema_set = true;
        Ok(())
    }

    /// Shows an absolute path as messages should (the harness may map it).
    pub fn show(&self, p: &Path) -> String {
        match &self.opts.path_display {
            Some((from, to)) => match p.strip_prefix(from) {
                Ok(rest) => to.join(rest).display().to_string(),
                Err(_) => p.display().to_string(),
            },
            None => p.display().to_string(),
        }
    }

    pub fn load_kustomization(&mut self, root: &Root) -> Result<KustTarget, RenderError> {
        let present: Vec<&str> = kustomization::FILE_NAMES
            .iter()
            .copied()
            .filter(|f| root.abs.join(f).is_file())
            .collect();
        let name = match present.as_slice() {
            [] => {
                return Err(RenderError {
                    code: &codes::KUSTOMIZATION_NOT_FOUND,
                    message: format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        self.show(&root.abs)
                    ),
                    location: Location::None,
                });
            }
            [one] => *one,
            _ => {
                return Err(RenderError {
                    code: &codes::KUSTOMIZATION_INVALID,
                    message: format!(
                        "Found multiple kustomization files under: {}",
                        self.show(&root.abs)
                    ),
                    location: Location::None,
                });
            }
        };
        let display = root.display.join(name);
        let abs = root.abs.join(name);
        let file = loader::read(self.sources, &mut self.seen, &display, &abs)
            .map_err(|e| err(e.message(), Location::None))?;
        let text = self.sources.get(file).text.clone();
        let kust_opts = LoadOptions {
            lints: false,
            allow_duplicate_keys: true,
            ..LoadOptions::default()
        };
        let parsed = crate::yaml::parse(file, &text, &kust_opts);
        if let Some(d) = parsed
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
        {
            return Err(RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: format!("invalid Kustomization: {}", d.message),
                location: d.location.clone(),
            });
        }
        let (value, doc) = match parsed.docs.into_iter().next() {
            Some(d) => (d.value, Some(d.span)),
            None => (Value::Map(Default::default()), None),
        };
        let mut kt = KustTarget {
            root: root.clone(),
            kust: Kustomization::default(),
            file,
            doc,
            file_name: name.to_owned(),
            origin: None,
        };
        if !matches!(value, Value::Map(_)) {
            return Err(RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: "invalid Kustomization: json: cannot unmarshal non-object into Go value of type types.Kustomization".to_owned(),
                location: kt.at(""),
            });
        }
        let mut kust: Kustomization =
            kustomization::decode(&value, "Kustomization").map_err(|e| RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: e.message,
                location: kt.at(&e.pointer),
            })?;
        check_field_specs(&value).map_err(|(field, pointer)| RenderError {
            code: &codes::KUSTOMIZATION_INVALID,
            message: format!("invalid Kustomization: json: unknown field \"{field}\""),
            location: kt.at(&pointer),
        })?;
        self.warnings
            .extend(kust.deprecation_warnings().into_iter().map(str::to_owned));
        kust.fix();
        if !has_content(&value) {
            return Err(RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: "kustomization.yaml is empty".to_owned(),
                location: kt.at(""),
            });
        }
        let errs = kust.field_errors();
        if !errs.is_empty() {
            return Err(RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: format!(
                    "Failed to read kustomization file under {}:\n{}",
                    self.show(&root.abs),
                    errs.join("\n")
                ),
                location: kt.at("/apiVersion"),
            });
        }
        for (field, present) in [
            ("helmCharts", kust.helm_charts.is_some()),
            ("helmGlobals", kust.helm_globals.is_some()),
            (
                "helmChartInflationGenerator",
                kust.helm_chart_inflation_generator.is_some(),
            ),
        ] {
            if present {
                return Err(RenderError {
                    code: &codes::RENDER_UNSUPPORTED,
                    message: format!(
                        "`{field}` runs helm, which drydock does not do; render the chart first and list its output in `resources`"
                    ),
                    location: kt.at(&format!("/{field}")),
                });
            }
        }
        kt.kust = kust;
        Ok(kt)
    }

    /// Builds a kustomization and everything it includes.
    pub fn accumulate_target(
        &mut self,
        kt: &KustTarget,
        mut ra: Accumulator,
    ) -> Result<Accumulator, RenderError> {
        self.stack.push(kt.root.abs.clone());
        let result = (|| {
            let resources = kt.kust.resources.clone();
            self.accumulate_resources(kt, &mut ra, &resources, "/resources")?;
            let mut files = Vec::new();
            for (i, path) in kt.kust.configurations.iter().enumerate() {
                files.push(self.load_config(kt, path, &format!("/configurations/{i}"))?);
            }
            let cfg = TransformerConfig::with_defaults(files)
                .map_err(|e| err(e, kt.at("/configurations")))?;
            ra.config
                .merge(&cfg)
                .map_err(|e| err(e, kt.at("/configurations")))?;
            for (i, path) in kt.kust.crds.iter().enumerate() {
                let cfg = self.load_crd_config(kt, path, &format!("/crds/{i}"))?;
                ra.config
                    .merge(&cfg)
                    .map_err(|e| err(e, kt.at(&format!("/crds/{i}"))))?;
            }
            self.run_generators(kt, &mut ra)?;
            let components = kt.kust.components.clone();
            for (i, path) in components.iter().enumerate() {
                ra = self.accumulate_directory(kt, ra, path, true, &format!("/components/{i}"))?;
            }
            self.run_transformers(kt, &mut ra)?;
            if let Some(vars) = &kt.kust.vars {
                super::vars::bind(&mut ra.resmap, vars).map_err(|e| err(e, kt.at("/vars")))?;
                ra.merge_vars(vars.clone())
                    .map_err(|e| err(e, kt.at("/vars")))?;
            }
            Ok(ra)
        })();
        self.stack.pop();
        result
    }

    fn accumulate_resources(
        &mut self,
        kt: &KustTarget,
        ra: &mut Accumulator,
        paths: &[String],
        field: &str,
    ) -> Result<(), RenderError> {
        for (i, path) in paths.iter().enumerate() {
            let ptr = format!("{field}/{i}");
            if loader::is_remote(path) {
                return Err(RenderError {
                    code: &codes::RENDER_UNSUPPORTED,
                    message: format!(
                        "remote resource '{path}': drydock never fetches from the network; vendor it and list the local copy"
                    ),
                    location: kt.at(&ptr),
                });
            }
            match loader::resolve(&kt.root, path, self.opts.restrictor) {
                Ok((display, abs)) if abs.is_file() => {
                    let mut resources = self.load_resources(&display, &abs, kt, &ptr, path)?;
                    let builtin = MergeSchema::builtin();
                    self.custom_kind_seen = self.custom_kind_seen
                        || resources.iter().any(|r| {
                            let api = r.value.get("apiVersion").and_then(Value::as_str);
                            !builtin.knows_type(api.unwrap_or_default(), r.kind())
                        });
                    if let Some(origin) = &kt.origin {
                        let file = build_metadata::join(origin, path);
                        for r in &mut resources {
                            build_metadata::set_file_origin(r, &file);
                        }
                    }
                    for r in resources {
                        ra.resmap.append(r).map_err(|e| RenderError {
                            code: &codes::RENDER_DUPLICATE_ID,
                            message: format!("merging resources from '{path}': {e}"),
                            location: kt.at(&ptr),
                        })?;
                    }
                }
                Ok(_) => {
                    let taken = std::mem::take(ra);
                    *ra = self.accumulate_directory(kt, taken, path, false, &ptr)?;
                }
                Err(LoadError::Outside(m)) => {
                    // A directory outside the root is a base; only files are restricted.
                    let dir = kt.root.abs.join(path);
                    if dir.is_dir() {
                        let taken = std::mem::take(ra);
                        *ra = self.accumulate_directory(kt, taken, path, false, &ptr)?;
                    } else {
                        return Err(RenderError {
                            code: &codes::RENDER_PATH_ESCAPE,
                            message: format!("accumulating resources from '{path}': {m}"),
                            location: kt.at(&ptr),
                        });
                    }
                }
                Err(e) => {
                    return Err(RenderError {
                        code: &codes::RENDER_FILE_NOT_FOUND,
                        message: format!(
                            "accumulating resources: accumulation err='accumulating resources from '{path}': {}'",
                            self.show_message(e.message())
                        ),
                        location: kt.at(&ptr),
                    });
                }
            }
        }
        Ok(())
    }

    fn show_message(&self, m: &str) -> String {
        match &self.opts.path_display {
            Some((from, to)) => {
                let f = from.display().to_string();
                let t = to.display().to_string();
                let t = t.trim_end_matches('/');
                m.replace(&f, t)
            }
            None => m.to_owned(),
        }
    }

    fn accumulate_directory(
        &mut self,
        kt: &KustTarget,
        ra: Accumulator,
        path: &str,
        is_component: bool,
        ptr: &str,
    ) -> Result<Accumulator, RenderError> {
        let root = kt.root.child(path).map_err(|e| RenderError {
            code: &codes::RENDER_FILE_NOT_FOUND,
            message: format!("loader.New {path:?}: {e}"),
            location: kt.at(ptr),
        })?;
        if !root.abs.is_dir() {
            let message = if is_component {
                format!(
                    "loader.New \"must build at directory: '{}': file is not directory\"",
                    self.show(&root.abs)
                )
            } else {
                format!(
                    "must build at directory: '{}': file is not directory",
                    self.show(&root.abs)
                )
            };
            return Err(err(message, kt.at(ptr)));
        }
        if let Some(visited) = self.stack.iter().find(|v| v.starts_with(&root.abs)) {
            return Err(RenderError {
                code: &codes::RENDER_CYCLE,
                message: format!(
                    "cycle detected: candidate root '{}' contains visited root '{}'",
                    self.show(&root.abs),
                    self.show(visited)
                ),
                location: kt.at(ptr),
            });
        }
        let mut sub = self.load_kustomization(&root).map_err(|mut e| {
            if matches!(e.location, Location::None) {
                e.location = kt.at(ptr);
            }
            e
        })?;
        sub.origin = kt.origin.as_deref().map(|o| build_metadata::join(o, path));
        self.set_schema(&sub, false)?;
        let is_comp_kind = sub.kust.kind == kustomization::COMPONENT_KIND;
        if is_component && !is_comp_kind {
            return Err(err(
                format!(
                    "expected kind '{}' for path '{}' but got '{}'",
                    kustomization::COMPONENT_KIND,
                    self.show(&root.abs),
                    sub.kust.kind
                ),
                kt.at(ptr),
            ));
        }
        if !is_component && is_comp_kind {
            return Err(err(
                format!(
                    "expected kind != '{}' for path '{}'",
                    kustomization::COMPONENT_KIND,
                    self.show(&root.abs)
                ),
                kt.at(ptr),
            ));
        }
        if is_component {
            self.accumulate_target(&sub, ra)
        } else {
            let sub_ra = self.accumulate_target(&sub, Accumulator::new())?;
            let mut ra = ra;
            ra.merge(sub_ra).map_err(|e| RenderError {
                code: &codes::RENDER_DUPLICATE_ID,
                message: format!("recursed merging from path '{}': {e}", self.show(&root.abs)),
                location: kt.at(ptr),
            })?;
            Ok(ra)
        }
    }

    /// Reads a file of resources (kustomize's YAML rules) into objects.
    pub fn load_resources(
        &mut self,
        display: &Path,
        abs: &Path,
        kt: &KustTarget,
        ptr: &str,
        entry: &str,
    ) -> Result<Vec<Res>, RenderError> {
        let file = loader::read(self.sources, &mut self.seen, display, abs)
            .map_err(|e| err(e.message(), kt.at(ptr)))?;
        let text = self.sources.get(file).text.clone();
        parse_resources(file, &text).map_err(|(message, location)| RenderError {
            code: &codes::RENDER_ERROR,
            message: format!("accumulating resources from '{entry}': {message}"),
            location: location.unwrap_or_else(|| kt.at(ptr)),
        })
    }

    /// Reads a file relative to the kustomization (restrictor applied).
    pub fn read_bytes(&self, kt: &KustTarget, rel: &str) -> Result<Vec<u8>, String> {
        let (display, abs) = loader::resolve(&kt.root, rel, self.opts.restrictor)
            .map_err(|e| self.show_message(e.message()))?;
        if abs.is_dir() {
            return Err(format!("'{}' must resolve to a file", display.display()));
        }
        std::fs::read(&abs).map_err(|e| format!("cannot read '{}': {e}", display.display()))
    }

    /// Reads a file relative to the kustomization into the sources.
    pub fn read_source(&mut self, kt: &KustTarget, rel: &str) -> Result<FileId, String> {
        let (display, abs) = loader::resolve(&kt.root, rel, self.opts.restrictor)
            .map_err(|e| self.show_message(e.message()))?;
        loader::read(self.sources, &mut self.seen, &display, &abs)
            .map_err(|e| e.message().to_owned())
    }

    fn load_config(
        &mut self,
        kt: &KustTarget,
        path: &str,
        ptr: &str,
    ) -> Result<TransformerConfig, RenderError> {
        let file = self.read_source(kt, path).map_err(|e| err(e, kt.at(ptr)))?;
        let text = self.sources.get(file).text.clone();
        let opts = LoadOptions {
            lints: false,
            allow_duplicate_keys: true,
            ..LoadOptions::default()
        };
        let parsed = crate::yaml::parse(file, &text, &opts);
        let Some(doc) = parsed.docs.into_iter().next() else {
            return Ok(TransformerConfig::default());
        };
        kustomization::decode::<TransformerConfig>(&doc.value, "TransformerConfig").map_err(|e| {
            RenderError {
                code: &codes::KUSTOMIZATION_INVALID,
                message: e.message,
                location: Location::Pointer {
                    doc: doc.span,
                    pointer: e.pointer,
                    target: crate::diagnostic::Target::Value,
                },
            }
        })
    }

    fn load_crd_config(
        &mut self,
        kt: &KustTarget,
        path: &str,
        ptr: &str,
    ) -> Result<TransformerConfig, RenderError> {
        let file = self.read_source(kt, path).map_err(|e| err(e, kt.at(ptr)))?;
        let text = self.sources.get(file).text.clone();
        let parsed = crate::yaml::parse(file, &text, &LoadOptions::default());
        let mut cfg = TransformerConfig::default();
        for doc in parsed.docs {
            super::crds::config_from_crd(&doc.value, &mut cfg);
        }
        Ok(cfg)
    }

    fn run_generators(&mut self, kt: &KustTarget, ra: &mut Accumulator) -> Result<(), RenderError> {
        let global = kt.kust.generator_options.as_ref();
        let all =
            kt.kust
                .config_map_generator
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    (
                        generators::Kind::ConfigMap,
                        g,
                        format!("/configMapGenerator/{i}"),
                    )
                })
                .chain(
                    kt.kust.secret_generator.iter().enumerate().map(|(i, g)| {
                        (generators::Kind::Secret, g, format!("/secretGenerator/{i}"))
                    }),
                );
        for (kind, args, ptr) in all {
            let opts = merge_options(args.options.as_ref(), global);
            let mut read = |rel: &str| self.read_bytes(kt, rel);
            let mut res = generators::generate(kind, args, &opts, &mut read)
                .map_err(|e| err(e, kt.at(&ptr)))?;
            res.origin = kt.doc.map(|doc| Origin {
                doc,
                base: Str::from(ptr.as_str()),
            });
            if let Some(origin) = &kt.origin {
                let generator = match kind {
                    generators::Kind::ConfigMap => "ConfigMapGenerator",
                    generators::Kind::Secret => "SecretGenerator",
                };
                let by = Configured::builtin(origin, &kt.file_name, generator);
                build_metadata::set_generated_origin(&mut res, &by);
            }
            ra.resmap.absorb(res).map_err(|e| err(e, kt.at(&ptr)))?;
        }
        let gens = kt.kust.generators.clone();
        for (i, entry) in gens.iter().enumerate() {
            let ptr = format!("/generators/{i}");
            let configs = self.plugin_configs(kt, entry, &ptr)?;
            for cfg in configs {
                super::plugins::generate(self, kt, ra, &cfg, &ptr)?;
            }
        }
        Ok(())
    }

    /// The plugin configurations a `generators`/`transformers` entry names:
    /// inline YAML, a file, or a directory with a kustomization.
    pub fn plugin_configs(
        &mut self,
        kt: &KustTarget,
        entry: &str,
        ptr: &str,
    ) -> Result<Vec<Res>, RenderError> {
        // An entry that parses as objects is an inline configuration.
        if let Ok(mut rs) = parse_resources(kt.file, entry) {
            if !rs.is_empty() {
                if let Some(origin) = &kt.origin {
                    let file = build_metadata::join(origin, &kt.file_name);
                    for r in &mut rs {
                        build_metadata::set_file_origin(r, &file);
                    }
                }
                return Ok(rs);
            }
        }
        let mut ra = Accumulator::new();
        self.accumulate_resources(kt, &mut ra, &[entry.to_owned()], ptr)
            .map_err(|mut e| {
                e.location = kt.at(ptr);
                e
            })?;
        Ok(ra.resmap.into_vec())
    }

    fn run_transformers(
        &mut self,
        kt: &KustTarget,
        ra: &mut Accumulator,
    ) -> Result<(), RenderError> {
        // The transformers read the field specs while changing the objects;
        // lending them out avoids copying the tables once per kustomization.
        let cfg = std::mem::take(&mut ra.config);
        let result = self.apply_transformers(kt, ra, &cfg);
        ra.config = cfg;
        result
    }

    fn apply_transformers(
        &mut self,
        kt: &KustTarget,
        ra: &mut Accumulator,
        cfg: &TransformerConfig,
    ) -> Result<(), RenderError> {
        let k = &kt.kust;
        // Each configured builtin transformer is noted on every object when
        // provenance is tracked.
        let note = |ra: &mut Accumulator, kind: &str| {
            if let Some(origin) = &kt.origin {
                let by = Configured::builtin(origin, &kt.file_name, kind);
                build_metadata::record_transformer(&mut ra.resmap, &by);
            }
        };
        if k.patches_strategic_merge
            .as_ref()
            .is_some_and(|p| !p.is_empty())
        {
            super::patches::strategic_merge(self, kt, ra)?;
            note(ra, "PatchStrategicMergeTransformer");
        }
        for (i, p) in k.patches.iter().enumerate() {
            super::patches::apply_patch(self, kt, ra, p, &format!("/patches/{i}"))?;
            note(ra, "PatchTransformer");
        }
        let wrap = |ptr: &str| {
            let loc = kt.at(ptr);
            move |e: String| err(e, loc)
        };
        if !k.namespace.is_empty() {
            namespace::apply(
                &mut ra.resmap,
                &k.namespace,
                &cfg.namespace,
                namespace::Subjects::DefaultOnly,
                false,
            )
            .map_err(wrap("/namespace"))?;
            note(ra, "NamespaceTransformer");
        }
        if !k.name_prefix.is_empty() {
            prefix_suffix::apply(
                &mut ra.resmap,
                prefix_suffix::Affix::Prefix,
                &k.name_prefix,
                &cfg.name_prefix,
            )
            .map_err(wrap("/namePrefix"))?;
            note(ra, "PrefixTransformer");
        }
        if !k.name_suffix.is_empty() {
            prefix_suffix::apply(
                &mut ra.resmap,
                prefix_suffix::Affix::Suffix,
                &k.name_suffix,
                &cfg.name_suffix,
            )
            .map_err(wrap("/nameSuffix"))?;
            note(ra, "SuffixTransformer");
        }
        for (i, label) in k.labels.iter().enumerate() {
            let mut specs: Vec<FieldSpec> = label.fields.clone();
            let merged = if label.include_selectors {
                fieldspec::merge_all(&mut specs, &cfg.common_labels)
            } else {
                fieldspec::merge_one(&mut specs, FieldSpec::at("metadata/labels", true)).and_then(
                    |_| {
                        if label.include_templates {
                            fieldspec::merge_all(&mut specs, &cfg.template_labels)
                        } else {
                            Ok(())
                        }
                    },
                )
            };
            merged
                .and_then(|_| fieldspec::merge_all(&mut specs, &cfg.labels))
                .map_err(wrap(&format!("/labels/{i}")))?;
            let pairs: Vec<(String, String)> = label
                .pairs
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect();
            labels::apply(&mut ra.resmap, &pairs, &specs).map_err(wrap(&format!("/labels/{i}")))?;
            note(ra, "LabelTransformer");
        }
        let common_labels = k.common_labels.as_ref().filter(|c| !c.is_empty());
        if let Some(common) = common_labels {
            let pairs: Vec<(String, String)> =
                common.iter().map(|(a, b)| (a.clone(), b.clone())).collect();
            labels::apply(&mut ra.resmap, &pairs, &cfg.common_labels)
                .map_err(wrap("/commonLabels"))?;
        }
        // kustomize configures the commonLabels transformer, empty or not,
        // whenever any labels are given.
        if common_labels.is_some() || !k.labels.is_empty() {
            note(ra, "LabelTransformer");
        }
        if let Some(common) = k.common_annotations.as_ref().filter(|c| !c.is_empty()) {
            let pairs: Vec<(String, String)> =
                common.iter().map(|(a, b)| (a.clone(), b.clone())).collect();
            annotations::apply(&mut ra.resmap, &pairs, &cfg.common_annotations)
                .map_err(wrap("/commonAnnotations"))?;
            note(ra, "AnnotationsTransformer");
        }
        for (i, p) in k.patches_json6902.iter().flatten().enumerate() {
            super::patches::apply_json6902_patch(
                self,
                kt,
                ra,
                p,
                &format!("/patchesJson6902/{i}"),
            )?;
            note(ra, "PatchJson6902Transformer");
        }
        for (i, r) in k.replicas.iter().enumerate() {
            replicas::apply(&mut ra.resmap, r, &cfg.replicas)
                .map_err(wrap(&format!("/replicas/{i}")))?;
            note(ra, "ReplicaCountTransformer");
        }
        for (i, img) in k.images.iter().enumerate() {
            images::apply(&mut ra.resmap, img, &cfg.images)
                .map_err(wrap(&format!("/images/{i}")))?;
            note(ra, "ImageTagTransformer");
        }
        if !k.replacements.is_empty() {
            super::replacements::run(self, kt, ra)?;
            note(ra, "ReplacementTransformer");
        }
        let ts = k.transformers.clone();
        for (i, entry) in ts.iter().enumerate() {
            let ptr = format!("/transformers/{i}");
            let configs = self.plugin_configs(kt, entry, &ptr)?;
            for cfg in configs {
                super::plugins::transform(self, kt, ra, &cfg, &ptr)?;
                if kt.origin.is_some() {
                    if let Some(by) = Configured::from_config(&cfg) {
                        build_metadata::record_transformer(&mut ra.resmap, &by);
                    }
                }
            }
        }
        let vs = k.validators.clone();
        for (i, entry) in vs.iter().enumerate() {
            let ptr = format!("/validators/{i}");
            let configs = self.plugin_configs(kt, entry, &ptr)?;
            for cfg in configs {
                super::plugins::transform(self, kt, ra, &cfg, &ptr)?;
            }
        }
        Ok(())
    }
}

/// Field specs are decoded leniently (as `configurations` files are), so the
/// kustomization's own `labels[].fields` get kustomize's strict check here.
fn check_field_specs(kust: &Value) -> Result<(), (String, String)> {
    const KNOWN: &[&str] = &["group", "version", "kind", "path", "create"];
    for (i, label) in kust
        .get("labels")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        for (j, fs) in label
            .get("fields")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            for key in fs
                .as_map()
                .map(|m| m.keys().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    return Err((key.to_owned(), format!("/labels/{i}/fields/{j}/{key}")));
                }
            }
        }
    }
    Ok(())
}

/// Whether a kustomization sets anything: kustomize compares the decoded Go
/// struct with an empty one, so a field set to an empty list or map counts
/// while one set to null, `""`, 0 or false does not.
fn has_content(kust: &Value) -> bool {
    let Some(map) = kust.as_map() else {
        return false;
    };
    map.iter()
        .filter(|(k, _)| !matches!(*k, "apiVersion" | "kind"))
        .any(|(_, v)| match v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::BigInt(_) | Value::Seq(_) | Value::Map(_) => true,
        })
}

/// kustomize's Go-struct rendering of an object's identity in errors.
pub(crate) fn go_object(v: &Value) -> String {
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    let meta = v.get("metadata");
    let map = |key: &str| -> String {
        match meta.and_then(|m| m.get(key)) {
            Some(Value::Map(m)) => {
                let mut pairs: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", super::res::scalar_text(v)))
                    .collect();
                pairs.sort();
                pairs.join(" ")
            }
            _ => String::new(),
        }
    };
    format!(
        "{{{{{} {}}} {{{{{} {}}} map[{}] map[{}]}}}}",
        s(v.get("apiVersion")),
        s(v.get("kind")),
        s(meta.and_then(|m| m.get("name"))),
        s(meta.and_then(|m| m.get("namespace"))),
        map("labels"),
        map("annotations")
    )
}

/// Parses a resource file the way kustomize reads one: go-yaml v3 rules,
/// `*List` documents expanded (their items queued after the other
/// documents), and every object checked for a kind and a name.
pub fn parse_resources(file: FileId, text: &str) -> Result<Vec<Res>, (String, Option<Location>)> {
    let opts = LoadOptions {
        dialect: Dialect::Kustomize,
        lints: false,
        ..LoadOptions::default()
    };
    let parsed = crate::yaml::parse(file, text, &opts);
    if let Some(d) = parsed
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err((
            format!("MalformedYAMLError: {}", d.message),
            Some(d.location.clone()),
        ));
    }
    let mut queue: std::collections::VecDeque<(Value, Origin)> = parsed
        .docs
        .into_iter()
        .map(|d| {
            (
                d.value,
                Origin {
                    doc: d.span,
                    base: Str::default(),
                },
            )
        })
        .collect();
    let mut out = Vec::new();
    while let Some((value, origin)) = queue.pop_front() {
        let location = Location::Pointer {
            doc: origin.doc,
            pointer: origin.base.to_string(),
            target: crate::diagnostic::Target::Value,
        };
        let Value::Map(m) = &value else {
            return Err(("missing Resource metadata".to_owned(), Some(location)));
        };
        let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
        // A `*List` kind is a list only when it has `items`.
        if kind.ends_with("List") && m.contains_key("items") {
            match m.get("items") {
                None | Some(Value::Null) => continue,
                Some(Value::Seq(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        if item.is_null() {
                            continue;
                        }
                        let mut base = origin.base.to_string();
                        crate::pointer::push(&mut base, "items");
                        crate::pointer::push_index(&mut base, i);
                        queue.push_back((
                            item.clone(),
                            Origin {
                                doc: origin.doc,
                                base: base.into(),
                            },
                        ));
                    }
                    continue;
                }
                Some(other) => {
                    return Err((
                        format!(
                            "expected array for {kind}/items in {kind}, but got {}",
                            other.type_name()
                        ),
                        Some(location),
                    ));
                }
            }
        }
        if m.get("apiVersion").is_none() && m.get("kind").is_none() && m.get("metadata").is_none() {
            return Err(("missing Resource metadata".to_owned(), Some(location)));
        }
        if kind.is_empty() {
            return Err((
                format!("missing kind in object {}", go_object(&value)),
                Some(location),
            ));
        }
        let name = value
            .get("metadata")
            .and_then(|md| md.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() {
            return Err((
                format!("missing metadata.name in object {}", go_object(&value)),
                Some(location),
            ));
        }
        let source = std::sync::Arc::new(value.clone());
        let mut res = Res::new(value, Some(origin));
        res.source = Some(source);
        out.push(res);
    }
    Ok(out)
}
