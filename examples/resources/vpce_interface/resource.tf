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
  # service owner accepts them; the resource does not wait for that.
}

output "partner_dns_name" {
  value = vpce_interface.partner.dns_entry[0].dns_name
}
