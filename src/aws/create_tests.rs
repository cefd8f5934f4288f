use std::time::Duration;

use aws_sdk_ec2::config::{BehaviorVersion, Region};

use super::*;

fn client() -> aws_sdk_ec2::Client {
    let conf = aws_sdk_ec2::Config::builder().behavior_version(BehaviorVersion::latest()).region(Region::new("us-east-1")).build();
    aws_sdk_ec2::Client::from_conf(conf)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

fn gateway(g: GatewaySpec) -> CreateSpec {
    CreateSpec { vpc_id: "vpc-1".into(), service: "com.amazonaws.us-east-1.s3".into(), endpoint: EndpointSpec::Gateway(g) }
}

fn interface(i: InterfaceSpec) -> CreateSpec {
    CreateSpec { vpc_id: "vpc-1".into(), service: "com.amazonaws.us-east-1.ssm".into(), endpoint: EndpointSpec::Interface(i) }
}

fn full_gateway() -> GatewaySpec {
    GatewaySpec {
        route_table_ids: strings(&["rtb-1", "rtb-2"]),
        policy: Some(POLICY.into()),
        ip_address_type: Some("dualstack".into()),
        dns_record_ip_type: Some("ipv4".into()),
    }
}

fn full_dns() -> DnsSpec {
    DnsSpec {
        dns_record_ip_type: Some("ipv4".into()),
        private_dns_only_for_inbound_resolver_endpoint: Some(false),
        private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS".into()),
        private_dns_specified_domains: strings(&["a.example.com", "b.example.com"]),
    }
}

fn full_interface() -> InterfaceSpec {
    InterfaceSpec {
        subnet_ids: strings(&["subnet-a", "subnet-b"]),
        security_group_ids: strings(&["sg-1"]),
        private_dns_enabled: false,
        ip_address_type: Some("ipv4".into()),
        dns: Some(full_dns()),
        policy: Some(POLICY.into()),
        subnet_configurations: vec![SubnetAddresses { subnet_id: "subnet-a".into(), ipv4: Some("10.0.0.10".into()), ipv6: None }],
        service_region: Some("us-west-2".into()),
    }
}

/// The values the code before `CreateSpec` computed for the same settings (markers written by
/// earlier versions must keep matching).
#[test]
fn fingerprints_are_pinned() {
    let gw = gateway(full_gateway());
    assert_eq!(gw.settings(), format!("Gateway|vpc-1|com.amazonaws.us-east-1.s3|rtb-1,rtb-2|{POLICY}|dualstack|ipv4"));
    assert_eq!(gw.fingerprint(), "bc08a9543e805715");
    assert_eq!(gateway(GatewaySpec::default()).fingerprint(), "524c74f02ed00458");

    let old = InterfaceSpec { subnet_configurations: vec![], service_region: None, ..full_interface() };
    assert_eq!(
        interface(old).settings(),
        format!(
            r#"Interface|vpc-1|com.amazonaws.us-east-1.ssm|subnet-a,subnet-b|sg-1|false|ipv4|Some(DnsOptionsSpecification {{ dns_record_ip_type: Some(Ipv4), private_dns_only_for_inbound_resolver_endpoint: Some(false), private_dns_preference: Some("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"), private_dns_specified_domains: Some(["a.example.com", "b.example.com"]) }})|{POLICY}"#
        )
    );
    assert_eq!(
        interface(InterfaceSpec { subnet_configurations: vec![], service_region: None, ..full_interface() }).fingerprint(),
        "43ec9f8caaa43bcd"
    );
    assert_eq!(interface(full_interface()).fingerprint(), "427d61d635781a73");
    assert!(interface(full_interface())
        .settings()
        .ends_with(r#"|[SubnetConfiguration { subnet_id: Some("subnet-a"), ipv4: Some("10.0.0.10"), ipv6: None }]|us-west-2"#));
    assert_eq!(interface(InterfaceSpec::default()).settings(), "Interface|vpc-1|com.amazonaws.us-east-1.ssm|||false||None|");
}

/// Every field of a spec changes both the request and the fingerprint: the marker covers all
/// that is sent. (The destructuring makes a new field a compile error here until it is listed.)
#[test]
fn the_fingerprint_covers_every_field_of_the_request() {
    let client = client();
    let check = |base: &CreateSpec, variants: Vec<(&str, CreateSpec)>| {
        let base_req = base.request(&client);
        for (field, v) in variants {
            assert_ne!(v, *base, "{field}: the variant is the base");
            assert_ne!(v.fingerprint(), base.fingerprint(), "{field} is not in the fingerprint");
            assert_ne!(v.request(&client).as_input(), base_req.as_input(), "{field} is not in the request");
        }
    };

    let GatewaySpec { route_table_ids, policy, ip_address_type, dns_record_ip_type } = full_gateway();
    let base = gateway(full_gateway());
    let g = |f: fn(&mut GatewaySpec)| {
        let mut s = full_gateway();
        f(&mut s);
        gateway(s)
    };
    check(
        &base,
        vec![
            ("vpc_id", CreateSpec { vpc_id: "vpc-2".into(), ..base.clone() }),
            ("service", CreateSpec { service: "com.amazonaws.us-east-1.dynamodb".into(), ..base.clone() }),
            ("type", interface(InterfaceSpec::default())),
            ("route_table_ids", g(|s| s.route_table_ids = vec!["rtb-1".into()])),
            ("route_table_ids (none)", g(|s| s.route_table_ids.clear())),
            ("policy", g(|s| s.policy = None)),
            ("ip_address_type", g(|s| s.ip_address_type = Some("ipv4".into()))),
            ("dns_record_ip_type", g(|s| s.dns_record_ip_type = Some("dualstack".into()))),
        ],
    );
    let input = base.request(&client);
    let input = input.as_input();
    assert_eq!(input.get_vpc_endpoint_type(), &Some(VpcEndpointType::Gateway));
    assert_eq!(input.get_route_table_ids().as_ref(), Some(&route_table_ids));
    assert_eq!(input.get_policy_document(), &policy);
    assert_eq!(input.get_ip_address_type().as_ref().map(|t| t.as_str().to_string()), ip_address_type);
    let record = input.get_dns_options().as_ref().and_then(|d| d.dns_record_ip_type()).map(|t| t.as_str().to_string());
    assert_eq!(record, dns_record_ip_type);

    let InterfaceSpec {
        subnet_ids,
        security_group_ids,
        private_dns_enabled,
        ip_address_type,
        dns,
        policy,
        subnet_configurations,
        service_region,
    } = full_interface();
    let DnsSpec {
        dns_record_ip_type,
        private_dns_only_for_inbound_resolver_endpoint,
        private_dns_preference,
        private_dns_specified_domains,
    } = full_dns();
    let base = interface(full_interface());
    let i = |f: fn(&mut InterfaceSpec)| {
        let mut s = full_interface();
        f(&mut s);
        interface(s)
    };
    let d = |f: fn(&mut DnsSpec)| {
        let mut s = full_interface();
        f(s.dns.as_mut().unwrap());
        interface(s)
    };
    check(
        &base,
        vec![
            ("vpc_id", CreateSpec { vpc_id: "vpc-2".into(), ..base.clone() }),
            ("service", CreateSpec { service: "com.amazonaws.us-east-1.ec2".into(), ..base.clone() }),
            ("type", gateway(GatewaySpec::default())),
            ("subnet_ids", i(|s| s.subnet_ids = vec!["subnet-a".into()])),
            ("security_group_ids", i(|s| s.security_group_ids.clear())),
            ("private_dns_enabled", i(|s| s.private_dns_enabled = true)),
            ("ip_address_type", i(|s| s.ip_address_type = Some("dualstack".into()))),
            ("dns", i(|s| s.dns = None)),
            ("dns.dns_record_ip_type", d(|s| s.dns_record_ip_type = Some("dualstack".into()))),
            ("dns.private_dns_only_for_inbound_resolver_endpoint", d(|s| s.private_dns_only_for_inbound_resolver_endpoint = Some(true))),
            ("dns.private_dns_preference", d(|s| s.private_dns_preference = Some("ALL_DOMAINS".into()))),
            ("dns.private_dns_specified_domains", d(|s| s.private_dns_specified_domains.clear())),
            ("policy", i(|s| s.policy = None)),
            ("subnet_configurations", i(|s| s.subnet_configurations.clear())),
            ("subnet_configurations.subnet_id", i(|s| s.subnet_configurations[0].subnet_id = "subnet-b".into())),
            ("subnet_configurations.ipv4", i(|s| s.subnet_configurations[0].ipv4 = Some("10.0.0.11".into()))),
            ("subnet_configurations.ipv6", i(|s| s.subnet_configurations[0].ipv6 = Some("2001:db8::1".into()))),
            ("service_region", i(|s| s.service_region = Some("eu-west-1".into()))),
        ],
    );
    let req = base.request(&client);
    let input = req.as_input();
    assert_eq!(input.get_vpc_endpoint_type(), &Some(VpcEndpointType::Interface));
    assert_eq!(input.get_vpc_id().as_deref(), Some("vpc-1"));
    assert_eq!(input.get_service_name().as_deref(), Some("com.amazonaws.us-east-1.ssm"));
    assert_eq!(input.get_subnet_ids().as_ref(), Some(&subnet_ids));
    assert_eq!(input.get_security_group_ids().as_ref(), Some(&security_group_ids));
    assert_eq!(input.get_private_dns_enabled(), &Some(private_dns_enabled));
    assert_eq!(input.get_ip_address_type().as_ref().map(|t| t.as_str().to_string()), ip_address_type);
    assert!(dns.is_some());
    let sent = input.get_dns_options().clone().expect("dns options");
    assert_eq!(sent.dns_record_ip_type().map(|t| t.as_str().to_string()), dns_record_ip_type);
    assert_eq!(sent.private_dns_only_for_inbound_resolver_endpoint(), private_dns_only_for_inbound_resolver_endpoint);
    assert_eq!(sent.private_dns_preference().map(str::to_string), private_dns_preference);
    assert_eq!(sent.private_dns_specified_domains(), private_dns_specified_domains.as_slice());
    assert_eq!(input.get_policy_document(), &policy);
    let configs: Vec<SubnetAddresses> = input
        .get_subnet_configurations()
        .iter()
        .flatten()
        .map(|c| SubnetAddresses {
            subnet_id: c.subnet_id().unwrap_or_default().to_string(),
            ipv4: c.ipv4().map(str::to_string),
            ipv6: c.ipv6().map(str::to_string),
        })
        .collect();
    assert_eq!(configs, subnet_configurations);
    assert_eq!(input.get_service_region(), &service_region);
}

/// A Gateway Load Balancer endpoint's create: its one subnet and IP address type, in the request
/// and the fingerprint, and nothing an interface endpoint sends beyond them (no private DNS flag).
#[test]
fn a_gateway_load_balancer_create() {
    let client = client();
    let gwlb = |g: GatewayLoadBalancerSpec| CreateSpec {
        vpc_id: "vpc-1".into(),
        service: "com.amazonaws.vpce.us-east-1.vpce-svc-1".into(),
        endpoint: EndpointSpec::GatewayLoadBalancer(g),
    };
    let full = || GatewayLoadBalancerSpec { subnet_ids: strings(&["subnet-a"]), ip_address_type: Some("dualstack".into()) };
    let GatewayLoadBalancerSpec { subnet_ids, ip_address_type } = full();
    let base = gwlb(full());
    assert_eq!(base.settings(), "GatewayLoadBalancer|vpc-1|com.amazonaws.vpce.us-east-1.vpce-svc-1|subnet-a|dualstack");
    for (field, v) in [
        ("subnet_ids", gwlb(GatewayLoadBalancerSpec { subnet_ids: strings(&["subnet-b"]), ..full() })),
        ("ip_address_type", gwlb(GatewayLoadBalancerSpec { ip_address_type: None, ..full() })),
    ] {
        assert_ne!(v.fingerprint(), base.fingerprint(), "{field} is not in the fingerprint");
        assert_ne!(v.request(&client).as_input(), base.request(&client).as_input(), "{field} is not in the request");
    }
    let req = base.request(&client);
    let input = req.as_input();
    assert_eq!(input.get_vpc_endpoint_type(), &Some(VpcEndpointType::GatewayLoadBalancer));
    assert_eq!(input.get_subnet_ids().as_ref(), Some(&subnet_ids));
    assert_eq!(input.get_ip_address_type().as_ref().map(|t| t.as_str().to_string()), ip_address_type);
    assert_eq!(input.get_private_dns_enabled(), &None, "EC2 refuses private DNS for this type");
    assert!(input.get_security_group_ids().is_none() && input.get_policy_document().is_none());
}

/// A Resource or ServiceNetwork endpoint's create names its Lattice target by its ARN, never a
/// service name, and sends private DNS explicitly.
#[test]
fn a_lattice_create() {
    let client = client();
    let arn = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdefg";
    let full = || LatticeSpec {
        subnet_ids: strings(&["subnet-a"]),
        security_group_ids: strings(&["sg-1"]),
        private_dns_enabled: true,
        ip_address_type: Some("ipv4".into()),
        dns: Some(DnsSpec { private_dns_preference: Some("ALL_DOMAINS".into()), ..Default::default() }),
    };
    let spec = |e: EndpointSpec| CreateSpec { vpc_id: "vpc-1".into(), service: arn.into(), endpoint: e };
    let base = spec(EndpointSpec::Resource(full()));
    assert!(base.settings().starts_with(&format!("Resource|vpc-1|{arn}|subnet-a|sg-1|true|ipv4|Some(")), "{}", base.settings());
    let req = base.request(&client);
    let input = req.as_input();
    assert_eq!(input.get_vpc_endpoint_type(), &Some(VpcEndpointType::Resource));
    assert_eq!(input.get_resource_configuration_arn().as_deref(), Some(arn));
    assert_eq!((input.get_service_name(), input.get_service_network_arn()), (&None, &None));
    assert_eq!(input.get_private_dns_enabled(), &Some(true));
    assert_eq!(input.get_dns_options().as_ref().and_then(|d| d.private_dns_preference()), Some("ALL_DOMAINS"));
    let sn = spec(EndpointSpec::ServiceNetwork(full()));
    assert_ne!(sn.fingerprint(), base.fingerprint());
    let req = sn.request(&client);
    assert_eq!(req.as_input().get_service_network_arn().as_deref(), Some(arn));
    assert_eq!(req.as_input().get_resource_configuration_arn(), &None);
    for (field, v) in [
        ("subnet_ids", LatticeSpec { subnet_ids: vec![], ..full() }),
        ("security_group_ids", LatticeSpec { security_group_ids: vec![], ..full() }),
        ("private_dns_enabled", LatticeSpec { private_dns_enabled: false, ..full() }),
        ("ip_address_type", LatticeSpec { ip_address_type: None, ..full() }),
        ("dns", LatticeSpec { dns: None, ..full() }),
    ] {
        let v = spec(EndpointSpec::Resource(v));
        assert_ne!(v.fingerprint(), base.fingerprint(), "{field} is not in the fingerprint");
        assert_ne!(v.request(&client).as_input(), base.request(&client).as_input(), "{field} is not in the request");
    }
}

#[test]
fn a_modify_sends_what_its_spec_says() {
    let client = client();
    let empty = ModifySpec::default();
    assert!(empty.is_empty());
    let base_req = empty.request(&client, "vpce-1");
    assert_eq!(base_req.as_input().get_vpc_endpoint_id().as_deref(), Some("vpce-1"));
    let one = strings(&["x-1"]);
    let variants = [
        ("add_route_table_ids", ModifySpec { add_route_table_ids: one.clone(), ..ModifySpec::default() }),
        ("remove_route_table_ids", ModifySpec { remove_route_table_ids: one.clone(), ..ModifySpec::default() }),
        ("add_subnet_ids", ModifySpec { add_subnet_ids: one.clone(), ..ModifySpec::default() }),
        ("remove_subnet_ids", ModifySpec { remove_subnet_ids: one.clone(), ..ModifySpec::default() }),
        ("add_security_group_ids", ModifySpec { add_security_group_ids: one.clone(), ..ModifySpec::default() }),
        ("remove_security_group_ids", ModifySpec { remove_security_group_ids: one.clone(), ..ModifySpec::default() }),
        (
            "subnet_configurations",
            ModifySpec {
                subnet_configurations: vec![SubnetAddresses { subnet_id: "subnet-a".into(), ..Default::default() }],
                ..ModifySpec::default()
            },
        ),
        ("private_dns_enabled", ModifySpec { private_dns_enabled: Some(false), ..ModifySpec::default() }),
        ("ip_address_type", ModifySpec { ip_address_type: Some("ipv4".into()), ..ModifySpec::default() }),
        ("dns", ModifySpec { dns: Some(full_dns()), ..ModifySpec::default() }),
        ("policy", ModifySpec { policy: Some(PolicyChange::Set(POLICY.into())), ..ModifySpec::default() }),
        ("reset_policy", ModifySpec { policy: Some(PolicyChange::Reset), ..ModifySpec::default() }),
    ];
    let mut seen = Vec::new();
    for (field, spec) in variants {
        assert!(!spec.is_empty(), "{field}");
        let input = spec.request(&client, "vpce-1").as_input().clone();
        assert_ne!(&input, base_req.as_input(), "{field} is not sent");
        assert!(!seen.contains(&input), "{field} sends what another field sends");
        seen.push(input);
    }
    let reset = ModifySpec { policy: Some(PolicyChange::Reset), ..ModifySpec::default() }.request(&client, "vpce-1");
    assert_eq!(reset.as_input().get_reset_policy(), &Some(true));
}

#[test]
fn what_is_retried() {
    assert!(retryable(&AwsError::new("CreateVpcEndpoint", None, "connection reset")));
    assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("InternalError"), "x")));
    assert!(retryable(&AwsError::new("CreateVpcEndpoint", Some("RequestLimitExceeded"), "x")));
    assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("InvalidParameter"), "x")));
    assert!(!retryable(&AwsError::new("CreateVpcEndpoint", Some("RouteAlreadyExists"), "x")));
    let refused = AwsError { not_sent: true, ..AwsError::new("CreateVpcEndpoint", None, "Connection refused") };
    assert!(!retryable(&refused));
    for _ in 0..100 {
        let j = jitter(Duration::from_secs(4));
        assert!(j >= Duration::from_secs(3) && j <= Duration::from_secs(5), "{j:?}");
    }
}
