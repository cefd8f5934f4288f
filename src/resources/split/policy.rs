//! `vpce_policy`: the endpoint policy of a gateway or interface endpoint, managed apart from the
//! endpoint (hashicorp/aws's `aws_vpc_endpoint_policy`). Unset, the endpoint has AWS's default
//! full-access policy; destroying the resource resets that default.

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::ownership::{Split, SPLIT_POLICY};
use super::super::policy;
use super::{Change, Setting, SplitResource};
use crate::aws::PolicyChange;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

crate::model! {
    /// The state, plan or configuration of a `vpce_policy`.
    #[description = "The policy of a Gateway or Interface VPC endpoint, managed apart from the endpoint (another module, another state). Leave `policy` unset on the endpoint: while a `vpce_policy` manages it, the endpoint keeps this policy (setting both is refused at plan). Destroying the resource resets AWS's default full-access policy."]
    pub(crate) struct PolicyModel {
        attrs {
            id: String [computed] "The endpoint's ID, also the import ID.";
            vpc_endpoint_id: String [required replace_when_changed] "The endpoint (`vpce-...`), a Gateway or Interface endpoint. Changing it replaces the resource.";
            policy: String [optional computed] "The endpoint policy (JSON). Compared semantically: reformatting never shows a diff. When not set, the endpoint has AWS's default full-access policy.";
        }
    }
}

/// The policy setting of [`SplitResource`].
pub(crate) struct PolicySetting;

/// `vpce_policy`.
pub(crate) type EndpointPolicy = SplitResource<PolicySetting>;

impl Setting for PolicySetting {
    type Model = PolicyModel;
    const SPLIT: Split = SPLIT_POLICY;
    const AWS_TYPE: &'static str = "aws_vpc_endpoint_policy";
    const ENDPOINT_TYPES: &'static [&'static str] = &["Gateway", "Interface"];
    const TYPE_RULE: &'static str = "only Gateway and Interface endpoints have a policy.";

    fn endpoint(m: &PolicyModel) -> &Val<String> {
        &m.vpc_endpoint_id
    }

    fn validate(c: &PolicyModel, d: &mut Diagnostics) {
        policy::validate(&c.policy, d);
    }

    fn plan(prior: Option<&PolicyModel>, planned: &mut PolicyModel, config: &PolicyModel, fresh: bool) {
        let prior_policy = prior.map(|p| p.policy.clone()).unwrap_or_default();
        if let Some(v) = policy::plan(&prior_policy, &config.policy, fresh) {
            planned.policy = v;
        }
    }

    fn from_ec2(base: Option<&PolicyModel>, endpoint: &str, ep: &VpcEndpoint) -> PolicyModel {
        let current = base.map(|b| b.policy.clone()).unwrap_or_default();
        PolicyModel {
            id: Val::Known(endpoint.to_string()),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            policy: policy::reconcile(&current, ep.policy_document()),
        }
    }

    fn change(prior: Option<&PolicyModel>, _planned: &PolicyModel, config: &PolicyModel) -> Option<Change> {
        let Some(prior) = prior else {
            // A create sets the configured policy, or resets the default one.
            return Some(Change::Policy(match policy::configured(&config.policy) {
                Some(p) => PolicyChange::Set(p.to_string()),
                None => PolicyChange::Reset,
            }));
        };
        match policy::change(&prior.policy, &config.policy) {
            policy::Change::Set(p) => Some(Change::Policy(PolicyChange::Set(p.to_string()))),
            policy::Change::Reset => Some(Change::Policy(PolicyChange::Reset)),
            policy::Change::Keep => None,
        }
    }

    fn on_delete() -> Option<Change> {
        Some(Change::Policy(PolicyChange::Reset))
    }

    fn from_aws(endpoint: &str, source: &serde_json::Value) -> PolicyModel {
        PolicyModel {
            id: Val::Known(endpoint.to_string()),
            vpc_endpoint_id: Val::Known(endpoint.to_string()),
            policy: source.get("policy").and_then(serde_json::Value::as_str).map(str::to_string).into(),
        }
    }
}
