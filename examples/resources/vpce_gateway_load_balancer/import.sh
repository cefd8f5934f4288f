#!/usr/bin/env bash
terraform import vpce_gateway_load_balancer.inspection vpce-0123456789abcdef0
