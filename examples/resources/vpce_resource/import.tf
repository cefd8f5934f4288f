import {
  to = vpce_resource.db
  id = "vpce-0123456789abcdef0"
}
