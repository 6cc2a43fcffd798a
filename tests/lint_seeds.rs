//! Every policy problem the seed index notes (`[lint]` and `[ref]`) is found
//! by the rule it belongs to, at the line it is on, by `drydock check`.
//!
//! One entry per problem: the seed the finding is in, the seeds it needs
//! beside it to resolve references, the edits the note itself asks for
//! before the problem can show (`apiVerison` → `apiVersion`: a lint rule
//! cannot judge an object the validator cannot read), the rule, and every
//! line of the seed where that rule reports (none: it must stay silent).
//! Removed API versions are the validator's (`api-removed`) and are asserted
//! here too; the seeds' schema errors are in `tests/inputs.rs`.
//!
//! Problems the index notes that no check covers are listed in [`UNCOVERED`]
//! with the reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One noted problem and where it must be reported.
struct Note {
    /// The seed the finding is in (`fixtures/seeds/<seed>`).
    seed: &'static str,
    /// Seeds loaded with it.
    with: &'static [&'static str],
    /// Text replacements applied to `seed` first (what the note says must be fixed).
    fix: &'static [(&'static str, &'static str)],
    /// `--kubernetes-version`, when not the newest.
    version: Option<&'static str>,
    /// Opt-in rules switched on for the run.
    enable: &'static [&'static str],
    /// The rule (or validator code).
    code: &'static str,
    /// Every line of `seed` where `code` is reported; empty: it must not be.
    lines: &'static [u64],
    /// Text every one of these findings' messages contains.
    message: &'static str,
}

const fn note(seed: &'static str, code: &'static str, lines: &'static [u64]) -> Note {
    Note {
        seed,
        with: &[],
        fix: &[],
        version: None,
        enable: &[],
        code,
        lines,
        message: "",
    }
}

impl Note {
    const fn with(mut self, seeds: &'static [&'static str]) -> Self {
        self.with = seeds;
        self
    }
    const fn fix(mut self, edits: &'static [(&'static str, &'static str)]) -> Self {
        self.fix = edits;
        self
    }
    const fn version(mut self, v: &'static str) -> Self {
        self.version = Some(v);
        self
    }
    const fn enable(mut self, rules: &'static [&'static str]) -> Self {
        self.enable = rules;
        self
    }
    const fn says(mut self, text: &'static str) -> Self {
        self.message = text;
        self
    }
}

const BEST_EFFORT: &str = "QoS class is BestEffort";
const BURSTABLE: &str = "QoS class is Burstable";
const GUARANTEED: &str = "QoS class is Guaranteed";
const UNTAGGED: &str = "without a tag";
const LATEST: &str = "with the tag latest";

const NOTES: &[Note] = &[
    // [lint] API removed in 1.22; [ref] backend `tomcat6:80` resolves only with the Service.
    note("000_L1040-1051_ingress-web.yaml", "api-removed", &[1])
        .says("extensions/v1beta1 Ingress was removed in Kubernetes 1.22"),
    note("000_L1040-1051_ingress-web.yaml", "ingress-backend", &[11]).says("\"tomcat6\""),
    note("000_L1040-1051_ingress-web.yaml", "ingress-backend", &[])
        .with(&["000_L993-1006_tomcat6-service.yaml"]),
    // [lint] ClusterRole with `*` resources and `*` verbs (l.101-104 and following rules).
    note(
        "000_L1138-1363_kubesphere-minimal.yaml",
        "wildcard-rules",
        &[
            104, 110, 116, 122, 128, 134, 140, 146, 152, 158, 164, 170, 176, 182, 188,
        ],
    )
    .says("grants every verb on every resource"),
    // [lint] BestEffort Deployment.
    note(
        "000_L1138-1363_kubesphere-minimal.yaml",
        "qos-class",
        &[221],
    )
    .says(BEST_EFFORT),
    // [lint] annotation (l.9) repeats the plain password.
    note(
        "000_L1500-1511_secret-mysql-secret.yaml",
        "secret-in-annotation",
        &[9],
    )
    .says("repeats the value of Secret key"),
    // [lint] ServiceAccount `tiller` bound to `cluster-admin`.
    note(
        "000_L831-848_helm-rbac-sa-crb.yaml",
        "cluster-admin-binding",
        &[14],
    )
    .says("cluster-admin"),
    // [ref] roleRef `cluster-admin` is built in: must not be an error.
    note("000_L831-848_helm-rbac-sa-crb.yaml", "missing-role", &[]),
    // [lint] BestEffort, no probes (readiness matters once the Service sends traffic).
    note("000_L963-981_tomcat6-deployment.yaml", "qos-class", &[16]).says(BEST_EFFORT),
    note(
        "000_L963-981_tomcat6-deployment.yaml",
        "liveness-probe",
        &[18],
    ),
    note(
        "000_L963-981_tomcat6-deployment.yaml",
        "readiness-probe",
        &[18],
    )
    .with(&["000_L993-1006_tomcat6-service.yaml"])
    .says("Service \"tomcat6\""),
    // [lint] BestEffort.
    note("001_L177-196_pod-mypod.yaml", "qos-class", &[7]).says(BEST_EFFORT),
    // [lint] `nginx:latest`; BestEffort.
    note(
        "001_L511-545_nginx-deployment-service.yaml",
        "latest-tag",
        &[19],
    )
    .says(LATEST),
    note(
        "001_L511-545_nginx-deployment-service.yaml",
        "qos-class",
        &[16],
    )
    .says(BEST_EFFORT),
    // [lint] APIService v1beta1 removed in 1.22; BestEffort; roleRefs to built-ins.
    note("003_L10107-10261_metrics-server.yaml", "api-removed", &[42])
        .says("apiregistration.k8s.io/v1beta1 APIService was removed in Kubernetes 1.22"),
    note("003_L10107-10261_metrics-server.yaml", "qos-class", &[78]).says(BEST_EFFORT),
    note("003_L10107-10261_metrics-server.yaml", "missing-role", &[]),
    // [lint] Burstable.
    note("003_L10460-10520_es-rc-svc.yaml", "qos-class", &[22]).says(BURSTABLE),
    // [lint] extensions/v1beta1 DaemonSet removed in 1.16; Guaranteed (once
    // `apiVerison` is spelt right, the DaemonSet has no selector either).
    note("003_L10542-10579_fluentd-ds.yaml", "api-removed", &[1])
        .fix(&[("apiVerison:", "apiVersion:")])
        .says("extensions/v1beta1 DaemonSet was removed in Kubernetes 1.16"),
    note(
        "003_L10542-10579_fluentd-ds.yaml",
        "selector-mismatch",
        &[8],
    )
    .fix(&[("apiVerison:", "apiVersion:")]),
    note("003_L10542-10579_fluentd-ds.yaml", "qos-class", &[14])
        .fix(&[("apiVerison:", "apiVersion:")])
        .says(GUARANTEED),
    // [lint] `nodePort: 9090` (l.44); BestEffort Deployments.
    note("003_L10669-10972_dashboard.yaml", "nodeport-range", &[44]).says("nodePort 9090"),
    note("003_L10669-10972_dashboard.yaml", "qos-class", &[189, 273]).says(BEST_EFFORT),
    // [lint] rbac v1beta1 removed in 1.22 (l.11); bound to `cluster-admin` (l.20).
    note(
        "003_L10982-11005_dashboard-admin.yaml",
        "api-removed",
        &[11],
    )
    .says("rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding was removed in Kubernetes 1.22"),
    note(
        "003_L10982-11005_dashboard-admin.yaml",
        "cluster-admin-binding",
        &[20],
    ),
    // [lint] image `nginx` untagged; BestEffort.
    note("003_L4514-4526_static-web.yaml", "latest-tag", &[10]).says(UNTAGGED),
    note("003_L4514-4526_static-web.yaml", "qos-class", &[7]).says(BEST_EFFORT),
    // [lint] images `tomcat`, `busybox` untagged; BestEffort.
    note("003_L4538-4559_volume-pod.yaml", "latest-tag", &[8, 15]).says(UNTAGGED),
    note("003_L4538-4559_volume-pod.yaml", "qos-class", &[5]).says(BEST_EFFORT),
    // [lint] image `asd`; [ref] configMapKeyRef `cm-appvars`/`apploglevel`
    // resolves with the ConfigMap once `apiService` and `valueForm` are fixed.
    note(
        "003_L4621-4634_pod-env-cm-apiservice.yaml",
        "latest-tag",
        &[8],
    )
    .fix(&[("apiService:", "apiVersion:")])
    .says("image \"asd\""),
    note(
        "003_L4621-4634_pod-env-cm-apiservice.yaml",
        "missing-configmap",
        &[13],
    )
    .fix(&[("apiService:", "apiVersion:"), ("valueForm:", "valueFrom:")])
    .says("ConfigMap \"cm-appvars\""),
    note(
        "003_L4621-4634_pod-env-cm-apiservice.yaml",
        "missing-configmap",
        &[],
    )
    .fix(&[("apiService:", "apiVersion:"), ("valueForm:", "valueFrom:")])
    .with(&["003_L4585-4591_cm-appvars.yaml"]),
    // [ref] ConfigMap `cm` (l.15) not in the set (warning); [lint] image `image`.
    note(
        "003_L4640-4657_pod-cm-volume.yaml",
        "missing-configmap",
        &[15],
    )
    .says("ConfigMap \"cm\""),
    note("003_L4640-4657_pod-cm-volume.yaml", "latest-tag", &[8]).says("image \"image\""),
    // [lint] image `nginx` untagged.
    note("003_L4667-4689_downward-env.yaml", "latest-tag", &[9]).says(UNTAGGED),
    // [lint] image `image`.
    note("003_L4815-4833_exec-liveness.yaml", "latest-tag", &[8]).says("image \"image\""),
    // [lint] image `iamge`.
    note("003_L4841-4853_tcpsocket.yaml", "latest-tag", &[8]).says("image \"iamge\""),
    // [lint] obsolete annotation `scheduler.alpha.kubernetes.io/affinity` (l.6).
    note(
        "003_L4943-4965_alpha-affinity-annot.yaml",
        "obsolete-annotations",
        &[6],
    )
    .says("scheduler.alpha.kubernetes.io/affinity"),
    // [lint] API removed in 1.16; no `spec.selector`; hostPath volumes (PSS baseline); Guaranteed.
    note("003_L4993-5031_daemonset-fluentd.yaml", "api-removed", &[1])
        .says("extensions/v1beta1 DaemonSet was removed in Kubernetes 1.16"),
    note(
        "003_L4993-5031_daemonset-fluentd.yaml",
        "selector-mismatch",
        &[8],
    )
    .says("has no spec.selector"),
    note(
        "003_L4993-5031_daemonset-fluentd.yaml",
        "pod-security-admission",
        &[35],
    )
    .says("hostPath volumes (volumes \"containers\", \"varlog\")"),
    note("003_L4993-5031_daemonset-fluentd.yaml", "qos-class", &[15]).says(GUARANTEED),
    // [lint] `busybox` untagged.
    note("003_L5049-5067_job-template.yaml", "latest-tag", &[16]).says(UNTAGGED),
    // [lint] registry typo `grc.io` (l.15), untagged image; Burstable.
    note("003_L5135-5155_rc-php-apache.yaml", "registry-typo", &[15]).says("\"grc.io\""),
    note("003_L5135-5155_rc-php-apache.yaml", "latest-tag", &[15]).says(UNTAGGED),
    note("003_L5135-5155_rc-php-apache.yaml", "qos-class", &[12]).says(BURSTABLE),
    // [ref] the HPA's target resolves with the ReplicationController only.
    note("003_L5183-5194_hpa-php-apache.yaml", "hpa-target", &[9])
        .says("ReplicationController \"php-apache\" is not defined"),
    note("003_L5183-5194_hpa-php-apache.yaml", "hpa-target", &[])
        .with(&["003_L5135-5155_rc-php-apache.yaml"]),
    // [lint] BestEffort.
    note("003_L5222-5274_heapster.yaml", "qos-class", &[26]).says(BEST_EFFORT),
    // [lint] hostPort 8081 (PSS baseline), once `kind: pod` is `Pod`.
    note(
        "003_L5514-5524_pod-hostport.yaml",
        "pod-security-admission",
        &[11],
    )
    .fix(&[("kind: pod", "kind: Pod")])
    .says("hostPort 8081"),
    // [lint] `hostNetwork: true`; image `tomcat` untagged.
    note(
        "003_L5530-5540_hostnetwork-pod.yaml",
        "pod-security-admission",
        &[6],
    )
    .says("hostNetwork=true"),
    note("003_L5530-5540_hostnetwork-pod.yaml", "latest-tag", &[9]).says(UNTAGGED),
    // [lint] `nodePort: 80` (l.13).
    note("003_L5548-5560_nodeport-80.yaml", "nodeport-range", &[13]).says("nodePort 80 "),
    note("003_L5566-5584_lb-svc.yaml", "nodeport-range", &[13]).says("nodePort 80 "),
    // [lint] fixed `clusterIP: 1.1.1.1` (l.14) outside the service range; `status:` (l.16).
    note("003_L5566-5584_lb-svc.yaml", "cluster-ip-range", &[14])
        .says("the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
    note("003_L5566-5584_lb-svc.yaml", "server-populated-fields", &[16])
        .says("`status` is reported by the cluster"),
    // [lint] `:latest` images (l.24, l.52).
    note("003_L5614-5703_skydns-rc.yaml", "latest-tag", &[24, 52]).says(LATEST),
    // [lint] `busybox` untagged.
    note("003_L5767-5782_busybox.yaml", "latest-tag", &[10]).says(UNTAGGED),
    // [ref] backend `webapp:80` not in the set.
    note(
        "003_L5844-5856_ingress-apps-v1.yaml",
        "ingress-backend",
        &[12],
    )
    .says("\"webapp\""),
    // [ref] roleRef Role `pod-reader` (l.12) not in the set.
    note("003_L6663-6675_rolebinding.yaml", "missing-role", &[12]).says("Role \"pod-reader\""),
    // [ref] ClusterRole `secret-reader` not in the set.
    note(
        "003_L6683-6695_rolebinding-secrets.yaml",
        "missing-role",
        &[12],
    )
    .says("ClusterRole \"secret-reader\""),
    // [lint] singular resource `configmap` (l.8).
    note(
        "003_L6748-6757_role-configmap-update.yaml",
        "rbac-unknown-resource",
        &[8],
    )
    .says("\"configmap\""),
    // [ref] ServiceAccount not in the set; [lint] `nginx` untagged.
    note(
        "003_L7115-7123_pod-sa.yaml",
        "missing-service-account",
        &[9],
    )
    .says("ServiceAccount \"myServiceAccount\""),
    note("003_L7115-7123_pod-sa.yaml", "latest-tag", &[8]).says(UNTAGGED),
    // [ref] ServiceAccount `serviceaccount` not in the set; [lint] image `image`.
    note(
        "003_L7188-7196_pod-sa2.yaml",
        "missing-service-account",
        &[9],
    )
    .says("ServiceAccount \"serviceaccount\""),
    note("003_L7188-7196_pod-sa2.yaml", "latest-tag", &[8]).says("image \"image\""),
    // [ref] Secret `secretname` not in the set (warning); [lint] image `image`.
    note(
        "003_L7202-7217_pod-secret-vol.yaml",
        "missing-secret",
        &[16],
    )
    .says("Secret \"secretname\""),
    note("003_L7202-7217_pod-secret-vol.yaml", "latest-tag", &[8]).says("image \"image\""),
    // [lint] image `image`.
    note(
        "003_L7256-7265_pod-imagepullsecrets.yaml",
        "latest-tag",
        &[8],
    )
    .says("image \"image\""),
    // [lint] PSP removed in 1.25; policy test: `psp-non-privileged` rejects the privileged pod.
    note("003_L7315-7330_psp-non-priv.yaml", "api-removed", &[1])
        .says("policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25"),
    note(
        "003_L7350-7362_pod-privileged.yaml",
        "psp-no-policy-admits",
        &[13],
    )
    .with(&["003_L7315-7330_psp-non-priv.yaml"])
    .version("1.24")
    .says("PodSecurityPolicy \"psp-non-privileged\" refuses the pod"),
    // [lint] `privileged: true` (l.13), PSS baseline; `nginx:latest`.
    note(
        "003_L7350-7362_pod-privileged.yaml",
        "pod-security-admission",
        &[13],
    )
    .says("privileged (container \"nginx\""),
    note("003_L7350-7362_pod-privileged.yaml", "latest-tag", &[8]).says(LATEST),
    // [lint] privileged PSP (an opt-in rule).
    note(
        "003_L7494-7520_psp-privileged.yaml",
        "psp-permissive",
        &[8, 9, 11, 13, 14, 15, 18, 19, 21],
    )
    .version("1.24")
    .enable(&["psp-permissive"])
    .says("PodSecurityPolicy \"privileged\" allows"),
    // [ref] volumeMount `sec-ctx-demo` (l.17) has no volume (the validator's);
    // [lint] `nginx` untagged.
    note(
        "003_L7672-7691_security-context-demo.yaml",
        "invalid-value",
        &[17],
    )
    .says("volume mount \"sec-ctx-demo\" names no volume"),
    note(
        "003_L7672-7691_security-context-demo.yaml",
        "latest-tag",
        &[15],
    )
    .says(UNTAGGED),
    // [lint] `nginx:latest`.
    note("003_L7705-7718_scd-2.yaml", "latest-tag", &[10]).says(LATEST),
    // [lint] `capabilities.add: [NET_ADMIN, SYS_TIME]` (PSS baseline); `nginx` untagged.
    note("003_L7726-7736_scd-3.yaml", "pod-security-admission", &[11])
        .says("non-default capabilities"),
    note("003_L7726-7736_scd-3.yaml", "latest-tag", &[8]).says(UNTAGGED),
    // [lint] image `image-name`; Burstable.
    note("003_L9283-9303_hugepage-pod.yaml", "latest-tag", &[12]).says("image \"image-name\""),
    note("003_L9283-9303_hugepage-pod.yaml", "qos-class", &[5]).says(BURSTABLE),
    // [ref] volumeMount `srckube` (l.26) has no volume; [lint] image untagged.
    note(
        "003_L9691-9774_kube-apiserver-static.yaml",
        "invalid-value",
        &[26],
    )
    .says("volume mount \"srckube\" names no volume"),
    note(
        "003_L9691-9774_kube-apiserver-static.yaml",
        "latest-tag",
        &[9],
    )
    .says(UNTAGGED),
    // [lint] deprecated flag `--admission-control` in the shell command (l.13).
    note(
        "003_L9691-9774_kube-apiserver-static.yaml",
        "deprecated-component-flags",
        &[13],
    )
    .says("kube-apiserver flag `--admission-control` is deprecated since Kubernetes 1.10"),
    // [ref] volumeMount `default-token-s8ejd` (l.24) has no volume.
    note(
        "003_L9896-9924_scheduler-static.yaml",
        "invalid-value",
        &[24],
    )
    .says("volume mount \"default-token-s8ejd\" names no volume"),
    // [ref] `eureka-external-svc` (named at l.119) has no namespace, so its
    // selector (l.127) selects nothing in `default`; imagePullSecret (l.113) not in the set.
    note(
        "004_L1053-1181_eureka-bundle.yaml",
        "service-selects-nothing",
        &[127],
    )
    .says("Service \"eureka-external-svc\" selects no pod"),
    note(
        "004_L1053-1181_eureka-bundle.yaml",
        "missing-secret",
        &[113],
    )
    .says("Secret \"spiritdev-pushsecret-harbor-xiaohehe-com\""),
    // [lint] apps/v1beta1 removed in 1.16; no `spec.selector`; [ref] ConfigMap `redis-conf` (l.56).
    note("004_L1400-1468_sts-redis-app.yaml", "api-removed", &[1])
        .says("apps/v1beta1 StatefulSet was removed in Kubernetes 1.16"),
    note(
        "004_L1400-1468_sts-redis-app.yaml",
        "selector-mismatch",
        &[6],
    )
    .says("has no spec.selector"),
    note(
        "004_L1400-1468_sts-redis-app.yaml",
        "missing-configmap",
        &[56],
    )
    .says("ConfigMap \"redis-conf\""),
    // [lint] `storage: "100"` (l.11, l.41) is 100 bytes; server-set annotation
    // `pv.kubernetes.io/bind-completed` (l.33).
    note(
        "004_L123-164_pv-pvc-spiritdev4xvolume.yaml",
        "absurd-quantity",
        &[11, 41],
    )
    .says("`100` is only 100 bytes"),
    note(
        "004_L123-164_pv-pvc-spiritdev4xvolume.yaml",
        "server-populated-fields",
        &[33],
    )
    .says("annotation `pv.kubernetes.io/bind-completed`"),
    // [lint] `nginx.org/rewrites` (l.7) names exactly the three backends: nothing to report.
    note(
        "004_L1741-1768_ingress-ccb-ingress.yaml",
        "nginx-rewrites",
        &[],
    ),
    // [lint] API removed in 1.22; [ref] backends (l.19-28) and TLS secret (l.12) not in the set.
    note(
        "004_L1741-1768_ingress-ccb-ingress.yaml",
        "api-removed",
        &[1],
    )
    .says("extensions/v1beta1 Ingress was removed in Kubernetes 1.22"),
    note(
        "004_L1741-1768_ingress-ccb-ingress.yaml",
        "ingress-backend",
        &[19, 23, 27],
    )
    .says("backend Service \"ccb-"),
    note(
        "004_L1741-1768_ingress-ccb-ingress.yaml",
        "missing-secret",
        &[12],
    )
    .says("Secret \"nginx-server-secret\""),
    // [ref] subjects point to namespace `youna`, while the ServiceAccount lands in `default`.
    note(
        "004_L186-240_rbac-nfs.yaml",
        "missing-service-account",
        &[27, 49],
    )
    .says("ServiceAccount \"nfs-client-provisioner\""),
    note(
        "004_L186-240_rbac-nfs.yaml",
        "missing-service-account",
        &[28, 51],
    )
    .with(&[
        "004_L176-182_sa-nfs-client-provisioner.yaml",
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
    ])
    .says("ServiceAccount \"nfs-client-provisioner\""),
    // [lint] apps/v1beta1 removed in 1.16; no `spec.selector`; Burstable.
    note(
        "004_L1893-1918_hpa-nginx-deployment.yaml",
        "api-removed",
        &[2],
    )
    .says("apps/v1beta1 Deployment was removed in Kubernetes 1.16"),
    note(
        "004_L1893-1918_hpa-nginx-deployment.yaml",
        "selector-mismatch",
        &[9],
    )
    .says("has no spec.selector"),
    note(
        "004_L1893-1918_hpa-nginx-deployment.yaml",
        "qos-class",
        &[14],
    )
    .says(BURSTABLE),
    // [lint] autoscaling/v2beta1 removed in 1.25; [ref] scaleTargetRef
    // `extensions/v1beta1` (l.9) while the Deployment is `apps/v1beta1`.
    note("004_L1934-1955_hpa-v2beta1.yaml", "api-removed", &[2])
        .says("autoscaling/v2beta1 HorizontalPodAutoscaler was removed in Kubernetes 1.25"),
    note("004_L1934-1955_hpa-v2beta1.yaml", "hpa-target", &[9])
        .with(&["004_L1893-1918_hpa-nginx-deployment.yaml"])
        .says("scaleTargetRef apiVersion \"extensions/v1beta1\""),
    // [lint] extensions/v1beta1 removed in 1.16; no `spec.selector`; BestEffort;
    // its ServiceAccount is not in its namespace.
    note(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        "api-removed",
        &[2],
    )
    .says("extensions/v1beta1 Deployment was removed in Kubernetes 1.16"),
    note(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        "selector-mismatch",
        &[5],
    )
    .says("has no spec.selector"),
    note(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        "qos-class",
        &[13],
    )
    .says(BEST_EFFORT),
    note(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        "missing-service-account",
        &[14],
    )
    .says("ServiceAccount \"nfs-client-provisioner\""),
    // [lint] private-registry image (l.17) without imagePullSecrets (an opt-in rule).
    note(
        "004_L254-285_deployment-nfs-client-provisioner.yaml",
        "private-registry-credentials",
        &[17],
    )
    .enable(&["private-registry-credentials"])
    .says("from registry \"harbor.poc.com\", which needs credentials"),
    // [lint] `busybox:latest`; [ref] StorageClass `youna-nfs-storage` (l.12) is in another seed.
    note(
        "004_L304-338_pvc-test-pvc-pod-test-pod.yaml",
        "latest-tag",
        &[22],
    )
    .says(LATEST),
    note(
        "004_L304-338_pvc-test-pvc-pod-test-pod.yaml",
        "missing-storage-class",
        &[12],
    )
    .says("StorageClass \"youna-nfs-storage\""),
    note(
        "004_L304-338_pvc-test-pvc-pod-test-pod.yaml",
        "missing-storage-class",
        &[],
    )
    .with(&["004_L291-298_storageclass-youna-nfs-storage.yaml"]),
    // [lint] hostPath `/mnt/` (l.18); `nginx:latest`; mountPropagation `None` is fine.
    note(
        "004_L392-410_pod-mount-a.yaml",
        "pod-security-admission",
        &[18],
    )
    .says("hostPath volumes (volume \"testmount\")"),
    note("004_L392-410_pod-mount-a.yaml", "latest-tag", &[11]).says(LATEST),
    note(
        "004_L392-410_pod-mount-a.yaml",
        "bidirectional-propagation",
        &[],
    ),
    // [lint] image untagged with `imagePullPolicy: Never`; the Secret resolves with its seed.
    note("004_L41-69_pod-dante-healthcheck.yaml", "latest-tag", &[9])
        .says("image \"dante/springboot-docker\""),
    note(
        "004_L41-69_pod-dante-healthcheck.yaml",
        "missing-secret",
        &[],
    )
    .with(&["004_L21-34_secret-gitlabsecret.yaml"]),
    // [ref] selector `app: zookeeper` (l.9) matches nothing: reported at its `selector` (l.7);
    // [lint] policy/v1beta1 PDB removed in 1.25.
    note("004_L436-444_pdb-zk-pdb.yaml", "pdb-selects-nothing", &[7])
        .says("PodDisruptionBudget \"zk-pdb\" selects no pod"),
    note("004_L436-444_pdb-zk-pdb.yaml", "api-removed", &[1])
        .says("policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25"),
    // [lint] apps/v1beta1 removed in 1.16; no `spec.selector`; [ref]
    // `serviceName` (l.8) not in the set; Burstable.
    note("004_L512-541_sts-sts-pod-ip.yaml", "api-removed", &[1])
        .says("apps/v1beta1 StatefulSet was removed in Kubernetes 1.16"),
    note(
        "004_L512-541_sts-sts-pod-ip.yaml",
        "selector-mismatch",
        &[6],
    )
    .says("has no spec.selector"),
    note(
        "004_L512-541_sts-sts-pod-ip.yaml",
        "statefulset-service",
        &[8],
    )
    .says("Service \"sts-pod-ip-service\""),
    note("004_L512-541_sts-sts-pod-ip.yaml", "qos-class", &[14]).says(BURSTABLE),
    // [ref] ConfigMap key `sync` (l.31) unused; Burstable.
    note(
        "004_L590-781_zookeeper-bundle.yaml",
        "unused-configmap-key",
        &[31],
    )
    .says("key \"sync\""),
    note("004_L590-781_zookeeper-bundle.yaml", "qos-class", &[65]).says(BURSTABLE),
    // [ref] StorageClass `youna-nfs-storage` (l.173) is defined in another seed.
    note(
        "004_L590-781_zookeeper-bundle.yaml",
        "missing-storage-class",
        &[173],
    )
    .says("volumeClaimTemplate \"datadir\" asks for StorageClass \"youna-nfs-storage\""),
    note(
        "004_L590-781_zookeeper-bundle.yaml",
        "missing-storage-class",
        &[],
    )
    .with(&["004_L291-298_storageclass-youna-nfs-storage.yaml"]),
];

/// Noted problems no check reports, and why.
const UNCOVERED: &[(&str, &str, &str)] = &[
    (
        "003_L4640-4657_pod-cm-volume.yaml",
        "pod and container named `name`",
        "a valid name; that it is a placeholder is a guess no rule should make",
    ),
    (
        "003_L4815-4833_exec-liveness.yaml",
        "pod/container named `name`",
        "a valid name; that it is a placeholder is a guess no rule should make",
    ),
    (
        "003_L4841-4853_tcpsocket.yaml",
        "liveness port 80 not declared",
        "a numeric probe port needs no declaration (the kubelet probes it as it is); `probe-port` checks named ports",
    ),
];

/// Every seed the index gives a `[lint]` or `[ref]` note.
const NOTED_SEEDS: &[&str] = &[
    "000_L1040-1051_ingress-web.yaml",
    "000_L1138-1363_kubesphere-minimal.yaml",
    "000_L1500-1511_secret-mysql-secret.yaml",
    "000_L831-848_helm-rbac-sa-crb.yaml",
    "000_L963-981_tomcat6-deployment.yaml",
    "001_L177-196_pod-mypod.yaml",
    "001_L511-545_nginx-deployment-service.yaml",
    "003_L10107-10261_metrics-server.yaml",
    "003_L10460-10520_es-rc-svc.yaml",
    "003_L10542-10579_fluentd-ds.yaml",
    "003_L10669-10972_dashboard.yaml",
    "003_L10982-11005_dashboard-admin.yaml",
    "003_L4514-4526_static-web.yaml",
    "003_L4538-4559_volume-pod.yaml",
    "003_L4621-4634_pod-env-cm-apiservice.yaml",
    "003_L4640-4657_pod-cm-volume.yaml",
    "003_L4667-4689_downward-env.yaml",
    "003_L4815-4833_exec-liveness.yaml",
    "003_L4841-4853_tcpsocket.yaml",
    "003_L4943-4965_alpha-affinity-annot.yaml",
    "003_L4993-5031_daemonset-fluentd.yaml",
    "003_L5049-5067_job-template.yaml",
    "003_L5135-5155_rc-php-apache.yaml",
    "003_L5183-5194_hpa-php-apache.yaml",
    "003_L5222-5274_heapster.yaml",
    "003_L5514-5524_pod-hostport.yaml",
    "003_L5530-5540_hostnetwork-pod.yaml",
    "003_L5548-5560_nodeport-80.yaml",
    "003_L5566-5584_lb-svc.yaml",
    "003_L5614-5703_skydns-rc.yaml",
    "003_L5767-5782_busybox.yaml",
    "003_L5844-5856_ingress-apps-v1.yaml",
    "003_L6663-6675_rolebinding.yaml",
    "003_L6683-6695_rolebinding-secrets.yaml",
    "003_L6748-6757_role-configmap-update.yaml",
    "003_L7115-7123_pod-sa.yaml",
    "003_L7188-7196_pod-sa2.yaml",
    "003_L7202-7217_pod-secret-vol.yaml",
    "003_L7256-7265_pod-imagepullsecrets.yaml",
    "003_L7315-7330_psp-non-priv.yaml",
    "003_L7350-7362_pod-privileged.yaml",
    "003_L7494-7520_psp-privileged.yaml",
    "003_L7672-7691_security-context-demo.yaml",
    "003_L7705-7718_scd-2.yaml",
    "003_L7726-7736_scd-3.yaml",
    "003_L9283-9303_hugepage-pod.yaml",
    "003_L9691-9774_kube-apiserver-static.yaml",
    "003_L9896-9924_scheduler-static.yaml",
    "004_L1053-1181_eureka-bundle.yaml",
    "004_L123-164_pv-pvc-spiritdev4xvolume.yaml",
    "004_L1400-1468_sts-redis-app.yaml",
    "004_L1741-1768_ingress-ccb-ingress.yaml",
    "004_L186-240_rbac-nfs.yaml",
    "004_L1893-1918_hpa-nginx-deployment.yaml",
    "004_L1934-1955_hpa-v2beta1.yaml",
    "004_L254-285_deployment-nfs-client-provisioner.yaml",
    "004_L304-338_pvc-test-pvc-pod-test-pod.yaml",
    "004_L392-410_pod-mount-a.yaml",
    "004_L41-69_pod-dante-healthcheck.yaml",
    "004_L436-444_pdb-zk-pdb.yaml",
    "004_L512-541_sts-sts-pod-ip.yaml",
    "004_L590-781_zookeeper-bundle.yaml",
];

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds")
}

/// A scratch directory of this test process.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drydock-lint-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// (code, line, message) of every finding in the note's seed.
fn findings(i: usize, n: &Note, dir: &Path) -> Result<Vec<(String, u64, String)>, String> {
    let source = seeds_dir().join(n.seed);
    let mut text = std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", n.seed))?;
    for (from, to) in n.fix {
        if !text.contains(from) {
            return Err(format!("{}: the fix `{from}` does not apply", n.seed));
        }
        text = text.replace(from, to);
    }
    // The seed under its own name in a directory of its own, with the
    // configuration of this run (so no drydock.yaml nearby applies).
    let run = dir.join(i.to_string());
    std::fs::create_dir_all(&run).map_err(|e| e.to_string())?;
    let seed = run.join(n.seed);
    std::fs::write(&seed, text).map_err(|e| e.to_string())?;
    let config = run.join("drydock.yaml");
    let rules: String = n.enable.iter().map(|r| format!("  {r}: on\n")).collect();
    let config_text = if rules.is_empty() {
        String::new()
    } else {
        format!("rules:\n{rules}")
    };
    std::fs::write(&config, config_text).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drydock"));
    cmd.args(["check", "--format", "json", "--config"])
        .arg(&config)
        .env("NO_COLOR", "1");
    if let Some(v) = n.version {
        cmd.args(["--kubernetes-version", v]);
    }
    cmd.arg(&seed);
    for w in n.with {
        cmd.arg(seeds_dir().join(w));
    }
    let out = cmd.output().map_err(|e| format!("run drydock: {e}"))?;
    let json: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{}: stdout is not JSON ({e}): {}{}",
            n.seed,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let diagnostics = json["diagnostics"]
        .as_array()
        .ok_or_else(|| format!("{}: no diagnostics array", n.seed))?;
    let wanted = seed.display().to_string();
    Ok(diagnostics
        .iter()
        .filter(|d| d["file"].as_str() == Some(wanted.as_str()))
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

#[test]
fn every_noted_policy_problem_is_found_by_its_rule() {
    let dir = scratch();
    let mut failures = Vec::new();
    for (i, n) in NOTES.iter().enumerate() {
        let found = match findings(i, n, &dir) {
            Ok(f) => f,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let of_code: Vec<&(String, u64, String)> =
            found.iter().filter(|(c, _, _)| c == n.code).collect();
        let lines: Vec<u64> = of_code.iter().map(|(_, l, _)| *l).collect();
        if lines != n.lines {
            failures.push(format!(
                "{} (with {:?}): {} expected at lines {:?}, found at {:?}",
                n.seed, n.with, n.code, n.lines, lines
            ));
        }
        for (_, line, message) in of_code {
            if !message.contains(n.message) {
                failures.push(format!(
                    "{}:{line}: {} says {message:?}, expected it to contain {:?}",
                    n.seed, n.code, n.message
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_noted_seed_has_an_entry() {
    let mut missing = Vec::new();
    for seed in NOTED_SEEDS {
        if !seeds_dir().join(seed).is_file() {
            missing.push(format!("{seed}: not in fixtures/seeds"));
        }
        let listed = NOTES
            .iter()
            .any(|n| n.seed == *seed || n.with.contains(seed))
            || UNCOVERED.iter().any(|(s, _, _)| s == seed);
        if !listed {
            missing.push(format!("{seed}: no entry"));
        }
    }
    for n in NOTES {
        if !NOTED_SEEDS.contains(&n.seed) {
            missing.push(format!("{}: an entry for a seed without a note", n.seed));
        }
    }
    for (seed, _, _) in UNCOVERED {
        if !NOTED_SEEDS.contains(seed) {
            missing.push(format!("{seed}: uncovered, but without a note"));
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}
