//! The provider: its configuration schema, and the tfplugin6 Provider service that decodes each
//! request, hands it to a resource and encodes the answer.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::aws::{Ec2, Ec2Config};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Block, Nesting, NestedBlock, Schema};
use crate::protocol::values::{self, Type, Value};
use crate::protocol::wire::tfplugin6 as pb;
use crate::resources::{self, ApplyRequest, Ctx, PlanRequest, Resource};

/// The address Terraform knows the provider by.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/vpce/vpce";

pub fn provider_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Manages AWS VPC endpoints: free Gateway endpoints (S3, DynamoDB) and Interface endpoints (PrivateLink).",
            attributes: vec![
                Attribute::optional("region", Type::String, "AWS region, e.g. `us-east-1`. Defaults to the standard AWS configuration (`AWS_REGION`, profile)."),
                Attribute::optional("profile", Type::String, "Named profile from the shared AWS config/credentials files."),
                Attribute::optional("max_retries", Type::Number, "How many times a throttled or failed EC2 request is retried, 1 to 100 (default 25, as the AWS provider; with jittered exponential backoff)."),
            ],
            blocks: vec![NestedBlock {
                name: "endpoints",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: Block {
                    description: "Custom service endpoints (for example a local EC2 emulator). `AWS_ENDPOINT_URL_EC2` is honoured too.",
                    attributes: vec![Attribute::optional("ec2", Type::String, "EC2 API endpoint URL.")],
                    blocks: vec![],
                },
            }],
        },
    }
}

type Stream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

pub struct Provider {
    resources: HashMap<&'static str, Arc<dyn Resource>>,
    schema: Schema,
    ec2: Arc<RwLock<Option<Ec2>>>,
    stop: Arc<Mutex<CancellationToken>>,
}

impl Default for Provider {
    fn default() -> Self {
        Self::new()
    }
}

fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
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

fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    values::encode_msgpack(v, ty).map(|msgpack| pb::DynamicValue { msgpack, json: vec![] }).map_err(|e| {
        let mut d = Diagnostics::new();
        d.error("Provider bug: invalid value", format!("The provider produced a value it cannot encode: {e}. Please report this."));
        d
    })
}

/// Removes attributes the schema does not have (older provider versions may have written them).
fn prune_json(v: serde_json::Value, ty: &Type) -> serde_json::Value {
    match (v, ty) {
        (serde_json::Value::Object(map), Type::Object(attrs)) => serde_json::Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| attrs.get(&k).map(|t| (k, prune_json(v, t))))
                .collect(),
        ),
        (serde_json::Value::Array(items), Type::List(t) | Type::Set(t)) => {
            serde_json::Value::Array(items.into_iter().map(|i| prune_json(i, t)).collect())
        }
        (v, _) => v,
    }
}

macro_rules! bail {
    ($resp:ident, $diags:expr) => {
        return Ok(Response::new(pb::$resp::Response { diagnostics: $diags.to_proto(), ..Default::default() }))
    };
}

macro_rules! try_diags {
    ($resp:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => bail!($resp, d),
        }
    };
}

impl Provider {
    pub fn new() -> Self {
        Provider {
            resources: resources::all().into_iter().map(|r| (r.type_name(), r)).collect(),
            schema: provider_schema(),
            ec2: Arc::new(RwLock::new(None)),
            stop: Arc::new(Mutex::new(CancellationToken::new())),
        }
    }

    /// A handle that stops this provider's work from outside the gRPC service.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle { ec2: self.ec2.clone(), stop: self.stop.clone() }
    }

    fn resource(&self, name: &str) -> Result<&Arc<dyn Resource>, Diagnostics> {
        self.resources.get(name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error("Unknown resource type", format!("This provider has no resource type \"{name}\"; it has vpce_gateway and vpce_interface."));
            d
        })
    }

    fn ctx(&self) -> Result<Ctx, Diagnostics> {
        let ec2 = self.ec2.read().map(|g| g.clone()).ok().flatten();
        let cancel = self.stop.lock().map(|t| t.clone()).unwrap_or_default();
        match ec2 {
            Some(ec2) => Ok(Ctx { ec2, cancel }),
            None => {
                let mut d = Diagnostics::new();
                d.error("Provider not configured", "Terraform called the provider before configuring it; this is a bug in the caller.");
                Err(d)
            }
        }
    }

    fn validate_provider(config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(url) = config.get("endpoints").get("ec2").as_str() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                d.attr_error("endpoints.ec2", "Invalid endpoint URL", format!("\"{url}\" must be an http:// or https:// URL, for example http://127.0.0.1:5000."));
            }
        }
        if let Some(r) = config.get("region").as_str() {
            let ok = !r.is_empty() && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && r.contains('-');
            if !ok {
                d.attr_error("region", "Invalid region", format!("\"{r}\" is not an AWS region name such as \"us-east-1\"."));
            }
        }
        match config.get("max_retries") {
            Value::Null | Value::Unknown(_) => {}
            v => match v.as_i64() {
                Some(n) if (1..=100).contains(&n) => {}
                _ => d.attr_error("max_retries", "Invalid max_retries", "max_retries must be a whole number from 1 to 100."),
            },
        }
        d
    }
}

/// Stops the provider's work when Terraform is gone (see [`crate::protocol::plugin::serve_with`]).
pub struct StopHandle {
    ec2: Arc<RwLock<Option<Ec2>>>,
    stop: Arc<Mutex<CancellationToken>>,
}

impl StopHandle {
    /// No more EC2 writes are sent (creates already sent may still complete: their endpoints
    /// carry the creation marker, so the next apply adopts them), and every wait ends.
    pub fn abandon(&self) {
        if let Some(ec2) = self.ec2.read().ok().and_then(|g| g.clone()) {
            ec2.halt_writes();
        }
        if let Ok(token) = self.stop.lock() {
            token.cancel();
        }
    }
}

fn unsupported(what: &str) -> Status {
    Status::unimplemented(format!("terraform-provider-vpce does not support {what}"))
}

#[tonic::async_trait]
impl pb::provider_server::Provider for Provider {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Result<Response<pb::get_metadata::Response>, Status> {
        let mut resources: Vec<_> = self.resources.keys().map(|n| pb::get_metadata::ResourceMetadata { type_name: n.to_string() }).collect();
        resources.sort_by(|a, b| a.type_name.cmp(&b.type_name));
        Ok(Response::new(pb::get_metadata::Response { server_capabilities: Some(capabilities()), resources, ..Default::default() }))
    }

    async fn get_provider_schema(&self, _: Request<pb::get_provider_schema::Request>) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.schema.to_proto()),
            resource_schemas: self.resources.iter().map(|(n, r)| (n.to_string(), r.schema().to_proto())).collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(&self, req: Request<pb::validate_provider_config::Request>) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let config = try_diags!(validate_provider_config, decode(req.get_ref().config.as_ref(), &self.schema.ty(), "provider configuration"));
        bail!(validate_provider_config, Self::validate_provider(&config))
    }

    async fn validate_resource_config(&self, req: Request<pb::validate_resource_config::Request>) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(validate_resource_config, self.resource(&req.type_name));
        let config = try_diags!(validate_resource_config, decode(req.config.as_ref(), &r.schema().ty(), "configuration"));
        bail!(validate_resource_config, r.validate(&config))
    }

    async fn validate_data_resource_config(&self, _: Request<pb::validate_data_resource_config::Request>) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let mut d = Diagnostics::new();
        d.error("No data sources", "terraform-provider-vpce has no data sources.");
        bail!(validate_data_resource_config, d)
    }

    async fn upgrade_resource_state(&self, req: Request<pb::upgrade_resource_state::Request>) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(upgrade_resource_state, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
        let mut d = Diagnostics::new();
        if raw.is_empty() {
            d.error("Cannot upgrade state", "The stored state has no JSON form (flatmap state from Terraform 0.11 is not supported).");
            bail!(upgrade_resource_state, d);
        }
        let state = serde_json::from_slice::<serde_json::Value>(&raw)
            .map_err(|e| e.to_string())
            .and_then(|j| serde_json::to_vec(&prune_json(j, &ty)).map_err(|e| e.to_string()))
            .and_then(|bytes| values::decode_json(&bytes, &ty).map_err(|e| e.to_string()));
        match state {
            Ok(v) => {
                let upgraded = try_diags!(upgrade_resource_state, encode(&v, &ty));
                Ok(Response::new(pb::upgrade_resource_state::Response { upgraded_state: Some(upgraded), diagnostics: vec![] }))
            }
            Err(e) => {
                d.error("Cannot upgrade state", format!("The stored state of this {} is not readable: {e}", req.type_name));
                bail!(upgrade_resource_state, d)
            }
        }
    }

    async fn get_resource_identity_schemas(&self, _: Request<pb::get_resource_identity_schemas::Request>) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response::default()))
    }

    async fn upgrade_resource_identity(&self, _: Request<pb::upgrade_resource_identity::Request>) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        Err(unsupported("resource identities"))
    }

    async fn configure_provider(&self, req: Request<pb::configure_provider::Request>) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let config = try_diags!(configure_provider, decode(req.config.as_ref(), &self.schema.ty(), "provider configuration"));
        let mut d = Self::validate_provider(&config);
        for attr in ["region", "profile", "max_retries"] {
            if !config.get(attr).is_known() {
                d.attr_error(attr, "Provider configuration unknown", format!("`{attr}` depends on a value known only after apply; the provider needs it to plan. Use a value known at plan time."));
            }
        }
        if !config.get("endpoints").get("ec2").is_known() {
            d.attr_error("endpoints.ec2", "Provider configuration unknown", "The EC2 endpoint must be known at plan time.");
        }
        if d.has_errors() {
            bail!(configure_provider, d);
        }
        let cfg = Ec2Config {
            region: config.get("region").as_str().map(str::to_string),
            profile: config.get("profile").as_str().map(str::to_string),
            ec2_endpoint: config.get("endpoints").get("ec2").as_str().map(str::to_string),
            max_retries: config.get("max_retries").as_i64().map(|n| n as u32),
            observer: Some(std::sync::Arc::new(Ec2Log)),
        };
        match crate::aws::connect(cfg).await {
            Ok(ec2) => {
                crate::info!("provider configured".to_string(), "region" => ec2.region().to_string(), "terraform_version" => req.terraform_version);
                if let Ok(mut g) = self.ec2.write() {
                    *g = Some(ec2);
                }
            }
            Err(e) => d.error("Cannot configure AWS", e.to_string()),
        }
        bail!(configure_provider, d)
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(read_resource, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let state = try_diags!(read_resource, decode(req.current_state.as_ref(), &ty, "state"));
        let ctx = try_diags!(read_resource, self.ctx());
        let resp = r.read(&ctx, state).await;
        let new_state = try_diags!(read_resource, encode(&resp.new_state, &ty));
        Ok(Response::new(pb::read_resource::Response { new_state: Some(new_state), diagnostics: resp.diags.to_proto(), private: req.private, ..Default::default() }))
    }

    async fn plan_resource_change(&self, req: Request<pb::plan_resource_change::Request>) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(plan_resource_change, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let prior = try_diags!(plan_resource_change, decode(req.prior_state.as_ref(), &ty, "prior state"));
        let proposed = try_diags!(plan_resource_change, decode(req.proposed_new_state.as_ref(), &ty, "proposed state"));
        let config = try_diags!(plan_resource_change, decode(req.config.as_ref(), &ty, "configuration"));
        if proposed.is_null() {
            // Destroy: nothing to compute.
            let planned = try_diags!(plan_resource_change, encode(&Value::Null, &ty));
            return Ok(Response::new(pb::plan_resource_change::Response { planned_state: Some(planned), planned_private: req.prior_private, ..Default::default() }));
        }
        let ctx = try_diags!(plan_resource_change, self.ctx());
        let mut resp = r.plan(&ctx, PlanRequest { prior, proposed, config }).await;
        if resp.diags.has_errors() && !resp.planned.is_null() && crate::protocol::host::destroying() {
            // Terraform's pre-destroy refresh plans the configuration and gives up on any error:
            // a check about creating or changing an endpoint must not block its destruction.
            resp.diags.downgrade_errors("(Not an error while destroying: this check is about creating or changing the endpoint, which a destroy does not do.)");
        }
        if resp.diags.has_errors() {
            bail!(plan_resource_change, resp.diags);
        }
        let planned = try_diags!(plan_resource_change, encode(&resp.planned, &ty));
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned),
            requires_replace: resp.requires_replace.iter().map(|p| crate::protocol::diagnostics::path_to_proto(p)).collect(),
            planned_private: req.prior_private,
            diagnostics: resp.diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(&self, req: Request<pb::apply_resource_change::Request>) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(apply_resource_change, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let prior = try_diags!(apply_resource_change, decode(req.prior_state.as_ref(), &ty, "prior state"));
        let planned = try_diags!(apply_resource_change, decode(req.planned_state.as_ref(), &ty, "planned state"));
        let config = try_diags!(apply_resource_change, decode(req.config.as_ref(), &ty, "configuration"));
        let ctx = try_diags!(apply_resource_change, self.ctx());
        let resp = r.apply(&ctx, ApplyRequest { prior, planned, config }).await;
        let new_state = try_diags!(apply_resource_change, encode(&resp.new_state, &ty));
        Ok(Response::new(pb::apply_resource_change::Response { new_state: Some(new_state), private: req.planned_private, diagnostics: resp.diags.to_proto(), ..Default::default() }))
    }

    async fn import_resource_state(&self, req: Request<pb::import_resource_state::Request>) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let r = try_diags!(import_resource_state, self.resource(&req.type_name));
        let ty = r.schema().ty();
        let ctx = try_diags!(import_resource_state, self.ctx());
        let resp = r.import(&ctx, req.id).await;
        if resp.diags.has_errors() {
            bail!(import_resource_state, resp.diags);
        }
        let state = try_diags!(import_resource_state, encode(&resp.state, &ty));
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource { type_name: req.type_name, state: Some(state), ..Default::default() }],
            diagnostics: resp.diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn move_resource_state(&self, _: Request<pb::move_resource_state::Request>) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let mut d = Diagnostics::new();
        d.error("Move not supported", "terraform-provider-vpce cannot move state from other resource types.");
        bail!(move_resource_state, d)
    }

    async fn read_data_source(&self, _: Request<pb::read_data_source::Request>) -> Result<Response<pb::read_data_source::Response>, Status> {
        let mut d = Diagnostics::new();
        d.error("No data sources", "terraform-provider-vpce has no data sources.");
        bail!(read_data_source, d)
    }

    async fn generate_resource_config(&self, _: Request<pb::generate_resource_config::Request>) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Err(unsupported("generating configuration"))
    }

    async fn validate_ephemeral_resource_config(&self, _: Request<pb::validate_ephemeral_resource_config::Request>) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        Err(unsupported("ephemeral resources"))
    }

    async fn open_ephemeral_resource(&self, _: Request<pb::open_ephemeral_resource::Request>) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        Err(unsupported("ephemeral resources"))
    }

    async fn renew_ephemeral_resource(&self, _: Request<pb::renew_ephemeral_resource::Request>) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        Err(unsupported("ephemeral resources"))
    }

    async fn close_ephemeral_resource(&self, _: Request<pb::close_ephemeral_resource::Request>) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        Err(unsupported("ephemeral resources"))
    }

    type ListResourceStream = Stream<pb::list_resource::Event>;
    async fn list_resource(&self, _: Request<pb::list_resource::Request>) -> Result<Response<Self::ListResourceStream>, Status> {
        Err(unsupported("list resources"))
    }

    async fn validate_list_resource_config(&self, _: Request<pb::validate_list_resource_config::Request>) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        Err(unsupported("list resources"))
    }

    async fn get_functions(&self, _: Request<pb::get_functions::Request>) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(&self, _: Request<pb::call_function::Request>) -> Result<Response<pb::call_function::Response>, Status> {
        Err(unsupported("functions"))
    }

    async fn validate_state_store_config(&self, _: Request<pb::validate_state_store::Request>) -> Result<Response<pb::validate_state_store::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn configure_state_store(&self, _: Request<pb::configure_state_store::Request>) -> Result<Response<pb::configure_state_store::Response>, Status> {
        Err(unsupported("state stores"))
    }

    type ReadStateBytesStream = Stream<pb::read_state_bytes::Response>;
    async fn read_state_bytes(&self, _: Request<pb::read_state_bytes::Request>) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(unsupported("state stores"))
    }

    async fn write_state_bytes(&self, _: Request<Streaming<pb::write_state_bytes::RequestChunk>>) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn lock_state(&self, _: Request<pb::lock_state::Request>) -> Result<Response<pb::lock_state::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn unlock_state(&self, _: Request<pb::unlock_state::Request>) -> Result<Response<pb::unlock_state::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn get_states(&self, _: Request<pb::get_states::Request>) -> Result<Response<pb::get_states::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn delete_state(&self, _: Request<pb::delete_state::Request>) -> Result<Response<pb::delete_state::Response>, Status> {
        Err(unsupported("state stores"))
    }

    async fn plan_action(&self, _: Request<pb::plan_action::Request>) -> Result<Response<pb::plan_action::Response>, Status> {
        Err(unsupported("actions"))
    }

    type InvokeActionStream = Stream<pb::invoke_action::Event>;
    async fn invoke_action(&self, _: Request<pb::invoke_action::Request>) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(unsupported("actions"))
    }

    async fn validate_action_config(&self, _: Request<pb::validate_action_config::Request>) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Err(unsupported("actions"))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Result<Response<pb::stop_provider::Response>, Status> {
        // Cancel what is in flight; later calls get a fresh token so the provider stays usable.
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
        crate::info!("StopProvider: cancelling in-flight operations".to_string());
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

/// Logs EC2 activity: every attempt at debug; a throttled, failed-with-5xx or unanswered attempt
/// (which the SDK retries while attempts remain) at warn; every waiter poll at trace. Ids, timing,
/// attempt, request id and error code only: never headers, credentials or request bodies.
struct Ec2Log;

impl crate::aws::Ec2Observer for Ec2Log {
    fn call(&self, e: &crate::aws::CallEvent) {
        log_ec2_call(e)
    }

    fn poll(&self, e: &crate::aws::PollEvent) {
        crate::log_at!(
            crate::protocol::log::Level::Trace,
            format!("waiting for {} to be {}: {}", e.endpoint_id, e.waiting_for, e.state),
            "@module" => "provider.vpce.ec2",
            "id" => e.endpoint_id,
            "state" => e.state,
            "elapsed_ms" => e.elapsed.as_millis() as u64,
        );
    }
}

fn log_ec2_call(e: &crate::aws::CallEvent) {
    use crate::protocol::log::Level;
    let level = if e.is_retryable_failure() { Level::Warn } else { Level::Debug };
    let message = match (&e.error_code, e.is_throttled()) {
        (Some(_), true) => format!("EC2 {} throttled (attempt {})", e.operation, e.attempt),
        (Some(code), false) if e.is_retryable_failure() => format!("EC2 {} failed with {code} (attempt {})", e.operation, e.attempt),
        (Some(code), false) => format!("EC2 {} answered {code}", e.operation),
        (None, _) => format!("EC2 {}", e.operation),
    };
    crate::log_at!(
        level,
        message,
        "@module" => "provider.vpce.ec2",
        "action" => e.operation,
        "ids" => e.ids,
        "attempt" => e.attempt,
        "duration_ms" => e.duration.as_secs_f64() * 1000.0,
        "status" => e.status,
        "request_id" => e.request_id,
        "error_code" => e.error_code,
    );
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities { plan_destroy: true, get_provider_schema_optional: true, ..Default::default() }
}

/// The gRPC service Terraform talks to, with Terraform's message size limits.
pub fn service(provider: Provider) -> pb::provider_server::ProviderServer<Provider> {
    pb::provider_server::ProviderServer::new(provider)
        .max_decoding_message_size(crate::protocol::plugin::MAX_MESSAGE_SIZE)
        .max_encoding_message_size(crate::protocol::plugin::MAX_MESSAGE_SIZE)
}
