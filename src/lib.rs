//! terraform-provider-vpce: a Terraform/OpenTofu provider for AWS VPC endpoints.
//!
//! Layout:
//! - [`protocol`]: the plugin protocol layer (go-plugin handshake, gRPC wire, cty values, schema,
//!   diagnostics, logging). Knows nothing about AWS.
//! - [`aws`]: the EC2 client, finders and waiters. Knows nothing about Terraform.
//! - [`resources`]: one file per resource, its schema beside its CRUD.
//! - [`provider`]: the provider configuration and the dispatch of protocol calls to resources.
//! - [`docs`]: the `docs` subcommand, registry docs generated from the schemas and `examples/`.

pub mod aws;
pub mod docs;
pub mod protocol;
pub mod provider;
pub mod resources;
