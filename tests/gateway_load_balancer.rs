//! vpce_gateway_load_balancer against moto through real Terraform: lifecycle (create, tags and
//! the subnet changed in place, destroy), import (and its refusal of another type), drift (tags
//! changed and the endpoint deleted out of band), acceptance (`pendingAcceptance`, `auto_accept`)
//! and `terraform query` with generated configuration. Each test has its own VPC and Gateway Load
//! Balancer endpoint service (scripts/moto_server.py serves them as EC2 documents them: one
//! subnet, no security groups, policy or private DNS).

mod common;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification, VpcEndpointType};
use common::clients::Client;
use common::proxy::{param, param_list, Proxy};
use common::*;

const ADDRESS: &str = "vpce_gateway_load_balancer.e";

fn subnet_ids(net: &TestVpc) -> Vec<String> {
    net.subnets.iter().map(|s| s.id.clone()).collect()
}

fn resource(net: &TestVpc, service: &str, subnet: &str, extra: &str) -> String {
    format!(
        "resource \"vpce_gateway_load_balancer\" \"e\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"{service}\"\n  subnet_ids   = [\"{subnet}\"]\n{extra}\n}}\n",
        vpc = net.id
    )
}

fn id_of(tf: &Tf) -> String {
    tf.resource(ADDRESS)["id"].as_str().expect("an id").to_string()
}

/// Create, no-op plan, tags and the subnet changed in place (one ModifyVpcEndpoint exchanging the
/// subnet), destroy.
#[test]
fn create_update_in_place_and_destroy() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let net = rt.block_on(vpc(&ec2, VpcOpts { subnets: 2, route_tables: 0, security_groups: 0, ..VpcOpts::default() }));
    let service = gwlb_service(&subnet_ids(&net), false);
    let (s0, s1) = (net.subnets[0].id.clone(), net.subnets[1].id.clone());
    let rec = Proxy::start();
    let tf = Tf::new();

    tf.write_via(&rec.url, &resource(&net, &service, &s0, "  tags = { Name = \"first\" }"));
    let out = tf.apply().ok();
    no_warnings(&out);
    let st = tf.resource(ADDRESS);
    let id = id_of(&tf);
    assert!(id.starts_with("vpce-"), "{st}");
    assert_eq!(st["arn"], format!("arn:aws:ec2:{REGION}:123456789012:vpc-endpoint/{id}"));
    assert_eq!((st["state"].as_str(), st["owner_id"].as_str()), (Some("available"), Some("123456789012")));
    assert_eq!(st["ip_address_type"], "ipv4");
    assert_eq!(st["requester_managed"], false);
    assert_eq!(sorted_strings(&st["network_interface_ids"]).len(), 1, "{st}");
    assert_eq!(st["tags_all"], serde_json::json!({"Name": "first"}));
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.vpc_endpoint_type(), Some(&VpcEndpointType::GatewayLoadBalancer));
    assert_eq!(ep.subnet_ids(), std::slice::from_ref(&s0));
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "first")]));
    let create = rec.calls("CreateVpcEndpoint");
    assert_eq!(create.len(), 1);
    assert_eq!(param(&create[0], "VpcEndpointType"), Some("GatewayLoadBalancer"));
    assert_eq!(param_list(&create[0], "SubnetId"), vec![s0.clone()]);
    for absent in ["PrivateDnsEnabled", "PolicyDocument", "SecurityGroupId.1"] {
        assert_eq!(param(&create[0], absent), None, "{absent} is not sent: {:?}", create[0]);
    }
    assert!(param(&create[0], "ClientToken").is_some_and(|t| t.len() >= 32), "crash-safe create: {:?}", create[0]);
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    // The other subnet and new tags: in place, the subnet exchanged in one ModifyVpcEndpoint.
    rec.clear();
    tf.write_via(&rec.url, &resource(&net, &service, &s1, "  tags = { Name = \"second\", env = \"test\" }"));
    assert_eq!(actions(&tf.plan_changes(), ADDRESS), ["update"]);
    tf.apply().ok();
    assert_eq!(id_of(&tf), id, "updated in place");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.subnet_ids(), std::slice::from_ref(&s1));
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "second"), ("env", "test")]));
    let modify = rec.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1, "{modify:?}");
    assert_eq!(param_list(&modify[0], "AddSubnetId"), vec![s1.clone()]);
    assert_eq!(param_list(&modify[0], "RemoveSubnetId"), vec![s0.clone()]);
    assert!(rec.calls("CreateVpcEndpoint").is_empty() && rec.calls("DeleteVpcEndpoints").is_empty());
    let st = tf.resource(ADDRESS);
    assert_eq!(sorted_strings(&st["subnet_ids"]), vec![s1.clone()]);
    assert_eq!(sorted_strings(&st["network_interface_ids"]), sorted(ep.network_interface_ids().to_vec()));
    let out = tf.plan();
    assert_eq!(out.code, 0, "nothing to change:\n{}", out.all());

    // A new VPC or service replaces it.
    let other = gwlb_service(&subnet_ids(&net), false);
    tf.write(&resource(&net, &other, &s1, "  tags = { Name = \"second\", env = \"test\" }"));
    assert_eq!(actions(&tf.plan_changes(), ADDRESS), ["delete", "create"]);

    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &id)).is_none(), "deleted");
}

/// Import by ID (and the refusal of an interface endpoint), then drift: tags changed and the
/// endpoint deleted outside Terraform.
#[test]
fn import_and_drift() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let net = rt.block_on(vpc(&ec2, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..VpcOpts::default() }));
    let service = gwlb_service(&subnet_ids(&net), false);
    let s0 = net.subnets[0].id.clone();
    let tf = Tf::new();
    let body = resource(&net, &service, &s0, "  tags = { Name = \"imported\" }");
    tf.write(&body);
    tf.apply().ok();
    let id = id_of(&tf);

    tf.run(&["state", "rm", "-no-color", ADDRESS]).ok();
    let out = tf.import(ADDRESS, &id).ok();
    no_warnings(&out);
    let st = tf.resource(ADDRESS);
    assert_eq!(st["service_name"], service.as_str());
    assert_eq!(st["auto_accept"], serde_json::Value::Null, "never read");
    let out = tf.plan();
    assert_eq!(out.code, 0, "the import plans no change:\n{}", out.all());

    // An interface endpoint is not one: the import names its resource.
    let ifc = rt.block_on(async {
        let out = ec2
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .service_name(format!("com.amazonaws.{REGION}.ssm"))
            .subnet_ids(&s0)
            .private_dns_enabled(false)
            .send()
            .await
            .expect("create interface endpoint");
        out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string()
    });
    tf.write(&format!("{body}\n{}", resource(&net, &service, &s0, "").replace("\"e\"", "\"other\"")));
    tf.import("vpce_gateway_load_balancer.other", &ifc).fails_with(&[
        "Not a Gateway Load Balancer endpoint",
        &format!("VPC endpoint {ifc} is an Interface endpoint, not a GatewayLoadBalancer endpoint. Import it as a vpce_interface resource instead."),
    ]);
    tf.import("vpce_gateway_load_balancer.other", "vpce-svc-0123")
        .fails_with(&["Invalid import ID", "terraform import vpce_gateway_load_balancer.inspection vpce-"]);
    rt.block_on(async { ec2.delete_vpc_endpoints().vpc_endpoint_ids(&ifc).send().await.expect("delete") });
    tf.write(&body);

    // Tags changed outside Terraform: the plan puts them back.
    rt.block_on(async {
        ec2.create_tags().resources(&id).tags(Tag::builder().key("Name").value("changed").build()).send().await.expect("tag");
        ec2.create_tags().resources(&id).tags(Tag::builder().key("extra").value("1").build()).send().await.expect("tag");
    });
    assert_eq!(actions(&tf.plan_changes(), ADDRESS), ["update"]);
    tf.apply().ok();
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ec2_tags(&ep), tag_pairs(&[("Name", "imported")]));

    // Deleted outside Terraform: the plan creates it again.
    rt.block_on(async { ec2.delete_vpc_endpoints().vpc_endpoint_ids(&id).send().await.expect("delete") });
    assert_eq!(actions(&tf.plan_changes(), ADDRESS), ["create"]);
    tf.apply().ok();
    let new = id_of(&tf);
    assert_ne!(new, id);
    assert!(rt.block_on(endpoint(&ec2, &new)).is_some());
    tf.destroy().ok();
}

/// A service that requires acceptance: the plan says the endpoint will wait, the state shows
/// `pendingAcceptance`; `auto_accept = true` set later accepts it in place.
#[test]
fn acceptance() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let net = rt.block_on(vpc(&ec2, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..VpcOpts::default() }));
    let service = gwlb_service(&subnet_ids(&net), true);
    let s0 = net.subnets[0].id.clone();
    let tf = Tf::new();
    tf.write(&resource(&net, &service, &s0, ""));
    let plan = tf.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = unwrap_lines(&plan.all());
    assert!(text.contains("Warning: The endpoint will wait for acceptance"), "{text}");
    assert!(text.contains("set auto_accept = true"), "{text}");
    tf.apply().ok();
    let id = id_of(&tf);
    assert_eq!(tf.resource(ADDRESS)["state"], "pendingAcceptance");
    let out = tf.plan();
    assert_eq!(out.code, 0, "a waiting endpoint plans no change:\n{}", out.all());

    tf.write(&resource(&net, &service, &s0, "  auto_accept = true"));
    assert_eq!(actions(&tf.plan_changes(), ADDRESS), ["update"]);
    let out = tf.apply().ok();
    no_warnings(&out);
    assert_eq!(id_of(&tf), id);
    assert_eq!(tf.resource(ADDRESS)["state"], "available");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.state().map(|s| s.as_str()), Some("available"));

    // A new one with auto_accept: accepted during the create.
    tf.write(&format!(
        "{}\n{}",
        resource(&net, &service, &s0, "  auto_accept = true"),
        resource(&net, &service, &s0, "  auto_accept = true").replace("\"e\"", "\"f\"")
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    assert_eq!(tf.resource("vpce_gateway_load_balancer.f")["state"], "available");
    tf.destroy().ok();
}

/// `terraform query` (1.15) finds the Gateway Load Balancer endpoints of a VPC, and the
/// configuration it generates imports them and then plans no change.
#[test]
fn query_finds_them_and_generated_configuration_imports() {
    let rt = rt();
    let net =
        rt.block_on(async { vpc(&ec2().await, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..VpcOpts::default() }).await });
    let service = gwlb_service(&subnet_ids(&net), false);
    let id = rt.block_on(async {
        let c = ec2().await;
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::VpcEndpoint)
            .tags(Tag::builder().key("Name").value("fw").build())
            .build();
        let out = c
            .create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::GatewayLoadBalancer)
            .service_name(&service)
            .subnet_ids(&net.subnets[0].id)
            .tag_specifications(tags)
            .send()
            .await
            .expect("create endpoint");
        // An interface endpoint in the same VPC, which the list leaves out.
        c.create_vpc_endpoint()
            .vpc_id(&net.id)
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .service_name(format!("com.amazonaws.{REGION}.ssm"))
            .subnet_ids(&net.subnets[0].id)
            .private_dns_enabled(false)
            .send()
            .await
            .expect("create interface endpoint");
        out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string()
    });
    let client = Client::embedded();
    let tf = Tf::new();
    tf.write("");
    let list =
        format!("list \"vpce_gateway_load_balancer\" \"all\" {{\n  provider = vpce\n  config {{\n    vpc_id = \"{}\"\n  }}\n}}\n", net.id);
    std::fs::write(tf.path().join("find.tfquery.hcl"), list).expect("write query file");
    let out = client.run(&tf, &["query", "-no-color", "-generate-config-out=generated.tf"]).ok();
    let generated =
        std::fs::read_to_string(tf.path().join("generated.tf")).unwrap_or_else(|e| panic!("no generated.tf ({e}):\n{}", out.all()));
    assert!(generated.contains(&format!("id         = \"{id}\"")), "{generated}");
    assert_eq!(generated.matches("resource \"vpce_gateway_load_balancer\"").count(), 1, "only the GWLB endpoint:\n{generated}");
    std::fs::remove_file(tf.path().join("find.tfquery.hcl")).expect("remove query file");
    let applied = client.apply(&tf).ok();
    assert!(applied.stdout.contains("1 imported, 0 added, 0 changed, 0 destroyed"), "{}", applied.all());
    assert_eq!(client.plan(&tf).code, 0, "the generated configuration plans no change");
}
