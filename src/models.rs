//! Model pieces that resources and data sources both expose, so that neither names the other:
//! the `dns_entry` objects of an interface endpoint.

use aws_sdk_ec2::types::VpcEndpoint;

use crate::protocol::model::List;

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
