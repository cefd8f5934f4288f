//! `auto_accept` (interface and Gateway Load Balancer endpoints): accepting the endpoint's
//! connection when the service is this account's.

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::timeouts::{self, Timeouts};
use super::super::Ctx;
use crate::aws;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

/// What [`accept_if_asked`] reads of the plan and the prior state.
pub(crate) struct Acceptance<'a> {
    pub(crate) auto_accept: &'a Val<bool>,
    pub(crate) planned_id: &'a Val<String>,
    pub(crate) timeouts: &'a Val<Timeouts>,
    /// The prior state's `state` and `id`: `None` after a create.
    pub(crate) prior: Option<(&'a Val<String>, &'a Val<String>)>,
}

/// With `auto_accept = true`, accepts the endpoint's connection when it waits for acceptance:
/// after a create (no prior), or after an update that sets `auto_accept` (or modified the
/// endpoint) while it waits. Only the owner of the service can: for another account's service a
/// warning says that the owner must accept. Then waits until the endpoint is available.
pub(crate) async fn accept_if_asked(
    ctx: &Ctx,
    ask: Acceptance<'_>,
    ep: Option<VpcEndpoint>,
    diags: &mut Diagnostics,
) -> Option<VpcEndpoint> {
    if ask.auto_accept.as_bool() != Some(true) {
        return ep;
    }
    let prior_waiting = ask.prior.and_then(|(s, _)| s.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
    let id = ask.planned_id.as_str().or(ask.prior.and_then(|(_, id)| id.as_str())).unwrap_or_default().to_string();
    let current = match ep {
        Some(ep) => ep,
        None if prior_waiting => match ctx.ec2.find_vpc_endpoint(&id).await {
            Ok(Some(ep)) => ep,
            _ => return None,
        },
        None => return None,
    };
    if aws::state_str(&current) != "pendingacceptance" {
        return Some(current);
    }
    let service = current.service_name().unwrap_or_default().to_string();
    let not_accepted =
        "The endpoint is saved in the state in the pendingAcceptance state; it carries no traffic until the service's owner accepts it.";
    let config = match ctx.ec2.own_service_configuration(&service).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            diags.attr_warning(
                "auto_accept",
                "Cannot accept the endpoint",
                format!("auto_accept = true, but endpoint service {service} is not owned by this account (it has no service configuration here), so only its owner can accept endpoint {id}. {not_accepted}"),
            );
            return Some(current);
        }
        Err(e) => {
            diags.attr_warning(
                "auto_accept",
                "Cannot accept the endpoint",
                format!("Looking up endpoint service {service}: {e}. {not_accepted}"),
            );
            return Some(current);
        }
    };
    let service_id = config.service_id().unwrap_or_default();
    if let Err(e) = ctx.ec2.accept_endpoint_connection(service_id, &id).await {
        diags.attr_error("auto_accept", "Cannot accept the endpoint", format!("{id}: {e}. {not_accepted}"));
        return Some(current);
    }
    crate::info!("accepted the endpoint's connection", "id" => id.clone(), "service_id" => service_id);
    let timeout = timeouts::timeout(ask.timeouts, if ask.prior.is_none() { timeouts::Op::Create } else { timeouts::Op::Update });
    match ctx.ec2.wait_for_endpoint(&id, &["available"], timeout, &ctx.cancel).await {
        Ok(ep) => Some(ep),
        Err(e) => {
            super::wait_error(diags, e, &id, "to become available after its acceptance", "The state holds the endpoint as last read.");
            Some(current)
        }
    }
}
