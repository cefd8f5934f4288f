"""Gateway Load Balancer endpoints as EC2 documents them (issue 24): the service's type, one subnet and
one network interface, no security groups, policy or private DNS, acceptance; moto creates them like
gateway endpoints. Calls the emulator directly with boto3.

Uses the emulator at MOTO_URL (scripts/test.sh sets it), else starts one with scripts/moto.sh.
"""
import uuid

import pytest
from botocore.exceptions import ClientError

from test_ec2_rejections import REGION, client, url  # noqa: F401  (url is a fixture)


@pytest.fixture(scope="module")
def world(url):  # noqa: F811
    ec2, elb = client(url), client(url, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(VpcId=vpc, GroupName="g" + uuid.uuid4().hex[:8], Description="x")["GroupId"]

    def service(acceptance):
        lb = elb.create_load_balancer(Name="gwlb-" + uuid.uuid4().hex[:20], Subnets=[a, b], Type="gateway")
        arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
        cfg = ec2.create_vpc_endpoint_service_configuration(GatewayLoadBalancerArns=[arn], AcceptanceRequired=acceptance)
        return cfg["ServiceConfiguration"]

    return ec2, vpc, a, b, sg, service(False), service(True)


def refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_service_type_is_gateway_load_balancer(world):
    ec2, vpc, a, b, sg, svc, _ = world
    assert svc["ServiceType"] == [{"ServiceType": "GatewayLoadBalancer"}]
    detail = ec2.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"][0]
    assert detail["ServiceType"] == [{"ServiceType": "GatewayLoadBalancer"}]


def test_endpoint_has_one_subnet_one_interface_no_policy(world):
    ec2, vpc, a, b, sg, svc, _ = world
    ep = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=svc["ServiceName"], VpcEndpointType="GatewayLoadBalancer",
                                 SubnetIds=[a])["VpcEndpoint"]
    assert ep["State"] == "available" and ep["SubnetIds"] == [a]
    assert len(ep["NetworkInterfaceIds"]) == 1
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"][0]
    assert eni["SubnetId"] == a
    assert "PolicyDocument" not in ep and ep.get("DnsEntries", []) == [] and ep.get("Groups", []) == []
    # Its one subnet can be exchanged, never doubled or removed.
    ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], AddSubnetIds=[b], RemoveSubnetIds=[a])
    now = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])["VpcEndpoints"][0]
    assert now["SubnetIds"] == [b] and len(now["NetworkInterfaceIds"]) == 1
    code, _ = refused(ec2.modify_vpc_endpoint, VpcEndpointId=ep["VpcEndpointId"], AddSubnetIds=[a])
    assert code == "InvalidParameter"
    code, _ = refused(ec2.modify_vpc_endpoint, VpcEndpointId=ep["VpcEndpointId"], PolicyDocument='{"Statement":[]}')
    assert code == "InvalidParameter"


def test_what_a_gwlb_endpoint_does_not_take(world):
    ec2, vpc, a, b, sg, svc, _ = world
    base = dict(VpcId=vpc, ServiceName=svc["ServiceName"], VpcEndpointType="GatewayLoadBalancer")
    for extra, needle in [
        (dict(SubnetIds=[a, b]), "exactly one subnet"),
        (dict(SubnetIds=[]), "exactly one subnet"),
        (dict(SubnetIds=[a], SecurityGroupIds=[sg]), "security groups"),
        (dict(SubnetIds=[a], PolicyDocument='{"Statement":[]}'), "endpoint policies"),
        (dict(SubnetIds=[a], PrivateDnsEnabled=True), "private DNS"),
    ]:
        code, message = refused(ec2.create_vpc_endpoint, **base, **extra)
        assert code == "InvalidParameter" and needle in message, (extra, message)
    code, message = refused(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.ssm",
                            VpcEndpointType="GatewayLoadBalancer", SubnetIds=[a])
    assert code == "InvalidParameter" and "does not support the endpoint type GatewayLoadBalancer" in message


def test_acceptance(world):
    ec2, vpc, a, b, sg, _, svc = world
    ep = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=svc["ServiceName"], VpcEndpointType="GatewayLoadBalancer",
                                 SubnetIds=[a])["VpcEndpoint"]
    assert ep["State"] == "pendingAcceptance"
    ec2.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    now = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])["VpcEndpoints"][0]
    assert now["State"] == "available"
