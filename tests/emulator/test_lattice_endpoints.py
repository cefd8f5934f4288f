"""VPC endpoints of type Resource and ServiceNetwork as EC2 serves them (issue 24), and the VPC Lattice
resource configurations and service networks they name (scripts/lattice_endpoints.py). Calls the emulator
directly with boto3, and once with a bare HTTP request as a test without a VPC Lattice SDK sends it.

Uses the emulator at MOTO_URL (scripts/test.sh sets it), else starts one with scripts/moto.sh.
"""
import json
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from test_ec2_rejections import REGION, client, url  # noqa: F401  (url is a fixture)

ACCOUNT = "123456789012"


def name(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def new_resource_configuration(lattice):
    return lattice.create_resource_configuration(
        name=name("rc"), type="SINGLE", resourceGatewayIdentifier="rgw-0123456789abcdefg", portRanges=["443"],
        resourceConfigurationDefinition={"dnsResource": {"domainName": "db.example.com", "ipAddressType": "IPV4"}})


@pytest.fixture(scope="module")
def world(url):  # noqa: F811
    ec2, lattice = client(url), client(url, "vpc-lattice")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(VpcId=vpc, GroupName=name("g"), Description="x")["GroupId"]
    rc = new_resource_configuration(lattice)
    sn = lattice.create_service_network(name=name("sn"))
    return ec2, lattice, vpc, a, b, sg, rc["arn"], sn["arn"]


def describe(ec2, ep_id):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]


def test_lattice_objects_have_lattice_arns(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    assert rc_arn.startswith(f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:resourceconfiguration/rcfg-") and len(rc_arn.split("/")[-1]) == 22
    assert sn_arn.startswith(f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:servicenetwork/sn-") and len(sn_arn.split("/")[-1]) == 20
    created = new_resource_configuration(lattice)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201  # Lattice's answer to a create
    got = lattice.get_resource_configuration(resourceConfigurationIdentifier=rc_arn)
    assert got["arn"] == rc_arn and got["type"] == "SINGLE" and got["status"] == "ACTIVE"
    assert rc_arn in [i["arn"] for i in lattice.list_resource_configurations()["items"]]
    assert lattice.get_service_network(serviceNetworkIdentifier=sn_arn)["arn"] == sn_arn
    code, _ = refused(lattice.create_resource_configuration, name="Bad_Name", type="SINGLE", resourceGatewayIdentifier="rgw-0123456789abcdefg")
    assert code == "ValidationException"
    code, _ = refused(lattice.create_resource_configuration, name=name("rc"), type="SINGLE")
    assert code == "ValidationException"  # SINGLE, GROUP, ARN and CIDR name their resource gateway


def test_resource_endpoint(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Resource", ResourceConfigurationArn=rc_arn, SubnetIds=[a, b],
                                 TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "r"}]}])["VpcEndpoint"]
    now = describe(ec2, ep["VpcEndpointId"])
    assert now["VpcEndpointType"] == "Resource" and now["State"] == "available"
    assert now["ResourceConfigurationArn"] == rc_arn and "ServiceNetworkArn" not in now
    assert "ServiceName" not in now and "PolicyDocument" not in now and now.get("DnsEntries", []) == []
    assert now["IpAddressType"] == "IPV4" and now["PrivateDnsEnabled"] is False
    assert sorted(now["SubnetIds"]) == sorted([a, b]) and len(now["NetworkInterfaceIds"]) == 2
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=now["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([a, b])
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])
    assert [g["GroupId"] for g in now["Groups"]] == [default["SecurityGroups"][0]["GroupId"]]
    assert now["Tags"] == [{"Key": "Name", "Value": "r"}]
    listed = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-type", "Values": ["Resource"]}, {"Name": "vpc-id", "Values": [vpc]}])
    assert ep["VpcEndpointId"] in [e["VpcEndpointId"] for e in listed["VpcEndpoints"]]
    named = ec2.describe_vpc_endpoints(Filters=[{"Name": "service-name", "Values": ["*"]}, {"Name": "vpc-id", "Values": [vpc]}])
    assert ep["VpcEndpointId"] not in [e["VpcEndpointId"] for e in named["VpcEndpoints"]]  # it has no service name
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    assert ec2.describe_network_interfaces(Filters=[{"Name": "network-interface-id", "Values": now["NetworkInterfaceIds"]}])["NetworkInterfaces"] == []


def test_service_network_endpoint(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="ServiceNetwork", ServiceNetworkArn=sn_arn, SubnetIds=[a],
                                 SecurityGroupIds=[sg], IpAddressType="ipv4")["VpcEndpoint"]
    now = describe(ec2, ep["VpcEndpointId"])
    assert now["VpcEndpointType"] == "ServiceNetwork" and now["ServiceNetworkArn"] == sn_arn and "ResourceConfigurationArn" not in now
    assert now["IpAddressType"] == "IPV4" and now["SubnetIds"] == [a] and now.get("NetworkInterfaceIds", []) == []
    assert [g["GroupId"] for g in now["Groups"]] == [sg] and "ServiceName" not in now and "PolicyDocument" not in now
    # The service network cannot go while the endpoint is associated with it; then it can.
    code, _ = refused(lattice.delete_service_network, serviceNetworkIdentifier=sn_arn)
    assert code == "ConflictException"
    spare = lattice.create_service_network(name=name("sn"))
    ep2 = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="ServiceNetwork", ServiceNetworkArn=spare["arn"])["VpcEndpoint"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep2["VpcEndpointId"]])
    lattice.delete_service_network(serviceNetworkIdentifier=spare["arn"])


@pytest.mark.parametrize("preference,domains,reported", [
    ("SPECIFIED_DOMAINS_ONLY", ["a.example.com", "b.example.com"], ["a.example.com", "b.example.com"]),
    ("VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", ["a.example.com"], ["a.example.com"]),
    ("ALL_DOMAINS", None, ["*"]),
    ("VERIFIED_DOMAINS_ONLY", None, ["*"]),
    (None, None, ["*"]),
])
def test_private_dns_options(world, preference, domains, reported):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    options = {}
    if preference:
        options["PrivateDnsPreference"] = preference
    if domains:
        options["PrivateDnsSpecifiedDomains"] = domains
    for kind, arg in (("Resource", dict(ResourceConfigurationArn=rc_arn)), ("ServiceNetwork", dict(ServiceNetworkArn=sn_arn))):
        ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType=kind, SubnetIds=[a], PrivateDnsEnabled=True, DnsOptions=options,
                                     **arg)["VpcEndpoint"]
        now = describe(ec2, ep["VpcEndpointId"])
        assert now["PrivateDnsEnabled"] is True and now.get("DnsEntries", []) == []
        assert now["DnsOptions"]["PrivateDnsPreference"] == (preference or "VERIFIED_DOMAINS_ONLY")
        assert now["DnsOptions"]["PrivateDnsSpecifiedDomains"] == reported


def test_private_dns_option_rejections(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    base = dict(VpcId=vpc, VpcEndpointType="Resource", ResourceConfigurationArn=rc_arn, SubnetIds=[a])
    for extra, code, needle in [
        (dict(DnsOptions={"PrivateDnsPreference": "ALL_DOMAINS"}), "InvalidParameter", "require PrivateDnsEnabled"),
        (dict(PrivateDnsEnabled=True, DnsOptions={"PrivateDnsPreference": "SOME_DOMAINS"}), "InvalidParameterValue", "PrivateDnsPreference"),
        (dict(PrivateDnsEnabled=True, DnsOptions={"PrivateDnsPreference": "SPECIFIED_DOMAINS_ONLY"}), "InvalidParameter", "1 to 10"),
        (dict(PrivateDnsEnabled=True, DnsOptions={"PrivateDnsPreference": "SPECIFIED_DOMAINS_ONLY",
                                                   "PrivateDnsSpecifiedDomains": [f"d{i}.example.com" for i in range(11)]}), "InvalidParameter", "1 to 10"),
        (dict(PrivateDnsEnabled=True, DnsOptions={"PrivateDnsPreference": "ALL_DOMAINS", "PrivateDnsSpecifiedDomains": ["a.example.com"]}),
         "InvalidParameter", "cannot be set"),
        (dict(DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False}), "InvalidParameter", "only to Interface"),
    ]:
        got, message = refused(ec2.create_vpc_endpoint, **base, **extra)
        assert got == code and needle in message, (extra, got, message)
    # The Lattice DNS options on an interface endpoint.
    got, message = refused(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{REGION}.ssm",
                           SubnetIds=[a], DnsOptions={"PrivateDnsPreference": "ALL_DOMAINS"})
    assert got == "InvalidParameter" and "Resource and ServiceNetwork" in message


def test_what_the_types_do_not_take(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    res = dict(VpcId=vpc, VpcEndpointType="Resource", SubnetIds=[a])
    net = dict(VpcId=vpc, VpcEndpointType="ServiceNetwork", SubnetIds=[a])
    for args, code, needle in [
        (dict(res), "MissingParameter", "ResourceConfigurationArn"),
        (dict(net), "MissingParameter", "ServiceNetworkArn"),
        (dict(res, ResourceConfigurationArn=rc_arn, ServiceName=f"com.amazonaws.{REGION}.ssm"), "InvalidParameter", "Service name"),
        (dict(res, ResourceConfigurationArn=rc_arn, PolicyDocument='{"Statement":[]}'), "InvalidParameter", "Policy document"),
        (dict(net, ServiceNetworkArn=sn_arn, PolicyDocument='{"Statement":[]}'), "InvalidParameter", "Policy document"),
        (dict(res, ResourceConfigurationArn=rc_arn, RouteTableIds=[rtb]), "InvalidParameter",
         "Route table IDs are only supported for Gateway type VPC Endpoint."),
        (dict(res, ResourceConfigurationArn=rc_arn, ServiceNetworkArn=sn_arn), "InvalidParameter", "ServiceNetworkArn"),
        (dict(net, ServiceNetworkArn=sn_arn, ResourceConfigurationArn=rc_arn), "InvalidParameter", "ResourceConfigurationArn"),
        # The ARN of the other kind, malformed ones, well-formed ones naming nothing.
        (dict(res, ResourceConfigurationArn=sn_arn), "InvalidParameterValue", "ResourceConfigurationArn"),
        (dict(net, ServiceNetworkArn=rc_arn), "InvalidParameterValue", "ServiceNetworkArn"),
        (dict(res, ResourceConfigurationArn="rcfg-0123456789abcdefg"), "InvalidParameterValue", "ResourceConfigurationArn"),
        (dict(res, ResourceConfigurationArn=f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:resourceconfiguration/rcfg-0123456789abcdefg"),
         "InvalidParameter", "does not exist"),
        (dict(net, ServiceNetworkArn=f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:servicenetwork/sn-0123456789abcdefg"),
         "InvalidParameter", "does not exist"),
        (dict(res, ResourceConfigurationArn=rc_arn.replace(REGION, "eu-west-1")), "InvalidParameter", "does not exist"),
        # A subnet of another VPC.
        (dict(res, ResourceConfigurationArn=rc_arn, SubnetIds=[other_vpc_subnet(ec2)]), "InvalidParameter", "not in the VPC"),
    ]:
        got, message = refused(ec2.create_vpc_endpoint, **args)
        assert got == code and needle in message, (args, got, message)
    # The ARNs on the other endpoint types.
    for extra in (dict(ResourceConfigurationArn=rc_arn), dict(ServiceNetworkArn=sn_arn)):
        got, message = refused(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{REGION}.ssm",
                               SubnetIds=[a], **extra)
        assert got == "InvalidParameter" and "only supported for" in message
        got, _ = refused(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", **extra)
        assert got == "InvalidParameter"


def other_vpc_subnet(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]


def test_a_deleted_configuration_or_network_is_unknown(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    rc = new_resource_configuration(lattice)
    sn = lattice.create_service_network(name=name("sn"))
    lattice.delete_resource_configuration(resourceConfigurationIdentifier=rc["arn"])
    lattice.delete_service_network(serviceNetworkIdentifier=sn["id"])
    code, _ = refused(lattice.get_resource_configuration, resourceConfigurationIdentifier=rc["id"])
    assert code == "ResourceNotFoundException"
    code, _ = refused(lattice.get_service_network, serviceNetworkIdentifier=sn["arn"])
    assert code == "ResourceNotFoundException"
    for args in (dict(VpcEndpointType="Resource", ResourceConfigurationArn=rc["arn"]), dict(VpcEndpointType="ServiceNetwork", ServiceNetworkArn=sn["arn"])):
        code, message = refused(ec2.create_vpc_endpoint, VpcId=vpc, SubnetIds=[a], **args)
        assert code == "InvalidParameter" and "does not exist" in message


def test_modify_changes_nothing(world):
    ec2, lattice, vpc, a, b, sg, rc_arn, sn_arn = world
    for kind, arg in (("Resource", dict(ResourceConfigurationArn=rc_arn)), ("ServiceNetwork", dict(ServiceNetworkArn=sn_arn))):
        ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType=kind, SubnetIds=[a], **arg)["VpcEndpoint"]
        before = describe(ec2, ep["VpcEndpointId"])
        for change in (dict(AddSubnetIds=[b]), dict(RemoveSubnetIds=[a]), dict(AddSecurityGroupIds=[sg]),
                       dict(RemoveSecurityGroupIds=[before["Groups"][0]["GroupId"]]), dict(PrivateDnsEnabled=True),
                       dict(PrivateDnsEnabled=False), dict(DnsOptions={"PrivateDnsPreference": "ALL_DOMAINS"}),
                       dict(IpAddressType="dualstack"), dict(PolicyDocument='{"Statement":[]}'), dict(ResetPolicy=True)):
            code, message = refused(ec2.modify_vpc_endpoint, VpcEndpointId=ep["VpcEndpointId"], **change)
            assert code == "InvalidParameter" and "cannot be modified" in message, (kind, change, message)
        after = describe(ec2, ep["VpcEndpointId"])
        assert after == before
        # Tags are not ModifyVpcEndpoint's: they change.
        ec2.create_tags(Resources=[ep["VpcEndpointId"]], Tags=[{"Key": "k", "Value": "v"}])
        assert describe(ec2, ep["VpcEndpointId"])["Tags"] == [{"Key": "k", "Value": "v"}]


def test_bare_http_request_signed_for_vpc_lattice(url):  # noqa: F811
    """What a test without a VPC Lattice SDK sends: REST-JSON with an Authorization header whose credential
    scope names vpc-lattice (the emulator routes on it and checks no signature)."""
    auth = ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/vpc-lattice/aws4_request, "
            "SignedHeaders=host, Signature=0")

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
            return json.loads(text) if text else None

    rc = call("POST", "/resourceconfigurations", {"name": name("rc"), "type": "SINGLE", "resourceGatewayIdentifier": "rgw-0123456789abcdefg"})
    sn = call("POST", "/servicenetworks", {"name": name("sn")})
    assert call("GET", "/resourceconfigurations/" + rc["id"])["arn"] == rc["arn"]
    ec2 = client(url)
    vpc = ec2.create_vpc(CidrBlock="10.11.0.0/16")["Vpc"]["VpcId"]
    ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="ServiceNetwork", ServiceNetworkArn=sn["arn"])["VpcEndpoint"]
    assert ep["ServiceNetworkArn"] == sn["arn"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    call("DELETE", "/servicenetworks/" + sn["id"])
    call("DELETE", "/resourceconfigurations/" + rc["id"])


def test_endpoints_per_vpc(url):  # noqa: F811
    """EC2's quotas: 200 Resource and 50 ServiceNetwork endpoints per VPC (lowered here to keep it short)."""
    r = urllib.request

    def post(limits):
        req = r.Request(url + "/__emulator/limits", data=json.dumps(limits).encode(), method="POST")
        with r.urlopen(req, timeout=5) as answer:
            return json.load(answer)

    with r.urlopen(url + "/__emulator/limits", timeout=5) as answer:
        before = json.load(answer)
    assert before["resource_endpoints_per_vpc"] == 200 and before["service_network_endpoints_per_vpc"] == 50
    ec2, lattice = client(url), client(url, "vpc-lattice")
    rc = new_resource_configuration(lattice)["arn"]
    sn = lattice.create_service_network(name=name("sn"))["arn"]
    try:
        post({"resource_endpoints_per_vpc": 2, "service_network_endpoints_per_vpc": 1})
        vpc = ec2.create_vpc(CidrBlock="10.13.0.0/16")["Vpc"]["VpcId"]
        res = dict(VpcId=vpc, VpcEndpointType="Resource", ResourceConfigurationArn=rc)
        net = dict(VpcId=vpc, VpcEndpointType="ServiceNetwork", ServiceNetworkArn=sn)
        first = ec2.create_vpc_endpoint(**res)["VpcEndpoint"]["VpcEndpointId"]
        ec2.create_vpc_endpoint(**res)
        ec2.create_vpc_endpoint(**net)  # counted apart
        for args in (res, net):
            code, _ = refused(ec2.create_vpc_endpoint, **args)
            assert code == "VpcEndpointLimitExceeded"
        ec2.delete_vpc_endpoints(VpcEndpointIds=[first])
        ec2.create_vpc_endpoint(**res)
    finally:
        post(before)
