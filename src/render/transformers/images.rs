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
use crate::yaml::Value;

pub fn apply(rm: &mut ResMap, image: &Image, specs: &[FieldSpec]) -> Result<(), String> {
    // kustomize inserts the name into the pattern unescaped.
    let pattern = format!(
        "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
        image.name
    );
    let re = Regex::new(&pattern).map_err(|e| {
        format!(
            "image name '{}' is not a valid regular expression: {e}",
            image.name
        )
    })?;
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

fn legacy_pass(v: &mut Value, re: &Regex, image: &Image) {
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

fn update(v: &mut Value, re: &Regex, image: &Image) {
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
    fn edits() {
        let img = |name: &str, tag: &str, digest: &str, suffix: &str| Image {
            name: name.into(),
            new_tag: tag.into(),
            digest: digest.into(),
            tag_suffix: suffix.into(),
            ..Image::default()
        };
        let run = |current: &str, i: &Image| {
            let re = Regex::new(&format!(
                "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
                i.name
            ))
            .unwrap();
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
