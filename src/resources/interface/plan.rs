//! `vpce_interface`: the plan.

use super::checks::Checks;
use super::{InterfaceModel, SubnetConfiguration};
use crate::checks::attr_path;
use crate::protocol::model::{Set, Val};
use crate::protocol::values::PathStep;

/// Two sets are the same, known, strings.
pub(super) fn sets_equal(a: &Val<Set<String>>, b: &Val<Set<String>>) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && a.strings() == b.strings() && a.is_null() == b.is_null()
}

/// Replacement paths for configured force-new `dns_options` attributes (EC2 cannot change them
/// in place) that differ from the prior state.
pub(super) fn dns_replacements(prior: &InterfaceModel, config: &InterfaceModel) -> Vec<Vec<PathStep>> {
    let (now, was) = (config.dns(), prior.dns());
    let mut replace = Vec::new();
    let preference = &now.private_dns_preference;
    if preference.is_wholly_known() && !preference.is_null() && *preference != was.private_dns_preference {
        replace.push(attr_path(&["dns_options", "private_dns_preference"]));
    }
    let domains = &now.private_dns_specified_domains;
    if domains.is_wholly_known() && !domains.is_null() && !sets_equal(domains, &was.private_dns_specified_domains) {
        replace.push(attr_path(&["dns_options", "private_dns_specified_domains"]));
    }
    replace
}

/// Whether two `subnet_configuration` values are the same blocks (no blocks: null, as in a state
/// written before the attribute existed, or empty).
pub(super) fn same_subnet_configuration(a: &Val<Set<SubnetConfiguration>>, b: &Val<Set<SubnetConfiguration>>) -> bool {
    let empty = |v: &Val<Set<SubnetConfiguration>>| v.is_null() || v.known().is_some_and(|s| s.0.is_empty());
    (empty(a) && empty(b)) || a == b
}

/// Whether the change from `prior` to `planned` modifies the endpoint's network interfaces or DNS names.
pub(super) fn network_changes(prior: &InterfaceModel, planned: &InterfaceModel) -> bool {
    !sets_equal(&prior.subnet_ids, &planned.subnet_ids)
        || prior.ip_address_type != planned.ip_address_type
        || prior.private_dns_enabled != planned.private_dns_enabled
        || (!planned.dns_options.is_null() && prior.dns_options != planned.dns_options)
        || !same_subnet_configuration(&prior.subnet_configuration, &planned.subnet_configuration)
}

/// The interface's part of the plan: private DNS is off unless configured (the EC2 API default is
/// on); a change of the network recomputes the network interfaces, DNS names and state.
pub(super) fn complete_plan(prior: Option<&InterfaceModel>, planned: &mut InterfaceModel, config: &InterfaceModel, fresh: bool) {
    if config.private_dns_enabled.is_null() {
        planned.private_dns_enabled = Val::Known(false);
    }
    if let (Some(prior), false) = (prior, fresh) {
        if network_changes(prior, planned) {
            planned.dns_entry = Val::unknown();
            planned.network_interface_ids = Val::unknown();
            planned.state = Val::unknown();
        }
        // Accepting a waiting endpoint changes its state.
        let waiting = prior.state.as_str().is_some_and(|s| s.eq_ignore_ascii_case("pendingacceptance"));
        if waiting && planned.auto_accept.as_bool() == Some(true) && prior.auto_accept.as_bool() != Some(true) {
            planned.state = Val::unknown();
        }
    }
}

/// Which EC2 checks a plan needs: everything for a new endpoint, else only what changes.
pub(super) fn checks_for(prior: Option<&InterfaceModel>, planned: &InterfaceModel, fresh: bool) -> Checks {
    let Some(prior) = prior.filter(|_| !fresh) else { return Checks::all() };
    let (old_groups, new_groups) = (prior.security_group_ids.strings(), planned.security_group_ids.strings());
    Checks {
        vpc: false,
        service: false,
        subnets: !sets_equal(&prior.subnet_ids, &planned.subnet_ids) || prior.ip_address_type != planned.ip_address_type,
        groups: new_groups.iter().any(|g| !old_groups.contains(g)),
        private_dns: planned.private_dns_enabled.as_bool() == Some(true) && prior.private_dns_enabled.as_bool() != Some(true),
        at_apply: false,
    }
}
