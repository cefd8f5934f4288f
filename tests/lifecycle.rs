//! The endpoint lifecycle at its edges, each against moto through real Terraform: a destroy must
//! never drop an endpoint EC2 did not delete, destroy is never blocked by a create-time check or
//! a configuration edited into something invalid, an update of an endpoint deleted since the plan
//! fails at once, equivalent configurations plan nothing, EC2's limits are checked at plan,
//! `policy = ""` means the default policy, and EC2 calls are logged without credentials.

mod common;

use common::proxy::{param, Proxy};
use common::*;

fn gateway_config(vpc: &TestVpc, extra: &str) -> String {
    format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id       = "{}"
  service_name = "s3"
{extra}
}}
"#,
        vpc.id
    )
}

fn setup(opts: VpcOpts) -> (TestVpc, aws_sdk_ec2::Client) {
    rt().block_on(async {
        let client = ec2().await;
        (vpc(&client, opts).await, client)
    })
}

fn live(client: &aws_sdk_ec2::Client, id: &str) -> bool {
    rt().block_on(endpoint(client, id)).is_some()
}

// ---------------------------------------------------------------------------------------------
// 1. Only the endpoint's own NotFound means "already deleted"
// ---------------------------------------------------------------------------------------------

#[test]
fn destroy_keeps_the_endpoint_when_ec2_answers_another_not_found() {
    let (net, client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let proxy = Proxy::start();
    let tf = Tf::new();
    tf.write_via(&proxy.url, &gateway_config(&net, ""));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();

    // An error code ending in NotFound that is not about the endpoint.
    proxy.fail_with("DeleteVpcEndpoints", "InvalidRoute.NotFound", 400);
    tf.destroy().fails_with(&["Cannot delete the gateway endpoint", "InvalidRoute.NotFound"]);
    assert!(live(&client, &id), "the endpoint must still exist");
    assert_eq!(tf.resource("vpce_gateway.s3")["id"], id.as_str(), "and stay in the state");

    // The same inside a successful answer: an Unsuccessful item for the endpoint.
    proxy.heal();
    proxy.respond(
        "DeleteVpcEndpoints",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><DeleteVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><unsuccessful><item><error><code>InvalidRoute.NotFound</code><message>no route in rtb</message></error><resourceId>{id}</resourceId></item></unsuccessful></DeleteVpcEndpointsResponse>"#
        ),
    );
    tf.destroy().fails_with(&["Cannot delete the gateway endpoint", "InvalidRoute.NotFound"]);
    assert!(live(&client, &id));
    assert_eq!(tf.resource("vpce_gateway.s3")["id"], id.as_str());

    // The endpoint's own NotFound does mean gone.
    proxy.heal();
    proxy.fail_with("DeleteVpcEndpoints", "InvalidVpcEndpointId.NotFound", 400);
    tf.destroy().ok();
    assert!(tf.resource("vpce_gateway.s3").is_null());
    proxy.heal();
    // (moto still has it: it was never asked to delete it; tidy up.)
    rt().block_on(async { client.delete_vpc_endpoints().vpc_endpoint_ids(&id).send().await.expect("delete") });
}

// ---------------------------------------------------------------------------------------------
// 2. A create-time check never blocks destroy
// ---------------------------------------------------------------------------------------------

#[test]
fn destroy_succeeds_when_the_configuration_no_longer_plans() {
    let (net, client) = setup(VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() });
    let tf = Tf::new();
    let config = |private_dns: bool| {
        format!(
            r#"
resource "vpce_interface" "ssm" {{
  vpc_id              = "{}"
  service_name        = "com.amazonaws.{REGION}.ssm"
  subnet_ids          = ["{}"]
  security_group_ids  = ["{}"]
  private_dns_enabled = {private_dns}
}}
"#,
            net.id, net.subnets[0].id, net.security_groups[0]
        )
    };
    tf.write(&config(false));
    tf.apply().ok();
    let id = tf.resource("vpce_interface.ssm")["id"].as_str().expect("id").to_string();
    rt().block_on(async {
        client
            .modify_vpc_attribute()
            .vpc_id(&net.id)
            .enable_dns_hostnames(aws_sdk_ec2::types::AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .expect("disable DNS hostnames")
    });
    tf.write(&config(true));
    tf.plan().fails_with(&["The VPC does not allow private DNS"]);
    let out = tf.destroy().ok();
    assert!(!out.all().contains("does not allow private DNS"), "{}", out.all());
    assert!(!live(&client, &id), "destroyed");
}

/// A configuration edited into something the static checks refuse (51 tags, an `aws:` key, a
/// policy that is not JSON, a service with no Gateway type) still destroys what the state holds:
/// during a destroy those errors are warnings.
#[test]
fn destroy_succeeds_when_the_configuration_is_edited_into_something_invalid() {
    let (net, client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let tf = Tf::new();
    tf.write(&gateway_config(&net, ""));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    let many: String = (0..51).map(|i| format!("k{i} = \"v\", ")).collect();
    let invalid = format!(
        "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id       = \"{}\"\n  service_name = \"ec2\"\n  policy       = \"not json\"\n  tags         = {{ {many}\"aws:x\" = \"y\" }}\n}}\n",
        net.id
    );
    tf.write(&invalid);
    tf.plan().fails_with(&["Too many tags", "Invalid tag key", "Invalid policy document"]);
    let out = tf.destroy().ok();
    assert!(out.all().contains("Not an error while destroying"), "the errors are shown as warnings:\n{}", out.all());
    assert!(!live(&client, &id), "destroyed");
}

/// A tags-only update of an endpoint deleted out of band after the plan (a saved plan, or
/// `-refresh=false`) fails at once, saying so; the next plan creates the endpoint again.
#[test]
fn a_tags_only_update_of_an_endpoint_deleted_since_the_plan_fails_at_once() {
    let (net, client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let tf = Tf::new();
    for saved_plan in [true, false] {
        tf.write(&gateway_config(&net, "  tags = { v = \"1\" }"));
        tf.apply().ok();
        let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
        tf.write(&gateway_config(&net, "  tags = { v = \"2\" }"));
        if saved_plan {
            tf.run(&["plan", "-out=tfplan", "-no-color", "-input=false"]).ok();
        }
        rt().block_on(client.delete_vpc_endpoints().vpc_endpoint_ids(&id).send()).expect("delete out of band");
        let started = std::time::Instant::now();
        let out = match saved_plan {
            true => tf.run(&["apply", "-no-color", "-input=false", "tfplan"]),
            false => tf.run(&["apply", "-auto-approve", "-refresh=false", "-no-color", "-input=false"]),
        };
        let out = out.fails_with(&[&id, "deleted after the plan was made"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}:\n{}", started.elapsed(), out.all());
        let changes = tf.plan_changes();
        assert_eq!(actions(&changes, "vpce_gateway.s3"), ["create"], "saved plan: {saved_plan}");
    }
    tf.destroy().ok();
}

// ---------------------------------------------------------------------------------------------
// 3. Equivalent configurations plan nothing
// ---------------------------------------------------------------------------------------------

#[test]
fn no_tags_and_empty_collections_are_the_same() {
    let (net, _client) = setup(VpcOpts { subnets: 1, route_tables: 1, security_groups: 1, ..Default::default() });
    let tf = Tf::new();
    let interface = format!(
        r#"
resource "vpce_interface" "ssm" {{
  vpc_id             = "{}"
  service_name       = "ssm"
  subnet_ids         = ["{}"]
  security_group_ids = ["{}"]
  TAGS
}}
"#,
        net.id, net.subnets[0].id, net.security_groups[0]
    );
    let both = |gateway_extra: &str, tags: &str| format!("{}{}", gateway_config(&net, gateway_extra), interface.replace("TAGS", tags));
    tf.write(&both("", ""));
    tf.apply().ok();
    for (gateway_extra, tags) in
        [("  tags = {}\n  route_table_ids = []", "tags = {}"), ("  tags = null\n  route_table_ids = null", "tags = null"), ("", "")]
    {
        tf.write(&both(gateway_extra, tags));
        let out = tf.plan();
        assert_eq!(out.code, 0, "{gateway_extra:?} / {tags:?} must plan nothing:\n{}", out.all());
    }
    // And from a configuration with them set, back to nothing: the tags are removed; unset
    // route_table_ids means "managed elsewhere" (vpce_route_table_association): the table stays,
    // and `route_table_ids = []` removes it.
    tf.write(&both(&format!("  tags = {{ a = \"1\" }}\n  route_table_ids = [\"{}\"]", net.route_tables[0]), "tags = { a = \"1\" }"));
    tf.apply().ok();
    tf.write(&both("", ""));
    assert_eq!(tf.plan().code, 2, "removing tags is a change");
    tf.apply().ok();
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(gw["tags"], serde_json::json!({}));
    assert_eq!(gw["route_table_ids"], serde_json::json!([net.route_tables[0]]), "unset keeps the associated table");
    tf.write(&both("  route_table_ids = []", ""));
    assert_eq!(tf.plan().code, 2, "[] removes the table");
    tf.apply().ok();
    let gw = tf.resource("vpce_gateway.s3");
    assert_eq!(gw["route_table_ids"], serde_json::json!([]));
    assert_eq!(tf.resource("vpce_interface.ssm")["tags"], serde_json::json!({}));
    assert_eq!(tf.plan().code, 0);
    tf.destroy().ok();
}

// ---------------------------------------------------------------------------------------------
// 4. The state keeps the service name as written, for both resources
// ---------------------------------------------------------------------------------------------

#[test]
fn respelling_the_service_plans_nothing() {
    let (net, client) = setup(VpcOpts { subnets: 1, route_tables: 1, security_groups: 1, ..Default::default() });
    let tf = Tf::new();
    let config = |gw: &str, ifc: &str| {
        format!(
            r#"
resource "vpce_gateway" "s3" {{
  vpc_id       = "{vpc}"
  service_name = "{gw}"
}}
resource "vpce_interface" "ssm" {{
  vpc_id             = "{vpc}"
  service_name       = "{ifc}"
  subnet_ids         = ["{subnet}"]
  security_group_ids = ["{sg}"]
}}
output "names" {{
  value = [vpce_gateway.s3.service_name, vpce_interface.ssm.service_name]
}}
"#,
            vpc = net.id,
            subnet = net.subnets[0].id,
            sg = net.security_groups[0]
        )
    };
    let full_s3 = format!("com.amazonaws.{REGION}.s3");
    let full_ssm = format!("com.amazonaws.{REGION}.ssm");
    tf.write(&config("s3", "ssm"));
    tf.apply().ok();
    let ids = (tf.resource("vpce_gateway.s3")["id"].clone(), tf.resource("vpce_interface.ssm")["id"].clone());
    // The other spelling of the same service: nothing to do; the state keeps the first spelling
    // (Terraform accepts a planned prior value that means what the configuration says).
    for (gw, ifc) in [(full_s3.as_str(), full_ssm.as_str()), ("s3", "ssm")] {
        tf.write(&config(gw, ifc));
        let changes = tf.plan_changes();
        assert_eq!(actions(&changes, "vpce_gateway.s3"), ["no-op"], "gateway respelled to {gw}");
        assert_eq!(actions(&changes, "vpce_interface.ssm"), ["no-op"], "interface respelled to {ifc}");
        tf.apply().ok();
        assert_eq!(tf.resource("vpce_gateway.s3")["service_name"], "s3");
        assert_eq!(tf.resource("vpce_interface.ssm")["service_name"], "ssm");
        let out = tf.run(&["output", "-json", "names"]).ok();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap(), serde_json::json!(["s3", "ssm"]));
        assert_eq!(tf.plan().code, 0);
    }
    assert_eq!((tf.resource("vpce_gateway.s3")["id"].clone(), tf.resource("vpce_interface.ssm")["id"].clone()), ids, "never replaced");
    assert_eq!(rt().block_on(endpoints_in_vpc(&client, &net.id)).len(), 2);
    tf.destroy().ok();
}

/// An endpoint made outside Terraform, imported under a configuration that spells the service
/// short and has no `dns_options` block (EC2 reports the default DNS options, which an import
/// leaves out): the plan after the import is empty, as after a create with that configuration.
#[test]
fn import_plans_nothing_under_the_configuration_a_create_would_have_used() {
    let (net, client) = setup(VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() });
    let created = rt()
        .block_on(
            client
                .create_vpc_endpoint()
                .vpc_id(&net.id)
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .service_name(format!("com.amazonaws.{REGION}.ssm"))
                .subnet_ids(&net.subnets[0].id)
                .security_group_ids(&net.security_groups[0])
                .private_dns_enabled(false)
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let tf = Tf::new();
    tf.write(&format!(
        "resource \"vpce_interface\" \"ssm\" {{\n  vpc_id              = \"{}\"\n  service_name        = \"ssm\"\n  subnet_ids          = [\"{}\"]\n  security_group_ids  = [\"{}\"]\n  private_dns_enabled = false\n}}\n",
        net.id, net.subnets[0].id, net.security_groups[0]
    ));
    tf.import("vpce_interface.ssm", &id).ok();
    let out = tf.plan();
    assert_eq!(out.code, 0, "plan after import:\n{}", out.all());
    no_warnings(&out);
    tf.destroy().ok();
    assert!(!live(&client, &id));
}

// ---------------------------------------------------------------------------------------------
// 5. EC2's limits at plan; messages
// ---------------------------------------------------------------------------------------------

#[test]
fn tag_limits_and_long_timeouts_fail_at_plan_on_the_attribute() {
    let (net, client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let proxy = Proxy::start();
    let tf = Tf::new();
    let long_key = "k".repeat(200);
    let long_value = "v".repeat(300);
    let many: String = (0..51).map(|i| format!("t{i} = \"x\"\n")).collect();
    for (extra, needles) in [
        (format!("  tags = {{ \"{long_key}\" = \"x\" }}"), vec!["Tag key too long", "200 characters", "at most 128"]),
        (format!("  tags = {{ k = \"{long_value}\" }}"), vec!["Tag value too long", "300 characters", "at most 256"]),
        (format!("  tags = {{\n{many}}}"), vec!["Too many tags", "51 tags", "at most 50"]),
        ("  tags = { \"aws:x\" = \"1\" }".to_string(), vec!["Invalid tag key", "reserved"]),
        ("  timeouts {\n    create = \"200h\"\n  }".to_string(), vec!["Timeout too long", "\"200h\"", "168h"]),
        ("  timeouts {\n    create = \"ten\"\n  }".to_string(), vec!["Invalid timeout", "is not a duration"]),
    ] {
        tf.write_via(&proxy.url, &gateway_config(&net, &extra));
        let out = tf.plan().fails_with(&needles);
        assert!(!out.all().contains("is not a duration") || needles.contains(&"is not a duration"), "{}", out.all());
    }
    assert!(proxy.calls("CreateVpcEndpoint").is_empty());
    assert!(rt().block_on(endpoints_in_vpc(&client, &net.id)).is_empty());
}

#[test]
fn importing_the_wrong_kind_names_the_right_resource_once() {
    let (net, client) = setup(VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() });
    let id = rt().block_on(async {
        client
            .create_vpc_endpoint()
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
            .vpc_id(&net.id)
            .service_name(format!("com.amazonaws.{REGION}.ssm"))
            .subnet_ids(&net.subnets[0].id)
            .send()
            .await
            .expect("create")
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .expect("id")
            .to_string()
    });
    let tf = Tf::new();
    tf.write(&gateway_config(&net, ""));
    let out = tf.import("vpce_gateway.s3", &id).fails_with(&["Not a gateway endpoint", "Import it as a vpce_interface resource instead."]);
    assert_eq!(out.all().matches("vpce_interface").count(), 1, "{}", out.all());
}

// ---------------------------------------------------------------------------------------------
// 6. policy = "" means the default policy
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_policy_means_the_default_policy() {
    let (net, _client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let proxy = Proxy::start();
    let tf = Tf::new();
    // No policy, then `policy = ""`: the same, so nothing to plan.
    tf.write_via(&proxy.url, &gateway_config(&net, ""));
    tf.apply().ok();
    tf.write_via(&proxy.url, &gateway_config(&net, "  policy = \"\""));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.s3"), ["no-op"], "no policy and \"\" mean the same");
    tf.destroy().ok();
    proxy.clear();
    tf.write_via(&proxy.url, &gateway_config(&net, "  policy = \"\""));
    tf.apply().ok();
    let create = proxy.calls("CreateVpcEndpoint");
    assert_eq!(create.len(), 1);
    assert_eq!(param(&create[0], "PolicyDocument"), None, "no policy sent");
    assert_eq!(tf.resource("vpce_gateway.s3")["policy"], "");
    assert_eq!(tf.plan().code, 0, "stays planned as nothing");

    // A custom policy, then "" again: the policy is reset.
    let custom = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
    tf.write_via(&proxy.url, &gateway_config(&net, &format!("  policy = {}", serde_json::to_string(custom).unwrap())));
    tf.apply().ok();
    proxy.clear();
    tf.write_via(&proxy.url, &gateway_config(&net, "  policy = \"\""));
    tf.apply().ok();
    let modify = proxy.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1, "{modify:?}");
    assert_eq!(param(&modify[0], "ResetPolicy"), Some("true"));
    assert_eq!(tf.resource("vpce_gateway.s3")["policy"], "");
    tf.destroy().ok();
}

// ---------------------------------------------------------------------------------------------
// 8. Logs: every EC2 call at debug, never a credential
// ---------------------------------------------------------------------------------------------

#[test]
fn ec2_calls_are_logged_without_credentials() {
    let (net, _client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let tf = Tf::new();
    tf.write(&gateway_config(&net, ""));
    let log = tf.path().join("tf.log");
    let secret = "SecretKeyValue0123456789abcdefXYZ";
    let token = "SessionTokenValue9876543210zyxwvu";
    let out = tf
        .command(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .env("TF_LOG_PROVIDER", "trace")
        .env("TF_LOG_PATH", &log)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_SESSION_TOKEN", token)
        .output()
        .expect("run terraform");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log).expect("log file");
    let id = {
        let state = tf.resource("vpce_gateway.s3");
        state["id"].as_str().expect("id").to_string()
    };
    let created =
        text.lines().find(|l| l.contains("EC2 CreateVpcEndpoint")).unwrap_or_else(|| panic!("no CreateVpcEndpoint line:\n{text}"));
    for field in ["provider.vpce.ec2", "action=CreateVpcEndpoint", "attempt=1", "duration_ms=", "status=200", &net.id] {
        assert!(created.contains(field), "{field} missing from: {created}");
    }
    assert!(!text.contains(secret), "the secret key leaked into the log");
    assert!(!text.contains(token), "the session token leaked into the log");
    // The create answered `available` (moto), so the apply did not wait; the destroy waits for the
    // deletion: its reads and polls are logged too.
    let out = tf
        .command(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .env("TF_LOG_PROVIDER", "trace")
        .env("TF_LOG_PATH", &log)
        .output()
        .expect("run terraform");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log).expect("log file");
    assert!(text.lines().any(|l| l.contains("EC2 DescribeVpcEndpoints") && l.contains(&id)), "the wait's reads are logged with the id");
    assert!(text.lines().any(|l| l.contains(&format!("waiting for {id} to be deleted"))), "waiter polls at trace");
    assert!(text.lines().any(|l| l.contains("EC2 DeleteVpcEndpoints") && l.contains(&id)), "the delete is logged with the id");
}

// ---------------------------------------------------------------------------------------------
// 9. Schema parity: gateway ip_address_type / dns_options / requester_managed, interface
//    private_dns_preference / private_dns_specified_domains
// ---------------------------------------------------------------------------------------------

#[test]
fn gateway_ip_address_type_and_dns_record_type() {
    let (net, _client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() });
    let proxy = Proxy::start();
    let tf = Tf::new();
    let config = |ip: &str, record: &str| {
        gateway_config(&net, &format!("  ip_address_type = \"{ip}\"\n  dns_options {{\n    dns_record_ip_type = \"{record}\"\n  }}"))
    };
    tf.write_via(&proxy.url, &config("dualstack", "ipv4"));
    tf.apply().ok();
    let create = proxy.calls("CreateVpcEndpoint");
    assert_eq!(param(&create[0], "IpAddressType"), Some("dualstack"));
    assert_eq!(param(&create[0], "DnsOptions.DnsRecordIpType"), Some("ipv4"));
    let state = tf.resource("vpce_gateway.s3");
    assert_eq!(state["ip_address_type"], "dualstack");
    assert_eq!(state["dns_options"]["dns_record_ip_type"], "ipv4");
    assert_eq!(state["requester_managed"], false);
    assert_eq!(tf.plan().code, 0);

    // dualstack -> ipv4 and a new record type: in place, one ModifyVpcEndpoint.
    proxy.clear();
    tf.write_via(&proxy.url, &config("ipv4", "service-defined"));
    assert_eq!(actions(&tf.plan_changes(), "vpce_gateway.s3"), ["update"]);
    tf.apply().ok();
    let modify = proxy.calls("ModifyVpcEndpoint");
    assert_eq!(modify.len(), 1, "{modify:?}");
    assert_eq!(param(&modify[0], "IpAddressType"), Some("ipv4"));
    assert_eq!(param(&modify[0], "DnsOptions.DnsRecordIpType"), Some("service-defined"));
    assert_eq!(tf.plan().code, 0);

    // To ipv6: EC2 cannot, so the endpoint is replaced.
    tf.write_via(&proxy.url, &config("ipv6", "service-defined"));
    let a = actions(&tf.plan_changes(), "vpce_gateway.s3");
    assert!(a.contains(&"delete".to_string()) && a.contains(&"create".to_string()), "{a:?}");
    tf.write_via(&proxy.url, &gateway_config(&net, ""));
    tf.destroy().ok();
}

#[test]
fn gateway_dns_record_type_rules_fail_at_plan() {
    let (net, _client) = setup(VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, dns_hostnames: false, ..Default::default() });
    let tf = Tf::new();
    tf.write(&format!(
        r#"
resource "vpce_gateway" "ddb" {{
  vpc_id       = "{}"
  service_name = "dynamodb"
  dns_options {{
    dns_record_ip_type = "ipv4"
  }}
}}
"#,
        net.id
    ));
    tf.plan().fails_with(&["Unsupported DNS record IP type", "DynamoDB", "service-defined"]);
    tf.write(&gateway_config(&net, "  ip_address_type = \"ipv5\""));
    tf.plan().fails_with(&["Invalid ip_address_type", "\"ipv5\""]);
    tf.write(&gateway_config(&net, "  dns_options {\n    dns_record_ip_type = \"dualstack\"\n  }"));
    tf.plan().fails_with(&["The VPC does not allow this DNS record IP type", "enableDnsHostnames = false"]);
}

#[test]
fn interface_private_dns_preference_and_domains() {
    let (net, _client) = setup(VpcOpts { subnets: 1, route_tables: 0, security_groups: 1, ..Default::default() });
    let proxy = Proxy::start();
    let tf = Tf::new();
    let config = |dns: &str| {
        format!(
            r#"
resource "vpce_interface" "ssm" {{
  vpc_id             = "{}"
  service_name       = "ssm"
  subnet_ids         = ["{}"]
  security_group_ids = ["{}"]
  dns_options {{
{dns}
  }}
}}
"#,
            net.id, net.subnets[0].id, net.security_groups[0]
        )
    };
    tf.write_via(&proxy.url, &config("    private_dns_preference = \"SPECIFIED_DOMAINS_ONLY\""));
    tf.plan().fails_with(&["Missing private_dns_specified_domains"]);
    tf.write_via(
        &proxy.url,
        &config("    private_dns_preference = \"ALL_DOMAINS\"\n    private_dns_specified_domains = [\"a.example.com\"]"),
    );
    tf.plan().fails_with(&["Unexpected private_dns_specified_domains"]);
    tf.write_via(&proxy.url, &config("    private_dns_preference = \"SOME\""));
    tf.plan().fails_with(&["Invalid private_dns_preference", "ALL_DOMAINS"]);
    let eleven: Vec<String> = (0..11).map(|i| format!("d{i}.example.com")).collect();
    tf.write_via(
        &proxy.url,
        &config(&format!(
            "    private_dns_preference = \"SPECIFIED_DOMAINS_ONLY\"\n    private_dns_specified_domains = {}",
            hcl_list(&eleven)
        )),
    );
    tf.plan().fails_with(&["Invalid private_dns_specified_domains", "11 domains"]);

    let valid = |domains: &str| {
        config(&format!(
            "    private_dns_preference = \"VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS\"\n    private_dns_specified_domains = {domains}"
        ))
    };
    // A valid preference all the same: EC2 takes it only for Resource and ServiceNetwork
    // endpoints, so the plan refuses it before anything is created.
    tf.write_via(&proxy.url, &valid("[\"a.example.com\", \"b.example.com\"]"));
    tf.plan().fails_with(&["Not for interface endpoints", "use vpce_resource or vpce_service_network"]);
    assert!(proxy.calls("CreateVpcEndpoint").is_empty());
}

/// A saved plan applied after changes made outside Terraform: the update starts from the endpoint
/// as EC2 has it then, so the endpoint ends as planned (and as the state says): a route table
/// removed out of band is added back with the planned one, and a policy changed out of band is
/// set back; route tables the configuration does not manage are left alone.
#[test]
fn a_saved_plan_applied_after_outside_changes_ends_as_planned() {
    let (net, client) = setup(VpcOpts { subnets: 0, route_tables: 3, security_groups: 0, ..Default::default() });
    let tf = Tf::new();
    let rts = |n: usize| net.route_tables[..n].iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ");
    let config = |n: usize| {
        format!(
            "resource \"vpce_gateway\" \"s3\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [{}]\n}}\n",
            net.id,
            rts(n)
        )
    };
    tf.write(&config(2));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.s3")["id"].as_str().expect("id").to_string();
    tf.write(&config(3));
    tf.run(&["plan", "-out=tfplan", "-no-color", "-input=false"]).ok();
    // Outside Terraform, after the plan: one planned route table removed, a deny policy set.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;
    rt().block_on(
        client.modify_vpc_endpoint().vpc_endpoint_id(&id).remove_route_table_ids(&net.route_tables[1]).policy_document(deny).send(),
    )
    .expect("modify out of band");
    tf.run(&["apply", "-no-color", "-input=false", "tfplan"]).ok();
    let ep = rt().block_on(endpoint(&client, &id)).expect("endpoint");
    let mut have: Vec<String> = ep.route_table_ids().to_vec();
    have.sort();
    let mut want = net.route_tables.clone();
    want.sort();
    assert_eq!(have, want, "EC2 holds the planned route tables");
    assert!(
        !ep.policy_document().unwrap_or_default().contains("Deny"),
        "the policy is the planned default again: {:?}",
        ep.policy_document()
    );
    assert_eq!(tf.plan().code, 0, "the state matches EC2");
    tf.destroy().ok();
}
