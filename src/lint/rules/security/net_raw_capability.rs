use super::drop_all_capabilities::{DropAllCapabilities, drop_pointer, dropped};
use super::{Covered, is_windows, reports};
use crate::diagnostic::Target;
use crate::lint::{Cx, PodSpec, Rule, declare_rule};

declare_rule! {
    /// Containers should drop the NET_RAW capability.
    ///
    /// ## What it checks
    ///
    /// Every container must list `NET_RAW` (or `ALL`) in
    /// `securityContext.capabilities.drop`. When `drop-all-capabilities`
    /// runs it already reports these containers, so this rule stays quiet;
    /// turn that rule off to require only this narrower drop. A container
    /// that adds `NET_RAW` back is reported by `dangerous-capabilities`.
    /// Windows pods are skipped.
    ///
    /// ## Why
    ///
    /// Container runtimes grant `NET_RAW` by default. It lets a process open
    /// raw sockets: craft packets, spoof ARP and DNS answers, and attack
    /// other pods on the node's network. Few applications need it (`ping`
    /// works without it on current kernels).
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         drop: [SYS_CHROOT]
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example/api:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         drop: [NET_RAW, SYS_CHROOT]
    /// ```
    pub struct NetRawCapability {
        id: "net-raw-capability",
        category: Security,
        severity: Warning,
    }
}

/// The Pod Security checks that judge the same fields.
const CHECKS: [&str; 1] = ["capabilities_restricted"];

impl Rule for NetRawCapability {
    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        if is_windows(pod) || reports(cx, &DropAllCapabilities) {
            return;
        }
        let covered = Covered::new(pod);
        for c in pod.containers() {
            let drop = dropped(&c);
            if drop.iter().any(|d| *d == "ALL" || *d == "NET_RAW") {
                continue;
            }
            let pointer = drop_pointer(&c);
            if covered.has(cx, &pointer, &CHECKS) {
                continue;
            }
            cx.report(
                &pointer,
                Target::Key,
                format!("{} keeps the NET_RAW capability", c.describe()),
            )
            .help("add NET_RAW to `securityContext.capabilities.drop` (or drop ALL): raw sockets let a process spoof traffic on the node's network");
        }
    }
}
