# The endpoint, without private_dns_enabled: while a vpce_private_dns manages it, unset means
# "managed elsewhere".
resource "vpce_interface" "api" {
  vpc_id             = "vpc-0123456789abcdef0"
  service_name       = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnet_ids         = ["subnet-0123456789abcdef0"]
  security_group_ids = ["sg-0123456789abcdef0"]
}

# Turned on once the service's private DNS name is verified.
resource "vpce_private_dns" "api" {
  vpc_endpoint_id     = vpce_interface.api.id
  private_dns_enabled = true
}
