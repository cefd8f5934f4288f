//! Against moto: `MOTO_URL` when set (scripts/test.sh), else the moto that scripts/moto.sh
//! starts (as the integration tests do); fails when neither is there.

use std::time::Duration;

use aws_sdk_ec2::types::{ServiceType, VpcEndpointType};
use tokio_util::sync::CancellationToken;

use super::*;

fn id<T>(value: Option<T>, what: &str) -> T {
    value.unwrap_or_else(|| panic!("moto returned no {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_endpoint_roundtrip_against_moto() {
    let url = crate::test_support::moto_url();
    let cfg = Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some(url), ..Default::default() };
    let ec2 = connect(cfg).await.unwrap();
    assert_eq!(ec2.region(), "us-east-1");
    let c = ec2.client();
    let s3 = "com.amazonaws.us-east-1.s3";

    let vpc = c.create_vpc().cidr_block("10.42.0.0/16").send().await.aws_op("CreateVpc").unwrap();
    let vpc = id(vpc.vpc.and_then(|v| v.vpc_id), "vpc id");
    let rt = c.create_route_table().vpc_id(&vpc).send().await.aws_op("CreateRouteTable").unwrap();
    let rt = id(rt.route_table.and_then(|r| r.route_table_id), "route table id");
    let subnet = c.create_subnet().vpc_id(&vpc).cidr_block("10.42.1.0/24").send().await.aws_op("CreateSubnet").unwrap();
    let subnet = id(subnet.subnet.and_then(|s| s.subnet_id), "subnet id");
    let mut ids = Vec::new();
    for i in 0..20 {
        let req = c.create_vpc_endpoint().vpc_id(&vpc).service_name(s3).vpc_endpoint_type(VpcEndpointType::Gateway);
        let req = if i == 0 { req.route_table_ids(&rt) } else { req };
        let out = req.send().await.aws_op("CreateVpcEndpoint").unwrap();
        ids.push(id(out.vpc_endpoint.and_then(|e| e.vpc_endpoint_id), "endpoint id"));
    }

    // 20 concurrent finds share one DescribeVpcEndpoints; with a missing id among them, three
    // (the batch fails naming it, it is asked alone, the rest again).
    let missing = "vpce-0123456789abcdef0".to_string();
    for (extra, want) in [(None, 1), (Some(&missing), 3)] {
        let before = ec2.requests_sent();
        let found = futures::future::join_all(ids.iter().chain(extra).map(|i| ec2.find_vpc_endpoint(i))).await;
        assert_eq!(ec2.requests_sent() - before, want, "DescribeVpcEndpoints calls");
        for (i, f) in ids.iter().zip(&found) {
            let ep = f.as_ref().unwrap().as_ref().expect("found");
            assert_eq!((ep.vpc_endpoint_id(), state_str(ep).as_str()), (Some(i.as_str()), "available"));
        }
        if extra.is_some() {
            assert_eq!(found.last(), Some(&Ok(None)));
        }
    }

    // Related lookups.
    let pl = {
        // Straight from EC2 (find_gateway_prefix_list caches per process; its calls are counted below).
        let filter = aws_sdk_ec2::types::Filter::builder().name("prefix-list-name").values(s3).build();
        let out = ec2.client().describe_prefix_lists().filters(filter).send().await.unwrap();
        out.prefix_lists().first().and_then(|p| p.prefix_list_id()).expect("s3 prefix list").to_string()
    };
    let rts = ec2.find_route_tables(&[rt.clone(), "rtb-0000000000000000a".into()]).await.unwrap();
    assert_eq!(rts.len(), 1);
    assert!(route_table_has_endpoint_route(&rts[0], &pl, &ids[0]));
    assert!(!route_table_has_endpoint_route(&rts[0], &pl, &ids[1]));

    // Route tables are batched like endpoints: concurrent lookups share one call (three
    // with a missing id among them), and each caller gets its own tables.
    let mut vpcs = vec![vpc.clone()];
    let mut tables = vec![rt.clone()];
    for i in 0..3 {
        let v = c.create_vpc().cidr_block(format!("10.{}.0.0/16", 50 + i)).send().await.aws_op("CreateVpc").unwrap();
        vpcs.push(id(v.vpc.and_then(|v| v.vpc_id), "vpc id"));
        let t = c.create_route_table().vpc_id(&vpcs[0]).send().await.aws_op("CreateRouteTable").unwrap();
        tables.push(id(t.route_table.and_then(|t| t.route_table_id), "route table id"));
    }
    for (extra, want) in [(None, 1), (Some("rtb-0000000000000000b"), 3)] {
        let before = ec2.requests_sent();
        let asked: Vec<Vec<String>> =
            tables.iter().map(|t| [Some(t.as_str()), extra].into_iter().flatten().map(String::from).collect()).collect();
        let found = futures::future::join_all(asked.iter().map(|ids| ec2.find_route_tables(ids))).await;
        assert_eq!(ec2.requests_sent() - before, want, "DescribeRouteTables calls");
        for (t, f) in tables.iter().zip(found) {
            let f = f.unwrap();
            assert_eq!(f.iter().map(|x| x.route_table_id().unwrap_or_default()).collect::<Vec<_>>(), vec![t.as_str()]);
        }
    }

    // Endpoint services and prefix lists: one call per name for the whole process.
    let before = ec2.requests_sent();
    let (service, _, _) = tokio::join!(ec2.describe_service(s3), ec2.describe_service(s3), ec2.describe_service_details(s3));
    assert_eq!(ec2.requests_sent() - before, 1, "DescribeVpcEndpointServices calls");
    let service = service.unwrap().expect("s3 service");
    let types: Vec<_> = service.service_type().iter().filter_map(|t| t.service_type().cloned()).collect();
    assert!(types.contains(&ServiceType::Gateway) && types.contains(&ServiceType::Interface), "{types:?}");
    assert_eq!(ec2.requests_sent() - before, 1, "cached");
    assert_eq!(ec2.describe_service("com.amazonaws.us-east-1.nope").await.unwrap(), None);
    let before = ec2.requests_sent();
    let lists = futures::future::join_all((0..10).map(|_| ec2.find_gateway_prefix_list(s3))).await;
    assert_eq!(ec2.requests_sent() - before, 2, "one DescribePrefixLists and one GetManagedPrefixListEntries");
    let list = lists[0].clone().unwrap().expect("s3 prefix list");
    assert!(lists.iter().all(|l| l.as_ref().unwrap().as_ref() == Some(&list)));
    assert_eq!((list.id.as_str(), list.cidrs.is_empty()), (pl.as_str(), false), "{list:?}");
    assert_eq!(ec2.find_gateway_prefix_list(s3).await.unwrap(), Some(list));
    assert_eq!(ec2.requests_sent() - before, 2, "cached");
    assert_eq!(ec2.find_gateway_prefix_list("com.amazonaws.us-east-1.nope").await.unwrap(), None);
    assert!(ec2.vpc_dns_attributes(&vpc).await.unwrap().0);
    let sg = ec2.default_security_group(&vpc).await.unwrap().expect("default security group");
    assert!(sg.starts_with("sg-"), "{sg}");
    assert_eq!(ec2.find_subnets(&[subnet, "subnet-0000000000000000a".into()]).await.unwrap().len(), 1);

    // Waiters.
    let (none, short) = (CancellationToken::new(), Duration::from_millis(300));
    let ep = ec2.wait_for_endpoint(&ids[0], &["available"], Duration::from_secs(10), &none).await.unwrap();
    assert_eq!(ep.vpc_endpoint_id(), Some(ids[0].as_str()));
    let r = ec2.wait_for_endpoint(&ids[0], &["pendingacceptance"], short, &none).await;
    assert_eq!(r.unwrap_err(), WaitError::Timeout("available".into()));
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let r = ec2.wait_for_endpoint(&ids[0], &["pendingacceptance"], short, &cancelled).await;
    assert_eq!(r.unwrap_err(), WaitError::Cancelled);

    // Delete all, wait for all concurrently.
    let out = c.delete_vpc_endpoints().set_vpc_endpoint_ids(Some(ids.clone())).send().await;
    assert!(out.aws_op("DeleteVpcEndpoints").unwrap().unsuccessful().is_empty());
    let before = ec2.requests_sent();
    let waits = ids.iter().map(|i| ec2.wait_for_endpoint_deleted(i, Duration::from_secs(10), &none));
    assert!(futures::future::join_all(waits).await.iter().all(Result::is_ok));
    assert_eq!(ec2.requests_sent() - before, 1, "the 20 waiters' polls share one call");
    assert_eq!(ec2.find_vpc_endpoint(&ids[0]).await.unwrap(), None);
    let gone = ec2.find_vpc_endpoint_any_state(&ids[0]).await.unwrap().map(|e| state_str(&e));
    assert!(matches!(gone.as_deref(), None | Some("deleted")));
    let r = ec2.wait_for_endpoint(&ids[1], &["available"], short, &none).await;
    assert!(matches!(r, Err(WaitError::Failed(ref s, _)) if s == "deleted") || gone.is_none(), "{r:?}");
}

/// The endpoints of many VPCs for the plan-time rules: concurrent lookups share calls (several
/// VPCs a DescribeVpcEndpoints), each VPC gets its own endpoints and no other's, a VPC without
/// any gets none, and past LIST_AFTER VPCs one listing of the region answers the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpc_endpoint_facts_are_batched_by_vpc_then_listed() {
    let url = crate::test_support::moto_url();
    let cfg = Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some(url), ..Default::default() };
    let ec2 = connect(cfg).await.unwrap();
    let c = ec2.client();
    let s3 = "com.amazonaws.us-east-1.s3";
    let vpcs_n = facts::LIST_AFTER + 10;
    let mut vpcs = Vec::new();
    let mut endpoint_of = std::collections::HashMap::new();
    for i in 0..vpcs_n {
        let vpc = c.create_vpc().cidr_block(format!("10.{}.{}.0/24", 200 + i / 256, i % 256)).send().await.aws_op("CreateVpc").unwrap();
        let vpc = id(vpc.vpc.and_then(|v| v.vpc_id), "vpc id");
        // Every VPC but the first two of each ten gets one gateway endpoint.
        if i % 10 >= 2 {
            let out = c
                .create_vpc_endpoint()
                .vpc_id(&vpc)
                .service_name(s3)
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .send()
                .await
                .aws_op("CreateVpcEndpoint")
                .unwrap();
            endpoint_of.insert(vpc.clone(), id(out.vpc_endpoint.and_then(|e| e.vpc_endpoint_id), "endpoint id"));
        }
        vpcs.push(vpc);
    }
    let check = |vpc: &String, found: &[aws_sdk_ec2::types::VpcEndpoint]| {
        let ids: Vec<&str> = found.iter().filter_map(|e| e.vpc_endpoint_id()).collect();
        let want: Vec<&str> = endpoint_of.get(vpc).map(String::as_str).into_iter().collect();
        assert_eq!(ids, want, "the endpoints of {vpc}");
    };
    // Ten at a time, as Terraform asks.
    let (first, rest) = vpcs.split_at(facts::LIST_AFTER);
    let before = ec2.requests_sent();
    for group in first.chunks(10) {
        let found = futures::future::join_all(group.iter().map(|v| ec2.vpc_endpoint_facts(v))).await;
        for (v, f) in group.iter().zip(found) {
            check(v, &f.unwrap());
        }
    }
    let batched = ec2.requests_sent() - before;
    assert!(batched <= (facts::LIST_AFTER / 10 * 2) as u64, "{batched} calls for {} VPCs asked ten at a time", facts::LIST_AFTER);
    // Asked again: kept.
    let before = ec2.requests_sent();
    check(&first[3], &ec2.vpc_endpoint_facts(&first[3]).await.unwrap());
    assert_eq!(ec2.requests_sent(), before);
    // Past LIST_AFTER: one listing of the region (every endpoint moto holds fits one page).
    let before = ec2.requests_sent();
    for v in rest {
        check(v, &ec2.vpc_endpoint_facts(v).await.unwrap());
    }
    // (moto may hold other tests' endpoints too: a page is 1000.)
    let listed = ec2.requests_sent() - before;
    assert!((1..=3).contains(&listed), "{listed} calls: one listing of the region for the other {} VPCs", rest.len());
}
