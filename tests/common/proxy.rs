//! A recording (and fault-injecting) HTTP proxy in front of moto. Every request body (EC2 query
//! protocol, form encoded) is decoded and kept, so tests can check what the provider sent even
//! where moto ignores it; chosen actions can be answered with an EC2 error or held unanswered.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::moto_url;

#[derive(Default)]
struct ProxyState {
    /// Decoded parameters of every request.
    calls: Vec<Vec<(String, String)>>,
    /// Actions answered with an EC2 error instead of being forwarded.
    fail: Vec<String>,
    /// Actions held (not answered) until `heal`.
    hang: Vec<String>,
}

pub struct Proxy {
    pub url: String,
    state: Arc<Mutex<ProxyState>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let target = moto_url().trim_start_matches("http://").trim_end_matches('/').to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (target, shared) = (target.clone(), shared.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &target, &shared);
                });
            }
        });
        Proxy { url, state }
    }

    /// The decoded parameters of every recorded call of `action`.
    pub fn calls(&self, action: &str) -> Vec<Vec<(String, String)>> {
        let state = self.state.lock().expect("proxy lock");
        state.calls.iter().filter(|c| param(c, "Action") == Some(action)).cloned().collect()
    }

    /// Forgets the recorded calls.
    pub fn clear(&self) {
        self.state.lock().expect("proxy lock").calls.clear();
    }

    /// Answers every later `action` with an injected UnauthorizedOperation (HTTP 403).
    pub fn fail(&self, action: &str) {
        self.state.lock().expect("proxy lock").fail.push(action.to_string());
    }

    /// Holds every later `action` unanswered until `heal`.
    pub fn hang(&self, action: &str) {
        self.state.lock().expect("proxy lock").hang.push(action.to_string());
    }

    /// Ends every `fail` and `hang`.
    pub fn heal(&self) {
        let mut s = self.state.lock().expect("proxy lock");
        s.fail.clear();
        s.hang.clear();
    }
}

/// One request per connection (answered with `Connection: close`, so the client reconnects).
fn serve(client: TcpStream, target: &str, state: &Mutex<ProxyState>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
            if k.trim().eq_ignore_ascii_case("connection") {
                continue;
            }
        }
        head.push(line);
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let params = form_decode(&String::from_utf8_lossy(&body));
    let action = param(&params, "Action").unwrap_or_default().to_string();
    let failing = {
        let mut s = state.lock().expect("proxy lock");
        s.calls.push(params);
        s.fail.contains(&action)
    };
    while state.lock().expect("proxy lock").hang.contains(&action) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut client = client;
    if failing {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>injected failure of {action}</Message></Error></Errors><RequestID>proxy</RequestID></Response>"
        );
        write!(client, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}", xml.len())?;
        return client.flush();
    }
    let mut upstream = TcpStream::connect(target)?;
    for line in &head {
        upstream.write_all(line.as_bytes())?;
    }
    upstream.write_all(b"Connection: close\r\n\r\n")?;
    upstream.write_all(&body)?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response)?;
    client.write_all(&response)?;
    client.flush()
}

/// `application/x-www-form-urlencoded` into (key, value) pairs, in order. A `%` not followed by
/// two hex digits is kept as is.
pub fn form_decode(body: &str) -> Vec<(String, String)> {
    fn dec(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

/// The value of a parameter of a recorded call.
pub fn param<'a>(call: &'a [(String, String)], key: &str) -> Option<&'a str> {
    call.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Values of a list parameter (`AddRouteTableId.1`, `AddRouteTableId.2`, ...), sorted.
pub fn param_list(call: &[(String, String)], prefix: &str) -> Vec<String> {
    let p = format!("{prefix}.");
    let mut v: Vec<String> = call.iter().filter(|(k, _)| k.starts_with(&p)).map(|(_, v)| v.clone()).collect();
    v.sort();
    v
}
