# find.tfquery.hcl: `terraform query` lists the endpoints found; with
# `-generate-config-out=generated.tf` it also writes an `import` and a `resource` block for each.
list "vpce_service_network" "all" {
  provider = vpce
  config {
    vpc_id = "vpc-0123456789abcdef0"
  }
}
