//! terraform-provider-vpce: a Terraform/OpenTofu provider for AWS VPC endpoints.
//!
//! Layout:
//! - [`protocol`]: the plugin protocol layer, the workspace crate `tfplugin` (crates/tfplugin):
//!   go-plugin handshake, gRPC wire, cty values, schema, diagnostics, logging. Knows nothing
//!   about AWS or this provider.
//! - [`aws`]: the EC2 client, finders and waiters. Knows nothing about Terraform.
//! - [`resources`]: one file per resource, its schema beside its CRUD.
//! - [`provider`]: the provider configuration (the EC2 client) and the tfplugin server around
//!   it, which dispatches protocol calls to the resources.
//! - [`docs`]: the `docs` subcommand, registry docs generated from the schemas and `examples/`.

pub mod aws;
pub mod data_sources;
pub mod docs;
pub use tfplugin as protocol;
pub use tfplugin::{debug, error, info, log_at, model, warn};
pub mod provider;
pub mod resources;
