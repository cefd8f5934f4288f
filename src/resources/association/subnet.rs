//! `vpce_subnet_association`: one subnet of an interface endpoint (EC2 adds a network interface
//! of the endpoint in it). Beyond the shared checks, the plan refuses a second subnet in an
//! Availability Zone where the endpoint has one already (EC2 allows one per zone).

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::super::ownership::Names;
use super::{Association, Kind, MemberFacts};
use crate::aws::{AwsError, Member, Missing};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;
use crate::resources::Ctx;

crate::model! {
    /// The state, plan or configuration of a `vpce_subnet_association`.
    #[description = "Associates one subnet with an Interface VPC endpoint: AWS adds a network interface of the endpoint in the subnet. For subnets managed apart from the endpoint; do not also set the endpoint's `subnet_ids` (the plan refuses it)."]
    pub(crate) struct SubnetAssociationModel {
        attrs {
            id: String [computed] "`<vpc_endpoint_id>/<subnet_id>`, also the import ID.";
            vpc_endpoint_id: String [required replace_when_changed] "The interface endpoint (`vpce-...`). Changing it replaces the association.";
            subnet_id: String [required replace_when_changed] "The subnet (`subnet-...`), in the endpoint's VPC and in an Availability Zone where the endpoint has no subnet yet. Changing it replaces the association.";
        }
    }
}

/// The subnet kind of [`Association`].
pub(crate) struct Subnets;

/// `vpce_subnet_association`.
pub(crate) type SubnetAssociation = Association<Subnets>;

/// The names of its conflicts (also the interface's, for its `subnet_ids`).
pub(crate) const NAMES: Names =
    Names { endpoint_resource: "vpce_interface", inline_attr: "subnet_ids", association: "vpce_subnet_association", what: "subnet" };

impl Kind for Subnets {
    type Model = SubnetAssociationModel;
    const TYPE_NAME: &'static str = "vpce_subnet_association";
    const AWS_TYPE: &'static str = "aws_vpc_endpoint_subnet_association";
    const MEMBER: Member = Member::Subnet;
    const MEMBER_ATTR: &'static str = "subnet_id";
    const PREFIX: &'static str = "subnet-";
    const ENDPOINT_TYPE: &'static str = "Interface";
    const TYPE_RULE: &'static str = "only Interface endpoints take subnet associations.";
    const NAMES: Names = NAMES;
    const MISSING: Missing = Missing::Subnet;

    fn parts(m: &SubnetAssociationModel) -> (&Val<String>, &Val<String>) {
        (&m.vpc_endpoint_id, &m.subnet_id)
    }

    fn model(endpoint: &str, member: &str, _base: Option<&SubnetAssociationModel>) -> SubnetAssociationModel {
        SubnetAssociationModel {
            id: Val::Known(super::association_id(endpoint, member)),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            subnet_id: Val::Known(member.to_string()),
        }
    }

    fn listed(ep: &VpcEndpoint) -> Vec<String> {
        ep.subnet_ids().to_vec()
    }

    fn facts<'a>(ctx: &'a Ctx, subnet: &'a str) -> BoxFuture<'a, Result<Option<MemberFacts>, AwsError>> {
        Box::pin(async move {
            let found = ctx.ec2.subnet_facts(&[subnet.to_string()]).await?;
            Ok(found
                .iter()
                .find(|s| s.subnet_id() == Some(subnet))
                .map(|s| MemberFacts { vpc_id: s.vpc_id().map(str::to_string), zone: s.availability_zone().map(str::to_string) }))
        })
    }

    /// One subnet per Availability Zone.
    fn check_new<'a>(
        ctx: &'a Ctx,
        _planned: &'a SubnetAssociationModel,
        ep: &'a VpcEndpoint,
        facts: &'a MemberFacts,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Some(zone) = facts.zone.as_deref() else { return };
            let others: Vec<String> = ep.subnet_ids().to_vec();
            if others.is_empty() {
                return;
            }
            match ctx.ec2.subnet_facts(&others).await {
                Ok(subnets) => {
                    if let Some(s) = subnets.iter().find(|s| s.availability_zone() == Some(zone)) {
                        diags.attr_error(
                            "subnet_id",
                            "Availability Zone already has a subnet",
                            format!(
                                "VPC endpoint {} already has subnet {} in {zone}: an interface endpoint has at most one subnet per Availability Zone.",
                                ep.vpc_endpoint_id().unwrap_or_default(),
                                s.subnet_id().unwrap_or_default()
                            ),
                        );
                    }
                }
                Err(e) => diags.warning("Cannot check the endpoint's subnets", e.to_string()),
            }
        })
    }
}
