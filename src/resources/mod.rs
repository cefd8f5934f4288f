//! The resources: one file per resource (its model and schema, and what is its own), the
//! lifecycle they share ([`endpoint`]), and the pieces both use: the endpoint policy ([`policy`]), tags ([`tags`]) and the `timeouts` block
//! ([`timeouts`]); [`endpoint::moves`]: `moved` from hashicorp/aws `aws_vpc_endpoint`. The context they get
//! is [`crate::context`], the static checks are [`crate::checks`], and the provider's registry
//! (which resource is which) is in [`crate::provider`].

pub(crate) mod accepter;
pub(crate) mod advice;
pub(crate) mod association;
pub(crate) mod ec2_rules;
pub(crate) mod endpoint;
pub(crate) mod gateway;
pub(crate) mod gateway_load_balancer;
pub(crate) mod interface;
pub(crate) mod lattice;
pub(crate) mod list;
pub(crate) mod ownership;
pub(crate) mod policy;
pub(crate) mod split;
pub(crate) mod tags;
pub(crate) mod timeouts;

/// The resource context, for the resource files (defined in [`crate::context`]).
pub(crate) use crate::context::Ctx;

/// The answers of resource operations (tfplugin's, re-exported). Resources implement tfplugin's
/// [`TypedResource`](crate::protocol::typed::TypedResource) with this provider's [`Ctx`]; the
/// registry holds them in its adapter, [`Typed`](crate::protocol::typed::Typed).
pub(crate) use crate::protocol::resource::{ApplyResponse, ImportResponse, MoveRequest, MoveResponse, PlanResponse};
