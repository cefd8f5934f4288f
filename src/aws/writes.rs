//! Batched writes. `DeleteVpcEndpoints` takes many endpoints and answers for each one that it
//! could not delete (`Unsuccessful`); `CreateTags` and `DeleteTags` take many resources for one
//! tag change. Concurrent deletes, and concurrent identical tag changes, share calls: each
//! resource still gets its own outcome. EC2 refills these actions' buckets slowly (deletes 0.3
//! per second, see [`super::pace`]), so one call for many resources is what keeps a destroy of
//! hundreds of endpoints from waiting minutes for tokens.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ec2::types::Tag;

use super::batch::{Batcher, BATCH_MAX_IDS, BATCH_MAX_WAIT, BATCH_WINDOW};
use super::pace::Pacer;
use super::{AwsError, Ec2, Missing, SdkResultExt};

/// Write batches close once no write has arrived for twice the recent mean time between writes
/// (between [`BATCH_WINDOW`] and this)...
pub(crate) const WRITE_MAX_GAP: Duration = Duration::from_millis(150);
/// ... or this long after their first write. A write saved is worth much (DeleteVpcEndpoints
/// refills at 0.3 per second), and with hundreds of resources Terraform starts one operation
/// every few tens of milliseconds.
pub(crate) const WRITE_MAX_WAIT: Duration = Duration::from_millis(600);

/// What became of one endpoint of a DeleteVpcEndpoints call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// EC2 accepted the deletion.
    Requested,
    /// EC2 says the endpoint does not exist: it is gone already.
    Gone,
    /// EC2 refused to delete this endpoint: (code, message) of its `Unsuccessful` item.
    Refused(String, String),
}

/// The outcome of each of `ids` from a DeleteVpcEndpoints answer's `Unsuccessful` items; `None`
/// when an item names no endpoint although the call had several (it cannot be attributed).
fn delete_outcomes(ids: &[String], unsuccessful: &[aws_sdk_ec2::types::UnsuccessfulItem]) -> Option<HashMap<String, Deleted>> {
    let mut outcomes: HashMap<String, Deleted> = ids.iter().map(|id| (id.clone(), Deleted::Requested)).collect();
    for item in unsuccessful {
        let id = match (item.resource_id(), ids) {
            (Some(id), _) => id,
            (None, [only]) => only.as_str(),
            (None, _) => return None,
        };
        let code = item.error().and_then(|e| e.code()).unwrap_or_default();
        let message = item.error().and_then(|e| e.message()).unwrap_or("no reason given");
        let outcome = match Missing::VpcEndpoint.not_found().iter().any(|k| k.eq_ignore_ascii_case(code)) {
            true => Deleted::Gone,
            false => Deleted::Refused(code.to_owned(), message.to_owned()),
        };
        if let Some(slot) = outcomes.get_mut(id) {
            *slot = outcome;
        }
    }
    Some(outcomes)
}

/// One DeleteVpcEndpoints per batch of endpoints, one batch in flight at a time (the next one
/// collects meanwhile). A failed call is retried endpoint by endpoint (see [`Batcher`]), so a bad
/// id fails only its own resource.
///
/// With pacing (`pacer` enabled: against AWS), a batch closes after the short lookup window and
/// is sent as soon as DeleteVpcEndpoints' bucket holds a token, collecting until then
/// ([`Batcher::gated`]): the bucket decides the batches, and no delete waits longer than for the
/// next token. Without pacing (an emulator) the window follows the arrivals, as for tags.
pub(super) fn delete_batcher(client: &aws_sdk_ec2::Client, pacer: &Arc<Pacer>) -> Batcher<String, Deleted> {
    let client = client.clone();
    let fetch = move |ids: Vec<String>| {
        let client = client.clone();
        async move {
            let out = client.delete_vpc_endpoints().set_vpc_endpoint_ids(Some(ids.clone())).send().await.aws_op("DeleteVpcEndpoints")?;
            delete_outcomes(&ids, out.unsuccessful()).ok_or_else(|| {
                AwsError::new(
                    "DeleteVpcEndpoints",
                    None,
                    "EC2 reported a failure without naming the endpoint; asking for each endpoint alone",
                )
            })
        }
    };
    if pacer.enabled() {
        let pacer = pacer.clone();
        let gate = Arc::new(move || pacer.until_token("DeleteVpcEndpoints"));
        return Batcher::gated(BATCH_WINDOW, BATCH_MAX_WAIT, BATCH_MAX_IDS, 1, gate, fetch);
    }
    Batcher::adaptive(BATCH_WINDOW, WRITE_MAX_GAP, WRITE_MAX_WAIT, BATCH_MAX_IDS, 1, fetch)
}

/// One resource's share of a tag change: set `tags` (or, with `remove`, delete their keys).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TagChange {
    pub(crate) resource: String,
    pub(crate) remove: bool,
    /// Sorted by key; values are ignored when removing.
    pub(crate) tags: Vec<(String, String)>,
}

/// A tag change without its resource: (remove, tags).
type Change = (bool, Vec<(String, String)>);

/// Sends one tag change to `resources`.
async fn send_tag_change(
    client: &aws_sdk_ec2::Client,
    remove: bool,
    tags: &[(String, String)],
    resources: Vec<String>,
) -> Result<(), AwsError> {
    if remove {
        let tags = tags.iter().map(|(k, _)| Tag::builder().key(k).build()).collect();
        client.delete_tags().set_resources(Some(resources)).set_tags(Some(tags)).send().await.aws_op("DeleteTags").map(|_| ())
    } else {
        let tags = tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        client.create_tags().set_resources(Some(resources)).set_tags(Some(tags)).send().await.aws_op("CreateTags").map(|_| ())
    }
}

/// Concurrent tag changes, grouped by change: one CreateTags (or DeleteTags) per group of
/// resources getting the same change. A failed group call is sent again resource by resource,
/// so one bad endpoint never fails the others; each resource gets its own outcome.
pub(super) fn tag_batcher(client: &aws_sdk_ec2::Client) -> Batcher<TagChange, Result<(), AwsError>> {
    let client = client.clone();
    Batcher::adaptive(BATCH_WINDOW, WRITE_MAX_GAP, WRITE_MAX_WAIT, BATCH_MAX_IDS, 1, move |changes: Vec<TagChange>| {
        let client = client.clone();
        async move {
            let mut groups: BTreeMap<Change, Vec<TagChange>> = BTreeMap::new();
            for change in changes {
                groups.entry((change.remove, change.tags.clone())).or_default().push(change);
            }
            let sends = groups.into_iter().map(|((remove, tags), members)| {
                let client = client.clone();
                async move {
                    let resources: Vec<String> = members.iter().map(|m| m.resource.clone()).collect();
                    let together = send_tag_change(&client, remove, &tags, resources).await;
                    match together {
                        Err(_) if members.len() > 1 => {
                            futures::future::join_all(members.into_iter().map(|m| {
                                let client = client.clone();
                                let tags = tags.clone();
                                async move {
                                    let alone = send_tag_change(&client, remove, &tags, vec![m.resource.clone()]).await;
                                    (m, alone)
                                }
                            }))
                            .await
                        }
                        result => members.into_iter().map(|m| (m, result.clone())).collect(),
                    }
                }
            });
            Ok(futures::future::join_all(sends).await.into_iter().flatten().collect())
        }
    })
}

impl Ec2 {
    /// Requests the deletion of endpoint `id`; concurrent calls share DeleteVpcEndpoints calls.
    /// An error is a failed call (not an `Unsuccessful` item): the endpoint's own, when it was
    /// sent alone.
    pub(crate) async fn delete_vpc_endpoint(&self, id: &str) -> Result<Deleted, AwsError> {
        Ok(self.inner.deletes.get(id.to_owned()).await?.unwrap_or(Deleted::Requested))
    }

    /// Sets `tags` on resource `id`; concurrent calls setting the same tags share CreateTags calls.
    pub(crate) async fn create_tags(&self, id: &str, tags: &BTreeMap<String, String>) -> Result<(), AwsError> {
        self.change_tags(id, false, tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).await
    }

    /// Removes the tags `keys` from resource `id`; concurrent calls removing the same keys share
    /// DeleteTags calls.
    pub(crate) async fn delete_tags(&self, id: &str, keys: &[String]) -> Result<(), AwsError> {
        self.change_tags(id, true, keys.iter().map(|k| (k.clone(), String::new())).collect()).await
    }

    async fn change_tags(&self, id: &str, remove: bool, mut tags: Vec<(String, String)>) -> Result<(), AwsError> {
        if tags.is_empty() {
            return Ok(());
        }
        tags.sort();
        tags.dedup();
        let change = TagChange { resource: id.to_owned(), remove, tags };
        self.inner.tag_changes.get(change).await?.unwrap_or(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{UnsuccessfulItem, UnsuccessfulItemError};

    fn item(id: Option<&str>, code: &str) -> UnsuccessfulItem {
        let error = UnsuccessfulItemError::builder().code(code).message(format!("{code} says no")).build();
        UnsuccessfulItem::builder().set_resource_id(id.map(str::to_owned)).error(error).build()
    }

    #[test]
    fn unsuccessful_items_go_to_their_own_endpoint() {
        let ids: Vec<String> = ["vpce-1", "vpce-2", "vpce-3"].map(String::from).into();
        let items = [item(Some("vpce-2"), "InvalidVpcEndpoint.NotFound"), item(Some("vpce-3"), "OperationNotPermitted")];
        let got = delete_outcomes(&ids, &items).unwrap();
        assert_eq!(got["vpce-1"], Deleted::Requested);
        assert_eq!(got["vpce-2"], Deleted::Gone);
        assert_eq!(got["vpce-3"], Deleted::Refused("OperationNotPermitted".into(), "OperationNotPermitted says no".into()));
        // An item that names no endpoint is the only endpoint's, else nobody's.
        let one = vec!["vpce-9".to_string()];
        assert_eq!(delete_outcomes(&one, &[item(None, "InvalidVpcEndpointId.NotFound")]).unwrap()["vpce-9"], Deleted::Gone);
        assert_eq!(delete_outcomes(&ids, &[item(None, "InternalError")]), None);
    }
}
