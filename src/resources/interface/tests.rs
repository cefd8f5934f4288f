use aws_sdk_ec2::types::{DnsEntry as Ec2DnsEntry, DnsOptions, DnsRecordIpType, SecurityGroupIdentifier, State, VpcEndpointType};
use tokio_util::sync::CancellationToken;

use super::checks::{private_dns_error, Checks};
use super::plan::checks_for;
use super::state::state_from_endpoint;
use super::validate::{check_address_in_cidr, validate_config};
use super::*;
use crate::checks::attr_path;
use crate::protocol::model::Field;
use crate::protocol::resource::{ApplyRequest, PlanRequest, Resource};
use crate::protocol::schema::Nesting;
use crate::protocol::typed::Typed;
use crate::protocol::values::{Type, Value};
use crate::resources::endpoint::plan_values;

const REGION: &str = "us-east-1";
const SSM: &str = "com.amazonaws.us-east-1.ssm";

fn s(v: &str) -> Val<String> {
    Val::Known(v.to_string())
}

fn set(items: &[&str]) -> Val<Set<String>> {
    Val::Known(items.iter().map(|i| i.to_string()).collect())
}

fn with(m: &InterfaceModel, f: impl FnOnce(&mut InterfaceModel)) -> InterfaceModel {
    let mut m = m.clone();
    f(&mut m);
    m
}

fn config(f: impl FnOnce(&mut InterfaceModel)) -> InterfaceModel {
    with(&InterfaceModel { vpc_id: s("vpc-1"), service_name: s(SSM), ..Default::default() }, f)
}

/// A state as an apply would leave it.
fn state() -> InterfaceModel {
    InterfaceModel {
        id: s("vpce-1"),
        arn: s("arn:aws:ec2:us-east-1:123:vpc-endpoint/vpce-1"),
        vpc_id: s("vpc-1"),
        service_name: s(SSM),
        subnet_ids: set(&["subnet-a"]),
        security_group_ids: set(&["sg-a"]),
        private_dns_enabled: Val::Known(false),
        ip_address_type: s("ipv4"),
        policy: s(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#),
        tags: Val::Known(Map::default()),
        state: s("available"),
        dns_entry: Val::Known([DnsEntry { dns_name: s("x"), hosted_zone_id: s("Z") }].into_iter().collect()),
        network_interface_ids: set(&["eni-1"]),
        owner_id: s("123"),
        requester_managed: Val::Known(false),
        dns_options: Val::Null,
        tags_all: Val::Known(Map::default()),
        service_region: Val::Null,
        auto_accept: Val::Null,
        subnet_configuration: Val::Null,
        timeouts: Val::Null,
    }
}

/// What Terraform proposes: the config, with computed attributes the config leaves null
/// taken from the prior state.
fn proposed(prior: Option<&InterfaceModel>, config: &InterfaceModel) -> Value {
    let (prior, config) = (prior.map(Field::to_value).unwrap_or_default(), config.to_value());
    let mut p = config.as_map().cloned().unwrap_or_default();
    for a in InterfaceModel::block().attributes.iter().filter(|a| a.computed) {
        if config.get(a.name).is_null() {
            p.insert(a.name.to_string(), prior.get(a.name).clone());
        }
    }
    Value::Object(p)
}

fn plan_for(prior: Option<&InterfaceModel>, config: &InterfaceModel) -> (InterfaceModel, Vec<Vec<PathStep>>) {
    let req = PlanRequest {
        prior: prior.map(Field::to_value).unwrap_or_default(),
        proposed: proposed(prior, config),
        config: config.to_value(),
        prior_private: Vec::new(),
    };
    let mut diags = Diagnostics::new();
    let p = plan_values(&Interface::new(), REGION, &req, &mut diags).expect("a plan");
    assert!(!diags.has_errors(), "{diags:?}");
    (p.planned, p.replace)
}

fn paths(d: &Diagnostics) -> Vec<String> {
    d.0.iter().map(|d| d.path.as_ref().map(|p| crate::protocol::values::format_path(p)).unwrap_or_default()).collect()
}

#[test]
fn import_reads_back_only_configured_dns_options() {
    use super::state::configured_dns_options;
    use aws_sdk_ec2::types::IpAddressType;
    let ep = |ip: IpAddressType, d: DnsOptions, service: &str, private_dns: bool| {
        VpcEndpoint::builder().ip_address_type(ip).dns_options(d).service_name(service).private_dns_enabled(private_dns).build()
    };
    let record = |r: DnsRecordIpType| DnsOptions::builder().dns_record_ip_type(r).build();
    let ssm = "com.amazonaws.us-east-1.ssm";
    // What a create without the block gets: no block.
    assert!(!configured_dns_options(&ep(IpAddressType::Ipv4, record(DnsRecordIpType::Ipv4), ssm, true)));
    assert!(!configured_dns_options(&ep(IpAddressType::Dualstack, record(DnsRecordIpType::Dualstack), ssm, true)));
    let s3 = "com.amazonaws.us-east-1.s3";
    let inbound =
        DnsOptions::builder().dns_record_ip_type(DnsRecordIpType::Ipv4).private_dns_only_for_inbound_resolver_endpoint(true).build();
    assert!(!configured_dns_options(&ep(IpAddressType::Ipv4, inbound.clone(), s3, true)), "EC2's own default for S3");
    // Configured options: the block.
    assert!(configured_dns_options(&ep(IpAddressType::Dualstack, record(DnsRecordIpType::Ipv4), ssm, true)));
    assert!(configured_dns_options(&ep(IpAddressType::Ipv4, inbound, ssm, true)));
    let preference = DnsOptions::builder().private_dns_preference("VERIFIED_DOMAINS_ONLY").build();
    assert!(configured_dns_options(&ep(IpAddressType::Ipv4, preference, ssm, true)));
}

#[test]
fn schema_is_the_interfaces() {
    let b = Interface::new().schema.block;
    assert_eq!(b.attributes.len(), 18);
    let forced: Vec<&str> = b.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
    assert_eq!(forced, ["vpc_id", "service_name", "service_region"]);
    let tags_all = b.attribute("tags_all").unwrap();
    assert!(tags_all.computed && !tags_all.optional);
    let blocks: Vec<(&str, Nesting)> = b.blocks.iter().map(|b| (b.name, b.nesting)).collect();
    assert_eq!(blocks, [("dns_options", Nesting::Single), ("subnet_configuration", Nesting::Set), ("timeouts", Nesting::Single)]);
    let auto_accept = b.attribute("auto_accept").unwrap();
    assert!(auto_accept.optional && !auto_accept.computed, "never read back");
    assert!(b.description.contains("privately. Interface endpoints are billed"), "{}", b.description);
    let dns_entry = b.attribute("dns_entry").unwrap();
    assert!(dns_entry.computed && !dns_entry.optional);
    let entry = Type::Object([("dns_name".to_string(), Type::String), ("hosted_zone_id".to_string(), Type::String)].into_iter().collect());
    assert_eq!(dns_entry.ty(), Type::List(Box::new(entry)));
    let dns = &b.blocks[0].block;
    let forced: Vec<&str> = dns.attributes.iter().filter(|a| a.replace.is_some()).map(|a| a.name).collect();
    assert_eq!(forced, ["private_dns_preference", "private_dns_specified_domains"]);
}

#[test]
fn static_validation_points_at_attributes() {
    let c = config(|c| {
        c.ip_address_type = s("ipv5");
        c.dns_options = Val::Known(InterfaceDnsOptions {
            dns_record_ip_type: s("ipv9"),
            private_dns_only_for_inbound_resolver_endpoint: Val::Known(true),
            ..Default::default()
        });
        c.subnet_ids = set(&["subnet-1", "sn-2"]);
    });
    // As the typed adapter validates: the model's declared checks, then the resource's.
    let mut d = Diagnostics::new();
    c.check_declared(&[], &mut d);
    d.extend(validate_config(&c));
    let p = paths(&d);
    assert_eq!(d.0.len(), 4, "{d:?}");
    assert!(p.iter().any(|p| p.contains("ip_address_type")), "{p:?}");
    assert!(p.iter().any(|p| p.contains("dns_record_ip_type")), "{p:?}");
    assert!(p.iter().any(|p| p.contains("private_dns_only_for_inbound_resolver_endpoint")), "{p:?}");
    assert!(p.iter().any(|p| p.contains("subnet_ids")), "{p:?}");
    // Unknown values are not judged.
    let c = config(|c| {
        c.ip_address_type = Val::unknown();
        c.vpc_id = Val::unknown();
    });
    assert!(validate_config(&c).is_empty());
    // Resolver-only DNS with private DNS on is fine.
    let c = config(|c| {
        c.private_dns_enabled = Val::Known(true);
        c.dns_options =
            Val::Known(InterfaceDnsOptions { private_dns_only_for_inbound_resolver_endpoint: Val::Known(true), ..Default::default() });
    });
    assert!(validate_config(&c).is_empty());
    // Specified domains go with a ..._SPECIFIED_DOMAINS preference.
    let c = config(|c| {
        c.dns_options = Val::Known(InterfaceDnsOptions { private_dns_preference: s("SPECIFIED_DOMAINS_ONLY"), ..Default::default() })
    });
    assert_eq!(validate_config(&c).0[0].summary, "Missing private_dns_specified_domains");
}

#[test]
fn create_plans_private_dns_false_and_computed_unknown() {
    let (planned, replace) = plan_for(None, &config(|_| {}));
    assert!(replace.is_empty());
    assert_eq!(planned.private_dns_enabled, Val::Known(false));
    for (attr, known) in [
        ("id", planned.id.is_known()),
        ("arn", planned.arn.is_known()),
        ("state", planned.state.is_known()),
        ("subnet_ids", planned.subnet_ids.is_known()),
        ("security_group_ids", planned.security_group_ids.is_known()),
        ("policy", planned.policy.is_known()),
        ("ip_address_type", planned.ip_address_type.is_known()),
        ("dns_entry", planned.dns_entry.is_known()),
        ("owner_id", planned.owner_id.is_known()),
    ] {
        assert!(!known, "{attr} unknown on create");
    }
    assert!(planned.dns_options.is_null(), "no block configured, none planned");
    // A block with one attribute set: the others are computed.
    let c = config(|c| c.dns_options = Val::Known(InterfaceDnsOptions { dns_record_ip_type: s("ipv4"), ..Default::default() }));
    let (planned, _) = plan_for(None, &c);
    assert_eq!(planned.dns().dns_record_ip_type, s("ipv4"));
    assert!(planned.dns().private_dns_only_for_inbound_resolver_endpoint.is_unknown());
    assert_eq!(planned.tags, Val::Known(Map::default()), "no tags: planned empty");
}

#[test]
fn update_plans() {
    let prior = state();
    let base = config(|c| {
        c.subnet_ids = set(&["subnet-a"]);
        c.security_group_ids = set(&["sg-a"]);
    });

    // Nothing changed: the plan is the prior state.
    let (planned, replace) = plan_for(Some(&prior), &base);
    assert!(replace.is_empty());
    assert_eq!(planned, prior);
    assert_eq!(checks_for(Some(&prior), &planned, false), Checks::default(), "no EC2 checks for a no-op");

    // A reformatted policy keeps the prior string.
    let c = with(&base, |c| {
        c.policy = s("{ \"Statement\": [ {\"Resource\":\"*\",\"Action\":[\"*\"],\"Principal\":\"*\",\"Effect\":\"Allow\"} ] }")
    });
    let (planned, _) = plan_for(Some(&prior), &c);
    assert_eq!(planned, prior);

    // The short service name is the same service: no replacement, no change (the prior
    // spelling stays).
    let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.service_name = s("ssm")));
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(planned, prior);

    // Another VPC replaces; everything computed is new.
    let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.vpc_id = s("vpc-2")));
    assert_eq!(replace, vec![vec![PathStep::Attr("vpc_id".into())]]);
    assert!(planned.id.is_unknown() && planned.network_interface_ids.is_unknown());
    assert_eq!(checks_for(Some(&prior), &planned, true), Checks::all());

    // New subnet: its network interfaces and DNS names change; the subnets are checked.
    let (planned, replace) = plan_for(Some(&prior), &with(&base, |c| c.subnet_ids = set(&["subnet-a", "subnet-b"])));
    assert!(replace.is_empty());
    assert!(planned.network_interface_ids.is_unknown() && planned.dns_entry.is_unknown());
    assert_eq!(planned.id, prior.id);
    let checks = checks_for(Some(&prior), &planned, false);
    assert!(checks.subnets && !checks.groups && !checks.private_dns && !checks.service);

    // Tags only: nothing recomputed, nothing checked.
    let (planned, _) =
        plan_for(Some(&prior), &with(&base, |c| c.tags = Val::Known([("a".to_string(), "b".to_string())].into_iter().collect())));
    assert_eq!(planned.network_interface_ids, prior.network_interface_ids);
    assert_eq!(checks_for(Some(&prior), &planned, false), Checks::default());

    // Enabling private DNS: the VPC DNS rule is checked.
    let (planned, _) = plan_for(Some(&prior), &with(&base, |c| c.private_dns_enabled = Val::Known(true)));
    let checks = checks_for(Some(&prior), &planned, false);
    assert!(checks.private_dns && !checks.subnets);

    // A policy removed from the configuration: reset to the default (unknown until applied),
    // unless it already is the default.
    let custom = with(&prior, |p| p.policy = s(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}"#));
    let (planned, _) = plan_for(Some(&custom), &base);
    assert!(planned.policy.is_unknown());
    let (planned, _) = plan_for(Some(&prior), &base);
    assert_eq!(planned.policy, prior.policy);

    // Private DNS left out of the configuration of an endpoint that has it: planned off.
    let on = with(&prior, |p| p.private_dns_enabled = Val::Known(true));
    let (planned, _) = plan_for(Some(&on), &base);
    assert_eq!(planned.private_dns_enabled, Val::Known(false));

    // A private DNS preference is refused (EC2 takes it only for Resource and ServiceNetwork
    // endpoints); an unknown one is not judged (yet), and replaces nothing.
    let dns = |p: Val<String>| Val::Known(InterfaceDnsOptions { private_dns_preference: p, ..Default::default() });
    let refused = validate_config(&with(&base, |c| c.dns_options = dns(s("ALL_DOMAINS"))));
    assert_eq!(refused.0.iter().map(|d| d.summary.as_str()).collect::<Vec<_>>(), ["Not for interface endpoints"]);
    let (_, replace) = plan_for(Some(&prior), &with(&base, |c| c.dns_options = dns(Val::unknown())));
    assert!(replace.is_empty());

    // A failed endpoint is replaced.
    let failed = with(&prior, |p| p.state = s("Failed"));
    let (_, replace) = plan_for(Some(&failed), &base);
    assert_eq!(replace, vec![attr_path(&["state"])]);
}

fn endpoint() -> VpcEndpoint {
    VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-1")
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id("vpc-1")
        .service_name(SSM)
        .state(State::from("available"))
        .subnet_ids("subnet-b")
        .subnet_ids("subnet-a")
        .groups(SecurityGroupIdentifier::builder().group_id("sg-a").group_name("a").build())
        .private_dns_enabled(true)
        .ip_address_type(aws_sdk_ec2::types::IpAddressType::Ipv4)
        .dns_options(
            DnsOptions::builder().dns_record_ip_type(DnsRecordIpType::Ipv4).private_dns_only_for_inbound_resolver_endpoint(false).build(),
        )
        .policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#)
        .network_interface_ids("eni-1")
        .dns_entries(Ec2DnsEntry::builder().dns_name("vpce-1.ssm.us-east-1.vpce.amazonaws.com").hosted_zone_id("Z7HUB22UULQXV").build())
        .owner_id("123456789012")
        .build()
}

#[test]
fn state_from_ec2() {
    let ep = endpoint();
    let base = InterfaceModel { service_name: s("ssm"), ..Default::default() };
    let st = state_from_endpoint(REGION, &base, &ep);
    assert_eq!(st.arn, s("arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"));
    assert_eq!(st.service_name, s("ssm"), "the user's spelling of the same service");
    assert_eq!(st.subnet_ids, set(&["subnet-a", "subnet-b"]));
    assert_eq!(st.security_group_ids, set(&["sg-a"]));
    assert_eq!(st.private_dns_enabled, Val::Known(true));
    assert_eq!(st.state, s("available"));
    let entries = st.dns_entry.known().unwrap();
    assert_eq!(entries.0.len(), 1);
    assert_eq!(entries.0[0].known().unwrap().hosted_zone_id, s("Z7HUB22UULQXV"));
    assert_eq!(st.tags, Val::Known(Map::default()), "no tags: an empty map, never null");
    assert!(st.dns_options.is_null(), "the block stays absent when not configured");
    assert_eq!(st.requester_managed, Val::Known(false));
    assert!(st.is_wholly_known());

    // With a configured block and an empty tag map.
    let base = InterfaceModel {
        dns_options: Val::Known(InterfaceDnsOptions { dns_record_ip_type: Val::unknown(), ..Default::default() }),
        tags: Val::Known(Map::default()),
        ..Default::default()
    };
    let st = state_from_endpoint(REGION, &base, &ep);
    assert_eq!(st.dns().dns_record_ip_type, s("ipv4"));
    assert_eq!(st.dns().private_dns_only_for_inbound_resolver_endpoint, Val::Known(false));
    assert!(st.dns().private_dns_specified_domains.is_null());
    assert_eq!(st.tags, Val::Known(Map::default()));
    assert_eq!(st.service_name, s(SSM));

    // Another partition.
    let st = state_from_endpoint("cn-north-1", &InterfaceModel::default(), &ep);
    assert!(st.arn.as_str().unwrap().starts_with("arn:aws-cn:ec2:cn-north-1:"));
}

#[test]
fn subnet_configuration_rules() {
    assert_eq!(check_address_in_cidr("10.0.1.10", "10.0.1.0/24"), Ok(()));
    for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
        assert!(check_address_in_cidr(reserved, "10.0.1.0/24").unwrap_err().contains("reserves"), "{reserved}");
    }
    assert!(check_address_in_cidr("10.0.2.10", "10.0.1.0/24").unwrap_err().contains("outside"));
    assert_eq!(check_address_in_cidr("2600:1f18:1:2::10", "2600:1f18:1:2::/64"), Ok(()));
    assert!(check_address_in_cidr("2600:1f18:1:2::3", "2600:1f18:1:2::/64").unwrap_err().contains("reserves"));
    assert!(check_address_in_cidr("2600:1f18:1:2:ffff:ffff:ffff:ffff", "2600:1f18:1:2::/64").unwrap_err().contains("reserves"));
    assert!(check_address_in_cidr("2600:1f18:1:3::10", "2600:1f18:1:2::/64").unwrap_err().contains("outside"));
    assert!(check_address_in_cidr("10.0.1.10", "2600:1f18:1:2::/64").is_err());

    let block = |subnet: &str, v4: Option<&str>, v6: Option<&str>| SubnetConfiguration {
        subnet_id: s(subnet),
        ipv4: v4.map(s).unwrap_or_default(),
        ipv6: v6.map(s).unwrap_or_default(),
    };
    let summaries = |c: &InterfaceModel| validate_config(c).0.iter().map(|d| d.summary.clone()).collect::<Vec<_>>();
    let c = config(|c| {
        c.subnet_ids = set(&["subnet-a"]);
        c.subnet_configuration = Val::Known(
            [block("subnet-a", Some("10.0.0.10"), None), block("subnet-b", Some("10.0.1.10"), None), block("subnet-a", Some("x"), None)]
                .into_iter()
                .collect(),
        );
    });
    assert_eq!(summaries(&c), ["Subnet not in subnet_ids", "Several subnet_configuration blocks for one subnet", "Invalid IPv4 address"]);
    let c = config(|c| {
        c.subnet_ids = set(&["subnet-a"]);
        c.subnet_configuration = Val::Known([block("subnet-a", None, Some("2600::10"))].into_iter().collect());
    });
    assert_eq!(summaries(&c), ["IPv6 address on an IPv4 endpoint"], "ipv4 is the default type");
    let c = with(&c, |c| c.ip_address_type = s("dualstack"));
    assert!(summaries(&c).is_empty());
    let c = with(&c, |c| c.service_region = s("us west"));
    assert_eq!(summaries(&c), ["Invalid service_region"]);
}

#[test]
fn private_dns_message_names_what_is_missing() {
    let m = private_dns_error("vpc-123", true, false);
    assert!(m.starts_with("VPC vpc-123 has enableDnsHostnames = false. Private DNS"), "{m}");
    assert!(m.contains("set enable_dns_hostnames = true on the aws_vpc"), "{m}");
    assert!(m.contains("--enable-dns-hostnames") && !m.contains("--enable-dns-support"), "{m}");
    assert!(m.ends_with("or set private_dns_enabled = false."), "{m}");
    let m = private_dns_error("vpc-123", false, false);
    assert!(m.starts_with("VPC vpc-123 has enableDnsSupport = false and enableDnsHostnames = false."), "{m}");
    assert!(m.contains("enable_dns_support = true and enable_dns_hostnames = true"), "{m}");
}

/// The apply-time DNS rule, straight through the create (Terraform normally re-plans first, so
/// this path is otherwise reached only when the VPC changes between plan and apply).
/// Against moto (the one at MOTO_URL, else one started as the other moto unit tests do).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_rechecks_private_dns_before_creating() {
    let url = crate::test_support::moto_url();
    let cfg = crate::aws::Ec2Config { region: Some(REGION.into()), ec2_endpoint: Some(url), ..Default::default() };
    let ctx = Ctx::new(crate::aws::connect(cfg).await.unwrap(), CancellationToken::new());
    let c = ctx.ec2.client();
    let vpc = c.create_vpc().cidr_block("10.77.0.0/16").send().await.unwrap().vpc.and_then(|v| v.vpc_id).unwrap();
    let subnet = c.create_subnet().vpc_id(&vpc).cidr_block("10.77.1.0/24").send().await.unwrap().subnet.and_then(|s| s.subnet_id).unwrap();
    let no_hostnames = aws_sdk_ec2::types::AttributeBooleanValue::builder().value(false).build();
    c.modify_vpc_attribute().vpc_id(&vpc).enable_dns_hostnames(no_hostnames).send().await.unwrap();
    let count = || async {
        let f = aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc).build();
        let out = c.describe_vpc_endpoints().filters(f).send().await.unwrap();
        out.vpc_endpoints().iter().filter(|e| crate::aws::state_str(e) != "deleted").count()
    };

    let interface = Typed::new(super::super::endpoint::AsResource(Interface::new()));
    let config = config(|c| {
        c.vpc_id = s(&vpc);
        c.subnet_ids = set(&[subnet.as_str()]);
        c.private_dns_enabled = Val::Known(true);
    });
    let (planned, _) = plan_for(None, &config);
    let create = |planned: &InterfaceModel, config: &InterfaceModel| {
        interface.apply(&ctx, ApplyRequest { prior: Value::Null, planned: planned.to_value(), config: config.to_value() })
    };
    let resp = create(&planned, &config).await;
    assert!(resp.new_state.is_null());
    let d = &resp.diags.0;
    assert!(d.len() == 1 && d[0].detail.contains(&format!("VPC {vpc} has enableDnsHostnames = false.")), "{d:?}");
    assert_eq!(paths(&resp.diags), vec!["private_dns_enabled".to_string()]);
    assert_eq!(count().await, 0, "nothing created");

    // Without private DNS the same create succeeds, with every computed value known.
    let config = with(&config, |c| c.private_dns_enabled = Val::Known(false));
    let planned = with(&planned, |p| p.private_dns_enabled = Val::Known(false));
    let resp = create(&planned, &config).await;
    assert!(!resp.diags.has_errors(), "{:?}", resp.diags);
    assert!(resp.new_state.is_wholly_known(), "{:?}", resp.new_state);
    let created = InterfaceModel::decode(&resp.new_state).unwrap().unwrap();
    assert_eq!(created.private_dns_enabled, Val::Known(false));
    assert_eq!(count().await, 1);
    let resp = interface.apply(&ctx, ApplyRequest { prior: resp.new_state, planned: Value::Null, config: Value::Null }).await;
    assert!(resp.new_state.is_null() && !resp.diags.has_errors(), "{:?}", resp.diags);
    assert_eq!(count().await, 0);
}
