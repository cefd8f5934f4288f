//! The checks of a new Resource or ServiceNetwork endpoint against EC2 at plan (an update
//! changes only tags): the target's region is the provider's, the VPC exists, the subnets exist,
//! belong to the VPC and take at most one per Availability Zone, the security groups exist and
//! belong to the VPC. The Lattice resource configuration or service network itself is left to EC2
//! (the provider talks to EC2 only). Unknown values are not checked; a lookup that fails is a
//! warning.

use std::collections::BTreeMap;

use super::super::Ctx;
use super::{arn_region, LatticeKind, View};
use crate::checks::{could_not_check_before_create, join_and};
use crate::protocol::diagnostics::Diagnostics;

pub(super) async fn check_plan<K: LatticeKind>(ctx: &Ctx, v: View<'_>, diags: &mut Diagnostics) {
    let region = ctx.ec2.region().to_string();
    if let Some(other) = v.target.as_str().and_then(arn_region).filter(|r| *r != region) {
        diags.attr_error(
            K::TARGET_ATTR,
            format!("The {} is in another region", K::TARGET),
            format!("{} names region {other}, but the provider is configured for {region}: the endpoint must be in the {}'s region. Use a provider configured for {other}.", K::TARGET_ATTR, K::TARGET),
        );
    }
    let vpc = v.vpc_id.as_str();
    let subnet_ids: Vec<String> = if v.subnet_ids.is_wholly_known() { v.subnet_ids.strings().into_iter().collect() } else { Vec::new() };
    let group_ids: Vec<String> =
        if v.security_group_ids.is_wholly_known() { v.security_group_ids.strings().into_iter().collect() } else { Vec::new() };
    let ec2 = &ctx.ec2;
    let (vpc_r, subnets_r, groups_r) = tokio::join!(
        async {
            match vpc {
                Some(id) => Some(ec2.vpc_fact(id).await),
                None => None,
            }
        },
        async { (!subnet_ids.is_empty()).then_some(ec2.subnet_facts(&subnet_ids).await) },
        async { (!group_ids.is_empty()).then_some(ec2.security_group_facts(&group_ids).await) },
    );
    let mut vpc_found = vpc;
    if let (Some(id), Some(r)) = (vpc, vpc_r) {
        match r {
            Ok(Some(_)) => {}
            Ok(None) => {
                vpc_found = None;
                diags.attr_error("vpc_id", "VPC not found", format!("VPC {id} does not exist in {region}."));
            }
            Err(e) => could_not_check_before_create(diags, &format!("VPC {id}"), &e),
        }
    }
    match subnets_r {
        Some(Ok(found)) => {
            let mut by_az: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for id in &subnet_ids {
                let Some(s) = found.iter().find(|s| s.subnet_id() == Some(id.as_str())) else {
                    diags.attr_error("subnet_ids", "Subnet not found", format!("Subnet {id} does not exist (in this account and region)."));
                    continue;
                };
                if let (Some(vpc), Some(other)) = (vpc_found, s.vpc_id().filter(|o| Some(*o) != vpc_found)) {
                    diags.attr_error(
                        "subnet_ids",
                        "Subnet in another VPC",
                        format!("Subnet {id} belongs to {other}, not to {vpc}: the endpoint's subnets must be in its VPC."),
                    );
                }
                if let Some(az) = s.availability_zone() {
                    by_az.entry(az).or_default().push(id.clone());
                }
            }
            for (az, ids) in by_az.iter().filter(|(_, ids)| ids.len() > 1) {
                diags.attr_error(
                    "subnet_ids",
                    "Several subnets in one Availability Zone",
                    format!(
                        "Subnets {} are all in {az}. The endpoint takes at most one subnet per Availability Zone: keep one of them.",
                        join_and(ids)
                    ),
                );
            }
        }
        Some(Err(e)) => could_not_check_before_create(diags, "the subnets", &e),
        None => {}
    }
    match groups_r {
        Some(Ok(found)) => {
            for id in &group_ids {
                match found.iter().find(|g| g.group_id() == Some(id.as_str())) {
                    None => diags.attr_error(
                        "security_group_ids",
                        "Security group not found",
                        format!("Security group {id} does not exist in {region}."),
                    ),
                    Some(g) => {
                        if let (Some(vpc), Some(other)) = (vpc_found, g.vpc_id().filter(|o| Some(*o) != vpc_found)) {
                            diags.attr_error(
                                "security_group_ids",
                                "Security group in another VPC",
                                format!("Security group {id} belongs to {other}, not to {vpc}: the endpoint's security groups must be in its VPC."),
                            );
                        }
                    }
                }
            }
        }
        Some(Err(e)) => could_not_check_before_create(diags, "the security groups", &e),
        None => {}
    }
}
