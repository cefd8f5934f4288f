//! Changing an endpoint's associations one at a time: EC2 refuses a ModifyVpcEndpoint while
//! another is in progress on the same endpoint (`OperationInProgress`, `IncorrectState`), which
//! is what many association resources on one endpoint, applied concurrently, run into
//! (terraform-provider-aws #3382, #42875). Calls here are serialised per endpoint within the
//! process and retried, with backoff, while EC2 answers that the endpoint is busy. Every
//! association resource (route tables, subnets, security groups, the policy, private DNS) changes
//! its endpoint through here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{retry_while_busy, AwsError, Ec2, SdkResultExt};

/// The per-endpoint locks of an [`Ec2`] handle and its clones (one per endpoint ever modified
/// through them).
#[derive(Default)]
pub(super) struct Locks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl Locks {
    /// The lock of `endpoint_id`.
    fn of(&self, endpoint_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(endpoint_id.to_owned()).or_default().clone()
    }
}

/// What an association adds to or removes from an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    RouteTable,
    Subnet,
    SecurityGroup,
}

impl Ec2 {
    /// ModifyVpcEndpoint built by `build` (from the request naming the endpoint), exclusively for
    /// the endpoint in this process, retried while EC2 says the endpoint is busy
    /// ([`retry_while_busy`]), until `timeout` (then the last refusal) or `cancel`.
    pub(crate) async fn modify_endpoint_exclusive<F>(
        &self,
        endpoint_id: &str,
        build: F,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(), AwsError>
    where
        F: Fn(ModifyVpcEndpointFluentBuilder) -> ModifyVpcEndpointFluentBuilder,
    {
        let lock = self.inner.locks.of(endpoint_id);
        let _held = lock.lock().await;
        retry_while_busy(Instant::now() + timeout, cancel, || async {
            build(self.client().modify_vpc_endpoint().vpc_endpoint_id(endpoint_id)).send().await.aws_op("ModifyVpcEndpoint").map(|_| ())
        })
        .await
    }

    /// [`Ec2::modify_endpoint_exclusive`] adding and removing route tables, subnets or security groups.
    pub(crate) async fn modify_members_exclusive(
        &self,
        endpoint_id: &str,
        member: Member,
        add: &[String],
        remove: &[String],
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(), AwsError> {
        let some = |ids: &[String]| (!ids.is_empty()).then(|| ids.to_vec());
        let build = |req: ModifyVpcEndpointFluentBuilder| match member {
            Member::RouteTable => req.set_add_route_table_ids(some(add)).set_remove_route_table_ids(some(remove)),
            Member::Subnet => req.set_add_subnet_ids(some(add)).set_remove_subnet_ids(some(remove)),
            Member::SecurityGroup => req.set_add_security_group_ids(some(add)).set_remove_security_group_ids(some(remove)),
        };
        self.modify_endpoint_exclusive(endpoint_id, build, timeout, cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_per_endpoint() {
        let locks = Locks::default();
        assert!(Arc::ptr_eq(&locks.of("vpce-a"), &locks.of("vpce-a")));
        assert!(!Arc::ptr_eq(&locks.of("vpce-a"), &locks.of("vpce-b")));
    }
}
