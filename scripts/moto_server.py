#!/usr/bin/env python3
"""moto's server, with the gaps in its EC2 VPC-endpoint emulation closed to match EC2's documented
behaviour, so that tests exercise what real EC2 does (scripts/moto.sh starts this instead of
`moto_server`; same arguments: -H HOST -p PORT).

What moto 5.2 does differently from EC2, and what this file changes (EC2 API reference for
CreateVpcEndpoint / ModifyVpcEndpoint, and the PrivateLink and gateway endpoint guides):

- ModifyVpcEndpoint AddRouteTableIds / RemoveRouteTableIds on a gateway endpoint: EC2 adds (removes)
  the route `prefix list of the service -> endpoint` in each route table; moto only edits the list.
- ModifyVpcEndpoint ResetPolicy=true: EC2 restores the default full-access policy; moto ignores it.
- ModifyVpcEndpoint PrivateDnsEnabled, IpAddressType and DnsOptions.DnsRecordIpType take effect;
  moto ignores them.
- ModifyVpcEndpoint AddSubnetIds / RemoveSubnetIds on an interface endpoint: EC2 creates (deletes)
  the endpoint network interface in each subnet; moto only edits the list.
- CreateVpcEndpoint of an interface endpoint without SecurityGroupIds: EC2 associates the VPC's
  default security group; moto associates none.
- CreateVpcEndpoint / ModifyVpcEndpoint enabling private DNS in a VPC without both
  enableDnsSupport and enableDnsHostnames: EC2 answers InvalidParameter ("Enabling private DNS
  requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for vpc-..."),
  moto accepts it.
- The endpoint's `ipAddressType` (default ipv4) and `dnsOptions.dnsRecordIpType` (default ipv4 for
  interface, service-defined for gateway endpoints) are reported, as EC2 does.
- The regional DNS name reads `vpce-ID-SUFFIX.SVC.REGION.vpce.amazonaws.com`, as EC2's does.
- With private DNS enabled, `dnsEntrySet` also lists the service's private DNS name (e.g.
  `ssm.us-east-1.amazonaws.com`), as EC2 does; it goes when private DNS is disabled.
- DeleteVpcEndpoints of an id that does not exist (or is already deleted): EC2 reports it in
  `Unsuccessful` with InvalidVpcEndpoint.NotFound and deletes the others; moto answers success (and
  deletes an already deleted gateway endpoint's routes again, failing on the missing route); a
  gateway endpoint whose route was removed out of band is deleted (moto fails on the missing route).
- A VPC's `default` security group: EC2 creates it with an inbound rule allowing all traffic from
  members of the group itself (and all outbound traffic); moto creates it with no inbound rule.
- CreateVpcEndpoint / ModifyVpcEndpoint SubnetConfigurations (static addresses per subnet): EC2
  gives the endpoint's network interface in the subnet those addresses, and rejects an address
  outside the subnet's CIDR block or among the five AWS reserves (InvalidParameterValue); moto
  ignores them (and picks addresses outside the subnet).
- CreateVpcEndpoint ServiceRegion (cross-region PrivateLink): EC2 reports it as the endpoint's
  `serviceRegion`; moto drops it.
- DescribeSubnets reports an IPv6 block's state as `associated`, as EC2 does; moto reports the text of
  a dict ("{'State': 'associated'}").
- DescribeVpcEndpoints MaxResults (5 to 1000) / NextToken: EC2 answers in pages; moto ignores
  them and answers everything at once (so paging code would go untested).
- DescribeVpcEndpoints and DescribeVpcEndpointServices filters: every name EC2 documents, with EC2's
  wildcards, and EC2's InvalidParameterValue for the others; DescribeVpcEndpointServices
  ServiceRegions (moto knows some filter names only, and ignores ServiceRegions).
- An endpoint of a service whose configuration has AcceptanceRequired starts `pendingAcceptance`
  until the service owner calls AcceptVpcEndpointConnections, which moto lacks; moto makes every
  endpoint `available`. RejectVpcEndpointConnections (an endpoint waiting or available becomes
  `rejected`; an id that is not an endpoint of the service is listed in Unsuccessful) and
  DescribeVpcEndpointConnections (the endpoints of the account's services with their states, EC2's
  filters and paging) are served too; moto has neither.
- VPC endpoints of type Resource and ServiceNetwork, and the VPC Lattice resource configurations and
  service networks they name: scripts/lattice_endpoints.py (moto treats these types as gateway endpoints).

What EC2 rejects and moto accepts (issue 23), rejected here with EC2's code and message (tests:
tests/emulator/test_ec2_rejections.py):
- private DNS for a service in a VPC where an interface endpoint of the service has it already
  (CreateVpcEndpoint, ModifyVpcEndpoint turning it on): InvalidParameter "private-dns-enabled cannot be
  set because there is already a conflicting DNS domain for ..." (while that endpoint is `deleting`: the
  realistic mode of scripts/ec2proxy.py);
- an S3 interface endpoint with private DNS: PrivateDnsOnlyForInboundResolverEndpoint defaults to true
  and needs a gateway endpoint for S3 in the VPC (InvalidParameter "To set
  PrivateDnsOnlyForInboundResolverEndpoint to true, ..."); sent false, no gateway is needed; the
  endpoint's DnsOptions report the flag;
- that flag sent for a gateway endpoint: InvalidParameter "DnsOptions
  PrivateDnsOnlyForInboundResolverEndpoint is applicable only to Interface VPC Endpoints.";
- a second gateway endpoint route for one prefix list in a route table: RouteAlreadyExists "route table
  rtb-... already has a route with destination-prefix-list-id pl-..." (moto checks CIDR routes only);
- a policy over 20,480 characters (InvalidPolicyDocument), or other than full access for a service whose
  VpcEndpointPolicySupported is false ("Service ... only supports the full-access endpoint policy.");
  endpoint services of the account report it false, as EC2 does;
- private DNS for a service without a private DNS name: InvalidParameter "Private DNS can't be enabled
  because the service ... does not provide a private DNS name." (left out, it defaults to false there);
- VpcEndpointLimitExceeded past 50 interface (and Gateway Load Balancer) endpoints per VPC, 20 gateway
  endpoints per Region, 200 Resource and 50 ServiceNetwork endpoints per VPC, EC2's default quotas; VPCE_EMU_INTERFACE_ENDPOINTS_PER_VPC and
  VPCE_EMU_GATEWAY_ENDPOINTS_PER_REGION raise them at start, GET/POST /__emulator/limits (JSON) at run
  time;
- an interface endpoint's IpAddressType that its subnets (dualstack: IPv4 and IPv6 blocks; ipv6:
  IPv6-only subnets) or its service's SupportedIpAddressTypes cannot take (wording not EC2's, see
  check_ip_address_type).

Gateway Load Balancer endpoints (issue 24), which moto creates like gateway endpoints, are served as
EC2's API reference and the Gateway Load Balancer guide describe them: an endpoint service backed by
a Gateway Load Balancer reports the type `GatewayLoadBalancer` (moto: `Gateway`); the endpoint needs
a service of that type, takes exactly one subnet and no security group, policy or private DNS (EC2
answers InvalidParameter; the wording here is not EC2's, no real answer was found), gets one network
interface in its subnet, reports no policy and no DNS entries, and waits in `pendingAcceptance` when
the service requires acceptance; ModifyVpcEndpoint keeps exactly one subnet.

Timing (pending states, delays of acceptance, eventual consistency, throttling) is not here: the realistic-EC2
mode of scripts/ec2proxy.py layers it on these answers.

Python 3 standard library plus the moto of .venv only.
"""
import json
import os
import sys

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import vpcs as models
from moto.ec2.responses.vpcs import VPCs
from moto.ec2.utils import generate_route_id, random_private_ip, random_resource_id
from moto.core.responses import ActionResult
from moto.ec2.models import vpc_service_configuration as service_models
from moto.ec2.responses import vpc_service_configuration as service_responses
import moto.server as moto_server

import lattice_endpoints

PRIVATE_ZONE = "ZPRIVATEDNSVPCE"


class InvalidParameter(EC2ClientError):
    def __init__(self, message):
        super().__init__("InvalidParameter", message)


def check_private_dns(backend, vpc_id):
    vpc = backend.get_vpc(vpc_id)
    if not (getattr(vpc, "enable_dns_support", False) and getattr(vpc, "enable_dns_hostnames", False)):
        raise InvalidParameter(
            f"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {vpc_id}"
        )


def private_dns_name(service_name):
    """`com.amazonaws.REGION.SVC` -> `SVC.REGION.amazonaws.com` (AWS services' private DNS names)."""
    parts = service_name.split(".")
    if len(parts) >= 4 and parts[0] == "com" and parts[1] == "amazonaws" and parts[2] != "vpce":
        return ".".join(parts[3:]) + "." + parts[2] + ".amazonaws.com"
    return None


def sync_private_dns_entry(ep):
    entries = [e for e in (ep.dns_entries or []) if e.get("hosted_zone_id") != PRIVATE_ZONE]
    name = private_dns_name(ep.service_name) if ep.private_dns_enabled else None
    if name and (ep.vpc_endpoint_type or "").lower() == "interface":
        entries.append({"dns_name": name, "hosted_zone_id": PRIVATE_ZONE})
    ep.dns_entries = entries


def dns_record_ip_type(response):
    options = response._get_param("DnsOptions")
    return options.get("DnsRecordIpType") if isinstance(options, dict) else None


def is_gateway(ep):
    return (ep.vpc_endpoint_type or "Gateway").lower() == "gateway"


def is_interface(ep):
    return (ep.vpc_endpoint_type or "").lower() == "interface"


def is_gwlb(ep):
    return (ep.vpc_endpoint_type or "").lower() == "gatewayloadbalancer"


GWLB = "Gateway Load Balancer endpoints"


def check_gwlb_create(response, service):
    """What CreateVpcEndpoint takes for a Gateway Load Balancer endpoint (EC2 API reference: one subnet;
    SecurityGroupIds, PolicyDocument and PrivateDnsEnabled are for other types). Wording not EC2's."""
    backend = response.ec2_backend
    details = service_details(backend, response.region, service, "gatewayloadbalancer")
    types = [(t.get("ServiceType") or "") for t in (details or {}).get("ServiceType", [])]
    if details is not None and "GatewayLoadBalancer" not in types:
        raise InvalidParameter(f"The VPC endpoint service {service} does not support the endpoint type GatewayLoadBalancer.")
    subnets = response._get_param("SubnetIds", []) or []
    if len(subnets) != 1:
        raise InvalidParameter(f"{GWLB} must have exactly one subnet; {len(subnets)} were given.")
    if response._get_param("SecurityGroupIds", []):
        raise InvalidParameter(f"{GWLB} do not support security groups.")
    if response._get_param("PolicyDocument"):
        raise InvalidParameter(f"{GWLB} do not support endpoint policies.")
    if response._get_bool_param("PrivateDnsEnabled"):
        raise InvalidParameter(f"{GWLB} do not support private DNS.")


# --- What EC2 rejects and moto accepts ---------------------------------------------------------------
# Codes and messages are EC2's own where they were seen in real answers (the reference's table "EC2 error
# codes / messages to map"); where no real answer was found, the wording is the closest documented one,
# and the comment at the raise says so.

ENV_INTERFACE_LIMIT = "VPCE_EMU_INTERFACE_ENDPOINTS_PER_VPC"
ENV_GATEWAY_LIMIT = "VPCE_EMU_GATEWAY_ENDPOINTS_PER_REGION"
# EC2's default quotas (PrivateLink quotas page): 50 interface and Gateway Load Balancer endpoints per VPC
# (combined), 20 gateway endpoints per Region; both adjustable, so both can be raised here: the
# environment at start, or POST /__emulator/limits at run time.
# Resource endpoints: 200 per VPC, service-network endpoints: 50 per VPC (the quotas page in its
# Japanese and Chinese editions); settable at run time too.
LIMITS = {
    "interface_endpoints_per_vpc": int(os.environ.get(ENV_INTERFACE_LIMIT) or 50),
    "gateway_endpoints_per_region": int(os.environ.get(ENV_GATEWAY_LIMIT) or 20),
    "resource_endpoints_per_vpc": 200,
    "service_network_endpoints_per_vpc": 50,
}
# Characters per VPC endpoint policy (not adjustable).
POLICY_MAX_CHARS = 20480


def live(ep):
    return (ep.state or "").lower() != "deleted"


def is_s3(service_name):
    parts = (service_name or "").split(".")
    return len(parts) == 4 and parts[:2] == ["com", "amazonaws"] and parts[3] == "s3"


def service_details(backend, region, service_name, endpoint_type=None):
    """The DescribeVpcEndpointServices entry of a service (of that type when given), None if unknown."""
    found = [s for s in backend._collect_default_endpoint_services(backend.account_id, region) if s["ServiceName"] == service_name]
    found += [c.to_dict() for c in backend.configurations.values() if c.service_name == service_name]
    if endpoint_type:
        typed = [s for s in found if any((t.get("ServiceType") or "").lower() == endpoint_type for t in s.get("ServiceType", []))]
        found = typed or found
    return found[0] if found else None


def service_private_dns_name(backend, region, service_name):
    details = service_details(backend, region, service_name, "interface")
    if details is None:
        return private_dns_name(service_name)
    return details.get("PrivateDnsName") or None


def default_private_dns(backend, region, service_name):
    """PrivateDnsEnabled when the request leaves it out: EC2 documents true; for a service without a
    private DNS name it is false (no hosted zone to associate; EC2 rejects only an explicit true)."""
    details = service_details(backend, region, service_name, "interface")
    return details is None or bool(details.get("PrivateDnsName"))


def check_limits(backend, endpoint_type, vpc_id):
    # Message: the description of VpcEndpointLimitExceeded in EC2's error-code documentation (no real
    # answer's text was found).
    message = "You've reached the limit on the number of VPC endpoints that you can create in the AWS Region."
    eps = [ep for ep in backend.vpc_end_points.values() if live(ep)]
    if endpoint_type in ("interface", "gatewayloadbalancer"):
        n = sum(1 for ep in eps if ep.vpc_id == vpc_id and (ep.vpc_endpoint_type or "").lower() in ("interface", "gatewayloadbalancer"))
        if n >= LIMITS["interface_endpoints_per_vpc"]:
            raise EC2ClientError("VpcEndpointLimitExceeded", message)
    elif endpoint_type == "gateway":
        n = sum(1 for ep in eps if is_gateway(ep))
        if n >= LIMITS["gateway_endpoints_per_region"]:
            raise EC2ClientError("VpcEndpointLimitExceeded", message)
    elif endpoint_type in ("resource", "servicenetwork"):
        n = sum(1 for ep in eps if ep.vpc_id == vpc_id and (ep.vpc_endpoint_type or "").lower() == endpoint_type)
        key = "resource_endpoints_per_vpc" if endpoint_type == "resource" else "service_network_endpoints_per_vpc"
        if n >= LIMITS[key]:
            raise EC2ClientError("VpcEndpointLimitExceeded", message)


def is_full_access(policy):
    """The default policy (or one equal to it): one statement allowing every principal every action on
    every resource, without conditions."""
    try:
        doc = json.loads(policy)
    except ValueError:
        return False
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or len(statements) != 1 or not isinstance(statements[0], dict):
        return False
    st = statements[0]
    star = lambda v: v == "*" or v == ["*"]
    principal = st.get("Principal")
    if isinstance(principal, dict) and list(principal) == ["AWS"]:
        principal = principal["AWS"]
    return (st.get("Effect") == "Allow" and star(principal) and star(st.get("Action")) and star(st.get("Resource"))
            and set(st) <= {"Sid", "Effect", "Principal", "Action", "Resource"})


def check_policy(backend, region, service_name, policy):
    if not policy:
        return
    if len(policy) > POLICY_MAX_CHARS:
        # Not a seen answer: EC2's code for a policy it refuses (InvalidPolicyDocument, "The Policy Document
        # is not valid. ..."), with the documented quota's wording ("The size of an endpoint policy cannot
        # exceed 20,480 characters, including white space.").
        raise EC2ClientError("InvalidPolicyDocument",
                             f"The Policy Document is not valid. The size of an endpoint policy cannot exceed 20,480 characters, including white space ({len(policy)}).")
    details = service_details(backend, region, service_name)
    if details is not None and details.get("VpcEndpointPolicySupported") is False and not is_full_access(policy):
        # Message verbatim (pulumi-aws-native #1711, HTTP 400); the code was not shown there (CloudControl
        # wrapped it), InvalidParameter is EC2's code for its other refused endpoint parameters.
        raise InvalidParameter(f"Service {service_name} only supports the full-access endpoint policy.")


def check_dns_options(response, endpoint_type):
    """DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint of the request: None when not sent."""
    options = response._get_param("DnsOptions")
    value = options.get("PrivateDnsOnlyForInboundResolverEndpoint") if isinstance(options, dict) else None
    if value is None:
        return None
    if endpoint_type != "interface":
        raise InvalidParameter("DnsOptions PrivateDnsOnlyForInboundResolverEndpoint is applicable only to Interface VPC Endpoints.")
    return str(value).lower() == "true"


def check_inbound_resolver(backend, vpc_id, service_name, inbound_only):
    """For S3 with private DNS, EC2 defaults PrivateDnsOnlyForInboundResolverEndpoint to true, which needs a
    gateway endpoint for S3 in the VPC. Returns the flag's value (None for other services)."""
    if not is_s3(service_name):
        return inbound_only
    if inbound_only is None:
        inbound_only = True
    if inbound_only:
        gateways = [ep for ep in backend.vpc_end_points.values()
                    if live(ep) and is_gateway(ep) and ep.vpc_id == vpc_id and ep.service_name == service_name]
        if not gateways:
            raise InvalidParameter(f"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {vpc_id} must have a Gateway endpoint for the service.")
    return inbound_only


def check_service_private_dns(backend, region, service_name):
    details = service_details(backend, region, service_name, "interface")
    if details is not None and not details.get("PrivateDnsName"):
        raise InvalidParameter(f"Private DNS can't be enabled because the service {service_name} does not provide a private DNS name.")


def check_private_dns_conflict(backend, region, vpc_id, service_name, exclude=None):
    """One private hosted zone per service name in a VPC. An endpoint EC2 is still deleting keeps its zone
    until it is gone; moto deletes at once (state `deleted`), and the realistic mode of ec2proxy.py, which
    shows `deleting`, answers this conflict itself for the endpoints it shows so."""
    for ep in backend.vpc_end_points.values():
        if (ep.id != exclude and live(ep) and is_interface(ep) and ep.vpc_id == vpc_id and ep.service_name == service_name
                and ep.private_dns_enabled):
            name = service_private_dns_name(backend, region, service_name) or service_name
            raise InvalidParameter(f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} in the VPC {vpc_id}")


def check_endpoint_routes(backend, service_name, route_table_ids):
    """A route table holds one route per prefix list: a second gateway endpoint of a service cannot take a
    table that routes the service already. moto's CreateRoute checks CIDR destinations only. The message
    is EC2's as seen in real answers; the code too (one write-up shows InvalidParameter before it instead)."""
    prefix_lists = [pl.id for pl in backend.managed_prefix_lists.values() if pl.prefix_list_name == service_name]
    for rt_id in route_table_ids:
        table = backend.route_tables.get(rt_id)
        if table is None or not prefix_lists:
            continue
        for route in table._routes.values():
            if route.destination_prefix_list_id in prefix_lists:
                raise EC2ClientError("RouteAlreadyExists",
                                     f"route table {rt_id} already has a route with destination-prefix-list-id {route.destination_prefix_list_id}")


def subnet_has_ipv6(subnet):
    return any((a.get("ipv6CidrBlockState") or {}).get("State", "associated") == "associated" and a.get("ipv6CidrBlock")
               for a in (subnet.ipv6_cidr_block_associations or {}).values())


def check_ip_address_type(backend, region, endpoint_type, service_name, ip_type, subnet_ids):
    """Interface endpoints: ipv4 needs subnets with IPv4 blocks, dualstack subnets with both, ipv6
    IPv6-only subnets; and the service must accept the type (its SupportedIpAddressTypes, where it
    reports them). No real answer's text was found for these: the messages are the documented rules'
    wording ("IPv4 / IPv6 / Dualstack ... all subnets ...", create-interface-endpoint.html), not EC2's."""
    ip_type = (ip_type or "ipv4").lower()
    if endpoint_type != "interface":
        return
    for subnet_id in subnet_ids:
        subnet = backend.get_subnet(subnet_id)
        ipv6_only = bool(getattr(subnet, "ipv6_native", False))
        if ip_type == "dualstack" and (ipv6_only or not subnet_has_ipv6(subnet)):
            raise InvalidParameter(f"The IP address type dualstack requires subnets with both IPv4 and IPv6 CIDR blocks; subnet {subnet_id} has no IPv6 CIDR block.")
        if ip_type == "ipv6" and not ipv6_only:
            raise InvalidParameter(f"The IP address type ipv6 requires IPv6-only subnets; subnet {subnet_id} is not IPv6-only.")
        if ip_type == "ipv4" and ipv6_only:
            raise InvalidParameter(f"The IP address type ipv4 requires subnets with IPv4 CIDR blocks; subnet {subnet_id} is IPv6-only.")
    details = service_details(backend, region, service_name, "interface")
    supported = [t.lower() for t in (details or {}).get("SupportedIpAddressTypes") or []]
    needs = {"ipv4": ["ipv4"], "ipv6": ["ipv6"], "dualstack": ["ipv4", "ipv6"]}.get(ip_type, [])
    if supported and any(t not in supported for t in needs):
        raise InvalidParameter(f"The VPC endpoint service {service_name} does not support the IP address type {ip_type}.")


original_create = VPCs.create_vpc_endpoint


def create_vpc_endpoint(self):
    backend = self.ec2_backend
    endpoint_type = (self._get_param("VpcEndpointType") or "Gateway").lower()
    lattice = lattice_endpoints.lattice_type(endpoint_type)
    if lattice:
        check_limits(backend, lattice, self._get_param("VpcId"))
        return lattice_endpoints.create_lattice_endpoint(self, lattice, check_ip_address_type)
    lattice_endpoints.check_not_lattice_params(self, endpoint_type)
    vpc_id = self._get_param("VpcId")
    service = self._get_param("ServiceName")
    private_dns = self._get_bool_param("PrivateDnsEnabled")
    if private_dns is None:
        private_dns = default_private_dns(backend, self.region, service)
    check_limits(backend, endpoint_type, vpc_id)
    if endpoint_type == "gatewayloadbalancer":
        check_gwlb_create(self, service)
    check_policy(backend, self.region, service, self._get_param("PolicyDocument"))
    inbound_only = check_dns_options(self, endpoint_type)
    check_ip_address_type(backend, self.region, endpoint_type, service, self._get_param("IpAddressType") or "ipv4",
                          self._get_param("SubnetIds", []) or [])
    if endpoint_type == "gateway":
        check_endpoint_routes(backend, service, self._get_param("RouteTableIds", []) or [])
    if endpoint_type == "interface" and private_dns:
        check_service_private_dns(backend, self.region, service)
        check_private_dns(backend, vpc_id)
        check_private_dns_conflict(backend, self.region, vpc_id, service)
        inbound_only = check_inbound_resolver(backend, vpc_id, service, inbound_only)
    privatelink_before_create(self)
    result = original_create(self)
    ep = result.result["VpcEndpoint"] if hasattr(result, "result") else None
    if ep is None:
        return result
    if not ep.vpc_endpoint_type:
        ep.vpc_endpoint_type = "Gateway"  # EC2's default type (moto leaves it unset, and its delete then fails)
    if is_interface(ep) and not ep.security_group_ids:
        group = backend.get_default_security_group(ep.vpc_id)
        if group is not None:
            ep.security_group_ids = [group.id]
    ep.private_dns_enabled = bool(private_dns) if is_interface(ep) else False
    ep.ip_address_type = self._get_param("IpAddressType") or "ipv4"
    record = dns_record_ip_type(self)
    ep.dns_options = {"DnsRecordIpType": record or ("ipv4" if is_interface(ep) else "service-defined")}
    if is_interface(ep) and is_s3(ep.service_name):
        ep.dns_options["PrivateDnsOnlyForInboundResolverEndpoint"] = bool(ep.private_dns_enabled and inbound_only)
    sync_private_dns_entry(ep)
    if is_gwlb(ep):
        ep.policy_document = None
        ep.dns_entries = []
        ep.destination_prefix_list_id = None
        ep.network_interface_ids = [backend.create_network_interface(s, random_private_ip()).id for s in ep.subnet_ids or []]
    privatelink_after_create(self, ep)
    return result


def modify_vpc_endpoint(self):
    backend = self.ec2_backend
    ep_id = self._get_param("VpcEndpointId")
    ep = backend.describe_vpc_endpoints(vpc_end_point_ids=[ep_id])[0]
    if lattice_endpoints.is_lattice(ep):
        return lattice_endpoints.modify_lattice_endpoint(self, ep)
    add_rts = self._get_param("AddRouteTableIds", [])
    remove_rts = self._get_param("RemoveRouteTableIds", [])
    add_subnets = self._get_param("AddSubnetIds", [])
    remove_subnets = self._get_param("RemoveSubnetIds", [])
    private_dns = self._get_bool_param("PrivateDnsEnabled")
    endpoint_type = (ep.vpc_endpoint_type or "Gateway").lower()
    if is_gwlb(ep):
        after = [s for s in (ep.subnet_ids or []) if s not in remove_subnets] + [s for s in add_subnets if s not in (ep.subnet_ids or [])]
        if len(after) != 1:
            raise InvalidParameter(f"{GWLB} must have exactly one subnet; the change leaves {len(after)}.")
        if self._get_param("AddSecurityGroupIds", []) or self._get_param("PolicyDocument") or self._get_bool_param("ResetPolicy") \
                or self._get_bool_param("PrivateDnsEnabled"):
            raise InvalidParameter(f"{GWLB} do not support security groups, endpoint policies or private DNS.")
    check_policy(backend, self.region, ep.service_name, self._get_param("PolicyDocument"))
    inbound_only = check_dns_options(self, endpoint_type)
    ip_type = self._get_param("IpAddressType")
    if ip_type or add_subnets:
        subnets = [s for s in (ep.subnet_ids or []) if s not in remove_subnets] + [s for s in add_subnets if s not in (ep.subnet_ids or [])]
        check_ip_address_type(backend, self.region, endpoint_type, ep.service_name, ip_type or getattr(ep, "ip_address_type", None) or "ipv4",
                              subnets)
    if is_gateway(ep):
        check_endpoint_routes(backend, ep.service_name, [rt for rt in add_rts if rt not in (ep.route_table_ids or [])])
    dns_on_after = private_dns if private_dns is not None else bool(ep.private_dns_enabled)
    if is_interface(ep) and dns_on_after:
        if private_dns and not ep.private_dns_enabled:  # turned on now
            check_service_private_dns(backend, self.region, ep.service_name)
            check_private_dns(backend, ep.vpc_id)
            check_private_dns_conflict(backend, self.region, ep.vpc_id, ep.service_name, exclude=ep.id)
        if is_s3(ep.service_name) and (inbound_only is not None or not ep.private_dns_enabled):
            # Turning private DNS on defaults the flag to true for S3, as CreateVpcEndpoint does.
            inbound_only = check_inbound_resolver(backend, ep.vpc_id, ep.service_name, inbound_only)
    privatelink_before_modify(self, ep)
    before_rts = list(ep.route_table_ids or [])
    before_subnets = list(ep.subnet_ids or [])
    VPCs_original_modify(self)
    if is_gateway(ep) and ep.destination_prefix_list_id:
        for rt in add_rts:
            if rt not in before_rts:
                backend.create_route(rt, None, gateway_id=ep.id, destination_prefix_list_id=ep.destination_prefix_list_id)
        for rt in remove_rts:
            if rt in before_rts:
                try:
                    backend.delete_route(rt, ep.destination_prefix_list_id)
                except Exception:
                    pass
    if is_interface(ep) or is_gwlb(ep):
        for subnet in add_subnets:
            if subnet not in before_subnets:
                backend.get_subnet(subnet)
                eni = backend.create_network_interface(subnet, random_private_ip())
                ep.network_interface_ids.append(eni.id)
        for subnet in remove_subnets:
            if subnet in before_subnets:
                for eni_id in list(ep.network_interface_ids):
                    eni = backend.enis.get(eni_id)
                    if eni is not None and getattr(eni.subnet, "id", None) == subnet:
                        backend.enis.pop(eni_id, None)
                        ep.network_interface_ids.remove(eni_id)
    privatelink_modify(self, ep)
    if self._get_bool_param("ResetPolicy"):
        ep.policy_document = json.dumps(models.VPCEndPoint.DEFAULT_POLICY)
    if private_dns is not None and is_interface(ep):
        ep.private_dns_enabled = private_dns
    ip_type = self._get_param("IpAddressType")
    if ip_type:
        ep.ip_address_type = ip_type
    record = dns_record_ip_type(self)
    if record:
        ep.dns_options = dict(ep.dns_options or {}, DnsRecordIpType=record)
    if is_interface(ep) and is_s3(ep.service_name):
        options = dict(ep.dns_options or {})
        if not ep.private_dns_enabled:
            options["PrivateDnsOnlyForInboundResolverEndpoint"] = False
        elif inbound_only is not None:
            options["PrivateDnsOnlyForInboundResolverEndpoint"] = bool(inbound_only)
        ep.dns_options = options
    sync_private_dns_entry(ep)
    return ActionResult({"Return": True})


# --- PrivateLink extras: SubnetConfigurations, ServiceRegion, connection acceptance ---------------


class InvalidParameterValue(EC2ClientError):
    def __init__(self, message):
        super().__init__("InvalidParameterValue", message)


def subnet_configurations(response):
    """The request's SubnetConfigurations: [{"SubnetId", "Ipv4", "Ipv6"}]."""
    return [c for c in (response._get_param("SubnetConfigurations", []) or []) if isinstance(c, dict)]


def check_address(address, cidr, subnet_id):
    """EC2's rule: inside the subnet's block, not one of the first four nor the last address."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise InvalidParameterValue(f"Invalid IP address {address} for subnet {subnet_id}")
    if ip.version != net.version or ip not in net:
        raise InvalidParameterValue(f"The specified IP address {address} is not within the CIDR block of subnet {subnet_id}")
    offset = int(ip) - int(net.network_address)
    if offset < 4 or ip == net.broadcast_address or offset == net.num_addresses - 1:
        raise InvalidParameterValue(f"The specified IP address {address} is reserved in subnet {subnet_id}")


def check_subnet_configurations(backend, configs, subnet_ids):
    for c in configs:
        subnet_id = c.get("SubnetId")
        if subnet_id not in subnet_ids:
            raise InvalidParameterValue(f"Subnet {subnet_id} of the subnet configurations is not a subnet of the endpoint")
        subnet = backend.get_subnet(subnet_id)
        if c.get("Ipv4"):
            check_address(c["Ipv4"], subnet.cidr_block, subnet_id)
        if c.get("Ipv6"):
            blocks = [a.get("ipv6CidrBlock") for a in (subnet.ipv6_cidr_block_associations or {}).values()]
            if not blocks:
                raise InvalidParameterValue(f"Subnet {subnet_id} has no IPv6 CIDR block")
            check_address(c["Ipv6"], blocks[0], subnet_id)


def assign_subnet_configurations(backend, ep, configs):
    """Gives the endpoint's network interface in each configured subnet the configured addresses."""
    for c in configs:
        for eni_id in ep.network_interface_ids:
            eni = backend.enis.get(eni_id)
            if eni is None or getattr(eni.subnet, "id", None) != c.get("SubnetId"):
                continue
            if c.get("Ipv4"):
                eni.private_ip_address = c["Ipv4"]
                eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": c["Ipv4"]}]
            if c.get("Ipv6"):
                eni.ipv6_addresses = [c["Ipv6"]]


def own_service(backend, service_name):
    for config in backend.configurations.values():
        if config.service_name == service_name:
            return config
    return None


def privatelink_before_create(response):
    backend = response.ec2_backend
    check_subnet_configurations(backend, subnet_configurations(response), response._get_param("SubnetIds", []) or [])


def privatelink_after_create(response, ep):
    backend = response.ec2_backend
    assign_subnet_configurations(backend, ep, subnet_configurations(response))
    region = response._get_param("ServiceRegion")
    if region:
        ep.service_region = region
    service = own_service(backend, ep.service_name)
    if (is_interface(ep) or is_gwlb(ep)) and service is not None and service.acceptance_required:
        ep.state = "pendingAcceptance"


def privatelink_before_modify(response, ep):
    subnets = [s for s in (ep.subnet_ids or []) if s not in (response._get_param("RemoveSubnetIds", []) or [])]
    subnets += response._get_param("AddSubnetIds", []) or []
    check_subnet_configurations(response.ec2_backend, subnet_configurations(response), subnets)


def privatelink_modify(response, ep):
    assign_subnet_configurations(response.ec2_backend, ep, subnet_configurations(response))


def accept_vpc_endpoint_connections(self):
    """AcceptVpcEndpointConnections: the service owner accepts waiting endpoints of its service."""
    backend = self.ec2_backend
    service_id = self._get_param("ServiceId")
    config = backend.describe_vpc_endpoint_service_configurations([service_id])[0]
    unsuccessful = []
    for ep_id in self._get_param("VpcEndpointIds", []) or []:
        ep = backend.vpc_end_points.get(ep_id)
        if ep is None or ep.service_name != config.service_name:
            unsuccessful.append(
                {"ResourceId": ep_id, "Error": {"Code": "InvalidVpcEndpointId.NotFound", "Message": f"The Vpc Endpoint Id '{ep_id}' does not exist"}}
            )
        elif (ep.state or "").lower() == "pendingacceptance":
            ep.state = "available"
    return ActionResult({"Unsuccessful": unsuccessful})


def endpoints_of_service(backend, config):
    return [ep for ep in backend.vpc_end_points.values() if ep.service_name == config.service_name and live(ep)]


def reject_vpc_endpoint_connections(self):
    """RejectVpcEndpointConnections: the service owner rejects endpoints of its service, waiting for
    acceptance or already available ("You can reject an endpoint connection after it's in the available
    state", PrivateLink guide); they become `rejected`. An id that is not an endpoint of the service is
    listed in Unsuccessful (InvalidVpcEndpointId.NotFound, as AcceptVpcEndpointConnections does here) and
    the others are rejected; an unknown service is InvalidVpcEndpointServiceId.NotFound."""
    backend = self.ec2_backend
    config = backend.describe_vpc_endpoint_service_configurations([self._get_param("ServiceId")])[0]
    mine = {ep.id: ep for ep in endpoints_of_service(backend, config)}
    unsuccessful = []
    for ep_id in self._get_param("VpcEndpointIds", []) or []:
        ep = mine.get(ep_id)
        if ep is None:
            unsuccessful.append(
                {"ResourceId": ep_id, "Error": {"Code": "InvalidVpcEndpointId.NotFound", "Message": f"The Vpc Endpoint Id '{ep_id}' does not exist"}}
            )
        else:
            ep.state = "rejected"
    return ActionResult({"Unsuccessful": unsuccessful})


CONNECTION_FILTERS = ("ip-address-type", "service-id", "transit-gateway-attachment-id", "vpc-endpoint-owner", "vpc-endpoint-region",
                      "vpc-endpoint-state", "vpc-endpoint-id")


def describe_vpc_endpoint_connections(self):
    """DescribeVpcEndpointConnections (moto lacks it): the endpoints connected to the account's endpoint
    services, each with its state (pendingAcceptance, available, rejected, ...), EC2's filters (any other
    name: InvalidParameterValue) and MaxResults / NextToken paging."""
    backend = self.ec2_backend
    filters = self._filters_from_querystring()
    check_filter_names(filters, CONNECTION_FILTERS)
    max_results = self._get_param("MaxResults")
    if max_results is not None and not 5 <= int(max_results) <= 1000:
        raise InvalidParameterValue(f"Value ( {max_results} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.")
    found = []
    for config in backend.configurations.values():
        for ep in endpoints_of_service(backend, config):
            values = {
                "ip-address-type": [getattr(ep, "ip_address_type", None) or "ipv4"],
                "service-id": [config.id],
                "transit-gateway-attachment-id": [],
                "vpc-endpoint-owner": [backend.account_id],
                "vpc-endpoint-region": [self.region],
                "vpc-endpoint-state": [ep.state],
                "vpc-endpoint-id": [ep.id],
            }
            if not all(filter_matches(values[name], patterns) for name, patterns in filters.items()):
                continue
            found.append({
                "ServiceId": config.id,
                "VpcEndpointId": ep.id,
                "VpcEndpointOwner": backend.account_id,
                "VpcEndpointState": ep.state,
                "CreationTimestamp": ep.creation_timestamp,
                "DnsEntries": [{"DnsName": e.get("dns_name"), "HostedZoneId": e.get("hosted_zone_id")} for e in ep.dns_entries or []],
                "NetworkLoadBalancerArns": list(config.network_load_balancer_arns or []),
                "GatewayLoadBalancerArns": list(config.gateway_load_balancer_arns or []),
                "IpAddressType": getattr(ep, "ip_address_type", None) or "ipv4",
                "VpcEndpointRegion": self.region,
                "Tags": [{"Key": t["key"], "Value": t["value"]} for t in ep.get_tags()],
            })
    found.sort(key=lambda c: c["VpcEndpointId"])
    token = self._get_param("NextToken")
    start = int(token) if token and token.isdigit() else 0
    end = start + int(max_results or 1000)
    result = {"VpcEndpointConnections": found[start:end]}
    if end < len(found):
        result["NextToken"] = str(end)
    return ActionResult(result)


def create_dns_entries(service_name, vpc_endpoint_id):
    """EC2's regional name: vpce-ID-SUFFIX.SVC.REGION.vpce.amazonaws.com (moto: vpce-ID-SUFFIX.SERVICE_NAME)."""
    parts = service_name.split(".")
    host = ".".join(parts[3:]) + "." + parts[2] if len(parts) >= 4 and parts[0] == "com" else service_name
    return {"dns_name": f"{vpc_endpoint_id}-{random_resource_id(8)}.{host}.vpce.amazonaws.com", "hosted_zone_id": "Z7HUB22UULQXV"}


def delete_vpc_endpoints(self):
    backend = self.ec2_backend
    ids = self._get_param("VpcEndpointIds", [])
    live, unsuccessful = [], []
    for ep_id in ids:
        ep = backend.vpc_end_points.get(ep_id)
        if ep is None or (ep.state or "").lower() == "deleted":
            unsuccessful.append({"Error": {"Code": "InvalidVpcEndpoint.NotFound", "Message": f"The VPC endpoint '{ep_id}' does not exist"},
                                 "ResourceId": ep_id})
        else:
            ep.vpc_endpoint_type = ep.vpc_endpoint_type or "Gateway"
            if lattice_endpoints.is_lattice(ep):
                lattice_endpoints.delete_lattice_endpoint(backend, ep)
            if is_gateway(ep):
                # EC2 deletes whatever routes to the endpoint are left; moto fails on one removed
                # out of band (DeleteRoute), so only the tables that still have it are cleaned.
                ep.route_table_ids = [rt for rt in ep.route_table_ids if rt in backend.route_tables
                                      and generate_route_id(rt, ep.destination_prefix_list_id) in backend.route_tables[rt]._routes]
            live.append(ep_id)
    backend.delete_vpc_endpoints(vpce_ids=live)
    return ActionResult({"Unsuccessful": unsuccessful})


# --- Filters as EC2 documents them ---------------------------------------------------------------------
# DescribeVpcEndpoints takes the filters ip-address-type, service-name, service-region, tag:<key>,
# tag-key, vpc-id, vpc-endpoint-id, vpc-endpoint-state and vpc-endpoint-type; DescribeVpcEndpointServices
# owner, service-name, service-region, service-type, supported-ip-address-types, tag:<key> and tag-key.
# EC2 answers any other name with InvalidParameterValue "The filter 'NAME' is invalid"; a filter matches
# when any of its values does (values may hold the wildcards * and ?), and every filter must match. moto
# knows only some of these names (and fails with an internal error on the others).
# DescribeVpcEndpointServices ServiceRegions (cross-region PrivateLink) lists the services of those
# Regions, each with its ServiceRegion; moto ignores the parameter and lists the local ones.

import fnmatch  # noqa: E402

ENDPOINT_FILTERS = ("ip-address-type", "service-name", "service-region", "tag-key", "vpc-id", "vpc-endpoint-id",
                    "vpc-endpoint-state", "vpc-endpoint-type")
SERVICE_FILTERS = ("owner", "service-name", "service-region", "service-type", "supported-ip-address-types", "tag-key")


def check_filter_names(filters, known):
    for name in filters:
        if name not in known and not name.startswith("tag:"):
            raise InvalidParameterValue(f"The filter '{name}' is invalid")


def filter_matches(values, patterns):
    return any(fnmatch.fnmatchcase(str(v), p) for v in values for p in patterns)


def endpoint_filter_values(ep, name, region):
    tags = {t["key"]: t["value"] for t in ep.get_tags()}
    if name.startswith("tag:"):
        key = name[4:]
        return [tags[key]] if key in tags else []
    return {
        "ip-address-type": [getattr(ep, "ip_address_type", None) or "ipv4"],
        "service-name": [ep.service_name] if ep.service_name else [],  # Resource / ServiceNetwork endpoints have none
        "service-region": [getattr(ep, "service_region", None) or region],
        "tag-key": list(tags),
        "vpc-id": [ep.vpc_id],
        "vpc-endpoint-id": [ep.id],
        "vpc-endpoint-state": [ep.state],
        "vpc-endpoint-type": [ep.vpc_endpoint_type or "Gateway"],
    }[name]


def describe_vpc_endpoints(self):
    max_results = self._get_param("MaxResults")
    token = self._get_param("NextToken")
    if max_results is not None and not 5 <= int(max_results) <= 1000:
        raise InvalidParameterValue(f"Value ( {max_results} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.")
    filters = self._filters_from_querystring()
    check_filter_names(filters, ENDPOINT_FILTERS)
    ids = self._get_param("VpcEndpointIds", [])
    found = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=ids, filters={})
    found = [ep for ep in found
             if all(filter_matches(endpoint_filter_values(ep, name, self.region), values) for name, values in filters.items())]
    if max_results is None and token is None:
        return ActionResult({"VpcEndpoints": found})
    found = sorted(found, key=lambda ep: ep.id)
    start = int(token) if token and token.isdigit() else 0
    end = start + int(max_results or 1000)
    result = {"VpcEndpoints": found[start:end]}
    if end < len(found):
        result["NextToken"] = str(end)
    return ActionResult(result)


def service_filter_values(detail, name):
    tags = {t.get("Key"): t.get("Value") for t in detail.get("Tags") or []}
    if name.startswith("tag:"):
        key = name[4:]
        return [tags[key]] if key in tags else []
    return {
        "owner": [detail.get("Owner")],
        "service-name": [detail.get("ServiceName")],
        "service-region": [detail.get("ServiceRegion")],
        "service-type": [t.get("ServiceType") for t in detail.get("ServiceType") or []],
        "supported-ip-address-types": list(detail.get("SupportedIpAddressTypes") or ["ipv4"]),
        "tag-key": list(tags),
    }[name]


def describe_vpc_endpoint_services(self):
    filters = self._filters_from_querystring()
    check_filter_names(filters, SERVICE_FILTERS)
    names = self._get_param("ServiceNames", [])
    regions = self._get_param("ServiceRegions", []) or [self.region]
    backend = self.ec2_backend
    details = []
    for region in regions:
        services = backend._collect_default_endpoint_services(backend.account_id, region)
        if region == self.region:
            services = services + [c.to_dict() for c in backend.configurations.values()]
        for s in services:
            s = dict(s)
            s["ServiceRegion"] = region
            details.append(s)
    for name in names:
        if name not in {d["ServiceName"] for d in details}:
            raise models.InvalidServiceName(name)
    details = [d for d in details
               if (not names or d["ServiceName"] in names)
               and all(filter_matches(service_filter_values(d, n), v) for n, v in filters.items())]
    details.sort(key=lambda d: (d["ServiceName"], d.get("ServiceRegion") or ""))
    max_results = int(self._get_param("MaxResults") or 1000)
    token = self._get_param("NextToken")
    start = int(token) if token and token.isdigit() else 0
    page = details[start:start + max_results]
    result = {"ServiceNames": [d["ServiceName"] for d in page], "ServiceDetails": page}
    if start + max_results < len(details):
        result["NextToken"] = str(start + max_results)
    return ActionResult(result)


# --- Endpoint services created in the account (NLB-backed) -------------------------------------------
# EC2 reports VpcEndpointPolicySupported false for them ("When you create a VPC endpoint for an endpoint
# service other than an AWS service, we allow full access to the endpoint", VPC endpoint policy docs; and
# EC2 answers "Service com.amazonaws.vpce.REGION.vpce-svc-... only supports the full-access endpoint
# policy." to a custom policy for one); moto reports true. CreateVpcEndpointServiceConfiguration
# SupportedIpAddressTypes (default ipv4) is kept and reported; moto drops it. The service's tags are
# reported in its ServiceDetail (Tags), as EC2 does; moto leaves them out.

original_config_to_dict = service_models.VPCServiceConfiguration.to_dict


def config_to_dict(self):
    details = original_config_to_dict(self)
    details["VpcEndpointPolicySupported"] = False
    details["SupportedIpAddressTypes"] = list(getattr(self, "supported_ip_address_types", None) or ["ipv4"])
    details["Tags"] = [{"Key": t["key"], "Value": t["value"]} for t in self.get_tags()]
    if not self.private_dns_name:
        details.pop("PrivateDnsName", None)
        details.pop("PrivateDnsNames", None)
    return details


original_create_config = service_responses.VPCEndpointServiceConfiguration.create_vpc_endpoint_service_configuration


def create_vpc_endpoint_service_configuration(self):
    result = original_create_config(self)
    config = result.result["ServiceConfiguration"] if hasattr(result, "result") else None
    if config is not None:
        config.supported_ip_address_types = [t.lower() for t in (self._get_param("SupportedIpAddressTypes", []) or ["ipv4"])]
        if config.gateway_load_balancer_arns:
            # A service of Gateway Load Balancers is of type GatewayLoadBalancer (moto: Gateway).
            config._service_type_name = "GatewayLoadBalancer"
    return result


service_models.VPCServiceConfiguration.to_dict = config_to_dict
service_responses.VPCEndpointServiceConfiguration.create_vpc_endpoint_service_configuration = create_vpc_endpoint_service_configuration


# --- POST /__emulator/limits: the endpoint quotas at run time ----------------------------------------


def limits_app(app):
    """GET /__emulator/limits answers the quotas in force (JSON); POST with a JSON object of any of them
    ({"interface_endpoints_per_vpc": N, "gateway_endpoints_per_region": M}) changes them and answers the
    new ones. Everything else goes to moto."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != "/__emulator/limits":
            return app(environ, start_response)
        status = "200 OK"
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                size = int(environ.get("CONTENT_LENGTH") or 0)
                changes = json.loads(environ["wsgi.input"].read(size) or b"{}")
                unknown = [k for k in changes if k not in LIMITS]
                if unknown:
                    raise ValueError(f"unknown limits {unknown} (known: {sorted(LIMITS)})")
                LIMITS.update({k: int(v) for k, v in changes.items()})
            except (ValueError, TypeError) as e:
                status = "400 Bad Request"
                body = json.dumps({"error": str(e)}).encode()
                start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
        body = json.dumps(LIMITS).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wrapped


class DispatcherWithLimits(moto_server.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        return limits_app(super().__call__)(environ, start_response)


def subnet_ipv6_cidr_block_association_set(self):
    """moto reports a subnet's IPv6 block state as the text of a dict ("{'State': 'associated'}");
    EC2 reports `associated`."""
    return [
        {
            "ipv6CidrBlock": a["ipv6CidrBlock"],
            "associationId": a["associationId"],
            "ipv6CidrBlockState": {"state": a["ipv6CidrBlockState"]["State"]},
        }
        for a in self.ipv6_cidr_block_associations.values()
        if a["ipv6CidrBlockState"]["State"] == "associated"
    ]


from moto.ec2.models.subnets import Subnet as _Subnet  # noqa: E402
from moto.ec2.models import security_groups as _sg_models  # noqa: E402

_original_create_security_group = _sg_models.SecurityGroupBackend.create_security_group


def create_security_group(self, name, description, vpc_id=None, tags=None, force=False, is_default=None):
    """EC2's default group admits all traffic from its own members ("Default security groups for your
    VPCs", VPC user guide); moto's has no inbound rule."""
    group = _original_create_security_group(self, name, description, vpc_id=vpc_id, tags=tags, force=force, is_default=is_default)
    if is_default:
        own = {"GroupId": group.id, "UserId": self.account_id}
        group.ingress_rules.append(_sg_models.SecurityGroupRule(self, "-1", group.id, None, None, None, source_group=own, is_egress=False))
    return group


_sg_models.SecurityGroupBackend.create_security_group = create_security_group

_Subnet.ipv6_cidr_block_association_set = property(subnet_ipv6_cidr_block_association_set)

# --- emulator speed: what makes moto, not the provider, the bound of the scale benches ---------------
# moto finds one resource's tags by scanning every tag of the region (describe_tags with a resource-id
# filter, a regular expression per tag): every endpoint of a DescribeVpcEndpoints answer, and every
# endpoint a filter looks at, costs time in proportion to all the tags there are, so a listing of N
# tagged endpoints is O(N^2) (1000 endpoints: seconds per call). The same answer by key. And moto's
# dispatcher lists its own package directory (a listdir and ~150 isdir calls) on every request to find
# the service; the directory does not change while the server runs.
from moto.ec2.models.core import TaggedEC2Resource  # noqa: E402
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix  # noqa: E402
import moto.backends as _moto_backends  # noqa: E402


def tags_by_key(self):
    resource_id = getattr(self, "id", None)
    if not resource_id:
        return []
    kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
    return [{"resource_id": resource_id, "key": k, "value": v, "resource_type": kind}
            for k, v in self.ec2_backend.tags.get(resource_id, {}).items()]


TaggedEC2Resource.get_tags = tags_by_key
_MOTO_MODULES = tuple(_moto_backends.list_of_moto_modules())
_moto_backends.list_of_moto_modules = lambda: _MOTO_MODULES

VPCs.describe_vpc_endpoints = describe_vpc_endpoints
VPCs.describe_vpc_endpoint_services = describe_vpc_endpoint_services
VPCs_original_modify = VPCs.modify_vpc_endpoint
VPCs.delete_vpc_endpoints = delete_vpc_endpoints
models.create_dns_entries = create_dns_entries
VPCs.create_vpc_endpoint = create_vpc_endpoint
VPCs.modify_vpc_endpoint = modify_vpc_endpoint
VPCs.accept_vpc_endpoint_connections = accept_vpc_endpoint_connections
VPCs.reject_vpc_endpoint_connections = reject_vpc_endpoint_connections
VPCs.describe_vpc_endpoint_connections = describe_vpc_endpoint_connections

lattice_endpoints.install_lattice()

if __name__ == "__main__":
    moto_server.DomainDispatcherApplication = DispatcherWithLimits
    moto_server.main(sys.argv[1:])
