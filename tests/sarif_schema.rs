//! `--format sarif` output is valid SARIF 2.1.0.
//!
//! The OASIS schema is not vendored: set `DRYDOCK_SARIF_SCHEMA` to its path
//! (`.ci/run` does, from the copy the `serde-sarif` crate ships). Without it
//! the test says so and checks the output's shape only.

use std::process::Command;

use serde_json::Value;

fn sarif_of(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_drydock"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run drydock");
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let runs = [
        sarif_of(&[
            "check",
            "--format",
            "sarif",
            "fixtures/report/app.yaml",
            "fixtures/validate/overlay/prod",
            "fixtures/bad/tab-indentation.yaml",
        ]),
        sarif_of(&[
            "check",
            "--format",
            "sarif",
            "fixtures/good/multi-document.yaml",
        ]),
        sarif_of(&["validate", "--format", "sarif", "fixtures/seeds"]),
    ];
    for doc in &runs {
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for r in run["results"].as_array().expect("results") {
            let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            assert!(r["partialFingerprints"]["drydock/v1"].is_string());
        }
    }
    let Ok(path) = std::env::var("DRYDOCK_SARIF_SCHEMA") else {
        eprintln!("DRYDOCK_SARIF_SCHEMA is not set: shape checked, schema validation skipped");
        return;
    };
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .expect("schema is JSON");
    // The published `language` patterns end in an unescaped `]`, which the
    // meta-schema's `regex` format rejects; drydock never writes `language`.
    for def in ["run", "toolComponent"] {
        let at = format!("/definitions/{def}/properties/language");
        if let Some(o) = schema.pointer_mut(&at).and_then(Value::as_object_mut) {
            o.remove("pattern");
        }
    }
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for doc in &runs {
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(10)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn fingerprints_do_not_move_with_lines() {
    let dir = std::env::temp_dir().join(format!("drydock-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/report/app.yaml"),
    )
    .expect("fixture");
    let a = dir.join("a.yaml");
    std::fs::write(&a, &base).expect("write");
    let first = sarif_of(&["validate", "--format", "sarif", a.to_str().expect("utf-8")]);
    // Comment lines above the finding move it down two lines.
    std::fs::write(&a, format!("# one\n# two\n{base}")).expect("write");
    let second = sarif_of(&["validate", "--format", "sarif", a.to_str().expect("utf-8")]);
    let result = |d: &Value| d["runs"][0]["results"][0].clone();
    let (r1, r2) = (result(&first), result(&second));
    assert_eq!(
        r2["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .zip(r1["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64())
            .map(|(b, a)| b - a),
        Some(2)
    );
    assert_eq!(r1["partialFingerprints"], r2["partialFingerprints"]);
    let _ = std::fs::remove_dir_all(&dir);
}
