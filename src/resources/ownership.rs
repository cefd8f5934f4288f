//! Who manages which route tables of which endpoint, as this provider process sees the plan:
//! `vpce_gateway` resources that set `route_table_ids` and `vpce_route_table_association`
//! resources. Terraform plans a whole configuration in one provider process, so two owners of one
//! endpoint's route tables in one configuration are found whichever is planned first (with the
//! endpoint ID known; a new endpoint is checked when the association is planned again at apply,
//! against EC2). The claims are [`RouteTableOwners`], which the configured provider holds and
//! every call's [`Ctx`](crate::context::Ctx) shares.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Owners {
    /// The `route_table_ids` a `vpce_gateway` of this endpoint sets in its configuration.
    inline: Option<BTreeSet<String>>,
    /// Route table -> how many association resources claim it.
    associations: BTreeMap<String, usize>,
}

/// The route table claims of one configured provider, by endpoint ID (cheap to clone: the
/// clones share the claims).
#[derive(Clone, Default)]
pub(crate) struct RouteTableOwners(Arc<Mutex<HashMap<String, Owners>>>);

/// Why an association cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// The endpoint's `vpce_gateway` sets `route_table_ids` (these tables).
    Inline(BTreeSet<String>),
    /// Another association resource of this configuration claims the same pair.
    Duplicate,
}

impl Conflict {
    pub(crate) fn summary(&self) -> &'static str {
        match self {
            Conflict::Inline(_) => "Route tables managed twice",
            Conflict::Duplicate => "Duplicate route table association",
        }
    }

    pub(crate) fn detail(&self, endpoint: &str, table: &str) -> String {
        match self {
            Conflict::Inline(listed) if listed.contains(table) => format!(
                "The vpce_gateway of {endpoint} lists {table} in its route_table_ids, and this vpce_route_table_association associates it too. Manage each endpoint's route tables in one place: either leave route_table_ids unset on the vpce_gateway (unset means \"managed elsewhere\": the endpoint then keeps the tables associations add), or drop this association."
            ),
            Conflict::Inline(listed) => format!(
                "The vpce_gateway of {endpoint} sets route_table_ids = [{}], which does not include {table}: every apply, the endpoint would remove the table this vpce_route_table_association adds (endless add/remove). Manage each endpoint's route tables in one place: either leave route_table_ids unset on the vpce_gateway (unset means \"managed elsewhere\"), or list {table} there and drop this association.",
                listed.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
            ),
            Conflict::Duplicate => format!(
                "Another vpce_route_table_association in this configuration also associates {table} with {endpoint}. Keep one: with two, destroying either removes the association the other still claims."
            ),
        }
    }
}

impl RouteTableOwners {
    /// An association resource claims `table` of `endpoint`; a conflict with what was claimed before.
    pub(crate) fn claim_association(&self, endpoint: &str, table: &str) -> Option<Conflict> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let o = all.entry(endpoint.to_owned()).or_default();
        let n = o.associations.entry(table.to_owned()).or_default();
        *n += 1;
        if *n > 1 {
            return Some(Conflict::Duplicate);
        }
        o.inline.clone().map(Conflict::Inline)
    }

    /// A `vpce_gateway` sets `route_table_ids = tables` for `endpoint`; the route tables that
    /// association resources claimed for it before (a conflict when not empty).
    pub(crate) fn claim_inline(&self, endpoint: &str, tables: BTreeSet<String>) -> Vec<String> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let o = all.entry(endpoint.to_owned()).or_default();
        o.inline = Some(tables);
        o.associations.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_whichever_comes_first() {
        let owners = RouteTableOwners::default();
        assert_eq!(owners.claim_association("vpce-own1", "rtb-1"), None);
        assert_eq!(owners.claim_association("vpce-own1", "rtb-2"), None);
        assert_eq!(owners.claim_association("vpce-own1", "rtb-1"), Some(Conflict::Duplicate));
        assert_eq!(owners.claim_inline("vpce-own1", BTreeSet::new()), ["rtb-1", "rtb-2"]);
        let listed: BTreeSet<String> = ["rtb-9".to_string()].into();
        assert_eq!(owners.claim_inline("vpce-own2", listed.clone()), Vec::<String>::new());
        let c = owners.claim_association("vpce-own2", "rtb-3").expect("conflict");
        assert_eq!(c, Conflict::Inline(listed));
        assert!(c.detail("vpce-own2", "rtb-3").contains("does not include rtb-3"), "{}", c.detail("vpce-own2", "rtb-3"));
    }

    /// Claims belong to one configured provider: another one (another process, or a test's own
    /// context) starts with none.
    #[test]
    fn claims_are_per_configured_provider() {
        let (a, b) = (RouteTableOwners::default(), RouteTableOwners::default());
        assert_eq!(a.claim_association("vpce-1", "rtb-1"), None);
        assert_eq!(b.claim_association("vpce-1", "rtb-1"), None);
        let shared = a.clone();
        assert_eq!(shared.claim_association("vpce-1", "rtb-1"), Some(Conflict::Duplicate));
    }
}
