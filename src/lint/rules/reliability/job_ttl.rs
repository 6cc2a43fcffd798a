use crate::diagnostic::Target;
use crate::lint::rules::workloads::is_kind;
use crate::lint::{Cx, Rule, declare_rule};

declare_rule! {
    /// Jobs should be cleaned up; CronJobs should bound late starts.
    ///
    /// ## What it checks
    ///
    /// Jobs without `spec.ttlSecondsAfterFinished`, and CronJobs without
    /// `spec.startingDeadlineSeconds`. (Jobs a CronJob creates are cleaned up
    /// by its history limits and are not checked.)
    ///
    /// ## Why
    ///
    /// A finished Job and its pods stay in the cluster until someone deletes
    /// them, cluttering `kubectl get pods` and holding on to their logs and
    /// quota. A CronJob without a starting deadline counts every schedule it
    /// missed since the last run (while the controller was down, or the
    /// CronJob suspended); after more than 100 it stops scheduling
    /// altogether.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///       - name: migrate
    ///         image: example/migrate:2.0.1
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   ttlSecondsAfterFinished: 86400
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///       - name: migrate
    ///         image: example/migrate:2.0.1
    /// ```
    pub struct JobTtl {
        id: "job-ttl",
        category: Reliability,
        severity: Info,
    }
}

impl Rule for JobTtl {
    fn check_object(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let name = r.name().unwrap_or("");
        if is_kind(r, "Job") && r.value.pointer("/spec/ttlSecondsAfterFinished").is_none() {
            cx.report(
                "/spec",
                Target::Key,
                format!(
                    "Job \"{name}\" sets no ttlSecondsAfterFinished: it and its pods stay in the cluster after it finishes"
                ),
            )
            .help("set `ttlSecondsAfterFinished` (for example 86400, a day) so the Job is deleted once it is done");
        } else if is_kind(r, "CronJob")
            && r.value.pointer("/spec/startingDeadlineSeconds").is_none()
        {
            cx.report(
                "/spec",
                Target::Key,
                format!(
                    "CronJob \"{name}\" sets no startingDeadlineSeconds: after more than 100 missed schedules it stops scheduling"
                ),
            )
            .help("set `startingDeadlineSeconds` (for example 300) so a run that cannot start in time is skipped instead");
        }
    }
}
