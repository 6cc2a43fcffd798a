//! CronJobs: one run of the Job template (a concurrency of one), named
//! `<cronjob>-<i>` per pod.

use crate::resource::Resource;
use crate::schedule::workloads::Expander;
use crate::yaml::Value;

pub fn expand(e: &mut Expander<'_>, r: &Resource, index: usize) {
    let name = r.name().unwrap_or("").to_owned();
    let job = r
        .value
        .pointer("/spec/jobTemplate")
        .cloned()
        .unwrap_or(Value::Null);
    super::job::expand_job(e, r, &job, &name, "CronJob", index);
}
