//! `configMapGenerator` and `secretGenerator`: key/value pairs from env files,
//! literals and files become a ConfigMap or a Secret, marked for a hash suffix
//! unless `disableNameSuffixHash` is set.

use base64::Engine;

use super::kustomization::{GeneratorArgs, GeneratorOptions};
use super::res::{Behavior, Res};
use crate::yaml::{Map, Value};

/// Reads a file for a generator (relative to the kustomization, restrictor
/// applied); returns its bytes.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        }
    }
}

/// Builds the object for one generator entry.
pub fn generate(
    kind: Kind,
    args: &GeneratorArgs,
    opts: &GeneratorOptions,
    read: &mut ReadFile<'_>,
) -> Result<Res, String> {
    let pairs = collect_pairs(args, read)?;
    let mut obj = Map::new();
    obj.insert("apiVersion", Value::from("v1"));
    obj.insert("kind", Value::from(kind.name()));
    let mut meta = Map::new();
    meta.insert("name", Value::from(args.name.as_str()));
    if !args.namespace.is_empty() {
        meta.insert("namespace", Value::from(args.namespace.as_str()));
    }
    if !opts.labels.is_empty() {
        meta.insert(
            "labels",
            Value::Map(
                opts.labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), Value::from(v.as_str())))
                    .collect(),
            ),
        );
    }
    if !opts.annotations.is_empty() {
        meta.insert(
            "annotations",
            Value::Map(
                opts.annotations
                    .iter()
                    .map(|(k, v)| (k.as_str(), Value::from(v.as_str())))
                    .collect(),
            ),
        );
    }
    obj.insert("metadata", Value::Map(meta));
    if kind == Kind::Secret {
        let t = if args.kind.is_empty() {
            "Opaque"
        } else {
            args.kind.as_str()
        };
        obj.insert("type", Value::from(t));
    }
    let what = match kind {
        Kind::ConfigMap => "configmap",
        Kind::Secret => "secret",
    };
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in pairs {
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(format!(
                "{what} {} illegally repeats the key `{k}`",
                args.name
            ));
        }
        match kind {
            Kind::Secret => {
                data.insert(k.as_str(), Value::from(secret_base64(&v).as_str()));
            }
            Kind::ConfigMap => match String::from_utf8(v) {
                Ok(s) => {
                    data.insert(k.as_str(), Value::from(s.as_str()));
                }
                Err(e) => {
                    let b = base64::engine::general_purpose::STANDARD.encode(e.as_bytes());
                    binary.insert(k.as_str(), Value::from(b.as_str()));
                }
            },
        }
    }
    if !data.is_empty() {
        obj.insert("data", Value::Map(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData", Value::Map(binary));
    }
    if opts.immutable {
        obj.insert("immutable", Value::Bool(true));
    }
    let mut res = Res::new(Value::Map(obj), None);
    res.needs_hash = !opts.disable_name_suffix_hash;
    res.behavior = Behavior::parse(&args.behavior)
        .ok_or_else(|| format!("unknown generator behavior '{}'", args.behavior))?;
    Ok(res)
}

/// Base64, split into 70-character lines when longer (kustomize's encoding of
/// Secret data).
fn secret_base64(bytes: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(bytes);
    if b.len() < 70 {
        return b;
    }
    let mut out = String::with_capacity(b.len() + b.len() / 70 + 1);
    for chunk in b.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Env files, then literals, then files, as kustomize orders them; an error
/// names the whole list it came from, as kustomize's does.
fn collect_pairs(
    args: &GeneratorArgs,
    read: &mut ReadFile<'_>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let context = |what: &str, list: &[String], e: String| {
        format!("loading KV pairs: {what} [{}]: {e}", list.join(" "))
    };
    let mut pairs = Vec::new();
    for env in &args.envs {
        let content = read(env).map_err(|e| context("env source files:", &args.envs, e))?;
        pairs.extend(
            env_file_pairs(&content).map_err(|e| context("env source files:", &args.envs, e))?,
        );
    }
    for lit in &args.literals {
        let Some((k, v)) = lit.split_once('=') else {
            let e = format!("invalid literal source {lit}, expected key=value");
            return Err(context("literal sources", &args.literals, e));
        };
        pairs.push((k.to_owned(), remove_quotes(v).as_bytes().to_vec()));
    }
    for src in &args.files {
        let file = |e| context("file sources:", &args.files, e);
        let (key, path) = file_source(src).map_err(file)?;
        pairs.push((key, read(&path).map_err(file)?));
    }
    Ok(pairs)
}

/// One matching pair of surrounding quotes goes.
fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 {
        let c = b[b.len() - 1];
        if b[0] == c && (c == b'"' || c == b'\'') {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// `[key=]path`; the key defaults to the file's base name.
fn file_source(src: &str) -> Result<(String, String), String> {
    match src.matches('=').count() {
        0 => {
            let base = src.rsplit('/').next().unwrap_or(src);
            Ok((base.to_owned(), src.to_owned()))
        }
        1 if src.starts_with('=') => Err(format!(
            "missing key name for file path {:?} in source {src:?}",
            &src[1..]
        )),
        1 if src.ends_with('=') => Err(format!(
            "missing file path for key name {:?} in source {src:?}",
            &src[..src.len() - 1]
        )),
        1 => {
            let (k, p) = src.split_once('=').unwrap_or((src, ""));
            Ok((k.to_owned(), p.to_owned()))
        }
        _ => Err(format!("source {src:?} key name or file path contains '='")),
    }
}

/// kustomize's env-file format: comments, `KEY=VALUE` taken verbatim, a bare
/// `KEY` taking its value from the environment.
fn env_file_pairs(content: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for (n, raw) in content.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(mut line) = std::str::from_utf8(raw) else {
            return Err(format!(
                "line {n} has invalid utf8 bytes : {}",
                String::from_utf8_lossy(raw)
            ));
        };
        if n == 0 {
            line = line.strip_prefix('\u{FEFF}').unwrap_or(line);
        }
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, v.to_owned()),
            None => (line, std::env::var(line).unwrap_or_default()),
        };
        // kustomize v5.5.0 takes any key verbatim but drops an empty one.
        if key.is_empty() {
            continue;
        }
        out.push((key.to_owned(), value.into_bytes()));
    }
    // A trailing newline does not make an extra line.
    Ok(out)
}

/// kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged
/// (the new ones win), the old name and namespace and build history kept.
pub fn copy_merge_metadata(new: &mut Res, old: &Res) {
    for key in ["labels", "annotations"] {
        let mut merged = Map::new();
        if let Some(Value::Map(m)) = old.value.get("metadata").and_then(|m| m.get(key)) {
            for (k, v) in m.iter() {
                merged.insert(k, v.clone());
            }
        }
        if let Some(Value::Map(m)) = new.value.get("metadata").and_then(|m| m.get(key)) {
            for (k, v) in m.iter() {
                merged.insert(k, v.clone());
            }
        }
        let meta = new.meta_mut();
        if merged.is_empty() {
            meta.remove(key);
        } else {
            meta.insert(key, Value::Map(merged));
        }
    }
    new.set_name(old.name());
    new.set_namespace(old.namespace());
    new.prev = old.prev.clone();
    new.prefixes = old.prefixes.clone();
    new.suffixes = old.suffixes.clone();
    new.needs_hash = old.needs_hash && new.needs_hash;
    new.ref_var_names = old.ref_var_names.clone();
    if new.origin.is_none() {
        new.origin = old.origin.clone();
    }
}

/// `behavior: merge`: `data` and `binaryData` merged key by key, new wins.
pub fn merge_data(new: &mut Res, old: &Res) {
    for key in ["data", "binaryData"] {
        let mut merged = Map::new();
        if let Some(Value::Map(m)) = old.value.get(key) {
            for (k, v) in m.iter() {
                merged.insert(k, v.clone());
            }
        }
        if let Some(Value::Map(m)) = new.value.get(key) {
            for (k, v) in m.iter() {
                merged.insert(k, v.clone());
            }
        }
        if !merged.is_empty() {
            new.value.make_map().insert(key, Value::Map(merged));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_quotes() {
        assert_eq!(remove_quotes("\"quoted value\""), "quoted value");
        assert_eq!(remove_quotes("'a'"), "a");
        assert_eq!(remove_quotes("\"a'"), "\"a'");
        assert_eq!(
            file_source("f.txt").unwrap(),
            ("f.txt".into(), "f.txt".into())
        );
        assert_eq!(
            file_source("dir/f.txt").unwrap(),
            ("f.txt".into(), "dir/f.txt".into())
        );
        assert_eq!(
            file_source("k=dir/f.txt").unwrap(),
            ("k".into(), "dir/f.txt".into())
        );
        assert!(file_source("=x").is_err());
        let pairs = env_file_pairs(b"\xEF\xBB\xBFK1=v1\n# comment\n  K2=x y\r\n\n").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("K1".into(), b"v1".to_vec()),
                ("K2".into(), b"x y".to_vec())
            ]
        );
        let pairs = env_file_pairs(b"=dropped\nA B =1\n1A=2\n").unwrap();
        assert_eq!(
            pairs,
            vec![("A B ".into(), b"1".to_vec()), ("1A".into(), b"2".to_vec())]
        );
    }

    #[test]
    fn long_secret_values_are_split() {
        assert_eq!(secret_base64(&[b'a'; 51]).len(), 68);
        let long = secret_base64(&[b'a'; 52]);
        assert_eq!(long.lines().map(str::len).collect::<Vec<_>>(), [70, 2]);
        assert!(long.ends_with('\n'));
    }
}
