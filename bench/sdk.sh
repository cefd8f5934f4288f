#!/usr/bin/env bash
# The cost of aws-sdk-ec2's (de)serialisation in the release build (opt-level 0 for aws-sdk-ec2,
# see Cargo.toml): one DescribeVpcEndpoints page of 1000 endpoints from a local server, 20 rounds.
#   bash bench/sdk.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo test --release --test foundation -- --ignored --nocapture sdk_decodes_a_page_of_1000_endpoints 2>&1 | grep -E '^sdk bench|test result|panicked'
