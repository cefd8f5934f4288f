//! Finding VPC endpoints by what they are rather than by id (the `vpce_endpoint` data source):
//! DescribeVpcEndpoints with EC2 filters, every page, each match checked again here (an emulator
//! may ignore a filter). Never the `vpc-endpoint-id` filter for [`EndpointQuery::id`]: ids go in
//! `VpcEndpointIds`. Generic filters ([`RawFilter`], a user's `filter` blocks) go to EC2 as they are;
//! those whose names EC2 documents for DescribeVpcEndpoints ([`ENDPOINT_FILTERS`]) are checked again
//! here with EC2's rules: any value matches (with the wildcards `*` and `?`), every filter must.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, ServiceDetail, VpcEndpoint};

use super::finders::fetch_endpoints;
use super::names::{ENDPOINT_STATES, ENDPOINT_TYPES};
use super::{state_str, tags_from_ec2, AwsError, Ec2, SdkResultExt};

/// The filter names DescribeVpcEndpoints takes, besides `tag:<key>` (EC2 API reference).
pub(crate) const ENDPOINT_FILTERS: &[&str] = &[
    "ip-address-type",
    "service-name",
    "service-region",
    "tag-key",
    "vpc-id",
    "vpc-endpoint-id",
    "vpc-endpoint-state",
    "vpc-endpoint-type",
];

/// The filter names DescribeVpcEndpointServices takes, besides `tag:<key>` (EC2 API reference).
pub(crate) const SERVICE_FILTERS: &[&str] =
    &["owner", "service-name", "service-region", "service-type", "supported-ip-address-types", "tag-key"];

/// A filter as a user writes it (`filter { name = ..., values = [...] }`), sent to EC2 as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawFilter {
    pub(crate) name: String,
    pub(crate) values: Vec<String>,
}

impl RawFilter {
    /// The SDK filter.
    pub(crate) fn to_sdk(&self) -> Filter {
        Filter::builder().name(&self.name).set_values(Some(self.values.clone())).build()
    }

    /// Whether the filter admits an item whose values under the filter's name are `have`: EC2 admits
    /// it when any value matches any of the filter's values (`*` and `?` are wildcards).
    pub(crate) fn admits<'a>(&self, have: impl IntoIterator<Item = &'a str>) -> bool {
        have.into_iter().any(|h| self.values.iter().any(|pattern| wildcard_match(pattern, h)))
    }

    /// Whether `name` is one EC2 takes, `known` being the API's list (`tag:<key>` always is).
    pub(crate) fn is_known_name(name: &str, known: &[&str]) -> bool {
        known.contains(&name) || name.strip_prefix("tag:").is_some_and(|k| !k.is_empty())
    }
}

/// EC2's filter-value wildcards: `*` any run of characters, `?` any one; case-sensitive.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Greedy match with backtracking to the last `*` (linear in practice).
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The values an endpoint has under a DescribeVpcEndpoints filter name; `None` for a name this
/// provider does not check (EC2's answer stands).
fn endpoint_values(ep: &VpcEndpoint, name: &str) -> Option<Vec<String>> {
    let one = |v: Option<&str>| Some(v.map(str::to_string).into_iter().collect::<Vec<_>>());
    let tags = || tags_from_ec2(ep.tags());
    if let Some(key) = name.strip_prefix("tag:") {
        return Some(tags().remove(key).into_iter().collect());
    }
    match name {
        "vpc-id" => one(ep.vpc_id()),
        "service-name" => one(ep.service_name()),
        "vpc-endpoint-id" => one(ep.vpc_endpoint_id()),
        "vpc-endpoint-state" => one(ep.state().map(|s| s.as_str())),
        "vpc-endpoint-type" => one(ep.vpc_endpoint_type().map(|t| t.as_str())),
        "tag-key" => Some(tags().into_keys().collect()),
        // Not always reported: EC2 has the last word.
        "ip-address-type" => ep.ip_address_type().map(|t| vec![t.as_str().to_string()]),
        "service-region" => ep.service_region().map(|r| vec![r.to_string()]),
        _ => None,
    }
}

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
    /// Only these endpoints (`VpcEndpointIds`), when not empty.
    pub(crate) ids: Vec<String>,
    /// The region of the endpoint's service (cross-region PrivateLink).
    pub(crate) service_region: Option<String>,
    /// A user's generic filters, sent as they are.
    pub(crate) raw: Vec<RawFilter>,
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
            && (self.ids.is_empty() || ep.vpc_endpoint_id().is_some_and(|id| self.ids.iter().any(|i| i == id)))
            && self.service_region.as_deref().is_none_or(|w| ep.service_region().is_none_or(|r| r == w))
            && self.raw.iter().all(|f| endpoint_values(ep, &f.name).is_none_or(|have| f.admits(have.iter().map(String::as_str))))
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
        if let Some(r) = &self.service_region {
            out.push(f("service-region", r));
        }
        out.extend(self.raw.iter().map(RawFilter::to_sdk));
        out
    }
}

/// `value` as EC2 spells it, if it is one of `known` (case-insensitive).
fn canonical(known: &[&'static str], value: &str) -> Option<&'static str> {
    known.iter().find(|k| k.eq_ignore_ascii_case(value)).copied()
}

impl Ec2 {
    /// Every endpoint matching `q`: by id when it has one (unbatched: a missing id is no match),
    /// else by DescribeVpcEndpoints filters (and `VpcEndpointIds` when the query lists ids),
    /// following every page.
    pub(crate) async fn search_vpc_endpoints(&self, q: &EndpointQuery) -> Result<Vec<VpcEndpoint>, AwsError> {
        let found = match &q.id {
            Some(id) => fetch_endpoints(self.client(), std::slice::from_ref(id)).await?,
            None => {
                let filters = q.filters();
                let pages = self
                    .client()
                    .describe_vpc_endpoints()
                    .set_vpc_endpoint_ids((!q.ids.is_empty()).then(|| q.ids.clone()))
                    .set_filters((!filters.is_empty()).then_some(filters))
                    .into_paginator();
                pages.items().send().try_collect().await.aws_op("DescribeVpcEndpoints")?
            }
        };
        Ok(found.into_iter().filter(|ep| q.matches(ep)).collect())
    }

    /// The endpoint services that DescribeVpcEndpointServices lists for these names (none: any),
    /// filters and service regions (none: the provider's), every page. Uncached: the cached
    /// lookup by name alone is [`Ec2::describe_service_details`].
    ///
    /// [`Ec2::describe_service_details`]: super::Ec2::describe_service_details
    pub(crate) async fn search_services(
        &self,
        names: Vec<String>,
        filters: &[RawFilter],
        regions: Vec<String>,
    ) -> Result<Vec<ServiceDetail>, AwsError> {
        let filters: Vec<Filter> = filters.iter().map(RawFilter::to_sdk).collect();
        let (mut details, mut token) = (Vec::new(), None);
        loop {
            let out = self
                .client()
                .describe_vpc_endpoint_services()
                .set_service_names((!names.is_empty()).then(|| names.clone()))
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .set_service_regions((!regions.is_empty()).then(|| regions.clone()))
                .set_next_token(token)
                .send()
                .await
                .aws_op("DescribeVpcEndpointServices");
            let out = match out {
                Err(e) if e.code_in(&["InvalidServiceName", "InvalidServiceName.NotFound"]) => break,
                other => other?,
            };
            details.extend(out.service_details.unwrap_or_default());
            token = out.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(details)
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
    fn wildcards_as_ec2_has_them() {
        for (p, t) in
            [("a*", "abc"), ("*", ""), ("?b?", "abc"), ("*.s3", "com.amazonaws.us-east-1.s3"), ("a*c*e", "abXcYe"), ("abc", "abc")]
        {
            assert!(wildcard_match(p, t), "{p} should match {t}");
        }
        for (p, t) in [("a*", "bac"), ("?", ""), ("abc", "ABC"), ("a*c", "abcd"), ("*.s3", "s3"), ("ab", "abc")] {
            assert!(!wildcard_match(p, t), "{p} should not match {t}");
        }
    }

    #[test]
    fn raw_filters_are_checked_again_and_sent_as_they_are() {
        let ep = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_id("vpc-1")
            .service_name("com.amazonaws.us-east-1.s3")
            .state(State::Available)
            .tags(Tag::builder().key("Name").value("web-1").build())
            .build();
        let raw = |name: &str, values: &[&str]| EndpointQuery {
            raw: vec![RawFilter { name: name.into(), values: values.iter().map(|v| v.to_string()).collect() }],
            ..Default::default()
        };
        assert!(raw("tag:Name", &["web-*"]).matches(&ep));
        assert!(raw("tag:Name", &["db", "web-?"]).matches(&ep), "values are or'ed");
        assert!(!raw("tag:Name", &["db-*"]).matches(&ep));
        assert!(!raw("tag:Other", &["*"]).matches(&ep), "a missing tag matches nothing, not even *");
        assert!(raw("tag-key", &["Name"]).matches(&ep) && !raw("tag-key", &["Env"]).matches(&ep));
        assert!(!raw("vpc-endpoint-state", &["pending"]).matches(&ep));
        assert!(raw("ip-address-type", &["ipv6"]).matches(&ep), "not reported: EC2's answer stands");
        assert!(raw("some-new-filter", &["x"]).matches(&ep), "unknown to the provider: EC2's answer stands");
        let by_ids = EndpointQuery { ids: vec!["vpce-2".into(), "vpce-1".into()], ..Default::default() };
        assert!(by_ids.matches(&ep));
        assert!(!EndpointQuery { ids: vec!["vpce-2".into()], ..Default::default() }.matches(&ep));
        let sent = raw("tag:Name", &["a", "b"]).filters();
        assert_eq!((sent[0].name(), sent[0].values()), (Some("tag:Name"), &["a".to_string(), "b".to_string()][..]));
        assert!(RawFilter::is_known_name("tag:Env", ENDPOINT_FILTERS) && RawFilter::is_known_name("vpc-id", ENDPOINT_FILTERS));
        assert!(!RawFilter::is_known_name("tag:", ENDPOINT_FILTERS) && !RawFilter::is_known_name("owner", ENDPOINT_FILTERS));
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
