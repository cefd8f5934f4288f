# A database shared through VPC Lattice (a resource configuration, possibly of another account),
# reached privately from this VPC through a Resource endpoint.
resource "vpce_resource" "db" {
  vpc_id                     = "vpc-0123456789abcdef0"
  resource_configuration_arn = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0"
  subnet_ids                 = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] # one per AZ
  security_group_ids         = ["sg-0123456789abcdef0"]

  # Private DNS for the resource's domain names.
  private_dns_enabled = true
  dns_options {
    private_dns_preference = "VERIFIED_DOMAINS_ONLY"
  }

  tags = {
    Name = "db"
  }
}
