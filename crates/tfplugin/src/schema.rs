//! Provider and resource schemas, and their conversion to the wire and to cty types.

use std::collections::BTreeMap;

use super::values::Type;
use super::wire::tfplugin6 as pb;

#[derive(Clone, Debug, Default)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Option<Type>,
    pub description: &'static str,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Changing it forces a new resource (used by plan logic, not sent on the wire).
    pub force_new: bool,
}

impl Attribute {
    fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { name, ty: Some(ty), description, ..Default::default() }
    }
    pub fn required(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { required: true, ..Self::new(name, ty, description) }
    }
    pub fn optional(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { optional: true, ..Self::new(name, ty, description) }
    }
    pub fn computed(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { computed: true, ..Self::new(name, ty, description) }
    }
    pub fn optional_computed(name: &'static str, ty: Type, description: &'static str) -> Self {
        Attribute { optional: true, computed: true, ..Self::new(name, ty, description) }
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn ty(&self) -> Type {
        self.ty.clone().unwrap_or(Type::Dynamic)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: &'static str,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub description: &'static str,
    pub attributes: Vec<Attribute>,
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

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn to_proto(&self) -> pb::schema::Block {
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
                    ..Default::default()
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.to_string(),
                    block: Some(b.block.to_proto()),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            deprecated: false,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn ty(&self) -> Type {
        self.block.ty()
    }

    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema { version: self.version, block: Some(self.block.to_proto()) }
    }
}

impl NestedBlock {
    /// An optional block written at most once (`name { ... }`), holding these attributes.
    pub fn single(name: &'static str, description: &'static str, attributes: Vec<Attribute>) -> NestedBlock {
        NestedBlock { name, nesting: Nesting::Single, min_items: 0, max_items: 0, block: Block { description, attributes, blocks: vec![] } }
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
