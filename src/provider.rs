//! The provider, the composition root: its configuration schema and configuration (the EC2
//! client), the registry of its resources, data sources and list resources, and the tfplugin
//! server around them ([`ProviderServer`]), which decodes each request, hands it to a resource and
//! encodes the answer.

use std::ops::Deref;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::aws::{Background, Ec2Config};
use crate::context::{Configured, Ctx};
use crate::data_sources;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Model, Set, Val};
use crate::protocol::resource::Resource;
use crate::protocol::resource::{ConfigureRequest, ConfigureResponse};
use crate::protocol::schema::Schema;
use crate::protocol::server::{Options, Server};
use crate::protocol::typed::{decode, Typed};
use crate::protocol::values::{Number, PathStep, Value};
use crate::protocol::Registry;
use crate::resources::lattice::{resource::ResourceEndpoint, service_network::ServiceNetworkEndpoint};
use crate::resources::{accepter, association, endpoint, gateway, gateway_load_balancer, interface, list, split, tags};

/// The address Terraform knows the provider by.
pub(crate) const PROVIDER_ADDRESS: &str = "registry.terraform.io/vpce/vpce";

crate::model! {
    /// The `provider "vpce"` block.
    #[description = "Manages AWS VPC endpoints: free Gateway endpoints (S3, DynamoDB), Interface endpoints (PrivateLink), Gateway Load Balancer endpoints, and Resource and ServiceNetwork endpoints (VPC Lattice)."]
    pub(crate) struct ProviderModel {
        attrs {
            region: String [optional] "AWS region, e.g. `us-east-1`. Defaults to the standard AWS configuration (`AWS_REGION`, profile).";
            profile: String [optional] "Named profile from the shared AWS config/credentials files.";
            max_retries: Number [optional] "How many times a throttled or failed EC2 request is retried, 1 to 100 (default 25, as the AWS provider; with jittered exponential backoff).";
            traffic_advice: bool [optional] "Whether plans warn where traffic would bypass an endpoint (default `true`): a `vpce_gateway` that leaves out subnets whose default route goes to a NAT gateway, a `vpce_interface` whose security groups admit no TCP 443 from the VPC. Set `false` to silence this advice where the design is deliberate. Errors are never silenced.";
        }
        blocks {
            endpoints: EndpointsModel;
            default_tags: DefaultTagsModel;
            ignore_tags: IgnoreTagsModel;
        }
    }
}

crate::model! {
    #[description = "Custom service endpoints (for example a local EC2 emulator). `AWS_ENDPOINT_URL_EC2` is honoured too."]
    pub(crate) struct EndpointsModel {
        attrs {
            ec2: String [optional] "EC2 API endpoint URL.";
        }
    }
}

crate::model! {
    #[description = "Tags for every endpoint this provider manages, as the AWS provider's `default_tags`: each resource's `tags_all` is these merged with its own `tags` (the resource's value wins for a key in both). Changing them updates every endpoint in place."]
    pub(crate) struct DefaultTagsModel {
        attrs {
            tags: Map<String> [optional] "The default tags (with a resource's own tags: at most 50 in all; keys up to 128 characters, not starting with `aws:`; values up to 256).";
        }
    }
}

crate::model! {
    #[description = "Tags the provider neither reads nor changes, as the AWS provider's `ignore_tags`: for tags that other tools manage on the endpoints (e.g. cost allocation or Kubernetes tags). They appear in neither `tags` nor `tags_all`, are never removed, and show no difference."]
    pub(crate) struct IgnoreTagsModel {
        attrs {
            keys: Set<String> [optional] "Tag keys to ignore.";
            key_prefixes: Set<String> [optional] "Prefixes of tag keys to ignore.";
        }
    }
}

pub fn provider_schema() -> Schema {
    ProviderModel::schema(0)
}

/// The note on plan errors turned into warnings in destroy runs.
const DESTROY_NOTE: &str =
    "(Not an error while destroying: this check is about creating or changing the endpoint, which a destroy does not do.)";

/// The program's options: its name (messages, AutoMTLS certificate), address and log module.
pub(crate) fn options() -> Options {
    // Terraform's pre-destroy refresh plans the configuration and gives up on any error: a check
    // about creating or changing an endpoint must not block its destruction.
    Options::new("terraform-provider-vpce", PROVIDER_ADDRESS).log_module("provider.vpce").destroy_plan_errors_as_warnings(DESTROY_NOTE)
}

/// Every resource, data source and list resource of this provider: one line each.
pub(crate) fn registry() -> Registry<Ctx> {
    Registry::new()
        .resource(Typed::new(endpoint::AsResource(gateway::Gateway::new())))
        .resource(Typed::new(endpoint::AsResource(interface::Interface::new())))
        .resource(Typed::new(endpoint::AsResource(gateway_load_balancer::GatewayLoadBalancer::new())))
        .resource(Typed::new(endpoint::AsResource(ResourceEndpoint::new())))
        .resource(Typed::new(endpoint::AsResource(ServiceNetworkEndpoint::new())))
        .resource(Typed::new(association::route_table::RouteTableAssociation::new()))
        .resource(Typed::new(association::subnet::SubnetAssociation::new()))
        .resource(Typed::new(association::security_group::SecurityGroupAssociation::new()))
        .resource(Typed::new(split::policy::EndpointPolicy::new()))
        .resource(Typed::new(split::private_dns::EndpointPrivateDns::new()))
        .resource(Typed::new(accepter::ConnectionAccepter::new()))
        .data_source(Typed::new(data_sources::service::Service))
        .data_source(Typed::new(data_sources::endpoint::EndpointData))
        .data_source(Typed::new(data_sources::associations::Associations))
        .data_source(Typed::new(data_sources::routing::Routing))
        .list_resource(Typed::new(list::EndpointList::new(gateway::Gateway::new())))
        .list_resource(Typed::new(list::EndpointList::new(interface::Interface::new())))
        .list_resource(Typed::new(list::EndpointList::new(gateway_load_balancer::GatewayLoadBalancer::new())))
        .list_resource(Typed::new(list::EndpointList::new(ResourceEndpoint::new())))
        .list_resource(Typed::new(list::EndpointList::new(ServiceNetworkEndpoint::new())))
}

/// The resources, by type name.
pub fn resources() -> Vec<Arc<dyn Resource<Ctx>>> {
    registry().resources()
}

/// This provider: the `provider "vpce"` block and how it makes the EC2 client.
pub struct Vpce {
    /// Given to every EC2 client this provider configures: the writes they start in the
    /// background, which the process waits for before it ends.
    background: Background,
}

impl crate::protocol::resource::Provider for Vpce {
    type Ctx = Ctx;

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        Self::validate_provider(config)
    }

    fn configure<'a>(&'a self, req: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<Configured>> {
        Box::pin(async move {
            let mut d = Self::validate_provider(&req.config);
            let config = match decode::<ProviderModel>(&req.config, "provider configuration") {
                Ok(c) => c.unwrap_or_default(),
                Err(diags) => {
                    d.extend(diags);
                    return ConfigureResponse { client: None, diags: d };
                }
            };
            let endpoints = config.endpoints.known().cloned().unwrap_or_default();
            let unknown = [
                ("region", config.region.is_known()),
                ("profile", config.profile.is_known()),
                ("max_retries", config.max_retries.is_known()),
                ("endpoints", config.endpoints.is_known()),
                ("ignore_tags", config.ignore_tags.is_wholly_known()),
            ];
            for (attr, _) in unknown.into_iter().filter(|(_, known)| !known) {
                d.attr_error(attr, "Provider configuration unknown", format!("`{attr}` depends on a value known only after apply; the provider needs it to plan. Use a value known at plan time."));
            }
            if !endpoints.ec2.is_known() {
                d.attr_error("endpoints.ec2", "Provider configuration unknown", "The EC2 endpoint must be known at plan time.");
            }
            if d.has_errors() {
                return ConfigureResponse { client: None, diags: d };
            }
            let tags = Arc::new(tag_config(&config));
            let cfg = Ec2Config {
                region: config.region.as_str().map(str::to_string),
                profile: config.profile.as_str().map(str::to_string),
                ec2_endpoint: endpoints.ec2.as_str().map(str::to_string),
                max_retries: config.max_retries.known().and_then(Number::as_i64).map(|n| n as u32),
                observer: Some(Arc::new(Ec2Log)),
                pacing: None,
                background: self.background.clone(),
            };
            match crate::aws::connect(cfg).await {
                Ok(ec2) => {
                    crate::info!("provider configured", "region" => ec2.region().to_string(), "terraform_version" => req.terraform_version);
                    ConfigureResponse {
                        client: Some(Configured {
                            ec2,
                            tags,
                            owners: Default::default(),
                            advice: config.traffic_advice.known().copied().unwrap_or(true),
                            objects: Default::default(),
                        }),
                        diags: d,
                    }
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
        let config = match decode::<ProviderModel>(config, "provider configuration") {
            Ok(c) => c.unwrap_or_default(),
            Err(diags) => return diags,
        };
        if let Some(url) = config.endpoints.known().and_then(|e| e.ec2.as_str()) {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                d.attr_error(
                    "endpoints.ec2",
                    "Invalid endpoint URL",
                    format!("\"{url}\" must be an http:// or https:// URL, for example http://127.0.0.1:5000."),
                );
            }
        }
        if let Some(r) = config.region.as_str() {
            if !crate::aws::is_region_name(r) {
                d.attr_error("region", "Invalid region", format!("\"{r}\" is not an AWS region name such as \"us-east-1\"."));
            }
        }
        if let Val::Known(n) = &config.max_retries {
            if !n.as_i64().is_some_and(|n| (1..=100).contains(&n)) {
                d.attr_error("max_retries", "Invalid max_retries", "max_retries must be a whole number from 1 to 100.");
            }
        }
        // The default tags follow EC2's tag rules, as a resource's own tags do.
        if let Some(default_tags) = config.default_tags.known() {
            let mut tag_diags = Diagnostics::new();
            tags::validate(&default_tags.tags, &mut tag_diags);
            d.extend(tag_diags.with_path_prefix(&[PathStep::Attr("default_tags".to_string())]));
        }
        if let Some(ignore) = config.ignore_tags.known() {
            for (attr, v) in [("keys", &ignore.keys), ("key_prefixes", &ignore.key_prefixes)] {
                if v.strings().iter().any(String::is_empty) {
                    d.attr_error(
                        vec![PathStep::Attr("ignore_tags".to_string()), PathStep::Attr(attr.to_string())],
                        "Empty tag key",
                        format!(
                            "ignore_tags.{attr} holds an empty string, which would ignore {}.",
                            if attr == "keys" { "nothing" } else { "every tag" }
                        ),
                    );
                }
            }
        }
        d
    }
}

/// The provider's tag settings from its configuration (default tags `None` while unknown).
fn tag_config(config: &ProviderModel) -> tags::TagConfig {
    let default_tags = match &config.default_tags {
        Val::Null => Some(Default::default()),
        Val::Known(b) if b.tags.is_wholly_known() => Some(b.tags.string_map()),
        _ => None,
    };
    let ignore = config.ignore_tags.known().cloned().unwrap_or_default();
    tags::TagConfig {
        default_tags,
        ignore_keys: ignore.keys.strings(),
        ignore_prefixes: ignore.key_prefixes.strings().into_iter().collect(),
    }
}

/// The provider service: the tfplugin [`Server`] for [`Vpce`] and its resources. It derefs to
/// the server, which implements the tfplugin6 Provider service.
pub struct ProviderServer {
    server: Server<Vpce>,
    background: Background,
}

impl Default for ProviderServer {
    fn default() -> Self {
        Self::new()
    }
}

impl ProviderServer {
    /// The provider with its registry and [`options`].
    pub fn new() -> Self {
        let background = Background::default();
        ProviderServer { server: Server::new(Vpce { background: background.clone() }, registry(), options()), background }
    }

    /// A handle that stops this provider's work from outside the gRPC service.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.server.stop_handle())
    }

    /// The EC2 writes this provider's clients started in the background (creation marker
    /// removals), to wait for before the process ends ([`Background::drain`]).
    pub fn background(&self) -> Background {
        self.background.clone()
    }

    /// The tfplugin server, for [`crate::protocol::run`].
    pub fn into_server(self) -> Server<Vpce> {
        self.server
    }
}

impl Deref for ProviderServer {
    type Target = Server<Vpce>;
    fn deref(&self) -> &Server<Vpce> {
        &self.server
    }
}

/// Stops the provider's work when Terraform is gone (see [`crate::protocol::RunOptions::on_parent_exit`]).
pub struct StopHandle(crate::protocol::server::StopHandle<Configured>);

impl StopHandle {
    /// No more EC2 writes are sent (creates already sent may still complete: their endpoints
    /// carry the creation marker, so the next apply adopts them), and every wait ends.
    pub fn abandon(&self) {
        if let Some(c) = self.0.client() {
            c.ec2.halt_writes();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(v: Value) -> ProviderModel {
        ProviderModel::decode(&v).unwrap().unwrap()
    }

    #[test]
    fn tag_settings_from_the_provider_block() {
        let c = config(Value::object([
            ("default_tags", Value::object([("tags", Value::map_of_strings([("env", "prod")]))])),
            (
                "ignore_tags",
                Value::object([("keys", Value::set_of_strings(["ops"])), ("key_prefixes", Value::set_of_strings(["kubernetes.io/"]))]),
            ),
        ]));
        let t = tag_config(&c);
        assert_eq!(t.default_tags, Some([("env".to_string(), "prod".to_string())].into_iter().collect()));
        assert!(t.ignored("ops") && t.ignored("kubernetes.io/cluster") && !t.ignored("env"));
        // No block: no default tags (known); an unknown map: unknown.
        assert_eq!(tag_config(&ProviderModel::default()).default_tags, Some(Default::default()));
        let c = config(Value::object([("default_tags", Value::object([("tags", Value::unknown())]))]));
        assert_eq!(tag_config(&c).default_tags, None);
    }

    #[test]
    fn provider_validation_points_at_attributes() {
        let d = Vpce::validate_provider(&Value::object([
            ("region", Value::string("US East")),
            ("max_retries", Value::number(0i64)),
            ("default_tags", Value::object([("tags", Value::map_of_strings([("aws:x", "1")]))])),
            ("ignore_tags", Value::object([("key_prefixes", Value::set_of_strings([""]))])),
        ]));
        let summaries: Vec<&str> = d.0.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid region", "Invalid max_retries", "Invalid tag key", "Empty tag key"]);
        assert_eq!(
            d.0[2].path,
            Some(vec![PathStep::Attr("default_tags".into()), PathStep::Attr("tags".into()), PathStep::Key("aws:x".into())])
        );
        assert!(Vpce::validate_provider(&Value::object([("region", Value::string("eu-west-1"))])).is_empty());
    }
}
