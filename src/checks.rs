//! Static checks of attribute values shared by the resources and the data sources, and the
//! English lists their messages use. Knows no resource.

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Set, Val};
use crate::protocol::values::PathStep;

/// A plan-time check that could not run (EC2 did not answer): a warning, not an error, since EC2
/// still refuses invalid values when the endpoint is created or modified.
pub(crate) fn could_not_check(diags: &mut Diagnostics, what: &str, e: &dyn std::fmt::Display) {
    skipped(diags, what, e, "created or modified");
}

/// [`could_not_check`] for an endpoint type that is never modified (every change replaces it).
pub(crate) fn could_not_check_before_create(diags: &mut Diagnostics, what: &str, e: &dyn std::fmt::Display) {
    skipped(diags, what, e, "created");
}

fn skipped(diags: &mut Diagnostics, what: &str, e: &dyn std::fmt::Display, when: &str) {
    diags.warning(
        format!("Could not check {what}"),
        format!("{e}. The check was skipped; EC2 still rejects invalid values when the endpoint is {when}."),
    );
}

/// "a, b or c".
pub(crate) fn join_or(items: &[String]) -> String {
    join(items, "or")
}

/// "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    join(items, "and")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// An attribute path from attribute names.
pub(crate) fn attr_path(parts: &[&str]) -> Vec<PathStep> {
    parts.iter().map(|p| PathStep::Attr(p.to_string())).collect()
}

/// An error on `at` unless the string `v` (when known and set) is one of `allowed`.
pub(crate) fn validate_enum(v: &Val<String>, at: Vec<PathStep>, name: &str, allowed: &[&str], diags: &mut Diagnostics) {
    if let Some(s) = v.as_str() {
        if !allowed.contains(&s) {
            let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>();
            diags.attr_error(at, format!("Invalid {name}"), format!("\"{s}\" is not a valid {name}: use one of {}.", join_or(&list)));
        }
    }
}

fn bad_id(attr: &str, id: &str, prefix: &str, what: &str, diags: &mut Diagnostics) {
    diags.attr_error(
        attr,
        format!("Invalid {what} ID"),
        format!("\"{id}\" is not a {what} ID: those look like \"{prefix}0123456789abcdef0\"."),
    );
}

/// An error on `attr` unless the ID (when known and set) has the expected prefix.
pub(crate) fn validate_id(v: &Val<String>, attr: &str, prefix: &str, what: &str, diags: &mut Diagnostics) {
    if let Some(id) = v.as_str().filter(|id| !id.starts_with(prefix)) {
        bad_id(attr, id, prefix, what, diags);
    }
}

/// An error on `attr` for each known ID of the set without the expected prefix.
pub(crate) fn validate_ids(v: &Val<Set<String>>, attr: &str, prefix: &str, what: &str, diags: &mut Diagnostics) {
    for id in v.strings().iter().filter(|id| !id.starts_with(prefix)) {
        bad_id(attr, id, prefix, what, diags);
    }
}

/// An error on `attr` for each known VPC endpoint ID of the set that is not one (`vpce-...`, and
/// not an endpoint service's `vpce-svc-...`).
pub(crate) fn validate_endpoint_ids(v: &Val<Set<String>>, attr: &str, diags: &mut Diagnostics) {
    for id in v.strings().iter().filter(|id| !id.starts_with("vpce-") || id.starts_with("vpce-svc-")) {
        bad_id(attr, id, "vpce-", "VPC endpoint", diags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_or(&s(&["a", "b", "c"])), "a, b or c");
        assert_eq!(join_and(&s(&["a", "b"])), "a and b");
        assert_eq!(join_and(&s(&["a"])), "a");
    }

    #[test]
    fn ids_and_enums() {
        let mut d = Diagnostics::new();
        validate_id(&Val::Known("subnet-1".into()), "vpc_id", "vpc-", "VPC", &mut d);
        validate_id(&Val::unknown(), "vpc_id", "vpc-", "VPC", &mut d);
        validate_ids(
            &Val::Known(["rtb-1".to_string(), "sg-1".to_string()].into_iter().collect()),
            "route_table_ids",
            "rtb-",
            "route table",
            &mut d,
        );
        validate_enum(&Val::Known("ipv5".into()), attr_path(&["ip_address_type"]), "ip_address_type", &["ipv4", "ipv6"], &mut d);
        let summaries: Vec<&str> = d.0.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid VPC ID", "Invalid route table ID", "Invalid ip_address_type"]);
        assert!(d.0[2].detail.contains("use one of \"ipv4\" or \"ipv6\""), "{}", d.0[2].detail);
    }
}
