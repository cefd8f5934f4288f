//! The endpoint lifecycle both resources share, written once:
//! - the [`Endpoint`] trait: what differs between `vpce_gateway` and `vpce_interface` (model and
//!   schema, static validation, EC2-fact checks at plan, the create request, the modify request,
//!   how a read completes the state); every [`Endpoint`] is a [`Resource`] through this module;
//! - plan (service-name respelling, replacement of failed endpoints, schema-driven planning and
//!   plan modifiers, the policy), create (adopt, wait, save what exists), update (modify, tags,
//!   wait, read back), delete, read and import, with one set of diagnostics;
//! - crash-safe creation (adopt an orphan of an interrupted create, retry an unknown outcome with
//!   the same ClientToken, find what a failed create made), and the removal of the creation
//!   marker once Terraform's state holds an endpoint. The design and its limits:
//!   docs/guides/crash-safety.md.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{VpcEndpoint, VpcEndpointType};
use futures::future::BoxFuture;
use std::future::Future;

use crate::aws::{self, AwsError, Missing, SdkResultExt, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{self, Field, Map, Model, Val};
use crate::protocol::plan::{overlay_planned, unknowns_to_null};
use crate::protocol::resource::{Identity, IdentityAttribute, IdentitySchema};
use crate::protocol::schema::Schema;
use crate::protocol::typed::{decode, Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::{PathStep, Type, Value};

pub(crate) mod moves;

use super::timeouts::{self, Op, Timeouts};
use super::{policy, tags, ApplyResponse, Ctx, ImportResponse, MoveRequest, MoveResponse, PlanResponse};

// ---------------------------------------------------------------------------------------------
// What an endpoint resource is
// ---------------------------------------------------------------------------------------------

/// What [`Endpoint::read`] gives: the endpoint as the model and the read's diagnostics, or `None`
/// when it is gone.
pub(crate) type ReadResult<M> = Result<Option<(M, Diagnostics)>, AwsError>;

/// The attributes every endpoint model has (implemented by [`endpoint_model!`]).
pub(crate) trait EndpointModel: Model + Clone + Default + Send + Sync + 'static {
    fn id(&self) -> &Val<String>;
    fn id_mut(&mut self) -> &mut Val<String>;
    fn vpc_id(&self) -> &Val<String>;
    fn service_name(&self) -> &Val<String>;
    fn policy(&self) -> &Val<String>;
    fn policy_mut(&mut self) -> &mut Val<String>;
    fn tags(&self) -> &Val<Map<String>>;
    fn tags_mut(&mut self) -> &mut Val<Map<String>>;
    fn tags_all(&self) -> &Val<Map<String>>;
    fn tags_all_mut(&mut self) -> &mut Val<Map<String>>;
    fn state(&self) -> &Val<String>;
    fn timeouts(&self) -> &Val<Timeouts>;
}

/// Implements [`EndpointModel`] for a model with the fields of that name.
macro_rules! endpoint_model {
    ($t:ty) => {
        impl $crate::resources::endpoint::EndpointModel for $t {
            fn id(&self) -> &Val<String> {
                &self.id
            }
            fn id_mut(&mut self) -> &mut Val<String> {
                &mut self.id
            }
            fn vpc_id(&self) -> &Val<String> {
                &self.vpc_id
            }
            fn service_name(&self) -> &Val<String> {
                &self.service_name
            }
            fn policy(&self) -> &Val<String> {
                &self.policy
            }
            fn policy_mut(&mut self) -> &mut Val<String> {
                &mut self.policy
            }
            fn tags(&self) -> &Val<$crate::protocol::model::Map<String>> {
                &self.tags
            }
            fn tags_mut(&mut self) -> &mut Val<$crate::protocol::model::Map<String>> {
                &mut self.tags
            }
            fn tags_all(&self) -> &Val<$crate::protocol::model::Map<String>> {
                &self.tags_all
            }
            fn tags_all_mut(&mut self) -> &mut Val<$crate::protocol::model::Map<String>> {
                &mut self.tags_all
            }
            fn state(&self) -> &Val<String> {
                &self.state
            }
            fn timeouts(&self) -> &Val<$crate::resources::timeouts::Timeouts> {
                &self.timeouts
            }
        }
    };
}
pub(crate) use endpoint_model;

/// What a create sends beyond the endpoint type, VPC, service, token and tags.
pub(crate) struct CreateRequest {
    /// Every setting of the request, canonically written (see [`NewEndpoint::settings`]).
    pub(crate) settings: String,
    /// Adds the resource's settings to the request.
    pub(crate) build: Box<dyn Fn(CreateVpcEndpointFluentBuilder) -> CreateVpcEndpointFluentBuilder + Send + Sync>,
}

/// What differs between the endpoint resources. Every `Endpoint` is a [`Resource`].
pub(crate) trait Endpoint: Send + Sync + 'static {
    type Model: EndpointModel;
    /// The Terraform resource type, `vpce_gateway`.
    const TYPE_NAME: &'static str;
    /// What users call it, `gateway endpoint`.
    const KIND: &'static str;
    /// The EC2 endpoint type, as EC2 spells it (`Gateway`).
    const EC2_TYPE: &'static str;
    /// A resource address for messages, `vpce_gateway.s3`.
    const EXAMPLE_ADDRESS: &'static str;
    /// The (lowercase) states in which the endpoint is ready after a create or a modify.
    const READY: &'static [&'static str];

    fn schema(&self) -> &Schema;

    /// Static checks of the configuration (no AWS calls).
    fn validate(&self, config: &Self::Model) -> Diagnostics;

    /// Replacements beyond the force-new attributes, from a configuration that differs from the
    /// prior state.
    fn replacements(&self, prior: &Self::Model, config: &Self::Model) -> Vec<Vec<PathStep>>;

    /// Completes the plan the core made (see [`plan_models`]).
    fn complete_plan(&self, _prior: Option<&Self::Model>, _planned: &mut Self::Model, _config: &Self::Model, _fresh: bool) {}

    /// Checks of the completed plan against the configuration (no AWS calls), e.g. what other
    /// resources of the configuration manage (see [`super::association::ownership`]).
    fn check_config(&self, _planned: &Self::Model, _config: &Self::Model, _fresh: bool, _diags: &mut Diagnostics) {}

    /// Checks the plan against EC2 (only what the plan changes; errors block the plan, lookup
    /// failures are warnings).
    fn check_plan<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a Self::Model>,
        planned: &'a Self::Model,
        fresh: bool,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, ()>;

    /// The attribute an EC2 error code of a create or modify is about, beyond the VPC, the
    /// service and the policy.
    fn error_attr(&self, code: &str) -> Option<&'static str>;

    /// The state of `ep` from the endpoint alone, with `base` (prior state, plan or a new model)
    /// supplying what EC2 does not say or what the user wrote differently but equivalently.
    fn state_from_endpoint(&self, region: &str, base: &Self::Model, ep: &VpcEndpoint) -> Self::Model;

    /// The state of `ep` (described already), completed with further lookups; `check` (read and
    /// import) adds what only a refresh needs, with warnings about what is wrong.
    fn describe<'a>(
        &'a self,
        ctx: &'a Ctx,
        base: &'a Self::Model,
        ep: &'a VpcEndpoint,
        check: bool,
    ) -> BoxFuture<'a, (Self::Model, Diagnostics)>;

    /// Reads endpoint `current.id` (None when it is gone) and describes it. `check` is set for
    /// Terraform's refresh (ReadResource): the read's checks run, and the endpoint may come from
    /// the process's read-ahead listing ([`find_endpoint`]).
    fn read<'a>(&'a self, ctx: &'a Ctx, current: &'a Self::Model, check: bool) -> BoxFuture<'a, ReadResult<Self::Model>> {
        Box::pin(async move {
            let Some(id) = current.id().as_str().filter(|s| !s.is_empty()) else { return Ok(None) };
            let Some(ep) = find_endpoint(ctx, id, current.state().as_str(), check).await? else { return Ok(None) };
            settle_marker(ctx, &ep);
            let (state, diags) = self.describe(ctx, current, &ep, check).await;
            Ok(Some((with_tags(ctx, current, state), diags)))
        })
    }

    /// The model an import (or a list resource's result) of `ep` starts from, before
    /// [`Endpoint::describe`]: what a create with the configuration that made `ep` would most
    /// likely have stored beyond what EC2 says (by default nothing).
    fn import_base(&self, _ep: &VpcEndpoint) -> Self::Model {
        Self::Model::default()
    }

    /// The state of a hashicorp/aws `aws_vpc_endpoint` of this type, for `moved` ([`moves`]).
    fn moved_from_aws(&self, source: &moves::AwsEndpoint) -> Self::Model;

    /// The resource's part of the create request; `None` (with errors in `diags`) to create nothing.
    fn create_request<'a>(
        &'a self,
        ctx: &'a Ctx,
        planned: &'a Self::Model,
        config: &'a Self::Model,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Option<CreateRequest>>;

    /// What the plan asks for once the endpoint is ready after a create (`prior` None) or an
    /// update (`ep`: the endpoint as the waiter last read it, None when nothing was modified), such
    /// as accepting its connection; the endpoint as it then is (or `ep`). Problems are warnings or
    /// errors in `diags`; the endpoint stays in the state either way.
    fn settle<'a>(
        &'a self,
        _ctx: &'a Ctx,
        _prior: Option<&'a Self::Model>,
        _planned: &'a Self::Model,
        ep: Option<VpcEndpoint>,
        _diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Option<VpcEndpoint>> {
        Box::pin(async move { ep })
    }

    /// Adds the changes from `prior` to `planned` but the policy to `req`, and whether there are
    /// some; `Err(())` (with errors in `diags`) to change nothing.
    fn modify_request<'a>(
        &'a self,
        ctx: &'a Ctx,
        req: ModifyVpcEndpointFluentBuilder,
        prior: &'a Self::Model,
        planned: &'a Self::Model,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, Result<(ModifyVpcEndpointFluentBuilder, bool), ()>>;
}

/// How long a read looks again for an endpoint never seen past `pending` (its create was
/// interrupted or timed out) that DescribeVpcEndpoints does not show, before concluding it is gone.
const FRESH_NOT_FOUND_GRACE: Duration = Duration::from_secs(30);

/// How long an update waits at most for EC2 to show a tag change.
const TAGS_VISIBLE_WAIT: Duration = Duration::from_secs(120);

/// The endpoint (`None` when it does not exist or is deleted). EC2 is eventually consistent: a new
/// endpoint may be missing from DescribeVpcEndpoints for a while. An endpoint whose last known
/// state is `pending` (or none) may be that new, so it is looked for again for
/// [`FRESH_NOT_FOUND_GRACE`] rather than reported deleted out of band (which would drop it from the
/// state and orphan it). A `refresh` (Terraform's ReadResource) may be answered from the process's
/// read-ahead listing of the region's endpoints ([`aws::Ec2::refresh_vpc_endpoint`]).
pub(crate) async fn find_endpoint(ctx: &Ctx, id: &str, last_state: Option<&str>, refresh: bool) -> Result<Option<VpcEndpoint>, AwsError> {
    let found = if refresh { ctx.ec2.refresh_vpc_endpoint(id).await? } else { ctx.ec2.find_vpc_endpoint(id).await? };
    let fresh = last_state.is_none_or(|s| s.is_empty() || s.eq_ignore_ascii_case("pending"));
    if found.is_some() || !fresh {
        return Ok(found);
    }
    crate::info!("a new endpoint is not visible yet (eventual consistency); looking again", "id" => id);
    ctx.ec2.wait_until_visible(id, FRESH_NOT_FOUND_GRACE, &ctx.cancel).await
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// The new state after an apply: the plan, its unknowns filled from `actual`, nothing unknown left.
fn settled<M: Model>(planned: &M, actual: &M) -> Value {
    unknowns_to_null(overlay_planned(&planned.to_value(), &actual.to_value()))
}

/// What to reconcile a read against after apply: the plan, with the configured policy (known by
/// now even if it was not at plan time) so that the user's spelling of it is kept.
fn read_basis<M: EndpointModel>(planned: &M, config: &M) -> M {
    let mut basis = planned.clone();
    if let (Val::Known(p), false) = (config.policy(), planned.policy().is_known()) {
        *basis.policy_mut() = Val::Known(p.clone());
    }
    basis
}

/// `state` (as [`Endpoint::state_from_endpoint`] makes it: `tags_all` holds every tag EC2 reports)
/// with `tags` and `tags_all` as the provider's tag settings make them, `base` (prior state, plan,
/// or nothing for an import) telling which keys `tags` holds. Applying it again changes nothing.
pub(crate) fn with_tags<M: EndpointModel>(ctx: &Ctx, base: &M, mut state: M) -> M {
    let (own, all) = ctx.tags.read(base.tags(), state.tags_all().string_map());
    *state.tags_mut() = own;
    *state.tags_all_mut() = all;
    state
}

/// Every tag the endpoint of `m` is to have: the planned `tags_all`, else (not known, which a plan
/// made with the provider configured leaves only for values unknown until apply) the default
/// tags merged with `tags`, else `tags`.
fn all_tags<M: EndpointModel>(ctx: &Ctx, m: &M) -> Val<Map<String>> {
    match m.tags_all() {
        Val::Known(_) => m.tags_all().clone(),
        _ => match ctx.tags.merged(&m.tags().string_map()) {
            Some(all) => Val::Known(all.into_iter().collect()),
            None => m.tags().clone(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

/// An AWS error on a create/modify call, pointing at the attribute it is about when possible.
fn api_error<E: Endpoint>(e: &E, diags: &mut Diagnostics, summary: &str, detail: String, err: &AwsError) {
    let code = err.code.as_deref().unwrap_or_default();
    let attr = if code.starts_with("InvalidVpcID") || code.starts_with("InvalidVpcId") {
        Some("vpc_id")
    } else if code.starts_with("InvalidServiceName") {
        Some("service_name")
    } else if let Some(a) = e.error_attr(code) {
        Some(a)
    } else if code.contains("Policy") {
        Some("policy")
    } else {
        None
    };
    match attr {
        Some(a) => diags.attr_error(a, summary, detail),
        None => diags.error(summary, detail),
    }
}

/// Reports a failed wait as an error diagnostic; `saved` tells what the state now holds.
pub(crate) fn wait_error(diags: &mut Diagnostics, e: WaitError, id: &str, waiting_for: &str, saved: &str) {
    match e {
        WaitError::Cancelled => diags.error("Interrupted", format!("Terraform was interrupted while waiting for VPC endpoint {id} {waiting_for}. {saved}")),
        WaitError::Timeout(last) => diags.error(
            "Timed out",
            format!("VPC endpoint {id} was still {last} when the timeout passed while waiting for it {waiting_for}. {saved} Raise the timeout in the `timeouts` block if this service is slow."),
        ),
        other => diags.error("VPC endpoint failed", format!("While waiting for VPC endpoint {id} {waiting_for}: {other}. {saved}")),
    }
}

/// "Gateway endpoint" for "gateway endpoint".
fn capitalized(kind: &str) -> String {
    let mut c = kind.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// "a" or "an" before `word`.
fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

// ---------------------------------------------------------------------------------------------
// The resource
// ---------------------------------------------------------------------------------------------

/// An [`Endpoint`] as a typed tfplugin resource (the registry holds these, in
/// [`Typed`](crate::protocol::typed::Typed)).
pub(crate) struct AsResource<E>(pub E);

impl<E: Endpoint> TypedResource<Ctx> for AsResource<E> {
    type Model = E::Model;

    fn type_name(&self) -> &'static str {
        E::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Endpoint::schema(&self.0).clone()
    }

    fn validate(&self, config: &E::Model) -> Diagnostics {
        Endpoint::validate(&self.0, config)
    }

    fn move_sources(&self) -> &[&'static str] {
        &[moves::AWS_VPC_ENDPOINT]
    }

    /// From the AWS provider's state alone: no EC2 call.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        moves::move_state(&self.0, &req)
    }

    async fn plan(&self, ctx: &Ctx, req: TypedPlanRequest<'_, E::Model>) -> PlanResponse {
        plan(&self.0, ctx, req).await
    }

    async fn create(&self, ctx: &Ctx, planned: E::Model, config: E::Model) -> ApplyResponse {
        create(&self.0, ctx, planned, &config).await
    }

    async fn update(&self, ctx: &Ctx, prior: E::Model, planned: E::Model, config: E::Model) -> ApplyResponse {
        update(&self.0, ctx, &prior, &planned, &config).await
    }

    async fn delete(&self, ctx: &Ctx, prior: E::Model) -> ApplyResponse {
        delete::<E>(ctx, &prior).await
    }

    async fn read(&self, ctx: &Ctx, current: E::Model) -> Read<E::Model> {
        let id = current.id().as_str().unwrap_or_default().to_string();
        match Endpoint::read(&self.0, ctx, &current, true).await {
            Ok(Some((new_state, diags))) => Read::Found(with_tags(ctx, &current, new_state), diags),
            Ok(None) => {
                crate::warn!(format!("{} no longer exists; removing it from the state", E::KIND), "id" => id);
                Read::Gone
            }
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.error(format!("Cannot read the {}", E::KIND), format!("{id}: {e}"));
                Read::Failed(diags)
            }
        }
    }

    fn import(&self, ctx: &Ctx, id: String) -> impl Future<Output = ImportResponse> + Send {
        import(&self.0, ctx, id)
    }

    fn import_identity(&self, ctx: &Ctx, identity: Value) -> impl Future<Output = ImportResponse> + Send {
        import_by_identity(&self.0, ctx, identity)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(&*IDENTITY)
    }
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

/// The resource identity of both endpoint resources (Terraform 1.12+): `{ id, region,
/// account_id }`, sent with every read, plan, apply and import, and by the list resources.
pub(crate) struct EndpointIdentity {
    schema: IdentitySchema,
}

pub(crate) static IDENTITY: LazyLock<EndpointIdentity> = LazyLock::new(|| {
    EndpointIdentity {
    schema: IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute::required("id", Type::String, "The endpoint ID, `vpce-...`."),
            IdentityAttribute::optional(
                "region",
                Type::String,
                "The endpoint's region. Optional for import: it must be the provider's region when given.",
            ),
            IdentityAttribute::optional(
                "account_id",
                Type::String,
                "The AWS account that owns the endpoint. Optional for import: it must be the account of the provider's credentials when given.",
            ),
        ],
    },
}
});

/// The region in an endpoint ARN (`arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/ID`).
fn region_of_arn(arn: &Value) -> Value {
    match arn {
        Value::String(arn) => arn.split(':').nth(3).filter(|r| !r.is_empty()).map_or(Value::Null, Value::string),
        Value::Unknown(_) => Value::unknown(),
        _ => Value::Null,
    }
}

impl EndpointIdentity {
    /// The identity of an endpoint EC2 described, in `region`.
    pub(crate) fn of_endpoint(region: &str, ep: &VpcEndpoint) -> Value {
        let opt = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or(Value::Null, Value::string);
        Value::object([("id", opt(ep.vpc_endpoint_id())), ("region", Value::string(region)), ("account_id", opt(ep.owner_id()))])
    }
}

impl Identity for EndpointIdentity {
    fn schema(&self) -> &IdentitySchema {
        &self.schema
    }

    /// From the state: `id`, `owner_id`, and the region of the `arn` (made with the provider's).
    fn of(&self, state: &Value) -> Value {
        Value::object([
            ("id", state.get("id").clone()),
            ("region", region_of_arn(state.get("arn"))),
            ("account_id", state.get("owner_id").clone()),
        ])
    }

    fn import_id(&self, identity: &Value) -> Option<String> {
        identity.get("id").as_str().map(str::to_string)
    }
}

/// `import { identity = { id = "vpce-...", region = "...", account_id = "..." } }`: the region
/// and account, when given, must be the provider's (an endpoint of another region or account is
/// not reachable with this provider configuration).
async fn import_by_identity<E: Endpoint>(e: &E, ctx: &Ctx, identity: Value) -> ImportResponse {
    let mut diags = Diagnostics::new();
    let refused = |diags| ImportResponse { state: Value::Null, diags };
    let Some(id) = identity.get("id").as_str().map(str::to_string) else {
        diags.error("Invalid import identity", format!("The identity of {} {} needs its `id` (\"vpce-...\").", article(E::KIND), E::KIND));
        return refused(diags);
    };
    let region = ctx.ec2.region();
    if let Some(wanted) = identity.get("region").as_str().filter(|r| *r != region) {
        diags.error(
            "Region does not match the provider",
            format!(
                "The identity of {id} names region {wanted}, but this provider is configured for {region}. Import it with a provider configured for {wanted}: an aliased `provider \"vpce\" {{ alias = \"...\" region = \"{wanted}\" }}` and `provider = vpce.ALIAS` in the import block."
            ),
        );
        return refused(diags);
    }
    let resp = import(e, ctx, id.clone()).await;
    if let (Some(wanted), Some(owner)) = (identity.get("account_id").as_str(), resp.state.get("owner_id").as_str()) {
        if wanted != owner {
            let mut diags = resp.diags;
            diags.error(
                "Account does not match the provider",
                format!(
                    "The identity of {id} names account {wanted}, but the provider's credentials are for account {owner}, which owns {id} in {region}. Use credentials of account {wanted} (a provider configured with its profile or role), or correct `account_id`."
                ),
            );
            return refused(diags);
        }
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

/// States of an endpoint that never becomes usable.
const DEAD_STATES: &[&str] = &["failed", "rejected", "expired"];

/// A plan as the core and the resource make it, before the checks against EC2.
pub(crate) struct PlannedModels<M> {
    pub(crate) prior: Option<M>,
    pub(crate) planned: M,
    pub(crate) replace: Vec<Vec<PathStep>>,
    /// A new endpoint is planned (create or replacement).
    pub(crate) fresh: bool,
}

/// Plans a change (no AWS calls): static validation of the configuration (it may hold values
/// that were unknown when it was validated), the resource's replacements, replacement of a dead
/// endpoint, the service-name respelling, schema-driven planning and plan modifiers, the policy,
/// then the resource's completion. `None` when there is nothing to plan or a value does not fit
/// the model (an error in `diags`).
pub(crate) fn plan_models<E: Endpoint>(
    e: &E,
    region: &str,
    req: TypedPlanRequest<'_, E::Model>,
    diags: &mut Diagnostics,
) -> Option<PlannedModels<E::Model>> {
    let TypedPlanRequest { prior, config, raw: req } = req;
    diags.extend(Endpoint::validate(e, &config));

    let mut replace = prior.as_ref().map(|p| e.replacements(p, &config)).unwrap_or_default();
    // An endpoint EC2 reports failed, rejected or expired never becomes usable: replace it (e.g.
    // one saved by an interrupted create that then failed).
    if prior.as_ref().and_then(|p| p.state().as_str()).is_some_and(|s| DEAD_STATES.contains(&s.to_ascii_lowercase().as_str())) {
        replace.push(vec![PathStep::Attr("state".to_string())]);
    }
    // `ssm` and `com.amazonaws.<provider region>.ssm` name the same service: no replacement and
    // no change; the plan keeps the prior spelling (Terraform accepts the prior value for a
    // configured one that means the same), so that a respelled configuration, or an import
    // (which reads EC2's full name) under a configuration that spells it short, plans nothing.
    let respelled = match (prior.as_ref().and_then(|p| p.service_name().as_str()), config.service_name().as_str()) {
        (Some(old), Some(new)) => old != new && aws::resolve_service_name(old, region) == aws::resolve_service_name(new, region),
        _ => false,
    };
    let (mut proposed, mut cfg) = (req.proposed.clone(), req.config.clone());
    if let (true, Some(prior)) = (respelled, &prior) {
        for v in [&mut proposed, &mut cfg] {
            if let Value::Object(m) = v {
                m.insert("service_name".to_string(), prior.service_name().to_value());
            }
        }
    }
    let mut p = crate::protocol::plan::plan(&Endpoint::schema(e).block, &req.prior, &proposed, &cfg, replace);
    model::apply_modifiers::<E::Model>(&mut p.value, &req.config);
    let mut planned = match decode::<E::Model>(&p.value, "plan") {
        Ok(Some(planned)) => planned,
        Ok(None) => return None,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    // Policy: semantic comparison; removal from the configuration means "reset to the default".
    let prior_policy = prior.as_ref().map(|p| p.policy().clone()).unwrap_or_default();
    if let Some(v) = policy::plan(&prior_policy, config.policy(), p.fresh) {
        *planned.policy_mut() = v;
    }
    e.complete_plan(prior.as_ref(), &mut planned, &config, p.fresh);
    e.check_config(&planned, &config, p.fresh, diags);
    Some(PlannedModels { prior, planned, replace: p.replace, fresh: p.fresh })
}

/// [`plan_models`] of raw request values, decoded as the adapter decodes them (for tests).
#[cfg(test)]
pub(crate) fn plan_values<E: Endpoint>(
    e: &E,
    region: &str,
    req: &crate::protocol::resource::PlanRequest,
    diags: &mut Diagnostics,
) -> Option<PlannedModels<E::Model>> {
    let prior = decode::<E::Model>(&req.prior, "prior state").ok()?;
    let config = decode::<E::Model>(&req.config, "configuration").ok()??;
    plan_models(e, region, TypedPlanRequest { prior, config, raw: req }, diags)
}

async fn plan<E: Endpoint>(e: &E, ctx: &Ctx, req: TypedPlanRequest<'_, E::Model>) -> PlanResponse {
    let mut diags = Diagnostics::new();
    let replaced_private = super::ec2_rules::replaced_id(&req.raw.prior_private);
    let Some(mut p) = plan_models(e, ctx.ec2.region(), req, &mut diags) else {
        return PlanResponse { diags, ..Default::default() };
    };
    // tags_all: the default tags merged with the resource's (known when both are).
    let tags_all = ctx.tags.plan(p.planned.tags());
    tags::validate_merged(&tags_all, p.planned.tags(), &mut diags);
    tags::warn_ignored(&ctx.tags, p.prior.as_ref().map(|m| m.tags()), p.planned.tags(), &mut diags);
    *p.planned.tags_all_mut() = tags_all;
    // Terraform plans the create of a replacement with no prior state: the replaced endpoint's id
    // comes through the private data that the plan of the replaced object returned.
    let prior_id = p.prior.as_ref().and_then(|m| m.id().as_str().map(str::to_string));
    let replaced = if p.prior.is_none() { replaced_private } else { None };
    super::ec2_rules::replacing(replaced, e.check_plan(ctx, p.prior.as_ref(), &p.planned, p.fresh, &mut diags)).await;
    let planned_private = Some(super::ec2_rules::private_for(prior_id.as_deref()));
    PlanResponse { planned: p.planned.to_value(), requires_replace: p.replace, diags, planned_private }
}

// ---------------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------------

async fn create<E: Endpoint>(e: &E, ctx: &Ctx, mut planned: E::Model, config: &E::Model) -> ApplyResponse {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    let region = ctx.ec2.region().to_string();
    let (Some(vpc_id), Some(service)) = (planned.vpc_id().as_str().map(str::to_string), planned.service_name().as_str()) else {
        diags.error("Provider bug: unknown values at apply", "vpc_id and service_name must be known when the endpoint is created.");
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let service = aws::resolve_service_name(service, &region);
    let Some(req) = e.create_request(ctx, &planned, config, &mut diags).await else {
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let tags = all_tags(ctx, &planned).string_map();
    let endpoint_type = VpcEndpointType::from(E::EC2_TYPE);
    let new = NewEndpoint {
        endpoint_type: endpoint_type.clone(),
        vpc_id: &vpc_id,
        service: &service,
        settings: format!("{}|{vpc_id}|{service}|{}", E::EC2_TYPE, req.settings),
        tags: &tags,
        timeout: timeouts::timeout(planned.timeouts(), Op::Create),
    };
    let build = || {
        (req.build)(ctx.ec2.client().create_vpc_endpoint().vpc_endpoint_type(endpoint_type.clone()).vpc_id(&vpc_id).service_name(&service))
    };
    let ep = match create_endpoint(ctx, new, build).await {
        Created::New(ep, others) => {
            warn_other_orphans(&mut diags, &others);
            ep
        }
        Created::Adopted(ep) => return adopt(e, ctx, planned, config, &ep).await,
        Created::Failed(err) => {
            let detail = match err.not_sent {
                true => format!("{err}\n\nThe request never reached EC2 (no connection could be made), so no endpoint was created. Check the provider's EC2 endpoint and the network."),
                false => err.to_string(),
            };
            api_error(e, &mut diags, &format!("Cannot create the {}", E::KIND), detail, &err);
            return ApplyResponse { new_state: Value::Null, diags };
        }
    };
    let id = ep.vpc_endpoint_id().unwrap_or_default().to_string();
    crate::info!(format!("created {}", E::KIND), "id" => id.clone(), "service" => service.clone());

    // From here on the endpoint exists: every path returns a state holding it.
    *planned.id_mut() = Val::Known(id.clone());
    // What is saved when the wait does not end: the endpoint as created, `pending` whatever the
    // create's answer said (it was not seen ready since), so that the next refresh gives it time
    // to show up in DescribeVpcEndpoints (see `find_endpoint`).
    let mut created = ep.clone();
    created.state = Some(aws_sdk_ec2::types::State::Pending);
    let partial = |planned: &E::Model| settled(planned, &with_tags(ctx, planned, e.state_from_endpoint(&region, planned, &created)));
    let saved = "The endpoint was created and is saved in the state (marked tainted): the next apply replaces it.";
    let timeout = timeouts::timeout(planned.timeouts(), Op::Create).saturating_sub(started.elapsed());
    // An endpoint that CreateVpcEndpoint answered ready (EC2 makes gateway endpoints at once) is
    // not read again: the answer is the endpoint as it now is. Otherwise (`pending`) wait.
    let answered_ready = E::READY.contains(&aws::state_str(&ep).as_str());
    let waited = match answered_ready {
        true => Ok(ep.clone()),
        false => ctx.ec2.wait_for_endpoint(&id, E::READY, &[], timeout, &ctx.cancel).await,
    };
    match waited {
        Ok(ready) => {
            // The waiter's last read is the endpoint as it is now: no need to describe it again.
            let ready = e.settle(ctx, None, &planned, Some(ready.clone()), &mut diags).await.unwrap_or(ready);
            let basis = read_basis(&planned, config);
            let (actual, _warnings) = e.describe(ctx, &basis, &ready, false).await;
            let actual = with_tags(ctx, &basis, actual);
            ApplyResponse { new_state: settled(&planned, &actual), diags }
        }
        Err(WaitError::Cancelled) => {
            // Interrupted (Ctrl-C) after EC2 accepted the create: the endpoint is recorded as
            // created, not tainted, so the next apply does not replace a healthy endpoint; the
            // next refresh reads its state (a failed endpoint is then planned for replacement).
            diags.warning(
                "Interrupted while the endpoint was being created",
                format!("VPC endpoint {id} was created and is saved in the state; Terraform was interrupted before it became available. The next plan reads its state again."),
            );
            ApplyResponse { new_state: partial(&planned), diags }
        }
        Err(err) => {
            wait_error(&mut diags, err, &id, "to become available", saved);
            // The state shows the endpoint as EC2 does now (e.g. `failed`), else as created.
            let new_state = match ctx.ec2.find_vpc_endpoint(&id).await {
                Ok(Some(now)) => settled(&planned, &e.state_from_endpoint(&region, &planned, &now)),
                _ => partial(&planned),
            };
            ApplyResponse { new_state, diags }
        }
    }
}

/// Takes over an orphan of an interrupted create in place of a new endpoint, then brings it to
/// the plan: the update starts from the endpoint as EC2 has it (its tags may be another
/// resource's of the same configuration, e.g. another `count` index).
async fn adopt<E: Endpoint>(e: &E, ctx: &Ctx, mut planned: E::Model, config: &E::Model, ep: &VpcEndpoint) -> ApplyResponse {
    let id = ep.vpc_endpoint_id().unwrap_or_default().to_string();
    *planned.id_mut() = Val::Known(id.clone());
    let prior = with_tags(ctx, &planned, e.state_from_endpoint(ctx.ec2.region(), &planned, ep));
    let mut resp = update(e, ctx, &prior, &planned, config).await;
    resp.diags.warning(
        "Adopted an endpoint from an interrupted apply",
        format!("VPC endpoint {id} was created by an earlier apply that was interrupted before Terraform saved it; it is used instead of creating a duplicate."),
    );
    resp
}

// ---------------------------------------------------------------------------------------------
// Update
// ---------------------------------------------------------------------------------------------

/// What an update returns when a step fails: the endpoint as it now is, else the prior state.
async fn current_state<E: Endpoint>(e: &E, ctx: &Ctx, prior: &E::Model) -> Value {
    match Endpoint::read(e, ctx, prior, false).await {
        Ok(Some((s, _))) => with_tags(ctx, prior, s).to_value(),
        _ => prior.to_value(),
    }
}

async fn update<E: Endpoint>(e: &E, ctx: &Ctx, prior: &E::Model, planned: &E::Model, config: &E::Model) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let Some(id) = prior.id().as_str().map(str::to_string) else {
        diags.error("Provider bug: no endpoint ID", "The prior state has no ID.");
        return ApplyResponse { new_state: prior.to_value(), diags };
    };
    let req = ctx.ec2.client().modify_vpc_endpoint().vpc_endpoint_id(&id);
    let (mut req, mut modify) = match e.modify_request(ctx, req, prior, planned, &mut diags).await {
        Ok(r) => r,
        Err(()) => return ApplyResponse { new_state: prior.to_value(), diags },
    };
    match policy::change(prior.policy(), config.policy()) {
        policy::Change::Set(p) => (req, modify) = (req.policy_document(p), true),
        policy::Change::Reset => (req, modify) = (req.reset_policy(true), true),
        policy::Change::Keep => {}
    }
    if modify {
        // A busy endpoint (still pending, another modification in progress) refuses the change:
        // sent again until it takes it or the update timeout passes.
        let deadline = tokio::time::Instant::now() + timeouts::timeout(planned.timeouts(), Op::Update);
        let send = || {
            let req = req.clone();
            async move { req.send().await.aws_op("ModifyVpcEndpoint") }
        };
        if let Err(err) = aws::retry_while_busy(deadline, &ctx.cancel, send).await {
            api_error(e, &mut diags, &format!("Cannot update the {}", E::KIND), format!("{id}: {err}"), &err);
            return ApplyResponse { new_state: current_state(e, ctx, prior).await, diags };
        }
    }

    // Every tag but the ignored ones (which neither tags_all holds): a state written before
    // tags_all existed has only tags.
    let prior_all = if prior.tags_all().known().is_some() { prior.tags_all() } else { prior.tags() };
    let planned_all = all_tags(ctx, planned);
    let tags_changed = prior_all.string_map() != planned_all.string_map();
    if !tags::update(ctx, &id, prior_all, &planned_all, &mut diags).await {
        return ApplyResponse { new_state: current_state(e, ctx, prior).await, diags };
    }

    let mut ready = None;
    if modify {
        let timeout = timeouts::timeout(planned.timeouts(), Op::Update);
        match ctx.ec2.wait_for_endpoint(&id, E::READY, &[], timeout, &ctx.cancel).await {
            Ok(ep) => ready = Some(ep),
            Err(err) => {
                wait_error(&mut diags, err, &id, "to become available again", "The state holds the endpoint as last read.");
                return ApplyResponse { new_state: current_state(e, ctx, prior).await, diags };
            }
        }
    }

    ready = e.settle(ctx, Some(prior), planned, ready, &mut diags).await;

    if tags_changed {
        // EC2 shows a tag change only after a while: wait for it, so that the next plan does not
        // read the old tags back and plan the change again.
        let limit = timeouts::timeout(planned.timeouts(), Op::Update).min(TAGS_VISIBLE_WAIT);
        let (set, before) = (planned_all.string_map(), prior_all.string_map());
        let removed: Vec<String> = before.into_keys().filter(|k| !set.contains_key(k)).collect();
        match ctx.ec2.wait_for_endpoint_tags(&id, &set, &removed, limit, &ctx.cancel).await {
            Ok(ep) => ready = Some(ep),
            Err(WaitError::NotFound) => {
                diags.error(
                    format!("Cannot update the {}", E::KIND),
                    format!("VPC endpoint {id} is deleted or being deleted: it was deleted after the plan was made, so its tags could not be changed. The state keeps it until the next refresh, whose plan creates it again."),
                );
                return ApplyResponse { new_state: prior.to_value(), diags };
            }
            Err(e) => diags.warning(
                "Tag change not visible yet",
                format!("EC2 took the tag change of {id} but does not show it yet ({e}); until it does, a plan may show the old tags."),
            ),
        }
    }

    if planned.is_wholly_known() {
        return ApplyResponse { new_state: planned.to_value(), diags };
    }
    let basis = read_basis(planned, config);
    let read = match &ready {
        // The waiter read the endpoint after every change above.
        Some(ep) => {
            let (state, diags) = e.describe(ctx, &basis, ep, false).await;
            Ok(Some((with_tags(ctx, &basis, state), diags)))
        }
        None => Endpoint::read(e, ctx, &basis, false).await.map(|r| r.map(|(s, d)| (with_tags(ctx, &basis, s), d))),
    };
    match read {
        Ok(Some((actual, _))) => ApplyResponse { new_state: settled(planned, &actual), diags },
        Ok(None) => {
            diags.error(
                format!("{} vanished", capitalized(E::KIND)),
                format!("VPC endpoint {id} disappeared during the update; it may have been deleted by someone else."),
            );
            ApplyResponse { new_state: Value::Null, diags }
        }
        Err(err) => {
            // The changes were made; keep the plan, with nothing unknown, and report the read failure.
            diags.warning("Could not read the endpoint back", format!("{id}: {err}. The next refresh reads it again."));
            ApplyResponse { new_state: settled(planned, prior), diags }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------

/// Deletes the endpoint of `prior` and waits until it is gone. Already gone counts as deleted; on
/// any failure the prior state stays.
async fn delete<E: Endpoint>(ctx: &Ctx, prior: &E::Model) -> ApplyResponse {
    let kind = E::KIND;
    let mut diags = Diagnostics::new();
    let Some(id) = prior.id().as_str().filter(|s| !s.is_empty()).map(str::to_owned) else {
        return ApplyResponse::default();
    };
    let deadline = tokio::time::Instant::now() + timeouts::timeout(prior.timeouts(), Op::Delete);
    let kept = |diags| ApplyResponse { new_state: prior.to_value(), diags };
    // Concurrent deletes share DeleteVpcEndpoints calls; each endpoint gets its own outcome. EC2
    // refuses to delete a busy endpoint (still pending, being modified), per id in `Unsuccessful`:
    // sent again, like a refused call, until it takes it or the timeout passes.
    let (ec2, id_ref) = (&ctx.ec2, id.as_str());
    let send = move || async move {
        match ec2.delete_vpc_endpoint(id_ref).await? {
            aws::Deleted::Refused(code, message) if aws::is_busy_code(&code) => {
                Err(AwsError::new("DeleteVpcEndpoints", Some(&code), format!("EC2 did not delete {id_ref}: {message}")))
            }
            other => Ok(other),
        }
    };
    match aws::retry_while_busy(deadline, &ctx.cancel, send).await {
        // Only the endpoint's own NotFound means it is gone; any other error keeps it in the state,
        // unless EC2 shows it deleted (a retried request whose first attempt did delete it may
        // fail otherwise).
        Err(e) if e.is_missing(Missing::VpcEndpoint) => return ApplyResponse::default(),
        Ok(aws::Deleted::Gone) => return ApplyResponse::default(),
        Err(e) => {
            if let Ok(None) = ctx.ec2.find_vpc_endpoint(&id).await {
                crate::info!(format!("{kind} is deleted although DeleteVpcEndpoints failed"), "id" => id, "error" => e.to_string());
                return ApplyResponse::default();
            }
            diags.error(format!("Cannot delete the {kind}"), e.to_string());
            return kept(diags);
        }
        Ok(aws::Deleted::Refused(code, message)) => {
            if let Ok(None) = ctx.ec2.find_vpc_endpoint(&id).await {
                return ApplyResponse::default();
            }
            diags.error(format!("Cannot delete the {kind}"), format!("EC2 did not delete {id}: {code}: {message}"));
            return kept(diags);
        }
        Ok(aws::Deleted::Requested) => {}
    }
    let timeout = deadline.saturating_duration_since(tokio::time::Instant::now());
    match ctx.ec2.wait_for_endpoint_deleted(&id, timeout, &ctx.cancel).await {
        Ok(()) | Err(WaitError::NotFound) => {
            crate::info!(format!("deleted {kind}"), "id" => id);
            ApplyResponse::default()
        }
        Err(e) => {
            wait_error(&mut diags, e, &id, "to be deleted", "Deletion was requested; the endpoint stays in the state until it is gone.");
            kept(diags)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// Whether an import ID is a VPC endpoint ID (not an endpoint service's `vpce-svc-...`).
fn is_endpoint_id(id: &str) -> bool {
    id.starts_with("vpce-") && !id.starts_with("vpce-svc-")
}

async fn import<E: Endpoint>(e: &E, ctx: &Ctx, id: String) -> ImportResponse {
    let mut diags = Diagnostics::new();
    let id = id.trim().to_string();
    let refused = |diags| ImportResponse { state: Value::Null, diags };
    if !is_endpoint_id(&id) {
        diags.error(
            "Invalid import ID",
            format!(
                "\"{id}\" is not a VPC endpoint ID. Import {} {} by its ID, for example: terraform import {} vpce-0123456789abcdef0",
                article(E::KIND),
                E::KIND,
                E::EXAMPLE_ADDRESS
            ),
        );
        return refused(diags);
    }
    let ep = match ctx.ec2.find_vpc_endpoint(&id).await {
        Ok(Some(ep)) => ep,
        Ok(None) => {
            diags.error("Cannot import: endpoint not found", format!("VPC endpoint {id} does not exist in {}.", ctx.ec2.region()));
            return refused(diags);
        }
        Err(err) => {
            diags.error(format!("Cannot import the {}", E::KIND), format!("{id}: {err}"));
            return refused(diags);
        }
    };
    let kind = ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default();
    if !kind.eq_ignore_ascii_case(E::EC2_TYPE) {
        let hint = match kind.to_ascii_lowercase().as_str() {
            "gateway" => " Import it as a vpce_gateway resource instead.",
            "interface" => " Import it as a vpce_interface resource instead.",
            _ => "",
        };
        let theirs = if kind.is_empty() { "unknown type of" } else { kind.as_str() };
        diags.error(
            format!("Not {} {}", article(E::KIND), E::KIND),
            format!(
                "VPC endpoint {id} is {} {theirs} endpoint, not {} {} endpoint.{hint}",
                article(theirs),
                article(E::EC2_TYPE),
                E::EC2_TYPE
            ),
        );
        return refused(diags);
    }
    settle_marker(ctx, &ep);
    let mut base = e.import_base(&ep);
    *base.id_mut() = Val::Known(id);
    let (state, warnings) = e.describe(ctx, &base, &ep, true).await;
    let state = with_tags(ctx, &base, state);
    diags.extend(warnings);
    ImportResponse { state: state.to_value(), diags }
}

// ---------------------------------------------------------------------------------------------
// Crash-safe creation
// ---------------------------------------------------------------------------------------------

/// What a create needs beyond the resource-specific request.
pub(crate) struct NewEndpoint<'a> {
    pub(crate) endpoint_type: VpcEndpointType,
    pub(crate) vpc_id: &'a str,
    /// The full service name (`com.amazonaws.REGION.s3`).
    pub(crate) service: &'a str,
    /// Every setting of the request, canonically written: endpoints made with the same settings
    /// share a fingerprint, which adoption prefers.
    pub(crate) settings: String,
    pub(crate) tags: &'a BTreeMap<String, String>,
    /// The create timeout: an unknown outcome is retried until it passes.
    pub(crate) timeout: Duration,
}

pub(crate) enum Created {
    /// CreateVpcEndpoint made it (possibly in an earlier attempt whose answer was lost). The ids
    /// are orphans of interrupted creates for the same VPC, service and type but other settings,
    /// which were not adopted (the caller warns about them).
    New(VpcEndpoint, Vec<String>),
    /// A marked endpoint of an earlier, interrupted create with the same settings, which no
    /// Terraform state holds: taken instead of creating a duplicate.
    Adopted(VpcEndpoint),
    /// Nothing was created: EC2's answer.
    Failed(AwsError),
}

/// Whether a failed CreateVpcEndpoint may be sent again with the same token: a transport failure
/// or timeout (the request may or may not have run), a server error, or throttling. Not a request
/// that never left (a refused connection: EC2 made nothing, and the SDK already tried
/// `max_retries` times).
fn retryable(e: &AwsError) -> bool {
    if e.not_sent {
        return false;
    }
    match e.code.as_deref() {
        None => true,
        Some(c) => e.is_throttling() || ["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"].contains(&c),
    }
}

const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// Creates the endpoint `build()` describes (the caller sets everything but the ClientToken and
/// the tags), crash-safely:
/// - first adopts an orphan of an earlier interrupted create (see [`Created::Adopted`]);
/// - sends the create with a creation marker tag; while its outcome is unknown (transport error,
///   5xx, throttling after the SDK's own retries), sends it again with the same ClientToken
///   (EC2 then returns the endpoint the first request made) until `timeout`;
/// - before reporting a failure, looks for an endpoint carrying this create's token.
pub(crate) async fn create_endpoint(ctx: &Ctx, new: NewEndpoint<'_>, build: impl Fn() -> CreateVpcEndpointFluentBuilder) -> Created {
    let started = tokio::time::Instant::now();
    let deadline = started + new.timeout;
    let fingerprint = aws::fingerprint(&new.settings);
    let owner = state_owner();
    let mut others = Vec::new();
    let query = aws::OrphanQuery {
        vpc_id: new.vpc_id,
        service: new.service,
        endpoint_type: new.endpoint_type.as_str(),
        fingerprint: &fingerprint,
        owner: &owner,
        tags: new.tags,
    };
    match ctx.ec2.find_orphans(&query).await {
        Ok(aws::Orphans { adopt: Some(ep), .. }) => {
            crate::warn!(
                "adopting an endpoint left by an interrupted create",
                "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                "vpc_id" => new.vpc_id,
                "service" => new.service,
            );
            return Created::Adopted(ep);
        }
        Ok(found) => others = found.others,
        Err(e) => crate::warn!("could not look for endpoints left by interrupted creates", "error" => e.to_string()),
    }

    let token = uuid::Uuid::new_v4().to_string();
    ctx.ec2.claim(&token);
    let marker = aws::marker_value(&fingerprint, &owner, &token);
    let user_tags = new.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let spec = aws::tag_specification(user_tags.chain([(aws::CREATE_MARKER, marker.as_str())]));

    let mut delay = FIRST_RETRY_DELAY;
    let mut attempt = 1u32;
    let error = loop {
        match build().client_token(&token).tag_specifications(spec.clone()).send().await.aws_op("CreateVpcEndpoint") {
            Ok(out) => match out.vpc_endpoint.filter(|e| e.vpc_endpoint_id().is_some()) {
                Some(ep) => {
                    ctx.ec2.claim(ep.vpc_endpoint_id().unwrap_or_default());
                    return Created::New(ep, others);
                }
                None => break AwsError::new("CreateVpcEndpoint", None, "EC2 answered without an endpoint ID"),
            },
            Err(e) if retryable(&e) && !ctx.ec2.writes_halted() && tokio::time::Instant::now() + delay < deadline => {
                crate::warn!(
                    format!("CreateVpcEndpoint outcome unknown after the SDK's retries; sending it again with the same ClientToken in {delay:?}"),
                    "attempt" => attempt,
                    "error" => e.to_string(),
                );
                tokio::select! {
                    _ = ctx.cancel.cancelled() => break e,
                    _ = tokio::time::sleep(jitter(delay)) => {}
                }
                delay = (delay * 2).min(MAX_RETRY_DELAY);
                attempt += 1;
            }
            Err(e) => break e,
        }
    };

    // The request may have run although no answer said so: the marker tells.
    for pause in [Duration::ZERO, Duration::from_secs(2)] {
        tokio::time::sleep(pause).await;
        match ctx.ec2.find_created_by(new.vpc_id, &token).await {
            Ok(Some(ep)) => {
                crate::warn!(
                    "CreateVpcEndpoint reported a failure, but the endpoint was created",
                    "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                    "error" => error.to_string(),
                );
                ctx.ec2.claim(ep.vpc_endpoint_id().unwrap_or_default());
                return Created::New(ep, others);
            }
            Ok(None) => {}
            Err(e) => crate::warn!("could not check whether the failed create made an endpoint", "error" => e.to_string()),
        }
        if !retryable(&error) {
            break;
        }
    }
    Created::Failed(error)
}

/// Which Terraform state this process works for, as the creation marker names it: a
/// fingerprint of the state's identity (backend and workspace, see
/// [`workdir::state_identity`](crate::protocol::workdir::state_identity)). Only a create for
/// the same state adopts what an interrupted create left.
fn state_owner() -> String {
    aws::fingerprint(crate::protocol::workdir::state_identity())
}

/// A warning about orphans of interrupted creates that were not adopted (other settings).
pub(crate) fn warn_other_orphans(diags: &mut Diagnostics, others: &[String]) {
    if others.is_empty() {
        return;
    }
    diags.warning(
        "Endpoints left by an interrupted apply",
        format!(
            "{} of the same VPC, service and type {} created by an earlier apply of this Terraform state that was interrupted, with other settings than this one, and this state does not hold {}. They were not adopted: import them (terraform import) or delete them.",
            others.join(", "),
            if others.len() == 1 { "was" } else { "were" },
            if others.len() == 1 { "it" } else { "them" }
        ),
    );
}

/// Up to ±25 % of `d`, so that many resources retrying together spread out.
fn jitter(d: Duration) -> Duration {
    let spread = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0; // 0..1
    d.mul_f64(0.75 + spread * 0.5)
}

/// The endpoint is in Terraform's state (it was read, updated or imported through it): remove
/// its creation marker so that no later create adopts it. Best effort: a failure (e.g. read-only
/// credentials during a plan) only leaves the marker for the next time. The removal runs in the
/// background (see [`aws::Ec2::clear_marker_in_background`]); the claim is made here, at once.
pub(crate) fn settle_marker(ctx: &Ctx, ep: &VpcEndpoint) {
    let Some(id) = ep.vpc_endpoint_id() else { return };
    ctx.ec2.claim(id);
    if aws::marker_of(ep).is_none() || ctx.ec2.writes_halted() {
        return;
    }
    ctx.ec2.clear_marker_in_background(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_from_state() {
        let state = Value::object([
            ("id", Value::string("vpce-1")),
            ("arn", Value::string("arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-1")),
            ("owner_id", Value::string("123456789012")),
        ]);
        let expected = Value::object([
            ("id", Value::string("vpce-1")),
            ("region", Value::string("eu-west-1")),
            ("account_id", Value::string("123456789012")),
        ]);
        assert_eq!(IDENTITY.of(&state), expected);
        let planned = Value::object([("id", Value::unknown()), ("arn", Value::unknown()), ("owner_id", Value::unknown())]);
        assert!(!IDENTITY.of(&planned).is_wholly_known());
        assert_eq!(IDENTITY.import_id(&expected).as_deref(), Some("vpce-1"));
        let ep = VpcEndpoint::builder().vpc_endpoint_id("vpce-1").owner_id("123456789012").build();
        assert_eq!(EndpointIdentity::of_endpoint("eu-west-1", &ep), expected);
    }

    #[test]
    fn words() {
        assert_eq!(capitalized("gateway endpoint"), "Gateway endpoint");
        assert_eq!((article("interface endpoint"), article("Gateway")), ("an", "a"));
        assert!(is_endpoint_id("vpce-0123") && !is_endpoint_id("vpce-svc-0123") && !is_endpoint_id("rtb-1"));
    }

    #[test]
    fn what_is_retried() {
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", None, "connection reset")));
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("InternalError"), "x")));
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("RequestLimitExceeded"), "x")));
        assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("InvalidParameter"), "x")));
        assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("RouteAlreadyExists"), "x")));
        let refused = AwsError { not_sent: true, ..AwsError::new("CreateVpcEndpoint", None, "Connection refused") };
        assert!(!retryable(&refused));
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(4));
            assert!(j >= Duration::from_secs(3) && j <= Duration::from_secs(5), "{j:?}");
        }
    }
}

/// Pins the creation-marker fingerprint: the settings string a create request yields for given
/// plans, and its fingerprint. Existing markers must keep matching, whatever the code shape.
#[cfg(test)]
mod fingerprint_pin {
    use super::super::gateway::{Gateway, GatewayDnsOptions, GatewayModel};
    use super::super::interface::{Interface, InterfaceDnsOptions, InterfaceModel, SubnetConfiguration};
    use super::*;
    use crate::protocol::model::Set;

    fn s(v: &str) -> Val<String> {
        Val::Known(v.to_string())
    }
    fn set(v: &[&str]) -> Val<Set<String>> {
        Val::Known(Set(v.iter().map(|x| s(x)).collect()))
    }

    async fn ctx() -> Ctx {
        let cfg =
            aws::Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some("http://127.0.0.1:9".into()), ..Default::default() };
        Ctx::new(aws::connect(cfg).await.unwrap(), tokio_util::sync::CancellationToken::new())
    }

    async fn settings<E: Endpoint>(e: &E, ctx: &Ctx, planned: &E::Model) -> String {
        let mut diags = Diagnostics::new();
        let req = e.create_request(ctx, planned, planned, &mut diags).await.expect("a request");
        assert!(!diags.has_errors(), "{diags:?}");
        req.settings
    }

    #[tokio::test]
    async fn fingerprints_are_pinned() {
        let ctx = ctx().await;
        let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let gw = GatewayModel {
            route_table_ids: set(&["rtb-2", "rtb-1"]),
            policy: s(policy),
            ip_address_type: s("dualstack"),
            dns_options: Val::Known(GatewayDnsOptions { dns_record_ip_type: s("ipv4") }),
            ..Default::default()
        };
        let got = settings(&Gateway::new(), &ctx, &gw).await;
        assert_eq!(got, r#"rtb-1,rtb-2|{"Version":"2012-10-17","Statement":[]}|dualstack|ipv4"#);
        let full = format!("Gateway|vpc-1|com.amazonaws.us-east-1.s3|{got}");
        assert_eq!(aws::fingerprint(&full), "bc08a9543e805715");
        let got = settings(&Gateway::new(), &ctx, &GatewayModel::default()).await;
        assert_eq!(got, "|||");
        assert_eq!(aws::fingerprint(&format!("Gateway|vpc-1|com.amazonaws.us-east-1.s3|{got}")), "524c74f02ed00458");

        let mut ifc = InterfaceModel {
            subnet_ids: set(&["subnet-b", "subnet-a"]),
            security_group_ids: set(&["sg-1"]),
            private_dns_enabled: Val::Known(false),
            ip_address_type: s("ipv4"),
            policy: s(policy),
            dns_options: Val::Known(InterfaceDnsOptions {
                dns_record_ip_type: s("ipv4"),
                private_dns_only_for_inbound_resolver_endpoint: Val::Known(false),
                private_dns_preference: s("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"),
                private_dns_specified_domains: set(&["b.example.com", "a.example.com"]),
            }),
            ..Default::default()
        };
        let got = settings(&Interface::new(), &ctx, &ifc).await;
        assert_eq!(
            got,
            r#"subnet-a,subnet-b|sg-1|false|ipv4|Some(DnsOptionsSpecification { dns_record_ip_type: Some(Ipv4), private_dns_only_for_inbound_resolver_endpoint: Some(false), private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"), private_dns_specified_domains: Some(["a.example.com", "b.example.com"]) })|{"Version":"2012-10-17","Statement":[]}"#
        );
        assert_eq!(aws::fingerprint(&format!("Interface|vpc-1|com.amazonaws.us-east-1.ssm|{got}")), "43ec9f8caaa43bcd");
        ifc.subnet_configuration =
            Val::Known(Set(vec![Val::Known(SubnetConfiguration { subnet_id: s("subnet-a"), ipv4: s("10.0.0.10"), ipv6: Val::Null })]));
        ifc.service_region = s("us-west-2");
        let got = settings(&Interface::new(), &ctx, &ifc).await;
        assert_eq!(
            got,
            r#"subnet-a,subnet-b|sg-1|false|ipv4|Some(DnsOptionsSpecification { dns_record_ip_type: Some(Ipv4), private_dns_only_for_inbound_resolver_endpoint: Some(false), private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"), private_dns_specified_domains: Some(["a.example.com", "b.example.com"]) })|{"Version":"2012-10-17","Statement":[]}|[SubnetConfiguration { subnet_id: Some("subnet-a"), ipv4: Some("10.0.0.10"), ipv6: None }]|us-west-2"#
        );
        assert_eq!(aws::fingerprint(&format!("Interface|vpc-1|com.amazonaws.us-east-1.ssm|{got}")), "427d61d635781a73");
        let got = settings(&Interface::new(), &ctx, &InterfaceModel::default()).await;
        assert_eq!(got, "||false||None|");
    }
}
