data "vpce_associations" "s3" {
  vpc_endpoint_id = "vpce-0123456789abcdef0"
}

# Every route table of the VPC's private subnets sends S3 traffic through the endpoint.
check "s3_private" {
  assert {
    condition     = length(setsubtract(aws_route_table.private[*].id, data.vpce_associations.s3.route_table_ids)) == 0
    error_message = "A private route table is not associated with the S3 gateway endpoint."
  }
}

# The import IDs of the associations, e.g. for `import` blocks that adopt associations made elsewhere
# (null where the endpoint's own resource manages the association).
output "association_import_ids" {
  value = { for a in data.vpce_associations.s3.associations : a.associated_id => a.import_id if a.import_id != null }
}
