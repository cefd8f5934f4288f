# The endpoint, without subnet_ids: unset means its subnets are managed elsewhere.
resource "vpce_interface" "ssm" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "ssm"
}

# In another module, next to the subnets (one per Availability Zone).
resource "vpce_subnet_association" "private" {
  for_each = toset(["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"])

  vpc_endpoint_id = vpce_interface.ssm.id
  subnet_id       = each.value
}
