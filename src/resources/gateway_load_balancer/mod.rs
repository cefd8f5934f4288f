//! `vpce_gateway_load_balancer`: Gateway Load Balancer VPC endpoints. Such an endpoint is a
//! network interface in one subnet that hands traffic to the appliances behind a Gateway Load
//! Balancer (an endpoint service of type GatewayLoadBalancer); route tables send traffic to it.
//!
//! The lifecycle is the shared one of [`endpoint`](super::endpoint); this module holds what is the
//! type's own: its model (no security groups, policy or private DNS: EC2 refuses them for this
//! type), static validation (exactly one subnet, a full service name), the checks against EC2 at
//! plan ([`checks`]), the create and modify requests, and the state of a read and of a `moved`.

mod checks;
#[cfg(test)]
mod tests;

use aws_sdk_ec2::types::VpcEndpoint;
use std::future::Future;

use super::endpoint::moves::AwsEndpoint;
use super::endpoint::{accept_if_asked, endpoint_model, Acceptance, Endpoint};
use super::timeouts::{self, Timeouts};
use super::{tags, Ctx};
use crate::aws;
use crate::checks::{validate_id, validate_ids};
use crate::models::string_set;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Model, Set, Val};
use crate::protocol::plan::known_or_null;
use crate::protocol::schema::Schema;
use crate::protocol::values::PathStep;

/// The IP address types of a Gateway Load Balancer endpoint: those of the load balancers.
pub(crate) const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack"];

crate::model! {
    /// The state, plan or configuration of a `vpce_gateway_load_balancer`.
    #[description = "A Gateway Load Balancer VPC endpoint: a network interface in one subnet that sends the traffic routed to it to the appliances (firewalls, inspection) behind a Gateway Load Balancer, through the load balancer's endpoint service. Routes that target the endpoint (`vpc_endpoint_id` in a route) steer traffic through it. \
                          Such endpoints take no security groups, endpoint policy or private DNS. They are billed per hour and per GB processed."]
    pub(crate) struct GatewayLoadBalancerModel {
        attrs {
            id: String [computed] "The endpoint ID (`vpce-...`).";
            arn: String [computed] "The endpoint ARN.";
            vpc_id: String [required replace_when_configured] "The VPC. Changing it replaces the endpoint.";
            service_name: String [required replace_when_configured] "The Gateway Load Balancer endpoint service, by its full name: `com.amazonaws.vpce.REGION.vpce-svc-...` (the `service_name` of the load balancer's endpoint service). It must be a service of type GatewayLoadBalancer. Changing it replaces the endpoint.";
            subnet_ids: Set<String> [required] "The endpoint's subnet, as a set of exactly one (EC2 takes one subnet for this type; the name is the `aws_vpc_endpoint` one). The subnet must be in the VPC and in an Availability Zone of the service's load balancer. Changing it moves the endpoint's network interface to the new subnet in place.";
            ip_address_type: String [optional computed one_of(IP_ADDRESS_TYPES)] "`ipv4` or `dualstack` (the subnet needs an IPv6 CIDR block, and the service must support IPv6). Defaults to what AWS chooses. Changes in place.";
            tags: Map<String> [optional computed empty_when_null] "Tags of the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none.";
            tags_all: Map<String> [computed] "Every tag of the endpoint: the provider's `default_tags` merged with `tags` (a key in both takes the value of `tags`), less the tags `ignore_tags` names.";
            state: String [computed] "The endpoint state as EC2 documents it, e.g. `available` or `pendingAcceptance` (a service that requires acceptance, until its owner accepts).";
            network_interface_ids: Set<String> [computed] "The endpoint's network interface (one, in its subnet).";
            owner_id: String [computed] "The account that owns the endpoint.";
            requester_managed: bool [computed] "Whether an AWS service manages the endpoint.";
            auto_accept: bool [optional] "Accept the endpoint's connection when it waits for acceptance (`pendingAcceptance`), after the create or when set to `true` later: possible only for a service this account owns (its service configuration). Never read from AWS: an import leaves it unset.";
        }
        blocks {
            timeouts: Timeouts;
        }
    }
}

endpoint_model!(GatewayLoadBalancerModel, no_policy);

pub(crate) struct GatewayLoadBalancer {
    schema: Schema,
}

impl GatewayLoadBalancer {
    pub(crate) fn new() -> Self {
        GatewayLoadBalancer { schema: GatewayLoadBalancerModel::schema(0) }
    }
}

impl Default for GatewayLoadBalancer {
    fn default() -> Self {
        Self::new()
    }
}

impl Endpoint for GatewayLoadBalancer {
    type Model = GatewayLoadBalancerModel;
    const TYPE_NAME: &'static str = "vpce_gateway_load_balancer";
    const KIND: &'static str = "Gateway Load Balancer endpoint";
    const EC2_TYPE: &'static str = "GatewayLoadBalancer";
    const EXAMPLE_ADDRESS: &'static str = "vpce_gateway_load_balancer.inspection";
    const READY: &'static [&'static str] = &["available", "pendingacceptance"];

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &GatewayLoadBalancerModel) -> Diagnostics {
        validate(config)
    }

    fn replacements(&self, _prior: &GatewayLoadBalancerModel, _config: &GatewayLoadBalancerModel) -> Vec<Vec<PathStep>> {
        Vec::new()
    }

    /// A new subnet or IP address type gives the endpoint a new network interface (and a new
    /// state); accepting a waiting endpoint changes its state.
    fn complete_plan(
        &self,
        prior: Option<&GatewayLoadBalancerModel>,
        planned: &mut GatewayLoadBalancerModel,
        _config: &GatewayLoadBalancerModel,
        fresh: bool,
    ) {
        let Some(prior) = prior.filter(|_| !fresh) else { return };
        if network_changes(prior, planned) {
            planned.network_interface_ids = Val::unknown();
            planned.state = Val::unknown();
        }
        let waiting = prior.state.as_str().is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
        if waiting && planned.auto_accept.as_bool() == Some(true) && prior.auto_accept.as_bool() != Some(true) {
            planned.state = Val::unknown();
        }
    }

    async fn check_plan(
        &self,
        ctx: &Ctx,
        prior: Option<&GatewayLoadBalancerModel>,
        planned: &GatewayLoadBalancerModel,
        fresh: bool,
        diags: &mut Diagnostics,
    ) {
        if diags.has_errors() {
            return;
        }
        checks::check_plan(ctx, prior.filter(|_| !fresh), planned, diags).await;
        if !diags.has_errors() {
            let prior_id = prior.and_then(|p| p.id.as_str());
            super::ec2_rules::check_gateway_load_balancer(ctx, prior_id, planned.vpc_id.as_str(), fresh, diags).await;
        }
    }

    fn error_attr(&self, code: &str) -> Option<&'static str> {
        code.starts_with("InvalidSubnet").then_some("subnet_ids")
    }

    fn state_from_endpoint(&self, region: &str, base: &GatewayLoadBalancerModel, ep: &VpcEndpoint) -> GatewayLoadBalancerModel {
        state_from_endpoint(region, base, ep)
    }

    async fn describe(
        &self,
        ctx: &Ctx,
        base: &GatewayLoadBalancerModel,
        ep: &VpcEndpoint,
        _check: bool,
    ) -> (GatewayLoadBalancerModel, Diagnostics) {
        (state_from_endpoint(ctx.ec2.region(), base, ep), Diagnostics::new())
    }

    fn settle<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a GatewayLoadBalancerModel>,
        planned: &'a GatewayLoadBalancerModel,
        ep: Option<VpcEndpoint>,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<VpcEndpoint>> + Send + 'a {
        let ask = Acceptance {
            auto_accept: &planned.auto_accept,
            planned_id: &planned.id,
            timeouts: &planned.timeouts,
            prior: prior.map(|p| (&p.state, &p.id)),
        };
        accept_if_asked(ctx, ask, ep, diags)
    }

    fn create_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        planned: &'a GatewayLoadBalancerModel,
        _config: &'a GatewayLoadBalancerModel,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<aws::EndpointSpec>> + Send + 'a {
        let spec = aws::GatewayLoadBalancerSpec {
            subnet_ids: planned.subnet_ids.strings().into_iter().collect(),
            ip_address_type: planned.ip_address_type.as_str().map(str::to_string),
        };
        std::future::ready(Some(aws::EndpointSpec::GatewayLoadBalancer(spec)))
    }

    /// The subnet exchanged in one request (EC2 keeps exactly one), and the IP address type.
    fn modify_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        prior: &'a GatewayLoadBalancerModel,
        planned: &'a GatewayLoadBalancerModel,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Result<aws::ModifySpec, ()>> + Send + 'a {
        let (before, after) = (prior.subnet_ids.strings(), planned.subnet_ids.strings());
        let spec = aws::ModifySpec {
            add_subnet_ids: after.difference(&before).cloned().collect(),
            remove_subnet_ids: before.difference(&after).cloned().collect(),
            ip_address_type: planned.ip_address_type.as_str().filter(|v| prior.ip_address_type.as_str() != Some(*v)).map(str::to_string),
            ..Default::default()
        };
        std::future::ready(Ok(spec))
    }

    fn moved_from_aws(&self, source: &AwsEndpoint) -> GatewayLoadBalancerModel {
        moved_from(source)
    }
}

/// Whether the change from `prior` to `planned` changes the endpoint's network interface.
fn network_changes(prior: &GatewayLoadBalancerModel, planned: &GatewayLoadBalancerModel) -> bool {
    !planned.subnet_ids.is_wholly_known()
        || prior.subnet_ids.strings() != planned.subnet_ids.strings()
        || prior.ip_address_type != planned.ip_address_type
}

// ---------------------------------------------------------------------------------------------
// Validation (static, no AWS)
// ---------------------------------------------------------------------------------------------

fn validate(config: &GatewayLoadBalancerModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&config.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
    validate_ids(&config.subnet_ids, "subnet_ids", "subnet-", "subnet", &mut d);
    if let Some(subnets) = config.subnet_ids.known().filter(|_| config.subnet_ids.is_wholly_known()) {
        if subnets.0.len() != 1 {
            let ids: Vec<String> = config.subnet_ids.strings().into_iter().collect();
            let given = if ids.is_empty() { "none".to_string() } else { format!("{} ({})", ids.len(), ids.join(", ")) };
            d.attr_error(
                "subnet_ids",
                "Exactly one subnet",
                format!("A Gateway Load Balancer endpoint takes exactly one subnet (EC2 refuses any other number); subnet_ids has {given}. For appliances in several Availability Zones, create one endpoint per zone."),
            );
        }
    }
    if let Some(name) = config.service_name.as_str() {
        validate_service_name(name, &mut d);
    }
    tags::validate(&config.tags, &mut d);
    timeouts::validate(&config.timeouts, &mut d);
    d
}

fn validate_service_name(name: &str, d: &mut Diagnostics) {
    if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
        d.attr_error(
            "service_name",
            "Invalid service name",
            format!("\"{name}\" is not a service name: use the full name of the Gateway Load Balancer's endpoint service, `com.amazonaws.vpce.REGION.vpce-svc-...`."),
        );
    } else if !aws::is_full_service_name(name) {
        let hint = match name.starts_with("vpce-svc-") {
            true => format!(
                " \"{name}\" is the service's ID; its name is `com.amazonaws.vpce.REGION.{name}` (the endpoint service's `service_name`)."
            ),
            false => String::new(),
        };
        d.attr_error(
            "service_name",
            "Full service name needed",
            format!("A Gateway Load Balancer endpoint needs the full name of its endpoint service, `com.amazonaws.vpce.REGION.vpce-svc-...`: short names are only for AWS services, which offer no Gateway Load Balancer endpoints.{hint}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// The state of `ep`, with `base` (prior state, plan or an empty model) supplying what EC2 does
/// not say or what the user wrote differently but equivalently: the service name's spelling,
/// `auto_accept`, `timeouts`.
fn state_from_endpoint(region: &str, base: &GatewayLoadBalancerModel, ep: &VpcEndpoint) -> GatewayLoadBalancerModel {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let owner = ep.owner_id().unwrap_or_default();
    let aws_service = ep.service_name().unwrap_or_default();
    let service_name = match base.service_name.as_str() {
        Some(mine) if aws::resolve_service_name(mine, region) == aws_service => mine.to_string(),
        _ => aws_service.to_string(),
    };
    GatewayLoadBalancerModel {
        id: Val::Known(id.to_string()),
        arn: (!owner.is_empty()).then(|| aws::endpoint_arn(region, owner, id)).into(),
        vpc_id: ep.vpc_id().map(str::to_string).into(),
        service_name: Val::Known(service_name),
        subnet_ids: Val::Known(string_set(ep.subnet_ids())),
        ip_address_type: match ep.ip_address_type() {
            Some(t) => Val::Known(t.as_str().to_ascii_lowercase()),
            None => known_or_null(&base.ip_address_type),
        },
        tags: tags::state_value(aws::tags_from_ec2(ep.tags())),
        tags_all: tags::state_value(aws::tags_from_ec2(ep.tags())),
        state: Val::Known(aws::state_display(ep)),
        network_interface_ids: Val::Known(string_set(ep.network_interface_ids())),
        owner_id: (!owner.is_empty()).then(|| owner.to_string()).into(),
        requester_managed: Val::Known(ep.requester_managed().unwrap_or(false)),
        // Never read: what the configuration says.
        auto_accept: known_or_null(&base.auto_accept),
        timeouts: known_or_null(&base.timeouts),
    }
}

/// `vpce_gateway_load_balancer` from an `aws_vpc_endpoint` of type GatewayLoadBalancer (see the
/// gateway's). `auto_accept` and `tags_all` are carried over by the move itself.
#[allow(clippy::needless_update)]
fn moved_from(src: &AwsEndpoint) -> GatewayLoadBalancerModel {
    GatewayLoadBalancerModel {
        id: Val::Known(src.id.clone()),
        arn: src.arn(),
        vpc_id: src.string("vpc_id"),
        service_name: src.string("service_name"),
        subnet_ids: src.string_set("subnet_ids"),
        ip_address_type: src.ip_address_type(),
        tags: src.tags(),
        state: src.string("state"),
        network_interface_ids: src.string_set("network_interface_ids"),
        owner_id: src.string("owner_id"),
        requester_managed: src.bool("requester_managed").into(),
        timeouts: src.timeouts(),
        ..GatewayLoadBalancerModel::default()
    }
}
