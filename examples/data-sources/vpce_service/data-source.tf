# S3 offers both a Gateway and an Interface service: service_type picks one.
data "vpce_service" "s3" {
  service      = "s3" # com.amazonaws.<provider region>.s3
  service_type = "Gateway"
}

# An Interface service by its full name.
data "vpce_service" "ssm" {
  service_name = "com.amazonaws.us-east-1.ssm"
}

# Allow HTTPS to S3 through the gateway endpoint's prefix list (here with the AWS provider).
resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = aws_security_group.app.id
  prefix_list_id    = data.vpce_service.s3.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# Only the subnets in AZs where the service is offered.
resource "vpce_interface" "ssm" {
  vpc_id       = aws_vpc.main.id
  service_name = data.vpce_service.ssm.service_name
  subnet_ids   = [for s in aws_subnet.private : s.id if contains(data.vpce_service.ssm.availability_zones, s.availability_zone)]
}

# A partner or in-house service found by EC2's filters and its tags.
data "vpce_service" "partner" {
  tags = { team = "payments" }
  filter {
    name   = "service-type"
    values = ["Interface"]
  }
}

# A service offered from another region (cross-region PrivateLink).
data "vpce_service" "remote" {
  service_name    = "com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0"
  service_regions = ["us-west-2"]
}
