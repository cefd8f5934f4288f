//! The endpoint lifecycle both resources share, written once:
//! - the [`Endpoint`] trait: what differs between `vpce_gateway` and `vpce_interface` (model and
//!   schema, static validation, EC2-fact checks at plan, the create request, the modify request,
//!   how a read completes the state); every [`Endpoint`] is a [`Resource`] through this module;
//! - plan (service-name respelling, replacement of failed endpoints, schema-driven planning and
//!   plan modifiers, the policy), create (adopt, wait, save what exists), update (modify, tags,
//!   wait, read back), delete, read and import, with one set of diagnostics;
//! - crash-safe creation ([`aws::Ec2::create_endpoint`] from the [`aws::CreateSpec`] the resource
//!   describes: adopt an orphan of an interrupted create, retry an unknown outcome with the same
//!   ClientToken, find what a failed create made), and the removal of the creation marker once
//!   Terraform's state holds an endpoint. The design and its limits:
//!   docs/guides/crash-safety.md.

mod accept;
mod creation;
mod elsewhere;
#[cfg(test)]
mod fingerprint_pin;
mod identity;
mod lifecycle;
pub(crate) mod moves;
#[cfg(test)]
mod tests;

use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;
use std::future::Future;

pub(crate) use self::accept::{accept_if_asked, Acceptance};
pub(crate) use self::creation::settle_marker;
pub(crate) use self::identity::EndpointIdentity;
#[cfg(test)]
pub(crate) use self::lifecycle::plan_values;
pub(crate) use self::lifecycle::AsResource;
use super::timeouts::Timeouts;
use super::Ctx;
use crate::aws::{self, AwsError, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Model, Val};
use crate::protocol::plan::{overlay_planned, unknowns_to_null};
use crate::protocol::schema::Schema;
use crate::protocol::values::{PathStep, Value};

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
    /// What the endpoint connects to ([`Endpoint::TARGET_ATTR`]): its service name, or the ARN of
    /// a Resource or ServiceNetwork endpoint's VPC Lattice resource configuration or service network.
    fn target(&self) -> &Val<String>;
    /// The endpoint policy; `None` for a type that takes none (Gateway Load Balancer endpoints).
    fn policy(&self) -> Option<&Val<String>>;
    fn policy_mut(&mut self) -> Option<&mut Val<String>>;
    fn tags(&self) -> &Val<Map<String>>;
    fn tags_mut(&mut self) -> &mut Val<Map<String>>;
    fn tags_all(&self) -> &Val<Map<String>>;
    fn tags_all_mut(&mut self) -> &mut Val<Map<String>>;
    fn state(&self) -> &Val<String>;
    fn timeouts(&self) -> &Val<Timeouts>;
}

/// Implements [`EndpointModel`] for a model with the fields of that name; `endpoint_model!(T,
/// no_policy)` for a model without `policy` (an endpoint type that takes no policy), and
/// `endpoint_model!(T, no_policy, target = FIELD)` for one whose target is not `service_name`.
macro_rules! endpoint_model {
    ($t:ty) => {
        $crate::resources::endpoint::endpoint_model!(@impl $t, service_name,
            fn policy(&self) -> Option<&Val<String>> {
                Some(&self.policy)
            }
            fn policy_mut(&mut self) -> Option<&mut Val<String>> {
                Some(&mut self.policy)
            }
        );
    };
    ($t:ty, no_policy) => {
        $crate::resources::endpoint::endpoint_model!($t, no_policy, target = service_name);
    };
    ($t:ty, no_policy, target = $target:ident) => {
        $crate::resources::endpoint::endpoint_model!(@impl $t, $target,
            fn policy(&self) -> Option<&Val<String>> {
                None
            }
            fn policy_mut(&mut self) -> Option<&mut Val<String>> {
                None
            }
        );
    };
    (@impl $t:ty, $target:ident, $($policy:item)*) => {
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
            fn target(&self) -> &Val<String> {
                &self.$target
            }
            $($policy)*
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
    /// The attribute naming what the endpoint connects to ([`EndpointModel::target`]):
    /// `service_name` (short names are resolved against the region), or a VPC Lattice ARN.
    const TARGET_ATTR: &'static str = "service_name";

    fn schema(&self) -> &Schema;

    /// Static checks of the configuration (no AWS calls).
    fn validate(&self, config: &Self::Model) -> Diagnostics;

    /// Replacements beyond the force-new attributes, from a configuration that differs from the
    /// prior state.
    fn replacements(&self, prior: &Self::Model, config: &Self::Model) -> Vec<Vec<PathStep>>;

    /// Completes the plan the core made (see [`plan_models`]).
    fn complete_plan(&self, _prior: Option<&Self::Model>, _planned: &mut Self::Model, _config: &Self::Model, _fresh: bool) {}

    /// Checks of the completed plan against the configuration (no AWS calls), e.g. what other
    /// resources of the configuration manage (see [`super::ownership`]).
    fn check_config(
        &self,
        _owners: &super::ownership::Owners,
        _planned: &Self::Model,
        _config: &Self::Model,
        _fresh: bool,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Checks the plan against EC2 (only what the plan changes; errors block the plan, lookup
    /// failures are warnings).
    fn check_plan<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: Option<&'a Self::Model>,
        planned: &'a Self::Model,
        fresh: bool,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = ()> + Send + 'a;

    /// Traffic advice at plan (warnings only, see [`super::advice`]), after the checks passed.
    fn advise<'a>(
        &'a self,
        _ctx: &'a Ctx,
        _prior: Option<&'a Self::Model>,
        _planned: &'a Self::Model,
        _config: &'a Self::Model,
        _fresh: bool,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = ()> + Send + 'a {
        async {}
    }

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
    ) -> impl Future<Output = (Self::Model, Diagnostics)> + Send + 'a;

    /// Reads endpoint `current.id` (None when it is gone) and describes it. `check` is set for
    /// Terraform's refresh (ReadResource): the read's checks run, and the endpoint may come from
    /// the process's read-ahead listing ([`find_endpoint`]).
    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        current: &'a Self::Model,
        check: bool,
    ) -> impl Future<Output = ReadResult<Self::Model>> + Send + 'a {
        async move {
            let Some(id) = current.id().as_str().filter(|s| !s.is_empty()) else { return Ok(None) };
            let Some(ep) = find_endpoint(ctx, id, current.state().as_str(), check).await? else { return Ok(None) };
            settle_marker(ctx, &ep);
            let (state, diags) = self.describe(ctx, current, &ep, check).await;
            Ok(Some((with_tags(ctx, current, state), diags)))
        }
    }

    /// The model an import (or a list resource's result) of `ep` starts from, before
    /// [`Endpoint::describe`]: what a create with the configuration that made `ep` would most
    /// likely have stored beyond what EC2 says (by default nothing).
    fn import_base(&self, _ep: &VpcEndpoint) -> Self::Model {
        Self::Model::default()
    }

    /// The state of a hashicorp/aws `aws_vpc_endpoint` of this type, for `moved` ([`moves`]).
    fn moved_from_aws(&self, source: &moves::AwsEndpoint) -> Self::Model;

    /// The resource's part of the create request (its type and what it sends beyond the VPC and
    /// the service); `None` (with errors in `diags`) to create nothing.
    fn create_spec<'a>(
        &'a self,
        ctx: &'a Ctx,
        planned: &'a Self::Model,
        config: &'a Self::Model,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<aws::EndpointSpec>> + Send + 'a;

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
    ) -> impl Future<Output = Option<VpcEndpoint>> + Send + 'a {
        std::future::ready(ep)
    }

    /// The changes from `prior` to `planned` but the policy (empty when there are none);
    /// `Err(())` (with errors in `diags`) to change nothing.
    fn modify_spec<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a Self::Model,
        planned: &'a Self::Model,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Result<aws::ModifySpec, ()>> + Send + 'a;
}

/// How long a read looks again for an endpoint never seen past `pending` (its create was
/// interrupted or timed out) that DescribeVpcEndpoints does not show, before concluding it is gone:
/// the eventual-consistency grace of the create's own wait.
const FRESH_NOT_FOUND_GRACE: Duration = aws::NOT_FOUND_GRACE;

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
    if let (Some(Val::Known(p)), Some(planned)) = (config.policy(), basis.policy_mut()) {
        if planned.is_unknown() {
            *planned = Val::Known(p.clone());
        }
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
    } else if code.contains("Policy") && e.schema().block.attributes.iter().any(|a| a.name == "policy") {
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
