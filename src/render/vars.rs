//! `vars` (kustomize v5.5.0): `$(NAME)` in the fields of the `varReference`
//! table replaced by a field of another object.
//!
//! kustomize binds each var to its object in the kustomization that declares
//! it ([`bind`], by the object's original id, after that kustomization's
//! transformers), and reads and substitutes the values once at the root
//! ([`resolve`]), after name references are fixed, so that a var naming a
//! Service sees its final, prefixed name. Binding early is what lets two
//! bases declare vars on objects that share an original name.

use super::fieldspec::{FieldSpec, split_path};
use super::kustomization::{Var, VarTarget};
use super::res::Res;
use super::resid::{Gvk, ResId};
use super::resmap::ResMap;
use crate::yaml::Value;
use crate::yaml::resolve::Resolved;

const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// kustomize's `MergeVars`: tags the object each of a kustomization's vars
/// refers to (matched by original id), before the vars join the
/// accumulated set. Call it with the kustomization's own resource map, after
/// its transformers. A var matching nothing is not an error here.
pub fn bind(rm: &mut ResMap, vars: &[Var]) -> Result<(), String> {
    for v in vars {
        let matched = matching(rm, v);
        if matched.len() > 1 {
            let all: Vec<String> = vars.iter().map(|v| show(v, false, false)).collect();
            return Err(format!(
                "merging vars [{}]: found {} resId matches for var {} (unable to disambiguate)",
                all.join(" "),
                matched.len(),
                show(v, true, false)
            ));
        }
        if let Some(r) = matched.first().and_then(|&i| rm.get_mut(i)) {
            r.ref_var_names.push(v.name.clone());
        }
    }
    Ok(())
}

/// Resolves the vars and substitutes `$(NAME)` in the `varReference` fields.
pub fn resolve(rm: &mut ResMap, vars: &[Var], var_refs: &[FieldSpec]) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&Var> = vars.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    // Objects are tagged by `bind`; when no object carries a tag (the
    // kustomizations did not bind), they are matched here instead.
    let bound = rm.iter().any(|r| !r.ref_var_names.is_empty());
    let mut values: Vec<(String, VarValue)> = Vec::with_capacity(sorted.len());
    for v in sorted {
        let res: Option<&Res> = if bound {
            rm.iter().find(|r| r.ref_var_names.contains(&v.name))
        } else {
            let matched = matching(rm, v);
            if matched.len() > 1 {
                return Err(format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    matched.len(),
                    show(v, true, false)
                ));
            }
            matched.first().and_then(|&i| rm.get(i))
        };
        let Some(res) = res else {
            return Err(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                show(v, true, true)
            ));
        };
        let path = field_path(v);
        let value = field_value(&res.value, path).ok_or_else(|| {
            format!(
                "field specified in var '{}' not found in corresponding resource",
                show(v, true, true)
            )
        })?;
        values.push((v.name.clone(), value));
    }
    for r in rm.iter_mut() {
        let mut changed = false;
        let gvk = r.gvk();
        for fs in var_refs.iter().filter(|fs| fs.matches(&gvk)) {
            let mut path = split_path(&fs.path);
            // A leading slash is allowed (`/metadata/labels`).
            if path.len() > 1 && path[0].is_empty() {
                path.remove(0);
            }
            let id = r.cur_id();
            walk(&mut r.value, &path, &mut |node| {
                substitute(node, &values, &mut changed)
            })
            .map_err(|e| format!("considering field '{}' of object {id}: {e}", fs.path))?;
        }
        if changed {
            super::replacements::stringify_annotations(&mut r.value);
        }
    }
    Ok(())
}

/// Indexes of the objects whose original id the var's objref names: the
/// namespace counts only when given, or for a cluster-scoped kind.
fn matching(rm: &ResMap, v: &Var) -> Vec<usize> {
    let target = ResId::new(gvk(&v.objref), &v.objref.name, &v.objref.namespace);
    let strict = !target.namespace.is_empty() || target.is_cluster_scoped();
    rm.iter()
        .enumerate()
        .filter(|(_, r)| {
            let org = r.org_id();
            if strict {
                org.equals(&target)
            } else {
                org.gvk == target.gvk && org.name == target.name
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// kustomize's `Target.GVK()`: an `apiVersion` overrides group and version.
fn gvk(t: &VarTarget) -> Gvk {
    let mut g = Gvk {
        group: t.group.as_str().into(),
        version: t.version.as_str().into(),
        kind: t.kind.as_str().into(),
    };
    if !t.api_version.is_empty() {
        let parts: Vec<&str> = t.api_version.split('/').collect();
        match parts.as_slice() {
            [group, version] => {
                g.group = (*group).into();
                g.version = (*version).into();
            }
            [version] => g.version = (*version).into(),
            _ => {}
        }
    }
    g
}

fn field_path(v: &Var) -> &str {
    if v.fieldref.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &v.fieldref.field_path
    }
}

/// A var as Go's `%v` prints kustomize's `Var` struct: `{NAME Kind.v.group
/// {fieldPath}}`. `applied` is whether `apiVersion` has been folded into the
/// GVK yet, `defaulted` whether the field path has been defaulted.
fn show(v: &Var, applied: bool, defaulted: bool) -> String {
    let g = if applied {
        gvk(&v.objref)
    } else {
        Gvk {
            group: v.objref.group.as_str().into(),
            version: v.objref.version.as_str().into(),
            kind: v.objref.kind.as_str().into(),
        }
    };
    let fp = if defaulted {
        field_path(v)
    } else {
        &v.fieldref.field_path
    };
    format!("{{{} {g} {{{fp}}}}}", v.name)
}

/// A var's value, typed as kyaml's `GetFieldValue` returns it.
#[derive(Clone, Debug, PartialEq)]
enum VarValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A mapping or sequence: not substituted.
    Other,
}

impl VarValue {
    /// Go's `fmt.Sprint`, for a var inside a longer string.
    fn text(&self) -> String {
        match self {
            VarValue::Str(s) => s.clone(),
            VarValue::Int(i) => i.to_string(),
            VarValue::Float(f) => super::emit::go_format_g(*f),
            VarValue::Bool(b) => b.to_string(),
            VarValue::Other => String::new(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            VarValue::Str(s) => Value::from(s.as_str()),
            VarValue::Int(i) => Value::Int(i),
            VarValue::Float(f) => Resolved::Float(f).into_value(""),
            VarValue::Bool(b) => Value::Bool(b),
            VarValue::Other => Value::Null,
        }
    }
}

/// kyaml's `GetFieldValue`: a dotted path where `name[2]` indexes a list,
/// numbers index lists, `-` is the last item and `[a=b]` selects the item
/// whose field `a` is `b`. Any failure means "not found".
fn field_value(obj: &Value, path: &str) -> Option<VarValue> {
    let mut parts: Vec<String> = Vec::new();
    for p in path.split('.') {
        match slice_index(p) {
            Some((name, idx)) => {
                if !name.is_empty() {
                    parts.push(name.to_owned());
                }
                parts.push(idx.to_owned());
            }
            None => parts.push(p.to_owned()),
        }
    }
    let mut cur = obj;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        cur = if let Some(i) = go_atoi(part) {
            // A negative index is an error, which reads as "not found" too.
            cur.as_seq()?.get(usize::try_from(i).ok()?)?
        } else if part == "-" {
            cur.as_seq()?.last()?
        } else if part.starts_with('[') && part.ends_with(']') {
            let inner = &part[1..part.len() - 1];
            let (name, want) = inner.split_once('=')?;
            cur.as_seq()?.iter().find(|item| {
                if name.is_empty() {
                    text(item) == want
                } else {
                    item.get(name).is_some_and(|v| text(v) == want)
                }
            })?
        } else {
            cur.as_map()?.get(part)?
        };
    }
    match cur {
        Value::String(s) => Some(VarValue::Str(s.to_string())),
        Value::Int(i) => Some(VarValue::Int(*i)),
        // Go's Atoi fails beyond 64 bits.
        Value::BigInt(_) => None,
        Value::Float(f) => Some(VarValue::Float(*f)),
        Value::Bool(b) => Some(VarValue::Bool(*b)),
        Value::Null => Some(VarValue::Str(String::new())),
        Value::Map(_) | Value::Seq(_) => Some(VarValue::Other),
    }
}

/// Go's `strconv.Atoi`.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

/// `name[12]` → (`name`, `12`), as kyaml's `convertSliceIndex`.
fn slice_index(p: &str) -> Option<(&str, &str)> {
    let body = p.strip_suffix(']')?;
    let open = body.rfind('[')?;
    let idx = &body[open + 1..];
    (!idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit())).then(|| (&body[..open], idx))
}

/// A scalar's text, for `[a=b]` comparisons.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.to_string(),
        Value::Float(f) => super::emit::go_format_g(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Map(_) | Value::Seq(_) => String::new(),
    }
}

/// kustomize's field-spec walk without creation: sequences are entered item
/// by item, a missing field ends the walk, a scalar on the way is an error.
fn walk(
    node: &mut Value,
    path: &[String],
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    if path.is_empty() {
        return set(node);
    }
    match node {
        Value::Null => Ok(()),
        Value::Seq(items) => {
            for item in items.iter_mut() {
                walk(item, path, set)
                    .map_err(|e| format!("visit traversal on path: [{}]: {e}", path.join(" ")))?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let (name, is_seq) = match path[0].strip_suffix("[]") {
                Some(n) => (n, true),
                None => (path[0].as_str(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".to_owned());
            }
            let Some(field) = m.get_mut(name) else {
                return Ok(());
            };
            if is_seq && field.is_null() {
                *field = Value::Seq(Default::default());
            }
            walk(field, &path[1..], set)
        }
        _ => Err("expected sequence or mapping node".to_owned()),
    }
}

/// kustomize's refvar `set`: strings, string values of a mapping, and every
/// item of a sequence (which must all be strings) are expanded.
fn substitute(
    node: &mut Value,
    vars: &[(String, VarValue)],
    changed: &mut bool,
) -> Result<(), String> {
    match node {
        Value::String(s) => {
            if let Some(v) = expand(s, vars) {
                *node = v;
                *changed = true;
            }
            Ok(())
        }
        Value::Map(m) => {
            for (_, v) in m.iter_mut() {
                if let Value::String(s) = v {
                    if let Some(new) = expand(s, vars) {
                        *v = new;
                        *changed = true;
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                let Value::String(s) = item else {
                    return Err("invalid value type expect a string".to_owned());
                };
                if let Some(new) = expand(s, vars) {
                    *item = new;
                    *changed = true;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Expands `$(NAME)` references in `input` (Kubernetes' expansion rules:
/// `$$` is a literal `$`, an unknown or unfinished reference stays as
/// written). A string that is exactly one reference takes the var's type.
/// `None` when nothing changed.
fn expand(input: &str, vars: &[(String, VarValue)]) -> Option<Value> {
    if !input.contains('$') {
        return None;
    }
    let primitive = |name: &str| {
        vars.iter()
            .find(|(n, v)| n == name && !matches!(v, VarValue::Other))
            .map(|(_, v)| v)
    };
    let b = input.as_bytes();
    let mut buf = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            buf.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    buf.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match primitive(name) {
                            Some(v) if input.len() == name.len() + 3 => {
                                return Some(v.clone().into_value());
                            }
                            Some(v) => buf.push_str(&v.text()),
                            None => {
                                buf.push_str("$(");
                                buf.push_str(name);
                                buf.push(')');
                            }
                        }
                        close + 1
                    }
                    None => {
                        buf.push_str("$(");
                        1
                    }
                },
                _ => {
                    // Not a reference: the `$` and the character after it.
                    let c = rest.chars().next().unwrap_or('$');
                    buf.push('$');
                    buf.push(c);
                    c.len_utf8()
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    buf.push_str(&input[checkpoint.min(input.len())..]);
    (buf != input).then(|| Value::from(buf.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::kustomization::FieldSelector;
    use crate::source::FileId;

    fn vars_of(pairs: &[(&str, VarValue)]) -> Vec<(String, VarValue)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect()
    }

    fn exp(input: &str, vars: &[(String, VarValue)]) -> Value {
        expand(input, vars).unwrap_or_else(|| Value::from(input))
    }

    #[test]
    fn expansion_follows_kubernetes_rules() {
        let vars = vars_of(&[
            ("S", VarValue::Str("svc".into())),
            ("P", VarValue::Int(8080)),
            ("F", VarValue::Float(1.5)),
            ("B", VarValue::Bool(true)),
            ("M", VarValue::Other),
        ]);
        assert_eq!(exp("$(S)", &vars), Value::from("svc"));
        assert_eq!(exp("$(P)", &vars), Value::Int(8080));
        assert_eq!(exp("$(F)", &vars), Value::Float(1.5));
        assert_eq!(exp("$(B)", &vars), Value::Bool(true));
        assert_eq!(exp("a$(P)b", &vars), Value::from("a8080b"));
        assert_eq!(exp("$(S)$(S)", &vars), Value::from("svcsvc"));
        assert_eq!(exp("$$(S)", &vars), Value::from("$(S)"));
        assert_eq!(exp("$$$(S)", &vars), Value::from("$svc"));
        assert_eq!(exp("$(S)$", &vars), Value::from("svc$"));
        assert_eq!(exp("$(X)", &vars), Value::from("$(X)"));
        assert_eq!(exp("$(M)", &vars), Value::from("$(M)"));
        assert_eq!(exp("$(", &vars), Value::from("$("));
        assert_eq!(exp("$(S", &vars), Value::from("$(S"));
        assert_eq!(exp("$$", &vars), Value::from("$"));
        assert_eq!(exp("$x", &vars), Value::from("$x"));
        assert_eq!(exp("$é$(S)", &vars), Value::from("$ésvc"));
    }

    #[test]
    fn field_values_follow_get_field_value() {
        let v = crate::yaml::parse(
            FileId(0),
            "spec:\n  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 81\n  f: 1.5\n  nul: null\n  m: {x: y}\n",
            &crate::yaml::LoadOptions::default(),
        )
        .docs
        .remove(0)
        .value;
        assert_eq!(
            field_value(&v, "spec.ports[1].port"),
            Some(VarValue::Int(81))
        );
        assert_eq!(
            field_value(&v, "spec.ports.0.name"),
            Some(VarValue::Str("a".into()))
        );
        assert_eq!(
            field_value(&v, "spec.ports.-.name"),
            Some(VarValue::Str("b".into()))
        );
        assert_eq!(
            field_value(&v, "spec.ports.[name=b].port"),
            Some(VarValue::Int(81))
        );
        assert_eq!(field_value(&v, "spec.f"), Some(VarValue::Float(1.5)));
        assert_eq!(
            field_value(&v, "spec.nul"),
            Some(VarValue::Str(String::new()))
        );
        assert_eq!(field_value(&v, "spec.m"), Some(VarValue::Other));
        assert_eq!(field_value(&v, "spec.ports[2].port"), None);
        assert_eq!(field_value(&v, "spec.ports.x"), None);
        assert_eq!(field_value(&v, "spec.nope"), None);
    }

    fn var(name: &str, api: &str, kind: &str, obj: &str, fp: &str) -> Var {
        Var {
            name: name.to_owned(),
            objref: VarTarget {
                api_version: api.to_owned(),
                kind: kind.to_owned(),
                name: obj.to_owned(),
                ..VarTarget::default()
            },
            fieldref: FieldSelector {
                field_path: fp.to_owned(),
            },
        }
    }

    fn resmap(text: &str) -> ResMap {
        crate::render::target::parse_resources(FileId(0), text)
            .map_err(|e| e.0)
            .unwrap()
            .into_iter()
            .collect()
    }

    const RES: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: a\nspec:\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {x: $(PORT)}\nspec:\n  containers:\n  - name: c\n    args: [$(SVC), $(PORT), x$(PORT)]\n";

    fn refs() -> Vec<FieldSpec> {
        vec![
            FieldSpec::at("spec/containers/args", false),
            FieldSpec::at("metadata/annotations", false),
        ]
    }

    #[test]
    fn resolves_and_substitutes() {
        let mut rm = resmap(RES);
        let vars = vec![
            var("SVC", "v1", "Service", "svc", ""),
            var("PORT", "v1", "Service", "svc", "spec.ports[0].port"),
        ];
        resolve(&mut rm, &vars, &refs()).unwrap();
        let p = &rm.get(1).unwrap().value;
        assert_eq!(
            p.pointer("/spec/containers/0/args/0"),
            Some(&Value::from("svc"))
        );
        assert_eq!(
            p.pointer("/spec/containers/0/args/1"),
            Some(&Value::Int(80))
        );
        assert_eq!(
            p.pointer("/spec/containers/0/args/2"),
            Some(&Value::from("x80"))
        );
        // Annotations end up as strings.
        assert_eq!(
            p.pointer("/metadata/annotations/x"),
            Some(&Value::from("80"))
        );
    }

    #[test]
    fn errors_use_kustomize_words() {
        let mut rm = resmap(RES);
        let e = resolve(&mut rm, &[var("V", "", "Service", "svc", "")], &refs()).unwrap_err();
        assert_eq!(
            e,
            "var '{V Service.[noVer].[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources"
        );
        let e = resolve(
            &mut rm,
            &[var("V", "v1", "Service", "svc", "spec.nope")],
            &refs(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "field specified in var '{V Service.v1.[noGrp] {spec.nope}}' not found in corresponding resource"
        );
        let mut rm = resmap(&format!(
            "{RES}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: b\n"
        ));
        let vars = [var("V", "v1", "Service", "svc", "")];
        let e = bind(&mut rm, &vars).unwrap_err();
        assert_eq!(
            e,
            "merging vars [{V Service.[noVer].[noGrp] {}}]: found 2 resId matches for var {V Service.v1.[noGrp] {}} (unable to disambiguate)"
        );
        let mut v = var("V", "v1", "Service", "svc", "");
        v.objref.namespace = "b".to_owned();
        bind(&mut rm, &[v]).unwrap();
        assert_eq!(rm.get(2).unwrap().ref_var_names, ["V"]);
    }

    #[test]
    fn vars_bound_in_their_own_kustomization_survive_name_clashes() {
        // Two bases each declare a var on a Service originally named `es`.
        let base = |prefix: &str, var_name: &str| {
            let text = format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: es\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n  containers:\n  - name: c\n    args: [$({var_name})]\n"
            );
            let mut rm = resmap(&text);
            for r in rm.iter_mut() {
                r.store_previous_id();
                let name = format!("{prefix}{}", r.name());
                r.set_name(&name);
            }
            let vars = [var(var_name, "v1", "Service", "es", "")];
            bind(&mut rm, &vars).unwrap();
            (rm, vars)
        };
        let (dev, dev_vars) = base("dev-", "DEV");
        let (test, test_vars) = base("test-", "TEST");
        let mut all: ResMap = dev.into_vec().into_iter().chain(test.into_vec()).collect();
        let vars: Vec<Var> = dev_vars.into_iter().chain(test_vars).collect();
        resolve(&mut all, &vars, &refs()).unwrap();
        assert_eq!(
            all.get(1)
                .unwrap()
                .value
                .pointer("/spec/containers/0/args/0"),
            Some(&Value::from("dev-es"))
        );
        assert_eq!(
            all.get(3)
                .unwrap()
                .value
                .pointer("/spec/containers/0/args/0"),
            Some(&Value::from("test-es"))
        );
    }

    #[test]
    fn non_string_items_in_a_list_fail() {
        let mut rm = resmap(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    args: [1, $(V)]\n",
        );
        let e = resolve(&mut rm, &[var("V", "v1", "Pod", "p", "")], &refs()).unwrap_err();
        assert_eq!(
            e,
            "considering field 'spec/containers/args' of object Pod.v1.[noGrp]/p.[noNs]: visit traversal on path: [args]: invalid value type expect a string"
        );
    }
}
