//! vpce_connection_accepter against moto through real Terraform: a service owner accepts an
//! endpoint created elsewhere (another account's, here made with the SDK), reads it, imports it,
//! rejects it on destroy; the plan refuses a connection that does not exist or was rejected, and
//! an accepter of an endpoint whose vpce_interface sets auto_accept; `moved` from hashicorp/aws's
//! aws_vpc_endpoint_connection_accepter (hand-written 6.x state: aws 3.39.0 has none).

mod common;

use common::*;

fn service_id(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, name: &str) -> String {
    let out = rt
        .block_on(
            client
                .describe_vpc_endpoint_service_configurations()
                .filters(aws_sdk_ec2::types::Filter::builder().name("service-name").values(name).build())
                .send(),
        )
        .expect("describe service configurations");
    // (Looked for by name: the emulator may answer more than the filter asks.)
    let config = out.service_configurations().iter().find(|c| c.service_name() == Some(name));
    config.and_then(|c| c.service_id()).expect("service id").to_string()
}

/// An interface endpoint of `service`, made outside Terraform (as another account would).
fn foreign_endpoint(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, vpc: &TestVpc, service: &str) -> String {
    let created = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .vpc_id(&vpc.id)
                .service_name(service)
                .subnet_ids(&vpc.subnets[0].id)
                .private_dns_enabled(false)
                .send(),
        )
        .expect("create endpoint");
    created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string()
}

fn ec2_state(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> String {
    let out = rt.block_on(client.describe_vpc_endpoints().vpc_endpoint_ids(id).send()).expect("describe");
    out.vpc_endpoints().first().and_then(|e| e.state()).map(|s| s.as_str().to_ascii_lowercase()).unwrap_or_default()
}

fn accepter(service_id: &str, endpoint: &str) -> String {
    format!("resource \"vpce_connection_accepter\" \"a\" {{\n  vpc_endpoint_service_id = \"{service_id}\"\n  vpc_endpoint_id         = {endpoint}\n}}\n")
}

#[test]
fn accepter_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let service = nlb_service(&[vpc.subnets[0].id.clone()], true);
    let svc = service_id(&rt, &client, &service);
    let ep = foreign_endpoint(&rt, &client, &vpc, &service);
    assert_eq!(ec2_state(&rt, &client, &ep), "pendingacceptance");
    let tf = Tf::new();

    // Refused at plan: an endpoint with no connection to the service.
    tf.write(&accepter(&svc, "\"vpce-0123456789abcdef0\""));
    tf.plan().fails_with(&["No connection to accept", "vpce-0123456789abcdef0"]);
    tf.write(&accepter("vpce-0123456789abcdef0", &format!("\"{ep}\"")));
    tf.plan().fails_with(&["Invalid VPC endpoint service ID"]);

    tf.write(&accepter(&svc, &format!("\"{ep}\"")));
    tf.apply().ok();
    assert_eq!(ec2_state(&rt, &client, &ep), "available", "accepted");
    let state = tf.resource("vpce_connection_accepter.a");
    assert_eq!(state["id"], format!("{svc}_{ep}"));
    assert_eq!(state["vpc_endpoint_state"], "available");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);

    // Import by <vpc_endpoint_service_id>_<vpc_endpoint_id>.
    tf.run(&["state", "rm", "-no-color", "vpce_connection_accepter.a"]).ok();
    tf.import("vpce_connection_accepter.a", &format!("{svc}/{ep}"))
        .fails_with(&["Invalid import ID", "<vpc_endpoint_service_id>_<vpc_endpoint_id>"]);
    tf.import("vpce_connection_accepter.a", &format!("{svc}_vpce-0123456789abcdef0")).fails_with(&["Cannot import: no connection"]);
    tf.import("vpce_connection_accepter.a", &format!("{svc}_{ep}")).ok();
    assert_eq!(tf.plan().code, 0, "imported: nothing to change");

    // Destroy rejects the connection.
    tf.destroy().ok();
    assert_eq!(ec2_state(&rt, &client, &ep), "rejected");
    // A rejected connection cannot be accepted again: refused at plan.
    tf.plan().fails_with(&["Connection cannot be accepted", "rejected"]);

    // Drift: another endpoint accepted here, then rejected outside Terraform: gone from the state,
    // and the plan says why it cannot be accepted again.
    let other = foreign_endpoint(&rt, &client, &vpc, &service);
    tf.write(&accepter(&svc, &format!("\"{other}\"")));
    tf.apply().ok();
    assert_eq!(ec2_state(&rt, &client, &other), "available");
    rt.block_on(client.reject_vpc_endpoint_connections().service_id(&svc).vpc_endpoint_ids(&other).send()).expect("reject");
    tf.plan().fails_with(&["Connection cannot be accepted"]);
    tf.run(&["state", "rm", "-no-color", "vpce_connection_accepter.a"]).ok();
    for id in [&ep, &other] {
        rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(id.as_str()).send()).expect("delete");
    }
}

#[test]
fn accepter_and_auto_accept_conflict() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let service = nlb_service(&[vpc.subnets[0].id.clone()], true);
    let svc = service_id(&rt, &client, &service);
    let tf = Tf::new();
    let interface = format!(
        "resource \"vpce_interface\" \"e\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"{service}\"\n  subnet_ids         = [\"{}\"]\n  security_group_ids = [\"{}\"]\n  auto_accept        = true\n}}\n",
        vpc.id, vpc.subnets[0].id, vpc.security_groups[0]
    );
    tf.write(&interface);
    tf.apply().ok();
    tf.write(&format!("{interface}\n{}", accepter(&svc, "vpce_interface.e.id")));
    tf.plan().fails_with(&["Connection acceptance managed twice", "auto_accept"]);
    tf.write(&interface);
    tf.destroy().ok();
}

#[test]
fn moves_from_aws_connection_accepter() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let service = nlb_service(&[vpc.subnets[0].id.clone()], true);
    let svc = service_id(&rt, &client, &service);
    let ep = foreign_endpoint(&rt, &client, &vpc, &service);
    // Accepted as aws_vpc_endpoint_connection_accepter would, and its 6.x state written by hand.
    rt.block_on(client.accept_vpc_endpoint_connections().service_id(&svc).vpc_endpoint_ids(&ep).send()).expect("accept");
    let tf = awsprovider::tf_with_both();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "accepter-moves", "outputs": {},
        "resources": [{
            "mode": "managed", "type": "aws_vpc_endpoint_connection_accepter", "name": "a",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 0, "attributes": {
                "id": format!("{svc}_{ep}"), "region": "us-east-1", "vpc_endpoint_id": ep,
                "vpc_endpoint_service_id": svc, "vpc_endpoint_state": "available"
            }, "sensitive_attributes": [], "private": "bnVsbA=="}]
        }]
    });
    std::fs::write(tf.path().join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap()).expect("state");
    let proxy = common::faultproxy::FaultProxy::start(&[]);
    let moved = "moved {\n  from = aws_vpc_endpoint_connection_accepter.a\n  to   = vpce_connection_accepter.a\n}\n";
    tf.write_raw(&format!("{}\n{}\n{moved}", awsprovider::provider_blocks(&proxy.url(), true), accepter(&svc, &format!("\"{ep}\""))));
    proxy.reset_stats();
    let changes = tf.plan_changes();
    let change = changes.iter().find(|c| c["address"] == "vpce_connection_accepter.a").expect("a change for ours");
    assert_eq!(change["previous_address"], "aws_vpc_endpoint_connection_accepter.a");
    assert_eq!(actions(&changes, "vpce_connection_accepter.a"), ["no-op"], "moved, not replaced");
    tf.apply().ok();
    let writes = proxy.writes();
    assert!(writes.is_empty(), "no EC2 write during the move: {writes:?}");
    assert_eq!(tf.resource("vpce_connection_accepter.a")["id"], format!("{svc}_{ep}"));
    assert_eq!(tf.plan().code, 0);
    tf.destroy().ok();
    assert_eq!(ec2_state(&rt, &client, &ep), "rejected", "ours own it: the destroy rejects");
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&ep).send()).expect("delete");
}
