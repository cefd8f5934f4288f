# The VPC joins a VPC Lattice service network: its services and resource configurations are
# reached privately through the endpoint.
resource "vpce_service_network" "main" {
  vpc_id              = "vpc-0123456789abcdef0"
  service_network_arn = "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0"
  subnet_ids          = ["subnet-0123456789abcdef0"]

  private_dns_enabled = true
  dns_options {
    private_dns_preference        = "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS"
    private_dns_specified_domains = ["internal.example.com"]
  }

  tags = {
    Name = "main"
  }
}
