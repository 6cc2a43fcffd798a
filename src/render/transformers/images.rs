//! `images` (kustomize's ImageTagTransformer): change the name, tag or digest
//! of matching container images.
//!
//! kustomize runs two passes per entry: one over every `containers` and
//! `initContainers` list anywhere in an object (except CRDs), one over the
//! configured field specs; a non-idempotent edit (`tagSuffix`) is applied by
//! both where they overlap, as kustomize does.

use regex::Regex;

use super::apply_specs;
use crate::render::fieldspec::FieldSpec;
use crate::render::kustomization::Image;
use crate::render::resmap::ResMap;
use crate::render::selector::Pattern;
use crate::yaml::Value;

/// Which images an entry applies to: kustomize's
/// `^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`.
enum Matcher {
    /// A name that is a plain pattern, matched without a regular expression.
    Plain(String),
    Regex(Regex),
}

impl Matcher {
    fn new(name: &str) -> Result<Matcher, String> {
        if Pattern::is_plain(name) {
            return Ok(Matcher::Plain(name.to_owned()));
        }
        // kustomize inserts the name into the pattern unescaped.
        let pattern = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
        Regex::new(&pattern)
            .map(Matcher::Regex)
            .map_err(|e| format!("image name '{name}' is not a valid regular expression: {e}"))
    }

    fn is_match(&self, image: &str) -> bool {
        match self {
            Matcher::Regex(re) => re.is_match(image),
            Matcher::Plain(name) => {
                // A plain name matches a fixed number of characters, so the
                // tag and digest groups can only match what follows it.
                let Some(mut rest) = Pattern::strip_plain(name, image) else {
                    return false;
                };
                let part = |c: char| c.is_ascii_alphanumeric() || "_.{}-".contains(c);
                if let Some(tag) = rest.strip_prefix(':') {
                    rest = tag.trim_start_matches(part);
                }
                if let Some(digest) = rest.strip_prefix("@sha256:") {
                    rest = digest.trim_start_matches(part);
                }
                rest.is_empty()
            }
        }
    }
}

pub fn apply(rm: &mut ResMap, image: &Image, specs: &[FieldSpec]) -> Result<(), String> {
    let re = Matcher::new(&image.name)?;
    for r in rm.iter_mut() {
        if r.kind() != "CustomResourceDefinition" {
            legacy_pass(&mut r.value, &re, image);
        }
        // kustomize's image filter never creates fields.
        apply_specs(r, specs, None, &mut |v| {
            update(v, &re, image);
            Ok(())
        })?;
    }
    Ok(())
}

fn legacy_pass(v: &mut Value, re: &Matcher, image: &Image) {
    match v {
        Value::Map(m) => {
            for (k, child) in m.iter_mut() {
                if (k == "containers" || k == "initContainers") && matches!(child, Value::Seq(_)) {
                    if let Value::Seq(items) = child {
                        for c in items.iter_mut() {
                            if let Some(img) = c.as_map_mut().and_then(|m| m.get_mut("image")) {
                                update(img, re, image);
                            }
                        }
                    }
                } else {
                    legacy_pass(child, re, image);
                }
            }
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                legacy_pass(item, re, image);
            }
        }
        _ => {}
    }
}

fn update(v: &mut Value, re: &Matcher, image: &Image) {
    let Value::String(current) = v else { return };
    if !re.is_match(current) {
        return;
    }
    let (mut name, mut tag, mut digest) = split(current);
    if !image.new_name.is_empty() {
        name = image.new_name.clone();
    }
    if !image.new_tag.is_empty() && !image.digest.is_empty() {
        tag = image.new_tag.clone();
        digest = image.digest.clone();
    } else if !image.new_tag.is_empty() {
        tag = image.new_tag.clone();
        digest.clear();
    } else if !image.digest.is_empty() {
        tag.clear();
        digest = image.digest.clone();
    } else if !image.tag_suffix.is_empty() {
        tag.push_str(&image.tag_suffix);
        digest.clear();
    }
    let mut out = name;
    if !tag.is_empty() {
        out.push(':');
        out.push_str(&tag);
    }
    if !digest.is_empty() {
        out.push('@');
        out.push_str(&digest);
    }
    *v = Value::from(out.as_str());
}

/// Name, tag and digest; a `:` before the first `/` is a registry port.
pub fn split(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (at, colon) {
        (None, None) => (image.to_owned(), String::new(), String::new()),
        (Some(a), c) if c.is_none_or(|c| a < c) => {
            let a = a + slash;
            (
                image[..a].to_owned(),
                String::new(),
                image[a + 1..].to_owned(),
            )
        }
        (Some(a), None) => {
            let a = a + slash;
            (
                image[..a].to_owned(),
                String::new(),
                image[a + 1..].to_owned(),
            )
        }
        (Some(a), Some(c)) => {
            let (a, c) = (a + slash, c + slash);
            (
                image[..c].to_owned(),
                image[c + 1..a].to_owned(),
                image[a + 1..].to_owned(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_owned(),
                image[c + 1..].to_owned(),
                String::new(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_kustomize() {
        assert_eq!(split("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            split("nginx:1.0@sha256:abc"),
            ("nginx".into(), "1.0".into(), "sha256:abc".into())
        );
        assert_eq!(
            split("localhost:5000/app:2"),
            ("localhost:5000/app".into(), "2".into(), "".into())
        );
        assert_eq!(
            split("busybox@sha256:1"),
            ("busybox".into(), "".into(), "sha256:1".into())
        );
    }

    #[test]
    fn plain_names_match_as_the_regex_does() {
        let names = [
            "nginx",
            "registry.example.com/team/app",
            "localhost:5000/app",
        ];
        let images = [
            "nginx",
            "nginx:1.25",
            "nginx:1.25@sha256:abc",
            "nginx@sha256:abc",
            "nginx:1.25:x",
            "nginx@sha1:abc",
            "nginxplus",
            "nginx:",
            "registry.example.com/team/app:v1",
            "registryXexampleXcom/team/app",
            "localhost:5000/app",
            "localhost:5000/app:2@sha256:{x}",
            "localhost:5000/app/",
        ];
        for name in names {
            let re = Regex::new(&format!(
                "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
            ))
            .unwrap();
            let m = Matcher::new(name).unwrap();
            assert!(matches!(m, Matcher::Plain(_)));
            for image in images {
                assert_eq!(m.is_match(image), re.is_match(image), "{name} on {image}");
            }
        }
    }

    #[test]
    fn edits() {
        let img = |name: &str, tag: &str, digest: &str, suffix: &str| Image {
            name: name.into(),
            new_tag: tag.into(),
            digest: digest.into(),
            tag_suffix: suffix.into(),
            ..Image::default()
        };
        let run = |current: &str, i: &Image| {
            let re = Matcher::new(&i.name).unwrap();
            let mut v = Value::from(current);
            update(&mut v, &re, i);
            v.as_str().unwrap_or_default().to_owned()
        };
        assert_eq!(
            run(
                "nginx:1.0@sha256:abc",
                &img("nginx", "2.0", "sha256:def", "")
            ),
            "nginx:2.0@sha256:def"
        );
        assert_eq!(
            run("busybox", &img("busybox", "", "sha256:123", "")),
            "busybox@sha256:123"
        );
        assert_eq!(run("nginxplus", &img("nginx", "2", "", "")), "nginxplus");
        assert_eq!(
            run("redis:6", &img("redis", "", "", "-alpine")),
            "redis:6-alpine"
        );
    }
}
