# The endpoint, without security_group_ids: EC2 gives it the VPC's default group.
resource "vpce_interface" "ssm" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "ssm"
  subnet_ids   = ["subnet-0123456789abcdef0"]
}

# In another module, next to the security groups: this group replaces the default one.
resource "vpce_security_group_association" "https" {
  vpc_endpoint_id             = vpce_interface.ssm.id
  security_group_id           = "sg-0123456789abcdef0"
  replace_default_association = true
}
