#!/usr/bin/env python3
"""Minimal counting HTTP proxy in front of moto, for the benchmark (python3 stdlib only).

    python3 bench/countproxy.py UPSTREAM_URL [--port P] [--port-file FILE]

Forwards every request to UPSTREAM_URL unchanged and counts AWS query-protocol requests per
`Action` (form body or query string). Loopback only.
    GET  /__stats        -> {"total": n, "actions": {"CreateVpcEndpoint": k, ...}}
    POST /__stats/reset  -> zero the counters
Same control API as scripts/ec2proxy.py (used instead of this file when it exists).
"""
import argparse
import http.client
import json
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {}
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


def action_of(path, body):
    q = urllib.parse.urlsplit(path).query
    for src in (q, body.decode("utf-8", "replace") if body else ""):
        try:
            vals = urllib.parse.parse_qs(src).get("Action")
        except Exception:
            vals = None
        if vals:
            return vals[0]
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: without it the body (a second small write after the headers) waits for the
    # client's delayed ACK: +40 ms per request, which would dominate every timing.
    disable_nagle_algorithm = True
    upstream = None  # (host, port)
    local = threading.local()

    def log_message(self, *a):
        pass

    def _send(self, code, obj):
        data = json.dumps(obj, sort_keys=True).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(*self.upstream, timeout=300)
            c.connect()
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.local.conn = c
        return c

    def _proxy(self):
        body = self._body()
        if self.path.startswith("/__stats"):
            if self.command == "POST" and self.path.rstrip("/").endswith("/reset"):
                with LOCK:
                    COUNTS.clear()
                return self._send(200, {"ok": True})
            with LOCK:
                return self._send(200, {"total": sum(COUNTS.values()), "actions": dict(COUNTS)})
        act = action_of(self.path, body) or "(none:%s %s)" % (self.command, urllib.parse.urlsplit(self.path).path)
        with LOCK:
            COUNTS[act] = COUNTS.get(act, 0) + 1
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            conn = self._conn()
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt:
                    return self._send(502, {"error": "upstream failed"})
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _proxy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.upstream)
    Handler.upstream = (u.hostname, u.port or 80)
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.replace(a.port_file + ".tmp", a.port_file)
    print("countproxy: http://127.0.0.1:%d -> %s" % (port, a.upstream), file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
