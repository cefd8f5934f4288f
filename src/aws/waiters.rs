//! Polling an endpoint until it reaches a state, with short exponential backoff.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use super::{state_str, AwsError, Ec2};

const FIRST_DELAY: Duration = Duration::from_millis(50);
const MAX_DELAY: Duration = Duration::from_secs(2);
/// How long a just-created endpoint may still be unknown to DescribeVpcEndpoints (eventual
/// consistency): the create's wait and a refresh of a never-seen endpoint both allow it.
pub(crate) const NOT_FOUND_GRACE: Duration = Duration::from_secs(30);
/// States an endpoint never leaves for a better one: waiting ends on them unless accepted.
const TERMINAL: &[&str] = &["failed", "rejected", "deleted", "expired"];
/// A change refused because the endpoint is busy is sent again after 0.5 s, 1 s, 2 s, ... (at most 10 s).
const BUSY_FIRST_DELAY: Duration = Duration::from_millis(500);
const BUSY_MAX_DELAY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaitError {
    /// The timeout passed; holds the last state seen (`not found` when none was).
    Timeout(String),
    Cancelled,
    /// The endpoint reached a failing state: (state, EC2's LastError message or "").
    Failed(String, String),
    /// The endpoint was not found, for longer than eventual consistency explains.
    NotFound,
    Aws(AwsError),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout(state) => write!(f, "timed out waiting for the VPC endpoint (last state: {state})"),
            WaitError::Cancelled => f.write_str("cancelled while waiting for the VPC endpoint"),
            WaitError::Failed(state, msg) if msg.is_empty() => write!(f, "the VPC endpoint entered state {state}"),
            WaitError::Failed(state, msg) => write!(f, "the VPC endpoint entered state {state}: {msg}"),
            WaitError::NotFound => f.write_str("the VPC endpoint was not found"),
            WaitError::Aws(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WaitError {}

impl From<AwsError> for WaitError {
    fn from(e: AwsError) -> Self {
        WaitError::Aws(e)
    }
}

fn is_in(state: &str, states: &[&str]) -> bool {
    states.iter().any(|s| s.eq_ignore_ascii_case(state))
}

fn failed(endpoint: &VpcEndpoint, state: String) -> WaitError {
    let message =
        endpoint.last_error().map_or(String::new(), |e| [e.code(), e.message()].into_iter().flatten().collect::<Vec<_>>().join(": "));
    WaitError::Failed(state, message)
}

/// How many recent waits [`Settle`] learns from.
const SETTLE_WINDOW: usize = 16;

/// What a process learnt of how long a transition takes (e.g. `deleting` until `deleted`): for
/// each recent wait, the latest time after its start at which the endpoint was seen not done yet
/// (a lower bound of that wait's transition). The next wait makes its first poll at the least of
/// them instead of at once, then backs off from 50 ms as usual: the polls gather where the
/// transitions happen, so a wait sees the end about 50-100 ms late instead of up to half its
/// length (the doubling backoff's 1.55 s, 3.55 s ... for a 2 s `deleting`), with fewer polls.
/// A wait whose first poll already saw the end records three quarters of that poll's time, so
/// the estimate comes down when the transitions get shorter; the least of the window keeps a
/// mix (gateway and interface endpoints) polled from the shortest.
#[derive(Debug, Default)]
pub(crate) struct Settle {
    lows: Mutex<VecDeque<Duration>>,
}

impl Settle {
    /// When the first poll of a new wait is due, after its start.
    fn first_poll(&self) -> Duration {
        self.lows.lock().unwrap_or_else(|e| e.into_inner()).iter().min().copied().unwrap_or(Duration::ZERO)
    }

    fn record(&self, low: Duration) {
        let mut lows = self.lows.lock().unwrap_or_else(|e| e.into_inner());
        if lows.len() == SETTLE_WINDOW {
            lows.pop_front();
        }
        lows.push_back(low);
    }
}

/// Runs `step` at once, then after 50 ms, 100 ms, ... (at most 2 s) until it breaks, fails, the
/// timeout passes (a poll in flight is abandoned) or `cancel` fires. `Continue` carries the state seen.
async fn poll<T, F, Fut>(timeout: Duration, cancel: &CancellationToken, step: F) -> Result<T, WaitError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<ControlFlow<T, String>, WaitError>>,
{
    poll_learning(timeout, cancel, None, step).await
}

/// [`poll`], with its first poll at the time `settle` learnt (at once when it knows nothing), and
/// what this wait saw recorded there.
async fn poll_learning<T, F, Fut>(timeout: Duration, cancel: &CancellationToken, settle: Option<&Settle>, step: F) -> Result<T, WaitError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<ControlFlow<T, String>, WaitError>>,
{
    let started = Instant::now();
    let deadline = started + timeout;
    let (mut delay, mut last) = (FIRST_DELAY, String::from("not found"));
    let first = settle.map_or(Duration::ZERO, Settle::first_poll);
    if !first.is_zero() {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(WaitError::Cancelled),
            _ = sleep_until((started + first).min(deadline)) => {}
        }
    }
    // The start of the latest poll that saw the transition not done yet.
    let mut not_done: Option<Duration> = None;
    loop {
        let sent = started.elapsed();
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(WaitError::Cancelled),
            _ = sleep_until(deadline) => return Err(WaitError::Timeout(last)),
            result = step() => match result? {
                ControlFlow::Break(done) => {
                    if let Some(settle) = settle {
                        settle.record(not_done.unwrap_or(sent.mul_f64(0.75)));
                    }
                    return Ok(done);
                }
                ControlFlow::Continue(state) => {
                    last = state;
                    not_done = Some(sent);
                }
            },
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(WaitError::Cancelled),
            _ = sleep_until((Instant::now() + delay).min(deadline)) => {}
        }
        delay = (delay * 2).min(MAX_DELAY);
    }
}

impl Ec2 {
    fn observe_poll(&self, id: &str, waiting_for: &'static str, found: Option<&VpcEndpoint>, started: Instant) {
        if let Some(observer) = &self.inner.observer {
            let state = found.map_or_else(|| "not found".to_owned(), state_str);
            observer.poll(&super::PollEvent { endpoint_id: id.to_owned(), waiting_for, state, elapsed: started.elapsed() });
        }
    }

    /// Waits until the endpoint's state is one of `accept` (lowercase, e.g. `["available"]`).
    /// Fails at once on `failed` / `rejected` / `deleted` / `expired` unless accepted, with the endpoint's LastError. A missing endpoint is polled again for
    /// 30 s (eventual consistency after create), then is [`WaitError::NotFound`].
    pub(crate) async fn wait_for_endpoint(
        &self,
        id: &str,
        accept: &[&str],
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<VpcEndpoint, WaitError> {
        let started = Instant::now();
        poll(timeout, cancel, || async move {
            let found = self.find_vpc_endpoint_any_state(id).await?;
            self.observe_poll(id, "available", found.as_ref(), started);
            let Some(endpoint) = found else {
                return match started.elapsed() < NOT_FOUND_GRACE {
                    true => Ok(ControlFlow::Continue("not found".to_owned())),
                    false => Err(WaitError::NotFound),
                };
            };
            let state = state_str(&endpoint);
            if is_in(&state, accept) {
                Ok(ControlFlow::Break(endpoint))
            } else if is_in(&state, TERMINAL) {
                Err(failed(&endpoint, state))
            } else {
                Ok(ControlFlow::Continue(state))
            }
        })
        .await
    }

    /// Polls until the endpoint shows up (in any state but `deleted`) for at most `grace`: `None`
    /// when it does not (or shows up `deleted`). For an endpoint that may be too new for
    /// DescribeVpcEndpoints (EC2 is eventually consistent).
    pub(crate) async fn wait_until_visible(
        &self,
        id: &str,
        grace: Duration,
        cancel: &CancellationToken,
    ) -> Result<Option<VpcEndpoint>, AwsError> {
        let started = Instant::now();
        let found = poll(grace, cancel, || async move {
            let found = self.find_vpc_endpoint_any_state(id).await?;
            self.observe_poll(id, "visible", found.as_ref(), started);
            match found {
                Some(ep) if state_str(&ep) == "deleted" => Ok(ControlFlow::Break(None)),
                Some(ep) => Ok(ControlFlow::Break(Some(ep))),
                None => Ok(ControlFlow::Continue("not found".to_owned())),
            }
        })
        .await;
        match found {
            Ok(ep) => Ok(ep),
            Err(WaitError::Aws(e)) => Err(e),
            Err(WaitError::Cancelled) => Err(AwsError::new("DescribeVpcEndpoints", None, format!("interrupted while looking for {id}"))),
            Err(_) => Ok(None),
        }
    }

    /// Waits until DescribeVpcEndpoints shows the endpoint with the tags `set` and without the keys
    /// `removed` (EC2 shows a tag change only after a while: eventual consistency), for at most
    /// `timeout`. Other tags do not matter. An endpoint that is not found, `deleting` or `deleted` is
    /// [`WaitError::NotFound`] at once: it existed when its tags were changed.
    pub(crate) async fn wait_for_endpoint_tags(
        &self,
        id: &str,
        set: &BTreeMap<String, String>,
        removed: &[String],
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<VpcEndpoint, WaitError> {
        let started = Instant::now();
        let shows = move |ep: &VpcEndpoint| {
            let tags = super::tags_from_ec2(ep.tags());
            set.iter().all(|(k, v)| tags.get(k) == Some(v)) && removed.iter().all(|k| !tags.contains_key(k))
        };
        poll(timeout, cancel, || async move {
            let found = self.find_vpc_endpoint(id).await?;
            self.observe_poll(id, "tags", found.as_ref(), started);
            match found {
                Some(ep) if state_str(&ep) == "deleting" => Err(WaitError::NotFound),
                Some(ep) if shows(&ep) => Ok(ControlFlow::Break(ep)),
                Some(_) => Ok(ControlFlow::Continue("showing the old tags".to_owned())),
                // The endpoint existed when its tags were changed: gone now means deleted.
                None => Err(WaitError::NotFound),
            }
        })
        .await
    }

    /// Waits until the endpoint is gone or `deleted`; fails at once on `failed`. The first poll
    /// comes when this process's earlier deletes were still `deleting` ([`Settle`]).
    pub(crate) async fn wait_for_endpoint_deleted(&self, id: &str, timeout: Duration, cancel: &CancellationToken) -> Result<(), WaitError> {
        let started = Instant::now();
        poll_learning(timeout, cancel, Some(&self.inner.delete_settle), || async move {
            let found = self.find_vpc_endpoint_any_state(id).await?;
            self.observe_poll(id, "deleted", found.as_ref(), started);
            let Some(endpoint) = found else {
                return Ok(ControlFlow::Break(()));
            };
            match state_str(&endpoint) {
                s if s == "deleted" => Ok(ControlFlow::Break(())),
                s if s == "failed" => Err(failed(&endpoint, s)),
                s => Ok(ControlFlow::Continue(s)),
            }
        })
        .await
    }
}

/// Sends a change again while EC2 refuses it because the endpoint is busy ([`AwsError::is_busy`]:
/// IncorrectState while it is still pending, OperationInProgress while another modification runs),
/// after 0.5 s, 1 s, 2 s, ... (at most 10 s), until EC2 takes it or fails it otherwise, `deadline`
/// passes (a last attempt is made at the deadline; then the refusal is returned, saying so) or
/// `cancel` fires.
pub(crate) async fn retry_while_busy<T, F, Fut>(deadline: Instant, cancel: &CancellationToken, call: F) -> Result<T, AwsError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let (mut delay, mut attempts) = (BUSY_FIRST_DELAY, 1u32);
    loop {
        let mut err = match call().await {
            Err(e) if e.is_busy() => e,
            other => return other,
        };
        if Instant::now() >= deadline || cancel.is_cancelled() {
            let still = if cancel.is_cancelled() { "when Terraform was interrupted" } else { "when the timeout passed" };
            err.message = format!("{} (the endpoint was busy; refused {attempts} times, still {still})", err.message.trim());
            return Err(err);
        }
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {}
            _ = sleep_until((Instant::now() + delay).min(deadline)) => {}
        }
        delay = (delay * 2).min(BUSY_MAX_DELAY);
        attempts += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn counting_step(calls: &AtomicU32, done_at: u32) -> impl Fn() -> std::future::Ready<Result<ControlFlow<u32, String>, WaitError>> + '_ {
        move || {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            std::future::ready(Ok(if n >= done_at { ControlFlow::Break(n) } else { ControlFlow::Continue(format!("pending{n}")) }))
        }
    }

    #[tokio::test]
    async fn poll_backs_off_and_finishes() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let got = poll(Duration::from_secs(5), &CancellationToken::new(), counting_step(&calls, 4)).await;
        assert_eq!(got, Ok(4));
        let waited = start.elapsed();
        // 0 + 50 + 100 + 200 ms of sleeps
        assert!(waited >= Duration::from_millis(350) && waited < Duration::from_millis(1500), "{waited:?}");
    }

    /// A step that is done `after` its wait's start (the wait starts at each call of `wait`).
    async fn settle_wait(settle: &Settle, after: Duration) -> (u32, Duration) {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let got = poll_learning(Duration::from_secs(10), &CancellationToken::new(), Some(settle), || {
            calls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(if start.elapsed() >= after { ControlFlow::Break(()) } else { ControlFlow::Continue("deleting".into()) }))
        })
        .await;
        assert_eq!(got, Ok(()));
        (calls.load(Ordering::SeqCst), start.elapsed() - after)
    }

    #[tokio::test]
    async fn learnt_first_poll_sees_the_end_sooner_with_fewer_polls() {
        // Real time (the timings are loose: the machine may be busy).
        let settle = Settle::default();
        let deleting = Duration::from_millis(800);
        // Knowing nothing: polls at 0, 50, 150, 350, 750 ms, 1.55 s: 6 polls, about 750 ms late.
        let (polls, late) = settle_wait(&settle, deleting).await;
        assert!(polls >= 5 && late >= Duration::from_millis(400), "{polls} polls, {late:?} late");
        // After a few waits the polls start near 800 ms: at most 4 polls, far less late.
        for _ in 0..3 {
            settle_wait(&settle, deleting).await;
        }
        let (polls, late) = settle_wait(&settle, deleting).await;
        assert!(polls <= 4 && late <= Duration::from_millis(300), "{polls} polls, {late:?} late");
        // Shorter transitions bring the first poll down (a wait done at its first poll records
        // three quarters of it).
        let short = Duration::from_millis(100);
        for _ in 0..SETTLE_WINDOW + 8 {
            settle_wait(&settle, short).await;
        }
        let (polls, late) = settle_wait(&settle, short).await;
        assert!(polls <= 4 && late <= Duration::from_millis(300), "{polls} polls, {late:?} late");
        // Done at the first poll (moto: `deleted` at once): one poll, at once, every time.
        let instant = Settle::default();
        for _ in 0..3 {
            let (polls, late) = settle_wait(&instant, Duration::ZERO).await;
            assert!(polls == 1 && late < Duration::from_millis(100), "{polls} polls, {late:?} late");
        }
    }

    #[tokio::test]
    async fn poll_times_out_with_last_state() {
        let calls = AtomicU32::new(0);
        let got = poll(Duration::from_millis(120), &CancellationToken::new(), counting_step(&calls, 1000)).await;
        assert_eq!(got, Err(WaitError::Timeout("pending2".into())));
    }

    #[tokio::test]
    async fn poll_cancels_promptly() {
        let calls = AtomicU32::new(0);
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            trigger.cancel();
        });
        let start = Instant::now();
        let got = poll(Duration::from_secs(60), &cancel, counting_step(&calls, 1000)).await;
        assert_eq!(got, Err(WaitError::Cancelled));
        assert!(start.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn busy_refusals_are_retried_until_they_clear_or_the_deadline() {
        let busy = || AwsError::new("ModifyVpcEndpoint", Some("IncorrectState"), "pending");
        let calls = AtomicU32::new(0);
        let got = retry_while_busy(Instant::now() + Duration::from_secs(5), &CancellationToken::new(), || {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            std::future::ready(if n < 3 { Err(busy()) } else { Ok(n) })
        })
        .await;
        assert_eq!(got, Ok(3), "retried after 0.5 s and 1 s");
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let got: Result<(), AwsError> = retry_while_busy(Instant::now() + Duration::from_millis(800), &CancellationToken::new(), || {
            calls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Err(busy()))
        })
        .await;
        let e = got.unwrap_err();
        assert!(e.is_busy() && e.message.contains("refused 3 times, still when the timeout passed"), "{e}");
        assert!(start.elapsed() >= Duration::from_millis(800) && start.elapsed() < Duration::from_secs(2));
        // Any other error ends at once.
        let got: Result<(), AwsError> = retry_while_busy(Instant::now() + Duration::from_secs(5), &CancellationToken::new(), || {
            std::future::ready(Err(AwsError::new("ModifyVpcEndpoint", Some("InvalidParameter"), "no")))
        })
        .await;
        assert!(got.unwrap_err().code_is("InvalidParameter"));
    }

    #[test]
    fn failed_carries_last_error() {
        use aws_sdk_ec2::types::LastError;
        let ep = VpcEndpoint::builder().last_error(LastError::builder().code("Quota").message("too many").build()).build();
        assert_eq!(failed(&ep, "failed".into()).to_string(), "the VPC endpoint entered state failed: Quota: too many");
        assert_eq!(failed(&VpcEndpoint::builder().build(), "rejected".into()), WaitError::Failed("rejected".into(), String::new()));
        assert!(is_in("pendingacceptance", &["pendingAcceptance"]));
    }
}
