# How each subnet of the VPC reaches S3.
data "vpce_routing" "main" {
  vpc_id        = aws_vpc.main.id
  service_names = ["s3"]

  # Read after the endpoints and route tables of this configuration are in place.
  depends_on = [vpce_gateway.s3, aws_route_table_association.private]
}

# Every private subnet (its default route does not go to an internet gateway) reaches S3
# through an endpoint, never through a NAT gateway. A failed check is a warning at plan and apply.
check "s3_stays_private" {
  assert {
    condition = alltrue([
      for r in data.vpce_routing.main.routes : r.private if r.default_route != "internet_gateway"
    ])
    error_message = "These private subnets reach S3 outside an endpoint: ${join(", ", [
      for r in data.vpce_routing.main.routes : "${r.subnet_id} (${r.via} via ${r.route_table_id})"
      if !r.private && r.default_route != "internet_gateway"
    ])}"
  }
}

# The same as a hard stop, on a resource that needs it.
resource "terraform_data" "s3_consumer" {
  lifecycle {
    precondition {
      condition     = alltrue([for r in data.vpce_routing.main.routes : r.via == "gateway_endpoint" if contains(aws_subnet.private[*].id, r.subnet_id)])
      error_message = "The private subnets must reach S3 through the gateway endpoint."
    }
  }
}
