//! Read-ahead for refresh: when Terraform refreshes many endpoints, one process answers their
//! reads from one listing of the region's endpoints instead of asking for them by id.
//!
//! Terraform refreshes at most `-parallelism` (10) resources at a time, so the batched lookups by
//! id ([`super::Batcher`]) carry at most about ten ids per DescribeVpcEndpoints and a refresh of N
//! endpoints takes about N / 10 round trips one after the other. Once a process has seen
//! [`READ_AHEAD_AFTER`] refresh reads (so a small configuration never pays for it), it lists the
//! region's endpoints (paginated DescribeVpcEndpoints, [`PAGE_SIZE`] per page, at most
//! [`MAX_PAGES`] pages) and answers the reads that follow from that listing; a gateway's route
//! tables are listed the same way, by the ids the listed gateways name, on the first read that
//! asks for them.
//!
//! What keeps the answers right:
//! - a listing answers only for [`LISTING_TTL`] after it was asked for; a later read takes a new one;
//! - an endpoint missing from the listing (EC2 is eventually consistent: a new endpoint may not be
//!   listed yet; or it is beyond the pages listed) is looked up by id as before, never taken as gone;
//! - once the process has sent any EC2 write (create, modify, delete, tags; the removal of the
//!   creation marker excepted, which no read reports), listings answer nothing more: what they hold
//!   may predate the write. Writes are seen where every request is (an interceptor), so a new write
//!   path cannot forget to say so;
//! - a failed listing answers nothing (the reads go by id) and is not retried by this process;
//! - `VPCE_READ_AHEAD=off` turns it off.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ec2::types::{RouteTable, VpcEndpoint};
use futures::future::{BoxFuture, FutureExt, Shared};
use futures::StreamExt;
use tokio::time::Instant;

use super::finders::fetch_route_tables;
use super::markers::CREATE_MARKER;
use super::{state_str, AwsError, Ec2, SdkResultExt, BATCH_MAX_IDS};

/// Refresh reads a process answers by id before it lists the region's endpoints.
pub const READ_AHEAD_AFTER: usize = 20;
/// Endpoints per page of the listing (EC2's maximum).
pub const PAGE_SIZE: i32 = 1000;
/// Pages listed at most: endpoints beyond them are looked up by id.
pub const MAX_PAGES: usize = 5;
/// How long a listing answers reads after it was asked for.
pub const LISTING_TTL: Duration = Duration::from_secs(20);
/// DescribeRouteTables calls of one listing running at once.
const ROUTE_TABLE_CALLS: usize = 4;

type SharedListing = Shared<BoxFuture<'static, Option<Arc<Listing>>>>;
type SharedTables = Shared<BoxFuture<'static, Option<Arc<HashMap<String, RouteTable>>>>>;

/// The read-ahead state of one process (one per [`Ec2`]).
pub(super) struct ReadAhead {
    enabled: bool,
    /// Refresh reads seen so far.
    reads: AtomicUsize,
    /// Set by the first write the process sends (seen by the client's `WatchWrites` interceptor).
    wrote: Arc<AtomicBool>,
    current: Mutex<Option<(Instant, SharedListing)>>,
}

/// One listing of the region's endpoints.
pub(super) struct Listing {
    endpoints: HashMap<String, VpcEndpoint>,
    /// The route tables of the listed gateway endpoints, listed on first use.
    route_tables: Mutex<Option<SharedTables>>,
}

impl ReadAhead {
    pub(super) fn new(wrote: Arc<AtomicBool>) -> Self {
        let enabled = !matches!(std::env::var("VPCE_READ_AHEAD").ok().as_deref().map(str::trim), Some("off" | "false" | "0"));
        ReadAhead { enabled, reads: AtomicUsize::new(0), wrote, current: Mutex::new(None) }
    }

    fn usable(&self) -> bool {
        self.enabled && !self.wrote.load(Ordering::SeqCst)
    }
}

/// Whether a request is the DeleteTags of the creation marker alone (which changes nothing a
/// read reports: the marker is never shown).
pub(super) fn is_marker_removal(operation: &str, body: &str) -> bool {
    let marker = format!("Tag.1.Key={}", urlencoding(CREATE_MARKER));
    operation == "DeleteTags" && body.split('&').any(|p| p == marker) && !body.split('&').any(|p| p.starts_with("Tag.2."))
}

/// Query-string encoding of the marker key (`:` is the one character it has to encode).
fn urlencoding(s: &str) -> String {
    s.replace(':', "%3A")
}

/// Lists the region's endpoints (any state), at most [`MAX_PAGES`] pages.
async fn list_endpoints(client: aws_sdk_ec2::Client) -> Result<Listing, AwsError> {
    let mut pages = client.describe_vpc_endpoints().max_results(PAGE_SIZE).into_paginator().send();
    let mut endpoints = HashMap::new();
    let mut listed = 0;
    while let Some(page) = pages.next().await {
        let page = page.aws_op("DescribeVpcEndpoints")?;
        for ep in page.vpc_endpoints.unwrap_or_default() {
            if let Some(id) = ep.vpc_endpoint_id.clone() {
                endpoints.insert(id, ep);
            }
        }
        listed += 1;
        if listed >= MAX_PAGES {
            break;
        }
    }
    Ok(Listing { endpoints, route_tables: Mutex::new(None) })
}

/// The route tables the listed gateway endpoints name (those that exist), in calls of at most
/// [`BATCH_MAX_IDS`] ids.
async fn list_route_tables(client: aws_sdk_ec2::Client, ids: Vec<String>) -> Result<HashMap<String, RouteTable>, AwsError> {
    let chunks: Vec<Vec<String>> = ids.chunks(BATCH_MAX_IDS).map(<[String]>::to_vec).collect();
    let mut calls = futures::stream::iter(chunks.into_iter().map(|chunk| {
        let client = client.clone();
        async move { fetch_route_tables(&client, &chunk).await }
    }))
    .buffer_unordered(ROUTE_TABLE_CALLS);
    let mut found = HashMap::new();
    while let Some(tables) = calls.next().await {
        for rt in tables? {
            if let Some(id) = rt.route_table_id.clone() {
                found.insert(id, rt);
            }
        }
    }
    Ok(found)
}

impl Ec2 {
    /// The listing that answers reads now: the current one while fresh, else (with `start`, once
    /// the process has seen enough refresh reads) a new one. `None`: answer by id.
    async fn listing(&self, start: bool) -> Option<Arc<Listing>> {
        let ra = &self.inner.read_ahead;
        if !ra.usable() {
            return None;
        }
        let reads = if start { ra.reads.fetch_add(1, Ordering::Relaxed) + 1 } else { 0 };
        let shared = {
            let mut current = ra.current.lock().unwrap_or_else(|e| e.into_inner());
            match &*current {
                Some((at, listing)) if at.elapsed() < LISTING_TTL => listing.clone(),
                _ if start && reads > READ_AHEAD_AFTER => {
                    let client = self.client().clone();
                    let listing: SharedListing = async move {
                        match list_endpoints(client).await {
                            Ok(listing) => {
                                crate::debug!("read-ahead: listed the region's endpoints", "endpoints" => listing.endpoints.len());
                                Some(Arc::new(listing))
                            }
                            Err(e) => {
                                crate::debug!(format!("read-ahead: cannot list the endpoints ({e}); reading by id"));
                                None
                            }
                        }
                    }
                    .boxed()
                    .shared();
                    *current = Some((Instant::now(), listing.clone()));
                    listing
                }
                _ => return None,
            }
        };
        let listing = shared.await;
        // A write sent while the listing was under way makes it unusable too.
        listing.filter(|_| ra.usable())
    }

    /// For a refresh (Terraform's ReadResource): the endpoint, or `None` when it does not exist
    /// or is `deleted`, like [`Ec2::find_vpc_endpoint`], answered from the read-ahead listing when
    /// it lists the endpoint (see the module's documentation).
    pub async fn refresh_vpc_endpoint(&self, id: &str) -> Result<Option<VpcEndpoint>, AwsError> {
        if let Some(ep) = self.listing(true).await.and_then(|l| l.endpoints.get(id).cloned()) {
            return Ok(Some(ep).filter(|e| state_str(e) != "deleted"));
        }
        self.find_vpc_endpoint(id).await
    }

    /// For a refresh: the route tables among `ids` that exist, like [`Ec2::find_route_tables`],
    /// answered from the read-ahead listing when one is current and holds them all.
    pub async fn refresh_route_tables(&self, ids: &[String]) -> Result<Vec<RouteTable>, AwsError> {
        if let Some(listing) = self.listing(false).await {
            let tables = {
                let mut slot = listing.route_tables.lock().unwrap_or_else(|e| e.into_inner());
                slot.get_or_insert_with(|| {
                    let mut wanted: Vec<String> = listing.endpoints.values().flat_map(|e| e.route_table_ids().iter().cloned()).collect();
                    wanted.sort();
                    wanted.dedup();
                    let client = self.client().clone();
                    async move {
                        match list_route_tables(client, wanted).await {
                            Ok(found) => Some(Arc::new(found)),
                            Err(e) => {
                                crate::debug!(format!("read-ahead: cannot list the route tables ({e}); reading by id"));
                                None
                            }
                        }
                    }
                    .boxed()
                    .shared()
                })
                .clone()
            };
            if let Some(tables) = tables.await.filter(|_| self.inner.read_ahead.usable()) {
                let found: Option<Vec<RouteTable>> = ids.iter().map(|id| tables.get(id).cloned()).collect();
                if let Some(found) = found {
                    return Ok(found);
                }
            }
        }
        self.find_route_tables(ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marker_removal_alone_is_not_a_write() {
        let marker =
            "Action=DeleteTags&Version=2016-11-15&ResourceId.1=vpce-1&ResourceId.2=vpce-2&Tag.1.Key=terraform-provider-vpce%3Acreate";
        assert!(is_marker_removal("DeleteTags", marker));
        assert!(!is_marker_removal("CreateTags", marker));
        let more = format!("{marker}&Tag.2.Key=Name");
        assert!(!is_marker_removal("DeleteTags", &more));
        assert!(!is_marker_removal("DeleteTags", "Action=DeleteTags&ResourceId.1=vpce-1&Tag.1.Key=Name"));
    }
}
