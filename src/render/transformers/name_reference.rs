//! Name references (kustomize's nameReference transformer): after names have
//! changed (prefix, suffix, hash), every field that refers to a renamed
//! object by name is rewritten, following the `nameReference` table.
//!
//! A reference is matched the way kustomize matches it: by a previous name of
//! the candidate, its kind, the referrer's namespace (cluster-scoped objects
//! and ServiceAccounts excepted), and, among several candidates, the
//! prefixes and suffixes both went through.

use std::collections::HashMap;

use crate::render::fieldspec::{NameBackRef, split_path};
use crate::render::resid::{Gvk, ResId};
use crate::render::resmap::ResMap;
use crate::yaml::{Str, Value};

/// What the pass needs to know about every object as a possible referral.
struct Cand {
    cur: ResId,
    prev: Vec<ResId>,
    org_ns: String,
    name: String,
    namespace: String,
    kind: String,
    prefixes: Vec<Str>,
    suffixes: Vec<Str>,
}

/// What it needs to know about the object whose fields it rewrites.
struct Referrer {
    cur: ResId,
    kind: String,
    prefixes: Vec<Str>,
    suffixes: Vec<Str>,
    role_binding_namespaces: Vec<String>,
}

pub fn apply(rm: &mut ResMap, backrefs: &[NameBackRef]) -> Result<(), String> {
    let cands: Vec<Cand> = rm
        .iter()
        .map(|r| {
            let prev = r.prev_ids();
            Cand {
                cur: r.cur_id(),
                org_ns: r.org_id().effective_namespace().to_owned(),
                prev,
                name: r.name().to_owned(),
                namespace: r.namespace().to_owned(),
                kind: r.kind().to_owned(),
                prefixes: r.prefixes.clone(),
                suffixes: r.suffixes.clone(),
            }
        })
        .collect();
    // Only objects that were renamed can need a reference fixed.
    let mut by_prev_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        for id in &c.prev {
            let list = by_prev_name.entry(id.name.as_str()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    if by_prev_name.is_empty() {
        return Ok(());
    }
    let pass = Pass {
        cands: &cands,
        by_prev_name: &by_prev_name,
    };
    for r in rm.iter_mut() {
        let org = r.org_id();
        let referrer = Referrer {
            cur: r.cur_id(),
            kind: r.kind().to_owned(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            role_binding_namespaces: role_binding_namespaces(&r.value),
        };
        for br in backrefs {
            let target = br.gvk();
            for fs in &br.field_specs {
                if !org.gvk.is_selected_by(&fs.gvk()) {
                    continue;
                }
                let path = split_path(&fs.path);
                let role_ref = if fs.path.ends_with("roleRef/name") {
                    role_ref_gvk(&r.value)
                } else {
                    None
                };
                let ctx = Ctx {
                    referrer: &referrer,
                    target: &target,
                    role_ref: role_ref.as_ref(),
                };
                walk(&mut r.value, &path, &mut |node| pass.set(node, &ctx)).map_err(|e| {
                    format!(
                        "updating name reference in '{}' field of '{}': {e}",
                        fs.path, referrer.cur
                    )
                })?;
            }
        }
    }
    Ok(())
}

struct Ctx<'a> {
    referrer: &'a Referrer,
    target: &'a Gvk,
    role_ref: Option<&'a Gvk>,
}

struct Pass<'a> {
    cands: &'a [Cand],
    by_prev_name: &'a HashMap<&'a str, Vec<usize>>,
}

/// Walks a field path without creating anything; sequences on the way are
/// entered element by element.
fn walk(
    v: &mut Value,
    path: &[String],
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    if path.is_empty() {
        return set(v);
    }
    match v {
        Value::Seq(items) => {
            for item in items.iter_mut() {
                walk(item, path, set)?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let name = path[0].strip_suffix("[]").unwrap_or(&path[0]);
            match m.get_mut(name) {
                Some(child) if !child.is_null() => walk(child, &path[1..], set),
                _ => Ok(()),
            }
        }
        _ => Err("expected sequence or mapping node".to_owned()),
    }
}

impl Pass<'_> {
    fn set(&self, node: &mut Value, ctx: &Ctx<'_>) -> Result<(), String> {
        match node {
            Value::Null => Ok(()),
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    match item {
                        Value::Map(_) => self.set_mapping(item, ctx)?,
                        Value::Seq(_) => {
                            return Err("node must be a scalar, sequence or map".to_owned());
                        }
                        _ => self.set_scalar(item, ctx)?,
                    }
                }
                Ok(())
            }
            Value::Map(_) => self.set_mapping(node, ctx),
            _ => self.set_scalar(node, ctx),
        }
    }

    fn in_subset(&self, c: &Cand, r: &Referrer) -> bool {
        r.cur.is_cluster_scoped()
            || c.cur.is_cluster_scoped()
            || c.cur.ns_equals(&r.cur)
            || (r.kind == "RoleBinding" && r.role_binding_namespaces.contains(&c.namespace))
    }

    fn set_scalar(&self, node: &mut Value, ctx: &Ctx<'_>) -> Result<(), String> {
        let Some(old) = node.as_str().map(str::to_owned) else {
            return Ok(());
        };
        let pool: Vec<usize> = self
            .by_prev_name
            .get(old.as_str())
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&i| self.in_subset(&self.cands[i], ctx.referrer))
                    .collect()
            })
            .unwrap_or_default();
        let Some(i) = self.select(&old, pool, ctx, false)? else {
            return Ok(());
        };
        let c = &self.cands[i];
        if c.name != old {
            *node = Value::from(c.name.as_str());
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Value, ctx: &Ctx<'_>) -> Result<(), String> {
        let Some(m) = node.as_map_mut() else {
            return Err("expect a mapping node".to_owned());
        };
        let Some(old) = m.get("name").map(crate::render::res::scalar_text) else {
            return Err("path config error; no 'name' field in node".to_owned());
        };
        let subset = |i: &usize| self.in_subset(&self.cands[*i], ctx.referrer);
        let named: Vec<usize> = self
            .by_prev_name
            .get(old.as_str())
            .cloned()
            .unwrap_or_default();
        let pool: Vec<usize> = match m.get("namespace").map(crate::render::res::scalar_text) {
            None => named.into_iter().filter(subset).collect(),
            Some(ns) => {
                // Candidates in that namespace: by original namespace, else current.
                let in_subset: Vec<usize> = (0..self.cands.len()).filter(subset).collect();
                let by_org: Vec<usize> = in_subset
                    .iter()
                    .copied()
                    .filter(|&i| {
                        !self.cands[i].cur.is_cluster_scoped() && self.cands[i].org_ns == ns
                    })
                    .collect();
                let group = if !by_org.is_empty() {
                    by_org
                } else {
                    in_subset
                        .into_iter()
                        .filter(|&i| {
                            let c = &self.cands[i];
                            !c.cur.is_cluster_scoped() && c.cur.effective_namespace() == ns
                        })
                        .collect()
                };
                group.into_iter().filter(|i| named.contains(i)).collect()
            }
        };
        let Some(i) = self.select(&old, pool, ctx, true)? else {
            return Ok(());
        };
        let c = &self.cands[i];
        if c.name == old && c.namespace.is_empty() {
            return Ok(());
        }
        m.insert("name", Value::from(c.name.as_str()));
        if !c.namespace.is_empty() {
            m.insert("namespace", Value::from(c.namespace.as_str()));
        }
        Ok(())
    }

    /// kustomize's `selectReferral`, given the candidates whose previous
    /// names include `old`.
    fn select(
        &self,
        old: &str,
        pool: Vec<usize>,
        ctx: &Ctx<'_>,
        with_namespace: bool,
    ) -> Result<Option<usize>, String> {
        let r = ctx.referrer;
        let mut cs: Vec<usize> = pool
            .into_iter()
            .filter(|&i| self.cands[i].prev.iter().any(|id| id.name == old))
            .filter(|&i| {
                self.cands[i]
                    .prev
                    .iter()
                    .any(|id| id.gvk.is_selected_by(ctx.target))
            })
            .filter(|&i| {
                ctx.role_ref
                    .is_none_or(|g| self.cands[i].prev.iter().any(|id| id.gvk.is_selected_by(g)))
            })
            .filter(|&i| {
                let c = &self.cands[i];
                r.cur.is_cluster_scoped()
                    || c.cur.is_cluster_scoped()
                    || c.kind == "ServiceAccount"
                    || r.cur.ns_equals(&c.cur)
            })
            .collect();
        if cs.len() == 1 {
            return Ok(Some(cs[0]));
        }
        for allow_empty in [true, false] {
            cs.retain(|&i| {
                let c = &self.cands[i];
                affixes_match(&c.prefixes, &r.prefixes, allow_empty)
                    && affixes_match(&c.suffixes, &r.suffixes, allow_empty)
            });
            if cs.len() == 1 {
                return Ok(Some(cs[0]));
            }
        }
        if cs.is_empty() {
            return Ok(None);
        }
        let first = &self.cands[cs[0]];
        let identical = cs.iter().all(|&i| {
            let c = &self.cands[i];
            c.name == first.name && (!with_namespace || c.namespace == first.namespace)
        });
        if identical {
            return Ok(Some(cs[0]));
        }
        let ids: Vec<String> = cs.iter().map(|&i| self.cands[i].cur.to_string()).collect();
        Err(format!(
            " found multiple possible referrals: {}",
            ids.join(", ")
        ))
    }
}

/// kustomize's `PrefixesSuffixesEquals`: the shorter list is a tail of the longer.
fn affixes_match(a: &[Str], b: &[Str], allow_empty: bool) -> bool {
    if allow_empty && (a.is_empty() || b.is_empty()) {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

fn role_ref_gvk(obj: &Value) -> Option<Gvk> {
    let rr = obj.get("roleRef")?;
    let group = rr.get("apiGroup")?.as_str()?;
    let kind = rr.get("kind")?.as_str()?;
    Some(Gvk {
        group: group.into(),
        version: Str::default(),
        kind: kind.into(),
    })
}

/// The namespaces of a RoleBinding's ServiceAccount subjects.
fn role_binding_namespaces(obj: &Value) -> Vec<String> {
    if obj.get("kind").and_then(Value::as_str) != Some("RoleBinding") {
        return Vec::new();
    }
    obj.get("subjects")
        .and_then(Value::as_seq)
        .map(|subjects| {
            subjects
                .iter()
                .filter(|s| s.get("kind").and_then(Value::as_str) == Some("ServiceAccount"))
                .filter_map(|s| {
                    s.get("namespace")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affix_lists() {
        let s = |v: &[&str]| v.iter().map(|x| Str::from(*x)).collect::<Vec<_>>();
        assert!(affixes_match(&s(&["a", "b", "c"]), &s(&["b", "c"]), false));
        assert!(!affixes_match(&s(&["a", "b", "c"]), &s(&["a", "b"]), false));
        assert!(!affixes_match(&s(&[]), &s(&["a"]), false));
        assert!(affixes_match(&s(&[]), &s(&["a"]), true));
    }
}
