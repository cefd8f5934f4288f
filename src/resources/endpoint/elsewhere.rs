//! Settings of an endpoint managed by a separate resource (split ownership: `vpce_policy`,
//! `vpce_private_dns`, see [`crate::resources::split`]). On an endpoint resource an unset `policy`
//! means "the default policy" and an unset `private_dns_enabled` means "off"; but while a separate
//! resource manages the setting, the endpoint carries that resource's hidden tag
//! ([`aws::managed_by`]) and unset means "managed elsewhere": the plan keeps EC2's value (as the
//! refresh read it) and the update neither resets nor converges it. Set in the configuration as
//! well, the setting is a conflict, refused at plan.

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::ownership::{state_owner, Split, SPLITS};
use super::super::Ctx;
use crate::aws;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Model;
use crate::protocol::resource::PlanRequest;
use crate::protocol::values::Value;

/// The split settings a model has (`policy` on every endpoint, `private_dns_enabled` on some).
fn splits_of(v: &Value) -> impl Iterator<Item = &'static Split> + '_ {
    SPLITS.iter().filter(move |s| matches!(v, Value::Object(m) if m.contains_key(s.attr)))
}

/// Whether the configuration sets the attribute (`""` counts: the user wrote it).
fn configured(config: &Value, attr: &str) -> bool {
    !config.get(attr).is_null()
}

/// The attributes of `ep` that separate resources manage and `config` leaves unset.
pub(super) fn managed_elsewhere<M: Model>(ep: &VpcEndpoint, config: &M) -> Vec<&'static str> {
    let config = config.to_value();
    splits_of(&config).filter(|s| !configured(&config, s.attr) && aws::managed_by(ep, s.attr).is_some()).map(|s| s.attr).collect()
}

/// `base` with the attributes in `attrs` as `prior` holds them.
pub(super) fn keep<M: Model + Clone>(base: &M, prior: &M, attrs: &[&str]) -> M {
    if attrs.is_empty() {
        return base.clone();
    }
    let (Value::Object(mut b), prior) = (base.to_value(), prior.to_value()) else { return base.clone() };
    for attr in attrs {
        b.insert(attr.to_string(), prior.get(attr).clone());
    }
    M::decode(&Value::Object(b)).ok().flatten().unwrap_or_else(|| base.clone())
}

/// The split settings of an existing endpoint (`prior`, id `id`) that its plan must keep as EC2
/// has them. The configuration's claims are checked against the separate resources of this
/// configuration; when the plan would change a split setting or the configuration sets one, the
/// endpoint's hidden tags are read (from the refresh's listing when there is one): a setting a
/// separate resource manages is kept when unset (returned), and is an error when set.
pub(super) async fn plan<M: Model>(ctx: &Ctx, id: &str, prior: &M, planned: &M, config: &M, diags: &mut Diagnostics) -> Vec<&'static str> {
    let (config_v, prior_v, planned_v) = (config.to_value(), prior.to_value(), planned.to_value());
    let splits: Vec<&Split> = splits_of(&planned_v).collect();
    for s in &splits {
        if let Some(detail) = s.claim_inline(&ctx.owners, id, configured(&config_v, s.attr)) {
            diags.attr_error(s.attr, s.twice(), detail);
        }
    }
    let wanted = splits.iter().any(|s| configured(&config_v, s.attr) || planned_v.get(s.attr) != prior_v.get(s.attr));
    if !wanted || diags.has_errors() {
        return Vec::new();
    }
    let ep = match ctx.ec2.refresh_vpc_endpoint(id).await {
        Ok(Some(ep)) => ep,
        Ok(None) => return Vec::new(),
        Err(e) => {
            crate::debug!("cannot read the endpoint's split-ownership tags at plan", "id" => id, "error" => e.to_string());
            return Vec::new();
        }
    };
    let mut kept = Vec::new();
    let ours = state_owner();
    for s in splits.iter() {
        let Some(owner) = aws::managed_by(&ep, s.attr) else { continue };
        if !configured(&config_v, s.attr) {
            kept.push(s.attr);
        } else if owner == ours {
            // A separate resource of this state manages it, and the endpoint now sets it: the
            // setting moving back inline, the separate resource removed in this same apply
            // (Terraform destroys it before it updates the endpoint it depends on). Were it still
            // in the configuration, its own plan would fail: it finds the endpoint's inline claim
            // made here ([`Split::claim_inline`] above).
            diags.attr_warning(s.attr, format!("{} moves back to the endpoint", s.what_capitalised()), s.moving_back_detail(id));
        } else {
            diags.attr_error(s.attr, s.twice(), s.inline_detail(id));
        }
    }
    kept
}

/// The plan request as if the configuration set the `kept` attributes to their prior values (what
/// "managed elsewhere" means for the plan: as EC2 has it), for planning again.
pub(super) fn as_configured(req: &PlanRequest, kept: &[&str]) -> PlanRequest {
    let set = |v: &Value| match v {
        Value::Object(m) => {
            let mut m = m.clone();
            for attr in kept {
                m.insert(attr.to_string(), req.prior.get(attr).clone());
            }
            Value::Object(m)
        }
        other => other.clone(),
    };
    PlanRequest {
        prior: req.prior.clone(),
        proposed: set(&req.proposed),
        config: set(&req.config),
        prior_private: req.prior_private.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Tag;

    #[test]
    fn as_configured_sets_the_kept_attributes_to_their_prior_values() {
        let prior = Value::object([("policy", Value::string("{\"Statement\":[]}")), ("private_dns_enabled", Value::Bool(true))]);
        let config = Value::object([("policy", Value::Null), ("private_dns_enabled", Value::Null)]);
        let req = PlanRequest { prior: prior.clone(), proposed: config.clone(), config, prior_private: Vec::new() };
        let again = as_configured(&req, &["private_dns_enabled"]);
        assert_eq!(again.config.get("private_dns_enabled"), &Value::Bool(true));
        assert_eq!(again.proposed.get("private_dns_enabled"), &Value::Bool(true));
        assert!(again.config.get("policy").is_null(), "only the kept attributes");
    }

    #[test]
    fn only_marked_and_unset_settings_are_managed_elsewhere() {
        use crate::resources::split::policy::PolicyModel;
        let ep = VpcEndpoint::builder().tags(Tag::builder().key(aws::managed_by_key("policy")).value("x").build()).build();
        let unset = PolicyModel::default();
        assert_eq!(managed_elsewhere(&ep, &unset), ["policy"]);
        let set = PolicyModel { policy: crate::protocol::model::Val::Known("{}".into()), ..Default::default() };
        assert!(managed_elsewhere(&ep, &set).is_empty(), "set in the configuration: a conflict, not kept");
        assert!(managed_elsewhere(&VpcEndpoint::builder().build(), &unset).is_empty(), "no tag");
    }
}
