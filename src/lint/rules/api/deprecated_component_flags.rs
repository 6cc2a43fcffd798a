use crate::diagnostic::{Severity, Target};
use crate::lint::{Container, Cx, PodSpec, Role, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Control-plane components should not be given deprecated flags.
    ///
    /// ## What it checks
    ///
    /// The command line of a container that runs `kube-apiserver`,
    /// `kube-controller-manager`, `kube-scheduler`, `kube-proxy` or the
    /// `kubelet` (a static Pod, a DaemonSet): the executable is found in
    /// `command` (a path ending in the component's name, also inside a
    /// `sh -c` string, or `hyperkube <component>`), or by the image when
    /// there is no `command`; its flags are then read from `command` and
    /// `args`. A flag that is deprecated at `--kubernetes-version` is
    /// reported with its replacement; a flag removed by then is reported
    /// as an error when the rule runs at its default severity, since the
    /// component exits with `unknown flag`.
    ///
    /// | component | flag | deprecated | removed | instead |
    /// |---|---|---|---|---|
    /// | kube-apiserver | `--admission-control` | 1.10 | | `--enable-admission-plugins`, `--disable-admission-plugins` |
    /// | kube-apiserver | `--insecure-port`, `--port` | 1.10, 1.20 | 1.24 | `--secure-port` (insecure serving stopped in 1.20) |
    /// | kube-apiserver | `--insecure-bind-address`, `--address` | 1.10, 1.20 | 1.24 | `--bind-address` |
    /// | kube-controller-manager | `--port`, `--address` | 1.20 | 1.24 | `--secure-port`, `--bind-address` |
    /// | kube-scheduler | `--policy-config-file`, `--policy-configmap`, `--policy-configmap-namespace`, `--use-legacy-policy-config` | 1.13 | 1.23 | `--config` with a KubeSchedulerConfiguration |
    /// | kubelet | `--network-plugin`, `--network-plugin-mtu`, `--cni-bin-dir`, `--cni-conf-dir`, `--cni-cache-dir`, `--docker-endpoint`, `--image-pull-progress-deadline`, `--experimental-dockershim-root-directory` | 1.20 | 1.24 | the container runtime's own configuration (dockershim was removed) |
    ///
    /// ## Why
    ///
    /// A deprecated flag still works but is on its way out, and its
    /// replacement often behaves differently (`--admission-control` replaces
    /// the whole plugin list, `--enable-admission-plugins` adds to the
    /// defaults). A removed flag stops the component from starting at all
    /// after an upgrade, which for the API server means the whole control
    /// plane.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.30.2
    ///     command:
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    ///     - --admission-control=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota
    ///     - --insecure-port=0
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.30.2
    ///     command:
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    ///     - --enable-admission-plugins=NodeRestriction
    /// ```
    pub struct DeprecatedComponentFlags {
        id: "deprecated-component-flags",
        category: Api,
        severity: Warning,
    }
}

/// One deprecated flag of one component.
struct Flag {
    component: &'static str,
    name: &'static str,
    /// The minor release that deprecated it.
    deprecated: u16,
    /// The minor release that removed it.
    removed: Option<u16>,
    instead: &'static str,
}

const fn flag(
    component: &'static str,
    name: &'static str,
    deprecated: u16,
    removed: Option<u16>,
    instead: &'static str,
) -> Flag {
    Flag {
        component,
        name,
        deprecated,
        removed,
        instead,
    }
}

const APISERVER: &str = "kube-apiserver";
const CONTROLLER_MANAGER: &str = "kube-controller-manager";
const SCHEDULER: &str = "kube-scheduler";
const KUBELET: &str = "kubelet";
const PROXY: &str = "kube-proxy";

const COMPONENTS: &[&str] = &[APISERVER, CONTROLLER_MANAGER, SCHEDULER, KUBELET, PROXY];

const SCHEDULER_CONFIG: &str =
    "use `--config` with a KubeSchedulerConfiguration (the policy API was removed)";
const DOCKERSHIM: &str = "configure networking and images in the container runtime (the flag belonged to dockershim, removed with it)";

/// From the components' release notes and reference pages.
const FLAGS: &[Flag] = &[
    flag(
        APISERVER,
        "admission-control",
        10,
        None,
        "use `--enable-admission-plugins` and `--disable-admission-plugins` (which add to and remove from the default plugins instead of replacing them)",
    ),
    flag(
        APISERVER,
        "insecure-port",
        10,
        Some(24),
        "remove it: insecure serving stopped in 1.20; the API server serves on `--secure-port`",
    ),
    flag(
        APISERVER,
        "port",
        20,
        Some(24),
        "remove it: insecure serving stopped in 1.20; the API server serves on `--secure-port`",
    ),
    flag(
        APISERVER,
        "insecure-bind-address",
        10,
        Some(24),
        "remove it: insecure serving stopped in 1.20; use `--bind-address`",
    ),
    flag(
        APISERVER,
        "address",
        20,
        Some(24),
        "remove it: insecure serving stopped in 1.20; use `--bind-address`",
    ),
    flag(
        CONTROLLER_MANAGER,
        "port",
        20,
        Some(24),
        "remove it: insecure serving stopped in 1.20; use `--secure-port`",
    ),
    flag(
        CONTROLLER_MANAGER,
        "address",
        20,
        Some(24),
        "remove it: insecure serving stopped in 1.20; use `--bind-address`",
    ),
    flag(
        SCHEDULER,
        "policy-config-file",
        13,
        Some(23),
        SCHEDULER_CONFIG,
    ),
    flag(
        SCHEDULER,
        "policy-configmap",
        13,
        Some(23),
        SCHEDULER_CONFIG,
    ),
    flag(
        SCHEDULER,
        "policy-configmap-namespace",
        13,
        Some(23),
        SCHEDULER_CONFIG,
    ),
    flag(
        SCHEDULER,
        "use-legacy-policy-config",
        13,
        Some(23),
        SCHEDULER_CONFIG,
    ),
    flag(KUBELET, "network-plugin", 20, Some(24), DOCKERSHIM),
    flag(KUBELET, "network-plugin-mtu", 20, Some(24), DOCKERSHIM),
    flag(KUBELET, "cni-bin-dir", 20, Some(24), DOCKERSHIM),
    flag(KUBELET, "cni-conf-dir", 20, Some(24), DOCKERSHIM),
    flag(KUBELET, "cni-cache-dir", 20, Some(24), DOCKERSHIM),
    flag(KUBELET, "docker-endpoint", 20, Some(24), DOCKERSHIM),
    flag(
        KUBELET,
        "image-pull-progress-deadline",
        20,
        Some(24),
        DOCKERSHIM,
    ),
    flag(
        KUBELET,
        "experimental-dockershim-root-directory",
        20,
        Some(24),
        DOCKERSHIM,
    ),
];

/// One word of the command line and the `command`/`args` item it is in.
struct Word<'a> {
    text: &'a str,
    pointer: String,
}

/// The words of `command` and `args`, items with spaces (`sh -c "..."`)
/// split on whitespace.
fn words<'a>(c: &Container<'a>, field: &str) -> Vec<Word<'a>> {
    let items = c.get(field).and_then(Value::as_seq).unwrap_or_default();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            continue;
        };
        let pointer = c.pointer_to(&[field, &i.to_string()]);
        for w in text.split_whitespace() {
            let w = w.trim_matches(|ch| ch == '"' || ch == '\'');
            out.push(Word {
                text: w,
                pointer: pointer.clone(),
            });
        }
    }
    out
}

/// The component a command word runs: `/usr/local/bin/kube-apiserver`,
/// `kubelet`; for `hyperkube`, the word after it.
fn component_of(word: &str, next: Option<&str>) -> Option<&'static str> {
    let base = word.rsplit('/').next().unwrap_or(word);
    if base == "hyperkube" {
        let sub = next?;
        let sub = sub.strip_prefix("kube-").unwrap_or(sub);
        return COMPONENTS
            .iter()
            .copied()
            .find(|c| c.strip_prefix("kube-").unwrap_or(c) == sub);
    }
    COMPONENTS.iter().copied().find(|c| *c == base)
}

/// The component an image is of (`registry.k8s.io/kube-proxy:v1.30.2`,
/// `k8s.gcr.io/kube-apiserver-amd64:v1.11.0`).
fn component_of_image(image: &str) -> Option<&'static str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    let repo = last.split(':').next().unwrap_or(last);
    COMPONENTS.iter().copied().find(|c| {
        repo == *c
            || repo.strip_prefix(c).is_some_and(|rest| {
                matches!(rest, "-amd64" | "-arm64" | "-arm" | "-ppc64le" | "-s390x")
            })
    })
}

/// Words that end one shell command and start another.
fn ends_command(word: &str) -> bool {
    matches!(word, "&&" | "||" | ";" | "|" | "&")
}

impl DeprecatedComponentFlags {
    fn report(&self, cx: &mut Cx<'_>, c: &Container<'_>, component: &str, words: &[Word<'_>]) {
        let minor = cx.version.minor();
        let version = cx.version;
        let default_severity = cx.severity() == Self::CODE.severity;
        let mut seen: Vec<&str> = Vec::new();
        for w in words {
            let Some(body) = w.text.strip_prefix("--") else {
                continue;
            };
            let name = body.split('=').next().unwrap_or(body);
            let Some(f) = FLAGS
                .iter()
                .find(|f| f.component == component && f.name == name)
            else {
                continue;
            };
            if minor < f.deprecated || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            match f.removed {
                Some(removed) if minor >= removed => {
                    let finding = cx.report(
                        &w.pointer,
                        Target::Value,
                        format!(
                            "{component} flag `--{name}` was removed in Kubernetes 1.{removed}: {component} {version} exits with `unknown flag: --{name}` ({})",
                            c.describe()
                        ),
                    )
                    .help(f.instead);
                    if default_severity {
                        finding.severity(Severity::Error);
                    }
                }
                Some(removed) => {
                    cx.report(
                        &w.pointer,
                        Target::Value,
                        format!(
                            "{component} flag `--{name}` is deprecated since Kubernetes 1.{} and removed in 1.{removed} ({})",
                            f.deprecated,
                            c.describe()
                        ),
                    )
                    .help(f.instead);
                }
                None => {
                    cx.report(
                        &w.pointer,
                        Target::Value,
                        format!(
                            "{component} flag `--{name}` is deprecated since Kubernetes 1.{} ({})",
                            f.deprecated,
                            c.describe()
                        ),
                    )
                    .help(f.instead);
                }
            }
        }
    }
}

impl Rule for DeprecatedComponentFlags {
    fn check_container(&self, cx: &mut Cx<'_>, _pod: &PodSpec<'_>, c: &Container<'_>) {
        if c.role == Role::Ephemeral {
            return;
        }
        let command = words(c, "command");
        let args = words(c, "args");
        if command.is_empty() {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            if let Some(component) = component_of_image(image) {
                self.report(cx, c, component, &args);
            }
            return;
        }
        // The words after the component's executable, up to the end of
        // its shell command; `args` follow `command`.
        let mut all = command;
        all.extend(args);
        let start = (0..all.len()).find_map(|i| {
            let next = all.get(i + 1).map(|w| w.text);
            component_of(all[i].text, next).map(|comp| (i, comp))
        });
        let Some((i, component)) = start else {
            return;
        };
        let rest = &all[i + 1..];
        let end = rest
            .iter()
            .position(|w| ends_command(w.text))
            .unwrap_or(rest.len());
        self.report(cx, c, component, &rest[..end]);
    }
}
