#!/usr/bin/env python3
"""Benchmark driver (called by bench/run.sh; see bench/README.md).

For each provider (ours = vpce_gateway, aws = hashicorp/aws 3.39.0 aws_vpc_endpoint) and each N:
a fresh moto + counting proxy, N VPCs with one route table each (boto3, straight to moto), then
real Terraform: apply, no-op plan, update (tags), destroy. Per phase: wall time, EC2 requests
(proxy /__stats delta, per Action), provider peak RSS (wrapper under /usr/bin/time -f %M).
Plus go-plugin handshake latency of each binary spawned directly (median of --hs-runs).
Each (provider, N) result goes to .tmp/bench/results/<prov>-<N>.json; bench/results.md is
rendered from all result files present (so `--only` runs merge side by side).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".tmp", "bench")
RESULTS = os.path.join(WORK, "results")
REGION = "us-east-1"
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
OUR_BIN = os.path.join(ROOT, "target", "release", "terraform-provider-vpce")
AWS_BIN = os.path.join(WORK, "aws-3.39.0", "terraform-provider-aws_v3.39.0_x5")
PEER = {  # figures measured for the peer at N=100 (from the tracker), for reference only
    "apply": 117.0, "plan": 4.5, "destroy": 109.0,
}
PROVIDERS = {
    "ours": {"bin": OUR_BIN, "proto": "6", "source": "vpce/vpce", "wrapname": "terraform-provider-vpce",
             "label": "vpce (ours)"},
    "aws": {"bin": AWS_BIN, "proto": "5", "source": "hashicorp/aws", "wrapname": "terraform-provider-aws",
            "label": "aws 3.39.0"},
}
PHASES = ["apply", "plan", "update", "destroy"]


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(url, method="GET", timeout=5):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def wait_up(url, what, proc, secs=30):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit("%s exited early (code %s)" % (what, proc.returncode))
        try:
            http(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("%s did not come up at %s" % (what, url))


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- handshake
def client_cert():
    """A self-signed P-521 client certificate (PEM), generated once, as Terraform sends it."""
    path = os.path.join(WORK, "client-cert.pem")
    if os.path.exists(path):
        return open(path).read()
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        key = ec.generate_private_key(ec.SECP521R1())
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                             content_commitment=False, data_encipherment=False, key_agreement=True,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .sign(key, hashes.SHA512()))
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    except ImportError:
        keyf = os.path.join(WORK, "client-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1",
                        "-nodes", "-keyout", keyf, "-out", path, "-days", "3650", "-subj", "/O=HashiCorp/CN=localhost"],
                       check=True, capture_output=True)
        pem = open(path).read()
    with open(path, "w") as f:
        f.write(pem)
    return pem


def handshake(prov, runs, tls=True):
    """Median ms from spawn to the go-plugin handshake line on stdout (binary spawned directly).
    tls=False leaves out PLUGIN_CLIENT_CERT (no AutoMTLS): isolates the cost of the TLS setup."""
    p = PROVIDERS[prov]
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS=p["proto"],
               PLUGIN_CLIENT_CERT=client_cert(), PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    env.pop("TF_LOG", None)
    if not tls:
        env.pop("PLUGIN_CLIENT_CERT")
    times, line = [], ""
    for i in range(runs + 1):  # first run warms the page cache, not counted
        t0 = time.perf_counter()
        proc = subprocess.Popen([p["bin"]], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        line = proc.stdout.readline().decode(errors="replace").strip()
        dt = (time.perf_counter() - t0) * 1000
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if not line.startswith("1|"):
            raise SystemExit("%s: bad handshake line %r" % (prov, line))
        if i:
            times.append(dt)
    parts = line.split("|")
    return {"median_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2),
            "max_ms": round(max(times), 2), "runs": runs, "line": "|".join(parts[:5]) + "|<cert %d chars>" % len(parts[5] if len(parts) > 5 else "")}


# ---------------------------------------------------------------- one (provider, N) run
def start_moto(rundir):
    port = free_port()
    logf = open(os.path.join(rundir, "moto.log"), "w")
    proc = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    wait_up(url + "/moto-api/", "moto", proc)
    return proc, url


def start_proxy(rundir, upstream):
    """scripts/ec2proxy.py (fault injection off): GET /__stats, POST /__stats/reset."""
    logf = open(os.path.join(rundir, "proxy.log"), "w")
    # prints its port as the first stdout line
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "ec2proxy.py"), "--target", upstream, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=logf, stdin=subprocess.DEVNULL, start_new_session=True)
    port = int(proc.stdout.readline().strip())
    kind = "scripts/ec2proxy.py"
    url = "http://127.0.0.1:%d" % port
    wait_up(url + "/__stats", kind, proc)
    return proc, url, kind


def stats(proxy):
    s = json.loads(http(proxy + "/__stats"))
    return s["by_action"]


def make_network(moto, n):
    import boto3
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=moto, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    # moto builds its endpoint-service catalogue lazily: the first DescribeVpcEndpointServices on a
    # fresh server takes ~0.8 s (measured). Warm it up here (straight to moto, not counted), so
    # that a moto cold start is not billed to whichever provider calls it first.
    ec2.describe_vpc_endpoint_services(ServiceNames=["com.amazonaws.%s.s3" % REGION])
    ec2.describe_prefix_lists()
    vpcs, rtbs = [], []
    for i in range(n):
        v = ec2.create_vpc(CidrBlock="10.%d.%d.0/24" % (i // 256, i % 256))["Vpc"]["VpcId"]
        r = ec2.create_route_table(VpcId=v)["RouteTable"]["RouteTableId"]
        vpcs.append(v)
        rtbs.append(r)
    return ec2, vpcs, rtbs


def live_endpoints(ec2):
    out = []
    for page in ec2.get_paginator("describe_vpc_endpoints").paginate():
        out += [e for e in page["VpcEndpoints"] if e["State"].lower() != "deleted"]
    return out


def write_config(prov, rundir, proxy, wrapdir):
    common_vars = """
variable "vpcs" { type = list(string) }
variable "rtbs" { type = list(string) }
variable "round" {
  type    = string
  default = "1"
}
"""
    if prov == "ours":
        body = """terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}

provider "vpce" {
  region = "%s"
  endpoints {
    ec2 = "%s"
  }
}
%s
resource "vpce_gateway" "bench" {
  count           = length(var.vpcs)
  vpc_id          = var.vpcs[count.index]
  service_name    = "com.amazonaws.%s.s3"
  route_table_ids = [var.rtbs[count.index]]
  tags = {
    Name  = "bench-${count.index}"
    Round = var.round
  }
}
""" % (REGION, proxy, common_vars, REGION)
    else:
        body = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "%s"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_get_ec2_platforms      = true
  endpoints {
    ec2 = "%s"
    sts = "%s"
  }
}
%s
resource "aws_vpc_endpoint" "bench" {
  count             = length(var.vpcs)
  vpc_id            = var.vpcs[count.index]
  service_name      = "com.amazonaws.%s.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [var.rtbs[count.index]]
  tags = {
    Name  = "bench-${count.index}"
    Round = var.round
  }
}
""" % (REGION, proxy, proxy, common_vars, REGION)
    with open(os.path.join(rundir, "main.tf"), "w") as f:
        f.write(body)
    with open(os.path.join(rundir, "cli.tfrc"), "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    "%s" = "%s"\n  }\n  direct {}\n}\n'
                % (PROVIDERS[prov]["source"], wrapdir))


def make_wrapper(prov, rundir):
    """dev_overrides points at this dir: a wrapper named like the provider that execs the real binary
    under GNU time (max RSS in KiB to rss/<pid>). stdout/stderr pass through untouched."""
    wrapdir = os.path.join(rundir, "wrap")
    rssdir = os.path.join(rundir, "rss")
    os.makedirs(wrapdir, exist_ok=True)
    os.makedirs(rssdir, exist_ok=True)
    w = os.path.join(wrapdir, PROVIDERS[prov]["wrapname"])
    with open(w, "w") as f:
        f.write('#!/bin/sh\nexec /usr/bin/time -f "%%M" -o "%s/$$" "%s" "$@"\n' % (rssdir, PROVIDERS[prov]["bin"]))
    os.chmod(w, 0o755)
    return wrapdir, rssdir


def collect_rss(rssdir):
    vals = []
    for name in os.listdir(rssdir):
        p = os.path.join(rssdir, name)
        for line in reversed(open(p).read().split("\n")):
            if line.strip().isdigit():
                vals.append(int(line.strip()))
                break
        os.remove(p)
    return vals


def tf_phase(prov, rundir, rssdir, proxy, phase, n, tf_log):
    args = {
        "apply": ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "round=1"],
        "plan": ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-var", "round=1"],
        "update": ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "round=2"],
        "destroy": ["destroy", "-auto-approve", "-input=false", "-no-color", "-var", "round=2"],
    }[phase]
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(rundir, "cli.tfrc"), TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", TF_INPUT="0", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_EC2_METADATA_DISABLED="true", AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
    env.pop("TF_LOG", None)
    env.pop("TF_LOG_PATH", None)
    if tf_log:
        env["TF_LOG"] = tf_log
        env["TF_LOG_PATH"] = os.path.join(rundir, "%s.tflog" % phase)
    collect_rss(rssdir)
    http(proxy + "/__stats/reset", "POST")
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with open(os.path.join(rundir, "%s.out" % phase), "w") as out:
        proc = subprocess.run([os.path.join(ROOT, "scripts", "tf")] + args, cwd=rundir, env=env, stdout=out,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=1800)
    wall = time.perf_counter() - t0
    acts = stats(proxy)
    rss = collect_rss(rssdir)
    want = {"plan": 0}.get(phase, 0)
    ok = proc.returncode == want
    res = {"wall_s": round(wall, 3), "exit": proc.returncode, "ok": ok, "requests": sum(acts.values()),
           "actions": dict(sorted(acts.items(), key=lambda kv: -kv[1])),
           "rss_kib_max": max(rss) if rss else None, "provider_processes": len(rss),
           "loadavg_before": round(load0, 2), "loadavg_after": round(os.getloadavg()[0], 2)}
    log("%s N=%d %-7s %7.2fs exit=%d requests=%d rss=%s MiB procs=%d" % (
        prov, n, phase, wall, proc.returncode, res["requests"],
        "%.1f" % (res["rss_kib_max"] / 1024) if rss else "?", len(rss)))
    if not ok:
        tail = open(os.path.join(rundir, "%s.out" % phase)).read()[-3000:]
        log("phase %s failed (exit %d); tail of output:\n%s" % (phase, proc.returncode, tail))
    return res


def run_one(prov, n, tf_log):
    rundir = os.path.join(WORK, "run-%s-%d" % (prov, n))
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    moto = proxy = None
    try:
        moto, moto_url = start_moto(rundir)
        proxy, proxy_url, kind = start_proxy(rundir, moto_url)
        log("%s N=%d: moto %s, proxy %s (%s)" % (prov, n, moto_url, proxy_url, kind))
        ec2, vpcs, rtbs = make_network(moto_url, n)
        with open(os.path.join(rundir, "terraform.tfvars.json"), "w") as f:
            json.dump({"vpcs": vpcs, "rtbs": rtbs}, f)
        wrapdir, rssdir = make_wrapper(prov, rundir)
        write_config(prov, rundir, proxy_url, wrapdir)
        result = {"provider": prov, "n": n, "proxy": kind, "date": datetime.datetime.now().isoformat(timespec="seconds"),
                  "phases": {}, "checks": {}}
        for phase in PHASES:
            r = tf_phase(prov, rundir, rssdir, proxy_url, phase, n, tf_log)
            result["phases"][phase] = r
            # what Terraform did, checked straight in moto
            eps = live_endpoints(ec2)
            if phase in ("apply", "update"):
                want_round = "1" if phase == "apply" else "2"
                good = [e for e in eps if {t["Key"]: t["Value"] for t in e.get("Tags", [])}.get("Round") == want_round]
                result["checks"][phase] = "%d/%d endpoints, %d with Round=%s" % (len(eps), n, len(good), want_round)
                r["ok"] = r["ok"] and len(eps) == n and len(good) == n
            elif phase == "destroy":
                result["checks"][phase] = "%d live endpoints left" % len(eps)
                r["ok"] = r["ok"] and not eps
            if not r["ok"] and phase in ("apply",):
                break
        os.makedirs(RESULTS, exist_ok=True)
        with open(os.path.join(RESULTS, "%s-%d.json" % (prov, n)), "w") as f:
            json.dump(result, f, indent=1)
        return result
    finally:
        stop(proxy)
        stop(moto)


def merge(runs):
    """Several full cycles of one (provider, N): per phase the median-wall run's figures, plus all walls."""
    if len(runs) == 1:
        return runs[0]
    out = dict(runs[0], phases={}, repeats=len(runs))
    for phase in PHASES:
        ps = [r["phases"][phase] for r in runs if phase in r["phases"]]
        if not ps:
            continue
        ps_sorted = sorted(ps, key=lambda p: p["wall_s"])
        med = dict(ps_sorted[(len(ps_sorted) - 1) // 2])
        med["wall_all"] = [p["wall_s"] for p in ps]
        med["requests_all"] = [p["requests"] for p in ps]
        med["ok"] = all(p["ok"] for p in ps)
        med["rss_kib_max"] = max((p["rss_kib_max"] or 0) for p in ps) or None
        out["phases"][phase] = med
    with open(os.path.join(RESULTS, "%s-%d.json" % (out["provider"], out["n"])), "w") as f:
        json.dump(out, f, indent=1)
    return out


# ---------------------------------------------------------------- report
def machine_info():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    tfv = subprocess.run([os.path.join(ROOT, "scripts", "tf"), "version"], capture_output=True, text=True).stdout.split("\n")[0]
    try:
        moto_v = subprocess.run([os.path.join(ROOT, ".venv", "bin", "python"), "-c", "import moto;print(moto.__version__)"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        moto_v = "?"
    return {"host": platform.node(), "kernel": platform.release(), "cpu": cpu, "cores": os.cpu_count(), "mem": mem,
            "terraform": tfv, "moto": moto_v, "python": platform.python_version()}


def fmt_s(v):
    return "—" if v is None else ("%.2f s" % v if v < 100 else "%.0f s" % v)


def render(hs):
    files = sorted(os.listdir(RESULTS)) if os.path.isdir(RESULTS) else []
    res = {}
    for f in files:
        if f.endswith(".json") and f != "handshake.json":
            r = json.load(open(os.path.join(RESULTS, f)))
            res[(r["provider"], r["n"])] = r
    ns = sorted({n for (_, n) in res})
    mi = machine_info()
    L = []
    L.append("# Benchmark: vpce_gateway (ours) vs hashicorp/aws 3.39.0 aws_vpc_endpoint\n")
    L.append("Generated by `bench/run.sh` on %s (UTC %s).\n" % (
        datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M")))
    L.append("Machine: %s, %s cores, %s RAM, Linux %s; %s; moto %s behind a counting proxy "
             "(both loopback, moto single process). Gateway endpoints for S3, one per VPC/route table, "
             "Terraform default parallelism (10).\n" % (mi["cpu"], mi["cores"], mi["mem"], mi["kernel"], mi["terraform"], mi["moto"]))
    L.append("Phases: `apply` (create N), no-op `plan -detailed-exitcode`, `update` (apply changing one tag on all N), "
             "`destroy`. Wall time is the whole terraform command (refresh + plan + apply). RSS is the max resident set "
             "of any provider process Terraform started during the phase (GNU time %M via a dev_overrides wrapper). "
             "Requests = EC2/STS API calls seen by the proxy.\n")
    L.append("| metric | N | aws 3.39.0 | vpce (ours) | ratio aws/ours |")
    L.append("|---|---:|---:|---:|---:|")
    h_a, h_o = hs.get("aws"), hs.get("ours")

    def ratio(a, o):
        if a is None or o is None or o == 0:
            return "—"
        return "%.1fx" % (a / o)
    L.append("| handshake latency (median of %d) | — | %s | %s | %s |" % (
        (h_o or h_a or {}).get("runs", 0),
        "%.1f ms" % h_a["median_ms"] if h_a else "—", "%.1f ms" % h_o["median_ms"] if h_o else "—",
        ratio(h_a and h_a["median_ms"], h_o and h_o["median_ms"])))
    for n in ns:
        a, o = res.get(("aws", n)), res.get(("ours", n))
        for phase in PHASES:
            ga = a and a["phases"].get(phase)
            go = o and o["phases"].get(phase)
            def cell(g, key, f):
                if not g:
                    return "—"
                s = f(g[key])
                return s if g["ok"] else s + " (FAILED exit %s)" % g["exit"]
            L.append("| %s wall time | %d | %s | %s | %s |" % (phase, n, cell(ga, "wall_s", fmt_s), cell(go, "wall_s", fmt_s),
                                                              ratio(ga and ga["wall_s"], go and go["wall_s"])))
        for phase in PHASES:
            ga = a and a["phases"].get(phase)
            go = o and o["phases"].get(phase)
            L.append("| %s EC2 requests | %d | %s | %s | %s |" % (phase, n, ga["requests"] if ga else "—",
                                                                 go["requests"] if go else "—",
                                                                 ratio(ga and ga["requests"], go and go["requests"])))
        def peak(r):
            if not r:
                return None
            v = [p["rss_kib_max"] for p in r["phases"].values() if p.get("rss_kib_max")]
            return max(v) / 1024 if v else None
        pa, po = peak(a), peak(o)
        L.append("| provider peak RSS (all phases) | %d | %s | %s | %s |" % (
            n, "%.1f MiB" % pa if pa else "—", "%.1f MiB" % po if po else "—", ratio(pa, po)))
    # goals
    L.append("\n## Goals (ours)\n")
    L.append("| goal | N | measured | result |")
    L.append("|---|---:|---|---|")
    if h_o:
        L.append("| handshake < 10 ms | — | %.1f ms | %s |" % (h_o["median_ms"], "PASS" if h_o["median_ms"] < 10 else "FAIL"))
    for n in ns:
        a, o = res.get(("aws", n)), res.get(("ours", n))
        if not o:
            continue
        for phase in ("apply", "destroy"):
            go = o["phases"].get(phase)
            ga = a and a["phases"].get(phase)
            if not go:
                continue
            if ga:
                r = ga["wall_s"] / go["wall_s"] if go["wall_s"] else 0
                verdict = "PASS" if (r >= 10 and go["ok"]) else "FAIL"
                L.append("| %s wall >= 10x faster than aws | %d | %.2f s vs %.2f s = %.1fx | %s |" % (
                    phase, n, go["wall_s"], ga["wall_s"], r, verdict))
            elif n == 100:
                r = PEER[phase] / go["wall_s"]
                L.append("| %s wall >= 10x faster than aws (peer figure %.0f s) | %d | %.2f s = %.1fx | %s |" % (
                    phase, PEER[phase], n, go["wall_s"], r, "PASS" if r >= 10 and go["ok"] else "FAIL"))
        gp = o["phases"].get("plan")
        if gp:
            L.append("| no-op plan <= 1 EC2 request per endpoint | %d | %d requests (%.2f/endpoint) | %s |" % (
                n, gp["requests"], gp["requests"] / n, "PASS" if gp["requests"] <= n and gp["ok"] else "FAIL"))
        v = [p["rss_kib_max"] for p in o["phases"].values() if p.get("rss_kib_max")]
        if v:
            L.append("| provider RSS < 20 MiB | %d | %.1f MiB | %s |" % (n, max(v) / 1024, "PASS" if max(v) < 20 * 1024 else "FAIL"))
    L.append("\nReading the numbers: moto serves EC2 calls one at a time at ~7-9 ms each on this machine "
             "(measured straight to moto), so our wall times are about Terraform's floor (0.4-0.6 s per command, "
             "including 3-5 provider launches) plus requests x ~7 ms: the request count is what moves them. The aws "
             "provider's create/delete times are its waiters' sleeps (~5 s per endpoint, 10 in parallel). The "
             "counting proxy adds ~1-3 ms per request. Load average per phase is in the detail tables: other "
             "processes on the 2 cores slow ours (CPU-bound) more than aws (sleep-bound).\n")
    if len({r["proxy"] for r in res.values()}) > 1:
        L.append("Proxies: runs measured at different times used different counting proxies (named per run below); "
                 "both forward to moto with TCP_NODELAY and count every EC2 call the same way.\n")
    L.append("\n## Per phase detail\n")
    for (prov, n), r in sorted(res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        L.append("**%s, N=%d** (run %s, proxy %s%s)\n" % (PROVIDERS[prov]["label"], n, r["date"], r["proxy"],
                 ", median of %d full cycles; all walls: %s" % (r["repeats"], "; ".join(
                     "%s %s" % (ph, "/".join("%.2f" % w for w in r["phases"][ph]["wall_all"]))
                     for ph in PHASES if ph in r["phases"])) if r.get("repeats") else ""))
        L.append("| phase | wall | exit | requests | by Action | peak RSS | provider procs | load before/after | check |")
        L.append("|---|---:|---:|---:|---|---:|---:|---|---|")
        for phase in PHASES:
            p = r["phases"].get(phase)
            if not p:
                continue
            acts = ", ".join("%s %d" % kv for kv in p["actions"].items())
            L.append("| %s | %s | %d | %d | %s | %s | %d | %s / %s | %s |" % (
                phase, fmt_s(p["wall_s"]), p["exit"], p["requests"], acts or "—",
                "%.1f MiB" % (p["rss_kib_max"] / 1024) if p["rss_kib_max"] else "—", p["provider_processes"],
                p["loadavg_before"], p["loadavg_after"], r["checks"].get(phase, "")))
        L.append("")
    if hs:
        L.append("Handshake: each binary spawned directly with the go-plugin environment (magic cookie, "
                 "PLUGIN_PROTOCOL_VERSIONS, a P-521 PLUGIN_CLIENT_CERT), time until the handshake line on stdout; "
                 "one warm-up run not counted.\n")
        for prov, h in sorted(hs.items()):
            nt = h.get("no_tls")
            L.append("- %s: median %.2f ms, min %.2f, max %.2f over %d runs (load average %s); line `%s`%s" % (
                PROVIDERS[prov]["label"], h["median_ms"], h["min_ms"], h["max_ms"], h["runs"], h.get("loadavg", "?"),
                h["line"], "; without PLUGIN_CLIENT_CERT (no TLS): median %.2f ms, min %.2f" % (
                    nt["median_ms"], nt["min_ms"]) if nt else ""))
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", default="10,100")
    ap.add_argument("--only", choices=["ours", "aws", "both"], default="both")
    ap.add_argument("--hs-runs", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3, help="full cycles per N for ours (median wall time reported)")
    ap.add_argument("--repeat-aws", type=int, default=1, help="full cycles per N for aws (slow: ~2 min at N=100)")
    ap.add_argument("--tf-log", default="", help="e.g. debug: TF_LOG for terraform (logs in the run dir)")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"))
    a = ap.parse_args()
    provs = ["aws", "ours"] if a.only == "both" else [a.only]
    ns = [int(x) for x in a.n.split(",") if x.strip()]
    os.makedirs(RESULTS, exist_ok=True)
    hsf = os.path.join(RESULTS, "handshake.json")
    hs = json.load(open(hsf)) if os.path.exists(hsf) else {}
    if not a.report_only:
        for prov in provs:
            hs[prov] = handshake(prov, a.hs_runs)
            hs[prov]["no_tls"] = handshake(prov, a.hs_runs, tls=False)
            hs[prov]["loadavg"] = round(os.getloadavg()[0], 2)
            log("handshake %s: median %.2f ms (without PLUGIN_CLIENT_CERT: %.2f ms), load %.2f" % (
                prov, hs[prov]["median_ms"], hs[prov]["no_tls"]["median_ms"], hs[prov]["loadavg"]))
        with open(hsf, "w") as f:
            json.dump(hs, f, indent=1)
        for n in ns:
            for prov in provs:
                k = a.repeat if prov == "ours" else a.repeat_aws
                merge([run_one(prov, n, a.tf_log) for _ in range(max(1, k))])
                with open(a.out, "w") as f:
                    f.write(render(hs))
    with open(a.out, "w") as f:
        f.write(render(hs))
    log("wrote %s" % a.out)
    print(open(a.out).read())


if __name__ == "__main__":
    main()
