//! Installing the provider the way users do: `terraform init` from a registry, over HTTPS, with the
//! package checked against a GPG-signed SHA256SUMS. The registry is scripts/registry.py (provider
//! registry protocol v1) serving what scripts/package.sh made (the packaging code of
//! scripts/release.sh) from the test-built binary, with a test CA trusted through SSL_CERT_FILE.
//! No dev_overrides, no mirror: the CLI configuration has only `direct {}`.
//! Needs openssl, gpg and python3 (missing tools fail the test: they are part of the setup).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[track_caller]
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tool(name: &str) -> Command {
    let mut c = Command::new(name);
    c.stdin(Stdio::null());
    c
}

/// A signing key, packaged provider and HTTPS registry in a temporary directory.
struct Registry {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

/// What to break before serving.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Fault {
    None,
    /// The linux_amd64 zip changed after packaging (its SHA256SUMS line no longer matches).
    TamperedZip,
    /// SHA256SUMS changed after signing.
    UnsignedSums,
    /// The manifest announces protocol 4.0 only.
    ManifestProtocol4,
    /// The download response announces protocol 4.0 only (versions still say 6.0).
    DownloadProtocol4,
}

impl Registry {
    fn start(fault: Fault) -> Registry {
        let dir = tempfile::Builder::new().prefix("vpce-registry-").tempdir().expect("tempdir");
        let d = dir.path();
        // Test CA and a server certificate for localhost, signed by it.
        let ossl = |args: &[&str]| run(tool("openssl").args(args).current_dir(d));
        ossl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=vpce registry test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        ossl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n",
        )
        .unwrap();
        ossl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "1",
            "-extfile",
            "server.ext",
        ]);

        // A throwaway RSA signing key (the registries take RSA keys) in its own GNUPGHOME.
        let gnupg = d.join("gnupg");
        std::fs::create_dir(&gnupg).unwrap();
        std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let gpg = |args: &[&str]| run(tool("gpg").env("GNUPGHOME", &gnupg).args(["--batch", "--no-tty"]).args(args));
        gpg(&["--passphrase", "", "--quick-gen-key", "vpce registry test <test@localhost>", "rsa2048", "sign", "1d"]);
        let fpr = gpg(&["--with-colons", "--list-secret-keys"])
            .lines()
            .find_map(|l| l.strip_prefix("fpr:").map(|r| r.trim_matches(':').to_string()))
            .expect("key fingerprint");
        std::fs::write(d.join("signing.asc"), gpg(&["--armor", "--export", &fpr])).unwrap();

        // Package: the test-built binary for linux_amd64; the other platforms only get hashed by
        // `terraform providers lock`, so small stand-ins do for them.
        let mut pairs = vec![format!("linux_amd64={}", provider_binary().display())];
        for p in ["linux_arm64", "darwin_arm64", "darwin_amd64", "windows_amd64"] {
            let f = d.join(format!("stand-in-{p}"));
            std::fs::write(&f, format!("stand-in for the {p} binary (this test only hashes it)\n")).unwrap();
            pairs.push(format!("{p}={}", f.display()));
        }
        let dist = d.join("dist");
        let mut package = Command::new("bash");
        package
            .arg(repo().join("scripts/package.sh"))
            .args(["--version", VERSION, "--out"])
            .arg(&dist)
            .args(&pairs)
            .env("GNUPGHOME", &gnupg)
            .env("GPG_KEY_ID", &fpr)
            .env_remove("PASSPHRASE")
            .env_remove("GPG_PASSPHRASE");
        if fault == Fault::ManifestProtocol4 {
            package.args(["--protocols", "4.0"]);
        }
        run(&mut package);

        match fault {
            Fault::TamperedZip => {
                let zip = dist.join(format!("terraform-provider-vpce_{VERSION}_linux_amd64.zip"));
                let mut bytes = std::fs::read(&zip).unwrap();
                bytes.extend_from_slice(b"tampered");
                std::fs::write(&zip, bytes).unwrap();
            }
            Fault::UnsignedSums => {
                // Still lists the right hash of every file, so only the signature can tell.
                let sums = dist.join(format!("terraform-provider-vpce_{VERSION}_SHA256SUMS"));
                let mut text = std::fs::read_to_string(&sums).unwrap();
                text.push_str(&format!("{}  terraform-provider-vpce_{VERSION}_plan9_amd64.zip\n", "0".repeat(64)));
                std::fs::write(&sums, text).unwrap();
            }
            _ => {}
        }

        let port_file = d.join("port");
        let mut cmd = tool("python3");
        cmd.arg(repo().join("scripts/registry.py"))
            .arg("--dist")
            .arg(&dist)
            .args(["--cert", "server.pem", "--key", "server.key", "--public-key", "signing.asc", "--port-file"])
            .arg(&port_file)
            .current_dir(d)
            .env("GNUPGHOME", &gnupg)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("registry.log")).unwrap());
        if fault == Fault::DownloadProtocol4 {
            cmd.args(["--download-protocols", "4.0"]);
        }
        let mut child = cmd.spawn().expect("start scripts/registry.py");
        let start = Instant::now();
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file).ok().and_then(|s| s.trim().parse::<u16>().ok()) {
                break p;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("registry exited ({status}): {}", std::fs::read_to_string(d.join("registry.log")).unwrap_or_default());
            }
            assert!(start.elapsed() < Duration::from_secs(20), "registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        Registry { dir, child, port }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn source(&self) -> String {
        format!("localhost:{}/vpce/vpce", self.port)
    }

    fn ca(&self) -> PathBuf {
        self.path().join("ca.pem")
    }

    /// The SHA-256 that SHA256SUMS records for a platform's zip.
    fn shasum(&self, platform: &str) -> String {
        let sums = std::fs::read_to_string(self.path().join(format!("dist/terraform-provider-vpce_{VERSION}_SHA256SUMS"))).unwrap();
        let name = format!("terraform-provider-vpce_{VERSION}_{platform}.zip");
        sums.lines()
            .find_map(|l| l.split_once("  ").filter(|(_, f)| *f == name).map(|(h, _)| h.to_string()))
            .unwrap_or_else(|| panic!("{name} not in SHA256SUMS:\n{sums}"))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path().join("registry.log")).unwrap_or_default()
    }

    /// A Terraform working directory whose CLI configuration installs only from registries
    /// (`direct {}`) and trusts this registry's CA.
    fn workdir(&self) -> Tf {
        let tf = Tf::new();
        std::fs::write(tf.path().join("cli.tfrc"), "provider_installation {\n  direct {}\n}\n").unwrap();
        tf
    }

    fn tf(&self, tf: &Tf, args: &[&str]) -> TfOutput {
        let out = tf
            .command(args)
            .env("SSL_CERT_FILE", self.ca())
            .env_remove("SSL_CERT_DIR")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env("TF_DATA_DIR", tf.path().join(".terraform"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", tf_bin().display()));
        TfOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn init(&self, tf: &Tf) -> TfOutput {
        self.tf(tf, &["init", "-no-color", "-input=false"])
    }

    fn required_providers(&self) -> String {
        format!("terraform {{\n  required_providers {{\n    vpce = {{ source = \"{}\" }}\n  }}\n}}\n", self.source())
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // gpg started an agent for the throwaway GNUPGHOME: stop it with the directory.
        let _ = tool("gpgconf").arg("--kill").arg("gpg-agent").env("GNUPGHOME", self.path().join("gnupg")).output();
    }
}

#[test]
fn terraform_installs_from_the_registry_locks_and_applies() {
    let reg = Registry::start(Fault::None);
    let network =
        rt().block_on(async { vpc(&ec2().await, VpcOpts { subnets: 0, route_tables: 1, security_groups: 0, ..Default::default() }).await });
    let tf = reg.workdir();
    tf.write_raw(&format!(
        r#"{}
provider "vpce" {{
  region = "{REGION}"
  endpoints {{
    ec2 = "{}"
  }}
}}

resource "vpce_gateway" "s3" {{
  vpc_id          = "{}"
  service_name    = "s3"
  route_table_ids = ["{}"]
}}
"#,
        reg.required_providers(),
        moto_url(),
        network.id,
        network.route_tables[0]
    ));

    let out = reg.init(&tf);
    assert_eq!(out.code, 0, "terraform init failed:\n{}\nregistry log:\n{}", out.all(), reg.log());
    let text = unwrap_lines(&out.all());
    assert!(text.contains(&format!("Installed {} v{VERSION}", reg.source())), "{}", out.all());
    // Terraform checked the signature with the key the registry announced.
    assert!(text.contains("signed, key ID") || text.contains("self-signed"), "{}", out.all());
    assert!(reg.log().contains(&format!("GET /v1/providers/vpce/vpce/{VERSION}/download/linux/amd64")), "{}", reg.log());

    // The lock file records the zip's hash as listed in the signed SHA256SUMS (zh:), and the
    // installed package's (h1:).
    let lock_path = tf.path().join(".terraform.lock.hcl");
    let lock = std::fs::read_to_string(&lock_path).expect("lock file");
    assert!(lock.contains(&format!("provider \"{}\"", reg.source())), "{lock}");
    assert!(lock.contains(&format!("version = \"{VERSION}\"")), "{lock}");
    let zh_amd64 = format!("zh:{}", reg.shasum("linux_amd64"));
    assert!(lock.contains(&zh_amd64), "lock lacks {zh_amd64}:\n{lock}");
    let h1 = |lock: &str| lock.matches("\"h1:").count();
    assert_eq!(h1(&lock), 1, "one platform installed, one h1 hash:\n{lock}");

    // More platforms: Terraform fetches and hashes each package from the registry.
    let out = reg.tf(&tf, &["providers", "lock", "-no-color", "-platform=linux_amd64", "-platform=linux_arm64", "-platform=darwin_arm64"]);
    assert_eq!(out.code, 0, "providers lock failed:\n{}\nregistry log:\n{}", out.all(), reg.log());
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    assert_eq!(h1(&lock), 3, "an h1 hash per locked platform:\n{lock}");
    for p in ["linux_amd64", "linux_arm64", "darwin_arm64"] {
        assert!(lock.contains(&format!("zh:{}", reg.shasum(p))), "lock lacks {p}:\n{lock}");
        let (os, arch) = p.split_once('_').unwrap();
        assert!(reg.log().contains(&format!("/download/{os}/{arch}")), "{p} not asked for:\n{}", reg.log());
    }
    // Init again with the lock: the installed package still matches it.
    reg.init(&tf).ok();

    // The registry-installed provider runs: plan, apply, then no changes, then destroy.
    let out = reg.tf(&tf, &["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(out.code, 2, "plan with changes exits 2:\n{}", out.all());
    assert!(out.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", out.all());
    assert!(!out.all().contains("Warning"), "{}", out.all());
    let out = reg.tf(&tf, &["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "apply failed:\n{}", out.all());
    assert!(out.stdout.contains("Apply complete! Resources: 1 added"), "{}", out.all());
    let eps = rt().block_on(async { endpoints_in_vpc(&ec2().await, &network.id).await });
    assert_eq!(eps.len(), 1, "{eps:?}");
    assert_eq!(eps[0].route_table_ids(), [network.route_tables[0].clone()]);
    let out = reg.tf(&tf, &["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "second plan shows changes:\n{}", out.all());
    let out = reg.tf(&tf, &["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "destroy failed:\n{}", out.all());
    let eps = rt().block_on(async { endpoints_in_vpc(&ec2().await, &network.id).await });
    assert!(eps.is_empty(), "{eps:?}");
}

fn init_fails(fault: Fault, needles: &[&str]) -> TfOutput {
    let reg = Registry::start(fault);
    let tf = reg.workdir();
    tf.write_raw(&reg.required_providers());
    let out = reg.init(&tf);
    assert!(!tf.path().join(".terraform.lock.hcl").exists(), "{fault:?}: nothing may be locked");
    let installed = tf.path().join(".terraform/providers").join(reg.source());
    assert!(!installed.exists(), "{fault:?}: nothing may be installed");
    out.fails_with(needles)
}

#[test]
fn tampered_zip_fails_the_checksum() {
    let out = init_fails(Fault::TamperedZip, &["Failed to install provider", "archive has incorrect checksum"]);
    // Terraform names the hash it expected: the one in the signed SHA256SUMS.
    assert!(unwrap_lines(&out.all()).contains("(expected zh:"), "{}", out.all());
}

#[test]
fn sums_not_matching_their_signature_fail() {
    init_fails(Fault::UnsignedSums, &["Failed to install provider", "error checking signature", "openpgp: invalid signature"]);
}

#[test]
fn unsupported_protocol_fails() {
    // The manifest (so the versions list) says 4.0: Terraform finds no version it can use.
    init_fails(Fault::ManifestProtocol4, &["Incompatible provider version", "No compatible versions of provider"]);
    // Only the download response says 4.0: Terraform checks that field too.
    init_fails(Fault::DownloadProtocol4, &["Incompatible provider version", "is not compatible with Terraform"]);
}
