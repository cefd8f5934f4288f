//! The JSON codec (go-cty `cty/json`): the parser, [`decode_json`] and [`encode_json`].

use super::*;

/// Decodes the JSON form (`DynamicValue.json`, `RawState.json`) of type `ty`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw = parse_json(bytes).map_err(at(&[]))?;
    Decoder { json: true, path: Vec::new() }.value(&raw, ty, 0)
}

/// Encodes `v` as JSON of type `ty`; fails on unknown values.
pub fn encode_json(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut sink = JsonSink(Vec::new());
    encode_value(&mut sink, v, ty, &mut Vec::new(), 0)?;
    Ok(sink.0)
}

pub(super) struct JsonParser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl JsonParser<'_> {
    pub(super) fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("invalid JSON at byte {}: {what}", self.pos))
    }

    /// Next non-whitespace byte, without consuming it.
    pub(super) fn peek(&mut self) -> Option<u8> {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        self.b.get(self.pos).copied()
    }

    pub(super) fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    pub(super) fn value(&mut self, depth: usize) -> Result<Raw, String> {
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
    pub(super) fn string(&mut self) -> Result<Raw, String> {
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
pub(super) fn scan_json_number(b: &[u8], mut i: usize) -> Option<usize> {
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

pub(super) fn parse_json(bytes: &[u8]) -> Result<Raw, String> {
    let mut parser = JsonParser { b: bytes, pos: 0 };
    let raw = parser.value(0)?;
    if parser.peek().is_some() {
        return parser.err("unexpected trailing data");
    }
    Ok(raw)
}

pub(super) struct JsonSink(Vec<u8>);

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

pub(super) fn push_json_str(out: &mut Vec<u8>, s: &str) {
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
