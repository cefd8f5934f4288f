//! What every resource and data source operation gets ([`Ctx`]) and what configuring the
//! provider yields ([`Configured`]): the EC2 client, the provider's tag settings, the plan's
//! route table claims and the stop signal. tfplugin builds a [`Ctx`] from the [`Configured`] client for every call.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::aws::Ec2;
use crate::resources::ownership::RouteTableOwners;
use crate::resources::tags::TagConfig;

/// What every resource operation gets: the configured EC2 client, the provider's tag settings
/// and the stop signal.
#[derive(Clone)]
pub struct Ctx {
    pub(crate) ec2: Ec2,
    /// The provider's `default_tags` and `ignore_tags`.
    pub(crate) tags: Arc<TagConfig>,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): long waits must end promptly.
    pub(crate) cancel: CancellationToken,
    /// Which resources of the configuration manage which route tables of an endpoint (claimed
    /// at plan, shared by every call of the configured provider).
    pub(crate) owners: RouteTableOwners,
    /// The provider's `traffic_advice`: whether the plan warns about traffic that bypasses an
    /// endpoint (NAT-routed subnets a gateway leaves out, security groups that shut out 443).
    pub(crate) advice: bool,
}

#[cfg(test)]
impl Ctx {
    /// A context with no default or ignored tags.
    pub(crate) fn new(ec2: Ec2, cancel: CancellationToken) -> Self {
        Ctx { ec2, tags: Arc::default(), cancel, owners: RouteTableOwners::default(), advice: true }
    }
}

/// What configuring the provider yields: the EC2 client and the provider's tag settings.
#[derive(Clone)]
pub struct Configured {
    pub(crate) ec2: Ec2,
    pub(crate) tags: Arc<TagConfig>,
    /// The route table claims of this configuration's plan (see [`Ctx::owners`]).
    pub(crate) owners: RouteTableOwners,
    /// The provider's `traffic_advice` (default true).
    pub(crate) advice: bool,
}

impl crate::protocol::resource::Context for Ctx {
    type Client = Configured;
    fn new(c: Configured, cancel: CancellationToken) -> Self {
        Ctx { ec2: c.ec2, tags: c.tags, cancel, owners: c.owners, advice: c.advice }
    }
}
