//! vpce_interface's `subnet_configuration` (static addresses), `auto_accept` and `service_region`
//! through real Terraform against moto (scripts/moto_server.py makes moto honour
//! SubnetConfigurations, ServiceRegion and the acceptance of endpoints of a service that requires
//! it, as EC2 does).

mod common;

use std::net::Ipv4Addr;

use common::proxy::{param_list, Proxy};
use common::*;

const SSM: &str = "com.amazonaws.us-east-1.ssm";

/// The `n`th address of a subnet's IPv4 CIDR block.
fn nth_address(cidr: &str, n: u32) -> String {
    let (net, _) = cidr.split_once('/').expect("cidr");
    Ipv4Addr::from(u32::from(net.parse::<Ipv4Addr>().expect("network")) + n).to_string()
}

async fn cidr_of(ec2: &aws_sdk_ec2::Client, subnet: &str) -> String {
    let out = ec2.describe_subnets().subnet_ids(subnet).send().await.expect("describe subnet");
    out.subnets()[0].cidr_block().expect("cidr").to_string()
}

/// The primary private address of each of the endpoint's network interfaces, by subnet.
async fn addresses(ec2: &aws_sdk_ec2::Client, id: &str) -> Vec<(String, String)> {
    let ep = endpoint(ec2, id).await.expect("endpoint");
    let out =
        ec2.describe_network_interfaces().set_network_interface_ids(Some(ep.network_interface_ids().to_vec())).send().await.expect("enis");
    let mut v: Vec<(String, String)> = out
        .network_interfaces()
        .iter()
        .map(|e| (e.subnet_id().unwrap_or_default().to_string(), e.private_ip_address().unwrap_or_default().to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn subnet_configuration_static_addresses() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 2, route_tables: 0, security_groups: 0, ..Default::default() }));
    let (s0, s1) = (vpc.subnets[0].id.clone(), vpc.subnets[1].id.clone());
    let (c0, c1) = (rt.block_on(cidr_of(&ec2, &s0)), rt.block_on(cidr_of(&ec2, &s1)));
    let rec = Proxy::start();
    let tf = Tf::new();
    let resource = |blocks: &[(&str, String)]| {
        let blocks: String = blocks
            .iter()
            .map(|(subnet, ip)| format!("  subnet_configuration {{\n    subnet_id = \"{subnet}\"\n    ipv4      = \"{ip}\"\n  }}\n"))
            .collect();
        format!(
            "resource \"vpce_interface\" \"e\" {{\n  vpc_id       = \"{}\"\n  service_name = \"{SSM}\"\n  subnet_ids   = [\"{s0}\", \"{s1}\"]\n{blocks}}}\n",
            vpc.id
        )
    };

    // Create with a static address in each subnet: the network interfaces have them.
    let (a0, a1) = (nth_address(&c0, 10), nth_address(&c1, 20));
    tf.write_via(&rec.url, &resource(&[(&s0, a0.clone()), (&s1, a1.clone())]));
    tf.apply().ok();
    let create = rec.calls("CreateVpcEndpoint");
    assert_eq!(create.len(), 1);
    assert_eq!(sent_addresses(&create[0]), sorted(vec![a0.clone(), a1.clone()]), "{:?}", create[0]);
    let st = tf.resource("vpce_interface.e");
    let id = st["id"].as_str().expect("id").to_string();
    assert_eq!(rt.block_on(addresses(&ec2, &id)), sorted_pairs(&[(&s0, &a0), (&s1, &a1)]));
    let mut configured: Vec<String> = st["subnet_configuration"]
        .as_array()
        .expect("subnet_configuration")
        .iter()
        .map(|b| format!("{}={}", b["subnet_id"].as_str().unwrap_or("?"), b["ipv4"].as_str().unwrap_or("?")))
        .collect();
    configured.sort();
    assert_eq!(configured, sorted(vec![format!("{s0}={a0}"), format!("{s1}={a1}")]));
    rec.clear();
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after create: {}", out.all());
    // The refresh reads both network interfaces in one call.
    let reads = rec.calls("DescribeNetworkInterfaces");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(param_list(&reads[0], "NetworkInterfaceId").len(), 2, "{reads:?}");

    // Another address: changed in place, only the changed block sent.
    let b0 = nth_address(&c0, 11);
    tf.write_via(&rec.url, &resource(&[(&s0, b0.clone()), (&s1, a1.clone())]));
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.e"), vec!["update"]);
    rec.clear();
    tf.apply().ok();
    let modify = rec.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1);
    assert_eq!(sent_addresses(&modify[0]), vec![b0.clone()], "{:?}", modify[0]);
    assert_eq!(tf.resource("vpce_interface.e")["id"], id.as_str());
    assert_eq!(rt.block_on(addresses(&ec2, &id)), sorted_pairs(&[(&s0, &b0), (&s1, &a1)]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after the update: {}", out.all());

    // Bad addresses are plan errors, before EC2 sees them.
    tf.write(&resource(&[(&s0, nth_address(&c0, 255)), (&s1, a1.clone())]));
    tf.plan().fails_with(&["Invalid IPv4 address for the subnet", "addresses AWS reserves", "subnet_configuration"]);
    tf.write(&resource(&[(&s0, "192.168.7.10".to_string()), (&s1, a1.clone())]));
    tf.plan().fails_with(&["Invalid IPv4 address for the subnet", "outside the subnet's CIDR block"]);
    tf.write(&resource(&[(&s0, "10.0.0.300".to_string())]));
    tf.plan().fails_with(&["Invalid IPv4 address", "is not an IPv4 address"]);
    tf.write(&resource(&[("subnet-0123456789abcdef0", a0.clone())]));
    tf.plan().fails_with(&["Subnet not in subnet_ids"]);
    assert_eq!(rt.block_on(addresses(&ec2, &id)), sorted_pairs(&[(&s0, &b0), (&s1, &a1)]), "nothing changed");

    tf.write(&resource(&[(&s0, b0.clone()), (&s1, a1.clone())]));
    tf.destroy().ok();
}

/// The IPv4 addresses of a request's SubnetConfiguration.N entries, sorted.
fn sent_addresses(call: &[(String, String)]) -> Vec<String> {
    let mut v: Vec<String> =
        call.iter().filter(|(k, _)| k.starts_with("SubnetConfiguration.") && k.ends_with(".Ipv4")).map(|(_, v)| v.clone()).collect();
    v.sort();
    v
}

fn sorted_pairs(p: &[(&String, &String)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    v.sort();
    v
}

/// auto_accept accepts a waiting endpoint of an own service on create, and when set later; an
/// endpoint without it waits (pendingAcceptance) and is in the state.
#[test]
fn auto_accept_accepts_pending_endpoints() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..Default::default() }));
    let service = nlb_service(&[vpc.subnets[0].id.clone()], true);
    let tf = Tf::new();
    let body = |later: &str| {
        format!(
            r#"
resource "vpce_interface" "now" {{
  vpc_id       = "{vpc}"
  service_name = "{service}"
  subnet_ids   = ["{subnet}"]
  auto_accept  = true
}}

resource "vpce_interface" "later" {{
  vpc_id       = "{vpc}"
  service_name = "{service}"
  subnet_ids   = ["{subnet}"]
{later}
}}
"#,
            vpc = vpc.id,
            subnet = vpc.subnets[0].id
        )
    };
    tf.write(&body(""));
    tf.apply().ok();
    let now = tf.resource("vpce_interface.now");
    let later = tf.resource("vpce_interface.later");
    assert_eq!(now["state"], "available", "{now}");
    assert_eq!(now["auto_accept"], true);
    assert_eq!(later["state"], "pendingAcceptance", "{later}");
    let state_in_ec2 =
        |id: &str| rt.block_on(endpoint(&ec2, id)).and_then(|e| e.state().map(|s| s.as_str().to_string())).unwrap_or_default();
    assert!(state_in_ec2(now["id"].as_str().unwrap()).eq_ignore_ascii_case("available"));
    let later_id = later["id"].as_str().unwrap().to_string();
    assert!(state_in_ec2(&later_id).eq_ignore_ascii_case("pendingAcceptance"));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes: {}", out.all());

    // Set later: an in-place update accepts it.
    tf.write(&body("  auto_accept = true"));
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.later"), vec!["update"]);
    tf.apply().ok();
    let later = tf.resource("vpce_interface.later");
    assert_eq!(later["id"], later_id.as_str());
    assert_eq!(later["state"], "available", "{later}");
    assert!(state_in_ec2(&later_id).eq_ignore_ascii_case("available"));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after accepting: {}", out.all());

    // An import leaves auto_accept unset (never read) and subnet_configuration empty; setting
    // auto_accept on the accepted endpoint is then a state-only update.
    tf.run(&["state", "rm", "vpce_interface.later"]).ok();
    tf.import("vpce_interface.later", &later_id).ok();
    let imported = tf.resource("vpce_interface.later");
    assert!(imported["auto_accept"].is_null(), "{imported}");
    assert_eq!(imported["subnet_configuration"], serde_json::json!([]), "{imported}");
    assert_eq!(imported["state"], "available", "{imported}");
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.later"), vec!["update"]);
    tf.apply().ok();
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after the import's update: {}", out.all());
    tf.destroy().ok();
}

/// service_region is sent on create and read back; a malformed region is a plan error.
#[test]
fn service_region_cross_region() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..Default::default() }));
    let tf = Tf::new();
    let body = |region: &str| {
        format!(
            "resource \"vpce_interface\" \"x\" {{\n  vpc_id         = \"{}\"\n  service_name   = \"com.amazonaws.us-west-2.ssm\"\n  service_region = \"{region}\"\n  subnet_ids     = [\"{}\"]\n}}\n",
            vpc.id, vpc.subnets[0].id
        )
    };
    tf.write(&body("us-west-2"));
    tf.apply().ok();
    let st = tf.resource("vpce_interface.x");
    assert_eq!(st["service_region"], "us-west-2", "{st}");
    let ep = rt.block_on(endpoint(&ec2, st["id"].as_str().unwrap())).expect("endpoint");
    assert_eq!(ep.service_region(), Some("us-west-2"));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes: {}", out.all());

    // Another region replaces the endpoint; a malformed one is refused at plan.
    tf.write(&body("eu-west-1"));
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.x"), vec!["delete", "create"]);
    tf.write(&body("uswest2"));
    tf.plan().fails_with(&["Invalid service_region", "\"uswest2\" is not an AWS region name"]);
    tf.write(&body("us-west-2"));
    tf.destroy().ok();
}
