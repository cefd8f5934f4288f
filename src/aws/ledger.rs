//! The pacing buckets shared by the provider processes of one machine: one small file per EC2
//! action and endpoint, read and written under an exclusive file lock.
//!
//! EC2's buckets belong to the account and region, so K Terraform runs started at once draw on
//! the same tokens; each process alone cannot tell how many others there are until it is
//! throttled. Runs started from one machine (`terragrunt run-all`, Atlantis, a CI runner with
//! parallel jobs, and the several provider processes Terraform itself starts one after the
//! other) need no server to agree: the file system they already share holds the bucket. A
//! process that wants a token locks the bucket's file, refills the count it finds there by the
//! time elapsed, takes one (the count may go negative: a reservation, the later callers queue
//! behind it) and writes it back. So the K runs together start with one bucketful, not K, and
//! send at the bucket's rate between them.
//!
//! Unix only (`flock`): elsewhere each process keeps its own buckets.
//!
//! The file holds `tokens at` (the count and the wall-clock second it was counted, since the
//! Unix epoch). A file that cannot be opened, locked or read makes [`Ledger::with`] answer `None`:
//! the caller falls back to its own bucket (pacing never fails a request).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// A bucket's shared state: the token count and when it was counted (seconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Count {
    pub(crate) tokens: f64,
    pub(crate) at: f64,
}

impl Count {
    /// The count refilled at `rate` up to `capacity` by `now` (a clock that went back refills nothing).
    pub(crate) fn refilled(self, now: f64, capacity: f64, rate: f64) -> f64 {
        (self.tokens + (now - self.at).max(0.0) * rate).min(capacity)
    }
}

/// The directory of shared buckets and the scope (endpoint and region) of this process's files.
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    dir: PathBuf,
    scope: String,
}

impl Ledger {
    /// The ledger in `dir`, for requests to `scope` (the EC2 endpoint and region: runs against
    /// another region or another endpoint have other buckets). `None` if the directory cannot
    /// be made.
    pub(crate) fn open(dir: PathBuf, scope: &str) -> Option<Ledger> {
        std::fs::create_dir_all(&dir).ok()?;
        Some(Ledger { dir, scope: format!("{:016x}", fnv(scope.as_bytes())) })
    }

    /// The file of bucket `key` (an action, `#unfiltered` for the smaller Describe buckets).
    fn path(&self, key: &str) -> PathBuf {
        let key: String = key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        self.dir.join(format!("{}-{key}.pace", self.scope))
    }

    /// Runs `f` on bucket `key`'s count (`None`: no process has used it yet) at the current
    /// wall-clock time, under the file's lock, and stores the count `f` leaves. `None` when the
    /// file could not be used.
    pub(crate) fn with<R>(&self, key: &str, f: impl FnOnce(&mut Option<Count>, f64) -> R) -> Option<R> {
        let mut file: File = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(self.path(key)).ok()?;
        lock(&file)?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        let mut count = parse(&text);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
        let result = f(&mut count, now);
        if let Some(c) = count {
            let line = format!("{} {}\n", c.tokens, c.at);
            file.seek(SeekFrom::Start(0)).ok()?;
            file.set_len(0).ok()?;
            file.write_all(line.as_bytes()).ok()?;
        }
        Some(result)
        // The lock goes with the file.
    }
}

/// Takes the exclusive lock of `file` (released when the file is closed): `flock`, which the
/// processes of one machine share. Elsewhere than Unix there is no ledger (each process paces
/// with its own buckets, as with `VPCE_EC2_PACING_DIR=off`).
#[cfg(unix)]
fn lock(file: &File) -> Option<()> {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: flock on a file descriptor this function borrows for the call.
        match unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } {
            0 => return Some(()),
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => continue,
            _ => return None,
        }
    }
}

#[cfg(not(unix))]
fn lock(_file: &File) -> Option<()> {
    None
}

/// More requests than any run queues for one bucket.
const MAX_QUEUED: f64 = 100_000.0;

fn parse(text: &str) -> Option<Count> {
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok().filter(|x| x.is_finite()));
    let count = Count { tokens: parts.next()??, at: parts.next()?? };
    // A count no run could have left (a damaged file) would hold every request: start afresh.
    (count.tokens > -MAX_QUEUED).then_some(count)
}

/// FNV-1a: a stable file name for a scope (std's hasher is seeded per process).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn temp_ledger(name: &str) -> Ledger {
        let dir = std::env::temp_dir().join(format!("vpce-ledger-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Ledger::open(dir, "http://127.0.0.1:1 us-east-1").unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn counts_persist_between_uses_and_scopes_are_apart() {
        let ledger = temp_ledger("persist");
        assert_eq!(ledger.with("CreateVpcEndpoint", |c, _| c.is_none()), Some(true));
        ledger.with("CreateVpcEndpoint", |c, now| *c = Some(Count { tokens: -2.5, at: now })).unwrap();
        let back = ledger.with("CreateVpcEndpoint", |c, _| *c).unwrap().unwrap();
        assert_eq!(back.tokens, -2.5);
        // Another action, another scope: their own files.
        assert_eq!(ledger.with("DescribeVpcEndpoints#unfiltered", |c, _| c.is_none()), Some(true));
        let other = Ledger::open(ledger.dir.clone(), "https://ec2.eu-west-1.amazonaws.com eu-west-1").unwrap();
        assert_eq!(other.with("CreateVpcEndpoint", |c, _| c.is_none()), Some(true));
        let _ = std::fs::remove_dir_all(&ledger.dir);
    }

    #[cfg(unix)]
    #[test]
    fn concurrent_takers_never_lose_a_take() {
        // Eight threads (as eight processes would) take 50 tokens each under the lock.
        let ledger = temp_ledger("concurrent");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let ledger = ledger.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        ledger
                            .with("CreateVpcEndpoint", |c, now| {
                                let t = c.map_or(0.0, |c| c.tokens);
                                *c = Some(Count { tokens: t - 1.0, at: now });
                            })
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(ledger.with("CreateVpcEndpoint", |c, _| c.unwrap().tokens), Some(-400.0));
        let _ = std::fs::remove_dir_all(&ledger.dir);
    }

    #[test]
    fn refill_is_bounded_and_ignores_a_clock_going_back() {
        let c = Count { tokens: -1.0, at: 100.0 };
        assert_eq!(c.refilled(110.0, 4.0, 0.3), 2.0);
        assert_eq!(c.refilled(1000.0, 4.0, 0.3), 4.0);
        assert_eq!(c.refilled(90.0, 4.0, 0.3), -1.0);
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse("-1e9 2"), None);
        assert_eq!(parse("1.5 2"), Some(Count { tokens: 1.5, at: 2.0 }));
    }
}
