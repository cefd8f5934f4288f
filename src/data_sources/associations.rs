//! `vpce_associations`: what is associated with one VPC endpoint, as EC2 reports it: its route
//! tables (gateway), subnets and security groups (interface, Resource and ServiceNetwork; subnets
//! only for GatewayLoadBalancer), policy and private DNS, one row per association with the resource
//! type of this provider that manages it: the association resource where one exists (route tables of
//! Gateway endpoints, subnets and security groups of Interface endpoints) with its import ID, else
//! the endpoint's own resource and no import ID. One DescribeVpcEndpoints call (batched with others).

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
    #[description = "The associations of one VPC endpoint as EC2 reports them: route tables of a Gateway endpoint, subnets and security groups of an Interface, Resource or ServiceNetwork endpoint, the subnets of a GatewayLoadBalancer endpoint, its policy and private DNS. Each row of `associations` names the resource of this provider that manages that association. Route tables of Gateway endpoints and subnets and security groups of Interface endpoints have resources of their own (`vpce_route_table_association`, `vpce_subnet_association`, `vpce_security_group_association`), named with their import ID, for split ownership and `import` blocks. The subnets and security groups of the other types are managed by the endpoint's resource alone (`vpce_gateway_load_balancer`, `vpce_resource`, `vpce_service_network`): those rows have no import ID."]
    pub(crate) struct AssociationsModel {
        attrs {
            vpc_endpoint_id: String [required] "The endpoint (`vpce-...`).";
            id: String [computed] "The endpoint ID.";
            vpc_endpoint_type: String [computed] "`Gateway`, `Interface`, ...";
            route_table_ids: Set<String> [computed] "Gateway endpoints: the associated route tables (empty otherwise).";
            subnet_ids: Set<String> [computed] "Interface, GatewayLoadBalancer, Resource and ServiceNetwork endpoints: the subnets of its network interfaces (empty otherwise).";
            security_group_ids: Set<String> [computed] "Interface, Resource and ServiceNetwork endpoints: the security groups of its network interfaces (empty otherwise; a GatewayLoadBalancer endpoint has none).";
            private_dns_enabled: bool [computed] "Interface, Resource and ServiceNetwork endpoints: whether private DNS is on (null for the other types).";
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
            resource_type: String [computed] "The resource of this provider that manages this association: the association resource where one exists (`vpce_route_table_association`, `vpce_subnet_association`, `vpce_security_group_association`), else the endpoint's resource (`vpce_gateway_load_balancer`, `vpce_resource`, `vpce_service_network`). Null for an endpoint type this provider does not manage.";
            import_id: String [computed] "The association resource's import ID, `ENDPOINT_ID/ASSOCIATED_ID`; null when the endpoint's resource manages the association (import the endpoint by its ID instead).";
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

/// The resource of this provider that manages an association of `kind` on an endpoint of
/// `endpoint_type`, and whether it is an association resource (importable as `ENDPOINT/ASSOCIATED`)
/// rather than the endpoint's own resource. The association resources accept only their endpoint
/// type (route tables: Gateway; subnets and security groups: Interface).
fn manager(endpoint_type: &str, kind: &str) -> Option<(&'static str, bool)> {
    match (endpoint_type, kind) {
        ("Gateway", "route_table") => Some(("vpce_route_table_association", true)),
        ("Interface", "subnet") => Some(("vpce_subnet_association", true)),
        ("Interface", "security_group") => Some(("vpce_security_group_association", true)),
        ("GatewayLoadBalancer", "subnet") => Some(("vpce_gateway_load_balancer", false)),
        ("Resource", "subnet" | "security_group") => Some(("vpce_resource", false)),
        ("ServiceNetwork", "subnet" | "security_group") => Some(("vpce_service_network", false)),
        _ => None,
    }
}

fn from_endpoint(id: &str, ep: &VpcEndpoint) -> AssociationsModel {
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str()).unwrap_or_default();
    let sorted = |items: Vec<&str>| items.into_iter().map(str::to_string).collect::<BTreeSet<String>>();
    let route_tables = sorted(ep.route_table_ids().iter().map(String::as_str).collect());
    let subnets = sorted(ep.subnet_ids().iter().map(String::as_str).collect());
    // A GatewayLoadBalancer endpoint has no security groups (EC2's API reference); none is listed.
    let groups =
        if kind == "GatewayLoadBalancer" { BTreeSet::new() } else { sorted(ep.groups().iter().filter_map(|g| g.group_id()).collect()) };
    let mut rows = Vec::new();
    for (row_kind, ids) in [("route_table", &route_tables), ("security_group", &groups), ("subnet", &subnets)] {
        let managed_by = manager(kind, row_kind);
        for associated in ids {
            rows.push(Association {
                kind: Val::Known(row_kind.to_string()),
                associated_id: Val::Known(associated.clone()),
                resource_type: managed_by.map(|(t, _)| t.to_string()).into(),
                import_id: managed_by.filter(|(_, own)| *own).map(|_| format!("{id}/{associated}")).into(),
            });
        }
    }
    let set = |s: BTreeSet<String>| Val::Known(s.into_iter().collect::<Set<String>>());
    let has_private_dns = matches!(kind, "Interface" | "Resource" | "ServiceNetwork");
    AssociationsModel {
        vpc_endpoint_id: Val::Known(id.to_string()),
        id: Val::Known(id.to_string()),
        vpc_endpoint_type: ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).into(),
        route_table_ids: set(route_tables),
        subnet_ids: set(subnets),
        security_group_ids: set(groups),
        private_dns_enabled: if has_private_dns { Val::Known(ep.private_dns_enabled().unwrap_or(false)) } else { Val::Null },
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

    fn rows(m: &AssociationsModel) -> Vec<(String, Option<String>, Option<String>)> {
        m.associations
            .known()
            .unwrap()
            .known_items()
            .into_iter()
            .map(|a| {
                (
                    a.associated_id.as_str().unwrap().to_string(),
                    a.resource_type.as_str().map(str::to_string),
                    a.import_id.as_str().map(str::to_string),
                )
            })
            .collect()
    }

    #[test]
    fn endpoint_managed_rows_have_the_endpoint_resource_and_no_import_id() {
        let gwlb = VpcEndpoint::builder()
            .vpc_endpoint_type(VpcEndpointType::GatewayLoadBalancer)
            .subnet_ids("subnet-a")
            .groups(SecurityGroupIdentifier::builder().group_id("sg-1").build())
            .private_dns_enabled(false)
            .build();
        let m = from_endpoint("vpce-1", &gwlb);
        assert_eq!(rows(&m), [("subnet-a".to_string(), Some("vpce_gateway_load_balancer".to_string()), None)]);
        assert!(m.security_group_ids.strings().is_empty(), "a GWLB endpoint has no security groups");
        assert_eq!(m.private_dns_enabled, Val::Null);
        for (kind, resource) in [(VpcEndpointType::Resource, "vpce_resource"), (VpcEndpointType::ServiceNetwork, "vpce_service_network")] {
            let ep = VpcEndpoint::builder()
                .vpc_endpoint_type(kind)
                .subnet_ids("subnet-a")
                .groups(SecurityGroupIdentifier::builder().group_id("sg-1").build())
                .private_dns_enabled(true)
                .build();
            let m = from_endpoint("vpce-2", &ep);
            let r = Some(resource.to_string());
            assert_eq!(rows(&m), [("sg-1".to_string(), r.clone(), None), ("subnet-a".to_string(), r, None)]);
            assert_eq!(m.private_dns_enabled, Val::Known(true), "{resource}");
            let off = VpcEndpoint::builder().vpc_endpoint_type(VpcEndpointType::Resource).build();
            assert_eq!(from_endpoint("vpce-3", &off).private_dns_enabled, Val::Known(false));
        }
        let unknown = VpcEndpoint::builder().vpc_endpoint_type(VpcEndpointType::from("Future")).subnet_ids("subnet-a").build();
        assert_eq!(rows(&from_endpoint("vpce-4", &unknown)), [("subnet-a".to_string(), None, None)]);
    }
}
