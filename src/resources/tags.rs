//! The `tags` attribute: EC2's tag rules, and bringing an endpoint's tags to the plan.

use std::collections::BTreeMap;

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Val};
use crate::protocol::values::PathStep;

use super::Ctx;

/// EC2's tag limits: at most 50 tags per resource, keys of 1 to 128 characters, values of at most
/// 256 characters (Unicode characters, not bytes).
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_KEY_CHARS: usize = 128;
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// The `tags` state value of an endpoint's tags: never null (an empty map when there are none), so
/// that no `tags`, `tags = {}` and `tags = null` all plan nothing.
pub fn state_value(tags: BTreeMap<String, String>) -> Val<Map<String>> {
    Val::Known(tags.into_iter().collect())
}

/// EC2's tag rules, checked at plan: an error on `tags` (or the offending key) for each broken one.
/// Keys starting with `aws:` are reserved by AWS.
pub fn validate(tags: &Val<Map<String>>, diags: &mut Diagnostics) {
    let Some(Map(map)) = tags.known() else { return };
    if map.len() > MAX_TAGS {
        diags.attr_error(
            "tags",
            "Too many tags",
            format!("{} tags are configured; EC2 allows at most {MAX_TAGS} tags per VPC endpoint.", map.len()),
        );
    }
    for (key, value) in map {
        let at = || vec![PathStep::Attr("tags".into()), PathStep::Key(key.clone())];
        let chars = key.chars().count();
        if key.to_ascii_lowercase().starts_with("aws:") {
            diags.attr_error(
                at(),
                "Invalid tag key",
                format!("Tag keys starting with \"aws:\" are reserved for AWS; \"{key}\" cannot be set."),
            );
        } else if chars == 0 {
            diags.attr_error(at(), "Invalid tag key", "A tag key cannot be empty.");
        } else if chars > MAX_TAG_KEY_CHARS {
            diags.attr_error(
                at(),
                "Tag key too long",
                format!(
                    "The tag key \"{}...\" has {chars} characters; EC2 allows at most {MAX_TAG_KEY_CHARS}.",
                    key.chars().take(20).collect::<String>()
                ),
            );
        }
        if let Some(v) = value.as_str() {
            let n = v.chars().count();
            if n > MAX_TAG_VALUE_CHARS {
                diags.attr_error(
                    at(),
                    "Tag value too long",
                    format!("The value of tag \"{key}\" has {n} characters; EC2 allows at most {MAX_TAG_VALUE_CHARS}."),
                );
            }
        }
    }
}

/// Tag changes: (to set, keys to remove).
pub fn changes(old: &Val<Map<String>>, new: &Val<Map<String>>) -> (BTreeMap<String, String>, Vec<String>) {
    let (old, new) = (old.string_map(), new.string_map());
    let set = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let remove = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    (set, remove)
}

/// Brings the tags of endpoint `id` from `old` to `new` (DeleteTags, then CreateTags; concurrent
/// resources getting the same change share the calls). On failure adds an error on `tags` and
/// returns false.
pub async fn update(ctx: &Ctx, id: &str, old: &Val<Map<String>>, new: &Val<Map<String>>, diags: &mut Diagnostics) -> bool {
    let (set, unset) = changes(old, new);
    if let Err(e) = ctx.ec2.delete_tags(id, &unset).await {
        diags.attr_error("tags", "Cannot remove tags", format!("{id}: {e}"));
        return false;
    }
    if let Err(e) = ctx.ec2.create_tags(id, &set).await {
        diags.attr_error("tags", "Cannot set tags", format!("{id}: {e}"));
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Val<Map<String>> {
        Val::Known(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn tags_diff() {
        let old = tags(&[("a", "1"), ("b", "2")]);
        let new = tags(&[("a", "1"), ("b", "3"), ("c", "4")]);
        let (set, remove) = changes(&old, &new);
        assert_eq!(set.len(), 2);
        assert!(remove.is_empty());
        let (set, remove) = changes(&new, &Val::Null);
        assert!(set.is_empty());
        assert_eq!(remove.len(), 3);
    }

    #[test]
    fn tag_rules() {
        let mut d = Diagnostics::new();
        validate(&tags(&[("aws:x", "1"), ("", "2"), ("ok", &"v".repeat(257))]), &mut d);
        let summaries: Vec<&str> = d.0.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid tag key", "Invalid tag key", "Tag value too long"]);
        let many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".to_string())).collect();
        let mut d = Diagnostics::new();
        validate(&Val::Known(many.into_iter().collect()), &mut d);
        assert_eq!(d.0[0].summary, "Too many tags");
    }
}
