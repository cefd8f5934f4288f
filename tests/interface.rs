//! vpce_interface against moto through real Terraform: lifecycle, drift, import and every
//! validation error. Each test uses its own VPC(s) so the tests run in parallel.
//!
//! moto runs as scripts/moto_server.py, which makes ModifyVpcEndpoint honour PrivateDnsEnabled,
//! DnsOptions, IpAddressType, ResetPolicy and subnet changes, gives an endpoint without groups the
//! VPC's default group and enforces the VPC DNS rule for private DNS, as EC2 does. The requests
//! themselves are also checked through a recording proxy. moto's endpoint services are offered in
//! every AZ, so the AZ check uses an NLB-backed service.

mod common;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification, VpcEndpointType};
use common::proxy::{param, param_list, Proxy};
use common::*;

const SSM: &str = "com.amazonaws.us-east-1.ssm";
const STS: &str = "com.amazonaws.us-east-1.sts";

// ---------------------------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------------------------

fn policy(action: &str) -> String {
    format!(
        r#"jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = "*", Action = ["{action}"], Resource = "*" }}]
  }})"#
    )
}

fn json_policy(action: &str) -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": [action], "Resource": "*"}]})
}

/// A policy document compared as JSON (one-element arrays equal their element, as IAM does).
fn same_policy(a: &str, b: &serde_json::Value) -> bool {
    fn norm(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Array(a) if a.len() == 1 => norm(a.into_iter().next().unwrap_or_default()),
            serde_json::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(norm).collect()),
            serde_json::Value::Object(m) => serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, norm(v))).collect()),
            v => v,
        }
    }
    serde_json::from_str::<serde_json::Value>(a).map(norm).ok() == Some(norm(b.clone()))
}

fn subnets_of(ep: &aws_sdk_ec2::types::VpcEndpoint) -> Vec<String> {
    sorted(ep.subnet_ids().to_vec())
}

fn groups_of(ep: &aws_sdk_ec2::types::VpcEndpoint) -> Vec<String> {
    sorted(ep.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect())
}

fn vpc_opts(subnets: usize, security_groups: usize, dns_support: bool, dns_hostnames: bool) -> VpcOpts {
    VpcOpts { dns_support, dns_hostnames, subnets, route_tables: 0, security_groups }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/// Create, no-op plan, in-place update of subnets / groups / private DNS / policy / tags, a
/// reformatted policy planning clean, then destroy.
#[test]
fn create_update_in_place_and_destroy() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, vpc_opts(3, 2, true, true)));
    let (s, g) = (&vpc.subnets, &vpc.security_groups);
    let rec = Proxy::start();
    let tf = Tf::new();
    let resource = |subnets: &[String], groups: &[String], extra: &str, pol: &str| {
        format!(
            r#"
resource "vpce_interface" "e" {{
  vpc_id             = "{vpc}"
  service_name       = "{SSM}"
  subnet_ids         = {subnets}
  security_group_ids = {groups}
  policy             = {pol}
{extra}
}}
"#,
            vpc = vpc.id,
            subnets = hcl_list(subnets),
            groups = hcl_list(groups),
        )
    };

    // Create (private_dns_enabled left to its default: false).
    let body = resource(&[s[0].id.clone()], &g[..1], "  tags = { Name = \"first\" }", &policy("ssm:GetParameter"));
    tf.write_via(&rec.url, &body);
    tf.apply().ok();
    let st = tf.resource("vpce_interface.e");
    let id = st["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("vpce-"), "{st}");
    assert_eq!(st["arn"], format!("arn:aws:ec2:{REGION}:{}:vpc-endpoint/{id}", st["owner_id"].as_str().unwrap_or("?")));
    assert_eq!(st["state"], "available");
    assert_eq!(st["private_dns_enabled"], false);
    assert_eq!(st["requester_managed"], false);
    assert_eq!(sorted_strings(&st["network_interface_ids"]).len(), 1, "{st}");
    assert!(st["dns_entry"][0]["dns_name"].as_str().is_some_and(|d| !d.is_empty()), "{st}");
    assert!(st["dns_entry"][0]["hosted_zone_id"].as_str().is_some(), "{st}");
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(ep.vpc_endpoint_type(), Some(&VpcEndpointType::Interface));
    assert_eq!(ep.service_name(), Some(SSM));
    assert_eq!(subnets_of(&ep), vec![s[0].id.clone()]);
    assert_eq!(groups_of(&ep), vec![g[0].clone()]);
    // moto defaults PrivateDnsEnabled to true: false here proves the provider sent it explicitly.
    assert_eq!(ep.private_dns_enabled(), Some(false));
    assert!(same_policy(ep.policy_document().unwrap_or_default(), &json_policy("ssm:GetParameter")), "{:?}", ep.policy_document());
    assert_eq!(ec2_tags(&ep), vec![("Name".to_string(), "first".to_string())]);
    let create = rec.calls("CreateVpcEndpoint");
    assert_eq!(create.len(), 1, "one CreateVpcEndpoint");
    assert_eq!(param(&create[0], "PrivateDnsEnabled"), Some("false"));
    assert_eq!(param(&create[0], "VpcEndpointType"), Some("Interface"));
    assert!(param(&create[0], "ClientToken").is_some_and(|t| t.len() >= 32), "ClientToken: {:?}", create[0]);

    // Nothing changed: nothing planned.
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());

    // In place: add a subnet, swap the group, enable private DNS, new policy, new tags.
    rec.clear();
    let body = resource(
        &[s[0].id.clone(), s[1].id.clone()],
        &g[1..2],
        "  private_dns_enabled = true\n  tags = { Name = \"second\", env = \"test\" }",
        &policy("ssm:*"),
    );
    tf.write_via(&rec.url, &body);
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.e"), vec!["update"]);
    tf.apply().ok();
    let st = tf.resource("vpce_interface.e");
    assert_eq!(st["id"], id.as_str(), "updated in place");
    assert_eq!(st["private_dns_enabled"], true);
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(subnets_of(&ep), sorted(vec![s[0].id.clone(), s[1].id.clone()]));
    assert_eq!(groups_of(&ep), vec![g[1].clone()]);
    assert!(same_policy(ep.policy_document().unwrap_or_default(), &json_policy("ssm:*")));
    assert_eq!(ec2_tags(&ep), vec![("Name".into(), "second".into()), ("env".into(), "test".into())]);
    let modify = rec.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1, "one ModifyVpcEndpoint: {modify:?}");
    let m = &modify[0];
    assert_eq!(param(m, "VpcEndpointId"), Some(id.as_str()));
    assert_eq!(param(m, "PrivateDnsEnabled"), Some("true"), "{m:?}");
    assert_eq!(param_list(m, "AddSubnetId"), vec![s[1].id.clone()]);
    assert!(param_list(m, "RemoveSubnetId").is_empty());
    assert_eq!(param_list(m, "AddSecurityGroupId"), vec![g[1].clone()]);
    assert_eq!(param_list(m, "RemoveSecurityGroupId"), vec![g[0].clone()]);
    assert!(param(m, "PolicyDocument").is_some_and(|p| same_policy(p, &json_policy("ssm:*"))));
    assert!(rec.calls("CreateVpcEndpoint").is_empty() && rec.calls("DeleteVpcEndpoints").is_empty());
    // Private DNS re-checked (the VPC attributes) before the modify enabling it.
    assert!(rec.calls("DescribeVpcAttribute").len() >= 2, "VPC DNS attributes checked");

    // EC2 took private DNS: the endpoint reports it, and the service's private name is a DNS entry.
    assert_eq!(ep.private_dns_enabled(), Some(true));
    let names: Vec<String> =
        st["dns_entry"].as_array().expect("dns_entry").iter().filter_map(|e| e["dns_name"].as_str().map(str::to_string)).collect();
    assert!(names.iter().any(|n| n == "ssm.us-east-1.amazonaws.com"), "{names:?}");
    assert_eq!(sorted_strings(&st["network_interface_ids"]).len(), 2, "one network interface per subnet: {st}");

    // The same policy reformatted (heredoc, other key order, scalar Action) plans clean.
    let heredoc = "<<EOT\n{\"Statement\": [{\"Resource\": \"*\", \"Action\": \"ssm:*\", \"Principal\": \"*\", \"Effect\": \"Allow\"}],\n \"Version\": \"2012-10-17\"}\nEOT";
    let body = resource(
        &[s[1].id.clone(), s[0].id.clone()],
        &g[1..2],
        "  private_dns_enabled = true\n  tags = { Name = \"second\", env = \"test\" }",
        heredoc,
    );
    tf.write_via(&rec.url, &body);
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());

    // Remove a subnet and every tag; `security_group_ids = []` means the VPC's default group.
    let body = resource(&[s[1].id.clone()], &[], "", heredoc);
    tf.write(&body);
    tf.apply().ok();
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    assert_eq!(subnets_of(&ep), vec![s[1].id.clone()]);
    assert!(ec2_tags(&ep).is_empty(), "{:?}", ec2_tags(&ep));
    assert_eq!(groups_of(&ep), vec![vpc.default_security_group.clone()]);
    assert_eq!(tf.resource("vpce_interface.e")["security_group_ids"], serde_json::json!([]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());

    // Removing the policy resets AWS's default (ResetPolicy).
    rec.clear();
    let body = resource(&[s[1].id.clone()], &[], "", "null");
    tf.write_via(&rec.url, &body);
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_interface.e"), vec!["update"]);
    tf.apply().ok();
    let modify = rec.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1, "{modify:?}");
    assert_eq!(param(&modify[0], "ResetPolicy"), Some("true"), "{:?}", modify[0]);
    assert_eq!(param(&modify[0], "PolicyDocument"), None);
    let ep = rt.block_on(endpoint(&ec2, &id)).expect("endpoint in EC2");
    let full_access =
        serde_json::json!({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
    assert!(
        same_policy(ep.policy_document().unwrap_or_default(), &full_access),
        "EC2 restored the default policy: {:?}",
        ep.policy_document()
    );
    assert_eq!(tf.plan().code, 0, "the default policy is no diff when policy is not configured");

    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &id)).is_none(), "deleted in EC2");
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &vpc.id)).is_empty());
    assert!(tf.resource("vpce_interface.e").is_null());
}

/// Replacement on a service change; out-of-band subnet removal and deletion are planned back.
#[test]
fn replace_and_drift() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, vpc_opts(2, 1, true, true)));
    let s = &vpc.subnets;
    let tf = Tf::new();
    // No security_group_ids: AWS applies the VPC default group and the state keeps what EC2 says.
    let body = |service: &str| {
        format!(
            "resource \"vpce_interface\" \"e\" {{\n  vpc_id = \"{}\"\n  service_name = \"{service}\"\n  subnet_ids = {}\n  private_dns_enabled = true\n}}\n",
            vpc.id,
            hcl_list(&[s[0].id.clone(), s[1].id.clone()])
        )
    };
    tf.write(&body(SSM));
    tf.apply().ok();
    let first = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    let out = tf.plan();
    assert_eq!(out.code, 0, "security_group_ids computed, private DNS true: {}", out.all());

    // A service change replaces the endpoint.
    tf.write(&body(STS));
    assert_eq!(actions(&tf.plan_changes(), "vpce_interface.e"), vec!["delete", "create"]);
    tf.apply().ok();
    let second = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert_ne!(first, second);
    assert!(rt.block_on(endpoint(&ec2, &first)).is_none(), "old endpoint deleted");
    let ep = rt.block_on(endpoint(&ec2, &second)).expect("new endpoint");
    assert_eq!(ep.service_name(), Some(STS));
    assert_eq!(ep.private_dns_enabled(), Some(true));

    // A subnet removed out of band: planned back in place.
    rt.block_on(ec2.modify_vpc_endpoint().vpc_endpoint_id(&second).remove_subnet_ids(&s[1].id).send()).expect("modify");
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_interface.e"), vec!["update"]);
    tf.apply().ok();
    let ep = rt.block_on(endpoint(&ec2, &second)).expect("endpoint");
    assert_eq!(subnets_of(&ep), sorted(vec![s[0].id.clone(), s[1].id.clone()]));

    // Deleted out of band: removed from the state and planned for creation.
    rt.block_on(ec2.delete_vpc_endpoints().vpc_endpoint_ids(&second).send()).expect("delete");
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("will be created"), "{}", out.stdout);
    tf.apply().ok();
    let third = tf.resource("vpce_interface.e")["id"].as_str().expect("id").to_string();
    assert!(third != second && rt.block_on(endpoint(&ec2, &third)).is_some());

    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &vpc.id)).is_empty());
}

/// Import by id, then a clean plan; wrong ids and gateway endpoints are refused.
#[test]
fn import_and_refusals() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 2, route_tables: 1, security_groups: 1, ..VpcOpts::default() }));
    let (s, g) = (&vpc.subnets, &vpc.security_groups);
    let doc = json_policy("ssm:GetParameter").to_string();
    let created = rt.block_on(
        ec2.create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(&vpc.id)
            .service_name(SSM)
            .subnet_ids(&s[0].id)
            .subnet_ids(&s[1].id)
            .security_group_ids(&g[0])
            .private_dns_enabled(true)
            .policy_document(&doc)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::VpcEndpoint)
                    .tags(Tag::builder().key("Name").value("imported").build())
                    .build(),
            )
            .send(),
    );
    let id = created.expect("create endpoint").vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let gw = rt.block_on(
        ec2.create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .vpc_id(&vpc.id)
            .service_name("com.amazonaws.us-east-1.s3")
            .route_table_ids(&vpc.route_tables[0])
            .send(),
    );
    let gw = gw.expect("create gateway endpoint").vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();

    let tf = Tf::new();
    tf.write(&format!(
        r#"
resource "vpce_interface" "e" {{
  vpc_id              = "{vpc}"
  service_name        = "{SSM}"
  subnet_ids          = {subnets}
  security_group_ids  = ["{g0}"]
  private_dns_enabled = true
  policy              = {pol}
  tags                = {{ Name = "imported" }}
}}
"#,
        vpc = vpc.id,
        subnets = hcl_list(&[s[1].id.clone(), s[0].id.clone()]),
        g0 = g[0],
        pol = policy("ssm:GetParameter"),
    ));
    tf.import("vpce_interface.e", "sg-0123456789abcdef0").fails_with(&["Invalid import ID", "vpce-"]);
    tf.import("vpce_interface.e", &gw).fails_with(&[&gw, "Gateway", "vpce_gateway"]);
    tf.import("vpce_interface.e", "vpce-0123456789abcdef0").fails_with(&["vpce-0123456789abcdef0", "does not exist"]);
    tf.import("vpce_interface.e", &id).ok();
    let st = tf.resource("vpce_interface.e");
    assert_eq!(st["id"], id.as_str());
    assert_eq!(st["service_name"], SSM);
    assert_eq!(sorted_strings(&st["subnet_ids"]), sorted(vec![s[0].id.clone(), s[1].id.clone()]));
    assert_eq!(st["tags"]["Name"], "imported");
    let out = tf.plan();
    assert_eq!(out.code, 0, "import then plan must be clean: {}", out.all());

    // Destroy removes only the imported interface endpoint.
    tf.destroy().ok();
    assert!(rt.block_on(endpoint(&ec2, &id)).is_none());
    assert!(rt.block_on(endpoint(&ec2, &gw)).is_some(), "the gateway endpoint is not ours");
}

// ---------------------------------------------------------------------------------------------
// Private DNS: the VPC DNS rule
// ---------------------------------------------------------------------------------------------

/// private_dns_enabled = true in a VPC without DNS hostnames (or without both attributes) fails
/// at plan with a diagnostic naming the VPC, the attribute(s) and the fix; nothing is created.
#[test]
fn private_dns_needs_vpc_dns_attributes() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let no_hostnames = rt.block_on(vpc(&ec2, vpc_opts(1, 0, true, false)));
    let neither = rt.block_on(vpc(&ec2, vpc_opts(1, 0, false, false)));
    let tf = Tf::new();
    let res = |name: &str, v: &TestVpc, pd: bool| {
        format!(
            "resource \"vpce_interface\" \"{name}\" {{\n  vpc_id = \"{}\"\n  service_name = \"{SSM}\"\n  subnet_ids = [\"{}\"]\n  private_dns_enabled = {pd}\n}}\n",
            v.id, v.subnets[0].id
        )
    };
    tf.write(&format!("{}{}", res("a", &no_hostnames, true), res("b", &neither, true)));
    let out = tf.plan().fails_with(&[
        &format!("VPC {} has enableDnsHostnames = false.", no_hostnames.id),
        &format!("VPC {} has enableDnsSupport = false and enableDnsHostnames = false.", neither.id),
        "needs both enableDnsSupport and enableDnsHostnames set to true",
        "enable_dns_hostnames = true",
        "aws ec2 modify-vpc-attribute",
        "or set private_dns_enabled = false",
        "private_dns_enabled = true",
    ]);
    let text = unwrap_lines(&out.all());
    assert!(text.contains("vpce_interface.a") && text.contains("vpce_interface.b"), "{text}");
    assert!(!text.contains(&format!("{} has enableDnsSupport", no_hostnames.id)), "only the missing attribute is named: {text}");
    // The same endpoints without private DNS plan fine.
    tf.write(&format!("{}{}", res("a", &no_hostnames, false), res("b", &neither, false)));
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &no_hostnames.id)).is_empty());
}

/// When the VPC id is unknown at plan (it comes from another resource of the same apply), the
/// rule is checked during apply, before CreateVpcEndpoint: the apply fails and nothing is created.
#[test]
fn private_dns_rechecked_during_apply_when_vpc_unknown_at_plan() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let v = rt.block_on(vpc(&ec2, vpc_opts(1, 0, true, false)));
    let tf = Tf::new();
    tf.write(&format!(
        r#"
resource "terraform_data" "vpc" {{
  input = "{vpc}"
}}

resource "vpce_interface" "e" {{
  vpc_id              = terraform_data.vpc.output
  service_name        = "{SSM}"
  subnet_ids          = ["{subnet}"]
  private_dns_enabled = true
}}
"#,
        vpc = v.id,
        subnet = v.subnets[0].id
    ));
    let out = tf.plan();
    assert_eq!(out.code, 2, "the VPC is unknown at plan, so plan passes: {}", out.all());
    tf.apply().fails_with(&[&format!("VPC {} has enableDnsHostnames = false.", v.id), "enable_dns_hostnames = true"]);
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &v.id)).is_empty(), "nothing may be created");
    assert!(tf.resource("vpce_interface.e").is_null());
}

/// Turning private DNS on for an existing endpoint re-checks the VPC.
#[test]
fn enabling_private_dns_later_is_checked_too() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let v = rt.block_on(vpc(&ec2, vpc_opts(1, 0, false, true)));
    let tf = Tf::new();
    let res = |pd: bool| {
        format!(
            "resource \"vpce_interface\" \"e\" {{\n  vpc_id = \"{}\"\n  service_name = \"{SSM}\"\n  subnet_ids = [\"{}\"]\n  private_dns_enabled = {pd}\n}}\n",
            v.id, v.subnets[0].id
        )
    };
    tf.write(&res(false));
    tf.apply().ok();
    tf.write(&res(true));
    tf.plan().fails_with(&[&format!("VPC {} has enableDnsSupport = false.", v.id), "enable_dns_support = true"]);
    // Terraform plans the configuration before destroying and stops at plan errors; during a
    // destroy the check is a warning, so the endpoint can always be destroyed.
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &v.id)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Other validation
// ---------------------------------------------------------------------------------------------

/// Every plan-time AWS check, one resource per error, in one plan.
#[test]
fn plan_time_checks_against_ec2() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let v = rt.block_on(vpc(&ec2, vpc_opts(3, 1, true, true)));
    let other = rt.block_on(vpc(&ec2, vpc_opts(1, 1, true, true)));
    // A second subnet in the AZ of v.subnets[0].
    let az_a = v.subnets[0].az.clone();
    let cidr = rt.block_on(ec2.describe_vpcs().vpc_ids(&v.id).send()).expect("describe vpc").vpcs()[0]
        .cidr_block()
        .unwrap_or_default()
        .to_string();
    let twin =
        rt.block_on(ec2.create_subnet().vpc_id(&v.id).availability_zone(&az_a).cidr_block(cidr.replace(".0.0/16", ".200.0/24")).send());
    let twin = twin.expect("create subnet").subnet().and_then(|s| s.subnet_id()).expect("subnet id").to_string();
    // A service offered only in the AZ of v.subnets[0].
    let limited = nlb_service(&[v.subnets[0].id.clone()], false);

    let tf = Tf::new();
    let res = |name: &str, service: &str, vpc: &str, subnets: &[String], groups: &[String]| {
        format!(
            "resource \"vpce_interface\" \"{name}\" {{\n  vpc_id = \"{vpc}\"\n  service_name = \"{service}\"\n  subnet_ids = {}\n  security_group_ids = {}\n}}\n",
            hcl_list(subnets),
            hcl_list(groups)
        )
    };
    let s0 = v.subnets[0].id.clone();
    let config = [
        res("unknown_service", "com.amazonaws.us-east-1.nosuchservice", &v.id, std::slice::from_ref(&s0), &[]),
        res("gateway_only", "com.amazonaws.us-east-1.dynamodb", &v.id, std::slice::from_ref(&s0), &[]),
        res("foreign_subnet", SSM, &v.id, &[other.subnets[0].id.clone()], &[]),
        res("same_az", SSM, &v.id, &[s0.clone(), twin.clone()], &[]),
        res("unsupported_az", &limited, &v.id, &[v.subnets[2].id.clone()], &[]),
        res("foreign_group", SSM, &v.id, std::slice::from_ref(&s0), &[other.security_groups[0].clone()]),
        res("missing_subnet", SSM, &v.id, &["subnet-0123456789abcdef0".to_string()], &[]),
        res("missing_group", SSM, &v.id, std::slice::from_ref(&s0), &["sg-0123456789abcdef0".to_string()]),
        res("missing_vpc", SSM, "vpc-0123456789abcdef0", &[], &[]),
        // Fine: S3 offers both types; the limited service in its own AZ.
        res("s3_ok", "com.amazonaws.us-east-1.s3", &v.id, std::slice::from_ref(&s0), &[]),
        res("limited_ok", &limited, &v.id, std::slice::from_ref(&s0), &[]),
    ]
    .concat();
    tf.write(&config);
    let out = tf.plan().fails_with(&[
        "No such VPC endpoint service",
        "com.amazonaws.us-east-1.nosuchservice",
        "in us-east-1",
        "com.amazonaws.us-east-1.dynamodb supports only Gateway endpoints",
        "vpce_gateway",
        &format!("Subnet {} belongs to {}, not to {}", other.subnets[0].id, other.id, v.id),
        &sorted(vec![s0.clone(), twin.clone()]).join(" and "),
        &format!("both in {az_a}"),
        "at most one subnet per Availability Zone",
        &format!("Subnet {} is in {}", v.subnets[2].id, v.subnets[2].az),
        &format!("{limited} is offered only in {az_a}"),
        &format!("Security group {} belongs to {}, not to {}", other.security_groups[0], other.id, v.id),
        "Subnet subnet-0123456789abcdef0 does not exist",
        "Security group sg-0123456789abcdef0 does not exist",
        "VPC vpc-0123456789abcdef0 does not exist",
    ]);
    let text = unwrap_lines(&out.all());
    for ok in ["vpce_interface.s3_ok", "vpce_interface.limited_ok"] {
        assert!(!text.contains(&format!("with {ok},")), "{ok} must pass: {text}");
    }
    for bad in [
        "unknown_service",
        "gateway_only",
        "foreign_subnet",
        "same_az",
        "unsupported_az",
        "foreign_group",
        "missing_subnet",
        "missing_group",
        "missing_vpc",
    ] {
        assert!(text.contains(&format!("with vpce_interface.{bad},")), "{bad} must fail: {text}");
    }
    // The errors point at the attributes.
    for attr in ["service_name", "subnet_ids", "security_group_ids", "vpc_id"] {
        assert!(text.contains(&format!("{attr} =")), "diagnostic on {attr}: {text}");
    }
}

/// Static validation (no AWS): ids, policy JSON, timeouts, enums and option combinations.
#[test]
fn static_validation_errors() {
    let tf = Tf::new();
    tf.write(
        r#"
resource "vpce_interface" "ids" {
  vpc_id             = "vpc0123"
  service_name       = "com.amazonaws.us-east-1.ssm"
  subnet_ids         = ["sub-1"]
  security_group_ids = ["group-1"]
  tags               = { "aws:owner" = "me" }
}

resource "vpce_interface" "options" {
  vpc_id          = "vpc-0123456789abcdef0"
  service_name    = "com.amazonaws.us-east-1.ssm"
  ip_address_type = "ipv5"
  policy          = "{not json"

  dns_options {
    dns_record_ip_type                             = "ipv9"
    private_dns_only_for_inbound_resolver_endpoint = true
  }

  timeouts {
    create = "soon"
  }
}

resource "vpce_interface" "mismatch" {
  vpc_id              = "vpc-0123456789abcdef0"
  service_name        = "com.amazonaws.us-east-1.ssm"
  ip_address_type     = "ipv4"
  private_dns_enabled = true

  dns_options {
    dns_record_ip_type = "ipv6"
  }
}
"#,
    );
    tf.run(&["validate", "-no-color"]).fails_with(&[
        "Invalid VPC ID",
        "\"vpc0123\"",
        "Invalid subnet ID",
        "\"sub-1\"",
        "Invalid security group ID",
        "\"group-1\"",
        "Invalid tag key",
        "\"aws:owner\" cannot be set",
        "Invalid ip_address_type",
        "\"ipv5\"",
        "Invalid policy document",
        "Invalid dns_record_ip_type",
        "\"ipv9\"",
        "private_dns_only_for_inbound_resolver_endpoint",
        "needs private_dns_enabled = true",
        "Invalid timeout",
        "\"soon\"",
        "dns_record_ip_type = \"ipv6\" needs ip_address_type",
    ]);
}
