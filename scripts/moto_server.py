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
  deletes an already deleted gateway endpoint's routes again, failing on the missing route).

Timing (pending states, acceptance, eventual consistency, throttling) is not here: the realistic-EC2
mode of scripts/ec2proxy.py layers it on these answers.

Python 3 standard library plus the moto of .venv only.
"""
import json
import sys

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import vpcs as models
from moto.ec2.responses.vpcs import VPCs
from moto.ec2.utils import random_private_ip, random_resource_id
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
            live.append(ep_id)
    backend.delete_vpc_endpoints(vpce_ids=live)
    return ActionResult({"Unsuccessful": unsuccessful})


VPCs_original_modify = VPCs.modify_vpc_endpoint
VPCs.delete_vpc_endpoints = delete_vpc_endpoints
models.create_dns_entries = create_dns_entries
VPCs.create_vpc_endpoint = create_vpc_endpoint
VPCs.modify_vpc_endpoint = modify_vpc_endpoint

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
