//! A small request coalescer: lookups arriving within a short window share one fetch.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::AwsError;

type Reply<V> = oneshot::Sender<Result<Option<V>, AwsError>>;

/// Coalesces concurrent `get(key)` calls into one `fetch(keys)` call per window.
///
/// A batch is closed `window` after its first key arrives, or as soon as it holds `max_batch`
/// distinct keys; its fetch then runs in its own task while the next batch collects. `fetch`
/// returns the values found; keys absent from its map resolve to `None`, and a failed fetch
/// fails every key of the batch with a clone of its error. The background task ends when the
/// last `Batcher` clone is dropped.
pub struct Batcher<K, V> {
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
    pub fn new<F, Fut>(window: Duration, max_batch: usize, fetch: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(collect(rx, window, max_batch.max(1), fetch));
        Batcher { tx }
    }

    pub async fn get(&self, key: K) -> Result<Option<V>, AwsError> {
        let stopped = || AwsError::new("batch lookup", None, "the request batcher has stopped");
        let (reply, rx) = oneshot::channel();
        self.tx.send((key, reply)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

async fn collect<K, V, F, Fut>(
    mut rx: mpsc::UnboundedReceiver<(K, Reply<V>)>,
    window: Duration,
    max_batch: usize,
    fetch: F,
) where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
    F: Fn(Vec<K>) -> Fut,
    Fut: Future<Output = Result<HashMap<K, V>, AwsError>> + Send + 'static,
{
    while let Some((key, reply)) = rx.recv().await {
        let deadline = Instant::now() + window;
        let mut waiters: HashMap<K, Vec<Reply<V>>> = HashMap::new();
        waiters.entry(key).or_default().push(reply);
        while waiters.len() < max_batch {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((key, reply))) => waiters.entry(key).or_default().push(reply),
                Ok(None) | Err(_) => break,
            }
        }
        let pending = fetch(waiters.keys().cloned().collect());
        tokio::spawn(async move {
            let result = pending.await.map(Arc::new);
            for (key, replies) in waiters {
                let value = match &result {
                    Ok(found) => Ok(found.get(&key).cloned()),
                    Err(e) => Err(e.clone()),
                };
                for reply in replies {
                    let _ = reply.send(value.clone());
                }
            }
        });
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
        let b = Batcher::new(Duration::from_millis(20), 100, fake(calls.clone()));
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
    async fn max_batch_splits_and_errors_reach_only_their_batch() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(20), 5, fake(calls.clone()));
        let results =
            futures::future::join_all((10..20u32).map(|k| { let b = b.clone(); async move { (k, b.get(k).await) } })).await;
        let calls = calls.lock().unwrap().clone();
        assert_eq!(calls.len(), 2, "{calls:?}");
        for (k, r) in results {
            let failed_batch = calls.iter().find(|c| c.contains(&k)).unwrap().contains(&13);
            match r {
                Err(e) => assert!(failed_batch && e.code_is("Boom")),
                Ok(v) => assert!(!failed_batch && v == (k % 2 == 0).then_some(k * 10)),
            }
        }
    }

    #[tokio::test]
    async fn sequential_gets_use_separate_fetches() {
        let calls = Calls::default();
        let b = Batcher::new(Duration::from_millis(1), 100, fake(calls.clone()));
        assert_eq!(b.get(2).await.unwrap(), Some(20));
        assert_eq!(b.get(3).await.unwrap(), None);
        assert_eq!(calls.lock().unwrap().len(), 2);
    }
}
