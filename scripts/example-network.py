"""Creates the network the quick-start example needs, in the local EC2 emulator, and prints
terraform.tfvars.json content: a VPC with DNS support and hostnames, two subnets in two AZs,
two route tables and a security group."""
import json
import os
import sys

import boto3

url = sys.argv[1]
region = os.environ.get("AWS_REGION", "us-east-1")
ec2 = boto3.client("ec2", endpoint_url=url, region_name=region,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "quickstart"}])
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"]["SubnetId"]
           for i, az in enumerate("ab")]
tables = [ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _ in range(2)]
sg = ec2.create_security_group(VpcId=vpc, GroupName="quickstart-endpoints",
                               Description="HTTPS from the VPC to interface endpoints")["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.42.0.0/16"}]}])
json.dump({"region": region, "ec2_endpoint": url, "vpc_id": vpc, "route_table_ids": tables,
           "subnet_ids": subnets, "security_group_ids": [sg]}, sys.stdout, indent=2)
print()
