"""The service owner's side of endpoint connections (issue 24): AcceptVpcEndpointConnections,
RejectVpcEndpointConnections and DescribeVpcEndpointConnections as EC2 serves them (moto has none of the
three). Calls the emulator directly with boto3.

Uses the emulator at MOTO_URL (scripts/test.sh sets it), else starts one with scripts/moto.sh.
"""
import uuid

import pytest
from botocore.exceptions import ClientError

from test_ec2_rejections import client, url  # noqa: F401  (url is a fixture)


@pytest.fixture(scope="module")
def world(url):  # noqa: F811
    ec2, elb = client(url), client(url, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.12.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.12.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    def service(acceptance):
        lb = elb.create_load_balancer(Name="nlb-" + uuid.uuid4().hex[:20], Subnets=[a], Type="network")["LoadBalancers"][0]
        cfg = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb["LoadBalancerArn"]],
                                                            AcceptanceRequired=acceptance)["ServiceConfiguration"]
        return cfg, lb["LoadBalancerArn"]

    return ec2, vpc, a, service(True), service(False)


def endpoint(ec2, vpc, subnet, svc):
    return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=svc["ServiceName"], VpcEndpointType="Interface",
                                   SubnetIds=[subnet], PrivateDnsEnabled=False)["VpcEndpoint"]["VpcEndpointId"]


def state(ec2, ep_id):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]["State"]


def connections(ec2, **kw):
    return {c["VpcEndpointId"]: c for c in ec2.describe_vpc_endpoint_connections(**kw)["VpcEndpointConnections"]}


def test_reject_waiting_and_available_endpoints(world):
    ec2, vpc, a, (svc, nlb), _ = world
    waiting, accepted = endpoint(ec2, vpc, a, svc), endpoint(ec2, vpc, a, svc)
    assert state(ec2, waiting) == state(ec2, accepted) == "pendingAcceptance"
    ec2.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[accepted])
    assert state(ec2, accepted) == "available"
    unknown = "vpce-0123456789abcdef0"
    out = ec2.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[waiting, unknown, accepted])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [(unknown, "InvalidVpcEndpointId.NotFound")]
    assert state(ec2, waiting) == state(ec2, accepted) == "rejected"
    seen = connections(ec2, Filters=[{"Name": "service-id", "Values": [svc["ServiceId"]]}])
    assert seen[waiting]["VpcEndpointState"] == seen[accepted]["VpcEndpointState"] == "rejected"
    assert seen[waiting]["ServiceId"] == svc["ServiceId"] and seen[waiting]["NetworkLoadBalancerArns"] == [nlb]
    assert seen[waiting]["VpcEndpointOwner"] == "123456789012"
    # The consumer can still delete a rejected endpoint.
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[waiting])["Unsuccessful"] == []
    assert waiting not in connections(ec2, Filters=[{"Name": "service-id", "Values": [svc["ServiceId"]]}])


def test_reject_needs_an_endpoint_of_that_service(world):
    ec2, vpc, a, (svc, _), (other, _) = world
    ep = endpoint(ec2, vpc, a, other)
    assert state(ec2, ep) == "available"  # its service accepts without the owner
    out = ec2.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep])
    assert [u["ResourceId"] for u in out["Unsuccessful"]] == [ep]
    assert state(ec2, ep) == "available"
    with pytest.raises(ClientError) as e:
        ec2.reject_vpc_endpoint_connections(ServiceId="vpce-svc-0123456789abcdef0", VpcEndpointIds=[ep])
    assert e.value.response["Error"]["Code"] == "InvalidVpcEndpointServiceId.NotFound"


def test_describe_connections_filters_and_pages(world):
    ec2, vpc, a, (svc, _), (other, _) = world
    waiting = [endpoint(ec2, vpc, a, svc) for _ in range(6)]
    ready = endpoint(ec2, vpc, a, other)
    pending = connections(ec2, Filters=[{"Name": "vpc-endpoint-state", "Values": ["pendingAcceptance"]}])
    assert set(waiting) <= set(pending) and ready not in pending
    assert list(connections(ec2, Filters=[{"Name": "vpc-endpoint-id", "Values": [ready]}])) == [ready]
    assert connections(ec2, Filters=[{"Name": "vpc-endpoint-id", "Values": [ready]}])[ready]["VpcEndpointState"] == "available"
    seen, token = [], None
    while True:
        page = ec2.describe_vpc_endpoint_connections(MaxResults=5, **({"NextToken": token} if token else {}))
        assert len(page["VpcEndpointConnections"]) <= 5
        seen += [c["VpcEndpointId"] for c in page["VpcEndpointConnections"]]
        token = page.get("NextToken")
        if not token:
            break
    assert set(waiting) | {ready} <= set(seen) and len(seen) == len(set(seen))
    for bad in (dict(Filters=[{"Name": "service-name", "Values": ["x"]}]), dict(MaxResults=2)):
        with pytest.raises(ClientError) as e:
            ec2.describe_vpc_endpoint_connections(**bad)
        assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
