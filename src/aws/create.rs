//! Creating and modifying an endpoint from plain data: [`CreateSpec`] is everything a
//! CreateVpcEndpoint sends but the token and the tags, and both the creation marker's fingerprint
//! ([`CreateSpec::settings`]) and the SDK request ([`CreateSpec::request`]) derive from it, so the
//! two cannot drift apart. [`ModifySpec`] is the same for ModifyVpcEndpoint.
//!
//! [`Ec2::create_endpoint`] is the crash-safe create: it adopts an orphan of an interrupted create,
//! retries an unknown outcome with the same ClientToken and finds what a failed create made.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{DnsOptionsSpecification, DnsRecordIpType, IpAddressType, SubnetConfiguration, VpcEndpoint, VpcEndpointType};
use tokio_util::sync::CancellationToken;

use super::markers::{fingerprint, marker_value, OrphanQuery, Orphans, CREATE_MARKER};
use super::names::tag_specification;
use super::{AwsError, Ec2, SdkResultExt};

/// An endpoint's DNS options as a request sends them (`None`: not sent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DnsSpec {
    pub(crate) dns_record_ip_type: Option<String>,
    pub(crate) private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
    pub(crate) private_dns_preference: Option<String>,
    /// Sent when not empty.
    pub(crate) private_dns_specified_domains: Vec<String>,
}

impl DnsSpec {
    /// `None` when it sets nothing (a request then carries no DNS options).
    pub(crate) fn non_empty(self) -> Option<DnsSpec> {
        (self != DnsSpec::default()).then_some(self)
    }

    fn sdk(&self) -> DnsOptionsSpecification {
        let domains = &self.private_dns_specified_domains;
        DnsOptionsSpecification::builder()
            .set_dns_record_ip_type(self.dns_record_ip_type.as_deref().map(DnsRecordIpType::from))
            .set_private_dns_only_for_inbound_resolver_endpoint(self.private_dns_only_for_inbound_resolver_endpoint)
            .set_private_dns_preference(self.private_dns_preference.clone())
            .set_private_dns_specified_domains((!domains.is_empty()).then(|| domains.clone()))
            .build()
    }
}

/// The addresses an interface endpoint's network interface takes in one subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SubnetAddresses {
    pub(crate) subnet_id: String,
    pub(crate) ipv4: Option<String>,
    pub(crate) ipv6: Option<String>,
}

impl SubnetAddresses {
    fn sdk(&self) -> SubnetConfiguration {
        SubnetConfiguration::builder().subnet_id(&self.subnet_id).set_ipv4(self.ipv4.clone()).set_ipv6(self.ipv6.clone()).build()
    }
}

fn sdk_subnet_configurations(c: &[SubnetAddresses]) -> Vec<SubnetConfiguration> {
    c.iter().map(SubnetAddresses::sdk).collect()
}

/// What a gateway endpoint's create sends beyond the VPC and the service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GatewaySpec {
    /// Sent when not empty, in this order.
    pub(crate) route_table_ids: Vec<String>,
    pub(crate) policy: Option<String>,
    pub(crate) ip_address_type: Option<String>,
    /// The DNS options' record IP type, the only one a gateway endpoint takes.
    pub(crate) dns_record_ip_type: Option<String>,
}

/// What an interface endpoint's create sends beyond the VPC and the service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct InterfaceSpec {
    /// Sent when not empty, in this order.
    pub(crate) subnet_ids: Vec<String>,
    /// Sent when not empty, in this order.
    pub(crate) security_group_ids: Vec<String>,
    pub(crate) private_dns_enabled: bool,
    pub(crate) ip_address_type: Option<String>,
    pub(crate) dns: Option<DnsSpec>,
    pub(crate) policy: Option<String>,
    /// Sent when not empty.
    pub(crate) subnet_configurations: Vec<SubnetAddresses>,
    pub(crate) service_region: Option<String>,
}

/// What a Gateway Load Balancer endpoint's create sends beyond the VPC and the service (no
/// security groups, policy or private DNS: EC2 refuses them for this type).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GatewayLoadBalancerSpec {
    /// Exactly one subnet (EC2's rule), sent as it is.
    pub(crate) subnet_ids: Vec<String>,
    pub(crate) ip_address_type: Option<String>,
}

/// What a Resource or ServiceNetwork endpoint's create sends beyond the VPC and its VPC Lattice
/// target (the resource configuration or service network ARN, [`CreateSpec::service`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LatticeSpec {
    /// Sent when not empty, in this order.
    pub(crate) subnet_ids: Vec<String>,
    /// Sent when not empty, in this order.
    pub(crate) security_group_ids: Vec<String>,
    pub(crate) private_dns_enabled: bool,
    pub(crate) ip_address_type: Option<String>,
    pub(crate) dns: Option<DnsSpec>,
}

/// The endpoint type and what a create of that type sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EndpointSpec {
    Gateway(GatewaySpec),
    Interface(InterfaceSpec),
    GatewayLoadBalancer(GatewayLoadBalancerSpec),
    /// A Resource endpoint (VPC Lattice resource configuration).
    Resource(LatticeSpec),
    /// A ServiceNetwork endpoint (VPC Lattice service network).
    ServiceNetwork(LatticeSpec),
}

/// Everything a CreateVpcEndpoint sends but its ClientToken and tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CreateSpec {
    pub(crate) vpc_id: String,
    /// The full service name (`com.amazonaws.REGION.s3`); for a Resource or ServiceNetwork
    /// endpoint, the ARN of its resource configuration or service network.
    pub(crate) service: String,
    pub(crate) endpoint: EndpointSpec,
}

impl CreateSpec {
    /// The endpoint type, as EC2 spells it (`Gateway`).
    pub(crate) fn endpoint_type(&self) -> &'static str {
        match self.endpoint {
            EndpointSpec::Gateway(_) => "Gateway",
            EndpointSpec::Interface(_) => "Interface",
            EndpointSpec::GatewayLoadBalancer(_) => "GatewayLoadBalancer",
            EndpointSpec::Resource(_) => "Resource",
            EndpointSpec::ServiceNetwork(_) => "ServiceNetwork",
        }
    }

    /// Every setting of the request, canonically written: endpoints made with the same settings
    /// share a fingerprint (see [`CreateSpec::fingerprint`]), which adoption prefers. The format is
    /// that of the markers already written: it must not change.
    pub(crate) fn settings(&self) -> String {
        let head = format!("{}|{}|{}", self.endpoint_type(), self.vpc_id, self.service);
        match &self.endpoint {
            EndpointSpec::Gateway(g) => format!(
                "{head}|{}|{}|{}|{}",
                g.route_table_ids.join(","),
                g.policy.as_deref().unwrap_or_default(),
                g.ip_address_type.as_deref().unwrap_or_default(),
                g.dns_record_ip_type.as_deref().unwrap_or_default()
            ),
            EndpointSpec::Interface(i) => {
                let mut s = format!(
                    "{head}|{}|{}|{}|{}|{:?}|{}",
                    i.subnet_ids.join(","),
                    i.security_group_ids.join(","),
                    i.private_dns_enabled,
                    i.ip_address_type.as_deref().unwrap_or_default(),
                    i.dns.as_ref().map(DnsSpec::sdk),
                    i.policy.as_deref().unwrap_or_default()
                );
                // Only when set, so that endpoints created before these settings existed keep
                // their fingerprint.
                if !i.subnet_configurations.is_empty() || i.service_region.is_some() {
                    s.push_str(&format!(
                        "|{:?}|{}",
                        sdk_subnet_configurations(&i.subnet_configurations),
                        i.service_region.as_deref().unwrap_or_default()
                    ));
                }
                s
            }
            EndpointSpec::GatewayLoadBalancer(g) => {
                format!("{head}|{}|{}", g.subnet_ids.join(","), g.ip_address_type.as_deref().unwrap_or_default())
            }
            EndpointSpec::Resource(l) | EndpointSpec::ServiceNetwork(l) => format!(
                "{head}|{}|{}|{}|{}|{:?}",
                l.subnet_ids.join(","),
                l.security_group_ids.join(","),
                l.private_dns_enabled,
                l.ip_address_type.as_deref().unwrap_or_default(),
                l.dns.as_ref().map(DnsSpec::sdk)
            ),
        }
    }

    /// The fingerprint of [`CreateSpec::settings`] that the creation marker carries.
    pub(crate) fn fingerprint(&self) -> String {
        fingerprint(&self.settings())
    }

    /// The CreateVpcEndpoint request: everything but the ClientToken and the tags.
    pub(crate) fn request(&self, client: &aws_sdk_ec2::Client) -> CreateVpcEndpointFluentBuilder {
        let mut req = client.create_vpc_endpoint().vpc_endpoint_type(VpcEndpointType::from(self.endpoint_type())).vpc_id(&self.vpc_id);
        req = match &self.endpoint {
            EndpointSpec::Resource(_) => req.resource_configuration_arn(&self.service),
            EndpointSpec::ServiceNetwork(_) => req.service_network_arn(&self.service),
            _ => req.service_name(&self.service),
        };
        match &self.endpoint {
            EndpointSpec::Gateway(g) => {
                if !g.route_table_ids.is_empty() {
                    req = req.set_route_table_ids(Some(g.route_table_ids.clone()));
                }
                if let Some(p) = &g.policy {
                    req = req.policy_document(p);
                }
                if let Some(t) = &g.ip_address_type {
                    req = req.ip_address_type(IpAddressType::from(t.as_str()));
                }
                if let Some(r) = &g.dns_record_ip_type {
                    req = req.dns_options(DnsOptionsSpecification::builder().dns_record_ip_type(DnsRecordIpType::from(r.as_str())).build());
                }
            }
            EndpointSpec::Interface(i) => {
                req = req.private_dns_enabled(i.private_dns_enabled);
                if !i.subnet_ids.is_empty() {
                    req = req.set_subnet_ids(Some(i.subnet_ids.clone()));
                }
                if !i.security_group_ids.is_empty() {
                    req = req.set_security_group_ids(Some(i.security_group_ids.clone()));
                }
                if let Some(t) = &i.ip_address_type {
                    req = req.ip_address_type(IpAddressType::from(t.as_str()));
                }
                if let Some(d) = &i.dns {
                    req = req.dns_options(d.sdk());
                }
                if let Some(p) = &i.policy {
                    req = req.policy_document(p);
                }
                if !i.subnet_configurations.is_empty() {
                    req = req.set_subnet_configurations(Some(sdk_subnet_configurations(&i.subnet_configurations)));
                }
                if let Some(r) = &i.service_region {
                    req = req.service_region(r);
                }
            }
            EndpointSpec::GatewayLoadBalancer(g) => {
                req = req.set_subnet_ids(Some(g.subnet_ids.clone()));
                if let Some(t) = &g.ip_address_type {
                    req = req.ip_address_type(IpAddressType::from(t.as_str()));
                }
            }
            EndpointSpec::Resource(l) | EndpointSpec::ServiceNetwork(l) => {
                req = req.private_dns_enabled(l.private_dns_enabled);
                if !l.subnet_ids.is_empty() {
                    req = req.set_subnet_ids(Some(l.subnet_ids.clone()));
                }
                if !l.security_group_ids.is_empty() {
                    req = req.set_security_group_ids(Some(l.security_group_ids.clone()));
                }
                if let Some(t) = &l.ip_address_type {
                    req = req.ip_address_type(IpAddressType::from(t.as_str()));
                }
                if let Some(d) = &l.dns {
                    req = req.dns_options(d.sdk());
                }
            }
        }
        req
    }
}

/// A policy change a modify sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PolicyChange {
    Set(String),
    /// Back to the service's default policy.
    Reset,
}

/// Everything a ModifyVpcEndpoint sends but the endpoint's id. Lists are sent when not empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModifySpec {
    pub(crate) add_route_table_ids: Vec<String>,
    pub(crate) remove_route_table_ids: Vec<String>,
    pub(crate) add_subnet_ids: Vec<String>,
    pub(crate) remove_subnet_ids: Vec<String>,
    pub(crate) add_security_group_ids: Vec<String>,
    pub(crate) remove_security_group_ids: Vec<String>,
    pub(crate) subnet_configurations: Vec<SubnetAddresses>,
    pub(crate) private_dns_enabled: Option<bool>,
    pub(crate) ip_address_type: Option<String>,
    pub(crate) dns: Option<DnsSpec>,
    pub(crate) policy: Option<PolicyChange>,
}

impl ModifySpec {
    /// Whether it changes nothing (no request is then sent).
    pub(crate) fn is_empty(&self) -> bool {
        self == &ModifySpec::default()
    }

    /// The ModifyVpcEndpoint request for endpoint `id`.
    pub(crate) fn request(&self, client: &aws_sdk_ec2::Client, id: &str) -> ModifyVpcEndpointFluentBuilder {
        let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        let mut req = client
            .modify_vpc_endpoint()
            .vpc_endpoint_id(id)
            .set_add_route_table_ids(list(&self.add_route_table_ids))
            .set_remove_route_table_ids(list(&self.remove_route_table_ids))
            .set_add_subnet_ids(list(&self.add_subnet_ids))
            .set_remove_subnet_ids(list(&self.remove_subnet_ids))
            .set_add_security_group_ids(list(&self.add_security_group_ids))
            .set_remove_security_group_ids(list(&self.remove_security_group_ids))
            .set_subnet_configurations(
                (!self.subnet_configurations.is_empty()).then(|| sdk_subnet_configurations(&self.subnet_configurations)),
            )
            .set_private_dns_enabled(self.private_dns_enabled)
            .set_ip_address_type(self.ip_address_type.as_deref().map(IpAddressType::from))
            .set_dns_options(self.dns.as_ref().map(DnsSpec::sdk));
        match &self.policy {
            Some(PolicyChange::Set(p)) => req = req.policy_document(p),
            Some(PolicyChange::Reset) => req = req.reset_policy(true),
            None => {}
        }
        req
    }
}

/// What [`Ec2::create_endpoint`] needs beyond the [`CreateSpec`].
pub(crate) struct NewEndpoint<'a> {
    pub(crate) spec: &'a CreateSpec,
    /// Which caller state the endpoint is made for (a fingerprint); only a create for the same
    /// owner adopts what an interrupted create left.
    pub(crate) owner: &'a str,
    pub(crate) tags: &'a BTreeMap<String, String>,
    /// The create timeout: an unknown outcome is retried until it passes.
    pub(crate) timeout: Duration,
    /// Stops the retries.
    pub(crate) cancel: &'a CancellationToken,
}

pub(crate) enum Created {
    /// CreateVpcEndpoint made it (possibly in an earlier attempt whose answer was lost). The ids
    /// are orphans of interrupted creates for the same VPC, service and type but other settings,
    /// which were not adopted (the caller warns about them).
    New(VpcEndpoint, Vec<String>),
    /// A marked endpoint of an earlier, interrupted create with the same settings, which no
    /// caller state holds: taken instead of creating a duplicate.
    Adopted(VpcEndpoint),
    /// Nothing was created: EC2's answer.
    Failed(AwsError),
}

/// Whether a failed CreateVpcEndpoint may be sent again with the same token: a transport failure
/// or timeout (the request may or may not have run), a server error, or throttling. Not a request
/// that never left (a refused connection: EC2 made nothing, and the SDK already tried
/// `max_retries` times).
pub(crate) fn retryable(e: &AwsError) -> bool {
    if e.not_sent {
        return false;
    }
    match e.code.as_deref() {
        None => true,
        Some(c) => e.is_throttling() || ["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"].contains(&c),
    }
}

const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// Up to ±25 % of `d`, so that many resources retrying together spread out.
pub(crate) fn jitter(d: Duration) -> Duration {
    let spread = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0; // 0..1
    d.mul_f64(0.75 + spread * 0.5)
}

impl Ec2 {
    /// Creates the endpoint `new.spec` describes, crash-safely:
    /// - first adopts an orphan of an earlier interrupted create (see [`Created::Adopted`]);
    /// - sends the create with a creation marker tag; while its outcome is unknown (transport
    ///   error, 5xx, throttling after the SDK's own retries), sends it again with the same
    ///   ClientToken (EC2 then returns the endpoint the first request made) until the timeout;
    /// - before reporting a failure, looks for an endpoint carrying this create's token.
    pub(crate) async fn create_endpoint(&self, new: NewEndpoint<'_>) -> Created {
        let started = tokio::time::Instant::now();
        let deadline = started + new.timeout;
        let spec = new.spec;
        let fingerprint = spec.fingerprint();
        let mut others = Vec::new();
        let query = OrphanQuery {
            vpc_id: &spec.vpc_id,
            service: &spec.service,
            endpoint_type: spec.endpoint_type(),
            fingerprint: &fingerprint,
            owner: new.owner,
            tags: new.tags,
        };
        match self.find_orphans(&query).await {
            Ok(Orphans { adopt: Some(ep), .. }) => {
                crate::warn!(
                    "adopting an endpoint left by an interrupted create",
                    "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                    "vpc_id" => spec.vpc_id.as_str(),
                    "service" => spec.service.as_str(),
                );
                return Created::Adopted(ep);
            }
            Ok(found) => others = found.others,
            Err(e) => crate::warn!("could not look for endpoints left by interrupted creates", "error" => e.to_string()),
        }

        let token = uuid::Uuid::new_v4().to_string();
        self.claim(&token);
        let marker = marker_value(&fingerprint, new.owner, &token);
        let user_tags = new.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let tags = tag_specification(user_tags.chain([(CREATE_MARKER, marker.as_str())]));

        let mut delay = FIRST_RETRY_DELAY;
        let mut attempt = 1u32;
        let error = loop {
            match spec.request(self.client()).client_token(&token).tag_specifications(tags.clone()).send().await.aws_op("CreateVpcEndpoint")
            {
                Ok(out) => match out.vpc_endpoint.filter(|e| e.vpc_endpoint_id().is_some()) {
                    Some(ep) => {
                        self.claim(ep.vpc_endpoint_id().unwrap_or_default());
                        return Created::New(ep, others);
                    }
                    None => break AwsError::new("CreateVpcEndpoint", None, "EC2 answered without an endpoint ID"),
                },
                Err(e) if retryable(&e) && !self.writes_halted() && tokio::time::Instant::now() + delay < deadline => {
                    crate::warn!(
                        format!("CreateVpcEndpoint outcome unknown after the SDK's retries; sending it again with the same ClientToken in {delay:?}"),
                        "attempt" => attempt,
                        "error" => e.to_string(),
                    );
                    tokio::select! {
                        _ = new.cancel.cancelled() => break e,
                        _ = tokio::time::sleep(jitter(delay)) => {}
                    }
                    delay = (delay * 2).min(MAX_RETRY_DELAY);
                    attempt += 1;
                }
                Err(e) => break e,
            }
        };

        // The request may have run although no answer said so: the marker tells.
        for pause in [Duration::ZERO, Duration::from_secs(2)] {
            tokio::time::sleep(pause).await;
            match self.find_created_by(&spec.vpc_id, &token).await {
                Ok(Some(ep)) => {
                    crate::warn!(
                        "CreateVpcEndpoint reported a failure, but the endpoint was created",
                        "id" => ep.vpc_endpoint_id().unwrap_or_default(),
                        "error" => error.to_string(),
                    );
                    self.claim(ep.vpc_endpoint_id().unwrap_or_default());
                    return Created::New(ep, others);
                }
                Ok(None) => {}
                Err(e) => crate::warn!("could not check whether the failed create made an endpoint", "error" => e.to_string()),
            }
            if !retryable(&error) {
                break;
            }
        }
        Created::Failed(error)
    }
}

#[cfg(test)]
#[path = "create_tests.rs"]
mod tests;
