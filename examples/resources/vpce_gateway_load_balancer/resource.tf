# Traffic inspection: a Gateway Load Balancer endpoint in the workload VPC, in front of the
# firewall appliances behind a Gateway Load Balancer (its endpoint service), and a route that
# sends the subnet's internet-bound traffic through the endpoint.
resource "vpce_gateway_load_balancer" "inspection" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0" # the GWLB's endpoint service
  subnet_ids   = ["subnet-0123456789abcdef0"]                              # exactly one

  # For a service of this account that requires acceptance: accept the endpoint during the apply.
  auto_accept = true

  tags = {
    Name = "inspection-a"
  }
}

resource "aws_route" "via_inspection" {
  route_table_id         = "rtb-0123456789abcdef0"
  destination_cidr_block = "0.0.0.0/0"
  vpc_endpoint_id        = vpce_gateway_load_balancer.inspection.id
}
