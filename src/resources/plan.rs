//! Generic planning driven by the schema (what terraform-plugin-framework does for a resource
//! before its own plan modifiers): force-new attributes, computed attributes and the computed
//! attributes of single nested blocks. Works on whole values, attribute by attribute, by the
//! schema's names; the resources then adjust the result through their typed models.

use std::collections::BTreeMap;

use crate::protocol::schema::{Block, Nesting};
use crate::protocol::values::{PathStep, Value};

/// The planned object and the paths that require replacement.
pub(crate) struct Planned {
    pub(crate) value: Value,
    pub(crate) replace: Vec<Vec<PathStep>>,
    /// A new object is planned: a create, or a replacement.
    pub(crate) fresh: bool,
}

/// Plans `proposed` (Terraform's proposal: the configuration, with computed attributes the
/// configuration leaves null taken from the prior state):
/// - force-new attributes whose configured value differs from the prior state require
///   replacement (after `replace`, the paths the caller found itself);
/// - on create or replace, computed attributes the configuration leaves null become unknown (on
///   update they keep their prior value: "use state for unknown");
/// - single nested blocks are null when not configured; their computed attributes the
///   configuration leaves null are unknown when the block is new, else keep their prior value.
pub(crate) fn plan(block: &Block, prior: &Value, proposed: &Value, config: &Value, mut replace: Vec<Vec<PathStep>>) -> Planned {
    let creating = prior.is_null();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::schema::{Attribute, NestedBlock};
    use crate::protocol::values::Type;

    fn block() -> Block {
        Block {
            description: "",
            attributes: vec![
                Attribute::computed("id", Type::String, ""),
                Attribute::required("name", Type::String, "").force_new(),
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
}
