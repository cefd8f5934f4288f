//! Where a VPC's traffic goes: the network of a VPC (its CIDR blocks, subnets and route tables,
//! with their routes and associations), looked up once per VPC and process like the other
//! plan-time facts (three Describe calls, made together), and what is read from it: the route
//! table each subnet uses (its explicit association, else the VPC's main table), the target of its
//! default route (`0.0.0.0/0`, else `::/0`), the subnets a gateway endpoint covers, the path from
//! a subnet to a service, and whether security groups admit TCP 443 from the VPC.
//!
//! Many endpoints each in its own VPC would cost three calls per VPC: once a process has asked for
//! more than [`ONE_BY_ONE`] VPCs, it lists the VPCs, subnets and route tables of the region once
//! (up to [`LIST_MAX_PAGES`](super::facts::LIST_MAX_PAGES) pages of 100 each) and answers the
//! VPCs it holds whole from there.
//!
//! What is kept may be out of date within the process (an association changed since it was
//! listed); each Terraform command runs in a new process, so the next refresh sees it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use aws_sdk_ec2::types::{Filter, IpPermission, RouteState, RouteTable, SecurityGroup, Subnet, Vpc, VpcEndpoint};
use tokio::sync::OnceCell;

use super::batch::Memo;
use super::facts::{list_pages_whole, route_tables_page, vpcs_page};
use super::{AwsError, Ec2, SdkResultExt};

/// VPCs looked up one at a time before the region is listed.
pub(crate) const ONE_BY_ONE: usize = 3;

/// The networks of VPCs, kept for the process (see the module comment).
#[derive(Default)]
pub(super) struct Networks {
    by_vpc: Memo<String, Arc<VpcNetwork>>,
    asked: Mutex<HashSet<String>>,
    /// The region's networks, listed once; empty when the listing failed or was cut short.
    region: OnceCell<HashMap<String, Arc<VpcNetwork>>>,
}

/// A subnet of the VPC: what the traffic rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SubnetFact {
    pub(crate) id: String,
    pub(crate) cidr_block: String,
}

/// The network of one VPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct VpcNetwork {
    /// The VPC's associated IPv4 and IPv6 CIDR blocks.
    pub(crate) cidr_blocks: Vec<String>,
    pub(crate) subnets: Vec<SubnetFact>,
    pub(crate) route_tables: Vec<RouteTable>,
}

/// Where a route table sends traffic that no more specific route takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Egress {
    Nat(String),
    Internet(String),
    /// Another target (transit gateway, peering, instance, network interface...): its id.
    Other(String),
    None,
}

impl Egress {
    /// The name of the kind, as the `vpce_routing` data source spells it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Egress::Nat(_) => "nat_gateway",
            Egress::Internet(_) => "internet_gateway",
            Egress::Other(_) => "other",
            Egress::None => "none",
        }
    }
}

/// A subnet that sends its default route to a NAT gateway and is not covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncovered {
    pub(crate) subnet_id: String,
    pub(crate) route_table_id: String,
    pub(crate) nat_gateway_id: String,
}

impl VpcNetwork {
    /// The route table `subnet_id` uses: its explicit association, else the main table.
    pub(crate) fn table_of(&self, subnet_id: &str) -> Option<&RouteTable> {
        let explicit = self
            .route_tables
            .iter()
            .find(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet_id) && !a.main().unwrap_or(false)));
        explicit.or_else(|| self.main_table())
    }

    /// The VPC's main route table.
    pub(crate) fn main_table(&self) -> Option<&RouteTable> {
        self.route_tables.iter().find(|t| t.associations().iter().any(|a| a.main().unwrap_or(false)))
    }

    /// The subnets whose route table is among `tables`, sorted.
    pub(crate) fn covered_subnets(&self, tables: &BTreeSet<String>) -> BTreeSet<String> {
        self.subnets
            .iter()
            .filter(|s| self.table_of(&s.id).and_then(RouteTable::route_table_id).is_some_and(|t| tables.contains(t)))
            .map(|s| s.id.clone())
            .collect()
    }

    /// The subnets that send their default route to a NAT gateway through a table not in `tables`.
    pub(crate) fn uncovered_nat_subnets(&self, tables: &BTreeSet<String>) -> Vec<Uncovered> {
        let mut out = Vec::new();
        for s in &self.subnets {
            let Some(t) = self.table_of(&s.id) else { continue };
            let Some(rtb) = t.route_table_id() else { continue };
            if let (Egress::Nat(nat), false) = (egress(t), tables.contains(rtb)) {
                out.push(Uncovered { subnet_id: s.id.clone(), route_table_id: rtb.to_string(), nat_gateway_id: nat });
            }
        }
        out.sort_by(|a, b| a.subnet_id.cmp(&b.subnet_id));
        out
    }
}

/// The subnets that route through `tables` (route tables of one VPC, as DescribeRouteTables
/// answers them), when none of them is the VPC's main table: the subnets of their explicit
/// associations, the same set as [`VpcNetwork::covered_subnets`] gives, without the VPC's network.
/// `None` when one of them is the main table: the subnets it covers are those without an explicit
/// association, which only the VPC's network tells.
pub(crate) fn covered_by(tables: &[RouteTable]) -> Option<BTreeSet<String>> {
    let mut covered = BTreeSet::new();
    for a in tables.iter().flat_map(RouteTable::associations) {
        if a.main().unwrap_or(false) {
            return None;
        }
        covered.extend(a.subnet_id().map(str::to_string));
    }
    Some(covered)
}

/// The target of `table`'s default route: `0.0.0.0/0`, else `::/0` (active routes only).
pub(crate) fn egress(table: &RouteTable) -> Egress {
    let active = |r: &&aws_sdk_ec2::types::Route| r.state() != Some(&RouteState::Blackhole);
    let route = table
        .routes()
        .iter()
        .filter(active)
        .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
        .or_else(|| table.routes().iter().filter(active).find(|r| r.destination_ipv6_cidr_block() == Some("::/0")));
    let Some(r) = route else { return Egress::None };
    if let Some(nat) = r.nat_gateway_id() {
        return Egress::Nat(nat.to_string());
    }
    if let Some(gw) = r.gateway_id().or(r.egress_only_internet_gateway_id()) {
        if gw.starts_with("igw-") || gw.starts_with("eigw-") {
            return Egress::Internet(gw.to_string());
        }
        return Egress::Other(gw.to_string());
    }
    let other = r
        .transit_gateway_id()
        .or(r.vpc_peering_connection_id())
        .or(r.network_interface_id())
        .or(r.instance_id())
        .or(r.local_gateway_id())
        .or(r.carrier_gateway_id())
        .or(r.core_network_arn());
    other.map_or(Egress::None, |id| Egress::Other(id.to_string()))
}

/// How traffic from one subnet to one service leaves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Path {
    /// `gateway_endpoint`, `interface_endpoint`, `nat_gateway`, `internet_gateway`, `other` or `none`.
    pub(crate) via: &'static str,
    pub(crate) route_table_id: Option<String>,
    pub(crate) main_route_table: bool,
    /// The gateway endpoint used, or the interface endpoint of the service (used or, without
    /// private DNS, not used by the service's default host name).
    pub(crate) endpoint_id: Option<String>,
    /// Whether that interface endpoint has private DNS (null for gateway endpoints and none).
    pub(crate) private_dns_enabled: Option<bool>,
    pub(crate) nat_gateway_id: Option<String>,
    pub(crate) internet_gateway_id: Option<String>,
    /// The target of another kind of default route.
    pub(crate) target_id: Option<String>,
    /// Where the subnet's default route goes, whatever the service: as `via`, never an endpoint.
    pub(crate) default_route: &'static str,
}

fn usable(e: &VpcEndpoint) -> bool {
    let state = super::state_str(e).to_ascii_lowercase();
    !matches!(state.as_str(), "deleted" | "deleting" | "failed" | "rejected" | "expired")
}

/// The path from `subnet_id` to `service` (a full service name), given the VPC's endpoints.
pub(crate) fn path_to(net: &VpcNetwork, endpoints: &[VpcEndpoint], subnet_id: &str, service: &str) -> Path {
    let table = net.table_of(subnet_id);
    let rtb = table.and_then(RouteTable::route_table_id);
    let main = table.is_some_and(|t| t.associations().iter().any(|a| a.main().unwrap_or(false)))
        && !table.is_some_and(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet_id)));
    let of_service = |kind: &'static str| {
        endpoints.iter().filter(move |e| {
            usable(e) && e.service_name() == Some(service) && e.vpc_endpoint_type().is_some_and(|t| t.as_str().eq_ignore_ascii_case(kind))
        })
    };
    let gateway = rtb.and_then(|rtb| of_service("Gateway").find(|e| e.route_table_ids().iter().any(|t| t == rtb)));
    let interfaces: Vec<&VpcEndpoint> = of_service("Interface").collect();
    let private_dns = interfaces.iter().find(|e| e.private_dns_enabled().unwrap_or(false));
    let egress = table.map_or(Egress::None, egress);
    let mut p = Path { route_table_id: rtb.map(str::to_string), main_route_table: main, default_route: egress.kind(), ..Path::default() };
    // With a gateway endpoint for the same service (S3), an interface endpoint's private DNS
    // answers only the Route 53 Resolver's inbound endpoints unless that option is off.
    let interface_wins = private_dns
        .filter(|e| gateway.is_none() || e.dns_options().and_then(|d| d.private_dns_only_for_inbound_resolver_endpoint()) == Some(false));
    if let Some(e) = interface_wins {
        p.via = "interface_endpoint";
        p.endpoint_id = e.vpc_endpoint_id().map(str::to_string);
        p.private_dns_enabled = Some(true);
        return p;
    }
    if let Some(e) = gateway {
        p.via = "gateway_endpoint";
        p.endpoint_id = e.vpc_endpoint_id().map(str::to_string);
        return p;
    }
    if let Some(e) = interfaces.first() {
        p.endpoint_id = e.vpc_endpoint_id().map(str::to_string);
        p.private_dns_enabled = Some(false);
    }
    p.via = egress.kind();
    match egress {
        Egress::Nat(id) => p.nat_gateway_id = Some(id),
        Egress::Internet(id) => p.internet_gateway_id = Some(id),
        Egress::Other(id) => p.target_id = Some(id),
        Egress::None => {}
    }
    p
}

/// Whether some group admits TCP 443 from the VPC: `Some(true)`, `Some(false)`, or `None` when a
/// rule that could admit it names a prefix list or a security group (can't tell).
pub(crate) fn admits_https(groups: &[SecurityGroup], vpc_cidrs: &[String]) -> Option<bool> {
    let mut cannot_tell = false;
    for p in groups.iter().flat_map(|g| g.ip_permissions()) {
        if !opens_443(p) {
            continue;
        }
        let v4 = p.ip_ranges().iter().filter_map(|r| r.cidr_ip());
        let v6 = p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6());
        if v4.chain(v6).any(|c| vpc_cidrs.iter().any(|v| overlaps(c, v))) {
            return Some(true);
        }
        if !p.prefix_list_ids().is_empty() || !p.user_id_group_pairs().is_empty() {
            cannot_tell = true;
        }
    }
    (!cannot_tell).then_some(false)
}

fn opens_443(p: &IpPermission) -> bool {
    match p.ip_protocol().unwrap_or_default() {
        "-1" | "all" => true,
        "tcp" | "6" => match (p.from_port(), p.to_port()) {
            (Some(from), Some(to)) => (from == -1 && to == -1) || (from <= 443 && 443 <= to),
            _ => true,
        },
        _ => false,
    }
}

/// A CIDR block as (address bits, prefix length, bit width); `None` when it is not one.
fn parse_cidr(c: &str) -> Option<(u128, u32, u32)> {
    let (addr, len) = c.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if let Ok(a) = addr.parse::<Ipv4Addr>() {
        return (len <= 32).then_some((u128::from(u32::from(a)), len, 32));
    }
    let a = addr.parse::<Ipv6Addr>().ok()?;
    (len <= 128).then_some((u128::from(a), len, 128))
}

/// Whether two CIDR blocks of one family share an address.
pub(crate) fn overlaps(a: &str, b: &str) -> bool {
    let (Some((a, alen, aw)), Some((b, blen, bw))) = (parse_cidr(a), parse_cidr(b)) else { return false };
    if aw != bw {
        return false;
    }
    let len = alen.min(blen);
    if len == 0 {
        return true;
    }
    let shift = aw - len;
    (a >> shift) == (b >> shift)
}

fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

/// The networks of every VPC of the region, or nothing when a listing fails or is cut short.
async fn list_region(client: &aws_sdk_ec2::Client) -> HashMap<String, Arc<VpcNetwork>> {
    let vpcs = list_pages_whole(|t| vpcs_page(client, t));
    let subnets = list_pages_whole(|t| {
        let req = client.describe_subnets().max_results(100).set_next_token(t);
        async move {
            let out = req.send().await.aws_op("DescribeSubnets")?;
            Ok((out.subnets.unwrap_or_default(), out.next_token))
        }
    });
    let tables = list_pages_whole(|t| route_tables_page(client, t));
    let (Ok((vpcs, true)), Ok((subnets, true)), Ok((tables, true))) = tokio::join!(vpcs, subnets, tables) else {
        return HashMap::new();
    };
    let mut nets: HashMap<String, VpcNetwork> = vpcs
        .iter()
        .filter_map(|v| Some((v.vpc_id()?.to_string(), VpcNetwork { cidr_blocks: cidr_blocks(v), ..VpcNetwork::default() })))
        .collect();
    for s in subnets {
        if let Some(net) = s.vpc_id().and_then(|v| nets.get_mut(v)) {
            net.subnets.push(subnet_fact(s));
        }
    }
    for t in tables {
        if let Some(net) = t.vpc_id().and_then(|v| nets.get_mut(v)) {
            net.route_tables.push(t);
        }
    }
    nets.into_iter()
        .map(|(id, mut net)| {
            net.subnets.sort_by(|a, b| a.id.cmp(&b.id));
            (id, Arc::new(net))
        })
        .collect()
}

/// The associated IPv4 and IPv6 CIDR blocks of a VPC.
fn cidr_blocks(v: &Vpc) -> Vec<String> {
    let mut cidr_blocks = Vec::new();
    let associated = |s: Option<&str>| s.is_none_or(|s| s == "associated");
    for a in v.cidr_block_association_set() {
        if associated(a.cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str())) {
            cidr_blocks.extend(a.cidr_block().map(str::to_string));
        }
    }
    for a in v.ipv6_cidr_block_association_set() {
        if associated(a.ipv6_cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str())) {
            cidr_blocks.extend(a.ipv6_cidr_block().map(str::to_string));
        }
    }
    if cidr_blocks.is_empty() {
        cidr_blocks.extend(v.cidr_block().map(str::to_string));
    }
    cidr_blocks
}

fn subnet_fact(s: Subnet) -> SubnetFact {
    SubnetFact { id: s.subnet_id.unwrap_or_default(), cidr_block: s.cidr_block.unwrap_or_default() }
}

/// The network of `vpc_id`, as EC2 has it now.
async fn fetch_network(client: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<VpcNetwork, AwsError> {
    let vpc = async {
        let out = client.describe_vpcs().vpc_ids(vpc_id).send().await.aws_op("DescribeVpcs")?;
        Ok::<_, AwsError>(out.vpcs.unwrap_or_default().into_iter().next())
    };
    let subnets = async {
        let req = client.describe_subnets().filters(vpc_filter(vpc_id));
        req.into_paginator().items().send().try_collect().await.aws_op("DescribeSubnets")
    };
    let tables = async {
        let req = client.describe_route_tables().filters(vpc_filter(vpc_id));
        req.into_paginator().items().send().try_collect().await.aws_op("DescribeRouteTables")
    };
    let (vpc, subnets, route_tables) = tokio::try_join!(vpc, subnets, tables)?;
    let cidr_blocks = vpc.as_ref().map(cidr_blocks).unwrap_or_default();
    let mut subnets: Vec<SubnetFact> = subnets.into_iter().map(subnet_fact).collect();
    subnets.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(VpcNetwork { cidr_blocks, subnets, route_tables })
}

impl Ec2 {
    /// The network of `vpc_id` (CIDR blocks, subnets, route tables with routes and
    /// associations), looked up once per VPC and process; concurrent callers share the lookup,
    /// a failure is not kept. A VPC that does not exist is an error (`InvalidVpcID.NotFound`).
    pub(crate) async fn vpc_network(&self, vpc_id: &str) -> Result<Arc<VpcNetwork>, AwsError> {
        let nets = &self.inner.networks;
        let asked = {
            let mut asked = nets.asked.lock().unwrap_or_else(|e| e.into_inner());
            asked.insert(vpc_id.to_owned());
            asked.len()
        };
        if asked > ONE_BY_ONE {
            let region = nets.region.get_or_init(|| list_region(self.client())).await;
            if let Some(net) = region.get(vpc_id) {
                return Ok(net.clone());
            }
        }
        let (client, vpc) = (self.client().clone(), vpc_id.to_owned());
        nets.by_vpc.get(vpc.clone(), || async move { fetch_network(&client, &vpc).await.map(Arc::new) }).await
    }

    /// The network of `vpc_id` as EC2 has it now (not kept): for the `vpce_routing` data source,
    /// which is read after what it depends on is created in the same process.
    pub(crate) async fn vpc_network_now(&self, vpc_id: &str) -> Result<VpcNetwork, AwsError> {
        fetch_network(self.client(), vpc_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{IpRange, Route, RouteTableAssociation, UserIdGroupPair};

    fn table(id: &str, main: bool, subnets: &[&str], default: Option<Route>) -> RouteTable {
        let mut t = RouteTable::builder().route_table_id(id);
        if main {
            t = t.associations(RouteTableAssociation::builder().main(true).route_table_id(id).build());
        }
        for s in subnets {
            t = t.associations(RouteTableAssociation::builder().main(false).subnet_id(*s).route_table_id(id).build());
        }
        t = t.routes(Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").build());
        if let Some(r) = default {
            t = t.routes(r);
        }
        t.build()
    }

    fn net() -> VpcNetwork {
        let subnet = |id: &str| SubnetFact { id: id.into(), cidr_block: String::new() };
        VpcNetwork {
            cidr_blocks: vec!["10.0.0.0/16".into()],
            subnets: vec![subnet("subnet-iso"), subnet("subnet-nat"), subnet("subnet-pub")],
            route_tables: vec![
                table("rtb-main", true, &[], None),
                table(
                    "rtb-nat",
                    false,
                    &["subnet-nat"],
                    Some(Route::builder().destination_cidr_block("0.0.0.0/0").nat_gateway_id("nat-1").build()),
                ),
                table(
                    "rtb-pub",
                    false,
                    &["subnet-pub"],
                    Some(Route::builder().destination_ipv6_cidr_block("::/0").gateway_id("igw-1").build()),
                ),
            ],
        }
    }

    #[test]
    fn subnets_use_their_association_else_the_main_table() {
        let n = net();
        assert_eq!(n.table_of("subnet-iso").and_then(RouteTable::route_table_id), Some("rtb-main"));
        assert_eq!(n.table_of("subnet-nat").and_then(RouteTable::route_table_id), Some("rtb-nat"));
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(n.covered_subnets(&set(&["rtb-main"])), set(&["subnet-iso"]));
        assert_eq!(n.covered_subnets(&set(&["rtb-nat", "rtb-pub"])), set(&["subnet-nat", "subnet-pub"]));
        assert_eq!(
            n.uncovered_nat_subnets(&set(&["rtb-main"])),
            vec![Uncovered { subnet_id: "subnet-nat".into(), route_table_id: "rtb-nat".into(), nat_gateway_id: "nat-1".into() }]
        );
        assert!(n.uncovered_nat_subnets(&set(&["rtb-nat"])).is_empty());
    }

    #[test]
    fn covered_by_the_tables_alone_agrees_with_the_network_unless_a_table_is_main() {
        let n = net();
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let tables =
            |ids: &[&str]| n.route_tables.iter().filter(|t| ids.contains(&t.route_table_id().unwrap())).cloned().collect::<Vec<_>>();
        for ids in [&["rtb-nat"][..], &["rtb-nat", "rtb-pub"], &["rtb-pub"], &[]] {
            assert_eq!(covered_by(&tables(ids)), Some(n.covered_subnets(&set(ids))), "{ids:?}");
        }
        // The main table covers the subnets without an association: only the network knows them.
        assert_eq!(covered_by(&tables(&["rtb-main"])), None);
        assert_eq!(covered_by(&tables(&["rtb-nat", "rtb-main"])), None);
    }

    #[test]
    fn paths_prefer_endpoints_then_the_default_route() {
        let n = net();
        let s3 = "com.amazonaws.us-east-1.s3";
        let gw = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-gw")
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
            .service_name(s3)
            .route_table_ids("rtb-nat")
            .build();
        let p = path_to(&n, std::slice::from_ref(&gw), "subnet-nat", s3);
        assert_eq!((p.via, p.endpoint_id.as_deref(), p.default_route), ("gateway_endpoint", Some("vpce-gw"), "nat_gateway"));
        let p = path_to(&n, std::slice::from_ref(&gw), "subnet-pub", s3);
        assert_eq!((p.via, p.internet_gateway_id.as_deref()), ("internet_gateway", Some("igw-1")));
        let p = path_to(&n, std::slice::from_ref(&gw), "subnet-iso", s3);
        assert_eq!((p.via, p.main_route_table), ("none", true));
        let ifc = |dns: bool| {
            VpcEndpoint::builder()
                .vpc_endpoint_id("vpce-if")
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .service_name(s3)
                .private_dns_enabled(dns)
                .build()
        };
        let p = path_to(&n, &[ifc(false)], "subnet-nat", s3);
        assert_eq!((p.via, p.endpoint_id.as_deref(), p.private_dns_enabled), ("nat_gateway", Some("vpce-if"), Some(false)));
        let p = path_to(&n, &[ifc(true)], "subnet-iso", s3);
        assert_eq!((p.via, p.private_dns_enabled), ("interface_endpoint", Some(true)));
        // Both: the gateway wins unless the interface's private DNS answers everyone.
        let p = path_to(&n, &[gw.clone(), ifc(true)], "subnet-nat", s3);
        assert_eq!(p.via, "gateway_endpoint");
    }

    /// Against moto: three VPCs one by one (three calls each), then one listing of the region
    /// answers the others; both give what EC2 has (the main table, the explicit association).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn networks_one_by_one_then_from_the_region_listing() {
        let url = crate::test_support::moto_url();
        let cfg = super::super::Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some(url), ..Default::default() };
        let ec2 = super::super::connect(cfg).await.unwrap();
        let c = ec2.client().clone();
        let mut made = Vec::new();
        for i in 0..5 {
            let vpc = c.create_vpc().cidr_block(format!("10.{}.0.0/16", 200 + i)).send().await.unwrap().vpc.unwrap().vpc_id.unwrap();
            let subnet = c.create_subnet().vpc_id(&vpc).cidr_block(format!("10.{}.1.0/24", 200 + i)).send().await.unwrap();
            let subnet = subnet.subnet.unwrap().subnet_id.unwrap();
            let other = c.create_subnet().vpc_id(&vpc).cidr_block(format!("10.{}.2.0/24", 200 + i)).send().await.unwrap();
            let other = other.subnet.unwrap().subnet_id.unwrap();
            let rtb = c.create_route_table().vpc_id(&vpc).send().await.unwrap().route_table.unwrap().route_table_id.unwrap();
            c.associate_route_table().route_table_id(&rtb).subnet_id(&subnet).send().await.unwrap();
            made.push((vpc, subnet, other, rtb));
        }
        for (i, (vpc, subnet, other, rtb)) in made.iter().enumerate() {
            let before = ec2.requests_sent();
            let net = ec2.vpc_network(vpc).await.unwrap();
            let calls = ec2.requests_sent() - before;
            match i {
                0..ONE_BY_ONE => assert_eq!(calls, 3, "VPC {i}: one DescribeVpcs, DescribeSubnets, DescribeRouteTables"),
                ONE_BY_ONE => assert!(calls >= 3, "the region's listing"),
                _ => assert_eq!(calls, 0, "VPC {i}: from the listing"),
            }
            assert_eq!(net.cidr_blocks, vec![format!("10.{}.0.0/16", 200 + i)]);
            let ids: Vec<&str> = net.subnets.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, {
                let mut v = vec![subnet.as_str(), other.as_str()];
                v.sort();
                v
            });
            assert_eq!(net.covered_subnets(&[rtb.clone()].into_iter().collect()), [subnet.clone()].into_iter().collect());
            let main = net.main_table().and_then(RouteTable::route_table_id).unwrap().to_string();
            assert_eq!(net.covered_subnets(&[main].into_iter().collect()), [other.clone()].into_iter().collect());
        }
        // Kept: asked again, no call.
        let before = ec2.requests_sent();
        ec2.vpc_network(&made[0].0).await.unwrap();
        assert_eq!(ec2.requests_sent(), before);
    }

    #[test]
    fn https_from_the_vpc() {
        let vpc = vec!["10.0.0.0/16".to_string()];
        let group = |p: IpPermission| SecurityGroup::builder().ip_permissions(p).build();
        let rule = |proto: &str, from: i32, to: i32, cidr: &str| {
            IpPermission::builder()
                .ip_protocol(proto)
                .from_port(from)
                .to_port(to)
                .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
                .build()
        };
        assert_eq!(admits_https(&[group(rule("tcp", 443, 443, "10.0.0.0/16"))], &vpc), Some(true));
        assert_eq!(admits_https(&[group(rule("tcp", 0, 65535, "0.0.0.0/0"))], &vpc), Some(true));
        assert_eq!(admits_https(&[group(rule("-1", -1, -1, "10.0.5.0/24"))], &vpc), Some(true));
        assert_eq!(admits_https(&[group(rule("tcp", 80, 80, "10.0.0.0/16"))], &vpc), Some(false));
        assert_eq!(admits_https(&[group(rule("udp", 443, 443, "10.0.0.0/16"))], &vpc), Some(false));
        assert_eq!(admits_https(&[group(rule("tcp", 443, 443, "192.168.0.0/16"))], &vpc), Some(false));
        assert_eq!(admits_https(&[SecurityGroup::builder().build()], &vpc), Some(false));
        let by_group = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-2").build())
            .build();
        assert_eq!(admits_https(&[group(by_group)], &vpc), None);
        assert!(overlaps("2600:1f18::/56", "2600:1f18::/64") && !overlaps("10.0.0.0/16", "2600:1f18::/56"));
    }
}
