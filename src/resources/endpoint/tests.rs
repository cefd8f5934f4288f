use super::identity::{EndpointIdentity, IDENTITY};
use super::lifecycle::is_endpoint_id;
use super::*;
use crate::protocol::resource::Identity;

#[test]
fn identity_from_state() {
    let state = Value::object([
        ("id", Value::string("vpce-1")),
        ("arn", Value::string("arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-1")),
        ("owner_id", Value::string("123456789012")),
    ]);
    let expected = Value::object([
        ("id", Value::string("vpce-1")),
        ("region", Value::string("eu-west-1")),
        ("account_id", Value::string("123456789012")),
    ]);
    assert_eq!(IDENTITY.of(&state), expected);
    let planned = Value::object([("id", Value::unknown()), ("arn", Value::unknown()), ("owner_id", Value::unknown())]);
    assert!(!IDENTITY.of(&planned).is_wholly_known());
    assert_eq!(IDENTITY.import_id(&expected).as_deref(), Some("vpce-1"));
    let ep = VpcEndpoint::builder().vpc_endpoint_id("vpce-1").owner_id("123456789012").build();
    assert_eq!(EndpointIdentity::of_endpoint("eu-west-1", &ep), expected);
}

#[test]
fn words() {
    assert_eq!(capitalized("gateway endpoint"), "Gateway endpoint");
    assert_eq!((article("interface endpoint"), article("Gateway")), ("an", "a"));
    assert!(is_endpoint_id("vpce-0123") && !is_endpoint_id("vpce-svc-0123") && !is_endpoint_id("rtb-1"));
}
