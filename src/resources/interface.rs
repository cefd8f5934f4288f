//! `vpce_interface`: Interface VPC endpoints (AWS PrivateLink).
//!
//! Beyond CRUD, the plan checks what EC2 would only reject at apply time (or, for the VPC DNS rule
//! of private DNS, what some emulators never check): the service exists here and offers Interface
//! endpoints, subnets and security groups exist and belong to the VPC, at most one subnet per AZ,
//! each subnet in an AZ the service is offered in, and for private DNS that the VPC has both
//! enableDnsSupport and enableDnsHostnames. The DNS rule is checked again right before
//! CreateVpcEndpoint (the VPC may have been unknown at plan) and before a modify enabling it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_ec2::types::{
    DnsOptionsSpecification, DnsRecordIpType, IpAddressType, SecurityGroup, ServiceDetail, Subnet, VpcEndpoint, VpcEndpointType,
};
use futures::future::BoxFuture;

use super::endpoint;
use super::common::{self, strings, string_map};
use super::*;
use crate::aws::{AwsError, Missing, SdkResultExt, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{timeouts_block, Attribute, Block, NestedBlock, Schema};
use crate::protocol::values::{PathStep, Type, Value};

const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_UPDATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6"];
const DNS_RECORD_IP_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6", "service-defined"];

/// Attributes whose change modifies the endpoint's network interfaces or DNS names.
const NETWORK_ATTRS: &[&str] = &["subnet_ids", "ip_address_type", "private_dns_enabled", "dns_options"];

pub struct Interface {
    schema: Schema,
}

impl Interface {
    pub fn new() -> Self {
        Interface { schema: schema() }
    }
}

impl Default for Interface {
    fn default() -> Self {
        Self::new()
    }
}

fn string_set() -> Type {
    Type::Set(Box::new(Type::String))
}

fn dns_entry_type() -> Type {
    Type::Object([("dns_name".to_string(), Type::String), ("hosted_zone_id".to_string(), Type::String)].into_iter().collect())
}

fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "An Interface VPC endpoint (AWS PrivateLink): network interfaces in your subnets through which the VPC reaches an AWS or partner service privately. \
                          Interface endpoints are billed per hour and per AZ, plus data processed.",
            attributes: vec![
                Attribute::computed("id", Type::String, "The endpoint ID (`vpce-...`)."),
                Attribute::computed("arn", Type::String, "The endpoint ARN."),
                Attribute::required("vpc_id", Type::String, "The VPC. Changing it replaces the endpoint.").force_new(),
                Attribute::required(
                    "service_name",
                    Type::String,
                    "The endpoint service, e.g. `com.amazonaws.us-east-1.ssm` (a short name such as `ssm` is expanded with the provider's region). Changing it replaces the endpoint.",
                )
                .force_new(),
                Attribute::optional_computed("subnet_ids", string_set(), "Subnets for the endpoint's network interfaces: at most one per Availability Zone, all in the VPC."),
                Attribute::optional_computed(
                    "security_group_ids",
                    string_set(),
                    "Security groups of the network interfaces. When not set, AWS applies the VPC's default security group, which the state then shows; `[]` also means the default group.",
                ),
                Attribute::optional_computed(
                    "private_dns_enabled",
                    Type::Bool,
                    "Associate a private hosted zone so the service's default DNS name resolves to the endpoint. Default `false` (always sent explicitly: the EC2 API default is `true`). Needs `enableDnsSupport` and `enableDnsHostnames` on the VPC.",
                ),
                Attribute::optional_computed("ip_address_type", Type::String, "`ipv4`, `dualstack` or `ipv6`. Defaults to what AWS chooses."),
                Attribute::optional_computed(
                    "policy",
                    Type::String,
                    "The endpoint policy (JSON). Compared semantically: reformatting never shows a diff. When not set, the endpoint has AWS's default full-access policy; removing it from the configuration resets that default.",
                ),
                Attribute::optional_computed(
                    "tags",
                    Type::Map(Box::new(Type::String)),
                    "Tags of the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none.",
                ),
                Attribute::computed("state", Type::String, "The endpoint state as EC2 documents it, e.g. `available` or `pendingAcceptance`."),
                Attribute::computed("dns_entry", Type::List(Box::new(dns_entry_type())), "The endpoint's DNS names and their hosted zones."),
                Attribute::computed("network_interface_ids", string_set(), "The endpoint's network interfaces."),
                Attribute::computed("owner_id", Type::String, "The account that owns the endpoint."),
                Attribute::computed("requester_managed", Type::Bool, "Whether an AWS service manages the endpoint."),
            ],
            blocks: vec![
                NestedBlock::single(
                    "dns_options",
                    "DNS options of the endpoint.",
                    vec![
                        Attribute::optional_computed("dns_record_ip_type", Type::String, "`ipv4`, `dualstack`, `ipv6` or `service-defined`."),
                        Attribute::optional_computed(
                            "private_dns_only_for_inbound_resolver_endpoint",
                            Type::Bool,
                            "Resolve the private DNS name to the endpoint only for queries from Route 53 Resolver inbound endpoints (S3 with a gateway endpoint in the same VPC). Needs `private_dns_enabled = true`.",
                        ),
                        Attribute::optional_computed(
                            "private_dns_preference",
                            Type::String,
                            "Which domains get private DNS: `ALL_DOMAINS`, `VERIFIED_DOMAINS_ONLY`, `VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS` or `SPECIFIED_DOMAINS_ONLY`. Changing it replaces the endpoint (EC2 cannot change it in place).",
                        ),
                        Attribute::optional_computed(
                            "private_dns_specified_domains",
                            string_set(),
                            "The domains (1 to 10) for the `..._SPECIFIED_DOMAINS` preferences. Changing them replaces the endpoint.",
                        ),
                    ],
                ),
                timeouts_block(&["create", "update", "delete"]),
            ],
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Small value helpers
// ---------------------------------------------------------------------------------------------

fn unknown() -> Value {
    Value::unknown()
}

fn opt_string(s: Option<&str>) -> Value {
    s.map(Value::string).unwrap_or(Value::Null)
}

fn string_set_value<I: IntoIterator<Item = String>>(items: I) -> Value {
    let set: BTreeSet<String> = items.into_iter().collect();
    Value::Set(set.into_iter().map(Value::string).collect())
}

fn object(attrs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn set(obj: &mut Value, attr: &str, v: Value) {
    if let Value::Object(map) = obj {
        map.insert(attr.to_string(), v);
    }
}

fn known_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Replaces every unknown (at any depth) with null: what a state holds for values nobody knows.
fn unknowns_to_null(v: Value) -> Value {
    match v {
        Value::Unknown(_) => Value::Null,
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, unknowns_to_null(v))).collect()),
        Value::List(items) => Value::List(items.into_iter().map(unknowns_to_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(unknowns_to_null).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, unknowns_to_null(v))).collect()),
        other => other,
    }
}

/// The planned value where it is wholly known, else the value from AWS; objects (the
/// `dns_options` block) attribute by attribute.
fn overlay_planned(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Object(p), Value::Object(a)) => {
            let mut out = a.clone();
            for (k, pv) in p {
                let av = a.get(k).cloned().unwrap_or(Value::Null);
                out.insert(k.clone(), overlay_planned(pv, &av));
            }
            Value::Object(out)
        }
        // A known value (a null block included) is kept exactly.
        (p, _) if p.is_wholly_known() => p.clone(),
        (_, a) => unknowns_to_null(a.clone()),
    }
}

fn sets_equal(a: &Value, b: &Value) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && strings(a) == strings(b) && a.is_null() == b.is_null()
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A failed wait, with what to do about it.
fn wait_failure(e: &WaitError, op: &str) -> String {
    match e {
        WaitError::Timeout(_) => format!("{e}; if the service is slow, raise timeouts.{op} (default 10m)"),
        WaitError::Cancelled => "Terraform was interrupted while waiting for the endpoint".to_string(),
        other => other.to_string(),
    }
}

fn timeout_of(v: &Value, op: &str) -> Duration {
    let default = match op {
        "create" => DEFAULT_CREATE_TIMEOUT,
        "update" => DEFAULT_UPDATE_TIMEOUT,
        _ => DEFAULT_DELETE_TIMEOUT,
    };
    common::timeout(v, op, default)
}

// ---------------------------------------------------------------------------------------------
// State from EC2
// ---------------------------------------------------------------------------------------------

/// The state of `ep`, with `base` (prior state, plan or an empty object) supplying what EC2 does
/// not say or what the user wrote differently but equivalently: the service name spelling, the
/// policy formatting, the `dns_options` block's presence, `timeouts`, null vs empty tags.
fn state_from_endpoint(ep: &VpcEndpoint, base: &Value, region: &str) -> Value {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let owner = ep.owner_id().unwrap_or_default();
    let aws_service = ep.service_name().unwrap_or_default();
    let service_name = match base.get("service_name").as_str() {
        Some(mine) if common::resolve_service_name(mine, region) == aws_service => Value::string(mine),
        _ => Value::string(aws_service),
    };
    let dns_options = match base.get("dns_options") {
        Value::Null => Value::Null,
        prior => {
            let aws = ep.dns_options();
            let record = aws.and_then(|d| d.dns_record_ip_type()).map(|t| Value::string(t.as_str()));
            let inbound = aws.and_then(|d| d.private_dns_only_for_inbound_resolver_endpoint()).map(Value::Bool);
            let preference = aws.and_then(|d| d.private_dns_preference()).map(Value::string);
            let domains = aws.map(|d| d.private_dns_specified_domains()).filter(|d| !d.is_empty()).map(|d| string_set_value(d.iter().cloned()));
            let or_prior = |v: Option<Value>, attr: &str| v.unwrap_or_else(|| unknowns_to_null(prior.get(attr).clone()));
            object([
                ("dns_record_ip_type", or_prior(record, "dns_record_ip_type")),
                ("private_dns_only_for_inbound_resolver_endpoint", or_prior(inbound, "private_dns_only_for_inbound_resolver_endpoint")),
                ("private_dns_preference", or_prior(preference, "private_dns_preference")),
                ("private_dns_specified_domains", or_prior(domains, "private_dns_specified_domains")),
            ])
        }
    };
    let ip_address_type = match ep.ip_address_type() {
        Some(t) => Value::string(t.as_str()),
        None => unknowns_to_null(base.get("ip_address_type").clone()),
    };
    let dns_entry = Value::List(
        ep.dns_entries()
            .iter()
            .map(|d| object([("dns_name", opt_string(d.dns_name())), ("hosted_zone_id", opt_string(d.hosted_zone_id()))]))
            .collect(),
    );
    object([
        ("id", Value::string(id)),
        ("arn", if owner.is_empty() { Value::Null } else { Value::string(common::endpoint_arn(region, owner, id)) }),
        ("vpc_id", opt_string(ep.vpc_id())),
        ("service_name", service_name),
        ("subnet_ids", string_set_value(ep.subnet_ids().iter().cloned())),
        ("security_group_ids", string_set_value(ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)))),
        ("private_dns_enabled", Value::Bool(ep.private_dns_enabled().unwrap_or(false))),
        ("ip_address_type", ip_address_type),
        ("policy", common::reconcile_policy(base.get("policy"), ep.policy_document())),
        ("tags", common::tags_from_ec2(ep.tags())),
        ("state", Value::string(crate::aws::state_display(ep))),
        ("dns_entry", dns_entry),
        ("network_interface_ids", string_set_value(ep.network_interface_ids().iter().cloned())),
        ("owner_id", opt_string(ep.owner_id())),
        ("requester_managed", Value::Bool(ep.requester_managed().unwrap_or(false))),
        ("dns_options", dns_options),
        ("timeouts", unknowns_to_null(base.get("timeouts").clone())),
    ])
}

fn is_interface(ep: &VpcEndpoint) -> bool {
    ep.vpc_endpoint_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case("interface"))
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// `private_dns_specified_domains`: 1 to 10 domains, given exactly when the preference names
/// specified domains.
fn validate_specified_domains(dns: &Value, d: &mut Diagnostics) {
    let at = || attr_path(&["dns_options", "private_dns_specified_domains"]);
    let domains = dns.get("private_dns_specified_domains");
    let preference = dns.get("private_dns_preference");
    if let Some(items) = domains.as_list() {
        if domains.is_wholly_known() && (items.is_empty() || items.len() > 10) {
            d.attr_error(at(), "Invalid private_dns_specified_domains", format!("{} domains are given; EC2 takes 1 to 10.", items.len()));
        }
    }
    if let Some(p) = preference.as_str() {
        let wants_domains = p.contains("SPECIFIED_DOMAINS");
        if wants_domains && domains.is_null() {
            d.attr_error(at(), "Missing private_dns_specified_domains", format!("private_dns_preference = \"{p}\" needs the domains in private_dns_specified_domains."));
        } else if !wants_domains && domains.as_list().is_some_and(|l| !l.is_empty()) {
            d.attr_error(at(), "Unexpected private_dns_specified_domains", format!("private_dns_specified_domains applies only to the ..._SPECIFIED_DOMAINS preferences, not to \"{p}\"."));
        }
    }
}

fn attr_path(parts: &[&str]) -> Vec<PathStep> {
    parts.iter().map(|p| PathStep::Attr(p.to_string())).collect()
}

fn validate_config(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    common::validate_id(config, "vpc_id", "vpc-", "VPC", &mut d);
    common::validate_ids(config, "subnet_ids", "subnet-", "subnet", &mut d);
    common::validate_ids(config, "security_group_ids", "sg-", "security group", &mut d);
    if let Some(name) = config.get("service_name").as_str() {
        if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
            d.attr_error(
                "service_name",
                "Invalid service name",
                format!("\"{name}\" is not an endpoint service name such as \"com.amazonaws.us-east-1.ssm\"."),
            );
        }
    }
    common::validate_policy(config, &mut d);
    common::validate_timeouts(config, &mut d);
    common::validate_tags(config, &mut d);
    common::validate_enum(config.get("ip_address_type"), attr_path(&["ip_address_type"]), "ip_address_type", IP_ADDRESS_TYPES, &mut d);
    let dns = config.get("dns_options");
    common::validate_enum(
        dns.get("private_dns_preference"),
        attr_path(&["dns_options", "private_dns_preference"]),
        "private_dns_preference",
        PRIVATE_DNS_PREFERENCES,
        &mut d,
    );
    validate_specified_domains(dns, &mut d);
    common::validate_enum(
        dns.get("dns_record_ip_type"),
        attr_path(&["dns_options", "dns_record_ip_type"]),
        "dns_record_ip_type",
        DNS_RECORD_IP_TYPES,
        &mut d,
    );
    // Resolver-only private DNS is a refinement of private DNS.
    let private_dns = config.get("private_dns_enabled");
    let private_dns_off = private_dns.is_null() || private_dns.as_bool() == Some(false);
    if dns.get("private_dns_only_for_inbound_resolver_endpoint").as_bool() == Some(true) && private_dns_off {
        d.attr_error(
            attr_path(&["dns_options", "private_dns_only_for_inbound_resolver_endpoint"]),
            "Private DNS is off",
            "private_dns_only_for_inbound_resolver_endpoint = true needs private_dns_enabled = true (it narrows private DNS to queries from Route 53 Resolver inbound endpoints).",
        );
    }
    // DNS record types need matching endpoint addresses.
    if let (Some(record), Some(ip)) = (dns.get("dns_record_ip_type").as_str(), config.get("ip_address_type").as_str()) {
        let ok = match record {
            "ipv4" => ip == "ipv4" || ip == "dualstack",
            "ipv6" => ip == "ipv6" || ip == "dualstack",
            "dualstack" => ip == "dualstack",
            _ => true,
        };
        if IP_ADDRESS_TYPES.contains(&ip) && DNS_RECORD_IP_TYPES.contains(&record) && !ok {
            let need = match record {
                "ipv4" => "\"ipv4\" or \"dualstack\"",
                "ipv6" => "\"ipv6\" or \"dualstack\"",
                _ => "\"dualstack\"",
            };
            d.attr_error(
                attr_path(&["dns_options", "dns_record_ip_type"]),
                "DNS record type does not match the IP address type",
                format!("dns_record_ip_type = \"{record}\" needs ip_address_type = {need}, but ip_address_type is \"{ip}\"."),
            );
        }
    }
    d
}

// ---------------------------------------------------------------------------------------------
// Plan-time (and pre-create) checks against EC2
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Checks {
    vpc: bool,
    service: bool,
    subnets: bool,
    groups: bool,
    private_dns: bool,
    /// During apply: a VPC that is not found yet (eventual consistency) is left to CreateVpcEndpoint.
    at_apply: bool,
}

impl Checks {
    fn all() -> Self {
        Checks { vpc: true, service: true, subnets: true, groups: true, private_dns: true, at_apply: false }
    }
}

fn could_not_check(diags: &mut Diagnostics, what: &str, e: &AwsError) {
    diags.warning(
        format!("Could not check {what}"),
        format!("{e}. The check was skipped; EC2 still rejects invalid values when the endpoint is created or modified."),
    );
}

fn private_dns_error(vpc: &str, support: bool, hostnames: bool) -> String {
    let mut missing = Vec::new();
    let mut fixes = Vec::new();
    let mut cli = Vec::new();
    if !support {
        missing.push("enableDnsSupport = false".to_string());
        fixes.push("enable_dns_support = true");
        cli.push(format!("aws ec2 modify-vpc-attribute --vpc-id {vpc} --enable-dns-support '{{\"Value\":true}}'"));
    }
    if !hostnames {
        missing.push("enableDnsHostnames = false".to_string());
        fixes.push("enable_dns_hostnames = true");
        cli.push(format!("aws ec2 modify-vpc-attribute --vpc-id {vpc} --enable-dns-hostnames '{{\"Value\":true}}'"));
    }
    format!(
        "VPC {vpc} has {}. Private DNS for an interface endpoint needs both enableDnsSupport and enableDnsHostnames set to true on the VPC: \
         set {} on the aws_vpc, or run {}; or set private_dns_enabled = false.",
        missing.join(" and "),
        fixes.join(" and "),
        cli.join(" and "),
    )
}

/// Runs the selected checks on the known values of `v` (a plan or the configuration).
async fn check_aws(ctx: &Ctx, v: &Value, checks: Checks, diags: &mut Diagnostics) {
    let region = ctx.ec2.region().to_string();
    let vpc = known_str(v.get("vpc_id")).map(str::to_string);
    let service = known_str(v.get("service_name")).map(|s| common::resolve_service_name(s, &region));
    let subnet_ids: Vec<String> = if checks.subnets { strings(v.get("subnet_ids")).into_iter().collect() } else { vec![] };
    let group_ids: Vec<String> = if checks.groups { strings(v.get("security_group_ids")).into_iter().collect() } else { vec![] };
    let private_dns = checks.private_dns && v.get("private_dns_enabled").as_bool() == Some(true);
    let ip_type = known_str(v.get("ip_address_type")).filter(|t| IP_ADDRESS_TYPES.contains(t)).map(str::to_string);
    let need_service = checks.service || !subnet_ids.is_empty() || private_dns || (checks.subnets && ip_type.is_some());

    let ec2 = &ctx.ec2;
    let (vpc_r, svc_r, subnets_r, groups_r, dns_r) = tokio::join!(
        async {
            match (&vpc, checks.vpc && !checks.at_apply) {
                (Some(id), true) => Some(ec2.find_vpc(id).await),
                _ => None,
            }
        },
        async {
            match (&service, need_service) {
                (Some(name), true) => Some(ec2.describe_service_details(name).await),
                _ => None,
            }
        },
        async {
            match subnet_ids.is_empty() {
                false => Some(ec2.find_subnets(&subnet_ids).await),
                true => None,
            }
        },
        async {
            match group_ids.is_empty() {
                false => Some(ec2.find_security_groups(&group_ids).await),
                true => None,
            }
        },
        async {
            match (&vpc, private_dns) {
                (Some(id), true) => Some(ec2.vpc_dns_attributes(id).await),
                _ => None,
            }
        },
    );

    // The VPC.
    let mut vpc_missing = false;
    if let (Some(vpc), Some(r)) = (&vpc, vpc_r) {
        match r {
            Ok(Some(_)) => {}
            Ok(None) => {
                vpc_missing = true;
                diags.attr_error("vpc_id", "VPC not found", format!("VPC {vpc} does not exist in {region}."));
            }
            Err(e) => could_not_check(diags, &format!("VPC {vpc}"), &e),
        }
    }

    // The service.
    let mut interface_detail: Option<ServiceDetail> = None;
    if let (Some(name), Some(r)) = (&service, svc_r) {
        match r {
            // A vanished service is not this update's business (EC2 reports what it must).
            Ok(details) if details.is_empty() && !(checks.service || checks.at_apply) => {}
            Ok(details) if details.is_empty() => {
                let mut detail = format!("There is no VPC endpoint service {name} in {region}.");
                if let Some(other) = common::service_region(name).filter(|r| *r != region) {
                    detail.push_str(&format!(
                        " The name refers to region {other}, but the provider is configured for {region}: use the service's {region} name, or a provider configured for {other}."
                    ));
                }
                detail.push_str(&format!(
                    " The available services are listed by: aws ec2 describe-vpc-endpoint-services --region {region} --query ServiceNames"
                ));
                diags.attr_error("service_name", "No such VPC endpoint service", detail);
            }
            Ok(details) => {
                let mut types: Vec<String> = Vec::new();
                for t in details.iter().flat_map(|d| d.service_type()).filter_map(|t| t.service_type()) {
                    if !types.iter().any(|have| have.eq_ignore_ascii_case(t.as_str())) {
                        types.push(t.as_str().to_string());
                    }
                }
                interface_detail = details
                    .into_iter()
                    .find(|d| d.service_type().iter().any(|t| t.service_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case("interface"))));
                if interface_detail.is_none() && checks.service {
                    let hint = if types.iter().any(|t| t.eq_ignore_ascii_case("gateway")) {
                        " Use the vpce_gateway resource for it."
                    } else {
                        ""
                    };
                    diags.attr_error(
                        "service_name",
                        "Service does not offer Interface endpoints",
                        format!("{name} supports only {} endpoints, not Interface.{hint}", join_and(&types)),
                    );
                }
            }
            Err(e) => could_not_check(diags, &format!("service {name}"), &e),
        }
    }
    if let (Some(detail), Some(name)) = (&interface_detail, &service) {
        if private_dns && detail.private_dns_name().is_none() && detail.private_dns_names().is_empty() {
            diags.attr_error(
                "private_dns_enabled",
                "The service has no private DNS name",
                format!("{name} has no private DNS name, so private DNS cannot be enabled for its endpoints: set private_dns_enabled = false and use the endpoint's own DNS names (dns_entry)."),
            );
        }
        if let Some(ip) = &ip_type {
            let supported: Vec<String> = detail.supported_ip_address_types().iter().map(|t| t.as_str().to_ascii_lowercase()).collect();
            let needs: &[&str] = match ip.as_str() {
                "ipv4" => &["ipv4"],
                "ipv6" => &["ipv6"],
                _ => &["ipv4", "ipv6"],
            };
            if !supported.is_empty() && !needs.iter().all(|n| supported.iter().any(|s| s == n)) {
                diags.attr_error(
                    "ip_address_type",
                    "IP address type not supported by the service",
                    format!("{name} supports {} addresses only, so ip_address_type cannot be \"{ip}\".", join_and(&supported)),
                );
            }
        }
    }

    // Subnets.
    if let Some(r) = subnets_r {
        match r {
            Ok(found) => check_subnets(&subnet_ids, &found, vpc.as_deref().filter(|_| !vpc_missing), service.as_deref(), interface_detail.as_ref(), ip_type.as_deref(), diags),
            Err(e) => could_not_check(diags, "the subnets", &e),
        }
    }

    // Security groups.
    if let Some(r) = groups_r {
        match r {
            Ok(found) => check_groups(&group_ids, &found, vpc.as_deref().filter(|_| !vpc_missing), &region, diags),
            Err(e) => could_not_check(diags, "the security groups", &e),
        }
    }

    // The VPC DNS rule for private DNS.
    if let (Some(vpc), Some(r)) = (&vpc, dns_r) {
        match r {
            Ok((support, hostnames)) if !(support && hostnames) => {
                diags.attr_error("private_dns_enabled", "The VPC does not allow private DNS", private_dns_error(vpc, support, hostnames));
            }
            Ok(_) => {}
            // Reported above (plan), or left to CreateVpcEndpoint (apply, eventual consistency).
            Err(e) if e.is_missing(Missing::Vpc) => {
                if !vpc_missing && !checks.at_apply && checks.vpc {
                    diags.attr_error("vpc_id", "VPC not found", format!("VPC {vpc} does not exist in {region}."));
                }
            }
            Err(e) => could_not_check(diags, &format!("the DNS attributes of VPC {vpc}"), &e),
        }
    }
}

fn check_subnets(
    ids: &[String],
    found: &[Subnet],
    vpc: Option<&str>,
    service: Option<&str>,
    detail: Option<&ServiceDetail>,
    ip_type: Option<&str>,
    diags: &mut Diagnostics,
) {
    let by_id: BTreeMap<&str, &Subnet> = found.iter().filter_map(|s| Some((s.subnet_id()?, s))).collect();
    for id in ids {
        if !by_id.contains_key(id.as_str()) {
            diags.attr_error("subnet_ids", "Subnet not found", format!("Subnet {id} does not exist (in this account and region)."));
        }
    }
    if let Some(vpc) = vpc {
        for (id, s) in &by_id {
            if let Some(other) = s.vpc_id().filter(|v| *v != vpc) {
                diags.attr_error(
                    "subnet_ids",
                    "Subnet in another VPC",
                    format!("Subnet {id} belongs to {other}, not to {vpc}: an interface endpoint's subnets must be in the endpoint's VPC."),
                );
            }
        }
    }
    let mut by_az: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, s) in &by_id {
        if let Some(az) = s.availability_zone() {
            by_az.entry(az).or_default().push(id);
        }
    }
    for (az, subnets) in &by_az {
        if subnets.len() > 1 {
            let names: Vec<String> = subnets.iter().map(|s| s.to_string()).collect();
            diags.attr_error(
                "subnet_ids",
                "Several subnets in one Availability Zone",
                format!(
                    "Subnets {} are both in {az}. An interface endpoint takes at most one subnet per Availability Zone: keep one of them.",
                    join_and(&names)
                ),
            );
        }
    }
    if let (Some(detail), Some(service)) = (detail, service) {
        let offered: Vec<String> = detail.availability_zones().to_vec();
        if !offered.is_empty() {
            for (az, subnets) in &by_az {
                if !offered.iter().any(|o| o == az) {
                    for id in subnets {
                        diags.attr_error(
                            "subnet_ids",
                            "Service not offered in the subnet's Availability Zone",
                            format!(
                                "Subnet {id} is in {az}, but {service} is offered only in {}. Use subnets in those Availability Zones.",
                                join_and(&offered)
                            ),
                        );
                    }
                }
            }
        }
    }
    if let Some(ip) = ip_type {
        for (id, s) in &by_id {
            let has_v6 = s.ipv6_cidr_block_association_set().iter().any(|a| {
                a.ipv6_cidr_block_state()
                    .and_then(|st| st.state())
                    .map_or(true, |st| st.as_str().eq_ignore_ascii_case("associated"))
            });
            let v6_only = s.ipv6_native() == Some(true);
            let problem = match ip {
                "ipv4" if v6_only => Some("is IPv6-only"),
                "dualstack" if v6_only => Some("is IPv6-only (dualstack needs IPv4 and IPv6)"),
                "dualstack" if !has_v6 => Some("has no IPv6 CIDR block"),
                "ipv6" if !v6_only => Some("is not IPv6-only"),
                _ => None,
            };
            if let Some(problem) = problem {
                diags.attr_error(
                    "ip_address_type",
                    "Subnet does not fit the IP address type",
                    format!("ip_address_type = \"{ip}\", but subnet {id} {problem}."),
                );
            }
        }
    }
}

fn check_groups(ids: &[String], found: &[SecurityGroup], vpc: Option<&str>, region: &str, diags: &mut Diagnostics) {
    let by_id: BTreeMap<&str, &SecurityGroup> = found.iter().filter_map(|g| Some((g.group_id()?, g))).collect();
    for id in ids {
        match by_id.get(id.as_str()) {
            None => diags.attr_error("security_group_ids", "Security group not found", format!("Security group {id} does not exist in {region}.")),
            Some(g) => {
                if let (Some(vpc), Some(other)) = (vpc, g.vpc_id()) {
                    if other != vpc {
                        diags.attr_error(
                            "security_group_ids",
                            "Security group in another VPC",
                            format!("Security group {id} belongs to {other}, not to {vpc}: an interface endpoint's security groups must be in the endpoint's VPC."),
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

/// Plans the `dns_options` block: null when not configured (a block cannot be computed); its
/// unset attributes unknown on create or when the block is new, else kept from the prior state.
/// The attributes of the `dns_options` block.
const DNS_ATTRS: &[&str] = &["dns_record_ip_type", "private_dns_only_for_inbound_resolver_endpoint", "private_dns_preference", "private_dns_specified_domains"];
/// Those of them EC2 cannot change in place.
const DNS_FORCE_NEW: &[&str] = &["private_dns_preference", "private_dns_specified_domains"];
const PRIVATE_DNS_PREFERENCES: &[&str] = &["ALL_DOMAINS", "VERIFIED_DOMAINS_ONLY", "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY"];

fn plan_dns_options(prior: &Value, proposed: &Value, config: &Value, fresh: bool) -> Value {
    common::plan_single_block(prior, proposed, config, fresh, "dns_options", DNS_ATTRS)
}

/// Replacement paths for configured force-new `dns_options` attributes that differ from the prior state.
fn dns_replacements(prior: &Value, config: &Value) -> Vec<Vec<PathStep>> {
    if prior.is_null() {
        return Vec::new();
    }
    DNS_FORCE_NEW
        .iter()
        .filter(|a| {
            let (now, was) = (config.get("dns_options").get(a), prior.get("dns_options").get(a));
            let differ = if **a == "private_dns_specified_domains" { !sets_equal(now, was) } else { now != was };
            now.is_wholly_known() && !now.is_null() && differ
        })
        .map(|a| attr_path(&["dns_options", a]))
        .collect()
}

fn differs(prior: &Value, planned: &Value, attr: &str) -> bool {
    match attr {
        "subnet_ids" | "security_group_ids" => !sets_equal(prior.get(attr), planned.get(attr)),
        _ => prior.get(attr) != planned.get(attr),
    }
}

fn plan(block: &Block, region: &str, prior: &Value, proposed: &Value, config: &Value) -> (Value, Vec<Vec<PathStep>>) {
    // The same service spelled differently (`ssm` vs its full name) is not a new service: plan
    // as if unchanged, then take the new spelling (a state-only update).
    let respelled = match (prior.get("service_name").as_str(), config.get("service_name").as_str()) {
        (Some(old), Some(new)) => old != new && common::resolve_service_name(old, region) == common::resolve_service_name(new, region),
        _ => false,
    };
    let (mut planned, replace) = if respelled {
        let cfg = common::with_attrs(config, [("service_name", prior.get("service_name").clone())]);
        let (mut planned, replace) = common::plan_generic_with(block, prior, proposed, &cfg, &[], dns_replacements(prior, config));
        set(&mut planned, "service_name", config.get("service_name").clone());
        (planned, replace)
    } else {
        common::plan_generic_with(block, prior, proposed, config, &[], dns_replacements(prior, config))
    };
    let fresh = prior.is_null() || !replace.is_empty();
    if config.get("private_dns_enabled").is_null() {
        set(&mut planned, "private_dns_enabled", Value::Bool(false));
    }
    planned = common::plan_empty_when_null(planned, config, &[("tags", common::empty_map)]);
    // Policy: compared as JSON; removing it from the configuration resets AWS's default policy.
    if let Some(p) = common::plan_policy_value(prior, config, fresh) {
        set(&mut planned, "policy", p);
    }
    let dns = plan_dns_options(if fresh { &Value::Null } else { prior }, proposed, config, fresh);
    set(&mut planned, "dns_options", dns);
    if !fresh && NETWORK_ATTRS.iter().any(|a| differs(prior, &planned, a)) {
        for attr in ["dns_entry", "network_interface_ids", "state"] {
            set(&mut planned, attr, unknown());
        }
    }
    (planned, replace)
}

/// Which EC2 checks a plan needs: everything for a new endpoint, else only what changes.
fn checks_for(prior: &Value, planned: &Value, fresh: bool) -> Checks {
    if fresh {
        return Checks::all();
    }
    let added = |attr: &str| {
        let (old, new) = (strings(prior.get(attr)), strings(planned.get(attr)));
        new.iter().any(|s| !old.contains(s))
    };
    Checks {
        vpc: false,
        service: false,
        subnets: differs(prior, planned, "subnet_ids") || differs(prior, planned, "ip_address_type"),
        groups: added("security_group_ids"),
        private_dns: planned.get("private_dns_enabled").as_bool() == Some(true) && prior.get("private_dns_enabled").as_bool() != Some(true),
        at_apply: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

fn create_error(e: &AwsError, diags: &mut Diagnostics) {
    let code = e.code.as_deref().unwrap_or_default();
    let attr = if code.starts_with("InvalidSubnet") {
        Some("subnet_ids")
    } else if code.starts_with("InvalidGroup") || code.starts_with("InvalidSecurityGroup") {
        Some("security_group_ids")
    } else if code.starts_with("InvalidVpcID") || code.starts_with("InvalidVpcId") {
        Some("vpc_id")
    } else if code.starts_with("InvalidServiceName") {
        Some("service_name")
    } else if code.contains("Policy") {
        Some("policy")
    } else {
        None
    };
    let summary = "Cannot create the interface endpoint";
    match attr {
        Some(a) => diags.attr_error(a, summary, e.to_string()),
        None => diags.error(summary, e.to_string()),
    }
}

fn dns_spec(block: &Value) -> Option<DnsOptionsSpecification> {
    let record = block.get("dns_record_ip_type").as_str();
    let inbound = block.get("private_dns_only_for_inbound_resolver_endpoint").as_bool();
    let preference = block.get("private_dns_preference").as_str();
    let domains: Vec<String> = strings(block.get("private_dns_specified_domains")).into_iter().collect();
    if record.is_none() && inbound.is_none() && preference.is_none() && domains.is_empty() {
        return None;
    }
    Some(
        DnsOptionsSpecification::builder()
            .set_dns_record_ip_type(record.map(DnsRecordIpType::from))
            .set_private_dns_only_for_inbound_resolver_endpoint(inbound)
            .set_private_dns_preference(preference.map(str::to_owned))
            .set_private_dns_specified_domains((!domains.is_empty()).then_some(domains))
            .build(),
    )
}

async fn create(ctx: &Ctx, planned: &Value) -> ApplyResponse {
    let started = std::time::Instant::now();
    let mut diags = Diagnostics::new();
    let region = ctx.ec2.region().to_string();
    // The DNS rule again, right before creating: the VPC may have been unknown at plan time.
    let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
    check_aws(ctx, planned, checks, &mut diags).await;
    if diags.has_errors() {
        return ApplyResponse { new_state: Value::Null, diags };
    }

    let (Some(vpc), Some(service)) = (planned.get("vpc_id").as_str(), planned.get("service_name").as_str()) else {
        diags.error("Provider bug: unknown values at apply", "vpc_id and service_name must be known when the endpoint is created.");
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let tags = string_map(planned.get("tags"));
    let service = common::resolve_service_name(service, &region);
    let subnets: Vec<String> = strings(planned.get("subnet_ids")).into_iter().collect();
    let groups: Vec<String> = strings(planned.get("security_group_ids")).into_iter().collect();
    let private_dns = planned.get("private_dns_enabled").as_bool().unwrap_or(false);
    let ip_type = planned.get("ip_address_type").as_str();
    let dns = dns_spec(planned.get("dns_options"));
    let policy = common::configured_policy(planned);
    let settings = format!(
        "Interface|{vpc}|{service}|{}|{}|{private_dns}|{}|{:?}|{}",
        subnets.join(","),
        groups.join(","),
        ip_type.unwrap_or_default(),
        dns,
        policy.unwrap_or_default()
    );
    let new = endpoint::NewEndpoint {
        endpoint_type: VpcEndpointType::Interface,
        vpc_id: vpc,
        service: &service,
        settings,
        tags: &tags,
        timeout: timeout_of(planned, "create"),
    };
    let build = || {
        let mut req = ctx
            .ec2
            .client()
            .create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(vpc)
            .service_name(&service)
            .private_dns_enabled(private_dns);
        if !subnets.is_empty() {
            req = req.set_subnet_ids(Some(subnets.clone()));
        }
        if !groups.is_empty() {
            req = req.set_security_group_ids(Some(groups.clone()));
        }
        if let Some(t) = ip_type {
            req = req.ip_address_type(IpAddressType::from(t));
        }
        if let Some(spec) = dns.clone() {
            req = req.dns_options(spec);
        }
        if let Some(p) = policy {
            req = req.policy_document(p);
        }
        req
    };
    let created = match endpoint::create(ctx, new, build).await {
        endpoint::Created::New(ep, others) => {
            endpoint::warn_other_orphans(&mut diags, &others);
            ep
        }
        endpoint::Created::Adopted(ep) => {
            // Take it over, then bring it to the plan (the configuration may have changed since).
            let id = ep.vpc_endpoint_id().unwrap_or_default();
            let planned = common::with_attrs(planned, [("id", Value::string(id))]);
            let prior = unknowns_to_null(overlay_planned(&planned, &state_from_endpoint(&ep, &planned, &region)));
            let mut resp = update(ctx, &prior, &planned, &planned).await;
            resp.diags.warning(
                "Adopted an endpoint from an interrupted apply",
                format!("VPC endpoint {id} was created by an earlier apply that was interrupted before Terraform saved it; it is used instead of creating a duplicate."),
            );
            return resp;
        }
        endpoint::Created::Failed(e) => {
            create_error(&e, &mut diags);
            return ApplyResponse { new_state: Value::Null, diags };
        }
    };
    let id = created.vpc_endpoint_id().unwrap_or_default().to_string();
    crate::info!("created interface endpoint".to_string(), "id" => id.clone());

    let timeout = timeout_of(planned, "create").saturating_sub(started.elapsed());
    match ctx.ec2.wait_for_endpoint(&id, &["available", "pendingacceptance"], &[], timeout, &ctx.cancel).await {
        Ok(ep) => {
            let actual = state_from_endpoint(&ep, planned, &region);
            ApplyResponse { new_state: overlay_planned(planned, &actual), diags }
        }
        Err(WaitError::Cancelled) => {
            // Interrupted (Ctrl-C) after EC2 accepted the create: recorded as created, not
            // tainted, so the next apply does not replace a healthy endpoint; the next refresh
            // reads its state (a failed endpoint is then planned for replacement).
            let actual = state_from_endpoint(&created, planned, &region);
            diags.warning(
                "Interrupted while the endpoint was being created",
                format!("{id} was created and is saved in the state; Terraform was interrupted before it became available. The next plan reads its state again."),
            );
            ApplyResponse { new_state: unknowns_to_null(overlay_planned(planned, &actual)), diags }
        }
        Err(e) => {
            // Nothing lost: the endpoint exists, so it goes into the state (Terraform taints it).
            let actual = state_from_endpoint(&created, planned, &region);
            let hint = match e {
                WaitError::NotFound => "EC2 no longer lists it. It is kept in the state as tainted: the next refresh drops it if it is really gone, and the next apply creates a new one.",
                _ => "It is recorded in the state as tainted: the next apply replaces it (run `terraform untaint` if it became available meanwhile).",
            };
            diags.error("Interface endpoint created but not ready", format!("{id} was created, but {}. {hint}", wait_failure(&e, "create")));
            ApplyResponse { new_state: unknowns_to_null(overlay_planned(planned, &actual)), diags }
        }
    }
}

async fn default_group(ctx: &Ctx, v: &Value) -> Result<String, AwsError> {
    let vpc = v.get("vpc_id").as_str().unwrap_or_default();
    ctx.ec2
        .default_security_group(vpc)
        .await?
        .ok_or_else(|| AwsError::new("DescribeSecurityGroups", None, format!("VPC {vpc} has no default security group")))
}

/// `security_group_ids = []` means "the VPC's default group": when the state says `[]` and EC2
/// reports just that group, the state keeps `[]`.
async fn keep_empty_groups(ctx: &Ctx, prior: &Value, mut state: Value) -> Value {
    let was_empty = matches!(prior.get("security_group_ids"), Value::Set(items) if items.is_empty());
    let now = strings(state.get("security_group_ids"));
    if was_empty && now.len() == 1 {
        if let Ok(g) = default_group(ctx, &state).await {
            if now.contains(&g) {
                set(&mut state, "security_group_ids", Value::Set(vec![]));
            }
        }
    }
    state
}

/// After a failed step of an update: what EC2 says now (the prior state if it cannot be read).
async fn current_state(ctx: &Ctx, id: &str, prior: &Value) -> Value {
    match ctx.ec2.find_vpc_endpoint(id).await {
        Ok(Some(ep)) => state_from_endpoint(&ep, prior, ctx.ec2.region()),
        _ => prior.clone(),
    }
}

async fn update(ctx: &Ctx, prior: &Value, planned: &Value, config: &Value) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let region = ctx.ec2.region().to_string();
    let Some(id) = prior.get("id").as_str().map(str::to_string) else {
        diags.error("Provider bug: no endpoint ID", "The prior state has no ID.");
        return ApplyResponse { new_state: prior.clone(), diags };
    };

    let mut req = ctx.ec2.client().modify_vpc_endpoint().vpc_endpoint_id(&id);
    let mut modify = false;
    if planned.get("subnet_ids").is_wholly_known() {
        let (old, new) = (strings(prior.get("subnet_ids")), strings(planned.get("subnet_ids")));
        let add: Vec<String> = new.difference(&old).cloned().collect();
        let remove: Vec<String> = old.difference(&new).cloned().collect();
        modify |= !add.is_empty() || !remove.is_empty();
        if !add.is_empty() {
            req = req.set_add_subnet_ids(Some(add));
        }
        if !remove.is_empty() {
            req = req.set_remove_subnet_ids(Some(remove));
        }
    }
    if planned.get("security_group_ids").is_wholly_known() {
        let old = strings(prior.get("security_group_ids"));
        let mut new = strings(planned.get("security_group_ids"));
        if new.is_empty() && !old.is_empty() {
            // An empty set means the VPC's default group, as on create.
            match default_group(ctx, prior).await {
                Ok(g) => new.insert(g),
                Err(e) => {
                    diags.attr_error("security_group_ids", "Cannot find the VPC's default security group", format!("{id}: {e}"));
                    return ApplyResponse { new_state: prior.clone(), diags };
                }
            };
        }
        let add: Vec<String> = new.difference(&old).cloned().collect();
        let remove: Vec<String> = old.difference(&new).cloned().collect();
        modify |= !add.is_empty() || !remove.is_empty();
        if !add.is_empty() {
            req = req.set_add_security_group_ids(Some(add));
        }
        if !remove.is_empty() {
            req = req.set_remove_security_group_ids(Some(remove));
        }
    }
    let private_dns = planned.get("private_dns_enabled").as_bool();
    let enabling_private_dns = private_dns == Some(true) && prior.get("private_dns_enabled").as_bool() != Some(true);
    if let Some(pd) = private_dns.filter(|pd| prior.get("private_dns_enabled").as_bool() != Some(*pd)) {
        req = req.private_dns_enabled(pd);
        modify = true;
    }
    if let Some(t) = planned.get("ip_address_type").as_str().filter(|t| prior.get("ip_address_type").as_str() != Some(*t)) {
        req = req.ip_address_type(IpAddressType::from(t));
        modify = true;
    }
    let (old_dns, new_dns) = (prior.get("dns_options"), planned.get("dns_options"));
    if !new_dns.is_null() && old_dns != new_dns {
        // Only what changed, and never the attributes EC2 cannot change in place (a change of
        // those replaces the endpoint).
        let changed = object(
            DNS_ATTRS
                .iter()
                .filter(|a| !DNS_FORCE_NEW.contains(a))
                .filter(|a| new_dns.get(a) != old_dns.get(a))
                .map(|a| (*a, new_dns.get(a).clone())),
        );
        if let Some(spec) = dns_spec(&changed) {
            req = req.dns_options(spec);
            modify = true;
        }
    }
    match common::policy_change(prior, config) {
        common::PolicyChange::Set(p) => {
            req = req.policy_document(p);
            modify = true;
        }
        common::PolicyChange::Reset => {
            req = req.reset_policy(true);
            modify = true;
        }
        common::PolicyChange::Keep => {}
    }

    if enabling_private_dns {
        let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
        check_aws(ctx, planned, checks, &mut diags).await;
        if diags.has_errors() {
            return ApplyResponse { new_state: prior.clone(), diags };
        }
    }

    if modify {
        if let Err(e) = req.send().await.aws_op("ModifyVpcEndpoint") {
            diags.error("Cannot modify the interface endpoint", format!("{id}: {e}"));
            return ApplyResponse { new_state: current_state(ctx, &id, prior).await, diags };
        }
        if let Err(e) = ctx.ec2.wait_for_endpoint(&id, &["available", "pendingacceptance"], &[], timeout_of(planned, "update"), &ctx.cancel).await {
            diags.error("Interface endpoint modified but not ready", format!("{id} was modified, but {}.", wait_failure(&e, "update")));
            return ApplyResponse { new_state: current_state(ctx, &id, prior).await, diags };
        }
    }

    if !common::update_tags(ctx, &id, prior.get("tags"), planned.get("tags"), &mut diags).await {
        return ApplyResponse { new_state: current_state(ctx, &id, prior).await, diags };
    }

    match ctx.ec2.find_vpc_endpoint(&id).await {
        Ok(Some(ep)) => {
            let actual = state_from_endpoint(&ep, planned, &region);
            ApplyResponse { new_state: overlay_planned(planned, &actual), diags }
        }
        Ok(None) => {
            diags.error("Interface endpoint disappeared", format!("{id} was modified but is no longer found in {region}."));
            ApplyResponse { new_state: Value::Null, diags }
        }
        Err(e) => {
            // The changes were made; keep the plan, with nothing unknown, and report the read failure.
            diags.warning("Could not read the endpoint back", format!("{id}: {e}. The next refresh reads it again."));
            ApplyResponse { new_state: unknowns_to_null(overlay_planned(planned, prior)), diags }
        }
    }
}

async fn delete(ctx: &Ctx, prior: &Value) -> ApplyResponse {
    common::delete_endpoint(ctx, prior, "interface endpoint", timeout_of(prior, "delete")).await
}

// ---------------------------------------------------------------------------------------------
// The resource
// ---------------------------------------------------------------------------------------------

impl Resource<Ctx> for Interface {
    fn type_name(&self) -> &'static str {
        "vpce_interface"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_config(config)
    }

    fn plan<'a>(&'a self, ctx: &'a Ctx, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        Box::pin(async move {
            let mut diags = validate_config(&req.config);
            if diags.has_errors() {
                return PlanResponse { diags, ..Default::default() };
            }
            let (planned, requires_replace) = plan(&self.schema.block, ctx.ec2.region(), &req.prior, &req.proposed, &req.config);
            let fresh = req.prior.is_null() || !requires_replace.is_empty();
            let checks = checks_for(&req.prior, &planned, fresh);
            if checks != Checks::default() {
                check_aws(ctx, &planned, checks, &mut diags).await;
            }
            PlanResponse { planned, requires_replace, diags }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a Ctx, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        Box::pin(async move {
            match (req.prior.is_null(), req.planned.is_null()) {
                (_, true) => delete(ctx, &req.prior).await,
                (true, false) => create(ctx, &req.planned).await,
                (false, false) => update(ctx, &req.prior, &req.planned, &req.config).await,
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a Ctx, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            let mut diags = Diagnostics::new();
            let Some(id) = state.get("id").as_str().map(str::to_string) else {
                return ReadResponse { new_state: state, diags };
            };
            match ctx.ec2.find_vpc_endpoint(&id).await {
                Ok(None) => {
                    crate::warn!("interface endpoint is gone; removing it from the state".to_string(), "id" => id);
                    ReadResponse { new_state: Value::Null, diags }
                }
                Ok(Some(ep)) => {
                    endpoint::settle_marker(ctx, &ep).await;
                    let new_state = state_from_endpoint(&ep, &state, ctx.ec2.region());
                    ReadResponse { new_state: keep_empty_groups(ctx, &state, new_state).await, diags }
                }
                Err(e) => {
                    diags.error("Cannot read the interface endpoint", format!("{id}: {e}"));
                    ReadResponse { new_state: state, diags }
                }
            }
        })
    }

    fn import<'a>(&'a self, ctx: &'a Ctx, id: String) -> BoxFuture<'a, ImportResponse> {
        Box::pin(async move {
            let mut diags = Diagnostics::new();
            let id = id.trim().to_string();
            if !id.starts_with("vpce-") || id.starts_with("vpce-svc-") {
                diags.error(
                    "Invalid import ID",
                    format!("\"{id}\" is not a VPC endpoint ID. Import an interface endpoint by its ID, e.g. terraform import vpce_interface.example vpce-0123456789abcdef0"),
                );
                return ImportResponse { state: Value::Null, diags };
            }
            let region = ctx.ec2.region().to_string();
            match ctx.ec2.find_vpc_endpoint(&id).await {
                Ok(None) => {
                    diags.error("Cannot import the interface endpoint", format!("VPC endpoint {id} does not exist in {region}."));
                    ImportResponse { state: Value::Null, diags }
                }
                Ok(Some(ep)) if !is_interface(&ep) => {
                    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_else(|| "non-Interface".into());
                    let hint = if kind.eq_ignore_ascii_case("gateway") { " Import it as a vpce_gateway resource instead." } else { "" };
                    diags.error("Not an interface endpoint", format!("{id} is a {kind} endpoint, not an Interface endpoint.{hint}"));
                    ImportResponse { state: Value::Null, diags }
                }
                Ok(Some(ep)) => {
                    endpoint::settle_marker(ctx, &ep).await;
                    let base = object([("dns_options", Value::Null), ("timeouts", Value::Null), ("tags", Value::Null), ("policy", Value::Null)]);
                    ImportResponse { state: state_from_endpoint(&ep, &base, &region), diags }
                }
                Err(e) => {
                    diags.error("Cannot import the interface endpoint", format!("{id}: {e}"));
                    ImportResponse { state: Value::Null, diags }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{DnsEntry, DnsOptions, SecurityGroupIdentifier, State};
    use tokio_util::sync::CancellationToken;

    const REGION: &str = "us-east-1";
    const SSM: &str = "com.amazonaws.us-east-1.ssm";

    fn config(extra: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
        let mut c = object([("vpc_id", Value::string("vpc-1")), ("service_name", Value::string(SSM))]);
        for (k, v) in extra {
            set(&mut c, k, v);
        }
        c
    }

    /// A state as an apply would leave it.
    fn state() -> Value {
        object([
            ("id", Value::string("vpce-1")),
            ("arn", Value::string("arn:aws:ec2:us-east-1:123:vpc-endpoint/vpce-1")),
            ("vpc_id", Value::string("vpc-1")),
            ("service_name", Value::string(SSM)),
            ("subnet_ids", Value::set_of_strings(["subnet-a"])),
            ("security_group_ids", Value::set_of_strings(["sg-a"])),
            ("private_dns_enabled", Value::Bool(false)),
            ("ip_address_type", Value::string("ipv4")),
            ("policy", Value::string(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)),
            ("tags", Value::Map(Default::default())),
            ("state", Value::string("available")),
            ("dns_entry", Value::List(vec![object([("dns_name", Value::string("x")), ("hosted_zone_id", Value::string("Z"))])])),
            ("network_interface_ids", Value::set_of_strings(["eni-1"])),
            ("owner_id", Value::string("123")),
            ("requester_managed", Value::Bool(false)),
            ("dns_options", Value::Null),
            ("timeouts", Value::Null),
        ])
    }

    /// What Terraform proposes: the config, with computed attributes the config leaves null
    /// taken from the prior state.
    fn proposed(block: &Block, prior: &Value, config: &Value) -> Value {
        let mut p = config.clone();
        for a in block.attributes.iter().filter(|a| a.computed) {
            if config.get(a.name).is_null() {
                set(&mut p, a.name, prior.get(a.name).clone());
            }
        }
        p
    }

    fn plan_for(prior: &Value, config: &Value) -> (Value, Vec<Vec<PathStep>>) {
        let s = schema();
        let p = proposed(&s.block, prior, config);
        plan(&s.block, REGION, prior, &p, config)
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .map(|d| d.path.as_ref().map(|p| crate::protocol::values::format_path(p)).unwrap_or_default())
            .collect()
    }

    #[test]
    fn static_validation_points_at_attributes() {
        let c = config([
            ("ip_address_type", Value::string("ipv5")),
            ("dns_options", object([("dns_record_ip_type", Value::string("ipv9")), ("private_dns_only_for_inbound_resolver_endpoint", Value::Bool(true))])),
            ("subnet_ids", Value::set_of_strings(["subnet-1", "sn-2"])),
        ]);
        let d = validate_config(&c);
        let p = paths(&d);
        assert_eq!(d.0.len(), 4, "{d:?}");
        assert!(p.iter().any(|p| p.contains("ip_address_type")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("dns_record_ip_type")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("private_dns_only_for_inbound_resolver_endpoint")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("subnet_ids")), "{p:?}");
        // Unknown values are not judged.
        let c = config([("ip_address_type", Value::unknown()), ("vpc_id", Value::unknown())]);
        assert!(validate_config(&c).is_empty());
        // Resolver-only DNS with private DNS on is fine.
        let c = config([
            ("private_dns_enabled", Value::Bool(true)),
            ("dns_options", object([("private_dns_only_for_inbound_resolver_endpoint", Value::Bool(true)), ("dns_record_ip_type", Value::Null)])),
        ]);
        assert!(validate_config(&c).is_empty());
    }

    #[test]
    fn create_plans_private_dns_false_and_computed_unknown() {
        let (planned, replace) = plan_for(&Value::Null, &config([]));
        assert!(replace.is_empty());
        assert_eq!(planned.get("private_dns_enabled"), &Value::Bool(false));
        for attr in ["id", "arn", "state", "subnet_ids", "security_group_ids", "policy", "ip_address_type", "dns_entry", "owner_id"] {
            assert!(!planned.get(attr).is_known(), "{attr} unknown on create");
        }
        assert!(planned.get("dns_options").is_null(), "no block configured, none planned");
        // A block with one attribute set: the other is computed.
        let c = config([("dns_options", object([("dns_record_ip_type", Value::string("ipv4")), ("private_dns_only_for_inbound_resolver_endpoint", Value::Null)]))]);
        let (planned, _) = plan_for(&Value::Null, &c);
        assert_eq!(planned.get("dns_options").get("dns_record_ip_type"), &Value::string("ipv4"));
        assert!(!planned.get("dns_options").get("private_dns_only_for_inbound_resolver_endpoint").is_known());
    }

    #[test]
    fn update_plans() {
        let prior = state();
        let base = config([("subnet_ids", Value::set_of_strings(["subnet-a"])), ("security_group_ids", Value::set_of_strings(["sg-a"]))]);

        // Nothing changed: the plan is the prior state.
        let (planned, replace) = plan_for(&prior, &base);
        assert!(replace.is_empty());
        assert_eq!(planned, prior);
        assert_eq!(checks_for(&prior, &planned, false), Checks::default(), "no EC2 checks for a no-op");

        // A reformatted policy keeps the prior string.
        let c = common::with_attrs(&base, [("policy", Value::string("{ \"Statement\": [ {\"Resource\":\"*\",\"Action\":[\"*\"],\"Principal\":\"*\",\"Effect\":\"Allow\"} ] }"))]);
        let (planned, _) = plan_for(&prior, &c);
        assert_eq!(planned, prior);

        // The short service name is the same service: no replacement, a state-only update.
        let c = common::with_attrs(&base, [("service_name", Value::string("ssm"))]);
        let (planned, replace) = plan_for(&prior, &c);
        assert!(replace.is_empty(), "{replace:?}");
        assert_eq!(planned.get("service_name"), &Value::string("ssm"));
        assert_eq!(planned.get("id"), prior.get("id"));

        // Another VPC replaces; everything computed is new.
        let c = common::with_attrs(&base, [("vpc_id", Value::string("vpc-2"))]);
        let (planned, replace) = plan_for(&prior, &c);
        assert_eq!(replace, vec![vec![PathStep::Attr("vpc_id".into())]]);
        assert!(!planned.get("id").is_known() && !planned.get("network_interface_ids").is_known());
        assert_eq!(checks_for(&prior, &planned, true), Checks::all());

        // New subnet: its network interfaces and DNS names change; the subnets are checked.
        let c = common::with_attrs(&base, [("subnet_ids", Value::set_of_strings(["subnet-a", "subnet-b"]))]);
        let (planned, replace) = plan_for(&prior, &c);
        assert!(replace.is_empty());
        assert!(!planned.get("network_interface_ids").is_known() && !planned.get("dns_entry").is_known());
        assert_eq!(planned.get("id"), prior.get("id"));
        let checks = checks_for(&prior, &planned, false);
        assert!(checks.subnets && !checks.groups && !checks.private_dns && !checks.service);

        // Tags only: nothing recomputed, nothing checked.
        let c = common::with_attrs(&base, [("tags", Value::map_of_strings([("a", "b")]))]);
        let (planned, _) = plan_for(&prior, &c);
        assert_eq!(planned.get("network_interface_ids"), prior.get("network_interface_ids"));
        assert_eq!(checks_for(&prior, &planned, false), Checks::default());

        // Enabling private DNS: the VPC DNS rule is checked.
        let c = common::with_attrs(&base, [("private_dns_enabled", Value::Bool(true))]);
        let (planned, _) = plan_for(&prior, &c);
        let checks = checks_for(&prior, &planned, false);
        assert!(checks.private_dns && !checks.subnets);

        // A policy removed from the configuration: reset to the default (unknown until applied),
        // unless it already is the default.
        let custom = common::with_attrs(&prior, [("policy", Value::string(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}"#))]);
        let (planned, _) = plan_for(&custom, &base);
        assert!(!planned.get("policy").is_known());
        let (planned, _) = plan_for(&prior, &base);
        assert_eq!(planned.get("policy"), prior.get("policy"));

        // Private DNS left out of the configuration of an endpoint that has it: planned off.
        let on = common::with_attrs(&prior, [("private_dns_enabled", Value::Bool(true))]);
        let (planned, _) = plan_for(&on, &base);
        assert_eq!(planned.get("private_dns_enabled"), &Value::Bool(false));
    }

    #[test]
    fn overlay_keeps_planned_and_fills_unknowns() {
        let planned = object([
            ("a", Value::string("mine")),
            ("b", Value::unknown()),
            ("c", Value::Null),
            ("d", object([("x", Value::unknown()), ("y", Value::Bool(true))])),
            ("e", Value::Set(vec![Value::string("s"), Value::unknown()])),
        ]);
        let actual = object([
            ("a", Value::string("theirs")),
            ("b", Value::string("filled")),
            ("c", Value::string("ignored")),
            ("d", object([("x", Value::string("x")), ("y", Value::Bool(false))])),
            ("e", Value::set_of_strings(["s", "t"])),
        ]);
        let out = overlay_planned(&planned, &actual);
        assert_eq!(out.get("a"), &Value::string("mine"));
        assert_eq!(out.get("b"), &Value::string("filled"));
        assert!(out.get("c").is_null());
        assert_eq!(out.get("d"), &object([("x", Value::string("x")), ("y", Value::Bool(true))]));
        assert_eq!(out.get("e"), &Value::set_of_strings(["s", "t"]));
        assert!(unknowns_to_null(overlay_planned(&planned, &Value::Null)).is_wholly_known());
    }

    fn endpoint() -> VpcEndpoint {
        VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id("vpc-1")
            .service_name(SSM)
            .state(State::from("available"))
            .subnet_ids("subnet-b")
            .subnet_ids("subnet-a")
            .groups(SecurityGroupIdentifier::builder().group_id("sg-a").group_name("a").build())
            .private_dns_enabled(true)
            .ip_address_type(IpAddressType::Ipv4)
            .dns_options(DnsOptions::builder().dns_record_ip_type(DnsRecordIpType::Ipv4).private_dns_only_for_inbound_resolver_endpoint(false).build())
            .policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
            .network_interface_ids("eni-1")
            .dns_entries(DnsEntry::builder().dns_name("vpce-1.ssm.us-east-1.vpce.amazonaws.com").hosted_zone_id("Z7HUB22UULQXV").build())
            .owner_id("123456789012")
            .build()
    }

    #[test]
    fn state_from_ec2() {
        let ep = endpoint();
        let base = object([("service_name", Value::string("ssm")), ("tags", Value::Null), ("dns_options", Value::Null)]);
        let s = state_from_endpoint(&ep, &base, REGION);
        assert_eq!(s.get("arn"), &Value::string("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
        assert_eq!(s.get("service_name"), &Value::string("ssm"), "the user's spelling of the same service");
        assert_eq!(s.get("subnet_ids"), &Value::set_of_strings(["subnet-a", "subnet-b"]));
        assert_eq!(s.get("security_group_ids"), &Value::set_of_strings(["sg-a"]));
        assert_eq!(s.get("private_dns_enabled"), &Value::Bool(true));
        assert_eq!(s.get("state"), &Value::string("available"));
        assert_eq!(s.get("dns_entry").get("dns_name"), &Value::Null, "a list, not an object");
        assert_eq!(s.get("dns_entry").as_list().map(|l| l.len()), Some(1));
        assert_eq!(s.get("dns_entry").as_list().unwrap()[0].get("hosted_zone_id"), &Value::string("Z7HUB22UULQXV"));
        assert_eq!(s.get("tags"), &Value::Map(Default::default()), "no tags: an empty map, never null");
        assert!(s.get("dns_options").is_null(), "the block stays absent when not configured");
        assert_eq!(s.get("requester_managed"), &Value::Bool(false));
        assert!(s.is_wholly_known());

        // With a configured block and an empty tag map.
        let base = object([("dns_options", object([("dns_record_ip_type", Value::unknown())])), ("tags", Value::Map(Default::default()))]);
        let s = state_from_endpoint(&ep, &base, REGION);
        assert_eq!(s.get("dns_options").get("dns_record_ip_type"), &Value::string("ipv4"));
        assert_eq!(s.get("dns_options").get("private_dns_only_for_inbound_resolver_endpoint"), &Value::Bool(false));
        assert_eq!(s.get("tags"), &Value::Map(Default::default()));
        assert_eq!(s.get("service_name"), &Value::string(SSM));

        // Another partition.
        let s = state_from_endpoint(&ep, &Value::Null, "cn-north-1");
        assert!(s.get("arn").as_str().unwrap().starts_with("arn:aws-cn:ec2:cn-north-1:"));
    }

    #[test]
    fn private_dns_message_names_what_is_missing() {
        let m = private_dns_error("vpc-123", true, false);
        assert!(m.starts_with("VPC vpc-123 has enableDnsHostnames = false. Private DNS"), "{m}");
        assert!(m.contains("set enable_dns_hostnames = true on the aws_vpc"), "{m}");
        assert!(m.contains("--enable-dns-hostnames") && !m.contains("--enable-dns-support"), "{m}");
        assert!(m.ends_with("or set private_dns_enabled = false."), "{m}");
        let m = private_dns_error("vpc-123", false, false);
        assert!(m.starts_with("VPC vpc-123 has enableDnsSupport = false and enableDnsHostnames = false."), "{m}");
        assert!(m.contains("enable_dns_support = true and enable_dns_hostnames = true"), "{m}");
    }

    /// The apply-time DNS rule, straight through `create` (Terraform normally re-plans first, so
    /// this path is otherwise reached only when the VPC changes between plan and apply).
    /// Against moto, only when MOTO_URL is set.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn create_rechecks_private_dns_before_creating() {
        let Ok(url) = std::env::var("MOTO_URL") else {
            eprintln!("skipping: MOTO_URL is not set");
            return;
        };
        for (key, value) in [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true")] {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        }
        let cfg = crate::aws::Ec2Config { region: Some(REGION.into()), ec2_endpoint: Some(url), ..Default::default() };
        let ctx = Ctx { ec2: crate::aws::connect(cfg).await.unwrap(), cancel: CancellationToken::new() };
        let c = ctx.ec2.client();
        let vpc = c.create_vpc().cidr_block("10.77.0.0/16").send().await.unwrap().vpc.and_then(|v| v.vpc_id).unwrap();
        let subnet = c.create_subnet().vpc_id(&vpc).cidr_block("10.77.1.0/24").send().await.unwrap().subnet.and_then(|s| s.subnet_id).unwrap();
        let no_hostnames = aws_sdk_ec2::types::AttributeBooleanValue::builder().value(false).build();
        c.modify_vpc_attribute().vpc_id(&vpc).enable_dns_hostnames(no_hostnames).send().await.unwrap();
        let count = || async {
            let f = aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc).build();
            let out = c.describe_vpc_endpoints().filters(f).send().await.unwrap();
            out.vpc_endpoints().iter().filter(|e| crate::aws::state_str(e) != "deleted").count()
        };

        let (planned, _) = plan_for(
            &Value::Null,
            &config([("vpc_id", Value::string(&vpc)), ("subnet_ids", Value::set_of_strings([subnet.clone()])), ("private_dns_enabled", Value::Bool(true))]),
        );
        let resp = create(&ctx, &planned).await;
        assert!(resp.new_state.is_null());
        let d = &resp.diags.0;
        assert!(d.len() == 1 && d[0].detail.contains(&format!("VPC {vpc} has enableDnsHostnames = false.")), "{d:?}");
        assert_eq!(paths(&resp.diags), vec!["private_dns_enabled".to_string()]);
        assert_eq!(count().await, 0, "nothing created");

        // Without private DNS the same create succeeds, with every computed value known.
        let planned = common::with_attrs(&planned, [("private_dns_enabled", Value::Bool(false))]);
        let resp = create(&ctx, &planned).await;
        assert!(!resp.diags.has_errors(), "{:?}", resp.diags);
        assert!(resp.new_state.is_wholly_known(), "{:?}", resp.new_state);
        assert_eq!(resp.new_state.get("private_dns_enabled"), &Value::Bool(false));
        assert_eq!(count().await, 1);
        let resp = delete(&ctx, &resp.new_state).await;
        assert!(resp.new_state.is_null() && !resp.diags.has_errors(), "{:?}", resp.diags);
        assert_eq!(count().await, 0);
    }
}
