# The endpoint, without policy: while a vpce_policy manages it, unset means "managed elsewhere".
resource "vpce_gateway" "s3" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "s3"
}

# In another module, next to the IAM rules.
resource "vpce_policy" "s3" {
  vpc_endpoint_id = vpce_gateway.s3.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:ListBucket"]
      Resource  = "*"
    }]
  })
}
