//! `vpce_interface`: apply (the modify request).

use super::super::Ctx;
use super::checks::{check_aws, Checks};
use super::plan::same_subnet_configuration;
use super::state::{default_group, subnet_configurations};
use super::{InterfaceDnsOptions, InterfaceModel};
use crate::aws::{DnsSpec, ModifySpec};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

/// The DNS options a request sends for the block (`None` when it sets nothing).
pub(super) fn dns_spec(block: &InterfaceDnsOptions) -> Option<DnsSpec> {
    DnsSpec {
        dns_record_ip_type: block.dns_record_ip_type.as_str().map(str::to_string),
        private_dns_only_for_inbound_resolver_endpoint: block.private_dns_only_for_inbound_resolver_endpoint.as_bool(),
        private_dns_preference: block.private_dns_preference.as_str().map(str::to_string),
        private_dns_specified_domains: block.private_dns_specified_domains.strings().into_iter().collect(),
    }
    .non_empty()
}

/// The changes from `prior` to `planned` but the policy (subnets, security groups, private DNS,
/// IP address type, the DNS options EC2 can change in place).
pub(super) async fn modify_spec(
    ctx: &Ctx,
    prior: &InterfaceModel,
    planned: &InterfaceModel,
    diags: &mut Diagnostics,
) -> Result<ModifySpec, ()> {
    let id = prior.id.as_str().unwrap_or_default();
    let mut spec = ModifySpec::default();
    if planned.subnet_ids.is_wholly_known() {
        let (old, new) = (prior.subnet_ids.strings(), planned.subnet_ids.strings());
        spec.add_subnet_ids = new.difference(&old).cloned().collect();
        spec.remove_subnet_ids = old.difference(&new).cloned().collect();
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
        spec.add_security_group_ids = new.difference(&old).cloned().collect();
        spec.remove_security_group_ids = old.difference(&new).cloned().collect();
    }
    if planned.subnet_configuration.is_wholly_known()
        && !same_subnet_configuration(&planned.subnet_configuration, &prior.subnet_configuration)
    {
        spec.subnet_configurations = subnet_configurations(&planned.subnet_configuration, Some(&prior.subnet_configuration));
    }
    let private_dns = planned.private_dns_enabled.as_bool();
    let enabling_private_dns = private_dns == Some(true) && prior.private_dns_enabled.as_bool() != Some(true);
    spec.private_dns_enabled = private_dns.filter(|pd| prior.private_dns_enabled.as_bool() != Some(*pd));
    spec.ip_address_type = planned.ip_address_type.as_str().filter(|t| prior.ip_address_type.as_str() != Some(*t)).map(str::to_string);
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
        spec.dns = dns_spec(&changed);
    }
    if enabling_private_dns {
        let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
        check_aws(ctx, planned, checks, diags).await;
    }
    super::super::ec2_rules::check_interface_at_apply(ctx, Some(&prior.rule_facts()), &planned.rule_facts(), diags).await;
    if diags.has_errors() {
        return Err(());
    }
    Ok(spec)
}
