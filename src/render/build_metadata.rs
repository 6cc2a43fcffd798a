//! `buildMetadata`: provenance annotations and the managed-by label.
//!
//! When the root kustomization lists any `buildMetadata` option, every object
//! carries `config.kubernetes.io/origin` (the file it came from, or the
//! generator that made it) and `alpha.config.kubernetes.io/transformations`
//! (each transformer that ran over it, in order) through the whole build, as
//! real annotations, because kustomize keeps them there too and later
//! transformers and patches see them. At the end, the ones the root did not
//! ask for are removed.

use super::res::Res;
use super::resmap::ResMap;
use crate::yaml::Value;

pub const ORIGIN: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// The object that configured a generator or transformer.
#[derive(Clone, Debug, PartialEq)]
pub struct Configured {
    /// The file that holds the configuration, relative to the build root.
    pub configured_in: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl Configured {
    /// A builtin generator or transformer configured by a kustomization field.
    pub fn builtin(origin: &str, kust_file: &str, kind: &str) -> Configured {
        Configured {
            configured_in: join(origin, kust_file),
            api_version: "builtin".to_owned(),
            kind: kind.to_owned(),
            name: String::new(),
            namespace: String::new(),
        }
    }

    /// A generator or transformer configured by an object of its own (listed
    /// under `generators:` or `transformers:`): it was configured in the file
    /// that object came from.
    pub fn from_config(cfg: &Res) -> Option<Configured> {
        let path = origin_path(cfg)?;
        let text = |k: &str| {
            cfg.value
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Some(Configured {
            configured_in: path,
            api_version: text("apiVersion"),
            kind: text("kind"),
            name: cfg.name().to_owned(),
            namespace: cfg.namespace().to_owned(),
        })
    }

    /// The YAML of this origin, each line prefixed by `indent` after the first.
    fn yaml(&self, first: &str, indent: &str) -> String {
        let mut out = format!("{first}configuredIn: {}\n", scalar(&self.configured_in));
        out.push_str(&format!("{indent}configuredBy:\n"));
        for (k, v) in [
            ("apiVersion", &self.api_version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ] {
            if !v.is_empty() {
                out.push_str(&format!("{indent}  {k}: {}\n", scalar(v)));
            }
        }
        out
    }
}

/// Go's `filepath.Join`: the joined path, cleaned.
pub fn join(base: &str, rel: &str) -> String {
    let joined = match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) => format!("{base}/{rel}"),
    };
    if joined.is_empty() {
        return String::new();
    }
    clean(&joined)
}

/// Go's `filepath.Clean` for slash-separated paths.
fn clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (absolute, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

/// A scalar as the origin's YAML writes it: plain when that reads back as
/// the same string, else double-quoted.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+' | '~' | '@'))
        && !s.starts_with(['-', '~', '@'])
        && matches!(
            crate::yaml::resolve::Dialect::Kustomize.resolve(s),
            crate::yaml::resolve::Resolved::String
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::Value::from(s).to_string()
    }
}

fn annotation<'a>(res: &'a Res, key: &str) -> Option<&'a str> {
    res.value
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

fn set_annotation(res: &mut Res, key: &str, text: String) {
    res.meta_mut()
        .child_map("annotations")
        .insert(key, Value::from(text.as_str()));
}

/// The `path` of an object's origin annotation.
fn origin_path(res: &Res) -> Option<String> {
    let text = annotation(res, ORIGIN)?;
    let line = text.lines().find_map(|l| l.strip_prefix("path: "))?;
    Some(match serde_json::from_str::<String>(line) {
        Ok(unquoted) if line.starts_with('"') => unquoted,
        _ => line.to_owned(),
    })
}

/// Records the file an object was read from (`path` relative to the root).
pub fn set_file_origin(res: &mut Res, path: &str) {
    set_annotation(res, ORIGIN, format!("path: {}\n", scalar(path)));
}

/// Records the generator that made an object, unless it already has an origin.
pub fn set_generated_origin(res: &mut Res, by: &Configured) {
    if annotation(res, ORIGIN).is_none() {
        set_annotation(res, ORIGIN, by.yaml("", ""));
    }
}

/// Records that a transformer ran over every object: objects without an
/// origin are taken to have been made by it, the others get it appended to
/// their list of transformations.
pub fn record_transformer(rm: &mut ResMap, by: &Configured) {
    for res in rm.iter_mut() {
        if annotation(res, ORIGIN).is_none() {
            set_annotation(res, ORIGIN, by.yaml("", ""));
            continue;
        }
        let mut list = annotation(res, TRANSFORMATIONS)
            .unwrap_or_default()
            .to_owned();
        list.push_str(&by.yaml("- ", "  "));
        set_annotation(res, TRANSFORMATIONS, list);
    }
}

/// The root's options applied to the final objects: the managed-by label,
/// and provenance annotations kept only when asked for.
pub fn finish(list: &mut [Res], options: &[String]) {
    let wants = |o: &str| options.iter().any(|x| x == o);
    let (managed, origins, transformations) = (
        wants("managedByLabel"),
        wants("originAnnotations"),
        wants("transformerAnnotations"),
    );
    for r in list.iter_mut() {
        if managed {
            r.meta_mut()
                .child_map("labels")
                .insert(MANAGED_BY, Value::from("kustomize-(devel)"));
        }
        let meta = r.meta_mut();
        let Some(Value::Map(annotations)) = meta.get_mut("annotations") else {
            continue;
        };
        if !origins {
            annotations.remove(ORIGIN);
        }
        if !transformations {
            annotations.remove(TRANSFORMATIONS);
        }
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_clean_as_go_does() {
        assert_eq!(join("", "service.yaml"), "service.yaml");
        assert_eq!(join("../base", "namespace.yaml"), "../base/namespace.yaml");
        assert_eq!(join("../base", "../common"), "../common");
        assert_eq!(join("a/./b/", "c"), "a/b/c");
        assert_eq!(join("..", "../x"), "../../x");
        assert_eq!(join("a", ".."), ".");
    }

    #[test]
    fn origins_are_yaml() {
        let by = Configured::builtin("../base", "kustomization.yaml", "PrefixTransformer");
        assert_eq!(
            by.yaml("- ", "  "),
            "- configuredIn: ../base/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n"
        );
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("my dir/x.yaml"), "\"my dir/x.yaml\"");
    }
}
