//! The provider against EC2's real timing (issue 10), with moto behind scripts/ec2proxy.py in its
//! realistic-EC2 mode: endpoints `pending` for a while, `pendingAcceptance` until accepted,
//! `failed` / `rejected`, invisible for a moment after create (eventual consistency), busy
//! (IncorrectState / OperationInProgress) while pending or being modified, and EC2's per-API
//! token buckets answering RequestLimitExceeded. Delays are 1-10 s so that the file stays short;
//! the scale runs are in the benchmark (bench/).

mod common;

use std::time::{Duration, Instant};

use serde_json::json;

use common::proxy::Proxy;
use common::run::*;
use common::*;

const KMS: &str = "com.amazonaws.us-east-1.kms";
const STS: &str = "com.amazonaws.us-east-1.sts";

/// `n` S3 gateway endpoints `g0`..., one per route table of `net`, with `extra` inside each block.
fn gateways(net: &TestVpc, n: usize, extra: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "resource \"vpce_gateway\" \"g{i}\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{}\"]\n  tags            = {{ Name = \"real-{i}\" }}\n{extra}}}\n\n",
                net.id, net.route_tables[i]
            )
        })
        .collect()
}

/// An interface endpoint `name` for `service` in the first subnet of `net`, with `extra` inside.
fn interface(name: &str, net: &TestVpc, service: &str, extra: &str) -> String {
    format!(
        "resource \"vpce_interface\" \"{name}\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"{service}\"\n  subnet_ids         = [\"{}\"]\n  security_group_ids = [\"{}\"]\n{extra}}}\n\n",
        net.id, net.subnets[0].id, net.security_groups[0]
    )
}

fn net(client: &aws_sdk_ec2::Client, route_tables: usize) -> TestVpc {
    rt().block_on(vpc(client, VpcOpts { subnets: 1, route_tables, security_groups: 1, ..Default::default() }))
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Destroys, then checks that EC2 has no endpoint left in the VPC.
#[track_caller]
fn destroyed(tf: &Tf, client: &aws_sdk_ec2::Client, net: &TestVpc) {
    tf.destroy().ok();
    assert!(live_ids(client, &net.id).is_empty(), "endpoints left after destroy");
}

// ---------------------------------------------------------------------------------------------

/// Create waits for `available` with capped exponential backoff: 3 gateway endpoints and an
/// interface endpoint pending for 5 s are polled a bounded number of times each (50 ms doubling
/// to 2 s: at most 8 polls), and the state says `available`.
#[test]
fn create_waits_for_available_with_bounded_polls() {
    let client = rt().block_on(ec2());
    let net = net(&client, 3);
    let proxy = Proxy::start_realistic(json!({ "pending_s": 5 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &format!("{}{}", gateways(&net, 3, ""), interface("i", &net, "ssm", "")));
    let started = Instant::now();
    tf.apply().ok();
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(5), "apply returned after {took:?}, before the endpoints were available");
    for address in ["vpce_gateway.g0", "vpce_gateway.g1", "vpce_gateway.g2", "vpce_interface.i"] {
        assert_eq!(text(&tf.resource(address)["state"]), "available", "{address}");
    }
    let ids = state_ids(&tf);
    assert_eq!(ids.len(), 4);
    let polls = proxy.polls();
    eprintln!("polls per endpoint for a 5 s pending: {polls:?} (apply {took:?})");
    for id in &ids {
        let n = polls.get(id).copied().unwrap_or(0);
        assert!((2..=8).contains(&n), "{id} polled {n} times for a 5 s pending state: {polls:?}");
    }
    destroyed(&tf, &client, &net);
}

/// A create timeout shorter than the pending time: a clear error, the endpoint in the state and
/// tainted (so the next apply replaces it), nothing orphaned; the destroy waits until EC2 lets it
/// delete the still-pending endpoint (IncorrectState meanwhile).
#[test]
fn create_timeout_saves_the_endpoint_tainted() {
    let client = rt().block_on(ec2());
    let net = net(&client, 1);
    let proxy = Proxy::start_realistic(json!({ "pending_s": 10 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateways(&net, 1, "  timeouts {\n    create = \"3s\"\n  }\n"));
    // (Were the 3 s not kept, the create would succeed after the 10 s.)
    let out = tf.apply().fails_with(&["Timed out", "was still pending when the timeout passed", "saved in the state", "tainted"]);
    let ids = state_ids(&tf);
    assert_eq!(ids.len(), 1, "the created endpoint is in the state:\n{}", out.all());
    assert_eq!(ids, live_ids(&client, &net.id), "EC2 == state");
    assert_eq!(tainted(&tf), ["vpce_gateway.g0"]);
    tf.destroy().ok();
    assert!(live_ids(&client, &net.id).is_empty());
    let conflicts = proxy.stats()["realistic"]["conflicts"].clone();
    eprintln!("conflicts while destroying the pending endpoint: {conflicts}");
}

/// pendingAcceptance: the create returns without waiting for an acceptance that may never come
/// (documented in the resource's notes), the state says `pendingAcceptance`; after an out-of-band
/// accept, a refresh shows `available` and the plan is empty. A rejected endpoint is planned for
/// replacement.
#[test]
fn pending_acceptance_returns_and_refresh_sees_the_acceptance() {
    let client = rt().block_on(ec2());
    let net = net(&client, 0);
    let proxy = Proxy::start_realistic(json!({ "pending_s": 1, "acceptance_services": [KMS, STS] }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &format!("{}{}", interface("kms", &net, "kms", ""), interface("sts", &net, "sts", "")));
    let started = Instant::now();
    tf.apply().ok();
    assert!(started.elapsed() < Duration::from_secs(60), "create waited for the acceptance");
    let (kms, sts) = (tf.resource("vpce_interface.kms"), tf.resource("vpce_interface.sts"));
    assert_eq!(text(&kms["state"]), "pendingAcceptance");
    assert_eq!(text(&sts["state"]), "pendingAcceptance");

    assert_eq!(proxy.accept(&[text(&kms["id"]).to_string()]).len(), 1, "kms was awaiting acceptance");
    assert_eq!(proxy.reject(&[text(&sts["id"]).to_string()]).len(), 1);
    std::thread::sleep(Duration::from_millis(1500)); // accepted: pending for 1 s, then available
    tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]).ok();
    assert_eq!(text(&tf.resource("vpce_interface.kms")["state"]), "available");
    assert_eq!(text(&tf.resource("vpce_interface.sts")["state"]), "rejected");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_interface.kms"), ["no-op"]);
    let sts_actions = actions(&changes, "vpce_interface.sts");
    assert!(
        sts_actions.contains(&"delete".to_string()) && sts_actions.contains(&"create".to_string()),
        "rejected: replaced, {sts_actions:?}"
    );
    destroyed(&tf, &client, &net);
}

/// An endpoint that fails (LastError) or is rejected while the create waits: a clear error naming
/// the state and EC2's reason, the endpoint saved tainted, and the next plan replaces it.
#[test]
fn failed_and_rejected_creates_give_clear_errors_and_are_replaced() {
    let client = rt().block_on(ec2());
    let net = net(&client, 0);
    let proxy = Proxy::start_realistic(json!({
        "pending_s": 1,
        "fail_services": { KMS: ["VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached."] },
        "reject_services": [STS],
    }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &format!("{}{}", interface("kms", &net, "kms", ""), interface("sts", &net, "sts", "")));
    tf.apply().fails_with(&[
        "entered state failed: VpcEndpointLimitExceeded: The maximum number of VPC endpoints has been reached.",
        "entered state rejected",
        "saved in the state",
    ]);
    assert_eq!(state_ids(&tf).len(), 2, "both endpoints EC2 made are in the state");
    assert_eq!(sorted(tainted(&tf)), ["vpce_interface.kms", "vpce_interface.sts"]);
    assert_eq!(text(&tf.resource("vpce_interface.kms")["state"]), "failed");
    let changes = tf.plan_changes();
    for address in ["vpce_interface.kms", "vpce_interface.sts"] {
        let a = actions(&changes, address);
        assert!(a.contains(&"delete".to_string()) && a.contains(&"create".to_string()), "{address}: {a:?}");
    }
    // Without the failures, the replacement succeeds.
    proxy.realistic(json!({ "fail_services": {}, "reject_services": [] }));
    tf.apply().ok();
    assert!(tainted(&tf).is_empty());
    assert_eq!(text(&tf.resource("vpce_interface.kms")["state"]), "available");
    destroyed(&tf, &client, &net);
}

/// Eventual consistency: a new endpoint is invisible to DescribeVpcEndpoints for 4 s (and its
/// create answers `pending`: one answered `available` is not read again). The create waits
/// through the NotFound answers; and a refresh right after a create that timed out before
/// the endpoint became visible keeps it: never "deleted out of band" (no orphan).
#[test]
fn read_after_create_not_found_is_retried() {
    let client = rt().block_on(ec2());
    let net = net(&client, 2);
    let proxy = Proxy::start_realistic(json!({ "invisible_ms": 4000, "pending_s": 1 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateways(&net, 1, ""));
    let out = tf.apply().ok();
    assert!(!out.all().contains("no longer exists"), "{}", out.all());
    assert_eq!(state_ids(&tf), live_ids(&client, &net.id));
    assert!(proxy.stats()["realistic"]["hidden_not_found"].as_u64().unwrap_or(0) > 0, "the waiter met NotFound answers");
    destroyed(&tf, &client, &net);

    // The create times out while the endpoint is still invisible; the next plan's refresh reads it
    // again until it shows up instead of dropping it from the state (which would plan a second
    // endpoint and leave this one orphaned).
    proxy.realistic(json!({ "invisible_ms": 15000 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateways(&net, 1, "  timeouts {\n    create = \"2s\"\n  }\n"));
    tf.apply().fails_with(&["Timed out", "not found"]);
    let plan = tf.plan();
    assert!(plan.all().contains("is tainted, so must be replaced"), "the refresh kept the endpoint:\n{}", plan.all());
    assert!(!plan.all().contains("will be created"), "{}", plan.all());
    let ids = state_ids(&tf);
    assert_eq!(ids.len(), 1, "the created endpoint is in the state");
    assert_eq!(ids, live_ids(&client, &net.id), "EC2 == state, no orphan");
    destroyed(&tf, &client, &net);
}

/// EC2 shows a tag change only after a while (3 s here): the update waits until it does, so that
/// the plan right after the apply is empty (it would read the old tags back and plan them again).
#[test]
fn tag_changes_are_waited_for_until_visible() {
    let client = rt().block_on(ec2());
    let net = net(&client, 2);
    let proxy = Proxy::start_realistic(json!({ "tags_invisible_ms": 3000 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateways(&net, 2, ""));
    tf.apply().ok();
    tf.write_via(&proxy.url, &gateways(&net, 2, "").replace("real-", "renamed-"));
    tf.apply().ok();
    let plan = tf.plan();
    assert_eq!(plan.code, 0, "the plan right after the tag update is empty:\n{}", plan.all());
    for id in state_ids(&tf) {
        let ep = rt().block_on(endpoint(&client, &id)).expect("endpoint");
        assert!(ep.tags().iter().any(|t| t.value().is_some_and(|v| v.starts_with("renamed-"))), "{id}: {:?}", ep.tags());
    }
    destroyed(&tf, &client, &net);
}

/// IncorrectState / OperationInProgress on ModifyVpcEndpoint and DeleteVpcEndpoints (the endpoint
/// busy with another modification) are retried until they clear; a conflict that outlasts the
/// timeout gives a clear error.
#[test]
fn busy_endpoint_conflicts_are_retried_until_they_clear_or_time_out() {
    let client = rt().block_on(ec2());
    let net = net(&client, 3);
    let proxy = Proxy::start_realistic(json!({ "modify_s": 1 }));
    let tf = Tf::new();
    let config = |rts: &[&String], timeouts: &str| {
        format!(
            "resource \"vpce_gateway\" \"g0\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = {}\n{timeouts}}}\n",
            net.id,
            hcl_list(&rts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        )
    };
    tf.write_via(&proxy.url, &config(&[&net.route_tables[0]], ""));
    tf.apply().ok();
    let id = state_ids(&tf)[0].clone();
    let one = std::slice::from_ref(&id);

    for (code, rts) in
        [("IncorrectState", vec![&net.route_tables[0], &net.route_tables[1]]), ("OperationInProgress", vec![&net.route_tables[1]])]
    {
        proxy.realistic(json!({ "modify_conflict_code": code }));
        proxy.busy(one, 3.0);
        let before = proxy.stats()["realistic"]["conflicts"]["ModifyVpcEndpoint"].as_u64().unwrap_or(0);
        tf.write_via(&proxy.url, &config(&rts, ""));
        tf.apply().ok();
        let after = proxy.stats()["realistic"]["conflicts"]["ModifyVpcEndpoint"].as_u64().unwrap_or(0);
        assert!(after > before, "{code}: the modify met the conflict");
        let ep = rt().block_on(endpoint(&client, &id)).expect("endpoint");
        assert_eq!(sorted(ep.route_table_ids().to_vec()), sorted(rts.iter().map(|s| s.to_string()).collect()), "{code}");
        assert_eq!(tf.plan().code, 0, "{code}: empty plan after the update");
    }

    // A conflict that outlasts the update timeout: a clear error, the endpoint unchanged.
    proxy.realistic(json!({ "modify_conflict_code": "IncorrectState" }));
    proxy.busy(one, 30.0);
    tf.write_via(&proxy.url, &config(&[&net.route_tables[2]], "  timeouts {\n    update = \"3s\"\n  }\n"));
    tf.apply().fails_with(&["Cannot update the gateway endpoint", "IncorrectState", "timeout"]);
    assert_eq!(state_ids(&tf), one);

    // Delete: refused while busy until the delete timeout, a clear error, the endpoint kept...
    proxy.realistic(json!({ "reset": true, "modify_s": 1 })); // forgets the 30 s of busy
    tf.write_via(&proxy.url, &config(&[&net.route_tables[0]], "  timeouts {\n    delete = \"2s\"\n  }\n"));
    tf.apply().ok(); // a modify: the proxy keeps a clock for the endpoint again
    assert_eq!(proxy.busy(one, 30.0), one);
    tf.destroy().fails_with(&["Cannot delete the gateway endpoint", "IncorrectState", "timeout"]);
    assert_eq!(state_ids(&tf), one);
    assert_eq!(live_ids(&client, &net.id), one);
    // ... and retried until it clears otherwise.
    proxy.realistic(json!({ "reset": true, "modify_s": 1 }));
    tf.write_via(&proxy.url, &config(&[&net.route_tables[1]], ""));
    tf.apply().ok();
    assert_eq!(proxy.busy(one, 3.0), one);
    tf.destroy().ok();
    assert!(proxy.stats()["realistic"]["conflicts"]["DeleteVpcEndpoints"].as_u64().unwrap_or(0) > 0, "the delete met the conflict");
    assert!(live_ids(&client, &net.id).is_empty());
}

/// Ctrl-C while the creates wait a long time for `available` (and later creates are throttled by
/// CreateVpcEndpoint's token bucket): Terraform exits promptly, and the state holds every endpoint
/// EC2 created, none tainted.
#[test]
fn ctrl_c_during_long_create_waits_keeps_every_endpoint() {
    let client = rt().block_on(ec2());
    let net = net(&client, 6);
    let proxy = Proxy::start_realistic(json!({ "pending_s": 120, "throttle": true }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateways(&net, 6, ""));
    let child = spawn_apply(&tf);
    wait_until("4 creates and their waits", Duration::from_secs(120), || {
        proxy.polls().len() >= 4 && proxy.polls().values().all(|n| *n >= 2)
    });
    let interrupted = Instant::now();
    kill(child.id(), "-INT");
    let out = finish(child);
    let took = interrupted.elapsed();
    eprintln!("terraform exited {took:?} after SIGINT (code {})", out.code);
    assert!(took < Duration::from_secs(60), "terraform took {took:?} to stop:\n{}", out.all());
    assert!(out.all().contains("Interrupted while the endpoint was being created"), "{}", out.all());
    let (ids, live) = (state_ids(&tf), live_ids(&client, &net.id));
    assert!(ids.len() >= 4, "the waiting endpoints are in the state: {ids:?}\n{}", out.all());
    assert_eq!(ids, live, "every endpoint EC2 created is in the state");
    assert!(tainted(&tf).is_empty(), "interrupted creates are not tainted: {:?}", tainted(&tf));
    proxy.realistic(json!({ "reset": true }));
    tf.apply().ok();
    assert_eq!(state_ids(&tf).len(), 6);
    destroyed(&tf, &client, &net);
}

/// Under EC2's token buckets (refill rates x20 to fit CI: CreateVpcEndpoint and DeleteVpcEndpoints
/// 4 tokens, 6 per second), 60 endpoints (30 gateway, 30 interface, 3 VPCs) with a 1 s pending
/// state apply and destroy with no failure.
#[test]
fn throttled_60_mixed_endpoints_apply_and_destroy() {
    let client = rt().block_on(ec2());
    let opts = VpcOpts { subnets: 2, route_tables: 10, security_groups: 1, ..Default::default() };
    let vpcs: Vec<TestVpc> = (0..3).map(|_| rt().block_on(vpc(&client, opts.clone()))).collect();
    let body = mixed_fleet(&vpcs, |r| ("s3", format!("  tags            = {{ n = \"{r}\" }}\n")));
    let proxy = Proxy::start_realistic(json!({ "pending_s": 1, "delete_s": 1, "throttle": true, "throttle_scale": 20 }));
    let tf = Tf::new();
    tf.write_via(&proxy.url, &body);
    let live = || -> Vec<String> { sorted(vpcs.iter().flat_map(|v| live_ids(&client, &v.id)).collect()) };

    let started = Instant::now();
    let out = tf.apply();
    let apply = started.elapsed();
    assert_eq!(out.code, 0, "apply under throttling failed:\n{}", out.all());
    assert_eq!(state_ids(&tf).len(), 60);
    assert_eq!(state_ids(&tf), live(), "EC2 == state");
    let stats = proxy.stats();
    let throttled_apply = stats["realistic"]["throttled"].clone();
    assert!(stats["realistic"]["throttled_total"].as_u64().unwrap_or(0) > 0, "EC2's buckets throttled the apply: {stats}");

    let started = Instant::now();
    let out = tf.destroy();
    let destroy = started.elapsed();
    assert_eq!(out.code, 0, "destroy under throttling failed:\n{}", out.all());
    assert!(live().is_empty(), "nothing left after destroy");
    let stats = proxy.stats();
    eprintln!(
        "THROTTLED-60 apply {:.1}s destroy {:.1}s ec2_requests {} throttled during apply {throttled_apply} in all {}",
        apply.as_secs_f64(),
        destroy.as_secs_f64(),
        stats["ec2_requests"],
        stats["realistic"]["throttled"]
    );
}
