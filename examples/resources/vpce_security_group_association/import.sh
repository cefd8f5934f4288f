#!/usr/bin/env bash
terraform import vpce_security_group_association.https vpce-0123456789abcdef0/sg-0123456789abcdef0
