//! Crash-safe creates, the EC2 side: a creation marker tag, the lookup of marked endpoints, the
//! process's claims on endpoints, and the halt of writes when the provider must stop.
//!
//! Every CreateVpcEndpoint carries the tag [`CREATE_MARKER`] (set atomically with the endpoint
//! through TagSpecifications) whose value is `FINGERPRINT.CLIENT_TOKEN`. An endpoint that still
//! carries it was created by a create whose result may never have reached Terraform's state; the
//! marker is removed once the endpoint is seen again through Terraform's state (read, update), so
//! a marked endpoint that no state knows is an orphan that the next create of the same endpoint
//! adopts instead of creating a duplicate. See docs/guides/crash-safety.md.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ec2::types::{Filter, Tag, VpcEndpoint};
use tokio_util::task::TaskTracker;

use super::batch::Memo;
use super::batch::{Batcher, BATCH_MAX_IDS, BATCH_MAX_WAIT, BATCH_WINDOW};
use super::{state_str, AwsError, Ec2, SdkResultExt};

/// The key of the creation marker tag (never shown in `tags`).
pub const CREATE_MARKER: &str = "terraform-provider-vpce:create";

/// The marker's value: which settings the create had, which Terraform state it was made for
/// (`owner`, a fingerprint of the state's identity), and its ClientToken.
pub(crate) fn marker_value(fingerprint: &str, owner: &str, token: &str) -> String {
    format!("{fingerprint}.{owner}.{token}")
}

/// A marker's value, read back: `FINGERPRINT.OWNER.TOKEN`. Markers written before the owner was
/// part of them (`FINGERPRINT.TOKEN`) have no owner: no state can claim them as its own.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marker<'a> {
    pub(crate) fingerprint: &'a str,
    pub(crate) owner: Option<&'a str>,
    pub(crate) token: &'a str,
}

impl<'a> Marker<'a> {
    pub(crate) fn parse(value: &'a str) -> Marker<'a> {
        let parts: Vec<&str> = value.splitn(3, '.').collect();
        match parts[..] {
            [fingerprint, owner, token] => Marker { fingerprint, owner: Some(owner), token },
            [fingerprint, token] => Marker { fingerprint, owner: None, token },
            _ => Marker { fingerprint: "", owner: None, token: value },
        }
    }
}

/// What a create looks for among the orphans of interrupted creates ([`Ec2::find_orphans`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrphanQuery<'a> {
    pub(crate) vpc_id: &'a str,
    /// The full service name (or a Resource or ServiceNetwork endpoint's Lattice ARN).
    pub(crate) service: &'a str,
    /// As EC2 spells it (`Gateway`).
    pub(crate) endpoint_type: &'a str,
    /// The fingerprint of the create's settings.
    pub(crate) fingerprint: &'a str,
    /// The fingerprint of the Terraform state the create is for.
    pub(crate) owner: &'a str,
    /// The tags the create sets (the marker aside).
    pub(crate) tags: &'a BTreeMap<String, String>,
}

/// The marker tag of an endpoint, if it carries one.
pub(crate) fn marker_of(ep: &VpcEndpoint) -> Option<&str> {
    ep.tags().iter().find(|t| t.key() == Some(CREATE_MARKER)).and_then(|t| t.value())
}

/// A stable 64-bit FNV-1a fingerprint of a create's settings, as 16 hex digits.
pub(crate) fn fingerprint(settings: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in settings.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// The batcher's fetch: the marked endpoints of each VPC (one paginated DescribeVpcEndpoints for
/// the whole batch of VPCs).
fn marked_batcher(client: &aws_sdk_ec2::Client) -> Batcher<String, Vec<VpcEndpoint>> {
    let client = client.clone();
    Batcher::new(BATCH_WINDOW, BATCH_MAX_WAIT, BATCH_MAX_IDS, move |vpcs: Vec<String>| {
        let client = client.clone();
        async move {
            let pages = client
                .describe_vpc_endpoints()
                .filters(Filter::builder().name("vpc-id").set_values(Some(vpcs)).build())
                .filters(Filter::builder().name("tag-key").values(CREATE_MARKER).build())
                .into_paginator();
            let found: Vec<VpcEndpoint> = pages.items().send().try_collect().await.aws_op("DescribeVpcEndpoints")?;
            let mut by_vpc: HashMap<String, Vec<VpcEndpoint>> = HashMap::new();
            for ep in found.into_iter().filter(|e| marker_of(e).is_some()) {
                if let Some(vpc) = ep.vpc_id() {
                    by_vpc.entry(vpc.to_owned()).or_default().push(ep);
                }
            }
            Ok(by_vpc)
        }
    })
}

/// The batcher of marker removals: one DeleteTags of the marker key for a batch of endpoints.
fn unmark_batcher(client: &aws_sdk_ec2::Client) -> Batcher<String, ()> {
    let client = client.clone();
    Batcher::new(BATCH_WINDOW, BATCH_MAX_WAIT, BATCH_MAX_IDS, move |ids: Vec<String>| {
        let client = client.clone();
        async move {
            let tag = Tag::builder().key(CREATE_MARKER).build();
            client.delete_tags().set_resources(Some(ids.clone())).tags(tag).send().await.aws_op("DeleteTags")?;
            Ok(ids.into_iter().map(|id| (id, ())).collect())
        }
    })
}

impl Ec2 {
    /// The endpoints of `vpc_id` that carry a creation marker (any state).
    pub(crate) async fn find_marked_endpoints(&self, vpc_id: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
        Ok(self.inner.markers.marked.get(vpc_id.to_owned()).await?.unwrap_or_default())
    }

    /// The endpoint a create with ClientToken `token` made, if any (found by its marker).
    pub(crate) async fn find_created_by(&self, vpc_id: &str, token: &str) -> Result<Option<VpcEndpoint>, AwsError> {
        let suffix = format!(".{token}");
        let found = self.find_marked_endpoints(vpc_id).await?;
        Ok(found.into_iter().find(|e| marker_of(e).is_some_and(|m| m.ends_with(&suffix)) && state_str(e) != "deleted"))
    }

    /// Every marked endpoint of the region, listed once per process (by its first create): the
    /// orphans of interrupted creates are there from before this process started, and what this
    /// process creates later is claimed by it, so a later listing would find nothing more to
    /// adopt. One paginated call instead of one per VPC and create.
    async fn marked_snapshot(&self) -> Result<Vec<VpcEndpoint>, AwsError> {
        let client = self.client().clone();
        self.inner
            .markers
            .marked_all
            .get(String::new(), || async move {
                let pages = client
                    .describe_vpc_endpoints()
                    .filters(Filter::builder().name("tag-key").values(CREATE_MARKER).build())
                    .into_paginator();
                let found: Vec<VpcEndpoint> = pages.items().send().try_collect().await.aws_op("DescribeVpcEndpoints")?;
                Ok(found.into_iter().filter(|e| marker_of(e).is_some()).collect())
            })
            .await
    }

    /// Claims `key` (an endpoint id or a ClientToken) for this process: true the first time. A
    /// claimed endpoint is never adopted by another resource of this process.
    pub(crate) fn claim(&self, key: &str) -> bool {
        claim(&self.inner.markers.claims, key)
    }

    /// Looks for orphans of interrupted creates of the same Terraform state for a create `q`
    /// (in the process's listing of marked endpoints, see `marked_snapshot`): marked, live
    /// endpoints of the VPC of the same type and service whose marker names the same state
    /// (`q.owner`), whose create is not in flight in this process and which this process has not
    /// seen in a state. Of those made with exactly the same settings (`q.fingerprint`), the
    /// oldest whose tags are the create's is preferred, else the oldest: it is claimed for the
    /// caller and returned as `adopt`. The ids of the same state's orphans made with other
    /// settings are returned for a warning. Endpoints marked by another state (or by a version
    /// that wrote no owner) are neither adopted nor reported: they may be in that state already.
    pub(crate) async fn find_orphans(&self, q: &OrphanQuery<'_>) -> Result<Orphans, AwsError> {
        Ok(choose_orphans(&self.inner.markers.claims, self.marked_snapshot().await?, q))
    }

    /// Removes the creation marker of endpoint `id`, which Terraform's state holds (the caller has
    /// claimed it: [`Ec2::claim`]), in the background: the read that found the marker need not
    /// wait for the DeleteTags (under Terraform's parallelism of 10, a refresh of N new endpoints
    /// would otherwise cost N / 10 DeleteTags round trips one after the other), while the removals
    /// of concurrent reads still share calls. The process waits for them before it exits
    /// ([`Background::drain`]). A failed removal is logged; the next refresh tries again.
    pub(crate) fn clear_marker_in_background(&self, id: &str) {
        let (ec2, id) = (self.clone(), id.to_owned());
        self.inner.markers.background.0.spawn(async move {
            if let Err(e) = ec2.inner.markers.unmark.get(id.clone()).await {
                crate::debug!("could not remove the creation marker", "id" => id, "error" => e.to_string());
            }
        });
    }

    /// From now on no write (create, modify, delete, tag) is sent to EC2: the provider is stopping
    /// because Terraform went away. Reads still work.
    pub(crate) fn halt_writes(&self) {
        self.inner.markers.halted.store(true, Ordering::SeqCst);
    }

    pub(crate) fn writes_halted(&self) -> bool {
        self.inner.markers.halted.load(Ordering::SeqCst)
    }
}

/// EC2 writes still under way when their caller did not wait (marker removals). Clones share
/// the writes: the provider keeps one and gives it to every client it configures
/// ([`Ec2Config::background`](super::Ec2Config::background)), so that it can wait for them before
/// the process ends.
#[derive(Clone, Default)]
pub struct Background(TaskTracker);

impl Background {
    /// Waits, at most `limit`, for the writes started in the background to finish: when go-plugin
    /// asks the plugin to shut down (before answering; see `main.rs`) and before the process ends.
    /// True when none is left.
    pub async fn drain(&self, limit: Duration) -> bool {
        self.0.close();
        let done = tokio::time::timeout(limit, self.0.wait()).await.is_ok();
        if !done {
            crate::warn!(format!(
                "{} background EC2 write(s) still running at exit (creation markers stay until the next refresh)",
                self.0.len()
            ));
        }
        done
    }
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Background").field(&self.0.len()).finish()
    }
}

/// The state of crash-safe creates that an [`Ec2`] handle and its clones share: the lookups of
/// marked endpoints, the marker removals, the claims, the halt of writes and the writes started
/// in the background.
pub(super) struct Markers {
    /// DescribeVpcEndpoints of marked endpoints by VPC (crash-safe creates).
    marked: Batcher<String, Vec<VpcEndpoint>>,
    /// DescribeVpcEndpoints of every marked endpoint of the region, once per process (orphans).
    marked_all: Memo<String, Vec<VpcEndpoint>>,
    /// DeleteTags of the creation marker, batched.
    unmark: Batcher<String, ()>,
    /// Endpoint ids and ClientTokens this process has claimed.
    claims: Mutex<HashSet<String>>,
    /// Set when the provider must stop: every write is refused before it is sent (the pacer and
    /// the client's write watch share it).
    halted: Arc<AtomicBool>,
    /// Marker removals no caller waits for.
    background: Background,
}

impl Markers {
    /// Must be called inside a tokio runtime (the batchers spawn their tasks).
    pub(super) fn new(client: &aws_sdk_ec2::Client, halted: Arc<AtomicBool>, background: Background) -> Self {
        Markers {
            marked: marked_batcher(client),
            marked_all: Memo::default(),
            unmark: unmark_batcher(client),
            claims: Mutex::default(),
            halted,
            background,
        }
    }
}

/// What [`Ec2::find_orphans`] found.
#[derive(Debug, Default)]
pub(crate) struct Orphans {
    /// An orphan made with the same settings, now claimed by the caller.
    pub(crate) adopt: Option<VpcEndpoint>,
    /// Orphans of the same state, VPC, service and type made with other settings.
    pub(crate) others: Vec<String>,
}

/// [`Ec2::find_orphans`] over a listing of marked endpoints, claiming in `claims`.
fn choose_orphans(claims: &Claims, marked: Vec<VpcEndpoint>, q: &OrphanQuery<'_>) -> Orphans {
    let mut candidates: Vec<VpcEndpoint> = marked
        .into_iter()
        .filter(|e| e.vpc_id() == Some(q.vpc_id))
        .filter(|e| super::endpoint_target(e) == Some(q.service))
        .filter(|e| e.vpc_endpoint_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case(q.endpoint_type)))
        .filter(|e| !["deleting", "deleted", "failed", "rejected", "expired"].contains(&state_str(e).as_str()))
        .filter(|e| marker_of(e).is_some_and(|m| Marker::parse(m).owner == Some(q.owner)))
        .collect();
    // Oldest first; among the same settings, those whose tags already match first.
    candidates.sort_by_key(|e| (user_tags(e) != *q.tags, e.creation_timestamp().map(|t| t.secs())));
    let mut orphans = Orphans::default();
    for ep in candidates {
        let (Some(id), Some(marker)) = (ep.vpc_endpoint_id(), marker_of(&ep)) else { continue };
        let marker = Marker::parse(marker);
        if is_claimed(claims, marker.token) || is_claimed(claims, id) {
            continue;
        }
        if marker.fingerprint != q.fingerprint {
            orphans.others.push(id.to_owned());
        } else if orphans.adopt.is_none() && claim(claims, id) {
            orphans.adopt = Some(ep);
        }
    }
    orphans.others.sort();
    orphans
}

fn claim(claims: &Claims, key: &str) -> bool {
    claims.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_owned())
}

fn is_claimed(claims: &Claims, key: &str) -> bool {
    claims.lock().unwrap_or_else(|e| e.into_inner()).contains(key)
}

/// An endpoint's tags but the marker and AWS's own (`aws:`).
fn user_tags(ep: &VpcEndpoint) -> BTreeMap<String, String> {
    ep.tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or_default().to_owned())))
        .filter(|(k, _)| k != CREATE_MARKER && !k.starts_with("aws:"))
        .collect()
}

/// Keys already claimed, for [`Ec2`]'s state.
type Claims = Mutex<HashSet<String>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("vpc-1|s3|rtb-1"), fingerprint("vpc-1|s3|rtb-2"));
        assert_eq!(fingerprint("").len(), 16);
        assert_eq!(marker_value("00ff", "0a", "tok"), "00ff.0a.tok");
        assert_eq!(Marker::parse("00ff.0a.tok"), Marker { fingerprint: "00ff", owner: Some("0a"), token: "tok" });
        assert_eq!(Marker::parse("00ff.tok"), Marker { fingerprint: "00ff", owner: None, token: "tok" });
    }

    fn ep(id: &str, fingerprint: &str, owner: &str, created: i64, tags: &[(&str, &str)]) -> VpcEndpoint {
        let mut b = VpcEndpoint::builder()
            .vpc_endpoint_id(id)
            .vpc_id("vpc-1")
            .service_name("com.amazonaws.us-east-1.ssm")
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
            .state(aws_sdk_ec2::types::State::Available)
            .creation_timestamp(aws_sdk_ec2::primitives::DateTime::from_secs(created))
            .tags(Tag::builder().key(CREATE_MARKER).value(format!("{fingerprint}.{owner}.tok-{id}")).build());
        for (k, v) in tags {
            b = b.tags(Tag::builder().key(*k).value(*v).build());
        }
        b.build()
    }

    fn query<'a>(fingerprint: &'a str, owner: &'a str, tags: &'a BTreeMap<String, String>) -> OrphanQuery<'a> {
        OrphanQuery { vpc_id: "vpc-1", service: "com.amazonaws.us-east-1.ssm", endpoint_type: "Interface", fingerprint, owner, tags }
    }

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn adopted(o: &Orphans) -> Option<&str> {
        o.adopt.as_ref().and_then(|e| e.vpc_endpoint_id())
    }

    #[test]
    fn only_the_same_state_adopts_and_is_warned_about() {
        let claims = Claims::default();
        let none = tags(&[]);
        let listing = || vec![ep("vpce-a", "f1", "stateA", 1, &[]), ep("vpce-b", "f2", "stateA", 2, &[])];
        // Another state (B) with the same settings: nothing to adopt, nothing to warn about.
        let o = choose_orphans(&claims, listing(), &query("f1", "stateB", &none));
        assert_eq!((adopted(&o), o.others.len()), (None, 0));
        // A marker without an owner (written before owners existed) belongs to no state.
        let legacy = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-old")
            .vpc_id("vpc-1")
            .service_name("com.amazonaws.us-east-1.ssm")
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
            .state(aws_sdk_ec2::types::State::Available)
            .tags(Tag::builder().key(CREATE_MARKER).value("f1.tok").build())
            .build();
        assert!(choose_orphans(&claims, vec![legacy], &query("f1", "stateA", &none)).adopt.is_none());
        // The same state: the same settings are adopted (and claimed), others are reported.
        let o = choose_orphans(&claims, listing(), &query("f1", "stateA", &none));
        assert_eq!((adopted(&o), o.others.clone()), (Some("vpce-a"), vec!["vpce-b".to_string()]));
        // Claimed: a second create of this process does not take it again.
        let o = choose_orphans(&claims, listing(), &query("f1", "stateA", &none));
        assert_eq!(adopted(&o), None);
    }

    #[test]
    fn matching_tags_win_over_age_and_dead_endpoints_are_left() {
        let claims = Claims::default();
        let listing = || {
            vec![
                ep("vpce-0", "f", "s", 1, &[("Name", "x-0")]),
                ep("vpce-1", "f", "s", 2, &[("Name", "x-1")]),
                ep("vpce-2", "f", "s", 3, &[("Name", "x-2")]),
            ]
        };
        let want = tags(&[("Name", "x-2")]);
        assert_eq!(adopted(&choose_orphans(&claims, listing(), &query("f", "s", &want))), Some("vpce-2"));
        // No match left: the oldest unclaimed one (its tags are then brought to the plan).
        let want = tags(&[("Name", "x-9")]);
        assert_eq!(adopted(&choose_orphans(&claims, listing(), &query("f", "s", &want))), Some("vpce-0"));
        let want = tags(&[("Name", "x-1")]);
        assert_eq!(adopted(&choose_orphans(&claims, listing(), &query("f", "s", &want))), Some("vpce-1"));
        // Deleting, another VPC or another service: never.
        let claims = Claims::default();
        let mut deleting = ep("vpce-d", "f", "s", 1, &[]);
        deleting.state = Some(aws_sdk_ec2::types::State::Deleting);
        let mut other_vpc = ep("vpce-v", "f", "s", 1, &[]);
        other_vpc.vpc_id = Some("vpc-2".into());
        let none = tags(&[]);
        let o = choose_orphans(&claims, vec![deleting, other_vpc], &query("f", "s", &none));
        assert_eq!((adopted(&o), o.others.len()), (None, 0));
        // A token in flight in this process (its create has not answered yet) is not an orphan.
        let claims = Claims::default();
        claim(&claims, "tok-vpce-0");
        assert_eq!(adopted(&choose_orphans(&claims, listing(), &query("f", "s", &none))), Some("vpce-1"));
    }
}
