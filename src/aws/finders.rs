//! Read-only lookups. Each returns plain SDK model types; "not found" is `None` or an absent item.

use std::collections::HashSet;
use std::future::Future;

use aws_sdk_ec2::types::{Filter, RouteTable, ServiceDetail, Subnet, Vpc, VpcAttributeName, VpcEndpoint};

use super::error::Missing;
use super::{AwsError, Ec2, SdkResultExt};

/// The endpoint's state as EC2 sends it, lowercased (`available`, `pendingacceptance`,
/// `deleted`, ...); empty when absent.
pub(crate) fn state_str(endpoint: &VpcEndpoint) -> String {
    endpoint.state().map(|s| s.as_str().to_ascii_lowercase()).unwrap_or_default()
}

/// The state as EC2 documents it (`available`, `pendingAcceptance`, `deleting`, ...), whichever
/// casing the SDK's enum parsed it into. For display; compare with [`state_str`].
pub(crate) fn state_display(endpoint: &VpcEndpoint) -> String {
    match state_str(endpoint).as_str() {
        "pendingacceptance" => "pendingAcceptance".to_string(),
        other => other.to_string(),
    }
}

/// What the endpoint connects to: its service name, else (Resource and ServiceNetwork endpoints,
/// which have none) the ARN of its VPC Lattice resource configuration or service network.
pub(crate) fn endpoint_target(endpoint: &VpcEndpoint) -> Option<&str> {
    endpoint.service_name().or(endpoint.resource_configuration_arn()).or(endpoint.service_network_arn())
}

/// Whether `rt` routes `prefix_list_id` to the gateway endpoint `endpoint_id`.
pub(crate) fn route_table_has_endpoint_route(rt: &RouteTable, prefix_list_id: &str, endpoint_id: &str) -> bool {
    rt.routes().iter().any(|r| r.destination_prefix_list_id() == Some(prefix_list_id) && r.gateway_id() == Some(endpoint_id))
}

/// Describes `ids` and returns the items that exist, in one call when all do. EC2 fails a whole
/// Describe call when one id is missing or malformed, naming it in the message; moto's messages
/// are less reliable (one of several missing ids; every requested id; even an existing one). So
/// the ids the error names are each asked alone (all ids when it names none or all of them), and
/// the rest asked again together, until a call succeeds. Never describes an empty id list (that
/// would list everything).
pub(super) async fn describe_existing<T, F, Fut>(ids: &[String], kind: Missing, describe: F) -> Result<Vec<T>, AwsError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, AwsError>>,
{
    let mut seen = HashSet::new();
    let mut pending: Vec<String> = ids.iter().filter(|id| !id.is_empty() && seen.insert(id.as_str())).cloned().collect();
    let mut found = Vec::new();
    while !pending.is_empty() {
        let err = match describe(pending.clone()).await {
            Ok(items) => {
                found.extend(items);
                break;
            }
            Err(e) if e.is_invalid_id(kind) => e,
            Err(e) => return Err(e),
        };
        if pending.len() == 1 {
            break;
        }
        let named: HashSet<String> = err.named_ids(&pending).into_iter().cloned().collect();
        let suspects = if named.is_empty() || named.len() == pending.len() {
            std::mem::take(&mut pending)
        } else {
            pending.retain(|id| !named.contains(id));
            named.into_iter().collect()
        };
        for result in futures::future::join_all(suspects.into_iter().map(|id| describe(vec![id]))).await {
            match result {
                Ok(items) => found.extend(items),
                Err(e) if e.is_invalid_id(kind) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(found)
}

/// The batcher's fetch: every endpoint of `ids` that exists, in any state (`deleted` included).
pub(super) async fn fetch_endpoints(client: &aws_sdk_ec2::Client, ids: &[String]) -> Result<Vec<VpcEndpoint>, AwsError> {
    describe_existing(ids, Missing::VpcEndpoint, |ids| async move {
        let pages = client.describe_vpc_endpoints().set_vpc_endpoint_ids(Some(ids)).into_paginator();
        pages.items().send().try_collect().await.aws_op("DescribeVpcEndpoints")
    })
    .await
}

/// The batcher's fetch: the route tables among `ids` that exist.
pub(super) async fn fetch_route_tables(client: &aws_sdk_ec2::Client, ids: &[String]) -> Result<Vec<RouteTable>, AwsError> {
    describe_existing(ids, Missing::RouteTable, |ids| async move {
        let pages = client.describe_route_tables().set_route_table_ids(Some(ids)).into_paginator();
        pages.items().send().try_collect().await.aws_op("DescribeRouteTables")
    })
    .await
}

/// The batcher's fetch: the VPCs among `ids` that exist.
pub(super) async fn fetch_vpcs(client: &aws_sdk_ec2::Client, ids: &[String]) -> Result<Vec<Vpc>, AwsError> {
    describe_existing(ids, Missing::Vpc, |ids| async move {
        let pages = client.describe_vpcs().set_vpc_ids(Some(ids)).into_paginator();
        pages.items().send().try_collect().await.aws_op("DescribeVpcs")
    })
    .await
}

/// DescribeVpcEndpointServices, following NextToken (the SDK has no paginator for it): the
/// details and names listed; an unknown `name` lists nothing.
async fn endpoint_services(client: &aws_sdk_ec2::Client, name: Option<&str>) -> Result<(Vec<ServiceDetail>, Vec<String>), AwsError> {
    let (mut details, mut names, mut token) = (Vec::new(), Vec::new(), None);
    loop {
        let out = client
            .describe_vpc_endpoint_services()
            .set_service_names(name.map(|n| vec![n.to_owned()]))
            .set_next_token(token)
            .send()
            .await
            .aws_op("DescribeVpcEndpointServices");
        let out = match out {
            Err(e) if name.is_some() && e.code_in(&["InvalidServiceName", "InvalidServiceName.NotFound"]) => break,
            other => other?,
        };
        details.extend(out.service_details.unwrap_or_default());
        names.extend(out.service_names.unwrap_or_default());
        token = out.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok((details, names))
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

impl Ec2 {
    /// The endpoint, or `None` when it does not exist or is `deleted`. Concurrent calls are
    /// coalesced into shared DescribeVpcEndpoints calls (see [`super::Batcher`]).
    pub(crate) async fn find_vpc_endpoint(&self, id: &str) -> Result<Option<VpcEndpoint>, AwsError> {
        Ok(self.find_vpc_endpoint_any_state(id).await?.filter(|e| state_str(e) != "deleted"))
    }

    /// Like [`Ec2::find_vpc_endpoint`] but also returns `deleted` endpoints (EC2 shows them for a while).
    pub(crate) async fn find_vpc_endpoint_any_state(&self, id: &str) -> Result<Option<VpcEndpoint>, AwsError> {
        if id.is_empty() {
            return Ok(None);
        }
        self.inner.endpoints.get(id.to_owned()).await
    }

    /// All service details EC2 lists under `service_name` (S3 has two: Interface and Gateway);
    /// empty for an unknown name (EC2 and moto answer `InvalidServiceName`). Fetched once per
    /// process and name (concurrent callers share the call; failures are not kept).
    pub(crate) async fn describe_service_details(&self, service_name: &str) -> Result<Vec<ServiceDetail>, AwsError> {
        let (client, name) = (self.client().clone(), service_name.to_owned());
        self.inner.services.get(name.clone(), || async move { Ok(endpoint_services(&client, Some(&name)).await?.0) }).await
    }

    /// The service, with `service_type` merged across its entries (so S3 lists both Interface and
    /// Gateway); other fields come from the first entry; [`Ec2::describe_service_details`] has
    /// the type-specific fields (private DNS name, availability zones) of each entry.
    pub(crate) async fn describe_service(&self, service_name: &str) -> Result<Option<ServiceDetail>, AwsError> {
        let mut details = self.describe_service_details(service_name).await?.into_iter();
        let Some(mut first) = details.next() else { return Ok(None) };
        for t in details.flat_map(|d| d.service_type.unwrap_or_default()) {
            let types = first.service_type.get_or_insert_with(Vec::new);
            if !types.iter().any(|have| have.service_type() == t.service_type()) {
                types.push(t);
            }
        }
        Ok(Some(first))
    }

    /// The entry of `service_name` offering `endpoint_type` (`Interface`, `Gateway`,
    /// `GatewayLoadBalancer`; case-insensitive).
    pub(crate) async fn describe_service_for_type(
        &self,
        service_name: &str,
        endpoint_type: &str,
    ) -> Result<Option<ServiceDetail>, AwsError> {
        Ok(self
            .describe_service_details(service_name)
            .await?
            .into_iter()
            .find(|d| d.service_type().iter().any(|t| t.service_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case(endpoint_type)))))
    }

    /// `(enableDnsSupport, enableDnsHostnames)` of the VPC (two concurrent DescribeVpcAttribute calls).
    pub(crate) async fn vpc_dns_attributes(&self, vpc_id: &str) -> Result<(bool, bool), AwsError> {
        let attribute = |name: VpcAttributeName| async move {
            let out = self.client().describe_vpc_attribute().vpc_id(vpc_id).attribute(name).send().await;
            let out = out.aws_op("DescribeVpcAttribute")?;
            let value = out.enable_dns_support().or(out.enable_dns_hostnames()).and_then(|v| v.value());
            Ok::<_, AwsError>(value.unwrap_or(false))
        };
        tokio::try_join!(attribute(VpcAttributeName::EnableDnsSupport), attribute(VpcAttributeName::EnableDnsHostnames))
    }

    /// The subnets among `ids` that exist (the caller reports the missing ones).
    pub(crate) async fn find_subnets(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError> {
        describe_existing(ids, Missing::Subnet, |ids| async move {
            let pages = self.client().describe_subnets().set_subnet_ids(Some(ids)).into_paginator();
            pages.items().send().try_collect().await.aws_op("DescribeSubnets")
        })
        .await
    }

    /// The route tables among `ids` that exist. Concurrent calls share DescribeRouteTables calls
    /// (batched like endpoints).
    pub(crate) async fn find_route_tables(&self, ids: &[String]) -> Result<Vec<RouteTable>, AwsError> {
        let mut seen = HashSet::new();
        let ids: Vec<String> = ids.iter().filter(|id| !id.is_empty() && seen.insert(id.as_str())).cloned().collect();
        self.inner.route_tables.get_all(&ids).await
    }

    /// The id of the VPC's `default` security group.
    pub(crate) async fn default_security_group(&self, vpc_id: &str) -> Result<Option<String>, AwsError> {
        let pages = self
            .client()
            .describe_security_groups()
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("group-name", "default"))
            .into_paginator();
        let groups = pages.items().send().try_collect().await.aws_op("DescribeSecurityGroups")?;
        Ok(groups.into_iter().find_map(|g| g.group_id))
    }
}

/// The AWS-managed prefix list of a gateway service: its id and CIDR blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewayPrefixList {
    pub(crate) id: String,
    /// Sorted. Empty when neither DescribePrefixLists nor GetManagedPrefixListEntries lists any.
    pub(crate) cidrs: Vec<String>,
    /// Why the CIDR blocks could not be listed, when GetManagedPrefixListEntries failed.
    pub(crate) cidrs_error: Option<AwsError>,
}

impl Ec2 {
    /// The prefix list named after `service_name` (`com.amazonaws.us-east-1.s3`), with its CIDR
    /// blocks from DescribePrefixLists, else from GetManagedPrefixListEntries (moto only fills
    /// the latter). A failure of that second call leaves the CIDR list empty. Both calls are made
    /// once per process and name/id (concurrent callers share them; failures are not kept).
    pub(crate) async fn find_gateway_prefix_list(&self, service_name: &str) -> Result<Option<GatewayPrefixList>, AwsError> {
        let (client, name) = (self.client().clone(), service_name.to_owned());
        let list = self.inner.prefix_lists.get(name.clone(), || async move {
            let filter = Filter::builder().name("prefix-list-name").values(&name).build();
            let pages = client.describe_prefix_lists().filters(filter).into_paginator();
            let lists = pages.items().send().try_collect().await.aws_op("DescribePrefixLists")?;
            let list = lists.into_iter().find(|p| p.prefix_list_name() == Some(name.as_str()));
            Ok(list.and_then(|p| Some((p.prefix_list_id?, p.cidrs.unwrap_or_default()))))
        });
        let Some((id, mut cidrs)) = list.await? else { return Ok(None) };
        let mut cidrs_error = None;
        if cidrs.is_empty() {
            let (client, pl) = (self.client().clone(), id.clone());
            let entries = self.inner.prefix_list_entries.get(id.clone(), || async move {
                let pages = client.get_managed_prefix_list_entries().prefix_list_id(pl).into_paginator();
                let entries = pages.items().send().try_collect().await.aws_op("GetManagedPrefixListEntries")?;
                Ok(entries.into_iter().filter_map(|e| e.cidr).collect())
            });
            match entries.await {
                Ok(listed) => cidrs = listed,
                Err(e) => cidrs_error = Some(e),
            }
        }
        cidrs.sort();
        cidrs.dedup();
        Ok(Some(GatewayPrefixList { id, cidrs, cidrs_error }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Route, State};
    use std::sync::Mutex;

    #[test]
    fn state_strings_are_lowercased_wire_strings() {
        let ep = |s: State| VpcEndpoint::builder().state(s).build();
        assert_eq!(state_str(&ep(State::PendingAcceptance)), "pendingacceptance");
        assert_eq!(state_str(&ep(State::Available)), "available");
        assert_eq!(state_str(&ep(State::from("Deleted"))), "deleted");
        assert_eq!(state_str(&ep(State::from("SomethingNew"))), "somethingnew");
        assert_eq!(state_str(&VpcEndpoint::builder().build()), "");
        assert_eq!(state_display(&ep(State::PendingAcceptance)), "pendingAcceptance");
        assert_eq!(state_display(&ep(State::from("pendingAcceptance"))), "pendingAcceptance");
        assert_eq!(state_display(&ep(State::Available)), "available");
    }

    #[test]
    fn endpoint_route_check() {
        let route = |pl: &str, gw: &str| Route::builder().destination_prefix_list_id(pl).gateway_id(gw).build();
        let local = Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").build();
        let rt = RouteTable::builder().routes(local).routes(route("pl-1", "vpce-1")).build();
        assert!(route_table_has_endpoint_route(&rt, "pl-1", "vpce-1"));
        assert!(!route_table_has_endpoint_route(&rt, "pl-2", "vpce-1"));
        assert!(!route_table_has_endpoint_route(&rt, "pl-1", "vpce-2"));
        assert!(!route_table_has_endpoint_route(&RouteTable::builder().build(), "pl-1", "vpce-1"));
    }

    type Message = fn(&[String], &[String]) -> String;

    /// A fake Describe over `existing` that fails like EC2 when ids are missing, with
    /// `message(missing ids, requested ids)`.
    fn fake<'a>(
        existing: &'a [&'a str],
        message: Message,
        calls: &'a Mutex<Vec<Vec<String>>>,
    ) -> impl Fn(Vec<String>) -> std::future::Ready<Result<Vec<String>, AwsError>> + 'a {
        move |ids| {
            calls.lock().unwrap().push(ids.clone());
            let missing: Vec<String> = ids.iter().filter(|id| !existing.contains(&id.as_str())).cloned().collect();
            std::future::ready(if missing.is_empty() {
                Ok(ids)
            } else {
                Err(AwsError::new("DescribeVpcEndpoints", Some("InvalidVpcEndpointId.NotFound"), message(&missing, &ids)))
            })
        }
    }

    async fn run(ids: &[&str], message: Message) -> (Vec<String>, usize) {
        let calls = Mutex::new(Vec::new());
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let mut found = describe_existing(&ids, Missing::VpcEndpoint, fake(&["a-1", "a-2", "a-3"], message, &calls)).await.unwrap();
        found.sort();
        let n = calls.lock().unwrap().len();
        (found, n)
    }

    #[tokio::test]
    async fn describe_existing_drops_missing_ids() {
        // EC2 names every missing id; moto names only the last one, or every requested id, or
        // (DescribeSubnets) the first requested id even when it exists.
        let all = |m: &[String], _: &[String]| format!("The vpcEndpoint IDs '{}' do not exist", m.join(", "));
        let last = |m: &[String], _: &[String]| format!("The VpcEndPoint ID '{}' does not exist", m[m.len() - 1]);
        let asked = |_: &[String], ids: &[String]| format!("VpcID {{'{}'}} does not exist.", ids.join("', '"));
        let first = |_: &[String], ids: &[String]| format!("The subnet ID '{}' does not exist", ids[0]);
        let none = |_: &[String], _: &[String]| "Something does not exist".to_string();
        let ids = ["a-1", "x-1", "a-2", "x-2", "a-3", "a-1", ""];
        let want: Vec<String> = vec!["a-1".into(), "a-2".into(), "a-3".into()];
        assert_eq!(run(&ids, all).await, (want.clone(), 4), "fail, x-1 and x-2 alone, the rest");
        assert_eq!(run(&ids, last).await, (want.clone(), 5));
        assert_eq!(run(&ids, asked).await, (want.clone(), 6), "fail, then each alone");
        assert_eq!(run(&ids, first).await.0, want);
        assert_eq!(run(&ids, none).await, (want.clone(), 6));
        assert_eq!(run(&["a-1", "a-2"], none).await, (want[..2].to_vec(), 1));
        assert_eq!(run(&["x-1"], none).await, (vec![], 1));
        assert_eq!(run(&[], none).await, (vec![], 0), "never describes an empty id list");
    }

    #[tokio::test]
    async fn describe_existing_propagates_other_errors() {
        let r = describe_existing(&["a".to_string()], Missing::Vpc, |_| async {
            Err::<Vec<()>, _>(AwsError::new("DescribeVpcs", Some("UnauthorizedOperation"), "no"))
        })
        .await;
        assert!(r.unwrap_err().code_is("UnauthorizedOperation"));
        // Another kind's NotFound is an error too, never "these ids are missing".
        let r = describe_existing(&["vpce-1".to_string(), "vpce-2".to_string()], Missing::VpcEndpoint, |_| async {
            Err::<Vec<()>, _>(AwsError::new("DescribeVpcEndpoints", Some("InvalidRoute.NotFound"), "no route vpce-1"))
        })
        .await;
        assert!(r.unwrap_err().code_is("InvalidRoute.NotFound"));
    }
}
