//! Pod Security: what the PodSecurity admission controller will say about
//! each pod, from the Pod Security Standards and the namespace labels.

mod pod_security_admission;
pub(crate) mod pss;

#[cfg(test)]
mod tests;

pub use pod_security_admission::PodSecurityAdmission;
pub(crate) use pod_security_admission::covered;
