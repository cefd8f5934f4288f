//! Provider and resource schemas, and their conversion to the wire and to cty types.

use std::collections::BTreeMap;

use super::diagnostics::Diagnostics;
use super::values::{PathStep, Type, Value};
use super::wire::tfplugin6 as pb;

#[derive(Clone, Debug, Default)]
/// One attribute of a schema block.
pub struct Attribute {
    /// The attribute's name.
    pub name: &'static str,
    /// Its type (`None`: dynamic).
    pub ty: Option<Type>,
    /// What it is (Markdown; the docs show it).
    pub description: &'static str,
    /// The configuration must set it.
    pub required: bool,
    /// The configuration may set it.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Terraform hides its value.
    pub sensitive: bool,
    /// When a change of it replaces the object (used by the planner, [`crate::plan`], not sent
    /// on the wire); `None`: it changes in place.
    pub replace: Option<Replace>,
    /// Deprecated: clients may warn when it is used (see [`Attribute::deprecated`]).
    pub deprecated: bool,
    /// Why it is deprecated and what to use instead (Markdown-free text), empty for none. Sent
    /// as `deprecation_message` (Terraform 1.15+ shows it; older clients and OpenTofu ignore it),
    /// and the provider's own warning when a configuration sets the attribute. Terraform refuses
    /// a schema with a message but without `deprecated`: [`Attribute::deprecated`] sets both.
    pub deprecation_message: &'static str,
}

impl Attribute {
    fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { name, ty: Some(ty), description, ..Default::default() }
    }
    /// A required attribute.
    pub fn required(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { required: true, ..Self::new(name, ty, description) }
    }
    /// An optional attribute.
    pub fn optional(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { optional: true, ..Self::new(name, ty, description) }
    }
    /// A computed attribute.
    pub fn computed(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { computed: true, ..Self::new(name, ty, description) }
    }
    /// An optional attribute the provider computes when it is not set.
    pub fn optional_computed(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { optional: true, computed: true, ..Self::new(name, ty, description) }
    }
    /// A change of the value (prior state against Terraform's proposal) replaces the object.
    pub fn replace_when_changed(mut self) -> Self {
        self.replace = Some(Replace::WhenChanged);
        self
    }
    /// A configured value other than the prior state's replaces the object; a computed attribute
    /// the configuration leaves null never does.
    pub fn replace_when_configured(mut self) -> Self {
        self.replace = Some(Replace::WhenConfigured);
        self
    }
    /// Terraform hides its value in output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Deprecates the attribute with `message` (why, and what to use instead; may be empty):
    /// sets `deprecated` and `deprecation_message`. See [`Attribute::deprecation_message`].
    pub fn deprecated(mut self, message: &'static str) -> Self {
        self.deprecated = true;
        self.deprecation_message = message;
        self
    }
    /// Its type (dynamic when not given).
    pub fn ty(&self) -> Type {
        self.ty.clone().unwrap_or(Type::Dynamic)
    }
}

/// The replace rules of the planner ([`crate::plan::plan`]), by what they compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// The prior value against Terraform's proposed one (for a computed attribute the
    /// configuration leaves null the proposal is the prior value: no replacement).
    WhenChanged,
    /// The prior value against the configured one, unless the attribute is computed and not
    /// configured (the framework's `RequiresReplaceIfConfigured`).
    WhenConfigured,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How a nested block nests: at most once, or any number of times in a list or a set.
pub enum Nesting {
    /// At most once.
    Single,
    /// Any number of times, in order.
    List,
    /// Any number of times, unordered.
    Set,
}

#[derive(Clone, Debug)]
/// A nested block of a schema block.
pub struct NestedBlock {
    /// The block's name.
    pub name: &'static str,
    /// What it holds.
    pub block: Block,
    /// How it nests.
    pub nesting: Nesting,
    /// The fewest times it must be written (0: no bound).
    pub min_items: i64,
    /// The most times it may be written (0: no bound).
    pub max_items: i64,
    /// Deprecated, with why (see [`NestedBlock::deprecated`]).
    pub deprecated: bool,
    /// Why it is deprecated and what to use instead.
    pub deprecation_message: &'static str,
}

#[derive(Clone, Debug, Default)]
/// A schema block: attributes and nested blocks.
pub struct Block {
    /// What the block is (Markdown).
    pub description: &'static str,
    /// Its attributes, in order.
    pub attributes: Vec<Attribute>,
    /// Its nested blocks, in order.
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// The cty object type of this block's values.
    pub fn ty(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self.attributes.iter().map(|a| (a.name.to_string(), a.ty())).collect();
        for b in &self.blocks {
            let inner = b.block.ty();
            attrs.insert(
                b.name.to_string(),
                match b.nesting {
                    Nesting::Single => inner,
                    Nesting::List => Type::List(Box::new(inner)),
                    Nesting::Set => Type::Set(Box::new(inner)),
                },
            );
        }
        Type::Object(attrs)
    }

    /// Warnings for the deprecated attributes and nested blocks that `config` (a value of this
    /// block's type) sets, with their deprecation messages: what the server adds to the answers
    /// to the Validate*Config calls, so that every client shows them (Terraform 1.15+ shows a
    /// message itself only where a deprecated value is referenced, older clients a generic warning).
    pub fn deprecation_warnings(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        self.deprecations_at(config, &mut Vec::new(), &mut d);
        // The elements of a set share its path: one warning each.
        let mut seen = Vec::new();
        d.0.retain(|w| {
            if seen.contains(w) {
                false
            } else {
                seen.push(w.clone());
                true
            }
        });
        d
    }

    fn deprecations_at(&self, v: &Value, path: &mut Vec<PathStep>, d: &mut Diagnostics) {
        if !matches!(v, Value::Object(_)) {
            return;
        }
        for a in self.attributes.iter().filter(|a| a.deprecated || !a.deprecation_message.is_empty()) {
            if !v.get(a.name).is_null() {
                path.push(PathStep::Attr(a.name.to_string()));
                let detail = match a.deprecation_message {
                    "" => format!("The argument `{}` is deprecated. Refer to the provider documentation for details.", a.name),
                    m => m.to_string(),
                };
                d.attr_warning(path.clone(), "Argument is deprecated", detail);
                path.pop();
            }
        }
        for b in &self.blocks {
            let inner = v.get(b.name);
            path.push(PathStep::Attr(b.name.to_string()));
            let set = match inner {
                Value::Null => false,
                Value::List(items) | Value::Set(items) => !items.is_empty(),
                _ => true,
            };
            if set && (b.deprecated || !b.deprecation_message.is_empty()) {
                let detail = match b.deprecation_message {
                    "" => format!("The block `{}` is deprecated. Refer to the provider documentation for details.", b.name),
                    m => m.to_string(),
                };
                d.attr_warning(path.clone(), "Block is deprecated", detail);
            }
            match inner {
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                        b.block.deprecations_at(item, path, d);
                        path.pop();
                    }
                }
                // A set element has no path of ours (Terraform's names it by value): the warnings
                // point at the set.
                Value::Set(items) => {
                    let mut inner = Diagnostics::new();
                    items.iter().for_each(|item| b.block.deprecations_at(item, &mut path.clone(), &mut inner));
                    for mut w in inner.0 {
                        w.path = Some(path.clone());
                        d.0.push(w);
                    }
                }
                single => b.block.deprecations_at(single, path, d),
            }
            path.pop();
        }
    }

    /// The attribute of this name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The block as the protocol sends it.
    pub fn to_proto(&self) -> pb::schema::Block {
        self.to_proto_deprecated(false, "")
    }

    /// The wire block; a nested block's deprecation lives in its block on the wire.
    fn to_proto_deprecated(&self, deprecated: bool, deprecation_message: &'static str) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            description: self.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
            attributes: self
                .attributes
                .iter()
                .map(|a| pb::schema::Attribute {
                    name: a.name.to_string(),
                    r#type: a.ty().to_json(),
                    description: a.description.to_string(),
                    description_kind: pb::StringKind::Markdown as i32,
                    required: a.required,
                    optional: a.optional,
                    computed: a.computed,
                    sensitive: a.sensitive,
                    // Terraform refuses a message without the flag.
                    deprecated: a.deprecated || !a.deprecation_message.is_empty(),
                    deprecation_message: a.deprecation_message.to_string(),
                    ..Default::default()
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.to_string(),
                    block: Some(b.block.to_proto_deprecated(b.deprecated, b.deprecation_message)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            deprecated: deprecated || !deprecation_message.is_empty(),
            deprecation_message: deprecation_message.to_string(),
        }
    }
}

#[derive(Clone, Debug, Default)]
/// A resource's, data source's or provider's schema: a version and the top block.
pub struct Schema {
    /// The schema version (of the state, for a resource).
    pub version: i64,
    /// The top block.
    pub block: Block,
}

impl Schema {
    /// The type of an object of the schema.
    pub fn ty(&self) -> Type {
        self.block.ty()
    }

    /// The schema as the protocol sends it.
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema { version: self.version, block: Some(self.block.to_proto()) }
    }
}

impl NestedBlock {
    /// An optional block written at most once (`name { ... }`), holding these attributes.
    pub fn single(name: &'static str, description: &'static str, attributes: Vec<Attribute>) -> NestedBlock {
        NestedBlock::new(name, Nesting::Single, Block { description, attributes, blocks: vec![] })
    }

    /// `name` holding `block`, nested as `nesting`, with no limits on the number of blocks.
    pub fn new(name: &'static str, nesting: Nesting, block: Block) -> NestedBlock {
        NestedBlock { name, block, nesting, min_items: 0, max_items: 0, deprecated: false, deprecation_message: "" }
    }

    /// Deprecates the block with `message` (why, and what to use instead; may be empty), as
    /// [`Attribute::deprecated`].
    pub fn deprecated(mut self, message: &'static str) -> Self {
        self.deprecated = true;
        self.deprecation_message = message;
        self
    }
}

/// The standard `timeouts { create = "..", update = "..", delete = ".." }` block.
pub fn timeouts_block(ops: &[&'static str]) -> NestedBlock {
    NestedBlock::single(
        "timeouts",
        "Operation timeouts, as Go-style durations such as `10m` or `1h30m`.",
        ops.iter().map(|op| Attribute::optional(op, Type::String, "How long to wait for this operation.")).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn block() -> Block {
        Block {
            description: "A thing.",
            attributes: vec![
                Attribute::required("name", Type::String, "The name."),
                Attribute::optional("label", Type::String, "The old name.").deprecated("Use `name` instead."),
                Attribute::optional("old", Type::Bool, "Older still.").deprecated(""),
            ],
            blocks: vec![
                NestedBlock::single("opts", "Options.", vec![Attribute::optional("x", Type::String, "").deprecated("x is going.")])
                    .deprecated("Use `name`."),
                NestedBlock::new(
                    "rules",
                    Nesting::List,
                    Block { attributes: vec![Attribute::optional("port", Type::Number, "").deprecated("")], ..Default::default() },
                ),
                NestedBlock::new(
                    "tags",
                    Nesting::Set,
                    Block { attributes: vec![Attribute::optional("k", Type::String, "").deprecated("No tags.")], ..Default::default() },
                ),
            ],
        }
    }

    #[test]
    fn deprecation_messages_on_the_wire() {
        let p = block().to_proto();
        assert!(!p.deprecated && p.deprecation_message.is_empty(), "the top-level block is not deprecated");
        let attr = |name: &str| p.attributes.iter().find(|a| a.name == name).unwrap().clone();
        assert!(!attr("name").deprecated && attr("name").deprecation_message.is_empty());
        assert!(attr("label").deprecated);
        assert_eq!(attr("label").deprecation_message, "Use `name` instead.");
        assert!(attr("old").deprecated && attr("old").deprecation_message.is_empty());
        let opts = p.block_types.iter().find(|b| b.type_name == "opts").unwrap().block.clone().unwrap();
        assert!(opts.deprecated);
        assert_eq!(opts.deprecation_message, "Use `name`.");
        assert_eq!(opts.attributes[0].deprecation_message, "x is going.");
        let rules = p.block_types.iter().find(|b| b.type_name == "rules").unwrap().block.clone().unwrap();
        assert!(!rules.deprecated && rules.deprecation_message.is_empty());

        // Terraform refuses a message without the flag: a message alone sets it.
        let a = Attribute { deprecation_message: "why", ..Attribute::optional("a", Type::String, "") };
        let b = Block { attributes: vec![a], ..Default::default() }.to_proto();
        assert!(b.attributes[0].deprecated);

        // Encoded as fields 12 (Attribute) and 7 (Block), as Terraform 1.15 reads them.
        use prost::Message;
        let bytes = p.encode_to_vec();
        let back = pb::schema::Block::decode(bytes.as_slice()).unwrap();
        assert_eq!(back, p);
        let one = pb::schema::Attribute { deprecation_message: "m".into(), ..Default::default() }.encode_to_vec();
        assert_eq!(one, [12 << 3 | 2, 1, b'm']);
        let one = pb::schema::Block { deprecation_message: "m".into(), ..Default::default() }.encode_to_vec();
        assert_eq!(one, [7 << 3 | 2, 1, b'm']);
    }

    #[test]
    fn configured_deprecated_arguments_warn() {
        let b = block();
        assert!(b.deprecation_warnings(&Value::object([("name", Value::string("n"))])).is_empty());
        assert!(b.deprecation_warnings(&Value::Null).is_empty());
        let config = Value::object([
            ("name", Value::string("n")),
            ("label", Value::unknown()),
            ("old", Value::Bool(false)),
            ("opts", Value::object([("x", Value::Null)])),
            ("rules", Value::List(vec![Value::object([("port", Value::Null)]), Value::object([("port", Value::from(80i64))])])),
            ("tags", Value::Set(vec![Value::object([("k", Value::string("a"))]), Value::object([("k", Value::string("b"))])])),
        ]);
        let d = b.deprecation_warnings(&config);
        let got: Vec<(String, String, String)> =
            d.0.iter()
                .map(|w| {
                    assert_eq!(w.severity, Severity::Warning);
                    (format!("{:?}", w.path.clone().unwrap()), w.summary.clone(), w.detail.clone())
                })
                .collect();
        let attr = |s: &str| format!("Attr({s:?})");
        assert_eq!(
            got,
            [
                (format!("[{}]", attr("label")), "Argument is deprecated".into(), "Use `name` instead.".into()),
                (
                    format!("[{}]", attr("old")),
                    "Argument is deprecated".into(),
                    "The argument `old` is deprecated. Refer to the provider documentation for details.".into()
                ),
                (format!("[{}]", attr("opts")), "Block is deprecated".into(), "Use `name`.".into()),
                (
                    format!("[{}, Index(1), {}]", attr("rules"), attr("port")),
                    "Argument is deprecated".into(),
                    "The argument `port` is deprecated. Refer to the provider documentation for details.".into()
                ),
                // Both set elements set `k`: one warning, at the set.
                (format!("[{}]", attr("tags")), "Argument is deprecated".into(), "No tags.".into()),
            ]
        );
        // An empty list of blocks sets nothing.
        assert!(block().deprecation_warnings(&Value::object([("opts", Value::Null), ("rules", Value::List(vec![]))])).is_empty());
    }
}
