# An endpoint by ID.
data "vpce_endpoint" "by_id" {
  id = "vpce-0123456789abcdef0"
}

# The S3 gateway endpoint of a VPC, wherever it is managed.
data "vpce_endpoint" "s3" {
  vpc_id            = "vpc-0123456789abcdef0"
  service_name      = "s3" # com.amazonaws.<provider region>.s3
  vpc_endpoint_type = "Gateway"
}

# Route tables of another module join that endpoint.
resource "vpce_route_table_association" "private" {
  vpc_endpoint_id = data.vpce_endpoint.s3.id
  route_table_id  = aws_route_table.private.id
}

# By tags.
data "vpce_endpoint" "ssm" {
  tags = {
    Name = "ssm"
  }
}

# EC2's own filters, as in `aws ec2 describe-vpc-endpoints --filters` (wildcards * and ?), among
# given IDs.
data "vpce_endpoint" "web" {
  vpc_endpoint_ids = ["vpce-0123456789abcdef0", "vpce-0fedcba9876543210"]
  filter {
    name   = "tag:Name"
    values = ["web-*"]
  }
  filter {
    name   = "vpc-endpoint-state"
    values = ["available", "pendingAcceptance"]
  }
}
