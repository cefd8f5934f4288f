//! AWS names: partitions, ARNs, endpoint service names, the tags of a VPC endpoint, and the
//! spellings EC2 uses for endpoint types and states.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};

/// EC2 actions that change nothing.
pub(crate) fn is_read_only(operation: &str) -> bool {
    operation.starts_with("Describe") || operation.starts_with("Get") || operation.starts_with("List")
}

/// Endpoint types as EC2 spells them.
pub(crate) const ENDPOINT_TYPES: &[&str] = &["Gateway", "Interface", "GatewayLoadBalancer", "Resource", "ServiceNetwork"];
/// Service types (the offerings of an endpoint service) as EC2 spells them.
pub(crate) const SERVICE_TYPES: &[&str] = &["Gateway", "Interface", "GatewayLoadBalancer"];
/// An endpoint's IP address types as EC2 spells them.
pub(crate) const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6"];
/// The DNS record IP types of an endpoint's DNS options as EC2 spells them.
pub(crate) const DNS_RECORD_IP_TYPES: &[&str] = &["ipv4", "dualstack", "ipv6", "service-defined"];
/// The private DNS preferences of an interface endpoint's DNS options as EC2 spells them.
pub(crate) const PRIVATE_DNS_PREFERENCES: &[&str] =
    &["ALL_DOMAINS", "VERIFIED_DOMAINS_ONLY", "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY"];
/// Endpoint states as EC2 spells them.
pub(crate) const ENDPOINT_STATES: &[&str] =
    &["pendingAcceptance", "pending", "available", "deleting", "deleted", "rejected", "failed", "expired", "partial"];

/// The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`).
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// A VPC endpoint's ARN (EC2 returns none): `arn:PARTITION:ec2:REGION:OWNER:vpc-endpoint/ID`.
pub(crate) fn endpoint_arn(region: &str, owner: &str, id: &str) -> String {
    format!("arn:{}:ec2:{region}:{owner}:vpc-endpoint/{id}", partition(region))
}

/// An endpoint service's ARN: `arn:PARTITION:ec2:REGION:OWNER:vpc-endpoint-service/ID`.
pub(crate) fn service_arn(region: &str, owner: &str, id: &str) -> String {
    format!("arn:{}:ec2:{region}:{owner}:vpc-endpoint-service/{id}", partition(region))
}

/// Resolves short service names (`s3`, `ssm`, and dotted ones such as `ecr.api`) against the
/// region; full names (`com.amazonaws.…`, `aws.…`, `cn.com.amazonaws.…`, partner `com.…` names)
/// pass through.
pub(crate) fn resolve_service_name(name: &str, region: &str) -> String {
    if is_full_service_name(name) {
        name.to_string()
    } else {
        format!("com.amazonaws.{region}.{name}")
    }
}

/// Whether `name` is a full endpoint service name rather than a short one.
pub(crate) fn is_full_service_name(name: &str) -> bool {
    ["com.", "aws.", "cn."].iter().any(|p| name.starts_with(p))
}

/// The region a `com.amazonaws.REGION.service` name refers to, if it has that form.
pub(crate) fn service_region(name: &str) -> Option<&str> {
    let mut parts = name.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("com"), Some("amazonaws"), Some(region)) if region.contains('-') => Some(region),
        _ => None,
    }
}

/// The user's tags of an endpoint: AWS-reserved `aws:*` tags and the provider's hidden tags (the
/// creation marker, the split-ownership tags) left out.
pub(crate) fn tags_from_ec2(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("aws:") && !super::is_hidden_tag(k))
        .collect()
}

/// Whether `name` has the form of an AWS region name (`us-east-1`, `us-gov-west-1`,
/// `cn-north-1`): lowercase parts joined by `-`, the first two letters, the last a number.
pub(crate) fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()))
}

/// The tags of a VPC endpoint at creation: these pairs.
pub fn tag_specification<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> TagSpecification {
    let tags = tags.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    TagSpecification::builder().resource_type(ResourceType::VpcEndpoint).set_tags(Some(tags)).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for ok in ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-5", "eu-central-2", "us-isob-east-1"] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in ["", "us", "us-east", "US-east-1", "us-east-1a", "us_east_1", "us--1", "useast-x-1", "us-east-123"] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn arns_by_partition() {
        assert_eq!(endpoint_arn("us-east-1", "123456789012", "vpce-1"), "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1");
        assert_eq!(endpoint_arn("cn-north-1", "1", "vpce-1"), "arn:aws-cn:ec2:cn-north-1:1:vpc-endpoint/vpce-1");
        assert_eq!(endpoint_arn("us-gov-west-1", "1", "vpce-1"), "arn:aws-us-gov:ec2:us-gov-west-1:1:vpc-endpoint/vpce-1");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition("us-iso-east-1"), "aws-iso");
    }

    #[test]
    fn service_names() {
        assert_eq!(resolve_service_name("s3", "eu-west-1"), "com.amazonaws.eu-west-1.s3");
        assert_eq!(resolve_service_name("com.amazonaws.us-east-1.s3", "eu-west-1"), "com.amazonaws.us-east-1.s3");
        assert_eq!(service_region("com.amazonaws.us-east-1.s3"), Some("us-east-1"));
        assert_eq!(resolve_service_name("ecr.api", "eu-west-1"), "com.amazonaws.eu-west-1.ecr.api");
        assert_eq!(resolve_service_name("ssm", "eu-west-1"), "com.amazonaws.eu-west-1.ssm");
        for full in [
            "com.amazonaws.us-east-1.ecr.dkr",
            "com.amazonaws.vpce.us-east-1.vpce-svc-1",
            "aws.sagemaker.us-east-1.notebook",
            "cn.com.amazonaws.cn-north-1.s3",
        ] {
            assert_eq!(resolve_service_name(full, "eu-west-1"), full);
        }
        assert_eq!(service_region("com.amazonaws.vpce.us-east-1.vpce-svc-123"), None);
    }

    #[test]
    fn reserved_tags_are_left_out() {
        let tags = [
            Tag::builder().key("Name").value("x").build(),
            Tag::builder().key("aws:cloudformation:stack-name").value("s").build(),
            Tag::builder().key(crate::aws::CREATE_MARKER).value("m").build(),
        ];
        assert_eq!(tags_from_ec2(&tags), [("Name".to_string(), "x".to_string())].into_iter().collect());
    }
}
