//! `vpce_interface`: validation.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::super::timeouts;
use super::super::{policy, tags};
use super::{InterfaceDnsOptions, InterfaceModel};
use crate::aws;
use crate::aws::{DNS_RECORD_IP_TYPES, IP_ADDRESS_TYPES};
use crate::checks::{attr_path, validate_id, validate_ids};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

/// `private_dns_specified_domains`: 1 to 10 domains, given exactly when the preference names
/// specified domains.
pub(super) fn validate_specified_domains(dns: &InterfaceDnsOptions, d: &mut Diagnostics) {
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
pub(super) fn validate_subnet_configuration(config: &InterfaceModel, d: &mut Diagnostics) {
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
pub(super) fn check_address_in_cidr(ip: &str, cidr: &str) -> Result<(), String> {
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

pub(super) fn validate_config(config: &InterfaceModel) -> Diagnostics {
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
    // ip_address_type, dns_record_ip_type and private_dns_preference take one of EC2's
    // spellings: checked as the model declares.
    let dns = config.dns();
    validate_specified_domains(&dns, &mut d);
    // EC2's API reference (DnsOptionsSpecification): the preference and its domains are only for
    // Resource and ServiceNetwork endpoints; CreateVpcEndpoint refuses them for this type.
    let chosen =
        dns.private_dns_preference.as_str().is_some() || dns.private_dns_specified_domains.known().is_some_and(|l| !l.0.is_empty());
    if chosen {
        d.attr_error(
            attr_path(&["dns_options", "private_dns_preference"]),
            "Not for interface endpoints",
            "EC2 takes private_dns_preference and private_dns_specified_domains only for Resource and ServiceNetwork endpoints (VPC Lattice): use vpce_resource or vpce_service_network for those, and leave both out here.",
        );
    }
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
