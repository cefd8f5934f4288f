#!/usr/bin/env python3
"""The recording, fault-injecting reverse proxy for the EC2 API (in front of moto): the one proxy
of the tests (tests/common/proxy.rs and faultproxy.rs start it), the crash soak and the benchmark.

    python3 scripts/ec2proxy.py --target http://127.0.0.1:5555 [--port 0] [--fault-rate 0.3]
        [--latency-ms 0-50] [--seed 42] [--fail-action DescribeVpcEndpoints[:Code[:HTTP status]]]...
        [--log FILE]

Prints the port it listens on (127.0.0.1) as the first line of stdout, then serves until killed.
Python 3 standard library only.

Faults are injected into EC2 API calls only (POST bodies with `Action=...`), never into moto's
/moto-api nor into this proxy's own /__ endpoints. With probability --fault-rate an EC2 call gets
one of these faults (equal shares):

  throttle      HTTP 400 or 503 with EC2's RequestLimitExceeded error document (not forwarded)
  internal      HTTP 500 InternalError (not forwarded)
  reset_before  the connection is reset (RST) before the request is forwarded: nothing happened
  reset_after   the request IS forwarded and executed by moto, then the connection is reset
                instead of answering: the client sees a failure for a call that took effect

Latency (--latency-ms A-B, uniform) is added to every EC2 call. --seed fixes the random draws;
their order, hence which call gets which fault, still depends on how concurrent calls interleave.
--log FILE appends one line per EC2 call: start time, duration, client port, action, outcome.

--fail-action ACTION[:CODE[:STATUS]] makes every call of ACTION fail with a non-retryable error
(default UnauthorizedOperation, HTTP 403), e.g. to fail the step after a successful create.

EC2 idempotency emulation (what moto lacks). Real EC2 treats CreateVpcEndpoint's ClientToken as
an idempotency key: a repeated request with the same token returns the endpoint the first request
created instead of creating another (and IdempotentParameterMismatch if the parameters differ).
moto ignores ClientToken, so a `reset_after` fault followed by the SDK's retry would create a
second endpoint in moto although real EC2 would not. The proxy therefore remembers, per
ClientToken, the request body and moto's successful response, and answers a repeated token
itself with that same response (HTTP 400 IdempotentParameterMismatch for a different body)
instead of forwarding it. This is counted as `idempotent_replays` in the stats.

Recording and scripted answers (what tests/common/proxy.rs offers): every EC2 call's decoded
parameters are recorded in order; chosen actions can be failed with an EC2 error, answered with a
canned body, held unanswered, or executed with their answer held back; DescribeVpcEndpoints can
show chosen endpoints `pending`. These apply before the random faults (a call they answer draws
none).

Control endpoints (never faulted):
  GET  /__calls[?action=A]  {"calls": [[[key, value], ...], ...]}: the recorded EC2 calls (of A), in order
  POST /__calls/clear   forget the recorded calls
  POST /__fail          {"action": A, "code": "UnauthorizedOperation", "status": 403}: every later call of A
                        gets that EC2 error (not forwarded); a failure already set for A stays
  POST /__respond       {"action": A, "body": "<xml>"}: every later call of A gets HTTP 200 with that body
  POST /__hang          {"action": A}: every later call of A is held unanswered (not forwarded) until heal
  POST /__hold_answer   {"action": A}: every later call of A is forwarded (it takes effect) and its
                        answer held until heal; /__stats "held" counts the calls being held
  POST /__pending       {"ids": ["vpce-...", ...] or ["*"]}: DescribeVpcEndpoints shows them `pending`
                        instead of `available`
  POST /__refuse        {"action": A, "ids": ["vpce-..."], "code": C, "message": M}: EC2 refuses these resources in
                        later calls of A. DeleteVpcEndpoints, which answers per endpoint, gets an `Unsuccessful`
                        item (code C) for each refused id and the other ids are forwarded (deleted); any other
                        action naming a refused id fails as a whole with C (HTTP 400, not forwarded), as
                        CreateTags does for a bad resource id. Several calls add up (per action).
  POST /__heal          ends every fail (including --fail-action), respond, hang, hold_answer, pending, refuse
  GET  /__stats         JSON counters: requests per EC2 Action, faults by kind and by action, ...
  POST /__stats/reset   zero the counters
  POST /__config        JSON {"fault_rate": 0.3, "latency_ms": [0, 50], "fail_actions": {"Action": ["Code", 403]},
                        "script": {"Action": ["reset_after", ...]}} (any subset) changes the behaviour at
                        run time; `script` gives the fault kinds of the next calls of an action, in
                        order (deterministic faults), before the random draw applies again
"""

import argparse
import http.client
import http.server
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

FAULT_KINDS = ("throttle", "internal", "reset_before", "reset_after")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


def ec2_error(code, message):
    """An EC2 (ec2Query protocol) error document, as aws-sdk-ec2's parser expects it:
    <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>."""
    rid = str(uuid.uuid4())
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{rid}</RequestID></Response>")
    return body.encode(), rid


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.fault_rate = args.fault_rate
        self.latency = args.latency_ms
        self.fail_actions = dict(args.fail_action)
        # Action -> fault kinds for its next calls, in order (deterministic faults for tests).
        self.script = {}
        # ClientToken -> (request body, status, headers, response body)
        self.tokens = {}
        self.token_locks = {}
        # Recording and scripted answers (see the module docstring); `changed` wakes held calls.
        self.changed = threading.Condition(self.lock)
        self.calls = []
        self.respond = {}
        self.hang = set()
        self.hold_answer = set()
        self.held = 0
        self.pending = []
        # Action -> {resource id: (code, message)} (see /__refuse).
        self.refuse = {}
        self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.started = time.time()
            self.requests = 0
            self.ec2_requests = 0
            self.by_action = {}
            self.faults = {k: 0 for k in FAULT_KINDS}
            self.faults_by_action = {}
            self.throttle_status = {"400": 0, "503": 0}
            self.forwarded = 0
            self.idempotent_replays = 0
            self.idempotent_mismatches = 0
            self.failed_actions = {}
            self.upstream_errors = 0

    def stats(self):
        with self.lock:
            return {
                "seconds": round(time.time() - self.started, 3),
                "requests": self.requests,
                "ec2_requests": self.ec2_requests,
                "by_action": dict(sorted(self.by_action.items())),
                "faults": dict(self.faults),
                "faults_total": sum(self.faults.values()),
                "faults_by_action": {a: dict(k) for a, k in sorted(self.faults_by_action.items())},
                "throttle_status": dict(self.throttle_status),
                "forwarded": self.forwarded,
                "idempotent_replays": self.idempotent_replays,
                "idempotent_mismatches": self.idempotent_mismatches,
                "failed_actions": dict(self.failed_actions),
                "upstream_errors": self.upstream_errors,
                "held": self.held,
                "config": {"fault_rate": self.fault_rate, "latency_ms": list(self.latency),
                           "fail_actions": {a: list(v) for a, v in self.fail_actions.items()},
                           "script": {a: list(k) for a, k in self.script.items() if k}},
            }

    def configure(self, cfg):
        with self.lock:
            if "fault_rate" in cfg:
                self.fault_rate = float(cfg["fault_rate"])
            if "latency_ms" in cfg:
                lo, hi = cfg["latency_ms"]
                self.latency = (int(lo), int(hi))
            if "fail_actions" in cfg:
                self.fail_actions = {a: (v[0], int(v[1])) for a, v in cfg["fail_actions"].items()}
            if "script" in cfg:
                for action, kinds in cfg["script"].items():
                    if any(k not in FAULT_KINDS for k in kinds):
                        raise ValueError(f"fault kinds are {FAULT_KINDS}, got {kinds}")
                self.script = {a: list(k) for a, k in cfg["script"].items()}

    def heal(self):
        with self.lock:
            self.fail_actions.clear()
            self.respond.clear()
            self.hang.clear()
            self.hold_answer.clear()
            self.pending = []
            self.refuse.clear()
            self.changed.notify_all()

    def control(self, path, cfg):
        """The recording control endpoints (POST); returns the JSON answer."""
        with self.lock:
            if path == "/__calls/clear":
                self.calls.clear()
            elif path == "/__fail":
                self.fail_actions.setdefault(cfg["action"], (cfg.get("code") or "UnauthorizedOperation", int(cfg.get("status") or 403)))
            elif path == "/__respond":
                self.respond.setdefault(cfg["action"], cfg["body"])
            elif path == "/__hang":
                self.hang.add(cfg["action"])
            elif path == "/__hold_answer":
                self.hold_answer.add(cfg["action"])
            elif path == "/__pending":
                self.pending = [str(i) for i in cfg["ids"]]
            elif path == "/__refuse":
                code = cfg.get("code") or "OperationNotPermitted"
                message = cfg.get("message") or "ec2proxy: refused"
                self.refuse.setdefault(cfg["action"], {}).update({str(i): (code, message) for i in cfg["ids"]})
            else:
                raise KeyError(path)
        return {"ok": True}

    def wait_while(self, holding):
        """Blocks while `holding()` (evaluated under the lock) is true."""
        with self.lock:
            while holding():
                self.changed.wait(1.0)

    def draw(self, action, canned=False):
        """Counts the EC2 call and decides its fate: (latency seconds, fault kind or None, throttle
        status, forced failure (code, status) of --fail-action or None)."""
        with self.lock:
            fail = self.fail_actions.get(action)
            if fail:
                self.failed_actions[action] = self.failed_actions.get(action, 0) + 1
            self.ec2_requests += 1
            self.by_action[action] = self.by_action.get(action, 0) + 1
            lo, hi = self.latency
            delay = self.rng.uniform(lo, hi) / 1000.0 if hi > 0 else 0.0
            kind, status = None, None
            scripted = self.script.get(action)
            if scripted:
                kind = scripted.pop(0)
            elif self.rng.random() < self.fault_rate:
                kind = self.rng.choice(FAULT_KINDS)
            if fail or canned:
                kind = None
            if kind:
                self.faults[kind] += 1
                per = self.faults_by_action.setdefault(action, {})
                per[kind] = per.get(kind, 0) + 1
                if kind == "throttle":
                    status = self.rng.choice((400, 503))
                    self.throttle_status[str(status)] += 1
            return delay, kind, status, fail

    def bump(self, field, n=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + n)

    def token_lock(self, token):
        with self.lock:
            return self.token_locks.setdefault(token, threading.Lock())


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer without waiting for a delayed ACK (Nagle would add ~40 ms to every request).
    disable_nagle_algorithm = True
    server_version = "ec2proxy"

    def log_message(self, fmt, *args):  # quiet
        pass

    # -- plumbing ---------------------------------------------------------------------------

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, status, body, headers=(), content_type="text/xml;charset=UTF-8"):
        self.send_response(status)
        sent = set()
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
                sent.add(k.lower())
        if "content-type" not in sent and content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reply_json(self, obj, status=200):
        self.reply(status, json.dumps(obj, indent=1).encode(), content_type="application/json")

    def reset_connection(self):
        """Abort the TCP connection with a RST (SO_LINGER 0) and no response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def forward(self, method, body):
        """Sends the request to the target; returns (status, headers, body)."""
        st = self.server.state
        conn = http.client.HTTPConnection(self.server.target_host, self.server.target_port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            headers["Host"] = f"{self.server.target_host}:{self.server.target_port}"
            headers["Content-Length"] = str(len(body))
            conn.request(method, self.path, body=body if method not in ("GET", "HEAD") or body else None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            st.bump("forwarded")
            return resp.status, resp.getheaders(), data
        except (OSError, http.client.HTTPException) as e:
            st.bump("upstream_errors")
            data, _ = ec2_error("InternalError", f"ec2proxy: upstream failed: {e}")
            return 502, [], data
        finally:
            conn.close()

    # -- methods ------------------------------------------------------------------------------

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/__stats":
            return self.reply_json(self.server.state.stats())
        if path == "/__calls":
            action = (urllib.parse.parse_qs(query).get("action") or [None])[0]
            st = self.server.state
            with st.lock:
                calls = [c for c in st.calls if action is None or dict(c).get("Action") == action]
            return self.reply_json({"calls": calls})
        self.passthrough("GET", self.read_body())

    def do_HEAD(self):
        self.passthrough("HEAD", b"")

    def do_PUT(self):
        self.passthrough("PUT", self.read_body())

    def do_DELETE(self):
        self.passthrough("DELETE", self.read_body())

    def do_POST(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        st = self.server.state
        if path == "/__stats/reset":
            st.reset_stats()
            return self.reply_json({"ok": True})
        if path == "/__config":
            try:
                st.configure(json.loads(body or b"{}"))
            except (ValueError, KeyError, TypeError, IndexError) as e:
                return self.reply_json({"error": str(e)}, 400)
            return self.reply_json(st.stats()["config"])
        if path == "/__heal":
            st.heal()
            return self.reply_json({"ok": True})
        if path in ("/__calls/clear", "/__fail", "/__respond", "/__hang", "/__hold_answer", "/__pending", "/__refuse"):
            try:
                return self.reply_json(st.control(path, json.loads(body or b"{}")))
            except (ValueError, KeyError, TypeError) as e:
                return self.reply_json({"error": f"{path}: {e!r}"}, 400)
        if path.startswith("/__") or path.startswith("/moto-api"):
            return self.passthrough("POST", body)
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params = {}
        for k, v in pairs:
            params.setdefault(k, []).append(v)
        action = (params.get("Action") or [None])[0]
        if not action:
            return self.passthrough("POST", body)
        with st.lock:
            st.calls.append([list(p) for p in pairs])
        self.ec2_call(action, params, body)

    def passthrough(self, method, body):
        with self.server.state.lock:
            self.server.state.requests += 1
        status, headers, data = self.forward(method, body)
        self.reply(status, data if method != "HEAD" else b"", headers)

    def ec2_call(self, action, params, body):
        started = time.time()
        outcome = "?"
        try:
            outcome = self._ec2_call(action, params, body)
        finally:
            log = self.server.log
            if log:
                with self.server.state.lock:
                    log.write(f"{started:.3f} {time.time() - started:7.3f}s {self.client_address[1]:>5} {action} {outcome}\n")
                    log.flush()

    def _ec2_call(self, action, params, body):
        """Answers one EC2 call; returns what happened, for the log."""
        st = self.server.state
        with st.lock:
            st.requests += 1
            canned = st.respond.get(action)
            holding = action in st.hold_answer
        st.wait_while(lambda: action in st.hang)
        delay, kind, throttle_status, fail = st.draw(action, canned is not None)
        if delay:
            time.sleep(delay)

        if fail:
            code, status = fail
            data, _ = ec2_error(code, f"ec2proxy: injected failure of {action} ({code}).")
            self.reply(status, data)
            return f"fail-action {code} {status}"
        if canned is not None:
            self.reply(200, canned.encode())
            return "canned 200"

        if kind == "throttle":
            data, _ = ec2_error("RequestLimitExceeded", "Request limit exceeded.")
            self.reply(throttle_status, data)
            return f"fault throttle {throttle_status}"
        if kind == "internal":
            data, _ = ec2_error("InternalError", "An internal error has occurred")
            self.reply(500, data)
            return "fault internal 500"
        if kind == "reset_before":
            self.reset_connection()
            return "fault reset_before"

        with st.lock:
            refused = dict(st.refuse.get(action) or {})
        named = [v for k, vs in params.items() if re.fullmatch(r"(VpcEndpointId|ResourceId)\.\d+", k) for v in vs if v in refused]
        if named and action != "DeleteVpcEndpoints":
            code, message = refused[named[0]]
            data, _ = ec2_error(code, f"{message} ({named[0]})")
            self.reply(400, data)
            return f"refused {code}"
        if named:
            # Per-endpoint refusals: the others go to moto, the refused ones become Unsuccessful items.
            items = [(i, refused[i]) for i in named]
            kept = [v for k, vs in params.items() if k.startswith("VpcEndpointId.") for v in vs if v not in refused]
            if kept:
                rest = [(k, v) for k, v in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True) if not k.startswith("VpcEndpointId.")]
                rest += [(f"VpcEndpointId.{n}", v) for n, v in enumerate(kept, 1)]
                status, headers, data = self.forward("POST", urllib.parse.urlencode(rest).encode())
            else:
                status, headers = 200, []
                data = (f'<DeleteVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                        f"<requestId>{uuid.uuid4()}</requestId><unsuccessful/></DeleteVpcEndpointsResponse>").encode()
            if status == 200:
                data = add_unsuccessful(data, items)
            self.reply(status, data, headers)
            return f"{status} ({len(items)} refused)"

        token = (params.get("ClientToken") or [None])[0] if action == "CreateVpcEndpoint" else None
        seen = None
        if token:
            # EC2 idempotency (see the module docstring): one execution per ClientToken.
            with st.token_lock(token):
                with st.lock:
                    seen = st.tokens.get(token)
                if seen is not None:
                    first_body, status, headers, data = seen
                    if first_body != body:
                        st.bump("idempotent_mismatches")
                        status, headers = 400, []
                        data, _ = ec2_error("IdempotentParameterMismatch",
                                            "The client token you have provided is associated with a resource that is already deleted or has different parameters.")
                    else:
                        st.bump("idempotent_replays")
                else:
                    status, headers, data = self.forward("POST", body)
                    if status == 200:
                        with st.lock:
                            st.tokens[token] = (body, status, headers, data)
        else:
            status, headers, data = self.forward("POST", body)

        if holding:
            # moto executed the call; the answer waits until heal.
            with st.lock:
                st.held += 1
            st.wait_while(lambda: action in st.hold_answer)
            with st.lock:
                st.held -= 1
        if action == "DescribeVpcEndpoints" and status == 200:
            with st.lock:
                pending = list(st.pending)
            data = show_pending(data, pending)

        if kind == "reset_after":
            # moto executed the call; the client never hears about it.
            self.reset_connection()
            return f"fault reset_after (moto answered {status})"
        self.reply(status, data, headers)
        return f"{status}" + (" (replayed)" if token and seen is not None else "")


def add_unsuccessful(body, items):
    """Adds an `<unsuccessful>` item per (resource id, (code, message)) to a DeleteVpcEndpoints answer."""
    xml = "".join(f"<item><error><code>{code}</code><message>{message}</message></error><resourceId>{rid}</resourceId></item>"
                  for rid, (code, message) in items)
    text = body.decode("utf-8", "replace")
    if "</unsuccessful>" in text:
        text = text.replace("</unsuccessful>", xml + "</unsuccessful>", 1)
    elif re.search(r"<unsuccessful\s*/>", text):
        text = re.sub(r"<unsuccessful\s*/>", "<unsuccessful>" + xml + "</unsuccessful>", text, count=1)
    else:
        text = text.replace("</DeleteVpcEndpointsResponse>", "<unsuccessful>" + xml + "</unsuccessful></DeleteVpcEndpointsResponse>", 1)
    return text.encode()


def show_pending(body, pending):
    """Rewrites `<state>available</state>` to `pending` for the endpoints listed ("*": all), in a
    DescribeVpcEndpoints answer (one `<item>` per endpoint, its `<vpcEndpointId>` before its `<state>`)."""
    if not pending:
        return body
    text = body.decode("utf-8", "replace")
    out, rest = [], text
    while True:
        m = re.search(r"<vpcEndpointId>(.*?)</vpcEndpointId>", rest)
        if not m:
            break
        out.append(rest[:m.end()])
        rest = rest[m.end():]
        if m.group(1) in pending or "*" in pending:
            j = rest.find("<state>available</state>")
            if j >= 0:
                out.append(rest[:j] + "<state>pending</state>")
                rest = rest[j + len("<state>available</state>"):]
    out.append(rest)
    return "".join(out).encode()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Resets and clients hanging up are part of the job: no tracebacks on stderr.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, OSError)):
            return
        super().handle_error(request, client_address)


def latency_range(s):
    lo, _, hi = s.partition("-")
    lo, hi = int(lo), int(hi or lo)
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError("expected MIN-MAX milliseconds, e.g. 0-50")
    return (lo, hi)


def fail_action(s):
    parts = s.split(":")
    action = parts[0]
    code = parts[1] if len(parts) > 1 and parts[1] else "UnauthorizedOperation"
    status = int(parts[2]) if len(parts) > 2 and parts[2] else 403
    return (action, (code, status))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", required=True, help="the EC2 endpoint to forward to, e.g. http://127.0.0.1:5555")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--latency-ms", type=latency_range, default=(0, 0))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--fail-action", type=fail_action, action="append", default=[])
    p.add_argument("--log", help="append one line per EC2 call (start, duration, client port, action, outcome) to this file")
    args = p.parse_args()

    target = urllib.parse.urlsplit(args.target)
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    server.target_host = target.hostname or "127.0.0.1"
    server.target_port = target.port or 80
    server.log = open(args.log, "a") if args.log else None
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
