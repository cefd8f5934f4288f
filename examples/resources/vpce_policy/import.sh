#!/usr/bin/env bash
terraform import vpce_policy.s3 vpce-0123456789abcdef0
