//! The data sources: one file per data source with its typed model and schema beside its read.
//! - [`service`]: `vpce_service`, an endpoint service (types, AZs, DNS names, the gateway prefix list);
//! - [`endpoint`]: `vpce_endpoint`, one existing VPC endpoint by id or filters;
//! - [`associations`]: `vpce_associations`, what is associated with one endpoint;
//! - [`routing`]: `vpce_routing`, where each subnet's traffic to each service goes.
//!
//! Each implements tfplugin's [`TypedDataSource`](crate::protocol::typed::TypedDataSource) and
//! is registered through its adapter, [`Typed`](crate::protocol::typed::Typed).

pub(crate) mod associations;
pub(crate) mod endpoint;
pub(crate) mod routing;
pub(crate) mod service;
