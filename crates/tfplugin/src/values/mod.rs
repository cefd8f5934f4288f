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
//!
//! Layout: [`Type`] in `types.rs`, [`Number`] in `number.rs`, [`Value`] and
//! [`Refinements`] in `value.rs`; the msgpack reader and writer in
//! `msgpack.rs`, the JSON parser and writer in `json.rs`; here, paths and
//! errors and the type-directed decoder and encoder both codecs share.

mod json;
mod msgpack;
mod number;
#[cfg(test)]
mod tests;
mod types;
mod value;

pub use json::*;
pub use msgpack::*;
pub use number::*;
pub use types::*;
pub use value::*;

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
    /// Where in the value: the path of the offending value.
    pub path: Vec<PathStep>,
    /// What is wrong.
    pub message: String,
}

impl CodecError {
    /// An error about the value at `path`.
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

// ---------------------------------------------------------------------------
// Decoding (type-directed, shared by both codecs)
// ---------------------------------------------------------------------------

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
// Encoding (type-directed, shared by both codecs)
// ---------------------------------------------------------------------------

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
