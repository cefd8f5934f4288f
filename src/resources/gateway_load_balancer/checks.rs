//! `vpce_gateway_load_balancer`: the checks against EC2 at plan, for what the plan creates or
//! changes: the service exists and is of type GatewayLoadBalancer, the VPC exists, the subnet
//! exists, is in the VPC and in an Availability Zone of the service, the IP address type fits
//! the subnet and the service, and what acceptance will do (a service that requires it leaves
//! the endpoint in `pendingAcceptance`; `auto_accept` works only for this account's services).
//! Unknown values are not checked; a lookup that fails is a warning.

use aws_sdk_ec2::types::{ServiceDetail, Subnet};

use super::super::Ctx;
use super::GatewayLoadBalancerModel;
use crate::aws;
use crate::checks::{could_not_check, join_and};
use crate::protocol::diagnostics::Diagnostics;

const EC2_TYPE: &str = "GatewayLoadBalancer";

/// The region of a `com.amazonaws.vpce.REGION.vpce-svc-...` name.
fn vpce_service_region(name: &str) -> Option<&str> {
    name.strip_prefix("com.amazonaws.vpce.")?.split('.').next().filter(|r| r.contains('-'))
}

fn offers_gwlb(d: &ServiceDetail) -> bool {
    d.service_type().iter().any(|t| t.service_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case(EC2_TYPE)))
}

/// The checks of `planned`; `prior` is the prior state of an update (`None`: a new endpoint).
pub(super) async fn check_plan(
    ctx: &Ctx,
    prior: Option<&GatewayLoadBalancerModel>,
    planned: &GatewayLoadBalancerModel,
    diags: &mut Diagnostics,
) {
    let region = ctx.ec2.region().to_string();
    let fresh = prior.is_none();
    let vpc = planned.vpc_id.as_str();
    let service = planned.service_name.as_str().map(|s| aws::resolve_service_name(s, &region));
    let subnets_changed = prior.is_none_or(|p| p.subnet_ids.strings() != planned.subnet_ids.strings());
    let ip_type = planned.ip_address_type.as_str().filter(|_| prior.is_none_or(|p| p.ip_address_type != planned.ip_address_type));
    let subnet_ids: Vec<String> = match (subnets_changed || ip_type.is_some()) && planned.subnet_ids.is_wholly_known() {
        true => planned.subnet_ids.strings().into_iter().collect(),
        false => Vec::new(),
    };
    let waiting = prior.and_then(|p| p.state.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
    let accept_now = planned.auto_accept.as_bool() == Some(true) && waiting && prior.is_some_and(|p| p.auto_accept.as_bool() != Some(true));
    let need_service = fresh || !subnet_ids.is_empty() || accept_now;

    let ec2 = &ctx.ec2;
    let vpc_lookup = |run: bool| async move {
        match (vpc, run && fresh) {
            (Some(id), true) => Some(ec2.vpc_fact(id).await),
            _ => None,
        }
    };
    // A subnet found in the VPC proves that the VPC exists: look the VPC up only otherwise.
    let (svc_r, subnets_r, mut vpc_r) = tokio::join!(
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
        vpc_lookup(subnet_ids.is_empty()),
    );
    let proven = matches!(&subnets_r, Some(Ok(found)) if found.iter().any(|s| vpc.is_some() && s.vpc_id() == vpc));
    if vpc_r.is_none() && !proven {
        vpc_r = vpc_lookup(true).await;
    }

    let mut vpc_missing = false;
    if let (Some(id), Some(r)) = (vpc, vpc_r) {
        match r {
            Ok(Some(_)) => {}
            Ok(None) => {
                vpc_missing = true;
                diags.attr_error("vpc_id", "VPC not found", format!("VPC {id} does not exist in {region}."));
            }
            Err(e) => could_not_check(diags, &format!("VPC {id}"), &e),
        }
    }

    let mut detail: Option<ServiceDetail> = None;
    if let (Some(name), Some(r)) = (&service, svc_r) {
        match r {
            // A vanished service is not this update's business (EC2 reports what it must).
            Ok(details) if details.is_empty() && !fresh => {}
            Ok(details) if details.is_empty() => {
                let mut text = format!("There is no VPC endpoint service {name} in {region}.");
                if let Some(other) = vpce_service_region(name).filter(|r| *r != region) {
                    text.push_str(&format!(" The name refers to region {other}, but the provider is configured for {region}: a Gateway Load Balancer endpoint is created in the service's region, with a provider configured for {other}."));
                }
                text.push_str(
                    " A service of another account is visible only once its owner allows this account (the service's allowed principals).",
                );
                diags.attr_error("service_name", "No such VPC endpoint service", text);
            }
            Ok(details) => {
                detail = details.iter().find(|d| offers_gwlb(d)).cloned();
                if detail.is_none() && fresh {
                    let mut types: Vec<String> = Vec::new();
                    for t in details.iter().flat_map(|d| d.service_type()).filter_map(|t| t.service_type()) {
                        if !types.iter().any(|have| have.eq_ignore_ascii_case(t.as_str())) {
                            types.push(t.as_str().to_string());
                        }
                    }
                    let hint = match (types.iter().any(|t| t == "Interface"), types.iter().any(|t| t == "Gateway")) {
                        (true, _) => " Use the vpce_interface resource for it.",
                        (false, true) => " Use the vpce_gateway resource for it.",
                        _ => "",
                    };
                    diags.attr_error(
                        "service_name",
                        "Service does not offer Gateway Load Balancer endpoints",
                        format!(
                            "{name} supports only {} endpoints, not GatewayLoadBalancer: EC2 refuses to create this endpoint. A Gateway Load Balancer endpoint needs the endpoint service of a Gateway Load Balancer.{hint}",
                            if types.is_empty() { "no".to_string() } else { join_and(&types) }
                        ),
                    );
                }
            }
            Err(e) => could_not_check(diags, &format!("service {name}"), &e),
        }
    }

    if let Some(r) = subnets_r {
        match r {
            Ok(found) => check_subnets(&subnet_ids, &found, vpc.filter(|_| !vpc_missing), detail.as_ref(), ip_type, diags),
            Err(e) => could_not_check(diags, "the subnet", &e),
        }
    }
    if let (Some(ip), Some(d)) = (ip_type, &detail) {
        let supported: Vec<String> = d.supported_ip_address_types().iter().map(|t| t.as_str().to_ascii_lowercase()).collect();
        let needs: &[&str] = if ip == "dualstack" { &["ipv4", "ipv6"] } else { &["ipv4"] };
        if !supported.is_empty() && !needs.iter().all(|n| supported.iter().any(|s| s == n)) {
            diags.attr_error(
                "ip_address_type",
                "IP address type not supported by the service",
                format!(
                    "{} supports {} addresses only, so ip_address_type cannot be \"{ip}\".",
                    service.as_deref().unwrap_or("The service"),
                    join_and(&supported)
                ),
            );
        }
    }

    if let (Some(name), Some(d), false) = (&service, &detail, diags.has_errors()) {
        check_acceptance(ctx, name, d, planned, fresh, accept_now, diags).await;
    }
}

/// The subnet: it exists, is in the VPC, in an Availability Zone of the service, and fits the IP
/// address type (when it changes).
fn check_subnets(
    ids: &[String],
    found: &[Subnet],
    vpc: Option<&str>,
    detail: Option<&ServiceDetail>,
    ip_type: Option<&str>,
    diags: &mut Diagnostics,
) {
    for id in ids {
        let Some(s) = found.iter().find(|s| s.subnet_id() == Some(id.as_str())) else {
            diags.attr_error("subnet_ids", "Subnet not found", format!("Subnet {id} does not exist (in this account and region)."));
            continue;
        };
        if let (Some(vpc), Some(other)) = (vpc, s.vpc_id().filter(|v| Some(*v) != vpc)) {
            diags.attr_error(
                "subnet_ids",
                "Subnet in another VPC",
                format!("Subnet {id} belongs to {other}, not to {vpc}: a Gateway Load Balancer endpoint's subnet must be in the endpoint's VPC."),
            );
        }
        let offered: Vec<String> = detail.map(|d| d.availability_zones().to_vec()).unwrap_or_default();
        if let Some(az) = s.availability_zone().filter(|az| !offered.is_empty() && !offered.iter().any(|o| o == az)) {
            diags.attr_error(
                "subnet_ids",
                "Service not offered in the subnet's Availability Zone",
                format!(
                    "Subnet {id} is in {az}, but the service is offered only in {} (the Availability Zones of its Gateway Load Balancer). Use a subnet in one of those, or enable the load balancer in {az}.",
                    join_and(&offered)
                ),
            );
        }
        let has_v6 = s
            .ipv6_cidr_block_association_set()
            .iter()
            .any(|a| a.ipv6_cidr_block_state().and_then(|st| st.state()).is_none_or(|st| st.as_str().eq_ignore_ascii_case("associated")));
        let problem = match ip_type {
            Some("dualstack") if !has_v6 => Some("has no IPv6 CIDR block"),
            Some(_) if s.ipv6_native() == Some(true) => Some("is IPv6-only"),
            _ => None,
        };
        if let (Some(problem), Some(ip)) = (problem, ip_type) {
            diags.attr_error(
                "ip_address_type",
                "Subnet does not fit the IP address type",
                format!("ip_address_type = \"{ip}\", but subnet {id} {problem}."),
            );
        }
    }
}

/// What acceptance will do: a new endpoint of a service that requires acceptance waits in
/// `pendingAcceptance` (a warning, unless `auto_accept` accepts it); `auto_accept` can accept
/// only for a service of this account (a warning otherwise, as at apply).
async fn check_acceptance(
    ctx: &Ctx,
    name: &str,
    detail: &ServiceDetail,
    planned: &GatewayLoadBalancerModel,
    fresh: bool,
    accept_now: bool,
    diags: &mut Diagnostics,
) {
    let required = detail.acceptance_required() == Some(true);
    let auto = planned.auto_accept.as_bool() == Some(true);
    if fresh && required && !auto && planned.auto_accept.is_known() {
        diags.attr_warning(
            "service_name",
            "The endpoint will wait for acceptance",
            format!("{name} requires acceptance: the endpoint is created in the pendingAcceptance state and carries no traffic until the service's owner accepts it (the apply does not wait for that). If this account owns the service, set auto_accept = true to accept it during the apply."),
        );
    }
    if !((fresh && required && auto) || accept_now) {
        return;
    }
    match ctx.ec2.own_service_configuration(name).await {
        Ok(Some(_)) => {}
        Ok(None) => diags.attr_warning(
            "auto_accept",
            "auto_accept cannot accept this endpoint",
            format!("{name} is not a service of this account (it has no service configuration here), so only its owner can accept the endpoint: it will stay in pendingAcceptance until then. Remove auto_accept, or ask the owner to accept it."),
        ),
        Err(e) => could_not_check(diags, &format!("whether this account owns {name}"), &e),
    }
}
