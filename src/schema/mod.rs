//! Kubernetes API schemas for releases 1.20 to 1.37, embedded and offline.
//!
//! The schemas come from `schemas/k8s-v1.20-v1.37.json.zst` (provenance and the
//! validation fixes applied to it: `schemas/README.md`). Everything is lazy: the bundle
//! is decompressed on first use, a version's JSON is parsed when that version is first
//! asked for, and a validator is compiled when its kind is first validated. All of it
//! is cached for the life of the process and shared across threads.
//!
//! ```no_run
//! use drydock::schema;
//!
//! let selected = schema::select("1.30").expect("a bundled version");
//! let schemas = schema::schemas(selected.version);
//! let deployment = schemas.gvk("apps/v1", "Deployment").expect("known kind");
//! let validator = schemas.validator(deployment, true).expect("compiles");
//! # let _ = validator;
//! ```

mod bundle;
pub mod formats;
pub mod removed;
pub mod strict;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Validator};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub use removed::{Release, Removal, deprecated, removed};

/// The bundled Kubernetes minor releases, oldest first.
pub const VERSIONS: &[&str] = &[
    "1.20", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27", "1.28", "1.29", "1.30", "1.31",
    "1.32", "1.33", "1.34", "1.35", "1.36", "1.37",
];

/// Minor number of `VERSIONS[0]`; the list is contiguous from there.
const OLDEST_MINOR: u16 = 20;

/// A bundled Kubernetes release (only [`select`] and [`Version::all`] make one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    index: u8,
}

impl Version {
    /// Every bundled version, oldest first.
    pub fn all() -> impl Iterator<Item = Version> {
        (0..VERSIONS.len()).map(|i| Version { index: i as u8 })
    }

    /// The newest bundled version.
    pub fn latest() -> Version {
        Version {
            index: (VERSIONS.len() - 1) as u8,
        }
    }

    /// The minor number: 30 for 1.30.
    pub fn minor(self) -> u16 {
        OLDEST_MINOR + u16::from(self.index)
    }

    /// `"1.30"`.
    pub fn as_str(self) -> &'static str {
        VERSIONS[usize::from(self.index)]
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`select`]: the bundled version to validate against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub version: Version,
}

/// Picks the schema version for a requested Kubernetes version (patch releases
/// share their minor release's schemas).
///
/// Accepts `1.30`, `1.30.2`, `v1.30` and `latest`. A release outside the bundle is an
/// error that lists the bundled ones: validating against another release's schemas
/// would report removed or added kinds wrongly.
pub fn select(requested: &str) -> Result<Selected, String> {
    let text = requested.trim();
    if text.eq_ignore_ascii_case("latest") {
        return Ok(Selected {
            version: Version::latest(),
        });
    }
    let invalid = || {
        format!(
            "invalid Kubernetes version `{requested}`: expected a version such as 1.30, 1.30.2, v1.30 or latest"
        )
    };
    let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let mut parts = digits.split('.');
    let number = |p: Option<&str>| -> Option<u16> {
        let p = p?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (Some(major), Some(minor)) = (number(parts.next()), number(parts.next())) else {
        return Err(invalid());
    };
    match parts.next() {
        None => {}
        Some(patch) if number(Some(patch)).is_some() && parts.next().is_none() => {}
        Some(_) => return Err(invalid()),
    }
    if major != 1 {
        return Err(format!(
            "unsupported Kubernetes version `{requested}`: only 1.x releases exist"
        ));
    }
    let latest = Version::latest();
    if minor < OLDEST_MINOR {
        return Err(format!(
            "no schemas for Kubernetes 1.{minor}: the oldest bundled version is {}; bundled versions: {}",
            VERSIONS[0],
            VERSIONS.join(", ")
        ));
    }
    if minor > latest.minor() {
        return Err(format!(
            "no schemas for Kubernetes 1.{minor}: the newest bundled version is {latest}; bundled versions: {}",
            VERSIONS.join(", ")
        ));
    }
    Ok(Selected {
        version: Version {
            index: (minor - OLDEST_MINOR) as u8,
        },
    })
}

/// A kind served by a version, and the definition that describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaRef {
    /// `apps/v1`, or `v1` for the core group.
    pub api_version: String,
    pub kind: String,
    /// Definition name, e.g. `io.k8s.api.apps.v1.Deployment`.
    pub definition: String,
    /// Position in [`VersionSchemas::refs`], which indexes the validator cache.
    index: usize,
}

/// Everything one version offers: definitions, the kinds it serves, and validators.
pub struct VersionSchemas {
    version: Version,
    defs: Map<String, Value>,
    /// Sorted by apiVersion, then kind.
    refs: Vec<SchemaRef>,
    by_kind: HashMap<String, Vec<usize>>,
    kinds: Vec<String>,
    api_versions: Vec<String>,
    /// Prepared definitions for lenient (0) and strict (1) validation.
    registries: [OnceLock<Result<Registry<'static>, String>>; 2],
    /// Per entry of `refs`: the lenient and the strict validator.
    validators: Vec<[OnceLock<Result<Validator, String>>; 2]>,
}

#[derive(Deserialize)]
struct RawVersion {
    defs: Map<String, Value>,
    gvk: BTreeMap<String, String>,
}

/// The schemas of one bundled version, parsed on first use.
pub fn schemas(version: Version) -> &'static VersionSchemas {
    static PARSED: OnceLock<Vec<OnceLock<VersionSchemas>>> = OnceLock::new();
    let slots = PARSED.get_or_init(|| VERSIONS.iter().map(|_| OnceLock::new()).collect());
    slots[usize::from(version.index)].get_or_init(|| match load(version) {
        Ok(schemas) => schemas,
        // The bundle is compiled in and every version is exercised by tests.
        Err(err) => panic!("embedded schemas for Kubernetes {version} are unreadable: {err}"),
    })
}

fn load(version: Version) -> Result<VersionSchemas, String> {
    let json = bundle::bundle()
        .version(version.as_str())
        .ok_or("not in the bundle")?;
    let raw: RawVersion = serde_json::from_slice(json).map_err(|e| e.to_string())?;

    let mut refs = Vec::with_capacity(raw.gvk.len());
    for (key, definition) in raw.gvk {
        let (api_version, kind) = key
            .rsplit_once('/')
            .ok_or_else(|| format!("malformed kind key `{key}`"))?;
        if !raw.defs.contains_key(&definition) {
            return Err(format!("{key} points at missing definition {definition}"));
        }
        refs.push(SchemaRef {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            definition,
            index: 0,
        });
    }
    refs.sort_by(|a, b| (&a.api_version, &a.kind).cmp(&(&b.api_version, &b.kind)));
    let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in refs.iter_mut().enumerate() {
        r.index = i;
        by_kind.entry(r.kind.clone()).or_default().push(i);
    }
    let kinds: BTreeSet<&str> = refs.iter().map(|r| r.kind.as_str()).collect();
    let api_versions: BTreeSet<&str> = refs.iter().map(|r| r.api_version.as_str()).collect();
    let kinds = kinds.into_iter().map(str::to_owned).collect();
    let api_versions = api_versions.into_iter().map(str::to_owned).collect();
    let validators = refs.iter().map(|_| Default::default()).collect();
    Ok(VersionSchemas {
        version,
        defs: raw.defs,
        refs,
        by_kind,
        kinds,
        api_versions,
        registries: Default::default(),
        validators,
    })
}

impl VersionSchemas {
    pub fn version(&self) -> Version {
        self.version
    }

    /// The schema of `kind` at `api_version` (`apps/v1`, `v1`), if this version serves it.
    pub fn gvk(&self, api_version: &str, kind: &str) -> Option<&SchemaRef> {
        self.by_kind
            .get(kind)?
            .iter()
            .map(|&i| &self.refs[i])
            .find(|r| r.api_version == api_version)
    }

    /// Every served apiVersion/kind, sorted by apiVersion then kind (List kinds included).
    pub fn refs(&self) -> &[SchemaRef] {
        &self.refs
    }

    /// Every served kind, sorted and without duplicates.
    pub fn kinds(&self) -> &[String] {
        &self.kinds
    }

    /// Every served apiVersion, sorted and without duplicates.
    pub fn api_versions(&self) -> &[String] {
        &self.api_versions
    }

    /// The apiVersions that serve `kind`, sorted.
    pub fn api_versions_of(&self, kind: &str) -> Vec<&str> {
        self.by_kind
            .get(kind)
            .map(|ids| {
                ids.iter()
                    .map(|&i| self.refs[i].api_version.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A definition as bundled (lenient, with its `x-kubernetes-*` annotations).
    pub fn definition(&self, name: &str) -> Option<&Value> {
        self.defs.get(name)
    }

    /// The compiled validator for a kind, built on first use and cached.
    ///
    /// `strict` rejects keys the schema does not declare (see [`strict`]).
    pub fn validator(&self, schema: &SchemaRef, strict: bool) -> Result<&Validator, String> {
        let slot = self
            .validators
            .get(schema.index)
            .filter(|_| self.refs.get(schema.index) == Some(schema))
            .ok_or_else(|| {
                format!(
                    "{}/{} is not a kind of Kubernetes {}",
                    schema.api_version, schema.kind, self.version
                )
            })?;
        slot[usize::from(strict)]
            .get_or_init(|| self.compile(&schema.definition, strict))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn registry(&self, strict: bool) -> Result<&Registry<'static>, String> {
        self.registries[usize::from(strict)]
            .get_or_init(|| {
                let defs = strict::prepare_defs(&self.defs, strict);
                Registry::new()
                    .draft(Draft::Draft4)
                    .add(self.uri(strict), defs)
                    .and_then(|builder| builder.prepare())
                    .map_err(|e| format!("schema registry for Kubernetes {}: {e}", self.version))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn uri(&self, strict: bool) -> String {
        let mode = if strict { "strict" } else { "lenient" };
        format!(
            "https://schemas.drydock.invalid/k8s/v{}/{mode}",
            self.version
        )
    }

    fn compile(&self, definition: &str, strict: bool) -> Result<Validator, String> {
        let registry = self.registry(strict)?;
        let root = json!({"$ref": format!("{}#/$defs/{definition}", self.uri(strict))});
        let mut options = jsonschema::options()
            .with_draft(Draft::Draft4)
            .with_registry(registry)
            .should_validate_formats(true);
        for (name, check) in formats::CHECKERS {
            options = options.with_format(name, check);
        }
        options.build(&root).map_err(|e| {
            format!(
                "compiling {definition} for Kubernetes {}: {e}",
                self.version
            )
        })
    }
}

/// Compiles a standalone schema (a custom resource's) with the same draft and
/// format checkers as the bundled ones.
pub fn compile_custom(schema: &Value) -> Result<Validator, String> {
    let mut options = jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true);
    for (name, check) in formats::CHECKERS {
        options = options.with_format(name, check);
    }
    options.build(schema).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
