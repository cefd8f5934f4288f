//! Which Terraform state the host command works on, as far as a plugin can tell.
//!
//! No protocol message names the state, the workspace or even the resource address a request is
//! for. A plugin sometimes needs to tell "this state" from "another state" all the same: for
//! example to recognise what an interrupted apply of the *same* state left behind, and never take
//! over what belongs to another. Terraform (and OpenTofu) start the plugin in the working
//! directory of the command (after `-chdir`), with the command's environment, so the plugin can
//! read what Terraform itself reads to find its state:
//! - the data directory: `TF_DATA_DIR`, else `.terraform`;
//! - the workspace: `TF_WORKSPACE`, else the data directory's `environment` file, else `default`;
//! - the backend: the data directory's `terraform.tfstate` (`{"backend": {"type", "config"}}`,
//!   written by `terraform init`). A remote backend is named by the settings that say *where* its
//!   state lives (an S3 bucket and key, an HCP Terraform organization and workspaces, ...), not by
//!   credentials or the machine, so every machine that runs the same state names it alike. No
//!   backend, or `local`: the absolute path of the state file (`-state=PATH` honoured).
//!
//! [`state_identity`] is that name, `BACKEND|WORKSPACE`; it is stable across runs of the same
//! state and differs between two working directories with local state, two workspaces, or two
//! remote states. What it cannot tell apart: two directories that share one remote state (they
//! *are* one state), and a local state copied to another path (it then names another state).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value as Json;

/// The name of the state the host command works on (see the module docs), computed once per
/// process from its working directory and environment.
pub fn state_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let cwd = std::env::current_dir().unwrap_or_default();
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let state_flag = super::host::parent_arguments().and_then(|args| state_flag(&args));
        identity_in(&cwd, env("TF_DATA_DIR").as_deref(), env("TF_WORKSPACE").as_deref(), state_flag.as_deref())
    })
}

/// [`state_identity`] for a working directory `cwd`, `TF_DATA_DIR`, `TF_WORKSPACE` and the
/// command's `-state` flag.
pub fn identity_in(cwd: &Path, data_dir: Option<&str>, workspace: Option<&str>, state_flag: Option<&str>) -> String {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let data_dir = cwd.join(data_dir.unwrap_or(".terraform"));
    let workspace = workspace
        .map(str::to_owned)
        .or_else(|| std::fs::read_to_string(data_dir.join("environment")).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    let backend: Option<Json> = std::fs::read(data_dir.join("terraform.tfstate"))
        .ok()
        .and_then(|raw| serde_json::from_slice::<Json>(&raw).ok())
        .map(|j| j["backend"].clone())
        .filter(|b| b.is_object());
    let kind = backend.as_ref().and_then(|b| b["type"].as_str()).unwrap_or("local").to_owned();
    let config = backend.as_ref().map(|b| b["config"].clone()).unwrap_or(Json::Null);
    let backend = match kind.as_str() {
        "local" => format!("local:{}", local_state_path(&cwd, &config, &workspace, state_flag).display()),
        _ => format!("{kind}:{}", location(&kind, &config)),
    };
    format!("{backend}|{workspace}")
}

/// The state file of the local backend: `-state`, else the backend's `path` (default workspace)
/// or `workspace_dir/NAME/terraform.tfstate`.
fn local_state_path(cwd: &Path, config: &Json, workspace: &str, state_flag: Option<&str>) -> PathBuf {
    if let Some(p) = state_flag {
        return cwd.join(p);
    }
    if workspace == "default" {
        return cwd.join(config["path"].as_str().unwrap_or("terraform.tfstate"));
    }
    cwd.join(config["workspace_dir"].as_str().unwrap_or("terraform.tfstate.d")).join(workspace).join("terraform.tfstate")
}

/// The settings of a remote backend that say where its state lives, canonically written (sorted
/// keys, nulls left out). Backends not listed here: every setting.
fn location(kind: &str, config: &Json) -> String {
    let keys: &[&str] = match kind {
        "s3" => &["bucket", "key", "workspace_key_prefix"],
        "gcs" => &["bucket", "prefix"],
        "azurerm" => &["storage_account_name", "container_name", "key"],
        "remote" | "cloud" => &["hostname", "organization", "workspaces"],
        "consul" => &["address", "path"],
        "http" => &["address"],
        "pg" => &["conn_str", "schema_name"],
        "kubernetes" => &["namespace", "secret_suffix"],
        "cos" | "oss" => &["bucket", "prefix", "key"],
        _ => &[],
    };
    let Json::Object(all) = config else { return String::new() };
    let mut picked: Vec<(&String, &Json)> =
        all.iter().filter(|(k, v)| !v.is_null() && (keys.is_empty() || keys.contains(&k.as_str()))).collect();
    picked.sort_by(|a, b| a.0.cmp(b.0));
    picked.iter().map(|(k, v)| format!("{k}={}", canonical(v))).collect::<Vec<_>>().join(",")
}

/// JSON with object keys sorted and nulls left out.
fn canonical(v: &Json) -> String {
    match v {
        Json::Object(m) => {
            let mut items: Vec<(&String, &Json)> = m.iter().filter(|(_, v)| !v.is_null()).collect();
            items.sort_by(|a, b| a.0.cmp(b.0));
            format!("{{{}}}", items.iter().map(|(k, v)| format!("{k:?}:{}", canonical(v))).collect::<Vec<_>>().join(","))
        }
        Json::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The value of a `-state=PATH` (or `-state PATH`) flag of the host command.
fn state_flag(args: &[String]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let flag = a.trim_start_matches('-');
        if !a.starts_with('-') {
            continue;
        }
        if let Some(v) = flag.strip_prefix("state=") {
            return Some(v.to_owned());
        }
        if flag == "state" {
            return it.next().cloned();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn local_state_by_directory_and_workspace() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ia = identity_in(a.path(), None, None, None);
        assert_eq!(ia, identity_in(a.path(), None, None, None), "stable");
        assert!(ia.starts_with("local:") && ia.ends_with("terraform.tfstate|default"), "{ia}");
        assert_ne!(ia, identity_in(b.path(), None, None, None), "two directories, two states");
        // `terraform workspace select dev` writes .terraform/environment.
        write(a.path(), ".terraform/environment", "dev\n");
        let dev = identity_in(a.path(), None, None, None);
        assert!(dev.contains("terraform.tfstate.d/dev/terraform.tfstate") && dev.ends_with("|dev"), "{dev}");
        assert_eq!(identity_in(a.path(), None, Some("dev"), None), dev, "TF_WORKSPACE names the same workspace");
        assert_ne!(identity_in(a.path(), None, Some("prod"), None), dev);
        // TF_DATA_DIR moves the environment file.
        assert_eq!(identity_in(a.path(), Some("elsewhere"), None, None), ia);
        // -state names another file.
        assert_ne!(identity_in(a.path(), None, None, Some("other.tfstate")), ia);
    }

    #[test]
    fn remote_state_by_location_not_by_machine() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s3 = |key: &str, profile: &str| {
            format!(
                r#"{{"version":3,"backend":{{"type":"s3","config":{{"bucket":"tf","key":"{key}","region":"eu-west-1","profile":"{profile}","encrypt":null}},"hash":1}}}}"#
            )
        };
        write(a.path(), ".terraform/terraform.tfstate", &s3("net/a.tfstate", "alice"));
        write(b.path(), ".terraform/terraform.tfstate", &s3("net/a.tfstate", "bob"));
        let ia = identity_in(a.path(), None, None, None);
        assert_eq!(ia, r#"s3:bucket="tf",key="net/a.tfstate"|default"#);
        assert_eq!(ia, identity_in(b.path(), None, None, None), "same bucket and key from another machine and profile");
        write(b.path(), ".terraform/terraform.tfstate", &s3("net/b.tfstate", "alice"));
        assert_ne!(ia, identity_in(b.path(), None, None, None));
        // Unknown backends: every setting, canonically.
        write(a.path(), ".terraform/terraform.tfstate", r#"{"backend":{"type":"custom","config":{"z":{"b":1,"a":null},"y":[1]}}}"#);
        assert_eq!(identity_in(a.path(), None, None, None), r#"custom:y=[1],z={"b":1}|default"#);
    }

    #[test]
    fn state_flags() {
        let args = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(state_flag(&args("terraform apply -state=x.tfstate")).as_deref(), Some("x.tfstate"));
        assert_eq!(state_flag(&args("terraform apply --state y")).as_deref(), Some("y"));
        assert_eq!(state_flag(&args("terraform apply -state-out=z")), None);
        assert_eq!(state_flag(&args("terraform apply")), None);
    }
}
