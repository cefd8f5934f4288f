//! `vpce_associations`: what is associated with one VPC endpoint, as EC2 reports it: its route
//! tables (gateway), subnets and security groups (interface), policy and private DNS, one row per
//! association with the resource type of this provider that manages such an association apart from
//! the endpoint and that resource's import ID. One DescribeVpcEndpoints call (batched with others).

use std::collections::BTreeSet;
use std::future::Future;

use aws_sdk_ec2::types::VpcEndpoint;

use crate::checks::validate_id;
use crate::context::Ctx;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Set, Val};
use crate::protocol::typed::TypedDataSource;

crate::model! {
    /// The configuration and state of a `vpce_associations` data source.
    #[description = "The associations of one VPC endpoint as EC2 reports them: route tables of a Gateway endpoint, subnets and security groups of an Interface endpoint, its policy and private DNS. Each row of `associations` names the resource of this provider that manages such an association apart from the endpoint (`vpce_route_table_association`, `vpce_subnet_association`, `vpce_security_group_association`) and its import ID, for split ownership and `import` blocks."]
    pub(crate) struct AssociationsModel {
        attrs {
            vpc_endpoint_id: String [required] "The endpoint (`vpce-...`).";
            id: String [computed] "The endpoint ID.";
            vpc_endpoint_type: String [computed] "`Gateway`, `Interface`, ...";
            route_table_ids: Set<String> [computed] "Gateway endpoints: the associated route tables (empty otherwise).";
            subnet_ids: Set<String> [computed] "Interface endpoints: the subnets of its network interfaces (empty otherwise).";
            security_group_ids: Set<String> [computed] "Interface endpoints: the security groups of its network interfaces (empty otherwise).";
            private_dns_enabled: bool [computed] "Interface endpoints: whether private DNS is on.";
            policy: String [computed] "The endpoint policy (JSON) as EC2 returns it; null for types without one.";
            associations: List<Association> [computed] "One row per route table, subnet and security group association, sorted by kind and ID.";
        }
    }
}

crate::model! {
    #[description = "One association of the endpoint."]
    pub(crate) struct Association {
        attrs {
            kind: String [computed] "`route_table`, `subnet` or `security_group`.";
            associated_id: String [computed] "The route table, subnet or security group ID.";
            resource_type: String [computed] "The resource of this provider that manages such an association on its own.";
            import_id: String [computed] "Its import ID: `ENDPOINT_ID/ASSOCIATED_ID`.";
        }
    }
}

/// `vpce_associations` (a [`TypedDataSource`]; registered as `Typed<Associations>`).
pub(crate) struct Associations;

impl TypedDataSource<Ctx> for Associations {
    type Model = AssociationsModel;

    fn type_name(&self) -> &'static str {
        "vpce_associations"
    }

    fn validate(&self, config: &AssociationsModel) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_id(&config.vpc_endpoint_id, "vpc_endpoint_id", "vpce-", "VPC endpoint", &mut d);
        d
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a AssociationsModel,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<AssociationsModel>> + Send + 'a {
        read(ctx, config, diags)
    }
}

async fn read(ctx: &Ctx, config: &AssociationsModel, diags: &mut Diagnostics) -> Option<AssociationsModel> {
    let id = config.vpc_endpoint_id.as_str()?;
    match ctx.ec2.find_vpc_endpoint(id).await {
        Ok(Some(ep)) => Some(from_endpoint(id, &ep)),
        Ok(None) => {
            diags.attr_error(
                "vpc_endpoint_id",
                "No VPC endpoint found",
                format!("EC2 has no VPC endpoint {id} in {} (or it is deleted).", ctx.ec2.region()),
            );
            None
        }
        Err(e) => {
            diags.attr_error("vpc_endpoint_id", "Cannot read the VPC endpoint", format!("{id}: {e}"));
            None
        }
    }
}

fn from_endpoint(id: &str, ep: &VpcEndpoint) -> AssociationsModel {
    let sorted = |items: Vec<&str>| items.into_iter().map(str::to_string).collect::<BTreeSet<String>>();
    let route_tables = sorted(ep.route_table_ids().iter().map(String::as_str).collect());
    let subnets = sorted(ep.subnet_ids().iter().map(String::as_str).collect());
    let groups = sorted(ep.groups().iter().filter_map(|g| g.group_id()).collect());
    let mut rows = Vec::new();
    for (kind, resource_type, ids) in [
        ("route_table", "vpce_route_table_association", &route_tables),
        ("security_group", "vpce_security_group_association", &groups),
        ("subnet", "vpce_subnet_association", &subnets),
    ] {
        for associated in ids {
            rows.push(Association {
                kind: Val::Known(kind.to_string()),
                associated_id: Val::Known(associated.clone()),
                resource_type: Val::Known(resource_type.to_string()),
                import_id: Val::Known(format!("{id}/{associated}")),
            });
        }
    }
    let set = |s: BTreeSet<String>| Val::Known(s.into_iter().collect::<Set<String>>());
    let is_interface = ep.vpc_endpoint_type().is_some_and(|t| t.as_str() == "Interface");
    AssociationsModel {
        vpc_endpoint_id: Val::Known(id.to_string()),
        id: Val::Known(id.to_string()),
        vpc_endpoint_type: ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).into(),
        route_table_ids: set(route_tables),
        subnet_ids: set(subnets),
        security_group_ids: set(groups),
        private_dns_enabled: if is_interface { Val::Known(ep.private_dns_enabled().unwrap_or(false)) } else { Val::Null },
        policy: ep.policy_document().map(str::to_string).into(),
        associations: Val::Known(rows.into_iter().collect::<List<Association>>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{SecurityGroupIdentifier, VpcEndpointType};

    #[test]
    fn one_row_per_association_with_its_import_id() {
        let ep = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .subnet_ids("subnet-b")
            .subnet_ids("subnet-a")
            .groups(SecurityGroupIdentifier::builder().group_id("sg-1").build())
            .private_dns_enabled(true)
            .build();
        let m = from_endpoint("vpce-1", &ep);
        let rows: Vec<(String, String, String)> = m
            .associations
            .known()
            .unwrap()
            .known_items()
            .into_iter()
            .map(|a| {
                (
                    a.kind.as_str().unwrap().to_string(),
                    a.resource_type.as_str().unwrap().to_string(),
                    a.import_id.as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("security_group".into(), "vpce_security_group_association".into(), "vpce-1/sg-1".into()),
                ("subnet".into(), "vpce_subnet_association".into(), "vpce-1/subnet-a".into()),
                ("subnet".into(), "vpce_subnet_association".into(), "vpce-1/subnet-b".into()),
            ]
        );
        assert_eq!(m.private_dns_enabled, Val::Known(true));
        assert!(m.route_table_ids.strings().is_empty());
        let gw = VpcEndpoint::builder().vpc_endpoint_type(VpcEndpointType::Gateway).route_table_ids("rtb-1").build();
        let m = from_endpoint("vpce-2", &gw);
        assert_eq!(m.private_dns_enabled, Val::Null, "private DNS is an interface endpoint's");
        assert_eq!(m.associations.known().unwrap().known_items()[0].import_id.as_str(), Some("vpce-2/rtb-1"));
    }
}
