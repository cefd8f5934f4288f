//! The VPC Lattice endpoint types, written once for both: `vpce_resource` (a Resource endpoint,
//! connecting the VPC to a Lattice resource configuration, [`resource`]) and
//! `vpce_service_network` (a ServiceNetwork endpoint, to a Lattice service network,
//! [`service_network`]). They have no service name (their target is an ARN, the model's
//! `target` in [`EndpointModel`]), no policy, and EC2 changes nothing of them in place: every
//! change but the tags replaces the endpoint, which the plan says.
//!
//! [`Lattice<K>`] is the [`Endpoint`] of both; a [`LatticeKind`] says which type, and
//! [`lattice_model!`] declares each type's model (the same attributes but the target's name) with
//! the [`LatticeModel`] views the shared code reads and writes. The lifecycle is the shared one of
//! [`endpoint`](super::endpoint); the plan-time checks are in [`checks`].

mod checks;
pub(crate) mod resource;
pub(crate) mod service_network;
#[cfg(test)]
mod tests;

use aws_sdk_ec2::types::VpcEndpoint;
use std::collections::BTreeSet;
use std::future::Future;

use super::endpoint::moves::{self, AwsEndpoint};
use super::endpoint::{Endpoint, EndpointModel};
use super::timeouts::{self, Timeouts};
use super::{tags, Ctx};
use crate::aws;
use crate::checks::{attr_path, validate_id, validate_ids};
use crate::models::string_set;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Model, Set, Val};
use crate::protocol::plan::known_or_null;
use crate::protocol::schema::Schema;
use crate::protocol::values::PathStep;

crate::model! {
    #[description = "DNS options of the endpoint. Every change replaces the endpoint (EC2 changes none in place for this type)."]
    pub(crate) struct LatticeDnsOptions {
        attrs {
            dns_record_ip_type: String [optional computed replace_when_configured one_of(aws::DNS_RECORD_IP_TYPES)] "`ipv4`, `dualstack`, `ipv6` or `service-defined`.";
            private_dns_preference: String [optional computed replace_when_configured one_of(aws::PRIVATE_DNS_PREFERENCES)] "Which domains get private DNS (needs `private_dns_enabled = true`): `ALL_DOMAINS`, `VERIFIED_DOMAINS_ONLY`, `VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS` or `SPECIFIED_DOMAINS_ONLY`.";
            private_dns_specified_domains: Set<String> [optional computed replace_when_configured] "The domains (1 to 10) of the two `..._SPECIFIED_DOMAINS` preferences (and only of those). EC2 reports `[\"*\"]` for the others.";
        }
    }
}

/// Declares the model of one Lattice endpoint type: `$target` (the ARN attribute) and the
/// attributes both types share, and its [`LatticeModel`] and [`EndpointModel`].
macro_rules! lattice_model {
    ($name:ident, $target:ident, $desc:literal, $target_desc:literal) => {
        crate::model! {
            #[description = $desc]
            pub(crate) struct $name {
                attrs {
                    id: String [computed] "The endpoint ID (`vpce-...`).";
                    arn: String [computed] "The endpoint ARN.";
                    vpc_id: String [required replace_when_configured] "The VPC. Changing it replaces the endpoint.";
                    $target: String [required replace_when_configured] $target_desc;
                    subnet_ids: Set<String> [optional computed replace_when_configured] "Subnets for the endpoint's network interfaces (at most one per Availability Zone, all in the VPC). Changing them replaces the endpoint.";
                    security_group_ids: Set<String> [optional computed replace_when_configured] "Security groups of the network interfaces, in the VPC. When not set, AWS applies the VPC's default security group, which the state then shows. Changing them replaces the endpoint.";
                    private_dns_enabled: bool [optional computed replace_when_configured] "Private DNS for the target's domains (see `dns_options`). Default `false` (always sent). Changing it replaces the endpoint.";
                    ip_address_type: String [optional computed replace_when_configured one_of(aws::IP_ADDRESS_TYPES)] "`ipv4`, `dualstack` or `ipv6`. Defaults to what AWS chooses. Changing it replaces the endpoint.";
                    tags: Map<String> [optional computed empty_when_null] "Tags of the endpoint (at most 50; keys up to 128 characters, not starting with `aws:`; values up to 256). Not set, `null` and `{}` all mean none. Changed in place.";
                    tags_all: Map<String> [computed] "Every tag of the endpoint: the provider's `default_tags` merged with `tags` (a key in both takes the value of `tags`), less the tags `ignore_tags` names.";
                    state: String [computed] "The endpoint state as EC2 documents it, e.g. `available`.";
                    network_interface_ids: Set<String> [computed] "The endpoint's network interfaces.";
                    owner_id: String [computed] "The account that owns the endpoint.";
                    requester_managed: bool [computed] "Whether an AWS service manages the endpoint.";
                }
                blocks {
                    dns_options: $crate::resources::lattice::LatticeDnsOptions;
                    timeouts: $crate::resources::timeouts::Timeouts;
                }
            }
        }

        $crate::resources::endpoint::endpoint_model!($name, no_policy, target = $target);

        impl $crate::resources::lattice::LatticeModel for $name {
            fn view(&self) -> $crate::resources::lattice::View<'_> {
                $crate::resources::lattice::View {
                    target: &self.$target,
                    vpc_id: &self.vpc_id,
                    subnet_ids: &self.subnet_ids,
                    security_group_ids: &self.security_group_ids,
                    private_dns_enabled: &self.private_dns_enabled,
                    ip_address_type: &self.ip_address_type,
                    tags: &self.tags,
                    dns_options: &self.dns_options,
                    timeouts: &self.timeouts,
                }
            }
            fn view_mut(&mut self) -> $crate::resources::lattice::ViewMut<'_> {
                $crate::resources::lattice::ViewMut {
                    id: &mut self.id,
                    arn: &mut self.arn,
                    vpc_id: &mut self.vpc_id,
                    target: &mut self.$target,
                    subnet_ids: &mut self.subnet_ids,
                    security_group_ids: &mut self.security_group_ids,
                    private_dns_enabled: &mut self.private_dns_enabled,
                    ip_address_type: &mut self.ip_address_type,
                    tags: &mut self.tags,
                    tags_all: &mut self.tags_all,
                    state: &mut self.state,
                    network_interface_ids: &mut self.network_interface_ids,
                    owner_id: &mut self.owner_id,
                    requester_managed: &mut self.requester_managed,
                    dns_options: &mut self.dns_options,
                    timeouts: &mut self.timeouts,
                }
            }
        }
    };
}
pub(crate) use lattice_model;

/// What the shared code reads of a Lattice endpoint model.
pub(crate) struct View<'a> {
    pub(crate) target: &'a Val<String>,
    pub(crate) vpc_id: &'a Val<String>,
    pub(crate) subnet_ids: &'a Val<Set<String>>,
    pub(crate) security_group_ids: &'a Val<Set<String>>,
    pub(crate) private_dns_enabled: &'a Val<bool>,
    pub(crate) ip_address_type: &'a Val<String>,
    pub(crate) tags: &'a Val<Map<String>>,
    pub(crate) dns_options: &'a Val<LatticeDnsOptions>,
    pub(crate) timeouts: &'a Val<Timeouts>,
}

/// Every attribute of a Lattice endpoint model, to write.
pub(crate) struct ViewMut<'a> {
    pub(crate) id: &'a mut Val<String>,
    pub(crate) arn: &'a mut Val<String>,
    pub(crate) vpc_id: &'a mut Val<String>,
    pub(crate) target: &'a mut Val<String>,
    pub(crate) subnet_ids: &'a mut Val<Set<String>>,
    pub(crate) security_group_ids: &'a mut Val<Set<String>>,
    pub(crate) private_dns_enabled: &'a mut Val<bool>,
    pub(crate) ip_address_type: &'a mut Val<String>,
    pub(crate) tags: &'a mut Val<Map<String>>,
    pub(crate) tags_all: &'a mut Val<Map<String>>,
    pub(crate) state: &'a mut Val<String>,
    pub(crate) network_interface_ids: &'a mut Val<Set<String>>,
    pub(crate) owner_id: &'a mut Val<String>,
    pub(crate) requester_managed: &'a mut Val<bool>,
    pub(crate) dns_options: &'a mut Val<LatticeDnsOptions>,
    pub(crate) timeouts: &'a mut Val<Timeouts>,
}

/// A Lattice endpoint model (declared by [`lattice_model!`]).
pub(crate) trait LatticeModel: EndpointModel {
    fn view(&self) -> View<'_>;
    fn view_mut(&mut self) -> ViewMut<'_>;
}

/// Which Lattice endpoint type.
pub(crate) trait LatticeKind: Send + Sync + 'static {
    type Model: LatticeModel;
    const TYPE_NAME: &'static str;
    const KIND: &'static str;
    const EC2_TYPE: &'static str;
    const EXAMPLE_ADDRESS: &'static str;
    /// The target attribute, e.g. `resource_configuration_arn`.
    const TARGET_ATTR: &'static str;
    /// What the target is, e.g. `resource configuration`.
    const TARGET: &'static str;
    /// The resource type in the target's ARN (`resourceconfiguration`) and its ID prefix (`rcfg-`).
    const ARN_RESOURCE: &'static str;
    const ARN_ID_PREFIX: &'static str;
    /// The create request of this type.
    fn spec(spec: aws::LatticeSpec) -> aws::EndpointSpec;
    /// The endpoint's target as EC2 reports it.
    fn target_of(ep: &VpcEndpoint) -> Option<&str>;
}

/// The [`Endpoint`] of a Lattice endpoint type.
pub(crate) struct Lattice<K: LatticeKind> {
    schema: Schema,
    kind: std::marker::PhantomData<K>,
}

impl<K: LatticeKind> Lattice<K> {
    pub(crate) fn new() -> Self {
        Lattice { schema: K::Model::schema(0), kind: std::marker::PhantomData }
    }
}

impl<K: LatticeKind> Default for Lattice<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: LatticeKind> Endpoint for Lattice<K> {
    type Model = K::Model;
    const TYPE_NAME: &'static str = K::TYPE_NAME;
    const KIND: &'static str = K::KIND;
    const EC2_TYPE: &'static str = K::EC2_TYPE;
    const EXAMPLE_ADDRESS: &'static str = K::EXAMPLE_ADDRESS;
    const READY: &'static [&'static str] = &["available", "pendingacceptance"];
    const TARGET_ATTR: &'static str = K::TARGET_ATTR;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &K::Model) -> Diagnostics {
        validate::<K>(config.view())
    }

    /// Private DNS left unset means off: a prior endpoint with it on is replaced. The configured
    /// DNS options replace it when they differ from the prior state (the planner's force-new
    /// covers top-level attributes).
    fn replacements(&self, prior: &K::Model, config: &K::Model) -> Vec<Vec<PathStep>> {
        let mut replace = Vec::new();
        if let (Val::Null, Some(true)) = (config.view().private_dns_enabled, prior.view().private_dns_enabled.as_bool()) {
            replace.push(attr_path(&["private_dns_enabled"]));
        }
        let (now, was) =
            (config.view().dns_options.known().cloned().unwrap_or_default(), prior.view().dns_options.known().cloned().unwrap_or_default());
        let set = |v: &Val<String>| v.is_wholly_known() && !v.is_null();
        for (name, mine, theirs) in [
            ("dns_record_ip_type", &now.dns_record_ip_type, &was.dns_record_ip_type),
            ("private_dns_preference", &now.private_dns_preference, &was.private_dns_preference),
        ] {
            if set(mine) && mine != theirs {
                replace.push(attr_path(&["dns_options", name]));
            }
        }
        let domains = &now.private_dns_specified_domains;
        if domains.is_wholly_known() && !domains.is_null() && domains.strings() != was.private_dns_specified_domains.strings() {
            replace.push(attr_path(&["dns_options", "private_dns_specified_domains"]));
        }
        replace
    }

    /// Private DNS is off unless configured (always sent).
    fn complete_plan(&self, _prior: Option<&K::Model>, planned: &mut K::Model, config: &K::Model, _fresh: bool) {
        if config.view().private_dns_enabled.is_null() {
            *planned.view_mut().private_dns_enabled = Val::Known(false);
        }
    }

    async fn check_plan(&self, ctx: &Ctx, _prior: Option<&K::Model>, planned: &K::Model, fresh: bool, diags: &mut Diagnostics) {
        // Nothing but the tags changes in place: an update checks nothing against EC2.
        if fresh && !diags.has_errors() {
            checks::check_plan::<K>(ctx, planned.view(), diags).await;
        }
    }

    fn error_attr(&self, code: &str) -> Option<&'static str> {
        if code.starts_with("InvalidSubnet") {
            Some("subnet_ids")
        } else if code.starts_with("InvalidGroup") || code.starts_with("InvalidSecurityGroup") {
            Some("security_group_ids")
        } else {
            None
        }
    }

    fn state_from_endpoint(&self, region: &str, base: &K::Model, ep: &VpcEndpoint) -> K::Model {
        state_from_endpoint::<K>(region, base, ep)
    }

    async fn describe(&self, ctx: &Ctx, base: &K::Model, ep: &VpcEndpoint, _check: bool) -> (K::Model, Diagnostics) {
        (state_from_endpoint::<K>(ctx.ec2.region(), base, ep), Diagnostics::new())
    }

    /// An import reads the DNS options into a `dns_options` block when a private DNS preference
    /// is set (a create without the block sets none).
    fn import_base(&self, ep: &VpcEndpoint) -> K::Model {
        let mut m = K::Model::default();
        if ep.dns_options().and_then(|d| d.private_dns_preference()).is_some_and(|p| !p.is_empty()) {
            *m.view_mut().dns_options = Val::Known(LatticeDnsOptions::default());
        }
        m
    }

    fn create_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        planned: &'a K::Model,
        _config: &'a K::Model,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<aws::EndpointSpec>> + Send + 'a {
        let v = planned.view();
        let dns = v.dns_options.known().and_then(|d| {
            aws::DnsSpec {
                dns_record_ip_type: d.dns_record_ip_type.as_str().map(str::to_string),
                private_dns_only_for_inbound_resolver_endpoint: None,
                private_dns_preference: d.private_dns_preference.as_str().map(str::to_string),
                private_dns_specified_domains: d.private_dns_specified_domains.strings().into_iter().collect(),
            }
            .non_empty()
        });
        let spec = aws::LatticeSpec {
            subnet_ids: v.subnet_ids.strings().into_iter().collect(),
            security_group_ids: v.security_group_ids.strings().into_iter().collect(),
            private_dns_enabled: v.private_dns_enabled.as_bool().unwrap_or(false),
            ip_address_type: v.ip_address_type.as_str().map(str::to_string),
            dns,
        };
        std::future::ready(Some(K::spec(spec)))
    }

    /// Only the tags change in place (the core sends them): nothing to modify.
    fn modify_spec<'a>(
        &'a self,
        _ctx: &'a Ctx,
        _prior: &'a K::Model,
        _planned: &'a K::Model,
        _diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Result<aws::ModifySpec, ()>> + Send + 'a {
        std::future::ready(Ok(aws::ModifySpec::default()))
    }

    fn moved_from_aws(&self, source: &AwsEndpoint) -> K::Model {
        moved_from::<K>(source)
    }
}

// ---------------------------------------------------------------------------------------------
// Validation (static, no AWS)
// ---------------------------------------------------------------------------------------------

fn validate<K: LatticeKind>(v: View<'_>) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate_id(v.vpc_id, "vpc_id", "vpc-", "VPC", &mut d);
    validate_ids(v.subnet_ids, "subnet_ids", "subnet-", "subnet", &mut d);
    validate_ids(v.security_group_ids, "security_group_ids", "sg-", "security group", &mut d);
    if v.security_group_ids.known().is_some_and(|g| g.0.is_empty()) {
        d.attr_error(
            "security_group_ids",
            "Empty security_group_ids",
            "security_group_ids = [] would replace the endpoint at every plan (AWS gives it the VPC's default group): leave the argument out for the default group, or name the groups.",
        );
    }
    if let Some(arn) = v.target.as_str() {
        if let Err(why) = check_target_arn::<K>(arn) {
            d.attr_error(
                K::TARGET_ATTR,
                format!("Invalid {} ARN", K::TARGET),
                format!("\"{arn}\" is not the ARN of a VPC Lattice {}: {why}. Those look like \"arn:aws:vpc-lattice:us-east-1:123456789012:{}/{}0123456789abcdef\".", K::TARGET, K::ARN_RESOURCE, K::ARN_ID_PREFIX),
            );
        }
    }
    let dns = v.dns_options.known().cloned().unwrap_or_default();
    let at = |name: &str| attr_path(&["dns_options", name]);
    let domains = &dns.private_dns_specified_domains;
    if let Some(items) = domains.known().filter(|_| domains.is_wholly_known()) {
        if items.0.is_empty() || items.0.len() > 10 {
            d.attr_error(
                at("private_dns_specified_domains"),
                "Invalid private_dns_specified_domains",
                format!("{} domains are given; EC2 takes 1 to 10.", items.0.len()),
            );
        }
    }
    if let Some(p) = dns.private_dns_preference.as_str() {
        let wants_domains = p.contains("SPECIFIED_DOMAINS");
        if wants_domains && domains.is_null() {
            d.attr_error(
                at("private_dns_preference"),
                "Missing private_dns_specified_domains",
                format!("private_dns_preference = \"{p}\" needs the domains in private_dns_specified_domains."),
            );
        } else if !wants_domains && domains.known().is_some_and(|l| !l.0.is_empty()) {
            d.attr_error(
                at("private_dns_specified_domains"),
                "Unexpected private_dns_specified_domains",
                format!("private_dns_specified_domains applies only to the ..._SPECIFIED_DOMAINS preferences, not to \"{p}\"."),
            );
        }
    }
    let private_dns_off = matches!(v.private_dns_enabled, Val::Null | Val::Known(false));
    if private_dns_off && (dns.private_dns_preference.as_str().is_some() || domains.known().is_some_and(|l| !l.0.is_empty())) {
        d.attr_error(
            at("private_dns_preference"),
            "Private DNS is off",
            "private_dns_preference and private_dns_specified_domains choose the domains of private DNS: they need private_dns_enabled = true.",
        );
    }
    tags::validate(v.tags, &mut d);
    timeouts::validate(v.timeouts, &mut d);
    d
}

/// `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:RESOURCE/ID` with the kind's resource and ID prefix.
fn check_target_arn<K: LatticeKind>(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, _partition, service, region, account, resource] = parts[..] else {
        return Err("it does not have the six parts of an ARN".into());
    };
    if scheme != "arn" || service != "vpc-lattice" {
        return Err("it is not a VPC Lattice ARN (`arn:...:vpc-lattice:...`)".into());
    }
    if region.is_empty() || account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err("its region or account is missing".into());
    }
    match resource.split_once('/') {
        Some((r, id)) if r == K::ARN_RESOURCE && id.starts_with(K::ARN_ID_PREFIX) => Ok(()),
        _ => Err(format!("it does not name a {} (`{}/{}...`)", K::TARGET, K::ARN_RESOURCE, K::ARN_ID_PREFIX)),
    }
}

/// The region of a Lattice ARN.
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// The state of `ep`, with `base` (prior state, plan or an empty model) supplying what EC2 does
/// not say: the `dns_options` block's presence and `timeouts`.
fn state_from_endpoint<K: LatticeKind>(region: &str, base: &K::Model, ep: &VpcEndpoint) -> K::Model {
    let mut m = base.clone();
    let id = ep.vpc_endpoint_id().unwrap_or_default();
    let owner = ep.owner_id().unwrap_or_default();
    let known_base_ip = known_or_null(base.view().ip_address_type);
    let dns_options = match base.view().dns_options {
        Val::Null => Val::Null,
        mine => {
            let mine = mine.known().cloned().unwrap_or_default();
            let aws = ep.dns_options();
            let domains = aws.map(|d| d.private_dns_specified_domains()).filter(|d| !d.is_empty());
            Val::Known(LatticeDnsOptions {
                dns_record_ip_type: aws
                    .and_then(|d| d.dns_record_ip_type())
                    .map_or_else(|| known_or_null(&mine.dns_record_ip_type), |t| Val::Known(t.as_str().to_string())),
                private_dns_preference: aws
                    .and_then(|d| d.private_dns_preference())
                    .map_or_else(|| known_or_null(&mine.private_dns_preference), |p| Val::Known(p.to_string())),
                private_dns_specified_domains: domains
                    .map_or_else(|| known_or_null(&mine.private_dns_specified_domains), |d| Val::Known(string_set(d))),
            })
        }
    };
    let v = m.view_mut();
    *v.id = Val::Known(id.to_string());
    *v.arn = (!owner.is_empty()).then(|| aws::endpoint_arn(region, owner, id)).into();
    *v.vpc_id = ep.vpc_id().map(str::to_string).into();
    *v.target = K::target_of(ep).map(str::to_string).into();
    *v.subnet_ids = Val::Known(string_set(ep.subnet_ids()));
    *v.security_group_ids =
        Val::Known(ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect::<BTreeSet<_>>().into_iter().collect());
    *v.private_dns_enabled = Val::Known(ep.private_dns_enabled().unwrap_or(false));
    // EC2 spells it in capitals for these types (IPV4).
    *v.ip_address_type = ep.ip_address_type().map_or(known_base_ip, |t| Val::Known(t.as_str().to_ascii_lowercase()));
    *v.tags = tags::state_value(aws::tags_from_ec2(ep.tags()));
    *v.tags_all = tags::state_value(aws::tags_from_ec2(ep.tags()));
    *v.state = Val::Known(aws::state_display(ep));
    *v.network_interface_ids = Val::Known(string_set(ep.network_interface_ids()));
    *v.owner_id = (!owner.is_empty()).then(|| owner.to_string()).into();
    *v.requester_managed = Val::Known(ep.requester_managed().unwrap_or(false));
    *v.dns_options = dns_options;
    *v.timeouts = known_or_null(v.timeouts);
    m
}

/// The state of an `aws_vpc_endpoint` of this type, for `moved` (aws provider 6.x: these types
/// came in 5.x/6.x; what a version lacks is left to the refresh).
fn moved_from<K: LatticeKind>(src: &AwsEndpoint) -> K::Model {
    let mut m = K::Model::default();
    // The block only when it holds a setting of the user's (see the interface's).
    let dns_options = src.block("dns_options").and_then(|d| {
        let preference = d.get("private_dns_preference").and_then(serde_json::Value::as_str).filter(|s| !s.is_empty());
        let record = src.chosen_record_type(d);
        if record.is_none() && preference.is_none() {
            return None;
        }
        let domains = moves::strings_of(d.get("private_dns_specified_domains"));
        Some(LatticeDnsOptions {
            dns_record_ip_type: d
                .get("dns_record_ip_type")
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .into(),
            private_dns_preference: preference.map(str::to_string).into(),
            private_dns_specified_domains: if domains.is_empty() { Val::Null } else { Val::Known(string_set(&domains)) },
        })
    });
    let v = m.view_mut();
    *v.id = Val::Known(src.id.clone());
    *v.arn = src.arn();
    *v.vpc_id = src.string("vpc_id");
    *v.target = src.string(K::TARGET_ATTR);
    *v.subnet_ids = src.string_set("subnet_ids");
    *v.security_group_ids = src.string_set("security_group_ids");
    *v.private_dns_enabled = Val::Known(src.bool("private_dns_enabled").unwrap_or(false));
    *v.ip_address_type = src.ip_address_type();
    *v.tags = src.tags();
    *v.state = src.string("state");
    *v.network_interface_ids = src.string_set("network_interface_ids");
    *v.owner_id = src.string("owner_id");
    *v.requester_managed = src.bool("requester_managed").into();
    *v.dns_options = dns_options.map_or(Val::Null, Val::Known);
    *v.timeouts = src.timeouts();
    m
}
