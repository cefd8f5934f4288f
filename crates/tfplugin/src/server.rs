//! The tfplugin6 Provider service: decodes each request, dispatches it on the [`Registry`] and
//! encodes the answer. Bad input (undecodable values, unknown type names, calls before
//! ConfigureProvider) is answered with diagnostics, never a panic or a gRPC error.
//!
//! The server owns the StopProvider cancellation token: StopProvider cancels it and puts a fresh
//! one in its place, so the provider stays usable; every call's [`Context`] holds the token current
//! when the call began.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use futures::future::BoxFuture;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::diagnostics::{path_to_proto, Diagnostics};
use crate::registry::Registry;
use crate::resource::{ApplyRequest, ConfigureRequest, Context, Identity, ListRequest, MoveRequest, PlanRequest, Provider, Resource};
use crate::schema::Schema;
use crate::values::{self, Type, Value};
use crate::wire::tfplugin6 as pb;

/// What the server and the plugin need to know about the provider program.
#[derive(Clone, Debug)]
pub struct Options {
    /// The program, e.g. `terraform-provider-example`: named in messages and as the organisation
    /// of the AutoMTLS server certificate.
    pub name: String,
    /// Terraform's address of the provider, e.g. `registry.terraform.io/example/example`
    /// (`--debug` prints reattach settings for it).
    pub address: String,
    /// The `@module` of log lines, e.g. `provider.example`.
    pub log_module: String,
    /// In destroy runs ([`host::destroying`](crate::host::destroying)), turn the errors of a
    /// resource's validation and plan into warnings carrying this note: Terraform validates and
    /// plans the whole configuration before a destroy (its pre-destroy refresh) and gives up on
    /// any error, so a check about creating or changing an object (a configuration edited into
    /// something invalid, or an EC2 fact) would block the destruction of what the state holds.
    pub destroy_plan_errors_as_warnings: Option<String>,
}

impl Options {
    /// `name` is the program (`terraform-provider-NAME`), `address` the provider's address; the
    /// log module is `provider.NAME`.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        let name = name.into();
        let short = name.strip_prefix("terraform-provider-").unwrap_or(&name).to_string();
        Options { log_module: format!("provider.{short}"), name, address: address.into(), destroy_plan_errors_as_warnings: None }
    }

    /// The `@module` of the server's log lines (default `provider`).
    pub fn log_module(mut self, module: impl Into<String>) -> Self {
        self.log_module = module.into();
        self
    }

    /// Error diagnostics of a plan that destroys the object become warnings ending with `note` (a destroy must not be blocked by checks of the configuration).
    pub fn destroy_plan_errors_as_warnings(mut self, note: impl Into<String>) -> Self {
        self.destroy_plan_errors_as_warnings = Some(note.into());
        self
    }
}

type Client<P> = <<P as Provider>::Ctx as Context>::Client;
type Stream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

/// The provider service: a [`Provider`], its [`Registry`] and its [`Options`].
pub struct Server<P: Provider> {
    provider: P,
    registry: Registry<P::Ctx>,
    schema: Schema,
    options: Options,
    client: Arc<RwLock<Option<Client<P>>>>,
    stop: Arc<Mutex<CancellationToken>>,
}

/// Stops a server's work from outside the gRPC service (e.g. when Terraform is gone).
pub struct StopHandle<T> {
    client: Arc<RwLock<Option<T>>>,
    stop: Arc<Mutex<CancellationToken>>,
}

impl<T: Clone> StopHandle<T> {
    /// The configured client, if ConfigureProvider succeeded.
    pub fn client(&self) -> Option<T> {
        self.client.read().ok().and_then(|g| g.clone())
    }

    /// Cancels the current StopProvider token: every wait of a call in flight ends.
    pub fn cancel(&self) {
        if let Ok(token) = self.stop.lock() {
            token.cancel();
        }
    }
}

/// Decodes a `DynamicValue` of type `ty` (null when absent); `what` names it in the diagnostic.
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let result = match dv {
        Some(d) if !d.msgpack.is_empty() => values::decode_msgpack(&d.msgpack, ty),
        Some(d) if !d.json.is_empty() => values::decode_json(&d.json, ty),
        _ => return Ok(Value::Null),
    };
    result.map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(format!("Invalid {what}"), format!("The provider could not decode the {what} Terraform sent: {e}"));
        d
    })
}

/// Encodes a value of type `ty` as msgpack; a failure is a provider bug, reported as such.
pub fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    values::encode_msgpack(v, ty).map(|msgpack| pb::DynamicValue { msgpack, json: vec![] }).map_err(|e| {
        let mut d = Diagnostics::new();
        d.error("Provider bug: invalid value", format!("The provider produced a value it cannot encode: {e}. Please report this."));
        d
    })
}

/// Removes attributes the schema does not have (older provider versions may have written them).
pub fn prune_json(v: serde_json::Value, ty: &Type) -> serde_json::Value {
    match (v, ty) {
        (serde_json::Value::Object(map), Type::Object(attrs)) => {
            serde_json::Value::Object(map.into_iter().filter_map(|(k, v)| attrs.get(&k).map(|t| (k, prune_json(v, t)))).collect())
        }
        (serde_json::Value::Array(items), Type::List(t) | Type::Set(t)) => {
            serde_json::Value::Array(items.into_iter().map(|i| prune_json(i, t)).collect())
        }
        (v, _) => v,
    }
}

/// Decodes stored JSON (state or identity) of type `ty`: `upgrade` rewrites it first, then
/// attributes the type lacks are dropped.
fn decode_stored(
    raw: &[u8],
    ty: &Type,
    upgrade: impl FnOnce(serde_json::Value) -> Result<serde_json::Value, Diagnostics>,
) -> Result<Value, Result<String, Diagnostics>> {
    let json = serde_json::from_slice::<serde_json::Value>(raw).map_err(|e| Ok(e.to_string()))?;
    let json = upgrade(json).map_err(Err)?;
    let bytes = serde_json::to_vec(&prune_json(json, ty)).map_err(|e| Ok(e.to_string()))?;
    values::decode_json(&bytes, ty).map_err(|e| Ok(e.to_string()))
}

/// Answers with just these diagnostics.
macro_rules! bail {
    ($resp:ident, $diags:expr) => {{
        // Some answers have no other field than the diagnostics.
        #[allow(clippy::needless_update)]
        let response = pb::$resp::Response { diagnostics: $diags.to_proto(), ..Default::default() };
        return Ok(Response::new(response));
    }};
}

/// The value, or an answer with the diagnostics.
macro_rules! try_diags {
    ($resp:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => bail!($resp, d),
        }
    };
}

fn unsupported(name: &str, what: &str) -> Status {
    Status::unimplemented(format!("{name} does not support {what}"))
}

fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(summary, detail);
    d
}

/// `hashicorp/aws` for `registry.terraform.io/hashicorp/aws` (other hosts are kept).
fn display_address(address: &str) -> &str {
    address.strip_prefix("registry.terraform.io/").unwrap_or(address)
}

/// "a", "a and b", "a, b and c".
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the server supports: MoveResourceState when some resource takes moves.
fn capabilities<C>(registry: &Registry<C>) -> pb::ServerCapabilities {
    let moves = registry.resources().iter().any(|r| !r.move_sources().is_empty());
    pb::ServerCapabilities { plan_destroy: true, get_provider_schema_optional: true, move_resource_state: moves, ..Default::default() }
}

/// The identity of `state` for a response (none for a null state or a resource without one).
fn identity_data(identity: Option<&dyn Identity>, state: &Value) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    match identity {
        Some(id) if !state.is_null() => {
            let value = id.of(state);
            Ok(Some(pb::ResourceIdentityData { identity_data: Some(encode(&value, &id.schema().ty())?) }))
        }
        _ => Ok(None),
    }
}

impl<P: Provider> Server<P> {
    /// A server for `provider` serving `registry`.
    pub fn new(provider: P, registry: Registry<P::Ctx>, options: Options) -> Self {
        let schema = provider.schema();
        Server {
            provider,
            registry,
            schema,
            options,
            client: Arc::new(RwLock::new(None)),
            stop: Arc::new(Mutex::new(CancellationToken::new())),
        }
    }

    /// The provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The resources, data sources, list resources and functions served.
    pub fn registry(&self) -> &Registry<P::Ctx> {
        &self.registry
    }

    /// The options it was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The schema of the provider block.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// A handle that stops this server's work from outside the gRPC service.
    pub fn stop_handle(&self) -> StopHandle<Client<P>> {
        StopHandle { client: self.client.clone(), stop: self.stop.clone() }
    }

    /// The gRPC service Terraform talks to, with Terraform's message size limits.
    pub fn into_service(self) -> pb::provider_server::ProviderServer<Self> {
        pb::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(crate::plugin::MAX_MESSAGE_SIZE)
            .max_encoding_message_size(crate::plugin::MAX_MESSAGE_SIZE)
    }

    fn resource(&self, name: &str) -> Result<&Arc<dyn Resource<P::Ctx>>, Diagnostics> {
        self.registry.resource_named(name).ok_or_else(|| {
            let names: Vec<_> = self.registry.resource_names().collect();
            match names.as_slice() {
                [] => error("Unknown resource type", format!("This provider has no resource types; Terraform asked for \"{name}\".")),
                _ => error("Unknown resource type", format!("This provider has no resource type \"{name}\"; it has {}.", and_list(&names))),
            }
        })
    }

    fn unknown_data_source(&self, name: &str) -> Diagnostics {
        let names: Vec<_> = self.registry.data_source_names().collect();
        match names.as_slice() {
            [] => error("No data sources", format!("{} has no data sources.", self.options.name)),
            _ => {
                error("Unknown data source type", format!("This provider has no data source type \"{name}\"; it has {}.", and_list(&names)))
            }
        }
    }

    fn unknown_list_resource(&self, name: &str) -> Diagnostics {
        let names: Vec<_> = self.registry.list_resource_names().collect();
        match names.as_slice() {
            [] => error("No list resources", format!("{} has no list resources.", self.options.name)),
            _ => error(
                "Unknown list resource type",
                format!("This provider has no list resource type \"{name}\"; it has {}.", and_list(&names)),
            ),
        }
    }

    fn ctx(&self) -> Result<P::Ctx, Diagnostics> {
        let client = self.client.read().map(|g| g.clone()).ok().flatten();
        let cancel = self.stop.lock().map(|t| t.clone()).unwrap_or_default();
        match client {
            Some(client) => Ok(P::Ctx::new(client, cancel)),
            None => {
                Err(error("Provider not configured", "Terraform called the provider before configuring it; this is a bug in the caller."))
            }
        }
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for Server<P> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        Ok(Response::new(m::Response {
            server_capabilities: Some(capabilities(&self.registry)),
            resources: self.registry.resource_names().map(|n| m::ResourceMetadata { type_name: n.to_string() }).collect(),
            data_sources: self.registry.data_source_names().map(|n| m::DataSourceMetadata { type_name: n.to_string() }).collect(),
            list_resources: self.registry.list_resource_names().map(|n| m::ListResourceMetadata { type_name: n.to_string() }).collect(),
            functions: self.registry.functions().iter().map(|f| m::FunctionMetadata { name: f.name().to_string() }).collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.schema.to_proto()),
            resource_schemas: self.registry.resources().iter().map(|r| (r.type_name().to_string(), r.schema().to_proto())).collect(),
            data_source_schemas: self.registry.data_sources().iter().map(|d| (d.type_name().to_string(), d.schema().to_proto())).collect(),
            list_resource_schemas: self
                .registry
                .list_resources()
                .iter()
                .map(|l| (l.type_name().to_string(), l.schema().to_proto()))
                .collect(),
            functions: self.registry.functions().iter().map(|f| (f.name().to_string(), f.signature().to_proto())).collect(),
            server_capabilities: Some(capabilities(&self.registry)),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let config =
            try_diags!(validate_provider_config, decode(req.get_ref().config.as_ref(), &self.schema.ty(), "provider configuration"));
        let mut diags = self.schema.block.deprecation_warnings(&config);
        diags.extend(self.provider.validate(&config));
        bail!(validate_provider_config, diags)
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(validate_resource_config, self.resource(&req.type_name));
        let config = try_diags!(validate_resource_config, decode(req.config.as_ref(), &r.schema().ty(), "configuration"));
        let mut diags = r.schema().block.deprecation_warnings(&config);
        diags.extend(r.validate(&config));
        if let Some(note) = &self.options.destroy_plan_errors_as_warnings {
            if diags.has_errors() && crate::host::destroying() {
                diags.downgrade_errors(note);
            }
        }
        bail!(validate_resource_config, diags)
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let Some(d) = self.registry.data_source_named(&req.type_name) else {
            bail!(validate_data_resource_config, self.unknown_data_source(&req.type_name))
        };
        let config = try_diags!(validate_data_resource_config, decode(req.config.as_ref(), &d.schema().ty(), "configuration"));
        let mut diags = d.schema().block.deprecation_warnings(&config);
        diags.extend(d.validate(&config));
        bail!(validate_data_resource_config, diags)
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(upgrade_resource_state, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
        if raw.is_empty() {
            bail!(
                upgrade_resource_state,
                error("Cannot upgrade state", "The stored state has no JSON form (flatmap state from Terraform 0.11 is not supported).")
            );
        }
        match decode_stored(&raw, &ty, |j| r.upgrade_state(req.version, j)) {
            Ok(v) => {
                let upgraded = try_diags!(upgrade_resource_state, encode(&v, &ty));
                Ok(Response::new(pb::upgrade_resource_state::Response { upgraded_state: Some(upgraded), diagnostics: vec![] }))
            }
            Err(Ok(e)) => bail!(
                upgrade_resource_state,
                error("Cannot upgrade state", format!("The stored state of this {} is not readable: {e}", req.type_name))
            ),
            Err(Err(d)) => bail!(upgrade_resource_state, d),
        }
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        let identity_schemas: HashMap<_, _> = self
            .registry
            .resources()
            .iter()
            .filter_map(|r| r.identity().map(|i| (r.type_name().to_string(), i.schema().to_proto())))
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response { identity_schemas, diagnostics: vec![] }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(upgrade_resource_identity, self.resource(&req.type_name));
        let Some(identity) = r.identity() else {
            bail!(
                upgrade_resource_identity,
                error("No resource identity", format!("{} has no resource identity to upgrade.", req.type_name))
            )
        };
        let ty = identity.schema().ty();
        let raw = req.raw_identity.map(|s| s.json).unwrap_or_default();
        match decode_stored(&raw, &ty, |j| identity.upgrade(req.version, j)) {
            Ok(v) => {
                let data = try_diags!(upgrade_resource_identity, encode(&v, &ty));
                Ok(Response::new(pb::upgrade_resource_identity::Response {
                    upgraded_identity: Some(pb::ResourceIdentityData { identity_data: Some(data) }),
                    diagnostics: vec![],
                }))
            }
            Err(Ok(e)) => bail!(
                upgrade_resource_identity,
                error("Cannot upgrade identity", format!("The stored identity of this {} is not readable: {e}", req.type_name))
            ),
            Err(Err(d)) => bail!(upgrade_resource_identity, d),
        }
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let config = try_diags!(configure_provider, decode(req.config.as_ref(), &self.schema.ty(), "provider configuration"));
        let resp = self.provider.configure(ConfigureRequest { config, terraform_version: req.terraform_version }).await;
        if let Some(client) = resp.client {
            if let Ok(mut g) = self.client.write() {
                *g = Some(client);
            }
        }
        bail!(configure_provider, resp.diags)
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(read_resource, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let state = try_diags!(read_resource, decode(req.current_state.as_ref(), &ty, "state"));
        let ctx = try_diags!(read_resource, self.ctx());
        let resp = r.read(&ctx, state).await;
        let new_state = try_diags!(read_resource, encode(&resp.new_state, &ty));
        let new_identity = try_diags!(read_resource, identity_data(r.identity(), &resp.new_state));
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(new_state),
            diagnostics: resp.diags.to_proto(),
            private: req.private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(plan_resource_change, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let prior = try_diags!(plan_resource_change, decode(req.prior_state.as_ref(), &ty, "prior state"));
        let proposed = try_diags!(plan_resource_change, decode(req.proposed_new_state.as_ref(), &ty, "proposed state"));
        let config = try_diags!(plan_resource_change, decode(req.config.as_ref(), &ty, "configuration"));
        if proposed.is_null() {
            // Destroy: nothing to compute.
            let planned = try_diags!(plan_resource_change, encode(&Value::Null, &ty));
            return Ok(Response::new(pb::plan_resource_change::Response {
                planned_state: Some(planned),
                planned_private: req.prior_private,
                ..Default::default()
            }));
        }
        let ctx = try_diags!(plan_resource_change, self.ctx());
        let prior_private = req.prior_private.clone();
        let mut resp = r.plan(&ctx, PlanRequest { prior, proposed, config, prior_private }).await;
        if let Some(note) = &self.options.destroy_plan_errors_as_warnings {
            if resp.diags.has_errors() && !resp.planned.is_null() && crate::host::destroying() {
                resp.diags.downgrade_errors(note);
            }
        }
        if resp.diags.has_errors() {
            bail!(plan_resource_change, resp.diags);
        }
        let planned = try_diags!(plan_resource_change, encode(&resp.planned, &ty));
        // An identity is planned only once it is wholly known (on create it usually is not).
        let planned_identity = match r.identity() {
            Some(id) if !resp.planned.is_null() && id.of(&resp.planned).is_wholly_known() => {
                try_diags!(plan_resource_change, identity_data(Some(id), &resp.planned))
            }
            _ => None,
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned),
            requires_replace: resp.requires_replace.iter().map(|p| path_to_proto(p)).collect(),
            planned_private: resp.planned_private.unwrap_or(req.prior_private),
            diagnostics: resp.diags.to_proto(),
            planned_identity,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(apply_resource_change, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let prior = try_diags!(apply_resource_change, decode(req.prior_state.as_ref(), &ty, "prior state"));
        let planned = try_diags!(apply_resource_change, decode(req.planned_state.as_ref(), &ty, "planned state"));
        let config = try_diags!(apply_resource_change, decode(req.config.as_ref(), &ty, "configuration"));
        let ctx = try_diags!(apply_resource_change, self.ctx());
        let resp = r.apply(&ctx, ApplyRequest { prior, planned, config }).await;
        let new_state = try_diags!(apply_resource_change, encode(&resp.new_state, &ty));
        let new_identity = try_diags!(apply_resource_change, identity_data(r.identity(), &resp.new_state));
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(new_state),
            private: req.planned_private,
            diagnostics: resp.diags.to_proto(),
            new_identity,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(import_resource_state, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let given = req.identity.as_ref().and_then(|i| i.identity_data.as_ref());
        let resp = match (req.id.is_empty(), r.identity(), given) {
            (true, Some(identity), Some(given)) => {
                let value = try_diags!(import_resource_state, decode(Some(given), &identity.schema().ty(), "identity"));
                let ctx = try_diags!(import_resource_state, self.ctx());
                r.import_identity(&ctx, value).await
            }
            (true, None, Some(_)) => bail!(
                import_resource_state,
                error("Import by identity not supported", format!("{} has no resource identity; import it by ID.", req.type_name))
            ),
            _ => {
                let ctx = try_diags!(import_resource_state, self.ctx());
                r.import(&ctx, req.id).await
            }
        };
        if resp.diags.has_errors() {
            bail!(import_resource_state, resp.diags);
        }
        let state = try_diags!(import_resource_state, encode(&resp.state, &ty));
        let identity = try_diags!(import_resource_state, identity_data(r.identity(), &resp.state));
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(state),
                identity,
                ..Default::default()
            }],
            diagnostics: resp.diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(move_resource_state, self.resource(&req.target_type_name));
        let sources = r.move_sources();
        if !sources.contains(&req.source_type_name.as_str()) {
            let detail = match sources {
                [] => format!("{} cannot take the state of other resource types", req.target_type_name),
                _ => format!("{} can take the state of {} only", req.target_type_name, and_list(sources)),
            };
            bail!(
                move_resource_state,
                error(
                    "Move not supported",
                    format!(
                        "Cannot move {} ({}) to {}: {detail}. Remove the `moved` block and import the object instead.",
                        req.source_type_name,
                        display_address(&req.source_provider_address),
                        req.target_type_name
                    )
                )
            )
        }
        let raw = req.source_state.map(|s| s.json).unwrap_or_default();
        let source_state = match serde_json::from_slice::<serde_json::Value>(&raw) {
            Ok(v) if v.is_object() => v,
            Ok(_) | Err(_) => bail!(
                move_resource_state,
                error("Cannot move state", format!("The stored state of the {} to move has no readable JSON form.", req.source_type_name))
            ),
        };
        let source_identity = req
            .source_identity
            .map(|s| s.json)
            .filter(|j| !j.is_empty())
            .and_then(|j| serde_json::from_slice::<serde_json::Value>(&j).ok())
            .filter(|v| !v.is_null());
        // Terraform moves before it configures the provider: no context.
        let resp = r.move_state(MoveRequest {
            source_provider_address: req.source_provider_address,
            source_type_name: req.source_type_name,
            source_schema_version: req.source_schema_version,
            source_state,
            source_private: req.source_private,
            source_identity,
            source_identity_version: req.source_identity_schema_version,
        });
        if resp.diags.has_errors() {
            bail!(move_resource_state, resp.diags);
        }
        if resp.state.is_null() {
            bail!(
                move_resource_state,
                error(
                    "Provider bug: no state",
                    format!("{} converted the moved state to nothing. Please report this.", req.target_type_name)
                )
            );
        }
        let ty = r.schema().ty();
        let target_state = try_diags!(move_resource_state, encode(&resp.state, &ty));
        let target_identity = match (r.identity(), resp.identity) {
            (Some(id), Some(value)) => {
                Some(pb::ResourceIdentityData { identity_data: Some(try_diags!(move_resource_state, encode(&value, &id.schema().ty()))) })
            }
            (id, _) => try_diags!(move_resource_state, identity_data(id, &resp.state)),
        };
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: Some(target_state),
            diagnostics: resp.diags.to_proto(),
            target_private: vec![],
            target_identity,
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let Some(d) = self.registry.data_source_named(&req.type_name) else {
            bail!(read_data_source, self.unknown_data_source(&req.type_name))
        };
        let ty = d.schema().ty();
        let config = try_diags!(read_data_source, decode(req.config.as_ref(), &ty, "configuration"));
        let ctx = try_diags!(read_data_source, self.ctx());
        let resp = d.read(&ctx, config).await;
        if resp.diags.has_errors() {
            bail!(read_data_source, resp.diags);
        }
        let state = try_diags!(read_data_source, encode(&resp.new_state, &ty));
        Ok(Response::new(pb::read_data_source::Response { state: Some(state), diagnostics: resp.diags.to_proto(), ..Default::default() }))
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Err(unsupported(&self.options.name, "generating configuration"))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        Err(unsupported(&self.options.name, "ephemeral resources"))
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        Err(unsupported(&self.options.name, "ephemeral resources"))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        Err(unsupported(&self.options.name, "ephemeral resources"))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        Err(unsupported(&self.options.name, "ephemeral resources"))
    }

    type ListResourceStream = Stream<pb::list_resource::Event>;
    async fn list_resource(&self, req: Request<pb::list_resource::Request>) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let failed = |d: Diagnostics| -> Result<Response<Self::ListResourceStream>, Status> {
            let event = pb::list_resource::Event { diagnostic: d.to_proto(), ..Default::default() };
            Ok(Response::new(Box::pin(futures::stream::iter([Ok(event)]))))
        };
        let Some(list) = self.registry.list_resource_named(&req.type_name).cloned() else {
            return failed(self.unknown_list_resource(&req.type_name));
        };
        let identity_ty =
            self.registry.resource_named(&req.type_name).and_then(|r| r.identity().map(|i| (i.schema().ty(), r.schema().ty())));
        let Some((identity_ty, resource_ty)) = identity_ty else {
            return failed(error(
                "Provider bug: list resource without identity",
                format!("The list resource {} has no managed resource with an identity. Please report this.", req.type_name),
            ));
        };
        let config = match decode(req.config.as_ref(), &list.schema().ty(), "configuration") {
            Ok(c) => c,
            Err(d) => return failed(d),
        };
        let ctx = match self.ctx() {
            Ok(c) => c,
            Err(d) => return failed(d),
        };
        let (include_resource, limit) = (req.include_resource_object, req.limit);
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        tokio::spawn(async move {
            let mut items = list.list(&ctx, ListRequest { config, include_resource, limit });
            let mut sent = 0i64;
            while let Some(item) = items.next().await {
                let mut diags = item.diags;
                let identity = if item.identity.is_null() {
                    None
                } else {
                    match encode(&item.identity, &identity_ty) {
                        Ok(d) => Some(pb::ResourceIdentityData { identity_data: Some(d) }),
                        Err(e) => {
                            diags.extend(e);
                            None
                        }
                    }
                };
                let resource_object = match item.resource.filter(|_| include_resource).map(|v| encode(&v, &resource_ty)) {
                    Some(Ok(d)) => Some(d),
                    Some(Err(e)) => {
                        diags.extend(e);
                        None
                    }
                    None => None,
                };
                let found = identity.is_some();
                let event =
                    pb::list_resource::Event { identity, display_name: item.display_name, resource_object, diagnostic: diags.to_proto() };
                if tx.send(Ok(event)).await.is_err() {
                    return;
                }
                sent += i64::from(found);
                if limit > 0 && sent >= limit {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let Some(list) = self.registry.list_resource_named(&req.type_name) else {
            bail!(validate_list_resource_config, self.unknown_list_resource(&req.type_name))
        };
        let config = try_diags!(validate_list_resource_config, decode(req.config.as_ref(), &list.schema().ty(), "configuration"));
        bail!(validate_list_resource_config, list.validate(&config))
    }

    async fn get_functions(&self, _: Request<pb::get_functions::Request>) -> Result<Response<pb::get_functions::Response>, Status> {
        let functions = self.registry.functions().iter().map(|f| (f.name().to_string(), f.signature().to_proto())).collect();
        Ok(Response::new(pb::get_functions::Response { functions, diagnostics: vec![] }))
    }

    async fn call_function(&self, req: Request<pb::call_function::Request>) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        let failed = |e: crate::resource::FunctionError| {
            Ok(Response::new(pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError { text: e.text, function_argument: e.argument }),
            }))
        };
        let Some(f) = self.registry.function_named(&req.name) else {
            return failed(crate::resource::FunctionError::new(format!("{} has no function \"{}\".", self.options.name, req.name)));
        };
        let signature = f.signature();
        let mut args = Vec::with_capacity(req.arguments.len().min(64));
        for (i, arg) in req.arguments.iter().enumerate() {
            let Some(ty) = signature.argument_type(i) else {
                return failed(crate::resource::FunctionError::at(
                    i,
                    format!("{} takes at most {} arguments.", req.name, signature.parameters.len()),
                ));
            };
            match decode(Some(arg), ty, "argument") {
                Ok(v) => args.push(v),
                Err(d) => return failed(crate::resource::FunctionError::at(i, d.0.first().map(|d| d.detail.clone()).unwrap_or_default())),
            }
        }
        if args.len() < signature.parameters.len() {
            return failed(crate::resource::FunctionError::new(format!(
                "{} takes {} arguments, got {}.",
                req.name,
                signature.parameters.len(),
                args.len()
            )));
        }
        match f.call(args).and_then(|v| {
            encode(&v, &signature.returns)
                .map_err(|d| crate::resource::FunctionError::new(d.0.first().map(|d| d.detail.clone()).unwrap_or_default()))
        }) {
            Ok(result) => Ok(Response::new(pb::call_function::Response { result: Some(result), error: None })),
            Err(e) => failed(e),
        }
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    type ReadStateBytesStream = Stream<pb::read_state_bytes::Response>;
    async fn read_state_bytes(&self, _: Request<pb::read_state_bytes::Request>) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn write_state_bytes(
        &self,
        _: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn lock_state(&self, _: Request<pb::lock_state::Request>) -> Result<Response<pb::lock_state::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn unlock_state(&self, _: Request<pb::unlock_state::Request>) -> Result<Response<pb::unlock_state::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn get_states(&self, _: Request<pb::get_states::Request>) -> Result<Response<pb::get_states::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn delete_state(&self, _: Request<pb::delete_state::Request>) -> Result<Response<pb::delete_state::Response>, Status> {
        Err(unsupported(&self.options.name, "state stores"))
    }

    async fn plan_action(&self, _: Request<pb::plan_action::Request>) -> Result<Response<pb::plan_action::Response>, Status> {
        Err(unsupported(&self.options.name, "actions"))
    }

    type InvokeActionStream = Stream<pb::invoke_action::Event>;
    async fn invoke_action(&self, _: Request<pb::invoke_action::Request>) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(unsupported(&self.options.name, "actions"))
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Err(unsupported(&self.options.name, "actions"))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Result<Response<pb::stop_provider::Response>, Status> {
        // Cancel what is in flight; later calls get a fresh token so the provider stays usable.
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
        crate::info!("StopProvider: cancelling in-flight operations");
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

/// How [`run`] runs a plugin: the async runtime's worker threads and the hooks around serving.
/// `RunOptions::default()` is a multi-threaded runtime with a worker per core and no hooks.
#[derive(Default)]
pub struct RunOptions {
    worker_threads: Option<usize>,
    version: Option<String>,
    on_parent_exit: Option<Box<dyn FnOnce() + Send>>,
    before_shutdown: Option<crate::plugin::BeforeShutdown>,
    after_serve: Option<AfterServe>,
}

/// Work [`run`] does once the server has stopped, on the runtime, before the process ends.
pub type AfterServe = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

impl RunOptions {
    /// This many worker threads (tokio's default is one per core).
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = Some(n);
        self
    }

    /// Logs "`name` `version` starting" (with a `version` field) once logging is set up.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Runs `hook` (once) when the process that started the plugin dies without shutting it down
    /// (Terraform killed), before the in-flight calls are cancelled and the server stops (see
    /// [`crate::plugin::serve_with`]).
    pub fn on_parent_exit(mut self, hook: impl FnOnce() + Send + 'static) -> Self {
        self.on_parent_exit = Some(Box::new(hook));
        self
    }

    /// Runs `hook` when go-plugin's Shutdown arrives, before it is answered (see
    /// [`crate::plugin::serve_with_hooks`]). Bound it yourself: the client waits as long as it takes.
    pub fn before_shutdown(mut self, hook: crate::plugin::BeforeShutdown) -> Self {
        self.before_shutdown = Some(hook);
        self
    }

    /// Runs `hook` on the runtime once the server has stopped, whatever the outcome (also in debug
    /// mode and when the parent died), before the process ends.
    pub fn after_serve(mut self, hook: AfterServe) -> Self {
        self.after_serve = Some(hook);
        self
    }
}

/// Runs `server` as a plugin, the whole `main` of most providers: `--debug` (or `-debug`) serves
/// for a debugger and prints `TF_REATTACH_PROVIDERS`; otherwise the go-plugin handshake with
/// Terraform. Logs go to stderr as hclog JSON at `TF_LOG_PROVIDER`/`TF_LOG`. When the process
/// that started the plugin dies, in-flight work is cancelled. Exits the process with status 1
/// when the plugin cannot start. `options` sets the runtime's threads and hooks.
pub fn run<P: Provider>(server: Server<P>, options: RunOptions) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    crate::log::init(server.options.log_module.clone());
    let name = server.options.name.clone();
    if let Some(version) = &options.version {
        crate::info!(format!("{name} {version} starting"), "version" => version.as_str());
    }
    let mode = if args.iter().any(|a| a == "--debug" || a == "-debug") {
        crate::plugin::Mode::Debug { provider_address: server.options.address.clone() }
    } else {
        crate::plugin::Mode::Plugin
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = options.worker_threads {
        builder.worker_threads(n);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let stop = server.stop_handle();
    let routes = tonic::service::Routes::new(server.into_service());
    let hook = options.on_parent_exit;
    let on_parent_exit = Box::new(move || {
        if let Some(hook) = hook {
            hook();
        }
        stop.cancel();
    });
    let served = runtime.block_on(crate::plugin::serve_with_hooks(mode, &name, routes, on_parent_exit, options.before_shutdown));
    if let Some(after) = options.after_serve {
        runtime.block_on(after());
    }
    if let Err(e) = served {
        eprintln!("{name}: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_drops_unknown_attributes() {
        let ty = Type::Object([("a".to_string(), Type::List(Box::new(Type::Object([("b".to_string(), Type::String)].into()))))].into());
        let j = serde_json::json!({"a": [{"b": "x", "gone": 1}], "old": true});
        assert_eq!(prune_json(j, &ty), serde_json::json!({"a": [{"b": "x"}]}));
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn options_derive_the_log_module() {
        let o = Options::new("terraform-provider-example", "registry.terraform.io/example/example");
        assert_eq!(o.log_module, "provider.example");
        assert_eq!(o.destroy_plan_errors_as_warnings, None);
    }
}
