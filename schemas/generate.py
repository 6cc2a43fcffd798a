#!/usr/bin/env python3
"""Build schemas/k8s-v1.20-v1.37.json.zst, drydock's embedded Kubernetes schema bundle.

Inputs are two pinned wheels of the `kubernetes-validate` package from PyPI; their
sha256 digests are checked before anything is read from them. Output is one zstd
frame whose content is:

    <header JSON>\n<v1.20 JSON><v1.21 JSON>...<v1.37 JSON>

The header is {"format": 1, "versions": [["1.20", offset, length], ...]} with offsets
counted from the first byte after the newline. Each version is
{"defs": {...}, "gvk": {"apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment", ...}}
as compact JSON with sorted keys. Versions run oldest to newest so that one solid
zstd stream shares everything consecutive versions have in common.

Usage:
    python3 schemas/generate.py            # download (cached), build, write the artefact
    python3 schemas/generate.py --check    # rebuild and compare with the committed artefact
    python3 schemas/generate.py --wheels DIR   # use wheels already in DIR (offline)

Requires Python 3.11+ (standard library, plus the pip it ships with for the download)
and the `zstd` command-line tool (Debian: zstd).
See schemas/README.md for provenance and the list of validation fixes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTEFACT = HERE / "k8s-v1.20-v1.37.json.zst"
DEFAULT_CACHE = HERE.parent / "target" / "schema-wheels"

# Pinned inputs: (package version, wheel file name, sha256 of the wheel).
WHEELS = {
    "1.37.0": (
        "kubernetes_validate-1.37.0-py3-none-any.whl",
        "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9",
    ),
    "1.28.3": (
        "kubernetes_validate-1.28.3-py3-none-any.whl",
        "916b8539c570958ca4742a09d42c9a29b7b89bfb3a04972a40abfa63f797b850",
    ),
}

# Which wheel serves which Kubernetes minor. 1.37.0 ships v1.25-v1.37 in the newer
# layout ($defs, nullable optional fields, apiVersion/kind enums); 1.28.3 is the last
# release that still ships v1.20-v1.24.
OLD_MINORS = [20, 21, 22, 23, 24]
NEW_MINORS = list(range(25, 38))
# Minors both wheels ship: used to prove that normalising the old layout gives
# exactly the new one.
OVERLAP_MINORS = [25, 26, 27, 28]

# Compression is pinned so that a rerun reproduces the artefact byte for byte with
# the same zstd release. Plain -19 (8 MB window) already sees the whole ~5 MB stream;
# --long is avoided because it needs a window the pure-Rust decoder does not allow.
ZSTD_ARGS = ["-19", "--single-thread", "--no-check", "-q", "-f"]
ZSTD_VERSION = "v1.5.4"

# --- schema walking ---------------------------------------------------------------

# Keywords whose value is one schema, a map of schemas, or a list of schemas. Every
# other keyword holds data (enum, required, x-kubernetes-*), which must not be walked:
# a property may well be called "description".
SCHEMA_ONE = ("items", "additionalProperties", "not")
SCHEMA_MAP = ("properties", "patternProperties", "definitions", "$defs")
SCHEMA_LIST = ("allOf", "anyOf", "oneOf")


def children(node: dict):
    """Yield (key, subschema) for every direct subschema of a schema object."""
    for key in SCHEMA_ONE:
        sub = node.get(key)
        if isinstance(sub, dict):
            yield key, sub
        elif key == "items" and isinstance(sub, list):
            for s in sub:
                yield key, s
    for key in SCHEMA_MAP:
        sub = node.get(key)
        if isinstance(sub, dict):
            for s in sub.values():
                yield key, s
    for key in SCHEMA_LIST:
        for s in node.get(key, []) or []:
            yield key, s


def walk(node: dict, fn) -> None:
    fn(node)
    for _, sub in children(node):
        walk(sub, fn)


def drop_descriptions(node: dict) -> None:
    node.pop("description", None)


def rewrite_ref(node: dict) -> None:
    ref = node.get("$ref")
    if ref is None:
        return
    # Old layout: "#/definitions/X"; new layout already "#/$defs/X". Anything
    # else (a file or remote reference) would make the bundle not self-contained.
    m = re.fullmatch(r"#/(?:definitions|\$defs)/(.+)", ref)
    if not m:
        raise SystemExit(f"unexpected $ref {ref!r}")
    node["$ref"] = "#/$defs/" + m.group(1)


# --- reading the wheels ------------------------------------------------------------


def fetch_wheel(version: str, cache: Path, wheels_dir: Path | None) -> Path:
    name, digest = WHEELS[version]
    if wheels_dir is not None:
        path = wheels_dir / name
    else:
        path = cache / name
        if not path.exists():
            cache.mkdir(parents=True, exist_ok=True)
            print(f"downloading kubernetes-validate=={version}", file=sys.stderr)
            # pip (bundled with CPython) follows whatever index configuration the
            # machine has; the digest check below is what pins the content.
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary=:all:", "--dest", str(cache),
                 f"kubernetes-validate=={version}"],
                check=True,
            )
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != digest:
        raise SystemExit(f"{path}: sha256 {actual}, expected {digest}")
    return path


def read_defs(wheel: zipfile.ZipFile, minor: int) -> dict:
    path = f"kubernetes_validate/kubernetes-json-schema/v1.{minor}.0-local/_definitions.json"
    doc = json.loads(wheel.read(path))
    defs = doc.get("$defs", doc.get("definitions"))
    if not isinstance(defs, dict) or not defs:
        raise SystemExit(f"{path}: no definitions")
    return defs


# --- normalising the old layout ------------------------------------------------------


def nullable(schema: dict, required: bool) -> None:
    """Make optional fields accept null, as the newer layout does.

    kubernetes-validate 1.37.0 writes every type as [type, "null"] except the type
    of a property its parent lists in `required`; 1.28.3 wrote plain types. The API
    server treats an explicit null like an absent field, so the newer form is right.
    """
    t = schema.get("type")
    if isinstance(t, str) and not required:
        schema["type"] = [t, "null"]
    req = set(schema.get("required", []))
    for name, sub in (schema.get("properties") or {}).items():
        nullable(sub, name in req)
        # The newer layout leaves the items of these two string lists (fields of
        # JSONSchemaProps named like schema keywords) non-nullable; match it.
        if name in ("required", "x-kubernetes-list-map-keys") and isinstance(sub.get("items"), dict):
            t = sub["items"].get("type")
            if isinstance(t, list) and t[-1] == "null":
                sub["items"]["type"] = t[0]
    for key, sub in children(schema):
        if key != "properties":
            nullable(sub, False)


def gvk_enums(schema: dict) -> None:
    """Pin apiVersion and kind of a top-level kind, as the newer layout does."""
    gvks = schema.get("x-kubernetes-group-version-kind")
    props = schema.get("properties")
    if not gvks or not props:
        return
    versions = unique(api_version(g) for g in gvks)
    kinds = unique(g["kind"] for g in gvks)
    if "apiVersion" in props:
        props["apiVersion"]["enum"] = versions
    if "kind" in props:
        props["kind"]["enum"] = kinds


def drop_enums(node: dict) -> None:
    """Kubernetes 1.23 alone published enums in OpenAPI v2, some wrong (readiness
    gate condition types are open-ended) and none allowing null or a defaulted "";
    they were withdrawn in 1.24. ENUM_FIXES re-adds the sound ones for every version."""
    node.pop("enum", None)


def normalise_old(defs: dict) -> dict:
    out = {}
    for name, schema in defs.items():
        s = copy.deepcopy(schema)
        walk(s, drop_enums)
        nullable(s, False)
        gvk_enums(s)
        out[name] = s
    return out


def unique(items) -> list:
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def api_version(g: dict) -> str:
    return f"{g['group']}/{g['version']}" if g["group"] else g["version"]


# --- validation fixes ----------------------------------------------------------------

NULL_STRING_INT = ["integer", "string", "null"]


def fix_int_or_string(defs: dict) -> None:
    """IntOrString: one type list instead of oneOf.

    The inputs say oneOf[string|null, integer|null], which rejects null (both
    branches match) and reports two errors for a wrong type.
    """
    defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {
        "type": NULL_STRING_INT,
        "x-kubernetes-int-or-string": True,
    }


def fix_quantity(defs: dict) -> None:
    """Quantity: a string in Kubernetes quantity syntax, or a plain number.

    1.28.3 wrote oneOf[string, integer], rejecting `cpu: 0.5`, which the API server
    accepts; both layouts reject null through oneOf.
    """
    defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {
        "format": "quantity",
        "type": ["number", "string", "null"],
    }


# Enum values the inputs lack (OpenAPI v2 carries no enums). Each entry:
#   definitions: exact names, or a regex (re:...) over definition names
#   path: property path inside the definition ("[]" steps into array items)
#   values: list of (value, first minor the API server accepts it)
#   empty: whether "" is accepted too. True only where the field is a plain (not
#          pointer) string the API server defaults when empty, or where empty has a
#          documented meaning (toleration effect/operator).
#   since: first minor in which the field exists; from there on the fix must
#          apply to at least one definition, so a renamed type fails the build.
ENUM_FIXES = [
    dict(field="container imagePullPolicy",
         definitions=["io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.EphemeralContainer"],
         path=["imagePullPolicy"], values=["Always", "IfNotPresent", "Never"], empty=True),
    dict(field="container terminationMessagePolicy",
         definitions=["io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.EphemeralContainer"],
         path=["terminationMessagePolicy"], values=["File", "FallbackToLogsOnError"], empty=True),
    dict(field="container/service port protocol",
         definitions=["io.k8s.api.core.v1.ContainerPort", "io.k8s.api.core.v1.ServicePort"],
         path=["protocol"], values=["TCP", "UDP", "SCTP"], empty=True),
    dict(field="network policy port protocol",
         definitions=["io.k8s.api.networking.v1.NetworkPolicyPort",
                      "io.k8s.api.extensions.v1beta1.NetworkPolicyPort"],
         path=["protocol"], values=["TCP", "UDP", "SCTP"], empty=False),
    dict(field="HTTP probe scheme",
         definitions=["io.k8s.api.core.v1.HTTPGetAction"],
         path=["scheme"], values=["HTTP", "HTTPS"], empty=True),
    dict(field="seccompProfile type",
         definitions=["io.k8s.api.core.v1.SeccompProfile"],
         path=["type"], values=["Localhost", "RuntimeDefault", "Unconfined"], empty=False),
    dict(field="topologySpreadConstraints whenUnsatisfiable",
         definitions=["io.k8s.api.core.v1.TopologySpreadConstraint"],
         path=["whenUnsatisfiable"], values=["DoNotSchedule", "ScheduleAnyway"], empty=False),
    dict(field="pod restartPolicy",
         definitions=["io.k8s.api.core.v1.PodSpec"],
         path=["restartPolicy"], values=["Always", "OnFailure", "Never"], empty=True),
    dict(field="pod dnsPolicy",
         definitions=["io.k8s.api.core.v1.PodSpec"],
         path=["dnsPolicy"], values=["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
         empty=True),
    dict(field="pod preemptionPolicy",
         definitions=["io.k8s.api.core.v1.PodSpec", "re:io\\.k8s\\.api\\.scheduling\\.[^.]+\\.PriorityClass"],
         path=["preemptionPolicy"], values=["PreemptLowerPriority", "Never"], empty=False),
    dict(field="service type",
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["type"], values=["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"], empty=True),
    dict(field="service externalTrafficPolicy",
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["externalTrafficPolicy"], values=["Cluster", "Local"], empty=True),
    dict(field="service internalTrafficPolicy", since=21,
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["internalTrafficPolicy"], values=["Cluster", "Local"], empty=False),
    dict(field="service sessionAffinity",
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["sessionAffinity"], values=["ClientIP", "None"], empty=True),
    dict(field="volume accessModes",
         definitions=["io.k8s.api.core.v1.PersistentVolumeClaimSpec",
                      "io.k8s.api.core.v1.PersistentVolumeSpec"],
         path=["accessModes", "[]"],
         values=["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", ("ReadWriteOncePod", 22)],
         empty=False),
    dict(field="volumeMode",
         definitions=["io.k8s.api.core.v1.PersistentVolumeClaimSpec",
                      "io.k8s.api.core.v1.PersistentVolumeSpec"],
         path=["volumeMode"], values=["Block", "Filesystem"], empty=False),
    dict(field="persistentVolumeReclaimPolicy",
         definitions=["io.k8s.api.core.v1.PersistentVolumeSpec"],
         path=["persistentVolumeReclaimPolicy"], values=["Retain", "Delete", "Recycle"], empty=True),
    dict(field="taint effect",
         definitions=["io.k8s.api.core.v1.Taint"],
         path=["effect"], values=["NoSchedule", "PreferNoSchedule", "NoExecute"], empty=False),
    dict(field="toleration effect",
         definitions=["io.k8s.api.core.v1.Toleration"],
         path=["effect"], values=["NoSchedule", "PreferNoSchedule", "NoExecute"], empty=True),
    dict(field="toleration operator",
         definitions=["io.k8s.api.core.v1.Toleration"],
         path=["operator"], values=["Exists", "Equal"], empty=True),
    dict(field="node selector requirement operator",
         definitions=["io.k8s.api.core.v1.NodeSelectorRequirement"],
         path=["operator"], values=["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], empty=False),
    dict(field="label selector requirement operator",
         definitions=["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"],
         path=["operator"], values=["In", "NotIn", "Exists", "DoesNotExist"], empty=False),
    dict(field="deployment strategy type",
         definitions=["io.k8s.api.apps.v1.DeploymentStrategy"],
         path=["type"], values=["Recreate", "RollingUpdate"], empty=True),
    dict(field="statefulset podManagementPolicy",
         definitions=["io.k8s.api.apps.v1.StatefulSetSpec"],
         path=["podManagementPolicy"], values=["OrderedReady", "Parallel"], empty=True),
    dict(field="statefulset updateStrategy type",
         definitions=["io.k8s.api.apps.v1.StatefulSetUpdateStrategy"],
         path=["type"], values=["RollingUpdate", "OnDelete"], empty=True),
    dict(field="daemonset updateStrategy type",
         definitions=["io.k8s.api.apps.v1.DaemonSetUpdateStrategy"],
         path=["type"], values=["RollingUpdate", "OnDelete"], empty=True),
    dict(field="job completionMode", since=21,
         definitions=["io.k8s.api.batch.v1.JobSpec"],
         path=["completionMode"], values=["NonIndexed", "Indexed"], empty=False),
    dict(field="cronjob concurrencyPolicy",
         definitions=["re:io\\.k8s\\.api\\.batch\\.[^.]+\\.CronJobSpec"],
         path=["concurrencyPolicy"], values=["Allow", "Forbid", "Replace"], empty=True),
    dict(field="ingress pathType",
         definitions=["re:io\\.k8s\\.api\\.(networking|extensions)\\.[^.]+\\.HTTPIngressPath"],
         path=["pathType"], values=["Exact", "Prefix", "ImplementationSpecific"], empty=False),
    dict(field="network policy policyTypes",
         definitions=["io.k8s.api.networking.v1.NetworkPolicySpec",
                      "io.k8s.api.extensions.v1beta1.NetworkPolicySpec"],
         path=["policyTypes", "[]"], values=["Ingress", "Egress"], empty=False),
    dict(field="HPA metric type",
         definitions=["re:io\\.k8s\\.api\\.autoscaling\\.v2(beta[12])?\\.MetricSpec"],
         path=["type"], values=["ContainerResource", "External", "Object", "Pods", "Resource"],
         empty=False),
    dict(field="HPA metric target type",
         definitions=["re:io\\.k8s\\.api\\.autoscaling\\.v2(beta2)?\\.MetricTarget"],
         path=["type"], values=["Utilization", "Value", "AverageValue"], empty=False),
    dict(field="HPA scaling selectPolicy",
         definitions=["re:io\\.k8s\\.api\\.autoscaling\\.v2(beta2)?\\.HPAScalingRules"],
         path=["selectPolicy"], values=["Max", "Min", "Disabled"], empty=False),
    dict(field="HPA scaling policy type",
         definitions=["re:io\\.k8s\\.api\\.autoscaling\\.v2(beta2)?\\.HPAScalingPolicy"],
         path=["type"], values=["Pods", "Percent"], empty=False),
    dict(field="service ipFamilyPolicy",
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["ipFamilyPolicy"], values=["SingleStack", "PreferDualStack", "RequireDualStack"],
         empty=False),
    dict(field="service ipFamilies",
         definitions=["io.k8s.api.core.v1.ServiceSpec"],
         path=["ipFamilies", "[]"], values=["IPv4", "IPv6"], empty=False),
    dict(field="endpoint slice port protocol", since=21,
         definitions=["io.k8s.api.discovery.v1.EndpointPort"],
         path=["protocol"], values=["TCP", "UDP", "SCTP"], empty=False),
    # Only sidecars (init containers) until 1.34 brought per-container restart rules.
    dict(field="container restartPolicy", since=28,
         definitions=["io.k8s.api.core.v1.Container"],
         path=["restartPolicy"], values=["Always", ("OnFailure", 34), ("Never", 34)], empty=False),
    dict(field="container restart rule action", since=34,
         definitions=["io.k8s.api.core.v1.ContainerRestartRule"],
         path=["action"], values=["Restart"], empty=False),
    dict(field="container resize policy restartPolicy", since=27,
         definitions=["io.k8s.api.core.v1.ContainerResizePolicy"],
         path=["restartPolicy"], values=["NotRequired", "RestartContainer"], empty=False),
    dict(field="container resize policy resourceName", since=27,
         definitions=["io.k8s.api.core.v1.ContainerResizePolicy"],
         path=["resourceName"], values=["cpu", "memory"], empty=False),
    dict(field="hostPath type",
         definitions=["io.k8s.api.core.v1.HostPathVolumeSource"],
         path=["type"],
         values=["DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
                 "BlockDevice"],
         empty=True),
    dict(field="securityContext procMount",
         definitions=["io.k8s.api.core.v1.SecurityContext"],
         path=["procMount"], values=["Default", "Unmasked"], empty=False),
    dict(field="pod fsGroupChangePolicy",
         definitions=["io.k8s.api.core.v1.PodSecurityContext"],
         path=["fsGroupChangePolicy"], values=["OnRootMismatch", "Always"], empty=False),
    dict(field="pod seLinuxChangePolicy", since=32,
         definitions=["io.k8s.api.core.v1.PodSecurityContext"],
         path=["seLinuxChangePolicy"], values=["MountOption", "Recursive"], empty=False),
    dict(field="appArmorProfile type", since=30,
         definitions=["io.k8s.api.core.v1.AppArmorProfile"],
         path=["type"], values=["Localhost", "RuntimeDefault", "Unconfined"], empty=False),
    dict(field="pod os name", since=23,
         definitions=["io.k8s.api.core.v1.PodOS"],
         path=["name"], values=["linux", "windows"], empty=False),
    dict(field="topologySpreadConstraints nodeAffinityPolicy", since=25,
         definitions=["io.k8s.api.core.v1.TopologySpreadConstraint"],
         path=["nodeAffinityPolicy"], values=["Honor", "Ignore"], empty=False),
    dict(field="topologySpreadConstraints nodeTaintsPolicy", since=25,
         definitions=["io.k8s.api.core.v1.TopologySpreadConstraint"],
         path=["nodeTaintsPolicy"], values=["Honor", "Ignore"], empty=False),
    dict(field="statefulset PVC retention whenDeleted", since=23,
         definitions=["io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy"],
         path=["whenDeleted"], values=["Retain", "Delete"], empty=False),
    dict(field="statefulset PVC retention whenScaled", since=23,
         definitions=["io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy"],
         path=["whenScaled"], values=["Retain", "Delete"], empty=False),
    dict(field="job podFailurePolicy action", since=25,
         definitions=["io.k8s.api.batch.v1.PodFailurePolicyRule"],
         path=["action"], values=["FailJob", "Ignore", "Count", ("FailIndex", 28)], empty=False),
    dict(field="job podFailurePolicy exit code operator", since=25,
         definitions=["io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement"],
         path=["operator"], values=["In", "NotIn"], empty=False),
    dict(field="job podReplacementPolicy", since=28,
         definitions=["io.k8s.api.batch.v1.JobSpec"],
         path=["podReplacementPolicy"], values=["TerminatingOrFailed", "Failed"], empty=False),
    dict(field="PDB unhealthyPodEvictionPolicy", since=26,
         definitions=["re:io\\.k8s\\.api\\.policy\\.v1(beta1)?\\.PodDisruptionBudgetSpec"],
         path=["unhealthyPodEvictionPolicy"], values=["IfHealthyBudget", "AlwaysAllow"], empty=False),
    dict(field="resource quota scope selector operator",
         definitions=["io.k8s.api.core.v1.ScopedResourceSelectorRequirement"],
         path=["operator"], values=["In", "NotIn", "Exists", "DoesNotExist"], empty=False),
]


def matching_defs(defs: dict, patterns: list[str]) -> list[str]:
    names = []
    for p in patterns:
        if p.startswith("re:"):
            rx = re.compile(p[3:])
            names.extend(n for n in sorted(defs) if rx.fullmatch(n))
        elif p in defs:
            names.append(p)
    return names


def locate(schema: dict, path: list[str]) -> dict | None:
    node = schema
    for step in path:
        if step == "[]":
            node = node.get("items")
        else:
            node = (node.get("properties") or {}).get(step)
        if not isinstance(node, dict):
            return None
    return node


def apply_enum_fixes(defs: dict, minor: int) -> list[str]:
    applied = []
    for fix in ENUM_FIXES:
        values = []
        for v in fix["values"]:
            value, first = (v, 0) if isinstance(v, str) else v
            if minor >= first:
                values.append(value)
        hits = 0
        for name in matching_defs(defs, fix["definitions"]):
            node = locate(defs[name], fix["path"])
            if node is None:
                continue
            types = node.get("type")
            types = [types] if isinstance(types, str) else types
            if "string" not in types or "enum" in node or "$ref" in node:
                raise SystemExit(f"v1.{minor} {name}.{'.'.join(fix['path'])}: not a plain string")
            enum = list(values)
            if fix["empty"]:
                enum.append("")
            # enum applies to every instance type, so a nullable field must list null.
            if "null" in types:
                enum.append(None)
            node["enum"] = enum
            hits += 1
            applied.append(f"{name}.{'.'.join(fix['path'])}")
        if hits == 0 and minor >= fix.get("since", 20):
            raise SystemExit(f"v1.{minor}: fix for {fix['field']} matched nothing")
    return applied


# --- building ------------------------------------------------------------------------


def gvk_table(defs: dict) -> dict:
    table = {}
    for name, schema in defs.items():
        for g in schema.get("x-kubernetes-group-version-kind", []):
            key = f"{api_version(g)}/{g['kind']}"
            if table.get(key, name) != name:
                raise SystemExit(f"{key} claimed by {table[key]} and {name}")
            table[key] = name
    return table


def finish(defs: dict, minor: int) -> dict:
    """From normalised definitions to the bundled form of one version."""
    defs = copy.deepcopy(defs)
    gvk = gvk_table(defs)
    for schema in defs.values():
        walk(schema, drop_descriptions)
        walk(schema, rewrite_ref)
        # The gvk table holds the same facts, keyed the way lookups need them.
        schema.pop("x-kubernetes-group-version-kind", None)
    fix_int_or_string(defs)
    fix_quantity(defs)
    apply_enum_fixes(defs, minor)
    check_refs(defs, minor)
    return {"defs": defs, "gvk": gvk}


def check_refs(defs: dict, minor: int) -> None:
    def check(node: dict) -> None:
        ref = node.get("$ref")
        if ref is not None and ref[len("#/$defs/"):] not in defs:
            raise SystemExit(f"v1.{minor}: dangling {ref}")

    for schema in defs.values():
        walk(schema, check)


def comparable(defs: dict) -> dict:
    """Definitions as both layouts should agree on them: no prose, one ref style."""
    out = copy.deepcopy(defs)
    for schema in out.values():
        walk(schema, drop_descriptions)
        walk(schema, rewrite_ref)
    return out


def build(wheels_dir: Path | None, cache: Path) -> bytes:
    old = zipfile.ZipFile(fetch_wheel("1.28.3", cache, wheels_dir))
    new = zipfile.ZipFile(fetch_wheel("1.37.0", cache, wheels_dir))

    for minor in OVERLAP_MINORS:
        ours = comparable(normalise_old(read_defs(old, minor)))
        theirs = comparable(read_defs(new, minor))
        # Quantity is replaced wholesale by fix_quantity; the layouts differ there.
        q = "io.k8s.apimachinery.pkg.api.resource.Quantity"
        ours.pop(q), theirs.pop(q)
        if ours != theirs:
            diff = sorted(n for n in set(ours) | set(theirs) if ours.get(n) != theirs.get(n))
            raise SystemExit(f"v1.{minor}: normalised 1.28.3 layout differs from 1.37.0 in {diff[:5]}")

    blobs = []
    for minor in OLD_MINORS:
        blobs.append((minor, finish(normalise_old(read_defs(old, minor)), minor)))
    for minor in NEW_MINORS:
        blobs.append((minor, finish(read_defs(new, minor), minor)))

    payload = bytearray()
    table = []
    for minor, doc in blobs:
        data = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
        table.append([f"1.{minor}", len(payload), len(data)])
        payload += data
        print(f"v1.{minor}: {len(doc['defs'])} definitions, {len(doc['gvk'])} kinds, "
              f"{len(data)} bytes", file=sys.stderr)
    header = json.dumps({"format": 1, "versions": table}, separators=(",", ":")).encode()
    return header + b"\n" + bytes(payload)


def compress(raw: bytes) -> bytes:
    version = subprocess.run(["zstd", "--version"], capture_output=True, text=True, check=True).stdout
    if ZSTD_VERSION not in version:
        print(f"warning: zstd is {version.strip()}; the committed artefact was made with "
              f"{ZSTD_VERSION} and other releases may compress differently", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bundle.json"
        dst = Path(tmp) / "bundle.json.zst"
        src.write_bytes(raw)
        # From a file (not a pipe) so the frame records the content size.
        subprocess.run(["zstd", *ZSTD_ARGS, str(src), "-o", str(dst)], check=True)
        return dst.read_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheels", type=Path, help="directory holding the pinned wheels (no download)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="download cache directory")
    ap.add_argument("--check", action="store_true", help="compare with the committed artefact")
    ap.add_argument("--raw", type=Path, help="also write the uncompressed stream here")
    args = ap.parse_args()

    raw = build(args.wheels, args.cache)
    if args.raw:
        args.raw.write_bytes(raw)
    packed = compress(raw)
    digest = hashlib.sha256(packed).hexdigest()
    print(f"raw {len(raw)} bytes, compressed {len(packed)} bytes, sha256 {digest}", file=sys.stderr)
    if args.check:
        if not ARTEFACT.exists() or ARTEFACT.read_bytes() != packed:
            raise SystemExit(f"{ARTEFACT.name} differs from a fresh build")
        print(f"{ARTEFACT.name} is reproducible", file=sys.stderr)
    else:
        ARTEFACT.write_bytes(packed)


if __name__ == "__main__":
    main()
