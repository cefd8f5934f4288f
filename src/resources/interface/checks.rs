//! `vpce_interface`: plan-time (and pre-create) checks against EC2.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{SecurityGroup, ServiceDetail, Subnet};

use super::super::Ctx;
use super::validate::check_address_in_cidr;
use super::{InterfaceModel, SubnetConfiguration};
use crate::aws::IP_ADDRESS_TYPES;
use crate::aws::{self, Missing};
use crate::checks::{attr_path, could_not_check, join_and};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Set;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Checks {
    pub(super) vpc: bool,
    pub(super) service: bool,
    pub(super) subnets: bool,
    pub(super) groups: bool,
    pub(super) private_dns: bool,
    /// During apply: a VPC that is not found yet (eventual consistency) is left to CreateVpcEndpoint.
    pub(super) at_apply: bool,
}

impl Checks {
    pub(super) fn all() -> Self {
        Checks { vpc: true, service: true, subnets: true, groups: true, private_dns: true, at_apply: false }
    }
}

pub(super) fn private_dns_error(vpc: &str, support: bool, hostnames: bool) -> String {
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
pub(super) async fn check_aws(ctx: &Ctx, v: &InterfaceModel, checks: Checks, diags: &mut Diagnostics) {
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

pub(super) fn check_subnets(
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
pub(super) async fn check_subnet_addresses(ctx: &Ctx, planned: &InterfaceModel, diags: &mut Diagnostics) {
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

pub(super) fn check_groups(ids: &[String], found: &[SecurityGroup], vpc: Option<&str>, region: &str, diags: &mut Diagnostics) {
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
