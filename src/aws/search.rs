//! Finding VPC endpoints by what they are rather than by id (the `vpce_endpoint` data source):
//! DescribeVpcEndpoints with EC2 filters, every page, each match checked again here (an emulator
//! may ignore a filter). Never the `vpc-endpoint-id` filter: ids go in `VpcEndpointIds`.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, VpcEndpoint};

use super::finders::fetch_endpoints;
use super::names::{ENDPOINT_STATES, ENDPOINT_TYPES};
use super::{state_str, tags_from_ec2, AwsError, Ec2, SdkResultExt};

/// What the endpoints looked for must match; `None` (or empty) matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EndpointQuery {
    pub(crate) id: Option<String>,
    pub(crate) vpc_id: Option<String>,
    /// The full service name.
    pub(crate) service_name: Option<String>,
    /// `Gateway`, `Interface`, ... (case-insensitive).
    pub(crate) endpoint_type: Option<String>,
    /// The state (case-insensitive); `None` matches every state but `deleted`.
    pub(crate) state: Option<String>,
    /// Tags the endpoint must carry, with these values.
    pub(crate) tags: BTreeMap<String, String>,
}

impl EndpointQuery {
    /// Whether `ep` matches every criterion.
    pub(crate) fn matches(&self, ep: &VpcEndpoint) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
        let state = state_str(ep);
        let tags = tags_from_ec2(ep.tags());
        eq(&self.id, ep.vpc_endpoint_id())
            && eq(&self.vpc_id, ep.vpc_id())
            && eq(&self.service_name, ep.service_name())
            && self.endpoint_type.as_deref().is_none_or(|w| ep.vpc_endpoint_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case(w)))
            && match &self.state {
                Some(w) => w.eq_ignore_ascii_case(&state),
                None => state != "deleted",
            }
            && self.tags.iter().all(|(k, v)| tags.get(k) == Some(v))
    }

    /// The DescribeVpcEndpoints filters that ask EC2 for what this query matches: type, VPC,
    /// service, state and tags (a type or state not spelled as EC2 knows it is left to
    /// [`EndpointQuery::matches`]). The id is not among them: ids go in `VpcEndpointIds`.
    pub(crate) fn filters(&self) -> Vec<Filter> {
        let f = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
        let mut out = Vec::new();
        if let Some(t) = self.endpoint_type.as_deref().and_then(|t| canonical(ENDPOINT_TYPES, t)) {
            out.push(f("vpc-endpoint-type", t));
        }
        if let Some(v) = &self.vpc_id {
            out.push(f("vpc-id", v));
        }
        if let Some(s) = &self.service_name {
            out.push(f("service-name", s));
        }
        if let Some(s) = self.state.as_deref().and_then(|s| canonical(ENDPOINT_STATES, s)) {
            out.push(f("vpc-endpoint-state", s));
        }
        for (k, v) in &self.tags {
            out.push(f(&format!("tag:{k}"), v));
        }
        out
    }
}

/// `value` as EC2 spells it, if it is one of `known` (case-insensitive).
fn canonical(known: &[&'static str], value: &str) -> Option<&'static str> {
    known.iter().find(|k| k.eq_ignore_ascii_case(value)).copied()
}

impl Ec2 {
    /// Every endpoint matching `q`: by id when it has one (unbatched: a missing id is no match),
    /// else by DescribeVpcEndpoints filters on the VPC, service and tags, following every page.
    pub(crate) async fn search_vpc_endpoints(&self, q: &EndpointQuery) -> Result<Vec<VpcEndpoint>, AwsError> {
        let found = match &q.id {
            Some(id) => fetch_endpoints(self.client(), std::slice::from_ref(id)).await?,
            None => {
                let filters = q.filters();
                let pages = self.client().describe_vpc_endpoints().set_filters((!filters.is_empty()).then_some(filters)).into_paginator();
                pages.items().send().try_collect().await.aws_op("DescribeVpcEndpoints")?
            }
        };
        Ok(found.into_iter().filter(|ep| q.matches(ep)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{State, Tag, VpcEndpointType};

    #[test]
    fn matching_is_exact_and_skips_deleted() {
        let ep = |id: &str, state: State| {
            VpcEndpoint::builder()
                .vpc_endpoint_id(id)
                .vpc_id("vpc-1")
                .service_name("com.amazonaws.us-east-1.s3")
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .state(state)
                .tags(Tag::builder().key("Name").value("a").build())
                .build()
        };
        let live = ep("vpce-1", State::Available);
        assert!(EndpointQuery::default().matches(&live));
        assert!(!EndpointQuery::default().matches(&ep("vpce-2", State::from("deleted"))), "deleted only when asked for");
        let q = EndpointQuery { state: Some("Deleted".into()), ..Default::default() };
        assert!(q.matches(&ep("vpce-2", State::from("deleted"))));
        let q = EndpointQuery { endpoint_type: Some("gateway".into()), vpc_id: Some("vpc-1".into()), ..Default::default() };
        assert!(q.matches(&live));
        let q = EndpointQuery { vpc_id: Some("vpc-2".into()), ..Default::default() };
        assert!(!q.matches(&live));
        let tags = |k: &str, v: &str| EndpointQuery { tags: [(k.to_string(), v.to_string())].into(), ..Default::default() };
        assert!(tags("Name", "a").matches(&live));
        assert!(!tags("Name", "b").matches(&live) && !tags("Other", "a").matches(&live));
        let q = EndpointQuery { id: Some("vpce-12".into()), ..Default::default() };
        assert!(!q.matches(&live), "ids compare whole");
    }

    #[test]
    fn filters_use_ec2_spellings() {
        let names =
            |q: &EndpointQuery| q.filters().iter().map(|f| (f.name().unwrap().to_string(), f.values().to_vec())).collect::<Vec<_>>();
        let one = |n: &str, v: &str| (n.to_string(), vec![v.to_string()]);
        assert!(names(&EndpointQuery::default()).is_empty());
        let q = EndpointQuery {
            id: Some("vpce-1".into()),
            endpoint_type: Some("gatewayloadbalancer".into()),
            state: Some("PENDINGACCEPTANCE".into()),
            ..Default::default()
        };
        assert_eq!(names(&q), vec![one("vpc-endpoint-type", "GatewayLoadBalancer"), one("vpc-endpoint-state", "pendingAcceptance")]);
        let q = EndpointQuery { endpoint_type: Some("Tunnel".into()), state: Some("up".into()), ..Default::default() };
        assert!(names(&q).is_empty(), "unknown spellings are left to matches()");
    }
}
