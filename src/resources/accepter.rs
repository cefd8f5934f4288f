//! `vpce_connection_accepter`: the owner of an endpoint service accepts one endpoint's connection
//! request (hashicorp/aws's `aws_vpc_endpoint_connection_accepter`), for endpoints of other
//! accounts (or of other configurations) that wait in `pendingAcceptance`.
//!
//! - Plan: a new accepter needs a connection of the endpoint to the service, which
//!   DescribeVpcEndpointConnections lists only for services of this account; a `vpce_interface`
//!   of the same configuration that sets `auto_accept = true` for the same endpoint is refused
//!   ("Connection acceptance managed twice", [`super::ownership::SPLIT_ACCEPT`]).
//! - Create: AcceptVpcEndpointConnections, then the wait until the connection is `available`.
//! - Read: the connection's state; a connection gone, rejected or deleted removes the accepter
//!   from the state (the next plan accepts it again, which EC2 refuses for a rejected one).
//! - Delete: RejectVpcEndpointConnections, as hashicorp/aws does (the endpoint then carries no
//!   traffic); a connection already gone counts as rejected.
//! - Import by `<vpc_endpoint_service_id>_<vpc_endpoint_id>` (hashicorp/aws's ID, also `id`);
//!   `moved` from `aws_vpc_endpoint_connection_accepter` (no 3.x version has it: 5.x/6.x state).

use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpointConnection;

use super::ownership::SPLIT_ACCEPT;
use super::{ApplyResponse, Ctx, ImportResponse, PlanResponse};
use crate::aws::AwsError;
use crate::checks::validate_id;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, Model, Val};
use crate::protocol::resource::{default_plan, MoveRequest, MoveResponse};
use crate::protocol::schema::Schema;
use crate::protocol::typed::{Read, TypedPlanRequest, TypedResource};
use crate::protocol::values::Value;

/// How long a create waits for the connection to be available.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Connection states after which nothing is accepted any more.
const GONE: &[&str] = &["rejected", "deleted", "deleting", "failed", "expired"];

crate::model! {
    /// The state, plan or configuration of a `vpce_connection_accepter`.
    #[description = "Accepts one endpoint's connection to an endpoint service this account owns (its endpoints wait in `pendingAcceptance` when the service requires acceptance). Destroying it rejects the connection. For endpoints of other accounts or configurations; for an endpoint of this configuration, `auto_accept` on its `vpce_interface` does the same (setting both is refused at plan)."]
    pub(crate) struct AccepterModel {
        attrs {
            id: String [computed] "`<vpc_endpoint_service_id>_<vpc_endpoint_id>`, also the import ID.";
            vpc_endpoint_service_id: String [required replace_when_changed] "The endpoint service (`vpce-svc-...`), owned by this account. Changing it replaces the resource.";
            vpc_endpoint_id: String [required replace_when_changed] "The endpoint (`vpce-...`) whose connection is accepted. Changing it replaces the resource.";
            vpc_endpoint_state: String [computed] "The endpoint's state as the service sees it (`available` once accepted).";
        }
    }
}

/// `vpce_connection_accepter`.
pub(crate) struct ConnectionAccepter {
    schema: Schema,
}

impl ConnectionAccepter {
    pub(crate) fn new() -> Self {
        ConnectionAccepter { schema: AccepterModel::schema(0) }
    }
}

impl Default for ConnectionAccepter {
    fn default() -> Self {
        Self::new()
    }
}

fn accepter_id(service: &str, endpoint: &str) -> String {
    format!("{service}_{endpoint}")
}

/// `vpce-svc-..._vpce-...` into its parts.
fn parse_id(id: &str) -> Option<(String, String)> {
    let (service, endpoint) = id.trim().split_once('_')?;
    let ok = service.starts_with("vpce-svc-") && endpoint.starts_with("vpce-") && !endpoint.starts_with("vpce-svc-");
    ok.then(|| (service.to_string(), endpoint.to_string()))
}

fn validate(c: &AccepterModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&c.vpc_endpoint_service_id, "vpc_endpoint_service_id", "vpce-svc-", "VPC endpoint service", &mut d);
    validate_id(&c.vpc_endpoint_id, "vpc_endpoint_id", "vpce-", "VPC endpoint", &mut d);
    if c.vpc_endpoint_id.as_str().is_some_and(|id| id.starts_with("vpce-svc-")) {
        d.attr_error(
            "vpc_endpoint_id",
            "Invalid VPC endpoint ID",
            "A `vpce-svc-...` ID is an endpoint service, not an endpoint: vpc_endpoint_service_id takes the service, vpc_endpoint_id the endpoint whose connection is accepted.",
        );
    }
    d
}

fn model(service: &str, endpoint: &str, c: &VpcEndpointConnection) -> AccepterModel {
    AccepterModel {
        id: Val::Known(accepter_id(service, endpoint)),
        vpc_endpoint_service_id: Val::Known(service.to_string()),
        vpc_endpoint_id: Val::Known(endpoint.to_string()),
        vpc_endpoint_state: c.vpc_endpoint_state().map(|s| s.as_str().to_string()).into(),
    }
}

fn state_of(c: &VpcEndpointConnection) -> String {
    c.vpc_endpoint_state().map(|s| s.as_str().to_ascii_lowercase()).unwrap_or_default()
}

fn parts(m: &AccepterModel) -> Option<(String, String)> {
    Some((m.vpc_endpoint_service_id.as_str()?.to_string(), m.vpc_endpoint_id.as_str()?.to_string()))
}

/// Waits until the connection is available (or gone); the last one seen.
async fn wait_available(ctx: &Ctx, service: &str, endpoint: &str) -> Result<Option<VpcEndpointConnection>, AwsError> {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    let mut pause = Duration::from_millis(500);
    loop {
        let found = ctx.ec2.find_endpoint_connection(service, endpoint).await?;
        let done = found.as_ref().is_none_or(|c| state_of(c) == "available" || GONE.contains(&state_of(c).as_str()));
        if done || tokio::time::Instant::now() + pause > deadline || ctx.cancel.is_cancelled() {
            return Ok(found);
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = ctx.cancel.cancelled() => return Ok(found),
        }
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

impl TypedResource<Ctx> for ConnectionAccepter {
    type Model = AccepterModel;

    fn type_name(&self) -> &'static str {
        SPLIT_ACCEPT.resource
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &AccepterModel) -> Diagnostics {
        validate(config)
    }

    async fn plan(&self, ctx: &Ctx, typed: TypedPlanRequest<'_, AccepterModel>) -> PlanResponse {
        let (req, config) = (typed.raw, typed.config);
        let mut resp = default_plan(&self.schema, req);
        resp.diags.extend(validate(&config));
        let Some((service, endpoint)) = parts(&config) else { return resp };
        if let Value::Object(m) = &mut resp.planned {
            m.insert("id".to_string(), Value::string(accepter_id(&service, &endpoint)));
        }
        let fresh = req.prior.is_null() || !resp.requires_replace.is_empty();
        if req.prior.is_null() || resp.requires_replace.is_empty() {
            if let Some((summary, detail)) = SPLIT_ACCEPT.claim(&ctx.owners, &endpoint) {
                resp.diags.attr_error("vpc_endpoint_id", summary, detail);
            }
        }
        if !fresh || resp.diags.has_errors() {
            return resp;
        }
        match ctx.ec2.find_endpoint_connection(&service, &endpoint).await {
            Ok(Some(c)) if GONE.contains(&state_of(&c).as_str()) => resp.diags.attr_error(
                "vpc_endpoint_id",
                "Connection cannot be accepted",
                format!("The connection of {endpoint} to {service} is {}: EC2 accepts only connections waiting for acceptance (pendingAcceptance). The endpoint's owner must create a new endpoint.", state_of(&c)),
            ),
            Ok(Some(_)) => {}
            Ok(None) => resp.diags.attr_error(
                "vpc_endpoint_id",
                "No connection to accept",
                format!("{service} has no connection from {endpoint}: DescribeVpcEndpointConnections lists none. The service must be this account's (its owner accepts), and the endpoint one of that service, in this region."),
            ),
            Err(e) => resp.diags.warning("Cannot check the connection", format!("{endpoint} to {service}: {e}")),
        }
        resp
    }

    async fn create(&self, ctx: &Ctx, planned: AccepterModel, _config: AccepterModel) -> ApplyResponse {
        let mut diags = Diagnostics::new();
        let Some((service, endpoint)) = parts(&planned) else {
            diags.error("Provider bug: unknown values at apply", "vpc_endpoint_service_id and vpc_endpoint_id must be known at apply.");
            return ApplyResponse { new_state: Value::Null, diags };
        };
        if let Err(e) = ctx.ec2.accept_endpoint_connection(&service, &endpoint).await {
            diags.attr_error("vpc_endpoint_id", "Cannot accept the connection", format!("{endpoint} to {service}: {e}"));
            return ApplyResponse { new_state: Value::Null, diags };
        }
        crate::info!("accepted the endpoint's connection", "id" => endpoint.clone(), "service_id" => service.clone());
        // From here the connection is accepted: the state holds the accepter whatever the wait says.
        match wait_available(ctx, &service, &endpoint).await {
            Ok(Some(c)) if state_of(&c) == "available" => ApplyResponse { new_state: model(&service, &endpoint, &c).to_value(), diags },
            other => {
                let seen = match &other {
                    Ok(Some(c)) => format!("its state is {}", state_of(c)),
                    Ok(None) => "DescribeVpcEndpointConnections does not list it".to_string(),
                    Err(e) => e.to_string(),
                };
                diags.warning(
                    "Connection not available yet",
                    format!("EC2 accepted {endpoint}'s connection to {service}, but {seen}; the next refresh reads it again."),
                );
                let mut state = planned.clone();
                state.vpc_endpoint_state = match other {
                    Ok(Some(c)) => c.vpc_endpoint_state().map(|s| s.as_str().to_string()).into(),
                    _ => Val::Null,
                };
                ApplyResponse { new_state: state.to_value(), diags }
            }
        }
    }

    /// Nothing changes in place (every argument replaces the accepter).
    async fn update(&self, _ctx: &Ctx, prior: AccepterModel, _planned: AccepterModel, _config: AccepterModel) -> ApplyResponse {
        ApplyResponse { new_state: prior.to_value(), diags: Diagnostics::new() }
    }

    async fn delete(&self, ctx: &Ctx, prior: AccepterModel) -> ApplyResponse {
        let mut diags = Diagnostics::new();
        let Some((service, endpoint)) = parts(&prior) else { return ApplyResponse::default() };
        match ctx.ec2.reject_endpoint_connection(&service, &endpoint).await {
            Ok(()) => {
                crate::info!("rejected the endpoint's connection", "id" => endpoint, "service_id" => service);
                ApplyResponse::default()
            }
            Err(e) => {
                // A connection that no longer exists (or a service deleted) counts as rejected.
                if let Ok(None) = ctx.ec2.find_endpoint_connection(&service, &endpoint).await {
                    return ApplyResponse::default();
                }
                diags.error("Cannot reject the connection", format!("{endpoint} to {service}: {e}"));
                ApplyResponse { new_state: prior.to_value(), diags }
            }
        }
    }

    async fn read(&self, ctx: &Ctx, current: AccepterModel) -> Read<AccepterModel> {
        let Some((service, endpoint)) = parts(&current) else { return Read::Gone };
        match ctx.ec2.find_endpoint_connection(&service, &endpoint).await {
            Ok(Some(c)) if !GONE.contains(&state_of(&c).as_str()) => Read::Found(model(&service, &endpoint, &c), Diagnostics::new()),
            Ok(_) => {
                crate::warn!("the connection is gone or rejected; removing the accepter from the state", "id" => accepter_id(&service, &endpoint));
                Read::Gone
            }
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.error("Cannot read the connection", format!("{endpoint} to {service}: {e}"));
                Read::Failed(diags)
            }
        }
    }

    fn move_sources(&self) -> &[&'static str] {
        &["aws_vpc_endpoint_connection_accepter"]
    }

    /// `moved { from = aws_vpc_endpoint_connection_accepter.x  to = vpce_connection_accepter.x }`.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        match move_from_aws(&req) {
            Ok(state) => MoveResponse { state: state.to_value(), identity: None, diags: Diagnostics::new() },
            Err(detail) => {
                let mut diags = Diagnostics::new();
                diags.error("Cannot move the vpce_connection_accepter", detail);
                MoveResponse::refused(diags)
            }
        }
    }

    async fn import(&self, ctx: &Ctx, id: String) -> ImportResponse {
        let mut diags = Diagnostics::new();
        let refused = |diags| ImportResponse { state: Value::Null, diags };
        let Some((service, endpoint)) = parse_id(&id) else {
            diags.error(
                "Invalid import ID",
                format!("\"{id}\" is not a connection accepter ID: use <vpc_endpoint_service_id>_<vpc_endpoint_id>, for example terraform import vpce_connection_accepter.example vpce-svc-0123456789abcdef0_vpce-0123456789abcdef0"),
            );
            return refused(diags);
        };
        match ctx.ec2.find_endpoint_connection(&service, &endpoint).await {
            Ok(Some(c)) if !GONE.contains(&state_of(&c).as_str()) => {
                ImportResponse { state: model(&service, &endpoint, &c).to_value(), diags }
            }
            Ok(_) => {
                diags.error(
                    "Cannot import: no connection",
                    format!("{service} has no live connection from {endpoint} (none, or rejected)."),
                );
                refused(diags)
            }
            Err(e) => {
                diags.error("Cannot import the vpce_connection_accepter", format!("{id}: {e}"));
                refused(diags)
            }
        }
    }
}

/// Our state from the AWS provider's state; why not, for a diagnostic.
fn move_from_aws(req: &MoveRequest) -> Result<AccepterModel, String> {
    let provider = req.source_provider_address.trim_end_matches('/');
    if !(provider.ends_with("hashicorp/aws") || provider.ends_with("opentofu/aws")) {
        return Err(format!(
            "The source is a {} of {provider}; vpce_connection_accepter takes the state of hashicorp/aws's aws_vpc_endpoint_connection_accepter only.",
            req.source_type_name
        ));
    }
    let field = |name: &str| req.source_state.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
    let (Some(service), Some(endpoint)) = (field("vpc_endpoint_service_id"), field("vpc_endpoint_id")) else {
        return Err(format!(
            "The aws_vpc_endpoint_connection_accepter state has no vpc_endpoint_service_id and vpc_endpoint_id (state: {}). Remove the `moved` block and import instead: terraform import vpce_connection_accepter.NAME <vpc_endpoint_service_id>_<vpc_endpoint_id>",
            req.source_state
        ));
    };
    if parse_id(&accepter_id(service, endpoint)).is_none() {
        return Err(format!("The aws_vpc_endpoint_connection_accepter state names service \"{service}\" and endpoint \"{endpoint}\", which are not a VPC endpoint service ID and a VPC endpoint ID."));
    }
    Ok(AccepterModel {
        id: Val::Known(accepter_id(service, endpoint)),
        vpc_endpoint_service_id: Val::Known(service.to_string()),
        vpc_endpoint_id: Val::Known(endpoint.to_string()),
        vpc_endpoint_state: field("vpc_endpoint_state").map(str::to_string).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(parse_id("vpce-svc-1_vpce-2"), Some(("vpce-svc-1".to_string(), "vpce-2".to_string())));
        assert_eq!(parse_id("vpce-2_vpce-svc-1"), None);
        assert_eq!(parse_id("vpce-svc-1/vpce-2"), None);
    }

    #[test]
    fn moves_from_aws_state() {
        let req = |state: serde_json::Value| MoveRequest {
            source_provider_address: "registry.terraform.io/hashicorp/aws".to_string(),
            source_type_name: "aws_vpc_endpoint_connection_accepter".to_string(),
            source_schema_version: 0,
            source_state: state,
            source_private: Vec::new(),
            source_identity: None,
            source_identity_version: 0,
        };
        let m = move_from_aws(&req(serde_json::json!({"id": "vpce-svc-1_vpce-2", "vpc_endpoint_service_id": "vpce-svc-1", "vpc_endpoint_id": "vpce-2", "vpc_endpoint_state": "available"}))).expect("moved");
        assert_eq!(m.id.as_str(), Some("vpce-svc-1_vpce-2"));
        assert_eq!(m.vpc_endpoint_state.as_str(), Some("available"));
        assert!(move_from_aws(&req(serde_json::json!({"vpc_endpoint_id": "vpce-2"}))).is_err());
    }
}
