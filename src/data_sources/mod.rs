//! The data sources: one file per data source with its typed model and schema beside its read.
//! - [`service`]: `vpce_service`, an endpoint service (types, AZs, DNS names, the gateway prefix list);
//! - [`endpoint`]: `vpce_endpoint`, one existing VPC endpoint by id or filters.

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{self, Model};
use crate::protocol::values::Value;

pub mod endpoint;
pub mod service;

/// A data source of this provider: tfplugin's data source trait with this provider's
/// [`Ctx`](crate::resources::Ctx).
pub use crate::protocol::resource::DataSource;

/// Decodes a configuration into its model (`None` when null); a value of another shape is an
/// error diagnostic.
pub(crate) fn decode<M: Model>(v: &Value) -> Result<Option<M>, Diagnostics> {
    M::decode(v).map_err(|e| model::diagnostics(&e, "configuration"))
}
