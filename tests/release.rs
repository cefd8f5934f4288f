//! The cross-built release binaries (scripts/release.sh → dist/, or `VPCE_DIST`) really are what
//! their zip names say: the linux_arm64 binary completes the go-plugin handshake under
//! `qemu-aarch64` (Debian's qemu-user), the windows_amd64 one serves over go-plugin's Windows
//! transport (TCP on 127.0.0.1) under Wine (Debian's wine64), and every zip holds one binary of
//! the right format and architecture (scripts/check-binary.py: ELF / Mach-O / PE by their headers).
//! CI builds only the native target, so each test is skipped, with the reason printed, when the
//! release zips (or qemu, or wine) are not there.

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
    let client_cert = client_certificate(dir.path());

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

/// Reads the first stdout line of a child within `timeout` ("" if none).
fn first_line(child: &mut std::process::Child, timeout: Duration) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(timeout).unwrap_or_default()
}

/// A P-521 self-signed CA certificate like Terraform's AutoMTLS client certificate (PEM).
fn client_certificate(dir: &Path) -> String {
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.pem",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/O=HashiCorp/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ])
        .args(["-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"])
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.join("client.pem")).unwrap()
}

/// The windows_amd64 binary under Wine serves go-plugin's Windows transport: TCP on 127.0.0.1, the
/// first free port of PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT, `1|6|tcp|127.0.0.1:PORT|grpc|CERT`; then
/// (without AutoMTLS) gRPC over that port: health, the provider schema, and the controller's
/// Shutdown ending the process with status 0.
#[test]
fn windows_binary_serves_over_tcp_under_wine() {
    let name = "windows_binary_serves_over_tcp_under_wine";
    let zip = zip("windows_amd64");
    if !zip.is_file() {
        return skip(name, &format!("no {} (build it with: bash scripts/release.sh --targets windows_amd64)", zip.display()));
    }
    let Some(wine) =
        which("wine64").or_else(|| which("wine")).or_else(|| Some(PathBuf::from("/usr/lib/wine/wine64")).filter(|p| p.is_file()))
    else {
        return skip(name, "no wine64 (Debian: apt-get install wine64)");
    };
    let dir = tempfile::Builder::new().prefix("vpce-wine-").tempdir().unwrap();
    let bin = unpack(&zip, dir.path());
    assert_eq!(bin.file_name().unwrap().to_str().unwrap(), format!("terraform-provider-vpce_v{VERSION}.exe"));
    // One Wine prefix for all runs (its creation takes seconds), unless WINEPREFIX says otherwise.
    let prefix = std::env::var_os("WINEPREFIX").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("vpce-wineprefix"));
    let wine_cmd = || {
        let mut c = Command::new(&wine);
        c.arg(&bin).env("WINEPREFIX", &prefix).env("WINEDEBUG", "-all").stdin(Stdio::null());
        for k in [
            "PLUGIN_MIN_PORT",
            "PLUGIN_MAX_PORT",
            "PLUGIN_CLIENT_CERT",
            "PLUGIN_PROTOCOL_VERSIONS",
            "TF_PLUGIN_MAGIC_COOKIE",
            "TF_LOG",
            "TF_LOG_PROVIDER",
        ] {
            c.env_remove(k);
        }
        c
    };
    let mut out = wine_cmd().arg("--version").output().expect("wine --version");
    if !out.status.success() {
        // 53: c0000135, a DLL not found: Wine before 9 has no bcryptprimitives.dll.
        if let Err(why) = wine_bcryptprimitives(dir.path()) {
            return skip(name, &format!("the binary does not start under {} ({out:?}) and {why}", wine.display()));
        }
        out = wine_cmd().arg("--version").output().expect("wine --version");
    }
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("terraform-provider-vpce {VERSION}"), "{out:?}");

    // PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT, its first port taken: the plugin must take a later one.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let min = taken.local_addr().unwrap().port();
    let max = min.saturating_add(20);
    let start = |client_cert: &str| {
        let mut c = wine_cmd();
        c.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_MIN_PORT", min.to_string())
            .env("PLUGIN_MAX_PORT", max.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !client_cert.is_empty() {
            c.env("PLUGIN_CLIENT_CERT", client_cert);
        }
        c.spawn().expect("start the plugin under wine")
    };
    let parse = |line: &str, stderr: &str| -> (std::net::SocketAddr, String) {
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?}; stderr:\n{stderr}");
        assert_eq!(&parts[..3], ["1", "6", "tcp"], "{line:?}");
        assert_eq!(parts[4], "grpc", "{line:?}");
        let addr: std::net::SocketAddr = parts[3].parse().unwrap_or_else(|e| panic!("address {:?}: {e}", parts[3]));
        assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST, "{line:?}");
        assert!(addr.port() > min && addr.port() <= max, "port in PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT, not the taken {min}: {line:?}");
        (addr, parts[5].to_string())
    };

    // AutoMTLS: the server certificate in the handshake.
    let client_cert = client_certificate(dir.path());
    let started = std::time::Instant::now();
    let mut child = start(&client_cert);
    let line = first_line(&mut child, Duration::from_secs(60));
    let elapsed = started.elapsed();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let (addr, cert) = parse(&line, &String::from_utf8_lossy(&out.stderr));
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cert.trim_end_matches('='))
        .unwrap_or_else(|e| panic!("certificate is not base64 ({e}): {line:?}"));
    assert_eq!(der.first(), Some(&0x30), "certificate is DER: {line:?}");
    eprintln!("windows handshake under {} in {elapsed:?}: 1|6|tcp|{addr}|grpc|…{} bytes of certificate", wine.display(), der.len());

    // Plaintext (no PLUGIN_CLIENT_CERT): gRPC over the announced TCP port.
    let mut child = start("");
    let line = first_line(&mut child, Duration::from_secs(60));
    let stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s);
        s
    });
    let (addr, cert) = parse(&line, "");
    assert_eq!(cert, "", "no certificate without PLUGIN_CLIENT_CERT: {line:?}");
    let resources = rt().block_on(async {
        let ch = tonic::transport::Endpoint::try_from(format!("http://{addr}"))
            .unwrap()
            .connect_with_connector(tower::service_fn(move |_: tonic::codegen::http::Uri| async move {
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tokio::net::TcpStream::connect(addr).await?))
            }))
            .await
            .expect("connect to the announced port");
        let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
        let st = health.check(tonic_health::pb::HealthCheckRequest { service: "plugin".into() }).await.expect("health check").into_inner();
        assert_eq!(st.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);
        let schema = vpce::protocol::wire::tfplugin6::provider_client::ProviderClient::new(ch.clone())
            .max_decoding_message_size(256 << 20)
            .get_provider_schema(vpce::protocol::wire::tfplugin6::get_provider_schema::Request::default())
            .await
            .expect("GetProviderSchema")
            .into_inner();
        let mut names: Vec<String> = schema.resource_schemas.keys().cloned().collect();
        names.sort();
        vpce::protocol::wire::plugin::grpc_controller_client::GrpcControllerClient::new(ch)
            .shutdown(vpce::protocol::wire::plugin::Empty {})
            .await
            .expect("Shutdown");
        names
    });
    assert_eq!(
        resources,
        [
            "vpce_connection_accepter",
            "vpce_gateway",
            "vpce_interface",
            "vpce_policy",
            "vpce_private_dns",
            "vpce_route_table_association",
            "vpce_security_group_association",
            "vpce_subnet_association"
        ]
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = stderr.join().unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "exit after Shutdown; stderr:\n{stderr}");
    assert!(stderr.contains("plugin server started") && stderr.contains(&format!("\"socket\":\"{addr}\"")), "{stderr}");
    drop(taken);

    // Started by a Windows process (cmd.exe, in Terraform's place) that is then killed: the plugin
    // notices through its handle on the parent and stops.
    let mut c = Command::new(&wine);
    c.args(["cmd", "/c"]).arg(format!("Z:{}", bin.display()).replace('/', "\\"));
    c.env("WINEPREFIX", &prefix).env("WINEDEBUG", "-all").env("TF_PLUGIN_MAGIC_COOKIE", COOKIE).env("PLUGIN_PROTOCOL_VERSIONS", "6");
    c.env_remove("PLUGIN_CLIENT_CERT").env_remove("PLUGIN_MIN_PORT").env_remove("PLUGIN_MAX_PORT");
    let mut child = c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("wine cmd /c plugin");
    let line = first_line(&mut child, Duration::from_secs(60));
    assert!(line.starts_with("1|6|tcp|127.0.0.1:"), "{line:?}");
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    // cmd.exe is a process of its own under Wine; its command line names the unpacked binary.
    let dir_name = dir.path().file_name().unwrap().to_str().unwrap().to_string();
    let pgrep = |pattern: &str| -> Vec<String> {
        let out = Command::new("pgrep").args(["-f", pattern]).output().expect("pgrep");
        String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned).collect()
    };
    let cmd_pids = pgrep(&format!("cmd.exe /c .*{dir_name}"));
    assert_eq!(cmd_pids.len(), 1, "cmd.exe running the plugin: {cmd_pids:?}");
    let plugin_pattern = format!("^[^ ]*{dir_name}.terraform-provider-vpce");
    assert_eq!(pgrep(&plugin_pattern).len(), 1, "the plugin's own process");
    let killed = std::time::Instant::now();
    assert!(Command::new("kill").args(["-9", &cmd_pids[0]]).status().unwrap().success());
    let mut lines = vec![];
    let noticed = loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.contains("has exited; stopping") => break true,
            Ok(l) => lines.push(l),
            Err(_) => break false,
        }
    };
    assert!(noticed, "no 'has exited; stopping' within 10 s of killing cmd.exe; stderr: {lines:?}");
    let noticed_after = killed.elapsed();
    assert!(!lines.iter().any(|l| l.contains("cannot watch")), "{lines:?}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !pgrep(&plugin_pattern).is_empty() {
        assert!(std::time::Instant::now() < deadline, "plugin still running 10 s after its parent was killed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("windows plugin noticed its parent's death after {noticed_after:?} and exited");
}

/// Puts a bcryptprimitives.dll stand-in (tests/wine/bcryptprimitives.c) beside the binary in `dir`,
/// built with zig (`ZIG`, else the release tooling's `python -m ziglang` in RELEASE_VENV or .venv).
fn wine_bcryptprimitives(dir: &Path) -> Result<(), String> {
    let venv = std::env::var_os("RELEASE_VENV").map(PathBuf::from).unwrap_or_else(|| repo().join(".venv"));
    let mut zig = match std::env::var_os("ZIG") {
        Some(z) => Command::new(z),
        None => {
            let py = venv.join("bin/python");
            let ok = Command::new(&py).args(["-m", "ziglang", "version"]).output().is_ok_and(|o| o.status.success());
            if !ok {
                return Err(format!(
                    "no zig to build the bcryptprimitives.dll stand-in (set ZIG, or run bash scripts/release.sh --setup-only; venv {})",
                    venv.display()
                ));
            }
            let mut c = Command::new(py);
            c.args(["-m", "ziglang"]);
            c
        }
    };
    let out = zig
        .args(["cc", "-shared", "-O2", "-target", "x86_64-windows-gnu", "-o"])
        .arg(dir.join("bcryptprimitives.dll"))
        .arg(repo().join("tests/wine/bcryptprimitives.c"))
        .arg("-ladvapi32")
        .output()
        .map_err(|e| format!("zig: {e}"))?;
    if !out.status.success() {
        return Err(format!("zig cc failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
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
    for want in [
        ("darwin_amd64", "Mach-O 64-bit executable amd64"),
        ("darwin_arm64", "Mach-O 64-bit executable arm64"),
        ("windows_amd64", "PE32+ executable amd64"),
    ] {
        if zip(want.0).is_file() {
            assert!(text.lines().any(|l| l.contains(want.0) && l.contains(want.1)), "{want:?}:\n{text}");
        }
    }
}
