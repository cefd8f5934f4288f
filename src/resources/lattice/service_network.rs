//! `vpce_service_network`: ServiceNetwork VPC endpoints, which connect the VPC to a VPC Lattice
//! service network (its services and resource configurations). See [`super`] for what both
//! Lattice types share.

use aws_sdk_ec2::types::VpcEndpoint;

use super::{lattice_model, Lattice, LatticeKind};
use crate::aws;
use crate::protocol::model::{Map, Set, Val};

lattice_model!(
    ServiceNetworkModel,
    service_network_arn,
    "A ServiceNetwork VPC endpoint: connects the VPC to a VPC Lattice service network, whose services and resource configurations the VPC then reaches privately. EC2 changes no setting of it in place: every change but the tags replaces the endpoint.",
    "The ARN of the VPC Lattice service network, `arn:aws:vpc-lattice:REGION:ACCOUNT:servicenetwork/sn-...`, in the provider's region. Changing it replaces the endpoint."
);

/// The ServiceNetwork kind of [`Lattice`].
pub(crate) struct ServiceNetworkKind;

/// `vpce_service_network`.
pub(crate) type ServiceNetworkEndpoint = Lattice<ServiceNetworkKind>;

impl LatticeKind for ServiceNetworkKind {
    type Model = ServiceNetworkModel;
    const TYPE_NAME: &'static str = "vpce_service_network";
    const KIND: &'static str = "ServiceNetwork endpoint";
    const EC2_TYPE: &'static str = "ServiceNetwork";
    const EXAMPLE_ADDRESS: &'static str = "vpce_service_network.main";
    const TARGET_ATTR: &'static str = "service_network_arn";
    const TARGET: &'static str = "service network";
    const ARN_RESOURCE: &'static str = "servicenetwork";
    const ARN_ID_PREFIX: &'static str = "sn-";

    fn spec(spec: aws::LatticeSpec) -> aws::EndpointSpec {
        aws::EndpointSpec::ServiceNetwork(spec)
    }

    fn target_of(ep: &VpcEndpoint) -> Option<&str> {
        ep.service_network_arn()
    }
}
