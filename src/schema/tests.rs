use super::*;
use serde_json::json;
use sha2::{Digest, Sha256};

fn at(version: &str) -> &'static VersionSchemas {
    schemas(select(version).expect("bundled version").version)
}

fn validator(version: &str, api_version: &str, kind: &str, strict: bool) -> &'static Validator {
    let s = at(version);
    let r = s.gvk(api_version, kind).expect("known kind");
    s.validator(r, strict).expect("compiles")
}

/// Instance paths of every error, for exact assertions.
fn errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| e.instance_path().to_string())
        .collect()
}

fn pod(container: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [container]}
    })
}

#[test]
fn select_accepts_the_usual_spellings() {
    for text in ["1.30", "1.30.0", "1.30.7", "v1.30", "V1.30.1", " 1.30 "] {
        let s = select(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(s.version.as_str(), "1.30", "{text}");
        assert_eq!(s.version.minor(), 30);
    }
    let latest = select("latest").expect("latest");
    assert_eq!(latest.version.to_string(), "1.37");
    assert_eq!(select("1.20").expect("oldest").version.as_str(), "1.20");
}

#[test]
fn select_rejects_newer_than_bundled() {
    let err = select("1.40.1").expect_err("newer than the bundle");
    assert!(
        err.starts_with("no schemas for Kubernetes 1.40: the newest bundled version is 1.37"),
        "{err}"
    );
    assert!(err.ends_with("1.36, 1.37"), "{err}");
}

#[test]
fn select_rejects_older_and_malformed_versions() {
    let err = select("1.19").expect_err("too old");
    assert!(err.starts_with("no schemas for Kubernetes 1.19"), "{err}");
    assert!(err.contains("1.20, 1.21, 1.22"), "{err}");
    assert!(err.ends_with("1.36, 1.37"), "{err}");

    for bad in [
        "", "1", "1.", "1.x", "1.30.x", "1.30.0.1", "one", "1.-3", "v", "1.30-rc1",
    ] {
        let err = select(bad).expect_err(bad);
        assert!(
            err.starts_with("invalid Kubernetes version"),
            "{bad}: {err}"
        );
    }
    let err = select("2.1").expect_err("major 2");
    assert!(err.contains("only 1.x releases exist"), "{err}");
}

#[test]
fn version_list_matches_the_bundle() {
    let names: Vec<&str> = bundle::bundle().names().collect();
    assert_eq!(names, VERSIONS);
    let all: Vec<&str> = Version::all().map(Version::as_str).collect();
    assert_eq!(all, VERSIONS);
}

#[test]
fn every_version_decodes_with_the_core_kinds() {
    for v in Version::all() {
        let s = schemas(v);
        assert_eq!(s.version(), v);
        for (api, kind, def) in [
            ("apps/v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
            ("v1", "Pod", "io.k8s.api.core.v1.Pod"),
            ("v1", "Service", "io.k8s.api.core.v1.Service"),
            ("v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap"),
        ] {
            let r = s
                .gvk(api, kind)
                .unwrap_or_else(|| panic!("{v}: {api}/{kind}"));
            assert_eq!(r.definition, def);
            assert!(s.definition(def).is_some());
        }
        assert!(s.kinds().iter().any(|k| k == "Deployment"));
        assert!(s.api_versions().iter().any(|a| a == "apps/v1"));
        assert!(s.refs().len() > 200, "{v}: {} kinds", s.refs().len());
    }
}

#[test]
fn lookups_for_suggestions() {
    let s = at("1.30");
    assert_eq!(s.gvk("apps/v1", "Deploymnet"), None);
    assert_eq!(s.gvk("extensions/v1beta1", "Deployment"), None);
    assert_eq!(
        s.api_versions_of("HorizontalPodAutoscaler"),
        ["autoscaling/v1", "autoscaling/v2"]
    );
    assert!(s.api_versions_of("Nope").is_empty());
    let kinds = s.kinds();
    assert!(kinds.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    // PodSecurityPolicy exists up to 1.24 only.
    assert!(
        at("1.24")
            .gvk("policy/v1beta1", "PodSecurityPolicy")
            .is_some()
    );
    assert!(
        at("1.25")
            .gvk("policy/v1beta1", "PodSecurityPolicy")
            .is_none()
    );
}

#[test]
fn a_ref_from_another_version_is_refused() {
    let psp = at("1.24")
        .gvk("policy/v1beta1", "PodSecurityPolicy")
        .expect("served in 1.24");
    let err = at("1.30").validator(psp, false).expect_err("foreign ref");
    assert_eq!(
        err,
        "policy/v1beta1/PodSecurityPolicy is not a kind of Kubernetes 1.30"
    );
}

#[test]
fn a_valid_deployment_passes_in_every_version() {
    let doc = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": null},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [{
                        "name": "web",
                        "image": "nginx:1.27",
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http", "scheme": "HTTP"}}
                    }],
                    "tolerations": [{"operator": "Exists"}],
                    "restartPolicy": "Always"
                }
            }
        }
    });
    for v in VERSIONS {
        for strict in [false, true] {
            let val = validator(v, "apps/v1", "Deployment", strict);
            assert_eq!(
                errors(val, &doc),
                Vec::<String>::new(),
                "{v} strict={strict}"
            );
        }
    }
}

#[test]
fn int_or_string_accepts_both_forms() {
    let svc = |target: Value| {
        json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 80, "targetPort": target}]}
        })
    };
    for v in ["1.20", "1.37"] {
        let val = validator(v, "v1", "Service", true);
        assert!(val.is_valid(&svc(json!(8080))), "{v}");
        assert!(val.is_valid(&svc(json!("http"))), "{v}");
        assert!(val.is_valid(&svc(Value::Null)), "{v}");
        let bad = "/spec/ports/0/targetPort";
        assert_eq!(errors(val, &svc(json!(true))), [bad], "{v}");
        assert_eq!(errors(val, &svc(json!(1.5))), [bad], "{v}");
    }
}

#[test]
fn quantity_accepts_strings_and_numbers_and_checks_the_syntax() {
    let with_cpu =
        |cpu: Value| pod(json!({"name": "c", "image": "i", "resources": {"limits": {"cpu": cpu}}}));
    for v in ["1.20", "1.24", "1.25", "1.37"] {
        let val = validator(v, "v1", "Pod", true);
        for ok in [
            json!("500m"),
            json!("2"),
            json!(0.5),
            json!(1),
            json!("1e3"),
        ] {
            assert!(val.is_valid(&with_cpu(ok.clone())), "{v}: {ok}");
        }
        let path = "/spec/containers/0/resources/limits/cpu";
        for bad in [json!("1cpu"), json!("1K"), json!(true), json!({})] {
            assert_eq!(errors(val, &with_cpu(bad.clone())), [path], "{v}: {bad}");
        }
    }
}

#[test]
fn enum_fixes_reject_unknown_values() {
    let with_policy = |p: Value| pod(json!({"name": "c", "image": "i", "imagePullPolicy": p}));
    for v in VERSIONS {
        let val = validator(v, "v1", "Pod", false);
        assert_eq!(
            errors(val, &with_policy(json!("Sometimes"))),
            ["/spec/containers/0/imagePullPolicy"],
            "{v}"
        );
        for ok in [
            json!("Always"),
            json!("IfNotPresent"),
            json!("Never"),
            json!(""),
            Value::Null,
        ] {
            assert!(val.is_valid(&with_policy(ok.clone())), "{v}: {ok}");
        }
    }
}

#[test]
fn enum_fixes_follow_the_release_that_added_a_value() {
    let pvc = |mode: &str| {
        json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
            "spec": {"accessModes": [mode], "resources": {"requests": {"storage": "1Gi"}}}
        })
    };
    let old = validator("1.21", "v1", "PersistentVolumeClaim", true);
    let new = validator("1.22", "v1", "PersistentVolumeClaim", true);
    assert_eq!(
        errors(old, &pvc("ReadWriteOncePod")),
        ["/spec/accessModes/0"]
    );
    assert!(new.is_valid(&pvc("ReadWriteOncePod")));
    assert!(old.is_valid(&pvc("ReadWriteOnce")));
    assert_eq!(
        errors(new, &pvc("ReadWriteSometimes")),
        ["/spec/accessModes/0"]
    );
}

#[test]
fn selector_operators_differ_by_type() {
    let deployment = |node_op: &str, label_op: &str| {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {
                "selector": {"matchExpressions": [{"key": "app", "operator": label_op, "values": ["1"]}]},
                "template": {"spec": {
                    "containers": [{"name": "c", "image": "i"}],
                    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": node_op, "values": ["1"]}]}]
                    }}}
                }}
            }
        })
    };
    let val = validator("1.30", "apps/v1", "Deployment", true);
    assert!(val.is_valid(&deployment("Gt", "In")));
    assert_eq!(
        errors(val, &deployment("In", "Gt")),
        ["/spec/selector/matchExpressions/0/operator"]
    );
    assert_eq!(
        errors(val, &deployment("Like", "In")),
        [
            "/spec/template/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0/operator"
        ]
    );
}

#[test]
fn strict_mode_rejects_unknown_keys() {
    let typo = pod(json!({"name": "c", "image": "i", "livernessProbe": {}}));
    let lenient = validator("1.30", "v1", "Pod", false);
    let strict = validator("1.30", "v1", "Pod", true);
    assert!(lenient.is_valid(&typo));
    assert_eq!(errors(strict, &typo), ["/spec/containers/0"]);
    let message = strict
        .iter_errors(&typo)
        .map(|e| e.to_string())
        .collect::<String>();
    assert!(message.contains("livernessProbe"), "{message}");

    // The root is strict too.
    let mut root = pod(json!({"name": "c", "image": "i"}));
    root["apiVerson"] = json!("v1");
    assert!(lenient.is_valid(&root));
    assert_eq!(errors(strict, &root), [""]);
}

#[test]
fn strict_mode_leaves_free_form_subtrees_open() {
    // ControllerRevision.data is a RawExtension: any object goes.
    let rev = json!({
        "apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "r"},
        "revision": 1,
        "data": {"spec": {"anything": {"goes": true}}, "unknownTopLevel": 1}
    });
    let val = validator("1.30", "apps/v1", "ControllerRevision", true);
    assert_eq!(errors(val, &rev), Vec::<String>::new());

    // A CRD default (JSON) is free-form as well, while the CRD itself is strict.
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "things", "kind": "Thing"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": true,
                "properties": {"spec": {"type": "object", "default": {"free": {"form": 1}}}}
            }}}]
        }
    });
    let val = validator(
        "1.30",
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        true,
    );
    assert_eq!(errors(val, &crd), Vec::<String>::new());
    let mut typo = crd.clone();
    typo["spec"]["versions"][0]["servd"] = json!(true);
    assert_eq!(errors(val, &typo), ["/spec/versions/0"]);
}

#[test]
fn integer_ranges_and_formats() {
    let port = |p: Value| pod(json!({"name": "c", "image": "i", "ports": [{"containerPort": p}]}));
    let val = validator("1.30", "v1", "Pod", true);
    assert!(val.is_valid(&port(json!(2147483647_i64))));
    assert_eq!(
        errors(val, &port(json!(2147483648_i64))),
        ["/spec/containers/0/ports/0/containerPort"]
    );
    // Draft 4: 80.0 is a number, not an integer, as for Go's decoder.
    assert_eq!(
        errors(val, &port(json!(80.0))),
        ["/spec/containers/0/ports/0/containerPort"]
    );

    let secret = |value: &str| json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": value}});
    let val = validator("1.30", "v1", "Secret", true);
    assert!(val.is_valid(&secret("cGFzc3dvcmQ=")));
    assert_eq!(errors(val, &secret("base64")), ["/data/password"]);

    let event = |time: &str| {
        json!({
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {}, "lastTimestamp": time
        })
    };
    let val = validator("1.30", "v1", "Event", true);
    assert!(val.is_valid(&event("2024-05-01T12:30:00Z")));
    assert_eq!(errors(val, &event("yesterday")), ["/lastTimestamp"]);
}

#[test]
fn validators_are_cached() {
    let s = at("1.29");
    let r = s.gvk("v1", "ConfigMap").expect("known");
    let a: *const Validator = s.validator(r, true).expect("compiles");
    let b: *const Validator = s.validator(r, true).expect("compiles");
    let c: *const Validator = s.validator(r, false).expect("compiles");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn artefact_checksum_matches_the_readme() {
    let readme = include_str!("../../schemas/README.md");
    let recorded = readme
        .lines()
        .find_map(|l| l.strip_prefix("- artefact sha256: `"))
        .and_then(|rest| rest.strip_suffix('`'))
        .expect("README records the artefact's sha256");
    let digest = Sha256::digest(bundle::ARTEFACT);
    let actual: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(actual, recorded);
}
