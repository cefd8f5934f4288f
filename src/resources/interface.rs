//! Placeholder, being written.
use futures::future::BoxFuture;
use super::*;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Schema;

pub struct Interface { schema: Schema }
impl Interface { pub fn new() -> Self { Interface { schema: Schema::default() } } }
impl Default for Interface { fn default() -> Self { Self::new() } }
impl Resource for Interface {
    fn type_name(&self) -> &'static str { "vpce_interface" }
    fn schema(&self) -> &Schema { &self.schema }
    fn validate(&self, _c: &Value) -> Diagnostics { Diagnostics::new() }
    fn plan<'a>(&'a self, _ctx: &'a Ctx, _r: PlanRequest) -> BoxFuture<'a, PlanResponse> { Box::pin(async { PlanResponse::default() }) }
    fn apply<'a>(&'a self, _ctx: &'a Ctx, _r: ApplyRequest) -> BoxFuture<'a, ApplyResponse> { Box::pin(async { ApplyResponse::default() }) }
    fn read<'a>(&'a self, _ctx: &'a Ctx, _s: Value) -> BoxFuture<'a, ReadResponse> { Box::pin(async { ReadResponse::default() }) }
    fn import<'a>(&'a self, _ctx: &'a Ctx, _id: String) -> BoxFuture<'a, ImportResponse> { Box::pin(async { ImportResponse::default() }) }
}
