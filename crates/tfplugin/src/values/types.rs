//! cty types: [`Type`], its JSON form (the `type` of schema attributes and dynamic values).

use super::*;

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// cty's `Bool`.
    Bool,
    /// cty's `Number`.
    Number,
    /// cty's `String`.
    String,
    /// cty's `DynamicPseudoType`.
    Dynamic,
    /// A list of the element type.
    List(Box<Type>),
    /// A set of the element type.
    Set(Box<Type>),
    /// A map of strings to the element type.
    Map(Box<Type>),
    /// An object of these attribute types.
    Object(BTreeMap<String, Type>),
    /// A tuple of these element types.
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

    pub(super) fn write_json(&self, out: &mut Vec<u8>) {
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

pub(super) fn type_from_raw(raw: &Raw) -> Result<Type, String> {
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
