//! Plan-time facts, looked up once per process: the subnets, security groups, route tables and
//! VPCs that the checks before a create or change read (whether they exist, their VPC, their
//! Availability Zone). What these checks use never changes for a resource that exists (a subnet
//! stays in its VPC and zone), so what was found is kept for the process (Terraform starts one per
//! command walk) and concurrent lookups share batched Describe calls. What was not found is not
//! kept: it may be created later in the same apply. Refreshes (routes of a route table, the state
//! of an endpoint) never come from here.
//!
//! The endpoints of a VPC (for the rules that involve other endpoints: one private-DNS endpoint
//! per service and VPC, one gateway route per service and route table, the per-VPC quota) are
//! listed once per VPC and process ([`Ec2::vpc_endpoint_facts`]: DescribeVpcEndpoints filtered by
//! `vpc-id`, several VPCs a call, the region's endpoints once past [`LIST_AFTER`] VPCs); unlike the facts above they may be out of date within the process (an endpoint
//! created or deleted since), so a conflict found there is confirmed with
//! [`Ec2::vpc_endpoints_now`] before it is reported.
//!
//! Many endpoints each with its own route table or VPC (N route tables for N endpoints) would
//! still cost N/10 calls per walk (Terraform runs 10 operations at a time); once a process has
//! asked for [`LIST_AFTER`] distinct ids of a kind, it lists that kind once, up to
//! [`LIST_MAX_PAGES`] pages of 100, and answers the rest from the listing.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_ec2::types::{Filter, RouteTable, SecurityGroup, Subnet, Vpc, VpcEndpoint};
use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use super::batch::{Batcher, Memo, BATCH_MAX_WAIT, BATCH_WINDOW};
use super::error::Missing;
use super::finders::{describe_existing, fetch_route_tables, fetch_vpcs, state_str};
use super::{AwsError, Ec2, SdkResultExt};

/// Distinct ids of one kind asked for before the kind is listed whole.
pub(crate) const LIST_AFTER: usize = 50;
/// At most this many pages of 100 are listed.
pub(crate) const LIST_MAX_PAGES: usize = 20;

type Lister<V> = Box<dyn Fn() -> BoxFuture<'static, Result<Vec<V>, AwsError>> + Send + Sync>;

/// Found values of one kind by id, a batcher for the others, and the optional listing.
struct Known<V> {
    found: Mutex<HashMap<String, V>>,
    batcher: Batcher<String, V>,
    asked: AtomicUsize,
    list: Option<(Lister<V>, OnceCell<()>)>,
    id_of: fn(&V) -> Option<&str>,
    /// What is kept of a value: the fields the checks read (a listing of thousands of route
    /// tables or VPCs would otherwise stay in memory with every route, association and tag).
    keep: fn(&V) -> V,
}

impl<V: Clone + Send + 'static> Known<V> {
    fn new<F, Fut>(
        client: &aws_sdk_ec2::Client,
        fetch: F,
        id_of: fn(&V) -> Option<&str>,
        keep: fn(&V) -> V,
        list: Option<Lister<V>>,
    ) -> Self
    where
        F: Fn(aws_sdk_ec2::Client, Vec<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<V>, AwsError>> + Send + 'static,
    {
        let batcher = Batcher::by_id(client, fetch, id_of);
        Known { found: Mutex::default(), batcher, asked: AtomicUsize::new(0), list: list.map(|l| (l, OnceCell::new())), id_of, keep }
    }

    fn remember(&self, values: &[V]) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        for v in values {
            if let Some(id) = (self.id_of)(v) {
                found.insert(id.to_owned(), (self.keep)(v));
            }
        }
    }

    fn split(&self, ids: &[String]) -> (Vec<V>, Vec<String>) {
        let found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let (mut have, mut missing) = (Vec::new(), Vec::new());
        for id in ids.iter().filter(|id| !id.is_empty()) {
            match found.get(id) {
                Some(v) => have.push(v.clone()),
                None if !missing.contains(id) => missing.push(id.clone()),
                None => {}
            }
        }
        (have, missing)
    }

    /// The values of the `ids` that exist.
    async fn get_all(&self, ids: &[String]) -> Result<Vec<V>, AwsError> {
        let (mut have, mut missing) = self.split(ids);
        if missing.is_empty() {
            return Ok(have);
        }
        if let Some((list, listed)) = &self.list {
            if self.asked.fetch_add(missing.len(), Ordering::Relaxed) + missing.len() >= LIST_AFTER {
                listed
                    .get_or_init(|| async {
                        // A failed listing only means that the ids are looked up one batch at a time.
                        if let Ok(all) = list().await {
                            self.remember(&all);
                        }
                    })
                    .await;
                let (more, still) = self.split(&missing);
                have.extend(more);
                missing = still;
                if missing.is_empty() {
                    return Ok(have);
                }
            }
        }
        let fetched = self.batcher.get_all(&missing).await?;
        self.remember(&fetched);
        have.extend(fetched.iter().map(self.keep));
        Ok(have)
    }
}

/// Lists up to [`LIST_MAX_PAGES`] pages of 100 items; `page(token)` returns (items, next token).
async fn list_pages<V, F, Fut>(page: F) -> Result<Vec<V>, AwsError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<V>, Option<String>), AwsError>>,
{
    Ok(list_pages_whole(page).await?.0)
}

/// [`list_pages`], with whether the listing is whole (false: pages were left after the cap).
pub(super) async fn list_pages_whole<V, F, Fut>(page: F) -> Result<(Vec<V>, bool), AwsError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<V>, Option<String>), AwsError>>,
{
    let (mut all, mut token) = (Vec::new(), None);
    for _ in 0..LIST_MAX_PAGES {
        let (items, next) = page(token).await?;
        all.extend(items);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok((all, true));
        }
    }
    Ok((all, false))
}

/// One page of the region's VPCs (100), for [`list_pages`].
pub(super) async fn vpcs_page(c: &aws_sdk_ec2::Client, token: Option<String>) -> Result<(Vec<Vpc>, Option<String>), AwsError> {
    let out = c.describe_vpcs().max_results(100).set_next_token(token).send().await.aws_op("DescribeVpcs")?;
    Ok((out.vpcs.unwrap_or_default(), out.next_token))
}

/// One page of the region's route tables (100), for [`list_pages`].
pub(super) async fn route_tables_page(
    c: &aws_sdk_ec2::Client,
    token: Option<String>,
) -> Result<(Vec<RouteTable>, Option<String>), AwsError> {
    let out = c.describe_route_tables().max_results(100).set_next_token(token).send().await.aws_op("DescribeRouteTables")?;
    Ok((out.route_tables.unwrap_or_default(), out.next_token))
}

pub(super) struct Facts {
    subnets: Known<Subnet>,
    groups: Known<SecurityGroup>,
    route_tables: Known<RouteTable>,
    vpcs: Known<Vpc>,
    /// VPCs whose DNS support and hostnames are both on.
    dns_enabled: Mutex<std::collections::HashSet<String>>,
    /// The `default` security group of each VPC.
    default_groups: Mutex<HashMap<String, String>>,
    /// The endpoints of each VPC, as first listed by this process.
    vpc_endpoints: VpcEndpoints,
}

impl Facts {
    pub(super) fn new(client: &aws_sdk_ec2::Client) -> Facts {
        let c = client.clone();
        let list_route_tables: Lister<RouteTable> = Box::new(move || {
            let c = c.clone();
            Box::pin(async move { list_pages(|token| route_tables_page(&c, token)).await })
        });
        let c = client.clone();
        let list_vpcs: Lister<Vpc> = Box::new(move || {
            let c = c.clone();
            Box::pin(async move { list_pages(|token| vpcs_page(&c, token)).await })
        });
        Facts {
            subnets: Known::new(
                client,
                |c, ids| async move {
                    describe_existing(&ids, Missing::Subnet, |ids| {
                        let req = c.describe_subnets().set_subnet_ids(Some(ids));
                        async move { req.into_paginator().items().send().try_collect().await.aws_op("DescribeSubnets") }
                    })
                    .await
                },
                |s| s.subnet_id(),
                Subnet::clone,
                None,
            ),
            groups: Known::new(
                client,
                |c, ids| async move {
                    describe_existing(&ids, Missing::SecurityGroup, |ids| {
                        let req = c.describe_security_groups().set_group_ids(Some(ids));
                        async move { req.into_paginator().items().send().try_collect().await.aws_op("DescribeSecurityGroups") }
                    })
                    .await
                },
                |g| g.group_id(),
                SecurityGroup::clone,
                None,
            ),
            route_tables: Known::new(
                client,
                |c, ids| async move { fetch_route_tables(&c, &ids).await },
                |t| t.route_table_id(),
                |t| RouteTable::builder().set_route_table_id(t.route_table_id.clone()).set_vpc_id(t.vpc_id.clone()).build(),
                Some(list_route_tables),
            ),
            vpcs: Known::new(
                client,
                |c, ids| async move { fetch_vpcs(&c, &ids).await },
                |v| v.vpc_id(),
                |v| Vpc::builder().set_vpc_id(v.vpc_id.clone()).set_owner_id(v.owner_id.clone()).build(),
                Some(list_vpcs),
            ),
            dns_enabled: Mutex::default(),
            default_groups: Mutex::default(),
            vpc_endpoints: VpcEndpoints::new(client),
        }
    }
}

impl Ec2 {
    /// The subnets among `ids` that exist, for checks (kept for the process once found).
    pub(crate) async fn subnet_facts(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError> {
        self.inner.facts.subnets.get_all(ids).await
    }

    /// The security groups among `ids` that exist, for checks (kept once found).
    pub(crate) async fn security_group_facts(&self, ids: &[String]) -> Result<Vec<SecurityGroup>, AwsError> {
        self.inner.facts.groups.get_all(ids).await
    }

    /// The route tables among `ids` that exist, for checks of their existence and VPC only: the
    /// tables hold their id and VPC and nothing else (use [`Ec2::find_route_tables`] for routes).
    pub(crate) async fn route_table_facts(&self, ids: &[String]) -> Result<Vec<RouteTable>, AwsError> {
        self.inner.facts.route_tables.get_all(ids).await
    }

    /// The VPC, if it exists, for checks of its existence (kept once found): it holds its id and
    /// owner and nothing else.
    pub(crate) async fn vpc_fact(&self, id: &str) -> Result<Option<Vpc>, AwsError> {
        Ok(self.inner.facts.vpcs.get_all(&[id.to_owned()]).await?.into_iter().next())
    }

    /// Whether `vpc_id` has both DNS support and DNS hostnames on; a VPC found so is not asked again.
    pub(crate) async fn vpc_dns_facts(&self, vpc_id: &str) -> Result<(bool, bool), AwsError> {
        if self.inner.facts.dns_enabled.lock().unwrap_or_else(|e| e.into_inner()).contains(vpc_id) {
            return Ok((true, true));
        }
        let (support, hostnames) = self.vpc_dns_attributes(vpc_id).await?;
        if support && hostnames {
            self.inner.facts.dns_enabled.lock().unwrap_or_else(|e| e.into_inner()).insert(vpc_id.to_owned());
        }
        Ok((support, hostnames))
    }

    /// The id of the VPC's `default` security group (kept once found).
    pub(crate) async fn default_security_group_fact(&self, vpc_id: &str) -> Result<Option<String>, AwsError> {
        if let Some(id) = self.inner.facts.default_groups.lock().unwrap_or_else(|e| e.into_inner()).get(vpc_id) {
            return Ok(Some(id.clone()));
        }
        let found = self.default_security_group(vpc_id).await?;
        if let Some(id) = &found {
            self.inner.facts.default_groups.lock().unwrap_or_else(|e| e.into_inner()).insert(vpc_id.to_owned(), id.clone());
        }
        Ok(found)
    }
}

/// The endpoints that are not `deleted` among what one DescribeVpcEndpoints listing (pages of
/// 1000, at most [`LIST_MAX_PAGES`]) answers with `filter` (none: the region's), with the fields
/// the rules read (id, type, VPC, service, state, private DNS, DNS options, route tables, tags);
/// and whether the listing is whole.
async fn list_endpoints(client: &aws_sdk_ec2::Client, filter: Option<Filter>) -> Result<(Vec<VpcEndpoint>, bool), AwsError> {
    let (all, whole) = list_pages_whole(|token| {
        let req = client.describe_vpc_endpoints().set_filters(filter.clone().map(|f| vec![f])).max_results(1000).set_next_token(token);
        async move {
            let out = req.send().await.aws_op("DescribeVpcEndpoints")?;
            Ok((out.vpc_endpoints.unwrap_or_default(), out.next_token))
        }
    })
    .await?;
    let kept = all
        .into_iter()
        .filter(|e| state_str(e) != "deleted")
        .map(|e| {
            VpcEndpoint::builder()
                .set_vpc_endpoint_id(e.vpc_endpoint_id)
                .set_vpc_endpoint_type(e.vpc_endpoint_type)
                .set_vpc_id(e.vpc_id)
                .set_service_name(e.service_name)
                .set_state(e.state)
                .set_private_dns_enabled(e.private_dns_enabled)
                .set_dns_options(e.dns_options)
                .set_route_table_ids(e.route_table_ids)
                .set_tags(e.tags)
                .build()
        })
        .collect();
    Ok((kept, whole))
}

/// The endpoints of `vpc_id` that are not `deleted` (see [`list_endpoints`]).
async fn list_vpc_endpoints(client: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
    Ok(list_endpoints(client, Some(Filter::builder().name("vpc-id").values(vpc_id).build())).await?.0)
}

/// `endpoints` by VPC.
fn by_vpc(endpoints: Vec<VpcEndpoint>) -> HashMap<String, Vec<VpcEndpoint>> {
    let mut out: HashMap<String, Vec<VpcEndpoint>> = HashMap::new();
    for e in endpoints {
        out.entry(e.vpc_id().unwrap_or_default().to_owned()).or_default().push(e);
    }
    out
}

/// VPCs per DescribeVpcEndpoints of the batched lookup (values of its one `vpc-id` filter).
const VPCS_PER_CALL: usize = 50;

type RegionEndpoints = Arc<OnceCell<Option<Arc<HashMap<String, Vec<VpcEndpoint>>>>>>;

/// The endpoints of each VPC, as first listed by this process: concurrent lookups of several
/// VPCs share one DescribeVpcEndpoints (a `vpc-id` filter of up to [`VPCS_PER_CALL`] values), and
/// once [`LIST_AFTER`] distinct VPCs were asked for, the region's endpoints are listed once and
/// answer the rest. Without that, N gateway endpoints in N VPCs cost N calls per walk (a plan and
/// an apply: 2 requests per endpoint, at EC2's 20 Describe calls a second).
struct VpcEndpoints {
    memo: Memo<String, Vec<VpcEndpoint>>,
    batcher: Batcher<String, Vec<VpcEndpoint>>,
    asked: Arc<AtomicUsize>,
    /// The region's listing, when taken: `None` when it failed or was cut short.
    region: RegionEndpoints,
    client: aws_sdk_ec2::Client,
}

impl VpcEndpoints {
    fn new(client: &aws_sdk_ec2::Client) -> Self {
        let c = client.clone();
        let batcher = Batcher::with_in_flight(BATCH_WINDOW, BATCH_MAX_WAIT, VPCS_PER_CALL, 2, move |vpcs: Vec<String>| {
            let c = c.clone();
            async move {
                let filter = Filter::builder().name("vpc-id").set_values(Some(vpcs.clone())).build();
                let (found, whole) = list_endpoints(&c, Some(filter)).await?;
                // A VPC without endpoints is absent from the map: `get` makes it empty.
                match whole || vpcs.len() == 1 {
                    true => Ok(by_vpc(found)),
                    // More than the pages listed: each VPC alone (the batcher's fallback).
                    false => Err(AwsError::new("DescribeVpcEndpoints", None, "too many endpoints for one listing")),
                }
            }
        });
        VpcEndpoints { memo: Memo::default(), batcher, asked: Arc::default(), region: Arc::default(), client: client.clone() }
    }

    async fn get(&self, vpc: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
        // (The fetch is made only for a VPC not listed yet in this process.)
        self.memo
            .get(vpc.to_owned(), || {
                let (batcher, asked, region, client) = (self.batcher.clone(), self.asked.clone(), self.region.clone(), self.client.clone());
                let vpc_id = vpc.to_owned();
                async move {
                    if asked.fetch_add(1, Ordering::Relaxed) + 1 > LIST_AFTER {
                        let listing = region
                            .get_or_init(|| async move {
                                match list_endpoints(&client, None).await {
                                    Ok((all, true)) => Some(Arc::new(by_vpc(all))),
                                    // Cut short, or failed: the VPCs are looked up in batches.
                                    _ => None,
                                }
                            })
                            .await;
                        if let Some(map) = listing {
                            return Ok(map.get(&vpc_id).cloned().unwrap_or_default());
                        }
                    }
                    Ok(batcher.get(vpc_id).await?.unwrap_or_default())
                }
            })
            .await
    }
}

impl Ec2 {
    /// The endpoints of `vpc_id` that are not `deleted`, listed once per VPC and process
    /// ([`VpcEndpoints`]: batched by VPC, then from one listing of the region; concurrent callers
    /// share it, a failure is not kept). It may miss what was created or deleted since: confirm a finding with
    /// [`Ec2::vpc_endpoints_now`].
    pub async fn vpc_endpoint_facts(&self, vpc_id: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
        self.inner.facts.vpc_endpoints.get(vpc_id).await
    }

    /// The endpoints of `vpc_id` that are not `deleted`, as EC2 has them now (not kept): for the
    /// checks right before a create, and to confirm what [`Ec2::vpc_endpoint_facts`] found.
    pub async fn vpc_endpoints_now(&self, vpc_id: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
        list_vpc_endpoints(self.client(), vpc_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn pages_are_followed_up_to_the_cap() {
        let calls = Arc::new(AtomicUsize::new(0));
        let pages = |n: usize| {
            let calls = calls.clone();
            move |token: Option<String>| {
                calls.fetch_add(1, Ordering::SeqCst);
                let at: usize = token.map_or(0, |t| t.parse().unwrap());
                let next = (at + 1 < n).then(|| (at + 1).to_string());
                std::future::ready(Ok::<_, AwsError>((vec![at], next)))
            }
        };
        assert_eq!(list_pages(pages(3)).await.unwrap(), vec![0, 1, 2]);
        assert_eq!(calls.swap(0, Ordering::SeqCst), 3);
        assert_eq!(list_pages(pages(100)).await.unwrap().len(), LIST_MAX_PAGES);
        assert_eq!(calls.swap(0, Ordering::SeqCst), LIST_MAX_PAGES);
        assert_eq!(list_pages_whole(pages(3)).await.unwrap(), (vec![0, 1, 2], true));
        assert!(!list_pages_whole(pages(100)).await.unwrap().1, "cut short at the cap");
    }
}
