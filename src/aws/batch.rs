//! Request coalescing: a [`Batcher`] merges concurrent lookups by key into shared fetches, and a
//! [`Memo`] runs each keyed fetch once per process (concurrent callers share it; errors are not kept).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::time::Instant;

use super::AwsError;

type Reply<V> = oneshot::Sender<Result<Option<V>, AwsError>>;
/// How long until a paced call could be sent without waiting (see [`Batcher::gated`]).
pub(crate) type Gate = Arc<dyn Fn() -> Duration + Send + Sync>;

/// Batched lookups (`find_vpc_endpoint`, `find_vpc`, `find_route_tables`): a batch collects ids
/// until none has arrived for this long...
pub(crate) const BATCH_WINDOW: Duration = Duration::from_millis(10);
/// ... or this long after its first id at the latest.
pub(crate) const BATCH_MAX_WAIT: Duration = Duration::from_millis(50);
/// At most this many ids per Describe call.
pub(crate) const BATCH_MAX_IDS: usize = 100;

/// Coalesces concurrent `get(key)` calls into one `fetch(keys)` call per batch.
///
/// A batch stays open while keys keep arriving: it closes once no key has arrived for `gap`,
/// `max_wait` after its first key at the latest, or as soon as it holds `max_batch` distinct
/// keys. Its fetch then runs in its own task while the next batch collects. `fetch` returns the
/// values found; keys absent from its map resolve to `None`. A failed fetch of several keys is
/// not the end of them: each key is then fetched alone, so one bad call (out of retries, one
/// bad id) fails only the keys whose own fetch fails. At most `in_flight` fetches run at once
/// ([`Batcher::with_in_flight`]; unlimited with [`Batcher::new`]): while they do, the next batch
/// keeps collecting, so that a slow or paced call (a write waiting for its token) carries every
/// key that arrived meanwhile. The background task ends when the last `Batcher` clone is dropped.
pub(crate) struct Batcher<K, V> {
    tx: mpsc::UnboundedSender<(K, Reply<V>)>,
}

impl<K, V> Clone for Batcher<K, V> {
    fn clone(&self) -> Self {
        Batcher { tx: self.tx.clone() }
    }
}

impl<K, V> Batcher<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
{
    /// Spawns the collecting task: must be called inside a tokio runtime.
    pub(crate) fn new<F, Fut>(gap: Duration, max_wait: Duration, max_batch: usize, fetch: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        Self::with_in_flight(gap, max_wait, max_batch, Semaphore::MAX_PERMITS, fetch)
    }

    /// Like [`Batcher::new`], with at most `in_flight` fetches running at once.
    pub(crate) fn with_in_flight<F, Fut>(gap: Duration, max_wait: Duration, max_batch: usize, in_flight: usize, fetch: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        Self::spawn(Window { gap, max_gap: gap, max_wait: max_wait.max(gap) }, max_batch, in_flight, None, fetch)
    }

    /// Like [`Batcher::with_in_flight`], with a gap that follows the arrivals: twice the recent
    /// mean time between keys, at least `gap`, at most `max_gap`. When Terraform starts its
    /// operations one every few tens of milliseconds (a busy core, hundreds of resources), a fixed
    /// short gap would send nearly every key alone.
    pub(crate) fn adaptive<F, Fut>(
        gap: Duration,
        max_gap: Duration,
        max_wait: Duration,
        max_batch: usize,
        in_flight: usize,
        fetch: F,
    ) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        let max_gap = max_gap.max(gap);
        Self::spawn(Window { gap, max_gap, max_wait: max_wait.max(max_gap) }, max_batch, in_flight, None, fetch)
    }

    /// Like [`Batcher::with_in_flight`], for a call that must wait for a token of a paced
    /// bucket: `gate()` says how long until the bucket holds a token (zero: now), taking none. A
    /// closed batch is sent when the gate opens, and collects the keys that arrive until then;
    /// so the batch goes out the moment a token is there, rather than being closed first and
    /// then waiting for its token in the HTTP client while the keys that arrive meanwhile wait
    /// for the batch after it (a key waited for two tokens instead of one). When tokens are
    /// plentiful the gate is always open and the short window alone decides.
    pub(crate) fn gated<F, Fut>(gap: Duration, max_wait: Duration, max_batch: usize, in_flight: usize, gate: Gate, fetch: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        Self::spawn(Window { gap, max_gap: gap, max_wait: max_wait.max(gap) }, max_batch, in_flight, Some(gate), fetch)
    }

    fn spawn<F, Fut>(window: Window, max_batch: usize, in_flight: usize, gate: Option<Gate>, fetch: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::unbounded_channel();
        let slots = Arc::new(Semaphore::new(in_flight.clamp(1, Semaphore::MAX_PERMITS)));
        tokio::spawn(collect(rx, window, max_batch.max(1), slots, gate, Arc::new(fetch)));
        Batcher { tx }
    }

    pub(crate) async fn get(&self, key: K) -> Result<Option<V>, AwsError> {
        let stopped = || AwsError::new("batch lookup", None, "the request batcher has stopped");
        let (reply, rx) = oneshot::channel();
        self.tx.send((key, reply)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// The values of the `keys` that exist (one batched lookup each, concurrently).
    pub(crate) async fn get_all(&self, keys: &[K]) -> Result<Vec<V>, AwsError> {
        let found = futures::future::try_join_all(keys.iter().map(|k| self.get(k.clone()))).await?;
        Ok(found.into_iter().flatten().collect())
    }
}

impl<V: Clone + Send + 'static> Batcher<String, V> {
    /// A batcher of EC2 lookups by id, with this module's window ([`BATCH_WINDOW`],
    /// [`BATCH_MAX_WAIT`], [`BATCH_MAX_IDS`]): `fetch(client, ids)` returns the items that exist,
    /// `id_of` names them. Two calls in flight at most: under load (many resources, a slow or
    /// throttled EC2) the ids that arrive meanwhile wait for the next call instead of each going
    /// alone. Must be called inside a tokio runtime.
    pub(crate) fn by_id<F, Fut>(client: &aws_sdk_ec2::Client, fetch: F, id_of: fn(&V) -> Option<&str>) -> Self
    where
        F: Fn(aws_sdk_ec2::Client, Vec<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<V>, AwsError>> + Send + 'static,
    {
        let client = client.clone();
        Batcher::with_in_flight(BATCH_WINDOW, BATCH_MAX_WAIT, BATCH_MAX_IDS, 2, move |ids| {
            let found = fetch(client.clone(), ids);
            async move { Ok(found.await?.into_iter().filter_map(|v| Some((id_of(&v)?.to_owned(), v))).collect()) }
        })
    }
}

/// When a batch closes (see [`Batcher`]).
#[derive(Clone, Copy)]
struct Window {
    gap: Duration,
    /// Above `gap`: the gap follows the arrivals (see [`Batcher::adaptive`]).
    max_gap: Duration,
    max_wait: Duration,
}

async fn collect<K, V, F, Fut>(
    mut rx: mpsc::UnboundedReceiver<(K, Reply<V>)>,
    window: Window,
    max_batch: usize,
    slots: Arc<Semaphore>,
    gate: Option<Gate>,
    fetch: Arc<F>,
) where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
    F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
{
    // The recent mean time between arrivals (for an adaptive gap).
    let (mut mean, mut last): (Option<Duration>, Option<Instant>) = (None, None);
    let mut arrived = |now: Instant| {
        if let Some(before) = last {
            let d = now - before;
            mean = Some(mean.map_or(d, |m| (m * 3 + d) / 4));
        }
        last = Some(now);
        match mean {
            Some(m) if window.max_gap > window.gap => (m * 2).clamp(window.gap, window.max_gap),
            _ => window.gap,
        }
    };
    while let Some((key, reply)) = rx.recv().await {
        let mut gap = arrived(Instant::now());
        let close_by = Instant::now() + window.max_wait;
        let mut waiters: HashMap<K, Vec<Reply<V>>> = HashMap::new();
        waiters.entry(key).or_default().push(reply);
        while waiters.len() < max_batch {
            match tokio::time::timeout_at((Instant::now() + gap).min(close_by), rx.recv()).await {
                Ok(Some((key, reply))) => {
                    gap = arrived(Instant::now());
                    waiters.entry(key).or_default().push(reply)
                }
                Ok(None) | Err(_) => break,
            }
        }
        // A free fetch slot, collecting meanwhile (until the batch is full).
        let slot = loop {
            if let Ok(slot) = slots.clone().try_acquire_owned() {
                break slot;
            }
            if waiters.len() >= max_batch {
                break slots.clone().acquire_owned().await.expect("never closed");
            }
            tokio::select! {
                slot = slots.clone().acquire_owned() => break slot.expect("never closed"),
                next = rx.recv() => match next {
                    Some((key, reply)) => {
                        arrived(Instant::now());
                        waiters.entry(key).or_default().push(reply)
                    }
                    None => break slots.clone().acquire_owned().await.expect("never closed"),
                },
            }
        };
        // The paced bucket's token, collecting meanwhile (until the batch is full).
        while let Some(wait) = gate.as_ref().map(|g| g()).filter(|w| !w.is_zero() && waiters.len() < max_batch) {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                next = rx.recv() => match next {
                    Some((key, reply)) => {
                        arrived(Instant::now());
                        waiters.entry(key).or_default().push(reply)
                    }
                    None => break,
                },
            }
        }
        let keys: Vec<K> = waiters.keys().cloned().collect();
        let pending = fetch(keys.clone());
        let fetch = fetch.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let results: HashMap<K, Result<Option<V>, AwsError>> = match pending.await {
                Ok(found) => keys.into_iter().map(|k| (k.clone(), Ok(found.get(&k).cloned()))).collect(),
                Err(e) if keys.len() == 1 => keys.into_iter().map(|k| (k, Err(e.clone()))).collect(),
                // Limit the blast radius: each key on its own.
                Err(_) => futures::future::join_all(keys.into_iter().map(|k| {
                    let alone = fetch(vec![k.clone()]);
                    async move {
                        let value = alone.await.map(|mut found| found.remove(&k));
                        (k, value)
                    }
                }))
                .await
                .into_iter()
                .collect(),
            };
            for (key, replies) in waiters {
                let value = results.get(&key).cloned().unwrap_or(Ok(None));
                for reply in replies {
                    let _ = reply.send(value.clone());
                }
            }
        });
    }
}

type SharedFetch<V> = Shared<BoxFuture<'static, Result<V, AwsError>>>;

/// A per-key single-flight cache: the first `get` of a key runs its fetch, concurrent `get`s of
/// the same key await that same fetch, later ones get the stored value. A failed fetch is
/// reported to everyone awaiting it and then forgotten, so the next `get` fetches again.
pub(crate) struct Memo<K, V> {
    entries: Mutex<HashMap<K, SharedFetch<V>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { entries: Mutex::default() }
    }
}

impl<K, V> Memo<K, V>
where
    K: Eq + Hash + Clone,
    V: Clone + Send + Sync + 'static,
{
    /// The value of `key`, running `fetch()` only when it is neither stored nor being fetched.
    pub(crate) async fn get<F, Fut>(&self, key: K, fetch: F) -> Result<V, AwsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, AwsError>> + Send + 'static,
    {
        let shared = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.entry(key.clone()).or_insert_with(|| fetch().boxed().shared()).clone()
        };
        let result = shared.clone().await;
        if result.is_err() {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries.get(&key).is_some_and(|current| current.ptr_eq(&shared)) {
                entries.remove(&key);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    type Calls = Arc<Mutex<Vec<Vec<u32>>>>;

    /// A fake fetch: records each batch, finds even keys (value = key * 10), fails on key 13.
    fn fake(calls: Calls) -> impl Fn(Vec<u32>) -> futures::future::BoxFuture<'static, Result<HashMap<u32, u32>, AwsError>> {
        move |keys: Vec<u32>| {
            calls.lock().unwrap().push(keys.clone());
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                if keys.contains(&13) {
                    return Err(AwsError::new("Fake", Some("Boom"), "13 is unlucky"));
                }
                Ok(keys.into_iter().filter(|k| k % 2 == 0).map(|k| (k, k * 10)).collect())
            })
        }
    }

    #[tokio::test]
    async fn concurrent_gets_share_one_fetch_and_are_demultiplexed() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(20), Duration::from_millis(50), 100, fake(calls.clone()));
        // 20 distinct keys (20..40), each asked twice.
        let results = futures::future::join_all((0..40u32).map(|i| {
            let b = b.clone();
            async move { (20 + i % 20, b.get(20 + i % 20).await) }
        }))
        .await;
        for (k, r) in results {
            assert_eq!(r.unwrap(), (k % 2 == 0).then_some(k * 10), "key {k}");
        }
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert_eq!(calls[0].len(), 20, "keys are deduplicated");
    }

    #[tokio::test]
    async fn max_batch_splits_and_a_failed_batch_fails_only_the_bad_key() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(20), Duration::from_millis(50), 5, fake(calls.clone()));
        let results = futures::future::join_all((10..20u32).map(|k| {
            let b = b.clone();
            async move { (k, b.get(k).await) }
        }))
        .await;
        let calls = calls.lock().unwrap().clone();
        // Two batches of 5; the one holding 13 failed and was retried key by key.
        assert_eq!(calls.len(), 2 + 5, "{calls:?}");
        assert_eq!(calls.iter().filter(|c| c.len() == 1).count(), 5, "{calls:?}");
        for (k, r) in results {
            match r {
                Err(e) => assert!(k == 13 && e.code_is("Boom"), "{k}: {e}"),
                Ok(v) => assert!(k != 13 && v == (k % 2 == 0).then_some(k * 10), "{k}: {v:?}"),
            }
        }
    }

    #[tokio::test]
    async fn sequential_gets_use_separate_fetches() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(1), Duration::from_millis(1), 100, fake(calls.clone()));
        assert_eq!(b.get(2).await.unwrap(), Some(20));
        assert_eq!(b.get(3).await.unwrap(), None);
        assert_eq!(calls.lock().unwrap().len(), 2);
    }

    /// `count` gets of keys `first..`, one every `every`, each on its own task.
    async fn staggered(b: &Batcher<u32, u32>, first: u32, count: u32, every: Duration) -> Vec<Option<u32>> {
        let tasks: Vec<_> = (first..first + count)
            .map(|k| {
                let b = b.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(every * (k - first)).await;
                    b.get(k).await.unwrap()
                })
            })
            .collect();
        futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect()
    }

    #[tokio::test]
    async fn batch_stays_open_while_keys_keep_coming_up_to_max_wait() {
        // Keys 5 ms apart: a 50 ms gap never expires between them, so only max_wait closes a batch.
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(50), Duration::from_secs(1), 100, fake(calls.clone()));
        let got = staggered(&b, 100, 10, Duration::from_millis(5)).await;
        assert_eq!(got, (100..110).map(|k| (k % 2 == 0).then_some(k * 10)).collect::<Vec<_>>());
        assert_eq!(calls.lock().unwrap().len(), 1, "a 45 ms stream within one gap-extended batch");

        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(50), Duration::from_millis(60), 100, fake(calls.clone()));
        staggered(&b, 100, 40, Duration::from_millis(5)).await;
        let n = calls.lock().unwrap().len();
        assert!((3..=8).contains(&n), "a 200 ms stream is cut every ~60 ms: {n} fetches");
    }

    #[tokio::test]
    async fn one_fetch_in_flight_collects_the_next_batch_meanwhile() {
        // Each fetch takes 5 ms (the fake); keys arrive one every 2 ms, with a 1 ms gap: without
        // the in-flight limit nearly every key would be its own batch.
        let calls = Calls::default();
        let b = Batcher::with_in_flight(Duration::from_millis(1), Duration::from_millis(1), 100, 1, fake(calls.clone()));
        let got = staggered(&b, 200, 30, Duration::from_millis(2)).await;
        assert_eq!(got, (200..230).map(|k| (k % 2 == 0).then_some(k * 10)).collect::<Vec<_>>());
        let n = calls.lock().unwrap().len();
        assert!(n <= 15, "30 keys over ~60 ms with one 5 ms fetch at a time: {n} fetches");
    }

    #[tokio::test]
    async fn an_adaptive_gap_follows_slow_arrivals() {
        // Keys 30 ms apart: a fixed 10 ms gap sends each alone; the adaptive gap (twice the mean
        // time between keys, at most 100 ms) keeps the batch open up to max_wait.
        let calls = Calls::default();
        let b = Batcher::adaptive(
            Duration::from_millis(10),
            Duration::from_millis(100),
            Duration::from_millis(400),
            100,
            1,
            fake(calls.clone()),
        );
        staggered(&b, 300, 12, Duration::from_millis(30)).await;
        let n = calls.lock().unwrap().len();
        assert!(n <= 4, "12 keys 30 ms apart: {n} fetches");
        let calls = Calls::default();
        let b = Batcher::with_in_flight(Duration::from_millis(10), Duration::from_millis(400), 100, 1, fake(calls.clone()));
        staggered(&b, 300, 12, Duration::from_millis(30)).await;
        let fixed = calls.lock().unwrap().len();
        assert!(fixed >= 8, "with a fixed 10 ms gap nearly every key goes alone: {fixed} fetches");
    }

    /// A paced bucket with no token at first and one more every `every` after `start`, and a
    /// fetch that (as the paced HTTP client does) waits for its token, then records when it went
    /// and with which keys.
    #[derive(Clone)]
    struct FakeBucket {
        start: Instant,
        every: Duration,
        taken: Arc<Mutex<u32>>,
        sent: Sent,
    }

    /// When each call went, and with which keys.
    type Sent = Arc<Mutex<Vec<(Instant, Vec<u32>)>>>;

    impl FakeBucket {
        fn new(every: Duration) -> Self {
            FakeBucket { start: Instant::now(), every, taken: Arc::default(), sent: Arc::default() }
        }
        fn until_token(&self) -> Duration {
            (self.start + self.every * (*self.taken.lock().unwrap() + 1)).saturating_duration_since(Instant::now())
        }
        fn fetch(&self) -> impl Fn(Vec<u32>) -> futures::future::BoxFuture<'static, Result<HashMap<u32, u32>, AwsError>> {
            let bucket = self.clone();
            move |keys: Vec<u32>| {
                let bucket = bucket.clone();
                Box::pin(async move {
                    let due = {
                        let mut taken = bucket.taken.lock().unwrap();
                        *taken += 1;
                        bucket.start + bucket.every * *taken
                    };
                    tokio::time::sleep_until(due).await;
                    bucket.sent.lock().unwrap().push((Instant::now(), keys.clone()));
                    Ok(keys.into_iter().map(|k| (k, k)).collect())
                })
            }
        }
        /// The longest time a key waited from its get to the call that carried it.
        fn longest_wait(&self, asked: &HashMap<u32, Instant>) -> Duration {
            let sent = self.sent.lock().unwrap();
            sent.iter().flat_map(|(at, keys)| keys.iter().map(|k| at.saturating_duration_since(asked[k]))).max().unwrap()
        }
    }

    /// 12 keys, one every 25 ms, each on its own task; when each was asked for.
    async fn asked_every_25ms(b: &Batcher<u32, u32>) -> HashMap<u32, Instant> {
        let tasks: Vec<_> = (0..12u32)
            .map(|k| {
                let b = b.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(25) * k).await;
                    let asked = Instant::now();
                    assert_eq!(b.get(k).await.unwrap(), Some(k));
                    (k, asked)
                })
            })
            .collect();
        futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect()
    }

    #[tokio::test]
    async fn a_gated_batch_goes_when_the_token_is_there_and_no_key_waits_for_two() {
        // A token every 200 ms, keys every 25 ms: each call carries the keys of one token's wait.
        let every = Duration::from_millis(200);
        let bucket = FakeBucket::new(every);
        let gate = {
            let bucket = bucket.clone();
            Arc::new(move || bucket.until_token())
        };
        let b = Batcher::gated(Duration::from_millis(10), Duration::from_millis(50), 100, 1, gate, bucket.fetch());
        let asked = asked_every_25ms(&b).await;
        let gated = bucket.longest_wait(&asked);
        let calls = bucket.sent.lock().unwrap().len();
        assert!(gated < every + Duration::from_millis(80), "a key waited {gated:?}, more than one token's {every:?}");
        assert!(calls <= 3, "12 keys over 275 ms at a token every 200 ms: {calls} calls");

        // Closed first, then waiting for its token in the fetch: a key that arrives meanwhile
        // waits for that token and then for its own batch's.
        let bucket = FakeBucket::new(every);
        let b = Batcher::with_in_flight(Duration::from_millis(10), Duration::from_millis(50), 100, 1, bucket.fetch());
        let asked = asked_every_25ms(&b).await;
        let ungated = bucket.longest_wait(&asked);
        assert!(ungated > gated + Duration::from_millis(100), "ungated {ungated:?} against gated {gated:?}");
    }

    #[tokio::test]
    async fn get_all_returns_the_found_values_in_one_batch() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(5), Duration::from_millis(50), 100, fake(calls.clone()));
        assert_eq!(b.get_all(&[1, 2, 3, 4, 4]).await.unwrap(), vec![20, 40, 40]);
        assert_eq!(calls.lock().unwrap().len(), 1);
        assert!(b.get_all(&[12, 13]).await.unwrap_err().code_is("Boom"));
        assert_eq!(calls.lock().unwrap().len(), 4, "the failed batch, then 12 and 13 alone");
        assert_eq!(b.get_all(&[]).await.unwrap(), Vec::<u32>::new());
        assert_eq!(calls.lock().unwrap().len(), 4, "no fetch for no keys");
    }

    #[tokio::test]
    async fn memo_fetches_once_per_key_and_forgets_errors() {
        use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
        let memo: Arc<Memo<&str, u32>> = Arc::default();
        let fetches = Arc::new(AtomicU32::new(0));
        // Fails while `fail` is set; sleeps so that concurrent callers overlap.
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let get = |key: &'static str| {
            let (memo, fetches, fail) = (memo.clone(), fetches.clone(), fail.clone());
            async move {
                memo.get(key, || async move {
                    fetches.fetch_add(1, SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    match fail.load(SeqCst) {
                        true => Err(AwsError::new("Fake", Some("Throttling"), "slow down")),
                        false => Ok(key.len() as u32),
                    }
                })
                .await
            }
        };
        // Ten concurrent callers share one failing fetch, and all see its error.
        let r = futures::future::join_all((0..10).map(|_| get("abc"))).await;
        assert!(r.iter().all(|r| r.as_ref().unwrap_err().is_throttling()));
        assert_eq!(fetches.load(SeqCst), 1);
        // The error was not kept: the next callers fetch again, once, and the value is kept.
        fail.store(false, SeqCst);
        let r = futures::future::join_all((0..10).map(|_| get("abc"))).await;
        assert!(r.iter().all(|r| r == &Ok(3)));
        assert_eq!(fetches.load(SeqCst), 2);
        fail.store(true, SeqCst);
        assert_eq!(get("abc").await, Ok(3), "stored value, no fetch");
        assert_eq!(fetches.load(SeqCst), 2);
        // Another key has its own fetch.
        fail.store(false, SeqCst);
        assert_eq!(get("abcdef").await, Ok(6));
        assert_eq!(fetches.load(SeqCst), 3);
    }
}
