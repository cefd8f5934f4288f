//! The example provider (examples/terraform-provider-example.rs) driven by real Terraform
//! (`VPCE_TF`, else the workspace's scripts/tf): init and dev_overrides, apply, read the data
//! source and call the function through outputs, an empty plan, an in-place update, a
//! replacement, a validation error on the attribute, destroy; a `moved` block from Terraform's
//! `terraform_data` (MoveResourceState); the warnings for a deprecated attribute (its message from
//! the provider everywhere, and from Terraform 1.15+ where it is referenced), with every Terraform at
//! hand (`VPCE_TF` and the embedded 1.15.5 and 1.6.6 when installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tf_bin() -> PathBuf {
    std::env::var_os("VPCE_TF").map(PathBuf::from).unwrap_or_else(|| workspace().join("scripts/tf"))
}

/// `VPCE_TF`, then the workspace's embedded Terraforms that are installed (1.15.5 in `.venv`,
/// 1.6.6 in `.venv-tf16`, each run by `scripts/terraform-embedded`): each a program and its
/// leading arguments.
fn clients() -> Vec<Vec<PathBuf>> {
    let mut all = vec![vec![tf_bin()]];
    for venv in [".venv", ".venv-tf16"] {
        let python = workspace().join(venv).join("bin/python");
        if python.exists() {
            all.push(vec![python, workspace().join("scripts/terraform-embedded")]);
        }
    }
    all
}

/// The example binary, built beside this test (cargo test builds examples); built here if not.
fn provider_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // target/<profile>/deps/example-HASH -> target/<profile>/examples
    let dir = exe.parent().and_then(Path::parent).expect("profile dir").join("examples");
    if !dir.join("terraform-provider-example").exists() {
        let release = dir.parent().is_some_and(|p| p.ends_with("release"));
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        // --workspace, not -p: the same features as the workspace build, so nothing is rebuilt.
        cmd.args(["build", "--workspace", "--example", "terraform-provider-example"]).current_dir(workspace());
        if release {
            cmd.arg("--release");
        }
        assert!(cmd.status().expect("run cargo").success(), "cannot build the example provider");
    }
    assert!(dir.join("terraform-provider-example").exists(), "no example binary in {}", dir.display());
    dir
}

struct Out {
    code: i32,
    text: String,
}

struct Tf {
    dir: tempfile::TempDir,
    /// The Terraform to run: a program and its leading arguments.
    program: Vec<PathBuf>,
}

impl Tf {
    fn new() -> Self {
        Self::with(vec![tf_bin()])
    }

    fn with(program: Vec<PathBuf>) -> Self {
        let dir = tempfile::Builder::new().prefix("tfplugin-example-").tempdir().expect("tempdir");
        // dev_overrides runs the built binary; `init` installs it from a filesystem mirror laid
        // out like the registry (this machine has no registry to reach).
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            os => os,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            arch => arch,
        };
        let version = env!("CARGO_PKG_VERSION");
        let mirror = dir.path().join("mirror");
        let platform = mirror.join("registry.terraform.io/tfplugin/example").join(version).join(format!("{os}_{arch}"));
        std::fs::create_dir_all(&platform).expect("mirror dir");
        std::os::unix::fs::symlink(
            provider_dir().join("terraform-provider-example"),
            platform.join(format!("terraform-provider-example_v{version}")),
        )
        .expect("mirror link");
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"tfplugin/example\" = \"{}\"\n  }}\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            provider_dir().display(),
            mirror.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli).expect("write cli config");
        Tf { dir, program }
    }

    fn write(&self, body: &str) {
        let text = format!(
            "terraform {{\n  required_providers {{\n    example = {{ source = \"tfplugin/example\" }}\n  }}\n}}\n\nprovider \"example\" {{\n  separator = \",\"\n}}\n\n{body}"
        );
        std::fs::write(self.dir.path().join("main.tf"), text).expect("write main.tf");
    }

    fn run(&self, args: &[&str]) -> Out {
        let out = Command::new(&self.program[0])
            .args(&self.program[1..])
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", self.dir.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.program[0].display()));
        let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Out { code: out.status.code().unwrap_or(-1), text }
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "terraform {args:?} failed:\n{}", out.text);
        out.text
    }

    /// The client's version: its text and (major, minor).
    fn version(&self) -> (String, (u32, u32)) {
        let version: serde_json::Value = serde_json::from_str(&self.ok(&["version", "-json"])).expect("version -json");
        let v = version["terraform_version"].as_str().unwrap_or_default().to_string();
        let n: Vec<u32> = v.split('.').take(2).filter_map(|p| p.parse().ok()).collect();
        (v, (n.first().copied().unwrap_or(0), n.get(1).copied().unwrap_or(0)))
    }

    fn outputs(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["output", "-json", "-no-color"])).expect("output -json")
    }

    fn state_value(&self, address: &str, attr: &str) -> serde_json::Value {
        let show: serde_json::Value = serde_json::from_str(&self.ok(&["show", "-json", "-no-color"])).expect("show -json");
        show["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["values"][attr].clone())
            .unwrap_or(serde_json::Value::Null)
    }
}

const CONFIG: &str = r#"
resource "example_note" "n" {
  text = "TEXT"
}

data "example_words" "w" {
  text = example_note.n.text
}

output "id" {
  value = example_note.n.id
}

output "length" {
  value = example_note.n.length
}

output "words" {
  value = data.example_words.w.words
}

output "total" {
  value = data.example_words.w.total
}

output "reversed" {
  value = provider::example::reverse(example_note.n.text)
}
"#;

fn config(text: &str, extra: &str) -> String {
    CONFIG.replace("text = \"TEXT\"", &format!("text = \"{text}\"\n  {extra}"))
}

#[test]
fn example_provider_with_real_terraform() {
    let tf = Tf::new();
    tf.write(&config("hello,tfplugin,world", ""));
    let init = tf.ok(&["init", "-no-color", "-input=false"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let out = tf.outputs();
    let id = out["id"]["value"].as_str().expect("id output").to_string();
    assert!(id.starts_with("note-") && id.len() > 10, "id {id:?}");
    assert_eq!(out["length"]["value"], 20);
    assert_eq!(out["words"]["value"], serde_json::json!(["hello", "tfplugin", "world"]));
    assert_eq!(out["total"]["value"], 3);
    assert_eq!(out["reversed"]["value"], "dlrow,nigulpft,olleh");

    // Nothing to do: plan -detailed-exitcode answers 0.
    let plan = tf.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "plan after apply should be empty:\n{}", plan.text);

    // Changing the text updates in place: same id, new length, words and reversal.
    tf.write(&config("a,b", ""));
    let plan = tf.ok(&["plan", "-no-color", "-input=false"]);
    assert!(plan.contains("1 to change, 0 to destroy"), "expected an in-place update:\n{plan}");
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let out = tf.outputs();
    assert_eq!(out["id"]["value"], id.as_str(), "an update keeps the id");
    assert_eq!(out["length"]["value"], 3);
    assert_eq!(out["words"]["value"], serde_json::json!(["a", "b"]));
    assert_eq!(out["reversed"]["value"], "b,a");

    // A force_new attribute replaces the note: a new id.
    tf.write(&config("a,b", "lang = \"en\""));
    let plan = tf.ok(&["plan", "-no-color", "-input=false"]);
    assert!(plan.contains("must be replaced") && plan.contains("1 to add, 0 to change, 1 to destroy"), "expected a replacement:\n{plan}");
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let new_id = tf.outputs()["id"]["value"].as_str().expect("id").to_string();
    assert_ne!(new_id, id, "a replacement makes a new note");
    assert_eq!(tf.state_value("example_note.n", "lang"), "en");

    // Validation errors point at the attribute.
    tf.write(&config("   ", ""));
    let bad = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(bad.code, 0, "a blank note must be refused:\n{}", bad.text);
    assert!(bad.text.contains("Empty note") && bad.text.contains("text"), "{}", bad.text);

    tf.write(&config("a,b", "lang = \"en\""));
    tf.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    let show: serde_json::Value = serde_json::from_str(&tf.ok(&["show", "-json", "-no-color"])).expect("show -json");
    assert!(show["values"]["root_module"]["resources"].as_array().is_none_or(|r| r.is_empty()), "state after destroy: {show}");
}

#[test]
fn terraform_data_moves_into_a_note() {
    let tf = Tf::new();
    let (v, minor) = tf.version();
    assert!(minor >= (1, 8), "moves across resource types need Terraform >= 1.8, not {v}");
    tf.write("resource \"terraform_data\" \"n\" {\n  input = \"moved,text\"\n}\n");
    tf.ok(&["init", "-no-color", "-input=false"]);
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let id = tf.state_value("terraform_data.n", "id").as_str().expect("terraform_data id").to_string();

    tf.write(
        "resource \"example_note\" \"n\" {\n  text = \"moved,text\"\n}\n\nmoved {\n  from = terraform_data.n\n  to   = example_note.n\n}\n",
    );
    let plan = tf.ok(&["plan", "-no-color", "-input=false"]);
    assert!(plan.contains("# terraform_data.n has moved to example_note.n"), "{plan}");
    assert!(plan.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{plan}");
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(tf.state_value("example_note.n", "id"), id.as_str(), "the note keeps the moved object's ID");
    assert_eq!(tf.state_value("example_note.n", "length"), 10);

    // A terraform_data whose input is no string is refused with the provider's diagnostic.
    tf.write("resource \"example_note\" \"n\" {\n  text = \"moved,text\"\n}\n\nresource \"terraform_data\" \"m\" {\n  input = [1, 2]\n}\n");
    tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    tf.write("resource \"example_note\" \"n\" {\n  text = \"moved,text\"\n}\n\nresource \"example_note\" \"m\" {\n  text = \"x\"\n}\n\nmoved {\n  from = terraform_data.m\n  to   = example_note.m\n}\n");
    let refused = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(refused.code, 0, "{}", refused.text);
    assert!(refused.text.contains("Only a terraform_data whose input is a string moves into a note"), "{}", refused.text);
}

/// The diagnostics of a `-json` run but the dev_overrides warning: (severity, summary, detail,
/// first line of the range).
fn diagnostics(json_lines: &str) -> Vec<(String, String, String, i64)> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["summary"] != "Provider development overrides are in effect")
        .map(|m| {
            let d = &m["diagnostic"];
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("severity"), s("summary"), s("detail"), d["range"]["start"]["line"].as_i64().unwrap_or(0))
        })
        .collect()
}

#[test]
fn deprecated_attribute_warns_with_its_message() {
    // With every Terraform at hand: `VPCE_TF` may be one without deprecation messages (before
    // 1.15), and the embedded 1.15.5 is the one that shows them.
    let mut seen: Vec<(String, (u32, u32))> = Vec::new();
    for program in clients() {
        let tf = Tf::with(program);
        let (v, minor) = tf.version();
        if seen.iter().any(|(s, _)| *s == v) {
            continue;
        }
        deprecation_warnings(&tf, &v, minor);
        eprintln!("deprecation warnings checked with Terraform {v}");
        seen.push((v, minor));
    }
    // The embedded 1.15.5 is installed with the workspace (scripts/setup.sh): the messages were
    // really seen in Terraform's own output.
    if workspace().join(".venv/bin/python").exists() {
        assert!(seen.iter().any(|(_, m)| *m >= (1, 15)), "no Terraform 1.15+ ran: {seen:?}");
    }
}

fn deprecation_warnings(tf: &Tf, v: &str, minor: (u32, u32)) {
    const MESSAGE: &str = "Notes have no titles any more: put the title in `text`. `title` goes in version 1.0.";
    // Line 13 of main.tf sets `title`, line 17 references it.
    tf.write("resource \"example_note\" \"n\" {\n  text  = \"a\"\n  title = \"old\"\n}\n\noutput \"title\" {\n  value = example_note.n.title\n}\n");
    tf.ok(&["init", "-no-color", "-input=false"]);

    // The schema carries the message (Terraform 1.15+ reads and shows it; older ones drop it).
    let schema: serde_json::Value = serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("providers schema -json");
    let providers = schema["provider_schemas"].as_object().expect("provider_schemas");
    let title = &providers.values().next().expect("one provider")["resource_schemas"]["example_note"]["block"]["attributes"]["title"];
    assert_eq!(title["deprecated"], true, "{title}");
    if minor >= (1, 15) {
        assert_eq!(title["deprecation_message"], MESSAGE, "{title}");
    } else {
        assert!(title.get("deprecation_message").is_none(), "Terraform {v} knows no deprecation messages: {title}");
    }

    let out = tf.run(&["plan", "-json", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.text);
    let diags = diagnostics(&out.text);
    let has =
        |summary: &str, detail: &str, line: i64| diags.iter().any(|d| d.0 == "warning" && d.1 == summary && d.2 == detail && d.3 == line);
    // The provider's warning where the configuration sets the attribute, with every client.
    assert!(has("Argument is deprecated", MESSAGE, 13), "Terraform {v}: {diags:?}");
    if minor >= (1, 15) {
        // Terraform's own warning where the attribute is referenced, with the message.
        assert!(has("Deprecated value used", MESSAGE, 17), "Terraform {v}: {diags:?}");
    } else {
        // Older Terraform warns of the reference without the message.
        let generic = "The attribute \"title\" is deprecated. Refer to the provider documentation for details.";
        assert!(has("Deprecated attribute", generic, 17), "Terraform {v}: {diags:?}");
    }
    assert!(diags.iter().all(|d| d.0 == "warning"), "Terraform {v}: {diags:?}");

    // Without `title` the provider has nothing to say.
    tf.write("resource \"example_note\" \"n\" {\n  text  = \"a\"\n}\n");
    let out = tf.run(&["plan", "-json", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(diagnostics(&out.text), [], "Terraform {v}");
}
