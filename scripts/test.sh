#!/usr/bin/env bash
# Full test run: tooling setup, fmt and clippy gates, local moto (EC2 mock), then cargo test.
#   bash scripts/test.sh                 # what .ci/run does
#   bash scripts/test.sh -- some_filter  # extra args go to the test binary
#   VPCE_SKIP_CARGO=1 bash scripts/test.sh   # only check setup + moto (tooling smoke test)
#   VPCE_SKIP_GATES=1 bash scripts/test.sh   # no fmt/clippy gates (local iterations)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mkdir -p .tmp
# The tooling (moto, embedded Terraform) installs while the hygiene gates run.
bash scripts/setup.sh > .tmp/setup.log 2>&1 &
setup=$!
# Hygiene gates: formatting (rustfmt.toml) and clippy with warnings as errors, whole workspace.
# VPCE_SKIP_GATES=1 skips them (quick local iterations; CI never sets it).
if [ "${VPCE_SKIP_GATES:-}" != "1" ] && [ "${VPCE_SKIP_CARGO:-}" != "1" ]; then
  echo "test.sh: cargo fmt --all --check" >&2
  cargo fmt --all --check
  echo "test.sh: cargo clippy --release --workspace --all-targets -- -D warnings" >&2
  cargo clippy --release --workspace --all-targets -- -D warnings
fi
if ! wait "$setup"; then
  cat .tmp/setup.log >&2
  echo "test.sh: installing the tooling failed (scripts/setup.sh, log above)" >&2
  exit 1
fi

cleanup() { bash "$ROOT/scripts/moto.sh" stop || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash scripts/moto.sh start

MOTO_URL="$(bash scripts/moto.sh url)"
export MOTO_URL
export VPCE_TF="$ROOT/scripts/tf"
# dummy credentials/region for the provider and any AWS SDK talking to moto
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
# no network: stop terraform from calling the HashiCorp checkpoint service
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1

echo "test.sh: MOTO_URL=$MOTO_URL VPCE_TF=$VPCE_TF terraform=$("$VPCE_TF" --which)" >&2
"$VPCE_TF" version >&2

# The emulator itself: what EC2 rejects, scripts/moto_server.py rejects (boto3, a few seconds).
echo "test.sh: .venv/bin/python -m pytest tests/emulator" >&2
mkdir -p .tmp
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider tests/emulator 2>&1 | tee .tmp/pytest-emulator.log
emulator_rc=${PIPESTATUS[0]}
set -e
# (exit 5, no test collected, is a failure too: the tests would have gone missing)
[ "$emulator_rc" = 0 ] || echo "test.sh: the emulator tests failed (pytest exit $emulator_rc)" >&2

if [ "${VPCE_SKIP_CARGO:-}" = "1" ]; then
  echo "test.sh: VPCE_SKIP_CARGO=1, not running cargo test" >&2
  [ "$emulator_rc" = 0 ] || exit 1
  exit 0
fi

# The Rust tests (they read MOTO_URL and VPCE_TF from the environment).
args=()
if [ "${1:-}" = "--" ]; then shift; args=("$@"); fi
mkdir -p .tmp
cargo test --release --workspace --no-fail-fast -- --test-threads 2 "${args[@]}" 2>&1 | tee .tmp/cargo-test.log
# One closing line for the whole run (cargo prints one per test binary), the emulator's pytest
# counts ("1 failed, 13 passed in 3.1s") included.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     FILENAME ~ /pytest/ && / in [0-9.]+s/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed,?$/) p += $(i-1); if ($i ~ /^(failed|errors?),?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' .tmp/cargo-test.log .tmp/pytest-emulator.log
[ "$emulator_rc" = 0 ] || exit 1
