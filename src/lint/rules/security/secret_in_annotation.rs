use base64::Engine;

use super::{IGNORE_ANNOTATION, secret_in_text, secret_like_name};
use crate::diagnostic::Target;
use crate::lint::{Cx, Rule, declare_rule};
use crate::resource::Resource;
use crate::yaml::Value;

declare_rule! {
    /// Annotations must not repeat secret values.
    ///
    /// ## What it checks
    ///
    /// The annotations of every object. On a Secret, an annotation that
    /// contains the value (decoded or base64) of one of its secret-like keys
    /// (`password`, `token`, `tls.key`, ...; values of at least 6
    /// characters). On any object, an annotation holding a private key, a
    /// token, a URL with a password or a `password: ...` setting. Values are
    /// never quoted in the finding.
    ///
    /// ## Why
    ///
    /// Annotations are metadata: `kubectl get`, `kubectl describe`, list
    /// permissions on the kind and many tools show them, so a password
    /// written into a description defeats the Secret that holds it.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: mysql-secret
    ///   annotations:
    ///     example.com/description: MySQL root password is 123456
    /// type: Opaque
    /// data:
    ///   MYSQL_ROOT_PASSWORD: MTIzNDU2
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: mysql-secret
    ///   annotations:
    ///     example.com/description: MySQL root password
    /// type: Opaque
    /// data:
    ///   MYSQL_ROOT_PASSWORD: MTIzNDU2
    /// ```
    pub struct SecretInAnnotation {
        id: "secret-in-annotation",
        category: Security,
        severity: Warning,
    }
}

/// Shorter values are too likely to appear by chance.
const MIN_LEN: usize = 6;

/// The secret-like keys of a Secret with the forms of their values an
/// annotation could repeat.
fn secret_values(secret: &Resource) -> Vec<(&str, Vec<String>)> {
    let mut out = Vec::new();
    let sensitive = |k: &str| secret_like_name(k) || k.ends_with(".key") || k == "key";
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let Some(map) = secret.value.get(field).and_then(Value::as_map) else {
            continue;
        };
        for (k, v) in map.iter() {
            let Some(v) = v.as_str() else {
                continue;
            };
            if !sensitive(k) {
                continue;
            }
            let mut forms = vec![v.to_owned()];
            if encoded
                && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(v.trim())
                && let Ok(text) = String::from_utf8(bytes)
            {
                forms.push(text);
            }
            forms.retain(|f| f.trim().chars().count() >= MIN_LEN);
            if !forms.is_empty() {
                out.push((k, forms));
            }
        }
    }
    out
}

impl Rule for SecretInAnnotation {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let object = cx.object;
        let Some(annotations) = object
            .value
            .pointer("/metadata/annotations")
            .and_then(Value::as_map)
        else {
            return;
        };
        let secrets = if object.kind() == Some("Secret") {
            secret_values(object)
        } else {
            Vec::new()
        };
        for (key, value) in annotations.iter() {
            let Some(value) = value.as_str() else {
                continue;
            };
            if key == IGNORE_ANNOTATION {
                continue;
            }
            let repeated = secrets
                .iter()
                .find(|(_, forms)| forms.iter().any(|f| value.contains(f.trim())));
            let message = match repeated {
                Some((secret_key, _)) => {
                    format!("annotation {key} repeats the value of Secret key \"{secret_key}\"")
                }
                None => match secret_in_text(value) {
                    Some(what) => format!("annotation {key} holds {what}"),
                    None => continue,
                },
            };
            let mut pointer = String::from("/metadata/annotations");
            crate::pointer::push(&mut pointer, key);
            cx.report(&pointer, Target::Key, message).help(
                "remove the value from the annotation: annotations are shown by kubectl get and describe to anyone who may read the object",
            );
        }
    }
}
