#!/usr/bin/env bash
# The main job on a fresh machine: build the provider, start the embedded EC2 emulator (moto),
# `terraform apply` examples/quickstart against it, and show the result.
#   bash scripts/run-example.sh            # apply, show, prove a second plan is empty, stop moto
#   KEEP_MOTO=1 bash scripts/run-example.sh  # leave moto running to keep playing in .tmp/example
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The Python tooling (moto, embedded Terraform) installs while cargo builds: a fresh clone spends
# most of its time in the build, the install is mostly download.
mkdir -p .tmp
bash scripts/setup.sh > .tmp/setup.log 2>&1 &
setup=$!
echo "==> building the provider (cargo build --release)" >&2
cargo build --release >&2
if ! wait "$setup"; then
  cat .tmp/setup.log >&2
  echo "run-example: installing the tooling failed (scripts/setup.sh, log above)" >&2
  exit 1
fi

if [ "${KEEP_MOTO:-}" != "1" ]; then
  trap 'bash "$ROOT/scripts/moto.sh" stop >/dev/null 2>&1 || true' EXIT
fi
bash scripts/moto.sh start
MOTO_URL="$(bash scripts/moto.sh url)"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

WORK="$ROOT/.tmp/example"
rm -rf "$WORK" && mkdir -p "$WORK"
cp examples/quickstart/main.tf "$WORK/"
echo "==> creating a VPC, subnets, route tables and a security group in the emulator ($MOTO_URL)" >&2
.venv/bin/python scripts/example-network.py "$MOTO_URL" > "$WORK/terraform.tfvars.json"
cat > "$WORK/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "vpce/vpce" = "$ROOT/target/release"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
TF="$ROOT/scripts/tf"
echo "==> terraform: $("$TF" --which)" >&2
cd "$WORK"
"$TF" apply -auto-approve -input=false
echo "==> terraform show" >&2
"$TF" show
echo "==> a second plan must find nothing to do" >&2
"$TF" plan -detailed-exitcode -input=false
echo "==> done. Working directory: $WORK" >&2
if [ "${KEEP_MOTO:-}" = "1" ]; then
  echo "moto still runs at $MOTO_URL; stop it with: bash scripts/moto.sh stop" >&2
fi
