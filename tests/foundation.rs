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
    let network = rt().block_on(async { vpc(&ec2().await, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }).await });
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
