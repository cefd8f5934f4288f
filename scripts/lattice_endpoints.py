"""VPC endpoints of type Resource and ServiceNetwork for scripts/moto_server.py, and the little of VPC
Lattice they refer to. moto 5.2 knows neither endpoint type (it treats them as gateway endpoints) and
its VPC Lattice backend has service networks but no resource configurations.

EC2 (EC2 API reference: CreateVpcEndpoint, ModifyVpcEndpoint, the VpcEndpoint and DnsOptionsSpecification
data types; what real answers show, from terraform-provider-aws's acceptance tests of these types):
- CreateVpcEndpoint VpcEndpointType=Resource takes ResourceConfigurationArn, VpcEndpointType=ServiceNetwork
  ServiceNetworkArn (the ARN of a resource configuration or service network that exists, see below); both
  take SubnetIds, SecurityGroupIds (default: the VPC's default security group), IpAddressType, DnsOptions,
  PrivateDnsEnabled (default false; no VPC DNS attribute is needed) and TagSpecifications. ServiceName,
  PolicyDocument, RouteTableIds, the other type's ARN and PrivateDnsOnlyForInboundResolverEndpoint are
  refused; so are these ARNs on the other endpoint types.
- DnsOptions PrivateDnsPreference (ALL_DOMAINS, VERIFIED_DOMAINS_ONLY, VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS,
  SPECIFIED_DOMAINS_ONLY) and PrivateDnsSpecifiedDomains (1 to 10) are for these two types with private DNS
  on; the domains go with the two *SPECIFIED_DOMAINS* preferences only, and those need them. The endpoint
  reports the preference and, for ALL_DOMAINS and VERIFIED_DOMAINS_ONLY, the domains as ["*"].
- DescribeVpcEndpoints reports ResourceConfigurationArn / ServiceNetworkArn, no ServiceName, no policy, no
  DNS entries, IpAddressType in capitals (IPV4, as EC2 does for these types), one network interface per
  subnet for a Resource endpoint and none for a ServiceNetwork endpoint, state `available`.
- ModifyVpcEndpoint: the reference marks every parameter as for other endpoint types (subnets and security
  groups: Interface and Gateway Load Balancer; private DNS: Interface; policy: Interface and Gateway;
  route tables: Gateway), and changing the private DNS options of these types is refused in practice
  (terraform-provider-aws #45679, #46800); here every change to such an endpoint is refused, so each one
  means a replacement. Tags change as for any endpoint (CreateTags / DeleteTags).
- Assumed where neither the reference nor a real answer says: PrivateDnsEnabled defaults to false for
  these types (terraform-provider-aws always sends it); the preference defaults to VERIFIED_DOMAINS_ONLY;
  a ServiceNetwork endpoint reports no network interface (as its acceptance test saw right after
  create); the quotas (200 Resource, 50 ServiceNetwork endpoints per VPC) are moto_server.py's LIMITS.

VPC Lattice (its REST-JSON API, as boto3's `vpc-lattice` client or a request signed for `vpc-lattice`
sends it): CreateResourceConfiguration, GetResourceConfiguration, ListResourceConfigurations,
DeleteResourceConfiguration (POST/GET /resourceconfigurations, GET/DELETE /resourceconfigurations/ID) and
DeleteServiceNetwork (moto has Create/Get/ListServiceNetworks; refused with ConflictException while a
ServiceNetwork endpoint names the network, as documented); service network ids take Lattice's form
sn-<17 characters> (moto: part of a UUID). The resource gateway a resource configuration names is kept,
not checked: resource gateways are not served.

Messages: EC2's own where real answers were seen ("Route table IDs are only supported for Gateway type VPC
Endpoint."); the others follow that wording or EC2's generic ones (MissingParameter "The request must
contain the parameter X", InvalidParameterValue "Value (X) for parameter Y is invalid.") because no real
answer to these requests was found; the comment at each raise says which.

Its name does not start with `moto`: moto looks for the service of an exception raised in a module named
moto* among its own packages.
"""
import json
import random
import re
import string
from urllib.parse import unquote
from datetime import datetime, timezone

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.utils import add_tag_specification, random_private_ip, random_vpc_ep_id
from moto.vpclattice import models as lattice_models
from moto.vpclattice import responses as lattice_responses
from moto.vpclattice import urls as lattice_urls
from moto.vpclattice.exceptions import ResourceNotFoundException, ValidationException
from moto.core.exceptions import JsonRESTError

TYPES = {"resource": "Resource", "servicenetwork": "ServiceNetwork"}
ARN_PARAM = {"resource": "ResourceConfigurationArn", "servicenetwork": "ServiceNetworkArn"}
ARN_FORM = {
    "resource": re.compile(r"arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:resourceconfiguration/rcfg-[0-9a-z]{17}"),
    "servicenetwork": re.compile(r"arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:servicenetwork/sn-[0-9a-z]{17}"),
}
PREFERENCES = ("ALL_DOMAINS", "VERIFIED_DOMAINS_ONLY", "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY")
WITH_DOMAINS = ("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY")


def lattice_id(prefix):
    return prefix + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(17))


def is_lattice(ep):
    return (ep.vpc_endpoint_type or "").lower() in TYPES


def lattice_type(endpoint_type):
    """The request's type if it is one of these two (lower case), else None."""
    t = (endpoint_type or "").lower()
    return t if t in TYPES else None


class InvalidParameter(EC2ClientError):
    def __init__(self, message):
        super().__init__("InvalidParameter", message)


# --- VPC Lattice: resource configurations, service network ids and deletion ---------------------------


class ConflictException(JsonRESTError):
    code = 409

    def __init__(self, message):
        super().__init__("ConflictException", message)


NAME = re.compile(r"(?!rcfg-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]{3,40}")
CONFIG_TYPES = ("GROUP", "CHILD", "SINGLE", "ARN", "CIDR")


def configurations(backend):
    if not hasattr(backend, "resource_configurations"):
        backend.resource_configurations = {}
    return backend.resource_configurations


def find_configuration(backend, identifier):
    key = (identifier or "").split("/")[-1]
    config = configurations(backend).get(key)
    if config is None:
        raise ResourceNotFoundException(f"Resource configuration {identifier} not found.")
    return config


def create_resource_configuration(self):
    backend = self.backend
    name = self._get_param("name") or ""
    kind = self._get_param("type") or ""
    if not NAME.fullmatch(name):
        raise ValidationException(f"Invalid name {name!r}: 3 to 40 of a-z, 0-9 and -, not starting rcfg-, no leading, "
                                  "trailing or double hyphen.")
    if kind not in CONFIG_TYPES:
        raise ValidationException(f"Invalid type {kind!r}: one of {', '.join(CONFIG_TYPES)}.")
    if any(c["name"] == name for c in configurations(backend).values()):
        raise ConflictException(f"A resource configuration named {name} exists already.")
    group = None
    if kind == "CHILD":
        group = find_configuration(backend, self._get_param("resourceConfigurationGroupIdentifier"))
        if group["type"] != "GROUP":
            raise ValidationException("The parent of a CHILD resource configuration must be of type GROUP.")
    elif not self._get_param("resourceGatewayIdentifier"):
        raise ValidationException(f"A resource configuration of type {kind} needs resourceGatewayIdentifier.")
    rid = lattice_id("rcfg-")
    now = datetime.now(timezone.utc).isoformat()
    config = {
        "id": rid,
        "name": name,
        "arn": f"arn:aws:vpc-lattice:{self.region}:{self.current_account}:resourceconfiguration/{rid}",
        "type": kind,
        "status": "ACTIVE",
        "protocol": self._get_param("protocol") or "TCP",
        "portRanges": self._get_param("portRanges") or [],
        "resourceGatewayId": (group or {}).get("resourceGatewayId") or (self._get_param("resourceGatewayIdentifier") or "").split("/")[-1],
        "allowAssociationToShareableServiceNetwork": bool(self._get_param("allowAssociationToShareableServiceNetwork")),
        "createdAt": now,
        "lastUpdatedAt": now,
    }
    if group:
        config["resourceConfigurationGroupId"] = group["id"]
    definition = self._get_param("resourceConfigurationDefinition")
    if definition:
        config["resourceConfigurationDefinition"] = definition
    configurations(backend)[rid] = config
    backend.tag_resource(config["arn"], self._get_param("tags") or {})
    return 201, {"status": 201, "Content-Type": "application/json"}, json.dumps(config)


def path_id(response):
    """The identifier at the end of the request path (an id, or an ARN whose last part is the id)."""
    return unquote(response.path.split("?")[0]).split("/")[-1]


def get_resource_configuration(self):
    return json.dumps(find_configuration(self.backend, path_id(self)))


def list_resource_configurations(self):
    items = [{k: c[k] for k in ("id", "name", "arn", "type", "status", "resourceGatewayId", "createdAt") if k in c}
             for c in configurations(self.backend).values()]
    return json.dumps({"items": items})


def delete_resource_configuration(self):
    config = find_configuration(self.backend, path_id(self))
    configurations(self.backend).pop(config["id"], None)
    return 204, {"status": 204}, ""


def delete_service_network(self):
    """Refused while a service network endpoint is associated with it (Lattice API reference,
    DeleteServiceNetwork: "You can only delete the service network if there are no ... service network
    endpoints associated with it"); the message is not Lattice's, no real answer was found."""
    backend = self.backend
    sn = backend.get_service_network(path_id(self))
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[self.current_account][self.region]
    users = [ep.id for ep in ec2.vpc_end_points.values()
             if getattr(ep, "service_network_arn", None) == sn.arn and (ep.state or "").lower() != "deleted"]
    if users:
        raise ConflictException(f"Service network {sn.id} has service network endpoints associated: {', '.join(sorted(users))}.")
    backend.service_networks.pop(sn.id, None)
    return 204, {"status": 204}, ""


_original_sn_init = lattice_models.VPCLatticeServiceNetwork.__init__


def service_network_init(self, region, account_id, *args, **kwargs):
    _original_sn_init(self, region, account_id, *args, **kwargs)
    self.id = lattice_id("sn-")
    self.arn = f"arn:aws:vpc-lattice:{region}:{account_id}:servicenetwork/{self.id}"


def lattice_backend(account_id, region):
    return lattice_models.vpclattice_backends[account_id][region]


def install_lattice():
    lattice_models.VPCLatticeServiceNetwork.__init__ = service_network_init
    R = lattice_responses.VPCLatticeResponse
    R.create_resource_configuration = create_resource_configuration
    R.get_resource_configuration = get_resource_configuration
    R.list_resource_configurations = list_resource_configurations
    R.delete_resource_configuration = delete_resource_configuration
    R.delete_service_network = delete_service_network
    lattice_urls.url_paths["{0}/resourceconfigurations$"] = R.dispatch
    lattice_urls.url_paths["{0}/resourceconfigurations/(?P<resourceConfigurationIdentifier>.+)$"] = R.dispatch


# --- EC2: CreateVpcEndpoint / ModifyVpcEndpoint for the two types ------------------------------------


def check_arn(response, kind, arn):
    """The ARN must have the form of its kind and name a resource configuration (service network) of the
    account and Region that exists."""
    param = ARN_PARAM[kind]
    if not arn:
        # EC2's generic MissingParameter wording (no real answer for this parameter was found).
        raise EC2ClientError("MissingParameter", f"The request must contain the parameter {param}")
    if not ARN_FORM[kind].fullmatch(arn):
        # EC2's generic InvalidParameterValue wording (no real answer for this parameter was found).
        raise EC2ClientError("InvalidParameterValue", f"Value ({arn}) for parameter {param} is invalid.")
    parts = arn.split(":")
    found = False
    if parts[3] == response.region and parts[4] == response.current_account:
        backend = lattice_backend(response.current_account, response.region)
        key = arn.split("/")[-1]
        found = key in (configurations(backend) if kind == "resource" else backend.service_networks)
    if not found:
        # No EC2 error code for an unknown resource configuration or service network is documented;
        # InvalidParameter is EC2's code for the other refused endpoint parameters.
        what = "resource configuration" if kind == "resource" else "service network"
        raise InvalidParameter(f"The {what} {arn} does not exist.")


def check_not_lattice_params(response, endpoint_type):
    """An Interface / Gateway / GatewayLoadBalancer request with either ARN or the Lattice DNS options."""
    for param in ARN_PARAM.values():
        if response._get_param(param):
            # Wording after EC2's "Route table IDs are only supported for Gateway type VPC Endpoint."
            raise InvalidParameter(f"{param} is only supported for {'Resource' if param.startswith('Resource') else 'ServiceNetwork'} "
                                   "type VPC Endpoint.")
    options = response._get_param("DnsOptions")
    if isinstance(options, dict) and (options.get("PrivateDnsPreference") or options.get("PrivateDnsSpecifiedDomains")):
        raise InvalidParameter("DnsOptions PrivateDnsPreference and PrivateDnsSpecifiedDomains are only supported for Resource "
                               "and ServiceNetwork type VPC Endpoints.")


def lattice_dns_options(response, private_dns):
    """The endpoint's DnsOptions from the request's (EC2's DnsOptionsSpecification rules); wording not EC2's."""
    options = response._get_param("DnsOptions")
    options = options if isinstance(options, dict) else {}
    if options.get("PrivateDnsOnlyForInboundResolverEndpoint") is not None:
        # EC2's message for this flag on gateway endpoints (terraform-provider-aws #45846).
        raise InvalidParameter("DnsOptions PrivateDnsOnlyForInboundResolverEndpoint is applicable only to Interface VPC Endpoints.")
    preference = options.get("PrivateDnsPreference")
    domains = options.get("PrivateDnsSpecifiedDomains") or []
    if isinstance(domains, dict):
        domains = list(domains.values())
    if (preference or domains) and not private_dns:
        raise InvalidParameter("DnsOptions PrivateDnsPreference and PrivateDnsSpecifiedDomains require PrivateDnsEnabled.")
    result = {}
    if options.get("DnsRecordIpType"):
        result["DnsRecordIpType"] = options["DnsRecordIpType"]
    if not private_dns:
        return result
    # Without a preference: VERIFIED_DOMAINS_ONLY, the one that needs nothing from the consumer (the
    # reference names no default).
    preference = preference or "VERIFIED_DOMAINS_ONLY"
    if preference not in PREFERENCES:
        raise EC2ClientError("InvalidParameterValue", f"Value ({preference}) for parameter PrivateDnsPreference is invalid.")
    if preference in WITH_DOMAINS:
        if not 1 <= len(domains) <= 10:
            raise InvalidParameter(f"PrivateDnsPreference {preference} needs 1 to 10 PrivateDnsSpecifiedDomains.")
    elif domains:
        raise InvalidParameter(f"PrivateDnsSpecifiedDomains cannot be set with PrivateDnsPreference {preference}.")
    result["PrivateDnsPreference"] = preference
    result["PrivateDnsSpecifiedDomains"] = list(domains) if preference in WITH_DOMAINS else ["*"]
    return result


def create_lattice_endpoint(response, kind, check_ip_address_type):
    """CreateVpcEndpoint of a Resource or ServiceNetwork endpoint (kind: `resource` / `servicenetwork`)."""
    backend = response.ec2_backend
    vpc_id = response._get_param("VpcId")
    backend.get_vpc(vpc_id)
    other = "servicenetwork" if kind == "resource" else "resource"
    # The parameters of other endpoint types: wording after EC2's "Route table IDs are only supported for
    # Gateway type VPC Endpoint." (seen in real answers; the route-table one is verbatim).
    if response._get_param("RouteTableIds", []):
        raise InvalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint.")
    if response._get_param("ServiceName"):
        raise InvalidParameter(f"Service name is not supported for {TYPES[kind]} type VPC Endpoint.")
    if response._get_param("PolicyDocument"):
        raise InvalidParameter(f"Policy document is not supported for {TYPES[kind]} type VPC Endpoint.")
    if response._get_param(ARN_PARAM[other]):
        raise InvalidParameter(f"{ARN_PARAM[other]} is only supported for {TYPES[other]} type VPC Endpoint.")
    arn = response._get_param(ARN_PARAM[kind])
    check_arn(response, kind, arn)
    private_dns = bool(response._get_bool_param("PrivateDnsEnabled", if_none=False))
    dns_options = lattice_dns_options(response, private_dns)
    subnets = response._get_param("SubnetIds", []) or []
    for subnet_id in subnets:
        subnet = backend.get_subnet(subnet_id)  # EC2's InvalidSubnetID.NotFound
        if subnet.vpc_id != vpc_id:
            # Wording not EC2's (no real answer found); InvalidParameter as for the other endpoint types.
            raise InvalidParameter(f"The subnet {subnet_id} is not in the VPC {vpc_id}.")
    ip_type = (response._get_param("IpAddressType") or "ipv4").lower()
    check_ip_address_type(backend, response.region, "interface", None, ip_type, subnets)
    groups = response._get_param("SecurityGroupIds", []) or []
    for group_id in groups:
        if backend.get_security_group_from_id(group_id) is None:
            # EC2's code and message for an unknown group.
            raise EC2ClientError("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")
    if not groups:
        default = backend.get_default_security_group(vpc_id)
        groups = [default.id] if default is not None else []
    token = response._get_param("ClientToken")
    if token:
        for ep in backend.vpc_end_points.values():
            if getattr(ep, "client_token", None) == token and is_lattice(ep):
                return ActionResult({"VpcEndpoint": ep})
    enis = [backend.create_network_interface(s, random_private_ip()).id for s in subnets] if kind == "resource" else []
    ep = VPCEndPoint(backend, random_vpc_ep_id(), vpc_id, None, TYPES[kind], None, [], subnet_ids=list(subnets),
                     network_interface_ids=enis, dns_entries=[], client_token=token, security_group_ids=groups,
                     tags=add_tag_specification(response._get_param("TagSpecifications", [])), private_dns_enabled=private_dns)
    ep.policy_document = None
    ep.ip_address_type = ip_type.upper()
    ep.dns_options = dns_options
    if kind == "resource":
        ep.resource_configuration_arn = arn
    else:
        ep.service_network_arn = arn
    backend.vpc_end_points[ep.id] = ep
    return ActionResult({"VpcEndpoint": ep})


MODIFY_PARAMS = ("ResetPolicy", "PolicyDocument", "AddRouteTableIds", "RemoveRouteTableIds", "AddSubnetIds", "RemoveSubnetIds",
                 "AddSecurityGroupIds", "RemoveSecurityGroupIds", "IpAddressType", "DnsOptions", "PrivateDnsEnabled",
                 "SubnetConfigurations")


def modify_lattice_endpoint(response, ep):
    """ModifyVpcEndpoint of a Resource or ServiceNetwork endpoint: nothing can change (module docstring).
    The wording is not EC2's: no real answer was found."""
    sent = [p for p in MODIFY_PARAMS if response._get_param(p) not in (None, [], {}, "")]
    if sent:
        raise InvalidParameter(f"{', '.join(sent)} cannot be modified for {ep.vpc_endpoint_type} type VPC Endpoint {ep.id}.")
    return ActionResult({"Return": True})


def delete_lattice_endpoint(backend, ep):
    """DeleteVpcEndpoints: the endpoint's network interfaces go with it (moto removes only an interface
    endpoint's)."""
    for eni_id in ep.network_interface_ids or []:
        backend.enis.pop(eni_id, None)
    ep.network_interface_ids = []
