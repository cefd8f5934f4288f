//! Bounded in-test fuzzing (a few seconds in `cargo test --release`):
//!
//! * the cty codecs: random and mutated msgpack/JSON `DynamicValue` bytes for both resource
//!   schema types (and random types) must decode without panicking, and whatever decodes must
//!   re-encode and decode to an equal value (and re-encode to the same bytes);
//! * `Type::from_json` on random and mutated type JSON;
//! * the provider's gRPC service methods, called in-process with garbage, must answer with
//!   diagnostics, never panic and never return an error status.
//!
//! `FUZZ_SEED` picks another seed, `FUZZ_SCALE` multiplies the iteration counts (the time budget
//! still applies unless `FUZZ_BUDGET_SECS` raises it).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tonic::Request;
use vpce::protocol::values::{decode_json, decode_msgpack, encode_json, encode_msgpack, Number, Refinements, Type, Value};
use vpce::protocol::wire::tfplugin6 as pb;
use vpce::protocol::wire::tfplugin6::provider_server::Provider as _;

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_f00d)
}

fn scale() -> usize {
    std::env::var("FUZZ_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1)
}

fn budget(default_secs: u64) -> Duration {
    Duration::from_secs(std::env::var("FUZZ_BUDGET_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(default_secs))
}

fn hex(b: &[u8]) -> String {
    b.iter().take(400).map(|x| format!("{x:02x}")).collect()
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

fn gen_string(r: &mut Rng) -> String {
    let len = if r.chance(3) { 200 + r.below(200) } else { r.below(12) };
    (0..len)
        .map(|_| match r.below(10) {
            0 => char::from_u32(r.below(0x20) as u32).unwrap_or('a'),
            1 => *r.pick(&['"', '\\', '/', '\u{7f}', '\u{0}', '\u{2028}', '\u{feff}']),
            2 => char::from_u32(0x80 + r.below(0xd000) as u32).unwrap_or('é'),
            3 => char::from_u32(0x1_0000 + r.below(0x1_0000) as u32).unwrap_or('😀'),
            _ => (b'a' + r.below(26) as u8) as char,
        })
        .collect()
}

fn gen_number(r: &mut Rng) -> Number {
    match r.below(8) {
        0 => Number::Int(r.next() as i64),
        1 => Number::Int(r.below(200) as i64 - 100),
        2 => Number::Int(*r.pick(&[0, 1, -1, i64::MAX, i64::MIN, 1 << 53, (1 << 53) + 1])),
        3 => Number::Float(f64::from_bits(r.next())),
        4 => Number::Float(*r.pick(&[0.5, -0.0, 1e308, -1e-308, 5e-324, 0.1, 3.0, f64::INFINITY, f64::NEG_INFINITY])),
        5 => Number::Big(
            r.pick(&["18446744073709551616", "-9223372036854775809", "1e400", "0.1", "1.5e-300", "123456789012345678901234567890.5"])
                .to_string(),
        ),
        6 => Number::Big(format!("{}.{}e{}", r.below(1000), r.below(1000), r.below(40) as i64 - 20)),
        _ => Number::Float(r.below(1000) as f64 / 8.0),
    }
}

fn gen_type(r: &mut Rng, depth: usize) -> Type {
    let leaf = depth >= 3 || r.chance(40);
    if leaf {
        return r.pick(&[Type::Bool, Type::Number, Type::String, Type::Dynamic]).clone();
    }
    match r.below(5) {
        0 => Type::List(Box::new(gen_type(r, depth + 1))),
        1 => Type::Set(Box::new(gen_type(r, depth + 1))),
        2 => Type::Map(Box::new(gen_type(r, depth + 1))),
        3 => Type::Object((0..r.below(4)).map(|_| (gen_string(r), gen_type(r, depth + 1))).collect()),
        _ => Type::Tuple((0..r.below(4)).map(|_| gen_type(r, depth + 1)).collect()),
    }
}

fn gen_refinements(r: &mut Rng, ty: &Type) -> Refinements {
    let mut ref_ = Refinements::default();
    if *ty == Type::Dynamic {
        return ref_;
    }
    ref_.not_null = r.chance(50);
    match ty {
        Type::String if r.chance(50) => ref_.string_prefix = Some(gen_string(r)).filter(|s| !s.is_empty()),
        Type::Number => {
            if r.chance(50) {
                ref_.number_min = Some((gen_number(r), r.chance(50)));
            }
            if r.chance(50) {
                ref_.number_max = Some((gen_number(r), r.chance(50)));
            }
        }
        t if t.is_collection() => {
            ref_.length_min = r.below(4) as u64;
            if r.chance(50) {
                ref_.length_max = Some(ref_.length_min + r.below(4) as u64);
            }
        }
        _ => {}
    }
    ref_
}

/// A value of type `ty` (unknowns only when `unknowns`, since JSON cannot carry them).
fn gen_value(r: &mut Rng, ty: &Type, unknowns: bool, depth: usize) -> Value {
    if r.chance(8) {
        return Value::Null;
    }
    if unknowns && r.chance(6) {
        return Value::Unknown(gen_refinements(r, ty));
    }
    let n = if depth > 3 { 0 } else { r.below(4) };
    match ty {
        Type::Bool => Value::Bool(r.chance(50)),
        Type::Number => Value::Number(gen_number(r)),
        Type::String => Value::String(gen_string(r)),
        Type::Dynamic => {
            let t = gen_type(r, 2);
            if t == Type::Dynamic {
                Value::String(gen_string(r))
            } else {
                gen_value(r, &t, false, depth + 1)
            }
        }
        Type::List(t) => Value::List((0..n).map(|_| gen_value(r, t, unknowns, depth + 1)).collect()),
        Type::Set(t) => Value::Set((0..n).map(|_| gen_value(r, t, unknowns, depth + 1)).collect()),
        Type::Map(t) => Value::Map((0..n).map(|_| (gen_string(r), gen_value(r, t, unknowns, depth + 1))).collect()),
        Type::Object(attrs) => Value::Object(attrs.iter().map(|(k, t)| (k.clone(), gen_value(r, t, unknowns, depth + 1))).collect()),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| gen_value(r, t, unknowns, depth + 1)).collect()),
    }
}

const MSGPACK_MAGIC: &[&[u8]] = &[
    &[0xc0],
    &[0xc1],
    &[0xc2],
    &[0xc3],
    &[0xd4, 0x00, 0x00],
    &[0xd4, 0x0c, 0x00],
    &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3],
    &[0xc7, 0xff, 0x0c],
    &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c],
    &[0xdc, 0xff, 0xff],
    &[0xdd, 0xff, 0xff, 0xff, 0xff],
    &[0xdf, 0xff, 0xff, 0xff, 0xff],
    &[0xdb, 0xff, 0xff, 0xff, 0xff],
    &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
    &[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0],
    &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    &[0xa3, 0xff, 0xfe, 0xfd],
    &[0x92, 0xa6, b'"', b'n', b'u', b'm', b'b', b'e'],
    &[0x91],
    &[0x81],
];

const JSON_MAGIC: &[&str] = &[
    "null",
    "true",
    "1e999",
    "-0",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "0.1e",
    "18446744073709551616",
    "{\"value\":1,\"type\":\"number\"}",
    "{\"type\":[\"list\",\"dynamic\"],\"value\":[]}",
    "[\"object\",{}]",
    "\"true\"",
    "\"5\"",
    "\u{feff}",
];

fn mutate(r: &mut Rng, input: &[u8], corpus: &[Vec<u8>], json: bool) -> Vec<u8> {
    let mut b = input.to_vec();
    let rounds = if r.chance(60) { 1 } else { 2 + r.below(3) };
    for _ in 0..rounds {
        let len = b.len();
        match r.below(9) {
            0 if len > 0 => {
                let i = r.below(len);
                b[i] ^= 1 << r.below(8);
            }
            1 if len > 0 => {
                let i = r.below(len);
                b[i] = r.next() as u8;
            }
            2 => {
                let i = r.below(len + 1);
                let magic: Vec<u8> = if json { r.pick(JSON_MAGIC).as_bytes().to_vec() } else { r.pick(MSGPACK_MAGIC).to_vec() };
                b.splice(i..i, magic);
            }
            3 if len > 0 => {
                let i = r.below(len);
                let j = (i + 1 + r.below(8)).min(len);
                b.drain(i..j);
            }
            4 => b.truncate(r.below(len + 1)),
            5 if len > 0 => {
                let i = r.below(len);
                let j = (i + 1 + r.below(16)).min(len);
                let chunk = b[i..j].to_vec();
                let k = r.below(len + 1);
                b.splice(k..k, chunk);
            }
            6 if !corpus.is_empty() => {
                let other = r.pick(corpus);
                let cut = r.below(b.len() + 1);
                let from = r.below(other.len() + 1);
                b.truncate(cut);
                b.extend_from_slice(&other[from..]);
            }
            7 => {
                let i = r.below(len + 1);
                let n = r.below(8);
                let junk = r.bytes(n);
                b.splice(i..i, junk);
            }
            _ if len > 0 => {
                // Small integer tweak: flips lengths and type tags by one.
                let i = r.below(len);
                b[i] = b[i].wrapping_add(if r.chance(50) { 1 } else { 255 });
            }
            _ => {}
        }
    }
    b
}

// ---------------------------------------------------------------------------
// Codec properties
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Debug)]
enum Codec {
    Msgpack,
    Json,
}

fn decode(c: Codec, b: &[u8], ty: &Type) -> Result<Value, String> {
    match c {
        Codec::Msgpack => decode_msgpack(b, ty),
        Codec::Json => decode_json(b, ty),
    }
    .map_err(|e| e.to_string())
}

fn encode(c: Codec, v: &Value, ty: &Type) -> Result<Vec<u8>, String> {
    match c {
        Codec::Msgpack => encode_msgpack(v, ty),
        Codec::Json => encode_json(v, ty),
    }
    .map_err(|e| e.to_string())
}

/// decode → encode → decode must give back the same value, and the encoding must be a fixpoint.
/// Returns whether the input decoded.
fn check_round_trip(c: Codec, bytes: &[u8], ty: &Type) -> Result<bool, String> {
    let Ok(v1) = decode(c, bytes, ty) else { return Ok(false) };
    for out in [Codec::Msgpack, Codec::Json] {
        // JSON (cty/json) has no unknowns and no infinities: encoding those must fail, cleanly.
        if out == Codec::Json && (!v1.is_wholly_known() || has_infinity(&v1)) {
            if encode(out, &v1, ty).is_ok() {
                return Err(format!("JSON encoding of a value with unknowns or infinities must fail: {v1:?}"));
            }
            continue;
        }
        let e1 = encode(out, &v1, ty).map_err(|e| format!("{c:?}-decoded value does not encode as {out:?}: {e}; value {v1:?}"))?;
        let v2 = decode(out, &e1, ty).map_err(|e| format!("{out:?} encoding does not decode: {e}; bytes {}; value {v1:?}", hex(&e1)))?;
        if v1 != v2 {
            return Err(format!("{out:?} round trip changed the value:\n  before {v1:?}\n  after  {v2:?}"));
        }
        let e2 = encode(out, &v2, ty).map_err(|e| format!("re-encoding failed: {e}"))?;
        if e1 != e2 {
            return Err(format!("{out:?} encoding is not stable: {} vs {}", hex(&e1), hex(&e2)));
        }
    }
    Ok(true)
}

fn has_infinity(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_infinite() && !matches!(n, Number::Big(_)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.iter().any(has_infinity),
        Value::Map(m) | Value::Object(m) => m.values().any(has_infinity),
        _ => false,
    }
}

struct Stats {
    tried: usize,
    decoded: usize,
    failures: Vec<String>,
}

impl Stats {
    fn new() -> Stats {
        Stats { tried: 0, decoded: 0, failures: Vec::new() }
    }

    fn run(&mut self, what: &str, c: Codec, bytes: &[u8], ty: &Type) {
        self.tried += 1;
        match catch_unwind(AssertUnwindSafe(|| check_round_trip(c, bytes, ty))) {
            Ok(Ok(true)) => self.decoded += 1,
            Ok(Ok(false)) => {}
            Ok(Err(e)) => self.failures.push(format!("{what} {c:?} type {ty}: {e}\n  input {}", hex(bytes))),
            Err(_) => self.failures.push(format!("{what} {c:?} type {ty}: PANIC on input {}", hex(bytes))),
        }
    }

    #[track_caller]
    fn assert_clean(&self, what: &str) {
        assert!(
            self.failures.is_empty(),
            "{what}: {} failures out of {} inputs (seed {}); first ones:\n{}",
            self.failures.len(),
            self.tried,
            seed(),
            self.failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
        );
    }
}

/// Valid encodings of random values of `ty`, for both codecs.
fn seeds(r: &mut Rng, ty: &Type, n: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut mp, mut js) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let v = gen_value(r, ty, true, 0);
        if let Ok(b) = encode_msgpack(&v, ty) {
            mp.push(b);
        }
        let v = gen_value(r, ty, false, 0);
        if let Ok(b) = encode_json(&v, ty) {
            js.push(b);
        }
    }
    (mp, js)
}

fn fuzz_type(r: &mut Rng, ty: &Type, iterations: usize, deadline: Instant, stats: &mut Stats, what: &str) {
    let (mp, js) = seeds(r, ty, 40);
    assert!(!mp.is_empty() && !js.is_empty(), "{what}: no seeds encoded for {ty}");
    // Every seed is a valid encoding: it must decode and round-trip.
    for b in &mp {
        stats.run(&format!("{what} seed"), Codec::Msgpack, b, ty);
    }
    for b in &js {
        stats.run(&format!("{what} seed"), Codec::Json, b, ty);
    }
    let decoded_seeds = stats.decoded;
    assert_eq!(decoded_seeds, stats.tried, "{what}: every valid encoding must decode: {:?}", stats.failures.first());
    for i in 0..iterations {
        if Instant::now() > deadline {
            break;
        }
        let (codec, corpus) = if i % 2 == 0 { (Codec::Msgpack, &mp) } else { (Codec::Json, &js) };
        let bytes = if r.chance(10) {
            let n = r.below(64);
            r.bytes(n)
        } else {
            let base = r.pick(corpus).clone();
            mutate(r, &base, corpus, codec == Codec::Json)
        };
        stats.run(what, codec, &bytes, ty);
    }
}

#[test]
fn codec_survives_garbage_for_both_resource_schemas() {
    let start = Instant::now();
    let deadline = start + budget(4);
    let resources = vpce::provider::resources();
    assert!(resources.len() >= 2, "the endpoint resources at least");
    let mut stats = Stats::new();
    for res in &resources {
        // A stream of its own per resource type: adding a resource does not change the inputs
        // the others get.
        let own = res.type_name().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let mut r = Rng::new(seed() ^ own);
        let ty = res.schema().ty();
        let mut s = Stats::new();
        fuzz_type(&mut r, &ty, 40_000 * scale(), deadline, &mut s, res.type_name());
        assert!(s.tried > 500, "{}: too few inputs tried ({})", res.type_name(), s.tried);
        // Mutations must keep reaching the decoder's inner paths, not only fail at byte 0.
        eprintln!("{}: {} inputs, {} decoded", res.type_name(), s.tried, s.decoded);
        assert!(s.decoded * 20 > s.tried, "{}: only {} of {} inputs decoded", res.type_name(), s.decoded, s.tried);
        stats.tried += s.tried;
        stats.decoded += s.decoded;
        stats.failures.extend(s.failures);
    }
    stats.assert_clean("resource schemas");
    eprintln!("codec (resource schemas): {} inputs, {} decoded, {:?}", stats.tried, stats.decoded, start.elapsed());
}

#[test]
fn codec_survives_garbage_for_random_types() {
    let start = Instant::now();
    let deadline = start + budget(3);
    let mut r = Rng::new(seed().wrapping_add(1));
    let mut stats = Stats::new();
    for _ in 0..300 * scale() {
        if Instant::now() > deadline {
            break;
        }
        let ty = gen_type(&mut r, 0);
        fuzz_type(&mut r, &ty, 60, deadline, &mut Stats::new(), "warmup");
        let mut s = Stats::new();
        fuzz_type(&mut r, &ty, 80, deadline, &mut s, "random type");
        stats.tried += s.tried;
        stats.decoded += s.decoded;
        stats.failures.extend(s.failures);
    }
    stats.assert_clean("random types");
    eprintln!("codec (random types): {} inputs, {} decoded, {:?}", stats.tried, stats.decoded, start.elapsed());
}

#[test]
fn codec_rejects_pathological_nesting_and_lengths() {
    let deep_types = [
        Type::Dynamic,
        Type::List(Box::new(Type::Dynamic)),
        vpce::provider::resources().iter().find(|r| r.type_name() == "vpce_interface").expect("vpce_interface").schema().ty(),
    ];
    let mut inputs: Vec<(Codec, Vec<u8>)> = vec![
        (Codec::Msgpack, vec![0x91; 100_000]),
        (Codec::Msgpack, [0x81u8, 0xa1, b'a'].repeat(30_000)),
        (Codec::Msgpack, vec![0xdd, 0xff, 0xff, 0xff, 0xff]),
        (Codec::Msgpack, vec![0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, b'a']),
        (Codec::Msgpack, vec![0xdb, 0xff, 0xff, 0xff, 0xff, b'x']),
        (Codec::Msgpack, vec![0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c, 0x80]),
        (Codec::Json, vec![b'['; 100_000]),
        (Codec::Json, "{\"a\":".repeat(30_000).into_bytes()),
        (Codec::Json, "{\"type\":\"dynamic\",\"value\":".repeat(20_000).into_bytes()),
        (Codec::Json, format!("\"{}\"", "\\u".repeat(50_000)).into_bytes()),
        (Codec::Json, "1".repeat(100_000).into_bytes()),
        (Codec::Json, format!("1e{}", "9".repeat(1000)).into_bytes()),
    ];
    // Dynamic-in-dynamic: the type JSON inside grows as deep as the value.
    let mut nested = vec![0xc0];
    for _ in 0..500 {
        let mut w = vec![0x92, 0xa9];
        w.extend_from_slice(b"\"dynamic\"");
        w.extend_from_slice(&nested);
        nested = w;
    }
    inputs.push((Codec::Msgpack, nested));
    for ty in &deep_types {
        for (c, b) in &inputs {
            let result = catch_unwind(AssertUnwindSafe(|| decode(*c, b, ty)));
            match result {
                Err(_) => panic!("{c:?} decoder panicked on a pathological input for {ty}: {}", hex(b)),
                Ok(Ok(v)) => {
                    // Only the legitimately shallow ones may decode (e.g. a long number).
                    assert!(check_round_trip(*c, b, ty).is_ok(), "{c:?} {ty}: {v:?}");
                }
                Ok(Err(_)) => {}
            }
        }
    }
    // Type JSON nested far beyond any schema.
    for deep in ["[\"list\",".repeat(50_000), "[\"object\",{\"a\":".repeat(20_000), "[\"tuple\",[".repeat(20_000)] {
        let r = catch_unwind(|| Type::from_json(deep.as_bytes()));
        assert!(matches!(r, Ok(Err(_))), "deep type JSON must be an error, not a panic or success");
    }
}

// ---------------------------------------------------------------------------
// Type::from_json
// ---------------------------------------------------------------------------

#[test]
fn type_json_survives_garbage() {
    let start = Instant::now();
    let deadline = start + budget(2);
    let mut r = Rng::new(seed().wrapping_add(2));
    let mut corpus: Vec<Vec<u8>> = vpce::provider::resources().iter().map(|res| res.schema().ty().to_json()).collect();
    let mut failures = Vec::new();
    for _ in 0..200 {
        let ty = gen_type(&mut r, 0);
        let json = ty.to_json();
        match Type::from_json(&json) {
            Ok(back) if back == ty => {}
            other => failures.push(format!("{ty} → {} → {other:?}", String::from_utf8_lossy(&json))),
        }
        corpus.push(json);
    }
    // Optional-attribute annotations are accepted and dropped.
    assert_eq!(
        Type::from_json(br#"["object",{"a":"string","b":["list","number"]},["b"]]"#).ok(),
        Some(Type::Object(BTreeMap::from([("a".to_string(), Type::String), ("b".to_string(), Type::List(Box::new(Type::Number)))])))
    );
    let mut tried = 0;
    let mut parsed = 0;
    for i in 0..20_000 * scale() {
        if Instant::now() > deadline {
            break;
        }
        let bytes = if i % 10 == 0 {
            let n = r.below(40);
            r.bytes(n)
        } else {
            let base = r.pick(&corpus).clone();
            mutate(&mut r, &base, &corpus, true)
        };
        tried += 1;
        match catch_unwind(|| Type::from_json(&bytes)) {
            Err(_) => failures.push(format!("PANIC on {:?}", String::from_utf8_lossy(&bytes))),
            Ok(Err(_)) => {}
            Ok(Ok(t)) => {
                parsed += 1;
                match Type::from_json(&t.to_json()) {
                    Ok(back) if back == t => {}
                    other => failures.push(format!("{:?} → {t} → {other:?}", String::from_utf8_lossy(&bytes))),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures; first: {:#?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(tried > 1000 && parsed > 50, "tried {tried}, parsed {parsed}");
    eprintln!("type JSON: {tried} inputs, {parsed} parsed, {:?}", start.elapsed());
}

// ---------------------------------------------------------------------------
// The provider service, in-process
// ---------------------------------------------------------------------------

fn dv(r: &mut Rng, ty: &Type, corpus: &(Vec<Vec<u8>>, Vec<Vec<u8>>)) -> Option<pb::DynamicValue> {
    let choice = r.below(8);
    dv_of(r, ty, corpus, choice)
}

/// Mostly well-typed values, so that more calls get past decoding into the resource code.
fn dv_typed(r: &mut Rng, ty: &Type, corpus: &(Vec<Vec<u8>>, Vec<Vec<u8>>)) -> Option<pb::DynamicValue> {
    let choice = if r.chance(70) { 6 + r.below(2) } else { r.below(8) };
    dv_of(r, ty, corpus, choice)
}

fn dv_of(r: &mut Rng, ty: &Type, corpus: &(Vec<Vec<u8>>, Vec<Vec<u8>>), choice: usize) -> Option<pb::DynamicValue> {
    Some(match choice {
        0 => return None,
        1 => {
            let n = r.below(40) + 1;
            pb::DynamicValue { msgpack: r.bytes(n), json: vec![] }
        }
        2 => {
            let n = r.below(40) + 1;
            pb::DynamicValue { msgpack: vec![], json: r.bytes(n) }
        }
        3 => pb::DynamicValue { msgpack: vec![], json: vec![] },
        4 => {
            let base = r.pick(&corpus.0).clone();
            pb::DynamicValue { msgpack: mutate(r, &base, &corpus.0, false), json: vec![] }
        }
        5 => {
            let base = r.pick(&corpus.1).clone();
            pb::DynamicValue { msgpack: vec![], json: mutate(r, &base, &corpus.1, true) }
        }
        // Well-typed but arbitrary values (unknowns, nulls, odd strings) reach the resource code.
        6 => pb::DynamicValue { msgpack: encode_msgpack(&gen_value(r, ty, true, 0), ty).unwrap_or_default(), json: vec![] },
        _ => pb::DynamicValue { msgpack: vec![], json: encode_json(&gen_value(r, ty, false, 0), ty).unwrap_or_default() },
    })
}

/// Whether the provider can decode this DynamicValue (mirrors provider.rs: msgpack wins, empty is null).
fn decodes(d: &Option<pb::DynamicValue>, ty: &Type) -> bool {
    match d {
        Some(d) if !d.msgpack.is_empty() => decode_msgpack(&d.msgpack, ty).is_ok(),
        Some(d) if !d.json.is_empty() => decode_json(&d.json, ty).is_ok(),
        _ => true,
    }
}

fn has_error(diags: &[pb::Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == pb::diagnostic::Severity::Error as i32 && !d.summary.is_empty())
}

fn test_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for (k, v) in [("AWS_ACCESS_KEY_ID", "fuzz"), ("AWS_SECRET_ACCESS_KEY", "fuzz"), ("AWS_EC2_METADATA_DISABLED", "true")] {
            std::env::set_var(k, v);
        }
        for k in ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
            std::env::remove_var(k);
        }
        // An empty config so no user profile is read.
        let empty = std::env::temp_dir().join("vpce-fuzz-empty-aws-config");
        let _ = std::fs::write(&empty, "");
        std::env::set_var("AWS_CONFIG_FILE", &empty);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &empty);
    });
}

/// A stand-in EC2 endpoint that refuses everything with a non-retryable EC2 error, so resource
/// code runs its AWS paths instantly and offline.
async fn refusing_ec2() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the headers and the body announced by Content-Length.
                loop {
                    let Ok(n) = s.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>fuzz: refused</Message></Error></Errors><RequestID>fuzz</RequestID></Response>";
                let resp = format!(
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn provider_config(endpoint: &str) -> pb::DynamicValue {
    let ty = vpce::provider::provider_schema().ty();
    let v = Value::object([
        ("region", Value::string("us-east-1")),
        ("max_retries", Value::number(1i64)),
        ("endpoints", Value::object([("ec2", Value::string(endpoint))])),
    ]);
    pb::DynamicValue { msgpack: encode_msgpack(&v, &ty).expect("provider config"), json: vec![] }
}

/// Runs one provider call: it must not panic, must not time out and must not return a status.
macro_rules! call {
    ($failures:expr, $what:expr, $fut:expr) => {{
        match tokio::time::timeout(Duration::from_secs(5), AssertUnwindSafe($fut).catch_unwind()).await {
            Err(_) => {
                $failures.push(format!("{}: no answer within 5s", $what));
                None
            }
            Ok(Err(_)) => {
                $failures.push(format!("{}: PANIC", $what));
                None
            }
            Ok(Ok(Err(status))) => {
                $failures.push(format!("{}: error status {status:?}", $what));
                None
            }
            Ok(Ok(Ok(resp))) => Some(resp.into_inner()),
        }
    }};
}

/// What a hammer run saw: failures, and how many calls reached resource code and EC2.
#[derive(Default)]
struct Hammered {
    failures: Vec<String>,
    plans_reaching_resource: usize,
    aws_errors_seen: usize,
}

async fn hammer(provider: std::sync::Arc<vpce::provider::ProviderServer>, seed: u64, rounds: usize, configured: bool) -> Hammered {
    let mut r = Rng::new(seed);
    let mut failures = Vec::new();
    let (mut plans_reaching_resource, mut aws_errors_seen) = (0, 0);
    let saw_aws = |diags: &[pb::Diagnostic]| {
        usize::from(diags.iter().any(|d| d.detail.contains("fuzz: refused") || d.summary.contains("fuzz: refused")))
    };
    let resources = vpce::provider::resources();
    let corpora: Vec<_> = resources.iter().map(|res| seeds(&mut r, &res.schema().ty(), 20)).collect();
    for round in 0..rounds {
        let i = r.below(resources.len());
        let (res, corpus) = (&resources[i], &corpora[i]);
        let ty = res.schema().ty();
        let type_name = if r.chance(5) { "vpce_nope".to_string() } else { res.type_name().to_string() };
        let known = type_name == res.type_name();
        let tag =
            |m: &str, inputs: &dyn std::fmt::Debug| format!("{m} on {type_name} (round {round}, configured {configured}) with {inputs:?}");

        let typed = configured && r.chance(50);
        let pick = |r: &mut Rng| if typed { dv_typed(r, &ty, corpus) } else { dv(r, &ty, corpus) };
        let config = pick(&mut r);
        let what = tag("ValidateResourceConfig", &config);
        if let Some(resp) = call!(
            failures,
            what,
            provider.validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: type_name.clone(),
                config: config.clone(),
                ..Default::default()
            }))
        ) {
            if (!known || !decodes(&config, &ty)) && !has_error(&resp.diagnostics) {
                failures.push(format!("{what}: undecodable input but no error diagnostic"));
            }
        }

        let (prior, proposed) = (pick(&mut r), pick(&mut r));
        let what = tag("PlanResourceChange", &(&prior, &proposed, &config));
        if let Some(resp) = call!(
            failures,
            what,
            provider.plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.clone(),
                prior_state: prior.clone(),
                proposed_new_state: proposed.clone(),
                config: config.clone(),
                prior_private: {
                    let n = r.below(8);
                    r.bytes(n)
                },
                ..Default::default()
            }))
        ) {
            let all_decode = known && decodes(&prior, &ty) && decodes(&proposed, &ty) && decodes(&config, &ty);
            let proposed_null = match &proposed {
                Some(d) if !d.msgpack.is_empty() => decode_msgpack(&d.msgpack, &ty).map(|v| v.is_null()).unwrap_or(false),
                Some(d) if !d.json.is_empty() => decode_json(&d.json, &ty).map(|v| v.is_null()).unwrap_or(false),
                _ => true,
            };
            if all_decode && configured && !proposed_null {
                plans_reaching_resource += 1;
            }
            aws_errors_seen += saw_aws(&resp.diagnostics);
            if !all_decode && !has_error(&resp.diagnostics) {
                failures.push(format!("{what}: undecodable input but no error diagnostic"));
            }
            if !has_error(&resp.diagnostics) {
                match resp.planned_state.as_ref().map(|p| decode_msgpack(&p.msgpack, &ty)) {
                    Some(Ok(_)) => {}
                    other => failures.push(format!("{what}: no error, but the planned state is not a valid {ty}: {other:?}")),
                }
            }
        }

        let state = pick(&mut r);
        let what = tag("ReadResource", &state);
        if let Some(resp) = call!(
            failures,
            what,
            provider.read_resource(Request::new(pb::read_resource::Request {
                type_name: type_name.clone(),
                current_state: state.clone(),
                private: {
                    let n = r.below(8);
                    r.bytes(n)
                },
                ..Default::default()
            }))
        ) {
            if (!known || !decodes(&state, &ty) || !configured) && !has_error(&resp.diagnostics) {
                failures.push(format!("{what}: expected an error diagnostic"));
            }
            aws_errors_seen += saw_aws(&resp.diagnostics);
        }

        let (prior, planned) = (pick(&mut r), pick(&mut r));
        let what = tag("ApplyResourceChange", &(&prior, &planned));
        if let Some(resp) = call!(
            failures,
            what,
            provider.apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: type_name.clone(),
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                config: config.clone(),
                ..Default::default()
            }))
        ) {
            if (!known || !configured) && !has_error(&resp.diagnostics) {
                failures.push(format!("{what}: expected an error diagnostic"));
            }
            aws_errors_seen += saw_aws(&resp.diagnostics);
        }

        // RawState JSON: garbage, mutated JSON states, states with unknown attributes, flatmap.
        let raw_json = match r.below(5) {
            0 => {
                let n = r.below(30);
                r.bytes(n)
            }
            1 => {
                let base = r.pick(&corpus.1).clone();
                mutate(&mut r, &base, &corpus.1, true)
            }
            2 => br#"{"id":"vpce-1","bogus_attribute_from_the_future":{"x":[1,2]},"tags":{"a":1}}"#.to_vec(),
            3 => br#"{"id":["not","a","string"],"vpc_id":{"nested":true}}"#.to_vec(),
            _ => r.pick(&corpus.1).clone(),
        };
        let raw = pb::RawState {
            json: raw_json.clone(),
            flatmap: if r.chance(20) { [("id".to_string(), "x".to_string())].into() } else { Default::default() },
        };
        let what = tag("UpgradeResourceState", &String::from_utf8_lossy(&raw_json));
        if let Some(resp) = call!(
            failures,
            what,
            provider.upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: type_name.clone(),
                version: r.below(3) as i64,
                raw_state: Some(raw),
            }))
        ) {
            match (&resp.upgraded_state, has_error(&resp.diagnostics)) {
                (_, true) => {}
                (Some(s), false) => {
                    if decode_msgpack(&s.msgpack, &ty).is_err() {
                        failures.push(format!("{what}: upgraded state does not decode"));
                    }
                }
                (None, false) => failures.push(format!("{what}: neither a state nor an error")),
            }
        }

        let id = match r.below(4) {
            0 => String::new(),
            1 => gen_string(&mut r),
            2 => "vpce-0123456789abcdef0".to_string(),
            _ => format!("vpce-{}", gen_string(&mut r)),
        };
        let what = tag("ImportResourceState", &id);
        if let Some(resp) = call!(
            failures,
            what,
            provider.import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.clone(),
                id: id.clone(),
                ..Default::default()
            }))
        ) {
            if !has_error(&resp.diagnostics) && resp.imported_resources.is_empty() {
                failures.push(format!("{what}: neither imported resources nor an error"));
            }
            if !configured && !has_error(&resp.diagnostics) {
                failures.push(format!("{what}: unconfigured import must be an error"));
            }
            aws_errors_seen += saw_aws(&resp.diagnostics);
        }
    }
    Hammered { failures, plans_reaching_resource, aws_errors_seen }
}

#[test]
fn provider_service_answers_garbage_with_diagnostics() {
    test_env();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let start = Instant::now();
    let failures = rt.block_on(async {
        let mut failures = Vec::new();

        // The provider configuration itself, garbage in.
        let pty = vpce::provider::provider_schema().ty();
        let mut r = Rng::new(seed().wrapping_add(3));
        let pcorpus = seeds(&mut r, &pty, 20);
        for round in 0..150 {
            let p = vpce::provider::ProviderServer::new();
            let config = dv(&mut r, &pty, &pcorpus);
            let what = format!("ValidateProviderConfig (round {round}) with {config:?}");
            if let Some(resp) = call!(
                failures,
                what,
                p.validate_provider_config(Request::new(pb::validate_provider_config::Request { config: config.clone() }))
            ) {
                if !decodes(&config, &pty) && !has_error(&resp.diagnostics) {
                    failures.push(format!("{what}: undecodable but no error"));
                }
            }
            if round % 5 == 0 {
                let what = format!("ConfigureProvider (round {round}) with {config:?}");
                if let Some(resp) = call!(
                    failures,
                    what,
                    p.configure_provider(Request::new(pb::configure_provider::Request {
                        terraform_version: gen_string(&mut r),
                        config: config.clone(),
                        ..Default::default()
                    }))
                ) {
                    if !decodes(&config, &pty) && !has_error(&resp.diagnostics) {
                        failures.push(format!("{what}: undecodable but no error"));
                    }
                }
            }
        }

        // Unconfigured: everything must still be a diagnostic.
        let unconfigured = std::sync::Arc::new(vpce::provider::ProviderServer::new());
        let h = hammer(unconfigured, seed().wrapping_add(4), 250 * scale(), false).await;
        assert_eq!(h.aws_errors_seen, 0, "an unconfigured provider cannot have called EC2");
        failures.extend(h.failures);

        // Configured against an EC2 that refuses every call: the resource code runs on garbage.
        let endpoint = refusing_ec2().await;
        let configured = std::sync::Arc::new(vpce::provider::ProviderServer::new());
        let resp = configured
            .configure_provider(Request::new(pb::configure_provider::Request {
                config: Some(provider_config(&endpoint)),
                ..Default::default()
            }))
            .await
            .expect("configure")
            .into_inner();
        assert!(!has_error(&resp.diagnostics), "{:?}", resp.diagnostics);
        let tasks: Vec<_> =
            (0..4).map(|i| tokio::spawn(hammer(configured.clone(), seed().wrapping_add(10 + i), 40 * scale(), true))).collect();
        let (mut reached, mut aws) = (0, 0);
        for t in tasks {
            match t.await {
                Ok(h) => {
                    failures.extend(h.failures);
                    reached += h.plans_reaching_resource;
                    aws += h.aws_errors_seen;
                }
                Err(e) => failures.push(format!("hammer task failed: {e}")),
            }
        }
        eprintln!("configured provider: {reached} plans reached resource code, {aws} answers carried the EC2 error");
        assert!(reached >= 25, "too few plans reached the resources ({reached})");
        assert!(aws >= 10, "too few calls reached (refusing) EC2 ({aws})");
        failures
    });
    assert!(
        failures.is_empty(),
        "{} provider failures (seed {}); first ones:\n{}",
        failures.len(),
        seed(),
        failures.iter().take(6).map(|f| f.chars().take(1500).collect::<String>()).collect::<Vec<_>>().join("\n\n")
    );
    eprintln!("provider service: {:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(20), "too slow: {:?}", start.elapsed());
}
