"""How long moto takes to answer the read-ahead's listings at N gateway endpoints (issue 25 part 4).

    .venv/bin/python bench/moto_listings.py --url http://127.0.0.1:5534 --n 1000

Makes the bench's gateway topology in the moto at --url (a fresh one: N VPCs, each with its main
route table and one more, and one S3 gateway endpoint on it), then times, with boto3: the one
DescribeVpcEndpoints page of N; DescribeRouteTables by id (calls of 100 ids, 4 at a time, as the
read-ahead does); DescribeRouteTables of the whole region (pages of 100); and the endpoint page
at the same time as each of the two route-table listings.
"""
import argparse
import concurrent.futures as cf
import time

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--n", type=int, default=1000)
    a = ap.parse_args()
    ec2 = boto3.client("ec2", endpoint_url=a.url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    t = time.time()
    rtbs = []
    for i in range(a.n):
        vpc = ec2.create_vpc(CidrBlock="10.%d.%d.0/24" % (i // 250, i % 250))["Vpc"]["VpcId"]
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[rtb],
                                VpcEndpointType="Gateway")
        rtbs.append(rtb)
    print("setup: %.1f s" % (time.time() - t))

    def timed(label, f):
        t = time.time()
        out = f()
        print("%-60s %6.2f s  %s" % (label, time.time() - t, out))

    def endpoints():
        return len(ec2.describe_vpc_endpoints(MaxResults=1000)["VpcEndpoints"])

    def by_id():
        chunks = [rtbs[i:i + 100] for i in range(0, len(rtbs), 100)]
        with cf.ThreadPoolExecutor(4) as ex:
            return sum(len(p["RouteTables"]) for p in ex.map(lambda c: ec2.describe_route_tables(RouteTableIds=c), chunks))

    def region():
        n, pages, token = 0, 0, None
        while True:
            page = ec2.describe_route_tables(MaxResults=100, **({"NextToken": token} if token else {}))
            n, pages, token = n + len(page["RouteTables"]), pages + 1, page.get("NextToken")
            if not token:
                return "%d tables in %d pages" % (n, pages)

    def together(other):
        with cf.ThreadPoolExecutor(5) as ex:
            first, second = ex.submit(endpoints), ex.submit(other)
            return first.result(), second.result()

    timed("DescribeVpcEndpoints, one page", endpoints)
    timed("DescribeRouteTables by id (100 ids a call, 4 at a time)", by_id)
    timed("DescribeRouteTables, the whole region", region)
    timed("endpoint page and region route tables at the same time", lambda: together(region))
    timed("endpoint page and route tables by id at the same time", lambda: together(by_id))


if __name__ == "__main__":
    main()
