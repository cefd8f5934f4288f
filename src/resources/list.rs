//! The list resources of `terraform query` (Terraform 1.14+): `list "vpce_gateway"` and
//! `list "vpce_interface"` in `.tfquery.hcl` files find the existing endpoints of that type in the
//! provider's region, filtered by VPC, service, tags and state, each with its identity (so that
//! `terraform query -generate-config-out=FILE` writes `import` blocks and configuration for them).
//! `vpc_endpoint_ids` and `filter` blocks narrow it as the AWS provider's list resource does.
//!
//! One DescribeVpcEndpoints call per page, the filters applied by EC2; the full state of each
//! endpoint (`include_resource`) comes from the resource's own [`Endpoint::describe`] without its
//! refresh checks, so a page costs no call per endpoint (the gateway's prefix list is looked up
//! once per service and process).

use aws_sdk_ec2::types::{Filter, VpcEndpoint};
use futures::stream::{self, BoxStream, StreamExt};

use super::endpoint::{Endpoint, EndpointIdentity, EndpointModel};
use super::Ctx;
use crate::aws::{self, state_str, SdkResultExt};
use crate::checks::{attr_path, validate_endpoint_ids, validate_enum, validate_id};
use crate::filters::{raw_filters, validate_filters, FilterBlock};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Field, List, Map, Model, Set, Val};
use crate::protocol::resource::ListItem;
use crate::protocol::schema::Schema;
use crate::protocol::typed::{TypedListRequest, TypedListResource};

/// The most endpoints asked for in one DescribeVpcEndpoints call (EC2 allows 5 to 1000).
const MAX_PAGE: i32 = 1000;

crate::model! {
    /// The `config` block of a `list "vpce_gateway"` or `list "vpce_interface"` block.
    #[description = "Finds existing VPC endpoints of the managed resource type of the same name, in the provider's region, for `terraform query`; every filter given must match. The arguments go in the `list` block's `config` block."]
    pub(crate) struct ListConfig {
        attrs {
            vpc_id: String [optional] "Only endpoints in this VPC.";
            service_name: String [optional] "Only endpoints of this service: a short name such as `s3` (expanded with the provider's region) or the full name such as `com.amazonaws.us-east-1.s3`.";
            tags: Map<String> [optional] "Only endpoints that carry all of these tags, with these values.";
            state: String [optional] "Only endpoints in this state, as EC2 spells it: `available`, `pending`, `pendingAcceptance`, `deleting`, `rejected`, `failed`, `expired` or `partial`.";
            vpc_endpoint_ids: Set<String> [optional] "Only these endpoints (`VpcEndpointIds`; an ID that does not exist is an error of EC2's).";
        }
        blocks {
            filter: List<FilterBlock>;
        }
    }
}

/// A list resource of the endpoints an [`Endpoint`] resource manages.
pub(crate) struct EndpointList<E> {
    endpoint: E,
    schema: Schema,
}

impl<E: Endpoint> EndpointList<E> {
    pub(crate) fn new(endpoint: E) -> Self {
        EndpointList { endpoint, schema: ListConfig::schema(0) }
    }
}

/// The DescribeVpcEndpoints filters of a list configuration, always with the endpoint type (those
/// of the [`aws::EndpointQuery`] it makes).
pub(crate) fn filters(config: &ListConfig, endpoint_type: &str, region: &str) -> Vec<Filter> {
    let query = aws::EndpointQuery {
        id: None,
        vpc_id: config.vpc_id.as_str().map(str::to_owned),
        service_name: config.service_name.as_str().map(|s| aws::resolve_service_name(s, region)),
        endpoint_type: Some(endpoint_type.to_owned()),
        state: config.state.as_str().map(str::to_owned),
        tags: config.tags.string_map(),
        ids: Vec::new(),
        service_region: None,
        raw: raw_filters(&config.filter),
    };
    query.filters()
}

/// How `terraform query` shows an endpoint: its `Name` tag, else its ID, with the service and VPC.
pub(crate) fn display_name(ep: &VpcEndpoint) -> String {
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let service = aws::endpoint_target(ep).unwrap_or_default();
    let vpc = ep.vpc_id().unwrap_or_default();
    let name = ep.tags().iter().find(|t| t.key() == Some("Name")).and_then(|t| t.value()).filter(|n| !n.is_empty());
    match name {
        Some(name) => format!("{name} ({id}, {service} in {vpc})"),
        None => format!("{id} ({service} in {vpc})"),
    }
}

fn failed(diags: Diagnostics) -> ListItem {
    ListItem { diags, ..Default::default() }
}

impl<E: Endpoint> EndpointList<E> {
    /// The items of one page: identities (and states) of its endpoints, `deleted` ones left out.
    async fn items(&self, ctx: &Ctx, page: Vec<VpcEndpoint>, include_resource: bool) -> Vec<ListItem> {
        let region = ctx.ec2.region();
        let live: Vec<VpcEndpoint> = page.into_iter().filter(|ep| state_str(ep) != "deleted").collect();
        let describe = |ep: &VpcEndpoint| {
            let ep = ep.clone();
            async move {
                let mut base = self.endpoint.import_base(&ep);
                *base.id_mut() = Val::Known(ep.vpc_endpoint_id().unwrap_or_default().to_string());
                if !include_resource {
                    return (ep, None, Diagnostics::new());
                }
                let (state, diags) = self.endpoint.describe(ctx, &base, &ep, false).await;
                (ep, Some(state.to_value()), diags)
            }
        };
        // Concurrent: what a describe looks up beyond the endpoint (the gateway's prefix list) is
        // shared by the endpoints of one service.
        let described = futures::future::join_all(live.iter().map(describe)).await;
        described
            .into_iter()
            .map(|(ep, resource, diags)| ListItem {
                identity: EndpointIdentity::of_endpoint(region, &ep),
                display_name: display_name(&ep),
                resource,
                diags,
            })
            .collect()
    }
}

impl<E: Endpoint> TypedListResource<Ctx> for EndpointList<E> {
    type Model = ListConfig;

    fn type_name(&self) -> &'static str {
        E::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &ListConfig) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_id(&config.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
        // The states a `state` filter takes: EC2's, but deleted endpoints are not listed.
        let states: Vec<&str> = aws::ENDPOINT_STATES.iter().copied().filter(|s| *s != "deleted").collect();
        validate_enum(&config.state, attr_path(&["state"]), "endpoint state", &states, &mut d);
        if config.service_name.as_str().is_some_and(|s| s.trim().is_empty()) {
            d.attr_error(
                "service_name",
                "Empty service name",
                "`service_name` must name a service, e.g. `s3` or `com.amazonaws.us-east-1.s3`.",
            );
        }
        if let Some(Map(tags)) = config.tags.known() {
            if tags.keys().any(|k| k.is_empty()) {
                d.attr_error("tags", "Empty tag key", "Tag keys to match must not be empty.");
            }
        }
        validate_endpoint_ids(&config.vpc_endpoint_ids, "vpc_endpoint_ids", &mut d);
        validate_filters(&config.filter, aws::ENDPOINT_FILTERS, "DescribeVpcEndpoints", &mut d);
        d
    }

    fn list<'a>(&'a self, ctx: &'a Ctx, req: TypedListRequest<ListConfig>) -> BoxStream<'a, ListItem> {
        let config = req.config;
        let page_size = if req.limit > 0 { i32::try_from(req.limit).unwrap_or(MAX_PAGE).clamp(5, MAX_PAGE) } else { MAX_PAGE };
        let pages = ctx
            .ec2
            .client()
            .describe_vpc_endpoints()
            .set_vpc_endpoint_ids(Some(config.vpc_endpoint_ids.strings().into_iter().collect()).filter(|ids: &Vec<String>| !ids.is_empty()))
            .set_filters(Some(filters(&config, E::EC2_TYPE, ctx.ec2.region())))
            .max_results(page_size)
            .into_paginator()
            .send();
        let include = req.include_resource;
        stream::unfold(Some(pages), move |pages| async move {
            let mut pages = pages?;
            match pages.next().await?.aws_op("DescribeVpcEndpoints") {
                Ok(page) => Some((self.items(ctx, page.vpc_endpoints.unwrap_or_default(), include).await, Some(pages))),
                Err(e) => {
                    let mut diags = Diagnostics::new();
                    diags.error(format!("Cannot list the {}s", E::KIND), e.to_string());
                    Some((vec![failed(diags)], None))
                }
            }
        })
        .flat_map(stream::iter)
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Tag;

    fn config(f: impl FnOnce(&mut ListConfig)) -> ListConfig {
        let mut c = ListConfig::default();
        f(&mut c);
        c
    }

    fn pairs(filters: &[Filter]) -> Vec<(String, Vec<String>)> {
        filters.iter().map(|f| (f.name().unwrap_or_default().to_string(), f.values().to_vec())).collect()
    }

    #[test]
    fn filters_follow_the_configuration() {
        let one = |n: &str, v: &str| (n.to_string(), vec![v.to_string()]);
        assert_eq!(pairs(&filters(&ListConfig::default(), "Gateway", "us-east-1")), vec![one("vpc-endpoint-type", "Gateway")]);
        let c = config(|c| {
            c.vpc_id = Val::Known("vpc-1".into());
            c.service_name = Val::Known("s3".into());
            c.state = Val::Known("available".into());
            c.tags =
                Val::Known(Map([("env".to_string(), Val::Known("prod".to_string())), ("team".into(), Val::Known("a b".into()))].into()));
        });
        assert_eq!(
            pairs(&filters(&c, "Interface", "eu-west-1")),
            vec![
                one("vpc-endpoint-type", "Interface"),
                one("vpc-id", "vpc-1"),
                one("service-name", "com.amazonaws.eu-west-1.s3"),
                one("vpc-endpoint-state", "available"),
                one("tag:env", "prod"),
                one("tag:team", "a b"),
            ]
        );
        let c = config(|c| c.filter = crate::filters::blocks(&[("tag:Name", &["web-*", "db-*"])]));
        assert_eq!(
            pairs(&filters(&c, "Gateway", "us-east-1")),
            vec![one("vpc-endpoint-type", "Gateway"), ("tag:Name".to_string(), vec!["db-*".to_string(), "web-*".to_string()])]
        );
    }

    #[test]
    fn validation_points_at_attributes() {
        let list = EndpointList::new(super::super::gateway::Gateway::new());
        let list = |c: &ListConfig| TypedListResource::validate(&list, c);
        let bad = config(|c| {
            c.vpc_id = Val::Known("subnet-1".into());
            c.state = Val::Known("up".into());
            c.service_name = Val::Known(" ".into());
        });
        let d = list(&bad);
        let text = format!("{d:?}");
        assert_eq!(d.0.iter().filter(|x| x.severity == crate::protocol::diagnostics::Severity::Error).count(), 3, "{text}");
        for needle in ["vpc_id", "state", "service_name"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(!list(&config(|c| c.state = Val::Known("pendingAcceptance".into()))).has_errors());
        let d = list(&config(|c| {
            c.vpc_endpoint_ids = Val::Known(Set(vec![Val::Known("rtb-1".into())]));
            c.filter = crate::filters::blocks(&[("vpc_id", &["vpc-1"])]);
        }));
        let summaries: Vec<&str> = d.0.iter().map(|x| x.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid VPC endpoint ID", "Invalid filter name"]);
    }

    #[test]
    fn display_names() {
        let ep = |tags: Vec<Tag>| {
            VpcEndpoint::builder()
                .vpc_endpoint_id("vpce-1")
                .service_name("com.amazonaws.us-east-1.s3")
                .vpc_id("vpc-1")
                .set_tags(Some(tags))
                .build()
        };
        assert_eq!(display_name(&ep(vec![])), "vpce-1 (com.amazonaws.us-east-1.s3 in vpc-1)");
        let named = ep(vec![Tag::builder().key("Name").value("s3-main").build()]);
        assert_eq!(display_name(&named), "s3-main (vpce-1, com.amazonaws.us-east-1.s3 in vpc-1)");
    }
}
