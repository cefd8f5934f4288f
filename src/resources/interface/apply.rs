//! `vpce_interface`: apply (the modify request).

use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{DnsOptionsSpecification, DnsRecordIpType, IpAddressType};

use super::super::Ctx;
use super::checks::{check_aws, Checks};
use super::plan::same_subnet_configuration;
use super::state::{default_group, subnet_configurations};
use super::{InterfaceDnsOptions, InterfaceModel};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

pub(super) fn dns_spec(block: &InterfaceDnsOptions) -> Option<DnsOptionsSpecification> {
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
pub(super) async fn modify_request(
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
    super::super::ec2_rules::check_interface_at_apply(ctx, Some(&prior.rule_facts()), &planned.rule_facts(), diags).await;
    if diags.has_errors() {
        return Err(());
    }
    Ok((req, modify))
}
