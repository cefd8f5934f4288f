//! `vpce_interface`: state from EC2.

use std::net::{Ipv4Addr, Ipv6Addr};

use aws_sdk_ec2::types::{NetworkInterface, VpcEndpoint};

use super::super::{policy, tags, Ctx};
use super::{InterfaceDnsOptions, InterfaceModel, SubnetConfiguration};
use crate::aws::{self, AwsError};
use crate::models::{dns_entries, string_set};
use crate::protocol::model::{Set, Val};
use crate::protocol::plan::known_or_null;

/// The state of `ep`, with `base` (prior state, plan or an empty model) supplying what EC2 does
/// not say or what the user wrote differently but equivalently: the service name spelling, the
/// policy formatting, the `dns_options` block's presence, `timeouts`, null vs empty tags.
pub(super) fn state_from_endpoint(region: &str, base: &InterfaceModel, ep: &VpcEndpoint) -> InterfaceModel {
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
    let dns_entry = dns_entries(ep);
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
pub(super) fn subnet_configuration_from_enis(configured: &Set<SubnetConfiguration>, enis: &[NetworkInterface]) -> Set<SubnetConfiguration> {
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
pub(super) fn same_or_actual<A: std::str::FromStr + PartialEq>(mine: &Val<String>, actual: Vec<String>) -> Val<String> {
    let parsed = mine.as_str().and_then(|m| m.parse::<A>().ok());
    match parsed {
        Some(m) if actual.iter().any(|a| a.parse::<A>().ok().as_ref() == Some(&m)) => mine.clone(),
        _ => actual.into_iter().next().into(),
    }
}

/// The `subnet_configuration` blocks of `planned` as EC2 takes them; with `prior`, only the
/// blocks that are not the same in it (a modify sends what changes).
pub(super) fn subnet_configurations(
    planned: &Val<Set<SubnetConfiguration>>,
    prior: Option<&Val<Set<SubnetConfiguration>>>,
) -> Vec<aws::SubnetAddresses> {
    let before: Vec<SubnetConfiguration> = prior.and_then(Val::known).map(Set::known_items).unwrap_or_default();
    planned
        .known()
        .map(Set::known_items)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !before.contains(c))
        .filter_map(|c| {
            Some(aws::SubnetAddresses {
                subnet_id: c.subnet_id.as_str()?.to_string(),
                ipv4: c.ipv4.as_str().map(str::to_string),
                ipv6: c.ipv6.as_str().map(str::to_string),
            })
        })
        .collect()
}

pub(super) async fn default_group(ctx: &Ctx, v: &InterfaceModel) -> Result<String, AwsError> {
    let vpc = v.vpc_id.as_str().unwrap_or_default();
    ctx.ec2
        .default_security_group_fact(vpc)
        .await?
        .ok_or_else(|| AwsError::new("DescribeSecurityGroups", None, format!("VPC {vpc} has no default security group")))
}

/// `security_group_ids = []` means "the VPC's default group": when the state says `[]` and EC2
/// reports just that group, the state keeps `[]`.
pub(super) async fn keep_empty_groups(ctx: &Ctx, prior: &InterfaceModel, mut state: InterfaceModel) -> InterfaceModel {
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

/// Whether the DNS options EC2 reports for `ep` differ from what a create without a
/// `dns_options` block gets (see `Interface::import_base`).
pub(super) fn configured_dns_options(ep: &VpcEndpoint) -> bool {
    let Some(d) = ep.dns_options() else { return false };
    let ip_type = ep.ip_address_type().map_or("ipv4".to_string(), |t| t.as_str().to_ascii_lowercase());
    let record_differs = d.dns_record_ip_type().is_some_and(|r| !r.as_str().eq_ignore_ascii_case(&ip_type));
    let preference = d.private_dns_preference().is_some_and(|p| !p.is_empty()) || !d.private_dns_specified_domains().is_empty();
    // EC2 sets the flag itself for an S3 endpoint with private DNS.
    let s3_default = ep.service_name().is_some_and(|s| s.ends_with(".s3")) && ep.private_dns_enabled() == Some(true);
    let inbound = d.private_dns_only_for_inbound_resolver_endpoint() == Some(true) && !s3_default;
    record_differs || preference || inbound
}
