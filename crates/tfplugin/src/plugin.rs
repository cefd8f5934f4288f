//! The go-plugin side of the handshake and the gRPC server around the provider service.
//!
//! Normal mode (launched by Terraform): check the magic cookie, negotiate the protocol version from
//! `PLUGIN_PROTOCOL_VERSIONS`, listen on a unix socket, enable AutoMTLS when `PLUGIN_CLIENT_CERT`
//! is set, print `1|6|unix|PATH|grpc|CERT` on stdout, then serve the provider, the grpc health
//! service, go-plugin's controller (Shutdown) and stdio services until Terraform shuts us down.
//! On Windows, as go-plugin's `serverListener_tcp`: TCP on 127.0.0.1, the first free port from
//! `PLUGIN_MIN_PORT` to `PLUGIN_MAX_PORT` (Terraform sets 10000-25000; unset: any), and
//! `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
//!
//! Debug mode (`--debug`): no cookie, no TLS; prints `TF_REATTACH_PROVIDERS` for a debugger-run
//! provider and serves until interrupted.

use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(windows)]
use tokio::net::{TcpListener as Listener, TcpStream as Stream};
#[cfg(unix)]
use tokio::net::{UnixListener as Listener, UnixStream as Stream};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::service::Routes;
use tonic::{Request, Response, Status};

use super::tls::ServerTls;
use super::wire::plugin as gp;

/// The environment variable Terraform sets to show that it started the plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value for Terraform providers.
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version, announced in the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The plugin protocol version served (tfplugin6).
pub const PROTOCOL_VERSION: u32 = 6;
/// How long the server drains connections after Shutdown before it stops waiting for them
/// (below go-plugin's 2s before it kills the plugin).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// The same in debug mode (SIGINT), where Terraform runs may still be attached.
pub const SHUTDOWN_GRACE_DEBUG: Duration = Duration::from_secs(5);
/// Matches Terraform's own limit for provider messages.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How the plugin was started.
pub enum Mode {
    /// Started by Terraform.
    Plugin,
    /// Started by a developer; prints TF_REATTACH_PROVIDERS.
    Debug {
        /// The provider's address Terraform knows it by, e.g. `registry.terraform.io/vpce/vpce`.
        provider_address: String,
    },
}

/// Why the process refuses to start as a plugin, or stopped serving: [`crate::Error`].
pub type HandshakeError = crate::Error;

/// Checks the magic cookie in the given environment lookup.
pub fn check_cookie(get: impl Fn(&str) -> Option<String>) -> Result<(), HandshakeError> {
    match get(MAGIC_COOKIE_KEY) {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(HandshakeError::new(
            "This binary is a plugin. These are not meant to be executed directly. \
             Please execute the program that consumes these plugins, which will \
             load any plugins automatically (or run it with --debug to attach Terraform to it).",
        )),
    }
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (comma separated). We speak 6 only.
/// When Terraform offers no 6 we still answer 6, as go-plugin does, and Terraform reports the
/// incompatibility with both version lists in its own words.
pub fn negotiate_version(offered: Option<&str>) -> (u32, bool) {
    let Some(offered) = offered.filter(|s| !s.trim().is_empty()) else {
        return (PROTOCOL_VERSION, true);
    };
    let ok = offered.split(',').any(|v| v.trim().parse::<u32>().ok() == Some(PROTOCOL_VERSION));
    (PROTOCOL_VERSION, ok)
}

/// Where the server listens: a unix socket, or (Windows, as go-plugin there) TCP on 127.0.0.1.
#[derive(Debug, Clone, PartialEq)]
pub enum Addr {
    /// A unix socket at this path.
    Unix(PathBuf),
    /// TCP at this address.
    Tcp(std::net::SocketAddr),
}

impl Addr {
    /// Go's `net.Addr.Network()`, as go-plugin writes it in the handshake.
    pub fn network(&self) -> &'static str {
        match self {
            Addr::Unix(_) => "unix",
            Addr::Tcp(_) => "tcp",
        }
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Addr::Unix(p) => write!(f, "{}", p.display()),
            Addr::Tcp(a) => write!(f, "{a}"),
        }
    }
}

/// The handshake line go-plugin's client parses.
pub fn handshake_line(version: u32, addr: &Addr, tls: Option<&ServerTls>) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{version}|{}|{addr}|grpc|{}", addr.network(), tls.map(|t| t.handshake_cert()).unwrap_or_default())
}

/// The JSON Terraform reads from `TF_REATTACH_PROVIDERS`.
pub fn reattach_json(provider_address: &str, addr: &Addr) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": addr.network(), "String": addr.to_string()},
        }
    })
    .to_string()
}

/// The TCP ports to try, as go-plugin's `serverListener_tcp` reads them: `PLUGIN_MIN_PORT` and
/// `PLUGIN_MAX_PORT`, each 0 when unset or empty (port 0: the system picks one).
pub fn tcp_port_range(min: Option<&str>, max: Option<&str>) -> Result<std::ops::RangeInclusive<u16>, HandshakeError> {
    let port = |name: &str, v: Option<&str>| -> Result<u16, HandshakeError> {
        match v.filter(|v| !v.is_empty()) {
            None => Ok(0),
            Some(v) => {
                v.trim().parse::<u16>().map_err(|e| HandshakeError::with_source(&format!("Couldn't get value from {name}: {v:?}"), e))
            }
        }
    };
    let (min, max) = (port("PLUGIN_MIN_PORT", min)?, port("PLUGIN_MAX_PORT", max)?);
    if min > max {
        return Err(HandshakeError::new(format!("PLUGIN_MIN_PORT value of {min} is greater than PLUGIN_MAX_PORT value of {max}")));
    }
    Ok(min..=max)
}

/// Binds the first free port of `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` on 127.0.0.1.
#[cfg(windows)]
fn listen() -> Result<(Listener, Addr), HandshakeError> {
    let env = |k: &str| std::env::var(k).ok();
    let ports = tcp_port_range(env("PLUGIN_MIN_PORT").as_deref(), env("PLUGIN_MAX_PORT").as_deref())?;
    for port in ports.clone() {
        let Ok(l) = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)) else { continue };
        let addr = l.local_addr().map_err(|e| HandshakeError::with_source(&format!("cannot listen on 127.0.0.1:{port}"), e))?;
        l.set_nonblocking(true).map_err(|e| HandshakeError::with_source(&format!("cannot listen on {addr}"), e))?;
        let l = Listener::from_std(l).map_err(|e| HandshakeError::with_source(&format!("cannot listen on {addr}"), e))?;
        return Ok((l, Addr::Tcp(addr)));
    }
    Err(HandshakeError::new(format!("Couldn't bind plugin TCP listener (127.0.0.1, ports {}-{})", ports.start(), ports.end())))
}

#[cfg(unix)]
fn listen() -> Result<(Listener, Addr), HandshakeError> {
    let path = socket_path();
    let listener = Listener::bind(&path).map_err(|e| HandshakeError::with_source(&format!("cannot listen on {}", path.display()), e))?;
    Ok((listener, Addr::Unix(path)))
}

#[cfg(unix)]
fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").filter(|d| !d.is_empty()).map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    dir.join(format!("plugin{}", uuid::Uuid::new_v4().simple()))
}

/// One accepted connection, plain (debug mode) or TLS.
pub enum Conn {
    /// A plain connection (debug mode).
    Plain(Stream),
    /// A TLS connection (AutoMTLS).
    Tls(Box<tokio_rustls::server::TlsStream<Stream>>),
}

impl tonic::transport::server::Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Conn::Plain($s) => {
                let $s = Pin::new($s);
                $e
            }
            Conn::Tls($s) => {
                let $s = Pin::new($s.as_mut());
                $e
            }
        }
    };
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        delegate!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        delegate!(self, s => s.poll_write(cx, buf))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        delegate!(self, s => s.poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        delegate!(self, s => s.poll_shutdown(cx))
    }
}

/// Accepts connections (TLS handshakes run concurrently) and feeds them to the gRPC server.
fn incoming(listener: Listener, tls: Option<Arc<rustls::ServerConfig>>) -> ReceiverStream<Result<Conn, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    crate::error!(format!("accepting a connection failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let tx = tx.clone();
            match &tls {
                None => {
                    if tx.send(Ok(Conn::Plain(stream))).await.is_err() {
                        return;
                    }
                }
                Some(cfg) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(cfg.clone());
                    tokio::spawn(async move {
                        match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                            Ok(Ok(s)) => {
                                let _ = tx.send(Ok(Conn::Tls(Box::new(s)))).await;
                            }
                            Ok(Err(e)) => crate::warn!(format!("TLS handshake refused: {e}")),
                            Err(_) => crate::warn!("TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// Work a plugin finishes before it acknowledges go-plugin's Shutdown (see [`serve_with_hooks`]).
pub type BeforeShutdown = Box<dyn Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

/// go-plugin's controller: Shutdown stops the server gracefully, after the plugin's
/// [`BeforeShutdown`] work (the client waits for this answer, then gives the process 2 s to exit).
struct Controller {
    shutdown: watch::Sender<bool>,
    before: Option<Arc<BeforeShutdown>>,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        crate::debug!("shutdown requested by the client");
        if let Some(before) = &self.before {
            before().await;
        }
        let _ = self.shutdown.send(true);
        Ok(Response::new(gp::Empty {}))
    }
}

/// go-plugin's stdio stream. We write our logs straight to stderr (which go-plugin reads), so the
/// stream carries nothing and ends when the server shuts down.
struct Stdio {
    shutdown: watch::Receiver<bool>,
}

type StdioStream = Pin<Box<dyn futures::Stream<Item = Result<gp::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;
    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<StdioStream>, Status> {
        let mut rx = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            let _ = rx.wait_for(|v| *v).await;
            None
        })
        .filter_map(futures::future::ready);
        Ok(Response::new(Box::pin(stream)))
    }
}

/// How often the plugin checks that the process that started it is still there.
pub const PARENT_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs the plugin server until Terraform shuts it down (or, in debug mode, until interrupted).
/// `provider` holds the tfplugin6 Provider service; `name` (the program, e.g.
/// `terraform-provider-example`) is the organisation of the AutoMTLS server certificate.
pub async fn serve(mode: Mode, name: &str, provider: Routes) -> Result<(), HandshakeError> {
    serve_with(mode, name, provider, Box::new(|| {})).await
}

/// Like [`serve`]; `on_parent_exit` runs (once) when the process that started the plugin dies
/// without shutting it down (Terraform killed), before the server stops: the plugin then makes no
/// more changes, instead of working on, re-parented, for a Terraform that is gone.
pub async fn serve_with(mode: Mode, name: &str, provider: Routes, on_parent_exit: Box<dyn FnOnce() + Send>) -> Result<(), HandshakeError> {
    serve_with_hooks(mode, name, provider, on_parent_exit, None).await
}

/// Like [`serve_with`]; `before_shutdown` runs when go-plugin's Shutdown arrives, and the answer
/// waits for it: work still under way that no request waited for (e.g. writes started in the
/// background) can finish then, while go-plugin's 2 s kill timer has not started yet. Bound it
/// yourself: the client waits as long as it takes.
pub async fn serve_with_hooks(
    mode: Mode,
    name: &str,
    provider: Routes,
    on_parent_exit: Box<dyn FnOnce() + Send>,
    before_shutdown: Option<BeforeShutdown>,
) -> Result<(), HandshakeError> {
    let (version, compatible) = match &mode {
        Mode::Plugin => {
            check_cookie(|k| std::env::var(k).ok())?;
            negotiate_version(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())
        }
        Mode::Debug { .. } => (PROTOCOL_VERSION, true),
    };
    if !compatible {
        crate::error!(format!(
            "Terraform offered plugin protocol versions {:?}; this provider speaks only version {PROTOCOL_VERSION}",
            std::env::var("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default()
        ));
    }
    let tls = match (&mode, std::env::var("PLUGIN_CLIENT_CERT")) {
        (Mode::Plugin, Ok(pem)) if !pem.trim().is_empty() => Some(super::tls::server_config(&pem, name)?),
        _ => None,
    };
    let (listener, addr) = listen()?;

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;

    let routes = provider
        .add_service(health)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(Controller {
            shutdown: shutdown_tx.clone(),
            before: before_shutdown.map(Arc::new),
        }))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio { shutdown: shutdown_rx.clone() }))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker { shutdown: shutdown_rx.clone() }));

    let conns = incoming(listener, tls.as_ref().map(|t| t.config.clone()));

    {
        let mut out = std::io::stdout().lock();
        match &mode {
            Mode::Plugin => {
                let _ = writeln!(out, "{}", handshake_line(version, &addr, tls.as_ref()));
            }
            Mode::Debug { provider_address } => {
                let _ = writeln!(
                    out,
                    "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{}'\n",
                    reattach_json(provider_address, &addr)
                );
            }
        }
        let _ = out.flush();
    }
    crate::info!("plugin server started", "socket" => addr.to_string(), "tls" => tls.is_some());

    // go-plugin plugins ignore SIGINT: Terraform forwards Ctrl-C as StopProvider. In debug mode
    // SIGINT stops the server. (Windows: Ctrl-C and Ctrl-Break, Go's os.Interrupt there; a console
    // process without a handler would exit on them.)
    let debug = matches!(mode, Mode::Debug { .. });
    {
        let shutdown_tx = shutdown_tx.clone();
        tokio::spawn(async move {
            #[cfg(unix)]
            let Ok(mut sig) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) else {
                return;
            };
            #[cfg(windows)]
            let Ok(mut sig) = Interrupts::new() else {
                return;
            };
            while sig.recv().await.is_some() {
                if debug {
                    let _ = shutdown_tx.send(true);
                } else {
                    crate::debug!("ignoring SIGINT; Terraform stops us through the protocol");
                }
            }
        });
    }

    // Die with Terraform: go-plugin gives the plugin no signal when Terraform is killed; the
    // plugin is re-parented, which getppid() shows. (PR_SET_PDEATHSIG is unfit: it fires when the
    // Go thread that forked us exits, which Go's scheduler may do at any time.) Windows: a handle
    // on the parent process, signalled when it exits (see host::Parent).
    if !debug {
        let shutdown_tx = shutdown_tx.clone();
        let watched = super::host::Parent::current();
        if watched.is_none() {
            crate::warn!("cannot watch the process that started the plugin; the plugin will not stop by itself if it is killed");
        }
        tokio::spawn(async move {
            let Some(watched) = watched else { return };
            let parent = watched.pid;
            let mut tick = tokio::time::interval(PARENT_CHECK_INTERVAL);
            loop {
                tick.tick().await;
                if *shutdown_tx.borrow() {
                    return;
                }
                if watched.exited() {
                    crate::warn!(format!("the process that started the plugin (pid {parent}) has exited; stopping"));
                    on_parent_exit();
                    let _ = shutdown_tx.send(true);
                    return;
                }
            }
        });
    }

    let mut rx = shutdown_rx.clone();
    let shutdown = async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let server = tonic::transport::Server::builder().add_routes(routes).serve_with_incoming_shutdown(conns, shutdown);
    // The graceful drain waits for every connection to close, but hyper cannot close one that
    // has not sent its HTTP/2 preface yet (it only marks it "close pending"), so a silent client
    // would keep us alive forever. Bound the drain: Terraform only asks for Shutdown once its
    // calls are done, and go-plugin kills a plugin still running 2s later.
    let grace = if debug { SHUTDOWN_GRACE_DEBUG } else { SHUTDOWN_GRACE };
    let mut rx = shutdown_rx.clone();
    let drain_deadline = async move {
        let _ = rx.wait_for(|v| *v).await;
        tokio::time::sleep(grace).await;
    };
    let result = tokio::select! {
        r = server => r,
        _ = drain_deadline => {
            crate::warn!(format!("connections still open {grace:?} after shutdown began; closing them"));
            Ok(())
        }
    };
    if let Addr::Unix(path) = &addr {
        let _ = std::fs::remove_file(path);
    }
    result.map_err(|e| HandshakeError::with_source("gRPC server failed", e))
}

/// Ctrl-C and Ctrl-Break (Go's `os.Interrupt` on Windows), as one stream like unix's SIGINT.
#[cfg(windows)]
struct Interrupts(tokio::signal::windows::CtrlC, tokio::signal::windows::CtrlBreak);

#[cfg(windows)]
impl Interrupts {
    fn new() -> std::io::Result<Self> {
        Ok(Interrupts(tokio::signal::windows::ctrl_c()?, tokio::signal::windows::ctrl_break()?))
    }
    async fn recv(&mut self) -> Option<()> {
        tokio::select! {
            r = self.0.recv() => r,
            r = self.1.recv() => r,
        }
    }
}

/// go-plugin's broker: Terraform opens the stream at start-up; we never broker connections.
struct Broker {
    shutdown: watch::Receiver<bool>,
}

type BrokerStream = Pin<Box<dyn futures::Stream<Item = Result<gp::ConnInfo, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BrokerStream;
    async fn start_stream(&self, req: Request<tonic::Streaming<gp::ConnInfo>>) -> Result<Response<BrokerStream>, Status> {
        let mut inbound = req.into_inner();
        let mut rx = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            // Drain what the client sends until it hangs up or we shut down.
            loop {
                tokio::select! {
                    msg = inbound.next() => if msg.is_none() { break },
                    _ = rx.wait_for(|v| *v) => break,
                }
            }
            None
        })
        .filter_map(futures::future::ready);
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match() {
        assert!(check_cookie(|_| None).is_err());
        assert!(check_cookie(|_| Some("nope".into())).is_err());
        assert!(check_cookie(|_| Some(MAGIC_COOKIE_VALUE.into())).is_ok());
    }

    #[test]
    fn version_negotiation() {
        assert_eq!(negotiate_version(Some("5,6")), (6, true));
        assert_eq!(negotiate_version(Some("6")), (6, true));
        assert_eq!(negotiate_version(Some("4,5")), (6, false));
        assert_eq!(negotiate_version(None), (6, true));
        assert_eq!(negotiate_version(Some(" 5 , 6 ")), (6, true));
    }

    #[test]
    fn handshake_line_format() {
        let line = handshake_line(6, &Addr::Unix(PathBuf::from("/tmp/plugin1")), None);
        assert_eq!(line, "1|6|unix|/tmp/plugin1|grpc|");
    }

    #[test]
    fn tcp_handshake_line_format() {
        // What go-plugin writes on Windows: listener.Addr().Network() and .String().
        let line = handshake_line(6, &Addr::Tcp("127.0.0.1:10000".parse().unwrap()), None);
        assert_eq!(line, "1|6|tcp|127.0.0.1:10000|grpc|");
    }

    #[test]
    fn reattach_is_json_terraform_reads() {
        let j: serde_json::Value =
            serde_json::from_str(&reattach_json("registry.terraform.io/vpce/vpce", &Addr::Unix(PathBuf::from("/tmp/s")))).unwrap();
        let p = &j["registry.terraform.io/vpce/vpce"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/s");
        let j: serde_json::Value =
            serde_json::from_str(&reattach_json("registry.terraform.io/vpce/vpce", &Addr::Tcp("127.0.0.1:12345".parse().unwrap())))
                .unwrap();
        let p = &j["registry.terraform.io/vpce/vpce"];
        assert_eq!(p["Addr"]["Network"], "tcp");
        assert_eq!(p["Addr"]["String"], "127.0.0.1:12345");
        assert_eq!(p["Pid"], std::process::id());
    }

    #[test]
    fn tcp_ports_as_go_plugin_reads_them() {
        assert_eq!(tcp_port_range(None, None).unwrap(), 0..=0);
        assert_eq!(tcp_port_range(Some(""), Some("")).unwrap(), 0..=0);
        assert_eq!(tcp_port_range(Some("10000"), Some("25000")).unwrap(), 10000..=25000);
        assert_eq!(tcp_port_range(Some("0"), Some("0")).unwrap(), 0..=0);
        assert_eq!(tcp_port_range(None, Some("25000")).unwrap(), 0..=25000);
        let e = tcp_port_range(Some("25000"), Some("10000")).unwrap_err().to_string();
        assert_eq!(e, "PLUGIN_MIN_PORT value of 25000 is greater than PLUGIN_MAX_PORT value of 10000");
        let e = tcp_port_range(Some("ten"), Some("25000")).unwrap_err().to_string();
        assert!(e.starts_with("Couldn't get value from PLUGIN_MIN_PORT"), "{e}");
        assert!(tcp_port_range(Some("1"), Some("70000")).is_err());
    }
}
