#!/usr/bin/env bash
terraform import vpce_service_network.main vpce-0123456789abcdef0
