//! What the plugin can learn about the Terraform (or OpenTofu) command that started it.
//!
//! `terraform destroy` first runs a full plan of the configuration (its "pre-destroy refresh",
//! hashicorp/terraform#32208) and gives up on any error in it, so a plan-time check about
//! creating or changing a resource would block its destruction (hashicorp/terraform#33908). No
//! protocol message says that a plan is part of a destroy; the host's command line does.

use std::sync::OnceLock;

/// Whether the host command destroys: `destroy`, or `plan`/`apply` with `-destroy`.
pub fn destroying() -> bool {
    static DESTROYING: OnceLock<bool> = OnceLock::new();
    *DESTROYING.get_or_init(|| parent_args().is_some_and(|args| is_destroy_command(&args)))
}

/// Whether these host arguments (the program first) run a destroy.
pub fn is_destroy_command(args: &[String]) -> bool {
    const SUBCOMMANDS: &[&str] = &["plan", "apply", "destroy", "refresh", "import", "validate", "console", "show", "test", "query"];
    let Some(pos) = args.iter().position(|a| SUBCOMMANDS.contains(&a.as_str())) else { return false };
    match args[pos].as_str() {
        "destroy" => true,
        "plan" | "apply" => args[pos + 1..].iter().any(|a| {
            let flag = a.trim_start_matches('-');
            a.starts_with('-') && (flag == "destroy" || flag == "destroy=true")
        }),
        _ => false,
    }
}

/// The parent process's arguments.
fn parent_args() -> Option<Vec<String>> {
    let ppid = std::os::unix::process::parent_id();
    if let Ok(raw) = std::fs::read(format!("/proc/{ppid}/cmdline")) {
        return Some(raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect());
    }
    // No procfs (macOS, BSDs): ps. Arguments with spaces are split wrongly, which only matters
    // for arguments that are not flags or subcommands.
    let out = std::process::Command::new("ps").args(["-o", "args=", "-p", &ppid.to_string()]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn destroy_commands() {
        assert!(is_destroy_command(&args("terraform destroy -auto-approve")));
        assert!(is_destroy_command(&args("/usr/bin/tofu -chdir=x apply -destroy -auto-approve")));
        assert!(is_destroy_command(&args("terraform plan --destroy")));
        assert!(is_destroy_command(&args("python scripts/terraform-embedded destroy -no-color")));
        assert!(!is_destroy_command(&args("terraform apply -auto-approve")));
        assert!(!is_destroy_command(&args("terraform plan -out=destroy")));
        assert!(!is_destroy_command(&args("terraform apply destroy.tfplan")));
        assert!(!is_destroy_command(&args("terraform")));
    }
}
