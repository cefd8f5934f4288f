//! `vpce_private_dns`: private DNS of an interface endpoint switched apart from the endpoint
//! (hashicorp/aws's `aws_vpc_endpoint_private_dns`). As there, destroying the resource leaves
//! private DNS as it is; the endpoint's resource manages it again from then on (unset: off).

use aws_sdk_ec2::types::VpcEndpoint;
use futures::future::BoxFuture;

use super::super::ownership::{Split, SPLIT_PRIVATE_DNS};
use super::{Change, Setting, SplitResource};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;
use crate::resources::Ctx;

crate::model! {
    /// The state, plan or configuration of a `vpce_private_dns`.
    #[description = "Private DNS of an Interface VPC endpoint, switched apart from the endpoint (another module, another state). Leave `private_dns_enabled` unset on the endpoint: while a `vpce_private_dns` manages it, the endpoint keeps this setting (setting both is refused at plan). Destroying the resource leaves private DNS as it is, as hashicorp/aws's `aws_vpc_endpoint_private_dns` does; the endpoint's resource then manages it again."]
    pub(crate) struct PrivateDnsModel {
        attrs {
            id: String [computed] "The endpoint's ID, also the import ID.";
            vpc_endpoint_id: String [required replace_when_changed] "The Interface endpoint (`vpce-...`). Changing it replaces the resource.";
            private_dns_enabled: bool [required] "Associate a private hosted zone so the service's default DNS name resolves to the endpoint. Needs `enableDnsSupport` and `enableDnsHostnames` on the VPC, and a service with a private DNS name.";
        }
    }
}

/// The private DNS setting of [`SplitResource`].
pub(crate) struct PrivateDnsSetting;

/// `vpce_private_dns`.
pub(crate) type EndpointPrivateDns = SplitResource<PrivateDnsSetting>;

impl Setting for PrivateDnsSetting {
    type Model = PrivateDnsModel;
    const SPLIT: Split = SPLIT_PRIVATE_DNS;
    const AWS_TYPE: &'static str = "aws_vpc_endpoint_private_dns";
    const ENDPOINT_TYPES: &'static [&'static str] = &["Interface"];
    const TYPE_RULE: &'static str = "only Interface endpoints have private DNS.";

    fn endpoint(m: &PrivateDnsModel) -> &Val<String> {
        &m.vpc_endpoint_id
    }

    fn from_ec2(_base: Option<&PrivateDnsModel>, endpoint: &str, ep: &VpcEndpoint) -> PrivateDnsModel {
        PrivateDnsModel {
            id: Val::Known(endpoint.to_string()),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            private_dns_enabled: Val::Known(ep.private_dns_enabled().unwrap_or(false)),
        }
    }

    fn change(prior: Option<&PrivateDnsModel>, planned: &PrivateDnsModel, _config: &PrivateDnsModel) -> Option<Change> {
        let on = planned.private_dns_enabled.as_bool()?;
        (prior.and_then(|p| p.private_dns_enabled.as_bool()) != Some(on)).then_some(Change::PrivateDns(on))
    }

    fn on_delete() -> Option<Change> {
        None
    }

    fn from_aws(endpoint: &str, source: &serde_json::Value) -> PrivateDnsModel {
        PrivateDnsModel {
            id: Val::Known(endpoint.to_string()),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            private_dns_enabled: source.get("private_dns_enabled").and_then(serde_json::Value::as_bool).into(),
        }
    }

    /// Turning private DNS on needs DNS support and DNS hostnames on the VPC (EC2 refuses it otherwise).
    fn check_new<'a>(ctx: &'a Ctx, planned: &'a PrivateDnsModel, ep: &'a VpcEndpoint, diags: &'a mut Diagnostics) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if planned.private_dns_enabled.as_bool() != Some(true) || ep.private_dns_enabled() == Some(true) {
                return;
            }
            let Some(vpc) = ep.vpc_id() else { return };
            match ctx.ec2.vpc_dns_attributes(vpc).await {
                Ok((true, true)) => {}
                Ok((support, hostnames)) => diags.attr_error(
                    "private_dns_enabled",
                    "The VPC does not allow private DNS",
                    format!("Private DNS needs enableDnsSupport and enableDnsHostnames on {vpc} (now {support} and {hostnames}); EC2 refuses it otherwise. Turn both on (aws_vpc's enable_dns_support and enable_dns_hostnames), or set private_dns_enabled = false."),
                ),
                Err(e) => diags.warning("Cannot check the VPC's DNS attributes", format!("{vpc}: {e}")),
            }
        })
    }
}
