//! Resources: requests, limits, QoS and what the scheduler will count.

mod absurd_quantity;
mod cpu_limit;
mod cpu_request;
mod ephemeral_storage;
mod hugepages_request_equals_limit;
mod limits_below_requests;
mod memory_limit;
mod memory_request;
mod pod_resources;
mod qos_class;
mod requests_equal_limits;

pub use absurd_quantity::AbsurdQuantity;
pub use cpu_limit::CpuLimit;
pub use cpu_request::CpuRequest;
pub use ephemeral_storage::EphemeralStorage;
pub use hugepages_request_equals_limit::HugepagesRequestEqualsLimit;
pub use limits_below_requests::LimitsBelowRequests;
pub use memory_limit::MemoryLimit;
pub use memory_request::MemoryRequest;
pub use pod_resources::PodResources;
pub use qos_class::QosClass;
pub use requests_equal_limits::RequestsEqualLimits;

use crate::diagnostic::Target;
use crate::lint::pod::{Kind, resource_label};
use crate::lint::{Cx, PodSpec, Role};

/// Reports every container of `pod` that ends up without a `kind` for
/// `resource`: not written, not defaulted from the limit (for a request) and
/// not filled in by a LimitRange of the namespace. Ephemeral containers
/// cannot have resources and are skipped.
fn report_missing(cx: &mut Cx<'_>, pod: &PodSpec<'_>, resource: &str, kind: Kind, help: &str) {
    let defaults = cx.container_defaults();
    for c in pod.containers() {
        if c.role == Role::Ephemeral {
            continue;
        }
        let r = c.resources();
        let set = match kind {
            Kind::Request => {
                r.request(resource).is_some()
                    || r.limit(resource).is_some()
                    || defaults.requests.contains_key(resource)
            }
            Kind::Limit => r.limit(resource).is_some() || defaults.limits.contains_key(resource),
        };
        if !set {
            cx.report(
                &r.missing_pointer(kind),
                Target::Key,
                format!(
                    "{} has no {} {}",
                    c.describe(),
                    resource_label(resource),
                    kind.noun()
                ),
            )
            .help(help);
        }
    }
}
