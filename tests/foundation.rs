//! The provider binary as real Terraform drives it: handshake, schema, validate and plan.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

#[test]
fn refuses_to_run_without_the_magic_cookie() {
    let out = Command::new(provider_binary()).env_remove("TF_PLUGIN_MAGIC_COOKIE").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This binary is a plugin"), "{err}");
    assert!(out.stdout.is_empty(), "nothing on stdout without a handshake");
}

#[test]
fn terraform_reads_the_schema() {
    let tf = Tf::new();
    tf.write("");
    let out = tf.run(&["providers", "schema", "-json"]).ok();
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema json");
    let p = &schema["provider_schemas"]["registry.terraform.io/vpce/vpce"];
    assert_eq!(p["provider"]["block"]["attributes"]["region"]["type"], "string");
    assert!(p["provider"]["block"]["block_types"]["endpoints"]["block"]["attributes"]["ec2"].is_object());
    for r in ["vpce_gateway", "vpce_interface"] {
        let attrs = &p["resource_schemas"][r]["block"]["attributes"];
        assert_eq!(attrs["vpc_id"]["required"], true, "{r}: {attrs}");
        assert_eq!(attrs["id"]["computed"], true, "{r}");
        assert!(p["resource_schemas"][r]["block"]["block_types"]["timeouts"].is_object(), "{r}");
    }
}

#[test]
fn init_validate_and_plan_without_provider_warnings() {
    let network =
        rt().block_on(async { vpc(&ec2().await, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }).await });
    let tf = Tf::new();
    tf.write(&format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id          = "{}"
  service_name    = "s3"
  route_table_ids = ["{}"]
}}
"#,
        network.id, network.route_tables[0]
    ));
    // Install the provider the way users do, from a mirror laid out like the registry (no
    // dev_overrides): init must find, install and lock it.
    let mirror = tf.path().join("mirror/registry.terraform.io/vpce/vpce").join(env!("CARGO_PKG_VERSION")).join("linux_amd64");
    std::fs::create_dir_all(&mirror).unwrap();
    std::os::unix::fs::symlink(provider_binary(), mirror.join(format!("terraform-provider-vpce_v{}", env!("CARGO_PKG_VERSION")))).unwrap();
    std::fs::write(
        tf.path().join("cli.tfrc"),
        format!("provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n", tf.path().join("mirror").display()),
    )
    .unwrap();
    let out = tf.run(&["init", "-no-color", "-input=false"]).ok();
    assert!(out.stdout.contains("Terraform has been successfully initialized"), "{}", out.all());
    assert!(out.stdout.contains(&format!("Installed vpce/vpce v{}", env!("CARGO_PKG_VERSION"))), "{}", out.all());
    let lock = std::fs::read_to_string(tf.path().join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains("provider \"registry.terraform.io/vpce/vpce\""), "{lock}");
    let out = tf.run(&["validate", "-no-color"]).ok();
    assert!(out.stdout.contains("The configuration is valid"), "{}", out.all());
    // The plan configures the provider against moto and plans the endpoint, with nothing to warn about.
    let out = tf.plan();
    assert_eq!(out.code, 2, "a plan with changes exits 2:\n{}", out.all());
    assert!(out.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", out.all());
    assert!(out.stdout.contains("vpce_gateway.s3 will be created"), "{}", out.all());
    // Installed normally, there is no warning at all.
    assert!(!out.all().contains("Warning"), "{}", out.all());
    // An empty configuration plans cleanly too.
    tf.write("");
    let out = tf.plan();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("No changes"), "{}", out.all());
    no_warnings(&out);
}

#[test]
fn invalid_provider_configuration_points_at_the_attribute() {
    let tf = Tf::new();
    tf.write_raw(
        r#"
terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}
provider "vpce" {
  region = "Not A Region"
  endpoints {
    ec2 = "127.0.0.1:5000"
  }
}
resource "vpce_gateway" "s3" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "s3"
}
"#,
    );
    tf.plan().fails_with(&["Invalid region", "\"Not A Region\"", "Invalid endpoint URL", "must be an http:// or https:// URL"]);
}

#[test]
fn debug_mode_prints_reattach_and_terraform_attaches() {
    let mut child = Command::new(provider_binary()).arg("--debug").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reattach = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach = reattach.expect("TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    assert_eq!(parsed["registry.terraform.io/vpce/vpce"]["ProtocolVersion"], 6);

    let tf = Tf::new();
    tf.write("");
    let out = Command::new(tf_bin())
        .args(["plan", "-no-color", "-input=false"])
        .current_dir(tf.path())
        .env("TF_REATTACH_PROVIDERS", &reattach)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("No changes"), "{text}");
    // The debug server is still up after Terraform detached; SIGINT stops it.
    assert!(child.try_wait().unwrap().is_none(), "debug server must outlive one Terraform run");
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// The cost of the SDK's own (de)serialisation in the release build, where aws-sdk-ec2 is compiled
/// at opt-level 0 to save build time (Cargo.toml). A local server answers every request with a
/// DescribeVpcEndpoints page of 1000 endpoints (about 1.4 MB of XML, the most a page can hold);
/// the figures are printed, and every endpoint must come back whole. Run by `bench/sdk.sh`.
#[test]
#[ignore = "benchmark: bash bench/sdk.sh"]
fn sdk_decodes_a_page_of_1000_endpoints() {
    use std::io::{Read, Write};
    const N: usize = 1000;
    let mut items = String::new();
    for i in 0..N {
        items.push_str(&format!(
            "<item><vpcEndpointId>vpce-{i:017x}</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>vpc-0123456789abcdef0</vpcId>\
             <serviceName>com.amazonaws.us-east-1.ec2</serviceName><state>available</state>\
             <policyDocument>{{&quot;Version&quot;:&quot;2008-10-17&quot;,&quot;Statement&quot;:[{{&quot;Effect&quot;:&quot;Allow&quot;,&quot;Principal&quot;:&quot;*&quot;,&quot;Action&quot;:&quot;*&quot;,&quot;Resource&quot;:&quot;*&quot;}}]}}</policyDocument>\
             <routeTableIdSet/><subnetIdSet><item>subnet-0aaaaaaaaaaaaaaa{i:01}</item><item>subnet-0bbbbbbbbbbbbbbbb</item></subnetIdSet>\
             <groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>\
             <ipAddressType>ipv4</ipAddressType><dnsOptions><dnsRecordIpType>ipv4</dnsRecordIpType></dnsOptions>\
             <privateDnsEnabled>true</privateDnsEnabled><requesterManaged>false</requesterManaged>\
             <networkInterfaceIdSet><item>eni-0{i:016x}</item><item>eni-1{i:016x}</item></networkInterfaceIdSet>\
             <dnsEntrySet><item><dnsName>vpce-{i:017x}-abcdefgh.ec2.us-east-1.vpce.amazonaws.com</dnsName><hostedZoneId>Z7HUB22UULQXV</hostedZoneId></item>\
             <item><dnsName>ec2.us-east-1.amazonaws.com</dnsName><hostedZoneId>ZONEIDPRIVATE</hostedZoneId></item></dnsEntrySet>\
             <creationTimestamp>2026-11-30T12:00:00.000Z</creationTimestamp>\
             <tagSet><item><key>Name</key><value>endpoint-{i}</value></item><item><key>team</key><value>network</value></item></tagSet>\
             <ownerId>123456789012</ownerId></item>"
        ));
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeVpcEndpointsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>1a2b3c4d-0000-0000-0000-000000000000</requestId><vpcEndpointSet>{items}</vpcEndpointSet></DescribeVpcEndpointsResponse>"
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || loop {
                // One request: headers up to the blank line, then Content-Length bytes.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if s.read(&mut byte).map_or(true, |n| n == 0) {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_lowercase();
                let len =
                    head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
                let mut req = vec![0u8; len];
                if s.read_exact(&mut req).is_err() {
                    return;
                }
                let reply =
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{answer}", answer.len());
                if s.write_all(reply.as_bytes()).is_err() {
                    return;
                }
            });
        }
    });
    rt().block_on(async {
        std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
        let ec2 = vpce::aws::connect(vpce::aws::Ec2Config { region: Some("us-east-1".into()), ec2_endpoint: Some(url), ..Default::default() }).await.unwrap();
        let mut times = Vec::new();
        for round in 0..21 {
            let start = std::time::Instant::now();
            let out = ec2.client().describe_vpc_endpoints().vpc_endpoint_ids("vpce-00000000000000000").send().await.unwrap();
            let took = start.elapsed();
            let eps = out.vpc_endpoints();
            assert_eq!(eps.len(), N);
            let last = &eps[N - 1];
            assert_eq!(last.vpc_endpoint_id(), Some(format!("vpce-{:017x}", N - 1).as_str()));
            assert_eq!(last.network_interface_ids().len(), 2);
            assert_eq!(last.dns_entries().len(), 2);
            assert_eq!(last.tags().len(), 2);
            assert_eq!(last.groups()[0].group_id(), Some("sg-0123456789abcdef0"));
            if round > 0 {
                times.push(took); // the first round also resolves credentials and connects
            }
        }
        times.sort();
        println!(
            "sdk bench: DescribeVpcEndpoints, {N} endpoints, {} KB of XML, over a local socket: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} rounds)",
            body.len() / 1024,
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0,
            times.len()
        );
    });
}
