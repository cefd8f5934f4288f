//! What every resource and data source operation gets ([`Ctx`]) and what configuring the
//! provider yields ([`Configured`]): the EC2 client, the provider's tag settings, the plan's
//! route table claims and the stop signal. tfplugin builds a [`Ctx`] from the [`Configured`] client for every call.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::aws::Ec2;
use crate::resources::ownership::Owners;
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
    /// Which resources of the configuration manage which members (route tables, subnets, security
    /// groups) of an endpoint (claimed at plan, shared by every call of the configured provider).
    pub(crate) owners: Owners,
    /// The provider's `traffic_advice`: whether the plan warns about traffic that bypasses an
    /// endpoint (NAT-routed subnets a gateway leaves out, security groups that shut out 443).
    pub(crate) advice: bool,
    /// The endpoints this process has seen in the state it works on.
    pub(crate) objects: Arc<StateObjects>,
}

/// The endpoints of the state this process works on, as far as Terraform's calls tell: refreshed
/// (ReadResource) and planned as live objects (PlanResourceChange with a prior state). Terraform
/// refreshes a *tainted* object and then plans its replacement as a create, with no prior state
/// and no private data; a *deposed* object (left by a failed `create_before_destroy`) is refreshed
/// and planned only for its destroy. So an endpoint that was refreshed here but, a moment later,
/// is still not planned as a live object is most likely one that this plan deletes: a conflict
/// with it is not EC2's refusal to come (see `ec2_rules`).
#[derive(Default)]
pub(crate) struct StateObjects {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    refreshed: HashSet<String>,
    live: HashSet<String>,
}

/// How long a conflict check waits for an endpoint refreshed here to be planned as a live object
/// (Terraform plans a live object right after refreshing it, in the same graph node).
const LIVE_PLAN_GRACE: Duration = Duration::from_secs(2);

impl StateObjects {
    fn with<T>(&self, f: impl FnOnce(&mut Seen) -> T) -> T {
        f(&mut self.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Terraform refreshed endpoint `id` (it is in this state).
    pub(crate) fn refreshed(&self, id: &str) {
        self.with(|s| s.refreshed.insert(id.to_string()));
    }

    /// Terraform planned endpoint `id` as a live object (with a configuration).
    pub(crate) fn planned_live(&self, id: &str) {
        self.with(|s| s.live.insert(id.to_string()));
    }

    /// Whether endpoint `id` is in this state but not planned as a live object, after waiting
    /// [`LIVE_PLAN_GRACE`] for that plan: a tainted or deposed object, which this plan deletes.
    pub(crate) async fn deleted_by_this_plan(&self, id: &str) -> bool {
        self.deleted_by_this_plan_within(id, LIVE_PLAN_GRACE).await
    }

    async fn deleted_by_this_plan_within(&self, id: &str, grace: Duration) -> bool {
        if !self.with(|s| s.refreshed.contains(id)) {
            return false;
        }
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            if self.with(|s| s.live.contains(id)) {
                return false;
            }
            if tokio::time::Instant::now() >= deadline {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[cfg(test)]
impl Ctx {
    /// A context with no default or ignored tags.
    pub(crate) fn new(ec2: Ec2, cancel: CancellationToken) -> Self {
        Ctx { ec2, tags: Arc::default(), cancel, owners: Owners::default(), advice: true, objects: Arc::default() }
    }
}

/// What configuring the provider yields: the EC2 client and the provider's tag settings.
#[derive(Clone)]
pub struct Configured {
    pub(crate) ec2: Ec2,
    pub(crate) tags: Arc<TagConfig>,
    /// The ownership claims of this configuration's plan (see [`Ctx::owners`]).
    pub(crate) owners: Owners,
    /// The provider's `traffic_advice` (default true).
    pub(crate) advice: bool,
    /// The endpoints this process has seen in the state it works on.
    pub(crate) objects: Arc<StateObjects>,
}

impl crate::protocol::resource::Context for Ctx {
    type Client = Configured;
    fn new(c: Configured, cancel: CancellationToken) -> Self {
        Ctx { ec2: c.ec2, tags: c.tags, cancel, owners: c.owners, advice: c.advice, objects: c.objects }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refreshed_and_never_planned_live_is_deleted_by_the_plan() {
        let objects = StateObjects::default();
        assert!(!objects.deleted_by_this_plan_within("vpce-1", Duration::from_millis(600)).await, "not in this state");
        objects.refreshed("vpce-1");
        assert!(objects.deleted_by_this_plan_within("vpce-1", Duration::from_millis(600)).await, "tainted or deposed");
        objects.refreshed("vpce-2");
        objects.planned_live("vpce-2");
        assert!(!objects.deleted_by_this_plan_within("vpce-2", Duration::from_millis(600)).await, "a live resource of the configuration");
        // Planned live while the check waits (the other resource's node is a moment behind).
        let objects = Arc::new(objects);
        objects.refreshed("vpce-3");
        let later = objects.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            later.planned_live("vpce-3");
        });
        assert!(!objects.deleted_by_this_plan_within("vpce-3", Duration::from_millis(600)).await);
    }
}
