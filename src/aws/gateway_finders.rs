//! Lookups used by the `vpce_gateway` resource.

use super::{AwsError, Ec2, SdkResultExt};
use aws_sdk_ec2::types::Filter;

/// The AWS-managed prefix list of a gateway service: its id and CIDR blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPrefixList {
    pub id: String,
    /// Sorted. Empty when neither DescribePrefixLists nor GetManagedPrefixListEntries lists any.
    pub cidrs: Vec<String>,
}

impl Ec2 {
    /// The prefix list named after `service_name` (`com.amazonaws.us-east-1.s3`), with its CIDR
    /// blocks from DescribePrefixLists, else from GetManagedPrefixListEntries (moto only fills
    /// the latter). A failure of that second call leaves the CIDR list empty.
    pub async fn find_gateway_prefix_list(&self, service_name: &str) -> Result<Option<GatewayPrefixList>, AwsError> {
        let pages = self
            .client()
            .describe_prefix_lists()
            .filters(Filter::builder().name("prefix-list-name").values(service_name).build())
            .into_paginator();
        let lists = pages.items().send().try_collect().await.aws_op("DescribePrefixLists")?;
        let Some(list) = lists.into_iter().find(|p| p.prefix_list_name() == Some(service_name)) else {
            return Ok(None);
        };
        let Some(id) = list.prefix_list_id().map(str::to_owned) else { return Ok(None) };
        let mut cidrs: Vec<String> = list.cidrs().to_vec();
        if cidrs.is_empty() {
            let pages = self.client().get_managed_prefix_list_entries().prefix_list_id(&id).into_paginator();
            match pages.items().send().try_collect().await.aws_op("GetManagedPrefixListEntries") {
                Ok(entries) => cidrs = entries.iter().filter_map(|e| e.cidr().map(str::to_owned)).collect(),
                Err(e) => crate::debug!("cannot list prefix list entries", "prefix_list_id" => id.clone(), "error" => e.to_string()),
            }
        }
        cidrs.sort();
        cidrs.dedup();
        Ok(Some(GatewayPrefixList { id, cidrs }))
    }
}
