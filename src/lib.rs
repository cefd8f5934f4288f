//! terraform-provider-vpce: a Terraform/OpenTofu provider for AWS VPC endpoints.
//!
//! Layout (see ARCHITECTURE.md):
//! - [`protocol`]: the plugin protocol layer, the workspace crate `tfplugin` (crates/tfplugin):
//!   go-plugin handshake, gRPC wire, cty values, schema, diagnostics, logging, the server. Knows
//!   nothing about AWS or this provider.
//! - [`aws`]: the EC2 client, finders, waiters, batching, pacing. Knows nothing about Terraform.
//! - [`context`] (what every operation gets: the EC2 client, tag settings, the stop signal) and
//!   `checks` (static checks of attribute values): shared by the two below.
//! - `resources`: one file per resource, its schema beside its CRUD; `data_sources`: one file
//!   per data source. Siblings: neither names the other.
//! - [`provider`]: the composition root: the provider configuration (the EC2 client), the
//!   registry of resources and data sources, and the tfplugin server around them.
//! - [`docs`]: the `docs` subcommand, registry docs generated from the schemas and `examples/`.

pub mod aws;
pub(crate) mod checks;
pub mod context;
pub(crate) mod data_sources;
pub mod docs;
pub(crate) mod filters;
pub(crate) mod models;
pub use tfplugin as protocol;
pub use tfplugin::{debug, error, info, log_at, model, warn};
pub mod provider;
pub(crate) mod resources;
#[cfg(test)]
mod test_support;
