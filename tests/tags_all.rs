//! The provider's `default_tags` and `ignore_tags`, and `tags_all` on both resources, through real
//! Terraform against moto: default tags on create, a resource tag overriding a default one, a
//! change of the default tags updating every endpoint in place, out-of-band tags matched by
//! `ignore_tags` left alone with no diff, the merged tags checked against EC2's limit at plan.

mod common;

use aws_sdk_ec2::types::Tag;
use common::*;

const SSM: &str = "com.amazonaws.us-east-1.ssm";

/// The provider block with `extra` (default_tags / ignore_tags blocks) inside it.
fn provider(extra: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    vpce = {{ source = \"vpce/vpce\" }}\n  }}\n}}\n\nprovider \"vpce\" {{\n  region = \"{REGION}\"\n  endpoints {{\n    ec2 = \"{}\"\n  }}\n{extra}\n}}\n",
        moto_url()
    )
}

fn json_map(p: &[(&str, &str)]) -> serde_json::Value {
    serde_json::Value::Object(p.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect())
}

#[test]
fn default_tags_ignore_tags_and_tags_all() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 1, route_tables: 1, security_groups: 0, ..Default::default() }));
    let tf = Tf::new();
    let resources = |gateway_tags: &str| {
        format!(
            r#"
resource "vpce_gateway" "g" {{
  vpc_id          = "{vpc}"
  service_name    = "s3"
  route_table_ids = ["{rtb}"]
  tags            = {gateway_tags}
}}

resource "vpce_interface" "i" {{
  vpc_id       = "{vpc}"
  service_name = "{SSM}"
  subnet_ids   = ["{subnet}"]
}}
"#,
            vpc = vpc.id,
            rtb = vpc.route_tables[0],
            subnet = vpc.subnets[0].id,
        )
    };
    let settings = |env: &str| {
        format!(
            "  default_tags {{\n    tags = {{ env = \"{env}\", team = \"net\" }}\n  }}\n  ignore_tags {{\n    keys         = [\"ops\"]\n    key_prefixes = [\"ext:\"]\n  }}"
        )
    };

    // Create: the default tags go to EC2 with the resource's own; the resource's value wins.
    tf.write_raw(&format!("{}{}", provider(&settings("test")), resources(r#"{ Name = "g", team = "app" }"#)));
    tf.apply().ok();
    let g = tf.resource("vpce_gateway.g");
    let i = tf.resource("vpce_interface.i");
    assert_eq!(g["tags"], json_map(&[("Name", "g"), ("team", "app")]), "{g}");
    assert_eq!(g["tags_all"], json_map(&[("Name", "g"), ("env", "test"), ("team", "app")]), "{g}");
    assert_eq!(i["tags"], json_map(&[]), "{i}");
    assert_eq!(i["tags_all"], json_map(&[("env", "test"), ("team", "net")]), "{i}");
    let (gid, iid) = (g["id"].as_str().unwrap().to_string(), i["id"].as_str().unwrap().to_string());
    let g_ep = rt.block_on(endpoint(&ec2, &gid)).expect("gateway endpoint");
    assert_eq!(ec2_tags(&g_ep), tag_pairs(&[("Name", "g"), ("env", "test"), ("team", "app")]));
    let i_ep = rt.block_on(endpoint(&ec2, &iid)).expect("interface endpoint");
    assert_eq!(ec2_tags(&i_ep), tag_pairs(&[("env", "test"), ("team", "net")]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after create: {}", out.all());

    // Tags added out of band that ignore_tags names: no diff, and they stay.
    let oob = [Tag::builder().key("ops").value("pager").build(), Tag::builder().key("ext:cost").value("42").build()];
    rt.block_on(ec2.create_tags().resources(&gid).resources(&iid).set_tags(Some(oob.to_vec())).send()).expect("create tags");
    let out = tf.plan();
    assert_eq!(out.code, 0, "ignored tags show no diff: {}", out.all());

    // A tag added out of band that is not ignored: tags_all shows it, the update removes it.
    rt.block_on(ec2.create_tags().resources(&gid).tags(Tag::builder().key("stray").value("1").build()).send()).expect("create tag");
    assert_eq!(actions(&tf.plan_changes(), "vpce_gateway.g"), vec!["update"]);

    // New default tags: every endpoint updated in place; the ignored tags are untouched.
    tf.write_raw(&format!("{}{}", provider(&settings("prod")), resources(r#"{ Name = "g" }"#)));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.g"), vec!["update"]);
    assert_eq!(actions(&changes, "vpce_interface.i"), vec!["update"]);
    tf.apply().ok();
    let g = tf.resource("vpce_gateway.g");
    assert_eq!(g["id"], gid.as_str());
    assert_eq!(g["tags"], json_map(&[("Name", "g")]), "{g}");
    assert_eq!(g["tags_all"], json_map(&[("Name", "g"), ("env", "prod"), ("team", "net")]), "{g}");
    assert_eq!(tf.resource("vpce_interface.i")["tags_all"], json_map(&[("env", "prod"), ("team", "net")]));
    let g_ep = rt.block_on(endpoint(&ec2, &gid)).expect("gateway endpoint");
    assert_eq!(ec2_tags(&g_ep), tag_pairs(&[("Name", "g"), ("env", "prod"), ("ext:cost", "42"), ("ops", "pager"), ("team", "net")]));
    let i_ep = rt.block_on(endpoint(&ec2, &iid)).expect("interface endpoint");
    assert_eq!(ec2_tags(&i_ep), tag_pairs(&[("env", "prod"), ("ext:cost", "42"), ("ops", "pager"), ("team", "net")]));
    let out = tf.plan();
    assert_eq!(out.code, 0, "no changes after the update: {}", out.all());

    // EC2's limit applies to the default tags and the resource's together.
    let many_defaults: Vec<String> = (0..30).map(|n| format!("d{n} = \"v\"")).collect();
    let many_own: Vec<String> = (0..25).map(|n| format!("r{n} = \"v\"")).collect();
    tf.write_raw(&format!(
        "{}{}",
        provider(&format!("  default_tags {{\n    tags = {{ {} }}\n  }}", many_defaults.join(", "))),
        resources(&format!("{{ {} }}", many_own.join(", ")))
    ));
    tf.plan().fails_with(&["Too many tags", "make 55 tags together"]);

    // Bad default tags are reported at the provider's attribute.
    tf.write_raw(&format!("{}{}", provider("  default_tags {\n    tags = { \"aws:x\" = \"1\" }\n  }"), resources("{}")));
    tf.plan().fails_with(&["Invalid tag key", "reserved for AWS"]);

    tf.write_raw(&format!("{}{}", provider(&settings("prod")), resources(r#"{ Name = "g" }"#)));
    tf.destroy().ok();
    assert!(rt.block_on(endpoints_in_vpc(&ec2, &vpc.id)).is_empty());
}

/// Without default_tags: an import shows every tag in `tags` and `tags_all`, and the next plan is
/// clean; a state written before `tags_all` existed gets it at the next refresh.
#[test]
fn import_fills_tags_and_tags_all() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }));
    let created = rt
        .block_on(
            ec2.create_vpc_endpoint()
                .vpc_id(&vpc.id)
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
                .service_name("com.amazonaws.us-east-1.s3")
                .route_table_ids(&vpc.route_tables[0])
                .tag_specifications(vpce::aws::tag_specification([("Name", "imported"), ("env", "prod")]))
                .send(),
        )
        .expect("create endpoint");
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).expect("id").to_string();
    let tf = Tf::new();
    tf.write_raw(&format!(
        "{}\nresource \"vpce_gateway\" \"g\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"com.amazonaws.us-east-1.s3\"\n  route_table_ids = [\"{}\"]\n  tags            = {{ Name = \"imported\" }}\n}}\n",
        provider("  default_tags {\n    tags = { env = \"prod\" }\n  }"),
        vpc.id,
        vpc.route_tables[0]
    ));
    tf.import("vpce_gateway.g", &id).ok();
    let g = tf.resource("vpce_gateway.g");
    // The default tag with its default value is not the resource's own.
    assert_eq!(g["tags"], json_map(&[("Name", "imported")]), "{g}");
    assert_eq!(g["tags_all"], json_map(&[("Name", "imported"), ("env", "prod")]), "{g}");
    let out = tf.plan();
    assert_eq!(out.code, 0, "clean plan after import: {}", out.all());
    tf.destroy().ok();
}

/// A tag added outside Terraform: with `lifecycle { ignore_changes = [tags] }` the plan leaves it
/// alone (as with the AWS provider); without, the plan removes it. A key both in `tags` and in
/// the provider's `ignore_tags` is warned about at plan (it would stand in the state only).
#[test]
fn ignore_changes_on_tags_keeps_tags_added_outside_terraform() {
    let rt = rt();
    let ec2 = rt.block_on(ec2());
    let vpc = rt.block_on(vpc(&ec2, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }));
    let tf = Tf::new();
    let config = |lifecycle: &str, provider_extra: &str, tags: &str| {
        format!(
            "{}\nresource \"vpce_gateway\" \"g\" {{\n  vpc_id          = \"{}\"\n  service_name    = \"s3\"\n  route_table_ids = [\"{}\"]\n  tags            = {tags}\n{lifecycle}}}\n",
            provider(provider_extra),
            vpc.id,
            vpc.route_tables[0]
        )
    };
    let ignore = "  lifecycle {\n    ignore_changes = [tags]\n  }\n";
    tf.write_raw(&config(ignore, "", r#"{ a = "1" }"#));
    tf.apply().ok();
    let id = tf.resource("vpce_gateway.g")["id"].as_str().expect("id").to_string();
    rt.block_on(ec2.create_tags().resources(&id).tags(Tag::builder().key("b").value("2").build()).send()).expect("tag out of band");
    let ec2_tags_now = || ec2_tags(&rt.block_on(endpoint(&ec2, &id)).expect("live"));

    let out = tf.plan();
    assert_eq!(out.code, 0, "ignore_changes = [tags] plans nothing:\n{}", out.all());
    tf.apply().ok();
    assert_eq!(ec2_tags_now(), tag_pairs(&[("a", "1"), ("b", "2")]), "the outside tag stays");
    assert_eq!(tf.resource("vpce_gateway.g")["tags_all"], json_map(&[("a", "1"), ("b", "2")]));

    // Without ignore_changes the configuration wins: the outside tag is planned away and removed.
    tf.write_raw(&config("", "", r#"{ a = "1" }"#));
    let changes = tf.plan_changes();
    assert_eq!(actions(&changes, "vpce_gateway.g"), ["update"]);
    tf.apply().ok();
    assert_eq!(ec2_tags_now(), tag_pairs(&[("a", "1")]));
    assert_eq!(tf.plan().code, 0);

    // A configured key that ignore_tags covers: a warning on that key at plan.
    tf.write_raw(&config("", "  ignore_tags {\n    keys = [\"ops\"]\n  }", r#"{ a = "1", ops = "x" }"#));
    let out = tf.plan();
    let text = unwrap_lines(&out.all());
    assert!(text.contains("Tag ignored by the provider") && text.contains("ops"), "{}", out.all());
    tf.destroy().ok();
}
