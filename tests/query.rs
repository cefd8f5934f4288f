//! Resource identity and `terraform query` with the embedded Terraform 1.15.5 (explicitly: the
//! PATH Terraform may be older than identity import (1.12) and list resources (1.14)), against
//! moto: the identity in the state after apply, import by identity (and its refusals), each list
//! filter finding exactly the endpoints it should, one DescribeVpcEndpoints per list block (the
//! recording proxy counts), and `-generate-config-out` configuration that imports and then plans
//! no change.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification, VpcEndpointType};
use common::clients::Client;
use common::proxy::{param, Proxy};
use common::*;

const ACCOUNT: &str = "123456789012"; // moto's

fn tf15() -> Client {
    Client::embedded()
}

/// A tag value no other test uses.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// Creates an endpoint straight in EC2 (not through Terraform).
async fn create(
    client: &aws_sdk_ec2::Client,
    vpc: &str,
    kind: VpcEndpointType,
    service: &str,
    tags: &[(&str, &str)],
    ids: &[String],
) -> String {
    let mut req =
        client.create_vpc_endpoint().vpc_id(vpc).vpc_endpoint_type(kind.clone()).service_name(format!("com.amazonaws.{REGION}.{service}"));
    req = match kind {
        VpcEndpointType::Gateway => req.set_route_table_ids(Some(ids.to_vec())),
        _ => req.set_subnet_ids(Some(ids.to_vec())).private_dns_enabled(false),
    };
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::VpcEndpoint);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        req = req.tag_specifications(spec.build());
    }
    let out = req.send().await.expect("create endpoint");
    out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("endpoint id").to_string()
}

/// `terraform query -json`: the IDs each list block found, by block name; fails on any error.
fn query(tf: &Tf, extra: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut args = vec!["query", "-json", "-no-color"];
    args.extend_from_slice(extra);
    let out = tf15().run(tf, &args).ok();
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in out.stdout.lines() {
        let msg: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("query -json line is not JSON ({e}): {line}"));
        match msg["type"].as_str() {
            Some("diagnostic") => assert_ne!(msg["diagnostic"]["severity"], "error", "query failed: {line}\n{}", out.all()),
            Some("list_start") => {
                let name = msg["list_start"]["address"].as_str().unwrap_or_default().rsplit('.').next().unwrap_or_default().to_string();
                found.entry(name).or_default();
            }
            Some("list_resource_found") => {
                let r = &msg["list_resource_found"];
                let name = r["address"].as_str().unwrap_or_default().rsplit('.').next().unwrap_or_default().to_string();
                let identity = &r["identity"];
                assert_eq!((identity["region"].as_str(), identity["account_id"].as_str()), (Some(REGION), Some(ACCOUNT)), "{line}");
                let id = identity["id"].as_str().unwrap_or_else(|| panic!("no id in {line}")).to_string();
                assert!(r["display_name"].as_str().is_some_and(|d| d.contains(&id)), "display name without the ID: {line}");
                found.entry(name).or_default().insert(id);
            }
            _ => {}
        }
    }
    found
}

fn ids(items: &[&String]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn list_block(kind: &str, name: &str, config: &str) -> String {
    format!("list \"{kind}\" \"{name}\" {{\n  provider = vpce\n  config {{\n{config}\n  }}\n}}\n")
}

#[test]
fn each_list_filter_finds_exactly_its_endpoints_in_one_call() {
    let rt = rt();
    let suite = unique("query");
    let (a, b, eps) = rt.block_on(async {
        let c = ec2().await;
        let a = vpc(&c, VpcOpts { subnets: 1, route_tables: 2, security_groups: 0, ..VpcOpts::default() }).await;
        let b = vpc(&c, VpcOpts { subnets: 1, route_tables: 1, security_groups: 0, ..VpcOpts::default() }).await;
        let s = suite.as_str();
        let (gw, ifc) = (VpcEndpointType::Gateway, VpcEndpointType::Interface);
        let mut eps = BTreeMap::new();
        let prod_net = [("suite", s), ("env", "prod"), ("team", "net")];
        eps.insert("a_s3", create(&c, &a.id, gw.clone(), "s3", &prod_net, &a.route_tables[..1]).await);
        eps.insert("a_ddb", create(&c, &a.id, gw.clone(), "dynamodb", &[("suite", s), ("env", "dev")], &a.route_tables[1..]).await);
        eps.insert("a_untagged", create(&c, &a.id, gw.clone(), "s3", &[], &[]).await);
        eps.insert("a_ec2", create(&c, &a.id, ifc.clone(), "ec2", &prod_net, &[a.subnets[0].id.clone()]).await);
        eps.insert("b_s3", create(&c, &b.id, gw.clone(), "s3", &prod_net, &b.route_tables).await);
        eps.insert("b_ssm", create(&c, &b.id, ifc.clone(), "ssm", &[("suite", s), ("env", "prod")], &[b.subnets[0].id.clone()]).await);
        (a, b, eps)
    });
    let e = |k: &str| &eps[k];
    let suite_tag = format!("    tags = {{ suite = \"{suite}\" }}");
    let all_three = format!("    tags = {{ suite = \"{suite}\", env = \"prod\", team = \"net\" }}");
    let blocks: Vec<(String, BTreeSet<String>)> = vec![
        (list_block("vpce_gateway", "gw_suite", &suite_tag), ids(&[e("a_s3"), e("a_ddb"), e("b_s3")])),
        (list_block("vpce_interface", "if_suite", &suite_tag), ids(&[e("a_ec2"), e("b_ssm")])),
        (list_block("vpce_gateway", "gw_vpc_a", &format!("    vpc_id = \"{}\"", a.id)), ids(&[e("a_s3"), e("a_ddb"), e("a_untagged")])),
        (list_block("vpce_interface", "if_vpc_b", &format!("    vpc_id = \"{}\"", b.id)), ids(&[e("b_ssm")])),
        (list_block("vpce_gateway", "gw_s3_short", &format!("{suite_tag}\n    service_name = \"s3\"")), ids(&[e("a_s3"), e("b_s3")])),
        (
            list_block(
                "vpce_gateway",
                "gw_ddb_full",
                &format!("    vpc_id = \"{}\"\n    service_name = \"com.amazonaws.{REGION}.dynamodb\"", a.id),
            ),
            ids(&[e("a_ddb")]),
        ),
        (list_block("vpce_gateway", "gw_all_tags", &all_three), ids(&[e("a_s3"), e("b_s3")])),
        (list_block("vpce_interface", "if_all_tags", &all_three), ids(&[e("a_ec2")])),
        (
            list_block("vpce_gateway", "gw_available", &format!("    vpc_id = \"{}\"\n    state = \"available\"", a.id)),
            ids(&[e("a_s3"), e("a_ddb"), e("a_untagged")]),
        ),
        (
            list_block("vpce_gateway", "gw_pending", &format!("    vpc_id = \"{}\"\n    state = \"pendingAcceptance\"", a.id)),
            BTreeSet::new(),
        ),
        (
            list_block("vpce_interface", "if_none", &format!("{suite_tag}\n    vpc_id = \"{}\"\n    service_name = \"ssm\"", a.id)),
            BTreeSet::new(),
        ),
    ];

    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_via(&proxy.url, "");
    // `limit`: Terraform takes that many results (of three that match), the page is no larger.
    let limited = list_block("vpce_gateway", "gw_limit", &suite_tag).replace("  provider = vpce\n", "  provider = vpce\n  limit    = 2\n");
    let mut text: String = blocks.iter().map(|(b, _)| b.as_str()).collect::<Vec<_>>().join("\n");
    text.push_str(&limited);
    std::fs::write(tf.path().join("find.tfquery.hcl"), text).expect("write query file");
    proxy.clear();
    let found = query(&tf, &[]);
    let some = found.get("gw_limit").unwrap_or_else(|| panic!("gw_limit did not run: {found:?}"));
    assert!(some.len() == 2 && some.is_subset(&ids(&[e("a_s3"), e("a_ddb"), e("b_s3")])), "{some:?}");
    for (block, expected) in &blocks {
        let name = block.split('"').nth(3).expect("block name");
        assert_eq!(found.get(name), Some(expected), "list block {name} found the wrong endpoints (all: {eps:?})\n{block}");
    }

    // One DescribeVpcEndpoints per list block (one page each), with the filters EC2 applies, and
    // nothing per endpoint.
    let calls = proxy.calls("DescribeVpcEndpoints");
    assert_eq!(calls.len(), blocks.len() + 1, "{calls:?}");
    let mut pages: Vec<&str> = calls.iter().filter_map(|c| param(c, "MaxResults")).collect();
    pages.sort();
    // Terraform's default limit is 100: a page of 100; the limited block asks for EC2's least, 5.
    assert_eq!(pages, [vec!["100"; blocks.len()], vec!["5"]].concat(), "{calls:?}");
    for call in &calls {
        assert!(param(call, "VpcEndpointId.1").is_none(), "an endpoint was looked up by ID: {call:?}");
        let names: Vec<&str> =
            call.iter().filter(|(k, _)| k.starts_with("Filter.") && k.ends_with(".Name")).map(|(_, v)| v.as_str()).collect();
        assert!(names.contains(&"vpc-endpoint-type"), "{call:?}");
        assert!(!names.contains(&"vpc-endpoint-id"), "{call:?}");
    }
    for other in ["DescribeRouteTables", "DescribeSecurityGroups", "DescribeVpcs", "DescribeSubnets"] {
        assert_eq!(proxy.calls(other).len(), 0, "{other} during a query without resources");
    }
}

#[test]
fn filter_blocks_and_ids_narrow_the_list() {
    let rt = rt();
    let suite = unique("query-raw");
    let (eps, ifc) = rt.block_on(async {
        let c = ec2().await;
        let a = vpc(&c, VpcOpts { subnets: 1, route_tables: 3, security_groups: 0, ..VpcOpts::default() }).await;
        let s = suite.as_str();
        let mut eps = Vec::new();
        for (i, name) in ["web-1", "web-2", "db-1"].iter().enumerate() {
            let service = if i == 2 { "dynamodb" } else { "s3" };
            let rtb = if i == 1 { vec![a.route_tables[1].clone()] } else { vec![a.route_tables[i].clone()] };
            eps.push(create(&c, &a.id, VpcEndpointType::Gateway, service, &[("suite", s), ("Name", name)], &rtb).await);
        }
        let ifc =
            create(&c, &a.id, VpcEndpointType::Interface, "ssm", &[("suite", s), ("Name", "web-3")], &[a.subnets[0].id.clone()]).await;
        (eps, ifc)
    });
    let filter = |name: &str, values: &str| format!("    filter {{\n      name   = \"{name}\"\n      values = {values}\n    }}");
    let suite_filter = filter("tag:suite", &format!("[\"{suite}\"]"));
    let blocks: Vec<(String, BTreeSet<String>)> = vec![
        (list_block("vpce_gateway", "web", &format!("{suite_filter}\n{}", filter("tag:Name", "[\"web-*\"]"))), ids(&[&eps[0], &eps[1]])),
        (
            list_block("vpce_gateway", "web_or_db", &format!("{suite_filter}\n{}", filter("tag:Name", "[\"web-?\", \"db-1\"]"))),
            ids(&[&eps[0], &eps[1], &eps[2]]),
        ),
        (list_block("vpce_interface", "ifc_web", &format!("{suite_filter}\n{}", filter("tag:Name", "[\"web-*\"]"))), ids(&[&ifc])),
        (
            list_block("vpce_gateway", "by_ids", &format!("    vpc_endpoint_ids = [\"{}\", \"{}\", \"{ifc}\"]", eps[1], eps[2])),
            ids(&[&eps[1], &eps[2]]),
        ),
        (
            list_block(
                "vpce_gateway",
                "ids_and_filter",
                &format!("    vpc_endpoint_ids = [\"{}\", \"{}\"]\n{}", eps[1], eps[2], filter("service-name", "[\"*.dynamodb\"]")),
            ),
            ids(&[&eps[2]]),
        ),
    ];
    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_via(&proxy.url, "");
    let text: String = blocks.iter().map(|(b, _)| b.as_str()).collect::<Vec<_>>().join("\n");
    std::fs::write(tf.path().join("find.tfquery.hcl"), text).expect("write query file");
    proxy.clear();
    let found = query(&tf, &[]);
    for (block, expected) in &blocks {
        let name = block.split('"').nth(3).expect("block name");
        assert_eq!(found.get(name), Some(expected), "list block {name} found the wrong endpoints\n{block}");
    }
    // The filters and ids went to EC2 (one call per block), as the user wrote them.
    let calls = proxy.calls("DescribeVpcEndpoints");
    assert_eq!(calls.len(), blocks.len(), "{calls:?}");
    assert!(calls.iter().any(|c| param(c, "VpcEndpointId.1").is_some()), "vpc_endpoint_ids went as VpcEndpointIds: {calls:?}");
    assert!(calls.iter().any(|c| c.iter().any(|(k, v)| k.starts_with("Filter.") && v == "tag:Name")), "{calls:?}");

    // A filter name EC2 does not take is refused before any call, on the block's name.
    std::fs::write(tf.path().join("find.tfquery.hcl"), list_block("vpce_gateway", "bad", &filter("vpc_id", "[\"x\"]"))).expect("write");
    let out = tf15().run(&tf, &["query", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.all().contains("Invalid filter name") && out.all().contains("The filter 'vpc_id' is invalid"), "{}", out.all());
}

#[test]
fn generated_configuration_imports_and_plans_no_change() {
    let rt = rt();
    let suite = unique("gen");
    let (net, made) = rt.block_on(async {
        let c = ec2().await;
        let net = vpc(&c, VpcOpts { subnets: 2, route_tables: 2, security_groups: 1, ..VpcOpts::default() }).await;
        let s = suite.as_str();
        let gw = VpcEndpointType::Gateway;
        let mut made = vec![
            create(&c, &net.id, gw.clone(), "s3", &[("suite", s), ("Name", "s3 main")], &net.route_tables).await,
            create(&c, &net.id, gw, "dynamodb", &[], &[]).await,
        ];
        let subnets: Vec<String> = net.subnets.iter().map(|s| s.id.clone()).collect();
        let ssm = c
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .service_name(format!("com.amazonaws.{REGION}.ssm"))
            .set_subnet_ids(Some(subnets))
            .security_group_ids(&net.security_groups[0])
            .private_dns_enabled(false)
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}"#)
            .send()
            .await
            .expect("create interface endpoint");
        made.push(ssm.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string());
        (net, made)
    });

    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_via(&proxy.url, "");
    let vpc_filter = format!("    vpc_id = \"{}\"", net.id);
    let text = [list_block("vpce_gateway", "gateways", &vpc_filter), list_block("vpce_interface", "interfaces", &vpc_filter)].join("\n");
    std::fs::write(tf.path().join("find.tfquery.hcl"), text).expect("write query file");
    proxy.clear();
    let out = tf15().run(&tf, &["query", "-no-color", "-generate-config-out=generated.tf"]).ok();
    let generated =
        std::fs::read_to_string(tf.path().join("generated.tf")).unwrap_or_else(|e| panic!("no generated.tf ({e}):\n{}", out.all()));
    for id in &made {
        assert!(generated.contains(&format!("id         = \"{id}\"")), "no import identity for {id}:\n{generated}");
    }
    assert_eq!(generated.matches("import {").count(), 3, "{generated}");
    // The full states came with the page: one DescribeVpcEndpoints per list block; the gateway's
    // prefix lists once per service, nothing per endpoint.
    assert_eq!(proxy.calls("DescribeVpcEndpoints").len(), 2);
    assert!(proxy.calls("DescribePrefixLists").len() <= 2, "{:?}", proxy.calls("DescribePrefixLists"));
    for other in ["DescribeRouteTables", "DescribeSecurityGroups", "DescribeVpcs"] {
        assert_eq!(proxy.calls(other).len(), 0, "{other} during a query");
    }

    // The generated configuration imports (by identity) with no change, and then plans nothing.
    let plan = tf15().run(&tf, &["plan", "-no-color", "-input=false"]).ok();
    assert!(plan.stdout.contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."), "{}", plan.all());
    tf15().apply(&tf).ok();
    let again = tf15().plan(&tf);
    assert_eq!(again.code, 0, "the imported endpoints plan changes:\n{}", again.all());
    let state = tf15().run(&tf, &["show", "-json", "-no-color"]).ok();
    let state: serde_json::Value = serde_json::from_str(&state.stdout).expect("state json");
    let mut in_state: Vec<String> = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["identity"]["id"].as_str().unwrap_or_default().to_string())
        .collect();
    in_state.sort();
    assert_eq!(in_state, sorted(made));
}

fn config(net: &TestVpc, extra: &str) -> String {
    format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id          = "{vpc}"
  service_name    = "com.amazonaws.us-east-1.s3"
  route_table_ids = ["{rt}"]
}}

resource "vpce_interface" "ec2" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.us-east-1.ec2"
  subnet_ids   = ["{subnet}"]
}}
{extra}"#,
        vpc = net.id,
        rt = net.route_tables[0],
        subnet = net.subnets[0].id,
    )
}

/// The identity of each resource in `terraform show -json`, by address.
fn identities(tf: &Tf) -> BTreeMap<String, serde_json::Value> {
    let out = tf15().run(tf, &["show", "-json", "-no-color"]).ok();
    let state: serde_json::Value = serde_json::from_str(&out.stdout).expect("state json");
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| rs.iter().map(|r| (r["address"].as_str().unwrap_or_default().to_string(), r["identity"].clone())).collect())
        .unwrap_or_default()
}

fn identity(id: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "region": REGION, "account_id": ACCOUNT })
}

#[test]
fn identity_is_in_the_state_and_imports() {
    let net =
        rt().block_on(async { vpc(&ec2().await, VpcOpts { subnets: 1, route_tables: 1, security_groups: 0, ..VpcOpts::default() }).await });
    let tf = Tf::new();
    tf.write(&config(&net, ""));
    tf15().apply(&tf).ok();
    let shown = tf15().run(&tf, &["show", "-json", "-no-color"]).ok();
    let state: serde_json::Value = serde_json::from_str(&shown.stdout).expect("state json");
    let id_of = |address: &str| -> String {
        let r = state["values"]["root_module"]["resources"].as_array().and_then(|rs| rs.iter().find(|r| r["address"] == address));
        r.and_then(|r| r["values"]["id"].as_str()).unwrap_or_else(|| panic!("{address} not in the state")).to_string()
    };
    let (gw, ifc) = (id_of("vpce_gateway.s3"), id_of("vpce_interface.ec2"));
    let ids = identities(&tf);
    assert_eq!(ids["vpce_gateway.s3"], identity(&gw));
    assert_eq!(ids["vpce_interface.ec2"], identity(&ifc));

    // Import by identity: the ID alone, or with the region and account.
    let other = Tf::new();
    let imports = format!(
        "import {{\n  to       = vpce_gateway.s3\n  identity = {{ id = \"{gw}\" }}\n}}\n\nimport {{\n  to       = vpce_interface.ec2\n  identity = {{ id = \"{ifc}\", region = \"{REGION}\", account_id = \"{ACCOUNT}\" }}\n}}\n"
    );
    other.write(&config(&net, &imports));
    let plan = tf15().run(&other, &["plan", "-no-color", "-input=false"]).ok();
    assert!(plan.stdout.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."), "{}", plan.all());
    tf15().apply(&other).ok();
    assert_eq!(tf15().plan(&other).code, 0, "plan after import by identity is not empty");
    let ids = identities(&other);
    assert_eq!((&ids["vpce_gateway.s3"], &ids["vpce_interface.ec2"]), (&identity(&gw), &identity(&ifc)));

    // Another region, another account, another type: refused, each with its reason.
    let wrong = Tf::new();
    let body = format!(
        r#"
resource "vpce_gateway" "eu" {{
  vpc_id       = "{vpc}"
  service_name = "s3"
}}
resource "vpce_gateway" "other_account" {{
  vpc_id       = "{vpc}"
  service_name = "s3"
}}
resource "vpce_gateway" "interface" {{
  vpc_id       = "{vpc}"
  service_name = "s3"
}}
import {{
  to       = vpce_gateway.eu
  identity = {{ id = "{gw}", region = "eu-west-1" }}
}}
import {{
  to       = vpce_gateway.other_account
  identity = {{ id = "{gw}", account_id = "000000000000" }}
}}
import {{
  to       = vpce_gateway.interface
  identity = {{ id = "{ifc}" }}
}}
"#,
        vpc = net.id
    );
    wrong.write(&body);
    tf15().plan(&wrong).fails_with(&[
        "Region does not match the provider",
        &format!("names region eu-west-1, but this provider is configured for {REGION}"),
        "Account does not match the provider",
        &format!("names account 000000000000, but the provider's credentials are for account {ACCOUNT}"),
        "Not a gateway endpoint",
    ]);

    // A plan of a change carries the identity; destroy works as before.
    tf.write(&config(&net, "").replace("route_table_ids = [\"", "tags = { changed = \"yes\" }\n  route_table_ids = [\""));
    tf15().apply(&tf).ok();
    assert_eq!(identities(&tf)["vpce_gateway.s3"], identity(&gw));
    tf15().destroy(&tf).ok();
    rt().block_on(async {
        let c = ec2().await;
        assert!(endpoint(&c, &gw).await.is_none() && endpoint(&c, &ifc).await.is_none());
    });
}
