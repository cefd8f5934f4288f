#!/usr/bin/env bash
terraform import vpce_connection_accepter.partner vpce-svc-0123456789abcdef0_vpce-0fedcba9876543210
