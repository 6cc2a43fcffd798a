//! Every broken input gets the right code at the right line and column, and
//! the right exit status; every good input gets no diagnostic at all.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn drydock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drydock"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run drydock")
}

/// (code, line, column) of each diagnostic; 0 stands for "no position".
type Found = Vec<(String, u64, u64)>;

/// Loads (and renders) `path` and validates it: the stages these tables are
/// about; lint rules have their own fixtures.
fn check_json(path: &str) -> (i32, Found, Value) {
    let out = drydock(&["validate", "--format", "json", path]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{path}: stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let found = json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), found, json)
}

struct Case {
    file: &'static str,
    exit: i32,
    diagnostics: &'static [(&'static str, u64, u64)],
}

const fn case(
    file: &'static str,
    exit: i32,
    diagnostics: &'static [(&'static str, u64, u64)],
) -> Case {
    Case {
        file,
        exit,
        diagnostics,
    }
}

const BAD: &[Case] = &[
    case("alias-bomb.yaml", 1, &[("yaml-alias-limit", 10, 10)]),
    case("ambiguous-boolean.yaml", 0, &[("yaml11-boolean", 6, 16)]),
    case(
        "api-version-not-string.yaml",
        1,
        &[("missing-api-version", 1, 13)],
    ),
    case("binary.yaml", 1, &[("binary-file", 0, 0)]),
    case("complex-key.yaml", 1, &[("yaml-invalid-key", 6, 5)]),
    case("deep-block-nesting.yaml", 1, &[("yaml-too-deep", 1, 2001)]),
    case("deep-flow-nesting.yaml", 1, &[("yaml-too-deep", 5, 261)]),
    case("docker-compose.yaml", 1, &[("not-a-manifest", 1, 1)]),
    case(
        "duplicate-key.yaml",
        1,
        &[("schema-required", 5, 1), ("yaml-duplicate-key", 9, 3)],
    ),
    case("empty.yaml", 0, &[("empty-file", 0, 0)]),
    case("full-width-colon.yaml", 1, &[("yaml-syntax", 5, 1)]),
    case("int32-overflow.yaml", 1, &[("schema-invalid", 6, 13)]),
    case("invalid-utf8.yaml", 1, &[("invalid-utf8", 4, 12)]),
    case("json-patch-file.yaml", 1, &[("not-an-object", 1, 1)]),
    case("kubeconfig.yaml", 0, &[("not-an-api-object", 2, 7)]),
    case(
        "label-boolean.yaml",
        1,
        &[
            ("yaml11-string-field", 6, 13),
            ("yaml11-string-field", 7, 14),
            ("yaml11-string-field", 12, 19),
        ],
    ),
    case("list-document.yaml", 1, &[("not-an-object", 1, 1)]),
    case("list-item-not-object.yaml", 1, &[("not-an-object", 7, 3)]),
    case("merge-scalar.yaml", 1, &[("yaml-merge", 6, 5)]),
    case(
        "missing-api-version.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case("missing-kind.yaml", 1, &[("missing-kind", 1, 1)]),
    case("missing-name.yaml", 1, &[("missing-name", 3, 1)]),
    case(
        "misspelled-api-version.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case(
        "name-outside-metadata.yaml",
        1,
        &[
            ("missing-name", 3, 1),
            ("schema-unknown-field", 3, 1),
            ("schema-unknown-field", 4, 1),
        ],
    ),
    case(
        "non-ascii-column.yaml",
        1,
        &[
            ("invalid-name", 4, 9),
            ("invalid-label", 5, 12),
            ("invalid-label", 5, 20),
            ("yaml11-string-field", 5, 24),
        ],
    ),
    case("non-finite.yaml", 1, &[("yaml-non-finite", 6, 24)]),
    case("null-key.yaml", 1, &[("yaml-invalid-key", 6, 3)]),
    case("number-underscore.yaml", 0, &[("yaml11-number", 6, 34)]),
    case("octal-mode.yaml", 0, &[("yaml11-octal", 13, 20)]),
    case(
        "recovery.yaml",
        1,
        &[("yaml-syntax", 10, 2), ("missing-name", 14, 1)],
    ),
    case("scalar-document.yaml", 1, &[("not-an-object", 2, 1)]),
    case("secret-syntax-error.yaml", 1, &[("yaml-syntax", 9, 8)]),
    case("syntax-indentation.yaml", 1, &[("yaml-syntax", 12, 8)]),
    case("tab-after-dash.yaml", 1, &[("yaml-tab", 7, 4)]),
    case("tab-comment-line.yaml", 1, &[("yaml-tab", 7, 1)]),
    case("tab-indentation.yaml", 1, &[("yaml-tab", 6, 1)]),
    case(
        "tag-mismatch.yaml",
        1,
        &[
            ("schema-required", 5, 1),
            ("schema-required", 5, 1),
            ("schema-type", 6, 13),
            ("yaml-tag", 6, 13),
        ],
    ),
    case("unknown-anchor.yaml", 1, &[("yaml-syntax", 5, 7)]),
    case("zero-bytes.yaml", 0, &[("empty-file", 0, 0)]),
];

/// Broken kustomizations: `check` renders them and points into the
/// kustomization file at the entry that failed.
const RENDER_BAD: &[Case] = &[
    case("cycle/a", 1, &[("render-cycle", 2, 3)]),
    case("duplicate-id", 1, &[("render-duplicate-id", 3, 3)]),
    case("missing-file", 1, &[("render-file-not-found", 2, 3)]),
    case(
        "not-a-kustomization",
        1,
        &[("kustomization-not-found", 2, 3)],
    ),
    case("patch-no-match", 1, &[("render-error", 4, 3)]),
    case("path-escape", 1, &[("render-path-escape", 2, 3)]),
    case("remote-resource", 1, &[("render-unsupported", 2, 3)]),
    case("unknown-field", 1, &[("kustomization-invalid", 3, 12)]),
];

/// The broken manifests among the seed files, with what kubectl would say.
const SEEDS: &[Case] = &[
    case(
        "000_L1040-1051_ingress-web.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "003_L10004-10007_kubeadm-cfg.yaml",
        0,
        &[("not-an-api-object", 2, 7)],
    ),
    case(
        "003_L10075-10087_kubeadm-ext-etcd.yaml",
        0,
        &[("not-an-api-object", 2, 7)],
    ),
    case(
        "003_L10107-10261_metrics-server.yaml",
        1,
        &[("api-removed", 42, 13)],
    ),
    case(
        "003_L10336-10368_prometheus-cm.yaml",
        1,
        &[("schema-type", 10, 3)],
    ),
    case(
        "003_L10460-10520_es-rc-svc.yaml",
        1,
        &[("schema-unknown-field", 26, 9)],
    ),
    case(
        "003_L10542-10579_fluentd-ds.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case("003_L10595-10649_kibana.yaml", 1, &[("yaml-tab", 46, 3)]),
    case(
        "003_L10982-11005_dashboard-admin.yaml",
        1,
        &[("api-removed", 11, 13)],
    ),
    case(
        "003_L2923-2925_yaml-obj.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case("003_L3131-3146_compose.yaml", 1, &[("yaml-syntax", 7, 4)]),
    case(
        "003_L4418-4490_pod-template-ref.yaml",
        1,
        &[("yaml-syntax", 54, 5)],
    ),
    case(
        "003_L4621-4634_pod-env-cm-apiservice.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case(
        "003_L4695-4721_resourcefieldref.yaml",
        1,
        &[("yaml-syntax", 22, 11)],
    ),
    case(
        "003_L4729-4752_downward-volume.yaml",
        1,
        &[
            ("schema-unknown-field", 5, 3),
            ("schema-unknown-field", 14, 5),
            ("invalid-value", 24, 22),
        ],
    ),
    case(
        "003_L4841-4853_tcpsocket.yaml",
        1,
        &[("invalid-name", 4, 9), ("invalid-name", 7, 11)],
    ),
    case(
        "003_L4861-4874_httpget.yaml",
        1,
        &[("invalid-name", 4, 9), ("invalid-name", 7, 11)],
    ),
    case(
        "003_L4914-4923_nodeselector-template.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case(
        "003_L4993-5031_daemonset-fluentd.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "003_L5049-5067_job-template.yaml",
        1,
        &[("invalid-name", 4, 9)],
    ),
    case(
        "003_L5300-5324_rc-redis-master-v2.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case(
        "003_L5366-5391_service-ref.yaml",
        1,
        &[
            ("schema-enum", 10, 9),
            ("yaml-tab", 11, 3),
            ("schema-enum", 15, 20),
            ("schema-enum", 18, 15),
            ("schema-type", 19, 11),
            ("schema-type", 21, 15),
            ("schema-unknown-field", 22, 3),
        ],
    ),
    case(
        "003_L5473-5481_endpoint.yaml",
        1,
        &[("schema-missing", 2, 7)],
    ),
    case(
        "003_L5489-5504_multi-port-svc.yaml",
        1,
        &[("invalid-name", 4, 9)],
    ),
    case(
        "003_L5514-5524_pod-hostport.yaml",
        1,
        &[("schema-missing", 2, 7)],
    ),
    case(
        "003_L5530-5540_hostnetwork-pod.yaml",
        1,
        &[("schema-type", 10, 5)],
    ),
    case(
        "003_L5548-5560_nodeport-80.yaml",
        1,
        &[("invalid-name", 4, 9)],
    ),
    case("003_L5566-5584_lb-svc.yaml", 1, &[("invalid-name", 4, 9)]),
    case(
        "003_L5814-5836_nginx-ingress-rc.yaml",
        1,
        &[("yaml-syntax", 23, 11)],
    ),
    case(
        "003_L5844-5856_ingress-apps-v1.yaml",
        1,
        &[
            ("api-version-unknown", 1, 13),
            ("schema-required", 10, 9),
            ("schema-unknown-field", 12, 11),
            ("schema-unknown-field", 13, 11),
        ],
    ),
    case(
        "003_L6492-6507_webhook-kubeconfig.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case(
        "003_L6612-6620_role-rabc.yaml",
        1,
        &[
            ("api-version-unknown", 1, 13),
            ("schema-unknown-field", 7, 3),
        ],
    ),
    case(
        "003_L6646-6651_clusterrole.yaml",
        1,
        &[("api-version-unknown", 1, 13), ("missing-name", 2, 7)],
    ),
    case(
        "003_L6663-6675_rolebinding.yaml",
        1,
        &[
            ("api-version-unknown", 1, 13),
            ("invalid-value", 9, 13),
            ("invalid-value", 13, 13),
        ],
    ),
    case(
        "003_L6683-6695_rolebinding-secrets.yaml",
        1,
        &[
            ("api-version-unknown", 1, 13),
            ("schema-unknown-field", 4, 3),
            ("invalid-value", 9, 13),
            ("invalid-value", 13, 13),
        ],
    ),
    case(
        "003_L6705-6716_crb-ruleref.yaml",
        1,
        &[
            ("schema-required", 1, 1),
            ("api-version-unknown", 1, 13),
            ("invalid-value", 8, 13),
            ("schema-unknown-field", 9, 1),
        ],
    ),
    case(
        "003_L6732-6740_role-logs-reader.yaml",
        1,
        &[("api-version-unknown", 1, 13)],
    ),
    case(
        "003_L6748-6757_role-configmap-update.yaml",
        1,
        &[
            ("api-version-unknown", 1, 13),
            ("schema-unknown-field", 4, 3),
        ],
    ),
    case(
        "003_L6785-6791_rules-batch.yaml",
        1,
        &[("yaml-syntax", 4, 32)],
    ),
    case("003_L7115-7123_pod-sa.yaml", 1, &[("invalid-name", 9, 23)]),
    case(
        "003_L7171-7178_secret-base64.yaml",
        1,
        &[("schema-format", 7, 13), ("schema-format", 8, 13)],
    ),
    case(
        "003_L7243-7250_secret-dockercfg.yaml",
        1,
        &[("schema-format", 6, 15)],
    ),
    case(
        "003_L7315-7330_psp-non-priv.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "003_L7390-7399_psp-hostpath.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case("003_L7415-7424_psp-flex.yaml", 1, &[("api-removed", 1, 13)]),
    case(
        "003_L7494-7520_psp-privileged.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "003_L7526-7564_psp-restricted.yaml",
        1,
        &[("yaml-syntax", 36, 5)],
    ),
    case(
        "003_L7589-7603_crb-psp.yaml",
        1,
        &[
            ("schema-required", 1, 1),
            ("schema-unknown-field", 5, 1),
            ("invalid-value", 10, 3),
        ],
    ),
    case(
        "003_L7609-7626_rb-psp.yaml",
        1,
        &[
            ("schema-type", 8, 7),
            ("invalid-value", 9, 13),
            ("invalid-value", 13, 13),
            ("invalid-value", 17, 13),
        ],
    ),
    case(
        "003_L7672-7691_security-context-demo.yaml",
        1,
        &[("invalid-value", 17, 13)],
    ),
    case(
        "003_L8412-8444_netpol-test.yaml",
        1,
        &[
            ("schema-unknown-field", 15, 7),
            ("schema-unknown-field", 16, 7),
            ("schema-unknown-field", 18, 5),
            ("schema-unknown-field", 21, 5),
        ],
    ),
    case(
        "003_L8488-8495_netpol-engress-deny.yaml",
        1,
        &[("schema-enum", 8, 5)],
    ),
    case(
        "003_L8501-8510_netpol-engress-allow.yaml",
        1,
        &[("schema-unknown-field", 7, 3), ("schema-enum", 10, 5)],
    ),
    case(
        "003_L8516-8524_netpol-deny-both.yaml",
        1,
        &[("schema-enum", 9, 5)],
    ),
    case(
        "003_L8893-8899_sc-standard.yaml",
        1,
        &[("schema-required", 1, 1), ("schema-unknown-field", 5, 1)],
    ),
    case(
        "003_L8917-8927_sc-aws.yaml",
        1,
        &[
            ("schema-required", 1, 1),
            ("schema-unknown-field", 5, 1),
            ("schema-type", 10, 14),
        ],
    ),
    case(
        "003_L8933-8940_sc-gce.yaml",
        1,
        &[("schema-required", 1, 1), ("schema-unknown-field", 5, 1)],
    ),
    case(
        "003_L8946-8960_sc-gluster.yaml",
        1,
        &[("schema-required", 1, 1), ("schema-unknown-field", 5, 1)],
    ),
    case(
        "003_L8976-8984_sc-default.yaml",
        1,
        &[
            ("schema-required", 1, 1),
            ("schema-type", 6, 5),
            ("schema-unknown-field", 7, 1),
        ],
    ),
    case(
        "003_L9319-9350_limitrange.yaml",
        1,
        &[
            ("schema-unknown-field", 14, 5),
            ("schema-unknown-field", 24, 5),
        ],
    ),
    case(
        "003_L9556-9566_rq.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case(
        "003_L9578-9589_rq-objects.yaml",
        1,
        &[("missing-api-version", 1, 1)],
    ),
    case(
        "003_L9691-9774_kube-apiserver-static.yaml",
        1,
        &[("invalid-value", 26, 13)],
    ),
    case(
        "003_L9807-9886_kcm-static.yaml",
        1,
        &[("missing-kind", 2, 1)],
    ),
    case(
        "003_L9896-9924_scheduler-static.yaml",
        1,
        &[("schema-unknown-field", 14, 5), ("invalid-value", 24, 13)],
    ),
    case(
        "004_L1053-1181_eureka-bundle.yaml",
        1,
        &[("api-removed", 17, 13), ("schema-type", 39, 13)],
    ),
    case(
        "004_L1400-1468_sts-redis-app.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "004_L1658-1669_liveness-fragment.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case(
        "004_L1677-1683_readiness-fragment.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case(
        "004_L1741-1768_ingress-ccb-ingress.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "004_L176-182_sa-nfs-client-provisioner.yaml",
        1,
        &[("schema-unknown-field", 5, 1)],
    ),
    case(
        "004_L1893-1918_hpa-nginx-deployment.yaml",
        1,
        &[("api-removed", 2, 13)],
    ),
    case(
        "004_L1934-1955_hpa-v2beta1.yaml",
        1,
        &[("api-removed", 2, 13)],
    ),
    case(
        "004_L2035-2040_imagepullsecrets-fragment.yaml",
        1,
        &[("not-a-manifest", 1, 1)],
    ),
    case(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        1,
        &[("api-removed", 2, 13)],
    ),
    case(
        "004_L392-410_pod-mount-a.yaml",
        1,
        &[("schema-unknown-field", 6, 5)],
    ),
    case("004_L436-444_pdb-zk-pdb.yaml", 1, &[("api-removed", 1, 13)]),
    case(
        "004_L512-541_sts-sts-pod-ip.yaml",
        1,
        &[("api-removed", 1, 13)],
    ),
    case(
        "004_L590-781_zookeeper-bundle.yaml",
        1,
        &[("api-removed", 38, 13)],
    ),
];

fn run_cases(dir: &str, cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let path = format!("{dir}/{}", c.file);
        let (exit, found, _) = check_json(&path);
        let expected: Found = c
            .diagnostics
            .iter()
            .map(|(code, l, col)| ((*code).to_owned(), *l, *col))
            .collect();
        if exit != c.exit || found != expected {
            failures.push(format!(
                "{path}: expected exit {} {expected:?}, got exit {exit} {found:?}",
                c.exit
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn bad_inputs_report_code_line_column_and_status() {
    run_cases("fixtures/bad", BAD);
}

#[test]
fn broken_kustomizations_point_at_the_failing_entry() {
    run_cases("fixtures/render/bad", RENDER_BAD);
    // A cycle is reported where it closes: in the second kustomization.
    let (_, _, json) = check_json("fixtures/render/bad/cycle/a");
    assert_eq!(
        json["diagnostics"][0]["file"],
        "fixtures/render/bad/cycle/b/kustomization.yaml"
    );
    let message = json["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("cycle detected: candidate root '"),
        "{message}"
    );
}

#[test]
fn every_bad_fixture_has_an_expectation() {
    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad"))
            .expect("fixtures/bad")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
    files.sort();
    let listed: Vec<String> = BAD.iter().map(|c| c.file.to_owned()).collect();
    assert_eq!(files, listed);
    assert!(files.len() >= 25);
}

#[test]
fn broken_seed_manifests() {
    run_cases("fixtures/seeds", SEEDS);
}

#[test]
fn seeds_without_loader_problems_load_cleanly() {
    // The TAB-before-comment files among them must be accepted, as kubectl does.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("seeds") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".yaml") || SEEDS.iter().any(|c| c.file == name) {
            continue;
        }
        let (exit, found, _) = check_json(&format!("fixtures/seeds/{name}"));
        if exit != 0 || !found.is_empty() {
            failures.push(format!("{name}: exit {exit} {found:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn good_inputs_have_no_diagnostics() {
    let (exit, found, json) = check_json("fixtures/good");
    assert_eq!((exit, found), (0, vec![]));
    assert_eq!(json["summary"]["files"], 10);
    assert_eq!(json["summary"]["objects"], 13);
}

#[test]
fn every_code_is_exercised() {
    let mut seen: std::collections::BTreeSet<&str> = BAD
        .iter()
        .chain(SEEDS)
        .chain(RENDER_BAD)
        .flat_map(|c| c.diagnostics.iter().map(|d| d.0))
        .collect();
    seen.insert("io-error"); // see missing_paths_are_io_errors
    // `drydock schedule --drain-check` reports it; src/schedule/tests.rs asserts it.
    seen.insert("drain-blocked");
    // Codes that need flags (`--reject`, `--kubernetes-version`) are shown by the
    // command-line cases, where the code heads each finding on a line of its own.
    let cmd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd");
    for entry in std::fs::read_dir(cmd).expect("tests/cmd") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        for line in text.lines() {
            if let Some(code) = drydock::diagnostic::codes::find(line.trim()) {
                seen.insert(code.name);
            }
        }
    }
    let all: std::collections::BTreeSet<&str> = drydock::diagnostic::codes::ALL
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn missing_paths_are_io_errors() {
    let (exit, found, json) = check_json("fixtures/no-such-file.yaml");
    assert_eq!(exit, 2);
    assert_eq!(found, vec![("io-error".to_owned(), 0, 0)]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "cannot read `fixtures/no-such-file.yaml`: no such file or directory"
    );
}

#[test]
fn secret_values_never_appear() {
    for format in ["human", "json"] {
        for file in [
            "fixtures/bad/secret-syntax-error.yaml",
            "tests/data/secret-lints.yaml",
            "tests/data/secret-in-list.yaml",
        ] {
            let out = drydock(&["check", "--format", format, file]);
            let text = String::from_utf8_lossy(&out.stdout);
            for secret in [
                "YWRtaW4=",
                "c3VwZXItc2VjcmV0",
                "ZGIuZXhhbXBsZQ==",
                "hunter2",
                "0777",
                "t0ps3cret",
            ] {
                assert!(
                    !text.contains(secret),
                    "{format} output of {file} shows `{secret}`:\n{text}"
                );
            }
            assert_eq!(out.status.code(), Some(1), "{file}");
        }
    }
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let run = |j: &str| drydock(&["-j", j, "check", "--format", "json", "fixtures"]).stdout;
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn stdin_is_read_with_dash() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_drydock"))
        .args(["check", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"apiVersion: v1\nkind: Pod\nmetadata: {}\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "missing-name");
    assert_eq!(d["file"], "<stdin>");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(d["object"]["kind"], "Pod");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn directories_are_walked_in_order_with_globs() {
    let out = drydock(&[
        "check",
        "--format",
        "json",
        "--exclude",
        "**/seeds/**",
        "--exclude",
        "**/render/**",
        // A kustomization found while walking is rendered whatever --include says.
        "--exclude",
        "**/overlay/**",
        "--include",
        "*.json",
        "fixtures",
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["objects"], 1);
    let bad_glob = drydock(&["check", "--exclude", "[", "fixtures"]);
    assert_eq!(bad_glob.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_glob.stderr).contains("invalid glob `[`"));
}

#[test]
fn rendered_findings_point_into_the_file_that_wrote_them() {
    // The overlay's patch prepends a container, so the base's container moves
    // from index 0 to 1; each finding still lands on the line that wrote it.
    let (exit, _, json) = check_json("fixtures/validate/overlay/prod");
    assert_eq!(exit, 1);
    let found: Vec<(String, String, u64, u64)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "schema-enum".to_owned(),
                "fixtures/validate/overlay/base/deployment.yaml".to_owned(),
                15,
                26
            ),
            (
                "schema-unknown-field".to_owned(),
                "fixtures/validate/overlay/prod/sidecar.yaml".to_owned(),
                12,
                9
            ),
        ]
    );
}

#[test]
fn walking_finds_the_kustomization_roots() {
    // The base is included by both overlays, so it is checked through them
    // and its files are not read on their own; its mistake is reported once,
    // not once per overlay.
    let walked = drydock(&["validate", "--format", "json", "fixtures/validate/overlay"]);
    let named = drydock(&[
        "validate",
        "--format",
        "json",
        "fixtures/validate/overlay/prod",
        "fixtures/validate/overlay/staging",
    ]);
    assert_eq!(walked.stdout, named.stdout);
    let json: Value = serde_json::from_slice(&walked.stdout).expect("json");
    assert_eq!(json["summary"]["objects"], 2);
    let found: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default(),
                d["file"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "schema-enum",
                "fixtures/validate/overlay/base/deployment.yaml"
            ),
            (
                "schema-unknown-field",
                "fixtures/validate/overlay/prod/sidecar.yaml"
            ),
        ]
    );
}

/// Targets render in parallel, each into a file table of its own: the report
/// must not depend on the thread count, and a finding in the base the three
/// overlays share must be reported once, against the base file.
#[test]
fn parallel_targets_give_the_same_report_as_one_thread() {
    let run = |threads: &str| {
        let out = drydock(&[
            "check",
            "-j",
            threads,
            "--format",
            "json",
            "--fail-on",
            "info",
            "overlays",
        ]);
        String::from_utf8(out.stdout).expect("utf-8 report")
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    let json: Value = serde_json::from_str(&one).expect("JSON report");
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
    assert!(!diagnostics.is_empty(), "the overlays have info findings");
    let mut keys: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a finding is reported twice");
    let base_findings = diagnostics
        .iter()
        .filter(|d| {
            d["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("overlays/base/"))
        })
        .count();
    assert!(
        base_findings > 0,
        "findings in the shared base point into it"
    );
}
