//! `moved` from hashicorp/aws `aws_vpc_endpoint` to `vpce_gateway` / `vpce_interface` /
//! `vpce_gateway_load_balancer`, with real
//! Terraform (>= 1.8: cross-provider moves) and the real terraform-provider-aws 3.39.0
//! (scripts/aws-provider.sh, fetched by scripts/setup.sh into .tools/), both against moto behind
//! the recording proxy (scripts/ec2proxy.py): the endpoints the AWS provider created move into
//! our resources without replacement and without a single EC2 write, and what cannot move is
//! refused with a diagnostic naming what to do.

mod common;

use std::collections::BTreeMap;

use common::faultproxy::FaultProxy;
use common::{actions, awsprovider, hcl_list, rt, sorted_strings, Tf, REGION};

/// A Terraform directory where both providers are dev overrides (ours and the AWS provider), and
/// a Terraform that can move resources across providers.
fn tf_with_aws() -> Tf {
    let tf = awsprovider::tf_with_both();
    let version = tf.run(&["version", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&version.stdout).expect("version json");
    let tf_version = v["terraform_version"].as_str().unwrap_or_default().to_string();
    let parts: Vec<u32> = tf_version.split('.').take(2).filter_map(|p| p.parse().ok()).collect();
    assert!(parts.as_slice() >= [1, 8].as_slice(), "cross-provider moves need Terraform >= 1.8, the harness has {tf_version}");
    tf
}

const POLICY: &str = r#"jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:ListBucket"]
      Resource  = "*"
    }]
  })"#;

#[test]
fn endpoints_move_from_the_aws_provider_without_replacement_or_writes() {
    let rt = rt();
    let client = rt.block_on(common::ec2());
    let vpc = rt.block_on(common::vpc(&client, common::VpcOpts { subnets: 2, route_tables: 2, security_groups: 1, ..Default::default() }));
    let proxy = FaultProxy::start(&[]);
    let tf = tf_with_aws();
    let (rts, subnets, sg) =
        (hcl_list(&vpc.route_tables), vpc.subnets.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), &vpc.security_groups[0]);
    let one_subnet = hcl_list(&subnets[..1]);
    let subnets = hcl_list(&subnets);

    // 1. The AWS provider creates a gateway (route tables, policy, tags) and two interface
    //    endpoints (subnets, a security group, private DNS on; the VPC's default group, private DNS
    //    off). (aws 3.39 insists on a group for interface endpoints; our configuration then leaves
    //    the default group unsaid.)
    let aws_config = format!(
        r#"{providers}
resource "aws_vpc_endpoint" "s3" {{
  vpc_id            = "{vpc}"
  service_name      = "com.amazonaws.{REGION}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = {rts}
  policy            = {POLICY}
  tags = {{
    Name = "s3"
    Team = "net"
  }}
}}

resource "aws_vpc_endpoint" "ssm" {{
  vpc_id              = "{vpc}"
  service_name        = "com.amazonaws.{REGION}.ssm"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = {subnets}
  security_group_ids  = ["{sg}"]
  private_dns_enabled = true
  tags = {{
    Name = "ssm"
  }}
}}

resource "aws_vpc_endpoint" "ec2" {{
  vpc_id             = "{vpc}"
  service_name       = "com.amazonaws.{REGION}.ec2"
  vpc_endpoint_type  = "Interface"
  subnet_ids         = {one_subnet}
  security_group_ids = ["{default_sg}"]
}}
"#,
        providers = awsprovider::provider_blocks(&proxy.url(), true),
        vpc = vpc.id,
        default_sg = vpc.default_security_group,
    );
    tf.write_raw(&aws_config);
    tf.apply().ok();
    let id = |address: &str| tf.resource(address)["id"].as_str().unwrap_or_else(|| panic!("no id for {address}")).to_string();
    let (s3, ssm, ec2) = (id("aws_vpc_endpoint.s3"), id("aws_vpc_endpoint.ssm"), id("aws_vpc_endpoint.ec2"));
    assert!(!proxy.writes().is_empty(), "the AWS provider's apply went through the proxy");

    // 2. The same endpoints as our resources, with `moved` blocks: the plan shows the moves only.
    let ours = format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id          = "{vpc}"
  service_name    = "com.amazonaws.{REGION}.s3"
  route_table_ids = {rts}
  policy          = {POLICY}
  tags = {{
    Name = "s3"
    Team = "net"
  }}
}}

resource "vpce_interface" "ssm" {{
  vpc_id              = "{vpc}"
  service_name        = "com.amazonaws.{REGION}.ssm"
  subnet_ids          = {subnets}
  security_group_ids  = ["{sg}"]
  private_dns_enabled = true
  tags = {{
    Name = "ssm"
  }}
}}

resource "vpce_interface" "ec2" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.{REGION}.ec2"
  subnet_ids   = {one_subnet}
}}
"#,
        vpc = vpc.id,
    );
    let moves = r#"
moved {
  from = aws_vpc_endpoint.s3
  to   = vpce_gateway.s3
}

moved {
  from = aws_vpc_endpoint.ssm
  to   = vpce_interface.ssm
}

moved {
  from = aws_vpc_endpoint.ec2
  to   = vpce_interface.ec2
}
"#;
    tf.write_raw(&format!("{}{ours}{moves}", awsprovider::provider_blocks(&proxy.url(), true)));
    let plan = tf.run(&["plan", "-no-color", "-input=false"]).ok();
    for (from, to) in [
        ("aws_vpc_endpoint.s3", "vpce_gateway.s3"),
        ("aws_vpc_endpoint.ssm", "vpce_interface.ssm"),
        ("aws_vpc_endpoint.ec2", "vpce_interface.ec2"),
    ] {
        assert!(plan.stdout.contains(&format!("# {from} has moved to {to}")), "{}", plan.stdout);
    }
    assert!(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    let changes = tf.plan_changes();
    for (address, previous) in [
        ("vpce_gateway.s3", "aws_vpc_endpoint.s3"),
        ("vpce_interface.ssm", "aws_vpc_endpoint.ssm"),
        ("vpce_interface.ec2", "aws_vpc_endpoint.ec2"),
    ] {
        assert_eq!(actions(&changes, address), ["no-op"], "{address}: {changes:#?}");
        let change = changes.iter().find(|c| c["address"] == address).expect("the change");
        assert_eq!(change["previous_address"], previous);
    }
    common::no_warnings(&plan);
    assert_eq!(proxy.writes(), BTreeMap::new(), "planning the moves wrote nothing to EC2");

    // 3. Apply: the state now holds our resources, the same endpoints.
    let applied = tf.apply().ok();
    assert!(applied.stdout.contains("0 added, 0 changed, 0 destroyed"), "{}", applied.stdout);
    let g = tf.resource("vpce_gateway.s3");
    assert_eq!(g["id"], s3.as_str());
    assert_eq!(sorted_strings(&g["route_table_ids"]), common::sorted(vpc.route_tables.clone()));
    assert_eq!(g["tags"], serde_json::json!({"Name": "s3", "Team": "net"}));
    let policy: serde_json::Value = serde_json::from_str(g["policy"].as_str().expect("a policy")).expect("policy JSON");
    assert_eq!(policy["Statement"][0]["Action"], serde_json::json!(["s3:GetObject", "s3:ListBucket"]));
    let i = tf.resource("vpce_interface.ssm");
    assert_eq!((i["id"].as_str(), i["private_dns_enabled"].as_bool()), (Some(ssm.as_str()), Some(true)));
    assert_eq!(sorted_strings(&i["security_group_ids"]), vec![sg.clone()]);
    let e = tf.resource("vpce_interface.ec2");
    assert_eq!((e["id"].as_str(), e["private_dns_enabled"].as_bool()), (Some(ec2.as_str()), Some(false)));
    assert_eq!(sorted_strings(&e["security_group_ids"]), vec![vpc.default_security_group.clone()], "the VPC's default group");
    assert!(tf.resource("aws_vpc_endpoint.s3").is_null());

    // 4. Without the moved blocks and without the AWS provider: our own plan is empty.
    tf.write_raw(&format!("{}{ours}", awsprovider::provider_blocks(&proxy.url(), false)));
    let plan = tf.plan();
    assert_eq!(plan.code, 0, "no changes after the move:\n{}", plan.all());
    assert_eq!(proxy.writes(), BTreeMap::new(), "applying the moves and planning wrote nothing to EC2");
    for id in [&s3, &ssm, &ec2] {
        assert!(rt.block_on(common::endpoint(&client, id)).is_some(), "{id} still exists");
    }
    assert_eq!(rt.block_on(common::endpoints_in_vpc(&client, &vpc.id)).len(), 3, "no endpoint was created or replaced");

    // Ours manages them now: destroying deletes the very endpoints the AWS provider created.
    tf.destroy().ok();
    assert!(rt.block_on(common::endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

#[test]
fn moves_of_the_wrong_type_are_refused_with_the_right_target() {
    let rt = rt();
    let client = rt.block_on(common::ec2());
    let vpc = rt.block_on(common::vpc(&client, common::VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..Default::default() }));
    let proxy = FaultProxy::start(&[]);
    let tf = tf_with_aws();
    let subnet = &vpc.subnets[0].id;
    let aws = format!(
        r#"
resource "aws_vpc_endpoint" "x" {{
  vpc_id             = "{vpc}"
  service_name       = "com.amazonaws.{REGION}.ssm"
  vpc_endpoint_type  = "Interface"
  subnet_ids         = ["{subnet}"]
  security_group_ids = ["{sg}"]
}}
"#,
        vpc = vpc.id,
        sg = vpc.default_security_group,
    );
    tf.write_raw(&format!("{}{aws}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.apply().ok();
    let id = tf.resource("aws_vpc_endpoint.x")["id"].as_str().expect("id").to_string();
    proxy.reset_stats();

    // An interface endpoint moved to vpce_gateway: refused, naming vpce_interface.
    let to_gateway = format!(
        r#"
resource "vpce_gateway" "x" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.{REGION}.ssm"
}}

moved {{
  from = aws_vpc_endpoint.x
  to   = vpce_gateway.x
}}
"#,
        vpc = vpc.id
    );
    tf.write_raw(&format!("{}{to_gateway}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.plan().fails_with(&[
        "Wrong target type",
        &format!("{id} is an Interface endpoint, which is a vpce_interface resource, not a vpce_gateway"),
    ]);

    // An endpoint type we do not manage (the stored state says a type EC2 may add later): refused.
    let state_file = tf.path().join("terraform.tfstate");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).expect("state file")).expect("state JSON");
    state["serial"] = serde_json::json!(state["serial"].as_i64().unwrap_or(0) + 1);
    let resources = state["resources"].as_array_mut().expect("resources");
    let r = resources.iter_mut().find(|r| r["type"] == "aws_vpc_endpoint").expect("the aws resource");
    r["instances"][0]["attributes"]["vpc_endpoint_type"] = serde_json::json!("Future");
    std::fs::write(&state_file, serde_json::to_string_pretty(&state).expect("state")).expect("write state");
    let to_interface = format!(
        r#"
resource "vpce_interface" "x" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.{REGION}.ssm"
  subnet_ids   = ["{subnet}"]
}}

moved {{
  from = aws_vpc_endpoint.x
  to   = vpce_interface.x
}}
"#,
        vpc = vpc.id
    );
    tf.write_raw(&format!("{}{to_interface}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.plan().fails_with(&[
        "Endpoint type not supported",
        &format!("{id} is a Future endpoint; this provider manages Gateway (vpce_gateway), Interface (vpce_interface), Gateway Load Balancer (vpce_gateway_load_balancer), Resource (vpce_resource) and ServiceNetwork (vpce_service_network) endpoints only"),
    ]);
    assert_eq!(proxy.writes(), BTreeMap::new(), "refused moves wrote nothing");
    assert!(rt.block_on(common::endpoint(&client, &id)).is_some());

    // The AWS provider still owns it: it deletes it.
    tf.write_raw(&format!("{}{aws}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.destroy().ok();
    assert!(rt.block_on(common::endpoint(&client, &id)).is_none());
}

/// A Gateway Load Balancer endpoint made by the AWS provider 3.39.0 moves into
/// vpce_gateway_load_balancer: no replacement, no EC2 write, and ours then manages it.
#[test]
fn a_gateway_load_balancer_endpoint_moves_from_the_aws_provider() {
    let rt = rt();
    let client = rt.block_on(common::ec2());
    let vpc = rt.block_on(common::vpc(&client, common::VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..Default::default() }));
    let subnet = vpc.subnets[0].id.clone();
    let service = common::gwlb_service(std::slice::from_ref(&subnet), false);
    let proxy = FaultProxy::start(&[]);
    let tf = tf_with_aws();
    let aws = format!(
        r#"
resource "aws_vpc_endpoint" "fw" {{
  vpc_id            = "{vpc}"
  service_name      = "{service}"
  vpc_endpoint_type = "GatewayLoadBalancer"
  subnet_ids        = ["{subnet}"]
  tags = {{
    Name = "fw"
  }}
}}
"#,
        vpc = vpc.id
    );
    tf.write_raw(&format!("{}{aws}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.apply().ok();
    let id = tf.resource("aws_vpc_endpoint.fw")["id"].as_str().expect("id").to_string();
    assert!(!proxy.writes().is_empty(), "the AWS provider's apply went through the proxy");

    let ours = format!(
        r#"
resource "vpce_gateway_load_balancer" "fw" {{
  vpc_id       = "{vpc}"
  service_name = "{service}"
  subnet_ids   = ["{subnet}"]
  tags = {{
    Name = "fw"
  }}
}}
"#,
        vpc = vpc.id
    );
    let moved = "\nmoved {\n  from = aws_vpc_endpoint.fw\n  to   = vpce_gateway_load_balancer.fw\n}\n";
    tf.write_raw(&format!("{}{ours}{moved}", awsprovider::provider_blocks(&proxy.url(), true)));
    let plan = tf.run(&["plan", "-no-color", "-input=false"]).ok();
    assert!(plan.stdout.contains("# aws_vpc_endpoint.fw has moved to vpce_gateway_load_balancer.fw"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    assert_eq!(actions(&tf.plan_changes(), "vpce_gateway_load_balancer.fw"), ["no-op"]);
    common::no_warnings(&plan);
    assert_eq!(proxy.writes(), BTreeMap::new(), "planning the move wrote nothing to EC2");

    let applied = tf.apply().ok();
    assert!(applied.stdout.contains("0 added, 0 changed, 0 destroyed"), "{}", applied.stdout);
    let r = tf.resource("vpce_gateway_load_balancer.fw");
    assert_eq!(r["id"], id.as_str());
    assert_eq!(sorted_strings(&r["subnet_ids"]), vec![subnet.clone()]);
    assert_eq!(r["tags"], serde_json::json!({"Name": "fw"}));
    assert_eq!(r["state"], "available");

    tf.write_raw(&format!("{}{ours}", awsprovider::provider_blocks(&proxy.url(), false)));
    let plan = tf.plan();
    assert_eq!(plan.code, 0, "no changes after the move:\n{}", plan.all());
    assert_eq!(proxy.writes(), BTreeMap::new(), "applying the move and planning wrote nothing to EC2");
    assert_eq!(rt.block_on(common::endpoints_in_vpc(&client, &vpc.id)).len(), 1, "no endpoint was created or replaced");
    tf.destroy().ok();
    assert!(rt.block_on(common::endpoint(&client, &id)).is_none());
}
