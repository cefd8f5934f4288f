//! The data sources against moto through real Terraform: `vpce_service` (S3's Gateway and
//! Interface offerings, an Interface service by full name, and its errors) and `vpce_endpoint`
//! (by id, by filters, by tags; not found and ambiguous). Every expected value is read from EC2
//! itself, never written into the test.

mod common;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification, VpcEndpointType};
use common::*;

const S3: &str = "com.amazonaws.us-east-1.s3";
const SSM: &str = "com.amazonaws.us-east-1.ssm";

/// `terraform output -json`, as a map of output name to value.
fn outputs(tf: &Tf) -> serde_json::Value {
    let out = tf.run(&["output", "-json", "-no-color"]).ok();
    let all: serde_json::Value = serde_json::from_str(&out.stdout).expect("output -json");
    let mut values = serde_json::Map::new();
    for (k, v) in all.as_object().expect("outputs object") {
        values.insert(k.clone(), v["value"].clone());
    }
    serde_json::Value::Object(values)
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    sorted_strings(v)
}

async fn service_entry(client: &aws_sdk_ec2::Client, name: &str, kind: &str) -> aws_sdk_ec2::types::ServiceDetail {
    let out = client.describe_vpc_endpoint_services().service_names(name).send().await.expect("describe services");
    out.service_details()
        .iter()
        .find(|d| d.service_type().iter().any(|t| t.service_type().is_some_and(|t| t.as_str() == kind)))
        .cloned()
        .unwrap_or_else(|| panic!("EC2 lists no {kind} entry of {name}"))
}

#[test]
fn service_by_short_and_full_name() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let tf = Tf::new();
    tf.write(
        r#"
data "vpce_service" "s3_gateway" {
  service      = "s3"
  service_type = "Gateway"
}

data "vpce_service" "s3_interface" {
  service_name = "com.amazonaws.us-east-1.s3"
  service_type = "Interface"
}

data "vpce_service" "ssm" {
  service_name = "com.amazonaws.us-east-1.ssm"
}

output "gw" { value = data.vpce_service.s3_gateway }
output "ifc" { value = data.vpce_service.s3_interface }
output "ssm" { value = data.vpce_service.ssm }
"#,
    );
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let (gw, ifc, ssm) = (&o["gw"], &o["ifc"], &o["ssm"]);

    // The S3 gateway: its full name, both types, and the prefix list EC2 names after it.
    assert_eq!(gw["service_name"], S3);
    assert_eq!(gw["service_type"], "Gateway");
    assert_eq!(strings(&gw["service_types"]), ["Gateway", "Interface"]);
    let pl = rt
        .block_on(client.describe_prefix_lists().filters(Filter::builder().name("prefix-list-name").values(S3).build()).send())
        .expect("describe prefix lists");
    let pl = pl.prefix_lists().first().expect("S3 prefix list").clone();
    assert_eq!(gw["prefix_list_id"], pl.prefix_list_id().unwrap_or_default());
    let mut cidrs: Vec<String> = pl.cidrs().to_vec();
    if cidrs.is_empty() {
        let entries = rt
            .block_on(client.get_managed_prefix_list_entries().prefix_list_id(pl.prefix_list_id().unwrap_or_default()).send())
            .expect("entries");
        cidrs = entries.entries().iter().filter_map(|e| e.cidr().map(str::to_string)).collect();
    }
    assert!(!cidrs.is_empty(), "moto lists the S3 CIDR blocks");
    assert_eq!(strings(&gw["cidr_blocks"]), sorted(cidrs));
    let entry = rt.block_on(service_entry(&client, S3, "Gateway"));
    assert_eq!(strings(&gw["availability_zones"]), sorted(entry.availability_zones().to_vec()));
    assert_eq!(gw["vpc_endpoint_policy_supported"], entry.vpc_endpoint_policy_supported().unwrap_or(false));
    assert_eq!(gw["acceptance_required"], entry.acceptance_required().unwrap_or(false));
    assert_eq!(gw["owner"], entry.owner().unwrap_or_default());

    // The S3 interface offering: no prefix list.
    assert_eq!(ifc["service_type"], "Interface");
    assert!(ifc["prefix_list_id"].is_null(), "{ifc}");
    assert_eq!(ifc["cidr_blocks"], serde_json::json!([]));

    // SSM by its full name: one type, chosen without service_type; its AZs and DNS name as EC2 lists them.
    let entry = rt.block_on(service_entry(&client, SSM, "Interface"));
    assert_eq!(ssm["service_type"], "Interface");
    assert_eq!(strings(&ssm["service_types"]), ["Interface"]);
    assert_eq!(strings(&ssm["availability_zones"]), sorted(entry.availability_zones().to_vec()));
    assert!(!entry.availability_zones().is_empty());
    assert_eq!(ssm["private_dns_name"].as_str(), entry.private_dns_name());
    assert_eq!(strings(&ssm["base_endpoint_dns_names"]), sorted(entry.base_endpoint_dns_names().to_vec()));
    assert!(ssm["service"].is_null(), "service stays as configured (unset)");
}

#[test]
fn service_errors() {
    let tf = Tf::new();
    // Static: both names, before any call.
    tf.write("data \"vpce_service\" \"x\" {\n  service      = \"s3\"\n  service_name = \"com.amazonaws.us-east-1.s3\"\n}\n");
    tf.plan().fails_with(&["Conflicting service names", "service_name"]);
    tf.write("data \"vpce_service\" \"x\" {\n  service_type = \"Gateway\"\n}\n");
    tf.plan().fails_with(&["Missing service name"]);

    // From EC2: ambiguous, not found, type not offered (each on its own data source).
    for (body, needles) in [
        ("service = \"s3\"", &["Ambiguous service", "com.amazonaws.us-east-1.s3 is offered as Gateway and Interface", "service_type"][..]),
        ("service = \"nosuchservice\"", &["Service not found", "com.amazonaws.us-east-1.nosuchservice"][..]),
        ("service_name = \"com.amazonaws.eu-west-1.s3\"", &["Service not found", "It names a service in eu-west-1"][..]),
        // A short name where the full one goes (the resources take both there): says where it goes.
        ("service_name = \"ssm\"", &["Service not found", "short name: write `service = \"ssm\"`", "com.amazonaws.us-east-1.ssm"][..]),
        ("service = \"ssm\"\n  service_type = \"Gateway\"", &["Service type not offered", "offered as Interface only, not as Gateway"][..]),
    ] {
        tf.write(&format!("data \"vpce_service\" \"x\" {{\n  {body}\n}}\n"));
        tf.plan().fails_with(needles);
    }
}

/// A gateway endpoint (S3, two route tables, tags) and an interface endpoint (SSM) made straight
/// in EC2, in a VPC of their own; both tagged `suite = <tag>-<vpc id>` (unique: moto keeps the
/// endpoints of earlier runs). Returns the VPC, the two endpoint ids and the suite tag.
fn endpoints(rt: &tokio::runtime::Runtime, client: &aws_sdk_ec2::Client, tag: &str) -> (TestVpc, String, String, String) {
    let vpc = rt.block_on(vpc(client, VpcOpts { subnets: 2, route_tables: 2, security_groups: 1, ..Default::default() }));
    let suite = format!("{tag}-{}", vpc.id);
    let tag = suite.as_str();
    let tags = |name: &str| {
        TagSpecification::builder()
            .resource_type(ResourceType::VpcEndpoint)
            .tags(Tag::builder().key("Name").value(name).build())
            .tags(Tag::builder().key("suite").value(tag).build())
            .build()
    };
    let gw = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .vpc_id(&vpc.id)
                .service_name(S3)
                .set_route_table_ids(Some(vpc.route_tables.clone()))
                .tag_specifications(tags("gw"))
                .send(),
        )
        .expect("create gateway");
    let ifc = rt
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .vpc_id(&vpc.id)
                .service_name(SSM)
                .subnet_ids(&vpc.subnets[0].id)
                .security_group_ids(&vpc.security_groups[0])
                .tag_specifications(tags("ifc"))
                .send(),
        )
        .expect("create interface");
    let id = |o: Option<&aws_sdk_ec2::types::VpcEndpoint>| o.and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    (vpc, id(gw.vpc_endpoint()), id(ifc.vpc_endpoint()), suite.clone())
}

#[test]
fn endpoint_by_id_and_filters() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (vpc, gw_id, ifc_id, suite) = endpoints(&rt, &client, "ds-find");
    let tf = Tf::new();
    tf.write(&format!(
        r#"
data "vpce_endpoint" "by_id" {{
  id = "{gw_id}"
}}

data "vpce_endpoint" "by_filters" {{
  vpc_id       = "{vpc}"
  service_name = "s3"
}}

data "vpce_endpoint" "by_tags" {{
  tags = {{
    Name  = "ifc"
    suite = "{suite}"
  }}
}}

data "vpce_endpoint" "by_type" {{
  vpc_id            = "{vpc}"
  vpc_endpoint_type = "Interface"
  state             = "available"
}}

output "by_id" {{ value = data.vpce_endpoint.by_id }}
output "by_filters" {{ value = data.vpce_endpoint.by_filters }}
output "by_tags" {{ value = data.vpce_endpoint.by_tags }}
output "by_type" {{ value = data.vpce_endpoint.by_type }}
"#,
        vpc = vpc.id
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let gw = rt.block_on(endpoint(&client, &gw_id)).expect("gateway");
    let ifc = rt.block_on(endpoint(&client, &ifc_id)).expect("interface");

    for name in ["by_id", "by_filters"] {
        let d = &o[name];
        assert_eq!(d["id"], gw_id.as_str(), "{name}");
        assert_eq!(d["vpc_id"], vpc.id.as_str());
        assert_eq!(d["service_name"], S3);
        assert_eq!(d["vpc_endpoint_type"], "Gateway");
        assert_eq!(d["state"], "available");
        assert_eq!(strings(&d["route_table_ids"]), sorted(gw.route_table_ids().to_vec()));
        assert_eq!(d["tags"], serde_json::json!({"Name": "gw", "suite": suite}));
        let owner = gw.owner_id().unwrap_or_default();
        assert_eq!(d["owner_id"], owner);
        assert_eq!(d["arn"], format!("arn:aws:ec2:us-east-1:{owner}:vpc-endpoint/{gw_id}"));
        assert!(d["prefix_list_id"].as_str().is_some_and(|p| p.starts_with("pl-")), "{d}");
        assert!(!strings(&d["cidr_blocks"]).is_empty());
        assert_eq!(d["subnet_ids"], serde_json::json!([]));
        assert_eq!(d["policy"].as_str(), gw.policy_document());
    }
    for name in ["by_tags", "by_type"] {
        let d = &o[name];
        assert_eq!(d["id"], ifc_id.as_str(), "{name}");
        assert_eq!(d["vpc_endpoint_type"], "Interface");
        assert_eq!(strings(&d["subnet_ids"]), [vpc.subnets[0].id.clone()]);
        assert_eq!(strings(&d["security_group_ids"]), [vpc.security_groups[0].clone()]);
        assert_eq!(strings(&d["network_interface_ids"]), sorted(ifc.network_interface_ids().to_vec()));
        assert!(!ifc.network_interface_ids().is_empty());
        let names: Vec<String> =
            d["dns_entry"].as_array().expect("dns_entry").iter().filter_map(|e| e["dns_name"].as_str().map(str::to_string)).collect();
        assert_eq!(names, ifc.dns_entries().iter().filter_map(|e| e.dns_name().map(str::to_string)).collect::<Vec<_>>());
        assert!(d["prefix_list_id"].is_null());
        assert_eq!(d["route_table_ids"], serde_json::json!([]));
    }
    // A second apply reads them again and changes nothing.
    assert_eq!(tf.plan().code, 0);
}

#[test]
fn endpoint_not_found_and_ambiguous() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (vpc, _gw, _ifc, suite) = endpoints(&rt, &client, "ds-errors");
    let tf = Tf::new();
    let cases: [(String, &[&str]); 5] = [
        ("id = \"vpce-0123456789abcdef0\"".to_string(), &["No VPC endpoint found", "id = \"vpce-0123456789abcdef0\""]),
        (format!("vpc_id = \"{}\"\n  tags = {{ Name = \"nope\" }}", vpc.id), &["No VPC endpoint found", "tags = {Name = \"nope\"}"]),
        (format!("vpc_id = \"{}\"", vpc.id), &["Several VPC endpoints found", "2 VPC endpoints", "add filters"]),
        (format!("tags = {{ suite = \"{suite}\" }}"), &["Several VPC endpoints found", "2 VPC endpoints"]),
        (String::new(), &["No filter", "Set `id`"]),
    ];
    for (body, needles) in cases {
        tf.write(&format!("data \"vpce_endpoint\" \"x\" {{\n  {body}\n}}\n"));
        tf.plan().fails_with(needles);
    }
    tf.write("data \"vpce_endpoint\" \"x\" {\n  id = \"vpce-svc-0123456789abcdef0\"\n}\n");
    tf.plan().fails_with(&["Invalid VPC endpoint ID", "vpce_service data source"]);
}

#[test]
fn endpoint_by_ec2_filter_blocks_and_ids() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (vpc, gw_id, ifc_id, suite) = endpoints(&rt, &client, "ds-raw");
    let tf = Tf::new();
    tf.write(&format!(
        r#"
data "vpce_endpoint" "by_filter" {{
  filter {{
    name   = "tag:suite"
    values = ["{suite}"]
  }}
  filter {{
    name   = "tag:Name"
    values = ["i?c", "nothing-*"]
  }}
}}

data "vpce_endpoint" "by_ids" {{
  vpc_endpoint_ids = ["{gw_id}", "{ifc_id}"]
  filter {{
    name   = "vpc-endpoint-type"
    values = ["Gateway"]
  }}
}}

data "vpce_endpoint" "wildcard_service" {{
  vpc_id = "{vpc}"
  filter {{
    name   = "service-name"
    values = ["*.s3"]
  }}
}}

output "by_filter" {{ value = data.vpce_endpoint.by_filter }}
output "by_ids" {{ value = data.vpce_endpoint.by_ids }}
output "wildcard_service" {{ value = data.vpce_endpoint.wildcard_service }}
"#,
        vpc = vpc.id
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let ifc = rt.block_on(endpoint(&client, &ifc_id)).expect("interface");
    assert_eq!(o["by_filter"]["id"], ifc_id.as_str());
    assert_eq!(o["by_ids"]["id"], gw_id.as_str());
    assert_eq!(o["wildcard_service"]["id"], gw_id.as_str());
    // The whole of EC2's DNS options, and the service region (the provider's: not cross-region).
    let d = &o["by_filter"];
    assert_eq!(d["service_region"], "us-east-1");
    let dns = ifc.dns_options().expect("EC2 reports the interface endpoint's DNS options");
    assert_eq!(d["dns_options"]["dns_record_ip_type"].as_str(), dns.dns_record_ip_type().map(|t| t.as_str()), "{d}");
    assert_eq!(
        d["dns_options"]["private_dns_only_for_inbound_resolver_endpoint"].as_bool(),
        dns.private_dns_only_for_inbound_resolver_endpoint()
    );
    assert_eq!(d["dns_record_ip_type"], d["dns_options"]["dns_record_ip_type"]);
    assert_eq!(tf.plan().code, 0);

    // A filter that matches nothing says which filters were asked for; EC2's filter names only.
    tf.write(&format!(
        "data \"vpce_endpoint\" \"x\" {{\n  vpc_endpoint_ids = [\"{gw_id}\"]\n  filter {{\n    name   = \"vpc-endpoint-type\"\n    values = [\"Interface\"]\n  }}\n}}\n"
    ));
    tf.plan().fails_with(&["No VPC endpoint found", &format!("vpc_endpoint_ids = [\"{gw_id}\"]"), "filter { name = \"vpc-endpoint-type\""]);
}

#[test]
fn service_by_filter_blocks_tags_and_regions() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let net = rt.block_on(vpc(&client, VpcOpts { subnets: 1, route_tables: 0, security_groups: 0, ..Default::default() }));
    let name = nlb_service(&[net.subnets[0].id.clone()], false);
    let detail = rt.block_on(service_entry(&client, &name, "Interface"));
    let service_id = detail.service_id().expect("service id").to_string();
    let team = format!("team-{service_id}");
    rt.block_on(client.create_tags().resources(&service_id).tags(Tag::builder().key("team").value(&team).build()).send())
        .expect("tag the service");
    let tf = Tf::new();
    tf.write(&format!(
        r#"
data "vpce_service" "by_tags" {{
  tags = {{ team = "{team}" }}
}}

data "vpce_service" "by_filter" {{
  filter {{
    name   = "service-name"
    values = ["*.us-east-1.ssm"]
  }}
  filter {{
    name   = "owner"
    values = ["amazon"]
  }}
}}

data "vpce_service" "remote" {{
  service_name    = "com.amazonaws.us-west-2.ssm"
  service_regions = ["us-west-2"]
}}

output "by_tags" {{ value = data.vpce_service.by_tags }}
output "by_filter" {{ value = data.vpce_service.by_filter }}
output "remote" {{ value = data.vpce_service.remote }}
"#
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let t = &o["by_tags"];
    assert_eq!(t["service_name"], name.as_str());
    assert_eq!(t["tags"], serde_json::json!({"team": team}));
    let owner = detail.owner().expect("owner");
    assert_eq!(t["arn"], format!("arn:aws:ec2:us-east-1:{owner}:vpc-endpoint-service/{service_id}"));
    assert_eq!(t["service_region"], "us-east-1");
    assert_eq!(o["by_filter"]["service_name"], SSM);
    assert_eq!(o["remote"]["service_name"], "com.amazonaws.us-west-2.ssm");
    assert_eq!(o["remote"]["service_region"], "us-west-2");
    assert_eq!(tf.plan().code, 0);

    // Several matches are an error that lists them.
    tf.write("data \"vpce_service\" \"x\" {\n  filter {\n    name   = \"service-name\"\n    values = [\"com.amazonaws.us-east-1.s*\"]\n  }\n  filter {\n    name   = \"service-type\"\n    values = [\"Interface\"]\n  }\n}\n");
    tf.plan().fails_with(&["Several services match", "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.ssm"]);
}

#[test]
fn associations_of_an_endpoint() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let (_vpc, gw_id, ifc_id, _suite) = endpoints(&rt, &client, "ds-assoc");
    let tf = Tf::new();
    tf.write(&format!(
        r#"
data "vpce_associations" "gw" {{
  vpc_endpoint_id = "{gw_id}"
}}

data "vpce_associations" "ifc" {{
  vpc_endpoint_id = "{ifc_id}"
}}

output "gw" {{ value = data.vpce_associations.gw }}
output "ifc" {{ value = data.vpce_associations.ifc }}
"#
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let gw = rt.block_on(endpoint(&client, &gw_id)).expect("gateway");
    let ifc = rt.block_on(endpoint(&client, &ifc_id)).expect("interface");
    assert_eq!(strings(&o["gw"]["route_table_ids"]), sorted(gw.route_table_ids().to_vec()));
    assert_eq!(gw.route_table_ids().len(), 2);
    let rows = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["associations"]
            .as_array()
            .expect("associations")
            .iter()
            .map(|a| {
                (a["kind"].as_str().unwrap().into(), a["resource_type"].as_str().unwrap().into(), a["import_id"].as_str().unwrap().into())
            })
            .collect()
    };
    let expected: Vec<(String, String, String)> = sorted(gw.route_table_ids().to_vec())
        .into_iter()
        .map(|rt| ("route_table".into(), "vpce_route_table_association".into(), format!("{gw_id}/{rt}")))
        .collect();
    assert_eq!(rows(&o["gw"]), expected);
    assert!(o["gw"]["private_dns_enabled"].is_null());
    let mut expected = vec![];
    for g in ifc.groups() {
        let g = g.group_id().expect("group id");
        expected.push(("security_group".to_string(), "vpce_security_group_association".to_string(), format!("{ifc_id}/{g}")));
    }
    for s in sorted(ifc.subnet_ids().to_vec()) {
        expected.push(("subnet".to_string(), "vpce_subnet_association".to_string(), format!("{ifc_id}/{s}")));
    }
    assert_eq!(rows(&o["ifc"]), expected);
    assert_eq!(o["ifc"]["private_dns_enabled"].as_bool(), ifc.private_dns_enabled());

    // Changed outside Terraform: the next read shows it.
    rt.block_on(client.modify_vpc_endpoint().vpc_endpoint_id(&gw_id).remove_route_table_ids(&gw.route_table_ids()[0]).send())
        .expect("remove a route table");
    tf.apply().ok();
    let o = outputs(&tf);
    assert_eq!(strings(&o["gw"]["route_table_ids"]), vec![gw.route_table_ids()[1].clone()]);

    tf.write("data \"vpce_associations\" \"x\" {\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n}\n");
    tf.plan().fails_with(&["No VPC endpoint found", "vpce-0123456789abcdef0"]);
}

/// `vpce_associations` of the endpoint types whose subnets and security groups no association
/// resource manages (those accept Interface endpoints only): a GatewayLoadBalancer endpoint (one
/// subnet, no security groups, no private DNS) and a Resource endpoint (subnet, security group,
/// private DNS on). Each row names the endpoint's own resource, which holds the ID in its state, and
/// no import ID.
#[test]
fn associations_of_endpoints_without_association_resources() {
    let rt = rt();
    let client = rt.block_on(ec2());
    let net = rt.block_on(vpc(&client, VpcOpts { subnets: 2, route_tables: 0, security_groups: 1, ..Default::default() }));
    let subnets: Vec<String> = net.subnets.iter().map(|s| s.id.clone()).collect();
    let service = gwlb_service(&subnets, false);
    let (rc, _) = lattice_targets();
    let tf = Tf::new();
    tf.write(&format!(
        r#"
resource "vpce_gateway_load_balancer" "g" {{
  vpc_id       = "{vpc}"
  service_name = "{service}"
  subnet_ids   = ["{s0}"]
}}

resource "vpce_resource" "r" {{
  vpc_id                     = "{vpc}"
  resource_configuration_arn = "{rc}"
  subnet_ids                 = ["{s1}"]
  security_group_ids         = ["{sg}"]
  private_dns_enabled        = true
}}

data "vpce_associations" "g" {{
  vpc_endpoint_id = vpce_gateway_load_balancer.g.id
}}

data "vpce_associations" "r" {{
  vpc_endpoint_id = vpce_resource.r.id
}}

output "g" {{ value = data.vpce_associations.g }}
output "r" {{ value = data.vpce_associations.r }}
"#,
        vpc = net.id,
        s0 = subnets[0],
        s1 = subnets[1],
        sg = net.security_groups[0],
    ));
    let out = tf.apply().ok();
    no_warnings(&out);
    let o = outputs(&tf);
    let rows = |v: &serde_json::Value| -> Vec<(String, String, String, serde_json::Value)> {
        v["associations"]
            .as_array()
            .expect("associations")
            .iter()
            .map(|a| {
                (
                    a["kind"].as_str().unwrap().into(),
                    a["associated_id"].as_str().unwrap().into(),
                    a["resource_type"].as_str().expect("a manager").into(),
                    a["import_id"].clone(),
                )
            })
            .collect()
    };
    let g_id = tf.resource("vpce_gateway_load_balancer.g")["id"].as_str().expect("id").to_string();
    let g = rt.block_on(endpoint(&client, &g_id)).expect("GWLB endpoint");
    assert_eq!(g.vpc_endpoint_type(), Some(&VpcEndpointType::GatewayLoadBalancer));
    assert_eq!(o["g"]["vpc_endpoint_type"], "GatewayLoadBalancer");
    assert_eq!(strings(&o["g"]["subnet_ids"]), vec![subnets[0].clone()]);
    assert_eq!(strings(&o["g"]["security_group_ids"]), Vec::<String>::new());
    assert!(o["g"]["private_dns_enabled"].is_null(), "{}", o["g"]);
    assert_eq!(
        rows(&o["g"]),
        [("subnet".to_string(), subnets[0].clone(), "vpce_gateway_load_balancer".to_string(), serde_json::Value::Null)]
    );
    assert_eq!(strings(&tf.resource("vpce_gateway_load_balancer.g")["subnet_ids"]), vec![subnets[0].clone()]);

    let r_state = tf.resource("vpce_resource.r");
    let r = rt.block_on(endpoint(&client, r_state["id"].as_str().expect("id"))).expect("Resource endpoint");
    assert_eq!(r.vpc_endpoint_type(), Some(&VpcEndpointType::Resource));
    assert_eq!(r.private_dns_enabled(), Some(true));
    assert_eq!(o["r"]["private_dns_enabled"], true, "{}", o["r"]);
    assert_eq!(strings(&o["r"]["security_group_ids"]), vec![net.security_groups[0].clone()]);
    assert_eq!(
        rows(&o["r"]),
        [
            ("security_group".to_string(), net.security_groups[0].clone(), "vpce_resource".to_string(), serde_json::Value::Null),
            ("subnet".to_string(), subnets[1].clone(), "vpce_resource".to_string(), serde_json::Value::Null),
        ]
    );
    assert_eq!(strings(&r_state["security_group_ids"]), vec![net.security_groups[0].clone()]);
    assert_eq!(strings(&r_state["subnet_ids"]), vec![subnets[1].clone()]);

    // The association resources indeed refuse these endpoints: no import ID is advertised for them.
    tf.write(&format!(
        "resource \"vpce_subnet_association\" \"a\" {{\n  vpc_endpoint_id = \"{}\"\n  subnet_id       = \"{}\"\n}}\n",
        g_id, subnets[1]
    ));
    tf.plan().fails_with(&["Not an interface endpoint", "is a gatewayloadbalancer endpoint"]);
    tf.write("");
    tf.destroy().ok();
}
