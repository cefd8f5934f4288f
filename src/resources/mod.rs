//! The resources: one file per resource (its model and schema, and what is its own), the
//! lifecycle they share ([`endpoint`]), and the pieces both use: schema-driven planning
//! ([`plan`]), the endpoint policy ([`policy`]), tags ([`tags`]), the `timeouts` block
//! ([`timeouts`]) and static checks ([`validation`]); [`moves`]: `moved` from hashicorp/aws
//! `aws_vpc_endpoint`.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::aws::Ec2;
use crate::protocol::Registry;

pub mod association;
pub mod ec2_rules;
pub mod endpoint;
pub mod gateway;
pub mod interface;
pub mod list;
pub mod moves;
pub mod plan;
pub mod policy;
pub mod tags;
pub mod timeouts;
pub mod validation;

/// What every resource operation gets: the configured EC2 client, the provider's tag settings
/// and the stop signal.
#[derive(Clone)]
pub struct Ctx {
    pub ec2: Ec2,
    /// The provider's `default_tags` and `ignore_tags`.
    pub tags: Arc<tags::TagConfig>,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): long waits must end promptly.
    pub cancel: CancellationToken,
}

impl Ctx {
    /// A context with no default or ignored tags.
    pub fn new(ec2: Ec2, cancel: CancellationToken) -> Self {
        Ctx { ec2, tags: Arc::default(), cancel }
    }
}

/// What configuring the provider yields: the EC2 client and the provider's tag settings.
#[derive(Clone)]
pub struct Configured {
    pub ec2: Ec2,
    pub tags: Arc<tags::TagConfig>,
}

/// The requests and answers of resource operations (tfplugin's, re-exported).
pub use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportResponse, MoveRequest, MoveResponse, PlanRequest, PlanResponse, ReadResponse,
};

/// A resource of this provider: tfplugin's resource trait with this provider's [`Ctx`]
/// (`impl Resource<Ctx> for ...`).
pub use crate::protocol::resource::Resource;

impl crate::protocol::resource::Context for Ctx {
    type Client = Configured;
    fn new(c: Configured, cancel: CancellationToken) -> Self {
        Ctx { ec2: c.ec2, tags: c.tags, cancel }
    }
}

/// Every resource, data source and list resource of this provider: one line each.
pub fn registry() -> Registry<Ctx> {
    Registry::new()
        .resource(endpoint::AsResource(gateway::Gateway::new()))
        .resource(endpoint::AsResource(interface::Interface::new()))
        .resource(association::RouteTableAssociation::new())
        .data_source(crate::data_sources::Typed::<crate::data_sources::service::Service>::new())
        .data_source(crate::data_sources::Typed::<crate::data_sources::endpoint::EndpointData>::new())
        .list_resource(list::EndpointList::new(gateway::Gateway::new()))
        .list_resource(list::EndpointList::new(interface::Interface::new()))
}

/// The resources, by type name.
pub fn all() -> Vec<Arc<dyn Resource<Ctx>>> {
    registry().resources()
}
