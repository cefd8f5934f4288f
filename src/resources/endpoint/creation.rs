//! Crash-safe creation: adopt an orphan of an interrupted create, retry an unknown outcome with the
//! same ClientToken, find what a failed create made; the creation marker and its removal.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{VpcEndpoint, VpcEndpointType};

use super::super::Ctx;
use crate::aws::{self, AwsError, SdkResultExt};
use crate::protocol::diagnostics::Diagnostics;

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
pub(super) fn retryable(e: &AwsError) -> bool {
    if e.not_sent {
        return false;
    }
    match e.code.as_deref() {
        None => true,
        Some(c) => e.is_throttling() || ["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"].contains(&c),
    }
}

pub(super) const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
pub(super) const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

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
pub(super) fn state_owner() -> String {
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
pub(super) fn jitter(d: Duration) -> Duration {
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
