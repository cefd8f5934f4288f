#!/usr/bin/env python3
"""Probe moto EC2 VPC-endpoint behaviour. Usage: MOTO_URL=$(scripts/moto.sh url) .venv/bin/python scripts/moto-facts.py (resets moto state at the end of part 1)."""
import os; os.environ.setdefault("AWS_MAX_ATTEMPTS", "1")
# ---- part 1
import boto3, json, os, urllib.request, botocore
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
URL = os.environ["MOTO_URL"]
ec2 = boto3.client("ec2", endpoint_url=URL, region_name="us-east-1")
def p(title, obj): print(f"=== {title}\n{json.dumps(obj, indent=1, default=str)}")
def strip(r): r.pop("ResponseMetadata", None); return r
def err(fn, **kw):
    try: return strip(fn(**kw))
    except botocore.exceptions.ClientError as e: return {"ERROR": e.response["Error"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]; vid = vpc["VpcId"]
p("create_vpc", vpc)
for a in ("enableDnsSupport", "enableDnsHostnames"):
    p(f"vpc attr {a}", err(ec2.describe_vpc_attribute, VpcId=vid, Attribute=a))
ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
p("after modify enableDnsHostnames", err(ec2.describe_vpc_attribute, VpcId=vid, Attribute="enableDnsHostnames"))
rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
rt2 = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
sn = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
sn2 = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
sg = ec2.create_security_group(VpcId=vid, GroupName="g", Description="d")["GroupId"]
sg2 = ec2.create_security_group(VpcId=vid, GroupName="g2", Description="d")["GroupId"]

svc = ec2.describe_vpc_endpoint_services()
s3 = [d for d in svc["ServiceDetails"] if d["ServiceName"] == "com.amazonaws.us-east-1.s3"]
p("describe_vpc_endpoint_services: s3 details", s3)
p("service names containing s3/dynamodb/ec2", [n for n in svc["ServiceNames"] if n.split(".")[-1] in ("s3","dynamodb","ec2")])
p("num services", len(svc["ServiceNames"]))
p("filter service-name s3", [ (d["ServiceName"], d["ServiceType"]) for d in err(ec2.describe_vpc_endpoint_services, ServiceNames=["com.amazonaws.us-east-1.s3"]).get("ServiceDetails", [])])
p("unknown service name", err(ec2.describe_vpc_endpoint_services, ServiceNames=["com.amazonaws.us-east-1.nope"]))
p("describe_prefix_lists", err(ec2.describe_prefix_lists))
p("describe_prefix_lists s3 filter", err(ec2.describe_prefix_lists, Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]))
p("describe_managed_prefix_lists s3 filter", err(ec2.describe_managed_prefix_lists, Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]))

gw = err(ec2.create_vpc_endpoint, VpcEndpointType="Gateway", VpcId=vid, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rt])
p("create gateway endpoint", gw)
ge = gw["VpcEndpoint"]["VpcEndpointId"]
p("route table after gateway create", ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"])
p("describe gateway ep", strip(ec2.describe_vpc_endpoints(VpcEndpointIds=[ge])))
pol = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})
p("modify AddRouteTableIds rt2", err(ec2.modify_vpc_endpoint, VpcEndpointId=ge, AddRouteTableIds=[rt2]))
p("rt2 routes", ec2.describe_route_tables(RouteTableIds=[rt2])["RouteTables"][0]["Routes"])
p("modify RemoveRouteTableIds rt", err(ec2.modify_vpc_endpoint, VpcEndpointId=ge, RemoveRouteTableIds=[rt]))
p("rt routes after remove", ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"])
p("modify PolicyDocument", err(ec2.modify_vpc_endpoint, VpcEndpointId=ge, PolicyDocument=pol))
p("ep after policy", ec2.describe_vpc_endpoints(VpcEndpointIds=[ge])["VpcEndpoints"][0])
p("modify ResetPolicy", err(ec2.modify_vpc_endpoint, VpcEndpointId=ge, ResetPolicy=True))
p("ep after reset", ec2.describe_vpc_endpoints(VpcEndpointIds=[ge])["VpcEndpoints"][0])

ie = err(ec2.create_vpc_endpoint, VpcEndpointType="Interface", VpcId=vid, ServiceName="com.amazonaws.us-east-1.ec2", SubnetIds=[sn], SecurityGroupIds=[sg], PrivateDnsEnabled=False)
p("create interface endpoint", ie)
iid = ie["VpcEndpoint"]["VpcEndpointId"]
p("modify AddSubnetIds/AddSecurityGroupIds/PrivateDnsEnabled", err(ec2.modify_vpc_endpoint, VpcEndpointId=iid, AddSubnetIds=[sn2], AddSecurityGroupIds=[sg2], PrivateDnsEnabled=True))
p("interface ep after modify", ec2.describe_vpc_endpoints(VpcEndpointIds=[iid])["VpcEndpoints"][0])
p("modify RemoveSubnetIds/RemoveSecurityGroupIds", err(ec2.modify_vpc_endpoint, VpcEndpointId=iid, RemoveSubnetIds=[sn], RemoveSecurityGroupIds=[sg]))
p("interface ep after remove", ec2.describe_vpc_endpoints(VpcEndpointIds=[iid])["VpcEndpoints"][0])

# CreateRoute with prefix list + endpoint
rt3 = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
plid = None
pls = err(ec2.describe_prefix_lists).get("PrefixLists", [])
for x in pls:
    if x.get("PrefixListName") == "com.amazonaws.us-east-1.s3": plid = x["PrefixListId"]
p("plid used", plid)
p("create_route DestinationPrefixListId+VpcEndpointId", err(ec2.create_route, RouteTableId=rt3, DestinationPrefixListId=plid or "pl-63a5400a", VpcEndpointId=ge))
p("rt3 routes", ec2.describe_route_tables(RouteTableIds=[rt3])["RouteTables"][0]["Routes"])

p("describe unknown id", err(ec2.describe_vpc_endpoints, VpcEndpointIds=["vpce-0123456789abcdef0"]))
p("modify unknown id", err(ec2.modify_vpc_endpoint, VpcEndpointId="vpce-0123456789abcdef0", ResetPolicy=True))
p("delete gateway", err(ec2.delete_vpc_endpoints, VpcEndpointIds=[ge]))
p("describe after delete", err(ec2.describe_vpc_endpoints, VpcEndpointIds=[ge]))
p("describe all after delete (ids,states)", [(e["VpcEndpointId"], e["State"]) for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]])
p("rt2 routes after delete", ec2.describe_route_tables(RouteTableIds=[rt2])["RouteTables"][0]["Routes"])
p("delete unknown", err(ec2.delete_vpc_endpoints, VpcEndpointIds=["vpce-0123456789abcdef0"]))
p("delete again", err(ec2.delete_vpc_endpoints, VpcEndpointIds=[ge]))
p("filter vpc-endpoint-state", [(e["VpcEndpointId"], e["State"]) for e in ec2.describe_vpc_endpoints(Filters=[{"Name":"vpc-endpoint-state","Values":["available"]}])["VpcEndpoints"]])
p("filter vpc-id", [(e["VpcEndpointId"], e["State"]) for e in ec2.describe_vpc_endpoints(Filters=[{"Name":"vpc-id","Values":[vid]}])["VpcEndpoints"]])
p("filter tag/service-name", [(e["VpcEndpointId"]) for e in ec2.describe_vpc_endpoints(Filters=[{"Name":"service-name","Values":["com.amazonaws.us-east-1.ec2"]}])["VpcEndpoints"]])
p("tags on create via TagSpecifications", err(ec2.create_vpc_endpoint, VpcEndpointType="Gateway", VpcId=vid, ServiceName="com.amazonaws.us-east-1.dynamodb", RouteTableIds=[rt3], TagSpecifications=[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"t"}]}])["VpcEndpoint"].get("Tags"))
p("unknown vpc create", err(ec2.create_vpc_endpoint, VpcEndpointType="Gateway", VpcId="vpc-00000000", ServiceName="com.amazonaws.us-east-1.s3"))
p("bad service create", err(ec2.create_vpc_endpoint, VpcEndpointType="Gateway", VpcId=vid, ServiceName="com.amazonaws.us-east-1.nope"))

# reset
req = urllib.request.Request(URL + "/moto-api/reset", method="POST")
with urllib.request.urlopen(req) as r: print("=== reset status", r.status, r.read()[:200])
p("vpcs after reset", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]])
p("endpoints after reset", ec2.describe_vpc_endpoints()["VpcEndpoints"])
# ---- part 2
import boto3, json, os, botocore
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
ec2 = boto3.client("ec2", endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1")
def err(fn, **kw):
    try: r = fn(**kw); r.pop("ResponseMetadata", None); return r
    except botocore.exceptions.ClientError as e: return {"ERROR": e.response["Error"]}
def p(t, o): print("===", t, json.dumps(o, default=str))
vid = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
rt2 = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
pl = ec2.describe_prefix_lists(Filters=[{"Name":"prefix-list-name","Values":["com.amazonaws.us-east-1.s3"]}])["PrefixLists"][0]["PrefixListId"]
ep0 = ec2.create_vpc_endpoint(VpcId=vid, ServiceName="com.amazonaws.us-east-1.dynamodb")["VpcEndpoint"]
p("no type given: type/privdns", (ep0.get("VpcEndpointType"), ep0.get("PrivateDnsEnabled")))
try:
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep0["VpcEndpointId"]])
except Exception as ex: p("delete ep without type", str(ex)[:150])
ep = ec2.create_vpc_endpoint(VpcId=vid, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rt])["VpcEndpoint"]
p("gateway default PrivateDnsEnabled", ep.get("PrivateDnsEnabled"))
rtx = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
e = ep["VpcEndpointId"]
ep2 = ec2.create_vpc_endpoint(VpcId=vid, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rtx], PrivateDnsEnabled=False)["VpcEndpoint"]
p("2nd s3 gw on same rt (real AWS rejects)", (ep2["VpcEndpointId"], ep2["PrivateDnsEnabled"]))
p("rt routes now", ec2.describe_route_tables(RouteTableIds=[rtx])["RouteTables"][0]["Routes"])
p("delete ep2", err(ec2.delete_vpc_endpoints, VpcEndpointIds=[ep2["VpcEndpointId"]]))
p("rt routes after deleting ep2", ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"])
p("CreateRoute PL + GatewayId=vpce", err(ec2.create_route, RouteTableId=rt2, DestinationPrefixListId=pl, GatewayId=e))
p("rt2 routes", ec2.describe_route_tables(RouteTableIds=[rt2])["RouteTables"][0]["Routes"])
p("DeleteRoute PL rt2", err(ec2.delete_route, RouteTableId=rt2, DestinationPrefixListId=pl))
p("route-table filter route.gateway-id", [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=[{"Name":"route.gateway-id","Values":[e]}])["RouteTables"]])
p("delete clean (ep, rt)", err(ec2.delete_vpc_endpoints, VpcEndpointIds=[e]))
p("describe by id after delete", [(x["VpcEndpointId"], x["State"]) for x in err(ec2.describe_vpc_endpoints, VpcEndpointIds=[e]).get("VpcEndpoints", [])])
p("filter state=deleted", [(x["VpcEndpointId"], x["State"]) for x in ec2.describe_vpc_endpoints(Filters=[{"Name":"vpc-endpoint-state","Values":["deleted"]}])["VpcEndpoints"]])
p("rt routes after delete", ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"])
p("modify deleted ep", err(ec2.modify_vpc_endpoint, VpcEndpointId=e, PolicyDocument="{}"))
p("delete deleted ep again", err(ec2.delete_vpc_endpoints, VpcEndpointIds=[e]))
p("vpc attrs default for describe default vpc", [ (v["VpcId"], v["IsDefault"]) for v in ec2.describe_vpcs()["Vpcs"]])
p("bad attr", err(ec2.describe_vpc_attribute, VpcId=vid, Attribute="enableDnsBogus"))
p("attr unknown vpc", err(ec2.describe_vpc_attribute, VpcId="vpc-00000000", Attribute="enableDnsSupport"))
ep3 = ec2.create_vpc_endpoint(VpcId=vid, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
p("tags create_tags on vpce", err(ec2.create_tags, Resources=[ep3], Tags=[{"Key":"a","Value":"b"}]))
p("tags", ec2.describe_vpc_endpoints(VpcEndpointIds=[ep3])["VpcEndpoints"][0]["Tags"])
p("describe_tags filter resource-id", ec2.describe_tags(Filters=[{"Name":"resource-id","Values":[ep3]}])["Tags"])
p("delete_tags", err(ec2.delete_tags, Resources=[ep3], Tags=[{"Key":"a"}]))
p("tags after delete", ec2.describe_vpc_endpoints(VpcEndpointIds=[ep3])["VpcEndpoints"][0]["Tags"])
p("interface ep with no subnets", err(ec2.create_vpc_endpoint, VpcId=vid, VpcEndpointType="Interface", ServiceName="com.amazonaws.us-east-1.ec2").get("VpcEndpoint", {}).get("VpcEndpointId"))
p("Interface with bad subnet", err(ec2.create_vpc_endpoint, VpcId=vid, VpcEndpointType="Interface", ServiceName="com.amazonaws.us-east-1.ec2", SubnetIds=["subnet-00000000"]))
