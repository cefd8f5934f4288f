#!/usr/bin/env bash
# Local moto server (EC2 API mock) for the tests: scripts/moto_server.py, moto with its VPC-endpoint
# gaps closed to behave as EC2 documents.
#   scripts/moto.sh start   start on 127.0.0.1 (port $MOTO_PORT or 5555; next free
#                           port if that one is taken); no-op if already running
#   scripts/moto.sh stop    stop it
#   scripts/moto.sh url     print http://127.0.0.1:PORT (exit 1 if not running)
#   scripts/moto.sh reset   POST /moto-api/reset (wipe all state)
#   scripts/moto.sh status  exit 0 if running
# State: .tmp/moto.pid, .tmp/moto.port, log in .tmp/moto.log
#
# Endpoint quotas: moto_server.py enforces EC2's defaults (50 interface endpoints per VPC, 20 gateway
# endpoints per Region). One emulator started here serves every test binary in turn, like one account
# running all the tests at once and keeping what a failed test left, so it starts with the quotas raised
# (as an account can have them raised) unless VPCE_EMU_INTERFACE_ENDPOINTS_PER_VPC /
# VPCE_EMU_GATEWAY_ENDPOINTS_PER_REGION are set; tests of the quotas set them with
# POST /__emulator/limits (tests/emulator/test_ec2_rejections.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$ROOT/.tmp"
PIDF="$TMP/moto.pid"; PORTF="$TMP/moto.port"; LOG="$TMP/moto.log"
PY="$ROOT/.venv/bin/python"
mkdir -p "$TMP"

running() {
  [ -f "$PIDF" ] && [ -f "$PORTF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null
}

answers() { # $1=port
  "$PY" - "$1" <<'PYEOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PYEOF
}

free_port() { # $1=preferred port; prints a free one
  "$PY" - "$1" <<'PYEOF'
import socket, sys
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
p = int(sys.argv[1])
for cand in range(p, p + 50):
    if free(cand):
        print(cand); sys.exit(0)
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PYEOF
}

case "${1:-}" in
  start)
    if running && answers "$(cat "$PORTF")"; then exit 0; fi
    if running; then kill "$(cat "$PIDF")" 2>/dev/null || true; fi
    rm -f "$PIDF" "$PORTF"
    [ -x "$ROOT/.venv/bin/moto_server" ] || { echo "moto.sh: run scripts/setup.sh first" >&2; exit 1; }
    port="$(free_port "${MOTO_PORT:-5555}")"
    # setsid: own process group, so Ctrl-C in the caller's terminal doesn't hit it
    VPCE_EMU_INTERFACE_ENDPOINTS_PER_VPC="${VPCE_EMU_INTERFACE_ENDPOINTS_PER_VPC:-10000}" \
    VPCE_EMU_GATEWAY_ENDPOINTS_PER_REGION="${VPCE_EMU_GATEWAY_ENDPOINTS_PER_REGION:-10000}" \
    setsid "$PY" "$ROOT/scripts/moto_server.py" -H 127.0.0.1 -p "$port" >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDF"; echo "$port" >"$PORTF"
    for _ in $(seq 1 80); do   # ~20 s
      if answers "$port"; then echo "moto.sh: moto up at http://127.0.0.1:$port (pid $(cat "$PIDF"))" >&2; exit 0; fi
      kill -0 "$(cat "$PIDF")" 2>/dev/null || break
      sleep 0.25
    done
    echo "moto.sh: moto failed to start; log:" >&2; tail -20 "$LOG" >&2
    kill "$(cat "$PIDF")" 2>/dev/null || true; rm -f "$PIDF" "$PORTF"; exit 1
    ;;
  stop)
    if [ -f "$PIDF" ]; then
      pid="$(cat "$PIDF")"
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$PIDF" "$PORTF"
    ;;
  url)
    running || { echo "moto.sh: not running" >&2; exit 1; }
    echo "http://127.0.0.1:$(cat "$PORTF")"
    ;;
  reset)
    running || { echo "moto.sh: not running" >&2; exit 1; }
    "$PY" -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1]+"/moto-api/reset", method="POST"), timeout=5)' "http://127.0.0.1:$(cat "$PORTF")"
    ;;
  status)
    running && answers "$(cat "$PORTF")"
    ;;
  *) echo "usage: $0 start|stop|url|reset|status" >&2; exit 2 ;;
esac
