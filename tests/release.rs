//! The cross-built release binaries (scripts/release.sh → dist/, or `VPCE_DIST`) really are what
//! their zip names say: the linux_arm64 binary completes the go-plugin handshake under
//! `qemu-aarch64` (Debian's qemu-user), and every zip holds one binary of the right format and
//! architecture (scripts/check-binary.py: ELF / Mach-O / PE by their headers).
//! CI builds only the native target, so each test is skipped, with the reason printed, when the
//! release zips (or qemu) are not there.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use common::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn dist() -> PathBuf {
    std::env::var_os("VPCE_DIST").map(PathBuf::from).unwrap_or_else(|| repo().join("dist"))
}

fn zip(platform: &str) -> PathBuf {
    dist().join(format!("terraform-provider-vpce_{VERSION}_{platform}.zip"))
}

/// Says why a test did nothing, on the real stderr (eprintln! output of a passing test is captured
/// and hidden by the test harness; a direct write is not).
fn skip(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(cmd)).find(|p| p.is_file())
}

/// Unpacks the binary of a release zip into `dir` (python3's zipfile: no unzip needed).
fn unpack(zip: &Path, dir: &Path) -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [n] = z.namelist(); z.extract(n, sys.argv[2]); print(n)"])
        .arg(zip)
        .arg(dir)
        .output()
        .expect("python3");
    assert!(out.status.success(), "unpack {}: {}", zip.display(), String::from_utf8_lossy(&out.stderr));
    let bin = dir.join(String::from_utf8_lossy(&out.stdout).trim());
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn arm64_binary_completes_the_handshake_under_qemu() {
    let name = "arm64_binary_completes_the_handshake_under_qemu";
    let zip = zip("linux_arm64");
    if !zip.is_file() {
        return skip(name, &format!("no {} (build it with: bash scripts/release.sh --targets linux_arm64)", zip.display()));
    }
    let Some(qemu) = which("qemu-aarch64").or_else(|| which("qemu-aarch64-static")) else {
        return skip(name, "no qemu-aarch64 on PATH (Debian: apt-get install qemu-user)");
    };
    let dir = tempfile::Builder::new().prefix("vpce-qemu-").tempdir().unwrap();
    let bin = unpack(&zip, dir.path());
    assert_eq!(bin.file_name().unwrap().to_str().unwrap(), format!("terraform-provider-vpce_v{VERSION}"));
    let out = Command::new(&qemu).arg(&bin).arg("--version").output().expect("qemu-aarch64 --version");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("terraform-provider-vpce {VERSION}"), "{out:?}");

    // Terraform's AutoMTLS client certificate: a self-signed P-521 CA certificate.
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes", "-keyout", "client.key", "-out", "client.pem", "-days", "1"])
        .args(["-subj", "/O=HashiCorp/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"])
        .current_dir(dir.path())
        .output()
        .expect("openssl");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    let client_cert = std::fs::read_to_string(dir.path().join("client.pem")).unwrap();

    let sockets = dir.path().join("sockets");
    std::fs::create_dir(&sockets).unwrap();
    let start = std::time::Instant::now();
    let mut child = Command::new(&qemu)
        .arg(&bin)
        .env_clear()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", &client_cert)
        .env("PLUGIN_UNIX_SOCKET_DIR", &sockets)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qemu-aarch64");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let elapsed = start.elapsed();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}; stderr:\n{stderr}");
    assert_eq!(&parts[..3], ["1", "6", "unix"], "{line:?}");
    assert!(parts[3].starts_with(sockets.to_str().unwrap()), "socket in PLUGIN_UNIX_SOCKET_DIR: {line:?}");
    assert_eq!(parts[4], "grpc", "{line:?}");
    // AutoMTLS: the server certificate, base64 DER (go-plugin's RawStdEncoding, no padding).
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5].trim_end_matches('='))
        .unwrap_or_else(|e| panic!("certificate is not base64 ({e}): {line:?}"));
    assert_eq!(der.first(), Some(&0x30), "certificate is DER: {line:?}");
    assert!(der.len() > 200, "{line:?}");
    eprintln!("arm64 handshake under {} in {elapsed:?}: {}|…|{} bytes of certificate", qemu.display(), parts[..5].join("|"), der.len());
}

#[test]
fn release_zips_hold_binaries_of_their_platform() {
    let name = "release_zips_hold_binaries_of_their_platform";
    let zips: Vec<PathBuf> = std::fs::read_dir(dist())
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with(&format!("terraform-provider-vpce_{VERSION}_")) && n.ends_with(".zip")
        })
        .collect();
    if zips.is_empty() {
        return skip(name, &format!("no release zips in {} (bash scripts/release.sh makes them)", dist().display()));
    }
    let out = Command::new("python3").arg(repo().join("scripts/check-binary.py")).args(&zips).output().expect("python3");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    eprintln!("{text}");
    for want in [("darwin_amd64", "Mach-O 64-bit executable amd64"), ("darwin_arm64", "Mach-O 64-bit executable arm64"), ("windows_amd64", "PE32+ executable amd64")] {
        if zip(want.0).is_file() {
            assert!(text.lines().any(|l| l.contains(want.0) && l.contains(want.1)), "{want:?}:\n{text}");
        }
    }
}
