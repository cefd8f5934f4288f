# S3 with a restrictive policy. `s3` is short for com.amazonaws.<provider region>.s3; AWS adds a
# route for the S3 prefix list to each route table.
resource "vpce_gateway" "s3" {
  vpc_id          = "vpc-0123456789abcdef0"
  service_name    = "s3"
  route_table_ids = ["rtb-0123456789abcdef0", "rtb-0fedcba9876543210"]

  # Only reading from and writing to one bucket goes through this endpoint.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
      Resource  = ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]
    }]
  })

  tags = {
    Name = "s3"
  }

  timeouts {
    create = "10m"
    delete = "10m"
  }
}

# DynamoDB with the default (full access) policy.
resource "vpce_gateway" "dynamodb" {
  vpc_id          = "vpc-0123456789abcdef0"
  service_name    = "com.amazonaws.us-east-1.dynamodb"
  route_table_ids = ["rtb-0123456789abcdef0"]
}

# Allowing S3 in a security group through the prefix list (here with the AWS provider).
resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = aws_security_group.app.id
  prefix_list_id    = vpce_gateway.s3.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
