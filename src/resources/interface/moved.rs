//! `vpce_interface`: `moved` from hashicorp/aws.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::super::endpoint::moves::{self, AwsEndpoint};
use super::{InterfaceDnsOptions, InterfaceModel};
use crate::models::DnsEntry;
use crate::protocol::model::{List, Val};

/// `vpce_interface` from an `aws_vpc_endpoint` of type Interface (see the gateway's).
#[allow(clippy::needless_update)]
pub(super) fn moved_from(src: &AwsEndpoint) -> InterfaceModel {
    let dns_entry: List<DnsEntry> = src
        .state
        .get("dns_entry")
        .and_then(Json::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(Json::as_object)
                .map(|e| {
                    let s = |k: &str| -> Val<String> { e.get(k).and_then(Json::as_str).map(str::to_string).into() };
                    DnsEntry { dns_name: s("dns_name"), hosted_zone_id: s("hosted_zone_id") }
                })
                .collect()
        })
        .unwrap_or_default();
    InterfaceModel {
        id: Val::Known(src.id.clone()),
        arn: src.arn(),
        vpc_id: src.string("vpc_id"),
        service_name: src.string("service_name"),
        subnet_ids: src.string_set("subnet_ids"),
        security_group_ids: src.string_set("security_group_ids"),
        private_dns_enabled: Val::Known(src.bool("private_dns_enabled").unwrap_or(false)),
        ip_address_type: src.ip_address_type(),
        policy: src.state.get("policy").and_then(Json::as_str).map(str::to_string).into(),
        tags: src.tags(),
        state: src.string("state"),
        dns_entry: Val::Known(dns_entry),
        network_interface_ids: src.string_set("network_interface_ids"),
        owner_id: src.string("owner_id"),
        requester_managed: src.bool("requester_managed").into(),
        dns_options: moved_dns_options(src),
        timeouts: src.timeouts(),
        ..InterfaceModel::default()
    }
}

/// The interface's `dns_options` block, when it holds a setting of the user's. A private DNS
/// preference or specified domains always make the block: they replace the endpoint when the
/// configuration names them and the state does not.
pub(super) fn moved_dns_options(src: &AwsEndpoint) -> Val<InterfaceDnsOptions> {
    let Some(d) = src.block("dns_options") else { return Val::Null };
    let record = src.chosen_record_type(d);
    let inbound_only = d.get("private_dns_only_for_inbound_resolver_endpoint").and_then(Json::as_bool);
    let preference = d.get("private_dns_preference").and_then(Json::as_str).filter(|s| !s.is_empty());
    let domains = moves::strings_of(d.get("private_dns_specified_domains"));
    if record.is_none() && inbound_only != Some(true) && preference.is_none() && domains.is_empty() {
        return Val::Null;
    }
    let all_record = d.get("dns_record_ip_type").and_then(Json::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    Val::Known(InterfaceDnsOptions {
        dns_record_ip_type: all_record.into(),
        private_dns_only_for_inbound_resolver_endpoint: inbound_only.into(),
        private_dns_preference: preference.map(str::to_string).into(),
        private_dns_specified_domains: if domains.is_empty() {
            Val::Null
        } else {
            Val::Known(domains.into_iter().collect::<BTreeSet<_>>().into_iter().collect())
        },
    })
}
