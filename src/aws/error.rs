//! [`AwsError`]: a plain, cloneable EC2 error (operation, code, message).

use std::collections::HashSet;
use std::fmt;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId;

/// An EC2 call that failed, reduced to what a user needs to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The EC2 operation (`DescribeVpcEndpoints`), or a local step (`configure`).
    pub(crate) operation: String,
    /// The EC2 error code (`InvalidVpcEndpointId.NotFound`); `None` for transport or local errors.
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
    /// The request never left this machine: the connection to EC2 could not be made (refused,
    /// unreachable, no such host) or the request could not be built. EC2 cannot have acted on it.
    pub(crate) not_sent: bool,
}

/// The kinds of EC2 resource whose "does not exist" errors the provider acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    VpcEndpoint,
    Vpc,
    Subnet,
    SecurityGroup,
    RouteTable,
}

impl Missing {
    /// The error codes EC2 documents for an id of this kind that does not exist.
    pub(crate) fn not_found(self) -> &'static [&'static str] {
        match self {
            Missing::VpcEndpoint => &["InvalidVpcEndpointId.NotFound", "InvalidVpcEndpoint.NotFound"],
            Missing::Vpc => &["InvalidVpcID.NotFound"],
            Missing::Subnet => &["InvalidSubnetID.NotFound"],
            Missing::SecurityGroup => &["InvalidGroup.NotFound", "InvalidGroupId.NotFound"],
            Missing::RouteTable => &["InvalidRouteTableID.NotFound"],
        }
    }

    /// The error codes for an id of this kind that is not well-formed.
    pub(crate) fn malformed(self) -> &'static [&'static str] {
        match self {
            Missing::VpcEndpoint => &["InvalidVpcEndpointId.Malformed"],
            Missing::Vpc => &["InvalidVpcId.Malformed"],
            Missing::Subnet => &["InvalidSubnetId.Malformed"],
            Missing::SecurityGroup => &["InvalidGroupId.Malformed"],
            Missing::RouteTable => &["InvalidRouteTableId.Malformed"],
        }
    }
}

const THROTTLING_CODES: &[&str] = &[
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "EC2ThrottledException",
    "SlowDown",
    "PriorRequestNotComplete",
    "BandwidthLimitExceeded",
];

/// Whether an EC2 error code means "slow down".
pub(crate) fn is_throttling_code(code: &str) -> bool {
    THROTTLING_CODES.contains(&code)
}

/// Codes with which EC2 refuses a change because the endpoint is busy: still `pending` after its
/// create (IncorrectState), or another modification in progress (OperationInProgress, "VpcEndpoint
/// modify operation in progress", terraform-provider-aws #3382 and #42875). The same request
/// succeeds once the endpoint is available again.
const BUSY_CODES: &[&str] = &["IncorrectState", "OperationInProgress"];

/// Whether an EC2 error code means "the endpoint is busy: try again later".
pub(crate) fn is_busy_code(code: &str) -> bool {
    BUSY_CODES.contains(&code)
}

impl AwsError {
    pub(crate) fn new(operation: impl Into<String>, code: Option<&str>, message: impl Into<String>) -> Self {
        AwsError { operation: operation.into(), code: code.map(str::to_owned), message: message.into(), request_id: None, not_sent: false }
    }

    /// Converts any SDK error; service errors keep their code and message, transport errors
    /// (timeouts, connection failures) keep the whole cause chain as the message.
    pub(crate) fn from_sdk<E, R>(operation: &str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug + 'static,
    {
        let code = err.code().map(str::to_owned);
        let message = match (&code, err.message()) {
            (Some(_), Some(m)) => m.to_owned(),
            _ => cause_chain(&err),
        };
        let request_id = err.meta().request_id().map(str::to_owned);
        let not_sent = match &err {
            SdkError::ConstructionFailure(_) => true,
            SdkError::DispatchFailure(d) => d.as_connector_error().is_some_and(|c| !c.is_timeout() && never_connected(c)),
            _ => false,
        };
        AwsError { operation: operation.to_owned(), code, message, request_id, not_sent }
    }

    pub fn code_is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// Whether the code is one of `codes` (EC2 spells some ids `ID`, others `Id`: compared
    /// case-insensitively).
    pub(crate) fn code_in(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.iter().any(|k| k.eq_ignore_ascii_case(c)))
    }

    /// EC2 says that this kind of resource does not exist. Only the resource's own codes count: an
    /// `InvalidRoute.NotFound` from DeleteVpcEndpoints says nothing about the endpoint.
    pub(crate) fn is_missing(&self, kind: Missing) -> bool {
        self.code_in(kind.not_found())
    }

    /// EC2 says that an id of this kind does not (or cannot) exist: not found, or malformed.
    pub(crate) fn is_invalid_id(&self, kind: Missing) -> bool {
        self.code_in(kind.not_found()) || self.code_in(kind.malformed())
    }

    pub(crate) fn is_throttling(&self) -> bool {
        self.code.as_deref().is_some_and(is_throttling_code)
    }

    /// The endpoint is busy (see [`is_busy_code`]): the same request is sent again later.
    pub(crate) fn is_busy(&self) -> bool {
        self.code.as_deref().is_some_and(is_busy_code)
    }

    /// The ids among `candidates` that the error message names (EC2 and moto write them quoted,
    /// comma-separated or inside `{'..'}`; exact token match, so `vpce-1` never matches `vpce-12`).
    pub(crate) fn named_ids<'a>(&self, candidates: &'a [String]) -> Vec<&'a String> {
        let tokens: HashSet<&str> =
            self.message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).filter(|t| !t.is_empty()).collect();
        candidates.iter().filter(|id| tokens.contains(id.as_str())).collect()
    }
}

/// Whether a connector error is a failure to connect (so no byte of the request was sent): an
/// I/O error of the kinds a connect gives (refused, unreachable, address not available) anywhere
/// in its causes, or hyper's connect error ("client error (Connect)", which also covers a host
/// name that does not resolve). A reset or a timeout of an open connection is not: the request
/// may have reached EC2.
fn never_connected(err: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::*;
    let mut cause = Some(err);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), ConnectionRefused | AddrNotAvailable | NetworkUnreachable | HostUnreachable) {
                return true;
            }
        }
        if c.to_string() == "client error (Connect)" {
            return true;
        }
        cause = c.source();
    }
    false
}

/// "dispatch failure: io error: ...: Connection refused (os error 111)": each cause's Display,
/// skipping causes already contained in the text.
fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        source = cause.source();
    }
    text
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EC2 {} failed: ", self.operation)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(self.message.trim())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AwsError {}

/// `client.describe_vpcs().send().await.aws_op("DescribeVpcs")?`
pub(crate) trait SdkResultExt<T> {
    fn aws_op(self, operation: &str) -> Result<T, AwsError>;
}

impl<T, E, R> SdkResultExt<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    fn aws_op(self, operation: &str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::from_sdk(operation, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, msg: &str) -> AwsError {
        AwsError::new("DescribeVpcEndpoints", Some(code), msg)
    }

    #[test]
    fn classification() {
        use Missing::*;
        assert!(err("InvalidVpcEndpointId.NotFound", "x").is_missing(VpcEndpoint));
        assert!(err("InvalidVpcEndpoint.NotFound", "x").is_missing(VpcEndpoint));
        // Another resource's NotFound never means the endpoint is gone.
        assert!(!err("InvalidRoute.NotFound", "x").is_missing(VpcEndpoint));
        assert!(!err("InvalidVpcID.NotFound", "x").is_missing(VpcEndpoint));
        assert!(!err("InvalidRoute.NotFound", "x").is_invalid_id(VpcEndpoint));
        assert!(err("InvalidVpcID.NotFound", "x").is_missing(Vpc));
        assert!(err("InvalidRouteTableId.NotFound", "x").is_missing(RouteTable), "case of ID/Id does not matter");
        assert!(!err("InvalidVpcEndpointId.Malformed", "x").is_missing(VpcEndpoint));
        assert!(err("InvalidVpcEndpointId.Malformed", "x").is_invalid_id(VpcEndpoint));
        assert!(err("InvalidGroup.NotFound", "x").is_invalid_id(SecurityGroup));
        assert!(!err("UnauthorizedOperation", "x").is_invalid_id(VpcEndpoint));
        assert!(err("RequestLimitExceeded", "x").is_throttling());
        assert!(err("Throttling", "x").is_throttling());
        assert!(!err("InvalidParameterValue", "x").is_throttling());
        assert!(err("IncorrectState", "x").is_busy() && err("OperationInProgress", "x").is_busy());
        assert!(!err("RequestLimitExceeded", "x").is_busy() && !err("InvalidParameter", "x").is_busy());
        let local = AwsError::new("configure", None, "no region");
        assert!(!local.is_missing(VpcEndpoint) && !local.is_throttling());
    }

    #[test]
    fn display_is_one_line() {
        let mut e = err("InvalidVpcEndpointId.NotFound", "The vpce 'vpce-1' does not exist\n");
        e.request_id = Some("abc".into());
        assert_eq!(
            e.to_string(),
            "EC2 DescribeVpcEndpoints failed: InvalidVpcEndpointId.NotFound: The vpce 'vpce-1' does not exist (request id abc)"
        );
        assert_eq!(AwsError::new("configure", None, "no region").to_string(), "EC2 configure failed: no region");
    }

    #[test]
    fn transport_errors_keep_their_causes() {
        use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
        use aws_smithy_runtime_api::http::Response;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let sdk = SdkError::<DescribeVpcsError, Response>::timeout_error(io);
        let e = AwsError::from_sdk("DescribeVpcs", sdk);
        assert_eq!((e.code.as_deref(), e.message.as_str()), (None, "request has timed out: connection reset by peer"));
    }

    #[test]
    fn named_ids_exact_tokens() {
        let ids: Vec<String> = ["vpce-1", "vpce-12", "vpce-3", "sg-9"].map(String::from).into();
        let e = err("InvalidVpcEndpointId.NotFound", "The VpcEndPoint ID 'vpce-12' does not exist");
        assert_eq!(e.named_ids(&ids), vec!["vpce-12"]);
        let e = err("InvalidVpcEndpointId.NotFound", "The vpcEndpoint IDs 'vpce-1, vpce-3' do not exist");
        assert_eq!(e.named_ids(&ids), vec!["vpce-1", "vpce-3"]);
        let e = err("InvalidGroup.NotFound", "The security group '{'sg-9'}' does not exist");
        assert_eq!(e.named_ids(&ids), vec!["sg-9"]);
    }
}
