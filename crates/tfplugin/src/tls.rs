//! go-plugin AutoMTLS.
//!
//! Terraform generates a self-signed client certificate (ECDSA P-521) and hands it to the plugin
//! in `PLUGIN_CLIENT_CERT` (PEM). The plugin generates its own self-signed server certificate,
//! prints it (base64 DER, no padding) in the handshake line, and must accept only the client
//! holding the private key of exactly that certificate. Terraform's certificate is a CA certificate
//! used as its own leaf, which WebPKI path building rejects, so the certificate is pinned: the
//! presented leaf must equal the announced one byte for byte, and the TLS handshake signature is
//! verified against its public key, which proves possession of the key.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// The server side of AutoMTLS: the rustls config plus the certificate to announce.
pub struct ServerTls {
    /// The rustls server configuration, which accepts only the pinned client certificate.
    pub config: Arc<rustls::ServerConfig>,
    /// The server certificate (DER) announced in the handshake line.
    pub server_cert_der: Vec<u8>,
}

impl ServerTls {
    /// The handshake's last field: the server certificate as unpadded standard base64 of its DER.
    pub fn handshake_cert(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.server_cert_der)
    }
}

/// ring for everything (it starts in microseconds, where aws-lc's entropy seeding costs tens of
/// milliseconds per process), plus ECDSA P-521/SHA-512 signature verification, which ring lacks and
/// Terraform's client certificate needs.
pub fn provider() -> Arc<CryptoProvider> {
    static ALGORITHMS: OnceLock<WebPkiSupportedAlgorithms> = OnceLock::new();
    let mut provider = rustls::crypto::ring::default_provider();
    provider.signature_verification_algorithms = *ALGORITHMS.get_or_init(|| {
        static P521: EcdsaP521Sha512 = EcdsaP521Sha512;
        static P521_ONLY: [&dyn SignatureVerificationAlgorithm; 1] = [&P521];
        let base = provider.signature_verification_algorithms;
        let mut all = base.all.to_vec();
        all.push(&P521);
        let mut mapping = base.mapping.to_vec();
        mapping.push((SignatureScheme::ECDSA_NISTP521_SHA512, &P521_ONLY));
        // Built once per process; the 'static slices rustls wants are leaked on purpose.
        WebPkiSupportedAlgorithms { all: Box::leak(all.into_boxed_slice()), mapping: Box::leak(mapping.into_boxed_slice()) }
    });
    Arc::new(provider)
}

/// ECDSA with curve P-521 and SHA-512 (RustCrypto's `p521`).
#[derive(Debug)]
struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }

    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier;
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let sig = p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &sig).map_err(|_| InvalidSignature)
    }
}

/// Parses the first certificate of a PEM string.
pub fn parse_pem_cert(pem: &str) -> Result<CertificateDer<'static>, crate::Error> {
    let mut reader = std::io::BufReader::new(pem.as_bytes());
    let first = rustls_pemfile::certs(&mut reader).next();
    first
        .ok_or_else(|| crate::Error::new("PLUGIN_CLIENT_CERT holds no PEM certificate"))?
        .map_err(|e| crate::Error::with_source("PLUGIN_CLIENT_CERT is not valid PEM", e))
}

/// Generates a self-signed server certificate like go-plugin's (CA, localhost, server+client auth),
/// naming `organization` (the provider, e.g. `terraform-provider-example`) as its organisation.
pub fn generate_server_cert(organization: &str) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), crate::Error> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(tls_error)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(tls_error)?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.distinguished_name.push(DnType::OrganizationName, organization);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    let now = std::time::SystemTime::now();
    params.not_before = (now - std::time::Duration::from_secs(30)).into();
    params.not_after = (now + std::time::Duration::from_secs(30 * 24 * 3600)).into();
    let cert = params.self_signed(&key).map_err(tls_error)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key_der))
}

/// Builds the mutual-TLS server config that only admits the pinned client certificate; the server
/// certificate names `organization`.
pub fn server_config(client_cert_pem: &str, organization: &str) -> Result<ServerTls, crate::Error> {
    let client_cert = parse_pem_cert(client_cert_pem)?;
    let (cert, key) = generate_server_cert(organization)?;
    let provider = provider();
    let verifier = Arc::new(PinnedClientCert { expected: client_cert, provider: provider.clone() });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert.clone()], key)
        .map_err(tls_error)?;
    // grpc-go insists on ALPN "h2".
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerTls { config: Arc::new(config), server_cert_der: cert.to_vec() })
}

/// An error of the TLS libraries, with no more context than theirs (as before: their message alone).
fn tls_error(e: impl std::error::Error + Send + Sync + 'static) -> crate::Error {
    crate::Error::from_source(e)
}

/// A client certificate verifier that accepts exactly the certificate Terraform passed in `PLUGIN_CLIENT_CERT`.
#[derive(Debug)]
pub struct PinnedClientCert {
    expected: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
