//! Conformance of the plan-time checks (issue 23, docs/guides/plan-time-checks.md): one case per
//! row of the table of EC2 rejections. The configuration EC2 rejects fails `terraform plan` (or
//! `validate`, for what the schema or static validation catches) with the diagnostic on the
//! offending attribute, or warns where the plan cannot know the outcome; the corrected
//! configuration plans and applies. Then the three cases of the issue: (a) replacing a
//! private-DNS endpoint, (b) the same under `create_before_destroy`, (c) an S3 interface endpoint
//! whose S3 gateway endpoint is created in the same apply.
//!
//! Terraform runs are few: the rejected configurations of each stage share one directory (one
//! validate, one plan), the corrected ones another (one plan, one apply).

mod common;

use aws_sdk_ec2::types::{AttributeBooleanValue, VpcEndpointType};
use common::diags::diagnostics;
use common::*;

/// What one row expects of Terraform's output.
struct Expect {
    row: &'static str,
    severity: &'static str,
    summary: &'static str,
    /// `resource "TYPE" "NAME"`.
    resource: String,
    attr: &'static str,
    detail: Vec<String>,
}

fn expect(row: &'static str, severity: &'static str, summary: &'static str, resource: &str, attr: &'static str, detail: &[&str]) -> Expect {
    let (t, n) = resource.split_once('.').expect("TYPE.NAME");
    Expect {
        row,
        severity,
        summary,
        resource: format!("resource \"{t}\" \"{n}\""),
        attr,
        detail: detail.iter().map(|s| s.to_string()).collect(),
    }
}

fn names_attr(source: &str, attr: &str) -> bool {
    source.trim_start().strip_prefix(attr).is_some_and(|rest| rest.trim_start().starts_with('=') || rest.trim_start().starts_with('{'))
}

/// Every expectation met by some diagnostic of `out`; the problems otherwise.
fn check_all(out: &TfOutput, expects: &[Expect]) -> Vec<String> {
    let diags = diagnostics(&out.all());
    let mut problems = Vec::new();
    for e in expects {
        let hit = diags.iter().any(|d| {
            d.severity == e.severity
                && d.summary == e.summary
                && d.context.as_deref() == Some(e.resource.as_str())
                && d.source.as_deref().is_some_and(|s| names_attr(s, e.attr))
                && e.detail.iter().all(|n| d.text.contains(n.as_str()))
        });
        if !hit {
            problems.push(format!("[{}] no {} {:?} on {} {} containing {:?}", e.row, e.severity, e.summary, e.resource, e.attr, e.detail));
        }
    }
    problems
}

#[track_caller]
fn assert_all(out: &TfOutput, expects: &[Expect]) {
    let problems = check_all(out, expects);
    assert!(
        problems.is_empty(),
        "{} of {} rows failed:\n{}\n--- terraform output ---\n{}",
        problems.len(),
        expects.len(),
        problems.join("\n"),
        out.all()
    );
}

fn big_policy(size: usize) -> String {
    let head = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Sid":""#;
    let tail = r#""}]}"#;
    format!("{head}{}{tail}", "x".repeat(size - head.len() - tail.len()))
}

async fn dns_vpc(ec2: &aws_sdk_ec2::Client) -> TestVpc {
    vpc(ec2, VpcOpts { dns_support: true, dns_hostnames: true, subnets: 2, route_tables: 2, security_groups: 0 }).await
}

async fn interface_endpoint(ec2: &aws_sdk_ec2::Client, vpc: &str, service: &str, private_dns: bool) -> String {
    let out = ec2
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(vpc)
        .service_name(service)
        .private_dns_enabled(private_dns)
        .send()
        .await
        .expect("create interface endpoint");
    out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("endpoint id").to_string()
}

const SSM: &str = "com.amazonaws.us-east-1.ssm";
const S3: &str = "com.amazonaws.us-east-1.s3";

struct World {
    /// DNS on; an SSM endpoint with private DNS and an S3 gateway endpoint on route_tables[0];
    /// `extra_subnet` in the AZ of subnets[0]; an NLB service in subnets[0]'s AZ.
    a: TestVpc,
    extra_subnet: String,
    nlb: String,
    /// The SSM endpoint with private DNS in `a`.
    ssm_dns: String,
    /// The S3 gateway endpoint of `a`.
    s3_gateway: String,
    /// DNS support off.
    b: TestVpc,
    /// DNS on, no endpoints: S3 private DNS without a gateway.
    c: TestVpc,
    /// 50 interface endpoints (EC2's default quota).
    full: TestVpc,
    /// IPv6: an IPv4-only subnet (us-east-1a) and a dual-stack one (us-east-1b).
    v6: String,
    v4_subnet: String,
    dual_subnet: String,
}

async fn world() -> World {
    let ec2 = ec2().await;
    let a = dns_vpc(&ec2).await;
    let b = vpc(&ec2, VpcOpts { dns_support: false, dns_hostnames: true, subnets: 1, route_tables: 1, security_groups: 0 }).await;
    let c = dns_vpc(&ec2).await;
    let full = vpc(&ec2, VpcOpts { dns_support: true, dns_hostnames: false, subnets: 0, route_tables: 0, security_groups: 0 }).await;
    let cidr = |v: &TestVpc| {
        let ec2 = ec2.clone();
        let id = v.id.clone();
        async move {
            let out = ec2.describe_vpcs().vpc_ids(&id).send().await.expect("describe vpc");
            out.vpcs()[0].cidr_block().expect("cidr").to_string()
        }
    };
    let octet = cidr(&a).await.split('.').nth(1).expect("octet").to_string();
    let extra = ec2
        .create_subnet()
        .vpc_id(&a.id)
        .cidr_block(format!("10.{octet}.100.0/24"))
        .availability_zone(&a.subnets[0].az)
        .send()
        .await
        .expect("extra subnet");
    let extra_subnet = extra.subnet().and_then(|s| s.subnet_id()).expect("subnet id").to_string();
    let ssm_dns = interface_endpoint(&ec2, &a.id, SSM, true).await;
    let gw = ec2
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Gateway)
        .vpc_id(&a.id)
        .service_name(S3)
        .route_table_ids(&a.route_tables[0])
        .send()
        .await
        .expect("s3 gateway");
    let s3_gateway = gw.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    for _ in 0..50 {
        interface_endpoint(&ec2, &full.id, SSM, false).await;
    }
    // A VPC with IPv6.
    let v6 = ec2.create_vpc().cidr_block("10.251.0.0/16").amazon_provided_ipv6_cidr_block(true).send().await.expect("ipv6 vpc");
    let v6 = v6.vpc().and_then(|v| v.vpc_id()).expect("vpc id").to_string();
    ec2.modify_vpc_attribute()
        .vpc_id(&v6)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .expect("dns");
    let described = ec2.describe_vpcs().vpc_ids(&v6).send().await.expect("describe v6");
    let block = described.vpcs()[0].ipv6_cidr_block_association_set()[0].ipv6_cidr_block().expect("ipv6 block").to_string();
    let subnet = |cidr: &'static str, az: &'static str, v6cidr: Option<String>| {
        let (ec2, vpc) = (ec2.clone(), v6.clone());
        async move {
            let mut req = ec2.create_subnet().vpc_id(vpc).cidr_block(cidr).availability_zone(az);
            if let Some(b) = v6cidr {
                req = req.ipv6_cidr_block(b);
            }
            req.send().await.expect("subnet").subnet().and_then(|s| s.subnet_id()).expect("id").to_string()
        }
    };
    let v4_subnet = subnet("10.251.1.0/24", "us-east-1a", None).await;
    let dual_subnet = subnet("10.251.2.0/24", "us-east-1b", Some(block.replace("::/56", "::/64"))).await;
    let nlb = nlb_service(&[a.subnets[0].id.clone()], false);
    World { a, extra_subnet, nlb, ssm_dns, s3_gateway, b, c, full, v6, v4_subnet, dual_subnet }
}

fn interface(name: &str, vpc: &str, service: &str, extra: &str) -> String {
    format!("resource \"vpce_interface\" \"{name}\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"{service}\"\n{extra}\n}}\n\n")
}

fn gateway(name: &str, vpc: &str, service: &str, extra: &str) -> String {
    format!("resource \"vpce_gateway\" \"{name}\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"{service}\"\n{extra}\n}}\n\n")
}

const READ_ONLY: &str = "  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = \"*\", Action = \"s3:GetObject\", Resource = \"*\" }] })";

/// Every row: the rejected configuration fails (or warns) at plan with the diagnostic on the
/// attribute, and the corrected configuration plans and applies.
#[test]
fn every_rejection_is_caught_at_plan_and_the_corrected_configuration_applies() {
    let rt = rt();
    let w = rt.block_on(world());
    let start = std::time::Instant::now();
    let (a, b, c) = (w.a.id.as_str(), w.b.id.as_str(), w.c.id.as_str());
    let s0 = &w.a.subnets[0].id;
    let s1 = &w.a.subnets[1].id;

    // ---- Caught by the schema or static validation (terraform validate, and so plan) ----
    let tf = Tf::new();
    let mut body = String::new();
    body += &gateway("inbound", a, "s3", "  dns_options {\n    private_dns_only_for_inbound_resolver_endpoint = true\n  }");
    body += &interface("route_tables", a, "ssm", &format!("  route_table_ids = [\"{}\"]", w.a.route_tables[1]));
    body += &interface("bad_policy", a, "ssm", "  policy = \"{\\\"Statement\\\": [\"");
    body += &gateway("long_policy", a, "dynamodb", &format!("  policy = {:?}", big_policy(20_481)));
    tf.write(&body);
    let out = tf.plan();
    assert_eq!(out.code, 1, "{}", out.all());
    assert_all(
        &out,
        &[
            expect(
                "inbound option on a gateway",
                "Error",
                "Unsupported argument",
                "vpce_gateway.inbound",
                "private_dns_only_for_inbound_resolver_endpoint",
                &["is not expected here"],
            ),
            expect(
                "route tables on an interface",
                "Error",
                "Unsupported argument",
                "vpce_interface.route_tables",
                "route_table_ids",
                &["is not expected here"],
            ),
            expect("policy syntax", "Error", "Invalid policy document", "vpce_interface.bad_policy", "policy", &["not valid JSON"]),
            expect(
                "policy over 20,480 characters",
                "Error",
                "Policy too long",
                "vpce_gateway.long_policy",
                "policy",
                &["20481 characters", "at most 20480"],
            ),
        ],
    );

    // ---- Caught at plan against EC2 ----
    let tf = Tf::new();
    let mut body = String::new();
    body += &interface("dns_attrs", b, "ssm", "  private_dns_enabled = true");
    body += &interface("dns_taken", a, "ssm", "  private_dns_enabled = true");
    body += &interface("no_dns_name", a, &w.nlb, "  private_dns_enabled = true");
    body += &interface("same_az", a, "sts", &format!("  subnet_ids = [\"{s0}\", \"{}\"]", w.extra_subnet));
    body += &interface("other_az", a, &w.nlb, &format!("  subnet_ids = [\"{s1}\"]"));
    body += &interface("other_region", a, "com.amazonaws.eu-west-1.ssm", "");
    body += &interface("full_access_only", a, &w.nlb, READ_ONLY);
    body += &gateway("route_taken", a, "s3", &format!("  route_table_ids = [\"{}\"]", w.a.route_tables[0]));
    body += &interface(
        "dualstack_v4_subnet",
        &w.v6,
        "ssm",
        &format!("  ip_address_type = \"dualstack\"\n  subnet_ids = [\"{}\"]", w.v4_subnet),
    );
    body += &interface("service_ip_type", a, &w.nlb, "  ip_address_type = \"dualstack\"");
    tf.write(&body);
    let out = tf.plan();
    assert_eq!(out.code, 1, "{}", out.all());
    assert_all(
        &out,
        &[
            expect(
                "private DNS without VPC DNS attributes",
                "Error",
                "The VPC does not allow private DNS",
                "vpce_interface.dns_attrs",
                "private_dns_enabled",
                &[&format!("VPC {b} has enableDnsSupport = false")],
            ),
            expect(
                "second private-DNS endpoint",
                "Error",
                "Another endpoint has private DNS for this service",
                "vpce_interface.dns_taken",
                "private_dns_enabled",
                &[&w.ssm_dns, "conflicting DNS domain"],
            ),
            expect(
                "service without private DNS name",
                "Error",
                "The service has no private DNS name",
                "vpce_interface.no_dns_name",
                "private_dns_enabled",
                &[&w.nlb],
            ),
            expect(
                "two subnets in one AZ",
                "Error",
                "Several subnets in one Availability Zone",
                "vpce_interface.same_az",
                "subnet_ids",
                &[s0, &w.extra_subnet],
            ),
            expect(
                "AZ the service does not serve",
                "Error",
                "Service not offered in the subnet's Availability Zone",
                "vpce_interface.other_az",
                "subnet_ids",
                &[s1],
            ),
            expect(
                "service of another region",
                "Error",
                "No such VPC endpoint service",
                "vpce_interface.other_region",
                "service_name",
                &["refers to region eu-west-1"],
            ),
            expect(
                "policy for a full-access-only service",
                "Error",
                "The service takes no endpoint policy",
                "vpce_interface.full_access_only",
                "policy",
                &["only supports the full-access endpoint policy"],
            ),
            expect(
                "second gateway route for a service",
                "Error",
                "The route table already has a route for the service",
                "vpce_gateway.route_taken",
                "route_table_ids",
                &[&w.a.route_tables[0], &w.s3_gateway, "RouteAlreadyExists"],
            ),
            expect(
                "dualstack with an IPv4-only subnet",
                "Error",
                "Subnet does not fit the IP address type",
                "vpce_interface.dualstack_v4_subnet",
                "ip_address_type",
                &[&w.v4_subnet, "has no IPv6 CIDR block"],
            ),
            expect(
                "IP type the service does not support",
                "Error",
                "IP address type not supported by the service",
                "vpce_interface.service_ip_type",
                "ip_address_type",
                &["supports ipv4 addresses only"],
            ),
        ],
    );

    // ---- Warned at plan (the outcome is not known then); the S3 rule stops the apply ----
    let tf = Tf::new();
    let mut body = interface("s3_no_gateway", c, "s3", "  private_dns_enabled = true");
    body += &interface("quota", &w.full.id, "ssm", "");
    tf.write(&body);
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert_all(
        &out,
        &[
            expect(
                "S3 private DNS without an S3 gateway",
                "Warning",
                "S3 private DNS needs an S3 gateway endpoint",
                "vpce_interface.s3_no_gateway",
                "private_dns_enabled",
                &["same apply", "private_dns_only_for_inbound_resolver_endpoint = false"],
            ),
            expect(
                "endpoint quota",
                "Warning",
                "The VPC is at the default endpoint quota",
                "vpce_interface.quota",
                "vpc_id",
                &["50 interface", "VpcEndpointLimitExceeded"],
            ),
        ],
    );
    let out = tf.apply();
    assert_ne!(out.code, 0, "{}", out.all());
    assert_all(
        &out,
        &[expect(
            "S3 private DNS without an S3 gateway (apply)",
            "Error",
            "S3 private DNS needs an S3 gateway endpoint",
            "vpce_interface.s3_no_gateway",
            "private_dns_enabled",
            &[&format!("the VPC {c} must have a Gateway endpoint")],
        )],
    );
    // The quota is raised in the emulator, as an account can have it raised: that one applied.
    assert!(tf.resource("vpce_interface.quota")["id"].as_str().is_some_and(|id| id.starts_with("vpce-")), "{}", out.all());
    tf.destroy().ok();

    // ---- Corrected: all plan and apply ----
    let tf = Tf::new();
    let mut body = String::new();
    body += &gateway("inbound", a, "dynamodb", "");
    body += &interface("route_tables", a, "sts", "");
    body += &interface("bad_policy", a, "ec2", READ_ONLY);
    body += &gateway("long_policy", c, "dynamodb", &format!("  policy = {:?}", big_policy(20_480)));
    body += &interface("dns_attrs", b, "ssm", "  private_dns_enabled = false");
    body += &interface("dns_taken", a, "ssm", "  private_dns_enabled = false");
    body += &interface("no_dns_name", a, &w.nlb, "  private_dns_enabled = false");
    body += &interface("same_az", a, "kms", &format!("  subnet_ids = [\"{s0}\"]"));
    body += &interface("other_az", a, &w.nlb, &format!("  subnet_ids = [\"{s0}\"]\n  ip_address_type = \"ipv4\""));
    body += &interface("other_region", a, "com.amazonaws.us-east-1.logs", "");
    body += &interface("full_access_only", a, &w.nlb, "");
    body += &gateway("route_taken", a, "s3", &format!("  route_table_ids = [\"{}\"]", w.a.route_tables[1]));
    body += &interface(
        "dualstack_v4_subnet",
        &w.v6,
        "ssm",
        &format!("  ip_address_type = \"dualstack\"\n  subnet_ids = [\"{}\"]", w.dual_subnet),
    );
    body += &interface(
        "s3_no_gateway",
        c,
        "s3",
        "  private_dns_enabled = true\n  dns_options {\n    private_dns_only_for_inbound_resolver_endpoint = false\n  }",
    );
    tf.write(&body);
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    no_warnings(&out);
    let out = tf.apply();
    assert_eq!(out.code, 0, "{}", out.all());
    no_warnings(&out);
    tf.destroy().ok();
    eprintln!("conformance rows in {:?}", start.elapsed());
}

fn vpc_for_cases() -> TestVpc {
    rt().block_on(async { dns_vpc(&ec2().await).await })
}

/// (a) Replacing an endpoint with private DNS (destroy, then create): the endpoint it replaces
/// does not block it (Terraform plans the replacement's create with no prior state; the replaced
/// id comes through the private data).
#[test]
fn replacing_a_private_dns_endpoint_plans_and_applies() {
    let v = vpc_for_cases();
    let tf = Tf::new();
    tf.write(&interface("x", &v.id, "ssm", "  private_dns_enabled = true"));
    tf.apply().ok();
    let old = tf.resource("vpce_interface.x")["id"].as_str().expect("id").to_string();
    let out = tf.run(&["plan", "-no-color", "-input=false", "-replace=vpce_interface.x"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("Error:"), "{}", out.all());
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false", "-replace=vpce_interface.x"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let new = tf.resource("vpce_interface.x");
    assert_ne!(new["id"].as_str(), Some(old.as_str()));
    assert_eq!(new["private_dns_enabled"], true);
    tf.destroy().ok();
}

/// (b) The same under create_before_destroy: EC2 would refuse the new endpoint while the old one
/// holds private DNS. Terraform does not tell a provider the lifecycle (nor `-replace`), so the
/// plan passes; the apply stops before CreateVpcEndpoint with the provider's error on
/// private_dns_enabled, and the old endpoint stays.
#[test]
fn create_before_destroy_with_private_dns_is_caught() {
    let v = vpc_for_cases();
    let tf = Tf::new();
    tf.write(&interface("x", &v.id, "ssm", "  private_dns_enabled = true\n  lifecycle {\n    create_before_destroy = true\n  }"));
    tf.apply().ok();
    let old = tf.resource("vpce_interface.x")["id"].as_str().expect("id").to_string();
    let out = tf.run(&["plan", "-no-color", "-input=false", "-replace=vpce_interface.x"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("Error:"), "{}", out.all());
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false", "-replace=vpce_interface.x"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert_all(
        &out,
        &[expect(
            "(b) apply",
            "Error",
            "Another endpoint has private DNS for this service",
            "vpce_interface.x",
            "private_dns_enabled",
            &[&old, "create_before_destroy"],
        )],
    );
    assert!(!out.all().contains("conflicting DNS domain for ssm"), "EC2's own refusal reached: {}", out.all());
    let live: Vec<String> = rt()
        .block_on(async { endpoints_in_vpc(&ec2().await, &v.id).await })
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    assert_eq!(live, vec![old.clone()], "only the old endpoint");
    assert_eq!(tf.resource("vpce_interface.x")["id"].as_str(), Some(old.as_str()));
    // The failed apply left the old endpoint *deposed*: the next plans do not fail on it (it is in
    // this state and planned for no resource), with create_before_destroy or without it.
    for config in [
        interface("x", &v.id, "ssm", "  private_dns_enabled = true\n  lifecycle {\n    create_before_destroy = true\n  }"),
        interface("x", &v.id, "ssm", "  private_dns_enabled = true"),
    ] {
        tf.write(&config);
        let out = tf.run(&["plan", "-no-color", "-input=false"]);
        assert!(!out.all().contains("Error:") && out.all().contains("deposed"), "{}", out.all());
    }
    // Terraform still creates before it destroys a deposed object, which EC2 cannot take with
    // private DNS: the documented way out is to forget the resource and import the old endpoint.
    tf.run(&["state", "rm", "-no-color", "vpce_interface.x"]).ok();
    tf.run(&["import", "-no-color", "-input=false", "vpce_interface.x", &old]).ok();
    assert_eq!(tf.plan().code, 0, "the old endpoint is the resource again");
    tf.destroy().ok();
}

/// (d) A tainted endpoint (a create that timed out, `terraform taint`) is replaced by the next
/// apply: Terraform plans the replacement as a create with no prior state and no private data, so
/// the plan cannot be told which endpoint it replaces. The tainted endpoint is refreshed by this
/// plan and planned for no resource: a conflict with it (private DNS, an untagged gateway's route)
/// is a warning, and the apply, which deletes it first, succeeds. Another resource of the
/// configuration still gets the error.
#[test]
fn a_tainted_endpoint_does_not_block_its_replacement() {
    let v = vpc_for_cases();
    let tf = Tf::new();
    let config = format!(
        "{}{}",
        interface("x", &v.id, "ssm", "  private_dns_enabled = true"),
        gateway("g", &v.id, "s3", &format!("  route_table_ids = [\"{}\"]", v.route_tables[0]))
    );
    tf.write(&config);
    tf.apply().ok();
    let (old_x, old_g) = (
        tf.resource("vpce_interface.x")["id"].as_str().unwrap().to_string(),
        tf.resource("vpce_gateway.g")["id"].as_str().unwrap().to_string(),
    );
    for address in ["vpce_interface.x", "vpce_gateway.g"] {
        tf.run(&["taint", "-no-color", address]).ok();
    }
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    assert!(out.code == 0 && !out.all().contains("Error:"), "{}", out.all());
    assert!(out.all().contains("An endpoint this plan deletes has private DNS") && out.all().contains(&old_x), "{}", out.all());
    assert!(out.all().contains(&old_g) && out.all().contains("tainted or deposed"), "{}", out.all());
    tf.apply().ok();
    let (new_x, new_g) = (
        tf.resource("vpce_interface.x")["id"].as_str().unwrap().to_string(),
        tf.resource("vpce_gateway.g")["id"].as_str().unwrap().to_string(),
    );
    assert!(new_x != old_x && new_g != old_g);
    let mut live: Vec<String> = rt()
        .block_on(async { endpoints_in_vpc(&ec2().await, &v.id).await })
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    live.sort();
    let mut expected = vec![new_x.clone(), new_g.clone()];
    expected.sort();
    assert_eq!(live, expected, "the tainted endpoints are gone, their replacements alone");
    assert_eq!(tf.plan().code, 0);

    // A live resource of the configuration is no tainted object: a second private-DNS endpoint
    // of the service is still refused at plan.
    tf.write(&format!("{config}{}", interface("y", &v.id, "ssm", "  private_dns_enabled = true")));
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert_all(
        &out,
        &[expect(
            "(d) live",
            "Error",
            "Another endpoint has private DNS for this service",
            "vpce_interface.y",
            "private_dns_enabled",
            &[&new_x],
        )],
    );
    tf.write(&config);
    tf.destroy().ok();
}

/// (c) An S3 interface endpoint with private DNS whose S3 gateway endpoint is created in the same
/// apply: ordered with depends_on (known VPC: the plan warns) or with the VPC unknown at plan
/// (no check at plan), both plan and apply.
#[test]
fn s3_interface_with_its_gateway_in_the_same_apply() {
    let (known, unknown) = rt().block_on(async {
        let ec2 = ec2().await;
        (dns_vpc(&ec2).await, dns_vpc(&ec2).await)
    });
    let tf = Tf::new();
    let mut body = gateway("s3", &known.id, "s3", &format!("  route_table_ids = [\"{}\"]", known.route_tables[0]));
    body += &interface("s3", &known.id, "s3", "  private_dns_enabled = true\n  depends_on = [vpce_gateway.s3]");
    body += &format!("resource \"terraform_data\" \"vpc\" {{\n  input = \"{}\"\n}}\n\n", unknown.id);
    body += "resource \"vpce_gateway\" \"s3_later\" {\n  vpc_id       = terraform_data.vpc.output\n  service_name = \"s3\"\n}\n\n";
    body += "resource \"vpce_interface\" \"s3_later\" {\n  vpc_id              = terraform_data.vpc.output\n  service_name        = \"s3\"\n  private_dns_enabled = true\n  depends_on          = [vpce_gateway.s3_later]\n}\n";
    tf.write(&body);
    let out = tf.plan();
    assert_eq!(out.code, 2, "{}", out.all());
    assert_all(
        &out,
        &[expect(
            "(c) known VPC",
            "Warning",
            "S3 private DNS needs an S3 gateway endpoint",
            "vpce_interface.s3",
            "private_dns_enabled",
            &["same apply"],
        )],
    );
    assert!(!out.all().contains("Error:"), "{}", out.all());
    let later = r#"resource "vpce_interface" "s3_later""#;
    assert!(
        diagnostics(&out.all()).iter().all(|d| d.context.as_deref() != Some(later)),
        "no diagnostic for the unknown VPC: {}",
        out.all()
    );
    let out = tf.apply();
    assert_eq!(out.code, 0, "{}", out.all());
    for name in ["s3", "s3_later"] {
        let r = tf.resource(&format!("vpce_interface.{name}"));
        assert_eq!(r["private_dns_enabled"], true, "{name}");
    }
    tf.destroy().ok();
}
