#!/usr/bin/env bash
terraform import vpce_interface.ssm vpce-0123456789abcdef0
