//! tfplugin: write Terraform/OpenTofu providers in Rust.
//!
//! The plugin protocol layer, with nothing of any particular provider in it:
//! - [`plugin`]: go-plugin handshake, AutoMTLS ([`tls`]), the gRPC server with health, controller
//!   (Shutdown), stdio and broker services, `--debug` reattach.
//! - [`wire`]: the generated tfplugin6 (protocol 6.10) and go-plugin gRPC code.
//! - [`values`]: cty types and values, and the msgpack/JSON `DynamicValue` codecs.
//! - [`model`]: typed models: one struct definition gives a schema and the value conversions
//!   ([`model!`]); [`docs`]: registry docs (tfplugindocs' layout) rendered from the schemas.
//! - [`schema`], [`diagnostics`], [`log`] (hclog JSON lines on stderr), [`host`] (what the
//!   Terraform command that started the plugin is doing), [`workdir`] (which state it works on).
//! - [`resource`]: the traits a provider implements ([`Provider`], [`Resource`], [`Identity`],
//!   [`DataSource`], [`ListResource`], [`Function`]); [`registry`]: the [`Registry`] they are
//!   listed in; [`server`]: the tfplugin6 service dispatching on it, and [`run`], a provider's
//!   whole `main` ([`RunOptions`]: worker threads and hooks).
//! - [`typed`]: the typed contract of resources, data sources and list resources
//!   ([`TypedResource`], [`TypedDataSource`], [`TypedListResource`]) and the one adapter,
//!   [`Typed`], that decodes for them; [`plan`]: the planner they share.
//! - [`Error`]: why a plugin could not start or serve.

#![warn(missing_docs, unreachable_pub)]

pub mod diagnostics;
pub mod docs;
mod error;
pub mod host;
pub mod log;
pub mod model;
pub mod plan;
pub mod plugin;
pub mod registry;
pub mod resource;
pub mod schema;
pub mod server;
pub mod tls;
pub mod typed;
pub mod values;
pub mod wire;
pub mod workdir;

pub use diagnostics::Diagnostics;
pub use error::{BoxError, Error};
pub use registry::Registry;
pub use resource::{
    default_plan, ApplyRequest, ApplyResponse, ConfigureRequest, ConfigureResponse, Context, Ctx, DataSource, Function, FunctionError,
    Identity, IdentityAttribute, IdentitySchema, ImportResponse, ListItem, ListRequest, ListResource, MoveRequest, MoveResponse, Parameter,
    PlanRequest, PlanResponse, Provider, ReadResponse, Resource, Signature,
};
pub use server::{run, AfterServe, Options, RunOptions, Server, StopHandle};
pub use typed::{Read, Typed, TypedDataSource, TypedListRequest, TypedListResource, TypedPlanRequest, TypedResource};

/// What the exported macros need from this crate's dependencies. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}
