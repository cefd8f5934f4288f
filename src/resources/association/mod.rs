//! Association resources: one member (a route table, a subnet, a security group) of an endpoint,
//! for configurations where the members live elsewhere than the endpoint (another module, another
//! team's state). One resource, [`Association`], serves every kind; what differs is the kind's
//! [`Kind`] ([`route_table`], [`subnet`], [`security_group`]).
//!
//! - Create: ModifyVpcEndpoint adding the member, serialised per endpoint in this process and
//!   retried while EC2 says the endpoint is busy (many associations on one endpoint applied at
//!   once: terraform-provider-aws #42875), then waits until the endpoint is available again.
//! - Read: the association exists when the endpoint lists the member (and, for a route table,
//!   the table routes the service to the endpoint); otherwise it is gone from the state and
//!   planned again.
//! - Delete: ModifyVpcEndpoint removing it; an endpoint or member that no longer exists counts as deleted.
//! - Plan: an association of a pair that already exists is refused (an import is the way to adopt
//!   it: terraform-provider-aws #26663 lets two resources own one association, and deleting either
//!   removes it), and so is an association on an endpoint whose resource sets the inline list in
//!   the same configuration (the list and the association would undo each other at every apply:
//!   terraform-provider-aws #26620), see [`super::ownership`].
//! - `moved` from hashicorp/aws's counterpart (`aws_vpc_endpoint_<kind>_association`), import by
//!   `<vpc_endpoint_id>/<member_id>`.

pub(crate) mod route_table;
pub(crate) mod security_group;
pub(crate) mod subnet;

use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::ownership::{capitalised, Names};
use super::{ApplyResponse, Ctx, ImportResponse, PlanResponse};
use crate::aws::{AwsError, Member, Missing};
use crate::checks::validate_id;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, Model, Set, Val};
use crate::protocol::resource::default_plan;
use crate::protocol::resource::{MoveRequest, MoveResponse};
use crate::protocol::schema::Schema;
use crate::protocol::typed::{Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::Value;

/// How long a create or delete may wait for a busy endpoint and for the change to show.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The endpoint states a change of its associations waits for (an interface endpoint of another
/// account's service may still wait for acceptance).
const READY: &[&str] = &["available", "pendingacceptance"];

/// What an EC2 lookup says about a member: its VPC (and, for a subnet, its Availability Zone).
pub(crate) struct MemberFacts {
    pub(crate) vpc_id: Option<String>,
    pub(crate) zone: Option<String>,
}

/// The members a ModifyVpcEndpoint adds and removes.
pub(crate) type Changes = (Vec<String>, Vec<String>);

/// What is each kind's own.
pub(crate) trait Kind: Send + Sync + 'static {
    type Model: Model + Default + Clone + Send + Sync;
    /// `vpce_subnet_association`.
    const TYPE_NAME: &'static str;
    /// hashicorp/aws's counterpart, `aws_vpc_endpoint_subnet_association`.
    const AWS_TYPE: &'static str;
    const MEMBER: Member;
    /// The member's attribute, `subnet_id`.
    const MEMBER_ATTR: &'static str;
    /// Its ID prefix, `subnet-`.
    const PREFIX: &'static str;
    /// The endpoint type that has such members (`Gateway`, `Interface`) and why, for a diagnostic.
    const ENDPOINT_TYPE: &'static str;
    const TYPE_RULE: &'static str;
    /// The names of the conflict diagnostics (also: the member, lowercase).
    const NAMES: Names;
    /// What EC2 says about a member that does not exist.
    const MISSING: Missing;

    /// The endpoint and member of a model.
    fn parts(m: &Self::Model) -> (&Val<String>, &Val<String>);
    /// The model of a pair, with what else `base` (the prior state) holds.
    fn model(endpoint: &str, member: &str, base: Option<&Self::Model>) -> Self::Model;
    /// What the AWS provider's state adds to the pair (`moved`).
    fn from_aws(_m: &mut Self::Model, _source: &serde_json::Value) {}
    /// The endpoint's members of this kind.
    fn listed(ep: &VpcEndpoint) -> Vec<String>;
    /// Why a listed member is not wholly associated (a route table without its route), if it is not.
    fn incomplete<'a>(_ctx: &'a Ctx, _ep: &'a VpcEndpoint, _member: &'a str) -> BoxFuture<'a, Result<Option<String>, AwsError>> {
        Box::pin(async { Ok(None) })
    }
    /// The member's VPC (None: it does not exist).
    fn facts<'a>(ctx: &'a Ctx, member: &'a str) -> BoxFuture<'a, Result<Option<MemberFacts>, AwsError>>;
    /// Static checks beyond the two IDs.
    fn validate(_c: &Self::Model, _d: &mut Diagnostics) {}
    /// Plan checks beyond existence, type and VPC, for a new association.
    fn check_new<'a>(
        _ctx: &'a Ctx,
        _planned: &'a Self::Model,
        _ep: &'a VpcEndpoint,
        _facts: &'a MemberFacts,
        _diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Completes the plan (e.g. a default).
    fn complete_plan(
        _planned: &mut Value,
        _config: &Self::Model,
        _prior: &Value,
        _replace: &mut Vec<Vec<crate::protocol::values::PathStep>>,
    ) {
    }
    /// The (add, remove) of a create (`create`) or a delete: by default the member alone.
    fn changes<'a>(_ctx: &'a Ctx, _m: &'a Self::Model, member: &'a str, create: bool) -> BoxFuture<'a, Result<Changes, String>> {
        let one = vec![member.to_string()];
        Box::pin(async move { Ok(if create { (one, Vec::new()) } else { (Vec::new(), one) }) })
    }
}

/// The association resource of kind `K`.
pub(crate) struct Association<K: Kind> {
    schema: Schema,
    kind: PhantomData<K>,
}

impl<K: Kind> Association<K> {
    pub(crate) fn new() -> Self {
        Association { schema: K::Model::schema(0), kind: PhantomData }
    }
}

impl<K: Kind> Default for Association<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// "route table", "subnet", ...
fn what<K: Kind>() -> &'static str {
    K::NAMES.what
}

fn validate<K: Kind>(c: &K::Model) -> Diagnostics {
    let mut d = Diagnostics::new();
    let (endpoint, member) = K::parts(c);
    validate_id(endpoint, "vpc_endpoint_id", "vpce-", "VPC endpoint", &mut d);
    if endpoint.as_str().is_some_and(|id| id.starts_with("vpce-svc-")) {
        d.attr_error(
            "vpc_endpoint_id",
            "Invalid VPC endpoint ID",
            format!(
                "A `vpce-svc-...` ID is an endpoint service, not an endpoint: use the ID of {} endpoint ({}.NAME.id).",
                article(K::ENDPOINT_TYPE),
                K::NAMES.endpoint_resource
            ),
        );
    }
    validate_id(member, K::MEMBER_ATTR, K::PREFIX, what::<K>(), &mut d);
    K::validate(c, &mut d);
    d
}

fn article(word: &str) -> String {
    let an = word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']);
    format!("{} {}", if an { "an" } else { "a" }, word.to_lowercase())
}

/// The id of an association: `<vpc_endpoint_id>/<member_id>`, also the import ID.
pub(crate) fn association_id(endpoint: &str, member: &str) -> String {
    format!("{endpoint}/{member}")
}

/// `vpce-.../<prefix>...` into its parts.
fn parse_id(id: &str, prefix: &str) -> Option<(String, String)> {
    let (endpoint, member) = id.trim().split_once('/')?;
    let ok = endpoint.starts_with("vpce-") && !endpoint.starts_with("vpce-svc-") && member.starts_with(prefix) && !member.contains('/');
    ok.then(|| (endpoint.to_string(), member.to_string()))
}

/// What EC2 says about one endpoint/member pair.
pub(crate) enum Pair {
    /// The endpoint does not exist (or is deleted).
    NoEndpoint,
    /// The endpoint exists but does not list the member.
    NotAssociated(VpcEndpoint),
    /// The endpoint lists the member, but the association is not whole (why).
    Incomplete(VpcEndpoint, String),
    Associated,
}

/// Looks the pair up.
async fn pair<K: Kind>(ctx: &Ctx, endpoint: &str, member: &str) -> Result<Pair, AwsError> {
    let Some(ep) = ctx.ec2.find_vpc_endpoint(endpoint).await? else { return Ok(Pair::NoEndpoint) };
    if !K::listed(&ep).iter().any(|t| t == member) {
        return Ok(Pair::NotAssociated(ep));
    }
    Ok(match K::incomplete(ctx, &ep, member).await? {
        Some(why) => Pair::Incomplete(ep, why),
        None => Pair::Associated,
    })
}

impl<K: Kind> TypedResource<Ctx> for Association<K> {
    type Model = K::Model;

    fn type_name(&self) -> &'static str {
        K::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &K::Model) -> Diagnostics {
        validate::<K>(config)
    }

    async fn plan(&self, ctx: &Ctx, typed: TypedPlanRequest<'_, K::Model>) -> PlanResponse {
        let (req, config) = (typed.raw, typed.config);
        let mut resp = default_plan(&self.schema, req);
        resp.diags.extend(validate::<K>(&config));
        K::complete_plan(&mut resp.planned, &config, &req.prior, &mut resp.requires_replace);
        let (endpoint, member) = K::parts(&config);
        let (Some(endpoint), Some(member)) = (endpoint.as_str(), member.as_str()) else {
            return resp;
        };
        if let Value::Object(m) = &mut resp.planned {
            m.insert("id".to_string(), Value::string(association_id(endpoint, member)));
        }
        let fresh = req.prior.is_null() || !resp.requires_replace.is_empty();
        // Terraform plans a replacement twice (with the prior state, then as a create): claim
        // the pair once, on the create.
        if req.prior.is_null() || resp.requires_replace.is_empty() {
            if let Some(conflict) = ctx.owners.claim_association(&K::NAMES, endpoint, member) {
                resp.diags.attr_error(K::MEMBER_ATTR, conflict.summary(&K::NAMES), conflict.detail(&K::NAMES, endpoint, member));
            }
        }
        // A replacement of the same pair (another setting changed) deletes it before creating it.
        let same_pair = K::Model::decode(&req.prior).ok().flatten().is_some_and(|p| {
            let (e, m) = K::parts(&p);
            e.as_str() == Some(endpoint) && m.as_str() == Some(member)
        });
        if same_pair && fresh {
            ctx.owners.mark_replacing(&K::NAMES, endpoint, member);
        }
        let replacing = same_pair || (req.prior.is_null() && ctx.owners.is_replacing(&K::NAMES, endpoint, member));
        if fresh && !replacing && !resp.diags.has_errors() {
            let planned = K::Model::decode(&resp.planned).ok().flatten().unwrap_or_else(|| config.clone());
            check_new_pair::<K>(ctx, &planned, endpoint, member, &mut resp.diags).await;
        }
        resp
    }

    async fn create(&self, ctx: &Ctx, planned: K::Model, _config: K::Model) -> ApplyResponse {
        create::<K>(ctx, &planned).await
    }

    /// Nothing changes in place (every attribute replaces the association).
    async fn update(&self, _ctx: &Ctx, prior: K::Model, _planned: K::Model, _config: K::Model) -> ApplyResponse {
        ApplyResponse { new_state: prior.to_value(), diags: Diagnostics::new() }
    }

    async fn delete(&self, ctx: &Ctx, prior: K::Model) -> ApplyResponse {
        delete::<K>(ctx, &prior).await
    }

    async fn read(&self, ctx: &Ctx, current: K::Model) -> Read<K::Model> {
        let (endpoint, member) = K::parts(&current);
        let (Some(endpoint), Some(member)) = (endpoint.as_str(), member.as_str()) else {
            return Read::Gone;
        };
        let id = association_id(endpoint, member);
        match pair::<K>(ctx, endpoint, member).await {
            Ok(Pair::Associated) => Read::Found(K::model(endpoint, member, Some(&current)), Diagnostics::new()),
            Ok(Pair::Incomplete(_, why)) => {
                crate::warn!("the endpoint lists the member but the association is not whole; it is planned again", "id" => id, "why" => why);
                Read::Gone
            }
            Ok(Pair::NoEndpoint | Pair::NotAssociated(_)) => {
                crate::warn!("the association no longer exists; removing it from the state", "id" => id);
                Read::Gone
            }
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.error(format!("Cannot read the {} association", what::<K>()), format!("{id}: {e}"));
                Read::Failed(diags)
            }
        }
    }

    fn move_sources(&self) -> &[&'static str] {
        std::slice::from_ref(&K::AWS_TYPE)
    }

    /// `moved { from = aws_vpc_endpoint_<kind>_association.x  to = vpce_<kind>_association.x }`:
    /// the AWS provider's state (`id` = `a-vpce-...<hash>`, `vpc_endpoint_id`, the member, the
    /// same in every version) becomes ours; the next refresh reads the association as usual.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        match move_from_aws::<K>(&req) {
            Ok(state) => MoveResponse { state: state.to_value(), identity: None, diags: Diagnostics::new() },
            Err(detail) => {
                let mut diags = Diagnostics::new();
                diags.error(format!("Cannot move the {} association", what::<K>()), detail);
                MoveResponse::refused(diags)
            }
        }
    }

    async fn import(&self, ctx: &Ctx, id: String) -> ImportResponse {
        let mut diags = Diagnostics::new();
        let Some((endpoint, member)) = parse_id(&id, K::PREFIX) else {
            diags.error(
                "Invalid import ID",
                format!(
                    "\"{id}\" is not a {w} association ID: use <vpc_endpoint_id>/<{attr}>, for example terraform import {t}.example vpce-0123456789abcdef0/{p}0123456789abcdef0",
                    w = what::<K>(),
                    attr = K::MEMBER_ATTR,
                    t = K::TYPE_NAME,
                    p = K::PREFIX
                ),
            );
            return ImportResponse { state: Value::Null, diags };
        };
        match pair::<K>(ctx, &endpoint, &member).await {
            Ok(Pair::Associated | Pair::Incomplete(..)) => ImportResponse { state: K::model(&endpoint, &member, None).to_value(), diags },
            Ok(Pair::NoEndpoint) => {
                diags
                    .error("Cannot import: endpoint not found", format!("VPC endpoint {endpoint} does not exist in {}.", ctx.ec2.region()));
                ImportResponse { state: Value::Null, diags }
            }
            Ok(Pair::NotAssociated(_)) => {
                diags.error(
                    "Cannot import: not associated",
                    format!("{} {member} is not associated with VPC endpoint {endpoint}.", capitalised(what::<K>())),
                );
                ImportResponse { state: Value::Null, diags }
            }
            Err(e) => {
                diags.error(format!("Cannot import the {} association", what::<K>()), format!("{id}: {e}"));
                ImportResponse { state: Value::Null, diags }
            }
        }
    }
}

/// Our state from the AWS provider's association state; why not, for a diagnostic.
fn move_from_aws<K: Kind>(req: &MoveRequest) -> Result<K::Model, String> {
    let provider = req.source_provider_address.trim_end_matches('/');
    let aws = K::AWS_TYPE;
    if !(provider.ends_with("hashicorp/aws") || provider.ends_with("opentofu/aws")) {
        return Err(format!(
            "The source is a {} of {provider}; {} takes the state of hashicorp/aws's {aws} only.",
            req.source_type_name,
            K::TYPE_NAME
        ));
    }
    let field = |name: &str| req.source_state.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
    let attr = K::MEMBER_ATTR;
    let (Some(endpoint), Some(member)) = (field("vpc_endpoint_id"), field(attr)) else {
        return Err(format!(
            "The {aws} state has no vpc_endpoint_id and {attr} (state: {}). Remove the `moved` block and import the association instead: terraform import {}.NAME <vpc_endpoint_id>/<{attr}>",
            req.source_state,
            K::TYPE_NAME
        ));
    };
    if parse_id(&association_id(endpoint, member), K::PREFIX).is_none() {
        return Err(format!(
            "The {aws} state names endpoint \"{endpoint}\" and {} \"{member}\", which are not a VPC endpoint ID and a {} ID.",
            what::<K>(),
            what::<K>()
        ));
    }
    let mut m = K::model(endpoint, member, None);
    K::from_aws(&mut m, &req.source_state);
    Ok(m)
}

/// Plan-time checks of a new association against EC2 (errors; lookup failures are warnings).
async fn check_new_pair<K: Kind>(ctx: &Ctx, planned: &K::Model, endpoint: &str, member: &str, diags: &mut Diagnostics) {
    let (found, facts) = tokio::join!(pair::<K>(ctx, endpoint, member), K::facts(ctx, member));
    let (w, attr, id) = (what::<K>(), K::MEMBER_ATTR, association_id(endpoint, member));
    let ep = match found {
        Err(e) => {
            diags.warning("Cannot check the association", format!("{id}: {e}"));
            return;
        }
        Ok(Pair::NoEndpoint) => {
            let detail = format!("VPC endpoint {endpoint} does not exist in {}.", ctx.ec2.region());
            diags.attr_error("vpc_endpoint_id", "VPC endpoint not found", detail);
            return;
        }
        Ok(Pair::Associated) => {
            let Names { endpoint_resource: res, inline_attr: list, association: t, .. } = K::NAMES;
            diags.attr_error(
                attr,
                format!("{} already associated", capitalised(w)),
                format!(
                    "{} {member} is already associated with {endpoint}: by the endpoint's own {list} ({res}), by another {t}, or outside Terraform. One association must have one owner, or deleting either removes it for both. Import it to manage it here (terraform import {t}.NAME {id}), or remove it from the endpoint's {list} (leaving {list} unset) or from the other configuration.",
                    capitalised(w)
                ),
            );
            return;
        }
        Ok(Pair::Incomplete(ep, why)) => {
            diags.attr_warning(
                attr,
                "Association without its route",
                format!("{endpoint} lists {w} {member}, but {why}: the apply re-associates the {w}, which restores the route."),
            );
            ep
        }
        Ok(Pair::NotAssociated(ep)) => ep,
    };
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default();
    if !kind.eq_ignore_ascii_case(K::ENDPOINT_TYPE) {
        diags.attr_error(
            "vpc_endpoint_id",
            format!("Not {} endpoint", article(K::ENDPOINT_TYPE)),
            format!(
                "VPC endpoint {endpoint} is {} endpoint: {}",
                if kind.is_empty() { "another type of".to_string() } else { article(&kind) },
                K::TYPE_RULE
            ),
        );
        return;
    }
    match facts {
        Ok(None) => diags.attr_error(
            attr,
            format!("{} not found", capitalised(w)),
            format!("{} {member} does not exist in {}.", capitalised(w), ctx.ec2.region()),
        ),
        Ok(Some(f)) if f.vpc_id.as_deref() != ep.vpc_id() => diags.attr_error(
            attr,
            format!("{} is not in the endpoint's VPC", capitalised(w)),
            format!(
                "{} {member} belongs to {}, but {endpoint} is in {}: an endpoint can only be associated with {w}s of its own VPC.",
                capitalised(w),
                f.vpc_id.as_deref().unwrap_or("another VPC"),
                ep.vpc_id().unwrap_or("another VPC")
            ),
        ),
        Ok(Some(f)) => K::check_new(ctx, planned, &ep, &f, diags).await,
        Err(e) => diags.warning(format!("Cannot check the {w}"), format!("{member}: {e}")),
    }
}

/// A ModifyVpcEndpoint error, on the attribute it is about.
fn modify_error<K: Kind>(diags: &mut Diagnostics, summary: &str, id: &str, e: &AwsError) {
    if e.is_invalid_id(K::MISSING) || e.code_in(&["InvalidRouteTableId.NotFound"]) {
        diags.attr_error(K::MEMBER_ATTR, summary, format!("{id}: {e}"));
    } else if e.is_invalid_id(Missing::VpcEndpoint) {
        diags.attr_error("vpc_endpoint_id", summary, format!("{id}: {e}"));
    } else {
        diags.error(summary, format!("{id}: {e}"));
    }
}

async fn create<K: Kind>(ctx: &Ctx, planned: &K::Model) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let (endpoint, member) = K::parts(planned);
    let (Some(endpoint), Some(member)) = (endpoint.as_str(), member.as_str()) else {
        diags.error(
            "Provider bug: unknown values at apply",
            format!("vpc_endpoint_id and {} must be known when the association is created.", K::MEMBER_ATTR),
        );
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let (id, w) = (association_id(endpoint, member), what::<K>());
    let one = [member.to_string()];
    // A member the endpoint lists but not wholly (a table without its route): re-associate it
    // (remove, then add) to make it whole.
    if let Ok(Pair::Incomplete(..)) = pair::<K>(ctx, endpoint, member).await {
        if let Err(e) = ctx.ec2.modify_members_exclusive(endpoint, K::MEMBER, &[], &one, TIMEOUT, &ctx.cancel).await {
            modify_error::<K>(&mut diags, &format!("Cannot re-associate the {w}"), &id, &e);
            return ApplyResponse { new_state: Value::Null, diags };
        }
    }
    let (add, remove) = match K::changes(ctx, planned, member, true).await {
        Ok(c) => c,
        Err(why) => {
            diags.error(format!("Cannot associate the {w}"), format!("{id}: {why}"));
            return ApplyResponse { new_state: Value::Null, diags };
        }
    };
    if let Err(e) = ctx.ec2.modify_members_exclusive(endpoint, K::MEMBER, &add, &remove, TIMEOUT, &ctx.cancel).await {
        modify_error::<K>(&mut diags, &format!("Cannot associate the {w}"), &id, &e);
        return ApplyResponse { new_state: Value::Null, diags };
    }
    crate::info!("associated the member with the endpoint", "id" => id.clone());
    // From here the association exists: the state holds it whatever the wait says.
    let state = K::model(endpoint, member, Some(planned));
    match ctx.ec2.wait_for_endpoint(endpoint, READY, TIMEOUT, &ctx.cancel).await {
        Ok(ep) if K::listed(&ep).iter().any(|t| t == member) => {}
        Ok(_) => diags.warning(
            "Association not visible yet",
            format!("EC2 accepted the association {id}, but the endpoint does not list the {w} yet; the next refresh checks again."),
        ),
        Err(e) => diags.warning(
            "Could not wait for the endpoint",
            format!("{id} was associated; waiting for the endpoint to be available failed: {e}"),
        ),
    }
    ApplyResponse { new_state: state.to_value(), diags }
}

async fn delete<K: Kind>(ctx: &Ctx, prior: &K::Model) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let (endpoint, member) = K::parts(prior);
    let (Some(endpoint), Some(member)) = (endpoint.as_str(), member.as_str()) else {
        return ApplyResponse::default();
    };
    let (id, w) = (association_id(endpoint, member), what::<K>());
    let gone =
        |e: &AwsError| e.is_missing(Missing::VpcEndpoint) || e.is_missing(K::MISSING) || e.code_in(&["InvalidRouteTableId.NotFound"]);
    let (add, remove) = match K::changes(ctx, prior, member, false).await {
        Ok(c) => c,
        Err(why) => {
            diags.error(format!("Cannot remove the {w} association"), format!("{id}: {why}"));
            return ApplyResponse { new_state: prior.to_value(), diags };
        }
    };
    match ctx.ec2.modify_members_exclusive(endpoint, K::MEMBER, &add, &remove, TIMEOUT, &ctx.cancel).await {
        Ok(()) => {}
        Err(e) if gone(&e) => return ApplyResponse::default(),
        Err(e) => {
            // EC2 refuses to remove a member the endpoint does not list (InvalidParameter): already gone.
            if let Ok(Pair::NoEndpoint | Pair::NotAssociated(_)) = pair::<K>(ctx, endpoint, member).await {
                return ApplyResponse::default();
            }
            modify_error::<K>(&mut diags, &format!("Cannot remove the {w} association"), &id, &e);
            return ApplyResponse { new_state: prior.to_value(), diags };
        }
    }
    crate::info!("removed the member from the endpoint", "id" => id.clone());
    if let Err(e) = ctx.ec2.wait_for_endpoint(endpoint, READY, TIMEOUT, &ctx.cancel).await {
        crate::debug!("waiting for the endpoint after removing a member", "id" => id, "error" => e.to_string());
    }
    ApplyResponse::default()
}

/// The members an endpoint configuration sets in its inline list (for [`super::ownership::Owners::check_inline`]).
pub(crate) fn configured_members(v: &Val<Set<String>>) -> Option<BTreeSet<String>> {
    v.known().map(|_| v.strings())
}

#[cfg(test)]
mod tests;
