#!/usr/bin/env bash
# An interface endpoint is imported by its ID (vpce-...). Gateway endpoints are imported as vpce_gateway.
terraform import vpce_interface.ssm vpce-0123456789abcdef0
