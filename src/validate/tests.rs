use super::*;
use crate::source::Sources;

/// Validates one YAML document; (code, pointer, message, help) per finding.
fn run(yaml: &str, version: &str) -> Vec<(String, String, String, Option<String>)> {
    let mut sources = Sources::default();
    let file = sources.add(crate::source::SourceFile::new("t.yaml", yaml));
    let parsed = crate::yaml::parse(file, yaml, &crate::yaml::LoadOptions::default());
    let resources: Vec<Resource> = parsed
        .docs
        .into_iter()
        .map(|d| Resource {
            value: d.value,
            origin: crate::resource::Origin {
                doc: d.span,
                base: Default::default(),
            },
            source: None,
            target: None,
        })
        .collect();
    let stage = Validate {
        version: schema::select(version).expect("version").version,
        ..Validate::default()
    };
    let cx = Context { sources: &sources };
    stage
        .run(resources, &cx)
        .diagnostics
        .into_iter()
        .map(|d| {
            let pointer = match &d.location {
                crate::diagnostic::Location::Pointer { pointer, .. } => pointer.clone(),
                _ => String::new(),
            };
            (
                d.code.to_owned(),
                pointer,
                d.message.clone(),
                d.help.clone(),
            )
        })
        .collect()
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          limits: {cpu: 500m, memory: 128Mi}
";

#[test]
fn a_valid_deployment_has_no_findings() {
    assert_eq!(run(DEPLOYMENT, "1.37"), vec![]);
    assert_eq!(run(DEPLOYMENT, "1.20"), vec![]);
}

#[test]
fn unknown_fields_point_at_the_key_and_suggest() {
    let yaml = DEPLOYMENT.replace(
        "        image: nginx:1.27\n",
        "        image: nginx:1.27\n        livernessProbe: {}\n",
    );
    let found = run(&yaml, "1.37");
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, pointer, message, help) = &found[0];
    assert_eq!(code, "schema-unknown-field");
    assert_eq!(pointer, "/spec/template/spec/containers/0/livernessProbe");
    assert_eq!(
        message,
        "unknown field `spec.template.spec.containers[0].livernessProbe`"
    );
    assert_eq!(help.as_deref(), Some("did you mean `livenessProbe`?"));
}

#[test]
fn types_enums_and_quantities() {
    let yaml = DEPLOYMENT
        .replace("replicas: 2", "replicas: \"3\"")
        .replace(
            "        image: nginx:1.27\n",
            "        image: nginx:1.27\n        imagePullPolicy: Sometimes\n",
        )
        .replace("cpu: 500m", "cpu: 1cpu");
    let found = run(&yaml, "1.30");
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(c, p, _, _)| (c.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("schema-type", "/spec/replicas"),
            (
                "schema-enum",
                "/spec/template/spec/containers/0/imagePullPolicy"
            ),
            (
                "schema-format",
                "/spec/template/spec/containers/0/resources/limits/cpu"
            ),
        ]
    );
    assert_eq!(
        found[0].2,
        "`spec.replicas` must be an integer, not a string"
    );
    assert_eq!(
        found[1].2,
        "`spec.template.spec.containers[0].imagePullPolicy` is `Sometimes`, which is not one of Always, IfNotPresent, Never"
    );
    assert_eq!(
        found[2].2,
        "`spec.template.spec.containers[0].resources.limits.cpu` is not a valid quantity"
    );
}

/// Enums the published schemas lack, added by `schemas/generate.py`, follow
/// the release that introduced each value.
#[test]
fn added_enums_follow_the_release() {
    let hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n  metrics:\n  - type: Resources\n    resource:\n      name: cpu\n      target: {type: Utilisation, averageUtilization: 80}\n";
    let found = run(hpa, "1.30");
    let messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "`spec.metrics[0].type` is `Resources`, which is not one of ContainerResource, External, Object, Pods, Resource",
            "`spec.metrics[0].resource.target.type` is `Utilisation`, which is not one of Utilization, Value, AverageValue",
        ]
    );
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ipFamilyPolicy: DualStack\n  ipFamilies: [IPv4, ipv6]\n  ports: [{port: 80}]\n";
    let found = run(svc, "1.37");
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(c, p, _, _)| (c.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("schema-enum", "/spec/ipFamilyPolicy"),
            ("schema-enum", "/spec/ipFamilies/1"),
        ]
    );
    // A regular container's own restartPolicy: sidecars only before 1.34.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    restartPolicy: Never\n";
    let found = run(pod, "1.33");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].2,
        "`spec.containers[0].restartPolicy` is `Never`, which is not one of Always"
    );
    assert_eq!(run(pod, "1.34"), vec![]);
}

#[test]
fn missing_required_fields() {
    let yaml = DEPLOYMENT.replace("      - name: web\n        image", "      - image");
    let found = run(&yaml, "1.37");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "schema-required");
    assert_eq!(found[0].1, "/spec/template/spec/containers/0");
    assert_eq!(
        found[0].2,
        "missing required field `name` in `spec.template.spec.containers[0]`"
    );
}

#[test]
fn removed_and_deprecated_api_versions() {
    let old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n";
    let found = run(old, "1.37");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "api-removed");
    assert_eq!(
        found[0].2,
        "extensions/v1beta1 Deployment was removed in Kubernetes 1.16"
    );
    assert_eq!(found[0].3.as_deref(), Some("use apiVersion: apps/v1"));

    let psp =
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: a}\nspec: {}\n";
    assert_eq!(run(psp, "1.25")[0].0, "api-removed");
    let cron = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedule: '* * * * *'\n  jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: b}]}}}}\n";
    let found = run(cron, "1.22");
    assert_eq!(found[0].0, "api-deprecated", "{found:?}");
    assert_eq!(found[0].3.as_deref(), Some("use apiVersion: batch/v1"));
}

#[test]
fn kinds_without_a_schema() {
    let found = run(
        "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n",
        "1.37",
    );
    assert_eq!(found[0].0, "schema-missing");
    assert_eq!(
        found[0].3.as_deref(),
        Some("did you mean kind: Deployment?")
    );
    let found = run(
        "apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: a}\n",
        "1.37",
    );
    assert_eq!(found[0].0, "api-version-unknown");
    assert_eq!(found[0].3.as_deref(), Some("use apiVersion: apps/v1"));
    let cr = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n";
    assert_eq!(run(cr, "1.37")[0].0, "schema-missing");
    let stage_ignores = Validate {
        ignore_missing_schemas: true,
        ..Validate::default()
    };
    assert!(stage_ignores.ignore_missing_schemas);
}

#[test]
fn secret_values_stay_out_of_messages() {
    let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: hunter2!\n";
    let found = run(yaml, "1.37");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "schema-format");
    assert!(!found[0].2.contains("hunter2"), "{}", found[0].2);
    assert_eq!(
        found[0].2,
        "`data.password` is not valid base64: illegal base64 data at input byte 7"
    );
    assert_eq!(found[0].1, "/data/password");
}

#[test]
fn pointers_read_as_paths() {
    assert_eq!(
        dotted("/spec/containers/0/env/1/name"),
        "spec.containers[0].env[1].name"
    );
    assert_eq!(
        dotted("/metadata/labels/app.kubernetes.io~1name"),
        "metadata.labels.app.kubernetes.io/name"
    );
    assert_eq!(dotted(""), "");
}

const CRD_V1BETA1: &str = "apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  version: v1
  versions:
  - name: v1
    served: true
    storage: true
  - name: v0
    served: false
    storage: false
  names: {plural: widgets, kind: Widget}
  scope: Namespaced
  validation:
    openAPIV3Schema:
      type: object
      properties:
        spec:
          type: object
          properties:
            size:
              type: string
              enum: [small, large]
              nullable: true
            port:
              x-kubernetes-int-or-string: true
            template:
              type: object
              x-kubernetes-embedded-resource: true
              x-kubernetes-preserve-unknown-fields: true
";

/// Findings for a stream holding the v1beta1 CRD, which 1.21 still serves (with
/// a deprecation warning, left out here).
fn run_crd(yaml: &str, version: &str) -> Vec<(String, String, String, Option<String>)> {
    run(yaml, version)
        .into_iter()
        .filter(|f| f.0 != "api-deprecated")
        .collect()
}

#[test]
fn custom_resources_follow_their_crd() {
    let ok = format!(
        "{CRD_V1BETA1}---
apiVersion: example.com/v1
kind: Widget
metadata: {{name: w, labels: {{a: b}}, annotations: {{x: y}}}}
spec:
  size: null
  port: http
  template: {{apiVersion: v1, kind: Pod, anything: [1]}}
"
    );
    assert_eq!(run_crd(&ok, "1.21"), vec![]);

    let bad = format!(
        "{CRD_V1BETA1}---
apiVersion: example.com/v1
kind: Widget
metadata: {{name: w}}
spec:
  size: medium
  port: 1.5
  colour: red
"
    );
    let found: Vec<(String, String)> = run_crd(&bad, "1.21")
        .into_iter()
        .map(|(code, pointer, _, _)| (code, pointer))
        .collect();
    assert_eq!(
        found,
        vec![
            ("schema-enum".to_owned(), "/spec/size".to_owned()),
            ("schema-invalid".to_owned(), "/spec/port".to_owned()),
            ("schema-unknown-field".to_owned(), "/spec/colour".to_owned()),
        ]
    );

    // A version that is not served has no schema.
    let unserved = format!(
        "{CRD_V1BETA1}---\napiVersion: example.com/v0\nkind: Widget\nmetadata: {{name: w}}\n"
    );
    let found = run_crd(&unserved, "1.21");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "schema-missing");
}

#[test]
fn a_crd_schema_that_does_not_compile_is_reported_at_the_crd() {
    let crd = CRD_V1BETA1.replace("type: string\n", "type: strin\n");
    let yaml = format!(
        "{crd}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec: {{size: small}}\n"
    );
    let found = run_crd(&yaml, "1.21");
    // The CRD itself is also checked against the apiextensions schema, which a
    // wrong `type` does not break; the custom resource is left unvalidated.
    let codes: Vec<(&str, &str)> = found
        .iter()
        .map(|(c, p, _, _)| (c.as_str(), p.as_str()))
        .collect();
    assert!(
        codes.contains(&("schema-invalid", "/spec/validation/openAPIV3Schema")),
        "{found:?}"
    );
    assert!(
        !codes.iter().any(|(c, _)| *c == "schema-missing"),
        "{found:?}"
    );
}
