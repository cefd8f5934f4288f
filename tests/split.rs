//! vpce_policy and vpce_private_dns (split ownership of an endpoint's settings) against moto
//! through real Terraform: the endpoint and the separate resource in one configuration (applied
//! while EC2 answers OperationInProgress first), after which the endpoint keeps the separate
//! resource's value (a second plan is empty); drift, update, import, the conflicts refused at plan,
//! the destroy (policy reset; private DNS left as it is), what a lost create leaves (the hidden
//! tag), and `moved` from hashicorp/aws's aws_vpc_endpoint_policy and aws_vpc_endpoint_private_dns
//! (hand-written 6.x state: aws 3.39.0 has neither).

mod common;

use common::proxy::{param, Proxy};
use common::*;

const SSM: &str = "com.amazonaws.us-east-1.ssm";
const POLICY_TAG: &str = "terraform-provider-vpce:managed-by:policy";
const DNS_TAG: &str = "terraform-provider-vpce:managed-by:private_dns_enabled";

fn custom(action: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"*"}}]}}"#)
}

fn ec2_policy(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> serde_json::Value {
    let ep = rt.block_on(endpoint(client, id)).expect("endpoint");
    serde_json::from_str(ep.policy_document().expect("policy")).expect("policy JSON")
}

fn is_default_policy(p: &serde_json::Value) -> bool {
    let st = &p["Statement"][0];
    st["Action"] == "*" && st["Resource"] == "*" && st["Effect"] == "Allow"
}

fn raw_tags(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    let ep = rt.block_on(endpoint(client, id)).expect("endpoint");
    ep.tags().iter().filter_map(|t| t.key().map(str::to_string)).collect()
}

fn private_dns(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, id: &str) -> bool {
    rt.block_on(endpoint(client, id)).expect("endpoint").private_dns_enabled().unwrap_or(false)
}

fn hcl(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

#[test]
fn policy_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }));
    let proxy = Proxy::start();
    let tf = Tf::new();
    let gateway = format!(
        "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{}\"]\n  tags            = {{ Name = \"split\" }}\n}}\n",
        vpc.id, vpc.route_tables[0]
    );
    let with_policy = |p: &str| {
        format!(
            "{gateway}\nresource \"vpce_policy\" \"p\" {{\n  vpc_endpoint_id = vpce_gateway.s3.id\n  policy          = {}\n}}\n",
            hcl(p)
        )
    };
    let get = custom("s3:GetObject");
    tf.write_via(&proxy.url, &with_policy(&get));

    // The endpoint and its policy in one apply, while EC2 first refuses ModifyVpcEndpoint as busy.
    let out = apply_while_busy(&tf, &proxy);
    assert!(!out.all().contains("managed twice"), "{}", out.all());
    let modifies = proxy.calls("ModifyVpcEndpoint");
    assert!(modifies.len() > 3, "refused modifies were retried: {} calls", modifies.len());
    assert!(modifies.iter().all(|c| param(c, "ResetPolicy").is_none()), "nothing reset the policy");
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&get).unwrap());
    assert!(raw_tags(&rt, &client, &id).contains(&POLICY_TAG.to_string()), "the endpoint carries the hidden tag");
    assert_eq!(tf.resource("vpce_policy.p")["id"], id.as_str());

    // The key property: the endpoint leaves the policy to vpce_policy. The second plan is empty,
    // and an apply keeps EC2's policy.
    let out = tf.plan();
    assert_eq!(out.code, 0, "second plan is empty:\n{}", out.all());
    no_warnings(&out);
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(gw["tags_all"], serde_json::json!({"Name": "split"}), "the hidden tag is never shown");
    // A change of the endpoint itself (a tag) updates it without touching the policy.
    tf.write_via(&proxy.url, &with_policy(&get).replace("Name = \"split\"", "Name = \"split2\""));
    proxy.clear();
    tf.apply().ok();
    assert!(proxy.calls("ModifyVpcEndpoint").is_empty(), "the endpoint's update sent no policy");
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&get).unwrap());
    assert_eq!(tf.plan().code, 0);
    let with_policy = |p: &str| with_policy(p).replace("Name = \"split\"", "Name = \"split2\"");

    // Drift: the policy changed outside Terraform. vpce_policy plans it back, the endpoint nothing.
    let put = custom("s3:PutObject");
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).policy_document(&put).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_policy.p"), ["update"]);
    assert_eq!(actions(&changes, "vpce_gateway.s3"), ["no-op"]);
    tf.apply().ok();
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&get).unwrap());
    assert_eq!(tf.plan().code, 0);

    // An update of the policy; a reformatting is no change.
    tf.write_via(&proxy.url, &with_policy(&put));
    tf.apply().ok();
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&put).unwrap());
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&put).unwrap()).unwrap();
    tf.write_via(&proxy.url, &with_policy(&pretty));
    assert_eq!(tf.plan().code, 0, "reformatting is no change");
    tf.write_via(&proxy.url, &with_policy(&put));

    // Import by the endpoint's ID.
    tf.run(&["state", "rm", "-no-color", "vpce_policy.p"]).ok();
    tf.import("vpce_policy.p", &format!("{id}/x")).fails_with(&["Invalid import ID"]);
    tf.import("vpce_policy.p", "vpce-0123456789abcdef0").fails_with(&["Cannot import: endpoint not found"]);
    tf.import("vpce_policy.p", &id).ok();
    let out = tf.plan();
    assert_eq!(out.code, 0, "imported: nothing to change\n{}", out.all());

    // The endpoint setting the policy too: refused at plan, on the endpoint's `policy`.
    let both = with_policy(&put).replace("  tags            =", &format!("  policy          = {}\n  tags            =", hcl(&put)));
    tf.write_via(&proxy.url, &both);
    tf.plan().fails_with(&["Policy managed twice", "leave policy unset"]);
    // A second vpce_policy of the same endpoint: refused.
    let dup = format!("{}\nresource \"vpce_policy\" \"q\" {{\n  vpc_endpoint_id = vpce_gateway.s3.id\n}}\n", with_policy(&put));
    tf.write_via(&proxy.url, &dup);
    tf.plan().fails_with(&["Duplicate vpce_policy"]);

    // A lost create (the apply died after the tag): the state does not hold the vpce_policy, the
    // tag stays, and the endpoint leaves the policy alone; the next apply creates it again.
    tf.run(&["state", "rm", "-no-color", "vpce_policy.p"]).ok();
    tf.write_via(&proxy.url, &gateway.replace("Name = \"split\"", "Name = \"split2\""));
    let out = tf.plan();
    assert_eq!(out.code, 0, "the marked endpoint keeps the policy:\n{}", out.all());
    tf.write_via(&proxy.url, &with_policy(&get));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_policy.p"), ["create"]);
    tf.apply().ok();
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&get).unwrap());

    // Removing the vpce_policy resets the default policy and hands it back to the endpoint.
    tf.write_via(&proxy.url, &gateway.replace("Name = \"split\"", "Name = \"split2\""));
    tf.apply().ok();
    assert!(is_default_policy(&ec2_policy(&rt, &client, &id)), "{}", ec2_policy(&rt, &client, &id));
    assert!(!raw_tags(&rt, &client, &id).contains(&POLICY_TAG.to_string()), "tag removed");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    // The endpoint manages it again: a policy set outside Terraform is reset.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).policy_document(&put).send()).expect("modify");
    assert_eq!(actions(&tf.plan_changes(), "vpce_gateway.s3"), ["update"]);
    tf.apply().ok();
    assert!(is_default_policy(&ec2_policy(&rt, &client, &id)));
    tf.destroy().ok();
}

#[test]
fn policy_of_another_state_and_wrong_endpoints_are_refused() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let created = rt
        .block_on(client.create_vpc_endpoint().vpc_id(&vpc.id).service_name("com.amazonaws.us-east-1.s3").send())
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let tf = Tf::new();
    // Another state's vpce_policy manages it (its tag, another owner).
    rt.block_on(
        client
            .create_tags()
            .resources(&id)
            .tags(aws_sdk_ec2::types::Tag::builder().key(POLICY_TAG).value("0123456789abcdef").build())
            .send(),
    )
    .expect("tag");
    tf.write(&format!("resource \"vpce_policy\" \"p\" {{\n  vpc_endpoint_id = \"{id}\"\n}}\n"));
    tf.plan().fails_with(&["Policy already managed", "another Terraform state"]);
    // Private DNS of a gateway endpoint: no such setting.
    tf.write(&format!("resource \"vpce_private_dns\" \"d\" {{\n  vpc_endpoint_id     = \"{id}\"\n  private_dns_enabled = true\n}}\n"));
    tf.plan().fails_with(&["Wrong endpoint type for vpce_private_dns", "only Interface endpoints"]);
    tf.write("resource \"vpce_policy\" \"p\" {\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n}\n");
    tf.plan().fails_with(&["VPC endpoint not found"]);
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&id).send()).expect("delete");
}

#[test]
fn private_dns_lifecycle() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let proxy = Proxy::start();
    let tf = Tf::new();
    let interface = format!(
        "resource \"vpce_interface\" \"e\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"{SSM}\"\n  subnet_ids         = [\"{}\"]\n  security_group_ids = [\"{}\"]\n}}\n",
        vpc.id, vpc.subnets[0].id, vpc.security_groups[0]
    );
    let with_dns = |on: bool| {
        format!("{interface}\nresource \"vpce_private_dns\" \"d\" {{\n  vpc_endpoint_id     = vpce_interface.e.id\n  private_dns_enabled = {on}\n}}\n")
    };
    tf.write_via(&proxy.url, &with_dns(true));
    let out = apply_while_busy(&tf, &proxy);
    assert!(!out.all().contains("managed twice"), "{}", out.all());
    let id = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert!(private_dns(&rt, &client, &id), "private DNS on");
    assert!(raw_tags(&rt, &client, &id).contains(&DNS_TAG.to_string()));
    // The interface (private_dns_enabled unset, which alone means "off") keeps it on.
    let out = tf.plan();
    assert_eq!(out.code, 0, "second plan is empty:\n{}", out.all());
    no_warnings(&out);
    tf.apply().ok();
    assert!(private_dns(&rt, &client, &id), "an apply keeps it on");
    assert_eq!(tf.resource("vpce_interface.e")["private_dns_enabled"], true, "computed from EC2");
    assert_eq!(tf.resource("vpce_interface.e")["tags_all"], serde_json::json!({}), "the hidden tag is never shown");

    // Drift: switched off outside Terraform, switched on again by vpce_private_dns.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).private_dns_enabled(false).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_private_dns.d"), ["update"]);
    assert_eq!(actions(&changes, "vpce_interface.e"), ["no-op"]);
    tf.apply().ok();
    assert!(private_dns(&rt, &client, &id));
    assert_eq!(tf.plan().code, 0);

    // Update: off, then on.
    tf.write_via(&proxy.url, &with_dns(false));
    tf.apply().ok();
    assert!(!private_dns(&rt, &client, &id));
    assert_eq!(tf.plan().code, 0);
    tf.write_via(&proxy.url, &with_dns(true));
    tf.apply().ok();
    assert!(private_dns(&rt, &client, &id));

    // Import.
    tf.run(&["state", "rm", "-no-color", "vpce_private_dns.d"]).ok();
    tf.import("vpce_private_dns.d", "vpce-svc-0123456789abcdef0").fails_with(&["Invalid import ID"]);
    tf.import("vpce_private_dns.d", &id).ok();
    assert_eq!(tf.resource("vpce_private_dns.d")["private_dns_enabled"], true);
    assert_eq!(tf.plan().code, 0, "imported: nothing to change");

    // The interface setting it as well: refused.
    tf.write_via(&proxy.url, &with_dns(true).replace("  subnet_ids ", "  private_dns_enabled = true\n  subnet_ids "));
    tf.plan().fails_with(&["Private DNS setting managed twice"]);

    // Destroying vpce_private_dns leaves private DNS on (as hashicorp/aws does) and removes the
    // tag; the interface manages it again: unset means off, which the next plan shows.
    tf.write_via(&proxy.url, &interface);
    tf.apply().ok();
    assert!(private_dns(&rt, &client, &id), "left as it is");
    assert!(!raw_tags(&rt, &client, &id).contains(&DNS_TAG.to_string()), "tag removed");
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.e"), ["update"]);
    tf.destroy().ok();
}

#[test]
fn moves_from_the_aws_counterparts() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let created = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .vpc_id(&vpc.id)
                .service_name(SSM)
                .subnet_ids(&vpc.subnets[0].id)
                .private_dns_enabled(true)
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let pol = custom("ssm:*");
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&id).policy_document(&pol).send()).expect("policy");
    // aws 3.39.0 has neither resource: their 6.x state, written by hand, as aws 6.x writes it.
    let tf = awsprovider::tf_with_both();
    let attrs = |ty: &str| match ty {
        "aws_vpc_endpoint_policy" => {
            serde_json::json!({"id": id, "policy": pol, "region": "us-east-1", "timeouts": null, "vpc_endpoint_id": id})
        }
        _ => serde_json::json!({"private_dns_enabled": true, "region": "us-east-1", "vpc_endpoint_id": id}),
    };
    let resources: Vec<serde_json::Value> = [("aws_vpc_endpoint_policy", "p"), ("aws_vpc_endpoint_private_dns", "d")]
        .iter()
        .map(|(ty, name)| {
            serde_json::json!({
                "mode": "managed", "type": ty, "name": name,
                "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                "instances": [{"schema_version": 0, "attributes": attrs(ty), "sensitive_attributes": [], "private": "bnVsbA=="}]
            })
        })
        .collect();
    let state = serde_json::json!({"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "split-moves", "outputs": {}, "resources": resources});
    std::fs::write(tf.path().join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap()).expect("state");
    let proxy = common::faultproxy::FaultProxy::start(&[]);
    let ours = format!(
        "resource \"vpce_policy\" \"p\" {{\n  vpc_endpoint_id = \"{id}\"\n  policy          = {}\n}}\n\nresource \"vpce_private_dns\" \"d\" {{\n  vpc_endpoint_id     = \"{id}\"\n  private_dns_enabled = true\n}}\n\nmoved {{\n  from = aws_vpc_endpoint_policy.p\n  to   = vpce_policy.p\n}}\n\nmoved {{\n  from = aws_vpc_endpoint_private_dns.d\n  to   = vpce_private_dns.d\n}}\n",
        hcl(&pol)
    );
    tf.write_raw(&format!("{}\n{ours}", awsprovider::provider_blocks(&proxy.url(), true)));
    let changes = tf.plan_changes();
    for (ours, theirs) in [("vpce_policy.p", "aws_vpc_endpoint_policy.p"), ("vpce_private_dns.d", "aws_vpc_endpoint_private_dns.d")] {
        let change = changes.iter().find(|c| c["address"] == ours).expect("a change for ours");
        assert_eq!(change["previous_address"], theirs);
        assert_eq!(actions(&changes, ours), ["no-op"], "moved, not replaced");
    }
    tf.apply().ok();
    assert_eq!(tf.resource("vpce_policy.p")["id"], id.as_str());
    assert_eq!(tf.resource("vpce_private_dns.d")["private_dns_enabled"], true);
    // The refresh tagged the endpoint: from now on an endpoint resource leaves both settings alone.
    let tags = raw_tags(&rt, &client, &id);
    assert!(tags.contains(&POLICY_TAG.to_string()) && tags.contains(&DNS_TAG.to_string()), "{tags:?}");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    // Ours own them: the destroy resets the policy and leaves private DNS.
    tf.destroy().ok();
    assert!(is_default_policy(&ec2_policy(&rt, &client, &id)));
    assert!(private_dns(&rt, &client, &id));
    assert!(raw_tags(&rt, &client, &id).is_empty(), "both tags removed");
    rt.block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&id).send()).expect("delete");
}

/// The settings moving back to the endpoint in one change: the configuration drops vpce_policy and
/// vpce_private_dns and sets `policy` and `private_dns_enabled` on the endpoint instead. The plan
/// warns (the separate resources' tags are still on the endpoint) but does not refuse; Terraform
/// destroys the separate resources before it updates the endpoint, so EC2 ends with the endpoint's
/// values and no hidden tag, and the next plan is empty. Kept in the configuration beside the
/// endpoint's own setting, a separate resource is still refused ("managed twice").
#[test]
fn settings_move_back_to_the_endpoint_in_one_apply() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() }));
    let tf = Tf::new();
    let interface = |inline: &str| {
        format!(
            "resource \"vpce_interface\" \"e\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"{SSM}\"\n  subnet_ids         = [\"{}\"]\n  security_group_ids = [\"{}\"]\n{inline}}}\n",
            vpc.id, vpc.subnets[0].id, vpc.security_groups[0]
        )
    };
    let separate = format!(
        "resource \"vpce_policy\" \"p\" {{\n  vpc_endpoint_id = vpce_interface.e.id\n  policy          = {}\n}}\n\nresource \"vpce_private_dns\" \"d\" {{\n  vpc_endpoint_id     = vpce_interface.e.id\n  private_dns_enabled = true\n}}\n",
        hcl(&custom("ssm:GetParameter"))
    );
    tf.write(&format!("{}\n{separate}", interface("")));
    tf.apply().ok();
    let id = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert!(raw_tags(&rt, &client, &id).contains(&POLICY_TAG.to_string()));
    assert!(private_dns(&rt, &client, &id));

    let inline = format!("  policy              = {}\n  private_dns_enabled = true\n", hcl(&custom("ssm:GetParameters")));
    // Both at once: the separate resources still in the configuration are refused.
    tf.write(&format!("{}\n{separate}", interface(&inline)));
    tf.plan().fails_with(&["managed twice"]);

    // The separate resources dropped: a warning per setting, and the apply works.
    tf.write(&interface(&inline));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.all().contains("Policy moves back to the endpoint"), "{}", out.all());
    assert!(out.all().contains("Private DNS setting moves back to the endpoint"), "{}", out.all());
    assert_eq!(ec2_policy(&rt, &client, &id), serde_json::from_str::<serde_json::Value>(&custom("ssm:GetParameters")).unwrap());
    assert!(private_dns(&rt, &client, &id), "private DNS stays on");
    let tags = raw_tags(&rt, &client, &id);
    assert!(!tags.contains(&POLICY_TAG.to_string()) && !tags.contains(&DNS_TAG.to_string()), "{tags:?}");
    let out = tf.plan();
    assert_eq!(out.code, 0, "the next plan is empty:\n{}", out.all());
    tf.destroy().ok();
}
