//! PrivateLink beyond the endpoint itself: the network interfaces of an interface endpoint (their
//! addresses), and accepting an endpoint's connection to a service this account owns.

use aws_sdk_ec2::types::{Filter, NetworkInterface, ServiceConfiguration};

use super::{AwsError, Ec2, SdkResultExt};

impl Ec2 {
    /// The network interfaces `ids` (those that exist), in one DescribeNetworkInterfaces call
    /// (paginated) for all of them. Never describes an empty list (that would list everything).
    pub(crate) async fn find_network_interfaces(&self, ids: &[String]) -> Result<Vec<NetworkInterface>, AwsError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let pages = self.client().describe_network_interfaces().set_network_interface_ids(Some(ids.to_vec())).into_paginator();
        pages.items().send().try_collect().await.aws_op("DescribeNetworkInterfaces")
    }

    /// The endpoint service configuration named `service_name` if this account owns the service
    /// (DescribeVpcEndpointServiceConfigurations lists only the account's own services).
    pub(crate) async fn own_service_configuration(&self, service_name: &str) -> Result<Option<ServiceConfiguration>, AwsError> {
        let pages = self
            .client()
            .describe_vpc_endpoint_service_configurations()
            .filters(Filter::builder().name("service-name").values(service_name).build())
            .into_paginator();
        let found: Vec<ServiceConfiguration> =
            pages.items().send().try_collect().await.aws_op("DescribeVpcEndpointServiceConfigurations")?;
        Ok(found.into_iter().find(|c| c.service_name() == Some(service_name)))
    }

    /// Accepts the connection request of endpoint `endpoint_id` to service `service_id`
    /// (AcceptVpcEndpointConnections); an endpoint EC2 lists as unsuccessful is an error.
    pub(crate) async fn accept_endpoint_connection(&self, service_id: &str, endpoint_id: &str) -> Result<(), AwsError> {
        let out = self
            .client()
            .accept_vpc_endpoint_connections()
            .service_id(service_id)
            .vpc_endpoint_ids(endpoint_id)
            .send()
            .await
            .aws_op("AcceptVpcEndpointConnections")?;
        match out.unsuccessful().iter().find_map(|u| u.error()) {
            Some(err) => Err(AwsError::new(
                "AcceptVpcEndpointConnections",
                err.code(),
                format!("EC2 did not accept {endpoint_id}: {}", err.message().unwrap_or("no reason given")),
            )),
            None => Ok(()),
        }
    }
}

impl Ec2 {
    /// The connection of endpoint `endpoint_id` to service `service_id` of this account
    /// (DescribeVpcEndpointConnections), if there is one.
    pub(crate) async fn find_endpoint_connection(
        &self,
        service_id: &str,
        endpoint_id: &str,
    ) -> Result<Option<aws_sdk_ec2::types::VpcEndpointConnection>, AwsError> {
        let pages = self
            .client()
            .describe_vpc_endpoint_connections()
            .filters(Filter::builder().name("service-id").values(service_id).build())
            .filters(Filter::builder().name("vpc-endpoint-id").values(endpoint_id).build())
            .into_paginator();
        let found: Vec<aws_sdk_ec2::types::VpcEndpointConnection> =
            pages.items().send().try_collect().await.aws_op("DescribeVpcEndpointConnections")?;
        Ok(found.into_iter().find(|c| c.service_id() == Some(service_id) && c.vpc_endpoint_id() == Some(endpoint_id)))
    }

    /// Rejects the connection of endpoint `endpoint_id` to service `service_id`
    /// (RejectVpcEndpointConnections); an endpoint EC2 lists as unsuccessful is an error.
    pub(crate) async fn reject_endpoint_connection(&self, service_id: &str, endpoint_id: &str) -> Result<(), AwsError> {
        let out = self
            .client()
            .reject_vpc_endpoint_connections()
            .service_id(service_id)
            .vpc_endpoint_ids(endpoint_id)
            .send()
            .await
            .aws_op("RejectVpcEndpointConnections")?;
        match out.unsuccessful().iter().find_map(|u| u.error()) {
            Some(err) => Err(AwsError::new(
                "RejectVpcEndpointConnections",
                err.code(),
                format!("EC2 did not reject {endpoint_id}: {}", err.message().unwrap_or("no reason given")),
            )),
            None => Ok(()),
        }
    }
}
