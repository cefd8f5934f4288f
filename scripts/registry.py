#!/usr/bin/env python3
"""A minimal Terraform provider registry (provider registry protocol v1) over HTTPS, for tests.

    python3 scripts/registry.py --dist DIR --cert server.pem --key server.key \
        --public-key signing.asc [--namespace vpce] [--type vpce] [--port 0] [--port-file F]

Serves what `terraform init` asks a registry host for, from a directory made by scripts/package.sh
(terraform-provider-{type}_{version}_{os}_{arch}.zip, _SHA256SUMS, _SHA256SUMS.sig, _manifest.json):

  GET /.well-known/terraform.json                         {"providers.v1": "/v1/providers/"}
  GET /v1/providers/{ns}/{type}/versions                  versions, protocols, platforms
  GET /v1/providers/{ns}/{type}/{version}/download/{os}/{arch}
        download_url, shasums_url, shasums_signature_url, shasum, filename, protocols,
        signing_keys.gpg_public_keys[{key_id, ascii_armor}]
  GET /files/{name}                                       the files themselves

`protocols` comes from the manifest, `shasum` from the SHA256SUMS file (as a real registry records
them at publish time): a test that tampers with a file after packaging sees Terraform's own checks.
Binds 127.0.0.1; the provider source is localhost:PORT/{ns}/{type} (the certificate must name
localhost). Prints "registry: listening on https://localhost:PORT" on stderr and writes PORT to
--port-file. Every request is logged on stderr. Stops on SIGTERM/SIGINT.
"""
import argparse
import glob
import http.server
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading


def load(dist, ptype):
    """{version: {"platforms": {(os, arch): filename}, "protocols": [...], "sums": {file: sha}}}"""
    versions = {}
    for path in glob.glob(os.path.join(dist, f"terraform-provider-{ptype}_*_*_*.zip")):
        m = re.fullmatch(rf"terraform-provider-{re.escape(ptype)}_([^_]+)_([a-z0-9]+)_([a-z0-9]+)\.zip", os.path.basename(path))
        if not m:
            continue
        version, os_, arch = m.groups()
        versions.setdefault(version, {"platforms": {}})["platforms"][(os_, arch)] = os.path.basename(path)
    for version, v in versions.items():
        prefix = os.path.join(dist, f"terraform-provider-{ptype}_{version}")
        with open(prefix + "_manifest.json") as f:
            v["protocols"] = json.load(f)["metadata"]["protocol_versions"]
        v["sums"] = {}
        with open(prefix + "_SHA256SUMS") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    v["sums"][parts[1].lstrip("*")] = parts[0]
    return versions


def key_id(public_key_file):
    """The long key id (16 hex digits) of the primary key in an armored public key."""
    out = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--import-options", "show-only", "--import", public_key_file],
        check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        f = line.split(":")
        if f[0] == "pub":
            return f[4].upper()
    raise SystemExit(f"registry: no public key in {public_key_file}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--public-key", required=True, help="ASCII-armored GPG public key that signed SHA256SUMS")
    ap.add_argument("--namespace", default="vpce")
    ap.add_argument("--type", default="vpce")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--download-protocols", help="comma separated: announce these in download responses "
                    "instead of the manifest's (to test Terraform's own check of that field)")
    args = ap.parse_args()

    dist = os.path.abspath(args.dist)
    with open(args.public_key) as f:
        armor = f.read()
    kid = key_id(args.public_key)
    ns, ptype = args.namespace, args.type
    base = {"url": ""}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            sys.stderr.write("registry: %s\n" % (fmt % a))

        def send(self, code, body, ctype="application/json"):
            if not isinstance(body, bytes):
                body = json.dumps(body, indent=1).encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/.well-known/terraform.json":
                return self.send(200, {"providers.v1": "/v1/providers/"})
            prefix = f"/v1/providers/{ns}/{ptype}/"
            if path.startswith("/files/"):
                name = os.path.basename(path)
                full = os.path.join(dist, name)
                if not os.path.isfile(full):
                    return self.send(404, {"errors": ["not found"]})
                with open(full, "rb") as f:
                    return self.send(200, f.read(), "application/octet-stream")
            if not path.startswith(prefix):
                return self.send(404, {"errors": ["not found"]})
            rest = path[len(prefix):].strip("/").split("/")
            versions = load(dist, ptype)  # read per request: tests may change the files
            if rest == ["versions"]:
                return self.send(200, {"versions": [
                    {"version": v, "protocols": d["protocols"],
                     "platforms": [{"os": o, "arch": a} for (o, a) in sorted(d["platforms"])]}
                    for v, d in sorted(versions.items())
                ]})
            if len(rest) == 4 and rest[1] == "download":
                version, _, os_, arch = rest
                d = versions.get(version)
                filename = d and d["platforms"].get((os_, arch))
                if not filename:
                    return self.send(404, {"errors": [f"no package for {version} {os_}_{arch}"]})
                sums = f"terraform-provider-{ptype}_{version}_SHA256SUMS"
                protocols = d["protocols"]
                if args.download_protocols:
                    protocols = [p for p in args.download_protocols.split(",") if p]
                return self.send(200, {
                    "protocols": protocols,
                    "os": os_,
                    "arch": arch,
                    "filename": filename,
                    "download_url": f"{base['url']}/files/{filename}",
                    "shasums_url": f"{base['url']}/files/{sums}",
                    "shasums_signature_url": f"{base['url']}/files/{sums}.sig",
                    "shasum": d["sums"].get(filename, ""),
                    "signing_keys": {"gpg_public_keys": [{
                        "key_id": kid,
                        "ascii_armor": armor,
                        "trust_signature": "",
                        "source": "vpce test registry",
                        "source_url": None,
                    }]},
                })
            return self.send(404, {"errors": ["not found"]})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    base["url"] = f"https://localhost:{port}"
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"registry: listening on {base['url']} (provider source localhost:{port}/{ns}/{ptype}, key {kid})", file=sys.stderr, flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
