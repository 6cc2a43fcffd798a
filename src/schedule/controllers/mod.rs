//! One controller per file: how each workload kind becomes pods.

pub mod cron_job;
pub mod daemon_set;
pub mod deployment;
pub mod job;
pub mod pod;
pub mod replica_set;
pub mod replication_controller;
pub mod stateful_set;
