//! Shared harness for the integration tests: a real Terraform (scripts/tf: terraform or tofu from
//! PATH, else the embedded one) driving the built provider through dev_overrides, against moto
//! serving the EC2 API on 127.0.0.1.
#![allow(dead_code)]

pub mod awsprovider;
pub mod clients;
pub mod diags;
pub mod faultproxy;
pub mod proxy;
pub mod run;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter};

pub const REGION: &str = "us-east-1";

/// A current-thread Tokio runtime for the SDK calls of a test.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The moto endpoint: `MOTO_URL` (set by scripts/test.sh), else a moto started by scripts/moto.sh.
pub fn moto_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("MOTO_URL") {
            if !u.is_empty() {
                return u;
            }
        }
        let run = |arg: &str| {
            let out = Command::new("bash")
                .arg(repo().join("scripts/moto.sh"))
                .arg(arg)
                .current_dir(repo())
                .output()
                .expect("run scripts/moto.sh");
            assert!(out.status.success(), "scripts/moto.sh {arg} failed: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        run("start");
        run("url")
    })
    .clone()
}

/// The Terraform command: `VPCE_TF`, else scripts/tf.
pub fn tf_bin() -> PathBuf {
    std::env::var_os("VPCE_TF").map(PathBuf::from).unwrap_or_else(|| repo().join("scripts/tf"))
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-vpce"))
}

fn set_test_credentials() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // set_var is unsafe because other threads may read the environment at the same time: this
        // runs once (OnceLock), before the test builds any client or starts any thread of its own.
        for (k, v) in [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true")] {
            if std::env::var_os(k).is_none() {
                unsafe { std::env::set_var(k, v) };
            }
        }
    });
}

/// An EC2 client on moto, for setting up and checking what Terraform did.
pub async fn ec2() -> aws_sdk_ec2::Client {
    set_test_credentials();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(vpce::aws::https_client())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(moto_url())
        .load()
        .await;
    aws_sdk_ec2::Client::new(&conf)
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub id: String,
    pub az: String,
}

#[derive(Clone, Debug)]
pub struct TestVpc {
    pub id: String,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<String>,
    pub security_groups: Vec<String>,
    pub default_security_group: String,
}

#[derive(Clone, Debug)]
pub struct VpcOpts {
    pub dns_support: bool,
    pub dns_hostnames: bool,
    /// One subnet per AZ (us-east-1a, b, c, ...), at most 6.
    pub subnets: usize,
    pub route_tables: usize,
    pub security_groups: usize,
}

impl Default for VpcOpts {
    fn default() -> Self {
        VpcOpts { dns_support: true, dns_hostnames: true, subnets: 2, route_tables: 2, security_groups: 1 }
    }
}

static CIDR: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Creates a VPC with subnets (one per AZ), extra route tables and security groups.
pub async fn vpc(client: &aws_sdk_ec2::Client, opts: VpcOpts) -> TestVpc {
    let n = CIDR.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 250;
    let vpc = client.create_vpc().cidr_block(format!("10.{n}.0.0/16")).send().await.expect("create vpc");
    let id = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id").to_string();
    for (support, hostnames) in [(Some(opts.dns_support), None), (None, Some(opts.dns_hostnames))] {
        let mut req = client.modify_vpc_attribute().vpc_id(&id);
        if let Some(s) = support {
            req = req.enable_dns_support(AttributeBooleanValue::builder().value(s).build());
        }
        if let Some(h) = hostnames {
            req = req.enable_dns_hostnames(AttributeBooleanValue::builder().value(h).build());
        }
        req.send().await.expect("modify vpc attribute");
    }
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b", "c", "d", "e", "f"].iter().take(opts.subnets).enumerate() {
        let az = format!("{REGION}{az}");
        let s = client
            .create_subnet()
            .vpc_id(&id)
            .cidr_block(format!("10.{n}.{i}.0/24"))
            .availability_zone(&az)
            .send()
            .await
            .expect("create subnet");
        subnets.push(Subnet { id: s.subnet().and_then(|s| s.subnet_id()).expect("subnet id").to_string(), az });
    }
    let mut route_tables = Vec::new();
    for _ in 0..opts.route_tables {
        let rt = client.create_route_table().vpc_id(&id).send().await.expect("create route table");
        route_tables.push(rt.route_table().and_then(|r| r.route_table_id()).expect("rtb id").to_string());
    }
    let mut security_groups = Vec::new();
    for i in 0..opts.security_groups {
        let sg = client
            .create_security_group()
            .vpc_id(&id)
            .group_name(format!("test-{id}-{i}"))
            .description("test")
            .send()
            .await
            .expect("create security group");
        let sg_id = sg.group_id().expect("sg id").to_string();
        // As endpoint security groups are: HTTPS from the VPC (else plans warn that the endpoint
        // is unreachable).
        client
            .authorize_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip(format!("10.{n}.0.0/16")).build())
                    .build(),
            )
            .send()
            .await
            .expect("authorize https");
        security_groups.push(sg_id);
    }
    let default_security_group = client
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&id).build())
        .filters(Filter::builder().name("group-name").values("default").build())
        .send()
        .await
        .expect("describe default sg")
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .unwrap_or_default()
        .to_string();
    TestVpc { id, subnets, route_tables, security_groups, default_security_group }
}

/// Fetches an endpoint straight from EC2 (None when gone or deleted).
pub async fn endpoint(client: &aws_sdk_ec2::Client, id: &str) -> Option<aws_sdk_ec2::types::VpcEndpoint> {
    match client.describe_vpc_endpoints().vpc_endpoint_ids(id).send().await {
        Ok(out) => out
            .vpc_endpoints()
            .iter()
            .find(|e| e.vpc_endpoint_id() == Some(id))
            .filter(|e| e.state().map(|s| !s.as_str().eq_ignore_ascii_case("deleted")).unwrap_or(true))
            .cloned(),
        Err(_) => None,
    }
}

/// All live endpoints of a VPC, straight from EC2.
pub async fn endpoints_in_vpc(client: &aws_sdk_ec2::Client, vpc_id: &str) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
    client
        .describe_vpc_endpoints()
        .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
        .send()
        .await
        .expect("describe endpoints")
        .vpc_endpoints()
        .iter()
        .filter(|e| e.state().map(|s| !s.as_str().eq_ignore_ascii_case("deleted")).unwrap_or(true))
        .cloned()
        .collect()
}

#[derive(Debug)]
pub struct TfOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TfOutput {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.all());
        self
    }

    /// Asserts failure and that the output mentions every needle.
    #[track_caller]
    pub fn fails_with(self, needles: &[&str]) -> Self {
        assert_ne!(self.code, 0, "terraform should have failed:\n{}", self.all());
        let text = unwrap_lines(&self.all());
        for n in needles {
            assert!(text.contains(n), "output lacks {n:?}:\n{}", self.all());
        }
        self
    }
}

/// Asserts that Terraform printed no warning but its own note about dev_overrides.
#[track_caller]
pub fn no_warnings(out: &TfOutput) {
    let text = out.all();
    let warnings: Vec<&str> =
        text.lines().filter(|l| l.contains("Warning:")).filter(|l| !l.contains("Provider development overrides")).collect();
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}\n{text}");
}

/// Terraform wraps diagnostics in boxes ("│ ") and at terminal width: join them back for matching.
pub fn unwrap_lines(s: &str) -> String {
    s.lines().map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']).trim_end()).collect::<Vec<_>>().join(" ")
}

/// A Terraform working directory wired to the built provider and moto.
pub struct Tf {
    pub dir: tempfile::TempDir,
}

impl Default for Tf {
    fn default() -> Self {
        Self::new()
    }
}

impl Tf {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("vpce-tf-").tempdir().expect("tempdir");
        let plugin_dir = provider_binary().parent().expect("binary dir").to_path_buf();
        std::fs::write(
            dir.path().join("cli.tfrc"),
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"vpce/vpce\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugin_dir.display()
            ),
        )
        .expect("write cli config");
        Tf { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The provider block this harness prepends to every configuration.
    pub fn provider_block() -> String {
        Self::provider_block_for(&moto_url())
    }

    /// The same provider block, pointed at another EC2 endpoint (e.g. a recording proxy).
    pub fn provider_block_for(ec2_endpoint: &str) -> String {
        format!(
            "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\nprovider \"vpce\" {{\n  region = \"{REGION}\"\n  endpoints {{\n    ec2 = \"{ec2_endpoint}\"\n  }}\n}}\n\n"
        )
    }

    /// Writes main.tf: the provider block followed by `body`.
    pub fn write(&self, body: &str) {
        self.write_via(&moto_url(), body);
    }

    /// Writes main.tf: the provider block pointed at `ec2_endpoint`, followed by `body`.
    pub fn write_via(&self, ec2_endpoint: &str, body: &str) {
        self.write_raw(&format!("{}{body}", Self::provider_block_for(ec2_endpoint)));
    }

    /// Writes main.tf exactly as given (no provider block added).
    pub fn write_raw(&self, text: &str) {
        std::fs::write(self.path().join("main.tf"), text).expect("write main.tf");
    }

    /// Terraform with `args` in this directory and the harness environment, not started yet.
    pub fn command(&self, args: &[&str]) -> Command {
        set_test_credentials();
        let mut cmd = Command::new(tf_bin());
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("TF_LOG");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> TfOutput {
        let out = self.command(args).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", tf_bin().display()));
        TfOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn apply(&self) -> TfOutput {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> TfOutput {
        self.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`: code 0 = no changes, 2 = changes, 1 = error.
    pub fn plan(&self) -> TfOutput {
        self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])
    }

    pub fn import(&self, address: &str, id: &str) -> TfOutput {
        self.run(&["import", "-no-color", "-input=false", address, id])
    }

    /// The current state as `terraform show -json`.
    pub fn state(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json", "-no-color"]).ok();
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("show -json is not JSON ({e}): {}", out.stdout))
    }

    /// The attribute values of one resource in the state (Null when absent).
    pub fn resource(&self, address: &str) -> serde_json::Value {
        let state = self.state();
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The planned changes (`plan -out` + `show -json`), as the `resource_changes` array.
    pub fn plan_changes(&self) -> Vec<serde_json::Value> {
        self.run(&["plan", "-no-color", "-input=false", "-out=tfplan"]).ok();
        let out = self.run(&["show", "-json", "-no-color", "tfplan"]).ok();
        let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("plan json");
        plan["resource_changes"].as_array().cloned().unwrap_or_default()
    }
}

/// The actions planned for an address (e.g. ["create"], ["update"], ["delete","create"], ["no-op"]).
pub fn actions(changes: &[serde_json::Value], address: &str) -> Vec<String> {
    changes
        .iter()
        .find(|c| c["address"] == address)
        .and_then(|c| c["change"]["actions"].as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// A set attribute from `terraform show -json` as a sorted Vec.
pub fn sorted_strings(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
    out.sort();
    out
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// HCL list literal of strings.
pub fn hcl_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "))
}

/// An endpoint's tags in EC2, less the provider's creation marker (crash-safe creates; removed at
/// the next refresh), sorted.
pub fn ec2_tags(ep: &aws_sdk_ec2::types::VpcEndpoint) -> Vec<(String, String)> {
    let mut t: Vec<(String, String)> = ep
        .tags()
        .iter()
        .filter(|t| t.key() != Some(vpce::aws::CREATE_MARKER))
        .map(|t| (t.key().unwrap_or_default().to_string(), t.value().unwrap_or_default().to_string()))
        .collect();
    t.sort();
    t
}

/// Tag pairs as [`ec2_tags`] returns them (owned, sorted).
pub fn tag_pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    v.sort();
    v
}

/// A new NLB-backed endpoint service of this account in the AZs of `subnets` (moto's AWS services
/// are offered everywhere), its endpoints needing acceptance or not; its service name. Made with
/// boto3 from the test venv (ELBv2 and the service configuration).
pub fn nlb_service(subnets: &[String], acceptance_required: bool) -> String {
    load_balancer_service("network", subnets, acceptance_required)
}

/// A new endpoint service of this account backed by a Gateway Load Balancer in the AZs of
/// `subnets` (type GatewayLoadBalancer), as [`nlb_service`]; its service name.
pub fn gwlb_service(subnets: &[String], acceptance_required: bool) -> String {
    load_balancer_service("gateway", subnets, acceptance_required)
}

/// An endpoint service of a new load balancer of `kind` (`network` or `gateway`).
fn load_balancer_service(kind: &str, subnets: &[String], acceptance_required: bool) -> String {
    let script = r#"
import sys, uuid, boto3
url, subnets, acceptance, kind = sys.argv[1], sys.argv[2].split(","), sys.argv[3] == "true", sys.argv[4]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
elb = boto3.client("elbv2", **kw)
ec2 = boto3.client("ec2", **kw)
extra = dict(Scheme="internal") if kind == "network" else {}
lb = elb.create_load_balancer(Name=kind[:3] + "-" + uuid.uuid4().hex[:20], Subnets=subnets, Type=kind, **extra)
arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
arns = dict(NetworkLoadBalancerArns=[arn]) if kind == "network" else dict(GatewayLoadBalancerArns=[arn])
cfg = ec2.create_vpc_endpoint_service_configuration(AcceptanceRequired=acceptance, **arns)
print(cfg["ServiceConfiguration"]["ServiceName"])
"#;
    let out = Command::new(repo().join(".venv/bin/python"))
        .arg("-c")
        .arg(script)
        .arg(moto_url())
        .arg(subnets.join(","))
        .arg(acceptance_required.to_string())
        .arg(kind)
        .output()
        .expect("run python");
    assert!(out.status.success(), "endpoint service setup failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A new VPC Lattice resource configuration and service network (scripts/lattice_endpoints.py
/// serves them); their ARNs, for Resource and ServiceNetwork endpoints. Made with boto3.
pub fn lattice_targets() -> (String, String) {
    let script = r#"
import sys, uuid, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
lattice = boto3.client("vpc-lattice", **kw)
rc = lattice.create_resource_configuration(
    name="rc-" + uuid.uuid4().hex[:12], type="SINGLE", resourceGatewayIdentifier="rgw-0123456789abcdefg", portRanges=["5432"],
    resourceConfigurationDefinition={"dnsResource": {"domainName": "db.example.com", "ipAddressType": "IPV4"}})
sn = lattice.create_service_network(name="sn-" + uuid.uuid4().hex[:12])
print(rc["arn"], sn["arn"])
"#;
    let out = Command::new(repo().join(".venv/bin/python")).arg("-c").arg(script).arg(moto_url()).output().expect("run python");
    assert!(out.status.success(), "VPC Lattice setup failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut arns = text.split_whitespace().map(str::to_string);
    (arns.next().expect("resource configuration ARN"), arns.next().expect("service network ARN"))
}

/// HCL for a mixed fleet over `vpcs` (each with two subnets and a security group): a
/// `vpce_gateway` `g{v}_{r}` per route table, whose service and extra lines `gateway(r)` gives,
/// and ten `vpce_interface`s `i{v}_{i}` per VPC (ten services, on alternate subnets).
pub fn mixed_fleet(vpcs: &[TestVpc], gateway: impl Fn(usize) -> (&'static str, String)) -> String {
    let services = ["ssm", "sts", "kms", "logs", "ec2", "athena", "cloudtrail", "sqs", "sns", "monitoring"];
    let mut body = String::new();
    for (v, net) in vpcs.iter().enumerate() {
        for (r, rtb) in net.route_tables.iter().enumerate() {
            let (service, extra) = gateway(r);
            body.push_str(&format!(
                "resource \"vpce_gateway\" \"g{v}_{r}\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"{service}\"\n  route_table_ids = [\"{rtb}\"]\n{extra}}}\n",
                net.id
            ));
        }
        for (i, service) in services.iter().enumerate() {
            body.push_str(&format!(
                "resource \"vpce_interface\" \"i{v}_{i}\" {{\n  vpc_id             = \"{}\"\n  service_name       = \"{service}\"\n  subnet_ids         = [\"{}\"]\n  security_group_ids = [\"{}\"]\n}}\n",
                net.id,
                net.subnets[i % 2].id,
                net.security_groups[0]
            ));
        }
    }
    body
}

/// Runs `tf.apply()` while EC2 refuses the first three ModifyVpcEndpoint calls as busy
/// (OperationInProgress, through `proxy`); the apply must succeed.
#[track_caller]
pub fn apply_while_busy(tf: &Tf, proxy: &proxy::Proxy) -> TfOutput {
    proxy.fail_with("ModifyVpcEndpoint", "OperationInProgress", 400);
    let (out, healed) = std::thread::scope(|s| {
        let healer = s.spawn(|| {
            let started = std::time::Instant::now();
            while started.elapsed() < std::time::Duration::from_secs(120) {
                if proxy.calls("ModifyVpcEndpoint").len() >= 3 {
                    proxy.heal();
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            proxy.heal();
            false
        });
        let out = tf.apply();
        (out, healer.join().expect("healer"))
    });
    assert!(healed, "ModifyVpcEndpoint was sent (and refused) three times:\n{}", out.all());
    out.ok()
}
