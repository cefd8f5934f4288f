//! Terraform as a child process (for interrupting or killing it mid-apply), the provider processes
//! it starts, and what a test reads back from the state and from EC2 (shared by tests/crash.rs and
//! tests/realistic.rs).

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// The live endpoint ids of a VPC, straight from moto, sorted.
pub fn live_ids(client: &aws_sdk_ec2::Client, vpc_id: &str) -> Vec<String> {
    sorted(rt().block_on(endpoints_in_vpc(client, vpc_id)).iter().filter_map(|e| e.vpc_endpoint_id().map(str::to_string)).collect())
}

/// The endpoint ids in the state, sorted.
pub fn state_ids(tf: &Tf) -> Vec<String> {
    let state = tf.state();
    let ids = state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["values"]["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    sorted(ids)
}

/// The addresses of the tainted resources in the state.
pub fn tainted(tf: &Tf) -> Vec<String> {
    let state = tf.state();
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["tainted"] == true).filter_map(|r| r["address"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Waits until `done()` or panics after `limit`.
#[track_caller]
pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The running provider processes started by `parent` (from /proc).
pub fn provider_children(parent: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{parent}/task")) else { return pids };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for pid in children.split_whitespace().filter_map(|p| p.parse::<u32>().ok()) {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).map(|p| p.display().to_string()).unwrap_or_default();
            if exe.contains("terraform-provider-vpce") {
                pids.push(pid);
            }
        }
    }
    pids
}

pub fn alive(pid: u32) -> bool {
    // A zombie is dead: its parent just has not reaped it yet.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.split(") ").nth(1).is_some_and(|rest| rest.starts_with('Z')))
}

pub fn kill(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill").args([signal, &pid.to_string()]).status().expect("run kill").success();
    assert!(ok, "kill {signal} {pid}");
}

/// `terraform apply` started in the background, its output captured.
pub fn spawn_apply(tf: &Tf) -> Child {
    tf.command(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start terraform apply")
}

/// Waits for a Terraform started with [`spawn_apply`].
pub fn finish(child: Child) -> TfOutput {
    let out = child.wait_with_output().expect("wait for terraform");
    TfOutput {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
