use super::route_table::{AssociationModel, RouteTables};
use super::security_group::SecurityGroups;
use super::subnet::Subnets;
use super::*;

#[test]
fn ids() {
    assert_eq!(parse_id("vpce-1/rtb-2", "rtb-"), Some(("vpce-1".to_string(), "rtb-2".to_string())));
    assert_eq!(parse_id(" vpce-1/rtb-2 ", "rtb-"), Some(("vpce-1".to_string(), "rtb-2".to_string())));
    for bad in ["vpce-1", "rtb-2/vpce-1", "vpce-svc-1/rtb-2", "vpce-1/rtb-2/x", "a-vpce-1234", "vpce-1/subnet-2"] {
        assert_eq!(parse_id(bad, "rtb-"), None, "{bad}");
    }
    assert_eq!(parse_id("vpce-1/subnet-2", "subnet-"), Some(("vpce-1".to_string(), "subnet-2".to_string())));
    assert_eq!(association_id("vpce-1", "rtb-2"), "vpce-1/rtb-2");
}

fn req(provider: &str, kind: &str, state: serde_json::Value) -> MoveRequest {
    MoveRequest {
        source_provider_address: provider.to_string(),
        source_type_name: kind.to_string(),
        source_state: state,
        ..Default::default()
    }
}

const AWS: &str = "registry.terraform.io/hashicorp/aws";

#[test]
fn moves_from_the_aws_provider() {
    let aws = serde_json::json!({"id": "a-vpce-1234567", "vpc_endpoint_id": "vpce-1", "route_table_id": "rtb-2"});
    let m = move_from_aws::<RouteTables>(&req(AWS, RouteTables::AWS_TYPE, aws.clone())).expect("moved");
    assert_eq!(
        (m.id.as_str(), m.vpc_endpoint_id.as_str(), m.route_table_id.as_str()),
        (Some("vpce-1/rtb-2"), Some("vpce-1"), Some("rtb-2"))
    );
    assert!(move_from_aws::<RouteTables>(&req("registry.terraform.io/someone/aws2", RouteTables::AWS_TYPE, aws))
        .unwrap_err()
        .contains("hashicorp/aws"));
    let bad = serde_json::json!({"id": "a-vpce-1", "vpc_endpoint_id": "vpce-1"});
    assert!(move_from_aws::<RouteTables>(&req(AWS, RouteTables::AWS_TYPE, bad)).unwrap_err().contains("terraform import"));
    let swapped = serde_json::json!({"vpc_endpoint_id": "rtb-2", "route_table_id": "vpce-1"});
    assert!(move_from_aws::<RouteTables>(&req(AWS, RouteTables::AWS_TYPE, swapped)).is_err());

    // aws 6.x subnet and security group association states.
    let subnet = serde_json::json!({"id": "a-vpce-11234", "region": "us-east-1", "vpc_endpoint_id": "vpce-1", "subnet_id": "subnet-2", "timeouts": null});
    let m = move_from_aws::<Subnets>(&req(AWS, Subnets::AWS_TYPE, subnet)).expect("moved");
    assert_eq!((m.id.as_str(), m.subnet_id.as_str()), (Some("vpce-1/subnet-2"), Some("subnet-2")));
    let sg = serde_json::json!({"id": "a-vpce-1999", "region": "us-east-1", "vpc_endpoint_id": "vpce-1", "security_group_id": "sg-2", "replace_default_association": true});
    let m = move_from_aws::<SecurityGroups>(&req(AWS, SecurityGroups::AWS_TYPE, sg)).expect("moved");
    assert_eq!((m.id.as_str(), m.replace_default_association.as_bool()), (Some("vpce-1/sg-2"), Some(true)));
    let sg = serde_json::json!({"vpc_endpoint_id": "vpce-1", "security_group_id": "sg-2"});
    let m = move_from_aws::<SecurityGroups>(&req(AWS, SecurityGroups::AWS_TYPE, sg)).expect("moved");
    assert_eq!(m.replace_default_association.as_bool(), Some(false));
    let wrong = serde_json::json!({"vpc_endpoint_id": "vpce-1", "security_group_id": "subnet-2"});
    assert!(move_from_aws::<SecurityGroups>(&req(AWS, SecurityGroups::AWS_TYPE, wrong)).unwrap_err().contains("security group"));
}

#[test]
fn static_validation() {
    let m = |e: &str, t: &str| {
        AssociationModel::decode(&Value::object([("vpc_endpoint_id", Value::string(e)), ("route_table_id", Value::string(t))]))
            .unwrap()
            .unwrap()
    };
    assert!(validate::<RouteTables>(&m("vpce-1", "rtb-1")).is_empty());
    let s = |d: Diagnostics| d.0.into_iter().map(|x| x.summary).collect::<Vec<_>>();
    assert_eq!(s(validate::<RouteTables>(&m("rtb-1", "vpce-1"))), ["Invalid VPC endpoint ID", "Invalid route table ID"]);
    assert_eq!(s(validate::<RouteTables>(&m("vpce-svc-1", "rtb-1"))), ["Invalid VPC endpoint ID"]);
    let sn = super::subnet::SubnetAssociationModel::decode(&Value::object([
        ("vpc_endpoint_id", Value::string("vpce-1")),
        ("subnet_id", Value::string("sg-1")),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(s(validate::<Subnets>(&sn)), ["Invalid subnet ID"]);
    assert_eq!(article("Gateway"), "a gateway");
    assert_eq!(article("Interface"), "an interface");
}
