terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}

provider "vpce" {
  region = "us-east-1"
}

variable "vpc_id" {
  description = "VPC with enable_dns_support and enable_dns_hostnames set to true (needed for private DNS)."
  type        = string
}

variable "subnet_ids" {
  description = "At most one subnet per Availability Zone, all in the VPC."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the VPC allowing HTTPS (443) from the clients. Empty: the VPC's default group."
  type        = list(string)
  default     = []
}

# AWS Systems Manager over PrivateLink: instances reach ssm.us-east-1.amazonaws.com
# through the endpoint's network interfaces, without a NAT gateway.
resource "vpce_interface" "ssm" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.us-east-1.ssm"
  subnet_ids          = var.subnet_ids
  security_group_ids  = var.security_group_ids # [] = the VPC's default security group
  private_dns_enabled = true

  dns_options {
    dns_record_ip_type = "ipv4"
  }

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ssm:*"]
      Resource  = "*"
    }]
  })

  tags = {
    Name = "ssm"
  }

  timeouts {
    create = "10m"
    delete = "10m"
  }
}

output "ssm_endpoint_dns_names" {
  value = vpce_interface.ssm.dns_entry[*].dns_name
}

output "ssm_endpoint_network_interfaces" {
  value = vpce_interface.ssm.network_interface_ids
}
