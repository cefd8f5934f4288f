//! Building the EC2 client: region, profile, endpoint, retries, and a request counter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_ec2::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_ec2::config::retry::{RetryPartition, TokenBucket};
use aws_sdk_ec2::config::{ConfigBag, Intercept, Region, RuntimeComponents, StalledStreamProtectionConfig};
use aws_sdk_ec2::error::BoxError;
use aws_sdk_ec2::types::{RouteTable, ServiceDetail, VpcEndpoint};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::batch::{Batcher, Memo};
use super::finders::{fetch_endpoints, fetch_route_tables};
use super::ledger::Ledger;
use super::markers::Background;
use super::names::is_read_only;
use super::observe::{CallObserver, Observe};
use super::pace::{paced_http_client, PaceFeedback, Pacer};
use super::AwsError;

/// Default number of attempts per EC2 call (1 try + 25 retries, as the AWS provider), with the
/// SDK's jittered exponential backoff (200 ms up to 20 s).
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 26;
#[derive(Clone, Default)]
pub struct Ec2Config {
    /// Overrides AWS_REGION / AWS_DEFAULT_REGION / the profile's region.
    pub region: Option<String>,
    /// A named profile of the shared config/credentials files (else AWS_PROFILE, else `default`).
    pub profile: Option<String>,
    /// Overrides AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL (which aws-config honours by itself).
    pub ec2_endpoint: Option<String>,
    /// Retries after the first attempt; `None` means `DEFAULT_MAX_ATTEMPTS - 1`.
    pub max_retries: Option<u32>,
    /// Told of every EC2 HTTP attempt (the provider logs them).
    pub observer: Option<CallObserver>,
    /// Client-side pacing (see [`super::pace`]): a multiple of EC2's refill rates, 0 for none.
    /// `None`: [`pacing_scale`] decides.
    pub pacing: Option<f64>,
    /// Where the client starts the writes no caller waits for (creation marker removals), for
    /// the provider to wait on before the process ends.
    pub background: Background,
}

/// Attempts taking longer than this are abandoned (and retried by the SDK).
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The pacing of a client: `VPCE_EC2_PACING` when set (`off`/`0`: none, `on`: EC2's rates, a
/// number: that multiple of EC2's rates, for accounts whose limits were raised); else EC2's rates
/// against AWS, and none against another EC2 endpoint (`endpoints { ec2 }` or
/// `AWS_ENDPOINT_URL_EC2`: emulators and test proxies, which have other limits or none).
pub(crate) fn pacing_scale(custom_endpoint: bool) -> f64 {
    match std::env::var("VPCE_EC2_PACING").ok().as_deref().map(str::trim) {
        Some("off" | "false") => 0.0,
        Some("on" | "true") => 1.0,
        Some(v) if v.parse::<f64>().is_ok_and(|x| x >= 0.0 && x.is_finite()) => v.parse().unwrap_or(1.0),
        _ if custom_endpoint => 0.0,
        _ => 1.0,
    }
}

/// `VPCE_EC2_SHARE`: the share of the account's EC2 buckets this process may use, when the user
/// runs several at once in one account (`1/K` or its decimal, in (0, 1]); 1 when unset or invalid.
pub(crate) fn pacing_share() -> f64 {
    std::env::var("VPCE_EC2_SHARE").ok().as_deref().and_then(parse_share).unwrap_or(1.0)
}

/// `VPCE_EC2_PACING_DIR`: where the provider processes of this machine keep the pacing buckets
/// they share ([`Ledger`]): a directory, or `off` for each process's own buckets. Unset: a
/// directory of the user's in the system's temporary directory, unless `VPCE_EC2_SHARE` is set
/// (the user then coordinates the runs by their shares; with both set, the share is that of all
/// the runs using the directory together).
pub(crate) fn pacing_ledger(scope: &str, share_given: bool) -> Option<Ledger> {
    match std::env::var("VPCE_EC2_PACING_DIR").ok().as_deref().map(str::trim) {
        Some("off" | "false" | "0") => None,
        Some(dir) if !dir.is_empty() => Ledger::open(dir.into(), scope),
        _ if share_given => None,
        _ => {
            let user = ["USER", "USERNAME"].iter().find_map(|k| std::env::var(k).ok().filter(|u| !u.is_empty()));
            let user: String = user.unwrap_or_default().chars().filter(char::is_ascii_alphanumeric).collect();
            let name = match user.is_empty() {
                true => "terraform-provider-vpce-pacing".to_owned(),
                false => format!("terraform-provider-vpce-pacing-{user}"),
            };
            Ledger::open(std::env::temp_dir().join(name), scope)
        }
    }
}

/// The EC2 endpoint a client sends to, for the pacing ledger's scope: the configured one, else
/// the environment's, else AWS's.
fn endpoint_scope(configured: Option<&str>) -> String {
    configured
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .or_else(|| ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty())))
        .unwrap_or_else(|| "aws".into())
}

/// A share in (0, 1] written as a decimal (`0.25`) or a fraction (`1/4`).
pub(crate) fn parse_share(v: &str) -> Option<f64> {
    let x = match v.split_once('/') {
        Some((a, b)) => a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?,
        None => v.trim().parse::<f64>().ok()?,
    };
    (x > 0.0 && x <= 1.0).then_some(x)
}

/// A cheaply cloneable EC2 handle. Clones share the client, the request counter, the lookup
/// batchers and the per-process caches (endpoint services, prefix lists).
#[derive(Clone)]
pub struct Ec2 {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) client: aws_sdk_ec2::Client,
    region: String,
    requests: Arc<AtomicU64>,
    pub(super) endpoints: Batcher<String, VpcEndpoint>,
    pub(super) route_tables: Batcher<String, RouteTable>,
    /// DescribeVpcEndpointServices by service name.
    pub(super) services: Memo<String, Vec<ServiceDetail>>,
    /// DescribePrefixLists by prefix list name: (id, CIDRs listed there).
    pub(super) prefix_lists: Memo<String, Option<(String, Vec<String>)>>,
    /// GetManagedPrefixListEntries by prefix list id: the CIDRs.
    pub(super) prefix_list_entries: Memo<String, Vec<String>>,
    /// Told of every EC2 attempt and waiter poll.
    pub(super) observer: Option<CallObserver>,
    /// Crash-safe creates: marked endpoints, marker removals, claims, the halt of writes.
    pub(super) markers: super::markers::Markers,
    /// The per-endpoint locks of modifies (see [`super::exclusive`]).
    pub(super) locks: super::exclusive::Locks,
    /// DeleteVpcEndpoints, batched: what became of each id.
    pub(super) deletes: Batcher<String, super::writes::Deleted>,
    /// CreateTags / DeleteTags, batched by tag change.
    pub(super) tag_changes: Batcher<super::writes::TagChange, Result<(), AwsError>>,
    /// Plan-time facts about subnets, security groups, route tables and VPCs (see [`super::facts`]).
    pub(super) facts: super::facts::Facts,
    /// The network of each VPC, for the traffic advice (see [`super::traffic`]).
    pub(super) networks: super::traffic::Networks,
    /// Refresh reads answered from one listing (see [`super::readahead`]).
    pub(super) read_ahead: super::readahead::ReadAhead,
    /// How long this process's deletes stayed `deleting` (see [`super::waiters::Settle`]).
    pub(super) delete_settle: super::waiters::Settle,
}

impl std::fmt::Debug for Ec2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ec2").field("region", &self.inner.region).field("requests_sent", &self.requests_sent()).finish_non_exhaustive()
    }
}

/// Counts every HTTP request actually sent, retries included.
#[derive(Debug)]
struct CountRequests(Arc<AtomicU64>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Sees every EC2 write before it is sent: refuses it once the provider is stopping (see
/// [`Ec2::halt_writes`]), and notes the first one for the refresh read-ahead (see
/// [`super::readahead`]; the removal of the creation marker alone does not count).
#[derive(Debug)]
struct WatchWrites {
    halted: Arc<std::sync::atomic::AtomicBool>,
    wrote: Arc<std::sync::atomic::AtomicBool>,
}

impl Intercept for WatchWrites {
    fn name(&self) -> &'static str {
        "WatchWrites"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation =
            cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>().map(|m| m.name().to_owned()).unwrap_or_default();
        if is_read_only(&operation) {
            return Ok(());
        }
        if self.halted.load(Ordering::SeqCst) {
            return Err(
                format!("not sent: the provider is stopping (Terraform exited), so it sends no more EC2 writes ({operation})").into()
            );
        }
        if !self.wrote.load(Ordering::Relaxed) {
            let body = context.request().body().bytes().and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default();
            if !super::readahead::is_marker_removal(&operation, body) {
                self.wrote.store(true, Ordering::SeqCst);
            }
        }
        Ok(())
    }
}

/// The HTTP(S) client for every AWS call: hyper on rustls with ring. Nothing on the plugin's start
/// path initialises aws-lc (its entropy seeding cost ~60 ms per process, and Terraform starts the
/// provider several times per command), and the build compiles no C crypto library.
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// Resolves credentials and region through the standard AWS chain (environment, shared
/// config/credentials files, SSO, web identity, container and instance metadata) and builds the
/// EC2 client. Credentials are resolved lazily, on the first call. Must run inside a tokio runtime.
pub async fn connect(cfg: Ec2Config) -> Result<Ec2, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
    if let Some(profile) = cfg.profile.as_deref().filter(|p| !p.is_empty()) {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = cfg.region.as_deref().filter(|r| !r.is_empty()) {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let shared = loader.load().await;
    let region = shared.region().map(|r| r.as_ref().to_owned()).ok_or_else(|| {
        AwsError::new(
            "configure",
            None,
            "no AWS region could be determined: set `region` in the provider configuration, \
             or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile",
        )
    })?;

    let attempts = cfg.max_retries.map_or(DEFAULT_MAX_ATTEMPTS, |r| r.saturating_add(1));
    let halted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let wrote = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let custom_endpoint = cfg.ec2_endpoint.as_deref().is_some_and(|u| !u.is_empty())
        || ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"].iter().any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    let scope = format!("{} {region}", endpoint_scope(cfg.ec2_endpoint.as_deref()));
    let share = pacing_share();
    let pacer = Pacer::shared(
        cfg.pacing.unwrap_or_else(|| pacing_scale(custom_endpoint)),
        share,
        halted.clone(),
        pacing_ledger(&scope, share < 1.0),
    );
    let mut builder = aws_sdk_ec2::config::Builder::from(&shared)
        // The attempt timeout is applied by the paced HTTP client, after the wait for a token.
        .http_client(paced_http_client(https_client(), pacer.clone(), ATTEMPT_TIMEOUT))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20)),
        )
        // No client-side retry quota: the SDK's default token bucket (500 tokens, 5 per retried
        // throttle, 10 per retried 5xx/connection error, shared by the whole process) runs dry
        // when many resources are applied under sustained throttling or errors, and then calls fail
        // after one attempt whatever max_retries says (the AWS provider's "retry quota exceeded";
        // it disables the quota too). Attempts and exponential backoff still bound every call.
        .retry_partition(RetryPartition::custom("vpce-ec2").token_bucket(TokenBucket::unlimited()).build())
        .timeout_config(TimeoutConfig::builder().connect_timeout(Duration::from_secs(10)).build())
        // A request waits for its token in the paced HTTP client with its body unread; the SDK's
        // upload stall protection would take that wait for a stalled upload and fail the attempt
        // after 5 s (then every retry waits again, behind the others). Answers are still watched.
        .stalled_stream_protection(StalledStreamProtectionConfig::enabled().upload_enabled(false).build())
        .interceptor(CountRequests(requests.clone()))
        .interceptor(PaceFeedback(pacer.clone()))
        .interceptor(WatchWrites { halted: halted.clone(), wrote: wrote.clone() });
    if let Some(observer) = cfg.observer.clone() {
        builder = builder.interceptor(Observe(observer));
    }
    if let Some(url) = cfg.ec2_endpoint.as_deref().filter(|u| !u.is_empty()) {
        builder = builder.endpoint_url(url);
    }
    let client = aws_sdk_ec2::Client::from_conf(builder.build());
    let inner = Inner {
        read_ahead: super::readahead::ReadAhead::new(wrote),
        delete_settle: Default::default(),
        deletes: super::writes::delete_batcher(&client, &pacer),
        tag_changes: super::writes::tag_batcher(&client),
        facts: super::facts::Facts::new(&client),
        networks: Default::default(),
        endpoints: Batcher::by_id(&client, |c, ids| async move { fetch_endpoints(&c, &ids).await }, |e| e.vpc_endpoint_id()),
        route_tables: Batcher::by_id(&client, |c, ids| async move { fetch_route_tables(&c, &ids).await }, |t| t.route_table_id()),
        services: Memo::default(),
        prefix_lists: Memo::default(),
        prefix_list_entries: Memo::default(),
        observer: cfg.observer,
        markers: super::markers::Markers::new(&client, halted, cfg.background),
        locks: Default::default(),
        client,
        region,
        requests,
    };
    Ok(Ec2 { inner: Arc::new(inner) })
}

impl Ec2 {
    /// The SDK client, for the create/modify/delete calls (map errors with
    /// [`SdkResultExt::aws_op`](super::SdkResultExt::aws_op)).
    pub fn client(&self) -> &aws_sdk_ec2::Client {
        &self.inner.client
    }

    /// The resolved region, e.g. `us-east-1`.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// EC2 HTTP requests sent so far by this handle and its clones (retries included).
    pub(crate) fn requests_sent(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }
}
