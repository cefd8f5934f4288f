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
- CreateVpcEndpoint / ModifyVpcEndpoint SubnetConfigurations (static addresses per subnet): EC2
  gives the endpoint's network interface in the subnet those addresses, and rejects an address
  outside the subnet's CIDR block or among the five AWS reserves (InvalidParameterValue); moto
  ignores them (and picks addresses outside the subnet).
- CreateVpcEndpoint ServiceRegion (cross-region PrivateLink): EC2 reports it as the endpoint's
  `serviceRegion`; moto drops it.
- DescribeVpcEndpoints MaxResults (5 to 1000) / NextToken: EC2 answers in pages; moto ignores
  them and answers everything at once (so paging code would go untested).
- An endpoint of a service whose configuration has AcceptanceRequired starts `pendingAcceptance`
  until the service owner calls AcceptVpcEndpointConnections, which moto lacks; moto makes every
  endpoint `available`.

Timing (pending states, delays of acceptance, eventual consistency, throttling) is not here: the realistic-EC2
mode of scripts/ec2proxy.py layers it on these answers.

Python 3 standard library plus the moto of .venv only.
"""
import json
import sys

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import vpcs as models
from moto.ec2.responses.vpcs import VPCs
from moto.ec2.utils import generate_route_id, random_private_ip, random_resource_id
from moto.core.responses import ActionResult

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


original_create = VPCs.create_vpc_endpoint


def create_vpc_endpoint(self):
    backend = self.ec2_backend
    endpoint_type = (self._get_param("VpcEndpointType") or "Gateway").lower()
    private_dns = self._get_bool_param("PrivateDnsEnabled", if_none=True)
    if endpoint_type == "interface" and private_dns:
        check_private_dns(backend, self._get_param("VpcId"))
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
    if not is_interface(ep):
        ep.private_dns_enabled = False
    ep.ip_address_type = self._get_param("IpAddressType") or "ipv4"
    record = dns_record_ip_type(self)
    ep.dns_options = {"DnsRecordIpType": record or ("ipv4" if is_interface(ep) else "service-defined")}
    sync_private_dns_entry(ep)
    privatelink_after_create(self, ep)
    return result


def modify_vpc_endpoint(self):
    backend = self.ec2_backend
    ep_id = self._get_param("VpcEndpointId")
    ep = backend.describe_vpc_endpoints(vpc_end_point_ids=[ep_id])[0]
    add_rts = self._get_param("AddRouteTableIds", [])
    remove_rts = self._get_param("RemoveRouteTableIds", [])
    add_subnets = self._get_param("AddSubnetIds", [])
    remove_subnets = self._get_param("RemoveSubnetIds", [])
    private_dns = self._get_bool_param("PrivateDnsEnabled")
    if private_dns and is_interface(ep):
        check_private_dns(backend, ep.vpc_id)
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
    if is_interface(ep):
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
        ep.dns_options = {"DnsRecordIpType": record}
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
    if is_interface(ep) and service is not None and service.acceptance_required:
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
            if is_gateway(ep):
                # EC2 deletes whatever routes to the endpoint are left; moto fails on one removed
                # out of band (DeleteRoute), so only the tables that still have it are cleaned.
                ep.route_table_ids = [rt for rt in ep.route_table_ids if rt in backend.route_tables
                                      and generate_route_id(rt, ep.destination_prefix_list_id) in backend.route_tables[rt]._routes]
            live.append(ep_id)
    backend.delete_vpc_endpoints(vpce_ids=live)
    return ActionResult({"Unsuccessful": unsuccessful})


def describe_vpc_endpoints(self):
    max_results = self._get_param("MaxResults")
    token = self._get_param("NextToken")
    if max_results is None and token is None:
        return VPCs_original_describe(self)
    if max_results is not None and not 5 <= int(max_results) <= 1000:
        raise InvalidParameterValue(f"Value ( {max_results} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.")
    ids = self._get_param("VpcEndpointIds", [])
    found = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=ids, filters=self._filters_from_querystring())
    found = sorted(found, key=lambda ep: ep.id)
    start = int(token) if token and token.isdigit() else 0
    end = start + int(max_results or 1000)
    result = {"VpcEndpoints": found[start:end]}
    if end < len(found):
        result["NextToken"] = str(end)
    return ActionResult(result)


VPCs_original_describe = VPCs.describe_vpc_endpoints
VPCs.describe_vpc_endpoints = describe_vpc_endpoints
VPCs_original_modify = VPCs.modify_vpc_endpoint
VPCs.delete_vpc_endpoints = delete_vpc_endpoints
models.create_dns_entries = create_dns_entries
VPCs.create_vpc_endpoint = create_vpc_endpoint
VPCs.modify_vpc_endpoint = modify_vpc_endpoint
VPCs.accept_vpc_endpoint_connections = accept_vpc_endpoint_connections

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
