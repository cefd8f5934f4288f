terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}

provider "vpce" {
  region = "us-east-1"
}

variable "vpc_id" {
  type = string
}

variable "private_route_table_ids" {
  description = "Route tables (of the VPC) whose subnets should reach S3 and DynamoDB through the endpoints."
  type        = list(string)
}

# S3 through a gateway endpoint: AWS adds a route for the S3 prefix list to each route table.
# `s3` is short for com.amazonaws.<provider region>.s3.
resource "vpce_gateway" "s3" {
  vpc_id          = var.vpc_id
  service_name    = "s3"
  route_table_ids = var.private_route_table_ids

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
  vpc_id          = var.vpc_id
  service_name    = "com.amazonaws.us-east-1.dynamodb"
  route_table_ids = var.private_route_table_ids

  tags = {
    Name = "dynamodb"
  }
}

output "s3_prefix_list_id" {
  description = "For security group egress rules: allow HTTPS to this prefix list."
  value       = vpce_gateway.s3.prefix_list_id
}

output "s3_cidr_blocks" {
  value = vpce_gateway.s3.cidr_blocks
}
