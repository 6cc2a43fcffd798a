//! Images: tags, digests, pull policies and registries.

mod image_digest;
mod latest_tag;
mod private_registry_credentials;
mod pull_policy;
mod registry_typo;

pub use image_digest::ImageDigest;
pub use latest_tag::LatestTag;
pub use private_registry_credentials::PrivateRegistryCredentials;
pub use pull_policy::PullPolicy;
pub use registry_typo::RegistryTypo;

use crate::lint::Container;
use crate::yaml::Value;

/// An image reference split into its parts:
/// `[registry/]repository[:tag][@digest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ImageRef<'a> {
    /// The image without its tag and digest.
    name: &'a str,
    /// The host (and port) when the first path component names one.
    registry: Option<&'a str>,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    fn parse(image: &'a str) -> ImageRef<'a> {
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        // A `:` after the last `/` starts the tag (a registry port comes before it).
        let last = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last..].split_once(':') {
            Some((_, t)) => (&name[..name.len() - t.len() - 1], Some(t)),
            None => (name, None),
        };
        let registry = name.split_once('/').and_then(|(first, _)| {
            (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
        });
        ImageRef {
            name,
            registry,
            tag,
            digest,
        }
    }
}

/// The container's image, if it is a non-empty string.
fn image<'a>(c: &Container<'a>) -> Option<&'a str> {
    c.get("image")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn image_references_split() {
        let r = ImageRef::parse("nginx");
        assert_eq!((r.registry, r.tag, r.digest), (None, None, None));
        let r = ImageRef::parse("localhost:5000/team/app:1.2");
        assert_eq!((r.registry, r.tag), (Some("localhost:5000"), Some("1.2")));
        assert_eq!(r.name, "localhost:5000/team/app");
        let r = ImageRef::parse("grc.io/google_containers/hpa-example");
        assert_eq!((r.registry, r.tag), (Some("grc.io"), None));
        let r = ImageRef::parse("example/app@sha256:abcd");
        assert_eq!(
            (r.registry, r.tag, r.digest),
            (None, None, Some("sha256:abcd"))
        );
        let r = ImageRef::parse("quay.io/x/y:v1@sha256:abcd");
        assert_eq!((r.tag, r.digest), (Some("v1"), Some("sha256:abcd")));
    }
}
