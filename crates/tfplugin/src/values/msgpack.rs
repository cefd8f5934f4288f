//! The msgpack codec (go-cty `cty/msgpack`): the reader, [`decode_msgpack`] and [`encode_msgpack`].

use super::*;

/// Decodes a msgpack `DynamicValue` of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw = parse_msgpack(bytes).map_err(at(&[]))?;
    Decoder { json: false, path: Vec::new() }.value(&raw, ty, 0)
}

/// Encodes `v` as a msgpack `DynamicValue` of type `ty`.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut sink = MsgSink(Vec::new());
    encode_value(&mut sink, v, ty, &mut Vec::new(), 0)?;
    Ok(sink.0)
}

pub(super) struct MsgReader<'a> {
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> MsgReader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let out = self.pos.checked_add(n).and_then(|end| self.b.get(self.pos..end));
        let out = out.ok_or_else(|| format!("truncated msgpack data at byte {}", self.pos))?;
        self.pos += n;
        Ok(out)
    }

    /// Big-endian unsigned integer of `n <= 8` bytes.
    pub(super) fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self.take(n)?.iter().fold(0, |acc, &b| acc << 8 | u64::from(b)))
    }

    pub(super) fn byte(&mut self) -> Result<u8, String> {
        Ok(self.uint(1)? as u8)
    }

    pub(super) fn len(&mut self, n: usize) -> Result<usize, String> {
        usize::try_from(self.uint(n)?).map_err(|_| "msgpack length out of range".to_owned())
    }

    pub(super) fn unsigned(&mut self, n: usize) -> Result<Raw, String> {
        let u = self.uint(n)?;
        Ok(i64::try_from(u).map_or_else(|_| Raw::Num(u.to_string()), Raw::Int))
    }

    pub(super) fn signed(&mut self, n: usize) -> Result<Raw, String> {
        let shift = 64 - 8 * n as u32; // sign-extend from n bytes
        Ok(Raw::Int(((self.uint(n)? << shift) as i64) >> shift))
    }

    pub(super) fn raw(&mut self, depth: usize) -> Result<Raw, String> {
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

pub(super) fn parse_msgpack(bytes: &[u8]) -> Result<Raw, String> {
    let mut reader = MsgReader { b: bytes, pos: 0 };
    let raw = reader.raw(0)?;
    if reader.pos != bytes.len() {
        return Err(format!("unexpected trailing data after msgpack value at byte {}", reader.pos));
    }
    Ok(raw)
}

pub(super) fn written<T, E: fmt::Display>(result: Result<T, E>) -> Result<(), String> {
    result.map(drop).map_err(|e| format!("msgpack write failed: {e}"))
}

pub(super) fn len32(len: usize) -> Result<u32, String> {
    u32::try_from(len).map_err(|_| format!("length {len} exceeds msgpack limits"))
}

pub(super) struct MsgSink(Vec<u8>);

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
