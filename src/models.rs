//! Model pieces that resources and data sources both expose, so that neither names the other:
//! the `dns_entry` objects of an interface endpoint, and the ID sets read from EC2.

use aws_sdk_ec2::types::VpcEndpoint;

use crate::protocol::model::{List, Set};

crate::model! {
    #[description = "A DNS name of the endpoint."]
    pub(crate) struct DnsEntry {
        attrs {
            dns_name: String [computed] "The DNS name.";
            hosted_zone_id: String [computed] "Its hosted zone.";
        }
    }
}

/// The DNS entries of `ep`, in EC2's order.
pub(crate) fn dns_entries(ep: &VpcEndpoint) -> List<DnsEntry> {
    ep.dns_entries()
        .iter()
        .map(|d| DnsEntry {
            dns_name: d.dns_name().map(str::to_string).into(),
            hosted_zone_id: d.hosted_zone_id().map(str::to_string).into(),
        })
        .collect()
}

/// A set of strings as EC2 lists them (IDs, domains): sorted and without duplicates, so that the
/// same members read in another order are the same value.
pub(crate) fn string_set<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Set<String> {
    items.into_iter().map(Into::into).collect::<std::collections::BTreeSet<String>>().into_iter().collect()
}
