#!/usr/bin/env bash
terraform import vpce_subnet_association.private vpce-0123456789abcdef0/subnet-0123456789abcdef0
