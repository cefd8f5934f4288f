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
    /// Actions answered with an EC2 error (code, HTTP status) instead of being forwarded.
    fail: Vec<(String, String, u16)>,
    /// Actions answered with a canned HTTP 200 body instead of being forwarded.
    respond: Vec<(String, String)>,
    /// Actions held (not answered) until `heal`.
    hang: Vec<String>,
    /// Actions forwarded (so they take effect), whose answers are held until `heal`.
    hold_answer: Vec<String>,
    /// Calls forwarded and executed whose answer is being held.
    held: usize,
    /// Endpoint ids that DescribeVpcEndpoints shows `pending` instead of `available`.
    pending: Vec<String>,
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
        self.fail_with(action, "UnauthorizedOperation", 403);
    }

    /// Answers every later `action` with the EC2 error `code` and HTTP `status`.
    pub fn fail_with(&self, action: &str, code: &str, status: u16) {
        self.state.lock().expect("proxy lock").fail.push((action.to_string(), code.to_string(), status));
    }

    /// Answers every later `action` with HTTP 200 and `xml` as the body (not forwarded).
    pub fn respond(&self, action: &str, xml: &str) {
        self.state.lock().expect("proxy lock").respond.push((action.to_string(), xml.to_string()));
    }

    /// Holds every later `action` unanswered until `heal`.
    pub fn hang(&self, action: &str) {
        self.state.lock().expect("proxy lock").hang.push(action.to_string());
    }

    /// Forwards every later `action` (it takes effect) but holds its answer until `heal`: the
    /// caller cannot know the outcome.
    pub fn hold_answer(&self, action: &str) {
        self.state.lock().expect("proxy lock").hold_answer.push(action.to_string());
    }

    /// How many calls have been executed with their answer held.
    pub fn held(&self) -> usize {
        self.state.lock().expect("proxy lock").held
    }

    /// DescribeVpcEndpoints shows these endpoints `pending` (as real EC2 does for a while).
    pub fn show_pending(&self, ids: &[String]) {
        self.state.lock().expect("proxy lock").pending = ids.to_vec();
    }

    /// Ends every `fail`, `respond`, `hang`, `hold_answer` and `show_pending`.
    pub fn heal(&self) {
        let mut s = self.state.lock().expect("proxy lock");
        s.fail.clear();
        s.respond.clear();
        s.hang.clear();
        s.hold_answer.clear();
        s.pending.clear();
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
    let (failing, canned, holding) = {
        let mut s = state.lock().expect("proxy lock");
        s.calls.push(params);
        (
            s.fail.iter().find(|(a, _, _)| *a == action).cloned(),
            s.respond.iter().find(|(a, _)| *a == action).map(|(_, xml)| xml.clone()),
            s.hold_answer.contains(&action),
        )
    };
    while state.lock().expect("proxy lock").hang.contains(&action) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut client = client;
    if let Some((_, code, status)) = failing {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>injected failure of {action}</Message></Error></Errors><RequestID>proxy</RequestID></Response>"
        );
        write!(client, "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}", xml.len())?;
        return client.flush();
    }
    if let Some(xml) = canned {
        write!(client, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}", xml.len())?;
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
    if holding {
        state.lock().expect("proxy lock").held += 1;
        while state.lock().expect("proxy lock").hold_answer.contains(&action) {
            std::thread::sleep(Duration::from_millis(50));
        }
        state.lock().expect("proxy lock").held -= 1;
    }
    if action == "DescribeVpcEndpoints" {
        response = show_pending(response, &state.lock().expect("proxy lock").pending);
    }
    client.write_all(&response)?;
    client.flush()
}

/// Rewrites `<state>available</state>` to `pending` for the endpoints listed (EC2 query XML; one
/// `<item>` per endpoint, whose `<vpcEndpointId>` comes before its `<state>`). The body is
/// re-framed with a fresh Content-Length.
fn show_pending(response: Vec<u8>, pending: &[String]) -> Vec<u8> {
    if pending.is_empty() {
        return response;
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let Some(split) = text.find("\r\n\r\n") else { return response };
    let (head, body) = (&text[..split], &text[split + 4..]);
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("<vpcEndpointId>") {
        let start = i + "<vpcEndpointId>".len();
        let Some(end) = rest[start..].find("</vpcEndpointId>") else { break };
        let id = &rest[start..start + end];
        let after = start + end;
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if pending.iter().any(|p| p == id || p == "*") {
            if let Some(j) = rest.find("<state>available</state>") {
                out.push_str(&rest[..j]);
                out.push_str("<state>pending</state>");
                rest = &rest[j + "<state>available</state>".len()..];
            }
        }
    }
    out.push_str(rest);
    let head: Vec<&str> = head.lines().filter(|l| !l.to_ascii_lowercase().starts_with("content-length")).collect();
    format!("{}\r\nContent-Length: {}\r\n\r\n{out}", head.join("\r\n"), out.len()).into_bytes()
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
