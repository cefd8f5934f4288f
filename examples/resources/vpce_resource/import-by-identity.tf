import {
  to = vpce_resource.db
  identity = {
    id = "vpce-0123456789abcdef0"
    # Optional; when given, they must be the provider's region and its credentials' account.
    region     = "eu-west-1"
    account_id = "123456789012"
  }
}
