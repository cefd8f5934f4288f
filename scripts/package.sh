#!/usr/bin/env bash
# Packages provider binaries the way the Terraform and OpenTofu registries expect, and signs them.
# Used by scripts/release.sh (cross builds) and by the registry test (tests/registry.rs).
#
#   bash scripts/package.sh --version 0.1.0 --out dist linux_amd64=target/release/terraform-provider-vpce ...
#
# For each OS_ARCH=BINARY, writes into --out:
#   terraform-provider-vpce_{VERSION}_{OS}_{ARCH}.zip   the binary as terraform-provider-vpce_v{VERSION}
#                                                       (.exe on windows), mode 0755, fixed timestamp
# and once:
#   terraform-provider-vpce_{VERSION}_manifest.json     {"version":1,"metadata":{"protocol_versions":["6.0"]}}
#   terraform-provider-vpce_{VERSION}_SHA256SUMS        sha256 of every zip and the manifest
#   terraform-provider-vpce_{VERSION}_SHA256SUMS.sig    binary detached GPG signature of SHA256SUMS
# Options: --protocols LIST (default 6.0; comma separated, for the manifest), --no-sign.
# Signing: GPG_KEY_ID (id or fingerprint; else gpg's default key) in GNUPGHOME; a passphrase, if
# the key has one, from PASSPHRASE or GPG_PASSPHRASE (loopback pinentry).
# Zip timestamps: SOURCE_DATE_EPOCH, else 2020-01-01 (same input, same zip, same hashes).
set -euo pipefail
NAME=terraform-provider-vpce
VERSION=""
OUT=""
PROTOCOLS="6.0"
SIGN=1
pairs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --protocols) PROTOCOLS="$2"; shift 2 ;;
    --no-sign) SIGN=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *=*) pairs+=("$1"); shift ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$VERSION" ] && [ -n "$OUT" ] && [ "${#pairs[@]}" -gt 0 ] || {
  echo "usage: package.sh --version V --out DIR OS_ARCH=BINARY..." >&2; exit 2; }
PY="$(command -v python3 || command -v python)"
mkdir -p "$OUT"
rm -f "$OUT/${NAME}_${VERSION}"_*

"$PY" - "$NAME" "$VERSION" "$OUT" "$PROTOCOLS" "${pairs[@]}" <<'PYEOF'
import json, os, re, sys, time, zipfile
name, version, out, protocols, *pairs = sys.argv[1:]
epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 1577836800)  # 2020-01-01T00:00:00Z
stamp = time.gmtime(max(epoch, 315532800))[:6]                   # zip cannot go before 1980
for pair in pairs:
    platform, binary = pair.split("=", 1)
    if not re.fullmatch(r"[a-z0-9]+_[a-z0-9]+", platform):
        sys.exit(f"package.sh: bad platform {platform!r} (want os_arch, e.g. linux_amd64)")
    exe = f"{name}_v{version}" + (".exe" if platform.startswith("windows_") else "")
    with open(binary, "rb") as f:
        data = f.read()
    info = zipfile.ZipInfo(exe, date_time=stamp)
    info.create_system = 3                      # unix: keep the mode bits below
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    path = os.path.join(out, f"{name}_{version}_{platform}.zip")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(info, data, compresslevel=9)
    print(f"package.sh: {os.path.basename(path)} ({os.path.getsize(path)} bytes, binary {len(data)} bytes)", file=sys.stderr)
manifest = {"version": 1, "metadata": {"protocol_versions": [p.strip() for p in protocols.split(",") if p.strip()]}}
with open(os.path.join(out, f"{name}_{version}_manifest.json"), "w") as f:
    json.dump(manifest, f)
PYEOF

SUMS="${NAME}_${VERSION}_SHA256SUMS"
( cd "$OUT" && sha256sum "${NAME}_${VERSION}"_*.zip "${NAME}_${VERSION}_manifest.json" > "$SUMS" )
if [ "$SIGN" = 1 ]; then
  gpgargs=(--batch --yes --no-tty --detach-sign)
  [ -n "${GPG_KEY_ID:-}" ] && gpgargs+=(--local-user "$GPG_KEY_ID")
  pass="${PASSPHRASE:-${GPG_PASSPHRASE:-}}"
  if [ -n "$pass" ]; then
    gpg --pinentry-mode loopback --passphrase-fd 0 "${gpgargs[@]}" --output "$OUT/$SUMS.sig" "$OUT/$SUMS" <<< "$pass"
  else
    gpg "${gpgargs[@]}" --output "$OUT/$SUMS.sig" "$OUT/$SUMS"
  fi
  echo "package.sh: wrote $OUT/$SUMS and $SUMS.sig" >&2
else
  echo "package.sh: wrote $OUT/$SUMS (not signed)" >&2
fi
