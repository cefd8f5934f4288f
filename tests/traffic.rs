//! Where the traffic goes (issue 23 part 3), with real Terraform against moto: a VPC with a public
//! subnet (default route to an internet gateway), a NAT-routed one and an isolated one (the main
//! route table, no default route). `vpce_gateway.covered_subnet_ids` (and its drift), the warning
//! about subnets left on the NAT gateway, the warning about security groups that shut out HTTPS,
//! `traffic_advice = false`, and the `vpce_routing` data source with a `check` block over it
//! (also under the embedded Terraform 1.6.6 and 1.15.5).

mod common;

use common::clients::Client;
use common::{moto_url, no_warnings, rt, sorted_strings, unwrap_lines, vpc, Tf, TfOutput, VpcOpts, REGION};

const NAT_WARNING: &str = "Subnets still reach the service through a NAT gateway";
const HTTPS_WARNING: &str = "The endpoint will not be reachable on HTTPS";
const CHECK_FAILED: &str = "Check block assertion failed";

/// The test network: subnets public, nat, isolated; route tables public and nat (explicitly
/// associated), main (the isolated subnet's).
struct Net {
    vpc: String,
    cidr: String,
    public: String,
    nat: String,
    isolated: String,
    rtb_public: String,
    rtb_nat: String,
    rtb_main: String,
    nat_gateway: String,
    igw: String,
    /// A group with no ingress rule, and one that admits TCP 443 from the VPC.
    closed_sg: String,
    https_sg: String,
}

fn network() -> Net {
    rt().block_on(async {
        let c = common::ec2().await;
        let v = vpc(&c, VpcOpts { subnets: 3, route_tables: 2, security_groups: 1, ..VpcOpts::default() }).await;
        let cidr = c.describe_vpcs().vpc_ids(&v.id).send().await.unwrap().vpcs()[0].cidr_block().unwrap().to_string();
        let igw = c.create_internet_gateway().send().await.unwrap().internet_gateway().unwrap().internet_gateway_id().unwrap().to_string();
        c.attach_internet_gateway().internet_gateway_id(&igw).vpc_id(&v.id).send().await.unwrap();
        let (public, nat, isolated) = (v.subnets[0].id.clone(), v.subnets[1].id.clone(), v.subnets[2].id.clone());
        let (rtb_public, rtb_nat) = (v.route_tables[0].clone(), v.route_tables[1].clone());
        c.create_route().route_table_id(&rtb_public).destination_cidr_block("0.0.0.0/0").gateway_id(&igw).send().await.unwrap();
        c.associate_route_table().route_table_id(&rtb_public).subnet_id(&public).send().await.unwrap();
        let eip = c.allocate_address().domain(aws_sdk_ec2::types::DomainType::Vpc).send().await.unwrap();
        let nat_gateway = c
            .create_nat_gateway()
            .subnet_id(&public)
            .allocation_id(eip.allocation_id().unwrap())
            .send()
            .await
            .unwrap()
            .nat_gateway()
            .unwrap()
            .nat_gateway_id()
            .unwrap()
            .to_string();
        c.create_route().route_table_id(&rtb_nat).destination_cidr_block("0.0.0.0/0").nat_gateway_id(&nat_gateway).send().await.unwrap();
        c.associate_route_table().route_table_id(&rtb_nat).subnet_id(&nat).send().await.unwrap();
        let tables = c
            .describe_route_tables()
            .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&v.id).build())
            .send()
            .await
            .unwrap();
        let rtb_main = tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
            .and_then(|t| t.route_table_id())
            .expect("main route table")
            .to_string();
        let closed_sg = c
            .create_security_group()
            .vpc_id(&v.id)
            .group_name(format!("closed-{}", v.id))
            .description("no ingress")
            .send()
            .await
            .unwrap()
            .group_id()
            .unwrap()
            .to_string();
        Net {
            vpc: v.id.clone(),
            cidr,
            public,
            nat,
            isolated,
            rtb_public,
            rtb_nat,
            rtb_main,
            nat_gateway,
            igw,
            closed_sg,
            https_sg: v.security_groups[0].clone(),
        }
    })
}

/// The provider block, with `traffic_advice` when given.
fn provider(advice: Option<bool>) -> String {
    let setting = advice.map(|a| format!("  traffic_advice = {a}\n")).unwrap_or_default();
    format!(
        "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\nprovider \"vpce\" {{\n  region = \"{REGION}\"\n{setting}  endpoints {{\n    ec2 = \"{}\"\n  }}\n}}\n\n",
        moto_url()
    )
}

/// The routing data source of the VPC for S3, and a check that every private subnet (default
/// route not to an internet gateway) reaches S3 through an endpoint.
fn routing(net: &Net) -> String {
    format!(
        r#"
data "vpce_routing" "net" {{
  vpc_id        = "{vpc}"
  service_names = ["s3"]
  depends_on    = [vpce_gateway.s3]
}}

check "s3_stays_private" {{
  assert {{
    condition     = alltrue([for r in data.vpce_routing.net.routes : r.private if r.default_route != "internet_gateway"])
    error_message = "Private subnets reach S3 outside an endpoint: ${{join(", ", [for r in data.vpce_routing.net.routes : r.subnet_id if !r.private && r.default_route != "internet_gateway"])}}"
  }}
}}
"#,
        vpc = net.vpc
    )
}

fn gateway(net: &Net, tables: &[&str]) -> String {
    let tables: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id          = "{vpc}"
  service_name    = "s3"
  route_table_ids = [{tables}]
}}
"#,
        vpc = net.vpc,
        tables = tables.join(", ")
    )
}

fn text(out: &TfOutput) -> String {
    unwrap_lines(&out.all())
}

/// The data source's rows by subnet (S3 only).
fn rows(tf: &Tf) -> std::collections::BTreeMap<String, serde_json::Value> {
    let state = tf.state();
    let ds = state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "data.vpce_routing.net"))
        .map(|r| r["values"].clone())
        .expect("data.vpce_routing.net in the state");
    ds["routes"].as_array().expect("routes").iter().map(|r| (r["subnet_id"].as_str().unwrap().to_string(), r.clone())).collect()
}

#[test]
fn gateway_coverage_nat_advice_and_routing() {
    let net = network();
    let tf = Tf::new();

    // Only the public table: the NAT-routed subnet is left on the NAT gateway.
    tf.write_raw(&format!("{}{}{}", provider(None), gateway(&net, &[&net.rtb_public]), routing(&net)));
    let out = tf.apply().ok();
    let t = text(&out);
    assert!(t.contains(NAT_WARNING), "{t}");
    assert!(t.contains(&format!("{} (route table {}, 0.0.0.0/0 to {})", net.nat, net.rtb_nat, net.nat_gateway)), "{t}");
    assert!(t.contains(&format!("add {} to route_table_ids", net.rtb_nat)), "{t}");
    let warning = &t[t.find(NAT_WARNING).unwrap()..];
    let warning = &warning[..warning.find("traffic_advice").unwrap()];
    assert!(!warning.contains(&net.isolated) && !warning.contains(&net.public), "only the NAT-routed subnet: {warning}");
    assert!(
        t.contains(CHECK_FAILED)
            && t.contains(&format!("Private subnets reach S3 outside an endpoint: {}", sorted_pair(&net.isolated, &net.nat))),
        "{t}"
    );
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(sorted_strings(&gw["covered_subnet_ids"]), vec![net.public.clone()]);
    let endpoint = gw["id"].as_str().unwrap().to_string();

    let r = rows(&tf);
    assert_eq!(r.len(), 3, "{r:?}");
    let p = &r[&net.public];
    assert_eq!(
        (p["via"].as_str(), p["endpoint_id"].as_str(), p["private"].as_bool()),
        (Some("gateway_endpoint"), Some(endpoint.as_str()), Some(true))
    );
    assert_eq!((p["default_route"].as_str(), p["route_table_id"].as_str()), (Some("internet_gateway"), Some(net.rtb_public.as_str())));
    let n = &r[&net.nat];
    assert_eq!(
        (n["via"].as_str(), n["nat_gateway_id"].as_str(), n["private"].as_bool()),
        (Some("nat_gateway"), Some(net.nat_gateway.as_str()), Some(false))
    );
    let i = &r[&net.isolated];
    assert_eq!(
        (i["via"].as_str(), i["route_table_id"].as_str(), i["main_route_table"].as_bool()),
        (Some("none"), Some(net.rtb_main.as_str()), Some(true))
    );
    assert_eq!(n["service_name"].as_str(), Some("com.amazonaws.us-east-1.s3"));

    // The same configuration with the advice off: no NAT warning on a change of route tables.
    tf.write_raw(&format!("{}{}", provider(Some(false)), gateway(&net, &[&net.rtb_main])));
    let out = tf.run(&["plan", "-no-color", "-input=false"]).ok();
    assert!(!text(&out).contains(NAT_WARNING), "{}", out.all());
    no_warnings(&out);

    // Every table: every private subnet reaches S3 through the endpoint; the check passes.
    let all = [net.rtb_public.as_str(), net.rtb_nat.as_str(), net.rtb_main.as_str()];
    tf.write_raw(&format!("{}{}{}", provider(None), gateway(&net, &all), routing(&net)));
    let out = tf.apply().ok();
    no_warnings(&out);
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(sorted_strings(&gw["covered_subnet_ids"]), common::sorted(vec![net.public.clone(), net.nat.clone(), net.isolated.clone()]));
    assert!(rows(&tf).values().all(|r| r["via"] == "gateway_endpoint" && r["endpoint_id"] == endpoint.as_str()));
    let plan = tf.plan();
    assert_eq!(plan.code, 0, "no perpetual diff:\n{}", plan.all());

    // Drift: the NAT subnet moves to a table outside the endpoint; the refresh shows it.
    tf.write_raw(&format!("{}{}{}", provider(None), gateway(&net, &[&net.rtb_public, &net.rtb_main]), routing(&net)));
    tf.apply().ok();
    rt().block_on(async {
        let c = common::ec2().await;
        let t = c.describe_route_tables().route_table_ids(&net.rtb_nat).send().await.unwrap();
        let assoc = t.route_tables()[0]
            .associations()
            .iter()
            .find(|a| a.subnet_id() == Some(net.nat.as_str()))
            .unwrap()
            .route_table_association_id()
            .unwrap()
            .to_string();
        c.replace_route_table_association().association_id(assoc).route_table_id(&net.rtb_main).send().await.unwrap();
    });
    tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]).ok();
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(sorted_strings(&gw["covered_subnet_ids"]), common::sorted(vec![net.public.clone(), net.nat.clone(), net.isolated.clone()]));
    assert_eq!(tf.plan().code, 0, "a refreshed coverage is no change to plan");

    tf.destroy().ok();
}

fn sorted_pair(a: &str, b: &str) -> String {
    common::sorted(vec![a.to_string(), b.to_string()]).join(", ")
}

#[test]
fn routing_under_terraform_1_6() {
    routing_check_with(Client::embedded_1_6());
}

#[test]
fn routing_under_terraform_1_15() {
    routing_check_with(Client::embedded());
}

/// The data source and a `check` block over it, with `client` (an embedded Terraform: the PATH
/// one runs the other tests).
fn routing_check_with(client: Client) {
    let net = network();
    let tf = Tf::new();
    let body = format!(
        r#"
data "vpce_routing" "net" {{
  vpc_id = "{vpc}"
}}

check "s3_stays_private" {{
  assert {{
    condition     = alltrue([for r in data.vpce_routing.net.routes : r.private if r.default_route != "internet_gateway"])
    error_message = "Private subnets reach S3 outside an endpoint."
  }}
}}

output "nat" {{
  value = [for r in data.vpce_routing.net.routes : r.nat_gateway_id if r.subnet_id == "{nat}" && r.service_name == "com.amazonaws.{REGION}.s3"]
}}

output "igw" {{
  value = [for r in data.vpce_routing.net.routes : r.internet_gateway_id if r.subnet_id == "{public}"]
}}
"#,
        vpc = net.vpc,
        nat = net.nat,
        public = net.public
    );
    tf.write_raw(&format!("{}{body}", provider(None)));
    let out = client.apply(&tf);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(text(&out).contains(CHECK_FAILED), "no endpoint: the NAT and isolated subnets fail the check:\n{}", out.all());
    let outputs = client.run(&tf, &["output", "-json"]);
    let v: serde_json::Value = serde_json::from_str(&outputs.stdout).expect("outputs");
    assert_eq!(v["nat"]["value"], serde_json::json!([net.nat_gateway]));
    // Two services by default (s3 and dynamodb): two rows per subnet.
    assert_eq!(v["igw"]["value"], serde_json::json!([net.igw, net.igw]));
}

#[test]
fn interface_https_advice() {
    let net = network();
    let tf = Tf::new();
    let interface = |groups: &str| {
        format!(
            r#"
resource "vpce_interface" "e" {{
  vpc_id             = "{vpc}"
  service_name       = "com.amazonaws.{REGION}.ssm"
  subnet_ids         = ["{subnet}"]
  security_group_ids = {groups}
}}
"#,
            vpc = net.vpc,
            subnet = net.nat
        )
    };
    let plan = |advice: Option<bool>, groups: &str| {
        tf.write_raw(&format!("{}{}", provider(advice), interface(groups)));
        tf.run(&["plan", "-no-color", "-input=false"]).ok()
    };
    let out = plan(None, &format!("[\"{}\"]", net.closed_sg));
    let t = text(&out);
    assert!(t.contains(HTTPS_WARNING) && t.contains(&net.closed_sg) && t.contains(&net.cidr), "{t}");
    assert!(t.contains("security_group_ids"), "the warning is on security_group_ids: {t}");
    // A group that admits 443 from the VPC, beside the closed one: no warning.
    no_warnings(&plan(None, &format!("[\"{}\", \"{}\"]", net.closed_sg, net.https_sg)));
    // Silenced.
    no_warnings(&plan(Some(false), &format!("[\"{}\"]", net.closed_sg)));
    // `[]`: the VPC's default group, whose rule admits its own members only (can't tell: no warning).
    no_warnings(&plan(None, "[]"));
}
