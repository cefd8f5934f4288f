"""What real EC2 rejects, scripts/moto_server.py rejects too, with EC2's code and message (issue 23),
and the corrected request is accepted. Calls the emulator directly with boto3.

Uses the emulator at MOTO_URL (scripts/test.sh sets it), else starts one with scripts/moto.sh.
Run: .venv/bin/python -m pytest -q tests/emulator
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "us-east-1"
SSM = f"com.amazonaws.{REGION}.ssm"
S3 = f"com.amazonaws.{REGION}.s3"
FULL_ACCESS = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
READ_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}


@pytest.fixture(scope="session")
def url():
    u = os.environ.get("MOTO_URL")
    if not u:
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "moto.sh"), "start"], check=True, cwd=ROOT)
        u = subprocess.run(["bash", os.path.join(ROOT, "scripts", "moto.sh"), "url"], check=True, cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return u


def client(url, service="ec2", region=REGION):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture(scope="session")
def ec2(url):
    return client(url)


def make_vpc(ec2, dns=True, ipv6=False):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]["VpcId"]
    if dns:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


def make_subnet(ec2, vpc, cidr, az="us-east-1a", ipv6_cidr=None):
    args = {"VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": az}
    if ipv6_cidr:
        args["Ipv6CidrBlock"] = ipv6_cidr
    return ec2.create_subnet(**args)["Subnet"]["SubnetId"]


def rejected(call, code, message):
    """`call()` fails with EC2's `code` and exactly `message`."""
    with pytest.raises(ClientError) as e:
        call()
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == (code, message)


def interface(ec2, vpc, service=SSM, **kw):
    return ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=service, **kw)["VpcEndpoint"]


def conflict(service_dns, vpc):
    return f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for {service_dns} in the VPC {vpc}"


# -- private DNS: one hosted zone per service and VPC ---------------------------------------------------


def test_second_private_dns_endpoint_for_a_service_conflicts(ec2):
    vpc = make_vpc(ec2)
    first = interface(ec2, vpc, PrivateDnsEnabled=True)
    rejected(lambda: interface(ec2, vpc, PrivateDnsEnabled=True), "InvalidParameter", conflict(f"ssm.{REGION}.amazonaws.com", vpc))
    # Left out, PrivateDnsEnabled defaults to true (EC2's API default): the same conflict.
    rejected(lambda: interface(ec2, vpc), "InvalidParameter", conflict(f"ssm.{REGION}.amazonaws.com", vpc))
    # Accepted: without private DNS, or in another VPC, or once the first is deleted.
    second = interface(ec2, vpc, PrivateDnsEnabled=False)
    assert second["PrivateDnsEnabled"] is False
    assert interface(ec2, make_vpc(ec2), PrivateDnsEnabled=True)["PrivateDnsEnabled"] is True
    ec2.delete_vpc_endpoints(VpcEndpointIds=[first["VpcEndpointId"]])
    assert interface(ec2, vpc, PrivateDnsEnabled=True)["PrivateDnsEnabled"] is True


@pytest.fixture
def realistic(url):
    """scripts/ec2proxy.py in its realistic-EC2 mode in front of the emulator: a deleted endpoint is
    `deleting` for 1.5 s, then `deleted` for a minute."""
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "ec2proxy.py"), "--target", url, "--port", "0",
                             "--realistic", json.dumps({"delete_s": 1.5, "deleted_linger_s": 60})],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        port = int(proc.stdout.readline().strip())
        yield client(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_private_dns_conflicts_while_the_earlier_endpoint_is_deleting(ec2, realistic):
    vpc = make_vpc(ec2)
    first = interface(realistic, vpc, PrivateDnsEnabled=True)["VpcEndpointId"]
    off = interface(realistic, vpc, PrivateDnsEnabled=False)["VpcEndpointId"]
    realistic.delete_vpc_endpoints(VpcEndpointIds=[first])
    assert realistic.describe_vpc_endpoints(VpcEndpointIds=[first])["VpcEndpoints"][0]["State"] == "deleting"
    message = conflict(f"ssm.{REGION}.amazonaws.com", vpc)
    rejected(lambda: interface(realistic, vpc, PrivateDnsEnabled=True), "InvalidParameter", message)
    rejected(lambda: realistic.modify_vpc_endpoint(VpcEndpointId=off, PrivateDnsEnabled=True), "InvalidParameter", message)
    # Accepted meanwhile: without private DNS, or another service; and once the first is gone, private DNS.
    interface(realistic, vpc, PrivateDnsEnabled=False)
    interface(realistic, vpc, service=f"com.amazonaws.{REGION}.ec2", PrivateDnsEnabled=True)
    time.sleep(1.6)
    assert realistic.describe_vpc_endpoints(VpcEndpointIds=[first])["VpcEndpoints"][0]["State"] == "deleted"
    realistic.modify_vpc_endpoint(VpcEndpointId=off, PrivateDnsEnabled=True)


def test_modify_turning_private_dns_on_conflicts(ec2):
    vpc = make_vpc(ec2)
    first = interface(ec2, vpc, PrivateDnsEnabled=True)
    second = interface(ec2, vpc, PrivateDnsEnabled=False)
    sid = second["VpcEndpointId"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=sid, PrivateDnsEnabled=True), "InvalidParameter",
             conflict(f"ssm.{REGION}.amazonaws.com", vpc))
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[sid])["VpcEndpoints"][0]["PrivateDnsEnabled"] is False
    # Accepted once the first one gave its zone up; re-sending true on an endpoint that has it is no conflict.
    ec2.modify_vpc_endpoint(VpcEndpointId=first["VpcEndpointId"], PrivateDnsEnabled=False)
    ec2.modify_vpc_endpoint(VpcEndpointId=sid, PrivateDnsEnabled=True)
    ec2.modify_vpc_endpoint(VpcEndpointId=sid, PrivateDnsEnabled=True)
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[sid])["VpcEndpoints"][0]["PrivateDnsEnabled"] is True


def test_private_dns_for_a_service_without_private_dns_name(ec2, url):
    vpc = make_vpc(ec2)
    service = nlb_service(url, ec2, vpc)
    message = f"Private DNS can't be enabled because the service {service} does not provide a private DNS name."
    rejected(lambda: interface(ec2, vpc, service=service, PrivateDnsEnabled=True), "InvalidParameter", message)
    # Left out, there is no private DNS to turn on: accepted, reported off.
    ep = interface(ec2, vpc, service=service)
    assert ep["PrivateDnsEnabled"] is False
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], PrivateDnsEnabled=True), "InvalidParameter", message)
    assert interface(ec2, vpc, service=service, PrivateDnsEnabled=False)["PrivateDnsEnabled"] is False


# -- S3 interface endpoints: PrivateDnsOnlyForInboundResolverEndpoint ------------------------------------


def inbound_message(vpc):
    return f"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {vpc} must have a Gateway endpoint for the service."


def test_s3_interface_with_private_dns_needs_a_gateway_endpoint(ec2):
    vpc = make_vpc(ec2)
    rejected(lambda: interface(ec2, vpc, service=S3, PrivateDnsEnabled=True), "InvalidParameter", inbound_message(vpc))
    rejected(lambda: interface(ec2, vpc, service=S3, PrivateDnsEnabled=True, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": True}),
             "InvalidParameter", inbound_message(vpc))
    # Accepted: the flag sent false, no gateway needed.
    ep = interface(ec2, vpc, service=S3, PrivateDnsEnabled=True, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False})
    assert ep["PrivateDnsEnabled"] is True
    assert ep["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is False
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    # Accepted: with the S3 gateway endpoint in the VPC, the flag defaults to true and is reported so.
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway")
    ep = interface(ec2, vpc, service=S3, PrivateDnsEnabled=True)
    assert ep["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])["VpcEndpoints"][0]
    assert described["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    # Without private DNS there is no inbound-resolver-only DNS.
    other = interface(ec2, make_vpc(ec2), service=S3, PrivateDnsEnabled=False)
    assert other["DnsOptions"].get("PrivateDnsOnlyForInboundResolverEndpoint") is False


def test_s3_modify_turning_private_dns_on_needs_a_gateway_endpoint(ec2):
    vpc = make_vpc(ec2)
    ep = interface(ec2, vpc, service=S3, PrivateDnsEnabled=False)["VpcEndpointId"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep, PrivateDnsEnabled=True), "InvalidParameter", inbound_message(vpc))
    ec2.modify_vpc_endpoint(VpcEndpointId=ep, PrivateDnsEnabled=True, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False})
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep])["VpcEndpoints"][0]
    assert got["PrivateDnsEnabled"] is True and got["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is False
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": True}),
             "InvalidParameter", inbound_message(vpc))


def test_inbound_resolver_option_on_a_gateway_endpoint(ec2):
    vpc = make_vpc(ec2)
    message = "DnsOptions PrivateDnsOnlyForInboundResolverEndpoint is applicable only to Interface VPC Endpoints."
    for value in (True, False):
        rejected(lambda: ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway",
                                                 DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": value}),
                 "InvalidParameter", message)
    gw = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway",
                                 DnsOptions={"DnsRecordIpType": "service-defined"})["VpcEndpoint"]["VpcEndpointId"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=gw, DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False}),
             "InvalidParameter", message)


# -- gateway endpoints: one route per prefix list and route table ---------------------------------------


def test_second_gateway_endpoint_for_a_service_on_one_route_table(ec2):
    vpc = make_vpc(ec2)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway", RouteTableIds=[rtb])
    pl = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [S3]}])["PrefixLists"][0]["PrefixListId"]
    message = f"route table {rtb} already has a route with destination-prefix-list-id {pl}"
    rejected(lambda: ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway", RouteTableIds=[rtb]),
             "RouteAlreadyExists", message)
    second = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=second, AddRouteTableIds=[rtb]), "RouteAlreadyExists", message)
    # Accepted: DynamoDB's route in the same table, S3's in another table.
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.dynamodb", VpcEndpointType="Gateway", RouteTableIds=[rtb])
    other = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=second, AddRouteTableIds=[other])


# -- policies ------------------------------------------------------------------------------------------


def big_policy(size):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                    "Resource": "*", "Sid": ""}]}
    doc["Statement"][0]["Sid"] = "x" * (size - len(json.dumps(doc)))
    text = json.dumps(doc)
    assert len(text) == size
    return text


def test_policy_over_20480_characters(ec2):
    vpc = make_vpc(ec2)
    too_big = big_policy(20481)
    message = ("The Policy Document is not valid. The size of an endpoint policy cannot exceed 20,480 characters, "
               "including white space (20481).")
    rejected(lambda: ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway", PolicyDocument=too_big),
             "InvalidPolicyDocument", message)
    gw = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway", PolicyDocument=big_policy(20480))["VpcEndpoint"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=gw["VpcEndpointId"], PolicyDocument=too_big), "InvalidPolicyDocument", message)
    ec2.modify_vpc_endpoint(VpcEndpointId=gw["VpcEndpointId"], PolicyDocument=json.dumps(READ_ONLY))


def nlb_service(url, ec2, vpc, **kw):
    """An endpoint service of this account, backed by a Network Load Balancer."""
    subnet = make_subnet(ec2, vpc, f"10.0.{200 + len(kw)}.0/24")
    elb = client(url, "elbv2")
    lb = elb.create_load_balancer(Name="nlb-" + uuid.uuid4().hex[:8], Type="network", Subnets=[subnet], Scheme="internal")
    config = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb["LoadBalancers"][0]["LoadBalancerArn"]],
                                                           AcceptanceRequired=False, **kw)
    return config["ServiceConfiguration"]["ServiceName"]


def test_custom_policy_for_a_service_without_policy_support(ec2, url):
    vpc = make_vpc(ec2)
    service = nlb_service(url, ec2, vpc)
    details = ec2.describe_vpc_endpoint_services(ServiceNames=[service])["ServiceDetails"][0]
    assert details["VpcEndpointPolicySupported"] is False, "endpoint services of an account: full access only"
    message = f"Service {service} only supports the full-access endpoint policy."
    rejected(lambda: interface(ec2, vpc, service=service, PrivateDnsEnabled=False, PolicyDocument=json.dumps(READ_ONLY)),
             "InvalidParameter", message)
    ep = interface(ec2, vpc, service=service, PrivateDnsEnabled=False, PolicyDocument=json.dumps(FULL_ACCESS))
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], PolicyDocument=json.dumps(READ_ONLY)),
             "InvalidParameter", message)
    assert interface(ec2, vpc, service=service, PrivateDnsEnabled=False)["VpcEndpointId"]
    # An AWS service that moto reports without policy support (as EC2 does for it).
    aws = f"com.amazonaws.{REGION}.cloudformation"
    assert ec2.describe_vpc_endpoint_services(ServiceNames=[aws])["ServiceDetails"][0]["VpcEndpointPolicySupported"] is False
    rejected(lambda: interface(ec2, vpc, service=aws, PolicyDocument=json.dumps(READ_ONLY)), "InvalidParameter",
             f"Service {aws} only supports the full-access endpoint policy.")
    # And one with policy support takes the custom policy.
    assert ec2.describe_vpc_endpoint_services(ServiceNames=[SSM])["ServiceDetails"][0]["VpcEndpointPolicySupported"] is True
    interface(ec2, vpc, PrivateDnsEnabled=False, PolicyDocument=json.dumps(READ_ONLY))


# -- quotas --------------------------------------------------------------------------------------------

LIMIT_MESSAGE = "You've reached the limit on the number of VPC endpoints that you can create in the AWS Region."


@pytest.fixture
def set_limits(url):
    """Sets endpoint quotas for the test (scripts/moto.sh starts the emulator with raised ones); the
    earlier ones come back after."""
    def post(limits):
        req = urllib.request.Request(url + "/__emulator/limits", data=json.dumps(limits).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.load(r)
    with urllib.request.urlopen(url + "/__emulator/limits", timeout=5) as r:
        before = json.load(r)
    yield post
    post(before)


def test_interface_endpoints_per_vpc(ec2, set_limits):
    set_limits({"interface_endpoints_per_vpc": 50})  # EC2's default
    vpc = make_vpc(ec2)
    ids = [interface(ec2, vpc, PrivateDnsEnabled=False)["VpcEndpointId"] for _ in range(50)]
    rejected(lambda: interface(ec2, vpc, PrivateDnsEnabled=False), "VpcEndpointLimitExceeded", LIMIT_MESSAGE)
    # Gateway endpoints are counted apart; another VPC has its own 50; a deleted endpoint frees its place.
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway")
    interface(ec2, make_vpc(ec2), PrivateDnsEnabled=False)
    ec2.delete_vpc_endpoints(VpcEndpointIds=ids[:1])
    interface(ec2, vpc, PrivateDnsEnabled=False)


def test_gateway_endpoints_per_region(url, set_limits):
    set_limits({"gateway_endpoints_per_region": 20})  # EC2's default
    ec2 = client(url, region="eu-north-1")  # a region of its own: nothing else counts there
    s3 = "com.amazonaws.eu-north-1.s3"
    # What an earlier run against the same emulator left there goes first.
    left = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] != "deleted"]
    if left:
        ec2.delete_vpc_endpoints(VpcEndpointIds=left)
    vpcs = [make_vpc(ec2, dns=False) for _ in range(2)]
    ids = [ec2.create_vpc_endpoint(VpcId=vpcs[i % 2], ServiceName=s3, VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
           for i in range(20)]
    rejected(lambda: ec2.create_vpc_endpoint(VpcId=make_vpc(ec2, dns=False), ServiceName=s3, VpcEndpointType="Gateway"),
             "VpcEndpointLimitExceeded", LIMIT_MESSAGE)
    ec2.delete_vpc_endpoints(VpcEndpointIds=ids[:1])
    ec2.create_vpc_endpoint(VpcId=vpcs[0], ServiceName=s3, VpcEndpointType="Gateway")


def test_limits_are_configurable(url):
    with urllib.request.urlopen(url + "/__emulator/limits", timeout=5) as r:
        limits = json.load(r)
    assert set(limits) == {"interface_endpoints_per_vpc", "gateway_endpoints_per_region", "resource_endpoints_per_vpc",
                           "service_network_endpoints_per_vpc"}
    req = urllib.request.Request(url + "/__emulator/limits", data=b'{"no_such_limit": 1}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 400


# -- IP address types ----------------------------------------------------------------------------------


def test_dualstack_and_ipv6_need_subnets_with_ipv6(ec2):
    vpc = make_vpc(ec2, ipv6=True)
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    v4 = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1a")
    both = make_subnet(ec2, vpc, "10.0.2.0/24", "us-east-1b", ipv6_cidr=block.replace("::/56", "::/64"))
    rejected(lambda: interface(ec2, vpc, PrivateDnsEnabled=False, IpAddressType="dualstack", SubnetIds=[v4, both]), "InvalidParameter",
             f"The IP address type dualstack requires subnets with both IPv4 and IPv6 CIDR blocks; subnet {v4} has no IPv6 CIDR block.")
    rejected(lambda: interface(ec2, vpc, PrivateDnsEnabled=False, IpAddressType="ipv6", SubnetIds=[both]), "InvalidParameter",
             f"The IP address type ipv6 requires IPv6-only subnets; subnet {both} is not IPv6-only.")
    ep = interface(ec2, vpc, PrivateDnsEnabled=False, IpAddressType="dualstack", SubnetIds=[both])
    assert ep["IpAddressType"] == "dualstack"
    # ModifyVpcEndpoint: adding an IPv4-only subnet to it, or switching an IPv4 endpoint with one to dualstack.
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], AddSubnetIds=[v4]), "InvalidParameter",
             f"The IP address type dualstack requires subnets with both IPv4 and IPv6 CIDR blocks; subnet {v4} has no IPv6 CIDR block.")
    plain = interface(ec2, vpc, service=f"com.amazonaws.{REGION}.ec2", PrivateDnsEnabled=False, SubnetIds=[v4])["VpcEndpointId"]
    rejected(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=plain, IpAddressType="dualstack"), "InvalidParameter",
             f"The IP address type dualstack requires subnets with both IPv4 and IPv6 CIDR blocks; subnet {v4} has no IPv6 CIDR block.")
    ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], IpAddressType="ipv4")


def test_ip_address_type_the_service_does_not_support(ec2, url):
    vpc = make_vpc(ec2, ipv6=True)
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    both = make_subnet(ec2, vpc, "10.0.3.0/24", "us-east-1a", ipv6_cidr=block.replace("::/56", "::/64"))
    v4_only = nlb_service(url, ec2, vpc)
    assert ec2.describe_vpc_endpoint_services(ServiceNames=[v4_only])["ServiceDetails"][0]["SupportedIpAddressTypes"] == ["ipv4"]
    rejected(lambda: interface(ec2, vpc, service=v4_only, IpAddressType="dualstack", SubnetIds=[both]), "InvalidParameter",
             f"The VPC endpoint service {v4_only} does not support the IP address type dualstack.")
    dual = nlb_service(url, ec2, vpc, SupportedIpAddressTypes=["ipv4", "ipv6"])
    assert interface(ec2, vpc, service=dual, IpAddressType="dualstack", SubnetIds=[both])["IpAddressType"] == "dualstack"
