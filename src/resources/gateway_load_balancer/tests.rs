use aws_sdk_ec2::types::{self as ec2, VpcEndpoint};

use super::*;
use crate::protocol::values::Value;

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.0.iter().map(|x| x.summary.clone()).collect()
}

fn model(v: Value) -> GatewayLoadBalancerModel {
    GatewayLoadBalancerModel::decode(&v).unwrap().unwrap()
}

const SERVICE: &str = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";

#[test]
fn schema_has_no_policy_groups_or_private_dns() {
    let b = GatewayLoadBalancer::new().schema.block;
    let names: Vec<&str> = b.attributes.iter().map(|a| a.name).collect();
    assert_eq!(
        names,
        [
            "id",
            "arn",
            "vpc_id",
            "service_name",
            "subnet_ids",
            "ip_address_type",
            "tags",
            "tags_all",
            "state",
            "network_interface_ids",
            "owner_id",
            "requester_managed",
            "auto_accept"
        ]
    );
    let forced: Vec<&str> = b.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
    assert_eq!(forced, ["vpc_id", "service_name"]);
    let subnets = b.attributes.iter().find(|a| a.name == "subnet_ids").unwrap();
    assert!(subnets.required, "EC2 needs the subnet");
    let blocks: Vec<&str> = b.blocks.iter().map(|b| b.name).collect();
    assert_eq!(blocks, ["timeouts"]);
    // No policy: the core neither plans nor sends one.
    let m = GatewayLoadBalancerModel::default();
    assert!(crate::resources::endpoint::EndpointModel::policy(&m).is_none());
}

#[test]
fn static_validation() {
    let cfg = |extra: Vec<(&str, Value)>| {
        let mut attrs = vec![
            ("vpc_id", Value::string("vpc-1")),
            ("service_name", Value::string(SERVICE)),
            ("subnet_ids", Value::set_of_strings(["subnet-1"])),
        ];
        attrs.extend(extra);
        model(Value::object(attrs))
    };
    assert!(validate(&cfg(vec![])).is_empty());
    let two = cfg(vec![("subnet_ids", Value::set_of_strings(["subnet-1", "subnet-2"]))]);
    let d = validate(&two);
    assert_eq!(summaries(&d), ["Exactly one subnet"]);
    assert!(d.0[0].detail.contains("subnet_ids has 2 (subnet-1, subnet-2)"), "{}", d.0[0].detail);
    assert_eq!(summaries(&validate(&cfg(vec![("subnet_ids", Value::Set(vec![]))]))), ["Exactly one subnet"]);
    // An unknown subnet is not judged, nor a set with an unknown element.
    assert!(validate(&cfg(vec![("subnet_ids", Value::unknown())])).is_empty());
    assert!(validate(&cfg(vec![("subnet_ids", Value::Set(vec![Value::string("subnet-1"), Value::unknown()]))])).is_empty());
    let bad = cfg(vec![("vpc_id", Value::string("subnet-1")), ("subnet_ids", Value::set_of_strings(["sg-1"]))]);
    assert_eq!(summaries(&validate(&bad)), ["Invalid VPC ID", "Invalid subnet ID"]);
    let d = validate(&cfg(vec![("service_name", Value::string("vpce-svc-0123456789abcdef0"))]));
    assert_eq!(summaries(&d), ["Full service name needed"]);
    assert!(d.0[0].detail.contains("com.amazonaws.vpce.REGION.vpce-svc-0123456789abcdef0"), "{}", d.0[0].detail);
    assert_eq!(summaries(&validate(&cfg(vec![("service_name", Value::string(" "))]))), ["Invalid service name"]);
    let bad =
        cfg(vec![("tags", Value::map_of_strings([("aws:x", "1")])), ("timeouts", Value::object([("create", Value::string("soon"))]))]);
    assert_eq!(summaries(&validate(&bad)), ["Invalid tag key", "Invalid timeout"]);
}

fn endpoint() -> VpcEndpoint {
    VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-1")
        .vpc_endpoint_type(ec2::VpcEndpointType::GatewayLoadBalancer)
        .vpc_id("vpc-1")
        .service_name(SERVICE)
        .state(ec2::State::PendingAcceptance)
        .subnet_ids("subnet-1")
        .network_interface_ids("eni-1")
        .ip_address_type(ec2::IpAddressType::Ipv4)
        .owner_id("123456789012")
        .tags(ec2::Tag::builder().key("Name").value("x").build())
        .build()
}

#[test]
fn state_from_the_endpoint() {
    let base = model(Value::object([("auto_accept", Value::Bool(true)), ("timeouts", Value::object([("create", Value::string("20m"))]))]));
    let s = state_from_endpoint("us-east-1", &base, &endpoint());
    assert_eq!(s.id.as_str(), Some("vpce-1"));
    assert_eq!(s.arn.as_str(), Some("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
    assert_eq!(s.service_name.as_str(), Some(SERVICE));
    assert_eq!(s.subnet_ids.to_value(), Value::set_of_strings(["subnet-1"]));
    assert_eq!(s.network_interface_ids.to_value(), Value::set_of_strings(["eni-1"]));
    assert_eq!(s.ip_address_type.as_str(), Some("ipv4"));
    assert_eq!(s.state.as_str(), Some("pendingAcceptance"));
    assert_eq!(s.tags.to_value(), Value::map_of_strings([("Name", "x")]));
    assert_eq!(s.auto_accept.as_bool(), Some(true), "never read: the configuration's");
    assert!(s.timeouts.is_known() && !s.timeouts.is_null());
}

#[test]
fn network_changes_and_acceptance_make_the_plan_unknown() {
    let prior = state_from_endpoint("us-east-1", &GatewayLoadBalancerModel::default(), &endpoint());
    let g = GatewayLoadBalancer::new();
    let mut planned = prior.clone();
    g.complete_plan(Some(&prior), &mut planned, &prior, false);
    assert_eq!(planned, prior, "nothing changes");
    planned.subnet_ids = Val::Known(string_set(&["subnet-2".to_string()]));
    g.complete_plan(Some(&prior), &mut planned, &prior, false);
    assert!(planned.network_interface_ids.is_unknown() && planned.state.is_unknown());
    let mut accept = prior.clone();
    accept.auto_accept = Val::Known(true);
    g.complete_plan(Some(&prior), &mut accept, &prior, false);
    assert!(accept.state.is_unknown() && accept.network_interface_ids.is_known(), "the waiting endpoint gets accepted");
}

#[tokio::test]
async fn a_subnet_change_is_one_exchange() {
    let prior = state_from_endpoint("us-east-1", &GatewayLoadBalancerModel::default(), &endpoint());
    let mut planned = prior.clone();
    planned.subnet_ids = Val::Known(string_set(&["subnet-2".to_string()]));
    planned.ip_address_type = Val::Known("dualstack".into());
    let cfg = aws::Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some("http://127.0.0.1:9".into()), ..Default::default() };
    let ctx = Ctx::new(aws::connect(cfg).await.unwrap(), tokio_util::sync::CancellationToken::new());
    let mut diags = Diagnostics::new();
    let spec = GatewayLoadBalancer::new().modify_spec(&ctx, &prior, &planned, &mut diags).await.unwrap();
    assert_eq!(spec.add_subnet_ids, ["subnet-2"]);
    assert_eq!(spec.remove_subnet_ids, ["subnet-1"]);
    assert_eq!(spec.ip_address_type.as_deref(), Some("dualstack"));
    assert!(spec.policy.is_none() && spec.private_dns_enabled.is_none() && spec.add_security_group_ids.is_empty());
    let same = GatewayLoadBalancer::new().modify_spec(&ctx, &prior, &prior, &mut diags).await.unwrap();
    assert!(same.is_empty());
}
