//! Fault injection: Terraform drives the provider through scripts/ec2proxy.py, a loopback proxy in
//! front of moto that throttles (RequestLimitExceeded, HTTP 400/503), answers HTTP 500, resets
//! connections before forwarding and AFTER forwarding (moto executed the call, the client saw a
//! failure), and adds latency. The proxy emulates EC2's ClientToken idempotency for
//! CreateVpcEndpoint, which moto lacks (see the script's docstring).
//!
//! Everything is checked straight in moto (SDK without the proxy): what exists in EC2 is exactly
//! what is in the state.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::faultproxy::FaultProxy as Proxy;
use common::*;

// ---------------------------------------------------------------------------------------------
// The proxy
// ---------------------------------------------------------------------------------------------

fn n(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn summary(phase: &str, wall: Duration, s: &serde_json::Value) -> String {
    let f = &s["faults"];
    format!(
        "{phase:<8} {:>6.1}s  EC2 requests {:>4}  faults {:>3} (throttle {} [400: {}, 503: {}], internal 500 {}, reset before {}, reset after {})  idempotent replays {}  by action {}",
        wall.as_secs_f64(),
        n(&s["ec2_requests"]),
        n(&s["faults_total"]),
        n(&f["throttle"]),
        n(&s["throttle_status"]["400"]),
        n(&s["throttle_status"]["503"]),
        n(&f["internal"]),
        n(&f["reset_before"]),
        n(&f["reset_after"]),
        n(&s["idempotent_replays"]),
        s["by_action"],
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn provider_block(ec2_url: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\n\
         provider \"vpce\" {{\n  region      = \"{REGION}\"\n  max_retries = 25\n  endpoints {{\n    ec2 = \"{ec2_url}\"\n  }}\n}}\n\n"
    )
}

/// (address, id, tainted) of every resource in the state (`terraform show -json`).
fn state_resources(tf: &Tf) -> Vec<(String, String, bool)> {
    let state = tf.state();
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    (
                        r["address"].as_str().unwrap_or_default().to_string(),
                        r["values"]["id"].as_str().unwrap_or_default().to_string(),
                        r["tainted"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `status` of each resource instance in terraform.tfstate ("tainted" or absent).
fn raw_status(tf: &Tf) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(tf.path().join("terraform.tfstate")).expect("terraform.tfstate");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("tfstate json");
    let mut out = BTreeMap::new();
    for r in raw["resources"].as_array().into_iter().flatten() {
        let address = format!("{}.{}", r["type"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default());
        for i in r["instances"].as_array().into_iter().flatten() {
            out.insert(address.clone(), i["status"].as_str().unwrap_or("").to_string());
        }
    }
    out
}

/// Ids of the live (not `deleted`) endpoints in these VPCs, straight from moto.
async fn live_endpoints(ec2: &aws_sdk_ec2::Client, vpcs: &[TestVpc]) -> Vec<String> {
    let mut ids = Vec::new();
    for v in vpcs {
        ids.extend(endpoints_in_vpc(ec2, &v.id).await.iter().filter_map(|e| e.vpc_endpoint_id().map(str::to_string)));
    }
    ids
}

// ---------------------------------------------------------------------------------------------
// 40 endpoints through a 30% fault rate
// ---------------------------------------------------------------------------------------------

const VPCS: usize = 4;
const GATEWAYS_PER_VPC: usize = 5;
const INTERFACE_SERVICES: &[&str] = &["ssm", "sts", "kms", "logs", "ec2"];

/// 20 vpce_gateway (one route table each: S3 and DynamoDB) + 20 vpce_interface over 4 VPCs,
/// applied, planned and destroyed through the proxy with 30% of the EC2 calls failing.
#[test]
fn apply_40_endpoints_through_30_percent_faults() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let opts = VpcOpts { dns_support: true, dns_hostnames: true, subnets: 2, route_tables: GATEWAYS_PER_VPC, security_groups: 1 };
    let vpcs: Vec<TestVpc> = (0..VPCS).map(|_| rt.block_on(vpc(&ec2, opts.clone()))).collect();

    let mut body = String::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        for (r, rtb) in vpc.route_tables.iter().enumerate() {
            let service = if r < 3 { "s3" } else { "dynamodb" };
            body.push_str(&format!(
                "resource \"vpce_gateway\" \"g{v}_{r}\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"{service}\"\n  route_table_ids = [\"{rtb}\"]\n  tags            = {{ Name = \"faults-g{v}-{r}\" }}\n}}\n\n",
                vpc.id
            ));
        }
        for (i, service) in INTERFACE_SERVICES.iter().enumerate() {
            let subnet = &vpc.subnets[i % vpc.subnets.len()].id;
            body.push_str(&format!(
                "resource \"vpce_interface\" \"i{v}_{i}\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"com.amazonaws.{REGION}.{service}\"\n  subnet_ids         = [\"{subnet}\"]\n  security_group_ids = [\"{}\"]\n  tags               = {{ Name = \"faults-i{v}-{i}\" }}\n}}\n\n",
                vpc.id, vpc.security_groups[0]
            ));
        }
    }
    let expected = VPCS * (GATEWAYS_PER_VPC + INTERFACE_SERVICES.len());

    let proxy = Proxy::start(&["--fault-rate", "0.3", "--latency-ms", "0-50", "--seed", "7"]);
    let tf = Tf::new();
    tf.write_raw(&format!("{}{body}", provider_block(&proxy.url())));
    let mut report = Vec::new();

    // Apply.
    let started = Instant::now();
    let out = tf.apply();
    let wall = started.elapsed();
    let apply_stats = proxy.phase();
    report.push(summary("apply", wall, &apply_stats));
    assert_eq!(out.code, 0, "apply through the faulty proxy failed:\n{}\n\nproxy: {apply_stats}", out.all());

    // State == EC2, no duplicates.
    let resources = state_resources(&tf);
    let state_ids: Vec<String> = resources.iter().map(|(_, id, _)| id.clone()).collect();
    let state_set: BTreeSet<String> = state_ids.iter().cloned().collect();
    assert_eq!(resources.len(), expected, "resources in the state: {resources:?}");
    assert_eq!(state_set.len(), expected, "duplicate ids in the state: {state_ids:?}");
    assert!(state_ids.iter().all(|id| id.starts_with("vpce-")), "{state_ids:?}");
    assert!(resources.iter().all(|(_, _, tainted)| !tainted), "tainted resources: {resources:?}");
    let ec2_ids = rt.block_on(live_endpoints(&ec2, &vpcs));
    let ec2_set: BTreeSet<String> = ec2_ids.iter().cloned().collect();
    assert_eq!(ec2_ids.len(), ec2_set.len(), "EC2 lists an id twice: {ec2_ids:?}");
    let extra: Vec<&String> = ec2_set.difference(&state_set).collect();
    let missing: Vec<&String> = state_set.difference(&ec2_set).collect();
    assert!(extra.is_empty() && missing.is_empty(), "EC2 and state differ: in EC2 only {extra:?}, in state only {missing:?}");
    assert_eq!(ec2_ids.len(), expected, "live endpoints in EC2");
    // Every route table is routed by exactly one endpoint (no duplicate gateway behind the state's back).
    for vpc in &vpcs {
        let eps = rt.block_on(endpoints_in_vpc(&ec2, &vpc.id));
        for rtb in &vpc.route_tables {
            let users = eps.iter().filter(|e| e.route_table_ids().iter().any(|r| r == rtb)).count();
            assert_eq!(users, 1, "route table {rtb} is associated with {users} endpoints");
        }
    }

    // The faults really happened, and every CreateVpcEndpoint executed-then-reset was retried with
    // the same ClientToken (answered by the proxy's idempotency emulation, not created twice).
    let faults = &apply_stats["faults"];
    for kind in ["throttle", "internal", "reset_before", "reset_after"] {
        assert!(n(&faults[kind]) > 0, "no {kind} fault injected during the apply: {apply_stats}");
    }
    let ec2_requests = n(&apply_stats["ec2_requests"]) as f64;
    let rate = n(&apply_stats["faults_total"]) as f64 / ec2_requests;
    assert!((0.2..0.4).contains(&rate), "fault rate {rate:.2} over {ec2_requests} calls");
    let creates_reset_after = n(&apply_stats["faults_by_action"]["CreateVpcEndpoint"]["reset_after"]);
    assert!(
        n(&apply_stats["idempotent_replays"]) >= creates_reset_after,
        "{creates_reset_after} CreateVpcEndpoint calls were reset after executing, but only {} retries replayed their token: {apply_stats}",
        apply_stats["idempotent_replays"]
    );
    assert_eq!(n(&apply_stats["idempotent_mismatches"]), 0, "a ClientToken was reused with other parameters: {apply_stats}");

    // A second plan, still through the faults, has nothing to do.
    let started = Instant::now();
    let out = tf.plan();
    let wall = started.elapsed();
    let plan_stats = proxy.phase();
    report.push(summary("plan", wall, &plan_stats));
    assert_eq!(out.code, 0, "second plan is not empty (exit {}):\n{}", out.code, out.all());

    // Destroy through the faults: nothing left.
    let started = Instant::now();
    let out = tf.destroy();
    let wall = started.elapsed();
    let destroy_stats = proxy.phase();
    report.push(summary("destroy", wall, &destroy_stats));
    assert_eq!(out.code, 0, "destroy through the faulty proxy failed:\n{}", out.all());
    let left = rt.block_on(live_endpoints(&ec2, &vpcs));
    assert!(left.is_empty(), "endpoints left in EC2 after destroy: {left:?}");
    assert!(state_resources(&tf).is_empty(), "resources left in the state");

    println!(
        "\nfault injection, 30% of EC2 calls, {expected} endpoints ({} gateway + {} interface):",
        VPCS * GATEWAYS_PER_VPC,
        VPCS * INTERFACE_SERVICES.len()
    );
    for line in &report {
        println!("  {line}");
    }
}

// ---------------------------------------------------------------------------------------------
// Partial failure: created, then a later step fails
// ---------------------------------------------------------------------------------------------

/// Both resources send their tags inside CreateVpcEndpoint; the step after the create is waiting
/// for the endpoint (DescribeVpcEndpoints), as CreateVpcEndpoint answers `pending` (the proxy shows
/// every endpoint pending, as EC2 does for a while). Failing that step with a non-retryable error must
/// leave the created endpoint in the state, tainted, and the next apply replaces it. The
/// replacement's CreateVpcEndpoint calls are then reset after executing: still exactly one
/// endpoint each.
#[test]
fn created_then_failed_is_saved_tainted_and_replaced() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let opts = VpcOpts { dns_support: true, dns_hostnames: true, subnets: 1, route_tables: 1, security_groups: 1 };
    let vpc = rt.block_on(vpc(&ec2, opts));
    let vpcs = [vpc.clone()];

    let proxy = Proxy::start(&["--fail-action", "DescribeVpcEndpoints:UnauthorizedOperation:403"]);
    proxy.control("POST", "/__pending", r#"{"ids": ["*"]}"#);
    let tf = Tf::new();
    tf.write_raw(&format!(
        "{}resource \"vpce_gateway\" \"g\" {{\n  vpc_id          = \"{vpc}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{rtb}\"]\n  tags            = {{ Name = \"partial\" }}\n}}\n\n\
         resource \"vpce_interface\" \"i\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"com.amazonaws.{REGION}.ssm\"\n  subnet_ids   = [\"{subnet}\"]\n  tags         = {{ Name = \"partial\" }}\n}}\n",
        provider_block(&proxy.url()),
        vpc = vpc.id,
        rtb = vpc.route_tables[0],
        subnet = vpc.subnets[0].id,
    ));

    let out = tf.apply();
    let stats = proxy.phase();
    assert_ne!(out.code, 0, "apply should fail when DescribeVpcEndpoints is denied:\n{}", out.all());
    assert!(n(&stats["failed_actions"]["DescribeVpcEndpoints"]) > 0, "the failure was not exercised: {stats}");
    assert_eq!(n(&stats["by_action"]["CreateVpcEndpoint"]), 2, "{stats}");
    let text = unwrap_lines(&out.all());
    assert!(text.contains("UnauthorizedOperation"), "the error reaches the user:\n{}", out.all());
    let all = out.all();
    let errors: Vec<&str> = all.lines().filter(|l| l.contains("Error:")).map(str::trim).collect();
    println!("\npartial failure (DescribeVpcEndpoints denied after CreateVpcEndpoint): apply exit {}, {errors:?}", out.code);

    let resources = state_resources(&tf);
    assert_eq!(resources.len(), 2, "both created endpoints are in the state: {resources:?}\n{}", out.all());
    let raw = raw_status(&tf);
    let mut first = BTreeMap::new();
    for (address, id, tainted) in &resources {
        assert!(id.starts_with("vpce-"), "{address} has id {id:?}");
        assert!(tainted, "{address} is not tainted in `show -json`: {resources:?}");
        assert_eq!(raw.get(address).map(String::as_str), Some("tainted"), "{address} status in terraform.tfstate: {raw:?}");
        let ep = rt.block_on(endpoint(&ec2, id));
        assert!(ep.is_some(), "{address}: {id} is not in EC2");
        first.insert(address.clone(), id.clone());
    }
    let live = rt.block_on(live_endpoints(&ec2, &vpcs));
    assert_eq!(sorted(live), sorted(first.values().cloned().collect()), "EC2 holds exactly what the state holds");
    println!("  saved in the state, tainted: {first:?}");

    // Recovery: DescribeVpcEndpoints works again; each new CreateVpcEndpoint is executed by moto
    // but its answer lost (twice), so the provider only gets it through a ClientToken retry.
    proxy.control("POST", "/__heal", "{}");
    proxy.configure(serde_json::json!({
        "fail_actions": {},
        "script": {"CreateVpcEndpoint": ["reset_after", "reset_after"]}
    }));
    let out = tf.apply();
    let stats = proxy.phase();
    assert_eq!(out.code, 0, "the replacing apply failed:\n{}\n\nproxy: {stats}", out.all());
    assert_eq!(n(&stats["faults"]["reset_after"]), 2, "{stats}");
    assert!(n(&stats["idempotent_replays"]) >= 2, "{stats}");
    let resources = state_resources(&tf);
    assert_eq!(resources.len(), 2, "{resources:?}");
    for (address, id, tainted) in &resources {
        assert!(!tainted, "{address} still tainted");
        assert!(id.starts_with("vpce-") && Some(id) != first.get(address), "{address} was not replaced: {id}");
        assert!(rt.block_on(endpoint(&ec2, &first[address])).is_none(), "{address}: old {} still live", first[address]);
    }
    let live = rt.block_on(live_endpoints(&ec2, &vpcs));
    let ids: Vec<String> = resources.iter().map(|(_, id, _)| id.clone()).collect();
    assert_eq!(sorted(live), sorted(ids.clone()), "exactly one live endpoint per resource");
    println!(
        "  replaced by {ids:?}; the replacing CreateVpcEndpoint calls were reset after executing twice, answered by {} ClientToken replays",
        stats["idempotent_replays"]
    );
    let out = tf.plan();
    assert_eq!(out.code, 0, "plan after the replacement is not empty:\n{}", out.all());

    tf.destroy().ok();
    assert!(rt.block_on(live_endpoints(&ec2, &vpcs)).is_empty());
}

/// An EC2 endpoint that refuses connections: nothing can have been sent, so the create fails
/// after the SDK's `max_retries` attempts, saying so, instead of sending the same ClientToken
/// again until the create timeout (kept for outcomes that are really unknown).
#[test]
fn a_create_against_a_refused_connection_fails_after_max_retries() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let tf = Tf::new();
    tf.write_raw(&format!(
        "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\n\
         provider \"vpce\" {{\n  region      = \"{REGION}\"\n  max_retries = 2\n  endpoints {{\n    ec2 = \"http://127.0.0.1:{closed}\"\n  }}\n}}\n\n\
         resource \"vpce_gateway\" \"s3\" {{\n  vpc_id       = \"vpc-0123456789abcdef0\"\n  service_name = \"s3\"\n  timeouts {{\n    create = \"10m\"\n  }}\n}}\n"
    ));
    let started = Instant::now();
    let out = tf.apply().fails_with(&["Cannot create the gateway endpoint", "never reached EC2"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(90), "took {took:?} (the create timeout is 10 min):\n{}", out.all());
    assert!(tf.state()["values"]["root_module"]["resources"].as_array().is_none_or(|r| r.is_empty()), "nothing in the state");
}
