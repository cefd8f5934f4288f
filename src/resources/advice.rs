//! Traffic advice at plan: warnings (never errors) where an endpoint that applies without error
//! would still leave traffic on the paid or public path. A `vpce_gateway` that leaves out subnets
//! whose default route goes to a NAT gateway ([`gateway_nat`]); a `vpce_interface` whose security
//! groups admit no TCP 443 from the VPC ([`interface_https`]). Each runs only when what it reads
//! is known at plan and this plan changes it, reads the VPC's network once per VPC and process
//! ([`crate::aws::Ec2::vpc_network`]), stays silent when it cannot tell, and is silenced by the
//! provider's `traffic_advice = false`. Like `ec2_rules`, it takes plain values, not the models.

use std::collections::BTreeSet;

use super::Ctx;
use crate::aws::{admits_https, Missing, Uncovered};
use crate::protocol::diagnostics::Diagnostics;

/// How to silence the advice, for the end of each message.
const SILENCE: &str = "If this is deliberate, set `traffic_advice = false` in the provider block to silence this advice.";

/// The message of the NAT warning for `uncovered` subnets of `vpc_id`.
pub(crate) fn nat_message(vpc_id: &str, service: &str, uncovered: &[Uncovered]) -> String {
    let subnets: Vec<String> = uncovered
        .iter()
        .map(|u| format!("{} (route table {}, 0.0.0.0/0 to {})", u.subnet_id, u.route_table_id, u.nat_gateway_id))
        .collect();
    let tables: BTreeSet<&str> = uncovered.iter().map(|u| u.route_table_id.as_str()).collect();
    let tables: Vec<&str> = tables.into_iter().collect();
    format!(
        "These subnets of {vpc_id} send their traffic to {service} through a NAT gateway, which bills every GB it processes, because their route tables are not associated with this endpoint: {}. To send it through the endpoint (free), add {} to route_table_ids (or associate {} with vpce_route_table_association). {SILENCE}",
        subnets.join(", "),
        tables.join(", "),
        if tables.len() == 1 { "it" } else { "them" },
    )
}

/// Warns on `route_table_ids` when subnets of `vpc_id` that send their default route to a NAT
/// gateway use none of `tables` (the planned route tables of a gateway endpoint for `service`).
pub(crate) async fn gateway_nat(ctx: &Ctx, vpc_id: &str, service: &str, tables: &BTreeSet<String>, diags: &mut Diagnostics) {
    if !ctx.advice {
        return;
    }
    let net = match ctx.ec2.vpc_network(vpc_id).await {
        Ok(net) => net,
        // A VPC that does not exist is the VPC check's to report; other failures only mean no advice.
        Err(e) => {
            if !e.is_missing(Missing::Vpc) {
                crate::debug!(format!("no traffic advice for {vpc_id}: {e}"));
            }
            return;
        }
    };
    let uncovered = net.uncovered_nat_subnets(tables);
    if !uncovered.is_empty() {
        diags.attr_warning(
            "route_table_ids",
            "Subnets still reach the service through a NAT gateway",
            nat_message(vpc_id, service, &uncovered),
        );
    }
}

/// Warns on `security_group_ids` when none of `groups` (the VPC's default group when empty, as
/// EC2 does) admits TCP 443 from the CIDR blocks of `vpc_id`.
pub(crate) async fn interface_https(ctx: &Ctx, vpc_id: &str, groups: &BTreeSet<String>, diags: &mut Diagnostics) {
    if !ctx.advice {
        return;
    }
    let mut ids: Vec<String> = groups.iter().cloned().collect();
    let defaulted = ids.is_empty();
    if defaulted {
        match ctx.ec2.default_security_group_fact(vpc_id).await {
            Ok(Some(id)) => ids.push(id),
            _ => return,
        }
    }
    let (net, found) = tokio::join!(ctx.ec2.vpc_network(vpc_id), ctx.ec2.security_group_facts(&ids));
    let (Ok(net), Ok(found)) = (net, found) else { return };
    // Groups not found are the existence check's to report.
    if found.len() != ids.len() || net.cidr_blocks.is_empty() {
        return;
    }
    if admits_https(&found, &net.cidr_blocks) == Some(false) {
        let which = if defaulted {
            format!("No security group is set, so EC2 uses the VPC's default group {}, which", ids[0])
        } else {
            format!("None of the security groups {}", ids.join(", "))
        };
        diags.attr_warning(
            "security_group_ids",
            "The endpoint will not be reachable on HTTPS",
            format!(
                "{which} admits TCP 443 from {vpc_id} ({}): clients in the VPC reach an interface endpoint on port 443, so their connections would time out. Add an ingress rule for TCP 443 from the VPC's CIDR blocks (or from the clients' security group), or use a group that has one. If such a rule is created in this same apply, ignore this. {SILENCE}",
                net.cidr_blocks.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat_message_names_subnets_tables_and_the_fix() {
        let u = |s: &str, t: &str| Uncovered { subnet_id: s.into(), route_table_id: t.into(), nat_gateway_id: "nat-1".into() };
        let m = nat_message("vpc-1", "com.amazonaws.us-east-1.s3", &[u("subnet-a", "rtb-1"), u("subnet-b", "rtb-1")]);
        assert!(m.contains("subnet-a (route table rtb-1, 0.0.0.0/0 to nat-1), subnet-b"), "{m}");
        assert!(m.contains("add rtb-1 to route_table_ids (or associate it"), "{m}");
        assert!(m.contains("traffic_advice = false"), "{m}");
    }
}
