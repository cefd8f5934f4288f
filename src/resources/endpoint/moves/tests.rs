use aws_sdk_ec2::types::{self as ec2, VpcEndpoint};
use serde_json::json;

use super::*;
use crate::protocol::model::Model;
use crate::protocol::resource::PlanRequest;
use crate::protocol::schema::Nesting;
use crate::resources::endpoint::plan_values;
use crate::resources::gateway::Gateway;
use crate::resources::gateway::GatewayModel;
use crate::resources::gateway_load_balancer::{GatewayLoadBalancer, GatewayLoadBalancerModel};
use crate::resources::interface::Interface;
use crate::resources::interface::InterfaceModel;
use crate::resources::lattice::resource::ResourceEndpoint;
use crate::resources::lattice::service_network::ServiceNetworkEndpoint;

const REGION: &str = "us-east-1";
const AWS: &str = "registry.terraform.io/hashicorp/aws";
const POLICY: &str = r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2012-10-17"}"#;

fn request(state: Json) -> MoveRequest {
    MoveRequest {
        source_provider_address: AWS.to_string(),
        source_type_name: AWS_VPC_ENDPOINT.to_string(),
        source_state: state,
        ..Default::default()
    }
}

/// A gateway endpoint as aws provider 3.39 stores it.
fn v3_gateway() -> Json {
    json!({
        "arn": "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1b2c3d4e5f60718",
        "auto_accept": null,
        "cidr_blocks": ["54.231.0.0/17", "52.216.0.0/15"],
        "dns_entry": [],
        "id": "vpce-0a1b2c3d4e5f60718",
        "network_interface_ids": [],
        "owner_id": "123456789012",
        "policy": POLICY,
        "prefix_list_id": "pl-63a5400a",
        "private_dns_enabled": false,
        "requester_managed": false,
        "route_table_ids": ["rtb-0b", "rtb-0a"],
        "security_group_ids": [],
        "service_name": "com.amazonaws.us-east-1.s3",
        "state": "available",
        "subnet_ids": [],
        "tags": {"Name": "s3", "Team": "net"},
        "tags_all": {"Name": "s3", "Team": "net"},
        "timeouts": null,
        "vpc_endpoint_type": "Gateway",
        "vpc_id": "vpc-0123"
    })
}

/// An interface endpoint as aws provider 3.39 stores it.
fn v3_interface() -> Json {
    json!({
        "arn": "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0c",
        "auto_accept": true,
        "cidr_blocks": [],
        "dns_entry": [
            {"dns_name": "vpce-0c-abc.ssm.us-east-1.vpce.amazonaws.com", "hosted_zone_id": "Z7HUB22UULQXV"},
            {"dns_name": "ssm.us-east-1.amazonaws.com", "hosted_zone_id": "ZONEPRIVATE"}
        ],
        "id": "vpce-0c",
        "network_interface_ids": ["eni-2", "eni-1"],
        "owner_id": "123456789012",
        "policy": "{\"Statement\":[{\"Action\":\"*\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"*\"}]}",
        "prefix_list_id": null,
        "private_dns_enabled": true,
        "requester_managed": false,
        "route_table_ids": [],
        "security_group_ids": ["sg-1"],
        "service_name": "com.amazonaws.us-east-1.ssm",
        "state": "available",
        "subnet_ids": ["subnet-b", "subnet-a"],
        "tags": null,
        "tags_all": {},
        "timeouts": {"create": "20m", "delete": null, "update": null},
        "vpc_endpoint_type": "Interface",
        "vpc_id": "vpc-0123"
    })
}

fn with(mut state: Json, changes: Json) -> Json {
    for (k, v) in changes.as_object().unwrap() {
        state[k] = v.clone();
    }
    state
}

fn gateway_of(state: Json) -> GatewayModel {
    convert(&Gateway::new(), &request(state)).unwrap_or_else(|d| panic!("{:?}", d.0))
}

fn interface_of(state: Json) -> InterfaceModel {
    convert(&Interface::new(), &request(state)).unwrap_or_else(|d| panic!("{:?}", d.0))
}

fn refused<E: Endpoint>(e: &E, req: MoveRequest) -> String {
    match convert(e, &req) {
        Ok(_) => panic!("the move was accepted"),
        Err(d) => d.0.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect::<Vec<_>>().join("\n"),
    }
}

fn has_attr<E: Endpoint>(e: &E, name: &str) -> bool {
    Endpoint::schema(e).block.attributes.iter().any(|a| a.name == name)
}

/// The `tags` a move gives for these `tags` and `tags_all`: the configured ones where the target
/// has `tags_all` too, else all.
fn tags_for<E: Endpoint>(e: &E, tags: &[(&str, &str)], all: &[(&str, &str)]) -> Value {
    Value::map_of_strings(if has_attr(e, "tags_all") { tags } else { all }.iter().copied())
}

#[test]
fn tags_and_tags_all() {
    let state = with(v3_gateway(), json!({"tags": {"Name": "s3"}, "tags_all": {"Name": "s3", "Team": "net"}}));
    let moved = move_state(&Gateway::new(), &request(state.clone())).state;
    assert_eq!(moved.get("tags"), &tags_for(&Gateway::new(), &[("Name", "s3")], &[("Name", "s3"), ("Team", "net")]));
    if has_attr(&Gateway::new(), "tags_all") {
        assert_eq!(moved.get("tags_all"), &Value::map_of_strings([("Name", "s3"), ("Team", "net")]));
    }
    // Older states without tags_all: the tags.
    let old = with(state, json!({"tags_all": null}));
    assert_eq!(gateway_of(old).tags.to_value(), Value::map_of_strings([("Name", "s3")]));
}

fn set(items: &[&str]) -> Value {
    Value::set_of_strings(items.iter().copied())
}

#[test]
fn v3_gateway_converts_and_reads_back_unchanged() {
    let g = gateway_of(v3_gateway());
    assert_eq!(g.id.as_str(), Some("vpce-0a1b2c3d4e5f60718"));
    assert_eq!(g.route_table_ids.to_value(), set(&["rtb-0a", "rtb-0b"]));
    assert_eq!(g.policy.as_str(), Some(POLICY));
    assert_eq!(g.tags.to_value(), Value::map_of_strings([("Name", "s3"), ("Team", "net")]));
    assert_eq!(g.cidr_blocks.to_value(), Value::List(vec![Value::string("54.231.0.0/17"), Value::string("52.216.0.0/15")]));
    assert_eq!((g.prefix_list_id.as_str(), g.owner_id.as_str()), (Some("pl-63a5400a"), Some("123456789012")));
    assert!(g.ip_address_type.is_null() && g.dns_options.is_null() && g.timeouts.is_null(), "3.x has none of these");
    // What the refresh makes of it, from the same endpoint as EC2 describes it: the same state.
    let tag = |k: &str, v: &str| ec2::Tag::builder().key(k).value(v).build();
    let ep = VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-0a1b2c3d4e5f60718")
        .vpc_endpoint_type(ec2::VpcEndpointType::Gateway)
        .vpc_id("vpc-0123")
        .service_name("com.amazonaws.us-east-1.s3")
        .state(ec2::State::Available)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .route_table_ids("rtb-0a")
        .route_table_ids("rtb-0b")
        .owner_id("123456789012")
        .requester_managed(false)
        .tags(tag("Name", "s3"))
        .tags(tag("Team", "net"))
        .build();
    let moved = move_state(&Gateway::new(), &request(v3_gateway())).state;
    let base = GatewayModel::decode(&moved).expect("the schema's shape").expect("a state");
    let read = Gateway::new().state_from_endpoint(REGION, &base, &ep);
    assert_eq!(read.to_value(), moved);
    // And the configuration the user writes for it plans no change.
    let config = Value::object([
        ("vpc_id", Value::string("vpc-0123")),
        ("service_name", Value::string("com.amazonaws.us-east-1.s3")),
        ("route_table_ids", set(&["rtb-0a", "rtb-0b"])),
        (
            "policy",
            Value::string(
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            ),
        ),
        ("tags", Value::map_of_strings([("Name", "s3"), ("Team", "net")])),
    ]);
    assert_no_change(&Gateway::new(), &read.to_value(), &config);
}

#[test]
fn v3_interface_converts_and_reads_back_unchanged() {
    let i = interface_of(v3_interface());
    assert_eq!(i.subnet_ids.to_value(), set(&["subnet-a", "subnet-b"]));
    assert_eq!(i.security_group_ids.to_value(), set(&["sg-1"]));
    assert_eq!(i.network_interface_ids.to_value(), set(&["eni-1", "eni-2"]));
    assert_eq!(i.private_dns_enabled.as_bool(), Some(true));
    assert_eq!(i.tags.to_value(), Value::Map(Default::default()), "null tags: empty, as our read gives");
    assert_eq!(i.dns_entry.known().map(|l| l.0.len()), Some(2));
    let t = i.timeouts.known().expect("the timeouts block");
    assert_eq!((t.create.as_str(), t.update.as_str(), t.delete.as_str()), (Some("20m"), None, None));
    let entry = |name: &str, zone: &str| ec2::DnsEntry::builder().dns_name(name).hosted_zone_id(zone).build();
    let ep = VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-0c")
        .vpc_endpoint_type(ec2::VpcEndpointType::Interface)
        .vpc_id("vpc-0123")
        .service_name("com.amazonaws.us-east-1.ssm")
        .state(ec2::State::Available)
        .policy_document(r#"{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}"#)
        .subnet_ids("subnet-a")
        .subnet_ids("subnet-b")
        .groups(ec2::SecurityGroupIdentifier::builder().group_id("sg-1").build())
        .private_dns_enabled(true)
        .dns_entries(entry("vpce-0c-abc.ssm.us-east-1.vpce.amazonaws.com", "Z7HUB22UULQXV"))
        .dns_entries(entry("ssm.us-east-1.amazonaws.com", "ZONEPRIVATE"))
        .network_interface_ids("eni-1")
        .network_interface_ids("eni-2")
        .owner_id("123456789012")
        .requester_managed(false)
        .build();
    let moved = move_state(&Interface::new(), &request(v3_interface())).state;
    let base = InterfaceModel::decode(&moved).expect("the schema's shape").expect("a state");
    let read = Interface::new().state_from_endpoint(REGION, &base, &ep);
    assert_eq!(read.to_value(), moved);
    let mut config = vec![
        ("vpc_id", Value::string("vpc-0123")),
        ("service_name", Value::string("com.amazonaws.us-east-1.ssm")),
        ("subnet_ids", set(&["subnet-a", "subnet-b"])),
        ("security_group_ids", set(&["sg-1"])),
        ("private_dns_enabled", Value::Bool(true)),
        ("timeouts", Value::object([("create", Value::string("20m")), ("update", Value::Null), ("delete", Value::Null)])),
    ];
    if has_attr(&Interface::new(), "auto_accept") {
        config.push(("auto_accept", Value::Bool(true)));
    }
    let config = Value::object(config);
    assert_no_change(&Interface::new(), &read.to_value(), &config);
}

/// Plans `config` against `prior` as Terraform proposes it (the configuration, computed
/// attributes it leaves null from the prior state) and asserts the plan is the prior state.
fn assert_no_change<E: Endpoint>(e: &E, prior: &Value, config: &Value) {
    let block = &Endpoint::schema(e).block;
    let mut cfg = BTreeMap::new();
    let mut proposed = BTreeMap::new();
    for a in &block.attributes {
        let c = config.get(a.name).clone();
        let p = if c.is_null() && a.computed { prior.get(a.name).clone() } else { c.clone() };
        cfg.insert(a.name.to_string(), c);
        proposed.insert(a.name.to_string(), p);
    }
    for b in &block.blocks {
        // Terraform gives absent list and set blocks as empty collections, a single one as null.
        let c = match (config.get(b.name), &b.nesting) {
            (Value::Null, Nesting::List) => Value::List(vec![]),
            (Value::Null, Nesting::Set) => Value::Set(vec![]),
            (c, _) => c.clone(),
        };
        cfg.insert(b.name.to_string(), c.clone());
        proposed.insert(b.name.to_string(), c);
    }
    let req =
        PlanRequest { prior: prior.clone(), proposed: Value::Object(proposed), config: Value::Object(cfg), prior_private: Vec::new() };
    let mut diags = Diagnostics::new();
    let planned = plan_values(e, REGION, &req, &mut diags).expect("a plan");
    assert!(!diags.has_errors(), "{:?}", diags.0);
    assert!(planned.replace.is_empty(), "no replacement: {:?}", planned.replace);
    assert_eq!(&planned.planned.to_value(), prior, "the plan changes nothing");
}

#[test]
fn v4_and_v5_shapes() {
    // 4.x: ip_address_type and dns_options (list of one); EC2's own choice makes no block.
    let v4 = with(v3_gateway(), json!({"ip_address_type": "ipv4", "dns_options": [{"dns_record_ip_type": "service-defined"}]}));
    let g = gateway_of(v4.clone());
    assert_eq!(g.ip_address_type.as_str(), Some("ipv4"));
    assert!(g.dns_options.is_null());
    let g = gateway_of(with(v4, json!({"ip_address_type": "dualstack", "dns_options": [{"dns_record_ip_type": "ipv4"}]})));
    assert_eq!(g.dns_options.known().and_then(|d| d.dns_record_ip_type.as_str()), Some("ipv4"), "a record type of the user's");
    let i =
        interface_of(with(v3_interface(), json!({"ip_address_type": "dualstack", "dns_options": [{"dns_record_ip_type": "dualstack"}]})));
    assert_eq!(i.ip_address_type.as_str(), Some("dualstack"));
    assert!(i.dns_options.is_null());
    // 5.x: the inbound-resolver flag (S3 interface endpoints).
    let v5 = with(
        v3_interface(),
        json!({
            "service_name": "com.amazonaws.us-east-1.s3",
            "ip_address_type": "ipv4",
            "dns_options": [{"dns_record_ip_type": "ipv4", "private_dns_only_for_inbound_resolver_endpoint": true}]
        }),
    );
    let d = interface_of(v5).dns_options.into_known().expect("the block");
    assert_eq!(d.private_dns_only_for_inbound_resolver_endpoint.as_bool(), Some(true));
    assert_eq!(d.dns_record_ip_type.as_str(), Some("ipv4"));
    assert!(d.private_dns_preference.is_null() && d.private_dns_specified_domains.is_null());
}

#[test]
fn v6_shape() {
    let v6 = with(
        v3_interface(),
        json!({
            "region": "us-east-1",
            "service_region": "us-east-1",
            "resource_configuration_arn": "",
            "service_network_arn": "",
            "ip_address_type": "ipv4",
            "subnet_configuration": [{"ipv4": "10.0.1.5", "ipv6": "", "subnet_id": "subnet-a"}],
            "dns_options": [{
                "dns_record_ip_type": "ipv4",
                "private_dns_only_for_inbound_resolver_endpoint": false,
                "private_dns_preference": "",
                "private_dns_specified_domains": []
            }],
            "tags": {"env": "prod"},
            "tags_all": {"env": "prod", "owner": "net"}
        }),
    );
    let i = interface_of(v6.clone());
    assert!(i.dns_options.is_null(), "nothing of the user's in the block");
    assert_eq!(i.tags.to_value(), tags_for(&Interface::new(), &[("env", "prod")], &[("env", "prod"), ("owner", "net")]));
    let ty = Endpoint::schema(&Interface::new()).ty();
    let state = move_state(&Interface::new(), &request(v6.clone())).state;
    crate::protocol::server::encode(&state, &ty).expect("a value of the schema's type");
    // A private DNS preference always makes the block (the configuration naming it replaces
    // an endpoint whose state lacks it).
    let chosen = with(
        v6,
        json!({"dns_options": [{
            "dns_record_ip_type": "ipv4",
            "private_dns_only_for_inbound_resolver_endpoint": false,
            "private_dns_preference": "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS",
            "private_dns_specified_domains": ["b.example.com", "a.example.com"]
        }]}),
    );
    let d = interface_of(chosen).dns_options.into_known().expect("the block");
    assert_eq!(d.private_dns_preference.as_str(), Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"));
    assert_eq!(d.private_dns_specified_domains.to_value(), set(&["a.example.com", "b.example.com"]));
    assert_eq!(d.private_dns_only_for_inbound_resolver_endpoint.as_bool(), Some(false));
}

#[test]
fn the_type_decides_the_target() {
    // GovCloud: no type stored means Gateway.
    for kind in [json!(""), json!(null)] {
        let state = with(v3_gateway(), json!({"vpc_endpoint_type": kind}));
        assert!(gateway_of(state.clone()).id.is_known());
        let msg = refused(&Interface::new(), request(state));
        assert!(
            msg.starts_with(
                "Wrong target type: vpce-0a1b2c3d4e5f60718 is a Gateway endpoint, which is a vpce_gateway resource, not a vpce_interface"
            ),
            "{msg}"
        );
    }
    let msg = refused(&Gateway::new(), request(v3_interface()));
    assert!(msg.contains("is an Interface endpoint, which is a vpce_interface resource, not a vpce_gateway"), "{msg}");
    let gwlb = with(v3_interface(), json!({"vpc_endpoint_type": "GatewayLoadBalancer"}));
    let msg = refused(&Interface::new(), request(gwlb));
    assert!(
        msg.contains("vpce-0c is a GatewayLoadBalancer endpoint, which is a vpce_gateway_load_balancer resource, not a vpce_interface"),
        "{msg}"
    );
    let msg = refused(&GatewayLoadBalancer::new(), request(v3_gateway()));
    assert!(msg.contains("is a Gateway endpoint, which is a vpce_gateway resource, not a vpce_gateway_load_balancer"), "{msg}");
    for (kind, target) in [("Resource", "vpce_resource"), ("ServiceNetwork", "vpce_service_network")] {
        let msg = refused(&Interface::new(), request(with(v3_interface(), json!({"vpc_endpoint_type": kind}))));
        assert!(msg.contains(&format!("vpce-0c is a {kind} endpoint, which is a {target} resource, not a vpce_interface")), "{msg}");
    }
    // A type EC2 may add later: refused.
    let msg = refused(&Interface::new(), request(with(v3_interface(), json!({"vpc_endpoint_type": "Future"}))));
    assert!(msg.starts_with("Endpoint type not supported: vpce-0c is a Future endpoint"), "{msg}");
    assert!(msg.contains("Keep it in aws_vpc_endpoint"), "{msg}");
}

#[test]
fn other_sources_are_refused() {
    let mut req = request(v3_gateway());
    req.source_type_name = "aws_vpc_endpoint_route_table_association".into();
    let msg = refused(&Gateway::new(), req);
    assert_eq!(
        msg,
        "Cannot move this resource type: vpce_gateway can be moved to only from hashicorp/aws's aws_vpc_endpoint, not from aws_vpc_endpoint_route_table_association (hashicorp/aws). Import the endpoint instead: terraform import vpce_gateway.s3 vpce-..."
    );
    let mut req = request(v3_gateway());
    req.source_provider_address = "registry.terraform.io/someone/aws".into();
    assert!(refused(&Gateway::new(), req).contains("not from aws_vpc_endpoint (someone/aws)"));
    // OpenTofu's registry address is the same provider.
    let mut req = request(v3_gateway());
    req.source_provider_address = "registry.opentofu.org/hashicorp/aws".into();
    assert!(convert(&Gateway::new(), &req).is_ok());
    // Older OpenTofu releases send the implied provider's bare name.
    let mut req = request(v3_gateway());
    req.source_provider_address = "aws".into();
    assert!(convert(&Gateway::new(), &req).is_ok());

    for id in [json!(""), json!(null), json!("vpce-svc-1")] {
        assert!(refused(&Gateway::new(), request(with(v3_gateway(), json!({"id": id})))).starts_with("Cannot move the endpoint"));
    }
    assert!(refused(&Gateway::new(), request(json!([1]))).starts_with("Cannot move the endpoint"));
}

#[test]
fn missing_attributes_are_left_to_the_refresh() {
    let minimal = json!({"id": "vpce-1", "vpc_id": "vpc-1", "service_name": "com.amazonaws.us-east-1.s3", "owner_id": "123456789012"});
    assert!(gateway_of(minimal.clone()).arn.is_null(), "no region known: no ARN");
    let g = gateway_of(with(minimal, json!({"region": "eu-west-1"})));
    assert_eq!(g.arn.as_str(), Some("arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-1"), "an ARN when the state has none");
    assert_eq!(g.route_table_ids.to_value(), Value::Set(vec![]));
    assert!(g.policy.is_null() && g.state.is_null() && g.requester_managed.is_null());
    let ty = Endpoint::schema(&Gateway::new()).ty();
    crate::protocol::server::encode(&g.to_value(), &ty).expect("a value of the schema's type");
}

#[test]
fn attributes_of_the_same_name_are_carried_over_where_the_target_has_them() {
    let source = with(
        v3_interface(),
        json!({
            "tags_all": {"env": "prod"},
            "auto_accept": true,
            "service_region": "us-west-2",
            "subnet_configuration": [{"ipv4": "10.0.1.5", "ipv6": "", "subnet_id": "subnet-a"}, {"subnet_id": ""}]
        }),
    );
    let mut state = Value::object([
        ("id", Value::string("vpce-0c")),
        ("tags_all", Value::Null),
        ("auto_accept", Value::Null),
        ("service_region", Value::Null),
        ("subnet_configuration", Value::Null),
    ]);
    carry_over(&mut state, &source);
    assert_eq!(state.get("tags_all"), &Value::map_of_strings([("env", "prod")]));
    assert_eq!(state.get("auto_accept"), &Value::Bool(true));
    assert_eq!(state.get("service_region"), &Value::string("us-west-2"));
    let block = Value::object([("subnet_id", Value::string("subnet-a")), ("ipv4", Value::string("10.0.1.5")), ("ipv6", Value::Null)]);
    assert_eq!(state.get("subnet_configuration"), &Value::Set(vec![block]));
    // Nothing is added to a target without those attributes, and a value the conversion set stays.
    let mut plain = Value::object([("id", Value::string("vpce-0c")), ("auto_accept", Value::Bool(false))]);
    carry_over(&mut plain, &source);
    assert_eq!(plain, Value::object([("id", Value::string("vpce-0c")), ("auto_accept", Value::Bool(false))]));
}

/// A Gateway Load Balancer endpoint as aws provider 6.x stores it (hand-written after the 6.x
/// schema: `region`, the Lattice ARNs empty, `dns_options` as EC2 reports it for this type).
fn v6_gateway_load_balancer() -> Json {
    json!({
        "arn": "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0g",
        "auto_accept": true,
        "cidr_blocks": [],
        "dns_entry": [],
        "dns_options": [],
        "id": "vpce-0g",
        "ip_address_type": "ipv4",
        "network_interface_ids": ["eni-9"],
        "owner_id": "123456789012",
        "policy": "",
        "prefix_list_id": null,
        "private_dns_enabled": false,
        "region": "us-east-1",
        "requester_managed": false,
        "resource_configuration_arn": "",
        "route_table_ids": [],
        "security_group_ids": [],
        "service_name": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
        "service_network_arn": "",
        "service_region": "us-east-1",
        "state": "available",
        "subnet_configuration": [],
        "subnet_ids": ["subnet-a"],
        "tags": {"Name": "inspection"},
        "tags_all": {"Name": "inspection"},
        "timeouts": {"create": "15m", "delete": null, "update": null},
        "vpc_endpoint_type": "GatewayLoadBalancer",
        "vpc_id": "vpc-0123"
    })
}

#[test]
fn v6_gateway_load_balancer_converts_and_reads_back_unchanged() {
    let e = GatewayLoadBalancer::new();
    let state = move_state(&e, &request(v6_gateway_load_balancer())).state;
    let ty = Endpoint::schema(&e).ty();
    crate::protocol::server::encode(&state, &ty).expect("a value of the schema's type");
    let m = GatewayLoadBalancerModel::decode(&state).expect("the schema's shape").expect("a state");
    assert_eq!(m.subnet_ids.to_value(), set(&["subnet-a"]));
    assert_eq!(m.network_interface_ids.to_value(), set(&["eni-9"]));
    assert_eq!(m.tags.to_value(), Value::map_of_strings([("Name", "inspection")]));
    assert_eq!(m.tags_all.to_value(), Value::map_of_strings([("Name", "inspection")]), "carried over");
    assert_eq!(m.auto_accept.as_bool(), Some(true), "carried over");
    assert_eq!(m.ip_address_type.as_str(), Some("ipv4"));
    // What the refresh makes of it: the same state.
    let ep = VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-0g")
        .vpc_endpoint_type(ec2::VpcEndpointType::GatewayLoadBalancer)
        .vpc_id("vpc-0123")
        .service_name("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0")
        .state(ec2::State::Available)
        .subnet_ids("subnet-a")
        .network_interface_ids("eni-9")
        .ip_address_type(ec2::IpAddressType::Ipv4)
        .owner_id("123456789012")
        .requester_managed(false)
        .tags(ec2::Tag::builder().key("Name").value("inspection").build())
        .build();
    let read = e.state_from_endpoint(REGION, &m, &ep);
    assert_eq!(read.to_value(), state);
    // And the configuration that made it plans no change.
    let config = Value::object([
        ("vpc_id", Value::string("vpc-0123")),
        ("service_name", Value::string("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0")),
        ("subnet_ids", set(&["subnet-a"])),
        ("tags", Value::map_of_strings([("Name", "inspection")])),
        ("auto_accept", Value::Bool(true)),
        ("timeouts", Value::object([("create", Value::string("15m")), ("update", Value::Null), ("delete", Value::Null)])),
    ]);
    assert_no_change(&e, &state, &config);
}

#[test]
fn v3_gateway_load_balancer_shape() {
    // 3.x: no ip_address_type, tags_all or dns_options; the policy empty.
    let v3 = with(
        v6_gateway_load_balancer(),
        json!({"ip_address_type": null, "dns_options": null, "region": null, "service_region": null, "tags_all": null, "subnet_configuration": null}),
    );
    let m = convert(&GatewayLoadBalancer::new(), &request(v3)).unwrap_or_else(|d| panic!("{:?}", d.0));
    assert_eq!(m.id.as_str(), Some("vpce-0g"));
    assert_eq!(m.arn.as_str(), Some("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0g"));
    assert!(m.ip_address_type.is_null(), "left to the refresh");
    assert_eq!(m.tags.to_value(), Value::map_of_strings([("Name", "inspection")]));
}

/// A Resource endpoint as aws provider 6.x stores it (hand-written after the 6.x schema and the
/// provider's acceptance tests: no service name, `IPV4` in capitals, the preference and `["*"]`).
fn v6_resource() -> Json {
    json!({
        "arn": "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0r",
        "auto_accept": null,
        "cidr_blocks": [],
        "dns_entry": [],
        "dns_options": [{
            "dns_record_ip_type": "ipv4",
            "private_dns_only_for_inbound_resolver_endpoint": false,
            "private_dns_preference": "VERIFIED_DOMAINS_ONLY",
            "private_dns_specified_domains": ["*"]
        }],
        "id": "vpce-0r",
        "ip_address_type": "IPV4",
        "network_interface_ids": ["eni-1"],
        "owner_id": "123456789012",
        "policy": "",
        "prefix_list_id": null,
        "private_dns_enabled": true,
        "region": "us-east-1",
        "requester_managed": false,
        "resource_configuration_arn": "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg",
        "route_table_ids": [],
        "security_group_ids": ["sg-1"],
        "service_name": "",
        "service_network_arn": "",
        "service_region": "",
        "state": "available",
        "subnet_configuration": [],
        "subnet_ids": ["subnet-a"],
        "tags": {"Name": "db"},
        "tags_all": {"Name": "db"},
        "timeouts": null,
        "vpc_endpoint_type": "Resource",
        "vpc_id": "vpc-0123"
    })
}

#[test]
fn v6_resource_and_service_network_convert_and_plan_no_change() {
    let e = ResourceEndpoint::new();
    let state = move_state(&e, &request(v6_resource())).state;
    crate::protocol::server::encode(&state, &Endpoint::schema(&e).ty()).expect("a value of the schema's type");
    assert_eq!(
        state.get("resource_configuration_arn"),
        &Value::string("arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg")
    );
    assert_eq!(state.get("ip_address_type"), &Value::string("ipv4"));
    assert_eq!(state.get("dns_options").get("private_dns_preference"), &Value::string("VERIFIED_DOMAINS_ONLY"));
    assert_eq!(state.get("tags_all"), &Value::map_of_strings([("Name", "db")]));
    let config = Value::object([
        ("vpc_id", Value::string("vpc-0123")),
        (
            "resource_configuration_arn",
            Value::string("arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg"),
        ),
        ("subnet_ids", set(&["subnet-a"])),
        ("security_group_ids", set(&["sg-1"])),
        ("private_dns_enabled", Value::Bool(true)),
        ("tags", Value::map_of_strings([("Name", "db")])),
        ("dns_options", Value::object([("private_dns_preference", Value::string("VERIFIED_DOMAINS_ONLY"))])),
    ]);
    assert_no_change(&e, &state, &config);

    // The same endpoint of type ServiceNetwork: the other ARN, no DNS options of the user's.
    let sn = with(
        v6_resource(),
        json!({
            "vpc_endpoint_type": "ServiceNetwork",
            "resource_configuration_arn": "",
            "service_network_arn": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg",
            "private_dns_enabled": false,
            "network_interface_ids": [],
            "dns_options": [{"dns_record_ip_type": "ipv4", "private_dns_only_for_inbound_resolver_endpoint": false, "private_dns_preference": "", "private_dns_specified_domains": []}]
        }),
    );
    let e = ServiceNetworkEndpoint::new();
    let state = move_state(&e, &request(sn.clone())).state;
    assert_eq!(
        state.get("service_network_arn"),
        &Value::string("arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg")
    );
    assert!(state.get("dns_options").is_null(), "nothing of the user's in the block");
    let config = Value::object([
        ("vpc_id", Value::string("vpc-0123")),
        ("service_network_arn", Value::string("arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg")),
        ("subnet_ids", set(&["subnet-a"])),
        ("security_group_ids", set(&["sg-1"])),
        ("tags", Value::map_of_strings([("Name", "db")])),
    ]);
    assert_no_change(&e, &state, &config);
    // Moved to the other Lattice type: refused, naming the right one.
    let msg = refused(&ResourceEndpoint::new(), request(sn));
    assert!(msg.contains("is a ServiceNetwork endpoint, which is a vpce_service_network resource, not a vpce_resource"), "{msg}");
}
