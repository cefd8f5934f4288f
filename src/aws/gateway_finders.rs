//! Lookups used by the `vpce_gateway` resource.

use super::{AwsError, Ec2, SdkResultExt};
use aws_sdk_ec2::types::Filter;

/// The AWS-managed prefix list of a gateway service: its id and CIDR blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPrefixList {
    pub id: String,
    /// Sorted. Empty when neither DescribePrefixLists nor GetManagedPrefixListEntries lists any.
    pub cidrs: Vec<String>,
    /// Why the CIDR blocks could not be listed, when GetManagedPrefixListEntries failed.
    pub cidrs_error: Option<AwsError>,
}

impl Ec2 {
    /// The prefix list named after `service_name` (`com.amazonaws.us-east-1.s3`), with its CIDR
    /// blocks from DescribePrefixLists, else from GetManagedPrefixListEntries (moto only fills
    /// the latter). A failure of that second call leaves the CIDR list empty. Both calls are made
    /// once per process and name/id (concurrent callers share them; failures are not kept).
    pub async fn find_gateway_prefix_list(&self, service_name: &str) -> Result<Option<GatewayPrefixList>, AwsError> {
        let (client, name) = (self.client().clone(), service_name.to_owned());
        let list = self.inner.prefix_lists.get(name.clone(), || async move {
            let filter = Filter::builder().name("prefix-list-name").values(&name).build();
            let pages = client.describe_prefix_lists().filters(filter).into_paginator();
            let lists = pages.items().send().try_collect().await.aws_op("DescribePrefixLists")?;
            let list = lists.into_iter().find(|p| p.prefix_list_name() == Some(name.as_str()));
            Ok(list.and_then(|p| Some((p.prefix_list_id?, p.cidrs.unwrap_or_default()))))
        });
        let Some((id, mut cidrs)) = list.await? else { return Ok(None) };
        let mut cidrs_error = None;
        if cidrs.is_empty() {
            let (client, pl) = (self.client().clone(), id.clone());
            let entries = self.inner.prefix_list_entries.get(id.clone(), || async move {
                let pages = client.get_managed_prefix_list_entries().prefix_list_id(pl).into_paginator();
                let entries = pages.items().send().try_collect().await.aws_op("GetManagedPrefixListEntries")?;
                Ok(entries.into_iter().filter_map(|e| e.cidr).collect())
            });
            match entries.await {
                Ok(listed) => cidrs = listed,
                Err(e) => cidrs_error = Some(e),
            }
        }
        cidrs.sort();
        cidrs.dedup();
        Ok(Some(GatewayPrefixList { id, cidrs, cidrs_error }))
    }
}
