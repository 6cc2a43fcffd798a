//! Rendering of a dry run: text for people, a JSON `schedule` section, and
//! a self-contained HTML page (inline CSS and SVG, nothing fetched).

use std::fmt::Write as _;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value as J, json};

use super::cluster::NodeInfo;
use super::drain::Verdict;
use super::framework::{Code, Explain, PodState, Verdict as FilterVerdict};
use super::plugins::node_resources_fit::fits_request;
use super::resources::format_amount;
use super::types::Node;
use super::{Headroom, ScheduleResult};

/// The resources shown per node.
const SHOWN: [&str; 3] = ["cpu", "memory", "pods"];

fn requested(info: &NodeInfo, name: &str) -> i64 {
    if name == "pods" {
        info.pods.len() as i64
    } else {
        info.requested.get(name)
    }
}

fn percent(used: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (i128::from(used) * 100 / i128::from(total)) as i64
    }
}

fn amount(name: &str, v: i64) -> String {
    if name == "pods" {
        v.to_string()
    } else {
        format_amount(name, v)
    }
}

/// `Deployment/web`, or `None` for pods without a workload.
fn workload_of(r: &ScheduleResult, id: usize) -> Option<String> {
    r.cluster.pods[id]
        .workload
        .map(|w| r.workloads[w].display())
}

/// ` (Deployment/web)` after a pod's name; nothing for a bare pod.
fn owner_suffix(r: &ScheduleResult, id: usize) -> String {
    match r.cluster.pods[id].workload.map(|w| &r.workloads[w]) {
        Some(w) if w.kind != "Pod" => format!(" ({})", w.display()),
        _ => String::new(),
    }
}

fn state_word(r: &ScheduleResult, id: usize) -> &'static str {
    match (&r.pods[id].state, r.pods[id].existing) {
        (PodState::Bound { .. }, true) => "Running",
        (PodState::Bound { .. }, false) => "Scheduled",
        (PodState::Pending { .. }, _) => "Pending",
        (PodState::NotCreated { .. }, _) => "NotCreated",
    }
}

fn message_of(r: &ScheduleResult, id: usize) -> Option<String> {
    match &r.pods[id].state {
        PodState::Bound { .. } => None,
        PodState::Pending { message } => Some(message.clone()),
        PodState::NotCreated { reason } => Some(reason.clone()),
    }
}

/// Per workload: (placed, not running).
fn workload_counts(r: &ScheduleResult) -> Vec<(usize, usize)> {
    let mut counts = vec![(0, 0); r.workloads.len()];
    for (id, p) in r.pods.iter().enumerate() {
        if let Some(w) = r.cluster.pods[id].workload {
            match p.state {
                PodState::Bound { .. } => counts[w].0 += 1,
                _ => counts[w].1 += 1,
            }
        }
    }
    for rej in &r.rejected {
        counts[rej.workload].1 += 1;
    }
    counts
}

fn headroom_text(h: Option<&Headroom>) -> String {
    match h {
        None => "-".into(),
        Some(h) if h.capped => format!("+{}+", h.more),
        Some(h) => format!("+{}", h.more),
    }
}

/// Pads columns to their widest cell.
fn table(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (i, c) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text report.
pub fn text(r: &ScheduleResult) -> String {
    let mut out = String::new();
    let nodes = &r.cluster.nodes;
    let _ = writeln!(out, "Nodes ({})", nodes.len());
    let mut rows = vec![vec![
        "NODE".to_owned(),
        "ZONE".into(),
        "CPU".into(),
        "MEMORY".into(),
        "PODS".into(),
    ]];
    for (i, n) in nodes.iter().enumerate() {
        let info = &r.cluster.infos[i];
        let mut row = vec![n.name.clone(), n.zone().unwrap_or("-").to_owned()];
        for res in SHOWN {
            let used = requested(info, res);
            let total = n.allocatable.get(res);
            row.push(format!(
                "{}/{} ({}%)",
                amount(res, used),
                amount(res, total),
                percent(used, total)
            ));
        }
        rows.push(row);
    }
    out.push_str(&table(&rows, "  "));

    if !r.workloads.is_empty() {
        let counts = workload_counts(r);
        let _ = writeln!(out, "\nWorkloads ({})", r.workloads.len());
        let mut rows = vec![vec![
            "WORKLOAD".to_owned(),
            "NAMESPACE".into(),
            "PLACED".into(),
            "PENDING".into(),
            "MORE".into(),
        ]];
        for (i, w) in r.workloads.iter().enumerate() {
            rows.push(vec![
                w.display(),
                w.namespace.clone(),
                format!("{}/{}", counts[i].0, w.desired),
                counts[i].1.to_string(),
                headroom_text(r.headroom.get(&i)),
            ]);
        }
        out.push_str(&table(&rows, "  "));
        for w in &r.workloads {
            for note in &w.notes {
                let _ = writeln!(out, "  {}: {note}", w.display());
            }
        }
    }

    let placed: Vec<(usize, Vec<String>)> = r
        .cluster
        .infos
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.pods.is_empty())
        .map(|(n, i)| {
            (
                n,
                i.pods
                    .iter()
                    .map(|&p| r.cluster.pods[p].name.clone())
                    .collect(),
            )
        })
        .collect();
    if !placed.is_empty() {
        let _ = writeln!(out, "\nPlacement");
        let width = placed
            .iter()
            .map(|(n, _)| nodes[*n].name.chars().count())
            .max()
            .unwrap_or(0);
        for (n, pods) in placed {
            let _ = writeln!(out, "  {:<width$}  {}", nodes[n].name, pods.join(", "));
        }
    }

    let pending: Vec<usize> = (0..r.pods.len())
        .filter(|&id| !matches!(r.pods[id].state, PodState::Bound { .. }))
        .collect();
    if !pending.is_empty() || !r.rejected.is_empty() {
        let _ = writeln!(out, "\nPending pods ({})", pending.len() + r.rejected.len());
        for id in pending {
            let p = &r.cluster.pods[id];
            let _ = writeln!(out, "  {}{}", p.key(), owner_suffix(r, id));
            if let Some(m) = message_of(r, id) {
                let _ = writeln!(out, "    {m}");
            }
        }
        for rej in &r.rejected {
            let w = &r.workloads[rej.workload];
            let _ = writeln!(out, "  {}/{} ({})", w.namespace, rej.pod, w.display());
            let _ = writeln!(out, "    {}", rej.message);
        }
    }

    if !r.explains.is_empty() {
        for (id, e) in &r.explains {
            out.push('\n');
            out.push_str(&explain_text(r, *id, e));
        }
    }

    if let Some(drains) = &r.drain {
        let _ = writeln!(out, "\nDrain check (N+1)");
        for d in drains {
            let n = &nodes[d.node].name;
            let moved = d.moves.iter().filter(|(_, to)| to.is_some()).count();
            let _ = writeln!(
                out,
                "  {n}: {}, {moved} of {} pod(s) rescheduled",
                d.verdict.as_str(),
                d.moves.len()
            );
            for u in &d.budgets {
                let _ = writeln!(
                    out,
                    "    PodDisruptionBudget {}/{}: {} pod(s) on the node, {} disruption(s) allowed",
                    u.namespace, u.name, u.pods, u.allowed
                );
            }
            if let Some((pod, m)) = &d.failure {
                let _ = writeln!(
                    out,
                    "    {} has nowhere to go: {m}",
                    r.cluster.pods[*pod].key()
                );
            }
            for w in &d.warnings {
                let _ = writeln!(out, "    {w}");
            }
        }
        let safe = drains
            .iter()
            .all(|d| matches!(d.verdict, Verdict::Pass | Verdict::Slow));
        let _ = writeln!(
            out,
            "  the cluster {} survive losing any one node",
            if safe { "can" } else { "cannot" }
        );
    }

    if !r.notes.is_empty() {
        let _ = writeln!(out, "\nAssumptions");
        for n in &r.notes {
            let _ = writeln!(out, "  {n}");
        }
    }

    let total = r.pods.iter().filter(|p| !p.existing).count() + r.rejected.len();
    let placed = r
        .pods
        .iter()
        .filter(|p| !p.existing && matches!(p.state, PodState::Bound { .. }))
        .count();
    let existing = r.pods.iter().filter(|p| p.existing).count();
    let _ = write!(
        out,
        "\n{placed} of {total} pod(s) placed on {} node(s), {} pending",
        nodes.len(),
        total - placed
    );
    if existing > 0 {
        let _ = write!(out, "; {existing} pod(s) already running");
    }
    let _ = writeln!(
        out,
        " (kube-scheduler {}.{} rules and messages)",
        1, r.version.minor
    );
    out
}

/// Why a node could not take the pod, with the numbers the scheduler hides.
fn rejection_detail(r: &ScheduleResult, id: usize, node: usize, plugin: &str) -> Option<String> {
    if plugin != "NodeResourcesFit" {
        return None;
    }
    let pod = &r.cluster.pods[id];
    let info = &r.cluster.infos[node];
    let alloc = &r.cluster.nodes[node].allocatable;
    let parts: Vec<String> = fits_request(&pod.requests, info, alloc)
        .iter()
        .map(|i| {
            let f = |v| amount(&i.resource, v);
            format!(
                "{} needs {}, {} of {} free",
                i.resource,
                f(i.requested),
                f((i.capacity - i.used).max(0)),
                f(i.capacity)
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn explain_text(r: &ScheduleResult, id: usize, e: &Explain) -> String {
    let mut out = String::new();
    let pod = &r.cluster.pods[id];
    let owner = owner_suffix(r, id);
    let outcome = match &r.pods[id].state {
        PodState::Bound { node, .. } => format!("-> {}", r.cluster.nodes[*node].name),
        _ => "-> Pending".into(),
    };
    let _ = writeln!(out, "Explain {}{owner} {outcome}", pod.key());
    let width = r
        .cluster
        .nodes
        .iter()
        .map(|n| n.name.chars().count())
        .max()
        .unwrap_or(0);
    for ne in &e.nodes {
        let name = &r.cluster.nodes[ne.node].name;
        match &ne.verdict {
            FilterVerdict::Feasible => {
                if ne.scores.is_empty() {
                    let _ = writeln!(out, "  {name:<width$}  feasible");
                } else {
                    let parts: Vec<String> = ne
                        .scores
                        .iter()
                        .map(|s| format!("{} {}x{}", s.plugin, s.normalized, s.weight))
                        .collect();
                    let _ = writeln!(
                        out,
                        "  {name:<width$}  feasible, total {}: {}",
                        ne.total.unwrap_or(0),
                        parts.join(", ")
                    );
                }
            }
            FilterVerdict::Rejected { plugin, status } => {
                let code = match status.code {
                    Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
                    _ => "Unschedulable",
                };
                let _ = writeln!(
                    out,
                    "  {name:<width$}  {plugin} ({code}): {}",
                    status.reasons().join(", ")
                );
                if let Some(d) = rejection_detail(r, id, ne.node, plugin) {
                    let _ = writeln!(out, "  {:<width$}    {d}", "");
                }
            }
            FilterVerdict::NotCandidate(status) => {
                let _ = writeln!(
                    out,
                    "  {name:<width$}  not a candidate: {}",
                    status.message()
                );
            }
            FilterVerdict::NotExamined => {
                let _ = writeln!(
                    out,
                    "  {name:<width$}  not examined: enough feasible nodes were found first (percentageOfNodesToScore)"
                );
            }
        }
    }
    if e.single_feasible {
        let _ = writeln!(
            out,
            "  only one node is feasible: it is chosen without scoring"
        );
    }
    if !e.skipped_scores.is_empty() {
        let _ = writeln!(
            out,
            "  scores skipped by PreScore (nothing to score): {}",
            e.skipped_scores.join(", ")
        );
    }
    if let PodState::Bound { ties, .. } = &r.pods[id].state {
        if !ties.is_empty() {
            let names: Vec<&str> = ties
                .iter()
                .map(|&t| r.cluster.nodes[t].name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  tied with {}: the first node in inventory order wins",
                names.join(", ")
            );
        }
    }
    out
}

fn node_json(r: &ScheduleResult, i: usize, n: &Node) -> J {
    let info = &r.cluster.infos[i];
    let mut alloc = serde_json::Map::new();
    let mut req = serde_json::Map::new();
    let mut pct = serde_json::Map::new();
    let mut names: Vec<String> = SHOWN.iter().map(|s| (*s).to_owned()).collect();
    if n.allocatable.ephemeral_storage > 0 {
        names.push("ephemeral-storage".into());
    }
    names.extend(n.allocatable.scalar.keys().cloned());
    for res in &names {
        let total = n.allocatable.get(res);
        let used = requested(info, res);
        alloc.insert(res.clone(), J::from(amount(res, total)));
        req.insert(res.clone(), J::from(amount(res, used)));
        pct.insert(res.clone(), J::from(percent(used, total)));
    }
    json!({
        "name": n.name,
        "zone": n.zone(),
        "allocatable": alloc,
        "requested": req,
        "percent": pct,
        "pods": info.pods.iter().map(|&p| r.cluster.pods[p].key()).collect::<Vec<_>>(),
    })
}

fn explain_json(r: &ScheduleResult, id: usize, e: &Explain) -> J {
    let pod = &r.cluster.pods[id];
    let nodes: Vec<J> = e
        .nodes
        .iter()
        .map(|ne| {
            let filter = match &ne.verdict {
                FilterVerdict::Feasible => json!({"status": "feasible"}),
                FilterVerdict::Rejected { plugin, status } => json!({
                    "status": "rejected",
                    "plugin": plugin,
                    "code": match status.code {
                        Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
                        _ => "Unschedulable",
                    },
                    "reasons": status.reasons(),
                }),
                FilterVerdict::NotCandidate(status) => json!({
                    "status": "not-candidate",
                    "reasons": status.reasons(),
                }),
                FilterVerdict::NotExamined => json!({"status": "not-examined"}),
            };
            json!({
                "node": r.cluster.nodes[ne.node].name,
                "filter": filter,
                "scores": ne.scores.iter().map(|s| json!({
                    "plugin": s.plugin,
                    "raw": s.raw,
                    "normalized": s.normalized,
                    "weight": s.weight,
                    "weighted": s.normalized * s.weight,
                })).collect::<Vec<_>>(),
                "total": ne.total,
            })
        })
        .collect();
    json!({
        "name": pod.name,
        "namespace": pod.namespace,
        "nodes": nodes,
        "skippedScores": e.skipped_scores,
    })
}

/// One pod of the JSON report, serialized straight from the result: there
/// can be 150,000 of them.
#[derive(Serialize)]
struct PodJson<'a> {
    name: &'a str,
    namespace: &'a str,
    workload: Option<&'a str>,
    node: Option<&'a str>,
    status: &'static str,
    message: Option<&'a str>,
    #[serde(rename = "preemptedBy")]
    preempted_by: Option<String>,
}

/// The `pods` array: the run's pods, then those never created.
struct PodsJson<'a> {
    r: &'a ScheduleResult,
    /// Each workload's `Kind/name`.
    workloads: Vec<String>,
}

impl Serialize for PodsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let mut seq = s.serialize_seq(Some(r.pods.len() + r.rejected.len()))?;
        for (id, info) in r.pods.iter().enumerate() {
            let p = &r.cluster.pods[id];
            let (node, message) = match &info.state {
                PodState::Bound { node, .. } => (Some(r.cluster.nodes[*node].name.as_str()), None),
                PodState::Pending { message } => (None, Some(message.as_str())),
                PodState::NotCreated { reason } => (None, Some(reason.as_str())),
            };
            seq.serialize_element(&PodJson {
                name: &p.name,
                namespace: &p.namespace,
                workload: p.workload.map(|w| self.workloads[w].as_str()),
                node,
                status: state_word(r, id),
                message,
                preempted_by: info.preempted_by.map(|b| r.cluster.pods[b].key()),
            })?;
        }
        for rej in &r.rejected {
            let w = &r.workloads[rej.workload];
            seq.serialize_element(&PodJson {
                name: &rej.pod,
                namespace: &w.namespace,
                workload: Some(&self.workloads[rej.workload]),
                node: None,
                status: "NotCreated",
                message: Some(&rej.message),
                preempted_by: None,
            })?;
        }
        seq.end()
    }
}

/// The `schedule` section of the JSON report.
pub struct Json<'a> {
    version: String,
    pods: PodsJson<'a>,
    /// The sections after `pods`, in order.
    rest: serde_json::Map<String, J>,
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2 + self.rest.len()))?;
        map.serialize_entry("kubernetesVersion", &self.version)?;
        map.serialize_entry("pods", &self.pods)?;
        for (k, v) in &self.rest {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The `schedule` section of the JSON report.
pub fn json(r: &ScheduleResult) -> Json<'_> {
    let counts = workload_counts(r);
    let mut out = serde_json::Map::new();
    out.insert(
        "nodes".into(),
        J::Array(
            r.cluster
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| node_json(r, i, n))
                .collect(),
        ),
    );
    out.insert(
        "workloads".into(),
        J::Array(
            r.workloads
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    json!({
                        "kind": w.kind,
                        "name": w.name,
                        "namespace": w.namespace,
                        "desired": w.desired,
                        "placed": counts[i].0,
                        "pending": counts[i].1,
                        "more": r.headroom.get(&i).map(|h| h.more),
                        "notes": w.notes,
                    })
                })
                .collect(),
        ),
    );
    if !r.explains.is_empty() {
        out.insert(
            "explain".into(),
            J::Array(
                r.explains
                    .iter()
                    .map(|(id, e)| explain_json(r, *id, e))
                    .collect(),
            ),
        );
    }
    if let Some(drains) = &r.drain {
        out.insert(
            "drain".into(),
            J::Array(
                drains
                    .iter()
                    .map(|d| {
                        json!({
                            "node": r.cluster.nodes[d.node].name,
                            "verdict": d.verdict.as_str(),
                            "moves": d.moves.iter().map(|(p, to)| json!({
                                "pod": r.cluster.pods[*p].key(),
                                "node": to.map(|n| r.cluster.nodes[n].name.clone()),
                            })).collect::<Vec<_>>(),
                            "failure": d.failure.as_ref().map(|(_, m)| m.clone()),
                            "budgets": d.budgets.iter().map(|u| json!({
                                "name": u.name,
                                "namespace": u.namespace,
                                "pods": u.pods,
                                "allowed": u.allowed,
                            })).collect::<Vec<_>>(),
                            "warnings": d.warnings,
                        })
                    })
                    .collect(),
            ),
        );
    }
    out.insert("notes".into(), J::from(r.notes.clone()));
    Json {
        version: format!("1.{}", r.version.minor),
        pods: PodsJson {
            r,
            workloads: r.workloads.iter().map(|w| w.display()).collect(),
        },
        rest: out,
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A stable colour per workload.
fn colour(key: &str) -> String {
    let mut h: u32 = 2166136261;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(16777619);
    }
    format!("hsl({}, 55%, 55%)", h % 360)
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>drydock schedule</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.node { border: 1px solid #ccc; border-radius: 6px; padding: .6em 1em; margin: .8em 0; max-width: 60em; }
.node h3 { margin: 0 0 .4em; font-size: 1em; }
.bar { display: flex; align-items: center; gap: .6em; margin: .2em 0; }
.bar .label { width: 6em; } .bar .value { white-space: nowrap; color: #555; }
.pods { margin: .4em 0 0; color: #444; }
.pending li { margin-bottom: .6em; } .pending code { white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { padding: .2em .8em; text-align: left; border-bottom: 1px solid #eee; }
.ok { color: #2a7a2a; } .bad { color: #b42318; }
</style>
</head>
<body>
{{BODY}}
<h2>Legend</h2>
<ul id="legend"></ul>
<script>
// The legend is built from the bars, one entry per workload.
(function () {
  var seen = {};
  var list = document.getElementById("legend");
  document.querySelectorAll("rect.pod").forEach(function (r) {
    var w = r.getAttribute("data-workload");
    if (seen[w]) { seen[w].count += 1; return; }
    var li = document.createElement("li");
    li.setAttribute("data-legend", w);
    li.innerHTML = '<svg width="12" height="12"><rect width="12" height="12" fill="' + r.getAttribute("fill") + '"/></svg> ';
    li.appendChild(document.createTextNode(w));
    list.appendChild(li);
    seen[w] = { li: li, count: 1 };
  });
  document.body.setAttribute("data-legend-entries", String(Object.keys(seen).length));
})();
</script>
</body>
</html>
"#;

/// The HTML page: each node's capacity with its pods stacked in it, the
/// workloads, and the pending pods with their reasons.
pub fn html(r: &ScheduleResult) -> String {
    let mut b = String::new();
    let pending: Vec<usize> = (0..r.pods.len())
        .filter(|&id| !matches!(r.pods[id].state, PodState::Bound { .. }))
        .collect();
    let _ = writeln!(
        b,
        "<h1>Dry-run schedule: {} node(s), {} pod(s) placed, <span class=\"{}\" id=\"pending-count\">{} pending</span></h1>",
        r.cluster.nodes.len(),
        r.pods.len() - pending.len(),
        if pending.is_empty() && r.rejected.is_empty() {
            "ok"
        } else {
            "bad"
        },
        pending.len() + r.rejected.len()
    );
    let _ = writeln!(b, "<h2>Nodes</h2>");
    for (i, n) in r.cluster.nodes.iter().enumerate() {
        let info = &r.cluster.infos[i];
        let _ = writeln!(
            b,
            "<section class=\"node\" id=\"node-{}\" data-node=\"{}\"><h3>{}{}</h3>",
            i,
            esc(&n.name),
            esc(&n.name),
            n.zone().map_or(String::new(), |z| format!(
                " <small>zone {}</small>",
                esc(z)
            ))
        );
        for res in SHOWN {
            let total = n.allocatable.get(res);
            let used = requested(info, res);
            let _ = write!(
                b,
                "<div class=\"bar\"><span class=\"label\">{res}</span><svg width=\"400\" height=\"18\" role=\"img\" aria-label=\"{res} {} of {}\"><rect x=\"0\" y=\"0\" width=\"400\" height=\"18\" fill=\"#f1f1f1\" stroke=\"#bbb\"/>",
                amount(res, used),
                amount(res, total)
            );
            let mut x = 0.0f64;
            for &p in &info.pods {
                let pod = &r.cluster.pods[p];
                let v = if res == "pods" {
                    1
                } else {
                    pod.requests.get(res)
                };
                if v <= 0 || total <= 0 {
                    continue;
                }
                let w = (v as f64 / total as f64 * 400.0).min(400.0 - x).max(0.0);
                let key = workload_of(r, p).unwrap_or_else(|| pod.key());
                let _ = write!(
                    b,
                    "<rect class=\"pod\" data-pod=\"{}\" data-workload=\"{}\" x=\"{x:.1}\" y=\"1\" width=\"{w:.1}\" height=\"16\" fill=\"{}\" stroke=\"#fff\"><title>{} {}</title></rect>",
                    esc(&pod.name),
                    esc(&key),
                    colour(&key),
                    esc(&pod.name),
                    amount(res, v)
                );
                x += w;
            }
            let _ = writeln!(
                b,
                "</svg><span class=\"value\">{} / {} ({}%)</span></div>",
                amount(res, used),
                amount(res, total),
                percent(used, total)
            );
        }
        let names: Vec<String> = info
            .pods
            .iter()
            .map(|&p| esc(&r.cluster.pods[p].name))
            .collect();
        let _ = writeln!(
            b,
            "<p class=\"pods\">{} pod(s): {}</p></section>",
            info.pods.len(),
            names.join(", ")
        );
    }
    if !r.workloads.is_empty() {
        let counts = workload_counts(r);
        let _ = writeln!(
            b,
            "<h2>Workloads</h2>\n<table id=\"workloads\"><tr><th>Workload</th><th>Namespace</th><th>Placed</th><th>Pending</th><th>More would fit</th></tr>"
        );
        for (i, w) in r.workloads.iter().enumerate() {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td></tr>",
                esc(&w.display()),
                esc(&w.namespace),
                counts[i].0,
                w.desired,
                counts[i].1,
                headroom_text(r.headroom.get(&i))
            );
        }
        let _ = writeln!(b, "</table>");
    }
    let _ = writeln!(b, "<h2>Pending pods</h2>");
    if pending.is_empty() && r.rejected.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"ok\" id=\"no-pending\">Every pod found a node.</p>"
        );
    } else {
        let _ = writeln!(b, "<ul class=\"pending\" id=\"pending\">");
        for id in pending {
            let p = &r.cluster.pods[id];
            let _ = writeln!(
                b,
                "<li data-pod=\"{}\"><strong>{}</strong>{}<br><code>{}</code></li>",
                esc(&p.name),
                esc(&p.key()),
                workload_of(r, id).map_or(String::new(), |w| format!(" ({})", esc(&w))),
                esc(&message_of(r, id).unwrap_or_default())
            );
        }
        for rej in &r.rejected {
            let w = &r.workloads[rej.workload];
            let _ = writeln!(
                b,
                "<li data-pod=\"{}\"><strong>{}/{}</strong> ({})<br><code>{}</code></li>",
                esc(&rej.pod),
                esc(&w.namespace),
                esc(&rej.pod),
                esc(&w.display()),
                esc(&rej.message)
            );
        }
        let _ = writeln!(b, "</ul>");
    }
    if let Some(drains) = &r.drain {
        let _ = writeln!(
            b,
            "<h2>Drain check</h2>\n<table id=\"drain\"><tr><th>Node</th><th>Verdict</th><th>Details</th></tr>"
        );
        for d in drains {
            let detail = d
                .failure
                .as_ref()
                .map(|(_, m)| m.clone())
                .or_else(|| {
                    d.budgets
                        .iter()
                        .find(|u| u.allowed == 0)
                        .map(|u| format!("PodDisruptionBudget {} allows no disruption", u.name))
                })
                .unwrap_or_default();
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
                esc(&r.cluster.nodes[d.node].name),
                if matches!(d.verdict, Verdict::Pass | Verdict::Slow) {
                    "ok"
                } else {
                    "bad"
                },
                d.verdict.as_str(),
                esc(&detail)
            );
        }
        let _ = writeln!(b, "</table>");
    }
    if !r.notes.is_empty() {
        let _ = writeln!(b, "<h2>Assumptions</h2>\n<ul>");
        for n in &r.notes {
            let _ = writeln!(b, "<li>{}</li>", esc(n));
        }
        let _ = writeln!(b, "</ul>");
    }
    PAGE.replace("{{BODY}}", &b)
}
