//! Cases transcribed from the upstream `pod-security-admission` policy unit
//! tests (`policy/check_*_test.go`) and fixture generators
//! (`test/fixtures_*.go`): each generator tweaks the minimal valid pod of a
//! level into pods that must pass or fail one check.

use serde_json::{Value as Json, json};

use super::*;
use crate::resource::Resource;
use crate::source::FileId;
use crate::yaml::LoadOptions;

fn load(pod: &Json) -> Resource {
    let text = serde_json::to_string(pod).expect("json");
    let (mut resources, diags) = crate::load::load_text(FileId(0), &text, &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:?}");
    resources.remove(0)
}

fn pod(spec: Json) -> Json {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

fn run(p: &Json, level: Level, minor: u16) -> Vec<Violation> {
    let r = load(p);
    let spec = PodSpec::of(&r).expect("a pod");
    evaluate(&Pod::new(&spec), level, minor)
}

/// The checks that fail.
fn ids(p: &Json, level: Level, minor: u16) -> Vec<&'static str> {
    run(p, level, minor).iter().map(|v| v.check).collect()
}

/// `reason (detail)` of the one failing check `id`.
fn text(p: &Json, level: Level, minor: u16, id: &str) -> String {
    let found = run(p, level, minor);
    let v = found
        .iter()
        .find(|v| v.check == id)
        .unwrap_or_else(|| panic!("{id} does not fail: {found:?}"));
    v.text()
}

/// The minimal valid pods of the fixture generators.
fn minimal(level: Level) -> Json {
    let base = json!({
        "initContainers": [{"name": "initcontainer1", "image": "k8s.gcr.io/pause"}],
        "containers": [{"name": "container1", "image": "k8s.gcr.io/pause"}],
    });
    if level == Level::Baseline {
        return pod(base);
    }
    let hardened = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
    let mut spec = base;
    spec["securityContext"] =
        json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}});
    spec["initContainers"][0]["securityContext"] = hardened.clone();
    spec["containers"][0]["securityContext"] = hardened;
    pod(spec)
}

fn tweak(p: &Json, f: impl FnOnce(&mut Json)) -> Json {
    let mut p = p.clone();
    f(&mut p["spec"]);
    p
}

const B: Level = Level::Baseline;
const R: Level = Level::Restricted;
const LATEST: u16 = 37;

#[test]
fn minimal_pods_pass_at_every_version() {
    for minor in 0..=LATEST {
        assert_eq!(ids(&minimal(B), B, minor), Vec::<&str>::new(), "v1.{minor}");
        assert_eq!(ids(&minimal(R), R, minor), Vec::<&str>::new(), "v1.{minor}");
    }
    // The baseline pod fails restricted on the restricted checks only.
    assert_eq!(
        ids(&minimal(B), R, LATEST),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    assert_eq!(
        ids(&minimal(B), Level::Privileged, LATEST),
        Vec::<&str>::new()
    );
}

#[test]
fn the_policy_example_message() {
    let p = pod(json!({"containers": [{"name": "nginx", "image": "nginx",
        "securityContext": {"privileged": true}}]}));
    assert_eq!(
        aggregate(&run(&p, R, LATEST)),
        "privileged (container \"nginx\" must not set securityContext.privileged=true), \
         allowPrivilegeEscalation != false (container \"nginx\" must set securityContext.allowPrivilegeEscalation=false), \
         unrestricted capabilities (container \"nginx\" must set securityContext.capabilities.drop=[\"ALL\"]), \
         runAsNonRoot != true (pod or container \"nginx\" must set securityContext.runAsNonRoot=true), \
         seccompProfile (pod or container \"nginx\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
}

#[test]
fn checks_apply_from_their_policy_version() {
    let p = minimal(B);
    // allowPrivilegeEscalation from 1.8, seccomp from 1.19, capabilities from 1.22.
    assert_eq!(ids(&p, R, 7), ["runAsNonRoot"]);
    assert_eq!(ids(&p, R, 8), ["allowPrivilegeEscalation", "runAsNonRoot"]);
    assert_eq!(
        ids(&p, R, 19),
        [
            "allowPrivilegeEscalation",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    let probe = tweak(&minimal(B), |s| {
        s["containers"][0]["livenessProbe"] = json!({"httpGet": {"host": "bad.host", "port": 80}});
    });
    assert_eq!(ids(&probe, B, 33), Vec::<&str>::new());
    assert_eq!(ids(&probe, B, 34), ["hostProbesAndHostLifecycle"]);
}

#[test]
fn policy_versions_parse_as_the_labels_allow() {
    assert_eq!(PolicyVersion::parse("latest"), Some(PolicyVersion::Latest));
    assert_eq!(PolicyVersion::parse("v1.0"), Some(PolicyVersion::Minor(0)));
    assert_eq!(
        PolicyVersion::parse("v1.25"),
        Some(PolicyVersion::Minor(25))
    );
    for bad in ["1.25", "v1.025", "v2.0", "v1.", "v1.x", "Latest", ""] {
        assert_eq!(PolicyVersion::parse(bad), None, "{bad}");
    }
    assert_eq!(PolicyVersion::Minor(40).effective(37), 37);
    assert_eq!(PolicyVersion::Latest.effective(30), 30);
    assert_eq!(PolicyVersion::Minor(25).to_string(), "v1.25");
}

/// `TestSELinuxOptions`.
#[test]
fn se_linux_options() {
    let sel = |o: Json| json!({"seLinuxOptions": o});
    let containers = |extra: bool| {
        let mut list = vec![
            json!({"name": "a", "securityContext": sel(json!({"type": "container_t"}))}),
            json!({"name": "b", "securityContext": sel(json!({"type": "container_init_t"}))}),
            json!({"name": "c", "securityContext": sel(json!({"type": "container_kvm_t"}))}),
            json!({"name": "d", "securityContext": sel(json!({"type": "container_engine_t"}))}),
        ];
        if extra {
            list.push(json!({"name": "e", "securityContext": sel(json!({"type": "bar"}))}));
            list.push(json!({"name": "f", "securityContext": sel(json!({"user": "bar"}))}));
            list.push(json!({"name": "g", "securityContext": sel(json!({"role": "baz"}))}));
        }
        Json::Array(list)
    };
    let bad_pod = sel(json!({"type": "foo", "user": "bar", "role": "baz"}));
    let cases = [
        (
            pod(json!({"securityContext": bad_pod, "containers": containers(true)})),
            "pod and containers \"e\", \"f\", \"g\" set forbidden securityContext.seLinuxOptions: types \"bar\", \"foo\"; user may not be set; role may not be set",
        ),
        (
            pod(json!({"securityContext": bad_pod, "containers": containers(false)})),
            "pod set forbidden securityContext.seLinuxOptions: type \"foo\"; user may not be set; role may not be set",
        ),
        (
            pod(json!({"securityContext": sel(json!({})), "containers": containers(true)})),
            "containers \"e\", \"f\", \"g\" set forbidden securityContext.seLinuxOptions: type \"bar\"; user may not be set; role may not be set",
        ),
        (
            pod(json!({"securityContext": sel(json!({"type": "bad"}))})),
            "pod set forbidden securityContext.seLinuxOptions: type \"bad\"",
        ),
        (
            pod(json!({"securityContext": sel(json!({"user": "bad"}))})),
            "pod set forbidden securityContext.seLinuxOptions: user may not be set",
        ),
        (
            pod(json!({"securityContext": sel(json!({"role": "bad"}))})),
            "pod set forbidden securityContext.seLinuxOptions: role may not be set",
        ),
    ];
    for (p, detail) in cases {
        assert_eq!(
            text(&p, B, 31, "seLinuxOptions"),
            format!("seLinuxOptions ({detail})")
        );
    }
    // container_engine_t is allowed from 1.31 only.
    let engine = pod(json!({"containers": [{"name": "d",
        "securityContext": sel(json!({"type": "container_engine_t"}))}]}));
    assert_eq!(ids(&engine, B, 31), Vec::<&str>::new());
    assert_eq!(
        text(&engine, B, 30, "seLinuxOptions"),
        "seLinuxOptions (container \"d\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")"
    );
}

/// `TestCheckAppArmor_Allowed` and `TestCheckAppArmor_Forbidden`.
#[test]
fn app_armor_profile() {
    let with_annotations = |a: Json, spec: Json| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": a}, "spec": spec})
    };
    let allowed = [
        with_annotations(
            json!({"container.apparmor.security.beta.kubernetes.io/test": "runtime/default", "env": "prod"}),
            json!({}),
        ),
        with_annotations(
            json!({"container.apparmor.security.beta.kubernetes.io/test": "localhost/sec-profile01", "env": "dev"}),
            json!({}),
        ),
        with_annotations(json!({"env": "dev"}), json!({})),
        pod(json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}})),
        pod(json!({"containers": [{"name": "foo",
            "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]})),
    ];
    for p in &allowed {
        assert_eq!(ids(p, B, LATEST), Vec::<&str>::new(), "{p}");
    }
    let unconfined = json!({"appArmorProfile": {"type": "Unconfined"}});
    let runtime_default = json!({"appArmorProfile": {"type": "RuntimeDefault"}});
    let forbidden = [
        (
            pod(json!({"securityContext": unconfined})),
            "forbidden AppArmor profile (pod must not set AppArmor profile type to \"Unconfined\")",
        ),
        (
            pod(json!({"securityContext": runtime_default,
                "containers": [{"name": "foo", "securityContext": unconfined}]})),
            "forbidden AppArmor profile (container \"foo\" must not set AppArmor profile type to \"Unconfined\")",
        ),
        (
            pod(json!({"securityContext": runtime_default,
                "containers": [{"name": "foo"}],
                "initContainers": [{"name": "bar", "securityContext": unconfined}]})),
            "forbidden AppArmor profile (container \"bar\" must not set AppArmor profile type to \"Unconfined\")",
        ),
        (
            with_annotations(
                json!({
                    "container.apparmor.security.beta.kubernetes.io/": "bogus",
                    "container.apparmor.security.beta.kubernetes.io/a": "",
                    "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
                    "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
                    "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
                    "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
                    "container.apparmor.security.beta.kubernetes.io/f": "unknown",
                }),
                json!({}),
            ),
            "forbidden AppArmor profiles (annotations must not set AppArmor profile type to \
             \"container.apparmor.security.beta.kubernetes.io/=\"bogus\"\", \
             \"container.apparmor.security.beta.kubernetes.io/e=\"unconfined\"\", \
             \"container.apparmor.security.beta.kubernetes.io/f=\"unknown\"\")",
        ),
    ];
    for (p, want) in forbidden {
        assert_eq!(text(&p, B, LATEST, "appArmorProfile"), want);
    }
}

fn volume(name: &str, kind: &str) -> Json {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), json!(name));
    m.insert(kind.into(), json!({}));
    Json::Object(m)
}

/// `TestRestrictedVolumes`.
#[test]
fn restricted_volumes() {
    let mut volumes = Vec::new();
    for (i, kind) in [
        "emptyDir",
        "secret",
        "persistentVolumeClaim",
        "downwardAPI",
        "configMap",
        "projected",
        "csi",
        "ephemeral",
        "image",
    ]
    .iter()
    .enumerate()
    {
        volumes.push(volume(&format!("a{}", i + 1), kind));
    }
    for (i, kind) in RESTRICTED_VOLUMES.iter().enumerate() {
        volumes.push(volume(&format!("b{}", i + 1), kind));
    }
    volumes.push(json!({"name": "c1"}));
    let p = pod(json!({"volumes": volumes}));
    assert_eq!(
        text(&p, R, LATEST, "restrictedVolumes"),
        "restricted volume types (volumes \
         \"b1\", \"b2\", \"b3\", \"b4\", \"b5\", \"b6\", \"b7\", \"b8\", \"b9\", \"b10\", \"b11\", \"b12\", \"b13\", \"b14\", \"b15\", \"b16\", \"b17\", \"b18\", \"b19\", \"b20\", \"b21\", \"c1\" \
         use restricted volume types \
         \"awsElasticBlockStore\", \"azureDisk\", \"azureFile\", \"cephfs\", \"cinder\", \"fc\", \"flexVolume\", \"flocker\", \"gcePersistentDisk\", \"gitRepo\", \"glusterfs\", \
         \"hostPath\", \"iscsi\", \"nfs\", \"photonPersistentDisk\", \"portworxVolume\", \"quobyte\", \"rbd\", \"scaleIO\", \"storageos\", \"unknown\", \"vsphereVolume\")"
    );
    // Restricted replaces the baseline hostPath check.
    let host = pod(json!({"volumes": [{"name": "v", "hostPath": {"path": "/var/log"}}]}));
    assert_eq!(
        text(&host, B, LATEST, "hostPathVolumes"),
        "hostPath volumes (volume \"v\")"
    );
    assert!(!ids(&host, R, LATEST).contains(&"hostPathVolumes"));
    assert_eq!(
        text(&host, R, LATEST, "restrictedVolumes"),
        "restricted volume types (volume \"v\" uses restricted volume type \"hostPath\")"
    );
}

/// `fixtures_runAsNonRoot.go`.
#[test]
fn run_as_non_root() {
    let p = minimal(R);
    let pass = [
        tweak(&p, |s| {
            s["securityContext"]["runAsNonRoot"] = json!(true);
        }),
        tweak(&p, |s| {
            s["securityContext"]
                .as_object_mut()
                .map(|m| m.remove("runAsNonRoot"));
            s["containers"][0]["securityContext"]["runAsNonRoot"] = json!(true);
            s["initContainers"][0]["securityContext"]["runAsNonRoot"] = json!(true);
        }),
    ];
    for p in &pass {
        assert_eq!(ids(p, R, LATEST), Vec::<&str>::new());
    }
    let unset = tweak(&p, |s| {
        s["securityContext"]
            .as_object_mut()
            .map(|m| m.remove("runAsNonRoot"));
    });
    assert_eq!(
        text(&unset, R, LATEST, "runAsNonRoot"),
        "runAsNonRoot != true (pod or containers \"initcontainer1\", \"container1\" must set securityContext.runAsNonRoot=true)"
    );
    let pod_false = tweak(&p, |s| s["securityContext"]["runAsNonRoot"] = json!(false));
    assert_eq!(
        text(&pod_false, R, LATEST, "runAsNonRoot"),
        "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"
    );
    let container_false = tweak(&p, |s| {
        s["containers"][0]["securityContext"]["runAsNonRoot"] = json!(false);
    });
    assert_eq!(
        text(&container_false, R, LATEST, "runAsNonRoot"),
        "runAsNonRoot != true (container \"container1\" must not set securityContext.runAsNonRoot=false)"
    );
    let init_false = tweak(&p, |s| {
        s["initContainers"][0]["securityContext"]["runAsNonRoot"] = json!(false);
    });
    assert_eq!(ids(&init_false, R, LATEST), ["runAsNonRoot"]);
    // From 1.35 a pod in a user namespace may run as root.
    let userns = tweak(&pod_false, |s| s["hostUsers"] = json!(false));
    assert_eq!(ids(&userns, R, 35), Vec::<&str>::new());
    assert_eq!(ids(&userns, R, 34), ["runAsNonRoot"]);
}

/// `fixtures_runAsUser.go`.
#[test]
fn run_as_user() {
    let p = minimal(R);
    for ok in [json!(1000), json!(1)] {
        let pass = tweak(&p, |s| {
            s["securityContext"]["runAsUser"] = ok.clone();
            s["containers"][0]["securityContext"]["runAsUser"] = ok;
        });
        assert_eq!(ids(&pass, R, LATEST), Vec::<&str>::new());
    }
    let both = tweak(&p, |s| {
        s["securityContext"]["runAsUser"] = json!(0);
        s["containers"][0]["securityContext"]["runAsUser"] = json!(0);
        s["initContainers"][0]["securityContext"]["runAsUser"] = json!(0);
    });
    assert_eq!(
        text(&both, R, LATEST, "runAsUser"),
        "runAsUser=0 (pod and containers \"initcontainer1\", \"container1\" must not set runAsUser=0)"
    );
    // Not a check before 1.23.
    assert_eq!(ids(&both, R, 22), Vec::<&str>::new());
    assert_eq!(
        ids(&tweak(&both, |s| s["hostUsers"] = json!(false)), R, 35),
        Vec::<&str>::new()
    );
}

/// `fixtures_capabilities_restricted.go`.
#[test]
fn capabilities_restricted() {
    let p = minimal(R);
    let pass = tweak(&p, |s| {
        s["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
        s["initContainers"][0]["securityContext"]["capabilities"]["add"] =
            json!(["NET_BIND_SERVICE"]);
    });
    assert_eq!(ids(&pass, R, LATEST), Vec::<&str>::new());
    let no_drop = tweak(&p, |s| {
        s["containers"][0]["securityContext"]["capabilities"]["drop"] = json!([]);
    });
    assert_eq!(
        text(&no_drop, R, LATEST, "capabilities_restricted"),
        "unrestricted capabilities (container \"container1\" must set securityContext.capabilities.drop=[\"ALL\"])"
    );
    let init_no_drop = tweak(&p, |s| {
        s["initContainers"][0]["securityContext"]["capabilities"]["drop"] = json!([]);
    });
    assert_eq!(ids(&init_no_drop, R, LATEST), ["capabilities_restricted"]);
    // Dropping every capability one by one is not dropping ALL.
    let each = tweak(&p, |s| {
        s["containers"][0]["securityContext"]["capabilities"]["drop"] =
            json!(["SYS_TIME", "SYS_MODULE", "NET_RAW", "CHOWN", "SYS_ADMIN"]);
    });
    assert_eq!(ids(&each, R, LATEST), ["capabilities_restricted"]);
    let add_back = tweak(&p, |s| {
        let add = json!(["AUDIT_WRITE", "CHOWN", "NET_BIND_SERVICE", "SETUID"]);
        s["containers"][0]["securityContext"]["capabilities"]["add"] = add.clone();
        s["initContainers"][0]["securityContext"]["capabilities"]["add"] = add;
    });
    assert_eq!(
        text(&add_back, R, LATEST, "capabilities_restricted"),
        "unrestricted capabilities (containers \"initcontainer1\", \"container1\" must not include \"AUDIT_WRITE\", \"CHOWN\", \"SETUID\" in securityContext.capabilities.add)"
    );
    let both = tweak(&no_drop, |s| {
        s["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["SYS_TIME"]);
    });
    assert_eq!(
        text(&both, R, LATEST, "capabilities_restricted"),
        "unrestricted capabilities (container \"container1\" must set securityContext.capabilities.drop=[\"ALL\"]; container \"container1\" must not include \"SYS_TIME\" in securityContext.capabilities.add)"
    );
    // Windows pods are exempt from 1.25.
    let windows = tweak(&no_drop, |s| s["os"] = json!({"name": "windows"}));
    assert_eq!(ids(&windows, R, 25), Vec::<&str>::new());
    assert_eq!(ids(&windows, R, 24), ["capabilities_restricted"]);
}

/// `fixtures_capabilities_baseline.go` and the seed `scd-3` pod.
#[test]
fn capabilities_baseline() {
    let p = minimal(B);
    let pass = tweak(&p, |s| {
        s["containers"][0]["securityContext"] =
            json!({"capabilities": {"add": BASELINE_CAPABILITIES}});
    });
    assert_eq!(ids(&pass, B, LATEST), Vec::<&str>::new());
    let fail = tweak(&p, |s| {
        s["containers"][0]["securityContext"] =
            json!({"capabilities": {"add": ["NET_ADMIN", "SYS_TIME", "CHOWN"]}});
        s["initContainers"][0]["securityContext"] = json!({"capabilities": {"add": ["NET_RAW"]}});
    });
    assert_eq!(
        text(&fail, B, LATEST, "capabilities_baseline"),
        "non-default capabilities (containers \"initcontainer1\", \"container1\" must not include \"NET_ADMIN\", \"NET_RAW\", \"SYS_TIME\" in securityContext.capabilities.add)"
    );
    // Restricted reports the same adds under its own check.
    assert_eq!(
        ids(&fail, R, LATEST),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
}

/// `fixtures_sysctls.go`, one generator per version.
#[test]
fn sysctls() {
    let p = |names: &[&str]| {
        let list: Vec<Json> = names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect();
        tweak(&minimal(B), |s| {
            s["securityContext"] = json!({"sysctls": list})
        })
    };
    for minor in [0, 27, 29, 32, 37] {
        assert_eq!(ids(&p(&safe_sysctls(minor)), B, minor), Vec::<&str>::new());
        assert_eq!(
            text(&p(&["othersysctl"]), B, minor, "sysctls"),
            "forbidden sysctls (othersysctl)"
        );
    }
    assert_eq!(
        text(
            &p(&["net.ipv4.ip_local_reserved_ports", "kernel.msgmax"]),
            B,
            26,
            "sysctls"
        ),
        "forbidden sysctls (net.ipv4.ip_local_reserved_ports, kernel.msgmax)"
    );
    assert_eq!(ids(&p(&["net.ipv4.tcp_rmem"]), B, 31), ["sysctls"]);
    assert_eq!(ids(&p(&["net.ipv4.tcp_rmem"]), B, 32), Vec::<&str>::new());
}

/// `fixtures_hostProbesAndHostLifecycle.go`.
#[test]
fn host_probes_and_host_lifecycle() {
    let p = minimal(B);
    let fail = [
        tweak(&p, |s| {
            s["containers"][0]["livenessProbe"] =
                json!({"httpGet": {"host": "bad.host", "port": 80}});
        }),
        tweak(&p, |s| {
            s["initContainers"][0]["readinessProbe"] =
                json!({"tcpSocket": {"host": "8.8.8.8", "port": 53}});
        }),
        tweak(&p, |s| {
            s["containers"][0]["lifecycle"] =
                json!({"postStart": {"httpGet": {"host": "bad.host", "port": 80}}});
        }),
    ];
    for f in &fail {
        assert_eq!(ids(f, B, 34), ["hostProbesAndHostLifecycle"]);
    }
    assert_eq!(
        text(&fail[1], B, LATEST, "hostProbesAndHostLifecycle"),
        "probe or lifecycle host (container \"initcontainer1\" uses probe or lifecycle host \"8.8.8.8\")"
    );
    let two = tweak(&fail[0], |s| {
        s["initContainers"][0]["readinessProbe"] =
            json!({"tcpSocket": {"host": "a.host", "port": 53}});
    });
    assert_eq!(
        text(&two, B, LATEST, "hostProbesAndHostLifecycle"),
        "probe or lifecycle host (containers \"container1\", \"initcontainer1\" use probe or lifecycle hosts \"a.host\", \"bad.host\")"
    );
}

/// `fixtures_hostPorts.go`, `fixtures_hostNamespaces.go`, `fixtures_privileged.go`.
#[test]
fn host_ports_namespaces_and_privileged() {
    let p = minimal(B);
    let ports = tweak(&p, |s| {
        s["containers"][0]["ports"] =
            json!([{"containerPort": 80, "hostPort": 80}, {"containerPort": 443, "hostPort": 443}]);
        s["initContainers"][0]["ports"] = json!([{"containerPort": 8080, "hostPort": 0}]);
    });
    // Ports are listed as strings, so "443" sorts before "80".
    assert_eq!(
        text(&ports, B, LATEST, "hostPorts"),
        "hostPort (container \"container1\" uses hostPorts 443, 80)"
    );
    let ns = tweak(&p, |s| {
        s["hostIPC"] = json!(true);
        s["hostNetwork"] = json!(true);
        s["hostPID"] = json!(false);
    });
    assert_eq!(
        text(&ns, B, LATEST, "hostNamespaces"),
        "host namespaces (hostNetwork=true, hostIPC=true)"
    );
    let privileged = tweak(&p, |s| {
        s["containers"][0]["securityContext"] = json!({"privileged": true});
        s["initContainers"][0]["securityContext"] = json!({"privileged": true});
    });
    assert_eq!(
        text(&privileged, B, LATEST, "privileged"),
        "privileged (containers \"initcontainer1\", \"container1\" must not set securityContext.privileged=true)"
    );
    let unprivileged = tweak(&p, |s| {
        s["containers"][0]["securityContext"] = json!({"privileged": false});
    });
    assert_eq!(ids(&unprivileged, B, LATEST), Vec::<&str>::new());
}

/// `fixtures_procMount.go` and `fixtures_windowsHostProcess.go`.
#[test]
fn proc_mount_and_host_process() {
    let p = minimal(B);
    let unmasked = tweak(&p, |s| {
        s["containers"][0]["securityContext"] = json!({"procMount": "Unmasked"});
    });
    assert_eq!(
        text(&unmasked, B, LATEST, "procMount"),
        "procMount (container \"container1\" must not set securityContext.procMount to \"Unmasked\")"
    );
    let default = tweak(&p, |s| {
        s["containers"][0]["securityContext"] = json!({"procMount": "Default"});
    });
    assert_eq!(ids(&default, B, LATEST), Vec::<&str>::new());
    // From 1.35 baseline allows any procMount in a user namespace; restricted does not.
    let userns = tweak(&unmasked, |s| s["hostUsers"] = json!(false));
    assert_eq!(ids(&userns, B, 35), Vec::<&str>::new());
    assert_eq!(ids(&userns, B, 34), ["procMount"]);
    let restricted = tweak(&minimal(R), |s| {
        s["hostUsers"] = json!(false);
        s["containers"][0]["securityContext"]["procMount"] = json!("Unmasked");
    });
    assert_eq!(ids(&restricted, R, 35), ["procMount_restricted"]);
    assert_eq!(ids(&restricted, R, 34), ["procMount"]);

    let host_process = tweak(&p, |s| {
        s["securityContext"] = json!({"windowsOptions": {"hostProcess": true}});
        s["containers"][0]["securityContext"] = json!({"windowsOptions": {"hostProcess": true}});
    });
    assert_eq!(
        text(&host_process, B, LATEST, "windowsHostProcess"),
        "hostProcess (pod and container \"container1\" must not set securityContext.windowsOptions.hostProcess=true)"
    );
}

/// `fixtures_seccompProfile_baseline.go` and `fixtures_seccompProfile_restricted.go`.
#[test]
fn seccomp_profiles() {
    let b = minimal(B);
    let unconfined = tweak(&b, |s| {
        s["securityContext"] = json!({"seccompProfile": {"type": "Unconfined"}});
        s["containers"][0]["securityContext"] = json!({"seccompProfile": {"type": "Unconfined"}});
    });
    assert_eq!(
        text(&unconfined, B, LATEST, "seccompProfile_baseline"),
        "seccompProfile (pod and container \"container1\" must not set securityContext.seccompProfile.type to \"Unconfined\")"
    );
    // Before 1.19 baseline looked at annotations only.
    assert_eq!(ids(&unconfined, B, 18), Vec::<&str>::new());
    let annotated = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/container1": "docker/default",
        "container.seccomp.security.alpha.kubernetes.io/initcontainer1": "unconfined"}},
        "spec": b["spec"].clone()});
    assert_eq!(
        text(&annotated, B, 18, "seccompProfile_baseline"),
        "seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/initcontainer1=\"unconfined\", seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")"
    );
    assert_eq!(ids(&annotated, B, 19), Vec::<&str>::new());

    let r = minimal(R);
    let container_only = tweak(&r, |s| {
        s["securityContext"]
            .as_object_mut()
            .map(|m| m.remove("seccompProfile"));
        s["containers"][0]["securityContext"]["seccompProfile"] =
            json!({"type": "Localhost", "localhostProfile": "p.json"});
    });
    assert_eq!(
        text(&container_only, R, LATEST, "seccompProfile_restricted"),
        "seccompProfile (pod or container \"initcontainer1\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    let bad_container = tweak(&r, |s| {
        s["initContainers"][0]["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"});
    });
    assert_eq!(
        text(&bad_container, R, LATEST, "seccompProfile_restricted"),
        "seccompProfile (container \"initcontainer1\" must not set securityContext.seccompProfile.type to \"Unconfined\")"
    );
    let windows = tweak(&container_only, |s| s["os"] = json!({"name": "windows"}));
    assert_eq!(ids(&windows, R, 25), Vec::<&str>::new());
}

/// `fixtures_allowPrivilegeEscalation.go`.
#[test]
fn allow_privilege_escalation() {
    let r = minimal(R);
    let fail = [
        tweak(&r, |s| {
            s["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
        }),
        tweak(&r, |s| {
            s["initContainers"][0]["securityContext"]
                .as_object_mut()
                .map(|m| m.remove("allowPrivilegeEscalation"));
        }),
    ];
    assert_eq!(
        text(&fail[0], R, LATEST, "allowPrivilegeEscalation"),
        "allowPrivilegeEscalation != false (container \"container1\" must set securityContext.allowPrivilegeEscalation=false)"
    );
    assert_eq!(ids(&fail[1], R, LATEST), ["allowPrivilegeEscalation"]);
    let windows = tweak(&fail[0], |s| s["os"] = json!({"name": "windows"}));
    assert_eq!(ids(&windows, R, 25), Vec::<&str>::new());
    assert_eq!(ids(&windows, R, 24), ["allowPrivilegeEscalation"]);
}

#[test]
fn offenders_point_at_the_fields() {
    let p = tweak(&minimal(R), |s| {
        s["containers"][0]["securityContext"]
            .as_object_mut()
            .map(|m| m.remove("capabilities"));
        s["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
        s["initContainers"][0]
            .as_object_mut()
            .map(|m| m.remove("securityContext"));
    });
    let found = run(&p, R, LATEST);
    let pointers = |id: &str| -> Vec<(String, Target)> {
        found
            .iter()
            .find(|v| v.check == id)
            .map(|v| {
                v.offenders
                    .iter()
                    .map(|o| (o.pointer.clone(), o.target))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        pointers("allowPrivilegeEscalation"),
        [
            ("/spec/initContainers/0".to_owned(), Target::Key),
            (
                "/spec/containers/0/securityContext/allowPrivilegeEscalation".to_owned(),
                Target::Value
            ),
        ]
    );
    assert_eq!(
        pointers("capabilities_restricted"),
        [
            ("/spec/initContainers/0".to_owned(), Target::Key),
            ("/spec/containers/0/securityContext".to_owned(), Target::Key),
        ]
    );
}
