//! Invalid configurations, each run through real Terraform (validate or plan against moto): every
//! one must fail with the right diagnostic (summary and detail) pointing at the right attribute,
//! i.e. Terraform's `on main.tf line N, in resource "..." "...":` followed by the quoted source
//! line `N:   attr = ...` naming the attribute.
//!
//! The cases run in parallel threads, each in its own Terraform directory.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::diags::{diagnostics, Diag};
use common::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cmd {
    Validate,
    Plan,
}

/// Where the diagnostic must point.
#[derive(Clone, Debug)]
enum At {
    /// The quoted source line must name this attribute (`N:   attr = ...`).
    Attr(&'static str),
    /// The quoted source line must be this block header (e.g. for a missing argument).
    Header(&'static str),
}

#[derive(Clone, Debug)]
struct Case {
    name: &'static str,
    cmd: Cmd,
    /// Replaces the harness's provider block when set (the whole main.tf is then `provider + body`).
    provider: Option<String>,
    body: String,
    summary: &'static str,
    /// Needles the diagnostic's text (summary + detail, unwrapped) must contain.
    detail: Vec<String>,
    /// The `in ...:` context Terraform prints after `on main.tf line N,`.
    context: &'static str,
    at: At,
}

fn case(
    name: &'static str,
    cmd: Cmd,
    body: impl Into<String>,
    summary: &'static str,
    detail: Vec<String>,
    context: &'static str,
    at: At,
) -> Case {
    Case { name, cmd, provider: None, body: body.into(), summary, detail, context, at }
}

macro_rules! d {
    ($($e:expr),* $(,)?) => { vec![$($e.to_string()),*] };
}

const GW: &str = r#"resource "vpce_gateway" "x""#;
const IF: &str = r#"resource "vpce_interface" "x""#;
const GWLB: &str = r#"resource "vpce_gateway_load_balancer" "x""#;
const RES: &str = r#"resource "vpce_resource" "x""#;
const SNW: &str = r#"resource "vpce_service_network" "x""#;
const PROV: &str = r#"provider "vpce""#;
const DS_EP: &str = r#"data "vpce_endpoint" "x""#;
const DS_SVC: &str = r#"data "vpce_service" "x""#;
const SN: &str = r#"resource "vpce_subnet_association" "x""#;
const SG: &str = r#"resource "vpce_security_group_association" "x""#;
const POL: &str = r#"resource "vpce_policy" "x""#;
const DNS: &str = r#"resource "vpce_private_dns" "x""#;
const ACC: &str = r#"resource "vpce_connection_accepter" "x""#;

/// Whether the source line assigns `attr` (`attr = ...` or `attr {`).
fn names_attr(source: &str, attr: &str) -> bool {
    let s = source.trim_start();
    s.strip_prefix(attr).is_some_and(|rest| rest.trim_start().starts_with('=') || rest.trim_start().starts_with('{'))
}

fn check(c: &Case, out: &TfOutput) -> Result<(), String> {
    let all = out.all();
    if out.code == 0 || (c.cmd == Cmd::Plan && out.code == 2) {
        return Err(format!("exit code {} (expected failure)", out.code));
    }
    let diags = diagnostics(&all);
    let candidates: Vec<&Diag> = diags.iter().filter(|d| d.severity == "Error" && d.summary == c.summary).collect();
    if candidates.is_empty() {
        let seen: Vec<String> = diags.iter().map(|d| format!("{}: {}", d.severity, d.summary)).collect();
        return Err(format!("no error {:?}; diagnostics seen: {seen:?}", c.summary));
    }
    let mut problems = Vec::new();
    for d in &candidates {
        let mut p = Vec::new();
        for n in &c.detail {
            if !d.text.contains(n.as_str()) {
                p.push(format!("detail lacks {n:?}"));
            }
        }
        match &d.context {
            Some(ctx) if ctx == c.context => {}
            other => p.push(format!("context {other:?}, expected {:?}", c.context)),
        }
        match (&c.at, &d.source) {
            (At::Attr(a), Some(src)) if names_attr(src, a) => {}
            (At::Header(h), Some(src)) if src.starts_with(h) => {}
            (_, src) => p.push(format!("source line {src:?} (line {:?}) does not point at {:?}", d.line, c.at)),
        }
        if p.is_empty() {
            return Ok(());
        }
        problems.push(format!("{}: {}", d.text, p.join("; ")));
    }
    Err(problems.join("\n  "))
}

fn run_case(c: &Case) -> Result<(), String> {
    let tf = Tf::new();
    match &c.provider {
        Some(p) => tf.write_raw(&format!(
            "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\n{p}\n{}",
            c.body
        )),
        None => tf.write(&c.body),
    }
    let out = match c.cmd {
        Cmd::Validate => tf.run(&["validate", "-no-color"]),
        Cmd::Plan => tf.plan(),
    };
    check(c, &out).map_err(|e| format!("{e}\n--- terraform output ---\n{}", out.all()))
}

fn provider_with(attrs: &str) -> Option<String> {
    Some(format!("provider \"vpce\" {{\n{attrs}\n}}\n"))
}

struct World {
    /// enableDnsSupport = true, enableDnsHostnames = false (moto's default for new VPCs);
    /// subnets in us-east-1a and b plus `extra_subnet` also in us-east-1a.
    a: TestVpc,
    extra_subnet: String,
    /// enableDnsSupport = false, enableDnsHostnames = true.
    b: TestVpc,
    /// A Gateway Load Balancer endpoint service in `a`'s first Availability Zone only.
    gwlb: String,
}

async fn world() -> World {
    let ec2 = ec2().await;
    let a = vpc(&ec2, VpcOpts { dns_support: true, dns_hostnames: false, subnets: 2, route_tables: 1, security_groups: 1 }).await;
    let b = vpc(&ec2, VpcOpts { dns_support: false, dns_hostnames: true, subnets: 1, route_tables: 1, security_groups: 1 }).await;
    let cidr = ec2
        .describe_vpcs()
        .vpc_ids(&a.id)
        .send()
        .await
        .expect("describe vpc")
        .vpcs()
        .first()
        .and_then(|v| v.cidr_block())
        .expect("vpc cidr")
        .to_string();
    let second_octet = cidr.split('.').nth(1).expect("cidr octet").to_string();
    let extra = ec2
        .create_subnet()
        .vpc_id(&a.id)
        .cidr_block(format!("10.{second_octet}.100.0/24"))
        .availability_zone(&a.subnets[0].az)
        .send()
        .await
        .expect("create extra subnet");
    let extra_subnet = extra.subnet().and_then(|s| s.subnet_id()).expect("subnet id").to_string();
    let gwlb = gwlb_service(&[a.subnets[0].id.clone()], false);
    World { a, extra_subnet, b, gwlb }
}

fn cases(w: &World) -> Vec<Case> {
    use At::{Attr, Header};
    use Cmd::{Plan, Validate};
    let gw = |extra: &str| {
        format!("resource \"vpce_gateway\" \"x\" {{\n  vpc_id       = \"{}\"\n  service_name = \"s3\"\n{extra}\n}}\n", w.a.id)
    };
    let iface = |vpc: &str, extra: &str| {
        format!("resource \"vpce_interface\" \"x\" {{\n  vpc_id       = \"{vpc}\"\n  service_name = \"com.amazonaws.us-east-1.ssm\"\n{extra}\n}}\n")
    };
    let gwlb = |service: &str, subnets: &[&str], extra: &str| {
        let subnets: Vec<String> = subnets.iter().map(|s| s.to_string()).collect();
        format!(
            "resource \"vpce_gateway_load_balancer\" \"x\" {{\n  vpc_id       = \"{}\"\n  service_name = \"{service}\"\n  subnet_ids   = {}\n{extra}\n}}\n",
            w.a.id,
            hcl_list(&subnets)
        )
    };
    let (s0, s1) = (w.a.subnets[0].id.as_str(), w.a.subnets[1].id.as_str());
    let rc = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg";
    let res = |arn: &str, extra: &str| {
        format!("resource \"vpce_resource\" \"x\" {{\n  vpc_id                     = \"{}\"\n  resource_configuration_arn = \"{arn}\"\n{extra}\n}}\n", w.a.id)
    };
    let snw = |arn: &str, extra: &str| {
        format!(
            "resource \"vpce_service_network\" \"x\" {{\n  vpc_id              = \"{}\"\n  service_network_arn = \"{arn}\"\n{extra}\n}}\n",
            w.a.id
        )
    };
    let sn_arn = "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg";
    let a = w.a.id.as_str();
    let missing_vpc = "vpc-0123456789abcdef0";
    let missing_rtb = "rtb-0123456789abcdef0";
    let missing_subnet = "subnet-0123456789abcdef0";
    let missing_sg = "sg-0123456789abcdef0";
    // Terraform only configures a provider some resource uses.
    let user = format!("resource \"vpce_gateway\" \"ok\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"s3\"\n}}\n");
    vec![
        // ---------------- data sources: EC2 filter blocks ----------------
        case("data vpce_endpoint: filter name DescribeVpcEndpoints does not take", Validate,
            "data \"vpce_endpoint\" \"x\" {\n  filter {\n    name   = \"vpc_id\"\n    values = [\"vpc-1\"]\n  }\n}\n",
            "Invalid filter name", d!["does not take the filter \"vpc_id\"", "The filter 'vpc_id' is invalid", "`vpc-id`"], DS_EP, Attr("name")),
        case("data vpce_endpoint: filter without values", Validate,
            "data \"vpce_endpoint\" \"x\" {\n  filter {\n    name   = \"vpc-id\"\n    values = []\n  }\n}\n",
            "Invalid filter values", d!["1 to 200 values", "has 0"], DS_EP, Attr("values")),
        case("data vpce_endpoint: vpc_endpoint_ids holds a service id", Validate,
            "data \"vpce_endpoint\" \"x\" {\n  vpc_endpoint_ids = [\"vpce-svc-0123456789abcdef0\"]\n}\n",
            "Invalid VPC endpoint ID", d!["\"vpce-svc-0123456789abcdef0\" is not a VPC endpoint ID"], DS_EP, Attr("vpc_endpoint_ids")),
        case("data vpce_service: filter name DescribeVpcEndpointServices does not take", Validate,
            "data \"vpce_service\" \"x\" {\n  filter {\n    name   = \"vpc-endpoint-type\"\n    values = [\"Interface\"]\n  }\n}\n",
            "Invalid filter name", d!["DescribeVpcEndpointServices does not take the filter \"vpc-endpoint-type\"", "`service-type`"], DS_SVC, Attr("name")),
        case("data vpce_service: a service region that is not a region name", Validate,
            "data \"vpce_service\" \"x\" {\n  service         = \"s3\"\n  service_regions = [\"us-west-2\", \"US West\"]\n}\n",
            "Invalid service region", d!["\"US West\" is not an AWS region name"], DS_SVC, Attr("service_regions")),
        case("data vpce_service: service_regions a string", Validate,
            "data \"vpce_service\" \"x\" {\n  service         = \"s3\"\n  service_regions = \"us-west-2\"\n}\n",
            "Incorrect attribute value type", d!["set of string required"], DS_SVC, Attr("service_regions")),
        case("data vpce_service: tags a list", Validate,
            "data \"vpce_service\" \"x\" {\n  service = \"s3\"\n  tags    = [\"team\"]\n}\n",
            "Incorrect attribute value type", d!["map of string required"], DS_SVC, Attr("tags")),
        case("data vpce_service: tags no service carries", Plan,
            "data \"vpce_service\" \"x\" {\n  service = \"s3\"\n  tags    = { team = \"nobody\" }\n}\n",
            "Service not found", d!["EC2 lists no endpoint service named \"com.amazonaws.us-east-1.s3\" in us-east-1"], DS_SVC, Attr("service")),
        // ---------------- vpce_gateway ----------------
        case("gateway: vpc_id is a subnet id", Validate,
            "resource \"vpce_gateway\" \"x\" {\n  vpc_id       = \"subnet-0123456789abcdef0\"\n  service_name = \"s3\"\n}\n",
            "Invalid VPC ID", d!["\"subnet-0123456789abcdef0\" is not a VPC ID", "vpc-"], GW, Attr("vpc_id")),
        case("gateway: route table id with a vpc- prefix", Validate,
            gw("  route_table_ids = [\"vpc-0123456789abcdef0\"]"),
            "Invalid route table ID", d!["\"vpc-0123456789abcdef0\" is not a route table ID", "rtb-"], GW, Attr("route_table_ids")),
        case("gateway: short name of a service without gateway endpoints", Validate,
            "resource \"vpce_gateway\" \"x\" {\n  vpc_id       = \"vpc-0123456789abcdef0\"\n  service_name = \"ec2\"\n}\n",
            "Unsupported short service name", d!["\"ec2\" is not a Gateway endpoint service", "vpce_interface"], GW, Attr("service_name")),
        case("gateway: full name of an interface-only service", Plan,
            format!("resource \"vpce_gateway\" \"x\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"com.amazonaws.us-east-1.ec2\"\n}}\n"),
            "Service does not support Gateway endpoints", d!["com.amazonaws.us-east-1.ec2 supports Interface only", "vpce_interface"], GW, Attr("service_name")),
        case("gateway: service in another region", Plan,
            format!("resource \"vpce_gateway\" \"x\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"com.amazonaws.eu-west-1.s3\"\n}}\n"),
            "Service is in another region", d!["com.amazonaws.eu-west-1.s3", "eu-west-1", "configured for us-east-1", "com.amazonaws.us-east-1.s3"], GW, Attr("service_name")),
        case("gateway: route table of another VPC", Plan,
            gw(&format!("  route_table_ids = [\"{}\"]", w.b.route_tables[0])),
            "Route table is not in the VPC", d![&w.b.route_tables[0], &format!("belongs to {}", w.b.id), &format!("not to {a}")], GW, Attr("route_table_ids")),
        case("gateway: nonexistent route table", Plan,
            gw(&format!("  route_table_ids = [\"{missing_rtb}\", \"{}\"]", w.a.route_tables[0])),
            "Route table not found", d![&format!("Route table {missing_rtb} does not exist")], GW, Attr("route_table_ids")),
        case("gateway: nonexistent VPC", Plan,
            format!("resource \"vpce_gateway\" \"x\" {{\n  vpc_id       = \"{missing_vpc}\"\n  service_name = \"s3\"\n}}\n"),
            "VPC not found", d![&format!("VPC {missing_vpc} does not exist")], GW, Attr("vpc_id")),
        case("gateway: unknown full service name", Plan,
            format!("resource \"vpce_gateway\" \"x\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"com.amazonaws.us-east-1.nosuchservice\"\n}}\n"),
            "Unknown endpoint service", d!["com.amazonaws.us-east-1.nosuchservice is not an endpoint service in us-east-1"], GW, Attr("service_name")),
        case("gateway: policy that is not JSON", Validate,
            gw("  policy = \"{\\\"Statement\\\": [\""),
            "Invalid policy document", d!["not valid JSON"], GW, Attr("policy")),
        case("gateway: timeouts in words", Validate,
            gw("  timeouts {\n    create = \"10 minutes\"\n  }"),
            "Invalid timeout", d!["\"10 minutes\" is not a duration", "10m"], GW, Attr("create")),
        case("gateway: a string where a set is expected", Validate,
            gw("  route_table_ids = \"rtb-0123456789abcdef0\""),
            "Incorrect attribute value type", d!["set of string required"], GW, Attr("route_table_ids")),
        case("gateway: an interface-only argument", Validate,
            gw("  subnet_ids = [\"subnet-0123456789abcdef0\"]"),
            "Unsupported argument", d!["An argument named \"subnet_ids\" is not expected here"], GW, Attr("subnet_ids")),
        case("gateway: missing service_name", Validate,
            "resource \"vpce_gateway\" \"x\" {\n  vpc_id = \"vpc-0123456789abcdef0\"\n}\n",
            "Missing required argument", d!["The argument \"service_name\" is required"], GW, Header("resource \"vpce_gateway\" \"x\" {")),
        case("gateway: reserved tag key", Validate,
            gw("  tags = { \"aws:owner\" = \"me\" }"),
            "Invalid tag key", d!["\"aws:owner\"", "reserved"], GW, Attr("tags")),
        // ---------------- vpce_interface ----------------
        case("interface: subnet id with an sg- prefix", Validate,
            iface(a, "  subnet_ids = [\"sg-0123456789abcdef0\"]"),
            "Invalid subnet ID", d!["\"sg-0123456789abcdef0\" is not a subnet ID", "subnet-"], IF, Attr("subnet_ids")),
        case("interface: security group id with a subnet- prefix", Validate,
            iface(a, "  security_group_ids = [\"subnet-0123456789abcdef0\"]"),
            "Invalid security group ID", d!["\"subnet-0123456789abcdef0\" is not a security group ID", "sg-"], IF, Attr("security_group_ids")),
        case("interface: two subnets in one Availability Zone", Plan,
            iface(a, &format!("  subnet_ids = [\"{}\", \"{}\"]", w.a.subnets[0].id, w.extra_subnet)),
            "Several subnets in one Availability Zone", d![&w.a.subnets[0].id, &w.extra_subnet, &w.a.subnets[0].az], IF, Attr("subnet_ids")),
        case("interface: private DNS in a VPC without DNS hostnames", Plan,
            iface(a, "  private_dns_enabled = true"),
            "The VPC does not allow private DNS", d![&format!("VPC {a} has enableDnsHostnames = false"), "enable_dns_hostnames = true"], IF, Attr("private_dns_enabled")),
        case("interface: private DNS in a VPC without DNS support", Plan,
            iface(&w.b.id, "  private_dns_enabled = true"),
            "The VPC does not allow private DNS", d![&format!("VPC {} has enableDnsSupport = false", w.b.id), "enable_dns_support = true"], IF, Attr("private_dns_enabled")),
        case("interface: nonexistent subnet", Plan,
            iface(a, &format!("  subnet_ids = [\"{missing_subnet}\"]")),
            "Subnet not found", d![&format!("Subnet {missing_subnet} does not exist")], IF, Attr("subnet_ids")),
        case("interface: nonexistent security group", Plan,
            iface(a, &format!("  security_group_ids = [\"{missing_sg}\"]")),
            "Security group not found", d![&format!("Security group {missing_sg} does not exist")], IF, Attr("security_group_ids")),
        case("interface: security group of another VPC", Plan,
            iface(a, &format!("  security_group_ids = [\"{}\", \"{}\"]", w.a.security_groups[0], w.b.security_groups[0])),
            "Security group in another VPC", d![&w.b.security_groups[0], &format!("belongs to {}", w.b.id), &format!("not to {a}")], IF, Attr("security_group_ids")),
        case("interface: subnet of another VPC", Plan,
            iface(a, &format!("  subnet_ids = [\"{}\"]", w.b.subnets[0].id)),
            "Subnet in another VPC", d![&w.b.subnets[0].id, &format!("belongs to {}", w.b.id)], IF, Attr("subnet_ids")),
        case("interface: no such service", Plan,
            format!("resource \"vpce_interface\" \"x\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"com.amazonaws.us-east-1.nosuchservice\"\n}}\n"),
            "No such VPC endpoint service", d!["com.amazonaws.us-east-1.nosuchservice in us-east-1"], IF, Attr("service_name")),
        case("interface: service name of another region", Plan,
            format!("resource \"vpce_interface\" \"x\" {{\n  vpc_id       = \"{a}\"\n  service_name = \"com.amazonaws.eu-west-1.ssm\"\n}}\n"),
            "No such VPC endpoint service", d!["refers to region eu-west-1", "configured for us-east-1"], IF, Attr("service_name")),
        case("interface: bad dns_record_ip_type", Validate,
            iface(a, "  dns_options {\n    dns_record_ip_type = \"ipv5\"\n  }"),
            "Invalid dns_record_ip_type", d!["\"ipv5\" is not a valid dns_record_ip_type", "\"dualstack\""], IF, Attr("dns_record_ip_type")),
        case("interface: bad ip_address_type", Validate,
            iface(a, "  ip_address_type = \"ipv7\""),
            "Invalid ip_address_type", d!["\"ipv7\" is not a valid ip_address_type", "\"ipv4\""], IF, Attr("ip_address_type")),
        case("interface: policy that is a JSON array", Validate,
            iface(a, "  policy = jsonencode([{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }])"),
            "Invalid policy document", d!["must be a JSON object"], IF, Attr("policy")),
        case("interface: delete timeout without a unit", Validate,
            iface(a, "  timeouts {\n    delete = \"30\"\n  }"),
            "Invalid timeout", d!["\"30\" is not a duration"], IF, Attr("delete")),
        case("interface: a list where a bool is expected", Validate,
            iface(a, "  private_dns_enabled = [true]"),
            "Incorrect attribute value type", d!["bool required"], IF, Attr("private_dns_enabled")),
        case("interface: resolver-only DNS without private DNS", Validate,
            iface(a, "  private_dns_enabled = false\n  dns_options {\n    private_dns_only_for_inbound_resolver_endpoint = true\n  }"),
            "Private DNS is off", d!["needs private_dns_enabled = true"], IF, Attr("private_dns_only_for_inbound_resolver_endpoint")),
        // ---------------- vpce_gateway_load_balancer ----------------
        case("gwlb: two subnets", Validate,
            gwlb(&w.gwlb, &[s0, s1], ""),
            "Exactly one subnet", d!["takes exactly one subnet", "subnet_ids has 2", "one endpoint per zone"], GWLB, Attr("subnet_ids")),
        case("gwlb: security groups", Validate,
            gwlb(&w.gwlb, &[s0], &format!("  security_group_ids = [\"{}\"]", w.a.security_groups[0])),
            "Unsupported argument", d!["An argument named \"security_group_ids\" is not expected here"], GWLB, Attr("security_group_ids")),
        case("gwlb: a policy", Validate,
            gwlb(&w.gwlb, &[s0], "  policy = jsonencode({ Statement = [] })"),
            "Unsupported argument", d!["An argument named \"policy\" is not expected here"], GWLB, Attr("policy")),
        case("gwlb: subnet id with an sg- prefix", Validate,
            gwlb(&w.gwlb, &["sg-0123456789abcdef0"], ""),
            "Invalid subnet ID", d!["\"sg-0123456789abcdef0\" is not a subnet ID", "subnet-"], GWLB, Attr("subnet_ids")),
        case("gwlb: the service's id for its name", Validate,
            gwlb("vpce-svc-0123456789abcdef0", &[s0], ""),
            "Full service name needed", d!["com.amazonaws.vpce.REGION.vpce-svc-0123456789abcdef0"], GWLB, Attr("service_name")),
        case("gwlb: ipv6", Validate,
            gwlb(&w.gwlb, &[s0], "  ip_address_type = \"ipv6\""),
            "Invalid ip_address_type", d!["\"ipv6\" is not a valid ip_address_type", "\"dualstack\""], GWLB, Attr("ip_address_type")),
        case("gwlb: an interface service", Plan,
            gwlb("com.amazonaws.us-east-1.ssm", &[s0], ""),
            "Service does not offer Gateway Load Balancer endpoints", d!["com.amazonaws.us-east-1.ssm supports only Interface endpoints", "vpce_interface"], GWLB, Attr("service_name")),
        case("gwlb: no such service", Plan,
            gwlb("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", &[s0], ""),
            "No such VPC endpoint service", d!["There is no VPC endpoint service com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0 in us-east-1"], GWLB, Attr("service_name")),
        case("gwlb: subnet of another VPC", Plan,
            gwlb(&w.gwlb, &[&w.b.subnets[0].id], ""),
            "Subnet in another VPC", d![&w.b.subnets[0].id, &format!("belongs to {}", w.b.id), &format!("not to {a}")], GWLB, Attr("subnet_ids")),
        case("gwlb: subnet outside the load balancer's zones", Plan,
            gwlb(&w.gwlb, &[s1], ""),
            "Service not offered in the subnet's Availability Zone", d![s1, &w.a.subnets[1].az, &format!("offered only in {}", w.a.subnets[0].az)], GWLB, Attr("subnet_ids")),
        case("gwlb: nonexistent subnet", Plan,
            gwlb(&w.gwlb, &[missing_subnet], ""),
            "Subnet not found", d![&format!("Subnet {missing_subnet} does not exist")], GWLB, Attr("subnet_ids")),
        // ---------------- vpce_resource (vpce_service_network shares its checks) ----------------
        case("resource: a service network's ARN", Validate,
            res("arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg", ""),
            "Invalid resource configuration ARN", d!["does not name a resource configuration", "resourceconfiguration/rcfg-"], RES, Attr("resource_configuration_arn")),
        case("resource: empty security_group_ids", Validate,
            res(rc, "  security_group_ids = []"),
            "Empty security_group_ids", d!["leave the argument out"], RES, Attr("security_group_ids")),
        case("resource: a DNS preference without private DNS", Validate,
            res(rc, "  dns_options {\n    private_dns_preference = \"ALL_DOMAINS\"\n  }"),
            "Private DNS is off", d!["need private_dns_enabled = true"], RES, Attr("private_dns_preference")),
        case("resource: a service_name", Validate,
            res(rc, "  service_name = \"com.amazonaws.us-east-1.ssm\""),
            "Unsupported argument", d!["An argument named \"service_name\" is not expected here"], RES, Attr("service_name")),
        case("resource: subnet of another VPC", Plan,
            res(rc, &format!("  subnet_ids = [\"{}\"]", w.b.subnets[0].id)),
            "Subnet in another VPC", d![&w.b.subnets[0].id, &format!("belongs to {}", w.b.id)], RES, Attr("subnet_ids")),
        // ---------------- vpce_service_network ----------------
        case("service network: not an ARN", Validate,
            snw("sn-0123456789abcdefg", ""),
            "Invalid service network ARN", d!["\"sn-0123456789abcdefg\" is not the ARN of a VPC Lattice service network", "six parts of an ARN", "servicenetwork/sn-"], SNW, Attr("service_network_arn")),
        case("service network: an ARN of another service", Validate,
            snw("arn:aws:ec2:us-east-1:123456789012:servicenetwork/sn-0123456789abcdefg", ""),
            "Invalid service network ARN", d!["not a VPC Lattice ARN"], SNW, Attr("service_network_arn")),
        case("service network: a resource configuration's ARN", Validate,
            snw(rc, ""),
            "Invalid service network ARN", d!["does not name a service network", "servicenetwork/sn-"], SNW, Attr("service_network_arn")),
        case("service network: a policy", Validate,
            snw(sn_arn, "  policy = jsonencode({ Statement = [] })"),
            "Unsupported argument", d!["An argument named \"policy\" is not expected here"], SNW, Attr("policy")),
        case("service network: empty security_group_ids", Validate,
            snw(sn_arn, "  security_group_ids = []"),
            "Empty security_group_ids", d!["leave the argument out"], SNW, Attr("security_group_ids")),
        case("service network: domains with a preference that takes none", Validate,
            snw(sn_arn, "  private_dns_enabled = true\n  dns_options {\n    private_dns_preference        = \"ALL_DOMAINS\"\n    private_dns_specified_domains = [\"a.example.com\"]\n  }"),
            "Unexpected private_dns_specified_domains", d!["not to \"ALL_DOMAINS\""], SNW, Attr("private_dns_specified_domains")),
        case("service network: a service network of another region", Plan,
            snw(&sn_arn.replace("us-east-1", "eu-west-1"), ""),
            "The service network is in another region", d!["names region eu-west-1", "configured for us-east-1"], SNW, Attr("service_network_arn")),
        case("service network: nonexistent VPC", Plan,
            format!("resource \"vpce_service_network\" \"x\" {{\n  vpc_id              = \"{missing_vpc}\"\n  service_network_arn = \"{sn_arn}\"\n}}\n"),
            "VPC not found", d![&format!("VPC {missing_vpc} does not exist")], SNW, Attr("vpc_id")),
        // ---------------- vpce_subnet_association, vpce_security_group_association ----------------
        case("subnet association: subnet_id is a security group id", Validate,
            "resource \"vpce_subnet_association\" \"x\" {\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n  subnet_id       = \"sg-0123456789abcdef0\"\n}\n",
            "Invalid subnet ID", d!["\"sg-0123456789abcdef0\" is not a subnet ID", "subnet-"], SN, Attr("subnet_id")),
        case("subnet association: an endpoint service id", Validate,
            format!("resource \"vpce_subnet_association\" \"x\" {{\n  vpc_endpoint_id = \"vpce-svc-0123456789abcdef0\"\n  subnet_id       = \"{missing_subnet}\"\n}}\n"),
            "Invalid VPC endpoint ID", d!["is an endpoint service, not an endpoint", "vpce_interface.NAME.id"], SN, Attr("vpc_endpoint_id")),
        case("subnet association: endpoint that does not exist", Plan,
            format!("{user}resource \"vpce_subnet_association\" \"x\" {{\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n  subnet_id       = \"{}\"\n}}\n", w.a.subnets[0].id),
            "VPC endpoint not found", d!["VPC endpoint vpce-0123456789abcdef0 does not exist in us-east-1"], SN, Attr("vpc_endpoint_id")),
        case("security group association: security_group_id is a subnet id", Validate,
            format!("resource \"vpce_security_group_association\" \"x\" {{\n  vpc_endpoint_id   = \"vpce-0123456789abcdef0\"\n  security_group_id = \"{missing_subnet}\"\n}}\n"),
            "Invalid security group ID", d!["is not a security group ID", "sg-"], SG, Attr("security_group_id")),
        case("security group association: replace_default_association not a bool", Validate,
            format!("resource \"vpce_security_group_association\" \"x\" {{\n  vpc_endpoint_id             = \"vpce-0123456789abcdef0\"\n  security_group_id           = \"{missing_sg}\"\n  replace_default_association = \"maybe\"\n}}\n"),
            "Incorrect attribute value type", d!["a bool is required"], SG, Attr("replace_default_association")),
        // ---------------- vpce_policy, vpce_private_dns ----------------
        case("vpce_policy: a policy that is not JSON", Validate,
            "resource \"vpce_policy\" \"x\" {\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n  policy          = \"{nope\"\n}\n",
            "Invalid policy document", d!["not valid JSON"], POL, Attr("policy")),
        case("vpce_policy: an endpoint service id", Validate,
            "resource \"vpce_policy\" \"x\" {\n  vpc_endpoint_id = \"vpce-svc-0123456789abcdef0\"\n}\n",
            "Invalid VPC endpoint ID", d!["is an endpoint service, not an endpoint"], POL, Attr("vpc_endpoint_id")),
        case("vpce_policy: endpoint that does not exist", Plan,
            format!("{user}resource \"vpce_policy\" \"x\" {{\n  vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n}}\n"),
            "VPC endpoint not found", d!["VPC endpoint vpce-0123456789abcdef0 does not exist in us-east-1"], POL, Attr("vpc_endpoint_id")),
        case("vpce_private_dns: vpc_endpoint_id is a subnet id", Validate,
            format!("resource \"vpce_private_dns\" \"x\" {{\n  vpc_endpoint_id     = \"{missing_subnet}\"\n  private_dns_enabled = true\n}}\n"),
            "Invalid VPC endpoint ID", d!["is not a VPC endpoint ID", "vpce-"], DNS, Attr("vpc_endpoint_id")),
        case("vpce_private_dns: private_dns_enabled not a bool", Validate,
            "resource \"vpce_private_dns\" \"x\" {\n  vpc_endpoint_id     = \"vpce-0123456789abcdef0\"\n  private_dns_enabled = \"maybe\"\n}\n",
            "Incorrect attribute value type", d!["a bool is required"], DNS, Attr("private_dns_enabled")),
        // ---------------- vpce_connection_accepter ----------------
        case("vpce_connection_accepter: an endpoint id as the service", Validate,
            "resource \"vpce_connection_accepter\" \"x\" {\n  vpc_endpoint_service_id = \"vpce-0123456789abcdef0\"\n  vpc_endpoint_id         = \"vpce-0123456789abcdef0\"\n}\n",
            "Invalid VPC endpoint service ID", d!["is not a VPC endpoint service ID", "vpce-svc-"], ACC, Attr("vpc_endpoint_service_id")),
        case("vpce_connection_accepter: the service id as the endpoint", Validate,
            "resource \"vpce_connection_accepter\" \"x\" {\n  vpc_endpoint_service_id = \"vpce-svc-0123456789abcdef0\"\n  vpc_endpoint_id         = \"vpce-svc-0123456789abcdef0\"\n}\n",
            "Invalid VPC endpoint ID", d!["is an endpoint service, not an endpoint"], ACC, Attr("vpc_endpoint_id")),
        case("vpce_connection_accepter: no such connection", Plan,
            format!("{user}resource \"vpce_connection_accepter\" \"x\" {{\n  vpc_endpoint_service_id = \"vpce-svc-0123456789abcdef0\"\n  vpc_endpoint_id         = \"vpce-0123456789abcdef0\"\n}}\n"),
            "No connection to accept", d!["has no connection from vpce-0123456789abcdef0"], ACC, Attr("vpc_endpoint_id")),
        // ---------------- provider "vpce" ----------------
        Case {
            provider: provider_with(&format!("  region = \"US East 1\"\n  endpoints {{\n    ec2 = \"{}\"\n  }}", moto_url())),
            ..case("provider: bad region", Plan, &user, "Invalid region", d!["\"US East 1\" is not an AWS region name"], PROV, Attr("region"))
        },
        Case {
            provider: provider_with("  region = \"us-east-1\"\n  endpoints {\n    ec2 = \"localhost:5000\"\n  }"),
            ..case("provider: endpoint URL without a scheme", Plan, &user, "Invalid endpoint URL", d!["\"localhost:5000\" must be an http:// or https:// URL"], PROV, Attr("ec2"))
        },
        Case {
            provider: provider_with(&format!("  region      = \"us-east-1\"\n  max_retries = 0\n  endpoints {{\n    ec2 = \"{}\"\n  }}", moto_url())),
            ..case("provider: max_retries 0", Plan, &user, "Invalid max_retries", d!["from 1 to 100"], PROV, Attr("max_retries"))
        },
        Case {
            provider: provider_with(&format!("  region      = \"us-east-1\"\n  max_retries = 2.5\n  endpoints {{\n    ec2 = \"{}\"\n  }}", moto_url())),
            ..case("provider: fractional max_retries", Plan, &user, "Invalid max_retries", d!["whole number"], PROV, Attr("max_retries"))
        },
        Case {
            provider: provider_with(&format!("  region = \"us-east-1\"\n  regoin = \"us-east-2\"\n  endpoints {{\n    ec2 = \"{}\"\n  }}", moto_url())),
            ..case("provider: misspelt argument", Validate, &user, "Unsupported argument", d!["An argument named \"regoin\" is not expected here"], PROV, Attr("regoin"))
        },
    ]
}

#[test]
fn invalid_configurations_point_at_the_attribute() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let w = rt.block_on(world());
    let cases = cases(&w);
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::env::var("BAD_INPUT_THREADS").ok().and_then(|s| s.parse().ok()).unwrap_or(6usize);
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                if let Err(e) = run_case(c) {
                    failures.lock().unwrap().push(format!("[{}] {e}", c.name));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!("{} cases in {:?}", cases.len(), start.elapsed());
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// The output parser itself, on a diagnostic as Terraform prints it.
#[test]
fn diagnostic_parser_reads_terraform_output() {
    let out = r#"
Planning failed. Terraform encountered an error while generating this plan.

╷
│ Error: Invalid VPC ID
│
│   with vpce_gateway.x,
│   on main.tf line 14, in resource "vpce_gateway" "x":
│   14:   vpc_id       = "subnet-0123456789abcdef0"
│
│ "subnet-0123456789abcdef0" is not a VPC ID: those look like
│ "vpc-0123456789abcdef0".
╵
╷
│ Warning: Something
╵
"#;
    let d = diagnostics(out);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].summary, "Invalid VPC ID");
    assert_eq!(d[0].context.as_deref(), Some(r#"resource "vpce_gateway" "x""#));
    assert_eq!(d[0].line, Some(14));
    assert!(names_attr(d[0].source.as_deref().unwrap(), "vpc_id"));
    assert!(!names_attr(d[0].source.as_deref().unwrap(), "vpc"));
    assert!(d[0].text.contains("those look like \"vpc-0123456789abcdef0\""), "{}", d[0].text);
    assert_eq!(d[1].severity, "Warning");
}
