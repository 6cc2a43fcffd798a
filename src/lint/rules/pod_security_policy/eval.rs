//! The PodSecurityPolicy admission controller (removed in Kubernetes 1.25):
//! which policies a pod's ServiceAccount may use, how each policy defaults
//! the pod, and what each refuses, field by field, in the controller's
//! words.

use std::collections::BTreeMap;

use crate::diagnostic::Target;
use crate::lint::Index;
use crate::lint::pod::PodSpec;
use crate::lint::rbac::{self, Request, User};
use crate::resource::Resource;
use crate::yaml::{Map, Value};

/// Sysctls every pod may set (the kubelet's safe set of Kubernetes 1.24).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];

pub(crate) const SECCOMP_DEFAULT: &str = "seccomp.security.alpha.kubernetes.io/defaultProfileName";
pub(crate) const SECCOMP_ALLOWED: &str = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";
pub(crate) const APPARMOR_DEFAULT: &str = "apparmor.security.beta.kubernetes.io/defaultProfileName";
pub(crate) const APPARMOR_ALLOWED: &str =
    "apparmor.security.beta.kubernetes.io/allowedProfileNames";
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER: &str = "container.apparmor.security.beta.kubernetes.io/";

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    v.and_then(Value::as_bool)
}

fn pointer(base: &str, segments: &[&str]) -> String {
    let mut p = base.to_owned();
    for s in segments {
        crate::pointer::push(&mut p, s);
    }
    p
}

/// A `runAsUser`, `runAsGroup`, `fsGroup` or `supplementalGroups` strategy.
#[derive(Clone, Debug)]
pub(crate) struct IdStrategy {
    /// `MustRunAs`, `RunAsAny`, ...; empty when the field is missing.
    pub rule: String,
    pub ranges: Vec<(i64, i64)>,
    /// Pointer of the strategy within the policy.
    pub pointer: String,
}

impl IdStrategy {
    fn read(spec: Option<&Map>, key: &str) -> Option<IdStrategy> {
        let v = spec?.get(key)?;
        Some(IdStrategy {
            rule: v
                .get("rule")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            ranges: v
                .get("ranges")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| Some((r.get("min")?.as_i64()?, r.get("max")?.as_i64()?)))
                .collect(),
            pointer: pointer("/spec", &[key]),
        })
    }

    fn contains(&self, id: i64) -> bool {
        self.ranges.iter().any(|&(lo, hi)| id >= lo && id <= hi)
    }

    fn first_min(&self) -> Option<i64> {
        self.ranges.first().map(|r| r.0)
    }

    /// `[{1000 2000}]`, as the controller prints ranges.
    fn ranges_text(&self) -> String {
        let items: Vec<String> = self
            .ranges
            .iter()
            .map(|(lo, hi)| format!("{{{lo} {hi}}}"))
            .collect();
        format!("[{}]", items.join(" "))
    }
}

/// SELinux options; empty strings for unset fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeLinux {
    user: String,
    role: String,
    type_: String,
    level: String,
}

impl SeLinux {
    fn read(v: Option<&Value>) -> Option<SeLinux> {
        let v = v?.as_map()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        Some(SeLinux {
            user: s("user"),
            role: s("role"),
            type_: s("type"),
            level: s("level"),
        })
    }
}

/// Levels are equal when sensitivity and the set of categories are.
fn equal_levels(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    let (Some((es, ec)), Some((as_, ac))) = (expected.split_once(':'), actual.split_once(':'))
    else {
        return false;
    };
    let mut e: Vec<&str> = ec.split(',').collect();
    let mut a: Vec<&str> = ac.split(',').collect();
    e.sort_unstable();
    a.sort_unstable();
    es == as_ && e == a
}

/// A PodSecurityPolicy as the controller reads it.
pub(crate) struct Psp<'a> {
    pub object: &'a Resource,
    pub name: &'a str,
    privileged: bool,
    host_network: bool,
    host_pid: bool,
    host_ipc: bool,
    host_ports: Vec<(i64, i64)>,
    default_add: Vec<&'a str>,
    required_drop: Vec<&'a str>,
    allowed_caps: Vec<&'a str>,
    volumes: Vec<&'a str>,
    allowed_host_paths: Vec<(&'a str, bool)>,
    allowed_flex: Vec<&'a str>,
    allowed_csi: Vec<&'a str>,
    se_linux_rule: String,
    se_linux_options: Option<SeLinux>,
    pub run_as_user: Option<IdStrategy>,
    pub run_as_group: Option<IdStrategy>,
    pub supplemental_groups: Option<IdStrategy>,
    pub fs_group: Option<IdStrategy>,
    read_only_root_fs: bool,
    default_allow_priv_esc: Option<bool>,
    allow_priv_esc: bool,
    allowed_unsafe_sysctls: Vec<&'a str>,
    forbidden_sysctls: Vec<&'a str>,
    allowed_proc_mounts: Vec<&'a str>,
    runtime_class: Option<(Vec<&'a str>, Option<&'a str>)>,
    seccomp_default: Option<&'a str>,
    seccomp_allowed: Option<&'a str>,
    apparmor_default: Option<&'a str>,
    apparmor_allowed: Option<&'a str>,
}

impl<'a> Psp<'a> {
    pub fn read(object: &'a Resource) -> Option<Psp<'a>> {
        if object.kind() != Some("PodSecurityPolicy") {
            return None;
        }
        let spec = object.value.get("spec").and_then(Value::as_map);
        let get = |k: &str| spec.and_then(|s| s.get(k));
        let annotation = |k: &str| {
            object
                .value
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
        };
        let flag = |k: &str| boolean(get(k)).unwrap_or(false);
        let runtime_class = get("runtimeClass").map(|rc| {
            (
                strings(rc.get("allowedRuntimeClassNames")),
                rc.get("defaultRuntimeClassName").and_then(Value::as_str),
            )
        });
        Some(Psp {
            object,
            name: object.name().unwrap_or(""),
            privileged: flag("privileged"),
            host_network: flag("hostNetwork"),
            host_pid: flag("hostPID"),
            host_ipc: flag("hostIPC"),
            host_ports: get("hostPorts")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| Some((r.get("min")?.as_i64()?, r.get("max")?.as_i64()?)))
                .collect(),
            default_add: strings(get("defaultAddCapabilities")),
            required_drop: strings(get("requiredDropCapabilities")),
            allowed_caps: strings(get("allowedCapabilities")),
            volumes: strings(get("volumes")),
            allowed_host_paths: get("allowedHostPaths")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.get("pathPrefix")?.as_str()?,
                        boolean(p.get("readOnly")).unwrap_or(false),
                    ))
                })
                .collect(),
            allowed_flex: get("allowedFlexVolumes")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.get("driver")?.as_str())
                .collect(),
            allowed_csi: get("allowedCSIDrivers")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.get("name")?.as_str())
                .collect(),
            se_linux_rule: get("seLinux")
                .and_then(|s| s.get("rule"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            se_linux_options: SeLinux::read(get("seLinux").and_then(|s| s.get("seLinuxOptions"))),
            run_as_user: IdStrategy::read(spec, "runAsUser"),
            run_as_group: IdStrategy::read(spec, "runAsGroup"),
            supplemental_groups: IdStrategy::read(spec, "supplementalGroups"),
            fs_group: IdStrategy::read(spec, "fsGroup"),
            read_only_root_fs: flag("readOnlyRootFilesystem"),
            default_allow_priv_esc: boolean(get("defaultAllowPrivilegeEscalation")),
            // The API server defaults it to true.
            allow_priv_esc: boolean(get("allowPrivilegeEscalation")).unwrap_or(true),
            allowed_unsafe_sysctls: strings(get("allowedUnsafeSysctls")),
            forbidden_sysctls: strings(get("forbiddenSysctls")),
            allowed_proc_mounts: strings(get("allowedProcMountTypes")),
            runtime_class,
            seccomp_default: annotation(SECCOMP_DEFAULT),
            seccomp_allowed: annotation(SECCOMP_ALLOWED),
            apparmor_default: annotation(APPARMOR_DEFAULT),
            apparmor_allowed: annotation(APPARMOR_ALLOWED),
        })
    }

    fn rule(s: &Option<IdStrategy>) -> &str {
        s.as_ref().map_or("RunAsAny", |s| {
            if s.rule.is_empty() {
                "RunAsAny"
            } else {
                &s.rule
            }
        })
    }

    /// Why this policy cannot be used: the pointer of the field at fault,
    /// the message, and whether the API server refuses the policy (else
    /// the admission controller cannot build its strategies and skips it).
    pub fn problems(&self) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        let id_rules: [(&str, &Option<IdStrategy>, &[&str]); 4] = [
            (
                "RunAsUser",
                &self.run_as_user,
                &["MustRunAs", "MustRunAsNonRoot", "RunAsAny"],
            ),
            (
                "RunAsGroup",
                &self.run_as_group,
                &["MayRunAs", "MustRunAs", "RunAsAny"],
            ),
            (
                "SupplementalGroups",
                &self.supplemental_groups,
                &["MayRunAs", "MustRunAs", "RunAsAny"],
            ),
            (
                "FSGroup",
                &self.fs_group,
                &["MayRunAs", "MustRunAs", "RunAsAny"],
            ),
        ];
        for (what, strategy, supported) in id_rules {
            let Some(s) = strategy else {
                continue;
            };
            if !supported.contains(&s.rule.as_str()) {
                let list: Vec<String> = supported.iter().map(|r| format!("\"{r}\"")).collect();
                out.push((
                    format!("{}/rule", s.pointer),
                    format!(
                        "Unrecognized {what} strategy type {}: supported values are {}",
                        s.rule,
                        list.join(", ")
                    ),
                    true,
                ));
            } else if matches!(s.rule.as_str(), "MustRunAs" | "MayRunAs") && s.ranges.is_empty() {
                out.push((
                    s.pointer.clone(),
                    format!("{what} rule {} requires at least one range", s.rule),
                    false,
                ));
            }
        }
        let se_pointer = "/spec/seLinux".to_owned();
        match self.se_linux_rule.as_str() {
            "RunAsAny" | "" => {}
            "MustRunAs" if self.se_linux_options.is_none() => out.push((
                se_pointer,
                "SELinuxContext rule MustRunAs requires seLinuxOptions".to_owned(),
                false,
            )),
            "MustRunAs" => {}
            other => out.push((
                format!("{se_pointer}/rule"),
                format!(
                    "Unrecognized SELinuxContext strategy type {other}: supported values are \"MustRunAs\", \"RunAsAny\""
                ),
                true,
            )),
        }
        for (i, cap) in self.allowed_caps.iter().enumerate() {
            if self.required_drop.contains(cap) {
                out.push((
                    format!("/spec/allowedCapabilities/{i}"),
                    format!("capability {cap} is listed in allowedCapabilities and requiredDropCapabilities"),
                    true,
                ));
            }
        }
        for (i, cap) in self.default_add.iter().enumerate() {
            if self.required_drop.contains(cap) {
                out.push((
                    format!("/spec/defaultAddCapabilities/{i}"),
                    format!("capability {cap} is listed in defaultAddCapabilities and requiredDropCapabilities"),
                    true,
                ));
            }
        }
        out
    }

    fn allows_all_volumes(&self) -> bool {
        self.volumes.contains(&"*")
    }

    /// (allowed, must be read-only) for a hostPath.
    fn host_path(&self, path: &str) -> (bool, bool) {
        if self.allowed_host_paths.is_empty() {
            return (true, false);
        }
        let mut allowed = false;
        let mut read_only = false;
        for &(prefix, ro) in &self.allowed_host_paths {
            if has_path_prefix(path, prefix) {
                if !ro {
                    return (true, false);
                }
                allowed = true;
                read_only = true;
            }
        }
        (allowed, read_only)
    }

    fn host_ports_text(&self) -> String {
        self.host_ports
            .iter()
            .map(|&(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `path.Clean` for absolute and relative paths.
fn clean(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// `/foo` allows `/foo`, `/foo/` and `/foo/bar`, not `/foobar`.
fn has_path_prefix(path: &str, prefix: &str) -> bool {
    let (s, p) = (clean(path), clean(prefix));
    if s == p {
        return true;
    }
    if !s.starts_with(&p) {
        return false;
    }
    p.ends_with('/') || s.as_bytes().get(p.len()) == Some(&b'/')
}

/// The volume type names of `spec.volumes` (`vsphereVolume` is `vsphere`).
fn volume_type(v: &Map) -> Option<&str> {
    const TYPES: &[(&str, &str)] = &[
        ("hostPath", "hostPath"),
        ("emptyDir", "emptyDir"),
        ("gcePersistentDisk", "gcePersistentDisk"),
        ("awsElasticBlockStore", "awsElasticBlockStore"),
        ("gitRepo", "gitRepo"),
        ("secret", "secret"),
        ("nfs", "nfs"),
        ("iscsi", "iscsi"),
        ("glusterfs", "glusterfs"),
        ("persistentVolumeClaim", "persistentVolumeClaim"),
        ("rbd", "rbd"),
        ("flexVolume", "flexVolume"),
        ("cinder", "cinder"),
        ("cephfs", "cephFS"),
        ("flocker", "flocker"),
        ("downwardAPI", "downwardAPI"),
        ("fc", "fc"),
        ("azureFile", "azureFile"),
        ("configMap", "configMap"),
        ("vsphereVolume", "vsphere"),
        ("quobyte", "quobyte"),
        ("azureDisk", "azureDisk"),
        ("photonPersistentDisk", "photonPersistentDisk"),
        ("projected", "projected"),
        ("portworxVolume", "portworxVolume"),
        ("scaleIO", "scaleIO"),
        ("storageos", "storageos"),
        ("csi", "csi"),
        ("ephemeral", "ephemeral"),
    ];
    TYPES
        .iter()
        .find(|(key, _)| v.get(key).is_some())
        .map(|(_, name)| *name)
}

/// A container's security settings, as the controller sees them.
#[derive(Clone, Debug)]
struct Ctr {
    name: String,
    /// `spec.containers[0]`: the field path in messages.
    path: String,
    /// Pointer of the container within the object.
    pointer: String,
    run_as_user: Option<i64>,
    run_as_group: Option<i64>,
    run_as_non_root: Option<bool>,
    se_linux: Option<SeLinux>,
    privileged: Option<bool>,
    proc_mount: Option<String>,
    caps: Option<(Vec<String>, Vec<String>)>,
    read_only_root_fs: Option<bool>,
    allow_priv_esc: Option<bool>,
    host_ports: Vec<(usize, i64)>,
    mounts: Vec<(usize, String, bool)>,
}

/// A volume of the pod.
#[derive(Clone, Debug)]
struct Vol {
    name: String,
    kind: Option<String>,
    host_path: Option<String>,
    flex_driver: Option<String>,
    csi_driver: Option<String>,
}

/// A pod's security settings, as the controller sees them (after the API
/// server copied seccomp fields into the annotations).
#[derive(Clone, Debug)]
pub(crate) struct PodSec {
    /// Pointers of the pod spec and metadata within the object.
    spec_pointer: String,
    metadata_pointer: String,
    annotations: BTreeMap<String, String>,
    /// Where each seccomp annotation comes from: its own pointer, or the
    /// pointer of the field it was copied from.
    seccomp_sources: BTreeMap<String, String>,
    host_network: bool,
    host_pid: bool,
    host_ipc: bool,
    fs_group: Option<i64>,
    supplemental_groups: Option<Vec<i64>>,
    run_as_user: Option<i64>,
    run_as_group: Option<i64>,
    run_as_non_root: Option<bool>,
    se_linux: Option<SeLinux>,
    sysctls: Vec<String>,
    volumes: Vec<Vol>,
    runtime_class: Option<String>,
    containers: Vec<Ctr>,
}

/// The annotation value a seccomp profile field stands for.
fn seccomp_profile(v: Option<&Value>) -> Option<String> {
    let v = v?;
    match v.get("type").and_then(Value::as_str)? {
        "RuntimeDefault" => Some("runtime/default".to_owned()),
        "Unconfined" => Some("unconfined".to_owned()),
        "Localhost" => Some(format!(
            "localhost/{}",
            v.get("localhostProfile")
                .and_then(Value::as_str)
                .unwrap_or("")
        )),
        _ => None,
    }
}

impl PodSec {
    pub fn read(pod: &PodSpec<'_>) -> PodSec {
        let spec = pod.spec;
        let sc = spec.get("securityContext");
        let get = |k: &str| sc.and_then(|s| s.get(k));
        let mut annotations: BTreeMap<String, String> = pod
            .object
            .value
            .pointer(pod.metadata_pointer)
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let mut seccomp_sources = BTreeMap::new();
        for key in annotations.keys() {
            if key == SECCOMP_POD || key.starts_with(SECCOMP_CONTAINER) {
                seccomp_sources.insert(
                    key.clone(),
                    pointer(pod.metadata_pointer, &["annotations", key]),
                );
            }
        }
        if let Some(p) = seccomp_profile(get("seccompProfile"))
            && !annotations.contains_key(SECCOMP_POD)
        {
            annotations.insert(SECCOMP_POD.to_owned(), p);
            seccomp_sources.insert(
                SECCOMP_POD.to_owned(),
                pointer(pod.pointer, &["securityContext", "seccompProfile", "type"]),
            );
        }
        let mut containers = Vec::new();
        for (key_name, role_path) in [
            ("initContainers", "spec.initContainers"),
            ("containers", "spec.containers"),
            ("ephemeralContainers", "spec.ephemeralContainers"),
        ] {
            for (i, c) in spec
                .get(key_name)
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let Some(c) = c.as_map() else {
                    continue;
                };
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let csc = c.get("securityContext");
                let cget = |k: &str| csc.and_then(|s| s.get(k));
                let key = format!("{SECCOMP_CONTAINER}{name}");
                if let Some(p) = seccomp_profile(cget("seccompProfile"))
                    && !annotations.contains_key(&key)
                {
                    annotations.insert(key.clone(), p);
                    seccomp_sources.insert(
                        key,
                        pointer(
                            pod.pointer,
                            &[
                                key_name,
                                &i.to_string(),
                                "securityContext",
                                "seccompProfile",
                                "type",
                            ],
                        ),
                    );
                }
                let caps = cget("capabilities").map(|caps| {
                    let list = |k: &str| -> Vec<String> {
                        strings(caps.get(k))
                            .into_iter()
                            .map(str::to_owned)
                            .collect()
                    };
                    (list("add"), list("drop"))
                });
                containers.push(Ctr {
                    path: format!("{role_path}[{i}]"),
                    pointer: pointer(pod.pointer, &[key_name, &i.to_string()]),
                    run_as_user: cget("runAsUser").and_then(Value::as_i64),
                    run_as_group: cget("runAsGroup").and_then(Value::as_i64),
                    run_as_non_root: boolean(cget("runAsNonRoot")),
                    se_linux: SeLinux::read(cget("seLinuxOptions")),
                    privileged: boolean(cget("privileged")),
                    proc_mount: cget("procMount").and_then(Value::as_str).map(str::to_owned),
                    caps,
                    read_only_root_fs: boolean(cget("readOnlyRootFilesystem")),
                    allow_priv_esc: boolean(cget("allowPrivilegeEscalation")),
                    host_ports: c
                        .get("ports")
                        .and_then(Value::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .filter_map(|(j, p)| Some((j, p.get("hostPort")?.as_i64()?)))
                        .collect(),
                    mounts: c
                        .get("volumeMounts")
                        .and_then(Value::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .filter_map(|(j, m)| {
                            Some((
                                j,
                                m.get("name")?.as_str()?.to_owned(),
                                boolean(m.get("readOnly")).unwrap_or(false),
                            ))
                        })
                        .collect(),
                    name,
                });
            }
        }
        let volumes = spec
            .get("volumes")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_map)
            .map(|v| Vol {
                name: v
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                kind: volume_type(v).map(str::to_owned),
                host_path: v
                    .get("hostPath")
                    .and_then(|h| h.get("path"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                flex_driver: v
                    .get("flexVolume")
                    .and_then(|h| h.get("driver"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                csi_driver: v
                    .get("csi")
                    .and_then(|h| h.get("driver"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
            .collect();
        PodSec {
            spec_pointer: pod.pointer.to_owned(),
            metadata_pointer: pod.metadata_pointer.to_owned(),
            annotations,
            seccomp_sources,
            host_network: boolean(spec.get("hostNetwork")).unwrap_or(false),
            host_pid: boolean(spec.get("hostPID")).unwrap_or(false),
            host_ipc: boolean(spec.get("hostIPC")).unwrap_or(false),
            fs_group: get("fsGroup").and_then(Value::as_i64),
            supplemental_groups: get("supplementalGroups")
                .and_then(Value::as_seq)
                .map(|s| s.iter().filter_map(Value::as_i64).collect()),
            run_as_user: get("runAsUser").and_then(Value::as_i64),
            run_as_group: get("runAsGroup").and_then(Value::as_i64),
            run_as_non_root: boolean(get("runAsNonRoot")),
            se_linux: SeLinux::read(get("seLinuxOptions")),
            sysctls: get("sysctls")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.get("name")?.as_str().map(str::to_owned))
                .collect(),
            volumes,
            runtime_class: spec
                .get("runtimeClassName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            containers,
        }
    }

    fn sc_pointer(&self, segments: &[&str]) -> String {
        let mut p = pointer(&self.spec_pointer, &["securityContext"]);
        for s in segments {
            crate::pointer::push(&mut p, s);
        }
        p
    }
}

/// One reason a policy refuses a pod: the controller's field error and
/// where in the object it is.
#[derive(Clone, Debug)]
pub(crate) struct Violation {
    /// `spec.containers[0].securityContext.privileged: Invalid value: true: ...`.
    pub text: String,
    /// Pointer of the field within the object (it may not exist).
    pub pointer: String,
    /// How to fix it.
    pub fix: String,
}

/// What evaluating one policy gives.
pub(crate) struct Outcome {
    /// The defaults the policy set, as `field=value`.
    pub mutations: Vec<String>,
    pub violations: Vec<Violation>,
}

fn invalid(path: &str, value: &str, detail: &str) -> String {
    if detail.is_empty() {
        format!("{path}: Invalid value: {value}")
    } else {
        format!("{path}: Invalid value: {value}: {detail}")
    }
}

fn required(path: &str, detail: &str) -> String {
    if detail.is_empty() {
        format!("{path}: Required value")
    } else {
        format!("{path}: Required value: {detail}")
    }
}

fn forbidden(path: &str, detail: &str) -> String {
    format!("{path}: Forbidden: {detail}")
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn groups_value(groups: &[i64]) -> String {
    if groups.is_empty() {
        "[]int64(nil)".to_owned()
    } else {
        let items: Vec<String> = groups.iter().map(i64::to_string).collect();
        format!("[]int64{{{}}}", items.join(", "))
    }
}

/// Mutates `pod` as the policy's strategies default it, then validates it.
pub(crate) fn evaluate(psp: &Psp<'_>, original: &PodSec) -> Outcome {
    let mut pod = original.clone();
    let mut mutations = Vec::new();
    let mut violations = Vec::new();

    // Defaults (MutatePod).
    let sg_rule = Psp::rule(&psp.supplemental_groups);
    if pod.supplemental_groups.is_none()
        && sg_rule == "MustRunAs"
        && let Some(min) = psp
            .supplemental_groups
            .as_ref()
            .and_then(IdStrategy::first_min)
    {
        pod.supplemental_groups = Some(vec![min]);
        mutations.push(format!("spec.securityContext.supplementalGroups=[{min}]"));
    }
    if pod.fs_group.is_none()
        && Psp::rule(&psp.fs_group) == "MustRunAs"
        && let Some(min) = psp.fs_group.as_ref().and_then(IdStrategy::first_min)
    {
        pod.fs_group = Some(min);
        mutations.push(format!("spec.securityContext.fsGroup={min}"));
    }
    if pod.se_linux.is_none() && psp.se_linux_rule == "MustRunAs" {
        pod.se_linux = psp.se_linux_options.clone();
        mutations.push("spec.securityContext.seLinuxOptions".to_owned());
    }
    if !pod.annotations.contains_key(SECCOMP_POD)
        && let Some(d) = psp.seccomp_default.filter(|d| !d.is_empty())
    {
        pod.annotations.insert(SECCOMP_POD.to_owned(), d.to_owned());
        mutations.push(format!("the annotation {SECCOMP_POD}={d}"));
    }
    if let Some((_, Some(default))) = &psp.runtime_class
        && pod.runtime_class.is_none()
    {
        pod.runtime_class = Some((*default).to_owned());
        mutations.push(format!("spec.runtimeClassName={default}"));
    }
    let user_rule = Psp::rule(&psp.run_as_user).to_owned();
    let group_rule = Psp::rule(&psp.run_as_group).to_owned();
    let pod_user = pod.run_as_user;
    let pod_group = pod.run_as_group;
    let pod_non_root = pod.run_as_non_root;
    for c in &mut pod.containers {
        let sc = format!("{}.securityContext", c.path);
        if c.run_as_user.or(pod_user).is_none()
            && user_rule == "MustRunAs"
            && let Some(min) = psp.run_as_user.as_ref().and_then(IdStrategy::first_min)
        {
            c.run_as_user = Some(min);
            mutations.push(format!("{sc}.runAsUser={min}"));
        }
        if c.run_as_group.or(pod_group).is_none()
            && group_rule == "MustRunAs"
            && let Some(min) = psp.run_as_group.as_ref().and_then(IdStrategy::first_min)
        {
            c.run_as_group = Some(min);
            mutations.push(format!("{sc}.runAsGroup={min}"));
        }
        let apparmor_key = format!("{APPARMOR_CONTAINER}{}", c.name);
        if pod
            .annotations
            .get(&apparmor_key)
            .is_none_or(|v| v.is_empty())
            && let Some(d) = psp.apparmor_default.filter(|d| !d.is_empty())
        {
            pod.annotations.insert(apparmor_key.clone(), d.to_owned());
            mutations.push(format!("the annotation {apparmor_key}={d}"));
        }
        if c.run_as_non_root.or(pod_non_root).is_none()
            && c.run_as_user.or(pod_user).is_none()
            && user_rule == "MustRunAsNonRoot"
        {
            c.run_as_non_root = Some(true);
            mutations.push(format!("{sc}.runAsNonRoot=true"));
        }
        // Capabilities: required drops and default adds the container does
        // not drop itself.
        let (add, drop) = c.caps.clone().unwrap_or_default();
        let mut new_add: Vec<String> = add.clone();
        for d in &psp.default_add {
            if !drop.iter().any(|x| x == d) && !new_add.iter().any(|x| x == d) {
                new_add.push((*d).to_owned());
            }
        }
        let mut new_drop: Vec<String> = drop.clone();
        for d in &psp.required_drop {
            if !new_drop.iter().any(|x| x == d) {
                new_drop.push((*d).to_owned());
            }
        }
        let mut add_set = add.clone();
        add_set.sort();
        add_set.dedup();
        let mut drop_set = drop.clone();
        drop_set.sort();
        drop_set.dedup();
        new_add.sort();
        new_add.dedup();
        new_drop.sort();
        new_drop.dedup();
        if new_add.len() != add_set.len() || new_drop.len() != drop_set.len() {
            if new_add.len() != add_set.len() {
                mutations.push(format!("{sc}.capabilities.add={new_add:?}"));
            }
            if new_drop.len() != drop_set.len() {
                mutations.push(format!("{sc}.capabilities.drop={new_drop:?}"));
            }
            c.caps = Some((new_add, new_drop));
        }
        if psp.read_only_root_fs && c.read_only_root_fs.is_none() {
            c.read_only_root_fs = Some(true);
            mutations.push(format!("{sc}.readOnlyRootFilesystem=true"));
        }
        if let Some(d) = psp.default_allow_priv_esc
            && c.allow_priv_esc.is_none()
        {
            c.allow_priv_esc = Some(d);
            mutations.push(format!("{sc}.allowPrivilegeEscalation={d}"));
        }
        if !psp.allow_priv_esc && c.allow_priv_esc.is_none() {
            c.allow_priv_esc = Some(false);
            mutations.push(format!("{sc}.allowPrivilegeEscalation=false"));
        }
    }

    // Validation (ValidatePod), in the controller's order.
    let mut push = |text: String, pointer: String, fix: String| {
        violations.push(Violation { text, pointer, fix });
    };
    for (what, strategy, groups, path, ptr) in [
        (
            "fsGroup",
            &psp.fs_group,
            pod.fs_group.map(|g| vec![g]).unwrap_or_default(),
            "spec.securityContext.fsGroup",
            pod.sc_pointer(&["fsGroup"]),
        ),
        (
            "supplementalGroups",
            &psp.supplemental_groups,
            pod.supplemental_groups.clone().unwrap_or_default(),
            "spec.securityContext.supplementalGroups",
            pod.sc_pointer(&["supplementalGroups"]),
        ),
    ] {
        validate_groups(what, strategy, &groups, path, &ptr, &mut push);
    }
    validate_seccomp(psp, &pod, None, &mut push);
    validate_se_linux(
        psp,
        pod.se_linux.as_ref(),
        "spec.securityContext.seLinuxOptions",
        &pod.sc_pointer(&["seLinuxOptions"]),
        &mut push,
    );
    for (allowed, on, field, text) in [
        (
            psp.host_network,
            pod.host_network,
            "hostNetwork",
            "Host network is not allowed to be used",
        ),
        (
            psp.host_pid,
            pod.host_pid,
            "hostPID",
            "Host PID is not allowed to be used",
        ),
        (
            psp.host_ipc,
            pod.host_ipc,
            "hostIPC",
            "Host IPC is not allowed to be used",
        ),
    ] {
        if on && !allowed {
            push(
                invalid(&format!("spec.securityContext.{field}"), "true", text),
                pointer(&pod.spec_pointer, &[field]),
                format!("remove `{field}: true`"),
            );
        }
    }
    for (i, name) in pod.sysctls.iter().enumerate() {
        let matches = |patterns: &[&str]| {
            patterns.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == p,
            })
        };
        let path = format!("pod.spec.securityContext.sysctls[{i}]");
        let ptr = pod.sc_pointer(&["sysctls", &i.to_string(), "name"]);
        if matches(&psp.forbidden_sysctls) {
            push(
                forbidden(&path, &format!("sysctl {} is not allowed", quoted(name))),
                ptr,
                "the policy's `forbiddenSysctls` names it: remove it".to_owned(),
            );
        } else if !SAFE_SYSCTLS.contains(&name.as_str()) && !matches(&psp.allowed_unsafe_sysctls) {
            push(
                forbidden(
                    &path,
                    &format!("unsafe sysctl {} is not allowed", quoted(name)),
                ),
                ptr,
                "remove it, or use a policy whose `allowedUnsafeSysctls` lists it".to_owned(),
            );
        }
    }
    for (i, v) in pod.volumes.iter().enumerate() {
        let Some(kind) = &v.kind else {
            continue;
        };
        let vol_ptr = pointer(&pod.spec_pointer, &["volumes", &i.to_string()]);
        if !psp.allows_all_volumes() && !psp.volumes.contains(&kind.as_str()) {
            let allowed = if psp.volumes.is_empty() {
                "none".to_owned()
            } else {
                psp.volumes.join(", ")
            };
            push(
                invalid(
                    &format!("spec.volumes[{i}]"),
                    &quoted(kind),
                    &format!("{kind} volumes are not allowed to be used"),
                ),
                pointer(&vol_ptr, &[json_key(kind)]),
                format!("use a volume type the policy allows (`volumes`: {allowed})"),
            );
            continue;
        }
        match kind.as_str() {
            "hostPath" => {
                let path = v.host_path.clone().unwrap_or_default();
                let (ok, read_only) = psp.host_path(&path);
                if !ok {
                    let prefixes: Vec<&str> = psp.allowed_host_paths.iter().map(|p| p.0).collect();
                    push(
                        invalid(
                            &format!("spec.volumes[{i}].hostPath.pathPrefix"),
                            &quoted(&path),
                            "is not allowed to be used",
                        ),
                        pointer(&vol_ptr, &["hostPath", "path"]),
                        format!(
                            "mount a path under `allowedHostPaths` ({})",
                            prefixes.join(", ")
                        ),
                    );
                } else if read_only {
                    for c in &pod.containers {
                        for (j, name, ro) in &c.mounts {
                            if name == &v.name && !ro {
                                push(
                                    invalid(
                                        &format!("{}.volumeMounts[{j}].readOnly", c.path),
                                        "false",
                                        "must be read-only",
                                    ),
                                    pointer(
                                        &c.pointer,
                                        &["volumeMounts", &j.to_string(), "readOnly"],
                                    ),
                                    format!(
                                        "set `readOnly: true` on the mount of volume \"{}\": the policy allows {path} only read-only",
                                        v.name
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            "flexVolume" => {
                let driver = v.flex_driver.clone().unwrap_or_default();
                if !psp.allowed_flex.is_empty() && !psp.allowed_flex.contains(&driver.as_str()) {
                    push(
                        invalid(
                            &format!("spec.volumes[{i}].driver"),
                            &quoted(&driver),
                            "Flexvolume driver is not allowed to be used",
                        ),
                        pointer(&vol_ptr, &["flexVolume", "driver"]),
                        format!(
                            "use a driver of `allowedFlexVolumes` ({})",
                            psp.allowed_flex.join(", ")
                        ),
                    );
                }
            }
            "csi" => {
                let driver = v.csi_driver.clone().unwrap_or_default();
                if !psp.allowed_csi.is_empty() && !psp.allowed_csi.contains(&driver.as_str()) {
                    push(
                        invalid(
                            &format!("spec.volumes[{i}].csi.driver"),
                            &quoted(&driver),
                            "Inline CSI driver is not allowed to be used",
                        ),
                        pointer(&vol_ptr, &["csi", "driver"]),
                        format!(
                            "use a driver of `allowedCSIDrivers` ({})",
                            psp.allowed_csi.join(", ")
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    if let (Some((allowed, _)), Some(actual)) = (&psp.runtime_class, &pod.runtime_class)
        && !allowed.contains(&"*")
        && !allowed.contains(&actual.as_str())
    {
        push(
            invalid("spec.runtimeClassName", &quoted(actual), ""),
            pointer(&pod.spec_pointer, &["runtimeClassName"]),
            format!(
                "use a RuntimeClass of the policy's `allowedRuntimeClassNames` ({})",
                allowed.join(", ")
            ),
        );
    }
    for c in &pod.containers {
        validate_container(psp, &pod, c, &mut push);
    }
    Outcome {
        mutations,
        violations,
    }
}

/// The manifest key of a volume type name.
fn json_key(kind: &str) -> &str {
    match kind {
        "cephFS" => "cephfs",
        "vsphere" => "vsphereVolume",
        other => other,
    }
}

type Push<'p> = dyn FnMut(String, String, String) + 'p;

fn validate_groups(
    what: &str,
    strategy: &Option<IdStrategy>,
    groups: &[i64],
    path: &str,
    ptr: &str,
    push: &mut Push<'_>,
) {
    let Some(s) = strategy else {
        return;
    };
    let must = match s.rule.as_str() {
        "MustRunAs" => true,
        "MayRunAs" => false,
        _ => return,
    };
    if must && groups.is_empty() && !s.ranges.is_empty() {
        push(
            invalid(
                path,
                &groups_value(groups),
                "unable to validate empty groups against required ranges",
            ),
            ptr.to_owned(),
            format!("set `{what}` within {}", s.ranges_text()),
        );
    }
    for g in groups {
        if !s.contains(*g) {
            push(
                invalid(
                    path,
                    &groups_value(groups),
                    &format!("group {g} must be in the ranges: {}", s.ranges_text()),
                ),
                ptr.to_owned(),
                format!("use a group within {}", s.ranges_text()),
            );
        }
    }
}

fn validate_se_linux(
    psp: &Psp<'_>,
    actual: Option<&SeLinux>,
    path: &str,
    ptr: &str,
    push: &mut Push<'_>,
) {
    if psp.se_linux_rule != "MustRunAs" {
        return;
    }
    let Some(want) = &psp.se_linux_options else {
        return;
    };
    let Some(got) = actual else {
        push(
            required(path, ""),
            ptr.to_owned(),
            "set `seLinuxOptions` as the policy requires".to_owned(),
        );
        return;
    };
    let checks = [
        (
            "level",
            equal_levels(&want.level, &got.level),
            &want.level,
            &got.level,
        ),
        ("role", want.role == got.role, &want.role, &got.role),
        ("type", want.type_ == got.type_, &want.type_, &got.type_),
        ("user", want.user == got.user, &want.user, &got.user),
    ];
    for (field, ok, want, got) in checks {
        if !ok {
            push(
                invalid(
                    &format!("{path}.{field}"),
                    &quoted(got),
                    &format!("must be {want}"),
                ),
                pointer(ptr, &[field]),
                format!("set `seLinuxOptions.{field}: {want}`"),
            );
        }
    }
}

/// The allowed profiles of an annotation, `*` aside; whether `*` is there.
fn allowed_profiles(list: Option<&str>) -> (Vec<&str>, bool) {
    let Some(list) = list else {
        return (Vec::new(), false);
    };
    let mut any = false;
    let mut out = Vec::new();
    for p in list.split(',') {
        if p == "*" {
            any = true;
        } else {
            out.push(p);
        }
    }
    (out, any)
}

fn validate_seccomp(psp: &Psp<'_>, pod: &PodSec, container: Option<&Ctr>, push: &mut Push<'_>) {
    let (allowed, any) = allowed_profiles(psp.seccomp_allowed);
    let (key, profile) = match container {
        None => (
            SECCOMP_POD.to_owned(),
            pod.annotations
                .get(SECCOMP_POD)
                .cloned()
                .unwrap_or_default(),
        ),
        Some(c) => {
            let key = format!("{SECCOMP_CONTAINER}{}", c.name);
            let profile = pod
                .annotations
                .get(&key)
                .or_else(|| pod.annotations.get(SECCOMP_POD))
                .cloned()
                .unwrap_or_default();
            (key, profile)
        }
    };
    let path = format!("pod.metadata.annotations[{key}]");
    let ptr = seccomp_pointer(pod, &key, container);
    if !any && allowed.is_empty() && !profile.is_empty() {
        push(
            forbidden(&path, "seccomp may not be set"),
            ptr,
            "the policy allows no seccomp profile: remove it, or use a policy with the `seccomp.security.alpha.kubernetes.io/allowedProfileNames` annotation".to_owned(),
        );
        return;
    }
    let ok =
        (allowed.is_empty() && profile.is_empty()) || any || allowed.contains(&profile.as_str());
    if !ok {
        let list = psp.seccomp_allowed.unwrap_or("");
        push(
            forbidden(
                &path,
                &format!("{profile} is not an allowed seccomp profile. Valid values are {list}"),
            ),
            ptr,
            format!("use one of the allowed seccomp profiles: {list}"),
        );
    }
}

/// Where the seccomp profile a check is about is written: the container's
/// own, else the pod's (field or annotation), else where a default lands.
fn seccomp_pointer(pod: &PodSec, key: &str, container: Option<&Ctr>) -> String {
    pod.seccomp_sources
        .get(key)
        .or_else(|| pod.seccomp_sources.get(SECCOMP_POD))
        .cloned()
        .unwrap_or_else(|| match container {
            Some(c) => pointer(&c.pointer, &["securityContext"]),
            None => pod.metadata_pointer.clone(),
        })
}

fn validate_container(psp: &Psp<'_>, pod: &PodSec, c: &Ctr, push: &mut Push<'_>) {
    let sc = format!("{}.securityContext", c.path);
    let sc_ptr = |field: &str| pointer(&c.pointer, &["securityContext", field]);
    let user = c.run_as_user.or(pod.run_as_user);
    let non_root = c.run_as_non_root.or(pod.run_as_non_root);
    match Psp::rule(&psp.run_as_user) {
        "MustRunAs" => {
            let s = psp.run_as_user.as_ref();
            let ranges = s.map(IdStrategy::ranges_text).unwrap_or_default();
            match user {
                None => push(
                    required(&format!("{sc}.runAsUser"), ""),
                    sc_ptr("runAsUser"),
                    format!("set `runAsUser` within {ranges}"),
                ),
                Some(u) if !s.is_some_and(|s| s.contains(u)) => push(
                    invalid(
                        &format!("{sc}.runAsUser"),
                        &u.to_string(),
                        &format!("must be in the ranges: {ranges}"),
                    ),
                    runs_as_pointer(pod, c, "runAsUser"),
                    format!("set `runAsUser` within {ranges}"),
                ),
                _ => {}
            }
        }
        "MustRunAsNonRoot" => {
            if non_root.is_none() && user.is_none() {
                push(
                    required(&format!("{sc}.runAsNonRoot"), "must be true"),
                    sc_ptr("runAsNonRoot"),
                    "set `runAsNonRoot: true` or a non-zero `runAsUser`".to_owned(),
                );
            } else if non_root == Some(false) {
                push(
                    invalid(&format!("{sc}.runAsNonRoot"), "false", "must be true"),
                    runs_as_pointer(pod, c, "runAsNonRoot"),
                    "set `runAsNonRoot: true`".to_owned(),
                );
            } else if user == Some(0) {
                push(
                    invalid(
                        &format!("{sc}.runAsUser"),
                        "0",
                        "running with the root UID is forbidden",
                    ),
                    runs_as_pointer(pod, c, "runAsUser"),
                    "run as a non-zero `runAsUser`".to_owned(),
                );
            }
        }
        _ => {}
    }
    let groups: Vec<i64> = c.run_as_group.or(pod.run_as_group).into_iter().collect();
    validate_groups(
        "runAsGroup",
        &psp.run_as_group,
        &groups,
        &sc,
        &runs_as_pointer(pod, c, "runAsGroup"),
        push,
    );
    validate_se_linux(
        psp,
        c.se_linux.as_ref().or(pod.se_linux.as_ref()),
        &format!("{sc}.seLinuxOptions"),
        &if c.se_linux.is_some() {
            sc_ptr("seLinuxOptions")
        } else {
            pod.sc_pointer(&["seLinuxOptions"])
        },
        push,
    );
    let (apparmor, _) = allowed_profiles(psp.apparmor_allowed);
    if psp.apparmor_allowed.is_some() {
        let key = format!("{APPARMOR_CONTAINER}{}", c.name);
        let profile = pod.annotations.get(&key).cloned().unwrap_or_default();
        let path = format!("pod.metadata.annotations[{key}]");
        let ptr = annotation_pointer(pod, &key);
        let list = psp.apparmor_allowed.unwrap_or("");
        if profile.is_empty() {
            if !apparmor.is_empty() {
                push(
                    forbidden(&path, "AppArmor profile must be set"),
                    ptr,
                    format!("set the annotation `{key}` to one of {list}"),
                );
            }
        } else if !apparmor.contains(&profile.as_str()) {
            push(
                forbidden(
                    &path,
                    &format!(
                        "{profile} is not an allowed profile. Allowed values: {}",
                        quoted(list)
                    ),
                ),
                ptr,
                format!("use one of the allowed AppArmor profiles: {list}"),
            );
        }
    }
    validate_seccomp(psp, pod, Some(c), push);
    if !psp.privileged && c.privileged == Some(true) {
        push(
            invalid(
                &format!("{sc}.privileged"),
                "true",
                "Privileged containers are not allowed",
            ),
            sc_ptr("privileged"),
            "remove `privileged: true`".to_owned(),
        );
    }
    let proc_mount = c.proc_mount.clone().unwrap_or_else(|| "Default".to_owned());
    let allowed_pm: Vec<&str> = if psp.allowed_proc_mounts.is_empty() {
        vec!["Default"]
    } else {
        psp.allowed_proc_mounts.clone()
    };
    if !allowed_pm.contains(&proc_mount.as_str()) {
        push(
            invalid(
                &format!("{sc}.procMount"),
                &quoted(&proc_mount),
                "ProcMountType is not allowed",
            ),
            sc_ptr("procMount"),
            format!(
                "use a procMount the policy allows ({})",
                allowed_pm.join(", ")
            ),
        );
    }
    if let Some((add, _)) = &c.caps
        && !psp.allowed_caps.contains(&"*")
    {
        for (i, cap) in add.iter().enumerate() {
            if !psp.default_add.contains(&cap.as_str()) && !psp.allowed_caps.contains(&cap.as_str())
            {
                let allowed: Vec<&str> = psp
                    .allowed_caps
                    .iter()
                    .chain(&psp.default_add)
                    .copied()
                    .collect();
                let allowed = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                };
                // Point at the written item when there is one.
                let written = pod_cap_index(c, cap).unwrap_or(i);
                push(
                    invalid(
                        &format!("{sc}.capabilities.add"),
                        &quoted(cap),
                        "capability may not be added",
                    ),
                    pointer(
                        &c.pointer,
                        &[
                            "securityContext",
                            "capabilities",
                            "add",
                            &written.to_string(),
                        ],
                    ),
                    format!("remove {cap} from `capabilities.add` (the policy allows: {allowed})"),
                );
            }
        }
    }
    for (j, port) in &c.host_ports {
        if *port > 0
            && !psp
                .host_ports
                .iter()
                .any(|&(lo, hi)| *port >= lo && *port <= hi)
        {
            let ranges = psp.host_ports_text();
            push(
                invalid(
                    &format!("{}.hostPort", c.path),
                    &port.to_string(),
                    &format!(
                        "Host port {port} is not allowed to be used. Allowed ports: [{ranges}]"
                    ),
                ),
                pointer(&c.pointer, &["ports", &j.to_string(), "hostPort"]),
                if ranges.is_empty() {
                    "remove the `hostPort`: the policy allows none".to_owned()
                } else {
                    format!("use a host port in {ranges}, or none")
                },
            );
        }
    }
    if psp.read_only_root_fs && c.read_only_root_fs == Some(false) {
        push(
            invalid(
                &format!("{sc}.readOnlyRootFilesystem"),
                "false",
                "ReadOnlyRootFilesystem must be set to true",
            ),
            sc_ptr("readOnlyRootFilesystem"),
            "set `readOnlyRootFilesystem: true`, with an emptyDir for what the container writes"
                .to_owned(),
        );
    }
    if !psp.allow_priv_esc && c.allow_priv_esc != Some(false) {
        let value = match c.allow_priv_esc {
            Some(true) => "true",
            _ => "\"null\"",
        };
        push(
            invalid(
                &format!("{sc}.allowPrivilegeEscalation"),
                value,
                "Allowing privilege escalation for containers is not allowed",
            ),
            sc_ptr("allowPrivilegeEscalation"),
            "set `allowPrivilegeEscalation: false`".to_owned(),
        );
    }
}

/// The index of a capability in the container's written `capabilities.add`.
fn pod_cap_index(c: &Ctr, cap: &str) -> Option<usize> {
    c.caps.as_ref()?.0.iter().position(|x| x == cap)
}

/// Where a run-as field is written: the container's, else the pod's.
fn runs_as_pointer(pod: &PodSec, c: &Ctr, field: &str) -> String {
    let own = match field {
        "runAsUser" => c.run_as_user.is_some(),
        "runAsGroup" => c.run_as_group.is_some(),
        _ => c.run_as_non_root.is_some(),
    };
    if own {
        pointer(&c.pointer, &["securityContext", field])
    } else {
        pod.sc_pointer(&[field])
    }
}

fn annotation_pointer(pod: &PodSec, key: &str) -> String {
    pointer(&pod.metadata_pointer, &["annotations", key])
}

/// The deepest prefix of `pointer` that exists in the object, and how to
/// point at it: the value itself, or the key of the parent of what is
/// missing.
pub(crate) fn locate(object: &Resource, pointer: &str) -> (String, Target) {
    if object.value.pointer(pointer).is_some() {
        return (pointer.to_owned(), Target::Value);
    }
    let mut p = pointer.to_owned();
    while !p.is_empty() && object.value.pointer(&p).is_none() {
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => p.clear(),
        }
    }
    (p, Target::Key)
}

/// The ServiceAccount a pod runs as: `serviceAccountName`, the deprecated
/// `serviceAccount`, or `default`.
pub(crate) fn service_account<'a>(pod: &PodSpec<'a>) -> &'a str {
    pod.get("serviceAccountName")
        .or_else(|| pod.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
}

/// Whether a Role or ClusterRole of the set names `podsecuritypolicies`
/// with the `use` verb: then RBAC decides which policies a pod may use.
/// Asked for every pod, answered once per run.
pub(crate) fn rbac_governs(index: &Index<'_>) -> bool {
    *index.memo(("psp-rbac-governs", ""), || {
        index
            .of_kind("ClusterRole")
            .chain(index.of_kind("Role"))
            .any(|r| {
                rbac::rules_of(r).iter().any(|rule| {
                    rule.resources.contains(&"podsecuritypolicies") && rule.verb_matches("use")
                })
            })
    })
}

/// The policies of the set the controller can use (the valid ones), by
/// name. [`Index`] reads them once per run.
pub(crate) fn policies<'a>(index: &Index<'a>) -> Vec<Psp<'a>> {
    let mut out: Vec<Psp<'a>> = index
        .of_kind("PodSecurityPolicy")
        .filter_map(Psp::read)
        .filter(|p| p.problems().is_empty())
        .collect();
    out.sort_by_key(|p| p.name);
    out
}

/// How the controller decides on one pod.
pub(crate) struct Decision<'a> {
    /// `namespace/name` of the ServiceAccount.
    pub service_account: String,
    /// The policy that admits the pod, and what it changes.
    pub admitted: Option<(&'a Psp<'a>, Vec<String>)>,
    /// The policies the pod may use that refuse it, with why.
    pub refusals: Vec<(&'a Psp<'a>, Vec<Violation>)>,
    /// How many policies the pod may use.
    pub usable: usize,
    /// Whether RBAC objects of the set decided which policies are usable.
    pub by_rbac: bool,
}

/// Runs the controller's choice over `policies` for `pod` in `ns`:
/// non-mutating policies first, by name, then mutating ones by name.
pub(crate) fn decide<'a>(
    index: &Index<'_>,
    policies: &'a [Psp<'a>],
    pod: &PodSpec<'_>,
    ns: &str,
    ignore_rbac: bool,
) -> Decision<'a> {
    let sa = service_account(pod);
    let by_rbac = !ignore_rbac && rbac_governs(index);
    let user = User::service_account(ns, sa);
    let may_use = |p: &Psp<'_>| {
        !by_rbac
            || ["policy", "extensions"].iter().any(|group| {
                user.may_in(
                    index,
                    &Request {
                        namespace: Some(ns),
                        verb: "use",
                        group,
                        resource: "podsecuritypolicies",
                        name: Some(p.name),
                    },
                )
            })
    };
    let model = PodSec::read(pod);
    let mut decision = Decision {
        service_account: format!("{ns}/{sa}"),
        admitted: None,
        refusals: Vec::new(),
        usable: 0,
        by_rbac,
    };
    let usable: Vec<&'a Psp<'a>> = policies.iter().filter(|p| may_use(p)).collect();
    decision.usable = usable.len();
    let mut first_mutating = None;
    for p in usable {
        let outcome = evaluate(p, &model);
        if !outcome.violations.is_empty() {
            decision.refusals.push((p, outcome.violations));
        } else if outcome.mutations.is_empty() {
            decision.admitted = Some((p, Vec::new()));
            return decision;
        } else if first_mutating.is_none() {
            first_mutating = Some((p, outcome.mutations));
        }
    }
    decision.admitted = first_mutating;
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_path_prefixes_follow_path_segments() {
        assert!(has_path_prefix("/foo", "/foo"));
        assert!(has_path_prefix("/foo/", "/foo"));
        assert!(has_path_prefix("/foo/bar", "/foo/"));
        assert!(has_path_prefix("/foo/../foo/bar", "/foo"));
        assert!(!has_path_prefix("/foobar", "/foo"));
        assert!(has_path_prefix("/anything", "/"));
        assert_eq!(clean("a/./b/../c/"), "a/c");
    }

    #[test]
    fn selinux_levels_compare_categories_as_sets() {
        assert!(equal_levels("s0:c0,c6", "s0:c6,c0"));
        assert!(!equal_levels("s0:c0,c6", "s1:c6,c0"));
        assert!(!equal_levels("s0", "s0:c1"));
    }
}
