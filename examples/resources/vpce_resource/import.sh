#!/usr/bin/env bash
terraform import vpce_resource.db vpce-0123456789abcdef0
