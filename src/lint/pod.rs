//! Pods as rules see them: the pod spec inside each kind that has one, its
//! containers, and their resources after the defaulting the API server
//! applies (requests default to limits; LimitRange defaults fill the rest).

use std::collections::BTreeMap;

use crate::resource::Resource;
use crate::resource::quantity::Quantity;
use crate::yaml::{Map, Value};

use super::index::Index;

/// A pod spec: a Pod's own, or the template of a workload.
#[derive(Clone, Copy)]
pub struct PodSpec<'a> {
    pub object: &'a Resource,
    pub spec: &'a Map,
    /// Pointer of the spec within the object (`/spec/template/spec`).
    pub pointer: &'static str,
    /// Pointer of the pod's metadata within the object.
    pub metadata_pointer: &'static str,
}

impl<'a> PodSpec<'a> {
    /// The pod spec of an object, if its kind has one and it is a mapping.
    pub fn of(object: &'a Resource) -> Option<PodSpec<'a>> {
        let (pointer, metadata_pointer) =
            crate::resource::pod_spec_pointers(object.api_version()?, object.kind()?)?;
        let spec = object.value.pointer(pointer)?.as_map()?;
        Some(PodSpec {
            object,
            spec,
            pointer,
            metadata_pointer,
        })
    }

    /// Whether this is a workload's template rather than a Pod.
    pub fn is_template(&self) -> bool {
        self.pointer != "/spec"
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.spec.get(key)
    }

    /// The pointer of a field of the spec, from unescaped segments.
    pub fn pointer_to(&self, segments: &[&str]) -> String {
        let mut p = self.pointer.to_owned();
        for s in segments {
            crate::pointer::push(&mut p, s);
        }
        p
    }

    /// The labels the pods get.
    pub fn labels(&self) -> Option<&'a Map> {
        self.object
            .value
            .pointer(self.metadata_pointer)?
            .get("labels")?
            .as_map()
    }

    /// Init containers (sidecars among them), then containers, then
    /// ephemeral containers, each in order.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (key, role) in [
            ("initContainers", Role::Init),
            ("containers", Role::Regular),
            ("ephemeralContainers", Role::Ephemeral),
        ] {
            let Some(items) = self.spec.get(key).and_then(Value::as_seq) else {
                continue;
            };
            for (index, item) in items.iter().enumerate() {
                let Some(value) = item.as_map() else {
                    continue;
                };
                let role = if role == Role::Init
                    && value.get("restartPolicy").and_then(Value::as_str) == Some("Always")
                {
                    Role::Sidecar
                } else {
                    role
                };
                let mut pointer = self.pointer.to_owned();
                crate::pointer::push(&mut pointer, key);
                crate::pointer::push_index(&mut pointer, index);
                out.push(Container {
                    value,
                    pointer,
                    role,
                    index,
                    name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                });
            }
        }
        out
    }
}

/// Which list a container comes from, and how it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An init container that runs to completion before the others start.
    Init,
    /// An init container with `restartPolicy: Always`: it keeps running.
    Sidecar,
    Regular,
    /// An ephemeral (debug) container: the API forbids resources on it.
    Ephemeral,
}

/// One container of a pod spec.
pub struct Container<'a> {
    pub value: &'a Map,
    /// Pointer of the container within the object.
    pub pointer: String,
    pub role: Role,
    /// Position in its list.
    pub index: usize,
    pub name: &'a str,
}

impl<'a> Container<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key)
    }

    /// The pointer of a field of the container, from unescaped segments.
    pub fn pointer_to(&self, segments: &[&str]) -> String {
        let mut p = self.pointer.clone();
        for s in segments {
            crate::pointer::push(&mut p, s);
        }
        p
    }

    /// `container "web"`, `init container "setup"`, ... for messages.
    pub fn describe(&self) -> String {
        let what = match self.role {
            Role::Init => "init container",
            Role::Sidecar => "sidecar container",
            Role::Regular => "container",
            Role::Ephemeral => "ephemeral container",
        };
        if self.name.is_empty() {
            format!("{what} #{}", self.index + 1)
        } else {
            format!("{what} \"{}\"", self.name)
        }
    }

    /// `resources.requests` and `resources.limits` as written.
    pub fn resources(&self) -> Requirements<'a> {
        let mut out = Requirements {
            resources_pointer: self.pointer_to(&["resources"]),
            container_pointer: self.pointer.clone(),
            has_resources: self.get("resources").is_some_and(|r| r.as_map().is_some()),
            has_requests: false,
            has_limits: false,
            requests: Vec::new(),
            limits: Vec::new(),
        };
        let resources = self.get("resources");
        for (key, list, present) in [
            ("requests", &mut out.requests, &mut out.has_requests),
            ("limits", &mut out.limits, &mut out.has_limits),
        ] {
            let Some(map) = resources.and_then(|r| r.get(key)).and_then(Value::as_map) else {
                continue;
            };
            *present = true;
            for (name, v) in map.iter() {
                list.push(Entry {
                    name,
                    quantity: Quantity::from_value(v).ok(),
                    value: v,
                    pointer: self.pointer_to(&["resources", key, name]),
                });
            }
        }
        out
    }
}

/// One resource of `requests` or `limits` as written.
pub struct Entry<'a> {
    pub name: &'a str,
    /// `None` when it is not a valid quantity (schema validation reports that).
    pub quantity: Option<Quantity>,
    pub value: &'a Value,
    /// Pointer of the value within the object.
    pub pointer: String,
}

impl Entry<'_> {
    /// The value as written, for messages (`512`, `"1Gi"` → `1Gi`).
    pub fn written(&self) -> String {
        match self.value {
            Value::String(s) => s.to_string(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(s) => s.to_string(),
            Value::Float(f) => f.to_string(),
            other => other.type_name().to_owned(),
        }
    }
}

/// A container's `resources` as written, with pointers for findings.
pub struct Requirements<'a> {
    pub requests: Vec<Entry<'a>>,
    pub limits: Vec<Entry<'a>>,
    resources_pointer: String,
    container_pointer: String,
    has_resources: bool,
    has_requests: bool,
    has_limits: bool,
}

/// Requests or limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Limit,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Request => "requests",
            Kind::Limit => "limits",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Limit => "limit",
        }
    }
}

impl<'a> Requirements<'a> {
    pub fn request(&self, name: &str) -> Option<&Entry<'a>> {
        self.requests.iter().find(|e| e.name == name)
    }

    pub fn limit(&self, name: &str) -> Option<&Entry<'a>> {
        self.limits.iter().find(|e| e.name == name)
    }

    pub fn entry(&self, kind: Kind, name: &str) -> Option<&Entry<'a>> {
        match kind {
            Kind::Request => self.request(name),
            Kind::Limit => self.limit(name),
        }
    }

    /// The pointer to report a missing request or limit at: the deepest of
    /// `resources.<kind>`, `resources` and the container that exists.
    pub fn missing_pointer(&self, kind: Kind) -> String {
        let present = match kind {
            Kind::Request => self.has_requests,
            Kind::Limit => self.has_limits,
        };
        if present {
            let mut p = self.resources_pointer.clone();
            crate::pointer::push(&mut p, kind.key());
            p
        } else if self.has_resources {
            self.resources_pointer.clone()
        } else {
            self.container_pointer.clone()
        }
    }

    /// Whether anything at all is written under `resources`.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.limits.is_empty()
    }
}

/// What the LimitRanges of a namespace fill into containers that lack a
/// request or limit, and which LimitRange supplies each.
#[derive(Default)]
pub struct ContainerDefaults<'a> {
    pub requests: BTreeMap<&'a str, (Quantity, &'a Resource)>,
    pub limits: BTreeMap<&'a str, (Quantity, &'a Resource)>,
}

impl<'a> ContainerDefaults<'a> {
    pub const EMPTY: ContainerDefaults<'static> = ContainerDefaults {
        requests: BTreeMap::new(),
        limits: BTreeMap::new(),
    };

    /// Computes the defaults of the `type: Container` items of the
    /// LimitRanges in `ns` ([`Index::container_defaults`] keeps them), after the LimitRange's own defaulting
    /// (`default` ← `max`, `defaultRequest` ← `default` ← `min`). The
    /// admission plugin's order is undefined; LimitRanges are taken by name
    /// and the first to default a resource wins.
    pub(crate) fn compute(index: &Index<'a>, ns: &str) -> Self {
        let mut out = ContainerDefaults::default();
        let mut ranges: Vec<&'a Resource> = index.of_kind_in("LimitRange", ns).collect();
        ranges.sort_by_key(|r| r.name());
        for lr in ranges {
            // Within one LimitRange a later item overrides an earlier one.
            let mut requests: BTreeMap<&'a str, Quantity> = BTreeMap::new();
            let mut limits: BTreeMap<&'a str, Quantity> = BTreeMap::new();
            for item in LimitRangeItem::of(lr) {
                if item.kind != "Container" {
                    continue;
                }
                limits.extend(item.default.iter().map(|(k, v)| (*k, v.quantity)));
                requests.extend(item.default_request.iter().map(|(k, v)| (*k, v.quantity)));
            }
            for (k, v) in requests {
                out.requests.entry(k).or_insert((v, lr));
            }
            for (k, v) in limits {
                out.limits.entry(k).or_insert((v, lr));
            }
        }
        out
    }
}

/// A quantity of a LimitRange item, and where it is written: in its own
/// field, or in the field the API server copied it from.
#[derive(Clone, Debug)]
pub struct LimitValue {
    pub quantity: Quantity,
    /// Pointer of the written value within the LimitRange.
    pub pointer: String,
    /// The field it was copied from (`max`, `default` or `min`) when the
    /// LimitRange does not set it.
    pub defaulted_from: Option<&'static str>,
}

/// Quantities of a LimitRange item field, by resource name.
pub type LimitValues<'a> = BTreeMap<&'a str, LimitValue>;

/// One item of a LimitRange's `spec.limits` as the API server stores it:
/// for `type: Container`, a missing `default` is copied from `max` and a
/// missing `defaultRequest` from `default`, then from `min`
/// (`SetDefaults_LimitRangeItem`). Values that are not quantities are left
/// out (schema validation reports them).
pub struct LimitRangeItem<'a> {
    pub index: usize,
    /// `/spec/limits/<index>`.
    pub pointer: String,
    /// `Container`, `Pod`, `PersistentVolumeClaim` or another type.
    pub kind: &'a str,
    pub min: LimitValues<'a>,
    pub max: LimitValues<'a>,
    pub default: LimitValues<'a>,
    pub default_request: LimitValues<'a>,
    pub max_limit_request_ratio: LimitValues<'a>,
}

impl<'a> LimitRangeItem<'a> {
    /// The items of a LimitRange, in order.
    pub fn of(lr: &'a Resource) -> Vec<LimitRangeItem<'a>> {
        let items = lr
            .value
            .pointer("/spec/limits")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Some(map) = item.as_map() else {
                continue;
            };
            let pointer = format!("/spec/limits/{index}");
            let field = |key: &str| -> LimitValues<'a> {
                map.get(key)
                    .and_then(Value::as_map)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| {
                                let mut p = pointer.clone();
                                crate::pointer::push(&mut p, key);
                                crate::pointer::push(&mut p, k);
                                Some((
                                    k,
                                    LimitValue {
                                        quantity: Quantity::from_value(v).ok()?,
                                        pointer: p,
                                        defaulted_from: None,
                                    },
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
            let (min, max) = (field("min"), field("max"));
            let max_limit_request_ratio = field("maxLimitRequestRatio");
            let mut default = field("default");
            let mut default_request = field("defaultRequest");
            if kind == "Container" {
                let copy = |to: &mut LimitValues<'a>, from: &LimitValues<'a>, name| {
                    for (k, v) in from {
                        to.entry(k).or_insert_with(|| LimitValue {
                            defaulted_from: Some(v.defaulted_from.unwrap_or(name)),
                            ..v.clone()
                        });
                    }
                };
                copy(&mut default, &max, "max");
                copy(&mut default_request, &default, "default");
                copy(&mut default_request, &min, "min");
            }
            out.push(LimitRangeItem {
                index,
                pointer,
                kind,
                min,
                max,
                default,
                default_request,
                max_limit_request_ratio,
            });
        }
        out
    }
}

/// Requests and limits per resource name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceList {
    pub requests: BTreeMap<String, Quantity>,
    pub limits: BTreeMap<String, Quantity>,
}

/// A container's requests and limits as the scheduler and kubelet see them:
/// a limit without a request gives the request (API defaulting), then the
/// LimitRange defaults fill missing limits and requests.
pub fn effective(c: &Container<'_>, defaults: &ContainerDefaults<'_>) -> ResourceList {
    let r = c.resources();
    let mut out = ResourceList::default();
    for e in &r.limits {
        if let Some(q) = e.quantity {
            out.limits.insert(e.name.to_owned(), q);
        }
    }
    for e in &r.requests {
        if let Some(q) = e.quantity {
            out.requests.insert(e.name.to_owned(), q);
        }
    }
    for (name, q) in &out.limits {
        if r.request(name).is_none() {
            out.requests.insert(name.clone(), *q);
        }
    }
    // Resources present but unparsable are left alone rather than defaulted.
    for (name, (q, _)) in &defaults.limits {
        if r.limit(name).is_none() {
            out.limits.entry((*name).to_owned()).or_insert(*q);
        }
    }
    for (name, (q, _)) in &defaults.requests {
        if r.request(name).is_none() && r.limit(name).is_none() {
            out.requests.entry((*name).to_owned()).or_insert(*q);
        }
    }
    out
}

fn add_all(to: &mut BTreeMap<String, Quantity>, from: &BTreeMap<String, Quantity>) {
    for (k, v) in from {
        let sum = to.get(k).copied().unwrap_or(Quantity::ZERO) + *v;
        to.insert(k.clone(), sum);
    }
}

fn max_all(to: &mut BTreeMap<String, Quantity>, from: &BTreeMap<String, Quantity>) {
    for (k, v) in from {
        match to.get(k) {
            Some(cur) if cur >= v => {}
            _ => {
                to.insert(k.clone(), *v);
            }
        }
    }
}

/// A pod's effective requests and limits as the scheduler counts them
/// (`component-helpers` `PodRequests`/`PodLimits`): the larger of the regular
/// containers plus sidecars and, for each init container, itself plus the
/// sidecars started before it; pod-level `resources` override cpu, memory
/// and hugepages; `overhead` is added to requests and to the limits that
/// are set.
pub fn pod_totals(pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>) -> ResourceList {
    totals(pod, defaults, Counting::Scheduler)
}

/// A pod's requests and limits as the LimitRanger admission plugin totals
/// them for `type: Pod` items: like [`pod_totals`], but without `overhead`,
/// and pod-level `resources` override only cpu and memory.
pub fn limit_range_totals(pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>) -> ResourceList {
    totals(pod, defaults, Counting::LimitRanger)
}

/// Whose arithmetic [`totals`] follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// Pod-level cpu, memory and hugepages override; overhead is added.
    Scheduler,
    /// Pod-level cpu and memory override; no overhead.
    LimitRanger,
}

fn totals(pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>, counting: Counting) -> ResourceList {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let mut sidecars = ResourceList::default();
    let mut init_max = ResourceList::default();
    let containers = pod.containers();
    for c in containers.iter().filter(|c| c.role == Role::Regular) {
        let e = effective(c, defaults);
        add_all(&mut requests, &e.requests);
        add_all(&mut limits, &e.limits);
    }
    for c in &containers {
        let e = effective(c, defaults);
        match c.role {
            Role::Sidecar => {
                add_all(&mut requests, &e.requests);
                add_all(&mut limits, &e.limits);
                add_all(&mut sidecars.requests, &e.requests);
                add_all(&mut sidecars.limits, &e.limits);
                max_all(&mut init_max.requests, &sidecars.requests);
                max_all(&mut init_max.limits, &sidecars.limits);
            }
            Role::Init => {
                let mut req = e.requests.clone();
                add_all(&mut req, &sidecars.requests);
                let mut lim = e.limits.clone();
                add_all(&mut lim, &sidecars.limits);
                max_all(&mut init_max.requests, &req);
                max_all(&mut init_max.limits, &lim);
            }
            Role::Regular | Role::Ephemeral => {}
        }
    }
    max_all(&mut requests, &init_max.requests);
    max_all(&mut limits, &init_max.limits);
    let overrides = |k: &str| {
        matches!(k, "cpu" | "memory")
            || (counting == Counting::Scheduler && k.starts_with("hugepages-"))
    };
    let pod_level = |key: &str| -> BTreeMap<String, Quantity> {
        pod.get("resources")
            .and_then(|r| r.get(key))
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| overrides(k))
                    .filter_map(|(k, v)| Some((k.to_owned(), Quantity::from_value(v).ok()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let pod_limits = pod_level("limits");
    let mut pod_requests = pod_level("requests");
    for (k, v) in &pod_limits {
        pod_requests.entry(k.clone()).or_insert(*v);
    }
    requests.extend(pod_requests);
    limits.extend(pod_limits);
    if counting == Counting::Scheduler
        && let Some(overhead) = pod.get("overhead").and_then(Value::as_map)
    {
        for (k, v) in overhead.iter() {
            let Ok(q) = Quantity::from_value(v) else {
                continue;
            };
            let r = requests.entry(k.to_owned()).or_insert(Quantity::ZERO);
            *r += q;
            if let Some(l) = limits.get_mut(k) {
                *l += q;
            }
        }
    }
    ResourceList { requests, limits }
}

/// A pod's quality-of-service class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QosClass {
    BestEffort,
    Burstable,
    Guaranteed,
}

impl QosClass {
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::BestEffort => "BestEffort",
            QosClass::Burstable => "Burstable",
            QosClass::Guaranteed => "Guaranteed",
        }
    }
}

/// Why a pod is not Guaranteed: the first container that spoils it.
pub struct Qos {
    pub class: QosClass,
    pub reason: Option<String>,
}

/// The QoS class as the kubelet computes it (`ComputePodQOS`): only cpu and
/// memory count, init containers included, ephemeral ones not; pod-level
/// resources decide alone when set.
pub fn qos(pod: &PodSpec<'_>, defaults: &ContainerDefaults<'_>) -> Qos {
    let compute = |name: &str| name == "cpu" || name == "memory";
    let positive = |m: &BTreeMap<String, Quantity>| -> BTreeMap<String, Quantity> {
        m.iter()
            .filter(|(k, q)| compute(k) && q.nanos() > 0)
            .map(|(k, q)| (k.clone(), *q))
            .collect()
    };
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let mut reason = None;
    let pod_level = pod.get("resources").and_then(Value::as_map).filter(|r| {
        r.iter()
            .any(|(_, v)| v.as_map().is_some_and(|m| !m.is_empty()))
    });
    if let Some(res) = pod_level {
        let read = |key: &str| -> BTreeMap<String, Quantity> {
            res.get(key)
                .and_then(Value::as_map)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.to_owned(), Quantity::from_value(v).ok()?)))
                        .collect()
                })
                .unwrap_or_default()
        };
        limits = positive(&read("limits"));
        let mut req = read("requests");
        for (k, v) in &limits {
            req.entry(k.clone()).or_insert(*v);
        }
        requests = positive(&req);
        if !(limits.contains_key("cpu") && limits.contains_key("memory")) {
            reason = Some("the pod-level resources do not set both CPU and memory limits".into());
        }
    } else {
        for c in pod.containers() {
            if matches!(c.role, Role::Ephemeral) {
                continue;
            }
            let e = effective(&c, defaults);
            let (req, lim) = (positive(&e.requests), positive(&e.limits));
            add_all(&mut requests, &req);
            add_all(&mut limits, &lim);
            if reason.is_none() {
                let missing: Vec<&str> = ["cpu", "memory"]
                    .into_iter()
                    .filter(|r| !lim.contains_key(*r))
                    .collect();
                if !missing.is_empty() {
                    let what = missing
                        .iter()
                        .map(|r| resource_label(r))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    let s = if missing.len() > 1 { "s" } else { "" };
                    reason = Some(format!("{} has no {what} limit{s}", c.describe()));
                } else if let Some(r) = ["cpu", "memory"]
                    .into_iter()
                    .find(|r| req.get(*r).is_some_and(|q| Some(q) != lim.get(*r)))
                {
                    reason = Some(format!(
                        "{} has a {} request below its limit",
                        c.describe(),
                        resource_label(r)
                    ));
                }
            }
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return Qos {
            class: QosClass::BestEffort,
            reason: None,
        };
    }
    let equal = requests.iter().all(|(k, q)| limits.get(k) == Some(q));
    if reason.is_none() && equal && requests.len() == limits.len() {
        Qos {
            class: QosClass::Guaranteed,
            reason: None,
        }
    } else {
        Qos {
            class: QosClass::Burstable,
            reason: reason.or_else(|| Some("requests and limits differ".into())),
        }
    }
}

/// `CPU` for cpu, the resource name otherwise, for messages.
pub fn resource_label(name: &str) -> &str {
    if name == "cpu" { "CPU" } else { name }
}

/// `cpu 350m, memory 384Mi`, cpu and memory first, for messages.
pub fn format_list(m: &BTreeMap<String, Quantity>) -> String {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by_key(|k| (k.as_str() != "cpu", k.as_str() != "memory", k.as_str()));
    keys.iter()
        .map(|k| format!("{} {}", resource_label(k), m[*k]))
        .collect::<Vec<_>>()
        .join(", ")
}
