//! Client-side pacing of EC2 requests: one token bucket per EC2 action, shared by every resource
//! of the process, so that the provider sends no faster than EC2 refills its own buckets instead
//! of storming, being throttled (`RequestLimitExceeded`) and backing off.
//!
//! The buckets are EC2's, from "Request throttling for the Amazon EC2 API"
//! (<https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html>, tables "Request
//! token bucket sizes and refill rates" and "Uncategorized actions"): EC2 keeps one bucket per
//! action, per account and region, with
//! - `CreateVpcEndpoint`, `ModifyVpcEndpoint`, `DeleteVpcEndpoints`: 4 tokens, refilled at 0.3/s;
//! - `CreateTags`, `DeleteTags`: 100 tokens, 10/s;
//! - `AcceptVpcEndpointConnections`, `RejectVpcEndpointConnections`: 10 tokens, 1/s;
//! - other mutating actions: 50 tokens, 5/s;
//! - non-mutating actions (`Describe*`, `Get*`, `List*`, `Search*`): 100 tokens, 20/s;
//! - unfiltered and unpaginated `DescribeSecurityGroups` (and the few others of that list): 50, 10/s.
//!
//! scripts/ec2proxy.py's realistic mode writes the same table (from the same document) for the
//! tests; `tests::the_proxy_throttles_with_the_same_table` checks that the two agree.
//!
//! What one process cannot see: EC2's buckets are shared by everything that calls EC2 in the
//! account and region (other Terraform runs, the console, other tools), and Terraform itself
//! starts several provider processes per command (one per graph walk, one after the other; the
//! writes of an apply are all made by one of them). A process starts with full buckets, as EC2's
//! are when nobody else has been calling, refills at 95 % of EC2's rates, and adapts: a
//! `RequestLimitExceeded` answer empties the action's bucket and cuts its refill rate by a quarter
//! (down to a quarter of EC2's); each answer that is not throttled raises it again by a tenth of
//! EC2's rate, up to the 95 %. So a process that shares
//! the account with others settles below the full rate after a few throttled requests instead of
//! being throttled on most of them, and the SDK's retries (with backoff) pass through the same
//! buckets.
//!
//! When the user knows that K runs share the account (K workspaces applied at once from one
//! machine or CI), `VPCE_EC2_SHARE=1/K` (or its decimal) gives each process that share of every
//! bucket: its capacity and its refill rate. K processes then start with one bucket's worth of
//! tokens between them, not K (the burst that throttles K - 1 bucketfuls of requests when all
//! start together), and refill together at EC2's rate. See docs/guides/scale.md.
//!
//! Processes on one machine need no such promise: by default their buckets are one, kept in a
//! file per action that each process reads and writes under a file lock ([`Ledger`],
//! `VPCE_EC2_PACING_DIR`), so K runs started together from one machine (and the several provider
//! processes of one Terraform command) draw on one bucketful and one refill between them. The
//! adaptive rate stays each process's own; a throttled answer empties the shared bucket.
//!
//! The pacing happens in the HTTP connector (it sees every attempt, retries included),
//! before the attempt's own timeout starts, so time spent waiting for a token never counts as a
//! timed-out attempt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ec2::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use tokio::time::Instant;

use super::ledger::{Count, Ledger};
use super::names::is_read_only;

/// The share of EC2's refill rates the provider uses: sending exactly at EC2's rate, a request
/// that arrives a moment before EC2 refilled its token is throttled.
pub(crate) const HEADROOM: f64 = 0.95;

/// The actions whose unfiltered, unpaginated requests EC2 charges to the smaller bucket.
const UNFILTERED_ACTIONS: &[&str] = &[
    "DescribeInstances",
    "DescribeInstanceStatus",
    "DescribeNetworkInterfaces",
    "DescribeSecurityGroups",
    "DescribeSnapshots",
    "DescribeSpotInstanceRequests",
    "DescribeVolumes",
];

/// EC2's bucket for `action`: (maximum capacity, refill rate per second). `unfiltered` is a
/// request with neither a filter nor pagination.
pub(crate) fn ec2_bucket(action: &str, unfiltered: bool) -> (f64, f64) {
    match action {
        "CreateVpcEndpoint" | "ModifyVpcEndpoint" | "DeleteVpcEndpoints" => (4.0, 0.3),
        "CreateTags" | "DeleteTags" => (100.0, 10.0),
        "AcceptVpcEndpointConnections" | "RejectVpcEndpointConnections" => (10.0, 1.0),
        a if unfiltered && UNFILTERED_ACTIONS.contains(&a) => (50.0, 10.0),
        a if is_read_only(a) || a.starts_with("Search") => (100.0, 20.0),
        _ => (50.0, 5.0),
    }
}

/// The bucket key of a request: the action, with `#unfiltered` for the smaller bucket.
fn bucket_key(body: &[u8]) -> Option<(String, bool)> {
    let text = std::str::from_utf8(body).ok()?;
    let action = text.split('&').find_map(|p| p.strip_prefix("Action="))?.to_owned();
    let paged_or_filtered =
        text.split('&').any(|p| p.starts_with("Filter.") || p.starts_with("MaxResults=") || p.starts_with("NextToken="));
    Some((action, !paged_or_filtered))
}

struct Bucket {
    capacity: f64,
    max_rate: f64,
    /// The least rate a throttled answer brings it down to.
    min_rate: f64,
    /// A share of the account was given (`VPCE_EC2_SHARE`): see [`Bucket::new`].
    shared: bool,
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// EC2's bucket (`capacity`, `rate`) with the refill rate x `scale` (x [`HEADROOM`]), and
    /// `share` of both (the process's share of the account: 1 alone). A capacity below one token
    /// still works: every request then waits for its token, after a head start of `capacity`.
    ///
    /// With a share (below 1), K processes started together would send in step: the same start,
    /// the same rate, so their requests arrive at EC2 together every 1/rate and the bucket
    /// throttles all but its capacity each time. Such a bucket therefore starts with a random
    /// part of its capacity (the processes' phases spread out), a throttled answer shifts it by a
    /// random part of a token, and it cuts its rate to three quarters of its share at most: the
    /// share is what the user promised the others leave, so a throttled answer there means
    /// requests that collided, not a busier account, and a process cut further would wait far
    /// longer than its share for the requests it has queued.
    fn new((capacity, rate): (f64, f64), scale: f64, share: f64) -> Self {
        let rate = rate * scale * HEADROOM * share;
        let capacity = capacity * share;
        let shared = share < 1.0;
        let (tokens, min_rate) = match shared {
            true => (capacity * jitter(), rate * 0.75),
            false => (capacity, rate / 4.0),
        };
        Bucket { capacity, max_rate: rate, min_rate, shared, rate, tokens, at: Instant::now() }
    }

    fn refill(&mut self, now: Instant) {
        self.tokens = (self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * self.rate).min(self.capacity);
        self.at = now;
    }

    /// Takes a token: how long the caller must wait before sending (zero when one was there).
    /// The token is taken at once (the bucket may go negative): later callers queue behind.
    fn take(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        wait_for(self.tokens, self.rate)
    }

    /// How long a request sent now would wait for its token, taking none.
    fn until_token(&mut self, now: Instant) -> Duration {
        self.refill(now);
        wait_for(self.tokens - 1.0, self.rate)
    }

    /// The tokens of the machine's shared count of this bucket (`None`: unused yet, full), at
    /// this process's capacity and rate.
    fn shared_tokens(&self, count: Option<Count>, now: f64) -> f64 {
        count.map_or(self.capacity, |c| c.refilled(now, self.capacity, self.rate))
    }

    /// As [`Bucket::take`], on the machine's shared count of this bucket.
    fn take_shared(&self, count: &mut Option<Count>, now: f64) -> Duration {
        let tokens = self.shared_tokens(*count, now) - 1.0;
        *count = Some(Count { tokens, at: now });
        wait_for(tokens, self.rate)
    }

    /// As [`Bucket::until_token`], on the machine's shared count of this bucket.
    fn until_token_shared(&self, count: Option<Count>, now: f64) -> Duration {
        wait_for(self.shared_tokens(count, now) - 1.0, self.rate)
    }

    fn throttled(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(0.0);
        if self.shared {
            self.tokens -= jitter() / 2.0;
        }
        self.rate = (self.rate * 0.75).max(self.min_rate);
    }

    fn answered(&mut self, now: Instant) {
        if self.rate < self.max_rate {
            self.refill(now);
            self.rate = (self.rate + self.max_rate / 10.0).min(self.max_rate);
        }
    }
}

/// How long a request waits when the bucket is left with `tokens` (negative: reserved ahead).
fn wait_for(tokens: f64, rate: f64) -> Duration {
    match tokens >= 0.0 {
        true => Duration::ZERO,
        false => Duration::from_secs_f64(-tokens / rate),
    }
}

/// A number in [0, 1), different in each process and call (no need for a good generator: it only
/// spreads the phases of processes started together).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Counters of what the pacer did (for logs and tests).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct PaceStats {
    /// Requests that waited for a token.
    pub(crate) waited: u64,
    /// Their total wait.
    pub(crate) wait: Duration,
    /// Throttled answers seen.
    pub(crate) throttled: u64,
}

/// The per-action token buckets of one process.
pub(crate) struct Pacer {
    buckets: Mutex<HashMap<String, Bucket>>,
    /// 1.0 = EC2's rates; 0 disables pacing.
    scale: f64,
    /// The process's share of the account's buckets (capacity and rate): 1.0 = all of them.
    share: f64,
    stats: Mutex<PaceStats>,
    halted: Arc<AtomicBool>,
    /// The buckets shared with the machine's other provider processes (`None`: this process's own).
    ledger: Option<Ledger>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer").field("scale", &self.scale).finish_non_exhaustive()
    }
}

impl Pacer {
    /// `scale` multiplies EC2's refill rates (1.0: EC2's; 0: no pacing). `halted`: the provider
    /// is stopping; a write that waited for its token is then not sent.
    #[cfg(test)]
    pub(crate) fn new(scale: f64, halted: Arc<AtomicBool>) -> Arc<Pacer> {
        Self::shared(scale, 1.0, halted, None)
    }

    /// As [`Pacer::new`], with `share` (in (0, 1]; anything else counts as 1) of every bucket's
    /// capacity and rate: the process is one of several that share the account. With a `ledger`
    /// the buckets' counts are the machine's (shared with the other processes using that ledger),
    /// and the share is then that of all of them together.
    pub(crate) fn shared(scale: f64, share: f64, halted: Arc<AtomicBool>, ledger: Option<Ledger>) -> Arc<Pacer> {
        let share = if share > 0.0 && share <= 1.0 { share } else { 1.0 };
        Arc::new(Pacer { buckets: Mutex::default(), scale, share, stats: Mutex::default(), halted, ledger })
    }

    pub(crate) fn enabled(&self) -> bool {
        self.scale > 0.0
    }

    /// The bucket key of `action`.
    fn key(action: &str, unfiltered: bool) -> String {
        match unfiltered && ec2_bucket(action, true) != ec2_bucket(action, false) {
            true => format!("{action}#unfiltered"),
            false => action.to_owned(),
        }
    }

    /// How long a request to bucket `key` must wait; takes its token.
    fn reserve(&self, key: &str, action: &str, unfiltered: bool) -> Duration {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key.to_owned()).or_insert_with(|| self.new_bucket(action, unfiltered));
        if let Some(wait) = self.ledger.as_ref().and_then(|l| l.with(key, |count, now| bucket.take_shared(count, now))) {
            return wait;
        }
        bucket.take(Instant::now())
    }

    fn new_bucket(&self, action: &str, unfiltered: bool) -> Bucket {
        let mut bucket = Bucket::new(ec2_bucket(action, unfiltered), self.scale, self.share);
        if self.ledger.is_some() {
            // One bucket for the machine: the processes do not send in step, no jitter needed.
            (bucket.shared, bucket.min_rate, bucket.tokens) = (false, bucket.max_rate / 4.0, bucket.capacity);
        }
        bucket
    }

    /// Gives back a token taken by a request that was not sent.
    fn refund(&self, key: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            let (capacity, rate) = (bucket.capacity, bucket.rate);
            let shared = self.ledger.as_ref().and_then(|l| {
                l.with(key, |count, now| {
                    if let Some(c) = count {
                        *c = Count { tokens: (c.refilled(now, capacity, rate) + 1.0).min(capacity), at: now };
                    }
                })
            });
            if shared.is_none() {
                bucket.tokens = (bucket.tokens + 1.0).min(bucket.capacity);
            }
        }
    }

    /// How long until `action`'s bucket holds a token for one more request (zero: now, and
    /// always without pacing), taking none: a batch of writes collects until then
    /// ([`super::batch::Batcher::gated`]). Another process of the machine may take that token
    /// first; the request then waits in [`Pacer::acquire`] as any other.
    pub(crate) fn until_token(&self, action: &str) -> Duration {
        if !self.enabled() {
            return Duration::ZERO;
        }
        let key = Self::key(action, false);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key.clone()).or_insert_with(|| self.new_bucket(action, false));
        if let Some(wait) = self.ledger.as_ref().and_then(|l| l.with(&key, |count, now| bucket.until_token_shared(*count, now))) {
            return wait;
        }
        bucket.until_token(Instant::now())
    }

    /// Waits for a token of `action`. A wait abandoned (the request dropped: its operation was
    /// cancelled or timed out) gives the token back, so that the requests behind it do not wait
    /// for a request that is never sent.
    pub(crate) async fn acquire(&self, action: &str, unfiltered: bool) {
        if !self.enabled() {
            return;
        }
        let key = Self::key(action, unfiltered);
        let wait = self.reserve(&key, action, unfiltered);
        if !wait.is_zero() {
            {
                let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
                s.waited += 1;
                s.wait += wait;
            }
            let mut unsent = Unsent { pacer: self, key: Some(key) };
            tokio::time::sleep(wait).await;
            unsent.key = None;
        }
    }

    /// Feedback from an answer of `action`: throttled or not.
    pub(crate) fn answered(&self, action: &str, throttled: bool) {
        if !self.enabled() {
            return;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        for (key, bucket) in buckets.iter_mut().filter(|(k, _)| k.split('#').next() == Some(action)) {
            match throttled {
                true => bucket.throttled(now),
                false => bucket.answered(now),
            }
            if let (true, Some(ledger)) = (throttled, &self.ledger) {
                // Someone drew the account's tokens: the machine's bucket is empty too.
                let (capacity, rate) = (bucket.capacity, bucket.rate);
                ledger.with(key, |count, now| {
                    let tokens = count.map_or(0.0, |c| c.refilled(now, capacity, rate).min(0.0));
                    *count = Some(Count { tokens, at: now });
                });
            }
        }
        if throttled {
            self.stats.lock().unwrap_or_else(|e| e.into_inner()).throttled += 1;
        }
    }

    #[cfg(test)]
    fn stats(&self) -> PaceStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current refill rate of `action`'s bucket (EC2's until throttled).
    #[cfg(test)]
    fn rate(&self, action: &str) -> Option<f64> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).get(action).map(|b| b.rate)
    }
}

/// Refunds its token when dropped with a key (the request it was taken for was not sent).
struct Unsent<'a> {
    pacer: &'a Pacer,
    key: Option<String>,
}

impl Drop for Unsent<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.pacer.refund(&key);
        }
    }
}

/// An [`HttpClient`] whose connectors wait for the request's token before sending, then apply
/// the attempt timeout to the exchange itself.
#[derive(Debug)]
struct PacedClient {
    inner: SharedHttpClient,
    pacer: Arc<Pacer>,
    attempt_timeout: Duration,
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Arc<Pacer>,
    attempt_timeout: Duration,
}

impl HttpClient for PacedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
            attempt_timeout: self.attempt_timeout,
        })
    }
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let key = request.body().bytes().and_then(bucket_key);
        let (inner, pacer, limit) = (self.inner.clone(), self.pacer.clone(), self.attempt_timeout);
        HttpConnectorFuture::new(async move {
            if let Some((action, unfiltered)) = &key {
                pacer.acquire(action, *unfiltered).await;
                if pacer.halted.load(Ordering::SeqCst) && !is_read_only(action) {
                    return Err(ConnectorError::user(
                        format!("not sent: the provider is stopping (Terraform exited), so it sends no more EC2 writes ({action})").into(),
                    ));
                }
            }
            match tokio::time::timeout(limit, inner.call(request)).await {
                Ok(result) => result,
                Err(_) => Err(ConnectorError::timeout(format!("no answer within {limit:?}").into())),
            }
        })
    }
}

/// The EC2 client's HTTP client: `inner`, paced by `pacer`, each attempt limited to `attempt_timeout`.
pub(crate) fn paced_http_client(inner: SharedHttpClient, pacer: Arc<Pacer>, attempt_timeout: Duration) -> SharedHttpClient {
    SharedHttpClient::new(PacedClient { inner, pacer, attempt_timeout })
}

/// Tells the pacer of every answer: throttled or not.
#[derive(Debug)]
pub(super) struct PaceFeedback(pub(super) Arc<Pacer>);

impl Intercept for PaceFeedback {
    fn name(&self) -> &'static str {
        "PaceFeedback"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(response) = context.response() else { return Ok(()) };
        let operation = cfg.load::<Metadata>().map(|m| m.name().to_owned()).unwrap_or_default();
        let throttled = response.status().as_u16() >= 400
            && response.body().bytes().and_then(super::observe::error_code).is_some_and(|c| super::error::is_throttling_code(&c));
        self.0.answered(&operation, throttled);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ec2s() {
        assert_eq!(ec2_bucket("CreateVpcEndpoint", false), (4.0, 0.3));
        assert_eq!(ec2_bucket("DeleteVpcEndpoints", true), (4.0, 0.3));
        assert_eq!(ec2_bucket("CreateTags", false), (100.0, 10.0));
        assert_eq!(ec2_bucket("DescribeVpcEndpoints", true), (100.0, 20.0));
        assert_eq!(ec2_bucket("DescribeSecurityGroups", true), (50.0, 10.0));
        assert_eq!(ec2_bucket("DescribeSecurityGroups", false), (100.0, 20.0));
        assert_eq!(ec2_bucket("AuthorizeSecurityGroupIngress", false), (50.0, 5.0));
        assert_eq!(
            bucket_key(b"Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1"),
            Some(("DescribeSecurityGroups".into(), true))
        );
        assert_eq!(bucket_key(b"Action=DescribeSecurityGroups&Filter.1.Name=vpc-id"), Some(("DescribeSecurityGroups".into(), false)));
        assert_eq!(bucket_key(b"Version=1"), None);
    }

    #[tokio::test]
    async fn a_bucket_paces_after_its_burst() {
        // EC2's rates x 100: CreateVpcEndpoint refills 30 tokens a second.
        let pacer = Pacer::new(100.0, Arc::default());
        let start = Instant::now();
        // 4 at once, then one every 1/30 s.
        for _ in 0..7 {
            pacer.acquire("CreateVpcEndpoint", false).await;
        }
        let took = start.elapsed().as_secs_f64();
        assert!((0.095..0.3).contains(&took), "3 paced requests at 30/s: {took}");
        assert_eq!(pacer.stats().waited, 3);
        // Another action has its own bucket.
        let start = Instant::now();
        for _ in 0..100 {
            pacer.acquire("DescribeVpcEndpoints", false).await;
        }
        assert!(start.elapsed() < Duration::from_millis(20));
    }

    #[tokio::test]
    async fn a_share_of_the_account_takes_that_share_of_capacity_and_rate() {
        // EC2's rates x 100 (CreateVpcEndpoint: 4 tokens, 30 a second), a quarter of the account:
        // a bucket of 1 token, starting with a random part of it, then one every 4/30 s.
        let pacer = Pacer::shared(100.0, 0.25, Arc::default(), None);
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire("CreateVpcEndpoint", false).await;
        }
        let took = start.elapsed().as_secs_f64();
        let step = 1.0 / (30.0 * HEADROOM * 0.25);
        assert!((1.9 * step..3.0 * step + 0.15).contains(&took), "3 requests at a quarter of 30/s, from a part of a token: {took}");
        let share = 30.0 * HEADROOM * 0.25;
        assert_eq!(pacer.rate("CreateVpcEndpoint"), Some(share));
        // Throttled answers cut a shared bucket to three quarters of its share, no further.
        for _ in 0..10 {
            pacer.answered("CreateVpcEndpoint", true);
        }
        assert_eq!(pacer.rate("CreateVpcEndpoint"), Some(share * 0.75));
        // A share out of (0, 1] is the whole account.
        let all = Pacer::shared(100.0, 4.0, Arc::default(), None);
        all.acquire("CreateVpcEndpoint", false).await;
        assert_eq!(all.rate("CreateVpcEndpoint"), Some(30.0 * HEADROOM));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn processes_sharing_a_ledger_draw_on_one_bucket() {
        // Two pacers (as two processes of one machine) at EC2's rates x 100: CreateVpcEndpoint
        // holds 4 tokens for both, then one every 1/28.5 s between them.
        let dir = std::env::temp_dir().join(format!("vpce-pace-ledger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ledger = || Ledger::open(dir.clone(), "http://127.0.0.1:9 us-east-1");
        let (a, b) = (Pacer::shared(100.0, 1.0, Arc::default(), ledger()), Pacer::shared(100.0, 1.0, Arc::default(), ledger()));
        let step = 1.0 / (30.0 * HEADROOM);
        let start = Instant::now();
        for _ in 0..4 {
            a.acquire("CreateVpcEndpoint", false).await;
        }
        assert!(start.elapsed().as_secs_f64() < step, "the first bucketful at once");
        for _ in 0..4 {
            b.acquire("CreateVpcEndpoint", false).await;
        }
        let took = start.elapsed().as_secs_f64();
        assert!((3.5 * step..4.0 * step + 0.15).contains(&took), "b waits for the refill a left: {took}");
        assert_eq!(b.stats().waited, 4);
        // A throttled answer seen by one empties the machine's bucket for both.
        tokio::time::sleep(Duration::from_secs_f64(5.0 * step)).await;
        b.answered("CreateVpcEndpoint", true);
        let start = Instant::now();
        a.acquire("CreateVpcEndpoint", false).await;
        assert!(start.elapsed().as_secs_f64() >= 0.9 * step, "a waits after b's throttled answer");
        // Without a ledger the two are apart: each has its own bucketful.
        let (c, d) = (Pacer::new(100.0, Arc::default()), Pacer::new(100.0, Arc::default()));
        let start = Instant::now();
        for _ in 0..4 {
            c.acquire("CreateVpcEndpoint", false).await;
            d.acquire("CreateVpcEndpoint", false).await;
        }
        assert!(start.elapsed().as_secs_f64() < step);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn jitter_is_in_the_unit_interval_and_varies() {
        let draws: Vec<f64> = (0..50).map(|_| jitter()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)), "{draws:?}");
        assert!(draws.windows(2).any(|w| w[0] != w[1]), "{draws:?}");
    }

    #[test]
    fn the_share_reads_fractions_and_one_over_k() {
        use crate::aws::client::parse_share;
        assert_eq!(parse_share("0.25"), Some(0.25));
        assert_eq!(parse_share("1/8"), Some(0.125));
        assert_eq!(parse_share(" 1 / 4 "), Some(0.25));
        assert_eq!(parse_share("1"), Some(1.0));
        for bad in ["0", "4", "-1", "x", "1/0", "", "nan"] {
            assert_eq!(parse_share(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn throttling_cuts_the_rate_and_answers_restore_it() {
        let pacer = Pacer::new(10.0, Arc::default());
        let full = 100.0 * HEADROOM;
        pacer.acquire("CreateTags", false).await;
        assert_eq!(pacer.rate("CreateTags"), Some(full));
        pacer.answered("CreateTags", true);
        assert_eq!(pacer.rate("CreateTags"), Some(full * 0.75));
        for _ in 0..9 {
            pacer.answered("CreateTags", true);
        }
        assert_eq!(pacer.rate("CreateTags"), Some(full / 4.0), "never below a quarter of the full rate");
        // The bucket is empty: the next request waits one token at a quarter of the rate.
        let start = Instant::now();
        pacer.acquire("CreateTags", false).await;
        let took = start.elapsed().as_secs_f64();
        assert!((0.9 * 4.0 / full..0.3).contains(&took), "{took}");
        for _ in 0..8 {
            pacer.answered("CreateTags", false);
        }
        assert_eq!(pacer.rate("CreateTags"), Some(full));
        assert_eq!(pacer.stats().throttled, 10);
    }

    #[tokio::test]
    async fn an_abandoned_wait_gives_its_token_back() {
        // EC2's rates x 10: DeleteVpcEndpoints refills 3 tokens a second.
        let pacer = Pacer::new(10.0, Arc::default());
        for _ in 0..4 {
            pacer.acquire("DeleteVpcEndpoints", false).await;
        }
        // Five requests queue (1/3 s apart); the last two give up before their turn.
        let waiting: Vec<_> = (0..5)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move { pacer.acquire("DeleteVpcEndpoints", false).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        waiting[3].abort();
        waiting[4].abort();
        for w in waiting.into_iter().take(3) {
            w.await.unwrap();
        }
        // Their two tokens are back: the next two wait 1/3 s and 2/3 s, not 1 s and 4/3 s.
        let start = Instant::now();
        pacer.acquire("DeleteVpcEndpoints", false).await;
        pacer.acquire("DeleteVpcEndpoints", false).await;
        let took = start.elapsed().as_secs_f64();
        assert!((0.5..0.95).contains(&took), "{took}");
    }

    #[tokio::test]
    async fn until_token_tells_the_wait_and_takes_nothing() {
        // DeleteVpcEndpoints at EC2's rates: 4 tokens, then one every 1 / (0.3 x HEADROOM) s.
        let pacer = Pacer::new(1.0, Arc::default());
        assert_eq!(pacer.until_token("DeleteVpcEndpoints"), Duration::ZERO, "a full bucket");
        for _ in 0..3 {
            pacer.acquire("DeleteVpcEndpoints", false).await;
        }
        assert_eq!(pacer.until_token("DeleteVpcEndpoints"), Duration::ZERO, "one token left");
        pacer.acquire("DeleteVpcEndpoints", false).await;
        let step = 1.0 / (0.3 * HEADROOM);
        for _ in 0..3 {
            let wait = pacer.until_token("DeleteVpcEndpoints").as_secs_f64();
            assert!((step - 0.1..=step).contains(&wait), "empty: the next token in {wait} s, not {step}");
        }
        assert_eq!(pacer.stats().waited, 0, "asking took no token");
        // Another action's bucket is its own; without pacing nothing ever waits.
        assert_eq!(pacer.until_token("CreateVpcEndpoint"), Duration::ZERO);
        assert_eq!(Pacer::new(0.0, Arc::default()).until_token("DeleteVpcEndpoints"), Duration::ZERO);
    }

    #[tokio::test]
    async fn scale_zero_disables_pacing() {
        let pacer = Pacer::new(0.0, Arc::default());
        let start = Instant::now();
        for _ in 0..50 {
            pacer.acquire("CreateVpcEndpoint", false).await;
        }
        assert!(start.elapsed() < Duration::from_millis(20));
    }

    /// scripts/ec2proxy.py (the tests' EC2) and the provider each write EC2's throttling table;
    /// both must agree with the document, and so with each other, or a wrong number would pass.
    #[test]
    fn the_proxy_throttles_with_the_same_table() {
        let proxy = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ec2proxy.py")).unwrap();
        // `NAME = (capacity, rate)` and `"Action": (capacity, rate),` lines.
        let pair = |text: &str| -> (f64, f64) {
            let inner = text.trim().trim_start_matches('(').split(')').next().unwrap();
            let mut n = inner.split(',').map(|x| x.trim().parse::<f64>().unwrap());
            (n.next().unwrap(), n.next().unwrap())
        };
        let constant = |name: &str| {
            let line = proxy.lines().find(|l| l.starts_with(&format!("{name} = ("))).unwrap_or_else(|| panic!("{name} in ec2proxy.py"));
            pair(line.split_once('=').unwrap().1)
        };
        let bucket = |action: &str| {
            let key = format!("\"{action}\":");
            let line = proxy.lines().find(|l| l.trim_start().starts_with(&key)).unwrap_or_else(|| panic!("{action} in ec2proxy.py"));
            pair(line.split_once(':').unwrap().1.trim_end_matches(','))
        };
        for action in [
            "CreateVpcEndpoint",
            "ModifyVpcEndpoint",
            "DeleteVpcEndpoints",
            "CreateTags",
            "DeleteTags",
            "AcceptVpcEndpointConnections",
            "RejectVpcEndpointConnections",
        ] {
            assert_eq!(ec2_bucket(action, false), bucket(action), "{action}");
        }
        assert_eq!(ec2_bucket("DescribeVpcEndpoints", false), constant("THROTTLE_NON_MUTATING"));
        assert_eq!(ec2_bucket("DescribeSecurityGroups", true), constant("THROTTLE_UNFILTERED"));
        assert_eq!(ec2_bucket("DescribeSecurityGroups", false), constant("THROTTLE_NON_MUTATING"));
        assert_eq!(ec2_bucket("ModifyVpcAttribute", false), constant("THROTTLE_MUTATING"));
        // The unfiltered list is the same seven actions.
        let start = proxy.find("UNFILTERED_ACTIONS = {").unwrap();
        let listed = &proxy[start..start + proxy[start..].find('}').unwrap()];
        for action in UNFILTERED_ACTIONS {
            assert!(listed.contains(&format!("\"{action}\"")), "{action} unfiltered in ec2proxy.py");
            assert_eq!(ec2_bucket(action, true), constant("THROTTLE_UNFILTERED"), "{action}");
        }
        assert_eq!(listed.matches('"').count(), 14, "seven unfiltered actions in ec2proxy.py");
    }
}
