//! vpce_gateway against moto through real Terraform: create, no-op plan, update, replace,
//! import, drift (out-of-band deletion and association removal), destroy, and every validation
//! error. Each test uses its own VPC(s), so the tests run in parallel.
//!
//! moto runs as scripts/moto_server.py, which makes ModifyVpcEndpoint add and remove the
//! prefix-list routes and honour ResetPolicy as EC2 does. Left to the tests:
//! - ClientToken is not idempotent in moto: the proxy checks that a fresh token is sent.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification, VpcEndpointType};
use common::proxy::{param, param_list, Proxy};
use common::*;

const S3: &str = "com.amazonaws.us-east-1.s3";
const DYNAMODB: &str = "com.amazonaws.us-east-1.dynamodb";
const DEFAULT_POLICY: &str =
    r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;

// ---------------------------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------------------------

fn vpc_opts(route_tables: usize) -> VpcOpts {
    VpcOpts { route_tables, subnets: 1, security_groups: 0, ..VpcOpts::default() }
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn policy(action: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"*"}}]}}"#)
}

fn route_tables_of(ep: &aws_sdk_ec2::types::VpcEndpoint) -> Vec<String> {
    sorted(ep.route_table_ids().to_vec())
}

async fn prefix_list_id(client: &aws_sdk_ec2::Client, service: &str) -> String {
    let out = client
        .describe_prefix_lists()
        .filters(aws_sdk_ec2::types::Filter::builder().name("prefix-list-name").values(service).build())
        .send()
        .await
        .expect("describe prefix lists");
    out.prefix_lists().first().and_then(|p| p.prefix_list_id()).expect("prefix list").to_string()
}

/// Whether `rtb` routes the service's prefix list to the endpoint.
async fn has_endpoint_route(client: &aws_sdk_ec2::Client, rtb: &str, pl: &str, vpce: &str) -> bool {
    let out = client.describe_route_tables().route_table_ids(rtb).send().await.expect("describe route tables");
    out.route_tables().iter().flat_map(|t| t.routes()).any(|r| r.destination_prefix_list_id() == Some(pl) && r.gateway_id() == Some(vpce))
}

/// Puts back the route of a gateway endpoint association that a test deleted out of band.
async fn add_endpoint_route(client: &aws_sdk_ec2::Client, rtb: &str, pl: &str, vpce: &str) {
    client.create_route().route_table_id(rtb).destination_prefix_list_id(pl).gateway_id(vpce).send().await.expect("create route");
}

/// `plan -json`: the diagnostics Terraform printed, as JSON objects.
fn plan_json_diagnostics(tf: &Tf) -> (i32, Vec<serde_json::Value>) {
    let out = tf.run(&["plan", "-json", "-no-color", "-input=false"]);
    let diags = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "diagnostic")
        .map(|v| v["diagnostic"].clone())
        .collect();
    (out.code, diags)
}

/// Asserts an error diagnostic with `summary` on `attribute` of `address`, whose detail contains
/// every needle.
#[track_caller]
fn assert_diag(diags: &[serde_json::Value], address: &str, attribute: &str, summary: &str, needles: &[&str]) {
    let found = diags.iter().find(|d| {
        let context = d["snippet"]["context"].as_str().unwrap_or_default();
        let code = d["snippet"]["code"].as_str().unwrap_or_default();
        let name = address.split('.').nth(1).unwrap_or_default();
        d["severity"] == "error"
            && d["summary"] == summary
            && (d["address"] == address || context.contains(&format!("\"{name}\"")))
            && code.contains(attribute)
    });
    let Some(d) = found else {
        panic!("no error {summary:?} on {address}.{attribute} among:\n{}", serde_json::to_string_pretty(diags).unwrap_or_default());
    };
    let detail = d["detail"].as_str().unwrap_or_default();
    for n in needles {
        assert!(detail.contains(n), "{summary}: detail lacks {n:?}: {detail}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn create_noop_update_replace_destroy() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, vpc_opts(3)));
    let (rt0, rt1) = (vpc.route_tables[0].clone(), vpc.route_tables[1].clone());
    let proxy = Proxy::start();
    let tf = Tf::new();
    let body = |service: &str, tables: &[String], policy: Option<&str>, tags: &str| {
        let policy = policy.map(|p| format!("  policy          = <<-EOT\n{p}\n  EOT\n")).unwrap_or_default();
        format!(
            "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"{service}\"\n  route_table_ids = {}\n{policy}  tags            = {tags}\n  timeouts {{\n    create = \"5m\"\n    delete = \"5m\"\n  }}\n}}\n",
            vpc.id,
            hcl_list(tables),
        )
    };

    // --- create
    let read_only = policy("s3:GetObject");
    tf.write_via(&proxy.url, &body("s3", std::slice::from_ref(&rt0), Some(&read_only), "{ Name = \"gw\" }"));
    tf.apply().ok();
    let creates = proxy.calls("CreateVpcEndpoint");
    assert_eq!(creates.len(), 1, "one CreateVpcEndpoint request");
    let token = param(&creates[0], "ClientToken").expect("a ClientToken is sent").to_string();
    assert!(uuid_like(&token), "ClientToken {token:?} is a fresh UUID");
    assert_eq!(param(&creates[0], "VpcEndpointType"), Some("Gateway"));
    assert_eq!(param(&creates[0], "ServiceName"), Some(S3), "short name resolved against the provider region");

    let state = tf.resource("vpce_gateway.s3");
    let id = state["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("vpce-"), "{state}");
    assert_eq!(state["service_name"], "s3", "the user's spelling stays in the state");
    assert_eq!(state["state"], "available");
    assert_eq!(state["owner_id"], "123456789012");
    assert_eq!(state["arn"], format!("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{id}"));
    let pl = rt.block_on(prefix_list_id(&client, S3));
    assert_eq!(state["prefix_list_id"], pl.as_str());
    let cidrs = sorted_strings(&state["cidr_blocks"]);
    assert!(!cidrs.is_empty() && cidrs.iter().all(|c| c.contains('/')), "cidr_blocks from the prefix list: {state}");
    assert_eq!(sorted_strings(&state["route_table_ids"]), vec![rt0.clone()]);
    assert_eq!(state["tags"]["Name"], "gw");

    let ep = rt.block_on(endpoint(&client, &id)).expect("endpoint exists in EC2");
    assert_eq!(ep.vpc_endpoint_type(), Some(&VpcEndpointType::Gateway));
    assert_eq!(ep.service_name(), Some(S3));
    assert_eq!(ep.vpc_id(), Some(vpc.id.as_str()));
    assert_eq!(route_tables_of(&ep), vec![rt0.clone()]);
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "gw")]), "tags set at creation");
    assert_eq!(json(ep.policy_document().unwrap_or_default()), json(&read_only));
    assert_eq!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).len(), 1);

    // --- no-op plan, also after reformatting the policy and spelling the service in full
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after create:\n{}", out.all());
    no_warnings(&out);
    let reformatted = "{\n  \"Statement\": [\n    {\"Resource\": \"*\", \"Action\": [\"s3:GetObject\"], \"Principal\": \"*\", \"Effect\": \"Allow\"}\n  ],\n  \"Version\": \"2012-10-17\"\n}";
    tf.write_via(&proxy.url, &body("s3", std::slice::from_ref(&rt0), Some(reformatted), "{ Name = \"gw\" }"));
    let out = tf.plan();
    assert_eq!(out.code, 0, "a reformatted policy is no change:\n{}", out.all());
    // The full service name is the same service: no change (the state keeps its spelling).
    tf.write_via(&proxy.url, &body(S3, std::slice::from_ref(&rt0), Some(reformatted), "{ Name = \"gw\" }"));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), vec!["no-op"]);

    // --- update: add a route table, change policy and tags
    let write_all = policy("s3:*");
    tf.write_via(&proxy.url, &body("s3", &[rt0.clone(), rt1.clone()], Some(&write_all), "{ Name = \"gw2\", env = \"test\" }"));
    assert_eq!(actions(&tf.plan_changes(), "vpce_gateway.s3"), vec!["update"]);
    proxy.clear();
    tf.apply().ok();
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert_eq!(modifies.len(), 1, "route tables and policy in one ModifyVpcEndpoint");
    assert_eq!(param_list(&modifies[0], "AddRouteTableId"), vec![rt1.clone()]);
    assert!(proxy.calls("CreateVpcEndpoint").is_empty() && proxy.calls("DeleteVpcEndpoints").is_empty(), "updated in place");
    let ep = rt.block_on(endpoint(&client, &id)).expect("endpoint still exists");
    assert_eq!(route_tables_of(&ep), sorted(vec![rt0.clone(), rt1.clone()]));
    assert_eq!(json(ep.policy_document().unwrap_or_default()), json(&write_all));
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "gw2"), ("env", "test")]));
    assert_eq!(tf.resource("vpce_gateway.s3")["id"], id.as_str(), "same endpoint");

    // --- EC2 added the route to rt1 with the association
    assert!(rt.block_on(has_endpoint_route(&client, &rt1, &pl, &id)), "route added by ModifyVpcEndpoint");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);
    // --- route check: a route gone from an associated table is reported, until it is back
    rt.block_on(client.delete_route().route_table_id(&rt1).destination_prefix_list_id(&pl).send()).expect("delete route");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    let text = unwrap_lines(&out.all());
    assert!(text.contains("Warning: Missing route to the gateway endpoint"), "{}", out.all());
    assert!(text.contains(&format!("Route table {rt1} is associated with {id}")) && text.contains(&pl), "{}", out.all());
    assert!(text.contains("route_table_ids"), "warning points at route_table_ids:\n{}", out.all());
    assert!(!text.contains(&format!("Route table {rt0} is")), "rt0 has its route:\n{}", out.all());
    rt.block_on(add_endpoint_route(&client, &rt1, &pl, &id));
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);

    // --- removing the policy resets it to the default (ResetPolicy)
    tf.write_via(&proxy.url, &body("s3", &[rt0.clone(), rt1.clone()], None, "{ Name = \"gw2\", env = \"test\" }"));
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("policy") && out.stdout.contains("(known after apply)"), "{}", out.stdout);
    proxy.clear();
    tf.apply().ok();
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert_eq!(modifies.len(), 1);
    assert_eq!(param(&modifies[0], "ResetPolicy"), Some("true"), "{:?}", modifies[0]);
    assert_eq!(param(&modifies[0], "PolicyDocument"), None);
    let ep = rt.block_on(endpoint(&client, &id)).expect("endpoint");
    assert_eq!(json(ep.policy_document().unwrap_or_default()), json(DEFAULT_POLICY), "EC2 restored the default policy");
    let out = tf.plan();
    assert_eq!(out.code, 0, "the default policy is no diff when policy is not configured:\n{}", out.all());
    tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]).ok();
    assert_eq!(
        json(tf.resource("vpce_gateway.s3")["policy"].as_str().unwrap_or_default()),
        json(DEFAULT_POLICY),
        "refreshed to AWS's policy"
    );

    // --- remove a route table
    tf.write_via(&proxy.url, &body("s3", std::slice::from_ref(&rt1), None, "{ Name = \"gw2\" }"));
    proxy.clear();
    tf.apply().ok();
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert_eq!(modifies.len(), 1);
    assert_eq!(param_list(&modifies[0], "RemoveRouteTableId"), vec![rt0.clone()]);
    let ep = rt.block_on(endpoint(&client, &id)).expect("endpoint");
    assert_eq!(route_tables_of(&ep), vec![rt1.clone()]);
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "gw2")]), "tag removed with DeleteTags");
    assert_eq!(tf.plan().code, 0);

    // --- replace: another service
    tf.write_via(&proxy.url, &body("dynamodb", std::slice::from_ref(&rt1), None, "{ Name = \"gw2\" }"));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), vec!["delete", "create"], "service_name forces replacement");
    proxy.clear();
    tf.apply().ok();
    let new_id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("new id").to_string();
    assert_ne!(new_id, id);
    assert!(rt.block_on(endpoint(&client, &id)).is_none(), "old endpoint deleted");
    let ep = rt.block_on(endpoint(&client, &new_id)).expect("new endpoint");
    assert_eq!(ep.service_name(), Some(DYNAMODB));
    assert_eq!(route_tables_of(&ep), vec![rt1.clone()]);
    let creates = proxy.calls("CreateVpcEndpoint");
    assert_eq!(creates.len(), 1);
    assert_ne!(param(&creates[0], "ClientToken"), Some(token.as_str()), "a new token per apply");
    let state = tf.resource("vpce_gateway.s3");
    assert_eq!(state["prefix_list_id"], rt.block_on(prefix_list_id(&client, DYNAMODB)).as_str());
    assert_eq!(tf.plan().code, 0);

    // --- destroy
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty(), "no endpoint left");
    assert!(tf.resource("vpce_gateway.s3").is_null());
}

fn uuid_like(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn drift_out_of_band_association_removal_and_deletion() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, vpc_opts(2)));
    let tables = vpc.route_tables.clone();
    let tf = Tf::new();
    tf.write(&format!(
        "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = {}\n}}\n",
        vpc.id,
        hcl_list(&tables)
    ));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    assert_eq!(tf.plan().code, 0);

    // An association removed outside Terraform: planned back.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_route_table_ids(&tables[1]).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), vec!["update"]);
    let change = changes.iter().find(|c| c["address"] == "vpce_gateway.s3").expect("change");
    assert_eq!(sorted_strings(&change["change"]["before"]["route_table_ids"]), vec![tables[0].clone()]);
    assert_eq!(sorted_strings(&change["change"]["after"]["route_table_ids"]), sorted(tables.clone()));
    tf.apply().ok();
    let ep = rt.block_on(endpoint(&client, &id)).expect("endpoint");
    assert_eq!(route_tables_of(&ep), sorted(tables.clone()), "association restored");
    assert_eq!(tf.plan().code, 0);

    // Deleted outside Terraform: removed from the state and planned for creation.
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&id).send()).expect("delete");
    assert!(rt.block_on(endpoint(&client, &id)).is_none());
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), vec!["create"]);
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    tf.apply().ok();
    let new_id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    assert_ne!(new_id, id);
    let ep = rt.block_on(endpoint(&client, &new_id)).expect("recreated");
    assert_eq!(route_tables_of(&ep), sorted(tables.clone()));
    assert_eq!(tf.plan().code, 0);

    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

#[test]
fn import_with_cli_and_import_block() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, vpc_opts(2)));
    let tables = vpc.route_tables.clone();
    let custom = policy("s3:GetObject");
    let created = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .vpc_id(&vpc.id)
                .service_name(S3)
                .set_route_table_ids(Some(tables.clone()))
                .policy_document(&custom)
                .tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::VpcEndpoint)
                        .tags(Tag::builder().key("Name").value("imported").build())
                        .build(),
                )
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();

    // CLI import, with the short service name and a reformatted policy in the configuration.
    let tf = Tf::new();
    let reformatted = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{ \"Action\": \"s3:GetObject\", \"Effect\": \"Allow\", \"Resource\": \"*\", \"Principal\": \"*\" }]\n}";
    let config = |service: &str| {
        format!(
            "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"{service}\"\n  route_table_ids = {}\n  policy          = <<-EOT\n{reformatted}\n  EOT\n  tags            = {{ Name = \"imported\" }}\n}}\n",
            vpc.id,
            hcl_list(&tables)
        )
    };
    tf.write(&config("s3"));
    let out = tf.import("vpce_gateway.s3", &id).ok();
    assert!(out.stdout.contains("Import successful"), "{}", out.all());
    let state = tf.resource("vpce_gateway.s3");
    assert_eq!(state["id"], id.as_str());
    assert_eq!(state["vpc_id"], vpc.id.as_str());
    assert_eq!(state["service_name"], S3, "import stores the full name from AWS");
    assert_eq!(sorted_strings(&state["route_table_ids"]), sorted(tables.clone()));
    assert_eq!(json(state["policy"].as_str().unwrap_or_default()), json(&custom));
    assert_eq!(state["tags"]["Name"], "imported");
    assert_eq!(state["arn"], format!("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{id}"));
    assert!(state["prefix_list_id"].as_str().unwrap_or_default().starts_with("pl-"), "{state}");
    assert!(state["timeouts"].is_null());
    // The configuration spells the service `s3`, which is the same service: the plan after the
    // import is clean at once (the state keeps EC2's full name).
    let out = tf.plan();
    assert_eq!(out.code, 0, "clean plan after import:\n{}", out.all());
    no_warnings(&out);

    // import {} block, in another working directory, with the full service name.
    let tf2 = Tf::new();
    tf2.write(&format!("import {{\n  to = vpce_gateway.s3\n  id = \"{id}\"\n}}\n\n{}", config(S3)));
    let out = tf2.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{}", out.stdout);
    tf2.apply().ok();
    assert_eq!(tf2.resource("vpce_gateway.s3")["id"], id.as_str());
    let out = tf2.plan();
    assert_eq!(out.code, 0, "clean plan after import block:\n{}", out.all());

    // Refused imports.
    let tf3 = Tf::new();
    tf3.write(&config("s3"));
    tf3.import("vpce_gateway.s3", "rtb-0123456789abcdef0").fails_with(&["Invalid import ID", "is not a VPC endpoint ID"]);
    tf3.import("vpce_gateway.s3", "vpce-0123456789abcdef0")
        .fails_with(&["Cannot import: endpoint not found", "vpce-0123456789abcdef0 does not exist"]);
    let interface = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .vpc_id(&vpc.id)
                .service_name("com.amazonaws.us-east-1.ec2")
                .subnet_ids(&vpc.subnets[0].id)
                .send(),
        )
        .expect("create interface endpoint");
    let iid = interface.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    tf3.import("vpce_gateway.s3", &iid).fails_with(&[
        "Not a gateway endpoint",
        "Interface endpoint",
        "Import it as a vpce_interface resource instead.",
    ]);
    assert!(tf3.resource("vpce_gateway.s3").is_null(), "nothing imported");

    // Clean up through Terraform (the endpoint is in two states: destroy once, forget the other).
    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&client, &id)).is_none());
    tf2.run(&["state", "rm", "vpce_gateway.s3"]).ok();
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&iid).send()).expect("delete interface endpoint");
}

#[test]
fn plan_time_validation_against_ec2() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, vpc_opts(1)));
    let other = rt.block_on(vpc_fn(&client, vpc_opts(1)));
    let (mine, theirs) = (vpc.route_tables[0].clone(), other.route_tables[0].clone());
    let tf = Tf::new();
    let resource = |name: &str, vpc_id: &str, service: &str, tables: &[String]| {
        format!("resource \"vpce_gateway\" \"{name}\" {{\n  vpc_id          = \"{vpc_id}\"\n  service_name    = \"{service}\"\n  route_table_ids = {}\n}}\n\n", hcl_list(tables))
    };
    let mut body = String::new();
    body += &resource("no_gateway", &vpc.id, "com.amazonaws.us-east-1.ec2", std::slice::from_ref(&mine));
    body += &resource("other_region", &vpc.id, "com.amazonaws.eu-west-1.s3", std::slice::from_ref(&mine));
    body += &resource("foreign_table", &vpc.id, "s3", &[mine.clone(), theirs.clone()]);
    body += &resource("missing_table", &vpc.id, "dynamodb", &["rtb-0123456789abcdef0".to_string()]);
    body += &resource("missing_vpc", "vpc-0123456789abcdef0", "s3", &[]);
    body += &resource("unknown_service", &vpc.id, "com.amazonaws.us-east-1.nosuchservice", &[]);
    tf.write(&body);
    let (code, diags) = plan_json_diagnostics(&tf);
    assert_ne!(code, 0);
    assert_diag(
        &diags,
        "vpce_gateway.no_gateway",
        "service_name",
        "Service does not support Gateway endpoints",
        &["com.amazonaws.us-east-1.ec2 supports Interface only", "vpce_interface"],
    );
    assert_diag(
        &diags,
        "vpce_gateway.other_region",
        "service_name",
        "Service is in another region",
        &["eu-west-1", "us-east-1", "com.amazonaws.us-east-1.s3"],
    );
    assert_diag(&diags, "vpce_gateway.foreign_table", "route_table_ids", "Route table is not in the VPC", &[&theirs, &other.id, &vpc.id]);
    assert_diag(&diags, "vpce_gateway.missing_table", "route_table_ids", "Route table not found", &["rtb-0123456789abcdef0"]);
    assert_diag(&diags, "vpce_gateway.missing_vpc", "vpc_id", "VPC not found", &["vpc-0123456789abcdef0"]);
    assert_diag(&diags, "vpce_gateway.unknown_service", "service_name", "Unknown endpoint service", &["nosuchservice"]);
    assert!(
        !diags.iter().any(|d| d["summary"] == "Route table is not in the VPC"
            && d["detail"].as_str().unwrap_or_default().contains(&format!("Route table {mine} "))),
        "own table accepted"
    );

    // The human-readable output carries the same, pointing at the attribute.
    tf.write(&resource("no_gateway", &vpc.id, "com.amazonaws.us-east-1.ec2", std::slice::from_ref(&mine)));
    let out = tf.plan().fails_with(&[
        "Error: Service does not support Gateway endpoints",
        "supports Interface only",
        "with vpce_gateway.no_gateway",
        "service_name    = \"com.amazonaws.us-east-1.ec2\"",
    ]);
    assert_eq!(out.code, 1);

    // A valid configuration next to unknown values plans without AWS complaints.
    tf.write(&format!(
        "resource \"vpce_gateway\" \"a\" {{\n  vpc_id       = \"{}\"\n  service_name = \"s3\"\n}}\n\nresource \"vpce_gateway\" \"b\" {{\n  vpc_id          = vpce_gateway.a.vpc_id\n  service_name    = \"dynamodb\"\n  route_table_ids = [\"{mine}\"]\n  policy          = vpce_gateway.a.policy\n}}\n",
        vpc.id
    ));
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty(), "plans create nothing");
    // ...and applies: b's policy was unknown at plan time.
    tf.apply().ok();
    assert_eq!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).len(), 2);
    let (a, b) = (tf.resource("vpce_gateway.a"), tf.resource("vpce_gateway.b"));
    assert_eq!(json(a["policy"].as_str().unwrap_or_default()), json(DEFAULT_POLICY));
    assert_eq!(a["policy"], b["policy"]);
    assert_eq!(tf.plan().code, 0);
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

/// `vpc` under another name, for a second VPC inside a test that already binds `vpc`.
async fn vpc_fn(client: &aws_sdk_ec2::Client, opts: VpcOpts) -> TestVpc {
    vpc(client, opts).await
}

#[test]
fn static_validation_errors() {
    let tf = Tf::new();
    let resource = |name: &str, attrs: &str| format!("resource \"vpce_gateway\" \"{name}\" {{\n{attrs}\n}}\n\n");
    let ok_vpc = "  vpc_id       = \"vpc-0123456789abcdef0\"\n";
    let mut body = String::new();
    body += &resource("short_ec2", &format!("{ok_vpc}  service_name = \"ec2\""));
    body += &resource("bad_vpc", "  vpc_id       = \"subnet-0123456789abcdef0\"\n  service_name = \"s3\"");
    body += &resource("bad_table", &format!("{ok_vpc}  service_name = \"s3\"\n  route_table_ids = [\"sg-0123456789abcdef0\"]"));
    body += &resource("bad_policy", &format!("{ok_vpc}  service_name = \"s3\"\n  policy = \"{{not json\""));
    body += &resource("array_policy", &format!("{ok_vpc}  service_name = \"s3\"\n  policy = jsonencode([1, 2])"));
    body += &resource("bad_timeout", &format!("{ok_vpc}  service_name = \"s3\"\n  timeouts {{\n    create = \"soon\"\n  }}"));
    body += &resource("aws_tag", &format!("{ok_vpc}  service_name = \"s3\"\n  tags = {{ \"aws:owner\" = \"me\" }}"));
    tf.write(&body);
    let (code, diags) = plan_json_diagnostics(&tf);
    assert_ne!(code, 0);
    assert_diag(
        &diags,
        "vpce_gateway.short_ec2",
        "service_name",
        "Unsupported short service name",
        &["\"ec2\"", "com.amazonaws.REGION.ec2", "s3", "dynamodb"],
    );
    assert_diag(&diags, "vpce_gateway.bad_vpc", "vpc_id", "Invalid VPC ID", &["subnet-0123456789abcdef0"]);
    assert_diag(&diags, "vpce_gateway.bad_table", "route_table_ids", "Invalid route table ID", &["sg-0123456789abcdef0", "rtb-"]);
    assert_diag(&diags, "vpce_gateway.bad_policy", "policy", "Invalid policy document", &["not valid JSON"]);
    assert_diag(&diags, "vpce_gateway.array_policy", "policy", "Invalid policy document", &["JSON object"]);
    assert_diag(&diags, "vpce_gateway.bad_timeout", "create", "Invalid timeout", &["\"soon\""]);
    assert_diag(&diags, "vpce_gateway.aws_tag", "tags", "Invalid tag key", &["aws:owner"]);
    assert_eq!(diags.iter().filter(|d| d["severity"] == "error").count(), 7, "one error each: {diags:#?}");
}

/// A VPC with one route table and a working directory with one S3 gateway endpoint in it
/// (`extra` lines added to the resource), whose provider talks to EC2 through a fresh proxy.
fn s3_gateway_via_proxy(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, extra: &str) -> (TestVpc, Proxy, Tf) {
    let vpc = rt.block_on(vpc(client, vpc_opts(1)));
    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_via(
        &proxy.url,
        &format!("resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{}\"]\n{extra}}}\n", vpc.id, vpc.route_tables[0]),
    );
    (vpc, proxy, tf)
}

/// The only resource in the state (`terraform show -json`), with its address, values and taint.
fn kept_resource(tf: &Tf) -> serde_json::Value {
    let state = tf.state();
    state["values"]["root_module"]["resources"].as_array().and_then(|r| r.first()).cloned().expect("resource kept in state")
}

#[test]
fn nothing_is_lost_when_waiting_fails_after_create() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (vpc, proxy, tf) = s3_gateway_via_proxy(&rt, &client, "  tags            = { Name = \"kept\" }\n");
    // Creation succeeds, answering `pending` (as EC2 may); every DescribeVpcEndpoints (the wait) fails.
    proxy.show_pending(&["*".to_string()]);
    proxy.fail("DescribeVpcEndpoints");
    let out = tf.apply().fails_with(&["VPC endpoint failed", "injected failure of DescribeVpcEndpoints", "saved in the state"]);
    assert_eq!(out.code, 1);
    proxy.heal();
    let live = rt.block_on(endpoints_in_vpc(&client, &vpc.id));
    assert_eq!(live.len(), 1, "created once");
    let id = live[0].vpc_endpoint_id().expect("id").to_string();
    let resource = kept_resource(&tf);
    assert_eq!(resource["values"]["id"], id.as_str(), "{resource}");
    assert_eq!(resource["values"]["vpc_id"], vpc.id.as_str());
    assert_eq!(resource["tainted"], true, "{resource}");
    // The next apply replaces the tainted endpoint; destroy cleans up.
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), vec!["delete", "create"]);
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

#[test]
fn interrupt_while_waiting_keeps_the_endpoint_in_the_state() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (vpc, proxy, tf) = s3_gateway_via_proxy(&rt, &client, "");
    // The endpoint stays `pending` (as real EC2 shows it for a while); Ctrl-C ends the wait.
    proxy.show_pending(&["*".to_string()]);
    let child = tf
        .command(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn terraform");
    let started = Instant::now();
    while proxy.calls("CreateVpcEndpoint").is_empty() || proxy.calls("DescribeVpcEndpoints").len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(60), "terraform never started waiting");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(proxy.calls("CreateVpcEndpoint").len(), 1);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let interrupted = Instant::now();
    let out = child.wait_with_output().expect("wait for terraform");
    proxy.heal();
    let text = unwrap_lines(&format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    assert!(interrupted.elapsed() < Duration::from_secs(20), "the wait ended promptly: {:?}", interrupted.elapsed());
    // Created by EC2, so saved as created (a warning, not an error): not tainted.
    assert!(text.contains("Interrupted while the endpoint was being created") && text.contains("saved in the state"), "{text}");

    let live = rt.block_on(endpoints_in_vpc(&client, &vpc.id));
    assert_eq!(live.len(), 1);
    let id = live[0].vpc_endpoint_id().expect("id");
    let resource = kept_resource(&tf);
    assert_eq!(resource["values"]["id"], id, "{resource}");
    assert_ne!(resource["tainted"], true, "{resource}");
    assert_eq!(tf.plan().code, 0, "the next plan replaces nothing");
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}
