//! The ordered set of resources a kustomization accumulates.
//!
//! Resources keep their load order (kustomize's FIFO order). Adding checks for
//! a resource with the same id through a hash index, so that building grows
//! linearly with the number of objects.

use std::collections::HashMap;

use super::res::{Behavior, Res};
use super::resid::ResId;

#[derive(Clone, Debug, Default)]
pub struct ResMap {
    list: Vec<Res>,
    /// Current-id keys of `list`, built on demand; dropped by any mutable access.
    index: Option<HashMap<IdKey, usize>>,
}

/// A hashable form of `ResId::equals`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct IdKey(String);

fn key(id: &ResId) -> IdKey {
    IdKey(format!(
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
        id.gvk.group,
        id.gvk.version,
        id.gvk.kind,
        id.name,
        id.effective_namespace()
    ))
}

impl ResMap {
    pub fn new() -> ResMap {
        ResMap::default()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Res> {
        self.list.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Res> {
        self.index = None;
        self.list.iter_mut()
    }

    pub fn get(&self, i: usize) -> Option<&Res> {
        self.list.get(i)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut Res> {
        self.index = None;
        self.list.get_mut(i)
    }

    pub fn into_vec(self) -> Vec<Res> {
        self.list
    }

    pub fn retain(&mut self, f: impl FnMut(&Res) -> bool) {
        self.index = None;
        self.list.retain(f);
    }

    pub fn replace_all(&mut self, list: Vec<Res>) {
        self.index = None;
        self.list = list;
    }

    fn index(&mut self) -> &mut HashMap<IdKey, usize> {
        if self.index.is_none() {
            let mut idx = HashMap::with_capacity(self.list.len());
            for (i, r) in self.list.iter().enumerate() {
                idx.entry(key(&r.cur_id())).or_insert(i);
            }
            self.index = Some(idx);
        }
        self.index.get_or_insert_with(HashMap::new)
    }

    /// Adds a resource; one with the same current id is an error.
    pub fn append(&mut self, res: Res) -> Result<(), String> {
        let id = res.cur_id();
        let k = key(&id);
        let n = self.list.len();
        let idx = self.index();
        if idx.contains_key(&k) {
            return Err(format!(
                "may not add resource with an already registered id: {id}"
            ));
        }
        idx.insert(k, n);
        self.list.push(res);
        Ok(())
    }

    pub fn append_all(&mut self, other: ResMap) -> Result<(), String> {
        for r in other.list {
            self.append(r)?;
        }
        Ok(())
    }

    /// Indexes of the resources whose current or a previous id matches.
    pub fn matching_any_id(&self, mut f: impl FnMut(&ResId) -> bool) -> Vec<usize> {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.value.is_null() && r.any_id(&mut f))
            .map(|(i, _)| i)
            .collect()
    }

    /// Indexes of the resources whose current id matches.
    pub fn matching_current_id(&self, mut f: impl FnMut(&ResId) -> bool) -> Vec<usize> {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, r)| f(&r.cur_id()))
            .map(|(i, _)| i)
            .collect()
    }

    /// kustomize's `appendReplaceOrMerge`, used for generated resources.
    pub fn absorb(&mut self, mut res: Res) -> Result<(), String> {
        let id = res.cur_id();
        let matches = self.matching_any_id(|x| x.equals(&id));
        match matches.as_slice() {
            [] => match res.behavior {
                Behavior::Merge | Behavior::Replace => Err(format!(
                    "id {} does not exist; cannot merge or replace",
                    go_id(&id)
                )),
                Behavior::Create => self.append(res),
            },
            [i] => {
                let i = *i;
                let old = &self.list[i];
                match res.behavior {
                    Behavior::Replace => super::generators::copy_merge_metadata(&mut res, old),
                    Behavior::Merge => {
                        super::generators::copy_merge_metadata(&mut res, old);
                        super::generators::merge_data(&mut res, old);
                    }
                    Behavior::Create => {
                        return Err(format!(
                            "id {} exists; behavior must be merge or replace",
                            go_id(&id)
                        ));
                    }
                }
                self.index = None;
                self.list[i] = res;
                Ok(())
            }
            _ => Err(format!(
                "found multiple objects that could accept merge of {id}"
            )),
        }
    }
}

/// Go's `%#v` of a ResId, which kustomize prints in generator errors.
fn go_id(id: &ResId) -> String {
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:\"{}\", Version:\"{}\", Kind:\"{}\", isClusterScoped:{}}}, Name:\"{}\", Namespace:\"{}\"}}",
        id.gvk.group,
        id.gvk.version,
        id.gvk.kind,
        id.is_cluster_scoped(),
        id.name,
        id.namespace
    )
}

impl FromIterator<Res> for ResMap {
    fn from_iter<I: IntoIterator<Item = Res>>(iter: I) -> Self {
        ResMap {
            list: iter.into_iter().collect(),
            index: None,
        }
    }
}
