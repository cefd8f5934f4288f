"""scripts/ec2proxy.py's realistic mode: pending and deleting times per endpoint type
(pending_s_by_type, delete_s_by_type, ec2_times), next to the old pending_s / delete_s."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from test_ec2_rejections import client, url  # noqa: F401  (url is a fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "us-east-1"




@pytest.fixture
def proxy(url):
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "ec2proxy.py"), "--target", url, "--port", "0",
                             "--realistic", json.dumps({"pending_s": 0.5, "delete_s": 0.5})],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        yield "http://127.0.0.1:%d" % int(proc.stdout.readline().strip())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def configure(proxy, cfg):
    req = urllib.request.Request(proxy + "/__realistic", data=json.dumps(cfg).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req).read())


def network(moto):
    vpc = moto.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = moto.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    rtb = moto.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    return vpc, subnet, rtb


def create(ec2, vpc, subnet, rtb, kind):
    if kind == "gateway":  # VpcEndpointType left out: EC2's default, Gateway
        return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", RouteTableIds=[rtb])["VpcEndpoint"]["VpcEndpointId"]
    return ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.ssm", VpcEndpointType="Interface",
                                   SubnetIds=[subnet], PrivateDnsEnabled=False)["VpcEndpoint"]["VpcEndpointId"]


def states(ec2, ids):
    return {e["VpcEndpointId"]: e["State"] for e in ec2.describe_vpc_endpoints(VpcEndpointIds=ids)["VpcEndpoints"]}


def test_pending_and_deleting_times_per_type(url, proxy):
    moto, ec2 = client(url), client(proxy)
    vpc, subnet, rtb = network(moto)
    configure(proxy, {"pending_s_by_type": {"Interface": 2.5}, "delete_s_by_type": {"interface": 2.5}})
    gw, itf = create(ec2, vpc, subnet, rtb, "gateway"), create(ec2, vpc, subnet, rtb, "interface")
    assert states(ec2, [gw, itf]) == {gw: "pending", itf: "pending"}
    time.sleep(1)  # the gateway takes pending_s (0.5 s), the interface its own 2.5 s
    assert states(ec2, [gw, itf]) == {gw: "available", itf: "pending"}
    time.sleep(2)
    assert states(ec2, [gw, itf]) == {gw: "available", itf: "available"}
    ec2.delete_vpc_endpoints(VpcEndpointIds=[gw, itf])
    time.sleep(1)
    assert states(ec2, [itf]) == {itf: "deleting"}
    # (the gateway, deleting for delete_s = 0.5 s, is gone: NotFound by id)
    # An endpoint the proxy has no clock for (made before, straight in moto): its type is learnt at delete.
    other = create(moto, vpc, subnet, rtb, "interface")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[other])
    time.sleep(1)
    assert states(ec2, [other]) == {other: "deleting"}


def test_ec2_times(url, proxy):
    moto, ec2 = client(url), client(proxy)
    vpc, subnet, rtb = network(moto)
    cfg = configure(proxy, {"reset": True, "ec2_times": True})
    assert cfg["pending_s"] == 0 and cfg["ec2_times"] is True
    gw, itf = create(ec2, vpc, subnet, rtb, "gateway"), create(ec2, vpc, subnet, rtb, "interface")
    time.sleep(3.5)  # EC2's times: a gateway 3 s, an interface 60 s
    assert states(ec2, [gw, itf]) == {gw: "available", itf: "pending"}
    types = json.loads(urllib.request.urlopen(proxy + "/__realistic").read())["endpoint_types"]
    assert (types[gw], types[itf]) == ("gateway", "interface")
