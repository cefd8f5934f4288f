//! The go-plugin handshake and AutoMTLS, driven the way Terraform's go-plugin client drives them:
//! spawn the binary with the magic cookie and a P-521 client certificate, read the handshake line,
//! then speak gRPC over mutual TLS on the announced unix socket.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::transport::{Channel, Endpoint};
use vpce::protocol::wire::plugin as gp;
use vpce::protocol::wire::tfplugin6 as pb;

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-vpce"))
}

// ---------------------------------------------------------------------------
// Certificates (like go-plugin's generateCert: ECDSA P-521, CA, localhost)
// ---------------------------------------------------------------------------

struct Identity {
    pem: String,
    der: CertificateDer<'static>,
    key: Arc<P521Key>,
}

/// An ECDSA P-521 key (RustCrypto `p521`: ring has no P-521 signing), with which rustls signs
/// the client's CertificateVerify.
struct P521Key {
    secret: p521::ecdsa::SigningKey,
}

impl P521Key {
    fn from_pkcs8_pem(pem: &str) -> P521Key {
        use p521::pkcs8::DecodePrivateKey;
        let secret = p521::SecretKey::from_pkcs8_pem(pem).expect("P-521 PKCS#8 key");
        P521Key { secret: p521::ecdsa::SigningKey::from_slice(secret.to_bytes().as_slice()).expect("P-521 signing key") }
    }

    fn sign_der(&self, msg: &[u8]) -> Vec<u8> {
        use p521::ecdsa::signature::Signer;
        let sig: p521::ecdsa::Signature = self.secret.sign(msg);
        sig.to_der().as_bytes().to_vec()
    }
}

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

#[derive(Debug)]
struct P521Tls(Arc<P521Key>);

impl rustls::sign::SigningKey for P521Tls {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn rustls::sign::Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(P521Tls(self.0.clone())) as Box<dyn rustls::sign::Signer>)
    }
    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::ECDSA
    }
}

impl rustls::sign::Signer for P521Tls {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        Ok(self.0.sign_der(message))
    }
    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

/// Always presents the one client certificate.
#[derive(Debug)]
struct ClientCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for ClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

impl Identity {
    /// What go-plugin's client makes (generateCert): a self-signed ECDSA P-521 CA certificate for
    /// "localhost", O=HashiCorp, usable for client and server auth. Made with the openssl CLI.
    fn generate() -> Identity {
        let dir = tempfile::tempdir().expect("tempdir");
        let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
        let status = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes", "-days", "1"])
            .args(["-subj", "/O=HashiCorp/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=digitalSignature,keyEncipherment,keyAgreement,keyCertSign"])
            .args(["-addext", "extendedKeyUsage=clientAuth,serverAuth"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl");
        assert!(status.success(), "openssl could not make a P-521 certificate");
        let pem = std::fs::read_to_string(&cert).expect("cert.pem");
        let der = vpce::protocol::tls::parse_pem_cert(&pem).expect("PEM certificate");
        let key = Arc::new(P521Key::from_pkcs8_pem(&std::fs::read_to_string(&key).expect("key.pem")));
        Identity { pem, der, key }
    }

    fn resolver(&self) -> Arc<ClientCert> {
        Arc::new(ClientCert(Arc::new(rustls::sign::CertifiedKey::new(vec![self.der.clone()], Arc::new(P521Tls(self.key.clone()))))))
    }
}

fn crypto() -> Arc<CryptoProvider> {
    vpce::protocol::tls::provider()
}

/// Trusts exactly the certificate announced on the handshake line (what go-plugin's client does by
/// putting it alone in the root pool), and checks it is valid for "localhost".
#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.expected.as_ref() {
            return Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn client_tls(server_cert: &[u8], identity: Option<&Identity>) -> Arc<rustls::ClientConfig> {
    client_tls_versions(server_cert, identity, rustls::DEFAULT_VERSIONS)
}

fn client_tls_versions(
    server_cert: &[u8],
    identity: Option<&Identity>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let provider = crypto();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer { expected: CertificateDer::from(server_cert.to_vec()), provider }));
    let mut cfg = match identity {
        Some(id) => builder.with_client_cert_resolver(id.resolver()),
        None => builder.with_no_client_auth(),
    };
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(cfg)
}

/// A tonic channel over TLS on the plugin's unix socket (lazy: errors surface on the first RPC
/// or at connect).
async fn channel(socket: &Path, server_cert: &[u8], identity: Option<&Identity>) -> Result<Channel, String> {
    channel_with(socket, client_tls(server_cert, identity)).await
}

async fn channel_with(socket: &Path, cfg: Arc<rustls::ClientConfig>) -> Result<Channel, String> {
    let socket = socket.to_path_buf();
    let connector = tower::service_fn(move |_: tonic::codegen::http::Uri| {
        let cfg = cfg.clone();
        let socket = socket.clone();
        async move {
            let stream = tokio::net::UnixStream::connect(&socket).await?;
            let name = ServerName::try_from("localhost").expect("server name");
            let tls = tokio_rustls::TlsConnector::from(cfg).connect(name, stream).await?;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
        }
    });
    Endpoint::try_from("http://[::]:50051")
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(10))
        .connect_with_connector(connector)
        .await
        .map_err(|e| format!("{e:?}"))
}

// ---------------------------------------------------------------------------
// The plugin process
// ---------------------------------------------------------------------------

struct Plugin {
    child: Child,
    core_version: String,
    version: String,
    network: String,
    socket: PathBuf,
    protocol: String,
    server_cert: Vec<u8>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Plugin {
    fn spawn(client_pem: &str, versions: &str, env: &[(&str, &str)]) -> Plugin {
        let mut cmd = Command::new(binary());
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", versions)
            .env("PLUGIN_CLIENT_CERT", client_pem)
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn provider");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the plugin never blocks on a full pipe.
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("handshake line within 20s");
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?} must have 6 fields; stderr: {:?}", lines.lock().unwrap());
        let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .unwrap_or_else(|e| panic!("server cert {:?} is not unpadded std base64: {e}", parts[5]));
        assert!(!parts[5].ends_with('='), "go-plugin uses RawStdEncoding (no padding)");
        Plugin {
            child,
            core_version: parts[0].into(),
            version: parts[1].into(),
            network: parts[2].into(),
            socket: PathBuf::from(parts[3]),
            protocol: parts[4].into(),
            server_cert,
            stderr: lines,
        }
    }

    async fn channel(&self, identity: Option<&Identity>) -> Result<Channel, String> {
        channel(&self.socket, &self.server_cert, identity).await
    }

    fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for the process to exit (None when it did not within `limit`).
    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Waits until stderr has a line matching `pred`.
    fn wait_stderr(&self, limit: Duration, pred: impl Fn(&str) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.stderr.lock().unwrap().iter().any(|l| pred(l)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn provider_client(ch: Channel) -> pb::provider_client::ProviderClient<Channel> {
    pb::provider_client::ProviderClient::new(ch).max_decoding_message_size(256 << 20)
}

async fn schema_resources(ch: Channel) -> Result<Vec<String>, tonic::Status> {
    let resp = provider_client(ch).get_provider_schema(pb::get_provider_schema::Request::default()).await?.into_inner();
    let mut names: Vec<String> = resp.resource_schemas.keys().cloned().collect();
    names.sort();
    Ok(names)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// (a) The handshake line, mTLS with Terraform's certificate, schemas, identity schemas, health.
#[test]
fn mutual_tls_with_the_announced_certificates() {
    let id = Identity::generate();
    let plugin = Plugin::spawn(&id.pem, "5,6", &[]);
    assert_eq!(plugin.core_version, "1");
    assert_eq!(plugin.version, "6");
    assert_eq!(plugin.network, "unix");
    assert_eq!(plugin.protocol, "grpc");
    assert!(plugin.socket.is_absolute(), "{:?}", plugin.socket);
    assert!(
        std::fs::metadata(&plugin.socket)
            .map(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_socket()
            })
            .unwrap_or(false),
        "{:?} must be a unix socket",
        plugin.socket
    );
    // The announced certificate parses and is valid for localhost (what go-plugin's client checks).
    let der = CertificateDer::from(plugin.server_cert.clone());
    let parsed = rustls::server::ParsedCertificate::try_from(&der).expect("server cert is X.509");
    rustls::client::verify_server_name(&parsed, &ServerName::try_from("localhost").unwrap()).expect("SAN localhost");
    rustls::client::verify_server_name(&parsed, &ServerName::try_from("example.com").unwrap()).expect_err("only localhost");

    runtime().block_on(async {
        let ch = plugin.channel(Some(&id)).await.expect("mTLS connect with the right client cert");
        assert_eq!(
            schema_resources(ch.clone()).await.expect("GetProviderSchema"),
            vec![
                "vpce_connection_accepter",
                "vpce_gateway",
                "vpce_gateway_load_balancer",
                "vpce_interface",
                "vpce_policy",
                "vpce_private_dns",
                "vpce_resource",
                "vpce_route_table_association",
                "vpce_security_group_association",
                "vpce_service_network",
                "vpce_subnet_association"
            ]
        );

        let resp = provider_client(ch.clone()).get_provider_schema(pb::get_provider_schema::Request::default()).await.unwrap().into_inner();
        let provider = resp.provider.expect("provider schema").block.expect("block");
        assert!(provider.attributes.iter().any(|a| a.name == "region"));
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

        let ids = provider_client(ch.clone())
            .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request::default())
            .await
            .expect("GetResourceIdentitySchemas")
            .into_inner();
        for r in ["vpce_gateway", "vpce_gateway_load_balancer", "vpce_interface", "vpce_resource", "vpce_service_network"] {
            let schema = ids.identity_schemas.get(r).unwrap_or_else(|| panic!("no identity schema for {r}: {:?}", ids.identity_schemas));
            let attrs: Vec<(&str, bool)> = schema.identity_attributes.iter().map(|a| (a.name.as_str(), a.required_for_import)).collect();
            assert_eq!(attrs, [("id", true), ("region", false), ("account_id", false)], "{r}");
        }
        assert!(ids.diagnostics.is_empty(), "{:?}", ids.diagnostics);

        let meta = provider_client(ch.clone()).get_metadata(pb::get_metadata::Request::default()).await.expect("GetMetadata").into_inner();
        let mut names: Vec<_> = meta.resources.iter().map(|r| r.type_name.clone()).collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                "vpce_connection_accepter",
                "vpce_gateway",
                "vpce_gateway_load_balancer",
                "vpce_interface",
                "vpce_policy",
                "vpce_private_dns",
                "vpce_resource",
                "vpce_route_table_association",
                "vpce_security_group_association",
                "vpce_service_network",
                "vpce_subnet_association"
            ]
        );
        let mut sources: Vec<_> = meta.data_sources.iter().map(|d| d.type_name.clone()).collect();
        sources.sort();
        assert_eq!(sources, vec!["vpce_associations", "vpce_endpoint", "vpce_routing", "vpce_service"]);
        let mut lists: Vec<_> = meta.list_resources.iter().map(|r| r.type_name.clone()).collect();
        lists.sort();
        assert_eq!(lists, vec!["vpce_gateway", "vpce_gateway_load_balancer", "vpce_interface", "vpce_resource", "vpce_service_network"]);

        use tonic_health::pb::health_check_response::ServingStatus;
        let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
        let st = health.check(tonic_health::pb::HealthCheckRequest { service: "plugin".into() }).await.expect("health check").into_inner();
        assert_eq!(st.status, ServingStatus::Serving as i32);
        let unknown = health.check(tonic_health::pb::HealthCheckRequest { service: "no-such-service".into() }).await;
        assert_eq!(unknown.expect_err("unknown service").code(), tonic::Code::NotFound);

        // go-plugin's client allows TLS 1.2 (MinVersion): mutual auth with the P-521 key works there too.
        let tls12 = client_tls_versions(&plugin.server_cert, Some(&id), &[&rustls::version::TLS12]);
        let ch12 = channel_with(&plugin.socket, tls12).await.expect("TLS 1.2 connect");
        assert_eq!(schema_resources(ch12).await.expect("schema over TLS 1.2").len(), vpce::provider::resources().len());
    });
}

/// (b) A client holding a different certificate (even one equally well-formed) is refused.
#[test]
fn a_different_client_certificate_is_refused() {
    let terraform = Identity::generate();
    let intruder = Identity::generate();
    let plugin = Plugin::spawn(&terraform.pem, "6", &[]);
    runtime().block_on(async {
        let result = match plugin.channel(Some(&intruder)).await {
            Err(e) => Err(e),
            Ok(ch) => schema_resources(ch).await.map_err(|s| s.to_string()),
        };
        assert!(result.is_err(), "a foreign client certificate must not get an answer: {result:?}");
        // The server says why in its log.
        assert!(
            plugin.wait_stderr(Duration::from_secs(5), |l| l.contains("TLS handshake refused") && l.contains("invalid peer certificate")),
            "stderr: {:?}",
            plugin.stderr()
        );
        // And the rightful client still gets in afterwards.
        let ch = plugin.channel(Some(&terraform)).await.expect("right cert still accepted");
        assert_eq!(schema_resources(ch).await.expect("schema").len(), vpce::provider::resources().len());
    });
}

/// (c) A client presenting no certificate at all is refused.
#[test]
fn a_client_without_certificate_is_refused() {
    let terraform = Identity::generate();
    let plugin = Plugin::spawn(&terraform.pem, "6", &[]);
    runtime().block_on(async {
        let result = match plugin.channel(None).await {
            Err(e) => Err(e),
            Ok(ch) => schema_resources(ch).await.map_err(|s| s.to_string()),
        };
        assert!(result.is_err(), "no client certificate must not get an answer: {result:?}");
        assert!(
            plugin.wait_stderr(Duration::from_secs(5), |l| l.contains("TLS handshake refused") && l.contains("no certificates")),
            "stderr: {:?}",
            plugin.stderr()
        );
        // Plain-text gRPC on the TLS socket gets nowhere either.
        let socket = plugin.socket.clone();
        let plain = Endpoint::try_from("http://[::]:50051")
            .unwrap()
            .connect_timeout(Duration::from_secs(5))
            .connect_with_connector(tower::service_fn(move |_: tonic::codegen::http::Uri| {
                let socket = socket.clone();
                async move { Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tokio::net::UnixStream::connect(socket).await?)) }
            }))
            .await;
        let plain_result = match plain {
            Err(e) => Err(e.to_string()),
            Ok(ch) => tokio::time::timeout(Duration::from_secs(15), schema_resources(ch))
                .await
                .map_err(|_| "timed out".to_string())
                .and_then(|r| r.map_err(|s| s.to_string())),
        };
        assert!(plain_result.is_err(), "plaintext must be refused: {plain_result:?}");
    });
}

/// (d) go-plugin's controller Shutdown ends the process cleanly and removes the socket.
#[test]
fn controller_shutdown_exits_zero_and_removes_the_socket() {
    let id = Identity::generate();
    let mut plugin = Plugin::spawn(&id.pem, "5,6", &[]);
    assert!(plugin.socket.exists());
    let rt = runtime();
    rt.block_on(async {
        let ch = plugin.channel(Some(&id)).await.expect("connect");
        // Terraform keeps a broker and a stdio stream open while it works: open them too, so the
        // shutdown has to end them.
        let mut stdio = gp::grpc_stdio_client::GrpcStdioClient::new(ch.clone());
        let stdio_stream = stdio.stream_stdio(()).await.expect("StreamStdio").into_inner();
        let mut broker = gp::grpc_broker_client::GrpcBrokerClient::new(ch.clone());
        let (_broker_tx, broker_rx) = tokio::sync::mpsc::channel::<gp::ConnInfo>(1);
        let broker_stream =
            broker.start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx)).await.expect("StartStream").into_inner();
        assert_eq!(schema_resources(ch.clone()).await.expect("schema").len(), vpce::provider::resources().len());

        let mut controller = gp::grpc_controller_client::GrpcControllerClient::new(ch.clone());
        tokio::time::timeout(Duration::from_secs(5), controller.shutdown(gp::Empty {}))
            .await
            .expect("Shutdown answers promptly")
            .expect("Shutdown succeeds");
        // The server-side streams end.
        use futures::StreamExt;
        let ended = tokio::time::timeout(Duration::from_secs(5), async {
            let a = stdio_stream.collect::<Vec<_>>().await;
            let b = broker_stream.collect::<Vec<_>>().await;
            (a.len(), b.len())
        })
        .await;
        assert!(ended.is_ok(), "stdio and broker streams must end on shutdown");
        drop(ch);
    });
    let status = plugin
        .wait_exit(Duration::from_secs(5))
        .unwrap_or_else(|| panic!("provider still running 5s after Shutdown; stderr: {:?}", plugin.stderr()));
    assert_eq!(status.code(), Some(0), "exit status; stderr: {:?}", plugin.stderr());
    assert!(!plugin.socket.exists(), "socket {:?} must be removed", plugin.socket);
}

/// (e) StopProvider answers promptly and the provider keeps serving.
#[test]
fn stop_provider_is_prompt_and_the_provider_keeps_serving() {
    let id = Identity::generate();
    let mut plugin = Plugin::spawn(&id.pem, "6", &[]);
    runtime().block_on(async {
        let ch = plugin.channel(Some(&id)).await.expect("connect");
        for _ in 0..2 {
            let start = Instant::now();
            let resp =
                tokio::time::timeout(Duration::from_secs(2), provider_client(ch.clone()).stop_provider(pb::stop_provider::Request {}))
                    .await
                    .expect("StopProvider within 2s")
                    .expect("StopProvider ok")
                    .into_inner();
            assert!(resp.error.is_empty(), "{}", resp.error);
            assert!(start.elapsed() < Duration::from_secs(2));
            assert_eq!(schema_resources(ch.clone()).await.expect("schema after StopProvider").len(), vpce::provider::resources().len());
        }
        // A fresh connection works too.
        let ch2 = plugin.channel(Some(&id)).await.expect("new connection after stop");
        assert_eq!(schema_resources(ch2).await.expect("schema").len(), vpce::provider::resources().len());
    });
    assert!(plugin.child.try_wait().unwrap().is_none(), "StopProvider must not end the process");
}

/// (f) Terraform offering only protocol 5: we still answer 6 (Terraform then explains the
/// mismatch) and log an error for the user.
#[test]
fn protocol_5_only_still_answers_6_and_logs_an_error() {
    let id = Identity::generate();
    let dir = tempfile::tempdir().unwrap();
    let plugin = Plugin::spawn(&id.pem, "5", &[("PLUGIN_UNIX_SOCKET_DIR", dir.path().to_str().unwrap())]);
    assert_eq!(plugin.version, "6");
    assert_eq!(plugin.socket.parent(), Some(dir.path()), "the socket goes into PLUGIN_UNIX_SOCKET_DIR");
    assert!(
        plugin.wait_stderr(Duration::from_secs(5), |l| {
            serde_json::from_str::<serde_json::Value>(l)
                .map(|v| v["@level"] == "error" && v["@message"].as_str().is_some_and(|m| m.contains('5') && m.contains('6')))
                .unwrap_or(false)
        }),
        "expected an hclog error line naming both versions; stderr: {:?}",
        plugin.stderr()
    );
}

/// (g) With TF_LOG=debug every stderr line is hclog JSON, including debug lines.
#[test]
fn tf_log_debug_writes_hclog_json() {
    let id = Identity::generate();
    let mut plugin = Plugin::spawn(&id.pem, "5,6", &[("TF_LOG", "debug")]);
    runtime().block_on(async {
        let ch = plugin.channel(Some(&id)).await.expect("connect");
        provider_client(ch.clone()).stop_provider(pb::stop_provider::Request {}).await.expect("stop");
        let mut controller = gp::grpc_controller_client::GrpcControllerClient::new(ch);
        controller.shutdown(gp::Empty {}).await.expect("shutdown");
    });
    let status = plugin.wait_exit(Duration::from_secs(5)).expect("exits after Shutdown");
    assert!(status.success());
    // Let the reader thread drain the closed pipe.
    std::thread::sleep(Duration::from_millis(200));
    let lines = plugin.stderr();
    assert!(!lines.is_empty(), "TF_LOG=debug must produce log lines");
    let mut levels = Vec::new();
    for l in lines.iter().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {l}"));
        let level = v["@level"].as_str().unwrap_or_else(|| panic!("no @level: {l}"));
        assert!(["trace", "debug", "info", "warn", "error"].contains(&level), "{l}");
        assert!(v["@message"].is_string(), "no @message: {l}");
        let ts = v["@timestamp"].as_str().unwrap_or_else(|| panic!("no @timestamp: {l}"));
        humantime::parse_rfc3339(ts).unwrap_or_else(|e| panic!("@timestamp {ts} is not RFC 3339 ({e}): {l}"));
        levels.push(level.to_string());
    }
    assert!(levels.iter().any(|l| l == "debug"), "debug lines expected at TF_LOG=debug: {lines:?}");
    assert!(levels.iter().any(|l| l == "info"), "{lines:?}");

    // Without TF_LOG, debug lines are not written.
    let mut quiet = Plugin::spawn(&id.pem, "5,6", &[]);
    runtime().block_on(async {
        let ch = quiet.channel(Some(&id)).await.expect("connect");
        gp::grpc_controller_client::GrpcControllerClient::new(ch).shutdown(gp::Empty {}).await.expect("shutdown");
    });
    quiet.wait_exit(Duration::from_secs(5)).expect("exits");
    std::thread::sleep(Duration::from_millis(200));
    let quiet_lines = quiet.stderr();
    assert!(quiet_lines.iter().all(|l| !l.contains("\"@level\":\"debug\"")), "no debug lines without TF_LOG: {quiet_lines:?}");
}

/// Without PLUGIN_CLIENT_CERT (a client without AutoMTLS) the plugin serves plaintext gRPC and the
/// handshake's certificate field is empty, as go-plugin's is.
#[test]
fn without_automtls_the_socket_is_plaintext() {
    let mut plugin = Plugin::spawn("", "6", &[]);
    assert!(plugin.server_cert.is_empty(), "no certificate announced without PLUGIN_CLIENT_CERT");
    let socket = plugin.socket.clone();
    runtime().block_on(async {
        let ch = Endpoint::try_from("http://[::]:50051")
            .unwrap()
            .connect_with_connector(tower::service_fn(move |_: tonic::codegen::http::Uri| {
                let socket = socket.clone();
                async move { Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tokio::net::UnixStream::connect(socket).await?)) }
            }))
            .await
            .expect("plaintext connect");
        assert_eq!(schema_resources(ch.clone()).await.expect("schema").len(), vpce::provider::resources().len());
        gp::grpc_controller_client::GrpcControllerClient::new(ch).shutdown(gp::Empty {}).await.expect("shutdown");
    });
    assert!(plugin.wait_exit(Duration::from_secs(3)).is_some_and(|s| s.success()));
    assert!(plugin.stderr().iter().any(|l| l.contains("plugin server started") && l.contains("\"tls\":false")), "{:?}", plugin.stderr());
}

/// Without the magic cookie there is no handshake, and an unusable PLUGIN_CLIENT_CERT is an error
/// on stderr, not a panic.
#[test]
fn a_garbage_client_certificate_is_a_clean_error() {
    let out = Command::new(binary())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
        .env_remove("TF_LOG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(out.stdout.is_empty(), "no handshake line with a bad certificate: {}", String::from_utf8_lossy(&out.stdout));
    assert!(err.contains("PLUGIN_CLIENT_CERT"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// (d) Shutdown also completes while other clients hold connections that never speak: one raw
/// unix connection (no TLS bytes), one with TLS established but no HTTP/2 preface, and one that
/// keeps its stdio/broker streams open without ever half-closing them.
#[test]
fn shutdown_is_not_held_up_by_silent_or_lingering_clients() {
    let id = Identity::generate();
    let mut plugin = Plugin::spawn(&id.pem, "5,6", &[]);
    let rt = runtime();
    let held = rt.block_on(async {
        let raw = tokio::net::UnixStream::connect(&plugin.socket).await.expect("raw connect");
        let s = tokio::net::UnixStream::connect(&plugin.socket).await.expect("connect");
        let silent_tls = tokio_rustls::TlsConnector::from(client_tls(&plugin.server_cert, Some(&id)))
            .connect(ServerName::try_from("localhost").unwrap(), s)
            .await
            .expect("TLS handshake");
        let ch = plugin.channel(Some(&id)).await.expect("connect");
        let stdio = gp::grpc_stdio_client::GrpcStdioClient::new(ch.clone()).stream_stdio(()).await.expect("StreamStdio").into_inner();
        let (broker_tx, broker_rx) = tokio::sync::mpsc::channel::<gp::ConnInfo>(1);
        let broker = gp::grpc_broker_client::GrpcBrokerClient::new(ch.clone())
            .start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx))
            .await
            .expect("StartStream")
            .into_inner();
        // Let the server see the silent TLS connection as established.
        tokio::time::sleep(Duration::from_millis(200)).await;
        gp::grpc_controller_client::GrpcControllerClient::new(ch.clone()).shutdown(gp::Empty {}).await.expect("Shutdown");
        (raw, silent_tls, ch, stdio, broker_tx, broker)
    });
    let start = Instant::now();
    let status = plugin.wait_exit(Duration::from_secs(5));
    drop(held);
    let status = status
        .unwrap_or_else(|| panic!("provider still running 5s after Shutdown with idle clients connected; stderr: {:?}", plugin.stderr()));
    assert!(status.success(), "{status:?}");
    // Before go-plugin's 2s kill deadline.
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert!(!plugin.socket.exists(), "socket {:?} must be removed", plugin.socket);
}

/// Issue 8: aws-lc's CPU-jitter entropy seeding cost ~60 ms per start on the AutoMTLS path; the
/// provider builds its TLS (plugin server and AWS HTTPS client) on ring, and aws-lc must not even
/// be linked in. Its crate names and version string would be in the binary's read-only data.
#[test]
fn the_binary_links_no_aws_lc() {
    let bytes = std::fs::read(binary()).expect("read the provider binary");
    for needle in [&b"aws-lc-rs"[..], b"aws-lc-sys", b"AWS-LC"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} is linked into the provider binary",
            String::from_utf8_lossy(needle)
        );
    }
    // And the check would see it: ring, which is linked, leaves its crate path the same way.
    assert!(bytes.windows(10).any(|w| w == b"ring-0.17."), "the binary has no trace of ring either: the check is blind");
}
