//! The shared lifecycle: the resource ([`AsResource`]), plan, create (and adopt), update, delete,
//! read and import.

use std::future::Future;
use std::time::Instant;

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::ownership::Owners;
use super::super::timeouts::{self, Op};
use super::super::{policy, tags, ApplyResponse, Ctx, ImportResponse, MoveRequest, MoveResponse, PlanResponse};
use super::creation::{settle_marker, state_owner, warn_other_orphans};
use super::identity::IDENTITY;
use super::moves;
use super::{
    all_tags, api_error, article, capitalized, read_basis, settled, wait_error, with_tags, Endpoint, EndpointModel, TAGS_VISIBLE_WAIT,
};
use crate::aws::{self, AwsError, Missing, SdkResultExt, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{self, Field, Val};
use crate::protocol::resource::Identity;
use crate::protocol::schema::Schema;
use crate::protocol::typed::{decode, Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::{PathStep, Value};

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
            Ok(Some((new_state, diags))) => {
                ctx.objects.refreshed(&id);
                Read::Found(with_tags(ctx, &current, new_state), diags)
            }
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
// Plan
// ---------------------------------------------------------------------------------------------

/// States of an endpoint that never becomes usable.
pub(super) const DEAD_STATES: &[&str] = &["failed", "rejected", "expired"];

/// A plan as the core and the resource make it, before the checks against EC2.
pub(crate) struct PlannedModels<M> {
    pub(crate) prior: Option<M>,
    pub(crate) planned: M,
    pub(crate) replace: Vec<Vec<PathStep>>,
    /// A new endpoint is planned (create or replacement).
    pub(crate) fresh: bool,
    /// The configuration.
    pub(crate) config: M,
}

/// Plans a change (no AWS calls): static validation of the configuration (it may hold values
/// that were unknown when it was validated), the resource's replacements, replacement of a dead
/// endpoint, the service-name respelling, schema-driven planning and plan modifiers, the policy,
/// then the resource's completion. `None` when there is nothing to plan or a value does not fit
/// the model (an error in `diags`).
pub(crate) fn plan_models<E: Endpoint>(
    e: &E,
    region: &str,
    owners: &Owners,
    req: TypedPlanRequest<'_, E::Model>,
    diags: &mut Diagnostics,
) -> Option<PlannedModels<E::Model>> {
    let TypedPlanRequest { prior, config, raw: req } = req;
    model::Model::check_declared(&config, &[], diags);
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
    let respelled = match (prior.as_ref().and_then(|p| p.target().as_str()), config.target().as_str(), E::TARGET_ATTR) {
        (Some(old), Some(new), "service_name") => {
            old != new && aws::resolve_service_name(old, region) == aws::resolve_service_name(new, region)
        }
        _ => false,
    };
    let (mut proposed, mut cfg) = (req.proposed.clone(), req.config.clone());
    if let (true, Some(prior)) = (respelled, &prior) {
        for v in [&mut proposed, &mut cfg] {
            if let Value::Object(m) = v {
                m.insert("service_name".to_string(), prior.target().to_value());
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
    // (Not for an endpoint type without a policy.)
    let prior_policy = prior.as_ref().and_then(|p| p.policy().cloned()).unwrap_or_default();
    if let (Some(configured), Some(slot)) = (config.policy(), planned.policy_mut()) {
        if let Some(v) = policy::plan(&prior_policy, configured, p.fresh) {
            *slot = v;
        }
    }
    e.complete_plan(prior.as_ref(), &mut planned, &config, p.fresh);
    e.check_config(owners, &planned, &config, p.fresh, diags);
    Some(PlannedModels { prior, planned, replace: p.replace, fresh: p.fresh, config })
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
    plan_models(e, region, &Owners::default(), TypedPlanRequest { prior, config, raw: req }, diags)
}

pub(super) async fn plan<E: Endpoint>(e: &E, ctx: &Ctx, req: TypedPlanRequest<'_, E::Model>) -> PlanResponse {
    let mut diags = Diagnostics::new();
    let (replaced_private, raw) = (super::super::ec2_rules::replaced_id(&req.raw.prior_private), req.raw);
    let Some(mut p) = plan_models(e, ctx.ec2.region(), &ctx.owners, req, &mut diags) else {
        return PlanResponse { diags, ..Default::default() };
    };
    // Settings a separate resource manages (vpce_policy, vpce_private_dns) stay as EC2 has them:
    // planned again as if configured so (the checks ran on the first plan).
    if let (false, Some(prior), Some(id)) = (p.fresh, &p.prior, p.prior.as_ref().and_then(|m| m.id().as_str())) {
        let kept = super::elsewhere::plan(ctx, id, prior, &p.planned, &p.config, &mut diags).await;
        let again = super::elsewhere::as_configured(raw, &kept);
        let config = decode::<E::Model>(&again.config, "configuration").ok().flatten();
        if let (false, Some(config)) = (kept.is_empty(), config) {
            let typed = TypedPlanRequest { prior: Some(prior.clone()), config, raw: &again };
            if let Some(q) = plan_models(e, ctx.ec2.region(), &Owners::default(), typed, &mut Diagnostics::new()) {
                (p.planned, p.replace) = (q.planned, q.replace);
            }
        }
    }
    // tags_all: the default tags merged with the resource's (known when both are).
    let tags_all = ctx.tags.plan(p.planned.tags());
    tags::validate_merged(&tags_all, p.planned.tags(), &mut diags);
    tags::warn_ignored(&ctx.tags, p.prior.as_ref().map(|m| m.tags()), p.planned.tags(), &mut diags);
    *p.planned.tags_all_mut() = tags_all;
    // Terraform plans the create of a replacement with no prior state: the replaced endpoint's id
    // comes through the private data that the plan of the replaced object returned.
    let prior_id = p.prior.as_ref().and_then(|m| m.id().as_str().map(str::to_string));
    if let Some(id) = &prior_id {
        ctx.objects.planned_live(id);
    }
    let replaced = if p.prior.is_none() { replaced_private } else { None };
    super::super::ec2_rules::replacing(replaced, e.check_plan(ctx, p.prior.as_ref(), &p.planned, p.fresh, &mut diags)).await;
    if !diags.has_errors() {
        e.advise(ctx, p.prior.as_ref(), &p.planned, &p.config, p.fresh, &mut diags).await;
    }
    let planned_private = Some(super::super::ec2_rules::private_for(prior_id.as_deref()));
    PlanResponse { planned: p.planned.to_value(), requires_replace: p.replace, diags, planned_private }
}

/// Attributes whose unset value is a setting too (the default policy; private DNS off), so that
/// they are managed whether the configuration sets them or not.
const MANAGED_WHEN_UNSET: &[&str] = &["policy", "private_dns_enabled"];

/// `prior` with every attribute that the configuration manages (sets, or one of
/// [`MANAGED_WHEN_UNSET`]; tags, `tags_all`, `timeouts` and the id excepted) as `now` (the
/// endpoint as EC2 has it) holds it: what an update changes from. Attributes the configuration
/// leaves unset (a gateway's route tables managed elsewhere, say) stay as the plan saw them, so an
/// update never undoes what others manage.
pub(crate) fn converge_base<M: crate::protocol::model::Model + Clone>(prior: &M, now: &M, config: &M) -> M {
    let (Value::Object(mut base), Value::Object(now), Value::Object(config)) = (prior.to_value(), now.to_value(), config.to_value()) else {
        return prior.clone();
    };
    for (name, value) in now {
        let set = MANAGED_WHEN_UNSET.contains(&name.as_str()) || config.get(&name).is_some_and(|v| !v.is_null());
        if set && !matches!(name.as_str(), "id" | "tags" | "tags_all" | "timeouts") {
            base.insert(name, value);
        }
    }
    M::decode(&Value::Object(base)).ok().flatten().unwrap_or_else(|| prior.clone())
}

// ---------------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------------

pub(super) async fn create<E: Endpoint>(e: &E, ctx: &Ctx, mut planned: E::Model, config: &E::Model) -> ApplyResponse {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    let region = ctx.ec2.region().to_string();
    let (Some(vpc_id), Some(target)) = (planned.vpc_id().as_str().map(str::to_string), planned.target().as_str()) else {
        diags.error(
            "Provider bug: unknown values at apply",
            format!("vpc_id and {} must be known when the endpoint is created.", E::TARGET_ATTR),
        );
        return ApplyResponse { new_state: Value::Null, diags };
    };
    // A service name may be short; a VPC Lattice ARN is sent as it is.
    let service = if E::TARGET_ATTR == "service_name" { aws::resolve_service_name(target, &region) } else { target.to_string() };
    let Some(endpoint) = e.create_spec(ctx, &planned, config, &mut diags).await else {
        return ApplyResponse { new_state: Value::Null, diags };
    };
    let spec = aws::CreateSpec { vpc_id: vpc_id.clone(), service: service.clone(), endpoint };
    debug_assert_eq!(spec.endpoint_type(), E::EC2_TYPE);
    let tags = all_tags(ctx, &planned).string_map();
    let owner = state_owner();
    let new = aws::NewEndpoint {
        spec: &spec,
        owner: &owner,
        tags: &tags,
        timeout: timeouts::timeout(planned.timeouts(), Op::Create),
        cancel: &ctx.cancel,
    };
    let ep = match ctx.ec2.create_endpoint(new).await {
        aws::Created::New(ep, others) => {
            warn_other_orphans(&mut diags, &others);
            ep
        }
        aws::Created::Adopted(ep) => return adopt(e, ctx, planned, config, &ep).await,
        aws::Created::Failed(err) => {
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
        false => ctx.ec2.wait_for_endpoint(&id, E::READY, timeout, &ctx.cancel).await,
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
pub(super) async fn adopt<E: Endpoint>(e: &E, ctx: &Ctx, mut planned: E::Model, config: &E::Model, ep: &VpcEndpoint) -> ApplyResponse {
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
pub(super) async fn current_state<E: Endpoint>(e: &E, ctx: &Ctx, prior: &E::Model) -> Value {
    match Endpoint::read(e, ctx, prior, false).await {
        Ok(Some((s, _))) => with_tags(ctx, prior, s).to_value(),
        _ => prior.to_value(),
    }
}

pub(super) async fn update<E: Endpoint>(e: &E, ctx: &Ctx, prior: &E::Model, planned: &E::Model, config: &E::Model) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let Some(id) = prior.id().as_str().map(str::to_string) else {
        diags.error("Provider bug: no endpoint ID", "The prior state has no ID.");
        return ApplyResponse { new_state: prior.to_value(), diags };
    };
    // The changes start from the endpoint as EC2 has it now, not as the plan saw it: a saved plan
    // may be applied after changes made outside Terraform, and the endpoint must end as planned
    // (the state holds the plan). Only what the configuration sets is taken from EC2.
    let converged;
    // Settings a separate resource manages, which the configuration leaves to it: not changed.
    let mut elsewhere = Vec::new();
    let prior = match ctx.ec2.find_vpc_endpoint(&id).await {
        Ok(Some(ep)) => {
            elsewhere = super::elsewhere::managed_elsewhere(&ep, config);
            let base = converge_base(prior, &e.state_from_endpoint(ctx.ec2.region(), prior, &ep), config);
            converged = super::elsewhere::keep(&base, prior, &elsewhere);
            &converged
        }
        Ok(None) => {
            diags.error(
                format!("Cannot update the {}", E::KIND),
                format!("VPC endpoint {id} is deleted or being deleted: it was deleted after the plan was made, so it could not be changed. The state keeps it until the next refresh, whose plan creates it again."),
            );
            return ApplyResponse { new_state: prior.to_value(), diags };
        }
        // Unknown: the changes start from the plan's view; the next refresh shows any difference.
        Err(_) => prior,
    };
    let mut spec = match e.modify_spec(ctx, prior, planned, &mut diags).await {
        Ok(spec) => spec,
        Err(()) => return ApplyResponse { new_state: prior.to_value(), diags },
    };
    spec.policy = match (prior.policy(), config.policy()) {
        _ if elsewhere.contains(&"policy") => None,
        (Some(before), Some(after)) => match policy::change(before, after) {
            policy::Change::Set(p) => Some(aws::PolicyChange::Set(p.to_string())),
            policy::Change::Reset => Some(aws::PolicyChange::Reset),
            policy::Change::Keep => None,
        },
        _ => None,
    };
    let modify = !spec.is_empty();
    if modify {
        // A busy endpoint (still pending, another modification in progress) refuses the change:
        // sent again until it takes it or the update timeout passes.
        let deadline = tokio::time::Instant::now() + timeouts::timeout(planned.timeouts(), Op::Update);
        let req = spec.request(ctx.ec2.client(), &id);
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
        match ctx.ec2.wait_for_endpoint(&id, E::READY, timeout, &ctx.cancel).await {
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
pub(super) async fn delete<E: Endpoint>(ctx: &Ctx, prior: &E::Model) -> ApplyResponse {
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
pub(super) fn is_endpoint_id(id: &str) -> bool {
    id.starts_with("vpce-") && !id.starts_with("vpce-svc-")
}

pub(super) async fn import<E: Endpoint>(e: &E, ctx: &Ctx, id: String) -> ImportResponse {
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
            "gatewayloadbalancer" => " Import it as a vpce_gateway_load_balancer resource instead.",
            "resource" => " Import it as a vpce_resource resource instead.",
            "servicenetwork" => " Import it as a vpce_service_network resource instead.",
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
