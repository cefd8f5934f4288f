//! `vpce_interface`: Interface VPC endpoints (AWS PrivateLink).
//!
//! The lifecycle is the shared one of [`endpoint`]; this file holds what is the interface's own.
//! Beyond CRUD, the plan checks what EC2 would only reject at apply time (or, for the VPC DNS rule
//! of private DNS, what some emulators never check): the service exists here and offers Interface
//! endpoints, subnets and security groups exist and belong to the VPC, at most one subnet per AZ,
//! each subnet in an AZ the service is offered in, and for private DNS that the VPC has both
//! enableDnsSupport and enableDnsHostnames. The DNS rule is checked again right before
//! CreateVpcEndpoint (the VPC may have been unknown at plan) and before a modify enabling it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{
    DnsOptionsSpecification, DnsRecordIpType, IpAddressType, NetworkInterface, SecurityGroup, ServiceDetail, Subnet,
    SubnetConfiguration as Ec2SubnetConfiguration, VpcEndpoint,
};
use futures::future::BoxFuture;
use serde_json::Value as Json;

use super::endpoint::moves::{self, AwsEndpoint};
use super::endpoint::{endpoint_model, CreateRequest, Endpoint};
use super::timeouts::{self, Timeouts};
use super::{policy, tags, Ctx};
use crate::aws::{self, AwsError, Missing};
use crate::checks::{attr_path, join_and, validate_enum, validate_id, validate_ids};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Map, Model, Set, Val};
use crate::protocol::plan::known_or_null;
use crate::protocol::schema::Schema;
use crate::protocol::values::PathStep;

const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6"];
const DNS_RECORD_IP_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6", "service-defined"];
const PRIVATE_DNS_PREFERENCES: &[&str] =
    &["ALL_DOMAINS", "VERIFIED_DOMAINS_ONLY", "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY"];

crate::model! {
    /// The state, plan or configuration of a `vpce_interface`.
    #[description = "An Interface VPC endpoint (AWS PrivateLink): network interfaces in your subnets through which the VPC reaches an AWS or partner service privately. \
                          Interface endpoints are billed per hour and per AZ, plus data processed."]
    pub(crate) struct InterfaceModel {
        attrs {
            id: String [computed] "The endpoint ID (`vpce-...`).";
            arn: String [computed] "The endpoint ARN.";
            vpc_id: String [required replace_when_configured] "The VPC. Changing it replaces the endpoint.";
            service_name: String [required replace_when_configured] "The endpoint service, e.g. `com.amazonaws.us-east-1.ssm` (a short name such as `ssm` is expanded with the provider's region). Changing it replaces the endpoint.";
            subnet_ids: Set<String> [optional computed] "Subnets for the endpoint's network interfaces: at most one per Availability Zone, all in the VPC.";
            security_group_ids: Set<String> [optional computed] "Security groups of the network interfaces. When not set, AWS applies the VPC's default security group, which the state then shows; `[]` also means the default group.";
            private_dns_enabled: bool [optional computed] "Associate a private hosted zone so the service's default DNS name resolves to the endpoint. Default `false` (always sent explicitly: the EC2 API default is `true`). Needs `enableDnsSupport` and `enableDnsHostnames` on the VPC.";
            ip_address_type: String [optional computed] "`ipv4`, `dualstack` or `ipv6`. Defaults to what AWS chooses.";
            policy: String [optional computed] "The endpoint policy (JSON). Compared semantically: reformatting never shows a diff. When not set, the endpoint has AWS's default full-access policy; removing it from the configuration resets that default.";
            tags: Map<String> [optional computed empty_when_null] "Tags of the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none.";
            tags_all: Map<String> [computed] "Every tag of the endpoint: the provider's `default_tags` merged with `tags` (a key in both takes the value of `tags`), less the tags `ignore_tags` names.";
            state: String [computed] "The endpoint state as EC2 documents it, e.g. `available` or `pendingAcceptance`.";
            dns_entry: List<DnsEntry> [computed] "The endpoint's DNS names and their hosted zones.";
            network_interface_ids: Set<String> [computed] "The endpoint's network interfaces.";
            owner_id: String [computed] "The account that owns the endpoint.";
            requester_managed: bool [computed] "Whether an AWS service manages the endpoint.";
            service_region: String [optional computed replace_when_configured] "The region of the endpoint service, for cross-region PrivateLink (a service in another region that offers itself to this one). Defaults to the provider's region. Changing it replaces the endpoint.";
            auto_accept: bool [optional] "Accept the endpoint's connection when it waits for acceptance (`pendingAcceptance`), after the create or when set to `true` later: possible only for a service this account owns (its service configuration). Never read from AWS: an import leaves it unset.";
        }
        blocks {
            dns_options: InterfaceDnsOptions;
            subnet_configuration: Set<SubnetConfiguration>;
            timeouts: Timeouts;
        }
    }
}

crate::model! {
    #[description = "Static IP addresses of the endpoint's network interface in one subnet (instead of addresses EC2 picks). The subnet must be in `subnet_ids`; each address must be in the subnet's CIDR block and not one of the five addresses AWS reserves in it. Changing the addresses changes the network interface in place. An import leaves the blocks out; each block's addresses are read back from the network interface."]
    pub(crate) struct SubnetConfiguration {
        attrs {
            subnet_id: String [required] "The subnet (one of `subnet_ids`).";
            ipv4: String [optional] "The IPv4 address in the subnet (needs `ip_address_type` `ipv4` or `dualstack`, or none).";
            ipv6: String [optional] "The IPv6 address in the subnet (needs `ip_address_type` `ipv6` or `dualstack`).";
        }
    }
}

crate::model! {
    #[description = "DNS options of the endpoint."]
    pub(crate) struct InterfaceDnsOptions {
        attrs {
            dns_record_ip_type: String [optional computed] "`ipv4`, `dualstack`, `ipv6` or `service-defined`.";
            private_dns_only_for_inbound_resolver_endpoint: bool [optional computed] "Resolve the private DNS name to the endpoint only for queries from Route 53 Resolver inbound endpoints (S3 with a gateway endpoint in the same VPC). Needs `private_dns_enabled = true`.";
            private_dns_preference: String [optional computed replace_when_configured] "Which domains get private DNS: `ALL_DOMAINS`, `VERIFIED_DOMAINS_ONLY`, `VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS` or `SPECIFIED_DOMAINS_ONLY`. Changing it replaces the endpoint (EC2 cannot change it in place).";
            private_dns_specified_domains: Set<String> [optional computed replace_when_configured] "The domains (1 to 10) for the `..._SPECIFIED_DOMAINS` preferences. Changing them replaces the endpoint.";
        }
    }
}

crate::model! {
    #[description = "A DNS name of the endpoint."]
    pub(crate) struct DnsEntry {
        attrs {
            dns_name: String [computed] "The DNS name.";
            hosted_zone_id: String [computed] "Its hosted zone.";
        }
    }
}

endpoint_model!(InterfaceModel);

impl InterfaceModel {
    /// The `dns_options` block (all null when it is not set or unknown).
    fn dns(&self) -> InterfaceDnsOptions {
        self.dns_options.known().cloned().unwrap_or_default()
    }
}

pub(crate) struct Interface {
    schema: Schema,
}

impl Interface {
    pub(crate) fn new() -> Self {
        Interface { schema: InterfaceModel::schema(0) }
    }
}

impl Default for Interface {
    fn default() -> Self {
        Self::new()
    }
}

impl Endpoint for Interface {
    type Model = InterfaceModel;
    const TYPE_NAME: &'static str = "vpce_interface";
    const KIND: &'static str = "interface endpoint";
    const EC2_TYPE: &'static str = "Interface";
    const EXAMPLE_ADDRESS: &'static str = "vpce_interface.example";
    const READY: &'static [&'static str] = &["available", "pendingacceptance"];

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &InterfaceModel) -> Diagnostics {
        validate_config(config)
    }

    fn replacements(&self, prior: &InterfaceModel, config: &InterfaceModel) -> Vec<Vec<PathStep>> {
        dns_replacements(prior, config)
    }

    fn complete_plan(&self, prior: Option<&InterfaceModel>, planned: &mut InterfaceModel, config: &InterfaceModel, fresh: bool) {
        complete_plan(prior, planned, config, fresh)
    }

    fn check_plan<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a InterfaceModel>,
        planned: &'a InterfaceModel,
        fresh: bool,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if diags.has_errors() {
                return;
            }
            let checks = checks_for(prior, planned, fresh);
            if checks != Checks::default() {
                check_aws(ctx, planned, checks, diags).await;
            }
            if !diags.has_errors() {
                super::ec2_rules::check_interface(ctx, prior, planned, fresh, diags).await;
            }
            let addresses_change =
                fresh || prior.is_none_or(|p| !same_subnet_configuration(&p.subnet_configuration, &planned.subnet_configuration));
            if addresses_change && !diags.has_errors() {
                check_subnet_addresses(ctx, planned, diags).await;
            }
        })
    }

    fn error_attr(&self, code: &str) -> Option<&'static str> {
        if code.starts_with("InvalidSubnet") {
            Some("subnet_ids")
        } else if code.starts_with("InvalidGroup") || code.starts_with("InvalidSecurityGroup") {
            Some("security_group_ids")
        } else {
            None
        }
    }

    fn state_from_endpoint(&self, region: &str, base: &InterfaceModel, ep: &VpcEndpoint) -> InterfaceModel {
        state_from_endpoint(region, base, ep)
    }

    /// With `check` (a refresh): `security_group_ids = []` stays `[]` when EC2 reports just the
    /// VPC's default group.
    fn describe<'a>(
        &'a self,
        ctx: &'a Ctx,
        base: &'a InterfaceModel,
        ep: &'a VpcEndpoint,
        check: bool,
    ) -> BoxFuture<'a, (InterfaceModel, Diagnostics)> {
        Box::pin(async move {
            let mut diags = Diagnostics::new();
            let state = state_from_endpoint(ctx.ec2.region(), base, ep);
            let mut state = if check { keep_empty_groups(ctx, base, state).await } else { state };
            if let Some(configured) = base.subnet_configuration.known().filter(|c| !c.0.is_empty()) {
                match ctx.ec2.find_network_interfaces(ep.network_interface_ids()).await {
                    Ok(enis) => state.subnet_configuration = Val::Known(subnet_configuration_from_enis(configured, &enis)),
                    Err(e) if check => diags.warning(
                        "Could not read the endpoint's network interfaces",
                        format!("{e}. subnet_configuration keeps the addresses of the state until the next refresh."),
                    ),
                    Err(_) => {}
                }
            }
            (state, diags)
        })
    }

    fn settle<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a InterfaceModel>,
        planned: &'a InterfaceModel,
        ep: Option<VpcEndpoint>,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Option<VpcEndpoint>> {
        Box::pin(accept_if_asked(ctx, prior, planned, ep, diags))
    }

    fn create_request<'a>(
        &'a self,
        ctx: &'a Ctx,
        planned: &'a InterfaceModel,
        _config: &'a InterfaceModel,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Option<CreateRequest>> {
        Box::pin(async move {
            // The DNS rule again, right before creating: the VPC may have been unknown at plan time.
            let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
            check_aws(ctx, planned, checks, diags).await;
            if !diags.has_errors() {
                super::ec2_rules::check_interface_at_apply(ctx, None, planned, diags).await;
            }
            if diags.has_errors() {
                return None;
            }
            let subnets: Vec<String> = planned.subnet_ids.strings().into_iter().collect();
            let groups: Vec<String> = planned.security_group_ids.strings().into_iter().collect();
            let private_dns = planned.private_dns_enabled.as_bool().unwrap_or(false);
            let ip_type = planned.ip_address_type.as_str().map(str::to_string);
            let dns = planned.dns_options.known().and_then(dns_spec);
            let policy = policy::configured(&planned.policy).map(str::to_string);
            let subnet_configs = subnet_configurations(&planned.subnet_configuration, None);
            let service_region = planned.service_region.as_str().map(str::to_string);
            let mut settings = format!(
                "{}|{}|{private_dns}|{}|{:?}|{}",
                subnets.join(","),
                groups.join(","),
                ip_type.as_deref().unwrap_or_default(),
                dns,
                policy.as_deref().unwrap_or_default()
            );
            // Only when set, so that endpoints created before these settings existed keep their fingerprint.
            if !subnet_configs.is_empty() || service_region.is_some() {
                settings.push_str(&format!("|{subnet_configs:?}|{}", service_region.as_deref().unwrap_or_default()));
            }
            let build = move |req: CreateVpcEndpointFluentBuilder| {
                let mut req = req.private_dns_enabled(private_dns);
                if !subnets.is_empty() {
                    req = req.set_subnet_ids(Some(subnets.clone()));
                }
                if !groups.is_empty() {
                    req = req.set_security_group_ids(Some(groups.clone()));
                }
                if let Some(t) = &ip_type {
                    req = req.ip_address_type(IpAddressType::from(t.as_str()));
                }
                if let Some(spec) = dns.clone() {
                    req = req.dns_options(spec);
                }
                if let Some(p) = &policy {
                    req = req.policy_document(p);
                }
                if !subnet_configs.is_empty() {
                    req = req.set_subnet_configurations(Some(subnet_configs.clone()));
                }
                if let Some(r) = &service_region {
                    req = req.service_region(r);
                }
                req
            };
            Some(CreateRequest { settings, build: Box::new(build) })
        })
    }

    fn modify_request<'a>(
        &'a self,
        ctx: &'a Ctx,
        req: ModifyVpcEndpointFluentBuilder,
        prior: &'a InterfaceModel,
        planned: &'a InterfaceModel,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Result<(ModifyVpcEndpointFluentBuilder, bool), ()>> {
        Box::pin(modify_request(ctx, req, prior, planned, diags))
    }

    /// An import reads the DNS options back into a `dns_options` block when they are not what a
    /// create without the block gives (a DNS record type other than the endpoint's IP address
    /// type, a private DNS preference or domains, the inbound-resolver flag set where EC2 does not
    /// set it itself): such options were configured. Default options leave the block out, as a
    /// configuration without it has them.
    fn import_base(&self, ep: &VpcEndpoint) -> InterfaceModel {
        InterfaceModel {
            dns_options: if configured_dns_options(ep) { Val::Known(InterfaceDnsOptions::default()) } else { Val::Null },
            ..Default::default()
        }
    }

    fn moved_from_aws(&self, source: &AwsEndpoint) -> InterfaceModel {
        moved_from(source)
    }
}

// ---------------------------------------------------------------------------------------------
// State from EC2
// ---------------------------------------------------------------------------------------------

fn string_set<I: IntoIterator<Item = String>>(items: I) -> Set<String> {
    items.into_iter().collect::<BTreeSet<String>>().into_iter().collect()
}

/// The state of `ep`, with `base` (prior state, plan or an empty model) supplying what EC2 does
/// not say or what the user wrote differently but equivalently: the service name spelling, the
/// policy formatting, the `dns_options` block's presence, `timeouts`, null vs empty tags.
fn state_from_endpoint(region: &str, base: &InterfaceModel, ep: &VpcEndpoint) -> InterfaceModel {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let owner = ep.owner_id().unwrap_or_default();
    let aws_service = ep.service_name().unwrap_or_default();
    let service_name = match base.service_name.as_str() {
        Some(mine) if aws::resolve_service_name(mine, region) == aws_service => mine.to_string(),
        _ => aws_service.to_string(),
    };
    let dns_options = match &base.dns_options {
        Val::Null => Val::Null,
        prior => {
            let aws = ep.dns_options();
            let prior = prior.known().cloned().unwrap_or_default();
            let or_prior = |v: Option<Val<String>>, mine: &Val<String>| v.unwrap_or_else(|| known_or_null(mine));
            Val::Known(InterfaceDnsOptions {
                dns_record_ip_type: or_prior(
                    aws.and_then(|d| d.dns_record_ip_type()).map(|t| Val::Known(t.as_str().to_string())),
                    &prior.dns_record_ip_type,
                ),
                private_dns_only_for_inbound_resolver_endpoint: aws
                    .and_then(|d| d.private_dns_only_for_inbound_resolver_endpoint())
                    .map_or_else(|| known_or_null(&prior.private_dns_only_for_inbound_resolver_endpoint), Val::Known),
                private_dns_preference: or_prior(
                    aws.and_then(|d| d.private_dns_preference()).map(|p| Val::Known(p.to_string())),
                    &prior.private_dns_preference,
                ),
                private_dns_specified_domains: aws
                    .map(|d| d.private_dns_specified_domains())
                    .filter(|d| !d.is_empty())
                    .map_or_else(|| known_or_null(&prior.private_dns_specified_domains), |d| Val::Known(string_set(d.iter().cloned()))),
            })
        }
    };
    let ip_address_type = match ep.ip_address_type() {
        Some(t) => Val::Known(t.as_str().to_string()),
        None => known_or_null(&base.ip_address_type),
    };
    let dns_entry: List<DnsEntry> = ep
        .dns_entries()
        .iter()
        .map(|d| DnsEntry {
            dns_name: d.dns_name().map(str::to_string).into(),
            hosted_zone_id: d.hosted_zone_id().map(str::to_string).into(),
        })
        .collect();
    InterfaceModel {
        id: Val::Known(id.to_string()),
        arn: (!owner.is_empty()).then(|| aws::endpoint_arn(region, owner, id)).into(),
        vpc_id: ep.vpc_id().map(str::to_string).into(),
        service_name: Val::Known(service_name),
        subnet_ids: Val::Known(string_set(ep.subnet_ids().iter().cloned())),
        security_group_ids: Val::Known(string_set(ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)))),
        private_dns_enabled: Val::Known(ep.private_dns_enabled().unwrap_or(false)),
        ip_address_type,
        policy: policy::reconcile(&base.policy, ep.policy_document()),
        tags: tags::state_value(aws::tags_from_ec2(ep.tags())),
        tags_all: tags::state_value(aws::tags_from_ec2(ep.tags())),
        state: Val::Known(aws::state_display(ep)),
        dns_entry: Val::Known(dns_entry),
        network_interface_ids: Val::Known(string_set(ep.network_interface_ids().iter().cloned())),
        owner_id: ep.owner_id().map(str::to_string).into(),
        requester_managed: Val::Known(ep.requester_managed().unwrap_or(false)),
        dns_options,
        service_region: match ep.service_region() {
            Some(r) => Val::Known(r.to_string()),
            None => known_or_null(&base.service_region),
        },
        // Never read: what the configuration says.
        auto_accept: known_or_null(&base.auto_accept),
        // The addresses are read from the network interfaces (see `describe`); an import has none.
        subnet_configuration: match &base.subnet_configuration {
            Val::Known(_) => known_or_null(&base.subnet_configuration),
            _ => Val::Known(Set::default()),
        },
        timeouts: known_or_null(&base.timeouts),
    }
}

/// The configured `subnet_configuration` blocks as the network interfaces show them: each block
/// whose subnet has one of the interfaces, with the interface's addresses for the addresses the
/// block sets (in the block's spelling when they are the same address).
fn subnet_configuration_from_enis(configured: &Set<SubnetConfiguration>, enis: &[NetworkInterface]) -> Set<SubnetConfiguration> {
    configured
        .0
        .iter()
        .filter_map(Val::known)
        .filter_map(|c| {
            let subnet = c.subnet_id.as_str()?;
            let eni = enis.iter().find(|e| e.subnet_id() == Some(subnet))?;
            let ipv4 = match &c.ipv4 {
                Val::Null => Val::Null,
                mine => {
                    let actual = eni.private_ip_address().map(str::to_string);
                    same_or_actual::<Ipv4Addr>(mine, actual.into_iter().collect())
                }
            };
            let ipv6 = match &c.ipv6 {
                Val::Null => Val::Null,
                mine => same_or_actual::<Ipv6Addr>(
                    mine,
                    eni.ipv6_addresses().iter().filter_map(|a| a.ipv6_address().map(str::to_string)).collect(),
                ),
            };
            Some(SubnetConfiguration { subnet_id: Val::Known(subnet.to_string()), ipv4, ipv6 })
        })
        .collect()
}

/// `mine` when it is one of the `actual` addresses (compared as addresses), else the first of them.
fn same_or_actual<A: std::str::FromStr + PartialEq>(mine: &Val<String>, actual: Vec<String>) -> Val<String> {
    let parsed = mine.as_str().and_then(|m| m.parse::<A>().ok());
    match parsed {
        Some(m) if actual.iter().any(|a| a.parse::<A>().ok().as_ref() == Some(&m)) => mine.clone(),
        _ => actual.into_iter().next().into(),
    }
}

/// The `subnet_configuration` blocks of `planned` as EC2 takes them; with `prior`, only the
/// blocks that are not the same in it (a modify sends what changes).
fn subnet_configurations(
    planned: &Val<Set<SubnetConfiguration>>,
    prior: Option<&Val<Set<SubnetConfiguration>>>,
) -> Vec<Ec2SubnetConfiguration> {
    let before: Vec<SubnetConfiguration> = prior.and_then(Val::known).map(Set::known_items).unwrap_or_default();
    planned
        .known()
        .map(Set::known_items)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !before.contains(c))
        .filter_map(|c| {
            Some(
                Ec2SubnetConfiguration::builder()
                    .subnet_id(c.subnet_id.as_str()?)
                    .set_ipv4(c.ipv4.as_str().map(str::to_string))
                    .set_ipv6(c.ipv6.as_str().map(str::to_string))
                    .build(),
            )
        })
        .collect()
}

async fn default_group(ctx: &Ctx, v: &InterfaceModel) -> Result<String, AwsError> {
    let vpc = v.vpc_id.as_str().unwrap_or_default();
    ctx.ec2
        .default_security_group_fact(vpc)
        .await?
        .ok_or_else(|| AwsError::new("DescribeSecurityGroups", None, format!("VPC {vpc} has no default security group")))
}

/// `security_group_ids = []` means "the VPC's default group": when the state says `[]` and EC2
/// reports just that group, the state keeps `[]`.
async fn keep_empty_groups(ctx: &Ctx, prior: &InterfaceModel, mut state: InterfaceModel) -> InterfaceModel {
    let was_empty = prior.security_group_ids.known().is_some_and(|s| s.0.is_empty());
    let now = state.security_group_ids.strings();
    if was_empty && now.len() == 1 {
        if let Ok(g) = default_group(ctx, &state).await {
            if now.contains(&g) {
                state.security_group_ids = Val::Known(Set::default());
            }
        }
    }
    state
}

// ---------------------------------------------------------------------------------------------
// `moved` from hashicorp/aws
// ---------------------------------------------------------------------------------------------

/// `vpce_interface` from an `aws_vpc_endpoint` of type Interface (see the gateway's).
#[allow(clippy::needless_update)]
fn moved_from(src: &AwsEndpoint) -> InterfaceModel {
    let dns_entry: List<DnsEntry> = src
        .state
        .get("dns_entry")
        .and_then(Json::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(Json::as_object)
                .map(|e| {
                    let s = |k: &str| -> Val<String> { e.get(k).and_then(Json::as_str).map(str::to_string).into() };
                    DnsEntry { dns_name: s("dns_name"), hosted_zone_id: s("hosted_zone_id") }
                })
                .collect()
        })
        .unwrap_or_default();
    InterfaceModel {
        id: Val::Known(src.id.clone()),
        arn: src.arn(),
        vpc_id: src.string("vpc_id"),
        service_name: src.string("service_name"),
        subnet_ids: src.string_set("subnet_ids"),
        security_group_ids: src.string_set("security_group_ids"),
        private_dns_enabled: Val::Known(src.bool("private_dns_enabled").unwrap_or(false)),
        ip_address_type: src.ip_address_type(),
        policy: src.state.get("policy").and_then(Json::as_str).map(str::to_string).into(),
        tags: src.tags(),
        state: src.string("state"),
        dns_entry: Val::Known(dns_entry),
        network_interface_ids: src.string_set("network_interface_ids"),
        owner_id: src.string("owner_id"),
        requester_managed: src.bool("requester_managed").into(),
        dns_options: moved_dns_options(src),
        timeouts: src.timeouts(),
        ..InterfaceModel::default()
    }
}

/// The interface's `dns_options` block, when it holds a setting of the user's. A private DNS
/// preference or specified domains always make the block: they replace the endpoint when the
/// configuration names them and the state does not.
fn moved_dns_options(src: &AwsEndpoint) -> Val<InterfaceDnsOptions> {
    let Some(d) = src.block("dns_options") else { return Val::Null };
    let record = src.chosen_record_type(d);
    let inbound_only = d.get("private_dns_only_for_inbound_resolver_endpoint").and_then(Json::as_bool);
    let preference = d.get("private_dns_preference").and_then(Json::as_str).filter(|s| !s.is_empty());
    let domains = moves::strings_of(d.get("private_dns_specified_domains"));
    if record.is_none() && inbound_only != Some(true) && preference.is_none() && domains.is_empty() {
        return Val::Null;
    }
    let all_record = d.get("dns_record_ip_type").and_then(Json::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    Val::Known(InterfaceDnsOptions {
        dns_record_ip_type: all_record.into(),
        private_dns_only_for_inbound_resolver_endpoint: inbound_only.into(),
        private_dns_preference: preference.map(str::to_string).into(),
        private_dns_specified_domains: if domains.is_empty() {
            Val::Null
        } else {
            Val::Known(domains.into_iter().collect::<BTreeSet<_>>().into_iter().collect())
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// `private_dns_specified_domains`: 1 to 10 domains, given exactly when the preference names
/// specified domains.
fn validate_specified_domains(dns: &InterfaceDnsOptions, d: &mut Diagnostics) {
    let at = || attr_path(&["dns_options", "private_dns_specified_domains"]);
    let domains = &dns.private_dns_specified_domains;
    if let Some(items) = domains.known() {
        if domains.is_wholly_known() && (items.0.is_empty() || items.0.len() > 10) {
            d.attr_error(at(), "Invalid private_dns_specified_domains", format!("{} domains are given; EC2 takes 1 to 10.", items.0.len()));
        }
    }
    if let Some(p) = dns.private_dns_preference.as_str() {
        let wants_domains = p.contains("SPECIFIED_DOMAINS");
        if wants_domains && domains.is_null() {
            d.attr_error(
                at(),
                "Missing private_dns_specified_domains",
                format!("private_dns_preference = \"{p}\" needs the domains in private_dns_specified_domains."),
            );
        } else if !wants_domains && domains.known().is_some_and(|l| !l.0.is_empty()) {
            d.attr_error(
                at(),
                "Unexpected private_dns_specified_domains",
                format!("private_dns_specified_domains applies only to the ..._SPECIFIED_DOMAINS preferences, not to \"{p}\"."),
            );
        }
    }
}

/// `subnet_configuration`: one block per subnet, each for a subnet of `subnet_ids`, with well-formed
/// addresses of the kinds `ip_address_type` gives the endpoint (the subnets' CIDR blocks are
/// checked against EC2 at plan, see [`check_subnet_addresses`]).
fn validate_subnet_configuration(config: &InterfaceModel, d: &mut Diagnostics) {
    let Some(blocks) = config.subnet_configuration.known() else { return };
    let at = || attr_path(&["subnet_configuration"]);
    let subnets = config.subnet_ids.is_wholly_known().then(|| config.subnet_ids.strings());
    let ip_type = match &config.ip_address_type {
        Val::Unknown(_) => None,
        v => Some(v.as_str().unwrap_or("ipv4")),
    };
    let mut seen = BTreeSet::new();
    for b in blocks.0.iter().filter_map(Val::known) {
        let Some(id) = b.subnet_id.as_str() else { continue };
        if !seen.insert(id) {
            d.attr_error(
                at(),
                "Several subnet_configuration blocks for one subnet",
                format!("Subnet {id} has more than one subnet_configuration block; keep one."),
            );
        }
        if let Some(subnets) = &subnets {
            if !subnets.contains(id) {
                d.attr_error(
                    at(),
                    "Subnet not in subnet_ids",
                    format!(
                        "subnet_configuration names subnet {id}, which is not in subnet_ids: add it to subnet_ids or remove the block."
                    ),
                );
            }
        }
        if b.ipv4.is_null() && b.ipv6.is_null() {
            d.attr_error(at(), "No address", format!("The subnet_configuration block of subnet {id} sets neither ipv4 nor ipv6."));
        }
        if let Some(ip) = b.ipv4.as_str() {
            if ip.parse::<Ipv4Addr>().is_err() {
                d.attr_error(at(), "Invalid IPv4 address", format!("\"{ip}\" (subnet {id}) is not an IPv4 address such as \"10.0.1.10\"."));
            } else if ip_type == Some("ipv6") {
                d.attr_error(
                    at(),
                    "IPv4 address on an IPv6 endpoint",
                    format!("ipv4 = \"{ip}\" (subnet {id}) needs ip_address_type \"ipv4\" or \"dualstack\", not \"ipv6\"."),
                );
            }
        }
        if let Some(ip) = b.ipv6.as_str() {
            if ip.parse::<Ipv6Addr>().is_err() {
                d.attr_error(
                    at(),
                    "Invalid IPv6 address",
                    format!("\"{ip}\" (subnet {id}) is not an IPv6 address such as \"2600:1f18::10\"."),
                );
            } else if ip_type == Some("ipv4") {
                d.attr_error(
                    at(),
                    "IPv6 address on an IPv4 endpoint",
                    format!("ipv6 = \"{ip}\" (subnet {id}) needs ip_address_type = \"ipv6\" or \"dualstack\" (the endpoint's addresses are IPv4 only otherwise)."),
                );
            }
        }
    }
}

/// Whether `ip` is inside `cidr` (`a.b.c.d/n` or an IPv6 block) and not one of the addresses AWS
/// reserves there (the first four and the last): `Err` with the reason when not.
fn check_address_in_cidr(ip: &str, cidr: &str) -> Result<(), String> {
    fn parts<A: std::str::FromStr>(cidr: &str) -> Option<(A, u32)> {
        let (net, len) = cidr.split_once('/')?;
        Some((net.parse().ok()?, len.parse().ok()?))
    }
    let (addr, net, len, bits) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
        let (net, len) = parts::<Ipv4Addr>(cidr).ok_or_else(|| format!("the subnet's CIDR block {cidr} is not an IPv4 block"))?;
        (u128::from(u32::from(v4)), u128::from(u32::from(net)), len, 32)
    } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
        let (net, len) = parts::<Ipv6Addr>(cidr).ok_or_else(|| format!("the subnet's CIDR block {cidr} is not an IPv6 block"))?;
        (u128::from(v6), u128::from(net), len, 128)
    } else {
        return Err("it is not an IP address".to_string());
    };
    if len > bits {
        return Err(format!("the subnet's CIDR block {cidr} is malformed"));
    }
    let host_bits = bits - len;
    let mask = if host_bits >= 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
    let base = net & !mask;
    if addr & !mask != base {
        return Err(format!("it is outside the subnet's CIDR block {cidr}"));
    }
    let offset = addr - base;
    if offset < 4 || offset == mask {
        return Err(format!(
            "it is one of the five addresses AWS reserves in {cidr} (the first four and the last: network address, VPC router, DNS, future use, broadcast)"
        ));
    }
    Ok(())
}

fn validate_config(config: &InterfaceModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&config.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
    validate_ids(&config.subnet_ids, "subnet_ids", "subnet-", "subnet", &mut d);
    validate_ids(&config.security_group_ids, "security_group_ids", "sg-", "security group", &mut d);
    if let Some(name) = config.service_name.as_str() {
        if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
            d.attr_error(
                "service_name",
                "Invalid service name",
                format!("\"{name}\" is not an endpoint service name such as \"com.amazonaws.us-east-1.ssm\"."),
            );
        }
    }
    policy::validate(&config.policy, &mut d);
    timeouts::validate(&config.timeouts, &mut d);
    tags::validate(&config.tags, &mut d);
    validate_enum(&config.ip_address_type, attr_path(&["ip_address_type"]), "ip_address_type", IP_ADDRESS_TYPES, &mut d);
    let dns = config.dns();
    validate_enum(
        &dns.private_dns_preference,
        attr_path(&["dns_options", "private_dns_preference"]),
        "private_dns_preference",
        PRIVATE_DNS_PREFERENCES,
        &mut d,
    );
    validate_specified_domains(&dns, &mut d);
    validate_enum(
        &dns.dns_record_ip_type,
        attr_path(&["dns_options", "dns_record_ip_type"]),
        "dns_record_ip_type",
        DNS_RECORD_IP_TYPES,
        &mut d,
    );
    if let Some(r) = config.service_region.as_str() {
        if !aws::is_region_name(r) {
            d.attr_error("service_region", "Invalid service_region", format!("\"{r}\" is not an AWS region name such as \"us-west-2\"."));
        }
    }
    validate_subnet_configuration(config, &mut d);
    // Resolver-only private DNS is a refinement of private DNS.
    let private_dns_off = config.private_dns_enabled.is_null() || config.private_dns_enabled.as_bool() == Some(false);
    if dns.private_dns_only_for_inbound_resolver_endpoint.as_bool() == Some(true) && private_dns_off {
        d.attr_error(
            attr_path(&["dns_options", "private_dns_only_for_inbound_resolver_endpoint"]),
            "Private DNS is off",
            "private_dns_only_for_inbound_resolver_endpoint = true needs private_dns_enabled = true (it narrows private DNS to queries from Route 53 Resolver inbound endpoints).",
        );
    }
    // DNS record types need matching endpoint addresses.
    if let (Some(record), Some(ip)) = (dns.dns_record_ip_type.as_str(), config.ip_address_type.as_str()) {
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
async fn check_aws(ctx: &Ctx, v: &InterfaceModel, checks: Checks, diags: &mut Diagnostics) {
    let region = ctx.ec2.region().to_string();
    let vpc = v.vpc_id.as_str().map(str::to_string);
    let service = v.service_name.as_str().map(|s| aws::resolve_service_name(s, &region));
    let subnet_ids: Vec<String> = if checks.subnets { v.subnet_ids.strings().into_iter().collect() } else { vec![] };
    let group_ids: Vec<String> = if checks.groups { v.security_group_ids.strings().into_iter().collect() } else { vec![] };
    let private_dns = checks.private_dns && v.private_dns_enabled.as_bool() == Some(true);
    let ip_type = v.ip_address_type.as_str().filter(|t| IP_ADDRESS_TYPES.contains(t)).map(str::to_string);
    // A cross-region service is not described in this region: EC2 checks it at create.
    let cross_region = v.service_region.as_str().is_some_and(|r| r != region);
    let need_service = !cross_region && (checks.service || !subnet_ids.is_empty() || private_dns || (checks.subnets && ip_type.is_some()));

    let ec2 = &ctx.ec2;
    let check_vpc = checks.vpc && !checks.at_apply && vpc.is_some();
    let vpc_id = vpc.as_deref();
    let vpc_lookup = |run: bool| async move {
        match (vpc_id, run) {
            (Some(id), true) => Some(ec2.vpc_fact(id).await),
            _ => None,
        }
    };
    // A subnet or security group found in the VPC proves that the VPC exists: look the VPC up
    // only otherwise.
    let (mut vpc_r, svc_r, subnets_r, groups_r, dns_r) = tokio::join!(
        vpc_lookup(check_vpc && subnet_ids.is_empty() && group_ids.is_empty()),
        async {
            match (&service, need_service) {
                (Some(name), true) => Some(ec2.describe_service_details(name).await),
                _ => None,
            }
        },
        async {
            match subnet_ids.is_empty() {
                false => Some(ec2.subnet_facts(&subnet_ids).await),
                true => None,
            }
        },
        async {
            match group_ids.is_empty() {
                false => Some(ec2.security_group_facts(&group_ids).await),
                true => None,
            }
        },
        async {
            match (&vpc, private_dns) {
                (Some(id), true) => Some(ec2.vpc_dns_facts(id).await),
                _ => None,
            }
        },
    );

    let in_vpc = |v: Option<&str>| v.is_some() && v == vpc.as_deref();
    let proven = matches!(&subnets_r, Some(Ok(found)) if found.iter().any(|s| in_vpc(s.vpc_id())))
        || matches!(&groups_r, Some(Ok(found)) if found.iter().any(|g| in_vpc(g.vpc_id())));
    if check_vpc && vpc_r.is_none() && !proven {
        vpc_r = vpc_lookup(true).await;
    }

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
                if let Some(other) = aws::service_region(name).filter(|r| *r != region) {
                    detail.push_str(&format!(
                        " The name refers to region {other}, but the provider is configured for {region}: use the service's {region} name, a provider configured for {other}, or service_region = \"{other}\" if the service offers itself to {region} (cross-region PrivateLink)."
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
                interface_detail = details.into_iter().find(|d| {
                    d.service_type().iter().any(|t| t.service_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case("interface")))
                });
                if interface_detail.is_none() && checks.service {
                    let hint =
                        if types.iter().any(|t| t.eq_ignore_ascii_case("gateway")) { " Use the vpce_gateway resource for it." } else { "" };
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
            Ok(found) => check_subnets(
                &subnet_ids,
                &found,
                vpc.as_deref().filter(|_| !vpc_missing),
                service.as_deref(),
                interface_detail.as_ref(),
                ip_type.as_deref(),
                diags,
            ),
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
                a.ipv6_cidr_block_state().and_then(|st| st.state()).is_none_or(|st| st.as_str().eq_ignore_ascii_case("associated"))
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

/// The `subnet_configuration` addresses against their subnets' CIDR blocks (one DescribeSubnets).
async fn check_subnet_addresses(ctx: &Ctx, planned: &InterfaceModel, diags: &mut Diagnostics) {
    let blocks: Vec<SubnetConfiguration> = planned.subnet_configuration.known().map(Set::known_items).unwrap_or_default();
    let ids: Vec<String> =
        blocks.iter().filter(|b| b.ipv4.is_known() || b.ipv6.is_known()).filter_map(|b| b.subnet_id.as_str().map(str::to_string)).collect();
    if ids.is_empty() {
        return;
    }
    let found = match ctx.ec2.find_subnets(&ids).await {
        Ok(found) => found,
        Err(e) => return could_not_check(diags, "the subnets of subnet_configuration", &e),
    };
    let at = || attr_path(&["subnet_configuration"]);
    for b in &blocks {
        let Some(id) = b.subnet_id.as_str() else { continue };
        let Some(subnet) = found.iter().find(|s| s.subnet_id() == Some(id)) else {
            diags.attr_error(
                at(),
                "Subnet not found",
                format!("Subnet {id} of subnet_configuration does not exist (in this account and region)."),
            );
            continue;
        };
        if let (Some(ip), Some(cidr)) = (b.ipv4.as_str(), subnet.cidr_block()) {
            if let Err(why) = check_address_in_cidr(ip, cidr) {
                diags.attr_error(
                    at(),
                    "Invalid IPv4 address for the subnet",
                    format!("subnet_configuration of subnet {id}: ipv4 = \"{ip}\" cannot be used there: {why}."),
                );
            }
        }
        if let Some(ip) = b.ipv6.as_str() {
            let cidr = subnet.ipv6_cidr_block_association_set().iter().filter_map(|a| a.ipv6_cidr_block()).next();
            match cidr {
                None => diags.attr_error(
                    at(),
                    "Subnet has no IPv6 CIDR block",
                    format!(
                        "subnet_configuration of subnet {id}: ipv6 = \"{ip}\" cannot be used there, the subnet has no IPv6 CIDR block."
                    ),
                ),
                Some(cidr) => {
                    if let Err(why) = check_address_in_cidr(ip, cidr) {
                        diags.attr_error(
                            at(),
                            "Invalid IPv6 address for the subnet",
                            format!("subnet_configuration of subnet {id}: ipv6 = \"{ip}\" cannot be used there: {why}."),
                        );
                    }
                }
            }
        }
    }
}

fn check_groups(ids: &[String], found: &[SecurityGroup], vpc: Option<&str>, region: &str, diags: &mut Diagnostics) {
    let by_id: BTreeMap<&str, &SecurityGroup> = found.iter().filter_map(|g| Some((g.group_id()?, g))).collect();
    for id in ids {
        match by_id.get(id.as_str()) {
            None => diags.attr_error(
                "security_group_ids",
                "Security group not found",
                format!("Security group {id} does not exist in {region}."),
            ),
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

/// Two sets are the same, known, strings.
fn sets_equal(a: &Val<Set<String>>, b: &Val<Set<String>>) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && a.strings() == b.strings() && a.is_null() == b.is_null()
}

/// Replacement paths for configured force-new `dns_options` attributes (EC2 cannot change them
/// in place) that differ from the prior state.
fn dns_replacements(prior: &InterfaceModel, config: &InterfaceModel) -> Vec<Vec<PathStep>> {
    let (now, was) = (config.dns(), prior.dns());
    let mut replace = Vec::new();
    let preference = &now.private_dns_preference;
    if preference.is_wholly_known() && !preference.is_null() && *preference != was.private_dns_preference {
        replace.push(attr_path(&["dns_options", "private_dns_preference"]));
    }
    let domains = &now.private_dns_specified_domains;
    if domains.is_wholly_known() && !domains.is_null() && !sets_equal(domains, &was.private_dns_specified_domains) {
        replace.push(attr_path(&["dns_options", "private_dns_specified_domains"]));
    }
    replace
}

/// Whether two `subnet_configuration` values are the same blocks (no blocks: null, as in a state
/// written before the attribute existed, or empty).
fn same_subnet_configuration(a: &Val<Set<SubnetConfiguration>>, b: &Val<Set<SubnetConfiguration>>) -> bool {
    let empty = |v: &Val<Set<SubnetConfiguration>>| v.is_null() || v.known().is_some_and(|s| s.0.is_empty());
    (empty(a) && empty(b)) || a == b
}

/// Whether the change from `prior` to `planned` modifies the endpoint's network interfaces or DNS names.
fn network_changes(prior: &InterfaceModel, planned: &InterfaceModel) -> bool {
    !sets_equal(&prior.subnet_ids, &planned.subnet_ids)
        || prior.ip_address_type != planned.ip_address_type
        || prior.private_dns_enabled != planned.private_dns_enabled
        || (!planned.dns_options.is_null() && prior.dns_options != planned.dns_options)
        || !same_subnet_configuration(&prior.subnet_configuration, &planned.subnet_configuration)
}

/// The interface's part of the plan: private DNS is off unless configured (the EC2 API default is
/// on); a change of the network recomputes the network interfaces, DNS names and state.
fn complete_plan(prior: Option<&InterfaceModel>, planned: &mut InterfaceModel, config: &InterfaceModel, fresh: bool) {
    if config.private_dns_enabled.is_null() {
        planned.private_dns_enabled = Val::Known(false);
    }
    if let (Some(prior), false) = (prior, fresh) {
        if network_changes(prior, planned) {
            planned.dns_entry = Val::unknown();
            planned.network_interface_ids = Val::unknown();
            planned.state = Val::unknown();
        }
        // Accepting a waiting endpoint changes its state.
        let waiting = prior.state.as_str().is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
        if waiting && planned.auto_accept.as_bool() == Some(true) && prior.auto_accept.as_bool() != Some(true) {
            planned.state = Val::unknown();
        }
    }
}

/// Which EC2 checks a plan needs: everything for a new endpoint, else only what changes.
fn checks_for(prior: Option<&InterfaceModel>, planned: &InterfaceModel, fresh: bool) -> Checks {
    let Some(prior) = prior.filter(|_| !fresh) else { return Checks::all() };
    let (old_groups, new_groups) = (prior.security_group_ids.strings(), planned.security_group_ids.strings());
    Checks {
        vpc: false,
        service: false,
        subnets: !sets_equal(&prior.subnet_ids, &planned.subnet_ids) || prior.ip_address_type != planned.ip_address_type,
        groups: new_groups.iter().any(|g| !old_groups.contains(g)),
        private_dns: planned.private_dns_enabled.as_bool() == Some(true) && prior.private_dns_enabled.as_bool() != Some(true),
        at_apply: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

fn dns_spec(block: &InterfaceDnsOptions) -> Option<DnsOptionsSpecification> {
    let record = block.dns_record_ip_type.as_str();
    let inbound = block.private_dns_only_for_inbound_resolver_endpoint.as_bool();
    let preference = block.private_dns_preference.as_str();
    let domains: Vec<String> = block.private_dns_specified_domains.strings().into_iter().collect();
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

/// The changes from `prior` to `planned` but the policy (subnets, security groups, private DNS,
/// IP address type, the DNS options EC2 can change in place).
async fn modify_request(
    ctx: &Ctx,
    mut req: ModifyVpcEndpointFluentBuilder,
    prior: &InterfaceModel,
    planned: &InterfaceModel,
    diags: &mut Diagnostics,
) -> Result<(ModifyVpcEndpointFluentBuilder, bool), ()> {
    let id = prior.id.as_str().unwrap_or_default();
    let mut modify = false;
    if planned.subnet_ids.is_wholly_known() {
        let (old, new) = (prior.subnet_ids.strings(), planned.subnet_ids.strings());
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
    if planned.security_group_ids.is_wholly_known() {
        let old = prior.security_group_ids.strings();
        let mut new = planned.security_group_ids.strings();
        if new.is_empty() && !old.is_empty() {
            // An empty set means the VPC's default group, as on create.
            match default_group(ctx, prior).await {
                Ok(g) => new.insert(g),
                Err(e) => {
                    diags.attr_error("security_group_ids", "Cannot find the VPC's default security group", format!("{id}: {e}"));
                    return Err(());
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
    if planned.subnet_configuration.is_wholly_known()
        && !same_subnet_configuration(&planned.subnet_configuration, &prior.subnet_configuration)
    {
        let changed = subnet_configurations(&planned.subnet_configuration, Some(&prior.subnet_configuration));
        if !changed.is_empty() {
            req = req.set_subnet_configurations(Some(changed));
            modify = true;
        }
    }
    let private_dns = planned.private_dns_enabled.as_bool();
    let enabling_private_dns = private_dns == Some(true) && prior.private_dns_enabled.as_bool() != Some(true);
    if let Some(pd) = private_dns.filter(|pd| prior.private_dns_enabled.as_bool() != Some(*pd)) {
        req = req.private_dns_enabled(pd);
        modify = true;
    }
    if let Some(t) = planned.ip_address_type.as_str().filter(|t| prior.ip_address_type.as_str() != Some(*t)) {
        req = req.ip_address_type(IpAddressType::from(t));
        modify = true;
    }
    if !planned.dns_options.is_null() && prior.dns_options != planned.dns_options {
        // Only what changed, and never the attributes EC2 cannot change in place (a change of
        // those replaces the endpoint).
        let (old, new) = (prior.dns(), planned.dns());
        let changed = InterfaceDnsOptions {
            dns_record_ip_type: if new.dns_record_ip_type != old.dns_record_ip_type { new.dns_record_ip_type.clone() } else { Val::Null },
            private_dns_only_for_inbound_resolver_endpoint: if new.private_dns_only_for_inbound_resolver_endpoint
                != old.private_dns_only_for_inbound_resolver_endpoint
            {
                new.private_dns_only_for_inbound_resolver_endpoint.clone()
            } else {
                Val::Null
            },
            ..Default::default()
        };
        if let Some(spec) = dns_spec(&changed) {
            req = req.dns_options(spec);
            modify = true;
        }
    }
    if enabling_private_dns {
        let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
        check_aws(ctx, planned, checks, diags).await;
    }
    super::ec2_rules::check_interface_at_apply(ctx, Some(prior), planned, diags).await;
    if diags.has_errors() {
        return Err(());
    }
    Ok((req, modify))
}

// ---------------------------------------------------------------------------------------------
// auto_accept
// ---------------------------------------------------------------------------------------------

/// With `auto_accept = true`, accepts the endpoint's connection when it waits for acceptance:
/// after a create (`prior` None), or after an update that sets `auto_accept` (or modified the
/// endpoint) while it waits. Only the owner of the service can: for another account's service a
/// warning says that the owner must accept. Then waits until the endpoint is available.
async fn accept_if_asked(
    ctx: &Ctx,
    prior: Option<&InterfaceModel>,
    planned: &InterfaceModel,
    ep: Option<VpcEndpoint>,
    diags: &mut Diagnostics,
) -> Option<VpcEndpoint> {
    if planned.auto_accept.as_bool() != Some(true) {
        return ep;
    }
    let prior_waiting = prior.and_then(|p| p.state.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
    let id = planned.id.as_str().or(prior.and_then(|p| p.id.as_str())).unwrap_or_default().to_string();
    let current = match ep {
        Some(ep) => ep,
        None if prior_waiting => match ctx.ec2.find_vpc_endpoint(&id).await {
            Ok(Some(ep)) => ep,
            _ => return None,
        },
        None => return None,
    };
    if aws::state_str(&current) != "pendingacceptance" {
        return Some(current);
    }
    let service = current.service_name().unwrap_or_default().to_string();
    let not_accepted =
        "The endpoint is saved in the state in the pendingAcceptance state; it carries no traffic until the service's owner accepts it.";
    let config = match ctx.ec2.own_service_configuration(&service).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            diags.attr_warning(
                "auto_accept",
                "Cannot accept the endpoint",
                format!("auto_accept = true, but endpoint service {service} is not owned by this account (it has no service configuration here), so only its owner can accept endpoint {id}. {not_accepted}"),
            );
            return Some(current);
        }
        Err(e) => {
            diags.attr_warning(
                "auto_accept",
                "Cannot accept the endpoint",
                format!("Looking up endpoint service {service}: {e}. {not_accepted}"),
            );
            return Some(current);
        }
    };
    let service_id = config.service_id().unwrap_or_default();
    if let Err(e) = ctx.ec2.accept_endpoint_connection(service_id, &id).await {
        diags.attr_error("auto_accept", "Cannot accept the endpoint", format!("{id}: {e}. {not_accepted}"));
        return Some(current);
    }
    crate::info!("accepted the endpoint's connection", "id" => id.clone(), "service_id" => service_id);
    let timeout = timeouts::timeout(&planned.timeouts, if prior.is_none() { timeouts::Op::Create } else { timeouts::Op::Update });
    match ctx.ec2.wait_for_endpoint(&id, &["available"], &[], timeout, &ctx.cancel).await {
        Ok(ep) => Some(ep),
        Err(e) => {
            super::endpoint::wait_error(
                diags,
                e,
                &id,
                "to become available after its acceptance",
                "The state holds the endpoint as last read.",
            );
            Some(current)
        }
    }
}

/// Whether the DNS options EC2 reports for `ep` differ from what a create without a
/// `dns_options` block gets (see [`Interface::import_base`]).
fn configured_dns_options(ep: &VpcEndpoint) -> bool {
    let Some(d) = ep.dns_options() else { return false };
    let ip_type = ep.ip_address_type().map_or("ipv4".to_string(), |t| t.as_str().to_ascii_lowercase());
    let record_differs = d.dns_record_ip_type().is_some_and(|r| !r.as_str().eq_ignore_ascii_case(&ip_type));
    let preference = d.private_dns_preference().is_some_and(|p| !p.is_empty()) || !d.private_dns_specified_domains().is_empty();
    // EC2 sets the flag itself for an S3 endpoint with private DNS.
    let s3_default = ep.service_name().is_some_and(|s| s.ends_with(".s3")) && ep.private_dns_enabled() == Some(true);
    let inbound = d.private_dns_only_for_inbound_resolver_endpoint() == Some(true) && !s3_default;
    record_differs || preference || inbound
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::model::Field;
    use crate::protocol::resource::{ApplyRequest, PlanRequest, Resource};
    use crate::protocol::schema::Nesting;
    use crate::protocol::typed::Typed;
    use crate::protocol::values::{Type, Value};
    use crate::resources::endpoint::plan_values;
    use aws_sdk_ec2::types::{DnsEntry as Ec2DnsEntry, DnsOptions, SecurityGroupIdentifier, State, VpcEndpointType};
    use tokio_util::sync::CancellationToken;

    const REGION: &str = "us-east-1";
    const SSM: &str = "com.amazonaws.us-east-1.ssm";

    fn s(v: &str) -> Val<String> {
        Val::Known(v.to_string())
    }

    fn set(items: &[&str]) -> Val<Set<String>> {
        Val::Known(items.iter().map(|i| i.to_string()).collect())
    }

    fn with(m: &InterfaceModel, f: impl FnOnce(&mut InterfaceModel)) -> InterfaceModel {
        let mut m = m.clone();
        f(&mut m);
        m
    }

    fn config(f: impl FnOnce(&mut InterfaceModel)) -> InterfaceModel {
        with(&InterfaceModel { vpc_id: s("vpc-1"), service_name: s(SSM), ..Default::default() }, f)
    }

    /// A state as an apply would leave it.
    fn state() -> InterfaceModel {
        InterfaceModel {
            id: s("vpce-1"),
            arn: s("arn:aws:ec2:us-east-1:123:vpc-endpoint/vpce-1"),
            vpc_id: s("vpc-1"),
            service_name: s(SSM),
            subnet_ids: set(&["subnet-a"]),
            security_group_ids: set(&["sg-a"]),
            private_dns_enabled: Val::Known(false),
            ip_address_type: s("ipv4"),
            policy: s(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#),
            tags: Val::Known(Map::default()),
            state: s("available"),
            dns_entry: Val::Known([DnsEntry { dns_name: s("x"), hosted_zone_id: s("Z") }].into_iter().collect()),
            network_interface_ids: set(&["eni-1"]),
            owner_id: s("123"),
            requester_managed: Val::Known(false),
            dns_options: Val::Null,
            tags_all: Val::Known(Map::default()),
            service_region: Val::Null,
            auto_accept: Val::Null,
            subnet_configuration: Val::Null,
            timeouts: Val::Null,
        }
    }

    /// What Terraform proposes: the config, with computed attributes the config leaves null
    /// taken from the prior state.
    fn proposed(prior: Option<&InterfaceModel>, config: &InterfaceModel) -> Value {
        let (prior, config) = (prior.map(Field::to_value).unwrap_or_default(), config.to_value());
        let mut p = config.as_map().cloned().unwrap_or_default();
        for a in InterfaceModel::block().attributes.iter().filter(|a| a.computed) {
            if config.get(a.name).is_null() {
                p.insert(a.name.to_string(), prior.get(a.name).clone());
            }
        }
        Value::Object(p)
    }

    fn plan_for(prior: Option<&InterfaceModel>, config: &InterfaceModel) -> (InterfaceModel, Vec<Vec<PathStep>>) {
        let req = PlanRequest {
            prior: prior.map(Field::to_value).unwrap_or_default(),
            proposed: proposed(prior, config),
            config: config.to_value(),
            prior_private: Vec::new(),
        };
        let mut diags = Diagnostics::new();
        let p = plan_values(&Interface::new(), REGION, &req, &mut diags).expect("a plan");
        assert!(!diags.has_errors(), "{diags:?}");
        (p.planned, p.replace)
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|d| d.path.as_ref().map(|p| crate::protocol::values::format_path(p)).unwrap_or_default()).collect()
    }

    #[test]
    fn import_reads_back_only_configured_dns_options() {
        use aws_sdk_ec2::types::{DnsOptions, DnsRecordIpType, IpAddressType};
        let ep = |ip: IpAddressType, d: DnsOptions, service: &str, private_dns: bool| {
            VpcEndpoint::builder().ip_address_type(ip).dns_options(d).service_name(service).private_dns_enabled(private_dns).build()
        };
        let record = |r: DnsRecordIpType| DnsOptions::builder().dns_record_ip_type(r).build();
        let ssm = "com.amazonaws.us-east-1.ssm";
        // What a create without the block gets: no block.
        assert!(!configured_dns_options(&ep(IpAddressType::Ipv4, record(DnsRecordIpType::Ipv4), ssm, true)));
        assert!(!configured_dns_options(&ep(IpAddressType::Dualstack, record(DnsRecordIpType::Dualstack), ssm, true)));
        let s3 = "com.amazonaws.us-east-1.s3";
        let inbound =
            DnsOptions::builder().dns_record_ip_type(DnsRecordIpType::Ipv4).private_dns_only_for_inbound_resolver_endpoint(true).build();
        assert!(!configured_dns_options(&ep(IpAddressType::Ipv4, inbound.clone(), s3, true)), "EC2's own default for S3");
        // Configured options: the block.
        assert!(configured_dns_options(&ep(IpAddressType::Dualstack, record(DnsRecordIpType::Ipv4), ssm, true)));
        assert!(configured_dns_options(&ep(IpAddressType::Ipv4, inbound, ssm, true)));
        let preference = DnsOptions::builder().private_dns_preference("VERIFIED_DOMAINS_ONLY").build();
        assert!(configured_dns_options(&ep(IpAddressType::Ipv4, preference, ssm, true)));
    }

    #[test]
    fn schema_is_the_interfaces() {
        let b = Interface::new().schema.block;
        assert_eq!(b.attributes.len(), 18);
        let forced: Vec<&str> = b.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
        assert_eq!(forced, ["vpc_id", "service_name", "service_region"]);
        let tags_all = b.attribute("tags_all").unwrap();
        assert!(tags_all.computed && !tags_all.optional);
        let blocks: Vec<(&str, Nesting)> = b.blocks.iter().map(|b| (b.name, b.nesting)).collect();
        assert_eq!(blocks, [("dns_options", Nesting::Single), ("subnet_configuration", Nesting::Set), ("timeouts", Nesting::Single)]);
        let auto_accept = b.attribute("auto_accept").unwrap();
        assert!(auto_accept.optional && !auto_accept.computed, "never read back");
        assert!(b.description.contains("privately. Interface endpoints are billed"), "{}", b.description);
        let dns_entry = b.attribute("dns_entry").unwrap();
        assert!(dns_entry.computed && !dns_entry.optional);
        let entry =
            Type::Object([("dns_name".to_string(), Type::String), ("hosted_zone_id".to_string(), Type::String)].into_iter().collect());
        assert_eq!(dns_entry.ty(), Type::List(Box::new(entry)));
        let dns = &b.blocks[0].block;
        let forced: Vec<&str> = dns.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
        assert_eq!(forced, ["private_dns_preference", "private_dns_specified_domains"]);
    }

    #[test]
    fn static_validation_points_at_attributes() {
        let c = config(|c| {
            c.ip_address_type = s("ipv5");
            c.dns_options = Val::Known(InterfaceDnsOptions {
                dns_record_ip_type: s("ipv9"),
                private_dns_only_for_inbound_resolver_endpoint: Val::Known(true),
                ..Default::default()
            });
            c.subnet_ids = set(&["subnet-1", "sn-2"]);
        });
        let d = validate_config(&c);
        let p = paths(&d);
        assert_eq!(d.0.len(), 4, "{d:?}");
        assert!(p.iter().any(|p| p.contains("ip_address_type")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("dns_record_ip_type")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("private_dns_only_for_inbound_resolver_endpoint")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("subnet_ids")), "{p:?}");
        // Unknown values are not judged.
        let c = config(|c| {
            c.ip_address_type = Val::unknown();
            c.vpc_id = Val::unknown();
        });
        assert!(validate_config(&c).is_empty());
        // Resolver-only DNS with private DNS on is fine.
        let c = config(|c| {
            c.private_dns_enabled = Val::Known(true);
            c.dns_options =
                Val::Known(InterfaceDnsOptions { private_dns_only_for_inbound_resolver_endpoint: Val::Known(true), ..Default::default() });
        });
        assert!(validate_config(&c).is_empty());
        // Specified domains go with a ..._SPECIFIED_DOMAINS preference.
        let c = config(|c| {
            c.dns_options = Val::Known(InterfaceDnsOptions { private_dns_preference: s("SPECIFIED_DOMAINS_ONLY"), ..Default::default() })
        });
        assert_eq!(validate_config(&c).0[0].summary, "Missing private_dns_specified_domains");
    }

    #[test]
    fn create_plans_private_dns_false_and_computed_unknown() {
        let (planned, replace) = plan_for(None, &config(|_| {}));
        assert!(replace.is_empty());
        assert_eq!(planned.private_dns_enabled, Val::Known(false));
        for (attr, known) in [
            ("id", planned.id.is_known()),
            ("arn", planned.arn.is_known()),
            ("state", planned.state.is_known()),
            ("subnet_ids", planned.subnet_ids.is_known()),
            ("security_group_ids", planned.security_group_ids.is_known()),
            ("policy", planned.policy.is_known()),
            ("ip_address_type", planned.ip_address_type.is_known()),
            ("dns_entry", planned.dns_entry.is_known()),
            ("owner_id", planned.owner_id.is_known()),
        ] {
            assert!(!known, "{attr} unknown on create");
        }
        assert!(planned.dns_options.is_null(), "no block configured, none planned");
        // A block with one attribute set: the others are computed.
        let c = config(|c| c.dns_options = Val::Known(InterfaceDnsOptions { dns_record_ip_type: s("ipv4"), ..Default::default() }));
        let (planned, _) = plan_for(None, &c);
        assert_eq!(planned.dns().dns_record_ip_type, s("ipv4"));
        assert!(planned.dns().private_dns_only_for_inbound_resolver_endpoint.is_unknown());
        assert_eq!(planned.tags, Val::Known(Map::default()), "no tags: planned empty");
    }

    #[test]
    fn update_plans() {
        let prior = state();
        let base = config(|c| {
            c.subnet_ids = set(&["subnet-a"]);
            c.security_group_ids = set(&["sg-a"]);
        });

        // Nothing changed: the plan is the prior state.
        let (planned, replace) = plan_for(Some(&prior), &base);
        assert!(replace.is_empty());
        assert_eq!(planned, prior);
        assert_eq!(checks_for(Some(&prior), &planned, false), Checks::default(), "no EC2 checks for a no-op");

        // A reformatted policy keeps the prior string.
        let c = with(&base, |c| {
            c.policy = s("{ \"Statement\": [ {\"Resource\":\"*\",\"Action\":[\"*\"],\"Principal\":\"*\",\"Effect\":\"Allow\"} ] }")
        });
        let (planned, _) = plan_for(Some(&prior), &c);
        assert_eq!(planned, prior);

        // The short service name is the same service: no replacement, no change (the prior
        // spelling stays).
        let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.service_name = s("ssm")));
        assert!(replace.is_empty(), "{replace:?}");
        assert_eq!(planned, prior);

        // Another VPC replaces; everything computed is new.
        let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.vpc_id = s("vpc-2")));
        assert_eq!(replace, vec![vec![PathStep::Attr("vpc_id".into())]]);
        assert!(planned.id.is_unknown() && planned.network_interface_ids.is_unknown());
        assert_eq!(checks_for(Some(&prior), &planned, true), Checks::all());

        // New subnet: its network interfaces and DNS names change; the subnets are checked.
        let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.subnet_ids = set(&["subnet-a", "subnet-b"])));
        assert!(replace.is_empty());
        assert!(planned.network_interface_ids.is_unknown() && planned.dns_entry.is_unknown());
        assert_eq!(planned.id, prior.id);
        let checks = checks_for(Some(&prior), &planned, false);
        assert!(checks.subnets && !checks.groups && !checks.private_dns && !checks.service);

        // Tags only: nothing recomputed, nothing checked.
        let (planned, _) =
            plan_for(Some(&prior), &with(&base, |c| c.tags = Val::Known([("a".to_string(), "b".to_string())].into_iter().collect())));
        assert_eq!(planned.network_interface_ids, prior.network_interface_ids);
        assert_eq!(checks_for(Some(&prior), &planned, false), Checks::default());

        // Enabling private DNS: the VPC DNS rule is checked.
        let (planned, _) = plan_for(Some(&prior), &with(&base, |c| c.private_dns_enabled = Val::Known(true)));
        let checks = checks_for(Some(&prior), &planned, false);
        assert!(checks.private_dns && !checks.subnets);

        // A policy removed from the configuration: reset to the default (unknown until applied),
        // unless it already is the default.
        let custom =
            with(&prior, |p| p.policy = s(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}"#));
        let (planned, _) = plan_for(Some(&custom), &base);
        assert!(planned.policy.is_unknown());
        let (planned, _) = plan_for(Some(&prior), &base);
        assert_eq!(planned.policy, prior.policy);

        // Private DNS left out of the configuration of an endpoint that has it: planned off.
        let on = with(&prior, |p| p.private_dns_enabled = Val::Known(true));
        let (planned, _) = plan_for(Some(&on), &base);
        assert_eq!(planned.private_dns_enabled, Val::Known(false));

        // A new private DNS preference replaces; an unknown one does not (yet).
        let dns = |p: Val<String>| Val::Known(InterfaceDnsOptions { private_dns_preference: p, ..Default::default() });
        let (_, replace) = plan_for(Some(&prior), &with(&base, |c| c.dns_options = dns(s("ALL_DOMAINS"))));
        assert_eq!(replace, vec![attr_path(&["dns_options", "private_dns_preference"])]);
        let (_, replace) = plan_for(Some(&prior), &with(&base, |c| c.dns_options = dns(Val::unknown())));
        assert!(replace.is_empty());

        // A failed endpoint is replaced.
        let failed = with(&prior, |p| p.state = s("Failed"));
        let (_, replace) = plan_for(Some(&failed), &base);
        assert_eq!(replace, vec![attr_path(&["state"])]);
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
            .dns_options(
                DnsOptions::builder()
                    .dns_record_ip_type(DnsRecordIpType::Ipv4)
                    .private_dns_only_for_inbound_resolver_endpoint(false)
                    .build(),
            )
            .policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
            .network_interface_ids("eni-1")
            .dns_entries(Ec2DnsEntry::builder().dns_name("vpce-1.ssm.us-east-1.vpce.amazonaws.com").hosted_zone_id("Z7HUB22UULQXV").build())
            .owner_id("123456789012")
            .build()
    }

    #[test]
    fn state_from_ec2() {
        let ep = endpoint();
        let base = InterfaceModel { service_name: s("ssm"), ..Default::default() };
        let st = state_from_endpoint(REGION, &base, &ep);
        assert_eq!(st.arn, s("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
        assert_eq!(st.service_name, s("ssm"), "the user's spelling of the same service");
        assert_eq!(st.subnet_ids, set(&["subnet-a", "subnet-b"]));
        assert_eq!(st.security_group_ids, set(&["sg-a"]));
        assert_eq!(st.private_dns_enabled, Val::Known(true));
        assert_eq!(st.state, s("available"));
        let entries = st.dns_entry.known().unwrap();
        assert_eq!(entries.0.len(), 1);
        assert_eq!(entries.0[0].known().unwrap().hosted_zone_id, s("Z7HUB22UULQXV"));
        assert_eq!(st.tags, Val::Known(Map::default()), "no tags: an empty map, never null");
        assert!(st.dns_options.is_null(), "the block stays absent when not configured");
        assert_eq!(st.requester_managed, Val::Known(false));
        assert!(st.is_wholly_known());

        // With a configured block and an empty tag map.
        let base = InterfaceModel {
            dns_options: Val::Known(InterfaceDnsOptions { dns_record_ip_type: Val::unknown(), ..Default::default() }),
            tags: Val::Known(Map::default()),
            ..Default::default()
        };
        let st = state_from_endpoint(REGION, &base, &ep);
        assert_eq!(st.dns().dns_record_ip_type, s("ipv4"));
        assert_eq!(st.dns().private_dns_only_for_inbound_resolver_endpoint, Val::Known(false));
        assert!(st.dns().private_dns_specified_domains.is_null());
        assert_eq!(st.tags, Val::Known(Map::default()));
        assert_eq!(st.service_name, s(SSM));

        // Another partition.
        let st = state_from_endpoint("cn-north-1", &InterfaceModel::default(), &ep);
        assert!(st.arn.as_str().unwrap().starts_with("arn:aws-cn:ec2:cn-north-1:"));
    }

    #[test]
    fn subnet_configuration_rules() {
        assert_eq!(check_address_in_cidr("10.0.1.10", "10.0.1.0/24"), Ok(()));
        for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
            assert!(check_address_in_cidr(reserved, "10.0.1.0/24").unwrap_err().contains("reserves"), "{reserved}");
        }
        assert!(check_address_in_cidr("10.0.2.10", "10.0.1.0/24").unwrap_err().contains("outside"));
        assert_eq!(check_address_in_cidr("2600:1f18:1:2::10", "2600:1f18:1:2::/64"), Ok(()));
        assert!(check_address_in_cidr("2600:1f18:1:2::3", "2600:1f18:1:2::/64").unwrap_err().contains("reserves"));
        assert!(check_address_in_cidr("2600:1f18:1:2:ffff:ffff:ffff:ffff", "2600:1f18:1:2::/64").unwrap_err().contains("reserves"));
        assert!(check_address_in_cidr("2600:1f18:1:3::10", "2600:1f18:1:2::/64").unwrap_err().contains("outside"));
        assert!(check_address_in_cidr("10.0.1.10", "2600:1f18:1:2::/64").is_err());

        let block = |subnet: &str, v4: Option<&str>, v6: Option<&str>| SubnetConfiguration {
            subnet_id: s(subnet),
            ipv4: v4.map(s).unwrap_or_default(),
            ipv6: v6.map(s).unwrap_or_default(),
        };
        let summaries = |c: &InterfaceModel| validate_config(c).0.iter().map(|d| d.summary.clone()).collect::<Vec<_>>();
        let c = config(|c| {
            c.subnet_ids = set(&["subnet-a"]);
            c.subnet_configuration = Val::Known(
                [
                    block("subnet-a", Some("10.0.0.10"), None),
                    block("subnet-b", Some("10.0.1.10"), None),
                    block("subnet-a", Some("x"), None),
                ]
                .into_iter()
                .collect(),
            );
        });
        assert_eq!(
            summaries(&c),
            ["Subnet not in subnet_ids", "Several subnet_configuration blocks for one subnet", "Invalid IPv4 address"]
        );
        let c = config(|c| {
            c.subnet_ids = set(&["subnet-a"]);
            c.subnet_configuration = Val::Known([block("subnet-a", None, Some("2600::10"))].into_iter().collect());
        });
        assert_eq!(summaries(&c), ["IPv6 address on an IPv4 endpoint"], "ipv4 is the default type");
        let c = with(&c, |c| c.ip_address_type = s("dualstack"));
        assert!(summaries(&c).is_empty());
        let c = with(&c, |c| c.service_region = s("us west"));
        assert_eq!(summaries(&c), ["Invalid service_region"]);
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

    /// The apply-time DNS rule, straight through the create (Terraform normally re-plans first, so
    /// this path is otherwise reached only when the VPC changes between plan and apply).
    /// Against moto, only when MOTO_URL is set.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn create_rechecks_private_dns_before_creating() {
        let Ok(url) = std::env::var("MOTO_URL") else {
            eprintln!("skipping: MOTO_URL is not set");
            return;
        };
        for (key, value) in [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true")]
        {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        }
        let cfg = crate::aws::Ec2Config { region: Some(REGION.into()), ec2_endpoint: Some(url), ..Default::default() };
        let ctx = Ctx::new(crate::aws::connect(cfg).await.unwrap(), CancellationToken::new());
        let c = ctx.ec2.client();
        let vpc = c.create_vpc().cidr_block("10.77.0.0/16").send().await.unwrap().vpc.and_then(|v| v.vpc_id).unwrap();
        let subnet =
            c.create_subnet().vpc_id(&vpc).cidr_block("10.77.1.0/24").send().await.unwrap().subnet.and_then(|s| s.subnet_id).unwrap();
        let no_hostnames = aws_sdk_ec2::types::AttributeBooleanValue::builder().value(false).build();
        c.modify_vpc_attribute().vpc_id(&vpc).enable_dns_hostnames(no_hostnames).send().await.unwrap();
        let count = || async {
            let f = aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc).build();
            let out = c.describe_vpc_endpoints().filters(f).send().await.unwrap();
            out.vpc_endpoints().iter().filter(|e| crate::aws::state_str(e) != "deleted").count()
        };

        let interface = Typed::new(super::super::endpoint::AsResource(Interface::new()));
        let config = config(|c| {
            c.vpc_id = s(&vpc);
            c.subnet_ids = set(&[subnet.as_str()]);
            c.private_dns_enabled = Val::Known(true);
        });
        let (planned, _) = plan_for(None, &config);
        let create = |planned: &InterfaceModel, config: &InterfaceModel| {
            interface.apply(&ctx, ApplyRequest { prior: Value::Null, planned: planned.to_value(), config: config.to_value() })
        };
        let resp = create(&planned, &config).await;
        assert!(resp.new_state.is_null());
        let d = &resp.diags.0;
        assert!(d.len() == 1 && d[0].detail.contains(&format!("VPC {vpc} has enableDnsHostnames = false.")), "{d:?}");
        assert_eq!(paths(&resp.diags), vec!["private_dns_enabled".to_string()]);
        assert_eq!(count().await, 0, "nothing created");

        // Without private DNS the same create succeeds, with every computed value known.
        let config = with(&config, |c| c.private_dns_enabled = Val::Known(false));
        let planned = with(&planned, |p| p.private_dns_enabled = Val::Known(false));
        let resp = create(&planned, &config).await;
        assert!(!resp.diags.has_errors(), "{:?}", resp.diags);
        assert!(resp.new_state.is_wholly_known(), "{:?}", resp.new_state);
        let created = InterfaceModel::decode(&resp.new_state).unwrap().unwrap();
        assert_eq!(created.private_dns_enabled, Val::Known(false));
        assert_eq!(count().await, 1);
        let resp = interface.apply(&ctx, ApplyRequest { prior: resp.new_state, planned: Value::Null, config: Value::Null }).await;
        assert!(resp.new_state.is_null() && !resp.diags.has_errors(), "{:?}", resp.diags);
        assert_eq!(count().await, 0);
    }
}
