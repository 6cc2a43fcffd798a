//! Jobs: `parallelism` pods at a time (default 1), but no more than
//! `completions` when that is set; each labelled `job-name` and
//! `batch.kubernetes.io/job-name`, and `batch.kubernetes.io/job-completion-index`
//! for Indexed jobs.

use crate::resource::Resource;
use crate::schedule::workloads::Expander;
use crate::yaml::Value;

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let name = r.name().unwrap_or("").to_owned();
    expand_job(e, r, &r.value, &name, "Job", index);
}

/// A Job's pods from its spec (`job` is the value holding `spec`).
pub fn expand_job(
    e: &mut Expander<'_>,
    r: &Resource,
    job: &Value,
    name: &str,
    kind: &str,
    index: usize,
) {
    let parallelism = job
        .pointer("/spec/parallelism")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(0);
    let completions = job.pointer("/spec/completions").and_then(Value::as_i64);
    let count = match completions {
        Some(c) => parallelism.min(c.max(0)),
        None => parallelism,
    } as usize;
    let indexed = job.pointer("/spec/completionMode").and_then(Value::as_str) == Some("Indexed");
    let w = e.workload(r, kind, count, Some(index));
    for i in 0..count {
        let pod_name = format!("{name}-{i}");
        let mut labels = vec![
            ("job-name", name.to_owned()),
            ("batch.kubernetes.io/job-name", name.to_owned()),
        ];
        if indexed {
            labels.push(("batch.kubernetes.io/job-completion-index", i.to_string()));
        }
        let made = e.make_pod(r, &pod_name, &labels, Some("Job"), None, Some(w));
        e.push(made, &pod_name, w, None, false);
    }
}
