//! docs/ is generated from the schemas and examples/ (`cargo run --release -- docs`): these tests
//! fail when a schema description or an example changed and docs/ was not regenerated.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use vpce::protocol::docs;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn docs_are_up_to_date() {
    let pages = vpce::docs::pages(root()).expect("reading examples/");
    let names: Vec<String> = pages.iter().map(|p| p.path.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "index.md",
            "resources/vpce_connection_accepter.md",
            "resources/vpce_gateway.md",
            "resources/vpce_gateway_load_balancer.md",
            "resources/vpce_interface.md",
            "resources/vpce_policy.md",
            "resources/vpce_private_dns.md",
            "resources/vpce_resource.md",
            "resources/vpce_route_table_association.md",
            "resources/vpce_security_group_association.md",
            "resources/vpce_service_network.md",
            "resources/vpce_subnet_association.md",
            "data-sources/vpce_associations.md",
            "data-sources/vpce_endpoint.md",
            "data-sources/vpce_routing.md",
            "data-sources/vpce_service.md",
            "list-resources/vpce_gateway.md",
            "list-resources/vpce_gateway_load_balancer.md",
            "list-resources/vpce_interface.md",
            "list-resources/vpce_resource.md",
            "list-resources/vpce_service_network.md"
        ]
    );
    let stale = docs::check(&root().join("docs"), &pages).expect("reading docs/");
    assert!(
        stale.is_empty(),
        "docs/ is out of date:\n{}\nRegenerate it with `{}` (from the repository root) and commit the result; edit the schema descriptions or examples/, not docs/.",
        stale.iter().map(|s| format!("  docs/{s}")).collect::<Vec<_>>().join("\n"),
        vpce::docs::COMMAND
    );
}

#[test]
fn every_resource_page_has_its_example_and_every_attribute() {
    for r in vpce::provider::resources() {
        let name = r.type_name();
        let page = fs::read_to_string(root().join(format!("docs/resources/{name}.md"))).unwrap();
        let example = fs::read_to_string(root().join(format!("examples/resources/{name}/resource.tf"))).unwrap();
        assert!(page.contains(example.trim_end()), "{name}: the page lacks examples/resources/{name}/resource.tf");
        for a in &r.schema().block.attributes {
            assert!(page.contains(&format!("- `{}` (", a.name)), "{name}: attribute {} is not documented", a.name);
        }
        for b in &r.schema().block.blocks {
            assert!(page.contains(&format!("<a id=\"nestedblock--{}\"></a>", b.name)), "{name}: block {} has no nested section", b.name);
        }
        assert!(page.contains("## Import"), "{name}: no Import section");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The `docs` subcommand in a copy of the repository: `--check` names a stale page and fails,
/// `docs` rewrites it and leaves the hand-written guides alone, then `--check` passes.
#[test]
fn the_docs_command_checks_and_regenerates() {
    let dir: PathBuf = std::env::temp_dir().join(format!("vpce-docs-cmd-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    copy_dir(&root().join("examples"), &dir.join("examples"));
    copy_dir(&root().join("docs"), &dir.join("docs"));
    let bin = env!("CARGO_BIN_EXE_terraform-provider-vpce");
    // Up to date first (whatever the state of the repository's docs/, which the test above checks).
    let out = Command::new(bin).arg("docs").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.join("docs/resources/vpce_gateway.md");
    let fresh = fs::read_to_string(&page).unwrap();
    fs::write(&page, fresh.replace("## Schema", "## Schema (edited by hand)")).unwrap();
    let guide = fs::read_to_string(dir.join("docs/guides/crash-safety.md")).unwrap();

    let out = Command::new(bin).args(["docs", "--check"]).current_dir(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("docs/resources/vpce_gateway.md differs"), "{stderr}");
    assert!(!stderr.contains("vpce_interface"), "only the edited page is stale: {stderr}");
    assert!(stderr.contains(vpce::docs::COMMAND), "{stderr}");

    let out = Command::new(bin).arg("docs").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "wrote docs/resources/vpce_gateway.md\n");
    assert_eq!(fs::read_to_string(&page).unwrap(), fresh);
    assert_eq!(fs::read_to_string(dir.join("docs/guides/crash-safety.md")).unwrap(), guide);

    let out = Command::new(bin).args(["docs", "--check"]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = fs::remove_dir_all(&dir);
}
