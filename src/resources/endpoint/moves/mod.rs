//! `moved` from hashicorp/aws: `moved { from = aws_vpc_endpoint.x  to = vpce_gateway.x }` (or
//! `vpce_interface`, `vpce_gateway_load_balancer`, `vpce_resource`, `vpce_service_network`, by the
//! endpoint's type), Terraform 1.8+.
//!
//! The conversion works from the AWS provider's stored state alone (no EC2 call, no write): the
//! next plan refreshes the moved state with our own read, as for any resource. What the read keeps
//! from the state it refreshes (the service name and policy as written, the `dns_options` block's
//! presence, `timeouts`) is converted so that a configuration carrying the same settings plans no
//! change. The state shapes of aws provider 3.x to 6.x are accepted: attributes a version lacks
//! are left to the refresh; `tags_all`, `auto_accept`, `service_region` and
//! `subnet_configuration` are carried over where the target's schema has them ([`carry_over`]);
//! the rest (`vpc_endpoint_type`, `region`, ...) is dropped.
//!
//! Refused, with a diagnostic naming what to do instead: a source type other than hashicorp/aws
//! `aws_vpc_endpoint`, an endpoint type we do not manage (none
//! yet: a type EC2 adds later), an endpoint of the other type than the target (it names the right target), a
//! state without an endpoint ID. Terraform moves before it configures the provider, so the
//! provider's region is not known here: the guide tells to move with a provider configuration of
//! the endpoint's region (else the refresh finds no endpoint and the plan shows a create).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::Endpoint;
use crate::aws;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, Set, Val};
use crate::protocol::resource::{MoveRequest, MoveResponse};
use crate::protocol::values::Value;
use crate::resources::tags;
use crate::resources::timeouts::Timeouts;

/// The resource type moves are taken from.
pub(crate) const AWS_VPC_ENDPOINT: &str = "aws_vpc_endpoint";

/// The provider that type must come from (any registry host: Terraform's or OpenTofu's).
const AWS_PROVIDER: &str = "hashicorp/aws";

/// An `aws_vpc_endpoint` state as the AWS provider stored it (any version's attributes).
pub(crate) struct AwsEndpoint<'a> {
    pub(crate) state: &'a serde_json::Map<String, Json>,
    /// The endpoint ID (`vpce-...`).
    pub(crate) id: String,
    /// The endpoint's region, when the state tells (an ARN is built for it when the state has none).
    pub(crate) region: Option<String>,
    /// Whether the target schema has `tags_all`: then `tags` are the configured ones only.
    pub(crate) has_tags_all: bool,
}

impl AwsEndpoint<'_> {
    /// A non-empty string attribute.
    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.state.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
    }

    pub(crate) fn string(&self, key: &str) -> Val<String> {
        self.str(key).map(str::to_string).into()
    }

    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        self.state.get(key).and_then(Json::as_bool)
    }

    /// A list or set of strings, in stored order (null or absent: empty).
    pub(crate) fn strings(&self, key: &str) -> Vec<String> {
        strings_of(self.state.get(key))
    }

    pub(crate) fn string_set(&self, key: &str) -> Val<Set<String>> {
        Val::Known(self.strings(key).into_iter().collect::<BTreeSet<_>>().into_iter().collect())
    }

    pub(crate) fn string_map(&self, key: &str) -> Option<BTreeMap<String, String>> {
        let map = self.state.get(key)?.as_object()?;
        Some(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("aws:"))
                .collect(),
        )
    }

    /// The endpoint's tags: the configured ones (`tags`) when the target also has `tags_all`,
    /// else all of them (`tags_all`, what EC2 holds and what our read shows as `tags`).
    pub(crate) fn tags(&self) -> Val<crate::protocol::model::Map<String>> {
        let all = if self.has_tags_all { None } else { self.string_map("tags_all") };
        tags::state_value(all.or_else(|| self.string_map("tags")).unwrap_or_default())
    }

    /// The first object of a block stored as a list of one (`dns_options`), or the object itself.
    pub(crate) fn block(&self, key: &str) -> Option<&serde_json::Map<String, Json>> {
        match self.state.get(key)? {
            Json::Array(items) => items.first()?.as_object(),
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn arn(&self) -> Val<String> {
        match (self.str("arn"), self.str("owner_id"), &self.region) {
            (Some(arn), _, _) => Val::Known(arn.to_string()),
            (None, Some(owner), Some(region)) => Val::Known(aws::endpoint_arn(region, owner, &self.id)),
            _ => Val::Null,
        }
    }

    /// `ip_address_type` in our (lower-case) spelling.
    pub(crate) fn ip_address_type(&self) -> Val<String> {
        self.str("ip_address_type").map(str::to_ascii_lowercase).into()
    }

    /// `dns_record_ip_type` when it is not what EC2 chooses by itself (`service-defined`, or the
    /// endpoint's IP address type): a setting the user most likely configured.
    pub(crate) fn chosen_record_type(&self, dns: &serde_json::Map<String, Json>) -> Option<String> {
        let record = dns.get("dns_record_ip_type").and_then(Json::as_str).filter(|s| !s.is_empty())?;
        let ip_type = self.str("ip_address_type").unwrap_or("ipv4");
        (!record.eq_ignore_ascii_case("service-defined") && !record.eq_ignore_ascii_case(ip_type)).then(|| record.to_string())
    }

    /// The `timeouts` block (null when none was set).
    pub(crate) fn timeouts(&self) -> Val<Timeouts> {
        let Some(t) = self.state.get("timeouts").and_then(Json::as_object) else { return Val::Null };
        let get = |k: &str| -> Val<String> { t.get(k).and_then(Json::as_str).map(str::to_string).into() };
        let block = Timeouts { create: get("create"), update: get("update"), delete: get("delete") };
        if block.create.is_null() && block.update.is_null() && block.delete.is_null() {
            Val::Null
        } else {
            Val::Known(block)
        }
    }
}

pub(crate) fn strings_of(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The endpoint type of an `aws_vpc_endpoint` state: `Gateway` when empty or absent (the AWS
/// provider's rule for GovCloud, where EC2 reports no type).
fn endpoint_type(state: &serde_json::Map<String, Json>) -> String {
    state.get("vpc_endpoint_type").and_then(Json::as_str).filter(|s| !s.is_empty()).unwrap_or("Gateway").to_string()
}

/// The region of the endpoint, from the state: `region` (aws provider 6.x) or the ARN's.
fn source_region(state: &serde_json::Map<String, Json>) -> Option<String> {
    let own = state.get("region").and_then(Json::as_str).filter(|s| !s.is_empty());
    let from_arn = || state.get("arn").and_then(Json::as_str).and_then(|a| a.split(':').nth(3)).filter(|s| !s.is_empty());
    own.or_else(from_arn).map(str::to_string)
}

/// `hashicorp/aws` from `registry.terraform.io/hashicorp/aws`.
fn short_address(address: &str) -> &str {
    address.split_once('/').map_or(address, |(host, rest)| if host.contains('.') { rest } else { address })
}

/// Checks the source of a move and converts it (see the module documentation).
pub(crate) fn convert<E: Endpoint>(e: &E, req: &MoveRequest) -> Result<E::Model, Diagnostics> {
    let mut diags = Diagnostics::new();
    let from = format!("{} ({})", req.source_type_name, short_address(&req.source_provider_address));
    // OpenTofu 1.10 to 1.11.11 and 1.12.0 to 1.12.3 send the source type's implied provider, a
    // bare `aws`, instead of its address (opentofu#4355): the same provider.
    let source = short_address(&req.source_provider_address);
    let is_aws = source.eq_ignore_ascii_case(AWS_PROVIDER) || source.eq_ignore_ascii_case("aws");
    if req.source_type_name != AWS_VPC_ENDPOINT || !is_aws {
        diags.error(
            "Cannot move this resource type",
            format!(
                "{} can be moved to only from {AWS_PROVIDER}'s {AWS_VPC_ENDPOINT}, not from {from}. Import the endpoint instead: terraform import {} vpce-...",
                E::TYPE_NAME,
                E::EXAMPLE_ADDRESS
            ),
        );
        return Err(diags);
    }
    let Some(state) = req.source_state.as_object() else {
        diags.error("Cannot move the endpoint", format!("The stored state of the {from} is not an object."));
        return Err(diags);
    };
    let id = state.get("id").and_then(Json::as_str).unwrap_or_default();
    if !id.starts_with("vpce-") || id.starts_with("vpce-svc-") {
        diags.error(
            "Cannot move the endpoint",
            format!("The stored {AWS_VPC_ENDPOINT} has no VPC endpoint ID (id = {:?}): there is nothing to move. Remove the `moved` block; {} then creates a new endpoint.", id, E::TYPE_NAME),
        );
        return Err(diags);
    }
    let kind = endpoint_type(state);
    let target = match kind.to_ascii_lowercase().as_str() {
        "gateway" => Some("vpce_gateway"),
        "interface" => Some("vpce_interface"),
        "gatewayloadbalancer" => Some("vpce_gateway_load_balancer"),
        "resource" => Some("vpce_resource"),
        "servicenetwork" => Some("vpce_service_network"),
        _ => None,
    };
    match target {
        None => {
            diags.error(
                "Endpoint type not supported",
                format!(
                    "{id} is a {kind} endpoint; this provider manages Gateway (vpce_gateway), Interface (vpce_interface), Gateway Load Balancer (vpce_gateway_load_balancer), Resource (vpce_resource) and ServiceNetwork (vpce_service_network) endpoints only. Keep it in {AWS_VPC_ENDPOINT}: remove the `moved` block and the {} block for it.",
                    E::TYPE_NAME
                ),
            );
            return Err(diags);
        }
        Some(t) if t != E::TYPE_NAME => {
            diags.error(
                "Wrong target type",
                format!(
                    "{id} is a{} {kind} endpoint, which is a {t} resource, not a {}: change the resource block and the `moved` block's `to` to {t}.",
                    if kind.eq_ignore_ascii_case("interface") { "n" } else { "" },
                    E::TYPE_NAME
                ),
            );
            return Err(diags);
        }
        Some(_) => {}
    }
    let has_tags_all = Endpoint::schema(e).block.attributes.iter().any(|a| a.name == "tags_all");
    let src = AwsEndpoint { state, id: id.to_string(), region: source_region(state), has_tags_all };
    Ok(e.moved_from_aws(&src))
}

/// [`convert`] as a MoveResourceState answer, with [`carry_over`].
pub(crate) fn move_state<E: Endpoint>(e: &E, req: &MoveRequest) -> MoveResponse {
    match convert(e, req) {
        Ok(model) => {
            let mut state = model.to_value();
            carry_over(&mut state, &req.source_state);
            MoveResponse { state, identity: None, diags: Diagnostics::new() }
        }
        Err(diags) => MoveResponse::refused(diags),
    }
}

/// The source's attributes of the same name and meaning, for those the target state has and the
/// conversion left null: `tags_all`, `auto_accept`, `service_region`, `subnet_configuration`
/// (whichever the resource's schema has). `service_region` matters most: it replaces the endpoint
/// when the configuration names it and the state does not.
pub(crate) fn carry_over(state: &mut Value, source: &Json) {
    let Value::Object(attrs) = state else { return };
    let mut carry = |name: &str, value: Option<Value>| {
        if let (Some(slot), Some(v)) = (attrs.get_mut(name), value) {
            if slot.is_null() {
                *slot = v;
            }
        }
    };
    let non_empty = |v: &Json| v.as_str().filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    carry(
        "tags_all",
        source["tags_all"].as_object().map(|all| Value::map_of_strings(all.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))))),
    );
    carry("auto_accept", source["auto_accept"].as_bool().map(Value::Bool));
    carry("service_region", source["service_region"].as_str().filter(|s| !s.is_empty()).map(Value::string));
    let blocks: Vec<Value> = source["subnet_configuration"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|b| b["subnet_id"].as_str().is_some_and(|s| !s.is_empty()))
                .map(|b| {
                    Value::object([
                        ("subnet_id", non_empty(&b["subnet_id"])),
                        ("ipv4", non_empty(&b["ipv4"])),
                        ("ipv6", non_empty(&b["ipv6"])),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    // None stored: an empty set, as a refresh of an endpoint without configured addresses reads.
    carry("subnet_configuration", Some(Value::Set(blocks)));
}

#[cfg(test)]
mod tests;
