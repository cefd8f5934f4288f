//! vpce_resource and vpce_service_network (VPC Lattice endpoints) against moto through real
//! Terraform: lifecycle (the create's request, tags in place, every other change a replacement,
//! destroy), private DNS options, import (and its refusal of another type), drift (deleted out of
//! band). scripts/lattice_endpoints.py serves these endpoint types and the Lattice objects they
//! name, as EC2's API reference describes them.

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
