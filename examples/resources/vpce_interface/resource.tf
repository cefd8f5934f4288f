# AWS Systems Manager over PrivateLink with private DNS: instances reach ssm.us-east-1.amazonaws.com
# through the endpoint's network interfaces, without a NAT gateway.
resource "vpce_interface" "ssm" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.us-east-1.ssm"
  subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_b.id] # one per AZ
  security_group_ids  = [aws_security_group.endpoints.id]                  # [] = the VPC's default group
  private_dns_enabled = true

  tags = {
    Name = "ssm"
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true # both needed for private DNS
  enable_dns_hostnames = true
}

# A restrictive endpoint policy and DNS options.
resource "vpce_interface" "secretsmanager" {
  vpc_id              = "vpc-0123456789abcdef0"
  service_name        = "secretsmanager" # com.amazonaws.<provider region>.secretsmanager
  subnet_ids          = ["subnet-0123456789abcdef0"]
  private_dns_enabled = true
  ip_address_type     = "ipv4"

  dns_options {
    dns_record_ip_type = "ipv4"
  }

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["secretsmanager:GetSecretValue"]
      Resource  = "*"
    }]
  })

  timeouts {
    create = "15m"
  }
}

# A partner or own service without private DNS.
resource "vpce_interface" "partner" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnet_ids   = ["subnet-0123456789abcdef0"]
  # Endpoints of services that require acceptance stay `pendingAcceptance` until the
  # service owner accepts them; for a service of this account, auto_accept does it.
  auto_accept = true
}

# Static addresses for the network interfaces (one block per subnet of subnet_ids).
resource "vpce_interface" "static" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.us-east-1.sts"
  subnet_ids   = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]

  subnet_configuration {
    subnet_id = "subnet-0123456789abcdef0"
    ipv4      = "10.0.1.10"
  }

  subnet_configuration {
    subnet_id = "subnet-0fedcba9876543210"
    ipv4      = "10.0.2.10"
  }
}

# Cross-region PrivateLink: a service in us-west-2 that offers itself to this region.
resource "vpce_interface" "cross_region" {
  vpc_id         = "vpc-0123456789abcdef0"
  service_name   = "com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0"
  service_region = "us-west-2"
  subnet_ids     = ["subnet-0123456789abcdef0"]
}

output "partner_dns_name" {
  value = vpce_interface.partner.dns_entry[0].dns_name
}
