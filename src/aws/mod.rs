//! EC2 access for VPC endpoints: client construction, errors, finders and waiters.
//!
//! Knows nothing about Terraform: plain Rust types, [`aws_sdk_ec2::types`] models and [`AwsError`].
//! Concurrent lookups by id ([`Ec2::find_vpc_endpoint`] and the waiters' polls, [`Ec2::find_vpc`],
//! [`Ec2::find_route_tables`]) are coalesced into shared Describe calls by [`Batcher`]s; endpoint
//! services and gateway prefix lists are fetched once per process ([`Memo`]); the facts the plan
//! checks read (subnets, security groups, route tables, VPCs) are kept once found (`facts`).
//! Concurrent deletes and identical tag changes share calls (`writes`), and every request waits
//! for a token of its action's bucket, EC2's own sizes and rates ([`pace`]).

mod batch;
mod client;
mod error;
mod exclusive;
mod facts;
mod finders;
mod markers;
#[cfg(test)]
mod moto_test;
mod names;
mod observe;
pub mod pace;
mod privatelink;
mod readahead;
mod search;
mod waiters;
mod writes;

pub use aws_sdk_ec2::types;
pub use batch::{Batcher, Memo};
pub use client::{
    connect, https_client, is_read_only, pacing_scale, Ec2, Ec2Config, ATTEMPT_TIMEOUT, BATCH_MAX_IDS, BATCH_MAX_WAIT, BATCH_WINDOW,
    DEFAULT_MAX_ATTEMPTS,
};
pub use error::{is_busy_code, AwsError, Missing, SdkResultExt};
pub use finders::{route_table_has_endpoint_route, state_display, state_str, GatewayPrefixList};
pub use markers::{drain_background, fingerprint, marker_of, marker_value, Marker, OrphanQuery, Orphans, CREATE_MARKER};
pub use names::{endpoint_arn, is_region_name, partition, resolve_service_name, service_region, tag_specification, tags_from_ec2};
pub use observe::{request_ids, CallEvent, CallObserver, Ec2Observer, PollEvent};
pub use readahead::{LISTING_TTL, MAX_PAGES, PAGE_SIZE, READ_AHEAD_AFTER};
pub use search::EndpointQuery;
pub use waiters::{retry_while_busy, WaitError};
pub use writes::Deleted;
