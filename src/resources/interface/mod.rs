//! `vpce_interface`: Interface VPC endpoints (AWS PrivateLink).
//!
//! The lifecycle is the shared one of [`endpoint`]; this module holds what is the interface's own.
//! Beyond CRUD, the plan checks what EC2 would only reject at apply time (or, for the VPC DNS rule
//! of private DNS, what some emulators never check): the service exists here and offers Interface
//! endpoints, subnets and security groups exist and belong to the VPC, at most one subnet per AZ,
//! each subnet in an AZ the service is offered in, and for private DNS that the VPC has both
//! enableDnsSupport and enableDnsHostnames. The DNS rule is checked again right before
//! CreateVpcEndpoint (the VPC may have been unknown at plan) and before a modify enabling it.

mod apply;
mod checks;
mod moved;
mod plan;
mod state;
#[cfg(test)]
mod tests;
mod validate;

use aws_sdk_ec2::types::VpcEndpoint;
use std::future::Future;

use self::apply::{dns_spec, modify_spec};
use self::checks::{check_aws, check_subnet_addresses, Checks};
use self::moved::moved_from;
use self::plan::{checks_for, complete_plan, dns_replacements, same_subnet_configuration};
use self::state::{keep_empty_groups, state_from_endpoint, subnet_configuration_from_enis, subnet_configurations};
use self::validate::validate_config;
use super::ec2_rules::InterfaceFacts;
use super::endpoint::moves::AwsEndpoint;
use super::endpoint::{accept_if_asked, endpoint_model, Acceptance, Endpoint};
use super::ownership::Owners;
use super::timeouts::Timeouts;
use super::{policy, Ctx};
use crate::aws;
use crate::models::DnsEntry;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Map, Model, Set, Val};
use crate::protocol::schema::Schema;
use crate::protocol::values::PathStep;

crate::model! {
    /// The state, plan or configuration of a `vpce_interface`.
    #[description = "An Interface VPC endpoint (AWS PrivateLink): network interfaces in your subnets through which the VPC reaches an AWS or partner service privately. \
                          Interface endpoints are billed per hour and per AZ, plus data processed."]
    pub(crate) struct InterfaceModel {
        attrs {
            id: String [computed] "The endpoint ID (`vpce-...`).";
            arn: String [computed] "The endpoint ARN.";
            vpc_id: String [required replace_when_configured] "The VPC. Changing it replaces the endpoint.";
            service_name: String [required replace_when_configured] "The endpoint service, e.g. `com.amazonaws.us-east-1.ssm` (a short name such as `ssm` or `ecr.api`, anything not starting with `com.`, `aws.` or `cn.`, is expanded with the provider's region). Changing it replaces the endpoint.";
            subnet_ids: Set<String> [optional computed] "Subnets for the endpoint's network interfaces: at most one per Availability Zone, all in the VPC.";
            security_group_ids: Set<String> [optional computed] "Security groups of the network interfaces. When not set, AWS applies the VPC's default security group, which the state then shows; `[]` also means the default group.";
            private_dns_enabled: bool [optional computed] "Associate a private hosted zone so the service's default DNS name resolves to the endpoint. Default `false` (always sent explicitly: the EC2 API default is `true`). Needs `enableDnsSupport` and `enableDnsHostnames` on the VPC.";
            ip_address_type: String [optional computed one_of(aws::IP_ADDRESS_TYPES)] "`ipv4`, `dualstack` or `ipv6`. Defaults to what AWS chooses.";
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
            dns_record_ip_type: String [optional computed one_of(aws::DNS_RECORD_IP_TYPES)] "`ipv4`, `dualstack`, `ipv6` or `service-defined`.";
            private_dns_only_for_inbound_resolver_endpoint: bool [optional computed] "Resolve the private DNS name to the endpoint only for queries from Route 53 Resolver inbound endpoints (S3 with a gateway endpoint in the same VPC). Needs `private_dns_enabled = true`.";
            private_dns_preference: String [optional computed replace_when_configured one_of(aws::PRIVATE_DNS_PREFERENCES)] "Refused for interface endpoints: EC2 takes a private DNS preference only for Resource and ServiceNetwork endpoints (`vpce_resource`, `vpce_service_network`). Kept for the shape of `aws_vpc_endpoint`'s block: a moved state may hold it.";
            private_dns_specified_domains: Set<String> [optional computed replace_when_configured] "Refused for interface endpoints, as `private_dns_preference`.";
        }
    }
}

endpoint_model!(InterfaceModel);

impl InterfaceModel {
    /// The `dns_options` block (all null when it is not set or unknown).
    fn dns(&self) -> InterfaceDnsOptions {
        self.dns_options.known().cloned().unwrap_or_default()
    }

    /// What the EC2 rules about other endpoints read (`ec2_rules::check_interface`).
    fn rule_facts(&self) -> InterfaceFacts<'_> {
        InterfaceFacts {
            id: &self.id,
            vpc_id: &self.vpc_id,
            service_name: &self.service_name,
            private_dns_enabled: &self.private_dns_enabled,
            service_region: &self.service_region,
            policy: &self.policy,
            inbound: self.dns_options.known().map(|d| d.private_dns_only_for_inbound_resolver_endpoint.clone()).unwrap_or(Val::Null),
        }
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

    /// An interface that sets `subnet_ids` or `security_group_ids` owns all of its endpoint's
    /// subnets or groups: subnet or security group associations of the same endpoint in this
    /// configuration are a conflict (each would undo the other at every apply).
    fn check_config(&self, owners: &Owners, planned: &InterfaceModel, config: &InterfaceModel, fresh: bool, diags: &mut Diagnostics) {
        let (Some(id), false) = (planned.id.as_str(), fresh) else { return };
        use super::association::{configured_members, security_group, subnet};
        owners.check_inline(&subnet::NAMES, id, configured_members(&config.subnet_ids), diags);
        owners.check_inline(&security_group::NAMES, id, configured_members(&config.security_group_ids), diags);
        let accept = super::ownership::SPLIT_ACCEPT;
        if let Some(detail) = accept.claim_inline(owners, id, config.auto_accept.as_bool() == Some(true)) {
            diags.attr_error(accept.attr, accept.twice(), detail);
        }
    }

    /// Security groups that admit no TCP 443 from the VPC: when the groups are new or changed in
    /// this plan and known (not set or `[]`: the VPC's default group, as EC2 does).
    async fn advise(
        &self,
        ctx: &Ctx,
        prior: Option<&InterfaceModel>,
        planned: &InterfaceModel,
        config: &InterfaceModel,
        fresh: bool,
        diags: &mut Diagnostics,
    ) {
        {
            let defaulted = config.security_group_ids.known().is_some_and(|g| g.0.is_empty()) || config.security_group_ids.is_null();
            let groups = if planned.security_group_ids.is_wholly_known() && !(fresh && defaulted) {
                Some(planned.security_group_ids.strings())
            } else if defaulted {
                Some(std::collections::BTreeSet::new())
            } else {
                None
            };
            let changed = fresh || prior.is_none_or(|p| Some(p.security_group_ids.strings()) != groups);
            if let (true, Some(vpc), Some(groups)) = (changed, planned.vpc_id.as_str(), groups) {
                super::advice::interface_https(ctx, vpc, &groups, diags).await;
            }
        }
    }

    async fn check_plan(&self, ctx: &Ctx, prior: Option<&InterfaceModel>, planned: &InterfaceModel, fresh: bool, diags: &mut Diagnostics) {
        if diags.has_errors() {
            return;
        }
        let checks = checks_for(prior, planned, fresh);
        if checks != Checks::default() {
            check_aws(ctx, planned, checks, diags).await;
        }
        if !diags.has_errors() {
            super::ec2_rules::check_interface(ctx, prior.map(InterfaceModel::rule_facts).as_ref(), &planned.rule_facts(), fresh, diags)
                .await;
        }
        let addresses_change =
            fresh || prior.is_none_or(|p| !same_subnet_configuration(&p.subnet_configuration, &planned.subnet_configuration));
        if addresses_change && !diags.has_errors() {
            check_subnet_addresses(ctx, planned, diags).await;
        }
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
    async fn describe(&self, ctx: &Ctx, base: &InterfaceModel, ep: &VpcEndpoint, check: bool) -> (InterfaceModel, Diagnostics) {
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
    }

    fn settle<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a InterfaceModel>,
        planned: &'a InterfaceModel,
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

    async fn create_spec(
        &self,
        ctx: &Ctx,
        planned: &InterfaceModel,
        _config: &InterfaceModel,
        diags: &mut Diagnostics,
    ) -> Option<aws::EndpointSpec> {
        // The DNS rule again, right before creating: the VPC may have been unknown at plan time.
        let checks = Checks { private_dns: true, at_apply: true, ..Checks::default() };
        check_aws(ctx, planned, checks, diags).await;
        if !diags.has_errors() {
            super::ec2_rules::check_interface_at_apply(ctx, None, &planned.rule_facts(), diags).await;
        }
        if diags.has_errors() {
            return None;
        }
        Some(aws::EndpointSpec::Interface(aws::InterfaceSpec {
            subnet_ids: planned.subnet_ids.strings().into_iter().collect(),
            security_group_ids: planned.security_group_ids.strings().into_iter().collect(),
            private_dns_enabled: planned.private_dns_enabled.as_bool().unwrap_or(false),
            ip_address_type: planned.ip_address_type.as_str().map(str::to_string),
            dns: planned.dns_options.known().and_then(dns_spec),
            policy: policy::configured(&planned.policy).map(str::to_string),
            subnet_configurations: subnet_configurations(&planned.subnet_configuration, None),
            service_region: planned.service_region.as_str().map(str::to_string),
        }))
    }

    fn modify_spec<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a InterfaceModel,
        planned: &'a InterfaceModel,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Result<aws::ModifySpec, ()>> + Send + 'a {
        modify_spec(ctx, prior, planned, diags)
    }

    /// An import reads the DNS options back into a `dns_options` block when they are not what a
    /// create without the block gives (a DNS record type other than the endpoint's IP address
    /// type, a private DNS preference or domains, the inbound-resolver flag set where EC2 does not
    /// set it itself): such options were configured. Default options leave the block out, as a
    /// configuration without it has them.
    fn import_base(&self, ep: &VpcEndpoint) -> InterfaceModel {
        InterfaceModel {
            dns_options: if state::configured_dns_options(ep) { Val::Known(InterfaceDnsOptions::default()) } else { Val::Null },
            ..Default::default()
        }
    }

    fn moved_from_aws(&self, source: &AwsEndpoint) -> InterfaceModel {
        moved_from(source)
    }
}
