//! What the provider learns of every EC2 HTTP attempt (an SDK interceptor), handed to an
//! observer the caller supplies (the provider logs it). Knows nothing of logging formats.
//!
//! Never part of an event: headers (the `Authorization` signature, the session token), the
//! request body as a whole (policy documents), credentials of any kind. Only the operation, the
//! resource ids named in the request, timing, attempt number, status, request id and error code.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_ec2::config::interceptors::{BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef};
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// One HTTP attempt of an EC2 call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallEvent {
    /// `DescribeVpcEndpoints`, `CreateVpcEndpoint`, ...
    pub(crate) operation: String,
    /// The resource ids the request names (`VpcEndpointId.1=vpce-…`, `VpcId=vpc-…`, ...).
    pub(crate) ids: Vec<String>,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub(crate) attempt: u32,
    pub(crate) duration: Duration,
    /// The HTTP status; `None` when no response arrived (timeout, connection error).
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
    /// The EC2 error code of a failed attempt (`RequestLimitExceeded`), or `transport` when no
    /// response arrived.
    pub(crate) error_code: Option<String>,
}

impl CallEvent {
    /// Throttled, a server error or a transport failure: the SDK retries these while attempts remain.
    pub(crate) fn is_retryable_failure(&self) -> bool {
        match (self.status, self.error_code.as_deref()) {
            (_, Some(code)) if super::error::is_throttling_code(code) => true,
            (Some(s), _) => s >= 500,
            (None, _) => true,
        }
    }

    pub(crate) fn is_throttled(&self) -> bool {
        self.error_code.as_deref().is_some_and(super::error::is_throttling_code)
    }
}

/// One poll of a waiter: the endpoint's state as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollEvent {
    pub(crate) endpoint_id: String,
    /// What the waiter waits for (`available`, `deleted`).
    pub(crate) waiting_for: &'static str,
    /// The state read (`pending`, `not found`, ...).
    pub(crate) state: String,
    pub(crate) elapsed: Duration,
}

/// Receives every [`CallEvent`] and [`PollEvent`] (the provider logs them).
pub trait Ec2Observer: Send + Sync {
    fn call(&self, event: &CallEvent);
    fn poll(&self, _event: &PollEvent) {}
}

pub type CallObserver = Arc<dyn Ec2Observer>;

#[derive(Debug, Clone)]
struct AttemptStart {
    at: Instant,
    ids: Vec<String>,
}

impl Storable for AttemptStart {
    type Storer = StoreReplace<Self>;
}

pub(super) struct Observe(pub(super) CallObserver);

impl std::fmt::Debug for Observe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observe")
    }
}

impl Intercept for Observe {
    fn name(&self) -> &'static str {
        "Observe"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ids = context.request().body().bytes().map(request_ids).unwrap_or_default();
        cfg.interceptor_state().store_put(AttemptStart { at: Instant::now(), ids });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(start) = cfg.load::<AttemptStart>().cloned() else { return Ok(()) };
        let response = context.response();
        let status = response.map(|r| r.status().as_u16());
        let request_id =
            response.and_then(|r| r.headers().get("x-amzn-requestid").or_else(|| r.headers().get("x-amz-request-id")).map(str::to_owned));
        let failed = matches!(context.output_or_error(), Some(Err(_))) || status.is_some_and(|s| s >= 400);
        let error_code = if !failed {
            None
        } else {
            match response.and_then(|r| r.body().bytes()).and_then(error_code) {
                Some(code) => Some(code),
                None if response.is_none() => Some("transport".to_owned()),
                None => None,
            }
        };
        let event = CallEvent {
            operation: cfg.load::<Metadata>().map(|m| m.name().to_owned()).unwrap_or_default(),
            ids: start.ids,
            attempt: cfg.load::<RequestAttempts>().map(|a| a.attempts()).unwrap_or(1).max(1),
            duration: start.at.elapsed(),
            status,
            request_id,
            error_code,
        };
        self.0.call(&event);
        Ok(())
    }
}

/// The resource ids an EC2 query-protocol request names: the values of parameters whose name
/// ends in `Id` or `Id.N` / `Ids.N` (`VpcEndpointId.1`, `VpcId`, `AddRouteTableId.2`), except the
/// idempotency `ClientToken`. Policy documents and tag values are never included.
pub(crate) fn request_ids(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut ids = Vec::new();
    for pair in text.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let base = key.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end_matches('.');
        if (base.ends_with("Id") || base.ends_with("Ids")) && !value.is_empty() {
            let value = value.replace("%2D", "-").replace("%2d", "-");
            if value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !ids.contains(&value) {
                ids.push(value);
            }
        }
    }
    ids
}

/// The `<Code>` of an EC2 error document.
pub(super) fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    Some(text[start..end].trim().to_owned()).filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_id_parameters_only() {
        let body = b"Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=vpce-0abc&AddRouteTableId.1=rtb-1&AddRouteTableId.2=rtb-2&PolicyDocument=%7B%22Secret%22%3A1%7D&ClientToken=tok-1&Tag.1.Value=vpce-not-an-id";
        assert_eq!(request_ids(body), vec!["vpce-0abc", "rtb-1", "rtb-2"]);
        assert_eq!(request_ids(b"Action=DescribeVpcs&VpcId.1=vpc-1&VpcId.2=vpc-1"), vec!["vpc-1"]);
    }

    #[test]
    fn error_codes_from_ec2_documents() {
        let xml = b"<?xml version=\"1.0\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors><RequestID>r-1</RequestID></Response>";
        assert_eq!(error_code(xml).as_deref(), Some("RequestLimitExceeded"));
        assert_eq!(error_code(b"<Response/>"), None);
        let e = CallEvent { error_code: Some("RequestLimitExceeded".into()), status: Some(503), ..Default::default() };
        assert!(e.is_throttled() && e.is_retryable_failure());
        let e = CallEvent { error_code: Some("InvalidVpcID.NotFound".into()), status: Some(400), ..Default::default() };
        assert!(!e.is_retryable_failure());
    }
}
