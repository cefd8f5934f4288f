//! Who manages which members (route tables, subnets, security groups) of which endpoint, as this
//! provider process sees the plan: endpoint resources that set the inline list (`route_table_ids`
//! of a `vpce_gateway`, `subnet_ids` or `security_group_ids` of a `vpce_interface`) and the
//! association resources. Terraform plans a whole configuration in one provider process, so two
//! owners of one endpoint's members in one configuration are found whichever is planned first
//! (with the endpoint ID known; a new endpoint is checked when the association is planned again at
//! apply, against EC2). The claims are [`Owners`], which the configured provider holds and every
//! call's [`Ctx`](crate::context::Ctx) shares (no process-global state).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// The names a conflict's diagnostic speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Names {
    /// The endpoint resource with the inline list, e.g. `vpce_gateway`.
    pub(crate) endpoint_resource: &'static str,
    /// Its inline list, e.g. `route_table_ids`.
    pub(crate) inline_attr: &'static str,
    /// The association resource, e.g. `vpce_route_table_association`.
    pub(crate) association: &'static str,
    /// One member, lowercase, e.g. `route table`.
    pub(crate) what: &'static str,
}

impl Names {
    /// `Route tables`, `Subnets`, ...
    fn plural_title(&self) -> String {
        let mut s = capitalised(self.what);
        s.push('s');
        s
    }
}

/// The first letter in uppercase.
pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[derive(Default)]
struct Claims {
    /// The list an endpoint resource sets in its configuration.
    inline: Option<BTreeSet<String>>,
    /// Member -> how many association resources claim it.
    associations: BTreeMap<String, usize>,
    /// Members whose association this plan replaces (deletes, then creates again).
    replacing: BTreeSet<String>,
}

/// The claims of one configured provider: (endpoint, inline attribute) -> its owners (cheap to
/// clone: the clones share the claims).
#[derive(Clone, Default)]
pub(crate) struct Owners(Arc<Mutex<HashMap<(String, &'static str), Claims>>>);

/// Why an association cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// The endpoint resource sets the inline list (these members).
    Inline(BTreeSet<String>),
    /// Another association resource of this configuration claims the same pair.
    Duplicate,
}

impl Conflict {
    pub(crate) fn summary(&self, n: &Names) -> String {
        match self {
            Conflict::Inline(_) => format!("{} managed twice", n.plural_title()),
            Conflict::Duplicate => format!("Duplicate {} association", n.what),
        }
    }

    pub(crate) fn detail(&self, n: &Names, endpoint: &str, member: &str) -> String {
        let Names { endpoint_resource: res, inline_attr: attr, association: assoc, what } = n;
        match self {
            Conflict::Inline(listed) if listed.contains(member) => format!(
                "The {res} of {endpoint} lists {member} in its {attr}, and this {assoc} associates it too. Manage each endpoint's {what}s in one place: either leave {attr} unset on the {res} (unset means \"managed elsewhere\": the endpoint then keeps the {what}s associations add), or drop this association."
            ),
            Conflict::Inline(listed) => format!(
                "The {res} of {endpoint} sets {attr} = [{}], which does not include {member}: every apply, the endpoint would remove the {what} this {assoc} adds (endless add/remove). Manage each endpoint's {what}s in one place: either leave {attr} unset on the {res} (unset means \"managed elsewhere\"), or list {member} there and drop this association.",
                listed.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
            ),
            Conflict::Duplicate => format!(
                "Another {assoc} in this configuration also associates {member} with {endpoint}. Keep one: with two, destroying either removes the association the other still claims."
            ),
        }
    }
}

impl Owners {
    /// An association resource claims `member` of `endpoint`; a conflict with what was claimed before.
    pub(crate) fn claim_association(&self, n: &Names, endpoint: &str, member: &str) -> Option<Conflict> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let o = all.entry((endpoint.to_owned(), n.inline_attr)).or_default();
        let count = o.associations.entry(member.to_owned()).or_default();
        *count += 1;
        if *count > 1 {
            return Some(Conflict::Duplicate);
        }
        o.inline.clone().map(Conflict::Inline)
    }

    /// An association of `member` is replaced (another of its settings changed): its create, planned
    /// next, finds the pair still associated.
    pub(crate) fn mark_replacing(&self, n: &Names, endpoint: &str, member: &str) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.entry((endpoint.to_owned(), n.inline_attr)).or_default().replacing.insert(member.to_owned());
    }

    /// Whether [`Owners::mark_replacing`] marked the pair.
    pub(crate) fn is_replacing(&self, n: &Names, endpoint: &str, member: &str) -> bool {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.get(&(endpoint.to_owned(), n.inline_attr)).is_some_and(|o| o.replacing.contains(member))
    }

    /// An endpoint resource sets its inline list to `members` for `endpoint`; the members that
    /// association resources claimed for it before (a conflict when not empty).
    pub(crate) fn claim_inline(&self, n: &Names, endpoint: &str, members: BTreeSet<String>) -> Vec<String> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let o = all.entry((endpoint.to_owned(), n.inline_attr)).or_default();
        o.inline = Some(members);
        o.associations.keys().cloned().collect()
    }

    /// The endpoint resource's side: claims `members` (when the configuration sets the list) and
    /// reports, on the list's attribute, the association resources that manage members too.
    pub(crate) fn check_inline(
        &self,
        n: &Names,
        endpoint: &str,
        members: Option<BTreeSet<String>>,
        diags: &mut crate::protocol::diagnostics::Diagnostics,
    ) {
        let Some(members) = members else { return };
        let claimed = self.claim_inline(n, endpoint, members);
        if claimed.is_empty() {
            return;
        }
        let Names { endpoint_resource: res, inline_attr: attr, association: assoc, what } = n;
        diags.attr_error(
            *attr,
            format!("{} managed twice", n.plural_title()),
            format!(
                "This {res} sets {attr}, and {assoc} resources in this configuration also manage {what}s of {endpoint} ({}). The endpoint would remove the {what}s they add, or both would own one association. Manage each endpoint's {what}s in one place: leave {attr} unset (unset means \"managed elsewhere\": the endpoint then keeps the {what}s the associations add), or list the {what}s here and drop the associations.",
                claimed.join(", ")
            ),
        );
    }
}

/// A setting of an endpoint that a separate resource may manage instead of the endpoint's own
/// resource (split ownership: `vpce_policy`, `vpce_private_dns`). Its claims are kept under the
/// attribute's name, as one member: the endpoint setting the attribute claims it "inline", the
/// separate resource as an association.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split {
    /// The endpoint attribute, `policy`.
    pub(crate) attr: &'static str,
    /// The separate resource, `vpce_policy`.
    pub(crate) resource: &'static str,
    /// What it is, lowercase, `policy`.
    pub(crate) what: &'static str,
}

/// `vpce_policy`.
pub(crate) const SPLIT_POLICY: Split = Split { attr: "policy", resource: "vpce_policy", what: "policy" };
/// `vpce_private_dns`.
pub(crate) const SPLIT_PRIVATE_DNS: Split =
    Split { attr: "private_dns_enabled", resource: "vpce_private_dns", what: "private DNS setting" };
/// `vpce_connection_accepter`: the acceptance of an interface endpoint's connection, which a
/// `vpce_interface` manages with `auto_accept = true` (not managed when unset: not in [`SPLITS`]).
pub(crate) const SPLIT_ACCEPT: Split = Split { attr: "auto_accept", resource: "vpce_connection_accepter", what: "connection acceptance" };
/// Every setting a separate resource may manage that the endpoint manages even when unset.
pub(crate) const SPLITS: &[Split] = &[SPLIT_POLICY, SPLIT_PRIVATE_DNS];

impl Split {
    fn names(&self) -> Names {
        Names { endpoint_resource: "endpoint", inline_attr: self.attr, association: self.resource, what: self.what }
    }

    /// `Policy managed twice`.
    pub(crate) fn twice(&self) -> String {
        format!("{} managed twice", capitalised(self.what))
    }

    /// The separate resource claims the setting of `endpoint`: why it cannot, if it cannot.
    pub(crate) fn claim(&self, owners: &Owners, endpoint: &str) -> Option<(String, String)> {
        let (res, attr, what) = (self.resource, self.attr, self.what);
        match owners.claim_association(&self.names(), endpoint, attr)? {
            Conflict::Duplicate => Some((
                format!("Duplicate {res}"),
                format!("Another {res} in this configuration also manages the {what} of {endpoint}. Keep one: two would undo each other's value, and destroying either resets what the other still claims."),
            )),
            Conflict::Inline(_) => Some((self.twice(), self.inline_detail(endpoint))),
        }
    }

    /// The endpoint resource of `endpoint` sets the attribute (`set`): whether a separate resource
    /// of this configuration claimed it already.
    pub(crate) fn claim_inline(&self, owners: &Owners, endpoint: &str, set: bool) -> Option<String> {
        if !set {
            return None;
        }
        let claimed = owners.claim_inline(&self.names(), endpoint, BTreeSet::from([self.attr.to_string()]));
        (!claimed.is_empty()).then(|| self.inline_detail(endpoint))
    }

    /// The setting's name, capitalised (a diagnostic's summary).
    pub(crate) fn what_capitalised(&self) -> String {
        capitalised(self.what)
    }

    /// The detail of the warning when the endpoint sets the attribute while the separate resource
    /// of this state still marks the endpoint (being removed in this apply).
    pub(crate) fn moving_back_detail(&self, endpoint: &str) -> String {
        let (res, attr, what) = (self.resource, self.attr, self.what);
        format!(
            "A {res} of this Terraform state manages the {what} of {endpoint} (the endpoint carries its tag), and the endpoint resource now sets {attr}. That is right when the {res} is removed from the configuration in this apply: it is destroyed first, then the endpoint sets {attr}. Were the {res} still in the configuration, the two would undo each other, and its plan would fail."
        )
    }

    /// The detail of the conflict between the endpoint's attribute and the separate resource.
    pub(crate) fn inline_detail(&self, endpoint: &str) -> String {
        let (res, attr, what) = (self.resource, self.attr, self.what);
        format!(
            "The endpoint resource of {endpoint} sets {attr}, and a {res} manages the {what} of {endpoint} too: at every apply one would undo the other. Manage the {what} in one place: leave {attr} unset on the endpoint (while a {res} manages it, unset means \"managed elsewhere\": the endpoint keeps the {res}'s value), or remove the {res}."
        )
    }
}

/// Which Terraform state this process works for, as the split-ownership tags name it (the
/// fingerprint of [`crate::protocol::workdir::state_identity`]).
pub(crate) fn state_owner() -> String {
    crate::aws::fingerprint(crate::protocol::workdir::state_identity())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RT: Names = Names {
        endpoint_resource: "vpce_gateway",
        inline_attr: "route_table_ids",
        association: "vpce_route_table_association",
        what: "route table",
    };
    const SN: Names =
        Names { endpoint_resource: "vpce_interface", inline_attr: "subnet_ids", association: "vpce_subnet_association", what: "subnet" };

    #[test]
    fn conflicts_whichever_comes_first() {
        let o = Owners::default();
        assert_eq!(o.claim_association(&RT, "vpce-own1", "rtb-1"), None);
        assert_eq!(o.claim_association(&RT, "vpce-own1", "rtb-2"), None);
        assert_eq!(o.claim_association(&RT, "vpce-own1", "rtb-1"), Some(Conflict::Duplicate));
        assert_eq!(o.claim_inline(&RT, "vpce-own1", BTreeSet::new()), ["rtb-1", "rtb-2"]);
        let listed: BTreeSet<String> = ["rtb-9".to_string()].into();
        assert_eq!(o.claim_inline(&RT, "vpce-own2", listed.clone()), Vec::<String>::new());
        let c = o.claim_association(&RT, "vpce-own2", "rtb-3").expect("conflict");
        assert_eq!(c, Conflict::Inline(listed));
        assert!(c.detail(&RT, "vpce-own2", "rtb-3").contains("does not include rtb-3"), "{}", c.detail(&RT, "vpce-own2", "rtb-3"));
        assert_eq!(c.summary(&RT), "Route tables managed twice");
    }

    #[test]
    fn split_settings_conflict_whichever_comes_first() {
        let o = Owners::default();
        // The separate resource first, then the endpoint setting the attribute.
        assert_eq!(SPLIT_POLICY.claim(&o, "vpce-s1"), None);
        assert!(SPLIT_POLICY.claim_inline(&o, "vpce-s1", true).is_some_and(|d| d.contains("leave policy unset")));
        // The endpoint first (leaving it unset claims nothing).
        assert_eq!(SPLIT_PRIVATE_DNS.claim_inline(&o, "vpce-s2", false), None);
        assert_eq!(SPLIT_PRIVATE_DNS.claim(&o, "vpce-s2"), None);
        assert_eq!(SPLIT_PRIVATE_DNS.claim_inline(&o, "vpce-s3", true), None);
        let (summary, _) = SPLIT_PRIVATE_DNS.claim(&o, "vpce-s3").expect("conflict");
        assert_eq!(summary, "Private DNS setting managed twice");
        assert_eq!(SPLIT_PRIVATE_DNS.claim(&o, "vpce-s2").map(|c| c.0), Some("Duplicate vpce_private_dns".to_string()));
        // Settings and members are apart: a policy claim is no subnet claim.
        assert_eq!(o.claim_association(&SN, "vpce-s1", "policy"), None);
    }

    #[test]
    fn two_configured_providers_do_not_share_claims() {
        let (a, b) = (Owners::default(), Owners::default());
        assert_eq!(a.claim_association(&RT, "vpce-1", "rtb-1"), None);
        assert_eq!(b.claim_association(&RT, "vpce-1", "rtb-1"), None);
        assert_eq!(a.clone().claim_association(&RT, "vpce-1", "rtb-1"), Some(Conflict::Duplicate), "clones share");
    }

    #[test]
    fn kinds_are_apart() {
        let o = Owners::default();
        // The route tables of an endpoint and its subnets have separate owners.
        assert_eq!(o.claim_inline(&RT, "vpce-own3", BTreeSet::new()), Vec::<String>::new());
        assert_eq!(o.claim_association(&SN, "vpce-own3", "subnet-1"), None);
        assert_eq!(Conflict::Duplicate.summary(&SN), "Duplicate subnet association");
        let mut d = crate::protocol::diagnostics::Diagnostics::new();
        o.check_inline(&SN, "vpce-own3", Some(BTreeSet::new()), &mut d);
        assert_eq!(d.0.iter().map(|x| x.summary.as_str()).collect::<Vec<_>>(), ["Subnets managed twice"]);
    }
}
