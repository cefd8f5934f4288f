//! The endpoint lifecycle both resources share: crash-safe creation (adopt an orphan of an
//! interrupted create, retry an unknown outcome with the same ClientToken, find what a failed
//! create made), and the removal of the creation marker once Terraform's state holds an endpoint.
//! The design and its limits: docs/guides/crash-safety.md.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{VpcEndpoint, VpcEndpointType};

use crate::aws::{self, AwsError, SdkResultExt};

use super::Ctx;

/// What a create needs beyond the resource-specific request.
pub struct NewEndpoint<'a> {
    pub endpoint_type: VpcEndpointType,
    pub vpc_id: &'a str,
    /// The full service name (`com.amazonaws.REGION.s3`).
    pub service: &'a str,
    /// Every setting of the request, canonically written: endpoints made with the same settings
    /// share a fingerprint, which adoption prefers.
    pub settings: String,
    pub tags: &'a BTreeMap<String, String>,
    /// The create timeout: an unknown outcome is retried until it passes.
    pub timeout: Duration,
}

pub enum Created {
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
/// or timeout (the request may or may not have run), a server error, or throttling.
fn retryable(e: &AwsError) -> bool {
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
pub async fn create(ctx: &Ctx, new: NewEndpoint<'_>, build: impl Fn() -> CreateVpcEndpointFluentBuilder) -> Created {
    let started = tokio::time::Instant::now();
    let deadline = started + new.timeout;
    let fingerprint = aws::fingerprint(&new.settings);
    let mut others = Vec::new();
    match ctx.ec2.find_orphans(new.vpc_id, new.service, new.endpoint_type.as_str(), &fingerprint).await {
        Ok(aws::Orphans { adopt: Some(ep), .. }) => {
            crate::warn!(
                "adopting an endpoint left by an interrupted create".to_string(),
                "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                "vpc_id" => new.vpc_id,
                "service" => new.service,
            );
            return Created::Adopted(ep);
        }
        Ok(found) => others = found.others,
        Err(e) => crate::warn!("could not look for endpoints left by interrupted creates".to_string(), "error" => e.to_string()),
    }

    let token = uuid::Uuid::new_v4().to_string();
    ctx.ec2.claim(&token);
    let marker = aws::marker_value(&fingerprint, &token);
    let user_tags = new.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let spec = super::common::tag_specification(user_tags.chain([(aws::CREATE_MARKER, marker.as_str())]));

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
                    "CreateVpcEndpoint reported a failure, but the endpoint was created".to_string(),
                    "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                    "error" => error.to_string(),
                );
                ctx.ec2.claim(ep.vpc_endpoint_id().unwrap_or_default());
                return Created::New(ep, others);
            }
            Ok(None) => {}
            Err(e) => crate::warn!("could not check whether the failed create made an endpoint".to_string(), "error" => e.to_string()),
        }
        if !retryable(&error) {
            break;
        }
    }
    Created::Failed(error)
}

/// A warning about orphans of interrupted creates that were not adopted (other settings).
pub fn warn_other_orphans(diags: &mut crate::protocol::diagnostics::Diagnostics, others: &[String]) {
    if others.is_empty() {
        return;
    }
    diags.warning(
        "Endpoints left by an interrupted apply",
        format!(
            "{} of the same VPC, service and type {} created by an earlier apply that was interrupted, with other settings than this one, and no Terraform state holds {}. They were not adopted: import them (terraform import) or delete them.",
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
/// credentials during a plan) only leaves the marker for the next time.
pub async fn settle_marker(ctx: &Ctx, ep: &VpcEndpoint) {
    let Some(id) = ep.vpc_endpoint_id() else { return };
    ctx.ec2.claim(id);
    if aws::marker_of(ep).is_none() || ctx.ec2.writes_halted() {
        return;
    }
    if let Err(e) = ctx.ec2.clear_marker(id).await {
        crate::debug!("could not remove the creation marker".to_string(), "id" => id, "error" => e.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_retried() {
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", None, "connection reset")));
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("InternalError"), "x")));
        assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("RequestLimitExceeded"), "x")));
        assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("InvalidParameter"), "x")));
        assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("RouteAlreadyExists"), "x")));
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(4));
            assert!(j >= Duration::from_secs(3) && j <= Duration::from_secs(5), "{j:?}");
        }
    }
}
