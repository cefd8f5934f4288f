//! The EC2 rules of issue 23 that the plan checks besides the endpoint's own attributes: rules
//! about other endpoints of the VPC (one private-DNS endpoint per service and VPC, one gateway
//! route per service and route table, an S3 gateway endpoint for S3's inbound-resolver-only
//! private DNS, the per-VPC quota) and a service's policy support; the policy size is checked in
//! policy.rs ([`super::policy::check_policy_size`]). The other rules live with their resource
//! (`interface::check_aws`, `gateway::check_with_aws`, `gateway_load_balancer::checks`). The resources hand these rules the few
//! values they read ([`InterfaceFacts`], [`GatewayFacts`]): this module names neither resource. The
//! guide docs/guides/plan-time-checks.md lists every rule: EC2's message, what the plan says and
//! when.
//!
//! The endpoints of the VPC come from one DescribeVpcEndpoints per VPC and process
//! ([`crate::aws::Ec2::vpc_endpoint_facts`]); what seems to conflict there is confirmed with a
//! fresh listing before it is reported. The endpoint that a replacement replaces (the prior
//! state's id) never conflicts with its successor: Terraform destroys it first (see
//! [`check_interface`] for `create_before_destroy`). Unknown values are not checked; a lookup that
//! fails is a warning. What the plan cannot know is a warning that says why, and is checked
//! again right before the create or modify ([`check_interface_at_apply`]).

use aws_sdk_ec2::types::VpcEndpoint;

use super::{policy, Ctx};
use crate::aws::{self, state_str};
use crate::checks::could_not_check;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Set, Val};
use crate::protocol::values::PathStep;

tokio::task_local! {
    /// During the plan of a replacement's create: the id of the endpoint it replaces.
    static REPLACED: Option<String>;
}

/// The private data a plan returns: the id of the planned object's endpoint (when it has one),
/// so that Terraform's second plan of a replacement (a create, with no prior state, given this as
/// its prior private data) knows which endpoint it replaces.
pub fn private_for(prior_id: Option<&str>) -> Vec<u8> {
    match prior_id {
        Some(id) => serde_json::json!({ "replaces": id }).to_string().into_bytes(),
        None => Vec::new(),
    }
}

/// The endpoint id in private data written by [`private_for`].
pub fn replaced_id(private: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(private).ok()?;
    v.get("replaces")?.as_str().filter(|id| id.starts_with("vpce-")).map(str::to_string)
}

/// Runs `f` (a resource's plan checks) knowing that the planned create replaces `id`.
pub async fn replacing<F: std::future::Future>(id: Option<String>, f: F) -> F::Output {
    REPLACED.scope(id, f).await
}

fn replaced() -> Option<String> {
    REPLACED.try_with(Clone::clone).ok().flatten()
}

/// What the interface rules read of a `vpce_interface` plan or prior state (the resource builds it,
/// so that these rules name neither resource).
pub struct InterfaceFacts<'a> {
    pub id: &'a Val<String>,
    pub vpc_id: &'a Val<String>,
    pub service_name: &'a Val<String>,
    pub private_dns_enabled: &'a Val<bool>,
    pub service_region: &'a Val<String>,
    pub policy: &'a Val<String>,
    /// `dns_options.private_dns_only_for_inbound_resolver_endpoint` (null without the block).
    pub inbound: Val<bool>,
}

/// What the gateway rule reads of a `vpce_gateway` plan or prior state.
pub struct GatewayFacts<'a> {
    pub id: &'a Val<String>,
    pub vpc_id: &'a Val<String>,
    pub service_name: &'a Val<String>,
    pub route_table_ids: &'a Val<Set<String>>,
    pub tags_all: &'a Val<Map<String>>,
}

/// EC2's default quota of interface (and Gateway Load Balancer) endpoints per VPC (adjustable).
pub const INTERFACE_ENDPOINTS_PER_VPC: usize = 50;

/// States in which an endpoint holds nothing (EC2 lists `deleted` ones for a while).
const GONE_STATES: &[&str] = &["deleted", "failed", "rejected", "expired"];

fn live(e: &VpcEndpoint) -> bool {
    !GONE_STATES.contains(&state_str(e).as_str())
}

fn of_type(e: &VpcEndpoint, t: &str) -> bool {
    e.vpc_endpoint_type().is_some_and(|have| have.as_str().eq_ignore_ascii_case(t))
}

fn of_service(e: &VpcEndpoint, service: &str) -> bool {
    e.service_name().is_some_and(|s| s.eq_ignore_ascii_case(service))
}

fn id(e: &VpcEndpoint) -> &str {
    e.vpc_endpoint_id().unwrap_or("an endpoint")
}

fn ids(found: &[&VpcEndpoint]) -> String {
    found.iter().map(|e| id(e)).collect::<Vec<_>>().join(", ")
}

fn inbound_path() -> Vec<PathStep> {
    vec![PathStep::Attr("dns_options".into()), PathStep::Attr("private_dns_only_for_inbound_resolver_endpoint".into())]
}

/// The S3 interface endpoint's `private_dns_only_for_inbound_resolver_endpoint`, as EC2 will
/// take it: with private DNS, anything but an explicit `false` is `true` for S3 (EC2's default).
fn needs_s3_gateway(service: &str, private_dns: bool, inbound: &Val<bool>) -> bool {
    let s3 = service.starts_with("com.amazonaws.") && service.ends_with(".s3");
    s3 && private_dns && inbound.as_bool() != Some(false)
}

fn inbound_of(m: &InterfaceFacts<'_>) -> Val<bool> {
    m.inbound.clone()
}

fn private_dns_conflict_detail(service: &str, vpc: &str, others: &[&VpcEndpoint]) -> String {
    format!(
        "Endpoint {} of {service} in {vpc} already has private DNS enabled. EC2 allows one endpoint with private DNS per service and VPC (the service's DNS name gets one private hosted zone) and refuses another: InvalidParameter \"private-dns-enabled cannot be set because there is already a conflicting DNS domain for ... in the VPC {vpc}\". \
         Set private_dns_enabled = false here (and use this endpoint's own names, dns_entry), or use the existing endpoint. \
         If that endpoint is removed in this same apply, Terraform may create this one first: remove it in an apply of its own first (or move it with a `moved` block). \
         If it is the endpoint this one replaces under lifecycle {{ create_before_destroy = true }}, remove create_before_destroy: EC2 cannot hold both at once.",
        ids(others)
    )
}

fn s3_gateway_detail(service: &str, vpc: &str) -> String {
    format!(
        "With private DNS, EC2 defaults private_dns_only_for_inbound_resolver_endpoint to true for S3, which needs a gateway endpoint for {service} in the VPC; {vpc} has none, and EC2 refuses: InvalidParameter \"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {vpc} must have a Gateway endpoint for the service.\" \
         Create a vpce_gateway for S3 in the VPC before this endpoint (depends_on = [vpce_gateway.<name>] or a reference to it), or set dns_options {{ private_dns_only_for_inbound_resolver_endpoint = false }}."
    )
}

/// The plan-time rules of an interface endpoint (after `interface::check_aws`).
///
/// - Private DNS when another live interface endpoint of the service in the VPC has it: an error
///   (`deleting` ones: a warning, they are usually gone by the apply). A replacement of an
///   endpoint with private DNS gets a warning: Terraform's default order works, but under
///   `create_before_destroy` EC2 refuses the new endpoint, and Terraform does not tell a provider
///   the lifecycle; the apply then stops before creating it.
/// - S3 private DNS (inbound-resolver-only by EC2's default) without an S3 gateway endpoint in
///   the VPC: a warning, as the gateway may be created in the same apply; an error right before
///   the create or modify ([`check_interface_at_apply`]).
/// - A custom policy for a service whose `VpcEndpointPolicySupported` is false: an error.
/// - The VPC at EC2's default quota of 50 interface endpoints: a warning (quotas are adjustable
///   and the plan cannot read the account's).
pub async fn check_interface(
    ctx: &Ctx,
    prior: Option<&InterfaceFacts<'_>>,
    planned: &InterfaceFacts<'_>,
    fresh: bool,
    diags: &mut Diagnostics,
) {
    let region = ctx.ec2.region().to_string();
    let vpc = planned.vpc_id.as_str();
    let Some(service) = planned.service_name.as_str().map(|s| aws::resolve_service_name(s, &region)) else { return };
    let replaced = if prior.is_none() { replaced() } else { None };
    let prior_id = prior.and_then(|p| p.id.as_str()).or(replaced.as_deref());
    let private_dns = planned.private_dns_enabled.as_bool() == Some(true);
    let prior_dns = prior.filter(|_| !fresh).and_then(|p| p.private_dns_enabled.as_bool()) == Some(true);
    let turning_on = private_dns && !prior_dns;
    let inbound = inbound_of(planned);
    let needs_gateway = needs_s3_gateway(&service, private_dns, &inbound)
        && (turning_on || prior.filter(|_| !fresh).is_some_and(|p| inbound_of(p).as_bool() == Some(false)));
    let cross_region = planned.service_region.as_str().is_some_and(|r| r != region);
    let custom_policy = policy::configured(planned.policy).filter(|p| !policy::is_default(p));
    let policy_new = custom_policy
        .is_some_and(|p| fresh || !prior.and_then(|prior| prior.policy.as_str()).is_some_and(|old| policy::policies_equal(old, p)));

    // The service's policy support.
    if policy_new && !cross_region {
        match ctx.ec2.describe_service_for_type(&service, "Interface").await {
            Ok(Some(detail)) if detail.vpc_endpoint_policy_supported() == Some(false) => diags.attr_error(
                "policy",
                "The service takes no endpoint policy",
                format!(
                    "{service} does not support endpoint policies (VpcEndpointPolicySupported = false): its endpoints have the full-access policy, and EC2 refuses any other (\"Service {service} only supports the full-access endpoint policy.\"). Remove policy, and control access in the service itself (e.g. its resource policies or the security groups)."
                ),
            ),
            Ok(_) => {}
            Err(e) => could_not_check(diags, &format!("the policy support of {service}"), &e),
        }
    }

    let Some(vpc) = vpc else { return };
    if !(turning_on || needs_gateway || fresh) {
        return;
    }
    let listed = match ctx.ec2.vpc_endpoint_facts(vpc).await {
        Ok(l) => l,
        Err(e) => return could_not_check(diags, &format!("the other endpoints of VPC {vpc}"), &e),
    };
    let mut now: Option<Vec<VpcEndpoint>> = None;
    // What the listing of the process shows, confirmed by a fresh one.
    async fn confirm<'l>(ctx: &Ctx, vpc: &str, now: &'l mut Option<Vec<VpcEndpoint>>, listed: &'l [VpcEndpoint]) -> &'l [VpcEndpoint] {
        if now.is_none() {
            *now = ctx.ec2.vpc_endpoints_now(vpc).await.ok();
        }
        now.as_deref().unwrap_or(listed)
    }
    let others = |l: &[VpcEndpoint]| -> Vec<VpcEndpoint> {
        l.iter().filter(|e| live(e) && e.vpc_endpoint_id() != prior_id && e.vpc_endpoint_id().is_some()).cloned().collect()
    };

    // One private-DNS endpoint per service and VPC.
    if turning_on {
        let conflicts = |l: &[VpcEndpoint]| -> Vec<VpcEndpoint> {
            others(l)
                .into_iter()
                .filter(|e| of_type(e, "Interface") && of_service(e, &service) && e.private_dns_enabled() == Some(true))
                .collect()
        };
        let mut found = conflicts(&listed);
        if !found.is_empty() {
            found = conflicts(confirm(ctx, vpc, &mut now, &listed).await);
        }
        let (deleting, mut holding): (Vec<&VpcEndpoint>, Vec<&VpcEndpoint>) = found.iter().partition(|e| state_str(e) == "deleting");
        // A create with no prior state may be the replacement of this resource's tainted (or
        // deposed) endpoint, which this plan deletes first: one that this process refreshed and
        // that is not planned as a live object ([`crate::context::StateObjects`]).
        let mut replaced_here = Vec::new();
        if prior.is_none() && replaced.is_none() {
            for e in std::mem::take(&mut holding) {
                match ctx.objects.deleted_by_this_plan(id(e)).await {
                    true => replaced_here.push(e),
                    false => holding.push(e),
                }
            }
        }
        if !replaced_here.is_empty() && holding.is_empty() {
            diags.attr_warning(
                "private_dns_enabled",
                "An endpoint this plan deletes has private DNS for this service",
                format!(
                    "{} (A warning only: {} is in this state but planned for no resource of the configuration, so it is the tainted or deposed endpoint this plan replaces; in Terraform's default order it is deleted before this one is created. Under create_before_destroy the apply stops before creating this endpoint.)",
                    private_dns_conflict_detail(&service, vpc, &replaced_here),
                    ids(&replaced_here)
                ),
            );
        }
        if !holding.is_empty() {
            diags.attr_error(
                "private_dns_enabled",
                "Another endpoint has private DNS for this service",
                private_dns_conflict_detail(&service, vpc, &holding),
            );
        } else if !deleting.is_empty() {
            diags.attr_warning(
                "private_dns_enabled",
                "An endpoint with private DNS for this service is being deleted",
                format!(
                    "Endpoint {} of {service} in {vpc} has private DNS and is being deleted. EC2 refuses private DNS for another endpoint of the service until it is gone (\"... there is already a conflicting DNS domain ...\"); it usually is by the time this endpoint is created, which the plan cannot know.",
                    ids(&deleting)
                ),
            );
        }
    }

    // A replacement that this plan forces (Terraform drops the warnings of its second plan, the
    // create's, and does not tell a provider about `-replace`): fine in Terraform's default order,
    // refused under create_before_destroy.
    if let (true, true, Some(p), Some(old)) = (fresh, private_dns, prior, prior_id) {
        let same = p.vpc_id.as_str() == Some(vpc)
            && p.service_name.as_str().map(|s| aws::resolve_service_name(s, &region)).is_some_and(|s| s.eq_ignore_ascii_case(&service));
        if same && p.private_dns_enabled.as_bool() == Some(true) {
            diags.attr_warning(
                "private_dns_enabled",
                "Replacing an endpoint with private DNS",
                format!(
                    "This replaces {old}, which has private DNS for {service} in {vpc}. In Terraform's default order (destroy, then create) the new endpoint is created once {old} is gone, and that works. Under lifecycle {{ create_before_destroy = true }} it would be created while {old} still holds the service's private DNS name, which EC2 refuses; Terraform does not tell a provider the lifecycle, so the plan cannot tell which order applies. With create_before_destroy the apply stops before creating the new endpoint: remove create_before_destroy from this resource."
                ),
            );
        }
    }

    // S3's inbound-resolver-only private DNS needs an S3 gateway endpoint in the VPC.
    if needs_gateway {
        let gateways = |l: &[VpcEndpoint]| l.iter().any(|e| live(e) && of_type(e, "Gateway") && of_service(e, &service));
        if !gateways(&listed) && !gateways(confirm(ctx, vpc, &mut now, &listed).await) {
            let at = if inbound.as_bool() == Some(true) { inbound_path() } else { vec![PathStep::Attr("private_dns_enabled".into())] };
            diags.attr_warning(
                at,
                "S3 private DNS needs an S3 gateway endpoint",
                format!(
                    "{} This is a warning because the gateway endpoint may be created in this same apply, which the plan cannot see; right before creating (or modifying) this endpoint the provider checks again and stops with an error if there is still none.",
                    s3_gateway_detail(&service, vpc)
                ),
            );
        }
    }

    // EC2's default quota of interface endpoints per VPC.
    if fresh {
        quota(vpc, &others(&listed), diags);
    }
}

/// A warning when the VPC is at EC2's default quota of interface and Gateway Load Balancer
/// endpoints (`others`: the VPC's live endpoints but the planned one).
fn quota(vpc: &str, others: &[VpcEndpoint], diags: &mut Diagnostics) {
    let count = others.iter().filter(|e| of_type(e, "Interface") || of_type(e, "GatewayLoadBalancer")).count();
    if count >= INTERFACE_ENDPOINTS_PER_VPC {
        diags.attr_warning(
            "vpc_id",
            "The VPC is at the default endpoint quota",
            format!(
                "{vpc} has {count} interface and Gateway Load Balancer endpoints; EC2's default quota is {INTERFACE_ENDPOINTS_PER_VPC} per VPC, past which it refuses new ones (VpcEndpointLimitExceeded). This is a warning because the quota is adjustable and the plan cannot read the account's: if it has not been raised (Service Quotas, \"Interface VPC endpoints per VPC\"), the create will fail."
            ),
        );
    }
}

/// The rule of a new Gateway Load Balancer endpoint about the other endpoints of its VPC: the
/// per-VPC quota it shares with interface endpoints (a warning; `prior_id`, or the endpoint a
/// replacement replaces, is not counted).
pub async fn check_gateway_load_balancer(ctx: &Ctx, prior_id: Option<&str>, vpc: Option<&str>, fresh: bool, diags: &mut Diagnostics) {
    let (Some(vpc), true) = (vpc, fresh) else { return };
    let replaced = if prior_id.is_none() { replaced() } else { None };
    let own = prior_id.or(replaced.as_deref());
    match ctx.ec2.vpc_endpoint_facts(vpc).await {
        Ok(listed) => {
            let others: Vec<VpcEndpoint> =
                listed.into_iter().filter(|e| live(e) && e.vpc_endpoint_id().is_some() && e.vpc_endpoint_id() != own).collect();
            quota(vpc, &others, diags);
        }
        Err(e) => could_not_check(diags, &format!("the other endpoints of VPC {vpc}"), &e),
    }
}

/// Right before CreateVpcEndpoint (`prior` `None`) or a ModifyVpcEndpoint, against EC2 as it is
/// now (not the process's listing): private DNS that another endpoint of the service holds, and
/// S3 private DNS without an S3 gateway endpoint, are errors here.
pub async fn check_interface_at_apply(
    ctx: &Ctx,
    prior: Option<&InterfaceFacts<'_>>,
    planned: &InterfaceFacts<'_>,
    diags: &mut Diagnostics,
) {
    let region = ctx.ec2.region().to_string();
    let (Some(vpc), Some(service)) = (planned.vpc_id.as_str(), planned.service_name.as_str()) else { return };
    let service = aws::resolve_service_name(service, &region);
    let own = prior.and_then(|p| p.id.as_str());
    let private_dns = planned.private_dns_enabled.as_bool() == Some(true);
    let turning_on = private_dns && prior.and_then(|p| p.private_dns_enabled.as_bool()) != Some(true);
    let inbound = inbound_of(planned);
    let needs_gateway =
        needs_s3_gateway(&service, private_dns, &inbound) && (turning_on || prior.is_some_and(|p| inbound_of(p).as_bool() == Some(false)));
    if !(turning_on || needs_gateway) {
        return;
    }
    let now = match ctx.ec2.vpc_endpoints_now(vpc).await {
        Ok(l) => l,
        // EC2 decides.
        Err(_) => return,
    };
    let others: Vec<&VpcEndpoint> = now.iter().filter(|e| live(e) && e.vpc_endpoint_id() != own).collect();
    if turning_on {
        // A `deleting` one is left to EC2: it may be gone by the time the call arrives.
        let holding: Vec<&VpcEndpoint> = others
            .iter()
            .copied()
            .filter(|e| {
                of_type(e, "Interface") && of_service(e, &service) && e.private_dns_enabled() == Some(true) && state_str(e) != "deleting"
            })
            .collect();
        if !holding.is_empty() {
            diags.attr_error(
                "private_dns_enabled",
                "Another endpoint has private DNS for this service",
                private_dns_conflict_detail(&service, vpc, &holding),
            );
        }
    }
    if needs_gateway && !others.iter().any(|e| of_type(e, "Gateway") && of_service(e, &service)) {
        let at = if inbound.as_bool() == Some(true) { inbound_path() } else { vec![PathStep::Attr("private_dns_enabled".into())] };
        diags.attr_error(at, "S3 private DNS needs an S3 gateway endpoint", s3_gateway_detail(&service, vpc));
    }
}

/// The plan-time rule of a gateway endpoint: a route table new to the endpoint that another
/// gateway endpoint of the service already routes (EC2: RouteAlreadyExists) is an error.
pub async fn check_gateway(ctx: &Ctx, prior: Option<&GatewayFacts<'_>>, planned: &GatewayFacts<'_>, fresh: bool, diags: &mut Diagnostics) {
    let region = ctx.ec2.region().to_string();
    let (Some(vpc), Some(service)) = (planned.vpc_id.as_str(), planned.service_name.as_str()) else { return };
    let service = aws::resolve_service_name(service, &region);
    if !planned.route_table_ids.is_wholly_known() {
        return;
    }
    let before = prior.filter(|_| !fresh).map(|p| p.route_table_ids.strings()).unwrap_or_default();
    let new: Vec<String> = planned.route_table_ids.strings().difference(&before).cloned().collect();
    if new.is_empty() {
        return;
    }
    let replaced = if prior.is_none() { replaced() } else { None };
    let prior_id = prior.and_then(|p| p.id.as_str()).or(replaced.as_deref());
    // A create with no prior state may be Terraform's plan of a *tainted* endpoint's replacement
    // (Terraform plans those as creates, with neither the prior state nor its private data): an
    // endpoint that carries exactly the planned tags, or is not `available` yet, may be that
    // tainted endpoint, which a destroy-then-create removes first. (Untagged endpoints tell
    // nothing: an untagged tainted endpoint still gets the error; `terraform state rm` it, or tag
    // the resource.)
    let planned_tags = planned.tags_all.known().map(|_| planned.tags_all.string_map()).filter(|t| !t.is_empty());
    let maybe_own = |e: &VpcEndpoint| {
        prior.is_none() && (aws::state_str(e) != "available" || planned_tags.as_ref().is_some_and(|t| *t == aws::tags_from_ec2(e.tags())))
    };
    let clashes = |l: &[VpcEndpoint]| -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        for e in l.iter().filter(|e| live(e) && e.vpc_endpoint_id() != prior_id && of_type(e, "Gateway") && of_service(e, &service)) {
            for t in e.route_table_ids().iter().filter(|t| new.contains(t)) {
                out.push((t.clone(), id(e).to_string(), maybe_own(e)));
            }
        }
        out
    };
    let listed = match ctx.ec2.vpc_endpoint_facts(vpc).await {
        Ok(l) => l,
        Err(e) => return could_not_check(diags, &format!("the other endpoints of VPC {vpc}"), &e),
    };
    let mut found = clashes(&listed);
    if !found.is_empty() {
        if let Ok(now) = ctx.ec2.vpc_endpoints_now(vpc).await {
            found = clashes(&now);
        }
    }
    for (table, other, maybe_own) in found {
        // An endpoint of this state that no resource plans as live: the tainted or deposed object
        // this create replaces ([`crate::context::StateObjects`]).
        let maybe_own = maybe_own || (prior.is_none() && replaced.is_none() && ctx.objects.deleted_by_this_plan(&other).await);
        let detail = format!(
            "Route table {table} already routes {service} through gateway endpoint {other}. A route table takes one route per prefix list, so one gateway endpoint per service, and EC2 refuses a second: RouteAlreadyExists \"route table {table} already has a route with destination-prefix-list-id pl-...\". Remove {table} from route_table_ids here, or from {other}."
        );
        match maybe_own {
            true => diags.attr_warning(
                "route_table_ids",
                "The route table may already have a route for the service",
                format!("{detail} (A warning only: {other} has this endpoint's tags, is not available yet, or is in this state but planned for no resource of the configuration, so it may be the tainted or deposed endpoint this plan replaces, which is deleted before the new one is created.)"),
            ),
            false => diags.attr_error("route_table_ids", "The route table already has a route for the service", detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_private_dns_needs_a_gateway_unless_the_flag_is_false() {
        let s3 = "com.amazonaws.us-east-1.s3";
        assert!(needs_s3_gateway(s3, true, &Val::Null));
        assert!(needs_s3_gateway(s3, true, &Val::unknown()));
        assert!(needs_s3_gateway(s3, true, &Val::Known(true)));
        assert!(!needs_s3_gateway(s3, true, &Val::Known(false)));
        assert!(!needs_s3_gateway(s3, false, &Val::Null));
        assert!(!needs_s3_gateway("com.amazonaws.us-east-1.ssm", true, &Val::Null));
        assert!(!needs_s3_gateway("com.amazonaws.us-east-1.s3express", true, &Val::Null));
    }
}
