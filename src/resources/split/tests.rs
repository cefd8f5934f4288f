use super::*;
use crate::protocol::values::Value;

fn req(source: serde_json::Value) -> MoveRequest {
    MoveRequest {
        source_provider_address: "registry.terraform.io/hashicorp/aws".to_string(),
        source_type_name: "aws_vpc_endpoint_policy".to_string(),
        source_schema_version: 0,
        source_state: source,
        source_private: Vec::new(),
        source_identity: None,
        source_identity_version: 0,
    }
}

#[test]
fn moves_from_aws_state() {
    let pol = r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Principal":"*","Resource":"*"}]}"#;
    let m = move_from_aws::<policy::PolicySetting>(&req(serde_json::json!({"id": "vpce-1", "vpc_endpoint_id": "vpce-1", "policy": pol})))
        .expect("moved");
    assert_eq!(m.policy.as_str(), Some(pol));
    assert_eq!(m.id.as_str(), Some("vpce-1"));
    let e = move_from_aws::<policy::PolicySetting>(&req(serde_json::json!({"vpc_endpoint_id": "vpce-svc-1"}))).expect_err("refused");
    assert!(e.contains("not a VPC endpoint ID"), "{e}");
    let d = move_from_aws::<private_dns::PrivateDnsSetting>(&req(
        serde_json::json!({"vpc_endpoint_id": "vpce-2", "private_dns_enabled": true}),
    ))
    .expect("moved");
    assert_eq!(d.private_dns_enabled.to_value(), Value::Bool(true));
}

#[test]
fn policy_changes() {
    use policy::{PolicyModel, PolicySetting};
    let m = |p: Val<String>| PolicyModel { id: Val::Null, vpc_endpoint_id: Val::Known("vpce-1".into()), policy: p };
    assert!(matches!(PolicySetting::change(None, &m(Val::unknown()), &m(Val::Null)), Some(Change::Policy(PolicyChange::Reset))));
    let custom = Val::Known(r#"{"Statement":[]}"#.to_string());
    assert!(matches!(PolicySetting::change(None, &m(custom.clone()), &m(custom.clone())), Some(Change::Policy(PolicyChange::Set(_)))));
    assert!(PolicySetting::change(Some(&m(custom.clone())), &m(custom.clone()), &m(custom)).is_none());
    assert!(PolicySetting::on_delete().is_some());
    assert!(private_dns::PrivateDnsSetting::on_delete().is_none(), "as hashicorp/aws: the delete leaves private DNS as it is");
}
