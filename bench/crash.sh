#!/usr/bin/env bash
# Crash-safety soak (issue 13): tests/crash.rs::random_faults_60_endpoints N times with different
# seeds (60 endpoints through 60 % random faults; apply until success, then EC2 == state, no
# duplicate, empty plan, destroy). Writes bench/crash-results.md.
#   bash bench/crash.sh [RUNS] [FAULT_RATE]       # defaults: 4 runs, 0.6
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
runs="${1:-4}"; rate="${2:-0.6}"
bash scripts/setup.sh
bash scripts/moto.sh start
export MOTO_URL="$(bash scripts/moto.sh url)" VPCE_TF="$ROOT/scripts/tf" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
cargo test --release --test crash --no-run
out="$ROOT/bench/crash-results.md"
{
  echo "# Crash-safety soak: 60 endpoints through ${rate} random faults"
  echo
  echo "\`bash bench/crash.sh $runs $rate\` on $(nproc) cores, $(date -u +%Y-%m-%d), terraform: $("$VPCE_TF" version | head -1)."
  echo "Each run: apply until success (re-applying after failures), then EC2 == state, 60 endpoints,"
  echo "an empty plan, destroy until success, nothing left. A failed check fails the run."
  echo
  echo "| run | seed | result | apply tries | apply wall s | most orphans between tries | final orphans | duplicates | destroy tries | EC2 requests | faults | idempotent replays |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$out"
for i in $(seq 1 "$runs"); do
  log="$ROOT/.tmp/crash-run-$i.log"
  if CRASH_SEED="$i" CRASH_FAULT_RATE="$rate" cargo test --release --test crash -- --ignored --nocapture random_faults_60_endpoints >"$log" 2>&1; then
    line="$(grep -o 'CRASH-RESULT.*' "$log" | tail -1)"
    get() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    echo "| $i | $i | PASS | $(get applies) | $(get apply_wall_s) | $(get orphans_between_applies) | $(get final_orphans) | $(get duplicates) | $(get destroys) | $(get ec2_requests) | $(get faults) | $(get idempotent_replays) |" >> "$out"
  else
    echo "| $i | $i | FAIL (see .tmp/crash-run-$i.log) | | | | | | | | | |" >> "$out"
  fi
  echo "crash.sh: run $i done" >&2
done
cat "$out"
