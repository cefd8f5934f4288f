//! `vpce_gateway`: Gateway VPC endpoints. Only Amazon S3 and DynamoDB offer them: the endpoint
//! is a target in route tables (a route for the service's AWS-managed prefix list), free of charge.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_ec2::types::{DnsOptionsSpecification, DnsRecordIpType, IpAddressType, RouteTable, VpcEndpoint, VpcEndpointType};
use futures::future::BoxFuture;

use super::common::{self, string_map, strings, with_attrs};
use super::endpoint;
use super::*;
use crate::aws::{route_table_has_endpoint_route, state_display, AwsError, SdkResultExt, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{timeouts_block, Attribute, Block, NestedBlock, Schema};
use crate::protocol::values::{PathStep, Type, Value};

const TYPE_NAME: &str = "vpce_gateway";
const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_UPDATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Short service names `service_name` accepts (resolved against the provider region).
const SHORT_NAMES: &[&str] = &["s3", "dynamodb"];
const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6"];
const DNS_RECORD_IP_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6", "service-defined"];

pub struct Gateway {
    schema: Schema,
}

impl Gateway {
    pub fn new() -> Self {
        Gateway { schema: schema() }
    }
}

impl Default for Gateway {
    fn default() -> Self {
        Self::new()
    }
}

fn schema() -> Schema {
    let set_of_strings = Type::Set(Box::new(Type::String));
    Schema {
        version: 0,
        block: Block {
            description: "A Gateway VPC endpoint for Amazon S3 or DynamoDB: traffic from the associated route tables to the service goes through the endpoint (a route for the service's prefix list). Gateway endpoints are free.",
            attributes: vec![
                Attribute::computed("id", Type::String, "The endpoint ID, `vpce-...`."),
                Attribute::required("vpc_id", Type::String, "The VPC to create the endpoint in. Changing it replaces the endpoint.").force_new(),
                Attribute::required(
                    "service_name",
                    Type::String,
                    "The service: `s3` or `dynamodb` (resolved against the provider region), or the full name such as `com.amazonaws.us-east-1.s3`. Changing it replaces the endpoint.",
                )
                .force_new(),
                Attribute::optional_computed(
                    "route_table_ids",
                    set_of_strings,
                    "Route tables to associate: AWS adds a route for the service's prefix list to each. Not set, `null` and `[]` all mean none.",
                ),
                Attribute::optional_computed(
                    "policy",
                    Type::String,
                    "The endpoint policy, a JSON document (compared semantically: formatting and key order never show a diff). Defaults to full access; removing it from the configuration resets the policy to that default.",
                ),
                Attribute::optional_computed(
                    "tags",
                    Type::Map(Box::new(Type::String)),
                    "Tags for the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none.",
                ),
                Attribute::computed("arn", Type::String, "The endpoint ARN."),
                Attribute::computed("state", Type::String, "The endpoint state, e.g. `available`."),
                Attribute::computed("prefix_list_id", Type::String, "The AWS-managed prefix list of the service (the route destination), e.g. for security group rules."),
                Attribute::computed("cidr_blocks", Type::List(Box::new(Type::String)), "The CIDR blocks of the service's prefix list (empty when AWS does not list them)."),
                Attribute::computed("owner_id", Type::String, "The AWS account that owns the endpoint."),
                Attribute::optional_computed(
                    "ip_address_type",
                    Type::String,
                    "`ipv4`, `dualstack` or `ipv6`: which prefix-list routes EC2 adds (`dualstack` adds the IPv4 and the IPv6 one; every subnet using the route tables must have both kinds of address, `ipv6` needs IPv6-only subnets). `ipv4` and `dualstack` switch in place; switching to or from `ipv6` replaces the endpoint.",
                ),
                Attribute::computed("requester_managed", Type::Bool, "Whether an AWS service manages the endpoint."),
            ],
            blocks: vec![
                NestedBlock::single(
                    "dns_options",
                    "DNS options of the endpoint.",
                    vec![Attribute::optional_computed(
                        "dns_record_ip_type",
                        Type::String,
                        "`ipv4`, `dualstack`, `ipv6` or `service-defined` (the default). Any other than `service-defined` needs `enableDnsSupport` and `enableDnsHostnames` on the VPC; DynamoDB supports only `service-defined`.",
                    )],
                ),
                timeouts_block(&["create", "update", "delete"]),
            ],
        },
    }
}

impl Resource<Ctx> for Gateway {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan<'a>(&'a self, ctx: &'a Ctx, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        Box::pin(plan(&self.schema.block, ctx, req))
    }

    fn apply<'a>(&'a self, ctx: &'a Ctx, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        Box::pin(async move {
            match (req.prior.is_null(), req.planned.is_null()) {
                (_, true) => delete(ctx, &req.prior).await,
                (true, false) => create(ctx, &req.planned, &req.config).await,
                (false, false) => update(ctx, &req.prior, &req.planned, &req.config).await,
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a Ctx, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            match read_endpoint(ctx, &state, true).await {
                Ok(Some((new_state, diags))) => ReadResponse { new_state, diags },
                Ok(None) => {
                    crate::info!("gateway endpoint no longer exists; removing it from the state", "id" => state.get("id").as_str().unwrap_or_default());
                    ReadResponse { new_state: Value::Null, diags: Diagnostics::new() }
                }
                Err(e) => {
                    let mut diags = Diagnostics::new();
                    diags.error("Cannot read the gateway endpoint", format!("Reading {}: {e}", state.get("id").as_str().unwrap_or("the endpoint")));
                    ReadResponse { new_state: state, diags }
                }
            }
        })
    }

    fn import<'a>(&'a self, ctx: &'a Ctx, id: String) -> BoxFuture<'a, ImportResponse> {
        Box::pin(import(ctx, id))
    }
}

// ---------------------------------------------------------------------------------------------
// Validation (static, no AWS)
// ---------------------------------------------------------------------------------------------

fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    common::validate_id(config, "vpc_id", "vpc-", "VPC", &mut d);
    common::validate_ids(config, "route_table_ids", "rtb-", "route table", &mut d);
    common::validate_policy(config, &mut d);
    common::validate_timeouts(config, &mut d);
    if let Some(name) = config.get("service_name").as_str() {
        validate_service_name(name, &mut d);
    }
    common::validate_tags(config, &mut d);
    common::validate_enum(config.get("ip_address_type"), vec![PathStep::Attr("ip_address_type".into())], "ip_address_type", IP_ADDRESS_TYPES, &mut d);
    let record = config.get("dns_options").get("dns_record_ip_type");
    let record_at = || vec![PathStep::Attr("dns_options".into()), PathStep::Attr("dns_record_ip_type".into())];
    common::validate_enum(record, record_at(), "dns_record_ip_type", DNS_RECORD_IP_TYPES, &mut d);
    let dynamodb = config.get("service_name").as_str().is_some_and(|n| n == "dynamodb" || n.ends_with(".dynamodb"));
    if let Some(r) = record.as_str().filter(|r| dynamodb && *r != "service-defined") {
        d.attr_error(record_at(), "Unsupported DNS record IP type", format!("DynamoDB gateway endpoints support only dns_record_ip_type = \"service-defined\", not \"{r}\"."));
    }
    d
}

fn validate_service_name(name: &str, d: &mut Diagnostics) {
    if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
        d.attr_error("service_name", "Invalid service name", format!("\"{name}\" is not a service name: use `s3`, `dynamodb` or a full name such as `com.amazonaws.us-east-1.s3`."));
    } else if !name.contains('.') && !SHORT_NAMES.contains(&name) {
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
// Plan
// ---------------------------------------------------------------------------------------------

async fn plan(block: &Block, ctx: &Ctx, req: PlanRequest) -> PlanResponse {
    let region = ctx.ec2.region().to_string();
    let PlanRequest { prior, mut proposed, mut config } = req;

    // `s3` and `com.amazonaws.<provider region>.s3` name the same service: no replacement; the
    // state takes the new spelling (what the configuration says), as vpce_interface does.
    let respelled = match (prior.get("service_name").as_str(), config.get("service_name").as_str()) {
        (Some(old), Some(new)) => old != new && common::resolve_service_name(old, &region) == common::resolve_service_name(new, &region),
        _ => false,
    };
    let new_spelling = config.get("service_name").clone();
    if respelled {
        let keep = [("service_name", prior.get("service_name").clone())];
        config = with_attrs(&config, keep.clone());
        proposed = with_attrs(&proposed, keep);
    }

    // ipv4 <-> dualstack changes in place; to or from ipv6 EC2 cannot.
    let mut replace = Vec::new();
    if let (Some(old), Some(new)) = (prior.get("ip_address_type").as_str(), config.get("ip_address_type").as_str()) {
        if old != new && (old == "ipv6" || new == "ipv6") {
            replace.push(vec![PathStep::Attr("ip_address_type".into())]);
        }
    }
    let (mut planned, requires_replace) = common::plan_generic_with(block, &prior, &proposed, &config, &[], replace);
    let fresh = prior.is_null() || !requires_replace.is_empty();
    planned = with_attrs(&planned, [("dns_options", common::plan_single_block(&prior, &proposed, &config, fresh, "dns_options", &["dns_record_ip_type"]))]);
    if respelled {
        planned = with_attrs(&planned, [("service_name", new_spelling)]);
    }
    planned = common::plan_empty_when_null(planned, &config, &[("route_table_ids", common::empty_set), ("tags", common::empty_map)]);

    // Policy: semantic comparison; removal from the configuration means "reset to the default".
    if let Some(p) = common::plan_policy_value(&prior, &config, fresh) {
        planned = with_attrs(&planned, [("policy", p)]);
    }

    let mut diags = Diagnostics::new();
    check_service_region(&planned, &region, &mut diags);
    if !diags.has_errors() {
        diags.extend(check_with_aws(ctx, &prior, &planned, fresh).await);
    }
    PlanResponse { planned, requires_replace, diags }
}

/// The service name in the configuration must be in the provider's region (gateway endpoints
/// connect a VPC to a service in the same region).
fn check_service_region(planned: &Value, region: &str, d: &mut Diagnostics) {
    let Some(name) = planned.get("service_name").as_str() else { return };
    let full = common::resolve_service_name(name, region);
    if let Some(service_region) = common::service_region(&full) {
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
async fn check_with_aws(ctx: &Ctx, prior: &Value, planned: &Value, fresh: bool) -> Diagnostics {
    let region = ctx.ec2.region();
    let vpc_id: Option<&str> = planned.get("vpc_id").as_str();
    let service = if fresh { planned.get("service_name").as_str().map(|s| common::resolve_service_name(s, region)) } else { None };
    let check_vpc = fresh && vpc_id.is_some();
    // Route tables new to this endpoint (all on create).
    let route_tables: Vec<String> = if planned.get("route_table_ids").is_wholly_known() {
        let before = if fresh { BTreeSet::new() } else { strings(prior.get("route_table_ids")) };
        strings(planned.get("route_table_ids")).difference(&before).cloned().collect()
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
            (Some(id), true) => Some(ctx.ec2.find_vpc(id).await),
            _ => None,
        }
    };
    let rt_check = async {
        if route_tables.is_empty() {
            None
        } else {
            Some(ctx.ec2.find_route_tables(&route_tables).await)
        }
    };
    // A route table found in the VPC proves that the VPC exists: look the VPC up only otherwise.
    let (service_found, rts_found, mut vpc_found) =
        tokio::join!(service_check, rt_check, vpc_check(check_vpc && route_tables.is_empty()));
    let in_vpc = |t: &RouteTable| t.vpc_id() == vpc_id;
    if check_vpc && vpc_found.is_none() && !matches!(&rts_found, Some(Ok(tables)) if tables.iter().any(in_vpc)) {
        vpc_found = vpc_check(true).await;
    }

    let mut d = Diagnostics::new();
    // A DNS record IP type other than service-defined needs the VPC's DNS support and hostnames.
    let record = planned.get("dns_options").get("dns_record_ip_type").as_str();
    let record_new = fresh || prior.get("dns_options").get("dns_record_ip_type").as_str() != record;
    if let (Some(r), Some(vpc), true) = (record.filter(|r| *r != "service-defined"), vpc_id, record_new) {
        match ctx.ec2.vpc_dns_attributes(vpc).await {
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
                let types: Vec<String> = detail.service_type().iter().filter_map(|t| t.service_type()).map(|t| t.as_str().to_string()).collect();
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
                        None => d.attr_error("route_table_ids", "Route table not found", format!("Route table {id} does not exist in {region}.")),
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
fn state_from_endpoint(region: &str, current: &Value, ep: &VpcEndpoint) -> Value {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let aws_service = ep.service_name().unwrap_or_default();
    let service_name = match current.get("service_name").as_str() {
        Some(mine) if common::resolve_service_name(mine, region) == aws_service => Value::string(mine),
        _ => Value::string(aws_service),
    };
    let owner = ep.owner_id().unwrap_or_default();
    let known = |v: &Value| if v.is_known() { v.clone() } else { Value::Null };
    Value::object([
        ("id", Value::string(id)),
        ("vpc_id", ep.vpc_id().map(Value::string).unwrap_or(Value::Null)),
        ("service_name", service_name),
        ("route_table_ids", Value::set_of_strings(ep.route_table_ids().iter().cloned().collect::<BTreeSet<String>>())),
        ("policy", common::reconcile_policy(current.get("policy"), ep.policy_document())),
        ("tags", common::tags_from_ec2(ep.tags())),
        ("arn", if owner.is_empty() { Value::Null } else { Value::string(common::endpoint_arn(region, owner, id)) }),
        ("state", Value::string(state_display(ep))),
        ("prefix_list_id", known(current.get("prefix_list_id"))),
        ("cidr_blocks", known(current.get("cidr_blocks"))),
        ("owner_id", if owner.is_empty() { Value::Null } else { Value::string(owner) }),
        ("ip_address_type", ep.ip_address_type().map(|t| Value::string(t.as_str().to_ascii_lowercase())).unwrap_or_else(|| known(current.get("ip_address_type")))),
        ("requester_managed", Value::Bool(ep.requester_managed().unwrap_or(false))),
        (
            "dns_options",
            match current.get("dns_options") {
                Value::Null => Value::Null,
                mine => {
                    let record = ep.dns_options().and_then(|d| d.dns_record_ip_type()).map(|t| Value::string(t.as_str()));
                    Value::object([("dns_record_ip_type", record.unwrap_or_else(|| known(mine.get("dns_record_ip_type"))))])
                }
            },
        ),
        ("timeouts", known(current.get("timeouts"))),
    ])
}

/// Reads the endpoint `current.id` into a full state (None when it is gone), keeping the user's
/// spelling of equivalent values; with `check_routes`, also checks that every associated route
/// table really routes the service's prefix list to the endpoint (warnings on `route_table_ids`
/// otherwise; one batched DescribeRouteTables, so skip it where the warnings are not shown).
async fn read_endpoint(ctx: &Ctx, current: &Value, check_routes: bool) -> Result<Option<(Value, Diagnostics)>, AwsError> {
    let Some(id) = current.get("id").as_str().filter(|s| !s.is_empty()) else { return Ok(None) };
    // The route tables in the state are (nearly always) those of the endpoint: look them up at
    // the same time as the endpoint rather than after it.
    let tables = if check_routes { strings(current.get("route_table_ids")) } else { BTreeSet::new() };
    let prefetch = async {
        let ids: Vec<String> = tables.iter().cloned().collect();
        (!ids.is_empty()).then_some(ctx.ec2.find_route_tables(&ids).await)
    };
    let (ep, prefetched) = tokio::join!(ctx.ec2.find_vpc_endpoint(id), prefetch);
    let Some(ep) = ep? else { return Ok(None) };
    endpoint::settle_marker(ctx, &ep).await;
    let route_tables = match prefetched {
        Some(Ok(found)) if ep.route_table_ids().iter().all(|t| tables.contains(t)) => RouteTables::Prefetched(found),
        _ if check_routes => RouteTables::Lookup,
        _ => RouteTables::Skip,
    };
    Ok(Some(describe_fully(ctx, current, &ep, route_tables).await))
}

/// How [`describe_fully`] checks the routes of the endpoint's route tables.
enum RouteTables {
    /// Not at all (where the warnings would not be shown anyway).
    Skip,
    /// Looks the tables up.
    Lookup,
    /// Among these tables, looked up already; a table of the endpoint's missing here does not exist.
    Prefetched(Vec<RouteTable>),
}

async fn describe_fully(ctx: &Ctx, current: &Value, ep: &VpcEndpoint, route_tables: RouteTables) -> (Value, Diagnostics) {
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
            state = with_attrs(&state, [("prefix_list_id", Value::string(&pl.id)), ("cidr_blocks", Value::list_of_strings(pl.cidrs.clone()))]);
            Some(pl.id)
        }
        Ok(None) => {
            state = with_attrs(&state, [("prefix_list_id", Value::Null), ("cidr_blocks", Value::List(vec![]))]);
            None
        }
        Err(e) => {
            diags.warning("Cannot read the service prefix list", format!("prefix_list_id and cidr_blocks of {id} may be out of date: {e}"));
            if state.get("cidr_blocks").is_null() {
                state = with_attrs(&state, [("cidr_blocks", Value::List(vec![]))]);
            }
            state.get("prefix_list_id").as_str().map(str::to_owned)
        }
    };

    let tables: Vec<String> = ep.route_table_ids().to_vec();
    if let (Some(pl), false) = (prefix_list, tables.is_empty()) {
        let found = match route_tables {
            RouteTables::Skip => return (state, diags),
            RouteTables::Lookup => ctx.ec2.find_route_tables(&tables).await,
            RouteTables::Prefetched(found) => Ok(found),
        };
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
            Err(e) => diags.warning("Cannot check the endpoint routes", format!("The routes of {id}'s route tables could not be read: {e}")),
        }
    }
    (state, diags)
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

/// Replaces the unknown attributes of `planned` by those of `read` (known planned values stay as
/// planned, as Terraform requires).
fn fill_unknowns(planned: &Value, read: &Value) -> Value {
    let mut map = planned.as_map().cloned().unwrap_or_default();
    for (k, v) in map.iter_mut() {
        if !v.is_known() {
            *v = read.get(k).clone();
        }
    }
    Value::Object(map)
}

/// What to reconcile a read against after apply: the plan, with the configured policy (known by
/// now even if it was not at plan time) so that the user's spelling of it is kept.
fn read_basis(planned: &Value, config: &Value) -> Value {
    match config.get("policy") {
        p @ Value::String(_) if !planned.get("policy").is_known() => with_attrs(planned, [("policy", p.clone())]),
        _ => planned.clone(),
    }
}

/// Replaces every unknown (top-level attribute) by null: what we return when we know no better.
fn nullify_unknowns(v: &Value) -> Value {
    let mut map = v.as_map().cloned().unwrap_or_default();
    for v in map.values_mut() {
        if !v.is_known() {
            *v = Value::Null;
        }
    }
    Value::Object(map)
}

/// An AWS error on a create/modify call, pointing at the attribute it is about when possible.
fn api_error(diags: &mut Diagnostics, summary: &str, e: &AwsError) {
    let code = e.code.as_deref().unwrap_or_default();
    let attr = if code.starts_with("InvalidVpcID") {
        Some("vpc_id")
    } else if code.starts_with("InvalidRouteTableId") || code.starts_with("InvalidRouteTableID") {
        Some("route_table_ids")
    } else if code.starts_with("InvalidServiceName") {
        Some("service_name")
    } else if code.contains("Policy") {
        Some("policy")
    } else {
        None
    };
    match attr {
        Some(a) => diags.attr_error(a, summary, e.to_string()),
        None => diags.error(summary, e.to_string()),
    }
}

async fn create(ctx: &Ctx, planned: &Value, config: &Value) -> ApplyResponse {
    let started = std::time::Instant::now();
    let mut diags = Diagnostics::new();
    let region = ctx.ec2.region().to_string();
    let service = common::resolve_service_name(planned.get("service_name").as_str().unwrap_or_default(), &region);
    let route_tables: Vec<String> = strings(planned.get("route_table_ids")).into_iter().collect();
    let tags = string_map(planned.get("tags"));
    let vpc_id = planned.get("vpc_id").as_str().unwrap_or_default().to_string();
    let policy = common::configured_policy(config);
    let ip_type = planned.get("ip_address_type").as_str();
    let record = planned.get("dns_options").get("dns_record_ip_type").as_str();
    let settings = format!(
        "Gateway|{vpc_id}|{service}|{}|{}|{}|{}",
        route_tables.join(","),
        policy.unwrap_or_default(),
        ip_type.unwrap_or_default(),
        record.unwrap_or_default()
    );
    let new = endpoint::NewEndpoint {
        endpoint_type: VpcEndpointType::Gateway,
        vpc_id: &vpc_id,
        service: &service,
        settings,
        tags: &tags,
        timeout: common::timeout(planned, "create", DEFAULT_CREATE_TIMEOUT),
    };
    let build = || {
        let mut call = ctx
            .ec2
            .client()
            .create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .vpc_id(&vpc_id)
            .service_name(&service);
        if !route_tables.is_empty() {
            call = call.set_route_table_ids(Some(route_tables.clone()));
        }
        if let Some(p) = policy {
            call = call.policy_document(p);
        }
        if let Some(t) = ip_type {
            call = call.ip_address_type(IpAddressType::from(t));
        }
        if let Some(r) = record {
            call = call.dns_options(DnsOptionsSpecification::builder().dns_record_ip_type(DnsRecordIpType::from(r)).build());
        }
        call
    };
    let ep = match endpoint::create(ctx, new, build).await {
        endpoint::Created::New(ep, others) => {
            endpoint::warn_other_orphans(&mut diags, &others);
            ep
        }
        endpoint::Created::Adopted(ep) => return adopt(ctx, planned, config, &ep).await,
        endpoint::Created::Failed(e) => {
            api_error(&mut diags, "Cannot create the gateway endpoint", &e);
            return ApplyResponse { new_state: Value::Null, diags };
        }
    };
    let id = ep.vpc_endpoint_id().unwrap_or_default().to_string();
    crate::info!("created gateway endpoint", "id" => id.clone(), "service" => service.clone());

    // From here on the endpoint exists: every path returns a state holding it.
    let planned = with_attrs(planned, [("id", Value::string(&id))]);
    let partial = || nullify_unknowns(&fill_unknowns(&planned, &state_from_endpoint(&region, &planned, &ep)));
    let saved = "The endpoint was created and is saved in the state (marked tainted): the next apply replaces it.";

    let timeout = common::timeout(&planned, "create", DEFAULT_CREATE_TIMEOUT).saturating_sub(started.elapsed());
    let available = match ctx.ec2.wait_for_endpoint(&id, &["available"], &[], timeout, &ctx.cancel).await {
        Ok(available) => available,
        Err(WaitError::Cancelled) => {
            // Interrupted (Ctrl-C) after EC2 accepted the create: the endpoint is recorded as
            // created, not tainted, so the next apply does not replace a healthy endpoint; the
            // next refresh reads its state (a failed endpoint is then planned for replacement).
            diags.warning(
                "Interrupted while the endpoint was being created",
                format!("VPC endpoint {id} was created and is saved in the state; Terraform was interrupted before it became available. The next plan reads its state again."),
            );
            return ApplyResponse { new_state: partial(), diags };
        }
        Err(e) => {
            common::wait_error(&mut diags, e, &id, "to become available", saved);
            return ApplyResponse { new_state: partial(), diags };
        }
    };
    // The waiter's last read is the endpoint as it is now: no need to describe it again.
    let (read, _warnings) = describe_fully(ctx, &read_basis(&planned, config), &available, RouteTables::Skip).await;
    ApplyResponse { new_state: nullify_unknowns(&fill_unknowns(&planned, &read)), diags }
}

async fn update(ctx: &Ctx, prior: &Value, planned: &Value, config: &Value) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let id = prior.get("id").as_str().unwrap_or_default().to_string();
    let client = ctx.ec2.client();

    let (before, after) = (strings(prior.get("route_table_ids")), strings(planned.get("route_table_ids")));
    let add: Vec<String> = after.difference(&before).cloned().collect();
    let remove: Vec<String> = before.difference(&after).cloned().collect();
    let policy = common::policy_change(prior, config);
    let (new_policy, reset_policy) = match policy {
        common::PolicyChange::Set(p) => (Some(p), false),
        common::PolicyChange::Reset => (None, true),
        common::PolicyChange::Keep => (None, false),
    };

    let new_ip_type = planned.get("ip_address_type").as_str().filter(|v| prior_str(prior, "ip_address_type") != Some(*v));
    let new_record = planned
        .get("dns_options")
        .get("dns_record_ip_type")
        .as_str()
        .filter(|r| prior.get("dns_options").get("dns_record_ip_type").as_str() != Some(*r));

    let mut modified = false;
    if !add.is_empty() || !remove.is_empty() || new_policy.is_some() || reset_policy || new_ip_type.is_some() || new_record.is_some() {
        let mut call = client.modify_vpc_endpoint().vpc_endpoint_id(&id);
        if let Some(t) = new_ip_type {
            call = call.ip_address_type(IpAddressType::from(t));
        }
        if let Some(r) = new_record {
            call = call.dns_options(DnsOptionsSpecification::builder().dns_record_ip_type(DnsRecordIpType::from(r)).build());
        }
        if !add.is_empty() {
            call = call.set_add_route_table_ids(Some(add));
        }
        if !remove.is_empty() {
            call = call.set_remove_route_table_ids(Some(remove));
        }
        if let Some(p) = new_policy {
            call = call.policy_document(p);
        } else if reset_policy {
            call = call.reset_policy(true);
        }
        if let Err(e) = call.send().await.aws_op("ModifyVpcEndpoint") {
            api_error(&mut diags, "Cannot update the gateway endpoint", &e);
            return ApplyResponse { new_state: prior.clone(), diags };
        }
        modified = true;
    }

    if !common::update_tags(ctx, &id, prior.get("tags"), planned.get("tags"), &mut diags).await {
        return ApplyResponse { new_state: current_state(ctx, planned, prior).await, diags };
    }

    let mut available = None;
    if modified {
        let timeout = common::timeout(planned, "update", DEFAULT_UPDATE_TIMEOUT);
        match ctx.ec2.wait_for_endpoint(&id, &["available"], &[], timeout, &ctx.cancel).await {
            Ok(ep) => available = Some(ep),
            Err(e) => {
                common::wait_error(&mut diags, e, &id, "to become available again", "The state holds the endpoint as last read.");
                return ApplyResponse { new_state: current_state(ctx, planned, prior).await, diags };
            }
        }
    }

    if planned.is_wholly_known() {
        return ApplyResponse { new_state: planned.clone(), diags };
    }
    let read = match available {
        // The waiter read the endpoint after every change above.
        Some(ep) => Ok(Some(describe_fully(ctx, &read_basis(planned, config), &ep, RouteTables::Skip).await)),
        None => read_endpoint(ctx, &read_basis(planned, config), false).await,
    };
    match read {
        Ok(Some((read, _))) => ApplyResponse { new_state: nullify_unknowns(&fill_unknowns(planned, &read)), diags },
        Ok(None) => {
            diags.error("Gateway endpoint vanished", format!("VPC endpoint {id} disappeared during the update; it may have been deleted by someone else."));
            ApplyResponse { new_state: Value::Null, diags }
        }
        Err(e) => {
            diags.error("Cannot read the gateway endpoint", format!("The update was applied, but reading {id} back failed: {e}"));
            ApplyResponse { new_state: nullify_unknowns(planned), diags }
        }
    }
}

fn prior_str<'a>(prior: &'a Value, attr: &str) -> Option<&'a str> {
    prior.get(attr).as_str()
}

/// Takes over an orphan of an interrupted create in place of a new endpoint, then brings it to
/// the plan (route tables, policy and tags may differ if the configuration changed since).
async fn adopt(ctx: &Ctx, planned: &Value, config: &Value, ep: &VpcEndpoint) -> ApplyResponse {
    let region = ctx.ec2.region().to_string();
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let planned = with_attrs(planned, [("id", Value::string(id))]);
    let prior = nullify_unknowns(&fill_unknowns(&planned, &state_from_endpoint(&region, &planned, ep)));
    let mut resp = update(ctx, &prior, &planned, config).await;
    resp.diags.warning(
        "Adopted an endpoint from an interrupted apply",
        format!("VPC endpoint {id} was created by an earlier apply that was interrupted before Terraform saved it; it is used instead of creating a duplicate."),
    );
    resp
}

/// What an update returns when a step fails: the endpoint as it now is, else the prior state.
async fn current_state(ctx: &Ctx, planned: &Value, prior: &Value) -> Value {
    match read_endpoint(ctx, &nullify_unknowns(planned), false).await {
        Ok(Some((s, _))) => s,
        _ => prior.clone(),
    }
}

async fn delete(ctx: &Ctx, prior: &Value) -> ApplyResponse {
    common::delete_endpoint(ctx, prior, "gateway endpoint", common::timeout(prior, "delete", DEFAULT_DELETE_TIMEOUT)).await
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

async fn import(ctx: &Ctx, id: String) -> ImportResponse {
    let mut diags = Diagnostics::new();
    let id = id.trim().to_string();
    if !id.starts_with("vpce-") {
        diags.error(
            "Invalid import ID",
            format!("\"{id}\" is not a VPC endpoint ID. Import a gateway endpoint by its ID, for example: terraform import vpce_gateway.s3 vpce-0123456789abcdef0"),
        );
        return ImportResponse { state: Value::Null, diags };
    }
    let ep = match ctx.ec2.find_vpc_endpoint(&id).await {
        Ok(Some(ep)) => ep,
        Ok(None) => {
            diags.error("Cannot import: endpoint not found", format!("VPC endpoint {id} does not exist in {}.", ctx.ec2.region()));
            return ImportResponse { state: Value::Null, diags };
        }
        Err(e) => {
            diags.error("Cannot import the gateway endpoint", e.to_string());
            return ImportResponse { state: Value::Null, diags };
        }
    };
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default();
    if !kind.eq_ignore_ascii_case("Gateway") {
        let hint = if kind.eq_ignore_ascii_case("Interface") { " Import it as a vpce_interface resource instead." } else { "" };
        diags.error("Not a gateway endpoint", format!("VPC endpoint {id} is a{} {kind} endpoint, not a Gateway endpoint.{hint}", if kind.starts_with(['A', 'E', 'I', 'O', 'U']) { "n" } else { "" }));
        return ImportResponse { state: Value::Null, diags };
    }
    endpoint::settle_marker(ctx, &ep).await;
    let (state, warnings) = describe_fully(ctx, &Value::object([("id", Value::string(&id))]), &ep, RouteTables::Lookup).await;
    diags.extend(warnings);
    ImportResponse { state, diags }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_detection() {
        use common::is_default_policy;
        assert!(is_default_policy(r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#));
        assert!(is_default_policy(r#"{"Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"*"},"Action":["*"],"Resource":"*"}],"Version":"2012-10-17"}"#));
        assert!(!is_default_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#));
        assert!(!is_default_policy(r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#));
        assert!(!is_default_policy(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:x":"y"}}}]}"#));
        assert!(!is_default_policy("not json"));
    }

    #[test]
    fn arns_by_partition() {
        use common::endpoint_arn;
        assert_eq!(endpoint_arn("us-east-1", "123456789012", "vpce-1"), "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1");
        assert_eq!(endpoint_arn("cn-north-1", "1", "vpce-1"), "arn:aws-cn:ec2:cn-north-1:1:vpc-endpoint/vpce-1");
        assert_eq!(endpoint_arn("us-gov-west-1", "1", "vpce-1"), "arn:aws-us-gov:ec2:us-gov-west-1:1:vpc-endpoint/vpce-1");
    }

    fn errors(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|x| x.summary.clone()).collect()
    }

    #[test]
    fn static_validation() {
        let cfg = |sn: &str| {
            Value::object([
                ("vpc_id", Value::string("vpc-1")),
                ("service_name", Value::string(sn)),
                ("route_table_ids", Value::set_of_strings(["rtb-1"])),
            ])
        };
        assert!(validate(&cfg("s3")).is_empty());
        assert!(validate(&cfg("dynamodb")).is_empty());
        assert!(validate(&cfg("com.amazonaws.us-east-1.ec2")).is_empty(), "full names pass static checks");
        assert_eq!(errors(&validate(&cfg("ec2"))), vec!["Unsupported short service name"]);
        assert_eq!(errors(&validate(&cfg(""))), vec!["Invalid service name"]);
        let bad = with_attrs(&cfg("s3"), [("vpc_id", Value::string("subnet-1")), ("route_table_ids", Value::set_of_strings(["rtb-1", "sg-1"]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid VPC ID", "Invalid route table ID"]);
        let bad = with_attrs(&cfg("s3"), [("policy", Value::string("{nope")), ("tags", Value::map_of_strings([("aws:x", "1")]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid policy document", "Invalid tag key"]);
        let bad = with_attrs(&cfg("s3"), [("timeouts", Value::object([("create", Value::string("soon"))]))]);
        assert_eq!(errors(&validate(&bad)), vec!["Invalid timeout"]);
        // Unknown values are not judged.
        let unknown = with_attrs(&cfg("s3"), [("vpc_id", Value::unknown()), ("service_name", Value::unknown())]);
        assert!(validate(&unknown).is_empty());
    }

    #[test]
    fn region_check() {
        let planned = |sn: &str| Value::object([("service_name", Value::string(sn))]);
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
        let mine = r#"{ "Statement": [ { "Resource": "*", "Action": "*", "Principal": "*", "Effect": "Allow" } ], "Version": "2008-10-17" }"#;
        let current = Value::object([("id", Value::string("vpce-1")), ("service_name", Value::string("s3")), ("policy", Value::string(mine))]);
        let s = state_from_endpoint("us-east-1", &current, &ep);
        assert_eq!(s.get("service_name").as_str(), Some("s3"));
        assert_eq!(s.get("policy").as_str(), Some(mine));
        assert_eq!(s.get("route_table_ids"), &Value::set_of_strings(["rtb-1", "rtb-2"]));
        assert_eq!(s.get("tags"), &Value::map_of_strings([("Name", "x")]));
        assert_eq!(s.get("state").as_str(), Some("available"));
        assert_eq!(s.get("arn").as_str(), Some("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
        // Imported (no service_name yet): the full name from AWS; a service in another region is not rewritten.
        let s = state_from_endpoint("us-east-1", &Value::object([("id", Value::string("vpce-1"))]), &ep);
        assert_eq!(s.get("service_name").as_str(), Some("com.amazonaws.us-east-1.s3"));
        let s = state_from_endpoint("eu-west-1", &current, &ep);
        assert_eq!(s.get("service_name").as_str(), Some("com.amazonaws.us-east-1.s3"));
    }

    #[test]
    fn empty_collections_read_as_empty_never_null() {
        let ep = VpcEndpoint::builder().vpc_endpoint_id("vpce-1").service_name("com.amazonaws.us-east-1.s3").build();
        for current in [Value::object(Vec::<(&str, Value)>::new()), Value::object([("tags", Value::Null), ("route_table_ids", Value::Null)])] {
            let s = state_from_endpoint("us-east-1", &current, &ep);
            assert_eq!(s.get("route_table_ids"), &Value::Set(vec![]));
            assert_eq!(s.get("tags"), &Value::Map(Default::default()));
        }
    }

    #[test]
    fn unknowns_are_filled_then_nulled() {
        let planned = Value::object([("id", Value::string("vpce-1")), ("arn", Value::unknown()), ("state", Value::unknown())]);
        let read = Value::object([("id", Value::string("vpce-other")), ("arn", Value::string("arn:x"))]);
        let s = nullify_unknowns(&fill_unknowns(&planned, &read));
        assert_eq!(s.get("id").as_str(), Some("vpce-1"));
        assert_eq!(s.get("arn").as_str(), Some("arn:x"));
        assert!(s.get("state").is_null());
    }
}
