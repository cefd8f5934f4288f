//! The resource identity (`id`, `region`, `account_id`).

use std::sync::LazyLock;

use aws_sdk_ec2::types::VpcEndpoint;

use crate::protocol::resource::{Identity, IdentityAttribute, IdentitySchema};
use crate::protocol::values::{Type, Value};

/// The resource identity of both endpoint resources (Terraform 1.12+): `{ id, region,
/// account_id }`, sent with every read, plan, apply and import, and by the list resources.
pub(crate) struct EndpointIdentity {
    schema: IdentitySchema,
}

pub(crate) static IDENTITY: LazyLock<EndpointIdentity> = LazyLock::new(|| {
    EndpointIdentity {
    schema: IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute::required("id", Type::String, "The endpoint ID, `vpce-...`."),
            IdentityAttribute::optional(
                "region",
                Type::String,
                "The endpoint's region. Optional for import: it must be the provider's region when given.",
            ),
            IdentityAttribute::optional(
                "account_id",
                Type::String,
                "The AWS account that owns the endpoint. Optional for import: it must be the account of the provider's credentials when given.",
            ),
        ],
    },
}
});

/// The region in an endpoint ARN (`arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/ID`).
pub(super) fn region_of_arn(arn: &Value) -> Value {
    match arn {
        Value::String(arn) => arn.split(':').nth(3).filter(|r| !r.is_empty()).map_or(Value::Null, Value::string),
        Value::Unknown(_) => Value::unknown(),
        _ => Value::Null,
    }
}

impl EndpointIdentity {
    /// The identity of an endpoint EC2 described, in `region`.
    pub(crate) fn of_endpoint(region: &str, ep: &VpcEndpoint) -> Value {
        let opt = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or(Value::Null, Value::string);
        Value::object([("id", opt(ep.vpc_endpoint_id())), ("region", Value::string(region)), ("account_id", opt(ep.owner_id()))])
    }
}

impl Identity for EndpointIdentity {
    fn schema(&self) -> &IdentitySchema {
        &self.schema
    }

    /// From the state: `id`, `owner_id`, and the region of the `arn` (made with the provider's).
    fn of(&self, state: &Value) -> Value {
        Value::object([
            ("id", state.get("id").clone()),
            ("region", region_of_arn(state.get("arn"))),
            ("account_id", state.get("owner_id").clone()),
        ])
    }

    fn import_id(&self, identity: &Value) -> Option<String> {
        identity.get("id").as_str().map(str::to_string)
    }
}
