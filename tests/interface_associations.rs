//! vpce_subnet_association and vpce_security_group_association against moto through real
//! Terraform: several associations applied together on one interface endpoint (with EC2 answering
//! OperationInProgress first), drift, import, destroy, `replace_default_association`, the
//! conflicts refused at plan, and `moved` from the real AWS provider 3.39.0's associations.

mod common;

use common::proxy::{param_list, Proxy};
use common::*;

const SSM: &str = "com.amazonaws.us-east-1.ssm";

fn subnets_of(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    sorted(rt.block_on(endpoint(client, id)).expect("endpoint").subnet_ids().to_vec())
}

fn groups_of(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    let ep = rt.block_on(endpoint(client, id)).expect("endpoint");
    sorted(ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect())
}

fn interface(vpc: &str, extra: &str) -> String {
    format!("resource \"vpce_interface\" \"e\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"{SSM}\"\n{extra}}}\n")
}

#[test]
fn subnet_associations_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 3, route_tables: 0, security_groups: 1, ..Default::default() }));
    let subnets: Vec<String> = vpc.subnets.iter().map(|s| s.id.clone()).collect();
    let proxy = Proxy::start();
    let tf = Tf::new();
    let address = |s: &str| format!("vpce_subnet_association.a[\"{s}\"]");
    // Three subnet associations and a security group association of one endpoint, in one apply.
    let config = format!(
        "{}\nresource \"vpce_subnet_association\" \"a\" {{\n  for_each        = toset({})\n  vpc_endpoint_id = vpce_interface.e.id\n  subnet_id       = each.value\n}}\n\nresource \"vpce_security_group_association\" \"g\" {{\n  vpc_endpoint_id   = vpce_interface.e.id\n  security_group_id = \"{}\"\n}}\n",
        interface(&vpc.id, ""),
        hcl_list(&subnets),
        vpc.security_groups[0]
    );
    tf.write_via(&proxy.url, &config);
    let out = apply_while_busy(&tf, &proxy);
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert!(modifies.len() > 3, "refused modifies were retried: {} calls", modifies.len());
    let mut added: Vec<String> = modifies.iter().flat_map(|c| param_list(c, "AddSubnetId")).collect();
    added.sort();
    added.dedup();
    assert_eq!(added, sorted(subnets.clone()));
    assert!(!out.all().contains("managed twice"));
    let groups: Vec<String> = modifies.iter().flat_map(|c| param_list(c, "AddSecurityGroupId")).collect();
    assert!(groups.contains(&vpc.security_groups[0]), "the group association went through the same endpoint: {groups:?}");

    let id = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert_eq!(subnets_of(&rt, &client, &id), sorted(subnets.clone()), "all three associated");
    assert!(groups_of(&rt, &client, &id).contains(&vpc.security_groups[0]), "and the group");
    assert_eq!(rt.block_on(endpoint(&client, &id)).expect("endpoint").network_interface_ids().len(), 3, "one interface per subnet");
    for s in &subnets {
        assert_eq!(tf.resource(&address(s))["id"], format!("{id}/{s}"));
    }
    // The interface leaves subnets to the associations: nothing to change.
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);

    // Drift: one association removed outside Terraform: planned and made again.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_subnet_ids(&subnets[1]).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, &address(&subnets[1])), ["create"]);
    assert_eq!(actions(&changes, &address(&subnets[0])), ["no-op"]);
    assert_eq!(actions(&changes, "vpce_interface.e"), ["no-op"]);
    tf.apply().ok();
    assert_eq!(subnets_of(&rt, &client, &id), sorted(subnets.clone()));
    assert_eq!(tf.plan().code, 0);

    // Import by <vpc_endpoint_id>/<subnet_id>.
    tf.run(&["state", "rm", "-no-color", &address(&subnets[2])]).ok();
    tf.import(&address(&subnets[2]), &subnets[2]).fails_with(&["Invalid import ID", "<vpc_endpoint_id>/<subnet_id>"]);
    tf.import(&address(&subnets[2]), &format!("{id}/subnet-0123456789abcdef0")).fails_with(&["Cannot import: not associated"]);
    tf.import(&address(&subnets[2]), &format!("{id}/{}", subnets[2])).ok();
    assert_eq!(tf.resource(&address(&subnets[2]))["subnet_id"], subnets[2].as_str());
    assert_eq!(tf.plan().code, 0, "imported: nothing to change");

    // Removing one association from the configuration removes the subnet in EC2.
    tf.write_via(&proxy.url, &config.replace(&hcl_list(&subnets), &hcl_list(&subnets[..2])));
    tf.apply().ok();
    assert_eq!(subnets_of(&rt, &client, &id), sorted(subnets[..2].to_vec()));
    assert_eq!(tf.plan().code, 0);

    // An association whose subnet is already gone from the endpoint deletes cleanly.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_subnet_ids(&subnets[0]).send()).expect("modify");
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&client, &vpc.id)).is_empty());
}

#[test]
fn security_group_associations_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 2, ..Default::default() }));
    let (sg0, sg1) = (vpc.security_groups[0].clone(), vpc.security_groups[1].clone());
    let default = vpc.default_security_group.clone();
    let tf = Tf::new();
    let association = |name: &str, sg: &str, replace: Option<bool>| {
        let r = replace.map(|r| format!("  replace_default_association = {r}\n")).unwrap_or_default();
        format!("resource \"vpce_security_group_association\" \"{name}\" {{\n  vpc_endpoint_id   = vpce_interface.e.id\n  security_group_id = \"{sg}\"\n{r}}}\n")
    };
    let base = interface(&vpc.id, &format!("  subnet_ids   = [\"{}\"]\n", vpc.subnets[0].id));
    tf.write(&base);
    tf.apply().ok();
    let id = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert_eq!(groups_of(&rt, &client, &id), vec![default.clone()], "EC2 gives the default group");

    // One association replaces the default group, another adds a group.
    tf.write(&format!("{base}{}{}", association("main", &sg0, Some(true)), association("extra", &sg1, None)));
    tf.apply().ok();
    assert_eq!(groups_of(&rt, &client, &id), sorted(vec![sg0.clone(), sg1.clone()]), "the default group replaced");
    assert_eq!(tf.resource("vpce_security_group_association.extra")["replace_default_association"], false);
    assert_eq!(tf.resource("vpce_security_group_association.main")["id"], format!("{id}/{sg0}"));
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);

    // Drift: a group removed outside Terraform.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_security_group_ids(&sg1).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_security_group_association.extra"), ["create"]);
    assert_eq!(actions(&changes, "vpce_security_group_association.main"), ["no-op"]);
    tf.apply().ok();
    assert!(groups_of(&rt, &client, &id).contains(&sg1));

    // Import: replace_default_association reads as false; declaring it so changes nothing.
    tf.run(&["state", "rm", "-no-color", "vpce_security_group_association.extra"]).ok();
    tf.import("vpce_security_group_association.extra", &format!("{id}/{sg1}")).ok();
    assert_eq!(tf.resource("vpce_security_group_association.extra")["replace_default_association"], false);
    tf.write(&format!("{base}{}{}", association("main", &sg0, Some(true)), association("extra", &sg1, Some(false))));
    assert_eq!(tf.plan().code, 0, "imported: nothing to change");
    // Changing replace_default_association replaces the association.
    tf.write(&format!("{base}{}{}", association("main", &sg0, Some(true)), association("extra", &sg1, Some(true))));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_security_group_association.extra"), ["delete", "create"]);

    // Destroying the replacing association puts the default group back.
    tf.write(&format!("{base}{}", association("extra", &sg1, None)));
    tf.apply().ok();
    assert_eq!(groups_of(&rt, &client, &id), sorted(vec![default.clone(), sg1.clone()]), "the default group is back");
    assert_eq!(tf.plan().code, 0);

    // Refused at plan: the default group replacing itself, a default group the endpoint no longer has.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_security_group_ids(&default).add_security_group_ids(&sg0).send())
        .expect("modify");
    tf.write(&format!("{base}{}{}", association("extra", &sg1, None), association("sg2", &sg0, Some(true))));
    tf.plan().fails_with(&["Security group already associated"]);
    tf.write(&format!("{base}{}{}", association("extra", &sg1, None), association("main", &default, Some(true))));
    tf.plan().fails_with(&["Cannot replace the default security group with itself"]);
    tf.write(&format!("{base}{}{}", association("extra", &sg1, None), association("sg2", &sg0, Some(true))));
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_security_group_ids(&sg0).send()).expect("modify");
    tf.plan().fails_with(&["The endpoint does not have the default security group", "replace_default_association = false"]);
    tf.write(&format!("{base}{}", association("extra", &sg1, None)));
    tf.destroy().ok();
}

fn plan_fails(tf: &Tf, body: &str, needles: &[&str]) {
    tf.write(body);
    tf.plan().fails_with(needles);
}

#[test]
fn conflicts_are_refused_at_plan() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 2, route_tables: 1, security_groups: 2, ..Default::default() }));
    let other = rt.block_on(common::vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let (s, g): (Vec<String>, _) = (vpc.subnets.iter().map(|s| s.id.clone()).collect(), &vpc.security_groups);
    // A second subnet in the first subnet's Availability Zone.
    let first = rt.block_on(client.describe_subnets().subnet_ids(&s[0]).send()).expect("describe subnets");
    let cidr = first.subnets()[0].cidr_block().expect("cidr").replace(".0.0/24", ".200.0/24");
    let twin = rt
        .block_on(client.create_subnet().vpc_id(&vpc.id).cidr_block(&cidr).availability_zone(&vpc.subnets[0].az).send())
        .expect("create subnet");
    let twin = twin.subnet().and_then(|x| x.subnet_id()).expect("subnet id").to_string();
    let tf = Tf::new();
    let base = |extra: &str| interface(&vpc.id, extra);
    let subnet = |name: &str, id: &str| {
        format!("resource \"vpce_subnet_association\" \"{name}\" {{\n  vpc_endpoint_id = vpce_interface.e.id\n  subnet_id       = \"{id}\"\n}}\n")
    };
    let group = |name: &str, id: &str| {
        format!("resource \"vpce_security_group_association\" \"{name}\" {{\n  vpc_endpoint_id   = vpce_interface.e.id\n  security_group_id = \"{id}\"\n}}\n")
    };
    let with_subnets = format!("  subnet_ids   = [\"{}\"]\n", s[0]);
    let with_groups = format!("  security_group_ids = [\"{}\"]\n", g[0]);
    tf.write(&base(&format!("{with_subnets}{with_groups}")));
    tf.apply().ok();
    let id = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();

    // The interface sets subnet_ids / security_group_ids: an association would be undone by it.
    plan_fails(
        &tf,
        &format!("{}{}", base(&with_subnets), subnet("b", &s[1])),
        &["Subnets managed twice", &format!("sets subnet_ids = [\"{}\"], which does not include {}", s[0], s[1]), "leave subnet_ids unset"],
    );
    plan_fails(
        &tf,
        &format!("{}{}", base(&format!("{with_subnets}{with_groups}")), group("b", &g[1])),
        &["Security groups managed twice", "leave security_group_ids unset"],
    );
    // Two associations of one pair; a pair that exists already (made by the inline list).
    plan_fails(&tf, &format!("{}{}{}", base(""), subnet("a", &s[1]), subnet("b", &s[1])), &["Duplicate subnet association"]);
    plan_fails(
        &tf,
        &format!("{}{}", base(""), subnet("a", &s[0])),
        &["Subnet already associated", &format!("terraform import vpce_subnet_association.NAME {id}/{}", s[0])],
    );
    plan_fails(&tf, &format!("{}{}", base(""), group("a", &g[0])), &["Security group already associated"]);
    // EC2's rules: one subnet per Availability Zone, the endpoint's VPC, the endpoint's type.
    plan_fails(&tf, &format!("{}{}", base(""), subnet("a", &twin)), &["Availability Zone already has a subnet", &s[0]]);
    plan_fails(&tf, &format!("{}{}", base(""), subnet("a", &other.subnets[0].id)), &["Subnet is not in the endpoint's VPC"]);
    plan_fails(&tf, &format!("{}{}", base(""), group("a", &other.security_groups[0])), &["Security group is not in the endpoint's VPC"]);
    plan_fails(&tf, &format!("{}{}", base(""), subnet("a", "subnet-0123456789abcdef0")), &["Subnet not found"]);
    let gateway = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
                .vpc_id(&vpc.id)
                .service_name("com.amazonaws.us-east-1.s3")
                .send(),
        )
        .expect("create gateway");
    let gateway = gateway.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    plan_fails(
        &tf,
        &format!(
            "{}resource \"vpce_subnet_association\" \"a\" {{\n  vpc_endpoint_id = \"{gateway}\"\n  subnet_id       = \"{}\"\n}}\n",
            base(""),
            s[1]
        ),
        &["Not an interface endpoint", &format!("{gateway} is a gateway endpoint")],
    );
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&gateway).send()).expect("delete gateway");

    // None of this changed anything.
    assert_eq!(subnets_of(&rt, &client, &id), vec![s[0].clone()]);
    assert_eq!(groups_of(&rt, &client, &id), vec![g[0].clone()]);
    tf.write(&base(&format!("{with_subnets}{with_groups}")));
    tf.destroy().ok();
}

// ---------------------------------------------------------------------------------------------
// moved from hashicorp/aws's associations (the real AWS provider 3.39.0)
// ---------------------------------------------------------------------------------------------

#[test]
fn moves_from_the_aws_associations_without_writes() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let (subnet, sg) = (vpc.subnets[0].id.clone(), vpc.security_groups[0].clone());
    let created = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .vpc_id(&vpc.id)
                .service_name(SSM)
                .private_dns_enabled(false)
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let proxy = common::faultproxy::FaultProxy::start(&[]);
    let ours = format!(
        "resource \"vpce_subnet_association\" \"s\" {{\n  vpc_endpoint_id = \"{id}\"\n  subnet_id       = \"{subnet}\"\n}}\n\nresource \"vpce_security_group_association\" \"g\" {{\n  vpc_endpoint_id   = \"{id}\"\n  security_group_id = \"{sg}\"\n}}\n"
    );
    let theirs = format!(
        "resource \"aws_vpc_endpoint_subnet_association\" \"s\" {{\n  vpc_endpoint_id = \"{id}\"\n  subnet_id       = \"{subnet}\"\n}}\n"
    );
    let tf = awsprovider::tf_with_both();
    tf.write_raw(&format!("{}\n{theirs}", awsprovider::provider_blocks(&proxy.url(), true)));
    tf.apply().ok();
    assert_eq!(subnets_of(&rt, &client, &id), vec![subnet.clone()], "the AWS provider associated the subnet");
    let aws_id = tf.resource("aws_vpc_endpoint_subnet_association.s")["id"].as_str().expect("aws id").to_string();
    assert!(aws_id.starts_with(&format!("a-{id}")), "{aws_id}");

    // aws 3.39.0 has no aws_vpc_endpoint_security_group_association: its 6.x state, written by
    // hand (the association itself made here as that provider would).
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).add_security_group_ids(&sg).send()).expect("modify");
    let state_file = tf.path().join("terraform.tfstate");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).expect("state file")).expect("state JSON");
    state["serial"] = serde_json::json!(state["serial"].as_i64().unwrap_or(0) + 1);
    state["resources"].as_array_mut().expect("resources").push(serde_json::json!({
        "mode": "managed",
        "type": "aws_vpc_endpoint_security_group_association",
        "name": "g",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [{
            "schema_version": 0,
            "attributes": {
                "id": format!("a-{id}1234567890"),
                "region": "us-east-1",
                "replace_default_association": false,
                "security_group_id": sg,
                "vpc_endpoint_id": id
            },
            "sensitive_attributes": [],
            "private": "bnVsbA=="
        }]
    }));
    std::fs::write(&state_file, serde_json::to_string_pretty(&state).expect("state")).expect("write state");

    let moved = "moved {\n  from = aws_vpc_endpoint_subnet_association.s\n  to   = vpce_subnet_association.s\n}\n\nmoved {\n  from = aws_vpc_endpoint_security_group_association.g\n  to   = vpce_security_group_association.g\n}\n";
    tf.write_raw(&format!("{}\n{ours}\n{moved}", awsprovider::provider_blocks(&proxy.url(), true)));
    proxy.reset_stats();
    let changes = tf.plan_changes();
    for (ours, theirs) in [
        ("vpce_subnet_association.s", "aws_vpc_endpoint_subnet_association.s"),
        ("vpce_security_group_association.g", "aws_vpc_endpoint_security_group_association.g"),
    ] {
        let change = changes.iter().find(|c| c["address"] == ours).expect("a change for ours");
        assert_eq!(change["previous_address"], theirs);
        assert_eq!(actions(&changes, ours), ["no-op"], "moved, not replaced");
    }
    tf.apply().ok();
    let writes = proxy.writes();
    assert!(writes.is_empty(), "no EC2 write during the move: {writes:?}");
    assert_eq!(tf.resource("vpce_subnet_association.s")["id"], format!("{id}/{subnet}"));
    assert_eq!(tf.resource("vpce_security_group_association.g")["replace_default_association"], false);
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());

    // Ours now own them: destroy removes both associations.
    tf.destroy().ok();
    assert!(subnets_of(&rt, &client, &id).is_empty());
    assert!(!groups_of(&rt, &client, &id).contains(&sg));
}
