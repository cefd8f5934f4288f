//! Split ownership, the EC2 side: the hidden tags by which a separate resource (`vpce_policy`,
//! `vpce_private_dns`) tells the endpoint's own resource that it manages one of the endpoint's
//! settings, and the ModifyVpcEndpoint calls those resources make.
//!
//! The tag key is [`MANAGED_BY_PREFIX`] followed by the endpoint attribute (`policy`,
//! `private_dns_enabled`); its value is the fingerprint of the Terraform state that holds the
//! separate resource. Like the creation marker, these tags are never shown in `tags` or
//! `tags_all` ([`is_hidden_tag`]) and cannot be configured.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;
use tokio_util::sync::CancellationToken;

use super::{AwsError, Ec2, PolicyChange};

/// The prefix of the split-ownership tags (never shown in `tags`).
pub const MANAGED_BY_PREFIX: &str = "terraform-provider-vpce:managed-by:";

/// The tag key that marks `attr` of an endpoint as managed by a separate resource.
pub(crate) fn managed_by_key(attr: &str) -> String {
    format!("{MANAGED_BY_PREFIX}{attr}")
}

/// The owner (state fingerprint) of the separate resource managing `attr` of `ep`, if one does.
pub(crate) fn managed_by<'a>(ep: &'a VpcEndpoint, attr: &str) -> Option<&'a str> {
    let key = managed_by_key(attr);
    ep.tags().iter().find(|t| t.key() == Some(key.as_str())).map(|t| t.value().unwrap_or_default())
}

/// Whether a tag key is one of the provider's own hidden tags (the creation marker, the
/// split-ownership tags).
pub(crate) fn is_hidden_tag(key: &str) -> bool {
    key == super::CREATE_MARKER || key.starts_with(MANAGED_BY_PREFIX)
}

impl Ec2 {
    /// Marks `attr` of endpoint `id` as managed by a separate resource of state `owner`.
    pub(crate) async fn mark_managed_by(&self, id: &str, attr: &str, owner: &str) -> Result<(), AwsError> {
        self.create_tags(id, &BTreeMap::from([(managed_by_key(attr), owner.to_string())])).await
    }

    /// Removes the mark of `attr` from endpoint `id`.
    pub(crate) async fn unmark_managed_by(&self, id: &str, attr: &str) -> Result<(), AwsError> {
        self.delete_tags(id, &[managed_by_key(attr)]).await
    }

    /// Sets or resets the policy of endpoint `id`, exclusively and retried while it is busy
    /// ([`Ec2::modify_endpoint_exclusive`]).
    pub(crate) async fn modify_policy_exclusive(
        &self,
        id: &str,
        change: &PolicyChange,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(), AwsError> {
        let build = |req: aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder| match change {
            PolicyChange::Set(p) => req.policy_document(p),
            PolicyChange::Reset => req.reset_policy(true),
        };
        self.modify_endpoint_exclusive(id, build, timeout, cancel).await
    }

    /// Switches private DNS of endpoint `id`, exclusively and retried while it is busy.
    pub(crate) async fn modify_private_dns_exclusive(
        &self,
        id: &str,
        enabled: bool,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(), AwsError> {
        self.modify_endpoint_exclusive(id, |req| req.private_dns_enabled(enabled), timeout, cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Tag;

    #[test]
    fn marks_are_hidden_and_found() {
        let ep = VpcEndpoint::builder()
            .tags(Tag::builder().key(managed_by_key("policy")).value("abc").build())
            .tags(Tag::builder().key("Name").value("x").build())
            .build();
        assert_eq!(managed_by(&ep, "policy"), Some("abc"));
        assert_eq!(managed_by(&ep, "private_dns_enabled"), None);
        assert!(is_hidden_tag("terraform-provider-vpce:managed-by:policy"));
        assert!(is_hidden_tag(crate::aws::CREATE_MARKER));
        assert!(!is_hidden_tag("Name"));
        assert_eq!(crate::aws::tags_from_ec2(ep.tags()).keys().collect::<Vec<_>>(), ["Name"]);
    }
}
