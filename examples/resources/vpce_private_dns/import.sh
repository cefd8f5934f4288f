#!/usr/bin/env bash
terraform import vpce_private_dns.api vpce-0123456789abcdef0
