//! `vpce_routing`: where the traffic of each subnet of a VPC to each of some services goes (a
//! gateway endpoint, an interface endpoint, a NAT gateway, an internet gateway, another target or
//! nowhere), with the ids involved, for `check {}` blocks and preconditions. Read as EC2 has it
//! now (it is read after what it depends on, often created in the same apply): one
//! DescribeVpcs, DescribeSubnets, DescribeRouteTables and DescribeVpcEndpoints per read.

use std::future::Future;

use crate::aws::{self, path_to};
use crate::checks::validate_id;
use crate::context::Ctx;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Set, Val};
use crate::protocol::typed::TypedDataSource;

/// The services looked at when `service_names` is not set.
const DEFAULT_SERVICES: &[&str] = &["s3", "dynamodb"];

crate::model! {
    /// The configuration and state of a `vpce_routing` data source.
    #[description = "Where the traffic of each subnet of a VPC to each service goes: through a gateway endpoint, an interface endpoint (whose private DNS answers the service's default host name), a NAT gateway, an internet gateway, another target, or nowhere (`none`), with the IDs involved. One row per subnet and service, for assertions in `check` blocks and preconditions, e.g. that every private subnet reaches S3 privately. A subnet uses its explicitly associated route table, else the VPC's main route table; an interface endpoint with private DNS serves every subnet of the VPC (for S3 with a gateway endpoint too, only if its `private_dns_only_for_inbound_resolver_endpoint` is off)."]
    pub(crate) struct RoutingModel {
        attrs {
            vpc_id: String [required] "The VPC.";
            service_names: Set<String> [optional] "The services, short (`s3`, expanded with the provider's region) or in full (`com.amazonaws.us-east-1.s3`). Default: `s3` and `dynamodb`.";
            id: String [computed] "The VPC ID.";
            routes: List<RoutingRow> [computed] "One row per subnet and service, by subnet then service.";
        }
    }
}

crate::model! {
    #[description = "How the traffic of one subnet to one service leaves the VPC."]
    pub(crate) struct RoutingRow {
        attrs {
            subnet_id: String [computed] "The subnet.";
            service_name: String [computed] "The service, in full.";
            via: String [computed] "`gateway_endpoint`, `interface_endpoint`, `nat_gateway`, `internet_gateway`, `other` (a transit gateway, peering connection, instance...) or `none` (no route: the service is unreachable).";
            private: bool [computed] "Whether the traffic stays on the AWS network through an endpoint (`via` is `gateway_endpoint` or `interface_endpoint`).";
            route_table_id: String [computed] "The route table the subnet uses (null when the VPC has none).";
            main_route_table: bool [computed] "Whether that is the VPC's main route table (the subnet has no explicit association).";
            endpoint_id: String [computed] "The endpoint used; with `via` another than an endpoint, an interface endpoint of the service without private DNS (reachable by its own DNS names only), if there is one.";
            private_dns_enabled: bool [computed] "Whether that interface endpoint has private DNS; null for gateway endpoints and when there is no endpoint.";
            nat_gateway_id: String [computed] "With `via = \"nat_gateway\"`: the NAT gateway.";
            internet_gateway_id: String [computed] "With `via = \"internet_gateway\"`: the internet gateway (or egress-only internet gateway).";
            target_id: String [computed] "With `via = \"other\"`: the target of the default route.";
            default_route: String [computed] "Where the subnet's default route (`0.0.0.0/0`, else `::/0`) goes, whatever the service: `nat_gateway`, `internet_gateway`, `other` or `none`. Private subnets are those where it is not `internet_gateway`.";
        }
    }
}

/// `vpce_routing` (a [`TypedDataSource`]; registered as `Typed<Routing>`).
pub(crate) struct Routing;

impl TypedDataSource<Ctx> for Routing {
    type Model = RoutingModel;

    fn type_name(&self) -> &'static str {
        "vpce_routing"
    }

    fn validate(&self, config: &RoutingModel) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_id(&config.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
        for name in config.service_names.strings() {
            if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
                d.attr_error(
                    "service_names",
                    "Invalid service name",
                    format!("\"{name}\" is not a service name: use e.g. `s3` or `com.amazonaws.us-east-1.s3`."),
                );
            }
        }
        d
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a RoutingModel,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<RoutingModel>> + Send + 'a {
        read(ctx, config, diags)
    }
}

async fn read(ctx: &Ctx, config: &RoutingModel, diags: &mut Diagnostics) -> Option<RoutingModel> {
    let vpc = config.vpc_id.as_str()?;
    let region = ctx.ec2.region();
    let mut services: Vec<String> = match config.service_names.known() {
        Some(_) => config.service_names.strings().iter().map(|s| aws::resolve_service_name(s, region)).collect(),
        None => DEFAULT_SERVICES.iter().map(|s| aws::resolve_service_name(s, region)).collect(),
    };
    services.sort();
    services.dedup();
    let (net, endpoints) = tokio::join!(ctx.ec2.vpc_network_now(vpc), ctx.ec2.vpc_endpoints_now(vpc));
    let (net, endpoints) = match (net, endpoints) {
        (Ok(n), Ok(e)) => (n, e),
        (Err(e), _) | (_, Err(e)) => {
            if e.is_missing(aws::Missing::Vpc) {
                diags.attr_error("vpc_id", "VPC not found", format!("VPC {vpc} does not exist in {region}."));
            } else {
                diags.error(
                    "Cannot read the VPC's routing",
                    format!("The subnets, route tables or endpoints of {vpc} could not be read: {e}"),
                );
            }
            return None;
        }
    };
    let mut rows = Vec::new();
    for subnet in &net.subnets {
        for service in &services {
            let p = path_to(&net, &endpoints, &subnet.id, service);
            rows.push(RoutingRow {
                subnet_id: Val::Known(subnet.id.clone()),
                service_name: Val::Known(service.clone()),
                via: Val::Known(p.via.to_string()),
                private: Val::Known(matches!(p.via, "gateway_endpoint" | "interface_endpoint")),
                route_table_id: p.route_table_id.into(),
                main_route_table: Val::Known(p.main_route_table),
                endpoint_id: p.endpoint_id.into(),
                private_dns_enabled: p.private_dns_enabled.into(),
                nat_gateway_id: p.nat_gateway_id.into(),
                internet_gateway_id: p.internet_gateway_id.into(),
                target_id: p.target_id.into(),
                default_route: Val::Known(p.default_route.to_string()),
            });
        }
    }
    Some(RoutingModel {
        vpc_id: Val::Known(vpc.to_string()),
        service_names: config.service_names.clone(),
        id: Val::Known(vpc.to_string()),
        routes: Val::Known(rows.into_iter().collect::<List<RoutingRow>>()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::model::Model;

    #[test]
    fn schema_and_validation() {
        let names: Vec<&str> = RoutingModel::schema(0).block.attributes.iter().map(|a| a.name).collect();
        assert_eq!(names, ["vpc_id", "service_names", "id", "routes"]);
        let cfg = |vpc: &str, s: &str| RoutingModel {
            vpc_id: Val::Known(vpc.into()),
            service_names: Val::Known([s.to_string()].into_iter().collect::<Set<String>>()),
            ..RoutingModel::default()
        };
        assert!(Routing.validate(&cfg("vpc-1", "s3")).is_empty());
        assert_eq!(Routing.validate(&cfg("subnet-1", "s 3")).0.len(), 2);
    }
}
