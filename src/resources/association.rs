//! `vpce_route_table_association`: one route table associated with a gateway endpoint, for
//! configurations where the route tables live elsewhere than the endpoint (another module, another
//! team's state).
//!
//! - Create: ModifyVpcEndpoint(AddRouteTableIds), serialised per endpoint in this process and
//!   retried while EC2 says the endpoint is busy (many associations on one endpoint applied at
//!   once), then waits until the endpoint lists the table.
//! - Read: the association exists when the endpoint lists the table in its RouteTableIds **and**
//!   the table routes the service's prefix list to the endpoint (as `vpce_gateway` checks on
//!   every refresh); otherwise it is gone from the state and planned again, and the create then
//!   re-associates the table, which restores the route.
//! - Delete: RemoveRouteTableIds; an endpoint or table that no longer exists counts as deleted.
//! - Plan: an association of a pair that already exists is refused (an import is the way to
//!   adopt it: terraform-provider-aws #26663 lets two resources own one association, and deleting
//!   either removes it), and so is an association on an endpoint whose `vpce_gateway` sets
//!   `route_table_ids` in the same configuration (the endpoint's list and the association would
//!   undo each other at every apply: terraform-provider-aws #26620), see [`super::ownership`].

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;

use super::{ApplyResponse, Ctx, ImportResponse, PlanResponse};
use crate::aws::{route_table_has_endpoint_route, AwsError, Missing};
use crate::checks::validate_id;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, Model, Val};
use crate::protocol::resource::default_plan;
use crate::protocol::resource::{MoveRequest, MoveResponse};
use crate::protocol::schema::Schema;
use crate::protocol::typed::{Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::Value;

/// How long a create or delete may wait for a busy endpoint and for the change to show.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

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

pub(crate) struct RouteTableAssociation {
    schema: Schema,
}

impl RouteTableAssociation {
    pub(crate) fn new() -> Self {
        RouteTableAssociation { schema: AssociationModel::schema(0) }
    }
}

impl Default for RouteTableAssociation {
    fn default() -> Self {
        Self::new()
    }
}

fn validate(c: &AssociationModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&c.vpc_endpoint_id, "vpc_endpoint_id", "vpce-", "VPC endpoint", &mut d);
    if c.vpc_endpoint_id.as_str().is_some_and(|id| id.starts_with("vpce-svc-")) {
        d.attr_error(
            "vpc_endpoint_id",
            "Invalid VPC endpoint ID",
            "A `vpce-svc-...` ID is an endpoint service, not an endpoint: use the ID of a gateway endpoint (vpce_gateway.NAME.id).",
        );
    }
    validate_id(&c.route_table_id, "route_table_id", "rtb-", "route table", &mut d);
    d
}

/// The id of an association.
pub(crate) fn association_id(endpoint: &str, table: &str) -> String {
    format!("{endpoint}/{table}")
}

/// `vpce-.../rtb-...` into its parts.
fn parse_id(id: &str) -> Option<(String, String)> {
    let (endpoint, table) = id.trim().split_once('/')?;
    let ok = endpoint.starts_with("vpce-") && !endpoint.starts_with("vpce-svc-") && table.starts_with("rtb-") && !table.contains('/');
    ok.then(|| (endpoint.to_string(), table.to_string()))
}

/// What EC2 says about one endpoint/table pair.
enum Pair {
    /// The endpoint does not exist (or is deleted).
    NoEndpoint,
    /// The endpoint exists but does not list the table.
    NotAssociated(VpcEndpoint),
    /// The endpoint lists the table, but the table does not exist or lacks the endpoint's route.
    RouteMissing(VpcEndpoint, String),
    Associated,
}

/// Looks the pair up: the endpoint, then (when it lists the table) the table's routes.
async fn pair(ctx: &Ctx, endpoint: &str, table: &str) -> Result<Pair, AwsError> {
    let Some(ep) = ctx.ec2.find_vpc_endpoint(endpoint).await? else { return Ok(Pair::NoEndpoint) };
    if !ep.route_table_ids().iter().any(|t| t == table) {
        return Ok(Pair::NotAssociated(ep));
    }
    let service = ep.service_name().unwrap_or_default().to_string();
    let ids = [table.to_string()];
    let (pl, tables) = tokio::join!(ctx.ec2.find_gateway_prefix_list(&service), ctx.ec2.find_route_tables(&ids));
    let Some(pl) = pl? else {
        // No prefix list to check the route against (an emulator, a partner service): the listing counts.
        return Ok(Pair::Associated);
    };
    let why = match tables?.iter().find(|t| t.route_table_id() == Some(table)) {
        None => format!("route table {table} does not exist"),
        Some(t) if !route_table_has_endpoint_route(t, &pl.id, endpoint) => {
            format!("route table {table} has no route for prefix list {} ({service}) to {endpoint}", pl.id)
        }
        Some(_) => return Ok(Pair::Associated),
    };
    Ok(Pair::RouteMissing(ep, why))
}

impl TypedResource<Ctx> for RouteTableAssociation {
    type Model = AssociationModel;

    fn type_name(&self) -> &'static str {
        "vpce_route_table_association"
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &AssociationModel) -> Diagnostics {
        validate(config)
    }

    async fn plan(&self, ctx: &Ctx, typed: TypedPlanRequest<'_, AssociationModel>) -> PlanResponse {
        let (req, config) = (typed.raw, typed.config);
        let mut resp = default_plan(&self.schema, req);
        resp.diags.extend(validate(&config));
        let (Some(endpoint), Some(table)) = (config.vpc_endpoint_id.as_str(), config.route_table_id.as_str()) else {
            return resp;
        };
        if let Value::Object(m) = &mut resp.planned {
            m.insert("id".to_string(), Value::string(association_id(endpoint, table)));
        }
        let fresh = req.prior.is_null() || !resp.requires_replace.is_empty();
        // Terraform plans a replacement twice (with the prior state, then as a create): claim
        // the pair once, on the create.
        if req.prior.is_null() || resp.requires_replace.is_empty() {
            if let Some(conflict) = ctx.owners.claim_association(endpoint, table) {
                resp.diags.attr_error("route_table_id", conflict.summary(), conflict.detail(endpoint, table));
            }
        }
        if fresh && !resp.diags.has_errors() {
            check_new_pair(ctx, endpoint, table, &mut resp.diags).await;
        }
        resp
    }

    async fn create(&self, ctx: &Ctx, planned: AssociationModel, _config: AssociationModel) -> ApplyResponse {
        create(ctx, &planned).await
    }

    /// Nothing changes in place (both attributes replace the association).
    async fn update(&self, _ctx: &Ctx, prior: AssociationModel, _planned: AssociationModel, _config: AssociationModel) -> ApplyResponse {
        ApplyResponse { new_state: prior.to_value(), diags: Diagnostics::new() }
    }

    async fn delete(&self, ctx: &Ctx, prior: AssociationModel) -> ApplyResponse {
        delete(ctx, &prior).await
    }

    async fn read(&self, ctx: &Ctx, current: AssociationModel) -> Read<AssociationModel> {
        let (Some(endpoint), Some(table)) = (current.vpc_endpoint_id.as_str(), current.route_table_id.as_str()) else {
            return Read::Gone;
        };
        match pair(ctx, endpoint, table).await {
            Ok(Pair::Associated) => {
                let mut s = current.clone();
                s.id = Val::Known(association_id(endpoint, table));
                Read::Found(s, Diagnostics::new())
            }
            Ok(Pair::RouteMissing(_, why)) => {
                crate::warn!("the endpoint lists the route table but its route is missing; the association is planned again", "id" => association_id(endpoint, table), "why" => why);
                Read::Gone
            }
            Ok(Pair::NoEndpoint | Pair::NotAssociated(_)) => {
                crate::warn!("the route table association no longer exists; removing it from the state", "id" => association_id(endpoint, table));
                Read::Gone
            }
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.error("Cannot read the route table association", format!("{}: {e}", association_id(endpoint, table)));
                Read::Failed(diags)
            }
        }
    }

    fn move_sources(&self) -> &[&'static str] {
        &[AWS_ASSOCIATION]
    }

    /// `moved { from = aws_vpc_endpoint_route_table_association.x  to = vpce_route_table_association.x }`:
    /// the AWS provider's state (`id` = `a-vpce-...<hash>`, `vpc_endpoint_id`, `route_table_id`,
    /// the same in every version) becomes ours; the next refresh reads the association as usual.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        match move_from_aws(&req) {
            Ok(state) => MoveResponse { state: state.to_value(), identity: None, diags: Diagnostics::new() },
            Err(detail) => {
                let mut diags = Diagnostics::new();
                diags.error("Cannot move the route table association", detail);
                MoveResponse::refused(diags)
            }
        }
    }

    async fn import(&self, ctx: &Ctx, id: String) -> ImportResponse {
        let mut diags = Diagnostics::new();
        let Some((endpoint, table)) = parse_id(&id) else {
            diags.error(
                "Invalid import ID",
                format!("\"{id}\" is not a route table association ID: use <vpc_endpoint_id>/<route_table_id>, for example terraform import vpce_route_table_association.private vpce-0123456789abcdef0/rtb-0123456789abcdef0"),
            );
            return ImportResponse { state: Value::Null, diags };
        };
        match pair(ctx, &endpoint, &table).await {
            Ok(Pair::Associated | Pair::RouteMissing(..)) => {
                let state = AssociationModel {
                    id: Val::Known(association_id(&endpoint, &table)),
                    vpc_endpoint_id: Val::Known(endpoint),
                    route_table_id: Val::Known(table),
                };
                ImportResponse { state: state.to_value(), diags }
            }
            Ok(Pair::NoEndpoint) => {
                diags
                    .error("Cannot import: endpoint not found", format!("VPC endpoint {endpoint} does not exist in {}.", ctx.ec2.region()));
                ImportResponse { state: Value::Null, diags }
            }
            Ok(Pair::NotAssociated(_)) => {
                diags
                    .error("Cannot import: not associated", format!("Route table {table} is not associated with VPC endpoint {endpoint}."));
                ImportResponse { state: Value::Null, diags }
            }
            Err(e) => {
                diags.error("Cannot import the route table association", format!("{id}: {e}"));
                ImportResponse { state: Value::Null, diags }
            }
        }
    }
}

/// The AWS provider's association resource, which `moved` blocks may name as the source.
const AWS_ASSOCIATION: &str = "aws_vpc_endpoint_route_table_association";

/// Our state from the AWS provider's association state; why not, for a diagnostic.
fn move_from_aws(req: &MoveRequest) -> Result<AssociationModel, String> {
    let provider = req.source_provider_address.trim_end_matches('/');
    if !(provider.ends_with("hashicorp/aws") || provider.ends_with("opentofu/aws")) {
        return Err(format!(
            "The source is a {} of {provider}; vpce_route_table_association takes the state of hashicorp/aws's {AWS_ASSOCIATION} only.",
            req.source_type_name
        ));
    }
    let field = |name: &str| req.source_state.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
    let (Some(endpoint), Some(table)) = (field("vpc_endpoint_id"), field("route_table_id")) else {
        return Err(format!(
            "The {AWS_ASSOCIATION} state has no vpc_endpoint_id and route_table_id (state: {}). Remove the `moved` block and import the association instead: terraform import vpce_route_table_association.NAME <vpc_endpoint_id>/<route_table_id>",
            req.source_state
        ));
    };
    if parse_id(&association_id(endpoint, table)).is_none() {
        return Err(format!("The {AWS_ASSOCIATION} state names endpoint \"{endpoint}\" and route table \"{table}\", which are not a VPC endpoint ID and a route table ID."));
    }
    Ok(AssociationModel {
        id: Val::Known(association_id(endpoint, table)),
        vpc_endpoint_id: Val::Known(endpoint.to_string()),
        route_table_id: Val::Known(table.to_string()),
    })
}

/// Plan-time checks of a new association against EC2 (errors; lookup failures are warnings).
async fn check_new_pair(ctx: &Ctx, endpoint: &str, table: &str, diags: &mut Diagnostics) {
    let ids = [table.to_string()];
    let (found, tables) = tokio::join!(pair(ctx, endpoint, table), ctx.ec2.find_route_tables(&ids));
    let ep = match found {
        Err(e) => {
            diags.warning("Cannot check the association", format!("{}: {e}", association_id(endpoint, table)));
            return;
        }
        Ok(Pair::NoEndpoint) => {
            let detail = format!("VPC endpoint {endpoint} does not exist in {}.", ctx.ec2.region());
            diags.attr_error("vpc_endpoint_id", "VPC endpoint not found", detail);
            return;
        }
        Ok(Pair::Associated) => {
            diags.attr_error(
                "route_table_id",
                "Route table already associated",
                format!(
                    "Route table {table} is already associated with {endpoint}: by the endpoint's own route_table_ids (vpce_gateway), by another vpce_route_table_association, or outside Terraform. One association must have one owner, or deleting either removes it for both. Import it to manage it here (terraform import vpce_route_table_association.NAME {}), or remove it from the endpoint's route_table_ids (leaving route_table_ids unset) or from the other configuration.",
                    association_id(endpoint, table)
                ),
            );
            return;
        }
        Ok(Pair::RouteMissing(ep, why)) => {
            diags.attr_warning(
                "route_table_id",
                "Association without its route",
                format!("{endpoint} lists route table {table}, but {why}: the apply re-associates the table, which restores the route."),
            );
            ep
        }
        Ok(Pair::NotAssociated(ep)) => ep,
    };
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default();
    if !kind.eq_ignore_ascii_case("Gateway") {
        diags.attr_error(
            "vpc_endpoint_id",
            "Not a gateway endpoint",
            format!(
                "VPC endpoint {endpoint} is {} endpoint: only Gateway endpoints (S3, DynamoDB) have route tables.",
                if kind.is_empty() { "another type of".to_string() } else { format!("an {kind}") }
            ),
        );
        return;
    }
    match tables {
        Ok(found) => match found.iter().find(|t| t.route_table_id() == Some(table)) {
            None => diags.attr_error("route_table_id", "Route table not found", format!("Route table {table} does not exist in {}.", ctx.ec2.region())),
            Some(t) if t.vpc_id() != ep.vpc_id() => diags.attr_error(
                "route_table_id",
                "Route table is not in the endpoint's VPC",
                format!(
                    "Route table {table} belongs to {}, but {endpoint} is in {}: a gateway endpoint can only be associated with route tables of its own VPC.",
                    t.vpc_id().unwrap_or("another VPC"),
                    ep.vpc_id().unwrap_or("another VPC")
                ),
            ),
            Some(_) => {}
        },
        Err(e) => diags.warning("Cannot check the route table", format!("{table}: {e}")),
    }
}

/// A ModifyVpcEndpoint error, on the attribute it is about.
fn modify_error(diags: &mut Diagnostics, summary: &str, id: &str, e: &AwsError) {
    if e.is_invalid_id(Missing::RouteTable) || e.code_in(&["InvalidRouteTableId.NotFound"]) {
        diags.attr_error("route_table_id", summary, format!("{id}: {e}"));
    } else if e.is_invalid_id(Missing::VpcEndpoint) {
        diags.attr_error("vpc_endpoint_id", summary, format!("{id}: {e}"));
    } else {
        diags.error(summary, format!("{id}: {e}"));
    }
}

async fn create(ctx: &Ctx, planned: &AssociationModel) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let (Some(endpoint), Some(table)) = (planned.vpc_endpoint_id.as_str(), planned.route_table_id.as_str()) else {
        diags.error(
            "Provider bug: unknown values at apply",
            "vpc_endpoint_id and route_table_id must be known when the association is created.",
        );
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let id = association_id(endpoint, table);
    let tables = [table.to_string()];
    // A table the endpoint lists without its route: re-associate it (remove, then add) to restore the route.
    if let Ok(Pair::RouteMissing(..)) = pair(ctx, endpoint, table).await {
        if let Err(e) = ctx.ec2.modify_route_tables_exclusive(endpoint, &[], &tables, TIMEOUT, &ctx.cancel).await {
            modify_error(&mut diags, "Cannot re-associate the route table", &id, &e);
            return ApplyResponse { new_state: Value::Null, diags };
        }
    }
    if let Err(e) = ctx.ec2.modify_route_tables_exclusive(endpoint, &tables, &[], TIMEOUT, &ctx.cancel).await {
        modify_error(&mut diags, "Cannot associate the route table", &id, &e);
        return ApplyResponse { new_state: Value::Null, diags };
    }
    crate::info!("associated the route table with the endpoint", "id" => id.clone());
    // From here the association exists: the state holds it whatever the wait says.
    let state = AssociationModel {
        id: Val::Known(id.clone()),
        vpc_endpoint_id: Val::Known(endpoint.to_string()),
        route_table_id: Val::Known(table.to_string()),
    };
    match ctx.ec2.wait_for_endpoint(endpoint, &["available"], &[], TIMEOUT, &ctx.cancel).await {
        Ok(ep) if ep.route_table_ids().iter().any(|t| t == table) => {}
        Ok(_) => diags.warning(
            "Association not visible yet",
            format!(
                "EC2 accepted the association {id}, but the endpoint does not list the route table yet; the next refresh checks again."
            ),
        ),
        Err(e) => diags.warning(
            "Could not wait for the endpoint",
            format!("{id} was associated; waiting for the endpoint to be available failed: {e}"),
        ),
    }
    ApplyResponse { new_state: state.to_value(), diags }
}

async fn delete(ctx: &Ctx, prior: &AssociationModel) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let (Some(endpoint), Some(table)) = (prior.vpc_endpoint_id.as_str(), prior.route_table_id.as_str()) else {
        return ApplyResponse::default();
    };
    let id = association_id(endpoint, table);
    let gone = |e: &AwsError| {
        e.is_missing(Missing::VpcEndpoint) || e.is_missing(Missing::RouteTable) || e.code_in(&["InvalidRouteTableId.NotFound"])
    };
    match ctx.ec2.modify_route_tables_exclusive(endpoint, &[], &[table.to_string()], TIMEOUT, &ctx.cancel).await {
        Ok(()) => {}
        Err(e) if gone(&e) => return ApplyResponse::default(),
        Err(e) => {
            // EC2 refuses to remove a table the endpoint does not list (InvalidParameter): already gone.
            if let Ok(Pair::NoEndpoint | Pair::NotAssociated(_)) = pair(ctx, endpoint, table).await {
                return ApplyResponse::default();
            }
            modify_error(&mut diags, "Cannot remove the route table association", &id, &e);
            return ApplyResponse { new_state: prior.to_value(), diags };
        }
    }
    crate::info!("removed the route table from the endpoint", "id" => id.clone());
    if let Err(e) = ctx.ec2.wait_for_endpoint(endpoint, &["available"], &[], TIMEOUT, &ctx.cancel).await {
        crate::debug!("waiting for the endpoint after removing a route table", "id" => id, "error" => e.to_string());
    }
    ApplyResponse::default()
}

/// The route tables a gateway configuration sets (for [`super::ownership::RouteTableOwners::claim_inline`]).
pub(crate) fn configured_tables(v: &Val<crate::protocol::model::Set<String>>) -> Option<BTreeSet<String>> {
    v.known().map(|_| v.strings())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(parse_id("vpce-1/rtb-2"), Some(("vpce-1".to_string(), "rtb-2".to_string())));
        assert_eq!(parse_id(" vpce-1/rtb-2 "), Some(("vpce-1".to_string(), "rtb-2".to_string())));
        for bad in ["vpce-1", "rtb-2/vpce-1", "vpce-svc-1/rtb-2", "vpce-1/rtb-2/x", "a-vpce-1234"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
        assert_eq!(association_id("vpce-1", "rtb-2"), "vpce-1/rtb-2");
    }

    #[test]
    fn moves_from_the_aws_provider() {
        let req = |provider: &str, state: serde_json::Value| MoveRequest {
            source_provider_address: provider.to_string(),
            source_type_name: AWS_ASSOCIATION.to_string(),
            source_state: state,
            ..Default::default()
        };
        let aws = serde_json::json!({"id": "a-vpce-1234567", "vpc_endpoint_id": "vpce-1", "route_table_id": "rtb-2"});
        let m = move_from_aws(&req("registry.terraform.io/hashicorp/aws", aws.clone())).expect("moved");
        assert_eq!(
            (m.id.as_str(), m.vpc_endpoint_id.as_str(), m.route_table_id.as_str()),
            (Some("vpce-1/rtb-2"), Some("vpce-1"), Some("rtb-2"))
        );
        assert!(move_from_aws(&req("registry.terraform.io/someone/aws2", aws)).unwrap_err().contains("hashicorp/aws"));
        let bad = serde_json::json!({"id": "a-vpce-1", "vpc_endpoint_id": "vpce-1"});
        assert!(move_from_aws(&req("registry.terraform.io/hashicorp/aws", bad)).unwrap_err().contains("terraform import"));
        let swapped = serde_json::json!({"vpc_endpoint_id": "rtb-2", "route_table_id": "vpce-1"});
        assert!(move_from_aws(&req("registry.terraform.io/hashicorp/aws", swapped)).is_err());
    }

    #[test]
    fn static_validation() {
        let m = |e: &str, t: &str| {
            AssociationModel::decode(&Value::object([("vpc_endpoint_id", Value::string(e)), ("route_table_id", Value::string(t))]))
                .unwrap()
                .unwrap()
        };
        assert!(validate(&m("vpce-1", "rtb-1")).is_empty());
        let s = |d: Diagnostics| d.0.into_iter().map(|x| x.summary).collect::<Vec<_>>();
        assert_eq!(s(validate(&m("rtb-1", "vpce-1"))), ["Invalid VPC endpoint ID", "Invalid route table ID"]);
        assert_eq!(s(validate(&m("vpce-svc-1", "rtb-1"))), ["Invalid VPC endpoint ID"]);
    }
}
