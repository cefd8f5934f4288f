//! Batched reads and writes, through the recording proxy (scripts/ec2proxy.py) in front of moto, with real
//! Terraform: concurrent deletes share DeleteVpcEndpoints calls and each endpoint gets its own
//! outcome (an `Unsuccessful` item fails only its resource; a NotFound one means already gone),
//! identical tag changes share CreateTags calls (a refused resource fails alone), and throttling
//! answers are retried without failing the run; a refresh of many endpoints is answered from one
//! listing (the read-ahead) and still sees every change made behind Terraform's back. Checked in
//! moto and in the state.

mod common;

use std::collections::BTreeSet;

use common::proxy::{param, Proxy};
use common::*;

/// Endpoints per test; with `-parallelism` above it, Terraform deletes them all at once.
const N: usize = 12;

fn provider(proxy: &Proxy) -> String {
    Tf::provider_block_for(&proxy.url)
}

/// N gateway endpoints (S3, one route table each, in one VPC) tagged `Round = round`.
fn gateways(vpc: &TestVpc, round: u32) -> String {
    let mut body = String::new();
    for (i, rtb) in vpc.route_tables.iter().enumerate() {
        body.push_str(&format!(
            "resource \"vpce_gateway\" \"g{i}\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{rtb}\"]\n  tags            = {{ Name = \"batch-{i}\", Round = \"{round}\" }}\n}}\n\n",
            vpc.id
        ));
    }
    body
}

fn setup(round: u32) -> (tokio::runtime::Runtime, aws_sdk_ec2::Client, TestVpc, Proxy, Tf) {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let opts = VpcOpts { dns_support: true, dns_hostnames: true, subnets: 1, route_tables: N, security_groups: 0 };
    let vpc = rt.block_on(vpc(&ec2, opts));
    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_raw(&format!("{}{}", provider(&proxy), gateways(&vpc, round)));
    (rt, ec2, vpc, proxy, tf)
}

fn run(tf: &Tf, args: &[&str]) -> TfOutput {
    let mut all = args.to_vec();
    all.extend(["-auto-approve", "-no-color", "-input=false", "-parallelism=30"]);
    tf.run(&all)
}

/// The ids each recorded call of `action` names under `prefix` (`VpcEndpointId`, `ResourceId`).
fn ids_per_call(proxy: &Proxy, action: &str, prefix: &str) -> Vec<Vec<String>> {
    let p = format!("{prefix}.");
    proxy.calls(action).iter().map(|call| call.iter().filter(|(k, _)| k.starts_with(&p)).map(|(_, v)| v.clone()).collect()).collect()
}

/// (address, id) of every resource in the state.
fn state_ids(tf: &Tf) -> Vec<(String, String)> {
    tf.state()["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    (r["address"].as_str().unwrap_or_default().to_string(), r["values"]["id"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn live(rt: &tokio::runtime::Runtime, ec2: &aws_sdk_ec2::Client, vpc: &TestVpc) -> BTreeSet<String> {
    rt.block_on(endpoints_in_vpc(ec2, &vpc.id)).iter().filter_map(|e| e.vpc_endpoint_id().map(str::to_string)).collect()
}

#[test]
fn concurrent_destroy_shares_delete_calls_and_one_refused_endpoint_fails_alone() {
    let (rt, ec2, vpc, proxy, tf) = setup(1);
    run(&tf, &["apply"]).ok();
    let ids: BTreeSet<String> = state_ids(&tf).into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), N);

    // One endpoint is refused by EC2 (an Unsuccessful item), another is already gone (deleted
    // behind Terraform's back, and the destroy does not refresh: EC2's NotFound item tells).
    let (refused, gone) = {
        let mut it = ids.iter();
        (it.next().unwrap().clone(), it.next().unwrap().clone())
    };
    rt.block_on(ec2.delete_vpc_endpoints().vpc_endpoint_ids(&gone).send()).expect("delete out of band");
    proxy.refuse("DeleteVpcEndpoints", std::slice::from_ref(&refused), "OperationNotPermitted");
    proxy.refuse("DeleteVpcEndpoints", std::slice::from_ref(&gone), "InvalidVpcEndpoint.NotFound");
    proxy.clear();
    let out = run(&tf, &["destroy", "-refresh=false"]);
    let calls = ids_per_call(&proxy, "DeleteVpcEndpoints", "VpcEndpointId");
    let sent: Vec<&String> = calls.iter().flatten().collect();
    println!(
        "destroy of {N} endpoints: {} DeleteVpcEndpoints calls carrying {:?} ids",
        calls.len(),
        calls.iter().map(Vec::len).collect::<Vec<_>>()
    );

    // Every endpoint was asked for exactly once, in far fewer calls than endpoints.
    assert_eq!(sent.iter().collect::<BTreeSet<_>>().len(), N, "every endpoint is in a DeleteVpcEndpoints call: {calls:?}");
    assert_eq!(sent.len(), N, "no endpoint was asked for twice: {calls:?}");
    assert!(calls.len() <= 3, "{N} concurrent deletes took {} calls: {calls:?}", calls.len());

    // Only the refused endpoint failed; it is still in EC2 and in the state, nothing else is.
    let text = unwrap_lines(&out.all());
    assert_ne!(out.code, 0, "the refused endpoint must fail the destroy:\n{}", out.all());
    assert!(text.contains(&format!("EC2 did not delete {refused}: OperationNotPermitted")), "{}", out.all());
    assert_eq!(text.matches("Error:").count(), 1, "one error, for the refused endpoint only:\n{}", out.all());
    assert_eq!(live(&rt, &ec2, &vpc), BTreeSet::from([refused.clone()]), "EC2 holds only the refused endpoint");
    let left: Vec<String> = state_ids(&tf).into_iter().map(|(_, id)| id).collect();
    assert_eq!(left, vec![refused.clone()], "the state holds only the refused endpoint");

    // Once EC2 lets it go, the next destroy deletes it.
    proxy.heal();
    run(&tf, &["destroy"]).ok();
    assert!(live(&rt, &ec2, &vpc).is_empty());
    assert!(state_ids(&tf).is_empty());
}

#[test]
fn identical_tag_changes_share_create_tags_and_a_refused_resource_fails_alone() {
    let (rt, ec2, vpc, proxy, tf) = setup(1);
    run(&tf, &["apply"]).ok();
    let ids: Vec<String> = state_ids(&tf).into_iter().map(|(_, id)| id).collect();

    // Round 1 -> 2 on all N: one change, so one CreateTags for all (at most a few).
    tf.write_raw(&format!("{}{}", provider(&proxy), gateways(&vpc, 2)));
    proxy.clear();
    let out = run(&tf, &["apply"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let calls = ids_per_call(&proxy, "CreateTags", "ResourceId");
    println!(
        "tag change on {N} endpoints: {} CreateTags calls carrying {:?} resources",
        calls.len(),
        calls.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert!(calls.len() <= 3, "{N} identical tag changes took {} CreateTags calls: {calls:?}", calls.len());
    let tagged: BTreeSet<&String> = calls.iter().flatten().collect();
    assert_eq!(tagged.len(), N, "{calls:?}");
    for call in proxy.calls("CreateTags") {
        assert_eq!((param(&call, "Tag.1.Key"), param(&call, "Tag.1.Value"), param(&call, "Tag.2.Key")), (Some("Round"), Some("2"), None));
    }
    let round = |rt: &tokio::runtime::Runtime| -> Vec<(String, Option<String>)> {
        rt.block_on(endpoints_in_vpc(&ec2, &vpc.id))
            .iter()
            .map(|e| {
                let r = e.tags().iter().find(|t| t.key() == Some("Round")).and_then(|t| t.value()).map(str::to_string);
                (e.vpc_endpoint_id().unwrap_or_default().to_string(), r)
            })
            .collect()
    };
    assert!(round(&rt).iter().all(|(_, r)| r.as_deref() == Some("2")), "{:?}", round(&rt));

    // Round 2 -> 3 with EC2 refusing one endpoint: the shared call fails, each is tagged alone,
    // and only the refused one fails.
    let bad = ids[0].clone();
    proxy.refuse("CreateTags", std::slice::from_ref(&bad), "InvalidVpcEndpointId.NotFound");
    tf.write_raw(&format!("{}{}", provider(&proxy), gateways(&vpc, 3)));
    proxy.clear();
    let out = run(&tf, &["apply"]);
    let text = unwrap_lines(&out.all());
    assert_ne!(out.code, 0, "{}", out.all());
    assert_eq!(text.matches("Error: Cannot set tags").count(), 1, "{}", out.all());
    assert!(text.contains(&format!("{bad}: EC2 CreateTags failed: InvalidVpcEndpointId.NotFound")), "{}", out.all());
    for (id, r) in round(&rt) {
        assert_eq!(r.as_deref(), Some(if id == bad { "2" } else { "3" }), "{id}");
    }
    let calls = ids_per_call(&proxy, "CreateTags", "ResourceId");
    assert!(calls.iter().any(|c| c == &vec![bad.clone()]), "after the shared call failed, the refused endpoint was tried alone: {calls:?}");

    proxy.heal();
    run(&tf, &["apply"]).ok();
    assert!(round(&rt).iter().all(|(_, r)| r.as_deref() == Some("3")));
    run(&tf, &["destroy"]).ok();
    assert!(live(&rt, &ec2, &vpc).is_empty());
}

#[test]
fn throttled_batched_writes_are_retried() {
    let (rt, ec2, vpc, proxy, tf) = setup(1);
    run(&tf, &["apply"]).ok();
    let faults = proxy.faults();
    faults.reset_stats();
    faults.configure(
        serde_json::json!({ "script": { "CreateTags": ["throttle", "throttle"], "DeleteVpcEndpoints": ["throttle", "throttle"] } }),
    );
    tf.write_raw(&format!("{}{}", provider(&proxy), gateways(&vpc, 2)));
    run(&tf, &["apply"]).ok();
    run(&tf, &["destroy"]).ok();
    let stats = faults.stats();
    assert_eq!(stats["faults"]["throttle"].as_u64(), Some(4), "{stats}");
    assert!(live(&rt, &ec2, &vpc).is_empty());
    assert!(state_ids(&tf).is_empty());
}

/// Gateways for the read-ahead test: more than the reads a process answers by id first.
const MANY: usize = 32;

#[test]
fn refresh_of_many_endpoints_reads_one_listing_and_still_sees_drift() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let opts = VpcOpts { dns_support: true, dns_hostnames: true, subnets: 1, route_tables: MANY, security_groups: 0 };
    let vpc = rt.block_on(vpc(&ec2, opts));
    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_raw(&format!("{}{}", provider(&proxy), gateways(&vpc, 1)));
    run(&tf, &["apply"]).ok();
    let ids: BTreeSet<String> = state_ids(&tf).into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), MANY);

    // Behind Terraform's back: one endpoint deleted, one retagged, one route table's route removed.
    let state = state_ids(&tf);
    let id_of = |address: &str| state.iter().find(|(a, _)| a == address).map(|(_, id)| id.clone()).unwrap();
    let (gone, retagged, unrouted) = (id_of("vpce_gateway.g0"), id_of("vpce_gateway.g1"), id_of("vpce_gateway.g2"));
    rt.block_on(ec2.delete_vpc_endpoints().vpc_endpoint_ids(&gone).send()).expect("delete out of band");
    let tag = aws_sdk_ec2::types::Tag::builder().key("Round").value("9").build();
    rt.block_on(ec2.create_tags().resources(&retagged).tags(tag).send()).expect("retag out of band");
    let unrouted_rtb = vpc.route_tables[2].clone();
    let pl = rt.block_on(ec2.describe_route_tables().route_table_ids(&unrouted_rtb).send()).expect("route table").route_tables()[0]
        .routes()
        .iter()
        .find(|r| r.gateway_id() == Some(unrouted.as_str()))
        .and_then(|r| r.destination_prefix_list_id().map(str::to_string))
        .expect("the gateway's prefix-list route");
    rt.block_on(ec2.delete_route().route_table_id(&unrouted_rtb).destination_prefix_list_id(&pl).send()).expect("remove the route");

    // A refresh at Terraform's default parallelism (10).
    proxy.clear();
    let out = tf.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(out.code, 2, "{}", out.all());
    let text = unwrap_lines(&out.all());
    assert!(text.contains("Plan: 1 to add, 1 to change, 0 to destroy."), "{}", out.all());
    assert!(text.contains(&format!("Route table {unrouted_rtb} is associated with {unrouted}, but it has no route")), "{}", out.all());

    // The reads: a listing (no ids, pages of 1000) answered most of them; by id were asked at
    // most the first READ_AHEAD_AFTER reads (and the deleted endpoint, when EC2 no longer lists
    // it: missing from a listing, an endpoint is looked up by id before it is taken for gone).
    let describes = proxy.calls("DescribeVpcEndpoints");
    let listings = describes
        .iter()
        // The region's listing: neither ids nor filters (the plan-time checks of the create list
        // the other endpoints of its VPC, filtered by vpc-id, once per VPC).
        .filter(|c| {
            param(c, "MaxResults") == Some("1000") && !c.iter().any(|(k, _)| k.starts_with("VpcEndpointId.") || k.starts_with("Filter."))
        })
        .count();
    let by_id: Vec<String> =
        ids_per_call(&proxy, "DescribeVpcEndpoints", "VpcEndpointId").into_iter().flatten().filter(|id| ids.contains(id)).collect();
    println!(
        "refresh of {MANY} endpoints: {} DescribeVpcEndpoints ({listings} listings), {} ids asked by id",
        describes.len(),
        by_id.len()
    );
    assert_eq!(listings, 1, "one listing: {describes:?}");
    assert!(by_id.len() <= vpce::aws::READ_AHEAD_AFTER + 1, "{} of {MANY} endpoints were read by id: {by_id:?}", by_id.len());
    assert!(text.contains("vpce_gateway.g0 will be created"), "{}", out.all());
    assert!(text.contains("vpce_gateway.g1 will be updated in-place"), "{}", out.all());

    // Apply repairs the drift; the next refresh (from a listing again) finds nothing to change.
    run(&tf, &["apply"]).ok();
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    run(&tf, &["destroy"]).ok();
    assert!(live(&rt, &ec2, &vpc).is_empty());
}
