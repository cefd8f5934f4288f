//! cty values: [`Value`], unknown-value [`Refinements`], and value helpers.

use super::*;

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// What is known about an unknown value (cty's refinements).
/// The default is "nothing known".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refinements {
    /// The value will definitely not be null.
    pub not_null: bool,
    /// Strings only: the final value starts with this.
    pub string_prefix: Option<String>,
    /// Numbers only: `(bound, inclusive)`.
    pub number_min: Option<(Number, bool)>,
    /// Numbers only: `(bound, inclusive)`.
    pub number_max: Option<(Number, bool)>,
    /// Collections only: minimum length (0 = no bound).
    pub length_min: u64,
    /// Collections only: maximum length.
    pub length_max: Option<u64>,
}

impl Refinements {
    #[allow(clippy::type_complexity)]
    pub(super) fn sort_key(&self) -> (bool, Option<&str>, Option<(NumKey, bool)>, Option<(NumKey, bool)>, u64, Option<u64>) {
        let bound = |b: &Option<(Number, bool)>| b.as_ref().map(|(n, inc)| (n.key(), *inc));
        (self.not_null, self.string_prefix.as_deref(), bound(&self.number_min), bound(&self.number_max), self.length_min, self.length_max)
    }
}

/// A cty value. Its type is given by the schema it is decoded/encoded with.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    /// Null.
    Null,
    /// Unknown, with what Terraform knows of the final value.
    Unknown(Refinements),
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A set (its elements in no particular order).
    Set(Vec<Value>),
    /// A map.
    Map(BTreeMap<String, Value>),
    /// An object, by attribute name.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
}

pub(super) static NULL: Value = Value::Null;

impl Value {
    /// A wholly unknown value (no refinements).
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A number value.
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// An object value of these attributes.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A list of strings.
    pub fn list_of_strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(Value::string).collect())
    }

    /// A set of strings.
    pub fn set_of_strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::Set(items.into_iter().map(Value::string).collect())
    }

    /// A map of strings.
    pub fn map_of_strings<K: Into<String>, V: Into<String>>(entries: impl IntoIterator<Item = (K, V)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), Value::string(v))).collect())
    }

    /// Attribute of an object (or element of a map); `Null` when absent or
    /// when `self` is not an object.
    pub fn get(&self, attr: &str) -> &Value {
        self.as_map().and_then(|m| m.get(attr)).unwrap_or(&NULL)
    }

    /// The string, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if it is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if it is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an i64, if it is a number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// Elements of a list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => Some(xs),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Whether it is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Not unknown at the top level (nested values may still be unknown).
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown(_))
    }

    /// Neither this value nor any nested value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        self.is_known()
            && self.as_list().is_none_or(|xs| xs.iter().all(Value::is_wholly_known))
            && self.as_map().is_none_or(|m| m.values().all(Value::is_wholly_known))
    }

    /// The type cty would infer for this value. Null and unknown values are
    /// `Dynamic`; collection element types are unified (nulls/unknowns fill in
    /// from their siblings) and fall back to `Dynamic` when they conflict.
    pub fn implied_type(&self) -> Type {
        fn unify_all<'a>(vals: impl Iterator<Item = &'a Value>) -> Box<Type> {
            let mut acc = Type::Dynamic;
            for v in vals {
                match unify(acc, v.implied_type()) {
                    Some(t) => acc = t,
                    None => return Box::new(Type::Dynamic),
                }
            }
            Box::new(acc)
        }
        match self {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(xs) => Type::List(unify_all(xs.iter())),
            Value::Set(xs) => Type::Set(unify_all(xs.iter())),
            Value::Map(m) => Type::Map(unify_all(m.values())),
            Value::Object(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), v.implied_type())).collect()),
            Value::Tuple(xs) => Type::Tuple(xs.iter().map(Value::implied_type).collect()),
        }
    }

    pub(super) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
        }
    }

    pub(super) fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Unknown(_) => 1,
            Value::Bool(_) => 2,
            Value::Number(_) => 3,
            Value::String(_) => 4,
            Value::List(_) => 5,
            Value::Set(_) => 6,
            Value::Map(_) => 7,
            Value::Object(_) => 8,
            Value::Tuple(_) => 9,
        }
    }

    pub(super) fn strip_refinements(&mut self) {
        match self {
            Value::Unknown(r) => *r = Refinements::default(),
            Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => xs.iter_mut().for_each(Value::strip_refinements),
            Value::Map(m) | Value::Object(m) => m.values_mut().for_each(Value::strip_refinements),
            _ => {}
        }
    }
}

/// The most specific type both `a` and `b` conform to, treating `Dynamic`
/// as "anything"; `None` when they conflict.
pub(super) fn unify(a: Type, b: Type) -> Option<Type> {
    Some(match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => t,
        (Type::List(x), Type::List(y)) => Type::List(Box::new(unify(*x, *y)?)),
        (Type::Set(x), Type::Set(y)) => Type::Set(Box::new(unify(*x, *y)?)),
        (Type::Map(x), Type::Map(y)) => Type::Map(Box::new(unify(*x, *y)?)),
        (Type::Object(x), Type::Object(y)) if x.keys().eq(y.keys()) => {
            Type::Object(x.into_iter().zip(y.into_values()).map(|((k, a), b)| Some((k, unify(a, b)?))).collect::<Option<_>>()?)
        }
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => {
            Type::Tuple(x.into_iter().zip(y).map(|(a, b)| unify(a, b)).collect::<Option<_>>()?)
        }
        (a, b) if a == b => a,
        _ => return None,
    })
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

/// Structural equality: numbers compare numerically, sets compare as sets
/// (order and duplicates are ignored) and absent object attributes equal null.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        canonical_cmp(self, other) == Ordering::Equal
    }
}

impl Eq for Value {}

/// A total order consistent with `Value`'s equality (not a numeric order).
pub(super) fn canonical_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Unknown(x), Value::Unknown(y)) => x.sort_key().cmp(&y.sort_key()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.key().cmp(&y.key()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => lexicographic(x.iter(), y.iter(), canonical_cmp),
        (Value::Set(x), Value::Set(y)) => lexicographic(canonical_set(x).into_iter(), canonical_set(y).into_iter(), canonical_cmp),
        (Value::Map(x), Value::Map(y)) => lexicographic(x.iter(), y.iter(), cmp_entries),
        // An absent attribute is the same as a null one.
        (Value::Object(x), Value::Object(y)) => {
            let present = |(_, v): &(&String, &Value)| !v.is_null();
            lexicographic(x.iter().filter(present), y.iter().filter(present), cmp_entries)
        }
        _ => a.rank().cmp(&b.rank()),
    }
}

pub(super) fn cmp_entries((ka, va): (&String, &Value), (kb, vb): (&String, &Value)) -> Ordering {
    ka.cmp(kb).then_with(|| canonical_cmp(va, vb))
}

pub(super) fn canonical_set(items: &[Value]) -> Vec<&Value> {
    let mut sorted: Vec<&Value> = items.iter().collect();
    sorted.sort_by(|a, b| canonical_cmp(a, b));
    sorted.dedup_by(|a, b| canonical_cmp(a, b) == Ordering::Equal);
    sorted
}

pub(super) fn lexicographic<T>(mut a: impl Iterator<Item = T>, mut b: impl Iterator<Item = T>, cmp: impl Fn(T, T) -> Ordering) -> Ordering {
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match cmp(x, y) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}
