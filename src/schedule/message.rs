//! The message a pod that fits nowhere gets (`FitError.Error()`), as
//! `kubectl describe pod` shows it in the `FailedScheduling` event:
//!
//! `0/<nodes> nodes are available: <histogram>. <postfilter>`
//!
//! The histogram counts each reason over the nodes (a node with two reasons
//! counts in both), adds the status of nodes that were never filtered, and
//! sorts the `"<count> <reason>"` strings as plain strings, so `10 ...` comes
//! before `2 ...`. A PreFilter rejection replaces the histogram with its own
//! message. The PostFilter part (DynamicResources, then preemption) is
//! appended without a closing period of its own.

use std::collections::BTreeMap;

use super::framework::Diagnosis;

/// `ErrNoNodesAvailable`.
pub const NO_NODES: &str = "no nodes available to schedule pods";

/// Assembles the FitError text.
pub fn fit_error(num_nodes: usize, diagnosis: &Diagnosis, post_filter: Option<&str>) -> String {
    let mut msg = format!("0/{num_nodes} nodes are available:");
    match &diagnosis.pre_filter_msg {
        Some(pre) => {
            msg.push(' ');
            msg.push_str(pre);
            msg.push('.');
        }
        None => {
            let items = histogram(num_nodes, diagnosis);
            if !items.is_empty() {
                msg.push(' ');
                msg.push_str(&items.join(", "));
                msg.push('.');
            }
        }
    }
    if let Some(post) = post_filter.filter(|p| !p.is_empty()) {
        msg.push(' ');
        msg.push_str(post);
    }
    msg
}

/// `"<count> <reason>"`, sorted as strings.
pub fn histogram(num_nodes: usize, diagnosis: &Diagnosis) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut explicit = 0;
    for (_, status) in diagnosis.statuses.iter().flatten() {
        explicit += 1;
        for r in status.reasons() {
            *counts.entry(r).or_default() += 1;
        }
    }
    if explicit < num_nodes {
        if let Some(absent) = &diagnosis.absent {
            for r in absent.reasons() {
                *counts.entry(r).or_default() += num_nodes - explicit;
            }
        }
    }
    let mut items: Vec<String> = counts
        .into_iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    items.sort();
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::framework::Status;

    fn diagnosis(statuses: Vec<Option<Status>>) -> Diagnosis {
        Diagnosis {
            statuses: statuses.into_iter().map(|s| s.map(|s| ("P", s))).collect(),
            absent: None,
            pre_filter_msg: None,
        }
    }

    /// `TestFitError_Error` (pkg/scheduler/framework/types_test.go):
    /// "nodes failed Prefilter plugin".
    #[test]
    fn prefilter_message_replaces_the_histogram() {
        let d = Diagnosis {
            statuses: vec![None; 3],
            absent: Some(Status::unresolvable(
                "Node(s) failed PreFilter plugin FalsePreFilter",
            )),
            pre_filter_msg: Some("Node(s) failed PreFilter plugin FalsePreFilter".into()),
        };
        assert_eq!(
            fit_error(3, &d, None),
            "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter."
        );
    }

    /// `TestFitError_Error`: "nodes failed one Filter plugin with an
    /// empty PostFilterMsg" and "... with a non-empty PostFilterMsg".
    #[test]
    fn one_filter_plugin_with_and_without_post_filter() {
        let r = "Node(s) failed Filter plugin FalseFilter";
        let d = diagnosis(vec![
            Some(Status::unschedulable(r)),
            Some(Status::unschedulable(r)),
            Some(Status::unschedulable(r)),
        ]);
        assert_eq!(
            fit_error(3, &d, None),
            "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter."
        );
        assert_eq!(
            fit_error(
                3,
                &d,
                Some("Error running PostFilter plugin FailedPostFilter")
            ),
            "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter. Error running PostFilter plugin FailedPostFilter"
        );
    }

    /// `TestFitError_Error`: "nodes failed two Filter plugins with an empty
    /// PostFilterMsg" — counts sort before reasons.
    #[test]
    fn two_filter_plugins_are_sorted_as_strings() {
        let d = diagnosis(vec![
            Some(Status::unschedulable(
                "Node(s) failed Filter plugin FalseFilter-1",
            )),
            Some(Status::unschedulable(
                "Node(s) failed Filter plugin FalseFilter-1",
            )),
            Some(Status::unschedulable(
                "Node(s) failed Filter plugin FalseFilter-2",
            )),
        ]);
        assert_eq!(
            fit_error(3, &d, None),
            "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1."
        );
    }

    /// `TestFitError_Error`: "failed to Filter/PostFilter with a node that
    /// has two reasons" — both reasons count.
    #[test]
    fn a_node_with_two_reasons_counts_in_both() {
        let d = diagnosis(vec![Some(super::super::framework::Status::with_reasons(
            super::super::framework::Code::Unschedulable,
            vec!["Insufficient cpu".into(), "Insufficient memory".into()],
        ))]);
        assert_eq!(
            fit_error(1, &d, None),
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."
        );
    }

    /// Plain string order: `10 Insufficient cpu` sorts before `2 ...`.
    #[test]
    fn ten_sorts_before_two() {
        let mut statuses = vec![Some(Status::unschedulable("Insufficient cpu")); 10];
        statuses.extend(vec![Some(Status::unschedulable("Insufficient memory")); 2]);
        let d = diagnosis(statuses);
        assert_eq!(
            fit_error(12, &d, None),
            "0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory."
        );
    }

    /// Nodes a PreFilterResult excluded count with the absent status.
    #[test]
    fn absent_nodes_use_the_absent_status() {
        let mut d = diagnosis(vec![
            Some(Status::unschedulable("Insufficient cpu")),
            None,
            None,
            None,
        ]);
        d.absent = Some(Status::unresolvable(
            "node(s) didn't satisfy plugin(s) [NodeAffinity]",
        ));
        assert_eq!(
            fit_error(
                4,
                &d,
                Some(
                    "preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."
                )
            ),
            "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."
        );
    }
}
