"""What the traffic advice and the vpce_routing data source read (issue 23 part 3), as EC2 has it: the
VPC's default security group admits all traffic from its own members; a NAT gateway route and the main
route table's association are reported. Calls the emulator directly with boto3.

Run: .venv/bin/python -m pytest -q tests/emulator
"""
from test_ec2_rejections import client, make_subnet, make_vpc, url  # noqa: F401  (url is a fixture)

import pytest


@pytest.fixture(scope="module")
def ec2(url):  # noqa: F811
    return client(url)


def test_default_security_group_admits_its_members(ec2):
    vpc = make_vpc(ec2)
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    assert group["IpPermissions"] == [
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"UserId": group["OwnerId"], "GroupId": group["GroupId"]}], "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": []}
    ]
    assert [p["IpRanges"] for p in group["IpPermissionsEgress"]] == [[{"CidrIp": "0.0.0.0/0"}]]
    # Other groups start with no inbound rule, as in EC2.
    other = ec2.create_security_group(VpcId=vpc, GroupName="other", Description="x")["GroupId"]
    assert ec2.describe_security_groups(GroupIds=[other])["SecurityGroups"][0]["IpPermissions"] == []


def test_nat_route_and_main_table(ec2):
    vpc = make_vpc(ec2)
    public, private = make_subnet(ec2, vpc, "10.0.0.0/24"), make_subnet(ec2, vpc, "10.0.1.0/24")
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=table, SubnetId=private)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    main = [t for t in tables if any(a.get("Main") for a in t["Associations"])]
    assert len(main) == 1 and all("SubnetId" not in a for a in main[0]["Associations"])
    mine = next(t for t in tables if t["RouteTableId"] == table)
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute", "State": "active"} in mine["Routes"]
    assert [a["SubnetId"] for a in mine["Associations"]] == [private]
