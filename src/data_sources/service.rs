//! `vpce_service`: an endpoint service as EC2 describes it (DescribeVpcEndpointServices), by
//! short name (`s3`, expanded with the provider's region) or full name, with the AWS-managed
//! prefix list of a Gateway service and its CIDR blocks. S3 is offered both as a Gateway and as an
//! Interface service: `service_type` picks one, and without it the lookup is ambiguous (an error).
//!
//! With `filter` blocks, `tags` or `service_regions`, one uncached DescribeVpcEndpointServices
//! call with them (the filters go to EC2 as they are) must find exactly one service.
//!
//! The lookups by name alone are the resources' own cached ones ([`Ec2::describe_service_details`],
//! [`Ec2::find_gateway_prefix_list`]): a data source and a resource naming the same service share
//! one DescribeVpcEndpointServices call per provider process.
//!
//! [`Ec2::describe_service_details`]: crate::aws::Ec2::describe_service_details
//! [`Ec2::find_gateway_prefix_list`]: crate::aws::Ec2::find_gateway_prefix_list

use std::collections::BTreeSet;

use aws_sdk_ec2::types::ServiceDetail;

use std::future::Future;

use crate::aws::{self, RawFilter, SERVICE_FILTERS, SERVICE_TYPES};
use crate::checks::{join_and, join_or};
use crate::context::Ctx;
use crate::filters::{raw_filters, validate_filters, FilterBlock};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{List, Map, Set, Val};
use crate::protocol::typed::TypedDataSource;

crate::model! {
    /// The configuration and state of a `vpce_service` data source.
    #[description = "An AWS (or partner) VPC endpoint service in the provider's region (or in `service_regions`): which endpoint types it offers, where, its DNS names, and for Gateway services the AWS-managed prefix list that gateway endpoint routes point at. Give `service` or `service_name` (not both), and/or `filter` blocks or `tags`: exactly one service must match."]
    pub(crate) struct ServiceModel {
        attrs {
            service: String [optional] "The short service name, such as `s3`, `dynamodb` or `ssm`: the full name is `com.amazonaws.<provider region>.<service>`. Exactly one of `service` and `service_name` must be set.";
            service_name: String [optional computed] "The full service name, such as `com.amazonaws.us-east-1.s3` (any service EC2 lists in the region, partner services included). Exactly one of `service` and `service_name` must be set; when `service` is, this is its full name.";
            service_type: String [optional computed one_of_named("service type", SERVICE_TYPES)] "`Gateway`, `Interface` or `GatewayLoadBalancer`: which offering of the service to describe. Needed when the service offers several (Amazon S3 offers both a Gateway and an Interface service); otherwise the type the service offers.";
            id: String [computed] "The service ID (`vpce-svc-...`), else the full service name.";
            service_id: String [computed] "The service ID as EC2 reports it (`vpce-svc-...`; empty for some AWS services).";
            service_types: Set<String> [computed] "Every endpoint type the service offers (`[\"Gateway\", \"Interface\"]` for S3).";
            availability_zones: Set<String> [computed] "The Availability Zones in which the service (of `service_type`) is offered.";
            private_dns_name: String [computed] "The private DNS name an Interface endpoint with `private_dns_enabled` resolves (null when the service has none).";
            base_endpoint_dns_names: Set<String> [computed] "The service's base DNS names.";
            vpc_endpoint_policy_supported: bool [computed] "Whether endpoints of the service accept an endpoint policy.";
            acceptance_required: bool [computed] "Whether the service owner must accept each endpoint connection (endpoints then wait in `pendingAcceptance`).";
            manages_vpc_endpoints: bool [computed] "Whether the service manages its own VPC endpoints (then they cannot be created or changed by you).";
            owner: String [computed] "The AWS account that owns the service (`amazon` for AWS services).";
            supported_ip_address_types: Set<String> [computed] "The IP address types the service supports (`ipv4`, `ipv6`).";
            prefix_list_id: String [computed] "For a Gateway service: the AWS-managed prefix list of the service, the destination of the route a gateway endpoint adds to each of its route tables (usable in security group rules). Null for other types.";
            cidr_blocks: List<String> [computed] "For a Gateway service: the CIDR blocks of its prefix list, sorted (empty when AWS lists none, and for other types).";
            tags: Map<String> [optional computed] "Filter: tags the service must carry, with these values. The state holds all of the service's tags.";
            service_regions: Set<String> [optional] "Look in these regions (cross-region PrivateLink: `ServiceRegions`) instead of the provider's.";
            service_region: String [computed] "The region of the service, as EC2 reports it (else the provider's).";
            arn: String [computed] "The ARN of the endpoint service (`arn:aws:ec2:REGION:OWNER:vpc-endpoint-service/ID`); null when EC2 reports no service ID.";
        }
        blocks {
            filter: List<FilterBlock>;
        }
    }
}

/// `vpce_service` (a [`TypedDataSource`]; registered as `Typed<Service>`).
pub(crate) struct Service;

impl TypedDataSource<Ctx> for Service {
    type Model = ServiceModel;

    fn type_name(&self) -> &'static str {
        "vpce_service"
    }

    fn validate(&self, config: &ServiceModel) -> Diagnostics {
        validate(config)
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a ServiceModel,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<ServiceModel>> + Send + 'a {
        read(ctx, config, diags)
    }
}

/// Exactly one of `service` and `service_name`; a short name without dots' meaning; the type.
fn validate(c: &ServiceModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    let (short, full) = (&c.service, &c.service_name);
    if short.is_known() && full.is_known() {
        match (short.as_str(), full.as_str()) {
            (Some(_), Some(_)) => d.attr_error(
                "service_name",
                "Conflicting service names",
                "Set either `service` (a short name such as \"s3\") or `service_name` (a full name such as \"com.amazonaws.us-east-1.s3\"), not both.",
            ),
            (None, None) if !searches(c).unwrap_or(true) => d.attr_error(
                "service",
                "Missing service name",
                "Set `service` (a short name such as \"s3\") or `service_name` (a full name such as \"com.amazonaws.us-east-1.s3\"), or `filter` blocks or `tags` that match exactly one service.",
            ),
            _ => {}
        }
    }
    if let Some(s) = short.as_str() {
        if s.trim().is_empty() || s.chars().any(char::is_whitespace) {
            d.attr_error(
                "service",
                "Invalid service name",
                format!("\"{s}\" is not a service name: use a short name such as \"s3\" or \"ssm\"."),
            );
        } else if s.starts_with("com.amazonaws.") || s.starts_with("aws.") {
            d.attr_error(
                "service",
                "Full name given as a short name",
                format!("\"{s}\" is a full service name: set it as `service_name`; `service` takes the short form (such as \"s3\") and prefixes it with com.amazonaws.<region>."),
            );
        }
    }
    if let Some(s) = full.as_str().filter(|s| s.trim().is_empty() || s.chars().any(char::is_whitespace)) {
        d.attr_error(
            "service_name",
            "Invalid service name",
            format!("\"{s}\" is not a service name, such as \"com.amazonaws.us-east-1.s3\"."),
        );
    }
    validate_filters(&c.filter, SERVICE_FILTERS, "DescribeVpcEndpointServices", &mut d);
    for r in c.service_regions.strings().iter().filter(|r| !aws::is_region_name(r)) {
        d.attr_error("service_regions", "Invalid service region", format!("\"{r}\" is not an AWS region name such as \"us-west-2\"."));
    }
    d
}

/// Whether the configuration looks the service up by filters, tags or regions (`None` while some
/// of those are unknown).
fn searches(c: &ServiceModel) -> Option<bool> {
    if c.filter.is_unknown() || c.tags.is_unknown() || c.service_regions.is_unknown() {
        return None;
    }
    let blocks = c.filter.known().is_some_and(|l| !l.0.is_empty());
    Some(blocks || !c.tags.string_map().is_empty() || !c.service_regions.strings().is_empty())
}

/// The types a service entry offers, as EC2 spells them.
fn types_of(detail: &ServiceDetail) -> Vec<String> {
    detail.service_type().iter().filter_map(|t| t.service_type().map(|t| t.as_str().to_string())).collect()
}

async fn read(ctx: &Ctx, config: &ServiceModel, diags: &mut Diagnostics) -> Option<ServiceModel> {
    let region = ctx.ec2.region();
    let named = match (config.service.as_str(), config.service_name.as_str()) {
        (Some(short), _) => Some((aws::resolve_service_name(short, region), "service")),
        (None, Some(full)) => Some((full.to_string(), "service_name")),
        (None, None) => None,
    };
    let searching = searches(config) == Some(true);
    let attr = named.as_ref().map_or("filter", |(_, a)| *a);
    let regions: Vec<String> = config.service_regions.strings().into_iter().collect();
    let details = if searching {
        let mut filters = raw_filters(&config.filter);
        filters.extend(config.tags.string_map().into_iter().map(|(k, v)| RawFilter { name: format!("tag:{k}"), values: vec![v] }));
        ctx.ec2.search_services(named.iter().map(|(n, _)| n.clone()).collect(), &filters, regions.clone()).await
    } else if let Some((name, _)) = &named {
        ctx.ec2.describe_service_details(name).await
    } else {
        return None;
    };
    let asked = match &named {
        Some((name, _)) => format!("named \"{name}\""),
        None => "matching the filters".to_string(),
    };
    let details = match details {
        Ok(d) => d,
        Err(e) => {
            diags.attr_error(attr, "Cannot look up the service", format!("DescribeVpcEndpointServices for the service {asked}: {e}"));
            return None;
        }
    };
    let where_ = if regions.is_empty() { region.to_string() } else { join_or(&regions) };
    if details.is_empty() {
        let hint = match named.as_ref().and_then(|(n, _)| crate::aws::service_region(n)) {
            Some(other) if other != region && regions.is_empty() => {
                format!(" It names a service in {other}, but the provider is configured for {region}.")
            }
            // `service_name` takes the full name only (as aws's data source); the resources take a
            // short one there too, so say where a short one goes.
            _ => match named.as_ref() {
                Some((n, "service_name")) if !aws::is_full_service_name(n) => format!(
                    " \"{n}\" is a short name: write `service = \"{n}\"` (expanded to \"{}\"), or the full name in `service_name`.",
                    aws::resolve_service_name(n, region)
                ),
                _ => String::new(),
            },
        };
        diags.attr_error(
            attr,
            "Service not found",
            format!("EC2 lists no endpoint service {asked} in {where_}.{hint} Check the spelling (`aws ec2 describe-vpc-endpoint-services` lists them)."),
        );
        return None;
    }
    let found: BTreeSet<(String, String)> = details
        .iter()
        .map(|d| (d.service_name().unwrap_or_default().to_string(), d.service_region().unwrap_or(region).to_string()))
        .collect();
    if found.len() > 1 {
        let names: Vec<String> = found.iter().take(10).map(|(n, r)| if r == region { n.clone() } else { format!("{n} ({r})") }).collect();
        let more = if found.len() > 10 { ", ..." } else { "" };
        diags.attr_error(
            attr,
            "Several services match",
            format!(
                "{} endpoint services {asked} in {where_}: {}{more}. Narrow the lookup (service_name, filter blocks, tags) to one.",
                found.len(),
                names.join(", ")
            ),
        );
        return None;
    }
    let name = found.into_iter().next().map(|(n, _)| n).unwrap_or_default();
    let offered: BTreeSet<String> = details.iter().flat_map(types_of).collect();
    let offered_list: Vec<String> = offered.iter().cloned().collect();
    let detail = match config.service_type.as_str() {
        Some(wanted) => match details.iter().find(|d| types_of(d).iter().any(|t| t.eq_ignore_ascii_case(wanted))) {
            Some(d) => d,
            None => {
                diags.attr_error(
                    "service_type",
                    "Service type not offered",
                    format!("{name} is offered as {} only, not as {wanted}.", join_or(&offered_list)),
                );
                return None;
            }
        },
        None if offered.len() > 1 || details.len() > 1 => {
            diags.attr_error(
                attr,
                "Ambiguous service",
                format!(
                    "{name} is offered as {}: set `service_type` to the one to describe (for example service_type = \"{}\").",
                    join_and(&offered_list),
                    offered_list.first().map(String::as_str).unwrap_or("Gateway")
                ),
            );
            return None;
        }
        None => &details[0],
    };
    let service_type = types_of(detail).into_iter().find(|t| config.service_type.as_str().is_none_or(|w| t.eq_ignore_ascii_case(w)));
    let is_gateway = service_type.as_deref() == Some("Gateway");
    let (prefix_list_id, cidr_blocks) = if is_gateway {
        match ctx.ec2.find_gateway_prefix_list(&name).await {
            Ok(Some(pl)) => (Val::Known(pl.id), Val::Known(pl.cidrs.into_iter().collect::<List<String>>())),
            Ok(None) => (Val::Null, Val::Known(List::default())),
            Err(e) => {
                diags.warning("Cannot read the service prefix list", format!("prefix_list_id and cidr_blocks of {name} are unknown: {e}"));
                (Val::Null, Val::Known(List::default()))
            }
        }
    } else {
        (Val::Null, Val::Known(List::default()))
    };
    let set = |items: &[String]| Val::Known(items.iter().cloned().collect::<BTreeSet<String>>().into_iter().collect::<Set<String>>());
    let service_id = detail.service_id().unwrap_or_default().to_string();
    let service_region = detail.service_region().unwrap_or(region).to_string();
    let arn = match (detail.owner(), service_id.as_str()) {
        (Some(owner), id) if !id.is_empty() => Val::Known(aws::service_arn(&service_region, owner, id)),
        _ => Val::Null,
    };
    let tags: Map<String> =
        detail.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect();
    Some(ServiceModel {
        service: config.service.clone(),
        service_name: Val::Known(detail.service_name().unwrap_or(&name).to_string()),
        service_type: service_type.map_or(Val::Null, Val::Known),
        id: Val::Known(if service_id.is_empty() { name.clone() } else { service_id.clone() }),
        service_id: Val::Known(service_id),
        service_types: set(&offered_list),
        availability_zones: set(detail.availability_zones()),
        private_dns_name: detail.private_dns_name().map(str::to_string).into(),
        base_endpoint_dns_names: set(detail.base_endpoint_dns_names()),
        vpc_endpoint_policy_supported: Val::Known(detail.vpc_endpoint_policy_supported().unwrap_or(false)),
        acceptance_required: Val::Known(detail.acceptance_required().unwrap_or(false)),
        manages_vpc_endpoints: Val::Known(detail.manages_vpc_endpoints().unwrap_or(false)),
        owner: detail.owner().map(str::to_string).into(),
        supported_ip_address_types: set(&detail.supported_ip_address_types().iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>()),
        prefix_list_id,
        cidr_blocks,
        tags: Val::Known(tags),
        service_regions: config.service_regions.clone(),
        service_region: Val::Known(service_region),
        arn,
        filter: config.filter.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::model::Model;
    use crate::protocol::values::Value;

    /// The static checks as the typed adapter runs them: the model's declared ones, then `validate`.
    fn validate(m: &ServiceModel) -> Diagnostics {
        let mut d = Diagnostics::new();
        m.check_declared(&[], &mut d);
        d.extend(super::validate(m));
        d
    }

    fn model(v: Value) -> ServiceModel {
        ServiceModel::decode(&v).unwrap().unwrap()
    }

    fn summaries(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|x| x.summary.clone()).collect()
    }

    #[test]
    fn exactly_one_name() {
        let ok = model(Value::object([("service", Value::string("s3"))]));
        assert!(validate(&ok).is_empty());
        let ok = model(Value::object([("service_name", Value::string("com.amazonaws.us-east-1.s3"))]));
        assert!(validate(&ok).is_empty());
        let both = model(Value::object([("service", Value::string("s3")), ("service_name", Value::string("com.amazonaws.us-east-1.s3"))]));
        assert_eq!(summaries(&validate(&both)), ["Conflicting service names"]);
        assert_eq!(summaries(&validate(&model(Value::object(Vec::<(&str, Value)>::new())))), ["Missing service name"]);
        let unknown = model(Value::object([("service", Value::unknown())]));
        assert!(validate(&unknown).is_empty(), "unknown values are not judged");
        let full = model(Value::object([("service", Value::string("com.amazonaws.us-east-1.s3"))]));
        assert_eq!(summaries(&validate(&full)), ["Full name given as a short name"]);
        let bad_type = model(Value::object([("service", Value::string("s3")), ("service_type", Value::string("gateway"))]));
        assert_eq!(summaries(&validate(&bad_type)), ["Invalid service type"]);
        let by_tags = model(Value::object([("tags", Value::map_of_strings([("team", "a")]))]));
        assert!(validate(&by_tags).is_empty(), "tags alone look the service up");
        let mut by_filter = model(Value::object(Vec::<(&str, Value)>::new()));
        by_filter.filter = crate::filters::blocks(&[("service-type", &["Interface"]), ("owner", &["amazon"])]);
        assert!(validate(&by_filter).is_empty(), "filter blocks alone look the service up");
        by_filter.filter = crate::filters::blocks(&[("vpc-id", &["vpc-1"])]);
        assert_eq!(summaries(&validate(&by_filter)), ["Invalid filter name"]);
        let regions = model(Value::object([("service", Value::string("s3")), ("service_regions", Value::set_of_strings(["west"]))]));
        assert_eq!(summaries(&validate(&regions)), ["Invalid service region"]);
    }
}
