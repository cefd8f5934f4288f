#!/usr/bin/env bash
terraform import vpce_route_table_association.private vpce-0123456789abcdef0/rtb-0123456789abcdef0
