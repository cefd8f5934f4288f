//! vpce_resource and vpce_service_network (VPC Lattice endpoints) against moto through real
//! Terraform: lifecycle (the create's request, tags in place, every other change a replacement,
//! destroy), private DNS options, import (and its refusal of another type), drift (tags changed
//! and endpoints deleted out of band), `moved` from aws 6.x aws_vpc_endpoint.
//! scripts/lattice_endpoints.py serves these endpoint types and the Lattice objects they name, as
//! EC2's API reference describes them.

mod common;

use aws_sdk_ec2::types::VpcEndpointType;
use common::proxy::{param, param_list, Proxy};
use common::*;

fn net() -> (tokio::runtime::Runtime, aws_sdk_ec2::Client, TestVpc) {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let net = rt.block_on(vpc(&ec2, VpcOpts { subnets: 2, route_tables: 0, security_groups: 1, ..VpcOpts::default() }));
    (rt, ec2, net)
}

fn resource(kind: &str, target_attr: &str, net: &TestVpc, target: &str, subnets: &[String], extra: &str) -> String {
    format!(
        "resource \"{kind}\" \"e\" {{\n  vpc_id     = \"{vpc}\"\n  {target_attr} = \"{target}\"\n  subnet_ids = {subnets}\n{extra}\n}}\n",
        vpc = net.id,
        subnets = hcl_list(subnets)
    )
}

/// A Resource endpoint: create, no-op plan, tags in place, a subnet change replaces, destroy.
#[test]
fn resource_endpoint_lifecycle() {
    let (rt, ec2, net) = net();
    let (rc, _) = lattice_targets();
    let (s0, s1) = (net.subnets[0].id.clone(), net.subnets[1].id.clone());
    let address = "vpce_resource.e";
    let body = |subnets: &[String], extra: &str| resource("vpce_resource", "resource_configuration_arn", &net, &rc, subnets, extra);
    let rec = Proxy::start();
    let tf = Tf::new();
    let sg = format!("  security_group_ids = [\"{}\"]\n  tags = {{ Name = \"db\" }}", net.security_groups[0]);
    tf.write_via(&rec.url, &body(std::slice::from_ref(&s0), &sg));
    let out = tf.apply().ok();
    no_warnings(&out);
    let st = tf.resource(address);
    let id = st["id"].as_str().expect("id").to_string();
    assert_eq!(st["resource_configuration_arn"], rc.as_str());
    assert_eq!((st["state"].as_str(), st["private_dns_enabled"].as_bool()), (Some("available"), Some(false)));
    assert_eq!(st["ip_address_type"], "ipv4", "EC2's IPV4, in our spelling");
    assert_eq!(sorted_strings(&st["security_group_ids"]), vec![net.security_groups[0].clone()]);
    assert_eq!(sorted_strings(&st["network_interface_ids"]).len(), 1, "{st}");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.vpc_endpoint_type(), Some(&VpcEndpointType::Resource));
    assert_eq!(ep.resource_configuration_arn(), Some(rc.as_str()));
    let create = rec.calls("CreateVpcEndpoint");
    assert_eq!(create.len(), 1);
    assert_eq!(param(&create[0], "VpcEndpointType"), Some("Resource"));
    assert_eq!(param(&create[0], "ResourceConfigurationArn"), Some(rc.as_str()));
    assert_eq!(param(&create[0], "ServiceName"), None);
    assert_eq!(param(&create[0], "PrivateDnsEnabled"), Some("false"));
    assert_eq!(param_list(&create[0], "SubnetId"), vec![s0.clone()]);
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    // Tags: in place (no ModifyVpcEndpoint).
    rec.clear();
    let sg2 = format!("  security_group_ids = [\"{}\"]\n  tags = {{ Name = \"db\", env = \"test\" }}", net.security_groups[0]);
    tf.write_via(&rec.url, &body(std::slice::from_ref(&s0), &sg2));
    assert_eq!(actions(&tf.plan_changes(), address), ["update"]);
    tf.apply().ok();
    assert!(rec.calls("ModifyVpcEndpoint").is_empty() && rec.calls("CreateVpcEndpoint").is_empty());
    assert_eq!(tf.resource(address)["id"], id.as_str());
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "db"), ("env", "test")]));

    // Another subnet: EC2 changes nothing in place, so the plan replaces the endpoint.
    tf.write(&body(&[s0.clone(), s1.clone()], &sg2));
    assert_eq!(actions(&tf.plan_changes(), address), ["delete", "create"]);
    tf.apply().ok();
    let new = tf.resource(address)["id"].as_str().expect("id").to_string();
    assert_ne!(new, id);
    assert!(rt.block_on(endpoint(&ec2, &id)).is_none(), "the old endpoint is deleted");
    let ep = rt.block_on(endpoint(&ec2, &new)).expect("the new endpoint");
    assert_eq!(sorted(ep.subnet_ids().to_vec()), sorted(vec![s0.clone(), s1.clone()]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &new)).is_none());
}

/// A ServiceNetwork endpoint with private DNS options; import (and the refusal of a Resource
/// endpoint); drift: deleted out of band.
#[test]
fn service_network_endpoint_import_and_drift() {
    let (rt, ec2, net) = net();
    let (rc, sn) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let address = "vpce_service_network.e";
    let dns = "  private_dns_enabled = true\n  dns_options {\n    private_dns_preference        = \"VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS\"\n    private_dns_specified_domains = [\"a.example.com\"]\n  }";
    let body = resource("vpce_service_network", "service_network_arn", &net, &sn, std::slice::from_ref(&s0), dns);
    let tf = Tf::new();
    tf.write(&body);
    let out = tf.apply().ok();
    no_warnings(&out);
    let st = tf.resource(address);
    let id = st["id"].as_str().expect("id").to_string();
    assert_eq!(st["service_network_arn"], sn.as_str());
    assert_eq!(st["private_dns_enabled"], true);
    assert_eq!(st["dns_options"]["private_dns_preference"], "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.vpc_endpoint_type(), Some(&VpcEndpointType::ServiceNetwork));
    assert_eq!(ep.service_network_arn(), Some(sn.as_str()));
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    // Import: the same state, no change planned.
    tf.run(&["state", "rm", "-no-color", address]).ok();
    tf.import(address, &id).ok();
    let out = tf.plan();
    assert_eq!(out.code, 0, "the import plans no change:\n{}", out.all());

    // A Resource endpoint is not one.
    let other = rt.block_on(async {
        let out = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Resource)
            .resource_configuration_arn(&rc)
            .subnet_ids(&s0)
            .send()
            .await
            .expect("create a Resource endpoint");
        out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string()
    });
    tf.write(&format!("{body}\n{}", body.replace("\"e\"", "\"other\"")));
    tf.import("vpce_service_network.other", &other).fails_with(&[
        "Not a ServiceNetwork endpoint",
        &format!(
            "VPC endpoint {other} is a Resource endpoint, not a ServiceNetwork endpoint. Import it as a vpce_resource resource instead."
        ),
    ]);
    rt.block_on(async { ec2.delete_vpc_endpoints().vpc_endpoint_ids(&other).send().await.expect("delete") });
    tf.write(&body);

    // A changed private DNS option replaces the endpoint.
    tf.write(&body.replace("a.example.com", "b.example.com"));
    assert_eq!(actions(&tf.plan_changes(), address), ["delete", "create"]);
    tf.write(&body);

    // Deleted outside Terraform: the plan creates it again.
    rt.block_on(async { ec2.delete_vpc_endpoints().vpc_endpoint_ids(&id).send().await.expect("delete") });
    assert_eq!(actions(&tf.plan_changes(), address), ["create"]);
    tf.apply().ok();
    let new = tf.resource(address)["id"].as_str().expect("id").to_string();
    assert_ne!(new, id);
    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &new)).is_none());
}

/// What the plan refuses before anything is created.
#[test]
fn plan_time_checks() {
    let (_rt, _ec2, net) = net();
    let (rc, _) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let tf = Tf::new();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            resource(
                "vpce_resource",
                "resource_configuration_arn",
                &net,
                "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg",
                std::slice::from_ref(&s0),
                "",
            ),
            vec!["Invalid resource configuration ARN", "does not name a resource configuration"],
        ),
        (
            resource(
                "vpce_resource",
                "resource_configuration_arn",
                &net,
                &rc.replace("us-east-1", "eu-west-1"),
                std::slice::from_ref(&s0),
                "",
            ),
            vec!["The resource configuration is in another region", "names region eu-west-1"],
        ),
        (
            resource("vpce_resource", "resource_configuration_arn", &net, &rc, &["subnet-0123456789abcdef0".to_string()], ""),
            vec!["Subnet not found", "subnet-0123456789abcdef0"],
        ),
        (
            resource("vpce_resource", "resource_configuration_arn", &net, &rc, std::slice::from_ref(&s0), "  security_group_ids = []"),
            vec!["Empty security_group_ids"],
        ),
        (
            resource(
                "vpce_resource",
                "resource_configuration_arn",
                &net,
                &rc,
                std::slice::from_ref(&s0),
                "  dns_options {\n    private_dns_preference = \"ALL_DOMAINS\"\n  }",
            ),
            vec!["Private DNS is off", "need private_dns_enabled = true"],
        ),
        (
            resource("vpce_resource", "resource_configuration_arn", &net, &rc, std::slice::from_ref(&s0), "  service_name = \"x\""),
            vec!["Unsupported argument", "\"service_name\" is not expected here"],
        ),
    ];
    for (body, needles) in cases {
        tf.write(&body);
        tf.plan().fails_with(&needles);
    }
}

/// `terraform query` (1.15) finds the Resource and ServiceNetwork endpoints of a VPC, each list
/// its own type, and the configuration it generates imports them and then plans no change.
#[test]
fn query_finds_them_and_generated_configuration_imports() {
    let (rt, ec2, net) = net();
    let (rc, sn) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let (r, n) = rt.block_on(async {
        let r = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Resource)
            .resource_configuration_arn(&rc)
            .subnet_ids(&s0)
            .send()
            .await
            .expect("create a Resource endpoint");
        let n = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::ServiceNetwork)
            .service_network_arn(&sn)
            .subnet_ids(&s0)
            .send()
            .await
            .expect("create a ServiceNetwork endpoint");
        let id = |e: Option<&aws_sdk_ec2::types::VpcEndpoint>| e.and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
        (id(r.vpc_endpoint()), id(n.vpc_endpoint()))
    });
    let client = common::clients::Client::embedded();
    let tf = Tf::new();
    tf.write("");
    let list = |kind: &str| format!("list \"{kind}\" \"all\" {{\n  provider = vpce\n  config {{\n    vpc_id = \"{}\"\n  }}\n}}\n", net.id);
    std::fs::write(tf.path().join("find.tfquery.hcl"), format!("{}\n{}", list("vpce_resource"), list("vpce_service_network")))
        .expect("write");
    let out = client.run(&tf, &["query", "-no-color", "-generate-config-out=generated.tf"]).ok();
    let generated =
        std::fs::read_to_string(tf.path().join("generated.tf")).unwrap_or_else(|e| panic!("no generated.tf ({e}):\n{}", out.all()));
    for (id, kind) in [(&r, "vpce_resource"), (&n, "vpce_service_network")] {
        assert!(generated.contains(&format!("id         = \"{id}\"")), "{generated}");
        assert_eq!(generated.matches(&format!("resource \"{kind}\"")).count(), 1, "{generated}");
    }
    std::fs::remove_file(tf.path().join("find.tfquery.hcl")).expect("remove query file");
    let applied = client.apply(&tf).ok();
    assert!(applied.stdout.contains("2 imported, 0 added, 0 changed, 0 destroyed"), "{}", applied.all());
    assert_eq!(client.plan(&tf).code, 0, "the generated configuration plans no change");
    client.destroy(&tf).ok();
}

/// The network interfaces of endpoint `id`, as EC2 reports them.
fn enis(rt: &tokio::runtime::Runtime, ec2: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    let ep = rt.block_on(endpoint(ec2, id)).expect("endpoint in EC2");
    sorted(ep.network_interface_ids().to_vec())
}

/// `moved` from hashicorp/aws 6.x `aws_vpc_endpoint` of type Resource and ServiceNetwork (aws
/// 3.39.0 has neither type: their 6.x state is written by hand, as aws 6.x stores it) into
/// vpce_resource / vpce_service_network through real Terraform: the plan shows the moves and no
/// change, the apply writes nothing to EC2, and ours then manage the endpoints.
#[test]
fn moves_from_aws_vpc_endpoint_of_both_types() {
    let (rt, ec2, net) = net();
    let (rc, sn) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let sg = net.security_groups[0].clone();
    let (r, n) = rt.block_on(async {
        let tags = |name: &str| {
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::VpcEndpoint)
                .tags(aws_sdk_ec2::types::Tag::builder().key("Name").value(name).build())
                .build()
        };
        let r = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Resource)
            .resource_configuration_arn(&rc)
            .subnet_ids(&s0)
            .security_group_ids(&sg)
            .private_dns_enabled(true)
            .dns_options(aws_sdk_ec2::types::DnsOptionsSpecification::builder().private_dns_preference("VERIFIED_DOMAINS_ONLY").build())
            .tag_specifications(tags("db"))
            .send()
            .await
            .expect("create a Resource endpoint");
        let n = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::ServiceNetwork)
            .service_network_arn(&sn)
            .subnet_ids(&s0)
            .security_group_ids(&sg)
            .private_dns_enabled(false)
            .tag_specifications(tags("mesh"))
            .send()
            .await
            .expect("create a ServiceNetwork endpoint");
        let id = |e: Option<&aws_sdk_ec2::types::VpcEndpoint>| e.and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
        (id(r.vpc_endpoint()), id(n.vpc_endpoint()))
    });
    // aws 6.x's state of both (after its schema: IPV4 in capitals, the other ARN empty, the
    // preference and ["*"] EC2 reports for a Resource endpoint, an empty one for the other).
    let attrs = |id: &str, ty: &str, name: &str, dns: bool, preference: &str, domains: serde_json::Value| {
        serde_json::json!({
            "arn": format!("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{id}"),
            "auto_accept": null, "cidr_blocks": [], "dns_entry": [],
            "dns_options": [{
                "dns_record_ip_type": "ipv4", "private_dns_only_for_inbound_resolver_endpoint": false,
                "private_dns_preference": preference, "private_dns_specified_domains": domains
            }],
            "id": id, "ip_address_type": "IPV4", "network_interface_ids": enis(&rt, &ec2, id),
            "owner_id": "123456789012", "policy": "", "prefix_list_id": null, "private_dns_enabled": dns,
            "region": "us-east-1", "requester_managed": false,
            "resource_configuration_arn": if ty == "Resource" { rc.as_str() } else { "" },
            "route_table_ids": [], "security_group_ids": [sg], "service_name": "",
            "service_network_arn": if ty == "ServiceNetwork" { sn.as_str() } else { "" },
            "service_region": "", "state": "available", "subnet_configuration": [], "subnet_ids": [s0],
            "tags": {"Name": name}, "tags_all": {"Name": name}, "timeouts": null,
            "vpc_endpoint_type": ty, "vpc_id": net.id
        })
    };
    let resources: Vec<serde_json::Value> = [
        ("r", attrs(&r, "Resource", "db", true, "VERIFIED_DOMAINS_ONLY", serde_json::json!(["*"]))),
        ("n", attrs(&n, "ServiceNetwork", "mesh", false, "", serde_json::json!([]))),
    ]
    .into_iter()
    .map(|(name, attributes)| {
        serde_json::json!({
            "mode": "managed", "type": "aws_vpc_endpoint", "name": name,
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 0, "attributes": attributes, "sensitive_attributes": [], "private": "bnVsbA=="}]
        })
    })
    .collect();
    let state = serde_json::json!({"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "lattice-moves", "outputs": {}, "resources": resources});
    let tf = awsprovider::tf_with_both();
    std::fs::write(tf.path().join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap()).expect("state");
    let proxy = common::faultproxy::FaultProxy::start(&[]);
    let ours = |kind: &str, name: &str, attr: &str, target: &str, extra: &str, tag: &str| {
        format!(
            "resource \"{kind}\" \"{name}\" {{\n  vpc_id             = \"{vpc}\"\n  {attr} = \"{target}\"\n  subnet_ids         = [\"{s0}\"]\n  security_group_ids = [\"{sg}\"]\n{extra}\n  tags = {{ Name = \"{tag}\" }}\n}}\n",
            vpc = net.id
        )
    };
    let body = format!(
        "{}\n{}",
        ours(
            "vpce_resource",
            "r",
            "resource_configuration_arn",
            &rc,
            "  private_dns_enabled = true\n  dns_options {\n    private_dns_preference = \"VERIFIED_DOMAINS_ONLY\"\n  }",
            "db"
        ),
        ours("vpce_service_network", "n", "service_network_arn", &sn, "", "mesh")
    );
    let moved = "moved {\n  from = aws_vpc_endpoint.r\n  to   = vpce_resource.r\n}\n\nmoved {\n  from = aws_vpc_endpoint.n\n  to   = vpce_service_network.n\n}\n";
    tf.write_raw(&format!("{}\n{body}\n{moved}", awsprovider::provider_blocks(&proxy.url(), true)));
    proxy.reset_stats();
    let plan = tf.run(&["plan", "-no-color", "-input=false"]).ok();
    no_warnings(&plan);
    for (from, to) in [("aws_vpc_endpoint.r", "vpce_resource.r"), ("aws_vpc_endpoint.n", "vpce_service_network.n")] {
        assert!(plan.stdout.contains(&format!("# {from} has moved to {to}")), "{}", plan.stdout);
    }
    assert!(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    let changes = tf.plan_changes();
    for (ours, theirs) in [("vpce_resource.r", "aws_vpc_endpoint.r"), ("vpce_service_network.n", "aws_vpc_endpoint.n")] {
        let change = changes.iter().find(|c| c["address"] == ours).expect("a change for ours");
        assert_eq!(change["previous_address"], theirs);
        assert_eq!(actions(&changes, ours), ["no-op"], "moved, not replaced");
    }
    assert!(proxy.writes().is_empty(), "planning the moves wrote nothing to EC2");
    let applied = tf.apply().ok();
    assert!(applied.stdout.contains("0 added, 0 changed, 0 destroyed"), "{}", applied.stdout);
    assert!(proxy.writes().is_empty(), "applying the moves wrote nothing to EC2");
    let st = tf.resource("vpce_resource.r");
    assert_eq!((st["id"].as_str(), st["resource_configuration_arn"].as_str()), (Some(r.as_str()), Some(rc.as_str())));
    assert_eq!(st["ip_address_type"], "ipv4");
    assert_eq!(st["dns_options"]["private_dns_preference"], "VERIFIED_DOMAINS_ONLY");
    assert_eq!(st["tags"], serde_json::json!({"Name": "db"}));
    let st = tf.resource("vpce_service_network.n");
    assert_eq!((st["id"].as_str(), st["service_network_arn"].as_str()), (Some(n.as_str()), Some(sn.as_str())));
    assert_eq!(st["private_dns_enabled"], false);

    // Ours manage them now: without the AWS provider nothing changes, and the destroy deletes both.
    tf.write_raw(&format!("{}\n{body}", awsprovider::provider_blocks(&proxy.url(), false)));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after the moves:\n{}", out.all());
    assert!(proxy.writes().is_empty(), "planning after the moves wrote nothing to EC2");
    assert_eq!(rt.block_on(endpoints_in_vpc(&ec2, &net.id)).len(), 2, "no endpoint was created or replaced");
    tf.destroy().ok();
    for id in [&r, &n] {
        assert!(rt.block_on(endpoint(&ec2, id)).is_none(), "{id} deleted by ours");
    }
}

/// Drift of a Resource endpoint: tags changed outside Terraform (the plan updates them in place,
/// the apply restores them, the next plan is empty), then the endpoint deleted outside Terraform
/// (the plan creates it again).
#[test]
fn resource_endpoint_drift() {
    let (rt, ec2, net) = net();
    let (rc, _) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let address = "vpce_resource.e";
    let rec = Proxy::start();
    let tf = Tf::new();
    tf.write_via(
        &rec.url,
        &resource(
            "vpce_resource",
            "resource_configuration_arn",
            &net,
            &rc,
            std::slice::from_ref(&s0),
            "  tags = { Name = \"db\", env = \"test\" }",
        ),
    );
    tf.apply().ok();
    let id = tf.resource(address)["id"].as_str().expect("id").to_string();

    // Out of band: one tag changed, one removed, one added.
    rt.block_on(async {
        let tag = |k: &str, v: &str| aws_sdk_ec2::types::Tag::builder().key(k).value(v).build();
        ec2.create_tags().resources(&id).tags(tag("Name", "other")).tags(tag("extra", "x")).send().await.expect("create tags");
        ec2.delete_tags().resources(&id).tags(aws_sdk_ec2::types::Tag::builder().key("env").build()).send().await.expect("delete tags");
    });
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, address), ["update"], "tags drift is fixed in place");
    let change = changes.iter().find(|c| c["address"] == address).expect("a change");
    assert_eq!(change["change"]["before"]["tags"], serde_json::json!({"Name": "other", "extra": "x"}), "the refresh saw the drift");
    assert_eq!(change["change"]["after"]["tags"], serde_json::json!({"Name": "db", "env": "test"}));
    rec.clear();
    tf.apply().ok();
    assert!(rec.calls("ModifyVpcEndpoint").is_empty() && rec.calls("CreateVpcEndpoint").is_empty(), "only the tags change");
    assert!(!rec.calls("CreateTags").is_empty() && !rec.calls("DeleteTags").is_empty(), "tags set and removed");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "db"), ("env", "test")]), "the apply restored the tags");
    assert_eq!(tf.resource(address)["id"], id.as_str());
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    // Deleted outside Terraform: the plan creates it again.
    rt.block_on(async { ec2.delete_vpc_endpoints().vpc_endpoint_ids(&id).send().await.expect("delete") });
    assert_eq!(actions(&tf.plan_changes(), address), ["create"]);
    tf.apply().ok();
    let new = tf.resource(address)["id"].as_str().expect("id").to_string();
    assert_ne!(new, id);
    let ep = rt.block_on(endpoint(&ec2, &new)).expect("the new endpoint");
    assert_eq!(ep.resource_configuration_arn(), Some(rc.as_str()));
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "db"), ("env", "test")]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());
    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &new)).is_none());
}

/// A ServiceNetwork endpoint's tags change in place: no replacement, no ModifyVpcEndpoint, the
/// tags changed in EC2.
#[test]
fn service_network_endpoint_tags_in_place() {
    let (rt, ec2, net) = net();
    let (_, sn) = lattice_targets();
    let s0 = net.subnets[0].id.clone();
    let address = "vpce_service_network.e";
    let body = |tags: &str| resource("vpce_service_network", "service_network_arn", &net, &sn, std::slice::from_ref(&s0), tags);
    let rec = Proxy::start();
    let tf = Tf::new();
    tf.write_via(&rec.url, &body("  tags = { Name = \"mesh\", env = \"test\" }"));
    tf.apply().ok();
    let id = tf.resource(address)["id"].as_str().expect("id").to_string();
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "mesh"), ("env", "test")]));

    rec.clear();
    tf.write_via(&rec.url, &body("  tags = { Name = \"mesh2\", team = \"net\" }"));
    assert_eq!(actions(&tf.plan_changes(), address), ["update"], "in place, not a replacement");
    tf.apply().ok();
    assert!(rec.calls("ModifyVpcEndpoint").is_empty(), "no ModifyVpcEndpoint");
    assert!(rec.calls("CreateVpcEndpoint").is_empty() && rec.calls("DeleteVpcEndpoints").is_empty(), "not replaced");
    assert_eq!(tf.resource(address)["id"], id.as_str());
    assert_eq!(tf.resource(address)["tags_all"], serde_json::json!({"Name": "mesh2", "team": "net"}));
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "mesh2"), ("team", "net")]));

    // All tags removed.
    tf.write_via(&rec.url, &body(""));
    assert_eq!(actions(&tf.plan_changes(), address), ["update"]);
    tf.apply().ok();
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert!(ec2_tags(&ep).is_empty(), "{:?}", ec2_tags(&ep));
    assert!(rec.calls("ModifyVpcEndpoint").is_empty() && rec.calls("CreateVpcEndpoint").is_empty());
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());
    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &id)).is_none());
}
