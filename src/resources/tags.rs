//! The `tags` and `tags_all` attributes: EC2's tag rules, the provider's `default_tags` and
//! `ignore_tags`, and bringing an endpoint's tags to the plan.
//!
//! As in the AWS provider: `tags_all` is every tag of the endpoint, the provider's `default_tags`
//! merged with the resource's `tags` (the resource's value wins for a key in both). It is what is
//! sent to EC2 (TagSpecifications on create, the difference on update) and what a read reports.
//! `tags` holds the configured keys and the tags added outside Terraform (so that `lifecycle {
//! ignore_changes = [tags] }` keeps those, as with the AWS provider). Tags matching `ignore_tags` (keys or key prefixes) are
//! never read (neither in `tags` nor in `tags_all`) and never changed; the creation marker
//! ([`crate::aws::CREATE_MARKER`]) and `aws:` tags are never shown either.

use std::collections::{BTreeMap, BTreeSet};

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{Map, Val};
use crate::protocol::values::PathStep;

use super::Ctx;

/// EC2's tag limits: at most 50 tags per resource, keys of 1 to 128 characters, values of at most
/// 256 characters (Unicode characters, not bytes).
pub(crate) const MAX_TAGS: usize = 50;
pub(crate) const MAX_TAG_KEY_CHARS: usize = 128;
pub(crate) const MAX_TAG_VALUE_CHARS: usize = 256;

/// The provider's tag settings (`default_tags` and `ignore_tags`), which every resource call sees.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TagConfig {
    /// `default_tags.tags`; `None` while unknown (a plan with values known only after apply).
    pub(crate) default_tags: Option<BTreeMap<String, String>>,
    /// `ignore_tags.keys`.
    pub(crate) ignore_keys: BTreeSet<String>,
    /// `ignore_tags.key_prefixes`.
    pub(crate) ignore_prefixes: Vec<String>,
}

impl TagConfig {
    /// Whether `ignore_tags` covers the key.
    pub(crate) fn ignored(&self, key: &str) -> bool {
        self.ignore_keys.contains(key) || self.ignore_prefixes.iter().any(|p| key.starts_with(p.as_str()))
    }

    /// `tags_all` of a resource with `tags`: the default tags, overridden by the resource's, less
    /// the ignored keys; `None` while the default tags are unknown.
    pub(crate) fn merged(&self, tags: &BTreeMap<String, String>) -> Option<BTreeMap<String, String>> {
        let mut all = self.default_tags.clone()?;
        all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        all.retain(|k, _| !self.ignored(k));
        Some(all)
    }

    /// The planned `tags_all` for a planned `tags`: known when both it and the default tags are.
    pub(crate) fn plan(&self, tags: &Val<Map<String>>) -> Val<Map<String>> {
        match tags {
            Val::Known(_) if tags.is_wholly_known() => match self.merged(&tags.string_map()) {
                Some(all) => Val::Known(all.into_iter().collect()),
                None => Val::unknown(),
            },
            Val::Null => self.merged(&BTreeMap::new()).map_or_else(Val::unknown, |all| Val::Known(all.into_iter().collect())),
            _ => Val::unknown(),
        }
    }

    /// `(tags, tags_all)` of an endpoint whose EC2 tags (less `aws:` and the marker) are `ec2`,
    /// with `configured` (the prior state's or the plan's `tags`) telling which keys are the
    /// resource's own. As in the AWS provider, `tags` is every visible tag that is not a default
    /// tag with its default value, and the configured keys whatever their value: a tag added
    /// outside Terraform shows in `tags` (the plan removes it, unless `lifecycle {
    /// ignore_changes = [tags] }` keeps it: Terraform then plans with the prior `tags`, which hold
    /// it). An ignored key (`ignore_tags`) keeps its configured value: it is never read.
    pub(crate) fn read(&self, configured: &Val<Map<String>>, ec2: BTreeMap<String, String>) -> (Val<Map<String>>, Val<Map<String>>) {
        let visible: BTreeMap<String, String> = ec2.into_iter().filter(|(k, _)| !self.ignored(k)).collect();
        let defaults = self.default_tags.clone().unwrap_or_default();
        let mine = match configured {
            Val::Known(Map(mine)) => mine.clone(),
            _ => BTreeMap::new(),
        };
        let mut tags: BTreeMap<String, String> = visible
            .iter()
            .filter(|(k, v)| mine.contains_key(*k) || defaults.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in &mine {
            if let (true, Some(v)) = (self.ignored(k), v.known()) {
                tags.insert(k.clone(), v.clone());
            }
        }
        (state_value(tags), state_value(visible))
    }
}

/// The `tags` state value of an endpoint's tags: never null (an empty map when there are none), so
/// that no `tags`, `tags = {}` and `tags = null` all plan nothing.
pub(crate) fn state_value(tags: BTreeMap<String, String>) -> Val<Map<String>> {
    Val::Known(tags.into_iter().collect())
}

/// EC2's tag rules, checked at plan: an error on `tags` (or the offending key) for each broken one.
/// Keys starting with `aws:` are reserved by AWS.
pub(crate) fn validate(tags: &Val<Map<String>>, diags: &mut Diagnostics) {
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
        if crate::aws::is_hidden_tag(key) {
            diags.attr_error(
                at(),
                "Invalid tag key",
                format!("\"{key}\" is one of the provider's own hidden tags (crash-safe creates, split ownership) and cannot be set."),
            );
        } else if key.to_ascii_lowercase().starts_with("aws:") {
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

/// The merged `tags_all` of a plan against EC2's limit (the resource's own tags are checked by
/// [`validate`]; the default tags by the provider): an error on `tags` when there are too many.
pub(crate) fn validate_merged(tags_all: &Val<Map<String>>, tags: &Val<Map<String>>, diags: &mut Diagnostics) {
    let Some(Map(all)) = tags_all.known() else { return };
    let own = tags.known().map_or(0, |m| m.0.len());
    if all.len() > MAX_TAGS && own <= MAX_TAGS {
        diags.attr_error(
            "tags",
            "Too many tags",
            format!(
                "The provider's default_tags and this resource's tags make {} tags together (tags_all); EC2 allows at most {MAX_TAGS} tags per VPC endpoint.",
                all.len()
            ),
        );
    }
}

/// A warning on each key of `tags` that the provider's `ignore_tags` covers and that the plan
/// sets or changes (from `prior`): such a tag is never sent to EC2 nor read from it, so the
/// configured value would stand only in the state.
pub fn warn_ignored(cfg: &TagConfig, prior: Option<&Val<Map<String>>>, tags: &Val<Map<String>>, diags: &mut Diagnostics) {
    let Some(Map(map)) = tags.known() else { return };
    let before = prior.map(|p| p.string_map()).unwrap_or_default();
    for (key, value) in map {
        if !cfg.ignored(key) || value.as_str().is_some_and(|v| before.get(key).map(String::as_str) == Some(v)) {
            continue;
        }
        diags.attr_warning(
            vec![PathStep::Attr("tags".into()), PathStep::Key(key.clone())],
            "Tag ignored by the provider",
            format!(
                "The provider's ignore_tags covers \"{key}\": the provider neither sends it to EC2 nor reads it back, so this value is kept in the state only and EC2 keeps whatever it has. Remove the key from tags, or from ignore_tags to manage it."
            ),
        );
    }
}

/// Tag changes: (to set, keys to remove).
pub(crate) fn changes(old: &Val<Map<String>>, new: &Val<Map<String>>) -> (BTreeMap<String, String>, Vec<String>) {
    let (old, new) = (old.string_map(), new.string_map());
    let set = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let remove = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    (set, remove)
}

/// Brings the tags of endpoint `id` from `old` to `new` (DeleteTags, then CreateTags; concurrent
/// resources getting the same change share the calls). On failure adds an error on `tags` and
/// returns false.
pub(crate) async fn update(ctx: &Ctx, id: &str, old: &Val<Map<String>>, new: &Val<Map<String>>, diags: &mut Diagnostics) -> bool {
    let (mut set, mut unset) = changes(old, new);
    set.retain(|k, _| !ctx.tags.ignored(k));
    unset.retain(|k| !ctx.tags.ignored(k));
    let gone = |e: &crate::aws::AwsError| {
        match e.is_missing(crate::aws::Missing::VpcEndpoint) {
        true => format!("{id}: {e}. The endpoint is deleted: it was deleted after the plan was made. The state keeps it until the next refresh, whose plan creates it again."),
        false => format!("{id}: {e}"),
    }
    };
    if let Err(e) = ctx.ec2.delete_tags(id, &unset).await {
        diags.attr_error("tags", "Cannot remove tags", gone(&e));
        return false;
    }
    if let Err(e) = ctx.ec2.create_tags(id, &set).await {
        diags.attr_error("tags", "Cannot set tags", gone(&e));
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

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn default_and_ignored_tags() {
        let cfg = TagConfig {
            default_tags: Some(map(&[("env", "prod"), ("team", "net"), ("skip", "x")])),
            ignore_keys: ["skip".to_string()].into_iter().collect(),
            ignore_prefixes: vec!["kubernetes.io/".to_string()],
        };
        // The resource wins; ignored keys are left out.
        let all = cfg.merged(&map(&[("team", "app"), ("Name", "n")])).unwrap();
        assert_eq!(all, map(&[("Name", "n"), ("env", "prod"), ("team", "app")]));
        assert_eq!(cfg.plan(&tags(&[("team", "app"), ("Name", "n")])), Val::Known(all.clone().into_iter().collect()));
        assert!(cfg.plan(&Val::unknown()).is_unknown());
        assert!(TagConfig { default_tags: None, ..TagConfig::default() }.plan(&tags(&[])).is_unknown());
        // A read: tags keeps the configured keys and tags added outside Terraform (not default
        // tags with their default value), tags_all everything but ignored tags.
        let ec2 = map(&[("Name", "n"), ("env", "prod"), ("team", "app"), ("kubernetes.io/x", "1"), ("extra", "e")]);
        let (t, a) = cfg.read(&tags(&[("Name", "n"), ("team", "app"), ("skip", "mine")]), ec2.clone());
        assert_eq!(t, tags(&[("Name", "n"), ("team", "app"), ("skip", "mine"), ("extra", "e")]));
        // A configured key with a default tag's value stays the resource's own.
        let (t, _) = cfg.read(&tags(&[("env", "prod")]), ec2.clone());
        assert_eq!(t, tags(&[("Name", "n"), ("team", "app"), ("env", "prod"), ("extra", "e")]));
        assert_eq!(a, tags(&[("Name", "n"), ("env", "prod"), ("team", "app"), ("extra", "e")]));
        // Import: every tag but the default ones with their default value.
        let (t, _) = cfg.read(&Val::Null, ec2);
        assert_eq!(t, tags(&[("Name", "n"), ("team", "app"), ("extra", "e")]));
        // Too many together.
        let many: BTreeMap<String, String> = (0..51).map(|i| (format!("k{i}"), "v".to_string())).collect();
        let mut d = Diagnostics::new();
        validate_merged(&Val::Known(many.into_iter().collect()), &tags(&[("a", "b")]), &mut d);
        assert_eq!(d.0[0].summary, "Too many tags");
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
