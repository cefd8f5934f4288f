//! EC2 access for VPC endpoints: client construction, errors, finders and waiters.
//!
//! Knows nothing about Terraform: plain Rust types, [`aws_sdk_ec2::types`] models and [`AwsError`].
//! Concurrent endpoint lookups ([`Ec2::find_vpc_endpoint`], and the waiters' polls) are coalesced
//! into shared `DescribeVpcEndpoints` calls by a [`Batcher`].

mod batch;
mod client;
mod error;
mod finders;
pub mod gateway_finders;
mod waiters;
#[cfg(test)]
mod moto_test;

pub use aws_sdk_ec2::types;
pub use batch::Batcher;
pub use client::{connect, Ec2, Ec2Config, BATCH_MAX_IDS, BATCH_WINDOW, DEFAULT_MAX_ATTEMPTS};
pub use error::{AwsError, SdkResultExt};
pub use finders::{route_table_has_endpoint_route, state_str};
pub use waiters::WaitError;
