use super::pss::{self, Pod, PolicyVersion, Violation};
use crate::diagnostic::{Severity, Target};
use crate::lint::config::PodSecurityLevel as Level;
use crate::lint::{
    Cx, IGNORE_ANNOTATION, Param, Params, PodSpec, Rule, declare_rule, parse_ignore,
};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

declare_rule! {
    /// Pods must pass the Pod Security level their namespace enforces.
    ///
    /// ## What it checks
    ///
    /// Predicts the verdict of the PodSecurity admission controller on every
    /// Pod and every pod template (Deployment, StatefulSet, DaemonSet, Job,
    /// CronJob, ReplicaSet, ReplicationController, PodTemplate), with the
    /// checks of the Pod Security Standards (`privileged`, `baseline` and
    /// `restricted`) at the policy version that applies.
    ///
    /// The level comes from the labels of the pod's Namespace when that
    /// Namespace is among the checked objects:
    /// `pod-security.kubernetes.io/enforce`, `warn` and `audit`, each with an
    /// optional `-version` label (`latest` or `v1.N`). A version newer than
    /// `--kubernetes-version`, and `latest`, mean the checks of that
    /// Kubernetes release. Without an `enforce` label, or when the Namespace
    /// is not among the objects, the level is `pod-security: default-level`
    /// from `drydock.yaml` (`baseline` unless set). An unset `warn` label
    /// warns at the enforce level, as the admission controller does; an
    /// invalid `enforce` level counts as `restricted` and an invalid `warn` or
    /// `audit` level as `privileged`. Such label mistakes are reported on the
    /// Namespace itself.
    ///
    /// There is one finding per failing check, at the offending field; the
    /// message is the admission controller's own
    /// (`violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (...)`).
    /// A violation of the enforced level is reported at the rule's severity
    /// (error), one of the `warn` level as a warning and one of the `audit`
    /// level as info; a problem is reported once, at the strictest mode that
    /// catches it. The admission controller checks workload templates only for
    /// warnings, and rejects their pods when they are created: drydock reports
    /// the enforced level on templates too, since none of their pods would
    /// start.
    ///
    /// ## Why
    ///
    /// A Deployment whose pods break the enforced level is accepted by
    /// `kubectl apply`, but its ReplicaSet never gets a pod created: the
    /// failure shows only in the ReplicaSet's events. Finding it before
    /// deploying saves a broken rollout.
    ///
    /// ## Relation to the security rules
    ///
    /// This is one rule rather than one per check because the admission
    /// controller has no per-check switches: a namespace gets a level, and
    /// every check of the level applies. It is configured the same way, with
    /// the labels, `default-level` and the exemptions below; an object that
    /// really needs an exception says so with `drydock.dev/ignore`.
    ///
    /// The `security` rules (`privileged-container`, `host-path`,
    /// `run-as-non-root`, ...) judge the same fields as best practice, at
    /// their own severities, and can be switched one by one as in
    /// kube-linter or Polaris. To report a problem once, a security rule
    /// leaves out a field that the corresponding check of this rule already
    /// reports at the same or a higher severity; when this rule is off, or an
    /// object exempts itself from it, the security rules report everything.
    /// So with the default `baseline` level a privileged container is one
    /// `pod-security-admission` error, while a missing `runAsNonRoot` (a
    /// `restricted` check) is a `run-as-non-root` warning. `docker-socket`
    /// and `sensitive-host-mount` always report: they say what a `hostPath`
    /// volume exposes, beyond the `hostPath volumes` finding.
    ///
    /// ## Parameters
    ///
    /// - `exempt-namespaces` (default `[]`): namespaces the admission
    ///   controller exempts (its `exemptions.namespaces`);
    /// - `exempt-runtime-classes` (default `[]`): runtime classes it exempts
    ///   (its `exemptions.runtimeClasses`).
    ///
    /// ```yaml
    /// pod-security:
    ///   default-level: restricted
    /// rules:
    ///   pod-security-admission: {exempt-namespaces: [kube-system]}
    /// ```
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: web
    ///         image: nginx:1.27
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       securityContext:
    ///         runAsNonRoot: true
    ///         seccompProfile: {type: RuntimeDefault}
    ///       containers:
    ///       - name: web
    ///         image: nginxinc/nginx-unprivileged:1.27
    ///         securityContext:
    ///           allowPrivilegeEscalation: false
    ///           capabilities: {drop: [ALL]}
    /// ```
    pub struct PodSecurityAdmission {
        id: "pod-security-admission",
        category: PodSecurity,
        severity: Error,
        params: [
            Param::strings("exempt-namespaces", &[], "namespaces the admission controller exempts"),
            Param::strings("exempt-runtime-classes", &[], "runtime classes the admission controller exempts"),
        ],
    }
}

const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

const MODES: [Mode; 3] = [Mode::Enforce, Mode::Warn, Mode::Audit];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Enforce,
    Warn,
    Audit,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }

    /// The severity of a finding in this mode, for a rule at `base`.
    fn severity(self, base: Severity) -> Severity {
        match self {
            Mode::Enforce => base,
            Mode::Warn => base.min(Severity::Warning),
            Mode::Audit => base.min(Severity::Info),
        }
    }
}

fn parse_level(s: &str) -> Option<Level> {
    match s {
        "privileged" => Some(Level::Privileged),
        "baseline" => Some(Level::Baseline),
        "restricted" => Some(Level::Restricted),
        _ => None,
    }
}

/// Where the level of a mode comes from.
enum Origin<'a> {
    /// A label of the Namespace, as written (maybe invalid).
    Label(&'a Resource, &'a str),
    /// The configured default level; `true` when the Namespace is known.
    Default(bool),
    /// `warn` follows an `enforce` label.
    Enforce,
}

/// The level and version one mode holds the namespace's pods to.
struct Policy<'a> {
    mode: Mode,
    level: Level,
    version: PolicyVersion,
    origin: Origin<'a>,
}

fn label<'a>(labels: Option<&'a Map>, key: &str) -> Option<&'a str> {
    labels?
        .get(&format!("{LABEL_PREFIX}{key}"))
        .and_then(Value::as_str)
}

fn version_label(labels: Option<&Map>, mode: Mode) -> Option<PolicyVersion> {
    label(labels, &format!("{}-version", mode.as_str()))
        .map(|s| PolicyVersion::parse(s).unwrap_or(PolicyVersion::Latest))
}

/// The policies of namespace `ns`, strictest mode first, `privileged` ones
/// left out.
fn policies<'a>(cx: &Cx<'a>, ns: &str) -> Vec<Policy<'a>> {
    let object = cx.index.get("Namespace", None, ns);
    let labels = object.and_then(|o| o.value.pointer("/metadata/labels")?.as_map());
    let enforce = match (object, label(labels, "enforce")) {
        (Some(o), Some(raw)) => Policy {
            mode: Mode::Enforce,
            level: parse_level(raw).unwrap_or(Level::Restricted),
            version: version_label(labels, Mode::Enforce).unwrap_or(PolicyVersion::Latest),
            origin: Origin::Label(o, raw),
        },
        _ => Policy {
            mode: Mode::Enforce,
            level: cx.config.pod_security.default_level,
            version: version_label(labels, Mode::Enforce).unwrap_or(PolicyVersion::Latest),
            origin: Origin::Default(object.is_some()),
        },
    };
    let mut out = Vec::new();
    for mode in [Mode::Warn, Mode::Audit] {
        let version = version_label(labels, mode);
        match (object, label(labels, mode.as_str())) {
            (Some(o), Some(raw)) => out.push(Policy {
                mode,
                level: parse_level(raw).unwrap_or(Level::Privileged),
                version: version.unwrap_or(PolicyVersion::Latest),
                origin: Origin::Label(o, raw),
            }),
            _ if mode == Mode::Warn && matches!(enforce.origin, Origin::Label(..)) => {
                out.push(Policy {
                    mode,
                    level: enforce.level,
                    version: version.unwrap_or(enforce.version),
                    origin: Origin::Enforce,
                });
            }
            _ => {}
        }
    }
    out.insert(0, enforce);
    out.retain(|p| p.level != Level::Privileged);
    out
}

/// One failing check as reported: the policy that catches it first and the
/// offenders no stricter policy reported.
struct Found<'p, 'a> {
    policy: &'p Policy<'a>,
    violation: Violation,
    fresh: Vec<usize>,
}

fn exempt(params: &Params, ns: &str, pod: &PodSpec<'_>) -> bool {
    let listed = |name: &str, values: Option<&[String]>| {
        values.unwrap_or_default().iter().any(|v| v == name)
    };
    listed(ns, params.strings("exempt-namespaces"))
        || pod
            .get("runtimeClassName")
            .and_then(Value::as_str)
            .is_some_and(|rc| listed(rc, params.strings("exempt-runtime-classes")))
}

/// Evaluates `pod` under each policy and keeps, for each failing check, the
/// strictest policy that reports an offender not reported before.
fn findings<'p, 'a>(
    cx: &Cx<'a>,
    policies: &'p [Policy<'a>],
    pod: &PodSpec<'_>,
) -> Vec<Found<'p, 'a>> {
    let view = Pod::new(pod);
    let cluster = cx.version.minor();
    // (check family, pointer) already reported by a stricter mode.
    let mut seen: Vec<(&str, String)> = Vec::new();
    let mut out = Vec::new();
    for policy in policies {
        for v in pss::evaluate(&view, policy.level, policy.version.effective(cluster)) {
            let family = pss::family(v.check);
            let fresh: Vec<usize> = (0..v.offenders.len())
                .filter(|&i| {
                    !seen
                        .iter()
                        .any(|(f, p)| *f == family && *p == v.offenders[i].pointer)
                })
                .collect();
            if fresh.is_empty() {
                continue;
            }
            seen.extend(v.offenders.iter().map(|o| (family, o.pointer.clone())));
            out.push(Found {
                policy,
                violation: v,
                fresh,
            });
        }
    }
    out
}

/// Whether the object exempts itself from this rule by annotation.
fn ignored(object: &Resource) -> bool {
    object
        .value
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(IGNORE_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|text| {
            parse_ignore(text)
                .0
                .contains(&PodSecurityAdmission::CODE.name)
        })
}

/// The fields of `pod` this rule reports, with the check and the severity,
/// so that the security rules can leave them out. Empty when the rule is off
/// or the object exempts itself from it.
pub(crate) fn covered(cx: &Cx<'_>, pod: &PodSpec<'_>) -> Vec<(String, &'static str, Severity)> {
    let Some((base, params)) = cx.config.resolve(&PodSecurityAdmission) else {
        return Vec::new();
    };
    let Some(ns) = cx.namespace() else {
        return Vec::new();
    };
    if ignored(cx.object) || exempt(&params, ns, pod) {
        return Vec::new();
    }
    let policies = policies(cx, ns);
    findings(cx, &policies, pod)
        .into_iter()
        .flat_map(|f| {
            let sev = f.policy.mode.severity(base);
            let check = f.violation.check;
            f.violation
                .offenders
                .into_iter()
                .map(move |o| (o.pointer, check, sev))
        })
        .collect()
}

/// What happens to the object, for the help line.
fn consequence(mode: Mode, pod: &PodSpec<'_>) -> String {
    match mode {
        Mode::Enforce if pod.is_template() => format!(
            "the API server accepts the {} but rejects every pod it creates",
            pod.object.kind().unwrap_or("object")
        ),
        Mode::Enforce => "the API server rejects this pod".to_owned(),
        Mode::Warn => "kubectl prints this as a warning when it is applied".to_owned(),
        Mode::Audit => "the API server records it in the audit log".to_owned(),
    }
}

/// Why this policy applies, for the help line.
fn origin_text(policy: &Policy<'_>, ns: &str) -> String {
    let mode = policy.mode.as_str();
    match &policy.origin {
        Origin::Label(_, raw) if parse_level(raw).is_none() => format!(
            "namespace \"{ns}\" sets {LABEL_PREFIX}{mode} to `{raw}`, which is not a level and counts as {}",
            policy.level.as_str()
        ),
        Origin::Label(..) => format!(
            "namespace \"{ns}\" sets {LABEL_PREFIX}{mode}: {}",
            policy.level.as_str()
        ),
        Origin::Enforce => format!(
            "namespace \"{ns}\" has no {LABEL_PREFIX}warn label and so warns at its enforce level"
        ),
        Origin::Default(known) => format!(
            "namespace \"{ns}\" {}, so drydock assumes the level {} (`pod-security: default-level` in drydock.yaml)",
            if *known {
                format!("has no {LABEL_PREFIX}enforce label")
            } else {
                "is not among the checked objects".to_owned()
            },
            policy.level.as_str()
        ),
    }
}

fn label_pointer(key: &str) -> String {
    let mut p = String::from("/metadata/labels");
    crate::pointer::push(&mut p, key);
    p
}

impl PodSecurityAdmission {
    fn check_pod_spec(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        let Some(ns) = cx.namespace() else {
            return;
        };
        if exempt(cx.params, ns, pod) {
            return;
        }
        let base = cx.severity();
        let policies = policies(cx, ns);
        for found in findings(cx, &policies, pod) {
            let Found {
                policy,
                violation: v,
                fresh,
            } = found;
            let verb = match policy.mode {
                Mode::Enforce => "violates",
                Mode::Warn | Mode::Audit => "would violate",
            };
            let message = format!(
                "{verb} PodSecurity \"{}:{}\": {}",
                policy.level.as_str(),
                policy.version,
                v.text()
            );
            let help = format!(
                "{}; {} because {}",
                v.fix,
                consequence(policy.mode, pod),
                origin_text(policy, ns)
            );
            let mut related: Vec<_> = v
                .offenders
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != fresh[0])
                .map(|(_, o)| {
                    (
                        cx.object.location(&o.pointer, o.target),
                        "also here".to_owned(),
                    )
                })
                .collect();
            if let Origin::Label(ns_object, _) = policy.origin {
                let key = format!("{LABEL_PREFIX}{}", policy.mode.as_str());
                related.push((
                    ns_object.location(&label_pointer(&key), Target::Value),
                    format!("the {} level is set here", policy.mode.as_str()),
                ));
            }
            let primary = &v.offenders[fresh[0]];
            let mut finding = cx
                .report(&primary.pointer, primary.target, message)
                .severity(policy.mode.severity(base))
                .help(help);
            for (location, text) in related {
                finding = finding.related(location, text);
            }
        }
    }

    /// Reports `pod-security.kubernetes.io/*` labels the admission controller
    /// cannot use.
    fn check_namespace(&self, cx: &mut Cx<'_>) {
        let Some(labels) = cx
            .object
            .value
            .pointer("/metadata/labels")
            .and_then(Value::as_map)
        else {
            return;
        };
        let base = cx.severity();
        let minor = cx.version.minor();
        let keys: Vec<String> = MODES
            .iter()
            .flat_map(|m| [m.as_str().to_owned(), format!("{}-version", m.as_str())])
            .collect();
        for (key, value) in labels.iter() {
            let Some(suffix) = key.strip_prefix(LABEL_PREFIX) else {
                continue;
            };
            let Some(value) = value.as_str() else {
                continue;
            };
            let pointer = label_pointer(key);
            let mode = MODES
                .iter()
                .copied()
                .find(|m| suffix.strip_suffix("-version").unwrap_or(suffix) == m.as_str());
            match mode {
                Some(mode) if suffix.ends_with("-version") => {
                    if PolicyVersion::parse(value).is_none() {
                        cx.report(
                            &pointer,
                            Target::Value,
                            format!("`{value}` is not a Pod Security version"),
                        )
                        .severity(Mode::Warn.severity(base))
                        .help(format!(
                            "use `latest` or `v1.N` (such as `v1.{}`); the admission controller evaluates the {} level at `latest` instead",
                            minor,
                            mode.as_str()
                        ));
                    }
                }
                Some(mode) => {
                    if parse_level(value).is_none() {
                        let (treated, severity) = match mode {
                            Mode::Enforce => ("restricted", mode.severity(base)),
                            _ => ("privileged", Mode::Warn.severity(base)),
                        };
                        cx.report(
                            &pointer,
                            Target::Value,
                            format!("`{value}` is not a Pod Security level"),
                        )
                        .severity(severity)
                        .help(format!(
                            "use privileged, baseline or restricted; the admission controller treats an invalid {} level as {treated}",
                            mode.as_str()
                        ));
                    }
                }
                None => {
                    let help = match crate::suggest::closest(
                        suffix,
                        keys.iter().map(String::as_str),
                    ) {
                        Some(k) => format!(
                            "did you mean `{LABEL_PREFIX}{k}`? The admission controller ignores this label"
                        ),
                        None => format!(
                            "the admission controller reads only {LABEL_PREFIX}enforce, warn and audit and their -version labels"
                        ),
                    };
                    cx.report(
                        &pointer,
                        Target::Key,
                        format!("`{key}` is not a Pod Security label"),
                    )
                    .severity(Mode::Warn.severity(base))
                    .help(help);
                }
            }
        }
    }
}

impl Rule for PodSecurityAdmission {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if cx.object.kind() == Some("Namespace") {
            self.check_namespace(cx);
        } else if let Some(pod) = cx.pod() {
            self.check_pod_spec(cx, &pod);
        }
    }
}
