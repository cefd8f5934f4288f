//! The provider: its configuration schema and configuration (the EC2 client), and the tfplugin
//! server around it, which decodes each request, hands it to a resource and encodes the answer.

use std::ops::Deref;

use futures::future::BoxFuture;

use crate::aws::{Ec2, Ec2Config};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::{ConfigureRequest, ConfigureResponse};
use crate::protocol::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::protocol::server::{Options, Server};
use crate::protocol::values::{Type, Value};
use crate::protocol::wire::tfplugin6 as pb;
use crate::resources::{self, Ctx};

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

/// The note on plan errors turned into warnings in destroy runs.
const DESTROY_NOTE: &str =
    "(Not an error while destroying: this check is about creating or changing the endpoint, which a destroy does not do.)";

/// The program's options: its name (messages, AutoMTLS certificate), address and log module.
pub fn options() -> Options {
    // Terraform's pre-destroy refresh plans the configuration and gives up on any error: a check
    // about creating or changing an endpoint must not block its destruction.
    Options::new("terraform-provider-vpce", PROVIDER_ADDRESS).log_module("provider.vpce").destroy_plan_errors_as_warnings(DESTROY_NOTE)
}

/// This provider: the `provider "vpce"` block and how it makes the EC2 client.
pub struct Vpce;

impl crate::protocol::resource::Provider for Vpce {
    type Ctx = Ctx;

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        Self::validate_provider(config)
    }

    fn configure<'a>(&'a self, req: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<Ec2>> {
        Box::pin(async move {
            let config = req.config;
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
                return ConfigureResponse { client: None, diags: d };
            }
            let cfg = Ec2Config {
                region: config.get("region").as_str().map(str::to_string),
                profile: config.get("profile").as_str().map(str::to_string),
                ec2_endpoint: config.get("endpoints").get("ec2").as_str().map(str::to_string),
                max_retries: config.get("max_retries").as_i64().map(|n| n as u32),
                observer: Some(std::sync::Arc::new(Ec2Log)),
                pacing: None,
            };
            match crate::aws::connect(cfg).await {
                Ok(ec2) => {
                    crate::info!("provider configured", "region" => ec2.region().to_string(), "terraform_version" => req.terraform_version);
                    ConfigureResponse { client: Some(ec2), diags: d }
                }
                Err(e) => {
                    d.error("Cannot configure AWS", e.to_string());
                    ConfigureResponse { client: None, diags: d }
                }
            }
        })
    }
}

impl Vpce {
    fn validate_provider(config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(url) = config.get("endpoints").get("ec2").as_str() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                d.attr_error(
                    "endpoints.ec2",
                    "Invalid endpoint URL",
                    format!("\"{url}\" must be an http:// or https:// URL, for example http://127.0.0.1:5000."),
                );
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

/// The provider service: the tfplugin [`Server`] for [`Vpce`] and its resources. It derefs to
/// the server, which implements the tfplugin6 Provider service.
pub struct Provider(Server<Vpce>);

impl Default for Provider {
    fn default() -> Self {
        Self::new()
    }
}

impl Provider {
    pub fn new() -> Self {
        Provider(Server::new(Vpce, resources::registry(), options()))
    }

    /// A handle that stops this provider's work from outside the gRPC service.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.0.stop_handle())
    }

    pub fn into_server(self) -> Server<Vpce> {
        self.0
    }
}

impl Deref for Provider {
    type Target = Server<Vpce>;
    fn deref(&self) -> &Server<Vpce> {
        &self.0
    }
}

/// Stops the provider's work when Terraform is gone (see [`crate::protocol::plugin::serve_with`]).
pub struct StopHandle(crate::protocol::server::StopHandle<Ec2>);

impl StopHandle {
    /// No more EC2 writes are sent (creates already sent may still complete: their endpoints
    /// carry the creation marker, so the next apply adopts them), and every wait ends.
    pub fn abandon(&self) {
        if let Some(ec2) = self.0.client() {
            ec2.halt_writes();
        }
        self.0.cancel();
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

/// The gRPC service Terraform talks to, with Terraform's message size limits.
pub fn service(provider: Provider) -> pb::provider_server::ProviderServer<Server<Vpce>> {
    provider.0.into_service()
}
