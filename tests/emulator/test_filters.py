"""DescribeVpcEndpoints and DescribeVpcEndpointServices filters as EC2 documents them (issue 24): every
documented filter name, EC2's wildcards, several values of one filter or'ed, several filters and'ed, and
EC2's InvalidParameterValue for a name it does not know; ServiceRegions lists another Region's services.

Uses the emulator at MOTO_URL (scripts/test.sh sets it), else starts one with scripts/moto.sh.
"""
import uuid

import pytest
from botocore.exceptions import ClientError

from test_ec2_rejections import REGION, client, url  # noqa: F401  (url is a fixture)


@pytest.fixture(scope="module")
def ec2(url):  # noqa: F811
    return client(url)


@pytest.fixture(scope="module")
def endpoints(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    mark = uuid.uuid4().hex[:8]

    def make(service, name):
        tags = [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": name}, {"Key": "Mark", "Value": mark}]}]
        return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.{service}",
                                       TagSpecifications=tags)["VpcEndpoint"]["VpcEndpointId"]

    return vpc, mark, make("s3", "alpha-1"), make("dynamodb", "beta-1")


def ids(ec2, *filters, **kw):
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": n, "Values": v} for n, v in filters], **kw)["VpcEndpoints"]
    return sorted(e["VpcEndpointId"] for e in found)


def test_every_documented_endpoint_filter(ec2, endpoints):
    vpc, mark, s3, ddb = endpoints
    both = sorted([s3, ddb])
    assert ids(ec2, ("vpc-id", [vpc])) == both
    assert ids(ec2, ("vpc-id", [vpc]), ("service-name", [f"com.amazonaws.{REGION}.s3"])) == [s3]
    assert ids(ec2, ("vpc-endpoint-id", [ddb])) == [ddb]
    assert ids(ec2, ("tag:Mark", [mark]), ("vpc-endpoint-state", ["available"])) == both
    assert ids(ec2, ("tag:Mark", [mark]), ("vpc-endpoint-type", ["Gateway"])) == both
    assert ids(ec2, ("tag:Mark", [mark]), ("vpc-endpoint-type", ["Interface"])) == []
    assert ids(ec2, ("tag:Mark", [mark]), ("ip-address-type", ["ipv4"])) == both
    assert ids(ec2, ("tag:Mark", [mark]), ("service-region", [REGION])) == both
    assert ids(ec2, ("vpc-id", [vpc]), ("tag-key", ["Mark"])) == both
    assert ids(ec2, ("vpc-id", [vpc]), ("tag-key", ["Nope"])) == []


def test_wildcards_or_values_and_filters(ec2, endpoints):
    vpc, mark, s3, ddb = endpoints
    assert ids(ec2, ("tag:Mark", [mark]), ("tag:Name", ["alpha-*"])) == [s3]
    assert ids(ec2, ("tag:Mark", [mark]), ("tag:Name", ["?eta-1"])) == [ddb]
    assert ids(ec2, ("tag:Mark", [mark]), ("tag:Name", ["alpha-1", "beta-1"])) == sorted([s3, ddb])
    assert ids(ec2, ("tag:Mark", [mark]), ("tag:Name", ["alpha-1"]), ("service-name", ["*dynamodb"])) == []
    assert ids(ec2, ("tag:Name", ["alpha-1"]), VpcEndpointIds=[ddb]) == []
    assert ids(ec2, ("tag:Name", ["alpha-1"]), ("tag:Mark", [mark]), MaxResults=5) == [s3]


def test_unknown_filter_names_are_rejected(ec2):
    for call in (ec2.describe_vpc_endpoints, ec2.describe_vpc_endpoint_services):
        with pytest.raises(ClientError) as e:
            call(Filters=[{"Name": "vpc-endpoint-name", "Values": ["x"]}])
        assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert e.value.response["Error"]["Message"] == "The filter 'vpc-endpoint-name' is invalid"


def test_service_filters_and_regions(ec2):
    def names(filters, **kw):
        out = ec2.describe_vpc_endpoint_services(Filters=[{"Name": n, "Values": v} for n, v in filters], **kw)
        return [(d["ServiceName"], d["ServiceRegion"]) for d in out["ServiceDetails"]]

    s3 = f"com.amazonaws.{REGION}.s3"
    assert names([("service-name", [s3]), ("service-type", ["Gateway"])]) == [(s3, REGION)]
    assert names([("service-name", ["*.s3"]), ("owner", ["amazon"])]) == [(s3, REGION), (s3, REGION)]
    assert names([("service-name", ["*.ssm"]), ("supported-ip-address-types", ["ipv4"])]) == [(f"com.amazonaws.{REGION}.ssm", REGION)]
    assert names([("service-name", ["*.s3"]), ("service-type", ["Gateway"])], ServiceRegions=["us-west-2"]) == \
        [("com.amazonaws.us-west-2.s3", "us-west-2")]


def test_service_tags_are_reported_and_filtered(ec2, url):  # noqa: F811
    """An endpoint service of the account reports its tags in DescribeVpcEndpointServices, and the
    tag filters find it (moto leaves the tags out)."""
    elb = client(url, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    lb = elb.create_load_balancer(Name="nlb-" + uuid.uuid4().hex[:20], Subnets=[subnet], Type="network",
                                  Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
    team = uuid.uuid4().hex[:8]
    cfg = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb],
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "team", "Value": team}]}])
    name = cfg["ServiceConfiguration"]["ServiceName"]
    detail = ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"][0]
    assert detail["Tags"] == [{"Key": "team", "Value": team}]
    found = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "tag:team", "Values": [team]}])["ServiceDetails"]
    assert [d["ServiceName"] for d in found] == [name]
    found = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "tag-key", "Values": ["team"]},
                                                        {"Name": "service-name", "Values": [name]}])["ServiceDetails"]
    assert [d["ServiceName"] for d in found] == [name]
