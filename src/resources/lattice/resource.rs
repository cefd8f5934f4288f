//! `vpce_resource`: Resource VPC endpoints, which connect the VPC to one VPC Lattice resource
//! configuration (a database, a host or an IP range shared through a resource gateway). See
//! [`super`] for what both Lattice types share.

use aws_sdk_ec2::types::VpcEndpoint;

use super::{lattice_model, Lattice, LatticeKind};
use crate::aws;
use crate::protocol::model::{Map, Set, Val};

lattice_model!(
    ResourceModel,
    resource_configuration_arn,
    "A Resource VPC endpoint: network interfaces in your subnets through which the VPC reaches one VPC Lattice resource configuration (a database, host or address range that its owner shares through a resource gateway), privately. EC2 changes no setting of it in place: every change but the tags replaces the endpoint.",
    "The ARN of the VPC Lattice resource configuration, `arn:aws:vpc-lattice:REGION:ACCOUNT:resourceconfiguration/rcfg-...`, in the provider's region. Changing it replaces the endpoint."
);

/// The Resource kind of [`Lattice`].
pub(crate) struct ResourceKind;

/// `vpce_resource`.
pub(crate) type ResourceEndpoint = Lattice<ResourceKind>;

impl LatticeKind for ResourceKind {
    type Model = ResourceModel;
    const TYPE_NAME: &'static str = "vpce_resource";
    const KIND: &'static str = "Resource endpoint";
    const EC2_TYPE: &'static str = "Resource";
    const EXAMPLE_ADDRESS: &'static str = "vpce_resource.db";
    const TARGET_ATTR: &'static str = "resource_configuration_arn";
    const TARGET: &'static str = "resource configuration";
    const ARN_RESOURCE: &'static str = "resourceconfiguration";
    const ARN_ID_PREFIX: &'static str = "rcfg-";

    fn spec(spec: aws::LatticeSpec) -> aws::EndpointSpec {
        aws::EndpointSpec::Resource(spec)
    }

    fn target_of(ep: &VpcEndpoint) -> Option<&str> {
        ep.resource_configuration_arn()
    }
}
