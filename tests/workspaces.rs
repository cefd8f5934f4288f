//! Many Terraform runs in one account (issue 25): K `terraform apply` processes at once, each with
//! its own working directory and state, against one realistic-EC2 proxy whose token buckets they
//! all share (as EC2's buckets are shared per account and region). The processes cannot see each
//! other through EC2; each paces itself as it would against AWS (`VPCE_EC2_PACING` at the proxy's
//! refill scale, nothing else set), so the K processes of this one machine share their pacing
//! buckets (`VPCE_EC2_PACING_DIR`, here a directory of this test's own). Small here (K = 3, N = 5, refill x20);
//! the K = 4 and 8 runs at EC2's rates are in the benchmark (`bench/run.sh --workspaces 4,8`).

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use serde_json::json;

use common::proxy::Proxy;
use common::run::*;
use common::*;

const K: usize = 3;
const N: usize = 5;
/// The proxy's refill rates are EC2's x this (CreateVpcEndpoint: 4 tokens, 6 per second).
const SCALE: f64 = 20.0;

/// `N` interface endpoints of workspace `k` in `net` (private DNS off: many per service and VPC).
fn fleet(net: &TestVpc, k: usize) -> String {
    (0..N)
        .map(|i| {
            format!(
                "resource \"vpce_interface\" \"e{i}\" {{\n  vpc_id              = \"{}\"\n  service_name        = \"ssm\"\n  subnet_ids          = [\"{}\"]\n  security_group_ids  = [\"{}\"]\n  private_dns_enabled = false\n  tags                = {{ Name = \"ws{k}-{i}\" }}\n}}\n\n",
                net.id, net.subnets[0].id, net.security_groups[0]
            )
        })
        .collect()
}

/// `args` in every workspace at once (each its own process, pacing as against AWS at the proxy's
/// scale); their outputs, in workspace order.
fn all_at_once(tfs: &[Tf], args: &[&str]) -> Vec<TfOutput> {
    let ledger = std::env::temp_dir().join(format!("vpce-workspaces-test-{}", std::process::id()));
    let children: Vec<_> = tfs
        .iter()
        .map(|tf| {
            tf.command(args)
                .env("VPCE_EC2_PACING", SCALE.to_string())
                .env("VPCE_EC2_PACING_DIR", &ledger)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start terraform")
        })
        .collect();
    children.into_iter().map(finish).collect()
}

/// K = 3 concurrent applies of N = 5 interface endpoints each under EC2's shared token buckets
/// (x20) and per-type pending times: every apply succeeds, EC2 holds exactly the union of the K
/// states (no endpoint orphaned, none created twice, none in two states), and sharing the
/// machine's pacing buckets the K runs are throttled on at most 5 % of their requests (each
/// alone would start with its own full bucket: K - 1 bucketfuls of creates throttled); then K
/// concurrent destroys succeed and leave nothing.
#[test]
fn concurrent_workspaces_share_the_account() {
    let client = rt().block_on(ec2());
    let net = rt().block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let proxy = Proxy::start_realistic(json!({
        "pending_s": 1, "delete_s": 1, "pending_s_by_type": { "interface": 2 }, "delete_s_by_type": { "interface": 2 },
        "throttle": true, "throttle_scale": SCALE,
    }));
    let tfs: Vec<Tf> = (0..K).map(|_| Tf::new()).collect();
    for (k, tf) in tfs.iter().enumerate() {
        tf.write_via(&proxy.url, &fleet(&net, k));
    }

    let started = Instant::now();
    let outs = all_at_once(&tfs, &["apply", "-auto-approve", "-no-color", "-input=false"]);
    let apply = started.elapsed();
    for (k, out) in outs.iter().enumerate() {
        assert_eq!(out.code, 0, "workspace {k}: apply failed:\n{}", out.all());
    }
    let stats = proxy.stats();
    let throttled_apply = stats["realistic"]["throttled_total"].as_u64().unwrap_or(0);
    let requests_apply = stats["ec2_requests"].as_u64().unwrap_or(0);

    let states: Vec<Vec<String>> = tfs.iter().map(state_ids).collect();
    let mut union = BTreeSet::new();
    for (k, ids) in states.iter().enumerate() {
        assert_eq!(ids.len(), N, "workspace {k} holds {N} endpoints: {ids:?}");
        for id in ids {
            assert!(union.insert(id.clone()), "{id} is in two states: {states:?}");
        }
    }
    assert!(
        throttled_apply * 20 <= requests_apply,
        "at most 5 % throttled with the shared pacing buckets: {throttled_apply} of {requests_apply}"
    );
    let live = live_ids(&client, &net.id);
    assert_eq!(live, union.iter().cloned().collect::<Vec<_>>(), "EC2 == the union of the {K} states (nothing orphaned or duplicated)");

    let started = Instant::now();
    let outs = all_at_once(&tfs, &["destroy", "-auto-approve", "-no-color", "-input=false"]);
    let destroy = started.elapsed();
    for (k, out) in outs.iter().enumerate() {
        assert_eq!(out.code, 0, "workspace {k}: destroy failed:\n{}", out.all());
        assert!(state_ids(&tfs[k]).is_empty(), "workspace {k}: state empty after destroy");
    }
    assert!(live_ids(&client, &net.id).is_empty(), "nothing left in EC2 after the destroys");
    let stats = proxy.stats();
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("vpce-workspaces-test-{}", std::process::id())));
    eprintln!(
        "WORKSPACES K={K} N={N} x{SCALE}: apply {:.1}s ({requests_apply} requests, {throttled_apply} throttled), destroy {:.1}s; \
         in all {} requests, throttled {}",
        apply.as_secs_f64(),
        destroy.as_secs_f64(),
        stats["ec2_requests"],
        stats["realistic"]["throttled"]
    );
}
