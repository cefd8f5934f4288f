//! Pins the creation-marker fingerprint: the settings string the create spec of given plans
//! yields (after the type, VPC and service), and its fingerprint. Existing markers must keep
//! matching, whatever the code shape. (`aws::create`'s tests pin the spec's own format.)

use super::super::gateway::{Gateway, GatewayDnsOptions, GatewayModel};
use super::super::gateway_load_balancer::{GatewayLoadBalancer, GatewayLoadBalancerModel};
use super::super::interface::{Interface, InterfaceDnsOptions, InterfaceModel, SubnetConfiguration};
use super::*;
use crate::aws;
use crate::protocol::model::Set;

fn s(v: &str) -> Val<String> {
    Val::Known(v.to_string())
}
fn set(v: &[&str]) -> Val<Set<String>> {
    Val::Known(Set(v.iter().map(|x| s(x)).collect()))
}

async fn ctx() -> Ctx {
    let cfg = aws::Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some("http://127.0.0.1:9".into()), ..Default::default() };
    Ctx::new(aws::connect(cfg).await.unwrap(), tokio_util::sync::CancellationToken::new())
}

async fn settings<E: Endpoint>(e: &E, ctx: &Ctx, planned: &E::Model) -> String {
    let mut diags = Diagnostics::new();
    let endpoint = e.create_spec(ctx, planned, planned, &mut diags).await.expect("a request");
    assert!(!diags.has_errors(), "{diags:?}");
    let service = match endpoint {
        aws::EndpointSpec::Gateway(_) => "com.amazonaws.us-east-1.s3",
        aws::EndpointSpec::Interface(_) => "com.amazonaws.us-east-1.ssm",
        aws::EndpointSpec::GatewayLoadBalancer(_) => "com.amazonaws.vpce.us-east-1.vpce-svc-1",
        aws::EndpointSpec::Resource(_) | aws::EndpointSpec::ServiceNetwork(_) => "arn:aws:vpc-lattice:us-east-1:123456789012:x/y",
    };
    let spec = aws::CreateSpec { vpc_id: "vpc-1".into(), service: service.into(), endpoint };
    let head = format!("{}|vpc-1|{service}|", E::EC2_TYPE);
    let settings = spec.settings();
    assert!(settings.starts_with(&head), "{settings}");
    assert_eq!(spec.fingerprint(), aws::fingerprint(&settings));
    settings[head.len()..].to_string()
}

#[tokio::test]
async fn fingerprints_are_pinned() {
    let ctx = ctx().await;
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    let gw = GatewayModel {
        route_table_ids: set(&["rtb-2", "rtb-1"]),
        policy: s(policy),
        ip_address_type: s("dualstack"),
        dns_options: Val::Known(GatewayDnsOptions { dns_record_ip_type: s("ipv4") }),
        ..Default::default()
    };
    let got = settings(&Gateway::new(), &ctx, &gw).await;
    assert_eq!(got, r#"rtb-1,rtb-2|{"Version":"2012-10-17","Statement":[]}|dualstack|ipv4"#);
    let full = format!("Gateway|vpc-1|com.amazonaws.us-east-1.s3|{got}");
    assert_eq!(aws::fingerprint(&full), "bc08a9543e805715");
    let got = settings(&Gateway::new(), &ctx, &GatewayModel::default()).await;
    assert_eq!(got, "|||");
    assert_eq!(aws::fingerprint(&format!("Gateway|vpc-1|com.amazonaws.us-east-1.s3|{got}")), "524c74f02ed00458");

    let mut ifc = InterfaceModel {
        subnet_ids: set(&["subnet-b", "subnet-a"]),
        security_group_ids: set(&["sg-1"]),
        private_dns_enabled: Val::Known(false),
        ip_address_type: s("ipv4"),
        policy: s(policy),
        dns_options: Val::Known(InterfaceDnsOptions {
            dns_record_ip_type: s("ipv4"),
            private_dns_only_for_inbound_resolver_endpoint: Val::Known(false),
            private_dns_preference: s("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"),
            private_dns_specified_domains: set(&["b.example.com", "a.example.com"]),
        }),
        ..Default::default()
    };
    let got = settings(&Interface::new(), &ctx, &ifc).await;
    assert_eq!(
        got,
        r#"subnet-a,subnet-b|sg-1|false|ipv4|Some(DnsOptionsSpecification { dns_record_ip_type: Some(Ipv4), private_dns_only_for_inbound_resolver_endpoint: Some(false), private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"), private_dns_specified_domains: Some(["a.example.com", "b.example.com"]) })|{"Version":"2012-10-17","Statement":[]}"#
    );
    assert_eq!(aws::fingerprint(&format!("Interface|vpc-1|com.amazonaws.us-east-1.ssm|{got}")), "43ec9f8caaa43bcd");
    ifc.subnet_configuration =
        Val::Known(Set(vec![Val::Known(SubnetConfiguration { subnet_id: s("subnet-a"), ipv4: s("10.0.0.10"), ipv6: Val::Null })]));
    ifc.service_region = s("us-west-2");
    let got = settings(&Interface::new(), &ctx, &ifc).await;
    assert_eq!(
        got,
        r#"subnet-a,subnet-b|sg-1|false|ipv4|Some(DnsOptionsSpecification { dns_record_ip_type: Some(Ipv4), private_dns_only_for_inbound_resolver_endpoint: Some(false), private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"), private_dns_specified_domains: Some(["a.example.com", "b.example.com"]) })|{"Version":"2012-10-17","Statement":[]}|[SubnetConfiguration { subnet_id: Some("subnet-a"), ipv4: Some("10.0.0.10"), ipv6: None }]|us-west-2"#
    );
    assert_eq!(aws::fingerprint(&format!("Interface|vpc-1|com.amazonaws.us-east-1.ssm|{got}")), "427d61d635781a73");
    let got = settings(&Interface::new(), &ctx, &InterfaceModel::default()).await;
    assert_eq!(got, "||false||None|");

    let gwlb = GatewayLoadBalancerModel { subnet_ids: set(&["subnet-a"]), ip_address_type: s("dualstack"), ..Default::default() };
    let got = settings(&GatewayLoadBalancer::new(), &ctx, &gwlb).await;
    assert_eq!(got, "subnet-a|dualstack");
    assert_eq!(settings(&GatewayLoadBalancer::new(), &ctx, &GatewayLoadBalancerModel::default()).await, "|");
}
