# Quick start: keep S3 traffic and EC2 API calls of a private VPC off the public internet,
# without a NAT gateway.
#
#   bash scripts/run-example.sh   # builds the provider, starts a local EC2 emulator, applies this
#
# Against real AWS, drop `ec2_endpoint` and pass your own VPC, subnets and route tables.

terraform {
  required_providers {
    vpce = {
      source = "vpce/vpce"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "ec2_endpoint" {
  description = "Custom EC2 API URL (a local emulator); null for real AWS."
  type        = string
  default     = null
}

variable "vpc_id" {
  type = string
}

variable "route_table_ids" {
  description = "Private route tables that should reach S3 through the gateway endpoint."
  type        = list(string)
}

variable "subnet_ids" {
  description = "One subnet per availability zone for the interface endpoint's network interfaces."
  type        = list(string)
}

variable "security_group_ids" {
  type    = list(string)
  default = []
}

provider "vpce" {
  region = var.region
  endpoints {
    ec2 = var.ec2_endpoint
  }
}

# Free: a route to S3 in each private route table.
resource "vpce_gateway" "s3" {
  vpc_id          = var.vpc_id
  service_name    = "s3"
  route_table_ids = var.route_table_ids

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
      Resource  = "*"
    }]
  })

  tags = {
    Name = "s3-gateway"
  }
}

# Billed per hour and per AZ: a private interface to the EC2 API, reachable under its usual
# name thanks to private DNS (the VPC needs enableDnsSupport and enableDnsHostnames).
resource "vpce_interface" "ec2" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.ec2"
  subnet_ids          = var.subnet_ids
  security_group_ids  = length(var.security_group_ids) > 0 ? var.security_group_ids : null
  private_dns_enabled = true

  tags = {
    Name = "ec2-api"
  }
}

output "s3_gateway" {
  value = {
    id              = vpce_gateway.s3.id
    state           = vpce_gateway.s3.state
    prefix_list_id  = vpce_gateway.s3.prefix_list_id
    route_table_ids = vpce_gateway.s3.route_table_ids
  }
}

output "ec2_interface" {
  value = {
    id                    = vpce_interface.ec2.id
    state                 = vpce_interface.ec2.state
    network_interface_ids = vpce_interface.ec2.network_interface_ids
    dns_names             = [for e in vpce_interface.ec2.dns_entry : e.dns_name]
  }
}
