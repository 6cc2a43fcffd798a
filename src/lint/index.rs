//! Every object of a run, indexed for cross-object rules: by kind, by the
//! namespace it lands in, by (kind, namespace, name) and by label, plus
//! label-selector matching against objects and pod templates.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use rayon::prelude::*;

use crate::resource::Resource;
use crate::yaml::{Map, Value};

use super::pod::{ContainerDefaults, PodSpec};
use super::rbac::Bindings;
use crate::lint::rules::pod_security_policy::eval::Psp;

/// The namespace an object without `metadata.namespace` lands in.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The objects of a run and their indexes. Every iterator yields objects in
/// input order, so rules that use it stay deterministic.
pub struct Index<'a> {
    objects: &'a [Resource],
    /// The namespace each object lands in, by position.
    namespaces: Vec<Option<&'a str>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_namespace: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<&'a str, Vec<usize>>,
    by_label_key: HashMap<&'a str, Vec<usize>>,
    /// Objects by kind, then namespace.
    by_kind_namespace: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// Objects that run pods, by namespace, and by namespace, pod label key
    /// and value.
    pods_by_namespace: HashMap<&'a str, Vec<usize>>,
    pods_by_label: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>,
    cluster_crds: HashSet<(&'a str, &'a str)>,
    /// What the LimitRanges of each namespace fill into containers.
    defaults: HashMap<&'a str, ContainerDefaults<'a>>,
    /// Results rules compute once per run (see [`Index::memo`]).
    /// By rule, then key: found without building a key, under a read lock.
    memo: RwLock<HashMap<&'static str, HashMap<String, Memo>>>,
    /// The RBAC bindings (a plain field: a cell would make `Index` invariant).
    bindings: Bindings<'a>,
    /// The valid PodSecurityPolicies, read once: every pod asks for them.
    psps: Vec<Psp<'a>>,
}

/// A result kept by [`Index::memo`].
type Memo = Arc<dyn Any + Send + Sync>;

/// Defaults of a namespace without LimitRanges.
static NO_DEFAULTS: ContainerDefaults<'static> = ContainerDefaults::EMPTY;

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Resource]) -> Self {
        // Custom resources are cluster-scoped when their CRD in the set says so.
        let cluster_crds: HashSet<(&'a str, &'a str)> = objects
            .iter()
            .filter(|r| r.kind() == Some("CustomResourceDefinition"))
            .filter(|r| r.value.pointer("/spec/scope").and_then(Value::as_str) == Some("Cluster"))
            .filter_map(|r| {
                let group = r.value.pointer("/spec/group")?.as_str()?;
                let kind = r.value.pointer("/spec/names/kind")?.as_str()?;
                Some((group, kind))
            })
            .collect();
        let mut index = Index {
            objects,
            namespaces: Vec::with_capacity(objects.len()),
            by_kind: HashMap::new(),
            by_namespace: HashMap::new(),
            by_name: HashMap::new(),
            by_label_key: HashMap::new(),
            by_kind_namespace: HashMap::new(),
            pods_by_namespace: HashMap::new(),
            pods_by_label: HashMap::new(),
            cluster_crds,
            defaults: HashMap::new(),
            memo: RwLock::default(),
            bindings: Bindings::default(),
            psps: Vec::new(),
        };
        // What each object contributes is found in parallel; the tables are
        // filled in input order.
        let found: Vec<(Option<&'a str>, Option<PodSpec<'a>>)> = objects
            .par_iter()
            .map(|r| (namespace(r, &index.cluster_crds), PodSpec::of(r)))
            .collect();
        for (i, (r, (ns, pod))) in objects.iter().zip(found).enumerate() {
            let kind = r.kind().unwrap_or("");
            index.namespaces.push(ns);
            index.by_kind.entry(kind).or_default().push(i);
            if let Some(ns) = ns {
                index.by_namespace.entry(ns).or_default().push(i);
                let by_ns = index.by_kind_namespace.entry(kind).or_default();
                by_ns.entry(ns).or_default().push(i);
                if let Some(pod) = pod {
                    index.pods_by_namespace.entry(ns).or_default().push(i);
                    let by_label = index.pods_by_label.entry(ns).or_default();
                    for (k, v) in pod.labels().map(Map::iter).into_iter().flatten() {
                        if let Some(v) = v.as_str() {
                            by_label.entry(k).or_default().entry(v).or_default().push(i);
                        }
                    }
                }
            }
            if let Some(name) = r.name() {
                index.by_name.entry(name).or_default().push(i);
            }
            if let Some(labels) = labels(&r.value, "/metadata/labels") {
                for (k, _) in labels.iter() {
                    index.by_label_key.entry(k).or_default().push(i);
                }
            }
        }
        let mut namespaces: Vec<&'a str> = index
            .of_kind("LimitRange")
            .filter_map(|r| index.namespace_of(r))
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        for ns in namespaces {
            let d = ContainerDefaults::compute(&index, ns);
            index.defaults.insert(ns, d);
        }
        index.bindings = Bindings::new(&index);
        index.psps = crate::lint::rules::pod_security_policy::eval::policies(&index);
        index
    }

    /// The PodSecurityPolicies admission can use (valid ones), by name.
    pub(crate) fn pod_security_policies(&self) -> &[Psp<'a>] {
        &self.psps
    }

    /// What the LimitRanges of `ns` fill into containers that lack a request
    /// or limit (nothing for cluster-scoped objects).
    pub fn container_defaults(&self, ns: Option<&str>) -> &ContainerDefaults<'a> {
        ns.and_then(|ns| self.defaults.get(ns))
            .unwrap_or(&NO_DEFAULTS)
    }

    /// The RoleBindings and ClusterRoleBindings of the set, read once.
    pub fn bindings(&self) -> &Bindings<'a> {
        &self.bindings
    }

    /// A value computed once per run for `key` (the rule's id and, for
    /// example, a namespace) and shared by every object that asks, for
    /// rules whose answer for one object depends on all the others. Two
    /// threads asking at once may both compute it; the first result is kept.
    pub fn memo<T: Any + Send + Sync>(
        &self,
        key: (&'static str, &str),
        compute: impl FnOnce() -> T,
    ) -> Arc<T> {
        let cached = self
            .memo
            .read()
            .ok()
            .and_then(|m| m.get(key.0)?.get(key.1).cloned());
        if let Some(v) = cached.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        let value = Arc::new(compute());
        if let Ok(mut m) = self.memo.write() {
            let kept = m
                .entry(key.0)
                .or_default()
                .entry(key.1.to_owned())
                .or_insert_with(|| value.clone());
            if let Ok(v) = Arc::clone(kept).downcast::<T>() {
                return v;
            }
        }
        value
    }

    fn pick<'s>(&'s self, ids: Option<&'s Vec<usize>>) -> impl Iterator<Item = &'a Resource> + 's {
        ids.into_iter().flatten().map(|&i| &self.objects[i])
    }

    /// Every object, in input order.
    pub fn all(&self) -> &'a [Resource] {
        self.objects
    }

    /// Objects of a kind (`Deployment`), any apiVersion.
    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.by_kind.get(kind))
    }

    /// Objects that land in a namespace (cluster-scoped ones never do).
    pub fn in_namespace<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.by_namespace.get(ns))
    }

    /// Objects in `ns` that run pods (Pods and pod-template owners), in
    /// input order: what `in_namespace(ns)` yields that has a pod spec.
    pub fn pods_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.pods_by_namespace.get(ns))
    }

    /// Objects of a kind in a namespace.
    pub fn of_kind_in<'s>(
        &'s self,
        kind: &'s str,
        ns: &'s str,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.by_kind_namespace.get(kind).and_then(|m| m.get(ns)))
    }

    /// The object with this kind, namespace (`None` for cluster-scoped kinds)
    /// and name; the first one if the set holds duplicates.
    pub fn get(&self, kind: &str, ns: Option<&str>, name: &str) -> Option<&'a Resource> {
        self.all_with_id(kind, ns, name).next()
    }

    /// Every object with this identity (more than one is a duplicate).
    pub fn all_with_id<'s>(
        &'s self,
        kind: &'s str,
        ns: Option<&'s str>,
        name: &str,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.by_name.get(name))
            .filter(move |r| r.kind() == Some(kind) && self.namespace_of(r) == ns)
    }

    /// Objects whose own `metadata.labels` has `key: value`.
    pub fn with_label<'s>(
        &'s self,
        key: &'s str,
        value: &'s str,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        self.pick(self.by_label_key.get(key)).filter(move |r| {
            labels(&r.value, "/metadata/labels")
                .and_then(|l| l.get(key))
                .and_then(Value::as_str)
                == Some(value)
        })
    }

    /// The namespace an object lands in: its own, `default` when it has none,
    /// `None` for cluster-scoped kinds.
    pub fn namespace_of<'r>(&self, r: &'r Resource) -> Option<&'r str>
    where
        'a: 'r,
    {
        // Rules ask this for nearly every object they see: an object of the
        // set is answered from the table built once.
        match self.position(r) {
            Some(i) => self.namespaces[i],
            None => namespace(r, &self.cluster_crds),
        }
    }

    /// Where `r` is in the set, when it is one of its objects (by address).
    fn position(&self, r: &Resource) -> Option<usize> {
        let size = std::mem::size_of::<Resource>();
        let offset = (r as *const Resource as usize).checked_sub(self.objects.as_ptr() as usize)?;
        let i = offset / size;
        (offset % size == 0 && i < self.objects.len()).then_some(i)
    }

    /// Objects in `ns` that run pods (Pods and pod-template owners) whose pod
    /// labels `selector` matches.
    pub fn pods_selected_by<'s>(
        &'s self,
        ns: &str,
        selector: &'s LabelSelector<'s>,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        // Only pods that have the selector's first label can match.
        let candidates = match selector.labels.first() {
            Some(&(k, v)) => self
                .pods_by_label
                .get(ns)
                .and_then(|m| m.get(k))
                .and_then(|m| m.get(v)),
            None => self.pods_by_namespace.get(ns),
        };
        self.pick(candidates)
            .filter(move |r| PodSpec::of(r).is_some_and(|p| selector.matches(p.labels())))
    }

    /// Objects in `ns` (all namespaces when `None`) whose own labels
    /// `selector` matches.
    pub fn objects_selected_by<'s>(
        &'s self,
        ns: Option<&'s str>,
        selector: &'s LabelSelector<'s>,
    ) -> impl Iterator<Item = &'a Resource> + 's {
        let pool: Box<dyn Iterator<Item = &'a Resource> + 's> = match ns {
            Some(ns) => Box::new(self.in_namespace(ns)),
            None => Box::new(self.objects.iter()),
        };
        pool.filter(move |r| selector.matches(labels(&r.value, "/metadata/labels")))
    }
}

fn namespace<'a>(r: &'a Resource, cluster_crds: &HashSet<(&str, &str)>) -> Option<&'a str> {
    // Asked for every object of a run: split the apiVersion in place.
    let api_version = r.api_version().unwrap_or("");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = r.kind().unwrap_or("");
    if crate::render::resid::is_cluster_scoped(group, version, kind)
        || cluster_crds.contains(&(group, kind))
    {
        return None;
    }
    Some(r.namespace().unwrap_or(DEFAULT_NAMESPACE))
}

fn labels<'a>(v: &'a Value, pointer: &str) -> Option<&'a Map> {
    v.pointer(pointer).and_then(Value::as_map)
}

/// A label selector: `matchLabels` and `matchExpressions` (all must hold),
/// or a Service-style map of labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector<'a> {
    labels: Vec<(&'a str, &'a str)>,
    expressions: Vec<Requirement<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement<'a> {
    key: &'a str,
    op: Op,
    values: Vec<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl<'a> LabelSelector<'a> {
    /// A `metav1.LabelSelector` (`{matchLabels, matchExpressions}`). An
    /// empty selector matches everything.
    pub fn from_selector(v: &'a Value) -> Result<Self, String> {
        let map = v.as_map().ok_or("a label selector must be a mapping")?;
        let mut sel = match map.get("matchLabels") {
            Some(m) => LabelSelector::from_labels(m)?,
            None => LabelSelector::default(),
        };
        for e in map
            .get("matchExpressions")
            .and_then(Value::as_seq)
            .unwrap_or_default()
        {
            let key = e
                .get("key")
                .and_then(Value::as_str)
                .ok_or("a matchExpressions entry needs a string `key`")?;
            let op = match e.get("operator").and_then(Value::as_str) {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                Some(other) => return Err(format!("`{other}` is not a selector operator")),
                None => return Err("a matchExpressions entry needs an `operator`".into()),
            };
            let values = e
                .get("values")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            sel.expressions.push(Requirement { key, op, values });
        }
        Ok(sel)
    }

    /// A map of labels that must all be present with these values (a
    /// Service's `selector`, a `matchLabels`).
    pub fn from_labels(v: &'a Value) -> Result<Self, String> {
        let map = v.as_map().ok_or("a label map must be a mapping")?;
        let labels = map
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k, v))
                    .ok_or_else(|| format!("the value of label `{k}` must be a string"))
            })
            .collect::<Result<_, _>>()?;
        Ok(LabelSelector {
            labels,
            expressions: Vec::new(),
        })
    }

    /// Whether it has no requirement at all (and so matches everything).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: Option<&Map>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.labels.iter().all(|(k, v)| get(k) == Some(*v))
            && self.expressions.iter().all(|e| match e.op {
                Op::In => get(e.key).is_some_and(|v| e.values.contains(&v)),
                Op::NotIn => get(e.key).is_none_or(|v| !e.values.contains(&v)),
                Op::Exists => get(e.key).is_some(),
                Op::DoesNotExist => get(e.key).is_none(),
            })
    }
}
