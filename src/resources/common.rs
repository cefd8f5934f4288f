//! Plan, policy, tag and timeout logic shared by both resources.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::{Missing, SdkResultExt, WaitError};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Block;
use crate::protocol::values::{PathStep, Refinements, Value};

use super::{ApplyResponse, Ctx};

/// The strings of a set/list attribute (null or unknown: empty).
pub fn strings(v: &Value) -> BTreeSet<String> {
    v.as_list()
        .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The entries of a map(string) attribute (null or unknown: empty).
pub fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_map()
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// Replaces attributes of an object value.
pub fn with_attrs(obj: &Value, attrs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut map = obj.as_map().cloned().unwrap_or_default();
    for (k, v) in attrs {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

/// Plans a single nested block (`dns_options`): null when not configured; else each of `attrs`
/// as configured, or (not configured, optional and computed) unknown on create and the prior value
/// on update.
pub fn plan_single_block(prior: &Value, proposed: &Value, config: &Value, fresh: bool, block: &str, attrs: &[&str]) -> Value {
    let cfg = config.get(block);
    if cfg.is_null() {
        return Value::Null;
    }
    let prior_block = if fresh { &Value::Null } else { prior.get(block) };
    let proposed_block = proposed.get(block);
    let mut out = BTreeMap::new();
    for attr in attrs {
        let c = cfg.get(attr);
        let v = if !c.is_null() {
            c.clone()
        } else if fresh || prior_block.is_null() {
            Value::Unknown(Refinements::default())
        } else {
            let p = proposed_block.get(attr);
            if p.is_null() { prior_block.get(attr).clone() } else { p.clone() }
        };
        out.insert(attr.to_string(), v);
    }
    Value::Object(out)
}

/// "a, b or c".
pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// An error on `at` unless the string `v` (when known and set) is one of `allowed`.
pub fn validate_enum(v: &Value, at: Vec<PathStep>, name: &str, allowed: &[&str], diags: &mut Diagnostics) {
    if let Some(s) = v.as_str() {
        if !allowed.contains(&s) {
            let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>();
            diags.attr_error(at, format!("Invalid {name}"), format!("\"{s}\" is not a valid {name}: use one of {}.", join_or(&list)));
        }
    }
}

/// Generic planning for a resource without a framework:
/// - force-new attributes whose configured value differs from the prior state require replacement;
/// - on create or replace, computed attributes the configuration leaves null become unknown;
/// - on update, computed values stay as they were (Terraform's proposal already carries them),
///   except those listed in `recompute_on_update`, which become unknown.
pub fn plan_generic(block: &Block, prior: &Value, proposed: &Value, config: &Value, recompute_on_update: &[&str]) -> (Value, Vec<Vec<PathStep>>) {
    plan_generic_with(block, prior, proposed, config, recompute_on_update, Vec::new())
}

/// [`plan_generic`] with replacement paths the caller found itself (e.g. a force-new attribute
/// inside a nested block).
pub fn plan_generic_with(
    block: &Block,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    recompute_on_update: &[&str],
    mut replace: Vec<Vec<PathStep>>,
) -> (Value, Vec<Vec<PathStep>>) {
    let creating = prior.is_null();
    // An endpoint EC2 reports failed, rejected or expired never becomes usable: replace it (e.g.
    // one saved by an interrupted create that then failed).
    if prior.get("state").as_str().is_some_and(|s| ["failed", "rejected", "expired"].contains(&s.to_ascii_lowercase().as_str())) {
        replace.push(vec![PathStep::Attr("state".to_string())]);
    }
    if !creating {
        for a in block.attributes.iter().filter(|a| a.force_new) {
            let (was, now) = (prior.get(a.name), config.get(a.name));
            if !(now.is_null() && a.computed) && was != now {
                replace.push(vec![PathStep::Attr(a.name.to_string())]);
            }
        }
    }
    let fresh = creating || !replace.is_empty();
    let mut planned = proposed.as_map().cloned().unwrap_or_default();
    for a in block.attributes.iter().filter(|a| a.computed) {
        if !config.get(a.name).is_null() {
            continue;
        }
        if fresh || recompute_on_update.contains(&a.name) {
            planned.insert(a.name.to_string(), Value::Unknown(Refinements::default()));
        }
    }
    (Value::Object(planned), replace)
}

/// Compares two policy documents as JSON values: key order and whitespace never matter, and a
/// one-element array equals its element (IAM normalises `["s3:*"]` to `"s3:*"`).
pub fn policies_equal(a: &str, b: &str) -> bool {
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
pub fn configured_policy(config: &Value) -> Option<&str> {
    config.get("policy").as_str().filter(|p| !p.trim().is_empty())
}

/// Whether a policy in the state is a custom one (not empty, not AWS's default).
pub fn is_custom_policy(policy: Option<&str>) -> bool {
    policy.is_some_and(|p| !p.trim().is_empty() && !is_default_policy(p))
}

/// What an update must do to the endpoint policy.
#[derive(Debug, PartialEq, Eq)]
pub enum PolicyChange<'a> {
    Keep,
    Set(&'a str),
    /// Back to AWS's default full-access policy (`ResetPolicy`).
    Reset,
}

/// The policy change from `prior` to `config`: a new custom policy is sent unless it means the
/// same as the prior one; no policy (null or `""`) resets a custom one.
pub fn policy_change<'a>(prior: &Value, config: &'a Value) -> PolicyChange<'a> {
    let old = prior.get("policy").as_str();
    match configured_policy(config) {
        Some(p) if old.is_some_and(|old| policies_equal(old, p)) => PolicyChange::Keep,
        Some(p) => PolicyChange::Set(p),
        None if config.get("policy").is_known() && is_custom_policy(old) => PolicyChange::Reset,
        None => PolicyChange::Keep,
    }
}

/// The planned `policy` where it differs from Terraform's proposal: the prior string when the
/// configured policy means the same (reformatting never shows a diff); unknown when the policy is
/// removed from the configuration and a custom one must be reset (EC2 then reports the default).
pub fn plan_policy_value(prior: &Value, config: &Value, fresh: bool) -> Option<Value> {
    if let Some(kept) = plan_policy(prior, config) {
        return Some(kept);
    }
    (config.get("policy").is_null() && !fresh && is_custom_policy(prior.get("policy").as_str())).then(|| Value::Unknown(Refinements::default()))
}

/// Checks that `policy` (when known, set and not `""`) is a JSON object.
pub fn validate_policy(config: &Value, diags: &mut Diagnostics) {
    if let Some(p) = configured_policy(config) {
        match serde_json::from_str::<serde_json::Value>(p) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => diags.attr_error("policy", "Invalid policy document", "The policy must be a JSON object, for example the output of jsonencode({...}) or data.aws_iam_policy_document.x.json."),
            Err(e) => diags.attr_error("policy", "Invalid policy document", format!("The policy is not valid JSON: {e}.")),
        }
    }
}

/// In the plan: keep the prior policy string when the configured one means the same, so that
/// reformatting a policy never shows a diff.
pub fn plan_policy(prior: &Value, config: &Value) -> Option<Value> {
    match (prior.get("policy").as_str(), config.get("policy").as_str()) {
        (Some(old), Some(new)) if policies_equal(old, new) => Some(Value::string(old)),
        _ => None,
    }
}

/// After reading a policy from AWS: keep the string the user wrote when it means the same (`""`
/// means AWS's default policy).
pub fn reconcile_policy(current: &Value, from_aws: Option<&str>) -> Value {
    match (current.as_str(), from_aws) {
        (Some(mine), Some(theirs)) if policies_equal(mine, theirs) => Value::string(mine),
        (Some(mine), theirs) if mine.trim().is_empty() && theirs.is_none_or(is_default_policy) => Value::string(mine),
        (_, Some(theirs)) => Value::string(theirs),
        _ => Value::Null,
    }
}

/// The longest timeout accepted.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// Parses a Go-style duration ("90s", "10m", "1h30m", "1.5h") of at most [`MAX_TIMEOUT`].
pub fn parse_duration(s: &str) -> Option<Duration> {
    parse_any_duration(s).filter(|d| *d <= MAX_TIMEOUT)
}

/// Parses a Go-style duration of any length.
fn parse_any_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * unit;
    }
    (total.is_finite() && total < 1e12).then(|| Duration::from_secs_f64(total))
}

/// Validates every timeout in the `timeouts` block.
pub fn validate_timeouts(config: &Value, diags: &mut Diagnostics) {
    if let Some(map) = config.get("timeouts").as_map() {
        for (op, v) in map {
            let Some(s) = v.as_str() else { continue };
            let at = vec![PathStep::Attr("timeouts".into()), PathStep::Attr(op.clone())];
            match parse_any_duration(s) {
                None => diags.attr_error(
                    at,
                    "Invalid timeout",
                    format!("\"{s}\" is not a duration. Use a number with a unit, for example \"30s\", \"10m\" or \"1h30m\" (at most 168h)."),
                ),
                Some(d) if d > MAX_TIMEOUT => diags.attr_error(
                    at,
                    "Timeout too long",
                    format!("\"{s}\" is longer than the maximum timeout of 168h (7 days). Use at most \"168h\"."),
                ),
                Some(_) => {}
            }
        }
    }
}

/// The timeout for an operation from the state/plan value, else the default.
pub fn timeout(v: &Value, op: &str, default: Duration) -> Duration {
    v.get("timeouts").get(op).as_str().and_then(parse_duration).unwrap_or(default)
}

/// Validates that every element of a set of ids has the expected prefix.
pub fn validate_ids(config: &Value, attr: &str, prefix: &str, what: &str, diags: &mut Diagnostics) {
    for id in strings(config.get(attr)) {
        if !id.starts_with(prefix) {
            diags.attr_error(attr, format!("Invalid {what} ID"), format!("\"{id}\" is not a {what} ID: those look like \"{prefix}0123456789abcdef0\"."));
        }
    }
}

pub fn validate_id(config: &Value, attr: &str, prefix: &str, what: &str, diags: &mut Diagnostics) {
    if let Some(id) = config.get(attr).as_str() {
        if !id.starts_with(prefix) {
            diags.attr_error(attr, format!("Invalid {what} ID"), format!("\"{id}\" is not a {what} ID: those look like \"{prefix}0123456789abcdef0\"."));
        }
    }
}

/// Tag changes: (to set, keys to remove).
pub fn tag_changes(old: &Value, new: &Value) -> (BTreeMap<String, String>, Vec<String>) {
    let (old, new) = (string_map(old), string_map(new));
    let set = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let remove = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    (set, remove)
}

/// Resolves `s3` / `dynamodb` short names against the region; full names pass through.
pub fn resolve_service_name(name: &str, region: &str) -> String {
    if name.contains('.') {
        name.to_string()
    } else {
        format!("com.amazonaws.{region}.{name}")
    }
}

/// The region a `com.amazonaws.REGION.service` name refers to, if it has that form.
pub fn service_region(name: &str) -> Option<&str> {
    let mut parts = name.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("com"), Some("amazonaws"), Some(region)) if region.contains('-') => Some(region),
        _ => None,
    }
}

/// The tags of a VPC endpoint at creation: these pairs.
pub fn tag_specification<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> aws_sdk_ec2::types::TagSpecification {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let tags = tags.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    TagSpecification::builder().resource_type(ResourceType::VpcEndpoint).set_tags(Some(tags)).build()
}

/// Brings the tags of endpoint `id` from `old` to `new` (DeleteTags, then CreateTags). On failure
/// adds an error on `tags` and returns false.
pub async fn update_tags(ctx: &Ctx, id: &str, old: &Value, new: &Value, diags: &mut Diagnostics) -> bool {
    use aws_sdk_ec2::types::Tag;
    let (set, unset) = tag_changes(old, new);
    let client = ctx.ec2.client();
    if !unset.is_empty() {
        let tags = unset.iter().map(|k| Tag::builder().key(k).build()).collect();
        if let Err(e) = client.delete_tags().resources(id).set_tags(Some(tags)).send().await.aws_op("DeleteTags") {
            diags.attr_error("tags", "Cannot remove tags", format!("{id}: {e}"));
            return false;
        }
    }
    if !set.is_empty() {
        let tags = set.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        if let Err(e) = client.create_tags().resources(id).set_tags(Some(tags)).send().await.aws_op("CreateTags") {
            diags.attr_error("tags", "Cannot set tags", format!("{id}: {e}"));
            return false;
        }
    }
    true
}

/// Reports a failed wait as an error diagnostic; `saved` tells what the state now holds.
pub fn wait_error(diags: &mut Diagnostics, e: WaitError, id: &str, waiting_for: &str, saved: &str) {
    match e {
        WaitError::Cancelled => diags.error(
            "Interrupted",
            format!("Terraform was interrupted while waiting for VPC endpoint {id} {waiting_for}. {saved}"),
        ),
        WaitError::Timeout(last) => diags.error(
            "Timed out",
            format!("VPC endpoint {id} was still {last} when the timeout passed while waiting for it {waiting_for}. {saved} Raise the timeout in the `timeouts` block if this service is slow."),
        ),
        other => diags.error("VPC endpoint failed", format!("While waiting for VPC endpoint {id} {waiting_for}: {other}. {saved}")),
    }
}

/// Deletes the endpoint of `prior` and waits until it is gone (`kind` names it in errors, e.g.
/// "gateway endpoint"). Already gone counts as deleted; on any failure the prior state stays.
pub async fn delete_endpoint(ctx: &Ctx, prior: &Value, kind: &str, timeout: Duration) -> ApplyResponse {
    let mut diags = Diagnostics::new();
    let Some(id) = prior.get("id").as_str().filter(|s| !s.is_empty()).map(str::to_owned) else {
        return ApplyResponse::default();
    };
    let kept = |diags| ApplyResponse { new_state: prior.clone(), diags };
    match ctx.ec2.client().delete_vpc_endpoints().vpc_endpoint_ids(&id).send().await.aws_op("DeleteVpcEndpoints") {
        // Only the endpoint's own NotFound means it is gone; any other error keeps it in the state,
        // unless EC2 shows it deleted (a retried request whose first attempt did delete it may
        // fail otherwise).
        Err(e) if e.is_missing(Missing::VpcEndpoint) => return ApplyResponse::default(),
        Err(e) => {
            if let Ok(None) = ctx.ec2.find_vpc_endpoint(&id).await {
                crate::info!(format!("{kind} is deleted although DeleteVpcEndpoints failed"), "id" => id, "error" => e.to_string());
                return ApplyResponse::default();
            }
            diags.error(format!("Cannot delete the {kind}"), e.to_string());
            return kept(diags);
        }
        Ok(out) => {
            let gone = |code: &str| Missing::VpcEndpoint.not_found().iter().any(|k| k.eq_ignore_ascii_case(code));
            let refused = out.unsuccessful().iter().filter_map(|i| i.error()).find(|e| !gone(e.code().unwrap_or_default()));
            if let Some(err) = refused {
                if let Ok(None) = ctx.ec2.find_vpc_endpoint(&id).await {
                    return ApplyResponse::default();
                }
                let (code, message) = (err.code().unwrap_or_default(), err.message().unwrap_or("no reason given"));
                diags.error(format!("Cannot delete the {kind}"), format!("EC2 did not delete {id}: {code}: {message}"));
                return kept(diags);
            }
        }
    }
    match ctx.ec2.wait_for_endpoint_deleted(&id, timeout, &ctx.cancel).await {
        Ok(()) | Err(WaitError::NotFound) => {
            crate::info!(format!("deleted {kind}"), "id" => id);
            ApplyResponse::default()
        }
        Err(e) => {
            wait_error(&mut diags, e, &id, "to be deleted", "Deletion was requested; the endpoint stays in the state until it is gone.");
            kept(diags)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_compare_semantically() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"*"}]}"#;
        let b = "{\n  \"Statement\": [{\"Resource\": \"*\", \"Action\": \"s3:GetObject\", \"Principal\": \"*\", \"Effect\": \"Allow\"}],\n  \"Version\": \"2012-10-17\"\n}";
        assert!(policies_equal(a, b));
        let c = a.replace("GetObject", "PutObject");
        assert!(!policies_equal(a, &c));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("ten minutes"), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("9999h"), None);
    }

    #[test]
    fn service_names() {
        assert_eq!(resolve_service_name("s3", "eu-west-1"), "com.amazonaws.eu-west-1.s3");
        assert_eq!(resolve_service_name("com.amazonaws.us-east-1.s3", "eu-west-1"), "com.amazonaws.us-east-1.s3");
        assert_eq!(service_region("com.amazonaws.us-east-1.s3"), Some("us-east-1"));
        assert_eq!(service_region("com.amazonaws.vpce.us-east-1.vpce-svc-123"), None);
    }

    #[test]
    fn tags_diff() {
        let old = Value::map_of_strings([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
        let new = Value::map_of_strings([("a".to_string(), "1".to_string()), ("b".to_string(), "3".to_string()), ("c".to_string(), "4".to_string())]);
        let (set, remove) = tag_changes(&old, &new);
        assert_eq!(set.len(), 2);
        assert!(remove.is_empty());
        let (set, remove) = tag_changes(&new, &Value::Null);
        assert!(set.is_empty());
        assert_eq!(remove.len(), 3);
    }
}

/// The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// A VPC endpoint's ARN (EC2 returns none): `arn:PARTITION:ec2:REGION:OWNER:vpc-endpoint/ID`.
pub fn endpoint_arn(region: &str, owner: &str, id: &str) -> String {
    format!("arn:{}:ec2:{region}:{owner}:vpc-endpoint/{id}", partition(region))
}

/// EC2 tags as the `tags` state value: AWS-reserved `aws:*` tags are left out; no tags is an empty
/// map (never null), so that no `tags`, `tags = {}` and `tags = null` all plan nothing.
pub fn tags_from_ec2(tags: &[aws_sdk_ec2::types::Tag]) -> Value {
    let tags: BTreeMap<String, String> = tags
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("aws:") && k != crate::aws::CREATE_MARKER)
        .collect();
    Value::map_of_strings(tags)
}

/// Collections for which no value and an empty value mean the same (`tags`, `route_table_ids`):
/// they are optional and computed, a null configuration plans the empty value, and reads return
/// the empty value, so switching between the two spellings plans nothing.
pub fn plan_empty_when_null(planned: Value, config: &Value, attrs: &[(&'static str, fn() -> Value)]) -> Value {
    let empty: Vec<(&'static str, Value)> = attrs.iter().filter(|(a, _)| config.get(a).is_null()).map(|(a, f)| (*a, f())).collect();
    if empty.is_empty() {
        planned
    } else {
        with_attrs(&planned, empty)
    }
}

/// An empty `map(string)`.
pub fn empty_map() -> Value {
    Value::Map(BTreeMap::new())
}

/// An empty `set(string)`.
pub fn empty_set() -> Value {
    Value::Set(Vec::new())
}

/// Whether a policy is AWS's default full-access endpoint policy (any `Version`, optional `Sid`).
pub fn is_default_policy(policy: &str) -> bool {
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

/// EC2's tag limits: at most 50 tags per resource, keys of 1 to 128 characters, values of at most
/// 256 characters (Unicode characters, not bytes).
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_KEY_CHARS: usize = 128;
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// EC2's tag rules, checked at plan: an error on `tags` (or the offending key) for each broken one.
/// Keys starting with `aws:` are reserved by AWS.
pub fn validate_tags(config: &Value, diags: &mut Diagnostics) {
    let tags = config.get("tags");
    let Some(map) = tags.as_map() else { return };
    if map.len() > MAX_TAGS {
        diags.attr_error("tags", "Too many tags", format!("{} tags are configured; EC2 allows at most {MAX_TAGS} tags per VPC endpoint.", map.len()));
    }
    for (key, value) in map {
        let at = || vec![PathStep::Attr("tags".into()), PathStep::Key(key.clone())];
        let chars = key.chars().count();
        if key.to_ascii_lowercase().starts_with("aws:") {
            diags.attr_error(at(), "Invalid tag key", format!("Tag keys starting with \"aws:\" are reserved for AWS; \"{key}\" cannot be set."));
        } else if chars == 0 {
            diags.attr_error(at(), "Invalid tag key", "A tag key cannot be empty.");
        } else if chars > MAX_TAG_KEY_CHARS {
            diags.attr_error(at(), "Tag key too long", format!("The tag key \"{}...\" has {chars} characters; EC2 allows at most {MAX_TAG_KEY_CHARS}.", key.chars().take(20).collect::<String>()));
        }
        if let Some(v) = value.as_str() {
            let n = v.chars().count();
            if n > MAX_TAG_VALUE_CHARS {
                diags.attr_error(at(), "Tag value too long", format!("The value of tag \"{key}\" has {n} characters; EC2 allows at most {MAX_TAG_VALUE_CHARS}."));
            }
        }
    }
}
