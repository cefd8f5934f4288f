# The endpoint, without route_table_ids: unset means its route tables are managed elsewhere.
resource "vpce_gateway" "s3" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "s3"
}

# In another module, next to the route tables.
resource "vpce_route_table_association" "private" {
  for_each = toset(["rtb-0123456789abcdef0", "rtb-0fedcba9876543210"])

  vpc_endpoint_id = vpce_gateway.s3.id
  route_table_id  = each.value
}
