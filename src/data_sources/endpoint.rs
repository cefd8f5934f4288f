//! `vpce_endpoint`: one existing VPC endpoint, of any type, by id or by filters (VPC, service,
//! type, state, tags, ids, and EC2's own `filter` blocks), with every attribute the `vpce_gateway`
//! and `vpce_interface` resources expose. Exactly one endpoint must match: none or several is an
//! error naming what matched.

use aws_sdk_ec2::types::VpcEndpoint;

use std::future::Future;

use crate::aws::{self, EndpointQuery, ENDPOINT_FILTERS, ENDPOINT_TYPES};
use crate::checks::{validate_endpoint_ids, validate_id};
use crate::context::Ctx;
use crate::filters::{raw_filters, validate_filters, FilterBlock};
use crate::models::{dns_entries, string_set, DnsEntry};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, List, Map, Set, Val};
use crate::protocol::typed::TypedDataSource;

crate::model! {
    /// The configuration and state of a `vpce_endpoint` data source.
    #[description = "One existing VPC endpoint (of any type, managed by Terraform or not), found by `id` or by the filters `vpc_id`, `service_name`, `vpc_endpoint_type`, `state`, `tags`, `service_region`, `vpc_endpoint_ids` and `filter` blocks: exactly one endpoint must match. Deleted endpoints (which EC2 lists for a while) match only `state = \"deleted\"`."]
    pub(crate) struct EndpointDataModel {
        attrs {
            id: String [optional computed] "The endpoint ID (`vpce-...`) to look up; else the ID of the endpoint the filters found.";
            vpc_id: String [optional computed] "Filter: the endpoint's VPC.";
            service_name: String [optional computed] "Filter: the endpoint's service, in full (`com.amazonaws.us-east-1.s3`) or short (`s3`, expanded with the provider's region). The state holds the name as EC2 reports it.";
            vpc_endpoint_type: String [optional computed one_of_named("endpoint type", ENDPOINT_TYPES)] "Filter: `Gateway`, `Interface`, `GatewayLoadBalancer`, `Resource` or `ServiceNetwork`.";
            state: String [optional computed] "Filter: the endpoint's state (e.g. `available`, `pendingAcceptance`; case-insensitive). Without it, any state but `deleted` matches.";
            tags: Map<String> [optional computed] "Filter: tags the endpoint must have, with these values. The state holds all of the endpoint's tags (AWS-reserved `aws:` tags left out).";
            arn: String [computed] "The endpoint ARN.";
            owner_id: String [computed] "The AWS account that owns the endpoint.";
            requester_managed: bool [computed] "Whether an AWS service manages the endpoint.";
            policy: String [computed] "The endpoint policy (JSON), as EC2 returns it; null for types without a policy.";
            route_table_ids: Set<String> [computed] "Gateway endpoints: the associated route tables.";
            prefix_list_id: String [computed] "Gateway endpoints: the AWS-managed prefix list of the service (the destination of the endpoint's routes); null otherwise.";
            cidr_blocks: List<String> [computed] "Gateway endpoints: the CIDR blocks of that prefix list, sorted; empty otherwise.";
            subnet_ids: Set<String> [computed] "Interface endpoints: the subnets of the endpoint's network interfaces.";
            security_group_ids: Set<String> [computed] "Interface endpoints: the security groups of the network interfaces.";
            network_interface_ids: Set<String> [computed] "Interface endpoints: the network interfaces.";
            private_dns_enabled: bool [computed] "Interface endpoints: whether private DNS is enabled.";
            dns_entry: List<DnsEntry> [computed] "Interface endpoints: the DNS names and their hosted zones.";
            ip_address_type: String [computed] "`ipv4`, `dualstack` or `ipv6` (null when EC2 does not say).";
            dns_record_ip_type: String [computed] "The DNS record IP type of the endpoint's DNS options (null when EC2 does not say).";
            vpc_endpoint_ids: Set<String> [optional] "Filter: only among these endpoints (`VpcEndpointIds`; an ID that does not exist is an error of EC2's).";
            service_region: String [optional computed] "Filter: the region of the endpoint's service (cross-region PrivateLink). The state holds the region EC2 reports, else the provider's.";
            dns_options: EndpointDnsOptions [computed] "The endpoint's DNS options, as EC2 reports them (null when EC2 reports none).";
        }
        blocks {
            filter: List<FilterBlock>;
        }
    }
}

crate::model! {
    #[description = "DNS options of the endpoint."]
    pub(crate) struct EndpointDnsOptions {
        attrs {
            dns_record_ip_type: String [computed] "`ipv4`, `dualstack`, `ipv6` or `service-defined`.";
            private_dns_only_for_inbound_resolver_endpoint: bool [computed] "Whether the private DNS name resolves to the endpoint only for queries from Route 53 Resolver inbound endpoints.";
            private_dns_preference: String [computed] "Which domains get private DNS (`ALL_DOMAINS`, `VERIFIED_DOMAINS_ONLY`, ...).";
            private_dns_specified_domains: Set<String> [computed] "The domains of the `..._SPECIFIED_DOMAINS` preferences.";
        }
    }
}

/// `vpce_endpoint` (a [`TypedDataSource`]; registered as `Typed<EndpointData>`).
pub(crate) struct EndpointData;

impl TypedDataSource<Ctx> for EndpointData {
    type Model = EndpointDataModel;

    fn type_name(&self) -> &'static str {
        "vpce_endpoint"
    }

    fn validate(&self, config: &EndpointDataModel) -> Diagnostics {
        validate(config)
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a EndpointDataModel,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<EndpointDataModel>> + Send + 'a {
        read(ctx, config, diags)
    }
}

/// The filters set in the configuration, by attribute name (and the `filter` blocks).
const FILTERS: &[&str] = &["id", "vpc_id", "service_name", "vpc_endpoint_type", "state", "tags", "vpc_endpoint_ids", "service_region"];

fn validate(c: &EndpointDataModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(&c.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
    if let Some(id) = c.id.as_str().filter(|id| !id.starts_with("vpce-") || id.starts_with("vpce-svc-")) {
        d.attr_error(
            "id",
            "Invalid VPC endpoint ID",
            format!("\"{id}\" is not a VPC endpoint ID: those look like \"vpce-0123456789abcdef0\" (a `vpce-svc-...` is an endpoint service: see the vpce_service data source)."),
        );
    }
    validate_endpoint_ids(&c.vpc_endpoint_ids, "vpc_endpoint_ids", &mut d);
    if let Some(r) = c.service_region.as_str().filter(|r| !aws::is_region_name(r)) {
        d.attr_error("service_region", "Invalid service_region", format!("\"{r}\" is not an AWS region name such as \"us-west-2\"."));
    }
    validate_filters(&c.filter, ENDPOINT_FILTERS, "DescribeVpcEndpoints", &mut d);
    let value = c.to_value();
    // Some(any block), None while unknown (a list of blocks comes empty, not null, when none).
    let filter_blocks = if c.filter.is_unknown() { None } else { Some(c.filter.known().is_some_and(|l| !l.0.is_empty())) };
    let all_known = FILTERS.iter().all(|f| value.get(f).is_known()) && filter_blocks.is_some();
    let any_set = FILTERS.iter().any(|f| !value.get(f).is_null()) || filter_blocks == Some(true);
    if all_known && !any_set {
        d.attr_error(
            "id",
            "No filter",
            "Set `id`, or at least one filter (`vpc_id`, `service_name`, `vpc_endpoint_type`, `state`, `tags`, `service_region`, `vpc_endpoint_ids`, a `filter` block) that matches exactly one endpoint.",
        );
    }
    d
}

/// The query of a configuration (short service names expanded).
fn query(c: &EndpointDataModel, region: &str) -> EndpointQuery {
    let s = |v: &Val<String>| v.as_str().map(str::to_string);
    EndpointQuery {
        id: s(&c.id),
        vpc_id: s(&c.vpc_id),
        service_name: c.service_name.as_str().map(|n| aws::resolve_service_name(n, region)),
        endpoint_type: s(&c.vpc_endpoint_type),
        state: s(&c.state),
        tags: c.tags.string_map(),
        ids: c.vpc_endpoint_ids.strings().into_iter().collect(),
        service_region: s(&c.service_region),
        raw: raw_filters(&c.filter),
    }
}

/// What was asked for, for messages: `vpc_id = "vpc-1", tags = {Name = "x"}`.
fn describe_query(q: &EndpointQuery) -> String {
    let mut parts = Vec::new();
    for (name, v) in [
        ("id", &q.id),
        ("vpc_id", &q.vpc_id),
        ("service_name", &q.service_name),
        ("vpc_endpoint_type", &q.endpoint_type),
        ("state", &q.state),
        ("service_region", &q.service_region),
    ] {
        if let Some(v) = v {
            parts.push(format!("{name} = \"{v}\""));
        }
    }
    if !q.tags.is_empty() {
        let tags: Vec<String> = q.tags.iter().map(|(k, v)| format!("{k} = \"{v}\"")).collect();
        parts.push(format!("tags = {{{}}}", tags.join(", ")));
    }
    if !q.ids.is_empty() {
        parts.push(format!("vpc_endpoint_ids = [{}]", q.ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")));
    }
    for f in &q.raw {
        let values: Vec<String> = f.values.iter().map(|v| format!("\"{v}\"")).collect();
        parts.push(format!("filter {{ name = \"{}\", values = [{}] }}", f.name, values.join(", ")));
    }
    parts.join(", ")
}

async fn read(ctx: &Ctx, config: &EndpointDataModel, diags: &mut Diagnostics) -> Option<EndpointDataModel> {
    let region = ctx.ec2.region();
    let q = query(config, region);
    let asked = describe_query(&q);
    let found = match ctx.ec2.search_vpc_endpoints(&q).await {
        Ok(found) => found,
        Err(e) => {
            diags.error("Cannot look up VPC endpoints", format!("{asked}: {e}"));
            return None;
        }
    };
    let ep = match found.as_slice() {
        [one] => one,
        [] => {
            let summary = "No VPC endpoint found";
            let detail = format!("No VPC endpoint in {region} matches {asked}.");
            match q.id {
                Some(_) => diags.attr_error("id", summary, detail),
                None => diags.error(summary, detail),
            }
            return None;
        }
        many => {
            let mut ids: Vec<&str> = many.iter().filter_map(VpcEndpoint::vpc_endpoint_id).collect();
            ids.sort_unstable();
            let shown = if ids.len() > 10 { format!("{}, ...", ids[..10].join(", ")) } else { ids.join(", ") };
            diags.error(
                "Several VPC endpoints found",
                format!(
                    "{} VPC endpoints in {region} match {asked}: {shown}. The vpce_endpoint data source needs exactly one: add filters (vpc_id, service_name, vpc_endpoint_type, state, tags, filter blocks) or set id.",
                    ids.len()
                ),
            );
            return None;
        }
    };
    let mut state = from_endpoint(region, ep);
    state.vpc_endpoint_ids = config.vpc_endpoint_ids.clone();
    state.filter = config.filter.clone();
    let is_gateway = ep.vpc_endpoint_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case("Gateway"));
    if is_gateway {
        let service = ep.service_name().unwrap_or_default();
        match ctx.ec2.find_gateway_prefix_list(service).await {
            Ok(Some(pl)) => {
                state.prefix_list_id = Val::Known(pl.id);
                state.cidr_blocks = Val::Known(pl.cidrs.into_iter().collect());
            }
            Ok(None) => {}
            Err(e) => diags
                .warning("Cannot read the service prefix list", format!("prefix_list_id and cidr_blocks of {service} are unknown: {e}")),
        }
    }
    Some(state)
}

/// The state for `ep` from the endpoint alone (the prefix list is looked up by the caller).
fn from_endpoint(region: &str, ep: &VpcEndpoint) -> EndpointDataModel {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let owner = ep.owner_id().unwrap_or_default();
    let dns_entry = dns_entries(ep);
    let tags: Map<String> = aws::tags_from_ec2(ep.tags()).into_iter().collect();
    EndpointDataModel {
        id: Val::Known(id.to_string()),
        vpc_id: ep.vpc_id().map(str::to_string).into(),
        service_name: ep.service_name().map(str::to_string).into(),
        vpc_endpoint_type: ep.vpc_endpoint_type().map(|t| t.as_str().to_string()).into(),
        state: Val::Known(aws::state_display(ep)),
        tags: Val::Known(tags),
        arn: (!owner.is_empty()).then(|| aws::endpoint_arn(region, owner, id)).into(),
        owner_id: ep.owner_id().map(str::to_string).into(),
        requester_managed: Val::Known(ep.requester_managed().unwrap_or(false)),
        policy: ep.policy_document().map(str::to_string).into(),
        route_table_ids: Val::Known(string_set(ep.route_table_ids())),
        prefix_list_id: Val::Null,
        cidr_blocks: Val::Known(List::default()),
        subnet_ids: Val::Known(string_set(ep.subnet_ids())),
        security_group_ids: Val::Known(string_set(ep.groups().iter().filter_map(|g| g.group_id()))),
        network_interface_ids: Val::Known(string_set(ep.network_interface_ids())),
        private_dns_enabled: Val::Known(ep.private_dns_enabled().unwrap_or(false)),
        dns_entry: Val::Known(dns_entry),
        ip_address_type: ep.ip_address_type().map(|t| t.as_str().to_ascii_lowercase()).into(),
        dns_record_ip_type: ep.dns_options().and_then(|d| d.dns_record_ip_type()).map(|t| t.as_str().to_string()).into(),
        vpc_endpoint_ids: Val::Null,
        service_region: Val::Known(ep.service_region().unwrap_or(region).to_string()),
        dns_options: ep
            .dns_options()
            .map(|d| EndpointDnsOptions {
                dns_record_ip_type: d.dns_record_ip_type().map(|t| t.as_str().to_string()).into(),
                private_dns_only_for_inbound_resolver_endpoint: d.private_dns_only_for_inbound_resolver_endpoint().into(),
                private_dns_preference: d.private_dns_preference().map(str::to_string).into(),
                private_dns_specified_domains: Val::Known(string_set(d.private_dns_specified_domains())),
            })
            .into(),
        filter: Val::Known(List::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::model::Model;
    use crate::protocol::values::Value;

    /// The static checks as the typed adapter runs them: the model's declared ones, then `validate`.
    fn validate(m: &EndpointDataModel) -> Diagnostics {
        let mut d = Diagnostics::new();
        m.check_declared(&[], &mut d);
        d.extend(super::validate(m));
        d
    }

    fn model(v: Value) -> EndpointDataModel {
        EndpointDataModel::decode(&v).unwrap().unwrap()
    }

    fn summaries(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|x| x.summary.clone()).collect()
    }

    #[test]
    fn validation() {
        assert!(validate(&model(Value::object([("id", Value::string("vpce-1"))]))).is_empty());
        assert!(validate(&model(Value::object([("tags", Value::map_of_strings([("a", "b")]))]))).is_empty());
        assert_eq!(summaries(&validate(&model(Value::object(Vec::<(&str, Value)>::new())))), ["No filter"]);
        assert!(validate(&model(Value::object([("vpc_id", Value::unknown())]))).is_empty(), "unknown: not judged");
        assert_eq!(summaries(&validate(&model(Value::object([("id", Value::string("vpce-svc-1"))])))), ["Invalid VPC endpoint ID"]);
        assert_eq!(
            summaries(&validate(&model(Value::object([("vpc_endpoint_type", Value::string("gateway"))])))),
            ["Invalid endpoint type"]
        );
        let ids = |ids: &[&str]| Value::set_of_strings(ids.iter().copied());
        assert!(validate(&model(Value::object([("vpc_endpoint_ids", ids(&["vpce-1"]))]))).is_empty(), "ids alone are a filter");
        assert_eq!(summaries(&validate(&model(Value::object([("vpc_endpoint_ids", ids(&["vpc-1"]))])))), ["Invalid VPC endpoint ID"]);
        assert_eq!(summaries(&validate(&model(Value::object([("service_region", Value::string("west"))])))), ["Invalid service_region"]);
        let mut c = model(Value::object(Vec::<(&str, Value)>::new()));
        c.filter = crate::filters::blocks(&[("vpc-endpoint-state", &["available"])]);
        assert!(validate(&c).is_empty(), "a filter block alone is a filter");
        c.filter = crate::filters::blocks(&[("state", &["available"])]);
        assert_eq!(summaries(&validate(&c)), ["Invalid filter name"]);
        c.filter = Val::Known(List::default());
        assert_eq!(summaries(&validate(&c)), ["No filter"]);
    }

    #[test]
    fn short_service_names_are_expanded() {
        let c = model(Value::object([("service_name", Value::string("s3")), ("vpc_id", Value::string("vpc-1"))]));
        let q = query(&c, "eu-west-1");
        assert_eq!(q.service_name.as_deref(), Some("com.amazonaws.eu-west-1.s3"));
        assert_eq!(describe_query(&q), "vpc_id = \"vpc-1\", service_name = \"com.amazonaws.eu-west-1.s3\"");
    }
}
