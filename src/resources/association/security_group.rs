//! `vpce_security_group_association`: one security group of an interface endpoint's network
//! interfaces. With `replace_default_association`, the association takes the place of the VPC's
//! default security group (one ModifyVpcEndpoint adds the group and removes the default), and its
//! destroy puts the default group back; the plan checks that the endpoint has the default group
//! and that the group is not that default.

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::super::ownership::Names;
use super::{Association, Changes, Kind, MemberFacts};
use crate::aws::{AwsError, Member, Missing};
use crate::checks::attr_path;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Model, Val};
use crate::protocol::values::{PathStep, Value};
use crate::resources::Ctx;

crate::model! {
    /// The state, plan or configuration of a `vpce_security_group_association`.
    #[description = "Associates one security group with an Interface VPC endpoint's network interfaces. For security groups managed apart from the endpoint; do not also set the endpoint's `security_group_ids` (the plan refuses it)."]
    pub(crate) struct SecurityGroupAssociationModel {
        attrs {
            id: String [computed] "`<vpc_endpoint_id>/<security_group_id>`, also the import ID.";
            vpc_endpoint_id: String [required replace_when_changed] "The interface endpoint (`vpce-...`). Changing it replaces the association.";
            security_group_id: String [required replace_when_changed] "The security group (`sg-...`), in the endpoint's VPC. Changing it replaces the association.";
            replace_default_association: bool [optional computed] "Replace the VPC's default security group, which the endpoint must have, with this one; destroying the association puts the default group back. Default `false`. Changing it replaces the association; an import sets `false`.";
        }
    }
}

/// The security group kind of [`Association`].
pub(crate) struct SecurityGroups;

/// `vpce_security_group_association`.
pub(crate) type SecurityGroupAssociation = Association<SecurityGroups>;

/// The names of its conflicts (also the interface's, for its `security_group_ids`).
pub(crate) const NAMES: Names = Names {
    endpoint_resource: "vpce_interface",
    inline_attr: "security_group_ids",
    association: "vpce_security_group_association",
    what: "security group",
};

const REPLACE: &str = "replace_default_association";

/// The default group of the endpoint's VPC.
async fn default_group(ctx: &Ctx, ep: &VpcEndpoint) -> Result<String, String> {
    let vpc = ep.vpc_id().unwrap_or_default();
    match ctx.ec2.default_security_group_fact(vpc).await {
        Ok(Some(g)) => Ok(g),
        Ok(None) => Err(format!("VPC {vpc} has no default security group")),
        Err(e) => Err(e.to_string()),
    }
}

impl Kind for SecurityGroups {
    type Model = SecurityGroupAssociationModel;
    const TYPE_NAME: &'static str = "vpce_security_group_association";
    const AWS_TYPE: &'static str = "aws_vpc_endpoint_security_group_association";
    const MEMBER: Member = Member::SecurityGroup;
    const MEMBER_ATTR: &'static str = "security_group_id";
    const PREFIX: &'static str = "sg-";
    const ENDPOINT_TYPE: &'static str = "Interface";
    const TYPE_RULE: &'static str = "only Interface endpoints take security group associations.";
    const NAMES: Names = NAMES;
    const MISSING: Missing = Missing::SecurityGroup;

    fn parts(m: &SecurityGroupAssociationModel) -> (&Val<String>, &Val<String>) {
        (&m.vpc_endpoint_id, &m.security_group_id)
    }

    fn model(endpoint: &str, member: &str, base: Option<&SecurityGroupAssociationModel>) -> SecurityGroupAssociationModel {
        let replace = base.and_then(|b| b.replace_default_association.as_bool()).unwrap_or(false);
        SecurityGroupAssociationModel {
            id: Val::Known(super::association_id(endpoint, member)),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            security_group_id: Val::Known(member.to_string()),
            replace_default_association: Val::Known(replace),
        }
    }

    fn from_aws(m: &mut SecurityGroupAssociationModel, source: &serde_json::Value) {
        m.replace_default_association = Val::Known(source.get(REPLACE).and_then(|v| v.as_bool()).unwrap_or(false));
    }

    fn listed(ep: &VpcEndpoint) -> Vec<String> {
        ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect()
    }

    fn facts<'a>(ctx: &'a Ctx, group: &'a str) -> BoxFuture<'a, Result<Option<MemberFacts>, AwsError>> {
        Box::pin(async move {
            let found = ctx.ec2.security_group_facts(&[group.to_string()]).await?;
            Ok(found
                .iter()
                .find(|g| g.group_id() == Some(group))
                .map(|g| MemberFacts { vpc_id: g.vpc_id().map(str::to_string), zone: None }))
        })
    }

    /// Not set means `false`; a change replaces the association (its create and destroy differ).
    fn complete_plan(planned: &mut Value, config: &SecurityGroupAssociationModel, prior: &Value, replace: &mut Vec<Vec<PathStep>>) {
        let want = config.replace_default_association.as_bool().unwrap_or(false);
        if config.replace_default_association.is_known() {
            if let Value::Object(m) = planned {
                m.insert(REPLACE.to_string(), Value::Bool(want));
            }
        }
        let was = SecurityGroupAssociationModel::decode(prior).ok().flatten().and_then(|p| p.replace_default_association.as_bool());
        if config.replace_default_association.is_known() && was.is_some_and(|w| w != want) && !replace.contains(&attr_path(&[REPLACE])) {
            replace.push(attr_path(&[REPLACE]));
        }
    }

    /// With `replace_default_association`: the endpoint has the default group, and this group is not it.
    fn check_new<'a>(
        ctx: &'a Ctx,
        planned: &'a SecurityGroupAssociationModel,
        ep: &'a VpcEndpoint,
        _facts: &'a MemberFacts,
        diags: &'a mut Diagnostics,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if planned.replace_default_association.as_bool() != Some(true) {
                return;
            }
            let group = planned.security_group_id.as_str().unwrap_or_default();
            let endpoint = ep.vpc_endpoint_id().unwrap_or_default();
            match default_group(ctx, ep).await {
                Ok(default) if default == group => diags.attr_error(
                    "security_group_id",
                    "Cannot replace the default security group with itself",
                    format!("{group} is the default security group of {}: with replace_default_association = true, name another group.", ep.vpc_id().unwrap_or_default()),
                ),
                Ok(default) if !Self::listed(ep).contains(&default) => diags.attr_error(
                    REPLACE,
                    "The endpoint does not have the default security group",
                    format!("VPC endpoint {endpoint} is not associated with its VPC's default security group {default}, so there is none to replace: set replace_default_association = false."),
                ),
                Ok(_) => {}
                Err(e) => diags.warning("Cannot check the default security group", format!("{endpoint}: {e}")),
            }
        })
    }

    /// With `replace_default_association`: the create swaps the default group for this one, the
    /// delete swaps it back.
    fn changes<'a>(
        ctx: &'a Ctx,
        m: &'a SecurityGroupAssociationModel,
        group: &'a str,
        create: bool,
    ) -> BoxFuture<'a, Result<Changes, String>> {
        Box::pin(async move {
            let one = vec![group.to_string()];
            let mut default = Vec::new();
            if m.replace_default_association.as_bool() == Some(true) {
                let endpoint = m.vpc_endpoint_id.as_str().unwrap_or_default();
                match ctx.ec2.find_vpc_endpoint(endpoint).await {
                    Ok(Some(ep)) => default.push(default_group(ctx, &ep).await?),
                    // No endpoint: the create fails on it, the delete finds it gone.
                    Ok(None) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(if create { (one, default) } else { (default, one) })
        })
    }
}
