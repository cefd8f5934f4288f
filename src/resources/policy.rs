//! The endpoint policy: compared as JSON, `""` or no policy meaning AWS's default full-access one.

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::Val;

/// Compares two policy documents as JSON values: key order and whitespace never matter, and a
/// one-element array equals its element (IAM normalises `["s3:*"]` to `"s3:*"`).
pub(crate) fn policies_equal(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(x), Ok(y)) => normalize(x) == normalize(y),
        _ => a.trim() == b.trim(),
    }
}

fn normalize(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Array(items) if items.len() == 1 => normalize(items.into_iter().next().unwrap_or(J::Null)),
        J::Array(items) => {
            let mut items: Vec<J> = items.into_iter().map(normalize).collect();
            items.sort_by_key(|i| i.to_string());
            J::Array(items)
        }
        J::Object(map) => J::Object(map.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

/// The configured custom policy: `None` when `policy` is null, unknown, or `""` (which
/// `aws_vpc_endpoint` users write for "the default full-access policy").
pub(crate) fn configured(policy: &Val<String>) -> Option<&str> {
    policy.as_str().filter(|p| !p.trim().is_empty())
}

/// Whether a policy in the state is a custom one (not empty, not AWS's default).
pub(crate) fn is_custom(policy: Option<&str>) -> bool {
    policy.is_some_and(|p| !p.trim().is_empty() && !is_default(p))
}

/// What an update must do to the endpoint policy.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Change<'a> {
    Keep,
    Set(&'a str),
    /// Back to AWS's default full-access policy (`ResetPolicy`).
    Reset,
}

/// The policy change from `prior` to `config`: a new custom policy is sent unless it means the
/// same as the prior one; no policy (null or `""`) resets a custom one.
pub(crate) fn change<'a>(prior: &Val<String>, config: &'a Val<String>) -> Change<'a> {
    let old = prior.as_str();
    match configured(config) {
        Some(p) if old.is_some_and(|old| policies_equal(old, p)) => Change::Keep,
        Some(p) => Change::Set(p),
        None if config.is_known() && is_custom(old) => Change::Reset,
        None => Change::Keep,
    }
}

/// The planned `policy` where it differs from Terraform's proposal: the prior string when the
/// configured policy means the same (reformatting never shows a diff); unknown when the policy is
/// removed from the configuration and a custom one must be reset (EC2 then reports the default).
pub(crate) fn plan(prior: &Val<String>, config: &Val<String>, fresh: bool) -> Option<Val<String>> {
    match (prior.as_str(), config.as_str()) {
        (Some(old), Some(new)) if policies_equal(old, new) => return Some(Val::Known(old.to_string())),
        // `""` means the default policy, which the prior state holds (as EC2 reported it, when
        // no policy was configured): nothing changes, and Terraform accepts the prior value for
        // a configured one that means the same.
        (Some(old), Some(new)) if new.trim().is_empty() && !is_custom(Some(old)) => return Some(Val::Known(old.to_string())),
        _ => {}
    }
    (config.is_null() && !fresh && is_custom(prior.as_str())).then(Val::unknown)
}

/// EC2's limit on an endpoint policy, white space included (not adjustable).
pub const POLICY_MAX_CHARS: usize = 20_480;

/// A policy over EC2's 20,480 characters (static: at validate and plan).
pub fn check_policy_size(policy: &Val<String>, diags: &mut Diagnostics) {
    let Some(p) = configured(policy) else { return };
    let n = p.chars().count();
    if n > POLICY_MAX_CHARS {
        diags.attr_error(
            "policy",
            "Policy too long",
            format!(
                "The policy has {n} characters; EC2 accepts at most {POLICY_MAX_CHARS}, white space included (it refuses the create or modify: InvalidPolicyDocument \"The size of an endpoint policy cannot exceed 20,480 characters, including white space\"). Shorten it: jsonencode() writes it without white space; fewer statements, wildcards or conditions."
            ),
        );
    }
}

/// Checks that `policy` (when known, set and not `""`) is a JSON object.
pub(crate) fn validate(policy: &Val<String>, diags: &mut Diagnostics) {
    check_policy_size(policy, diags);
    if let Some(p) = configured(policy) {
        match serde_json::from_str::<serde_json::Value>(p) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => diags.attr_error(
                "policy",
                "Invalid policy document",
                "The policy must be a JSON object, for example the output of jsonencode({...}) or data.aws_iam_policy_document.x.json.",
            ),
            Err(e) => diags.attr_error("policy", "Invalid policy document", format!("The policy is not valid JSON: {e}.")),
        }
    }
}

/// After reading a policy from AWS: keep the string the user wrote when it means the same (`""`
/// means AWS's default policy).
pub(crate) fn reconcile(current: &Val<String>, from_aws: Option<&str>) -> Val<String> {
    match (current.as_str(), from_aws) {
        (Some(mine), Some(theirs)) if policies_equal(mine, theirs) => Val::Known(mine.to_string()),
        (Some(mine), theirs) if mine.trim().is_empty() && theirs.is_none_or(is_default) => Val::Known(mine.to_string()),
        (_, Some(theirs)) => Val::Known(theirs.to_string()),
        _ => Val::Null,
    }
}

/// Whether a policy is AWS's default full-access endpoint policy (any `Version`, optional `Sid`).
pub(crate) fn is_default(policy: &str) -> bool {
    use serde_json::Value as J;
    let Ok(J::Object(doc)) = serde_json::from_str::<J>(policy) else { return false };
    if doc.keys().any(|k| k != "Version" && k != "Statement" && k != "Id") {
        return false;
    }
    let statements = match doc.get("Statement") {
        Some(J::Array(items)) => items.clone(),
        Some(s @ J::Object(_)) => vec![s.clone()],
        _ => return false,
    };
    let star = |v: Option<&J>| match v {
        Some(J::String(s)) => s == "*",
        Some(J::Array(items)) => items.len() == 1 && items[0] == J::String("*".into()),
        _ => false,
    };
    let [J::Object(st)] = statements.as_slice() else { return false };
    let principal_any = match st.get("Principal") {
        Some(J::Object(p)) => p.len() == 1 && star(p.get("AWS")),
        other => star(other),
    };
    st.keys().all(|k| ["Effect", "Principal", "Action", "Resource", "Sid"].contains(&k.as_str()))
        && st.get("Effect") == Some(&J::String("Allow".into()))
        && principal_any
        && star(st.get("Action"))
        && star(st.get("Resource"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_size_is_counted_in_characters() {
        let ok = format!("{{\"Sid\":\"{}\"}}", "é".repeat(POLICY_MAX_CHARS - 10));
        assert_eq!(ok.chars().count(), POLICY_MAX_CHARS);
        let mut d = Diagnostics::new();
        check_policy_size(&Val::Known(ok), &mut d);
        assert!(!d.has_errors());
        let long = format!("{{\"Sid\":\"{}\"}}", "x".repeat(POLICY_MAX_CHARS - 9));
        check_policy_size(&Val::Known(long), &mut d);
        assert!(d.has_errors());
        let mut d = Diagnostics::new();
        check_policy_size(&Val::unknown(), &mut d);
        assert!(!d.has_errors());
    }

    #[test]
    fn policies_compare_semantically() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"*"}]}"#;
        let b = "{\n  \"Statement\": [{\"Resource\": \"*\", \"Action\": \"s3:GetObject\", \"Principal\": \"*\", \"Effect\": \"Allow\"}],\n  \"Version\": \"2012-10-17\"\n}";
        assert!(policies_equal(a, b));
        let c = a.replace("GetObject", "PutObject");
        assert!(!policies_equal(a, &c));
    }

    #[test]
    fn default_policy_detection() {
        assert!(is_default(r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#));
        assert!(is_default(
            r#"{"Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"*"},"Action":["*"],"Resource":"*"}],"Version":"2012-10-17"}"#
        ));
        assert!(!is_default(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#
        ));
        assert!(!is_default(r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#));
        assert!(!is_default(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:x":"y"}}}]}"#
        ));
        assert!(!is_default("not json"));
    }

    #[test]
    fn changes() {
        let custom = Val::Known(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#.to_string());
        let empty = Val::Known(String::new());
        assert_eq!(change(&custom, &Val::Null), Change::Reset);
        assert_eq!(change(&custom, &empty), Change::Reset);
        assert_eq!(change(&custom, &Val::unknown()), Change::Keep);
        assert_eq!(change(&custom, &custom), Change::Keep);
        assert!(matches!(change(&empty, &custom), Change::Set(_)));
        assert_eq!(plan(&custom, &Val::Null, false), Some(Val::unknown()));
        assert_eq!(plan(&custom, &Val::Null, true), None);
        // No policy, then `policy = ""`: the default policy EC2 reported stays; a custom one does not.
        let default = Val::Known(
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#.to_string(),
        );
        assert_eq!(plan(&default, &empty, false), Some(default.clone()));
        assert_eq!(plan(&custom, &empty, false), None);
        assert_eq!(change(&default, &empty), Change::Keep);
        assert_eq!(reconcile(&empty, None), empty);
    }
}
