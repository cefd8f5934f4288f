//! EC2 access for VPC endpoints: client construction, errors, finders and waiters.
//!
//! Knows nothing about Terraform: plain Rust types, [`aws_sdk_ec2::types`] models and [`AwsError`].
//! (It logs through tfplugin's hclog macros, the provider's one log channel, and nothing else of it.)
//! Concurrent lookups by id ([`Ec2::find_vpc_endpoint`] and the waiters' polls, [`Ec2::find_vpc`],
//! [`Ec2::find_route_tables`]) are coalesced into shared Describe calls by [`Batcher`]s; endpoint
//! services and gateway prefix lists are fetched once per process ([`Memo`]); the facts the plan
//! checks read (subnets, security groups, route tables, VPCs) are kept once found (`facts`).
//! Concurrent deletes and identical tag changes share calls (`writes`), and every request waits
//! for a token of its action's bucket, EC2's own sizes and rates ([`pace`]).

mod batch;
mod client;
mod create;
mod error;
mod exclusive;
mod facts;
mod finders;
mod ledger;
mod markers;
#[cfg(test)]
mod moto_test;
mod names;
mod observe;
mod pace;
mod privatelink;
mod readahead;
mod search;
mod split;
mod traffic;
mod waiters;
mod writes;

// What the provider binary, the integration tests and the provider's own configuration use.
pub use client::{connect, https_client, Ec2, Ec2Config};
pub use markers::{Background, CREATE_MARKER};
pub use names::tag_specification;
pub use observe::{CallEvent, CallObserver, Ec2Observer, PollEvent};
pub use readahead::READ_AHEAD_AFTER;
pub use split::MANAGED_BY_PREFIX;

// What the resources and data sources use.
pub(crate) use create::{
    CreateSpec, Created, DnsSpec, EndpointSpec, GatewayLoadBalancerSpec, GatewaySpec, InterfaceSpec, LatticeSpec, ModifySpec, NewEndpoint,
    PolicyChange, SubnetAddresses,
};
pub use error::AwsError;
pub(crate) use error::{is_busy_code, Missing, SdkResultExt};
pub(crate) use exclusive::Member;
pub(crate) use finders::{endpoint_target, route_table_has_endpoint_route, state_display, state_str};
pub(crate) use markers::{fingerprint, marker_of};
pub(crate) use names::{
    endpoint_arn, is_full_service_name, is_region_name, resolve_service_name, service_arn, service_region, tags_from_ec2,
    DNS_RECORD_IP_TYPES, ENDPOINT_STATES, ENDPOINT_TYPES, IP_ADDRESS_TYPES, PRIVATE_DNS_PREFERENCES, SERVICE_TYPES,
};
pub(crate) use search::{EndpointQuery, RawFilter, ENDPOINT_FILTERS, SERVICE_FILTERS};
pub(crate) use split::{is_hidden_tag, managed_by, managed_by_key};
pub(crate) use traffic::{admits_https, covered_by, path_to, Uncovered};
pub(crate) use waiters::{retry_while_busy, WaitError, NOT_FOUND_GRACE};
pub(crate) use writes::Deleted;
