//! Terraform's cty type system and the `DynamicValue` codecs.
//!
//! The msgpack codec follows go-cty's `cty/msgpack` package byte for byte:
//!
//! * null is msgpack nil; unknown is extension type 0 with a one-byte body
//!   (`d4 00 00`), or, for a *refined* unknown, extension type `0x0c` whose
//!   body is a msgpack map keyed by small integers (1 nullness, 2 string
//!   prefix, 3/4 number lower/upper bound as `[number, inclusive]`, 5/6
//!   collection length lower/upper bound);
//! * numbers are the smallest msgpack int when integral and within `i64`, a
//!   float64 when they are floats, otherwise their decimal string;
//! * objects are maps keyed by attribute name (encoded in sorted order),
//!   lists/sets/tuples are arrays, maps are maps;
//! * a value at a `dynamic` position is wrapped as `[type JSON bytes, value]`.
//!
//! The JSON codec follows `cty/json`: unknown values cannot be represented,
//! dynamic values are wrapped as `{"value": ..., "type": ...}`, and decoding
//! accepts the same lenient primitive conversions (`"5"` for a number,
//! `"true"` for a bool, numbers/bools for a string).
//!
//! [`Value`] carries no type of its own. At a `dynamic` position the encoders
//! therefore use [`Value::implied_type`], and unknown values nested inside a
//! dynamically-typed value lose their refinements when decoded (cty itself
//! never refines `dynamic` unknowns).
//!
//! Decoding never panics: nesting is capped ([`MAX_DEPTH`] value levels),
//! declared lengths are never used to preallocate, and all arithmetic on
//! untrusted input is checked.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::iter;

use rmp::encode as mp;

/// Maximum nesting of values (containers and dynamic wrappers).
pub const MAX_DEPTH: usize = 64;
/// Maximum syntactic nesting in raw msgpack/JSON. Larger than `MAX_DEPTH`
/// because type JSON inside dynamic wrappers nests up to twice as deep as
/// the value it describes.
const MAX_SYNTAX_DEPTH: usize = 160;
/// cty's encoding of a wholly unknown value (`unknownValBytes`).
const UNKNOWN_BYTES: [u8; 3] = [0xd4, 0x00, 0x00];
/// cty's extension type for unknown values carrying refinements.
const REFINED_UNKNOWN_EXT: i8 = 0x0c;
/// cty rejects refinement bodies larger than this.
const MAX_REFINEMENT_LEN: usize = 1024;
/// cty truncates longer string-prefix refinements before encoding them.
const MAX_PREFIX_LEN: usize = 256;

// ---------------------------------------------------------------------------
// Paths and errors
// ---------------------------------------------------------------------------

/// One step of an attribute path, as used in Terraform diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// Object attribute.
    Attr(String),
    /// List, set or tuple element index.
    Index(i64),
    /// Map key.
    Key(String),
}

/// Renders a path as `a.b[0]["key"]`.
pub fn format_path(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Attr(a) if out.is_empty() => out.push_str(a),
            PathStep::Attr(a) => out.push_str(&format!(".{a}")),
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
            PathStep::Key(k) => out.push_str(&format!("[{k:?}]")),
        }
    }
    out
}

/// A decoding/encoding failure and the path of the value it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub path: Vec<PathStep>,
    pub message: String,
}

impl CodecError {
    pub fn new(path: Vec<PathStep>, message: impl Into<String>) -> Self {
        CodecError { path, message: message.into() }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", format_path(&self.path), self.message)
        }
    }
}

impl std::error::Error for CodecError {}

/// Error constructor bound to a path, for `map_err`.
fn at(path: &[PathStep]) -> impl FnOnce(String) -> CodecError + '_ {
    move |message| CodecError { path: path.to_vec(), message }
}

fn index_step(i: usize) -> PathStep {
    PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX))
}

fn too_deep() -> String {
    format!("value nesting exceeds {MAX_DEPTH} levels")
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    /// cty's `DynamicPseudoType`.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    /// The JSON type encoding used in schemas, e.g. `["list","string"]`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_json(&mut out);
        out
    }

    /// Parses the JSON type encoding. Optional-attribute annotations
    /// (`["object",{...},["optattr"]]`) are accepted and dropped.
    pub fn from_json(bytes: &[u8]) -> Result<Type, CodecError> {
        let raw = parse_json(bytes).map_err(at(&[]))?;
        type_from_raw(&raw).map_err(at(&[]))
    }

    /// List, set or map.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        let (kind, inner) = match self {
            Type::Bool => return out.extend_from_slice(b"\"bool\""),
            Type::Number => return out.extend_from_slice(b"\"number\""),
            Type::String => return out.extend_from_slice(b"\"string\""),
            Type::Dynamic => return out.extend_from_slice(b"\"dynamic\""),
            Type::List(t) => ("list", t),
            Type::Set(t) => ("set", t),
            Type::Map(t) => ("map", t),
            Type::Object(attrs) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    push_json_str(out, name);
                    out.push(b':');
                    t.write_json(out);
                }
                return out.extend_from_slice(b"}]");
            }
            Type::Tuple(elems) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    t.write_json(out);
                }
                return out.extend_from_slice(b"]]");
            }
        };
        out.extend_from_slice(format!("[\"{kind}\",").as_bytes());
        inner.write_json(out);
        out.push(b']');
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Set(t) => write!(f, "set of {t}"),
            Type::Map(t) => write!(f, "map of {t}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

fn type_from_raw(raw: &Raw) -> Result<Type, String> {
    let bad = || format!("invalid type specification: unexpected {}", raw.kind());
    let items = match raw {
        Raw::Str(name) => {
            return match name.as_slice() {
                b"bool" => Ok(Type::Bool),
                b"number" => Ok(Type::Number),
                b"string" => Ok(Type::String),
                b"dynamic" => Ok(Type::Dynamic),
                other => Err(format!("invalid primitive type name {:?}", String::from_utf8_lossy(other))),
            }
        }
        Raw::Arr(items) => items,
        _ => return Err(bad()),
    };
    let boxed = |t: &Raw| type_from_raw(t).map(Box::new);
    match items.as_slice() {
        [Raw::Str(k), t] if k.as_slice() == b"list" => Ok(Type::List(boxed(t)?)),
        [Raw::Str(k), t] if k.as_slice() == b"set" => Ok(Type::Set(boxed(t)?)),
        [Raw::Str(k), t] if k.as_slice() == b"map" => Ok(Type::Map(boxed(t)?)),
        [Raw::Str(k), Raw::Arr(elems)] if k.as_slice() == b"tuple" => {
            Ok(Type::Tuple(elems.iter().map(type_from_raw).collect::<Result<_, _>>()?))
        }
        [Raw::Str(k), Raw::Map(attrs), optional @ ..] if k.as_slice() == b"object" => {
            match optional {
                [] => {}
                [Raw::Arr(names)] if names.iter().all(|n| matches!(n, Raw::Str(_))) => {}
                _ => return Err("invalid optional attribute list in object type".into()),
            }
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                let Raw::Str(name) = name else { return Err(bad()) };
                let name = String::from_utf8(name.clone()).map_err(|_| "attribute name is not UTF-8")?;
                if out.insert(name, type_from_raw(t)?).is_some() {
                    return Err("duplicate attribute in object type".into());
                }
            }
            Ok(Type::Object(out))
        }
        _ => Err(bad()),
    }
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// A cty number. Integers are exact; `Big` holds a decimal literal for
/// numbers that fit neither `i64` nor (exactly) `f64`, as cty sends them.
/// Equality is numeric: `Int(2) == Float(2.0) == Big("2.0")`.
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    Float(f64),
    Big(String),
}

impl Number {
    /// Parses a decimal literal (optionally signed, with fraction/exponent)
    /// or `inf`/`-inf`, as cty's `ParseNumberVal` does.
    pub fn parse(s: &str) -> Option<Number> {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if body.eq_ignore_ascii_case("inf") {
            return Some(Number::Float(if neg { f64::NEG_INFINITY } else { f64::INFINITY }));
        }
        Decimal::parse(s).map(|_| Number::Big(s.to_owned()))
    }

    /// The value as `i64` if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            // -2^63 and 2^63 are exact floats; `as` is exact for integral floats between them.
            Number::Float(f) if f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(f) => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => Decimal::parse(s)?.to_i64(),
        }
    }

    /// The nearest `f64` (NaN for an invalid `Big` literal).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// Canonical form used for equality and set ordering.
    fn key(&self) -> NumKey {
        let finite = |s: &str| Decimal::parse(s).map_or_else(|| NumKey::Invalid(s.to_owned()), NumKey::Finite);
        match (self.as_i64(), self) {
            // Integers compare exactly, even integral floats beyond 2^53.
            (Some(i), _) => finite(&i.to_string()),
            (None, Number::Float(f)) if f.is_nan() => NumKey::Invalid("NaN".into()),
            (None, Number::Float(f)) if *f == f64::INFINITY => NumKey::PosInf,
            (None, Number::Float(f)) if *f == f64::NEG_INFINITY => NumKey::NegInf,
            // Other floats compare by their shortest round-trip decimal form,
            // which is also what the JSON encoder writes.
            (None, Number::Float(f)) => finite(&format!("{f:e}")),
            (None, Number::Int(i)) => finite(&i.to_string()), // unreachable: as_i64 is Some
            (None, Number::Big(s)) => finite(s),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Number {}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        i64::try_from(u).map_or_else(|_| Number::Big(u.to_string()), Number::Int)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

/// A decimal `0.<digits> × 10^exp` with no leading/trailing zeros in
/// `digits` (empty for zero, which is never negative).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Decimal {
    neg: bool,
    exp: i64,
    digits: String,
}

impl Decimal {
    /// Accepts `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`.
    fn parse(s: &str) -> Option<Decimal> {
        let (neg, s) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..)?),
            Some(b'+') => (false, s.get(1..)?),
            _ => (false, s),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (s.get(..i)?, s.get(i + 1..)?.parse::<i64>().ok()?),
            None => (s, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = format!("{int}{frac}");
        if all.is_empty() || !all.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let lead = all.bytes().take_while(|&b| b == b'0').count();
        let digits = all.get(lead..)?.trim_end_matches('0');
        if digits.is_empty() {
            return Some(Decimal { neg: false, exp: 0, digits: String::new() });
        }
        let exp = exp.checked_add(i64::try_from(int.len()).ok()?)?.checked_sub(i64::try_from(lead).ok()?)?;
        Some(Decimal { neg, exp, digits: digits.to_owned() })
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let zeros = usize::try_from(self.exp).ok()?.checked_sub(self.digits.len())?;
        if zeros > 19 {
            return None;
        }
        let sign = if self.neg { "-" } else { "" };
        format!("{sign}{}{}", self.digits, "0".repeat(zeros)).parse().ok()
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NumKey {
    NegInf,
    Finite(Decimal),
    PosInf,
    Invalid(String),
}

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
    pub number_max: Option<(Number, bool)>,
    /// Collections only: minimum length (0 = no bound).
    pub length_min: u64,
    /// Collections only: maximum length.
    pub length_max: Option<u64>,
}

impl Refinements {
    #[allow(clippy::type_complexity)]
    fn sort_key(&self) -> (bool, Option<&str>, Option<(NumKey, bool)>, Option<(NumKey, bool)>, u64, Option<u64>) {
        let bound = |b: &Option<(Number, bool)>| b.as_ref().map(|(n, inc)| (n.key(), *inc));
        (self.not_null, self.string_prefix.as_deref(), bound(&self.number_min), bound(&self.number_max), self.length_min, self.length_max)
    }
}

/// A cty value. Its type is given by the schema it is decoded/encoded with.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Default for Value {
    fn default() -> Self {
        Value::Null
    }
}

static NULL: Value = Value::Null;

impl Value {
    /// A wholly unknown value (no refinements).
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn list_of_strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(Value::string).collect())
    }

    pub fn set_of_strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::Set(items.into_iter().map(Value::string).collect())
    }

    pub fn map_of_strings<K: Into<String>, V: Into<String>>(entries: impl IntoIterator<Item = (K, V)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), Value::string(v))).collect())
    }

    /// Attribute of an object (or element of a map); `Null` when absent or
    /// when `self` is not an object.
    pub fn get(&self, attr: &str) -> &Value {
        self.as_map().and_then(|m| m.get(attr)).unwrap_or(&NULL)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

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

    fn kind(&self) -> &'static str {
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

    fn rank(&self) -> u8 {
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

    fn strip_refinements(&mut self) {
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
fn unify(a: Type, b: Type) -> Option<Type> {
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
fn canonical_cmp(a: &Value, b: &Value) -> Ordering {
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

fn cmp_entries((ka, va): (&String, &Value), (kb, vb): (&String, &Value)) -> Ordering {
    ka.cmp(kb).then_with(|| canonical_cmp(va, vb))
}

fn canonical_set(items: &[Value]) -> Vec<&Value> {
    let mut sorted: Vec<&Value> = items.iter().collect();
    sorted.sort_by(|a, b| canonical_cmp(a, b));
    sorted.dedup_by(|a, b| canonical_cmp(a, b) == Ordering::Equal);
    sorted
}

fn lexicographic<T>(mut a: impl Iterator<Item = T>, mut b: impl Iterator<Item = T>, cmp: impl Fn(T, T) -> Ordering) -> Ordering {
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

// ---------------------------------------------------------------------------
// Raw syntax trees (shared by both decoders)
// ---------------------------------------------------------------------------

/// A parsed msgpack or JSON document, before type-directed conversion.
#[derive(Debug)]
enum Raw {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Number literal: a JSON number, or a msgpack uint64 beyond `i64`.
    Num(String),
    /// msgpack str/bin (interchangeable, as in cty) or a JSON string.
    Str(Vec<u8>),
    Arr(Vec<Raw>),
    Map(Vec<(Raw, Raw)>),
    Ext(i8, Vec<u8>),
}

impl Raw {
    fn kind(&self) -> &'static str {
        match self {
            Raw::Nil => "null",
            Raw::Bool(_) => "bool",
            Raw::Int(_) | Raw::Float(_) | Raw::Num(_) => "number",
            Raw::Str(_) => "string",
            Raw::Arr(_) => "array",
            Raw::Map(_) => "map",
            Raw::Ext(..) => "extension",
        }
    }
}

struct MsgReader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> MsgReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let out = self.pos.checked_add(n).and_then(|end| self.b.get(self.pos..end));
        let out = out.ok_or_else(|| format!("truncated msgpack data at byte {}", self.pos))?;
        self.pos += n;
        Ok(out)
    }

    /// Big-endian unsigned integer of `n <= 8` bytes.
    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self.take(n)?.iter().fold(0, |acc, &b| acc << 8 | u64::from(b)))
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.uint(1)? as u8)
    }

    fn len(&mut self, n: usize) -> Result<usize, String> {
        usize::try_from(self.uint(n)?).map_err(|_| "msgpack length out of range".to_owned())
    }

    fn unsigned(&mut self, n: usize) -> Result<Raw, String> {
        let u = self.uint(n)?;
        Ok(i64::try_from(u).map_or_else(|_| Raw::Num(u.to_string()), Raw::Int))
    }

    fn signed(&mut self, n: usize) -> Result<Raw, String> {
        let shift = 64 - 8 * n as u32; // sign-extend from n bytes
        Ok(Raw::Int(((self.uint(n)? << shift) as i64) >> shift))
    }

    fn raw(&mut self, depth: usize) -> Result<Raw, String> {
        use rmp::Marker as M;
        enum Head {
            Done(Raw),
            Bytes(usize),
            Array(usize),
            Map(usize),
            Ext(usize),
        }
        if depth > MAX_SYNTAX_DEPTH {
            return Err(format!("msgpack nesting exceeds {MAX_SYNTAX_DEPTH} levels"));
        }
        let head = match M::from_u8(self.byte()?) {
            M::Null => Head::Done(Raw::Nil),
            M::True => Head::Done(Raw::Bool(true)),
            M::False => Head::Done(Raw::Bool(false)),
            M::FixPos(n) => Head::Done(Raw::Int(n.into())),
            M::FixNeg(n) => Head::Done(Raw::Int(n.into())),
            M::U8 => Head::Done(self.unsigned(1)?),
            M::U16 => Head::Done(self.unsigned(2)?),
            M::U32 => Head::Done(self.unsigned(4)?),
            M::U64 => Head::Done(self.unsigned(8)?),
            M::I8 => Head::Done(self.signed(1)?),
            M::I16 => Head::Done(self.signed(2)?),
            M::I32 => Head::Done(self.signed(4)?),
            M::I64 => Head::Done(self.signed(8)?),
            M::F32 => Head::Done(Raw::Float(f32::from_bits(self.uint(4)? as u32).into())),
            M::F64 => Head::Done(Raw::Float(f64::from_bits(self.uint(8)?))),
            M::FixStr(n) => Head::Bytes(n.into()),
            M::Str8 | M::Bin8 => Head::Bytes(self.len(1)?),
            M::Str16 | M::Bin16 => Head::Bytes(self.len(2)?),
            M::Str32 | M::Bin32 => Head::Bytes(self.len(4)?),
            M::FixArray(n) => Head::Array(n.into()),
            M::Array16 => Head::Array(self.len(2)?),
            M::Array32 => Head::Array(self.len(4)?),
            M::FixMap(n) => Head::Map(n.into()),
            M::Map16 => Head::Map(self.len(2)?),
            M::Map32 => Head::Map(self.len(4)?),
            M::FixExt1 => Head::Ext(1),
            M::FixExt2 => Head::Ext(2),
            M::FixExt4 => Head::Ext(4),
            M::FixExt8 => Head::Ext(8),
            M::FixExt16 => Head::Ext(16),
            M::Ext8 => Head::Ext(self.len(1)?),
            M::Ext16 => Head::Ext(self.len(2)?),
            M::Ext32 => Head::Ext(self.len(4)?),
            M::Reserved => return Err(format!("invalid msgpack marker 0xc1 at byte {}", self.pos - 1)),
        };
        // Declared lengths are untrusted: grow containers element by element
        // (every element consumes input, so a bogus length just hits EOF).
        Ok(match head {
            Head::Done(raw) => raw,
            Head::Bytes(n) => Raw::Str(self.take(n)?.to_vec()),
            Head::Array(n) => {
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.raw(depth + 1)?);
                }
                Raw::Arr(items)
            }
            Head::Map(n) => {
                let mut entries = Vec::new();
                for _ in 0..n {
                    entries.push((self.raw(depth + 1)?, self.raw(depth + 1)?));
                }
                Raw::Map(entries)
            }
            Head::Ext(n) => {
                let code = self.byte()? as i8;
                Raw::Ext(code, self.take(n)?.to_vec())
            }
        })
    }
}

fn parse_msgpack(bytes: &[u8]) -> Result<Raw, String> {
    let mut reader = MsgReader { b: bytes, pos: 0 };
    let raw = reader.raw(0)?;
    if reader.pos != bytes.len() {
        return Err(format!("unexpected trailing data after msgpack value at byte {}", reader.pos));
    }
    Ok(raw)
}

struct JsonParser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl JsonParser<'_> {
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("invalid JSON at byte {}: {what}", self.pos))
    }

    /// Next non-whitespace byte, without consuming it.
    fn peek(&mut self) -> Option<u8> {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        self.b.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Result<Raw, String> {
        if depth > MAX_SYNTAX_DEPTH {
            return self.err("nesting too deep");
        }
        match self.peek() {
            None => self.err("unexpected end of input"),
            Some(b'"') => self.string(),
            Some(open @ (b'[' | b'{')) => {
                self.pos += 1;
                let close = if open == b'[' { b']' } else { b'}' };
                let (mut items, mut entries) = (Vec::new(), Vec::new());
                if !self.eat(close) {
                    loop {
                        if open == b'[' {
                            items.push(self.value(depth + 1)?);
                        } else {
                            if self.peek() != Some(b'"') {
                                return self.err("expected object key");
                            }
                            let key = self.string()?;
                            if !self.eat(b':') {
                                return self.err("expected ':'");
                            }
                            entries.push((key, self.value(depth + 1)?));
                        }
                        if self.eat(close) {
                            break;
                        }
                        if !self.eat(b',') {
                            return self.err("expected ',' or closing bracket");
                        }
                    }
                }
                Ok(if open == b'[' { Raw::Arr(items) } else { Raw::Map(entries) })
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                let Some(end) = scan_json_number(self.b, start) else { return self.err("invalid number") };
                self.pos = end;
                let text = std::str::from_utf8(self.b.get(start..end).unwrap_or_default()).unwrap_or_default();
                Ok(Raw::Num(text.to_owned()))
            }
            Some(c) => {
                let (literal, raw) = match c {
                    b't' => ("true", Raw::Bool(true)),
                    b'f' => ("false", Raw::Bool(false)),
                    b'n' => ("null", Raw::Nil),
                    _ => return self.err("unexpected character"),
                };
                if !self.b.get(self.pos..).unwrap_or_default().starts_with(literal.as_bytes()) {
                    return self.err("invalid literal");
                }
                self.pos += literal.len();
                Ok(raw)
            }
        }
    }

    /// A string token starting at `self.pos`; escapes and UTF-8 are
    /// validated by serde_json.
    fn string(&mut self) -> Result<Raw, String> {
        let start = self.pos;
        let mut i = start + 1;
        loop {
            match self.b.get(i) {
                None => return self.err("unterminated string"),
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        let token = self.b.get(start..=i).unwrap_or_default();
        let s: String = serde_json::from_slice(token).map_err(|e| format!("invalid JSON string at byte {start}: {e}"))?;
        Ok(Raw::Str(s.into_bytes()))
    }
}

/// End of the JSON number starting at `i`, if one is there.
fn scan_json_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: usize| b.get(i..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    Some(i)
}

fn parse_json(bytes: &[u8]) -> Result<Raw, String> {
    let mut parser = JsonParser { b: bytes, pos: 0 };
    let raw = parser.value(0)?;
    if parser.peek().is_some() {
        return parser.err("unexpected trailing data");
    }
    Ok(raw)
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// Decodes a msgpack `DynamicValue` of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw = parse_msgpack(bytes).map_err(at(&[]))?;
    Decoder { json: false, path: Vec::new() }.value(&raw, ty, 0)
}

/// Decodes the JSON form (`DynamicValue.json`, `RawState.json`) of type `ty`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw = parse_json(bytes).map_err(at(&[]))?;
    Decoder { json: true, path: Vec::new() }.value(&raw, ty, 0)
}

/// Type-directed conversion of a `Raw` tree into a `Value`.
struct Decoder {
    json: bool,
    path: Vec<PathStep>,
}

impl Decoder {
    fn err(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(self.path.clone(), message)
    }

    fn step<T>(&mut self, step: PathStep, f: impl FnOnce(&mut Self) -> Result<T, CodecError>) -> Result<T, CodecError> {
        self.path.push(step);
        let result = f(self);
        self.path.pop();
        result
    }

    fn utf8(&self, bytes: &[u8]) -> Result<String, CodecError> {
        String::from_utf8(bytes.to_vec()).map_err(|_| self.err("string is not valid UTF-8"))
    }

    fn value(&mut self, raw: &Raw, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.err(too_deep()));
        }
        Ok(match (raw, ty) {
            // As in cty, any extension value is an unknown, whatever the type.
            (Raw::Ext(code, body), _) => return self.unknown(*code, body, ty, depth),
            (Raw::Nil, _) => Value::Null,
            (_, Type::Dynamic) => return self.dynamic(raw, depth),
            (Raw::Bool(b), Type::Bool) => Value::Bool(*b),
            (Raw::Str(s), Type::Bool) if self.json => match s.as_slice() {
                b"true" | b"1" => Value::Bool(true),
                b"false" | b"0" => Value::Bool(false),
                _ => return Err(self.err("bool is required, got a string that is not a bool")),
            },
            (_, Type::Number) => Value::Number(self.number(raw)?),
            (Raw::Str(s), Type::String) => Value::String(self.utf8(s)?),
            (Raw::Num(text), Type::String) if self.json => Value::String(text.clone()),
            (Raw::Bool(b), Type::String) if self.json => Value::String(b.to_string()),
            (Raw::Arr(items), Type::List(et)) => Value::List(self.seq(items.iter().zip(iter::repeat(&**et)), depth)?),
            (Raw::Arr(items), Type::Set(et)) => Value::Set(self.seq(items.iter().zip(iter::repeat(&**et)), depth)?),
            (Raw::Arr(items), Type::Tuple(ets)) if items.len() == ets.len() => Value::Tuple(self.seq(items.iter().zip(ets), depth)?),
            (Raw::Arr(items), Type::Tuple(ets)) => {
                return Err(self.err(format!("a tuple of length {} is required, got {} elements", ets.len(), items.len())))
            }
            (Raw::Map(entries), Type::Map(et)) => Value::Map(self.entries(entries, depth, PathStep::Key, |_| Some(&**et))?),
            (Raw::Map(entries), Type::Object(attrs)) => {
                let mut obj = self.entries(entries, depth, PathStep::Attr, |name| attrs.get(name))?;
                for name in attrs.keys() {
                    obj.entry(name.clone()).or_insert(Value::Null);
                }
                Value::Object(obj)
            }
            _ => return Err(self.err(format!("{ty} is required, got {}", raw.kind()))),
        })
    }

    fn seq<'r, 't>(&mut self, items: impl Iterator<Item = (&'r Raw, &'t Type)>, depth: usize) -> Result<Vec<Value>, CodecError> {
        items.enumerate().map(|(i, (raw, ty))| self.step(index_step(i), |d| d.value(raw, ty, depth + 1))).collect()
    }

    fn entries<'t>(
        &mut self,
        entries: &[(Raw, Raw)],
        depth: usize,
        step: fn(String) -> PathStep,
        type_of: impl Fn(&str) -> Option<&'t Type>,
    ) -> Result<BTreeMap<String, Value>, CodecError> {
        let mut out = BTreeMap::new();
        for (key, raw) in entries {
            let Raw::Str(key) = key else { return Err(self.err(format!("keys must be strings, got {}", key.kind()))) };
            let key = self.utf8(key)?;
            let ty = type_of(&key).ok_or_else(|| self.err(format!("unsupported attribute {key:?}")))?;
            if out.contains_key(&key) {
                return Err(self.err(format!("duplicate key {key:?}")));
            }
            let value = self.step(step(key.clone()), |d| d.value(raw, ty, depth + 1))?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn number(&self, raw: &Raw) -> Result<Number, CodecError> {
        let n = match raw {
            Raw::Int(i) => Some(Number::Int(*i)),
            Raw::Float(f) if !f.is_nan() => Some(Number::Float(*f)),
            Raw::Num(text) => Number::parse(text),
            Raw::Str(s) => std::str::from_utf8(s).ok().and_then(Number::parse),
            _ => None,
        };
        match n {
            Some(Number::Float(f)) if self.json && f.is_infinite() => Err(self.err("infinity cannot be represented in JSON")),
            Some(n) => Ok(n),
            None => Err(self.err(format!("number is required, got {}", raw.kind()))),
        }
    }

    /// A value at a `dynamic` position: msgpack `[type JSON, value]` or JSON
    /// `{"value": ..., "type": ...}`.
    fn dynamic(&mut self, raw: &Raw, depth: usize) -> Result<Value, CodecError> {
        let type_err = |e: String| format!("invalid type in dynamic value: {e}");
        let (ty, inner) = match raw {
            Raw::Arr(items) if !self.json => match items.as_slice() {
                [Raw::Str(ty), inner] => (Type::from_json(ty).map_err(|e| self.err(type_err(e.message)))?, inner),
                _ => return Err(self.err("dynamic value must be a [type, value] array")),
            },
            Raw::Map(entries) if self.json => {
                let (mut ty, mut inner) = (None, None);
                for (key, v) in entries {
                    match key {
                        Raw::Str(k) if k.as_slice() == b"type" => ty = Some(type_from_raw(v).map_err(|e| self.err(type_err(e)))?),
                        Raw::Str(k) if k.as_slice() == b"value" => inner = Some(v),
                        _ => return Err(self.err("invalid key in dynamically-typed value")),
                    }
                }
                let (Some(ty), Some(inner)) = (ty, inner) else {
                    return Err(self.err("dynamically-typed value needs both \"type\" and \"value\""));
                };
                (ty, inner)
            }
            _ => return Err(self.err(format!("dynamically-typed value is required, got {}", raw.kind()))),
        };
        let mut value = self.value(inner, &ty, depth + 1)?;
        // `Value` cannot record the type, so re-encoding would use the implied
        // type, under which refinements may not apply; drop them consistently.
        value.strip_refinements();
        Ok(value)
    }

    /// An extension value: cty's (possibly refined) unknown.
    fn unknown(&mut self, code: i8, body: &[u8], ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if body.len() <= 1 {
            return Ok(Value::unknown());
        }
        if code != REFINED_UNKNOWN_EXT {
            return Err(self.err(format!("unsupported extension type 0x{:02x} with length {}", code as u8, body.len())));
        }
        if body.len() > MAX_REFINEMENT_LEN {
            return Err(self.err("oversize unknown value refinement"));
        }
        let bad = |what: &str| format!("invalid unknown value refinement: {what}");
        // As in cty, trailing bytes after the refinement map are ignored.
        let Ok(Raw::Map(entries)) = (MsgReader { b: body, pos: 0 }).raw(0) else {
            return Err(self.err(bad("not a map")));
        };
        if *ty == Type::Dynamic {
            return Ok(Value::unknown());
        }
        let mut r = Refinements::default();
        let mut is_null = false;
        for (key, v) in &entries {
            let Raw::Int(key) = key else { return Err(self.err(bad("non-integer key"))) };
            match (*key, v) {
                (1, Raw::Bool(null)) => (is_null, r.not_null) = (*null, !*null),
                (1, _) => return Err(self.err(bad("nullness is not a bool"))),
                (2, _) if *ty != Type::String => return Err(self.err(bad("string prefix for a non-string type"))),
                (2, Raw::Str(s)) => r.string_prefix = Some(clamp_prefix(&self.utf8(s)?).to_owned()).filter(|p| !p.is_empty()),
                (2, _) => return Err(self.err(bad("string prefix is not a string"))),
                (3 | 4, _) if *ty != Type::Number => return Err(self.err(bad("number bound for a non-number type"))),
                (3 | 4, v) => {
                    let bound = match self.value(v, &Type::Tuple(vec![Type::Number, Type::Bool]), depth + 1) {
                        Ok(Value::Tuple(t)) => match t.as_slice() {
                            [Value::Number(n), Value::Bool(inclusive)] => (n.clone(), *inclusive),
                            _ => return Err(self.err(bad("number bound must be a known [number, bool]"))),
                        },
                        _ => return Err(self.err(bad("number bound must be a [number, bool] array"))),
                    };
                    // cty never encodes the unbounded ends; normalize the same way.
                    let (slot, open) = match key {
                        3 => (&mut r.number_min, f64::NEG_INFINITY),
                        _ => (&mut r.number_max, f64::INFINITY),
                    };
                    *slot = Some(bound).filter(|(n, _)| *n != Number::Float(open));
                }
                (5 | 6, _) if !ty.is_collection() => return Err(self.err(bad("length bound for a non-collection type"))),
                (5 | 6, Raw::Int(n)) => {
                    let n = u64::try_from(*n).map_err(|_| self.err(bad("negative length bound")))?;
                    match key {
                        5 => r.length_min = n,
                        _ => r.length_max = Some(n),
                    }
                }
                (5 | 6, _) => return Err(self.err(bad("length bound is not an integer"))),
                _ => {} // unknown keys are reserved for future refinements
            }
        }
        Ok(if is_null { Value::Null } else { Value::Unknown(r) })
    }
}

/// cty truncates string-prefix refinements longer than 256 bytes.
fn clamp_prefix(s: &str) -> &str {
    if s.len() <= MAX_PREFIX_LEN {
        return s;
    }
    let mut end = MAX_PREFIX_LEN - 1;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// Encodes `v` as a msgpack `DynamicValue` of type `ty`.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut sink = MsgSink(Vec::new());
    encode_value(&mut sink, v, ty, &mut Vec::new(), 0)?;
    Ok(sink.0)
}

/// Encodes `v` as JSON of type `ty`; fails on unknown values.
pub fn encode_json(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut sink = JsonSink(Vec::new());
    encode_value(&mut sink, v, ty, &mut Vec::new(), 0)?;
    Ok(sink.0)
}

#[derive(Clone, Copy)]
enum Container {
    Array,
    Map,
}

/// Output format for the shared, type-directed encoder.
trait Sink {
    fn null(&mut self) -> Result<(), String>;
    fn bool(&mut self, b: bool) -> Result<(), String>;
    fn number(&mut self, n: &Number) -> Result<(), String>;
    fn string(&mut self, s: &str) -> Result<(), String>;
    fn begin(&mut self, c: Container, len: usize) -> Result<(), String>;
    /// Before each element; `key` is set for map/object entries.
    fn item(&mut self, index: usize, key: Option<&str>) -> Result<(), String>;
    fn end(&mut self, c: Container) -> Result<(), String>;
    fn unknown(&mut self, r: &Refinements, ty: &Type) -> Result<(), String>;
    fn begin_dynamic(&mut self, ty: &Type) -> Result<(), String>;
    fn end_dynamic(&mut self, ty: &Type) -> Result<(), String>;
}

fn encode_value<S: Sink>(s: &mut S, v: &Value, ty: &Type, path: &mut Vec<PathStep>, depth: usize) -> Result<(), CodecError> {
    if depth > MAX_DEPTH {
        return Err(CodecError::new(path.clone(), too_deep()));
    }
    let result = match (v, ty) {
        (Value::Null, _) => s.null(),
        (Value::Unknown(r), _) => s.unknown(r, ty),
        (_, Type::Dynamic) => {
            let implied = v.implied_type();
            s.begin_dynamic(&implied).map_err(at(path))?;
            encode_value(s, v, &implied, path, depth + 1)?;
            s.end_dynamic(&implied)
        }
        (Value::Bool(b), Type::Bool) => s.bool(*b),
        (Value::Number(n), Type::Number) => s.number(n),
        (Value::String(x), Type::String) => s.string(x),
        (Value::List(xs), Type::List(et)) | (Value::Set(xs), Type::Set(et)) => {
            let items = xs.iter().enumerate().map(|(i, x)| (index_step(i), x, &**et));
            return encode_children(s, Container::Array, xs.len(), items, path, depth);
        }
        (Value::Tuple(xs), Type::Tuple(ets)) if xs.len() == ets.len() => {
            let items = xs.iter().zip(ets).enumerate().map(|(i, (x, t))| (index_step(i), x, t));
            return encode_children(s, Container::Array, xs.len(), items, path, depth);
        }
        (Value::Tuple(xs), Type::Tuple(ets)) => Err(format!("a tuple of length {} is required, got {}", ets.len(), xs.len())),
        (Value::Map(m), Type::Map(et)) => {
            let items = m.iter().map(|(k, x)| (PathStep::Key(k.clone()), x, &**et));
            return encode_children(s, Container::Map, m.len(), items, path, depth);
        }
        (Value::Object(m), Type::Object(attrs)) => match m.keys().find(|k| !attrs.contains_key(*k)) {
            Some(extra) => Err(format!("unsupported attribute {extra:?}")),
            None => {
                // Attributes missing from the value are encoded as null.
                let items = attrs.iter().map(|(k, t)| (PathStep::Attr(k.clone()), m.get(k).unwrap_or(&NULL), t));
                return encode_children(s, Container::Map, attrs.len(), items, path, depth);
            }
        },
        _ => Err(format!("{ty} is required, got {}", v.kind())),
    };
    result.map_err(at(path))
}

fn encode_children<'a, S: Sink>(
    s: &mut S,
    c: Container,
    len: usize,
    items: impl Iterator<Item = (PathStep, &'a Value, &'a Type)>,
    path: &mut Vec<PathStep>,
    depth: usize,
) -> Result<(), CodecError> {
    s.begin(c, len).map_err(at(path))?;
    for (i, (step, v, t)) in items.enumerate() {
        let key = match (&step, c) {
            (PathStep::Attr(k) | PathStep::Key(k), Container::Map) => Some(k.as_str()),
            _ => None,
        };
        s.item(i, key).map_err(at(path))?;
        path.push(step);
        encode_value(s, v, t, path, depth + 1)?;
        path.pop();
    }
    s.end(c).map_err(at(path))
}

fn written<T, E: fmt::Display>(result: Result<T, E>) -> Result<(), String> {
    result.map(drop).map_err(|e| format!("msgpack write failed: {e}"))
}

fn len32(len: usize) -> Result<u32, String> {
    u32::try_from(len).map_err(|_| format!("length {len} exceeds msgpack limits"))
}

struct MsgSink(Vec<u8>);

impl Sink for MsgSink {
    fn null(&mut self) -> Result<(), String> {
        written(mp::write_nil(&mut self.0))
    }

    fn bool(&mut self, b: bool) -> Result<(), String> {
        written(mp::write_bool(&mut self.0, b))
    }

    /// cty: an int if integral and within i64, else float64, else the
    /// decimal string.
    fn number(&mut self, n: &Number) -> Result<(), String> {
        match (n.as_i64(), n) {
            (Some(i), _) => written(mp::write_sint(&mut self.0, i)),
            (None, Number::Float(f)) if !f.is_nan() => written(mp::write_f64(&mut self.0, *f)),
            (None, Number::Big(s)) if Decimal::parse(s).is_some() => self.string(s),
            _ => Err(format!("{n} is not a valid number")),
        }
    }

    fn string(&mut self, s: &str) -> Result<(), String> {
        len32(s.len())?;
        written(mp::write_str(&mut self.0, s))
    }

    fn begin(&mut self, c: Container, len: usize) -> Result<(), String> {
        let len = len32(len)?;
        match c {
            Container::Array => written(mp::write_array_len(&mut self.0, len)),
            Container::Map => written(mp::write_map_len(&mut self.0, len)),
        }
    }

    fn item(&mut self, _index: usize, key: Option<&str>) -> Result<(), String> {
        key.map_or(Ok(()), |k| self.string(k))
    }

    fn end(&mut self, _c: Container) -> Result<(), String> {
        Ok(())
    }

    /// cty's `marshalUnknownValue`.
    fn unknown(&mut self, r: &Refinements, ty: &Type) -> Result<(), String> {
        let mut body = MsgSink(Vec::new());
        let mut entries = 0;
        let mut key = |body: &mut MsgSink, k: i64| {
            entries += 1;
            written(mp::write_sint(&mut body.0, k))
        };
        if *ty != Type::Dynamic && r.not_null {
            key(&mut body, 1)?;
            body.bool(false)?;
        }
        match ty {
            Type::String => {
                if let Some(prefix) = r.string_prefix.as_deref().map(clamp_prefix).filter(|p| !p.is_empty()) {
                    key(&mut body, 2)?;
                    body.string(prefix)?;
                }
            }
            Type::Number => {
                let bounds = [(3, &r.number_min, f64::NEG_INFINITY), (4, &r.number_max, f64::INFINITY)];
                for (k, bound, open) in bounds {
                    if let Some((n, inclusive)) = bound.as_ref().filter(|(n, _)| *n != Number::Float(open)) {
                        key(&mut body, k)?;
                        body.begin(Container::Array, 2)?;
                        body.number(n)?;
                        body.bool(*inclusive)?;
                    }
                }
            }
            t if t.is_collection() => {
                if r.length_min != 0 {
                    key(&mut body, 5)?;
                    written(mp::write_uint(&mut body.0, r.length_min))?;
                }
                if let Some(max) = r.length_max {
                    key(&mut body, 6)?;
                    written(mp::write_uint(&mut body.0, max))?;
                }
            }
            _ => {}
        }
        if entries == 0 {
            self.0.extend_from_slice(&UNKNOWN_BYTES);
            return Ok(());
        }
        let mut head = Vec::new();
        written(mp::write_map_len(&mut head, entries))?;
        written(mp::write_ext_meta(&mut self.0, len32(head.len() + body.0.len())?, REFINED_UNKNOWN_EXT))?;
        self.0.extend_from_slice(&head);
        self.0.extend_from_slice(&body.0);
        Ok(())
    }

    fn begin_dynamic(&mut self, ty: &Type) -> Result<(), String> {
        written(mp::write_array_len(&mut self.0, 2))?;
        written(mp::write_bin(&mut self.0, &ty.to_json()))
    }

    fn end_dynamic(&mut self, _ty: &Type) -> Result<(), String> {
        Ok(())
    }
}

struct JsonSink(Vec<u8>);

impl Sink for JsonSink {
    fn null(&mut self) -> Result<(), String> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn bool(&mut self, b: bool) -> Result<(), String> {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(())
    }

    fn number(&mut self, n: &Number) -> Result<(), String> {
        let text = match (n.as_i64(), n) {
            (Some(i), _) => i.to_string(),
            (None, Number::Float(f)) if f.is_finite() => f.to_string(),
            (None, Number::Big(s)) if scan_json_number(s.as_bytes(), 0) == Some(s.len()) => s.clone(),
            // A valid literal that is not JSON syntax (e.g. "+.5"): canonical form.
            (None, Number::Big(s)) => match Decimal::parse(s) {
                Some(d) => format!("{}0.{}e{}", if d.neg { "-" } else { "" }, d.digits, d.exp),
                None => return Err(format!("{s:?} is not a valid number")),
            },
            _ => return Err(format!("{n} cannot be represented in JSON")),
        };
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), String> {
        push_json_str(&mut self.0, s);
        Ok(())
    }

    fn begin(&mut self, c: Container, _len: usize) -> Result<(), String> {
        self.0.push(match c {
            Container::Array => b'[',
            Container::Map => b'{',
        });
        Ok(())
    }

    fn item(&mut self, index: usize, key: Option<&str>) -> Result<(), String> {
        if index > 0 {
            self.0.push(b',');
        }
        if let Some(k) = key {
            push_json_str(&mut self.0, k);
            self.0.push(b':');
        }
        Ok(())
    }

    fn end(&mut self, c: Container) -> Result<(), String> {
        self.0.push(match c {
            Container::Array => b']',
            Container::Map => b'}',
        });
        Ok(())
    }

    fn unknown(&mut self, _r: &Refinements, _ty: &Type) -> Result<(), String> {
        Err("value is not known; unknown values cannot be encoded as JSON".into())
    }

    fn begin_dynamic(&mut self, _ty: &Type) -> Result<(), String> {
        self.0.extend_from_slice(b"{\"value\":");
        Ok(())
    }

    fn end_dynamic(&mut self, ty: &Type) -> Result<(), String> {
        self.0.extend_from_slice(b",\"type\":");
        ty.write_json(&mut self.0);
        self.0.push(b'}');
        Ok(())
    }
}

fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if u32::from(c) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes()),
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(attrs: &[(&str, Type)]) -> Type {
        Type::Object(attrs.iter().map(|(k, t)| (k.to_string(), t.clone())).collect())
    }
    fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    fn attr(a: &str) -> PathStep {
        PathStep::Attr(a.into())
    }

    fn msgpack_round_trip(v: &Value, ty: &Type) -> Vec<u8> {
        let bytes = encode_msgpack(v, ty).unwrap_or_else(|e| panic!("encode {v:?}: {e}"));
        let back = decode_msgpack(&bytes, ty).unwrap_or_else(|e| panic!("decode {bytes:02x?}: {e}"));
        assert_eq!(&back, v, "msgpack round trip of {v:?} as {ty}");
        bytes
    }

    fn json_round_trip(v: &Value, ty: &Type) -> String {
        let bytes = encode_json(v, ty).unwrap_or_else(|e| panic!("encode {v:?}: {e}"));
        let back = decode_json(&bytes, ty).unwrap_or_else(|e| panic!("decode {}: {e}", String::from_utf8_lossy(&bytes)));
        assert_eq!(&back, v, "JSON round trip of {v:?} as {ty}");
        String::from_utf8(bytes).unwrap()
    }

    fn refined(f: impl FnOnce(&mut Refinements)) -> Value {
        let mut r = Refinements::default();
        f(&mut r);
        Value::Unknown(r)
    }

    #[test]
    fn type_json() {
        let cases: Vec<(Type, &str)> = vec![
            (Type::String, r#""string""#),
            (Type::Number, r#""number""#),
            (Type::Bool, r#""bool""#),
            (Type::Dynamic, r#""dynamic""#),
            (list(Type::String), r#"["list","string"]"#),
            (set(list(Type::Number)), r#"["set",["list","number"]]"#),
            (map(Type::Bool), r#"["map","bool"]"#),
            (obj(&[("b", Type::String), ("a", set(Type::String))]), r#"["object",{"a":["set","string"],"b":"string"}]"#),
            (obj(&[]), r#"["object",{}]"#),
            (Type::Tuple(vec![Type::String, Type::Dynamic]), r#"["tuple",["string","dynamic"]]"#),
            (Type::Tuple(vec![]), r#"["tuple",[]]"#),
        ];
        for (ty, json) in cases {
            assert_eq!(String::from_utf8(ty.to_json()).unwrap(), json);
            assert_eq!(Type::from_json(json.as_bytes()).unwrap(), ty);
        }
        let optional = br#" ["object", {"a": "string", "b": "number"}, ["b"]] "#;
        assert_eq!(Type::from_json(optional).unwrap(), obj(&[("a", Type::String), ("b", Type::Number)]));
        for bad in [&b"\"str\""[..], b"[\"list\"]", b"[\"list\",\"string\",1]", b"{}", b"[\"object\",{},[1]]", b"", b"\"string\" x"] {
            assert!(Type::from_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn msgpack_object_vector() {
        let ty = obj(&[("a", Type::String), ("b", Type::String)]);
        let v = Value::object([("a", Value::string("x")), ("b", Value::Null)]);
        assert_eq!(msgpack_round_trip(&v, &ty), [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
        // Attributes absent from the value encode as null; absent from the input decode as null.
        assert_eq!(
            encode_msgpack(&Value::object([("a", Value::string("x"))]), &ty).unwrap(),
            [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]
        );
        assert_eq!(decode_msgpack(&[0x81, 0xa1, b'a', 0xa1, b'x'], &ty).unwrap(), v);
        assert_eq!(decode_msgpack(&[0xc0], &ty).unwrap(), Value::Null);
    }

    // Expected bytes below are derived from go-cty cty/msgpack/unknown.go:
    // unknownValBytes = {0xd4, 0, 0}; refined unknowns are extension type
    // 0x0c whose body is a map of int keys (1 = nullness, written as `false`
    // for not-null; 2 = string prefix via EncodeString; 3/4 = number bounds
    // as a [number, inclusive] tuple, skipped when infinite; 5/6 = length
    // bounds via EncodeInt). The ext header comes from vmihailenco/msgpack's
    // EncodeExtHeader: fixext1/2/4/8/16 for those exact lengths, else ext8.
    #[test]
    fn msgpack_unknown_vectors() {
        assert_eq!(msgpack_round_trip(&Value::unknown(), &Type::String), [0xd4, 0x00, 0x00]);
        assert_eq!(msgpack_round_trip(&Value::unknown(), &Type::Dynamic), [0xd4, 0x00, 0x00]);

        let v = refined(|r| {
            r.not_null = true;
            r.string_prefix = Some("foo-".into());
        });
        let expected = [0xc7, 0x09, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa4, b'f', b'o', b'o', b'-'];
        assert_eq!(msgpack_round_trip(&v, &Type::String), expected);

        let not_null = refined(|r| r.not_null = true);
        assert_eq!(msgpack_round_trip(&not_null, &Type::Bool), [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]);
        assert_eq!(msgpack_round_trip(&not_null, &obj(&[("a", Type::String)])), [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]);

        let range = refined(|r| {
            r.number_min = Some((Number::Int(0), true));
            r.number_max = Some((Number::Float(1.5), false));
        });
        let expected = [0xc7, 0x11, 0x0c, 0x82, 0x03, 0x92, 0x00, 0xc3, 0x04, 0x92, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc2];
        assert_eq!(msgpack_round_trip(&range, &Type::Number), expected);

        // A four-byte body uses fixext4.
        let len = refined(|r| r.length_min = 200);
        assert_eq!(msgpack_round_trip(&len, &list(Type::String)), [0xd6, 0x0c, 0x81, 0x05, 0xcc, 0xc8]);
        let len = refined(|r| {
            r.length_min = 1;
            r.length_max = Some(2);
        });
        assert_eq!(msgpack_round_trip(&len, &set(Type::String)), [0xc7, 0x05, 0x0c, 0x82, 0x05, 0x01, 0x06, 0x02]);
        msgpack_round_trip(&refined(|r| r.length_max = Some(0)), &map(Type::Number));

        // Refinements that do not apply to the type, or are unbounded, are not written.
        assert_eq!(encode_msgpack(&refined(|r| r.string_prefix = Some("x".into())), &Type::Number).unwrap(), UNKNOWN_BYTES);
        assert_eq!(encode_msgpack(&not_null, &Type::Dynamic).unwrap(), UNKNOWN_BYTES);
        let open = refined(|r| r.number_min = Some((Number::Float(f64::NEG_INFINITY), true)));
        assert_eq!(encode_msgpack(&open, &Type::Number).unwrap(), UNKNOWN_BYTES);
        // Over-long prefixes are truncated (at a char boundary) like cty does.
        let long = refined(|r| r.string_prefix = Some("é".repeat(200)));
        let back = decode_msgpack(&encode_msgpack(&long, &Type::String).unwrap(), &Type::String).unwrap();
        assert_eq!(back, refined(|r| r.string_prefix = Some("é".repeat(127))));

        // Decoding: any 0/1-byte extension is a plain unknown; refinements on
        // dynamic are ignored; unknown keys are skipped; is-null collapses.
        assert_eq!(decode_msgpack(&[0xc7, 0x00, 0x05], &Type::Number).unwrap(), Value::unknown());
        assert_eq!(decode_msgpack(&[0xd4, 0x07, 0x01], &Type::Number).unwrap(), Value::unknown());
        assert_eq!(decode_msgpack(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], &Type::Dynamic).unwrap(), Value::unknown());
        assert_eq!(decode_msgpack(&[0xc7, 0x05, 0x0c, 0x82, 0x09, 0xa0, 0x01, 0xc2], &Type::String).unwrap(), not_null);
        assert_eq!(decode_msgpack(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3], &Type::String).unwrap(), Value::Null);
        let err = decode_msgpack(&[0xc7, 0x04, 0x0c, 0x81, 0x02, 0xa1, b'x'], &Type::Number).unwrap_err();
        assert!(err.message.contains("non-string"), "{err}");
        assert!(decode_msgpack(&[0xc7, 0x02, 0x01, 0x00, 0x00], &Type::Number).is_err());
        assert!(decode_msgpack(&[0xc7, 0x02, 0x0c, 0x01, 0x02], &Type::Number).is_err());
    }

    #[test]
    fn msgpack_numbers() {
        let cases: Vec<(Number, Vec<u8>)> = vec![
            (Number::Int(0), vec![0x00]),
            (Number::Int(1), vec![0x01]),
            (Number::Int(127), vec![0x7f]),
            (Number::Int(128), vec![0xcc, 0x80]),
            (Number::Int(-1), vec![0xff]),
            (Number::Int(-32), vec![0xe0]),
            (Number::Int(-33), vec![0xd0, 0xdf]),
            (Number::Int(-200), vec![0xd1, 0xff, 0x38]),
            (Number::Int(65536), vec![0xce, 0x00, 0x01, 0x00, 0x00]),
            (Number::Int(1 << 40), vec![0xcf, 0, 0, 0x01, 0, 0, 0, 0, 0]),
            (Number::Int(i64::MIN), vec![0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (Number::Float(1.5), vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
            (Number::Float(2.0), vec![0x02]),
            (Number::Float(f64::INFINITY), vec![0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0]),
            (Number::Big("0.8".into()), vec![0xa3, b'0', b'.', b'8']),
            (Number::Big("1e3".into()), vec![0xcd, 0x03, 0xe8]),
        ];
        for (n, bytes) in cases {
            assert_eq!(msgpack_round_trip(&Value::Number(n.clone()), &Type::Number), bytes, "{n}");
        }
        let big = "9".repeat(100);
        let v = Value::Number(Number::Big(big.clone()));
        let bytes = msgpack_round_trip(&v, &Type::Number);
        assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap().as_number().unwrap().to_string(), big);
        // uint64 beyond i64 stays exact.
        let u = decode_msgpack(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], &Type::Number).unwrap();
        assert_eq!(u, Value::Number(Number::Big("18446744073709551615".into())));
        // float32 and numeric strings are accepted; NaN and junk are not.
        assert_eq!(decode_msgpack(&[0xca, 0x3f, 0xc0, 0, 0], &Type::Number).unwrap(), Value::number(1.5));
        assert_eq!(decode_msgpack(&[0xa2, b'4', b'2'], &Type::Number).unwrap(), Value::from(42));
        assert!(decode_msgpack(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1], &Type::Number).is_err());
        assert!(decode_msgpack(&[0xa1, b'x'], &Type::Number).is_err());
        assert!(encode_msgpack(&Value::number(f64::NAN), &Type::Number).is_err());
        assert!(encode_msgpack(&Value::Number(Number::Big("1.2.3".into())), &Type::Number).is_err());
    }

    #[test]
    fn number_semantics() {
        assert_eq!(Number::Int(2), Number::Float(2.0));
        assert_eq!(Number::Int(1000), Number::Big("1e3".into()));
        assert_eq!(Number::Big("+.50".into()), Number::Float(0.5));
        assert_eq!(Number::Float(0.0), Number::Float(-0.0));
        assert_ne!(Number::Int(1), Number::Int(2));
        assert_eq!(Number::parse("-inf"), Some(Number::Float(f64::NEG_INFINITY)));
        assert_eq!(Number::parse("12"), Some(Number::Int(12)));
        assert_eq!(Number::parse("nan"), None);
        assert_eq!(Number::parse("1e"), None);
        assert_eq!(Number::Big("12e2".into()).as_i64(), Some(1200));
        assert_eq!(Number::Big("1e19".into()).as_i64(), None);
        assert_eq!(Number::Float(1e300).as_i64(), None);
        assert_eq!(Number::from(u64::MAX), Number::Big(u64::MAX.to_string()));
    }

    #[test]
    fn round_trips_for_every_type() {
        let item = obj(&[("name", Type::String), ("n", Type::Number)]);
        let cases: Vec<(Value, Type)> = vec![
            (Value::Bool(true), Type::Bool),
            (Value::Bool(false), Type::Bool),
            (Value::from(-7), Type::Number),
            (Value::number(0.25), Type::Number),
            (Value::string(""), Type::String),
            (Value::string("héllo \"wörld\"\n\u{1}"), Type::String),
            (Value::string("x".repeat(70_000)), Type::String),
            (Value::list_of_strings(["a", "b", "a"]), list(Type::String)),
            (Value::List(vec![]), list(Type::String)),
            (Value::List(vec![Value::Null, Value::from(1)]), list(Type::Number)),
            (Value::set_of_strings(["x", "y"]), set(Type::String)),
            (Value::map_of_strings([("k", "v"), ("a", "b")]), map(Type::String)),
            (Value::Map(BTreeMap::new()), map(Type::Number)),
            (
                Value::Tuple(vec![Value::string("a"), Value::from(1), Value::Null]),
                Type::Tuple(vec![Type::String, Type::Number, Type::Bool]),
            ),
            (Value::Tuple(vec![]), Type::Tuple(vec![])),
            (Value::Object(BTreeMap::new()), obj(&[])),
            (
                Value::List(vec![
                    Value::object([("name", Value::string("a")), ("n", Value::from(1))]),
                    Value::object([("name", Value::Null), ("n", Value::Null)]),
                ]),
                list(item.clone()),
            ),
            (Value::Set(vec![Value::set_of_strings(["a"]), Value::set_of_strings(["b", "c"])]), set(set(Type::String))),
            (Value::Null, item.clone()),
        ];
        for (v, ty) in &cases {
            msgpack_round_trip(v, ty);
            json_round_trip(v, ty);
        }
        // Unknowns nested anywhere survive msgpack.
        let v = Value::List(vec![Value::object([("name", refined(|r| r.not_null = true)), ("n", Value::unknown())])]);
        msgpack_round_trip(&v, &list(item));
        assert!(!v.is_wholly_known() && v.is_known());
    }

    #[test]
    fn dynamic_values() {
        // [type JSON as bin, value], as cty's dynamicVal.MarshalMsgpack writes it.
        let mut expected = vec![0x92, 0xc4, 0x08];
        expected.extend_from_slice(b"\"string\"");
        expected.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(msgpack_round_trip(&Value::string("hi"), &Type::Dynamic), expected);
        // A str instead of bin for the type is accepted.
        expected[1] = 0xa8;
        expected.remove(2);
        assert_eq!(decode_msgpack(&expected, &Type::Dynamic).unwrap(), Value::string("hi"));
        assert_eq!(msgpack_round_trip(&Value::Null, &Type::Dynamic), [0xc0]);

        let v = Value::List(vec![Value::object([("a", Value::Null)]), Value::object([("a", Value::from(1))])]);
        assert_eq!(v.implied_type(), list(obj(&[("a", Type::Number)])));
        msgpack_round_trip(&v, &Type::Dynamic);
        let json = json_round_trip(&v, &Type::Dynamic);
        assert_eq!(json, r#"{"value":[{"a":null},{"a":1}],"type":["list",["object",{"a":"number"}]]}"#);
        // Conflicting element types fall back to dynamic elements.
        let mixed = Value::List(vec![Value::string("a"), Value::from(1)]);
        assert_eq!(mixed.implied_type(), list(Type::Dynamic));
        msgpack_round_trip(&mixed, &Type::Dynamic);
        json_round_trip(&mixed, &Type::Dynamic);
        // Dynamic inside a schema type, and a dynamic type inside a dynamic value.
        let ty = obj(&[("d", Type::Dynamic), ("l", list(Type::Dynamic))]);
        let v = Value::object([("d", Value::map_of_strings([("k", "v")])), ("l", Value::List(vec![Value::Bool(true), Value::Null]))]);
        msgpack_round_trip(&v, &ty);
        json_round_trip(&v, &ty);
        let nested = br#"{"type":"dynamic","value":{"value":"x","type":"string"}}"#;
        assert_eq!(decode_json(nested, &Type::Dynamic).unwrap(), Value::string("x"));
        // Refinements of unknowns inside a dynamic value are dropped.
        let ty_json = br#"["list","string"]"#;
        let mut bytes = vec![0x92, 0xc4, ty_json.len() as u8];
        bytes.extend_from_slice(ty_json);
        bytes.extend_from_slice(&[0x91, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]);
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), Value::List(vec![Value::unknown()]));
        // Malformed wrappers.
        assert!(decode_msgpack(&[0x91, 0xc0], &Type::Dynamic).is_err());
        assert!(decode_msgpack(&[0x92, 0xa1, b'x', 0xc0], &Type::Dynamic).is_err());
        assert!(decode_json(br#"{"value":1}"#, &Type::Dynamic).is_err());
        assert!(decode_json(br#"{"value":1,"type":"number","x":1}"#, &Type::Dynamic).is_err());
    }

    #[test]
    fn set_equality_ignores_order() {
        assert_eq!(Value::set_of_strings(["a", "b", "c"]), Value::set_of_strings(["c", "a", "b"]));
        assert_eq!(Value::set_of_strings(["a", "a", "b"]), Value::set_of_strings(["b", "a"]));
        assert_ne!(Value::set_of_strings(["a", "b"]), Value::set_of_strings(["a", "c"]));
        assert_ne!(Value::list_of_strings(["a", "b"]), Value::list_of_strings(["b", "a"]));
        assert_ne!(Value::list_of_strings(["a"]), Value::set_of_strings(["a"]));
        let nested = |a: &[&str], b: &[&str]| {
            Value::object([("s", Value::Set(vec![Value::set_of_strings(a.iter().copied()), Value::set_of_strings(b.iter().copied())]))])
        };
        assert_eq!(nested(&["x", "y"], &["z"]), nested(&["z"], &["y", "x"]));
        assert_ne!(nested(&["x", "y"], &["z"]), nested(&["x"], &["y", "z"]));
        assert_eq!(Value::Set(vec![Value::from(1), Value::number(2.0)]), Value::Set(vec![Value::from(2), Value::number(1.0)]));
        // Sets decoded in different orders are equal.
        let ty = set(Type::String);
        let a = decode_msgpack(&[0x92, 0xa1, b'a', 0xa1, b'b'], &ty).unwrap();
        let b = decode_msgpack(&[0x92, 0xa1, b'b', 0xa1, b'a'], &ty).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn errors_carry_paths() {
        let ty = obj(&[("items", list(obj(&[("b", Type::Bool)]))), ("tags", map(Type::Number))]);
        // {"items": [{"b": true}, {"b": "no"}], "tags": {}}
        let bytes = [
            0x82, 0xa5, b'i', b't', b'e', b'm', b's', 0x92, 0x81, 0xa1, b'b', 0xc3, 0x81, 0xa1, b'b', 0xa2, b'n', b'o', 0xa4, b't', b'a',
            b'g', b's', 0x80,
        ];
        let err = decode_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(err.path, vec![attr("items"), PathStep::Index(1), attr("b")]);
        assert_eq!(err.to_string(), "items[1].b: bool is required, got string");

        let err = decode_json(br#"{"tags": {"k": true}}"#, &ty).unwrap_err();
        assert_eq!(err.path, vec![attr("tags"), PathStep::Key("k".into())]);
        assert_eq!(err.to_string(), r#"tags["k"]: number is required, got bool"#);

        let err = decode_json(br#"{"items": [{"b": true, "c": 1}]}"#, &ty).unwrap_err();
        assert_eq!(err.path, vec![attr("items"), PathStep::Index(0)]);
        assert!(err.message.contains(r#"unsupported attribute "c""#), "{err}");
        let err = decode_msgpack(&[0x81, 0xa1, b'z', 0xc0], &ty).unwrap_err();
        assert!(err.path.is_empty() && err.message.contains("\"z\""), "{err}");
        assert!(decode_json(br#"{"tags": {"a": 1, "a": 2}}"#, &ty).unwrap_err().message.contains("duplicate"));

        let err = decode_msgpack(&[0x91, 0xc0], &Type::Tuple(vec![Type::String, Type::String])).unwrap_err();
        assert!(err.message.contains("length 2"), "{err}");

        let v = Value::object([("items", Value::List(vec![Value::object([("b", Value::string("x"))])]))]);
        let err = encode_msgpack(&v, &ty).unwrap_err();
        assert_eq!(err.path, vec![attr("items"), PathStep::Index(0), attr("b")]);
        let err = encode_msgpack(&Value::object([("nope", Value::Null)]), &ty).unwrap_err();
        assert!(err.path.is_empty() && err.message.contains("nope"));
        let v = Value::object([("tags", Value::Map([("k".to_string(), Value::unknown())].into()))]);
        let err = encode_json(&v, &ty).unwrap_err();
        assert_eq!(err.path, vec![attr("tags"), PathStep::Key("k".into())]);
        assert_eq!(format_path(&[attr("a"), PathStep::Index(3), PathStep::Key("x\"y".into()), attr("b")]), r#"a[3]["x\"y"].b"#);
    }

    #[test]
    fn json_specifics() {
        let ty = obj(&[("s", Type::String), ("n", Type::Number), ("b", Type::Bool)]);
        // cty/json's lenient primitive conversions.
        let v = decode_json(br#"{"s": 12.50, "n": "7", "b": "true"}"#, &ty).unwrap();
        assert_eq!(v, Value::object([("s", Value::string("12.50")), ("n", Value::from(7)), ("b", Value::Bool(true))]));
        assert_eq!(decode_json(br#"{"s": false}"#, &ty).unwrap().get("s").as_str(), Some("false"));
        assert!(decode_json(br#"{"b": "yes"}"#, &ty).is_err());
        assert!(decode_json(br#"{"n": "inf"}"#, &ty).is_err());
        // Big numbers stay exact.
        let big = "123456789012345678901234567890.000000000000000000001";
        let v = decode_json(big.as_bytes(), &Type::Number).unwrap();
        assert_eq!(String::from_utf8(encode_json(&v, &Type::Number).unwrap()).unwrap(), big);
        assert_eq!(encode_json(&Value::Number(Number::Big("+.5".into())), &Type::Number).unwrap(), b"0.5e0");
        assert_eq!(encode_json(&Value::number(0.1), &Type::Number).unwrap(), b"0.1");
        assert!(encode_json(&Value::number(f64::INFINITY), &Type::Number).is_err());
        assert!(encode_json(&Value::unknown(), &Type::String).is_err());
        // Escapes and unicode.
        let s = decode_json(br#""a\"b\\c\n\u00e9\ud83d\ude00""#, &Type::String).unwrap();
        assert_eq!(s.as_str(), Some("a\"b\\c\né😀"));
        json_round_trip(&s, &Type::String);
        for bad in [&b"{"[..], b"[1,]", b"\"\\x\"", b"01", b"tru", b"\"a", b"1 2", b"\"\xff\"", b"{\"a\" 1}", b"-"] {
            assert!(decode_json(bad, &list(Type::Number)).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn accessors_and_builders() {
        let v = Value::object([
            ("name", Value::string("x")),
            ("on", Value::Bool(true)),
            ("ids", Value::set_of_strings(["a"])),
            ("tags", Value::map_of_strings([("k", "v")])),
            ("n", Value::from(3)),
        ]);
        assert_eq!(v.get("name").as_str(), Some("x"));
        assert_eq!(v.get("on").as_bool(), Some(true));
        assert!(v.get("missing").is_null());
        assert!(Value::string("x").get("a").is_null());
        assert_eq!(v.get("ids").as_list().map(|l| l.len()), Some(1));
        assert_eq!(v.get("tags").as_map().and_then(|m| m.get("k")).and_then(Value::as_str), Some("v"));
        assert_eq!(v.get("tags").get("k").as_str(), Some("v"));
        assert_eq!(v.get("n").as_i64(), Some(3));
        assert!(v.is_wholly_known() && v.is_known() && !v.is_null());
        assert!(!Value::unknown().is_known());
        assert_eq!(Value::Tuple(vec![Value::Null]).as_list().map(<[Value]>::len), Some(1));
    }

    #[test]
    fn hostile_inputs_fail_cleanly() {
        let ty = list(Type::String);
        let deep_msgpack = [0x91].repeat(100_000);
        assert!(decode_msgpack(&deep_msgpack, &Type::Dynamic).is_err());
        let mut deep_json = b"[".repeat(100_000);
        deep_json.extend(b"]".repeat(100_000));
        assert!(decode_json(&deep_json, &ty).is_err());
        // Nested but syntactically shallow enough: the value depth limit applies.
        let mut nested = list(Type::String);
        for _ in 0..70 {
            nested = list(nested);
        }
        let mut bytes = [0x91].repeat(70);
        bytes.push(0x90);
        assert!(decode_msgpack(&bytes, &nested).unwrap_err().message.contains("nesting"));
        // Huge declared lengths with no data.
        for bytes in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0xdb, 0xff, 0xff, 0xff, 0xff],
            &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c],
        ] {
            assert!(decode_msgpack(bytes, &ty).is_err());
        }
        assert!(decode_msgpack(&[], &ty).is_err());
        assert!(decode_msgpack(&[0xc1], &ty).is_err());
        assert!(decode_msgpack(&[0x90, 0x00], &ty).unwrap_err().message.contains("trailing"));
        // Oversize refinement body.
        let mut big = vec![0xc8, 0x04, 0x01, 0x0c];
        big.extend([0u8; 0x401]);
        assert!(decode_msgpack(&big, &Type::String).unwrap_err().message.contains("oversize"));
    }

    /// xorshift64* — deterministic, dependency-free.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn mutate(rng: &mut Rng, seed: &[u8], interesting: &[u8]) -> Vec<u8> {
        let mut b = seed.to_vec();
        for _ in 0..=rng.below(3) {
            let byte = if rng.below(2) == 0 { interesting[rng.below(interesting.len())] } else { rng.next() as u8 };
            let i = rng.below(b.len());
            match rng.below(6) {
                0 if !b.is_empty() => b[i] = byte,
                1 if !b.is_empty() => b[i] ^= 1 << rng.below(8),
                2 => b.insert(rng.below(b.len() + 1), byte),
                3 if !b.is_empty() => {
                    b.remove(i);
                }
                4 => b.truncate(rng.below(b.len() + 1)),
                _ => {
                    let start = rng.below(seed.len());
                    let chunk = &seed[start..(start + rng.below(16)).min(seed.len())];
                    let at = rng.below(b.len() + 1);
                    b.splice(at..at, chunk.iter().copied());
                }
            }
        }
        b
    }

    /// A random value conforming to `ty` (nulls and refined unknowns included).
    fn generate(rng: &mut Rng, ty: &Type, depth: usize) -> Value {
        match rng.below(12) {
            0 => return Value::Null,
            1 => {
                return refined(|r| {
                    r.not_null = rng.below(2) == 0;
                    match ty {
                        Type::String => r.string_prefix = Some(["p-", "é", ""][rng.below(3)].into()),
                        Type::Number => r.number_max = Some((Number::Int(rng.below(100) as i64), rng.below(2) == 0)),
                        t if t.is_collection() => (r.length_min, r.length_max) = (rng.below(3) as u64, Some(3 + rng.below(300) as u64)),
                        _ => {}
                    }
                })
            }
            _ => {}
        }
        let many = |rng: &mut Rng, t: &Type| (0..rng.below(4)).map(|_| generate(rng, t, depth + 1)).collect::<Vec<_>>();
        match ty {
            Type::Bool => Value::Bool(rng.below(2) == 0),
            Type::Number => Value::Number(match rng.below(4) {
                0 => Number::Int(rng.next() as i64 >> rng.below(64)),
                1 => Number::Float((rng.next() as i64 >> rng.below(64)) as f64 / 1024.0),
                2 => Number::Big(format!("{}.{}e{}", rng.next(), rng.next(), rng.below(80) as i64 - 40)),
                _ => Number::Float(f64::INFINITY),
            }),
            Type::String => Value::string(["", "a", "é😀", "vpce-0123", "\"\\\n\u{1}", "longer string value"][rng.below(6)]),
            Type::Dynamic if depth < 4 => {
                let choices =
                    [Type::String, Type::Number, list(Type::Bool), map(Type::Dynamic), obj(&[("k", Type::Dynamic)]), set(Type::Number)];
                let pick = rng.below(choices.len());
                generate(rng, &choices[pick], depth + 1)
            }
            Type::Dynamic => Value::Null,
            Type::List(t) => Value::List(many(rng, t)),
            Type::Set(t) => Value::Set(many(rng, t)),
            Type::Map(t) => {
                Value::Map(many(rng, t).into_iter().enumerate().map(|(i, v)| (["k", "", "é", "x y"][i].to_string(), v)).collect())
            }
            Type::Object(attrs) => Value::Object(attrs.iter().map(|(k, t)| (k.clone(), generate(rng, t, depth + 1))).collect()),
            Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| generate(rng, t, depth + 1)).collect()),
        }
    }

    /// Raise (and vary `FUZZ_SEED`) for longer runs.
    const FUZZ_SCALE: usize = 1;

    type Decode = fn(&[u8], &Type) -> Result<Value, CodecError>;
    type Encode = fn(&Value, &Type) -> Result<Vec<u8>, CodecError>;

    /// Decodes `input`; on success, the value must re-encode, decode to an
    /// equal value, and encode to the same bytes again.
    fn check(input: &[u8], ty: &Type, decode: Decode, encode: Encode) -> bool {
        let Ok(v) = decode(input, ty) else { return false };
        let bytes = encode(&v, ty).unwrap_or_else(|e| panic!("re-encoding {v:?} from {input:02x?}: {e}"));
        let back = decode(&bytes, ty).unwrap_or_else(|e| panic!("decoding re-encoded {bytes:02x?} from {input:02x?}: {e}"));
        assert_eq!(back, v, "round trip of input {input:02x?}");
        assert_eq!(encode(&back, ty).unwrap(), bytes, "unstable encoding for input {input:02x?}");
        true
    }

    #[test]
    fn fuzz_decoders_never_panic_and_round_trip() {
        let item = obj(&[("a", Type::String), ("b", list(Type::Number)), ("c", set(obj(&[("x", Type::Bool)])))]);
        let ty = obj(&[
            ("name", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", map(Type::String)),
            ("ids", set(Type::String)),
            ("items", list(item)),
            ("pair", Type::Tuple(vec![Type::String, Type::Number])),
            ("dyn", Type::Dynamic),
            ("nested", map(list(Type::Dynamic))),
        ]);
        let samples = [
            Value::object([
                ("name", Value::string("vpce")),
                ("count", Value::from(3)),
                ("enabled", Value::Bool(true)),
                ("tags", Value::map_of_strings([("Name", "x"), ("env", "dev")])),
                ("ids", Value::set_of_strings(["a", "b"])),
                (
                    "items",
                    Value::List(vec![Value::object([
                        ("a", Value::string("s")),
                        ("b", Value::List(vec![Value::from(-5), Value::number(2.5), Value::Number(Number::Big("1e40".into()))])),
                        ("c", Value::Set(vec![Value::object([("x", Value::Bool(false))])])),
                    ])]),
                ),
                ("pair", Value::Tuple(vec![Value::string("p"), Value::from(70_000)])),
                ("dyn", Value::List(vec![Value::object([("k", Value::string("v"))])])),
                ("nested", Value::Map([("m".to_string(), Value::List(vec![Value::from(1), Value::string("t"), Value::Null]))].into())),
            ]),
            Value::object([
                (
                    "name",
                    refined(|r| {
                        r.not_null = true;
                        r.string_prefix = Some("vpce-".into());
                    }),
                ),
                ("count", refined(|r| r.number_min = Some((Number::Int(1), true)))),
                ("ids", refined(|r| r.length_min = 1)),
                ("items", Value::List(vec![Value::unknown()])),
                ("dyn", Value::unknown()),
                ("tags", Value::Map(BTreeMap::new())),
            ]),
            Value::object([
                ("dyn", Value::Tuple(vec![Value::Bool(true), Value::map_of_strings([("a", "b")])])),
                ("count", Value::number(-0.125)),
            ]),
            Value::Null,
        ];
        let mut msgpack_seeds: Vec<Vec<u8>> = samples.iter().map(|v| encode_msgpack(v, &ty).unwrap()).collect();
        let mut json_seeds: Vec<Vec<u8>> = samples.iter().filter(|v| v.is_wholly_known()).map(|v| encode_json(v, &ty).unwrap()).collect();
        for (v, seed) in samples.iter().zip(&msgpack_seeds) {
            assert_eq!(&decode_msgpack(seed, &ty).unwrap(), v);
        }
        let mut rng = Rng(std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15));
        for _ in 0..200 {
            let v = generate(&mut rng, &ty, 0);
            let bytes = encode_msgpack(&v, &ty).unwrap_or_else(|e| panic!("encoding generated {v:?}: {e}"));
            assert!(check(&bytes, &ty, decode_msgpack, encode_msgpack));
            msgpack_seeds.push(bytes);
            if v.is_wholly_known() && !format!("{v:?}").contains("inf") {
                let bytes = encode_json(&v, &ty).unwrap_or_else(|e| panic!("encoding generated {v:?}: {e}"));
                assert!(check(&bytes, &ty, decode_json, encode_json));
                json_seeds.push(bytes);
            }
        }
        let msgpack_markers = [
            0xc0, 0xc2, 0xc3, 0xd4, 0xc7, 0x0c, 0x00, 0x92, 0x9f, 0x81, 0x8f, 0xa1, 0xbf, 0xdc, 0xdd, 0xde, 0xdf, 0xca, 0xcb, 0xcf, 0xd3,
            0xc4, 0xd9, 0xff,
        ];
        let json_chars = *b"{}[]\":,-.e0123456789ntf \\u";

        let (mut ok_msgpack, mut ok_json) = (0, 0);
        for i in 0..40_000 * FUZZ_SCALE {
            let input = if i % 8 == 0 {
                (0..rng.below(48))
                    .map(|_| if rng.below(2) == 0 { msgpack_markers[rng.below(msgpack_markers.len())] } else { rng.next() as u8 })
                    .collect()
            } else {
                {
                    let seed = &msgpack_seeds[rng.below(msgpack_seeds.len())];
                    mutate(&mut rng, seed, &msgpack_markers)
                }
            };
            ok_msgpack += usize::from(check(&input, &ty, decode_msgpack, encode_msgpack));
            // Also against a dynamic type, which exercises the type parser.
            check(&input, &Type::Dynamic, decode_msgpack, encode_msgpack);
        }
        for i in 0..20_000 * FUZZ_SCALE {
            let input = if i % 8 == 0 {
                (0..rng.below(32)).map(|_| json_chars[rng.below(json_chars.len())]).collect()
            } else {
                {
                    let seed = &json_seeds[rng.below(json_seeds.len())];
                    mutate(&mut rng, seed, &json_chars)
                }
            };
            ok_json += usize::from(check(&input, &ty, decode_json, encode_json));
            check(&input, &Type::Dynamic, decode_json, encode_json);
        }
        // Make sure the mutations still reach the decoders' success paths.
        assert!(ok_msgpack > 1_000, "only {ok_msgpack} msgpack inputs decoded");
        assert!(ok_json > 300, "only {ok_json} JSON inputs decoded");
    }
}
