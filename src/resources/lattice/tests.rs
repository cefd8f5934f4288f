use aws_sdk_ec2::types::{self as ec2, VpcEndpoint};

use super::resource::{ResourceEndpoint, ResourceKind, ResourceModel};
use super::service_network::{ServiceNetworkEndpoint, ServiceNetworkKind};
use super::*;
use crate::protocol::values::Value;

const RC: &str = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg";

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.0.iter().map(|x| x.summary.clone()).collect()
}

fn model(v: Value) -> ResourceModel {
    ResourceModel::decode(&v).unwrap().unwrap()
}

#[test]
fn schemas_differ_only_in_the_target() {
    let names = |s: &Schema| s.block.attributes.iter().map(|a| a.name).collect::<Vec<_>>();
    let (r, n) = (ResourceEndpoint::new(), ServiceNetworkEndpoint::new());
    let (r, n) = (names(Endpoint::schema(&r)), names(Endpoint::schema(&n)));
    assert_eq!(r.iter().position(|a| *a == "resource_configuration_arn"), n.iter().position(|a| *a == "service_network_arn"));
    assert!(!r.contains(&"policy") && !r.contains(&"service_name") && !r.contains(&"auto_accept"));
    // Everything but the tags is force-new.
    let schema = Endpoint::schema(&ResourceEndpoint::new()).block.clone();
    let forced: Vec<&str> = schema.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
    assert_eq!(
        forced,
        ["vpc_id", "resource_configuration_arn", "subnet_ids", "security_group_ids", "private_dns_enabled", "ip_address_type"]
    );
}

#[test]
fn static_validation() {
    let cfg = |extra: Vec<(&str, Value)>| {
        let mut attrs = vec![("vpc_id", Value::string("vpc-1")), ("resource_configuration_arn", Value::string(RC))];
        attrs.extend(extra);
        model(Value::object(attrs))
    };
    let check = |m: &ResourceModel| validate::<ResourceKind>(m.view());
    assert!(check(&cfg(vec![])).is_empty());
    let sn = "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg";
    assert_eq!(summaries(&check(&cfg(vec![("resource_configuration_arn", Value::string(sn))]))), ["Invalid resource configuration ARN"]);
    assert!(check_target_arn::<ServiceNetworkKind>(sn).is_ok());
    assert!(check_target_arn::<ResourceKind>("rcfg-0123").is_err());
    assert!(check_target_arn::<ResourceKind>("arn:aws:ec2:us-east-1:123456789012:resourceconfiguration/rcfg-1").is_err());
    assert_eq!(summaries(&check(&cfg(vec![("security_group_ids", Value::Set(vec![]))]))), ["Empty security_group_ids"]);
    let dns = |p: &str, domains: Option<Vec<&str>>| {
        let mut block = vec![("private_dns_preference", Value::string(p))];
        if let Some(d) = domains {
            block.push(("private_dns_specified_domains", Value::set_of_strings(d)));
        }
        ("dns_options", Value::object(block))
    };
    let on = ("private_dns_enabled", Value::Bool(true));
    assert!(check(&cfg(vec![on.clone(), dns("ALL_DOMAINS", None)])).is_empty());
    assert_eq!(summaries(&check(&cfg(vec![dns("ALL_DOMAINS", None)]))), ["Private DNS is off"]);
    assert_eq!(summaries(&check(&cfg(vec![on.clone(), dns("SPECIFIED_DOMAINS_ONLY", None)]))), ["Missing private_dns_specified_domains"]);
    assert_eq!(
        summaries(&check(&cfg(vec![on.clone(), dns("ALL_DOMAINS", Some(vec!["a.example.com"]))]))),
        ["Unexpected private_dns_specified_domains"]
    );
}

#[test]
fn replacements() {
    let e = ResourceEndpoint::new();
    let prior = model(Value::object([
        ("private_dns_enabled", Value::Bool(true)),
        ("dns_options", Value::object([("private_dns_preference", Value::string("ALL_DOMAINS"))])),
    ]));
    // Private DNS left unset means off.
    assert_eq!(e.replacements(&prior, &model(Value::object(Vec::<(&str, Value)>::new()))), vec![attr_path(&["private_dns_enabled"])]);
    let config = model(Value::object([
        ("private_dns_enabled", Value::Bool(true)),
        ("dns_options", Value::object([("private_dns_preference", Value::string("VERIFIED_DOMAINS_ONLY"))])),
    ]));
    assert_eq!(e.replacements(&prior, &config), vec![attr_path(&["dns_options", "private_dns_preference"])]);
    assert!(e.replacements(&prior, &prior).is_empty());
}

#[test]
fn state_from_the_endpoint() {
    let ep = VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-1")
        .vpc_endpoint_type(ec2::VpcEndpointType::Resource)
        .vpc_id("vpc-1")
        .resource_configuration_arn(RC)
        .state(ec2::State::Available)
        .subnet_ids("subnet-1")
        .network_interface_ids("eni-1")
        .groups(ec2::SecurityGroupIdentifier::builder().group_id("sg-1").build())
        .ip_address_type(ec2::IpAddressType::from("IPV4"))
        .private_dns_enabled(false)
        .owner_id("123456789012")
        .dns_options(ec2::DnsOptions::builder().private_dns_preference("VERIFIED_DOMAINS_ONLY").private_dns_specified_domains("*").build())
        .build();
    let s = state_from_endpoint::<ResourceKind>("us-east-1", &ResourceModel::default(), &ep);
    assert_eq!(s.resource_configuration_arn.as_str(), Some(RC));
    assert_eq!(s.ip_address_type.as_str(), Some("ipv4"));
    assert_eq!(s.security_group_ids.to_value(), Value::set_of_strings(["sg-1"]));
    assert!(s.dns_options.is_null(), "no block configured: none in the state");
    let imported = state_from_endpoint::<ResourceKind>("us-east-1", &ResourceEndpoint::new().import_base(&ep), &ep);
    let d = imported.dns_options.known().expect("an import reads a set preference into the block");
    assert_eq!(d.private_dns_preference.as_str(), Some("VERIFIED_DOMAINS_ONLY"));
    assert_eq!(d.private_dns_specified_domains.to_value(), Value::set_of_strings(["*"]));
}
