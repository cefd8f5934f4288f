//! `vpce_gateway`: Gateway VPC endpoints. Only Amazon S3 and DynamoDB offer them: the endpoint
//! is a target in route tables (a route for the service's AWS-managed prefix list), free of charge.
//!
//! The lifecycle is the shared one of [`endpoint`]; this file holds what is the gateway's own:
//! its model and schema, static validation, the checks against EC2 at plan, the route tables and
//! prefix list of a read, and the create and modify requests.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{RouteTable, VpcEndpoint};
use serde_json::Value as Json;
use std::future::Future;

use super::ec2_rules::GatewayFacts;
use super::endpoint::moves::AwsEndpoint;
use super::endpoint::{self, endpoint_model, Endpoint};
use super::ownership::Owners;
use super::timeouts::{self, Timeouts};
use super::{policy, tags, Ctx};
use crate::aws::{self, route_table_has_endpoint_route, state_display, AwsError};
use crate::checks::{attr_path, validate_id, validate_ids};
use crate::models::string_set;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Map, Model, Set, Val};
use crate::protocol::schema::Schema;
use crate::protocol::values::PathStep;

/// Short service names `service_name` accepts (resolved against the provider region).
const SHORT_NAMES: &[&str] = &["s3", "dynamodb"];

crate::model! {
    /// The state, plan or configuration of a `vpce_gateway`.
    #[description = "A Gateway VPC endpoint for Amazon S3 or DynamoDB: traffic from the associated route tables to the service goes through the endpoint (a route for the service's prefix list). Gateway endpoints are free."]
    pub(crate) struct GatewayModel {
        attrs {
            id: String [computed] "The endpoint ID, `vpce-...`.";
            vpc_id: String [required replace_when_configured] "The VPC to create the endpoint in. Changing it replaces the endpoint.";
            service_name: String [required replace_when_configured] "The service: `s3` or `dynamodb` (resolved against the provider region), or the full name such as `com.amazonaws.us-east-1.s3`. Changing it replaces the endpoint.";
            route_table_ids: Set<String> [optional computed] "Route tables to associate: AWS adds a route for the service's prefix list to each. `[]` means none. Not set (or `null`) means the route tables are managed elsewhere (`vpce_route_table_association`, or outside Terraform): the endpoint keeps whatever tables it has, and the state shows them.";
            policy: String [optional computed] "The endpoint policy, a JSON document (compared semantically: formatting and key order never show a diff). Defaults to full access; removing it from the configuration resets the policy to that default.";
            tags: Map<String> [optional computed empty_when_null] "Tags for the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none.";
            tags_all: Map<String> [computed] "Every tag of the endpoint: the provider's `default_tags` merged with `tags` (a key in both takes the value of `tags`), less the tags `ignore_tags` names.";
            arn: String [computed] "The endpoint ARN.";
            state: String [computed] "The endpoint state, e.g. `available`.";
            prefix_list_id: String [computed] "The AWS-managed prefix list of the service (the route destination), e.g. for security group rules.";
            cidr_blocks: List<String> [computed] "The CIDR blocks of the service's prefix list (empty when AWS does not list them).";
            owner_id: String [computed] "The AWS account that owns the endpoint.";
            ip_address_type: String [optional computed one_of(aws::IP_ADDRESS_TYPES)] "`ipv4`, `dualstack` or `ipv6`: which prefix-list routes EC2 adds (`dualstack` adds the IPv4 and the IPv6 one; every subnet using the route tables must have both kinds of address, `ipv6` needs IPv6-only subnets). `ipv4` and `dualstack` switch in place; switching to or from `ipv6` replaces the endpoint.";
            requester_managed: bool [computed] "Whether an AWS service manages the endpoint.";
            covered_subnet_ids: Set<String> [computed] "The subnets of the VPC whose traffic to the service goes through this endpoint: those whose route table (their explicit association, else the VPC's main route table) is one of the endpoint's. Read at every refresh, so an association changed outside Terraform shows; unknown in a plan that changes `route_table_ids`.";
        }
        blocks {
            dns_options: GatewayDnsOptions;
            timeouts: Timeouts;
        }
    }
}

crate::model! {
    #[description = "DNS options of the endpoint."]
    pub(crate) struct GatewayDnsOptions {
        attrs {
            dns_record_ip_type: String [optional computed one_of(aws::DNS_RECORD_IP_TYPES)] "`ipv4`, `dualstack`, `ipv6` or `service-defined` (the default). Any other than `service-defined` needs `enableDnsSupport` and `enableDnsHostnames` on the VPC; DynamoDB supports only `service-defined`.";
        }
    }
}

endpoint_model!(GatewayModel);

impl GatewayModel {
    /// What the EC2 rule about other endpoints reads (`ec2_rules::check_gateway`).
    fn rule_facts(&self) -> GatewayFacts<'_> {
        GatewayFacts {
            id: &self.id,
            vpc_id: &self.vpc_id,
            service_name: &self.service_name,
            route_table_ids: &self.route_table_ids,
            tags_all: &self.tags_all,
        }
    }
}

static NULL_STRING: Val<String> = Val::Null;

/// `dns_options.dns_record_ip_type` (null when the block is not set).
fn dns_record(m: &GatewayModel) -> &Val<String> {
    m.dns_options.known().map_or(&NULL_STRING, |d| &d.dns_record_ip_type)
}

pub(crate) struct Gateway {
    schema: Schema,
}

impl Gateway {
    pub(crate) fn new() -> Self {
        Gateway { schema: GatewayModel::schema(0) }
    }
}

impl Default for Gateway {
    fn default() -> Self {
        Self::new()
    }
}

impl Endpoint for Gateway {
    type Model = GatewayModel;
    const TYPE_NAME: &'static str = "vpce_gateway";
    const KIND: &'static str = "gateway endpoint";
    const EC2_TYPE: &'static str = "Gateway";
    const EXAMPLE_ADDRESS: &'static str = "vpce_gateway.s3";
    const READY: &'static [&'static str] = &["available"];

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &GatewayModel) -> Diagnostics {
        validate(config)
    }

    /// ipv4 <-> dualstack changes in place; to or from ipv6 EC2 cannot.
    fn replacements(&self, prior: &GatewayModel, config: &GatewayModel) -> Vec<Vec<PathStep>> {
        match (prior.ip_address_type.as_str(), config.ip_address_type.as_str()) {
            (Some(old), Some(new)) if old != new && (old == "ipv6" || new == "ipv6") => vec![attr_path(&["ip_address_type"])],
            _ => Vec::new(),
        }
    }

    /// `covered_subnet_ids` follows the route tables: unknown when they change (or are unknown).
    fn complete_plan(&self, prior: Option<&GatewayModel>, planned: &mut GatewayModel, _config: &GatewayModel, fresh: bool) {
        let changed = match prior {
            Some(prior) if !fresh => {
                !planned.route_table_ids.is_wholly_known() || prior.route_table_ids.strings() != planned.route_table_ids.strings()
            }
            _ => true,
        };
        if changed {
            planned.covered_subnet_ids = Val::unknown();
        }
    }

    /// A gateway that sets `route_table_ids` owns all of its endpoint's route tables: route table
    /// associations of the same endpoint in this configuration are a conflict (each would undo
    /// the other at every apply).
    fn check_config(&self, owners: &Owners, planned: &GatewayModel, config: &GatewayModel, fresh: bool, diags: &mut Diagnostics) {
        let (Some(id), false) = (planned.id.as_str(), fresh) else { return };
        let tables = super::association::configured_members(&config.route_table_ids);
        owners.check_inline(&super::association::route_table::NAMES, id, tables, diags);
    }

    async fn check_plan(&self, ctx: &Ctx, prior: Option<&GatewayModel>, planned: &GatewayModel, fresh: bool, diags: &mut Diagnostics) {
        check_service_region(planned, ctx.ec2.region(), diags);
        if !diags.has_errors() {
            diags.extend(check_with_aws(ctx, prior, planned, fresh).await);
        }
        if !diags.has_errors() {
            super::ec2_rules::check_gateway(ctx, prior.map(GatewayModel::rule_facts).as_ref(), &planned.rule_facts(), fresh, diags).await;
        }
    }

    /// Subnets left on a NAT gateway: only when the route tables are known, set in the
    /// configuration (not "managed elsewhere") and new or changed in this plan.
    async fn advise(
        &self,
        ctx: &Ctx,
        prior: Option<&GatewayModel>,
        planned: &GatewayModel,
        config: &GatewayModel,
        fresh: bool,
        diags: &mut Diagnostics,
    ) {
        let tables = planned.route_table_ids.is_wholly_known().then(|| planned.route_table_ids.strings());
        let changed = fresh || prior.is_none_or(|p| Some(p.route_table_ids.strings()) != tables);
        if let (false, true, Some(vpc), Some(service), Some(tables)) =
            (config.route_table_ids.is_null(), changed, planned.vpc_id.as_str(), planned.service_name.as_str(), tables)
        {
            let service = aws::resolve_service_name(service, ctx.ec2.region());
            super::advice::gateway_nat(ctx, vpc, &service, &tables, diags).await;
        }
    }

    fn error_attr(&self, code: &str) -> Option<&'static str> {
        (code.starts_with("InvalidRouteTableId") || code.starts_with("InvalidRouteTableID")).then_some("route_table_ids")
    }

    fn state_from_endpoint(&self, region: &str, base: &GatewayModel, ep: &VpcEndpoint) -> GatewayModel {
        state_from_endpoint(region, base, ep)
    }

    fn describe<'a>(
        &'a self,
        ctx: &'a Ctx,
        base: &'a GatewayModel,
        ep: &'a VpcEndpoint,
        check: bool,
    ) -> impl Future<Output = (GatewayModel, Diagnostics)> + Send + 'a {
        describe_fully(ctx, base, ep, if check { RouteTables::Lookup } else { RouteTables::Skip })
    }

    /// Reads the endpoint; with `check`, also checks that every associated route table really
    /// routes the service's prefix list to the endpoint (warnings on `route_table_ids` otherwise;
    /// one batched DescribeRouteTables, made at the same time as the endpoint's read).
    async fn read(&self, ctx: &Ctx, current: &GatewayModel, check: bool) -> Result<Option<(GatewayModel, Diagnostics)>, AwsError> {
        let Some(id) = current.id.as_str().filter(|s| !s.is_empty()) else { return Ok(None) };
        // The route tables in the state are (nearly always) those of the endpoint: look them up at
        // the same time as the endpoint rather than after it.
        let tables = if check { current.route_table_ids.strings() } else { BTreeSet::new() };
        let prefetch = async {
            let ids: Vec<String> = tables.iter().cloned().collect();
            (!ids.is_empty()).then_some(ctx.ec2.refresh_route_tables(&ids).await)
        };
        let (ep, prefetched) = tokio::join!(endpoint::find_endpoint(ctx, id, current.state.as_str(), check), prefetch);
        let Some(ep) = ep? else { return Ok(None) };
        endpoint::settle_marker(ctx, &ep);
        let route_tables = match prefetched {
            Some(Ok(found)) if ep.route_table_ids().iter().all(|t| tables.contains(t)) => {
                // The state's tables: keep the endpoint's (it may have dropped some since).
                let mine = |t: &RouteTable| t.route_table_id().is_some_and(|id| ep.route_table_ids().iter().any(|m| m == id));
                RouteTables::Prefetched(found.into_iter().filter(mine).collect())
            }
            _ if check => RouteTables::Lookup,
            _ => RouteTables::Skip,
        };
        Ok(Some(describe_fully(ctx, current, &ep, route_tables).await))
    }

    fn create_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        planned: &'a GatewayModel,
        config: &'a GatewayModel,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<aws::EndpointSpec>> + Send + 'a {
        let spec = aws::GatewaySpec {
            route_table_ids: planned.route_table_ids.strings().into_iter().collect(),
            policy: policy::configured(&config.policy).map(str::to_string),
            ip_address_type: planned.ip_address_type.as_str().map(str::to_string),
            dns_record_ip_type: dns_record(planned).as_str().map(str::to_string),
        };
        std::future::ready(Some(aws::EndpointSpec::Gateway(spec)))
    }

    fn modify_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        prior: &'a GatewayModel,
        planned: &'a GatewayModel,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Result<aws::ModifySpec, ()>> + Send + 'a {
        let (before, after) = (prior.route_table_ids.strings(), planned.route_table_ids.strings());
        let new_record = dns_record(planned).as_str().filter(|r| dns_record(prior).as_str() != Some(*r));
        let spec = aws::ModifySpec {
            add_route_table_ids: after.difference(&before).cloned().collect(),
            remove_route_table_ids: before.difference(&after).cloned().collect(),
            ip_address_type: planned.ip_address_type.as_str().filter(|v| prior.ip_address_type.as_str() != Some(*v)).map(str::to_string),
            dns: new_record.map(|r| aws::DnsSpec { dns_record_ip_type: Some(r.to_string()), ..Default::default() }),
            ..Default::default()
        };
        std::future::ready(Ok(spec))
    }

    fn moved_from_aws(&self, source: &AwsEndpoint) -> GatewayModel {
        moved_from(source)
    }
}

// ---------------------------------------------------------------------------------------------
// `moved` from hashicorp/aws
// ---------------------------------------------------------------------------------------------

/// `vpce_gateway` from an `aws_vpc_endpoint` of type Gateway. (Attributes added to the model later
/// start null, then [`move_state`](endpoint::moves::move_state) or the refresh fills them: hence the struct update.)
#[allow(clippy::needless_update)]
fn moved_from(src: &AwsEndpoint) -> GatewayModel {
    // The block only when it holds a setting of the user's: an absent block plans no change.
    let dns_options = src
        .block("dns_options")
        .and_then(|d| src.chosen_record_type(d))
        .map_or(Val::Null, |t| Val::Known(GatewayDnsOptions { dns_record_ip_type: Val::Known(t) }));
    GatewayModel {
        id: Val::Known(src.id.clone()),
        vpc_id: src.string("vpc_id"),
        service_name: src.string("service_name"),
        route_table_ids: src.string_set("route_table_ids"),
        policy: src.state.get("policy").and_then(Json::as_str).map(str::to_string).into(),
        tags: src.tags(),
        arn: src.arn(),
        state: src.string("state"),
        prefix_list_id: src.string("prefix_list_id"),
        cidr_blocks: Val::Known(src.strings("cidr_blocks").into_iter().collect()),
        owner_id: src.string("owner_id"),
        ip_address_type: src.ip_address_type(),
        requester_managed: src.bool("requester_managed").into(),
        dns_options,
        timeouts: src.timeouts(),
        ..GatewayModel::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Validation (static, no AWS)
// ---------------------------------------------------------------------------------------------

fn validate(config: &GatewayModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&config.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
    validate_ids(&config.route_table_ids, "route_table_ids", "rtb-", "route table", &mut d);
    policy::validate(&config.policy, &mut d);
    timeouts::validate(&config.timeouts, &mut d);
    if let Some(name) = config.service_name.as_str() {
        validate_service_name(name, &mut d);
    }
    tags::validate(&config.tags, &mut d);
    // ip_address_type and dns_record_ip_type take one of EC2's spellings: checked as the model declares.
    let record = dns_record(config);
    let record_at = || attr_path(&["dns_options", "dns_record_ip_type"]);
    let dynamodb = config.service_name.as_str().is_some_and(|n| n == "dynamodb" || n.ends_with(".dynamodb"));
    if let Some(r) = record.as_str().filter(|r| dynamodb && *r != "service-defined") {
        d.attr_error(
            record_at(),
            "Unsupported DNS record IP type",
            format!("DynamoDB gateway endpoints support only dns_record_ip_type = \"service-defined\", not \"{r}\"."),
        );
    }
    d
}

fn validate_service_name(name: &str, d: &mut Diagnostics) {
    if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
        d.attr_error(
            "service_name",
            "Invalid service name",
            format!("\"{name}\" is not a service name: use `s3`, `dynamodb` or a full name such as `com.amazonaws.us-east-1.s3`."),
        );
    } else if !aws::is_full_service_name(name) && !SHORT_NAMES.contains(&name) {
        d.attr_error(
            "service_name",
            "Unsupported short service name",
            format!(
                "\"{name}\" is not a Gateway endpoint service. Only Amazon S3 and DynamoDB support Gateway endpoints, so the short names `s3` and `dynamodb` are the only ones accepted; write other services in full (`com.amazonaws.REGION.{name}`), and use vpce_interface for Interface endpoints."
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Plan-time checks
// ---------------------------------------------------------------------------------------------

/// The service name in the configuration must be in the provider's region (gateway endpoints
/// connect a VPC to a service in the same region).
fn check_service_region(planned: &GatewayModel, region: &str, d: &mut Diagnostics) {
    let Some(name) = planned.service_name.as_str() else { return };
    let full = aws::resolve_service_name(name, region);
    if let Some(service_region) = aws::service_region(&full) {
        if service_region != region {
            let short = full.rsplit('.').next().unwrap_or("s3");
            d.attr_error(
                "service_name",
                "Service is in another region",
                format!(
                    "\"{name}\" is a service in {service_region}, but the provider is configured for {region}. A gateway endpoint connects a VPC to a service in the same region: use \"com.amazonaws.{region}.{short}\" (or the short form \"{short}\"), or configure the provider for {service_region}."
                ),
            );
        }
    }
}

/// Plan-time checks against AWS, only for known values and only for what this plan changes.
/// Lookup failures (permissions, throttling) are warnings: they must not block a plan.
async fn check_with_aws(ctx: &Ctx, prior: Option<&GatewayModel>, planned: &GatewayModel, fresh: bool) -> Diagnostics {
    let region = ctx.ec2.region();
    let vpc_id: Option<&str> = planned.vpc_id.as_str();
    let service = if fresh { planned.service_name.as_str().map(|s| aws::resolve_service_name(s, region)) } else { None };
    let check_vpc = fresh && vpc_id.is_some();
    // Route tables new to this endpoint (all on create).
    let route_tables: Vec<String> = if planned.route_table_ids.is_wholly_known() {
        let before = match prior {
            Some(prior) if !fresh => prior.route_table_ids.strings(),
            _ => BTreeSet::new(),
        };
        planned.route_table_ids.strings().difference(&before).cloned().collect()
    } else {
        Vec::new()
    };

    let service_check = async {
        match &service {
            Some(name) => Some(ctx.ec2.describe_service(name).await),
            None => None,
        }
    };
    let vpc_check = |run: bool| async move {
        match (vpc_id, run) {
            (Some(id), true) => Some(ctx.ec2.vpc_fact(id).await),
            _ => None,
        }
    };
    let rt_check = async {
        if route_tables.is_empty() {
            None
        } else {
            Some(ctx.ec2.route_table_facts(&route_tables).await)
        }
    };
    // A route table found in the VPC proves that the VPC exists: look the VPC up only otherwise.
    let (service_found, rts_found, mut vpc_found) = tokio::join!(service_check, rt_check, vpc_check(check_vpc && route_tables.is_empty()));
    let in_vpc = |t: &RouteTable| t.vpc_id() == vpc_id;
    if check_vpc && vpc_found.is_none() && !matches!(&rts_found, Some(Ok(tables)) if tables.iter().any(in_vpc)) {
        vpc_found = vpc_check(true).await;
    }

    let mut d = Diagnostics::new();
    // A DNS record IP type other than service-defined needs the VPC's DNS support and hostnames.
    let record = dns_record(planned).as_str();
    let record_new = fresh || prior.and_then(|p| dns_record(p).as_str()) != record;
    if let (Some(r), Some(vpc), true) = (record.filter(|r| *r != "service-defined"), vpc_id, record_new) {
        match ctx.ec2.vpc_dns_facts(vpc).await {
            Ok((support, hostnames)) if !(support && hostnames) => d.attr_error(
                vec![PathStep::Attr("dns_options".into()), PathStep::Attr("dns_record_ip_type".into())],
                "The VPC does not allow this DNS record IP type",
                format!(
                    "dns_record_ip_type = \"{r}\" needs enableDnsSupport and enableDnsHostnames on {vpc}, which has enableDnsSupport = {support} and enableDnsHostnames = {hostnames}. Turn both on, or use \"service-defined\"."
                ),
            ),
            Ok(_) => {}
            Err(e) if e.is_missing(crate::aws::Missing::Vpc) => {}
            Err(e) => d.warning("Could not check the VPC", format!("The provider could not read the DNS attributes of {vpc}: {e}")),
        }
    }
    let could_not = |d: &mut Diagnostics, what: &str, e: &AwsError| {
        d.warning(format!("Could not check {what}"), format!("The provider could not verify {what} before applying: {e}"));
    };
    if let (Some(name), Some(found)) = (&service, service_found) {
        match found {
            Ok(None) => d.attr_error(
                "service_name",
                "Unknown endpoint service",
                format!("{name} is not an endpoint service in {region}. Gateway endpoints exist only for `s3` and `dynamodb`."),
            ),
            Ok(Some(detail)) => {
                let types: Vec<String> =
                    detail.service_type().iter().filter_map(|t| t.service_type()).map(|t| t.as_str().to_string()).collect();
                if !types.iter().any(|t| t.eq_ignore_ascii_case("Gateway")) {
                    let supported = if types.is_empty() { "no endpoint type".to_string() } else { types.join(" and ") };
                    d.attr_error(
                        "service_name",
                        "Service does not support Gateway endpoints",
                        format!(
                            "{name} supports {supported} only. Gateway endpoints exist only for Amazon S3 (`s3`) and DynamoDB (`dynamodb`); create an Interface endpoint with vpce_interface for this service."
                        ),
                    );
                }
            }
            Err(e) => could_not(&mut d, "the service", &e),
        }
    }
    if let (Some(id), Some(found)) = (&vpc_id, vpc_found) {
        match found {
            Ok(None) => d.attr_error("vpc_id", "VPC not found", format!("VPC {id} does not exist in {region}.")),
            Ok(Some(_)) => {}
            Err(e) => could_not(&mut d, "the VPC", &e),
        }
    }
    if let Some(found) = rts_found {
        match found {
            Ok(tables) => {
                for id in &route_tables {
                    match tables.iter().find(|t| t.route_table_id() == Some(id.as_str())) {
                        None => d.attr_error(
                            "route_table_ids",
                            "Route table not found",
                            format!("Route table {id} does not exist in {region}."),
                        ),
                        Some(t) => {
                            let owner = t.vpc_id().unwrap_or("another VPC");
                            if let Some(vpc) = vpc_id.filter(|v| Some(*v) != t.vpc_id()) {
                                d.attr_error(
                                    "route_table_ids",
                                    "Route table is not in the VPC",
                                    format!("Route table {id} belongs to {owner}, not to {vpc} (vpc_id). A gateway endpoint can only be associated with route tables of its own VPC."),
                                );
                            }
                        }
                    }
                }
            }
            Err(e) => could_not(&mut d, "the route tables", &e),
        }
    }
    d
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// The state for `ep`, from the endpoint alone (no further calls): `prefix_list_id` and
/// `cidr_blocks` come from `current`.
fn state_from_endpoint(region: &str, current: &GatewayModel, ep: &VpcEndpoint) -> GatewayModel {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let aws_service = ep.service_name().unwrap_or_default();
    let service_name = match current.service_name.as_str() {
        Some(mine) if aws::resolve_service_name(mine, region) == aws_service => mine.to_string(),
        _ => aws_service.to_string(),
    };
    let owner = ep.owner_id().unwrap_or_default();
    let known_owner = (!owner.is_empty()).then_some(owner);
    GatewayModel {
        id: Val::Known(id.to_string()),
        vpc_id: ep.vpc_id().map(str::to_string).into(),
        service_name: Val::Known(service_name),
        route_table_ids: Val::Known(string_set(ep.route_table_ids())),
        policy: policy::reconcile(&current.policy, ep.policy_document()),
        tags: tags::state_value(aws::tags_from_ec2(ep.tags())),
        tags_all: tags::state_value(aws::tags_from_ec2(ep.tags())),
        arn: known_owner.map(|owner| aws::endpoint_arn(region, owner, id)).into(),
        state: Val::Known(state_display(ep)),
        prefix_list_id: current.prefix_list_id.clone().or_null(),
        cidr_blocks: current.cidr_blocks.clone().or_null(),
        owner_id: known_owner.map(str::to_string).into(),
        ip_address_type: match ep.ip_address_type() {
            Some(t) => Val::Known(t.as_str().to_ascii_lowercase()),
            None => current.ip_address_type.clone().or_null(),
        },
        requester_managed: Val::Known(ep.requester_managed().unwrap_or(false)),
        covered_subnet_ids: current.covered_subnet_ids.clone().or_null(),
        dns_options: match &current.dns_options {
            Val::Null => Val::Null,
            mine => {
                let record = ep.dns_options().and_then(|d| d.dns_record_ip_type()).map(|t| t.as_str().to_string());
                let mine = mine.known().map(|m| m.dns_record_ip_type.clone().or_null()).unwrap_or_default();
                Val::Known(GatewayDnsOptions { dns_record_ip_type: record.map_or(mine, Val::Known) })
            }
        },
        timeouts: current.timeouts.clone().or_null(),
    }
}

/// How [`describe_fully`] checks the routes of the endpoint's route tables.
enum RouteTables {
    /// Not at all (where the warnings would not be shown anyway).
    Skip,
    /// Looks the tables up.
    Lookup,
    /// The endpoint's tables, looked up already; a table of the endpoint's missing here does not exist.
    Prefetched(Vec<RouteTable>),
}

async fn describe_fully(ctx: &Ctx, current: &GatewayModel, ep: &VpcEndpoint, route_tables: RouteTables) -> (GatewayModel, Diagnostics) {
    let region = ctx.ec2.region();
    let mut diags = Diagnostics::new();
    let mut state = state_from_endpoint(region, current, ep);
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let service = ep.service_name().unwrap_or_default();

    let prefix_list = match ctx.ec2.find_gateway_prefix_list(service).await {
        Ok(Some(pl)) => {
            if let Some(e) = &pl.cidrs_error {
                crate::debug!(format!("cannot list the entries of prefix list {}: {e}", pl.id));
            }
            state.prefix_list_id = Val::Known(pl.id.clone());
            state.cidr_blocks = Val::Known(pl.cidrs.iter().cloned().collect());
            Some(pl.id)
        }
        Ok(None) => {
            state.prefix_list_id = Val::Null;
            state.cidr_blocks = Val::Known(List::default());
            None
        }
        Err(e) => {
            diags.warning("Cannot read the service prefix list", format!("prefix_list_id and cidr_blocks of {id} may be out of date: {e}"));
            if state.cidr_blocks.is_null() {
                state.cidr_blocks = Val::Known(List::default());
            }
            state.prefix_list_id.as_str().map(str::to_owned)
        }
    };

    // The endpoint's route tables, where this read checks them: their routes, and the subnets
    // they cover (from their associations alone unless one is the VPC's main table).
    let tables: Vec<String> = ep.route_table_ids().to_vec();
    let found = match route_tables {
        RouteTables::Skip => None,
        _ if tables.is_empty() => Some(Ok(Vec::new())),
        RouteTables::Lookup => Some(ctx.ec2.find_route_tables(&tables).await),
        RouteTables::Prefetched(found) => Some(Ok(found)),
    };
    // Not for a list page (the import reads it), nor where the plan holds null (an older state).
    if !(found.is_none() && current.covered_subnet_ids.is_null()) {
        match found.as_ref().and_then(|f| f.as_ref().ok()).and_then(|f| aws::covered_by(f)) {
            Some(covered) => state.covered_subnet_ids = Val::Known(string_set(covered)),
            None => covered_subnets(ctx, ep, &mut state, &mut diags).await,
        }
    }
    if let (Some(pl), false, Some(found)) = (prefix_list, tables.is_empty(), found) {
        match found {
            Ok(found) => {
                for rt in &tables {
                    match found.iter().find(|t| t.route_table_id() == Some(rt.as_str())) {
                        None => diags.attr_warning(
                            "route_table_ids",
                            "Associated route table not found",
                            format!("{id} is associated with route table {rt}, which does not exist (DescribeRouteTables does not list it)."),
                        ),
                        Some(t) if !route_table_has_endpoint_route(t, &pl, id) => diags.attr_warning(
                            "route_table_ids",
                            "Missing route to the gateway endpoint",
                            format!(
                                "Route table {rt} is associated with {id}, but it has no route for prefix list {pl} ({service}) to {id}, so traffic to the service from subnets using this table does not go through the endpoint. Re-associate the table (remove it from route_table_ids, apply, add it back), or add the route: destination prefix list {pl}, target {id}."
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            }
            Err(e) => {
                diags.warning("Cannot check the endpoint routes", format!("The routes of {id}'s route tables could not be read: {e}"))
            }
        }
    }
    (state, diags)
}

/// `covered_subnet_ids` from the VPC's network (looked up once per VPC and process); when it
/// cannot be read, the value in the state stays (empty if there is none) with a warning.
async fn covered_subnets(ctx: &Ctx, ep: &VpcEndpoint, state: &mut GatewayModel, diags: &mut Diagnostics) {
    let Some(vpc) = ep.vpc_id() else {
        state.covered_subnet_ids = Val::Known(Set::default());
        return;
    };
    match ctx.ec2.vpc_network(vpc).await {
        Ok(net) => {
            let tables: BTreeSet<String> = ep.route_table_ids().iter().cloned().collect();
            state.covered_subnet_ids = Val::Known(net.covered_subnets(&tables).into_iter().collect());
        }
        Err(e) => {
            let id = ep.vpc_endpoint_id().unwrap_or_default();
            diags.warning("Cannot read the subnets the endpoint covers", format!("covered_subnet_ids of {id} may be out of date: {e}"));
            if state.covered_subnet_ids.known().is_none() {
                state.covered_subnet_ids = Val::Known(Set::default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::values::Value;

    fn errors(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|x| x.summary.clone()).collect()
    }

    fn model(v: Value) -> GatewayModel {
        GatewayModel::decode(&v).unwrap().unwrap()
    }

    #[test]
    fn schema_is_the_gateways() {
        let b = Gateway::new().schema.block;
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "id",
                "vpc_id",
                "service_name",
                "route_table_ids",
                "policy",
                "tags",
                "tags_all",
                "arn",
                "state",
                "prefix_list_id",
                "cidr_blocks",
                "owner_id",
                "ip_address_type",
                "requester_managed",
                "covered_subnet_ids"
            ]
        );
        let forced: Vec<&str> = b.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
        assert_eq!(forced, ["vpc_id", "service_name"]);
        let blocks: Vec<&str> = b.blocks.iter().map(|b| b.name).collect();
        assert_eq!(blocks, ["dns_options", "timeouts"]);
        assert_eq!(b.blocks[1].block.description, "Operation timeouts, as Go-style durations such as `10m` or `1h30m`.");
    }

    #[test]
    fn static_validation() {
        let cfg = |sn: &str, extra: Vec<(&str, Value)>| {
            let mut attrs = vec![
                ("vpc_id", Value::string("vpc-1")),
                ("service_name", Value::string(sn)),
                ("route_table_ids", Value::set_of_strings(["rtb-1"])),
            ];
            attrs.extend(extra);
            model(Value::object(attrs))
        };
        assert!(validate(&cfg("s3", vec![])).is_empty());
        assert!(validate(&cfg("dynamodb", vec![])).is_empty());
        assert!(validate(&cfg("com.amazonaws.us-east-1.ec2", vec![])).is_empty(), "full names pass static checks");
        assert_eq!(errors(&validate(&cfg("ec2", vec![]))), vec!["Unsupported short service name"]);
        assert_eq!(errors(&validate(&cfg("", vec![]))), vec!["Invalid service name"]);
        let bad = cfg("s3", vec![("vpc_id", Value::string("subnet-1")), ("route_table_ids", Value::set_of_strings(["rtb-1", "sg-1"]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid VPC ID", "Invalid route table ID"]);
        let bad = cfg("s3", vec![("policy", Value::string("{nope")), ("tags", Value::map_of_strings([("aws:x", "1")]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid policy document", "Invalid tag key"]);
        let bad = cfg("s3", vec![("timeouts", Value::object([("create", Value::string("soon"))]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid timeout"]);
        let bad = cfg("dynamodb", vec![("dns_options", Value::object([("dns_record_ip_type", Value::string("ipv4"))]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Unsupported DNS record IP type"]);
        // Unknown values are not judged.
        let unknown = cfg("s3", vec![("vpc_id", Value::unknown()), ("service_name", Value::unknown())]);
        assert!(validate(&unknown).is_empty());
    }

    #[test]
    fn ipv6_switches_replace() {
        let m = |t: &str| model(Value::object([("ip_address_type", Value::string(t))]));
        let g = Gateway::new();
        assert!(g.replacements(&m("ipv4"), &m("dualstack")).is_empty());
        assert_eq!(g.replacements(&m("ipv4"), &m("ipv6")), vec![attr_path(&["ip_address_type"])]);
        assert_eq!(g.replacements(&m("ipv6"), &m("dualstack")), vec![attr_path(&["ip_address_type"])]);
    }

    #[test]
    fn region_check() {
        let planned = |sn: &str| model(Value::object([("service_name", Value::string(sn))]));
        let mut d = Diagnostics::new();
        check_service_region(&planned("s3"), "eu-west-1", &mut d);
        check_service_region(&planned("com.amazonaws.eu-west-1.s3"), "eu-west-1", &mut d);
        assert!(d.is_empty());
        check_service_region(&planned("com.amazonaws.us-west-2.s3"), "eu-west-1", &mut d);
        assert_eq!(errors(&d), vec!["Service is in another region"]);
        assert!(d.0[0].detail.contains("com.amazonaws.eu-west-1.s3"), "{}", d.0[0].detail);
    }

    #[test]
    fn read_keeps_users_spelling() {
        let ep = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_id("vpc-1")
            .service_name("com.amazonaws.us-east-1.s3")
            .state(aws_sdk_ec2::types::State::Available)
            .policy_document(r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
            .route_table_ids("rtb-2")
            .route_table_ids("rtb-1")
            .owner_id("123456789012")
            .tags(aws_sdk_ec2::types::Tag::builder().key("Name").value("x").build())
            .tags(aws_sdk_ec2::types::Tag::builder().key("aws:cloudformation:stack-name").value("s").build())
            .build();
        let mine =
            r#"{ "Statement": [ { "Resource": "*", "Action": "*", "Principal": "*", "Effect": "Allow" } ], "Version": "2008-10-17" }"#;
        let current =
            model(Value::object([("id", Value::string("vpce-1")), ("service_name", Value::string("s3")), ("policy", Value::string(mine))]));
        let s = state_from_endpoint("us-east-1", &current, &ep);
        assert_eq!(s.service_name.as_str(), Some("s3"));
        assert_eq!(s.policy.as_str(), Some(mine));
        assert_eq!(s.route_table_ids.to_value(), Value::set_of_strings(["rtb-1", "rtb-2"]));
        assert_eq!(s.tags.to_value(), Value::map_of_strings([("Name", "x")]));
        assert_eq!(s.state.as_str(), Some("available"));
        assert_eq!(s.arn.as_str(), Some("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
        // Imported (no service_name yet): the full name from AWS; a service in another region is not rewritten.
        let s = state_from_endpoint("us-east-1", &model(Value::object([("id", Value::string("vpce-1"))])), &ep);
        assert_eq!(s.service_name.as_str(), Some("com.amazonaws.us-east-1.s3"));
        let s = state_from_endpoint("eu-west-1", &current, &ep);
        assert_eq!(s.service_name.as_str(), Some("com.amazonaws.us-east-1.s3"));
    }

    #[test]
    fn empty_collections_read_as_empty_never_null() {
        let ep = VpcEndpoint::builder().vpc_endpoint_id("vpce-1").service_name("com.amazonaws.us-east-1.s3").build();
        for current in
            [Value::object(Vec::<(&str, Value)>::new()), Value::object([("tags", Value::Null), ("route_table_ids", Value::Null)])]
        {
            let s = state_from_endpoint("us-east-1", &model(current), &ep);
            assert_eq!(s.route_table_ids.to_value(), Value::Set(vec![]));
            assert_eq!(s.tags.to_value(), Value::Map(Default::default()));
        }
    }

    #[test]
    fn dns_options_block_follows_the_configuration() {
        let ep = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .dns_options(aws_sdk_ec2::types::DnsOptions::builder().dns_record_ip_type(aws_sdk_ec2::types::DnsRecordIpType::Ipv4).build())
            .build();
        let s = state_from_endpoint("us-east-1", &GatewayModel::default(), &ep);
        assert!(s.dns_options.is_null(), "not configured: no block");
        let current = model(Value::object([("dns_options", Value::object([("dns_record_ip_type", Value::unknown())]))]));
        let s = state_from_endpoint("us-east-1", &current, &ep);
        assert_eq!(dns_record(&s).as_str(), Some("ipv4"));
    }
}
