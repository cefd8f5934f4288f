//! Unit tests of the codecs (moved from the single values.rs).

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
    assert_eq!(encode_msgpack(&Value::object([("a", Value::string("x"))]), &ty).unwrap(), [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
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
        (Value::Tuple(vec![Value::string("a"), Value::from(1), Value::Null]), Type::Tuple(vec![Type::String, Type::Number, Type::Bool])),
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
        0x82, 0xa5, b'i', b't', b'e', b'm', b's', 0x92, 0x81, 0xa1, b'b', 0xc3, 0x81, 0xa1, b'b', 0xa2, b'n', b'o', 0xa4, b't', b'a', b'g',
        b's', 0x80,
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
        Type::Map(t) => Value::Map(many(rng, t).into_iter().enumerate().map(|(i, v)| (["k", "", "é", "x y"][i].to_string(), v)).collect()),
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
        0xc0, 0xc2, 0xc3, 0xd4, 0xc7, 0x0c, 0x00, 0x92, 0x9f, 0x81, 0x8f, 0xa1, 0xbf, 0xdc, 0xdd, 0xde, 0xdf, 0xca, 0xcb, 0xcf, 0xd3, 0xc4,
        0xd9, 0xff,
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
