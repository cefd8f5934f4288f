//! Typed models of Terraform values: one Rust struct per resource (and per nested block or object
//! attribute), from which one [`model!`](crate::model) invocation derives the schema block, the
//! conversion from a [`Value`] and the conversion back.
//!
//! Every attribute is a [`Val`]: null, unknown (at plan time) or known, as terraform-plugin-framework's
//! `types.String`. Collections keep their elements as `Val`s too (a set may hold an unknown element
//! at plan time), so converting a value of the schema's type and back gives the same value. A value
//! of another shape is an error with the path of the offending value ([`CodecError`]), never a panic;
//! [`diagnostics`] turns it into an error diagnostic on that attribute.
//!
//! ```ignore
//! model! {
//!     #[description = "A thing."]
//!     pub struct Thing {
//!         attrs {
//!             id: String [computed] "The ID.";
//!             name: String [required replace_when_changed] "The name; changing it replaces the thing.";
//!             tags: Map<String> [optional computed empty_when_null] "Tags.";
//!             label: String [optional deprecated("Use `name`.")] "The old name.";
//!         }
//!         blocks {
//!             timeouts: Timeouts;
//!         }
//!     }
//! }
//! ```
//! The flags are the functions of [`flags`], some with arguments (`deprecated("why")`): a
//! misspelled flag or attribute is a compile error.
//! Plan modifiers that the schema sent to Terraform does not carry ([`Modifier`]) are declared
//! the same way and applied by [`apply_modifiers`]; so are the static checks of a value
//! ([`Validator`]: `one_of(LIST)`, `one_of_named("service type", LIST)`), which the typed adapter
//! runs on every configuration before the object's own `validate` ([`Model::check_declared`]).

use std::collections::{BTreeMap, BTreeSet};

use super::diagnostics::Diagnostics;
use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::values::{CodecError, Number, PathStep, Refinements, Type, Value};

// ---------------------------------------------------------------------------------------------
// Val
// ---------------------------------------------------------------------------------------------

/// A Terraform value of type `T`: null, unknown (what Terraform knows about it, if anything) or known.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Val<T> {
    #[default]
    /// Null: not set.
    Null,
    /// Unknown until apply, with what Terraform knows of it.
    Unknown(Refinements),
    /// Known.
    Known(T),
}

impl<T> From<T> for Val<T> {
    fn from(t: T) -> Self {
        Val::Known(t)
    }
}

impl<T> From<Option<T>> for Val<T> {
    fn from(t: Option<T>) -> Self {
        t.map_or(Val::Null, Val::Known)
    }
}

impl<T> Val<T> {
    /// A wholly unknown value (no refinements).
    pub fn unknown() -> Self {
        Val::Unknown(Refinements::default())
    }

    /// The value, if known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Val::Known(t) => Some(t),
            _ => None,
        }
    }

    /// The value, if known.
    pub fn into_known(self) -> Option<T> {
        match self {
            Val::Known(t) => Some(t),
            _ => None,
        }
    }

    /// Whether it is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// Whether it is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// Not unknown (null counts as known), as [`Value::is_known`].
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Applies `f` to a known value (null and unknown stay as they are).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        match self {
            Val::Null => Val::Null,
            Val::Unknown(r) => Val::Unknown(r),
            Val::Known(t) => Val::Known(f(t)),
        }
    }

    /// Null when unknown (what a state holds for a value nobody knows).
    pub fn or_null(self) -> Self {
        if self.is_unknown() {
            Val::Null
        } else {
            self
        }
    }
}

impl<T: Field> Val<T> {
    /// Decodes `v` (at path `at`, for errors): null, unknown or a value of `T`.
    pub fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Null => Ok(Val::Null),
            Value::Unknown(r) => Ok(Val::Unknown(r.clone())),
            v => T::from_value(v, at).map(Val::Known),
        }
    }

    /// The value Terraform gets.
    pub fn to_value(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Unknown(r) => Value::Unknown(r.clone()),
            Val::Known(t) => t.to_value(),
        }
    }

    /// Neither this value nor any value inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Val::Null => true,
            Val::Unknown(_) => false,
            Val::Known(t) => t.is_wholly_known(),
        }
    }
}

impl Val<String> {
    /// The string, if known.
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl Val<bool> {
    /// The bool, if known.
    pub fn as_bool(&self) -> Option<bool> {
        self.known().copied()
    }
}

impl Val<Set<String>> {
    /// The known strings (null or unknown: none; unknown elements are left out).
    pub fn strings(&self) -> BTreeSet<String> {
        self.known().map(Set::known_items).unwrap_or_default().into_iter().collect()
    }
}

impl Val<List<String>> {
    /// The known strings (null or unknown: none; unknown elements are left out).
    pub fn strings(&self) -> Vec<String> {
        self.known().map(List::known_items).unwrap_or_default()
    }
}

impl Val<Map<String>> {
    /// The entries with known values (null or unknown: none).
    pub fn string_map(&self) -> BTreeMap<String, String> {
        self.known().map(|m| m.0.iter().filter_map(|(k, v)| Some((k.clone(), v.known()?.clone()))).collect()).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Field: a Rust type that stands for a Terraform type
// ---------------------------------------------------------------------------------------------

/// A Rust type standing for a (non-null, known) value of a Terraform type.
pub trait Field: Sized {
    /// The cty type.
    fn ty() -> Type;
    /// From a known, non-null value; a value of another shape is an error on `at`.
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError>;
    /// The value Terraform gets.
    fn to_value(&self) -> Value;
    /// No unknown value inside.
    fn is_wholly_known(&self) -> bool {
        true
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown(_) => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
    }
}

/// The error for a value of the wrong shape.
pub fn mismatch(at: &[PathStep], expected: &str, got: &Value) -> CodecError {
    CodecError::new(at.to_vec(), format!("expected {expected}, got {}", kind(got)))
}

/// `at` followed by one step.
pub fn step(at: &[PathStep], s: PathStep) -> Vec<PathStep> {
    let mut p = at.to_vec();
    p.push(s);
    p
}

impl Field for String {
    fn ty() -> Type {
        Type::String
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(mismatch(at, "a string", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Field for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Bool(b) => Ok(*b),
            other => Err(mismatch(at, "a bool", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Field for Number {
    fn ty() -> Type {
        Type::Number
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Number(n) => Ok(n.clone()),
            other => Err(mismatch(at, "a number", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl Field for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Number(n) => {
                n.as_i64().ok_or_else(|| CodecError::new(at.to_vec(), format!("{n} is not a whole number in the 64-bit range")))
            }
            other => Err(mismatch(at, "a number", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Number(Number::Int(*self))
    }
}

/// Any value, as it is (the `dynamic` type): the escape hatch.
impl Field for Value {
    fn ty() -> Type {
        Type::Dynamic
    }
    fn from_value(v: &Value, _: &[PathStep]) -> Result<Self, CodecError> {
        Ok(v.clone())
    }
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn is_wholly_known(&self) -> bool {
        Value::is_wholly_known(self)
    }
}

fn elements<T: Field>(items: &[Value], at: &[PathStep]) -> Result<Vec<Val<T>>, CodecError> {
    items.iter().enumerate().map(|(i, v)| Val::from_value(v, &step(at, PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX))))).collect()
}

/// A `set(T)`. Elements keep their order and may be null or unknown (plan time); equality is set
/// equality, as for [`Value`].
#[derive(Clone, Debug)]
pub struct Set<T>(pub Vec<Val<T>>);

/// A `list(T)`.
#[derive(Clone, Debug, PartialEq)]
pub struct List<T>(pub Vec<Val<T>>);

/// A `map(T)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Map<T>(pub BTreeMap<String, Val<T>>);

impl<T> Default for Set<T> {
    fn default() -> Self {
        Set(Vec::new())
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> Default for Map<T> {
    fn default() -> Self {
        Map(BTreeMap::new())
    }
}

impl<T: Field> PartialEq for Set<T> {
    fn eq(&self, other: &Self) -> bool {
        self.to_value() == other.to_value()
    }
}

impl<T> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Set(items.into_iter().map(Val::Known).collect())
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        List(items.into_iter().map(Val::Known).collect())
    }
}

impl<T> FromIterator<(String, T)> for Map<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(items: I) -> Self {
        Map(items.into_iter().map(|(k, v)| (k, Val::Known(v))).collect())
    }
}

impl<T: Clone> Set<T> {
    /// The known elements.
    pub fn known_items(&self) -> Vec<T> {
        self.0.iter().filter_map(|v| v.known().cloned()).collect()
    }
}

impl<T: Clone> List<T> {
    /// The known elements.
    pub fn known_items(&self) -> Vec<T> {
        self.0.iter().filter_map(|v| v.known().cloned()).collect()
    }
}

impl<T: Field> Field for Set<T> {
    fn ty() -> Type {
        Type::Set(Box::new(T::ty()))
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Set(items) => elements(items, at).map(Set),
            other => Err(mismatch(at, "a set", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Set(self.0.iter().map(Val::to_value).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.0.iter().all(Val::is_wholly_known)
    }
}

impl<T: Field> Field for List<T> {
    fn ty() -> Type {
        Type::List(Box::new(T::ty()))
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::List(items) => elements(items, at).map(List),
            other => Err(mismatch(at, "a list", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::List(self.0.iter().map(Val::to_value).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.0.iter().all(Val::is_wholly_known)
    }
}

impl<T: Field> Field for Map<T> {
    fn ty() -> Type {
        Type::Map(Box::new(T::ty()))
    }
    fn from_value(v: &Value, at: &[PathStep]) -> Result<Self, CodecError> {
        match v {
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), Val::from_value(v, &step(at, PathStep::Key(k.clone())))?)))
                .collect::<Result<_, _>>()
                .map(Map),
            other => Err(mismatch(at, "a map", other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Map(self.0.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.0.values().all(Val::is_wholly_known)
    }
}

// ---------------------------------------------------------------------------------------------
// Models: objects with a schema
// ---------------------------------------------------------------------------------------------

/// A plan modifier the wire schema does not carry, applied by [`apply_modifiers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// An optional and computed collection for which no value and an empty one mean the same: a
    /// null configuration plans the empty collection (so that switching between the spellings
    /// plans nothing).
    EmptyWhenNull,
}

/// A static check of a configured value the wire schema does not carry, run by
/// [`Model::check_declared`]: an error diagnostic on the attribute when the value fails it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validator {
    /// A known string must be one of `allowed`; the messages call the attribute `name`
    /// ("Invalid {name}": "\"x\" is not a valid {name}: use one of "a", "b" or "c".").
    OneOf {
        /// What the messages call the attribute.
        name: &'static str,
        /// The values it takes.
        allowed: &'static [&'static str],
    },
}

impl Validator {
    /// Checks `v` (the attribute's value, at path `at`), adding an error to `diags` when it fails.
    pub fn check(&self, v: &Value, at: Vec<PathStep>, diags: &mut Diagnostics) {
        match self {
            Validator::OneOf { name, allowed } => {
                let Value::String(s) = v else { return };
                if !allowed.contains(&s.as_str()) {
                    let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                    let list = match list.as_slice() {
                        [] => String::new(),
                        [one] => one.clone(),
                        [init @ .., last] => format!("{} or {last}", init.join(", ")),
                    };
                    diags.attr_error(at, format!("Invalid {name}"), format!("\"{s}\" is not a valid {name}: use one of {list}."));
                }
            }
        }
    }
}

/// One attribute of a model, as the macro builds it: the schema attribute, its plan modifiers
/// and its static checks.
#[derive(Clone, Debug)]
pub struct FieldSpec {
    /// The schema attribute.
    pub attribute: Attribute,
    /// Its plan modifiers ([`apply_modifiers`]).
    pub modifiers: Vec<Modifier>,
    /// Its static checks ([`Model::check_declared`]).
    pub validators: Vec<Validator>,
}

impl FieldSpec {
    /// An attribute with no flags: neither required, optional nor computed yet.
    pub fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        FieldSpec {
            attribute: Attribute { name, ty: Some(ty), description, ..Default::default() },
            modifiers: Vec::new(),
            validators: Vec::new(),
        }
    }
}

/// The flags of an attribute in [`model!`](crate::model): `[optional computed replace_when_changed]`.
pub mod flags {
    use super::{FieldSpec, Modifier, Validator};

    /// The configuration must set it.
    pub fn required(f: &mut FieldSpec) {
        f.attribute.required = true;
    }
    /// The configuration may set it.
    pub fn optional(f: &mut FieldSpec) {
        f.attribute.optional = true;
    }
    /// The provider may set it (when the configuration does not).
    pub fn computed(f: &mut FieldSpec) {
        f.attribute.computed = true;
    }
    /// Terraform hides its value in output.
    pub fn sensitive(f: &mut FieldSpec) {
        f.attribute.sensitive = true;
    }
    /// A change of the attribute replaces the object: see [`Replace::WhenChanged`](crate::schema::Replace::WhenChanged).
    pub fn replace_when_changed(f: &mut FieldSpec) {
        f.attribute.replace = Some(crate::schema::Replace::WhenChanged);
    }
    /// A configured value other than the prior one replaces the object: see
    /// [`Replace::WhenConfigured`](crate::schema::Replace::WhenConfigured).
    pub fn replace_when_configured(f: &mut FieldSpec) {
        f.attribute.replace = Some(crate::schema::Replace::WhenConfigured);
    }
    /// `deprecated("Use `other` instead.")`: see [`Attribute::deprecated`](crate::schema::Attribute::deprecated).
    pub fn deprecated(f: &mut FieldSpec, message: &'static str) {
        f.attribute.deprecated = true;
        f.attribute.deprecation_message = message;
    }
    /// See [`Modifier::EmptyWhenNull`].
    pub fn empty_when_null(f: &mut FieldSpec) {
        f.modifiers.push(Modifier::EmptyWhenNull);
    }
    /// `one_of(LIST)`: a known value must be one of `LIST` (see [`Validator::OneOf`]); the
    /// messages call the attribute by its name.
    pub fn one_of(f: &mut FieldSpec, allowed: &'static [&'static str]) {
        f.validators.push(Validator::OneOf { name: f.attribute.name, allowed });
    }
    /// `one_of_named("service type", LIST)`: [`one_of`], with the messages calling the attribute
    /// `name`.
    pub fn one_of_named(f: &mut FieldSpec, name: &'static str, allowed: &'static [&'static str]) {
        f.validators.push(Validator::OneOf { name, allowed });
    }
}

/// An object type with a schema: what [`model!`](crate::model) implements.
pub trait Model: Field {
    /// The description of the block (of the resource, or of the nested block).
    const DESCRIPTION: &'static str;
    /// The attributes (not the nested blocks), in order.
    fn fields() -> Vec<FieldSpec>;
    /// The nested blocks, in order.
    fn nested_blocks() -> Vec<NestedBlock>;

    /// The schema block: the description, the attributes and the nested blocks.
    fn block() -> Block {
        Block {
            description: Self::DESCRIPTION,
            attributes: Self::fields().into_iter().map(|f| f.attribute).collect(),
            blocks: Self::nested_blocks(),
        }
    }

    /// The schema of a resource or data source of this model, at schema `version`.
    fn schema(version: i64) -> Schema {
        Schema { version, block: Self::block() }
    }

    /// Runs the declared [`Validator`]s of the attributes and of the nested blocks' attributes
    /// on this object (at path `at`), adding their errors to `diags`.
    fn check_declared(&self, _at: &[PathStep], _diags: &mut Diagnostics) {}

    /// The model of a whole object value: `None` when it is null (no object, e.g. the prior state
    /// of a create); an unknown object or a value of another shape is an error.
    fn decode(v: &Value) -> Result<Option<Self>, CodecError> {
        match v {
            Value::Null => Ok(None),
            v => Self::from_value(v, &[]).map(Some),
        }
    }
}

/// `name` as a single nested block (`name { ... }`, optional, at most once) holding model `M`.
pub fn single_block<M: Model>(name: &'static str) -> NestedBlock {
    NestedBlock::new(name, Nesting::Single, M::block())
}

/// The type of a nested block field in [`model!`](crate::model): a model (a single block, written
/// at most once), or a [`Set`] or [`List`] of a model (a block written any number of times).
pub trait NestedBlockType: Sized {
    /// The schema of the block called `name`.
    fn nested_block(name: &'static str) -> NestedBlock;
    /// Runs the declared checks ([`Model::check_declared`]) of the block's objects (the block is
    /// at path `at`).
    fn check_declared_in(v: &Val<Self>, at: &[PathStep], diags: &mut Diagnostics);
}

impl<M: Model> NestedBlockType for Set<M> {
    fn nested_block(name: &'static str) -> NestedBlock {
        NestedBlock::new(name, Nesting::Set, M::block())
    }
    fn check_declared_in(v: &Val<Self>, at: &[PathStep], diags: &mut Diagnostics) {
        // A set element has no index: a diagnostic is on the block.
        for m in v.known().map(|s| s.0.as_slice()).unwrap_or_default() {
            if let Val::Known(m) = m {
                m.check_declared(at, diags);
            }
        }
    }
}

impl<M: Model> NestedBlockType for List<M> {
    fn nested_block(name: &'static str) -> NestedBlock {
        NestedBlock::new(name, Nesting::List, M::block())
    }
    fn check_declared_in(v: &Val<Self>, at: &[PathStep], diags: &mut Diagnostics) {
        for (i, m) in v.known().map(|l| l.0.as_slice()).unwrap_or_default().iter().enumerate() {
            if let Val::Known(m) = m {
                m.check_declared(&step(at, PathStep::Index(i as i64)), diags);
            }
        }
    }
}

/// Runs the declared [`Validator`]s of attribute `name` of model `M` on its value `v` (for
/// [`model!`](crate::model)'s [`Model::check_declared`]).
pub fn check_field<M: Model, T: Field>(v: &Val<T>, name: &str, at: &[PathStep], diags: &mut Diagnostics) {
    let Val::Known(t) = v else { return };
    let Some(f) = M::fields().into_iter().find(|f| f.attribute.name == name) else { return };
    if f.validators.is_empty() {
        return;
    }
    let value = t.to_value();
    for check in &f.validators {
        check.check(&value, step(at, PathStep::Attr(name.to_string())), diags);
    }
}

/// An error diagnostic for a value that does not fit its model (`what`: "configuration", "prior state"...).
pub fn diagnostics(e: &CodecError, what: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    let detail = format!("The {what} holds a value the provider does not expect: {e}. Please report this.");
    if e.path.is_empty() {
        d.error("Provider bug: unexpected value", detail);
    } else {
        d.attr_error(e.path.clone(), "Provider bug: unexpected value", detail);
    }
    d
}

/// The empty value of a collection type (null for other types).
fn empty_of(ty: &Type) -> Value {
    match ty {
        Type::Set(_) => Value::Set(Vec::new()),
        Type::List(_) => Value::List(Vec::new()),
        Type::Map(_) => Value::Map(BTreeMap::new()),
        _ => Value::Null,
    }
}

/// Applies `M`'s [`Modifier`]s to a planned object value, given the configuration.
pub fn apply_modifiers<M: Model>(planned: &mut Value, config: &Value) {
    let Value::Object(map) = planned else { return };
    for f in M::fields() {
        for m in &f.modifiers {
            match m {
                Modifier::EmptyWhenNull if config.get(f.attribute.name).is_null() => {
                    map.insert(f.attribute.name.to_string(), empty_of(&f.attribute.ty()));
                }
                Modifier::EmptyWhenNull => {}
            }
        }
    }
}

/// Defines a model: a struct whose every attribute is a [`Val`], with its [`Field`] and [`Model`]
/// implementations. See the [module documentation](self).
#[macro_export]
macro_rules! model {
    (
        $(#[doc = $doc:literal])*
        #[description = $desc:literal]
        $vis:vis struct $name:ident {
            attrs {
                $( $fname:ident : $fty:ty [ $( $flag:ident $( ( $($farg:expr),* ) )? )* ] $fdesc:literal ; )*
            }
            $( blocks {
                $( $bname:ident : $bty:ty ; )*
            } )?
        }
    ) => {
        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = $desc]
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name {
            $(
                #[doc = $fdesc]
                pub $fname: $crate::model::Val<$fty>,
            )*
            $( $(
                pub $bname: $crate::model::Val<$bty>,
            )* )?
        }

        impl $crate::model::Field for $name {
            fn ty() -> $crate::values::Type {
                <Self as $crate::model::Model>::block().ty()
            }

            fn from_value(
                v: &$crate::values::Value,
                at: &[$crate::values::PathStep],
            ) -> ::std::result::Result<Self, $crate::values::CodecError> {
                let $crate::values::Value::Object(map) = v else {
                    return Err($crate::model::mismatch(at, "an object", v));
                };
                let null = $crate::values::Value::Null;
                let get = |name: &str| map.get(name).unwrap_or(&null);
                let here = |name: &str| $crate::model::step(at, $crate::values::PathStep::Attr(name.to_string()));
                Ok($name {
                    $( $fname: $crate::model::Val::from_value(get(stringify!($fname)), &here(stringify!($fname)))?, )*
                    $( $( $bname: $crate::model::Val::from_value(get(stringify!($bname)), &here(stringify!($bname)))?, )* )?
                })
            }

            fn to_value(&self) -> $crate::values::Value {
                $crate::values::Value::Object(
                    [
                        $( (stringify!($fname).to_string(), self.$fname.to_value()), )*
                        $( $( (stringify!($bname).to_string(), self.$bname.to_value()), )* )?
                    ]
                    .into_iter()
                    .collect(),
                )
            }

            fn is_wholly_known(&self) -> bool {
                true $( && self.$fname.is_wholly_known() )* $( $( && self.$bname.is_wholly_known() )* )?
            }
        }

        impl $crate::model::Model for $name {
            const DESCRIPTION: &'static str = $desc;

            fn fields() -> Vec<$crate::model::FieldSpec> {
                vec![
                    $( {
                        #[allow(unused_mut)]
                        let mut f = $crate::model::FieldSpec::new(
                            stringify!($fname),
                            <$fty as $crate::model::Field>::ty(),
                            $fdesc,
                        );
                        $( $crate::model::flags::$flag(&mut f $( $(, $farg)* )?); )*
                        f
                    }, )*
                ]
            }

            fn nested_blocks() -> Vec<$crate::schema::NestedBlock> {
                vec![ $( $( <$bty as $crate::model::NestedBlockType>::nested_block(stringify!($bname)), )* )? ]
            }

            #[allow(unused_variables)]
            fn check_declared(&self, at: &[$crate::values::PathStep], diags: &mut $crate::diagnostics::Diagnostics) {
                $( $crate::model::check_field::<Self, $fty>(&self.$fname, stringify!($fname), at, diags); )*
                $( $(
                    <$bty as $crate::model::NestedBlockType>::check_declared_in(
                        &self.$bname,
                        &$crate::model::step(at, $crate::values::PathStep::Attr(stringify!($bname).to_string())),
                        diags,
                    );
                )* )?
            }
        }

        impl $crate::model::NestedBlockType for $name {
            fn nested_block(name: &'static str) -> $crate::schema::NestedBlock {
                $crate::model::single_block::<$name>(name)
            }
            fn check_declared_in(
                v: &$crate::model::Val<Self>,
                at: &[$crate::values::PathStep],
                diags: &mut $crate::diagnostics::Diagnostics,
            ) {
                if let $crate::model::Val::Known(m) = v {
                    <Self as $crate::model::Model>::check_declared(m, at, diags);
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{decode_msgpack, encode_msgpack};

    crate::model! {
        #[description = "Options."]
        pub(crate) struct Opts {
            attrs {
                kind: String [optional computed] "The kind.";
                on: bool [optional] "Whether it is on.";
            }
        }
    }

    crate::model! {
        #[description = "An entry."]
        pub(crate) struct Entry {
            attrs {
                name: String [computed] "A name.";
            }
        }
    }

    crate::model! {
        /// A test resource.
        #[description = "A thing."]
        pub(crate) struct Thing {
            attrs {
                id: String [computed] "The ID.";
                name: String [required replace_when_changed] "The name.";
                ids: Set<String> [optional computed empty_when_null] "Some IDs.";
                tags: Map<String> [optional computed empty_when_null] "Tags.";
                entries: List<Entry> [computed] "Entries.";
                count: i64 [optional] "A count.";
                secret: String [optional sensitive] "A secret.";
                label: String [optional deprecated("Use `name` instead.") replace_when_changed] "The old name.";
            }
            blocks {
                opts: Opts;
                list: List<Entry>;
            }
        }
    }

    fn sample() -> Value {
        Value::object([
            ("id", Value::string("t-1")),
            ("name", Value::string("n")),
            ("ids", Value::Set(vec![Value::string("b"), Value::unknown(), Value::string("a")])),
            ("tags", Value::map_of_strings([("k", "v")])),
            ("entries", Value::List(vec![Value::object([("name", Value::string("e"))]), Value::Null])),
            ("count", Value::from(3i64)),
            ("secret", Value::Unknown(Refinements { not_null: true, ..Default::default() })),
            ("label", Value::Null),
            ("opts", Value::object([("kind", Value::unknown()), ("on", Value::Null)])),
            ("list", Value::List(vec![Value::object([("name", Value::string("l"))])])),
        ])
    }

    #[test]
    fn schema_from_the_struct() {
        let b = Thing::block();
        assert_eq!(b.description, "A thing.");
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name).collect();
        assert_eq!(names, ["id", "name", "ids", "tags", "entries", "count", "secret", "label"]);
        let label = b.attribute("label").unwrap();
        assert!(label.optional && label.replace.is_some() && label.deprecated && !label.computed);
        assert_eq!(label.deprecation_message, "Use `name` instead.");
        assert!(b.attributes.iter().filter(|a| a.name != "label").all(|a| !a.deprecated && a.deprecation_message.is_empty()));
        let name = b.attribute("name").unwrap();
        assert!(name.required && name.replace.is_some() && !name.optional && !name.computed);
        assert_eq!(name.description, "The name.");
        let ids = b.attribute("ids").unwrap();
        assert!(ids.optional && ids.computed && !ids.required && ids.replace.is_none());
        assert_eq!(ids.ty(), Type::Set(Box::new(Type::String)));
        assert!(b.attribute("secret").unwrap().sensitive);
        assert_eq!(
            b.attribute("entries").unwrap().ty(),
            Type::List(Box::new(Type::Object([("name".to_string(), Type::String)].into_iter().collect())))
        );
        assert_eq!(b.blocks.len(), 2);
        assert_eq!((b.blocks[0].name, b.blocks[0].nesting), ("opts", Nesting::Single));
        assert_eq!((b.blocks[1].name, b.blocks[1].nesting), ("list", Nesting::List));
        assert_eq!(Set::<Entry>::nested_block("s").nesting, Nesting::Set);
        assert_eq!(b.blocks[0].block.description, "Options.");
        assert_eq!(Thing::ty(), b.ty());
        let opts = b.blocks[0].block.attribute("kind").unwrap();
        assert!(opts.optional && opts.computed);
    }

    #[test]
    fn round_trip_keeps_unknowns_nulls_and_refinements() {
        let v = sample();
        let t = Thing::decode(&v).unwrap().unwrap();
        assert_eq!(t.id.as_str(), Some("t-1"));
        assert_eq!(t.ids.strings(), ["a".to_string(), "b".to_string()].into_iter().collect());
        assert!(!t.ids.is_wholly_known() && t.ids.is_known());
        assert_eq!(t.tags.string_map().get("k").map(String::as_str), Some("v"));
        assert_eq!(t.count.known(), Some(&3));
        assert!(matches!(&t.secret, Val::Unknown(r) if r.not_null));
        assert!(t.opts.known().unwrap().kind.is_unknown() && t.opts.known().unwrap().on.is_null());
        assert_eq!(t.to_value(), v);
        assert!(!t.is_wholly_known());
        // And through the wire codec with the schema's type.
        let bytes = encode_msgpack(&t.to_value(), &Thing::ty()).unwrap();
        assert_eq!(decode_msgpack(&bytes, &Thing::ty()).unwrap(), v);
        // Null is no object; absent attributes are null.
        assert!(Thing::decode(&Value::Null).unwrap().is_none());
        let t = Thing::decode(&Value::object([("name", Value::string("x"))])).unwrap().unwrap();
        assert!(t.id.is_null() && t.opts.is_null() && t.is_wholly_known());
        assert_eq!(Thing::default().to_value(), Value::object(Vec::<(&str, Value)>::new()));
    }

    #[test]
    fn wrong_shapes_are_errors_with_paths() {
        let with = |k: &str, v: Value| {
            let Value::Object(mut m) = sample() else { unreachable!() };
            m.insert(k.to_string(), v);
            Thing::decode(&Value::Object(m)).unwrap_err()
        };
        let e = with("name", Value::Bool(true));
        assert_eq!(e.path, vec![PathStep::Attr("name".into())]);
        assert!(e.message.contains("expected a string, got a bool"), "{e}");
        let e = with("ids", Value::Set(vec![Value::string("a"), Value::from(1i64)]));
        assert_eq!(e.path, vec![PathStep::Attr("ids".into()), PathStep::Index(1)]);
        let e = with("tags", Value::Map([("x".to_string(), Value::Bool(false))].into_iter().collect()));
        assert_eq!(e.path, vec![PathStep::Attr("tags".into()), PathStep::Key("x".into())]);
        let e = with("entries", Value::List(vec![Value::string("x")]));
        assert_eq!(e.path, vec![PathStep::Attr("entries".into()), PathStep::Index(0)]);
        let e = with("opts", Value::List(vec![]));
        assert_eq!(e.path, vec![PathStep::Attr("opts".into())]);
        let e = with("count", Value::number(Number::Float(1.5)));
        assert!(e.message.contains("whole number"), "{e}");
        assert!(Thing::decode(&Value::unknown()).is_err());
        assert!(Thing::decode(&Value::string("x")).is_err());
        let d = diagnostics(&with("name", Value::Bool(true)), "configuration");
        assert!(d.has_errors() && d.0[0].path == Some(vec![PathStep::Attr("name".into())]));
    }

    #[test]
    fn sets_compare_as_sets() {
        let a: Set<String> = ["x".to_string(), "y".to_string()].into_iter().collect();
        let b: Set<String> = ["y".to_string(), "x".to_string()].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, Set::default());
    }

    #[test]
    fn empty_when_null_plans_empty_collections() {
        let mut planned =
            Value::object([("ids", Value::unknown()), ("tags", Value::map_of_strings([("a", "b")])), ("name", Value::string("n"))]);
        apply_modifiers::<Thing>(&mut planned, &Value::object([("tags", Value::map_of_strings([("a", "b")]))]));
        assert_eq!(planned.get("ids"), &Value::Set(vec![]));
        assert_eq!(planned.get("tags"), &Value::map_of_strings([("a", "b")]));
        assert_eq!(planned.get("name"), &Value::string("n"));
    }

    const KINDS: &[&str] = &["a", "b", "c"];

    crate::model! {
        #[description = "A kind."]
        pub(crate) struct Kinded {
            attrs {
                kind: String [optional one_of(KINDS)] "The kind.";
            }
        }
    }

    crate::model! {
        #[description = "Picky options."]
        pub(crate) struct Picky {
            attrs {
                kind: String [optional one_of(KINDS)] "The kind.";
                mode: String [optional one_of_named("mode of operation", &["on", "off"])] "The mode.";
            }
            blocks {
                inner: List<Kinded>;
            }
        }
    }

    #[test]
    fn one_of_checks_known_values_on_the_attribute() {
        let kinded = |kind: &str| Val::Known(Kinded { kind: Val::Known(kind.to_string()) });
        let picky = |kind: &str, mode: Val<String>, inner: Vec<Val<Kinded>>| Picky {
            kind: Val::Known(kind.to_string()),
            mode,
            inner: Val::Known(List(inner)),
        };
        let mut d = Diagnostics::new();
        picky("b", Val::Unknown(Refinements::default()), vec![]).check_declared(&[], &mut d);
        assert!(d.is_empty(), "{d:?}");

        let bad = picky("x", Val::Known("maybe".into()), vec![kinded("a"), kinded("z")]);
        let mut d = Diagnostics::new();
        bad.check_declared(&[], &mut d);
        let got: Vec<(String, String, Vec<PathStep>)> =
            d.0.iter().map(|x| (x.summary.clone(), x.detail.clone(), x.path.clone().unwrap_or_default())).collect();
        let attr = |p: &[&str]| p.iter().map(|s| PathStep::Attr(s.to_string())).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                ("Invalid kind".to_string(), r#""x" is not a valid kind: use one of "a", "b" or "c"."#.to_string(), attr(&["kind"])),
                (
                    "Invalid mode of operation".to_string(),
                    r#""maybe" is not a valid mode of operation: use one of "on" or "off"."#.to_string(),
                    attr(&["mode"])
                ),
                (
                    "Invalid kind".to_string(),
                    r#""z" is not a valid kind: use one of "a", "b" or "c"."#.to_string(),
                    vec![PathStep::Attr("inner".into()), PathStep::Index(1), PathStep::Attr("kind".into())]
                ),
            ]
        );
        // The schema sent to Terraform does not carry the check.
        assert_eq!(Picky::block().attributes[0].description, "The kind.");
    }
}
