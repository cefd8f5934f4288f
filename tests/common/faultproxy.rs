//! scripts/ec2proxy.py (the recording, fault-injecting proxy in front of moto) in a child process,
//! and its control API. [`super::proxy::Proxy`] is the recording client built on it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{moto_url, repo};

/// scripts/ec2proxy.py in a child process, killed on drop.
pub struct FaultProxy {
    child: Child,
    port: u16,
}

impl FaultProxy {
    pub fn start(args: &[&str]) -> FaultProxy {
        let venv = repo().join(".venv/bin/python");
        let python = if venv.exists() { venv } else { "python3".into() };
        let mut child = Command::new(&python)
            .arg(repo().join("scripts/ec2proxy.py"))
            .arg("--target")
            .arg(moto_url())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} scripts/ec2proxy.py: {e}", python.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("proxy stdout")).read_line(&mut line).expect("read proxy port");
        let port = match line.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                panic!("ec2proxy.py did not print its port (got {line:?})");
            }
        };
        FaultProxy { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A control request to the proxy (never faulted): returns the JSON answer.
    pub fn control(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to proxy");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write to proxy");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read proxy answer");
        let (head, json) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with("HTTP/1.1 200"), "proxy {method} {path}: {answer}");
        serde_json::from_str(json).unwrap_or_else(|e| panic!("proxy answer is not JSON ({e}): {json}"))
    }

    pub fn stats(&self) -> serde_json::Value {
        self.control("GET", "/__stats", "")
    }

    pub fn reset_stats(&self) {
        self.control("POST", "/__stats/reset", "");
    }

    pub fn configure(&self, cfg: serde_json::Value) {
        self.control("POST", "/__config", &cfg.to_string());
    }

    /// The stats of the phase that just ended (then zeroed for the next one).
    pub fn phase(&self) -> serde_json::Value {
        let s = self.stats();
        self.reset_stats();
        s
    }

    /// The EC2 actions (and their counts) of the phase that just ended that are not reads (EC2's
    /// reads are the `Describe*` and `Get*` actions); the stats are then zeroed, as by [`Self::phase`].
    pub fn writes(&self) -> std::collections::BTreeMap<String, u64> {
        let stats = self.phase();
        let by_action = stats["by_action"].as_object().unwrap_or_else(|| panic!("proxy stats without by_action: {stats}"));
        by_action
            .iter()
            .filter(|(action, _)| !action.starts_with("Describe") && !action.starts_with("Get"))
            .map(|(action, n)| (action.clone(), n.as_u64().unwrap_or_default()))
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
