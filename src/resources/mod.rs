//! The resources: one file per resource (its model and schema, and what is its own), the
//! lifecycle they share ([`endpoint`]), and the pieces both use: schema-driven planning
//! ([`plan`]), the endpoint policy ([`policy`]), tags ([`tags`]), the `timeouts` block
//! ([`timeouts`]) and static checks ([`validation`]); [`moves`]: `moved` from hashicorp/aws
//! `aws_vpc_endpoint`.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::aws::Ec2;
use crate::protocol::Registry;

pub mod endpoint;
pub mod gateway;
pub mod interface;
pub mod moves;
pub mod plan;
pub mod policy;
pub mod tags;
pub mod timeouts;
pub mod validation;

/// What every resource operation gets: the configured EC2 client and the stop signal.
#[derive(Clone)]
pub struct Ctx {
    pub ec2: Ec2,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): long waits must end promptly.
    pub cancel: CancellationToken,
}

/// The requests and answers of resource operations (tfplugin's, re-exported).
pub use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportResponse, MoveRequest, MoveResponse, PlanRequest, PlanResponse, ReadResponse,
};

/// A resource of this provider: tfplugin's resource trait with this provider's [`Ctx`]
/// (`impl Resource<Ctx> for ...`).
pub use crate::protocol::resource::Resource;

impl crate::protocol::resource::Context for Ctx {
    type Client = Ec2;
    fn new(ec2: Ec2, cancel: CancellationToken) -> Self {
        Ctx { ec2, cancel }
    }
}

/// Every resource of this provider: one line each.
pub fn registry() -> Registry<Ctx> {
    Registry::new().resource(endpoint::AsResource(gateway::Gateway::new())).resource(endpoint::AsResource(interface::Interface::new()))
}

/// The resources, by type name.
pub fn all() -> Vec<Arc<dyn Resource<Ctx>>> {
    registry().resources()
}
