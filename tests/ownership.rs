//! Who owns an endpoint: two Terraform states in one VPC each keep their own endpoints, and an
//! apply that re-runs after a crash adopts only what an interrupted apply of the same state left
//! (docs/guides/crash-safety.md).
//!
//! - Two working directories with the same configuration but their tags: applied one after the
//!   other with no plan in between (so the first one's creation markers are still on its
//!   endpoints), the second creates its own endpoints and never touches the first's.
//! - A kill -9 during an apply of `count` endpoints with the same settings: the re-apply adopts
//!   each orphan for the resource whose tags it carries, and brings every adopted endpoint's tags
//!   to the plan.

mod common;

use std::time::Duration;

use common::proxy::Proxy;
use common::run::*;
use common::*;

/// A gateway (S3, no route table) and an interface endpoint (SSM on the first subnet, private
/// DNS off), tagged `Team = team`.
fn pair(net: &TestVpc, team: &str) -> String {
    format!(
        r#"resource "vpce_gateway" "s3" {{
  vpc_id          = "{vpc}"
  service_name    = "s3"
  route_table_ids = []
  tags            = {{ Team = "{team}" }}
}}

resource "vpce_interface" "ssm" {{
  vpc_id              = "{vpc}"
  service_name        = "ssm"
  subnet_ids          = ["{subnet}"]
  security_group_ids  = ["{sg}"]
  private_dns_enabled = false
  tags                = {{ Team = "{team}" }}
}}
"#,
        vpc = net.id,
        subnet = net.subnets[0].id,
        sg = net.security_groups[0],
    )
}

fn id_of(tf: &Tf, address: &str) -> String {
    tf.resource(address)["id"].as_str().unwrap_or_else(|| panic!("{address} has no id in the state")).to_string()
}

fn tag(client: &aws_sdk_ec2::Client, id: &str, key: &str) -> Option<String> {
    let ep = rt().block_on(endpoint(client, id))?;
    ec2_tags(&ep).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Team A applies, then team B applies the same configuration with its own tags in another
/// working directory, with no plan in A in between: B creates two endpoints of its own; each
/// state plans nothing afterwards (no tag flip-flop); destroying A leaves B's endpoints.
#[test]
fn a_second_state_in_the_same_vpc_creates_its_own_endpoints() {
    let client = rt().block_on(ec2());
    let net = rt().block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 1, security_groups: 1, ..Default::default() }));
    let (a, b) = (Tf::new(), Tf::new());
    a.write(&pair(&net, "a"));
    b.write(&pair(&net, "b"));
    a.apply().ok();
    let out = b.apply().ok();
    no_warnings(&out);
    for address in ["vpce_gateway.s3", "vpce_interface.ssm"] {
        let (ida, idb) = (id_of(&a, address), id_of(&b, address));
        assert_ne!(ida, idb, "{address}: B took A's endpoint\n{}", out.all());
        assert_eq!(tag(&client, &ida, "Team").as_deref(), Some("a"), "{address}: A's endpoint keeps A's tags");
        assert_eq!(tag(&client, &idb, "Team").as_deref(), Some("b"));
    }
    assert_eq!(live_ids(&client, &net.id).len(), 4, "two endpoints per state");
    for (name, tf) in [("A", &a), ("B", &b)] {
        let plan = tf.plan();
        assert_eq!(plan.code, 0, "{name} plans changes:\n{}", plan.all());
    }
    // A's destroy deletes A's endpoints only.
    let b_ids = state_ids(&b);
    a.destroy().ok();
    assert_eq!(live_ids(&client, &net.id), b_ids, "B's endpoints survive A's destroy");
    assert_eq!(b.plan().code, 0);
    b.destroy().ok();
    assert!(live_ids(&client, &net.id).is_empty());
}

/// The same with a shared route table: EC2 allows one S3 route per route table, so B's gateway
/// is refused by EC2 itself, and A's endpoint and route stay as they were.
#[test]
fn a_second_state_on_the_same_route_table_gets_ec2s_refusal_not_the_first_states_endpoint() {
    let client = rt().block_on(ec2());
    let net = rt().block_on(vpc(&client, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }));
    let gateway = |team: &str| {
        format!(
            "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{}\"]\n  tags            = {{ Team = \"{team}\" }}\n}}\n",
            net.id, net.route_tables[0]
        )
    };
    let (a, b) = (Tf::new(), Tf::new());
    a.write(&gateway("a"));
    b.write(&gateway("b"));
    a.apply().ok();
    let ida = id_of(&a, "vpce_gateway.s3");
    let out = b.apply();
    assert_ne!(out.code, 0, "B's gateway on A's route table must be refused:\n{}", out.all());
    assert!(!out.all().contains("Adopted"), "B adopted A's endpoint:\n{}", out.all());
    assert!(state_ids(&b).is_empty(), "B's state holds nothing");
    assert_eq!(live_ids(&client, &net.id), vec![ida.clone()]);
    assert_eq!(tag(&client, &ida, "Team").as_deref(), Some("a"));
    let ep = rt().block_on(endpoint(&client, &ida)).expect("A's endpoint");
    assert_eq!(ep.route_table_ids(), [net.route_tables[0].clone()], "A's route table stays associated");
    assert_eq!(a.plan().code, 0);
    a.destroy().ok();
    b.destroy().ok();
}

/// kill -9 of the provider while `count` creates with identical settings are in flight (EC2 made
/// them, their answers are held back), then a re-apply that also adds a tag: every orphan is
/// adopted by the resource whose `Name` it carries, every endpoint gets the new tag, and the
/// next plan is empty.
#[test]
fn adoption_after_a_kill_matches_tags_and_brings_them_to_the_plan() {
    const N: usize = 6;
    let client = rt().block_on(ec2());
    let net = rt().block_on(vpc(&client, VpcOpts { subnets: 0, route_tables: 0, security_groups: 0, ..Default::default() }));
    let config = |extra: &str| {
        format!(
            "resource \"vpce_gateway\" \"x\" {{\n  count           = {N}\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = []\n  tags            = {{ Name = \"x-${{count.index}}\"{extra} }}\n}}\n",
            net.id
        )
    };
    let proxy = Proxy::start();
    proxy.hold_answer("CreateVpcEndpoint");
    let tf = Tf::new();
    tf.write_via(&proxy.url, &config(""));
    let child = spawn_apply(&tf);
    wait_until("all creates executed, their answers held", Duration::from_secs(120), || proxy.held() == N);
    for pid in provider_children(child.id()) {
        kill(pid, "-KILL");
    }
    let out = finish(child);
    assert_ne!(out.code, 0, "the apply survived its provider:\n{}", out.all());
    assert_eq!(live_ids(&client, &net.id).len(), N, "EC2 made the endpoints");
    assert!(state_ids(&tf).is_empty(), "no answer reached the state");

    // Re-apply straight to moto, with one more tag for every endpoint.
    tf.write(&config(", Env = \"b\""));
    let out = tf.apply().ok();
    assert!(out.all().contains("Adopted an endpoint from an interrupted apply"), "{}", out.all());
    assert_eq!(live_ids(&client, &net.id), state_ids(&tf), "no duplicate, nothing orphaned");
    assert_eq!(state_ids(&tf).len(), N, "every orphan adopted, none created");
    for i in 0..N {
        let id = id_of(&tf, &format!("vpce_gateway.x[{i}]"));
        let ep = rt().block_on(endpoint(&client, &id)).expect("live");
        assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", &format!("x-{i}")), ("Env", "b")]), "x[{i}] = {id}");
    }
    let plan = tf.plan();
    assert_eq!(plan.code, 0, "the plan after adoption is not empty:\n{}", plan.all());
    tf.destroy().ok();
    assert!(live_ids(&client, &net.id).is_empty());
}
