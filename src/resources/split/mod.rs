//! Split ownership of an endpoint's settings: `vpce_policy` (the endpoint policy) and
//! `vpce_private_dns` (private DNS on or off), for configurations where the setting is managed
//! apart from the endpoint (another module, another team's state), as hashicorp/aws's
//! `aws_vpc_endpoint_policy` and `aws_vpc_endpoint_private_dns`. One resource, [`SplitResource`],
//! serves both; what differs is the [`Setting`] ([`policy`], [`private_dns`]).
//!
//! # The design problem, and the hidden tag
//!
//! On `vpce_gateway` and `vpce_interface` an unset `policy` means "the default policy" and an
//! unset `private_dns_enabled` means "off": they are managed whether set or not (so that removing
//! them from a configuration undoes them). A separate resource changing them would be undone by
//! the endpoint at every apply. Terraform plans the endpoint before anything that references it,
//! so a claim the separate resource makes in the provider process (as the route table
//! association does, [`super::ownership`]) comes too late to stop that.
//!
//! So the separate resource marks the endpoint in EC2: a hidden tag per setting
//! (`terraform-provider-vpce:managed-by:policy`, `...:private_dns_enabled`, see
//! [`crate::aws::managed_by`]; its value is the fingerprint of the Terraform state that holds the
//! resource), which `tags` and `tags_all` never show, like the creation marker. The endpoint's
//! plan sees the tag ([`super::endpoint`], `elsewhere.rs`, from the refresh's listing) whenever it
//! would change the setting or its configuration sets it: unset in the configuration, the setting
//! is then computed from EC2 and left alone (plan and update); set as well, the plan refuses it
//! with the conflict diagnostic the route table association gives. Within one configuration the
//! claims of [`super::ownership`] find the conflict too, whichever is planned first.
//!
//! - Create: the tag first, then ModifyVpcEndpoint (serialised per endpoint and retried while EC2
//!   says the endpoint is busy: terraform-provider-aws #42875), then the wait for the endpoint.
//! - Read: the setting as EC2 has it (a change made outside Terraform shows as drift and the next
//!   apply puts the configured value back); the tag is put back when it is missing (removed by
//!   hand, or a `moved` or import that has not written it yet). The endpoint gone: gone.
//! - Delete: `vpce_policy` resets the default full-access policy (as hashicorp/aws does);
//!   `vpce_private_dns` leaves private DNS as it is (hashicorp/aws's delete is a no-op); then the
//!   tag is removed, and the endpoint's resource manages the setting again.
//! - Import by the endpoint ID; `moved` from the hashicorp/aws counterpart (no 3.x version has
//!   either resource: the move reads the 5.x/6.x state).
//!
//! # Crash safety
//!
//! The tag is written before the setting, and removed after it is reset. An apply that dies
//! between the tag and the ModifyVpcEndpoint leaves the endpoint marked, the setting unchanged,
//! and no resource in the state: the endpoint's resource then leaves the setting alone (it never
//! undoes anything), and the next apply of the same configuration creates the separate resource
//! (the tag is written again, with the same value). If the configuration drops the separate
//! resource instead, the stale tag keeps the endpoint from managing the setting until it is
//! removed: `aws ec2 delete-tags --resources vpce-... --tags Key=terraform-provider-vpce:managed-by:policy`
//! (docs/resources/vpce_policy.md). Writing the tag first means that an endpoint planned at
//! the same time (another state) never resets a setting a separate resource is taking over.

pub(crate) mod policy;
pub(crate) mod private_dns;

use std::marker::PhantomData;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::ownership::Split;
use super::{ApplyResponse, Ctx, ImportResponse, PlanResponse};
use crate::aws::{self, AwsError, Missing, PolicyChange};
use crate::checks::validate_id;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, Model, Val};
use crate::protocol::resource::default_plan;
use crate::protocol::resource::{MoveRequest, MoveResponse};
use crate::protocol::schema::Schema;
use crate::protocol::typed::{Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::Value;

/// How long a change may wait for a busy endpoint and for the endpoint to be ready again.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The endpoint states a change waits for.
const READY: &[&str] = &["available", "pendingacceptance"];

/// A change of the endpoint's setting.
pub(crate) enum Change {
    Policy(PolicyChange),
    PrivateDns(bool),
}

/// What is each setting's own.
pub(crate) trait Setting: Send + Sync + 'static {
    type Model: Model + Default + Clone + Send + Sync;
    /// The setting, the endpoint attribute and the resource's type name.
    const SPLIT: Split;
    /// hashicorp/aws's counterpart, `aws_vpc_endpoint_policy`.
    const AWS_TYPE: &'static str;
    /// The endpoint types (as EC2 spells them) that have the setting, and why, for a diagnostic.
    const ENDPOINT_TYPES: &'static [&'static str];
    const TYPE_RULE: &'static str;

    fn endpoint(m: &Self::Model) -> &Val<String>;
    /// Static checks beyond the endpoint ID.
    fn validate(_c: &Self::Model, _d: &mut Diagnostics) {}
    /// Completes the plan (`prior`: the prior state, `fresh`: a create).
    fn plan(_prior: Option<&Self::Model>, _planned: &mut Self::Model, _config: &Self::Model, _fresh: bool) {}
    /// The state of `endpoint` as EC2 has it (`base`: the prior state or plan, for the user's spelling).
    fn from_ec2(base: Option<&Self::Model>, endpoint: &str, ep: &VpcEndpoint) -> Self::Model;
    /// The change that brings the endpoint from `prior` (None: a create) to `planned` (None: nothing to send).
    fn change(prior: Option<&Self::Model>, planned: &Self::Model, config: &Self::Model) -> Option<Change>;
    /// What a delete sends (None: nothing, the setting stays).
    fn on_delete() -> Option<Change>;
    /// The state of the hashicorp/aws counterpart's state (`moved`), for endpoint `endpoint`.
    fn from_aws(endpoint: &str, source: &serde_json::Value) -> Self::Model;
    /// Plan checks of a new resource against EC2, beyond the endpoint's existence and type.
    fn check_new<'a>(_ctx: &'a Ctx, _planned: &'a Self::Model, _ep: &'a VpcEndpoint, _diags: &'a mut Diagnostics) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// The resource of setting `S`.
pub(crate) struct SplitResource<S: Setting> {
    schema: Schema,
    setting: PhantomData<S>,
}

impl<S: Setting> SplitResource<S> {
    pub(crate) fn new() -> Self {
        SplitResource { schema: S::Model::schema(0), setting: PhantomData }
    }
}

impl<S: Setting> Default for SplitResource<S> {
    fn default() -> Self {
        Self::new()
    }
}

/// Which Terraform state this process works for: the hidden tag's value.
fn owner() -> String {
    super::ownership::state_owner()
}

fn validate<S: Setting>(c: &S::Model) -> Diagnostics {
    let mut d = Diagnostics::new();
    let endpoint = S::endpoint(c);
    validate_id(endpoint, "vpc_endpoint_id", "vpce-", "VPC endpoint", &mut d);
    if endpoint.as_str().is_some_and(|id| id.starts_with("vpce-svc-")) {
        d.attr_error(
            "vpc_endpoint_id",
            "Invalid VPC endpoint ID",
            "A `vpce-svc-...` ID is an endpoint service, not an endpoint: use the ID of the endpoint (vpce_interface.NAME.id or vpce_gateway.NAME.id).",
        );
    }
    S::validate(c, &mut d);
    d
}

fn is_endpoint_id(id: &str) -> bool {
    id.starts_with("vpce-") && !id.starts_with("vpce-svc-") && !id.contains('/')
}

/// The endpoint type's rule broken by `ep`, if it is.
fn type_error<S: Setting>(ep: &VpcEndpoint) -> Option<(String, String)> {
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default();
    if S::ENDPOINT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(&kind)) {
        return None;
    }
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let theirs = if kind.is_empty() { "an endpoint of another type".to_string() } else { format!("a {kind} endpoint") };
    Some((format!("Wrong endpoint type for {}", S::SPLIT.resource), format!("VPC endpoint {id} is {theirs}: {}", S::TYPE_RULE)))
}

/// Puts the hidden tag back on `ep` when it is missing (best effort: a failure, e.g. read-only
/// credentials, is logged and tried again at the next read).
async fn ensure_marked<S: Setting>(ctx: &Ctx, ep: &VpcEndpoint) {
    let Some(id) = ep.vpc_endpoint_id() else { return };
    if aws::managed_by(ep, S::SPLIT.attr).is_some() || ctx.ec2.writes_halted() {
        return;
    }
    match ctx.ec2.mark_managed_by(id, S::SPLIT.attr, &owner()).await {
        Ok(()) => crate::info!("marked the endpoint's setting as managed by a separate resource", "id" => id, "attr" => S::SPLIT.attr),
        Err(e) => {
            crate::warn!("cannot mark the endpoint's setting as managed by a separate resource", "id" => id, "error" => e.to_string())
        }
    }
}

/// Sends `change` to endpoint `id`.
async fn send(ctx: &Ctx, id: &str, change: &Change) -> Result<(), AwsError> {
    match change {
        Change::Policy(p) => ctx.ec2.modify_policy_exclusive(id, p, TIMEOUT, &ctx.cancel).await,
        Change::PrivateDns(on) => ctx.ec2.modify_private_dns_exclusive(id, *on, TIMEOUT, &ctx.cancel).await,
    }
}

/// A ModifyVpcEndpoint error, on the attribute it is about.
fn modify_error<S: Setting>(diags: &mut Diagnostics, summary: &str, id: &str, e: &AwsError) {
    if e.is_invalid_id(Missing::VpcEndpoint) {
        diags.attr_error("vpc_endpoint_id", summary, format!("{id}: {e}"));
    } else {
        diags.attr_error(S::SPLIT.attr, summary, format!("{id}: {e}"));
    }
}

/// Sends `change` (if any) and waits for the endpoint; the state as EC2 then has it (else
/// `planned`, with a warning).
async fn apply<S: Setting>(ctx: &Ctx, id: &str, planned: &S::Model, change: Option<Change>, diags: &mut Diagnostics) -> Result<Value, ()> {
    let what = S::SPLIT.what;
    // Nothing to send (the plan changed nothing EC2 holds): nothing to wait for either.
    let Some(change) = change else { return Ok(settled::<S>(planned, planned)) };
    if let Err(e) = send(ctx, id, &change).await {
        modify_error::<S>(diags, &format!("Cannot change the {what}"), id, &e);
        return Err(());
    }
    crate::info!(format!("changed the endpoint's {what}"), "id" => id);
    match ctx.ec2.wait_for_endpoint(id, READY, TIMEOUT, &ctx.cancel).await {
        Ok(ep) => Ok(settled::<S>(planned, &S::from_ec2(Some(planned), id, &ep))),
        Err(e) => {
            diags.warning(
                "Could not wait for the endpoint",
                format!("The {what} of {id} was changed; waiting for the endpoint to be available failed: {e}"),
            );
            Ok(settled::<S>(planned, planned))
        }
    }
}

/// The plan, its unknowns filled from `actual`, nothing unknown left.
fn settled<S: Setting>(planned: &S::Model, actual: &S::Model) -> Value {
    crate::protocol::plan::unknowns_to_null(crate::protocol::plan::overlay_planned(&planned.to_value(), &actual.to_value()))
}

impl<S: Setting> TypedResource<Ctx> for SplitResource<S> {
    type Model = S::Model;

    fn type_name(&self) -> &'static str {
        S::SPLIT.resource
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &S::Model) -> Diagnostics {
        validate::<S>(config)
    }

    async fn plan(&self, ctx: &Ctx, typed: TypedPlanRequest<'_, S::Model>) -> PlanResponse {
        let (req, config, prior) = (typed.raw, typed.config, typed.prior);
        let mut resp = default_plan(&self.schema, req);
        resp.diags.extend(validate::<S>(&config));
        let fresh = req.prior.is_null() || !resp.requires_replace.is_empty();
        let Ok(Some(mut planned)) = S::Model::decode(&resp.planned) else { return resp };
        S::plan(prior.as_ref().filter(|_| !fresh), &mut planned, &config, fresh);
        let Some(endpoint) = S::endpoint(&config).as_str().map(str::to_string) else {
            resp.planned = planned.to_value();
            return resp;
        };
        resp.planned = planned.to_value();
        if let Value::Object(m) = &mut resp.planned {
            m.insert("id".to_string(), Value::string(endpoint.clone()));
        }
        // Terraform plans a replacement twice (with the prior state, then as a create): claim once.
        if req.prior.is_null() || resp.requires_replace.is_empty() {
            if let Some((summary, detail)) = S::SPLIT.claim(&ctx.owners, &endpoint) {
                resp.diags.attr_error("vpc_endpoint_id", summary, detail);
            }
        }
        if fresh && !resp.diags.has_errors() {
            check_new::<S>(ctx, &planned, &endpoint, &mut resp.diags).await;
        }
        resp
    }

    async fn create(&self, ctx: &Ctx, planned: S::Model, config: S::Model) -> ApplyResponse {
        let mut diags = Diagnostics::new();
        let Some(id) = S::endpoint(&planned).as_str().map(str::to_string) else {
            diags.error("Provider bug: unknown values at apply", "vpc_endpoint_id must be known at apply.");
            return ApplyResponse { new_state: Value::Null, diags };
        };
        // The hidden tag first (see the module's documentation, "Crash safety").
        if let Err(e) = ctx.ec2.mark_managed_by(&id, S::SPLIT.attr, &owner()).await {
            modify_error::<S>(&mut diags, &format!("Cannot manage the {} of the endpoint", S::SPLIT.what), &id, &e);
            return ApplyResponse { new_state: Value::Null, diags };
        }
        match apply::<S>(ctx, &id, &planned, S::change(None, &planned, &config), &mut diags).await {
            Ok(new_state) => ApplyResponse { new_state, diags },
            Err(()) => {
                // Nothing changed: the endpoint's resource manages the setting again.
                if let Err(e) = ctx.ec2.unmark_managed_by(&id, S::SPLIT.attr).await {
                    crate::warn!("cannot remove the split-ownership tag after a failed create", "id" => id, "error" => e.to_string());
                }
                ApplyResponse { new_state: Value::Null, diags }
            }
        }
    }

    async fn update(&self, ctx: &Ctx, prior: S::Model, planned: S::Model, config: S::Model) -> ApplyResponse {
        let mut diags = Diagnostics::new();
        let Some(id) = S::endpoint(&prior).as_str().map(str::to_string) else {
            return ApplyResponse { new_state: prior.to_value(), diags };
        };
        if let Ok(Some(ep)) = ctx.ec2.find_vpc_endpoint(&id).await {
            ensure_marked::<S>(ctx, &ep).await;
        }
        match apply::<S>(ctx, &id, &planned, S::change(Some(&prior), &planned, &config), &mut diags).await {
            Ok(new_state) => ApplyResponse { new_state, diags },
            Err(()) => ApplyResponse { new_state: prior.to_value(), diags },
        }
    }

    async fn delete(&self, ctx: &Ctx, prior: S::Model) -> ApplyResponse {
        let mut diags = Diagnostics::new();
        let Some(id) = S::endpoint(&prior).as_str().map(str::to_string) else { return ApplyResponse::default() };
        let what = S::SPLIT.what;
        if let Some(change) = S::on_delete() {
            match send(ctx, &id, &change).await {
                Ok(()) => {
                    if let Err(e) = ctx.ec2.wait_for_endpoint(&id, READY, TIMEOUT, &ctx.cancel).await {
                        crate::debug!("waiting for the endpoint after resetting a setting", "id" => id.clone(), "error" => e.to_string());
                    }
                }
                Err(e) if e.is_missing(Missing::VpcEndpoint) => return ApplyResponse::default(),
                Err(e) => {
                    if let Ok(None) = ctx.ec2.find_vpc_endpoint(&id).await {
                        return ApplyResponse::default();
                    }
                    modify_error::<S>(&mut diags, &format!("Cannot reset the {what}"), &id, &e);
                    return ApplyResponse { new_state: prior.to_value(), diags };
                }
            }
        }
        match ctx.ec2.unmark_managed_by(&id, S::SPLIT.attr).await {
            Ok(()) => {}
            Err(e) if e.is_missing(Missing::VpcEndpoint) => {}
            Err(e) => {
                diags.error(
                    format!("Cannot hand the {what} back to the endpoint"),
                    format!(
                        "{id}: removing the tag {} failed: {e}. Until it is removed, the endpoint's resource leaves the {what} alone.",
                        aws::managed_by_key(S::SPLIT.attr)
                    ),
                );
                return ApplyResponse { new_state: prior.to_value(), diags };
            }
        }
        ApplyResponse::default()
    }

    async fn read(&self, ctx: &Ctx, current: S::Model) -> Read<S::Model> {
        let Some(id) = S::endpoint(&current).as_str().map(str::to_string) else { return Read::Gone };
        match ctx.ec2.refresh_vpc_endpoint(&id).await {
            Ok(Some(ep)) => {
                ensure_marked::<S>(ctx, &ep).await;
                Read::Found(S::from_ec2(Some(&current), &id, &ep), Diagnostics::new())
            }
            Ok(None) => {
                crate::warn!("the endpoint no longer exists; removing the resource from the state", "id" => id);
                Read::Gone
            }
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.error(format!("Cannot read the {} of the endpoint", S::SPLIT.what), format!("{id}: {e}"));
                Read::Failed(diags)
            }
        }
    }

    fn move_sources(&self) -> &[&'static str] {
        std::slice::from_ref(&S::AWS_TYPE)
    }

    /// `moved { from = aws_vpc_endpoint_policy.x  to = vpce_policy.x }`: the AWS provider's state
    /// (`id` = `vpc_endpoint_id`, the setting) becomes ours; the next refresh reads the setting
    /// and tags the endpoint.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        match move_from_aws::<S>(&req) {
            Ok(state) => MoveResponse { state: state.to_value(), identity: None, diags: Diagnostics::new() },
            Err(detail) => {
                let mut diags = Diagnostics::new();
                diags.error(format!("Cannot move the {}", S::SPLIT.resource), detail);
                MoveResponse::refused(diags)
            }
        }
    }

    async fn import(&self, ctx: &Ctx, id: String) -> ImportResponse {
        let mut diags = Diagnostics::new();
        let id = id.trim().to_string();
        let refused = |diags| ImportResponse { state: Value::Null, diags };
        if !is_endpoint_id(&id) {
            diags.error(
                "Invalid import ID",
                format!("\"{id}\" is not a VPC endpoint ID: import a {} by its endpoint's ID, for example terraform import {}.example vpce-0123456789abcdef0", S::SPLIT.resource, S::SPLIT.resource),
            );
            return refused(diags);
        }
        match ctx.ec2.find_vpc_endpoint(&id).await {
            Ok(Some(ep)) => {
                if let Some((summary, detail)) = type_error::<S>(&ep) {
                    diags.error(format!("Cannot import: {summary}"), detail);
                    return refused(diags);
                }
                ensure_marked::<S>(ctx, &ep).await;
                ImportResponse { state: S::from_ec2(None, &id, &ep).to_value(), diags }
            }
            Ok(None) => {
                diags.error("Cannot import: endpoint not found", format!("VPC endpoint {id} does not exist in {}.", ctx.ec2.region()));
                refused(diags)
            }
            Err(e) => {
                diags.error(format!("Cannot import the {}", S::SPLIT.resource), format!("{id}: {e}"));
                refused(diags)
            }
        }
    }
}

/// Plan-time checks of a new resource against EC2: the endpoint exists, has the setting, and no
/// separate resource of another Terraform state manages it already.
async fn check_new<S: Setting>(ctx: &Ctx, planned: &S::Model, endpoint: &str, diags: &mut Diagnostics) {
    let ep = match ctx.ec2.find_vpc_endpoint(endpoint).await {
        Ok(Some(ep)) => ep,
        Ok(None) => {
            diags.attr_error(
                "vpc_endpoint_id",
                "VPC endpoint not found",
                format!("VPC endpoint {endpoint} does not exist in {}.", ctx.ec2.region()),
            );
            return;
        }
        Err(e) => {
            diags.warning(format!("Cannot check the {}", S::SPLIT.resource), format!("{endpoint}: {e}"));
            return;
        }
    };
    if let Some((summary, detail)) = type_error::<S>(&ep) {
        diags.attr_error("vpc_endpoint_id", summary, detail);
        return;
    }
    let (res, what) = (S::SPLIT.resource, S::SPLIT.what);
    if aws::managed_by(&ep, S::SPLIT.attr).is_some_and(|o| o != owner()) {
        diags.attr_error(
            "vpc_endpoint_id",
            format!("{} already managed", super::ownership::capitalised(what)),
            format!(
                "The {what} of {endpoint} is already managed by a {res} of another Terraform state (the endpoint carries its tag {}). One setting must have one owner: import it to manage it here (terraform import {res}.NAME {endpoint}) after removing it from the other state, or drop this {res}.",
                aws::managed_by_key(S::SPLIT.attr)
            ),
        );
        return;
    }
    S::check_new(ctx, planned, &ep, diags).await;
}

/// Our state from the AWS provider's state; why not, for a diagnostic.
fn move_from_aws<S: Setting>(req: &MoveRequest) -> Result<S::Model, String> {
    let provider = req.source_provider_address.trim_end_matches('/');
    let (aws, ours) = (S::AWS_TYPE, S::SPLIT.resource);
    if !(provider.ends_with("hashicorp/aws") || provider.ends_with("opentofu/aws")) {
        return Err(format!(
            "The source is a {} of {provider}; {ours} takes the state of hashicorp/aws's {aws} only.",
            req.source_type_name
        ));
    }
    let field = |name: &str| req.source_state.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
    let Some(endpoint) = field("vpc_endpoint_id").or(field("id")) else {
        return Err(format!(
            "The {aws} state has no vpc_endpoint_id (state: {}). Remove the `moved` block and import instead: terraform import {ours}.NAME <vpc_endpoint_id>",
            req.source_state
        ));
    };
    if !is_endpoint_id(endpoint) {
        return Err(format!("The {aws} state names endpoint \"{endpoint}\", which is not a VPC endpoint ID."));
    }
    Ok(S::from_aws(endpoint, &req.source_state))
}

#[cfg(test)]
mod tests;
