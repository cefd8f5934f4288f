//! The plugin protocol layer: everything Terraform-facing, nothing AWS-specific.

pub mod diagnostics;
pub mod docs;
pub mod host;
pub mod log;
pub mod model;
pub mod plugin;
pub mod schema;
pub mod tls;
pub mod values;
pub mod wire;
