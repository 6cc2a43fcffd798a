use super::*;
use crate::pipeline::Pipeline;
use crate::source::{SourceFile, Sources};
use crate::yaml::LoadOptions;

/// One finding as tests compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    file: String,
    line: usize,
    column: usize,
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
}

struct Run {
    found: Vec<Found>,
    suppressed: Suppressed,
}

/// Loads `files` (name, text), runs the identity stage and then the linter.
fn run(config: Config, files: &[(&str, &str)]) -> Run {
    run_at(config, Version::latest(), files)
}

/// [`run`] for another Kubernetes release.
fn run_at(config: Config, version: Version, files: &[(&str, &str)]) -> Run {
    let mut sources = Sources::default();
    let mut resources = Vec::new();
    for (name, text) in files {
        let id = sources.add(SourceFile::new(*name, *text));
        let (rs, diags) = crate::load::load_text(id, text, &LoadOptions::default());
        assert!(
            diags.iter().all(|d| d.severity != Severity::Error),
            "{name}: {diags:?}"
        );
        resources.extend(rs);
    }
    let cx = Context { sources: &sources };
    let resources = Pipeline::check().run(resources, &cx).resources;
    let out = Lint::new(config, version).lint(&resources, &cx);
    let report = crate::report::Report::new(&sources, out.diagnostics, &resources);
    let found = report
        .diagnostics
        .iter()
        .map(|r| Found {
            file: r
                .file
                .map(|f| sources.get(f).name.clone())
                .unwrap_or_default(),
            line: r.start.map_or(0, |p| p.line),
            column: r.start.map_or(0, |p| p.column),
            code: r.diagnostic.code.to_owned(),
            severity: r.diagnostic.severity,
            message: r.diagnostic.message.clone(),
            help: r.diagnostic.help.clone(),
        })
        .collect();
    Run {
        found,
        suppressed: out.suppressed,
    }
}

fn codes(run: &Run) -> Vec<&str> {
    run.found.iter().map(|f| f.code.as_str()).collect()
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    resources:
      requests: {cpu: 100m, memory: 64Mi}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  automountServiceAccountToken: false
";

/// The ```yaml block following a `## <title>` heading of a rule's doc.
fn example(doc: &str, title: &str) -> Option<String> {
    let start = doc.find(&format!("## {title}"))?;
    let rest = &doc[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    let section = &rest[..end];
    let open = section.find("```yaml\n")? + "```yaml\n".len();
    let close = section[open..].find("```")? + open;
    Some(section[open..close].to_owned())
}

#[test]
fn every_rule_is_documented_and_its_examples_hold() {
    let mut seen = std::collections::HashSet::new();
    for rule in rules::RULES {
        let id = rule.id();
        assert!(seen.insert(id), "duplicate rule id {id}");
        assert!(
            !id.is_empty()
                && !id.starts_with('-')
                && !id.ends_with('-')
                && !id.contains("--")
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id} is not kebab-case"
        );
        assert!(
            crate::diagnostic::codes::find(id).is_none() && codes::ALL.iter().all(|c| c.name != id),
            "{id} collides with a diagnostic code"
        );
        let doc = doc_text(*rule);
        assert!(!rule.summary().is_empty(), "{id}: no summary");
        assert!(
            rule.summary().len() <= 70,
            "{id}: the summary is longer than 70 characters"
        );
        for section in ["## What it checks", "## Why"] {
            assert!(doc.contains(section), "{id}: no `{section}` section");
        }
        if !rule.params().is_empty() {
            assert!(doc.contains("## Parameters"), "{id}: no `## Parameters`");
            for p in rule.params() {
                assert!(
                    doc.contains(&format!("`{}`", p.name)),
                    "{id}: `{}` undocumented",
                    p.name
                );
                assert!(
                    p.default_value().is_some(),
                    "{id}: bad default for `{}`",
                    p.name
                );
            }
        }
        let failing = example(&doc, "Failing example")
            .unwrap_or_else(|| panic!("{id}: no yaml block under `## Failing example`"));
        let fixed = example(&doc, "Fixed example")
            .unwrap_or_else(|| panic!("{id}: no yaml block under `## Fixed example`"));
        let bad = run(Config::only(&[id]), &[("failing.yaml", &failing)]);
        assert!(
            bad.found.iter().any(|f| f.code == id),
            "{id}: the failing example finds nothing"
        );
        let good = run(Config::only(&[id]), &[("fixed.yaml", &fixed)]);
        assert!(
            good.found.is_empty(),
            "{id}: the fixed example finds {:?}",
            good.found
        );
    }
}

#[test]
fn rule_files_follow_their_ids() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules");
    for rule in rules::RULES {
        let file = root
            .join(rule.category().module())
            .join(format!("{}.rs", rule.id().replace('-', "_")));
        assert!(
            file.is_file(),
            "{} should be in {}",
            rule.id(),
            file.display()
        );
    }
}

#[test]
fn findings_point_at_the_parent_of_what_is_missing() {
    let r = run(
        Config::only(&["memory-limit", "cpu-limit"]),
        &[("p.yaml", POD)],
    );
    // `requests` exists but `limits` does not: the `resources` key.
    assert_eq!(
        r.found
            .iter()
            .map(|f| (f.code.as_str(), f.line, f.column))
            .collect::<Vec<_>>(),
        [("cpu-limit", 9, 5), ("memory-limit", 9, 5)]
    );
    assert_eq!(r.found[1].message, "container \"web\" has no memory limit");
}

#[test]
fn limits_give_requests_and_limit_ranges_give_both() {
    let pod = POD.replace("requests: {cpu: 100m, memory: 64Mi}", "limits: {cpu: 100m}");
    let r = run(
        Config::only(&["cpu-request", "memory-request"]),
        &[("p.yaml", &pod)],
    );
    assert_eq!(codes(&r), ["memory-request"]);
    let limit_range = "apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default: {memory: 256Mi}
";
    let r = run(
        Config::only(&["cpu-request", "memory-request", "memory-limit"]),
        &[("p.yaml", &pod), ("lr.yaml", limit_range)],
    );
    assert_eq!(codes(&r), Vec::<&str>::new());
    // A LimitRange in another namespace does not apply.
    let other = limit_range.replace("name: defaults", "name: defaults\n  namespace: other");
    let r = run(
        Config::only(&["memory-request"]),
        &[("p.yaml", &pod), ("lr.yaml", &other)],
    );
    assert_eq!(codes(&r), ["memory-request"]);
}

#[test]
fn severities_can_be_overridden_per_rule_and_per_category() {
    let cfg = |yaml: &str| Config::parse("drydock.yaml", yaml).expect("valid config");
    let r = run(cfg("rules: {memory-limit: error}\n"), &[("p.yaml", POD)]);
    let sev = |r: &Run, code: &str| r.found.iter().find(|f| f.code == code).map(|f| f.severity);
    assert_eq!(sev(&r, "memory-limit"), Some(Severity::Error));
    assert_eq!(sev(&r, "cpu-limit"), Some(Severity::Info));
    assert_eq!(sev(&r, "qos-class"), Some(Severity::Info));

    // The category applies to all its rules; a rule entry wins.
    let r = run(
        cfg("categories: {resources: error}\nrules:\n  cpu-limit: off\n"),
        &[("p.yaml", POD)],
    );
    assert_eq!(sev(&r, "memory-limit"), Some(Severity::Error));
    assert_eq!(sev(&r, "qos-class"), Some(Severity::Error));
    assert_eq!(sev(&r, "cpu-limit"), None);
    // Opt-in rules are enabled by a category severity.
    assert_eq!(sev(&r, "ephemeral-storage"), Some(Severity::Error));

    let r = run(cfg("categories: {resources: off}\n"), &[("p.yaml", POD)]);
    assert!(r.found.is_empty(), "{:?}", r.found);

    // `on` enables an opt-in rule at its default severity; YAML 1.1 `off` is false.
    let r = run(
        cfg("categories:\n  resources: off\nrules:\n  ephemeral-storage: on\n"),
        &[("p.yaml", POD)],
    );
    assert_eq!(codes(&r), ["ephemeral-storage"]);
    assert_eq!(r.found[0].severity, Severity::Warning);
}

#[test]
fn parameters_reach_the_rule() {
    let pod = POD.replace("cpu: 100m", "cpu: 100");
    let r = run(Config::only(&["absurd-quantity"]), &[("p.yaml", &pod)]);
    assert_eq!(codes(&r), ["absurd-quantity"]);
    assert_eq!(
        r.found[0].help.as_deref(),
        Some("a CPU quantity without a suffix is in cores: did you mean `100m`?")
    );
    let cfg = Config::parse(
        "drydock.yaml",
        "categories: {resources: off}\nrules:\n  absurd-quantity: {severity: error, max-cpu: 128}\n",
    )
    .expect("valid config");
    let r = run(cfg, &[("p.yaml", &pod)]);
    assert!(r.found.is_empty(), "{:?}", r.found);
}

#[test]
fn excluded_files_are_not_linted_but_still_seen() {
    let limit_range = "apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
";
    let bare = "apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  containers:
  - name: bare
    image: nginx:1.27
";
    let cfg = Config::parse(
        "drydock.yaml",
        "categories: {resources: off}\nrules: {memory-limit: on}\nexclude: [\"vendor/**\"]\n",
    )
    .expect("valid config");
    assert_eq!(cfg.exclude_patterns(), ["vendor/**"]);
    assert!(cfg.is_excluded("vendor/x/pod.yaml"));
    assert!(cfg.is_excluded("./vendor/pod.yaml"));
    assert!(!cfg.is_excluded("apps/pod.yaml"));
    // Only memory-limit matters here; the bare pod breaks other categories' rules.
    let memory = |r: &Run| -> Vec<String> {
        r.found
            .iter()
            .filter(|f| f.code == "memory-limit")
            .map(|f| f.file.clone())
            .collect()
    };
    let r = run(
        cfg.clone(),
        &[("vendor/pod.yaml", bare), ("apps/pod.yaml", bare)],
    );
    assert_eq!(memory(&r), ["apps/pod.yaml"]);
    // The LimitRange in an excluded file still fills in the limit.
    let r = run(
        cfg,
        &[("apps/pod.yaml", bare), ("vendor/lr.yaml", limit_range)],
    );
    assert!(memory(&r).is_empty(), "{:?}", r.found);
}

#[test]
fn annotations_exempt_objects_and_are_counted() {
    let exempt = |value: &str| {
        POD.replace(
            "  name: web\n",
            &format!("  name: web\n  annotations:\n    drydock.dev/ignore: \"{value}\"\n"),
        )
    };
    let cfg = || Config::only(&["cpu-limit", "memory-limit", "qos-class"]);
    let r = run(
        cfg(),
        &[("p.yaml", &exempt("memory-limit, cpu-limit # legacy image"))],
    );
    assert_eq!(codes(&r), ["qos-class"]);
    assert_eq!(r.suppressed.total, 2);
    assert_eq!(r.suppressed.by_rule.get("memory-limit"), Some(&1));

    for all in ["*", "all", "ALL # everything"] {
        let r = run(cfg(), &[("p.yaml", &exempt(all))]);
        assert!(r.found.is_empty(), "{all}: {:?}", r.found);
        assert_eq!(r.suppressed.total, 3);
    }

    let r = run(cfg(), &[("p.yaml", &exempt("memory-limits,cpu-limit"))]);
    let unknown: Vec<&Found> = r
        .found
        .iter()
        .filter(|f| f.code == "lint-unknown-rule")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!((unknown[0].line, unknown[0].column), (6, 25));
    assert_eq!(unknown[0].severity, Severity::Warning);
    assert_eq!(
        unknown[0].message,
        "`memory-limits` in drydock.dev/ignore is not a drydock rule"
    );
    assert_eq!(
        unknown[0].help.as_deref(),
        Some("did you mean `memory-limit`?")
    );
    // The misspelt rule still reports; the other is suppressed.
    assert!(codes(&r).contains(&"memory-limit"));
    assert!(!codes(&r).contains(&"cpu-limit"));
}

#[test]
fn ignore_annotations_parse() {
    assert_eq!(parse_ignore("a, b ,,c"), (vec!["a", "b", "c"], None));
    assert_eq!(parse_ignore("a # why not"), (vec!["a"], Some("why not")));
    assert_eq!(
        parse_ignore("# only a reason"),
        (vec![], Some("only a reason"))
    );
    assert_eq!(parse_ignore(""), (vec![], None));
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let many: String = (0..40)
        .map(|i| POD.replace("name: web\nspec", &format!("name: web{i}\nspec")))
        .collect::<Vec<_>>()
        .join("---\n");
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| run(Config::default(), &[("many.yaml", &many)]).found)
    };
    let one = run_on(1);
    assert_eq!(one.len(), 40 * 4);
    assert_eq!(one, run_on(4));
}

mod config_errors {
    use super::*;

    /// (line, column, message, help) of each problem.
    fn problems(yaml: &str) -> Vec<(usize, usize, String, Option<String>)> {
        match Config::parse("drydock.yaml", yaml) {
            Ok(_) => panic!("{yaml:?} should not parse"),
            Err(e) => e
                .problems
                .iter()
                .map(|p| (p.line, p.column, p.message.clone(), p.help.clone()))
                .collect(),
        }
    }

    fn one(yaml: &str) -> (usize, usize, String, Option<String>) {
        let mut p = problems(yaml);
        assert_eq!(p.len(), 1, "{p:?}");
        p.remove(0)
    }

    #[test]
    fn unknown_keys_point_at_the_key_and_suggest() {
        let (l, c, m, h) = one("exclude: []\nrulez:\n  cpu-limit: off\n");
        assert_eq!((l, c), (2, 1));
        assert_eq!(m, "unknown key `rulez`");
        assert_eq!(h.as_deref(), Some("did you mean `rules`?"));

        let (l, c, m, h) = one("pod-security:\n  default-levle: restricted\n");
        assert_eq!((l, c), (2, 3));
        assert_eq!(m, "unknown key `default-levle` in `pod-security`");
        assert_eq!(h.as_deref(), Some("did you mean `default-level`?"));
    }

    #[test]
    fn targets_and_nodes_are_lists_of_strings() {
        let (l, c, m, _) = one("targets:\n  - overlays/dev\n  - 3\n");
        assert_eq!((l, c), (3, 5));
        assert_eq!(m, "a path must be a string, not integer");
        let (l, c, m, _) = one("nodes: {a: b}\n");
        assert_eq!((l, c), (1, 8));
        assert_eq!(m, "`nodes` must be a list of strings, not object");
        let cfg = Config::parse("drydock.yaml", "targets: [a, b/c]\nnodes: 3x4cpu16Gi\n")
            .expect("valid config");
        // Without a file path, entries are taken as written.
        assert_eq!(cfg.targets(), ["a", "b/c"]);
        assert_eq!(cfg.nodes(), ["3x4cpu16Gi"]);
    }

    #[test]
    fn unknown_rules_and_categories() {
        let (l, c, m, h) = one("rules:\n  cpu-limit: off\n  memory-limits: error\n");
        assert_eq!((l, c), (3, 3));
        assert_eq!(m, "unknown rule `memory-limits`");
        assert_eq!(h.as_deref(), Some("did you mean `memory-limit`?"));

        let (l, c, m, h) = one("categories:\n  resource: off\n");
        assert_eq!((l, c), (2, 3));
        assert_eq!(m, "unknown category `resource`");
        assert_eq!(h.as_deref(), Some("did you mean `resources`?"));
    }

    #[test]
    fn bad_levels_point_at_the_value() {
        let (l, c, m, h) = one("rules:\n  cpu-limit: errror\n");
        assert_eq!((l, c), (2, 14));
        assert_eq!(
            m,
            "`errror` is not a level: expected off, on, info, warning or error"
        );
        assert_eq!(h.as_deref(), Some("did you mean `error`?"));
        let (l, c, m, _) = one("categories:\n  security: 3\n");
        assert_eq!((l, c), (2, 13));
        assert!(m.starts_with("integer is not a level"), "{m}");
    }

    #[test]
    fn parameters_are_checked_against_the_rule() {
        let (l, c, m, h) = one("rules:\n  absurd-quantity:\n    max-cpus: 128\n");
        assert_eq!((l, c), (3, 5));
        assert_eq!(m, "unknown parameter `max-cpus` for rule `absurd-quantity`");
        assert_eq!(h.as_deref(), Some("did you mean `max-cpu`?"));

        let (l, c, m, h) = one("rules:\n  absurd-quantity: {max-cpu: lots}\n");
        assert_eq!((l, c), (2, 30));
        assert_eq!(m, "`max-cpu` must be a quantity (such as 64, 500m or 1Mi)");
        assert_eq!(h.as_deref(), Some("the default is 64"));

        let (l, c, m, h) = one(
            "rules:\n  cluster-ip-range:\n    service-cluster-ip-range: [10.43.0.0/16, 10.44.0.0/33]\n",
        );
        assert_eq!((l, c), (3, 46));
        assert_eq!(
            m,
            "`10.44.0.0/33` in `service-cluster-ip-range` is not a CIDR such as 10.96.0.0/12 or fd00::/108"
        );
        assert_eq!(h.as_deref(), Some("the default is [10.96.0.0/12]"));
        let (l, c, m, _) = one("rules:\n  cluster-ip-range: {service-cluster-ip-range: 3}\n");
        assert_eq!((l, c), (2, 48));
        assert_eq!(
            m,
            "`service-cluster-ip-range` must be a list of CIDRs (such as 10.96.0.0/12 or fd00::/108)"
        );
        let (_, _, m, _) = one(
            "rules:\n  cluster-ip-range: {service-cluster-ip-range: \"10.43.0.0/16,fd00::/1x\"}\n",
        );
        assert!(
            m.starts_with("`fd00::/1x` in `service-cluster-ip-range`"),
            "{m}"
        );
        let (_, _, m, _) = one("rules:\n  cluster-ip-range: {service-cluster-ip-range: []}\n");
        assert!(
            m.starts_with("`service-cluster-ip-range` must be a list of CIDRs"),
            "{m}"
        );
        let cfg = Config::parse(
            "drydock.yaml",
            "rules:\n  cluster-ip-range: {service-cluster-ip-range: \"10.43.0.0/16, fd00:43::/112\"}\n",
        )
        .expect("valid config");
        let rule = find_rule("cluster-ip-range").expect("rule");
        let (_, params) = cfg.resolve(rule).expect("enabled");
        let ranges: Vec<String> = params
            .cidrs("service-cluster-ip-range")
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ranges, ["10.43.0.0/16", "fd00:43::/112"]);

        let (_, _, m, h) = one("rules:\n  cpu-limit: {severity: info, limit: 3}\n");
        assert_eq!(m, "unknown parameter `limit` for rule `cpu-limit`");
        assert_eq!(
            h.as_deref(),
            Some("`cpu-limit` has no parameters; only `severity` can be set")
        );
    }

    #[test]
    fn globs_syntax_and_shape() {
        let (l, c, m, _) = one("exclude:\n  - ok/**\n  - \"a/{b\"\n");
        assert_eq!((l, c), (3, 5));
        assert!(m.starts_with("invalid glob `a/{b`"), "{m}");

        let (l, c, m, _) = one("rules: [cpu-limit]\n");
        assert_eq!((l, c), (1, 8));
        assert_eq!(m, "`rules` must be a mapping, not array");

        // The parser notices the unclosed list at the end of the file.
        let p = problems("rules:\n  cpu-limit: [off\n");
        assert_eq!(p[0].0, 3, "{p:?}");
        assert!(p[0].2.contains("did not find expected"), "{p:?}");

        let (_, _, m, _) = one("rules: {}\n---\nrules: {}\n");
        assert_eq!(m, "drydock.yaml must hold a single YAML document");
    }

    #[test]
    fn every_problem_is_reported_and_printed_with_its_position() {
        let err = Config::parse(
            "conf/drydock.yaml",
            "rulez: {}\ncategories:\n  securty: off\n",
        )
        .expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "conf/drydock.yaml:1:1: unknown key `rulez` (did you mean `rules`?)\n\
             conf/drydock.yaml:3:3: unknown category `securty` (did you mean `security`?)"
        );
        let (sources, diags) = err.diagnostics();
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].code, "config-invalid");
        let report = crate::report::Report::new(&sources, diags, &[]);
        assert_eq!(
            report.diagnostics[1].start,
            Some(crate::report::Position { line: 3, column: 3 })
        );
    }

    #[test]
    fn a_full_configuration_parses() {
        let c = Config::parse(
            "drydock.yaml",
            "# comment\nrules:\n  cpu-limit: off\n  memory-limit: error\n  absurd-quantity:\n    severity: warning\n    max-cpu: 128\n    min-memory: 4Mi\ncategories:\n  security: warning\nexclude:\n  - vendor/**\npod-security:\n  default-level: restricted\n",
        )
        .expect("valid");
        assert_eq!(
            c.pod_security.default_level,
            config::PodSecurityLevel::Restricted
        );
        let absurd = find_rule("absurd-quantity").expect("registered");
        let (sev, params) = c.resolve(absurd).expect("enabled");
        assert_eq!(sev, Severity::Warning);
        assert_eq!(params.quantity("max-cpu").map(|q| q.value()), Some(128));
        assert_eq!(
            params.quantity("max-memory").map(|q| q.to_string()),
            Some("1Ti".into())
        );
        assert!(
            c.resolve(find_rule("cpu-limit").expect("registered"))
                .is_none()
        );
        assert!(Config::parse("drydock.yaml", "").is_ok());
        assert!(Config::parse("drydock.yaml", "rules:\n").is_ok());
    }

    #[test]
    fn discovery_walks_up_from_the_directory() {
        let dir = std::env::temp_dir().join(format!("drydock-config-{}", std::process::id()));
        let nested = dir.join("a/b");
        std::fs::create_dir_all(&nested).expect("temp dir");
        std::fs::write(dir.join(config::FILE_NAME), "rules: {cpu-limit: error}\n")
            .expect("write config");
        let c = config::discover_from(&nested).expect("valid");
        assert_eq!(
            c.path.as_deref(),
            Some(dir.join(config::FILE_NAME).as_path())
        );
        let (sev, _) = c
            .resolve(find_rule("cpu-limit").expect("registered"))
            .expect("enabled");
        assert_eq!(sev, Severity::Error);
        std::fs::write(dir.join(config::FILE_NAME), "rules: {cpu-limitt: error}\n")
            .expect("write config");
        let e = config::discover(Some(&dir.join(config::FILE_NAME))).expect_err("invalid");
        assert!(
            e.to_string().contains(":1:9: unknown rule `cpu-limitt`"),
            "{e}"
        );
        let missing = config::discover(Some(&dir.join("nope.yaml"))).expect_err("missing");
        assert!(missing.to_string().contains("cannot read"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

mod pods {
    use super::*;
    use crate::lint::pod::{QosClass, format_list, pod_totals, qos};
    use crate::resource::quantity::Quantity;

    fn load(text: &str) -> Vec<Resource> {
        let (rs, diags) =
            crate::load::load_text(crate::source::FileId(0), text, &LoadOptions::default());
        assert!(diags.is_empty(), "{diags:?}");
        rs
    }

    fn container(name: &str, extra: &str, cpu: &str) -> String {
        format!(
            "  - name: {name}\n    image: x{extra}\n    resources:\n      requests: {{cpu: \"{cpu}\"}}\n"
        )
    }

    fn totals(text: &str) -> String {
        let rs = load(text);
        let index = Index::new(&rs);
        let pod = PodSpec::of(&rs[0]).expect("pod spec");
        let defaults = index.container_defaults(index.namespace_of(&rs[0]));
        format_list(&pod_totals(&pod, defaults).requests)
    }

    #[test]
    fn pod_requests_follow_the_scheduler_examples() {
        let sidecar = "\n    restartPolicy: Always";
        // sidecar 10 + init 200 + container 100 => 210
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  initContainers:\n{}{}  containers:\n{}",
            container("s", sidecar, "10"),
            container("i", "", "200"),
            container("c", "", "100"),
        );
        assert_eq!(totals(&text), "CPU 210");
        // init 5, sidecar 1, sidecar 2, init 5, sidecar 3, container 1 => 8
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  initContainers:\n{}{}{}{}{}  containers:\n{}",
            container("i1", "", "5"),
            container("s1", sidecar, "1"),
            container("s2", sidecar, "2"),
            container("i2", "", "5"),
            container("s3", sidecar, "3"),
            container("c", "", "1"),
        );
        assert_eq!(totals(&text), "CPU 8");
        // Overhead is added; without sidecars it is max(sum, max init).
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      overhead: {{cpu: 250m}}\n      initContainers:\n{}      containers:\n{}{}",
            container("i", "", "1")
                .replace("\n  ", "\n      ")
                .replacen("  -", "      -", 1),
            container("a", "", "300m")
                .replace("\n  ", "\n      ")
                .replacen("  -", "      -", 1),
            container("b", "", "300m")
                .replace("\n  ", "\n      ")
                .replacen("  -", "      -", 1),
        );
        assert_eq!(totals(&text), "CPU 1250m");
    }

    #[test]
    fn limit_range_defaults_follow_the_worked_example() {
        let text = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - name: a
    image: x
    resources:
      limits: {cpu: \"2\"}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    max: {cpu: \"1\", memory: 1Gi}
    min: {cpu: 100m, memory: 3Mi}
    default: {cpu: 300m, memory: 200Mi}
    defaultRequest: {cpu: 200m, memory: 100Mi}
";
        let rs = load(text);
        let index = Index::new(&rs);
        let pod = PodSpec::of(&rs[0]).expect("pod");
        let defaults = index.container_defaults(Some("shop"));
        let e = pod::effective(&pod.containers()[0], defaults);
        let q = |s: &str| Quantity::parse(s).expect("quantity");
        assert_eq!(e.requests.get("cpu"), Some(&q("2")));
        assert_eq!(e.requests.get("memory"), Some(&q("100Mi")));
        assert_eq!(e.limits.get("memory"), Some(&q("200Mi")));
        assert_eq!(qos(&pod, defaults).class, QosClass::Burstable);
        // Without a `default`, `max` stands in for it.
        let text = text.replace("    default: {cpu: 300m, memory: 200Mi}\n", "");
        let rs = load(&text);
        let index = Index::new(&rs);
        let defaults = index.container_defaults(Some("shop"));
        assert_eq!(defaults.limits.get("memory").map(|d| d.0), Some(q("1Gi")));
        assert_eq!(
            defaults.requests.get("memory").map(|d| d.0),
            Some(q("100Mi"))
        );
    }

    #[test]
    fn qos_classes() {
        let class = |resources: &str| {
            let text = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: a\n    image: x\n{resources}"
            );
            let rs = load(&text);
            let index = Index::new(&rs);
            let pod = PodSpec::of(&rs[0]).expect("pod");
            let q = qos(&pod, index.container_defaults(Some("default")));
            (q.class, q.reason)
        };
        assert_eq!(class("").0, QosClass::BestEffort);
        assert_eq!(
            class("    resources: {limits: {cpu: \"1\", memory: 1Gi}}\n").0,
            QosClass::Guaranteed
        );
        assert_eq!(
            class("    resources: {limits: {cpu: \"1\", memory: 1Gi}, requests: {cpu: 1000m}}\n").0,
            QosClass::Guaranteed
        );
        let (c, reason) = class("    resources: {requests: {cpu: 100m}}\n");
        assert_eq!(c, QosClass::Burstable);
        assert_eq!(
            reason.as_deref(),
            Some("container \"a\" has no CPU and memory limits")
        );
        // Only cpu and memory count.
        assert_eq!(
            class("    resources: {limits: {ephemeral-storage: 1Gi}}\n").0,
            QosClass::BestEffort
        );
    }
}

mod index {
    use super::*;

    const SET: &str = "apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {tier: front}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, track: stable}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
---
apiVersion: example.com/v1
kind: Cluster
metadata: {name: c1}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusters.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Cluster, plural: clusters}
";

    #[test]
    fn indexes_by_kind_namespace_identity_and_label() {
        let (rs, _) =
            crate::load::load_text(crate::source::FileId(0), SET, &LoadOptions::default());
        let index = Index::new(&rs);
        let names = |it: &mut dyn Iterator<Item = &Resource>| {
            it.map(|r| r.name().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&mut index.of_kind("Deployment")), ["web"]);
        assert_eq!(names(&mut index.in_namespace("default")), ["web"]);
        assert_eq!(names(&mut index.in_namespace("shop")), ["web"]);
        assert_eq!(names(&mut index.of_kind_in("Service", "default")), ["web"]);
        assert!(index.get("Deployment", Some("shop"), "web").is_some());
        assert!(index.get("Deployment", Some("default"), "web").is_none());
        assert!(index.get("Namespace", None, "shop").is_some());
        // A custom resource whose CRD in the set says `scope: Cluster`.
        assert!(index.get("Cluster", None, "c1").is_some());
        assert_eq!(names(&mut index.with_label("tier", "front")), ["web"]);
        assert_eq!(
            names(&mut index.with_label("tier", "back")),
            Vec::<String>::new()
        );
        let svc = index
            .get("Service", Some("default"), "web")
            .expect("service");
        let selector =
            LabelSelector::from_labels(svc.value.pointer("/spec/selector").expect("selector"))
                .expect("valid");
        assert_eq!(
            names(&mut index.pods_selected_by("default", &selector)),
            Vec::<String>::new()
        );
        assert_eq!(
            names(&mut index.pods_selected_by("shop", &selector)),
            ["web"]
        );
        let all = LabelSelector::default();
        assert_eq!(
            names(&mut index.objects_selected_by(Some("shop"), &all)),
            ["web"]
        );
    }

    #[test]
    fn selectors_match_like_the_api_server() {
        let yaml = |s: &str| {
            crate::yaml::parse(crate::source::FileId(0), s, &LoadOptions::default()).docs[0]
                .value
                .clone()
        };
        let labels = yaml("app: web\ntrack: canary\n");
        let labels = labels.as_map();
        let matches = |sel: &str| {
            let v = yaml(sel);
            LabelSelector::from_selector(&v)
                .expect("valid")
                .matches(labels)
        };
        assert!(matches("{}"));
        assert!(matches("matchLabels: {app: web}"));
        assert!(!matches("matchLabels: {app: api}"));
        assert!(matches(
            "matchExpressions: [{key: track, operator: In, values: [canary, beta]}]"
        ));
        assert!(!matches(
            "matchExpressions: [{key: track, operator: NotIn, values: [canary]}]"
        ));
        assert!(matches(
            "matchExpressions: [{key: tier, operator: NotIn, values: [x]}]"
        ));
        assert!(matches("matchExpressions: [{key: app, operator: Exists}]"));
        assert!(!matches(
            "matchExpressions: [{key: app, operator: DoesNotExist}]"
        ));
        assert!(!matches(
            "matchLabels: {app: web}\nmatchExpressions: [{key: tier, operator: Exists}]"
        ));
        let bad = yaml("matchExpressions: [{key: a, operator: Maybe}]");
        assert!(LabelSelector::from_selector(&bad).is_err());
    }
}

mod component_flags {
    use super::*;

    const APISERVER: &str = "apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver-amd64:v1.22.0
    args: [--insecure-port=0, --admission-control=ServiceAccount]
";

    fn found(run: &Run) -> Vec<(Severity, &str)> {
        run.found
            .iter()
            .map(|f| (f.severity, f.message.as_str()))
            .collect()
    }

    #[test]
    fn a_flag_removed_later_is_a_warning_before_and_an_error_after() {
        let at = |v: &str| {
            let version = crate::schema::select(v).expect("bundled").version;
            run_at(
                Config::only(&["deprecated-component-flags"]),
                version,
                &[("p.yaml", APISERVER)],
            )
        };
        // Found by the image, since there is no `command`.
        let before = at("1.23");
        assert_eq!(
            found(&before),
            [
                (
                    Severity::Warning,
                    "kube-apiserver flag `--insecure-port` is deprecated since Kubernetes 1.10 and removed in 1.24 (container \"kube-apiserver\")"
                ),
                (
                    Severity::Warning,
                    "kube-apiserver flag `--admission-control` is deprecated since Kubernetes 1.10 (container \"kube-apiserver\")"
                ),
            ]
        );
        let after = at("1.24");
        assert_eq!(
            found(&after)[0],
            (
                Severity::Error,
                "kube-apiserver flag `--insecure-port` was removed in Kubernetes 1.24: kube-apiserver 1.24 exits with `unknown flag: --insecure-port` (container \"kube-apiserver\")"
            )
        );
    }

    #[test]
    fn a_configured_severity_applies_to_removed_flags_too() {
        let config = Config::parse(
            "drydock.yaml",
            "categories: {security: off}\nrules:\n  deprecated-component-flags: info\n",
        )
        .expect("valid config");
        let r = run(config, &[("p.yaml", APISERVER)]);
        let ours: Vec<Severity> = r
            .found
            .iter()
            .filter(|f| f.code == "deprecated-component-flags")
            .map(|f| f.severity)
            .collect();
        assert_eq!(ours, [Severity::Info, Severity::Info]);
    }

    #[test]
    fn only_the_component_command_is_read() {
        // The flag after `&&` belongs to another program; hyperkube names the
        // component in its first argument.
        let pod = "apiVersion: v1
kind: Pod
metadata:
  name: cm
spec:
  containers:
  - name: cm
    image: example/hyperkube:v1.21.0
    command: [sh, -c, \"/hyperkube controller-manager --port=0 && other --port=1\"]
";
        let r = run(
            Config::only(&["deprecated-component-flags"]),
            &[("p.yaml", pod)],
        );
        let want = format!(
            "kube-controller-manager flag `--port` was removed in Kubernetes 1.24: kube-controller-manager {} exits with `unknown flag: --port` (container \"cm\")",
            Version::latest()
        );
        assert_eq!(found(&r), [(Severity::Error, want.as_str())]);
    }
}
