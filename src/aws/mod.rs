//! EC2 access for VPC endpoints: client construction, errors, finders and waiters.
//!
//! Knows nothing about Terraform: plain Rust types, [`aws_sdk_ec2::types`] models and [`AwsError`].
//! Concurrent lookups by id ([`Ec2::find_vpc_endpoint`] and the waiters' polls, [`Ec2::find_vpc`],
//! [`Ec2::find_route_tables`]) are coalesced into shared Describe calls by [`Batcher`]s; endpoint
//! services and gateway prefix lists are fetched once per process ([`Memo`]).

mod batch;
mod client;
mod error;
mod exclusive;
mod finders;
mod markers;
#[cfg(test)]
mod moto_test;
mod names;
mod observe;
mod privatelink;
mod search;
mod waiters;

pub use aws_sdk_ec2::types;
pub use batch::{Batcher, Memo};
pub use client::{connect, https_client, is_read_only, Ec2, Ec2Config, BATCH_MAX_IDS, BATCH_MAX_WAIT, BATCH_WINDOW, DEFAULT_MAX_ATTEMPTS};
pub use error::{is_busy_code, AwsError, Missing, SdkResultExt};
pub use finders::{route_table_has_endpoint_route, state_display, state_str, GatewayPrefixList};
pub use markers::{fingerprint, marker_of, marker_value, Orphans, CREATE_MARKER};
pub use names::{endpoint_arn, is_region_name, partition, resolve_service_name, service_region, tag_specification, tags_from_ec2};
pub use observe::{request_ids, CallEvent, CallObserver, Ec2Observer, PollEvent};
pub use search::EndpointQuery;
pub use waiters::{retry_while_busy, WaitError};
