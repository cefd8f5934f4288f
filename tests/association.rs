//! vpce_route_table_association against moto through real Terraform: associations applied
//! together on one endpoint (with EC2 answering OperationInProgress first), a gateway without
//! route_table_ids that keeps them, drift (route removed, association removed), import, destroy,
//! and the conflicts refused at plan (the endpoint's own list, duplicates, an existing association,
//! a table of another VPC).

mod common;

use common::proxy::{param_list, Proxy};
use common::*;

const S3: &str = "com.amazonaws.us-east-1.s3";

async fn prefix_list_id(client: &aws_sdk_ec2::Client) -> String {
    let out = client
        .describe_prefix_lists()
        .filters(aws_sdk_ec2::types::Filter::builder().name("prefix-list-name").values(S3).build())
        .send()
        .await
        .expect("describe prefix lists");
    out.prefix_lists().first().and_then(|p| p.prefix_list_id()).expect("prefix list").to_string()
}

async fn has_route(client: &aws_sdk_ec2::Client, rtb: &str, pl: &str, vpce: &str) -> bool {
    let out = client.describe_route_tables().route_table_ids(rtb).send().await.expect("describe route tables");
    out.route_tables().iter().flat_map(|t| t.routes()).any(|r| r.destination_prefix_list_id() == Some(pl) && r.gateway_id() == Some(vpce))
}

fn tables_of(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    sorted(rt.block_on(endpoint(client, id)).expect("endpoint").route_table_ids().to_vec())
}

fn address(rtb: &str) -> String {
    format!("vpce_route_table_association.a[\"{rtb}\"]")
}

#[test]
fn split_ownership_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 3, security_groups: 0, ..Default::default() }));
    let tables = vpc.route_tables.clone();
    let pl = rt.block_on(prefix_list_id(&client));
    let proxy = Proxy::start();
    let tf = Tf::new();
    let config = format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id       = "{}"
  service_name = "s3"
}}

resource "vpce_route_table_association" "a" {{
  for_each        = toset({})
  vpc_endpoint_id = vpce_gateway.s3.id
  route_table_id  = each.value
}}
"#,
        vpc.id,
        hcl_list(&tables)
    );
    tf.write_via(&proxy.url, &config);

    // EC2 refuses changes of an endpoint while another is in progress (OperationInProgress): its
    // first answers here are that refusal, until three ModifyVpcEndpoint calls have been refused.
    let out = apply_while_busy(&tf, &proxy);
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert!(modifies.len() > 3, "refused modifies were retried: {} calls", modifies.len());
    let mut added: Vec<String> = modifies.iter().flat_map(|c| param_list(c, "AddRouteTableId")).collect();
    added.sort();
    added.dedup();
    assert_eq!(added, sorted(tables.clone()));
    assert!(modifies.iter().all(|c| param_list(c, "AddRouteTableId").len() == 1), "one table per call");
    assert!(!out.all().contains("Route tables managed twice"));

    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    assert_eq!(tables_of(&rt, &client, &id), sorted(tables.clone()), "all three associated");
    for t in &tables {
        assert!(rt.block_on(has_route(&client, t, &pl, &id)), "{t} routes the prefix list to {id}");
        assert_eq!(tf.resource(&address(t))["id"], format!("{id}/{t}"));
    }
    // The gateway leaves route tables to the associations: nothing to change.
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);

    // Drift: the route removed outside Terraform. The association is planned again, and the apply
    // re-associates the table, which restores the route.
    rt.block_on(client.delete_route().route_table_id(&tables[0]).destination_prefix_list_id(&pl).send()).expect("delete route");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, &address(&tables[0])), ["create"]);
    assert_eq!(actions(&changes, &address(&tables[1])), ["no-op"]);
    tf.apply().ok();
    assert!(rt.block_on(has_route(&client, &tables[0], &pl, &id)), "route restored");
    assert_eq!(tf.plan().code, 0);

    // Drift: the association removed outside Terraform: planned and made again.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_route_table_ids(&tables[1]).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, &address(&tables[1])), ["create"]);
    assert_eq!(actions(&changes, "vpce_gateway.s3"), ["no-op"]);
    tf.apply().ok();
    assert_eq!(tables_of(&rt, &client, &id), sorted(tables.clone()));
    assert_eq!(tf.plan().code, 0);

    // Import by <vpc_endpoint_id>/<route_table_id>.
    tf.run(&["state", "rm", "-no-color", &address(&tables[2])]).ok();
    tf.import(&address(&tables[2]), &format!("{id}/{}", tables[2])).ok();
    assert_eq!(tf.resource(&address(&tables[2]))["route_table_id"], tables[2].as_str());
    assert_eq!(tf.plan().code, 0, "imported: nothing to change");
    tf.run(&["state", "rm", "-no-color", &address(&tables[2])]).ok();
    tf.import(&address(&tables[2]), &tables[2]).fails_with(&["Invalid import ID", "<vpc_endpoint_id>/<route_table_id>"]);
    tf.import(&address(&tables[2]), &format!("{id}/rtb-0123456789abcdef0")).fails_with(&["Cannot import: not associated"]);
    tf.import(&address(&tables[2]), &format!("{id}/{}", tables[2])).ok();

    // Removing one association from the configuration removes it in EC2, and the route with it.
    let two = config.replace(&hcl_list(&tables), &hcl_list(&tables[..2]));
    tf.write_via(&proxy.url, &two);
    tf.apply().ok();
    assert_eq!(tables_of(&rt, &client, &id), sorted(tables[..2].to_vec()));
    assert!(!rt.block_on(has_route(&client, &tables[2], &pl, &id)));
    assert_eq!(tf.plan().code, 0);

    // An association whose table is already gone from the endpoint deletes cleanly.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_route_table_ids(&tables[0]).send()).expect("modify");
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

fn plan_fails(tf: &Tf, body: &str, needles: &[&str]) {
    tf.write(body);
    tf.plan().fails_with(needles);
}

#[test]
fn conflicts_are_refused_at_plan() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 3, security_groups: 0, ..Default::default() }));
    let other = rt.block_on(common::vpc(&client, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }));
    let t = &vpc.route_tables;
    let tf = Tf::new();
    let gateway = |tables: Option<&[String]>| {
        let list = tables.map(|t| format!("  route_table_ids = {}\n", hcl_list(t))).unwrap_or_default();
        format!("resource \"vpce_gateway\" \"s3\" {{\n  vpc_id       = \"{}\"\n  service_name = \"s3\"\n{list}}}\n", vpc.id)
    };
    let association = |name: &str, rtb: &str| {
        format!("resource \"vpce_route_table_association\" \"{name}\" {{\n  vpc_endpoint_id = vpce_gateway.s3.id\n  route_table_id  = \"{rtb}\"\n}}\n")
    };
    tf.write(&gateway(Some(std::slice::from_ref(&t[0]))));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();

    // The gateway sets route_table_ids: an association of another table would be removed by it at
    // every apply, one of a listed table would be owned twice.
    plan_fails(
        &tf,
        &format!("{}{}", gateway(Some(std::slice::from_ref(&t[0]))), association("b", &t[1])),
        &[
            "Route tables managed twice",
            &format!("sets route_table_ids = [\"{}\"], which does not include {}", t[0], t[1]),
            "leave route_table_ids unset",
        ],
    );
    plan_fails(
        &tf,
        &format!("{}{}", gateway(Some(std::slice::from_ref(&t[0]))), association("a", &t[0])),
        &["Route tables managed twice", &format!("lists {} in its route_table_ids", t[0])],
    );
    // The same with the endpoint ID written out (no dependency: either may be planned first).
    plan_fails(
        &tf,
        &format!(
            "{}resource \"vpce_route_table_association\" \"b\" {{\n  vpc_endpoint_id = \"{id}\"\n  route_table_id  = \"{}\"\n}}\n",
            gateway(Some(std::slice::from_ref(&t[0]))),
            t[1]
        ),
        &["Route tables managed twice", "leave route_table_ids unset"],
    );
    // Two associations of one pair.
    plan_fails(
        &tf,
        &format!("{}{}{}", gateway(None), association("a", &t[1]), association("b", &t[1])),
        &["Duplicate route table association", &format!("also associates {} with {id}", t[1])],
    );
    // A pair that exists already (made by the gateway's list earlier): import it instead.
    plan_fails(
        &tf,
        &format!("{}{}", gateway(None), association("a", &t[0])),
        &["Route table already associated", &format!("terraform import vpce_route_table_association.NAME {id}/{}", t[0])],
    );
    // A table of another VPC, a table or endpoint that does not exist.
    plan_fails(
        &tf,
        &format!("{}{}", gateway(None), association("a", &other.route_tables[0])),
        &["Route table is not in the endpoint's VPC", &format!("belongs to {}", other.id)],
    );
    plan_fails(&tf, &format!("{}{}", gateway(None), association("a", "rtb-0123456789abcdef0")), &["Route table not found"]);
    plan_fails(
        &tf,
        &format!("{}resource \"vpce_route_table_association\" \"a\" {{\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n  route_table_id  = \"{}\"\n}}\n", gateway(None), t[1]),
        &["VPC endpoint not found"],
    );
    plan_fails(
        &tf,
        "resource \"vpce_route_table_association\" \"a\" {\n  vpc_endpoint_id = \"rtb-0123456789abcdef0\"\n  route_table_id  = \"vpce-0123456789abcdef0\"\n}\n",
        &["Invalid VPC endpoint ID", "Invalid route table ID"],
    );

    // None of this changed anything: the gateway still has its one table.
    assert_eq!(tables_of(&rt, &client, &id), vec![t[0].clone()]);
    tf.write(&gateway(Some(std::slice::from_ref(&t[0]))));
    tf.destroy().ok();
}

// ---------------------------------------------------------------------------------------------
// moved from hashicorp/aws aws_vpc_endpoint_route_table_association (the real AWS provider 3.39.0)
// ---------------------------------------------------------------------------------------------

#[test]
fn moves_from_the_aws_association_without_writes() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 1, security_groups: 0, ..Default::default() }));
    let table = vpc.route_tables[0].clone();
    let created = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
                .vpc_id(&vpc.id)
                .service_name(S3)
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let proxy = common::faultproxy::FaultProxy::start(&[]);
    let theirs = format!(
        "resource \"aws_vpc_endpoint_route_table_association\" \"private\" {{\n  vpc_endpoint_id = \"{id}\"\n  route_table_id  = \"{table}\"\n}}\n"
    );
    let tf = awsprovider::tf_with_both();
    tf.write_raw(&format!("{}\n{theirs}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.apply().ok();
    assert_eq!(tables_of(&rt, &client, &id), vec![table.clone()], "the AWS provider associated the table");
    let aws_id = tf.resource("aws_vpc_endpoint_route_table_association.private")["id"].as_str().expect("aws id").to_string();
    assert!(aws_id.starts_with(&format!("a-{id}")), "{aws_id}");

    let ours = format!(
        "resource \"vpce_route_table_association\" \"private\" {{\n  vpc_endpoint_id = \"{id}\"\n  route_table_id  = \"{table}\"\n}}\n\nmoved {{\n  from = aws_vpc_endpoint_route_table_association.private\n  to   = vpce_route_table_association.private\n}}\n"
    );
    tf.write_raw(&format!("{}\n{ours}", awsprovider::provider_blocks(&proxy.url(), true)));
    proxy.reset_stats();
    let changes = tf.plan_changes();
    let change = changes.iter().find(|c| c["address"] == "vpce_route_table_association.private").expect("a change for ours");
    assert_eq!(change["previous_address"], "aws_vpc_endpoint_route_table_association.private");
    assert_eq!(actions(&changes, "vpce_route_table_association.private"), ["no-op"], "moved, not replaced");
    tf.apply().ok();
    let writes = proxy.writes();
    assert!(writes.is_empty(), "no EC2 write during the move: {writes:?}");
    let state = tf.resource("vpce_route_table_association.private");
    assert_eq!(state["id"], format!("{id}/{table}"));
    assert!(tf.resource("aws_vpc_endpoint_route_table_association.private").is_null());
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(tables_of(&rt, &client, &id), vec![table.clone()]);

    // Ours now owns it: destroy removes the association.
    tf.destroy().ok();
    assert!(tables_of(&rt, &client, &id).is_empty());
}
