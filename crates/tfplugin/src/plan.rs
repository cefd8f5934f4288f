//! The planner: planning driven by the schema (what terraform-plugin-framework does for a
//! resource before its own plan modifiers): the replace rules of attributes
//! ([`Replace`]), computed attributes and the computed attributes of single nested blocks. Works
//! on whole values, attribute by attribute, by the schema's names; resources then adjust the
//! result through their typed models. [`default_plan`](crate::resource::default_plan) is the plan of a resource that
//! adds nothing. Also the value helpers of planning and applying: [`unknowns_to_null`],
//! [`overlay_planned`], [`known_or_null`].

use std::collections::BTreeMap;

use crate::model::{Field, Val};
use crate::schema::{Block, Nesting, Replace};
use crate::values::{PathStep, Value};

/// The planned object and the paths that require replacement.
pub struct Planned {
    /// The planned object value.
    pub value: Value,
    /// The attribute paths whose change requires replacing the object.
    pub replace: Vec<Vec<PathStep>>,
    /// A new object is planned: a create, or a replacement.
    pub fresh: bool,
}

/// Plans `proposed` (Terraform's proposal: the configuration, with computed attributes the
/// configuration leaves null taken from the prior state); a null `proposed` (a destroy) plans
/// null:
/// - attributes with a replace rule ([`Replace`]) that it finds changed require replacement
///   (after `replace`, the paths the caller found itself);
/// - on create or replace, computed attributes the configuration leaves null become unknown (on
///   update they keep their prior value: "use state for unknown");
/// - single nested blocks are null when not configured; their computed attributes the
///   configuration leaves null are unknown when the block is new, else keep their prior value.
pub fn plan(block: &Block, prior: &Value, proposed: &Value, config: &Value, mut replace: Vec<Vec<PathStep>>) -> Planned {
    if proposed.is_null() {
        return Planned { value: Value::Null, replace: Vec::new(), fresh: false };
    }
    let creating = prior.is_null();
    if !creating {
        for a in &block.attributes {
            let changed = match a.replace {
                None => false,
                Some(Replace::WhenChanged) => prior.get(a.name) != proposed.get(a.name),
                Some(Replace::WhenConfigured) => {
                    let (was, now) = (prior.get(a.name), config.get(a.name));
                    !(now.is_null() && a.computed) && was != now
                }
            };
            if changed {
                replace.push(vec![PathStep::Attr(a.name.to_string())]);
            }
        }
    }
    let fresh = creating || !replace.is_empty();
    let mut planned = proposed.as_map().cloned().unwrap_or_default();
    for a in block.attributes.iter().filter(|a| a.computed) {
        if config.get(a.name).is_null() && fresh {
            planned.insert(a.name.to_string(), Value::unknown());
        }
    }
    for b in block.blocks.iter().filter(|b| b.nesting == Nesting::Single && b.block.attributes.iter().any(|a| a.computed)) {
        let prior_block = if fresh { &Value::Null } else { prior.get(b.name) };
        planned.insert(b.name.to_string(), plan_single_block(&b.block, prior_block, proposed.get(b.name), config.get(b.name), fresh));
    }
    Planned { value: Value::Object(planned), replace, fresh }
}

/// A single nested block: null when not configured; else each attribute as configured, or (not
/// configured, computed) unknown on create and the prior value on update.
fn plan_single_block(block: &Block, prior: &Value, proposed: &Value, config: &Value, fresh: bool) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let c = config.get(a.name);
        let v = if !c.is_null() || !a.computed {
            c.clone()
        } else if fresh || prior.is_null() {
            Value::unknown()
        } else {
            let p = proposed.get(a.name);
            if p.is_null() {
                prior.get(a.name).clone()
            } else {
                p.clone()
            }
        };
        out.insert(a.name.to_string(), v);
    }
    Value::Object(out)
}

/// Replaces every unknown (at any depth) with null: what a state holds for values nobody knows.
pub fn unknowns_to_null(v: Value) -> Value {
    match v {
        Value::Unknown(_) => Value::Null,
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, unknowns_to_null(v))).collect()),
        Value::List(items) => Value::List(items.into_iter().map(unknowns_to_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(unknowns_to_null).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, unknowns_to_null(v))).collect()),
        other => other,
    }
}

/// The planned value where it is wholly known, else the value from the remote object; objects
/// (the state, a nested block) attribute by attribute.
pub fn overlay_planned(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Object(p), Value::Object(a)) => {
            let mut out = a.clone();
            for (k, pv) in p {
                let av = a.get(k).cloned().unwrap_or(Value::Null);
                out.insert(k.clone(), overlay_planned(pv, &av));
            }
            Value::Object(out)
        }
        // A known value (a null block included) is kept exactly.
        (p, _) if p.is_wholly_known() => p.clone(),
        (_, a) => unknowns_to_null(a.clone()),
    }
}

/// `v` with every unknown inside it (not only at the top) null.
pub fn known_or_null<T: Field>(v: &Val<T>) -> Val<T> {
    Val::from_value(&unknowns_to_null(v.to_value()), &[]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};
    use crate::values::Type;

    fn block() -> Block {
        Block {
            description: "",
            attributes: vec![
                Attribute::computed("id", Type::String, ""),
                Attribute::required("name", Type::String, "").replace_when_configured(),
                Attribute::optional_computed("kind", Type::String, ""),
            ],
            blocks: vec![
                NestedBlock::single(
                    "opts",
                    "",
                    vec![Attribute::optional_computed("a", Type::String, ""), Attribute::optional_computed("b", Type::String, "")],
                ),
                NestedBlock::single("timeouts", "", vec![Attribute::optional("create", Type::String, "")]),
            ],
        }
    }

    #[test]
    fn create_update_replace() {
        let opts = |a: Value, b: Value| Value::object([("a", a), ("b", b)]);
        let config = Value::object([("name", Value::string("n")), ("opts", opts(Value::string("x"), Value::Null))]);
        let p = plan(&block(), &Value::Null, &config, &config, vec![]);
        assert!(p.fresh && p.replace.is_empty());
        let created = Value::object([
            ("id", Value::unknown()),
            ("name", Value::string("n")),
            ("kind", Value::unknown()),
            ("opts", opts(Value::string("x"), Value::unknown())),
        ]);
        assert_eq!(p.value, created);

        let prior = Value::object([
            ("id", Value::string("i")),
            ("name", Value::string("n")),
            ("kind", Value::string("k")),
            ("opts", opts(Value::string("x"), Value::string("y"))),
        ]);
        let proposed = Value::object([
            ("id", Value::string("i")),
            ("name", Value::string("n")),
            ("kind", Value::string("k")),
            ("opts", opts(Value::string("x"), Value::Null)),
        ]);
        let p = plan(&block(), &prior, &proposed, &config, vec![]);
        assert!(!p.fresh);
        assert_eq!(p.value, prior, "an update keeps computed values");

        let renamed = Value::object([("name", Value::string("m"))]);
        let p = plan(&block(), &prior, &renamed, &renamed, vec![]);
        assert_eq!(p.replace, vec![vec![PathStep::Attr("name".into())]]);
        assert!(p.fresh);
        assert_eq!(p.value, Value::object([("id", Value::unknown()), ("name", Value::string("m")), ("kind", Value::unknown())]));
    }

    #[test]
    fn overlay_keeps_planned_and_fills_unknowns() {
        let planned = Value::object([
            ("a", Value::string("mine")),
            ("b", Value::unknown()),
            ("c", Value::Null),
            ("d", Value::object([("x", Value::unknown()), ("y", Value::Bool(true))])),
            ("e", Value::Set(vec![Value::string("s"), Value::unknown()])),
        ]);
        let actual = Value::object([
            ("a", Value::string("theirs")),
            ("b", Value::string("filled")),
            ("c", Value::string("ignored")),
            ("d", Value::object([("x", Value::string("x")), ("y", Value::Bool(false))])),
            ("e", Value::set_of_strings(["s", "t"])),
        ]);
        let out = overlay_planned(&planned, &actual);
        let expected = Value::object([
            ("a", Value::string("mine")),
            ("b", Value::string("filled")),
            ("c", Value::Null),
            ("d", Value::object([("x", Value::string("x")), ("y", Value::Bool(true))])),
            ("e", Value::set_of_strings(["s", "t"])),
        ]);
        assert_eq!(out, expected);
        assert!(unknowns_to_null(overlay_planned(&planned, &Value::Null)).is_wholly_known());
        let v: Val<crate::model::Set<String>> = Val::Known(crate::model::Set(vec![Val::Known("a".into()), Val::unknown()]));
        assert_eq!(known_or_null(&v), Val::Known(crate::model::Set(vec![Val::Known("a".into()), Val::Null])));
    }

    #[test]
    fn the_two_replace_rules() {
        let block = |rule: Replace| Block {
            description: "",
            attributes: vec![Attribute { replace: Some(rule), ..Attribute::optional_computed("zone", Type::String, "") }],
            blocks: vec![],
        };
        let prior = Value::object([("zone", Value::string("a"))]);
        let unset = Value::object([("zone", Value::Null)]);
        // Not configured: the proposal keeps the prior value; neither rule replaces.
        for rule in [Replace::WhenChanged, Replace::WhenConfigured] {
            assert!(plan(&block(rule), &prior, &prior, &unset, vec![]).replace.is_empty(), "{rule:?}");
        }
        // Configured otherwise: both replace.
        let b = Value::object([("zone", Value::string("b"))]);
        for rule in [Replace::WhenChanged, Replace::WhenConfigured] {
            assert_eq!(plan(&block(rule), &prior, &b, &b, vec![]).replace.len(), 1, "{rule:?}");
        }
        // A proposal that differs from a configuration the attribute does not set (a resource's
        // own adjustment): only the rule on the proposal replaces.
        assert_eq!(plan(&block(Replace::WhenChanged), &prior, &b, &unset, vec![]).replace.len(), 1);
        assert!(plan(&block(Replace::WhenConfigured), &prior, &b, &unset, vec![]).replace.is_empty());
        assert_eq!(plan(&block(Replace::WhenChanged), &prior, &Value::Null, &Value::Null, vec![]).value, Value::Null);
    }
}
