#!/usr/bin/env bash
# A gateway endpoint is imported by its ID (vpce-...). Interface endpoints are imported as vpce_interface.
terraform import vpce_gateway.s3 vpce-0123456789abcdef0
