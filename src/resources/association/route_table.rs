//! `vpce_route_table_association`: one route table associated with a gateway endpoint. Beyond the
//! endpoint listing the table, the association is whole when the table routes the service's
//! prefix list to the endpoint (as `vpce_gateway` checks on every refresh); a table listed without
//! its route is planned again, and the create re-associates it, which restores the route.

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::super::ownership::Names;
use super::{Association, Kind, MemberFacts};
use crate::aws::{route_table_has_endpoint_route, AwsError, Member, Missing};
use crate::protocol::model::Val;
use crate::resources::Ctx;

crate::model! {
    /// The state, plan or configuration of a `vpce_route_table_association`.
    #[description = "Associates one route table with a Gateway VPC endpoint (S3, DynamoDB): AWS adds a route for the service's prefix list to the table. For route tables managed apart from the endpoint; do not also list the table in the endpoint's `route_table_ids` (the plan refuses it)."]
    pub(crate) struct AssociationModel {
        attrs {
            id: String [computed] "`<vpc_endpoint_id>/<route_table_id>`, also the import ID.";
            vpc_endpoint_id: String [required replace_when_changed] "The gateway endpoint (`vpce-...`). Changing it replaces the association.";
            route_table_id: String [required replace_when_changed] "The route table (`rtb-...`), in the endpoint's VPC. Changing it replaces the association.";
        }
    }
}

/// The route table kind of [`Association`].
pub(crate) struct RouteTables;

/// `vpce_route_table_association`.
pub(crate) type RouteTableAssociation = Association<RouteTables>;

/// The names of its conflicts (also the gateway's, for its `route_table_ids`).
pub(crate) const NAMES: Names = Names {
    endpoint_resource: "vpce_gateway",
    inline_attr: "route_table_ids",
    association: "vpce_route_table_association",
    what: "route table",
};

impl Kind for RouteTables {
    type Model = AssociationModel;
    const TYPE_NAME: &'static str = "vpce_route_table_association";
    const AWS_TYPE: &'static str = "aws_vpc_endpoint_route_table_association";
    const MEMBER: Member = Member::RouteTable;
    const MEMBER_ATTR: &'static str = "route_table_id";
    const PREFIX: &'static str = "rtb-";
    const ENDPOINT_TYPE: &'static str = "Gateway";
    const TYPE_RULE: &'static str = "only Gateway endpoints (S3, DynamoDB) have route tables.";
    const NAMES: Names = NAMES;
    const MISSING: Missing = Missing::RouteTable;

    fn parts(m: &AssociationModel) -> (&Val<String>, &Val<String>) {
        (&m.vpc_endpoint_id, &m.route_table_id)
    }

    fn model(endpoint: &str, member: &str, _base: Option<&AssociationModel>) -> AssociationModel {
        AssociationModel {
            id: Val::Known(super::association_id(endpoint, member)),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            route_table_id: Val::Known(member.to_string()),
        }
    }

    fn listed(ep: &VpcEndpoint) -> Vec<String> {
        ep.route_table_ids().to_vec()
    }

    fn incomplete<'a>(ctx: &'a Ctx, ep: &'a VpcEndpoint, table: &'a str) -> BoxFuture<'a, Result<Option<String>, AwsError>> {
        Box::pin(async move {
            let endpoint = ep.vpc_endpoint_id().unwrap_or_default();
            let service = ep.service_name().unwrap_or_default().to_string();
            let ids = [table.to_string()];
            let (pl, tables) = tokio::join!(ctx.ec2.find_gateway_prefix_list(&service), ctx.ec2.find_route_tables(&ids));
            // No prefix list to check the route against (an emulator, a partner service): the listing counts.
            let Some(pl) = pl? else { return Ok(None) };
            Ok(match tables?.iter().find(|t| t.route_table_id() == Some(table)) {
                None => Some(format!("route table {table} does not exist")),
                Some(t) if !route_table_has_endpoint_route(t, &pl.id, endpoint) => {
                    Some(format!("route table {table} has no route for prefix list {} ({service}) to {endpoint}", pl.id))
                }
                Some(_) => None,
            })
        })
    }

    fn facts<'a>(ctx: &'a Ctx, table: &'a str) -> BoxFuture<'a, Result<Option<MemberFacts>, AwsError>> {
        Box::pin(async move {
            let found = ctx.ec2.route_table_facts(&[table.to_string()]).await?;
            Ok(found
                .iter()
                .find(|t| t.route_table_id() == Some(table))
                .map(|t| MemberFacts { vpc_id: t.vpc_id().map(str::to_string), zone: None }))
        })
    }
}
