//! The resources: one file per resource (its model and schema, and what is its own), the
//! lifecycle they share ([`endpoint`]), and the pieces both use: schema-driven planning
//! ([`plan`]), the endpoint policy ([`policy`]), tags ([`tags`]) and the `timeouts` block
//! ([`timeouts`]); [`moves`]: `moved` from hashicorp/aws `aws_vpc_endpoint`. The context they get
//! is [`crate::context`], the static checks are [`crate::checks`], and the provider's registry
//! (which resource is which) is in [`crate::provider`].

pub(crate) mod association;
pub(crate) mod ec2_rules;
pub(crate) mod endpoint;
pub(crate) mod gateway;
pub(crate) mod interface;
pub(crate) mod list;
pub(crate) mod moves;
pub(crate) mod plan;
pub(crate) mod policy;
pub(crate) mod tags;
pub(crate) mod timeouts;

/// The resource context, for the resource files (defined in [`crate::context`]).
pub(crate) use crate::context::Ctx;

/// The requests and answers of resource operations (tfplugin's, re-exported).
pub(crate) use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportResponse, MoveRequest, MoveResponse, PlanRequest, PlanResponse, ReadResponse,
};

/// A resource of this provider: tfplugin's resource trait with this provider's [`Ctx`]
/// (`impl Resource<Ctx> for ...`).
pub(crate) use crate::protocol::resource::Resource;
