//! The resources: one file per resource (its model and schema, and what is its own), the
//! lifecycle they share ([`endpoint`]), and the pieces both use: schema-driven planning
//! ([`plan`]), the endpoint policy ([`policy`]), tags ([`tags`]), the `timeouts` block
//! ([`timeouts`]) and static checks ([`validation`]).

use std::sync::Arc;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::aws::Ec2;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Schema;
use crate::protocol::values::{PathStep, Value};

pub mod endpoint;
pub mod gateway;
pub mod interface;
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

pub struct PlanRequest {
    /// Null when the resource is being created.
    pub prior: Value,
    /// Terraform's proposed new state (config merged with prior state for computed attributes).
    pub proposed: Value,
    pub config: Value,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<Vec<PathStep>>,
    pub diags: Diagnostics,
}

pub struct ApplyRequest {
    /// Null on create.
    pub prior: Value,
    /// Null on delete.
    pub planned: Value,
    pub config: Value,
}

#[derive(Default)]
pub struct ApplyResponse {
    /// Null after a delete. After a failed create this still holds whatever AWS created.
    pub new_state: Value,
    pub diags: Diagnostics,
}

#[derive(Default)]
pub struct ReadResponse {
    /// Null when the object no longer exists.
    pub new_state: Value,
    pub diags: Diagnostics,
}

#[derive(Default)]
pub struct ImportResponse {
    pub state: Value,
    pub diags: Diagnostics,
}

pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Static checks of the configuration (no AWS calls; the provider may not be configured yet).
    fn validate(&self, config: &Value) -> Diagnostics;
    fn plan<'a>(&'a self, ctx: &'a Ctx, req: PlanRequest) -> BoxFuture<'a, PlanResponse>;
    fn apply<'a>(&'a self, ctx: &'a Ctx, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse>;
    fn read<'a>(&'a self, ctx: &'a Ctx, state: Value) -> BoxFuture<'a, ReadResponse>;
    fn import<'a>(&'a self, ctx: &'a Ctx, id: String) -> BoxFuture<'a, ImportResponse>;
}

pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(gateway::Gateway::new()), Arc::new(interface::Interface::new())]
}
