//! Changing an endpoint's associations one at a time: EC2 refuses a ModifyVpcEndpoint while
//! another is in progress on the same endpoint (`OperationInProgress`, `IncorrectState`), which
//! is what many association resources on one endpoint, applied concurrently, run into
//! (terraform-provider-aws #3382, #42875). Calls here are serialised per endpoint within the
//! process and retried, with backoff, while EC2 answers that the endpoint is busy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{AwsError, Ec2, SdkResultExt};

/// EC2's "the endpoint is busy, try again" codes.
const BUSY: &[&str] = &["IncorrectState", "OperationInProgress", "IncorrectInstanceState"];
const FIRST_DELAY: Duration = Duration::from_millis(500);
const MAX_DELAY: Duration = Duration::from_secs(10);

/// The per-endpoint locks of this process.
fn lock_of(endpoint_id: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    locks.entry(endpoint_id.to_owned()).or_default().clone()
}

/// Whether an error says the endpoint is busy with another change.
pub fn is_busy(e: &AwsError) -> bool {
    e.code_in(BUSY)
}

impl Ec2 {
    /// ModifyVpcEndpoint adding and removing route tables, exclusively for the endpoint in this
    /// process, retried while EC2 says the endpoint is busy, until `timeout` (then the last
    /// error) or `cancel`.
    pub async fn modify_route_tables_exclusive(
        &self,
        endpoint_id: &str,
        add: &[String],
        remove: &[String],
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(), AwsError> {
        let lock = lock_of(endpoint_id);
        let _held = lock.lock().await;
        let deadline = Instant::now() + timeout;
        let mut delay = FIRST_DELAY;
        loop {
            let mut req = self.client().modify_vpc_endpoint().vpc_endpoint_id(endpoint_id);
            if !add.is_empty() {
                req = req.set_add_route_table_ids(Some(add.to_vec()));
            }
            if !remove.is_empty() {
                req = req.set_remove_route_table_ids(Some(remove.to_vec()));
            }
            match req.send().await.aws_op("ModifyVpcEndpoint") {
                Ok(_) => return Ok(()),
                Err(e) if is_busy(&e) && Instant::now() + delay < deadline => {
                    crate::debug!("the endpoint is busy; retrying ModifyVpcEndpoint", "id" => endpoint_id, "error" => e.to_string());
                    tokio::select! {
                        _ = cancel.cancelled() => return Err(e),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(MAX_DELAY);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_codes() {
        assert!(is_busy(&AwsError::new("ModifyVpcEndpoint", Some("OperationInProgress"), "x")));
        assert!(is_busy(&AwsError::new("ModifyVpcEndpoint", Some("IncorrectState"), "x")));
        assert!(!is_busy(&AwsError::new("ModifyVpcEndpoint", Some("InvalidParameter"), "x")));
        assert!(Arc::ptr_eq(&lock_of("vpce-a"), &lock_of("vpce-a")));
        assert!(!Arc::ptr_eq(&lock_of("vpce-a"), &lock_of("vpce-b")));
    }
}
