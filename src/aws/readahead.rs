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

use super::batch::BATCH_MAX_IDS;
use super::finders::fetch_route_tables;
use super::markers::CREATE_MARKER;
use super::{state_str, AwsError, Ec2, SdkResultExt};

/// Refresh reads a process answers by id before it lists the region's endpoints.
pub const READ_AHEAD_AFTER: usize = 20;
/// Endpoints per page of the listing (EC2's maximum).
pub(crate) const PAGE_SIZE: i32 = 1000;
/// Pages listed at most: endpoints beyond them are looked up by id.
pub(crate) const MAX_PAGES: usize = 5;
/// How long a listing answers reads after it was asked for.
pub(crate) const LISTING_TTL: Duration = Duration::from_secs(20);
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
    /// How long a listing answers ([`LISTING_TTL`]; shorter in tests).
    ttl: Duration,
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
        Self::with(enabled, wrote)
    }

    fn with(enabled: bool, wrote: Arc<AtomicBool>) -> Self {
        ReadAhead { enabled, reads: AtomicUsize::new(0), wrote, current: Mutex::new(None), ttl: LISTING_TTL }
    }

    fn usable(&self) -> bool {
        self.enabled && !self.wrote.load(Ordering::SeqCst)
    }

    /// The listing that answers reads now: the current one while fresh, else (with `start`, once
    /// the process has seen enough refresh reads) a new one made by `list`. `None`: answer by id.
    async fn listing<F>(&self, start: bool, list: F) -> Option<Arc<Listing>>
    where
        F: FnOnce() -> BoxFuture<'static, Result<Listing, AwsError>>,
    {
        if !self.usable() {
            return None;
        }
        let reads = if start { self.reads.fetch_add(1, Ordering::Relaxed) + 1 } else { 0 };
        let shared = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            match &*current {
                Some((at, listing)) if at.elapsed() < self.ttl => listing.clone(),
                _ if start && reads > READ_AHEAD_AFTER => {
                    let listed = list();
                    let listing: SharedListing = async move {
                        match listed.await {
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
        listing.filter(|_| self.usable())
    }
}

impl Listing {
    fn new(endpoints: HashMap<String, VpcEndpoint>) -> Self {
        Listing { endpoints, route_tables: Mutex::new(None) }
    }

    /// The route tables the listed gateway endpoints name, listed by `list` on the first call.
    /// `None` when that listing failed.
    async fn route_tables<F>(&self, list: F) -> Option<Arc<HashMap<String, RouteTable>>>
    where
        F: FnOnce(Vec<String>) -> BoxFuture<'static, Result<HashMap<String, RouteTable>, AwsError>>,
    {
        let tables = {
            let mut slot = self.route_tables.lock().unwrap_or_else(|e| e.into_inner());
            slot.get_or_insert_with(|| {
                let mut wanted: Vec<String> = self.endpoints.values().flat_map(|e| e.route_table_ids().iter().cloned()).collect();
                wanted.sort();
                wanted.dedup();
                let listed = list(wanted);
                async move {
                    match listed.await {
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
        tables.await
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
    Ok(Listing::new(endpoints))
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
    /// The listing that answers reads now (see [`ReadAhead::listing`]).
    async fn listing(&self, start: bool) -> Option<Arc<Listing>> {
        let client = self.client().clone();
        self.inner.read_ahead.listing(start, move || list_endpoints(client).boxed()).await
    }

    /// For a refresh (Terraform's ReadResource): the endpoint, or `None` when it does not exist
    /// or is `deleted`, like [`Ec2::find_vpc_endpoint`], answered from the read-ahead listing when
    /// it lists the endpoint (see the module's documentation).
    pub(crate) async fn refresh_vpc_endpoint(&self, id: &str) -> Result<Option<VpcEndpoint>, AwsError> {
        if let Some(ep) = self.listing(true).await.and_then(|l| l.endpoints.get(id).cloned()) {
            return Ok(Some(ep).filter(|e| state_str(e) != "deleted"));
        }
        self.find_vpc_endpoint(id).await
    }

    /// For a refresh: the route tables among `ids` that exist, like [`Ec2::find_route_tables`],
    /// answered from the read-ahead listing when one is current and holds them all.
    pub(crate) async fn refresh_route_tables(&self, ids: &[String]) -> Result<Vec<RouteTable>, AwsError> {
        if let Some(listing) = self.listing(false).await {
            let client = self.client().clone();
            let tables = listing.route_tables(move |wanted| list_route_tables(client, wanted).boxed()).await;
            if let Some(tables) = tables.filter(|_| self.inner.read_ahead.usable()) {
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

    fn endpoint(id: &str, tables: &[&str]) -> VpcEndpoint {
        let mut b = VpcEndpoint::builder().vpc_endpoint_id(id);
        for t in tables {
            b = b.route_table_ids(*t);
        }
        b.build()
    }

    /// A listing of `ids`, counting the calls in `calls`.
    fn lister(calls: &Arc<AtomicUsize>, ids: &[&str]) -> impl FnOnce() -> BoxFuture<'static, Result<Listing, AwsError>> {
        let calls = calls.clone();
        let endpoints: HashMap<String, VpcEndpoint> = ids.iter().map(|id| (id.to_string(), endpoint(id, &[]))).collect();
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok(Listing::new(endpoints)) }.boxed()
        }
    }

    fn failing(calls: &Arc<AtomicUsize>) -> impl FnOnce() -> BoxFuture<'static, Result<Listing, AwsError>> {
        let calls = calls.clone();
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Err(AwsError::new("DescribeVpcEndpoints", Some("Throttling"), "slow down")) }.boxed()
        }
    }

    /// Reads until the listing starts: the first READ_AHEAD_AFTER reads answer by id.
    async fn warm_up(ra: &ReadAhead, calls: &Arc<AtomicUsize>) {
        for _ in 0..READ_AHEAD_AFTER {
            assert!(ra.listing(true, lister(calls, &["vpce-1"])).await.is_none());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 0, "no listing before {READ_AHEAD_AFTER} reads");
    }

    #[tokio::test]
    async fn lists_once_after_enough_reads_and_shares_the_listing() {
        let ra = ReadAhead::with(true, Arc::default());
        let calls = Arc::new(AtomicUsize::new(0));
        warm_up(&ra, &calls).await;
        let first = ra.listing(true, lister(&calls, &["vpce-1", "vpce-2"])).await.expect("a listing");
        assert!(first.endpoints.contains_key("vpce-2"));
        // The reads that follow share it, and so do route table reads (which never start one).
        for _ in 0..5 {
            let again = ra.listing(true, lister(&calls, &["vpce-other"])).await.expect("the same listing");
            assert!(Arc::ptr_eq(&first, &again));
        }
        assert!(ra.listing(false, lister(&calls, &["vpce-other"])).await.is_some_and(|l| Arc::ptr_eq(&first, &l)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn route_table_reads_never_start_a_listing() {
        let ra = ReadAhead::with(true, Arc::default());
        let calls = Arc::new(AtomicUsize::new(0));
        for _ in 0..READ_AHEAD_AFTER * 2 {
            assert!(ra.listing(false, lister(&calls, &["vpce-1"])).await.is_none());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_listing_answers_for_its_ttl_then_a_new_one_is_taken() {
        let ra = ReadAhead { ttl: Duration::from_millis(300), ..ReadAhead::with(true, Arc::default()) };
        let calls = Arc::new(AtomicUsize::new(0));
        warm_up(&ra, &calls).await;
        let first = ra.listing(true, lister(&calls, &["vpce-1"])).await.expect("a listing");
        assert!(ra.listing(true, lister(&calls, &["vpce-2"])).await.is_some_and(|l| Arc::ptr_eq(&first, &l)));
        tokio::time::sleep(Duration::from_millis(350)).await;
        // Stale: route table reads get nothing, the next refresh read lists again.
        assert!(ra.listing(false, lister(&calls, &["vpce-2"])).await.is_none());
        let second = ra.listing(true, lister(&calls, &["vpce-2"])).await.expect("a new listing");
        assert!(second.endpoints.contains_key("vpce-2") && !second.endpoints.contains_key("vpce-1"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn nothing_answers_once_the_process_wrote() {
        let wrote = Arc::new(AtomicBool::new(false));
        let ra = ReadAhead::with(true, wrote.clone());
        let calls = Arc::new(AtomicUsize::new(0));
        warm_up(&ra, &calls).await;
        assert!(ra.listing(true, lister(&calls, &["vpce-1"])).await.is_some());
        wrote.store(true, Ordering::SeqCst);
        assert!(ra.listing(true, lister(&calls, &["vpce-1"])).await.is_none());
        assert!(ra.listing(false, lister(&calls, &["vpce-1"])).await.is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_write_during_the_listing_makes_it_unusable() {
        let wrote = Arc::new(AtomicBool::new(false));
        let ra = ReadAhead::with(true, wrote.clone());
        let calls = Arc::new(AtomicUsize::new(0));
        warm_up(&ra, &calls).await;
        let w = wrote.clone();
        let list = move || {
            async move {
                w.store(true, Ordering::SeqCst);
                Ok(Listing::new(HashMap::from([("vpce-1".to_string(), endpoint("vpce-1", &[]))])))
            }
            .boxed()
        };
        assert!(ra.listing(true, list).await.is_none());
    }

    #[tokio::test]
    async fn a_failed_listing_answers_nothing_and_is_not_retried_while_current() {
        let ra = ReadAhead::with(true, Arc::default());
        let calls = Arc::new(AtomicUsize::new(0));
        warm_up(&ra, &calls).await;
        assert!(ra.listing(true, failing(&calls)).await.is_none());
        assert!(ra.listing(true, lister(&calls, &["vpce-1"])).await.is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn off_means_never() {
        let ra = ReadAhead::with(false, Arc::default());
        let calls = Arc::new(AtomicUsize::new(0));
        for _ in 0..READ_AHEAD_AFTER * 2 {
            assert!(ra.listing(true, lister(&calls, &["vpce-1"])).await.is_none());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn route_tables_are_listed_once_by_the_ids_the_gateways_name() {
        let listing = Listing::new(HashMap::from([
            ("vpce-1".to_string(), endpoint("vpce-1", &["rtb-b", "rtb-a"])),
            ("vpce-2".to_string(), endpoint("vpce-2", &["rtb-a"])),
            ("vpce-3".to_string(), endpoint("vpce-3", &[])),
        ]));
        let asked = Arc::new(Mutex::new(Vec::new()));
        for _ in 0..3 {
            let asked = asked.clone();
            let tables = listing
                .route_tables(move |wanted| {
                    asked.lock().unwrap().push(wanted.clone());
                    let found = wanted.iter().map(|id| (id.clone(), RouteTable::builder().route_table_id(id).build())).collect();
                    async move { Ok(found) }.boxed()
                })
                .await
                .expect("tables");
            assert_eq!(tables.len(), 2);
        }
        assert_eq!(*asked.lock().unwrap(), [vec!["rtb-a".to_string(), "rtb-b".to_string()]]);
    }
}
